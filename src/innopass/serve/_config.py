"""The service's settings: defaults, ``<home>/service/config.toml``, then command-line options.

The file is optional; every key is::

    [issue]
    # VC 2.0 credential types, beyond passports, this organisation signs through
    # POST /credentials/issue ("*" for any type; none by default)
    credential_types = ["ExampleAlumniCredential"]
    # the validity given to such a credential that states no validUntil
    credential_validity_days = 365

    [status]
    # how long a status list the service signs is valid, and how often it is re-signed
    list_validity_hours = 24
    list_refresh_minutes = 60

    [limits]
    max_request_bytes = 2097152       # a larger request body is refused (413)
    rate = "120/minute"               # requests per client address, each worker
    write_rate = "30/minute"          # issue and status changes per client address, each worker

Unknown sections or keys are refused, so a misspelt setting never goes unnoticed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

from innopass._internal.limits import DEFAULT as DEFAULT_LIMITS
from innopass.errors import ConfigurationError

__all__ = ["CONFIG_FILE", "ServiceConfig"]

CONFIG_FILE: Final = "config.toml"
_KEYS: Final = {
    "issue": {"credential_types", "credential_validity_days"},
    "status": {"list_validity_hours", "list_refresh_minutes"},
    "limits": {"max_request_bytes", "rate", "write_rate"},
}


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """What the service allows and how it bounds its work (see the module docstring)."""

    credential_types: frozenset[str] | None = field(default_factory=frozenset)
    """Types beyond passports this organisation signs; ``None`` for any type."""
    credential_validity: timedelta = timedelta(days=365)
    status_list_validity: timedelta = timedelta(hours=24)
    status_list_refresh: timedelta = timedelta(hours=1)
    max_request_bytes: int = 2 * 1024 * 1024
    rate: str = "120/minute"
    write_rate: str = "30/minute"

    def __post_init__(self) -> None:
        if not 1024 <= self.max_request_bytes <= DEFAULT_LIMITS.max_bytes:
            raise ConfigurationError(
                f"max_request_bytes must be 1024-{DEFAULT_LIMITS.max_bytes} bytes"
            )
        if self.credential_validity <= timedelta(0):
            raise ConfigurationError("credential_validity_days must be positive")
        if not timedelta(0) < self.status_list_refresh < self.status_list_validity:
            raise ConfigurationError(
                "list_refresh_minutes must be positive and shorter than list_validity_hours"
            )
        for name in ("rate", "write_rate"):
            _parse_rate(getattr(self, name), name)

    @classmethod
    def load(cls, home: Path) -> ServiceConfig:
        """The settings in ``<home>/service/config.toml`` over the defaults."""
        path = home / "service" / CONFIG_FILE
        if not path.exists():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"cannot read {path}: {exc}") from exc
        return cls.from_mapping(data, where=str(path))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, where: str = "config") -> ServiceConfig:
        for section, values in data.items():
            allowed = _KEYS.get(section)
            if allowed is None or not isinstance(values, dict):
                raise ConfigurationError(f"{where}: unknown section [{section}]")
            unknown = sorted(set(values) - allowed)
            if unknown:
                raise ConfigurationError(f"{where}: unknown setting(s) in [{section}]: {unknown}")
        issue = data.get("issue", {})
        status = data.get("status", {})
        limits = data.get("limits", {})
        base = cls()
        try:
            types = issue.get("credential_types", [])
            if not isinstance(types, list) or not all(isinstance(t, str) and t for t in types):
                raise ConfigurationError(f"{where}: credential_types must be a list of type names")
            return replace(
                base,
                credential_types=None if "*" in types else frozenset(types),
                credential_validity=timedelta(
                    days=_number(issue, "credential_validity_days", 365, where)
                ),
                status_list_validity=timedelta(
                    hours=_number(status, "list_validity_hours", 24, where)
                ),
                status_list_refresh=timedelta(
                    minutes=_number(status, "list_refresh_minutes", 60, where)
                ),
                max_request_bytes=int(
                    _number(limits, "max_request_bytes", base.max_request_bytes, where)
                ),
                rate=str(limits.get("rate", base.rate)),
                write_rate=str(limits.get("write_rate", base.write_rate)),
            )
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"{where}: {exc}") from exc


def _number(section: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigurationError(f"{where}: {key} must be a positive number")
    return float(value)


def _parse_rate(value: str, name: str) -> None:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError as exc:
        raise ConfigurationError(
            f"{name} {value!r} is not a rate such as '120/minute' ({exc})"
        ) from exc
