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


SMALLER_BODY = {
    "/batch": "上传的名单太大时，请删去表格中的图片、照片（它们最占大小），分成几个较小的文件，或只保留“证书编号”“姓名”两列后再上传；也可以把证书编号和姓名复制粘贴到批量查验页面的文本框中提交。",
    "/watch": "关注的证书太多时，请分成几个关注列表分别建立。",
    "/api/v1/verify/batch": "请把批量查验分成几次较小的请求后重新发送。",
    "/api/v1/watches": "请把关注的证书分成几个关注列表分别建立后重新发送。",
}
"""How a body is made smaller, by the exact route of each form and request that takes a long one
(the batch upload, a watch list's creation, the API's batch and watch list): matched by their
beginnings, a watch list's 删除 was told to split the list, and a single check a batch."""
TOO_LARGE_ADVICE = "填写的内容太长：请删减后重新提交。"
"""What a browser's refusal for size adds for any other form."""


class _TooLarge(Exception):
    pass


class _Stalled(Exception):
    """The body did not come in time: ``total``, not whole within the total time (else its next
    part not within the idle time); ``hopeless``, at the pace its parts came, it would not have
    come whole within the total time either."""

    def __init__(self, *, total: bool, hopeless: bool) -> None:
        super().__init__("request body too slow")
        self.total = total
        self.hopeless = hopeless


class _Body:
    """A request's ``receive`` bounded in size and pace (`BodyLimitMiddleware`), keeping how the
    body has come so far: a refusal then tells a network that dropped for a moment — sending
    again will likely do — from a body too large for its network, which would be cut again."""

    def __init__(
        self, receive: Receive, declared: bytes | None, limits: BodyLimitMiddleware
    ) -> None:
        self.receive = receive
        self.declared = declared
        self.limits = limits
        self.received = 0
        self.began: float | None = None
        self.last = 0.0
        self.complete = declared == b"0"

    async def __call__(self) -> Message:
        if self.complete:  # the body is in: waiting now is for a disconnect, for any time
            return await self.receive()
        clock = asyncio.get_running_loop().time
        self.began = clock() if self.began is None else self.began
        left = self.began + self.limits.total_seconds - clock()
        try:
            async with asyncio.timeout(min(self.limits.idle_seconds, left)):
                message = await self.receive()
        except TimeoutError:
            total = left <= self.limits.idle_seconds
            raise _Stalled(total=total, hopeless=total or self._hopeless()) from None
        if message["type"] == "http.request":
            self.complete = not message.get("more_body", False)
            self.received += len(message.get("body", b""))
            self.last = clock()
            # the server delivers no more than a declared length
            if self.declared is None and self.received > self.limits.max_bytes:
                raise _TooLarge
        return message

    def _hopeless(self) -> bool:
        """Whether, at the pace its first parts came, the declared body would not have come
        whole within the total time: sent again on the same network, it is cut again."""
        if not self.declared or not self.received or self.began is None:
            return False  # no length told, or no pace seen: a pause, as far as anyone can tell
        seconds = max(self.last - self.began, 0.0)
        return seconds * int(self.declared) / self.received > self.limits.total_seconds


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

    def _too_large(self, scope: Scope) -> tuple[str, str]:
        """The 413's message and a page's advice (`SMALLER_BODY`, else `TOO_LARGE_ADVICE`)."""
        advice = SMALLER_BODY.get(scope["path"], TOO_LARGE_ADVICE)
        return f"请求内容过大（上限 {self.max_bytes // 1024} KB）。", advice

    def _too_slow(self, scope: Scope, stalled: _Stalled) -> tuple[str, str]:
        """The 408's message and what to do. The same body again is cut again only when it could
        not have come in time — then the route's way to a smaller one (`SMALLER_BODY`); a small
        body's network was too slow, whatever its size; and a pause of the network (a phone in a
        lift) is told to send again, which will likely do: all three were told 仍会超时 and to
        split the list, a single check and a watch list's 删除 too."""
        again = "发送" if wants_json(scope["path"], scope["method"]) else "提交"
        smaller = SMALLER_BODY.get(scope["path"])
        if stalled.total:
            cut = f"请求内容发送超时：{self.total_seconds:.0f} 秒内未收完"
        else:
            cut = f"请求内容发送超时：{self.idle_seconds:.0f} 秒内未收到后续数据"
        if smaller and stalled.hopeless:
            return f"{cut}。以当前的网速，同样的内容重新{again}仍会超时。", smaller
        if stalled.total:
            return f"{cut}，网速过慢：请在网络较稳定时重新{again}。", ""
        return f"{cut}，网络中断了一会儿：请重新{again}。", ""

    def _refusal(self, scope: Scope, status: int, told: tuple[str, str]) -> Response:
        """The refusal of a body: JSON with ``told``'s message and advice as one message, or the
        site's error page saying them apart, with the way back to the form."""
        message, advice = told
        if wants_json(scope["path"], scope["method"]):  # a feed's DELETE too, as its errors
            error = "too_large" if status == 413 else "timeout"
            response: Response = JSONResponse(
                {"error": error, "message": message + (advice if status == 408 else "")},
                status_code=status,
            )
        else:  # a browser's form: the site's error page, with the way back to the form
            context = {"title": "无法提交", "message": message, "advice": advice}
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
                    await self._refusal(scope, 413, self._too_large(scope))(scope, receive, send)
                    return
                declared = value
            elif name == b"transfer-encoding":  # chunked: the length above does not bind it
                declared = None
                break
        body = _Body(receive, declared, self)
        body.complete = body.complete or scope["method"] in ("GET", "HEAD")
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, body, tracking_send)
        except ClientDisconnect:  # gone before its body was in: no one to answer, no error
            return
        except _TooLarge:
            if started:
                raise
            await self._refusal(scope, 413, self._too_large(scope))(scope, receive, send)
        except _Stalled as stalled:
            if started:
                raise
            await self._refusal(scope, 408, self._too_slow(scope, stalled))(scope, receive, send)
