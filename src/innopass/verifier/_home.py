"""A verifier home on disk: the trust store's files, changed only under a lock (FORMATS.md §7).

Layout (under ``<home>/verifier/``)::

    anchors/<sha256(did)>.json                 pinned anchors
    issuers/<sha256(did)>.json                 pinned issuers
    trust-lists/<sha256(anchor did)>.json      each anchor's newest accepted trust list
    status/<sha256(issuer did + " " + id)>.json  held status lists, with their fetch time
    did-cache/<sha256(did)>.json               did:web documents fetched with --online
    .lock                                      taken by every change

Every change (:meth:`VerifierHome.update` and the operations built on it) takes an
exclusive lock, reloads the store *under the lock*, applies the change to what is
held now (so the rollback and "revocation is final" rules are re-applied to the
current state, whatever another process did meanwhile) and writes only the files
that changed, each atomically. No interleaving of two processes loses a
revocation or rolls a trust list back.

Each file is written compactly, and only after checking that the home's own reader
will read it back within its limits (the read limits of untrusted input, with one
level of wrapping allowed for). A cache file (status lists, fetched DID documents)
that cannot be read is skipped with a warning, so one bad file never stops a home
from verifying; a pinned party or trust list that cannot be read is an error
naming the file, because silently dropping it would change what is trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Final, TypeVar

from innopass._internal.credential import issuer_id
from innopass._internal.files import atomic_write, exclusive_lock, remove_file
from innopass._internal.jsonio import (
    DEFAULT_LIMITS,
    JsonLimits,
    JSONValue,
    load_file_strict,
    loads_strict,
)
from innopass._internal.suites import SUITES, Cryptosuite
from innopass.errors import (
    ConfigurationError,
    FailureCode,
    InnopassError,
    InnopassWarning,
    MalformedInputError,
    TrustImportError,
)
from innopass.trust import Bundle, OrganisationDescription
from innopass.verifier._parties import PinnedParty
from innopass.verifier._status_lists import HeldStatusList
from innopass.verifier._trust_lists import AcceptedTrustList, held_trust_list
from innopass.verifier._trust_store import HeldDidDocument, TrustStore

__all__ = ["VERIFIER_DIR", "VerifierHome"]

VERIFIER_DIR: Final = "verifier"
_ANCHORS: Final = "anchors"
_ISSUERS: Final = "issuers"
_TRUST_LISTS: Final = "trust-lists"
_LEGACY_TRUST_LIST: Final = "trust-list.json"
_STATUS: Final = "status"
_DID_CACHE: Final = "did-cache"
_LOCK: Final = ".lock"
_T = TypeVar("_T")


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _home_limits(limits: JsonLimits) -> JsonLimits:
    """What the home reads its own files with: the input limits plus one level of wrapping."""
    return JsonLimits(max_bytes=limits.max_bytes + 64 * 1024, max_depth=limits.max_depth + 1)


#: Folders of cache files: skipped with a warning when unreadable (others are errors).
_CACHE_FOLDERS: Final = frozenset({_STATUS, _DID_CACHE})


def _entries(store: TrustStore) -> dict[str, dict[str, tuple[object, JSONValue]]]:
    """Every file the store's contents map to: folder → file name → (value, JSON)."""

    def named(
        items: Iterable[tuple[str, object, JSONValue]],
    ) -> dict[str, tuple[object, JSONValue]]:
        return {f"{_sha(key)}.json": (value, data) for key, value, data in items}

    return {
        _ANCHORS: named((p.did, p, p.to_json()) for p in store.anchors.values()),
        _ISSUERS: named((p.did, p, p.to_json()) for p in store.issuers.values()),
        _TRUST_LISTS: named((tl.anchor, tl, tl.credential) for tl in store.trust_lists.values()),
        _STATUS: named((f"{s.issuer} {s.id}", s, s.to_json()) for s in store.status_lists.values()),
        _DID_CACHE: named((d.did, d, d.to_json()) for d in store.did_documents.values()),
    }


