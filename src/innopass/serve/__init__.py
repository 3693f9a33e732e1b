"""The organisation's HTTP service (``innopass serve``): VC-API, public files, tokens.

Needs the ``serve`` extra (``pip install 'innopass[serve]'``: Starlette, uvicorn,
gunicorn). :class:`TokenStore` and :class:`ServiceConfig` need none of it, so the
command line manages tokens without loading the web stack; :func:`create_app`
and :func:`open_organisation` load it when first used. docs/SERVE.md describes
the endpoints, the security model and how to deploy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from innopass.serve._tokens import Scope, TokenInfo, TokenStore

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass.serve._app import create_app
    from innopass.serve._config import ServiceConfig
    from innopass.serve._service import Opened, open_organisation

__all__ = [
    "Opened",
    "Scope",
    "ServiceConfig",
    "TokenInfo",
    "TokenStore",
    "create_app",
    "open_organisation",
]

_LAZY = {
    "create_app": "innopass.serve._app",
    "ServiceConfig": "innopass.serve._config",
    "Opened": "innopass.serve._service",
    "open_organisation": "innopass.serve._service",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'innopass.serve' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
