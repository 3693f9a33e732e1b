"""Organisation homes: layout, encrypted keys, DIDs, status bases and key rotation."""

from __future__ import annotations

import base64
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from innopass._internal.jsonio import load_file_strict
from innopass._internal.passphrase import (
    MIN_PASSPHRASE_LENGTH,
    new_passphrase_bytes,
    passphrase_bytes,
)
from innopass.errors import (
    ConfigurationError,
    KeyMaterialError,
    MalformedInputError,
    PassphraseError,
)
from innopass.issuer import OrganisationHome
from innopass.issuer._home import default_status_base
from innopass.keys import Ed25519PrivateKey, KeyType, P256PrivateKey
from innopass.trust import OrganisationDescription

pytestmark = pytest.mark.usefixtures("fast_kdf")  # see conftest.py

T0 = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
PASS = "correct horse battery staple"


def clock() -> datetime:
    return T0


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_did_key_home_layout_and_key_custody(tmp_path: Path) -> None:
    home = OrganisationHome.init(
        tmp_path / "h", ods_code="RF4", name="Barking", passphrase=PASS, clock=clock
    )
    description = home.description()
    assert description.did.startswith("did:key:z6Mk")
    key_id = home.current_key_id()
    assert key_id == f"{description.did}#{description.did.removeprefix('did:key:')}"
    assert description.status_list_base == "urn:innopass:status:RF4/"
    assert description.did_document.authorises(key_id, "assertionMethod")
    assert [k.to_json() for k in description.keys] == [
        {
            "id": key_id,
            "validFrom": "2026-05-01T09:30:00Z",
            "validUntil": None,
            "compromised": False,
        }
    ]
    # the file on disk is a valid FORMATS §4 description
    OrganisationDescription.from_json(load_file_strict(home.organisation_path))

    key_file = home.key_path(key_id)
    assert key_file.parent == home.keys_dir
    assert mode(key_file) == 0o600
    assert mode(home.keys_dir) == 0o700
    pem = key_file.read_bytes()
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    key = home.load_key(key_id, PASS)
    assert isinstance(key, Ed25519PrivateKey)
    seed = key.seed()
    assert seed not in pem
    assert base64.b64encode(seed) not in pem
    assert key.to_multibase().encode() not in pem
    assert not list(home.path.rglob("*.tmp"))


def test_did_web_home(tmp_path: Path) -> None:
    home = OrganisationHome.init(
        tmp_path / "h",
        ods_code="RF4",
        name="Barking",
        passphrase=PASS,
        did_web="rf4.nhs.example",
        clock=clock,
    )
    description = home.description()
    assert description.did == "did:web:rf4.nhs.example"
    assert home.current_key_id() == "did:web:rf4.nhs.example#key-1"
    assert home.key_path(home.current_key_id()).name == "key-1.pem"
    assert description.status_list_base == "https://rf4.nhs.example/status/"
    assert description.did_document.assertion_method == ("did:web:rf4.nhs.example#key-1",)


def test_did_web_with_path_and_explicit_status_url(tmp_path: Path) -> None:
    home = OrganisationHome.init(
        tmp_path / "h",
        ods_code="R1H",
        name="Barts",
        passphrase=PASS,
        did_web="nhs.example/orgs/R1H",
        status_url="https://cdn.nhs.example/r1h/status",
    )
    description = home.description()
    assert description.did == "did:web:nhs.example:orgs:R1H"
    assert description.status_list_base == "https://cdn.nhs.example/r1h/status/"


def test_p256_key(tmp_path: Path) -> None:
    home = OrganisationHome.init(
        tmp_path / "h", ods_code="RF4", name="Barking", passphrase=PASS, key_type=KeyType.P256
    )
    assert home.description().did.startswith("did:key:zDn")
    assert isinstance(home.load_key(home.current_key_id(), PASS), P256PrivateKey)


@pytest.mark.parametrize("code", ["R", "RF4", "ABCDE1234", "8A123"])
def test_valid_ods_codes(tmp_path: Path, code: str) -> None:
    home = OrganisationHome.init(tmp_path / "h", ods_code=code, name="Org", passphrase=PASS)
    assert home.description().ods_code == code


