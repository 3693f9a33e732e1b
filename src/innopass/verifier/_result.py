"""What a verification returns: a frozen result with a verdict, six checks and coded failures.

Failure codes fall in two families (STYLE §3.4): *invalid* codes say something is
wrong and make the verdict ``rejected``; *unverifiable* codes say the verifier
could not decide offline and make it ``indeterminate``. A result is ``verified``
only when there is no failure at all and every one of the six checks passed: a
check that was skipped for lack of input never reads as success.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from innopass._internal.jsonio import JSONObject, JSONValue
from innopass._internal.timestamps import format_datetime
from innopass._internal.wording import status_reason
from innopass.errors import FailureCode, FailureFamily, VerificationFailed

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass.adoption import AdoptionClaims

__all__ = [
    "CHECK_NAMES",
    "CheckName",
    "CheckResult",
    "CheckStatus",
    "Condition",
    "Failure",
    "FailureCode",
    "FailureFamily",
    "IssuerInfo",
    "PassportFacts",
    "StatusMessageInfo",
    "StatusSource",
    "Succession",
    "TrustedBy",
    "Verdict",
    "VerificationResult",
]


class Verdict(StrEnum):
    """The overall outcome of a verification."""

    VERIFIED = "verified"
    REJECTED = "rejected"
    INDETERMINATE = "indeterminate"


class CheckName(StrEnum):
    """The six checks, in the order they are reported."""

    PARSE = "parse"
    PROOF = "proof"
    ISSUER = "issuer"
    VALIDITY = "validity"
    STATUS = "status"
    RECORD = "record"


CHECK_NAMES: Final = tuple(CheckName)


class CheckStatus(StrEnum):
    """How one check ended."""

    PASS = "pass"  # noqa: S105 - a check status, not a password
    FAIL = "fail"
    INDETERMINATE = "indeterminate"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Failure:
    """One problem: a code, a message for a person, and a JSON pointer into the input."""

    code: FailureCode
    message: str
    path: str = ""
    check: CheckName = CheckName.PARSE

    def to_json(self) -> JSONObject:
        return {
            "code": str(self.code),
            "message": self.message,
            "path": self.path,
            "check": str(self.check),
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check; ``code``/``message`` describe the first failure, if any."""

    name: CheckName
    status: CheckStatus
    code: FailureCode | None = None
    message: str = ""

    def to_json(self) -> JSONObject:
        return {
            "name": str(self.name),
            "status": str(self.status),
            "code": None if self.code is None else str(self.code),
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Succession:
    """An organisation an accepted trust list names as withdrawn: when, and who took it over.

    ODS codes are never reused, but organisations merge and close: the anchor closes the
    entry at the legal date with the ODS code of the successor (``None``: closed, or
    withdrawn with no successor). Passports the organisation signed before then still
    verify; the successor may reissue its assessments.
    """

    ods_code: str | None
    withdrawn_at: str | None
    """RFC 3339, or ``None`` when the trust list gives no time."""
    successor: str | None = None
    successor_name: str | None = None
    pending: bool = False
    """The trust list names a date still to come (the organisation merges or closes then)."""

    @property
    def merged(self) -> bool:
        """Whether a successor took the organisation over."""
        return self.successor is not None

    def describe(self) -> str:
        """``RF4 merged into R1H on 2026-07-01``, or ``RF4 closed on …`` with no successor."""
        who = self.ods_code or "the issuer"
        when = f" on {self.withdrawn_at[:10]}" if self.withdrawn_at else ""
        if self.successor is not None:
            verb = "merges" if self.pending else "merged"
            return f"{who} {verb} into {self.successor}{when}"
        verb = "closes" if self.pending else "closed"
        return f"{who} {verb}{when} (withdrawn from the trust list, no successor)"

    def to_json(self) -> JSONObject:
        return {
            "ods_code": self.ods_code,
            "withdrawn_at": self.withdrawn_at,
            "successor": self.successor,
            "successor_name": self.successor_name,
            "pending": self.pending,
            "description": self.describe(),
        }


@dataclass(frozen=True, slots=True)
class TrustedBy:
    """One source of the issuer's trust: pinned by this verifier, or a trust list of an anchor."""

    source: str
    """``pinned`` or ``trust-list``."""
    anchor: str | None = None
    version: int | None = None

    def to_json(self) -> JSONObject:
        return {"source": self.source, "anchor": self.anchor, "version": self.version}


@dataclass(frozen=True, slots=True)
class IssuerInfo:
    """Who signed: the issuer DID and, where known, its ODS code and name.

    ``claimed`` is true when the ODS code and name are only what the credential
    says about its own issuer (the trust source gives none): not verified.
    ``trusted_by`` lists the sources that trust it; ``withdrawn`` is set when a
    trust list in force names it withdrawn (merged or closed); ``successor_of`` is
    the ODS code of the predecessor whose assessment it reissued as its successor.
    """

    id: str | None = None
    ods_code: str | None = None
    name: str | None = None
    claimed: bool = False
    trusted_by: tuple[TrustedBy, ...] = ()
    withdrawn: Succession | None = None
    successor_of: str | None = None

    def to_json(self) -> JSONObject:
        return {
            "id": self.id,
            "ods_code": self.ods_code,
            "name": self.name,
            "claimed": self.claimed,
            "trusted_by": [t.to_json() for t in self.trusted_by],
            "withdrawn": None if self.withdrawn is None else self.withdrawn.to_json(),
            "successor_of": self.successor_of,
        }


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition attached to the assessment outcome."""

    id: str
    text: str
    responsible_party: str
    blocking: bool
    due: str | None

    def to_json(self) -> JSONObject:
        return {
            "id": self.id,
            "text": self.text,
            "responsible_party": self.responsible_party,
            "blocking": self.blocking,
            "due": self.due,
        }


@dataclass(frozen=True, slots=True)
class PassportFacts:
    """What a person acts on: the product, who assessed it, the outcome and what remains to do."""

    product: str | None = None
    assessing_organisation: IssuerInfo = field(default_factory=IssuerInfo)
    profile: str | None = None
    outcome: str | None = None
    conditions: tuple[Condition, ...] = ()
    valid_from: str | None = None
    valid_until: str | None = None
    local_actions: tuple[str, ...] = ()

    def to_json(self) -> JSONObject:
        return {
            "product": self.product,
            "assessing_organisation": {
                "ods_code": self.assessing_organisation.ods_code,
                "name": self.assessing_organisation.name,
                "claimed": self.assessing_organisation.claimed,
                "withdrawn": None
                if self.assessing_organisation.withdrawn is None
                else self.assessing_organisation.withdrawn.to_json(),
            },
            "profile": self.profile,
            "outcome": self.outcome,
            "conditions": [c.to_json() for c in self.conditions],
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "local_actions": list(self.local_actions),
        }


def _time(value: datetime | None) -> str | None:
    return None if value is None else format_datetime(value)


@dataclass(frozen=True, slots=True)
class StatusSource:
    """The status list a verdict relied on for one entry, and how fresh it was.

    ``source`` says where the copy came from: ``bundle`` (carried by the bundle
    verified), ``given`` (offered for this run, e.g. ``--status-list``), ``held``
    (the trust store's cache, fetched or imported at ``fetched_at``) or ``fetched``
    (fetched online during this verification).
    """

    purpose: str
    list_id: str
    source: str
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    fetched_at: datetime | None = None

    def to_json(self) -> JSONObject:
        return {
            "purpose": self.purpose,
            "list_id": self.list_id,
            "source": self.source,
            "valid_from": _time(self.valid_from),
            "valid_until": _time(self.valid_until),
            "fetched_at": _time(self.fetched_at),
        }


@dataclass(frozen=True, slots=True)
class StatusMessageInfo:
    """What a ``message`` status entry (BSL 1.0 §2.1) says about the credential now.

    ``message`` is the entry's own ``statusMessage`` for the value read (for an
    innopass passport, a :class:`~innopass.status.StatusReason` value such as
    ``field-safety-notice``); ``as_of`` is when the list read was issued (its
    ``validFrom``, else when it was fetched). A message never decides the verdict
    by itself: revocation and suspension do; an adopter's policy says what it means.
    """

    purpose: str
    status: str
    """The value read, as BSL writes it (``0x2``)."""
    message: str
    list_id: str
    as_of: str | None = None
    path: str = ""
    """JSON pointer to the status entry in the credential."""

    @property
    def description(self) -> str:
        """The message in words."""
        return status_reason(self.message)

    def to_json(self) -> JSONObject:
        return {
            "purpose": self.purpose,
            "status": self.status,
            "message": self.message,
            "description": self.description,
            "list": self.list_id,
            "as_of": self.as_of,
            "path": self.path,
        }


def check_result(name: CheckName, failures: Iterable[Failure], skipped: bool) -> CheckResult:
    mine = [f for f in failures if f.check is name]
    invalid = [f for f in mine if f.code.family is FailureFamily.INVALID]
    if invalid:
        return CheckResult(name, CheckStatus.FAIL, invalid[0].code, invalid[0].message)
    if mine:
        return CheckResult(name, CheckStatus.INDETERMINATE, mine[0].code, mine[0].message)
    if skipped:
        return CheckResult(name, CheckStatus.SKIPPED, None, "not run: its input is missing")
    return CheckResult(name, CheckStatus.PASS)


def verdict_of(failures: Iterable[Failure], checks: Iterable[CheckResult]) -> Verdict:
    codes = [f.code for f in failures]
    if any(c.family is FailureFamily.INVALID for c in codes):
        return Verdict.REJECTED
    if codes or any(c.status is not CheckStatus.PASS for c in checks):
        # A skipped check without a failure would be a verifier bug: never "verified".
        return Verdict.INDETERMINATE
    return Verdict.VERIFIED


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """The outcome of :meth:`~innopass.verifier.Verifier.verify`. Never raised; inspect it.

    Build with :meth:`build`, which derives the checks and the verdict from the
    failures so the three can never disagree.
    """

    verdict: Verdict
    format: str | None
    credential_id: str | None
    issuer: IssuerInfo
    checks: tuple[CheckResult, ...]
    failures: tuple[Failure, ...]
    passport: PassportFacts | None
    credential: JSONObject | None = field(default=None, repr=False, compare=False)
    verification_method: str | None = None
    status_sources: tuple[StatusSource, ...] = ()
    """The status lists the ``status`` check read, with their dates (freshness)."""
    checked_at: datetime | None = None
    """The time the verification was made as of (the verifier's clock, or ``--at``)."""
    status_messages: tuple[StatusMessageInfo, ...] = ()
    """What the credential's ``message`` status entries say (read from verified lists)."""
    adoption: AdoptionClaims | None = None
    """For an adoption record (``InnopassAdoption``) that passed its schema: what it claims
    (true only if the verdict is ``verified``)."""

    @classmethod
    def build(
        cls,
        *,
        failures: Iterable[Failure],
        skipped: Iterable[CheckName] = (),
        format: str | None = None,
        credential_id: str | None = None,
        issuer: IssuerInfo | None = None,
        passport: PassportFacts | None = None,
        credential: JSONObject | None = None,
        verification_method: str | None = None,
        status_sources: Iterable[StatusSource] = (),
        checked_at: datetime | None = None,
        status_messages: Iterable[StatusMessageInfo] = (),
        adoption: AdoptionClaims | None = None,
    ) -> VerificationResult:
        """Assemble a result; each check's status and the verdict follow from ``failures``."""
        failure_tuple = tuple(failures)
        skipped_set = frozenset(skipped)
        checks = tuple(check_result(n, failure_tuple, n in skipped_set) for n in CHECK_NAMES)
        return cls(
            verdict=verdict_of(failure_tuple, checks),
            format=format,
            credential_id=credential_id,
            issuer=issuer or IssuerInfo(),
            checks=checks,
            failures=failure_tuple,
            passport=passport,
            credential=credential,
            verification_method=verification_method,
            status_sources=tuple(status_sources),
            checked_at=checked_at,
            status_messages=tuple(status_messages),
            adoption=adoption,
        )

    @property
    def verified(self) -> bool:
        """True only for the verdict ``verified``."""
        return self.verdict is Verdict.VERIFIED

    @property
    def content_verified(self) -> bool:
        """Whether what the passport says may be shown as fact: only when ``verified``.

        Otherwise its content is what the file claims, not what a trusted issuer
        vouched for; show it, if at all, under a "not verified" heading.
        """
        return self.verified

    @property
    def codes(self) -> frozenset[FailureCode]:
        """The distinct failure codes (handy in tests and policies)."""
        return frozenset(f.code for f in self.failures)

    def check(self, name: CheckName | str) -> CheckResult:
        """The result of one check by name."""
        return next(c for c in self.checks if c.name == name)

    def raise_for_failure(self) -> None:
        """Raise :class:`~innopass.errors.VerificationFailed` unless the verdict is ``verified``."""
        if not self.verified:
            raise VerificationFailed(self)

    def to_json(self) -> JSONObject:
        """One ``innopass verify --json`` line (PRODUCT.md §6; see ``schemas/verify-output``)."""
        passport: JSONValue = None if self.passport is None else self.passport.to_json()
        return {
            "verdict": str(self.verdict),
            "verified": self.verified,
            "content_verified": self.content_verified,
            "checked_at": _time(self.checked_at),
            "format": self.format,
            "credential_id": self.credential_id,
            "issuer": self.issuer.to_json(),
            "checks": [c.to_json() for c in self.checks],
            "failures": [f.to_json() for f in self.failures],
            "passport": passport,
            "status_sources": [s.to_json() for s in self.status_sources],
            "status_messages": [m.to_json() for m in self.status_messages],
            "adoption": None if self.adoption is None else self.adoption.to_json(),
        }
