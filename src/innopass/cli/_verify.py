"""``innopass verify``: verify passports, offline by default.

Exit codes (PRODUCT.md §6): 0 all verified, 1 any rejected, else 3 any
indeterminate; 2 for usage or input errors (a missing file, an unreadable option
file, a bad ``--at``). A file that can be read but is not a credential is a
verification result (``rejected``, ``malformed``), not an input error.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from innopass.cli._common import fail, home_option, resolve_home
from innopass.cli._exit import ExitCode, for_verdicts
from innopass.cli._types import JSON_OBJECT_FILE, PARTY, TIMESTAMP

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass._internal.jsonio import JSONObject
    from innopass.trust import OrganisationDescription
    from innopass.verifier import Failure, TrustStore, VerificationResult

__all__ = ["render_text", "verify_command"]

_HEADLINES = {
    "verified": "✔ VERIFIED",
    "rejected": "✖ REJECTED",
    "indeterminate": "? INDETERMINATE",
}
_MARKS = {"pass": "✔", "fail": "✖", "indeterminate": "?", "skipped": "–"}


def _run_store(
    store: TrustStore,
    anchors: Sequence[str | OrganisationDescription],
    issuers: Sequence[str | OrganisationDescription],
) -> TrustStore:
    """The home's store with this run's ``--anchor`` and ``--trust-issuer`` added."""
    from innopass.errors import InnopassError

    try:
        for anchor in anchors:
            store = store.with_anchor(anchor)
        for issuer in issuers:
            if isinstance(issuer, str) and not issuer.startswith(("did:key:", "did:jwk:")):
                method = ":".join(issuer.split(":", 2)[:2])
                fail(
                    f"--trust-issuer {issuer[:80]}: a {method} issuer needs its exported "
                    "organisation description file (innopass org export), not its DID alone"
                )
            store = store.with_issuer(issuer, require_document=False)
    except InnopassError as exc:
        fail(exc.diagnostics())
    return store


@click.command("verify")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE..."
)
@click.option(
    "--anchor", "anchors", multiple=True, type=PARTY, help="Also trust this anchor (this run)."
)
@click.option(
    "--trust-list",
    "trust_lists",
    multiple=True,
    type=JSON_OBJECT_FILE,
    help="A trust list to use (this run); it must be signed by a pinned anchor.",
)
@click.option(
    "--trust-issuer",
    "trust_issuers",
    multiple=True,
    type=PARTY,
    help="Also trust this issuer (this run): its description, or a did:key/did:jwk.",
)
@click.option(
    "--status-list",
    "status_lists",
    multiple=True,
    type=JSON_OBJECT_FILE,
    help="A status-list credential to use (this run).",
)
@click.option("--at", "at", type=TIMESTAMP, help="Verify as of this RFC 3339 time instead of now.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file, one per line.")
@click.option(
    "--online",
    is_flag=True,
    help="Allow fetching status lists and did:web documents over HTTPS (kept in the home).",
)
@home_option
def verify_command(
    files: Sequence[Path],
    anchors: Sequence[str | OrganisationDescription],
    trust_lists: Sequence[JSONObject],
    trust_issuers: Sequence[str | OrganisationDescription],
    status_lists: Sequence[JSONObject],
    at: datetime | None,
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
    from innopass._internal.timestamps import utc_now
    from innopass.errors import InnopassError, MalformedInputError
    from innopass.verifier import Verifier, VerifierHome

    verifier_home = VerifierHome(resolve_home(home))
    try:
        store = _run_store(verifier_home.load(), anchors, trust_issuers)
    except InnopassError as exc:
        fail(exc.diagnostics())
    fetcher = None
    if online:
        from innopass.verifier import RequestsFetcher

        fetcher = RequestsFetcher()
    verifier = Verifier(
        store,
        clock=utc_now if at is None else (lambda: at),
        fetcher=fetcher,
        trust_lists=trust_lists,
        status_lists=status_lists,
        # An empty store is a choice the command line makes deliberately: every
        # issuer is then reported untrusted, and the other checks still run.
        trust_no_one=store.is_empty(),
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
    if verifier.fetched is not None:
        verifier_home.keep_fetched(
            verifier.fetched.status_lists(), verifier.fetched.did_documents()
        )
    code = ExitCode.USAGE if unreadable else for_verdicts(r.verdict for r in results)
    raise click.exceptions.Exit(int(code))


def render_text(result: VerificationResult, name: str) -> str:
    """The result for a person: headline, the six checks, then what the passport says."""
    lines = [f"{_HEADLINES[result.verdict]}  {name}"]
    for check in result.checks:
        reason = f"  {check.code}: {check.message}" if check.code else ""
        if check.status == "skipped":
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
