"""Reuse made visible: a folder of adoption records, verified and counted per passport.

As the national operator would collect them: each file is verified with the same
verifier as a passport; only records whose verdict is ``verified`` are counted, each
adopting organisation once per passport (its latest record), and every file that is
not counted is listed with why. An organisation that adopted a passport did not
repeat its assessment: that is the count of assessments not repeated.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from innopass._internal.jsonio import JSONObject
from innopass._internal.timestamps import format_datetime
from innopass._view.passport import clean
from innopass.adoption import AdoptionClaims
from innopass.errors import FailureCode, MalformedInputError
from innopass.verifier import CheckName, CheckStatus, VerificationResult, Verifier

__all__ = ["CSV_COLUMNS", "AdoptionSummary", "Counted", "NotCounted", "PassportReuse", "summarise"]

#: The columns of ``innopass adoptions summary --csv``: one row per passport and adopter.
CSV_COLUMNS = (
    "passport",
    "product",
    "assessing_organisation",
    "adopter",
    "adopter_name",
    "adopted_at",
    "decision",
    "actions_done",
    "actions_remaining",
    "assessments_reused",
    "file",
)


@dataclass(frozen=True, slots=True)
class Counted:
    """One adoption counted: a verified record, the adopter's latest for that passport."""

    file: str
    claims: AdoptionClaims
    adopter: str
    """The adopter's ODS code as its trust source gives it (else its DID)."""
    adopter_name: str | None

    @property
    def reuses(self) -> bool:
        """Whether this adoption reused another organisation's assessment (an assessor
        adopting its own passport repeated nothing by not assessing again)."""
        return self.claims.decision.adopted and self.adopter != self.claims.assessing_organisation

    def to_json(self) -> JSONObject:
        claims = self.claims
        return {
            "file": self.file,
            "record": claims.id,
            "adopter": self.adopter,
            "adopter_name": self.adopter_name,
            "adopted_at": format_datetime(claims.adopted_at),
            "decision": claims.decision.value,
            "policy": {
                "id": claims.policy_id,
                "version": claims.policy_version,
                "digestSRI": claims.policy_digest_sri,
            },
            "actions_done": len(claims.actions_done),
            "actions_remaining": len(claims.actions_remaining),
            "assessments_reused": list(claims.assessments_reused),
        }


@dataclass(frozen=True, slots=True)
class NotCounted:
    """A file that was not counted, and why (its verdict and failure codes, or an error)."""

    file: str
    reason: str
    verdict: str | None = None
    codes: tuple[str, ...] = ()
    outlived: bool = False
    """A verified record its adopter's later record (counted) took the place of."""

    def to_json(self) -> JSONObject:
        return {
            "file": self.file,
            "reason": self.reason,
            "verdict": self.verdict,
            "codes": list(self.codes),
        }


@dataclass(frozen=True, slots=True)
class PassportReuse:
    """How one passport was reused: who adopted it, when, with which outcome."""

    passport: str
    product: str
    assessing_organisation: str
    digests: tuple[str, ...]
    """The passport digests the records name (one, unless they disagree: then look)."""
    adoptions: tuple[Counted, ...]

    @property
    def organisations(self) -> int:
        return len(self.adoptions)

    @property
    def assessments_not_repeated(self) -> int:
        """Organisations that adopted the passport instead of assessing again (not the
        assessing organisation itself)."""
        return sum(1 for c in self.adoptions if c.reuses)

    @property
    def domain_assessments_reused(self) -> int:
        """Domain assessments relied on across those adoptions."""
        return sum(len(c.claims.assessments_reused) for c in self.adoptions if c.reuses)

    def to_json(self) -> JSONObject:
        times = [c.claims.adopted_at for c in self.adoptions]
        return {
            "passport": self.passport,
            "product": self.product,
            "assessing_organisation": self.assessing_organisation,
            "digestSRI": list(self.digests),
            "organisations": self.organisations,
            "assessments_not_repeated": self.assessments_not_repeated,
            "domain_assessments_reused": self.domain_assessments_reused,
            "first_adopted": format_datetime(min(times)) if times else None,
            "last_adopted": format_datetime(max(times)) if times else None,
            "adoptions": [c.to_json() for c in self.adoptions],
        }


