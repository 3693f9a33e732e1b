"""Credentials other than passports: what an organisation checks before it signs one.

Through the HTTP service's VC-API (``POST /credentials/issue`` with a
``credential``) an organisation can sign VC 2.0 credentials it did not build from an
assessment record, of the types it is configured to sign. :func:`prepare_credential`
is a pure function of the credential, the organisation and the time: it refuses
what the organisation must not vouch for (not VC 2.0, another issuer's, already
secured, entries in its own status lists that its ledger did not allocate, a
passport not built from a record) and returns the copy the issuer secures, with an
``id`` and a ``validUntil`` where the caller gave none. A credential without
``credentialStatus`` gets entries in the organisation's lists, added by the issuer
inside the ledger transaction that allocates them; one that brings its own status
(another mechanism, another party's list) is signed with it as given.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from typing import Final

from innopass._internal.contexts import CREDENTIALS_V2
from innopass._internal.credential import PASSPORT_TYPE, VC_TYPE, credential_types, issuer_id
from innopass._internal.jsonio import JSONObject, JSONValue
from innopass._internal.timestamps import format_datetime, parse_datetime
from innopass.errors import CheckFailed, CredentialInvalidError, FailureCode, MalformedInputError

__all__ = ["DEFAULT_CREDENTIAL_VALIDITY", "prepare_credential"]

DEFAULT_CREDENTIAL_VALIDITY: Final = timedelta(days=365)
"""How long a credential that states no ``validUntil`` is valid from its issue."""

_MAX_ID_LENGTH: Final = 2048


def _problem(path: str, message: str, code: FailureCode = FailureCode.MALFORMED) -> CheckFailed:
    return CheckFailed(code, message, path)


def _time(
    credential: Mapping[str, JSONValue], name: str, problems: list[CheckFailed]
) -> datetime | None:
    if name not in credential:
        return None
    try:
        return parse_datetime(credential[name], path=f"/{name}")
    except MalformedInputError as exc:
        problems.append(_problem(f"/{name}", exc.message))
        return None


def prepare_credential(
    credential: Mapping[str, JSONValue],
    *,
    organisation_did: str,
    status_base: str,
    now: datetime,
    new_id: Callable[[], str],
    valid_for: timedelta = DEFAULT_CREDENTIAL_VALIDITY,
    types: Collection[str] | None = None,
) -> JSONObject:
    """The copy of ``credential`` this organisation signs, or :class:`CredentialInvalidError`.

    Refused, each problem a coded failure with its JSON pointer (the signer then
    checks the VC 2.0 data-model rules, before anything is signed): a first
    ``@context`` other than VC 2.0's; a ``type`` without ``VerifiableCredential``,
    or with a type outside ``types`` (``None``: any type), or ``InnovatorPassport``
    (passports are built from assessment records); an ``issuer`` other than
    ``organisation_did`` (one without an id gets it, as :meth:`Issuer.issue_credential`
    does); a
    ``proof`` (already secured); a ``credentialStatus`` entry naming a list under
    ``status_base`` (the organisation's own lists: only its ledger allocates
    there); an ``id`` that is not a string; ``validFrom``/``validUntil`` that are
    not RFC 3339 times, or a ``validUntil`` before ``validFrom``. A ``validUntil`` in
    the past is signed as given (VC 2.0 allows it; verifiers report ``expired``).
    Added: ``id`` (from ``new_id``) and ``validUntil`` (``valid_for`` after the
    later of ``now`` and ``validFrom``) when missing.
    """
    problems: list[CheckFailed] = []
    context = credential.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first != CREDENTIALS_V2:
        problems.append(_problem("/@context", f"the first context must be {CREDENTIALS_V2}"))
    kinds = credential_types(credential)
    if VC_TYPE not in kinds:
        problems.append(_problem("/type", f"the type must include {VC_TYPE}"))
    if PASSPORT_TYPE in kinds:
        problems.append(
            _problem("/type", "innovator passports are issued from an assessment record")
        )
    elif types is not None:
        unsigned = sorted(set(kinds) - {VC_TYPE} - set(types))
        if unsigned:
            problems.append(
                _problem("/type", f"this organisation does not sign {', '.join(unsigned)}")
            )
    issuer = issuer_id(credential)
    named = credential.get("issuer")
    if (
        "issuer" in credential
        and issuer is None
        and not (isinstance(named, dict) and "id" not in named)
    ):
        problems.append(
            _problem("/issuer", "the issuer must be a URL, or an object whose id is a URL")
        )
    elif issuer not in (None, organisation_did):
        problems.append(
            _problem(
                "/issuer",
                f"this organisation signs only as itself ({organisation_did[:120]})",
                FailureCode.ISSUER_UNTRUSTED,
            )
        )
    if "proof" in credential:
        problems.append(_problem("/proof", "the credential is already secured"))
    status = credential.get("credentialStatus")
    entries = status if isinstance(status, list) else [] if status is None else [status]
    for position, entry in enumerate(entries):
        where = "/credentialStatus" + (f"/{position}" if isinstance(status, list) else "")
        named = entry.get("statusListCredential") if isinstance(entry, dict) else None
        if isinstance(named, str) and named.startswith(status_base):
            problems.append(
                _problem(
                    where,
                    "entries in this organisation's status lists are allocated by its ledger "
                    "(leave credentialStatus out)",
                )
            )
    identifier = credential.get("id")
    if "id" in credential and (
        not isinstance(identifier, str) or not identifier or len(identifier) > _MAX_ID_LENGTH
    ):
        problems.append(_problem("/id", f"the id must be a URL of 1-{_MAX_ID_LENGTH} characters"))
    valid_from = _time(credential, "validFrom", problems)
    valid_until = _time(credential, "validUntil", problems)
    if valid_until is not None and valid_from is not None and valid_until < valid_from:
        problems.append(_problem("/validUntil", "validUntil is before validFrom"))
    if problems:
        raise CredentialInvalidError(problems)
    prepared: JSONObject = dict(credential)
    if "issuer" not in prepared:
        prepared["issuer"] = organisation_did
    elif isinstance(named, dict) and "id" not in named:
        prepared["issuer"] = {"id": organisation_did, **named}
    if "id" not in prepared:
        prepared["id"] = new_id()
    if valid_until is None:
        start = now if valid_from is None else max(now, valid_from)
        prepared["validUntil"] = format_datetime(start + valid_for)
    return prepared
