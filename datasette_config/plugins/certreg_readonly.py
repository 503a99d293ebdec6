"""No writes from the web: every request that is not a read is refused at the door, and the two
forms staff post — signing in and out — are read only when they are small web forms in UTF-8.

The registry is written only by ``certreg sync``. metadata.yml declares no writable canned
query and Datasette 0.65's SQL page accepts only SELECT, but its POST handlers answer anything
else with a 500; this wrapper answers every write attempt with a plain 405 instead.

The login and logout forms are checked here, before asgi-csrf reads them: it fails with a 500
(and a bare English page without the security headers) on a multipart body — python-multipart
no longer takes the argument it passes — and on bytes that are not UTF-8, and it reads a body of
any length. Anyone can post to the login form, so each is refused here in Chinese: 415, 400,
or 413 past `MAX_FORM_BYTES` (a 60 MB login took seconds to refuse).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Request, Response

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
POST_PATHS = ("/-/login", "/-/logout")
MAX_FORM_BYTES = 4096
"""A user name, a password and a token: the two forms hold no more than this."""
FORM_TYPE = b"application/x-www-form-urlencoded"
NOT_A_FORM = "登录、退出只接受网页表单提交。请打开登录页面，填写后点“登录”。"
TOO_LONG = "登录请求过长，已拒绝。请检查用户名和密码后重新登录。"
NOT_UTF8 = "登录请求中有无法识别的字符（不是 UTF-8 编码）。请打开登录页面，重新填写后提交。"


def _declared(scope: dict[str, Any]) -> tuple[int, str] | None:
    """(status, message) refusing a form by its headers: not urlencoded, or of no or too great
    a declared length; None for one to read."""
    headers = dict(scope.get("headers", []))
    kind = headers.get(b"content-type", b"").partition(b";")[0].strip().lower()
    if kind != FORM_TYPE:
        return 415, NOT_A_FORM
    length = headers.get(b"content-length", b"")
    if not length.isdigit() or int(length) > MAX_FORM_BYTES:
        return 413, TOO_LONG
    return None


async def _read(receive: Any) -> bytes:
    """The body, at most one byte past `MAX_FORM_BYTES` whatever the client sends."""
    body = b""
    while len(body) <= MAX_FORM_BYTES:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    return body


def _replaying(body: bytes, receive: Any) -> Callable[[], Awaitable[dict[str, Any]]]:
    """``receive`` for the app inside: the body read here, then the client's own messages (its
    disconnect)."""
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return dict(await receive())
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    allowed = {datasette.urls.path(path) for path in POST_PATHS}

    async def refuse(
        scope: dict[str, Any], receive: Any, send: Any, status: int, text: str
    ) -> None:
        await datasette.invoke_startup()  # done already, but on a test's first request
        page = await datasette.render_template(
            "error.html",
            {"title": "请求有误", "error": text, "status": status},
            # outside asgi-csrf, which gives a page its token: this one has no form
            request=Request(dict(scope, csrftoken=lambda: ""), receive),
        )
        await Response.html(page, status=status).asgi_send(send)

    def wrap(app: ASGIApp) -> ASGIApp:
        async def read_only(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http" or scope["method"] in READ_METHODS:
                await app(scope, receive, send)
            elif scope["method"] != "POST" or scope["path"] not in allowed:
                refusal = Response.text(
                    "登记库在网页上只读：数据只能通过 certreg sync 导入名册来修改。\n",
                    status=405,
                    headers={"Allow": "GET, HEAD"},
                )
                await refusal.asgi_send(send)
            elif declared := _declared(scope):
                await refuse(scope, receive, send, *declared)
            else:
                body = await _read(receive)
                if len(body) > MAX_FORM_BYTES:  # more than it declared
                    await refuse(scope, receive, send, 413, TOO_LONG)
                    return
                try:
                    body.decode("utf-8")
                except UnicodeDecodeError:
                    await refuse(scope, receive, send, 400, NOT_UTF8)
                    return
                await app(scope, _replaying(body, receive), send)

        return read_only

    return wrap
