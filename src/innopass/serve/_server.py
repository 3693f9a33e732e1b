"""Running the service: gunicorn's pre-fork process manager with uvicorn workers.

The application is built, and the organisation's key decrypted, in the manager
process; gunicorn then forks the workers, which inherit the decrypted key (the
passphrase is never passed on, not even in the environment) and each open their
own ledger connection when they start. ``SIGTERM`` (or ``SIGINT``) stops the
service gracefully: the listening socket closes, every request in flight is
answered (for up to ``graceful_timeout`` seconds), the ledgers are closed, and
the process exits 0. A worker that dies is replaced.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from gunicorn.app.base import BaseApplication
from starlette.applications import Starlette
from uvicorn_worker import UvicornWorker

__all__ = ["InnopassWorker", "ServerOptions", "run"]


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """How to listen and how many workers to run."""

    host: str = "127.0.0.1"
    port: int = 8443
    workers: int = 1
    certfile: Path | None = None
    keyfile: Path | None = None
    graceful_timeout: int = 30
    forwarded_allow_ips: str = "127.0.0.1"
    """Proxies whose ``X-Forwarded-For``/``-Proto`` are believed (comma-separated, or ``*``)."""

    @property
    def scheme(self) -> str:
        return "https" if self.certfile is not None else "http"


class InnopassWorker(UvicornWorker):
    """uvicorn in a gunicorn worker: no ``Server`` header, innopass's own access log."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        "loop": "asyncio",
        "http": "h11",
        "server_header": False,
        "access_log": False,
        "lifespan": "on",
    }


class _Application(BaseApplication):
    def __init__(self, app: Starlette, settings: dict[str, Any]) -> None:
        self._app = app
        self._settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._settings.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn 25+ would open a control socket under $HOME: not wanted here.
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Starlette:
        return self._app


def _configure_access_log() -> None:
    log = logging.getLogger("innopass.access")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            logging.Formatter("%(asctime)s [%(process)d] access %(message)s", "%Y-%m-%dT%H:%M:%S%z")
        )
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def run(app: Starlette, options: ServerOptions, *, announce: str) -> None:
    """Serve ``app`` until stopped; ``announce`` is printed with the address once listening."""
    _configure_access_log()

    def when_ready(server: Any) -> None:
        for listener in server.LISTENERS:
            host, port = listener.sock.getsockname()[:2]
            shown = f"[{host}]" if ":" in host else host
            print(
                f"innopass serve: {announce} on {options.scheme}://{shown}:{port} "
                f"({options.workers} worker{'s' if options.workers != 1 else ''})",
                file=sys.stderr,
                flush=True,
            )

    host = f"[{options.host}]" if ":" in options.host else options.host
    settings: dict[str, Any] = {
        "bind": [f"{host}:{options.port}"],
        "workers": options.workers,
        "worker_class": "innopass.serve._server.InnopassWorker",
        "preload_app": True,
        "graceful_timeout": options.graceful_timeout,
        "timeout": 60,
        "keepalive": 5,
        "forwarded_allow_ips": options.forwarded_allow_ips,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "innopass-serve",
        "when_ready": when_ready,
        "limit_request_line": 8190,
        "limit_request_fields": 100,
    }
    if options.certfile is not None and options.keyfile is not None:
        settings["certfile"] = str(options.certfile)
        settings["keyfile"] = str(options.keyfile)
    _Application(app, settings).run()
