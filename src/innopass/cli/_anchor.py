"""Trust-anchor commands: ``trust-list sign`` and ``trust-list export``.

Run by a trust anchor, in its own organisation home. Exit codes: 0 success; 2
usage or input error, a wrong passphrase, or an output that cannot be written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from innopass.cli._common import (
    home_option,
    output_file_option,
    read_passphrase,
    resolve_home,
    valid_days_option,
    write_output,
)
from innopass.cli._types import ODS_CODE, TIMESTAMP, read_json_object

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass.trust import AccreditedScope

__all__ = ["trust_list_group"]

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


@click.group("trust-list")
def trust_list_group() -> None:
    """Sign trust lists (run by a trust anchor, in its own organisation home)."""


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


@trust_list_group.command("sign")
@click.option(
    "--issuer",
    "issuers",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="An organisation description (innopass org export); give one per issuer.",
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    metavar="[ODS=]PROFILES[:DOMAINS]",
    help="Accredited scope, e.g. device,digital or all:clinical_safety; with ODS= for that "
    "issuer only (RF4=digital), without for every issuer given none of its own "
    "(default: every profile and domain). May be repeated.",
)
@valid_days_option(default=30, maximum=3660, what="the trust list is")
@click.option(
    "--withdraw",
    "withdrawals",
    multiple=True,
    metavar="ODS[@TIME]",
    help="List this issuer as withdrawn from TIME (RFC 3339; default: now): its passports "
    "signed after that are refused. May be repeated.",
)
@click.option(
    "--successor",
    "successors",
    multiple=True,
    metavar="ODS=SUCCESSOR",
    help="Record SUCCESSOR as the ODS code that took over ODS (after a merger). May be repeated.",
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
    """Sign a new version of this anchor's trust list naming each --issuer.

    The version is one higher than the last this anchor signed (its ledger
    remembers), so verifiers can refuse a rollback. Key windows and compromised
    keys are taken from each issuer's description.
    """
    from innopass.errors import MalformedInputError
    from innopass.issuer import OrganisationHome, TrustAnchor
    from innopass.trust import ALL_PROFILES, OrganisationDescription

    parsed = [_issuer_scope(s) for s in scopes]
    parsed_scopes = tuple(scope for code, scope in parsed if code is None)
    issuer_scopes: dict[str, list[AccreditedScope]] = {}
    for code, scope in parsed:
        if code is not None:
            issuer_scopes.setdefault(code, []).append(scope)
    withdrawn = _unique([_withdrawal(s) for s in withdrawals], "--withdraw")
    successor_of = _unique([_successor(s) for s in successors], "--successor")
    descriptions: list[OrganisationDescription] = []
    for path in issuers:
        try:
            descriptions.append(
                OrganisationDescription.from_json(read_json_object(path, "--issuer"))
            )
        except MalformedInputError as exc:
            raise MalformedInputError(f"{path}: {exc.diagnostics()}") from exc
    org = OrganisationHome.open(resolve_home(home))
    org.check_output_file(output)  # before a version number is used
    with TrustAnchor.from_home(org.path, passphrase=read_passphrase()) as anchor:
        signed = anchor.sign_trust_list(
            descriptions,
            scopes=parsed_scopes or (ALL_PROFILES,),
            valid_for=timedelta(days=valid_days),
            withdrawn=withdrawn,
            successors=successor_of,
            issuer_scopes=issuer_scopes,
        )
    write_output(
        signed.text(),
        output,
        committed=f"trust list version {signed.version} is recorded in the ledger "
        f"(write it again with `innopass trust-list export --version {signed.version}`)",
    )
    until = signed.credential.get("validUntil")
    names = ", ".join(d.ods_code for d in descriptions)
    click.echo(
        f"wrote trust list version {signed.version} ({names}) to {output}, valid until {until}"
    )


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
    """Write a trust list this anchor signed, exactly as signed, from its ledger."""
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
