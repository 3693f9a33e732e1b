"""The ``innopass`` command line: a thin click layer over the library.

Each command turns its options into library calls and hands the outcome to a
reporter. Exit codes are part of the contract (PRODUCT.md §6): 0 verified or
success, 1 rejected or invalid, 3 indeterminate, 2 usage or input error. Errors
are one line on stderr; no traceback reaches the user unless ``INNOPASS_DEBUG=1``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from innopass.cli._common import HelpGroup
from innopass.cli._exit import ExitCode
from innopass.errors import InnopassError

__all__ = ["cli", "main"]


@click.group(
    cls=HelpGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="innopass", prog_name="innopass")
def cli() -> None:
    """innopass: NHS innovator passports, signed once and verified offline anywhere.

    A passport is a W3C Verifiable Credential 2.0 over one canonical assessment
    record, signed by the assessing NHS organisation. Any trust verifies it from
    files it holds, with no central server.
    """


def _register() -> None:
    from innopass.cli._adopt import ADOPTION_COMMANDS
    from innopass.cli._anchor import anchor_group, trust_list_group
    from innopass.cli._demo import demo_command
    from innopass.cli._issue import ISSUER_COMMANDS
    from innopass.cli._ledger import ledger_group
    from innopass.cli._org import org_group
    from innopass.cli._present import key_group, present_command
    from innopass.cli._record import record_group
    from innopass.cli._serve import serve_group
    from innopass.cli._show import show_command
    from innopass.cli._trust import trust_group
    from innopass.cli._verify import verify_command

    for command in (
        org_group,
        record_group,
        *ISSUER_COMMANDS,
        ledger_group,
        trust_list_group,
        anchor_group,
        verify_command,
        show_command,
        trust_group,
        key_group,
        present_command,
        *ADOPTION_COMMANDS,
        demo_command,
        serve_group,
    ):
        cli.add_command(command)


_register()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point for the ``innopass`` console script and ``python -m innopass``."""
    try:
        code = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="innopass",
            standalone_mode=False,
        )
    except click.exceptions.Abort:
        click.echo("innopass: aborted", err=True)
        sys.exit(ExitCode.USAGE)
    except click.UsageError as exc:  # one line, naming the fix (no usage block)
        command = exc.ctx.command_path if exc.ctx is not None else "innopass"
        click.echo(f"innopass: error: {exc.format_message()} (see: {command} --help)", err=True)
        sys.exit(ExitCode.USAGE)
    except click.ClickException as exc:
        click.echo(f"innopass: error: {exc.format_message()}", err=True)
        sys.exit(ExitCode.USAGE if exc.exit_code == 1 else exc.exit_code)
    except InnopassError as exc:
        click.echo(f"innopass: error: {exc.diagnostics()}", err=True)
        sys.exit(ExitCode.USAGE)
    except KeyboardInterrupt:
        click.echo("innopass: interrupted", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except Exception as exc:  # the last line of defence: never a traceback
        if os.environ.get("INNOPASS_DEBUG") == "1":
            raise
        click.echo(
            f"innopass: internal error: {type(exc).__name__}: {exc} "
            "(set INNOPASS_DEBUG=1 for details)",
            err=True,
        )
        sys.exit(ExitCode.USAGE)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)
