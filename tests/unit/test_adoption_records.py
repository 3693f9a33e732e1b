"""Adoption records as data and as the verifier sees them, and the summary that counts them.

Adoption records here are built with :func:`build_adoption_credential` and signed with
the factory's keys (not through the issuer), so the verifier is tested against the
format (docs/FORMATS.md §9).
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from innopass._internal.jsonio import JSONObject, dumps_pretty
from innopass.adoption import (
    AdoptionClaims,
    Decision,
    Outcome,
    PassportRef,
    PolicyRef,
    build_adoption_credential,
    passport_digest,
)
from innopass.errors import ConfigurationError, FailureCode, MalformedInputError
from innopass.policy import summarise
from innopass.status import StatusEntry
from innopass.verifier import Verifier
from verifier_factory import (
    NOW,
    REVOCATION_INDEX,
    SUSPENSION_INDEX,
    Org,
    bundle,
    clock,
    jwt_passport,
    make_verifier,
    passport,
)

PASSPORT_ID = "urn:uuid:0a0b4a7e-31f4-4e0b-9d23-5b0b2f7f1a01"


def decision(outcome: Outcome = Outcome.ADOPT_WITH_ACTIONS, **passport_changes: Any) -> Decision:
    ref = PassportRef(
        id=PASSPORT_ID,
        digest_sri="sha384-" + "A" * 64,
        media_type="application/vc",
        record_id="urn:uuid:8ec4db88-839f-4d9a-88fc-3b7942474735",
        record_version=1,
        product="ArgentaCare Ag silver alginate dressing",
        profile="device",
        assessing_organisation="RF4",
    )
    return Decision(
        outcome=outcome,
        decided_at=NOW - timedelta(minutes=5),
        policy=PolicyRef(id="acceptance-policy", version="1", digest_sri="sha384-" + "B" * 64),
        passport=replace(ref, **passport_changes),
        verdict="verified",
        assessments_reused=("regulatory",),
    )


def adoption(org: Org, made: Decision | None = None, *, at: Any = None) -> JSONObject:
    status = [
        StatusEntry("revocation", REVOCATION_INDEX, org.list_id("revocation")),
        StatusEntry("suspension", SUSPENSION_INDEX, org.list_id("suspension")),
    ]
    return build_adoption_credential(
        made or decision(),
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        adopter=org.organisation(),
        now=at or NOW - timedelta(minutes=1),
        status=status,
    )


@pytest.fixture
def r1h() -> Org:
    return Org.did_key("R1H", "BARTS HEALTH NHS TRUST")


def test_only_a_decision_to_adopt_is_recorded(r1h: Org) -> None:
    for outcome in (Outcome.REFER, Outcome.REFUSE):
        with pytest.raises(ConfigurationError):
            adoption(r1h, decision(outcome))
    with pytest.raises(ConfigurationError):
        adoption(r1h, decision(digest_sri=None))
    record = adoption(r1h)
    assert record["relatedResource"] == [
        {"id": PASSPORT_ID, "digestSRI": "sha384-" + "A" * 64, "mediaType": "application/vc"}
    ]
    claims = AdoptionClaims.from_credential(record)
    assert (claims.passport, claims.adopter_ods_code, claims.decision) == (
        PASSPORT_ID,
        "R1H",
        Outcome.ADOPT_WITH_ACTIONS,
    )
    assert claims.assessments_not_repeated == 1


def test_claims_need_the_passport_among_unique_related_resources(r1h: Org) -> None:
    record: Any = adoption(r1h)
    other = copy.deepcopy(record)
    other["relatedResource"][0]["id"] = "urn:uuid:someone-else"
    with pytest.raises(MalformedInputError) as missing:
        AdoptionClaims.from_credential(other)
    assert missing.value.path == "/relatedResource"
    twice = copy.deepcopy(record)
    twice["relatedResource"].append(dict(record["relatedResource"][0]))
    with pytest.raises(MalformedInputError) as duplicate:
        AdoptionClaims.from_credential(twice)
    assert duplicate.value.path == "/relatedResource"
    no_digest = copy.deepcopy(record)
    del no_digest["relatedResource"][0]["digestSRI"]
    with pytest.raises(MalformedInputError) as undigested:
        AdoptionClaims.from_credential(no_digest)
    assert undigested.value.path == "/relatedResource/0"


def test_a_passport_has_one_digest_whichever_file_carries_it() -> None:
    org = Org.did_key()
    credential = passport(org)
    digest, media = passport_digest(credential)
    assert media == "application/vc"
    assert passport_digest(dumps_pretty(credential)) == (digest, media)
    assert passport_digest(dumps_pretty(bundle(credential, org)).encode()) == (digest, media)
    token = jwt_passport(org)
    assert passport_digest(token + "\n") == passport_digest(dumps_pretty(bundle(token, org)))
    assert passport_digest(token)[1] == "application/vc+jwt"
    with pytest.raises(MalformedInputError):
        passport_digest("[1, 2]")


def _lists(org: Org) -> list[JSONObject]:
    return org.status_lists()


def test_an_adoption_record_verifies_like_a_passport(r1h: Org) -> None:
    signed = r1h.sign(adoption(r1h))
    run = make_verifier(issuers=[r1h.organisation()], status_lists=_lists(r1h))
    result = run.verify(signed)
    assert result.verified, result.failures
    assert result.passport is None
    assert result.adoption is not None
    assert result.adoption.passport == PASSPORT_ID
    assert result.to_json()["adoption"]["adopter"]["ods_code"] == "R1H"  # type: ignore[index,call-overload]
    # revoked: rejected, as a passport would be
    r1h.set_bit("revocation", REVOCATION_INDEX)
    revoked = make_verifier(issuers=[r1h.organisation()], status_lists=_lists(r1h)).verify(signed)
    assert revoked.codes == {FailureCode.REVOKED}


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        (lambda r: r["credentialSubject"].update(decision="refer"), FailureCode.SCHEMA_INVALID,
         "/credentialSubject/decision"),
        (lambda r: r["credentialSchema"].update(digestSRI="sha384-" + "C" * 64),
         FailureCode.DIGEST_MISMATCH, "/credentialSchema/digestSRI"),
        (lambda r: r.pop("relatedResource"), FailureCode.SCHEMA_INVALID, ""),
        (lambda r: r["relatedResource"][0].update(id="urn:uuid:other"), FailureCode.SCHEMA_INVALID,
         "/relatedResource"),
        (lambda r: r.pop("credentialStatus"), FailureCode.SCHEMA_INVALID, ""),
        (lambda r: r.pop("validFrom"), FailureCode.SCHEMA_INVALID, ""),
    ],
    ids=["refer-is-no-adoption", "schema-digest", "no-related-resource", "not-the-passport",
         "no-status", "no-valid-from"],
)  # fmt: skip
def test_a_malformed_adoption_record_is_rejected(
    r1h: Org, change: Any, code: FailureCode, path: str
) -> None:
    record: Any = adoption(r1h)
    change(record)
    result = make_verifier(issuers=[r1h.organisation()], status_lists=_lists(r1h)).verify(
        r1h.sign(record)
    )
    assert result.verdict == "rejected"
    assert code in result.codes
    assert path in {f.path for f in result.failures if f.code == code}
    assert result.adoption is None or code is FailureCode.DIGEST_MISMATCH


def test_the_summary_counts_each_adopter_once_and_only_what_verifies(
    r1h: Org, tmp_path: Path
) -> None:
    rjl = Org.did_key("RJ1", "GUY'S AND ST THOMAS' NHS FOUNDATION TRUST")
    rf4 = Org.did_key()
    earlier = r1h.sign(adoption(r1h, at=NOW - timedelta(days=2)))
    later = r1h.sign(adoption(r1h, decision(Outcome.ADOPT), at=NOW - timedelta(days=1)))
    other = rjl.sign(adoption(rjl))
    stranger_org = Org.did_key("RQM", "CHELSEA AND WESTMINSTER HOSPITAL NHS FOUNDATION TRUST")
    stranger = stranger_org.sign(adoption(stranger_org))
    tampered: Any = copy.deepcopy(other)
    tampered["credentialSubject"]["assessmentsReused"] = ["regulatory", "economic_value"]
    files = {}
    for name, value in {
        "a-earlier": earlier, "b-later": later, "c-other": other,
        "d-stranger": stranger, "e-tampered": tampered, "f-passport": passport(rf4),
    }.items():  # fmt: skip
        files[name] = tmp_path / f"{name}.json"
        files[name].write_text(dumps_pretty(value))
    (tmp_path / "g-unreadable.json").write_bytes(b"\xff\xfe")
    files["g-unreadable"] = tmp_path / "g-unreadable.json"
    store = make_verifier(
        issuers=[r1h.organisation(), rjl.organisation(), rf4.organisation()]
    ).trust
    verifier = Verifier(
        store,
        clock=clock(NOW),
        status_lists=[*_lists(r1h), *_lists(rjl), *_lists(stranger_org), *_lists(rf4)],
    )
    summary = summarise(verifier, sorted(files.values()))
    assert summary.files == 7
    [reuse] = summary.passports
    assert reuse.passport == PASSPORT_ID
    assert (reuse.organisations, reuse.assessments_not_repeated) == (2, 2)
    by_adopter = {c.adopter: c for c in reuse.adoptions}
    assert set(by_adopter) == {"R1H", "RJ1"}
    assert by_adopter["R1H"].claims.decision is Outcome.ADOPT  # its latest record
    assert reuse.domain_assessments_reused == 2
    reasons = {Path(n.file).stem: (n.verdict, n.codes) for n in summary.not_counted}
    assert reasons["d-stranger"] == ("rejected", ("issuer-untrusted",))
    assert reasons["e-tampered"] == ("rejected", ("signature-invalid",))
    assert reasons["f-passport"][0] == "verified"  # a passport, not an adoption record
    assert reasons["a-earlier"] == ("verified", ())  # R1H's earlier record: listed, not counted
    assert set(reasons) == {"a-earlier", "d-stranger", "e-tampered", "f-passport", "g-unreadable"}
    assert summary.to_json()["assessments_not_repeated"] == 2
    rows = summary.to_csv().splitlines()
    assert len(rows) == 3
    assert rows[0].startswith("passport,product,assessing_organisation,adopter")
