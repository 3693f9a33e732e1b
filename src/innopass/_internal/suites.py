"""Data Integrity cryptosuites, decomposed into transform → hash → sign / verify.

The issuer and the verifier run the same :class:`JcsCryptosuite` stages, and the
official vectors check each stage on its own. Suites are looked up by name only in
an allow-list the verifier holds (:data:`SUITES` is the set innopass implements,
not a policy).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from innopass._internal.canonical import canonicalize
from innopass.errors import InvalidSignatureError, UnsupportedSuiteError
from innopass.keys import KeyType, PrivateKey, PublicKey

__all__ = [
    "ECDSA_JCS_2019",
    "EDDSA_JCS_2022",
    "SUITES",
    "Cryptosuite",
    "JcsCryptosuite",
    "suite_for_key",
]


@runtime_checkable
class Cryptosuite(Protocol):
    """One Data Integrity cryptosuite, as separate stages."""

    @property
    def name(self) -> str: ...

    @property
    def key_types(self) -> tuple[KeyType, ...]:
        """The key types the suite signs with; the first is the one innopass issues with."""
        ...

    def transform(self, document: Mapping[str, Any], *, plain: bool = False) -> bytes:
        """Canonical bytes of the unsecured document (``plain``: see
        :func:`~innopass._internal.canonical.canonicalize`)."""
        ...

    def canonical_config(self, proof_config: Mapping[str, Any]) -> bytes:
        """Canonical bytes of the proof configuration (the proof without ``proofValue``)."""
        ...

    def hash(
        self, canonical_config: bytes, transformed: bytes, *, key_type: KeyType | None = None
    ) -> bytes:
        """``hashData``: hash of the proof configuration, then hash of the document.

        The hash follows the key (``ecdsa-jcs-2019``: SHA-256 for P-256, SHA-384 for
        P-384); ``None`` means the suite's first key type.
        """
        ...

    def sign(self, hash_data: bytes, key: PrivateKey) -> bytes: ...

    def verify(self, hash_data: bytes, signature: bytes, key: PublicKey) -> None:
        """Return ``None`` or raise :class:`InvalidSignatureError`."""
        ...


@dataclass(frozen=True, slots=True)
class JcsCryptosuite:
    """A JCS Data Integrity suite: ``eddsa-jcs-2022`` or ``ecdsa-jcs-2019`` (P-256, P-384).

    Each signs ``H(JCS(proofConfig)) ‖ H(JCS(document))``, with H = SHA-256 (64
    bytes) for Ed25519 and P-256 keys and SHA-384 (96 bytes) for P-384 keys
    (DI ECDSA §3.3): Ed25519 signs those bytes as the message; ECDSA hashes them
    again with the curve's hash and emits ``r ‖ s``. The key objects implement
    exactly that, so the suite binds the name to its key types and the hash.
    """

    name: str
    key_types: tuple[KeyType, ...]

    def transform(self, document: Mapping[str, Any], *, plain: bool = False) -> bytes:
        return canonicalize(document, plain=plain)

    def canonical_config(self, proof_config: Mapping[str, Any]) -> bytes:
        return canonicalize(proof_config)

    def hash(
        self, canonical_config: bytes, transformed: bytes, *, key_type: KeyType | None = None
    ) -> bytes:
        digest = hashlib.sha384 if key_type is KeyType.P384 else hashlib.sha256
        return digest(canonical_config).digest() + digest(transformed).digest()

    def sign(self, hash_data: bytes, key: PrivateKey) -> bytes:
        if key.key_type not in self.key_types:
            raise UnsupportedSuiteError(
                self.name, f"{self.name} cannot sign with a {key.key_type} key"
            )
        return key.sign(hash_data)

    def verify(self, hash_data: bytes, signature: bytes, key: PublicKey) -> None:
        if key.key_type not in self.key_types:
            raise InvalidSignatureError(f"{self.name} proof names a {key.key_type} key")
        key.verify(signature, hash_data)


EDDSA_JCS_2022 = JcsCryptosuite("eddsa-jcs-2022", (KeyType.ED25519,))
ECDSA_JCS_2019 = JcsCryptosuite("ecdsa-jcs-2019", (KeyType.P256, KeyType.P384))

#: Every suite innopass implements, by name. Verifiers choose their own allow-list from it.
SUITES: Mapping[str, Cryptosuite] = {s.name: s for s in (EDDSA_JCS_2022, ECDSA_JCS_2019)}


def suite_for_key(key_type: KeyType) -> Cryptosuite:
    """The suite innopass signs with for a key type."""
    for suite in SUITES.values():
        if key_type in suite.key_types:
            return suite
    raise UnsupportedSuiteError(str(key_type), f"no cryptosuite for {key_type} keys")
