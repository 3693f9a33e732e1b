"""did:jwk: the DID is a base64url-encoded public JWK, resolved offline.

The document has one method ``<did>#0`` of type ``JsonWebKey2020`` whose
``publicKeyJwk`` is the decoded JWK, referenced from every relationship except as
``use`` restricts it (``sig``: no ``keyAgreement``; ``enc``: only
``keyAgreement``). A JWK with private members is refused.

Ed25519, P-256 and P-384 JWKs give a usable signing key. X25519 JWKs are accepted so the
document can be built (they are key-agreement keys), but innopass does not sign or
verify with them: the method appears in :attr:`DidDocument.unusable_methods` and
resolving it for any relationship fails. Other key types are refused.
"""

from __future__ import annotations

import functools
import json
from typing import Final

from innopass._internal.encoding import b64url_decode, b64url_encode
from innopass._internal.jsonio import JsonLimits, JSONObject, JSONValue, loads_strict
from innopass.did._document import DidDocument
from innopass.errors import KeyMaterialError, MalformedInputError, ResolutionError
from innopass.keys import _PRIVATE_JWK_MEMBERS, PublicKey

__all__ = [
    "DID_JWK_CONTEXT",
    "DidJwkResolver",
    "did_jwk_document",
    "did_jwk_from_public_key",
]

#: ``@context`` of did:jwk documents (as in the did:jwk specification).
DID_JWK_CONTEXT: Final = (
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/suites/jws-2020/v1",
)
_PREFIX: Final = "did:jwk:"
_MAX_JWK_BYTES: Final = 4096
_SIGNING: Final = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
)
_SIGNING_CURVES: Final = frozenset({("OKP", "Ed25519"), ("EC", "P-256"), ("EC", "P-384")})


def did_jwk_from_public_key(public_key: PublicKey) -> str:
    """``did:jwk:`` + base64url of the compact, key-sorted public JWK."""
    text = json.dumps(public_key.to_jwk(), sort_keys=True, separators=(",", ":"))
    return _PREFIX + b64url_encode(text.encode("utf-8"))


def _decode_jwk(did: str) -> JSONObject:
    if not did.startswith(_PREFIX):
        raise ResolutionError(did, "not a did:jwk")
    try:
        data = b64url_decode(did[len(_PREFIX) :], what="did:jwk value")
        jwk = loads_strict(data, limits=JsonLimits(max_bytes=_MAX_JWK_BYTES, max_depth=4))
    except (KeyMaterialError, MalformedInputError) as exc:
        raise ResolutionError(did, f"invalid did:jwk: {exc}") from exc
    if not isinstance(jwk, dict):
        raise ResolutionError(did, "did:jwk value is not a JSON object")
    private = sorted(_PRIVATE_JWK_MEMBERS.intersection(jwk))
    if private:
        raise ResolutionError(did, f"did:jwk JWK carries private members: {', '.join(private)}")
    return jwk


def _check_key(did: str, jwk: JSONObject) -> None:
    curve = (jwk.get("kty"), jwk.get("crv"))
    if curve == ("OKP", "X25519"):
        try:
            x = b64url_decode(jwk.get("x"), what="X25519 x")
        except KeyMaterialError as exc:
            raise ResolutionError(did, str(exc)) from exc
        if len(x) != 32:
            raise ResolutionError(did, f"X25519 x must be 32 bytes, got {len(x)}")
    elif curve not in _SIGNING_CURVES:
        raise ResolutionError(
            did, f"unsupported did:jwk key type kty={curve[0]!r} crv={curve[1]!r}"
        )


@functools.lru_cache(maxsize=256)
def did_jwk_document(did: str) -> DidDocument:
    """Expand a did:jwk into its DID document; :class:`ResolutionError` if it is not usable."""
    jwk = _decode_jwk(did)
    _check_key(did, jwk)
    use = jwk.get("use")
    if use is None:
        relationships: tuple[str, ...] = (*_SIGNING, "keyAgreement")
    elif use == "sig":
        relationships = _SIGNING
    elif use == "enc":
        relationships = ("keyAgreement",)
    else:
        raise ResolutionError(did, f"unknown JWK use {use!r}")
    vm_id = f"{did}#0"
    method: JSONValue = {
        "id": vm_id,
        "type": "JsonWebKey2020",
        "controller": did,
        "publicKeyJwk": jwk,
    }
    raw: JSONObject = {"@context": list(DID_JWK_CONTEXT), "id": did, "verificationMethod": [method]}
    for relationship in relationships:
        raw[relationship] = [vm_id]
    document = DidDocument.from_json(raw, expected_id=did)
    unusable = document.unusable_method(vm_id)
    if unusable is not None and (jwk.get("kty"), jwk.get("crv")) in _SIGNING_CURVES:
        raise ResolutionError(did, f"invalid did:jwk key: {unusable.reason}")
    return document


class DidJwkResolver:
    """Resolves ``did:jwk`` DIDs by decoding; never touches the network."""

    __slots__ = ()

    def resolve(self, did: str) -> DidDocument:
        """The did:jwk document."""
        return did_jwk_document(did)
