"""The verifier's trust store: pinned anchors and issuers, the accepted trust list, caches.

A :class:`TrustStore` is what a verifier trusts (PRODUCT.md §4):

- anchors and issuers pinned deliberately, by DID (``did:key``/``did:jwk``, whose
  document is computed) or by an organisation description (FORMATS.md §4), whose
  ``keys`` give each key's validity window;
- per pinned anchor, the newest trust list it accepted from that anchor: its
  version is the anchor's high-water mark, and no list of that anchor with a lower
  version is ever used again (:meth:`TrustStore.import_trust_list` refuses the
  rollback, and run-only lists are ignored by :meth:`TrustStore.trust_lists_in_force`);
  an issuer named by several anchors' lists gets the most restrictive reading;
- status-list credentials, held per (issuer DID, list id), and (with ``--online``
  only) did:web documents, each cached with the time it was fetched. A held
  revocation is final: no list replacing it may clear a set bit.

A bundle's issuer description is unsigned: it never makes an issuer trusted and
never supplies the keys a passport or a status list is checked with
(:class:`TrustResolver`).

It also carries *run-only* candidates (:meth:`add_trust_list`,
:meth:`add_status_list`): trust and status lists given for one verification run,
checked by the verifier at verification time and never persisted.

On disk it is the verifier home of FORMATS.md §7 (``anchors/``, ``issuers/``,
``trust-lists/<sha256(anchor DID)>.json``, ``status/<sha256(issuer DID + " " + list
id)>.json``, ``did-cache/``; a ``trust-list.json`` of older homes is still read);
every file is written atomically. The home is trusted local state: a trust list held there was
verified when it was imported and is not re-verified on load.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum, StrEnum
from pathlib import Path
from typing import Final, TypeVar

from innopass._internal.canonical import canonicalize
from innopass._internal.credential import issuer_id
from innopass._internal.files import atomic_write
from innopass._internal.jsonio import JSONObject, JSONValue, dumps_pretty, load_file_strict
from innopass._internal.net import Fetcher
from innopass._internal.suites import SUITES, Cryptosuite
from innopass._internal.timestamps import format_datetime, parse_datetime
from innopass.did import (
    COMPUTED_METHODS,
    DidDocument,
    DidWebResolver,
    computed_document,
    did_method,
)
from innopass.errors import (
    ConfigurationError,
    InnopassError,
    MalformedInputError,
    ResolutionError,
    StatusListError,
    TrustError,
)
from innopass.status import (
    DEFAULT_MAX_LIST_BYTES,
    StatusList,
    StatusPurpose,
    parse_status_list_credential,
)
from innopass.trust import (
    TRUST_LIST_TYPE,
    AccreditedScope,
    Bundle,
    KeyWindow,
    OrganisationDescription,
    TrustListContent,
    find_key_window,
)
from innopass.verifier._cache import VerifiedCache, content_key
from innopass.verifier._signed import (
    CheckFailed,
    SignedBy,
    check_key_window,
    verify_data_integrity,
)
from innopass.verifier.result import FailureCode
from innopass.verifier.status import CachedStatusList, VerifiedStatusList, verify_status_list

__all__ = [
    "HELD",
    "AcceptedTrustList",
    "BundleImport",
    "CachedDidDocument",
    "CachedStatusList",
    "CheckedTrustList",
    "Held",
    "IssuerTrust",
    "PinnedParty",
    "TrustImportError",
    "TrustListsGiven",
    "TrustResolver",
    "TrustSource",
    "TrustStore",
    "rollback_problem",
    "trust_list_cache",
    "verify_trust_list",
]

VERIFIER_DIR: Final = "verifier"
_T = TypeVar("_T")


class TrustImportError(TrustError):
    """An import into the trust store was refused; ``code`` says why."""

    def __init__(self, code: FailureCode, message: str, *, path: str = "") -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.path = path

    def diagnostics(self) -> str:
        return f"refused ({self.code}): {self.message}" + (
            f" (at {self.path})" if self.path else ""
        )


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _computed_document(did: str) -> DidDocument | None:
    """The document of a ``did:key``/``did:jwk`` (computed), ``None`` for other methods."""
    return computed_document(did)


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

        Raises :class:`TrustError` for a DID that cannot be pinned this way.
        """
        if isinstance(source, OrganisationDescription):
            return cls(did=source.did, organisation=source)
        try:
            document = _computed_document(source)
        except (ResolutionError, InnopassError) as exc:
            raise TrustError(f"cannot pin {source[:80]!r}: {exc}") from exc
        if document is None and require_document:
            raise TrustError(
                f"{source} is not a did:key or did:jwk, so its keys cannot be computed: pin its "
                "exported organisation description (innopass org export) instead"
            )
        return cls(did=source)

    def document(self) -> DidDocument | None:
        """The DID document, if there is one.

        Computed for a ``did:key``/``did:jwk`` (whatever a description says), else
        the pinned description's.
        """
        try:
            computed = _computed_document(self.did)
        except ResolutionError:
            return None
        if computed is not None:
            return computed
        return None if self.organisation is None else self.organisation.did_document

    def key_window(self, vm_id: str) -> KeyWindow | None:
        """The key's window: from the description, unbounded for a party pinned by DID alone."""
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


