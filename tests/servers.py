"""Helpers for tests that start real servers (uvicorn, Datasette) on this machine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench.processes import free_port, stop

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "chromium",
    "free_port",
    "needs_chromium",
    "screen_page",
    "stop",
]


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


@contextmanager
def screen_page(
    browser: Any, viewport: dict[str, int], font_size: int | None = None
) -> Iterator[Any]:
    """A page without script on a phone-like screen of ``viewport`` (pixel ratio 2), its text
    at ``font_size`` px as a phone's settings set it (None: the browser's default), closed
    after."""
    context = browser.new_context(
        java_script_enabled=False, viewport=viewport, device_scale_factor=2, locale="zh-CN"
    )
    try:
        tab = context.new_page()
        if font_size:
            sizes = {"fontSizes": {"standard": font_size, "fixed": 26}}
            context.new_cdp_session(tab).send("Page.setFontSizes", sizes)
        yield tab
    finally:
        context.close()
