"""Options and helpers shared by the command modules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from innopass._internal.files import resolve_home

__all__ = ["home_option", "output_file_option", "resolve_home_option"]

F = TypeVar("F", bound=Callable[..., Any])


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


def resolve_home_option(home: Path | None) -> Path:
    """The home directory a command works in."""
    return resolve_home(home)
