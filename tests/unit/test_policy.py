"""Acceptance policies and adoption decisions: every rule kind decides, both ways.

Each test signs a real passport (verifier_factory), verifies it, and applies a policy
with one rule under test beside an issuer rule; the decision must turn on that rule:
met one way, refer or refuse the other, with the reason naming the rule id and the
JSON pointer of what it read.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from innopass._internal.jsonio import JSONObject
from innopass.adoption import Decision, Finding, Outcome
from innopass.errors import ConfigurationError, PolicyError
from innopass.policy import Policy, decide, template_text
from innopass.record import example
from innopass.status import (
    MESSAGE_SIZE,
    MIN_ENTRIES,
    REASON_MESSAGES,
    StatusEntry,
    new_bitstring,
    with_value,
)
from verifier_factory import NOW, Org, make_verifier, passport, trust_list, unsigned_passport

RECORD = "/credentialSubject/assessmentRecord"
SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
Change = Callable[[Any], None]
PURPOSES = ("revocation", "suspension")


@pytest.fixture(scope="module")
def org() -> Org:
    return Org.did_key()


def record(profile: str = "device", change: Change | None = None) -> JSONObject:
    value: JSONObject = example(profile)
    changed: Any = value
    changed["assessing_org"]["ods_code"] = "RF4"
    if change is not None:
        change(changed)
    return value


def policy(*rules: JSONObject) -> Policy:
    return Policy.from_json(
        {
            "policy": {"id": "test", "version": "1"},
            "rules": [{"id": "issuers", "kind": "issuer"}, *rules],
        },
        digest_sri="sha384-AAAA",
    )


def decide_on(
    org: Org,
    rules: list[JSONObject],
    rec: JSONObject | None = None,
    *,
    at: datetime = NOW,
    done: tuple[str, ...] = (),
    **passport_options: Any,
) -> Decision:
    credential = passport(org, record=rec or record(), **passport_options)
    lists = [org.status_list(p, valid_from=at - timedelta(hours=1)) for p in PURPOSES]
    run = make_verifier(issuers=[org.organisation()], status_lists=lists, at=at)
    return run_decide(run, credential, policy(*rules), done=done)


def run_decide(run: Any, credential: Any, pol: Policy, **options: Any) -> Decision:
    """``decide`` with the run's offered trust and status lists."""
    return decide(
        run.verifier,
        credential,
        pol,
        trust_lists=run.trust_lists,
        status_lists=run.status_lists,
        **options,
    )


def reason(decision: Decision, rule: str) -> tuple[Finding, str]:
    [found] = [(r.finding, r.pointer) for r in decision.reasons if r.rule == rule]
    return found


def turns(met: Decision, failed: Decision, outcome: Outcome) -> None:
    """The decision turns on the rule: adopted (with the record's actions) when it is met,
    ``outcome`` when it is not."""
    unmet = [r for r in met.reasons if r.finding in (Finding.REFER, Finding.REFUSE)]
    assert met.outcome is Outcome.ADOPT_WITH_ACTIONS, unmet
    assert failed.outcome is outcome


def findings(decision: Decision, rule: str) -> set[Finding]:
    return {r.finding for r in decision.reasons if r.rule == rule}


# --- the built-in floor ---------------------------------------------------------------------


def test_a_verified_passport_with_no_local_actions_is_adopted(org: Org) -> None:
    def no_actions(r: Any) -> None:
        r["local_requirements_for_adopters"] = []
        r["outcome"]["conditions"] = []

    decision = decide_on(org, [], record(change=no_actions))
    assert decision.outcome is Outcome.ADOPT
    assert decision.verdict == "verified"
    assert decision.assessments_reused == (
        "regulatory",
        "clinical_effectiveness",
        "infection_prevention",
        "economic_value",
        "procurement_commercial",
    )
    assert decision.passport.digest_sri is not None
    assert decision.passport.digest_sri.startswith("sha384-")
    assert decision.passport.record_id == example("device")["record_id"]


