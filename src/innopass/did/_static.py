"""Resolvers that do no resolving of their own: pinned documents, dispatch, computed documents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from innopass.did._document import DidDocument, Resolver, did_method
from innopass.did._jwk import did_jwk_document
from innopass.did._key import did_key_document
from innopass.errors import ConfigurationError, ResolutionError

__all__ = [
    "COMPUTED_METHODS",
    "CompositeResolver",
    "FirstResolver",
    "StaticResolver",
    "computed_document",
]

#: DID methods whose document is computed from the DID itself, never taken from elsewhere.
COMPUTED_METHODS = frozenset({"key", "jwk"})


def computed_document(did: str) -> DidDocument | None:
    """The document of a ``did:key`` or ``did:jwk``, computed; ``None`` for other methods.

    A computed DID's document is a function of the DID: a copy supplied by anyone
    else (an organisation description, a trust list, a bundle) can only repeat it.
    Recent documents are kept (computing decodes the key), so the document returned
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


class FirstResolver:
    """Asks each resolver in turn and returns the first document found.

    A resolver that holds nothing for the DID raises :class:`ResolutionError` and
    the next is asked; when none has it, the last error is raised. Used to compose
    the trust store's sources (pinned descriptions, trust lists, cached and fetched
    documents) in order of precedence.
    """

    __slots__ = ("_resolvers",)

    def __init__(self, resolvers: Sequence[Resolver]) -> None:
        if not resolvers:
            raise ConfigurationError("FirstResolver needs at least one resolver")
        self._resolvers = tuple(resolvers)

    def resolve(self, did: str) -> DidDocument:
        """The first resolver's document for ``did``; the last :class:`ResolutionError` if none."""
        error: ResolutionError | None = None
        for resolver in self._resolvers:
            try:
                return resolver.resolve(did)
            except ResolutionError as exc:
                error = exc
        assert error is not None
        raise error
