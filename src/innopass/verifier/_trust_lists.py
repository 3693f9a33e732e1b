"""Trust lists: checking an anchor's signature, rollback marks, and the lists in force.

A trust list is accepted only when signed by a pinned anchor with a key inside
that anchor's window. The newest list a verifier accepted from an anchor is its
*high-water mark*: a list of that anchor with a lower version (or the same version
but other content) is a rollback and is never used again (FORMATS.md §5, §7).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from innopass._internal.cache import VerifiedCache, content_key
from innopass._internal.canonical import canonicalize
from innopass._internal.credential import issuer_id
from innopass._internal.jsonio import JSONObject, JSONValue
from innopass._internal.proof import SignedBy, verify_data_integrity
from innopass._internal.suites import SUITES, Cryptosuite
from innopass._internal.timestamps import optional_time
from innopass.did import StaticResolver
from innopass.errors import CheckFailed, FailureCode, MalformedInputError, TrustImportError
from innopass.trust import TRUST_LIST_TYPE, TrustListContent
from innopass.verifier._parties import PinnedParty, key_window_problem

__all__ = [
    "AcceptedTrustList",
    "CheckedTrustList",
    "held_trust_list",
    "in_force",
    "rollback_problem",
    "trust_list_cache",
    "verify_trust_list",
]


@dataclass(frozen=True, slots=True)
class AcceptedTrustList:
    """A trust list whose anchor signature was verified (or that a home held as verified)."""

    credential: JSONObject = field(repr=False)
    anchor: str
    content: TrustListContent = field(repr=False)
    valid_from: datetime | None
    valid_until: datetime | None

    @property
    def version(self) -> int:
        return self.content.version

    def expired_at(self, when: datetime) -> bool:
        """Whether the list had expired at ``when``."""
        return self.valid_until is not None and when > self.valid_until

    def same_as(self, other: AcceptedTrustList | None) -> bool:
        """Whether ``other`` is exactly this list (same canonical bytes)."""
        return other is not None and canonicalize(self.credential) == canonicalize(other.credential)


@dataclass(frozen=True, slots=True)
class CheckedTrustList:
    """What checking a trust list's structure and signature established (no time, no rollback)."""

    content: TrustListContent
    signed: tuple[SignedBy, ...]
    credential: JSONObject = field(repr=False)
    """A private copy of the credential (shared by the lists accepted from this entry)."""


def trust_list_cache(*, max_entries: int = 16) -> VerifiedCache[CheckedTrustList]:
    """A cache of checked trust lists for :func:`verify_trust_list`."""
    return VerifiedCache(max_entries=max_entries)


def verify_trust_list(
    credential: Mapping[str, JSONValue],
    *,
    anchors: Mapping[str, PinnedParty],
    suites: Mapping[str, Cryptosuite] = SUITES,
    cache: VerifiedCache[CheckedTrustList] | None = None,
    from_json: bool = False,
) -> AcceptedTrustList:
    """Check a trust list's shape and its signature by a pinned anchor.

    Raises :class:`~innopass.errors.TrustImportError` with ``trust-list-invalid``.
    Expiry and rollback are the caller's business (they depend on time and on
    what is held). With a ``cache``, a list with the same id and canonical bytes as
    one checked before is not parsed or signature-checked again; the anchor must
    still be pinned with the same key, and the key's window is checked every time.
    """

    def invalid(message: str, path: str = "") -> TrustImportError:
        return TrustImportError(FailureCode.TRUST_LIST_INVALID, message, path=path)

    types = credential.get("type")
    if not isinstance(types, list) or TRUST_LIST_TYPE not in types:
        raise invalid(f"not an {TRUST_LIST_TYPE} credential", "/type")
    anchor_did = issuer_id(credential)
    if anchor_did is None:
        raise invalid("trust list has no issuer", "/issuer")
    anchor = anchors.get(anchor_did)
    if anchor is None:
        raise invalid(
            f"trust list is signed by {anchor_did[:120]}, which is not a pinned anchor", "/issuer"
        )
    document = anchor.document()
    if document is None:
        raise invalid(
            f"no DID document for the anchor {anchor_did}: pin its description", "/issuer"
        )
    key = None if cache is None else content_key(credential, from_json=from_json)
    hit = None if cache is None else cache.get(key)
    try:
        signed = verify_data_integrity(
            credential,
            issuer=anchor_did,
            resolver=StaticResolver({anchor_did: document}),
            suites=suites,
            known=None if hit is None else hit.signed,
        )
        for proof in signed:
            problem = key_window_problem(
                anchor.key_window(proof.method.id),
                vm_id=proof.method.id,
                created=proof.proof.created,
                path=proof.proof.path,
            )
            if problem is not None:
                raise problem
        if hit is not None:
            content, held = hit.content, hit.credential
        else:
            content = TrustListContent.from_credential(credential)
            held = copy.deepcopy(dict(credential))
            if cache is not None:
                cache.put(key, CheckedTrustList(content=content, signed=signed, credential=held))
        valid_from = optional_time(credential, "validFrom")
        valid_until = optional_time(credential, "validUntil")
    except CheckFailed as exc:
        raise invalid(f"{exc.failure}: {exc.message}", exc.path) from exc
    except MalformedInputError as exc:
        raise invalid(exc.message, exc.path) from exc
    return AcceptedTrustList(
        credential=held,
        anchor=anchor_did,
        content=content,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def held_trust_list(credential: JSONValue) -> AcceptedTrustList:
    """A trust list a verifier home holds (verified when it was imported: not re-verified).

    Raises :class:`~innopass.errors.MalformedInputError` for a file that is not one.
    """
    if not isinstance(credential, dict):
        raise MalformedInputError("trust list is not a JSON object")
    anchor = issuer_id(credential)
    if anchor is None:
        raise MalformedInputError("trust list has no issuer", path="/issuer")
    return AcceptedTrustList(
        credential=credential,
        anchor=anchor,
        content=TrustListContent.from_credential(credential),
        valid_from=optional_time(credential, "validFrom"),
        valid_until=optional_time(credential, "validUntil"),
    )


def rollback_problem(new: AcceptedTrustList, held: AcceptedTrustList | None) -> str | None:
    """Why ``new`` may not be used beside ``held`` (same anchor, not newer), or ``None``.

    Offering exactly the held list again is not a problem.
    """
    if held is None or held.anchor != new.anchor or new.version > held.version:
        return None
    if new.same_as(held):
        return None
    return f"trust list version {new.version} is not newer than the held version {held.version}"


def in_force(
    held: Mapping[str, AcceptedTrustList],
    offered: Iterable[AcceptedTrustList],
    *,
    anchors: Mapping[str, PinnedParty],
) -> tuple[AcceptedTrustList, ...]:
    """The trust lists in force: per pinned anchor, the newest of the held and offered lists.

    An offered list older than its anchor's held list is never used (the held one
    is); lists of anchors no longer pinned are ignored. Sorted by anchor DID.
    """
    chosen = {anchor: tl for anchor, tl in held.items() if anchor in anchors}
    for accepted in offered:
        if accepted.anchor not in anchors:
            continue
        current = chosen.get(accepted.anchor)
        if current is None or accepted.version > current.version:
            chosen[accepted.anchor] = accepted
    return tuple(chosen[a] for a in sorted(chosen))
