"""``innopass show``: a passport for a person, in the terminal and as a printable page (issue 11).

The page is checked as a browser renders it (``tests/browser.py``: a real headless
Chromium, read through the DevTools protocol), not as HTML source.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from innopass._internal.jsonio import dumps_pretty
from innopass.cli._show import chromium
from innopass.record import example
from verifier_factory import (
    Org,
    bundle,
    jwt_passport,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    passport,
)

#: After the supplier's condition was due (2026-09-30) and its insurance expired (2026-08-31).
LATE = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
AT = ["--at", "2026-11-02T10:00:00Z"]


@pytest.fixture(autouse=True)
def _no_env_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INNOPASS_HOME", raising=False)
    monkeypatch.setenv("COLUMNS", "250")  # long digests and phrases on one line


def write(path: Path, value: Any) -> Path:
    path.write_text(value if isinstance(value, str) else dumps_pretty(value), encoding="utf-8")
    return path


@pytest.fixture
def org() -> Org:
    return Org.did_web(windows=[(LATE - timedelta(days=365), None)])


@pytest.fixture
def files(tmp_path: Path, org: Org) -> dict[str, Path]:
    created = LATE - timedelta(days=1)
    lists = [
        org.status_list(p, valid_from=LATE - timedelta(hours=1))
        for p in ("revocation", "suspension")
    ]
    good = passport(org, created=created, valid_from=created)
    forged = json.loads(json.dumps(good))
    forged["credentialSubject"]["assessmentRecord"]["outcome"]["decision"] = "approved"
    return {
        "passport": write(tmp_path / "passport.json", good),
        "jwt": write(tmp_path / "passport.jwt", jwt_passport(org, issued_at=created)),
        "forged": write(tmp_path / "forged.json", forged),
        "bundle": write(tmp_path / "bundle.json", bundle(good, org, status_lists=lists)),
        "org": write(tmp_path / "rf4.json", org.description()),
        "revocation": write(tmp_path / "revocation.json", lists[0]),
        "suspension": write(tmp_path / "suspension.json", lists[1]),
        "record": write(tmp_path / "record.json", example("device")),
    }


def trusting(files: dict[str, Path]) -> list[str | Path]:
    return [
        "--trust-issuer", files["org"],
        "--status-list", files["revocation"],
        "--status-list", files["suspension"],
        *AT,
    ]  # fmt: skip


def test_show_in_the_terminal_says_everything_a_person_acts_on(
    run: Any, tmp_path: Path, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run("show", files["passport"], *trusting(files), "--home", tmp_path / "h")
    assert result.code == 0, result
    out = result.out
    assert "\x1b[" not in out  # colour only on a terminal
    first = out.index("VERIFIED on 2026-11-02T10:00:00Z")
    credential = json.loads(files["passport"].read_text())
    for fact in (
        credential["id"],  # the passport id
        credential["validFrom"],  # its issue date
        "ArgentaCare Ag silver alginate dressing",
        "Meridian Wound Science Ltd",
        "05060981230013, 05060981230020",  # the UDI-DIs assessed
        "Use in neonates and children (not assessed)",  # an exclusion
        "Local infection of wound",
        "38% reduction",  # the rationale
        "2026-03-12",  # decided on
        "2027-03-15",  # review due
        "Approved with conditions",
        "The adopting organisation must:",  # conditions in words: who must do what, by when
        "before go-live",
        "Pass with conditions",  # a domain's result
        "assessor reviewed",  # and its assurance
        "b9fbf4155f8b2592e7d4c4426911d6cfa1f6cd7519f78f69e6fdd14bd9cc5a3f",  # an evidence digest
        "valid until 2028-05-26",  # an evidence expiry
        "Staff training",  # a local action
        "given for this run",  # where the status information came from
    ):
        assert fact in out, fact
    assert first < out.index("ArgentaCare")
    # The supplier's report was due 2026-09-30 and its insurance ran out 2026-08-31.
    assert re.search(r"periodic safety update report\..*OVERDUE", out), out
    assert "EXPIRED 2026-08-31" in out
    assert out.count("OVERDUE") == 1
    assert "NOT VERIFIED" not in out


def test_show_an_unverified_passport_under_a_not_verified_heading(
    run: Any, tmp_path: Path, files: dict[str, Path]
) -> None:
    forged = run("show", files["forged"], *trusting(files), "--home", tmp_path / "h")
    assert forged.code == 1
    heading = forged.out.index("NOT VERIFIED")
    assert heading < forged.out.index("ArgentaCare Ag silver alginate dressing") or (
        forged.out.index("ArgentaCare") < heading < forged.out.index("Approved")
    )
    assert heading < forged.out.index("Approved")
    assert "signature-invalid" in forged.out
    untrusted = run("show", files["passport"], *AT, "--home", tmp_path / "h")
    assert untrusted.code == 1
    assert "NOT VERIFIED" in untrusted.out
    assert "innopass trust pin-anchor" in untrusted.out  # nothing trusted: the fix
    assert "CLAIMED" in untrusted.out  # the assessing organisation is only claimed


def test_show_reads_a_bundle_a_jwt_and_standard_input(
    run: Any, tmp_path: Path, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    home = tmp_path / "h"
    bundled = run("show", files["bundle"], "--trust-issuer", files["org"], *AT, "--home", home)
    assert bundled.code == 0, bundled
    assert "carried by the bundle" in bundled.out
    jwt = run("show", files["jwt"], *trusting(files), "--home", home)
    assert jwt.code == 0, jwt
    assert "vc+jwt" in jwt.out
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(files["bundle"].read_bytes())))
    piped = run("show", "-", "--trust-issuer", files["org"], *AT, "--home", home)
    assert piped.code == 0, piped


def test_show_refuses_what_is_not_a_passport(
    run: Any, tmp_path: Path, files: dict[str, Path]
) -> None:
    home = tmp_path / "h"
    record = run("show", files["record"], "--home", home)
    assert record.code == 2
    assert "assessment record, not a passport" in record.err
    missing = run("show", tmp_path / "nosuch.json", "--home", home)
    assert missing.code == 2
    assert "no such file" in missing.err
    assert len(missing.err.strip().splitlines()) == 1


def test_show_escapes_terminal_control_sequences(
    run: Any, tmp_path: Path, org: Org, files: dict[str, Path]
) -> None:
    record: Any = example("device")
    record["product"]["name"] = "Evil\x1b]0;pwned\x07\x1b[2J dressing"
    hostile = write(tmp_path / "hostile.json", passport(org, record=record))
    result = run("show", hostile, *trusting(files), "--home", tmp_path / "h")
    assert "\x1b" not in result.out
    assert "\x07" not in result.out
    assert "\\x1b" in result.out


# --- the printable page, rendered by a real browser -----------------------------------------

_NO_BROWSER = chromium() is None
_REASON = (
    "no headless Chromium is installed (.ci/run installs Debian's chromium-headless-shell; "
    "or set INNOPASS_CHROMIUM)"
)


@pytest.fixture
def browser() -> Any:
    if _NO_BROWSER:
        if os.environ.get("CI") == "true":
            pytest.fail(_REASON)  # CI installs one: a missing browser is a broken CI
        pytest.skip(_REASON)
    import browser as module

    return module


def test_the_page_rendered_shows_the_verdict_banner_and_the_key_facts(
    run: Any, tmp_path: Path, files: dict[str, Path], browser: Any
) -> None:
    page = tmp_path / "passport.html"
    result = run("show", files["bundle"], "--trust-issuer", files["org"], *AT, "--html", page)
    assert result.code == 0, result
    rendered = browser.render(page)
    credential = json.loads(files["passport"].read_text())
    for media in ("screen", "print"):
        shown = rendered[media]
        banner = shown["banner"]
        assert banner["visibility"] == "visible"
        assert banner["display"] != "none"
        assert banner["height"] > 20
        assert banner["width"] > 300
        assert banner["top"] < 200  # the first thing on the page
        assert "Verified on 2026-11-02T10:00:00Z" in banner["text"]
        assert shown["first_heading_below_banner"] is True
        text = shown["text"]
        for fact in (
            "ArgentaCare Ag silver alginate dressing",
            credential["id"],
            "Use in neonates and children (not assessed)",
            "Approved with conditions",
            "OVERDUE",
            "EXPIRED 2026-08-31",
            "Staff training",
            "carried by the bundle",
        ):
            assert fact in text, (media, fact)
        assert "not verified" not in text.lower()
        assert shown["claims"] is None
        assert shown["resources"] == []  # nothing was fetched: the page is self-contained
        qr = shown["qr"]
        assert qr is not None
        assert qr["width"] > 60
        assert qr["height"] > 60
        assert shown["qr_title"].startswith(f"innopass:{credential['id']}?sha256=")
    assert rendered["screen"]["verdict"]["color"] != rendered["screen"]["banner"]["color"]


def test_the_page_of_an_unverified_passport_says_do_not_rely_on_it(
    run: Any, tmp_path: Path, files: dict[str, Path], browser: Any
) -> None:
    for name, extra in (("forged", trusting(files)), ("passport", AT)):
        page = tmp_path / f"{name}.html"
        result = run("show", files[name], *extra, "--html", page, "--home", tmp_path / "h")
        assert result.code == 1, result
        shown = browser.render(page)["screen"]
        banner = shown["banner"]
        assert banner["visibility"] == "visible"
        assert banner["height"] > 20
        assert banner["top"] < 200
        assert "NOT VERIFIED: DO NOT RELY ON THIS" in shown["verdict"]["text"].upper()
        assert "not verified: do not rely on this" in shown["verdict"]["text"].lower()
        claims = shown["claims"]
        assert claims is not None
        assert claims["top"] >= banner["top"] + banner["height"]
        assert "ArgentaCare Ag silver alginate dressing" in claims["text"]
        assert "Not verified: what the file claims" in claims["text"]


def test_pdf_where_a_chromium_is_installed(
    run: Any, tmp_path: Path, files: dict[str, Path], browser: Any
) -> None:
    pdf = tmp_path / "passport.pdf"
    result = run("show", files["bundle"], "--trust-issuer", files["org"], *AT, "--pdf", pdf)
    assert result.code == 0, result
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", data)
    assert boxes
    for width, height in boxes:  # A4 is 595 x 842 points
        assert abs(float(width) - 595.3) < 1
        assert abs(float(height) - 841.9) < 1


def test_pdf_without_a_chromium_is_a_clear_input_error(
    run: Any, tmp_path: Path, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INNOPASS_CHROMIUM", "no-such-chromium-binary")
    result = run(
        "show", files["bundle"], "--trust-issuer", files["org"], *AT, "--pdf", tmp_path / "p.pdf"
    )
    assert result.code == 2
    assert "headless Chromium" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not (tmp_path / "p.pdf").exists()


def test_the_decision_escapes_terminal_control_sequences(
    run: Any, tmp_path: Path, org: Org, files: dict[str, Path]
) -> None:
    """The decision quotes the record (local actions, conditions): escaped in every view."""
    record: Any = example("device")
    record["local_requirements_for_adopters"][0]["note"] = "Evil\x1b]0;pwned\x07\x1b[2J note"
    record["outcome"]["conditions"][0]["text"] = "Evil\x1b[31m condition\u2028line"
    hostile = write(tmp_path / "hostile.json", passport(org, record=record))
    policy = tmp_path / "policy.toml"
    assert run("policy", "template", "-o", policy).code == 0
    trust = (*trusting(files), "--home", tmp_path / "h")
    for command in ("show", "decide"):
        result = run(command, hostile, "--policy", policy, *trust)
        assert result.code in (0, 3), result  # decided: adopt-with-actions or refer
        assert "\x1b" not in result.out
        assert "\x07" not in result.out
        assert "\u2028" not in result.out
        assert "\\x1b" in result.out
