"""What an HR officer does, in a real browser (Debian's chromium via Playwright, JavaScript off)
against a real ``certreg serve`` with its default allowances, at phone size and on a desktop:
a batch of 100 rows, a confirmation with one mismatched field, a report that reaches the staff
queue in a real ``certreg browse``, a watch feed that shows a 撤销 synced after the watch began,
and the API manual.

Set CERTREG_UPDATE_SCREENSHOT=1 to also refresh docs/employer-*.png, the README's screenshots.
"""

from __future__ import annotations

import csv
import http.server
import io
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.datasette_fixtures import STAFF_PASSWORD, STAFF_USER, running_browse
from tests.servers import chromium, needs_chromium, screen_page
from tests.verify_fixtures import (
    SUPERSEDED,
    VALID,
    record_revocation,
    running_server,
    sync_samples,
)
from verify_app.openapi import PATHS

sync_api = pytest.importorskip("playwright.sync_api")

DOCS = Path(__file__).resolve().parents[1] / "docs"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
DEFAULTS = {"CERTREG_RATE_LIMIT": "30", "CERTREG_BATCH_ROWS_PER_HOUR": "300"}
"""The shipped defaults (the test servers otherwise run with the allowances off)."""
WATCHED = {"phone": ("Z1122000002", "王建国"), "desktop": ("Z1122000003", "赵小龙")}
"""Each viewport watches (and sees revoked) a certificate of its own."""

pytestmark = [needs_chromium, pytest.mark.slow]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = tmp_path_factory.mktemp("employer-browser") / "registry.db"
    sync_samples(db)
    with running_server(db, DEFAULTS) as base:
        yield base, db


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        java_script_enabled=False,
        viewport=VIEWPORTS[request.param],
        device_scale_factor=2 if request.param == "phone" else 1,
        locale="zh-CN",
        accept_downloads=True,
    )
    tab = context.new_page()
    tab.size_name = request.param
    console: list[str] = []
    tab.on("console", lambda message: console.append(message.text))
    try:
        yield tab
    finally:
        context.close()
    assert [m for m in console if "Content Security Policy" in m] == []


def shoot(page: Any, name: str, tmp_path: Path, *, full_page: bool = True) -> None:
    """A screenshot, checked for size; copied to docs/ when asked to refresh them. Long pages
    (100 result rows, the manual) are shot as the screen shows them, to keep the files small."""
    shot = tmp_path / f"employer-{name}-{page.size_name}.png"
    page.screenshot(path=str(shot), full_page=full_page)
    assert shot.stat().st_size > 10_000
    if os.environ.get("CERTREG_UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, DOCS / shot.name)


def _hr_workbook(path: Path, rows: int) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["工号", "部门", "姓名", "证书编号"])
    samples = [VALID, ("G1122000002", "欧阳明"), ("C1122000001", "陈静"), ("Z1122009999", "某人")]
    for i in range(rows):
        number, name = samples[i % len(samples)]
        sheet.append([f"E{i + 1:04d}", "后勤处" if i % 2 else "车队", name, number])
    book.save(path)