def test_a_passport_that_does_not_verify_is_never_adopted(org: Org) -> None:
    tampered = passport(org, record=record())
    tampered["credentialSubject"]["assessmentRecord"]["outcome"]["conditions"] = []
    run = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists())
    refused = run_decide(run, tampered, policy())
    assert refused.outcome is Outcome.REFUSE
    assert refused.verdict == "rejected"
    assert {(r.rule, r.finding) for r in refused.reasons} == {
        ("builtin:verification", Finding.REFUSE)
    }
    assert "/proof/proofValue" in {r.pointer for r in refused.reasons}
    assert refused.assessments_reused == ()
    # no status list held: indeterminate, so refer, with the reason
    unknown = make_verifier(issuers=[org.organisation()])
    referred = run_decide(unknown, passport(org, record=record()), policy())
    assert referred.verdict == "indeterminate"
    assert referred.outcome is Outcome.REFER
    assert {
        r.message.split(":")[1].strip() for r in referred.reasons if r.finding is Finding.REFER
    } == {"status-unavailable"}


def test_an_untrusted_issuer_is_refused_not_adopted(org: Org) -> None:
    stranger = Org.did_key()
    run = make_verifier(issuers=[org.organisation()], status_lists=stranger.status_lists())
    decision = run_decide(run, passport(stranger, record=record()), policy())
    assert decision.outcome is Outcome.REFUSE
    assert decision.verdict == "rejected"


def test_not_approved_is_always_refused(org: Org) -> None:
    def not_approved(r: Any) -> None:
        r["outcome"]["decision"] = "not_approved"
        r["outcome"]["conditions"] = []

    decision = decide_on(org, [], record(change=not_approved))
    assert decision.outcome is Outcome.REFUSE
    assert reason(decision, "builtin:outcome") == (Finding.REFUSE, f"{RECORD}/outcome/decision")


# --- each rule kind, both ways ---------------------------------------------------------------


def test_issuer_rule(org: Org) -> None:
    anchor = Org.did_key("X24", "NHS ENGLAND")
    listed = trust_list(anchor, [org.trusted_issuer()])
    credential = passport(org, record=record())
    run = make_verifier(
        anchors=[anchor.organisation()], trust_lists=[listed], status_lists=org.status_lists()
    )
    result_rules: list[tuple[JSONObject, Finding]] = [
        ({"id": "i", "kind": "issuer", "anchors": [anchor.did]}, Finding.MET),
        ({"id": "i", "kind": "issuer", "anchors": ["did:web:other.example"]}, Finding.REFUSE),
        ({"id": "i", "kind": "issuer", "trust_lists": False}, Finding.REFUSE),
        ({"id": "i", "kind": "issuer", "ods_codes": ["RF4"]}, Finding.MET),
        ({"id": "i", "kind": "issuer", "ods_codes": ["RJ1"], "on_fail": "refer"}, Finding.REFER),
    ]
    for rule, expected in result_rules:
        pol = Policy.from_json(
            {"policy": {"id": "p", "version": "1"}, "rules": [rule]}, digest_sri="sha384-AAAA"
        )
        decision = run_decide(run, credential, pol)
        assert reason(decision, "i") == (expected, "/issuer"), rule
        if expected is not Finding.MET:
            assert decision.outcome is Outcome(expected.value)
    pinned_only: JSONObject = {"id": "i", "kind": "issuer", "trust_lists": False}
    pinned = decide_on(org, [pinned_only])
    assert findings(pinned, "i") == {Finding.MET}
    turns(pinned, decide_on(org, [{**pinned_only, "pinned": False}]), Outcome.REFUSE)


def test_profile_rule(org: Org) -> None:
    rule: JSONObject = {"id": "devices", "kind": "profile", "allow": ["device"]}
    assert reason(decide_on(org, [rule]), "devices") == (Finding.MET, f"{RECORD}/profile")
    turns(decide_on(org, [rule]), decide_on(org, [{**rule, "allow": ["digital"]}]), Outcome.REFUSE)
    digital = decide_on(org, [rule], record("digital"))
    assert reason(digital, "devices") == (Finding.REFUSE, f"{RECORD}/profile")
    assert digital.outcome is Outcome.REFUSE


