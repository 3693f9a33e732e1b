"""The one place the vector tests touch the Verifier API (adapt only this when it changes).

:func:`verify_vector` builds a verifier that pins one issuer DID (or trusts no one),
with a fixed clock, verifies one input and returns plain data: the verdict and, for
each of the six checks, its status and the set of failure codes reported for it.
The tests then compare that with exactly what they expect, so they depend on check
names, statuses and failure codes (PRODUCT.md §5–6), never on messages or classes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from innopass.verifier import PresentationResult, TrustStore, VerificationResult, Verifier

#: ``check name -> (status, failure codes)``, e.g. ``{"proof": ("fail", {"signature-invalid"})}``.
Checks = dict[str, tuple[str, frozenset[str]]]


@dataclass(frozen=True)
class Outcome:
    verdict: str
    checks: Checks


def verify_vector(
    credential: str | bytes | Mapping[str, object], *, trust: str | None, at: datetime
) -> Outcome:
    """Verify ``credential`` at time ``at``, trusting the issuer DID ``trust`` (None: no one)."""
    store = TrustStore() if trust is None else TrustStore().with_issuer(trust)
    verifier = Verifier(store, clock=lambda: at, trust_no_one=trust is None)
    result = verifier.verify(credential)  # never raises on bad input: that is under test too
    checks = {
        str(check.name): (
            str(check.status),
            frozenset(str(f.code) for f in result.failures if f.check == check.name),
        )
        for check in result.checks
    }
    return Outcome(verdict=str(result.verdict), checks=checks)


@dataclass(frozen=True)
class PresentationOutcome:
    verdict: str
    checks: Checks
    """The presentation's own checks (``parse``, ``proof``)."""
    credentials: tuple[Outcome, ...]


def _checks(result: VerificationResult | PresentationResult) -> Checks:
    return {
        str(check.name): (
            str(check.status),
            frozenset(str(f.code) for f in result.failures if f.check == check.name),
        )
        for check in result.checks
    }


def verify_presentation_vector(
    presentation: str | bytes | Mapping[str, object],
    *,
    trust: str | None,
    at: datetime,
    challenge: str | None = None,
    domain: str | None = None,
) -> PresentationOutcome:
    """As :func:`verify_vector`, for a presentation: its checks, and each credential's."""
    store = TrustStore() if trust is None else TrustStore().with_issuer(trust)
    verifier = Verifier(store, clock=lambda: at, trust_no_one=trust is None)
    result = verifier.verify_presentation(presentation, challenge=challenge, domain=domain)
    return PresentationOutcome(
        verdict=str(result.verdict),
        checks=_checks(result),
        credentials=tuple(
            Outcome(verdict=str(c.verdict), checks=_checks(c)) for c in result.credentials
        ),
    )
