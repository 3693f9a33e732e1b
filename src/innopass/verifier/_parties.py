"""Who a verifier trusts and on what terms: pinned parties, and one issuer's combined trust.

An issuer may be vouched for by several sources at once: pinned by the verifier
(by DID, or by its organisation description) and named by the trust lists of one
or more pinned anchors. Their constraints *combine* (PRODUCT.md §4, issue
"pinning adds, never overrides"): the ODS codes they give must agree, the
accredited scopes intersect, a withdrawal or a compromise in any source applies,
a key is accepted only inside every source's window for it, and the key material
the sources give for one key id must agree byte for byte, or the issuer is
``trust-conflict``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from innopass._internal.jsonio import JSONObject, JSONValue
from innopass._internal.timestamps import format_datetime
from innopass.did import DidDocument, computed_document
from innopass.errors import (
    CheckFailed,
    FailureCode,
    MalformedInputError,
    ResolutionError,
    TrustError,
)
from innopass.trust import AccreditedScope, KeyWindow, OrganisationDescription

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass.verifier._trust_lists import AcceptedTrustList

_LATEST = datetime.max.replace(tzinfo=UTC)
_EARLIEST = datetime.min.replace(tzinfo=UTC)

__all__ = [
    "IssuerTrust",
    "PinnedParty",
    "SourceTerms",
    "TrustSource",
    "key_window_problem",
    "withdrawal_order",
]


@dataclass(frozen=True, slots=True)
class PinnedParty:
    """An anchor or issuer pinned by DID alone or by its organisation description."""

    did: str
    organisation: OrganisationDescription | None = None

    @classmethod
    def from_source(
        cls, source: str | OrganisationDescription, *, require_document: bool = True
    ) -> PinnedParty:
        """Pin by DID or description. A ``did:web`` by DID alone needs ``require_document=False``.

        Raises :class:`~innopass.errors.TrustError` for a DID that cannot be pinned this way.
        """
        if isinstance(source, OrganisationDescription):
            return cls(did=source.did, organisation=source)
        try:
            document = computed_document(source)
        except ResolutionError as exc:
            raise TrustError(f"cannot pin {source[:80]!r}: {exc}") from exc
        if document is None and require_document:
            raise TrustError(
                f"{source[:80]} is not a did:key or did:jwk, so its keys cannot be computed: pin "
                "its exported organisation description (innopass org export) instead"
            )
        return cls(did=source)

    def document(self) -> DidDocument | None:
        """The DID document: computed for a ``did:key``/``did:jwk`` (whatever a description
        says), else the pinned description's; ``None`` for a did:web pinned by DID alone."""
        try:
            computed = computed_document(self.did)
        except ResolutionError:
            return None
        if computed is not None:
            return computed
        return None if self.organisation is None else self.organisation.did_document

    def key_window(self, vm_id: str) -> KeyWindow | None:
        """The key's window: from the description; unbounded for a party pinned by DID alone."""
        if self.organisation is not None:
            return self.organisation.key_window(vm_id)
        return KeyWindow(id=vm_id)

    def to_json(self) -> JSONObject:
        return {
            "did": self.did,
            "organisation": None if self.organisation is None else self.organisation.to_json(),
        }

    @classmethod
    def from_json(cls, obj: JSONValue, *, path: str = "") -> PinnedParty:
        if not isinstance(obj, dict) or not isinstance(obj.get("did"), str):
            raise MalformedInputError("pinned entry needs a did", path=path)
        org = obj.get("organisation")
        organisation = (
            None
            if org is None
            else OrganisationDescription.from_json(org, path=f"{path}/organisation")
        )
        did = str(obj["did"])
        if organisation is not None and organisation.did != did:
            raise MalformedInputError("pinned description is for another DID", path=path)
        return cls(did=did, organisation=organisation)


class TrustSource(StrEnum):
    """Why an issuer is trusted."""

    PINNED = "pinned"
    TRUST_LIST = "trust-list"


