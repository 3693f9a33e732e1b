"""Issuing passports, status lists, bundles and trust lists with real keys.

Every signature is checked with the one proof engine the verifier and the official
vectors use (``innopass._internal.proof.verify_data_integrity``, resolving the key
from the organisation's own DID document; PyJWT and ``innopass._internal.jose`` for
``vc+jwt``). The issuer's parts are tested on their own too: the pure passport
builder, status lists and bundles signed through a fake :class:`Signer`, and the
trust anchor's role.
"""

from __future__ import annotations

import copy
import errno
import json
import sqlite3
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest

import innopass.issuer
from innopass._internal import output as output_module
from innopass._internal.canonical import sha256_digest
from innopass._internal.contexts import PASSPORT_CONTEXT
from innopass._internal.jose import parse_compact_jws, sign_vc_jwt, verify_vc_jwt
from innopass._internal.jsonio import JSONObject, dumps_pretty, loads_strict
from innopass._internal.proof import ProofOptions, SignedBy, add_proof, verify_data_integrity
from innopass._internal.schema import RECORD_SCHEMA, RECORD_SCHEMA_ID, schema_digest_sri
from innopass._internal.suites import SUITES, suite_for_key
from innopass.did import (
    StaticResolver,
    did_key_document,
    did_key_from_public_key,
    verification_method_id,
)
from innopass.errors import (
    CheckFailed,
    ConfigurationError,
    CredentialInvalidError,
    FailureCode,
    InnopassError,
    KeyMaterialError,
    LedgerError,
    MalformedInputError,
    OutputError,
    PassphraseError,
    PassportNotFoundError,
    PassportReferenceError,
    RecordInvalidError,
    StatusChangeError,
    TrustError,
)
from innopass.issuer import (
    IssuedPassport,
    Issuer,
    Ledger,
    OrganisationHome,
    PassportEntry,
    PassportFormat,
    PassportState,
    Signer,
    StatusAction,
    TrustAnchor,
)
from innopass.issuer._bundle import build_bundle, check_passport_id
from innopass.issuer._ledger import StatusAllocation
from innopass.issuer._passport import build_passport
from innopass.issuer._signer import HomeSigner
from innopass.issuer._status_lists import publish_status_lists, sign_status_lists
from innopass.keys import KeyType, PrivateKey, PublicKey, generate_private_key
from innopass.record import AssessmentRecord, example
from innopass.status import (
    MIN_ENTRIES,
    StatusEntry,
    StatusPurpose,
    StatusReason,
    bit_at,
    decode_bitstring,
    parse_status_list_credential,
    status_entries,
)
from innopass.trust import (
    AccreditedScope,
    Bundle,
    KeyWindow,
    LedgerCheckpoint,
    OrganisationDescription,
    TrustListContent,
)

pytestmark = pytest.mark.usefixtures("fast_kdf")  # see conftest.py

PASS = "issuer test passphrase"
DID_WEB = "did:web:rf4.nhs.example"


