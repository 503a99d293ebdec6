"""How `certreg serve` and `certreg browse` run uvicorn (`uvicorn_options`,
`datasette_config.serve`): its httptools protocol with bounds on what one connection may hold.

httptools gathers a header however long it grows and however slowly it arrives, and uvicorn
times a connection only while it is idle between requests: three connections each sending a
100 MB header held 300 MB of the server's memory, and one sending a header line every few
seconds held its connection for as long as it liked. nginx bounds these in front of the
service (``large_client_header_buffers``, ``client_header_timeout``); `certreg serve` facing
clients itself does the same here: a head larger than `MAX_HEAD_BYTES` gets 431, one not whole
within `HEAD_SECONDS` of the connection or of the end of the answer before it has its
connection closed; so has a chunked request past `MAX_CHUNKED_BYTES`, a body not whole within
two minutes (an app that waits for it, as Datasette's login does, has no bound of its own), a
body its answer did not wait for, and an answer the client has not read from for
`ANSWER_SECONDS`. The public app bounds the bodies it reads more closely (`verify_app.body_limit`).
A client may hold only so many of a process's connections (`registry.public.client_connections`).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from registry.public import client_connections
from registry.public.client_connections import MAX_CONNECTIONS_PER_CLIENT, REASON, RETRY_SECONDS

BODY_TOTAL_SECONDS = 120.0
"""Longest wait for a whole body: the largest the public app allows (1 MiB) at under 10 KB a
second."""
BODY_GRACE_SECONDS = 10.0
"""Past it, for an app bounding a body itself to answer: `verify_app.body_limit`'s 408 was cut."""
MAX_HEAD_BYTES = 64 * 1024
"""A request line and headers larger than this get 431 (nginx's default allows 32 KiB)."""
HEAD_SECONDS = 20.0
"""A request's head arrives whole within this from its first byte (or from the connection)."""
ANSWER_SECONDS = 120.0
"""How long an answer waits for a client that reads none of it (the socket's buffer full): a
client that does not read its answers keeps them unfinished, and would hold the connection for
as long as it liked. An answer being made or read is waited for."""
MAX_CHUNKED_BYTES = 16 * 1024 * 1024
"""What a request sent in chunks may send after its head: its length is told nowhere, and its
trailers are headers too — a megabyte each, they held 300 MB of one connection (the app itself
refuses a body over its own limit, `CERTREG_MAX_BODY_BYTES`)."""


_HEADERS = (
    b"content-security-policy: default-src 'none'; frame-ancestors 'none'\r\n"
    b"x-frame-options: DENY\r\nx-content-type-options: nosniff\r\n"
    b"referrer-policy: no-referrer\r\n"
)
"""What the apps' own answers say of themselves, as a text that is no page needs it."""


Refusal = tuple[bytes, bytes]
"""A refusal as plain text, and as the JSON of the public app's API (its ``Error``)."""


def _refusal(status: bytes, text: str, code: str) -> Refusal:
    """A refusal made before any request reached an app: plain text, framed by nobody, sniffed
    as nothing else, kept by no cache — or, to an API address, the JSON with the stable
    ``code`` every other error of the API carries (a client branches on it)."""
    as_json = json.dumps({"error": code, "message": text}, ensure_ascii=False)
    return (
        _response(status, b"text/plain", text.encode()),
        _response(status, b"application/json", as_json.encode()),
    )


def _response(status: bytes, media_type: bytes, body: bytes, extra: bytes = b"") -> bytes:
    """A whole answer closing its connection; ``extra``: header lines of its own."""
    return (
        b"HTTP/1.1 "
        + status
        + b"\r\ncontent-type: "
        + media_type
        + b"; charset=utf-8\r\n"
        + _HEADERS
        + extra
        + b"cache-control: no-store\r\ncontent-length: "
        + str(len(body)).encode()
        + b"\r\nconnection: close\r\n\r\n"
        + body
    )


