"""Issuer commands: ``issue``, ``revoke``/``suspend``/``reinstate``, ``status publish``,
``bundle`` and ``passport export``.

Exit codes: 0 success; 1 one or more records are invalid (every problem is listed,
and nothing is issued); 2 usage or input error, wrong passphrase, unknown passport
id, a refused status change (anything on a revoked passport, suspending a
suspended one, reinstating one that is not suspended), or an output that cannot
be written (or lies inside the home's keys or ledger), with one line on stderr.

Output locations are checked before anything is signed, so nothing is committed
to the ledger that cannot be written; if a write still fails afterwards, the
error names what the ledger holds and ``passport export`` writes it again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from innopass.cli._common import (
    home_option,
    output_file_option,
    read_passphrase,
    resolve_home,
    valid_days_option,
    write_output,
)
from innopass.cli._exit import ExitCode
from innopass.cli._types import JSON_OBJECT_FILE, ODS_CODE

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass._internal.jsonio import JSONObject
    from innopass.issuer import IssuedPassport, StatusAction
    from innopass.record import AssessmentRecord

__all__ = ["ISSUER_COMMANDS", "REASON", "passport_reference"]

F = TypeVar("F", bound=Callable[..., Any])


def passport_reference(value: str) -> str:
    """An ``ID|FILE`` argument: a passport id (``urn:...``), or the text of a passport FILE.

    Raises :class:`~innopass.errors.PassportReferenceError` (exit 2) for an id that
    is not a well-formed URN, or a value that is neither an id nor a file.
    """
    from innopass._internal.jsonio import DEFAULT_LIMITS, read_file_limited
    from innopass.errors import MalformedInputError, PassportReferenceError
    from innopass.issuer._bundle import check_passport_id, is_passport_id_like

    if is_passport_id_like(value):
        return check_passport_id(value.strip())
    path = Path(value)
    if not path.is_file():
        raise PassportReferenceError(
            f"{value!r} is neither a passport id (urn:uuid:...) nor a passport file"
        )
    data = read_file_limited(path, max_bytes=DEFAULT_LIMITS.max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedInputError(f"cannot read passport {path}: not UTF-8") from exc


def _load_records(paths: Sequence[Path]) -> list[AssessmentRecord]:
    """Parse and schema-check every record; list all problems and exit 1 if any is invalid."""
    from innopass.errors import MalformedInputError, RecordInvalidError
    from innopass.record import AssessmentRecord

    records: list[AssessmentRecord] = []
    invalid = 0
    for path in paths:
        try:
            records.append(AssessmentRecord.load(path))
        except RecordInvalidError as exc:
            invalid += 1
            for problem in exc.problems:
                click.echo(f"{path}: {problem}", err=True)
        except MalformedInputError as exc:
            message = exc.diagnostics()
            raise MalformedInputError(
                message if str(path) in message else f"{path}: {message}"
            ) from exc
    if invalid:
        click.echo(f"innopass: {invalid} invalid record(s); nothing was issued", err=True)
        raise click.exceptions.Exit(int(ExitCode.REJECTED))
    return records


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
@click.option(
    "--reissue",
    is_flag=True,
    help="Issue a record whose id and version already have an active passport; "
    "the new passport supersedes the old one (published in the message status list).",
)
@click.option(
    "--successor-of",
    "successor_of",
    multiple=True,
    type=ODS_CODE,
    metavar="ODS",
    help="Also issue records assessed by ODS, an organisation this one succeeded after a "
    "merger (verifiers accept it when a trust list names this organisation as ODS's "
    "successor). May be repeated.",
)
@home_option
def issue_command(
    records: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    reissue: bool,
    successor_of: tuple[str, ...],
    home: Path | None,
) -> None:
    """Sign a passport from each RECORD and record it in the organisation's ledger.

    Every record is checked first; if any is invalid, every problem is listed
    (FILE: /json/pointer: message), nothing is issued and the exit code is 1.
    A record whose id and version already have an active passport is refused
    unless --reissue; a passport for a newer record version (or for a record
    that says it supersedes another) supersedes the older passports, and the
    output says which. With several records, -o names a directory and each
    passport is written to <uuid>.json (or .jwt); one line per record says which
    file it became. OUT is checked before anything is signed; passports are
    committed to the ledger (in groups, one durable transaction each) before their
    files are written, and `innopass passport export ID -o FILE` writes one again
    if a write fails.
    """
    from innopass.errors import OutputError, RecordInvalidError
    from innopass.issuer import Issuer, OrganisationHome

    several = len(records) > 1
    if several and output is None:
        raise click.UsageError("with several records, -o must name a directory")
    to_directory = output is not None and (several or output.is_dir())
    org = OrganisationHome.open(resolve_home(home))
    if output is not None:  # before the passphrase, and before anything is signed
        if to_directory:
            org.check_output_dir(output)
        else:
            org.check_output_file(output)
    parsed = _load_records(records)
    with Issuer.from_home(org.path, passphrase=read_passphrase()) as issuer:
        try:
            prepared = issuer.prepare_batch(parsed, reissue=reissue, successor_of=successor_of)
        except RecordInvalidError as exc:
            for problem in exc.problems:
                position, _, rest = problem.path.lstrip("/").partition("/")
                click.echo(f"{records[int(position)]}: /{rest}: {problem.message}", err=True)
            failed = len({p.path.lstrip("/").partition("/")[0] for p in exc.problems})
            click.echo(
                f"innopass: {failed} record(s) cannot be issued; nothing was issued", err=True
            )
            raise click.exceptions.Exit(int(ExitCode.REJECTED)) from exc
        if to_directory and output is not None:
            try:
                output.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputError(
                    f"cannot create the directory {output}: {exc.strerror or exc}", path=output
                ) from exc

        sources = iter(records)
        progress = click.progressbar(
            length=len(prepared),
            label="Issuing",
            file=sys.stderr,
            hidden=not (several and sys.stderr.isatty()),
        )

        def deliver(passport: IssuedPassport) -> None:
            source = next(sources)
            progress.update(1)
            superseded = "".join(
                f"\n  supersedes {old} (its message now says: superseded)"
                for old in passport.supersedes
            )
            if output is None:
                click.echo(passport.text(), nl=False)
                click.echo(f"issued {passport.id} from {source}{superseded}", err=True)
                return
            target = output / passport.filename() if to_directory else output
            passport.write(target)
            click.echo(f"{source} -> {target}  ({passport.id}){superseded}")

        with progress:
            issued = issuer.issue_batch(
                prepared,
                format=fmt,
                on_issued=deliver,
                reissue=reissue,
                successor_of=successor_of,
            )
        if several:
            click.echo(f"issued {len(issued)} passports into {output}")


#: ``--reason`` values: each reason's name, and the short forms people use.
REASON_ALIASES: dict[str, str] = {
    "fsn": "field-safety-notice",
    "review": "under-review",
    "withdrawn": "withdrawn-by-supplier",
    "certificate": "certificate-withdrawn",
    "merged": "issuer-succeeded",
    "framework": "framework-retired",
}


class _Reason(click.ParamType[str]):
    """A status reason (``innopass.status.StatusReason``) or one of its short forms."""

    name = "reason"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        from innopass.status import StatusReason

        text = str(value).strip().lower()
        text = REASON_ALIASES.get(text, text)
        if text not in {r.value for r in StatusReason}:
            known = ", ".join([*(r.value for r in StatusReason), *REASON_ALIASES])
            self.fail(f"{value!r} is not a reason (one of: {known})", param, ctx)
        return text


REASON = _Reason()


def _reason_option(help: str) -> Callable[[F], F]:
    return click.option(
        "--reason", "reason", type=REASON, default=None, metavar="REASON", help=help
    )


_REASONS_HELP = (
    "Why, published in the message status list: superseded, fsn (field safety notice), "
    "review (under review), withdrawn (by the supplier), certificate (withdrawn or "
    "expired), merged (the assessing organisation), framework (version retired), none."
)


def _change(
    action: StatusAction, passport: str, home: Path | None, reason: str | None = None
) -> None:
    from innopass.issuer import OrganisationHome
    from innopass.issuer._bundle import find_passport
    from innopass.issuer._status_lists import change_status

    org = OrganisationHome.open(resolve_home(home))
    reference = passport_reference(passport)
    with org.open_ledger() as ledger:
        passport_id = find_passport(ledger, reference).id
        entry = change_status(ledger, passport_id, action, reason=reason)
    message = entry.message
    if message is not None:
        click.echo(f"{entry.id}: {entry.state.value}; message: {message.value}")
    else:
        click.echo(f"{entry.id}: {entry.state.value}")
        if reason is not None:
            click.echo(
                f"note: {entry.id} was issued without a message status entry, so the reason "
                f"({reason}) is in the ledger's audit log only, not published"
            )
    click.echo("publish the status lists (innopass status publish) so verifiers see it")


_PASSPORT_ARG = click.argument("passport", metavar="ID|FILE")


@click.command("revoke")
@_PASSPORT_ARG
@_reason_option(_REASONS_HELP)
@home_option
def revoke_command(passport: str, reason: str | None, home: Path | None) -> None:
    """Revoke a passport (final: it cannot be reinstated).

    ID is the passport id (urn:uuid:...), or give the passport FILE.
    """
    from innopass.issuer import StatusAction

    _change(StatusAction.REVOKE, passport, home, reason)


@click.command("suspend")
@_PASSPORT_ARG
@_reason_option(_REASONS_HELP)
@home_option
def suspend_command(passport: str, reason: str | None, home: Path | None) -> None:
    """Suspend a passport (reversible with `innopass reinstate`).

    For example `innopass suspend ID --reason fsn` when a field safety notice arrives.
    """
    from innopass.issuer import StatusAction

    _change(StatusAction.SUSPEND, passport, home, reason)


@click.command("reinstate")
@_PASSPORT_ARG
@_reason_option(
    "The message to publish now (default: none, or superseded for a superseded passport)."
)
@home_option
def reinstate_command(passport: str, reason: str | None, home: Path | None) -> None:
    """Lift a passport's suspension (a revoked passport cannot be reinstated)."""
    from innopass.issuer import StatusAction

    _change(StatusAction.REINSTATE, passport, home, reason)


