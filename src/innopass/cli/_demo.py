"""``innopass demo``: the whole passport story, end to end, with real cryptography.

Every step is a real ``innopass`` command, run in-process in a temporary
directory and printed as a person would type it, so the demo doubles as a
walkthrough of the command line. The demo checks each step's exit code and
stops with an error if the story does not come out as it should.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from innopass._internal.jsonio import load_file_strict
from innopass.errors import InnopassError

__all__ = ["demo_command"]

# The organisations of the story: ODS code, name as ODS publishes it, did:web host.
ANCHOR = ("X24", "NHS ENGLAND", "trust.nhs.example")
RF4 = ("RF4", "BARKING, HAVERING AND REDBRIDGE UNIVERSITY HOSPITALS NHS TRUST", "rf4.nhs.example")
RF4_DISPLAY = "Barking, Havering and Redbridge University Hospitals NHS Trust"
R1H, R1H_DISPLAY = "R1H", "Barts Health NHS Trust"
R1H_NAME, R1H_HOST = "BARTS HEALTH NHS TRUST", "r1h.nhs.example"


class DemoFailed(click.ClickException):
    """A step of the story did not end as it should."""


@contextlib.contextmanager
def _passphrase(value: str) -> Iterator[None]:
    old = os.environ.get("INNOPASS_PASSPHRASE")
    os.environ["INNOPASS_PASSPHRASE"] = value
    try:
        yield
    finally:
        if old is None:
            del os.environ["INNOPASS_PASSPHRASE"]
        else:
            os.environ["INNOPASS_PASSPHRASE"] = old


class _Story:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.step_number = 0

    def step(self, title: str, narrative: str) -> None:
        self.step_number += 1
        click.echo()
        click.secho(f"── {self.step_number}. {title}", bold=True)
        click.echo(
            click.wrap_text(narrative, width=88, initial_indent="   ", subsequent_indent="   ")
        )

    def run(self, *args: str, expect: int = 0) -> None:
        cli = click.get_current_context().find_root().command  # the innopass group itself
        shown = " ".join(shlex.quote(a) for a in args)
        click.secho(f"\n   $ innopass {shown}", fg="cyan")
        cwd = Path.cwd()
        os.chdir(self.root)
        try:
            code = cli.main(args=list(args), prog_name="innopass", standalone_mode=False)
        finally:
            os.chdir(cwd)
        code = code if isinstance(code, int) else 0
        if code != expect:
            raise DemoFailed(
                f"step {self.step_number}: `innopass {shown}` exited {code}, expected {expect}"
            )


def _passport_id(path: Path) -> str:
    value = load_file_strict(path)
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        raise DemoFailed(f"{path} does not hold a passport")
    return str(value["id"])


def _json(path: Path) -> Any:
    try:
        return load_file_strict(path)
    except InnopassError as exc:
        raise DemoFailed(f"{path} cannot be read: {exc.diagnostics()}") from exc


def _expect(story: _Story, holds: bool, what: str) -> None:
    """Stop the demo unless the step did what the story says."""
    if not holds:
        raise DemoFailed(f"step {story.step_number}: {what}")


def _check_decision(story: _Story, path: Path, passport_id: str) -> None:
    decision = _json(path)
    _expect(
        story,
        decision.get("decision") == "adopt-with-actions"
        and decision.get("passport", {}).get("id") == passport_id,
        f"R1H's decision should be adopt-with-actions on {passport_id}",
    )
    remaining = {a["id"] for a in decision.get("actions", []) if not a["done"]}
    expected = {"ipc_review", "staff_training", "cond-2", "medical-devices-group"}
    _expect(story, expected <= remaining, f"the decision should list {sorted(expected)}")


def _check_adoption(story: _Story, path: Path, passport_id: str) -> str:
    record = _json(path)
    related = record.get("relatedResource") or [{}]
    _expect(
        story,
        record.get("type") == ["VerifiableCredential", "InnopassAdoption"]
        and related[0].get("id") == passport_id
        and str(related[0].get("digestSRI", "")).startswith("sha384-")
        and record.get("issuer", {}).get("odsCode") == R1H,
        "the adoption record should be R1H's, naming the passport with its digest",
    )
    return str(record["id"])


def _check_summary(story: _Story, path: Path, passport_id: str) -> None:
    summary = _json(path)
    passports = summary.get("passports", [])
    _expect(
        story,
        summary.get("assessments_not_repeated") == 1
        and len(passports) == 1
        and passports[0].get("passport") == passport_id
        and passports[0].get("organisations") == 1,
        "the summary should show one assessment reused, by one organisation",
    )


def _tell(story: _Story) -> None:
    anchor_ods, anchor_name, anchor_host = ANCHOR
    rf4_ods, rf4_name, rf4_host = RF4
    rf4_display, r1h_ods, r1h_display = RF4_DISPLAY, R1H, R1H_DISPLAY

    story.step(
        "The national trust anchor sets up",
        "The national operator creates its signing identity. Its only job in this story is to "
        "vouch, in a signed trust list, for the NHS organisations accredited to issue passports.",
    )
    story.run(
        "org", "init", "--home", "anchor", "--ods", anchor_ods, "--name", anchor_name,
        "--did-web", anchor_host,
    )  # fmt: skip
    story.run("org", "export", "--home", "anchor", "-o", "anchor.json")

    story.step(
        f"{rf4_ods} sets up its organisation home",
        f"{rf4_display} creates its keys (encrypted at rest) and its ledger. Its DID is "
        f"did:web:{rf4_host}, so it can rotate keys later.",
    )
    story.run(
        "org", "init", "--home", "rf4", "--ods", rf4_ods, "--name", rf4_name, "--did-web", rf4_host
    )
    story.run("org", "export", "--home", "rf4", "-o", "rf4.json")

    story.step(
        f"{rf4_ods} assesses an antimicrobial wound dressing",
        "The supplier's evidence and the assessors' findings are captured once, in the canonical "
        "assessment record, and checked against its published JSON Schema.",
    )
    story.run("record", "example", "--profile", "device", "-o", "dressing-record.json")
    story.run("record", "validate", "dressing-record.json")

    story.step(
        f"{rf4_ods} signs the passport",
        "The record becomes a W3C Verifiable Credential 2.0 signed with RF4's own key "
        "(eddsa-jcs-2022), with revocation and suspension entries in RF4's status lists. "
        "The ledger records it before the file is written.",
    )
    story.run("issue", "--home", "rf4", "dressing-record.json", "-o", "passport.json")
    passport_id = _passport_id(story.root / "passport.json")

    story.step(
        "The anchor signs a trust list naming RF4",
        "RF4's public description (ODS code, name, DID document, key validity) goes into a "
        "versioned, expiring trust list signed by the anchor.",
    )
    story.run(
        "trust-list", "sign", "--home", "anchor", "--issuer", "rf4.json", "--valid-days", "30",
        "-o", "trust-list.json",
    )  # fmt: skip

    story.step(
        f"{rf4_ods} publishes its status lists and hands the supplier a bundle",
        "The bundle carries the passport, RF4's DID document and the signed status lists: "
        "everything needed to verify offline. Each part is signed, so e-mail will do.",
    )
    story.run("status", "publish", "--home", "rf4", "-o", "status")
    story.run("bundle", "--home", "rf4", passport_id, "-o", "bundle.json")

    story.step(
        f"{r1h_display} ({r1h_ods}) verifies the passport offline",
        f"{r1h_ods} has pinned the national anchor and imported its trust list. It checks the "
        "bundle with no network and no central server, and sees the outcome and what it must "
        "still do locally.",
    )
    story.run("trust", "pin-anchor", "--home", "r1h", "anchor.json")
    story.run("trust", "import", "--home", "r1h", "trust-list.json")
    story.run("verify", "--home", "r1h", "bundle.json")
    story.run("show", "--home", "r1h", "bundle.json")

    _tell_adoption(story, passport_id)

    story.step(
        f"{rf4_ods} revokes the passport",
        "A field safety notice arrives. RF4 revokes the passport, saying why, and republishes "
        "its status lists; the change is one ledger transaction with hash-chained audit "
        "entries.",
    )
    story.run("revoke", "--home", "rf4", passport_id, "--reason", "fsn", "--yes")
    story.run("status", "publish", "--home", "rf4", "-o", "status")

    story.step(
        f"{r1h_ods} verifies again and is told it is revoked",
        f"{r1h_ods} imports RF4's new revocation and message lists into its cache. The same "
        "passport is now rejected, even from the old bundle: the fresher signed list wins, "
        "and the message list says why.",
    )
    story.run("trust", "import", "--home", "r1h", "status/revocation/1")
    story.run("trust", "import", "--home", "r1h", "status/message/1")
    story.run("verify", "--home", "r1h", "bundle.json", expect=1)

    story.step(
        f"{r1h_ods}'s next decision is refuse",
        "Against the same policy, a passport that does not verify is never adopted: the "
        "decision is refuse, and the reason names the revocation.",
    )
    story.run("decide", "--home", "r1h", "bundle.json", "--policy", "r1h-policy.toml", expect=1)


def _tell_adoption(story: _Story, passport_id: str) -> None:
    """R1H decides against its own policy, signs its adoption record; the reuse is counted."""
    root = story.root
    story.step(
        f"{R1H} decides against its own acceptance policy",
        f"{R1H_DISPLAY} writes down what it accepts (which issuers, results and assurance per "
        "domain, framework versions, freshness, evidence, device classes, its intended use) "
        "and lets innopass decide. It can adopt with actions: what the record leaves to it "
        "(IPC review, training, formulary, procurement route) and its own Medical Devices "
        "Group. For a digital product the same policy would list its DCB0160 deployment "
        "safety case and its own DPIA, which no passport removes.",
    )
    story.run("policy", "template", "--ods", R1H, "-o", "r1h-policy.toml")
    story.run(
        "decide", "--home", "r1h", "bundle.json", "--policy", "r1h-policy.toml",
        "-o", "r1h-decision.json",
    )  # fmt: skip
    _check_decision(story, root / "r1h-decision.json", passport_id)

    story.step(
        f"{R1H} signs its record of relying on the passport",
        f"{R1H} is an NHS organisation with its own keys too. It signs an adoption record: "
        "which passport (id and digest), which policy (digest), the decision and reasons, "
        "the actions done and left. It is in R1H's ledger and can be revoked like a passport, "
        "and R1H sends it, as a bundle, to the national operator.",
    )
    story.run(
        "org", "init", "--home", "r1h", "--ods", R1H, "--name", R1H_NAME, "--did-web", R1H_HOST
    )
    story.run("org", "export", "--home", "r1h", "-o", "r1h.json")
    story.run(
        "adopt", "--home", "r1h", "bundle.json", "--policy", "r1h-policy.toml",
        "--done", "ipc_review", "-o", "adoption.json",
    )  # fmt: skip
    adoption_id = _check_adoption(story, root / "adoption.json", passport_id)
    story.run("status", "publish", "--home", "r1h", "-o", "r1h-status")
    (root / "adoptions").mkdir(exist_ok=True)
    story.run("bundle", "--home", "r1h", adoption_id, "-o", "adoptions/r1h.json")

    story.step(
        "The national operator counts the reuse",
        "It verifies every adoption record it receives, offline, trusting R1H's published "
        "description, and counts per passport who adopted it and the assessments not "
        "repeated.",
    )
    story.run(
        "adoptions", "summary", "adoptions", "--home", "operator", "--trust-issuer", "r1h.json",
        "-o", "summary.json",
    )  # fmt: skip
    _check_summary(story, root / "summary.json", passport_id)


@click.command("demo")
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Work in this (new or empty) directory and keep the files afterwards.",
)
def demo_command(keep: Path | None) -> None:
    """Run the whole passport story end to end in a temporary directory.

    A national anchor; RF4 assesses an antimicrobial wound dressing and issues its
    passport; the anchor signs a trust list; R1H verifies it offline and reads it,
    decides against its own policy (adopt with actions) and signs its adoption record;
    the national operator counts one assessment reused; RF4 revokes it; R1H verifies
    again and is told it is revoked, and its next decision is refuse. Offline, with
    real keys; nothing outside the directory is touched. Exit 0 only when every step
    did what the story says.

    \b
    Examples:
      innopass demo
      innopass demo --keep demo/      # keep the homes and files (the passphrase is printed)
    """
    with contextlib.ExitStack() as stack:
        if keep is None:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="innopass-demo-")))
        else:
            keep.mkdir(parents=True, exist_ok=True)
            if any(keep.iterdir()):
                raise click.UsageError(f"--keep directory {keep} is not empty")
            root = keep
        passphrase = secrets.token_urlsafe(24)
        stack.enter_context(_passphrase(passphrase))
        click.secho("innopass demo: one assessment, trusted everywhere", bold=True)
        click.echo(f"   working in {root} (offline; real keys and signatures)")
        _tell(_Story(root))
        click.echo()
        click.secho("── The story ran end to end.", bold=True)
        if keep is not None:
            click.echo(
                f"   Files kept in {keep}. The homes' keys are encrypted with the passphrase"
            )
            click.echo(f"   {passphrase}")
            click.echo(f"   (export INNOPASS_PASSPHRASE={shlex.quote(passphrase)} to use them)")
