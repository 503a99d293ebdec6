"""An accessibility review's findings, in a real browser (Debian's chromium via Playwright,
JavaScript off, as the pages are meant to be used) against a real ``certreg serve``: an older
officer at 200% zoom (a 1280 × 800 window seen as 640 × 400), the keyboard alone, a small phone.
What the markup alone shows is tested with the TestClient in tests/test_verify_app_pages.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.servers import chromium, needs_chromium, screen_page
from tests.verify_fixtures import SUPERSEDED, running_server, sync_samples

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
    with chromium() as launched:
        yield launched


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


SCREENS = {
    "phone": ({"width": 390, "height": 844}, None),
    "small phone, text at 200%": ({"width": 320, "height": 640}, 32),
    "desktop": ({"width": 1280, "height": 900}, None),
}
"""A viewport and the browser's default font size, when the phone's settings doubled it."""


@pytest.fixture(params=list(SCREENS))
def screen(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    with screen_page(browser, *SCREENS[request.param]) as tab:
        yield tab


SCROLLS = "boxes => boxes.filter(b => b.scrollWidth > b.clientWidth).length"


def test_the_manuals_examples_and_tables_are_no_tab_stops_and_need_none(
    screen: Any, base: str
) -> None:
    """44 boxes of /docs were Tab stops (tabindex=0) for scrolling sideways, of which a few
    scrolled: some 41 extra stops, their focus rings mostly off the screen. The examples and
    the tables wrap instead; none scrolls, on a desktop or a phone with its text doubled."""
    screen.goto(base + "/docs")
    assert screen.locator("main [tabindex]:not(main)").count() == 0
    boxes = screen.locator("main pre, main .table-scroll")
    assert boxes.count() == 6 + screen.locator("main table").count()
    assert boxes.evaluate_all(SCROLLS) == 0
    # the tables keep a name, as the boxes' labels gave them
    captions = screen.locator("main table caption").all_inner_texts()
    assert len(captions) == screen.locator("main table").count()
    assert "结果代码表" in captions


SPLIT_WORDS = """cells => cells.flatMap(cell => [...cell.childNodes]
    .filter(n => n.nodeType === 3 && !/[ /+-]/.test(n.textContent))
    .filter(n => { const r = document.createRange(); r.selectNodeContents(n);
        return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size > 1; })
    .map(n => n.textContent))"""
"""The words of code cells broken inside: between a <wbr> and the next, with no space, hyphen,
slash or plus at which a line may end."""


def test_the_manuals_codes_and_field_names_stay_whole(screen: Any, base: str) -> None:
    """overflow-wrap: anywhere broke the tables' codes mid-word even on a desktop: val/id,
    rei/ssu/ed, no_/mat/ch (209 of 271 cells on two lines or more at 1280 px), a letter a line
    on a phone. A result code is one line on any screen; on a desktop every code and field name
    is; on a phone with its text doubled a long one breaks after a dot or _ only."""
    screen.goto(base + "/docs")
    codes = screen.locator("#results table th.mono")
    assert codes.all_inner_texts()[:2] == ["valid", "reissued"]
    assert set(codes.evaluate_all(f"cells => cells.map({LINES})")) == {1}
    cells = screen.locator("main table td.mono, main table th.mono")
    if screen.viewport_size["width"] >= 1280:
        assert set(cells.evaluate_all(f"cells => cells.map({LINES})")) == {1}
    assert cells.evaluate_all(SPLIT_WORDS) == []


def test_a_batchs_results_are_one_tab_stop_named_for_what_they_are(screen: Any, base: str) -> None:
    """The results' box stays a Tab stop (on a desktop it scrolls), named 查验结果: "可左右滚动"
    was announced on a phone too, whose cards do not scroll."""
    screen.goto(base + "/batch")
    screen.locator("#entries").fill("G1122000001 张三明\nG1122000002 欧阳明")
    with screen.expect_navigation():
        screen.get_by_role("button", name="上传并查验").click()
    stops = screen.locator("main [tabindex='0']")
    assert stops.count() == 1
    assert stops.get_attribute("aria-label") == "查验结果"


def test_the_next_upload_is_one_step_past_the_results(zoomed: Any, base: str) -> None:
    """300 rows were 733 Tab stops (each number's link, each report's button) before the form
    to upload another file."""
    rows = "\n".join(["G1122000001 张三明", "G1122009999 某人"] * 10)
    zoomed.goto(base + "/batch")
    zoomed.locator("#entries").fill(rows)
    with zoomed.expect_navigation():
        zoomed.get_by_role("button", name="上传并查验").click()
    skip = zoomed.get_by_role("link", name="跳过结果表，上传另一个文件")
    assert skip.count() == 1
    before = "e => !!(e.compareDocumentPosition(document.querySelector('table.results')) & 4)"
    assert skip.evaluate(before)
    skip.focus()
    zoomed.keyboard.press("Enter")
    zoomed.keyboard.press("Tab")
    assert zoomed.evaluate(FOCUSED_ID) == "file"
    assert skip.evaluate("e => e.offsetHeight") >= 44


PHONE_360 = {"360 px": None, "360 px, text at 200%": 32}


@pytest.fixture(params=list(PHONE_360))
def phone(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    with screen_page(browser, {"width": 360, "height": 640}, PHONE_360[request.param]) as tab:
        yield tab


HEIGHTS = "links => links.map(a => a.getBoundingClientRect().height)"
LINES = (
    "e => { const r = document.createRange(); r.selectNodeContents(e);"
    " return new Set([...r.getClientRects()].map(b => Math.round(b.bottom))).size; }"
)
"""How many lines an element's text takes."""


