"""XML Schema ``dateTimeStamp`` parsing and formatting (VC DM 2.0 §4.9).

A timestamp must carry a zone (``Z`` or ``±hh:mm``); impossible dates are refused
because the value is parsed, not only matched.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from innopass.errors import MalformedInputError

__all__ = ["format_datetime", "parse_datetime", "utc_now"]

_DATETIME = re.compile(
    r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?"
    r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)


def parse_datetime(value: object, *, path: str = "") -> datetime:
    """Parse a dateTimeStamp into an aware UTC ``datetime``; raise ``MalformedInputError``."""
    if not isinstance(value, str) or not _DATETIME.fullmatch(value):
        raise MalformedInputError(
            f"not an RFC 3339 date-time with a time zone: {value!r}", path=path
        )
    text = value
    if "." in text:  # Python keeps at most microseconds
        head, _, rest = text.partition(".")
        digits = re.match(r"[0-9]+", rest)
        assert digits is not None
        text = head + "." + digits.group()[:6].ljust(6, "0") + rest[digits.end() :]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise MalformedInputError(f"impossible date-time: {value!r}", path=path) from exc
    return parsed.astimezone(UTC)


def format_datetime(value: datetime) -> str:
    """Format an aware datetime as UTC ``YYYY-MM-DDThh:mm:ssZ`` (whole seconds)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: innopass timestamps are always aware")
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_now() -> datetime:
    """The current time, aware, in UTC (the default clock)."""
    return datetime.now(UTC)
