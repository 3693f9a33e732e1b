"""Issuer commands: ``issue``, ``revoke``/``suspend``/``reinstate``, ``status publish``,
``bundle``, ``passport export`` and ``trust-list sign``/``export``.

Exit codes: 0 success; 1 one or more records are invalid (every problem is listed,
and nothing is issued); 2 usage or input error, wrong passphrase, unknown passport
id, a refused status change (anything on a revoked passport, suspending a
suspended one, reinstating one that is not suspended), or an output that cannot
be written (or lies inside the home's keys or ledger), with one line on stderr.

Output locations are checked before anything is signed, so nothing is committed
to the ledger that cannot be written; if a write still fails afterwards, the
error names what the ledger holds and ``passport export`` / ``trust-list
export`` write it again.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

import click

from innopass._internal.jsonio import (
    DEFAULT_LIMITS,
    JSONObject,
    dumps_pretty,
    load_file_strict,
    read_file_limited,
    require_object,
)
from innopass._internal.timestamps import parse_datetime
from innopass.cli._common import home_option, output_file_option, resolve_home_option
from innopass.cli._org import read_passphrase, write_output
from innopass.errors import (
    LedgerError,
    MalformedInputError,
    RecordInvalidError,
    SchemaProblem,
)
from innopass.issuer import (
    DEFAULT_SCOPES,
    PROFILES,
    IssuedPassport,
    Issuer,
    OrganisationHome,
    OutputError,
    PassportReferenceError,
    StatusAction,
    change_status,
    check_passport_id,
    find_passport,
)
from innopass.issuer.bundle import is_passport_id_like
from innopass.record import AssessmentRecord, Domain
from innopass.trust import AccreditedScope, OrganisationDescription, valid_ods_code

__all__ = [
    "ISSUER_COMMANDS",
    "bundle_command",
    "issue_command",
    "passport_group",
    "reinstate_command",
    "revoke_command",
    "status_group",
    "suspend_command",
    "trust_list_group",
]

_INVALID = 1
_USAGE = 2
_T = TypeVar("_T")


def _read_text(path: Path, what: str) -> str:
    data = read_file_limited(path, max_bytes=DEFAULT_LIMITS.max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedInputError(f"cannot read {what} {path}: not UTF-8") from exc


def passport_reference(value: str) -> str:
    """An ``ID|FILE`` argument: a passport id (``urn:...``), or the text of a passport FILE.

    Raises :class:`~innopass.issuer.PassportReferenceError` (exit 2) for an id
    that is not a well-formed URN, or a value that is neither an id nor a file.
    """
    if is_passport_id_like(value):
        return check_passport_id(value.strip())
    path = Path(value)
    if not path.is_file():
        raise PassportReferenceError(
            f"{value!r} is neither a passport id (urn:uuid:...) nor a passport file"
        )
    return _read_text(path, "passport")


def _report_problems(label: str, problems: Sequence[SchemaProblem]) -> None:
    for problem in problems:
        click.echo(f"{label}: {problem}", err=True)


def _load_records(paths: Sequence[Path]) -> list[AssessmentRecord]:
    """Parse and schema-check every record; list all problems and exit 1 if any is invalid."""
    records: list[AssessmentRecord] = []
    invalid = 0
    for path in paths:
        try:
            records.append(AssessmentRecord.load(path))
        except RecordInvalidError as exc:
            invalid += 1
            _report_problems(str(path), exc.problems)
        except MalformedInputError as exc:
            message = exc.diagnostics()
            raise MalformedInputError(
                message if str(path) in message else f"{path}: {message}"
            ) from exc
    if invalid:
        click.echo(f"innopass: {invalid} invalid record(s); nothing was issued", err=True)
        raise SystemExit(_INVALID)
    return records


def _prepare(issuer: Issuer, paths: Sequence[Path], records: list[AssessmentRecord]) -> None:
    """Check the records against this organisation (issuer, expiry); exit 1 listing problems."""
    invalid = 0
    for path, record in zip(paths, records, strict=True):
        try:
            issuer.prepare(record)
        except RecordInvalidError as exc:
            invalid += 1
            _report_problems(str(path), exc.problems)
    if invalid:
        click.echo(f"innopass: {invalid} record(s) cannot be issued; nothing was issued", err=True)
        raise SystemExit(_INVALID)


@click.command("issue")
@click.argument("records", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["di", "jwt"]),
    default="di",
    show_default=True,
    help="di: JSON with a Data Integrity proof; jwt: a vc+jwt compact JWS.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    metavar="OUT",
    help="File for one passport (default: standard output); directory for several.",
)
@home_option
def issue_command(
    records: tuple[Path, ...], fmt: str, output: Path | None, home: Path | None
) -> None:
    """Sign a passport from each RECORD and record it in the organisation's ledger.

    Every record is checked first; if any is invalid, every problem is listed
    (FILE: /json/pointer: message), nothing is issued and the exit code is 1.
    With several records, -o names a directory and each passport is written to
    <uuid>.json (or .jwt). OUT is checked before anything is signed; each
    passport is committed to the ledger before its file is written, and
    `innopass passport export ID -o FILE` writes it again if that write fails.
    """
    several = len(records) > 1
    if several and output is None:
        raise click.UsageError("with several records, -o must name a directory")
    to_directory = output is not None and (several or output.is_dir())
    org = OrganisationHome.open(resolve_home_option(home))
    if output is not None:  # before the passphrase, and before anything is signed
        if to_directory:
            org.check_output_dir(output)
        else:
            org.check_output_file(output)
    parsed = _load_records(records)
    with Issuer.from_home(org.path, passphrase=read_passphrase()) as issuer:
        _prepare(issuer, records, parsed)
        if to_directory and output is not None:
            try:
                output.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputError(
                    f"cannot create the directory {output}: {exc.strerror or exc}", path=output
                ) from exc

        def deliver(passport: IssuedPassport) -> None:
            if output is None:
                click.echo(passport.text(), nl=False)
                click.echo(f"issued {passport.id}", err=True)
                return
            target = output / passport.filename() if to_directory else output
            passport.write(target)
            click.echo(f"issued {passport.id} -> {target}")

        if several and sys.stderr.isatty():
            with click.progressbar(parsed, label="Issuing", file=sys.stderr) as bar:
                for record in bar:
                    deliver(issuer.issue(record, format=fmt))
        else:
            for record in parsed:
                deliver(issuer.issue(record, format=fmt))


def _change(action: StatusAction, passport: str, home: Path | None) -> None:
    org = OrganisationHome.open(resolve_home_option(home))
    reference = passport_reference(passport)
    with org.open_ledger() as ledger:
        passport_id = find_passport(ledger, reference).id
        entry = change_status(ledger, passport_id, action)
    click.echo(f"{entry.id}: {entry.state.value}")
    click.echo("publish the status lists (innopass status publish) so verifiers see it")


_PASSPORT_ARG = click.argument("passport", metavar="ID|FILE")


@click.command("revoke")
@_PASSPORT_ARG
@home_option
def revoke_command(passport: str, home: Path | None) -> None:
    """Revoke a passport (final: it cannot be reinstated).

    ID is the passport id (urn:uuid:...), or give the passport FILE.
    """
    _change(StatusAction.REVOKE, passport, home)


@click.command("suspend")
@_PASSPORT_ARG
@home_option
def suspend_command(passport: str, home: Path | None) -> None:
    """Suspend a passport (reversible with `innopass reinstate`)."""
    _change(StatusAction.SUSPEND, passport, home)


@click.command("reinstate")
@_PASSPORT_ARG
@home_option
def reinstate_command(passport: str, home: Path | None) -> None:
    """Lift a passport's suspension (a revoked passport cannot be reinstated)."""
    _change(StatusAction.REINSTATE, passport, home)


