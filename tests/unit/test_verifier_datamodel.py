"""The verifier reports VC Data Model 2.0 problems, reads enveloped credentials, and reports
status types it cannot check as ``status-type-unsupported`` (indeterminate), not malformed."""

from __future__ import annotations

import base64
import copy
import json
import urllib.parse
from typing import Any

import pytest

from innopass._internal.contexts import CREDENTIALS_V2
from innopass.verifier import CheckName, CheckStatus, FailureCode, Verdict
from verifier_factory import (  # noqa: F401 - no_fetching is an autouse fixture
    NOW,
    Org,
    bundle,
    jwt_passport,
    make_verifier,
    no_fetching,
    passport,
)


@pytest.fixture
def org() -> Org:
    return Org.did_key()


def _generic(org: Org, **extra: Any) -> dict[str, Any]:
    return {
        "@context": [CREDENTIALS_V2],
        "id": "urn:uuid:6a2c1f3e-8f4b-4c4e-9f43-0d5e3a6b7c21",
        "type": ["VerifiableCredential"],
        "issuer": org.did,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", "name": "A thing"},
        **extra,
    }


def _pinned(org: Org) -> Any:
    return make_verifier(issuers=[org.did], status_lists=org.status_lists())


def _parse_codes(result: Any) -> set[tuple[FailureCode, str]]:
    return {(f.code, f.path) for f in result.failures if f.check is CheckName.PARSE}


def test_a_conforming_generic_credential_verifies_but_is_not_a_passport(org: Org) -> None:
    result = _pinned(org).verify(org.sign(_generic(org)))
    assert result.codes == {FailureCode.NOT_A_PASSPORT}
    assert result.check(CheckName.PARSE).status is CheckStatus.PASS
    assert result.check(CheckName.PROOF).status is CheckStatus.PASS


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"@context": [CREDENTIALS_V2, 5]}, (FailureCode.CONTEXT_INVALID, "/@context/1")),
        ({"id": "not a url"}, (FailureCode.ID_INVALID, "/id")),
        ({"type": ["VerifiableCredential", "Nope"]}, (FailureCode.TYPE_INVALID, "/type/1")),
        ({"evidence": {"id": "urn:x:1"}}, (FailureCode.TYPE_INVALID, "/evidence/type")),
        ({"name": {"@value": "x", "url": "y"}}, (FailureCode.LANGUAGE_VALUE_INVALID, "/name")),
        ({"credentialSubject": {}}, (FailureCode.SUBJECT_EMPTY, "/credentialSubject")),
        (
            {"relatedResource": [{"id": CREDENTIALS_V2}]},
            (FailureCode.RELATED_RESOURCE_INVALID, "/relatedResource/0"),
        ),
        (
            {"relatedResource": {"id": CREDENTIALS_V2, "digestSRI": "sha256-" + "A" * 43 + "="}},
            (FailureCode.DIGEST_MISMATCH, "/relatedResource/digestSRI"),
        ),
    ],
)
def test_data_model_problems_are_reported_under_parse(
    org: Org, change: dict[str, Any], expected: tuple[FailureCode, str]
) -> None:
    """Signed as they are (so the proof verifies): the data model alone rejects them."""
    result = _pinned(org).verify(org.sign(_generic(org, **change)))
    assert _parse_codes(result) == {expected}
    assert result.check(CheckName.PARSE).status is CheckStatus.FAIL
    assert result.check(CheckName.PROOF).status is CheckStatus.PASS
    assert result.verdict is Verdict.REJECTED


def test_a_verifier_can_hold_related_resources(org: Org) -> None:
    policy = b"our acceptance policy"
    digest = "sha256-" + base64.b64encode(__import__("hashlib").sha256(b"other").digest()).decode()
    credential = org.sign(
        _generic(org, relatedResource={"id": "https://example.org/policy", "digestSRI": digest})
    )
    assert _parse_codes(_pinned(org).verify(credential)) == set()
    holding = make_verifier(issuers=[org.did], resources={"https://example.org/policy": policy})
    assert _parse_codes(holding.verify(credential)) == {
        (FailureCode.DIGEST_MISMATCH, "/relatedResource/digestSRI")
    }


def test_validity_format_is_reported_once_under_parse(org: Org) -> None:
    result = _pinned(org).verify(org.sign(_generic(org, validFrom="yesterday")))
    assert [(f.code, f.path, f.check) for f in result.failures if f.path == "/validFrom"] == [
        (FailureCode.MALFORMED, "/validFrom", CheckName.PARSE)
    ]
    assert result.check(CheckName.VALIDITY).status is CheckStatus.SKIPPED
    reversed_period = _generic(org, validUntil="2025-01-01T00:00:00Z")
    assert (FailureCode.MALFORMED, "/validUntil") in _parse_codes(
        _pinned(org).verify(org.sign(reversed_period))
    )


# --- status types ----------------------------------------------------------------------


def test_other_status_types_are_unsupported_not_malformed(org: Org) -> None:
    other = {"id": "https://example.org/status/1", "type": "https://example.org/#StatusList2017"}
    result = _pinned(org).verify(org.sign(_generic(org, credentialStatus=other)))
    status = [f for f in result.failures if f.check is CheckName.STATUS]
    assert [(f.code, f.path) for f in status] == [
        (FailureCode.STATUS_TYPE_UNSUPPORTED, "/credentialStatus/type")
    ]
    assert result.check(CheckName.STATUS).status is CheckStatus.INDETERMINATE
    assert FailureCode.STATUS_TYPE_UNSUPPORTED.family == "unverifiable"


