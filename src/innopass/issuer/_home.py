"""An organisation's home directory: public description, encrypted keys and the ledger.

Layout::

    <home>/                       mode 0700 when ``org init`` creates it
    <home>/organisation.json      public description (FORMATS.md §4), mode 0644
    <home>/keys/<fragment>.pem    PKCS#8 private keys encrypted with the passphrase, mode 0600
    <home>/ledger.sqlite          passports, status allocations, audit log, mode 0600

Private keys are only ever written encrypted (``BestAvailableEncryption``), through
:func:`~innopass._internal.files.atomic_write` with mode 0600 from the first byte, in a
``keys`` directory of mode 0700. An empty passphrase is refused, and a new key
needs one of at least :data:`MIN_PASSPHRASE_LENGTH` characters. Output files
(passports, bundles, status lists, trust lists, exports) are never written
into ``keys/``, over ``organisation.json`` or over the ledger.

Only the current key's private key is kept: a rotation destroys the retired key's
file (overwritten, then removed), and :meth:`OrganisationHome.compromise_key` marks
any listed key compromised. A home rotated by an earlier innopass may still hold
retired key files; the next rotation or compromise destroys them
(``innopass org show`` lists them meanwhile).

Key ids: a ``did:web`` organisation names its keys ``<did>#key-1``, ``#key-2`` …
and can rotate them; a ``did:key`` organisation has exactly one key,
``<did>#<multibase>``, and cannot rotate (its DID *is* the key).
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from innopass._internal.files import atomic_write
from innopass._internal.jsonio import dumps_pretty, load_file_strict, read_file_limited
from innopass._internal.output import check_output_dir, check_output_file
from innopass._internal.passphrase import (
    new_passphrase_bytes,
    passphrase_bytes,
)
from innopass._internal.pkcs8 import pem_structure_intact
from innopass._internal.timestamps import utc_now
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
    KeyFileDamagedError,
    KeyMaterialError,
    MalformedInputError,
    OutputError,
    ResolutionError,
)
from innopass.issuer._ledger import Ledger, LedgerTransaction
from innopass.keys import KeyType, PrivateKey, generate_private_key, private_key_from_pem
from innopass.trust import KeyWindow, LedgerCheckpoint, OrganisationDescription, valid_ods_code

__all__ = [
    "KEYS_DIR",
    "LEDGER_FILE",
    "ORGANISATION_FILE",
    "HomeSnapshot",
    "OrganisationHome",
    "default_status_base",
]

ORGANISATION_FILE = "organisation.json"
KEYS_DIR = "keys"
LEDGER_FILE = "ledger.sqlite"
_FRAGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")
_KEY_FILE = re.compile(r"key-([0-9]{1,9})\.pem")
_MAX_NAME = 200

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_URI_CHARS = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})"
_URL_PATH = re.compile(rf"/{_URI_CHARS}*")
_URN = re.compile(rf"(?i:urn):[A-Za-z0-9][A-Za-z0-9-]{{0,30}}[A-Za-z0-9]:{_URI_CHARS}+")
_MAX_STATUS_BASE = 512


def _did_web_host(value: str) -> str:
    """``--did-web`` as given, normalised once: surrounding spaces and slashes removed."""
    return value.strip().strip("/")


def default_status_base(*, ods_code: str, did_web_host: str | None) -> str:
    """Where status lists are served by default (FORMATS.md §3).

    ``https://<host and path>/status/`` for a did:web organisation;
    ``urn:innopass:status:<ODS>/`` for a did:key one (verifiers take those lists
    from their cache or a bundle).
    """
    if did_web_host is not None:
        return f"https://{_did_web_host(did_web_host)}/status/"
    return f"urn:innopass:status:{ods_code}/"


def _status_base(value: str) -> str:
    """Validate ``--status-url``: ``https://host[:port][/path]`` or ``urn:NID:NSS``; end in ``/``.

    An https URL must have a host and may have a port and a path, but no user
    information, query or fragment; a URN needs a valid namespace identifier
    (RFC 8141) and no query or fragment. Anything else raises
    :class:`MalformedInputError`.
    """
    base = value.strip()

    def refuse(why: str) -> MalformedInputError:
        return MalformedInputError(
            f"status-list base {value!r} {why}: give an https:// URL or a urn: identifier"
        )

    if not base or len(base) > _MAX_STATUS_BASE:
        raise refuse(f"must be 1-{_MAX_STATUS_BASE} characters")
    if any(c.isspace() or not c.isprintable() or not c.isascii() for c in base):
        raise refuse("contains spaces, control or non-ASCII characters")
    if "?" in base or "#" in base:
        raise refuse("has a query or fragment")
    if base.startswith("https://"):
        parts = urlsplit(base)
        if "@" in parts.netloc:
            raise refuse("has user information")
        try:
            parts.port  # noqa: B018 - validates the port
        except ValueError:
            raise refuse("has an invalid port") from None
        host = parts.hostname or ""
        if not (_HOSTNAME.fullmatch(host) or _is_ip_address(host)):
            raise refuse("has no valid host")
        path = parts.path or "/"
        if not _URL_PATH.fullmatch(path) or any(s in (".", "..") for s in path.split("/")):
            raise refuse("has an invalid path")
        base = f"https://{parts.netloc}{path}"
    elif not _URN.fullmatch(base):
        raise refuse("is neither an https:// URL nor a valid urn: (urn:NID:NSS)")
    return base if base.endswith("/") else base + "/"


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


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
class HomeSnapshot:
    """The organisation description as read at one moment, with the file's identity then.

    ``stamp`` (inode, modification time, size) is taken *before* the file is read,
    so a change made while reading shows up as a stale stamp, never the reverse.
    """

    description: OrganisationDescription
    stamp: tuple[int, int, int]

    @property
    def current_key_id(self) -> str:
        """The key new signatures use (see :meth:`OrganisationHome.current_key_id`)."""
        return _current_key(self.description).id


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
        otherwise the DID is a ``did:key``. The passphrase must be at least
        :data:`MIN_PASSPHRASE_LENGTH` characters (:class:`PassphraseError`).
        Refuses (:class:`ConfigurationError`) to touch a directory that already
        holds a home or part of one, or a path that is not a directory.

        Crash safety: the home is built in a hidden temporary directory beside
        ``path`` (mode 0700) and renamed into place at the end, so a crash leaves
        either no home or a complete one. When ``path`` is a directory that
        already holds other files (a verifier home, say), the home is built in a
        hidden directory inside it and its parts are moved in, ``keys`` first
        and ``organisation.json`` last. Of two ``init`` runs on one path, one
        succeeds and the other raises :class:`ConfigurationError`.
        """
        if not valid_ods_code(ods_code):
            raise MalformedInputError(
                f"ODS code {ods_code!r} must be 1-9 upper-case letters or digits"
            )
        clean_name = _check_name(name)
        secret = new_passphrase_bytes(passphrase)
        home = cls(Path(path))
        home.ensure_vacant()
        now = clock()
        key = generate_private_key(key_type)
        public = key.public_key()
        host = None if did_web is None else _did_web_host(did_web)
        if host is not None:
            did = did_web_from_host(host)
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
            else default_status_base(ods_code=ods_code, did_web_host=host)
        )
        description = OrganisationDescription(
            ods_code=ods_code,
            name=clean_name,
            did=did,
            did_document=document,
            status_list_base=base,
            keys=(KeyWindow(id=key_id, valid_from=now),),
        )
        into_existing = home._holds_other_files()
        staging = home._make_staging(into_existing=into_existing)
        try:
            staged = cls(staging)
            staged.keys_dir.mkdir(mode=0o700)
            os.chmod(staged.keys_dir, 0o700)
            staged._write_key(key_id, key, secret)
            with (
                Ledger.open(staged.ledger_path, create=True, clock=clock) as ledger,
                ledger.transaction() as tx,
            ):
                tx.audit(
                    "org-init",
                    did,
                    {
                        "odsCode": ods_code,
                        "name": clean_name,
                        "key": key_id,
                        "keyType": key_type.value,
                    },
                )
            staged._write_description(description)
            home._install(staging, into_existing=into_existing)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise ConfigurationError(
                f"cannot create the organisation home at {home.path}: {exc.strerror or exc}"
            ) from exc
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return home

    def _holds_other_files(self) -> bool:
        """Whether ``path`` is a directory with entries (none of them a home: see ensure_vacant)."""
        try:
            return self.path.is_dir() and any(self.path.iterdir())
        except OSError as exc:
            raise ConfigurationError(f"cannot read {self.path}: {exc.strerror or exc}") from exc

    def _make_staging(self, *, into_existing: bool) -> Path:
        """A new hidden directory (mode 0700) to build the home in, on the same file system."""
        parent = self.path if into_existing else self.path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            return Path(
                tempfile.mkdtemp(prefix=f".{self.path.name or 'home'}.org-init-", dir=parent)
            )
        except OSError as exc:
            raise ConfigurationError(
                f"cannot create the organisation home at {self.path}: {exc.strerror or exc}"
            ) from exc

    def _install(self, staging: Path, *, into_existing: bool) -> None:
        """Put the home built in ``staging`` in place (see :meth:`init`)."""
        if not into_existing:
            try:
                # Atomic; replaces an empty directory, fails on a non-empty one.
                os.rename(staging, self.path)
            except OSError as exc:
                if not self._is_empty_dir():
                    raise self._install_failed(exc) from exc
                # An empty directory that cannot be replaced (a mount point, or a
                # platform whose rename does not replace directories): move in.
            else:
                _fsync_dir(self.path.parent)
                return
        self._move_parts_in(staging)

    def _is_empty_dir(self) -> bool:
        try:
            return self.path.is_dir() and not any(self.path.iterdir())
        except OSError:
            return False

    def _install_failed(self, exc: OSError) -> ConfigurationError:
        if os.path.lexists(self.organisation_path) or os.path.lexists(self.keys_dir):
            return ConfigurationError(
                f"another `innopass org init` created a home at {self.path} meanwhile; "
                "refusing to overwrite it"
            )
        return ConfigurationError(
            f"cannot create the organisation home at {self.path}: {exc.strerror or exc}"
        )

    def _move_parts_in(self, staging: Path) -> None:
        """Move the staged parts into the existing directory ``path``, undoing on failure.

        ``keys`` goes first: renaming a directory onto a non-empty one fails, so
        of two concurrent runs only one gets past it. ``organisation.json`` goes
        last: its presence is what makes the directory a home.
        """
        ledger_files = sorted(p.name for p in staging.iterdir() if p.name.startswith(LEDGER_FILE))
        moved: list[str] = []
        try:
            for part in (KEYS_DIR, *ledger_files, ORGANISATION_FILE):
                target = self.path / part
                if part != KEYS_DIR and os.path.lexists(target):
                    raise FileExistsError(errno.EEXIST, "exists", str(target))
                os.rename(staging / part, target)
                moved.append(part)
        except OSError as exc:
            for part in reversed(moved):
                with contextlib.suppress(OSError):
                    os.rename(self.path / part, staging / part)
            raise self._install_failed(exc) from exc
        with contextlib.suppress(OSError):
            staging.rmdir()
        _fsync_dir(self.path)

    def ensure_vacant(self) -> None:
        """Raise :class:`ConfigurationError` unless a new home can be created here.

        Refused: a path that exists but is not a directory, a directory that
        holds a home, and one that holds part of one (``keys`` or the ledger
        without ``organisation.json``: an ``org init`` that was interrupted, or
        a home whose description was removed).
        """
        path = self.path
        if os.path.lexists(path) and not path.is_dir():
            raise ConfigurationError(
                f"{path} exists and is not a directory; refusing to use it as an organisation home"
            )
        ancestor = path.absolute().parent
        while not os.path.lexists(ancestor) and ancestor.parent != ancestor:
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            raise ConfigurationError(
                f"cannot create an organisation home at {path}: {ancestor} is not a directory"
            )
        if os.path.lexists(self.organisation_path):
            raise ConfigurationError(
                f"{path} already holds an organisation home ({ORGANISATION_FILE}); "
                "refusing to overwrite it"
            )
        try:
            parts = sorted(
                p.name
                for p in (path.iterdir() if path.is_dir() else ())
                if p.name == KEYS_DIR or p.name.startswith(LEDGER_FILE)
            )
        except OSError as exc:
            raise ConfigurationError(f"cannot read {path}: {exc.strerror or exc}") from exc
        if parts:
            listed = ", ".join(str(path / p) for p in parts)
            raise ConfigurationError(
                f"{path} holds an incomplete organisation home ({', '.join(parts)} but no "
                f"{ORGANISATION_FILE}); refusing to overwrite it. If it is left over from an "
                f"interrupted `innopass org init`, remove {listed} and run it again"
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

    # --- output files -------------------------------------------------------------------

    def _refuse_inside(self, output: Path) -> None:
        """Refuse an output path that is, or is inside, the home's private state."""
        try:
            target = output.resolve()
            root = self.path.resolve()
        except (OSError, RuntimeError) as exc:
            raise OutputError(f"cannot resolve {output}: {exc}", path=output) from exc
        keys = root / KEYS_DIR
        if (
            target in (keys, root / ORGANISATION_FILE)
            or keys in target.parents
            or (target.parent == root and target.name.startswith(LEDGER_FILE))
        ):
            raise OutputError(
                f"refusing to write {output}: it is part of the organisation home {self.path} "
                f"({KEYS_DIR}/, {ORGANISATION_FILE}, {LEDGER_FILE})",
                path=output,
            )

    def check_output_file(self, output: Path) -> None:
        """Before signing: ``output`` can be written as a file and is not part of this home.

        Raises :class:`~innopass._internal.output.OutputError`.
        """
        self._refuse_inside(output)
        check_output_file(output)

    def check_output_dir(self, output: Path) -> None:
        """Before signing: ``output`` is or can be a writable directory outside the home's state."""
        self._refuse_inside(output)
        check_output_dir(output)

    # --- the public description -------------------------------------------------------

    def stamp(self) -> tuple[int, int, int]:
        """Identity of ``organisation.json`` now: (inode, modification time in ns, size)."""
        try:
            st = self.organisation_path.stat()
        except OSError as exc:
            raise ConfigurationError(
                f"cannot read {self.organisation_path}: {exc.strerror or exc}"
            ) from exc
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def snapshot(self) -> HomeSnapshot:
        """The description, read once, with the file's stamp taken just before reading."""
        stamp = self.stamp()
        return HomeSnapshot(self.description(), stamp)

    def description(self) -> OrganisationDescription:
        """The organisation's current public description (without ``exportedAt``)."""
        try:
            return OrganisationDescription.from_json(load_file_strict(self.organisation_path))
        except MalformedInputError as exc:
            raise ConfigurationError(
                f"{self.organisation_path} is damaged: {exc.diagnostics()}"
            ) from exc

    def export(self, *, clock: Callable[[], datetime] = utc_now) -> OrganisationDescription:
        """The public description stamped with ``exportedAt`` (``innopass org export``).

        It carries the ledger's checkpoint now (``ledgerCheckpoint``), once the ledger
        verifies (:class:`~innopass.errors.LedgerTamperedError` if it does not): a
        description handed out anchors the ledger as it was.
        """
        description = self.description()
        with self.open_ledger(clock=clock, description=description) as ledger:
            point = ledger.require_intact()
        return replace(description, exported_at=clock(), ledger_checkpoint=point)

    def _write_description(self, description: OrganisationDescription) -> None:
        atomic_write(
            self.organisation_path, dumps_pretty(description.to_json()).encode("utf-8"), mode=0o644
        )

    def _rewrite_description(self, description: OrganisationDescription) -> None:
        """:meth:`_write_description` over an existing home: an ``OSError`` becomes a
        :class:`ConfigurationError` naming the file."""
        try:
            self._write_description(description)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot write {self.organisation_path}: {exc.strerror or exc}"
            ) from exc

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

    def load_key(
        self,
        key_id: str,
        passphrase: str | bytes,
        *,
        description: OrganisationDescription | None = None,
    ) -> PrivateKey:
        """Decrypt the private key ``key_id``; it must match the public key the DID document lists.

        ``description`` saves re-reading ``organisation.json`` when the caller
        has just read it. A wrong passphrase raises
        :class:`~innopass.errors.PassphraseError`.
        """
        secret = passphrase_bytes(passphrase)
        path = self.key_path(key_id)
        described = description or self.description()
        window = described.key_window(key_id)
        retired = window is not None and (window.valid_until is not None or window.compromised)
        if retired and not os.path.lexists(path):
            raise KeyMaterialError(
                f"{key_id} is retired or compromised: its private key was destroyed "
                "and never signs again"
            )
        try:
            data = read_file_limited(path, max_bytes=64 * 1024)
        except MalformedInputError as exc:
            raise KeyMaterialError(f"cannot read the key file: {exc.diagnostics()}") from exc
        if not pem_structure_intact(data):
            raise KeyFileDamagedError(
                f"the key file {path} is damaged (truncated, overwritten or not an encrypted "
                "private key): restore it from a backup; nothing was signed"
            )
        key = private_key_from_pem(data, secret)
        document = described.did_document
        method = document.method(key_id)
        if method is None or method.public_key != key.public_key():
            raise KeyMaterialError(
                f"{path} does not hold the key the DID document lists as {key_id}"
            )
        return key

    def open_ledger(
        self,
        *,
        clock: Callable[[], datetime] = utc_now,
        description: OrganisationDescription | None = None,
    ) -> Ledger:
        """Open the home's ledger (close it when done).

        The checkpoint the description carries (the ledger as of the last status
        lists signed) becomes one the ledger must hold (:attr:`Ledger.anchors`);
        ``description`` saves reading it again when the caller just did.
        """
        ledger = Ledger.open(self.ledger_path, clock=clock)
        try:
            point = (description or self.description()).ledger_checkpoint
        except BaseException:
            ledger.close()
            raise
        if point is not None:
            ledger.anchors = ((f"the description {self.organisation_path}", point),)
        return ledger

    def record_checkpoint(self, checkpoint: LedgerCheckpoint) -> None:
        """Write ``checkpoint`` into ``organisation.json`` (call it holding the ledger's lock).

        Never moves the checkpoint back: a checkpoint older than the one recorded
        is ignored.
        """
        description = self.description()
        held = description.ledger_checkpoint
        if held is not None and held.length >= checkpoint.length:
            return
        self._rewrite_description(replace(description, ledger_checkpoint=checkpoint))

    def rotate_key(
        self,
        passphrase: str | bytes,
        *,
        key_type: KeyType | None = None,
        compromised: bool = False,
        clock: Callable[[], datetime] = utc_now,
    ) -> str:
        """Add a new signing key and retire the current one; return the new key id.

        Only ``did:web`` organisations rotate (a ``did:key`` DID is its key:
        :class:`ConfigurationError`). The retired key keeps its verification
        method in the DID document, under ``assertionMethod``, and gets
        ``validUntil`` = now in ``keys``, so passports it signed keep verifying;
        with ``compromised`` it is marked ``compromised: true`` instead, and
        every passport it signed fails verification once verifiers hold the new
        description or trust list. The passphrase must decrypt the current key.

        Order, all under the ledger's write lock (no other process signs or
        rotates meanwhile):

        1. rotations an earlier crash left without an audit entry are recorded
           (``rotate-key`` with ``"recovered": true``);
        2. the new key is written to ``keys/key-<n>.pem``, numbered past every
           key the description lists *and* every key file present, so a file
           orphaned by a crash never blocks a rotation; orphaned key files (never
           listed in the description, so never used) are removed;
        3. the audit entry is added to the open transaction;
        4. the description is replaced atomically: the rotation takes effect;
        5. the transaction commits;
        6. the retired key's private key file (and any other retired key's, left by
           an earlier version) is destroyed (:meth:`destroy_retired_keys`): a
           retired key never signs again, so a leaked copy of the home made later
           holds no key that could forge a back-dated passport.

        A failure before step 4 rolls the ledger back and removes the new key
        file. A crash between steps 4 and 5 leaves a rotation without its audit
        entry, which step 1 of the next rotation records.
        """
        secret = passphrase_bytes(passphrase)
        if did_method(self.description().did) != "web":
            raise ConfigurationError(
                "did:key identifiers cannot rotate: "
                "an organisation that must rotate keys uses did:web"
            )
        with self.open_ledger(clock=clock) as ledger, ledger.transaction() as tx:
            description = self.description()  # re-read under the ledger lock
            _record_unaudited_rotations(tx, description)
            current = _current_key(description)
            current_key = self.load_key(current.id, secret, description=description)
            new_type = key_type or current_key.key_type
            new_id = f"{description.did}#key-{self._next_key_number(description)}"
            self._remove_orphan_keys(description)
            now = _next_whole_second(clock())
            new_key = generate_private_key(new_type)
            document = _with_new_method(
                description.did_document,
                VerificationMethod(new_id, "Multikey", description.did, new_key.public_key()),
            )
            retired = [
                replace(k, valid_until=now, compromised=k.compromised or compromised)
                if k.id == current.id
                else k
                for k in description.keys
            ]
            keys = (*retired, KeyWindow(id=new_id, valid_from=now))
            try:
                self._write_key(new_id, new_key, secret)
            except OSError as exc:
                raise ConfigurationError(
                    f"cannot write the new key file {self.key_path(new_id)}: {exc.strerror or exc}"
                ) from exc
            published = False
            try:
                tx.audit(
                    "rotate-key",
                    description.did,
                    {
                        "retired": current.id,
                        "new": new_id,
                        "keyType": new_type.value,
                        "compromised": compromised,
                    },
                )
                self._rewrite_description(replace(description, did_document=document, keys=keys))
                published = True
            finally:
                if not published and not self._lists_key(new_id):
                    with contextlib.suppress(OSError):
                        self.key_path(new_id).unlink()
        self._destroy_after(f"rotated to {new_id}")
        return new_id

    def _destroy_after(self, done: str) -> None:
        """Destroy retired keys once a change is committed; say what was done if it fails."""
        try:
            self.destroy_retired_keys()
        except ConfigurationError as exc:
            raise ConfigurationError(
                f"{done}, but {exc}; remove it by hand (it can no longer sign)"
            ) from exc

    def retired_key_files(self) -> list[Path]:
        """Key files of keys the description lists as retired or compromised.

        None is left by this innopass (a rotation destroys the retired key); a home
        rotated by an earlier version may hold some, until its next rotation or
        :meth:`compromise_key`, or :meth:`destroy_retired_keys`.
        """
        description = self.description()
        return [
            path
            for k in description.keys
            if (k.valid_until is not None or k.compromised)
            and "#" in k.id
            and os.path.lexists(path := self.key_path(k.id))
        ]

    def destroy_retired_keys(self) -> list[Path]:
        """Destroy the private keys of retired and compromised keys; return the files destroyed.

        Each file is overwritten with random bytes, flushed to disk, then removed (and
        the removal made durable). On file systems that copy on write or remap blocks
        (SSDs, btrfs, ZFS, snapshots, backups) old blocks may survive an overwrite, so
        the home's directory should live on encrypted storage; the key was encrypted
        with the passphrase in any case.
        """
        destroyed = []
        for path in self.retired_key_files():
            _destroy_file(path)
            destroyed.append(path)
        return destroyed

    def compromise_key(
        self,
        key_id: str,
        passphrase: str | bytes,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> str | None:
        """Mark the listed key ``key_id`` compromised: every passport it signed then fails.

        Any key the description lists can be marked, current or retired. The
        current key of a ``did:web`` organisation is rotated at the same time
        (:meth:`rotate_key` with ``compromised``), and the new key id is returned;
        otherwise ``None``. A ``did:key`` organisation's only key is its DID:
        marking it leaves the organisation unable to sign (it needs a new DID).
        The passphrase must decrypt the current key (it proves the operator, and
        nothing changes when it does not). The change is audited, the description
        replaced atomically under the ledger's write lock, and the compromised
        key's private key file destroyed. Raises :class:`ConfigurationError` for a
        key the description does not list or one already marked.
        """
        secret = passphrase_bytes(passphrase)
        description = self.description()
        window = description.key_window(key_id)
        if window is None:
            listed = ", ".join(k.id for k in description.keys)
            raise ConfigurationError(
                f"{key_id[:200]} is not a key of this organisation (its keys: {listed})"
            )
        if window.compromised:
            raise ConfigurationError(f"{key_id} is already marked compromised")
        current = _current_key(description)
        if current.id == key_id and did_method(description.did) == "web":
            return self.rotate_key(secret, compromised=True, clock=clock)
        with self.open_ledger(clock=clock) as ledger, ledger.transaction() as tx:
            description = self.description()  # re-read under the ledger lock
            current = _current_key(description)
            self.load_key(current.id, secret, description=description)
            window = description.key_window(key_id)
            if window is None or window.compromised:
                raise ConfigurationError(f"{key_id} changed meanwhile; run the command again")
            keys = tuple(
                replace(k, compromised=True) if k.id == key_id else k for k in description.keys
            )
            tx.audit(
                "key-compromise",
                description.did,
                {"key": key_id, "current": current.id == key_id},
            )
            self._rewrite_description(replace(description, keys=keys))
        self._destroy_after(f"marked {key_id} compromised")
        return None

    def _lists_key(self, key_id: str) -> bool:
        """Whether the description on disk names ``key_id`` (``True`` when it cannot be read:
        a key file is only removed when it is certain that no description published it)."""
        try:
            return self.description().key_window(key_id) is not None
        except (ConfigurationError, OSError):
            return True

    def _key_file_numbers(self) -> list[int]:
        try:
            names = [p.name for p in self.keys_dir.iterdir()]
        except OSError as exc:
            raise KeyMaterialError(f"cannot read {self.keys_dir}: {exc.strerror or exc}") from exc
        return [int(m.group(1)) for n in names if (m := _KEY_FILE.fullmatch(n))]

    def _next_key_number(self, description: OrganisationDescription) -> int:
        listed = [
            int(m.group(1))
            for k in description.keys
            if (m := re.fullmatch(re.escape(description.did) + r"#key-([0-9]+)", k.id))
        ]
        return max([*listed, *self._key_file_numbers()], default=0) + 1

    def _remove_orphan_keys(self, description: OrganisationDescription) -> None:
        """Remove key files (and temporary files) no description ever listed: keys never used."""
        listed = {self.key_path(k.id).name for k in description.keys if "#" in k.id}
        with contextlib.suppress(OSError):
            for entry in self.keys_dir.iterdir():
                orphan = _KEY_FILE.fullmatch(entry.name) and entry.name not in listed
                leftover = entry.name.startswith(".") and entry.name.endswith(".tmp")
                if orphan or leftover:
                    with contextlib.suppress(OSError):
                        entry.unlink()


def _record_unaudited_rotations(
    tx: LedgerTransaction, description: OrganisationDescription
) -> None:
    """Audit rotations the description shows but the audit log lacks (a crash before commit)."""
    recorded: set[str] = set()
    for entry in tx.audit_entries():
        key = entry.details.get("key" if entry.action == "org-init" else "new")
        if entry.action in ("org-init", "rotate-key") and isinstance(key, str):
            recorded.add(key)
    if not recorded:
        return  # a ledger with no org-init entry: nothing to compare against
    previous: KeyWindow | None = None
    for window in description.keys:
        if window.id not in recorded:
            tx.audit(
                "rotate-key",
                description.did,
                {
                    "retired": None if previous is None else previous.id,
                    "new": window.id,
                    "compromised": previous is not None and previous.compromised,
                    "recovered": True,
                },
            )
        previous = window


def _destroy_file(path: Path) -> None:
    """Overwrite ``path`` with random bytes, fsync it, remove it and fsync its directory."""
    try:
        with open(path, "r+b") as handle:
            size = os.fstat(handle.fileno()).st_size
            handle.write(os.urandom(size))
            handle.flush()
            os.fsync(handle.fileno())
        os.unlink(path)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot destroy the retired key file {path}: {exc.strerror or exc}"
        ) from exc
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
