"""The network, as an injected capability (the only module that imports ``requests``).

Code that may fetch (did:web resolution, status lists) takes a :class:`Fetcher`.
:class:`OfflineFetcher` refuses every request; :class:`RequestsFetcher` fetches
over HTTPS only, and only from the public internet:

- a URL naming an IP address (in any spelling), ``localhost`` or a port other
  than 443 is refused before anything is resolved;
- the name is resolved once, and refused if any address it resolves to is not
  a global unicast address (loopback, private, link-local, shared, reserved,
  multicast, unspecified, or an IPv4 address mapped into IPv6 that is one of
  those); the connection is made to the address that was checked, so a DNS
  answer cannot change between the check and the connection;
- a fetch has one deadline for everything (resolution, connection, TLS, headers
  and body): when it passes, the connection is shut down, so a server that
  trickles bytes cannot hold a fetch past it;
- the body is capped, redirects are followed only within the same origin (at
  most three), and no proxy, ``.netrc`` or other environment setting is used.

``allow_hosts`` (host names or addresses allowed whatever they resolve to, on any
port) and ``allow_ports`` relax this for a deliberate set-up; tests on 127.0.0.1
use ``allow_loopback_http``.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, Protocol
from urllib.parse import urljoin, urlsplit

from innopass.errors import ConfigurationError, NetworkError

if TYPE_CHECKING:  # pragma: no cover - imported where it is used, so offline runs never load it
    import requests

__all__ = ["DEFAULT_MAX_BYTES", "Fetcher", "OfflineFetcher", "RequestsFetcher"]

#: Default response size cap (4 MiB).
DEFAULT_MAX_BYTES: Final = 4 * 1024 * 1024
_MAX_REDIRECTS: Final = 3
_REDIRECT_CODES: Final = frozenset({301, 302, 303, 307, 308})
_LOOPBACK_NAMES: Final = frozenset({"localhost", "localhost.localdomain"})
_CHUNK: Final = 16 * 1024
# A host whose last label is a number (decimal, octal or hex) is an IPv4 address in one
# of inet_aton's spellings ("2130706433", "127.1", "0x7f.0.0.1"): never a DNS name.
_NUMERIC_LABEL: Final = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)", re.IGNORECASE)


class Fetcher(Protocol):
    """Fetches the body of a URL, or raises :class:`NetworkError`.

    ``timeout`` (seconds, for the whole fetch) is given by the verifier from its
    limits and what is left of its run's budget; a fetcher must not take longer.
    """

    def fetch(
        self,
        url: str,
        *,
        max_bytes: int,
        accept: str = "application/json",
        timeout: float | None = None,
    ) -> bytes:
        """The response body (at most ``max_bytes``)."""
        ...


class OfflineFetcher:
    """A fetcher that refuses every request: the default for offline verification."""

    __slots__ = ()

    def fetch(
        self,
        url: str,
        *,
        max_bytes: int,
        accept: str = "application/json",
        timeout: float | None = None,
    ) -> bytes:
        """Always raises :class:`NetworkError`."""
        raise NetworkError(url, f"offline: not fetching {url}")


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.partition("%")[0])
    except ValueError:
        return None


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A global unicast address (an IPv4-mapped or 6to4/Teredo form judged by its IPv4)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return _is_public(embedded)
        if address.teredo is not None:
            return False
    return address.is_global and not address.is_multicast


def _is_loopback(host: str) -> bool:
    address = _ip(host)
    return host in _LOOPBACK_NAMES if address is None else address.is_loopback


class _Guard:
    """One fetch: its deadline, the sockets it opened, and which addresses it may reach."""

    __slots__ = ("_lock", "_sockets", "_timer", "allow_any_address", "deadline", "expired", "url")

    def __init__(self, url: str, timeout: float, *, allow_any_address: bool) -> None:
        self.url = url
        self.deadline = time.monotonic() + timeout
        self.allow_any_address = allow_any_address
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(timeout, self.expire)
        self._timer.daemon = True

    def __enter__(self) -> _Guard:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0 or self.expired:
            raise NetworkError(self.url, f"fetching {self.url} took longer than its deadline")
        return left

    def expire(self) -> None:
        """Shut every socket of the fetch down: a blocked read returns at once."""
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _register(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                sock.close()

    def _resolve(self, host: str, port: int) -> list[Any]:
        """``getaddrinfo`` within the deadline (resolution has no timeout of its own)."""
        found: list[Any] = []
        failure: list[OSError] = []

        def run() -> None:
            try:
                found.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
            except OSError as exc:
                failure.append(exc)

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        worker.join(self.remaining())
        if worker.is_alive():
            raise NetworkError(self.url, f"resolving {host} took longer than the deadline")
        if failure or not found:
            raise NetworkError(self.url, f"cannot resolve {host}")
        return found

    def connect(self, host: str, port: int) -> socket.socket:
        """A socket connected to an address of ``host`` that may be reached."""
        infos = self._resolve(host, port)
        if not self.allow_any_address:
            for info in infos:
                address = _ip(str(info[4][0]))
                if address is None or not _is_public(address):
                    raise NetworkError(
                        self.url, f"{host} resolves to {info[4][0]}, which is not public: refused"
                    )
        last: OSError | None = None
        for family, kind, proto, _, address in infos:
            sock = socket.socket(family, kind, proto)
            self._register(sock)
            try:
                sock.settimeout(self.remaining())
                sock.connect(address)
            except OSError as exc:
                sock.close()
                last = exc
                continue
            return sock
        raise NetworkError(self.url, f"cannot connect to {host}: {last}")


_GUARD: contextvars.ContextVar[_Guard | None] = contextvars.ContextVar("innopass_fetch_guard")


def _session() -> requests.Session:
    """A session whose connections go through the current fetch's guard (and no proxy)."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    def guarded(base: type[HTTPConnection]) -> type[HTTPConnection]:
        class Guarded(base):  # type: ignore[valid-type,misc]
            def _new_conn(self) -> socket.socket:
                guard = _GUARD.get(None)
                if guard is None:  # pragma: no cover - every fetch sets one
                    raise NetworkError(str(self.host), "no fetch guard in force")
                return guard.connect(self._dns_host, int(self.port))

        return Guarded

    class HttpPool(HTTPConnectionPool):
        ConnectionCls = guarded(HTTPConnection)

    class HttpsPool(HTTPSConnectionPool):
        ConnectionCls = guarded(HTTPSConnection)  # type: ignore[assignment]

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": HttpPool, "https": HttpsPool}

    session = requests.Session()
    session.trust_env = False  # no proxy, no .netrc, no CA bundle from the environment
    adapter = Adapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class RequestsFetcher:
    """HTTPS fetcher over ``requests`` for the public internet only (see the module docstring).

    ``timeout`` bounds each fetch in all (the verifier may give a smaller one);
    ``verify`` is passed to requests (``True``, or a CA bundle path);
    ``allow_hosts`` are host names or addresses fetched from whatever they
    resolve to, on any port; ``allow_ports`` the ports allowed for other hosts
    (443 only by default). ``allow_loopback_http=True`` (for tests) allows
    loopback hosts on any port, over ``http`` too.
    """

    __slots__ = (
        "_allow_hosts",
        "_allow_loopback_http",
        "_allow_ports",
        "_max_bytes",
        "_timeout",
        "_verify",
    )

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        verify: bool | str = True,
        allow_loopback_http: bool = False,
        allow_hosts: Iterable[str] = (),
        allow_ports: Iterable[int] = (443,),
    ) -> None:
        if timeout <= 0 or max_bytes <= 0:
            raise ConfigurationError("timeout and max_bytes must be positive")
        ports = frozenset(allow_ports)
        if any(not 0 < p < 65536 for p in ports):
            raise ConfigurationError("allowed ports must be 1-65535")
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._verify = verify
        self._allow_loopback_http = allow_loopback_http
        self._allow_hosts = frozenset(h.lower().rstrip(".") for h in allow_hosts)
        self._allow_ports = ports

    def _allowed_anywhere(self, host: str) -> bool:
        return host in self._allow_hosts or (self._allow_loopback_http and _is_loopback(host))

    def _check_url(self, url: str, original: str) -> tuple[str, str, int | None]:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise NetworkError(original, f"invalid URL {url!r}: {exc}") from exc
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise NetworkError(original, f"URL has no host: {url!r}")
        if parts.username is not None or parts.password is not None:
            raise NetworkError(original, "URLs with credentials are refused")
        anywhere = self._allowed_anywhere(host)
        if parts.scheme == "http" and not (self._allow_loopback_http and _is_loopback(host)):
            raise NetworkError(original, f"only https URLs are fetched, not {url!r}")
        if parts.scheme not in ("http", "https"):
            raise NetworkError(original, f"only https URLs are fetched, not {url!r}")
        if not anywhere:
            if _ip(host) is not None or _NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
                raise NetworkError(original, f"URLs naming an IP address are refused: {url!r}")
            if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
                raise NetworkError(original, f"loopback hosts are refused: {url!r}")
            if (port or 443) not in self._allow_ports:
                raise NetworkError(original, f"port {port} is not allowed: {url!r}")
        return parts.scheme, host, port

    def fetch(
        self,
        url: str,
        *,
        max_bytes: int,
        accept: str = "application/json",
        timeout: float | None = None,
    ) -> bytes:
        """GET ``url`` and return the body; :class:`NetworkError` on any failure.

        The smaller of ``max_bytes`` and the fetcher's own cap applies, and the
        smaller of ``timeout`` and the fetcher's own, for the whole fetch.
        """
        limit = min(max_bytes, self._max_bytes)
        budget = self._timeout if timeout is None else min(timeout, self._timeout)
        if budget <= 0:
            raise NetworkError(url, f"no time left to fetch {url}")
        origin = self._check_url(url, url)
        import requests

        guard = _Guard(url, budget, allow_any_address=self._allowed_anywhere(origin[1]))
        token = _GUARD.set(guard)
        try:
            with guard, _session() as session:
                return self._get(session, guard, url, origin, limit, accept)
        except requests.RequestException as exc:
            if guard.expired:
                raise NetworkError(url, f"fetching {url} took longer than its deadline") from exc
            raise NetworkError(url, f"cannot fetch {url}: {type(exc).__name__}") from exc
        finally:
            _GUARD.reset(token)

    def _get(
        self,
        session: requests.Session,
        guard: _Guard,
        url: str,
        origin: tuple[str, str, int | None],
        limit: int,
        accept: str,
    ) -> bytes:
        current = url
        for _ in range(_MAX_REDIRECTS + 1):
            left = guard.remaining()
            with session.get(
                current,
                headers={"Accept": accept, "Accept-Encoding": "identity"},
                timeout=(left, left),
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
                        raise NetworkError(url, f"redirect to another origin refused: {current}")
                    continue
                if response.status_code != 200:
                    raise NetworkError(url, f"HTTP {response.status_code} from {current}")
                return _read_capped(response, limit, url, guard)
        raise NetworkError(url, f"more than {_MAX_REDIRECTS} redirects")


def _read_capped(response: requests.Response, limit: int, url: str, guard: _Guard) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise NetworkError(url, f"response is {declared} bytes, over the limit of {limit}")
    body = bytearray()
    for chunk in response.iter_content(chunk_size=min(_CHUNK, limit + 1)):
        body += chunk
        if len(body) > limit:
            raise NetworkError(url, f"response is over the limit of {limit} bytes")
        guard.remaining()
    guard.remaining()  # a body cut short by the deadline is not a body
    return bytes(body)