@dataclass(frozen=True, slots=True)
class SourceTerms:
    """What one trust source says about an issuer."""

    kind: TrustSource
    ods_code: str | None
    name: str | None
    document: DidDocument | None
    keys: tuple[KeyWindow, ...] | None
    """The key windows; ``None`` for a party pinned by DID alone (every key, unbounded)."""
    scopes: tuple[AccreditedScope, ...] | None = None
    """Accredited scopes; ``None`` when the source does not restrict them (a pin)."""
    status_list_base: str | None = None
    withdrawn: bool = False
    withdrawn_at: datetime | None = None
    successor: str | None = None
    trust_list: AcceptedTrustList | None = field(default=None, repr=False)

    def key_window(self, vm_id: str) -> KeyWindow | None:
        if self.keys is None:
            return KeyWindow(id=vm_id)
        return next((k for k in self.keys if k.id == vm_id), None)

    @property
    def label(self) -> str:
        if self.trust_list is not None:
            return f"trust list v{self.trust_list.version} of {self.trust_list.anchor}"
        return "the issuer pinned" + (" by description" if self.keys is not None else " by DID")


@dataclass(frozen=True, slots=True)
class IssuerTrust:
    """What every trust source says about one issuer, combined (see the module docstring)."""

    did: str
    sources: tuple[SourceTerms, ...]

    @property
    def source(self) -> TrustSource:
        """``pinned`` when the verifier pinned the issuer itself, else ``trust-list``."""
        pinned = any(s.kind is TrustSource.PINNED for s in self.sources)
        return TrustSource.PINNED if pinned else TrustSource.TRUST_LIST

    @property
    def ods_code(self) -> str | None:
        """The ODS code the sources give (the first; :meth:`conflicts` reports disagreement)."""
        return next((s.ods_code for s in self.sources if s.ods_code is not None), None)

    @property
    def name(self) -> str | None:
        return next((s.name for s in self.sources if s.name is not None), None)

    @property
    def scopes(self) -> tuple[AccreditedScope, ...] | None:
        """The scopes every restricting source grants (``None``: no source restricts)."""
        restricting = [s.scopes for s in self.sources if s.scopes is not None]
        if not restricting:
            return None
        combined = restricting[0]
        for scopes in restricting[1:]:
            combined = _intersect_scopes(combined, scopes)
        return combined

    @property
    def withdrawn(self) -> bool:
        return any(s.withdrawn for s in self.sources)

    @property
    def withdrawn_at(self) -> datetime | None:
        """The earliest withdrawal time; ``None`` when withdrawn with no time (or not at all)."""
        withdrawals = [s for s in self.sources if s.withdrawn]
        if not withdrawals or any(s.withdrawn_at is None for s in withdrawals):
            return None
        return min(s.withdrawn_at for s in withdrawals if s.withdrawn_at is not None)

    @property
    def successors(self) -> tuple[str, ...]:
        """Every successor the withdrawing sources name, in :func:`withdrawal_order`.

        Sources may name different successors (anchors disagreeing on a merger): each
        counts where its own trust list is in force, none hides another, and who took
        the issuer over does not change what the issuer itself signed, so it is no
        :meth:`conflicts`.
        """
        ordered = sorted(
            (s for s in self.sources if s.withdrawn and s.successor),
            key=lambda s: withdrawal_order(s.withdrawn_at, s.successor),
        )
        return tuple(dict.fromkeys(s.successor for s in ordered if s.successor))

    @property
    def successor(self) -> str | None:
        """The successor of the earliest withdrawal naming one (all: :attr:`successors`)."""
        return next(iter(self.successors), None)

    @property
    def trust_list(self) -> AcceptedTrustList | None:
        """The trust list naming the issuer that expires first (``None`` when only pinned)."""
        lists = [s.trust_list for s in self.sources if s.trust_list is not None]
        if not lists:
            return None
        return min(lists, key=lambda tl: (tl.valid_until is None, tl.valid_until or _LATEST))

    @property
    def status_list_bases(self) -> tuple[str, ...]:
        """Where the sources say the issuer's status lists live (each list must be under all)."""
        return tuple(s.status_list_base for s in self.sources if s.status_list_base)

    def key_window(self, vm_id: str) -> KeyWindow | None:
        """The window all sources give the key (intersected); ``None`` if one source lists none.

        A key compromised in any source is compromised; a key one source does not
        list is not usable.
        """
        windows = [s.key_window(vm_id) for s in self.sources]
        present = [w for w in windows if w is not None]
        if not present or len(present) != len(windows):
            return None
        if len(present) == 1:
            return present[0]
        starts = [w.valid_from for w in present if w.valid_from is not None]
        ends = [w.valid_until for w in present if w.valid_until is not None]
        return KeyWindow(
            id=vm_id,
            valid_from=max(starts) if starts else None,
            valid_until=min(ends) if ends else None,
            compromised=any(w.compromised for w in present),
        )

    def conflicts(self) -> list[str]:
        """Why the sources contradict each other about who the issuer is (its ODS code)."""
        codes = sorted({s.ods_code for s in self.sources if s.ods_code is not None})
        if len(codes) > 1:
            return [f"the trust sources give {self.did[:120]} different ODS codes: {codes}"]
        return []

    def key_conflict(self, vm_id: str) -> str | None:
        """Why the sources' key material for ``vm_id`` disagrees, or ``None`` when it agrees."""
        keys = {}
        for s in self.sources:
            method = None if s.document is None else s.document.method(vm_id)
            if method is not None:
                keys[s.label] = (method.public_key.key_type, method.public_key.raw_bytes())
        if len(set(keys.values())) > 1:
            sources = ", ".join(sorted(keys))
            return f"the trust sources give different keys for {vm_id[:120]}: {sources}"
        return None