_431 = _refusal(
    b"431 Request Header Fields Too Large",
    f"请求头过大：请求行和请求头合计最多 {MAX_HEAD_BYTES // 1024} KB，请删去不必要的请求头"
    "（如过多的 Cookie）",
    "headers_too_large",
)
_413 = _refusal(b"413 Content Too Large", "请求内容过大", "too_large")
_400 = _refusal(
    b"400 Bad Request",
    "无法识别的请求：请求行或请求头不符合 HTTP 格式。"
    "网址中的汉字等字符须先经 URL 编码（百分号编码），长度、分块等请求头须与请求内容一致",
    "bad_request",
)
_TOO_MANY = _response(
    b"429 Too Many Requests",
    b"application/json",
    json.dumps(
        {
            "error": "rate_limited",
            "message": f"同一网络地址同时打开的连接过多（每个服务进程最多 {MAX_CONNECTIONS_PER_CLIENT}"
            f" 个）：请关闭其他连接，或 {RETRY_SECONDS} 秒后重试",
            "reason": REASON,
        },
        ensure_ascii=False,
    ).encode(),
    b"retry-after: %d\r\n" % RETRY_SECONDS,
)
"""A connection past its client's share, told before any request has said where it goes: the
API's 429 (its ``Error``, with ``reason`` and ``Retry-After``), to a page's address too — a
client holding 64 connections is a program, and a program branches on the code. Made once:
it answers a flood."""
_NO_HOST = _refusal(
    b"400 Bad Request",
    "请求须带且只能带一个 Host 请求头（写明所访问的网站地址）",
    "bad_request",
)
JSON_PREFIXES = ("/api/", "/healthz", "/openapi.json")
JSON_SUFFIXES = (".json", ".atom")
"""Where the public app answers in JSON (the API, its health, its schema, the watch feeds): its
refusals made here do too — a feed's reader and a monitor got plain text (an integrator's
review)."""


def json_address(path: str) -> bool:
    """Whether the public app answers ``path`` (without its query) in JSON."""
    return path.startswith(JSON_PREFIXES) or path.endswith(JSON_SUFFIXES)


TARGET_BYTES = 64
"""Bytes of a head kept to tell where it goes when the parser cannot: a method and the API's
prefix fit."""