@pytest.mark.parametrize("code", ["", "rf4", "RF-4", "ABCDE12345", " RF4", "RF4\n"])
def test_invalid_ods_codes(tmp_path: Path, code: str) -> None:
    with pytest.raises(MalformedInputError):
        OrganisationHome.init(tmp_path / "h", ods_code=code, name="Org", passphrase=PASS)
    assert not (tmp_path / "h").exists()


@pytest.mark.parametrize("url", ["http://insecure.example/status/", "ftp://x/", "https://a b/"])
def test_invalid_status_url(tmp_path: Path, url: str) -> None:
    with pytest.raises(MalformedInputError):
        OrganisationHome.init(
            tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS, status_url=url
        )


def test_bad_name_and_did_web(tmp_path: Path) -> None:
    with pytest.raises(MalformedInputError):
        OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="  ", passphrase=PASS)
    with pytest.raises(MalformedInputError):
        OrganisationHome.init(
            tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS, did_web="bad host"
        )


def test_empty_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PassphraseError) as caught:
        OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase="")
    assert caught.value.code == "passphrase"
    assert not (tmp_path / "h").exists()


def test_wrong_passphrase(tmp_path: Path) -> None:
    home = OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS)
    with pytest.raises(PassphraseError) as wrong:
        home.load_key(home.current_key_id(), "wrong")
    with pytest.raises(PassphraseError) as empty:
        home.load_key(home.current_key_id(), b"")
    assert wrong.value.code == empty.value.code == "passphrase"
    assert isinstance(wrong.value, KeyMaterialError)


def test_swapped_key_file_is_refused(tmp_path: Path) -> None:
    one = OrganisationHome.init(tmp_path / "a", ods_code="RF4", name="A", passphrase=PASS)
    two = OrganisationHome.init(tmp_path / "b", ods_code="R1H", name="B", passphrase=PASS)
    one.key_path(one.current_key_id()).write_bytes(two.key_path(two.current_key_id()).read_bytes())
    with pytest.raises(KeyMaterialError) as caught:
        one.load_key(one.current_key_id(), PASS)
    # the passphrase was right (both homes share it): the key is the wrong one
    assert type(caught.value) is KeyMaterialError
    assert caught.value.code == "key-material"


@pytest.mark.parametrize("leftover", ["organisation.json", "ledger.sqlite", "keys"])
def test_init_refuses_an_existing_or_partial_home(tmp_path: Path, leftover: str) -> None:
    home = tmp_path / "h"
    home.mkdir()
    (home / leftover).write_text("x")
    with pytest.raises(ConfigurationError) as caught:
        OrganisationHome.init(home, ods_code="RF4", name="Org", passphrase=PASS)
    assert type(caught.value) is ConfigurationError
    assert caught.value.code == "configuration"
    assert (home / leftover).read_text() == "x"
    assert sorted(p.name for p in home.iterdir()) == [leftover]


def test_init_twice_keeps_the_first(tmp_path: Path) -> None:
    first = OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS)
    did = first.description().did
    with pytest.raises(ConfigurationError):
        OrganisationHome.init(
            tmp_path / "h", ods_code="RF4", name="Org", passphrase="another passphrase"
        )
    assert first.description().did == did
    first.load_key(first.current_key_id(), PASS)


def test_open_requires_a_home(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        OrganisationHome.open(tmp_path)
    assert type(caught.value) is ConfigurationError
    assert caught.value.code == "configuration"
    assert list(tmp_path.iterdir()) == []  # opening never creates a home


def test_export_is_stamped(tmp_path: Path) -> None:
    home = OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS)
    exported = home.export(clock=clock)
    assert exported.exported_at == T0
    assert exported.to_json()["exportedAt"] == "2026-05-01T09:30:00Z"
    assert "exportedAt" not in load_file_strict(home.organisation_path)  # type: ignore[operator]


