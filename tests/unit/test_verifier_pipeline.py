"""The verifier pipeline with real, crafted credentials: happy paths and every proof/record code."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest

from innopass.errors import ConfigurationError, VerificationFailed
from innopass.keys import KeyType
from innopass.verifier import (
    CheckName,
    CheckStatus,
    FailureCode,
    Limits,
    TrustStore,
    Verdict,
    Verifier,
)
from verifier_factory import (
    NOW,
    Org,
    RunVerifier,
    bundle,
    jwt_passport,
    make_verifier,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    passport,
    unsigned_passport,
)


@pytest.fixture(scope="module")
def org() -> Org:
    return Org.did_key()


def _pinned(org: Org, **options: Any) -> RunVerifier:
    return make_verifier(issuers=[org.did], status_lists=org.status_lists(), **options)


# --- happy paths -------------------------------------------------------------------


@pytest.mark.parametrize("key_type", list(KeyType))
def test_data_integrity_passport_verifies(key_type: KeyType) -> None:
    org = Org.did_key(key_type=key_type)
    result = _pinned(org).verify(passport(org))
    assert result.verdict is Verdict.VERIFIED, result.failures
    assert result.verified
    assert result.format == ("eddsa-jcs-2022" if key_type is KeyType.ED25519 else "ecdsa-jcs-2019")
    assert [c.name for c in result.checks] == list(CheckName)
    assert all(c.status is CheckStatus.PASS for c in result.checks)
    assert result.issuer.ods_code == "RF4"  # pinned by DID alone: as the credential claims
    facts = result.passport
    assert facts is not None
    assert facts.assessing_organisation.ods_code == "RF4"
    assert facts.outcome == "approved_with_conditions"
    assert facts.local_actions
    assert facts.conditions
    result.raise_for_failure()


@pytest.mark.parametrize("key_type", list(KeyType))
def test_jwt_passport_verifies(key_type: KeyType) -> None:
    org = Org.did_key(key_type=key_type)
    result = _pinned(org).verify(jwt_passport(org))
    assert result.verdict is Verdict.VERIFIED, result.failures
    assert result.format == "vc+jwt"
    assert result.verification_method == org.keys[0].vm_id


def test_did_web_issuer_via_pinned_description() -> None:
    org = Org.did_web(windows=[(NOW - timedelta(days=365), None)])
    verifier = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists())
    result = verifier.verify(passport(org))
    assert result.verified, result.failures
    assert (result.issuer.ods_code, result.issuer.name) == ("RF4", org.name)


def test_bundle_verifies_with_its_status_lists_and_did_document() -> None:
    org = Org.did_web(windows=[(None, None)])
    # pinned by its description: the bundle's (identical) description adds nothing
    verifier = make_verifier(issuers=[org.organisation()])
    result = verifier.verify(json.dumps(bundle(passport(org), org)))
    assert result.verified, result.failures


def test_bundle_did_document_is_never_key_material() -> None:
    org = Org.did_web(windows=[(None, None)])
    # pinned by DID alone: the bundle's unsigned description may not supply the keys
    verifier = make_verifier(issuers=[org.did])
    result = verifier.verify(json.dumps(bundle(passport(org), org)))
    assert result.verdict is Verdict.INDETERMINATE
    assert FailureCode.KEY_UNRESOLVABLE in result.codes


def test_bundle_with_jwt_passport() -> None:
    org = Org.did_key()
    verifier = make_verifier(issuers=[org.did])
    result = verifier.verify(json.dumps(bundle(jwt_passport(org), org)).encode())
    assert result.verified, result.failures
    assert result.format == "vc+jwt"


def test_bundle_never_makes_an_issuer_trusted() -> None:
    org = Org.did_web()
    result = make_verifier().verify(bundle(passport(org), org))
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.ISSUER_UNTRUSTED in result.codes
    # nor supplies the keys: an untrusted did:web has no trusted document offline
    assert FailureCode.KEY_UNRESOLVABLE in result.codes


def test_accepts_text_bytes_and_parsed_json(org: Org) -> None:
    credential = passport(org)
    verifier = _pinned(org)
    for form in (credential, json.dumps(credential), json.dumps(credential).encode()):
        assert verifier.verify(form).verified


# --- proof -------------------------------------------------------------------------


def test_tampered_subject_is_signature_invalid(org: Org) -> None:
    credential = passport(org)
    credential["credentialSubject"]["assessmentRecord"]["outcome"]["decision"] = "approved"
    result = _pinned(org).verify(credential)
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.SIGNATURE_INVALID in result.codes
    # the record check still runs and sees the digest no longer matches
    assert FailureCode.DIGEST_MISMATCH in result.codes


def test_wrong_key_is_signature_invalid(org: Org) -> None:
    other = Org.did_key()
    credential = passport(other)
    # claim the first org's key while the signature is by another key
    credential["proof"]["verificationMethod"] = org.keys[0].vm_id
    credential["issuer"]["id"] = org.did
    result = _pinned(org).verify(credential)
    assert FailureCode.SIGNATURE_INVALID in result.codes
    assert result.verdict is Verdict.REJECTED


def test_key_of_another_did_is_not_authorised(org: Org) -> None:
    other = Org.did_key()
    credential = other.sign(unsigned_passport(org))  # issuer = org, key = other's
    result = make_verifier(issuers=[org.did, other.did], status_lists=org.status_lists()).verify(
        credential
    )
    assert FailureCode.KEY_NOT_AUTHORISED in result.codes
    assert result.verdict is Verdict.REJECTED


def test_key_not_under_assertion_method() -> None:
    org = Org.did_web(windows=[(None, None), (None, None)], authorise=[0])
    verifier = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists())
    result = verifier.verify(passport(org, key=1))
    assert FailureCode.KEY_NOT_AUTHORISED in result.codes
    assert result.verdict is Verdict.REJECTED


def test_key_not_in_did_document() -> None:
    org = Org.did_web()
    credential = unsigned_passport(org)
    signed = org.sign(credential)
    signed["proof"]["verificationMethod"] = f"{org.did}#key-9"
    verifier = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists())
    assert FailureCode.KEY_NOT_FOUND in verifier.verify(signed).codes


def test_suite_outside_allow_list_is_indeterminate() -> None:
    org = Org.did_key(key_type=KeyType.P256)
    verifier = _pinned(org, suites=("eddsa-jcs-2022",))
    result = verifier.verify(passport(org))
    # its status lists use the same suite, so status cannot be checked either
    assert result.codes == {FailureCode.UNSUPPORTED_SUITE, FailureCode.STATUS_UNAVAILABLE}
    assert result.verdict is Verdict.INDETERMINATE


def test_unknown_cryptosuite_name_is_unsupported(org: Org) -> None:
    credential = passport(org)
    credential["proof"]["cryptosuite"] = "bbs-2023"
    result = _pinned(org).verify(credential)
    assert FailureCode.UNSUPPORTED_SUITE in result.codes
    assert not result.verified


def test_missing_proof_is_malformed(org: Org) -> None:
    result = _pinned(org).verify(unsigned_passport(org))
    assert FailureCode.MALFORMED in result.codes
    assert result.check(CheckName.PROOF).status is CheckStatus.FAIL


def test_proof_purpose_must_be_assertion(org: Org) -> None:
    credential = passport(org)
    credential["proof"]["proofPurpose"] = "authentication"
    assert FailureCode.KEY_NOT_AUTHORISED in _pinned(org).verify(credential).codes


def test_did_web_without_document_offline_is_indeterminate_not_fetched() -> None:
    org = Org.did_web()
    verifier = make_verifier(issuers=[org.did], status_lists=org.status_lists())
    result = verifier.verify(passport(org))
    assert FailureCode.KEY_UNRESOLVABLE in result.codes
    assert result.verdict is Verdict.INDETERMINATE


# --- validity ----------------------------------------------------------------------


def test_expired(org: Org) -> None:
    credential = passport(org, valid_until=NOW - timedelta(days=1))
    result = _pinned(org).verify(credential)
    assert result.codes == {FailureCode.EXPIRED}
    assert result.verdict is Verdict.REJECTED


def test_not_yet_valid(org: Org) -> None:
    credential = passport(org, valid_from=NOW + timedelta(days=1))
    result = _pinned(org).verify(credential)
    assert result.codes == {FailureCode.NOT_YET_VALID}


def test_clock_skew_is_allowed(org: Org) -> None:
    credential = passport(org, valid_from=NOW + timedelta(minutes=2))
    assert _pinned(org).verify(credential).verified
    strict = _pinned(org, limits=Limits(max_clock_skew=timedelta(0)))
    assert strict.verify(credential).codes == {FailureCode.NOT_YET_VALID}


def test_proof_made_in_the_future_is_not_yet_valid(org: Org) -> None:
    credential = passport(org, created=NOW + timedelta(hours=2))
    assert FailureCode.NOT_YET_VALID in _pinned(org).verify(credential).codes


# --- record ------------------------------------------------------------------------


def test_not_a_passport_still_checks_everything_else(org: Org) -> None:
    credential = unsigned_passport(org)
    # another issuer's context (one innopass does not hold: its terms are given the benefit
    # of the doubt), so the data model is kept but this is not an innopass passport
    credential["@context"] = [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/undefined-terms/v2",
    ]
    result = _pinned(org).verify(org.sign(credential))
    assert result.codes == {FailureCode.NOT_A_PASSPORT}
    for name in (CheckName.PROOF, CheckName.ISSUER, CheckName.VALIDITY, CheckName.STATUS):
        assert result.check(name).status is CheckStatus.PASS


def test_passport_terms_without_their_context_are_type_invalid(org: Org) -> None:
    """Without the innopass context, InnovatorPassport (and the subject's and issuer's types)
    are terms no context in force defines: the data model is broken, not just the profile."""
    credential = unsigned_passport(org)
    credential["@context"] = ["https://www.w3.org/ns/credentials/v2"]
    result = _pinned(org).verify(org.sign(credential))
    invalid = {f.path for f in result.failures if f.code is FailureCode.TYPE_INVALID}
    assert invalid == {"/type/1", "/issuer/type", "/credentialSubject/type"}
    assert result.check(CheckName.PARSE).status is CheckStatus.FAIL
    assert result.check(CheckName.PROOF).status is CheckStatus.PASS
    assert result.verdict is Verdict.REJECTED


def test_schema_invalid_record_lists_paths(org: Org) -> None:
    credential = unsigned_passport(org)
    record = credential["credentialSubject"]["assessmentRecord"]
    record["profile"] = "spaceship"
    record["product"]["name"] = ""
    credential["credentialSubject"]["recordDigest"] = _digest(record)
    result = _pinned(org).verify(org.sign(credential))
    schema = [f for f in result.failures if f.code is FailureCode.SCHEMA_INVALID]
    paths = {f.path for f in schema}
    assert "/credentialSubject/assessmentRecord/profile" in paths
    assert result.verdict is Verdict.REJECTED


def test_digest_mismatch(org: Org) -> None:
    credential = unsigned_passport(org)
    credential["credentialSubject"]["recordDigest"] = "0" * 64
    result = _pinned(org).verify(org.sign(credential))
    assert result.codes == {FailureCode.DIGEST_MISMATCH}


def test_schema_digest_sri_must_match(org: Org) -> None:
    credential = unsigned_passport(org)
    credential["credentialSchema"]["digestSRI"] = "sha384-AAAA"
    result = _pinned(org).verify(org.sign(credential))
    assert result.codes == {FailureCode.DIGEST_MISMATCH}
    assert result.failures[0].path == "/credentialSchema/digestSRI"


def test_record_assessor_must_be_the_issuer() -> None:
    org = Org.did_web(ods="R1H", name="BARTS HEALTH NHS TRUST")
    verifier = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists())
    result = verifier.verify(passport(org))  # the device record names RF4 as assessor
    assert FailureCode.ISSUER_UNTRUSTED in result.codes


# --- parse -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"a": 1, "a": 2}',
        b"\xff\xfe",
        b"a.b.c",
        b'{"@context": ["https://www.w3.org/2018/credentials/v1"], "type": "VerifiableCredential"}',
        "{" * 200 + "}" * 200,
    ],
)
def test_garbage_is_rejected_malformed_never_raises(data: bytes | str) -> None:
    result = make_verifier().verify(data)
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.MALFORMED in result.codes
    assert result.check(CheckName.PARSE).status is CheckStatus.FAIL


def test_oversized_input_is_malformed(org: Org) -> None:
    verifier = _pinned(org, limits=Limits(max_bytes=1000))
    assert FailureCode.MALFORMED in verifier.verify(passport(org)).codes


def test_non_json_mapping_is_malformed() -> None:
    assert FailureCode.MALFORMED in make_verifier().verify({"a": object()}).codes


def test_missing_issuer_skips_dependent_checks_but_never_verifies(org: Org) -> None:
    credential = passport(org)
    del credential["issuer"]
    result = _pinned(org).verify(credential)
    assert result.verdict is Verdict.REJECTED
    assert result.check(CheckName.PROOF).status is CheckStatus.SKIPPED


def test_bad_bundle_is_malformed() -> None:
    result = make_verifier().verify({"type": "InnopassBundle", "passport": 3})
    assert FailureCode.MALFORMED in result.codes


# --- configuration -----------------------------------------------------------------


def test_empty_trust_store_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        Verifier(TrustStore())
    assert Verifier(TrustStore(), trust_no_one=True).trust.is_empty()


@pytest.mark.parametrize(
    "options",
    [
        {"suites": ("eddsa-rdfc-2022",)},
        {"suites": ()},
        {"jose_algorithms": ("HS256",)},
        {"jose_algorithms": ("none",)},
        {"cache_size": -1},
    ],
)
def test_bad_configuration_raises_at_construction(options: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        Verifier(TrustStore(), trust_no_one=True, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "limits",
    [
        {"max_clock_skew": timedelta(seconds=-1)},
        {"status_max_age": timedelta(0)},
        {"max_bytes": 0},
        {"max_depth": 0},
        {"max_proofs": 0},
        {"fetch_timeout": 0},
    ],
)
def test_bad_limits_raise_when_made(limits: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        Limits(**limits)  # type: ignore[arg-type]


def test_untrusted_issuer_on_empty_store_runs_other_checks(org: Org) -> None:
    result = make_verifier(status_lists=org.status_lists()).verify(passport(org))
    assert result.codes == {FailureCode.ISSUER_UNTRUSTED}
    assert result.check(CheckName.PROOF).status is CheckStatus.PASS
    assert result.check(CheckName.STATUS).status is CheckStatus.PASS
    with pytest.raises(VerificationFailed) as info:
        result.raise_for_failure()
    assert info.value.result is result


def test_every_failure_is_collected(org: Org) -> None:
    credential = unsigned_passport(org, valid_until=NOW - timedelta(days=1))
    credential["credentialSubject"]["recordDigest"] = "0" * 64
    signed = org.sign(credential)
    signed["name"] = "tampered"
    result = make_verifier().verify(signed)
    assert {
        FailureCode.SIGNATURE_INVALID,
        FailureCode.ISSUER_UNTRUSTED,
        FailureCode.EXPIRED,
        FailureCode.STATUS_UNAVAILABLE,
        FailureCode.DIGEST_MISMATCH,
    } <= result.codes


def _digest(record: object) -> str:
    from innopass._internal.canonical import sha256_digest

    return sha256_digest(copy.deepcopy(record))
