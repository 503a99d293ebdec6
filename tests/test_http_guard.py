"""A request's head is bounded in size and time (`registry.public.http_guard`), on real uvicorn with
the app over the sample registry: a 100 MB header held the server's memory, and a header line
every few seconds held a connection for ever."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from starlette.datastructures import Secret
from starlette.types import Receive, Scope, Send

from registry.public import client_connections, http_guard
from registry.public.http_guard import uvicorn_options
from tests.servers import free_port
from tests.verify_fixtures import SECRET, registry_db
from verify_app.app import create_app
from verify_app.body_limit import SMALLER_BODY, BodyLimitMiddleware
from verify_app.refusals import REASONS
from verify_app.settings import Settings

__all__ = ["registry_db"]

GET_CLOSE = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
CHECK = b'{"number":"G1122000001","name":"\xe5\xbc\xa0\xe4\xb8\x89\xe6\x98\x8e"}'


@pytest.fixture
def port(registry_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setattr(http_guard, "HEAD_SECONDS", 1.0)
    monkeypatch.setattr(http_guard, "BODY_TOTAL_SECONDS", 1.5)
    monkeypatch.setattr(http_guard, "BODY_GRACE_SECONDS", 1.0)
    monkeypatch.setattr(http_guard, "MAX_CHUNKED_BYTES", 100_000)
    settings = Settings(db=registry_db, secret=Secret(SECRET), rate_limit=0)
    chosen = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=chosen,
        log_level="warning",
        **uvicorn_options(),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield chosen
    server.should_exit = True
    thread.join(10)


def exchange(port: int, *parts: bytes, pause: float = 0.0) -> bytes:
    """Send ``parts`` (``pause`` seconds apart) and read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        try:
            for part in parts:
                conn.sendall(part)
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass
        received = b""
        try:
            while chunk := conn.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    return received


