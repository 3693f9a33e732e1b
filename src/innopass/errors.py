"""Every error innopass raises, each with a stable ``code``, and the verification failure codes.

One root, :class:`InnopassError`; narrow subclasses that carry attributes rather
than prose; a ``diagnostics()`` line the command line prints. Third-party
exceptions are caught at the boundary and re-raised from these with ``from``; none
escapes the public API, and neither does a bare ``ValueError``.

Every error has a ``code``: a short, stable, lower-case string that callers and
tests compare instead of message text. Errors raised while checking a credential
(:class:`CheckFailed` and the errors the building blocks raise) use the
:class:`FailureCode` values that verification results report.

``Verifier.verify()`` never raises on hostile input: it turns these into failures
inside a ``VerificationResult``. They are raised by the building blocks (parsers,
key loaders, resolvers), by the issuer and the homes, and by misuse
(configuration errors).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass.verifier import PresentationResult, VerificationResult

__all__ = [
    "AuditChainError",
    "CheckFailed",
    "ConfigurationError",
    "CredentialInvalidError",
    "FailureCode",
    "FailureFamily",
    "InnopassError",
    "InnopassWarning",
    "InvalidSignatureError",
    "KeyFileDamagedError",
    "KeyMaterialError",
    "KeyNotAuthorisedError",
    "KeyNotFoundError",
    "LedgerError",
    "LedgerTamperedError",
    "LimitExceededError",
    "MalformedInputError",
    "NetworkError",
    "OutputError",
    "PassphraseError",
    "PassportNotFoundError",
    "PassportReferenceError",
    "PolicyError",
    "ProofError",
    "RecordInvalidError",
    "ResolutionError",
    "SchemaProblem",
    "StatusChangeError",
    "StatusListError",
    "TrustError",
    "TrustImportError",
    "UnreadableFileError",
    "UnsupportedSuiteError",
    "VerificationFailed",
    "WrongKindOfFileError",
]


class FailureFamily(StrEnum):
    """``invalid`` failures reject; ``unverifiable`` ones make the result indeterminate."""

    INVALID = "invalid"
    UNVERIFIABLE = "unverifiable"


class FailureCode(StrEnum):
    """Why a verification check did not pass (PRODUCT.md §6, plus a few more precise codes)."""

    MALFORMED = "malformed"
    UNSUPPORTED_SUITE = "unsupported-suite"
    KEY_NOT_FOUND = "key-not-found"
    KEY_NOT_AUTHORISED = "key-not-authorised"
    KEY_UNRESOLVABLE = "key-unresolvable"
    SIGNATURE_INVALID = "signature-invalid"
    ISSUER_UNTRUSTED = "issuer-untrusted"
    KEY_NOT_VALID_AT_TIME = "key-not-valid-at-time"
    KEY_COMPROMISED = "key-compromised"
    SIGNING_TIME_UNKNOWN = "signing-time-unknown"
    ISSUER_WITHDRAWN = "issuer-withdrawn"
    NOT_YET_VALID = "not-yet-valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    STATUS_UNAVAILABLE = "status-unavailable"
    STATUS_STALE = "status-stale"
    STATUS_LIST_INVALID = "status-list-invalid"
    SCHEMA_INVALID = "schema-invalid"
    DIGEST_MISMATCH = "digest-mismatch"
    TRUST_LIST_INVALID = "trust-list-invalid"
    TRUST_LIST_EXPIRED = "trust-list-expired"
    TRUST_LIST_ROLLBACK = "trust-list-rollback"
    TRUST_LIST_OUTDATED = "trust-list-outdated"
    """The key is not in the trust list held, which was signed before the proof was made:
    a newer list may name it (a routine key rotation)."""
    TRUST_CONFLICT = "trust-conflict"
    NOT_A_PASSPORT = "not-a-passport"
    CONTEXT_INVALID = "context-invalid"
    ID_INVALID = "id-invalid"
    TYPE_INVALID = "type-invalid"
    LANGUAGE_VALUE_INVALID = "language-value-invalid"
    SUBJECT_EMPTY = "subject-empty"
    RELATED_RESOURCE_INVALID = "related-resource-invalid"
    STATUS_TYPE_UNSUPPORTED = "status-type-unsupported"
    CHALLENGE_MISMATCH = "challenge-mismatch"
    DOMAIN_MISMATCH = "domain-mismatch"
    INTERNAL_ERROR = "internal-error"

    @property
    def family(self) -> FailureFamily:
        """The family this code belongs to."""
        return FailureFamily.UNVERIFIABLE if self in _UNVERIFIABLE else FailureFamily.INVALID


_UNVERIFIABLE: Final = frozenset(
    {
        FailureCode.UNSUPPORTED_SUITE,
        FailureCode.KEY_UNRESOLVABLE,
        FailureCode.SIGNING_TIME_UNKNOWN,
        FailureCode.STATUS_UNAVAILABLE,
        FailureCode.STATUS_STALE,
        FailureCode.TRUST_LIST_EXPIRED,
        FailureCode.STATUS_TYPE_UNSUPPORTED,
        FailureCode.TRUST_LIST_OUTDATED,
    }
)


class InnopassError(Exception):
    """Root of every error innopass raises on purpose. ``code`` is stable; the message is not."""

    code: str = "error"

    def diagnostics(self) -> str:
        """One line for a person: what went wrong and, where known, where."""
        return str(self) or type(self).__name__


class InnopassWarning(UserWarning):
    """Something a person should know that did not stop the operation (a cache file skipped)."""


class ConfigurationError(InnopassError):
    """Programming or configuration error, raised when an object is built or a home opened."""

    code: str = "configuration"


class MalformedInputError(InnopassError):
    """Input that is not what it claims to be: bad JSON, bad encoding, wrong shape.

    ``path`` is a JSON pointer (RFC 6901) to the offending value, ``""`` for the
    whole document.
    """

    code: str = FailureCode.MALFORMED

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def diagnostics(self) -> str:
        return f"{self.message} (at {self.path})" if self.path else self.message


class UnreadableFileError(MalformedInputError):
    """A named file that does not exist, cannot be read, or is not a regular file."""

    code: str = "file-unreadable"


class WrongKindOfFileError(MalformedInputError):
    """A file innopass knows, given where another kind is needed (a record given to ``verify``)."""

    code: str = "wrong-kind-of-file"


class LimitExceededError(MalformedInputError):
    """Input beyond a configured size, depth or count limit."""

    code: str = "limit-exceeded"


class KeyMaterialError(InnopassError):
    """A key that cannot be used: wrong type, bad encoding, invalid point, or a secret key
    where a public one is expected."""

    code: str = "key-material"


class KeyFileDamagedError(KeyMaterialError):
    """A private key file that is truncated, overwritten or otherwise not a whole key file.

    Told apart from a wrong passphrase: the file itself must be restored from a backup.
    """

    code: str = "key-file-damaged"


class PassphraseError(KeyMaterialError):
    """A private key could not be decrypted with the passphrase given, or none was given."""

    code: str = "passphrase"


class InvalidSignatureError(InnopassError):
    """A signature does not verify under the key."""

    code: str = FailureCode.SIGNATURE_INVALID


class UnsupportedSuiteError(InnopassError):
    """A cryptosuite or JOSE algorithm that is unknown or not allowed here."""

    code: str = FailureCode.UNSUPPORTED_SUITE

    def __init__(self, name: str, message: str | None = None) -> None:
        super().__init__(message or f"unsupported suite or algorithm: {name!r}")
        self.name = name


class ProofError(InnopassError):
    """A proof that cannot be created or checked for structural reasons."""

    code: str = FailureCode.MALFORMED

    def __init__(self, message: str, *, path: str = "/proof") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class ResolutionError(InnopassError):
    """A DID or DID URL that cannot be resolved to a usable document or key."""

    code: str = FailureCode.KEY_UNRESOLVABLE

    def __init__(self, did: str, message: str) -> None:
        super().__init__(message)
        self.did = did


class KeyNotFoundError(ResolutionError):
    """The DID document resolved, but holds no verification method with that id."""

    code: str = FailureCode.KEY_NOT_FOUND


class KeyNotAuthorisedError(ResolutionError):
    """The verification method exists but is not listed under the required relationship."""

    code: str = FailureCode.KEY_NOT_AUTHORISED


class NetworkError(InnopassError):
    """A fetch failed, or was refused because the caller is offline or the URL is not allowed."""

    code: str = "network"

    def __init__(self, url: str, message: str) -> None:
        super().__init__(message)
        self.url = url


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One JSON Schema violation (or record rule): where (JSON pointer) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.message}"


class RecordInvalidError(InnopassError):
    """An assessment record (or other schema-bound document) fails its schema or rules."""

    code: str = "record-invalid"

    def __init__(self, problems: Sequence[SchemaProblem], *, what: str = "record") -> None:
        self.problems = tuple(problems)
        self.what = what
        super().__init__(f"{what} is invalid: {len(self.problems)} problem(s)")

    def diagnostics(self) -> str:
        first = self.problems[0] if self.problems else None
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return f"{self}: {first}{more}" if first else str(self)


class PolicyError(RecordInvalidError):
    """An acceptance policy that cannot be read: not TOML, or it fails its schema or rules.

    ``problems`` name each place (a JSON pointer into the policy read as JSON) and what
    is wrong there; a TOML syntax error is one problem at ``""`` with its line.
    """

    code: str = "policy-invalid"

    def __init__(self, problems: Sequence[SchemaProblem]) -> None:
        super().__init__(problems, what="policy")


class LedgerError(InnopassError):
    """The issuer's ledger refused or failed an operation."""

    code: str = "ledger"


