"""The processes a benchmark starts and talks to: a server pinned to core 0 until it answers,
free loopback ports, and HTTP(S) requests that keep their cookies."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path


def stop(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """Terminate ``process`` if it still runs; kill it if it has not ended within ``timeout``
    seconds. (The tests stop their servers with it too.)"""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


Started = tuple[str, list[int]]
"""a running server side: its base URL and the processes (with their children) serving it"""


@contextmanager
def server(
    argv: list[str], env: dict[str, str], ready: str, log: Path, port: int | None = None
) -> Iterator[Started]:
    """Start ``argv`` pinned to core 0; yield its base URL (and pid) once ``ready`` answers 200."""
    port = port or free_port()
    command = [part.replace("{port}", str(port)) for part in argv]
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["taskset", "-c", "0", *command],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{' '.join(command)} exited; see {log}")
                try:
                    with urllib.request.urlopen(base + ready, timeout=5) as response:
                        if response.status == 200:
                            break
                except (urllib.error.URLError, OSError):
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{' '.join(command)} did not answer {ready}; see {log}")
                time.sleep(0.2)
            yield base, [process.pid]
        finally:
            stop(process)


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    cookies: dict[str, str]


def fetch(
    base: str,
    method: str,
    path: str,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request, for checking a scenario answers what it should before loading it."""
    request = urllib.request.Request(
        base + path,
        data=body.encode() if body is not None else None,
        method=method,
        headers=headers or {},
    )
    try:
        with urllib.request.urlopen(request, timeout=10, context=_UNVERIFIED) as response:
            status, raw, info = response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        status, raw, info = exc.code, exc.read(), exc.headers
    pairs = (cookie.split(";", 1)[0] for cookie in info.get_all("Set-Cookie") or [])
    cookies = dict(pair.split("=", 1) for pair in pairs if "=" in pair)
    return Answer(status, raw.decode("utf-8", errors="replace"), cookies)


_UNVERIFIED = ssl.create_default_context()
_UNVERIFIED.check_hostname = False
_UNVERIFIED.verify_mode = ssl.CERT_NONE
"""the deployment's throw-away certificate (bench.deployment.self_signed) is trusted by no one"""


def free_ports(count: int) -> list[int]:
    """``count`` different free ports (the sockets are held together: no port comes twice)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


def _wait(ready: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.1)


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def _pinned(command: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["taskset", "-c", "0", *command],
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        yield process
    finally:
        stop(process)


def _answers(base: str) -> bool:
    try:
        return fetch(base, "GET", "/healthz").status == 200
    except OSError:
        return False
