"""Key compromise and issuer withdrawal, issued by the issuer and honoured by the verifier.

``org rotate-key --compromised`` marks the retired key ``compromised: true``; every
passport it signed then fails verification for a verifier holding the new description
or a trust list naming it. ``trust-list sign --withdraw`` lists an issuer as
withdrawn: its passports signed after ``withdrawnAt`` are refused.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from innopass._internal.jsonio import JSONObject
from innopass.issuer import Issuer, OrganisationHome, TrustAnchor
from innopass.record import example
from innopass.verifier import TrustStore, Verifier

pytestmark = pytest.mark.usefixtures("fast_kdf")  # see conftest.py

PASS = "compromise test passphrase"
T0 = datetime(2026, 6, 1, 10, 0, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def record() -> JSONObject:
    value = example("device")
    value["record_id"] = f"urn:uuid:{uuid.uuid4()}"
    return value


def codes(
    verifier: Verifier, bundle: JSONObject, *, trust_lists: tuple[JSONObject, ...] = ()
) -> set[str]:
    result = verifier.verify(bundle, trust_lists=trust_lists)
    return {f.code for f in result.failures} | {str(result.verdict)}


def test_a_compromised_key_invalidates_what_it_signed(tmp_path: Path) -> None:
    clock = Clock()
    home = OrganisationHome.init(
        tmp_path / "rf4", ods_code="RF4", name="Barking", passphrase=PASS,
        did_web="rf4.nhs.example", clock=clock,
    )  # fmt: skip
    with Issuer.from_home(home.path, passphrase=PASS, clock=clock) as issuer:
        old = issuer.issue(record())
        bundle_before = issuer.bundle(old.id).to_json()

    before = TrustStore().with_issuer(home.description())
    assert codes(Verifier(before, clock=clock), bundle_before) == {"verified"}

    clock.now += timedelta(hours=1)
    home.rotate_key(PASS, compromised=True, clock=clock)
    clock.now += timedelta(hours=1)
    with Issuer.from_home(home.path, passphrase=PASS, clock=clock) as issuer:
        new = issuer.issue(record())
        bundle_old = issuer.bundle(old.id).to_json()
        bundle_new = issuer.bundle(new.id).to_json()

    after = TrustStore().with_issuer(home.description())
    verifier = Verifier(after, clock=clock)
    rejected = codes(verifier, bundle_old)
    assert {"rejected", "key-compromised"} <= rejected
    assert codes(verifier, bundle_new) == {"verified"}
    # the store the verifier was built on is a value: verifying changed nothing in it
    assert codes(Verifier(before, clock=clock), bundle_before) == {"verified"}


def test_a_withdrawn_issuer_is_refused_after_its_withdrawal(tmp_path: Path) -> None:
    clock = Clock()
    home = OrganisationHome.init(
        tmp_path / "rf4", ods_code="RF4", name="Barking", passphrase=PASS,
        did_web="rf4.nhs.example", clock=clock,
    )  # fmt: skip
    anchor_home = OrganisationHome.init(
        tmp_path / "anchor", ods_code="X26", name="National", passphrase=PASS, clock=clock
    )
    with Issuer.from_home(home.path, passphrase=PASS, clock=clock) as issuer:
        early = issuer.issue(record())
        clock.now += timedelta(days=1)
        late = issuer.issue(record())
        bundles = [issuer.bundle(p.id).to_json() for p in (early, late)]
    withdrawn_at = T0 + timedelta(hours=12)
    with TrustAnchor.from_home(anchor_home.path, passphrase=PASS, clock=clock) as anchor:
        signed = anchor.sign_trust_list(
            [home.export(clock=clock)], withdrawn={"RF4": withdrawn_at}, successors={"RF4": "R1H"}
        )
    anchored = TrustStore().with_anchor(anchor_home.description())
    trust = anchored.with_trust_list(signed.credential)
    verifier = Verifier(trust, clock=clock)
    assert codes(verifier, bundles[0]) == {"verified"}
    late_codes = codes(verifier, bundles[1])
    assert "issuer-withdrawn" in late_codes
    assert "rejected" in late_codes
    # the same trust list offered for one run only, to a store that holds none
    per_run = Verifier(anchored, clock=clock)
    assert codes(per_run, bundles[0], trust_lists=(signed.credential,)) == {"verified"}
    assert {"issuer-withdrawn", "rejected"} <= codes(
        per_run, bundles[1], trust_lists=(signed.credential,)
    )
    assert "issuer-untrusted" in codes(per_run, bundles[0])  # and nothing was kept
    assert anchored.trust_lists == {}
