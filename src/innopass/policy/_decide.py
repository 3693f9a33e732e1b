"""Applying a policy to a verification result: reasons, local actions, the decision.

The data flows one way (docs/ARCHITECTURE.md): verifier → trust policy → verdict →
decision. This module reads the :class:`~innopass.verifier.VerificationResult` (its
verdict, the issuer's trust, the status messages, the credential whose record passed
its schema) and never verifies anything itself.

- Built-in, whatever the policy says (rule ids ``builtin:…``): a passport that does
  not verify is never better than ``refer`` (``rejected``: ``refuse``, each failure a
  reason; ``indeterminate``: ``refer``); a credential with no assessment record (an
  adoption record) is refused; an outcome of ``not_approved`` is refused;
  without a ``status-message`` rule any message but ``none`` refers; without a
  ``withdrawn-issuer`` rule a closed issuer refers; without a ``go-live`` rule an open
  blocking condition for the supplier refers and an overdue one is an action.
- The policy's rules run, and local actions are listed, when the record passed its
  schema and the passport was not rejected (a rejected passport's content is not
  acted on: it is refused, its ``done`` actions ignored); a rule limited to other
  profiles is ``not-applicable``.
- The worst finding decides: ``refuse``, else ``refer``, else ``adopt-with-actions``
  when local actions remain, else ``adopt``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from innopass._internal.jsonio import JSONValue, pointer
from innopass._internal.timestamps import parse_datetime, utc_now
from innopass._internal.wording import local_requirement
from innopass.adoption import (
    Decision,
    Finding,
    LocalAction,
    Outcome,
    PassportRef,
    Reason,
    passport_digest,
)
from innopass.errors import ConfigurationError, MalformedInputError
from innopass.policy._model import Rule, ladder_of
from innopass.verifier import CheckName, CheckStatus, VerificationResult

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass.policy._policy import Policy

__all__ = ["decide_result"]

RECORD: Final = "/credentialSubject/assessmentRecord"
_MAX_VERIFICATION_REASONS: Final = 20
_RESULTS: Final = ("fail", "not_assessed", "pass_with_conditions", "pass")
_ASSURANCE: Final = (
    "supplier_declared",
    "assessor_reviewed",
    "assessor_verified",
    "third_party_certified",
    "regulator_or_national_body",
)
_CHOICE: Final = {"accept": Finding.MET, "refer": Finding.REFER, "refuse": Finding.REFUSE}
#: A go-live rule's choices for a condition, from best to worst.
_CONDITION_CHOICES: Final = ("accept", "action", "refer", "refuse")
#: Each kind's finding when a rule of it is not met (a rule's ``on_fail`` overrides it).
_DEFAULT_FAIL: Final = {
    "issuer": Finding.REFUSE,
    "profile": Finding.REFUSE,
    "outcome": Finding.REFUSE,
    "device-class": Finding.REFUSE,
    "exclusion": Finding.REFUSE,
}


@dataclass(slots=True)
class _Case:
    """One passport as the rules see it."""

    result: VerificationResult
    record: Any
    """The record (it passed its schema)."""
    credential: Any
    at: datetime
    actions: list[LocalAction]

    @property
    def today(self) -> date:
        return self.at.astimezone(UTC).date()

    @property
    def profile(self) -> str:
        return str(self.record["profile"])


def _reason(rule: Rule, finding: Finding, where: str, message: str) -> Reason:
    note = f" ({rule.note})" if rule.note and finding in (Finding.REFER, Finding.REFUSE) else ""
    return Reason(rule.id, rule.kind, finding, where, message + note)


def _fail(rule: Rule) -> Finding:
    if rule.on_fail is not None:
        return Finding(rule.on_fail)
    return _DEFAULT_FAIL.get(rule.kind, Finding.REFER)


def _met(rule: Rule, where: str, message: str) -> Reason:
    return _reason(rule, Finding.MET, where, message)


def _not_met(rule: Rule, where: str, message: str) -> Reason:
    return _reason(rule, _fail(rule), where, message)


def _day(value: str) -> date:
    return date.fromisoformat(value)


# --- the rule kinds --------------------------------------------------------------------------


def _issuer(rule: Rule, case: _Case) -> list[Reason]:
    issuer = case.result.issuer
    params = rule.params
    anchors = params.get("anchors")
    accepted = []
    for source in issuer.trusted_by:
        if source.source == "pinned" and params.get("pinned", True):
            accepted.append("pinned by this home")
        elif (
            source.source == "trust-list"
            and params.get("trust_lists", True)
            and (not anchors or source.anchor in anchors)
        ):
            accepted.append(f"trust list v{source.version} of {source.anchor}")
    who = issuer.ods_code or issuer.id or "the issuer"
    if not accepted:
        return [
            _not_met(rule, "/issuer", f"{who} is not trusted through a source this rule accepts")
        ]
    codes = params.get("ods_codes")
    if codes and (issuer.claimed or issuer.ods_code not in codes):
        return [
            _not_met(
                rule, "/issuer", f"{who} is not one of the issuers accepted ({', '.join(codes)})"
            )
        ]
    return [_met(rule, "/issuer", f"{who} is trusted: {'; '.join(accepted)}")]


def _withdrawn_issuer(rule: Rule | None, case: _Case) -> list[Reason]:
    withdrawn = case.result.issuer.withdrawn
    if withdrawn is None:
        return []
    the_rule = rule or Rule("builtin:withdrawn-issuer", "withdrawn-issuer", {})
    # pending as of the decision's time, which may differ from the verification's
    when = withdrawn.withdrawn_at
    withdrawn = replace(withdrawn, pending=when is not None and parse_datetime(when) > case.at)
    if withdrawn.pending:  # the trust list names a date still to come: not yet merged or closed
        return [_met(the_rule, "/issuer", f"{withdrawn.describe()}: not yet (noted)")]
    option = "merged" if withdrawn.merged else "closed"
    default = "accept" if withdrawn.merged else (the_rule.on_fail or "refer")
    choice = str(the_rule.params.get(option, default))
    return [
        _reason(
            the_rule,
            _CHOICE[choice],
            "/issuer",
            f"{withdrawn.describe()}; signed before then ({option}: {choice})",
        )
    ]


def _profile(rule: Rule, case: _Case) -> list[Reason]:
    where = f"{RECORD}/profile"
    if case.profile in rule.params["allow"]:
        return [_met(rule, where, f"{case.profile} is accepted")]
    return [_not_met(rule, where, f"{case.profile} passports are not accepted here")]


def _outcome(rule: Rule, case: _Case) -> list[Reason]:
    decision = str(case.record["outcome"]["decision"])
    where = f"{RECORD}/outcome/decision"
    if decision in rule.params["allow"]:
        return [_met(rule, where, f"the outcome {decision.replace('_', ' ')} is accepted")]
    return [_not_met(rule, where, f"the outcome {decision.replace('_', ' ')} is not accepted")]


def _domain(rule: Rule, case: _Case) -> list[Reason]:
    params = rule.params
    name = str(params["domain"])
    found = [(i, d) for i, d in enumerate(case.record["domains"]) if d["domain"] == name]
    if not found:
        if params.get("required", True):
            return [_not_met(rule, f"{RECORD}/domains", f"{name} was not assessed")]
        return [_reason(rule, Finding.NOT_APPLICABLE, f"{RECORD}/domains", f"{name} not assessed")]
    reasons = []
    minimum = str(params.get("min_result", "pass_with_conditions"))
    wanted = params.get("min_assurance")
    for i, domain in found:
        where = pointer("credentialSubject", "assessmentRecord", "domains", i)
        result = str(domain["result"])
        if result == "not_applicable":
            why = domain.get("not_applicable_reason") or "no reason given"
            if params.get("accept_not_applicable", False):
                reasons.append(_met(rule, f"{where}/result", f"{name}: not applicable ({why})"))
            else:
                reasons.append(
                    _not_met(rule, f"{where}/result", f"{name} was found not applicable ({why})")
                )
            continue
        if _RESULTS.index(result) < _RESULTS.index(minimum):
            reasons.append(
                _not_met(
                    rule,
                    f"{where}/result",
                    f"{name}: {result.replace('_', ' ')}, below {minimum.replace('_', ' ')}",
                )
            )
            continue
        if wanted is not None:
            answers = list(enumerate(domain["answers"]))
            if not answers:
                reasons.append(
                    _not_met(rule, f"{where}/answers", f"{name}: no answers, so no assurance")
                )
                continue
            j, lowest = min(answers, key=lambda a: _ASSURANCE.index(a[1]["assurance"]))
            if _ASSURANCE.index(lowest["assurance"]) < _ASSURANCE.index(wanted):
                reasons.append(
                    _not_met(
                        rule,
                        f"{where}/answers/{j}/assurance",
                        f"{name}: answer {lowest['question_code']} is only "
                        f"{str(lowest['assurance']).replace('_', ' ')}, below "
                        f"{str(wanted).replace('_', ' ')}",
                    )
                )
                continue
        reasons.append(_met(rule, f"{where}/result", f"{name}: {result.replace('_', ' ')}"))
    return reasons


def _version_matches(version: str, accepted: str) -> bool:
    """``DTAC 2`` matches ``DTAC 2`` and ``DTAC 2 (2026-02-24)``, not ``DTAC 20``."""
    if not version.startswith(accepted):
        return False
    rest = version[len(accepted) :]
    return not rest or not rest[0].isalnum()


def _framework(rule: Rule, case: _Case) -> list[Reason]:
    params = rule.params
    kind = str(params["framework"])
    decided = _day(str(case.record["outcome"]["decided_on"]))
    found = [(i, f) for i, f in enumerate(case.record["frameworks"]) if f["framework"] == kind]
    if not found:
        if params.get("required", False):
            return [_not_met(rule, f"{RECORD}/frameworks", f"no {kind} framework was used")]
        return [_reason(rule, Finding.NOT_APPLICABLE, f"{RECORD}/frameworks", f"{kind} not used")]
    windows = []
    for window in params["accept"]:
        start, end = window.get("decided_from"), window.get("decided_before")
        when = " ".join(
            x
            for x in (
                "" if start is None else f"from {start}",
                "" if end is None else f"before {end}",
            )
            if x
        )
        windows.append(f"{window['version']}" + (f" ({when})" if when else ""))
    reasons = []
    for i, framework in found:
        version = str(framework["version"])
        where = pointer("credentialSubject", "assessmentRecord", "frameworks", i, "version")
        ok = any(
            _version_matches(version, str(w["version"]))
            and ("decided_from" not in w or decided >= _day(str(w["decided_from"])))
            and ("decided_before" not in w or decided < _day(str(w["decided_before"])))
            for w in params["accept"]
        )
        if ok:
            reasons.append(_met(rule, where, f"{version} is accepted for a decision on {decided}"))
        else:
            reasons.append(
                _not_met(
                    rule,
                    where,
                    f"{version} is not accepted for a decision on {decided} "
                    f"(accepted: {'; '.join(windows)})",
                )
            )
    return reasons


def _decision_age(rule: Rule, case: _Case) -> list[Reason]:
    decided = _day(str(case.record["outcome"]["decided_on"]))
    age = (case.today - decided).days
    limit = int(rule.params["max_days"])
    where = f"{RECORD}/outcome/decided_on"
    if age < -1:  # a day's grace: the record's dates are UK dates, ``today`` is UTC's
        return [_not_met(rule, where, f"decided on {decided}, later than this decision")]
    if age <= limit:
        return [_met(rule, where, f"decided {age} days ago (at most {limit})")]
    return [_not_met(rule, where, f"decided {age} days ago, more than {limit}")]


def _remaining_validity(rule: Rule, case: _Case) -> list[Reason]:
    until = parse_datetime(case.credential["validUntil"])
    left = until - case.at
    wanted = timedelta(days=int(rule.params["min_days"]))
    if left >= wanted:
        return [_met(rule, "/validUntil", f"valid until {until.date()} ({left.days} days left)")]
    return [
        _not_met(
            rule,
            "/validUntil",
            f"valid until {until.date()}: {max(left.days, 0)} days left, fewer than {wanted.days}",
        )
    ]


def _evidence_problem(item: Any, params: Mapping[str, Any], today: date) -> tuple[str, str] | None:
    """Why an evidence item does not do: ``(member, message)``, or ``None``."""
    until = item.get("valid_until")
    margin = int(params.get("min_remaining_days", 0))
    if until is not None and _day(str(until)) < today + timedelta(days=margin):
        expired = "expired" if _day(str(until)) < today else f"expires within {margin} days"
        return "valid_until", f"{item['evidence_id']} ({item['type']}) {expired} ({until})"
    max_age = params.get("max_age_days")
    if max_age is not None and _day(str(item["issued_on"])) < today - timedelta(days=int(max_age)):
        return (
            "issued_on",
            f"{item['evidence_id']} ({item['type']}) was issued on {item['issued_on']}, "
            f"more than {max_age} days ago",
        )
    wanted = params.get("min_assurance")
    if wanted is not None and _ASSURANCE.index(item["assurance"]) < _ASSURANCE.index(wanted):
        return (
            "assurance",
            f"{item['evidence_id']} ({item['type']}) is only "
            f"{str(item['assurance']).replace('_', ' ')}",
        )
    return None


def _evidence(rule: Rule, case: _Case) -> list[Reason]:
    params = rule.params
    items = list(enumerate(case.record["evidence"]))
    reasons = []

    def at(i: int, member: str = "") -> str:
        return pointer("credentialSubject", "assessmentRecord", "evidence", i) + (
            f"/{member}" if member else ""
        )

    for kind in params.get("types", ()):
        of_kind = [(i, e) for i, e in items if e["type"] == kind]
        if not of_kind:
            reasons.append(_not_met(rule, f"{RECORD}/evidence", f"no {kind} evidence"))
            continue
        checked = [(i, e, _evidence_problem(e, params, case.today)) for i, e in of_kind]
        good = next(((i, e) for i, e, problem in checked if problem is None), None)
        if good is not None:
            reasons.append(_met(rule, at(good[0]), f"{kind}: {good[1]['evidence_id']} will do"))
        else:
            i, _, problem = checked[0]
            assert problem is not None
            reasons.append(_not_met(rule, at(i, problem[0]), problem[1]))
    if params.get("mandatory", False):
        mandatory = [(i, e) for i, e in items if e.get("mandatory")]
        bad = [(i, _evidence_problem(e, params, case.today)) for i, e in mandatory]
        bad = [(i, p) for i, p in bad if p is not None]
        for i, problem in bad:
            assert problem is not None
            reasons.append(_not_met(rule, at(i, problem[0]), f"mandatory evidence: {problem[1]}"))
        if not bad:
            reasons.append(
                _met(rule, f"{RECORD}/evidence", f"all {len(mandatory)} mandatory items will do")
            )
    return reasons


def _device_class(rule: Rule, case: _Case) -> list[Reason]:
    value = str(case.record["product"]["regulatory"]["device_class"])
    where = f"{RECORD}/product/regulatory/device_class"
    place = ladder_of(value)
    if place is None:
        if case.record["product"]["regulatory"]["is_medical_device"]:
            return [
                _not_met(
                    rule,
                    where,
                    f"a medical device with no device class ({value}): no ceiling is shown met",
                )
            ]
        return [_met(rule, where, "not a device class (not a medical device)")]
    ceilings = [c for c in rule.params["max"] if (ladder_of(str(c)) or (-1, 0))[0] == place[0]]
    if not ceilings:
        return [_not_met(rule, where, f"class {value}: this rule sets no ceiling for its ladder")]
    ceiling = str(ceilings[0])
    top = ladder_of(ceiling)
    assert top is not None
    if place[1] <= top[1]:
        return [_met(rule, where, f"class {value}, within the ceiling {ceiling}")]
    return [_not_met(rule, where, f"class {value} is above the ceiling {ceiling}")]


def _scope(rule: Rule, case: _Case) -> list[Reason]:
    scope = case.record["scope"]
    reasons = []
    for member, label in (
        ("care_settings", "care setting"),
        ("patient_populations", "patient population"),
        ("user_types", "user type"),
    ):
        wanted = rule.params.get(member)
        if not wanted:
            continue
        assessed = set(scope[member])
        missing = [] if "all" in assessed else [w for w in wanted if w not in assessed]
        where = f"{RECORD}/scope/{member}"
        if missing:
            reasons.append(
                _not_met(
                    rule,
                    where,
                    f"our {label}s {', '.join(missing)} are outside the assessed scope "
                    f"({', '.join(sorted(assessed)) or 'none'})",
                )
            )
        else:
            reasons.append(_met(rule, where, f"our {label}s are within the assessed scope"))
    return reasons


def _exclusion(rule: Rule, case: _Case) -> list[Reason]:
    phrases = [str(p).lower() for p in rule.params["conflicts"]]
    reasons = []
    for i, exclusion in enumerate(case.record["scope"]["exclusions"]):
        hit = next((p for p in phrases if p in str(exclusion).lower()), None)
        if hit is not None:
            reasons.append(
                _not_met(
                    rule,
                    pointer("credentialSubject", "assessmentRecord", "scope", "exclusions", i),
                    f"the assessment excludes {exclusion!r}, which conflicts with our use ({hit})",
                )
            )
    if not reasons:
        reasons.append(
            _met(rule, f"{RECORD}/scope/exclusions", "no exclusion conflicts with our use")
        )
    return reasons


def _status_message(rule: Rule | None, case: _Case) -> list[Reason]:
    the_rule = rule or Rule("builtin:status-message", "status-message", {"outcomes": {}})
    outcomes = the_rule.params["outcomes"]
    reasons = []
    for note in case.result.status_messages:
        if note.purpose != "message" or note.message == "none":
            continue
        choice = str(outcomes.get(note.message, the_rule.on_fail or "refer"))
        as_of = f" (status list of {note.as_of})" if note.as_of else ""
        reasons.append(
            _reason(
                the_rule,
                _CHOICE[choice],
                note.path or "/credentialStatus",
                f"the issuer says: {note.description}{as_of}",
            )
        )
    return reasons


def _conditions(rule: Rule | None, case: _Case) -> list[Reason]:
    """Open conditions for the supplier or the assessing organisation: blocking, or overdue."""
    the_rule = rule or Rule("builtin:conditions", "go-live", {})
    blocking_choice = str(
        the_rule.params.get("open_blocking_conditions", the_rule.on_fail or "refer")
    )
    overdue_choice = str(the_rule.params.get("overdue_conditions", "action"))
    reasons = []
    for i, condition in enumerate(case.record["outcome"]["conditions"]):
        if condition["status"] != "open" or condition["responsible_party"] == "adopting_org":
            continue
        where = pointer("credentialSubject", "assessmentRecord", "outcome", "conditions", i)
        party = str(condition["responsible_party"]).replace("_", " ")
        due = condition["due"]
        overdue = due not in (None, "before_go_live") and _day(str(due)) < case.today
        applicable = [
            (choice, what)
            for applies, choice, what in (
                (condition["blocking"], blocking_choice, "a blocking condition"),
                (overdue, overdue_choice, f"a condition due {due}, past due"),
            )
            if applies
        ]
        if not applicable:
            continue
        # blocking and overdue: the worse of the two choices decides
        choice, what = max(applicable, key=lambda c: _CONDITION_CHOICES.index(c[0]))
        text = f"{condition['condition_id']} ({party}) is {what}, open when assessed: "
        if choice == "action":
            if any(a.id == f"confirm-{condition['condition_id']}" for a in case.actions):
                continue
            case.actions.append(
                LocalAction(
                    id=f"confirm-{condition['condition_id']}",
                    text=f"Confirm with the {party} that this was met: {condition['text']}",
                    source="condition",
                    pointer=where,
                    blocking=bool(condition["blocking"]),
                    due=None if due is None else str(due),
                )
            )
            reasons.append(_met(the_rule, where, text + "we confirm it (a local action)"))
        else:
            reasons.append(_reason(the_rule, _CHOICE[choice], where, text + condition["text"]))
    return reasons


_RULES: Final[dict[str, Callable[[Rule, _Case], list[Reason]]]] = {
    "issuer": _issuer,
    "profile": _profile,
    "outcome": _outcome,
    "domain": _domain,
    "framework": _framework,
    "decision-age": _decision_age,
    "remaining-validity": _remaining_validity,
    "evidence": _evidence,
    "device-class": _device_class,
    "scope": _scope,
    "exclusion": _exclusion,
}


# --- local actions ------------------------------------------------------------------------


def _record_actions(record: Any) -> list[LocalAction]:
    """The record's local requirements and the open conditions for the adopting organisation."""
    actions: list[LocalAction] = []
    ids: set[str] = set()

    def unique(base: str) -> str:
        chosen = next(
            c
            for c in itertools.chain([base], (f"{base}-{n}" for n in itertools.count(2)))
            if c not in ids
        )
        ids.add(chosen)
        return chosen

    for i, item in enumerate(record["local_requirements_for_adopters"]):
        actions.append(
            LocalAction(
                id=unique(str(item["requirement"])),
                text=local_requirement(item["requirement"], item["note"]),
                source="record",
                pointer=pointer(
                    "credentialSubject", "assessmentRecord", "local_requirements_for_adopters", i
                ),
            )
        )
    for i, condition in enumerate(record["outcome"]["conditions"]):
        if condition["responsible_party"] != "adopting_org" or condition["status"] != "open":
            continue
        actions.append(
            LocalAction(
                id=unique(str(condition["condition_id"])),
                text=str(condition["text"]),
                source="condition",
                pointer=pointer(
                    "credentialSubject", "assessmentRecord", "outcome", "conditions", i
                ),
                blocking=bool(condition["blocking"]),
                due=None if condition["due"] is None else str(condition["due"]),
            )
        )
    return actions