def _check(page: Any, base: str, number: str, name: str) -> None:
    page.goto(base + "/")
    page.get_by_label("证书编号", exact=True).fill(number)
    page.get_by_label("持证人姓名", exact=True).fill(name)
    with page.expect_navigation():
        page.get_by_role("button", name="查验").click()


def test_a_new_certificates_number_is_whole_and_a_thumbs_reach(phone: Any, base: str) -> None:
    """On a 换发's answer the new number's links were 19 px high, and with the text doubled on
    a 360 px phone the number broke, "G112200000" / "3"."""
    _check(phone, base, *SUPERSEDED)
    headline = phone.locator("section.answer p.headline > a.mono")
    assert headline.inner_text() == "G1122000003"
    assert headline.evaluate(LINES) == 1
    assert headline.evaluate("e => e.getBoundingClientRect().right") <= 360
    heights = phone.locator("section.answer p.headline > a.mono, dl.details dd > a")
    assert heights.count() == 2 and min(heights.evaluate_all(HEIGHTS)) >= 44
    assert phone.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0


def test_the_authoritys_phone_is_a_thumbs_reach_and_whole(phone: Any, base: str) -> None:
    """The authority's tel: link was 19 px high; in a batch's cards the phone was plain text,
    wrapped after 028-."""
    _check(phone, base, "G1122009999", "某人")
    calls = phone.locator('p.contact > a[href^="tel:"]')
    assert calls.count() >= 1 and min(calls.evaluate_all(HEIGHTS)) >= 44
    phone.goto(base + "/batch")
    phone.locator("#entries").fill("G1122009999 某人\nG1122000001 张三明")
    with phone.expect_navigation():
        phone.get_by_role("button", name="上传并查验").click()
    call = phone.locator('table.results td.col-advice a[href^="tel:"]')
    assert call.count() == 1
    assert call.get_attribute("href") == "tel:" + call.inner_text().replace("-", "")
    assert call.inner_text().startswith("028-")
    assert call.evaluate(LINES) == 1 and call.evaluate("e => e.offsetHeight") >= 44


LONG_TYPED = ("G11220000012345678901234567890", "Z1122020123/Z1122020124/Z1122020125")
"""Malformed numbers as a file may hold them: a long one, three pasted in one cell."""


def test_a_long_malformed_number_stays_on_a_phones_screen(phone: Any, base: str) -> None:
    """A batch's 需要跟进的行 kept each number whole on one line, the numbers typed too: a long
    malformed one pushed the page sideways on a 360 px phone. A typed number wraps; the
    registered ones (of 11 characters) stay whole."""
    rows = ["G1122000001,张三明"] * 10 + [f"{number},李四" for number in LONG_TYPED]
    listed = "证书编号,姓名\n" + "\n".join([*rows, "G1122009999,某人"])
    phone.goto(base + "/batch")
    csv = {"name": "名单.csv", "mimeType": "text/csv", "buffer": listed.encode()}
    phone.locator("#file").set_input_files(csv)
    with phone.expect_navigation():
        phone.get_by_role("button", name="上传并查验").click()
    listed = phone.locator(".follow-up li .mono")
    assert listed.all_inner_texts() == [*LONG_TYPED, "G1122009999"]
    assert listed.last.evaluate(LINES) == 1
    assert phone.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
    assert phone.locator("main .table-scroll").evaluate_all(SCROLLS) == 0


def _luminance(rgb: str) -> float:
    """WCAG's relative luminance of a computed ``rgb(r, g, b)``."""
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_an_invalid_fields_placeholder_is_readable(zoomed: Any, base: str) -> None:
    """The browser's grey on an invalid field's pink (#fdf6f6): 4.32:1, below 1.4.3's 4.5:1."""
    zoomed.goto(base + "/batch")
    with zoomed.expect_navigation():
        zoomed.get_by_role("button", name="上传并查验").click()
    field = zoomed.locator("#entries")
    assert field.get_attribute("aria-invalid") == "true" and field.input_value() == ""
    ink = field.evaluate("e => getComputedStyle(e, '::placeholder').color")
    paper = field.evaluate("e => getComputedStyle(e).backgroundColor")
    assert paper == "rgb(253, 246, 246)"
    lighter, darker = sorted((_luminance(ink), _luminance(paper)), reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 4.5, (ink, paper)


def test_a_new_watch_lists_address_has_the_width_to_be_read(zoomed: Any, base: str) -> None:
    """At 200% zoom the label beside it (a grid of max-content and the rest) left the link to
    save the list 97 px, seven lines."""
    zoomed.goto(base + "/watch")
    zoomed.get_by_label("证书编号和姓名（每行一份）").fill("G1122000001 张三明")
    with zoomed.expect_navigation():
        zoomed.get_by_role("button", name="建立关注列表").click()
    listing = zoomed.locator("dl.details.feeds").first
    width = "e => e.getBoundingClientRect().width"
    assert listing.locator("dd").evaluate(width) >= 0.9 * listing.evaluate(width)
    assert listing.locator("dd a").evaluate(LINES) <= 3
