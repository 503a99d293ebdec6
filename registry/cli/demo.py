"""``certreg demo``: the sample registers in a throwaway registry, and both web parts over it.

Each part runs as its own ``certreg`` subprocess (``sync``, ``serve``, ``browse``) — exactly what
an administrator would run — with secrets and one staff account generated for this run only.
The registry lives in a temporary folder removed when the demo stops.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from importlib.resources import files
from pathlib import Path

from datasette_config.staff import PREFIX as STAFF_PREFIX
from registry.sync.lifetime import die_with

DEMO_USER = "demo"
READY_TIMEOUT = 60.0
"""Seconds a web part may take to accept connections before the demo gives up."""


class DemoFailed(RuntimeError):
    """A part of the demo did not start; the message says which and why."""


@dataclass(frozen=True)
class DemoEnvironment:
    env: dict[str, str]
    password: str


def demo_environment(base: Mapping[str, str], db: Path) -> DemoEnvironment:
    """The environment for this run: fresh secrets and a ``demo`` staff account.

    Staff accounts configured in ``base`` are left out, so the demo accepts only the account it
    prints.
    """
    # Imported here: it loads Datasette, which every other certreg command (a sync) can do without.
    from datasette_auth_passwords.utils import hash_password

    password = secrets.token_urlsafe(9)
    env = {key: value for key, value in base.items() if not key.startswith(STAFF_PREFIX)}
    env.update(
        CERTREG_DB=str(db),
        CERTREG_SECRET=secrets.token_hex(32),
        DATASETTE_SECRET=secrets.token_hex(32),
        PYTHONUNBUFFERED="1",
    )
    env[f"{STAFF_PREFIX}{DEMO_USER}"] = hash_password(password)
    return DemoEnvironment(env, password)


def shipped_samples() -> Path:
    """The sample registers: ``data/samples`` in the project's folder, else those installed with
    certreg (``pip install .`` and ``certreg demo`` anywhere, as the README's first command)."""
    here = Path("data/samples")
    if (here / "registers.toml").is_file():
        return here
    return Path(str(files("registry.defaults").joinpath("samples")))


def certreg_command(*args: str) -> list[str]:
    """Run a ``certreg`` command with this interpreter, whether or not the script is on PATH."""
    return [sys.executable, "-m", "registry", *args]


def wait_until_listening(process: subprocess.Popen[bytes], host: str, port: int, what: str) -> None:
    """Block until ``process`` accepts connections on ``port``; fail if it exits first."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DemoFailed(f"{what}启动失败（退出码 {process.returncode}），见上方输出")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise DemoFailed(f"{what}在 {READY_TIMEOUT:.0f} 秒内没有开始监听端口 {port}")


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Terminate the parts, politely first."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start(command: list[str], env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """A part that dies with the demo, however the demo ends (``kill -9``, the OOM killer):
    left running, it held its port and the next demo refused to start."""
    return subprocess.Popen(command, env=dict(env), preexec_fn=partial(die_with, os.getpid()))


def run_parts(
    env: Mapping[str, str], host: str, parts: list[tuple[str, list[str], int]]
) -> list[subprocess.Popen[bytes]]:
    """Start every part and wait until each listens; on failure, stop those already started."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for what, command, port in parts:
            processes.append(start(command, env))
            wait_until_listening(processes[-1], host, port, what)
    except BaseException:
        stop(processes)
        raise
    return processes


def wait_for_any_exit(processes: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    """Block until one of the parts exits (normally never, until Ctrl-C) and return it."""
    while True:
        for process in processes:
            if process.poll() is not None:
                return process
        time.sleep(0.5)
