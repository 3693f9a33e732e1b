"""Strict JSON for untrusted input, JSON types and JSON-pointer helpers.

Every document that comes from outside (passports, bundles, trust lists, status
lists, records, DID documents) is read by :func:`loads_strict`, which refuses what
RFC 8785 and I-JSON refuse: duplicate object keys, NaN and the infinities
(including numbers that overflow to them), lone surrogates, and documents over the
configured size or nesting depth.

Two routes give the same result. The *exact* route is the standard library's
decoder with hooks that refuse duplicates and non-finite numbers, then a walk of
the tree for depth and lone surrogates. The *fast* route (:func:`_fast_loads`) is
orjson, a compiled parser that already refuses NaN, the infinities (and numbers
that overflow to them), lone surrogates, invalid UTF-8, a byte order mark,
control characters and trailing data. What it does not refuse is checked cheaply:

- depth: one pass per level over the containers (never over the text);
- duplicate keys: orjson keeps the last of two equal keys. Every key of the text
  ends in a quote and a colon, and inside strings that pair appears only as an
  escaped quote and a colon, so the text shows ``":`` at least once per key; the
  tree's keys are counted in the same pass as its depth, and the two counts agree
  exactly when no key was dropped (text with space before a colon, which the count
  cannot see, takes the exact route);
- numbers: orjson reads an integer of 2**64 or more, or below -2**63, as a float,
  so a tree holding a float, from text with a run of nineteen digits, takes the exact
  route (a tree without a float read every integer exactly, however long: the digits
  of SHA-256 hex digests often run to nineteen). Floats are read identically by both
  (each gives the nearest double).

Text the fast route cannot decide takes the exact route, which also gives the
error its message and JSON pointer. A differential test
(``tests/unit/test_json_routes.py``) keeps the routes identical.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeAlias

import orjson

from innopass.errors import LimitExceededError, MalformedInputError, UnreadableFileError

__all__ = [
    "DEFAULT_LIMITS",
    "JSONObject",
    "JSONValue",
    "JsonLimits",
    "as_list",
    "dumps_pretty",
    "load_file_strict",
    "loads_strict",
    "parse_strict",
    "plain_without_floats",
    "pointer",
    "read_file_limited",
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


def as_list(value: JSONValue) -> list[JSONValue]:
    """A member that may be one value or a list of them (``type``, ``@context``, …), as a list."""
    return value if isinstance(value, list) else [value]


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


#: A ``\\u`` escape of a UTF-16 surrogate: the only way JSON text in valid UTF-8
#: can produce a lone surrogate (the decoder pairs valid high/low escapes itself).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def _may_hold_surrogates(text: str, *, from_bytes: bool) -> bool:
    """Whether parsing ``text`` may have produced a lone surrogate (cheap, conservative)."""
    if not from_bytes and not text.isascii() and _has_lone_surrogate(text):
        return True
    return _SURROGATE_ESCAPE.search(text) is not None


def _within_depth(value: Any, max_depth: int) -> bool:
    """Whether no container is nested ``max_depth`` deep (fast: no paths kept)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth >= max_depth:
            return False
        children = node.values() if type(node) is dict else node
        stack.extend((c, depth + 1) for c in children if type(c) is dict or type(c) is list)
    return True


def _check_tree(value: Any, max_depth: int, *, strings: bool = True) -> None:
    """Iteratively check depth and, if ``strings``, lone surrogates (no recursion on hostile input).

    Without ``strings`` (the caller has shown that no string can hold a lone
    surrogate) only the depth is checked, and paths are built only to report a problem.
    """
    if not strings and (type(value) not in (dict, list) or _within_depth(value, max_depth)):
        return
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
                if strings and _has_lone_surrogate(key):
                    raise MalformedInputError("key contains a lone surrogate", path=pointer(*path))
                if isinstance(child, dict | list) or (strings and isinstance(child, str)):
                    stack.append((child, depth + 1, (*path, key)))
        elif isinstance(node, list):
            if depth >= max_depth:
                raise LimitExceededError(
                    f"document nested deeper than {max_depth} levels", path=pointer(*path)
                )
            for index, child in enumerate(node):
                if isinstance(child, dict | list) or (strings and isinstance(child, str)):
                    stack.append((child, depth + 1, (*path, index)))


