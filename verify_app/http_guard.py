"""How `certreg serve` runs uvicorn (`uvicorn_options`): its httptools protocol with bounds on a
request's head (its request line and headers).

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


PIECE = 4096
"""Bytes fed to the parser at a time while a head is incomplete: what a head is counted by
(a piece may end one request and begin the next, pipelined; its bytes count to the first)."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` counting each request's head as it arrives: while a head is
    incomplete, bytes go to the parser a `PIECE` at a time and are counted, so a body sent in
    the same packet as its head is never counted as head; a head begins with the connection
    and with the first byte after a request (a blank line before a request, which the parser
    skips, starts its clock too)."""

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
        while data and self._in_head:
            if self._head_timer is None:  # the next request's first byte, kept alive
                self._head_timer = self.loop.call_later(HEAD_SECONDS, self._head_too_slow)
            piece, data = data[:PIECE], data[PIECE:]
            self._head_bytes += len(piece)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._stop_head_timer()
                self.transport.write(_431)
                self.transport.close()
                return
            super().data_received(piece)
            if self.transport.is_closing():
                return
        if data:
            super().data_received(data)

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


def uvicorn_options() -> dict[str, Any]:
    """uvicorn's settings for every `certreg serve` process: the proxy headers decided inside the
    app, by ``CERTREG_TRUSTED_PROXIES`` only; each request's head bounded in size and time
    (`GuardedHttpToolsProtocol`). No bound on connections: uvicorn counts idle ones too, and
    199 of them held open would turn every other client away."""
    return {"http": GuardedHttpToolsProtocol, "proxy_headers": False}