def _intersect_scopes(
    first: Sequence[AccreditedScope], second: Sequence[AccreditedScope]
) -> tuple[AccreditedScope, ...]:
    """The scopes covered by both ``first`` and ``second`` (empty tuples inside mean "all")."""

    def meet(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...] | None:
        if not a or not b:
            return a or b
        both = tuple(x for x in a if x in b)
        return both or None  # nothing in common: the pair covers nothing

    out: list[AccreditedScope] = []
    for a in first:
        for b in second:
            profiles, domains = meet(a.profiles, b.profiles), meet(a.domains, b.domains)
            if profiles is not None and domains is not None:
                out.append(AccreditedScope(profiles=profiles, domains=domains))
    return tuple(out)


def withdrawal_order(
    withdrawn_at: datetime | None, successor: str | None
) -> tuple[bool, datetime, str]:
    """The order withdrawals of one issuer are described in, whichever list comes first:
    undated first (withdrawn now), then the earliest ``withdrawnAt``, then by successor."""
    return (withdrawn_at is not None, withdrawn_at or _EARLIEST, successor or "")


def key_window_problem(
    window: KeyWindow | None, *, vm_id: str, created: datetime | None, path: str
) -> CheckFailed | None:
    """Why the key may not be used for a proof made at ``created``, or ``None``.

    ``window`` is ``None`` when a trust source lists no window for the key. A
    proof with no signing time (``created`` is ``None``) is decided only when its
    time cannot matter: the key is unlisted or compromised (refused), or its window
    is unbounded (accepted); otherwise it is ``signing-time-unknown``.
    """
    if window is None:
        return CheckFailed(
            FailureCode.KEY_NOT_VALID_AT_TIME,
            f"the trust source gives no validity window for {vm_id[:120]}",
            path,
        )
    if window.compromised:
        return CheckFailed(
            FailureCode.KEY_COMPROMISED,
            f"{vm_id[:120]} is marked compromised: nothing it signed is trusted",
            path,
        )
    if created is None:
        if window.valid_from is None and window.valid_until is None:
            return None
        return CheckFailed(
            FailureCode.SIGNING_TIME_UNKNOWN,
            f"the proof gives no signing time, and {vm_id[:120]} was valid only for a while",
            path,
        )
    if not window.covers(created):
        return CheckFailed(
            FailureCode.KEY_NOT_VALID_AT_TIME,
            f"{vm_id[:120]} was not valid at {format_datetime(created)} "
            "(the proof's creation time)",
            path,
        )
    return None
