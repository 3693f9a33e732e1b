"""``innopass serve`` over real HTTP on 127.0.0.1: issue, verify, status, public files, limits.

Each test starts the service as a user does (``python -m innopass serve``, a
subprocess on an ephemeral port) and talks to it with an ordinary HTTP client.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from innopass.issuer import OrganisationHome
from innopass.record import example
from innopass.serve import TokenStore

pytestmark = pytest.mark.usefixtures("fast_kdf")

PASS = "serve test passphrase"


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    base: str
    home: Path
    log: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def close(self) -> None:
        """Stop the service and its workers (its own process group)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.reader is not None:
            self.reader.join(30)
        if self.process.stderr is not None:
            self.process.stderr.close()

    def url(self, path: str) -> str:
        return self.base + path

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(60)
        if self.reader is not None:
            self.reader.join(30)
        return code


def make_home(path: Path, *, ods: str = "RF4", config: str | None = None) -> OrganisationHome:
    home = OrganisationHome.init(
        path, ods_code=ods, name="Barking", passphrase=PASS, did_web="rf4.nhs.example"
    )
    if config is not None:
        (path / "service").mkdir(mode=0o700, exist_ok=True)
        (path / "service" / "config.toml").write_text(config)
    return home


def token(home: Path, *scopes: str) -> str:
    with OrganisationHome.open(home).open_ledger() as ledger:
        _, secret = TokenStore(home, ledger=ledger).create("test", scopes or ("issue", "status"))
    return secret


def start(home: Path, *args: str, env: dict[str, str] | None = None, **popen: Any) -> Service:
    environment = dict(os.environ, INNOPASS_PASSPHRASE=PASS) if env is None else env
    process = subprocess.Popen(
        [sys.executable, "-m", "innopass", "serve", "--home", str(home), "--port", "0", *args],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        **popen,
    )
    log: list[str] = []
    found: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            log.append(line)
            match = re.search(r"listening on (https?://127\.0\.0\.1:\d+)", line)
            if match:
                found.append(match.group(1))
                ready.set()
        ready.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    ready.wait(60)
    if not found:
        Service(process, "", home, log, reader).close()
        raise AssertionError("innopass serve did not start:\n" + "\n".join(log))
    return Service(process, found[0], home, log, reader)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Service]]:
    started: list[Service] = []

    def launch(home: Path, *args: str, **kwargs: Any) -> Service:
        service = start(home, *args, **kwargs)
        started.append(service)
        return service

    yield launch
    for service in started:
        service.close()


def post(url: str, **options: Any) -> requests.Response:
    options.setdefault("timeout", 30)
    return requests.post(url, **options)  # noqa: S113 - the timeout is set above


def get(url: str, **options: Any) -> requests.Response:
    options.setdefault("timeout", 30)
    return requests.get(url, **options)  # noqa: S113 - the timeout is set above


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def record(ods: str = "RF4") -> dict[str, Any]:
    value: dict[str, Any] = example("digital")
    value["assessing_org"]["ods_code"] = ods
    return value