@click.group("status")
def status_group() -> None:
    """Publish the organisation's signed status lists."""


@status_group.command("publish")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Directory to write <purpose>/<n> files to (serve it at the status-list base).",
)
@click.option(
    "--valid-days",
    type=click.IntRange(1, 366),
    default=7,
    show_default=True,
    help="How long the signed lists are valid.",
)
@home_option
def publish_command(output: Path, valid_days: int, home: Path | None) -> None:
    """Sign every status list with the current key and write it to DIR/<purpose>/<n>."""
    org = OrganisationHome.open(resolve_home_option(home))
    org.check_output_dir(output)  # before the passphrase; checked again before signing
    with Issuer.from_home(org.path, passphrase=read_passphrase()) as issuer:
        written = issuer.publish_status_lists(output, valid_for=timedelta(days=valid_days))
    if not written:
        click.echo("no status lists yet (no passport has been issued); nothing written")
        return
    for item in written:
        until = item.credential.get("validUntil")
        click.echo(f"wrote {item.path}  {item.id}  valid until {until}")


@click.command("bundle")
@click.argument("passport", metavar="ID|FILE")
@output_file_option("Write the bundle to OUT (default: standard output).", metavar="OUT")
@click.option(
    "--trust-list",
    "trust_list",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Include this signed trust list.",
)
@click.option(
    "--valid-days",
    type=click.IntRange(1, 366),
    default=7,
    show_default=True,
    help="Validity of the status lists signed into the bundle.",
)
@home_option
def bundle_command(
    passport: str,
    output: Path | None,
    trust_list: Path | None,
    valid_days: int,
    home: Path | None,
) -> None:
    """Write a passport with its issuer's description and current status lists, in one file.

    ID is the passport id (urn:uuid:...); or give a passport FILE this
    organisation issued. The status lists are signed now, with the current key.
    """
    org = OrganisationHome.open(resolve_home_option(home))
    reference = passport_reference(passport)
    if output is not None:
        org.check_output_file(output)
    trust: JSONObject | None = None
    if trust_list is not None:
        trust = require_object(load_file_strict(trust_list), what=f"trust list {trust_list}")
    with Issuer.from_home(org.path, passphrase=read_passphrase()) as issuer:
        bundle = issuer.bundle(reference, trust_list=trust, valid_for=timedelta(days=valid_days))
    write_output(dumps_pretty(bundle.to_json()), output)
    if output is not None:
        click.echo(f"wrote the bundle to {output}")


