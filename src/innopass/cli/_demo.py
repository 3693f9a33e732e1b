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

import click

from innopass._internal.jsonio import load_file_strict

__all__ = ["demo_command"]

# The organisations of the story: ODS code, name as ODS publishes it, did:web host.
ANCHOR = ("X24", "NHS ENGLAND", "trust.nhs.example")
RF4 = ("RF4", "BARKING, HAVERING AND REDBRIDGE UNIVERSITY HOSPITALS NHS TRUST", "rf4.nhs.example")
RF4_DISPLAY = "Barking, Havering and Redbridge University Hospitals NHS Trust"
R1H, R1H_DISPLAY = "R1H", "Barts Health NHS Trust"


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

    story.step(
        f"{rf4_ods} revokes the passport",
        "A field safety notice arrives. RF4 revokes the passport and republishes its status "
        "lists; the change is one ledger transaction with a hash-chained audit entry.",
    )
    story.run("revoke", "--home", "rf4", passport_id, "--yes")
    story.run("status", "publish", "--home", "rf4", "-o", "status")

    story.step(
        f"{r1h_ods} verifies again and is told it is revoked",
        f"{r1h_ods} imports RF4's new revocation list into its cache. The same passport is now "
        "rejected, even from the old bundle: the fresher signed list wins.",
    )
    story.run("trust", "import", "--home", "r1h", "status/revocation/1")
    story.run("verify", "--home", "r1h", "bundle.json", expect=1)


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
    passport; the anchor signs a trust list; R1H verifies it offline and reads it;
    RF4 revokes it; R1H verifies again and is told it is revoked. Offline, with
    real keys; nothing outside the directory is touched.

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
