"""``innopass verify`` and ``innopass trust``: verify passports; keep a verifier's trust store.

``verify`` exit codes (PRODUCT.md §6): 0 all verified, 1 any rejected, else 3 any
indeterminate; 2 for usage or input errors (a missing file, an unreadable option
file, a bad ``--at``). A file that can be read but is not a credential is a
verification result (``rejected``, ``malformed``), not an input error.

``trust`` exit codes: 0 done, 1 refused (invalid: bad signature, not a pinned
anchor, a rollback), 3 refused because it could not be checked, 2 input error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import click

from innopass._internal.jsonio import JSONObject, load_file_strict
from innopass._internal.net import RequestsFetcher
from innopass._internal.timestamps import parse_datetime, utc_now
from innopass.cli._common import home_option, resolve_home_option
from innopass.errors import InnopassError, MalformedInputError
from innopass.status import LIST_CREDENTIAL_TYPE
from innopass.trust import TRUST_LIST_TYPE, Bundle, OrganisationDescription, is_bundle
from innopass.verifier import (
    CheckStatus,
    Failure,
    FailureFamily,
    TrustImportError,
    TrustStore,
    Verdict,
    VerificationResult,
    Verifier,
)

__all__ = ["trust_group", "verify_command"]

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_INDETERMINATE = 3

#: ``--at`` must leave room for clock skew and list ages either side of what a
#: ``datetime`` can hold (years 1 to 9999).
_EARLIEST_AT = datetime(1, 1, 2, tzinfo=UTC)
_LATEST_AT = datetime(9999, 12, 30, 23, 59, 59, tzinfo=UTC)

_HEADLINES = {
    Verdict.VERIFIED: "✔ VERIFIED",
    Verdict.REJECTED: "✖ REJECTED",
    Verdict.INDETERMINATE: "? INDETERMINATE",
}
_MARKS = {
    CheckStatus.PASS: "✔",
    CheckStatus.FAIL: "✖",
    CheckStatus.INDETERMINATE: "?",
    CheckStatus.SKIPPED: "–",
}


def _fail(message: str) -> NoReturn:
    click.echo(f"innopass: error: {message}", err=True)
    raise click.exceptions.Exit(EXIT_USAGE)


def _read_object(path: Path, what: str) -> JSONObject:
    try:
        value = load_file_strict(path)
    except MalformedInputError as exc:
        _fail(f"{what} {path}: {exc.diagnostics()}")
    if not isinstance(value, dict):
        _fail(f"{what} {path} is not a JSON object")
    return value


def _party(value: str, what: str) -> str | OrganisationDescription:
    """A DID as given, or the organisation description in a file."""
    if value.startswith("did:"):
        return value
    obj = _read_object(Path(value), what)
    try:
        return OrganisationDescription.from_json(obj)
    except MalformedInputError as exc:
        _fail(f"{what} {value} is not an organisation description: {exc.diagnostics()}")


def _at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        when = parse_datetime(value)
    except MalformedInputError:
        _fail(f"--at {value!r} is not an RFC 3339 time with a zone (e.g. 2026-05-01T09:30:00Z)")
    if not _EARLIEST_AT <= when <= _LATEST_AT:
        _fail(f"--at {value!r} is out of range (0001-01-02 to 9999-12-30)")
    return when


def _trust_issuer(value: str) -> str | OrganisationDescription:
    """A ``--trust-issuer``: a did:key/did:jwk, or a description file (required for did:web)."""
    if value.startswith("did:") and not value.startswith(("did:key:", "did:jwk:")):
        method = ":".join(value.split(":", 2)[:2])
        _fail(
            f"--trust-issuer {value[:80]}: a {method} issuer needs its exported organisation "
            "description file (innopass org export), not its DID alone"
        )
    return _party(value, "--trust-issuer")


def _load_store(home: Path | None) -> tuple[Path, TrustStore]:
    directory = resolve_home_option(home)
    try:
        return directory, TrustStore.load(directory)
    except InnopassError as exc:
        _fail(exc.diagnostics())


# --- verify ------------------------------------------------------------------------


@click.command("verify")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE..."
)
@click.option(
    "--anchor",
    "anchors",
    multiple=True,
    metavar="FILE|DID",
    help="Also trust this anchor (this run).",
)
@click.option(
    "--trust-list",
    "trust_lists",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="A trust list to use (this run); it must be signed by a pinned anchor.",
)
@click.option(
    "--trust-issuer",
    "trust_issuers",
    multiple=True,
    metavar="FILE|DID",
    help="Also trust this issuer (this run): its description, or a did:key/did:jwk.",
)
@click.option(
    "--status-list",
    "status_lists",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="A status-list credential to use (this run).",
)
@click.option("--at", "at", metavar="TIME", help="Verify as of this RFC 3339 time instead of now.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file, one per line.")
@click.option(
    "--online",
    is_flag=True,
    help="Allow fetching status lists and did:web documents over HTTPS (cached in the home).",
)
@home_option
def verify_command(
    files: Sequence[Path],
    anchors: Sequence[str],
    trust_lists: Sequence[Path],
    trust_issuers: Sequence[str],
    status_lists: Sequence[Path],
    at: str | None,
    as_json: bool,
    online: bool,
    home: Path | None,
) -> None:
    """Verify passports, JWT passports or bundles, offline by default.

    Trust comes from the home's trust store plus the options, which apply to
    this run only. With an empty store every issuer is untrusted
    (issuer-untrusted) and the other checks still run. Exit code: 1 if any
    file is rejected, else 3 if any is indeterminate, else 0; 2 for input errors.
    """
    when = _at(at)
    directory, store = _load_store(home)
    run = store.copy()
    try:
        for value in anchors:
            run.pin_anchor(_party(value, "--anchor"))
        for value in trust_issuers:
            run.pin_issuer(_trust_issuer(value), require_document=False)
    except InnopassError as exc:
        _fail(exc.diagnostics())
    for path in trust_lists:
        run.add_trust_list(_read_object(path, "--trust-list"))
    for path in status_lists:
        run.add_status_list(_read_object(path, "--status-list"))
    clock: Callable[[], datetime] = utc_now if when is None else (lambda: when)
    verifier = Verifier(
        run, clock=clock, fetcher=RequestsFetcher() if online else None, trust_no_one=True
    )
    results: list[VerificationResult] = []
    unreadable = False
    for path in files:
        # A file that cannot be read is an input error, but the batch goes on: the
        # lines already printed stay meaningful and every readable file gets its result.
        try:
            if not path.exists():
                raise MalformedInputError(f"no such file: {path}")
            if not path.is_file():
                raise MalformedInputError(f"not a regular file: {path}")
            result = verifier.verify_file(path)
        except MalformedInputError as exc:
            click.echo(f"innopass: error: {exc.diagnostics()}", err=True)
            unreadable = True
            continue
        results.append(result)
        if as_json:
            line = {"file": str(path), **result.to_json()}
            click.echo(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
        else:
            click.echo(render_text(result, str(path)))
    if online:
        run.save_fetched(directory)
    raise click.exceptions.Exit(EXIT_USAGE if unreadable else exit_code(results))


def exit_code(results: Sequence[VerificationResult]) -> int:
    """1 if any is rejected, else 3 if any is indeterminate, else 0."""
    verdicts = {r.verdict for r in results}
    if Verdict.REJECTED in verdicts:
        return EXIT_REJECTED
    if Verdict.INDETERMINATE in verdicts:
        return EXIT_INDETERMINATE
    return EXIT_OK


def render_text(result: VerificationResult, name: str) -> str:
    """The result for a person: headline, the six checks, then what the passport says."""
    lines = [f"{_HEADLINES[result.verdict]}  {name}"]
    for check in result.checks:
        reason = f"  {check.code}: {check.message}" if check.code else ""
        if check.status is CheckStatus.SKIPPED:
            reason = f"  {check.message}"
        lines.append(f"  {_MARKS[check.status]} {check.name:<9}{check.status:<14}{reason}".rstrip())
    extra = [f for f in result.failures if f not in _first_failures(result)]
    if extra:
        lines.append("  Also:")
        lines += [f"    - {f.code} at {f.path or '/'}: {f.message}" for f in extra]
    issuer = result.issuer
    if issuer.id:
        who = ", ".join(x for x in (issuer.ods_code, issuer.name) if x)
        if who and issuer.claimed:
            who += "; claimed, not verified"
        lines.append(f"  Issuer:         {issuer.id}" + (f" ({who})" if who else ""))
    facts = result.passport
    if facts is not None:
        org = facts.assessing_organisation
        lines.append(f"  Product:        {facts.product or 'unknown'}")
        if org.ods_code or org.name:
            lines.append(f"  Assessed by:    {org.ods_code or '?'} {org.name or ''}".rstrip())
        if facts.outcome:
            lines.append(f"  Outcome:        {facts.outcome.replace('_', ' ')}")
        if facts.conditions:
            lines.append("  Conditions:")
            for c in facts.conditions:
                blocking = ", blocking" if c.blocking else ""
                due = f", due {c.due}" if c.due else ""
                lines.append(f"    - {c.text} ({c.responsible_party}{blocking}{due})")
        lines.append(f"  Valid until:    {facts.valid_until or 'not stated'}")
        if facts.local_actions:
            lines.append("  Local actions for your organisation:")
            lines += [f"    - {action}" for action in facts.local_actions]
    return "\n".join(lines)


def _first_failures(result: VerificationResult) -> list[Failure]:
    """The failure each check line already shows."""
    shown = []
    for check in result.checks:
        first = next(
            (f for f in result.failures if f.check == check.name and f.code == check.code), None
        )
        if first is not None:
            shown.append(first)
    return shown


# --- trust ---------------------------------------------------------------------------


@click.group("trust")
def trust_group() -> None:
    """A verifier's trust store: pin anchors and issuers; import trust and status lists."""


