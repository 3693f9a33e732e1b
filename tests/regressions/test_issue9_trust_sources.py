"""Issue 9, hole 2 in full: when several trust sources name one DID, their terms combine.

ODS codes must agree, scopes intersect, a withdrawal or compromise in any source
applies, key windows intersect, and key material for one key id must agree byte
for byte (``trust-conflict``). Each case pins the issuer's description *and*
offers an anchor's trust list naming it, the two disagreeing in one way.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from innopass.trust import KeyWindow, OrganisationDescription
from verifier_factory import (
    NOW,
    AccreditedScope,
    Org,
    make_verifier,
    no_fetching,
    passport,
    trust_list,
)

__all__ = ["no_fetching"]


def _run(org: Org, anchor: Org, description: dict[str, Any], listed: Any, credential: Any) -> Any:
    run = make_verifier(
        anchors=[anchor.did],
        issuers=[OrganisationDescription.from_json(description)],
        trust_lists=[trust_list(anchor, [listed])],
        status_lists=org.status_lists(),
    )
    return run.verify(credential)


@pytest.fixture
def parties() -> tuple[Org, Org]:
    return Org.did_web(), Org.did_key("X26", "NATIONAL ANCHOR")


def test_both_sources_agreeing_verifies(parties: tuple[Org, Org]) -> None:
    rf4, anchor = parties
    result = _run(rf4, anchor, rf4.description(), rf4.trusted_issuer(), passport(rf4))
    assert result.verdict == "verified", [f.code for f in result.failures]
    assert not result.issuer.claimed


def test_different_ods_codes_are_a_conflict(parties: tuple[Org, Org]) -> None:
    rf4, anchor = parties
    description = rf4.description()
    description["odsCode"] = "R1H"
    result = _run(rf4, anchor, description, rf4.trusted_issuer(), passport(rf4))
    assert result.verdict == "rejected"
    assert "trust-conflict" in {f.code for f in result.failures}


def test_a_withdrawal_in_the_trust_list_applies_to_a_pinned_issuer(
    parties: tuple[Org, Org],
) -> None:
    rf4, anchor = parties
    listed = rf4.trusted_issuer(status="withdrawn", withdrawn_at=NOW - timedelta(days=2))
    result = _run(rf4, anchor, rf4.description(), listed, passport(rf4))
    assert result.verdict == "rejected"
    assert "issuer-withdrawn" in {f.code for f in result.failures}


def test_a_compromise_in_the_pinned_description_applies_over_the_trust_list(
    parties: tuple[Org, Org],
) -> None:
    rf4, anchor = parties
    description = rf4.description()
    description["keys"][0]["compromised"] = True
    result = _run(rf4, anchor, description, rf4.trusted_issuer(), passport(rf4))
    assert result.verdict == "rejected"
    assert "key-compromised" in {f.code for f in result.failures}


def test_a_compromise_in_the_trust_list_applies_over_the_pinned_description(
    parties: tuple[Org, Org],
) -> None:
    rf4, anchor = parties
    listed = rf4.trusted_issuer(keys=(KeyWindow(rf4.keys[0].vm_id, compromised=True),))
    result = _run(rf4, anchor, rf4.description(), listed, passport(rf4))
    assert result.verdict == "rejected"
    assert "key-compromised" in {f.code for f in result.failures}


def test_key_windows_intersect(parties: tuple[Org, Org]) -> None:
    rf4, anchor = parties
    description = rf4.description()
    description["keys"][0]["validUntil"] = "2026-04-01T00:00:00Z"
    credential = passport(rf4, created=NOW - timedelta(days=1))  # after the pin's window
    result = _run(rf4, anchor, description, rf4.trusted_issuer(), credential)
    assert result.verdict == "rejected"
    assert "key-not-valid-at-time" in {f.code for f in result.failures}


def test_scopes_of_two_sources_intersect(parties: tuple[Org, Org]) -> None:
    rf4, anchor = parties
    other = Org.did_key("X27", "SECOND ANCHOR")
    digital = rf4.trusted_issuer(scopes=(AccreditedScope(profiles=("digital", "device")),))
    devices_not = rf4.trusted_issuer(scopes=(AccreditedScope(profiles=("digital",)),))
    run = make_verifier(
        anchors=[anchor.did, other.did],
        trust_lists=[trust_list(anchor, [digital]), trust_list(other, [devices_not])],
        status_lists=rf4.status_lists(),
    )
    result = run.verify(passport(rf4))  # a device record
    assert result.verdict == "rejected"
    assert "issuer-untrusted" in {f.code for f in result.failures}


def test_a_key_only_one_source_lists_is_not_usable(parties: tuple[Org, Org]) -> None:
    _, anchor = parties
    rotated = Org.did_web(
        windows=((None, NOW - timedelta(days=10)), (NOW - timedelta(days=10), None))
    )
    listed = rotated.trusted_issuer(keys=(rotated.keys[0].window(),))  # the list lacks key-2
    result = _run(
        rotated,
        anchor,
        rotated.description(),
        listed,
        passport(rotated, key=1, created=NOW - timedelta(hours=2)),
    )
    assert result.verdict == "rejected"
    assert "key-not-valid-at-time" in {f.code for f in result.failures}
