"""``innopass verify``: verify passports, offline by default.

Exit codes (PRODUCT.md §6): 0 all verified, 1 any rejected, else 3 any
indeterminate; 2 for usage or input errors (a missing file, an unreadable option
file, a bad ``--at``). A file that can be read but is not a credential is a
verification result (``rejected``, ``malformed``), not an input error.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from innopass.cli._batch import CHUNK, Outcome, expand, run_batch
from innopass.cli._common import fail, home_option, resolve_home
from innopass.cli._exit import ExitCode, for_verdicts
from innopass.cli._types import JSON_OBJECT_FILE, PARTY, TIMESTAMP

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass._internal.jsonio import JSONObject
    from innopass.trust import OrganisationDescription
    from innopass.verifier import Failure, TrustStore, VerificationResult, Verifier

_UNREADABLE = "unreadable"

__all__ = ["render_text", "verify_command"]

_HEADLINES = {
    "verified": "✔ VERIFIED",
    "rejected": "✖ REJECTED",
    "indeterminate": "? INDETERMINATE",
}
_MARKS = {"pass": "✔", "fail": "✖", "indeterminate": "?", "skipped": "–"}


@dataclass(frozen=True, slots=True)
class _Recipe:
    """How to build this run's verifier, in any process: plain, picklable values."""

    home: Path
    anchors: tuple[str | JSONObject, ...]
    issuers: tuple[str | JSONObject, ...]
    trust_lists: tuple[JSONObject, ...]
    status_lists: tuple[JSONObject, ...]
    at: datetime | None
    online: bool

    @staticmethod
    def party(value: str | OrganisationDescription) -> str | JSONObject:
        return value if isinstance(value, str) else value.to_json()


def _store(recipe: _Recipe) -> TrustStore:
    """The home's store with this run's ``--anchor`` and ``--trust-issuer`` added."""
    from innopass.trust import OrganisationDescription
    from innopass.verifier import VerifierHome

    def party(value: str | JSONObject) -> str | OrganisationDescription:
        return value if isinstance(value, str) else OrganisationDescription.from_json(value)

    store = VerifierHome(recipe.home).load()
    for anchor in recipe.anchors:
        store = store.with_anchor(party(anchor))
    for issuer in recipe.issuers:
        store = store.with_issuer(party(issuer), require_document=False)
    return store


def _build(recipe: _Recipe) -> Verifier:
    from innopass._internal.timestamps import utc_now
    from innopass.verifier import RequestsFetcher, Verifier

    store = _store(recipe)
    at = recipe.at
    return Verifier(
        store,
        clock=utc_now if at is None else functools.partial(_fixed, at),
        fetcher=RequestsFetcher() if recipe.online else None,
        trust_lists=recipe.trust_lists,
        status_lists=recipe.status_lists,
        # An empty store is a choice the command line makes deliberately: every
        # issuer is then reported untrusted, and the other checks still run.
        trust_no_one=store.is_empty(),
    )


def _fixed(at: datetime) -> datetime:
    return at


def _same(verifier: Verifier) -> Verifier:
    return verifier


def _render(verifier: Verifier, name: str, *, as_json: bool) -> Outcome:
    """Verify one input (a file, or ``-`` for standard input) and render what it printed."""
    from innopass.errors import MalformedInputError, UnreadableFileError

    try:
        if name == "-":
            result = verifier.verify(sys.stdin.buffer.read())
        else:
            path = Path(name)
            if path.is_dir():
                raise UnreadableFileError(f"no .json, .jwt or .jws file under directory {path}")
            result = verifier.verify_file(path)
    except MalformedInputError as exc:
        # An input error, but the batch goes on: every readable file gets its result.
        if as_json:
            line = {"file": name, "error": {"code": exc.code, "message": exc.diagnostics()}}
            return Outcome(_json_line(line), _UNREADABLE)
        return Outcome(f"innopass: error: {exc.diagnostics()}", _UNREADABLE, error=True)
    if as_json:
        return Outcome(_json_line({"file": name, **result.to_json()}), str(result.verdict))
    return Outcome(render_text(result, name), str(result.verdict))