def test_a_batch_of_100_rows_with_the_default_allowance(
    served: tuple[str, Path], page: Any, tmp_path: Path
) -> None:
    base, _ = served
    workbook = tmp_path / "职工名单.xlsx"
    _hr_workbook(workbook, 100)
    page.goto(base + "/batch")
    allowance = page.locator("#allowance").inner_text()
    assert "每小时最多查验 300 行" in allowance and "还可查验" in allowance
    page.get_by_label("名单文件（.xlsx、.xls、.ods、.csv 或 .txt）").set_input_files(str(workbook))
    page.get_by_role("button", name="上传并查验").click()
    assert page.locator("#results-title").inner_text() == "查验结果（100 行）"
    assert page.locator("table.results tbody tr").count() == 100
    assert (
        page.locator(
            "table.results tbody tr.result-superseded td.col-successor a"
        ).first.inner_text()
        == "G1122000003"
    )
    scroller = page.locator(".table-scroll")
    if page.size_name == "desktop":
        # the table is wider than a desktop of 1280 px too (its last columns were off-screen
        # with the hint shown on phones only): it says so, and how to see the rest
        assert scroller.evaluate("e => e.scrollWidth > e.clientWidth")
        assert page.locator(".scroll-hint").is_visible()
    else:  # a card a row, each 列名：值: the 查验结果 was cut off at 390 px (a phone review)
        assert not scroller.evaluate("e => e.scrollWidth > e.clientWidth")
        assert not page.locator(".scroll-hint").is_visible()
        label = page.locator("table.results tbody tr").first.locator("td.col-label")
        box = label.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
        shown = label.evaluate("e => getComputedStyle(e, '::before').content")
        assert shown.startswith('"') and "：" in shown, shown
        # shown, not read out: the cell's header is (an accessibility review: each header
        # was read "：行号", each value "行号：2" after its header)
        assert shown.endswith('/ ""'), shown
        head = page.locator("table.results thead th").first
        assert head.evaluate("e => getComputedStyle(e, '::before').content") == "none"
        # the cards keep a table's roles: each value read with its header (a second review:
        # a browser may drop them from a table made display: block)
        assert page.get_by_role("rowheader").count() == 100
        assert page.get_by_role("columnheader").count() == page.locator("thead th").count()
        # a card's result by its border and its bold coloured words, not a faint background
        # alone, and its links a thumb can reach (a phone review: 18 px high)
        card = page.locator("table.results tbody tr.result-valid").first
        assert card.evaluate("e => getComputedStyle(e).borderLeftWidth") == "6px"
        assert int(label.evaluate("e => getComputedStyle(e).fontWeight")) >= 700
        heights = page.locator("table.results tbody tr a").evaluate_all(
            "links => links.slice(0, 20).map(a => a.offsetHeight)"
        )
        assert heights and min(heights) >= 44, heights
    # within its box: the page does not scroll sideways (each masked name's hidden words were
    # placed by the page, three screens wide on a phone)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.locator("#results-title").scroll_into_view_if_needed()
    shoot(page, "batch", tmp_path, full_page=False)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载结果（CSV，含原文件各列）").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["工号", "部门", "姓名", "证书编号", "行号"]
    assert len(rows) == 101 and rows[1][:2] == ["E0001", "车队"]
    assert download.value.suggested_filename == "职工名单-查验结果.csv"
    # a printout is the results, counted, not the upload form and its allowance
    page.emulate_media(media="print")
    assert not page.locator("#allowance").is_visible()
    assert not page.get_by_role("link", name="下载结果（CSV，含原文件各列）").is_visible()
    assert page.locator("table.results").is_visible()
    assert "有效" in page.locator(".summary").inner_text()
    # a row's number opens its own check (for a receipt, a report); Back shows the results
    # again — it asked to send the upload again (and count its rows again)
    page.emulate_media(media="screen")
    with page.expect_navigation():
        page.locator("table.results tbody th a").first.click()
    page.go_back()
    assert page.locator("#results-title").inner_text() == "查验结果（100 行）"


def test_the_field_a_message_names_is_marked_on_screen(served: tuple[str, Path], page: Any) -> None:
    """An accessibility review: a screen reader heard the name field was invalid, and a sighted
    employer saw nothing on it to tell which field the message meant."""
    base, _ = served
    page.goto(base + "/")
    page.get_by_label("证书编号", exact=True).fill(VALID[0])
    page.get_by_label("持证人姓名", exact=True).fill("   ")
    page.get_by_role("button", name="查验").click()
    name = page.get_by_label("持证人姓名", exact=True)
    assert name.get_attribute("aria-invalid") == "true"
    style = "e => [getComputedStyle(e).borderTopColor, getComputedStyle(e).borderTopWidth]"
    assert name.evaluate(style) == ["rgb(163, 38, 42)", "2px"]
    number = page.get_by_label("证书编号", exact=True)
    assert number.evaluate("e => getComputedStyle(e).borderTopWidth") == "1px"