@dataclass(frozen=True, slots=True)
class AcceptedTrustList:
    """A trust list whose anchor signature was verified."""

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


class TrustSource(StrEnum):
    """Why an issuer is trusted."""

    PINNED = "pinned"
    TRUST_LIST = "trust-list"


@dataclass(frozen=True, slots=True)
class IssuerTrust:
    """What the trust store says about one issuer."""

    did: str
    source: TrustSource
    ods_code: str | None
    name: str | None
    party: PinnedParty | None = None
    trust_list: AcceptedTrustList | None = None
    scopes: tuple[AccreditedScope, ...] | None = None
    status: str = "active"
    withdrawn_at: datetime | None = None
    keys: tuple[KeyWindow, ...] = ()
    listed_keys: tuple[tuple[KeyWindow, ...], ...] = ()
    """The key windows of every accepted trust list naming the issuer (all must allow a key)."""
    status_list_bases: tuple[str, ...] = ()
    """Where the trust sources say the issuer's status lists live (each list must be under all)."""

    def key_window(self, vm_id: str) -> KeyWindow | None:
        """The window all trust sources give the key (intersected); ``None`` if one gives none.

        A key compromised in any source is compromised; a key one source does not
        list is not usable.
        """
        windows: list[KeyWindow | None] = []
        if self.party is not None:
            windows.append(self.party.key_window(vm_id))
        elif not self.listed_keys:
            windows.append(find_key_window(self.keys, vm_id))
        windows += [find_key_window(keys, vm_id) for keys in self.listed_keys]
        return _intersect_windows(vm_id, windows)


def _intersect_windows(vm_id: str, windows: Sequence[KeyWindow | None]) -> KeyWindow | None:
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


