"""``innopass serve``: the organisation's HTTP service, and ``innopass serve token`` for its tokens.

The web stack (Starlette, uvicorn, gunicorn: the ``serve`` extra) is imported only
when the service starts, so no other command loads it. The key passphrase comes
from ``INNOPASS_PASSPHRASE`` or ``--passphrase-fd N`` (never an option's value),
and is removed from the environment before the workers start.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from innopass.cli._common import PASSPHRASE_ENV, fail, home_option, read_passphrase, resolve_home

__all__ = ["serve_group"]

_EXTRA_HINT = "innopass serve needs the serve extra: pip install 'innopass[serve]'"


def _read_fd(fd: int) -> str:
    """The passphrase from file descriptor ``fd``: its first line, without the newline."""
    try:
        with os.fdopen(fd, "rb", closefd=True) as stream:
            data = stream.read(64 * 1024)
    except OSError as exc:
        fail(f"cannot read the passphrase from file descriptor {fd}: {exc.strerror or exc}")
    line = data.split(b"\n", 1)[0].removesuffix(b"\r")
    if not line:
        fail(f"file descriptor {fd} gave an empty passphrase")
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        fail(f"the passphrase from file descriptor {fd} is not UTF-8 text")


@click.group(
    "serve",
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@home_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port, printed when listening).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes (they share the ledger safely).",
)
@click.option(
    "--cert",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="TLS certificate chain (PEM); with --key, serve HTTPS.",
)
@click.option(
    "--key",
    "key_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="TLS private key (PEM, unencrypted) for --cert.",
)
@click.option(
    "--passphrase-fd",
    type=click.IntRange(0),
    help=f"Read the key passphrase from this file descriptor (else ${PASSPHRASE_ENV}).",
)
@click.option(
    "--graceful-timeout",
    type=click.IntRange(1, 3600),
    default=30,
    show_default=True,
    help="Seconds in-flight requests may take to finish when the service is stopped.",
)
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    help="Reverse proxies whose X-Forwarded-For/-Proto headers are trusted (comma-separated).",
)
@click.pass_context
def serve_group(
    ctx: click.Context,
    home: Path | None,
    host: str,
    port: int,
    workers: int,
    cert: Path | None,
    key_file: Path | None,
    passphrase_fd: int | None,
    graceful_timeout: int,
    forwarded_allow_ips: str,
) -> None:
    """Run the organisation's HTTP service (VC-API, did:web document, status lists).

    POST /credentials/issue and /credentials/status need a bearer token (see
    `innopass serve token create`); /credentials/verify, the status lists, the
    did:web document, /organisation, /health and /openapi.json are public. Stop
    it with SIGTERM or Ctrl-C: requests in flight are answered first. See
    docs/SERVE.md.

    \b
    Examples:
      INNOPASS_PASSPHRASE=... innopass serve --home rf4 --port 8000
      innopass serve --home rf4 --workers 4 --cert chain.pem --key key.pem --port 8443
      innopass serve --home rf4 --passphrase-fd 3 3<passphrase.txt
    """
    if ctx.invoked_subcommand is not None:
        return
    if (cert is None) != (key_file is None):
        fail("give both --cert and --key for HTTPS, or neither (behind a TLS proxy)")
    if sys.platform == "win32":
        fail("innopass serve runs on Linux or macOS (gunicorn); on Windows use WSL")
    try:
        from innopass.serve._app import create_app
        from innopass.serve._server import ServerOptions, run
        from innopass.serve._service import open_organisation
    except ImportError as exc:
        fail(f"{_EXTRA_HINT} ({exc.name} is missing)")
    from innopass.issuer import OrganisationHome

    organisation_home = OrganisationHome.open(resolve_home(home))
    passphrase = _read_fd(passphrase_fd) if passphrase_fd is not None else read_passphrase()
    os.environ.pop(PASSPHRASE_ENV, None)  # the workers need the key, not the passphrase
    opened = open_organisation(organisation_home, passphrase)
    del passphrase
    if not opened.tokens.has_active():
        click.echo(
            "innopass serve: no active token: issuing and status changes are refused until "
            "one is created (innopass serve token create NAME)",
            err=True,
        )
    options = ServerOptions(
        host=host,
        port=port,
        workers=workers,
        certfile=cert,
        keyfile=key_file,
        graceful_timeout=graceful_timeout,
        forwarded_allow_ips=forwarded_allow_ips,
    )
    run(
        create_app(opened),
        options,
        announce=f"{opened.description.ods_code} ({opened.description.did}) listening",
    )


@serve_group.group("token")
def token_group() -> None:
    """Bearer tokens for the issuing and status endpoints (stored hashed, shown once).

    \b
    Examples:
      innopass serve token create medtech-compass --home rf4
      innopass serve token list --home rf4
      innopass serve token revoke 02d61ac54d72e2a2 --home rf4
    """


@token_group.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["issue", "status"]),
    help="What the token may do (repeatable; default: both).",
)
@home_option
def token_create(name: str, scopes: tuple[str, ...], home: Path | None) -> None:
    """Create a token NAME and print it once (it is stored only as a SHA-256 digest).

    \b
    Examples:
      innopass serve token create medtech-compass --home rf4
      innopass serve token create status-desk --scope status --home rf4
    """
    from innopass.issuer import OrganisationHome
    from innopass.serve._tokens import TokenStore

    organisation_home = OrganisationHome.open(resolve_home(home))
    with organisation_home.open_ledger() as ledger:
        store = TokenStore(organisation_home.path, ledger=ledger)
        info, token = store.create(name, scopes or ("issue", "status"))
    click.echo(
        f"created token {info.id} ({info.name}; scopes: {', '.join(sorted(info.scopes))}); "
        "it is shown only now:",
        err=True,
    )
    click.echo(token)


@token_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per token, per line.")
@home_option
def token_list(as_json: bool, home: Path | None) -> None:
    """List the tokens (ids, names, scopes, dates; never the tokens).

    \b
    Examples:
      innopass serve token list --home rf4
      innopass serve token list --json --home rf4
    """
    from innopass.issuer import OrganisationHome
    from innopass.serve._tokens import TokenStore

    store = TokenStore(OrganisationHome.open(resolve_home(home)).path)
    for info in store.tokens():
        entry = info.to_json()
        if as_json:
            entry.pop("sha256")
            click.echo(json.dumps(entry, separators=(",", ":")))
            continue
        state = "active" if info.active else f"revoked {entry['revoked']}"
        click.echo(
            f"{info.id}  {info.name}  [{', '.join(sorted(info.scopes))}]  "
            f"created {entry['created']}  {state}"
        )


@token_group.command("revoke")
@click.argument("token_id", metavar="ID")
@home_option
def token_revoke(token_id: str, home: Path | None) -> None:
    """Revoke the token ID (final; a running service refuses it at the next request).

    \b
    Examples:
      innopass serve token revoke 02d61ac54d72e2a2 --home rf4
    """
    from innopass.issuer import OrganisationHome
    from innopass.serve._tokens import TokenStore

    organisation_home = OrganisationHome.open(resolve_home(home))
    with organisation_home.open_ledger() as ledger:
        info = TokenStore(organisation_home.path, ledger=ledger).revoke(token_id)
    click.echo(f"token {info.id} ({info.name}) is revoked")
