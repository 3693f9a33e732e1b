"""``innopass ledger verify``: check an organisation's ledger for tampering.

Exit codes: 0 the ledger verifies; 1 it does not (every problem is listed); 2
usage or input error (no home, a file that cannot be read as a ledger).
"""

from __future__ import annotations

from pathlib import Path

import click

from innopass.cli._common import home_option, resolve_home
from innopass.cli._exit import ExitCode

__all__ = ["ledger_group"]


@click.group("ledger")
def ledger_group() -> None:
    """Check the organisation's ledger (passports, status, audit log) for tampering.

    \b
    Examples:
      innopass ledger verify --home rf4
      innopass ledger verify --home rf4 --published status/ --published rf4.json
    """


@ledger_group.command("verify")
@click.option(
    "--published",
    "published",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    metavar="PATH",
    help="Status lists, descriptions or bundles this organisation published (a directory: "
    "every file in it), which the ledger must still agree with. May be repeated.",
)
@home_option
def verify_command(published: tuple[Path, ...], home: Path | None) -> None:
    """Check the ledger for tampering against its audit chain and what was published.

    Checks the SQLite file, the audit hash chain, every table against the chain's
    replay, and the chain against the checkpoints published outside it (the
    organisation description, and each --published status list, description or
    bundle). A ledger that fails is refused by issue, revoke, suspend, reinstate,
    status publish and bundle; restore it from a backup that verifies.

    \b
    Examples:
      innopass ledger verify --home rf4
      innopass ledger verify --home rf4 --published status/ --published rf4.json
    """
    from innopass.issuer import OrganisationHome
    from innopass.issuer._published import published_problems, read_published

    org = OrganisationHome.open(resolve_home(home))
    description = org.description()
    with org.open_ledger(description=description) as ledger:
        report = ledger.verify()
        problems = list(report.problems)
        if published and not any("audit" in p and "hash" in p for p in problems):
            problems += published_problems(ledger, description, read_published(published))
    point = report.checkpoint
    click.echo(
        f"ledger {org.ledger_path}: {point.length} audit entries, {report.passports} passports, "
        f"head {point.head[:16]}…"
    )
    if not problems:
        checked = f", and {len(published)} published path(s)" if published else ""
        click.echo(f"verified: file, hash chain, tables and published checkpoints{checked} agree")
        return
    for problem in problems:
        click.echo(f"  FAIL  {problem}")
    click.echo(
        f"innopass: error: the ledger fails verification ({len(problems)} problem(s)); "
        "restore it from a backup that verifies",
        err=True,
    )
    raise click.exceptions.Exit(int(ExitCode.REJECTED))
