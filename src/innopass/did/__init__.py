"""Decentralised identifiers: DID documents, resolvers and verification-method retrieval.

Resolution is offline unless a fetcher is injected: :class:`DidKeyResolver` and
:class:`DidJwkResolver` compute documents, :class:`StaticResolver` serves pinned
ones, :class:`DidWebResolver` fetches only through the :class:`~innopass._internal.net.Fetcher`
it is given, and :class:`CompositeResolver` dispatches by DID method.
:func:`resolve_verification_method` is the CID 1.0 retrieval algorithm every
verifier goes through.
"""

from innopass.did._document import (
    DidDocument,
    Resolver,
    UnusableMethod,
    VerificationMethod,
    did_method,
    resolve_verification_method,
    split_did_url,
)
from innopass.did._jwk import DidJwkResolver, did_jwk_document, did_jwk_from_public_key
from innopass.did._key import (
    DidKeyResolver,
    did_key_document,
    did_key_from_public_key,
    public_key_from_did_key,
    verification_method_id,
)
from innopass.did._static import (
    COMPUTED_METHODS,
    CompositeResolver,
    FirstResolver,
    StaticResolver,
    computed_document,
)
from innopass.did._web import DidWebResolver, did_web_document, did_web_from_host, did_web_to_url

__all__ = [
    "COMPUTED_METHODS",
    "CompositeResolver",
    "DidDocument",
    "DidJwkResolver",
    "DidKeyResolver",
    "DidWebResolver",
    "FirstResolver",
    "Resolver",
    "StaticResolver",
    "UnusableMethod",
    "VerificationMethod",
    "computed_document",
    "did_jwk_document",
    "did_jwk_from_public_key",
    "did_key_document",
    "did_key_from_public_key",
    "did_method",
    "did_web_document",
    "did_web_from_host",
    "did_web_to_url",
    "public_key_from_did_key",
    "resolve_verification_method",
    "split_did_url",
    "verification_method_id",
]
