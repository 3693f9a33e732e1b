"""The holder's side: handing credentials to a verifier as a VC 2.0 presentation.

A supplier holds passports issued to it and hands several at once to a trust. The
trust gives it a **challenge** (a fresh, single-use value) and its **domain** (who
it is); the supplier's presentation carries the passports and a proof, made with
the supplier's own key, that answers exactly that challenge for exactly that
domain, so it cannot be replayed to another trust or another time::

    holder = Holder.from_pem(Path("supplier-key.pem").read_bytes(), passphrase=secret)
    vp = holder.present([passport_json, jwt_text], challenge=challenge, domain="r1h.nhs.uk")
    result = verifier.verify_presentation(vp, challenge=challenge, domain="r1h.nhs.uk")

**The holder's key.** A supplier is not an NHS organisation: it has no organisation
home, no ledger and no trust-list entry. Its key is one private key in a file (PKCS#8,
encrypted with a passphrase, mode 0600; ``innopass key generate`` makes one) and its
identity is that key's ``did:key``: resolved by computation on any verifier, so a
trust needs nothing from the supplier beforehand. The presentation's ``holder`` is
that DID and its proof is an ``authentication`` proof by that key (Data Integrity,
the suite of the key type, or a ``vp+jwt``). A did:key cannot rotate; a lost key is
replaced by a new one (a new DID), which costs nothing since no one pins a holder.

Passports are embedded as they are (Data Integrity) or enveloped
(``EnvelopedVerifiableCredential`` with a ``data:application/vc+jwt,`` id). What the
holder signs is checked against the VC Data Model 2.0 first
(:class:`~innopass.errors.CredentialInvalidError` otherwise). This module imports
neither the issuer nor the verifier.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from innopass._internal.contexts import CREDENTIALS_V2
from innopass._internal.datamodel import (
    ENVELOPED_CREDENTIAL_TYPE,
    PRESENTATION_TYPE,
    require_conforming,
)
from innopass._internal.jose import looks_like_compact_jws, sign_vp_jwt
from innopass._internal.jsonio import JSONObject
from innopass._internal.passphrase import passphrase_bytes
from innopass._internal.pkcs8 import DEFAULT_KDF_ITERATIONS
from innopass._internal.proof import AUTHENTICATION, ProofOptions, add_proof
from innopass._internal.suites import suite_for_key
from innopass._internal.timestamps import utc_now
from innopass.did import did_key_from_public_key, verification_method_id
from innopass.errors import ConfigurationError, MalformedInputError
from innopass.keys import KeyType, PrivateKey, generate_private_key, private_key_from_pem

__all__ = ["DEFAULT_PRESENTATION_VALIDITY", "Holder", "PresentationFormat"]

#: How long a presentation's proof stays valid by default (it answers one challenge).
DEFAULT_PRESENTATION_VALIDITY: Final = timedelta(hours=24)
#: The formats a presentation is made in: a Data Integrity proof, or a ``vp+jwt``.
PresentationFormat = Literal["di", "jwt"]
_FORMATS: Final = ("di", "jwt")


def _entry(credential: Mapping[str, Any] | str, position: int) -> JSONObject:
    """One ``verifiableCredential`` entry: a credential object, or a JWT enveloped."""
    if isinstance(credential, str):
        token = credential.strip()
        if not looks_like_compact_jws(token):
            raise MalformedInputError(
                "a credential given as text must be a compact vc+jwt", path=f"/{position}"
            )
        return {
            "@context": CREDENTIALS_V2,
            "type": ENVELOPED_CREDENTIAL_TYPE,
            "id": f"data:application/vc+jwt,{token}",
        }
    if not isinstance(credential, Mapping):
        raise MalformedInputError("a credential must be a JSON object or a vc+jwt")
    return dict(credential)


class Holder:
    """A holder of credentials with a key of its own, identified by that key's ``did:key``."""

    __slots__ = ("_key", "did", "verification_method")

    def __init__(self, key: PrivateKey) -> None:
        if not isinstance(key, PrivateKey):
            raise ConfigurationError("a holder needs a private key")
        self._key = key
        self.did = did_key_from_public_key(key.public_key())
        self.verification_method = verification_method_id(self.did)

    @classmethod
    def generate(cls, key_type: KeyType = KeyType.ED25519) -> Holder:
        """A holder with a new random key."""
        return cls(generate_private_key(key_type))

    @classmethod
    def from_pem(cls, data: bytes, *, passphrase: str | bytes) -> Holder:
        """Load the holder's encrypted PKCS#8 key (:class:`~innopass.errors.PassphraseError`
        for a wrong passphrase, :class:`~innopass.errors.KeyMaterialError` for a bad key)."""
        return cls(private_key_from_pem(data, passphrase_bytes(passphrase)))

    def to_pem(
        self, passphrase: str | bytes, *, kdf_iterations: int = DEFAULT_KDF_ITERATIONS
    ) -> bytes:
        """The key as encrypted PKCS#8 PEM, to keep in a file of mode 0600."""
        return self._key.to_pem(passphrase_bytes(passphrase), kdf_iterations=kdf_iterations)

    @property
    def key_type(self) -> KeyType:
        return self._key.key_type

    def present(
        self,
        credentials: Sequence[Mapping[str, Any] | str],
        *,
        challenge: str,
        domain: str,
        format: PresentationFormat = "di",
        now: datetime | None = None,
        valid_for: timedelta = DEFAULT_PRESENTATION_VALIDITY,
        presentation_id: str | None = None,
    ) -> JSONObject | str:
        """A presentation of ``credentials`` answering ``challenge`` for ``domain``.

        ``credentials`` are Data Integrity credentials (objects), compact ``vc+jwt``
        texts, or enveloped credentials. ``format`` ``"di"`` gives a JSON presentation
        with a Data Integrity ``authentication`` proof (``challenge``, ``domain``,
        ``created``, ``expires``); ``"jwt"`` a compact ``vp+jwt`` (``nonce``, ``aud``,
        ``iat``, ``exp``). The proof expires ``valid_for`` after ``now``.
        """
        if format not in _FORMATS:
            raise ConfigurationError(f"presentation format must be 'di' or 'jwt', not {format!r}")
        for name, value in (("challenge", challenge), ("domain", domain)):
            if not isinstance(value, str) or not value.strip():
                raise ConfigurationError(f"a presentation needs the verifier's {name}")
        if valid_for <= timedelta(0):
            raise ConfigurationError("valid_for must be positive")
        signed_at = now or utc_now()
        if signed_at.tzinfo is None:
            raise ConfigurationError("now must be timezone-aware")
        presentation: JSONObject = {
            "@context": [CREDENTIALS_V2],
            "id": presentation_id or f"urn:uuid:{uuid.uuid4()}",
            "type": [PRESENTATION_TYPE],
            "holder": self.did,
            "verifiableCredential": [_entry(c, i) for i, c in enumerate(credentials)],
        }
        require_conforming(presentation, presentation=True)
        expires = signed_at + valid_for
        if format == "jwt":
            return sign_vp_jwt(
                presentation,
                self._key,
                kid=self.verification_method,
                issued_at=signed_at,
                challenge=challenge,
                domain=domain,
                expires=expires,
            )
        return add_proof(
            presentation,
            key=self._key,
            suite=suite_for_key(self._key.key_type),
            options=ProofOptions(
                verification_method=self.verification_method,
                proof_purpose=AUTHENTICATION,
                created=signed_at,
                expires=expires,
                challenge=challenge,
                domain=domain,
            ),
        )

    def __repr__(self) -> str:
        return f"Holder({self.did!r})"
