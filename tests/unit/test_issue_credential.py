"""Issuer.issue_credential: VC 2.0 credentials other than passports, signed with status."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from innopass.errors import CredentialInvalidError, FailureCode, StatusChangeError
from innopass.issuer import Issuer, OrganisationHome, PassportState
from innopass.verifier import TrustStore, Verifier

pytestmark = pytest.mark.usefixtures("fast_kdf")

PASS = "issue-credential passphrase"
NOW = datetime(2026, 6, 1, 10, 0, 0, tzinfo=UTC)


@pytest.fixture
def issuer(tmp_path: Path) -> Iterator[Issuer]:
    OrganisationHome.init(
        tmp_path / "home",
        ods_code="RF4",
        name="Barking",
        passphrase=PASS,
        did_web="rf4.nhs.example",
        clock=lambda: NOW,
    )
    with Issuer.from_home(tmp_path / "home", passphrase=PASS, clock=lambda: NOW) as opened:
        yield opened


def credential(org: Issuer, **changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            {
                "ExampleAlumniCredential": "https://example.org/examples#ExampleAlumniCredential",
                "alumniOf": "https://schema.org/alumniOf",
            },
        ],
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "issuer": org.did,
        "credentialSubject": {"id": "did:example:subject", "alumniOf": "Example University"},
    }
    value.update(changes)
    return value


def verifier(issuer: Issuer) -> Verifier:
    return Verifier(TrustStore().with_issuer(issuer.description), clock=lambda: NOW)


def problem_paths(exc: pytest.ExceptionInfo[CredentialInvalidError]) -> set[str]:
    return {p.path for p in exc.value.problems}


def test_a_credential_is_signed_with_status_an_id_and_a_validity(issuer: Issuer) -> None:
    issued = issuer.issue_credential(credential(issuer))
    signed = issued.credential
    assert signed["id"] == issued.id
    assert issued.id.startswith("urn:uuid:")
    assert signed["validUntil"] == "2027-06-01T10:00:00Z"  # a year, by default
    entries = signed["credentialStatus"]
    assert isinstance(entries, list)
    assert [e["statusPurpose"] for e in entries if isinstance(e, dict)] == [
        "revocation",
        "suspension",
    ]
    lists = [s.credential for s in issuer.signed_status_lists()]
    result = verifier(issuer).verify(signed, status_lists=lists)
    assert result.verified is False  # not a passport: only the record check fails
    assert result.codes == {FailureCode.NOT_A_PASSPORT}
    assert issuer.passport(issued.id).format == "di"


def test_status_changes_apply_to_it_like_a_passport(issuer: Issuer) -> None:
    issued = issuer.issue_credential(credential(issuer))
    assert issuer.revoke(issued.id).state is PassportState.REVOKED
    with pytest.raises(StatusChangeError):
        issuer.reinstate(issued.id)
    lists = [s.credential for s in issuer.signed_status_lists()]
    result = verifier(issuer).verify(issued.credential, status_lists=lists)
    assert FailureCode.REVOKED in result.codes


def test_one_purpose_gives_one_entry_object(issuer: Issuer) -> None:
    from innopass.status import StatusPurpose

    issued = issuer.issue_credential(credential(issuer), purposes=[StatusPurpose.REVOCATION])
    assert isinstance(issued.credential["credentialStatus"], dict)


def test_jwt_format(issuer: Issuer) -> None:
    issued = issuer.issue_credential(credential(issuer), format="jwt")
    assert issued.token is not None
    assert issued.token.count(".") == 2
    lists = [s.credential for s in issuer.signed_status_lists()]
    result = verifier(issuer).verify(issued.token, status_lists=lists)
    assert result.codes == {FailureCode.NOT_A_PASSPORT}


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"@context": ["https://www.w3.org/2018/credentials/v1"]}, "/@context"),
        ({"type": ["ExampleAlumniCredential"]}, "/type"),
        ({"type": ["VerifiableCredential", "InnovatorPassport"]}, "/type"),
        ({"issuer": "did:web:someone.else.example"}, "/issuer"),
        ({"issuer": {"id": "did:web:someone.else.example"}}, "/issuer"),
        ({"issuer": None}, "/issuer"),
        ({"issuer": {"id": None, "name": "Nobody"}}, "/issuer"),
        ({"proof": {"type": "DataIntegrityProof"}}, "/proof"),
        ({"id": 7}, "/id"),
        ({"validFrom": "yesterday"}, "/validFrom"),
        (
            {"validFrom": "2026-06-02T00:00:00Z", "validUntil": "2026-06-01T00:00:00Z"},
            "/validUntil",
        ),
    ],
)
def test_what_the_organisation_refuses_to_sign(
    issuer: Issuer, changes: dict[str, Any], path: str
) -> None:
    with pytest.raises(CredentialInvalidError) as exc:
        issuer.issue_credential({**credential(issuer), **changes})
    assert exc.value.code == "credential-invalid"
    assert path in problem_paths(exc)
    assert list(issuer.ledger.passports()) == []  # nothing recorded, nothing allocated
    assert issuer.ledger.all_allocations() == ()


def test_entries_in_the_organisations_own_lists_are_only_allocated(issuer: Issuer) -> None:
    own = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": issuer.description.status_list_base + "revocation/1",
    }
    with pytest.raises(CredentialInvalidError) as exc:
        issuer.issue_credential(credential(issuer, credentialStatus=[own]))
    assert problem_paths(exc) == {"/credentialStatus/0"}


def test_status_of_another_mechanism_is_signed_as_given(issuer: Issuer) -> None:
    theirs = {"id": "https://status.example/1#5", "type": "https://status.example/ns#StatusEntry"}
    issued = issuer.issue_credential(credential(issuer, credentialStatus=theirs))
    assert issued.credential["credentialStatus"] == theirs
    assert issued.status == ()
    assert issuer.ledger.all_allocations() == ()


def test_types_the_organisation_is_not_configured_to_sign(issuer: Issuer) -> None:
    with pytest.raises(CredentialInvalidError) as exc:
        issuer.issue_credential(credential(issuer), types={"SomethingElse"})
    assert problem_paths(exc) == {"/type"}
    issuer.issue_credential(credential(issuer), types={"ExampleAlumniCredential"})


def test_an_absent_issuer_is_this_organisation(issuer: Issuer) -> None:
    bare = credential(issuer)
    del bare["issuer"]
    assert issuer.issue_credential(bare).credential["issuer"] == issuer.did
    named = credential(issuer, issuer={"name": "Barking"})
    assert issuer.issue_credential(named).credential["issuer"] == {
        "id": issuer.did,
        "name": "Barking",
    }


def test_a_past_validity_is_signed_as_given(issuer: Issuer) -> None:
    past = credential(issuer, validUntil="2020-01-01T00:00:00Z")
    issued = issuer.issue_credential(past)
    assert issued.credential["validUntil"] == "2020-01-01T00:00:00Z"


def test_issuing_is_idempotent_by_id_and_refuses_a_reused_id(issuer: Issuer) -> None:
    first = issuer.issue_credential(credential(issuer, id="urn:uuid:same"))
    again = issuer.issue_credential(credential(issuer, id="urn:uuid:same"))
    assert again.credential == first.credential
    assert again.status == first.status
    assert len(issuer.ledger.all_allocations()) == 2
    with pytest.raises(CredentialInvalidError) as exc:
        issuer.issue_credential(credential(issuer, id="urn:uuid:same", name="different"))
    assert problem_paths(exc) == {"/id"}
    with pytest.raises(CredentialInvalidError):
        issuer.issue_credential(credential(issuer, id="urn:uuid:same"), format="jwt")
    jwt_first = issuer.issue_credential(credential(issuer, id="urn:uuid:jwt"), format="jwt")
    jwt_again = issuer.issue_credential(credential(issuer, id="urn:uuid:jwt"), format="jwt")
    assert jwt_again.token == jwt_first.token


def test_the_submitted_credential_is_not_changed(issuer: Issuer) -> None:
    submitted = credential(issuer)
    before = copy.deepcopy(submitted)
    issuer.issue_credential(submitted, valid_for=timedelta(days=1))
    assert submitted == before


def test_every_issue_is_audited(issuer: Issuer) -> None:
    issued = issuer.issue_credential(credential(issuer))
    entry = issuer.ledger.audit_entries()[-1]
    assert (entry.action, entry.subject) == ("issue", issued.id)
    assert entry.details["kind"] == "credential"
    assert issuer.ledger.verify_audit_chain() >= 2
    issuer.revoke(issued.id)
    issuer.ledger.require_intact()  # the tables agree with the chain's replay