def test_outcome_rule(org: Org) -> None:
    rule: JSONObject = {"id": "only-approved", "kind": "outcome", "allow": ["approved"]}
    with_conditions = decide_on(org, [rule])  # the dressing: approved_with_conditions
    assert reason(with_conditions, "only-approved") == (
        Finding.REFUSE,
        f"{RECORD}/outcome/decision",
    )

    def approved(r: Any) -> None:
        r["outcome"]["decision"] = "approved"

    met = decide_on(org, [rule], record(change=approved))
    assert findings(met, "only-approved") == {Finding.MET}
    turns(met, with_conditions, Outcome.REFUSE)


def test_domain_rule_result(org: Org) -> None:
    rule: JSONObject = {
        "id": "ipc",
        "kind": "domain",
        "domain": "infection_prevention",
        "min_result": "pass",
    }
    strict = decide_on(org, [rule])  # pass_with_conditions
    assert reason(strict, "ipc") == (Finding.REFER, f"{RECORD}/domains/2/result")
    assert strict.outcome is Outcome.REFER
    lenient = decide_on(org, [{**rule, "min_result": "pass_with_conditions"}])
    assert reason(lenient, "ipc") == (Finding.MET, f"{RECORD}/domains/2/result")
    assert lenient.outcome is Outcome.ADOPT_WITH_ACTIONS
    refuse = decide_on(org, [{**rule, "on_fail": "refuse"}])
    assert refuse.outcome is Outcome.REFUSE


def test_domain_rule_assurance_and_absence(org: Org) -> None:
    rule: JSONObject = {
        "id": "ipc",
        "kind": "domain",
        "domain": "infection_prevention",
        "min_assurance": "assessor_reviewed",
    }
    weak = decide_on(org, [rule])  # IPC-2 is supplier_declared
    assert reason(weak, "ipc") == (Finding.REFER, f"{RECORD}/domains/2/answers/1/assurance")
    lower = decide_on(org, [{**rule, "min_assurance": "supplier_declared"}])
    assert findings(lower, "ipc") == {Finding.MET}
    turns(lower, weak, Outcome.REFER)
    missing: JSONObject = {"id": "cs", "kind": "domain", "domain": "clinical_safety"}
    assert reason(decide_on(org, [missing]), "cs") == (Finding.REFER, f"{RECORD}/domains")
    optional = decide_on(org, [{**missing, "required": False}])
    assert findings(optional, "cs") == {Finding.NOT_APPLICABLE}
    assert optional.outcome is Outcome.ADOPT_WITH_ACTIONS

    def not_applicable(r: Any) -> None:
        r["domains"][4]["result"] = "not_applicable"
        r["domains"][4]["not_applicable_reason"] = "bought through the framework"

    na = record(change=not_applicable)
    procurement: JSONObject = {"id": "pc", "kind": "domain", "domain": "procurement_commercial"}
    assert reason(decide_on(org, [procurement], na), "pc")[0] is Finding.REFER
    allowed = {**procurement, "accept_not_applicable": True}
    assert reason(decide_on(org, [allowed], na), "pc")[0] is Finding.MET


def test_framework_rule_cut_over(org: Org) -> None:
    """DTAC 2 only for decisions after 6 April 2026: the old form is refused after it."""
    rule: JSONObject = {
        "id": "dtac",
        "kind": "framework",
        "framework": "dtac",
        "accept": [
            {"version": "DTAC 1", "decided_before": "2026-04-06"},
            {"version": "DTAC 2", "decided_from": "2026-02-24"},
        ],
    }
    where = f"{RECORD}/frameworks/0/version"
    assert reason(decide_on(org, [rule], record("digital")), "dtac") == (Finding.MET, where)

    def dtac_1(decided: str) -> Change:
        def change(r: Any) -> None:
            r["frameworks"][0]["version"] = "DTAC 1.0 (2021)"
            r["outcome"]["decided_on"] = decided

        return change

    late = decide_on(org, [rule], record("digital", dtac_1("2026-04-06")))
    assert reason(late, "dtac") == (Finding.REFER, where)
    early = decide_on(org, [rule], record("digital", dtac_1("2026-04-05")))
    assert reason(early, "dtac") == (Finding.MET, where)
    turns(early, late, Outcome.REFER)

    def dtac_20(r: Any) -> None:
        r["frameworks"][0]["version"] = "DTAC 20"

    assert reason(decide_on(org, [rule], record("digital", dtac_20)), "dtac")[0] is Finding.REFER
    # a device record uses no DTAC: not applicable, unless required
    assert findings(decide_on(org, [rule]), "dtac") == {Finding.NOT_APPLICABLE}
    assert findings(decide_on(org, [{**rule, "required": True}]), "dtac") == {Finding.REFER}


