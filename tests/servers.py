"""Helpers for tests that start real servers (uvicorn, Datasette) on this machine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench.processes import free_port, stop

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "chromium", "free_port", "needs_chromium", "stop"]


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


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium launched through Playwright for a module's pages, closed after (a
    module's tests share one: a launch takes a second or two)."""
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
