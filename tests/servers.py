"""Helpers for tests that start real servers (uvicorn, Datasette) on this machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.processes import free_port, stop

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "free_port", "needs_chromium", "stop"]


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
