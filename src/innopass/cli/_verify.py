"""``innopass verify``: verify passports, offline by default.

Exit codes (PRODUCT.md §6): 0 all verified, 1 any rejected, else 3 any
indeterminate; 2 for usage or input errors (a missing file, an unreadable option
file, a bad ``--at``). A file that can be read but is not a credential is a
verification result (``rejected``, ``malformed``), not an input error.
"""

from __future__ import annotations

import functools
import os
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from innopass._view.passport import NO_TRUST_COMMANDS, NOT_VERIFIED, clean
from innopass.cli._batch import CHUNK, Outcome, expand, run_batch
from innopass.cli._common import fail, home_option, json_text, resolve_home
from innopass.cli._exit import ExitCode, for_verdicts
from innopass.cli._types import TIMESTAMP, trust_options

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass._internal.jsonio import JSONObject
    from innopass.trust import OrganisationDescription
    from innopass.verifier import (
        Failure,
        PresentationResult,
        TrustStore,
        VerificationResult,
        Verifier,
    )

_UNREADABLE = "unreadable"

__all__ = ["render_presentation", "render_text", "verify_command"]

_HEADLINES = {
    "verified": "✔ VERIFIED",
    "rejected": "✖ REJECTED",
    "indeterminate": "? INDETERMINATE",
}
_MARKS = {"pass": "✔", "fail": "✖", "indeterminate": "?", "skipped": "–"}


@dataclass(frozen=True, slots=True)
class Recipe:
    """How to build this run's verifier, in any process: plain, picklable values.

    Shared by every command that verifies (``verify``, ``show``, ``decide``, ``adopt``).
    """

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

    @classmethod
    def of(
        cls,
        home: Path | None,
        anchors: Sequence[str | OrganisationDescription],
        trust_lists: Sequence[JSONObject],
        trust_issuers: Sequence[str | OrganisationDescription],
        status_lists: Sequence[JSONObject],
        at: datetime | None,
        *,
        online: bool = False,
    ) -> Recipe:
        """The run's recipe from its options; a ``--trust-issuer`` given as a DID other
        than ``did:key``/``did:jwk`` is a usage error (its description file is needed)."""
        for issuer in trust_issuers:
            if isinstance(issuer, str) and not issuer.startswith(("did:key:", "did:jwk:")):
                method = ":".join(issuer.split(":", 2)[:2])
                fail(
                    f"--trust-issuer {issuer[:80]}: a {method} issuer needs its exported "
                    "organisation description file (innopass org export), not its DID alone"
                )
        return cls(
            home=resolve_home(home),
            anchors=tuple(cls.party(a) for a in anchors),
            issuers=tuple(cls.party(i) for i in trust_issuers),
            trust_lists=tuple(trust_lists),
            status_lists=tuple(status_lists),
            at=at,
            online=online,
        )


def _store(recipe: Recipe) -> TrustStore:
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


def _build(recipe: Recipe) -> Verifier:
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


def build_verifier(recipe: Recipe) -> Verifier:
    """The run's verifier, or a one-line error for a home or pin that cannot be used."""
    from innopass.errors import InnopassError

    try:
        return _build(recipe)
    except InnopassError as exc:
        fail(exc.diagnostics())


def record_kind(data: bytes) -> str | None:
    """What a file that is not a passport holds, when it is something innopass knows.

    Only an assessment record, an organisation description or a policy-like file is
    told apart here (a trust list or a status list is a credential, and ``verify``
    reports it as ``not-a-passport``).
    """
    from innopass._internal.jsonio import loads_strict
    from innopass._internal.schema import RECORD_SCHEMA_ID
    from innopass.errors import MalformedInputError

    try:
        value = loads_strict(data.removeprefix(b"\xef\xbb\xbf"))
    except MalformedInputError:
        return None
    if not isinstance(value, dict):
        return None
    schema = value.get("schema")
    if (isinstance(schema, dict) and schema.get("id") == RECORD_SCHEMA_ID) or (
        "record_id" in value and "assessing_org" in value
    ):
        return "an assessment record, not a passport: sign it first (innopass issue FILE)"
    if "didDocument" in value and "odsCode" in value:
        return (
            "an organisation description, not a passport: trust it with "
            "innopass trust pin-issuer FILE (or --trust-issuer FILE)"
        )
    return None


