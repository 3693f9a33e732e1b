"""What a person reads about a passport: the verdict first, then the record in words.

One view model (:func:`build_view`) feeds every human output, so the terminal
(``innopass.cli._show``, with ``rich``), the printable page (:mod:`.page`) and ``innopass
verify`` say the same things. The record is read defensively: when the verdict is
not ``verified`` it is only what the file claims, possibly hostile, so every
member is type-checked here, every string has its control characters escaped (no
terminal escape sequence from a passport reaches a terminal), and the view says,
in ``heading``, that nothing in it is vouched for.

No third-party import: this module is cheap to load.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass.adoption import Decision
    from innopass.verifier import Succession, VerificationResult

__all__ = [
    "NOT_VERIFIED",
    "NO_TRUST_COMMANDS",
    "DecisionView",
    "PassportView",
    "Row",
    "Section",
    "build_view",
    "clean",
    "decision_view",
    "passport_digest",
]

#: The banner of a passport whose verdict is not ``verified`` (terminal, page and verify).
NOT_VERIFIED: Final = "not verified: do not rely on this"
#: What sets up trust, when none is configured: the two commands (README, "The command line").
NO_TRUST_COMMANDS: Final = (
    "innopass trust pin-anchor ANCHOR.json     # the national anchor's description",
    "innopass trust import TRUST-LIST.json     # the trust list it signed",
)
_MAX_TEXT: Final = 2000
#: Escaped wherever text from a file is shown: controls (line breaks and tabs too: a
#: name or claim must never start a line of its own), and the bidirectional overrides.
_CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)

_WORDS: Final = {
    "approved": "Approved",
    "approved_with_conditions": "Approved with conditions",
    "not_approved": "Not approved",
    "pass_with_conditions": "Pass with conditions",
    "not_applicable": "Not applicable",
    "udi_di_list": "UDI-DIs",
    "semver_range": "Versions",
    "exact": "Exactly",
    "not_a_device": "not a medical device",
    "ivd": "in vitro diagnostic",
    "saas": "software as a service",
    "ahp": "allied health professional",
    "nurse_midwife": "nurse or midwife",
    "procurement_sq": "Procurement selection questionnaire",
}
#: Who must meet a condition, in words.
PARTIES: Final = {
    "adopting_org": "the adopting organisation",
    "assessing_org": "the assessing organisation",
    "supplier": "the supplier",
}
#: Parts of codes that are acronyms or names.
_PARTS: Final = {
    "uk": "UK",
    "eu": "EU",
    "mdr": "MDR",
    "ivdr": "IVDR",
    "ukca": "UKCA",
    "ce": "CE",
    "gtin": "GTIN",
    "gln": "GLN",
    "udi": "UDI",
    "di": "DI",
    "nhs": "NHS",
    "npc": "NPC",
    "mhra": "MHRA",
    "ppon": "PPON",
    "ods": "ODS",
    "dtac": "DTAC",
    "dspt": "DSPT",
    "nice": "NICE",
    "esf": "ESF",
    "ico": "ICO",
    "iso13485": "ISO 13485",
    "iso27001": "ISO 27001",
    "dcb0129": "DCB0129",
    "dcb0160": "DCB0160",
    "fsca": "FSCA",
    "dpia": "DPIA",
    "sbom": "SBOM",
    "ipc": "IPC",
    "cso": "CSO",
    "ebme": "EBME",
    "wcag": "WCAG",
    "api": "API",
    "fhir": "FHIR",
    "companies": "Companies",
    "house": "House",
    "sq": "SQ",
    "id": "id",
}


def clean(value: object, limit: int = _MAX_TEXT) -> str:
    """``value`` as text safe for a terminal or a page: control characters escaped, bounded."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def words(code: object) -> str:
    """A record code (``approved_with_conditions``) in words (``Approved with conditions``)."""
    text = clean(code, 200)
    if text in _WORDS:
        return _WORDS[text]
    phrase = " ".join(_PARTS.get(part, part) for part in text.split("_"))
    return phrase[:1].upper() + phrase[1:]