class PassportNotFoundError(LedgerError):
    """The ledger holds no passport with this id."""

    code: str = "passport-not-found"

    def __init__(self, passport_id: str) -> None:
        super().__init__(f"no passport {passport_id!r} in this organisation's ledger")
        self.passport_id = passport_id


class LedgerTamperedError(LedgerError):
    """The ledger fails verification: edited, rolled back or damaged (``problems`` says how).

    Issuing, status changes and status-list signing refuse to run on it, so that
    nothing is signed from a ledger that no longer says what was done.
    """

    code: str = "ledger-tampered"

    def __init__(self, path: Path, problems: Sequence[str]) -> None:
        self.path = path
        self.problems = tuple(problems)
        first = self.problems[0] if self.problems else "unknown problem"
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(
            f"the ledger {path} fails verification: {first}{more}. Nothing was signed or "
            "changed; run `innopass ledger verify` for every problem, and restore the ledger "
            "from a backup that verifies"
        )


class AuditChainError(LedgerError):
    """The audit log's hash chain is broken at entry ``seq``."""

    code: str = "audit-chain-broken"

    def __init__(self, seq: int, message: str) -> None:
        super().__init__(f"audit log entry {seq}: {message}")
        self.seq = seq


class PassportReferenceError(MalformedInputError):
    """A reference to a passport that is neither a passport id (``urn:…``) nor a passport file."""

    code: str = "passport-reference"


