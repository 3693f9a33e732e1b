"""``innopass show``: a passport or bundle for a person, in the terminal or as a printable page.

The passport is verified first, with the home's trust store and the options
(as ``innopass verify``), and the verdict comes first. Unless the verdict is
``verified`` everything after it is shown under a "not verified" heading, and
facts no trust source vouches for are marked claimed. The terminal view uses
``rich`` (colour only on a terminal; ``NO_COLOR`` is honoured); ``--html`` writes
one self-contained page (:mod:`innopass._view.page`); ``--pdf`` prints that page with a
headless Chromium, where one is installed.

Exit codes: as ``innopass verify`` (0 verified, 1 rejected, 3 indeterminate), 2
for an input error (a missing file, an assessment record, a page that cannot be
written, no Chromium for ``--pdf``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

import click

from innopass.cli._common import fail, home_option, read_input
from innopass.cli._exit import for_outcome, for_verdicts
from innopass.cli._types import TIMESTAMP, trust_options

if TYPE_CHECKING:  # pragma: no cover - typing only
    from rich.panel import Panel
    from rich.text import Text

    from innopass._internal.jsonio import JSONObject
    from innopass._view.passport import DecisionView, PassportView, Row
    from innopass.trust import OrganisationDescription

__all__ = ["chromium", "show_command"]

#: Headless Chromium binaries, in the order they are looked for (INNOPASS_CHROMIUM first).
_CHROMIUM: Final = (
    "chromium-headless-shell",
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
)


def chromium() -> str | None:
    """The headless Chromium to print with: ``INNOPASS_CHROMIUM``, else the first on PATH."""
    import shutil

    named = os.environ.get("INNOPASS_CHROMIUM")
    if named:
        return shutil.which(named)
    return next((found for name in _CHROMIUM if (found := shutil.which(name))), None)


def chromium_command(binary: str, profile: Path) -> list[str]:
    """The arguments every headless run shares: no sandbox as root, no network, a fresh profile."""
    command = [
        binary,
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--proxy-server=127.0.0.1:9",  # nothing on the page may reach a network
        f"--user-data-dir={profile}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return command


def _print_pdf(html: str, output: Path) -> None:
    import subprocess
    import tempfile

    binary = chromium()
    if binary is None:
        fail(
            "--pdf needs a headless Chromium (on Debian: apt-get install chromium, or set "
            "INNOPASS_CHROMIUM); --html OUT writes the page, to print from any browser"
        )
    with tempfile.TemporaryDirectory(prefix="innopass-pdf-") as work:
        page = Path(work) / "passport.html"
        page.write_text(html, encoding="utf-8")
        target = Path(work) / "passport.pdf"
        command = [
            *chromium_command(binary, Path(work) / "profile"),
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(  # noqa: S603 - a fixed binary and arguments built here
                command, capture_output=True, timeout=120, check=False, stdin=subprocess.DEVNULL
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            fail(f"--pdf: {binary} did not run: {exc}")
        if done.returncode != 0 or not target.is_file():
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
            fail(f"--pdf: {binary} could not print the page ({detail[0][:200]})")
        _write_bytes(target.read_bytes(), output)


def _write_bytes(data: bytes, output: Path) -> None:
    from innopass._internal.output import write_file

    write_file(output, data)


_STYLES: Final = {
    "overdue": "bold red",
    "expired": "bold red",
    "claimed": "bold yellow",
    "excluded": "magenta",
    "notice": "bold magenta",
    "refuse": "bold red",
}
#: The decision panel's colour, by outcome.
_OUTCOME_COLOURS: Final = {
    "adopt": "green",
    "adopt-with-actions": "green",
    "refer": "yellow",
    "refuse": "red",
}


def render_terminal(view: PassportView, *, file: object = None, width: int | None = None) -> None:
    """Print ``view`` with ``rich``: the verdict, then the passport, section by section."""
    from rich import box
    from rich.console import Console, Group
    from rich.panel import Panel
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    stream = file or sys.stdout
    if width is None and "COLUMNS" not in os.environ and not getattr(stream, "isatty", bool)():
        width = 100  # piped or redirected: lines a reader can still take in
    console = Console(
        file=stream,  # type: ignore[arg-type]
        highlight=False,
        emoji=False,
        markup=False,
        width=width,
        soft_wrap=False,
    )
    if view.verified:
        verdict = Text(f"✔ VERIFIED on {view.checked_at or '?'}", style="bold green")
        lines: list[Text] = [
            verdict,
            Text("Signed by a trusted issuer; not revoked, not suspended, not expired."),
        ]
        colour = "green"
    else:
        lines = [Text(f"✖ {view.verdict.upper()}: {view.heading.upper()}", style="bold red")]
        if view.checked_at:
            lines.append(Text(f"checked {view.checked_at}"))
        lines += [Text(f"• {reason}") for reason in view.reasons]
        lines += [Text(g, style="bold" if not g.startswith(" ") else "") for g in view.guidance]
        colour = "red"
    console.print(Panel(Group(*lines), title="Verdict", title_align="left", border_style=colour))
    if view.decision is not None:
        console.print(_decision_panel(view.decision))
    if not view.verified:
        console.print(
            Rule(
                Text("NOT VERIFIED — below is only what the file claims", style="bold red"),
                style="red",
            )
        )
    console.print(Text(view.title, style="bold"))
    facts = Table(box=None, show_header=False, pad_edge=False)
    facts.add_column("label", style="bold", no_wrap=True)
    facts.add_column("value", overflow="fold")
    for row in view.facts:
        facts.add_row(row.label, _cell(row))
    console.print(facts)
    for section in view.sections:
        table = Table(
            box=box.SIMPLE_HEAD,
            show_header=False,
            title=section.title,
            title_justify="left",
            title_style="bold underline",
            pad_edge=False,
            expand=False,
        )
        table.add_column("label", style="bold", ratio=1, overflow="fold")
        table.add_column("value", ratio=3, overflow="fold")
        for row in section.rows:
            table.add_row(row.label, _cell(row))
        if section.note:
            table.add_row("", Text(section.note, style="italic"))
        console.print(table)


def _decision_panel(decision: DecisionView) -> Panel:
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    colour = _OUTCOME_COLOURS.get(decision.outcome, "red")
    lines = [Text(decision.title, style=f"bold {colour}")]
    if decision.reasons:
        lines.append(Text("Why:", style="bold"))
        lines += [
            Text(f"  • {r.label}: {r.value}", style=_STYLES[r.flag or "notice"])
            for r in decision.reasons
        ]
    if decision.actions:
        to_do = sum(1 for a in decision.actions if a.flag)
        lines.append(
            Text(
                f"Local actions: {to_do} to do, {len(decision.actions) - to_do} done", style="bold"
            )
        )
        lines += [
            Text(f"  {'-' if a.flag else '✔'} [{a.label}] {a.value}{'' if a.flag else ' (done)'}")
            for a in decision.actions
        ]
    lines.append(Text(f"Rules met: {decision.met}"))
    if decision.reused:
        lines.append(Text(f"Assessments reused, not repeated: {decision.reused}"))
    return Panel(Group(*lines), title="Decision", title_align="left", border_style=colour)


def _cell(row: Row) -> Text:
    from rich.text import Text

    marker = {"overdue": "OVERDUE", "expired": "EXPIRED", "claimed": "CLAIMED"}.get(row.flag or "")
    value = row.value
    if marker and (row.flag == "claimed" or marker not in value):  # a claim cannot hide it
        value = f"{value}  [{marker}]"
    return Text(value, style=_STYLES.get(row.flag or "", ""))


def view_of(
    data: bytes,
    name: str,
    *,
    home: Path | None,
    anchors: Sequence[str | OrganisationDescription] = (),
    trust_lists: Sequence[JSONObject] = (),
    trust_issuers: Sequence[str | OrganisationDescription] = (),
    status_lists: Sequence[JSONObject] = (),
    at: datetime | None = None,
    policy: Path | None = None,
    done: Sequence[str] = (),
) -> PassportView:
    """Verify ``data`` (the bytes of ``name``) and build what a person is shown; with a
    ``policy``, the adoption decision under it too (``done``: local actions done)."""
    from dataclasses import replace

    from innopass._view.passport import build_view, decision_view
    from innopass.cli._verify import Recipe, build_verifier, refuse_wrong_kind
    from innopass.errors import InnopassError
    from innopass.policy import Policy

    try:
        rules = None if policy is None else Policy.load(policy)
    except InnopassError as exc:
        fail(exc.diagnostics())
    recipe = Recipe.of(home, anchors, trust_lists, trust_issuers, status_lists, at)
    verifier = build_verifier(recipe)
    result = verifier.verify(data)
    refuse_wrong_kind(result, data, name)
    empty = verifier.trust.is_empty() and not trust_lists
    view = build_view(result, name, trust_empty=empty, data=data)
    if rules is None:
        return view
    try:
        decision = rules.decide(result, passport=data, done=done)
    except InnopassError as exc:  # a --done that is not one of the decision's actions
        fail(exc.diagnostics())
    return replace(view, decision=decision_view(decision))


@click.command("show")
@click.argument("file", metavar="FILE|-")
@click.option(
    "--html",
    "html_out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="OUT",
    help="Write one self-contained printable page (A4, no network) to OUT.",
)
@click.option(
    "--pdf",
    "pdf_out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="OUT",
    help="Print that page to a PDF with a headless Chromium (where one is installed).",
)
@trust_options
@click.option("--at", "at", type=TIMESTAMP, help="Verify as of this RFC 3339 time instead of now.")
@click.option(
    "--policy",
    "policy",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="POLICY",
    help="Also show the adoption decision under this acceptance policy (as innopass decide).",
)
@click.option(
    "--done",
    "done",
    multiple=True,
    metavar="ACTION",
    help="With --policy: a local action already done (its id). May be repeated.",
)
@home_option
def show_command(
    file: str,
    html_out: Path | None,
    pdf_out: Path | None,
    anchors: Sequence[str | OrganisationDescription],
    trust_lists: Sequence[JSONObject],
    trust_issuers: Sequence[str | OrganisationDescription],
    status_lists: Sequence[JSONObject],
    at: datetime | None,
    policy: Path | None,
    done: Sequence[str],
    home: Path | None,
) -> None:
    """Show a passport or bundle for a person: the verdict first, then what was assessed.

    The passport is verified as `innopass verify` does (the home's trust store plus
    the options). Then: product and supplier, who assessed it (verified or
    claimed), the outcome and rationale, conditions (who must do what by when;
    overdue ones flagged), each domain with its result and assurance, evidence
    with digests and expiry (expired flagged), scope and exclusions, validity and
    review dates, the local actions left for you, where the status information
    came from and how fresh it is, any status message (why its status changed)
    and any merger or closure of the organisations. Unless the verdict is
    verified, all of it is shown under a "not verified" heading. With --policy,
    the adoption decision under your policy follows the verdict (as `innopass
    decide`: the outcome, every reason with its rule id, the local actions left).

    \b
    Examples:
      innopass show bundle.json
      innopass show passport.json --trust-issuer rf4.json --status-list revocation.json
      innopass show bundle.json --html passport.html      # one printable page (A4)
      innopass show bundle.json --pdf passport.pdf        # needs a headless Chromium
      innopass show bundle.json --policy r1h-policy.toml --html decision.html
      cat bundle.json | innopass show -

    Exit code: 0 verified, 1 rejected, 3 indeterminate, 2 for an input error; with
    --policy, as `innopass decide`: 0 adopt or adopt-with-actions, 1 refuse, 3 refer.
    """
    if done and policy is None:
        fail("--done needs --policy POLICY (the decision it marks actions done in)")
    data = read_input(file, what="passport")
    view = view_of(
        data,
        file,
        home=home,
        anchors=anchors,
        trust_lists=trust_lists,
        trust_issuers=trust_issuers,
        status_lists=status_lists,
        at=at,
        policy=policy,
        done=done,
    )
    if html_out is None and pdf_out is None:
        render_terminal(view)
    if html_out is not None or pdf_out is not None:
        from innopass._view.page import render_html

        page = render_html(view)
        if html_out is not None:
            _write_bytes(page.encode("utf-8"), html_out)
            click.echo(f"wrote the page to {html_out} ({view.verdict})")
        if pdf_out is not None:
            _print_pdf(page, pdf_out)
            click.echo(f"wrote the PDF to {pdf_out} ({view.verdict})")
    if view.decision is not None:
        raise click.exceptions.Exit(int(for_outcome(view.decision.outcome)))
    raise click.exceptions.Exit(int(for_verdicts([view.verdict])))