def test_a_passport_with_an_extra_unsupported_status_is_indeterminate(org: Org) -> None:
    """Its Bitstring entries are still checked; the other one makes the verdict indeterminate."""
    credential = passport(org)
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    entries = list(unsigned["credentialStatus"])
    entries.append({"type": "https://example.org/#RefreshStatus"})
    unsigned["credentialStatus"] = entries
    result = _pinned(org).verify(org.sign(unsigned))
    assert result.codes == {FailureCode.STATUS_TYPE_UNSUPPORTED}
    assert result.verdict is Verdict.INDETERMINATE
    org.set_bit("revocation", int(entries[0]["statusListIndex"]))
    revoked = make_verifier(issuers=[org.did], status_lists=org.status_lists()).verify(
        org.sign(unsigned)
    )
    assert FailureCode.REVOKED in revoked.codes
    assert revoked.verdict is Verdict.REJECTED


# --- enveloped credentials -------------------------------------------------------------


def _enveloped(token: str, media_type: str = "application/vc+jwt", **extra: Any) -> dict[str, Any]:
    return {
        "@context": CREDENTIALS_V2,
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:{media_type},{token}",
        **extra,
    }


def test_an_enveloped_jwt_passport_verifies(org: Org) -> None:
    token = jwt_passport(org)
    plain = _pinned(org).verify(token)
    result = _pinned(org).verify(_enveloped(token))
    assert result.verified, result.failures
    assert (result.format, result.credential_id) == (plain.format, plain.credential_id)
    assert _pinned(org).verify(json.dumps(_enveloped(token))).verified
    as_list = {
        **_enveloped(token),
        "@context": [CREDENTIALS_V2],
        "type": ["EnvelopedVerifiableCredential"],
    }
    assert _pinned(org).verify(as_list).verified
    b64 = base64.b64encode(token.encode()).decode()
    assert _pinned(org).verify(_enveloped(b64, "application/vc+jwt;base64")).verified
    quoted = _enveloped(urllib.parse.quote(token, safe=""))
    assert _pinned(org).verify(quoted).verified


def test_an_enveloped_jwt_passport_in_a_bundle_verifies(org: Org) -> None:
    made = bundle(jwt_passport(org), org)
    made["passport"] = _enveloped(str(made["passport"]))
    result = make_verifier(issuers=[org.did]).verify(made)
    assert result.verified, result.failures


def test_a_tampered_enveloped_jwt_is_a_bad_signature(org: Org) -> None:
    head, payload, signature = jwt_passport(org).split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    result = _pinned(org).verify(_enveloped(f"{head}.{payload}.{flipped}"))
    assert FailureCode.SIGNATURE_INVALID in result.codes


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"@context": []}, (FailureCode.MALFORMED, "/@context")),
        (
            {"@context": "https://www.w3.org/ns/credentials/examples/v2"},
            (FailureCode.MALFORMED, "/@context"),
        ),
        ({"type": "VerifiableCredential"}, None),  # then it is no envelope: not a VC at all
        ({"type": ["EnvelopedVerifiableCredential", "Other"]}, (FailureCode.TYPE_INVALID, "/type")),
    ],
)
def test_bad_envelopes_are_rejected(
    org: Org, change: dict[str, Any], expected: tuple[FailureCode, str] | None
) -> None:
    result = _pinned(org).verify({**_enveloped(jwt_passport(org)), **change})
    assert result.verdict is Verdict.REJECTED
    if expected is not None:
        assert expected in _parse_codes(result)


def test_an_envelope_id_must_be_a_data_url(org: Org) -> None:
    token = jwt_passport(org)
    bare = {**_enveloped(token), "id": token}
    assert _parse_codes(_pinned(org).verify(bare)) == {(FailureCode.ID_INVALID, "/id")}
    no_comma = {**_enveloped(token), "id": "data:application/vc+jwt;" + token}
    result = _pinned(org).verify(no_comma)
    assert (FailureCode.MALFORMED, "/id") in _parse_codes(result)
    bad_b64 = _enveloped("!!!", "application/vc+jwt;base64")
    assert (FailureCode.MALFORMED, "/id") in _parse_codes(_pinned(org).verify(bad_b64))
    not_a_jws = _enveloped("not-a-jws")
    assert (FailureCode.MALFORMED, "/id") in _parse_codes(_pinned(org).verify(not_a_jws))


@pytest.mark.parametrize("media_type", ["application/vc+sd-jwt", "application/vc+cose;base64"])
def test_enveloped_formats_innopass_does_not_read_are_unsupported(
    org: Org, media_type: str
) -> None:
    result = _pinned(org).verify(_enveloped("eyJhbGciOiJFUzI1NiJ9.e30.sig", media_type))
    assert _parse_codes(result) == {(FailureCode.UNSUPPORTED_SUITE, "/id")}
    assert result.verdict is Verdict.INDETERMINATE


def test_envelope_does_not_change_the_input(org: Org) -> None:
    given = _enveloped(jwt_passport(org))
    before = copy.deepcopy(given)
    _pinned(org).verify(given)
    assert given == before
    assert NOW  # the factory's clock is the one the tokens were signed for