def test_a_confirmation_with_one_mismatched_field_reveals_nothing(
    served: tuple[str, Path], page: Any, tmp_path: Path
) -> None:
    base, _ = served
    registered = ("高级工", "汽车驾驶员", "2012-03-15")
    page.goto(base + "/")
    page.get_by_label("证书编号", exact=True).fill(VALID[0])
    page.get_by_label("持证人姓名", exact=True).fill(VALID[1])
    page.locator("details.confirm summary").click()
    page.get_by_label("证书上的等级").fill("高级工")
    page.get_by_label("证书上的工种").fill("电工")  # what the paper was changed to
    page.get_by_role("button", name="查验").click()
    page.wait_for_url(base + "/check")
    table = page.locator("section.confirmation table").inner_text()
    assert "等级\t相符" in table and "工种\t不符" in table
    content = page.content()
    assert "汽车驾驶员" not in content and "2012-03-15" not in content
    assert page.locator("#report-title").inner_text() == "报告疑似伪造证书"
    shoot(page, "confirm", tmp_path)
    # a printout is the answer, with where and when: not the forms to retry and to report
    page.emulate_media(media="print")
    assert page.locator(".print-only").is_visible()
    assert "查验时间：北京时间" in page.locator(".print-only").inner_text()
    assert not page.locator("section.retry").is_visible()
    assert not page.locator("section.report").is_visible()
    page.emulate_media(media="screen")
    api = page.request.post(
        base + "/api/v1/verify",
        data=json.dumps({"number": VALID[0], "name": VALID[1], "confirm": {"trade": "电工"}}),
        headers={"Content-Type": "application/json"},
    )
    assert api.json()["confirmation"] == {"trade": "mismatch"}
    assert all(value not in api.text() for value in registered)


def test_a_differing_paper_is_said_whole_on_a_phone(served: tuple[str, Path], page: Any) -> None:
    """已由新证书取代，但证书上的内容与登记不符 was one unbreakable 418 px heading: at 390 px its
    不符 was off the screen."""
    base, _ = served
    page.goto(base + "/")
    page.get_by_label("证书编号", exact=True).fill(SUPERSEDED[0])
    page.get_by_label("持证人姓名", exact=True).fill(SUPERSEDED[1])
    page.locator("details.confirm summary").click()
    page.get_by_label("证书上的工种").fill("钳工")
    page.get_by_role("button", name="查验").click()
    page.wait_for_url(base + "/check")
    assert page.locator("#answer-title").inner_text().endswith("与登记不符")
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, wide


@pytest.fixture
def another_site(served: tuple[str, Path]) -> Iterator[str]:
    """A page on another site (``localhost``, not the app's ``127.0.0.1``) linking into the app,
    as a mail, a chat message or an OA system does."""
    base, _ = served
    link = f'<a href="{base}/?number={VALID[0]}">查验证书</a>'.encode()

    class Linking(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(link)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Linking)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_filled_form_survives_a_link_into_the_site_from_another_site(
    served: tuple[str, Path], browser: Any, another_site: str
) -> None:
    """The form's token is tied to a cookie; a visit that arrives from another site must not
    replace that cookie, or the form already filled in another tab is refused (403) and what
    was typed is lost."""
    base, _ = served
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        filled = context.new_page()
        filled.goto(base + "/")
        filled.get_by_label("证书编号", exact=True).fill(VALID[0])
        filled.get_by_label("持证人姓名", exact=True).fill(VALID[1])
        other = context.new_page()
        other.goto(another_site)
        other.get_by_role("link", name="查验证书").click()
        other.wait_for_url(f"{base}/?number={VALID[0]}")
        with filled.expect_navigation():
            filled.get_by_role("button", name="查验").click()
        assert "表单已失效" not in filled.content()
        assert filled.locator("h1, h2").first.inner_text() != "表单已失效"
        assert "有效" in filled.locator("main").inner_text()
    finally:
        context.close()


def test_back_from_the_new_certificate_shows_the_result_again(
    served: tuple[str, Path], page: Any
) -> None:
    """A 换发 result links to the new certificate; Back from it showed the browser's error page
    (ERR_CACHE_MISS, 'confirm form resubmission'): the result was not to be kept at all."""
    base, _ = served
    page.goto(base + "/")
    page.get_by_label("证书编号", exact=True).fill(SUPERSEDED[0])
    page.get_by_label("持证人姓名", exact=True).fill(SUPERSEDED[1])
    with page.expect_navigation():
        page.get_by_role("button", name="查验").click()
    result = page.locator("section.answer h2").inner_text()
    assert "已由新证书取代" in result
    with page.expect_navigation():
        page.locator("section.answer a.mono").first.click()
    page.go_back()
    assert page.locator("section.answer h2").inner_text() == result


def test_a_list_refused_for_want_of_the_cookie_is_still_there_after_back(
    served: tuple[str, Path], page: Any
) -> None:
    """A form sent without the site's cookie is refused and nothing typed is shown again; the
    page sends the officer Back, where the pasted list must still be — a page of ours that
    forbade its fields being restored would lose it."""
    base, _ = served
    pasted = f"{VALID[0]} {VALID[1]}\n{SUPERSEDED[0]} {SUPERSEDED[1]}"
    page.goto(base + "/batch")
    page.locator("textarea").first.fill(pasted)
    page.context.clear_cookies()
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()
    assert "点浏览器的“后退”回到刚才的页面" in page.locator("p.problem").inner_text()
    page.go_back()
    assert page.locator("textarea").first.input_value() == pasted


