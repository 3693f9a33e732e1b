"""XML Schema ``dateTimeStamp`` parsing and formatting (VC DM 2.0 §4.9).

A timestamp must carry a zone (``Z`` or ``±hh:mm``); impossible dates are refused
because the value is parsed, not only matched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Final

from innopass.errors import ConfigurationError, MalformedInputError

__all__ = [
    "beyond",
    "format_datetime",
    "is_date",
    "is_date_time",
    "optional_time",
    "parse_datetime",
    "utc_now",
]

_DATETIME = re.compile(
    r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?"
    r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)


#: dateTimeStamps parsed before (the answer is a function of the text alone; a verifier
#: reads the same few again and again): at most this many, of at most this length.
_PARSED_ENTRIES: Final = 4096
_PARSED_LENGTH: Final = 64
_parsed: dict[str, datetime] = {}


def parse_datetime(value: object, *, path: str = "") -> datetime:
    """Parse a dateTimeStamp into an aware UTC ``datetime``; raise ``MalformedInputError``."""
    found = _parsed.get(value) if type(value) is str else None
    if found is not None:
        return found
    parsed = _parse_datetime(value, path)
    if type(value) is str and len(value) <= _PARSED_LENGTH and len(_parsed) < _PARSED_ENTRIES:
        _parsed[value] = parsed
    return parsed


def _parse_datetime(value: object, path: str) -> datetime:
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
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError as exc:
        raise MalformedInputError(f"impossible date-time: {value!r}", path=path) from exc
    except OverflowError as exc:  # e.g. 9999-12-31T23:59:59-01:00 is past year 9999 in UTC
        raise MalformedInputError(f"date-time out of range: {value!r}", path=path) from exc


def optional_time(obj: Mapping[str, object], name: str, *, base: str = "") -> datetime | None:
    """``obj[name]`` parsed as a dateTimeStamp, ``None`` when absent (``null`` counts as absent).

    Raises :class:`MalformedInputError` with the pointer ``<base>/<name>``.
    """
    value = obj.get(name)
    return None if value is None else parse_datetime(value, path=f"{base}/{name}")


def beyond(later: datetime, earlier: datetime, margin: timedelta) -> bool:
    """True when ``later`` is more than ``margin`` after ``earlier``.

    Computed as a difference, so it never overflows near ``datetime.min``/``max``
    (``now > end + skew`` would, for an ``end`` of 9999-12-31T23:59:59Z).
    """
    return later - earlier > margin


def format_datetime(value: datetime) -> str:
    """Format an aware datetime as UTC ``YYYY-MM-DDThh:mm:ssZ`` (whole seconds)."""
    if value.tzinfo is None:
        raise ConfigurationError("naive datetime: innopass timestamps are always aware")
    utc = value.astimezone(UTC)
    # (not strftime: its %Y drops the leading zeros of years before 1000 on glibc)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
        f"T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"
    )


def utc_now() -> datetime:
    """The current time, aware, in UTC (the default clock)."""
    return datetime.now(UTC)


def is_date(instance: object) -> bool:
    """JSON Schema's ``date`` format: an ISO 8601 calendar date that exists.

    Non-strings pass (the schema's ``type`` decides those); an impossible date
    raises :class:`ValueError`, as a format checker does.
    """
    if isinstance(instance, str):
        date.fromisoformat(instance)
    return True


def is_date_time(instance: object) -> bool:
    """JSON Schema's ``date-time`` format: an ISO 8601 date and time that exist (as
    :func:`is_date`; every innopass schema also backs it with a ``pattern``)."""
    if isinstance(instance, str):
        datetime.fromisoformat(instance)
    return True