def _str(obj: object, *path: str) -> str | None:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    if isinstance(obj, bool) or obj is None:
        return None
    if isinstance(obj, str | int | float):
        return clean(obj)
    return None


def _list(obj: object, key: str) -> list[Any]:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, list) else []


def _dict(obj: object, key: str) -> dict[str, Any]:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, dict) else {}


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a section: a label, its value and, where it matters, a flag.

    ``flag`` is ``overdue``, ``expired`` or ``claimed`` (the page and the terminal
    show it in red), ``notice`` (a status message, a merger: shown marked), ``refuse`` (a
    reason a decision refuses: red, with no marker), or ``None``.
    """

    label: str
    value: str
    flag: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    rows: tuple[Row, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class DecisionView:
    """An adoption decision for a person: the outcome, why, and what is left to do.

    Every string is escaped here: a decision on an ``indeterminate`` passport quotes
    its record (actions, conditions), which no trusted issuer vouches for.
    """

    outcome: str
    """``adopt``, ``adopt-with-actions``, ``refer`` or ``refuse``."""
    title: str
    reasons: tuple[Row, ...]
    """What refuses or refers, each naming the policy rule and where in the passport."""
    actions: tuple[Row, ...]
    """The local actions: the label is the action's id, flagged ``notice`` while to do."""
    met: int
    """How many rules were met."""
    reused: str = ""

    @property
    def adopted(self) -> bool:
        return self.outcome in ("adopt", "adopt-with-actions")


@dataclass(frozen=True, slots=True)
class PassportView:
    """Everything a person is shown about one passport."""

    name: str
    verdict: str
    verified: bool
    checked_at: str | None
    reasons: tuple[str, ...]
    guidance: tuple[str, ...]
    passport_id: str | None
    digest: str | None
    title: str
    facts: tuple[Row, ...]
    """The passport's own facts (id, issue date, issuer), shown with the verdict."""
    sections: tuple[Section, ...] = field(default=())
    decision: DecisionView | None = None
    """The adoption decision under the reader's policy (``show --policy``), if asked for."""

    @property
    def heading(self) -> str:
        """What the content is shown under: the verdict's own words."""
        if self.verified:
            when = f" on {self.checked_at}" if self.checked_at else ""
            return f"Verified{when}: signed by a trusted issuer, not revoked, not expired"
        return NOT_VERIFIED.capitalize()


def passport_digest(result: VerificationResult, data: bytes | None = None) -> str | None:
    """SHA-256 (hex) of the passport as signed: its RFC 8785 form, or a vc+jwt's compact text.

    For a bundle it is the digest of the passport inside it, so a printed page
    matches the passport however it travelled. ``data`` is the input verified
    (needed for a ``vc+jwt``, whose signed form is its text).
    """
    credential = result.credential
    if credential is None:
        return None
    if result.format == "vc+jwt":
        if data is None:
            return None
        text = data.decode("utf-8", "replace").removeprefix("\ufeff").strip()
        if text.startswith("{"):
            import json

            try:
                inner = json.loads(text).get("passport")
            except (ValueError, AttributeError):
                return None
            if not isinstance(inner, str):
                return None
            text = inner.strip()
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
    from innopass._internal.canonical import canonicalize

    try:
        return hashlib.sha256(canonicalize(credential)).hexdigest()
    except Exception:  # an input that cannot be canonicalised has no digest to print
        return None


