"""``--online``: what a verifier may fetch, and the bounded memory of what it fetched.

Offline is the default; a :class:`~innopass._internal.net.Fetcher` given to the
verifier is the only way anything is fetched, and only for material that can
change the answer for an issuer already trusted: status lists of a passport whose
proof verified and whose issuer is trusted, and the ``did:web`` document of an
issuer pinned by DID alone. What was fetched is kept in a :class:`FetchedMaterial`
(bounded in entries and bytes), which the command line then keeps in the verifier
home (:meth:`~innopass.verifier.VerifierHome.keep_fetched`).
"""

from __future__ import annotations

import inspect
import threading
import time
from collections import OrderedDict
from datetime import datetime
from typing import Final

from innopass._internal.jsonio import JSONObject, loads_strict
from innopass._internal.limits import Limits
from innopass._internal.net import Fetcher
from innopass.did import DidDocument, DidWebResolver
from innopass.errors import ConfigurationError, MalformedInputError, NetworkError
from innopass.verifier._status_lists import HeldStatusList
from innopass.verifier._trust_store import HeldDidDocument

__all__ = ["FetchedMaterial", "Online"]

_STATUS_ACCEPT: Final = "application/vc, application/vc+ld+json, application/json"


class FetchedMaterial:
    """What online verification fetched: status lists and did:web documents, bounded.

    Thread-safe. Holds at most ``max_entries`` items of at most ``max_bytes`` in
    all (by the size of the fetched body); the oldest go first. A status list
    fetched once is served from here for the rest of a batch.
    """

    __slots__ = ("_documents", "_lists", "_lock", "_max_bytes", "_max_entries", "_weight")

    def __init__(self, *, max_entries: int = 256, max_bytes: int = 32 * 1024 * 1024) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ConfigurationError("FetchedMaterial bounds must be positive")
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._lists: OrderedDict[tuple[str, str], tuple[HeldStatusList, int]] = OrderedDict()
        self._documents: OrderedDict[str, tuple[HeldDidDocument, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def _trim(self) -> None:
        while (
            self._weight > self._max_bytes
            or len(self._lists) + len(self._documents) > self._max_entries
        ):
            if len(self._lists) >= len(self._documents):
                self._weight -= self._lists.popitem(last=False)[1][1]
            else:
                self._weight -= self._documents.popitem(last=False)[1][1]

    def add_status_list(self, entry: HeldStatusList, *, size: int) -> None:
        with self._lock:
            old = self._lists.pop(entry.key, None)
            if old is not None:
                self._weight -= old[1]
            self._lists[entry.key] = (entry, size)
            self._weight += size
            self._trim()

    def add_did_document(self, entry: HeldDidDocument, *, size: int) -> None:
        with self._lock:
            old = self._documents.pop(entry.did, None)
            if old is not None:
                self._weight -= old[1]
            self._documents[entry.did] = (entry, size)
            self._weight += size
            self._trim()

    def status_list(self, issuer: str, list_id: str) -> HeldStatusList | None:
        with self._lock:
            found = self._lists.get((issuer, list_id))
            return None if found is None else found[0]

    def did_document(self, did: str) -> HeldDidDocument | None:
        with self._lock:
            found = self._documents.get(did)
            return None if found is None else found[0]

    def status_lists(self) -> tuple[HeldStatusList, ...]:
        with self._lock:
            return tuple(entry for entry, _ in self._lists.values())

    def did_documents(self) -> tuple[HeldDidDocument, ...]:
        with self._lock:
            return tuple(entry for entry, _ in self._documents.values())


class _Budgeted:
    """The verifier's fetcher within one run's limits: each fetch gets at most
    ``fetch_timeout`` and what is left of ``run_fetch_budget``, and at most
    ``fetch_max_bytes``; once the budget is spent, nothing more is fetched."""

    __slots__ = ("_deadline", "_fetcher", "_limits", "_takes_timeout")

    def __init__(self, fetcher: Fetcher, limits: Limits) -> None:
        self._fetcher = fetcher
        self._limits = limits
        self._deadline = time.monotonic() + limits.run_fetch_budget
        self._takes_timeout = _takes_timeout(fetcher)

    def fetch(
        self,
        url: str,
        *,
        max_bytes: int,
        accept: str = "application/json",
        timeout: float | None = None,
    ) -> bytes:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise NetworkError(url, f"not fetching {url[:120]}: this run's fetch budget is spent")
        allowed = min(left, self._limits.fetch_timeout, timeout or left)
        cap = min(max_bytes, self._limits.fetch_max_bytes)
        if not self._takes_timeout:  # a fetcher written before timeouts were passed
            return self._fetcher.fetch(url, max_bytes=cap, accept=accept)
        return self._fetcher.fetch(url, max_bytes=cap, accept=accept, timeout=allowed)


def _takes_timeout(fetcher: Fetcher) -> bool:
    """Whether ``fetcher.fetch`` accepts ``timeout`` (looked up once per fetcher class)."""
    kind = type(fetcher)
    known = _TAKES_TIMEOUT.get(kind)
    if known is None:
        try:
            parameters = inspect.signature(fetcher.fetch).parameters.values()
        except (TypeError, ValueError):
            known = True
        else:
            known = any(p.name == "timeout" or p.kind is p.VAR_KEYWORD for p in parameters)
        _TAKES_TIMEOUT[kind] = known
    return known


_TAKES_TIMEOUT: dict[type, bool] = {}


class Online:
    """The fetcher a verifier was given, within one run's limits, and its memory of fetches.

    Built for each verification, so the run's fetch budget starts with it.
    """

    __slots__ = ("_fetched", "_fetcher", "_limits")

    def __init__(self, fetcher: Fetcher, fetched: FetchedMaterial, *, limits: Limits) -> None:
        self._fetcher = _Budgeted(fetcher, limits)
        self._fetched = fetched
        self._limits = limits

    @property
    def fetched(self) -> FetchedMaterial:
        return self._fetched

    def status_list(self, list_id: str) -> tuple[JSONObject, int]:
        """The credential at ``list_id`` and its size; :class:`NetworkError` or
        :class:`MalformedInputError`."""
        if not list_id.startswith("https://"):
            raise NetworkError(list_id, f"status list {list_id[:120]} has no https location")
        body = self._fetcher.fetch(list_id, max_bytes=self._limits.max_bytes, accept=_STATUS_ACCEPT)
        value = loads_strict(body, limits=self._limits.json)
        if not isinstance(value, dict):
            raise MalformedInputError("fetched status list is not a JSON object")
        return value, len(body)

    def did_resolver(self, now: datetime) -> _FetchingDidWeb:
        """A did:web resolver over the fetcher that keeps what it fetched (fetched at ``now``)."""
        return _FetchingDidWeb(self._fetcher, self._fetched, now)


class _FetchingDidWeb:
    __slots__ = ("_fetched", "_now", "_resolver")

    def __init__(self, fetcher: _Budgeted, fetched: FetchedMaterial, now: datetime) -> None:
        self._resolver = DidWebResolver(fetcher)
        self._fetched = fetched
        self._now = now

    def resolve(self, did: str) -> DidDocument:
        held = self._fetched.did_document(did)
        if held is not None:
            return held.document
        document = self._resolver.resolve(did)
        self._fetched.add_did_document(
            HeldDidDocument(did=did, fetched_at=self._now, document=document),
            size=len(str(document.raw)),
        )
        return document
