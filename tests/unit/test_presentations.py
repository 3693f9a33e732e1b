"""VC 2.0 presentations: the holder makes them, the verifier checks them and each credential.

The holder's proof must answer the verifier's own challenge and domain (never the
presentation's), be made by the holder's key under ``authentication``, and be
current; each credential inside is verified as a credential with the same trust.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest

from innopass._internal.contexts import CREDENTIALS_V2
from innopass._internal.jose import parse_compact_jws, sign_vp_jwt
from innopass._internal.proof import AUTHENTICATION, ProofOptions, add_proof
from innopass._internal.suites import suite_for_key
from innopass.errors import ConfigurationError, CredentialInvalidError, MalformedInputError
from innopass.holder import Holder
from innopass.keys import KeyType
from innopass.verifier import (
    CheckName,
    CheckStatus,
    FailureCode,
    PresentationResult,
    Verdict,
    VerificationResult,
)
from verifier_factory import (  # noqa: F401 - no_fetching is an autouse fixture
    NOW,
    Org,
    jwt_passport,
    make_verifier,
    no_fetching,
    passport,
)

CHALLENGE = "u3t9Qm1aZ2xZ"
DOMAIN = "r1h.nhs.example"


@pytest.fixture
def org() -> Org:
    return Org.did_key()


@pytest.fixture
def holder() -> Holder:
    return Holder.generate()


def _verifier(org: Org) -> Any:
    return make_verifier(issuers=[org.did], status_lists=org.status_lists())


def _present(holder: Holder, org: Org, fmt: str = "di", **options: Any) -> Any:
    options.setdefault("challenge", CHALLENGE)
    options.setdefault("domain", DOMAIN)
    options.setdefault("now", NOW - timedelta(minutes=5))
    return holder.present([passport(org), jwt_passport(org)], format=fmt, **options)  # type: ignore[arg-type]


def _check(result: PresentationResult, **expected: Any) -> None:
    assert isinstance(result, PresentationResult)
    for name, value in expected.items():
        assert getattr(result, name) == value, (name, result.failures)


@pytest.mark.parametrize("fmt", ["di", "jwt"])
@pytest.mark.parametrize("key_type", list(KeyType))
def test_a_presentation_of_two_passports_verifies(org: Org, key_type: KeyType, fmt: str) -> None:
    holder = Holder.generate(key_type)
    vp = _present(holder, org, fmt)
    result = _verifier(org).verifier.verify_presentation(
        vp, challenge=CHALLENGE, domain=DOMAIN, status_lists=org.status_lists()
    )
    _check(result, verdict=Verdict.VERIFIED, holder=holder.did, challenge_checked=True)
    assert result.domain_checked
    assert [c.name for c in result.checks] == [CheckName.PARSE, CheckName.PROOF]
    assert [c.verdict for c in result.credentials] == [Verdict.VERIFIED, Verdict.VERIFIED]
    assert [c.format for c in result.credentials][1] == "vc+jwt"
    assert result.format == ("vp+jwt" if fmt == "jwt" else holder._key.public_key().cryptosuite)
    assert result.verification_method == holder.verification_method
    result.raise_for_failure()
    # as text too, and through verify_any, which tells a presentation by itself
    text = vp if isinstance(vp, str) else json.dumps(vp)
    again = _verifier(org).verifier.verify_any(text, challenge=CHALLENGE, domain=DOMAIN)
    assert isinstance(again, PresentationResult)
    assert again.verdict is Verdict.INDETERMINATE  # no status lists offered this time
    assert {c.check(CheckName.STATUS).status for c in again.credentials} == {
        CheckStatus.INDETERMINATE
    }
    assert again.check(CheckName.PROOF).status is CheckStatus.PASS


@pytest.mark.parametrize("fmt", ["di", "jwt"])
def test_the_verifiers_challenge_and_domain_are_the_ones_that_count(
    org: Org, holder: Holder, fmt: str
) -> None:
    vp = _present(holder, org, fmt)
    verifier = _verifier(org)
    wrong_challenge = verifier.verifier.verify_presentation(
        vp, challenge="another", domain=DOMAIN, status_lists=org.status_lists()
    )
    assert wrong_challenge.codes == {FailureCode.CHALLENGE_MISMATCH}
    assert wrong_challenge.verdict is Verdict.REJECTED
    wrong_domain = verifier.verifier.verify_presentation(
        vp, challenge=CHALLENGE, domain="evil.example", status_lists=org.status_lists()
    )
    assert wrong_domain.codes == {FailureCode.DOMAIN_MISMATCH}
    unchecked = verifier.verifier.verify_presentation(vp, status_lists=org.status_lists())
    assert unchecked.verified  # the proof is good; the result says what was not checked
    assert (unchecked.challenge_checked, unchecked.domain_checked) == (False, False)


def test_a_presentation_without_a_challenge_fails_when_one_is_expected(
    org: Org, holder: Holder
) -> None:
    vp: dict[str, Any] = {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.did,
        "verifiableCredential": [passport(org)],
    }
    signed = add_proof(
        vp,
        key=holder._key,
        suite=suite_for_key(holder.key_type),
        options=ProofOptions(
            verification_method=holder.verification_method,
            proof_purpose=AUTHENTICATION,
            created=NOW - timedelta(minutes=1),
        ),
    )
    result = _verifier(org).verifier.verify_presentation(signed, challenge=CHALLENGE)
    assert result.codes == {FailureCode.CHALLENGE_MISMATCH}


def test_an_assertion_proof_does_not_authenticate_a_holder(org: Org, holder: Holder) -> None:
    vp: dict[str, Any] = {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.did,
    }
    signed = add_proof(
        vp,
        key=holder._key,
        suite=suite_for_key(holder.key_type),
        options=ProofOptions(
            verification_method=holder.verification_method,
            challenge=CHALLENGE,
            domain=DOMAIN,
            created=NOW - timedelta(minutes=1),
        ),
    )
    result = _verifier(org).verifier.verify_presentation(signed, challenge=CHALLENGE, domain=DOMAIN)
    assert result.codes == {FailureCode.KEY_NOT_AUTHORISED}
    assert result.credentials == ()


def test_another_key_than_the_holders_is_refused(org: Org, holder: Holder) -> None:
    vp = _present(holder, org)
    vp["holder"] = Holder.generate().did  # the proof is the first holder's
    result = _verifier(org).verifier.verify_presentation(vp, challenge=CHALLENGE, domain=DOMAIN)
    assert FailureCode.KEY_NOT_AUTHORISED in result.codes
    assert result.verdict is Verdict.REJECTED


def test_tampering_with_the_presentation_or_a_credential(org: Org, holder: Holder) -> None:
    vp = _present(holder, org)
    vp["verifiableCredential"] = vp["verifiableCredential"][:1]
    result = _verifier(org).verifier.verify_presentation(vp, challenge=CHALLENGE, domain=DOMAIN)
    assert result.codes == {FailureCode.SIGNATURE_INVALID}
    # A credential changed before the holder signed: the holder's proof is good, the
    # credential's is not, and the verdict says so.
    bad = passport(org)
    bad["name"] = "Another name"
    vp2 = holder.present([bad], challenge=CHALLENGE, domain=DOMAIN, now=NOW)
    result2 = _verifier(org).verifier.verify_presentation(
        vp2, challenge=CHALLENGE, domain=DOMAIN, status_lists=org.status_lists()
    )
    assert result2.check(CheckName.PROOF).status is CheckStatus.PASS
    assert result2.credentials[0].codes == {FailureCode.SIGNATURE_INVALID}
    assert result2.verdict is Verdict.REJECTED


def test_expired_and_future_presentations(org: Org, holder: Holder) -> None:
    old = _present(holder, org, now=NOW - timedelta(days=3), valid_for=timedelta(hours=1))
    assert FailureCode.EXPIRED in _verifier(org).verifier.verify_presentation(old).codes
    future = _present(holder, org, now=NOW + timedelta(hours=2))
    assert FailureCode.NOT_YET_VALID in _verifier(org).verifier.verify_presentation(future).codes
    old_jwt = _present(
        holder, org, "jwt", now=NOW - timedelta(days=3), valid_for=timedelta(hours=1)
    )
    assert FailureCode.EXPIRED in _verifier(org).verifier.verify_presentation(old_jwt).codes


def test_unsecured_and_non_conforming_presentations(org: Org) -> None:
    verifier = _verifier(org).verifier
    unsecured = {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [passport(org)],
    }
    result = verifier.verify_presentation(unsecured)
    assert {(f.code, f.path) for f in result.failures} == {(FailureCode.MALFORMED, "/proof")}
    assert result.verdict is Verdict.REJECTED
    nonconforming = verifier.verify_presentation({"type": ["NonconformingDocument"]})
    assert FailureCode.MALFORMED in nonconforming.codes
    strings = {**unsecured, "verifiableCredential": ["https://example.org/vc/1"]}
    assert (FailureCode.MALFORMED, "/verifiableCredential/0") in {
        (f.code, f.path) for f in verifier.verify_presentation(strings).failures
    }
    for garbage in ("", "{", b"\xff", "a.b.c"):
        assert verifier.verify_presentation(garbage).verdict is Verdict.REJECTED


def test_a_credential_is_not_a_presentation_nor_the_reverse(org: Org, holder: Holder) -> None:
    verifier = _verifier(org).verifier
    as_presentation = verifier.verify_presentation(passport(org))
    assert as_presentation.verdict is Verdict.REJECTED
    assert FailureCode.MALFORMED in as_presentation.codes
    as_credential = verifier.verify(_present(holder, org))
    assert as_credential.verdict is Verdict.REJECTED
    auto = verifier.verify_any(passport(org))
    assert isinstance(auto, VerificationResult)
    a_vp_jwt_as_credential = verifier.verify(_present(holder, org, "jwt"))
    assert a_vp_jwt_as_credential.verdict is Verdict.REJECTED


def test_enveloped_presentations(org: Org, holder: Holder) -> None:
    token = _present(holder, org, "jwt")
    envelope = {
        "@context": CREDENTIALS_V2,
        "type": "EnvelopedVerifiablePresentation",
        "id": f"data:application/vp+jwt,{token}",
    }
    verifier = _verifier(org).verifier
    result = verifier.verify_presentation(
        envelope, challenge=CHALLENGE, domain=DOMAIN, status_lists=org.status_lists()
    )
    assert result.verified, result.failures
    auto = verifier.verify_any(envelope, challenge=CHALLENGE, domain=DOMAIN)
    assert isinstance(auto, PresentationResult)
    for change, code in (
        ({"@context": []}, FailureCode.MALFORMED),
        ({"@context": ["https://www.w3.org/ns/credentials/examples/v2"]}, FailureCode.MALFORMED),
        ({"id": token}, FailureCode.ID_INVALID),
        ({"type": ["EnvelopedVerifiablePresentation", "X"]}, FailureCode.TYPE_INVALID),
        ({"id": f"data:application/vp+sd-jwt,{token}"}, FailureCode.UNSUPPORTED_SUITE),
    ):
        bad = verifier.verify_presentation({**envelope, **change}, challenge=CHALLENGE)
        assert code in bad.codes, change
        assert not bad.verified


def test_a_vp_jwt_is_checked_for_its_typ_iss_and_claims(org: Org, holder: Holder) -> None:
    verifier = _verifier(org).verifier
    vp: dict[str, Any] = {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.did,
    }
    signed_at = NOW - timedelta(minutes=1)
    good = sign_vp_jwt(
        vp, holder._key, kid=holder.verification_method, issued_at=signed_at, challenge="c"
    )
    assert parse_compact_jws(good).header["typ"] == "vp+jwt"
    assert verifier.verify_presentation(good, challenge="c").verified
    with_vp_claim = sign_vp_jwt(
        {**vp, "vp": {}}, holder._key, kid=holder.verification_method, issued_at=signed_at
    )
    assert (FailureCode.MALFORMED, "/vp") in {
        (f.code, f.path) for f in verifier.verify_presentation(with_vp_claim).failures
    }
    # a vc+jwt header on a presentation payload: not a presentation token
    head, payload, _ = good.split(".")
    header = json.loads(base64.urlsafe_b64decode(head + "=="))
    header["typ"] = "vc+jwt"
    forged_head = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    result = verifier.verify_presentation(f"{forged_head}.{payload}.AAAA")
    assert (FailureCode.MALFORMED, "/header/typ") in {(f.code, f.path) for f in result.failures}


def test_the_holder_refuses_what_it_cannot_present(org: Org, holder: Holder) -> None:
    with pytest.raises(ConfigurationError):
        holder.present([passport(org)], challenge="", domain=DOMAIN)
    with pytest.raises(ConfigurationError):
        holder.present([passport(org)], challenge=CHALLENGE, domain=" ")
    with pytest.raises(ConfigurationError):
        holder.present([passport(org)], challenge=CHALLENGE, domain=DOMAIN, format="xml")  # type: ignore[arg-type]
    with pytest.raises(MalformedInputError):
        holder.present(["not a jwt"], challenge=CHALLENGE, domain=DOMAIN)
    with pytest.raises(ConfigurationError):
        holder.present([], challenge=CHALLENGE, domain=DOMAIN, valid_for=timedelta(0))
    empty = holder.present([], challenge=CHALLENGE, domain=DOMAIN)
    assert isinstance(empty, dict)
    assert empty["verifiableCredential"] == []
    odd = Holder.generate()
    odd.did = "not a url"  # what is signed is held to the data model, whoever makes it
    with pytest.raises(CredentialInvalidError) as info:
        odd.present([], challenge=CHALLENGE, domain=DOMAIN)
    assert [(p.failure, p.path) for p in info.value.problems] == [
        (FailureCode.ID_INVALID, "/holder")
    ]


def test_holder_key_round_trip(holder: Holder) -> None:
    pem = holder.to_pem("a good passphrase", kdf_iterations=100_000)
    assert b"ENCRYPTED" in pem
    again = Holder.from_pem(pem, passphrase="a good passphrase")
    assert again.did == holder.did
    assert repr(again) == f"Holder({holder.did!r})"
    assert "PRIVATE" not in repr(again)