def test_did_key_cannot_rotate(tmp_path: Path) -> None:
    home = OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS)
    before = home.organisation_path.read_bytes()
    with pytest.raises(ConfigurationError) as caught:
        home.rotate_key(PASS)
    assert type(caught.value) is ConfigurationError
    assert caught.value.code == "configuration"
    assert home.organisation_path.read_bytes() == before
    assert [p.name for p in home.keys_dir.iterdir()] == [home.key_path(home.current_key_id()).name]
    with home.open_ledger() as ledger:
        assert [e.action for e in ledger.audit_entries()] == ["org-init"]


def test_rotation(tmp_path: Path) -> None:
    home = OrganisationHome.init(
        tmp_path / "h",
        ods_code="RF4",
        name="Org",
        passphrase=PASS,
        did_web="rf4.nhs.example",
        clock=clock,
    )
    later = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
    new_id = home.rotate_key(PASS, key_type=KeyType.P256, clock=lambda: later)
    assert new_id == "did:web:rf4.nhs.example#key-2"
    assert home.current_key_id() == new_id
    description = home.description()
    old_id = "did:web:rf4.nhs.example#key-1"
    windows = {k.id: k for k in description.keys}
    assert windows[old_id].valid_until == later
    assert windows[new_id].valid_from == later
    assert windows[new_id].valid_until is None
    document = description.did_document
    assert document.assertion_method == (old_id, new_id)
    assert document.authentication == (new_id,)
    assert document.method(old_id) is not None
    assert isinstance(home.load_key(new_id, PASS), P256PrivateKey)
    assert not home.key_path(old_id).exists()  # the retired key is destroyed
    with pytest.raises(KeyMaterialError):
        home.load_key(old_id, PASS)
    assert mode(home.key_path(new_id)) == 0o600
    with home.open_ledger() as ledger:
        last = ledger.audit_entries()[-1]
        assert (last.action, last.details["retired"], last.details["new"]) == (
            "rotate-key",
            old_id,
            new_id,
        )
        assert ledger.verify_audit_chain() == 2
    assert home.rotate_key(PASS, clock=lambda: later) == "did:web:rf4.nhs.example#key-3"


def test_rotation_lands_on_a_whole_second(tmp_path: Path) -> None:
    home = OrganisationHome.init(
        tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS, did_web="rf4.nhs.example"
    )
    odd = datetime(2026, 6, 1, 12, 0, 0, 900_000, tzinfo=UTC)
    home.rotate_key(PASS, clock=lambda: odd)
    windows = home.description().keys
    assert windows[0].valid_until == datetime(2026, 6, 1, 12, 0, 1, tzinfo=UTC)
    assert windows[1].valid_from == windows[0].valid_until


def test_rotation_with_wrong_passphrase_changes_nothing(tmp_path: Path) -> None:
    home = OrganisationHome.init(
        tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS, did_web="rf4.nhs.example"
    )
    before = home.organisation_path.read_bytes()
    with pytest.raises(PassphraseError) as caught:
        home.rotate_key("wrong")
    assert caught.value.code == "passphrase"
    assert home.organisation_path.read_bytes() == before
    assert sorted(p.name for p in home.keys_dir.iterdir()) == ["key-1.pem"]
    with home.open_ledger() as ledger:
        assert [e.action for e in ledger.audit_entries()] == ["org-init"]


# --- status-list bases and did:web hosts (I2) --------------------------------------------


def test_did_web_host_is_normalised_once(tmp_path: Path) -> None:
    home = OrganisationHome.init(
        tmp_path / "h", ods_code="RF5", name="Org", passphrase=PASS, did_web=" rf5.example/ "
    )
    description = home.description()
    assert description.did == "did:web:rf5.example"
    assert description.status_list_base == "https://rf5.example/status/"


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://cdn.example", "https://cdn.example/"),
        ("https://cdn.example:8443/a/b", "https://cdn.example:8443/a/b/"),
        (" https://cdn.example/status/ ", "https://cdn.example/status/"),
        ("https://[::1]/s", "https://[::1]/s/"),
        ("https://cdn.example/a%20b/", "https://cdn.example/a%20b/"),
        ("urn:innopass:status:RF4", "urn:innopass:status:RF4/"),
        ("urn:example-nid:lists/", "urn:example-nid:lists/"),
    ],
)
def test_valid_status_urls(tmp_path: Path, url: str, base: str) -> None:
    home = OrganisationHome.init(
        tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS, status_url=url
    )
    assert home.description().status_list_base == base


