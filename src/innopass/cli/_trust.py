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

__all__ = ["trust_group"]


@click.group("trust", cls=HelpGroup)
def trust_group() -> None:
    """A verifier's trust store: pin anchors and issuers; import trust and status lists."""


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
    """Pin a trust anchor: its organisation description, or a did:key/did:jwk."""
    _pin(home, source, "anchor")


@trust_group.command("pin-issuer")
@click.argument("source", metavar="FILE|DID", type=PARTY)
@home_option
def pin_issuer_command(source: str | OrganisationDescription, home: Path | None) -> None:
    """Trust an issuer directly: its organisation description, or a did:key/did:jwk.

    A did:web issuer needs its description (innopass org export), which carries
    its DID document and key validity windows.
    """
    _pin(home, source, "issuer")


@trust_group.command("import")
@click.argument("file", type=click.Path(path_type=Path), metavar="FILE")
@click.option("--at", "at", type=TIMESTAMP, help="Record this as the fetch time instead of now.")
@home_option
def import_command(file: Path, at: datetime | None, home: Path | None) -> None:
    """Import a trust list, a status-list credential or a bundle into the trust store.

    A trust list must be signed by a pinned anchor and be newer than the one held;
    a status list must be signed by a trusted issuer.
    """
    from innopass._internal.credential import credential_types
    from innopass._internal.timestamps import utc_now
    from innopass.errors import FailureFamily, InnopassError, MalformedInputError, TrustImportError
    from innopass.status import LIST_CREDENTIAL_TYPE
    from innopass.trust import BUNDLE_TYPE, TRUST_LIST_TYPE, Bundle
    from innopass.verifier import VerifierHome

    now = at or utc_now()
    obj = read_json_object(file, "file")
    verifier_home = VerifierHome(resolve_home(home))
    types = credential_types(obj)
    try:
        if obj.get("type") == BUNDLE_TYPE:
            bundle = Bundle.from_json(obj)
            taken = verifier_home.import_bundle(bundle, now=now)
            message = f"imported {len(bundle.status_lists)} status list(s)" + (
                f" and trust list version {taken.version}" if taken else ""
            )
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
