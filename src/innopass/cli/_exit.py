"""The command line's exit codes: part of its contract (PRODUCT.md §6), defined once."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

__all__ = ["ExitCode", "for_outcome", "for_verdicts"]


class ExitCode(IntEnum):
    """What an ``innopass`` command's exit status means."""

    OK = 0
    """Verified, or done."""
    REJECTED = 1
    """Rejected, refused or invalid (a passport, a trust import, a record)."""
    USAGE = 2
    """Usage or input error: a missing file, a bad option, an unreadable key, a wrong passphrase."""
    INDETERMINATE = 3
    """Could not be decided offline (a verdict, or a trust import that could not be checked)."""
    INTERRUPTED = 130
    """Stopped by Ctrl-C."""


def for_verdicts(verdicts: Iterable[str]) -> ExitCode:
    """1 if any verdict is ``rejected``, else 3 if any is ``indeterminate``, else 0."""
    seen = set(verdicts)
    if "rejected" in seen:
        return ExitCode.REJECTED
    if "indeterminate" in seen:
        return ExitCode.INDETERMINATE
    return ExitCode.OK


def for_outcome(outcome: str) -> ExitCode:
    """An adoption decision: 0 adopt or adopt-with-actions, 1 refuse, 3 refer."""
    if outcome in ("adopt", "adopt-with-actions"):
        return ExitCode.OK
    return ExitCode.INDETERMINATE if outcome == "refer" else ExitCode.REJECTED