def test_a_report_from_no_match_reaches_the_staff_queue(
    served: tuple[str, Path], page: Any, tmp_path: Path
) -> None:
    base, db = served
    number = "G11220099" + ("01" if page.size_name == "phone" else "02")
    page.goto(base + "/")
    page.get_by_label("证书编号", exact=True).fill(number)
    page.get_by_label("持证人姓名", exact=True).fill("冒名者")
    page.get_by_role("button", name="查验").click()
    assert "查验结果：未查到" in page.locator("section.answer h2").inner_text()
    assert "028-86113498" in page.locator("p.contact").inner_text()
    page.get_by_label("您的联系方式（可选）").fill("某医院人事处 028-00000000")
    page.get_by_label("情况说明（必填，最多 500 字）").fill(f"应聘者出示的证书 {number} 查不到")
    shoot(page, "report", tmp_path)
    page.get_by_role("button", name="提交报告").click()
    assert page.locator("h1").inner_text() == "报告已提交"
    with running_browse(db) as staff:
        page.goto(staff + "/-/login")
        page.get_by_label("用户名").fill(STAFF_USER)
        page.get_by_label("密码").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.goto(staff + "/verify_log/report_queue?发证机关=")
        queue = page.locator("table.rows-and-columns").inner_text()
        assert number in queue and "某医院人事处 028-00000000" in queue and "未查到" in queue
        assert "冒名者" not in page.content()
        # each parameter's label on one line (on a phone 发证机关 broke after 发证机)
        for label in page.locator("form.sql label").all():
            lines = "e => { const r = document.createRange(); r.selectNodeContents(e); "
            lines += "return r.getClientRects().length; }"
            assert label.evaluate(lines) == 1, label.inner_text()
        shoot(page, "report-queue", tmp_path)


def test_a_watch_feed_shows_a_revocation_synced_after_it_began(
    served: tuple[str, Path], page: Any, tmp_path: Path
) -> None:
    base, db = served
    number, name = WATCHED[page.size_name]
    page.goto(base + "/watch")
    page.get_by_label("证书编号和姓名（每行一份）").fill(f"{number} {name}\n{VALID[0]}，{VALID[1]}")
    page.get_by_role("button", name="建立关注列表").click()
    assert page.locator("h1").inner_text() == "关注列表已建立"
    json_url = page.locator("dl.feeds dd a").nth(2).get_attribute("href")
    watch_url = page.locator("dl.feeds dd a").nth(0).get_attribute("href")
    assert json_url and watch_url and name not in json_url
    record_revocation(db, tmp_path / "later", number, name, "2020-03-01")
    feed = page.request.get(json_url).json()
    assert [item["_certreg"]["number"] for item in feed["items"]] == [number]
    assert feed["items"][0]["_certreg"]["event"] == "撤销"
    assert name not in json.dumps(feed, ensure_ascii=False)
    page.goto(watch_url)
    events = page.locator("ul.events").inner_text()
    assert "撤销" in events and number in events and "2020-03-01" in events
    assert "川人社函〔2020〕1号" not in events  # a public answer shows no document (SPEC §7)
    shoot(page, "watch", tmp_path)
    page.get_by_role("button", name="删除此关注列表").click()  # the box unticked: nothing
    assert page.locator("h1").inner_text() == "关注列表"
    page.get_by_label("确认删除").check()
    page.get_by_role("button", name="删除此关注列表").click()
    assert page.locator("h1").inner_text() == "关注列表已删除"
    assert page.request.get(json_url).status == 404