def test_decision_age_rule(org: Org) -> None:
    """The dressing was decided on 2026-03-12; NOW is 2026-05-01: 50 days."""
    where = f"{RECORD}/outcome/decided_on"
    rule: JSONObject = {"id": "age", "kind": "decision-age", "max_days": 50}
    met, old = decide_on(org, [rule]), decide_on(org, [{**rule, "max_days": 49}])
    assert reason(met, "age") == (Finding.MET, where)
    assert reason(old, "age") == (Finding.REFER, where)
    turns(met, old, Outcome.REFER)


def test_remaining_validity_rule(org: Org) -> None:
    until = NOW + timedelta(days=30)
    rule: JSONObject = {"id": "left", "kind": "remaining-validity", "min_days": 30}
    met = decide_on(org, [rule], valid_until=until)
    assert reason(met, "left") == (Finding.MET, "/validUntil")
    short = decide_on(org, [rule], valid_until=until - timedelta(seconds=1))
    assert reason(short, "left") == (Finding.REFER, "/validUntil")
    turns(met, short, Outcome.REFER)


def test_evidence_rule_types_and_expiry(org: Org) -> None:
    rule: JSONObject = {"id": "ev", "kind": "evidence", "types": ["iso13485_certificate"]}
    met = decide_on(org, [rule])
    assert reason(met, "ev") == (Finding.MET, f"{RECORD}/evidence/3")
    # ISO 13485 runs to 2027-09-30: not 600 days more from 2026-05-01
    margin = decide_on(org, [{**rule, "min_remaining_days": 600}])
    assert reason(margin, "ev") == (Finding.REFER, f"{RECORD}/evidence/3/valid_until")
    turns(met, margin, Outcome.REFER)
    absent = decide_on(org, [{**rule, "types": ["penetration_test_summary"]}])
    assert reason(absent, "ev") == (Finding.REFER, f"{RECORD}/evidence")
    old = decide_on(org, [{**rule, "max_age_days": 365}])  # issued 2024-10-01
    assert reason(old, "ev") == (Finding.REFER, f"{RECORD}/evidence/3/issued_on")
    assert reason(decide_on(org, [{**rule, "max_age_days": 600}]), "ev")[0] is Finding.MET
    strong = decide_on(org, [{**rule, "min_assurance": "regulator_or_national_body"}])
    assert reason(strong, "ev") == (Finding.REFER, f"{RECORD}/evidence/3/assurance")


def test_evidence_rule_mandatory(org: Org) -> None:
    rule: JSONObject = {"id": "mandatory", "kind": "evidence", "mandatory": True}
    met = decide_on(org, [rule])
    assert findings(met, "mandatory") == {Finding.MET}
    after = NOW.replace(year=2027, month=10)  # the ISO 13485 certificate expired on 2027-09-30

    def long_lived(r: Any) -> None:
        r["validity"]["valid_until"] = "2028-12-31"

    expired = decide_on(
        org,
        [rule],
        record(change=long_lived),
        at=after,
        valid_until=datetime(2028, 12, 31, tzinfo=UTC),
    )
    pointers = {r.pointer for r in expired.reasons if r.rule == "mandatory"}
    assert pointers == {f"{RECORD}/evidence/3/valid_until"}
    turns(met, expired, Outcome.REFER)


def test_device_class_rule(org: Org) -> None:
    where = f"{RECORD}/product/regulatory/device_class"
    rule: JSONObject = {"id": "ceiling", "kind": "device-class", "max": ["IIb", "IVD_list_A"]}
    refused = decide_on(org, [rule])  # class III
    assert reason(refused, "ceiling") == (Finding.REFUSE, where)
    assert refused.outcome is Outcome.REFUSE
    within = decide_on(org, [{**rule, "max": ["III"]}])
    assert reason(within, "ceiling") == (Finding.MET, where)
    turns(within, refused, Outcome.REFUSE)
    assert reason(decide_on(org, [{**rule, "max": ["AIMD"]}]), "ceiling") == (Finding.MET, where)
    ivd = record("diagnostic")
    assert reason(decide_on(org, [rule], ivd), "ceiling") == (Finding.MET, where)
    no_ivd = decide_on(org, [{**rule, "max": ["III"]}], ivd)  # no ceiling on the IVD ladder
    assert reason(no_ivd, "ceiling") == (Finding.REFUSE, where)
    digital = decide_on(org, [rule], record("digital"))  # not a device
    assert reason(digital, "ceiling") == (Finding.MET, where)


