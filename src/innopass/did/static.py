"""Resolvers that do no resolving of their own: pinned documents and dispatch by method."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from innopass.did.document import DidDocument, Resolver, did_method
from innopass.errors import ConfigurationError, ResolutionError

__all__ = ["CompositeResolver", "StaticResolver"]


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
