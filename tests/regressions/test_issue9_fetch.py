"""Issue 9, hole 3: the fetcher refuses internal addresses, and a fetch has a total deadline.

Each test failed on the code before its fix (the fetcher connected to any address
and port, and its timeout applied to each read, not to the whole fetch).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from innopass._internal.net import RequestsFetcher
from innopass.errors import NetworkError


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/status/1",
        "https://127.1.2.3/status/1",
        "https://[::1]/status/1",
        "https://localhost/status/1",
        "https://10.0.0.8/status/1",
        "https://192.168.1.1/status/1",
        "https://172.16.0.1/status/1",
        "https://169.254.169.254/latest/meta-data",
        "https://[fe80::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://0.0.0.0/x",
        "https://8.8.8.8/x",  # an IP literal, even a public one
        "https://2130706433/x",  # 127.0.0.1 as one decimal number
        "https://example.org:8443/x",
        "https://example.org:80/x",
    ],
)
def test_the_fetcher_refuses_internal_addresses_and_other_ports(url: str) -> None:
    # The autouse socket guard fails the test if a connection off loopback is tried;
    # loopback addresses must be refused before any connection too.
    attempts: list[object] = []
    real = socket.socket.connect

    def spy(self: socket.socket, address: Any) -> Any:
        attempts.append(address)
        return real(self, address)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", spy)
        with pytest.raises(NetworkError):
            RequestsFetcher().fetch(url, max_bytes=1000)
    assert attempts == []


def test_a_name_that_resolves_to_loopback_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def resolve(host: str, port: object, *args: object, **kwargs: object) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(NetworkError):
        RequestsFetcher(timeout=2).fetch("https://status.nhs.example/x", max_bytes=1000)


@pytest.fixture
def trickler() -> Iterator[int]:
    """A server on 127.0.0.1 that sends a header and then one byte every 0.2 s, 60 bytes."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(4096)
                try:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n")
                    for _ in range(60):
                        if stop.wait(0.2):
                            break
                        conn.sendall(b"x")
                except OSError:
                    continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        server.close()


def test_a_trickling_server_cannot_hold_a_fetch_past_its_deadline(trickler: int) -> None:
    fetcher = RequestsFetcher(timeout=1.0, allow_loopback_http=True)
    with pytest.raises(NetworkError):
        fetcher.fetch(f"http://127.0.0.1:{trickler}/list", max_bytes=1000)


@pytest.mark.parametrize(
    "did",
    ["did:web:localhost", "did:web:localhost%3A8443", "did:web:127.0.0.1", "did:web:10.1.2.3"],
)
def test_did_web_at_internal_addresses_is_not_fetched(did: str) -> None:
    from innopass.did import DidWebResolver
    from innopass.errors import ResolutionError

    attempts: list[object] = []
    real = socket.socket.connect

    def spy(self: socket.socket, address: Any) -> Any:
        attempts.append(address)
        return real(self, address)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", spy)
        with pytest.raises(ResolutionError):
            DidWebResolver(RequestsFetcher()).resolve(did)
    assert attempts == []