def test_go_live_rule_actions(org: Org) -> None:
    def bare(r: Any) -> None:
        r["local_requirements_for_adopters"] = []
        r["outcome"]["conditions"] = []

    rule: JSONObject = {
        "id": "go-live",
        "kind": "go-live",
        "actions": [
            {"id": "mdg", "text": "Noted by our Medical Devices Group"},
            {"id": "dpia", "text": "Our DPIA", "profiles": ["digital"]},
        ],
    }
    bare_record = record(change=bare)
    assert decide_on(org, [], bare_record).outcome is Outcome.ADOPT
    with_actions = decide_on(org, [rule], bare_record)
    assert with_actions.outcome is Outcome.ADOPT_WITH_ACTIONS
    [action] = with_actions.actions
    assert (action.id, action.source, action.blocking, action.pointer) == (
        "mdg",
        "policy",
        True,
        "/rules/1/actions/0",
    )
    done = decide_on(org, [rule], bare_record, done=("mdg",))
    assert done.outcome is Outcome.ADOPT
    assert [a.done for a in done.actions] == [True]
    with pytest.raises(ConfigurationError):
        decide_on(org, [rule], bare_record, done=("dpia",))  # not for a device


def test_go_live_rule_conditions(org: Org) -> None:
    """cond-3 (supplier, due 2026-09-30) is open; at 2026-10-01 it is overdue."""

    def blocking(r: Any) -> None:
        r["outcome"]["conditions"][2]["blocking"] = True

    where = f"{RECORD}/outcome/conditions/2"
    rule: JSONObject = {"id": "go-live", "kind": "go-live"}
    blocked = decide_on(org, [rule], record(change=blocking))
    assert reason(blocked, "go-live") == (Finding.REFER, where)
    accepted = decide_on(
        org, [{**rule, "open_blocking_conditions": "accept"}], record(change=blocking)
    )
    assert reason(accepted, "go-live") == (Finding.MET, where)
    assert decide_on(org, [rule]).outcome is Outcome.ADOPT_WITH_ACTIONS  # not blocking, not due
    overdue_at = datetime(2026, 10, 1, tzinfo=UTC)
    overdue = decide_on(org, [rule], at=overdue_at)
    assert overdue.outcome is Outcome.ADOPT_WITH_ACTIONS
    assert "confirm-cond-3" in {a.id for a in overdue.actions}
    refused = decide_on(org, [{**rule, "overdue_conditions": "refuse"}], at=overdue_at)
    assert reason(refused, "go-live") == (Finding.REFUSE, where)
    # without any go-live rule, innopass's own defaults apply
    assert (
        reason(decide_on(org, [], record(change=blocking)), "builtin:conditions")[0]
        is Finding.REFER
    )


def test_record_actions_and_adopter_conditions(org: Org) -> None:
    decision = decide_on(org, [])
    assert [(a.id, a.source, a.blocking) for a in decision.actions] == [
        ("ipc_review", "record", False),
        ("staff_training", "record", False),
        ("local_formulary_or_product_committee", "record", False),
        ("lawful_procurement_route", "record", False),
        ("cond-1", "condition", False),
        ("cond-2", "condition", True),
    ]
    assert decision.actions[0].pointer == f"{RECORD}/local_requirements_for_adopters/0"
    assert decision.actions[5].pointer == f"{RECORD}/outcome/conditions/1"
    everything = tuple(a.id for a in decision.actions)
    assert decide_on(org, [], done=everything).outcome is Outcome.ADOPT


