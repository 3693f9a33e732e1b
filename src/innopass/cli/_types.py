"""Click parameter types for what the commands take: times, ODS codes, parties, JSON files.

Each converts one option value into the library's type, or fails with a one-line
usage error (exit 2) naming the fix. Heavy imports happen inside ``convert``, so
loading the command line stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass._internal.jsonio import JSONObject
    from innopass.trust import OrganisationDescription

__all__ = ["JSON_OBJECT_FILE", "ODS_CODE", "PARTY", "TIMESTAMP", "trust_options"]

F = TypeVar("F", bound=Callable[..., Any])

#: ``--at`` must leave room for clock skew and list ages either side of what a
#: ``datetime`` can hold (years 1 to 9999).
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, 23, 59, 59, tzinfo=UTC)


class TimestampType(click.ParamType[Any]):
    """An RFC 3339 time with a zone (``2026-05-01T09:30:00Z``), as an aware ``datetime``."""

    name = "TIME"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        from innopass._internal.timestamps import parse_datetime
        from innopass.errors import MalformedInputError

        try:
            when = parse_datetime(value)
        except MalformedInputError:
            self.fail(
                f"{value!r} is not an RFC 3339 time with a zone (e.g. 2026-05-01T09:30:00Z)",
                param,
                ctx,
            )
        if not _EARLIEST <= when <= _LATEST:
            self.fail(f"{value!r} is out of range (0001-01-02 to 9999-12-30)", param, ctx)
        return when


class OdsCodeType(click.ParamType[Any]):
    """An ODS code: 1-9 upper-case letters or digits."""

    name = "CODE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from innopass.trust import valid_ods_code

        if not valid_ods_code(value):
            upper = str(value).upper()
            hint = f"; did you mean {upper}? (upper case)" if valid_ods_code(upper) else ""
            self.fail(
                f"{value!r} is not an ODS code (1-9 upper-case letters or digits){hint}", param, ctx
            )
        return str(value)


def read_json_object(path: Path, what: str) -> JSONObject:
    """A file holding one JSON object (``-``: standard input), read strictly;
    :class:`click.UsageError` otherwise."""
    from innopass._internal.jsonio import load_file_strict
    from innopass.errors import MalformedInputError

    try:
        if str(path) == "-":
            import sys

            from innopass._internal.jsonio import loads_strict

            value = loads_strict(sys.stdin.buffer.read())
        elif not path.exists():
            raise click.UsageError(f"{what}: no such file: {path}")
        else:
            value = load_file_strict(path)
    except MalformedInputError as exc:
        raise click.UsageError(f"{what} {path}: {exc.diagnostics()}") from exc
    if not isinstance(value, dict):
        raise click.UsageError(f"{what} {path} is not a JSON object")
    return value


class JsonObjectFileType(click.ParamType[Any]):
    """A file holding one JSON object (a trust list, a status list, a bundle), read strictly."""

    name = "FILE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> JSONObject:
        if isinstance(value, dict):
            return value
        label = f"--{param.name.replace('_', '-')}" if param is not None and param.name else "file"
        return read_json_object(Path(value), label)


class PartyType(click.ParamType[Any]):
    """An anchor or issuer: a ``did:key``/``did:jwk`` DID, or an organisation description FILE."""

    name = "FILE|DID"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> str | OrganisationDescription:
        from innopass.errors import MalformedInputError
        from innopass.trust import OrganisationDescription

        if not isinstance(value, str):
            return value  # type: ignore[no-any-return]
        if value.startswith("did:"):
            return value
        obj = read_json_object(Path(value), param.human_readable_name if param else "file")
        try:
            return OrganisationDescription.from_json(obj)
        except MalformedInputError as exc:
            self.fail(
                f"{value} is not an organisation description: {exc.diagnostics()}", param, ctx
            )


TIMESTAMP = TimestampType()
ODS_CODE = OdsCodeType()
PARTY = PartyType()
JSON_OBJECT_FILE = JsonObjectFileType()


def trust_options(func: F) -> F:
    """``--anchor``, ``--trust-list``, ``--trust-issuer`` and ``--status-list``: trust and
    status material for this run only, added to the home's store (every verifying command)."""
    options = [
        click.option(
            "--anchor",
            "anchors",
            multiple=True,
            type=PARTY,
            help="Also trust this anchor (this run).",
        ),
        click.option(
            "--trust-list",
            "trust_lists",
            multiple=True,
            type=JSON_OBJECT_FILE,
            help="A trust list to use (this run); it must be signed by a pinned anchor.",
        ),
        click.option(
            "--trust-issuer",
            "trust_issuers",
            multiple=True,
            type=PARTY,
            help="Also trust this issuer (this run): its description, or a did:key/did:jwk.",
        ),
        click.option(
            "--status-list",
            "status_lists",
            multiple=True,
            type=JSON_OBJECT_FILE,
            help="A status-list credential to use (this run).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func
