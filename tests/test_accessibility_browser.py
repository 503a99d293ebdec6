"""An accessibility review's findings, in a real browser (Debian's chromium via Playwright,
JavaScript off, as the pages are meant to be used) against a real ``certreg serve``: an older
officer at 200% zoom (a 1280 × 800 window seen as 640 × 400), the keyboard alone, a small phone.
What the markup alone shows is tested with the TestClient in tests/test_verify_app_pages.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.servers import CHROMIUM, CHROMIUM_ARGS, needs_chromium
from tests.verify_fixtures import running_server, sync_samples

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [needs_chromium, pytest.mark.slow]

ZOOMED = {"width": 640, "height": 400}
"""A 1280 × 800 window at 200% zoom."""

IN_SIGHT = (
    "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
)
STARTS_IN_SIGHT = (
    "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }"
)
"""Begun on the screen: a list's box is taller than the screen's rest (at 200% the pasted list's
box starts at 369 px of 400, below the file's field it is the alternative to)."""
FOCUSED_ID = "() => document.activeElement.id"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("accessibility-browser") / "registry.db"
    sync_samples(db)
    with running_server(db) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def zoomed(browser: Any) -> Iterator[Any]:
    context = browser.new_context(java_script_enabled=False, viewport=ZOOMED, locale="zh-CN")
    try:
        yield context.new_page()
    finally:
        context.close()


def _refused_in_sight(page: Any, field: str) -> None:
    """The refusal and the field it names, focused, both on the first screen; the message
    before the form (read first), tied to the field."""
    error = page.locator("#form-error")
    assert error.is_visible()
    assert page.evaluate(FOCUSED_ID) == field
    assert error.evaluate(IN_SIGHT), error.bounding_box()
    assert page.locator(f"#{field}").evaluate(STARTS_IN_SIGHT)
    before = "e => !!(e.compareDocumentPosition(document.querySelector('form.check')) & 4)"
    assert error.evaluate(before)
    assert "form-error" in (page.locator(f"#{field}").get_attribute("aria-describedby") or "")


def test_a_refused_upload_is_seen_with_its_field_focused(zoomed: Any, base: str) -> None:
    """A failed /batch submit: the error was at 427 px of a 400 px window, the focus on BODY —
    it looked as if nothing had happened."""
    zoomed.goto(base + "/batch")
    with zoomed.expect_navigation():
        zoomed.get_by_role("button", name="上传并查验").click()  # neither a file nor a list
    _refused_in_sight(zoomed, "file")
    zoomed.locator("#entries").fill("这不是证书编号")
    with zoomed.expect_navigation():
        zoomed.get_by_role("button", name="上传并查验").click()
    _refused_in_sight(zoomed, "entries")


def test_a_refused_watch_list_is_seen_with_its_field_focused(zoomed: Any, base: str) -> None:
    zoomed.goto(base + "/watch")
    zoomed.get_by_label("证书编号和姓名（每行一份）").fill("G1122009999 某人")
    with zoomed.expect_navigation():
        zoomed.get_by_role("button", name="建立关注列表").click()
    _refused_in_sight(zoomed, "entries")