def _target(head: bytes) -> bytes:
    """The address a request line begins with (``GET /api/v1/numbers/张 HTTP/1.1``), as far as
    it arrived: its second word."""
    words = head.lstrip(b"\r\n").split(b" ", 2)
    return words[1] if len(words) > 1 else b""


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
    _chunked_left: int | None = None
    """bytes a chunked request may still send, while one is arriving"""
    _body_open = False
    """a request's body is arriving (its head declared one): timed as a whole"""
    _waited = 0.0
    """seconds the head timer has waited for an answer being made"""
    _unreadable: Refusal = _400
    """what a request the parser stops at is told"""
    _head_start = b""
    """the first bytes of the head arriving: where it goes, should the parser stop before it
    has read the address (a raw 汉字 in it)"""

    _client: str | None = None
    """this connection's client, while `client_connections` counts it"""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        admitted, self._client = client_connections.admit(transport.get_extra_info("peername"))
        if not admitted:  # told before any request, and closed: it holds no descriptor
            transport.write(_TOO_MANY)
            transport.close()
            return
        self._head_timer = self.loop.call_later(HEAD_SECONDS, self._head_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        if self._client is not None:
            client_connections.release(self._client)
            self._client = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        while data and self._in_head:
            if self._head_timer is None:  # the next request's first byte, kept alive
                self._head_timer = self.loop.call_later(HEAD_SECONDS, self._head_too_slow)
            piece, data = data[:PIECE], data[PIECE:]
            if not self._head_bytes:
                self._head_start = piece[:TARGET_BYTES]
            self._head_bytes += len(piece)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse(_431)
                return
            super().data_received(piece)
            if self.transport.is_closing():
                return
        if data and self._chunked_left is not None:
            self._chunked_left -= len(data)
            if self._chunked_left < 0:
                self._refuse(_413)
                return
        if data:
            super().data_received(data)

    def on_headers_complete(self) -> None:
        hosts = sum(name == b"host" for name, _ in self.headers)
        if hosts > 1 or (hosts == 0 and self.parser.get_http_version() == "1.1"):
            # RFC 9112 3.2: refused, as nginx refuses them in front (httptools lets them pass)
            self._unreadable = _NO_HOST
            raise httptools.HttpParserCallbackError("no Host header")
        self._in_head, self._head_bytes = False, 0
        self._stop_head_timer()
        if any(name == b"transfer-encoding" for name, _ in self.headers):  # chunked: no length
            self._chunked_left = MAX_CHUNKED_BYTES
            self._body_open = True
        elif any(name == b"content-length" and value != b"0" for name, value in self.headers):
            self._body_open = True  # an app that waits for it has no bound of its own (Datasette's)
        if self._body_open:  # an app's own bound answers first
            waited = BODY_TOTAL_SECONDS + BODY_GRACE_SECONDS
            self._head_timer = self.loop.call_later(waited, self._head_too_slow)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._chunked_left, self._body_open = None, False
        self._in_head = True  # what comes next on this connection is the next request's head
        # … and its time starts now: bytes of it in this very packet arm nothing else
        self._restart_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # a body still arriving after its answer (chunked, or never read), or the next head
        # not begun: their time starts with the answer's end, not before (a slow answer would
        # otherwise leave the next request next to no time)
        if not self._in_head or self._head_bytes == 0:
            self._restart_head_timer()

    def send_400_response(self, msg: str) -> None:
        """A request the parser cannot read (a raw 汉字 in the address, a bad chunk size) or
        that has no Host or two: said in Chinese, with the security headers — uvicorn's own is
        English and bare."""
        self._refuse(self._unreadable)

    def _restart_head_timer(self) -> None:
        self._stop_head_timer()
        self._waited = 0
        self._head_timer = self.loop.call_later(HEAD_SECONDS, self._head_too_slow)

    def _refuse(self, refusal: Refusal) -> None:
        self._stop_head_timer()
        # the address, once the parser read it; else as the request line begins
        target = getattr(self, "url", b"") or _target(self._head_start)
        path = target.partition(b"?")[0].decode("latin-1")
        self.transport.write(refusal[1] if json_address(path) else refusal[0])
        self.transport.close()

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        """A head, a chunked request, or a body its answer did not wait for, not whole in time:
        the connection is closed — unless an answer is still being made (a client may send a
        blank line after a body): then the time starts anew."""
        self._head_timer = None
        if self.transport.is_closing():
            return
        answered = self.cycle is None or self.cycle.response_complete
        # an answer a client does not read stays unfinished: waited for, but not for ever —
        # counted only while the client reads nothing (an export streamed for minutes to a
        # staff member reading it, Datasette's CSV of all rows, was cut at two)
        self._waited = self._waited + HEAD_SECONDS if self.flow.write_paused else 0
        if not answered and not self._body_open and self._waited < ANSWER_SECONDS:
            self._head_timer = self.loop.call_later(HEAD_SECONDS, self._head_too_slow)
        else:
            self.transport.close()


def uvicorn_options() -> dict[str, Any]:
    """uvicorn's settings for every `certreg serve` process: the proxy headers decided inside the
    app, by ``CERTREG_TRUSTED_PROXIES`` only; each request's head bounded in size and time
    (`GuardedHttpToolsProtocol`). No WebSockets: the app has none, and uvicorn answered an
    upgrade by logging its path in full — a watch list's secret token, past the access log's
    redaction. No bound on all connections (uvicorn's ``limit_concurrency`` counts idle ones too, and
    199 of them held open would turn every other client away): on each client's instead
    (`registry.public.client_connections`)."""
    return {"http": GuardedHttpToolsProtocol, "proxy_headers": False, "ws": "none"}
