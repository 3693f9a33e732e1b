"""The service's routes: the VC-API, the organisation's public files, health and OpenAPI.

=========================================  ========  ==============================================
route                                      auth      what
=========================================  ========  ==============================================
``POST /credentials/issue``                issue     a passport from ``record``, or a ``credential``
``POST /credentials/verify``               none      verify a credential (``options.checks``)
``POST /credentials/status``               status    revoke, suspend or reinstate
``GET <status base path><purpose>/<n>``    none      a status list, signed fresh when it changed
``GET /.well-known/did.json``              none      the did:web document (at the DID's path)
``GET /organisation``                      none      the organisation's public description
``GET /passports/{id}``                    none      a passport it issued, for a person (HTML)
``GET /health``, ``GET /openapi.json``     none      liveness (the ledger is read); OpenAPI 3.1
=========================================  ========  ==============================================

Authenticated routes take ``Authorization: Bearer <token>`` (``innopass serve token
create``). Verification answers 200 when every requested check passed, 400
(``application/problem+json``) when one failed and 422 when one could not be
decided; the full innopass result is in ``result`` either way.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable
from importlib import resources
from typing import Any, Final
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from innopass._internal.contexts import CREDENTIALS_V2
from innopass._internal.datamodel import ENVELOPED_CREDENTIAL_TYPE
from innopass._internal.jsonio import JSONObject, JSONValue, loads_strict
from innopass.did import did_method, did_web_to_url
from innopass.errors import (
    ConfigurationError,
    CredentialInvalidError,
    InnopassError,
    KeyMaterialError,
    LedgerError,
    MalformedInputError,
    PassportNotFoundError,
    RecordInvalidError,
    StatusChangeError,
)
from innopass.issuer import IssuedPassport, Issuer, PassportFormat, PassportKind, StatusAction
from innopass.serve._http import AccessLog, BodyLimit, Problem, RateLimit
from innopass.serve._service import Opened, WorkerState
from innopass.serve._tokens import Scope
from innopass.status import StatusPurpose
from innopass.verifier import CheckName, CheckStatus, VerificationResult

__all__ = ["create_app", "status_path"]

_CHECKS: Final = {
    "proof": CheckName.PROOF,
    "issuer": CheckName.ISSUER,
    "validity": CheckName.VALIDITY,
    "expiration": CheckName.VALIDITY,
    "status": CheckName.STATUS,
    "credentialStatus": CheckName.STATUS,
    "record": CheckName.RECORD,
}
_PUBLIC_CACHE: Final = {"Cache-Control": "public, max-age=60"}
_FORMATS: Final = {"di": PassportFormat.DI, "jwt": PassportFormat.JWT}


def status_path(base: str) -> str:
    """Where the service serves status lists: the base URL's path, or ``/status/`` for a URN."""
    if base.startswith("https://"):
        path = urlsplit(base).path or "/"
        return path if path.endswith("/") else path + "/"
    return "/status/"


def did_document_path(did: str) -> str | None:
    """The path of a did:web DID's document (``/.well-known/did.json`` or ``/<path>/did.json``)."""
    if did_method(did) != "web":
        return None
    return urlsplit(did_web_to_url(did)).path


# --- request helpers ------------------------------------------------------------------------


async def _json_object(request: Request) -> JSONObject:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media and media != "application/json" and not media.endswith("+json"):
        raise Problem(415, "unsupported-media-type", "send the request body as application/json")
    try:
        value = loads_strict(await request.body())
    except MalformedInputError as exc:
        raise Problem(
            400, exc.code, f"the request body is not strict JSON: {exc.diagnostics()}"
        ) from exc
    if not isinstance(value, dict):
        raise Problem(400, "malformed", "the request body must be a JSON object")
    return value


def _options(body: JSONObject, allowed: set[str]) -> JSONObject:
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise Problem(400, "malformed", "options must be an object")
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise Problem(
            400,
            "unsupported-option",
            f"unsupported option(s) {unknown}; this endpoint takes {sorted(allowed)}",
        )
    return options


