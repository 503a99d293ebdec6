"""How `certreg serve` runs uvicorn (`uvicorn_options`): its httptools protocol with bounds on a
request's head (its request line and headers), and a bound on connections.

httptools gathers a header however long it grows and however slowly it arrives, and uvicorn
times a connection only while it is idle between requests: three connections each sending a
100 MB header held 300 MB of the server's memory, and one sending a header line every few
seconds held its connection for as long as it liked. nginx bounds both in front of the
service (``large_client_header_buffers``, ``client_header_timeout``); `certreg serve` facing
clients itself does the same here: a head larger than `MAX_HEAD_BYTES` gets 431, one not whole
within `HEAD_SECONDS` of its connection or its first byte has its connection closed. The body
has its own bounds (`verify_app.body_limit`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 64 * 1024
"""A request line and headers larger than this get 431 (nginx's default allows 32 KiB)."""
HEAD_SECONDS = 20.0
"""A request's head arrives whole within this from its first byte (or from the connection)."""

_TOO_LARGE = "请求头过大".encode()
_431 = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: " + str(len(_TOO_LARGE)).encode() + b"\r\n"
    b"connection: close\r\n\r\n" + _TOO_LARGE
)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` counting each request's head as it arrives: the bytes are fed to the
    parser no further than the limit allows while the head is incomplete, so a body sent in the
    same packet as its head is never counted as head."""

    _head_bytes = 0
    _in_head = True
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer = self.loop.call_later(HEAD_SECONDS, self._head_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self._in_head:
            super().data_received(data)
            return
        room = MAX_HEAD_BYTES - self._head_bytes
        head, rest = data[:room], data[room:]
        self._head_bytes += len(head)
        super().data_received(head)
        if not rest or self.transport.is_closing():
            return
        if self._in_head:  # the head goes on past the limit
            self._stop_head_timer()
            self.transport.write(_431)
            self.transport.close()
            return
        self.data_received(rest)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_timer is None:  # a later request on a kept-alive connection
            self._head_timer = self.loop.call_later(HEAD_SECONDS, self._head_too_slow)

    def on_headers_complete(self) -> None:
        self._in_head, self._head_bytes = False, 0
        self._stop_head_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True  # what comes next on this connection is the next request's head

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            self.transport.close()


MAX_CONNECTIONS = 200
"""Connections (and requests in progress) one process serves at once; more get 503 at once
rather than each a share of a machine that cannot keep up (nginx queues and retries them)."""


def uvicorn_options() -> dict[str, Any]:
    """uvicorn's settings for every `certreg serve` process: the proxy headers decided inside the
    app, by ``CERTREG_TRUSTED_PROXIES`` only; each request's head bounded in size and time
    (`GuardedHttpToolsProtocol`); a bound on connections."""
    return {
        "http": GuardedHttpToolsProtocol,
        "proxy_headers": False,
        "limit_concurrency": MAX_CONNECTIONS,
    }
