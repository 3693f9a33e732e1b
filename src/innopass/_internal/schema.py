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

import copy
import re
from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Final

import jsonschema_rs

from innopass._internal.encoding import sha384_sri
from innopass._internal.jsonio import JSONObject, loads_strict, pointer
from innopass._internal.timestamps import is_date, is_date_time
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
    "schema_file_for_id",
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


@cache
def schema_digest_sri(name: str) -> str:
    """The schema's ``digestSRI`` (W3C SRI): ``sha384-`` and the base64 SHA-384 of its bytes
    (kept, as :func:`schema_bytes` keeps the bytes)."""
    return sha384_sri(schema_bytes(name))


def schema_file_for_id(uri: str) -> str | None:
    """The file name of the packaged schema whose ``$id`` is ``uri``; ``None`` if none is."""
    match = _ID.fullmatch(uri)
    if match is None:
        return None
    name = f"{match.group(1)}.schema.json"
    try:
        if _parsed(name).get("$id") != uri:
            return None
    except ConfigurationError:
        return None
    return name


def _by_id(uri: str) -> JSONObject | None:
    """The packaged schema whose ``$id`` is ``uri``; ``None`` for anything else."""
    match = _ID.fullmatch(uri)
    if match is None:
        return None
    try:
        return _parsed(f"{match.group(1)}.schema.json")
    except ConfigurationError:
        return None


def _retrieve_fast(uri: str) -> JSONObject:
    """``jsonschema_rs`` retriever: the same packaged schemas, nothing fetched."""
    found = _by_id(uri)
    if found is None:  # the retriever's way to refuse (jsonschema_rs turns it into an error)
        raise ValueError(f"schema {uri!r} is not an innopass schema (nothing is fetched)")
    return found


#: Format answers each checker remembers, for strings no longer than a timestamp can be.
_FORMAT_MEMO_ENTRIES: Final = 4096
_FORMAT_MEMO_LENGTH: Final = 64


def _format_ok(check: Any) -> Any:
    """A format checker for ``jsonschema_rs`` (called with strings only), remembering its
    answers: the answer is a function of the string alone, and a record repeats its dates.
    Bounded in entries and in the length of the strings kept; thread-safe (a lost race
    only computes an answer twice)."""
    memo: dict[str, bool] = {}
    known = memo.get

    def checker(instance: str) -> bool:
        found = known(instance)
        if found is not None:
            return found
        try:
            ok = bool(check(instance))
        except ValueError:
            ok = False
        if (
            type(instance) is str
            and len(instance) <= _FORMAT_MEMO_LENGTH
            and len(memo) < _FORMAT_MEMO_ENTRIES
        ):
            memo[instance] = ok
        return ok

    return checker


@cache
def _fast(name: str) -> Any:
    """The compiled Rust validator that decides validity."""
    try:
        return jsonschema_rs.validator_for(
            _parsed(name),
            validate_formats=True,
            formats={"date": _format_ok(is_date), "date-time": _format_ok(is_date_time)},
            retriever=_retrieve_fast,
        )
    except (jsonschema_rs.ValidationError, ValueError) as exc:
        raise ConfigurationError(f"schema {name!r} is not a valid JSON Schema: {exc}") from exc


@cache
def _validator(name: str) -> Any:
    """The reference validator that explains (``jsonschema``, loaded only when needed)."""
    from innopass._internal.schema_explain import reference_validator

    return reference_validator(_parsed(name), by_id=_by_id, name=name)


def iter_problems(instance: object, name: str = RECORD_SCHEMA) -> Iterator[SchemaProblem]:
    """Every way ``instance`` fails schema ``name``, sorted by JSON-pointer path.

    Yields nothing for a valid instance. Never raises for bad input; raises
    :class:`~innopass.errors.ConfigurationError` for an unknown or broken schema.
    """
    if _fast(name).is_valid(instance):
        return
    from innopass._internal.schema_explain import explain

    problems = explain(_validator(name), instance)
    yield from problems
    if not problems:  # the engines disagree: never report an invalid instance as clean
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
