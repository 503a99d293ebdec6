"""The verification app: routes, middleware, lifespan and error pages (SPEC §7).

``create_app(settings)`` builds one app over one registry, so tests can run several side by
side; ``certreg serve`` builds it from the environment and runs it under uvicorn. Handlers are
module-level functions (`verify_app.pages`, `verify_app.api`) that reach the `Verifier`, the
templates and the CSRF tokens through ``request.app.state``.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from registry.public.access_log import redact_access_log
from registry.store import RegistryMismatch
from verify_app import api, batch_page, forms, manual, pages, reports, watch_views, watches
from verify_app.body_limit import BodyLimitMiddleware
from verify_app.context import BadKey, wants_json
from verify_app.csrf import CsrfRejected, CsrfTokens
from verify_app.json_response import JSONResponse
from verify_app.links import path_for
from verify_app.openapi import openapi_document
from verify_app.presentation import page_fields, whole_dates
from verify_app.receipts import Clock
from verify_app.refusals import OverAllowance, RateLimited
from verify_app.report_tickets import tickets
from verify_app.security_headers import SecurityHeadersMiddleware, security_headers
from verify_app.service import Verifier
from verify_app.settings import Settings
from verify_app.uploads import UploadSlots

HERE = Path(__file__).parent

logger = logging.getLogger("certreg.verify")


HTTP_ERRORS = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    408: "timeout",
    413: "too_large",
    415: "unsupported_media_type",
}
"""The stable ``error`` code of the API's answer to a status Starlette raises on its own."""


def error_page(
    request: Request,
    status: int,
    code: str,
    title: str,
    message: str,
    details: dict[str, object] | None = None,
) -> Response:
    """A page titled ``title``, or — for the API and the feeds — JSON with the stable ``code``
    a program branches on and its ``details`` (`Error` in the OpenAPI document)."""
    if wants_json(request.url.path, request.method):
        body = {"error": code, "message": message, **(details or {})}
        return JSONResponse(body, status_code=status)
    template = f"{status}.html" if status in (404, 500) else "error.html"
    return forms.render(request, template, {"title": title, "message": message}, status)


async def not_found(request: Request, exc: Exception) -> Response:
    return error_page(
        request, 404, "not_found", "页面不存在", "您访问的地址不存在。请从首页开始查验。"
    )


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = exc.headers or {}
    message = str(exc.detail)
    if exc.status_code == 405 and wants_json(
        request.url.path, request.method
    ):  # Starlette's detail is English
        message = f"此地址不支持 {request.method} 请求（可用：{headers.get('Allow', '')}）。"
    elif exc.status_code == 405 and "GET" in headers.get("Allow", ""):  # PUT / by a tool
        message = f"这是可以直接打开的页面，不接受 {request.method} 请求。请在浏览器中打开此地址。"
    elif exc.status_code == 405:  # a form's address opened from the history or a bookmark
        message = (
            "这个地址只用来提交表单，不能直接打开（例如从浏览记录或书签打开）。请从首页开始查验。"
        )
    code = HTTP_ERRORS.get(exc.status_code, f"http_{exc.status_code}")
    response = error_page(request, exc.status_code, code, "请求无法处理", message)
    response.headers.update(headers)  # e.g. the Allow of a 405, which RFC 9110 requires
    return response


async def rate_limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimited)
    title = exc.title or "查验过于频繁"  # the batch form says its own (`batch_page.batch`)
    response = error_page(request, 429, "rate_limited", title, exc.message, exc.details())
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def over_allowance(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OverAllowance)
    title = exc.title or "超出查验额度"
    return error_page(request, 422, "too_many", title, exc.message, exc.details())


async def bad_key(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadKey)
    response = JSONResponse({"error": "bad_key", "message": exc.message}, status_code=401)
    error = f', error="{exc.error}"' if exc.error else ""
    response.headers["WWW-Authenticate"] = f'Bearer realm="certreg"{error}'
    return response


