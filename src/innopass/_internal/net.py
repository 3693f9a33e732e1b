"""The network, as an injected capability (the only module that imports ``requests``).

Code that may fetch (did:web resolution, status lists) takes a :class:`Fetcher`.
:class:`OfflineFetcher` refuses every request; :class:`RequestsFetcher` fetches
over HTTPS only, with a timeout, a response size cap, and redirects followed only
within the same origin (at most three).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Protocol
from urllib.parse import urljoin, urlsplit

from innopass.errors import ConfigurationError, NetworkError

if TYPE_CHECKING:  # pragma: no cover - imported where it is used, so offline runs never load it
    import requests

__all__ = ["DEFAULT_MAX_BYTES", "Fetcher", "OfflineFetcher", "RequestsFetcher"]

#: Default response size cap (4 MiB).
DEFAULT_MAX_BYTES: Final = 4 * 1024 * 1024
_MAX_REDIRECTS: Final = 3
_REDIRECT_CODES: Final = frozenset({301, 302, 303, 307, 308})
_LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1"})
_CHUNK: Final = 64 * 1024


class Fetcher(Protocol):
    """Fetches the body of a URL, or raises :class:`NetworkError`."""

    def fetch(self, url: str, *, max_bytes: int, accept: str = "application/json") -> bytes:
        """The response body (at most ``max_bytes``)."""
        ...


class OfflineFetcher:
    """A fetcher that refuses every request: the default for offline verification."""

    __slots__ = ()

    def fetch(self, url: str, *, max_bytes: int, accept: str = "application/json") -> bytes:
        """Always raises :class:`NetworkError`."""
        raise NetworkError(url, f"offline: not fetching {url}")


class RequestsFetcher:
    """HTTPS fetcher over ``requests``: timeouts, a size cap, same-origin redirects only.

    ``verify`` is passed to requests (``True``, or a CA bundle path). Plain
    ``http`` is allowed only for loopback hosts and only with
    ``allow_loopback_http=True`` (for tests).
    """

    __slots__ = ("_allow_loopback_http", "_max_bytes", "_timeout", "_verify")

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        verify: bool | str = True,
        allow_loopback_http: bool = False,
    ) -> None:
        if timeout <= 0 or max_bytes <= 0:
            raise ConfigurationError("timeout and max_bytes must be positive")
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._verify = verify
        self._allow_loopback_http = allow_loopback_http

    def _check_url(self, url: str, original: str) -> tuple[str, str, int | None]:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise NetworkError(original, f"invalid URL {url!r}: {exc}") from exc
        host = parts.hostname or ""
        if not host:
            raise NetworkError(original, f"URL has no host: {url!r}")
        if parts.username is not None or parts.password is not None:
            raise NetworkError(original, "URLs with credentials are refused")
        if parts.scheme == "https":
            return parts.scheme, host, port
        if parts.scheme == "http" and self._allow_loopback_http and host in _LOOPBACK_HOSTS:
            return parts.scheme, host, port
        raise NetworkError(original, f"only https URLs are fetched, not {url!r}")

    def fetch(self, url: str, *, max_bytes: int, accept: str = "application/json") -> bytes:
        """GET ``url`` and return the body; :class:`NetworkError` on any failure.

        The smaller of ``max_bytes`` and the fetcher's own cap applies.
        """
        limit = min(max_bytes, self._max_bytes)
        origin = self._check_url(url, url)
        current = url
        import requests

        with requests.Session() as session:
            for _ in range(_MAX_REDIRECTS + 1):
                try:
                    with session.get(
                        current,
                        headers={"Accept": accept, "Accept-Encoding": "identity"},
                        timeout=self._timeout,
                        verify=self._verify,
                        stream=True,
                        allow_redirects=False,
                    ) as response:
                        if response.status_code in _REDIRECT_CODES:
                            location = response.headers.get("Location")
                            if not location:
                                raise NetworkError(url, "redirect without a Location header")
                            current = urljoin(current, location)
                            if self._check_url(current, url) != origin:
                                raise NetworkError(
                                    url, f"redirect to another origin refused: {current}"
                                )
                            continue
                        if response.status_code != 200:
                            raise NetworkError(url, f"HTTP {response.status_code} from {current}")
                        return _read_capped(response, limit, url)
                except requests.RequestException as exc:
                    raise NetworkError(
                        url, f"cannot fetch {current}: {type(exc).__name__}"
                    ) from exc
        raise NetworkError(url, f"more than {_MAX_REDIRECTS} redirects")


def _read_capped(response: requests.Response, limit: int, url: str) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise NetworkError(url, f"response is {declared} bytes, over the limit of {limit}")
    body = bytearray()
    for chunk in response.iter_content(chunk_size=min(_CHUNK, limit + 1)):
        body += chunk
        if len(body) > limit:
            raise NetworkError(url, f"response is over the limit of {limit} bytes")
    return bytes(body)
