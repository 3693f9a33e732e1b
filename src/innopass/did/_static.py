"""Resolvers that do no resolving of their own: pinned documents, dispatch, computed documents."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

from innopass.did._document import DidDocument, Resolver, did_method
from innopass.did._jwk import did_jwk_document
from innopass.did._key import did_key_document
from innopass.errors import ConfigurationError, ResolutionError

__all__ = ["COMPUTED_METHODS", "CompositeResolver", "StaticResolver", "computed_document"]

#: DID methods whose document is computed from the DID itself, never taken from elsewhere.
COMPUTED_METHODS = frozenset({"key", "jwk"})


@functools.lru_cache(maxsize=256)
def computed_document(did: str) -> DidDocument | None:
    """The document of a ``did:key`` or ``did:jwk``, computed; ``None`` for other methods.

    A computed DID's document is a function of the DID: a copy supplied by anyone
    else (an organisation description, a trust list, a bundle) can only repeat it.
    Recent results are kept (computing decodes the key), so the document returned
    is shared: treat it, like every :class:`DidDocument`, as immutable.
    Raises :class:`ResolutionError` for an invalid DID.
    """
    method = did_method(did)
    if method == "key":
        return did_key_document(did)
    if method == "jwk":
        return did_jwk_document(did)
    return None


class StaticResolver:
    """Serves pinned DID documents (from a trust store or bundle) and nothing else."""

    __slots__ = ("_documents",)

    def __init__(self, documents: Mapping[str, DidDocument]) -> None:
        for did, document in documents.items():
            if document.id != did:
                raise ConfigurationError(f"pinned document for {did!r} has id {document.id!r}")
        self._documents = MappingProxyType(dict(documents))

    def resolve(self, did: str) -> DidDocument:
        """The pinned document for ``did``; :class:`ResolutionError` if none is pinned."""
        document = self._documents.get(did)
        if document is None:
            raise ResolutionError(did, "no pinned DID document for this DID")
        return document


class CompositeResolver:
    """Dispatches to one resolver per DID method name (``"key"``, ``"jwk"``, ``"web"``)."""

    __slots__ = ("_resolvers",)

    def __init__(self, resolvers: Mapping[str, Resolver]) -> None:
        if not resolvers:
            raise ConfigurationError("CompositeResolver needs at least one resolver")
        self._resolvers = MappingProxyType(dict(resolvers))

    def resolve(self, did: str) -> DidDocument:
        """Resolve with the resolver registered for ``did``'s method."""
        method = did_method(did)
        resolver = self._resolvers.get(method)
        if resolver is None:
            raise ResolutionError(did, f"DID method {method!r} is not supported here")
        return resolver.resolve(did)
