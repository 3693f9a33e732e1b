"""The verifier's trust store: an immutable value, and the trust in force for one run.

A :class:`TrustStore` holds what a verifier trusts (PRODUCT.md §4): anchors and
issuers pinned deliberately (by ``did:key``/``did:jwk``, whose document is
computed, or by an organisation description); per pinned anchor, the newest
trust list accepted from it (its version is that anchor's rollback mark); the
status lists it holds, per (issuer DID, list id); and ``did:web`` documents
fetched with ``--online``. It never changes: ``with_…`` methods return a new
store, applying the rules that keep trust safe (no rollback, revocation is
final, only trusted issuers' lists). Persisting it is the verifier home's job
(:mod:`innopass.verifier._home`), under a lock.

:meth:`TrustStore.view` gives a :class:`TrustView`: the trust lists in force for
one verification (the held lists, and lists offered for that run when newer),
each issuer's combined trust, and the DID resolver composed from the did:key,
did:jwk and trust-store sources. A bundle's organisation description is unsigned:
it never makes an issuer trusted and never supplies keys.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Final

from innopass._internal.bitstring import DEFAULT_MAX_LIST_BYTES
from innopass._internal.credential import issuer_id
from innopass._internal.jsonio import JSONObject, JSONValue
from innopass._internal.suites import SUITES, Cryptosuite
from innopass._internal.timestamps import format_datetime, parse_datetime
from innopass.did import (
    COMPUTED_METHODS,
    CompositeResolver,
    DidDocument,
    FirstResolver,
    Resolver,
    StaticResolver,
    computed_document,
)
from innopass.errors import (
    CheckFailed,
    FailureCode,
    MalformedInputError,
    ResolutionError,
    TrustImportError,
)
from innopass.trust import Bundle, OrganisationDescription, TrustedIssuer
from innopass.verifier._parties import (
    IssuerTrust,
    PinnedParty,
    SourceTerms,
    TrustSource,
    withdrawal_order,
)
from innopass.verifier._status_lists import (
    HeldStatusList,
    clears_revocation,
    may_replace,
    older_than_held,
    verify_status_list,
)
from innopass.verifier._trust_lists import (
    AcceptedTrustList,
    in_force,
    rollback_problem,
    verify_trust_list,
)

__all__ = ["HeldDidDocument", "TrustStore", "TrustView"]

#: Status lists a store holds per issuer at most (a passport names two).
MAX_STATUS_LISTS_PER_ISSUER: Final = 256


@dataclass(frozen=True, slots=True)
class HeldDidDocument:
    """A ``did:web`` document fetched with ``--online``, with when it was fetched."""

    did: str
    fetched_at: datetime
    document: DidDocument = field(repr=False)

    def to_json(self) -> JSONObject:
        return {
            "did": self.did,
            "fetchedAt": format_datetime(self.fetched_at),
            "document": self.document.to_json(),
        }

    @classmethod
    def from_json(cls, obj: JSONValue, *, path: str = "") -> HeldDidDocument:
        if not isinstance(obj, dict) or not isinstance(obj.get("did"), str):
            raise MalformedInputError("held DID document needs a did", path=path)
        did = str(obj["did"])
        try:
            document = DidDocument.from_json(obj.get("document"), expected_id=did)
        except ResolutionError as exc:
            raise MalformedInputError(f"held DID document unusable: {exc}", path=path) from exc
        return cls(
            did=did,
            fetched_at=parse_datetime(obj.get("fetchedAt"), path=f"{path}/fetchedAt"),
            document=document,
        )


class _ComputedResolver:
    """did:key and did:jwk: the DID is the key, so the document is computed, never looked up."""

    __slots__ = ()

    def resolve(self, did: str) -> DidDocument:
        document = computed_document(did)
        if document is None:  # pragma: no cover - dispatched by method name
            raise ResolutionError(did, "not a computed DID")
        return document


_COMPUTED: Final = _ComputedResolver()


class TrustStore:
    """What a verifier trusts. Immutable: every ``with_…`` returns a new store.

    ``TrustStore()`` is empty; a verifier home loads one
    (:meth:`~innopass.verifier.VerifierHome.load`).
    """

    __slots__ = (
        "_anchors",
        "_did_documents",
        "_issuers",
        "_status_by_id",
        "_status_lists",
        "_trust_lists",
    )

    def __init__(
        self,
        *,
        anchors: Iterable[PinnedParty] = (),
        issuers: Iterable[PinnedParty] = (),
        trust_lists: Iterable[AcceptedTrustList] = (),
        status_lists: Iterable[HeldStatusList] = (),
        did_documents: Iterable[HeldDidDocument] = (),
    ) -> None:
        self._anchors: Mapping[str, PinnedParty] = MappingProxyType({p.did: p for p in anchors})
        self._issuers: Mapping[str, PinnedParty] = MappingProxyType({p.did: p for p in issuers})
        self._trust_lists: Mapping[str, AcceptedTrustList] = MappingProxyType(
            {tl.anchor: tl for tl in trust_lists}
        )
        held = {s.key: s for s in status_lists}
        self._status_lists: Mapping[tuple[str, str], HeldStatusList] = MappingProxyType(held)
        by_id: dict[str, list[HeldStatusList]] = {}
        for entry in held.values():
            by_id.setdefault(entry.id, []).append(entry)
        self._status_by_id: Mapping[str, tuple[HeldStatusList, ...]] = MappingProxyType(
            {k: tuple(v) for k, v in by_id.items()}
        )
        self._did_documents: Mapping[str, HeldDidDocument] = MappingProxyType(
            {d.did: d for d in did_documents}
        )

    def _replace(self, **changes: Iterable[object]) -> TrustStore:
        parts: dict[str, Iterable[object]] = {
            "anchors": self._anchors.values(),
            "issuers": self._issuers.values(),
            "trust_lists": self._trust_lists.values(),
            "status_lists": self._status_lists.values(),
            "did_documents": self._did_documents.values(),
        }
        parts.update(changes)
        return TrustStore(**parts)  # type: ignore[arg-type]

    # --- reading ---------------------------------------------------------------------

    @property
    def anchors(self) -> Mapping[str, PinnedParty]:
        """Pinned anchors by DID."""
        return self._anchors

    @property
    def issuers(self) -> Mapping[str, PinnedParty]:
        """Issuers pinned directly, by DID."""
        return self._issuers

    @property
    def trust_lists(self) -> Mapping[str, AcceptedTrustList]:
        """The accepted trust list of each anchor (its version is the anchor's high-water mark)."""
        return self._trust_lists

    @property
    def status_lists(self) -> Mapping[tuple[str, str], HeldStatusList]:
        """Held status lists by (issuer DID, list id)."""
        return self._status_lists

    @property
    def did_documents(self) -> Mapping[str, HeldDidDocument]:
        """did:web documents fetched by online runs, by DID."""
        return self._did_documents

    def status_lists_with_id(self, list_id: str) -> tuple[HeldStatusList, ...]:
        """The held lists whose id is ``list_id`` (an index: no scan per entry)."""
        return self._status_by_id.get(list_id, ())

    def is_empty(self) -> bool:
        """True when nothing here could make any issuer trusted."""
        return not (self._anchors or self._issuers)

    def view(
        self,
        offered: Iterable[AcceptedTrustList] = (),
        *,
        online: Resolver | None = None,
        usable: Callable[[AcceptedTrustList], bool] | None = None,
    ) -> TrustView:
        """The trust in force for one run: held lists, newer ``offered`` ones, the resolver.

        ``online`` resolves ``did:web`` issuers pinned by DID alone that no trusted
        source documents (``--online`` only). Lists for which ``usable`` is false
        (not yet valid, say) are left out, held or offered.
        """
        held = self._trust_lists
        if usable is not None:
            held = {a: tl for a, tl in held.items() if usable(tl)}
            offered = [tl for tl in offered if usable(tl)]
        lists = in_force(held, offered, anchors=self._anchors)
        return TrustView(self, lists, _resolver(self, lists, online))

    # --- changing (each returns a new store) -----------------------------------------

    def with_anchor(self, source: str | OrganisationDescription) -> TrustStore:
        """Pin a trust anchor by ``did:key``/``did:jwk`` or by its organisation description."""
        party = PinnedParty.from_source(source)
        return self._replace(anchors=[*self._without(self._anchors, party.did), party])

    def with_issuer(
        self, source: str | OrganisationDescription, *, require_document: bool = True
    ) -> TrustStore:
        """Trust an issuer directly.

        A ``did:web`` pinned by DID alone (``require_document=False``) still needs its
        DID document from a trusted source: a trust list in force, or (online) the web.
        """
        party = PinnedParty.from_source(source, require_document=require_document)
        return self._replace(issuers=[*self._without(self._issuers, party.did), party])

    def without_anchor(self, did: str) -> TrustStore:
        """The store with anchor ``did`` unpinned: its trust list applies no more.

        The list stays held, so its version remains the anchor's rollback mark if the
        anchor is pinned again.
        """
        return self._replace(anchors=self._without(self._anchors, did))

    def without_issuer(self, did: str) -> TrustStore:
        """The store with issuer ``did`` no longer pinned directly."""
        return self._replace(issuers=self._without(self._issuers, did))

    @staticmethod
    def _without(parties: Mapping[str, PinnedParty], did: str) -> list[PinnedParty]:
        return [p for d, p in parties.items() if d != did]

    def with_trust_list(
        self, credential: Mapping[str, JSONValue], *, suites: Mapping[str, Cryptosuite] = SUITES
    ) -> TrustStore:
        """Verify a trust list against the pinned anchors and hold it (one per anchor).

        Refused with :class:`~innopass.errors.TrustImportError`: ``trust-list-invalid``
        (bad shape or signature, not a pinned anchor) or ``trust-list-rollback`` (not
        newer than the list held from the same anchor). Offering the identical held
        list again is a no-op; an expired list is accepted (it is newer information;
        passports relying on it are then indeterminate).
        """
        accepted = verify_trust_list(credential, anchors=self._anchors, suites=suites)
        return self.holding_trust_list(accepted)

    def holding_trust_list(self, accepted: AcceptedTrustList) -> TrustStore:
        """Hold ``accepted`` (already verified) unless it would roll its anchor back."""
        held = self._trust_lists.get(accepted.anchor)
        if accepted.same_as(held):
            return self
        problem = rollback_problem(accepted, held)
        if problem is not None:
            raise TrustImportError(
                FailureCode.TRUST_LIST_ROLLBACK, problem, path="/credentialSubject/trustListVersion"
            )
        kept = [tl for a, tl in self._trust_lists.items() if a != accepted.anchor]
        return self._replace(trust_lists=[*kept, accepted])

    def with_status_list(
        self,
        credential: Mapping[str, JSONValue],
        *,
        now: datetime,
        suites: Mapping[str, Cryptosuite] = SUITES,
        max_bytes: int = DEFAULT_MAX_LIST_BYTES,
    ) -> TrustStore:
        """Verify a status list against its trusted issuer and hold it, fetched at ``now``.

        Refused with :class:`~innopass.errors.TrustImportError`: ``issuer-untrusted``,
        ``status-list-invalid`` (bad list or signature, an id outside the issuer's
        ``statusListBase``, a revocation list that would clear a revocation bit of
        the list held: revocation is final, or the issuer's quota of held lists
        reached), ``status-unavailable`` (cannot be checked offline) or
        ``status-stale`` (older than the list held).
        """
        list_issuer = issuer_id(credential)
        if list_issuer is None:
            raise TrustImportError(
                FailureCode.STATUS_LIST_INVALID, "status list has no issuer", path="/issuer"
            )
        view = self.view()
        trust = view.issuer_trust(list_issuer)
        if trust is None:
            raise TrustImportError(
                FailureCode.ISSUER_UNTRUSTED,
                f"status list issuer {list_issuer[:120]} is not trusted",
                path="/issuer",
            )
        try:
            verified = verify_status_list(
                credential,
                issuer=list_issuer,
                resolver=view.resolver,
                trust=trust,
                suites=suites,
                max_bytes=max_bytes,
            )
        except CheckFailed as exc:
            raise TrustImportError(exc.failure, exc.message, path=exc.path) from exc
        entry = HeldStatusList(
            id=verified.id, fetched_at=now, credential=copy.deepcopy(dict(credential))
        )
        held = self._status_lists.get(entry.key)
        if held is not None:
            if older_than_held(held, verified.valid_from):
                raise TrustImportError(
                    FailureCode.STATUS_STALE,
                    f"older than the status list held for {verified.id[:120]}",
                    path="/validFrom",
                )
            problem = clears_revocation(held, verified.list)
            if problem is not None:
                raise TrustImportError(
                    FailureCode.STATUS_LIST_INVALID, problem, path="/credentialSubject/encodedList"
                )
        elif (
            sum(1 for k in self._status_lists if k[0] == list_issuer) >= MAX_STATUS_LISTS_PER_ISSUER
        ):
            raise TrustImportError(
                FailureCode.STATUS_LIST_INVALID,
                f"{list_issuer[:120]} already has {MAX_STATUS_LISTS_PER_ISSUER} status lists held",
            )
        return self._holding_status_list(entry)

    def _holding_status_list(self, entry: HeldStatusList) -> TrustStore:
        kept = [s for k, s in self._status_lists.items() if k != entry.key]
        return self._replace(status_lists=[*kept, entry])

    def with_bundle(
        self,
        bundle: Bundle,
        *,
        now: datetime,
        suites: Mapping[str, Cryptosuite] = SUITES,
        max_bytes: int = DEFAULT_MAX_LIST_BYTES,
    ) -> TrustStore:
        """Take a bundle's trust list (when newer than its anchor's) and its status lists.

        The bundle's organisation description is not used at all: it is unsigned, so
        it neither makes the issuer trusted nor supplies the keys its lists are
        checked with. Any refused part raises :class:`~innopass.errors.TrustImportError`
        and nothing of the bundle is taken.
        """
        store = self
        if bundle.trust_list is not None:
            accepted = verify_trust_list(bundle.trust_list, anchors=self._anchors, suites=suites)
            if rollback_problem(accepted, self._trust_lists.get(accepted.anchor)) is None:
                store = store.holding_trust_list(accepted)
        for credential in bundle.status_lists:
            store = store.with_status_list(credential, now=now, suites=suites, max_bytes=max_bytes)
        return store

    def with_fetched(
        self,
        status_lists: Iterable[HeldStatusList] = (),
        did_documents: Iterable[HeldDidDocument] = (),
        *,
        max_bytes: int = DEFAULT_MAX_LIST_BYTES,
    ) -> TrustStore:
        """Hold what an online run fetched (already verified, from trusted issuers only).

        A status list that would replace a newer one, or clear a revocation bit of
        the list held, is not held; nor one of an issuer the store does not trust,
        nor a new one of an issuer that already has its quota of lists held.
        """
        view = self.view()
        lists = dict(self._status_lists)
        for entry in status_lists:
            if view.issuer_trust(entry.issuer) is None:
                continue
            held = lists.get(entry.key)
            if held is None:
                if sum(1 for k in lists if k[0] == entry.issuer) < MAX_STATUS_LISTS_PER_ISSUER:
                    lists[entry.key] = entry
            elif may_replace(held, entry, max_bytes=max_bytes):
                lists[entry.key] = entry
        documents = dict(self._did_documents)
        for doc in did_documents:
            if doc.did in self._issuers:
                documents[doc.did] = doc
        return self._replace(status_lists=lists.values(), did_documents=documents.values())

    def __repr__(self) -> str:
        return (
            f"TrustStore(anchors={len(self._anchors)}, issuers={len(self._issuers)}, "
            f"trust_lists={len(self._trust_lists)}, status_lists={len(self._status_lists)})"
        )


@dataclass(frozen=True, slots=True)
class TrustView:
    """The trust in force for one verification (see :meth:`TrustStore.view`)."""

    store: TrustStore
    trust_lists: tuple[AcceptedTrustList, ...]
    """The trust lists in force, at most one per pinned anchor, none rolled back."""
    resolver: Resolver
    _issuers: dict[str, IssuerTrust | None] = field(default_factory=dict, repr=False)

    def issuer_trust(self, did: str) -> IssuerTrust | None:
        """Every trust source's terms for ``did`` combined; ``None`` when nothing trusts it."""
        if did in self._issuers:
            return self._issuers[did]
        sources: list[SourceTerms] = []
        party = self.store.issuers.get(did)
        if party is not None:
            org = party.organisation
            sources.append(
                SourceTerms(
                    kind=TrustSource.PINNED,
                    ods_code=None if org is None else org.ods_code,
                    name=None if org is None else org.name,
                    document=party.document(),
                    keys=None if org is None else org.keys,
                    status_list_base=None if org is None else org.status_list_base,
                )
            )
        for accepted in self.trust_lists:
            entry = accepted.content.issuer(did)
            if entry is None:
                continue
            sources.append(
                SourceTerms(
                    kind=TrustSource.TRUST_LIST,
                    ods_code=entry.ods_code,
                    name=entry.name,
                    document=entry.did_document,
                    keys=entry.keys,
                    scopes=entry.scopes,
                    status_list_base=entry.status_list_base,
                    withdrawn=entry.status == "withdrawn",
                    withdrawn_at=entry.withdrawn_at,
                    successor=entry.successor,
                    trust_list=accepted,
                )
            )
        trust = IssuerTrust(did=did, sources=tuple(sources)) if sources else None
        self._issuers[did] = trust
        return trust

    def listed(self, ods_code: str, *, successor: str | None = None) -> TrustedIssuer | None:
        """The entry for ``ods_code`` in the trust lists in force: a withdrawn one first.

        Of several withdrawn entries (anchors may disagree), one naming ``successor``
        first, then in :func:`~innopass.verifier._parties.withdrawal_order` (never merely the
        first list's).
        """
        entries = [
            entry
            for accepted in self.trust_lists
            for entry in accepted.content.issuers
            if entry.ods_code == ods_code
        ]
        withdrawn = sorted(
            (e for e in entries if e.status == "withdrawn"),
            key=lambda e: withdrawal_order(e.withdrawn_at, e.successor),
        )
        named = [e for e in withdrawn if successor is not None and e.successor == successor]
        return next(iter(named or withdrawn or entries), None)

    def successions(self, predecessor: str, successor: str | None) -> tuple[TrustedIssuer, ...]:
        """Every entry of the trust lists in force that withdraws ``predecessor`` naming
        ``successor`` as its successor (each list counts: none hides another's)."""
        if successor is None:
            return ()
        return tuple(
            entry
            for accepted in self.trust_lists
            for entry in accepted.content.issuers
            if entry.ods_code == predecessor
            and entry.status == "withdrawn"
            and entry.successor == successor
        )

    def succeeded_by(self, predecessor: str, successor: str | None) -> bool:
        """Whether a trust list in force names ``successor`` as the successor of the withdrawn
        ``predecessor``: the successor may then reissue the predecessor's assessments, signed
        once the merger took effect (the verifier's issuer check compares the times)."""
        return bool(self.successions(predecessor, successor))


class _NotHeld:
    """The last resolver of the chain: says what would have made the DID resolvable."""

    __slots__ = ()

    def resolve(self, did: str) -> DidDocument:
        raise ResolutionError(
            did,
            f"no trusted DID document for {did[:120]} is held offline: pin its organisation "
            "description or import a trust list naming it (a bundle's issuer description is "
            "not trusted key material)",
        )


class _PinnedOnly:
    """Online resolution, only for did:web issuers the verifier pinned by DID alone."""

    __slots__ = ("_allowed", "_online")

    def __init__(self, online: Resolver, allowed: frozenset[str]) -> None:
        self._online = online
        self._allowed = allowed

    def resolve(self, did: str) -> DidDocument:
        if did not in self._allowed:
            raise ResolutionError(did, f"{did[:120]} is not pinned, so it is not fetched")
        return self._online.resolve(did)


def _resolver(
    store: TrustStore, lists: tuple[AcceptedTrustList, ...], online: Resolver | None
) -> Resolver:
    """did:key/did:jwk by computation only; other DIDs from trusted sources, in order:
    pinned descriptions (issuers, then anchors), the trust lists in force, did:web
    documents fetched by earlier online runs, then, online only and only for a did:web
    issuer pinned by DID alone, the web."""
    pinned: dict[str, DidDocument] = {}
    for parties in (store.issuers, store.anchors):
        for did, party in parties.items():
            if party.organisation is not None:
                pinned.setdefault(did, party.organisation.did_document)
    listed: dict[str, DidDocument] = {}
    for accepted in lists:
        for entry in accepted.content.issuers:
            listed.setdefault(entry.did, entry.did_document)
    fetched = {did: held.document for did, held in store.did_documents.items()}
    chain: list[Resolver] = [
        StaticResolver(pinned),
        StaticResolver(listed),
        StaticResolver(fetched),
    ]
    if online is not None:
        bare = frozenset(d for d, p in store.issuers.items() if p.organisation is None)
        chain.append(_PinnedOnly(online, bare - pinned.keys() - listed.keys()))
    chain.append(_NotHeld())
    return CompositeResolver(
        {**dict.fromkeys(COMPUTED_METHODS, _COMPUTED), "web": FirstResolver(chain)}
    )