def status_bit(service: Service, entry: dict[str, Any]) -> bool:
    """Fetch the entry's list from the service (at the path its id names) and read the bit."""
    path = entry["statusListCredential"].removeprefix("https://rf4.nhs.example")
    answer = get(service.url(path), timeout=30)
    assert answer.status_code == 200
    encoded = answer.json()["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def entry_for(credential: dict[str, Any], purpose: str) -> dict[str, Any]:
    return next(e for e in credential["credentialStatus"] if e["statusPurpose"] == purpose)


def test_issue_verify_revoke_and_fetch_the_status_list(tmp_path: Path, serve: Any) -> None:
    home = tmp_path / "home"
    make_home(home)
    secret = token(home)
    service = serve(home)
    issued = post(
        service.url("/credentials/issue"), json={"record": record()}, headers=bearer(secret)
    )
    assert issued.status_code == 201
    passport = issued.json()["verifiableCredential"]
    assert passport["type"] == ["VerifiableCredential", "InnovatorPassport"]
    revocation = entry_for(passport, "revocation")
    assert status_bit(service, revocation) is False

    verified = post(service.url("/credentials/verify"), json={"verifiableCredential": passport})
    assert verified.status_code == 200
    assert verified.json()["verified"] is True
    assert verified.json()["result"]["verdict"] == "verified"

    suspended = post(
        service.url("/credentials/status"),
        json={"credentialId": passport["id"], "action": "suspend"},
        headers=bearer(secret),
    )
    assert (suspended.status_code, suspended.json()["state"]) == (200, "suspended")
    assert status_bit(service, entry_for(passport, "suspension")) is True
    answer = post(service.url("/credentials/verify"), json={"verifiableCredential": passport})
    assert (answer.status_code, answer.json()["code"]) == (400, "suspended")
    assert answer.headers["content-type"] == "application/problem+json"

    reinstated = post(
        service.url("/credentials/status"),
        json={
            "credentialId": passport["id"],
            "credentialStatus": [
                {"type": "BitstringStatusListEntry", "statusPurpose": "suspension", "status": False}
            ],
        },
        headers=bearer(secret),
    )
    assert reinstated.json()["state"] == "active"
    assert status_bit(service, entry_for(passport, "suspension")) is False

    revoked = post(
        service.url("/credentials/status"),
        json={"credentialId": passport["id"], "action": "revoke"},
        headers=bearer(secret),
    )
    assert (revoked.status_code, revoked.json()["state"]) == (200, "revoked")
    assert status_bit(service, revocation) is True
    answer = post(service.url("/credentials/verify"), json={"verifiableCredential": passport})
    assert answer.status_code == 400
    assert answer.json()["code"] == "revoked"
    assert answer.json()["verified"] is False
    again = post(
        service.url("/credentials/status"),
        json={"credentialId": passport["id"], "action": "reinstate"},
        headers=bearer(secret),
    )
    assert (again.status_code, again.json()["code"]) == (409, "status-change-refused")
    missing = post(
        service.url("/credentials/status"),
        json={"credentialId": "urn:uuid:nobody", "action": "revoke"},
        headers=bearer(secret),
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "passport-not-found")
    assert service.stop() == 0


def test_jwt_passports_come_enveloped(tmp_path: Path, serve: Any) -> None:
    home = tmp_path / "home"
    make_home(home)
    secret = token(home)
    service = serve(home)
    issued = post(
        service.url("/credentials/issue"),
        json={"record": record(), "options": {"format": "jwt"}},
        headers=bearer(secret),
    )
    envelope = issued.json()["verifiableCredential"]
    assert envelope["type"] == "EnvelopedVerifiableCredential"
    jws = envelope["id"].removeprefix("data:application/vc+jwt,")
    answer = post(service.url("/credentials/verify"), json={"verifiableCredential": jws})
    assert answer.status_code == 200
    assert answer.json()["result"]["format"] == "vc+jwt"


def test_the_public_files(tmp_path: Path, serve: Any) -> None:
    home = tmp_path / "home"
    description = make_home(home).description()
    service = serve(home)
    document = get(service.url("/.well-known/did.json"))
    assert document.status_code == 200
    assert document.json() == description.did_document.to_json()
    organisation = get(service.url("/organisation")).json()
    assert organisation["did"] == "did:web:rf4.nhs.example"
    assert organisation["odsCode"] == "RF4"
    health = get(service.url("/health")).json()
    assert health["status"] == "ok"
    openapi = get(service.url("/openapi.json")).json()
    assert openapi["openapi"].startswith("3.1")
    absent = get(service.url("/status/revocation/1"))
    assert (absent.status_code, absent.json()["code"]) == (404, "not-found")
    assert get(service.url("/status/other/1")).status_code == 404


def test_the_passport_page_for_a_person(tmp_path: Path, serve: Any) -> None:
    """GET /passports/{id}: the page innopass show --html writes, verified now."""
    home = tmp_path / "home"
    make_home(home)
    secret = token(home)
    service = serve(home)
    issued = post(
        service.url("/credentials/issue"), json={"record": record()}, headers=bearer(secret)
    )
    passport = issued.json()["verifiableCredential"]
    page = get(service.url(f"/passports/{passport['id']}"))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert 'class="banner verified"' in page.text
    assert passport["id"] in page.text
    revoked = post(
        service.url("/credentials/status"),
        json={"credentialId": passport["id"], "action": "revoke"},
        headers=bearer(secret),
    )
    assert revoked.status_code == 200
    after = get(service.url(f"/passports/{passport['id']}"))
    assert after.status_code == 200
    assert 'class="banner not-verified"' in after.text
    assert "revoked" in after.text
    missing = get(service.url("/passports/urn:uuid:nobody"))
    assert (missing.status_code, missing.json()["code"]) == (404, "not-found")
    assert get(service.url("/passports/" + "x" * 300)).status_code == 404
    other = post(
        service.url("/credentials/issue"),
        json={
            "credential": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"],
                "credentialSubject": {"id": "did:example:subject", "name": "not a passport"},
            }
        },
        headers=bearer(secret),
    )
    assert other.status_code == 201, other.text
    credential_id = other.json()["verifiableCredential"]["id"]
    assert get(service.url(f"/passports/{credential_id}")).status_code == 404
    assert service.stop() == 0