def _authorise(request: Request, scope: Scope) -> None:
    opened: Opened = request.app.state.opened
    header = request.headers.get("authorization", "")
    kind, _, presented = header.partition(" ")
    if kind.lower() != "bearer" or not presented.strip():
        raise Problem(
            401,
            "unauthorised",
            "this endpoint needs a bearer token (innopass serve token create)",
            headers={"WWW-Authenticate": 'Bearer realm="innopass"'},
        )
    token = opened.tokens.authenticate(presented.strip())
    if token is None:  # unknown or revoked: not said which
        raise Problem(
            401,
            "unauthorised",
            "the bearer token is not valid",
            headers={"WWW-Authenticate": 'Bearer realm="innopass", error="invalid_token"'},
        )
    request.scope.setdefault("state", {})["token_id"] = token.id
    if scope not in token.scopes:
        raise Problem(
            403,
            "forbidden",
            f"the token does not have the {scope} scope",
            headers={"WWW-Authenticate": 'Bearer realm="innopass", error="insufficient_scope"'},
        )


def _problem_for(exc: InnopassError) -> Problem:
    """An innopass error raised while serving a request, as the problem it answers with."""
    if isinstance(exc, CredentialInvalidError):
        return Problem(
            400,
            exc.code,
            exc.diagnostics(),
            errors=[
                {"code": str(p.failure), "message": p.message, "path": p.path} for p in exc.problems
            ],
        )
    if isinstance(exc, RecordInvalidError):
        return Problem(
            400,
            exc.code,
            exc.diagnostics(),
            errors=[{"code": exc.code, "message": p.message, "path": p.path} for p in exc.problems],
        )
    if isinstance(exc, PassportNotFoundError):
        return Problem(404, exc.code, exc.diagnostics())
    if isinstance(exc, StatusChangeError):
        return Problem(409, exc.code, exc.diagnostics())
    if isinstance(exc, MalformedInputError):
        return Problem(
            400,
            exc.code,
            exc.diagnostics(),
            errors=[{"code": exc.code, "message": exc.message, "path": exc.path}],
        )
    if isinstance(exc, KeyMaterialError):
        return Problem(503, exc.code, f"{exc.diagnostics()} (restart the service)")
    if isinstance(exc, LedgerError | ConfigurationError):
        return Problem(503, exc.code, exc.diagnostics())
    return Problem(500, exc.code, exc.diagnostics())


def _worker(request: Request) -> WorkerState:
    state: WorkerState = request.app.state.worker
    return state


def _enveloped(passport: IssuedPassport) -> JSONValue:
    """The issued credential as the VC-API returns it: as is, or a vc+jwt in an envelope."""
    if passport.token is None:
        return passport.credential
    return {
        "@context": [CREDENTIALS_V2],
        "id": f"data:application/vc+jwt,{passport.token}",
        "type": ENVELOPED_CREDENTIAL_TYPE,
    }


# --- the VC-API ---------------------------------------------------------------------------


async def issue(request: Request) -> Response:
    _authorise(request, Scope.ISSUE)
    body = await _json_object(request)
    options = _options(body, {"format"})
    chosen = options.get("format", "di")
    if not isinstance(chosen, str) or chosen not in _FORMATS:
        raise Problem(400, "unsupported-option", "options.format must be 'di' or 'jwt'")
    fmt = _FORMATS[chosen]
    unknown = sorted(set(body) - {"credential", "record", "options"})
    if unknown or ("credential" in body) == ("record" in body):
        raise Problem(
            400, "malformed", "give either a credential or an assessment record (and options)"
        )
    opened: Opened = request.app.state.opened
    config = opened.config
    work: Callable[[Issuer], IssuedPassport]
    if "record" in body:
        record = body["record"]
        if not isinstance(record, dict):
            raise Problem(400, "malformed", "record must be an object")

        def work(issuer: Issuer) -> IssuedPassport:
            return issuer.issue(record, format=fmt)

    else:
        credential = body["credential"]
        if not isinstance(credential, dict):
            raise Problem(400, "malformed", "credential must be an object")

        def work(issuer: Issuer) -> IssuedPassport:
            return issuer.issue_credential(
                credential,
                format=fmt,
                types=config.credential_types,
                valid_for=config.credential_validity,
            )

    try:
        passport = await _worker(request).ledger(work)
    except InnopassError as exc:
        raise _problem_for(exc) from exc
    return JSONResponse(
        {"verifiableCredential": _enveloped(passport)},
        status_code=201,
        headers={"Cache-Control": "no-store"},
    )


