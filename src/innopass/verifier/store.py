"""The verifier's trust store: pinned anchors and issuers, the accepted trust list, caches.

A :class:`TrustStore` is what a verifier trusts (PRODUCT.md §4):

- anchors and issuers pinned deliberately, by DID (``did:key``/``did:jwk``, whose
  document is computed) or by an organisation description (FORMATS.md §4), whose
  ``keys`` give each key's validity window;
- the newest trust list it accepted: signed by a pinned anchor, never older than
  the one held (:meth:`TrustStore.import_trust_list` refuses a rollback);
- status-list credentials and (with ``--online`` only) did:web documents, each
  cached with the time it was fetched.

It also carries *run-only* candidates (:meth:`add_trust_list`,
:meth:`add_status_list`): trust and status lists given for one verification run,
checked by the verifier at verification time and never persisted.

On disk it is the verifier home of FORMATS.md §7; every file is written
atomically. The home is trusted local state: a trust list held there was
verified when it was imported and is not re-verified on load.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Final, TypeVar

from innopass._home import atomic_write
from innopass._json import JSONObject, JSONValue, dumps_pretty, load_file_strict
from innopass._time import format_datetime, parse_datetime
from innopass.canonical import canonicalize
from innopass.credential import issuer_id
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
    TrustError,
)
from innopass.net import Fetcher
from innopass.suites import SUITES, Cryptosuite
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
    "AcceptedTrustList",
    "BundleImport",
    "CachedDidDocument",
    "CachedStatusList",
    "CheckedTrustList",
    "IssuerTrust",
    "PinnedParty",
    "TrustImportError",
    "TrustResolver",
    "TrustSource",
    "TrustStore",
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

    def key_window(self, vm_id: str) -> KeyWindow | None:
        """The window the trust source gives the key, ``None`` if it gives none."""
        if self.party is not None:
            return self.party.key_window(vm_id)
        return find_key_window(self.keys, vm_id)


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


class TrustStore:
    """Pinned anchors and issuers, the accepted trust list, and cached status lists.

    Build empty and pin, or load a verifier home with :meth:`load`. Mutating
    methods change only this object; :meth:`save` writes it to a home.
    """

    def __init__(self) -> None:
        self._anchors: dict[str, PinnedParty] = {}
        self._issuers: dict[str, PinnedParty] = {}
        self._trust_list: AcceptedTrustList | None = None
        self._status_lists: dict[str, CachedStatusList] = {}
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
    def trust_list(self) -> AcceptedTrustList | None:
        return self._trust_list

    @property
    def status_lists(self) -> Mapping[str, CachedStatusList]:
        return dict(self._status_lists)

    @property
    def did_documents(self) -> Mapping[str, CachedDidDocument]:
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
            self._anchors or self._issuers or self._trust_list or self._candidate_trust_lists
        )

    def issuer_trust(self, did: str, trust_list: AcceptedTrustList | None) -> IssuerTrust | None:
        """Why ``did`` is trusted (pinned first, then ``trust_list``), or ``None``."""
        party = self._issuers.get(did)
        if party is not None:
            org = party.organisation
            return IssuerTrust(
                did=did,
                source=TrustSource.PINNED,
                ods_code=None if org is None else org.ods_code,
                name=None if org is None else org.name,
                party=party,
            )
        entry = None if trust_list is None else trust_list.content.issuer(did)
        if entry is None:
            return None
        return IssuerTrust(
            did=did,
            source=TrustSource.TRUST_LIST,
            ods_code=entry.ods_code,
            name=entry.name,
            trust_list=trust_list,
            scopes=entry.scopes,
            status=entry.status,
            withdrawn_at=entry.withdrawn_at,
            keys=entry.keys,
        )

    def resolver(
        self,
        *,
        trust_list: AcceptedTrustList | None,
        extra_documents: Mapping[str, DidDocument] | None = None,
        fetcher: Fetcher | None = None,
        now: datetime | None = None,
    ) -> TrustResolver:
        """A DID resolver over this store (see :class:`TrustResolver`)."""
        return TrustResolver(
            self,
            trust_list=trust_list,
            extra_documents=extra_documents or {},
            fetcher=fetcher,
            now=now,
        )

    # --- changing ------------------------------------------------------------------

    def copy(self) -> TrustStore:
        """An independent copy (for additions that apply to one run only)."""
        other = TrustStore()
        other._anchors = dict(self._anchors)
        other._issuers = dict(self._issuers)
        other._trust_list = self._trust_list
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
        DID document from a trust list, a bundle or (online) the web.
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
        """Verify a trust list against the pinned anchors and hold it.

        Refused with :class:`TrustImportError`: ``trust-list-invalid`` (bad shape or
        signature, not a pinned anchor) or ``trust-list-rollback`` (not newer than the
        list held from the same anchor; re-importing the identical list is a no-op).
        An expired list is accepted (it is newer information); passports relying on
        it are then indeterminate.
        """
        accepted = verify_trust_list(credential, anchors=self._anchors, suites=suites)
        problem = rollback_problem(accepted, self._trust_list)
        if problem is not None:
            if _same(accepted, self._trust_list):
                assert self._trust_list is not None
                return self._trust_list
            raise TrustImportError(
                FailureCode.TRUST_LIST_ROLLBACK, problem, path="/credentialSubject/trustListVersion"
            )
        self._trust_list = accepted
        return accepted

    def import_status_list(
        self,
        credential: JSONObject,
        *,
        now: datetime,
        suites: Mapping[str, Cryptosuite] = SUITES,
        extra_documents: Mapping[str, DidDocument] | None = None,
    ) -> CachedStatusList:
        """Verify a status list against its trusted issuer; cache it with ``fetchedAt`` = ``now``.

        Refused with :class:`TrustImportError` (``status-list-invalid``,
        ``issuer-untrusted``, or ``status-stale`` when it is older than the list held).
        """
        verified = self._verify_status_list(
            credential, suites=suites, extra_documents=extra_documents
        )
        held = self._status_lists.get(verified.id)
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
        entry = CachedStatusList(
            id=verified.id, fetched_at=now, credential=copy.deepcopy(credential)
        )
        self._status_lists[entry.id] = entry
        return entry

    def import_bundle(
        self, bundle: Bundle, *, now: datetime, suites: Mapping[str, Cryptosuite] = SUITES
    ) -> BundleImport:
        """Import a bundle's trust list (if newer) and its status lists.

        The bundle's organisation description is used only as key material for
        its status lists; it does not make the issuer trusted.
        """
        trust_list = None
        if bundle.trust_list is not None:
            accepted = verify_trust_list(bundle.trust_list, anchors=self._anchors, suites=suites)
            if rollback_problem(accepted, self._trust_list) is None:
                self._trust_list = trust_list = accepted
        extra = {} if bundle.issuer is None else {bundle.issuer.did: bundle.issuer.did_document}
        lists = tuple(
            self.import_status_list(c, now=now, suites=suites, extra_documents=extra)
            for c in bundle.status_lists
        )
        return BundleImport(status_lists=lists, trust_list=trust_list)

    def _verify_status_list(
        self,
        credential: JSONObject,
        *,
        suites: Mapping[str, Cryptosuite],
        extra_documents: Mapping[str, DidDocument] | None,
    ) -> VerifiedStatusList:
        list_issuer = issuer_id(credential)
        if list_issuer is None:
            raise TrustImportError(
                FailureCode.STATUS_LIST_INVALID, "status list has no issuer", path="/issuer"
            )
        trust = self.issuer_trust(list_issuer, self._trust_list)
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
                resolver=self.resolver(
                    trust_list=self._trust_list, extra_documents=extra_documents
                ),
                trust=trust,
                suites=suites,
            )
        except CheckFailed as exc:
            raise TrustImportError(exc.code, exc.message, path=exc.path) from exc

    def cache_status_list(self, entry: CachedStatusList) -> None:
        """Hold a status list fetched online (already verified by the caller)."""
        self._status_lists[entry.id] = entry
        self._fetched.append(entry)

    def cache_did_document(self, entry: CachedDidDocument) -> None:
        """Hold a did:web document fetched online."""
        self._did_documents[entry.did] = entry
        self._fetched.append(entry)

    # --- the verifier home (FORMATS.md §7) ----------------------------------------

    @classmethod
    def load(cls, home: str | Path) -> TrustStore:
        """Load ``<home>/verifier/``; a missing directory is an empty store.

        Raises :class:`ConfigurationError` naming the file when the home is corrupt.
        """
        base = Path(home) / VERIFIER_DIR
        store = cls()
        for party in _read_dir(base / "anchors", PinnedParty.from_json):
            store._anchors[party.did] = party
        for party in _read_dir(base / "issuers", PinnedParty.from_json):
            store._issuers[party.did] = party
        trust_path = base / "trust-list.json"
        if trust_path.exists():
            store._trust_list = _load(trust_path, _held_trust_list)
        for entry in _read_dir(base / "status", CachedStatusList.from_json):
            store._status_lists[entry.id] = entry
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
        if self._trust_list is not None:
            _write(base / "trust-list.json", self._trust_list.credential)
        for entry in self._status_lists.values():
            _write(base / "status" / f"{_sha(entry.id)}.json", entry.to_json())
        for cached in self._did_documents.values():
            _write(base / "did-cache" / f"{_sha(cached.did)}.json", cached.to_json())

    def save_fetched(self, home: str | Path) -> None:
        """Write only what was fetched online (keeps run-only additions out of the home)."""
        base = Path(home) / VERIFIER_DIR
        for item in self._fetched:
            if isinstance(item, CachedStatusList):
                _write(base / "status" / f"{_sha(item.id)}.json", item.to_json())
            else:
                _write(base / "did-cache" / f"{_sha(item.did)}.json", item.to_json())


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
    """Resolves DIDs from the trust store only.

    A ``did:key``/``did:jwk`` is resolved only by computation: no document held or
    supplied (a pinned description, a trust list, a bundle) is ever used for it.
    Any other DID, in this order: 1. pinned issuers' and anchors' descriptions,
    2. the trust list in force, 3. ``extra_documents`` (a bundle's issuer
    description: key material only, never trust), 4. did:web documents cached by
    earlier online runs, 5. with a fetcher only, did:web over HTTPS (cached in the
    store with the fetch time). Anything else is a :class:`ResolutionError`: the
    network is never used without a fetcher.
    """

    __slots__ = ("_extra", "_fetcher", "_now", "_store", "_trust_list")

    def __init__(
        self,
        store: TrustStore,
        *,
        trust_list: AcceptedTrustList | None,
        extra_documents: Mapping[str, DidDocument],
        fetcher: Fetcher | None,
        now: datetime | None,
    ) -> None:
        if fetcher is not None and now is None:
            raise ConfigurationError("a fetching resolver needs the current time")
        self._store = store
        self._trust_list = trust_list
        self._extra = extra_documents
        self._fetcher = fetcher
        self._now = now

    def resolve(self, did: str) -> DidDocument:
        method = did_method(did)
        if method in COMPUTED_METHODS:  # the DID is the key: nobody else's copy counts
            document = _computed_document(did)
            assert document is not None
            return document
        for party in (self._store._issuers.get(did), self._store._anchors.get(did)):
            if party is not None and party.organisation is not None:
                return party.organisation.did_document
        entry = None if self._trust_list is None else self._trust_list.content.issuer(did)
        if entry is not None:
            return entry.did_document
        if did in self._extra:
            return self._extra[did]
        cached = self._store._did_documents.get(did)
        if cached is not None:
            return cached.document
        if self._fetcher is not None and method == "web":
            assert self._now is not None
            document = DidWebResolver(self._fetcher).resolve(did)
            self._store.cache_did_document(
                CachedDidDocument(did=did, fetched_at=self._now, document=document)
            )
            return document
        raise ResolutionError(did, f"no DID document for {did} is held offline")