def test_tokens_scopes_and_revocation_without_a_restart(tmp_path: Path, serve: Any) -> None:
    home = tmp_path / "home"
    make_home(home)
    status_only = token(home, "status")
    full = token(home)
    service = serve(home)
    issue = service.url("/credentials/issue")
    body = {"record": record()}
    none = post(issue, json=body)
    assert (none.status_code, none.json()["code"]) == (401, "unauthorised")
    assert none.headers["www-authenticate"].startswith("Bearer")
    wrong = post(issue, json=body, headers=bearer(full[:-1] + ("A" if full[-1] != "A" else "B")))
    assert (wrong.status_code, wrong.json()["code"]) == (401, "unauthorised")
    scoped = post(issue, json=body, headers=bearer(status_only))
    assert (scoped.status_code, scoped.json()["code"]) == (403, "forbidden")
    assert post(issue, json=body, headers=bearer(full)).status_code == 201
    token_id = full.split("_")[1]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "innopass",
            "serve",
            "token",
            "revoke",
            token_id,
            "--home",
            str(home),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    after = post(issue, json=body, headers=bearer(full))
    assert (after.status_code, after.json()["code"]) == (401, "unauthorised")
    # the access log names the token's id, never the token
    service.stop()
    logged = "\n".join(service.log)
    assert f"token={token_id}" in logged
    assert full not in logged
    assert status_only not in logged


def test_bad_requests_are_problems_with_codes(tmp_path: Path, serve: Any) -> None:
    home = tmp_path / "home"
    make_home(home, config="[limits]\nmax_request_bytes = 32768\n")
    secret = token(home)
    service = serve(home)
    verify = service.url("/credentials/verify")
    cases = [
        (
            post(verify, data=b"{not json", headers={"content-type": "application/json"}),
            400,
            "malformed",
        ),
        (
            post(verify, data=b'{"a": 1, "a": 2}', headers={"content-type": "application/json"}),
            400,
            "malformed",
        ),
        (post(verify, json=[1]), 400, "malformed"),
        (
            post(verify, json={"verifiableCredential": {}, "options": {"checks": ["magic"]}}),
            400,
            "unsupported-option",
        ),
        (
            post(verify, data=b"x" * 40000, headers={"content-type": "application/json"}),
            413,
            "limit-exceeded",
        ),
        (
            post(verify, data=b"<a/>", headers={"content-type": "application/xml"}),
            415,
            "unsupported-media-type",
        ),
        (get(verify), 405, "method-not-allowed"),
        (
            post(
                service.url("/credentials/issue"),
                json={"record": {"no": "record"}},
                headers=bearer(secret),
            ),
            400,
            "record-invalid",
        ),
        (
            post(
                service.url("/credentials/issue"),
                json={"credential": {"type": "VerifiableCredential"}},
                headers=bearer(secret),
            ),
            400,
            "credential-invalid",
        ),
        (
            post(
                service.url("/credentials/issue"),
                json={"record": record(), "options": {"format": "cbor"}},
                headers=bearer(secret),
            ),
            400,
            "unsupported-option",
        ),
        (
            post(
                service.url("/credentials/issue"),
                json={"record": record(ods="R1H")},
                headers=bearer(secret),
            ),
            400,
            "record-invalid",
        ),
    ]
    for answer, status, code in cases:
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == code
        assert answer.json()["type"].endswith(code)
    # a body that streams past the limit without announcing its length
    chunks = (b"y" * 8192 for _ in range(8))
    streamed = post(verify, data=chunks, headers={"content-type": "application/json"})
    assert (streamed.status_code, streamed.json()["code"]) == (413, "limit-exceeded")
    # a malformed credential is a verification result (400), not a crash
    junk = post(verify, json={"verifiableCredential": {"@context": 5}})
    assert junk.status_code == 400
    assert junk.json()["result"]["verdict"] == "rejected"