@click.group("status")
def status_group() -> None:
    """Publish the organisation's signed status lists; say why a passport's status changed."""


@status_group.command("message")
@_PASSPORT_ARG
@click.option(
    "--reason", "reason", type=REASON, required=True, metavar="REASON", help=_REASONS_HELP
)
@home_option
def message_command(passport: str, reason: str, home: Path | None) -> None:
    """Set only a passport's message (why), leaving revocation and suspension as they are.

    For example `innopass status message ID --reason review` while an assessment is
    looked at again; `--reason none` clears it.
    """
    from innopass.issuer import StatusAction

    _change(StatusAction.MESSAGE, passport, home, reason)


@status_group.command("publish")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Directory to write <purpose>/<n> files to (serve it at the status-list base).",
)
@valid_days_option(default=7, maximum=366, what="the signed lists are")
@home_option
def publish_command(output: Path, valid_days: int, home: Path | None) -> None:
    """Sign every status list with the current key and write it to DIR/<purpose>/<n>."""
    from innopass.issuer import Issuer, OrganisationHome

    org = OrganisationHome.open(resolve_home(home))
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
    type=JSON_OBJECT_FILE,
    help="Include this signed trust list.",
)
@valid_days_option(default=7, maximum=366, what="the status lists signed into the bundle are")
@home_option
def bundle_command(
    passport: str,
    output: Path | None,
    trust_list: JSONObject | None,
    valid_days: int,
    home: Path | None,
) -> None:
    """Write a passport with its issuer's description and current status lists, in one file.

    ID is the passport id (urn:uuid:...); or give a passport FILE this
    organisation issued. The status lists are signed now, with the current key.
    """
    from innopass._internal.jsonio import dumps_pretty
    from innopass.issuer import Issuer, OrganisationHome

    org = OrganisationHome.open(resolve_home(home))
    reference = passport_reference(passport)
    if output is not None:
        org.check_output_file(output)
    with Issuer.from_home(org.path, passphrase=read_passphrase()) as issuer:
        bundle = issuer.bundle(
            reference, trust_list=trust_list, valid_for=timedelta(days=valid_days)
        )
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
    from innopass.issuer import OrganisationHome
    from innopass.issuer._bundle import find_passport

    org = OrganisationHome.open(resolve_home(home))
    reference = passport_reference(passport)
    if output is not None:
        org.check_output_file(output)
    with org.open_ledger() as ledger:
        entry = find_passport(ledger, reference)
    write_output(entry.credential_text, output)
    if output is not None:
        click.echo(f"wrote passport {entry.id} to {output}")


ISSUER_COMMANDS: tuple[click.Command, ...] = (
    issue_command,
    revoke_command,
    suspend_command,
    reinstate_command,
    status_group,
    bundle_command,
    passport_group,
)
"""Every command this module adds to ``innopass``."""
