"""The innopass exception tree.

One root, :class:`InnopassError`, narrow subclasses that carry attributes rather
than prose, and a ``diagnostics()`` method the command line prints as one line.
Third-party exceptions are caught at the boundary and re-raised from these with
``from``; none escapes the public API.

``Verifier.verify()`` never raises on hostile input: it turns these into
failures inside a ``VerificationResult``. They are raised by the building blocks
(parsers, key loaders, resolvers) and by misuse (configuration errors).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass.verifier.result import VerificationResult

__all__ = [
    "ConfigurationError",
    "InnopassError",
    "InvalidSignatureError",
    "KeyMaterialError",
    "KeyNotAuthorisedError",
    "KeyNotFoundError",
    "LedgerError",
    "LimitExceededError",
    "MalformedInputError",
    "NetworkError",
    "PassphraseError",
    "ProofError",
    "RecordInvalidError",
    "ResolutionError",
    "SchemaProblem",
    "StatusListError",
    "TrustError",
    "UnsupportedSuiteError",
    "VerificationFailed",
]


class InnopassError(Exception):
    """Root of every error innopass raises on purpose."""

    def diagnostics(self) -> str:
        """One line for a person: what went wrong and, where known, where."""
        return str(self) or type(self).__name__


class ConfigurationError(InnopassError):
    """Programming or configuration error, raised when an object is built."""


class MalformedInputError(InnopassError):
    """Input that is not what it claims to be: bad JSON, bad encoding, wrong shape.

    ``path`` is a JSON pointer (RFC 6901) to the offending value, ``""`` for the
    whole document.
    """

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def diagnostics(self) -> str:
        return f"{self.message} (at {self.path})" if self.path else self.message


class LimitExceededError(MalformedInputError):
    """Input beyond a configured size, depth or count limit."""


class KeyMaterialError(InnopassError):
    """A key that cannot be used: wrong type, bad encoding, invalid point, or a secret key
    where a public one is expected."""


class PassphraseError(KeyMaterialError):
    """A private key could not be decrypted with the passphrase given."""


class InvalidSignatureError(InnopassError):
    """A signature does not verify under the key."""


class UnsupportedSuiteError(InnopassError):
    """A cryptosuite or JOSE algorithm that is unknown or not allowed here."""

    def __init__(self, name: str, message: str | None = None) -> None:
        super().__init__(message or f"unsupported suite or algorithm: {name!r}")
        self.name = name


class ProofError(InnopassError):
    """A proof that cannot be created or checked for structural reasons."""

    def __init__(self, message: str, *, path: str = "/proof") -> None:
        super().__init__(message)
        self.path = path


class ResolutionError(InnopassError):
    """A DID or DID URL that cannot be resolved to a usable document or key."""

    def __init__(self, did: str, message: str) -> None:
        super().__init__(message)
        self.did = did


class KeyNotFoundError(ResolutionError):
    """The DID document resolved, but holds no verification method with that id."""


class KeyNotAuthorisedError(ResolutionError):
    """The verification method exists but is not listed under the required relationship."""


class NetworkError(InnopassError):
    """A fetch failed, or was refused because the caller is offline."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(message)
        self.url = url


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One JSON Schema violation: where (JSON pointer) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.message}"


class RecordInvalidError(InnopassError):
    """An assessment record (or other schema-bound document) fails its schema."""

    def __init__(self, problems: Sequence[SchemaProblem], *, what: str = "record") -> None:
        self.problems = tuple(problems)
        super().__init__(f"{what} is invalid: {len(self.problems)} problem(s)")

    def diagnostics(self) -> str:
        first = self.problems[0] if self.problems else None
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return f"{self}: {first}{more}" if first else str(self)


class LedgerError(InnopassError):
    """The issuer's ledger refused or failed an operation."""


class StatusListError(InnopassError):
    """A status list that cannot be decoded, or a status change that is not allowed."""


class TrustError(InnopassError):
    """A trust list, anchor or trust-store operation that is not allowed."""


class VerificationFailed(InnopassError):
    """Raised by ``VerificationResult.raise_for_failure()``; carries the result."""

    def __init__(self, result: VerificationResult) -> None:
        self.result = result
        codes = ", ".join(f.code for f in result.failures) or result.verdict
        super().__init__(f"passport not verified: {codes}")
