"""``innopass key generate``, ``innopass present`` and ``innopass verify`` of a presentation."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from innopass._internal.jsonio import dumps_pretty
from verifier_factory import (
    NOW,
    Org,
    bundle,
    jwt_passport,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    passport,
)

pytestmark = pytest.mark.usefixtures("fast_kdf")  # see conftest.py

AT = "2026-05-01T09:30:00Z"
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "verify-output.schema.json").read_text()
)


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INNOPASS_HOME", raising=False)
    monkeypatch.setenv("INNOPASS_PASSPHRASE", "supplier test passphrase")


def write(path: Path, value: Any) -> Path:
    path.write_text(value if isinstance(value, str) else dumps_pretty(value), encoding="utf-8")
    return path


@pytest.fixture
def material(tmp_path: Path) -> dict[str, Path]:
    org = Org.did_web(windows=[(NOW - timedelta(days=365), None)])
    return {
        "passport": write(tmp_path / "passport.json", passport(org)),
        "jwt": write(tmp_path / "passport.jwt", jwt_passport(org)),
        "bundle": write(tmp_path / "bundle.json", bundle(passport(org), org)),
        "org": write(tmp_path / "rf4.json", org.description()),
        "revocation": write(tmp_path / "revocation.json", org.status_list("revocation")),
        "suspension": write(tmp_path / "suspension.json", org.status_list("suspension")),
    }


def _trust(material: dict[str, Path], tmp_path: Path) -> list[str | Path]:
    return [
        "--trust-issuer", material["org"],
        "--status-list", material["revocation"],
        "--status-list", material["suspension"],
        "--at", AT, "--home", tmp_path / "verifier",
    ]  # fmt: skip


def _key(run: Any, tmp_path: Path, key_type: str = "ed25519") -> tuple[Path, str]:
    path = tmp_path / f"supplier-{key_type}.pem"
    made = run("key", "generate", "-o", path, "--key-type", key_type)
    assert made.code == 0, made
    did = next(line.split()[-1] for line in made.out.splitlines() if "holder DID" in line)
    return path, did


def test_key_generate(run: Any, tmp_path: Path) -> None:
    path, did = _key(run, tmp_path, "p384")
    assert did.startswith("did:key:z82")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"ENCRYPTED PRIVATE KEY" in path.read_bytes()
    again = run("key", "generate", "-o", path)
    assert again.code == 2  # never overwrites a key
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED")


@pytest.mark.parametrize("fmt", ["di", "jwt"])
def test_present_and_verify(run: Any, tmp_path: Path, material: dict[str, Path], fmt: str) -> None:
    key, did = _key(run, tmp_path)
    out = tmp_path / f"vp.{fmt}"
    made = run(
        "present", material["passport"], material["jwt"], "--key", key,
        "--challenge", "c-123", "--domain", "r1h.nhs.example", "--format", fmt,
        "--at", AT, "-o", out,
    )  # fmt: skip
    assert made.code == 0, made
    verified = run(
        "verify", out, "--challenge", "c-123", "--domain", "r1h.nhs.example",
        *_trust(material, tmp_path),
    )  # fmt: skip
    assert verified.code == 0, verified
    assert "presentation of 2" in verified.out
    assert did in verified.out
    assert verified.out.count("✔ VERIFIED") == 3
    replayed = run(
        "verify", out, "--challenge", "another", "--domain", "r1h.nhs.example",
        *_trust(material, tmp_path),
    )  # fmt: skip
    assert replayed.code == 1
    assert "challenge-mismatch" in replayed.out
    unchecked = run("verify", out, *_trust(material, tmp_path))
    assert unchecked.code == 0
    assert "NOT checked" in unchecked.out


def test_presentation_json_output_matches_the_schema(
    run: Any, tmp_path: Path, material: dict[str, Path]
) -> None:
    key, _ = _key(run, tmp_path)
    out = tmp_path / "vp.json"
    made = run(
        "present", material["bundle"], "--key", key, "--challenge", "c", "--domain", "d",
        "--at", AT, "-o", out,
    )  # fmt: skip
    assert made.code == 0
    assert "is a bundle" in made.err  # only its passport goes in
    result = run(
        "verify", out, material["passport"], "--json", "--challenge", "c", "--domain", "d",
        *_trust(material, tmp_path),
    )  # fmt: skip
    assert result.code == 0, result
    lines = [json.loads(line) for line in result.out.splitlines()]
    validator = Draft202012Validator(SCHEMA)
    for line in lines:
        validator.validate(line)
    assert lines[0]["kind"] == "presentation"
    assert [c["verdict"] for c in lines[0]["credentials"]] == ["verified"]
    assert "kind" not in lines[1]  # a passport's line is as it always was
    stale = run("verify", out, "--json", "--challenge", "c", "--domain", "d", "--at", AT)
    line = json.loads(stale.out)
    validator.validate(line)
    assert line["verdict"] == "rejected"  # untrusted issuer inside
    assert stale.code == 1


def test_present_refusals(run: Any, tmp_path: Path, material: dict[str, Path]) -> None:
    key, _ = _key(run, tmp_path)
    missing = run("present", material["passport"], "--key", key, "--domain", "d")
    assert missing.code == 2  # --challenge is required
    garbage = write(tmp_path / "garbage.json", "[1, 2]")
    refused = run("present", garbage, "--key", key, "--challenge", "c", "--domain", "d")
    assert refused.code == 2
    assert "innopass: error:" in refused.err
    wrong = run(
        "present",
        material["passport"],
        "--key",
        material["org"],
        "--challenge",
        "c",
        "--domain",
        "d",
    )
    assert wrong.code == 2
