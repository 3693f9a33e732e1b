"""Organisations merge: a trust-list entry withdrawn with a successor, end to end.

North Bristol (RVJ) is to be acquired by University Hospitals Bristol and Weston (RA7) on
1 July 2026 (domain reference §3.5). ODS codes are never reused, so the anchor closes
RVJ's entry at the legal date with ``successor: RA7``: passports RVJ signed before then
keep verifying and every view says "RVJ merged into RA7 on 2026-07-01"; one signed after
is ``issuer-withdrawn``; RA7 may reissue RVJ's assessments.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from innopass._internal.jsonio import JSONObject
from innopass.errors import FailureCode, RecordInvalidError
from innopass.issuer import Issuer, OrganisationHome, TrustAnchor
from innopass.record import example
from innopass.verifier import TrustStore, VerificationResult, Verifier

pytestmark = pytest.mark.usefixtures("fast_kdf")

PASS = "merger test passphrase"
MERGER = datetime(2026, 7, 1, tzinfo=UTC)
RVJ = ("RVJ", "NORTH BRISTOL NHS TRUST", "rvj.nhs.example")
RA7 = ("RA7", "UNIVERSITY HOSPITALS BRISTOL AND WESTON NHS FOUNDATION TRUST", "ra7.nhs.example")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def home(path: Path, org: tuple[str, str, str], clock: Clock) -> Path:
    ods, name, host = org
    OrganisationHome.init(path, ods_code=ods, name=name, passphrase=PASS, did_web=host, clock=clock)
    return path


def rvj_record() -> JSONObject:
    record: JSONObject = example("device")
    changed: Any = record
    changed["record_id"] = f"urn:uuid:{uuid.uuid4()}"
    changed["assessing_org"]["ods_code"] = "RVJ"
    changed["assessing_org"]["name_at_issue"] = RVJ[1]
    return record


def test_a_merger_end_to_end(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    anchor_home = home(tmp_path / "anchor", ("X24", "NHS ENGLAND", "trust.nhs.example"), clock)
    rvj_home = home(tmp_path / "rvj", RVJ, clock)
    ra7_home = home(tmp_path / "ra7", RA7, clock)
    rvj_org = OrganisationHome.open(rvj_home).description()
    ra7_org = OrganisationHome.open(ra7_home).description()
    record = rvj_record()

    with Issuer.from_home(rvj_home, passphrase=PASS, clock=clock) as rvj:
        before = rvj.issue(record)  # 1 June: before the merger
        clock.now = MERGER + timedelta(days=1)
        after = rvj.issue(rvj_record())  # 2 July: RVJ's key signs after its withdrawal
        clock.now = MERGER + timedelta(days=3)
        rvj_lists = [s.credential for s in rvj.signed_status_lists()]
    with Issuer.from_home(ra7_home, passphrase=PASS, clock=clock) as ra7:
        with pytest.raises(RecordInvalidError) as refused:  # not its own assessment
            ra7.issue(record)
        assert [p.path for p in refused.value.problems] == ["/assessing_org/ods_code"]
        reissued = ra7.issue(record, successor_of=["RVJ"])  # RA7 reissues RVJ's assessment
        ra7_lists = [s.credential for s in ra7.signed_status_lists()]
    with TrustAnchor.from_home(anchor_home, passphrase=PASS, clock=clock) as anchor:
        signed = anchor.sign_trust_list(
            [rvj_org, ra7_org], withdrawn={"RVJ": MERGER}, successors={"RVJ": "RA7"}
        )
        anchor_org = anchor.description

    store = TrustStore().with_anchor(anchor_org).with_trust_list(signed.credential)
    verifier = Verifier(store, clock=Clock(MERGER + timedelta(days=4)))

    def check(text: str) -> VerificationResult:
        return verifier.verify(text, status_lists=[*rvj_lists, *ra7_lists])

    kept = check(before.text())
    assert kept.verified, kept.failures
    assert kept.issuer.ods_code == "RVJ"
    assert kept.issuer.withdrawn is not None
    assert kept.issuer.withdrawn.describe() == "RVJ merged into RA7 on 2026-07-01"
    assert kept.issuer.withdrawn.successor_name == RA7[1]
    issuer_json: Any = kept.to_json()["issuer"]
    assert issuer_json["withdrawn"]["description"] == "RVJ merged into RA7 on 2026-07-01"
    assert issuer_json["withdrawn"]["pending"] is False
    assert issuer_json["trusted_by"] == [
        {"source": "trust-list", "anchor": anchor_org.did, "version": 1}
    ]

    late = check(after.text())
    assert late.verdict == "rejected"
    assert late.codes == {FailureCode.ISSUER_WITHDRAWN}
    assert late.issuer.withdrawn is not None  # the rejection names the successor too
    assert "RA7" in next(f.message for f in late.failures)

    successor = check(reissued.text())
    assert successor.verified, successor.failures
    assert (successor.issuer.ods_code, successor.issuer.successor_of) == ("RA7", "RVJ")
    assert successor.issuer.withdrawn is None
    assert successor.passport is not None
    assessor = successor.passport.assessing_organisation
    assert assessor.ods_code == "RVJ"
    assert assessor.withdrawn is not None
    assert assessor.withdrawn.describe() == "RVJ merged into RA7 on 2026-07-01"


def test_a_successor_not_named_by_the_trust_list_may_not_sign_for_another(
    tmp_path: Path,
) -> None:
    """Without the anchor's successor link, RA7 signing RVJ's record is issuer-untrusted; with
    it, so is RA7 signing it before the merger takes effect (RVJ is still the assessor)."""
    clock = Clock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    anchor_home = home(tmp_path / "anchor", ("X24", "NHS ENGLAND", "trust.nhs.example"), clock)
    rvj_org = OrganisationHome.open(home(tmp_path / "rvj", RVJ, clock)).description()
    ra7_home = home(tmp_path / "ra7", RA7, clock)
    with Issuer.from_home(ra7_home, passphrase=PASS, clock=clock) as ra7:
        early = ra7.issue(rvj_record(), successor_of=["RVJ"])  # 1 June: before the merger
        clock.now = MERGER + timedelta(days=1)
        claimed = ra7.issue(rvj_record(), successor_of=["RVJ"])  # after the merger
        lists = [s.credential for s in ra7.signed_status_lists()]
        ra7_org = ra7.description
    at = Clock(clock.now + timedelta(hours=1))
    clock.now = datetime(2026, 6, 20, 9, 0, tzinfo=UTC)  # the anchor signs its lists, in force
    with TrustAnchor.from_home(anchor_home, passphrase=PASS, clock=clock) as anchor:
        merged = anchor.sign_trust_list(
            [rvj_org, ra7_org], withdrawn={"RVJ": MERGER}, successors={"RVJ": "RA7"}
        )
        plain = anchor.sign_trust_list([rvj_org, ra7_org])  # version 2: no merger (yet)
        closed = anchor.sign_trust_list([rvj_org, ra7_org], withdrawn={"RVJ": MERGER})
        anchor_org = anchor.description
    cases = (
        (claimed, merged, "verified"),
        (early, merged, "rejected"),  # signed on 1 June, before the merger took effect
        (claimed, plain, "rejected"),
        (claimed, closed, "rejected"),
    )
    for passport, listed, verdict in cases:
        store = TrustStore().with_anchor(anchor_org).with_trust_list(listed.credential)
        result = Verifier(store, clock=at).verify(passport.text(), status_lists=lists)
        assert result.verdict == verdict, (listed.version, result.failures)
        if verdict == "rejected":
            assert result.codes == {FailureCode.ISSUER_UNTRUSTED}
            assert (
                result.failures[0].path
                == "/credentialSubject/assessmentRecord/assessing_org/ods_code"
            )
    store = TrustStore().with_anchor(anchor_org).with_trust_list(closed.credential)
    on_20_june = Clock(datetime(2026, 6, 20, 10, 0, tzinfo=UTC))
    closed_view = Verifier(store, clock=on_20_june).verify(early.text(), status_lists=lists)
    assert closed_view.passport is not None
    withdrawn = closed_view.passport.assessing_organisation.withdrawn
    assert withdrawn is not None
    assert withdrawn.pending  # checked on 20 June: the closure on 1 July is still to come
    assert withdrawn.describe() == (
        "RVJ closes on 2026-07-01 (withdrawn from the trust list, no successor)"
    )
