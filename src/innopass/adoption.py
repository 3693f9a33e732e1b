"""Adoption as data: a decision on a passport, and the ``InnopassAdoption`` credential.

Verification says whether a passport is genuine and current; adoption says whether
this trust can rely on it (PRODUCT.md §9). This module holds the shapes only
(docs/FORMATS.md §10, §11): :class:`Decision` and its parts, which the policy engine
(:mod:`innopass.policy`) makes; :func:`build_adoption_credential`, the unsigned
credential an adopting organisation signs (the issuer signs it); and
:class:`AdoptionClaims`, what a checked adoption credential says (the verifier
checks it). No decisions, no signing, no trust here.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from innopass._internal import schema
from innopass._internal.canonical import canonicalize
from innopass._internal.contexts import PASSPORT_CONTEXT
from innopass._internal.credential import ADOPTION_TYPE, ISSUER_TYPE, VC_TYPE
from innopass._internal.encoding import sha384_sri
from innopass._internal.jose import looks_like_compact_jws
from innopass._internal.jsonio import JSONObject, JSONValue, loads_strict
from innopass._internal.schema import SCHEMA_ID_BASE, schema_digest_sri
from innopass._internal.serial import Codec, Converter, member
from innopass._internal.timestamps import format_datetime, parse_datetime
from innopass.errors import ConfigurationError, MalformedInputError
from innopass.status import StatusEntry
from innopass.trust import BUNDLE_TYPE, OrganisationDescription

__all__ = [
    "ADOPTION_SCHEMA",
    "ADOPTION_SCHEMA_ID",
    "ADOPTION_SUBJECT_TYPE",
    "ADOPTION_TYPE",
    "POLICY_TYPE",
    "AdoptionClaims",
    "Decision",
    "Finding",
    "LocalAction",
    "Outcome",
    "PassportRef",
    "PolicyRef",
    "Reason",
    "build_adoption_credential",
    "passport_digest",
]

ADOPTION_SUBJECT_TYPE: Final = "InnopassAdoptionDecision"
POLICY_TYPE: Final = "InnopassAcceptancePolicy"
ADOPTION_SCHEMA: Final = "adoption-record.schema.json"
ADOPTION_SCHEMA_ID: Final = SCHEMA_ID_BASE + "adoption-record/v1"

#: ``mediaType`` of a passport named as a ``relatedResource``, by how it is secured.
_MEDIA_TYPES: Final = {"di": "application/vc", "jwt": "application/vc+jwt"}


def _clip(text: str | None, limit: int) -> str:
    """``text`` within ``limit`` characters (the adoption record's schema bounds what the
    passport's record does not): cut, with ``…``."""
    value = text or ""
    return value if len(value) <= limit else value[: limit - 1] + "…"


_JSON: Final = Converter()
#: A free text the schemas bound to 2,000 characters: written cut (:func:`_clip`).
_TEXT: Final = member(codec=Codec(str, functools.partial(_clip, limit=2000)))


class Outcome(StrEnum):
    """The four decisions, from best to worst."""

    ADOPT = "adopt"
    ADOPT_WITH_ACTIONS = "adopt-with-actions"
    REFER = "refer"
    """A person must look (the reasons say at what)."""
    REFUSE = "refuse"

    @property
    def rank(self) -> int:
        """0 for ``adopt`` up to 3 for ``refuse``: the worse of two outcomes ranks higher."""
        return list(Outcome).index(self)

    @property
    def adopted(self) -> bool:
        """Whether the passport may be relied on (``adopt`` or ``adopt-with-actions``)."""
        return self.rank <= Outcome.ADOPT_WITH_ACTIONS.rank


class Finding(StrEnum):
    """What one rule found about one part of the passport."""

    MET = "met"
    NOT_APPLICABLE = "not-applicable"
    REFER = "refer"
    REFUSE = "refuse"


@dataclass(frozen=True, slots=True)
class Reason:
    """One finding: the policy rule that made it, where in the passport, and why."""

    rule: str
    """The rule's id (``builtin:…`` for the rules every policy has)."""
    kind: str
    finding: Finding
    pointer: str
    """JSON pointer into the passport credential (the record is at
    ``/credentialSubject/assessmentRecord``); ``""`` for the passport as a whole."""
    message: str = field(metadata=_TEXT)

    def to_json(self) -> JSONObject:
        """The reason's JSON (its message cut to the schemas' 2,000 characters)."""
        return _JSON.to_json(self)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Reason:
        return _JSON.from_json(cls, obj)


@dataclass(frozen=True, slots=True)
class LocalAction:
    """Something the adopting organisation must still do itself before or after go-live."""

    id: str
    """The record's requirement code, the condition's id, or the policy's action id."""
    text: str = field(metadata=_TEXT)
    source: str
    """``record`` (local_requirements_for_adopters), ``condition`` (a condition for the
    adopter) or ``policy`` (the trust's own go-live condition)."""
    pointer: str
    blocking: bool = False
    """Must be done before go-live."""
    due: str | None = None
    done: bool = False

    def to_json(self) -> JSONObject:
        """The action's JSON (its text cut to the schemas' 2,000 characters)."""
        return _JSON.to_json(self)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> LocalAction:
        return _JSON.from_json(cls, obj)


@dataclass(frozen=True, slots=True)
class PolicyRef:
    """Which acceptance policy decided: its id and version, and the ``digestSRI`` of its file."""

    id: str
    version: str
    digest_sri: str
    organisation: str | None = None
    title: str | None = None

    def to_json(self) -> JSONObject:
        return {
            "id": self.id,
            "version": self.version,
            "organisation": self.organisation,
            "title": self.title,
            "digestSRI": self.digest_sri,
        }


@dataclass(frozen=True, slots=True)
class PassportRef:
    """Which passport was decided on (taken from its checked content)."""

    id: str | None
    digest_sri: str | None = field(metadata=member("digestSRI"))
    """SHA-384 SRI of the passport's bytes (see :func:`passport_digest`); ``None`` when the
    passport itself was not given (a JWT decided from its result alone)."""
    media_type: str | None = None
    record_id: str | None = None
    record_version: int | None = None
    product: str | None = None
    profile: str | None = None
    assessing_organisation: str | None = None
    issuer: str | None = None
    valid_until: str | None = None

    def to_json(self) -> JSONObject:
        return _JSON.to_json(self)


@dataclass(frozen=True, slots=True)
class Decision:
    """An adoption decision: the outcome, every reason, and the local actions.

    ``outcome`` is never better than ``refer`` when the passport did not verify; the
    worst finding decides otherwise, and ``adopt-with-actions`` says local actions
    remain. ``assessments_reused`` names the record's domain assessments the adopter
    relies on instead of repeating (empty unless adopted).
    """

    outcome: Outcome
    decided_at: datetime
    policy: PolicyRef
    passport: PassportRef
    verdict: str
    """The verification verdict the decision started from."""
    reasons: tuple[Reason, ...] = ()
    actions: tuple[LocalAction, ...] = ()
    assessments_reused: tuple[str, ...] = ()
    verification: JSONObject | None = field(default=None, repr=False, compare=False)
    """The verification result's JSON (``innopass verify --json``), for the record."""

    @property
    def adopted(self) -> bool:
        return self.outcome.adopted

    @property
    def remaining(self) -> tuple[LocalAction, ...]:
        """The actions not yet done."""
        return tuple(a for a in self.actions if not a.done)

    @property
    def done(self) -> tuple[LocalAction, ...]:
        return tuple(a for a in self.actions if a.done)

    def to_json(self) -> JSONObject:
        """``innopass decide --json`` (``schemas/decision-output.schema.json``)."""
        return {
            "decision": self.outcome.value,
            "decided_at": format_datetime(self.decided_at),
            "policy": self.policy.to_json(),
            "passport": self.passport.to_json(),
            "verdict": self.verdict,
            "reasons": [r.to_json() for r in self.reasons],
            "actions": [a.to_json() for a in self.actions],
            "actions_remaining": len(self.remaining),
            "assessments_reused": list(self.assessments_reused),
            "verification": self.verification,
        }


def passport_digest(passport: str | bytes | Mapping[str, JSONValue]) -> tuple[str, str]:
    """``(digestSRI, mediaType)`` of a passport, the same whichever file carried it.

    The bytes digested are the passport's canonical bytes: RFC 8785 JCS of the Data
    Integrity credential (its proof included), or the ASCII of the compact ``vc+jwt``
    JWS. A bundle is digested as the passport it carries, so that a passport adopted
    from its bundle and one adopted from its own file are the same resource. Raises
    :class:`~innopass.errors.MalformedInputError` for input that is no passport.
    """
    value: JSONValue
    if isinstance(passport, Mapping):
        value = dict(passport)
    else:
        text = passport if isinstance(passport, str) else bytes(passport).decode("utf-8", "replace")
        value = text.strip() if looks_like_compact_jws(text.strip()) else loads_strict(passport)
    if isinstance(value, dict) and value.get("type") == BUNDLE_TYPE:
        value = value.get("passport")
    if isinstance(value, str) and looks_like_compact_jws(value.strip()):
        return sha384_sri(value.strip().encode("ascii")), _MEDIA_TYPES["jwt"]
    if isinstance(value, dict):
        return sha384_sri(canonicalize(value)), _MEDIA_TYPES["di"]
    raise MalformedInputError("not a passport: expected a credential, a compact JWS or a bundle")


def build_adoption_credential(
    decision: Decision,
    *,
    credential_id: str,
    adopter: OrganisationDescription,
    now: datetime,
    status: Sequence[StatusEntry],
) -> JSONObject:
    """The unsigned ``InnopassAdoption`` credential recording ``decision`` (FORMATS.md §11).

    The passport is named, by id and the ``digestSRI`` of its bytes, as a VC 2.0
    ``relatedResource``; the policy by its digest. Texts quoted from the passport are
    cut to the schema's bounds (the product name, reasons, actions). Raises
    :class:`~innopass.errors.ConfigurationError` for a decision that is not to adopt,
    one whose passport has no id or digest, or one the record's schema cannot hold
    (over 1,000 reasons or 500 actions): nothing that would not verify is signed.
    """
    if not decision.adopted:
        raise ConfigurationError(
            f"only a decision to adopt is recorded, not {decision.outcome.value!r}"
        )
    passport = decision.passport
    if passport.id is None or passport.digest_sri is None or passport.record_id is None:
        raise ConfigurationError("the decision names no passport id, digest or record")
    related: JSONObject = {"id": passport.id, "digestSRI": passport.digest_sri}
    if passport.media_type is not None:
        related["mediaType"] = passport.media_type
    policy: JSONObject = {
        "type": POLICY_TYPE,
        "policyId": decision.policy.id,
        "policyVersion": decision.policy.version,
        "digestSRI": decision.policy.digest_sri,
    }
    credential: JSONObject = {
        "@context": list(PASSPORT_CONTEXT),
        "id": credential_id,
        "type": [VC_TYPE, ADOPTION_TYPE],
        "name": _clip(f"Adoption record: {passport.product or passport.id}", 500),
        "issuer": {
            "id": adopter.did,
            "type": ISSUER_TYPE,
            "name": adopter.name,
            "odsCode": adopter.ods_code,
        },
        "validFrom": format_datetime(now),
        "credentialSubject": {
            "id": passport.record_id,
            "type": ADOPTION_SUBJECT_TYPE,
            "passport": passport.id,
            "product": _clip(passport.product, 500),
            "assessingOrganisation": passport.assessing_organisation or "",
            "decision": decision.outcome.value,
            "decidedAt": format_datetime(decision.decided_at),
            "policy": policy,
            "reasons": [r.to_json() for r in decision.reasons],
            "actionsDone": [a.to_json() for a in decision.done],
            "actionsRemaining": [a.to_json() for a in decision.remaining],
            "assessmentsReused": list(decision.assessments_reused),
        },
        "relatedResource": [related],
        "credentialSchema": {
            "id": ADOPTION_SCHEMA_ID,
            "type": "JsonSchema",
            "digestSRI": schema_digest_sri(ADOPTION_SCHEMA),
        },
        "credentialStatus": [entry.to_json() for entry in status],
    }
    problem = next(schema.iter_problems(credential, ADOPTION_SCHEMA), None)
    if problem is not None:
        raise ConfigurationError(
            f"the adoption record would not pass its schema: {problem.path}: {problem.message}"
        )
    return credential


@dataclass(frozen=True, slots=True)
class AdoptionClaims:
    """What an ``InnopassAdoption`` credential says (read from JSON that passed its schema).

    The claims are the adopter's; whether they are true is what verifying the
    credential establishes.
    """

    id: str
    adopter: str
    """The adopting organisation's DID (the credential's issuer)."""
    adopter_ods_code: str | None
    adopter_name: str | None
    adopted_at: datetime
    passport: str
    passport_digest_sri: str
    record_id: str
    product: str
    assessing_organisation: str
    decision: Outcome
    decided_at: datetime
    policy_id: str
    policy_version: str
    policy_digest_sri: str
    reasons: tuple[Reason, ...]
    actions_done: tuple[LocalAction, ...]
    actions_remaining: tuple[LocalAction, ...]
    assessments_reused: tuple[str, ...]

    @property
    def assessments_not_repeated(self) -> int:
        """1 when the passport was adopted (one organisation did not repeat its assessment)."""
        return 1 if self.decision.adopted else 0

    def to_json(self) -> JSONObject:
        """The claims, for ``verify --json`` (``adoption`` in verify-output)."""
        return {
            "id": self.id,
            "adopter": {
                "id": self.adopter,
                "ods_code": self.adopter_ods_code,
                "name": self.adopter_name,
            },
            "adopted_at": format_datetime(self.adopted_at),
            "passport": self.passport,
            "passport_digestSRI": self.passport_digest_sri,
            "record_id": self.record_id,
            "product": self.product,
            "assessing_organisation": self.assessing_organisation,
            "decision": self.decision.value,
            "decided_at": format_datetime(self.decided_at),
            "policy": {
                "id": self.policy_id,
                "version": self.policy_version,
                "digestSRI": self.policy_digest_sri,
            },
            "actions_done": [a.to_json() for a in self.actions_done],
            "actions_remaining": [a.to_json() for a in self.actions_remaining],
            "assessments_reused": list(self.assessments_reused),
        }

    @classmethod
    def from_credential(cls, credential: Mapping[str, JSONValue]) -> AdoptionClaims:
        """Check ``credential`` against ``schemas/adoption-record.schema.json`` and read it.

        Raises :class:`~innopass.errors.MalformedInputError` at the first problem,
        including a ``relatedResource`` that does not name the passport, or names a
        resource twice.
        """
        schema.require_shape(credential, ADOPTION_SCHEMA)
        valid: Any = credential
        subject = valid["credentialSubject"]
        related = valid["relatedResource"]
        ids = [r["id"] for r in related]
        if len(set(ids)) != len(ids):
            raise MalformedInputError(
                "relatedResource names a resource twice", path="/relatedResource"
            )
        named = next((r for r in related if r["id"] == subject["passport"]), None)
        if named is None:
            raise MalformedInputError(
                "relatedResource does not name the passport adopted", path="/relatedResource"
            )
        issuer = valid["issuer"]
        policy = subject["policy"]
        return cls(
            id=str(valid["id"]),
            adopter=str(issuer["id"]),
            adopter_ods_code=issuer.get("odsCode"),
            adopter_name=issuer.get("name"),
            adopted_at=parse_datetime(valid["validFrom"], path="/validFrom"),
            passport=str(subject["passport"]),
            passport_digest_sri=str(named["digestSRI"]),
            record_id=str(subject["id"]),
            product=str(subject["product"]),
            assessing_organisation=str(subject["assessingOrganisation"]),
            decision=Outcome(subject["decision"]),
            decided_at=parse_datetime(subject["decidedAt"], path="/credentialSubject/decidedAt"),
            policy_id=str(policy["policyId"]),
            policy_version=str(policy["policyVersion"]),
            policy_digest_sri=str(policy["digestSRI"]),
            reasons=tuple(Reason.from_json(r) for r in subject["reasons"]),
            actions_done=tuple(LocalAction.from_json(a) for a in subject["actionsDone"]),
            actions_remaining=tuple(LocalAction.from_json(a) for a in subject["actionsRemaining"]),
            assessments_reused=tuple(str(d) for d in subject["assessmentsReused"]),
        )
