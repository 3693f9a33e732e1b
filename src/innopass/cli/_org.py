"""``innopass org``: create an organisation home, export its description, rotate its key,
mark a key compromised, show the home.

Exit codes: 0 success; 1 ``org show`` on a ledger that fails verification; 2 usage or
input error, a refused operation (a home that
already exists or is incomplete, rotating a did:key, an output inside the home's
keys or ledger) or a wrong passphrase, with one line on stderr. The key
passphrase comes from ``INNOPASS_PASSPHRASE`` or, when that is unset, a hidden
prompt (confirmed when a new key is created; at least 8 characters).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from innopass.cli._common import (
    HelpGroup,
    home_option,
    output_file_option,
    read_passphrase,
    resolve_home,
    write_output,
)
from innopass.cli._exit import ExitCode
from innopass.cli._types import ODS_CODE

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass.keys import KeyType

__all__ = ["org_group"]

_KEY_TYPES = ("ed25519", "p256", "p384")


def _key_type(name: str) -> KeyType:
    from innopass.keys import KeyType

    return {"ed25519": KeyType.ED25519, "p256": KeyType.P256, "p384": KeyType.P384}[name]


@click.group("org", cls=HelpGroup)
def org_group() -> None:
    """Create and manage an organisation home: keys, DID, ledger.

    \b
    Examples:
      innopass org init --home rf4 --ods RF4 --name "BARKING, HAVERING AND REDBRIDGE" \\
          --did-web rf4.nhs.example
      innopass org export --home rf4 -o rf4.json
      innopass org show --home rf4
    """


@org_group.command("init")
@click.option("--ods", "ods", required=True, type=ODS_CODE, help="ODS code, e.g. RF4 (upper case).")
@click.option("--name", required=True, help="The organisation's name, as in ODS.")
@click.option(
    "--did-web",
    metavar="HOST[/PATH]",
    help="Use did:web for this host (rotatable keys); default: a did:key.",
)
@click.option(
    "--key-type",
    type=click.Choice(_KEY_TYPES),
    default="ed25519",
    show_default=True,
    help="ed25519 signs with eddsa-jcs-2022 / EdDSA; p256 with ecdsa-jcs-2019 / ES256; "
    "p384 with ecdsa-jcs-2019 (SHA-384) / ES384.",
)
@click.option(
    "--status-url",
    metavar="BASE",
    help="Where status lists will be served (default: https://HOST/status/ for did:web, "
    "urn:innopass:status:ODS/ for did:key).",
)
@home_option
def init_command(
    ods: str,
    name: str,
    did_web: str | None,
    key_type: str,
    status_url: str | None,
    home: Path | None,
) -> None:
    """Create an organisation home with a new signing key, encrypted with a passphrase.

    Refuses to overwrite an existing home. ODS codes must be given in upper case.
    --did-web takes a host name (rf4.nhs.example), not a URL.

    \b
    Examples:
      export INNOPASS_PASSPHRASE='a long passphrase'
      innopass org init --home rf4 --ods RF4 --name "BARKING, HAVERING AND REDBRIDGE" \\
          --did-web rf4.nhs.example
      innopass org init --home anchor --ods X24 --name "NHS ENGLAND" --did-web trust.nhs.example
      innopass org init --home test --ods R1H --name "BARTS HEALTH NHS TRUST"   # did:key

    The key passphrase (8 characters or more) comes from INNOPASS_PASSPHRASE or,
    at a terminal only, a hidden prompt asked twice.
    """
    from innopass.issuer import OrganisationHome

    if did_web is not None and "://" in did_web:
        host = did_web.split("://", 1)[1].strip("/")
        raise click.BadParameter(
            f"{did_web!r} is a URL; give the host name only, e.g. --did-web {host}",
            param_hint="--did-web",
        )
    path = resolve_home(home)
    OrganisationHome(path).ensure_vacant()  # before asking for a passphrase
    passphrase = read_passphrase(confirm=True)
    org = OrganisationHome.init(
        path,
        ods_code=ods,
        name=name,
        passphrase=passphrase,
        did_web=did_web,
        key_type=_key_type(key_type),
        status_url=status_url,
    )
    description = org.description()
    click.echo(f"created organisation home {path}")
    click.echo(f"  organisation  {description.ods_code}  {description.name}")
    click.echo(f"  DID           {description.did}")
    click.echo(f"  signing key   {org.current_key_id()} ({_key_type(key_type).value})")
    click.echo(f"  status lists  {description.status_list_base}")


@org_group.command("export")
@output_file_option("Write to FILE instead of standard output.", metavar="FILE")
@home_option
def export_command(output: Path | None, home: Path | None) -> None:
    """Write the organisation's public description (ODS code, name, DID, DID document, keys).

    Give it to a trust anchor or to verifiers. For did:web, its didDocument is what
    the organisation serves at https://HOST/.well-known/did.json. No passphrase is needed.

    \b
    Examples:
      innopass org export --home rf4 -o rf4.json
      innopass org export --home rf4 | less
    """
    from innopass._internal.jsonio import dumps_pretty
    from innopass.issuer import OrganisationHome

    org = OrganisationHome.open(resolve_home(home))
    if output is not None:
        org.check_output_file(output)
    write_output(dumps_pretty(org.export().to_json()), output)
    if output is not None:
        click.echo(f"wrote the organisation description to {output}")


@org_group.command("rotate-key")
@click.option(
    "--key-type",
    type=click.Choice(_KEY_TYPES),
    default=None,
    help="Type of the new key (default: the same as the current key).",
)
@click.option(
    "--compromised",
    is_flag=True,
    help="The current key is compromised: mark it so, and every passport it signed "
    "fails verification once verifiers hold the new description or trust list.",
)
@home_option
def rotate_key_command(key_type: str | None, compromised: bool, home: Path | None) -> None:
    """Add a new signing key and retire the current one (did:web organisations only).

    The retired key stays in the DID document so passports it signed keep
    verifying (unless --compromised); export the description again, republish
    the DID document and give the description to the trust anchor.

    \b
    Examples:
      innopass org rotate-key --home rf4
      innopass org rotate-key --home rf4 --compromised
      innopass org export --home rf4 -o rf4.json     # then: innopass anchor add rf4.json

    The key passphrase comes from INNOPASS_PASSPHRASE or, at a terminal only, a hidden prompt.
    """
    from innopass.issuer import OrganisationHome

    org = OrganisationHome.open(resolve_home(home))
    old = org.current_key_id()
    new = org.rotate_key(
        read_passphrase(),
        key_type=None if key_type is None else _key_type(key_type),
        compromised=compromised,
    )
    click.echo(f"{'marked COMPROMISED and retired' if compromised else 'retired'} {old}")
    click.echo(f"new signing key {new}")
    if compromised:
        click.echo("every passport the old key signed will fail verification: reissue them")
    click.echo("export the description (innopass org export) and republish the DID document")


@org_group.command("compromise-key")
@click.argument("key_id", metavar="KEY-ID")
@home_option
def compromise_key_command(key_id: str, home: Path | None) -> None:
    """Mark the organisation's key KEY-ID compromised: every passport it signed fails.

    KEY-ID is any key the description lists (see innopass org show), current or
    retired. The current key of a did:web organisation is rotated at once. The
    compromised key's private key file is destroyed. Then export the description
    (innopass org export), republish the DID document, give the description to the
    trust anchor (trust-list sign carries the mark to every verifier) and reissue
    the passports the key signed.

    \b
    Examples:
      innopass org show --home rf4
      innopass org compromise-key --home rf4 did:web:rf4.nhs.example#key-1
      innopass org export --home rf4 -o rf4.json

    The key passphrase comes from INNOPASS_PASSPHRASE, or is asked for at a terminal.
    """
    from innopass.issuer import OrganisationHome

    org = OrganisationHome.open(resolve_home(home))
    new = org.compromise_key(key_id, read_passphrase())
    click.echo(f"marked COMPROMISED {key_id}")
    if new is not None:
        click.echo(f"new signing key {new}")
    click.echo("every passport it signed will fail verification: reissue them")
    click.echo(
        "export the description (innopass org export), republish the DID document and "
        "give it to the trust anchor"
    )


@org_group.command("show")
@home_option
def show_command(home: Path | None) -> None:
    """Show the organisation home: identity, keys, status lists, passports, audit log.

    \b
    Example:
      innopass org show --home rf4
    """
    from innopass._internal.timestamps import format_datetime
    from innopass.issuer import OrganisationHome, PassportState

    path = resolve_home(home)
    org = OrganisationHome.open(path)
    description = org.description()
    click.echo(f"home          {path}")
    click.echo(f"organisation  {description.ods_code}  {description.name}")
    click.echo(f"DID           {description.did}")
    current = org.current_key_id()
    for window in description.keys:
        method = description.did_document.method(window.id)
        kind = method.public_key.key_type.value if method is not None else "?"
        since = format_datetime(window.valid_from) if window.valid_from else "?"
        if window.id == current:
            state = f"current since {since}"
        elif window.compromised:
            state = "COMPROMISED"
        else:
            until = format_datetime(window.valid_until) if window.valid_until else "?"
            state = f"retired, valid {since} to {until}"
        click.echo(f"key           {window.id} ({kind}) {state}")
    for leftover in org.retired_key_files():
        click.echo(
            f"warning       retired private key still on disk: {leftover} "
            "(destroyed at the next rotate-key or compromise-key)"
        )
    click.echo(f"status lists  {description.status_list_base}")
    with org.open_ledger() as ledger:
        lists = ledger.status_lists()
        for info in lists:
            click.echo(
                f"  {info.purpose.value}/{info.list_number}: "
                f"{info.allocated} of {info.size} entries allocated"
            )
        counts = ledger.count_passports()
        total = sum(counts.values())
        click.echo(
            f"passports     {total} issued: {counts[PassportState.ACTIVE]} active, "
            f"{counts[PassportState.SUSPENDED]} suspended, {counts[PassportState.REVOKED]} revoked"
        )
        report = ledger.verify()
        entries = report.checkpoint.length
        if report.ok:
            click.echo(f"audit log     {entries} entries, hash chain intact, tables agree")
        else:
            click.echo(f"audit log     {entries} entries; LEDGER FAILS VERIFICATION:")
            for problem in report.problems[:5]:
                click.echo(f"  {problem}")
            click.echo("  (innopass ledger verify lists every problem)")
        versions = ledger.trust_list_versions()
        if versions:
            newest = versions[-1]
            signed = format_datetime(newest.signed_at)
            until = format_datetime(newest.valid_until)
            click.echo(
                f"trust lists   version {newest.version} signed {signed}, valid until {until}"
            )
    if not report.ok:
        raise click.exceptions.Exit(int(ExitCode.REJECTED))
