"""Adoption commands: ``policy template|check``, ``decide``, ``adopt`` and ``adoptions summary``.

Exit codes (PRODUCT.md §6, §9): ``decide`` and ``adopt`` exit 0 for adopt or
adopt-with-actions, 1 for refuse, 3 for refer (a person must look), 2 for usage
or input errors (an unreadable file, a policy that is not valid, an unknown
``--done`` action, a wrong passphrase). ``adopt`` signs only a decision to adopt.
``policy check`` exits 1 for a policy that is not valid. ``adoptions summary``
exits 0 when every file was counted (or is an adopter's earlier record, its latest
counted), else 1 if any did not verify as rejected, else 2 if any could not be read,
else 3.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from innopass.cli._common import (
    HelpGroup,
    fail,
    format_option,
    home_option,
    json_text,
    output_file_option,
    read_passphrase,
    resolve_home,
    write_output,
)
from innopass.cli._exit import ExitCode, for_outcome
from innopass.cli._types import ODS_CODE, TIMESTAMP, trust_options

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass._internal.jsonio import JSONObject
    from innopass.adoption import Decision
    from innopass.policy import AdoptionSummary
    from innopass.trust import OrganisationDescription

__all__ = ["ADOPTION_COMMANDS", "render_decision"]

F = TypeVar("F", bound=Callable[..., Any])

_HEADLINES = {
    "adopt": "✔ ADOPT",
    "adopt-with-actions": "✔ ADOPT WITH ACTIONS",
    "refer": "? REFER",
    "refuse": "✖ REFUSE",
}
_MARKS = {"met": "✔", "not-applicable": "–", "refer": "?", "refuse": "✖"}


def _policy_option(func: F) -> F:
    return click.option(
        "--policy",
        "policy_path",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="POLICY",
        help="The acceptance policy (TOML; innopass policy template writes one).",
    )(func)


def _done_option(func: F) -> F:
    return click.option(
        "--done",
        "done",
        multiple=True,
        metavar="ACTION",
        help="A local action already done (its id, as the decision lists it). May be repeated.",
    )(func)


def _read_input(name: str) -> bytes:
    """The bytes of FILE (``-``: standard input), within the size limit."""
    from innopass._internal.jsonio import DEFAULT_LIMITS, read_file_limited

    if name == "-":
        return sys.stdin.buffer.read(DEFAULT_LIMITS.max_bytes + 1)
    return read_file_limited(Path(name), max_bytes=DEFAULT_LIMITS.max_bytes)


# --- policy ------------------------------------------------------------------------------


@click.group("policy", cls=HelpGroup)
def policy_group() -> None:
    """Acceptance policies (what this trust accepts when it adopts a passport).

    \b
    Examples:
      innopass policy template --ods R1H -o r1h-policy.toml
      innopass policy check r1h-policy.toml
    """


@policy_group.command("template")
@output_file_option("Write the policy to FILE (default: standard output).")
@click.option(
    "--ods",
    "ods",
    type=ODS_CODE,
    default=None,
    help="Your organisation's ODS code, written as the policy's organisation.",
)
def policy_template_command(output: Path | None, ods: str | None) -> None:
    """Write a commented example acceptance policy (every rule kind, each with an id).

    Edit it to your trust's use, check it with `innopass policy check FILE`, and
    use it with `innopass decide PASSPORT --policy FILE`.

    \b
    Examples:
      innopass policy template --ods R1H -o r1h-policy.toml
      innopass policy template > policy.toml
    """
    from innopass.policy import template_text

    write_output(template_text(organisation=ods), output)
    if output is not None:
        click.echo(f"wrote an acceptance policy to {output}", err=True)


@policy_group.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def policy_check_command(file: Path) -> None:
    """Check a policy against its schema and rules, listing every problem (exit 1 if any).

    \b
    Example:
      innopass policy check r1h-policy.toml
    """
    from innopass.errors import PolicyError
    from innopass.policy import Policy

    try:
        policy = Policy.load(file)
    except PolicyError as exc:
        for problem in exc.problems:
            click.echo(f"{file}: {problem}", err=True)
        click.echo(f"innopass: {file} is not a valid policy", err=True)
        raise click.exceptions.Exit(int(ExitCode.REJECTED)) from exc
    kinds = ", ".join(sorted(policy.kinds()))
    click.echo(
        f"{file}: valid policy {policy.id} version {policy.version}, {len(policy.rules)} rules "
        f"({kinds}), {policy.digest_sri}"
    )


# --- decide -------------------------------------------------------------------------------


def render_decision(decision: Decision, name: str) -> str:
    """The decision for a person: the outcome, why (rule ids and where), what is left to do.

    Every string from the passport or the policy is escaped (:func:`clean`): a decision
    on an ``indeterminate`` passport quotes a record no trusted issuer vouches for.
    """
    from innopass._view.passport import clean

    lines = [f"{_HEADLINES[decision.outcome.value]}  {clean(name, 300)}"]
    policy = decision.policy
    lines.append(
        f"  Policy:     {clean(policy.id, 120)} version {clean(policy.version, 40)} "
        f"({policy.digest_sri})"
    )
    passport = decision.passport
    about = clean(passport.product or "unknown product", 300)
    if passport.assessing_organisation:
        about += f", assessed by {clean(passport.assessing_organisation, 20)}"
    lines.append(f"  Passport:   {clean(passport.id or 'no id', 200)}: {about}")
    verdict = decision.verdict
    consequence = {
        "verified": "",
        "rejected": " (so it is refused, whatever the policy says; its content is not acted on)",
        "indeterminate": " (so it is at best referred)",
    }
    lines.append(f"  Verdict:    {verdict}{consequence.get(verdict, '')}")
    serious = [r for r in decision.reasons if r.finding.value in ("refuse", "refer")]
    if serious:
        lines.append("  Why:")
        for r in serious:
            where = f"  at {clean(r.pointer, 200)}" if r.pointer else ""
            lines.append(
                f"    {_MARKS[r.finding.value]} {r.finding.value:<7}{clean(r.rule, 120)}: "
                f"{clean(r.message, 600)}{where}"
            )
    met = [r for r in decision.reasons if r.finding.value == "met"]
    if met:
        lines.append(f"  Met ({len(met)}):")
        lines += [f"    ✔ {clean(r.rule, 120)}: {clean(r.message, 600)}" for r in met]
    if decision.actions:
        remaining = decision.remaining
        lines.append(
            f"  Local actions: {len(remaining)} to do"
            + (f", {len(decision.done)} done" if decision.done else "")
        )
        for a in decision.actions:
            mark = "✔" if a.done else "-"
            when = ""
            if a.blocking:
                when = ", before go-live" if a.due in (None, "before_go_live") else f", by {a.due}"
            elif a.due and a.due != "before_go_live":
                when = f", due {a.due}"
            lines.append(
                f"    {mark} [{clean(a.id, 80)}] {clean(a.text, 600)} "
                f"({clean(a.source, 60)}{clean(when, 80)})"
            )
    if decision.assessments_reused:
        reused = ", ".join(clean(d, 80).replace("_", " ") for d in decision.assessments_reused)
        lines.append(f"  Assessments reused, not repeated: {reused}")
    return "\n".join(lines)


def _decide(
    file: str,
    policy_path: Path,
    done: Sequence[str],
    home: Path | None,
    anchors: Sequence[str | OrganisationDescription],
    trust_lists: Sequence[JSONObject],
    trust_issuers: Sequence[str | OrganisationDescription],
    status_lists: Sequence[JSONObject],
    at: datetime | None,
) -> Decision:
    from innopass.cli._verify import Recipe, build_verifier
    from innopass.policy import Policy, decide

    policy = Policy.load(policy_path)
    data = _read_input(file)
    verifier = build_verifier(
        Recipe.of(home, anchors, trust_lists, trust_issuers, status_lists, at)
    )
    return decide(verifier, data, policy, done=done)


@click.command("decide")
@click.argument("file", metavar="FILE|-")
@_policy_option
@_done_option
@trust_options
@click.option("--at", "at", type=TIMESTAMP, help="Decide as of this RFC 3339 time instead of now.")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as one JSON object.")
@output_file_option("Also write the decision as JSON to FILE (e.g. for the trust's records).")
@home_option
def decide_command(
    file: str,
    policy_path: Path,
    done: Sequence[str],
    anchors: Sequence[str | OrganisationDescription],
    trust_lists: Sequence[JSONObject],
    trust_issuers: Sequence[str | OrganisationDescription],
    status_lists: Sequence[JSONObject],
    at: datetime | None,
    as_json: bool,
    output: Path | None,
    home: Path | None,
) -> None:
    """Verify a passport, then decide on it against POLICY.

    The decision is adopt, adopt-with-actions, refer or refuse. Every reason
    names the policy rule (its id) and where in the passport (a JSON pointer);
    the local actions left are listed (the record's local requirements,
    conditions for the adopting organisation, the policy's go-live actions). A
    passport that does not verify is never better than refer. Trust comes from
    the home's store plus the options, as for `innopass verify`. Exit code: 0
    adopt or adopt-with-actions, 1 refuse, 3 refer, 2 usage or input error.

    \b
    Examples:
      innopass decide bundle.json --policy r1h-policy.toml --home r1h
      innopass decide bundle.json --policy r1h-policy.toml --home r1h --json -o decision.json
      innopass decide passport.json --policy p.toml --trust-issuer rf4.json --status-list rev.json
    """
    decision = _decide(
        file, policy_path, done, home, anchors, trust_lists, trust_issuers, status_lists, at
    )
    record = {"file": file, **decision.to_json()}
    if output is not None:
        write_output(json_text(record, indent=True), output)
    if as_json:
        click.echo(json_text(record))
    else:
        click.echo(render_decision(decision, file))
    raise click.exceptions.Exit(int(for_outcome(decision.outcome.value)))


# --- adopt --------------------------------------------------------------------------------


@click.command("adopt")
@click.argument("file", metavar="FILE|-")
@_policy_option
@_done_option
@trust_options
@format_option()
@output_file_option(
    "Write the signed adoption record to OUT (default: standard output).", metavar="OUT"
)
@home_option
def adopt_command(
    file: str,
    policy_path: Path,
    done: Sequence[str],
    anchors: Sequence[str | OrganisationDescription],
    trust_lists: Sequence[JSONObject],
    trust_issuers: Sequence[str | OrganisationDescription],
    status_lists: Sequence[JSONObject],
    fmt: str,
    output: Path | None,
    home: Path | None,
) -> None:
    """Decide on a passport and, if adopted, sign this organisation's adoption record.

    The home is the adopting organisation's: its trust store verifies the passport
    and its key signs an InnopassAdoption credential naming the passport (id and
    digest), the policy (digest), the decision and reasons, and which local actions
    are done (--done) and which remain. It is recorded in the home's ledger and can
    be revoked, suspended and bundled like a passport (innopass revoke ID, innopass
    bundle ID). Nothing is signed for refer (exit 3) or refuse (exit 1).

    \b
    Examples:
      innopass adopt bundle.json --home r1h --policy r1h-policy.toml -o adoption.json
      innopass adopt bundle.json --home r1h --policy r1h-policy.toml --done ipc_review --done cond-2

    The key passphrase comes from INNOPASS_PASSPHRASE or, at a terminal only, a hidden prompt.
    """
    from innopass._view.passport import clean
    from innopass.issuer import Issuer, OrganisationHome

    org = OrganisationHome.open(resolve_home(home))
    if output is not None:
        org.check_output_file(output)
    decision = _decide(
        file, policy_path, done, home, anchors, trust_lists, trust_issuers, status_lists, None
    )
    if not decision.adopted:
        click.echo(render_decision(decision, file), err=output is None)
        click.echo(f"innopass: {decision.outcome.value}: nothing was signed", err=True)
        raise click.exceptions.Exit(int(for_outcome(decision.outcome.value)))
    if decision.passport.digest_sri is None:
        fail("the passport's digest could not be computed; nothing was signed")
    ours = org.description().ods_code
    theirs = decision.policy.organisation
    if theirs is not None and theirs != ours:
        fail(
            f"the policy is {clean(theirs, 20)}'s (its [policy] organisation), not this home's "
            f"({ours}): adopt under your own organisation's policy; nothing was signed"
        )
    with Issuer.from_home(org.path, passphrase=read_passphrase()) as adopter:
        record = adopter.adopt(decision, format=fmt)
    write_output(
        record.text(),
        output,
        committed=f"adoption record {record.id} is recorded in the ledger "
        f"(write it again with `innopass passport export {record.id}`)",
    )
    superseded = "".join(f"; supersedes {old}" for old in record.supersedes)
    where = f" to {clean(output, 300)}" if output is not None else ""
    click.echo(
        f"{_HEADLINES[decision.outcome.value]}  {clean(file, 300)} under {decision.policy.id} "
        f"version {clean(decision.policy.version, 40)} (innopass decide shows why)",
        err=output is None,
    )
    left = ", ".join(clean(a.id, 80) for a in decision.remaining) or "none"
    done_ids = ", ".join(clean(a.id, 80) for a in decision.done) or "none"
    click.echo(f"  actions done: {done_ids}; still to do: {left}", err=output is None)
    click.echo(f"signed adoption record {record.id}{where}{superseded}", err=output is None)
    click.echo(
        "publish the status lists (innopass status publish) so others can check it", err=True
    )


# --- adoptions summary --------------------------------------------------------------------


@click.group("adoptions", cls=HelpGroup)
def adoptions_group() -> None:
    """Adoption records collected from many organisations (reuse made visible).

    \b
    Example:
      innopass adoptions summary collected/ --json
    """


def _summary_text(summary: AdoptionSummary) -> str:
    """The summary for a person; what the records and the folder's file names say is
    escaped (:func:`clean`)."""
    from innopass._view.passport import clean

    lines = [
        f"{summary.files} files: {summary.counted} adoption(s) counted, "
        f"{len(summary.not_counted)} not counted; "
        f"{summary.assessments_not_repeated} assessment(s) not repeated"
    ]
    for reuse in summary.passports:
        lines.append(
            f"  Passport {clean(reuse.passport, 200)}: {clean(reuse.product, 300)} "
            f"(assessed by {clean(reuse.assessing_organisation, 20)})"
        )
        lines.append(
            f"    adopted by {reuse.organisations} organisation(s); "
            f"{reuse.assessments_not_repeated} assessment(s) not repeated, "
            f"{reuse.domain_assessments_reused} domain assessment(s) reused"
        )
        for counted in reuse.adoptions:
            claims = counted.claims
            name = f" {clean(counted.adopter_name, 200)}" if counted.adopter_name else ""
            lines.append(
                f"    - {clean(counted.adopter, 200)}{name}: {claims.decision.value} on "
                f"{claims.adopted_at.date()}, {len(claims.actions_remaining)} action(s) left"
            )
        if len(reuse.digests) > 1:
            lines.append("    ! the records name different digests for this passport: look")
    for item in summary.not_counted:
        lines.append(f"  not counted: {clean(item.file, 300)}: {clean(item.reason, 600)}")
    return "\n".join(lines)


@adoptions_group.command("summary")
@click.argument("directories", nargs=-1, required=True, metavar="DIR|FILE...")
@trust_options
@click.option("--at", "at", type=TIMESTAMP, help="Verify as of this RFC 3339 time instead of now.")
@click.option("--json", "as_json", is_flag=True, help="The summary as one JSON object.")
@click.option("--csv", "as_csv", is_flag=True, help="One CSV row per passport and adopter.")
@output_file_option("Also write the summary (JSON, or CSV with --csv) to FILE.")
@home_option
def summary_command(
    directories: Sequence[str],
    anchors: Sequence[str | OrganisationDescription],
    trust_lists: Sequence[JSONObject],
    trust_issuers: Sequence[str | OrganisationDescription],
    status_lists: Sequence[JSONObject],
    at: datetime | None,
    as_json: bool,
    as_csv: bool,
    output: Path | None,
    home: Path | None,
) -> None:
    """Verify a folder of adoption records and count the reuse of each passport.

    Per passport: how many organisations adopted it (each once, its latest
    verified record), when, with which outcome, and the count of assessments not
    repeated. Only records that verify are counted; every other file is listed
    with why.

    \b
    Examples:
      innopass adoptions summary collected/
      innopass adoptions summary collected/ --trust-issuer r1h.json --csv -o reuse.csv
    """
    from innopass.cli._batch import expand
    from innopass.cli._verify import Recipe, build_verifier
    from innopass.policy import summarise

    if as_json and as_csv:
        raise click.UsageError("give --json or --csv, not both")
    verifier = build_verifier(
        Recipe.of(home, anchors, trust_lists, trust_issuers, status_lists, at)
    )
    files = list(expand(directories))
    summary = summarise(verifier, files)
    if as_csv:
        text = summary.to_csv()
    else:
        text = json_text(summary.to_json(), indent=not as_json).rstrip("\n")
    if output is not None:
        write_output(text if as_csv else text + "\n", output)
    if as_csv:
        click.echo(text, nl=False)
    elif as_json:
        click.echo(text)
    else:
        click.echo(_summary_text(summary))
    verdicts = {n.verdict for n in summary.not_counted}
    unreadable = any(
        n.verdict is None and n.reason.startswith("unreadable") for n in summary.not_counted
    )
    if "rejected" in verdicts:
        code = ExitCode.REJECTED
    elif unreadable:
        code = ExitCode.USAGE
    elif any(not n.outlived for n in summary.not_counted):  # an earlier record is no fault
        code = ExitCode.INDETERMINATE
    else:
        code = ExitCode.OK
    raise click.exceptions.Exit(int(code))


ADOPTION_COMMANDS: tuple[click.Command, ...] = (
    policy_group,
    decide_command,
    adopt_command,
    adoptions_group,
)
"""Every command this module adds to ``innopass``."""
