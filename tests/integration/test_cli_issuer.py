"""The issuer's command line: ``org``, ``issue``, status changes, ``status publish``,
``bundle`` and ``trust-list sign``, run through ``innopass.cli.main`` (exit codes included).
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import stat
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from conftest import Run
from innopass._internal.jsonio import JSONObject, dumps_pretty, loads_strict
from innopass._internal.proof import verify_data_integrity
from innopass._internal.suites import SUITES
from innopass.cli import cli
from innopass.did import StaticResolver
from innopass.errors import (
    ConfigurationError,
    InnopassError,
    LedgerError,
    MalformedInputError,
    OutputError,
    PassphraseError,
    PassportNotFoundError,
    PassportReferenceError,
    RecordInvalidError,
    StatusChangeError,
)
from innopass.issuer import Ledger, OrganisationHome, PassportState
from innopass.issuer import _passport as passport_module
from innopass.record import AssessmentRecord, example
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
    """Exit 2 with one clear line on stderr: ours, or click's usage error for a bad option."""
    assert result.code == 2, result
    assert "Traceback" not in result.err
    assert "internal error" not in result.err
    assert result.err.strip()
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert result.err.startswith("innopass: error: "), result.err


def assert_usage_error(result: Run, command: str) -> None:
    """Click's usage error: one line, exit 2, naming the command's help."""
    assert_refused(result)
    assert result.err.rstrip().endswith(f" {command} --help)"), result.err


