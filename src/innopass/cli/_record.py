"""``innopass record``: write a blank or example record, and validate a record file.

Exit codes: 0 success or valid, 1 invalid record, 2 input error (a file that cannot
be read, is not JSON, or cannot be written), with one line on stderr.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from innopass.cli._common import HelpGroup, fail, json_text
from innopass.cli._exit import ExitCode
from innopass.cli._types import TIMESTAMP

__all__ = ["record_group"]

_PROFILES = ("device", "digital", "diagnostic")


def _write(text: str, output: Path | None, what: str) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    click.echo(f"wrote {what} to {output}")


_OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to FILE instead of standard output.",
    metavar="FILE",
)


@click.group("record", cls=HelpGroup)
def record_group() -> None:
    """Write, and check, assessment records (the subject of a passport).

    \b
    Examples:
      innopass record example --profile device -o record.json
      innopass record template -o blank.json
      innopass record validate record.json
    """


@record_group.command("template")
@_OUTPUT
def template_command(output: Path | None) -> None:
    """Write a blank record with every required field, to fill in.

    It is not valid until filled in: `innopass record validate` lists what is left.

    \b
    Example:
      innopass record template -o record.json && innopass record validate record.json
    """
    from innopass._internal.jsonio import dumps_pretty
    from innopass.record import template

    _write(dumps_pretty(template()), output, "a blank record")


@record_group.command("example")
@click.option(
    "--profile",
    type=click.Choice(_PROFILES),
    default="device",
    show_default=True,
    help="device: an antimicrobial wound dressing; digital: a virtual ward app; "
    "diagnostic: a rapid influenza test.",
)
@_OUTPUT
def example_command(profile: str, output: Path | None) -> None:
    """Write a complete, valid example record for a profile.

    \b
    Examples:
      innopass record example -o record.json                 # a wound dressing (device)
      innopass record example --profile digital -o app.json
      innopass record example --profile diagnostic -o flu-test.json
    """
    from innopass._internal.jsonio import dumps_pretty
    from innopass.record import example

    _write(dumps_pretty(example(profile)), output, f"the {profile} example record")


@record_group.command("validate")
@click.argument("file", metavar="FILE|-")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option(
    "--at",
    "at",
    type=TIMESTAMP,
    help="Check expiries as of this RFC 3339 time instead of now (e.g. the planned issue date).",
)
def validate_command(file: str, as_json: bool, at: datetime | None) -> None:
    """Validate a record FILE: its schema, then the rules `innopass issue` checks.

    The rules: every cross-reference resolves (evidence_refs, reviewer_refs, a
    domain's framework, certificates, checked_by), ids are unique, no mandatory
    evidence has expired, and the record's validity has not ended. Each problem
    is printed as `PATH: message`, PATH being a JSON pointer.

    \b
    Examples:
      innopass record validate record.json
      innopass record validate record.json --json
      innopass record validate record.json --at 2026-06-01T00:00:00Z
      cat record.json | innopass record validate -

    Exits 0 when the record is valid, 1 when it is not, 2 when FILE cannot be
    read or is not JSON.
    """
    from innopass._internal import schema
    from innopass._internal.jsonio import JSONValue, loads_strict
    from innopass._internal.timestamps import utc_now
    from innopass.cli._common import read_input
    from innopass.errors import MalformedInputError
    from innopass.record import AssessmentRecord

    data = read_input(file, what="record")
    try:
        document = loads_strict(data)
    except MalformedInputError as exc:
        message = exc.diagnostics()
        fail(message if file in message else f"{file}: {message}")
    problems = list(schema.iter_problems(document))
    if not problems and isinstance(document, dict):
        record = AssessmentRecord.from_json(document)
        problems = list(record.problems(now=at or utc_now()))
    if as_json:
        report: JSONValue = {
            "file": file,
            "valid": not problems,
            "problems": [{"path": p.path, "message": p.message} for p in problems],
        }
        click.echo(json_text(report))
    elif problems:
        for problem in problems:
            click.echo(str(problem))
        count = len(problems)
        click.echo(f"{file}: invalid ({count} problem{'' if count == 1 else 's'})")
    elif isinstance(document, dict):  # a valid record is always an object
        click.echo(f"{file}: valid (profile {document['profile']}, record {document['record_id']})")
    if problems:
        raise click.exceptions.Exit(int(ExitCode.REJECTED))