class Clock:
    """A settable clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 6, 1, 10, 0, 0, tzinfo=UTC))


def make_home(path: Path, clock: Clock, **options: Any) -> OrganisationHome:
    options.setdefault("did_web", "rf4.nhs.example")
    return OrganisationHome.init(
        path, ods_code="RF4", name="Barking", passphrase=PASS, clock=clock, **options
    )


@pytest.fixture
def issuer(tmp_path: Path, clock: Clock) -> Iterator[Issuer]:
    make_home(tmp_path / "home", clock)
    with Issuer.from_home(tmp_path / "home", passphrase=PASS, clock=clock) as opened:
        yield opened


def record(**changes: Any) -> JSONObject:
    value = example("device")
    value["record_id"] = f"urn:uuid:{uuid.uuid4()}"
    value.update(changes)
    return value


def public_key(issuer: Issuer | TrustAnchor, key_id: str) -> PublicKey:
    method = issuer.home.description().did_document.method(key_id)
    assert method is not None
    return method.public_key


def verify_signed(
    credential: Mapping[str, Any], signer: Issuer | TrustAnchor, key_id: str | None = None
) -> SignedBy:
    """Check ``credential``'s proof as the verifier does: made by the organisation's DID,
    with the key ``key_id`` (default: its current key) resolved from its DID document."""
    description = signer.home.description()
    [signed] = verify_data_integrity(
        credential,
        issuer=description.did,
        resolver=StaticResolver({description.did: description.did_document}),
        suites=SUITES,
    )
    assert signed.method.id == (key_id or signer.key_id)
    assert signed.method.public_key == public_key(signer, signed.method.id)
    return signed


def test_data_integrity_passport(issuer: Issuer, clock: Clock) -> None:
    source = record()
    passport = issuer.issue(source)
    credential = passport.credential
    parsed = AssessmentRecord.from_json(source)

    assert passport.format is PassportFormat.DI
    assert passport.token is None
    assert credential["@context"] == list(PASSPORT_CONTEXT)
    assert credential["id"] == passport.id
    assert passport.id.startswith("urn:uuid:")
    assert credential["type"] == ["VerifiableCredential", "InnovatorPassport"]
    assert credential["name"] == f"Innovator passport: {parsed.product_name}"
    assert credential["issuer"] == {
        "id": DID_WEB,
        "type": "NhsOrganisation",
        "name": "Barking",
        "odsCode": "RF4",
    }
    assert credential["validFrom"] == "2026-06-01T10:00:00Z"
    assert credential["validUntil"] == "2027-09-30T23:59:59Z"
    assert parsed.effective_valid_until() == datetime(2027, 9, 30, 23, 59, 59, tzinfo=UTC)
    assert credential["credentialSubject"] == {
        "id": source["record_id"],
        "type": "AssessedTechnology",
        "assessmentRecord": source,
        "recordDigest": sha256_digest(source),
    }
    assert credential["credentialSchema"] == {
        "id": RECORD_SCHEMA_ID,
        "type": "JsonSchema",
        "digestSRI": schema_digest_sri(RECORD_SCHEMA),
    }
    proof = credential["proof"]
    assert isinstance(proof, dict)
    assert proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["verificationMethod"] == f"{DID_WEB}#key-1"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["created"] == "2026-06-01T10:00:00Z"

    verified = verify_signed(credential, issuer, f"{DID_WEB}#key-1")
    assert verified.proof.created == clock.now

    assert loads_strict(passport.text()) == credential
    assert passport.filename() == passport.id.removeprefix("urn:uuid:") + ".json"


def test_tampered_passport_does_not_verify(issuer: Issuer) -> None:
    credential = copy.deepcopy(issuer.issue(record()).credential)
    subject = credential["credentialSubject"]
    assert isinstance(subject, dict)
    subject["recordDigest"] = "00" * 32
    with pytest.raises(CheckFailed) as caught:
        verify_signed(credential, issuer)
    assert caught.value.failure is FailureCode.SIGNATURE_INVALID
    assert caught.value.code == "signature-invalid"
    assert caught.value.path == "/proof/proofValue"


def test_status_entries(issuer: Issuer) -> None:
    passport = issuer.issue(record())
    entries = status_entries(passport.credential)
    assert [e.purpose for e in entries] == ["revocation", "suspension", "message"]
    assert [e.list_id for e in entries] == [
        "https://rf4.nhs.example/status/revocation/1",
        "https://rf4.nhs.example/status/suspension/1",
        "https://rf4.nhs.example/status/message/1",
    ]
    assert [e.bits for e in entries] == [1, 1, 3]
    assert [m.message for m in entries[2].messages or ()] == [r.value for r in StatusReason]
    for entry, raw in zip(entries, passport.credential["credentialStatus"], strict=True):  # type: ignore[arg-type]
        assert 0 <= entry.index < MIN_ENTRIES
        assert isinstance(raw, dict)
        assert raw["id"] == f"{entry.list_id}#{entry.index}"
        assert raw["statusListIndex"] == str(entry.index)
    assert passport.status == entries


def test_p256_organisation_signs_with_ecdsa_jcs_2019(tmp_path: Path, clock: Clock) -> None:
    make_home(tmp_path / "home", clock, did_web=None, key_type=KeyType.P256)
    with Issuer.from_home(tmp_path / "home", passphrase=PASS, clock=clock) as issuer:
        assert issuer.did.startswith("did:key:zDn")
        passport = issuer.issue(record())
        assert passport.credential["proof"]["cryptosuite"] == "ecdsa-jcs-2019"  # type: ignore[index,call-overload]
        verify_signed(passport.credential, issuer)
        token = issuer.issue(record(), format="jwt").token
        assert token is not None
        assert jwt.get_unverified_header(token)["alg"] == "ES256"
        pub = public_key(issuer, issuer.key_id)
        jwt.decode(token, pub.crypto_key, algorithms=["ES256"])


def test_p384_organisation_signs_with_ecdsa_jcs_2019_and_es384(
    tmp_path: Path, clock: Clock
) -> None:
    make_home(tmp_path / "home", clock, did_web=None, key_type=KeyType.P384)
    with Issuer.from_home(tmp_path / "home", passphrase=PASS, clock=clock) as issuer:
        assert issuer.did.startswith("did:key:z82")
        passport = issuer.issue(record())
        proof = passport.credential["proof"]
        assert isinstance(proof, dict)
        assert proof["cryptosuite"] == "ecdsa-jcs-2019"
        verify_signed(passport.credential, issuer)
        token = issuer.issue(record(), format="jwt").token
        assert token is not None
        assert jwt.get_unverified_header(token)["alg"] == "ES384"
        pub = public_key(issuer, issuer.key_id)
        assert pub.key_type is KeyType.P384
        jwt.decode(token, pub.crypto_key, algorithms=["ES384"])
        with pytest.raises(jwt.InvalidAlgorithmError):
            jwt.decode(token, pub.crypto_key, algorithms=["ES256"])


def test_jwt_passport(issuer: Issuer, clock: Clock) -> None:
    passport = issuer.issue(record(), format=PassportFormat.JWT)
    assert passport.format is PassportFormat.JWT
    token = passport.token
    assert token is not None
    assert passport.text() == token + "\n"
    assert passport.filename().endswith(".jwt")
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": f"{DID_WEB}#key-1"}
    key = public_key(issuer, issuer.key_id)
    payload = jwt.decode(token, key.crypto_key, algorithms=["EdDSA"])
    assert payload["iss"] == DID_WEB
    assert payload["jti"] == passport.id
    assert payload["iat"] == int(clock.now.timestamp())
    assert "proof" not in payload
    assert "vc" not in payload
    assert {k: v for k, v in payload.items() if k not in ("iss", "iat", "jti")} == (
        passport.credential
    )
    parsed = parse_compact_jws(token)
    description = issuer.home.description()
    method = verify_vc_jwt(
        parsed,
        issuer=DID_WEB,
        resolver=StaticResolver({DID_WEB: description.did_document}),
        algorithms=["EdDSA"],
    )
    assert method.id == f"{DID_WEB}#key-1"
    assert method.public_key == key


def test_invalid_record_is_refused_and_nothing_recorded(issuer: Issuer) -> None:
    bad = record()
    del bad["outcome"]
    bad["record_version"] = 0
    with pytest.raises(RecordInvalidError) as caught:
        issuer.issue(bad)
    paths = {p.path for p in caught.value.problems}
    assert {"", "/record_version"} <= paths
    assert list(issuer.ledger.passports()) == []
    assert issuer.ledger.audit_entries()[-1].action == "org-init"


def test_record_of_another_organisation_is_refused(issuer: Issuer) -> None:
    other = example("digital")  # assessed by RJ1
    with pytest.raises(RecordInvalidError) as caught:
        issuer.issue(other)
    assert [p.path for p in caught.value.problems] == ["/assessing_org/ods_code"]


def test_expired_record_is_refused(issuer: Issuer, clock: Clock) -> None:
    clock.now = datetime(2027, 10, 1, tzinfo=UTC)
    with pytest.raises(RecordInvalidError) as caught:
        issuer.issue(record())
    # the record's validity has ended, and so has its ISO 13485 certificate (mandatory)
    assert {p.path for p in caught.value.problems} == {
        "/validity/valid_until",
        "/evidence/3/valid_until",
    }


def test_bad_format_is_a_configuration_error(issuer: Issuer) -> None:
    with pytest.raises(ConfigurationError) as caught:
        issuer.issue(record(), format="xml")
    assert caught.type.__module__ == "innopass.errors"
    assert caught.value.code == "configuration"
    with pytest.raises(ConfigurationError):
        issuer.issue_batch([record()], format="xml")
    assert list(issuer.ledger.passports()) == []


def test_batch_is_all_or_nothing(issuer: Issuer) -> None:
    bad = record()
    bad["profile"] = "spaceship"
    with pytest.raises(RecordInvalidError) as caught:
        issuer.issue_batch([record(), bad, record()])
    assert all(p.path.startswith("/1") for p in caught.value.problems)
    assert list(issuer.ledger.passports()) == []

    seen: list[IssuedPassport] = []
    issued = issuer.issue_batch([record(), record(), record()], on_issued=seen.append)
    assert issued == seen
    assert len({p.id for p in issued}) == 3


def test_batch_commits_whole_groups(issuer: Issuer) -> None:
    """A failure mid-batch keeps the groups already committed and rolls back only its own."""
    committed: list[IssuedPassport] = []
    calls = 0
    draw = issuer._randbelow

    def failing_draw(size: int) -> int:
        nonlocal calls
        calls += 1
        if calls == 3 * 5 + 1:  # three indices per passport: the 6th passport's, in group 3
            raise _DiskGone
        return draw(size)

    issuer._randbelow = failing_draw
    with pytest.raises(_DiskGone):
        issuer.issue_batch([record() for _ in range(7)], group=2, on_issued=committed.append)
    held = [p.id for p in issuer.ledger.passports()]
    assert sorted(held) == sorted(p.id for p in committed)
    assert len(held) == 4  # groups 1 and 2; group 3 (passports 5 and 6) rolled back
    assert issuer.ledger.verify_audit_chain() == 1 + 4
    issuer._randbelow = draw
    again = issuer.issue_batch([record(), record(), record()], group=2)
    assert len(list(issuer.ledger.passports())) == 7
    indices = [(a.purpose, a.list_number, a.index) for p in again for a in _allocs(issuer, p)]
    assert len(set(indices)) == len(indices)
    with pytest.raises(ConfigurationError) as refused:
        issuer.issue_batch([record()], group=0)
    assert refused.value.code == "configuration"


class _DiskGone(Exception):
    pass


def _allocs(issuer: Issuer, passport: IssuedPassport) -> list[StatusAllocation]:
    entry = issuer.passport(passport.id)
    return [entry.allocation(p) for p in (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION)]


def test_ledger_holds_the_signed_text(issuer: Issuer) -> None:
    passport = issuer.issue(record())
    token = issuer.issue(record(), format="jwt")
    for issued in (passport, token):
        entry = issuer.passport(issued.id)
        assert entry.credential_text == issued.text()
        assert entry.verification_method == issuer.key_id
        assert entry.format == issued.format.value
        assert list(entry.status) == [e.to_json() for e in issued.status]
    assert [e.action for e in issuer.ledger.audit_entries()] == ["org-init", "issue", "issue"]
    assert issuer.ledger.verify_audit_chain() == 3


def decode_published(directory: Path, purpose: str) -> bytes:
    credential = loads_strict((directory / purpose / "1").read_bytes())
    assert isinstance(credential, dict)
    subject = credential["credentialSubject"]
    assert isinstance(subject, dict)
    return decode_bitstring(subject["encodedList"])


def test_revoke_suspend_publish_reinstate(issuer: Issuer, tmp_path: Path, clock: Clock) -> None:
    revoked = issuer.issue(record())
    suspended = issuer.issue(record())
    untouched = issuer.issue(record())
    assert issuer.revoke(revoked.id).state is PassportState.REVOKED
    assert issuer.suspend(suspended.id).state is PassportState.SUSPENDED

    out = tmp_path / "published"
    written = issuer.publish_status_lists(out)
    assert sorted(w.relative_path for w in written) == [
        "message/1",
        "revocation/1",
        "suspension/1",
    ]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "message/1",
        "revocation/1",
        "suspension/1",
    ]

    def index(passport: IssuedPassport, purpose: str) -> int:
        return next(e.index for e in passport.status if e.purpose == purpose)

    revocation = decode_published(out, "revocation")
    suspension = decode_published(out, "suspension")
    assert len(revocation) * 8 == MIN_ENTRIES
    assert bit_at(revocation, index(revoked, "revocation"))
    assert not bit_at(revocation, index(suspended, "revocation"))
    assert not bit_at(revocation, index(untouched, "revocation"))
    assert bit_at(suspension, index(suspended, "suspension"))
    assert not bit_at(suspension, index(revoked, "suspension"))
    assert sum(bin(b).count("1") for b in revocation + suspension) == 2

    for item in written:
        verify_signed(item.credential, issuer)
        parsed = parse_status_list_credential(item.credential)
        assert parsed.issuer == DID_WEB
        assert item.credential["validFrom"] == "2026-06-01T10:00:00Z"
        assert item.credential["validUntil"] == "2026-06-08T10:00:00Z"
        assert item.credential["id"] == f"https://rf4.nhs.example/status/{item.relative_path}"

    assert issuer.reinstate(suspended.id).state is PassportState.ACTIVE
    with pytest.raises(StatusChangeError) as refused:
        issuer.reinstate(revoked.id)
    assert refused.value.code == "status-change-refused"
    assert issuer.passport(revoked.id).state is PassportState.REVOKED
    clock.now += timedelta(hours=1)
    issuer.publish_status_lists(out, valid_for=timedelta(days=1))
    assert not any(decode_published(out, "suspension"))
    assert bit_at(decode_published(out, "revocation"), index(revoked, "revocation"))
    with pytest.raises(PassportNotFoundError) as missing:
        issuer.revoke("urn:uuid:not-issued-here")
    assert missing.value.code == "passport-not-found"
    assert missing.value.passport_id == "urn:uuid:not-issued-here"


def test_publish_with_nothing_issued(issuer: Issuer, tmp_path: Path) -> None:
    assert issuer.publish_status_lists(tmp_path / "out") == []


def test_bundle(issuer: Issuer) -> None:
    passport = issuer.issue(record())
    bundle = issuer.bundle(passport.id)
    assert bundle.passport == passport.credential
    assert bundle.issuer is not None
    assert bundle.issuer.did == DID_WEB
    assert bundle.issuer.exported_at is not None
    lists = {str(s["id"]) for s in bundle.status_lists}
    assert lists == {e.list_id for e in passport.status}
    for status_list in bundle.status_lists:
        verify_signed(status_list, issuer)
    round_trip = Bundle.from_json(loads_strict(dumps_pretty(bundle.to_json())))
    assert round_trip.passport == passport.credential
    assert "trustList" not in bundle.to_json()
    # by the passport's text, too
    assert issuer.bundle(passport.text()).passport == passport.credential


def test_bundle_of_a_jwt_passport_carries_the_token(issuer: Issuer) -> None:
    passport = issuer.issue(record(), format="jwt")
    assert issuer.bundle(passport.id).passport == passport.token
    assert issuer.bundle(passport.text()).passport == passport.token
    enveloped = json.dumps(
        {
            "@context": "https://www.w3.org/ns/credentials/v2",
            "type": "EnvelopedVerifiableCredential",
            "id": f"data:application/vc+jwt,{passport.token}",
        }
    )
    assert issuer.bundle(enveloped).passport == passport.token
    other = issuer.issue(record(), format="jwt")
    with pytest.raises(LedgerError):  # an envelope of another passport's token: not this one
        issuer.bundle(enveloped.replace(str(passport.token), str(other.token)[:-4] + "AAAA"))


def test_bundle_refuses_a_passport_that_differs(issuer: Issuer) -> None:
    passport = issuer.issue(record())
    altered = copy.deepcopy(passport.credential)
    altered["name"] = "something else"
    audited = len(issuer.ledger.audit_entries())
    with pytest.raises(LedgerError) as caught:
        issuer.bundle(dumps_pretty(altered))
    assert type(caught.value) is LedgerError  # the passport is known, its text is not
    assert caught.value.code == "ledger"
    with pytest.raises(MalformedInputError) as malformed:
        issuer.bundle("{not json")
    assert malformed.value.code == "malformed"
    assert len(issuer.ledger.audit_entries()) == audited  # nothing was signed


def test_trust_list_signing(tmp_path: Path, clock: Clock, issuer: Issuer) -> None:
    OrganisationHome.init(
        tmp_path / "anchor", ods_code="X26", name="National", passphrase=PASS, clock=clock
    )
    rf4 = issuer.home.export(clock=clock)
    other = OrganisationHome.init(
        tmp_path / "r1h", ods_code="R1H", name="Barts", passphrase=PASS, clock=clock
    ).export(clock=clock)
    with TrustAnchor.from_home(tmp_path / "anchor", passphrase=PASS, clock=clock) as anchor:
        first = anchor.sign_trust_list([rf4])
        scope = AccreditedScope(profiles=("device",), domains=("clinical_safety",))
        second = anchor.sign_trust_list([rf4, other], scopes=[scope], valid_for=timedelta(days=3))
        assert (first.version, second.version) == (1, 2)
        for signed in (first, second):
            verify_signed(signed.credential, anchor)
        content = TrustListContent.from_credential(second.credential)
        assert [i.ods_code for i in content.issuers] == ["RF4", "R1H"]
        assert content.issuers[0].scopes == (scope,)
        assert content.issuers[0].did_document.id == DID_WEB
        assert second.credential["validUntil"] == "2026-06-04T10:00:00Z"
        issuer_field = second.credential["issuer"]
        assert isinstance(issuer_field, dict)
        assert issuer_field["odsCode"] == "X26"
        with pytest.raises(TrustError) as twice:
            anchor.sign_trust_list([rf4, rf4])
        assert twice.value.code == "trust"
        assert [v.version for v in anchor.ledger.trust_list_versions()] == [1, 2]
        assert [v.version for v in anchor.trust_list_versions()] == [1, 2]
        bundle = issuer.bundle(issuer.issue(record()).id, trust_list=second.credential)
        assert bundle.trust_list == second.credential
        with pytest.raises(MalformedInputError):
            issuer.bundle(issuer.issue(record()).id, trust_list={"type": ["Nope"]})


def test_wrong_passphrase(tmp_path: Path, clock: Clock) -> None:
    make_home(tmp_path / "home", clock)
    with pytest.raises(PassphraseError) as caught:
        Issuer.from_home(tmp_path / "home", passphrase="not it")
    assert caught.value.code == "passphrase"
    with pytest.raises(PassphraseError):
        TrustAnchor.from_home(tmp_path / "home", passphrase="not it")


def test_issuer_refuses_a_key_that_is_not_current(tmp_path: Path, clock: Clock) -> None:
    home = make_home(tmp_path / "home", clock)
    stranger = OrganisationHome.init(tmp_path / "other", ods_code="R1H", name="B", passphrase=PASS)
    key = stranger.load_key(stranger.current_key_id(), PASS)
    with pytest.raises(KeyMaterialError) as caught:
        HomeSigner(home, key, home.snapshot())
    assert type(caught.value) is KeyMaterialError
    assert caught.value.code == "key-material"
    own = home.load_key(home.current_key_id(), PASS)
    assert HomeSigner(home, own, home.snapshot()).key_id == home.current_key_id()


def test_rotation_keeps_old_passports_verifiable(tmp_path: Path, clock: Clock) -> None:
    home = make_home(tmp_path / "home", clock)
    with Issuer.from_home(home.path, passphrase=PASS, clock=clock) as before:
        old = before.issue(record())
        clock.now += timedelta(days=1)
        home.rotate_key(PASS, clock=clock)
        with pytest.raises(KeyMaterialError) as caught:
            before.issue(record())
        assert type(caught.value) is KeyMaterialError
        assert caught.value.code == "key-material"
        with pytest.raises(KeyMaterialError):
            before._signer.check_current()  # the signer refuses, whoever asks it to sign
        with pytest.raises(KeyMaterialError):
            before.signed_status_lists()
        assert [p.id for p in before.ledger.passports()] == [old.id]
    with Issuer.from_home(home.path, passphrase=PASS, clock=clock) as after:
        assert after.key_id == f"{DID_WEB}#key-2"
        new = after.issue(record())
        assert new.credential["proof"]["verificationMethod"] == f"{DID_WEB}#key-2"  # type: ignore[index,call-overload]
        description: OrganisationDescription = after.home.export()
        for passport, key_id in ((old, f"{DID_WEB}#key-1"), (new, f"{DID_WEB}#key-2")):
            verify_signed(passport.credential, after, key_id)
            proof = passport.credential["proof"]
            assert isinstance(proof, dict)
            window = description.key_window(key_id)
            assert window is not None
            created = datetime.fromisoformat(str(proof["created"]))
            assert window.covers(created)
        assert after.ledger.audit_entries()[-2].action == "rotate-key"


# --- validFrom (M5) --------------------------------------------------------------------------


def test_valid_from_is_the_later_of_issue_time_and_record_validity(
    issuer: Issuer, clock: Clock
) -> None:
    source = record()
    validity = source["validity"]
    assert isinstance(validity, dict)
    validity["valid_from"] = "2026-07-01"  # after the clock's 2026-06-01T10:00:00Z
    future = issuer.issue(source)
    assert future.credential["validFrom"] == "2026-07-01T00:00:00Z"
    assert future.credential["proof"]["created"] == "2026-06-01T10:00:00Z"  # type: ignore[index,call-overload]
    token = issuer.issue(source, format="jwt", reissue=True)
    assert token.credential["validFrom"] == "2026-07-01T00:00:00Z"
    assert token.supersedes == (future.id,)

    validity["valid_from"] = "2026-06-01"  # the same day, before the issue time
    source["record_version"] = 2  # a newer version supersedes without --reissue
    same_day = issuer.issue(source)
    assert same_day.supersedes == (token.id,)
    assert same_day.credential["validFrom"] == "2026-06-01T10:00:00Z"


def test_a_record_whose_evidence_expires_before_its_validity_starts_is_refused(
    issuer: Issuer,
) -> None:
    source = record()
    validity = source["validity"]
    assert isinstance(validity, dict)
    validity["valid_from"] = "2027-10-01"  # mandatory evidence runs out on 2027-09-30
    validity["valid_until"] = "2028-01-01"
    validity["review_due"] = "2027-12-01"
    with pytest.raises(RecordInvalidError) as caught:
        issuer.issue(source)
    assert [p.path for p in caught.value.problems] == ["/validity/valid_from"]
    assert list(issuer.ledger.passports()) == []


# --- reading and serialising once ----------------------------------------------------------


def test_from_home_reads_the_description_once(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_home(tmp_path / "home", clock)
    real = OrganisationDescription.from_json.__func__  # type: ignore[attr-defined]
    calls: list[int] = []

    def counting(cls: type[OrganisationDescription], *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(OrganisationDescription, "from_json", classmethod(counting))
    with Issuer.from_home(tmp_path / "home", passphrase=PASS, clock=clock) as opened:
        assert len(calls) == 1
        opened.issue(record())
        assert len(calls) == 1  # nothing changed on disk: not read again


def test_issue_serialises_the_record_once(issuer: Issuer, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = AssessmentRecord.from_json(record())
    real = AssessmentRecord.to_json
    calls: list[int] = []

    def counting(self: AssessmentRecord) -> JSONObject:
        calls.append(1)
        return real(self)

    monkeypatch.setattr(AssessmentRecord, "to_json", counting)
    passport = issuer.issue(parsed)
    assert len(calls) == 1
    subject = passport.credential["credentialSubject"]
    assert isinstance(subject, dict)
    assert subject["recordDigest"] == sha256_digest(real(parsed))


# --- output files (I4, I5) ----------------------------------------------------------------


def test_a_passport_file_that_cannot_be_written_is_an_output_error(
    issuer: Issuer, tmp_path: Path
) -> None:
    passport = issuer.issue(record())
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(OutputError) as caught:
        passport.write(tmp_path / "a-file" / "passport.json")
    assert caught.value.passport_id == passport.id
    assert caught.value.path == tmp_path / "a-file" / "passport.json"
    assert caught.value.code == "output"
    assert isinstance(caught.value, InnopassError)
    # the ledger keeps it, so it can be written again
    assert issuer.passport(passport.id).credential_text == passport.text()


def test_status_publish_checks_its_directory_before_signing(issuer: Issuer, tmp_path: Path) -> None:
    issuer.issue(record())
    (tmp_path / "a-file").write_text("x")
    blocked = tmp_path / "blocked"
    (blocked / "revocation").mkdir(parents=True)
    (blocked / "revocation" / "1").mkdir()  # where the list file must go
    refused = []
    for target in (tmp_path / "a-file", tmp_path / "a-file" / "sub", blocked):
        with pytest.raises(OutputError) as caught:
            issuer.publish_status_lists(target)
        assert caught.value.code == "output"
        assert caught.value.passport_id is None
        refused.append(caught.value.path)
    assert refused == [
        tmp_path / "a-file",
        tmp_path / "a-file" / "sub",
        blocked / "revocation" / "1",
    ]
    assert [e.action for e in issuer.ledger.audit_entries()] == ["org-init", "issue"]


def test_a_status_list_write_that_fails_is_an_output_error(
    issuer: Issuer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    issuer.issue(record())

    def disk_full(path: Path, data: bytes, *, mode: int = 0o644) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output_module, "atomic_write", disk_full)
    with pytest.raises(OutputError) as caught:
        issuer.publish_status_lists(tmp_path / "out")
    assert caught.value.code == "output"
    assert caught.value.path == tmp_path / "out" / "revocation" / "1"
    assert isinstance(caught.value.__cause__, OSError)
    # the lists were signed and audited before the write failed: the ledger says so
    assert issuer.ledger.audit_entries()[-1].action == "status-publish"


@pytest.mark.parametrize(
    "inside",
    ["keys", "keys/x.json", "organisation.json", "ledger.sqlite", "ledger.sqlite-wal"],
)
def test_outputs_inside_the_home_state_are_refused(issuer: Issuer, inside: str) -> None:
    target = issuer.home.path / inside
    with pytest.raises(OutputError) as as_file:
        issuer.home.check_output_file(target)
    with pytest.raises(OutputError) as as_dir:
        issuer.home.check_output_dir(target)
    assert as_file.value.path == as_dir.value.path == target
    assert as_file.value.code == as_dir.value.code == "output"
    passport = issuer.issue(record())
    before = {p: p.read_bytes() for p in issuer.home.path.rglob("*") if p.is_file()}
    with pytest.raises(OutputError) as publish:
        issuer.publish_status_lists(issuer.home.path / "keys")
    assert publish.value.path == issuer.home.path / "keys"
    assert {p: p.read_bytes() for p in before} == before
    assert passport.id


def test_a_symlink_into_the_home_is_refused(issuer: Issuer, tmp_path: Path) -> None:
    link = tmp_path / "innocent.json"
    link.symlink_to(issuer.home.organisation_path)
    with pytest.raises(OutputError) as caught:
        issuer.home.check_output_file(link)
    assert caught.value.path == link  # the path given, not where it leads
    issuer.home.check_output_file(tmp_path / "fine.json")
    issuer.home.check_output_dir(issuer.home.path / "published")  # beside the state: allowed


# --- passport references (M4) -------------------------------------------------------------


@pytest.mark.parametrize("bad", ["urn:uuid:x y", "urn:", "urn:x:y", "urn:uuid:a\nb", " urn:uuid "])
def test_a_malformed_passport_id_is_a_reference_error(issuer: Issuer, bad: str) -> None:
    with pytest.raises(PassportReferenceError) as by_bundle:
        issuer.bundle(bad)
    with pytest.raises(PassportReferenceError) as direct:
        check_passport_id(bad)
    assert by_bundle.value.code == direct.value.code == "passport-reference"
    assert isinstance(direct.value, MalformedInputError)
    with pytest.raises(PassportNotFoundError) as missing:
        issuer.bundle("urn:uuid:00000000-0000-4000-8000-000000000000")
    assert missing.value.code == "passport-not-found"
    assert missing.value.passport_id == "urn:uuid:00000000-0000-4000-8000-000000000000"
    assert [e.action for e in issuer.ledger.audit_entries()] == ["org-init"]  # nothing signed


# --- trust lists: withdrawal, successor, compromised keys (I8) ----------------------------


def test_trust_list_withdrawal_successor_and_compromised_keys(
    tmp_path: Path, clock: Clock, issuer: Issuer
) -> None:
    OrganisationHome.init(
        tmp_path / "anchor", ods_code="X26", name="National", passphrase=PASS, clock=clock
    )
    issuer.home.rotate_key(PASS, compromised=True, clock=clock)
    rf4 = issuer.home.export(clock=clock)
    r1h = OrganisationHome.init(
        tmp_path / "r1h", ods_code="R1H", name="Barts", passphrase=PASS, clock=clock
    ).export(clock=clock)
    then = datetime(2026, 5, 1, tzinfo=UTC)
    with TrustAnchor.from_home(tmp_path / "anchor", passphrase=PASS, clock=clock) as anchor:
        signed = anchor.sign_trust_list(
            [rf4, r1h], withdrawn={"RF4": then, "R1H": None}, successors={"RF4": "R1H"}
        )
        verify_signed(signed.credential, anchor)
        content = TrustListContent.from_credential(signed.credential)
        entries = {i.ods_code: i for i in content.issuers}
        assert (entries["RF4"].status, entries["RF4"].withdrawn_at) == ("withdrawn", then)
        assert entries["RF4"].successor == "R1H"
        assert (entries["R1H"].status, entries["R1H"].withdrawn_at) == ("withdrawn", clock.now)
        assert entries["R1H"].successor is None
        windows = entries["RF4"].keys
        assert [(k.id, k.compromised) for k in windows] == [
            (f"{DID_WEB}#key-1", True),
            (f"{DID_WEB}#key-2", False),
        ]
        audit = anchor.ledger.audit_entries()[-1].details
        assert audit["successors"] == {"RF4": "R1H"}

        plain = TrustListContent.from_credential(anchor.sign_trust_list([r1h]).credential)
        assert (plain.issuers[0].status, plain.issuers[0].withdrawn_at) == ("active", None)

        versions = len(anchor.ledger.trust_list_versions())
        with pytest.raises(TrustError) as unknown:
            anchor.sign_trust_list([r1h], withdrawn={"RF4": None})  # not among the issuers
        with pytest.raises(TrustError) as itself:
            anchor.sign_trust_list([r1h], successors={"R1H": "R1H"})
        with pytest.raises(MalformedInputError) as not_ods:
            anchor.sign_trust_list([r1h], successors={"R1H": "not an ods"})
        assert unknown.value.code == itself.value.code == "trust"
        assert not_ods.value.code == "malformed"
        assert len(anchor.ledger.trust_list_versions()) == versions


# --- the issuer's parts: a pure builder, a narrow signer, the anchor's role (issue 7) ---------


def test_the_issuer_package_exports_only_its_public_names() -> None:
    assert sorted(innopass.issuer.__all__) == [
        "AuditEntry",
        "IssuedPassport",
        "Issuer",
        "Ledger",
        "OrganisationHome",
        "PassportEntry",
        "PassportFormat",
        "PassportKind",
        "PassportState",
        "PublishedStatusList",
        "Roster",
        "SignedTrustList",
        "Signer",
        "StatusAction",
        "TrustAnchor",
        "TrustListVersion",
        "change_roster",
        "load_roster",
        "roster_changes",
    ]
    for name in innopass.issuer.__all__:
        assert getattr(innopass.issuer, name).__module__.startswith("innopass.issuer._"), name
    # what used to be public here is private, or lives in innopass.errors / innopass._internal
    for gone in (
        "OutputError",
        "PassportNotFoundError",
        "PassportReferenceError",
        "check_passport_id",
        "MIN_PASSPHRASE_LENGTH",
        "passphrase_bytes",
        "default_status_base",
        "ledger",
        "output",
        "trust_list",
    ):
        assert not hasattr(innopass.issuer, gone), gone


class FakeSigner:
    """A :class:`Signer` that is no organisation home: a did:key in memory, counting its use."""

    def __init__(self, ods_code: str = "RF4", name: str = "Barking") -> None:
        self.key: PrivateKey = generate_private_key(KeyType.ED25519)
        did = did_key_from_public_key(self.key.public_key())
        self._key_id = verification_method_id(did)
        self._description = OrganisationDescription(
            ods_code=ods_code,
            name=name,
            did=did,
            did_document=did_key_document(did),
            status_list_base=f"urn:innopass:status:{ods_code}/",
            keys=(KeyWindow(self._key_id),),
        )
        self.checks = 0
        self.signed: list[datetime] = []
        self.checkpoints: list[LedgerCheckpoint] = []
        self.current = True

    @property
    def description(self) -> OrganisationDescription:
        return self._description

    @property
    def key_id(self) -> str:
        return self._key_id

    def check_current(self) -> None:
        self.checks += 1
        if not self.current:
            raise KeyMaterialError("the fake key was rotated")

    def sign(self, document: Mapping[str, Any], *, created: datetime) -> JSONObject:
        self.signed.append(created)
        return add_proof(
            document,
            key=self.key,
            suite=suite_for_key(self.key.key_type),
            options=ProofOptions(verification_method=self._key_id, created=created),
        )

    def sign_jwt(self, credential: Mapping[str, Any], *, issued_at: datetime) -> str:
        self.signed.append(issued_at)
        return sign_vc_jwt(credential, self.key, kid=self._key_id, issued_at=issued_at)

    def publish_checkpoint(self, checkpoint: LedgerCheckpoint) -> None:
        self.checkpoints.append(checkpoint)

    def verify(self, credential: Mapping[str, Any]) -> SignedBy:
        did = self._description.did
        [signed] = verify_data_integrity(
            credential,
            issuer=did,
            resolver=StaticResolver({did: self._description.did_document}),
            suites=SUITES,
        )
        assert signed.method.id == self._key_id
        return signed


T_FAKE = datetime(2026, 6, 1, 10, 0, 0, tzinfo=UTC)


@pytest.fixture
def bare_ledger(tmp_path: Path) -> Iterator[Ledger]:
    """A ledger with no organisation home around it."""
    with Ledger.open(tmp_path / "ledger.sqlite", create=True, clock=lambda: T_FAKE) as opened:
        yield opened


def record_passport(ledger: Ledger, signer: Signer, source: JSONObject) -> PassportEntry:
    """Build, sign and record one passport with nothing but a signer and a ledger."""
    parsed = AssessmentRecord.from_json(source)
    passport_id = f"urn:uuid:{uuid.uuid4()}"
    base = signer.description.status_list_base
    with ledger.transaction() as tx:
        allocations = [tx.allocate_status(p, passport_id) for p in StatusPurpose]
        status = tuple(
            StatusEntry(a.purpose.value, a.index, f"{base}{a.purpose.value}/{a.list_number}")
            for a in allocations
        )
        unsigned = build_passport(
            parsed,
            organisation=signer.description,
            passport_id=passport_id,
            now=T_FAKE,
            status=status,
        )
        credential = signer.sign(unsigned, created=T_FAKE)
        subject = credential["credentialSubject"]
        assert isinstance(subject, dict)
        tx.add_passport(
            PassportEntry(
                id=passport_id,
                record_id=parsed.record_id,
                record_digest=str(subject["recordDigest"]),
                format="di",
                issued_at=T_FAKE,
                valid_until=parsed.effective_valid_until(),
                verification_method=signer.key_id,
                status=tuple(e.to_json() for e in status),
                credential_text=dumps_pretty(credential),
            )
        )
    return ledger.passport(passport_id)


def test_build_passport_is_a_pure_function(monkeypatch: pytest.MonkeyPatch) -> None:
    source = record()
    parsed = AssessmentRecord.from_json(source)
    organisation = FakeSigner().description
    passport_id = "urn:uuid:00000000-0000-4000-8000-0000000000aa"
    base = organisation.status_list_base
    status = (
        StatusEntry("revocation", 7, f"{base}revocation/1"),
        StatusEntry("suspension", 9, f"{base}suspension/1"),
    )
    now = datetime(2026, 6, 1, 10, 0, 0, tzinfo=UTC)

    def forbidden(*args: object, **kwargs: object) -> Any:
        raise AssertionError("build_passport reached for randomness")

    monkeypatch.setattr(uuid, "uuid4", forbidden)
    monkeypatch.setattr("secrets.randbelow", forbidden)
    monkeypatch.setattr("secrets.token_bytes", forbidden)

    def build(at: datetime = now, **changes: Any) -> JSONObject:
        options: dict[str, Any] = {
            "organisation": organisation,
            "passport_id": passport_id,
            "now": at,
            "status": status,
        }
        options.update(changes)
        return build_passport(parsed, **options)

    first, second = build(), build()
    assert first == second
    assert dumps_pretty(first) == dumps_pretty(second)
    assert first is not second
    subject = first["credentialSubject"]
    assert isinstance(subject, dict)
    subject["assessmentRecord"] = {"changed": True}  # a result is its caller's own
    assert build() == second
    assert parsed.to_json() == source  # and the record is not touched
    assert build(record_json=parsed.to_json()) == second

    # each input decides its part, and nothing else decides anything
    assert second["id"] == passport_id
    assert second["issuer"] == {
        "id": organisation.did,
        "type": "NhsOrganisation",
        "name": "Barking",
        "odsCode": "RF4",
    }
    assert second["validFrom"] == "2026-06-01T10:00:00Z"
    assert second["credentialStatus"] == [e.to_json() for e in status]
    assert "proof" not in second
    later = build(now + timedelta(days=1, seconds=1))
    assert later["validFrom"] == "2026-06-02T10:00:01Z"
    assert {k for k in second if second[k] != later[k]} == {"validFrom"}
    assert build(status=())["credentialStatus"] == []
    # before the record's validity starts, the passport holds from its first day
    early = build(datetime(2020, 1, 1, tzinfo=UTC))
    assert early["validFrom"] == "2026-03-16T00:00:00Z" == f"{parsed.validity.valid_from}T00:00:00Z"


def test_the_issuer_signs_what_build_passport_builds(issuer: Issuer, clock: Clock) -> None:
    for fmt in PassportFormat:
        source = record()
        passport = issuer.issue(source, format=fmt)
        unsigned = {k: v for k, v in passport.credential.items() if k != "proof"}
        assert unsigned == build_passport(
            AssessmentRecord.from_json(source),
            organisation=issuer.description,
            passport_id=passport.id,
            now=clock.now,
            status=passport.status,
        )


def test_the_issuer_uses_the_clock_and_id_generator_it_is_given(
    tmp_path: Path, clock: Clock
) -> None:
    make_home(tmp_path / "home", clock)
    fixed = datetime(2026, 6, 2, 8, 15, 30, tzinfo=UTC)
    ids = iter(
        [
            "urn:uuid:00000000-0000-4000-8000-00000000000a",
            "urn:uuid:00000000-0000-4000-8000-00000000000b",
        ]
    )
    drawn: list[int] = []

    def randbelow(n: int) -> int:
        drawn.append(n)
        return 40 + len(drawn)

    with Issuer.from_home(
        tmp_path / "home",
        passphrase=PASS,
        clock=lambda: fixed,
        new_id=lambda: next(ids),
        randbelow=randbelow,
    ) as issuer:
        assert issuer.now() == fixed
        passport = issuer.issue(record())
        credential = passport.credential
        assert passport.id == credential["id"] == "urn:uuid:00000000-0000-4000-8000-00000000000a"
        assert passport.filename() == "00000000-0000-4000-8000-00000000000a.json"
        assert credential["validFrom"] == "2026-06-02T08:15:30Z"
        assert credential["proof"]["created"] == "2026-06-02T08:15:30Z"  # type: ignore[index,call-overload]
        assert [(e.purpose, e.index) for e in passport.status] == [
            ("revocation", 41),
            ("suspension", 42),
            ("message", 43),
        ]
        assert drawn == [MIN_ENTRIES, MIN_ENTRIES, MIN_ENTRIES]
        entry = issuer.passport(passport.id)
        assert entry.issued_at == fixed
        assert issuer.ledger.audit_entries()[-1].at == fixed

        token = issuer.issue(record(), format="jwt")
        assert token.id == "urn:uuid:00000000-0000-4000-8000-00000000000b"
        assert token.token is not None
        assert jwt.decode(token.token, options={"verify_signature": False})["iat"] == int(
            fixed.timestamp()
        )
        for signed in issuer.signed_status_lists():
            assert signed.credential["validFrom"] == "2026-06-02T08:15:30Z"


def test_an_id_generator_that_repeats_itself_is_refused(tmp_path: Path, clock: Clock) -> None:
    make_home(tmp_path / "home", clock)
    same = "urn:uuid:00000000-0000-4000-8000-0000000000ff"
    with Issuer.from_home(
        tmp_path / "home", passphrase=PASS, clock=clock, new_id=lambda: same
    ) as issuer:
        first = issuer.issue(record())
        with pytest.raises(LedgerError) as caught:
            issuer.issue(record())
        assert caught.value.code == "ledger"
        assert [p.id for p in issuer.ledger.passports()] == [first.id] == [same]
        assert [e.action for e in issuer.ledger.audit_entries()] == ["org-init", "issue"]


def test_the_default_passport_ids_are_random_uuids(issuer: Issuer) -> None:
    ids = {issuer.issue(record()).id for _ in range(3)}
    assert len(ids) == 3
    for passport_id in ids:
        assert passport_id.startswith("urn:uuid:")
        assert uuid.UUID(passport_id.removeprefix("urn:uuid:")).version == 4


def test_status_lists_are_signed_with_a_signer_and_a_ledger_alone(bare_ledger: Ledger) -> None:
    signer = FakeSigner()
    as_protocol: Signer = signer  # the fake is a Signer (checked by mypy)
    entries = [record_passport(bare_ledger, as_protocol, record()) for _ in range(2)]
    with bare_ledger.transaction() as tx:
        tx.change_status(entries[0].id, StatusAction.REVOKE)
    signed_at = datetime(2026, 6, 3, 12, 0, 0, tzinfo=UTC)
    signer.signed.clear()
    checks = signer.checks

    lists = sign_status_lists(signer, bare_ledger, clock=lambda: signed_at)
    assert signer.checks == checks + 1  # once, inside the transaction
    assert signer.signed == [signed_at, signed_at, signed_at]
    base = signer.description.status_list_base
    assert [(s.purpose, s.list_number, s.id) for s in lists] == [
        (StatusPurpose.REVOCATION, 1, f"{base}revocation/1"),
        (StatusPurpose.SUSPENSION, 1, f"{base}suspension/1"),
        (StatusPurpose.MESSAGE, 1, f"{base}message/1"),
    ]
    for item in lists:
        assert signer.verify(item.credential).proof.created == signed_at
        parsed = parse_status_list_credential(item.credential)
        assert parsed.issuer == signer.description.did
        assert item.credential["validUntil"] == "2026-06-10T12:00:00Z"
        assert item.path is None
    revocation = decode_bitstring(lists[0].credential["credentialSubject"]["encodedList"])  # type: ignore[index,call-overload]
    revoked = entries[0].allocation(StatusPurpose.REVOCATION).index
    assert bit_at(revocation, revoked)
    assert sum(bin(b).count("1") for b in revocation) == 1
    audit = bare_ledger.audit_entries()[-1]
    assert (audit.action, audit.subject, audit.at) == (
        "status-sign",
        signer.description.did,
        T_FAKE,
    )
    assert audit.details["verificationMethod"] == signer.key_id
    assert audit.details["lists"] == [s.id for s in lists]

    only = sign_status_lists(
        signer,
        bare_ledger,
        clock=lambda: signed_at,
        lists=[(StatusPurpose.SUSPENSION, 1)],
        valid_for=timedelta(hours=1),
        action="custom",
        subject="urn:example:subject",
    )
    assert [s.relative_path for s in only] == ["suspension/1"]
    assert only[0].credential["validUntil"] == "2026-06-03T13:00:00Z"
    last = bare_ledger.audit_entries()[-1]
    assert (last.action, last.subject) == ("custom", "urn:example:subject")


def test_a_signer_that_is_not_current_signs_nothing(bare_ledger: Ledger, tmp_path: Path) -> None:
    signer = FakeSigner()
    entry = record_passport(bare_ledger, signer, record())
    signer.current = False
    signer.signed.clear()
    audited = len(bare_ledger.audit_entries())
    for attempt in (
        lambda: sign_status_lists(signer, bare_ledger, clock=lambda: T_FAKE),
        lambda: build_bundle(signer, bare_ledger, entry.id, clock=lambda: T_FAKE),
        lambda: publish_status_lists(signer, bare_ledger, tmp_path / "out", clock=lambda: T_FAKE),
    ):
        with pytest.raises(KeyMaterialError):
            attempt()
    assert signer.signed == []
    assert len(bare_ledger.audit_entries()) == audited
    assert not (tmp_path / "out").exists()  # checked, not created, before the signer refused

    signer.current = True
    checks = signer.checks
    with pytest.raises(ConfigurationError) as caught:
        sign_status_lists(signer, bare_ledger, clock=lambda: T_FAKE, valid_for=timedelta(0))
    assert caught.value.code == "configuration"
    assert (signer.checks, signer.signed) == (checks, [])  # refused before anything else


def test_a_bundle_is_built_with_a_signer_and_a_ledger_alone(bare_ledger: Ledger) -> None:
    signer = FakeSigner()
    entry = record_passport(bare_ledger, signer, record())
    record_passport(bare_ledger, signer, record())  # another passport, on the same lists
    at = datetime(2026, 6, 4, 9, 0, 0, tzinfo=UTC)
    bundle = build_bundle(signer, bare_ledger, entry.id, clock=lambda: at)
    assert bundle.passport == loads_strict(entry.credential_text)
    assert isinstance(bundle.passport, dict)
    signer.verify(bundle.passport)
    assert bundle.issuer is not None
    assert bundle.issuer.did == signer.description.did
    assert bundle.issuer.exported_at == at
    assert sorted(str(s["id"]) for s in bundle.status_lists) == sorted(
        str(e["statusListCredential"]) for e in entry.status
    )
    for status_list in bundle.status_lists:
        assert signer.verify(status_list).proof.created == at
    audit = bare_ledger.audit_entries()[-1]
    assert (audit.action, audit.subject) == ("bundle", entry.id)
    assert build_bundle(signer, bare_ledger, entry.credential_text, clock=lambda: at).passport == (
        bundle.passport
    )
    with pytest.raises(PassportNotFoundError) as missing:
        build_bundle(
            signer, bare_ledger, "urn:uuid:00000000-0000-4000-8000-000000000000", clock=lambda: at
        )
    assert missing.value.code == "passport-not-found"


def test_status_lists_are_published_with_a_signer_and_a_ledger_alone(
    bare_ledger: Ledger, tmp_path: Path
) -> None:
    signer = FakeSigner()
    record_passport(bare_ledger, signer, record())
    out = tmp_path / "published"
    written = publish_status_lists(signer, bare_ledger, out, clock=lambda: T_FAKE)
    assert [w.path for w in written] == [
        out / "revocation" / "1",
        out / "suspension" / "1",
        out / "message" / "1",
    ]
    for item in written:
        assert item.path is not None
        assert loads_strict(item.path.read_bytes()) == item.credential
        signer.verify(item.credential)
    assert bare_ledger.audit_entries()[-1].action == "status-publish"


def test_an_issuer_needs_only_a_signer_to_sign(tmp_path: Path, bare_ledger: Ledger) -> None:
    signer = FakeSigner()
    nowhere = OrganisationHome(tmp_path / "no-home-here")
    issuer = Issuer(nowhere, signer, ledger=bare_ledger, clock=lambda: T_FAKE)
    passport = issuer.issue(record())
    signer.verify(passport.credential)
    assert passport.verification_method == issuer.key_id == signer.key_id
    assert issuer.did == signer.description.did
    assert passport.credential["issuer"]["id"] == signer.description.did  # type: ignore[index,call-overload]
    token = issuer.issue(record(), format="jwt")
    assert token.token is not None
    verify_vc_jwt(
        parse_compact_jws(token.token),
        issuer=signer.description.did,
        resolver=StaticResolver({signer.description.did: signer.description.did_document}),
        algorithms=["EdDSA"],
    )
    assert issuer.bundle(passport.id).issuer is not None
    assert not (tmp_path / "no-home-here").exists()


def test_the_trust_anchor_is_a_role_of_its_own(tmp_path: Path, clock: Clock) -> None:
    for gone in ("sign_trust_list", "trust_list_versions", "ensure_current_key", "sign_document"):
        assert not hasattr(Issuer, gone), gone
    for issuing in ("issue", "issue_batch", "revoke", "bundle", "publish_status_lists"):
        assert not hasattr(TrustAnchor, issuing), issuing

    anchor_home = OrganisationHome.init(
        tmp_path / "anchor",
        ods_code="X26",
        name="National",
        passphrase=PASS,
        did_web="anchor.nhs.example",
        clock=clock,
    )
    rf4 = make_home(tmp_path / "rf4", clock).export(clock=clock)
    with TrustAnchor.from_home(anchor_home.path, passphrase=PASS, clock=clock) as anchor:
        assert anchor.trust_list_versions() == ()
        signed = []
        for _ in range(3):
            signed.append(anchor.sign_trust_list([rf4]))
            clock.now += timedelta(minutes=1)
        assert [s.version for s in signed] == [1, 2, 3]
        versions = anchor.trust_list_versions()
        assert [v.version for v in versions] == [1, 2, 3]
        assert [v.credential_text for v in versions] == [s.text() for s in signed]
        assert [v.credential_id for v in versions] == [s.credential["id"] for s in signed]
        assert all(v.issuers == (DID_WEB,) for v in versions)
        assert [TrustListContent.from_credential(s.credential).version for s in signed] == [1, 2, 3]
        assert [e.action for e in anchor.ledger.audit_entries()][-3:] == ["trust-list-sign"] * 3

        # a rotation by another process: the anchor's signer refuses and no version is used
        anchor_home.rotate_key(PASS, clock=clock)
        with pytest.raises(KeyMaterialError) as caught:
            anchor.sign_trust_list([rf4])
        assert caught.value.code == "key-material"
        assert len(anchor.trust_list_versions()) == 3
    with TrustAnchor.from_home(anchor_home.path, passphrase=PASS, clock=clock) as again:
        fourth = again.sign_trust_list([rf4])
        assert fourth.version == 4  # the ledger remembers, across sessions and keys
        verify_signed(fourth.credential, again, "did:web:anchor.nhs.example#key-2")


@pytest.mark.parametrize(
    "edit",
    [
        "version = 7",
        "credential_id = 'urn:uuid:another'",
        "signed_at = '2020-01-01T00:00:00Z'",
        "valid_until = '2099-01-01T00:00:00Z'",
        "issuers_json = '[]'",
        "credential = '{}'",
    ],
)
def test_an_edited_trust_list_version_is_ledger_tampering(
    tmp_path: Path, clock: Clock, edit: str
) -> None:
    anchor_home = OrganisationHome.init(
        tmp_path / "anchor", ods_code="X26", name="National", passphrase=PASS, clock=clock
    )
    rf4 = make_home(tmp_path / "rf4", clock).export(clock=clock)
    with TrustAnchor.from_home(anchor_home.path, passphrase=PASS, clock=clock) as anchor:
        anchor.sign_trust_list([rf4])
        assert anchor.ledger.verify().ok
    with sqlite3.connect(anchor_home.path / "ledger.sqlite") as db:
        db.execute(f"UPDATE trust_list_versions SET {edit}")  # noqa: S608
    with Ledger.open(anchor_home.path / "ledger.sqlite", clock=clock) as ledger:
        assert not ledger.verify().ok, edit


def test_a_trust_anchor_signs_with_any_signer(tmp_path: Path, bare_ledger: Ledger) -> None:
    signer = FakeSigner(ods_code="X26", name="National")
    issuers = [FakeSigner().description, FakeSigner(ods_code="R1H", name="Barts").description]
    anchor = TrustAnchor(
        OrganisationHome(tmp_path / "no-home-here"),
        signer,
        ledger=bare_ledger,
        clock=lambda: T_FAKE,
    )
    first = anchor.sign_trust_list(issuers[:1])
    second = anchor.sign_trust_list(issuers, valid_for=timedelta(days=2))
    assert (first.version, second.version) == (1, 2)
    assert signer.checks == 2
    for item in (first, second):
        assert signer.verify(item.credential).proof.created == T_FAKE
    content = TrustListContent.from_credential(second.credential)
    assert [i.did for i in content.issuers] == [d.did for d in issuers]
    assert second.credential["issuer"]["odsCode"] == "X26"  # type: ignore[index,call-overload]
    assert [v.version for v in bare_ledger.trust_list_versions()] == [1, 2]
    with pytest.raises(ConfigurationError):
        anchor.sign_trust_list(issuers, valid_for=timedelta(0))
    assert [v.version for v in anchor.trust_list_versions()] == [1, 2]


# --- VC Data Model 2.0 before signing; other credentials ---------------------------------


def _other_credential(**extra: Any) -> JSONObject:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:1e7d4f2a-4b3c-4d5e-8f60-718293a4b5c6",
        "type": ["VerifiableCredential", "https://example.org/#Membership"],
        "credentialSubject": {"id": "did:example:member", "name": "A member"},
        **extra,
    }


def test_signer_refuses_a_non_conforming_document_and_signs_nothing(issuer: Issuer) -> None:
    signer = issuer._signer
    bad = {**_other_credential(issuer=issuer.did), "credentialSubject": {}}
    for sign in (
        lambda: signer.sign(bad, created=issuer._clock()),
        lambda: signer.sign_jwt(bad, issued_at=issuer._clock()),
    ):
        with pytest.raises(CredentialInvalidError) as info:
            sign()
        assert [(p.failure, p.path) for p in info.value.problems] == [
            (FailureCode.SUBJECT_EMPTY, "/credentialSubject")
        ]
        assert info.value.code == "credential-invalid"


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        ({"id": "not a url"}, FailureCode.ID_INVALID, "/id"),
        (
            {"@context": ["https://www.w3.org/ns/credentials/v2", 7]},
            FailureCode.CONTEXT_INVALID,
            "/@context/1",
        ),
        ({"type": ["VerifiableCredential", "Unmapped"]}, FailureCode.TYPE_INVALID, "/type/1"),
        (
            {"credentialSchema": {"type": "JsonSchema"}},
            FailureCode.ID_INVALID,
            "/credentialSchema/id",
        ),
        ({"termsOfUse": {"id": "urn:x:1"}}, FailureCode.TYPE_INVALID, "/termsOfUse/type"),
        ({"name": {"@value": "x", "extra": 1}}, FailureCode.LANGUAGE_VALUE_INVALID, "/name"),
        (
            {"relatedResource": [{"id": "https://example.org/x"}]},
            FailureCode.RELATED_RESOURCE_INVALID,
            "/relatedResource/0",
        ),
        ({"issuer": "did:web:someone.else.example"}, FailureCode.ISSUER_UNTRUSTED, "/issuer"),
        ({"proof": {"type": "DataIntegrityProof"}}, FailureCode.MALFORMED, "/proof"),
        ({"validFrom": "tomorrow"}, FailureCode.MALFORMED, "/validFrom"),
    ],
)
def test_issue_credential_refuses_non_conforming_input(
    issuer: Issuer, change: JSONObject, code: FailureCode, path: str
) -> None:
    before = len(issuer._ledger.audit_entries())
    for fmt in ("di", "jwt"):
        with pytest.raises(CredentialInvalidError) as info:
            issuer.issue_credential(_other_credential(**change), format=fmt)
        assert (code, path) in {(p.failure, p.path) for p in info.value.problems}
    assert len(issuer._ledger.audit_entries()) == before  # nothing signed, nothing recorded


def test_issue_credential_accepts_other_status_types(issuer: Issuer) -> None:
    """The data model allows status types innopass cannot check: signing them is fine."""
    status = {"id": "https://example.org/status/1", "type": "https://example.org/#Status2017"}
    signed = issuer.issue_credential(_other_credential(credentialStatus=status)).credential
    assert signed["credentialStatus"] == status
    verify_signed(signed, issuer)
