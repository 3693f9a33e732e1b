"""Strict JSON for untrusted input, JSON types and JSON-pointer helpers.

Every document that comes from outside (passports, bundles, trust lists, status
lists, records, DID documents) is read by :func:`loads_strict`, which refuses what
RFC 8785 and I-JSON refuse: duplicate object keys, NaN and the infinities
(including numbers that overflow to them), lone surrogates, and documents over the
configured size or nesting depth.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from innopass.errors import LimitExceededError, MalformedInputError

__all__ = [
    "DEFAULT_LIMITS",
    "JSONObject",
    "JSONValue",
    "JsonLimits",
    "dumps_pretty",
    "load_file_strict",
    "loads_strict",
    "pointer",
    "require_object",
]

JSONValue: TypeAlias = bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None
JSONObject: TypeAlias = dict[str, JSONValue]


@dataclass(frozen=True, slots=True)
class JsonLimits:
    """Limits applied to untrusted JSON. A setting, not a constant: pass your own."""

    max_bytes: int = 8 * 1024 * 1024
    max_depth: int = 64


DEFAULT_LIMITS = JsonLimits()


def pointer(*parts: str | int) -> str:
    """Build an RFC 6901 JSON pointer from path segments."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


class _BadNumber(Exception):
    def __init__(self, text: str) -> None:
        self.text = text


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _Duplicate(key)
        obj[key] = value
    return obj


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(text)
    return value


def _parse_constant(text: str) -> Any:
    raise _BadNumber(text)


_DECODER = json.JSONDecoder(
    object_pairs_hook=_pairs_hook, parse_float=_parse_float, parse_constant=_parse_constant
)


def _has_lone_surrogate(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_tree(value: Any, max_depth: int) -> None:
    """Iteratively check depth and lone surrogates (no recursion on hostile input)."""
    stack: list[tuple[Any, int, tuple[str | int, ...]]] = [(value, 0, ())]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, str):
            if _has_lone_surrogate(node):
                raise MalformedInputError("string contains a lone surrogate", path=pointer(*path))
            continue
        if isinstance(node, dict):
            if depth >= max_depth:
                raise LimitExceededError(
                    f"document nested deeper than {max_depth} levels", path=pointer(*path)
                )
            for key, child in node.items():
                if _has_lone_surrogate(key):
                    raise MalformedInputError("key contains a lone surrogate", path=pointer(*path))
                if isinstance(child, dict | list | str):
                    stack.append((child, depth + 1, (*path, key)))
        elif isinstance(node, list):
            if depth >= max_depth:
                raise LimitExceededError(
                    f"document nested deeper than {max_depth} levels", path=pointer(*path)
                )
            for index, child in enumerate(node):
                if isinstance(child, dict | list | str):
                    stack.append((child, depth + 1, (*path, index)))


def loads_strict(
    data: str | bytes | bytearray, *, limits: JsonLimits = DEFAULT_LIMITS
) -> JSONValue:
    """Parse untrusted JSON text strictly.

    Raises :class:`MalformedInputError` (or its subclass :class:`LimitExceededError`)
    with a JSON pointer where one is known.
    """
    size = (
        len(data)
        if isinstance(data, bytes | bytearray)
        else len(data.encode("utf-8", "surrogatepass"))
    )
    if size > limits.max_bytes:
        raise LimitExceededError(f"document is {size} bytes, over the limit of {limits.max_bytes}")
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedInputError(f"not UTF-8: {exc.reason} at byte {exc.start}") from exc
    else:
        text = data
    if text.startswith("\ufeff"):
        raise MalformedInputError("byte order mark before JSON text")
    try:
        value = _DECODER.decode(text)
    except _Duplicate as exc:
        raise MalformedInputError(f"duplicate object key {exc.key!r}") from None
    except _BadNumber as exc:
        raise MalformedInputError(f"number not allowed: {exc.text}") from None
    except RecursionError:
        raise LimitExceededError(f"document nested deeper than {limits.max_depth} levels") from None
    except json.JSONDecodeError as exc:
        raise MalformedInputError(
            f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise MalformedInputError(f"not JSON: {exc}") from None
    _check_tree(value, limits.max_depth)
    return value  # type: ignore[no-any-return]


def load_file_strict(path: str | Path, *, limits: JsonLimits = DEFAULT_LIMITS) -> JSONValue:
    """Read and strictly parse a JSON file, refusing files over the size limit before reading."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > limits.max_bytes:
            raise LimitExceededError(f"{p}: {size} bytes, over the limit of {limits.max_bytes}")
        data = p.read_bytes()
    except OSError as exc:
        raise MalformedInputError(f"cannot read {p}: {exc.strerror or exc}") from exc
    return loads_strict(data, limits=limits)


def require_object(value: JSONValue, *, what: str = "document", path: str = "") -> JSONObject:
    """Return ``value`` as a JSON object or raise :class:`MalformedInputError`."""
    if not isinstance(value, dict):
        raise MalformedInputError(f"{what} is not a JSON object", path=path)
    return value


def dumps_pretty(value: Mapping[str, Any] | Iterable[Any] | JSONValue) -> str:
    """Human-readable JSON for files people open (not for signing: see canonical.py)."""
    return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
