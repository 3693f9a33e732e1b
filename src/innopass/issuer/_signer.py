"""The narrow signing capability the issuer's parts share: a key, its id, the organisation.

Status lists, trust lists and bundles are signed through a :class:`Signer`, never
through the whole :class:`~innopass.issuer.Issuer`. Whatever it signs is first held
to the VC Data Model 2.0 (:func:`~innopass._internal.datamodel.require_conforming`,
the rules the verifier reports under ``parse``): a non-conforming document raises
:class:`~innopass.errors.CredentialInvalidError` and nothing is signed. :class:`HomeSigner` is the
signer of an organisation home: it holds the decrypted current key and refuses to
sign once another process has rotated it (call :meth:`HomeSigner.check_current`
inside the ledger transaction that records what is signed; rotation takes the same
lock).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from innopass._internal.datamodel import require_conforming
from innopass._internal.jose import sign_vc_jwt
from innopass._internal.jsonio import JSONObject
from innopass._internal.proof import ProofOptions, add_proof
from innopass._internal.suites import suite_for_key
from innopass.errors import KeyMaterialError
from innopass.issuer._home import HomeSnapshot, OrganisationHome
from innopass.keys import PrivateKey
from innopass.trust import LedgerCheckpoint, OrganisationDescription

__all__ = ["HomeSigner", "Signer"]


class Signer(Protocol):
    """Signs documents as one organisation, with its current key."""

    @property
    def description(self) -> OrganisationDescription:
        """The organisation's public description, as of the last :meth:`check_current`."""
        ...

    @property
    def key_id(self) -> str:
        """The verification method new signatures name."""
        ...

    def check_current(self) -> None:
        """Raise :class:`~innopass.errors.KeyMaterialError` if the key is no longer current."""
        ...

    def sign(self, document: Mapping[str, Any], *, created: datetime) -> JSONObject:
        """A copy of ``document`` with a Data Integrity proof (``assertionMethod``).

        Raises :class:`~innopass.errors.CredentialInvalidError` for a document that does
        not conform to the VC Data Model 2.0 (nothing is signed then).
        """
        ...

    def sign_jwt(self, credential: Mapping[str, Any], *, issued_at: datetime) -> str:
        """``credential`` secured as a ``vc+jwt`` compact JWS (checked as :meth:`sign`)."""
        ...

    def publish_checkpoint(self, checkpoint: LedgerCheckpoint) -> None:
        """Record in the organisation's description the ledger checkpoint just signed into
        published material (called inside the ledger transaction that signs it)."""
        ...


class HomeSigner:
    """The signer of an organisation home (see the module docstring)."""

    __slots__ = ("_home", "_key", "_key_id", "_snapshot")

    def __init__(self, home: OrganisationHome, key: PrivateKey, snapshot: HomeSnapshot) -> None:
        key_id = snapshot.current_key_id
        method = snapshot.description.did_document.method(key_id)
        if method is None or method.public_key != key.public_key():
            raise KeyMaterialError(f"the key given is not the organisation's current key {key_id}")
        self._home = home
        self._key = key
        self._key_id = key_id
        self._snapshot = snapshot

    @classmethod
    def open(cls, home: OrganisationHome, passphrase: str | bytes) -> HomeSigner:
        """Decrypt the home's current key (``organisation.json`` is read once)."""
        snapshot = home.snapshot()
        key = home.load_key(snapshot.current_key_id, passphrase, description=snapshot.description)
        return cls(home, key, snapshot)

    @property
    def description(self) -> OrganisationDescription:
        return self._snapshot.description

    @property
    def key_id(self) -> str:
        return self._key_id

    def check_current(self) -> None:
        """Refuse to sign if another process rotated the key since it was loaded."""
        if self._home.stamp() == self._snapshot.stamp:
            return
        current = self._home.snapshot()
        if current.current_key_id != self._key_id:
            raise KeyMaterialError(
                "the organisation's signing key was rotated while this process was running; "
                "run the command again"
            )
        self._snapshot = current

    def sign(self, document: Mapping[str, Any], *, created: datetime) -> JSONObject:
        require_conforming(document)
        return add_proof(
            document,
            key=self._key,
            suite=suite_for_key(self._key.key_type),
            options=ProofOptions(verification_method=self._key_id, created=created),
        )

    def sign_jwt(self, credential: Mapping[str, Any], *, issued_at: datetime) -> str:
        require_conforming(credential)
        return sign_vc_jwt(credential, self._key, kid=self._key_id, issued_at=issued_at)

    def publish_checkpoint(self, checkpoint: LedgerCheckpoint) -> None:
        self._home.record_checkpoint(checkpoint)
