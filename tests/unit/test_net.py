"""RequestsFetcher against local servers (HTTP and HTTPS on 127.0.0.1), and OfflineFetcher."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar, cast

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from innopass._internal.net import OfflineFetcher, RequestsFetcher
from innopass.did import DidWebResolver, VerificationMethod, did_web_document
from innopass.errors import ConfigurationError, NetworkError, ResolutionError
from innopass.keys import Ed25519PrivateKey

# path -> (status, headers, body); a callable body gets the server port.
Route = tuple[int, dict[str, str], bytes]
Routes = dict[str, Route | Callable[[int], Route]]


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[Routes] = {}

    def do_GET(self) -> None:
        route = self.routes.get(self.path, (404, {}, b"not found"))
        port = cast(tuple[str, int], self.server.server_address)[1]
        status, headers, body = route(port) if callable(route) else route
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            if value:  # an empty value leaves the header out (body ends at close)
                self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


def _serve(routes: Routes, context: ssl.SSLContext | None = None) -> Iterator[int]:
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


ROUTES: Routes = {
    "/ok": (200, {"Content-Type": "application/json"}, b'{"ok": true}'),
    "/big": (200, {}, b"x" * 5000),
    "/unsized": (200, {"Content-Length": ""}, b"y" * 5000),
    "/redirect-same": lambda port: (302, {"Location": f"http://127.0.0.1:{port}/ok"}, b""),
    "/redirect-relative": (301, {"Location": "/ok"}, b""),
    "/redirect-other-host": (302, {"Location": "http://localhost/ok"}, b""),
    "/redirect-other-port": (302, {"Location": "http://127.0.0.1:1/ok"}, b""),
    "/redirect-loop": (302, {"Location": "/redirect-loop"}, b""),
    "/redirect-empty": (302, {}, b""),
    "/error": (500, {}, b"boom"),
}


@pytest.fixture(scope="module")
def http_port() -> Iterator[int]:
    yield from _serve(ROUTES)


@pytest.fixture
def fetcher() -> RequestsFetcher:
    return RequestsFetcher(timeout=5, allow_loopback_http=True)


def test_fetch_ok(http_port: int, fetcher: RequestsFetcher) -> None:
    assert fetcher.fetch(f"http://127.0.0.1:{http_port}/ok", max_bytes=100) == b'{"ok": true}'


def test_size_cap(http_port: int, fetcher: RequestsFetcher) -> None:
    url = f"http://127.0.0.1:{http_port}/big"
    assert len(fetcher.fetch(url, max_bytes=5000)) == 5000
    with pytest.raises(NetworkError) as info:
        fetcher.fetch(url, max_bytes=4999)
    assert info.value.url == url
    unsized = f"http://127.0.0.1:{http_port}/unsized"
    assert len(fetcher.fetch(unsized, max_bytes=5000)) == 5000
    with pytest.raises(NetworkError):
        fetcher.fetch(unsized, max_bytes=4999)  # no Content-Length: the stream is cut off
    small = RequestsFetcher(allow_loopback_http=True, max_bytes=100)
    with pytest.raises(NetworkError):
        small.fetch(url, max_bytes=10_000)  # the fetcher's own cap wins


def test_not_found_and_errors(http_port: int, fetcher: RequestsFetcher) -> None:
    for path in ("/missing", "/error", "/redirect-empty"):
        with pytest.raises(NetworkError):
            fetcher.fetch(f"http://127.0.0.1:{http_port}{path}", max_bytes=100)


def test_same_origin_redirects_are_followed(http_port: int, fetcher: RequestsFetcher) -> None:
    for path in ("/redirect-same", "/redirect-relative"):
        assert fetcher.fetch(f"http://127.0.0.1:{http_port}{path}", max_bytes=100) == (
            b'{"ok": true}'
        )


@pytest.mark.parametrize("path", ["/redirect-other-host", "/redirect-other-port", "/redirect-loop"])
def test_cross_origin_and_endless_redirects_are_refused(
    http_port: int, fetcher: RequestsFetcher, path: str
) -> None:
    with pytest.raises(NetworkError):
        fetcher.fetch(f"http://127.0.0.1:{http_port}{path}", max_bytes=100)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/did.json",
        "ftp://example.com/did.json",
        "file:///etc/passwd",
        "https://user:pw@example.com/did.json",
        "https:///did.json",
        "https://example.com:99999/",
    ],
)
def test_refused_before_connecting(url: str) -> None:
    # The autouse network guard would fail the test if a connection were attempted.
    with pytest.raises(NetworkError):
        RequestsFetcher(allow_loopback_http=True).fetch(url, max_bytes=100)


def test_loopback_http_needs_opt_in(http_port: int) -> None:
    with pytest.raises(NetworkError):
        RequestsFetcher().fetch(f"http://127.0.0.1:{http_port}/ok", max_bytes=100)


def test_connection_errors_are_wrapped(fetcher: RequestsFetcher) -> None:
    with pytest.raises(NetworkError):
        fetcher.fetch("http://127.0.0.1:1/ok", max_bytes=100)


def test_offline_fetcher() -> None:
    with pytest.raises(NetworkError) as info:
        OfflineFetcher().fetch("https://nhs.example/.well-known/did.json", max_bytes=100)
    assert str(info.value).startswith("offline")


def test_bad_configuration() -> None:
    with pytest.raises(ConfigurationError):
        RequestsFetcher(timeout=0)


# --- HTTPS + did:web -------------------------------------------------------------------------


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    cert, key = _self_signed(tmp_path_factory.mktemp("tls"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    public = Ed25519PrivateKey.from_seed(bytes(32)).public_key()

    def did_document(port: int) -> Route:
        did = f"did:web:localhost%3A{port}"
        method = VerificationMethod(f"{did}#key-1", "Multikey", did, public)
        document = did_web_document(did, [method], assertion=["#key-1"])
        return 200, {"Content-Type": "application/did+json"}, json.dumps(document.raw).encode()

    def wrong_id(port: int) -> Route:
        did = f"did:web:localhost%3A{port}:other"
        method = VerificationMethod(f"{did}#key-1", "Multikey", did, public)
        document = did_web_document(did, [method], assertion=["#key-1"])
        return 200, {}, json.dumps(document.raw).encode()

    routes: Routes = {
        "/ok": ROUTES["/ok"],
        "/.well-known/did.json": did_document,
        "/users/alice/did.json": wrong_id,
    }
    for port in _serve(routes, context):
        yield port, str(cert)


def test_https_fetch_with_pinned_ca(https_server: tuple[int, str]) -> None:
    port, cafile = https_server
    fetcher = RequestsFetcher(verify=cafile, allow_hosts=["localhost"])
    assert fetcher.fetch(f"https://localhost:{port}/ok", max_bytes=100) == b'{"ok": true}'


def test_https_untrusted_certificate_is_refused(https_server: tuple[int, str]) -> None:
    port, _ = https_server
    with pytest.raises(NetworkError):
        RequestsFetcher(allow_hosts=["localhost"]).fetch(
            f"https://localhost:{port}/ok", max_bytes=100
        )


def test_did_web_resolution_over_https(https_server: tuple[int, str]) -> None:
    port, cafile = https_server
    resolver = DidWebResolver(RequestsFetcher(verify=cafile, allow_hosts=["localhost"]))
    did = f"did:web:localhost%3A{port}"
    document = resolver.resolve(did)
    assert document.id == did
    assert document.assertion_method == (f"{did}#key-1",)
    with pytest.raises(ResolutionError):
        resolver.resolve(f"did:web:localhost%3A{port}:users:alice")  # served id differs
    with pytest.raises(ResolutionError):
        resolver.resolve(f"did:web:localhost%3A{port}:users:bob")  # 404


def test_loopback_https_needs_a_deliberate_allowance(https_server: tuple[int, str]) -> None:
    port, cafile = https_server
    with pytest.raises(NetworkError):  # localhost, and a port other than 443
        RequestsFetcher(verify=cafile).fetch(f"https://localhost:{port}/ok", max_bytes=100)
    with pytest.raises(NetworkError):  # the port alone allowed is not enough
        RequestsFetcher(verify=cafile, allow_ports=[port]).fetch(
            f"https://localhost:{port}/ok", max_bytes=100
        )


def test_allowed_ports_must_be_ports() -> None:
    with pytest.raises(ConfigurationError):
        RequestsFetcher(allow_ports=[0])
