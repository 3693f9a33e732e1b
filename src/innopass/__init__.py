"""innopass: NHS innovator passports as W3C Verifiable Credentials, verified offline.

One canonical assessment record, signed once by the assessing NHS organisation,
verified by any other trust from files it holds.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from innopass.errors import InnopassError

try:
    __version__ = version("innopass")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["InnopassError", "__version__"]