def test_scope_rule(org: Org) -> None:
    rule: JSONObject = {
        "id": "use",
        "kind": "scope",
        "care_settings": ["community"],
        "patient_populations": ["adult"],
    }
    met = decide_on(org, [rule])
    assert findings(met, "use") == {Finding.MET}
    outside = decide_on(org, [{**rule, "care_settings": ["critical_care"]}])
    assert {(r.finding, r.pointer) for r in outside.reasons if r.rule == "use"} == {
        (Finding.REFER, f"{RECORD}/scope/care_settings"),
        (Finding.MET, f"{RECORD}/scope/patient_populations"),
    }
    children = decide_on(
        org, [{"id": "use", "kind": "scope", "patient_populations": ["paediatric"]}]
    )
    assert reason(children, "use") == (Finding.REFER, f"{RECORD}/scope/patient_populations")
    turns(met, outside, Outcome.REFER)


def test_exclusion_rule(org: Org) -> None:
    """The dressing excludes "Use in neonates and children (not assessed)"."""
    rule: JSONObject = {"id": "paediatric-use", "kind": "exclusion", "conflicts": ["children"]}
    conflict = decide_on(org, [rule])
    assert reason(conflict, "paediatric-use") == (Finding.REFUSE, f"{RECORD}/scope/exclusions/0")
    assert conflict.outcome is Outcome.REFUSE
    fine = decide_on(org, [{**rule, "conflicts": ["veterinary"]}])
    assert reason(fine, "paediatric-use") == (Finding.MET, f"{RECORD}/scope/exclusions")
    turns(fine, conflict, Outcome.REFUSE)


def _with_message(org: Org, value: int) -> tuple[JSONObject, list[JSONObject]]:
    credential = unsigned_passport(org, record=record())
    entries: Any = credential["credentialStatus"]
    entries.append(
        StatusEntry(
            "message", 77, org.list_id("message"), size=MESSAGE_SIZE, messages=REASON_MESSAGES
        ).to_json()
    )
    bits = with_value(new_bitstring(MIN_ENTRIES, MESSAGE_SIZE), 77, MESSAGE_SIZE, value)
    return org.sign(credential), [*org.status_lists(), org.status_list("message", bits=bits)]


def test_status_message_rule(org: Org) -> None:
    rule: JSONObject = {
        "id": "why",
        "kind": "status-message",
        "outcomes": {"under-review": "accept", "withdrawn-by-supplier": "refuse"},
    }
    for value, expected, outcome in (
        (3, Finding.MET, Outcome.ADOPT_WITH_ACTIONS),  # under review: accepted here
        (4, Finding.REFUSE, Outcome.REFUSE),  # withdrawn by the supplier
        (2, Finding.REFER, Outcome.REFER),  # field safety notice: not named, refer
    ):
        credential, lists = _with_message(org, value)
        run = make_verifier(issuers=[org.organisation()], status_lists=lists)
        decision = run_decide(run, credential, policy(rule))
        assert reason(decision, "why") == (expected, "/credentialStatus/2"), value
        assert decision.outcome is outcome
    credential, lists = _with_message(org, 0)  # none: no finding at all
    run = make_verifier(issuers=[org.organisation()], status_lists=lists)
    assert findings(run_decide(run, credential, policy(rule)), "why") == set()
    # without a status-message rule, any message refers
    credential, lists = _with_message(org, 3)
    run = make_verifier(issuers=[org.organisation()], status_lists=lists)
    assert (
        reason(run_decide(run, credential, policy()), "builtin:status-message")[0] is Finding.REFER
    )


def test_withdrawn_issuer_rule(org: Org) -> None:
    anchor = Org.did_key("X24", "NHS ENGLAND")
    credential = passport(org, record=record(), created=NOW - timedelta(days=2))
    withdrawn_at = NOW - timedelta(days=1)
    cases: list[tuple[str | None, JSONObject, Finding]] = [
        ("R1H", {"id": "w", "kind": "withdrawn-issuer"}, Finding.MET),
        ("R1H", {"id": "w", "kind": "withdrawn-issuer", "merged": "refuse"}, Finding.REFUSE),
        (None, {"id": "w", "kind": "withdrawn-issuer"}, Finding.REFER),
        (None, {"id": "w", "kind": "withdrawn-issuer", "closed": "accept"}, Finding.MET),
    ]
    for successor, rule, expected in cases:
        entry = org.trusted_issuer(
            status="withdrawn", withdrawn_at=withdrawn_at, successor=successor
        )
        run = make_verifier(
            anchors=[anchor.organisation()],
            trust_lists=[trust_list(anchor, [entry])],
            status_lists=org.status_lists(),
        )
        decision = run_decide(run, credential, policy(rule))
        assert decision.verdict == "verified"
        assert reason(decision, "w") == (expected, "/issuer"), (successor, rule)
        message = next(r.message for r in decision.reasons if r.rule == "w")
        assert message.startswith("RF4 merged into R1H on" if successor else "RF4 closed on")
        adopted = expected is Finding.MET
        assert decision.outcome is (Outcome.ADOPT_WITH_ACTIONS if adopted else Outcome(expected))