def _policy_actions(policy: Policy, case: _Case) -> None:
    """The go-live rules' own actions for this profile (one with a record's id is that one).

    Their pointer is into the policy (``/rules/<n>/actions/<m>``), not the passport.
    """
    for number, rule in enumerate(policy.rules):
        if rule.kind != "go-live" or not rule.applies_to(case.profile):
            continue
        for index, action in enumerate(rule.params.get("actions", ())):
            profiles = action.get("profiles")
            if profiles and case.profile not in profiles:
                continue
            same = next((a for a in case.actions if a.id == action["id"]), None)
            if same is not None:
                case.actions[case.actions.index(same)] = replace(same, blocking=True)
                continue
            case.actions.append(
                LocalAction(
                    id=str(action["id"]),
                    text=str(action["text"]),
                    source="policy",
                    pointer=f"/rules/{number}/actions/{index}",
                    blocking=True,
                    due="before_go_live",
                )
            )


# --- the decision -------------------------------------------------------------------------


def _verification_reasons(result: VerificationResult) -> list[Reason]:
    if result.verified:
        return [
            Reason("builtin:verification", "verification", Finding.MET, "", "the passport verified")
        ]
    finding = Finding.REFUSE if result.verdict == "rejected" else Finding.REFER
    said = "; ".join(
        n.description
        for n in result.status_messages
        if n.purpose == "message" and n.message != "none"
    )
    why = f" (the issuer says: {said})" if said else ""
    reasons = [
        Reason(
            "builtin:verification",
            "verification",
            finding,
            failure.path,
            f"verification {result.verdict}: {failure.code}: {failure.message}"
            + (why if failure.code in ("revoked", "suspended") else ""),
        )
        for failure in result.failures[:_MAX_VERIFICATION_REASONS]
    ]
    if not reasons:  # a skipped check with no failure: still never adopted
        reasons.append(
            Reason(
                "builtin:verification",
                "verification",
                finding,
                "",
                f"verification {result.verdict}: a check could not run",
            )
        )
    return reasons