def build_view(
    result: VerificationResult,
    name: str,
    *,
    trust_empty: bool = False,
    data: bytes | None = None,
) -> PassportView:
    """The view of ``result`` (verified from ``name``, whose bytes were ``data``);
    ``trust_empty`` when nothing at all is trusted (no anchor, no issuer, no run option)."""
    from innopass._internal.timestamps import format_datetime

    verdict = str(result.verdict)
    reasons = tuple(
        f"{f.code}: {clean(f.message, 300)}" + (f" (at {clean(f.path, 120)})" if f.path else "")
        for f in result.failures
    )
    guidance: list[str] = []
    if trust_empty:
        guidance.append(
            "Nothing is trusted yet on this computer, so no issuer can be checked. "
            "Pin the national trust anchor and import its trust list:"
        )
        guidance += [f"  {c}" for c in NO_TRUST_COMMANDS]
        guidance.append(
            "  (or, for one run: --anchor FILE --trust-list FILE, or --trust-issuer FILE)"
        )
    elif any(f.code == "status-unavailable" for f in result.failures):
        guidance.append(
            "No status list was held for this passport: import the issuer's status lists "
            "(innopass trust import FILE), verify its bundle, or give --status-list FILE."
        )
    if any(f.code in ("trust-list-outdated", "trust-list-expired") for f in result.failures):
        guidance.append("Import the anchor's newest trust list: innopass trust import FILE")
    checked = None if result.checked_at is None else format_datetime(result.checked_at)
    credential = result.credential or {}
    subject = _dict(credential, "credentialSubject")
    record = _dict(subject, "assessmentRecord")
    product = _str(record, "product", "name") or _str(credential, "name") or "unknown product"
    facts: list[Row] = []
    if result.credential_id:
        facts.append(Row("Passport id", clean(result.credential_id, 200)))
    digest = passport_digest(result, data)
    if digest:
        facts.append(Row("Passport digest", f"sha256 {digest}"))
    issued = _str(credential, "validFrom")
    if issued:
        facts.append(Row("Issued", issued))
    until = _str(credential, "validUntil")
    if until:
        facts.append(Row("Valid until", until))
    if result.format:
        facts.append(Row("Format", clean(result.format, 60)))
    issuer = result.issuer
    if issuer.id:
        who = ", ".join(clean(x, 200) for x in (issuer.ods_code, issuer.name) if x)
        facts.append(
            Row(
                "Signed by",
                (who + " — " if who else "") + clean(issuer.id, 200),
                "claimed" if issuer.claimed else None,
            )
        )
    if issuer.withdrawn is not None:
        facts.append(Row("Organisation", _succession(issuer.withdrawn), "notice"))
    if issuer.successor_of:
        facts.append(
            Row(
                "Signed as successor",
                f"{clean(issuer.ods_code or 'the issuer', 20)} reissued the assessment of "
                f"{clean(issuer.successor_of, 20)}, its predecessor (as a trust list in force "
                "says)",
            )
        )
    today = (result.checked_at or datetime.now().astimezone()).date()
    sections = _sections(result, record, today) if record else ()
    return PassportView(
        name=clean(name, 300),
        verdict=verdict,
        verified=result.verified,
        checked_at=checked,
        reasons=reasons,
        guidance=tuple(guidance),
        passport_id=None if result.credential_id is None else clean(result.credential_id, 200),
        digest=digest,
        title=product,
        facts=tuple(facts),
        sections=sections,
    )


def _succession(succession: Succession) -> str:
    """``RF4 merged into R1H on 2026-07-01 (NEW TRUST)``: a merger or closure, in words."""
    text = clean(succession.describe(), 300)
    if succession.successor_name:
        text += f" ({clean(succession.successor_name, 200)})"
    return text + "; passports it signed before then still verify"