class VerifierHome:
    """A verifier's trust store on disk. Build with a path; nothing is read until asked.

    ``path`` is the home directory (the store lives in ``<path>/verifier/``); a home
    that does not exist yet is an empty store and is created on the first change.
    ``limits`` are the read limits of untrusted input (size and depth), which every
    file the home writes must also meet.
    """

    __slots__ = ("_base", "_limits", "path")

    def __init__(
        self, path: str | os.PathLike[str], *, limits: JsonLimits = DEFAULT_LIMITS
    ) -> None:
        self.path = Path(path)
        self._base = self.path / VERIFIER_DIR
        self._limits = limits

    def __repr__(self) -> str:
        return f"VerifierHome({str(self.path)!r})"

    # --- reading ---------------------------------------------------------------------

    def load(self, *, on_skip: Callable[[Path, str], None] | None = None) -> TrustStore:
        """Read the store. A missing home is an empty store.

        An unreadable cache file is skipped: ``on_skip(path, reason)`` is called, or
        an :class:`~innopass.errors.InnopassWarning` is issued. An unreadable pinned
        party or trust list raises :class:`~innopass.errors.ConfigurationError` naming
        the file and the fix.
        """
        skip = on_skip or _warn
        anchors = list(self._read(_ANCHORS, PinnedParty.from_json, skip))
        issuers = list(self._read(_ISSUERS, PinnedParty.from_json, skip))
        lists: dict[str, AcceptedTrustList] = {}
        held = list(self._read(_TRUST_LISTS, held_trust_list, skip))
        legacy = self._base / _LEGACY_TRUST_LIST
        if legacy.exists():
            held.insert(0, self._parse(legacy, held_trust_list, cache=False, skip=skip))
        for accepted in held:
            if accepted is None:
                continue
            current = lists.get(accepted.anchor)
            if current is None or accepted.version > current.version:
                lists[accepted.anchor] = accepted
        statuses: dict[tuple[str, str], HeldStatusList] = {}
        for entry in self._read(_STATUS, HeldStatusList.from_json, skip):
            if entry is not None:
                statuses[entry.key] = entry
        return TrustStore(
            anchors=(a for a in anchors if a is not None),
            issuers=(i for i in issuers if i is not None),
            trust_lists=lists.values(),
            status_lists=statuses.values(),
            did_documents=(
                d for d in self._read(_DID_CACHE, HeldDidDocument.from_json, skip) if d is not None
            ),
        )

    def _read(
        self, folder: str, parse: Callable[[JSONValue], _T], skip: Callable[[Path, str], None]
    ) -> Iterator[_T | None]:
        directory = self._base / folder
        try:
            paths = sorted(directory.glob("*.json")) if directory.is_dir() else []
        except OSError as exc:
            raise ConfigurationError(f"cannot read {directory}: {exc.strerror or exc}") from exc
        for path in paths:
            yield self._parse(path, parse, cache=folder in _CACHE_FOLDERS, skip=skip)

    def _parse(
        self,
        path: Path,
        parse: Callable[[JSONValue], _T],
        *,
        cache: bool,
        skip: Callable[[Path, str], None],
    ) -> _T | None:
        try:
            return parse(load_file_strict(path, limits=_home_limits(self._limits)))
        except (InnopassError, OSError) as exc:
            reason = exc.diagnostics() if isinstance(exc, InnopassError) else str(exc)
            if cache:
                skip(path, reason)
                return None
            raise ConfigurationError(
                f"verifier home file {path} is unusable ({reason}); restore it from a backup, "
                "or remove it and pin or import again"
            ) from exc

    # --- changing ----------------------------------------------------------------------

    def update(
        self,
        change: Callable[[TrustStore], TrustStore],
        *,
        on_skip: Callable[[Path, str], None] | None = None,
    ) -> TrustStore:
        """Apply ``change`` to the store as held now, under the home's lock; return the result.

        ``change`` gets the store freshly loaded under the lock and returns the new
        store (or raises, and nothing is written). Only files whose entry changed
        are written, or removed. A file the home could not read back within its
        limits is refused before anything is written (``malformed``).
        """
        try:
            with exclusive_lock(self._base / _LOCK):
                before = self.load(on_skip=on_skip)
                after = change(before)
                if after is not before:
                    self._write_changes(before, after)
                return after
        except OSError as exc:  # a read-only or full disk, a directory that is not ours
            raise ConfigurationError(
                f"cannot write the verifier home {self._base}: {exc.strerror or exc} "
                "(nothing was changed that a later run cannot redo)"
            ) from exc

    def _write_changes(self, before: TrustStore, after: TrustStore) -> None:
        old, new = _entries(before), _entries(after)
        writes: list[tuple[Path, bytes]] = []
        for folder, files in new.items():
            for name, (value, data) in files.items():
                held = old[folder].get(name)
                if held is None or held[0] is not value:
                    writes.append((self._base / folder / name, self._encode(data, folder)))
        for path, encoded in writes:
            atomic_write(path, encoded, mode=0o600)
        for folder, files in old.items():
            for name in files.keys() - new[folder].keys():
                remove_file(self._base / folder / name)

    def _encode(self, data: JSONValue, folder: str) -> bytes:
        """Compact JSON, refused unless this home's reader reads it back within its limits."""
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        raw = encoded.encode("utf-8")
        try:
            loads_strict(raw, limits=_home_limits(self._limits))
        except MalformedInputError as exc:
            raise TrustImportError(
                FailureCode.MALFORMED,
                f"refusing to keep it in the verifier home ({folder}): {exc.message}",
                path=exc.path,
            ) from exc
        return raw

    # --- the operations the command line offers ----------------------------------------

    def pin_anchor(self, source: str | OrganisationDescription) -> PinnedParty:
        """Pin a trust anchor (see :meth:`TrustStore.with_anchor`)."""
        party = PinnedParty.from_source(source)
        self.update(lambda store: store.with_anchor(source))
        return party

    def pin_issuer(self, source: str | OrganisationDescription) -> PinnedParty:
        """Pin an issuer (see :meth:`TrustStore.with_issuer`)."""
        party = PinnedParty.from_source(source)
        self.update(lambda store: store.with_issuer(source))
        return party

    def unpin(self, did: str) -> tuple[str, ...]:
        """Unpin ``did`` as an anchor and as an issuer; the roles it was unpinned from."""
        roles: list[str] = []

        def change(store: TrustStore) -> TrustStore:
            roles.clear()
            if did in store.anchors:
                roles.append("anchor")
                store = store.without_anchor(did)
            if did in store.issuers:
                roles.append("issuer")
                store = store.without_issuer(did)
            return store

        self.update(change)
        return tuple(roles)

    def import_trust_list(
        self, credential: Mapping[str, JSONValue], *, suites: Mapping[str, Cryptosuite] = SUITES
    ) -> AcceptedTrustList:
        """Verify and hold a trust list (see :meth:`TrustStore.with_trust_list`)."""
        store = self.update(lambda held: held.with_trust_list(credential, suites=suites))
        return store.trust_lists[str(issuer_id(credential))]

    def import_status_list(
        self,
        credential: Mapping[str, JSONValue],
        *,
        now: datetime,
        suites: Mapping[str, Cryptosuite] = SUITES,
    ) -> HeldStatusList:
        """Verify and hold a status list (see :meth:`TrustStore.with_status_list`)."""
        store = self.update(lambda held: held.with_status_list(credential, now=now, suites=suites))
        return store.status_lists[(str(issuer_id(credential)), str(credential.get("id")))]

    def import_bundle(
        self, bundle: Bundle, *, now: datetime, suites: Mapping[str, Cryptosuite] = SUITES
    ) -> AcceptedTrustList | None:
        """Take a bundle's status lists and its trust list when newer than the one held
        (see :meth:`TrustStore.with_bundle`); return the trust list taken, if any."""
        taken: list[AcceptedTrustList] = []

        def change(held: TrustStore) -> TrustStore:
            after = held.with_bundle(bundle, now=now, suites=suites)
            taken[:] = [
                tl for a, tl in after.trust_lists.items() if held.trust_lists.get(a) is not tl
            ]
            return after

        self.update(change)
        return taken[0] if taken else None

    def keep_fetched(
        self, status_lists: Iterable[HeldStatusList], did_documents: Iterable[HeldDidDocument]
    ) -> None:
        """Hold what an online run fetched (see :meth:`TrustStore.with_fetched`)."""
        lists, documents = tuple(status_lists), tuple(did_documents)
        if lists or documents:
            self.update(lambda held: held.with_fetched(lists, documents))


def _warn(path: Path, reason: str) -> None:
    warnings.warn(
        f"skipped the unusable verifier home file {path}: {reason}", InnopassWarning, stacklevel=3
    )