COOKIELESS_FORM = (
    "表单校验失败：浏览器没有带上本网站的 Cookie（页面打开太久，或浏览器禁用、清除了 Cookie），"
    "提交的内容没有处理。请允许本网站使用 Cookie，然后点浏览器的“后退”回到刚才的页面——"
    "填写、粘贴的内容一般仍在——再提交一次。"
)
"""A form sent without our cookie (the forms with one give back what was typed themselves):
nothing typed is shown again — another site's POST looks the same — but a browser's Back
returns to the form as it was filled in (Chromium restores its fields), where the link below
opens it empty."""


async def csrf_rejected(request: Request, exc: Exception) -> Response:
    return error_page(request, 403, "csrf", "表单已失效", COOKIELESS_FORM)


async def server_error(request: Request, exc: Exception) -> Response:
    message = "查验服务暂时出现问题，请稍后再试。问题已记录。"
    response = error_page(request, 500, "server_error", "系统暂时出错", message)
    # this answer comes from outside the middleware stack, which would have added them
    response.headers.update(security_headers(request.scope))
    return response


async def registry_mismatch(request: Request, exc: Exception) -> Response:
    """A registry this version cannot read (an older certreg's, not yet upgraded on the
    registry host): 503 and a word in the log for the administrator, never a 500 per check."""
    logger.error("登记库无法使用：%s", exc)
    message = "查验服务正在更新登记库，暂时无法查验，请稍后再试。"
    response = error_page(request, 503, "registry_unavailable", "暂时无法查验", message)
    response.headers["Retry-After"] = "60"
    return response


async def storage_failed(request: Request, exc: Exception) -> Response:
    """The verification log (or the registry) could not be read or written — locked past its
    wait, deleted under the app, damaged: 503 and the error in the log for the administrator,
    not a 500 (a watch list made while the log was locked). A mistake of the code's own (an
    integrity or programming error) stays a 500: a 503 says to retry, and nginx would fail
    over from a replica that is not at fault."""
    if type(exc) not in (sqlite3.OperationalError, sqlite3.DatabaseError):
        raise exc
    handler = getattr(request.scope.get("endpoint"), "__qualname__", "?")  # no token of a path
    logger.error("数据库读写失败（%s %s）：%s", request.method, handler, exc, exc_info=exc)
    message = "查验服务暂时无法读写数据，请稍后再试。问题已记录。"
    response = error_page(request, 503, "server_error", "暂时无法处理", message)
    response.headers["Retry-After"] = "30"
    return response


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    verifier: Verifier = app.state.verifier
    await run_in_threadpool(verifier.start)
    try:
        yield
    finally:
        app.state.uploads.close()
        await run_in_threadpool(verifier.close)