class StatusListError(InnopassError):
    """A status list that cannot be decoded or encoded."""

    code: str = FailureCode.STATUS_LIST_INVALID


class StatusChangeError(InnopassError):
    """A status change that is not allowed (anything on a revoked passport, say)."""

    code: str = "status-change-refused"


class TrustError(InnopassError):
    """A trust-list, anchor or trust-store operation that is not allowed."""

    code: str = "trust"


class CheckFailed(InnopassError):
    """One coded failure found while checking a credential, a trust list or a status list.

    ``failure`` is the :class:`FailureCode` (also ``code``); ``path`` a JSON pointer
    into the document checked.
    """

    def __init__(self, failure: FailureCode, message: str, path: str = "") -> None:
        super().__init__(message)
        self.failure = failure
        self.code = str(failure)
        self.message = message
        self.path = path

    def diagnostics(self) -> str:
        return f"{self.failure}: {self.message}" + (f" (at {self.path})" if self.path else "")


class CredentialInvalidError(InnopassError):
    """A credential or presentation that does not conform to the VC Data Model 2.0, refused
    before anything is signed. ``problems`` are the coded failures (the verifier would
    report the same ones under ``parse``), each with a JSON pointer."""

    code: str = "credential-invalid"

    def __init__(self, problems: Sequence[CheckFailed], *, what: str = "credential") -> None:
        self.problems = tuple(problems)
        self.what = what
        super().__init__(
            f"refusing to sign a non-conforming {what}: {len(self.problems)} problem(s)"
        )

    def diagnostics(self) -> str:
        first = self.problems[0] if self.problems else None
        if first is None:
            return str(self)
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        where = f" at {first.path}" if first.path else ""
        return f"{self}: {first.failure}{where}: {first.message}{more}"


class TrustImportError(TrustError):
    """An import into a verifier's trust store was refused; ``failure`` says why."""

    def __init__(self, failure: FailureCode, message: str, *, path: str = "") -> None:
        super().__init__(f"{failure}: {message}")
        self.failure = failure
        self.code = str(failure)
        self.message = message
        self.path = path

    def diagnostics(self) -> str:
        return f"refused ({self.failure}): {self.message}" + (
            f" (at {self.path})" if self.path else ""
        )


class OutputError(InnopassError):
    """An output file or directory that cannot (or must not) be written.

    ``path`` is the file or directory; ``passport_id`` names the passport that is
    already recorded in the ledger when its file could not be written.
    """

    code: str = "output"

    def __init__(self, message: str, *, path: Path, passport_id: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.passport_id = passport_id


class VerificationFailed(InnopassError):
    """Raised by ``VerificationResult.raise_for_failure()``; carries the result."""

    code: str = "verification-failed"

    def __init__(self, result: VerificationResult | PresentationResult) -> None:
        self.result = result
        codes = ", ".join(f.code for f in result.failures) or result.verdict
        what = "passport" if hasattr(result, "passport") else "presentation"
        super().__init__(f"{what} not verified: {codes}")