@pytest.mark.parametrize(
    "url",
    [
        "",
        "https://",
        "https:///status/",
        "https://user:pw@cdn.example/status/",
        "https://cdn.example/status/?list=1",
        "https://cdn.example/status/#frag",
        "https://cdn.example:99999/status/",
        "https://cdn.example:port/status/",
        "https://cdn..example/status/",
        "https://cdn.example/a b/",
        "https://cdn.example/../status/",
        "https://cdn.example/caf\u00e9/",
        "https://cdn.example/%zz/",
        "HTTPS://cdn.example/",
        "urn:",
        "urn:x:lists",
        "urn:-bad:lists",
        "urn:innopass",
        "urn:innopass:",
        "urn:innopass:status?x",
        "mailto:someone@example.org",
    ],
)
def test_more_invalid_status_urls(tmp_path: Path, url: str) -> None:
    with pytest.raises(MalformedInputError):
        OrganisationHome.init(
            tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS, status_url=url
        )
    assert not (tmp_path / "h").exists()


def test_default_status_base_normalises_the_host() -> None:
    assert (
        default_status_base(ods_code="RF5", did_web_host=" rf5.example ")
        == "https://rf5.example/status/"
    )


# --- passphrases (M1) ----------------------------------------------------------------------


def test_a_passphrase_that_is_not_utf8_is_a_passphrase_error(tmp_path: Path) -> None:
    undecodable = "pass\udcffphrase"  # how Python decodes a non-UTF-8 environment variable
    with pytest.raises(PassphraseError) as direct:
        passphrase_bytes(undecodable)
    assert direct.value.code == "passphrase"
    assert direct.value.__cause__ is None  # no UnicodeEncodeError escapes, even as a cause
    with pytest.raises(PassphraseError):
        OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase=undecodable)
    assert not (tmp_path / "h").exists()
    home = OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS)
    with pytest.raises(PassphraseError):
        home.load_key(home.current_key_id(), undecodable)


@pytest.mark.parametrize("short", ["a", "seven77", b"bytes7!"])
def test_a_new_key_needs_a_passphrase_of_eight_characters(
    tmp_path: Path, short: str | bytes
) -> None:
    with pytest.raises(PassphraseError) as caught:
        OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase=short)
    assert caught.value.code == "passphrase"
    assert not (tmp_path / "h").exists()
    assert len(MIN_PASSPHRASE_LENGTH * "x") == 8
    with pytest.raises(PassphraseError):
        new_passphrase_bytes(short)
    assert new_passphrase_bytes("eight888") == b"eight888"
    OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase="eight888")


def test_passphrase_bytes() -> None:
    assert passphrase_bytes("caf\u00e9") == "caf\u00e9".encode()
    assert passphrase_bytes(b"\xff raw") == b"\xff raw"  # bytes are taken as they are
    assert passphrase_bytes("short") == b"short"  # only a new key needs eight characters
    for empty in ("", b""):
        with pytest.raises(PassphraseError) as caught:
            passphrase_bytes(empty)
        assert caught.value.code == "passphrase"
    # eight characters, not eight bytes: a multi-byte passphrase is counted by characters
    assert new_passphrase_bytes("\u00e9" * 8) == ("\u00e9" * 8).encode()
    with pytest.raises(PassphraseError):
        new_passphrase_bytes("\u00e9" * 7)


# --- org init: privacy, crash safety, concurrency (I6) ------------------------------------


def staging_leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if ".org-init-" in p.name]


def test_home_and_ledger_are_private(tmp_path: Path) -> None:
    home = OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS)
    assert mode(home.path) == 0o700
    assert mode(home.ledger_path) == 0o600
    with home.open_ledger() as ledger:
        ledger.verify_audit_chain()
        for side in home.path.glob("ledger.sqlite-*"):
            assert mode(side) == 0o600, side
    assert mode(home.organisation_path) == 0o644
    assert staging_leftovers(tmp_path) == []