@dataclass(frozen=True, slots=True)
class AdoptionSummary:
    """Every passport adopted in a folder of adoption records, and the files not counted."""

    passports: tuple[PassportReuse, ...]
    not_counted: tuple[NotCounted, ...] = ()
    files: int = 0

    @property
    def counted(self) -> int:
        """Adoptions counted: each adopting organisation once per passport."""
        return sum(p.organisations for p in self.passports)

    @property
    def assessments_not_repeated(self) -> int:
        return sum(p.assessments_not_repeated for p in self.passports)

    def to_json(self) -> JSONObject:
        """``innopass adoptions summary --json`` (``schemas/adoptions-summary.schema.json``)."""
        return {
            "files": self.files,
            "counted": self.counted,
            "assessments_not_repeated": self.assessments_not_repeated,
            "passports": [p.to_json() for p in self.passports],
            "not_counted": [n.to_json() for n in self.not_counted],
        }

    def to_csv(self) -> str:
        """One row per passport and adopting organisation (:data:`CSV_COLUMNS`).

        A text cell that a spreadsheet would run as a formula (starting ``=``, ``+``,
        ``-``, ``@``, a tab or a carriage return) is written with a leading ``'``: the
        product, names and file names come from the records and the folder collected.
        """
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for reuse in self.passports:
            for counted in reuse.adoptions:
                claims = counted.claims
                writer.writerow(
                    _cell(value)
                    for value in [
                        reuse.passport,
                        reuse.product,
                        reuse.assessing_organisation,
                        counted.adopter,
                        counted.adopter_name or "",
                        format_datetime(claims.adopted_at),
                        claims.decision.value,
                        len(claims.actions_done),
                        len(claims.actions_remaining),
                        len(claims.assessments_reused),
                        counted.file,
                    ]
                )
        return out.getvalue()


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str | int) -> str | int:
    """A CSV cell a spreadsheet shows as text, never runs (OWASP CSV injection), with the
    characters a terminal would act on escaped as in every other view (line breaks too: a
    cell never starts a line of its own)."""
    if not isinstance(value, str):
        return value
    value = clean(value, len(value))
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _not_counted(name: str, result: VerificationResult) -> NotCounted | None:
    if not result.verified:
        return NotCounted(
            file=name,
            reason=f"the record did not verify ({result.verdict})",
            verdict=str(result.verdict),
            codes=tuple(sorted(str(c) for c in result.codes)),
        )
    if result.adoption is None:
        return NotCounted(file=name, reason="not an adoption record", verdict=str(result.verdict))
    return None


_STOPPED: Final = frozenset({FailureCode.REVOKED, FailureCode.SUSPENDED})


def _withdrawn(result: VerificationResult) -> AdoptionClaims | None:
    """The claims of an adoption record that is genuine but revoked or suspended: its
    adopter no longer relies on the passport (``None`` for anything else)."""
    if result.adoption is None or not result.codes or not result.codes <= _STOPPED:
        return None
    checks = (CheckName.PARSE, CheckName.PROOF, CheckName.ISSUER, CheckName.RECORD)
    if any(result.check(name).status is not CheckStatus.PASS for name in checks):
        return None
    return result.adoption


def summarise(verifier: Verifier, files: Iterable[str | Path]) -> AdoptionSummary:
    """Verify each file and count the verified adoption records per passport.

    A file that cannot be read, does not verify, or is no adoption record is listed
    in :attr:`AdoptionSummary.not_counted`; nothing unverified is counted. An
    adopter whose latest record of a passport is revoked or suspended (genuine
    otherwise) is not counted for that passport by an earlier record it superseded.
    Every file is either counted or listed: an adopter's earlier verified records
    are listed as ``outlived``.
    """
    latest: dict[tuple[str, str], Counted] = {}
    outlived: list[Counted] = []
    withdrawn: dict[tuple[str, str], datetime] = {}
    skipped: list[NotCounted] = []
    total = 0
    for file in files:
        total += 1
        name = str(file)
        try:
            result = verifier.verify_file(file)
        except MalformedInputError as exc:
            skipped.append(NotCounted(file=name, reason=f"unreadable: {exc.diagnostics()}"))
            continue
        problem = _not_counted(name, result)
        if problem is not None:
            skipped.append(problem)
            stopped = _withdrawn(result)
            if stopped is not None:
                key = (stopped.passport, stopped.adopter)
                withdrawn[key] = max(stopped.adopted_at, withdrawn.get(key, stopped.adopted_at))
            continue
        claims = result.adoption
        assert claims is not None
        adopter = result.issuer.ods_code if not result.issuer.claimed else None
        counted = Counted(
            file=name,
            claims=claims,
            adopter=adopter or claims.adopter,
            adopter_name=None if result.issuer.claimed else result.issuer.name,
        )
        key = (claims.passport, claims.adopter)
        held = latest.get(key)
        if held is None or claims.adopted_at > held.claims.adopted_at:
            latest[key] = counted
            older = held
        else:
            older = counted
        if older is not None:
            outlived.append(older)
    for key, when in withdrawn.items():
        held = latest.get(key)
        if held is not None and held.claims.adopted_at <= when:
            del latest[key]
            skipped.append(
                NotCounted(
                    file=held.file,
                    reason="verified, but its adopter's later record of the passport is "
                    "revoked or suspended",
                    verdict="verified",
                )
            )
    skipped += [
        NotCounted(
            file=c.file,
            reason="verified, but an earlier record: its adopter's latest is counted"
            if (c.claims.passport, c.claims.adopter) in latest
            else "verified, but an earlier record of an adopter that withdrew",
            verdict="verified",
            outlived=(c.claims.passport, c.claims.adopter) in latest,
        )
        for c in outlived
    ]
    by_passport: dict[str, list[Counted]] = {}
    for (passport, _), counted in sorted(latest.items()):
        by_passport.setdefault(passport, []).append(counted)
    passports = tuple(
        PassportReuse(
            passport=passport,
            product=adoptions[0].claims.product,
            assessing_organisation=adoptions[0].claims.assessing_organisation,
            digests=tuple(sorted({c.claims.passport_digest_sri for c in adoptions})),
            adoptions=tuple(sorted(adoptions, key=lambda c: c.claims.adopted_at)),
        )
        for passport, adoptions in sorted(by_passport.items())
    )
    return AdoptionSummary(passports=passports, not_counted=tuple(skipped), files=total)
