"""Options and helpers the command modules share: the home, the passphrase, output files."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from innopass._internal.passphrase import PASSPHRASE_ENV
from innopass.cli._exit import ExitCode

__all__ = [
    "PASSPHRASE_ENV",
    "HelpGroup",
    "fail",
    "format_option",
    "home_option",
    "output_file_option",
    "read_input",
    "read_passphrase",
    "resolve_home",
    "valid_days_option",
    "write_output",
]

F = TypeVar("F", bound=Callable[..., Any])


class HelpGroup(click.Group):
    """A command group whose help lists each command's whole first sentence (never cut
    mid-sentence), and which points a command given to the wrong group to the right one."""

    def __init__(self, *args: Any, elsewhere: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: command name → where it is (``trust-list import`` → ``innopass trust import``).
        self.elsewhere = dict(elsewhere or {})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and self.get_command(ctx, name) is None and name in self.elsewhere:
            raise click.UsageError(
                f"{ctx.command_path} has no command {name!r}: {self.elsewhere[name]}", ctx
            )
        return super().resolve_command(ctx, args)


def fail(message: str, code: ExitCode = ExitCode.USAGE) -> NoReturn:
    """Print ``innopass: error: message`` on stderr and exit with ``code``."""
    click.echo(f"innopass: error: {message}", err=True)
    raise click.exceptions.Exit(int(code))


def home_option(func: F) -> F:
    """``--home DIR``: the organisation or verifier home.

    Falls back to ``INNOPASS_HOME``, then the platform's user data directory.
    """
    return click.option(
        "--home",
        "home",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Organisation or verifier home "
        "(default: $INNOPASS_HOME or the platform data directory).",
    )(func)


def resolve_home(home: Path | None) -> Path:
    """The home directory a command works in (``--home``, ``INNOPASS_HOME``, the default)."""
    from innopass._internal.files import resolve_home as resolve

    return resolve(home)


def output_file_option(
    help: str, *, metavar: str = "FILE", required: bool = False
) -> Callable[[F], F]:
    """``-o/--output FILE``: where a command writes its one output file."""
    return click.option(
        "-o",
        "--output",
        required=required,
        type=click.Path(dir_okay=False, path_type=Path),
        metavar=metavar,
        help=help,
    )


def format_option(jwt: str = "a vc+jwt compact JWS") -> Callable[[F], F]:
    """``--format di|jwt`` (``fmt``): JSON with a Data Integrity proof, or ``jwt``."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["di", "jwt"]),
        default="di",
        show_default=True,
        help=f"di: JSON with a Data Integrity proof; jwt: {jwt}.",
    )


def valid_days_option(*, default: int, maximum: int, what: str) -> Callable[[F], F]:
    """``--valid-days N``: how long what is signed stays valid."""
    return click.option(
        "--valid-days",
        type=click.IntRange(1, maximum),
        default=default,
        show_default=True,
        help=f"How long {what} valid, in days.",
    )


def _acceptable_new_passphrase(value: str) -> str:
    from innopass._internal.passphrase import new_passphrase_bytes
    from innopass.errors import PassphraseError

    try:
        new_passphrase_bytes(value)
    except PassphraseError as exc:
        raise click.BadParameter(exc.diagnostics()) from None
    return value


def read_passphrase(*, confirm: bool = False) -> str:
    """The key passphrase: ``INNOPASS_PASSPHRASE`` if set, else a hidden prompt.

    With ``confirm`` (a new key) the prompt asks twice and asks again for a
    passphrase that is too short; a variable's value is checked where it is used.
    Without a terminal and without the variable, it is an error naming the variable.
    """
    from innopass.errors import PassphraseError

    value = os.environ.get(PASSPHRASE_ENV)
    if value is not None:
        if not value:
            raise PassphraseError(f"{PASSPHRASE_ENV} is set but empty")
        return value
    if not sys.stdin.isatty():
        raise PassphraseError(
            f"no key passphrase: set {PASSPHRASE_ENV}, or run the command at a terminal"
        )
    entered: str = click.prompt(
        "Key passphrase",
        hide_input=True,
        confirmation_prompt=confirm,
        err=True,
        value_proc=_acceptable_new_passphrase if confirm else None,
    )
    return entered


def read_input(name: str, *, what: str = "file") -> bytes:
    """The bytes of the file ``name``, or of standard input for ``-`` (within the size limit).

    A missing file is one clear line: ``no such file: NAME`` (exit 2); a
    directory, a device or an unreadable file is named as such.
    """
    from innopass._internal.jsonio import DEFAULT_LIMITS, read_file_limited
    from innopass.errors import UnreadableFileError

    limit = DEFAULT_LIMITS.max_bytes
    if name == "-":
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            fail(f"standard input holds more than {limit} bytes, over the limit for a {what}")
        return data
    path = Path(name)
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as exc:  # a name too long, a loop of links
        fail(f"cannot read {name[:200]}: {exc.strerror}")
    if not exists:
        fail(f"no such file: {name}")
    if is_dir:
        fail(f"{name} is a directory, not a {what} file")
    try:
        return read_file_limited(path, max_bytes=limit)
    except UnreadableFileError as exc:
        fail(exc.diagnostics())


def write_output(text: str, output: Path | None, *, committed: str | None = None) -> None:
    """Write ``text`` to ``output`` atomically, or to standard output when there is none.

    A failed write raises :class:`~innopass.errors.OutputError` (exit 2);
    ``committed`` says what the ledger already holds.
    """
    if output is None:
        click.echo(text, nl=False)
        return
    from innopass._internal.output import write_file

    write_file(output, text.encode("utf-8"), committed=committed)


#: What JSON may carry raw inside a string but a terminal or a reader that splits lines must
#: never see: C1 controls (and DEL), the line and paragraph separators, bidirectional
#: formatting. They only ever stand inside strings, where a ``\\u`` escape is the same value.
_RAW_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(value: Any, *, indent: bool = False) -> str:
    """``value`` as the JSON a command prints or writes: compact (one line) or indented by
    two, UTF-8 as is except the characters of :data:`_RAW_UNSAFE`, written as ``\\u`` escapes."""
    from innopass._internal.jsonio import dumps_compact, dumps_pretty

    text = dumps_pretty(value) if indent else dumps_compact(value)
    return _RAW_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