@pytest.mark.parametrize("forced_colors", ["active", "none"])
def test_buttons_and_focus_stay_visible_in_high_contrast(
    served: tuple[str, Path], browser: Any, forced_colors: str
) -> None:
    """Windows' high contrast (forced colours) drops a button's background: with no border, 查验
    was white text on nothing. And the focus ring is yellow in a dark ring, seen on the white
    page (yellow alone: 1.9:1, below the 3:1 of WCAG 1.4.11) as on the blue header (forced
    colours draw the outline alone, in the system's colour)."""
    base, _ = served
    context = browser.new_context(forced_colors=forced_colors, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(base + "/")
        border = "b => [getComputedStyle(b).borderTopWidth, getComputedStyle(b).borderTopStyle]"
        assert page.get_by_role("button", name="查验").evaluate(border) == ["2px", "solid"]
        page.focus("#number")
        ring = page.eval_on_selector("#number", "e => getComputedStyle(e).outlineStyle")
        assert ring == "solid"
        if forced_colors == "none":
            dark = page.eval_on_selector("#number", "e => getComputedStyle(e).boxShadow")
            assert dark == "rgb(27, 27, 27) 0px 0px 0px 7px"
    finally:
        context.close()


def test_the_api_manual(served: tuple[str, Path], page: Any, tmp_path: Path) -> None:
    base, _ = served
    page.goto(base + "/")
    page.get_by_role("link", name="接口说明（API）").click()
    page.wait_for_url(base + "/docs")
    assert page.locator("h1").inner_text() == "接口说明（API）"
    operations = [op for ops in PATHS.values() for op in ops.values()]
    assert page.locator("section.operation").count() == len(operations)  # every one
    assert "Authorization: Bearer" in page.locator("#keys").inner_text()
    shoot(page, "docs", tmp_path, full_page=False)
    # a thumb's reach (an accessibility review: 19 px high), here and on a page's way back
    heights = page.locator(".toc a").evaluate_all("links => links.map(a => a.offsetHeight)")
    page.goto(base + "/nothing-here")
    heights += page.locator(".again a").evaluate_all("links => links.map(a => a.offsetHeight)")
    assert len(heights) > 2 and min(heights) >= 44, heights


@pytest.mark.parametrize("path", ["/", "/batch", "/watch", "/docs", "/check"])
def test_no_page_scrolls_sideways_on_a_small_phone_with_text_at_200_percent(
    browser: Any, served: tuple[str, Path], path: str
) -> None:
    """A phone's text size doubled (the browser's default font size, as its settings set it):
    a result's time and label were never wrapped and pushed the page to 449 px on a 320 px
    screen — the receipt's expiry cut off —, the manual's contents to 578 px."""
    with screen_page(browser, {"width": 320, "height": 640}, 32) as tab:
        base, _ = served
        tab.goto(base + ("/" if path == "/check" else path))
        if path == "/check":  # a replaced certificate's answer: the longest label, a receipt
            tab.get_by_label("证书编号", exact=True).fill(SUPERSEDED[0])
            tab.get_by_label("持证人姓名", exact=True).fill(SUPERSEDED[1])
            tab.get_by_role("button", name="查验").click()
            tab.wait_for_url(base + "/check")
            assert "已由新证书取代" in tab.locator("#answer-title").inner_text()
        wide = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, (path, wide)


@pytest.mark.parametrize("path", ["/", "/batch", "/watch", "/docs"])
def test_no_page_scrolls_sideways_on_a_phone(
    page: Any, served: tuple[str, Path], path: str
) -> None:
    """Wide tables (the manual's) scroll within their own box; the page itself never does, and
    the footer's links are big enough to tap."""
    base, _ = served
    page.goto(base + path)
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, (path, wide)
    heights = page.locator("footer.site nav a").evaluate_all(
        "links => links.map(a => a.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 32, heights


def test_a_batchs_results_print_whole_on_a4_landscape(
    served: tuple[str, Path], browser: Any, tmp_path: Path
) -> None:
    """Printed for an applicant's file, the table was 1,295 px on a 762 px page, its right-hand
    columns (状态日期, 新证书编号, 补发证书 …) cut off, and the first page was portrait (a phone
    review): every page is A4 landscape, and the table fits its 277 mm."""
    base, _ = served
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1047, "height": 700}
    )
    tab = context.new_page()
    try:
        workbook = tmp_path / "职工名单.xlsx"
        _hr_workbook(workbook, 12)
        tab.goto(base + "/batch")
        tab.get_by_label("名单文件（.xlsx、.xls、.ods、.csv 或 .txt）").set_input_files(
            str(workbook)
        )
        tab.get_by_role("button", name="上传并查验").click()
        tab.emulate_media(media="print")
        table, page_width = tab.evaluate(
            "() => [document.querySelector('table.results').scrollWidth,"
            " document.documentElement.clientWidth]"
        )
        pdf = tab.pdf(prefer_css_page_size=True)
    finally:
        context.close()
    assert table <= page_width, (table, page_width)  # 1047 px: A4 landscape within 1 cm margins
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert boxes and all(float(w) > float(h) for w, h in boxes), boxes