def _record_of(result: VerificationResult) -> Any:
    """The passport's record when it passed its schema (``None`` otherwise)."""
    credential = result.credential
    if credential is None or result.passport is None:
        return None
    if result.check(CheckName.RECORD).status is not CheckStatus.PASS:
        return None
    subject = credential.get("credentialSubject")
    return subject.get("assessmentRecord") if isinstance(subject, dict) else None


def _passport_ref(
    result: VerificationResult,
    record: Any,
    passport: str | bytes | Mapping[str, JSONValue] | None,
) -> PassportRef:
    digest = media = None
    source: str | bytes | Mapping[str, JSONValue] | None = passport
    if source is None and result.credential is not None and result.format != "vc+jwt":
        source = result.credential
    if source is not None:
        try:
            digest, media = passport_digest(source)
        except MalformedInputError:
            digest = media = None
    until = (result.credential or {}).get("validUntil")
    return PassportRef(
        id=result.credential_id,
        digest_sri=digest,
        media_type=media,
        record_id=None if record is None else str(record["record_id"]),
        record_version=None if record is None else int(record["record_version"]),
        product=None if result.passport is None else result.passport.product,
        profile=None if record is None else str(record["profile"]),
        assessing_organisation=None if record is None else str(record["assessing_org"]["ods_code"]),
        issuer=result.issuer.id,
        valid_until=until if isinstance(until, str) else None,
    )