def refuse_wrong_kind(
    result: VerificationResult | PresentationResult, data: bytes, name: str
) -> None:
    """Exit 2 with one line when ``name`` holds a known kind of file that is not a passport."""
    if result.check("parse").status != "fail":
        return
    from innopass.errors import WrongKindOfFileError

    kind = record_kind(data)
    if kind is not None:
        raise WrongKindOfFileError(f"{name}: this is {kind}")


def _fixed(at: datetime) -> datetime:
    return at


def _same(verifier: Verifier) -> Verifier:
    return verifier


def _render(
    verifier: Verifier,
    name: str,
    *,
    as_json: bool,
    quiet: bool = False,
    trust_empty: bool = False,
    challenge: str | None = None,
    domain: str | None = None,
) -> Outcome:
    """Verify one input (a file, or ``-`` for standard input) and render what it printed."""
    from innopass._internal.jsonio import read_file_limited
    from innopass.errors import MalformedInputError, UnreadableFileError

    data: bytes | None = None
    try:
        if name == "-":
            data = sys.stdin.buffer.read(verifier.limits.max_bytes + 1)  # over it: malformed
            result = verifier.verify_any(data, challenge=challenge, domain=domain)
        else:
            path = Path(name)
            try:
                is_dir, exists = path.is_dir(), path.exists() or path.is_symlink()
            except OSError as exc:  # a name too long, a loop of links
                raise UnreadableFileError(f"cannot read {clean(name)}: {exc.strerror}") from exc
            if is_dir:
                raise UnreadableFileError(f"no .json, .jwt or .jws file under directory {path}")
            if not exists:
                raise UnreadableFileError(f"no such file: {clean(name)}")
            result = verifier.verify_any_file(path, challenge=challenge, domain=domain)
        if data is None and result.check("parse").status == "fail":
            try:
                data = read_file_limited(name, max_bytes=verifier.limits.max_bytes)
            except MalformedInputError:
                data = b""  # over the limit (already reported): not a kind to tell
        refuse_wrong_kind(result, data or b"", name)
    except MalformedInputError as exc:
        # An input error, but the batch goes on: every readable file gets its result.
        if as_json:
            line = {"file": name, "error": {"code": exc.code, "message": exc.diagnostics()}}
            return Outcome(_json_line(line), _UNREADABLE)
        return Outcome(f"innopass: error: {exc.diagnostics()}", _UNREADABLE, error=True)
    if as_json:
        return Outcome(_json_line({"file": name, **result.to_json()}), str(result.verdict))
    if quiet:
        return Outcome(f"{result.verdict}  {clean(name, 300)}", str(result.verdict))
    from innopass.verifier import PresentationResult

    if isinstance(result, PresentationResult):
        return Outcome(render_presentation(result, name), str(result.verdict))
    return Outcome(render_text(result, name, trust_empty=trust_empty), str(result.verdict))


def _json_line(value: Mapping[str, Any]) -> str:
    return json_text(value)


