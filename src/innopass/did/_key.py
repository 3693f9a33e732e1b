"""did:key (CCG did:key spec v0.9): the DID is the public key, resolved offline.

``did:key:<publicKeyMultibase>`` for Ed25519 (``z6Mk…``), P-256 (``zDn…``) and P-384
(``z82…``).
The expanded document follows the v0.9 example: ``@context``
``https://www.w3.org/ns/did/v1.1``, one ``Multikey`` method ``<did>#<multibase>``
listed under ``authentication``, ``assertionMethod``, ``capabilityDelegation`` and
``capabilityInvocation``, and, for Ed25519 only, the derived X25519
``keyAgreement`` key (embedded, as in the spec example). The optional version form
``did:key:<version>:<value>`` and base64url (``u``) values are refused.
"""

from __future__ import annotations

import functools
from typing import Final

from innopass._internal.jsonio import JSONObject
from innopass.did._document import DidDocument
from innopass.errors import KeyMaterialError, ResolutionError
from innopass.keys import (
    Ed25519PublicKey,
    PublicKey,
    public_key_from_multibase,
    x25519_multikey_from_ed25519,
)

__all__ = [
    "DID_KEY_CONTEXT",
    "DidKeyResolver",
    "did_key_document",
    "did_key_from_public_key",
    "public_key_from_did_key",
    "verification_method_id",
]

#: ``@context`` of generated did:key documents (did:key spec v0.9).
DID_KEY_CONTEXT: Final = ("https://www.w3.org/ns/did/v1.1",)
_PREFIX: Final = "did:key:"


def did_key_from_public_key(public_key: PublicKey) -> str:
    """``did:key:`` + the key's Multikey value."""
    return _PREFIX + public_key.to_multibase()


def public_key_from_did_key(did: str) -> PublicKey:
    """The public key a ``did:key`` names; :class:`KeyMaterialError` if it names none we use."""
    if not did.startswith(_PREFIX):
        raise KeyMaterialError(f"not a did:key: {did[:40]!r}")
    value = did[len(_PREFIX) :]
    if ":" in value or "#" in value or "/" in value or "?" in value:
        raise KeyMaterialError("only the plain form did:key:<multibase> is supported")
    return public_key_from_multibase(value)


def verification_method_id(did: str) -> str:
    """``<did>#<multibase>``, the id of a did:key's verification method (checked)."""
    public_key_from_did_key(did)
    return f"{did}#{did[len(_PREFIX) :]}"


@functools.lru_cache(maxsize=256)
def did_key_document(did: str) -> DidDocument:
    """Expand a did:key into its DID document; :class:`ResolutionError` if it is not usable."""
    try:
        public_key = public_key_from_did_key(did)
    except KeyMaterialError as exc:
        raise ResolutionError(did, f"invalid did:key: {exc}") from exc
    value = did[len(_PREFIX) :]
    vm_id = f"{did}#{value}"
    raw: JSONObject = {
        "@context": list(DID_KEY_CONTEXT),
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": value}
        ],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityDelegation": [vm_id],
        "capabilityInvocation": [vm_id],
    }
    if isinstance(public_key, Ed25519PublicKey):
        x25519 = x25519_multikey_from_ed25519(public_key)
        raw["keyAgreement"] = [
            {
                "id": f"{did}#{x25519}",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": x25519,
            }
        ]
    return DidDocument.from_json(raw, expected_id=did)


class DidKeyResolver:
    """Resolves ``did:key`` DIDs by computation; never touches the network."""

    __slots__ = ()

    def resolve(self, did: str) -> DidDocument:
        """The expanded did:key document."""
        return did_key_document(did)