def test_requested_checks_decide_and_the_rest_are_warnings(tmp_path: Path, serve: Any) -> None:
    home = tmp_path / "home"
    make_home(home, config='[issue]\ncredential_types = ["ExampleAlumniCredential"]\n')
    secret = token(home)
    service = serve(home)
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            {
                "ExampleAlumniCredential": "https://example.org/examples#ExampleAlumniCredential",
                "alumniOf": "https://schema.org/alumniOf",
            },
        ],
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "issuer": "did:web:rf4.nhs.example",
        "credentialSubject": {"id": "did:example:alumna", "alumniOf": "Example University"},
    }
    issued = post(
        service.url("/credentials/issue"), json={"credential": credential}, headers=bearer(secret)
    )
    assert issued.status_code == 201
    signed = issued.json()["verifiableCredential"]
    verify = service.url("/credentials/verify")
    everything = post(verify, json={"verifiableCredential": signed})
    assert (everything.status_code, everything.json()["code"]) == (400, "not-a-passport")
    chosen = post(
        verify,
        json={"verifiableCredential": signed, "options": {"checks": ["proof", "credentialStatus"]}},
    )
    assert chosen.status_code == 200
    assert [w["name"] for w in chosen.json()["warnings"]] == ["record"]
    tampered = dict(signed, credentialSubject={"id": "did:example:alumna", "alumniOf": "Elsewhere"})
    bad = post(verify, json={"verifiableCredential": tampered, "options": {"checks": ["proof"]}})
    assert (bad.status_code, bad.json()["code"]) == (400, "signature-invalid")
    other = dict(credential, type=["VerifiableCredential", "OtherCredential"])
    refused = post(
        service.url("/credentials/issue"), json={"credential": other}, headers=bearer(secret)
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "credential-invalid")
    assert refused.json()["errors"][0]["path"] == "/type"


