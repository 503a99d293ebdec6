"""The client a trusted proxy names (uvicorn's ``ProxyHeadersMiddleware``), only when it is an
address: uvicorn takes X-Forwarded-For's entry as it is written, so ``garbage``, ``0x7f000001``
or ``001.002.003.004`` became a client of its own — a fresh allowance for each spelling — and
was logged as one (a security review). Such a request is counted as its proxy, which sent it,
and the proxy's header said once in the log."""

from __future__ import annotations

import ipaddress
import logging

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

logger = logging.getLogger("certreg.verify")

UNREAD = "certreg.forwarded_unread"
"""Set in a request's scope when its trusted proxy's X-Forwarded-For named no address: its
client is the proxy (`verify_app.context.client_of` then warns of no untrusted proxy)."""
TAKEN = "certreg.forwarded_taken"
"""Set in a request's scope when its peer is a trusted proxy whose X-Forwarded-For named its
client: `verify_app.context.forwarding` says ``trusted`` by it, not by the header's value — a
header naming the peer itself read as taken from an untrusted one (an operator's review)."""
MAX_WARNINGS = 16
"""Proxies whose unreadable headers are said in the log, per app: each once."""


def is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class ForwardedClients:
    """uvicorn's ``ProxyHeadersMiddleware`` for ``trusted_hosts``; a client it names that is no
    address is put back to the proxy."""

    def __init__(self, app: ASGIApp, trusted_hosts: list[str]) -> None:
        self.app = app
        # uvicorn types its ASGI apps in its own words: the same callables
        self._proxy = ProxyHeadersMiddleware(self._checked, trusted_hosts=trusted_hosts)  # type: ignore[arg-type]
        self._warned: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope["certreg.peer"] = scope.get("client")
        await self._proxy(scope, receive, send)  # type: ignore[arg-type]

    async def _checked(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("certreg.peer")
        if peer and peer[0] in self._proxy.trusted_hosts and _forwarded(scope):
            client = scope.get("client")
            if client == peer or not client or not is_address(client[0]):
                scope["client"] = peer
                scope[UNREAD] = True
                self._warn(peer[0], _forwarded(scope))
            else:
                scope[TAKEN] = True
        await self.app(scope, receive, send)

    def _warn(self, proxy: str, header: str) -> None:
        if proxy in self._warned or len(self._warned) >= MAX_WARNINGS:
            return
        self._warned.add(proxy)
        logger.warning(
            "反向代理 %s 发来的 X-Forwarded-For“%s”中没有可用的客户端地址，这类请求按代理本身"
            "计算查验额度。请检查该代理的配置（nginx：proxy_set_header X-Forwarded-For "
            "$remote_addr）",
            proxy,
            header[:100],
        )


def _forwarded(scope: Scope) -> str:
    """Every X-Forwarded-For of the request, as uvicorn reads them together."""
    values = [v for k, v in scope.get("headers", ()) if k == b"x-forwarded-for"]
    return b", ".join(values).decode("latin1")
