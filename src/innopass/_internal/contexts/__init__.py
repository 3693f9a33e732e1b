"""Bundled JSON-LD ``@context`` documents, pinned by SHA-256 and never fetched.

innopass secures credentials with the JCS cryptosuites and VC-JOSE, so it needs no
JSON-LD processor; it still ships every context its documents name, so that a
JSON-LD consumer can be served them offline, and it checks their bytes against the
pinned digests when loaded. Verification uses type-specific processing (VC DM 2.0
§6.3): a passport's ``@context`` must be exactly :data:`PASSPORT_CONTEXT`.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

from innopass.errors import ConfigurationError, MalformedInputError

__all__ = [
    "CREDENTIALS_V2",
    "INNOPASS_V1",
    "PASSPORT_CONTEXT",
    "PINNED",
    "context_bytes",
    "load_context",
]

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
INNOPASS_V1 = "https://w3id.org/innopass/v1"

#: The ``@context`` every innopass credential carries, in this order.
PASSPORT_CONTEXT: tuple[str, ...] = (CREDENTIALS_V2, INNOPASS_V1)

#: URL → (file name in this package, SHA-256 of its bytes).
PINNED: dict[str, tuple[str, str]] = {
    CREDENTIALS_V2: (
        "credentials-v2.jsonld",
        "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    ),
    INNOPASS_V1: (
        "innopass-v1.jsonld",
        "32891bb7e59533208e745b263ab7bbc29d8818bf545f93d96b649092226104fe",
    ),
}


@cache
def context_bytes(url: str) -> bytes:
    """The pinned bytes of a bundled context; refuses any URL not bundled."""
    try:
        name, digest = PINNED[url]
    except KeyError:
        raise MalformedInputError(
            f"context {url!r} is not bundled (contexts are never fetched)"
        ) from None
    data = resources.files(__name__).joinpath(name).read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise ConfigurationError(f"bundled context {name} does not match its pinned digest")
    return data


def load_context(url: str) -> str:
    """A bundled context as text, for an offline JSON-LD document loader."""
    return context_bytes(url).decode("utf-8")
