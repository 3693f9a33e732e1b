"""Hardening of the verifier pipeline: claimed identity, time limits, future trust lists, JOSE.

Every test uses a really signed credential, so a failure is the rule under test and
not an unrelated signature problem.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from innopass._internal import timestamps as _time
from innopass._internal.timestamps import format_datetime, parse_datetime
from innopass.errors import MalformedInputError
from innopass.verifier import FailureCode, TrustStore, Verdict, Verifier
from verifier_factory import (
    NOW,
    Org,
    RunVerifier,
    clock,
    jwt_passport,
    make_verifier,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    passport,
    trust_list,
    unsigned_passport,
)

MAX_TIME = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
MIN_TIME = datetime(1, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def key_org() -> Org:
    return Org.did_key()


@pytest.fixture(scope="module")
def anchor() -> Org:
    return Org.did_key(ods="X26", name="Anchor")


@pytest.fixture(scope="module")
def web_org() -> Org:
    return Org.did_web()


def _pinned(org: Org, **options: Any) -> RunVerifier:
    return make_verifier(issuers=[org.did], status_lists=org.status_lists(), **options)


def _listed(anchor: Org, org: Org, **options: Any) -> RunVerifier:
    options.setdefault("trust_lists", [trust_list(anchor, [org.trusted_issuer()])])
    return make_verifier(anchors=[anchor.did], status_lists=org.status_lists(), **options)


# --- I6: identity the credential claims about itself -----------------------------------


def test_pinned_did_key_claims_are_marked_claimed(key_org: Org) -> None:
    unsigned = unsigned_passport(key_org)
    unsigned["issuer"].update(odsCode="RAL", name="Royal Free London")
    result = _pinned(key_org).verify(key_org.sign(unsigned))
    assert result.verified, result.failures
    assert result.issuer.claimed is True
    assert (result.issuer.ods_code, result.issuer.name) == ("RAL", "Royal Free London")
    assert result.to_json()["issuer"] == {
        "id": key_org.did,
        "ods_code": "RAL",
        "name": "Royal Free London",
        "claimed": True,
        "trusted_by": [{"source": "pinned", "anchor": None, "version": None}],
        "withdrawn": None,
        "successor_of": None,
    }


def test_trust_list_identity_is_shown_not_the_claimed_name(anchor: Org, web_org: Org) -> None:
    unsigned = unsigned_passport(web_org)
    unsigned["issuer"]["name"] = "Somebody Else Entirely"
    result = _listed(anchor, web_org).verify(web_org.sign(unsigned))
    assert result.verified, result.failures
    assert result.issuer.claimed is False
    assert result.issuer.ods_code == web_org.ods
    assert result.issuer.name == web_org.name
    assert result.to_json()["issuer"]["claimed"] is False  # type: ignore[index,call-overload]


def test_untrusted_issuer_claims_are_marked_claimed(key_org: Org) -> None:
    result = make_verifier(status_lists=key_org.status_lists()).verify(passport(key_org))
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.ISSUER_UNTRUSTED in result.codes
    assert result.issuer.claimed is True


# --- M1: datetimes at the limits --------------------------------------------------------


def test_valid_until_year_9999_verifies(key_org: Org) -> None:
    result = _pinned(key_org).verify(passport(key_org, valid_until=MAX_TIME))
    assert result.verified, result.failures


def test_valid_from_year_1_verifies(key_org: Org) -> None:
    credential = passport(key_org, valid_from=MIN_TIME)
    assert credential["validFrom"] == "0001-01-01T00:00:00Z"
    result = _pinned(key_org).verify(credential)
    assert result.verified, result.failures


def test_clock_at_year_1_is_not_an_internal_error(key_org: Org) -> None:
    result = _pinned(key_org, at=MIN_TIME).verify(passport(key_org))
    assert FailureCode.INTERNAL_ERROR not in result.codes
    assert FailureCode.NOT_YET_VALID in result.codes


def test_valid_until_beyond_year_9999_in_utc_is_malformed(key_org: Org) -> None:
    unsigned = unsigned_passport(key_org)
    unsigned["validUntil"] = "9999-12-31T23:59:59-01:00"
    result = _pinned(key_org).verify(key_org.sign(unsigned))
    assert result.verdict is Verdict.REJECTED
    assert result.codes == {FailureCode.MALFORMED}
    assert [f.path for f in result.failures] == ["/validUntil"]


@pytest.mark.parametrize("claim", ["iat", "nbf", "exp"])
@pytest.mark.parametrize("value", [253402300800, 2**40 - 1, -1])
def test_numeric_date_out_of_range_is_malformed(key_org: Org, claim: str, value: int) -> None:
    payload = dict(unsigned_passport(key_org))
    payload.update(iss=key_org.did, iat=int(NOW.timestamp()) - 3600, jti=payload["id"])
    payload[claim] = value
    result = _pinned(key_org).verify(_jwt(key_org, _header(key_org), payload))
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.INTERNAL_ERROR not in result.codes
    assert any(f.code is FailureCode.MALFORMED and f.path == f"/{claim}" for f in result.failures)


def test_exp_at_the_largest_numeric_date_verifies(key_org: Org) -> None:
    payload = dict(unsigned_passport(key_org))
    payload.update(
        iss=key_org.did, iat=int(NOW.timestamp()) - 3600, jti=payload["id"], exp=253402300799
    )
    result = _pinned(key_org).verify(_jwt(key_org, _header(key_org), payload))
    assert result.verified, result.failures


def test_time_helpers_at_the_limits() -> None:
    assert _time.beyond(MAX_TIME, NOW, timedelta(minutes=5))
    assert not _time.beyond(NOW, MAX_TIME, timedelta(minutes=5))
    assert _time.beyond(NOW, MIN_TIME, timedelta(minutes=5))
    assert format_datetime(MIN_TIME) == "0001-01-01T00:00:00Z"
    assert parse_datetime(format_datetime(MIN_TIME)) == MIN_TIME
    for value in ("9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"):
        with pytest.raises(MalformedInputError, match="out of range"):
            parse_datetime(value)


def test_parsed_timestamps_are_remembered_and_refusals_are_not() -> None:
    first = parse_datetime("2026-03-01T12:00:00+01:00")
    assert parse_datetime("2026-03-01T12:00:00+01:00") is first
    assert first == datetime(2026, 3, 1, 11, tzinfo=UTC)
    for _ in range(2):  # refused every time, with this call's pointer
        with pytest.raises(MalformedInputError, match="impossible") as caught:
            parse_datetime("2026-02-30T00:00:00Z", path=f"/at/{_}")
        assert caught.value.path == f"/at/{_}"
        with pytest.raises(MalformedInputError):
            parse_datetime(20260301, path="/n")
    long = "2026-03-01T12:00:00." + "1" * 80 + "Z"
    assert parse_datetime(long) == parse_datetime(long)
    assert long not in _time._parsed


# --- M2: a trust list not yet valid -----------------------------------------------------


def test_trust_list_valid_from_in_the_future_is_not_used(anchor: Org, web_org: Org) -> None:
    future = trust_list(anchor, [web_org.trusted_issuer()], valid_from=NOW + timedelta(days=1))
    result = _listed(anchor, web_org, trust_lists=[future]).verify(passport(web_org))
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.TRUST_LIST_INVALID in result.codes
    assert FailureCode.ISSUER_UNTRUSTED in result.codes
    assert any(f.path == "/validFrom" for f in result.failures)


def test_trust_list_valid_from_within_the_skew_is_used(anchor: Org, web_org: Org) -> None:
    soon = trust_list(anchor, [web_org.trusted_issuer()], valid_from=NOW + timedelta(minutes=2))
    result = _listed(anchor, web_org, trust_lists=[soon]).verify(passport(web_org))
    assert result.verified, result.failures


def test_imported_trust_list_not_yet_valid_is_not_used(anchor: Org, web_org: Org) -> None:
    store = TrustStore().with_anchor(anchor.did)
    store = store.with_trust_list(
        trust_list(anchor, [web_org.trusted_issuer()], valid_from=NOW + timedelta(days=1))
    )
    result = Verifier(store, clock=clock(NOW)).verify(
        passport(web_org), status_lists=web_org.status_lists()
    )
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.TRUST_LIST_INVALID in result.codes


# --- M4: JOSE payload and header shapes -------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _header(org: Org) -> dict[str, Any]:
    return {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": org.keys[0].vm_id}


def _jwt(org: Org, header: dict[str, Any], payload: dict[str, Any]) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{_b64(org.keys[0].private.sign(signing_input.encode()))}"


def _payload(org: Org) -> dict[str, Any]:
    payload = dict(unsigned_passport(org))
    payload.update(iss=org.did, iat=int(NOW.timestamp()) - 3600, jti=payload["id"])
    return payload


def test_hand_built_token_verifies(key_org: Org) -> None:
    result = _pinned(key_org).verify(_jwt(key_org, _header(key_org), _payload(key_org)))
    assert result.verified, result.failures


@pytest.mark.parametrize("b64", [False, True])
def test_b64_header_is_malformed_without_crit(key_org: Org, b64: bool) -> None:
    header = {**_header(key_org), "b64": b64}
    result = _pinned(key_org).verify(_jwt(key_org, header, _payload(key_org)))
    assert result.verdict is Verdict.REJECTED
    assert any(f.code is FailureCode.MALFORMED and f.path == "/header/b64" for f in result.failures)


def test_jwt_payload_with_a_proof_is_malformed(key_org: Org) -> None:
    signed = passport(key_org)
    payload = {**_payload(key_org), "proof": signed["proof"]}
    result = _pinned(key_org).verify(_jwt(key_org, _header(key_org), payload))
    assert result.verdict is Verdict.REJECTED
    assert any(f.code is FailureCode.MALFORMED and f.path == "/proof" for f in result.failures)


def test_factory_jwt_still_verifies(key_org: Org) -> None:
    assert _pinned(key_org).verify(jwt_passport(key_org)).verified
