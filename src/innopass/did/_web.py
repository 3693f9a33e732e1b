"""did:web: DID ↔ HTTPS URL mapping, document generation, and resolution through a Fetcher.

Mapping (did:web method spec, "Read"): the method-specific id is a host name,
optionally ``%3A<port>``, then optional ``:``-separated path segments; ``:``
becomes ``/``, ``https://`` is prefixed, ``/.well-known`` is added only when
there is no path, and ``/did.json`` is appended.

innopass is stricter than the spec's prose where that removes ambiguity: the
host must be a lowercase DNS name (not an IP address), the port colon must be
spelled ``%3A``, the port is 1 to 65535 without leading zeros, and path segments
may contain only unreserved characters (letters, digits, ``.``, ``-``, ``_``),
never ``.`` or ``..`` and never percent-encodings. So one URL has exactly one DID
and no DID escapes its path.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from innopass._internal.jsonio import JsonLimits, JSONObject, JSONValue, loads_strict
from innopass.did._document import DidDocument, VerificationMethod
from innopass.errors import MalformedInputError, NetworkError, ResolutionError

if TYPE_CHECKING:  # the resolver only calls the injected fetcher; requests is never imported here
    from innopass._internal.net import Fetcher

__all__ = [
    "DEFAULT_MAX_DOCUMENT_BYTES",
    "DID_WEB_CONTEXT",
    "DidWebResolver",
    "did_web_document",
    "did_web_from_host",
    "did_web_to_url",
]

#: ``@context`` of generated did:web documents.
DID_WEB_CONTEXT: Final = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1")
_JWK_CONTEXT: Final = "https://w3id.org/security/jwk/v1"
_PREFIX: Final = "did:web:"
_MAX_DID: Final = 2048
_LABEL: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_SEGMENT: Final = re.compile(r"[A-Za-z0-9._-]+")
#: A port without leading zeros (so one URL has one DID); its range is checked separately.
_PORT: Final = re.compile(r"[1-9][0-9]{0,4}")
#: Default size cap for a fetched DID document (256 KiB).
DEFAULT_MAX_DOCUMENT_BYTES: Final = 256 * 1024


def _check_host(host: str) -> str | None:
    """Why ``host`` is not an acceptable did:web host name, or None."""
    if len(host) > 253:
        return "host name is too long"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return "IP addresses are not allowed in did:web"
    labels = host.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        return f"{host!r} is not a lowercase DNS host name"
    if labels[-1].isdigit():
        return f"{host!r} looks like an IP address"
    return None


def _check_segment(segment: str) -> str | None:
    if not segment:
        return "empty path segment"
    if segment in (".", ".."):
        return f"path segment {segment!r} is not allowed"
    if not _SEGMENT.fullmatch(segment):
        return f"path segment {segment!r} has characters other than letters, digits, . - _"
    return None


def did_web_to_url(did: str) -> str:
    """The HTTPS URL of a did:web's document; :class:`ResolutionError` for an invalid did:web."""
    if not did.startswith(_PREFIX) or len(did) > _MAX_DID:
        raise ResolutionError(did, "not a did:web")
    host_part, *path = did[len(_PREFIX) :].split(":")
    host, sep, port = host_part.partition("%3A")
    problem = _check_host(host)
    if problem is None and sep and not (_PORT.fullmatch(port) and 0 < int(port) < 65536):
        problem = f"invalid port {port!r}"
    if problem is None and "%" in host_part.replace("%3A", "", 1):
        problem = "only the port colon may be percent-encoded (as %3A)"
    for segment in path:
        problem = problem or _check_segment(segment)
    if problem is not None:
        raise ResolutionError(did, f"invalid did:web: {problem}")
    authority = f"{host}:{port}" if sep else host
    location = "/" + "/".join(path) if path else "/.well-known"
    return f"https://{authority}{location}/did.json"


def did_web_from_host(host_and_path: str) -> str:
    """The did:web for ``host[:port][/path…]``.

    ``nhs.example/orgs/RF4`` → ``did:web:nhs.example:orgs:RF4``;
    ``localhost:8443`` → ``did:web:localhost%3A8443``.

    Raises :class:`MalformedInputError` if the result would not be a valid did:web.
    """
    authority, _, path = host_and_path.partition("/")
    host, colon, port = authority.partition(":")
    segments = path.split("/") if path else []
    did = _PREFIX + host + (f"%3A{port}" if colon else "") + "".join(f":{s}" for s in segments)
    if "%" in host_and_path or any(":" in s for s in segments) or not host:
        raise MalformedInputError(f"cannot make a did:web from {host_and_path!r}")
    try:
        did_web_to_url(did)
    except ResolutionError as exc:
        raise MalformedInputError(f"cannot make a did:web from {host_and_path!r}: {exc}") from exc
    return did


def did_web_document(
    did: str,
    methods: Sequence[VerificationMethod],
    *,
    assertion: Sequence[str],
    authentication: Sequence[str] = (),
) -> DidDocument:
    """Build (and validate) a did:web document publishing ``methods``.

    ``assertion`` and ``authentication`` list method ids (absolute or ``#frag``).
    Keep retired keys in ``methods`` with ``revoked``/``expires`` set rather than
    removing them, so credentials they signed stay verifiable.
    Raises :class:`ResolutionError` if the document would be invalid.
    """
    did_web_to_url(did)
    context: list[JSONValue] = list(DID_WEB_CONTEXT)
    if any("publicKeyJwk" in m.to_json() for m in methods):
        context.append(_JWK_CONTEXT)
    raw: JSONObject = {
        "@context": context,
        "id": did,
        "verificationMethod": [m.to_json() for m in methods],
        "assertionMethod": [did + ref if ref.startswith("#") else ref for ref in assertion],
    }
    if authentication:
        raw["authentication"] = [did + r if r.startswith("#") else r for r in authentication]
    return DidDocument.from_json(raw, expected_id=did)


class DidWebResolver:
    """Resolves did:web DIDs by fetching ``did.json`` through the injected :class:`Fetcher`."""

    __slots__ = ("_fetcher", "_max_bytes")

    def __init__(self, fetcher: Fetcher, *, max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES) -> None:
        self._fetcher = fetcher
        self._max_bytes = max_bytes

    def resolve(self, did: str) -> DidDocument:
        """Fetch, strictly parse and validate the document; its ``id`` must equal ``did``."""
        url = did_web_to_url(did)
        try:
            body = self._fetcher.fetch(
                url, max_bytes=self._max_bytes, accept="application/did+json, application/json"
            )
        except NetworkError as exc:
            raise ResolutionError(did, f"cannot fetch {url}: {exc}") from exc
        try:
            document = loads_strict(body, limits=JsonLimits(max_bytes=self._max_bytes))
        except MalformedInputError as exc:
            raise ResolutionError(did, f"{url} is not a valid JSON document: {exc}") from exc
        return DidDocument.from_json(document, expected_id=did)
