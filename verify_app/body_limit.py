"""Reject request bodies over a size limit with 413 before the app parses them (SPEC §7).

Checks the declared Content-Length (the server delivers no more than that), and counts the
streamed bytes of a chunked upload — which may declare a length too, that no parser must
believe — so it cannot grow past the limit either.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _TooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _refusal(self, scope: Scope) -> Response:
        message = f"请求内容过大（上限 {self.max_bytes // 1024} KB）。"
        if scope["path"].startswith("/api/"):
            return JSONResponse({"error": "too_large", "message": message}, status_code=413)
        return PlainTextResponse(message, status_code=413)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit() or int(value) > self.max_bytes:
                    await self._refusal(scope)(scope, receive, send)
                    return
                declared = value
            elif name == b"transfer-encoding":  # chunked: the length above does not bind it
                declared = None
                break
        if declared is not None:
            # the server delivers no more than the declared length: nothing left to count
            await self.app(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
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
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if started:
                raise
            await self._refusal(scope)(scope, receive, send)