def _intersect_scopes(
    first: tuple[AccreditedScope, ...], second: tuple[AccreditedScope, ...]
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


@dataclass(frozen=True, slots=True)
class CachedDidDocument:
    """A did:web document fetched with ``--online``, with when it was fetched."""

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
    def from_json(cls, obj: JSONValue, *, path: str = "") -> CachedDidDocument:
        if not isinstance(obj, dict) or not isinstance(obj.get("did"), str):
            raise MalformedInputError("cached DID document needs a did", path=path)
        did = str(obj["did"])
        try:
            document = DidDocument.from_json(obj.get("document"), expected_id=did)
        except ResolutionError as exc:
            raise MalformedInputError(f"cached DID document unusable: {exc}", path=path) from exc
        return cls(
            did=did,
            fetched_at=parse_datetime(obj.get("fetchedAt"), path=f"{path}/fetchedAt"),
            document=document,
        )


@dataclass(frozen=True, slots=True)
class BundleImport:
    """What :meth:`TrustStore.import_bundle` took from a bundle."""

    status_lists: tuple[CachedStatusList, ...]
    trust_list: AcceptedTrustList | None


@dataclass(frozen=True, slots=True)
class CheckedTrustList:
    """What checking a trust list's structure and signature established (no time, no rollback)."""

    content: TrustListContent
    signed: SignedBy
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
) -> AcceptedTrustList:
    """Check a trust list's shape and its signature by a pinned anchor.

    Raises :class:`TrustImportError` with ``trust-list-invalid``. Expiry and
    rollback are the caller's business (they depend on time and on what is held).
    With a ``cache``, a list with the same id and canonical bytes as one checked
    before is not parsed or signature-checked again; the anchor must still be
    pinned with the same key, and the key's window is checked every time.
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
            f"trust list is signed by {anchor_did}, which is not a pinned anchor", "/issuer"
        )
    document = anchor.document()
    if document is None:
        raise invalid(
            f"no DID document for the anchor {anchor_did}: pin its description", "/issuer"
        )
    key = None if cache is None else content_key(credential)
    hit = None if cache is None else cache.get(key)
    try:
        signed = verify_data_integrity(
            credential,
            issuer=anchor_did,
            resolver=_FixedResolver(document),
            suites=suites,
            known=None if hit is None else hit.signed,
        )
        created = signed.proof.created
        if created is None:
            raise CheckFailed(FailureCode.MALFORMED, "proof has no created time", "/proof/created")
        check_key_window(
            anchor.key_window(signed.method.id),
            vm_id=signed.method.id,
            created=created,
            path="/proof",
        )
        if hit is not None:
            content, held = hit.content, hit.credential
        else:
            content = TrustListContent.from_credential(credential)
            held = copy.deepcopy(dict(credential))
            if cache is not None:
                cache.put(key, CheckedTrustList(content=content, signed=signed, credential=held))
        valid_from = _optional_time(credential, "validFrom")
        valid_until = _optional_time(credential, "validUntil")
    except CheckFailed as exc:
        raise invalid(f"{exc.code}: {exc.message}", exc.path) from exc
    except MalformedInputError as exc:
        raise invalid(exc.message, exc.path) from exc
    return AcceptedTrustList(
        credential=held,
        anchor=anchor_did,
        content=content,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def _optional_time(credential: Mapping[str, JSONValue], name: str) -> datetime | None:
    value = credential.get(name)
    return None if value is None else parse_datetime(value, path=f"/{name}")


class _FixedResolver:
    """Serves exactly one document (the anchor's)."""

    __slots__ = ("_document",)

    def __init__(self, document: DidDocument) -> None:
        self._document = document

    def resolve(self, did: str) -> DidDocument:
        if did != self._document.id:
            raise ResolutionError(did, "not the anchor's DID")
        return self._document


class Held(Enum):
    """The default of ``trust_list`` arguments: the lists the store holds, one per anchor."""

    HELD = "held"


HELD: Final = Held.HELD

#: The trust lists for one check (see :meth:`TrustStore.trust_lists_in_force`).
TrustListsGiven = AcceptedTrustList | Iterable[AcceptedTrustList] | Held | None


class TrustStore:
    """Pinned anchors and issuers, the accepted trust lists, and cached status lists.

    Build empty and pin, or load a verifier home with :meth:`load`. Mutating
    methods change only this object; :meth:`save` writes it to a home.

    One accepted trust list is held *per anchor*; its version is that anchor's
    high-water mark: no list of that anchor with a lower version is ever used
    again, whether imported or given for a run. Status lists are held per
    (issuer DID, list id), so one trusted issuer cannot replace another's.
    """

    def __init__(self) -> None:
        self._anchors: dict[str, PinnedParty] = {}
        self._issuers: dict[str, PinnedParty] = {}
        self._trust_lists: dict[str, AcceptedTrustList] = {}
        self._last_anchor: str | None = None
        self._status_lists: dict[tuple[str, str], CachedStatusList] = {}
        self._did_documents: dict[str, CachedDidDocument] = {}
        self._candidate_trust_lists: list[JSONObject] = []
        self._candidate_status_lists: list[JSONObject] = []
        self._fetched: list[CachedStatusList | CachedDidDocument] = []

    # --- reading -------------------------------------------------------------------

    @property
    def anchors(self) -> Mapping[str, PinnedParty]:
        return dict(self._anchors)

    @property
    def issuers(self) -> Mapping[str, PinnedParty]:
        return dict(self._issuers)

    @property
    def trust_lists(self) -> Mapping[str, AcceptedTrustList]:
        """The accepted trust list of each anchor (its version is the anchor's high-water mark)."""
        return dict(self._trust_lists)

    @property
    def trust_list(self) -> AcceptedTrustList | None:
        """The most recently accepted trust list (one of :attr:`trust_lists`), or ``None``.

        Kept for callers that know one anchor; with several anchors use
        :attr:`trust_lists` and :meth:`trust_lists_in_force`.
        """
        if self._last_anchor is not None and self._last_anchor in self._trust_lists:
            return self._trust_lists[self._last_anchor]
        return next(iter(self._trust_lists.values()), None)

    @property
    def status_lists(self) -> Mapping[tuple[str, str], CachedStatusList]:
        """Cached status lists by (issuer DID, list id)."""
        return dict(self._status_lists)

    @property
    def did_documents(self) -> Mapping[str, CachedDidDocument]:
        """did:web documents cached by online runs, by DID."""
        return dict(self._did_documents)

    @property
    def candidate_trust_lists(self) -> tuple[JSONObject, ...]:
        """Trust lists given for this run only, checked at verification time."""
        return tuple(self._candidate_trust_lists)

    @property
    def candidate_status_lists(self) -> tuple[JSONObject, ...]:
        """Status lists given for this run only, checked at verification time."""
        return tuple(self._candidate_status_lists)

    @property
    def fetched(self) -> tuple[CachedStatusList | CachedDidDocument, ...]:
        """What was fetched online since this store was built or loaded (:meth:`save_fetched`)."""
        return tuple(self._fetched)

    def is_empty(self) -> bool:
        """True when nothing here could make any issuer trusted."""
        return not (
            self._anchors or self._issuers or self._trust_lists or self._candidate_trust_lists
        )

    def rollback_problem(self, new: AcceptedTrustList) -> str | None:
        """Why ``new`` may not be used (not newer than its anchor's held list), or ``None``.

        Re-offering exactly the held list is not a problem.
        """
        held = self._trust_lists.get(new.anchor)
        if _same(new, held):
            return None
        return rollback_problem(new, held)

    def trust_lists_in_force(self, given: TrustListsGiven = HELD) -> tuple[AcceptedTrustList, ...]:
        """The trust lists in force, at most one per pinned anchor (the newest).

        ``HELD`` (the default): the lists held. ``None``: none. One list: the held
        lists of the other anchors and that list (the verifier's single "list in
        force"). Several lists: exactly those (the caller has dropped any that are
        not in force, e.g. not yet valid), newest per anchor.
        Whatever is given, a list older than (or as old as, but different from) its
        anchor's held list is a rollback and is never used: the held list is used
        instead. Lists from anchors no longer pinned are ignored.
        """
        held = {a: tl for a, tl in self._trust_lists.items() if a in self._anchors}
        if isinstance(given, Held):
            return tuple(held[a] for a in sorted(held))
        if given is None:
            return ()
        single = isinstance(given, AcceptedTrustList)
        chosen = dict(held) if single else {}
        for accepted in (given,) if isinstance(given, AcceptedTrustList) else tuple(given):
            if accepted.anchor not in self._anchors:
                continue
            if self.rollback_problem(accepted) is not None:
                accepted = held[accepted.anchor]
            current = chosen.get(accepted.anchor)
            if current is None or accepted.version > current.version:
                chosen[accepted.anchor] = accepted
        return tuple(chosen[a] for a in sorted(chosen))

    def issuer_trust(self, did: str, trust_list: TrustListsGiven = HELD) -> IssuerTrust | None:
        """Why ``did`` is trusted, or ``None``.

        Trusted when pinned, or named in a trust list in force
        (:meth:`trust_lists_in_force` of ``trust_list``). Every source applies, the most
        restrictive winning: withdrawn in any list is withdrawn (even when pinned), a
        key must be allowed by every source's window and compromised in none; for an
        issuer not pinned, the scopes are those every naming list grants.
        """
        lists = self.trust_lists_in_force(trust_list)
        named = [(tl, entry) for tl in lists if (entry := tl.content.issuer(did)) is not None]
        party = self._issuers.get(did)
        if party is None and not named:
            return None
        withdrawn = [entry for _, entry in named if entry.status == "withdrawn"]
        withdrawn_at: datetime | None = None
        if withdrawn:
            times = [e.withdrawn_at for e in withdrawn]
            withdrawn_at = None if None in times else min(t for t in times if t is not None)
        bases = tuple(e.status_list_base for _, e in named if e.status_list_base)
        listed_keys = tuple(entry.keys for _, entry in named)
        expiring = [tl for tl, _ in named]
        earliest = (
            min(expiring, key=lambda tl: (tl.valid_until is None, tl.valid_until or _MAX))
            if expiring
            else None
        )
        if party is not None:
            org = party.organisation
            return IssuerTrust(
                did=did,
                source=TrustSource.PINNED,
                ods_code=None if org is None else org.ods_code,
                name=None if org is None else org.name,
                party=party,
                trust_list=earliest,
                status="withdrawn" if withdrawn else "active",
                withdrawn_at=withdrawn_at,
                listed_keys=listed_keys,
                status_list_bases=((org.status_list_base,) if org is not None else ()) + bases,
            )
        first = named[0][1]
        scopes = first.scopes
        for _, entry in named[1:]:
            scopes = _intersect_scopes(scopes, entry.scopes)
        return IssuerTrust(
            did=did,
            source=TrustSource.TRUST_LIST,
            ods_code=first.ods_code,
            name=first.name,
            trust_list=earliest,
            scopes=scopes,
            status="withdrawn" if withdrawn else "active",
            withdrawn_at=withdrawn_at,
            keys=first.keys,
            listed_keys=listed_keys,
            status_list_bases=bases,
        )

    def resolver(
        self,
        *,
        trust_list: TrustListsGiven = HELD,
        fetcher: Fetcher | None = None,
        now: datetime | None = None,
    ) -> TrustResolver:
        """A DID resolver over this store (see :class:`TrustResolver`)."""
        return TrustResolver(self, trust_list=trust_list, fetcher=fetcher, now=now)

    # --- changing ------------------------------------------------------------------

    def copy(self) -> TrustStore:
        """An independent copy (for additions that apply to one run only)."""
        other = TrustStore()
        other._anchors = dict(self._anchors)
        other._issuers = dict(self._issuers)
        other._trust_lists = dict(self._trust_lists)
        other._last_anchor = self._last_anchor
        other._status_lists = dict(self._status_lists)
        other._did_documents = dict(self._did_documents)
        other._candidate_trust_lists = list(self._candidate_trust_lists)
        other._candidate_status_lists = list(self._candidate_status_lists)
        return other

    def pin_anchor(self, source: str | OrganisationDescription) -> PinnedParty:
        """Pin a trust anchor by ``did:key``/``did:jwk`` or by its organisation description."""
        party = PinnedParty.from_source(source)
        self._anchors[party.did] = party
        return party

    def pin_issuer(
        self, source: str | OrganisationDescription, *, require_document: bool = True
    ) -> PinnedParty:
        """Trust an issuer directly.

        A ``did:web`` pinned by DID alone (``require_document=False``) still needs its
        DID document from a trusted source: a trust list in force, or (online) the
        web. A bundle's description never supplies it.
        """
        party = PinnedParty.from_source(source, require_document=require_document)
        self._issuers[party.did] = party
        return party

    def add_trust_list(self, credential: JSONObject) -> None:
        """Offer a trust list for this run only; it is checked when a passport is verified."""
        self._candidate_trust_lists.append(credential)

    def add_status_list(self, credential: JSONObject) -> None:
        """Offer a status list for this run only; it is checked when a passport is verified."""
        self._candidate_status_lists.append(credential)

    def import_trust_list(
        self, credential: JSONObject, *, suites: Mapping[str, Cryptosuite] = SUITES
    ) -> AcceptedTrustList:
        """Verify a trust list against the pinned anchors and hold it (one per anchor).

        Refused with :class:`TrustImportError`: ``trust-list-invalid`` (bad shape or
        signature, not a pinned anchor) or ``trust-list-rollback`` (not newer than the
        list held from the same anchor, whatever other anchors' lists were imported
        since; re-importing the identical list is a no-op).
        An expired list is accepted (it is newer information); passports relying on
        it are then indeterminate.
        """
        accepted = verify_trust_list(credential, anchors=self._anchors, suites=suites)
        held = self._trust_lists.get(accepted.anchor)
        if _same(accepted, held):
            assert held is not None
            return held
        problem = rollback_problem(accepted, held)
        if problem is not None:
            raise TrustImportError(
                FailureCode.TRUST_LIST_ROLLBACK, problem, path="/credentialSubject/trustListVersion"
            )
        self._hold_trust_list(accepted)
        return accepted

    def _hold_trust_list(self, accepted: AcceptedTrustList) -> None:
        self._trust_lists[accepted.anchor] = accepted
        self._last_anchor = accepted.anchor

    def import_status_list(
        self,
        credential: JSONObject,
        *,
        now: datetime,
        suites: Mapping[str, Cryptosuite] = SUITES,
    ) -> CachedStatusList:
        """Verify a status list against its trusted issuer; cache it with ``fetchedAt`` = ``now``.

        Refused with :class:`TrustImportError`: ``status-list-invalid`` (bad list or
        signature, an id outside the issuer's ``statusListBase``, or a revocation list
        that would clear a revocation bit set in the list held: revocation is final),
        ``issuer-untrusted``, or ``status-stale`` when it is older than the list held.
        """
        verified = self._verify_status_list(credential, suites=suites)
        key = (verified.list.issuer, verified.id)
        held = self._status_lists.get(key)
        if held is not None:
            held_from = _optional_time(held.credential, "validFrom")
            if (
                held_from is not None
                and verified.valid_from is not None
                and verified.valid_from < held_from
            ):
                raise TrustImportError(
                    FailureCode.STATUS_STALE,
                    f"older than the status list held for {verified.id}",
                    path="/validFrom",
                )
            problem = _clears_revocation(held, verified.list)
            if problem is not None:
                raise TrustImportError(
                    FailureCode.STATUS_LIST_INVALID, problem, path="/credentialSubject/encodedList"
                )
        entry = CachedStatusList(
            id=verified.id, fetched_at=now, credential=copy.deepcopy(credential)
        )
        self._status_lists[key] = entry
        return entry

    def import_bundle(
        self, bundle: Bundle, *, now: datetime, suites: Mapping[str, Cryptosuite] = SUITES
    ) -> BundleImport:
        """Import a bundle's trust list (if newer than its anchor's) and its status lists.

        The bundle's organisation description is not used at all: it is unsigned, so
        it neither makes the issuer trusted nor supplies the keys its lists are
        checked with.
        """
        trust_list = None
        if bundle.trust_list is not None:
            accepted = verify_trust_list(bundle.trust_list, anchors=self._anchors, suites=suites)
            held = self._trust_lists.get(accepted.anchor)
            if rollback_problem(accepted, held) is None:
                self._hold_trust_list(accepted)
                trust_list = accepted
        lists = tuple(
            self.import_status_list(c, now=now, suites=suites) for c in bundle.status_lists
        )
        return BundleImport(status_lists=lists, trust_list=trust_list)

    def _verify_status_list(
        self, credential: JSONObject, *, suites: Mapping[str, Cryptosuite]
    ) -> VerifiedStatusList:
        list_issuer = issuer_id(credential)
        if list_issuer is None:
            raise TrustImportError(
                FailureCode.STATUS_LIST_INVALID, "status list has no issuer", path="/issuer"
            )
        trust = self.issuer_trust(list_issuer)
        if trust is None:
            raise TrustImportError(
                FailureCode.ISSUER_UNTRUSTED,
                f"status list issuer {list_issuer} is not trusted",
                path="/issuer",
            )
        try:
            return verify_status_list(
                credential,
                issuer=list_issuer,
                resolver=self.resolver(),
                trust=trust,
                suites=suites,
            )
        except CheckFailed as exc:
            raise TrustImportError(exc.code, exc.message, path=exc.path) from exc

    def cache_status_list(self, entry: CachedStatusList) -> None:
        """Hold a status list fetched online (already verified by the caller).

        Not held when it would replace a newer list, or clear a revocation bit of the
        list held, for the same issuer and id.
        """
        key = (entry.issuer, entry.id)
        held = self._status_lists.get(key)
        if held is not None and not _may_replace(held, entry):
            return
        self._status_lists[key] = entry
        self._fetched.append(entry)

    def cache_did_document(self, entry: CachedDidDocument) -> None:
        """Hold a did:web document fetched online."""
        self._did_documents[entry.did] = entry
        self._fetched.append(entry)

    # --- the verifier home (FORMATS.md §7) ----------------------------------------

    @classmethod
    def load(cls, home: str | Path) -> TrustStore:
        """Load ``<home>/verifier/``; a missing directory is an empty store.

        Trust lists are read from ``trust-lists/`` (one per anchor) and from the
        single ``trust-list.json`` of older homes; per anchor the highest version wins.
        Raises :class:`ConfigurationError` naming the file when the home is corrupt.
        """
        base = Path(home) / VERIFIER_DIR
        store = cls()
        for party in _read_dir(base / "anchors", PinnedParty.from_json):
            store._anchors[party.did] = party
        for party in _read_dir(base / "issuers", PinnedParty.from_json):
            store._issuers[party.did] = party
        held: list[AcceptedTrustList] = []
        legacy = base / LEGACY_TRUST_LIST
        if legacy.exists():
            held.append(_load(legacy, _held_trust_list))
        held += _read_dir(base / TRUST_LISTS_DIR, _held_trust_list)
        for accepted in held:
            current = store._trust_lists.get(accepted.anchor)
            if current is None or accepted.version > current.version:
                store._hold_trust_list(accepted)
        for entry in _read_dir(base / "status", CachedStatusList.from_json):
            key = (entry.issuer, entry.id)
            current_list = store._status_lists.get(key)
            if current_list is None or _may_replace(current_list, entry):
                store._status_lists[key] = entry
        for cached in _read_dir(base / "did-cache", CachedDidDocument.from_json):
            store._did_documents[cached.did] = cached
        return store

    def save(self, home: str | Path) -> None:
        """Write the whole store to ``<home>/verifier/`` (run-only candidates are not saved)."""
        base = Path(home) / VERIFIER_DIR
        for party in self._anchors.values():
            _write(base / "anchors" / f"{_sha(party.did)}.json", party.to_json())
        for party in self._issuers.values():
            _write(base / "issuers" / f"{_sha(party.did)}.json", party.to_json())
        for anchor, accepted in self._trust_lists.items():
            _write(base / TRUST_LISTS_DIR / f"{_sha(anchor)}.json", accepted.credential)
        for entry in self._status_lists.values():
            _write(base / "status" / _status_file(entry), entry.to_json())
        for cached in self._did_documents.values():
            _write(base / "did-cache" / f"{_sha(cached.did)}.json", cached.to_json())

    def save_fetched(self, home: str | Path) -> None:
        """Write only what was fetched online (keeps run-only additions out of the home)."""
        base = Path(home) / VERIFIER_DIR
        for item in self._fetched:
            if isinstance(item, CachedStatusList):
                _write(base / "status" / _status_file(item), item.to_json())
            else:
                _write(base / "did-cache" / f"{_sha(item.did)}.json", item.to_json())


TRUST_LISTS_DIR: Final = "trust-lists"
LEGACY_TRUST_LIST: Final = "trust-list.json"
_MAX: Final = datetime.max.replace(tzinfo=UTC)


def _status_file(entry: CachedStatusList) -> str:
    """``status/<sha256(issuer DID + " " + list id)>.json``."""
    return f"{_sha(entry.issuer + ' ' + entry.id)}.json"


def _set_bits_cleared(held: bytes, new: bytes) -> int:
    """How many bits set in ``held`` are clear in ``new`` (a shorter ``new`` clears the rest)."""
    old = int.from_bytes(held, "big")
    padded = new[: len(held)] + bytes(max(0, len(held) - len(new)))
    return (old & ~int.from_bytes(padded, "big")).bit_count()


def _clears_revocation(held: CachedStatusList, new: StatusList) -> str | None:
    """Why ``new`` may not replace ``held``: it clears a revocation bit (revocation is final)."""
    try:
        old = parse_status_list_credential(held.credential, max_bytes=DEFAULT_MAX_LIST_BYTES)
    except (StatusListError, MalformedInputError):
        return None  # an unusable held list protects nothing: replace it
    if StatusPurpose.REVOCATION not in old.purposes:
        return None
    if StatusPurpose.REVOCATION not in new.purposes:
        if any(old.bits):
            return (
                f"the status list held for {new.id} records revocations; a list for "
                f"{', '.join(new.purposes)} may not replace it"
            )
        return None
    cleared = _set_bits_cleared(old.bits, new.bits)
    if cleared:
        return (
            f"the status list would clear {cleared} revocation bit(s) set in the list held "
            f"for {new.id}: revocation is final, so it is refused"
        )
    return None


def _may_replace(held: CachedStatusList, new: CachedStatusList) -> bool:
    """Whether ``new`` may replace ``held`` in the cache (not older, clears no revocation)."""
    held_from = _optional_time(held.credential, "validFrom")
    new_from = _optional_time(new.credential, "validFrom")
    if held_from is not None and new_from is not None and new_from < held_from:
        return False
    try:
        decoded = parse_status_list_credential(new.credential, max_bytes=DEFAULT_MAX_LIST_BYTES)
    except (StatusListError, MalformedInputError):
        return False
    return _clears_revocation(held, decoded) is None


def rollback_problem(new: AcceptedTrustList, held: AcceptedTrustList | None) -> str | None:
    """Why ``new`` may not replace ``held`` (same anchor, not a higher version), or ``None``."""
    if held is None or held.anchor != new.anchor or new.version > held.version:
        return None
    return f"trust list version {new.version} is not newer than the held version {held.version}"


def _same(new: AcceptedTrustList, held: AcceptedTrustList | None) -> bool:
    return held is not None and canonicalize(new.credential) == canonicalize(held.credential)


def _held_trust_list(credential: JSONValue) -> AcceptedTrustList:
    if not isinstance(credential, dict):
        raise MalformedInputError("trust list is not a JSON object")
    anchor = issuer_id(credential)
    if anchor is None:
        raise MalformedInputError("trust list has no issuer", path="/issuer")
    return AcceptedTrustList(
        credential=credential,
        anchor=anchor,
        content=TrustListContent.from_credential(credential),
        valid_from=_optional_time(credential, "validFrom"),
        valid_until=_optional_time(credential, "validUntil"),
    )


def _read_dir(directory: Path, parse: Callable[[JSONValue], _T]) -> Iterator[_T]:
    if directory.is_dir():
        for path in sorted(directory.glob("*.json")):
            yield _load(path, parse)


def _load(path: Path, parse: Callable[[JSONValue], _T]) -> _T:
    """Read and parse one home file; :class:`ConfigurationError` naming it if unusable."""
    try:
        return parse(load_file_strict(path))
    except (InnopassError, OSError) as exc:
        message = exc.diagnostics() if isinstance(exc, InnopassError) else str(exc)
        raise ConfigurationError(f"verifier home file {path} is unusable: {message}") from exc


def _write(path: Path, value: JSONValue) -> None:
    atomic_write(path, dumps_pretty(value).encode("utf-8"))


class TrustResolver:
    """Resolves DIDs from trusted sources only.

    A ``did:key``/``did:jwk`` is resolved only by computation: no document held or
    supplied (a pinned description, a trust list, a bundle) is ever used for it.
    Any other DID, from the first trusted source that has it: 1. pinned issuers' and
    anchors' descriptions, 2. the trust lists in force (per anchor, never one older
    than the list held), 3. did:web documents cached by earlier online runs, 4. with
    a fetcher only, did:web over HTTPS (cached in the store with the fetch time).
    Anything else is a :class:`ResolutionError` (``key-unresolvable``): the network
    is never used without a fetcher.

    A bundle's issuer description is unsigned and is never a source of keys.
    """

    __slots__ = ("_fetcher", "_lists", "_now", "_store")

    def __init__(
        self,
        store: TrustStore,
        *,
        trust_list: TrustListsGiven,
        fetcher: Fetcher | None,
        now: datetime | None,
    ) -> None:
        if fetcher is not None and now is None:
            raise ConfigurationError("a fetching resolver needs the current time")
        self._store = store
        self._lists = store.trust_lists_in_force(trust_list)
        self._fetcher = fetcher
        self._now = now

    def resolve(self, did: str) -> DidDocument:
        method = did_method(did)
        if method in COMPUTED_METHODS:  # the DID is the key: nobody else's copy counts
            document = _computed_document(did)
            assert document is not None
            return document
        trusted = self._trusted_document(did)
        if trusted is None:
            raise ResolutionError(
                did,
                f"no trusted DID document for {did} is held offline "
                "(a bundle's issuer description is not trusted key material)",
            )
        return trusted

    def _trusted_document(self, did: str) -> DidDocument | None:
        for party in (self._store._issuers.get(did), self._store._anchors.get(did)):
            if party is not None and party.organisation is not None:
                return party.organisation.did_document
        for accepted in self._lists:
            entry = accepted.content.issuer(did)
            if entry is not None:
                return entry.did_document
        cached = self._store._did_documents.get(did)
        if cached is not None:
            return cached.document
        if self._fetcher is not None and did_method(did) == "web":
            assert self._now is not None
            document = DidWebResolver(self._fetcher).resolve(did)
            self._store.cache_did_document(
                CachedDidDocument(did=did, fetched_at=self._now, document=document)
            )
            return document
        return None
