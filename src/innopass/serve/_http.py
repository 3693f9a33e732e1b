"""HTTP plumbing of the service: problem responses, body and rate limits, the access log.

Every error is an RFC 9457 ``application/problem+json`` document whose ``code`` is
innopass's stable error or failure code (the same codes the library and the
command line report), with ``errors`` listing each problem and its JSON pointer.

The middlewares are plain ASGI, outermost first: the access log (one line per
request: client, method, path without its query, status, bytes, milliseconds and
the *id* of the token used; never a header, a body or a token), the rate limits
(per client address and worker: all requests, and the writes that sign or change
status), and the request-size limit (``Content-Length`` over the limit is refused
before the body is read; a body that grows past it while streaming is refused as
soon as it does).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "PROBLEM_TYPE_BASE",
    "AccessLog",
    "BodyLimit",
    "Problem",
    "RateLimit",
    "problem_response",
]

PROBLEM_TYPE_BASE: Final = "https://w3id.org/innopass/problems/"
PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
ACCESS_LOGGER: Final = "innopass.access"

_TITLES: Final = {
    400: "Bad request",
    401: "Unauthorised",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Could not be decided",
    429: "Too many requests",
    500: "Internal error",
    503: "Unavailable",
}


class Problem(Exception):
    """An error a handler answers with: HTTP status, innopass code, a detail for a person."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: Iterable[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = [dict(e) for e in errors]
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self) -> dict[str, Any]:
        return {
            "type": PROBLEM_TYPE_BASE + self.code,
            "title": _TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            "errors": self.errors or [{"code": self.code, "message": self.detail, "path": ""}],
            **self.extra,
        }

    def response(self) -> JSONResponse:
        return problem_response(self)


def problem_response(problem: Problem) -> JSONResponse:
    return JSONResponse(
        problem.body(),
        status_code=problem.status,
        headers=problem.headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


async def _send_problem(send: Send, problem: Problem) -> None:
    body = json.dumps(problem.body()).encode("utf-8")
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in problem.headers.items()),
    ]
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413 (``limit-exceeded``)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _problem(self) -> Problem:
        return Problem(
            413,
            "limit-exceeded",
            f"the request body is over the limit of {self.max_bytes} bytes",
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _send_problem(
                        send, Problem(400, "malformed", "Content-Length is not a number")
                    )
                    return
                if declared > self.max_bytes:
                    await _send_problem(send, self._problem())
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _send_problem(send, self._problem())


class RateLimit:
    """Per client address (and worker): ``rate`` for every request, ``write_rate`` for the
    requests ``is_write`` names; over either, 429 with ``Retry-After``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        rate: str,
        write_rate: str,
        is_write: Callable[[str, str], bool],
    ) -> None:
        self.app = app
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._all = parse_many(rate)
        self._writes = parse_many(write_rate)
        self._is_write = is_write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else "unknown"
        limits = list(self._all)
        if self._is_write(scope["method"], scope["path"]):
            limits += self._writes
        for index, item in enumerate(limits):
            if not self._limiter.hit(item, "innopass", key, str(index)):
                reset, _ = self._limiter.get_window_stats(item, "innopass", key, str(index))
                wait = max(1, int(reset - time.time()) + 1)
                await _send_problem(
                    send,
                    Problem(
                        429,
                        "rate-limited",
                        f"more than {item} from this address; try again in {wait} s",
                        headers={"Retry-After": str(wait)},
                    ),
                )
                return
        await self.app(scope, receive, send)


class AccessLog:
    """One line per request on the ``innopass.access`` logger, without secrets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 0
        sent = 0
        state: dict[str, Any] = scope.setdefault("state", {})

        async def logging_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, logging_send)
        finally:
            client = scope.get("client")
            self.log.info(
                '%s "%s %s" %d %d %.1fms token=%s',
                client[0] if client else "-",
                scope["method"],
                scope["path"],  # the path only: never the query string
                status,
                sent,
                (time.perf_counter() - began) * 1000,
                state.get("token_id", "-"),
            )
