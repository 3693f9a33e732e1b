"""Verifiable presentations (VC DM 2.0 §4.13): the presentation's own checks and its result.

A presentation arrives as JSON with a Data Integrity proof, as a compact ``vp+jwt``
JWS, or as an ``EnvelopedVerifiablePresentation`` whose ``data:`` URL holds one. Its
own checks are two:

- ``parse``: the VC Data Model 2.0 rules for presentations
  (:func:`~innopass._internal.datamodel.presentation_problems`);
- ``proof``: it is secured (an unsecured presentation is ``malformed``) by the
  holder's key, a DID URL of ``holder`` (or, with no ``holder``, of the DID that
  signed), resolved through the trust store's resolver only and listed under
  ``authentication``; a Data Integrity proof has ``proofPurpose`` ``authentication``;
  the ``challenge`` and ``domain`` the *verifier* expects (never read from the input)
  are the proof's (``challenge``/``domain``, or the JWT's ``nonce``/``aud``); the
  proof was not made in the future and has not expired.

Each credential it carries (embedded, or enveloped as ``vc+jwt``) is verified as a
credential by the same :class:`~innopass.verifier.Verifier`, with the same trust,
and reported with its own :class:`~innopass.verifier.VerificationResult`. The
holder need not be trusted: a presentation proves who handed the credentials over
and that the handover answers this verifier's challenge, not that the credentials
are good (their own checks say that).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from innopass._internal.datamodel import (
    ENVELOPED_PRESENTATION_TYPE,
    PRESENTATION_TYPE,
    Held,
    presentation_problems,
)
from innopass._internal.jose import VP_JWT_TYPE, ParsedJws, is_vp_jwt, jwt_claims, verify_vp_jwt
from innopass._internal.jsonio import JsonLimits, JSONObject, JSONValue, as_list
from innopass._internal.proof import (
    AUTHENTICATION,
    DataIntegrityProof,
    parse_proofs,
    verify_data_integrity,
)
from innopass.errors import CheckFailed, FailureCode, VerificationFailed
from innopass.verifier._checks import Context, Found, proof_times
from innopass.verifier._envelope import unwrap_enveloped
from innopass.verifier._result import (
    CheckName,
    CheckResult,
    Failure,
    Verdict,
    VerificationResult,
    check_result,
    verdict_of,
)

__all__ = [
    "Presentation",
    "PresentationResult",
    "check_presentation_proof",
    "is_presentation",
    "open_presentation",
]

#: The presentation's own checks, in the order they are reported.
PRESENTATION_CHECKS: Final = (CheckName.PARSE, CheckName.PROOF)


def did_of(url: str) -> str:
    """The DID of a DID URL (what precedes its fragment)."""
    return url.partition("#")[0]


def is_presentation(value: JSONValue | ParsedJws) -> bool:
    """``value`` (as :func:`~innopass.verifier._envelope.load_input` read it) is a presentation:
    a ``vp+jwt``, or JSON whose ``type`` names a (enveloped) presentation."""
    if isinstance(value, ParsedJws):
        return is_vp_jwt(value)
    if not isinstance(value, dict):
        return False
    types = as_list(value.get("type"))
    return PRESENTATION_TYPE in types or ENVELOPED_PRESENTATION_TYPE in types


@dataclass(frozen=True, slots=True)
class Presentation:
    """A presentation as its checks see it: read once."""

    presentation: JSONObject
    """The presentation: the Data Integrity document (with its proof), or the JWT payload."""
    jws: ParsedJws | None
    proofs: tuple[DataIntegrityProof, ...]
    proof_problem: CheckFailed | None
    holder: str | None
    """``holder`` (or ``holder.id``), when it is a string."""
    credentials: tuple[JSONValue, ...]
    """The ``verifiableCredential`` entries that are objects, in order."""
    plain: bool = False
    """The presentation is known plain JSON without a float (so is each credential in it)."""

    @property
    def id(self) -> str | None:
        value = self.presentation.get("id")
        return value if isinstance(value, str) else None

    @property
    def format(self) -> str | None:
        if self.jws is not None:
            return VP_JWT_TYPE
        return self.proofs[0].cryptosuite if self.proofs else None

    @property
    def signer(self) -> str | None:
        """Whose key must have signed: the holder, else the DID the (first) proof names."""
        if self.holder is not None:
            return self.holder
        if self.jws is not None:
            iss = self.jws.payload.get("iss")
            if isinstance(iss, str):
                return iss
            kid = self.jws.header.get("kid")
            return did_of(kid) if isinstance(kid, str) else None
        return did_of(self.proofs[0].verification_method) if self.proofs else None


def open_presentation(
    value: JSONValue | ParsedJws,
    *,
    limits: JsonLimits,
    max_proofs: int,
    held: Held,
    plain: bool = False,
) -> tuple[Presentation | None, list[CheckFailed]]:
    """Read a loaded presentation: it (``None`` when nothing usable was read) and its
    ``parse`` failures. ``plain``: ``value`` is known plain JSON without a float."""
    failures: list[CheckFailed] = []
    if isinstance(value, dict) and ENVELOPED_PRESENTATION_TYPE in as_list(value.get("type")):
        unwrapped, failures = unwrap_enveloped(value, limits, presentation=True)
        if unwrapped is None:
            return None, failures
        value = unwrapped
    jws = value if isinstance(value, ParsedJws) else None
    document = jws.payload if jws is not None else value
    if not isinstance(document, dict):
        return None, [CheckFailed(FailureCode.MALFORMED, "not a presentation: not a JSON object")]
    if jws is not None and not is_vp_jwt(jws):
        failures.append(
            CheckFailed(FailureCode.MALFORMED, "JWS typ must be 'vp+jwt'", "/header/typ")
        )
    failures += presentation_problems(document, held=held)
    proofs: tuple[DataIntegrityProof, ...] = ()
    problem: CheckFailed | None = None
    if jws is None:
        if "proof" not in document:
            problem = CheckFailed(
                FailureCode.MALFORMED,
                "the presentation is not secured (no proof, not a vp+jwt)",
                "/proof",
            )
        else:
            try:
                proofs = parse_proofs(document, max_proofs=max_proofs)
            except CheckFailed as exc:
                problem = exc
    holder = document.get("holder")
    if isinstance(holder, dict):
        holder = holder.get("id")
    items = document.get("verifiableCredential")
    credentials = tuple(item for item in as_list(items) if isinstance(item, dict))
    return (
        Presentation(
            presentation=document,
            jws=jws,
            proofs=proofs,
            proof_problem=problem,
            holder=holder if isinstance(holder, str) else None,
            credentials=credentials,
            plain=plain and jws is None,
        ),
        failures,
    )


def check_presentation_proof(
    env: Presentation, ctx: Context, *, challenge: str | None, domain: str | None
) -> tuple[Found, str | None]:
    """The presentation's ``proof`` check (module docstring); the key that signed, if any."""
    found = Found(CheckName.PROOF)
    signer = env.signer
    if env.proof_problem is not None:
        found.failed(env.proof_problem)
        return found, None
    if signer is None:
        found.fail(FailureCode.MALFORMED, "no holder, and no key names one", "/holder")
        return found, None
    if env.jws is not None:
        kid = env.jws.header.get("kid")
        try:
            verify_vp_jwt(
                env.jws,
                holder=signer,
                resolver=ctx.trust.resolver,
                algorithms=ctx.jose_algorithms,
                challenge=challenge,
                domain=domain,
            )
        except CheckFailed as exc:
            found.failed(exc)
        _, problems = jwt_claims(env.jws.payload, now=ctx.now, skew=ctx.skew)
        for problem in problems:
            found.failed(problem)
        return found, kid if isinstance(kid, str) else None
    try:
        verify_data_integrity(
            env.presentation,
            issuer=signer,
            resolver=ctx.trust.resolver,
            suites=ctx.suites,
            purpose=AUTHENTICATION,
            challenge=challenge,
            domain=domain,
            proofs=env.proofs,
            plain=env.plain,
        )
    except CheckFailed as exc:
        found.failed(exc)
    proof_times(found, env.proofs, ctx)
    return found, env.proofs[0].verification_method if env.proofs else None


