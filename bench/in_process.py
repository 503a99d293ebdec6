"""What an API check and a result page cost the verification app in process, without HTTP.

``python -m bench.in_process REGISTRY`` builds the app as ``certreg serve`` does (the serving
benchmark's settings: `bench.scenarios.plans`), sends it raw ASGI requests — ``POST
/api/v1/verify`` and the form's ``POST /check`` — for the certificates `bench.scenarios.sample`
picks, and prints the CPU µs (all threads: the check log's writer too) per request of each
round. No server, no client, no network: run with ``PYTHONPATH`` set to two checkouts in turn,
it tells what the code between them costs a check, within a few per cent, where the serving
benchmark's figures move with the instance and the hour (bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message

from bench.scenarios import hidden_fields, plans, sample
from verify_app.app import create_app
from verify_app.settings import Settings

Headers = Sequence[tuple[bytes, bytes]]


class Answer:
    """An ASGI response as it was sent: status, headers and body."""

    def __init__(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status, self.headers = message["status"], list(message["headers"])
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")


async def request(
    app: ASGIApp,
    state: dict[str, Any],
    method: str,
    path: str,
    body: bytes = b"",
    headers: Headers = (),
) -> Answer:
    """One request with its whole body, from a client on loopback."""
    delivered = False

    async def receive() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client stays: no disconnect
        raise AssertionError("unreachable")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": dict(state),
    }
    answer = Answer()
    await app(scope, receive, answer.send)
    return answer


def form_fields(page: Answer) -> tuple[dict[str, str], Headers]:
    """The hidden fields (CSRF token) and the cookie that ``GET /`` hands a browser."""
    fields = hidden_fields(page.body.decode())
    cookies = [v.decode().split(";")[0] for k, v in page.headers if k == b"set-cookie"]
    return fields, [(b"cookie", "; ".join(cookies).encode())] if cookies else []


async def measure(registry: Path, rounds: int, checks: int, pages: int) -> dict[str, list[float]]:
    """CPU µs per request of each round, API checks and result pages taking turns."""
    app = create_app(Settings.from_environ(plans(registry)["verify"].env))
    state: dict[str, Any] = {}
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    outbox: asyncio.Queue[Message] = asyncio.Queue()

    async def lifespan() -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}
        await app(scope, inbox.get, outbox.put)

    await inbox.put({"type": "lifespan.startup"})
    life = asyncio.create_task(lifespan())
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    pairs = sample(registry)
    fields, cookie = form_fields(await request(app, state, "GET", "/"))
    kinds = {
        "api": (
            "/api/v1/verify",
            [json.dumps({"number": n, "name": m}).encode() for n, m in pairs],
            [(b"content-type", b"application/json")],
            checks,
        ),
        "page": (
            "/check",
            [urllib.parse.urlencode({**fields, "number": n, "name": m}).encode() for n, m in pairs],
            [(b"content-type", b"application/x-www-form-urlencoded"), *cookie],
            pages,
        ),
    }
    spent: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(rounds):
        for kind, (path, bodies, headers, count) in kinds.items():
            started = time.process_time()
            for i in range(count):
                answer = await request(app, state, "POST", path, bodies[i % len(bodies)], headers)
            spent[kind].append((time.process_time() - started) / count * 1e6)
            assert (
                answer.status == 200 and pairs[(count - 1) % len(pairs)][0].encode() in answer.body
            )
    await inbox.put({"type": "lifespan.shutdown"})
    await outbox.get()
    await life
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("registry", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--checks", type=int, default=3000, help="API checks a round")
    parser.add_argument("--pages", type=int, default=2000, help="result pages a round")
    args = parser.parse_args()
    # the checks are logged beside the registry, as the serving benchmark's are
    spent = asyncio.run(measure(args.registry.resolve(), args.rounds, args.checks, args.pages))
    for kind, label in (("api", "POST /api/v1/verify"), ("page", "POST /check (result page)")):
        rounds = " ".join(f"{us:.0f}" for us in spent[kind])
        print(f"{label}: {min(spent[kind]):.0f} µs of CPU a request (best of rounds: {rounds})")


if __name__ == "__main__":
    main()
