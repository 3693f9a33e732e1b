"""The limits a verifier applies to untrusted input, as one named, documented setting.

Every bound innopass places on what arrives from outside is here, with a safe
default; ``docs/LIMITS.md`` lists them in one table. Pass your own
:class:`Limits` to a :class:`~innopass.verifier.Verifier` (or a verifier home) to
change them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from innopass._internal.bitstring import DEFAULT_MAX_LIST_BYTES
from innopass._internal.jsonio import JsonLimits
from innopass._internal.proof import DEFAULT_MAX_PROOFS
from innopass.errors import ConfigurationError

__all__ = ["DEFAULT", "Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on untrusted input. Every field has a safe default."""

    max_bytes: int = 8 * 1024 * 1024
    """Largest document read (a passport, bundle, trust list, status list file): 8 MiB."""
    max_depth: int = 64
    """Deepest nesting of JSON arrays and objects."""
    max_proofs: int = DEFAULT_MAX_PROOFS
    """Most Data Integrity proofs on one document (a set or a chain)."""
    max_status_list_bytes: int = DEFAULT_MAX_LIST_BYTES
    """Largest decoded status list (4 MiB: 33.5 million entries)."""
    max_clock_skew: timedelta = timedelta(minutes=5)
    """How far apart the verifier's clock and the issuer's may be."""
    status_max_age: timedelta = timedelta(days=7)
    """Oldest status list (by ``validFrom``, else fetch time) a verdict may rely on."""
    fetch_timeout: float = 10.0
    """Seconds one fetch may take in all, connection and body together (``--online``)."""
    fetch_max_bytes: int = 4 * 1024 * 1024
    """Largest response body fetched (``--online``)."""
    run_fetch_budget: float = 30.0
    """Seconds all the fetches of one verification may take together (``--online``)."""

    def __post_init__(self) -> None:
        positive = (
            self.max_bytes,
            self.max_depth,
            self.max_proofs,
            self.max_status_list_bytes,
            self.fetch_timeout,
            self.fetch_max_bytes,
            self.run_fetch_budget,
        )
        if any(value <= 0 for value in positive) or self.status_max_age <= timedelta(0):
            raise ConfigurationError("limits must be positive")
        if self.max_clock_skew < timedelta(0):
            raise ConfigurationError("the clock skew allowed must not be negative")

    @property
    def json(self) -> JsonLimits:
        """The size and depth limits, as the strict JSON reader takes them."""
        return JsonLimits(max_bytes=self.max_bytes, max_depth=self.max_depth)


DEFAULT = Limits()