def decide_result(
    policy: Policy,
    result: VerificationResult,
    *,
    passport: str | bytes | Mapping[str, JSONValue] | None = None,
    at: datetime | None = None,
    done: Iterable[str] = (),
) -> Decision:
    """The decision ``policy`` makes on ``result`` (see the module docstring).

    The decision is made at ``at`` (default: the time the verification was made as of,
    ``result.checked_at``). Raises :class:`~innopass.errors.ConfigurationError` for a
    naive ``at``, or for a ``done`` id that is not one of the decision's local actions.
    """
    when = at if at is not None else (result.checked_at or utc_now())
    if when.tzinfo is None:
        raise ConfigurationError("the time of a decision must be timezone-aware")
    reasons = _verification_reasons(result)
    rejected = result.verdict == "rejected"
    record = None if rejected else _record_of(result)  # nothing unverified is acted on
    actions: list[LocalAction] = []
    if record is None and not rejected:  # e.g. an adoption record: no rule can run on it
        reasons.append(
            Reason(
                "builtin:passport",
                "passport",
                Finding.REFUSE,
                "/type",
                "not an innovator passport with an assessment record, so nothing to adopt",
            )
        )
    if record is not None:
        case = _Case(result, record, result.credential, when, _record_actions(record))
        if record["outcome"]["decision"] == "not_approved":
            reasons.append(
                Reason(
                    "builtin:outcome",
                    "outcome",
                    Finding.REFUSE,
                    f"{RECORD}/outcome/decision",
                    "the assessment was not approved",
                )
            )
        reasons += _apply(policy, case)
        _policy_actions(policy, case)
        actions = case.actions
    wanted = set(done)
    unknown = sorted(wanted - {a.id for a in actions})
    if unknown and not rejected:
        known = ", ".join(a.id for a in actions) or "none"
        raise ConfigurationError(
            f"no local action {', '.join(unknown)} in this decision (its actions: {known})"
        )
    actions = [replace(a, done=True) if a.id in wanted else a for a in actions]
    findings = {r.finding for r in reasons}
    if Finding.REFUSE in findings:
        outcome = Outcome.REFUSE
    elif Finding.REFER in findings:
        outcome = Outcome.REFER
    elif any(not a.done for a in actions):
        outcome = Outcome.ADOPT_WITH_ACTIONS
    else:
        outcome = Outcome.ADOPT
    reused: tuple[str, ...] = ()
    if outcome.adopted and record is not None:
        reused = tuple(
            str(d["domain"])
            for d in record["domains"]
            if d["result"] in ("pass", "pass_with_conditions")
        )
    return Decision(
        outcome=outcome,
        decided_at=when,
        policy=policy.ref,
        passport=_passport_ref(result, record, passport),
        verdict=str(result.verdict),
        reasons=tuple(reasons),
        actions=tuple(actions),
        assessments_reused=reused,
        verification=result.to_json(),
    )


def _apply(policy: Policy, case: _Case) -> list[Reason]:
    """Every rule of the policy, in order, then the built-ins a policy did not replace."""
    reasons: list[Reason] = []
    for rule in policy.rules:
        if not rule.applies_to(case.profile):
            reasons.append(
                _reason(
                    rule,
                    Finding.NOT_APPLICABLE,
                    f"{RECORD}/profile",
                    f"for {', '.join(rule.profiles)} passports only",
                )
            )
            continue
        if rule.kind in _RULES:
            reasons += _RULES[rule.kind](rule, case)
        elif rule.kind == "status-message":
            reasons += _status_message(rule, case)
        elif rule.kind == "withdrawn-issuer":
            reasons += _withdrawn_issuer(rule, case)
        elif rule.kind == "go-live":
            reasons += _conditions(rule, case)
    kinds = {r.kind for r in policy.rules if r.applies_to(case.profile)}
    if "status-message" not in kinds:
        reasons += _status_message(None, case)
    if "withdrawn-issuer" not in kinds:
        reasons += _withdrawn_issuer(None, case)
    if "go-live" not in kinds:
        reasons += _conditions(None, case)
    return reasons
