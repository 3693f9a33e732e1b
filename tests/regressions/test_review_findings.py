"""An adversarial review of main after issues 7-11 landed: each test failed before its fix.

(The ledger findings are in ``tests/unit/test_ledger_tamper.py``.)
"""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path
from typing import Any

import pytest

from innopass._internal.jsonio import DEFAULT_LIMITS, _exact_loads, parse_strict
from innopass._internal.net import _is_public
from innopass.cli._verify import render_presentation, render_text
from innopass.verifier import TrustStore, Verifier
from verifier_factory import (
    Org,
    make_verifier,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    unsigned_passport,
)

AT = ["--at", "2026-05-01T09:30:00Z"]
_ESCAPE_OR_BREAK = re.compile(r"[\x1b\r\u2028\u2029]")


@pytest.mark.parametrize("text", [b"[-9223372036854775809]", b'{"n": -9999999999999999999}'])
def test_the_json_routes_agree_on_integers_below_int64(text: bytes) -> None:
    assert parse_strict(text)[0] == _exact_loads(text, DEFAULT_LIMITS)


def test_white_space_never_changes_the_verdict() -> None:
    org = Org.did_key()
    unsigned = unsigned_passport(org)
    unsigned["extra"] = -9.223372036854776e18  # what -9223372036854775809 is as a double
    text = json.dumps(org.sign(unsigned)).replace("-9.223372036854776e+18", "-9223372036854775809")
    verifier = make_verifier(issuers=[org.did], status_lists=org.status_lists())
    compact = verifier.verify(text)
    spaced = verifier.verify(text.replace('"extra":', '"extra" :'))
    assert compact.verdict == spaced.verdict
    assert compact.codes == spaced.codes


def test_a_presentation_cannot_write_to_the_terminal() -> None:
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": "did:key:x\x1b[3A\r\x1b[2K\u2714 VERIFIED",
        "verifiableCredential": [],
    }
    result = Verifier(TrustStore(), trust_no_one=True).verify_presentation(presentation)
    text = render_presentation(result, "vp\x1b[2J.json")
    assert not _ESCAPE_OR_BREAK.search(text)


@pytest.mark.parametrize("break_", ["\n", "\r", "\u2028", "\u2029", "\x85"])
def test_a_file_name_cannot_forge_a_headline(break_: str) -> None:
    result = Verifier(TrustStore(), trust_no_one=True).verify(b"{}")
    text = render_text(result, f"x.json{break_}\u2714 VERIFIED  good.json")
    lines = text.splitlines()
    assert not any(line.startswith("\u2714 VERIFIED") for line in lines)
    assert lines[0].startswith("\u2716 REJECTED")


def test_a_file_name_cannot_forge_a_line_in_a_batch(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INNOPASS_HOME", raising=False)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "x\n\u2714 VERIFIED  good.json").write_text("{}", encoding="utf-8")
    for quiet in ([], ["--quiet"]):
        result = run("verify", inbox, *quiet, *AT, "--home", tmp_path / "h")
        assert result.code == 1
        assert not [line for line in result.out.splitlines() if "VERIFIED" in line[:12]]
        assert not [line for line in result.out.splitlines() if line.startswith("verified")]


def test_standard_input_is_read_only_to_the_limit(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the size limit, verify - stops reading: the input is malformed, memory bounded."""
    monkeypatch.delenv("INNOPASS_HOME", raising=False)
    reads: list[int] = []

    class Endless:
        def read(self, size: int = -1) -> bytes:
            reads.append(size)
            assert size >= 0, "standard input read without a bound"
            return b" " * size

    class Stdin:
        buffer = Endless()

    monkeypatch.setattr("sys.stdin", Stdin())
    result = run("verify", "-", "--json", *AT, "--home", tmp_path / "h")
    assert result.code == 1
    assert [f["code"] for f in json.loads(result.out)["failures"]] == ["malformed"]
    assert reads == [DEFAULT_LIMITS.max_bytes + 1]


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:1",  # 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # 169.254.169.254, the cloud metadata address
        "64:ff9b:1::a00:1",  # 10.0.0.1, through the local-use prefix
        "64:ff9b::c0a8:101",  # 192.168.1.1
    ],
)
def test_nat64_forms_of_internal_addresses_are_not_public(address: str) -> None:
    assert not _is_public(ipaddress.ip_address(address))


def test_a_public_address_through_nat64_stays_public() -> None:
    assert _is_public(ipaddress.ip_address("64:ff9b::808:808"))  # 8.8.8.8


@pytest.mark.parametrize("command", ["verify", "show"])
def test_a_name_too_long_for_the_system_is_one_unreadable_file(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.delenv("INNOPASS_HOME", raising=False)
    good = tmp_path / "empty.json"
    good.write_text("{}", encoding="utf-8")
    long_name = "a" * 300
    args = [good, long_name] if command == "verify" else [long_name]
    result = run(command, *args, *AT, "--home", tmp_path / "h")
    assert result.code in (1, 2)
    assert "internal error" not in result.err
    if command == "verify":  # the other file still gets its result
        assert "REJECTED" in result.out
        assert result.code == 1
