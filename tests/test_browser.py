"""A real browser (Debian's chromium via Playwright) with JavaScript off fills the form of a
real ``certreg serve``, reads the result and its receipt, and saves a screenshot.

Set CERTREG_UPDATE_SCREENSHOT=1 to also refresh docs/verify-page.png, the README's screenshot.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.servers import CHROMIUM, CHROMIUM_ARGS, needs_chromium
from tests.verify_fixtures import VALID, registry_db, running_server

__all__ = ["registry_db"]

README_SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "verify-page.png"

sync_api = pytest.importorskip("playwright.sync_api")


@needs_chromium
def test_form_to_result_to_receipt_without_javascript(registry_db: Path, tmp_path: Path) -> None:
    console: list[str] = []
    with running_server(registry_db) as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                java_script_enabled=False,
                viewport={"width": 420, "height": 900},
                device_scale_factor=2,
                locale="zh-CN",
            )
            page = context.new_page()
            page.on("console", lambda message: console.append(message.text))
            images: list[tuple[str, int, str]] = []
            page.on(
                "response",
                lambda r: images.append((r.url, r.status, r.headers.get("content-type", ""))),
            )
            page.goto(base + "/")
            # the first Tab shows a way past the header to the form, off the screen until then
            skip = page.get_by_role("link", name="跳到正文")
            assert (box := skip.bounding_box()) and box["x"] + box["width"] < 0
            page.keyboard.press("Tab")
            assert skip.evaluate("e => e === document.activeElement")
            assert (box := skip.bounding_box()) and box["x"] >= 0
            page.get_by_label("证书编号", exact=True).fill("g11 2200 0001")
            page.get_by_label("持证人姓名", exact=True).fill(VALID[1])
            page.get_by_role("button", name="查验").click()
            page.wait_for_url(base + "/check")

            answer = page.locator("section.answer")
            assert "查验结果：有效" in answer.locator("h2").inner_text()
            details = answer.locator("dl.details").inner_text()
            assert "G1122000001" in details and "张*明" in details and "汽车驾驶员" in details
            assert VALID[1] not in page.content()
            page.wait_for_load_state("load")  # images included
            src = page.locator("figure.qr img").get_attribute("src")
            assert (base + str(src), 200, "image/svg+xml") in images  # the browser loaded the QR
            shot = tmp_path / "verify-page.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000

            # a bare URL as a link's text said nothing of where it leads to a screen reader
            link = page.get_by_role("link", name=re.compile(r"^查验回执链接：\s*http"))
            receipt_url = link.get_attribute("href")
            assert receipt_url and receipt_url.startswith(base + "/r/")
            page.goto(receipt_url)
            assert page.locator("h1").inner_text() == "查验回执"
            assert page.get_by_role("link", name=re.compile("^本查验回执的链接：")).count() == 1
            hidden = page.locator("section.receipt .visually-hidden").bounding_box()
            assert hidden and hidden["width"] <= 1 and hidden["height"] <= 1  # heard, not seen
            assert "查验结果：有效" in page.locator("section.answer h2").inner_text()
        finally:
            browser.close()
    assert [m for m in console if "Content Security Policy" in m] == []
    if os.environ.get("CERTREG_UPDATE_SCREENSHOT"):
        README_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, README_SCREENSHOT)
