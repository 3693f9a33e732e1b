"""VerificationResult: verdict rules, code families, and the --json contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from innopass.verifier import (
    CheckName,
    CheckStatus,
    Failure,
    FailureCode,
    FailureFamily,
    Verdict,
    VerificationResult,
)
from verifier_factory import Org, make_verifier, no_fetching, passport  # noqa: F401

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "verify-output.schema.json").read_text()
)
PRODUCT_CODES = [
    "malformed",
    "unsupported-suite",
    "key-not-found",
    "key-not-authorised",
    "signature-invalid",
    "issuer-untrusted",
    "key-not-valid-at-time",
    "issuer-withdrawn",
    "not-yet-valid",
    "expired",
    "revoked",
    "suspended",
    "status-unavailable",
    "status-stale",
    "schema-invalid",
    "digest-mismatch",
    "trust-list-invalid",
    "trust-list-expired",
    "trust-list-rollback",
    "not-a-passport",
]
UNVERIFIABLE = {
    "unsupported-suite",
    "status-unavailable",
    "status-stale",
    "trust-list-expired",
    "key-unresolvable",
    "signing-time-unknown",
    "status-type-unsupported",
    "trust-list-outdated",
}


def test_every_product_code_exists_and_has_its_family() -> None:
    for code in PRODUCT_CODES:
        assert FailureCode(code).family is (
            FailureFamily.UNVERIFIABLE if code in UNVERIFIABLE else FailureFamily.INVALID
        )
    assert {c.value for c in FailureCode if c.family is FailureFamily.UNVERIFIABLE} == UNVERIFIABLE


def test_schema_lists_every_code() -> None:
    assert set(SCHEMA["$defs"]["code"]["enum"]) == {c.value for c in FailureCode}
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(
    ("codes", "verdict"),
    [
        ([], Verdict.VERIFIED),
        ([FailureCode.STATUS_STALE], Verdict.INDETERMINATE),
        ([FailureCode.STATUS_STALE, FailureCode.REVOKED], Verdict.REJECTED),
        ([FailureCode.EXPIRED], Verdict.REJECTED),
    ],
)
def test_verdict_follows_the_families(codes: list[FailureCode], verdict: Verdict) -> None:
    result = VerificationResult.build(
        failures=[Failure(c, "x", check=CheckName.STATUS) for c in codes]
    )
    assert result.verdict is verdict
    assert result.verified is (verdict is Verdict.VERIFIED)


def test_a_skipped_check_is_never_verified() -> None:
    result = VerificationResult.build(failures=[], skipped=[CheckName.STATUS])
    assert result.check(CheckName.STATUS).status is CheckStatus.SKIPPED
    assert result.verdict is Verdict.INDETERMINATE


def test_json_output_matches_its_schema() -> None:
    org = Org.did_key()
    validator = Draft202012Validator(SCHEMA)
    good = make_verifier(issuers=[org.did], status_lists=org.status_lists()).verify(passport(org))
    bad = make_verifier().verify(passport(org))
    garbage = make_verifier().verify(b"nonsense")
    for result in (good, bad, garbage):
        line = json.loads(json.dumps(result.to_json()))
        errors = list(validator.iter_errors(line))
        assert not errors, errors
    good_json: Any = good.to_json()
    assert good_json["verified"] is True
    assert [c["name"] for c in good_json["checks"]] == [c.value for c in CheckName]