def decision_view(decision: Decision) -> DecisionView:
    """What a person is shown of ``decision`` (terminal, page and ``innopass decide`` alike)."""
    policy = decision.policy
    title = (
        f"{words(decision.outcome.value.replace('-', '_')).upper()} under policy "
        f"{clean(policy.id, 120)} version {clean(policy.version, 40)}"
    )
    reasons = tuple(
        Row(
            f"{r.finding.value}: {clean(r.rule, 120)}",
            clean(r.message, 600) + (f" (at {clean(r.pointer, 200)})" if r.pointer else ""),
            "refuse" if r.finding.value == "refuse" else "notice",
        )
        for r in decision.reasons
        if r.finding.value in ("refuse", "refer")
    )
    actions = []
    for a in decision.actions:
        when = ""
        if a.blocking:
            due = "before go-live" if a.due in (None, "before_go_live") else f"by {a.due}"
            when = f"; blocking, {clean(due, 60)}"
        elif a.due and a.due != "before_go_live":
            when = f"; due {clean(a.due, 60)}"
        actions.append(
            Row(
                clean(a.id, 80),
                f"{clean(a.text, 600)} ({clean(a.source, 60)}{when})",
                None if a.done else "notice",
            )
        )
    met = sum(1 for r in decision.reasons if r.finding.value == "met")
    reused = ", ".join(words(d) for d in decision.assessments_reused)
    return DecisionView(decision.outcome.value, title, reasons, tuple(actions), met, reused)


def _identifiers(items: Sequence[Any]) -> str:
    shown = [f"{words(_str(i, 'scheme') or '?')} {_str(i, 'value') or '?'}" for i in items]
    return "; ".join(shown)


def _sections(
    result: VerificationResult, record: dict[str, Any], today: date
) -> tuple[Section, ...]:
    out = [
        _product(record),
        _assessment(result, record),
        _conditions(record, today),
        _domains(record),
        _evidence(record, today),
        _scope(record),
        _validity(record, today),
        _local_actions(record),
        _status(result),
    ]
    return tuple(s for s in out if s.rows or s.note)


def _product(record: dict[str, Any]) -> Section:
    product, supplier = _dict(record, "product"), _dict(record, "supplier")
    regulatory = _dict(product, "regulatory")
    rows = [
        Row("Product", _str(product, "name") or "?"),
        Row("Supplier", _str(supplier, "legal_name") or "?"),
    ]
    if _list(supplier, "identifiers"):
        rows.append(Row("Supplier identifiers", _identifiers(_list(supplier, "identifiers"))))
    for label, key in (("Description", "description"), ("Intended purpose", "intended_purpose")):
        if _str(product, key):
            rows.append(Row(label, _str(product, key) or ""))
    if _str(product, "product_type"):
        rows.append(Row("Type", words(_str(product, "product_type"))))
    if _list(product, "identifiers"):
        rows.append(Row("Identifiers", _identifiers(_list(product, "identifiers"))))
    if regulatory:
        if regulatory.get("is_medical_device") is True:
            parts = [
                f"class {_str(regulatory, 'device_class') or '?'}",
                words(_str(regulatory, "marking") or "?"),
                words(_str(regulatory, "regime") or "?"),
            ]
            body = _dict(regulatory, "conformity_body")
            if body:
                parts.append(f"{_str(body, 'name') or '?'} ({_str(body, 'number') or '?'})")
            rows.append(Row("Medical device", ", ".join(parts)))
        else:
            rows.append(Row("Medical device", "no"))
    software = _dict(product, "software")
    if software:
        rows.append(
            Row(
                "Software",
                f"{words(_str(software, 'deployment') or '?')}, hosted "
                f"{words(_str(software, 'hosting_location') or '?')}",
            )
        )
    return Section("Product and supplier", tuple(rows))


