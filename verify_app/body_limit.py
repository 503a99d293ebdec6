"""Bound what a request body may cost before the app reads it (SPEC §7): its size and its pace.

- **Size**: the declared Content-Length is checked (the server delivers no more than that), and
  the streamed bytes of a chunked upload — which may declare a length too, that no parser must
  believe — are counted, so the body cannot grow past the limit either: 413.
- **Pace**: a client that declares a body and then sends it slowly, or not at all, would hold a
  connection (and one of the server's concurrent requests) for as long as it likes; a few hundred
  of them stall the service for everyone. Each part of the body must arrive within
  `BODY_IDLE_SECONDS` of the previous one, and the whole body within `BODY_TOTAL_SECONDS` (a
  byte every few seconds is never idle): 408, and the connection is closed. (Behind nginx, its
  ``client_body_timeout`` does the first first.)

A client that goes away before its body is in gets no answer and leaves no error in the log:
otherwise anyone could fill the log with tracebacks at no cost to their allowance.
"""

from __future__ import annotations

import asyncio

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.public.http_guard import BODY_TOTAL_SECONDS
from verify_app.context import wants_json
from verify_app.json_response import JSONResponse

BODY_IDLE_SECONDS = 10.0
"""Longest wait for the next part of a request body: generous for a phone on a poor network."""


TOO_LARGE_ADVICE = {
    "/batch": "上传的名单太大时，请删去表格中的图片、照片（它们最占大小），分成几个较小的文件，或只保留“证书编号”“姓名”两列后再上传；也可以把证书编号和姓名复制粘贴到批量查验页面的文本框中提交。",
    "/watch": "关注的证书太多时，请分成几个关注列表分别建立。",
    "/": "填写的内容太长：请删减后重新提交。",
}
"""What a browser's refusal for size adds, by the form's path: the way to a body that fits (the
watch form has no file to split, a single check no columns to drop)."""
TOO_SLOW_ADVICE = {**TOO_LARGE_ADVICE, "/": "请在网络较稳定时重新提交。"}
"""What a browser's refusal for pace adds: on the same network the same body is no faster, so a
smaller one is the way — a phone's upload cut at two minutes was told only 请重新提交, to fail
again. A single check's body is small already: its network is at fault."""
TOO_SLOW = "以当前的网速，同样的内容重新提交仍会超时"
API_TOO_SLOW_ADVICE = "请减少每次发送的内容（批量查验分成几次较小的请求）后重新发送。"
"""What the API's refusal for pace adds: a program resending the same body fails again."""


def _advice(path: str, status: int) -> str:
    """`TOO_LARGE_ADVICE` (for 413) or `TOO_SLOW_ADVICE` (for 408) for ``path``; none for a
    target that is no path (``OPTIONS *``)."""
    advice = TOO_LARGE_ADVICE if status == 413 else TOO_SLOW_ADVICE
    return next((text for form, text in advice.items() if path.startswith(form)), "")


class _TooLarge(Exception):
    pass


class _Stalled(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        idle_seconds: float = BODY_IDLE_SECONDS,
        total_seconds: float = BODY_TOTAL_SECONDS,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.idle_seconds = idle_seconds
        self.total_seconds = total_seconds

    def _too_large(self) -> str:
        return f"请求内容过大（上限 {self.max_bytes // 1024} KB）。"

    def _too_slow(self, scope: Scope) -> str:
        """The 408's message: the same body sent again on the same network would be cut again,
        so a program is told what to send instead (a browser's page adds it as advice)."""
        message = (
            f"请求内容发送超时（{self.idle_seconds:.0f} 秒内未收到后续数据，或 "
            f"{self.total_seconds:.0f} 秒内未收完）：{TOO_SLOW}。"
        )
        return message + (API_TOO_SLOW_ADVICE if wants_json(scope["path"], scope["method"]) else "")

    def _refusal(self, scope: Scope, status: int, message: str) -> Response:
        if wants_json(scope["path"], scope["method"]):  # a feed's DELETE too, as its errors
            error = "too_large" if status == 413 else "timeout"
            response: Response = JSONResponse(
                {"error": error, "message": message}, status_code=status
            )
        else:  # a browser's form: the site's error page, with the way back to the form
            context = {
                "title": "无法提交",
                "message": message,
                "advice": _advice(scope["path"], status),
            }
            templates = scope["app"].state.templates  # Starlette sets the app before middleware
            response = templates.TemplateResponse(
                Request(scope), "error.html", context, status_code=status
            )
        if status == 408:
            response.headers["Connection"] = "close"  # the rest of the body is not awaited
        return response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit() or int(value) > self.max_bytes:
                    await self._refusal(scope, 413, self._too_large())(scope, receive, send)
                    return
                declared = value
            elif name == b"transfer-encoding":  # chunked: the length above does not bind it
                declared = None
                break
        received = 0
        complete = declared == b"0" or scope["method"] in ("GET", "HEAD")
        started = False
        deadline: float | None = None

        async def bounded_receive() -> Message:
            nonlocal received, complete, deadline
            if complete:  # the body is in: waiting now is for a disconnect, for any time
                return await receive()
            now = asyncio.get_running_loop().time()
            deadline = deadline or now + self.total_seconds
            try:
                async with asyncio.timeout(min(self.idle_seconds, deadline - now)):
                    message = await receive()
            except TimeoutError:
                raise _Stalled from None
            if message["type"] == "http.request":
                complete = not message.get("more_body", False)
                if declared is None:  # the server delivers no more than a declared length
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
            await self.app(scope, bounded_receive, tracking_send)
        except ClientDisconnect:  # gone before its body was in: no one to answer, no error
            return
        except _TooLarge:
            if started:
                raise
            await self._refusal(scope, 413, self._too_large())(scope, receive, send)
        except _Stalled:
            if started:
                raise
            await self._refusal(scope, 408, self._too_slow(scope))(scope, receive, send)