def test_a_withdrawal_still_to_come_is_noted_not_applied(org: Org) -> None:
    """A trust list may name a merger or closure ahead of its legal date: until then the
    organisation is neither merged nor closed, and every view says it in the future tense."""
    anchor = Org.did_key("X24", "NHS ENGLAND")
    credential = passport(org, record=record(), created=NOW - timedelta(days=2))
    for successor in (None, "R1H"):
        entry = org.trusted_issuer(
            status="withdrawn", withdrawn_at=NOW + timedelta(days=30), successor=successor
        )
        run = make_verifier(
            anchors=[anchor.organisation()],
            trust_lists=[trust_list(anchor, [entry])],
            status_lists=org.status_lists(),
        )
        rule: JSONObject = {"id": "w", "kind": "withdrawn-issuer", "merged": "refuse"}
        decision = run_decide(run, credential, policy(rule))
        assert decision.verdict == "verified"
        assert reason(decision, "w") == (Finding.MET, "/issuer"), successor
        assert decision.outcome is Outcome.ADOPT_WITH_ACTIONS
        message = next(r.message for r in decision.reasons if r.rule == "w")
        assert message.startswith("RF4 merges into R1H on" if successor else "RF4 closes on")
        # decided as of a time after the date: it applies then (merged: refuse; closed: refer)
        later = run_decide(run, credential, policy(rule), at=NOW + timedelta(days=31))
        assert reason(later, "w")[0] is (Finding.REFUSE if successor else Finding.REFER)


def test_a_rule_for_other_profiles_is_not_applicable(org: Org) -> None:
    rule: JSONObject = {
        "id": "digital-only",
        "kind": "profile",
        "allow": ["digital"],
        "profiles": ["digital"],
    }
    decision = decide_on(org, [rule])
    assert reason(decision, "digital-only") == (Finding.NOT_APPLICABLE, f"{RECORD}/profile")
    assert decision.outcome is Outcome.ADOPT_WITH_ACTIONS


# --- the policy file ------------------------------------------------------------------------


def test_the_template_is_valid_and_adopts_each_example_with_actions(org: Org) -> None:
    template = Policy.from_text(template_text(organisation="R1H"))
    assert template.organisation == "R1H"
    assert template.kinds() == {
        "issuer", "withdrawn-issuer", "profile", "outcome", "domain", "framework",
        "device-class", "decision-age", "remaining-validity", "evidence", "scope",
        "exclusion", "go-live", "status-message",
    }  # fmt: skip
    assert Policy.from_text(template_text()).organisation is None
    at = datetime(2026, 8, 1, tzinfo=UTC)  # every example is valid then
    expected = {
        "device": {"medical-devices-group", "cond-2"},
        "digital": {"dcb0160_deployment_case", "local_dpia", "local_cso_signoff", "cond-1"},
        "diagnostic": {"medical-devices-group", "ebme_acceptance_testing"},
    }
    for profile, wanted in expected.items():
        credential = passport(
            org,
            record=record(profile),
            valid_from=at - timedelta(days=1),
            created=at - timedelta(hours=2),
        )
        lists = [
            org.status_list(p, valid_from=at - timedelta(hours=1))
            for p in ("revocation", "suspension")
        ]
        run = make_verifier(issuers=[org.organisation()], status_lists=lists, at=at)
        decision = run_decide(run, credential, template)
        bad = [r for r in decision.reasons if r.finding in (Finding.REFER, Finding.REFUSE)]
        assert decision.outcome is Outcome.ADOPT_WITH_ACTIONS, bad
        assert wanted <= {a.id for a in decision.remaining}
        jsonschema.validate(
            decision.to_json(),
            _schema("decision-output.schema.json"),
            registry=_registry(),
        )


