"""Why an instance fails a schema: the reference engine (``jsonschema``), with readable messages.

Loaded only when an instance is already known to be invalid (the compiled engine in
:mod:`innopass._internal.schema` decides validity), so that verifying a valid
passport never imports ``jsonschema``. This module knows nothing of where schemas
live: the caller gives the schema and a look-up of schemas by ``$id``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any, cast

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError, ValidationError, best_match
from jsonschema.protocols import Validator
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

from innopass._internal.jsonio import JSONObject, pointer
from innopass._internal.timestamps import is_date, is_date_time
from innopass.errors import ConfigurationError, SchemaProblem

__all__ = ["explain", "reference_validator"]

_MAX_REPR = 80
_FORMATS = FormatChecker(formats=())
_FORMATS.checks("date", raises=ValueError)(is_date)
_FORMATS.checks("date-time", raises=ValueError)(is_date_time)


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


def reference_validator(
    schema: JSONObject, *, by_id: Callable[[str], JSONObject | None], name: str
) -> Validator:
    """The reference validator for ``schema``, its ``$ref``s served by ``by_id`` (offline).

    Raises :class:`~innopass.errors.ConfigurationError` for a schema that is not a
    valid JSON Schema.
    """
    try:
        _InnopassValidator.check_schema(schema)
    except SchemaError as exc:
        raise ConfigurationError(
            f"schema {name!r} is not a valid JSON Schema: {exc.message}"
        ) from exc

    def retrieve(uri: str) -> Resource[Any]:
        contents = by_id(uri)
        if contents is None:
            raise NoSuchResource(uri)
        return Resource.from_contents(contents, default_specification=DRAFT202012)

    registry: Registry[Any] = Registry(retrieve=retrieve)  # type: ignore[call-arg]
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


def explain(validator: Validator, instance: object) -> list[SchemaProblem]:
    """Every way ``instance`` fails, one readable problem per path and message, by path."""
    found: dict[tuple[str | int, ...], list[tuple[str, str]]] = {}
    for error in validator.iter_errors(cast(Any, instance)):
        for chosen in _relevant(error):
            found.setdefault(tuple(chosen.absolute_path), []).append(
                (str(chosen.validator), _message(chosen))
            )
    problems = []
    for parts in sorted(found, key=_sort_key):
        errors = found[parts]
        if any(validator_name == "format" for validator_name, _ in errors):
            # a failed format says the same as its backing pattern, and more readably
            errors = [e for e in errors if e[0] != "pattern"]
        for message in sorted({message for _, message in errors}):
            problems.append(SchemaProblem(path=pointer(*parts), message=message))
    return problems
