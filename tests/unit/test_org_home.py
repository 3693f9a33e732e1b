"""Organisation homes: layout, encrypted keys, DIDs, status bases and key rotation."""

from __future__ import annotations

import base64
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from innopass._json import load_file_strict
from innopass.errors import (
    ConfigurationError,
    KeyMaterialError,
    MalformedInputError,
    PassphraseError,
)
from innopass.issuer import OrganisationHome
from innopass.keys import Ed25519PrivateKey, KeyType, P256PrivateKey
from innopass.trust import OrganisationDescription

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
    with pytest.raises(PassphraseError):
        OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase="")
    assert not (tmp_path / "h").exists()


def test_wrong_passphrase(tmp_path: Path) -> None:
    home = OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS)
    with pytest.raises(PassphraseError):
        home.load_key(home.current_key_id(), "wrong")
    with pytest.raises(PassphraseError):
        home.load_key(home.current_key_id(), b"")


def test_swapped_key_file_is_refused(tmp_path: Path) -> None:
    one = OrganisationHome.init(tmp_path / "a", ods_code="RF4", name="A", passphrase=PASS)
    two = OrganisationHome.init(tmp_path / "b", ods_code="R1H", name="B", passphrase=PASS)
    one.key_path(one.current_key_id()).write_bytes(two.key_path(two.current_key_id()).read_bytes())
    with pytest.raises(KeyMaterialError, match="does not hold"):
        one.load_key(one.current_key_id(), PASS)


@pytest.mark.parametrize("leftover", ["organisation.json", "ledger.sqlite", "keys"])
def test_init_refuses_an_existing_or_partial_home(tmp_path: Path, leftover: str) -> None:
    home = tmp_path / "h"
    home.mkdir()
    (home / leftover).write_text("x")
    with pytest.raises(ConfigurationError, match="refusing"):
        OrganisationHome.init(home, ods_code="RF4", name="Org", passphrase=PASS)
    assert (home / leftover).read_text() == "x"


def test_init_twice_keeps_the_first(tmp_path: Path) -> None:
    first = OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS)
    did = first.description().did
    with pytest.raises(ConfigurationError):
        OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase="other")
    assert first.description().did == did
    first.load_key(first.current_key_id(), PASS)


def test_open_requires_a_home(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="org init"):
        OrganisationHome.open(tmp_path)


def test_export_is_stamped(tmp_path: Path) -> None:
    home = OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS)
    exported = home.export(clock=clock)
    assert exported.exported_at == T0
    assert exported.to_json()["exportedAt"] == "2026-05-01T09:30:00Z"
    assert "exportedAt" not in load_file_strict(home.organisation_path)  # type: ignore[operator]


def test_did_key_cannot_rotate(tmp_path: Path) -> None:
    home = OrganisationHome.init(tmp_path / "h", ods_code="RF4", name="Org", passphrase=PASS)
    before = home.organisation_path.read_bytes()
    with pytest.raises(ConfigurationError, match="did:key identifiers cannot rotate"):
        home.rotate_key(PASS)
    assert home.organisation_path.read_bytes() == before


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
    assert isinstance(home.load_key(old_id, PASS), Ed25519PrivateKey)
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
    with pytest.raises(PassphraseError):
        home.rotate_key("wrong")
    assert home.organisation_path.read_bytes() == before
    assert sorted(p.name for p in home.keys_dir.iterdir()) == ["key-1.pem"]
    with home.open_ledger() as ledger:
        assert [e.action for e in ledger.audit_entries()] == ["org-init"]
