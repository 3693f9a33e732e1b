"""Bearer tokens for the service's issuing and status endpoints, stored hashed in the home.

``<home>/service/tokens.json`` (mode 0600, in a 0700 directory) lists each token's
id, name, scopes, creation and revocation time and the SHA-256 of the token; the
token itself is shown once, when it is created, and never stored. A token is
``ipt_<id>_<secret>`` with a 256-bit random secret, so a plain SHA-256 (no slow
hash) is enough: the secret cannot be guessed, only stolen. Presented tokens are
compared by :func:`hmac.compare_digest` over the digests, and a token whose id is
unknown is compared against a dummy digest, so the time taken says nothing.

Changes take the home's token lock, re-read the file under it and replace it
atomically; each is audited in the organisation's ledger (``token-create``,
``token-revoke``, never the token). A running service re-reads the file when its
identity (inode, modification time, size) changes, so a revocation takes effect
at the next request without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Final

from innopass._internal.files import atomic_write, exclusive_lock
from innopass._internal.jsonio import JSONObject, load_file_strict
from innopass._internal.timestamps import format_datetime, parse_datetime, utc_now
from innopass.errors import ConfigurationError, MalformedInputError
from innopass.issuer import Ledger

__all__ = ["TOKENS_FILE", "Scope", "TokenInfo", "TokenStore"]

SERVICE_DIR: Final = "service"
TOKENS_FILE: Final = "tokens.json"
_LOCK: Final = ".tokens.lock"
_PREFIX: Final = "ipt"
_TOKEN = re.compile(r"ipt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
_MAX_NAME: Final = 100
_DUMMY_DIGEST: Final = hashlib.sha256(b"innopass: no such token").hexdigest()


class Scope(StrEnum):
    """What a token may do: sign credentials, or change their status."""

    ISSUE = "issue"
    STATUS = "status"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """One token as stored: everything but the token itself."""

    id: str
    name: str
    scopes: frozenset[Scope]
    created: datetime
    digest: str = field(repr=False)
    revoked: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None

    def to_json(self) -> JSONObject:
        return {
            "id": self.id,
            "name": self.name,
            "scopes": [str(s) for s in sorted(self.scopes)],
            "created": format_datetime(self.created),
            "revoked": None if self.revoked is None else format_datetime(self.revoked),
            "sha256": self.digest,
        }

    @classmethod
    def from_json(cls, obj: object) -> TokenInfo:
        if not isinstance(obj, dict):
            raise MalformedInputError("a token entry is not an object")
        try:
            revoked = obj.get("revoked")
            scopes = obj["scopes"]
            if not isinstance(scopes, list):
                raise TypeError("scopes is not a list")
            return cls(
                id=str(obj["id"]),
                name=str(obj["name"]),
                scopes=frozenset(Scope(str(s)) for s in scopes),
                created=parse_datetime(obj["created"]),
                digest=str(obj["sha256"]),
                revoked=None if revoked is None else parse_datetime(revoked),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedInputError(f"a token entry is malformed: {exc}") from exc


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_name(name: str) -> str:
    clean = name.strip()
    if not clean or len(clean) > _MAX_NAME or any(not c.isprintable() for c in clean):
        raise MalformedInputError(f"a token name must be 1-{_MAX_NAME} printable characters")
    return clean


class TokenStore:
    """The tokens of one organisation home (see the module docstring)."""

    def __init__(
        self,
        home: str | os.PathLike[str],
        *,
        clock: Callable[[], datetime] = utc_now,
        ledger: Ledger | None = None,
    ) -> None:
        self.home = Path(home)
        self.directory = self.home / SERVICE_DIR
        self.path = self.directory / TOKENS_FILE
        self._clock = clock
        self._ledger = ledger
        self._cache_lock = threading.Lock()
        self._cached: tuple[tuple[int, int, int] | None, dict[str, TokenInfo]] = (None, {})

    # --- reading ------------------------------------------------------------------------

    def _read(self) -> dict[str, TokenInfo]:
        if not self.path.exists():
            return {}
        try:
            data = load_file_strict(self.path)
        except MalformedInputError as exc:
            raise ConfigurationError(f"{self.path} is damaged: {exc.diagnostics()}") from exc
        entries = data.get("tokens") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ConfigurationError(f"{self.path} is damaged: no token list")
        try:
            tokens = [TokenInfo.from_json(item) for item in entries]
        except MalformedInputError as exc:
            raise ConfigurationError(f"{self.path} is damaged: {exc.diagnostics()}") from exc
        return {t.id: t for t in tokens}

    def tokens(self) -> tuple[TokenInfo, ...]:
        """Every token, active or revoked, oldest first."""
        return tuple(sorted(self._read().values(), key=lambda t: (t.created, t.id)))

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _current(self) -> dict[str, TokenInfo]:
        """The tokens, re-read only when the file changed (for the service's requests)."""
        stamp = self._stamp()
        with self._cache_lock:
            if stamp is not None and stamp == self._cached[0]:
                return self._cached[1]
            tokens = self._read()
            self._cached = (stamp, tokens)
            return tokens

    def authenticate(self, presented: str) -> TokenInfo | None:
        """The active token ``presented`` is, else ``None`` (the caller checks its scopes).

        Compared in constant time over the SHA-256 digests; an unknown id is
        compared against a dummy digest.
        """
        match = _TOKEN.fullmatch(presented)
        token_id = match.group(1) if match else ""
        known = self._current().get(token_id)
        expected = known.digest if known is not None else _DUMMY_DIGEST
        same = hmac.compare_digest(_digest(presented), expected)
        if not same or known is None or not known.active:
            return None
        return known

    def has_active(self) -> bool:
        """Whether any token can be used."""
        return any(t.active for t in self._current().values())

    # --- changing -----------------------------------------------------------------------

    def _write(self, tokens: Iterable[TokenInfo]) -> None:
        body = {"formatVersion": 1, "tokens": [t.to_json() for t in tokens]}
        atomic_write(self.path, (json.dumps(body, indent=2) + "\n").encode("utf-8"), mode=0o600)

    def _prepare_directory(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)

    def create(self, name: str, scopes: Iterable[Scope | str]) -> tuple[TokenInfo, str]:
        """Create a token; return what is stored and the token itself (shown once)."""
        clean = _check_name(name)
        chosen = frozenset(Scope(s) for s in scopes)
        if not chosen:
            raise MalformedInputError("a token needs at least one scope (issue, status)")
        self._prepare_directory()
        with exclusive_lock(self.directory / _LOCK):
            tokens = self._read()
            token_id = secrets.token_hex(8)
            while token_id in tokens:  # 64 random bits: practically never
                token_id = secrets.token_hex(8)
            token = f"{_PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"
            info = TokenInfo(token_id, clean, chosen, self._clock(), _digest(token))
            details: JSONObject = {"name": clean, "scopes": [str(s) for s in sorted(chosen)]}
            with self._audited("token-create", token_id, details):
                self._write([*tokens.values(), info])
        return info, token

    def revoke(self, token_id: str) -> TokenInfo:
        """Revoke a token by its id (kept in the file, marked revoked); final."""
        self._prepare_directory()
        with exclusive_lock(self.directory / _LOCK):
            tokens = self._read()
            known = tokens.get(token_id)
            if known is None:
                raise MalformedInputError(f"no token with id {token_id!r} (see: token list)")
            if not known.active:
                return known
            revoked = replace(known, revoked=self._clock())
            tokens[token_id] = revoked
            with self._audited("token-revoke", token_id, {"name": known.name}):
                self._write(tokens.values())
        return revoked

    @contextmanager
    def _audited(self, action: str, token_id: str, details: JSONObject) -> Iterator[None]:
        """The file change inside a ledger transaction holding its audit entry (if a ledger
        was given): a change that cannot be written is not audited, and the reverse."""
        if self._ledger is None:
            yield
            return
        with self._ledger.transaction() as tx:
            tx.audit(action, f"token:{token_id}", details)
            yield