def post(body: bytes, *headers: bytes) -> bytes:
    lines = [
        b"POST /api/v1/verify HTTP/1.1",
        b"Host: x",
        b"Content-Type: application/json",
        b"Connection: close",
        b"Content-Length: " + str(len(body)).encode(),
        *headers,
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def test_a_check_still_passes_head_and_body_in_one_packet(port: int) -> None:
    """The guard counts the head only: a body in the same packet is no part of it."""
    answer = exchange(port, post(CHECK + b" " * 200_000))
    assert answer.startswith(b"HTTP/1.1 200") and b'"result":"valid"' in answer


def test_an_oversized_head_is_refused_before_it_is_held(port: int) -> None:
    huge = b"X-A: " + b"a" * (http_guard.MAX_HEAD_BYTES + 10)
    answer = exchange(port, post(CHECK, huge)[: 2 * http_guard.MAX_HEAD_BYTES])
    assert (
        answer.startswith(b"HTTP/1.1 431")
        and "请求头过大：请求行和请求头合计最多 64 KB".encode() in answer
    )
    # to the API, the JSON every other error of it is (a client branches on its code)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/json; charset=utf-8" in head
    assert json.loads(body)["error"] == "headers_too_large"
    assert json.loads(body)["message"].startswith("请求头过大：请求行和请求头合计最多 64 KB")
    page = b"GET / HTTP/1.1\r\nHost: x\r\n" + huge
    assert b"content-type: text/plain" in exchange(port, page[: 2 * http_guard.MAX_HEAD_BYTES])
    # a monitor's, a feed reader's address: JSON too (an integrator's review)
    for address in (b"/healthz", b"/watch/abc.json?x=1", b"/openapi.json"):
        asked = b"GET " + address + b" HTTP/1.1\r\nHost: x\r\n" + huge
        answered = exchange(port, asked[: 2 * http_guard.MAX_HEAD_BYTES])
        assert b"content-type: application/json" in answered.partition(b"\r\n\r\n")[0]
    near = b"X-A: " + b"a" * (http_guard.MAX_HEAD_BYTES - 500)  # within the limit: served
    assert exchange(port, post(CHECK, near)).startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("method", [b"POST", b"OPTIONS"])
def test_a_body_too_large_for_a_target_that_is_no_path_is_refused(port: int, method: bytes) -> None:
    """``POST *`` with a body over the limit was a 500 and a traceback in the log, before any
    allowance was charged."""
    head = method + b" * HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\nConnection: close"
    answer = exchange(port, head + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413") and "请求内容过大".encode() in answer


@pytest.mark.parametrize(
    "request_bytes",
    [
        "GET /?number=张 HTTP/1.1\r\nHost: x\r\n\r\n".encode(),  # a script's raw UTF-8
        post(b"x", b"Content-Length: -5"),
        b"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
    ids=["raw-utf8-address", "negative-length", "bad-chunk-size"],
)
def test_a_request_the_parser_cannot_read_is_told_in_chinese(
    port: int, request_bytes: bytes
) -> None:
    """uvicorn answered these with an English text and none of the app's security headers."""
    answer = exchange(port, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and "URL 编码".encode() in body
    assert b"x-content-type-options: nosniff" in head and b"cache-control: no-store" in head


def test_an_unreadable_address_to_the_api_is_told_in_its_json(port: int) -> None:
    """A script's raw UTF-8 in an API address got the page's plain text, not the JSON error
    every other refusal of the API is (the parser stops before it has read the address)."""
    answer = exchange(port, "GET /api/v1/numbers/张三 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"application/json" in head
    assert json.loads(body)["error"] == "bad_request"


def test_an_http_1_1_request_without_host_is_refused(port: int) -> None:
    """RFC 9112 requires a 400 (and for two Host headers): httptools let it through to the app (nginx refuses it in front,
    `certreg serve` facing clients did not). HTTP/1.0 has no Host to require."""
    answer = exchange(port, post(CHECK).replace(b"Host: x\r\n", b""))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and json.loads(body)["error"] == "bad_request"
    assert "Host 请求头".encode() in body
    twice = exchange(port, post(CHECK, b"Host: y"))
    assert twice.startswith(b"HTTP/1.1 400") and "只能带一个 Host".encode() in twice
    old = exchange(port, b"GET /healthz HTTP/1.0\r\n\r\n")
    assert old.startswith(b"HTTP/1.1 200")


def test_a_declared_body_that_stops_arriving_loses_its_connection(port: int) -> None:
    """A body cut short after its head: closed within BODY_TOTAL_SECONDS (1.5 s here), for an
    app that would wait for it (the staff Datasette's login waited for ever)."""
    started = time.monotonic()
    assert exchange(port, post(CHECK)[:-5]) == b"" and time.monotonic() - started < 5


def test_a_head_sent_slowly_loses_its_connection(port: int) -> None:
    """A header line every 0.4 s: the head is not whole within HEAD_SECONDS (1 s here)."""
    request = post(CHECK)
    head, _, body = request.partition(b"\r\n\r\n")
    lines = [line + b"\r\n" for line in head.split(b"\r\n")] + [b"\r\n" + body]
    started = time.monotonic()
    answer = exchange(port, *lines, pause=0.4)
    assert answer == b"" and time.monotonic() - started < 5


def test_a_connection_that_sends_nothing_is_closed(port: int) -> None:
    started = time.monotonic()
    assert exchange(port) == b"" and time.monotonic() - started < 5


def test_pipelined_requests_are_each_counted_alone(port: int) -> None:
    """A 10 KB head then a 60 KB one, in one send: each within the limit, both answered (the
    second was counted from the first's end and refused, and the first's answer lost)."""
    first = post(CHECK, b"X-A: " + b"a" * 10_000).replace(b"Connection: close\r\n", b"")
    second = post(CHECK, b"X-B: " + b"b" * 60_000)
    answer = exchange(port, first + second)
    assert answer.count(b"HTTP/1.1 200") == 2 and b"431" not in answer.split(b"\r\n")[0]


def test_blank_lines_between_requests_do_not_keep_a_connection(port: int) -> None:
    """After a request, a CRLF every half second: the parser skips blank lines before a
    request, so no head ever began — and each byte put off uvicorn's keep-alive timeout."""
    kept = post(CHECK).replace(b"Connection: close\r\n", b"")
    started = time.monotonic()
    answer = exchange(port, kept, *[b"\r\n"] * 12, pause=0.5)
    assert answer.startswith(b"HTTP/1.1 200") and time.monotonic() - started < 4.5


CHUNKED = b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"


def test_a_chunked_requests_trailers_are_bounded_in_size(port: int) -> None:
    """Trailers are headers sent after the body, where the head's bound no longer held: a
    megabyte each, they held 300 MB of one connection."""
    trailers = [b"X-T: " + b"t" * 20_000 + b"\r\n"] * 8
    answer = exchange(port, CHUNKED, *trailers)
    assert b"HTTP/1.1 413" in answer


def test_a_chunked_request_sent_slowly_loses_its_connection(port: int) -> None:
    started = time.monotonic()
    answer = exchange(port, CHUNKED, *[b"X-T: 1\r\n"] * 10, pause=0.5)
    assert b"413" not in answer and time.monotonic() - started < 4.5


@contextmanager
def slow_server(
    monkeypatch: pytest.MonkeyPatch, seconds: float, head: float = 0.5
) -> Iterator[int]:
    """uvicorn with the guard (HEAD_SECONDS ``head``) over an app answering after ``seconds``."""
    monkeypatch.setattr(http_guard, "HEAD_SECONDS", head)

    async def slow(scope: dict[str, object], receive: object, send: object) -> None:
        if scope["type"] != "http":
            return
        await asyncio.sleep(seconds)
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b"done"})  # type: ignore[operator]

    with guarded_server(slow) as chosen:
        yield chosen


def streaming(chunks: int, size: int, pause: float) -> Callable[..., Awaitable[None]]:
    """An app answering ``chunks`` pieces of ``size`` bytes, ``pause`` seconds apart."""

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        for _ in range(chunks):
            await send({"type": "http.response.body", "body": b"x" * size, "more_body": True})  # type: ignore[operator]
            await asyncio.sleep(pause)
        await send({"type": "http.response.body", "body": b""})  # type: ignore[operator]

    return app


@contextmanager
def guarded_server(app: Callable[..., Awaitable[None]]) -> Iterator[int]:
    """uvicorn with the guard over ``app``, on a free port."""
    chosen = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=chosen,
        log_level="warning",
        lifespan="off",
        **uvicorn_options(),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield chosen
    finally:
        server.should_exit = True
        thread.join(10)


BATCH = b'{"items":[' + CHECK + b"]}"


@pytest.mark.parametrize(
    ("path", "body", "idle", "told", "not_told"),
    [
        (
            "/api/v1/verify/batch",
            BATCH,
            10.0,
            ["秒内未收完", "仍会超时", SMALLER_BODY["/api/v1/verify/batch"]],
            [],
        ),
        ("/api/v1/verify", CHECK, 10.0, ["秒内未收完", "网速过慢"], ["仍会超时", "批量"]),
        ("/api/v1/verify/batch", BATCH, 0.3, ["网络中断了一会儿：请重新发送。"], ["仍会超时"]),
        # 30 bytes in 0.3 s, then a pause: the rest of 100 KB would take over ten minutes
        (
            "/api/v1/verify/batch",
            BATCH + b" " * 100_000,
            0.5,
            ["秒内未收到后续数据", "仍会超时", SMALLER_BODY["/api/v1/verify/batch"]],
            [],
        ),
    ],
    ids=["a batch out of time", "a single check out of time", "a batch paused", "a large batch"],
)
def test_an_apps_own_refusal_of_a_slow_body_reaches_the_client(
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    body: bytes,
    idle: float,
    told: list[str],
    not_told: list[str],
) -> None:
    """The public app bounds a body's time as the guard does, from its first read, which comes
    after the guard's clock started: the guard closed the connection first, and the app's 408 —
    saying what to send instead of the same body again — never reached the phone. That advice
    is for a batch out of time only: a single check, or a body whose network paused for a
    moment, was told the same body would time out again and to split the batch."""
    monkeypatch.setattr(http_guard, "BODY_TOTAL_SECONDS", 1.5)
    monkeypatch.setattr(http_guard, "BODY_GRACE_SECONDS", 1.0)

    async def reader(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read"})

    app = BodyLimitMiddleware(reader, max_bytes=1_048_576, idle_seconds=idle, total_seconds=1.5)
    request = post(body + b" " * 100).replace(b"/api/v1/verify", path.encode(), 1)
    with guarded_server(app) as port:
        if len(body) < 1000:  # the body but its end in one go
            answer = exchange(port, request[:-50])
        else:  # its first 30 bytes, 10 every 0.15 s
            at = request.index(b"\r\n\r\n") + 4
            pieces = (request[: at + 10], request[at + 10 : at + 20], request[at + 20 : at + 30])
            answer = exchange(port, *pieces, pause=0.15)
    head, _, sent = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer
    message = json.loads(sent)["message"]
    assert all(words in message for words in told), message
    assert not any(words in message for words in not_told), message


def test_an_answer_streamed_to_a_client_reading_it_is_not_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The staff's CSV of all rows, streamed for minutes: cut at ANSWER_SECONDS though read."""
    monkeypatch.setattr(http_guard, "HEAD_SECONDS", 0.5)
    monkeypatch.setattr(http_guard, "ANSWER_SECONDS", 2.0)
    with guarded_server(streaming(25, 100, 0.2)) as port:
        answer = exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200") and answer.count(b"x" * 100) == 25


def test_an_answer_a_client_does_not_read_loses_its_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """64 MB asked for and never read: the connection is not held for ever."""
    monkeypatch.setattr(http_guard, "HEAD_SECONDS", 0.5)
    monkeypatch.setattr(http_guard, "ANSWER_SECONDS", 2.0)
    with (
        guarded_server(streaming(1024, 65536, 0)) as port,
        socket.create_connection(("127.0.0.1", port)) as conn,
    ):
        conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        time.sleep(4)  # reading nothing
        conn.settimeout(10)
        received = 0
        while chunk := conn.recv(1 << 20):
            received += len(chunk)
    assert received < 1024 * 65536


def test_the_next_requests_time_starts_when_a_slow_answer_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The next head's time ran from the end of the request: after an answer slower than it,
    a request sent a moment later met a connection closing."""
    # the head's time 2 s, the answer 2.5 s: counted from the request's end the time ran out
    # at 4 s; from the answer's end it runs to 4.5 s — the next request comes at 4.2 s
    with (
        slow_server(monkeypatch, 2.5, head=2.0) as port,
        socket.create_connection(("127.0.0.1", port)) as conn,
    ):
        conn.settimeout(10)
        request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        conn.sendall(request)
        first = conn.recv(65536)
        time.sleep(1.7)
        conn.sendall(request)
        second = conn.recv(65536)
    assert first.startswith(b"HTTP/1.1 200") and second.startswith(b"HTTP/1.1 200")


def test_a_blank_line_after_a_body_waits_for_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Old clients send CRLF after a POST's body: the next head's clock then ran while the
    answer was being made, and closed the connection before it was sent."""
    with slow_server(monkeypatch, 1.5) as port:
        request = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
        answer = exchange(port, request, b"\r\n", pause=0.1)
    assert answer.startswith(b"HTTP/1.1 200") and b"\r\ndone\r\n" in answer


def test_a_head_begun_in_the_packet_ending_a_body_has_its_time(port: int) -> None:
    """The body's last bytes and the start of the next head in one packet, then nothing: the
    connection stayed open for ever (no timer was armed for that head)."""
    first = b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"
    started = time.monotonic()
    answer = exchange(port, first, b"helloGET /healthz HTTP/1.1\r\nX: y", pause=0.2)
    assert answer.startswith(b"HTTP/1.1 200") and time.monotonic() - started < 4.5


def test_a_body_its_answer_did_not_wait_for_is_not_dripped_for_ever(port: int) -> None:
    """GET with a body the app never reads: answered, then a byte every 0.3 s kept the
    connection (uvicorn's keep-alive timer waits for the message's end)."""
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
    started = time.monotonic()
    answer = exchange(port, head, *[b"x"] * 20, pause=0.3)
    assert answer.startswith(b"HTTP/1.1 200") and time.monotonic() - started < 4.5


def test_a_websocket_upgrade_is_plain_http_and_logs_no_secret(
    port: int, caplog: pytest.LogCaptureFixture
) -> None:
    """uvicorn answered an upgrade to ``/watch/<token>`` itself, logging the path in full: a
    watch list's secret token, past the access log's redaction. The app has no WebSocket."""
    secret = "wt_" + "s" * 40
    uvicorns = logging.getLogger("uvicorn.error")  # which does not pass records on to the root
    uvicorns.addHandler(caplog.handler)
    with caplog.at_level("DEBUG"):
        answer = exchange(
            port,
            f"GET /watch/{secret} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n".encode()
            + b"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
            + b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        )
    uvicorns.removeHandler(caplog.handler)
    assert answer.startswith(b"HTTP/1.1 404"), answer[:200]  # the page of a list not found
    assert secret not in caplog.text


def test_one_client_holds_only_so_many_connections(
    port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thousands of connections from one address, each trickling within its own bounds, used up
    the server's descriptors (a security review): past its share a client's next connection is
    refused at once, and served again once one of its own closes."""
    monkeypatch.setattr(client_connections, "MAX_CONNECTIONS_PER_CLIENT", 5)
    held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(5)]
    try:
        for conn in held:  # each served: the share is of connections open, not of requests
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert conn.recv(65536).startswith(b"HTTP/1.1 200")
        refused = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert refused.startswith(b"HTTP/1.1 429")
        assert "同一网络地址同时打开的连接过多".encode() in refused
        told_too_many(refused)
        held.pop().close()
        time.sleep(0.2)  # the server sees it closed
        assert exchange(port, GET_CLOSE).startswith(b"HTTP/1.1 200")
    finally:
        for conn in held:
            conn.close()


def told_too_many(refused: bytes) -> None:
    """A connection past its share is told as every other 429 of the API is: its JSON ``Error``
    (``rate_limited``, a ``reason``) and ``Retry-After`` — it was a bare text, no JSON, no time
    to wait (an integrator's review); the address it was for is not known yet."""
    head, _, body = refused.partition(b"\r\n\r\n")
    lines = head.lower().split(b"\r\n")
    assert b"content-type: application/json; charset=utf-8" in lines
    assert b"retry-after: %d" % client_connections.RETRY_SECONDS in lines
    said = json.loads(body)
    assert said["error"] == "rate_limited" and said["reason"] in REASONS
    assert f"或 {client_connections.RETRY_SECONDS} 秒后重试" in said["message"]
    assert b"content-length: %d" % len(body) in lines


def test_a_connection_past_its_share_is_refused_in_json_whatever_it_asks(
    port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page's address is not known when the connection arrives: the refusal is the API's."""
    monkeypatch.setattr(client_connections, "MAX_CONNECTIONS_PER_CLIENT", 1)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as held:
        held.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert held.recv(65536).startswith(b"HTTP/1.1 200")
        told_too_many(exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"))


def test_a_trusted_proxy_reaching_a_dual_stack_socket_is_known(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``certreg serve --host ::`` sees nginx on 127.0.0.1 as ::ffff:127.0.0.1: counted, the
    whole site would have had 64 connections."""
    monkeypatch.setenv("CERTREG_TRUSTED_PROXIES", "127.0.0.1")
    assert client_connections.admit(("::ffff:127.0.0.1", 0, 0, 0)) == (True, None)
    counted = client_connections.admit(("::ffff:192.0.2.1", 0, 0, 0))
    assert counted == (True, "192.0.2.1")
    client_connections.release("192.0.2.1")


def test_a_trusted_proxys_connections_are_not_counted(
    port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """nginx in front carries every client's requests on its own connections."""
    monkeypatch.setattr(client_connections, "MAX_CONNECTIONS_PER_CLIENT", 2)
    monkeypatch.setenv("CERTREG_TRUSTED_PROXIES", "127.0.0.0/8")
    held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(3)]
    try:
        assert exchange(port, GET_CLOSE).startswith(b"HTTP/1.1 200")
    finally:
        for conn in held:
            conn.close()
