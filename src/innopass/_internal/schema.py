"""Packaged JSON Schemas: exact bytes, ``digestSRI``, and validation with JSON-pointer problems.

Schemas live in ``schemas/`` at the repository root; a wheel ships them as
``innopass/schemas``. Validation is offline: a schema may refer to another innopass
schema by its ``$id`` (``https://w3id.org/innopass/schemas/<name>/v<n>`` is served
from ``<name>.schema.json``), and nothing is ever fetched. An instance may also be
validated against one definition of a schema, named ``<file>#/$defs/<definition>``
(e.g. ``trust-list.schema.json#/$defs/trusted_issuer``).

Validation runs on the verifier's hot path, so each schema is compiled once, twice
over: into a ``jsonschema_rs`` validator (Rust, about 200 times faster) that
decides *whether* an instance is valid, and into a
:class:`jsonschema.Draft202012Validator` that explains *why not*, with paths and
readable messages, only for instances already found invalid. Both assert
``format`` for ``date`` and ``date-time`` with the same checkers defined here, so
the result never depends on optional packages; every format the innopass schemas
use is also backed by a ``pattern`` (ECMA-262 semantics in both engines). A
differential test keeps the two engines in agreement.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
from collections.abc import Iterator
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, cast

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError, ValidationError, best_match
from jsonschema.protocols import Validator
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

from innopass._internal.jsonio import JSONObject, loads_strict, pointer
from innopass.errors import (
    ConfigurationError,
    MalformedInputError,
    RecordInvalidError,
    SchemaProblem,
)

__all__ = [
    "RECORD_SCHEMA",
    "RECORD_SCHEMA_ID",
    "SCHEMA_ID_BASE",
    "is_valid",
    "iter_problems",
    "load_schema",
    "require_shape",
    "schema_bytes",
    "schema_digest_sri",
    "validate",
]

RECORD_SCHEMA = "assessment-record.schema.json"
"""File name of the assessment-record schema."""

SCHEMA_ID_BASE = "https://w3id.org/innopass/schemas/"
"""Prefix of every innopass schema ``$id``."""

RECORD_SCHEMA_ID = SCHEMA_ID_BASE + "assessment-record/v1"
"""``$id`` of the assessment-record schema."""

_REPO_SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\.schema\.json")
_DEFINITION = re.compile(r"/\$defs/[A-Za-z0-9_]+")
_ID = re.compile(re.escape(SCHEMA_ID_BASE) + r"([a-z0-9][a-z0-9-]*)/v[0-9]+")
_MAX_REPR = 80


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise ConfigurationError(f"not an innopass schema file name: {name!r}")


@cache
def schema_bytes(name: str) -> bytes:
    """The exact bytes of a packaged schema (``name`` as in ``schemas/``, e.g. ``RECORD_SCHEMA``).

    Raises :class:`~innopass.errors.ConfigurationError` if there is no such schema.
    """
    _check_name(name)
    try:
        packaged = files("innopass") / "schemas" / name
        if packaged.is_file():
            return packaged.read_bytes()
    except (ModuleNotFoundError, OSError):
        pass  # not installed as a package: fall back to the source checkout
    try:
        return (_REPO_SCHEMAS / name).read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"schema {name!r} is not packaged with innopass") from exc


@cache
def _parsed(name: str) -> JSONObject:
    file, hash_sign, fragment = name.partition("#")
    if hash_sign:
        return _definition(file, fragment)
    try:
        value = loads_strict(schema_bytes(name))
    except MalformedInputError as exc:
        raise ConfigurationError(f"schema {name!r} is not valid JSON: {exc.diagnostics()}") from exc
    if not isinstance(value, dict):
        raise ConfigurationError(f"schema {name!r} is not a JSON object")
    return value


def _definition(file: str, fragment: str) -> JSONObject:
    """A schema that is one definition of ``file``: a ``$ref`` to it by the file's ``$id``."""
    whole = _parsed(file)
    definitions = whole.get("$defs")
    key = fragment.removeprefix("/$defs/")
    if not (
        _DEFINITION.fullmatch(fragment) and isinstance(definitions, dict) and key in definitions
    ):
        raise ConfigurationError(f"schema {file!r} has no definition {fragment!r}")
    return {"$schema": whole.get("$schema"), "$ref": f"{whole.get('$id')}#{fragment}"}


def load_schema(name: str) -> JSONObject:
    """A packaged schema, parsed strictly (a fresh copy: changing it changes nothing here)."""
    return copy.deepcopy(_parsed(name))


def schema_digest_sri(name: str) -> str:
    """The schema's ``digestSRI`` (W3C SRI): ``sha384-`` and the base64 SHA-384 of its bytes."""
    digest = hashlib.sha384(schema_bytes(name)).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


def _retrieve(uri: str) -> Resource[Any]:
    """Serve innopass schema ``$id``s from packaged files; refuse everything else."""
    match = _ID.fullmatch(uri)
    if match is None:
        raise NoSuchResource(uri)
    try:
        contents = _parsed(f"{match.group(1)}.schema.json")
    except ConfigurationError as exc:
        raise NoSuchResource(uri) from exc
    return Resource.from_contents(contents, default_specification=DRAFT202012)


_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date", raises=ValueError)
def _is_date(instance: object) -> bool:
    if isinstance(instance, str):
        date.fromisoformat(instance)
    return True


@_FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(instance: object) -> bool:
    if isinstance(instance, str):
        datetime.fromisoformat(instance)
    return True


@cache
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    """Compile a JSON Schema (ECMA-262) pattern so that ``$`` means the end of the string.

    In Python ``$`` also matches before a final newline, which would let ``"RF4\\n"``
    pass ``^[A-Z0-9]{1,9}$``; outside character classes it becomes ``\\Z``.
    """
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            out.append("\\Z")
            continue
        out.append(char)
    return re.compile("".join(out))