class WholeFiles(StaticFiles):
    """The static files, always whole: a stylesheet and an icon need no byte ranges, and
    Starlette answers a malformed ``Range`` header with an English plain-text 400 of its own.
    Nor are ranges offered (``Accept-Ranges``)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(key, value) for key, value in scope["headers"] if key != b"range"]

        async def unranged(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message["headers"] if k != b"accept-ranges"]
                message = {**message, "headers": kept}
            await send(message)

        await super().__call__({**scope, "headers": headers}, receive, unranged)


# The router tries routes in order: the busiest (the checks) come first.
routes = [
    Route("/api/v1/verify", api.verify, methods=["POST"], name="api_verify"),
    Route("/check", pages.check, methods=["POST"], name="check"),
    Route("/check", pages.check_again, methods=["GET"], name="check_again"),
    Route("/", pages.form, methods=["GET"], name="form"),
    Route("/r/{token}", pages.receipt, methods=["GET"], name="receipt"),
    Route("/r/{token}/qr.svg", pages.receipt_qr, methods=["GET"], name="receipt_qr"),
    Route("/batch", batch_page.batch_form, methods=["GET"], name="batch_form"),
    Route("/batch", batch_page.batch, methods=["POST"], name="batch"),
    Route("/api/v1/verify/batch", api.verify_batch, methods=["POST"], name="api_batch"),
    # a number typed with slashes (G11/2200/0001) is a malformed number, not an unknown address
    Route("/api/v1/numbers/{number:path}", api.number, methods=["GET"], name="api_number"),
    Route("/api/v1/watches", watches.api_create, methods=["POST"], name="api_watches"),
    Route("/report", reports.report, methods=["POST"], name="report"),
    Route("/api/v1/reports", api.report, methods=["POST"], name="api_reports"),
    Route("/watch", watches.watch_form, methods=["GET"], name="watch_form"),
    Route("/watch", watches.watch_create, methods=["POST"], name="watch_create"),
    Route(
        "/watch/{token}.atom", watch_views.watch_atom, methods=["GET", "DELETE"], name="watch_atom"
    ),
    Route(
        "/watch/{token}.json", watch_views.watch_json, methods=["GET", "DELETE"], name="watch_json"
    ),
    Route(
        "/watch/{token}/delete",
        watch_views.watch_delete_form,
        methods=["POST"],
        name="watch_delete_form",
    ),
    Route("/watch/{token}", watch_views.watch_page, methods=["GET", "DELETE"], name="watch_page"),
    Route("/healthz", api.health, methods=["GET"], name="health"),
    Route("/openapi.json", openapi, methods=["GET"], name="openapi"),
    Route("/docs", manual.docs, methods=["GET"], name="docs"),
    Mount("/static", WholeFiles(directory=HERE / "static"), name="static"),
]

exception_handlers = {
    404: not_found,
    HTTPException: http_error,
    RateLimited: rate_limited,
    OverAllowance: over_allowance,
    BadKey: bad_key,
    CsrfRejected: csrf_rejected,
    RegistryMismatch: registry_mismatch,
    sqlite3.DatabaseError: storage_failed,
    500: server_error,
}


def _templates() -> Jinja2Templates:
    # templates are read once: no file-system check for changes on every page
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(),
        auto_reload=False,
    )
    environment.globals.update(page_fields=page_fields, path_for=path_for)
    environment.filters["whole_dates"] = whole_dates
    return Jinja2Templates(env=environment)


def _middleware(settings: Settings) -> list[Middleware]:
    middleware = [
        Middleware(SecurityHeadersMiddleware),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
    ]
    if settings.trusted_proxies:  # without trusted proxies it would only pass requests through
        middleware.insert(
            0, Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
        )
    return middleware


def create_app(settings: Settings, *, clock: Clock = time.time) -> Starlette:
    """The verification app over the registry ``settings`` name; ``clock`` (seconds) is what
    receipts and quotas count time by, so tests can move it. Opens nothing until its lifespan
    starts (`lifespan`): several apps can be made side by side."""
    redact_access_log()
    app = Starlette(
        routes=routes,
        middleware=_middleware(settings),
        lifespan=lifespan,
        exception_handlers=exception_handlers,
    )
    # /batch/ was redirected to /batch on whatever host the request named (Host: evil.example),
    # CERTREG_PUBLIC_URL or not: an address with a slash too many is a 404 that links home
    app.router.redirect_slashes = False
    secret = str(settings.secret)
    app.state.verifier = Verifier(settings, clock=clock)
    app.state.templates = _templates()
    app.state.csrf = CsrfTokens(secret)
    app.state.report_tickets = tickets(secret)
    app.state.uploads = UploadSlots(settings.upload_concurrency)
    app.state.untrusted_peers = set()  # proxies logged as missing from the trusted list
    return app


def app_from_environ() -> Starlette:
    """The app from ``CERTREG_*`` variables, for running uvicorn directly (e.g. several workers):
    ``uvicorn --factory verify_app.app:app_from_environ``."""
    return create_app(Settings.from_environ())