def _requested_checks(options: JSONObject) -> tuple[CheckName, ...]:
    value = options.get("checks")
    if value is None:
        return tuple(CheckName)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Problem(400, "unsupported-option", "options.checks must be a list of check names")
    unknown = sorted({v for v in value if isinstance(v, str)} - set(_CHECKS))
    if unknown:
        raise Problem(
            400, "unsupported-option", f"unknown check(s) {unknown}; known: {sorted(_CHECKS)}"
        )
    chosen = {CheckName.PARSE, *(_CHECKS[v] for v in value if isinstance(v, str))}
    return tuple(name for name in CheckName if name in chosen)


def _decide(result: VerificationResult, chosen: tuple[CheckName, ...]) -> tuple[int, bool]:
    """HTTP status and ``verified`` for the requested checks (``parse`` always among them).

    A requested check passes when it passed; the status check also when it was
    skipped because the credential (which parsed) carries no ``credentialStatus``.
    A failed check gives 400; only undecided ones, 422.
    """
    parsed = result.check(CheckName.PARSE).status is CheckStatus.PASS
    credential = result.credential or {}
    decided = []
    for name in chosen:
        check = result.check(name)
        passes = check.status is CheckStatus.PASS or (
            name is CheckName.STATUS
            and check.status is CheckStatus.SKIPPED
            and parsed
            and "credentialStatus" not in credential
        )
        decided.append((check, passes))
    if all(passes for _, passes in decided):
        return 200, True
    failed = any(c.status is CheckStatus.FAIL for c, passes in decided if not passes)
    return (400 if failed else 422), False


async def verify(request: Request) -> Response:
    body = await _json_object(request)
    options = _options(body, {"checks"})
    chosen = _requested_checks(options)
    unknown = sorted(set(body) - {"verifiableCredential", "options"})
    document = body.get("verifiableCredential")
    if unknown or not isinstance(document, dict | str):
        raise Problem(400, "malformed", "give verifiableCredential (an object or a compact JWS)")
    worker = _worker(request)
    try:
        lists = await worker.ledger(worker.all_status_lists)
    except InnopassError as exc:
        raise _problem_for(exc) from exc
    result = await run_in_threadpool(worker.verify, document, lists)
    status, verified = _decide(result, chosen)
    names = [str(n) for n in chosen]
    in_scope = [f.to_json() for f in result.failures if f.check in chosen]
    outside = [
        c.to_json()
        for c in result.checks
        if c.name not in chosen and c.status is not CheckStatus.PASS
    ]
    if verified:
        return JSONResponse(
            {
                "verified": True,
                "checks": names,
                "warnings": outside,
                "errors": [],
                "result": result.to_json(),
            },
            headers={"Cache-Control": "no-store"},
        )
    first = in_scope[0] if in_scope else {"code": "malformed", "message": "not verified"}
    raise Problem(
        status,
        str(first["code"]),
        f"not verified ({', '.join(sorted({str(f['code']) for f in in_scope})) or result.verdict})",
        errors=in_scope,
        extra={"verified": False, "checks": names, "warnings": outside, "result": result.to_json()},
    )


def _text_option(options: JSONObject, name: str) -> str | None:
    value = options.get(name)
    if value is not None and (not isinstance(value, str) or not value):
        raise Problem(400, "unsupported-option", f"options.{name} must be a non-empty string")
    return value