class TerminalRunner(CliRunner):
    """A :class:`CliRunner` whose standard input is a terminal, so a passphrase may be asked for."""

    @contextlib.contextmanager
    def isolation(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with super().isolation(*args, **kwargs) as streams:
            sys.stdin.isatty = lambda: True  # type: ignore[method-assign]
            yield streams


def raised(*args: str | Path, terminal: bool = False) -> BaseException:
    """What ``innopass ARGS`` raised, run through click alone (without ``main``'s reporting)."""
    runner = TerminalRunner() if terminal else CliRunner()
    result = runner.invoke(cli, [str(a) for a in args], standalone_mode=False)
    assert result.exception is not None, result.output
    assert not isinstance(result.exception, SystemExit), result.output
    return result.exception


def refusal(run: Any, *args: str | Path) -> BaseException:
    """Run a command that must be refused with exit 2 and one line on stderr; run it again
    through click alone and return what it raised (for its type and ``code``)."""
    assert_one_line_error(run(*args))
    return raised(*args)


def assert_code(error: BaseException, kind: type[InnopassError], code: str) -> None:
    assert type(error) is kind, repr(error)
    assert isinstance(error, InnopassError)
    assert error.code == code


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


def test_org_init_p384(tmp_path: Path, run: Any) -> None:
    path = tmp_path / "h"
    result = run(
        "org", "init", "--ods", "R1H", "--name", "Barts", "--key-type", "p384", "--home", path
    )
    assert result.code == 0, result
    home = OrganisationHome.open(path)
    assert home.description().did.startswith("did:key:z82")
    assert "P-384" in result.out
    bad = run(
        "org", "init", "--ods", "R1H", "--name", "B", "--key-type", "p521", "--home", tmp_path / "x"
    )
    assert bad.code == 2


def test_org_init_refusals(tmp_path: Path, run: Any, home: Path) -> None:
    lower = run("org", "init", "--ods", "rf4", "--name", "X", "--home", tmp_path / "x")
    assert_usage_error(lower, "org init")
    assert "RF4" in lower.err  # the code it suggests
    bad_option = raised("org", "init", "--ods", "rf4", "--name", "X", "--home", tmp_path / "x")
    assert isinstance(bad_option, click.BadParameter)
    assert bad_option.param is not None
    assert bad_option.param.name == "ods"
    assert not (tmp_path / "x").exists()
    too_long = run("org", "init", "--ods", "ABCDEFGHIJ", "--name", "X", "--home", tmp_path / "x")
    assert_usage_error(too_long, "org init")
    assert "RF4" not in too_long.err  # no suggestion for what no case change would fix
    before = (home / "organisation.json").read_bytes()
    again = refusal(run, "org", "init", "--ods", "RF4", "--name", "Barking", "--home", home)
    assert_code(again, ConfigurationError, "configuration")
    assert (home / "organisation.json").read_bytes() == before


def test_org_init_prompts_for_a_confirmed_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INNOPASS_PASSPHRASE")
    path = tmp_path / "h"
    result = TerminalRunner().invoke(
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
    result = TerminalRunner().invoke(
        cli,
        ["org", "init", "--ods", "RF4", "--name", "Barking", "--home", str(home)],
        input="typed secret\ntyped secret\n",
    )
    assert isinstance(result.exception, ConfigurationError)
    assert_code(result.exception, ConfigurationError, "configuration")
    assert "passphrase" not in result.output.lower()


def test_empty_passphrase_variable_is_an_error(
    tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INNOPASS_PASSPHRASE", "")
    error = refusal(run, "org", "init", "--ods", "RF4", "--name", "X", "--home", tmp_path / "h")
    assert_code(error, PassphraseError, "passphrase")
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
    before = (path / "organisation.json").read_bytes()
    error = refusal(run, "org", "rotate-key", "--home", path)
    assert_code(error, ConfigurationError, "configuration")
    assert (path / "organisation.json").read_bytes() == before
    assert audit_actions(path) == ["org-init"]


def test_wrong_passphrase_exits_2(
    tmp_path: Path, run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INNOPASS_PASSPHRASE", "not the passphrase")
    error = refusal(run, "issue", write_record(tmp_path / "r.json"), "--home", home)
    assert_code(error, PassphraseError, "passphrase")
    assert ledger_passports(home) == []
    rotate = refusal(run, "org", "rotate-key", "--home", home)
    assert_code(rotate, PassphraseError, "passphrase")
    assert OrganisationHome.open(home).current_key_id() == "did:web:rf4.nhs.example#key-1"


def test_missing_home_exits_2(tmp_path: Path, run: Any) -> None:
    error = refusal(run, "issue", write_record(tmp_path / "r.json"), "--home", tmp_path / "nowhere")
    assert_code(error, ConfigurationError, "configuration")
    assert not (tmp_path / "nowhere").exists()


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
    [signed] = verify_data_integrity(
        credential,
        issuer=description.did,
        resolver=StaticResolver({description.did: description.did_document}),
        suites=SUITES,
    )
    assert signed.method.id == method.id

    again = run("issue", record, "--home", home, "-o", tmp_path / "p.json", "--format", "jwt")
    assert again.code == 1  # the same record id and version is active already
    assert not (tmp_path / "p.json").exists()
    written = run(
        "issue", record, "--home", home, "-o", tmp_path / "p.json", "--format", "jwt", "--reissue"
    )
    assert written.code == 0
    assert f"supersedes {credential['id']}" in written.out
    token = (tmp_path / "p.json").read_text()
    assert token.count(".") == 2
    assert len(ledger_passports(home)) == 2


def test_issue_several_into_a_directory(tmp_path: Path, run: Any, home: Path) -> None:
    records = [write_record(tmp_path / f"r{i}.json") for i in range(3)]
    missing_o = run("issue", *records, "--home", home)
    assert_usage_error(missing_o, "issue")
    assert isinstance(raised("issue", *records, "--home", home), click.UsageError)
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
    with pytest.raises(RecordInvalidError) as caught:
        AssessmentRecord.load(bad)
    problems = caught.value.problems
    assert {"", "/record_version"} <= {p.path for p in problems}
    lines = result.err.strip().splitlines()
    # every problem the library finds, as FILE: /pointer: message, then one summary line
    assert lines[:-1] == [f"{bad}: {p}" for p in problems]
    assert f"{bad}: /record_version: " in result.err
    assert f"{bad}: /: " in result.err
    assert lines[-1].startswith("innopass: ")
    assert str(good) not in result.err
    assert ledger_passports(home) == []
    assert not (tmp_path / "out").exists()


def test_record_of_another_organisation_exits_1(tmp_path: Path, run: Any, home: Path) -> None:
    other = write_record(tmp_path / "r.json", profile="digital")
    result = run("issue", other, "--home", home)
    assert result.code == 1
    assert "/assessing_org/ods_code" in result.err
    # found by the issuer (Issuer.prepare_batch), reported against the file, one line each
    lines = result.err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{other}: /assessing_org/ods_code: ")
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

    before = audit_actions(home)
    refused = refusal(run, "reinstate", other_id, "--home", home)
    assert_code(refused, StatusChangeError, "status-change-refused")
    suspend_revoked = refusal(run, "suspend", other_id, "--home", home)
    assert_code(suspend_revoked, StatusChangeError, "status-change-refused")
    not_suspended = refusal(run, "reinstate", pid, "--home", home)
    assert_code(not_suspended, StatusChangeError, "status-change-refused")
    unknown = refusal(
        run, "revoke", "urn:uuid:00000000-0000-4000-8000-000000000000", "--home", home
    )
    assert_code(unknown, PassportNotFoundError, "passport-not-found")
    assert isinstance(unknown, PassportNotFoundError)
    assert unknown.passport_id == "urn:uuid:00000000-0000-4000-8000-000000000000"
    not_an_id = refusal(run, "revoke", "12345", "--home", home)
    assert_code(not_an_id, PassportReferenceError, "passport-reference")
    assert audit_actions(home) == before
    with Ledger.open(home / "ledger.sqlite") as ledger:
        assert ledger.passport(other_id).state is PassportState.REVOKED
        assert ledger.passport(pid).state is PassportState.ACTIVE
        assert ledger.verify_audit_chain() > 0


def test_publish_before_issuing(tmp_path: Path, run: Any, home: Path) -> None:
    result = run("status", "publish", "-o", tmp_path / "s", "--home", home)
    assert result.code == 0
    assert "nothing written" in result.out
    assert not (tmp_path / "s").exists() or not any((tmp_path / "s").iterdir())


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
    assert_usage_error(bad_scope, "trust-list sign")
    not_a_description = refusal(
        run, "trust-list", "sign", "--issuer", passport_file,
        "-o", tmp_path / "x.json", "--home", anchor,
    )  # fmt: skip
    assert_code(not_a_description, MalformedInputError, "malformed")
    assert not (tmp_path / "x.json").exists()
    with Ledger.open(anchor / "ledger.sqlite") as ledger:
        assert [v.version for v in ledger.trust_list_versions()] == [1, 2]

    by_id = run("bundle", str(passport["id"]), "--home", home, "-o", tmp_path / "b1.json")
    assert by_id.code == 0, by_id
    bundle = Bundle.from_json(loads_strict((tmp_path / "b1.json").read_bytes()))
    assert bundle.passport == passport
    assert [s["credentialSubject"]["statusPurpose"] for s in bundle.status_lists] == [  # type: ignore[index,call-overload]
        "revocation",
        "suspension",
        "message",
    ]
    assert bundle.trust_list is None
    by_file = run("bundle", passport_file, "--trust-list", tmp_path / "tl2.json", "--home", home)
    assert by_file.code == 0
    with_trust = Bundle.from_json(loads_strict(by_file.out))
    assert with_trust.trust_list is not None
    assert with_trust.issuer is not None
    assert with_trust.issuer.ods_code == "RF4"
    unknown = refusal(run, "bundle", "urn:uuid:unknown", "--home", home)
    assert_code(unknown, PassportNotFoundError, "passport-not-found")
    missing = refusal(run, "bundle", tmp_path / "missing.json", "--home", home)
    assert_code(missing, PassportReferenceError, "passport-reference")


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
    error = raised("org", "init", "--ods", "RF4", "--name", "X", "--home", tmp_path / "h")
    assert_code(error, PassphraseError, "passphrase")
    assert not (tmp_path / "h").exists()


def test_the_prompt_asks_again_for_a_short_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INNOPASS_PASSPHRASE")
    path = tmp_path / "h"
    result = TerminalRunner().invoke(
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
    error = raised("issue", write_record(tmp_path / "r.json"), "--home", home)
    assert_code(error, PassphraseError, "passphrase")
    assert ledger_passports(home) == []


@pytest.mark.parametrize("where", ["file", "file/sub"])
def test_org_init_on_a_file_exits_2(tmp_path: Path, run: Any, where: str) -> None:
    (tmp_path / "file").write_text("x")
    result = run("org", "init", "--ods", "RF4", "--name", "X", "--home", tmp_path / where)
    assert result.code == 2  # `--home FILE` is click's usage error; `FILE/sub` is ours
    assert "Traceback" not in result.err
    assert "internal error" not in result.err
    assert_refused(result)  # either way, one line
    error = raised("org", "init", "--ods", "RF4", "--name", "X", "--home", tmp_path / where)
    if where == "file":
        assert_usage_error(result, "org init")
        assert isinstance(error, click.BadParameter)
    else:
        assert_code(error, ConfigurationError, "configuration")
    assert (tmp_path / "file").read_text() == "x"


def test_org_init_on_an_incomplete_home_exits_2(tmp_path: Path, run: Any) -> None:
    path = tmp_path / "h"
    (path / "keys").mkdir(parents=True)
    result = run("org", "init", "--ods", "RF4", "--name", "X", "--home", path)
    assert_one_line_error(result)
    assert str(path / "keys") in result.err  # what to remove
    error = raised("org", "init", "--ods", "RF4", "--name", "X", "--home", path)
    assert_code(error, ConfigurationError, "configuration")
    assert sorted(p.name for p in path.iterdir()) == ["keys"]


# --- output locations (I4, I5) ------------------------------------------------------------


def audit_actions(home: Path) -> list[str]:
    with Ledger.open(home / "ledger.sqlite") as ledger:
        return [e.action for e in ledger.audit_entries()]


def test_issue_checks_its_output_before_signing(tmp_path: Path, run: Any, home: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    records = [write_record(tmp_path / f"r{i}.json") for i in range(2)]
    cases: list[tuple[tuple[str | Path, ...], Path]] = [
        ((records[0], "-o", tmp_path / "a-file" / "p.json"), tmp_path / "a-file" / "p.json"),
        ((*records, "-o", tmp_path / "a-file"), tmp_path / "a-file"),  # a batch needs a dir
        ((*records, "-o", tmp_path / "a-file" / "out"), tmp_path / "a-file" / "out"),
    ]
    for args, where in cases:
        result = run("issue", *args, "--home", home)
        assert_refused(result)
        error = raised("issue", *args, "--home", home)
        assert_code(error, OutputError, "output")
        assert isinstance(error, OutputError)
        assert error.path == where
    assert ledger_passports(home) == []


def test_a_passport_write_failure_exits_2_and_export_recovers_it(
    tmp_path: Path, run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(path: Path, data: bytes, *, mode: int = 0o644) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(passport_module, "atomic_write", disk_full)
        failed = run(
            "issue", write_record(tmp_path / "r.json"), "-o", tmp_path / "p.json", "--home", home
        )
    assert_refused(failed)
    assert "internal error" not in failed.err
    assert not (tmp_path / "p.json").exists()
    [passport_id] = ledger_passports(home)
    assert passport_id in failed.err
    with monkeypatch.context() as patch:
        patch.setattr(passport_module, "atomic_write", disk_full)
        error = raised(
            "issue", write_record(tmp_path / "r2.json"), "-o", tmp_path / "p.json", "--home", home
        )
    assert_code(error, OutputError, "output")
    assert isinstance(error, OutputError)
    assert error.path == tmp_path / "p.json"
    [second] = set(ledger_passports(home)) - {passport_id}
    assert error.passport_id == second  # committed, and named so it can be written again
    assert not (tmp_path / "p.json").exists()

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
    malformed = refusal(run, "passport", "export", "urn:uuid:x y", "--home", home)
    assert_code(malformed, PassportReferenceError, "passport-reference")
    unknown = refusal(
        run, "passport", "export", "urn:uuid:00000000-0000-4000-8000-000000000000", "--home", home
    )
    assert_code(unknown, PassportNotFoundError, "passport-not-found")


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
    publish = run("status", "publish", "-o", tmp_path / "a-file", "--home", home)
    assert_usage_error(publish, "status publish")  # click's: -o must not be a file
    to_a_dir = run("bundle", passport_file, "-o", tmp_path, "--home", home)
    assert_usage_error(to_a_dir, "bundle")  # click's: -o must not be a directory
    under_a_file = run(
        "bundle", passport_file, "-o", tmp_path / "a-file" / "b.json", "--home", home
    )
    assert_refused(under_a_file)
    error = raised("bundle", passport_file, "-o", tmp_path / "a-file" / "b.json", "--home", home)
    assert_code(error, OutputError, "output")
    assert isinstance(error, OutputError)
    assert error.path == tmp_path / "a-file" / "b.json"
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
    error = raised(
        "trust-list", "sign", "--issuer", tmp_path / "rf4.json",
        "-o", tmp_path / "a-file" / "tl.json", "--home", anchor,
    )  # fmt: skip
    assert_code(error, OutputError, "output")
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
    absent = refusal(run, "trust-list", "export", "--version", "9", "--home", anchor)
    assert_code(absent, LedgerError, "ledger")


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
        error = raised(*command, "--home", home)
        assert_code(error, OutputError, "output")
        assert isinstance(error, OutputError)
        assert error.path == command[-1], command
    assert {p: p.read_bytes() for p in state} == state
    assert sorted(p.name for p in (home / "keys").iterdir()) == ["key-1.pem"]
    assert audit_actions(home) == actions


# --- passport ids (M4) --------------------------------------------------------------------


@pytest.mark.parametrize("command", ["revoke", "suspend", "reinstate", "bundle"])
def test_a_malformed_passport_id_exits_2(run: Any, home: Path, command: str) -> None:
    error = refusal(run, command, "urn:uuid:x y", "--home", home)
    assert_code(error, PassportReferenceError, "passport-reference")  # an id, not a bad file
    assert audit_actions(home) == ["org-init"]


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
        assert_refused(result)
        assert not (tmp_path / "bad.json").exists()
    assert len(TrustListContent.from_credential(credential).issuers) == 1
    with Ledger.open(anchor / "ledger.sqlite") as ledger:
        assert [v.version for v in ledger.trust_list_versions()] == [1, 2]  # none used up


# --- the passphrase: never asked for without a terminal (issue 7) --------------------------


def _passphrase_commands(tmp_path: Path, home: Path) -> list[tuple[str | Path, ...]]:
    record = write_record(tmp_path / "r.json")
    return [
        ("org", "init", "--ods", "R1H", "--name", "Barts", "--home", tmp_path / "new"),
        ("org", "rotate-key", "--home", home),
        ("issue", record, "--home", home),
        ("status", "publish", "-o", tmp_path / "status", "--home", home),
        ("bundle", ledger_passports(home)[0], "--home", home),
        (
            "trust-list", "sign", "--issuer", tmp_path / "rf4.json",
            "-o", tmp_path / "tl.json", "--home", home,
        ),
    ]  # fmt: skip


def test_without_a_terminal_no_passphrase_is_asked_for(
    tmp_path: Path, run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("issue", write_record(tmp_path / "r0.json"), "--home", home).code == 0
    assert run("org", "export", "--home", home, "-o", tmp_path / "rf4.json").code == 0
    commands = _passphrase_commands(tmp_path, home)
    monkeypatch.delenv("INNOPASS_PASSPHRASE")
    state = {p: p.read_bytes() for p in home.rglob("*") if p.is_file() and "ledger" not in p.name}
    actions = audit_actions(home)
    for command in commands:
        typed = io.StringIO(f"{PASS}\n{PASS}\n")  # what a prompt would read, were there one
        monkeypatch.setattr(sys, "stdin", typed)
        result = run(*command)
        assert_one_line_error(result)
        assert typed.read() == f"{PASS}\n{PASS}\n", command  # nothing was read from it
        error = raised(*command)  # CliRunner's standard input is no terminal either
        assert_code(error, PassphraseError, "passphrase")
    assert {p: p.read_bytes() for p in state} == state
    assert audit_actions(home) == actions
    assert len(ledger_passports(home)) == 1
    for absent in ("new", "status", "tl.json"):
        assert not (tmp_path / absent).exists(), absent


def test_commands_that_sign_nothing_need_no_passphrase(
    tmp_path: Path, run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    passport_file = tmp_path / "p.json"
    assert (
        run("issue", write_record(tmp_path / "r.json"), "-o", passport_file, "--home", home).code
        == 0
    )
    [passport_id] = ledger_passports(home)
    monkeypatch.delenv("INNOPASS_PASSPHRASE")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert run("suspend", passport_id, "--home", home).code == 0
    assert run("reinstate", passport_file, "--home", home).code == 0
    assert run("passport", "export", passport_id, "--home", home).out == passport_file.read_text()
    assert run("org", "export", "--home", home).code == 0
    assert run("org", "show", "--home", home).code == 0
    assert run("revoke", passport_id, "--home", home).code == 0
    with Ledger.open(home / "ledger.sqlite") as ledger:
        assert ledger.passport(passport_id).state is PassportState.REVOKED


def test_at_a_terminal_the_passphrase_is_asked_for(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INNOPASS_PASSPHRASE")
    result = TerminalRunner().invoke(
        cli,
        ["issue", str(write_record(tmp_path / "r.json")), "--home", str(home)],
        input=f"{PASS}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASS not in result.output
    [passport_id] = ledger_passports(home)
    assert passport_id in result.output
    wrong = TerminalRunner().invoke(
        cli,
        ["issue", str(write_record(tmp_path / "r2.json")), "--home", str(home)],
        input="not the passphrase\n",
    )
    assert wrong.exception is not None
    assert_code(wrong.exception, PassphraseError, "passphrase")
    assert ledger_passports(home) == [passport_id]


# --- one code path: the CLI checks records through Issuer.prepare_batch (issue 7), --------
# --- and the record rules (AssessmentRecord.problems) before any prompt (issue 11) ---------


def test_issue_checks_every_record_through_prepare_batch(
    tmp_path: Path, run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from innopass.issuer import Issuer

    real = Issuer.prepare_batch
    real_rules = AssessmentRecord.problems
    calls: list[int] = []
    rules: list[str] = []

    def spy(self: Issuer, records: Any, **options: Any) -> Any:
        records = list(records)
        calls.append(len(records))
        return real(self, records, **options)

    def spy_rules(self: AssessmentRecord, **options: Any) -> Any:
        rules.append(self.record_id)
        return real_rules(self, **options)

    monkeypatch.setattr(Issuer, "prepare_batch", spy)
    monkeypatch.setattr(AssessmentRecord, "problems", spy_rules)
    good = [write_record(tmp_path / f"good{i}.json") for i in range(2)]
    other = write_record(tmp_path / "other.json", profile="digital")  # assessed by RJ1
    refused = run("issue", good[0], other, good[1], "--home", home, "-o", tmp_path / "out")
    assert refused.code == 1
    assert calls == []  # refused by the record rules, before the passphrase and the key
    assert len(rules) == 3
    lines = refused.err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{other}: /assessing_org/ods_code: ")  # position 1 is that file
    assert lines[1].startswith("innopass: ")
    assert ledger_passports(home) == []
    assert not (tmp_path / "out").exists()

    issued = run("issue", *good, "--home", home, "-o", tmp_path / "out")
    assert issued.code == 0, issued
    assert calls == [2]
    assert len(rules) == 3 + 2 + 2  # the same rules: before the prompt, then in prepare_batch
    assert len(ledger_passports(home)) == 2


def test_trust_lists_are_signed_as_a_trust_anchor(
    tmp_path: Path, run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from innopass.issuer import Issuer, TrustAnchor

    anchor = tmp_path / "anchor"
    assert run("org", "init", "--ods", "X26", "--name", "National", "--home", anchor).code == 0
    assert run("org", "export", "--home", home, "-o", tmp_path / "rf4.json").code == 0
    opened: list[Path] = []
    real = TrustAnchor.from_home.__func__  # type: ignore[attr-defined]

    def spy(cls: type[TrustAnchor], path: Path, /, **options: Any) -> TrustAnchor:
        opened.append(Path(path))
        return real(cls, path, **options)  # type: ignore[no-any-return]

    def not_an_issuer(*args: object, **kwargs: object) -> Issuer:
        raise AssertionError("trust-list sign opened the home as an Issuer")

    monkeypatch.setattr(TrustAnchor, "from_home", classmethod(spy))
    monkeypatch.setattr(Issuer, "from_home", not_an_issuer)
    for expected in (1, 2):
        signed = run(
            "trust-list", "sign", "--issuer", tmp_path / "rf4.json",
            "-o", tmp_path / f"tl{expected}.json", "--home", anchor,
        )  # fmt: skip
        assert signed.code == 0, signed
        content = TrustListContent.from_credential(
            loads_strict((tmp_path / f"tl{expected}.json").read_bytes())  # type: ignore[arg-type]
        )
        assert content.version == expected
    assert opened == [anchor, anchor]
