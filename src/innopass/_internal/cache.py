"""Bounded memory of signatures already checked, so a batch does not re-check shared lists.

A verifier checks the same trust list and the same status lists for every passport
of a batch. :class:`VerifiedCache` remembers, for a document identified by its
``id`` and the SHA-256 of its content (:func:`content_key`), what checking
its proof established: the proof, the method it verified with, and the decoded
content. It never remembers a decision that depends on time or on trust: callers
resolve the key again through the trust in force
(:func:`~innopass._internal.proof.verify_data_integrity` with ``known=``) and apply
the key window and every time rule on each use.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

from innopass._internal.canonical import content_digest
from innopass._internal.jsonio import JSONValue
from innopass.errors import ConfigurationError

__all__ = ["ContentKey", "VerifiedCache", "content_key"]

_V = TypeVar("_V")

#: ``(document id, SHA-256 of the whole document's content, proof included)``.
ContentKey = tuple[str, bytes]


def content_key(document: Mapping[str, JSONValue], *, from_json: bool = False) -> ContentKey | None:
    """The cache key of ``document``; ``None`` when it has no string id or is not JSON
    (such a document is never cached; checking it will say why). ``from_json``: the
    document was read by the strict reader (see
    :func:`~innopass._internal.canonical.content_digest`)."""
    doc_id = document.get("id")
    if not isinstance(doc_id, str):
        return None
    digest = content_digest(document, from_json=from_json)
    return None if digest is None else (doc_id, digest)


class VerifiedCache(Generic[_V]):
    """A thread-safe least-recently-used map, bounded in entries and in total weight."""

    __slots__ = ("_entries", "_lock", "_max_entries", "_max_weight", "_weigh", "_weight")

    def __init__(
        self,
        *,
        max_entries: int,
        max_weight: int | None = None,
        weigh: Callable[[_V], int] | None = None,
    ) -> None:
        if max_entries < 0 or (max_weight is not None and max_weight < 0):
            raise ConfigurationError("cache bounds must be ≥ 0")
        self._entries: OrderedDict[ContentKey, tuple[_V, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._max_weight = max_weight
        self._weigh = weigh
        self._weight = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: ContentKey | None) -> _V | None:
        """The value held for ``key`` (now the most recently used), or ``None``."""
        if key is None:
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: ContentKey | None, value: _V) -> None:
        """Hold ``value``, evicting the least recently used entries beyond the bounds."""
        if key is None or self._max_entries == 0:
            return
        weight = self._weigh(value) if self._weigh is not None else 0
        if self._max_weight is not None and weight > self._max_weight:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._weight -= old[1]
            self._entries[key] = (value, weight)
            self._weight += weight
            while len(self._entries) > self._max_entries or (
                self._max_weight is not None and self._weight > self._max_weight
            ):
                _, (_, evicted) = self._entries.popitem(last=False)
                self._weight -= evicted

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weight = 0
