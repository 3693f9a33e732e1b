"""``innopass key generate`` and ``innopass present``: the holder's side (a supplier).

A supplier's key is one encrypted PKCS#8 file (``key generate``); its identity is
that key's did:key, which every verifier resolves by itself (see
:mod:`innopass.holder`). ``present`` wraps passports in a VC 2.0 presentation that
answers the receiving trust's challenge for its domain, signed with that key.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from innopass.cli._common import (
    fail,
    format_option,
    output_file_option,
    read_passphrase,
    write_output,
)
from innopass.cli._types import TIMESTAMP

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass.holder import Holder

__all__ = ["key_group", "present_command"]

_KEY_TYPES = ("ed25519", "p256", "p384")
_MAX_VALID_HOURS = 24 * 30


@click.group("key")
def key_group() -> None:
    """A holder's own key (a supplier presenting passports), as an encrypted file.

    \b
    Examples:
      innopass key generate -o supplier.key
      innopass present passport.json --key supplier.key --challenge C --domain r1h.nhs.example
    """


@key_group.command("generate")
@output_file_option("Where to write the new key (encrypted PKCS#8, mode 0600).", required=True)
@click.option(
    "--key-type",
    type=click.Choice(_KEY_TYPES),
    default="ed25519",
    show_default=True,
    help="ed25519 (eddsa-jcs-2022 / EdDSA), p256 (ES256) or p384 (ES384).",
)
def generate_command(output: Path, key_type: str) -> None:
    """Make a holder key, encrypted at rest; print its did:key.

    The did:key is what verifiers will see as the presentation's holder. Refuses
    to overwrite an existing file.

    \b
    Examples:
      innopass key generate -o supplier.key
      innopass key generate -o supplier-p256.key --key-type p256

    The key passphrase comes from INNOPASS_PASSPHRASE, or is asked for at a terminal.
    """
    from innopass._internal.output import write_file
    from innopass.holder import Holder
    from innopass.keys import KeyType

    if output.exists():
        fail(f"{output} exists: choose another file (a key is never overwritten)")
    passphrase = read_passphrase(confirm=True)
    from innopass._internal.passphrase import new_passphrase_bytes

    secret = new_passphrase_bytes(passphrase)
    kind = {"ed25519": KeyType.ED25519, "p256": KeyType.P256, "p384": KeyType.P384}[key_type]
    holder = Holder.generate(kind)
    write_file(output, holder.to_pem(secret), mode=0o600)
    click.echo(f"created holder key {output}")
    click.echo(f"  holder DID    {holder.did}")


def _load_holder(path: Path) -> Holder:
    from innopass._internal.jsonio import read_file_limited
    from innopass.holder import Holder

    return Holder.from_pem(
        read_file_limited(path, max_bytes=64 * 1024), passphrase=read_passphrase()
    )


def _credential(path: Path) -> Any:
    """A passport file's credential: the JSON credential or the compact JWS; a bundle's
    passport (its status lists and description are not carried: a note says so)."""
    from innopass._internal.jose import looks_like_compact_jws
    from innopass._internal.jsonio import loads_strict, read_file_limited
    from innopass.errors import MalformedInputError
    from innopass.trust import BUNDLE_TYPE

    data = read_file_limited(path, max_bytes=8 * 1024 * 1024)
    text = data.decode("utf-8", "replace").strip()
    if looks_like_compact_jws(text):
        return text
    value = loads_strict(data)
    if not isinstance(value, dict):
        raise MalformedInputError(f"{path} holds no credential")
    if value.get("type") == BUNDLE_TYPE:
        click.echo(
            f"note: {path} is a bundle: only its passport goes into the presentation "
            "(hand over the bundle too if the trust needs its status lists offline)",
            err=True,
        )
        return value.get("passport")
    return value


@click.command("present")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--key",
    "key_file",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The holder's key file (innopass key generate); passphrase as for every key.",
)
@click.option("--challenge", required=True, help="The challenge the receiving trust gave you.")
@click.option("--domain", required=True, help="The receiving trust's domain, as it gave it.")
@format_option(jwt="a compact vp+jwt")
@click.option(
    "--valid-hours",
    type=click.IntRange(1, _MAX_VALID_HOURS),
    default=24,
    show_default=True,
    help="How long the presentation's proof stays valid.",
)
@click.option("--at", "at", type=TIMESTAMP, help="Sign as of this RFC 3339 time instead of now.")
@output_file_option("Write the presentation here (default: standard output).")
def present_command(
    files: tuple[Path, ...],
    key_file: Path,
    challenge: str,
    domain: str,
    fmt: str,
    valid_hours: int,
    at: datetime | None,
    output: Path | None,
) -> None:
    """Hand passports to a trust in one presentation signed with your key.

    FILE may be a passport, a JWT passport or a bundle. The presentation answers
    the trust's challenge for its domain; the trust verifies it with
    innopass verify FILE --challenge C --domain D.

    \b
    Examples:
      innopass present passport.json other.jwt --key supplier.key \\
          --challenge 3f9a61c2 --domain r1h.nhs.example -o presentation.json
      innopass verify presentation.json --challenge 3f9a61c2 --domain r1h.nhs.example

    The key passphrase comes from INNOPASS_PASSPHRASE, or is asked for at a terminal.
    """
    from innopass._internal.jsonio import dumps_pretty

    credentials = [_credential(path) for path in files]
    holder = _load_holder(key_file)
    presentation = holder.present(
        credentials,
        challenge=challenge,
        domain=domain,
        format="jwt" if fmt == "jwt" else "di",
        valid_for=timedelta(hours=valid_hours),
        now=at,
    )
    text = presentation + "\n" if isinstance(presentation, str) else dumps_pretty(presentation)
    write_output(text, output)
    if output is not None:
        click.echo(
            f"wrote a presentation of {len(credentials)} credential(s) to {output}", err=True
        )
        click.echo(f"  holder DID    {holder.did}", err=True)