@click.group("passport")
def passport_group() -> None:
    """Passports this organisation issued, as its ledger holds them."""


@passport_group.command("export")
@click.argument("passport", metavar="ID|FILE")
@output_file_option("Write the passport to FILE (default: standard output).", metavar="FILE")
@home_option
def passport_export_command(passport: str, output: Path | None, home: Path | None) -> None:
    """Write a passport exactly as it was issued, from the ledger (no passphrase needed).

    Use it when a passport file was lost or could not be written: every
    passport is committed to the ledger before its file is written.
    """
    org = OrganisationHome.open(resolve_home_option(home))
    reference = passport_reference(passport)
    if output is not None:
        org.check_output_file(output)
    with org.open_ledger() as ledger:
        entry = find_passport(ledger, reference)
    write_output(entry.credential_text, output)
    if output is not None:
        click.echo(f"wrote passport {entry.id} to {output}")


def _scope(spec: str) -> AccreditedScope:
    profiles_text, _, domains_text = spec.partition(":")
    profiles = tuple(p for p in profiles_text.split(",") if p)
    domains = tuple(d for d in domains_text.split(",") if d)
    if profiles in ((), ("all",)):
        profiles = tuple(PROFILES)
    unknown = [p for p in profiles if p not in PROFILES]
    unknown += [d for d in domains if d not in {x.value for x in Domain}]
    if unknown:
        raise click.BadParameter(f"unknown profile or domain {unknown[0]!r} in scope {spec!r}")
    return AccreditedScope(profiles=profiles, domains=domains)


@click.group("trust-list")
def trust_list_group() -> None:
    """Sign trust lists (run by a trust anchor, in its own organisation home)."""


def _withdrawal(spec: str) -> tuple[str, datetime | None]:
    code, at, when = spec.partition("@")
    if not valid_ods_code(code):
        raise click.BadParameter(f"{spec!r}: {code!r} is not an ODS code", param_hint="--withdraw")
    if not at:
        return code, None
    try:
        return code, parse_datetime(when)
    except MalformedInputError:
        raise click.BadParameter(
            f"{spec!r}: {when!r} is not an RFC 3339 time (e.g. 2026-06-01T00:00:00Z)",
            param_hint="--withdraw",
        ) from None


def _successor(spec: str) -> tuple[str, str]:
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
    metavar="PROFILES[:DOMAINS]",
    help="Accredited scope for the issuers, e.g. device,digital or all:clinical_safety "
    "(default: every profile and domain). May be repeated.",
)
@click.option(
    "--valid-days",
    type=click.IntRange(1, 3660),
    default=30,
    show_default=True,
    help="How long the trust list is valid.",
)
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
    parsed_scopes = tuple(_scope(s) for s in scopes)
    withdrawn = _unique([_withdrawal(s) for s in withdrawals], "--withdraw")
    successor_of = _unique([_successor(s) for s in successors], "--successor")
    descriptions: list[OrganisationDescription] = []
    for path in issuers:
        try:
            descriptions.append(OrganisationDescription.from_json(load_file_strict(path)))
        except MalformedInputError as exc:
            raise MalformedInputError(f"{path}: {exc.diagnostics()}") from exc
    org = OrganisationHome.open(resolve_home_option(home))
    org.check_output_file(output)  # before a version number is used
    with Issuer.from_home(org.path, passphrase=read_passphrase()) as anchor:
        signed = anchor.sign_trust_list(
            descriptions,
            scopes=parsed_scopes or DEFAULT_SCOPES,
            valid_for=timedelta(days=valid_days),
            withdrawn=withdrawn,
            successors=successor_of,
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
    org = OrganisationHome.open(resolve_home_option(home))
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


ISSUER_COMMANDS: tuple[click.Command, ...] = (
    issue_command,
    revoke_command,
    suspend_command,
    reinstate_command,
    status_group,
    bundle_command,
    passport_group,
    trust_list_group,
)
"""Every command this module adds to ``innopass``."""