def _pin(home: Path | None, source: str, role: str) -> None:
    """Pin an anchor or an issuer in the home's trust store, and save it."""
    directory, store = _load_store(home)
    pin = store.pin_anchor if role == "anchor" else store.pin_issuer
    try:
        party = pin(_party(source, role))
    except InnopassError as exc:
        _fail(exc.diagnostics())
    store.save(directory)
    click.echo(f"pinned {role} {party.did}")


@trust_group.command("pin-anchor")
@click.argument("source", metavar="FILE|DID")
@home_option
def pin_anchor_command(source: str, home: Path | None) -> None:
    """Pin a trust anchor: its organisation description, or a did:key/did:jwk."""
    _pin(home, source, "anchor")


@trust_group.command("pin-issuer")
@click.argument("source", metavar="FILE|DID")
@home_option
def pin_issuer_command(source: str, home: Path | None) -> None:
    """Trust an issuer directly: its organisation description, or a did:key/did:jwk.

    A did:web issuer needs its description (innopass org export), which carries
    its DID document and key validity windows.
    """
    _pin(home, source, "issuer")


@trust_group.command("import")
@click.argument("file", type=click.Path(path_type=Path), metavar="FILE")
@click.option("--at", "at", metavar="TIME", help="Record this as the fetch time instead of now.")
@home_option
def import_command(file: Path, at: str | None, home: Path | None) -> None:
    """Import a trust list, a status-list credential or a bundle into the trust store.

    A trust list must be signed by a pinned anchor and be newer than the one held;
    a status list must be signed by a trusted issuer.
    """
    now = _at(at) or utc_now()
    obj = _read_object(file, "file")
    directory, store = _load_store(home)
    types = obj.get("type")
    type_list = types if isinstance(types, list) else [types]
    try:
        if is_bundle(obj):
            imported = store.import_bundle(Bundle.from_json(obj), now=now)
            message = f"imported {len(imported.status_lists)} status list(s)" + (
                f" and trust list version {imported.trust_list.version}"
                if imported.trust_list
                else ""
            )
        elif TRUST_LIST_TYPE in type_list:
            accepted = store.import_trust_list(obj)
            message = f"imported trust list version {accepted.version} from {accepted.anchor}"
            if accepted.expired_at(now):
                click.echo("innopass: warning: this trust list has expired", err=True)
        elif LIST_CREDENTIAL_TYPE in type_list:
            entry = store.import_status_list(obj, now=now)
            message = f"imported status list {entry.id}"
        else:
            _fail(f"{file} is not a trust list, a status-list credential or a bundle")
    except TrustImportError as exc:
        click.echo(f"innopass: {exc.diagnostics()}", err=True)
        unverifiable = exc.code.family is FailureFamily.UNVERIFIABLE
        raise click.exceptions.Exit(EXIT_INDETERMINATE if unverifiable else EXIT_REJECTED) from exc
    except MalformedInputError as exc:
        _fail(f"{file}: {exc.diagnostics()}")
    store.save(directory)
    click.echo(message)