async def verify_presentation(request: Request) -> Response:
    body = await _json_object(request)
    options = _options(body, {"checks", "challenge", "domain"})
    chosen = _requested_checks(options)
    challenge = _text_option(options, "challenge")
    domain = _text_option(options, "domain")
    unknown = sorted(set(body) - {"verifiablePresentation", "options"})
    document = body.get("verifiablePresentation")
    if unknown or not isinstance(document, dict | str):
        raise Problem(
            400, "malformed", "give verifiablePresentation (an object or a compact vp+jwt)"
        )
    worker = _worker(request)
    try:
        lists = await worker.ledger(worker.all_status_lists)
    except InnopassError as exc:
        raise _problem_for(exc) from exc
    result = await run_in_threadpool(worker.verify_presentation, document, lists, challenge, domain)
    # The presentation's own checks (parse, its holder's proof) always decide; the
    # requested checks decide for each credential it carries.
    own = [result.check(CheckName.PARSE), result.check(CheckName.PROOF)]
    own_ok = all(c.status is CheckStatus.PASS for c in own)
    decided = [_decide(credential, chosen) for credential in result.credentials]
    names = [str(n) for n in chosen]
    if own_ok and result.credentials and all(ok for _, ok in decided):
        return JSONResponse(
            {
                "verified": True,
                "checks": names,
                "warnings": [],
                "errors": [],
                "result": result.to_json(),
            },
            headers={"Cache-Control": "no-store"},
        )
    failures = [f.to_json() for f in result.failures]
    for index, credential in enumerate(result.credentials):
        failures += [
            {**f.to_json(), "credential": index} for f in credential.failures if f.check in chosen
        ]
    failed = any(c.status is CheckStatus.FAIL for c in own) or any(
        status == 400 for status, ok in decided if not ok
    )
    if not result.credentials and own_ok:
        failures.append(
            {"code": "malformed", "message": "the presentation carries no credential", "path": ""}
        )
        failed = True
    first = failures[0] if failures else {"code": "malformed"}
    raise Problem(
        400 if failed else 422,
        str(first["code"]),
        f"not verified ({', '.join(sorted({str(f['code']) for f in failures})) or result.verdict})",
        errors=failures,
        extra={"verified": False, "checks": names, "result": result.to_json()},
    )


_PURPOSE_ACTIONS: Final = {"revocation": StatusAction.REVOKE, "suspension": StatusAction.SUSPEND}


def _status_action(body: JSONObject) -> StatusAction:
    """``action`` (revoke, suspend, reinstate), or the VC-API's ``credentialStatus`` entries."""
    if "action" in body:
        try:
            return StatusAction(str(body["action"]))
        except ValueError:
            raise Problem(400, "malformed", "action must be revoke, suspend or reinstate") from None
    entries = body.get("credentialStatus")
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list) or len(entries) != 1 or not isinstance(entries[0], dict):
        raise Problem(
            400, "malformed", "give action, or one credentialStatus entry {statusPurpose, status}"
        )
    entry = entries[0]
    purpose = entry.get("statusPurpose")
    if entry.get("type", "BitstringStatusListEntry") != "BitstringStatusListEntry" or (
        purpose not in _PURPOSE_ACTIONS
    ):
        raise Problem(
            400, "malformed", "statusPurpose must be revocation or suspension (BitstringStatusList)"
        )
    setting = entry.get("status", True)
    if setting is True:
        return _PURPOSE_ACTIONS[str(purpose)]
    if setting is False and purpose == "suspension":
        return StatusAction.REINSTATE
    raise Problem(
        409, "status-change-refused", "a revocation cannot be cleared; revocation is final"
    )


async def change_status(request: Request) -> Response:
    _authorise(request, Scope.STATUS)
    body = await _json_object(request)
    unknown = sorted(set(body) - {"credentialId", "action", "credentialStatus"})
    credential_id = body.get("credentialId")
    if unknown or not isinstance(credential_id, str) or not credential_id:
        raise Problem(400, "malformed", "give credentialId and action (or credentialStatus)")
    action = _status_action(body)
    try:
        entry = await _worker(request).ledger(lambda i: i.change_status(credential_id, action))
    except InnopassError as exc:
        raise _problem_for(exc) from exc
    return JSONResponse(
        {
            "credentialId": entry.id,
            "action": str(action),
            "state": str(entry.state),
            "credentialStatus": list(entry.status),
        },
        headers={"Cache-Control": "no-store"},
    )


# --- public files -------------------------------------------------------------------------


async def status_list(request: Request) -> Response:
    try:
        purpose = StatusPurpose(request.path_params["purpose"])
    except ValueError:
        raise Problem(404, "not-found", "no such status list") from None
    number = int(request.path_params["number"])
    worker = _worker(request)

    def fetch(issuer: Issuer) -> JSONObject | None:
        held = {(info.purpose, info.list_number) for info in issuer.ledger.status_lists()}
        if (purpose, number) not in held:
            return None
        return worker.status_list(issuer, purpose, number)

    try:
        credential = await worker.ledger(fetch)
    except InnopassError as exc:
        raise _problem_for(exc) from exc
    if credential is None:
        raise Problem(404, "not-found", f"no {purpose} status list {number}")
    return JSONResponse(credential, headers=_PUBLIC_CACHE)


async def did_document(request: Request) -> Response:
    opened: Opened = request.app.state.opened
    return JSONResponse(opened.description.did_document.to_json(), headers=_PUBLIC_CACHE)


