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

import contextlib
import gc
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from innopass.cli._common import (
    HelpGroup,
    format_option,
    home_option,
    json_text,
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
    from innopass.errors import OutputError
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
    if value == "-":
        import sys

        data = sys.stdin.buffer.read(DEFAULT_LIMITS.max_bytes + 1)
    elif not path.exists() and (path.suffix or "/" in value):
        raise PassportReferenceError(f"no such file: {value}")
    elif not path.is_file():
        raise PassportReferenceError(
            f"{value!r} is neither a passport id (urn:uuid:...) nor a passport file"
        )
    else:
        data = read_file_limited(path, max_bytes=DEFAULT_LIMITS.max_bytes)
    from innopass.cli._verify import record_kind
    from innopass.errors import WrongKindOfFileError

    kind = record_kind(data)
    if kind is not None:
        raise WrongKindOfFileError(f"{value}: this is {kind}")
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
            if str(path) == "-":
                from innopass._internal.jsonio import loads_strict, require_object
                from innopass.cli._common import read_input

                value = loads_strict(read_input("-", what="record"))
                records.append(AssessmentRecord.from_json(require_object(value, what="record")))
            else:
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


def _check_records(
    paths: Sequence[Path],
    records: Sequence[AssessmentRecord],
    *,
    ods_code: str,
    successor_of: Sequence[str] = (),
) -> None:
    """The record rules ``Issuer.prepare`` checks, run before the passphrase is asked for."""
    from innopass._internal.timestamps import utc_now

    now = utc_now()
    failed = 0
    for path, record in zip(paths, records, strict=True):
        assessor = record.assessing_org.ods_code
        problems = record.problems(now=now, ods_code=None if assessor in successor_of else ods_code)
        for problem in problems:
            click.echo(f"{path}: {problem}", err=True)
        failed += bool(problems)
    if failed:
        click.echo(f"innopass: {failed} record(s) cannot be issued; nothing was issued", err=True)
        raise click.exceptions.Exit(int(ExitCode.REJECTED))


@contextlib.contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block (a batch issue), then resume it.

    A batch keeps thousands of JSON containers alive (the records, the passports
    issued), which the collector would traverse again and again, for nothing:
    issuing creates no reference cycles (measured: none left for the collector
    after 1,000 passports), so reference counting frees everything as before.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@click.command("issue")
@click.argument(
    "records",
    nargs=-1,
    required=True,
    metavar="RECORD...",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
)
@format_option()
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
    passport is written to
    <uuid>.json (or .jwt); one line per record says which file it became. OUT is
    checked before anything is signed; passports are committed to the ledger (in
    groups, one durable transaction each) before their files are written, and
    `innopass passport export ID -o FILE` writes one again if a write fails.

    \b
    Examples:
      innopass issue --home rf4 record.json -o passport.json
      innopass issue --home rf4 record.json --format jwt -o passport.jwt
      innopass issue --home rf4 records/*.json -o passports/
      cat record.json | innopass issue --home rf4 - -o passport.json
      innopass issue --home rf4 record.json --reissue -o passport-2.json

    The records are checked before the passphrase is asked for. The key
    passphrase comes from INNOPASS_PASSPHRASE or, at a terminal only, a hidden prompt.
    """
    from innopass.errors import OutputError, RecordInvalidError
    from innopass.issuer import Issuer, OrganisationHome
    from innopass.issuer._passport import sync_passport_directory

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
    with _cycle_collector_paused():  # every record, signature and file below
        parsed = _load_records(records)
        _check_records(  # before any prompt
            records, parsed, ods_code=org.description().ods_code, successor_of=successor_of
        )
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

            def report(passport: IssuedPassport, target: Path | None) -> None:
                source = next(sources)
                progress.update(1)
                superseded = "".join(
                    f"\n  supersedes {old} (its message now says: superseded)"
                    for old in passport.supersedes
                )
                if target is None:
                    click.echo(passport.text(), nl=False)
                    click.echo(f"issued {passport.id} from {source}{superseded}", err=True)
                else:
                    click.echo(f"{source} -> {target}  ({passport.id}){superseded}")

            def deliver(group: Sequence[IssuedPassport]) -> None:
                """Write a committed group's files, make them durable, then report them."""
                if output is None:
                    for passport in group:
                        report(passport, None)
                    return
                if not to_directory:
                    for passport in group:
                        passport.write(output)
                        report(passport, output)
                    return
                # each file fsynced and renamed into place (whole or absent, never half); the
                # directory fsynced once per group, and only then are the group's files
                # reported: a name told to the user survives a power cut too
                written: list[tuple[IssuedPassport, Path]] = []
                failure: OutputError | None = None
                for passport in group:
                    target = output / passport.filename()
                    try:
                        passport.write(target, sync_directory=False)
                    except OutputError as exc:
                        failure = exc
                        break
                    written.append((passport, target))
                if written:
                    try:
                        sync_passport_directory(output, [passport for passport, _ in written])
                    except OutputError as exc:
                        # the first failure is the one to tell, with every passport untold
                        raise _untold(failure or exc, group) from None
                    for passport, target in written:
                        report(passport, target)
                if failure is not None:
                    raise _untold(failure, group[len(written) :])

            with progress:
                issued = issuer.issue_batch(
                    prepared,
                    format=fmt,
                    on_group=deliver,
                    reissue=reissue,
                    successor_of=successor_of,
                )
            if several:
                click.echo(f"issued {len(issued)} passports into {output}")


def _untold(failure: OutputError, committed: Sequence[IssuedPassport]) -> OutputError:
    """``failure``, naming every passport of ``committed`` (in the ledger, never reported)
    that it does not name itself: issuing their records again would be refused."""
    from innopass.errors import OutputError

    rest = [p.id for p in committed if p.id != failure.passport_id]
    if not rest:
        return failure
    return OutputError(
        f"{failure}; {len(rest)} more passport(s) are recorded in the ledger, their "
        f"files not reported: {', '.join(rest)} (`innopass passport export ID -o FILE` each)",
        path=failure.path,
        passport_id=failure.passport_id,
    )


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
    action: StatusAction,
    passport: str,
    home: Path | None,
    *,
    yes: bool = True,
    reason: str | None = None,
) -> None:
    import sys

    from innopass.issuer import OrganisationHome, PassportState, StatusAction
    from innopass.issuer._bundle import find_passport
    from innopass.issuer._status_lists import change_status

    org = OrganisationHome.open(resolve_home(home))
    reference = passport_reference(passport)
    with org.open_ledger() as ledger:
        found = find_passport(ledger, reference)
        if action is StatusAction.REVOKE and found.state is PassportState.REVOKED:
            click.echo(f"{found.id}: already revoked (nothing changed)")
            return
        if not yes and sys.stdin.isatty():
            product = _product(found.credential_text)
            click.confirm(
                f"Revoke {found.id} ({product})? Revocation is final: it cannot be undone",
                default=False,
                abort=True,
                err=True,
            )
        entry = change_status(ledger, found.id, action, reason=reason)
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


def _product(credential_text: str) -> str:
    """The product a passport names (for a prompt or a listing), from its ledger text."""
    from innopass._internal.jose import looks_like_compact_jws, parse_compact_jws
    from innopass._internal.jsonio import loads_strict
    from innopass.errors import MalformedInputError

    try:
        text = credential_text.strip()
        value = (
            parse_compact_jws(text).payload if looks_like_compact_jws(text) else loads_strict(text)
        )
    except MalformedInputError:
        return "?"
    subject = value.get("credentialSubject") if isinstance(value, dict) else None
    record = subject.get("assessmentRecord") if isinstance(subject, dict) else None
    product = record.get("product") if isinstance(record, dict) else None
    name = product.get("name") if isinstance(product, dict) else None
    return name if isinstance(name, str) else "?"


_PASSPORT_ARG = click.argument("passport", metavar="ID|FILE")


@click.command("revoke")
@_PASSPORT_ARG
@click.option(
    "-y", "--yes", is_flag=True, help="Do not ask for confirmation at a terminal (it is final)."
)
@_reason_option(_REASONS_HELP)
@home_option
def revoke_command(passport: str, yes: bool, reason: str | None, home: Path | None) -> None:
    """Revoke a passport (final: it cannot be reinstated).

    ID is the passport id (urn:uuid:...), or give the passport FILE (- for standard
    input); `innopass passport list` shows the ids. At a terminal it asks first
    (--yes does not); revoking a revoked passport says so and changes nothing.
    Then publish the status lists so verifiers see it.

    \b
    Examples:
      innopass passport list --home rf4
      innopass revoke --home rf4 urn:uuid:8ec4db88-839f-4d9a-88fc-3b7942474735
      innopass revoke --home rf4 passport.json --yes --reason fsn
      innopass status publish --home rf4 -o status/
    """
    from innopass.issuer import StatusAction

    _change(StatusAction.REVOKE, passport, home, yes=yes, reason=reason)


@click.command("suspend")
@_PASSPORT_ARG
@_reason_option(_REASONS_HELP)
@home_option
def suspend_command(passport: str, reason: str | None, home: Path | None) -> None:
    """Suspend a passport (reversible with `innopass reinstate`).

    \b
    Examples:
      innopass suspend --home rf4 urn:uuid:8ec4db88-839f-4d9a-88fc-3b7942474735
      innopass suspend --home rf4 urn:uuid:8ec4db88-839f-4d9a-88fc-3b7942474735 --reason fsn
    """
    from innopass.issuer import StatusAction

    _change(StatusAction.SUSPEND, passport, home, reason=reason)


@click.command("reinstate")
@_PASSPORT_ARG
@_reason_option(
    "The message to publish now (default: none, or superseded for a superseded passport)."
)
@home_option
def reinstate_command(passport: str, reason: str | None, home: Path | None) -> None:
    """Lift a passport's suspension (a revoked passport cannot be reinstated).

    \b
    Example:
      innopass reinstate --home rf4 urn:uuid:8ec4db88-839f-4d9a-88fc-3b7942474735
    """
    from innopass.issuer import StatusAction

    _change(StatusAction.REINSTATE, passport, home, reason=reason)


@click.group("status", cls=HelpGroup)
def status_group() -> None:
    """Publish the organisation's signed status lists; say why a passport's status changed.

    \b
    Examples:
      innopass status publish --home rf4 -o status/
      innopass status message --home rf4 urn:uuid:8ec4db88-... --reason review
    """


@status_group.command("message")
@_PASSPORT_ARG
@click.option(
    "--reason", "reason", type=REASON, required=True, metavar="REASON", help=_REASONS_HELP
)
@home_option
def message_command(passport: str, reason: str, home: Path | None) -> None:
    """Set only a passport's message (why), leaving revocation and suspension as they are.

    For example while an assessment is looked at again; `--reason none` clears it.

    \b
    Example:
      innopass status message --home rf4 urn:uuid:8ec4db88-... --reason review
    """
    from innopass.issuer import StatusAction

    _change(StatusAction.MESSAGE, passport, home, reason=reason)


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
    """Sign every status list with the current key and write it to DIR/<purpose>/<n>.

    Serve DIR at the organisation's status-list base (innopass org show), or give
    the files to verifiers (innopass trust import FILE).

    \b
    Examples:
      innopass status publish --home rf4 -o status/
      innopass status publish --home rf4 -o status/ --valid-days 2

    The key passphrase comes from INNOPASS_PASSPHRASE or, at a terminal only, a hidden prompt.
    """
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

    \b
    Examples:
      innopass bundle --home rf4 passport.json -o bundle.json
      innopass bundle --home rf4 urn:uuid:8ec4db88-839f-4d9a-88fc-3b7942474735 -o bundle.json
      innopass bundle --home rf4 passport.json --trust-list trust-list.json -o bundle.json

    The key passphrase comes from INNOPASS_PASSPHRASE or, at a terminal only, a hidden prompt.
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


@click.group("passport", cls=HelpGroup)
def passport_group() -> None:
    """Passports this organisation issued, as its ledger holds them.

    \b
    Examples:
      innopass passport list --home rf4
      innopass passport show --home rf4 urn:uuid:8ec4db88-839f-4d9a-88fc-3b7942474735
      innopass passport export --home rf4 urn:uuid:8ec4db88-839f-4d9a-88fc-3b7942474735 -o p.json
    """


@passport_group.command("export")
@click.argument("passport", metavar="ID|FILE")
@output_file_option("Write the passport to FILE (default: standard output).", metavar="FILE")
@home_option
def passport_export_command(passport: str, output: Path | None, home: Path | None) -> None:
    """Write a passport exactly as it was issued, from the ledger (no passphrase needed).

    Use it when a passport file was lost or could not be written: every
    passport is committed to the ledger before its file is written.

    \b
    Example:
      innopass passport export --home rf4 urn:uuid:8ec4db88-839f-4d9a-88fc-3b7942474735 -o p.json
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


@passport_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per passport, one per line.")
@home_option
def passport_list_command(as_json: bool, home: Path | None) -> None:
    """List the passports this organisation issued: id, state, product, dates.

    \b
    Examples:
      innopass passport list --home rf4
      innopass passport list --home rf4 --json
    """

    from innopass._internal.timestamps import format_datetime
    from innopass.issuer import OrganisationHome

    org = OrganisationHome.open(resolve_home(home))
    with org.open_ledger() as ledger:
        entries = list(ledger.passports())
    if not entries:
        if not as_json:
            click.echo("no passport issued yet (innopass issue RECORD)")
        return
    for entry in entries:
        product = _product(entry.credential_text)
        if as_json:
            line = {
                "id": entry.id,
                "state": entry.state.value,
                "product": product,
                "record_id": entry.record_id,
                "issued_at": format_datetime(entry.issued_at),
                "valid_until": format_datetime(entry.valid_until),
                "format": entry.format,
            }
            click.echo(json_text(line))
        else:
            click.echo(
                f"{entry.id}  {entry.state.value:<9}  issued {format_datetime(entry.issued_at)}"
                f"  {product}"
            )
    if not as_json:
        click.echo(f"{len(entries)} passport(s)")


@passport_group.command("show")
@click.argument("passport", metavar="ID|FILE")
@home_option
def passport_show_command(passport: str, home: Path | None) -> None:
    """Show what the ledger holds about one passport: state, record, dates, status entries.

    For the whole passport as a person reads it, use `innopass show FILE`.

    \b
    Examples:
      innopass passport show --home rf4 urn:uuid:8ec4db88-839f-4d9a-88fc-3b7942474735
      innopass passport show --home rf4 passport.json
    """
    from innopass._internal.timestamps import format_datetime
    from innopass.issuer import OrganisationHome
    from innopass.issuer._bundle import find_passport

    org = OrganisationHome.open(resolve_home(home))
    reference = passport_reference(passport)
    with org.open_ledger() as ledger:
        entry = find_passport(ledger, reference)
    click.echo(f"passport      {entry.id}")
    click.echo(f"state         {entry.state.value}")
    click.echo(f"product       {_product(entry.credential_text)}")
    click.echo(f"record        {entry.record_id}  (sha256 {entry.record_digest})")
    click.echo(f"issued        {format_datetime(entry.issued_at)}  ({entry.format})")
    click.echo(f"valid until   {format_datetime(entry.valid_until)}")
    click.echo(f"signed with   {entry.verification_method}")
    for allocation in entry.allocations:
        bit = "set" if allocation.is_set else "clear"
        click.echo(
            f"status        {allocation.purpose} list {allocation.list_number}, "
            f"index {allocation.index}: {bit}"
        )


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
