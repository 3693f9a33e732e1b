"""An organisation's home directory: public description, encrypted keys and the ledger.

Layout::

    <home>/organisation.json      public description (FORMATS.md §4), mode 0644
    <home>/keys/<fragment>.pem    PKCS#8 private keys encrypted with the passphrase, mode 0600
    <home>/ledger.sqlite          passports, status allocations, audit log

Private keys are only ever written encrypted (``BestAvailableEncryption``), through
:func:`~innopass._home.atomic_write` with mode 0600 from the first byte, in a
``keys`` directory of mode 0700. An empty passphrase is refused.

Key ids: a ``did:web`` organisation names its keys ``<did>#key-1``, ``#key-2`` …
and can rotate them; a ``did:key`` organisation has exactly one key,
``<did>#<multibase>``, and cannot rotate (its DID *is* the key).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from innopass._home import atomic_write
from innopass._json import dumps_pretty, load_file_strict
from innopass._time import utc_now
from innopass.did import (
    DidDocument,
    VerificationMethod,
    did_key_document,
    did_key_from_public_key,
    did_method,
    did_web_document,
    did_web_from_host,
    verification_method_id,
)
from innopass.errors import (
    ConfigurationError,
    KeyMaterialError,
    MalformedInputError,
    PassphraseError,
    ResolutionError,
)
from innopass.issuer.ledger import Ledger
from innopass.keys import KeyType, PrivateKey, generate_private_key, private_key_from_pem
from innopass.trust import KeyWindow, OrganisationDescription, valid_ods_code

__all__ = [
    "KEYS_DIR",
    "LEDGER_FILE",
    "ORGANISATION_FILE",
    "PASSPHRASE_ENV",
    "OrganisationHome",
    "default_status_base",
    "passphrase_bytes",
]

ORGANISATION_FILE = "organisation.json"
KEYS_DIR = "keys"
LEDGER_FILE = "ledger.sqlite"
PASSPHRASE_ENV = "INNOPASS_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
"""Environment variable the command line reads the key passphrase from."""

_FRAGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")
_MAX_NAME = 200


def passphrase_bytes(passphrase: str | bytes) -> bytes:
    """The passphrase as UTF-8 bytes; an empty one raises :class:`PassphraseError`."""
    data = passphrase.encode("utf-8") if isinstance(passphrase, str) else bytes(passphrase)
    if not data:
        raise PassphraseError("the key passphrase must not be empty")
    return data


def default_status_base(*, ods_code: str, did_web_host: str | None) -> str:
    """Where status lists are served by default (FORMATS.md §3).

    ``https://<host and path>/status/`` for a did:web organisation;
    ``urn:innopass:status:<ODS>/`` for a did:key one (verifiers take those lists
    from their cache or a bundle).
    """
    if did_web_host is not None:
        return f"https://{did_web_host.strip('/')}/status/"
    return f"urn:innopass:status:{ods_code}/"


def _status_base(value: str) -> str:
    base = value.strip()
    if not (base.startswith(("https://", "urn:"))) or any(c.isspace() for c in base):
        raise MalformedInputError(f"status-list base must be an https:// URL or a urn: {value!r}")
    return base if base.endswith("/") else base + "/"


def _check_name(name: str) -> str:
    clean = name.strip()
    if not clean or len(clean) > _MAX_NAME or any(not c.isprintable() for c in clean):
        raise MalformedInputError(
            f"organisation name must be 1-{_MAX_NAME} printable characters on one line"
        )
    return clean


def _fragment(key_id: str) -> str:
    _, sep, fragment = key_id.partition("#")
    if not sep or not _FRAGMENT.fullmatch(fragment):
        raise KeyMaterialError(f"key id {key_id!r} has no fragment usable as a file name")
    return fragment


@dataclass(frozen=True, slots=True)
class OrganisationHome:
    """An initialised organisation home. Create with :meth:`init`, open with :meth:`open`."""

    path: Path

    @property
    def organisation_path(self) -> Path:
        """``<home>/organisation.json``."""
        return self.path / ORGANISATION_FILE

    @property
    def keys_dir(self) -> Path:
        """``<home>/keys``."""
        return self.path / KEYS_DIR

    @property
    def ledger_path(self) -> Path:
        """``<home>/ledger.sqlite``."""
        return self.path / LEDGER_FILE

    @classmethod
    def init(
        cls,
        path: str | os.PathLike[str],
        *,
        ods_code: str,
        name: str,
        passphrase: str | bytes,
        did_web: str | None = None,
        key_type: KeyType = KeyType.ED25519,
        status_url: str | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> OrganisationHome:
        """Create a home: one new signing key, the public description and an empty ledger.

        ``ods_code`` must already be upper case (1–9 letters or digits);
        ``did_web`` is ``host[:port][/path]`` for a ``did:web`` organisation,
        otherwise the DID is a ``did:key``. Refuses (:class:`ConfigurationError`)
        to touch a directory that already holds a home or part of one.
        """
        if not valid_ods_code(ods_code):
            raise MalformedInputError(
                f"ODS code {ods_code!r} must be 1-9 upper-case letters or digits"
            )
        clean_name = _check_name(name)
        secret = passphrase_bytes(passphrase)
        home = cls(Path(path))
        home.ensure_vacant()
        now = clock()
        key = generate_private_key(key_type)
        public = key.public_key()
        if did_web is not None:
            did = did_web_from_host(did_web.strip().strip("/"))
            key_id = f"{did}#key-1"
            document = did_web_document(
                did,
                [VerificationMethod(key_id, "Multikey", did, public)],
                assertion=[key_id],
                authentication=[key_id],
            )
        else:
            did = did_key_from_public_key(public)
            key_id = verification_method_id(did)
            document = did_key_document(did)
        base = (
            _status_base(status_url)
            if status_url is not None
            else default_status_base(ods_code=ods_code, did_web_host=did_web)
        )
        description = OrganisationDescription(
            ods_code=ods_code,
            name=clean_name,
            did=did,
            did_document=document,
            status_list_base=base,
            keys=(KeyWindow(id=key_id, valid_from=now),),
        )
        home.path.mkdir(parents=True, exist_ok=True)
        home.keys_dir.mkdir(mode=0o700)
        os.chmod(home.keys_dir, 0o700)
        home._write_key(key_id, key, secret)
        with (
            Ledger.open(home.ledger_path, create=True, clock=clock) as ledger,
            ledger.transaction() as tx,
        ):
            tx.audit(
                "org-init",
                did,
                {"odsCode": ods_code, "name": clean_name, "key": key_id, "keyType": key_type.value},
            )
        # Written last: its presence is what makes the directory a home.
        home._write_description(description)
        return home

    def ensure_vacant(self) -> None:
        """Raise :class:`ConfigurationError` if this directory holds a home, or part of one."""
        existing = [
            p.name for p in (self.organisation_path, self.keys_dir, self.ledger_path) if p.exists()
        ]
        if existing:
            raise ConfigurationError(
                f"{self.path} already holds an organisation home ({', '.join(existing)}); "
                "refusing to overwrite it"
            )

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> OrganisationHome:
        """Open an existing home; :class:`ConfigurationError` if ``path`` holds none."""
        home = cls(Path(path))
        if not home.organisation_path.is_file():
            raise ConfigurationError(
                f"no organisation home at {path} (create one with `innopass org init`)"
            )
        return home

    # --- the public description -------------------------------------------------------

    def description(self) -> OrganisationDescription:
        """The organisation's current public description (without ``exportedAt``)."""
        try:
            return OrganisationDescription.from_json(load_file_strict(self.organisation_path))
        except MalformedInputError as exc:
            raise ConfigurationError(
                f"{self.organisation_path} is damaged: {exc.diagnostics()}"
            ) from exc

    def export(self, *, clock: Callable[[], datetime] = utc_now) -> OrganisationDescription:
        """The public description stamped with ``exportedAt`` (``innopass org export``)."""
        return replace(self.description(), exported_at=clock())

    def _write_description(self, description: OrganisationDescription) -> None:
        atomic_write(
            self.organisation_path, dumps_pretty(description.to_json()).encode("utf-8"), mode=0o644
        )

    def current_key_id(self) -> str:
        """The key new signatures use: the newest one that is neither retired nor compromised."""
        return _current_key(self.description()).id

    # --- keys -------------------------------------------------------------------------

    def key_path(self, key_id: str) -> Path:
        """Where the encrypted private key for ``key_id`` is stored."""
        return self.keys_dir / f"{_fragment(key_id)}.pem"

    def _write_key(self, key_id: str, key: PrivateKey, passphrase: bytes) -> None:
        path = self.key_path(key_id)
        if path.exists():
            raise ConfigurationError(f"refusing to overwrite the key file {path}")
        pem = key.to_pem(passphrase)
        if b"ENCRYPTED PRIVATE KEY" not in pem:  # defence in depth: never store a bare key
            raise KeyMaterialError("refusing to write an unencrypted private key")
        atomic_write(path, pem, mode=0o600)

    def load_key(self, key_id: str, passphrase: str | bytes) -> PrivateKey:
        """Decrypt the private key ``key_id``; it must match the public key the DID document lists.

        A wrong passphrase raises :class:`~innopass.errors.PassphraseError`.
        """
        secret = passphrase_bytes(passphrase)
        path = self.key_path(key_id)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise KeyMaterialError(
                f"cannot read the key file {path}: {exc.strerror or exc}"
            ) from exc
        key = private_key_from_pem(data, secret)
        method = self.description().did_document.method(key_id)
        if method is None or method.public_key != key.public_key():
            raise KeyMaterialError(
                f"{path} does not hold the key the DID document lists as {key_id}"
            )
        return key

    def open_ledger(self, *, clock: Callable[[], datetime] = utc_now) -> Ledger:
        """Open the home's ledger (close it when done)."""
        return Ledger.open(self.ledger_path, clock=clock)

    def rotate_key(
        self,
        passphrase: str | bytes,
        *,
        key_type: KeyType | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> str:
        """Add a new signing key and retire the current one; return the new key id.

        Only ``did:web`` organisations rotate (a ``did:key`` DID is its key:
        :class:`ConfigurationError`). The retired key keeps its verification
        method in the DID document, under ``assertionMethod``, and gets
        ``validUntil`` = now in ``keys``, so passports it signed keep verifying.
        The passphrase must decrypt the current key. Runs inside a ledger
        transaction, so no passport is signed by another process mid-rotation,
        and records the rotation in the audit log.
        """
        secret = passphrase_bytes(passphrase)
        description = self.description()
        if did_method(description.did) != "web":
            raise ConfigurationError(
                "did:key identifiers cannot rotate: "
                "an organisation that must rotate keys uses did:web"
            )
        with self.open_ledger(clock=clock) as ledger, ledger.transaction() as tx:
            description = self.description()  # re-read under the ledger lock
            current = _current_key(description)
            current_key = self.load_key(current.id, secret)
            new_type = key_type or current_key.key_type
            numbers = [
                int(m.group(1))
                for k in description.keys
                if (m := re.fullmatch(re.escape(description.did) + r"#key-([0-9]+)", k.id))
            ]
            new_id = f"{description.did}#key-{max(numbers, default=0) + 1}"
            now = _next_whole_second(clock())
            new_key = generate_private_key(new_type)
            document = _with_new_method(
                description.did_document,
                VerificationMethod(new_id, "Multikey", description.did, new_key.public_key()),
            )
            retired = [
                replace(k, valid_until=now) if k.id == current.id else k for k in description.keys
            ]
            keys = (*retired, KeyWindow(id=new_id, valid_from=now))
            self._write_key(new_id, new_key, secret)
            self._write_description(replace(description, did_document=document, keys=keys))
            tx.audit(
                "rotate-key",
                description.did,
                {"retired": current.id, "new": new_id, "keyType": new_type.value},
            )
        return new_id


def _next_whole_second(now: datetime) -> datetime:
    """Wait for the next whole second and return it (``now`` itself if it is one).

    Proof times are whole seconds, so the retired key's ``validUntil`` and the new
    key's ``validFrom`` fall on a second boundary that no signature shares: every
    proof made before the rotation is dated strictly earlier, every later one not.
    """
    if not now.microsecond:
        return now
    time.sleep(1 - now.microsecond / 1_000_000)
    return now.replace(microsecond=0) + timedelta(seconds=1)


def _current_key(description: OrganisationDescription) -> KeyWindow:
    usable = [k for k in description.keys if k.valid_until is None and not k.compromised]
    if not usable:
        raise KeyMaterialError(f"organisation {description.ods_code} has no current signing key")
    return usable[-1]


def _with_new_method(document: DidDocument, method: VerificationMethod) -> DidDocument:
    """The did:web document with ``method`` added; old methods stay under ``assertionMethod``."""
    try:
        return did_web_document(
            document.id,
            [*document.verification_methods, method],
            assertion=[*document.assertion_method, method.id],
            authentication=[method.id],
        )
    except ResolutionError as exc:
        raise ConfigurationError(f"cannot add {method.id} to the DID document: {exc}") from exc