#: A closing quote, then space, then a colon: a key the plain count below cannot see.
_SPACE_BEFORE_COLON: Final = re.compile(rb'"[ \t\r\n]+:')
_DIGITS_AS_NINES: Final = bytes.maketrans(b"0123456789", b"9999999999")
#: orjson reads an integer of 2**64 or more, or below -2**63, as a float; a tree holding a
#: float, from text with a run of nineteen digits (where the second begins), takes the
#: exact route.
_NINETEEN_DIGITS: Final = b"9" * 19
_UNSURE: Final = object()


_NESTED_OR_FLOAT: Final = frozenset({dict, list, float})


def _fast_loads(raw: bytes, max_depth: int) -> tuple[Any, bool] | object:
    """The fast route: the parsed value and whether it holds no float, or :data:`_UNSURE`
    (see the module docstring)."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _UNSURE  # the exact route says why, with a pointer
    if type(value) is not dict and type(value) is not list:
        if type(value) is float and _NINETEEN_DIGITS in raw.translate(_DIGITS_AS_NINES):
            return _UNSURE
        return value, type(value) is not float
    # One pass per level over the containers: how deep they go, how many keys the
    # tree kept, and whether any value is a float.
    keys = 0
    no_float = True
    level: list[Any] = [value]
    for _ in range(max_depth):
        keys += sum([len(node) for node in level if type(node) is dict])
        level = [
            child
            for node in level
            for child in (node.values() if type(node) is dict else node)
            if type(child) in _NESTED_OR_FLOAT
        ]
        if no_float and float in {type(child) for child in level}:
            no_float = False
        if not no_float:
            level = [child for child in level if type(child) is not float]
        if not level:
            break
    else:
        return _UNSURE  # nested too deep: the exact route says where
    # Every key of the text ends in '"' then ':' (after space, which is checked for);
    # inside strings the pair appears only as an escaped quote then a colon. So the
    # text shows at least as many as it has keys, and exactly the tree's count only
    # when the parser dropped none.
    if raw.count(b'":') != keys or _SPACE_BEFORE_COLON.search(raw):
        return _UNSURE  # a duplicate, or something the count cannot see
    if not no_float and _NINETEEN_DIGITS in raw.translate(_DIGITS_AS_NINES):
        return _UNSURE  # a float that may have been an integer out of orjson's range
    return value, no_float


def loads_strict(
    data: str | bytes | bytearray, *, limits: JsonLimits = DEFAULT_LIMITS
) -> JSONValue:
    """Parse untrusted JSON text strictly.

    Raises :class:`MalformedInputError` (or its subclass :class:`LimitExceededError`)
    with a JSON pointer where one is known.
    """
    return parse_strict(data, limits=limits)[0]


def parse_strict(
    data: str | bytes | bytearray, *, limits: JsonLimits = DEFAULT_LIMITS
) -> tuple[JSONValue, bool]:
    """:func:`loads_strict`, and whether the value is known to be plain JSON without a
    float (:func:`plain_without_floats`; learnt while parsing, at no extra cost, and
    ``False`` when unknown)."""
    raw = (
        bytes(data)
        if isinstance(data, bytes | bytearray)
        else data.encode("utf-8", "surrogatepass")
    )
    if len(raw) > limits.max_bytes:
        raise LimitExceededError(
            f"document is {len(raw)} bytes, over the limit of {limits.max_bytes}"
        )
    parsed = _fast_loads(raw, limits.max_depth)
    if parsed is not _UNSURE:
        return parsed  # type: ignore[return-value]
    return _exact_loads(data, limits), False


def _exact_loads(data: str | bytes | bytearray, limits: JsonLimits) -> JSONValue:
    """The exact route (the module docstring): the standard library's decoder, with hooks."""
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
    from_bytes = isinstance(data, bytes | bytearray)
    _check_tree(value, limits.max_depth, strings=_may_hold_surrogates(text, from_bytes=from_bytes))
    return value  # type: ignore[no-any-return]