def test_a_failed_init_leaves_no_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(self: OrganisationHome, description: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(OrganisationHome, "_write_description", fail)
    with pytest.raises(ConfigurationError):
        OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS)
    assert not (tmp_path / "h").exists()
    assert staging_leftovers(tmp_path) == []


def test_a_crash_before_the_rename_leaves_the_path_vacant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kill before the final rename: no cleanup runs, yet the path holds no partial home."""

    def killed(self: OrganisationHome, staging: Path, *, into_existing: bool) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(OrganisationHome, "_install", killed)
        patch.setattr(shutil, "rmtree", lambda *a, **k: None)  # a killed process cleans nothing
        with pytest.raises(KeyboardInterrupt):
            OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS)
    assert not (tmp_path / "h").exists()
    assert len(staging_leftovers(tmp_path)) == 1  # hidden, beside the home, harmless
    home = OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS)
    home.load_key(home.current_key_id(), PASS)


@pytest.mark.parametrize("existing", [[], ["verifier"]], ids=["empty", "with-verifier-home"])
def test_init_into_an_existing_directory(tmp_path: Path, existing: list[str]) -> None:
    path = tmp_path / "h"
    path.mkdir()
    for name in existing:
        (path / name).mkdir()
        (path / name / "trust-list.json").write_text("{}")
    home = OrganisationHome.init(path, ods_code="RF4", name="Org", passphrase=PASS)
    home.load_key(home.current_key_id(), PASS)
    for name in existing:
        assert (path / name / "trust-list.json").read_text() == "{}"
    assert staging_leftovers(path) == []
    assert staging_leftovers(tmp_path) == []
    with home.open_ledger() as ledger:
        assert [e.action for e in ledger.audit_entries()] == ["org-init"]


@pytest.mark.parametrize("leftover", ["keys", "ledger.sqlite", "ledger.sqlite-wal"])
def test_an_incomplete_home_is_refused(tmp_path: Path, leftover: str) -> None:
    home = tmp_path / "h"
    home.mkdir()
    (home / leftover).mkdir() if leftover == "keys" else (home / leftover).write_text("x")
    with pytest.raises(ConfigurationError) as caught:
        OrganisationHome.init(home, ods_code="RF4", name="Org", passphrase=PASS)
    assert str(home / leftover) in str(caught.value)  # says what to remove
    assert (home / leftover).exists()


@pytest.mark.parametrize("where", ["file", "file/sub"])
def test_init_on_a_file_is_refused(tmp_path: Path, where: str) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(ConfigurationError):
        OrganisationHome.init(tmp_path / where, ods_code="RF4", name="Org", passphrase=PASS)
    assert (tmp_path / "file").read_text() == "not a directory"


@pytest.mark.parametrize("existing", [None, "empty", "verifier"])
def test_of_two_concurrent_inits_one_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: str | None
) -> None:
    path = tmp_path / "h"
    if existing is not None:
        path.mkdir()
    if existing == "verifier":
        (path / "verifier").mkdir()
    real_install = OrganisationHome._install
    winner: list[OrganisationHome] = []

    def race(self: OrganisationHome, staging: Path, *, into_existing: bool) -> None:
        if not winner:  # the other process finishes first, between our checks and our rename
            winner.append(self)
            OrganisationHome.init(path, ods_code="R1H", name="Winner", passphrase="winner-pass")
        real_install(self, staging, into_existing=into_existing)

    monkeypatch.setattr(OrganisationHome, "_install", race)
    with pytest.raises(ConfigurationError):
        OrganisationHome.init(path, ods_code="RF4", name="Loser", passphrase=PASS)
    home = OrganisationHome.open(path)
    assert home.description().ods_code == "R1H"
    home.load_key(home.current_key_id(), "winner-pass")
    assert sorted(p.name for p in home.keys_dir.iterdir()) == [
        home.key_path(home.current_key_id()).name
    ]
    assert staging_leftovers(path) == []
    assert staging_leftovers(tmp_path) == []
    with home.open_ledger() as ledger:
        assert ledger.verify_audit_chain() == 1


# --- key rotation: crash safety and compromise (I7, I8) -----------------------------------


def web_home(tmp_path: Path) -> OrganisationHome:
    return OrganisationHome.init(
        tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS, did_web="rf4.nhs.example"
    )


def rotate(home: OrganisationHome, **options: Any) -> str:
    """Rotate with a whole-second clock (no wait for the next second)."""
    return home.rotate_key(PASS, clock=clock, **options)


def actions(home: OrganisationHome) -> list[str]:
    with home.open_ledger() as ledger:
        ledger.verify_audit_chain()
        return [e.action for e in ledger.audit_entries()]


def test_an_orphaned_key_file_does_not_block_rotation(tmp_path: Path) -> None:
    home = web_home(tmp_path)
    # a crash after writing key-2.pem and before the description named it
    orphan = home.keys_dir / "key-2.pem"
    orphan.write_bytes(home.key_path(home.current_key_id()).read_bytes())
    (home.keys_dir / ".key-3.pem.abc.tmp").write_bytes(b"half")
    new_id = rotate(home)
    assert new_id == "did:web:rf4.nhs.example#key-3"  # past the orphan, which is removed
    assert sorted(p.name for p in home.keys_dir.iterdir()) == ["key-3.pem"]
    assert home.current_key_id() == new_id
    home.load_key(new_id, PASS)
    assert rotate(home) == "did:web:rf4.nhs.example#key-4"


def test_a_rotation_that_fails_before_the_description_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = web_home(tmp_path)
    before = home.organisation_path.read_bytes()

    def fail(self: OrganisationHome, description: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(OrganisationHome, "_write_description", fail)
        with pytest.raises(ConfigurationError):
            rotate(home)
    assert home.organisation_path.read_bytes() == before
    assert sorted(p.name for p in home.keys_dir.iterdir()) == ["key-1.pem"]
    assert actions(home) == ["org-init"]
    assert rotate(home) == "did:web:rf4.nhs.example#key-2"
    assert actions(home) == ["org-init", "rotate-key"]


def test_a_crash_between_description_and_commit_is_audited_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = web_home(tmp_path)
    real_write = OrganisationHome._write_description

    def write_then_die(self: OrganisationHome, description: OrganisationDescription) -> None:
        real_write(self, description)
        raise KeyboardInterrupt  # killed before the ledger commits

    with monkeypatch.context() as patch:
        patch.setattr(OrganisationHome, "_write_description", write_then_die)
        with pytest.raises(KeyboardInterrupt):
            rotate(home)
    # the rotation took effect (the description is the truth), its audit entry is missing
    assert home.current_key_id() == "did:web:rf4.nhs.example#key-2"
    home.load_key("did:web:rf4.nhs.example#key-2", PASS)
    assert actions(home) == ["org-init"]
    assert rotate(home) == "did:web:rf4.nhs.example#key-3"
    with home.open_ledger() as ledger:
        entries = ledger.audit_entries()
    assert [(e.action, e.details.get("new"), e.details.get("recovered")) for e in entries] == [
        ("org-init", None, None),
        ("rotate-key", "did:web:rf4.nhs.example#key-2", True),
        ("rotate-key", "did:web:rf4.nhs.example#key-3", None),
    ]


def test_rotation_can_mark_the_old_key_compromised(tmp_path: Path) -> None:
    home = web_home(tmp_path)
    later = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
    new_id = home.rotate_key(PASS, compromised=True, clock=lambda: later)
    windows = {k.id: k for k in home.description().keys}
    old = windows["did:web:rf4.nhs.example#key-1"]
    assert old.compromised is True
    assert old.valid_until == later
    assert not old.covers(datetime(2026, 5, 1, tzinfo=UTC))  # nothing it signed stands
    assert windows[new_id].compromised is False
    assert home.current_key_id() == new_id
    exported = home.export().to_json()
    assert exported["keys"][0]["compromised"] is True  # type: ignore[index,call-overload]
    with home.open_ledger() as ledger:
        assert ledger.audit_entries()[-1].details["compromised"] is True
