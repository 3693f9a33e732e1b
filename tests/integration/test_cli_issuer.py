"""The issuer's command line: ``org``, ``issue``, status changes, ``status publish``,
``bundle`` and ``trust-list sign``, run through ``innopass.cli.main`` (exit codes included).
"""

from __future__ import annotations

import errno
import json
import stat
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import Run
from innopass._internal.jsonio import JSONObject, dumps_pretty, loads_strict
from innopass._internal.proof import verify_proof
from innopass._internal.suites import SUITES
from innopass.cli import cli
from innopass.errors import ConfigurationError
from innopass.issuer import Ledger, OrganisationHome, PassportState
from innopass.issuer import issuer as issuer_module
from innopass.record import example
from innopass.status import bit_at, decode_bitstring, status_entries
from innopass.trust import Bundle, OrganisationDescription, TrustListContent

pytestmark = pytest.mark.usefixtures("fast_kdf")  # see conftest.py

PASS = "cli test passphrase"


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INNOPASS_PASSPHRASE", PASS)
    monkeypatch.delenv("INNOPASS_HOME", raising=False)


def assert_one_line_error(result: Run, code: int = 2) -> None:
    assert result.code == code, result
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err


def assert_refused(result: Run) -> None:
    """Exit 2 with a clear error: ours (one line) or click's usage error for a bad option."""
    assert result.code == 2, result
    assert "Traceback" not in result.err
    assert "internal error" not in result.err
    assert result.err.strip()


def write_record(path: Path, profile: str = "device", **changes: Any) -> Path:
    value = example(profile)
    value["record_id"] = f"urn:uuid:{uuid.uuid4()}"
    value.update(changes)
    path.write_text(dumps_pretty(value), encoding="utf-8")
    return path


@pytest.fixture
def home(tmp_path: Path, run: Any) -> Path:
    path = tmp_path / "rf4"
    result = run(
        "org",
        "init",
        "--ods",
        "RF4",
        "--name",
        "Barking",
        "--did-web",
        "rf4.nhs.example",
        "--home",
        path,
    )
    assert result.code == 0, result
    assert "did:web:rf4.nhs.example" in result.out
    return path


def ledger_passports(home: Path) -> list[str]:
    with Ledger.open(home / "ledger.sqlite") as ledger:
        return [p.id for p in ledger.passports()]


@pytest.mark.parametrize(
    "args",
    [
        ("org",),
        ("org", "init"),
        ("org", "export"),
        ("org", "rotate-key"),
        ("org", "show"),
        ("issue",),
        ("revoke",),
        ("suspend",),
        ("reinstate",),
        ("status", "publish"),
        ("bundle",),
        ("passport",),
        ("passport", "export"),
        ("trust-list", "sign"),
        ("trust-list", "export"),
    ],
)
def test_every_command_has_help(run: Any, args: tuple[str, ...]) -> None:
    result = run(*args, "--help")
    assert result.code == 0
    assert "Usage:" in result.out


def test_org_init_did_key_and_files(tmp_path: Path, run: Any) -> None:
    path = tmp_path / "h"
    result = run(
        "org", "init", "--ods", "R1H", "--name", "Barts", "--key-type", "p256", "--home", path
    )
    assert result.code == 0, result
    home = OrganisationHome.open(path)
    assert home.description().did.startswith("did:key:zDn")
    key_file = home.key_path(home.current_key_id())
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert b"ENCRYPTED PRIVATE KEY" in key_file.read_bytes()
    assert "urn:innopass:status:R1H/" in result.out


def test_org_init_refusals(tmp_path: Path, run: Any, home: Path) -> None:
    lower = run("org", "init", "--ods", "rf4", "--name", "X", "--home", tmp_path / "x")
    assert lower.code == 2
    assert "did you mean RF4" in lower.err
    assert not (tmp_path / "x").exists()
    too_long = run("org", "init", "--ods", "ABCDEFGHIJ", "--name", "X", "--home", tmp_path / "x")
    assert too_long.code == 2
    before = (home / "organisation.json").read_bytes()
    again = run("org", "init", "--ods", "RF4", "--name", "Barking", "--home", home)
    assert_one_line_error(again)
    assert "refusing to overwrite" in again.err
    assert (home / "organisation.json").read_bytes() == before