@click.command("verify")
@click.argument("files", nargs=-1, metavar="FILE|DIR|-...")
@click.option(
    "--files-from",
    "files_from",
    type=click.File("r"),
    help="Also verify the files named in FILE, one per line (- for standard input).",
)
@trust_options
@click.option("--at", "at", type=TIMESTAMP, help="Verify as of this RFC 3339 time instead of now.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object per file, one per line (schemas/verify-output.schema.json).",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="One line per file (verdict and name) and the summary; errors still go to stderr.",
)
@click.option(
    "--online",
    is_flag=True,
    help="Allow fetching status lists and did:web documents over HTTPS (kept in the home).",
)
@click.option(
    "--challenge",
    help="For a presentation: the challenge you gave its holder (it must answer it).",
)
@click.option(
    "--domain",
    help="For a presentation: your domain, as you gave it to its holder.",
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
    quiet: bool,
    online: bool,
    challenge: str | None,
    domain: str | None,
    jobs: int | None,
    home: Path | None,
) -> None:
    """Verify passports, JWT passports, bundles or presentations, offline by default.

    FILE may be a directory (every .json, .jwt and .jws file under it) or - (one
    passport on standard input). Trust comes from the home's trust store plus the
    options, which apply to this run only. With an empty store every issuer is
    untrusted (issuer-untrusted) and the other checks still run. A presentation
    (JSON or vp+jwt) is checked against --challenge and --domain, and each passport
    in it verified as a passport. Results are printed in input order; a batch uses
    every core. Unless a passport is verified, what it says is printed only under
    a "not verified" heading.

    --json prints one object per file, one per line, as the JSON Schema
    schemas/verify-output.schema.json (shipped in the package as
    innopass/schemas/verify-output.schema.json) describes: the verdict,
    content_verified, the six checks, every failure with its code and JSON
    pointer, the facts, and the status lists relied on with their dates.

    \b
    Examples:
      innopass verify bundle.json
      innopass verify passport.json --trust-issuer rf4.json --status-list status/revocation/1
      innopass verify many/ --json > results.jsonl
      innopass verify --at 2026-05-01T09:30:00Z passport.json
      innopass verify presentation.json --challenge 3f9a-... --domain r1h.nhs.example
      cat passport.json | innopass verify -

    Exit code: 1 if any file is rejected, else 2 if any could not be read, else 3
    if any is indeterminate, else 0.
    """
    from innopass.errors import InnopassError

    recipe = Recipe.of(home, anchors, trust_lists, trust_issuers, status_lists, at, online=online)
    names = list(expand(files))
    if files_from is not None:
        names += [line.strip() for line in files_from if line.strip()]
    if not names:
        raise click.UsageError("give at least one FILE, DIR or -, or --files-from")
    try:
        store = _store(recipe)  # refuse a bad home or a bad pin before any work starts
    except InnopassError as exc:
        fail(exc.diagnostics())
    trust_empty = store.is_empty() and not recipe.trust_lists
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
    render = functools.partial(
        _render,
        as_json=as_json,
        quiet=quiet,
        trust_empty=trust_empty,
        challenge=challenge,
        domain=domain,
    )
    outcomes = run_batch(names, build=build, render=render, jobs=workers)
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