def _schema(name: str) -> Any:
    import json

    return json.loads((SCHEMAS / name).read_text())


def _registry() -> Any:
    from referencing import Registry, Resource

    resources = [
        (s["$id"], Resource.from_contents(s))
        for s in (_schema(p.name) for p in SCHEMAS.glob("*.schema.json"))
    ]
    return Registry().with_resources(resources)


@pytest.mark.parametrize(
    ("text", "paths"),
    [
        ("[policy\nid = 1", [""]),
        ('[policy]\nid = "p"\nversion = "1"\n', [""]),
        (
            '[policy]\nid = "p"\nversion = "1"\n'
            '[[rules]]\nid = "a"\nkind = "profile"\nallow = ["device"]\n',
            ["/rules"],
        ),
        (
            '[policy]\nid = "p"\nversion = "1"\n[[rules]]\nid = "a"\nkind = "issuer"\n'
            '[[rules]]\nid = "a"\nkind = "profile"\nallow = ["device"]\n',
            ["/rules/1/id"],
        ),
        (
            '[policy]\nid = "p"\nversion = "1"\n[[rules]]\nid = "a"\nkind = "issuer"\n'
            '[[rules]]\nid = "b"\nkind = "device-class"\nmax = ["IIa", "III"]\n',
            ["/rules/1/max"],
        ),
        (
            '[policy]\nid = "p"\nversion = "1"\n[[rules]]\nid = "a"\nkind = "issuer"\n'
            '[[rules]]\nid = "b"\nkind = "domain"\ndomain = "regulatory"\nmin_result = "fail"\n',
            ["/rules/1/min_result"],
        ),
        (
            '[policy]\nid = "p"\nversion = "1"\n[[rules]]\nid = "a"\nkind = "issuer"\n'
            '[[rules]]\nid = "b"\nkind = "framework"\nframework = "dtac"\n'
            'accept = [{version = "DTAC 2", decided_from = 2026-05-01, '
            "decided_before = 2026-04-01}]\n",
            ["/rules/1/accept/0"],
        ),
        (
            '[policy]\nid = "p"\nversion = "1"\n[[rules]]\nid = "builtin:x"\nkind = "issuer"\n',
            ["/rules/0/id"],
        ),
        (
            '[policy]\nid = "p"\nversion = "1"\nextra = true\n'
            '[[rules]]\nid = "a"\nkind = "issuer"\n',
            ["/policy"],
        ),
        (
            '[policy]\nid = "p"\nversion = "1"\n[[rules]]\nid = "a"\nkind = "nonsense"\n',
            ["/rules/0/kind"],
        ),
    ],
    ids=["not-toml", "no-rules", "no-issuer-rule", "duplicate-id", "two-ceilings-one-ladder",
         "bad-result", "window-backwards", "builtin-id", "unknown-member", "unknown-kind"],
)  # fmt: skip
def test_bad_policies_are_refused_with_a_path(text: str, paths: list[str]) -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_text(text)
    assert caught.value.code == "policy-invalid"
    assert [p.path for p in caught.value.problems] == paths


def test_the_policy_digest_is_over_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(template_text())
    first = Policy.load(path)
    assert first.digest_sri == Policy.from_text(template_text()).digest_sri
    path.write_text(template_text() + "\n# a comment changes the bytes\n")
    assert Policy.load(path).digest_sri != first.digest_sri
    assert first.ref.to_json()["digestSRI"] == first.digest_sri


def test_a_decision_is_made_at_the_verifiers_time(org: Org) -> None:
    later = NOW + timedelta(days=3)
    credential = passport(org, record=record())
    lists = [
        org.status_list(p, valid_from=later - timedelta(hours=1))
        for p in ("revocation", "suspension")
    ]
    run = make_verifier(issuers=[org.organisation()], status_lists=lists, at=later)
    decision = run_decide(run, credential, policy())
    assert decision.decided_at == later
    jsoned = decision.to_json()
    assert jsoned["decided_at"] == "2026-05-04T09:30:00Z"
    copy.deepcopy(jsoned)  # plain JSON
