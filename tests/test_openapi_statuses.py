"""Every status a hostile request gets from a real ``certreg serve`` is one its operation declares
in ``/openapi.json``, with a declared media type: ``GET /api/v1/numbers/{number}`` declared 200
and 422 only, and answered 400, 405 and 431 too (an integrator's review). schemathesis sends
what a schema allows or nearly; these are what it cannot send — an HTTP head the server cannot
read, one too large, a body declared too large, a method not served, a connection past its
client's share."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from registry.public.client_connections import MAX_CONNECTIONS_PER_CLIENT
from registry.public.http_guard import MAX_HEAD_BYTES
from tests.verify_fixtures import running_server, sync_samples
from verify_app.openapi import openapi_document

FILLED = {"{number}": "G1122000001", "{token}": "abc"}
"""What each path parameter is sent as."""


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    db = tmp_path_factory.mktemp("statuses") / "registry.db"
    sync_samples(db)
    with running_server(db) as base:
        yield int(base.rsplit(":", 1)[1])


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    """(method, address, declared answers) of every operation of the document."""
    found = []
    for path, item in openapi_document()["paths"].items():
        address = path
        for name, value in FILLED.items():
            address = address.replace(name, value)
        for method, operation in item.items():
            found.append((method.upper(), address, operation["responses"]))
    return found


def hostile(method: str, address: str) -> dict[str, bytes]:
    """Requests to ``address`` the server refuses before any operation answers them."""
    served = {m for m, a, _ in operations() if a == address}
    other = next(m for m in ("PUT", "PATCH", "POST") if m not in served)
    return {
        "method": f"{other} {address} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        "raw-utf8": f"{method} {address}?x=张 HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        "no-host": f"{method} {address} HTTP/1.1\r\n\r\n".encode(),
        "huge-head": f"{method} {address} HTTP/1.1\r\nHost: x\r\nX-A: ".encode()
        + b"a" * (MAX_HEAD_BYTES + 10),
        "huge-body": f"{method} {address} HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000"
        "\r\nContent-Type: application/json\r\n\r\n".encode(),
    }


def exchange(port: int, request: bytes) -> bytes:
    """Send ``request`` and read the answer until the server closes or says no more."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        try:
            conn.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass
        received = b""
        try:
            while b"\r\n\r\n" not in received and (chunk := conn.recv(65536)):
                received += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    return received


def declares(responses: dict[str, Any], answer: bytes) -> str | None:
    """What ``answer`` breaks of ``responses``: an undeclared status or media type, or None."""
    head = answer.partition(b"\r\n\r\n")[0].decode("latin-1").lower().split("\r\n")
    status = head[0].split(" ")[1]
    if status not in responses:
        return f"status {status} not declared"
    media = next(
        (line[13:].split(";")[0].strip() for line in head if line.startswith("content-type:")), None
    )
    declared = responses[status].get("content")
    if declared and media not in declared:
        return f"{status} answered {media}, declared {sorted(declared)}"
    return None


@pytest.mark.parametrize(("method", "address", "responses"), operations())
def test_every_refusal_of_a_hostile_request_is_declared(
    port: int, method: str, address: str, responses: dict[str, Any]
) -> None:
    broken = {
        name: problem
        for name, request in hostile(method, address).items()
        if (problem := declares(responses, exchange(port, request)))
    }
    assert not broken


def test_a_connection_past_its_share_is_declared_everywhere(port: int) -> None:
    held = [
        socket.create_connection(("127.0.0.1", port), timeout=10)
        for _ in range(MAX_CONNECTIONS_PER_CLIENT)
    ]
    try:
        for conn in held:  # each admitted: answered
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert conn.recv(65536).startswith(b"HTTP/1.1 200")
        broken = {
            f"{method} {address}": problem
            for method, address, responses in operations()
            if (
                problem := declares(
                    responses,
                    exchange(port, f"{method} {address} HTTP/1.1\r\nHost: x\r\n\r\n".encode()),
                )
            )
        }
    finally:
        for conn in held:
            conn.close()
    assert not broken


def test_every_operation_declares_a_replica_that_cannot_answer_now() -> None:
    """A replica whose log or registry fails answers any request 503 with Retry-After (nginx asks
    the other): ``DELETE /watch/{token}.json`` declared none (a review)."""
    for method, address, responses in operations():
        assert "503" in responses, f"{method} {address}"
        assert "Retry-After" in responses["503"].get("headers", {}), f"{method} {address}"