def render_text(result: VerificationResult, name: str, *, trust_empty: bool = False) -> str:
    """The result for a person: headline, the six checks, then what the passport says.

    Unless the verdict is ``verified``, the passport's content follows a "NOT
    VERIFIED" heading: it is only what the file claims. Facts no trust source
    vouches for are marked claimed; the status lists relied on are dated.
    """
    from innopass._internal.timestamps import format_datetime

    when = f"  (as of {format_datetime(result.checked_at)})" if result.checked_at else ""
    lines = [f"{_HEADLINES[result.verdict]}  {clean(name, 300)}{when}"]
    for check in result.checks:
        reason = f"  {check.code}: {clean(check.message, 400)}" if check.code else ""
        if check.status == "skipped":
            reason = f"  {clean(check.message, 400)}"
        lines.append(f"  {_MARKS[check.status]} {check.name:<9}{check.status:<14}{reason}".rstrip())
    extra = [f for f in result.failures if f not in _first_failures(result)]
    if extra:
        lines.append("  Also:")
        lines += [
            f"    - {f.code} at {clean(f.path, 120) or '/'}: {clean(f.message, 400)}" for f in extra
        ]
    if trust_empty:
        lines.append("  Nothing is trusted yet, so no issuer can be checked. To trust the")
        lines.append("  national anchor and the issuers it accredits, run:")
        lines += [f"    {command}" for command in NO_TRUST_COMMANDS]
        lines.append(
            "  or, for this run only: --anchor FILE --trust-list FILE, or --trust-issuer FILE"
        )
    if result.verified:
        lines.append("  Passport (verified):")
    elif result.credential is not None:
        lines.append(f"  NOT VERIFIED: {NOT_VERIFIED.split(': ', 1)[1]}. What the file claims:")
    issuer = result.issuer
    if issuer.id:
        who = ", ".join(clean(x, 200) for x in (issuer.ods_code, issuer.name) if x)
        if who and issuer.claimed:
            who += "; claimed, not verified"
        lines.append(f"    Issuer:         {clean(issuer.id, 200)}" + (f" ({who})" if who else ""))
        if issuer.withdrawn is not None:
            lines.append(f"    Organisation:   {clean(issuer.withdrawn.describe(), 300)}")
        if issuer.successor_of is not None:
            lines.append(
                f"    Reissued:       by {clean(issuer.ods_code or '?', 20)} as successor of "
                f"{clean(issuer.successor_of, 20)}"
            )
    if result.credential_id:
        lines.append(f"    Passport id:    {clean(result.credential_id, 200)}")
    adoption = result.adoption
    if adoption is not None:
        lines.append(
            f"    Adoption:       {clean(adoption.adopter_ods_code or adoption.adopter, 200)} "
            f"relied on passport {clean(adoption.passport, 200)}"
        )
        lines.append(
            f"    Product:        {clean(adoption.product, 300)} "
            f"(assessed by {clean(adoption.assessing_organisation, 20)})"
        )
        lines.append(
            f"    Decision:       {adoption.decision.value} on {adoption.decided_at.date()} "
            f"under policy {clean(adoption.policy_id, 100)} "
            f"version {clean(adoption.policy_version, 100)}"
        )
        lines.append(
            f"    Actions:        {len(adoption.actions_done)} done, "
            f"{len(adoption.actions_remaining)} remaining"
        )
    facts = result.passport
    if facts is not None:
        org = facts.assessing_organisation
        if facts.valid_from:
            lines.append(f"    Issued:         {clean(facts.valid_from, 60)}")
        lines.append(f"    Product:        {clean(facts.product or 'unknown', 300)}")
        if org.ods_code or org.name:
            by = f"{clean(org.ods_code or '?', 20)} {clean(org.name or '', 200)}".rstrip()
            lines.append(
                f"    Assessed by:    {by}" + ("  (claimed, not verified)" if org.claimed else "")
            )
            if org.withdrawn is not None and org.ods_code != issuer.ods_code:
                lines.append(f"                    ({clean(org.withdrawn.describe(), 300)})")
        if facts.outcome:
            lines.append(f"    Outcome:        {clean(facts.outcome, 60).replace('_', ' ')}")
        if facts.conditions:
            lines.append("    Conditions:")
            for c in facts.conditions:
                who_must = {"adopting_org": "your organisation", "assessing_org": "the assessor"}
                party = who_must.get(c.responsible_party, f"the {c.responsible_party}")
                due = (
                    "before go-live"
                    if c.due == "before_go_live"
                    else (f"by {c.due}" if c.due else "no date")
                )
                blocking = "blocking; " if c.blocking else ""
                lines.append(f"      - {clean(c.text, 400)} ({blocking}{clean(party, 60)}, {due})")
        lines.append(f"    Valid until:    {clean(facts.valid_until or 'not stated', 60)}")
        if facts.local_actions:
            lines.append("    Local actions for your organisation:")
            lines += [f"      - {clean(action, 400)}" for action in facts.local_actions]
    for source in result.status_sources:
        signed = format_datetime(source.valid_from) if source.valid_from else "undated"
        fetched = (
            f", fetched {format_datetime(source.fetched_at)}"
            if source.fetched_at and source.source == "held"
            else ""
        )
        lines.append(
            f"    Status:         {source.purpose} list signed {signed} ({source.source}{fetched})"
        )
    for note in result.status_messages:
        if note.message != "none":
            as_of = f" (status list of {note.as_of})" if note.as_of else ""
            lines.append(f"    Status message: {clean(note.description, 300)}{as_of}")
    return "\n".join(lines)


def render_presentation(result: PresentationResult, name: str) -> str:
    """A presentation for a person: headline, its own checks and binding, then each credential."""
    count = len(result.credentials)
    lines = [f"{_HEADLINES[result.verdict]}  {clean(name, 300)}  (presentation of {count})"]
    for check in result.checks:
        reason = f"  {check.code}: {clean(check.message)}" if check.code else ""
        if check.status == "skipped":
            reason = f"  {clean(check.message)}"
        lines.append(f"  {_MARKS[check.status]} {check.name:<9}{check.status:<14}{reason}".rstrip())
    shown = {(c.code, c.message) for c in result.checks}
    extra = [f for f in result.failures if (f.code, f.message) not in shown]
    if extra:
        lines.append("  Also:")
        lines += [
            f"    - {f.code} at {clean(f.path or '/', 200)}: {clean(f.message)}" for f in extra
        ]
    holder = clean(result.holder, 300) if result.holder else "not stated"
    lines.append(f"  Holder:         {holder} (not an issuer: not trusted)")
    binding = [
        f"challenge {'checked' if result.challenge_checked else 'NOT checked (no --challenge)'}",
        f"domain {'checked' if result.domain_checked else 'NOT checked (no --domain)'}",
    ]
    lines.append(f"  Binding:        {', '.join(binding)}")
    for position, credential in enumerate(result.credentials, 1):
        inner = render_text(credential, f"credential {position}")
        lines += ["    " + line for line in inner.splitlines()]
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