def _assessment(result: VerificationResult, record: dict[str, Any]) -> Section:
    org, outcome = _dict(record, "assessing_org"), _dict(record, "outcome")
    facts = result.passport
    claimed = facts is None or facts.assessing_organisation.claimed
    who = f"{_str(org, 'ods_code') or '?'} {_str(org, 'name_at_issue') or ''}".strip()
    rows = [
        Row(
            "Assessed by",
            who + (" (claimed: no trust source vouches for this ODS code)" if claimed else ""),
            "claimed" if claimed else None,
        ),
    ]
    assessor = None if facts is None else facts.assessing_organisation
    if (
        assessor is not None
        and assessor.withdrawn is not None
        and (assessor.ods_code != result.issuer.ods_code or result.issuer.withdrawn is None)
    ):
        rows.append(Row("Assessor now", _succession(assessor.withdrawn), "notice"))
    rows += [
        Row("Profile", words(_str(record, "profile") or "?")),
        Row("Outcome", words(_str(outcome, "decision") or "?")),
    ]
    if _str(outcome, "decided_on"):
        body = _str(outcome, "decision_body")
        rows.append(
            Row("Decided", (_str(outcome, "decided_on") or "") + (f" by {body}" if body else ""))
        )
    if _str(outcome, "rationale"):
        rows.append(Row("Rationale", _str(outcome, "rationale") or ""))
    return Section("Assessment", tuple(rows))


def _due(due: str | None, today: date) -> tuple[str, bool]:
    if due is None:
        return "no date", False
    if due == "before_go_live":
        return "before go-live", False
    day = _day(due)
    return f"by {due}", day is not None and day < today


def _conditions(record: dict[str, Any], today: date) -> Section:
    rows = []
    for number, c in enumerate(_list(_dict(record, "outcome"), "conditions"), start=1):
        party = _str(c, "responsible_party") or "?"
        who = PARTIES.get(party) or words(party)
        when, late = _due(_str(c, "due"), today)
        status = _str(c, "status") or "open"
        late = late and status == "open"
        blocking = c.get("blocking") is True if isinstance(c, dict) else False
        label = f"{number}. {'Blocking' if blocking else 'Condition'}"
        value = (
            f"{who[:1].upper()}{who[1:]} must: {_str(c, 'text') or '?'} — {when} "
            f"({words(status).lower()})"
        )
        if late:
            value += " — OVERDUE"
        rows.append(Row(label, value, "overdue" if late else None))
    return Section("Conditions: who must do what, by when", tuple(rows))


def _assurance(answers: Sequence[Any]) -> str:
    counted = Counter(_str(a, "assurance") or "unstated" for a in answers)
    return ", ".join(f"{words(level).lower()} ×{n}" for level, n in counted.most_common())


def _domains(record: dict[str, Any]) -> Section:
    frameworks = {
        _str(f, "id"): f"{words(_str(f, 'framework') or '?')} ({_str(f, 'version') or '?'})"
        for f in _list(record, "frameworks")
    }
    rows = []
    for d in _list(record, "domains"):
        result = words(_str(d, "result") or "?")
        parts = [result]
        framework = frameworks.get(_str(d, "framework"))
        if framework:
            parts.append(f"against {framework}")
        answers = _list(d, "answers")
        if answers:
            parts.append(f"assurance: {_assurance(answers)}")
        reason = _str(d, "not_applicable_reason")
        if reason:
            parts.append(reason)
        rows.append(Row(words(_str(d, "domain") or "?"), "; ".join(parts)))
    return Section("Domains assessed: result and assurance", tuple(rows))


def _evidence(record: dict[str, Any], today: date) -> Section:
    rows = []
    for e in _list(record, "evidence"):
        until = _str(e, "valid_until")
        day = _day(until)
        expired = day is not None and day < today
        parts = [words(_str(e, "type") or "?")]
        if _str(e, "issued_on"):
            parts.append(f"issued {_str(e, 'issued_on')}")
        parts.append(
            f"EXPIRED {until}" if expired else (f"valid until {until}" if until else "no expiry")
        )
        if isinstance(e, dict) and e.get("mandatory") is True:
            parts.append("mandatory")
        verification = _dict(e, "verification")
        if verification:
            parts.append(
                f"{words(_str(verification, 'method') or '?').lower()}: "
                f"{_str(verification, 'result') or '?'}"
            )
        if _str(e, "access"):
            parts.append(f"access {words(_str(e, 'access')).lower()}")
        parts.append(f"sha256 {_str(e, 'sha256') or '?'}")
        rows.append(Row(_str(e, "title") or "?", "; ".join(parts), "expired" if expired else None))
    return Section("Evidence: digests and expiry", tuple(rows))