def test_rate_limits_answer_429(tmp_path: Path, serve: Any) -> None:
    home = tmp_path / "home"
    make_home(home, config='[limits]\nrate = "5/minute"\n')
    service = serve(home)
    answers = [get(service.url("/health")) for _ in range(6)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    assert answers[5].status_code == 429
    assert answers[5].json()["code"] == "rate-limited"
    assert int(answers[5].headers["retry-after"]) >= 1


def test_the_passphrase_from_a_file_descriptor_not_the_environment(
    tmp_path: Path, serve: Any
) -> None:
    home = tmp_path / "home"
    make_home(home)
    read, write = os.pipe()
    os.write(write, PASS.encode() + b"\n")
    os.close(write)
    env = {k: v for k, v in os.environ.items() if k != "INNOPASS_PASSPHRASE"}
    service = serve(home, "--passphrase-fd", str(read), env=env, pass_fds=(read,))
    os.close(read)
    assert get(service.url("/health")).status_code == 200
    without = subprocess.run(
        [sys.executable, "-m", "innopass", "serve", "--home", str(home), "--port", "0"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert without.returncode == 2
    assert without.stderr.startswith("innopass: error:")
    assert "INNOPASS_PASSPHRASE" in without.stderr


def test_tls_with_cert_and_key(tmp_path: Path, serve: Any) -> None:
    import importlib.util

    # conformance/run.py makes the throw-away certificate the W3C suites are served with
    path = Path(__file__).resolve().parents[2] / "conformance" / "run.py"
    spec = importlib.util.spec_from_file_location("innopass_conformance_run", path)
    assert spec is not None
    assert spec.loader is not None
    driver = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = driver  # its dataclasses look their module up
    spec.loader.exec_module(driver)
    cert, key = driver.make_certificate(tmp_path / "tls")
    home = tmp_path / "home"
    make_home(home)
    service = serve(home, "--cert", str(cert), "--key", str(key))
    assert service.base.startswith("https://")
    assert get(service.url("/health"), verify=str(cert)).status_code == 200
    with pytest.raises(requests.exceptions.ConnectionError):
        get(service.base.replace("https://", "http://") + "/health", timeout=10)


# --- several workers, concurrent requests, graceful shutdown ----------------------------------


@pytest.mark.slow
def test_concurrent_issue_and_revoke_across_workers(tmp_path: Path, serve: Any) -> None:
    """No status index reused, no revocation lost, every published list right."""
    home = tmp_path / "home"
    make_home(
        home,
        config='[issue]\ncredential_types = ["*"]\n\n'
        '[limits]\nrate = "10000/minute"\nwrite_rate = "10000/minute"\n',
    )
    secret = token(home)
    service = serve(home, "--workers", "2")
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:web:rf4.nhs.example",
        "credentialSubject": {"id": "did:example:x", "name": "concurrency"},
    }

    def issue(_: int) -> dict[str, Any]:
        with requests.Session() as session:
            answer = session.post(
                service.url("/credentials/issue"),
                json={"credential": credential},
                headers=bearer(secret),
            )
            assert answer.status_code == 201, answer.text
            issued: dict[str, Any] = answer.json()["verifiableCredential"]
            return issued

    def revoke(issued: dict[str, Any]) -> None:
        with requests.Session() as session:
            answer = session.post(
                service.url("/credentials/status"),
                json={"credentialId": issued["id"], "action": "revoke"},
                headers=bearer(secret),
            )
            assert answer.status_code == 200, answer.text

    with ThreadPoolExecutor(max_workers=8) as pool:
        first = list(pool.map(issue, range(24)))
        to_revoke = first[::2]
        # revocations race with more issuing
        revoking = [pool.submit(revoke, c) for c in to_revoke]
        more = list(pool.map(issue, range(24)))
        for future in revoking:
            future.result()
    issued = first + more
    assert len({c["id"] for c in issued}) == len(issued)
    revoked_ids = {c["id"] for c in to_revoke}

    with OrganisationHome.open(home).open_ledger() as ledger:
        allocations = ledger.all_allocations()
        positions = [(p, n, i) for p, n, i, _ in allocations]
        assert len(positions) == len(set(positions)) == 2 * len(issued)
        states = {e.id: e.state.value for e in ledger.passports()}
    assert states == {c["id"]: ("revoked" if c["id"] in revoked_ids else "active") for c in issued}
    # the published list (whichever worker answers, several times) shows every revocation
    for _ in range(3):
        for credential_ in issued:
            entry = entry_for(credential_, "revocation")
            assert status_bit(service, entry) is (credential_["id"] in revoked_ids)
    assert service.stop() == 0


@pytest.mark.slow
def test_graceful_shutdown_answers_the_request_in_flight(tmp_path: Path, serve: Any) -> None:
    home = tmp_path / "home"
    make_home(home)
    service = serve(home, "--workers", "2")
    body = json.dumps(
        {"verifiableCredential": {"@context": ["https://www.w3.org/ns/credentials/v2"]}}
    ).encode()
    host, port = service.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        head = (
            f"POST /credentials/verify HTTP/1.1\r\nHost: {host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        sock.sendall(head + body[:10])  # the request is in flight: half its body sent
        time.sleep(0.5)
        service.process.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert service.process.poll() is None  # still finishing the request
        sock.sendall(body[10:])
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    status_line = response.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 400")  # answered: a verification result
    assert b'"result"' in response
    assert service.process.wait(60) == 0
    with pytest.raises(requests.exceptions.ConnectionError):
        get(service.url("/health"), timeout=5)


def test_presentations_are_verified_with_the_verifiers_challenge(
    tmp_path: Path, serve: Any
) -> None:
    from innopass.holder import Holder

    home = tmp_path / "home"
    make_home(home)
    secret = token(home)
    service = serve(home)
    issued = post(
        service.url("/credentials/issue"), json={"record": record()}, headers=bearer(secret)
    )
    passport = issued.json()["verifiableCredential"]
    holder = Holder.generate()
    verify = service.url("/presentations/verify")
    for fmt in ("di", "jwt"):
        presentation = holder.present(
            [passport], challenge="c-123", domain="r1h.nhs.example", format=fmt
        )
        body: dict[str, Any] = {
            "verifiablePresentation": presentation,
            "options": {"challenge": "c-123", "domain": "r1h.nhs.example"},
        }
        answer = post(verify, json=body)
        assert answer.status_code == 200, answer.text
        assert answer.json()["result"]["verdict"] == "verified"
        replayed = post(verify, json={**body, "options": {**body["options"], "challenge": "c-9"}})
        assert replayed.status_code == 400
        assert replayed.json()["verified"] is False
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [passport],
    }
    answer = post(verify, json={"verifiablePresentation": unsigned})
    assert (answer.status_code, answer.json()["code"]) == (400, "malformed")
    revoked = post(
        service.url("/credentials/status"),
        json={"credentialId": passport["id"], "action": "revoke"},
        headers=bearer(secret),
    )
    assert revoked.status_code == 200
    presentation = holder.present([passport], challenge="c-1", domain="r1h.nhs.example")
    answer = post(
        verify,
        json={
            "verifiablePresentation": presentation,
            "options": {"challenge": "c-1", "domain": "r1h.nhs.example"},
        },
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "revoked")