def _pattern(
    validator: Validator, pattern: str, instance: object, schema: JSONObject
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not _ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# jsonschema's own way to replace one keyword (subclassing validators is deprecated)
_InnopassValidator: type[Validator] = extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, validators={"pattern": _pattern}
)


def _retrieve_fast(uri: str) -> JSONObject:
    """``jsonschema_rs`` retriever: the same packaged schemas, nothing fetched."""
    match = _ID.fullmatch(uri)
    if match is None:
        raise ValueError(f"schema {uri!r} is not an innopass schema (nothing is fetched)")
    return _parsed(f"{match.group(1)}.schema.json")


def _format_ok(check: Any) -> Any:
    def checker(instance: str) -> bool:
        try:
            return bool(check(instance))
        except ValueError:
            return False

    return checker


@cache
def _fast(name: str) -> Any:
    """The compiled Rust validator that decides validity (after the reference check)."""
    _validator(name)  # refuse a broken schema with the same ConfigurationError
    return jsonschema_rs.validator_for(
        _parsed(name),
        validate_formats=True,
        formats={"date": _format_ok(_is_date), "date-time": _format_ok(_is_date_time)},
        retriever=_retrieve_fast,
    )


@cache
def _validator(name: str) -> Validator:
    schema = _parsed(name)
    try:
        _InnopassValidator.check_schema(schema)
    except SchemaError as exc:
        raise ConfigurationError(
            f"schema {name!r} is not a valid JSON Schema: {exc.message}"
        ) from exc
    registry: Registry[Any] = Registry(retrieve=_retrieve)  # type: ignore[call-arg]
    return _InnopassValidator(schema, registry=registry, format_checker=_FORMATS)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 5] + " …" + text[-1]


def _message(error: ValidationError) -> str:
    """The error's message, kept short enough to read on one line."""
    if error.validator == "contains" and isinstance(error.validator_value, dict):
        wanted = error.validator_value.get("description")
        if isinstance(wanted, str):
            return f"must contain {wanted}"
    if error.validator in ("anyOf", "oneOf") and isinstance(error.schema, dict):
        expected = error.schema.get("description")
        if isinstance(expected, str):
            return f"{_short(error.instance)} is not valid here; expected: {expected}"
    if error.validator == "format":
        return f"{_short(error.instance)} is not a valid {error.validator_value}"
    full = repr(error.instance)
    if len(full) > _MAX_REPR and error.message.startswith(full):
        return _short(error.instance) + error.message[len(full) :]
    return error.message


def _relevant(error: ValidationError) -> list[ValidationError]:
    """The errors that help a person most, in place of an ``anyOf``/``oneOf`` failure.

    The ``null`` alternative of a nullable value is set aside; when a single
    alternative is left, all of its errors are reported; otherwise the schema's
    description of what is expected, or failing that the best match.
    """
    if not error.context:
        return [error]
    useful = [
        e for e in error.context if not (e.validator == "type" and e.validator_value == "null")
    ]
    if useful and len({e.relative_schema_path[0] for e in useful}) == 1:
        return [found for e in useful for found in _relevant(e)]
    if isinstance(error.schema, dict) and "description" in error.schema:
        return [error]  # several alternatives: the schema's own words say what is expected
    chosen: ValidationError | None = best_match(useful or error.context)
    return [error if chosen is None else chosen]


def _sort_key(parts: tuple[str | int, ...]) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in parts)


def iter_problems(instance: object, name: str = RECORD_SCHEMA) -> Iterator[SchemaProblem]:
    """Every way ``instance`` fails schema ``name``, sorted by JSON-pointer path.

    Yields nothing for a valid instance. Never raises for bad input; raises
    :class:`~innopass.errors.ConfigurationError` for an unknown or broken schema.
    """
    if _fast(name).is_valid(instance):
        return
    found: dict[tuple[str | int, ...], list[tuple[str, str]]] = {}
    for error in _validator(name).iter_errors(cast(Any, instance)):
        for chosen in _relevant(error):
            found.setdefault(tuple(chosen.absolute_path), []).append(
                (str(chosen.validator), _message(chosen))
            )
    for parts in sorted(found, key=_sort_key):
        errors = found[parts]
        if any(validator == "format" for validator, _ in errors):
            # a failed format says the same as its backing pattern, and more readably
            errors = [e for e in errors if e[0] != "pattern"]
        for message in sorted({message for _, message in errors}):
            yield SchemaProblem(path=pointer(*parts), message=message)
    if not found:  # the engines disagree: never report an invalid instance as clean
        for error in _fast(name).iter_errors(instance):
            yield SchemaProblem(path=pointer(*error.instance_path), message=error.message)


def validate(instance: object, name: str = RECORD_SCHEMA) -> None:
    """Raise :class:`~innopass.errors.RecordInvalidError` listing every problem, if any."""
    problems = list(iter_problems(instance, name))
    if problems:
        what = "record" if name == RECORD_SCHEMA else name.removesuffix(".schema.json")
        raise RecordInvalidError(problems, what=what)


def require_shape(instance: object, name: str, *, path: str = "") -> None:
    """Raise :class:`~innopass.errors.MalformedInputError` for the first problem, if any.

    For documents whose errors carry one JSON pointer (trust material, status
    entries): the problem's path is given under ``path``, where ``instance`` sits.
    """
    for problem in iter_problems(instance, name):
        raise MalformedInputError(problem.message, path=path + problem.path)


def is_valid(instance: object, name: str = RECORD_SCHEMA) -> bool:
    """True when ``instance`` satisfies schema ``name``."""
    return bool(_fast(name).is_valid(instance))