def _scope(record: dict[str, Any]) -> Section:
    scope = _dict(record, "scope")
    versions = _dict(scope, "versions")
    rows = []
    if versions:
        rows.append(
            Row(
                "Versions",
                f"{words(_str(versions, 'kind') or '?')}: {_str(versions, 'value') or '?'}",
            )
        )
    for label, key in (
        ("Care settings", "care_settings"),
        ("Patient populations", "patient_populations"),
        ("Users", "user_types"),
    ):
        values = [words(v).lower() for v in _list(scope, key) if isinstance(v, str)]
        if values:
            rows.append(Row(label, ", ".join(values)))
    indications = [
        f"{_str(i, 'display') or '?'} (SNOMED CT {_str(i, 'code') or '?'})"
        for i in _list(scope, "clinical_indications")
    ]
    if indications:
        rows.append(Row("Clinical indications", "; ".join(indications)))
    integrations = [
        f"{_str(i, 'system') or '?'} via {_str(i, 'standard') or '?'}"
        for i in _list(scope, "integrations_assessed")
    ]
    if integrations:
        rows.append(Row("Integrations assessed", "; ".join(integrations)))
    for exclusion in _list(scope, "exclusions"):
        rows.append(Row("Not covered", clean(exclusion), "excluded"))
    return Section("Scope and exclusions", tuple(rows))


def _validity(record: dict[str, Any], today: date) -> Section:
    validity = _dict(record, "validity")
    rows = []
    start, end = _str(validity, "valid_from"), _str(validity, "valid_until")
    if start or end:
        rows.append(Row("Assessment valid", f"{start or '?'} to {end or '?'}"))
    review = _str(validity, "review_due")
    if review:
        day = _day(review)
        late = day is not None and day < today
        rows.append(
            Row("Review due", review + (" — OVERDUE" if late else ""), "overdue" if late else None)
        )
    triggers = [
        words(_str(t, "trigger") or "?").lower() for t in _list(validity, "reassessment_triggers")
    ]
    if triggers:
        rows.append(Row("Reassess on", "; ".join(triggers)))
    return Section("Validity and review", tuple(rows))


def _local_actions(record: dict[str, Any]) -> Section:
    from innopass._internal.wording import LOCAL_REQUIREMENTS

    rows = []
    for number, r in enumerate(_list(record, "local_requirements_for_adopters"), start=1):
        code = _str(r, "requirement") or "?"
        label = LOCAL_REQUIREMENTS.get(code) or words(code)
        rows.append(Row(f"{number}.", f"{label}: {_str(r, 'note') or ''}".rstrip(": ")))
    return Section("Local actions left for your organisation", tuple(rows))


def _status(result: VerificationResult) -> Section:
    from innopass._internal.timestamps import format_datetime

    where = {
        "bundle": "carried by the bundle",
        "given": "given for this run",
        "held": "held in this computer's trust store",
        "fetched": "fetched online now",
    }
    rows = []
    for s in result.status_sources:
        parts = [
            f"signed {format_datetime(s.valid_from)}" if s.valid_from else "signing time not given"
        ]
        if s.valid_until:
            parts.append(f"valid until {format_datetime(s.valid_until)}")
        parts.append(where.get(s.source, s.source))
        if s.fetched_at and s.source == "held":
            parts.append(f"fetched {format_datetime(s.fetched_at)}")
        parts.append(clean(s.list_id, 200))
        rows.append(Row(f"{words(s.purpose)} list", "; ".join(parts)))
    for m in result.status_messages:
        if m.message != "none":
            as_of = f" (status list of {clean(m.as_of, 60)})" if m.as_of else ""
            rows.append(Row("Status message", clean(m.description, 300) + as_of, "notice"))
    note = "" if rows else "No status list was read: revocation and suspension were not checked."
    return Section("Status information: where it came from, how fresh", tuple(rows), note)