def read_file_limited(path: str | Path, *, max_bytes: int) -> bytes:
    """Read a regular file of at most ``max_bytes`` bytes, never more than that plus one.

    Devices, FIFOs, directories and sockets are refused without reading them (a
    FIFO is opened non-blocking, so a missing writer cannot hang the caller), and
    the size is enforced on the bytes actually read, not only on ``stat`` (which
    says 0 for ``/dev/zero`` or ``/proc`` files). Raises
    :class:`UnreadableFileError` (unreadable, not a regular file) or
    :class:`LimitExceededError` (over ``max_bytes``).
    """
    p = Path(path)
    try:
        if not stat.S_ISREG(p.stat().st_mode):
            raise UnreadableFileError(f"{p} is not a regular file")
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):  # replaced since the first stat
                raise UnreadableFileError(f"{p} is not a regular file")
            if info.st_size > max_bytes:
                raise LimitExceededError(
                    f"{p}: {info.st_size} bytes, over the limit of {max_bytes}"
                )
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableFileError(f"cannot read {p}: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise LimitExceededError(f"{p}: more than {max_bytes} bytes, over the limit")
    return data


def load_file_strict(path: str | Path, *, limits: JsonLimits = DEFAULT_LIMITS) -> JSONValue:
    """Read (:func:`read_file_limited`) and strictly parse a JSON file within ``limits``."""
    return loads_strict(read_file_limited(path, max_bytes=limits.max_bytes), limits=limits)


def require_object(value: JSONValue, *, what: str = "document", path: str = "") -> JSONObject:
    """Return ``value`` as a JSON object or raise :class:`MalformedInputError`."""
    if not isinstance(value, dict):
        raise MalformedInputError(f"{what} is not a JSON object", path=path)
    return value


_PLAIN_SCALARS: Final = frozenset({str, int, bool, type(None)})


def plain_without_floats(value: object) -> bool:
    """Whether ``value`` is made only of dicts, lists, tuples, strings, integers, booleans
    and ``None`` (exactly those types, no subclass), with no float anywhere.

    Such a value is written by orjson exactly as by the standard library and as JCS
    asks (given string keys and integers in range, which orjson itself checks); a
    float (NaN and the infinities included, which orjson writes as ``null``) or any
    other type must take the exact route.
    """
    stack = [value]
    pop, push = stack.pop, stack.append
    scalars = _PLAIN_SCALARS
    while stack:
        item = pop()
        kind = type(item)
        if kind is dict:
            members: Iterable[object] = item.values()  # type: ignore[attr-defined]
        elif kind is list or kind is tuple:
            members = item  # type: ignore[assignment]
        elif kind in scalars:
            continue
        else:
            return False
        for member in members:  # the members' types tested here: most are strings
            kind = type(member)
            if kind is str:
                continue
            if kind is dict or kind is list or kind is tuple:
                push(member)
            elif kind not in scalars:
                return False
    return True


_PRETTY: Final = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE


def dumps_pretty(
    value: Mapping[str, Any] | Iterable[Any] | JSONValue, *, plain: bool = False
) -> str:
    """Human-readable JSON for files people open (not for signing: see canonical.py).

    Exactly ``json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)``
    and a newline. orjson writes it (the standard library's indenting encoder is
    pure Python, about seventy times slower) for what it writes identically
    (:func:`plain_without_floats`, string keys, integers within 64 bits); anything
    else takes the standard library, which also raises for what is not JSON. A
    differential test keeps them equal. ``plain`` says the caller knows ``value``
    passes :func:`plain_without_floats`, so it is not walked again.
    """
    if plain or plain_without_floats(value):
        try:
            return orjson.dumps(value, option=_PRETTY).decode("utf-8")
        except orjson.JSONEncodeError:
            pass  # a non-string key, an integer beyond 64 bits, a lone surrogate, depth
    return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def dumps_compact(value: Mapping[str, Any] | Iterable[Any] | JSONValue) -> str:
    """Compact JSON as stored (not for signing: see canonical.py).

    Exactly ``json.dumps(value, ensure_ascii=False, allow_nan=False,
    separators=(",", ":"))``, by the same two routes as :func:`dumps_pretty`
    (orjson for plain, float-free values; a differential test keeps them equal).
    """
    if plain_without_floats(value):
        try:
            return orjson.dumps(value).decode("utf-8")
        except orjson.JSONEncodeError:
            pass  # a non-string key, an integer beyond 64 bits, a lone surrogate, depth
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
