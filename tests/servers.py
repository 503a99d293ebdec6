"""Helpers for tests that start real servers (uvicorn, Datasette) on this machine."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


CHROMIUM = "/usr/bin/chromium"
"""Debian's Chromium, driven by Playwright (no browser download works here)."""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium not installed"
)
