"""``innopass trust``: keep a verifier's trust store (its home), changed only under a lock.

Exit codes: 0 done, 1 refused (invalid: bad signature, not a pinned anchor, a
rollback), 3 refused because it could not be checked, 2 input error.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from innopass.cli._common import HelpGroup, fail, home_option, resolve_home
from innopass.cli._exit import ExitCode
from innopass.cli._types import PARTY, TIMESTAMP, read_json_object

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass.trust import OrganisationDescription
    from innopass.verifier import PinnedParty

__all__ = ["trust_group"]


_ELSEWHERE = {
    "sign": "a trust anchor signs trust lists with `innopass trust-list sign`",
    "export": "an anchor writes a trust list with `innopass trust-list export`",
    "list": "`innopass trust show` lists what this verifier trusts",
    "remove": "`innopass trust unpin DID|ODS` removes a pinned anchor or issuer",
    "unpin-anchor": "`innopass trust unpin DID|ODS` removes a pinned anchor or issuer",
    "unpin-issuer": "`innopass trust unpin DID|ODS` removes a pinned anchor or issuer",
}


@click.group("trust", cls=HelpGroup, elsewhere=_ELSEWHERE)
def trust_group() -> None:
    """A verifier's trust store: pin anchors and issuers; import trust and status lists.

    \b
    Examples:
      innopass trust pin-anchor --home r1h anchor.json
      innopass trust import --home r1h trust-list.json
      innopass trust show --home r1h
      innopass trust unpin --home r1h RF4
    """


def _pin(home: Path | None, source: str | OrganisationDescription, role: str) -> None:
    from innopass.errors import InnopassError
    from innopass.verifier import VerifierHome

    verifier_home = VerifierHome(resolve_home(home))
    try:
        pin = verifier_home.pin_anchor if role == "anchor" else verifier_home.pin_issuer
        party = pin(source)
    except InnopassError as exc:
        fail(exc.diagnostics())
    click.echo(f"pinned {role} {party.did}")


@trust_group.command("pin-anchor")
@click.argument("source", metavar="FILE|DID", type=PARTY)
@home_option
def pin_anchor_command(source: str | OrganisationDescription, home: Path | None) -> None:
    """Pin a trust anchor: its organisation description, or a did:key/did:jwk.

    \b
    Examples:
      innopass trust pin-anchor --home r1h anchor.json
      innopass trust import --home r1h trust-list.json      # then its trust list
    """
    _pin(home, source, "anchor")


@trust_group.command("pin-issuer")
@click.argument("source", metavar="FILE|DID", type=PARTY)
@home_option
def pin_issuer_command(source: str | OrganisationDescription, home: Path | None) -> None:
    """Trust an issuer directly: its organisation description, or a did:key/did:jwk.

    A did:web issuer needs its description (innopass org export), which carries
    its DID document and key validity windows.

    \b
    Examples:
      innopass trust pin-issuer --home r1h rf4.json
      innopass trust pin-issuer --home r1h did:key:z6Mk...
    """
    _pin(home, source, "issuer")


@trust_group.command("import")
@click.argument("file", type=click.Path(path_type=Path, allow_dash=True), metavar="FILE|-")
@click.option("--at", "at", type=TIMESTAMP, help="Record this as the fetch time instead of now.")
@home_option
def import_command(file: Path, at: datetime | None, home: Path | None) -> None:
    """Import a trust list, a status-list credential or a bundle into the trust store.

    A trust list must be signed by a pinned anchor and be newer than the one held;
    a status list must be signed by a trusted issuer. FILE may be - (standard input).

    \b
    Examples:
      innopass trust import --home r1h trust-list.json
      innopass trust import --home r1h status/revocation/1
      innopass trust import --home r1h bundle.json
    """
    from innopass._internal.credential import credential_types
    from innopass._internal.timestamps import utc_now
    from innopass.errors import FailureFamily, InnopassError, MalformedInputError, TrustImportError
    from innopass.status import LIST_CREDENTIAL_TYPE
    from innopass.trust import BUNDLE_TYPE, TRUST_LIST_TYPE, Bundle
    from innopass.verifier import VerifierHome

    now = at or utc_now()
    if str(file) != "-" and not file.exists():
        fail(f"no such file: {file}")
    obj = read_json_object(file, "file")
    verifier_home = VerifierHome(resolve_home(home))
    types = credential_types(obj)
    try:
        if obj.get("type") == BUNDLE_TYPE:
            bundle = Bundle.from_json(obj)
            taken = verifier_home.import_bundle(bundle, now=now)
            message = f"imported {len(bundle.status_lists)} status list(s)"
            if taken is not None:
                message += f" and trust list version {taken.version}"
            elif bundle.trust_list is not None:
                message += "; its trust list is not newer than the one held, which is kept"
        elif TRUST_LIST_TYPE in types:
            accepted = verifier_home.import_trust_list(obj)
            message = f"imported trust list version {accepted.version} from {accepted.anchor}"
            if accepted.expired_at(now):
                click.echo("innopass: warning: this trust list has expired", err=True)
        elif LIST_CREDENTIAL_TYPE in types:
            entry = verifier_home.import_status_list(obj, now=now)
            message = f"imported status list {entry.id}"
        else:
            fail(f"{file} is not a trust list, a status-list credential or a bundle")
    except TrustImportError as exc:
        click.echo(f"innopass: {exc.diagnostics()}", err=True)
        unverifiable = exc.failure.family is FailureFamily.UNVERIFIABLE
        code = ExitCode.INDETERMINATE if unverifiable else ExitCode.REJECTED
        raise click.exceptions.Exit(int(code)) from exc
    except MalformedInputError as exc:
        fail(f"{file}: {exc.diagnostics()}")
    except InnopassError as exc:
        fail(exc.diagnostics())
    click.echo(message)


@trust_group.command("show")
@home_option
def show_command(home: Path | None) -> None:
    """Show what this verifier trusts: anchors, issuers, trust lists and status lists held.

    \b
    Example:
      innopass trust show --home r1h
    """
    from innopass._internal.timestamps import format_datetime
    from innopass.verifier import VerifierHome

    path = resolve_home(home)
    store = VerifierHome(path).load()
    click.echo(f"trust store   {path}")
    if store.is_empty():
        click.echo("nothing is trusted yet. Pin the national anchor and import its trust list:")
        click.echo("  innopass trust pin-anchor ANCHOR.json")
        click.echo("  innopass trust import TRUST-LIST.json")
        return

    def who(party: PinnedParty) -> str:
        org = party.organisation
        return f"{org.ods_code}  {org.name}  {party.did}" if org is not None else party.did

    for party in store.anchors.values():
        click.echo(f"anchor        {who(party)}")
    for party in store.issuers.values():
        click.echo(f"issuer        {who(party)}  (pinned)")
    for listed in store.trust_lists.values():
        until = format_datetime(listed.valid_until) if listed.valid_until else "no expiry"
        signed = format_datetime(listed.valid_from) if listed.valid_from else "?"
        names = ", ".join(i.ods_code for i in listed.content.issuers) or "no issuer"
        click.echo(
            f"trust list    version {listed.version} from {listed.anchor}, signed {signed}, "
            f"valid until {until}: {names}"
        )
    for held in store.status_lists.values():
        click.echo(f"status list   {held.id}  fetched {format_datetime(held.fetched_at)}")


@trust_group.command("unpin")
@click.argument("party", metavar="DID|ODS")
@home_option
def unpin_command(party: str, home: Path | None) -> None:
    """Stop trusting a pinned anchor or issuer, by its DID or its ODS code.

    An issuer named by a trust list stays trusted through that list (an anchor
    withdraws it); unpinning the anchor stops trusting its lists.

    \b
    Examples:
      innopass trust unpin --home r1h RF4
      innopass trust unpin --home r1h did:web:rf4.nhs.example
    """
    from innopass.verifier import VerifierHome

    verifier_home = VerifierHome(resolve_home(home))
    store = verifier_home.load()
    did = party
    if not party.startswith("did:"):
        pinned = [*store.anchors.values(), *store.issuers.values()]
        matches = sorted(
            {
                p.did
                for p in pinned
                if p.organisation is not None and p.organisation.ods_code == party
            }
        )
        if not matches:
            fail(
                f"no pinned anchor or issuer has ODS code {party} (innopass trust show lists them)"
            )
        if len(matches) > 1:
            fail(
                f"ODS code {party} names several pinned parties: {', '.join(matches)}; give the DID"
            )
        did = matches[0]
    roles = verifier_home.unpin(did)
    if not roles:
        fail(f"{did} is not pinned (innopass trust show lists what is)")
    click.echo(f"unpinned {did} as {' and '.join(roles)}")
