"""The facts a person acts on, taken from a checked passport: who issued it, what it says.

The issuer's ODS code and name are shown as fact only when a trust source gives
them; otherwise they are the credential's own claims, marked ``claimed``. The
passport's content is read from the record once it passed its schema (never
converted on the verification path); for a record that fails its schema, only
what is safe to show.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from innopass._internal.jsonio import JSONObject, JSONValue
from innopass._internal.timestamps import format_datetime
from innopass._internal.wording import local_requirement
from innopass.verifier._envelope import Envelope
from innopass.verifier._parties import IssuerTrust, TrustSource
from innopass.verifier._result import (
    Condition,
    IssuerInfo,
    PassportFacts,
    Succession,
    TrustedBy,
)
from innopass.verifier._trust_store import TrustView

__all__ = ["issuer_info", "passport_facts"]


def _string(value: JSONValue) -> str | None:
    return value if isinstance(value, str) else None


def succession(
    view: TrustView, ods_code: str | None, now: datetime, *, successor: str | None = None
) -> Succession | None:
    """What the trust lists in force say of ``ods_code``'s withdrawal (``None``: not withdrawn);
    ``pending`` when its date is after ``now``. Of lists that disagree, one naming
    ``successor`` (the passport's signer) is described (see :meth:`TrustView.listed`)."""
    entry = None if ods_code is None else view.listed(ods_code, successor=successor)
    if entry is None or entry.status != "withdrawn":
        return None
    heir = None if entry.successor is None else view.listed(entry.successor)
    return _withdrawal(
        ods_code, entry.withdrawn_at, entry.successor, now, None if heir is None else heir.name
    )


def _withdrawal(
    ods_code: str | None,
    when: datetime | None,
    successor: str | None,
    now: datetime,
    successor_name: str | None = None,
) -> Succession:
    return Succession(
        ods_code=ods_code,
        withdrawn_at=None if when is None else format_datetime(when),
        successor=successor,
        successor_name=successor_name,
        pending=when is not None and when > now,
    )


def _trusted_by(trust: IssuerTrust) -> tuple[TrustedBy, ...]:
    return tuple(
        TrustedBy(source=TrustSource.PINNED.value)
        if s.trust_list is None
        else TrustedBy(
            source=TrustSource.TRUST_LIST.value,
            anchor=s.trust_list.anchor,
            version=s.trust_list.version,
        )
        for s in trust.sources
    )


def issuer_info(
    envelope: Envelope,
    trust: IssuerTrust | None,
    view: TrustView,
    record: JSONObject | None,
    now: datetime,
) -> IssuerInfo:
    """The issuer's ODS code and name from the trust source; else the claims, marked ``claimed``.

    A credential's own ``issuer.odsCode``/``name`` are never shown as fact: a
    pinned ``did:key`` can claim to be anyone. From the run's ``view``: whether the
    issuer is withdrawn (merged or closed), and whose assessment it reissued as a
    successor (the ``record``'s assessor, when a trust list says so).
    """
    issuer = envelope.issuer
    if trust is not None and (trust.ods_code is not None or trust.name is not None):
        withdrawn = succession(view, trust.ods_code, now)
        if withdrawn is None and trust.withdrawn:  # withdrawn by a source with no ODS entry
            withdrawn = _withdrawal(trust.ods_code, trust.withdrawn_at, trust.successor, now)
        valid: Any = record  # passed its schema
        assessor = None if valid is None else str(valid["assessing_org"]["ods_code"])
        successor_of = None
        if assessor is not None and view.succeeded_by(assessor, trust.ods_code):
            successor_of = assessor
        return IssuerInfo(
            id=issuer,
            ods_code=trust.ods_code,
            name=trust.name,
            trusted_by=_trusted_by(trust),
            withdrawn=withdrawn,
            successor_of=successor_of,
        )
    trusted_by = () if trust is None else _trusted_by(trust)
    claimed = envelope.credential.get("issuer")
    if isinstance(claimed, dict):
        ods_code, name = _string(claimed.get("odsCode")), _string(claimed.get("name"))
        if ods_code is not None or name is not None:
            return IssuerInfo(
                id=issuer, ods_code=ods_code, name=name, claimed=True, trusted_by=trusted_by
            )
    return IssuerInfo(id=issuer, trusted_by=trusted_by)


def passport_facts(
    envelope: Envelope,
    record: JSONObject | None,
    trust: IssuerTrust | None,
    view: TrustView,
    now: datetime,
) -> PassportFacts | None:
    """The facts a person acts on; from the record (valid against its schema), else only what
    is safe to show.

    The assessing organisation is ``claimed`` unless a trust source gives the
    issuer the record's ODS code (or names the issuer as that organisation's
    successor): a pinned ``did:key`` whose record says "RF4" is only claiming to be
    RF4. From the run's ``view``: whether the assessing organisation was withdrawn.
    """
    credential = envelope.credential
    valid_from = _string(credential.get("validFrom"))
    valid_until = _string(credential.get("validUntil"))
    if record is None:
        if not envelope.is_passport:
            return None
        subject = credential.get("credentialSubject")
        raw = subject.get("assessmentRecord") if isinstance(subject, dict) else None
        product = raw.get("product") if isinstance(raw, dict) else None
        name = _string(product.get("name")) if isinstance(product, dict) else None
        return PassportFacts(product=name, valid_from=valid_from, valid_until=valid_until)
    # The record passed its schema: every member read here is present and typed.
    valid: Any = record
    org, outcome = valid["assessing_org"], valid["outcome"]
    vouched = (
        trust is not None
        and trust.ods_code is not None
        and (
            trust.ods_code == org["ods_code"]
            or view.succeeded_by(str(org["ods_code"]), trust.ods_code)
        )
    )
    return PassportFacts(
        product=valid["product"]["name"],
        assessing_organisation=IssuerInfo(
            ods_code=org["ods_code"],
            name=org["name_at_issue"],
            claimed=not vouched,
            withdrawn=succession(
                view, org["ods_code"], now, successor=None if trust is None else trust.ods_code
            ),
        ),
        profile=valid["profile"],
        outcome=outcome["decision"],
        conditions=tuple(
            Condition(
                id=c["condition_id"],
                text=c["text"],
                responsible_party=c["responsible_party"],
                blocking=c["blocking"],
                due=c["due"],
            )
            for c in outcome["conditions"]
        ),
        valid_from=valid_from,
        valid_until=valid_until,
        local_actions=tuple(
            local_requirement(r["requirement"], r["note"])
            for r in valid["local_requirements_for_adopters"]
        ),
    )