def test_org_init_prompts_for_a_confirmed_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INNOPASS_PASSPHRASE")
    path = tmp_path / "h"
    result = CliRunner().invoke(
        cli,
        ["org", "init", "--ods", "RF4", "--name", "Barking", "--home", str(path)],
        input="typed secret\ntyped secret\n",
    )
    assert result.exit_code == 0, result.output
    home = OrganisationHome.open(path)
    home.load_key(home.current_key_id(), "typed secret")
    assert "typed secret" not in result.output


def test_org_init_on_an_existing_home_refuses_before_prompting(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INNOPASS_PASSPHRASE")
    result = CliRunner().invoke(
        cli, ["org", "init", "--ods", "RF4", "--name", "Barking", "--home", str(home)]
    )
    assert isinstance(result.exception, ConfigurationError)
    assert "passphrase" not in result.output.lower()


def test_empty_passphrase_variable_is_an_error(
    tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INNOPASS_PASSPHRASE", "")
    result = run("org", "init", "--ods", "RF4", "--name", "X", "--home", tmp_path / "h")
    assert_one_line_error(result)
    assert not (tmp_path / "h" / "organisation.json").exists()


def test_org_export(tmp_path: Path, run: Any, home: Path) -> None:
    printed = run("org", "export", "--home", home)
    assert printed.code == 0
    description = OrganisationDescription.from_json(loads_strict(printed.out))
    assert description.did == "did:web:rf4.nhs.example"
    assert description.exported_at is not None
    document = description.did_document.to_json()
    assert document["assertionMethod"] == ["did:web:rf4.nhs.example#key-1"]
    written = run("org", "export", "--home", home, "-o", tmp_path / "org.json")
    assert written.code == 0
    OrganisationDescription.from_json(loads_strict((tmp_path / "org.json").read_bytes()))


def test_rotate_key(tmp_path: Path, run: Any, home: Path) -> None:
    result = run("org", "rotate-key", "--home", home)
    assert result.code == 0, result
    assert "did:web:rf4.nhs.example#key-2" in result.out
    assert OrganisationHome.open(home).current_key_id() == "did:web:rf4.nhs.example#key-2"
    show = run("org", "show", "--home", home)
    assert "retired" in show.out
    assert "current since" in show.out


def test_did_key_cannot_rotate(tmp_path: Path, run: Any) -> None:
    path = tmp_path / "h"
    assert run("org", "init", "--ods", "RF4", "--name", "X", "--home", path).code == 0
    result = run("org", "rotate-key", "--home", path)
    assert_one_line_error(result)
    assert "did:key identifiers cannot rotate" in result.err


def test_wrong_passphrase_exits_2(
    tmp_path: Path, run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INNOPASS_PASSPHRASE", "not the passphrase")
    result = run("issue", write_record(tmp_path / "r.json"), "--home", home)
    assert_one_line_error(result)
    assert "passphrase" in result.err
    assert ledger_passports(home) == []
    rotate = run("org", "rotate-key", "--home", home)
    assert_one_line_error(rotate)


def test_missing_home_exits_2(tmp_path: Path, run: Any) -> None:
    result = run("issue", write_record(tmp_path / "r.json"), "--home", tmp_path / "nowhere")
    assert_one_line_error(result)
    assert "org init" in result.err


def test_issue_one_to_stdout_and_file(tmp_path: Path, run: Any, home: Path) -> None:
    record = write_record(tmp_path / "r.json")
    printed = run("issue", record, "--home", home)
    assert printed.code == 0, printed
    credential = loads_strict(printed.out)
    assert isinstance(credential, dict)
    assert credential["type"] == ["VerifiableCredential", "InnovatorPassport"]
    assert f"issued {credential['id']}" in printed.err
    description = OrganisationHome.open(home).description()
    method = description.did_document.method("did:web:rf4.nhs.example#key-1")
    assert method is not None
    verify_proof(credential, suites=SUITES, key=method.public_key)

    written = run("issue", record, "--home", home, "-o", tmp_path / "p.json", "--format", "jwt")
    assert written.code == 0
    token = (tmp_path / "p.json").read_text()
    assert token.count(".") == 2
    assert len(ledger_passports(home)) == 2


def test_issue_several_into_a_directory(tmp_path: Path, run: Any, home: Path) -> None:
    records = [write_record(tmp_path / f"r{i}.json") for i in range(3)]
    missing_o = run("issue", *records, "--home", home)
    assert missing_o.code == 2
    assert ledger_passports(home) == []
    out = tmp_path / "out"
    result = run("issue", *records, "--home", home, "-o", out, "--format", "jwt")
    assert result.code == 0, result
    ids = ledger_passports(home)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        i.removeprefix("urn:uuid:") + ".jwt" for i in ids
    )
    assert "Issuing" not in result.err  # no progress bar when stderr is not a terminal


def test_invalid_record_in_a_batch_issues_nothing(tmp_path: Path, run: Any, home: Path) -> None:
    good = write_record(tmp_path / "good.json")
    bad = write_record(tmp_path / "bad.json", record_version=0, profile="device")
    broken = json.loads(bad.read_text())
    del broken["outcome"]
    bad.write_text(json.dumps(broken))
    result = run("issue", good, bad, "--home", home, "-o", tmp_path / "out")
    assert result.code == 1
    assert f"{bad}: /record_version:" in result.err
    assert f"{bad}: /: 'outcome' is a required property" in result.err
    assert "nothing was issued" in result.err
    assert str(good) not in result.err
    assert ledger_passports(home) == []
    assert not (tmp_path / "out").exists()


def test_record_of_another_organisation_exits_1(tmp_path: Path, run: Any, home: Path) -> None:
    result = run("issue", write_record(tmp_path / "r.json", profile="digital"), "--home", home)
    assert result.code == 1
    assert "/assessing_org/ods_code" in result.err
    assert ledger_passports(home) == []


def test_unreadable_record_exits_2(tmp_path: Path, run: Any, home: Path) -> None:
    missing = run("issue", tmp_path / "absent.json", "--home", home)
    assert_one_line_error(missing)
    (tmp_path / "dup.json").write_text('{"a": 1, "a": 2}')
    duplicate = run("issue", tmp_path / "dup.json", "--home", home)
    assert_one_line_error(duplicate)


def published_bit(directory: Path, purpose: str, index: int) -> bool:
    credential = loads_strict((directory / purpose / "1").read_bytes())
    assert isinstance(credential, dict)
    subject = credential["credentialSubject"]
    assert isinstance(subject, dict)
    return bit_at(decode_bitstring(subject["encodedList"]), index)


def test_status_changes_and_publish(tmp_path: Path, run: Any, home: Path) -> None:
    out = tmp_path / "passports"
    records = [write_record(tmp_path / f"r{i}.json") for i in range(2)]
    assert run("issue", *records, "--home", home, "-o", out).code == 0
    first, second = sorted(out.iterdir())
    passport: JSONObject = loads_strict(first.read_bytes())  # type: ignore[assignment]
    other: JSONObject = loads_strict(second.read_bytes())  # type: ignore[assignment]
    pid, other_id = str(passport["id"]), str(other["id"])
    index = {e.purpose: e.index for e in status_entries(passport)}
    other_index = {e.purpose: e.index for e in status_entries(other)}

    assert run("suspend", pid, "--home", home).code == 0
    assert run("revoke", second, "--home", home).code == 0  # by file
    published = tmp_path / "status"
    result = run("status", "publish", "-o", published, "--home", home, "--valid-days", "2")
    assert result.code == 0, result
    assert "revocation/1" in result.out
    assert published_bit(published, "suspension", index["suspension"])
    assert not published_bit(published, "revocation", index["revocation"])
    assert published_bit(published, "revocation", other_index["revocation"])

    assert run("reinstate", pid, "--home", home).code == 0
    assert run("status", "publish", "-o", published, "--home", home).code == 0
    assert not published_bit(published, "suspension", index["suspension"])

    refused = run("reinstate", other_id, "--home", home)
    assert_one_line_error(refused)
    assert "revoked" in refused.err
    assert_one_line_error(run("suspend", other_id, "--home", home))
    assert_one_line_error(run("reinstate", pid, "--home", home))  # not suspended
    assert_one_line_error(
        run("revoke", "urn:uuid:00000000-0000-4000-8000-000000000000", "--home", home)
    )
    not_an_id = run("revoke", "12345", "--home", home)
    assert_one_line_error(not_an_id)
    assert "neither a passport id" in not_an_id.err
    with Ledger.open(home / "ledger.sqlite") as ledger:
        assert ledger.passport(other_id).state is PassportState.REVOKED
        assert ledger.passport(pid).state is PassportState.ACTIVE
        assert ledger.verify_audit_chain() > 0


def test_publish_before_issuing(tmp_path: Path, run: Any, home: Path) -> None:
    result = run("status", "publish", "-o", tmp_path / "s", "--home", home)
    assert result.code == 0
    assert "nothing written" in result.out


def test_bundle_and_trust_list(tmp_path: Path, run: Any, home: Path) -> None:
    passport_file = tmp_path / "p.json"
    assert (
        run("issue", write_record(tmp_path / "r.json"), "--home", home, "-o", passport_file).code
        == 0
    )
    passport = loads_strict(passport_file.read_bytes())
    assert isinstance(passport, dict)

    anchor = tmp_path / "anchor"
    assert run("org", "init", "--ods", "X26", "--name", "National", "--home", anchor).code == 0
    assert run("org", "export", "--home", home, "-o", tmp_path / "rf4.json").code == 0
    first = run(
        "trust-list",
        "sign",
        "--issuer",
        tmp_path / "rf4.json",
        "-o",
        tmp_path / "tl1.json",
        "--home",
        anchor,
    )
    assert first.code == 0, first
    second = run(
        "trust-list",
        "sign",
        "--issuer",
        tmp_path / "rf4.json",
        "--scope",
        "device,digital:clinical_safety",
        "--valid-days",
        "10",
        "-o",
        tmp_path / "tl2.json",
        "--home",
        anchor,
    )
    assert second.code == 0, second
    content = TrustListContent.from_credential(loads_strict((tmp_path / "tl2.json").read_bytes()))  # type: ignore[arg-type]
    assert content.version == 2
    scope = content.issuers[0].scopes[0]
    assert (scope.profiles, scope.domains) == (("device", "digital"), ("clinical_safety",))
    bad_scope = run(
        "trust-list",
        "sign",
        "--issuer",
        tmp_path / "rf4.json",
        "--scope",
        "spaceship",
        "-o",
        tmp_path / "x.json",
        "--home",
        anchor,
    )
    assert bad_scope.code == 2
    not_a_description = run(
        "trust-list", "sign", "--issuer", passport_file, "-o", tmp_path / "x.json", "--home", anchor
    )
    assert_one_line_error(not_a_description)
    assert not (tmp_path / "x.json").exists()

    by_id = run("bundle", str(passport["id"]), "--home", home, "-o", tmp_path / "b1.json")
    assert by_id.code == 0, by_id
    bundle = Bundle.from_json(loads_strict((tmp_path / "b1.json").read_bytes()))
    assert bundle.passport == passport
    assert len(bundle.status_lists) == 2
    assert bundle.trust_list is None
    by_file = run("bundle", passport_file, "--trust-list", tmp_path / "tl2.json", "--home", home)
    assert by_file.code == 0
    with_trust = Bundle.from_json(loads_strict(by_file.out))
    assert with_trust.trust_list is not None
    assert with_trust.issuer is not None
    assert with_trust.issuer.ods_code == "RF4"
    assert_one_line_error(run("bundle", "urn:uuid:unknown", "--home", home))
    assert_one_line_error(run("bundle", tmp_path / "missing.json", "--home", home))


def test_org_show(run: Any, home: Path, tmp_path: Path) -> None:
    assert (
        run(
            "issue", write_record(tmp_path / "r.json"), "--home", home, "-o", tmp_path / "p.json"
        ).code
        == 0
    )
    result = run("org", "show", "--home", home)
    assert result.code == 0
    assert "RF4" in result.out
    assert "1 issued: 1 active, 0 suspended, 0 revoked" in result.out
    assert "hash chain intact" in result.out


# --- org init: hosts, status URLs, passphrases, homes (I2, M1, I6) -------------------------


def test_org_init_normalises_the_did_web_host(tmp_path: Path, run: Any) -> None:
    path = tmp_path / "h"
    result = run(
        "org", "init", "--ods", "RF5", "--name", "X", "--did-web", " rf5.example ", "--home", path
    )
    assert result.code == 0, result
    description = OrganisationHome.open(path).description()
    assert description.did == "did:web:rf5.example"
    assert description.status_list_base == "https://rf5.example/status/"


@pytest.mark.parametrize(
    "url", ["https://h.example/s?x=1", "https://u@h.example/", "urn:x:y", "ftp://h/", "https://"]
)
def test_org_init_refuses_a_bad_status_url(tmp_path: Path, run: Any, url: str) -> None:
    result = run(
        "org", "init", "--ods", "RF4", "--name", "X", "--status-url", url, "--home", tmp_path / "h"
    )
    assert_one_line_error(result)
    assert not (tmp_path / "h").exists()


@pytest.mark.parametrize("passphrase", ["short", "not\udcffutf8 at all"])
def test_org_init_refuses_a_bad_passphrase(
    tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch, passphrase: str
) -> None:
    monkeypatch.setenv("INNOPASS_PASSPHRASE", passphrase)
    result = run("org", "init", "--ods", "RF4", "--name", "X", "--home", tmp_path / "h")
    assert_one_line_error(result)
    assert "internal error" not in result.err
    assert not (tmp_path / "h").exists()


def test_the_prompt_asks_again_for_a_short_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INNOPASS_PASSPHRASE")
    path = tmp_path / "h"
    result = CliRunner().invoke(
        cli,
        ["org", "init", "--ods", "RF4", "--name", "Barking", "--home", str(path)],
        input="short\nshort\nlong enough\nlong enough\n",
    )
    assert result.exit_code == 0, result.output
    home = OrganisationHome.open(path)
    home.load_key(home.current_key_id(), "long enough")


def test_a_non_utf8_passphrase_for_an_existing_home_exits_2(
    tmp_path: Path, run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INNOPASS_PASSPHRASE", "cli test\udcffpassphrase")
    result = run("issue", write_record(tmp_path / "r.json"), "--home", home)
    assert_one_line_error(result)
    assert "internal error" not in result.err


@pytest.mark.parametrize("where", ["file", "file/sub"])
def test_org_init_on_a_file_exits_2(tmp_path: Path, run: Any, where: str) -> None:
    (tmp_path / "file").write_text("x")
    result = run("org", "init", "--ods", "RF4", "--name", "X", "--home", tmp_path / where)
    assert result.code == 2  # `--home FILE` is click's usage error; `FILE/sub` is ours
    assert "Traceback" not in result.err
    assert "internal error" not in result.err
    assert (tmp_path / "file").read_text() == "x"


def test_org_init_on_an_incomplete_home_exits_2(tmp_path: Path, run: Any) -> None:
    path = tmp_path / "h"
    (path / "keys").mkdir(parents=True)
    result = run("org", "init", "--ods", "RF4", "--name", "X", "--home", path)
    assert_one_line_error(result)
    assert str(path / "keys") in result.err  # what to remove


# --- output locations (I4, I5) ------------------------------------------------------------


def audit_actions(home: Path) -> list[str]:
    with Ledger.open(home / "ledger.sqlite") as ledger:
        return [e.action for e in ledger.audit_entries()]


def test_issue_checks_its_output_before_signing(tmp_path: Path, run: Any, home: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    records = [write_record(tmp_path / f"r{i}.json") for i in range(2)]
    for args in (
        (records[0], "-o", tmp_path / "a-file" / "p.json"),  # parent is a file
        (*records, "-o", tmp_path / "a-file"),  # a batch needs a directory
        (*records, "-o", tmp_path / "a-file" / "out"),
    ):
        result = run("issue", *args, "--home", home)
        assert_refused(result)
    assert ledger_passports(home) == []


def test_a_passport_write_failure_exits_2_and_export_recovers_it(
    tmp_path: Path, run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(path: Path, data: bytes, *, mode: int = 0o644) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(issuer_module, "atomic_write", disk_full)
        failed = run(
            "issue", write_record(tmp_path / "r.json"), "-o", tmp_path / "p.json", "--home", home
        )
    assert_refused(failed)
    assert "internal error" not in failed.err
    assert not (tmp_path / "p.json").exists()
    [passport_id] = ledger_passports(home)
    assert passport_id in failed.err

    exported = run("passport", "export", passport_id, "-o", tmp_path / "p.json", "--home", home)
    assert exported.code == 0, exported
    with Ledger.open(home / "ledger.sqlite") as ledger:
        text = ledger.passport(passport_id).credential_text
    assert (tmp_path / "p.json").read_text(encoding="utf-8") == text
    printed = run("passport", "export", passport_id, "--home", home)
    assert printed.code == 0
    assert printed.out == text
    by_file = run("passport", "export", tmp_path / "p.json", "--home", home)
    assert by_file.out == text
    assert_refused(run("passport", "export", "urn:uuid:x y", "--home", home))
    assert_refused(
        run("passport", "export", "urn:uuid:00000000-0000-4000-8000-000000000000", "--home", home)
    )


def test_status_publish_and_bundle_check_outputs_before_signing(
    tmp_path: Path, run: Any, home: Path
) -> None:
    passport_file = tmp_path / "p.json"
    assert (
        run("issue", write_record(tmp_path / "r.json"), "-o", passport_file, "--home", home).code
        == 0
    )
    (tmp_path / "a-file").write_text("x")
    before = audit_actions(home)
    assert_refused(run("status", "publish", "-o", tmp_path / "a-file", "--home", home))
    assert_refused(run("bundle", passport_file, "-o", tmp_path, "--home", home))
    assert_refused(
        run("bundle", passport_file, "-o", tmp_path / "a-file" / "b.json", "--home", home)
    )
    assert audit_actions(home) == before


def test_trust_list_sign_to_a_bad_path_uses_no_version(
    tmp_path: Path, run: Any, home: Path
) -> None:
    anchor = tmp_path / "anchor"
    assert run("org", "init", "--ods", "X26", "--name", "National", "--home", anchor).code == 0
    assert run("org", "export", "--home", home, "-o", tmp_path / "rf4.json").code == 0
    (tmp_path / "a-file").write_text("x")
    bad = run(
        "trust-list", "sign", "--issuer", tmp_path / "rf4.json",
        "-o", tmp_path / "a-file" / "tl.json", "--home", anchor,
    )  # fmt: skip
    assert_refused(bad)
    good = run(
        "trust-list", "sign", "--issuer", tmp_path / "rf4.json",
        "-o", tmp_path / "tl.json", "--home", anchor,
    )  # fmt: skip
    assert good.code == 0, good
    content = TrustListContent.from_credential(loads_strict((tmp_path / "tl.json").read_bytes()))  # type: ignore[arg-type]
    assert content.version == 1
    exported = run("trust-list", "export", "--home", anchor)
    assert exported.code == 0
    assert exported.out == (tmp_path / "tl.json").read_text(encoding="utf-8")
    assert_refused(run("trust-list", "export", "--version", "9", "--home", anchor))


def _inside_home_commands(home: Path, tmp_path: Path) -> list[tuple[str | Path, ...]]:
    record = write_record(tmp_path / "r.json")
    ledger_id = ledger_passports(home)[0]
    return [
        ("issue", record, "-o", home / "organisation.json"),
        ("issue", record, "-o", home / "keys" / "p.json"),
        ("issue", record, "-o", home / "ledger.sqlite-wal"),
        ("issue", record, record, "-o", home / "keys"),
        ("bundle", ledger_id, "-o", home / "organisation.json"),
        ("status", "publish", "-o", home / "keys"),
        ("org", "export", "-o", home / "organisation.json"),
        ("passport", "export", ledger_id, "-o", home / "ledger.sqlite"),
        ("trust-list", "sign", "--issuer", tmp_path / "rf4.json", "-o", home / "organisation.json"),
        ("trust-list", "export", "-o", home / "keys" / "tl.json"),
    ]


def test_outputs_inside_the_home_are_refused(tmp_path: Path, run: Any, home: Path) -> None:
    assert run("issue", write_record(tmp_path / "r0.json"), "--home", home).code == 0
    assert run("org", "export", "--home", home, "-o", tmp_path / "rf4.json").code == 0
    link = tmp_path / "link.json"
    link.symlink_to(home / "organisation.json")
    state = {p: p.read_bytes() for p in home.rglob("*") if p.is_file() and "ledger" not in p.name}
    actions = audit_actions(home)
    for command in [*_inside_home_commands(home, tmp_path), ("org", "export", "-o", link)]:
        result = run(*command, "--home", home)
        assert_refused(result)
        assert "internal error" not in result.err
    assert {p: p.read_bytes() for p in state} == state
    assert sorted(p.name for p in (home / "keys").iterdir()) == ["key-1.pem"]
    assert audit_actions(home) == actions


# --- passport ids (M4) --------------------------------------------------------------------


@pytest.mark.parametrize("command", ["revoke", "suspend", "reinstate", "bundle"])
def test_a_malformed_passport_id_exits_2(run: Any, home: Path, command: str) -> None:
    result = run(command, "urn:uuid:x y", "--home", home)
    assert_one_line_error(result)
    assert "passport id" in result.err
    assert "JSON" not in result.err


# --- compromise and withdrawal (I8) -------------------------------------------------------


def test_compromised_key_withdrawal_and_successor_reach_the_trust_list(
    tmp_path: Path, run: Any, home: Path
) -> None:
    rotated = run("org", "rotate-key", "--compromised", "--home", home)
    assert rotated.code == 0, rotated
    assert "COMPROMISED" in run("org", "show", "--home", home).out
    assert run("org", "export", "--home", home, "-o", tmp_path / "rf4.json").code == 0
    anchor = tmp_path / "anchor"
    assert run("org", "init", "--ods", "X26", "--name", "National", "--home", anchor).code == 0
    signed = run(
        "trust-list", "sign", "--issuer", tmp_path / "rf4.json",
        "--withdraw", "RF4@2026-06-01T00:00:00Z", "--successor", "RF4=R1H",
        "-o", tmp_path / "tl.json", "--home", anchor,
    )  # fmt: skip
    assert signed.code == 0, signed
    credential = loads_strict((tmp_path / "tl.json").read_bytes())
    assert isinstance(credential, dict)
    entry: Any = json.loads((tmp_path / "tl.json").read_text())["credentialSubject"]
    entry = entry["trustedIssuers"][0]
    assert entry["status"] == "withdrawn"
    assert entry["withdrawnAt"] == "2026-06-01T00:00:00Z"
    assert entry["successor"] == "R1H"
    assert [k["compromised"] for k in entry["verificationMethods"]] == [True, False]

    now = run(
        "trust-list", "sign", "--issuer", tmp_path / "rf4.json", "--withdraw", "RF4",
        "-o", tmp_path / "tl2.json", "--home", anchor,
    )  # fmt: skip
    assert now.code == 0, now
    content = TrustListContent.from_credential(loads_strict((tmp_path / "tl2.json").read_bytes()))  # type: ignore[arg-type]
    assert content.issuers[0].status == "withdrawn"
    assert content.issuers[0].withdrawn_at is not None

    for bad in (
        ("--withdraw", "rf4"),
        ("--withdraw", "RF4@yesterday"),
        ("--withdraw", "R1H"),  # not among the issuers
        ("--successor", "RF4"),
        ("--successor", "RF4=r1h"),
        ("--withdraw", "RF4", "--withdraw", "RF4@2026-06-01T00:00:00Z"),
    ):
        result = run(
            "trust-list", "sign", "--issuer", tmp_path / "rf4.json", *bad,
            "-o", tmp_path / "bad.json", "--home", anchor,
        )  # fmt: skip
        assert result.code == 2, (bad, result)
        assert "Traceback" not in result.err
        assert not (tmp_path / "bad.json").exists()
    assert len(TrustListContent.from_credential(credential).issuers) == 1
