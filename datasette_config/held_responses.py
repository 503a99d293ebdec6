"""Rewriting Datasette's short answers of one status on their way out: an ASGI wrapper that holds
such a response until its body is whole, then sends what a rewrite makes of it.

For answers Datasette (or a middleware inside it, such as asgi-csrf) words in English outside
every template: a refused query's SQLite message, a refused form. They are a few hundred bytes,
never streamed, so holding one costs nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

ASGIApp = Callable[..., Any]
Headers = list[tuple[bytes, bytes]]
Rewrite = Callable[[dict[str, Any], Any, Headers, bytes], Awaitable[tuple[Headers, bytes]]]
"""(scope, receive, headers, body) → the headers and body to send instead."""


def rewriting(
    status: int, rewrite: Rewrite, methods: frozenset[str] | None = None
) -> Callable[[ASGIApp], ASGIApp]:
    """A wrapper sending every ``status`` answer (to requests of ``methods``, else any) as
    ``rewrite`` makes it, with its Content-Length set to the new body's."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def rewritten(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http" or (methods and scope.get("method") not in methods):
                await app(scope, receive, send)
                return
            held: dict[str, Any] | None = None
            body: list[bytes] = []

            async def send_rewritten(message: dict[str, Any]) -> None:
                nonlocal held
                if message["type"] == "http.response.start" and message.get("status") == status:
                    held = message  # until the whole body is known
                    return
                if held is None or message["type"] != "http.response.body":
                    await send(message)
                    return
                body.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                headers, text = await rewrite(
                    scope, receive, held.get("headers", []), b"".join(body)
                )
                kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                length = (b"content-length", str(len(text)).encode())
                await send(dict(held, headers=[*kept, length]))
                await send({"type": "http.response.body", "body": text})

            await app(scope, receive, send_rewritten)

        return rewritten

    return wrap
