"""Trust-anchor commands: the roster (``anchor add/remove/withdraw/successor/list``),
``trust-list sign`` (the whole roster, with what changed) and ``trust-list export``.

Run by a trust anchor, in its own organisation home. Exit codes: 0 success; 2
usage or input error, a refused roster change, a wrong passphrase, or an output
that cannot be written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from innopass.cli._common import (
    HelpGroup,
    home_option,
    output_file_option,
    read_passphrase,
    resolve_home,
    valid_days_option,
    write_output,
)
from innopass.cli._types import ODS_CODE, TIMESTAMP, read_json_object

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass.issuer._roster import Roster
    from innopass.trust import AccreditedScope, OrganisationDescription

__all__ = ["anchor_group", "trust_list_group"]

_T = TypeVar("_T")


def _issuer_scope(spec: str) -> tuple[str | None, AccreditedScope]:
    """``[ODS=]PROFILES[:DOMAINS]``: a scope for the issuer ODS, or (no ``ODS=``) for every
    issuer given no scope of its own."""
    from innopass.trust import valid_ods_code

    code, eq, rest = spec.partition("=")
    if not eq:
        return None, _scope(spec)
    if not valid_ods_code(code):
        raise click.BadParameter(f"{code!r} in {spec!r} is not an ODS code", param_hint="--scope")
    return code, _scope(rest)


def _scope(spec: str) -> AccreditedScope:
    from innopass.record import Domain
    from innopass.trust import ALL_PROFILES, AccreditedScope

    profiles_text, _, domains_text = spec.partition(":")
    profiles = tuple(p for p in profiles_text.split(",") if p)
    domains = tuple(d for d in domains_text.split(",") if d)
    if profiles in ((), ("all",)):
        profiles = ALL_PROFILES.profiles
    unknown = [p for p in profiles if p not in ALL_PROFILES.profiles]
    unknown += [d for d in domains if d not in {x.value for x in Domain}]
    if unknown:
        raise click.BadParameter(f"unknown profile or domain {unknown[0]!r} in scope {spec!r}")
    return AccreditedScope(profiles=profiles, domains=domains)


_ELSEWHERE = {
    "import": "a verifier imports a trust list with `innopass trust import FILE`",
    "pin-anchor": "a verifier pins an anchor with `innopass trust pin-anchor FILE`",
    "add": "the anchor adds an issuer to its roster with `innopass anchor add FILE`",
    "remove": "the anchor removes an issuer with `innopass anchor remove ODS`",
    "withdraw": "the anchor withdraws an issuer with `innopass anchor withdraw ODS`",
    "show": "`innopass trust show` shows a verifier's store; `innopass anchor list` the roster",
}


@click.group("trust-list", cls=HelpGroup, elsewhere=_ELSEWHERE)
def trust_list_group() -> None:
    """Sign trust lists (run by a trust anchor, in its own organisation home).

    A verifier imports them with `innopass trust import FILE`.

    \b
    Examples:
      innopass anchor add --home anchor rf4.json
      innopass trust-list sign --home anchor -o trust-list.json
      innopass trust-list export --home anchor --version 1 -o trust-list-v1.json
    """


def _withdrawal(spec: str) -> tuple[str, datetime | None]:
    code, at, when = spec.partition("@")
    ods = ODS_CODE.convert(code, None, None)
    return ods, TIMESTAMP.convert(when, None, None) if at else None


def _successor(spec: str) -> tuple[str, str]:
    from innopass.trust import valid_ods_code

    code, eq, successor = spec.partition("=")
    if not eq or not valid_ods_code(code) or not valid_ods_code(successor):
        raise click.BadParameter(
            f"{spec!r} is not ODS=SUCCESSOR (two ODS codes)", param_hint="--successor"
        )
    return code, successor


def _unique(pairs: Sequence[tuple[str, _T]], option: str) -> dict[str, _T]:
    out: dict[str, _T] = {}
    for code, value in pairs:
        if code in out:
            raise click.BadParameter(f"{code} is given twice", param_hint=option)
        out[code] = value
    return out


def _description(path: Path) -> OrganisationDescription:
    from innopass.errors import MalformedInputError
    from innopass.trust import OrganisationDescription

    try:
        return OrganisationDescription.from_json(read_json_object(path, "--issuer"))
    except MalformedInputError as exc:
        raise MalformedInputError(f"{path}: {exc.diagnostics()}") from exc


def _report(changes: Sequence[str], none: str) -> None:
    for line in changes or (none,):
        click.echo(f"  {line}")


@trust_list_group.command("sign")
@click.option(
    "--issuer",
    "issuers",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Add (or update) this issuer on the roster first: its description (innopass org "
    "export). May be repeated.",
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    metavar="[ODS=]PROFILES[:DOMAINS]",
    help="Accredited scope for the --issuer files, e.g. device,digital or all:clinical_safety; "
    "with ODS= for that issuer only (RF4=digital) (default: every profile and domain, or "
    "what the roster holds). May be repeated.",
)
@valid_days_option(default=30, maximum=3660, what="the trust list is")
@click.option(
    "--withdraw",
    "withdrawals",
    multiple=True,
    metavar="ODS[@TIME]",
    help="Withdraw this issuer on the roster from TIME (RFC 3339; default: now) first: its "
    "passports signed after that are refused. May be repeated.",
)
@click.option(
    "--successor",
    "successors",
    multiple=True,
    metavar="ODS=SUCCESSOR",
    help="Record SUCCESSOR as the ODS code that took over ODS (after a merger) first. "
    "May be repeated.",
)
@output_file_option("Where to write the signed trust list.", metavar="FILE", required=True)
@home_option
def sign_trust_list_command(
    issuers: tuple[Path, ...],
    scopes: tuple[str, ...],
    valid_days: int,
    withdrawals: tuple[str, ...],
    successors: tuple[str, ...],
    output: Path,
    home: Path | None,
) -> None:
    """Sign a new version of this anchor's trust list, naming every issuer on its roster.

    The roster changes only by explicit commands (innopass anchor add, remove,
    withdraw, successor; or --issuer, --withdraw and --successor here, applied
    first), so no issuer is ever dropped by omission. What changed since the
    previous version is printed. The version is one higher than the last this
    anchor signed, so verifiers can refuse a rollback. Key windows and
    compromised keys come from each issuer's description.

    \b
    Examples:
      innopass anchor add --home anchor rf4.json
      innopass trust-list sign --home anchor -o trust-list.json
      innopass trust-list sign --home anchor --issuer r1h.json -o trust-list.json
      innopass trust-list sign --home anchor --withdraw RF4 --successor RF4=R1H -o tl.json

    The key passphrase comes from INNOPASS_PASSPHRASE, or is asked for at a terminal.
    """
    from innopass._internal.timestamps import utc_now
    from innopass.issuer import OrganisationHome, TrustAnchor
    from innopass.issuer._roster import change_roster

    parsed = [_issuer_scope(s) for s in scopes]
    parsed_scopes = tuple(scope for code, scope in parsed if code is None)
    issuer_scopes: dict[str, list[AccreditedScope]] = {}
    for code, scope in parsed:
        if code is not None:
            issuer_scopes.setdefault(code, []).append(scope)
    if parsed and not issuers:
        raise click.UsageError("--scope applies to --issuer files; give --issuer too")
    withdrawn = _unique([_withdrawal(s) for s in withdrawals], "--withdraw")
    successor_of = _unique([_successor(s) for s in successors], "--successor")
    descriptions = [_description(path) for path in issuers]
    org = OrganisationHome.open(resolve_home(home))
    org.check_output_file(output)  # before a version number is used
    unknown = sorted(set(issuer_scopes) - {d.ods_code for d in descriptions})
    if unknown:
        raise click.UsageError(
            f"--scope {unknown[0]}=...: {unknown[0]} is not among the --issuer files given"
        )
    passphrase = read_passphrase()  # before the roster changes: a wrong one changes nothing
    with TrustAnchor.from_home(org.path, passphrase=passphrase) as anchor:
        if descriptions or withdrawn or successor_of:
            now = utc_now()

            def change(roster: Roster) -> Roster:
                for description in descriptions:
                    own = tuple(issuer_scopes.get(description.ods_code, ()))
                    roster = roster.added(description, scopes=own or parsed_scopes or None)
                for code, when in withdrawn.items():
                    roster = roster.withdrawn(code, when or now)
                for code, successor in successor_of.items():
                    roster = roster.with_successor(code, successor)
                return roster

            change_roster(org.path, change, action="roster-change", subject="trust-list sign")
        signed, changes = anchor.sign_roster(valid_for=timedelta(days=valid_days))
    write_output(
        signed.text(),
        output,
        committed=f"trust list version {signed.version} is recorded in the ledger "
        f"(write it again with `innopass trust-list export --version {signed.version}`)",
    )
    until = signed.credential.get("validUntil")
    subject = signed.credential.get("credentialSubject")
    listed = subject.get("trustedIssuers") if isinstance(subject, dict) else None
    names = ", ".join(
        str(i.get("odsCode"))
        for i in (listed if isinstance(listed, list) else [])
        if isinstance(i, dict)
    )
    click.echo(
        f"wrote trust list version {signed.version} ({names}) to {output}, valid until {until}"
    )
    click.echo(
        "changes since the previous version:" if signed.version > 1 else "the first version names:"
    )
    _report(changes, "none (the same issuers, keys and scopes as before)")


# --- the roster: innopass anchor ... ---------------------------------------------------------


@click.group("anchor", cls=HelpGroup)
def anchor_group() -> None:
    """The trust anchor's roster: the issuers its next trust list names.

    \b
    Examples:
      innopass anchor add --home anchor rf4.json --scope device
      innopass anchor list --home anchor
      innopass anchor withdraw --home anchor RF4 --at 2026-06-01T00:00:00Z
      innopass anchor successor --home anchor RF4 R1H
      innopass anchor remove --home anchor RF4
      innopass trust-list sign --home anchor -o trust-list.json
    """


def _change(home: Path | None, change: Callable[[Roster], Roster], subject: str) -> None:
    from innopass.issuer._roster import change_roster

    before, after = change_roster(
        resolve_home(home), change, action="roster-change", subject=subject
    )
    from innopass.issuer._roster import roster_changes

    _report(roster_changes(before.issuers, after.issuers), "no change")
    click.echo("sign the next trust list to publish it: innopass trust-list sign -o FILE")


@anchor_group.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    metavar="PROFILES[:DOMAINS]",
    help="Accredited scope, e.g. device,digital or all:clinical_safety (default: every "
    "profile and domain; an issuer already on the roster keeps its scopes). May be repeated.",
)
@home_option
def anchor_add_command(files: tuple[Path, ...], scopes: tuple[str, ...], home: Path | None) -> None:
    """Add issuers to the roster from their descriptions, or update them (a new key).

    \b
    Examples:
      innopass anchor add --home anchor rf4.json
      innopass anchor add --home anchor r0d.json --scope diagnostic
    """
    parsed = tuple(_scope(s) for s in scopes) or None
    descriptions = [_description(path) for path in files]

    def change(roster: Roster) -> Roster:
        for description in descriptions:
            roster = roster.added(description, scopes=parsed)
        return roster

    _change(home, change, ", ".join(d.ods_code for d in descriptions))


@anchor_group.command("remove")
@click.argument("ods", type=ODS_CODE)
@home_option
def anchor_remove_command(ods: str, home: Path | None) -> None:
    """Take an issuer off the roster: the next trust list no longer names it.

    To keep verifying the passports it signed before, withdraw it instead.

    \b
    Example:
      innopass anchor remove --home anchor RF4
    """
    _change(home, lambda roster: roster.removed(ods), ods)


@anchor_group.command("withdraw")
@click.argument("ods", type=ODS_CODE)
@click.option(
    "--at", "at", type=TIMESTAMP, help="Withdrawn from this RFC 3339 time (default: now)."
)
@home_option
def anchor_withdraw_command(ods: str, at: datetime | None, home: Path | None) -> None:
    """Mark an issuer withdrawn: its passports signed from then on are refused.

    \b
    Example:
      innopass anchor withdraw --home anchor RF4 --at 2026-06-01T00:00:00Z
    """
    from innopass._internal.timestamps import utc_now

    when = at or utc_now()
    _change(home, lambda roster: roster.withdrawn(ods, when), ods)


@anchor_group.command("successor")
@click.argument("ods", type=ODS_CODE)
@click.argument("successor", type=ODS_CODE)
@home_option
def anchor_successor_command(ods: str, successor: str, home: Path | None) -> None:
    """Record SUCCESSOR as the organisation that took over ODS (after a merger).

    \b
    Example:
      innopass anchor successor --home anchor RT3 RJ1
    """
    _change(home, lambda roster: roster.with_successor(ods, successor), ods)


@anchor_group.command("list")
@home_option
def anchor_list_command(home: Path | None) -> None:
    """List the roster: each issuer, its status, successor, keys and scopes.

    \b
    Example:
      innopass anchor list --home anchor
    """
    from innopass._internal.timestamps import format_datetime
    from innopass.issuer._roster import load_roster

    roster = load_roster(resolve_home(home))
    if not roster.issuers:
        click.echo("the roster is empty: innopass anchor add FILE")
        return
    for issuer in roster.issuers:
        status = issuer.status
        if issuer.withdrawn_at is not None:
            status += f" from {format_datetime(issuer.withdrawn_at)}"
        if issuer.successor:
            status += f", successor {issuer.successor}"
        click.echo(f"{issuer.ods_code:<6} {issuer.name}  ({status})")
        click.echo(f"       {issuer.did}; {len(issuer.keys)} key(s)")


@trust_list_group.command("export")
@click.option(
    "--version",
    "version",
    type=click.IntRange(min=1),
    default=None,
    help="The version to write (default: the newest).",
)
@output_file_option("Write the trust list to FILE (default: standard output).", metavar="FILE")
@home_option
def export_trust_list_command(version: int | None, output: Path | None, home: Path | None) -> None:
    """Write a trust list this anchor signed, exactly as signed, from its ledger.

    \b
    Examples:
      innopass trust-list export --home anchor -o trust-list.json
      innopass trust-list export --home anchor --version 1
    """
    from innopass.errors import LedgerError
    from innopass.issuer import OrganisationHome

    org = OrganisationHome.open(resolve_home(home))
    if output is not None:
        org.check_output_file(output)
    with org.open_ledger() as ledger:
        versions = ledger.trust_list_versions()
    chosen = [v for v in versions if version is None or v.version == version]
    if not chosen:
        wanted = "any trust list" if version is None else f"trust list version {version}"
        raise LedgerError(f"this organisation has not signed {wanted}")
    write_output(chosen[-1].credential_text, output)
    if output is not None:
        click.echo(f"wrote trust list version {chosen[-1].version} to {output}")