async def organisation(request: Request) -> Response:
    opened: Opened = request.app.state.opened
    return JSONResponse(opened.description.to_json(), headers=_PUBLIC_CACHE)


#: The passport page's own headers: nothing on it may load anything, or be framed.
_PAGE_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def passport_page(request: Request) -> Response:
    """A passport this organisation issued, verified now against its current status lists
    and shown for a person: the page ``innopass show --html`` writes (verdict first)."""
    from innopass._view.page import render_html
    from innopass._view.passport import build_view

    passport_id = str(request.path_params["passport_id"])
    worker = _worker(request)

    def fetch(issuer: Issuer) -> tuple[str, list[JSONObject]] | None:
        try:
            entry = issuer.passport(passport_id)
        except PassportNotFoundError:
            return None
        if entry.kind is not PassportKind.PASSPORT:
            return None  # adoption records and other credentials are not passports
        return entry.credential_text, worker.all_status_lists(issuer)

    try:
        found = await worker.ledger(fetch) if len(passport_id) <= 200 else None
    except InnopassError as exc:
        raise _problem_for(exc) from exc
    if found is None:
        raise Problem(404, "not-found", "no passport with this id was issued here")
    text, lists = found
    result = await run_in_threadpool(worker.verify, text, lists)
    view = build_view(result, passport_id, data=text.encode("utf-8"))
    return HTMLResponse(render_html(view), headers=_PAGE_HEADERS)


async def health(request: Request) -> Response:
    worker = _worker(request)
    try:
        lists = await worker.ledger(lambda i: len(i.ledger.status_lists()))
    except InnopassError as exc:
        raise _problem_for(exc) from exc
    description = request.app.state.opened.description
    return JSONResponse(
        {
            "status": "ok",
            "organisation": {
                "did": description.did,
                "odsCode": description.ods_code,
                "name": description.name,
            },
            "statusLists": lists,
        },
        headers={"Cache-Control": "no-store"},
    )


def _openapi_document() -> dict[str, Any]:
    text = resources.files("innopass.serve").joinpath("openapi.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


async def openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi, headers=_PUBLIC_CACHE)


# --- errors -------------------------------------------------------------------------------


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return exc.response()


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    headers = dict(exc.headers or {})
    return Problem(exc.status_code, code, str(exc.detail), headers=headers).response()


async def _on_error(request: Request, exc: Exception) -> Response:
    # Never a traceback to the client; the server log has it.
    return Problem(500, "internal-error", "the service failed; see its log").response()


# --- the application ----------------------------------------------------------------------


def _is_write(method: str, path: str) -> bool:
    return method == "POST" and path in ("/credentials/issue", "/credentials/status")


def create_app(
    opened: Opened, *, worker_state: Callable[[], WorkerState] | None = None
) -> Starlette:
    """The service for one opened organisation home.

    The ledger and the verifier are built when the application starts (in each
    worker, after the fork) and the ledger closed when it stops, after the
    requests in flight have been answered.
    """
    description = opened.description
    config = opened.config
    routes = [
        Route("/credentials/issue", issue, methods=["POST"]),
        Route("/credentials/verify", verify, methods=["POST"]),
        Route("/credentials/status", change_status, methods=["POST"]),
        Route("/presentations/verify", verify_presentation, methods=["POST"]),
        Route(
            status_path(description.status_list_base) + "{purpose}/{number:int}",
            status_list,
            methods=["GET"],
        ),
        Route("/organisation", organisation, methods=["GET"]),
        Route("/passports/{passport_id}", passport_page, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
    document_path = did_document_path(description.did)
    if document_path is not None:
        routes.append(Route(document_path, did_document, methods=["GET"]))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state = worker_state() if worker_state is not None else WorkerState(opened)
        app.state.worker = state
        try:
            yield
        finally:
            await run_in_threadpool(state.close)

    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(AccessLog),
            Middleware(
                RateLimit, rate=config.rate, write_rate=config.write_rate, is_write=_is_write
            ),
            Middleware(BodyLimit, max_bytes=config.max_request_bytes),
        ],
        exception_handlers={
            Problem: _on_problem,
            HTTPException: _on_http,
            Exception: _on_error,
        },
        lifespan=lifespan,
    )
    app.state.opened = opened
    app.state.openapi = _openapi_document()
    return app