@dataclass(frozen=True, slots=True)
class PresentationResult:
    """The outcome of :meth:`~innopass.verifier.Verifier.verify_presentation`. Never raised.

    ``checks`` and ``failures`` are the presentation's own (``parse``, ``proof``);
    ``credentials`` the result of each credential it carries, in order. The verdict is
    ``verified`` only when the presentation and every credential are; ``rejected``
    when any of them is; else ``indeterminate``. ``challenge_checked`` and
    ``domain_checked`` say whether the verifier expected a challenge and a domain (a
    presentation verified without them may be a replay).
    """

    verdict: Verdict
    format: str | None
    presentation_id: str | None
    holder: str | None
    checks: tuple[CheckResult, ...]
    failures: tuple[Failure, ...]
    credentials: tuple[VerificationResult, ...]
    challenge_checked: bool
    domain_checked: bool
    verification_method: str | None = None

    @classmethod
    def build(
        cls,
        *,
        failures: Iterable[Failure],
        skipped: Iterable[CheckName] = (),
        credentials: Iterable[VerificationResult] = (),
        format: str | None = None,
        presentation_id: str | None = None,
        holder: str | None = None,
        challenge: str | None = None,
        domain: str | None = None,
        verification_method: str | None = None,
    ) -> PresentationResult:
        """Assemble a result; the checks and the verdict follow from the failures."""
        own = tuple(failures)
        skipped_set = frozenset(skipped)
        checks = tuple(check_result(n, own, n in skipped_set) for n in PRESENTATION_CHECKS)
        inner = tuple(credentials)
        verdicts = {verdict_of(own, checks), *(c.verdict for c in inner)}
        verdict = (
            Verdict.REJECTED
            if Verdict.REJECTED in verdicts
            else Verdict.INDETERMINATE
            if Verdict.INDETERMINATE in verdicts
            else Verdict.VERIFIED
        )
        return cls(
            verdict=verdict,
            format=format,
            presentation_id=presentation_id,
            holder=holder,
            checks=checks,
            failures=own,
            credentials=inner,
            challenge_checked=challenge is not None,
            domain_checked=domain is not None,
            verification_method=verification_method,
        )

    @property
    def verified(self) -> bool:
        """True only for the verdict ``verified``."""
        return self.verdict is Verdict.VERIFIED

    @property
    def codes(self) -> frozenset[FailureCode]:
        """The distinct failure codes of the presentation itself (not of its credentials)."""
        return frozenset(f.code for f in self.failures)

    def check(self, name: CheckName | str) -> CheckResult:
        """The result of one of the presentation's own checks by name."""
        return next(c for c in self.checks if c.name == name)

    def raise_for_failure(self) -> None:
        """Raise :class:`~innopass.errors.VerificationFailed` unless the verdict is ``verified``."""
        if not self.verified:
            raise VerificationFailed(self)

    def to_json(self) -> JSONObject:
        """One ``innopass verify --json`` line for a presentation (``schemas/verify-output``)."""
        return {
            "kind": "presentation",
            "verdict": str(self.verdict),
            "verified": self.verified,
            "format": self.format,
            "presentation_id": self.presentation_id,
            "holder": self.holder,
            "challenge_checked": self.challenge_checked,
            "domain_checked": self.domain_checked,
            "checks": [c.to_json() for c in self.checks],
            "failures": [f.to_json() for f in self.failures],
            "credentials": [c.to_json() for c in self.credentials],
        }
