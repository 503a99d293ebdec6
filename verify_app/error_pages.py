"""The public app's answers to what went wrong — a status Starlette raises, a refusal of the
service's own, a registry or log that cannot be used — as a page for a browser, or as JSON with
a stable ``error`` code for the API and the feeds (`Error` in the OpenAPI document)."""

from __future__ import annotations

import logging
import sqlite3

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from registry.store import RegistryMismatch
from verify_app import forms
from verify_app.checklog import LogUnwritable
from verify_app.context import BadKey, wants_json
from verify_app.csrf import CsrfRejected
from verify_app.json_response import JSONResponse
from verify_app.refusals import OverAllowance, RateLimited
from verify_app.registry_pool import RegistryUnreadable
from verify_app.security_headers import security_headers

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
    message = "您访问的地址不存在。请从首页开始查验。"
    path = request.url.path
    if path.startswith("/api/"):  # a program's mistake: what it asked for, and where to look
        slash = "（接口的路径末尾不带 /）" if path.endswith("/") else ""
        shown = path if len(path) <= 100 else f"{path[:100]}…"
        message = (
            f"没有这个接口：{request.method} {shown}{slash}。可用的接口见 /openapi.json 和 /docs"
        )
    return error_page(request, 404, "not_found", "页面不存在", message)


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


async def registry_unreadable(request: Request, exc: Exception) -> Response:
    """A registry file that cannot be read (`RegistryUnreadable`): 503 ``registry_unavailable``
    — the registry, not the log's ``server_error`` — and what to check in the log for the
    administrator; no traceback, the fault is the file's."""
    handler = getattr(request.scope.get("endpoint"), "__qualname__", "?")  # no token of a path
    logger.error("登记库无法读取（%s %s）：%s", request.method, handler, exc)
    message = "查验服务的登记库无法读取，暂时无法查验，请稍后再试。问题已记录。"
    response = error_page(request, 503, "registry_unavailable", "暂时无法查验", message)
    response.headers["Retry-After"] = "60"
    return response


async def log_unwritable(request: Request, exc: Exception) -> Response:
    """A check refused, uncharged, while the verification log cannot be written: 503, which
    nginx asks the other replica; the writer has said why in the log, once."""
    message = "查验服务暂时无法记录查验，请稍后再试。"
    response = error_page(request, 503, "server_error", "暂时无法处理", message)
    response.headers["Retry-After"] = "30"
    return response


async def storage_failed(request: Request, exc: Exception) -> Response:
    """The verification log (its watch lists and reports too) could not be read or written —
    locked past its wait, deleted under the app, damaged: 503 and the error in the log for the
    administrator, not a 500 (a watch list made while the log was locked). A mistake of the
    code's own (an integrity or programming error) stays a 500: a 503 says to retry, and nginx
    would fail over from a replica that is not at fault. The registry's own failures are
    `registry_unreadable`'s."""
    if type(exc) not in (sqlite3.OperationalError, sqlite3.DatabaseError):
        raise exc
    handler = getattr(request.scope.get("endpoint"), "__qualname__", "?")  # no token of a path
    logger.error("数据库读写失败（%s %s）：%s", request.method, handler, exc, exc_info=exc)
    message = "查验服务暂时无法读写数据，请稍后再试。问题已记录。"
    response = error_page(request, 503, "server_error", "暂时无法处理", message)
    response.headers["Retry-After"] = "30"
    return response


exception_handlers = {
    404: not_found,
    HTTPException: http_error,
    RateLimited: rate_limited,
    OverAllowance: over_allowance,
    BadKey: bad_key,
    CsrfRejected: csrf_rejected,
    RegistryMismatch: registry_mismatch,
    LogUnwritable: log_unwritable,
    RegistryUnreadable: registry_unreadable,
    sqlite3.DatabaseError: storage_failed,
    500: server_error,
}