def _json_line(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@click.command("verify")
@click.argument("files", nargs=-1, metavar="FILE|DIR|-...")
@click.option(
    "--files-from",
    "files_from",
    type=click.File("r"),
    help="Also verify the files named in FILE, one per line (- for standard input).",
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
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes to verify a batch with (default: every core, for 64 files or more).",
)
@home_option
def verify_command(
    files: Sequence[str],
    files_from: TextIO | None,
    anchors: Sequence[str | OrganisationDescription],
    trust_lists: Sequence[JSONObject],
    trust_issuers: Sequence[str | OrganisationDescription],
    status_lists: Sequence[JSONObject],
    at: datetime | None,
    as_json: bool,
    online: bool,
    jobs: int | None,
    home: Path | None,
) -> None:
    """Verify passports, JWT passports or bundles, offline by default.

    FILE may be a directory (every .json, .jwt and .jws file under it) or - (one
    passport on standard input). Trust comes from the home's trust store plus the
    options, which apply to this run only. With an empty store every issuer is
    untrusted (issuer-untrusted) and the other checks still run. Results are
    printed in input order; a batch uses every core. Exit code: 1 if any file is
    rejected, else 2 if any could not be read, else 3 if any is indeterminate,
    else 0.
    """
    from innopass.errors import InnopassError

    for issuer in trust_issuers:
        if isinstance(issuer, str) and not issuer.startswith(("did:key:", "did:jwk:")):
            method = ":".join(issuer.split(":", 2)[:2])
            fail(
                f"--trust-issuer {issuer[:80]}: a {method} issuer needs its exported "
                "organisation description file (innopass org export), not its DID alone"
            )
    names = list(expand(files))
    if files_from is not None:
        names += [line.strip() for line in files_from if line.strip()]
    if not names:
        raise click.UsageError("give at least one FILE, DIR or -, or --files-from")
    recipe = _Recipe(
        home=resolve_home(home),
        anchors=tuple(_Recipe.party(a) for a in anchors),
        issuers=tuple(_Recipe.party(i) for i in trust_issuers),
        trust_lists=tuple(trust_lists),
        status_lists=tuple(status_lists),
        at=at,
        online=online,
    )
    try:
        _store(recipe)  # refuse a bad home or a bad pin before any work starts
    except InnopassError as exc:
        fail(exc.diagnostics())
    if online or "-" in names:
        workers = 1  # one verifier keeps what it fetched; standard input is read here
    elif jobs is not None:
        workers = jobs
    else:
        workers = (os.cpu_count() or 1) if len(names) >= 2 * CHUNK else 1
    here = _build(recipe) if workers == 1 else None  # kept: online, it holds what it fetched
    build: Callable[[], Verifier] = (
        functools.partial(_build, recipe) if here is None else functools.partial(_same, here)
    )
    outcomes = run_batch(
        names, build=build, render=functools.partial(_render, as_json=as_json), jobs=workers
    )
    tally: Counter[str] = Counter()
    show_progress = len(names) > 1 and not as_json and sys.stderr.isatty()
    with click.progressbar(
        length=len(names), label="Verifying", file=sys.stderr, hidden=not show_progress
    ) as bar:
        for outcome in outcomes:
            tally[outcome.verdict] += 1
            click.echo(outcome.text, err=outcome.error)
            bar.update(1)
    if here is not None and here.fetched is not None:
        from innopass.verifier import VerifierHome

        VerifierHome(recipe.home).keep_fetched(
            here.fetched.status_lists(), here.fetched.did_documents()
        )
    if len(names) > 1:
        summary = ", ".join(
            f"{tally[v]} {v}"
            for v in ("verified", "rejected", "indeterminate", _UNREADABLE)
            if tally[v]
        )
        click.echo(f"{len(names)} files: {summary}", err=as_json)
    raise click.exceptions.Exit(int(_exit_code(tally)))


def _exit_code(tally: Counter[str]) -> ExitCode:
    """A rejection is never hidden: 1, else 2 (an unreadable input), else 3, else 0."""
    if tally["rejected"]:
        return ExitCode.REJECTED
    if tally[_UNREADABLE]:
        return ExitCode.USAGE
    return for_verdicts(tally)


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
    for note in result.status_messages:
        if note.message != "none":
            as_of = f" (status list of {note.as_of})" if note.as_of else ""
            lines.append(f"  Status message: {note.description}{as_of}")
    issuer = result.issuer
    if issuer.id:
        who = ", ".join(x for x in (issuer.ods_code, issuer.name) if x)
        if who and issuer.claimed:
            who += "; claimed, not verified"
        lines.append(f"  Issuer:         {issuer.id}" + (f" ({who})" if who else ""))
        if issuer.withdrawn is not None:
            lines.append(f"  Organisation:   {issuer.withdrawn.describe()}")
        if issuer.successor_of is not None:
            lines.append(
                f"  Reissued:       by {issuer.ods_code} as successor of {issuer.successor_of}"
            )
    adoption = result.adoption
    if adoption is not None:
        claimed = "" if result.verified else " (claimed, not verified)"
        lines.append(
            f"  Adoption:       {adoption.adopter_ods_code or adoption.adopter} relied on passport "
            f"{adoption.passport}{claimed}"
        )
        lines.append(
            f"  Product:        {adoption.product} (assessed by {adoption.assessing_organisation})"
        )
        lines.append(
            f"  Decision:       {adoption.decision.value} on {adoption.decided_at.date()} "
            f"under policy {adoption.policy_id} version {adoption.policy_version}"
        )
        lines.append(
            f"  Actions:        {len(adoption.actions_done)} done, "
            f"{len(adoption.actions_remaining)} remaining"
        )
    facts = result.passport
    if facts is not None:
        org = facts.assessing_organisation
        lines.append(f"  Product:        {facts.product or 'unknown'}")
        if org.ods_code or org.name:
            lines.append(f"  Assessed by:    {org.ods_code or '?'} {org.name or ''}".rstrip())
            if org.withdrawn is not None and org.ods_code != issuer.ods_code:
                lines.append(f"                  ({org.withdrawn.describe()})")
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
