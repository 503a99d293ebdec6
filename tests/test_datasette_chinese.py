"""Every page staff see in the Datasette is Chinese: signed in, over the synced samples, each page
is read as a person reads it and must show none of Datasette's English, no code without its label
and no UTC timestamp; times are Beijing time with the zone named.

A real browser (Debian's chromium via Playwright) also opens the certificates table and the stock
reconciliation; set CERTREG_UPDATE_SCREENSHOT=1 to refresh docs/staff-table.png and
docs/staff-stock.png from it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, get_args

import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from datasette.utils import tilde_encode

from datasette_config import config_dir
from datasette_config.errors import error_page
from datasette_config.labels import (
    CODE_COLUMNS,
    beijing_time,
    code_label,
)
from registry.cli import cli
from registry.domain.registers import KIND_LABELS
from registry.domain.statuses import REQUISITION_STATUS_LABELS, RESULT_LABELS, RESULTS
from registry.kinds import KINDS
from registry.store import verify_log_path
from registry.store.schema import CERTIFICATE_COLUMNS, TABLES
from registry.store.syncs import SEVERITY_LABELS
from registry.store.verify_log import CHANNEL_LABELS, REPLICA_LOGS_COLUMNS, Channel
from registry.sync.report import HISTORY_LABELS
from tests.datasette_fixtures import (
    MIANYANG_2012,
    SAMPLES,
    STAFF_HASH,
    STAFF_PASSWORD,
    STAFF_USER,
    build_registry,
    build_verify_log,
    running_browse,
    shipped_datasette,
    shipped_metadata,
    signed_in,
    sync,
)
from tests.registers import RegisterFactory, approval_row
from tests.servers import CHROMIUM, CHROMIUM_ARGS, needs_chromium

# -- what must not be seen ------------------------------------------------------------------

# The visible English of Datasette 0.65's templates, drawn by reading the installed
# datasette/templates/*.html (all but patterns.html, Datasette's own style guide) and
# datasette_auth_passwords/templates/*.html: Jinja tags, comments, <script> and <style> removed,
# HTML tags removed, every fragment with a Latin word kept, plus the labels of submit buttons.
# Left out: fragments that are data or SQL ("select * from", ".db", CSS class names), product
# and format names (Datasette, JSON, CSV, SQL), and lone words too common to search for ("row",
# "table", "from", "in", "view") — the phrases and the counted forms below cover them.
TEMPLATE_ENGLISH = [
    # _description_source_license.html, _footer.html, _suggested_facets.html, _table.html
    "Data license",
    "Data source",
    "About:",
    "Powered by",
    "Queries took",
    "Suggested facets",
    "0 records",
    # base.html, logout.html, error.html
    "Menu",
    "Log out",
    "You are logged in as",
    "Error",
    # index.html, database.html
    "rows in",
    "hidden table",
    "hidden tables",
    "Table actions",
    "Custom SQL query",
    "Format SQL",
    "Run SQL",
    "are attached to this connection",
    "Queries",
    "Tables",
    "Views",
    "(hidden)",
    "Many rows",
    "... and",
    "Download SQLite DB",
    # row.html
    "This data as",
    "Links from other tables",
    # table.html
    "(view)",
    "Search:",
    "- remove filter -",
    "- column -",
    "Sort...",
    "Sort by",
    "descending",
    "extra where clause",
    "remove",
    "View and edit SQL",
    "advanced",
    "These facets timed out",
    "Next page",
    "Advanced export",
    "JSON shape",
    "newline-delimited",
    "CSV options",
    "download file",
    "expand labels",
    "stream all rows",
    "Apply",
    "Export CSV",
    # query.html
    "This query cannot be executed",
    "returning",
    "more than",
    "Query parameters",
    "Edit SQL",
    "0 results",
    # allow_debug.html, messages_debug.html, permissions_debug.html
    "Debug allow rules",
    "Use this tool",
    "Allow block",
    "Apply allow block to actor",
    "Result: allow",
    "Result: deny",
    "Debug messages",
    "Set a message",
    "Add message",
    "Debug permissions",
    "Recent permissions checks",
    # datasette-auth-passwords: password_login.html, password_tool.html
    "Log in",
    "Username",
    "Password",
    "Password tool",
    "Create password hash",
    "Create a password hash",
]
COUNTED_ENGLISH = [r"\d+ rows?\b", r"\d+ tables?\b", r"\d+ views?\b", r"\d+ results?\b"]
"""index.html, database.html, row.html and table.html's "{n} row{s}" and the like."""

# English Datasette writes from Python into the same pages: views/*.py, filters.py, app.py
# (breadcrumbs), handle_exception.py, forbidden.py, and SQLite's own messages.
PYTHON_ENGLISH = [
    "home",
    "show",
    "hide",
    "sorted by",
    "search matches",
    "contains",
    "starts with",
    "ends with",
    "is blank",
    "is not blank",
    "does not contain",
    "Invalid SQL",
    "SQL Interrupted",
    "took too long",
    "Statement must be a SELECT",
    "syntax error",
    "no such table",
    "no such column",
    "Forbidden",
    "forbidden",
    "not found",
    "Database not found",
    "Table not found",
    "Record not found",
    "You do not have permission",
    "Permission denied",
    "You are now logged out",
]

# datasette/static/table.js builds the column menu in the browser; table.html carries its
# translation instead (templates/_table_js.html).
TABLE_JS_ENGLISH = [
    "Sort ascending",
    "Sort descending",
    "Facet by this",
    "Hide this column",
    "Show all columns",
    "Show not-blank rows",
    "Type: ",
    "Remove this filter",
]

ENGLISH = re.compile(
    "|".join(
        [rf"(?<![A-Za-z]){re.escape(p)}(?![A-Za-z])" for p in TEMPLATE_ENGLISH + PYTHON_ENGLISH]
        + COUNTED_ENGLISH
    )
)
HAN = re.compile(r"[\u4e00-\u9fff]")
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")

CODES: dict[str, str] = {
    **KIND_LABELS,
    **SEVERITY_LABELS,
    **CHANNEL_LABELS,
    **REQUISITION_STATUS_LABELS,
    **RESULT_LABELS,
    **HISTORY_LABELS,
}
"""Every code the registry and the verification log store, with the label it must carry."""


CODE_ELEMENTS = ("script", "style", "pre", "textarea")
"""Not read as words: scripts, styles, and the SQL, schema and JSON Datasette shows as code."""


class Page(HTMLParser):
    """A page as a person reads it: the visible words (not code, nor the legend hidden by
    table.html), the tooltips and button labels; and apart, the text of each table cell and facet
    list item, where codes and times are shown."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.title = ""
        self.lang: str | None = None
        self.cells: list[str] = []
        self._hidden: str | None = None
        self._cell: str | None = None
        self._in_title = False
        self._in_facet_list = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.lang = attributes.get("lang")
        if self._hidden:
            return
        if tag in CODE_ELEMENTS or "column-descriptions" in attributes.get("class", ""):
            self._hidden = tag
            return
        for name in ("title", "aria-label", "placeholder", "alt"):
            if name in attributes:
                self.words.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.words.append(attributes.get("value", ""))
        if tag == "title":
            self._in_title = True
        if tag == "ul" and "tight-bullets" in attributes.get("class", ""):
            self._in_facet_list = True
        if tag == "td" or (tag == "li" and self._in_facet_list):
            self._cell = ""

    def handle_endtag(self, tag: str) -> None:
        if self._hidden:
            if tag == self._hidden:
                self._hidden = None
            return
        if tag == "title":
            self._in_title = False
        if tag == "ul":
            self._in_facet_list = False
        if tag in ("td", "li") and self._cell is not None:
            self.cells.append(" ".join(self._cell.split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self.words.append(data)
        if self._in_title and not self.title:
            self.title = data.strip()
        if self._cell is not None:
            self._cell += data

    @property
    def text(self) -> str:
        return "\n".join(self.words)


def unlabelled_codes(cells: list[str]) -> list[str]:
    """Cells where a stored code stands without its label right after it."""
    bad = []
    for cell in cells:
        for code, label in CODES.items():
            for found in re.finditer(rf"(?<![\w-]){re.escape(code)}(?![\w-])", cell):
                if not cell[found.end() :].startswith(f" {label}"):
                    bad.append(cell)
    return bad


def assert_chinese(html: str, path: str) -> Page:
    page = Page(html)
    assert page.lang == "zh-CN", path
    assert HAN.search(page.title), (path, page.title)
    english = sorted({m.group(0) for m in ENGLISH.finditer(page.text)})
    assert english == [], (path, english)
    assert [s for s in TABLE_JS_ENGLISH if s in html] == [], path
    assert "/-/static/table.js" not in html, path
    assert ISO_TIMESTAMP.findall(page.text) == [], path
    assert unlabelled_codes(page.cells) == [], path
    return page


# -- the registry, Datasette and the staff pages ----------------------------------------------

TIME_COLUMNS = {
    ("registry", "registers", "first_loaded"),
    ("registry", "registers", "last_loaded"),
    ("registry", "syncs", "at"),
    ("registry", "syncs", "run"),
    ("registry", "certificate_history", "at"),
    ("registry", "register_history", "at"),
    ("registry", "numbering", "at"),
    ("registry", "api_keys", "created_at"),
    ("registry", "api_keys", "revoked_at"),
    ("verify_log", "checks", "at"),
    ("verify_log", "reports", "at"),
    ("verify_log", "reports", "checked_at"),
    ("verify_log", "watches", "created_at"),
    ("verify_log", "report_outcomes", "at"),
    ("verify_log", "log_identity", "created_at"),
}
"""The columns of the registry (registry/store/) and of the log (registry/store/verify_log.py) that
hold a UTC timestamp (``registry.store.now``); test_time_columns_are_all_known checks the list."""


@pytest.fixture(scope="module")
def registry_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared samples, plus a `certreg number` run so that no table is empty but stock."""
    folder = tmp_path_factory.mktemp("staff-chinese")
    db = folder / "registry.db"
    build_registry(db, RegisterFactory(folder / "registers"))
    build_verify_log(verify_log_path(db))
    roster = RegisterFactory(folder / "to-number").add(
        "2012-mianyang-new.csv", [approval_row("", "甲")], MIANYANG_2012
    )
    result = CliRunner().invoke(
        cli,
        ["number", str(roster), "--kind", "approval-roster", "--authority", "2202"]
        + ["--year-code", "12", "--out", str(folder / "numbered.csv"), "--db", str(db)],
    )
    assert result.exit_code == 0, result.output
    return db


def stored(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def databases(db: Path) -> dict[str, Path]:
    return {"registry": db, "verify_log": verify_log_path(db)}


def tables(path: Path) -> list[str]:
    return [
        r[0] for r in stored(path, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
    ]


SAMPLE_PARAMETERS = {
    "证书编号": "Z1122020124",  # exchanged, then its successor reissued: a full history
    "上页末行编号": "",
    "上页末行报告编号": "",
    "上页末行证书编号": "",
    "上页末行客户端": "",
    "姓名": "周",
    "地区": "绵阳",
    "等级": "",
    "年度": "",
    "名册": "",
    "结果": "",
    "类型": "",
    "起始日期": "",
    "截止日期": "",
    "批准文号": "",
    "小时数": "",
    "未查到阈值": "",
    "发证机关": "",
    "只看未处理": "是",
    "天数": "",
    "报告阈值": "",
}
"""A value for every canned query parameter; a new parameter needs one here."""


def staff_pages(db: Path) -> list[str]:
    """Home, each database, every table and view, a row of every table, every canned query with
    its parameters filled in, staff SQL, filtered and faceted tables."""
    pages = ["/", "/-/login", "/-/logout", "/-/password-tool", "/-/actor"]
    for name, path in databases(db).items():
        pages.append(f"/{name}")
        for table in tables(path):
            pages.append(f"/{name}/{table}")
            keys = [r[1] for r in stored(path, f"PRAGMA table_info([{table}])") if r[5]]
            if keys:
                rows = stored(path, f"SELECT [{keys[0]}] FROM [{table}] LIMIT 1")
                assert rows, f"{table} has no row: add one to the sample registers or the log"
                pages.append(f"/{name}/{table}/{tilde_encode(str(rows[0][0]))}")
    for name, database in shipped_metadata()["databases"].items():
        for query, canned in database.get("queries", {}).items():
            arguments = "&".join(f"{p}={SAMPLE_PARAMETERS[p]}" for p in canned.get("params", []))
            pages.append(f"/{name}/{query}?{arguments}")
            pages.append(f"/{name}/{query}?{arguments}&_show_sql=1")
    return pages + [
        "/registry?sql=select kind, outcome, at, count(*) from syncs group by kind, outcome",
        "/registry?sql=select status, letter, year_code, authority from certificates",
        "/verify_log?sql=select result, channel, max(at) from checks group by result, channel",
        "/registry/certificates?level=中级工&status__not=valid&_sort_desc=issued_on",
        # columns left out (the column chooser): their facets keep their Chinese titles
        "/registry/certificates?_col=name&_col=trade",
        "/registry/syncs?_facet=at&kind__startswith=approval",
        "/registry/requisitions?_facet=status&_facet=city",
        "/registry/problems?_facet=severity",
        "/registry/stock?flag__notblank=1",
    ]


FACET_FAILS = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
"""Datasette leaves its suggested facets' coroutine unawaited when a facet fails."""

ERROR_PAGES = [
    ("/registry?sql=select * frm certificates", 400, "SQL 语法错误：在“frm”附近"),
    ("/registry?sql=select * from missing_table", 400, "没有名为 missing_table 的表"),
    ("/registry?sql=update certificates set name = 'x'", 400, "须以 SELECT（或 WITH）开头"),
    ("/registry?sql=delete from syncs", 400, "须以 SELECT（或 WITH）开头"),
    ("/registry?sql=selec * from syncs", 400, "请检查第一个词是否拼写正确"),
    (
        "/registry?sql=with recursive n(i) as (select 1 union all select i %2B 1 from n)"
        " select count(*) from n&_timelimit=20",
        400,
        "查询超过时限",
    ),
    ("/registry/nothing", 404, "找不到这个数据表"),
    ("/registry/certificates/Z1122029999", 404, "找不到这一行记录"),
    ("/nothing", 404, "找不到这个数据库"),
    ("/-/nothing/at/all", 404, "找不到这个页面"),
    ("/-/create-token", 404, "找不到这个页面"),  # was 找不到这个数据库, of a database "-"
    ("/-/patterns", 404, "找不到这个页面"),  # Datasette's English style guide, of Bigfoot sightings
    ("/registry/certificates?_size=99999", 400, "每页行数（_size）不能超过 5000"),
    ("/registry/certificates?_sort=nothing", 400, "不能按列 nothing 排序"),
    ("/registry/certificates?_timelimit=abc", 400, "网址中的参数无法读取"),
    ("/registry/certificates?_through=x", 400, "网址中的参数无法读取"),
    ("/registry/syncs?id__gt=²", 400, "网址中的参数无法读取"),
    ("/registry/certificates?name%00=1", 400, "网址中的参数无法读取"),  # a NUL: a 500 before
    pytest.param(
        "/registry/certificates?_facet=%00", 400, "网址中的参数无法读取", marks=FACET_FAILS
    ),
    ("/registry/stock?_next=garbage", 400, "网址中的参数无法读取"),
    ("/registry.csv", 400, "网址中的参数无法读取"),  # an export of no query
    # an export that takes too long: said without its SQL and parameters
    ("/registry/syncs.csv?_timelimit=-1", 400, "查询超过时限，已中止"),
    # Datasette's words for these were shown as the technical detail, in English
    ("/registry/certificates?_col=", 400, "选择显示的列时没有写列名"),
    pytest.param("/registry/certificates?_facet=", 400, "筛选或分面的列名为空", marks=FACET_FAILS),
    ("/registry/certificates?__exact=1", 400, "筛选或分面的列名为空"),
    pytest.param(
        "/registry/certificates?_facet_array=number",
        400,
        "按数组分面或筛选的列须是 JSON 数组",
        marks=FACET_FAILS,
    ),
    # the same SQLite error from a json() of staff's own SQL: it was blamed on a facet
    ("/registry?sql=select json('{')", 400, "SQL 中 json 函数的参数须是有效的 JSON"),
    ("/registry/certificates.csv?_stream=1&_next=1", 400, "请去掉网址中的 _next"),
    ("/-/auth-token", 403, "令牌无效"),
    ("/registry.db", 403, "不允许下载整个数据库文件"),
    ("/-/permissions", 404, "找不到这个页面"),  # Datasette's pages about itself: none for staff
    ("/-/metadata", 404, "找不到这个页面"),
    ("/-/static/", 403, "不能列出文件夹中的文件"),  # Datasette's static files: English before
    ("/-/static/nothing.css", 404, "找不到这个文件"),
]


MISREAD = "Invalid request parameter: "

pytestmark = pytest.mark.anyio


async def get(ds: Datasette, path: str) -> tuple[int, str]:
    response = await ds.client.get(path, cookies=signed_in(ds))
    return response.status_code, response.text


async def test_every_staff_page_is_chinese(ds: Datasette, registry_db: Path) -> None:
    pages = staff_pages(registry_db)
    assert len(pages) > 40
    for path in pages:
        status, html = await get(ds, path)
        assert status == 200, (path, html[:500])
        assert_chinese(html, path)
    anonymous = await ds.client.get("/-/login")  # the only page for a visitor not signed in
    assert "登录" in assert_chinese(anonymous.text, "anonymous /-/login").text


@pytest.mark.parametrize("table", ["watches", "watch_entries"])
async def test_the_watch_tables_say_where_lists_are_kept(ds: Datasette, table: str) -> None:
    """An administrator's review: on the registry host both tables always read 0 行, and staff
    would conclude no employer watched anything — the lists stay on the replica that made them."""
    response = await ds.client.get(f"/verify_log/{table}", cookies=signed_in(ds))
    assert response.status_code == 200 and "只在接收关注列表的那一台" in response.text


async def test_a_facet_on_a_column_left_out_keeps_its_chinese_title(ds: Datasette) -> None:
    """The column chooser (?_col=…) left the facets of the other columns titled level,
    region, year_code: their labels came only from the columns on display."""
    _, html = await get(ds, "/registry/certificates?_col=name&_col=trade")
    titles = re.findall(r'<p class="facet-info-name">\s*<strong>([^<\s]*)', html)
    assert titles and all(not title.isascii() for title in titles), titles
    assert "年份代码" in titles


@pytest.mark.parametrize(("path", "status", "message"), ERROR_PAGES)
async def test_error_pages_are_chinese(ds: Datasette, path: str, status: int, message: str) -> None:
    got, html = await get(ds, path)
    assert got == status
    page = assert_chinese(html, path)
    assert message in page.text


async def test_the_home_page_lists_each_databases_main_table_first(ds: Datasette) -> None:
    """Datasette lists the largest tables it counted; a million certificates are past its
    counting, and 证书 was missing from the registry's line (a staff review)."""
    _, html = await get(ds, "/")
    for database, table in (("registry", "certificates"), ("verify_log", "checks")):
        line = re.search(rf'<p><a href="/{database}/(\w+)">.*?</p>', html)
        assert line and line.group(1) == table
        assert line.group(0).count(f'href="/{database}/{table}"') == 1  # not twice


@pytest.mark.parametrize(
    ("database", "table"), [("registry", "certificates"), ("verify_log", "checks")]
)
async def test_a_databases_sql_box_starts_from_its_main_table(
    ds: Datasette, database: str, table: str
) -> None:
    """The registry's page offered select * from api_keys (the first table by name: the HR
    systems' keys) to a staff member about to write a query (a staff review)."""
    _, html = await get(ds, f"/{database}")
    assert re.search(
        rf'<textarea id="sql-editor" name="sql">select \* from {table} limit 10<', html
    )


async def test_a_canned_query_that_fails_gives_its_values_back_to_change(ds: Datasette) -> None:
    """可疑查验流量 over a year's checks ran past its time, and the page offered only 返回首页:
    what was typed was lost (a staff review)."""
    got, html = await get(
        ds, "/verify_log/suspicious_clients?小时数=8760&未查到阈值=0&_timelimit=-1"
    )
    assert got == 400
    page = assert_chinese(html, "suspicious_clients")
    assert "查询超过时限" in page.text and "修改条件后重新查询" in page.text
    form = html[html.index("修改条件后重新查询") :]
    assert 'name="小时数" value="8760"' in form and 'name="未查到阈值" value="0"' in form
    assert "_timelimit" not in form
    # a page that is no canned query's has no such form
    _, plain = await get(ds, "/registry/syncs.csv?_timelimit=-1")
    assert "修改条件后重新查询" not in plain


async def test_a_nul_in_a_filters_column_is_a_400_for_programs_too(ds: Datasette) -> None:
    response = await ds.client.get("/registry/certificates.json?%00=1", cookies=signed_in(ds))
    assert response.status_code == 400
    assert response.json()["error"].startswith("Invalid request parameter")


async def test_json_errors_stay_datasettes_for_programs(ds: Datasette) -> None:
    response = await ds.client.get(
        "/registry.json", params={"sql": "update certificates set name = 1"}, cookies=signed_in(ds)
    )
    assert response.status_code == 400
    assert response.json()["error"] == "Statement must be a SELECT"
    # and in Chinese beside it, for staff (a staff review read Cannot sort table by nosuch)
    unsorted = await ds.client.get(
        "/registry/certificates.json", params={"_sort": "nosuch"}, cookies=signed_in(ds)
    )
    assert unsorted.json()["message"] == "请求有误：不能按列 nosuch 排序。"


@pytest.mark.parametrize(
    ("path", "params", "error"),
    [
        ("/registry/certificates.json", {"_sort": "x"}, "Cannot sort table by x"),
        ("/registry/certificates.json", {"_sort_desc": "x"}, "Cannot sort table by x"),
        (
            "/registry/certificates.json",
            {"_sort": "name", "_sort_desc": "name"},
            "Cannot use _sort and _sort_desc at the same time",
        ),
        (
            "/registry/certificates.json",
            {"_through": '{"table": "syncs", "column": "id", "value": 1}'},
            "Invalid _through - could not find corresponding foreign key",
        ),
        *(
            (path, params, MISREAD)
            for path, params in [
                ("/registry/certificates.json", {"_timelimit": "abc"}),
                ("/registry.json", {"sql": "select 1", "_timelimit": "x"}),
                *(
                    ("/registry/certificates.json", {"_through": through})
                    for through in ("x", "1", "{}", '{"table": 1, "column": "c", "value": 1}')
                ),
                ("/registry/syncs.json", {"id__gt": "²"}),  # a digit to isdigit(), not to int()
                ("/registry/syncs.json", {"id__gt": "9223372036854775808"}),  # past SQLite's
                ("/registry/syncs.json", {"id__in": "[[1]]"}),
                ("/registry/syncs.json", {"register__in": "["}),
                ("/registry/stock.json", {"_next": "garbage"}),
            ]
        ),
        pytest.param(
            "/registry/certificates.json",
            {"_facet": '{"x": 1}'},
            MISREAD,
            marks=FACET_FAILS,
        ),
    ],
)
async def test_a_request_datasette_cannot_read_is_the_programs_error_not_the_servers(
    ds: Datasette, path: str, params: dict[str, str], error: str
) -> None:
    """Datasette answers a sort it cannot make, and parameters its own code fails reading
    (``int()`` of ², ``json.loads`` of ``[``, a facet of no type, a page token of a view, a
    number SQLite cannot bind), with 500, which a program retries and monitoring counts as the
    server's fault: each is a 400, in Datasette's words for programs."""
    response = await ds.client.get(path, params=params, cookies=signed_in(ds))
    assert response.status_code == 400
    body = response.json()
    assert body["error"].startswith(error), body
    message = body.pop("message")  # in Chinese beside it, for staff reading it
    assert body == {"ok": False, "error": body["error"], "status": 400, "title": None}
    assert message.startswith("请求有误：") and re.search("[\u4e00-\u9fff]", message[5:]), message


async def test_a_filter_of_thousands_of_values_is_refused_before_sqlite_binds_them(
    ds: Datasette,
) -> None:
    """28,000 values in one ``__in`` (56 KB, under the request head's limit) took SQLite 6–7 s
    to bind — past any time limit, holding the page's thread; so did a filter repeated."""
    many = ",".join(["1"] * 28_000)
    for query in (f"register__in={many}", "&".join(["id=1"] * 1001)):
        status, html = await get(ds, f"/registry/syncs?{query}")
        assert status == 400 and "筛选条件中的值太多" in assert_chinese(html, query[:40]).text
    # nor Datasette's own parameters repeated: 6,500 _where=1 held every page 25 s
    for key in ("_where", "_facet"):
        repeated = "&".join([f"{key}={'1' if key == '_where' else 'register'}"] * 51)
        status, html = await get(ds, f"/registry/syncs?{repeated}")
        said = assert_chinese(html, repeated[:40]).text
        assert status == 400 and f"网址中的参数 {key} 出现了 51 次（最多 50 次）" in said
    listed = ",".join(["2012-status-changes.xlsx"] * 1000)
    status, html = await get(ds, f"/registry/syncs?register__in={listed}")
    assert status == 200 and "2012-status-changes.xlsx" in html


async def test_row_page_titled_by_table_title_and_key(ds: Datasette) -> None:
    _, html = await get(ds, "/registry/certificates/Z1122020123")
    page = assert_chinese(html, "row")
    assert page.title == "证书 Z1122020123 - 证书登记库"
    assert ">证书 Z1122020123" in html  # the h1
    assert "首页" in page.text and "证书登记库" in page.text  # breadcrumbs


async def test_codes_carry_their_labels_in_cells_and_facets(ds: Datasette) -> None:
    _, syncs = await get(ds, "/registry/syncs?_facet=kind&_facet=outcome")
    assert syncs.count("approval-roster 审批名册（附件4）") >= 2  # facet and cells
    assert "technician-roster 审核名册（附件5）" in syncs
    assert "status-changes 换发、补发、撤销登记表" in syncs
    assert "rejected 已拒绝" in syncs
    _, problems = await get(ds, "/registry/problems")
    assert "error 错误" in problems
    _, checks = await get(ds, "/verify_log/checks")
    for channel in ("batch 批量", "api 接口", "page 网页", "no_match 未查到", "valid 有效"):
        assert checks.count(channel) >= 2, channel  # facet and cells
    _, requisitions = await get(ds, "/registry/requisitions?_facet=status")
    assert requisitions.count("approved 省厅已批准") >= 2
    _, history = await get(ds, "/registry/certificate_history")
    assert "status 状态" in history and "superseded 已由新证书取代" in history
    status, unlabelled = await get(ds, "/registry/certificate_history?_nocol=field")  # 隐藏此列
    assert status == 200 and ">superseded<" in unlabelled.replace("\n", "").replace(" ", "")
    _, copies = await get(ds, "/registry/certificates?_facet=reissue")
    assert "1 是" in copies and "0 否" in copies  # the 补发 flag, in its facet and cells


async def test_sync_history_query_shows_labels_and_beijing_time(
    ds: Datasette, registry_db: Path
) -> None:
    response = await ds.client.get(
        "/registry/sync_history.json",
        params={"名册": "bad", "结果": "", "_shape": "array"},
        cookies=signed_in(ds),
    )
    rows = response.json()
    ((at,),) = stored(registry_db, "SELECT at FROM syncs WHERE register LIKE '%bad%'")
    assert {(r["名册类型"], r["问题类别"], r["时间"]) for r in rows} == {
        ("审批名册（附件4）", "错误", beijing_time(at))
    }


async def test_time_columns_are_all_known(registry_db: Path) -> None:
    """Every column that holds an ISO timestamp in the synced samples is in TIME_COLUMNS."""
    found = set()
    for name, path in databases(registry_db).items():
        for table in tables(path):
            columns = [r[1] for r in stored(path, f"PRAGMA table_info([{table}])")]
            for column in columns:
                values = stored(
                    path, f"SELECT [{column}] FROM [{table}] WHERE [{column}] IS NOT NULL"
                )
                if values and all(ISO_TIMESTAMP.match(str(v)) for (v,) in values):
                    found.add((name, table, column))
    assert found == TIME_COLUMNS


@pytest.mark.parametrize(("database", "table", "column"), sorted(TIME_COLUMNS))
async def test_times_shown_in_beijing_time(
    ds: Datasette, registry_db: Path, database: str, table: str, column: str
) -> None:
    path = databases(registry_db)[database]
    ((value,),) = stored(path, f"SELECT [{column}] FROM [{table}] ORDER BY rowid LIMIT 1")
    moment = dt.datetime.fromisoformat(value)
    assert moment.utcoffset() == dt.timedelta(0)  # stored in UTC
    beijing = (moment.replace(tzinfo=None) + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
    _, html = await get(ds, f"/{database}/{table}?_sort={column}&_facet={column}")
    page = Page(html)
    assert f"{beijing}（北京时间）" in page.cells
    assert value not in page.text


def test_unknown_errors_keep_their_detail_under_a_chinese_title() -> None:
    status, title, message = error_page(500, None, "boom <b>")
    assert (status, title) == (500, "服务器内部错误")
    assert "技术信息" in message and "boom &lt;b&gt;" in message


def test_beijing_time_crosses_midnight() -> None:
    assert beijing_time("2026-11-26T18:30:05+00:00") == "2026-11-27 02:30:05（北京时间）"
    assert beijing_time("2012-03-15") is None  # a calendar date stays as it is
    assert beijing_time("not a time") is None


def test_every_code_the_registry_knows_has_a_label() -> None:
    assert set(KIND_LABELS) == set(KINDS)
    assert set(CHANNEL_LABELS) == set(get_args(Channel))  # the codes mypy lets the app log
    assert set(RESULTS) <= set(RESULT_LABELS)


def test_every_stored_code_has_a_label(registry_db: Path) -> None:
    for name, path in databases(registry_db).items():
        for table in tables(path):
            columns = [r[1] for r in stored(path, f"PRAGMA table_info([{table}])")]
            for column in set(columns) & set(CODE_COLUMNS):
                for (value,) in stored(path, f"SELECT DISTINCT [{column}] FROM [{table}]"):
                    if value is not None:
                        assert code_label(column, value), (name, table, column, value)


async def test_filtered_table_described_in_chinese(ds: Datasette) -> None:
    _, html = await get(
        ds, "/registry/certificates?level=中级工&status__not=valid&_sort_desc=issued_on"
    )
    assert "条件：等级 = 中级工，状态 ≠ valid 有效；按 发证日期 降序排列" in Page(html).text
    _, html = await get(ds, "/registry/certificates?remark__isnull=1&name__like=王%25")
    assert "条件：姓名 符合模式（% 代表任意几个字） 王%，备注 未填写" in Page(html).text


async def test_the_filter_menu_offers_one_way_of_blank(ds: Datasette) -> None:
    """A staff review: 未填写, 已填写, 为空, 不为空 read alike, and 列表中有 fits no column: the
    menu offers 为空 and 不为空; a link that chose another keeps it, selected."""
    _, html = await get(ds, "/registry/certificates")
    offered = re.findall(r'<option value="(\w+?)(?:__1)?"', html)
    assert "isblank" in offered and "notblank" in offered
    assert not {"isnull", "notnull", "arraycontains"} & set(offered)
    _, chosen = await get(ds, "/registry/certificates?remark__isnull=1")
    assert '<option value="isnull__1" selected>' in chosen


async def test_logging_out_says_so_in_chinese(ds: Datasette) -> None:
    form = await ds.client.get("/-/logout", cookies=signed_in(ds))
    token = re.search(r'name="csrftoken" value="([^"]+)"', form.text)
    assert token
    out = await ds.client.post(
        "/-/logout",
        data={"csrftoken": token[1]},
        cookies={**signed_in(ds), "ds_csrftoken": form.cookies["ds_csrftoken"]},
    )
    assert out.status_code == 302
    login = await ds.client.get("/-/login", cookies={"ds_messages": out.cookies["ds_messages"]})
    page = assert_chinese(login.text, "/-/login")
    assert "已退出登录。" in page.text


async def test_facets_that_time_out_are_named_in_chinese(
    registry_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a 1 ms facet limit over 50,000 certificates every facet of the table times out."""
    big = tmp_path / "registry.db"
    with sqlite3.connect(registry_db) as source, sqlite3.connect(big) as copy:
        source.backup(copy)
        copy.execute(
            "INSERT INTO certificates (number, level, region, trade, status, year_code, authority)"
            " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)"
            " SELECT 'X' || i, '中级工', '2202', '电工', 'valid', '12', '2202' FROM n"
        )
        copy.execute("DELETE FROM facet_tally")  # not synced: counted from the certificates
    shutil.copyfile(verify_log_path(registry_db), verify_log_path(big))
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    config = config_dir()
    settings = json.loads((config / "settings.json").read_text("utf-8"))
    ds = Datasette(
        [str(big), str(verify_log_path(big))],
        metadata=shipped_metadata(),
        plugins_dir=str(config / "plugins"),
        template_dir=str(config / "templates"),
        settings={**settings, "facet_time_limit_ms": 1},
    )
    status, html = await get(ds, "/registry/certificates")
    assert status == 200
    page = assert_chinese(html, "timed out")
    timed_out = page.text.split("分面统计超时，这次未显示：")[1].split("（")[0]
    assert set(timed_out.split("、")) >= {"等级", "地区代码", "发证机关"}
    assert "行数和下面的列表是完整的" in page.text


# -- a real browser: the JavaScript column menu, and the README's screenshots ----------------

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture
def browse(registry_db: Path, tmp_path: Path) -> Iterator[str]:
    """The real `certreg browse` over the samples, on a free port."""
    with running_browse(registry_db) as url:
        yield url


@needs_chromium
def test_browser_shows_chinese_table_menu_and_stock(browse: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    shots = {"staff-table.png": tmp_path / "table.png", "staff-stock.png": tmp_path / "stock.png"}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page.goto(browse + "/registry/certificates")
            page.get_by_label("用户名").fill(STAFF_USER)
            page.get_by_label("密码").fill(STAFF_PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.goto(browse + "/registry/certificates")
            assert page.locator("h1").inner_text().startswith("证书")
            page.locator("th.col-name svg.dropdown-menu-icon").click()
            menu = page.locator("div.dropdown-menu").last.inner_text()
            assert "升序排列" in menu and "按此列分面统计" in menu and "类型：TEXT" in menu
            page.mouse.click(5, 5)  # closes the menu again
            top = {"x": 0, "y": 0, "width": 1440, "height": 1500}  # the facets and first rows
            page.screenshot(path=str(shots["staff-table.png"]), full_page=True, clip=top)
            page.goto(browse + "/registry/stock")
            assert page.locator("h1").inner_text().startswith("空白证书对账")
            page.screenshot(path=str(shots["staff-stock.png"]), full_page=True)
            # on a phone, a certificate's fields are labelled by their headings, not all
            # "证书编号" by Datasette's per-position cell labels
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(browse + "/registry/certificates/Z1122020123")
            labels = page.locator("table.certificate-fields td").evaluate_all(
                "cells => cells.map(c => getComputedStyle(c, '::before').content)"
            )
            assert len(labels) > 20 and set(labels) <= {"none", "normal"}, labels
        finally:
            browser.close()
    for shot in shots.values():
        assert shot.stat().st_size > 20_000
    if os.environ.get("CERTREG_UPDATE_SCREENSHOT"):
        for name, shot in shots.items():
            shutil.copyfile(shot, DOCS / name)


def test_every_certificate_column_has_a_chinese_label() -> None:
    """A column staff see on the certificates page with its English name is a column without a
    label in metadata.yml (remark and reissue were)."""
    labels = shipped_metadata()["databases"]["registry"]["tables"]["certificates"]["columns"]
    assert set(CERTIFICATE_COLUMNS) <= set(labels), set(CERTIFICATE_COLUMNS) - set(labels)


def test_every_column_of_the_registry_has_a_chinese_label() -> None:
    """Every table of the registry staff browse labels every column (编号记录's abandoned was
    shown in English)."""
    tables = shipped_metadata()["databases"]["registry"]["tables"]
    unlabelled = {
        (name, column)
        for name, spec in TABLES.items()
        for column in spec.columns
        if column not in tables[name]["columns"]
    }
    assert unlabelled == set()


def test_every_replica_log_column_has_a_chinese_label() -> None:
    """DEPLOY tells staff to watch 各查验副本日志接收情况: its report columns were in English."""
    labels = shipped_metadata()["databases"]["verify_log"]["tables"]["replica_logs"]["columns"]
    assert set(REPLICA_LOGS_COLUMNS) <= set(labels), set(REPLICA_LOGS_COLUMNS) - set(labels)


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/verify_log/checks", "/verify_log/reports", "/registry/syncs"])
async def test_time_tables_say_their_filters_take_beijing_time(ds: Datasette, path: str) -> None:
    """Times are shown in Beijing time but stored in UTC: a filter typed in Beijing time found
    nothing, without a word. Such a filter is read in Beijing time now, and the page says so,
    and why the condition then shows another time (SPEC §8: times in Beijing time)."""
    _, page = await get(ds, path)
    assert "也照北京时间填写" in page and "≥ 2026-12-01 08:00" in page
    assert "按库中所存的 UTC 时间显示，比北京时间早 8 小时" in page
    assert "查某一天用筛选“日期为（北京时间）”" in page


@pytest.mark.anyio
async def test_a_date_filter_and_facet_take_beijing_days(ds: Datasette, registry_db: Path) -> None:
    """A clerk's 12 月 1 日 is Beijing's: 00:00 to 24:00 there, 16:00 UTC the day before on."""
    log = databases(registry_db)["verify_log"]
    with sqlite3.connect(log) as conn:
        (before,) = conn.execute("SELECT count(*) FROM checks").fetchone()
        conn.executemany(
            "INSERT INTO checks (at, client, number, result, name_hash, channel)"
            " VALUES (?, 'c', 'Z1122020001', 'valid', '', 'api')",
            [("2030-11-30T15:59:59+00:00",), ("2030-11-30T16:00:00+00:00",),
             ("2030-12-01T15:59:59+00:00",), ("2030-12-01T16:00:00+00:00",)],
        )  # fmt: skip
    _, html = await get(ds, "/verify_log/checks?at__date=2030-12-01&_facet_date=at")
    page = Page(html)
    assert "2030-12-01 00:00:00（北京时间）" in page.cells
    assert "2030-12-01 23:59:59（北京时间）" in page.cells
    assert "2030-11-30 23:59:59（北京时间）" not in page.cells
    assert "2030-12-02 00:00:00（北京时间）" not in page.cells
    assert "日期为（北京时间）" in page.text and "2 行" in page.text
    assert "不是存在的日期" not in page.text


@pytest.mark.anyio
@pytest.mark.parametrize("typed", ["2012-13-01", "2012-02-30"])
@pytest.mark.parametrize("operator", ["__date", "", "__exact"])
async def test_a_date_filter_no_day_matches_says_so(
    ds: Datasette, typed: str, operator: str
) -> None:
    """0 rows without a word: the filter compares the text with days written 2012-03-15 (a
    day as clerks write it, 2012年3月15日, is read as one)."""
    _, html = await get(ds, f"/registry/certificates?issued_on{operator}={typed}")
    assert "这不是存在的日期，因此没有结果；应写作如 2012-03-15" in Page(html).text


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("filtered", "said"),
    [
        ("birth=1970.1", "出生年月 = 1970.1（这不是年月，因此没有结果；应写作如 1970-05"),
        ("work_start__exact=七〇年五月", "这不是年月，因此没有结果；应写作如 1970-05"),
        ("wage_grade_since=1998年", "1998（这不是年月，因此没有结果；应写作如 1970-05"),
        ("wage_grade_since=1998", "整年请用“开头是” 1970"),
        ("birth__startswith=一九七", "这不是年月的开头，因此没有结果"),
        ("birth__gt=去年", "这不是年月，按文字比较的结果不可靠"),
        ("birth__not=1970.1", "这不是年月，因此没有排除任何行"),
        ("exam_year=去年", "报考年度 = 去年（这不是年份，因此没有结果；应写作四位年份，如 2011）"),
    ],
)
async def test_a_month_or_year_filter_no_value_matches_says_so(
    ds: Datasette, filtered: str, said: str
) -> None:
    """0 rows without a word, as for dates: a month or year as rosters write it (1970.05,
    1970年5月, 2011年) is read as one; what still is none says how to write it."""
    _, html = await get(ds, f"/registry/certificates?{filtered}")
    assert said in Page(html).text


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("filtered", "shown"),
    [
        ("birth=1976年8月", "出生年月 = 1976-08"),
        ("wage_grade_since__gte=2008.10", "执行工资等级起始时间 ≥ 2008-10"),
        ("work_start__startswith=1996年", "参加工作时间 开头是 1996"),
        ("exam_year=2011年", "报考年度 = 2011"),
    ],
)
async def test_a_month_filter_read_as_typed_shows_what_it_searched_for(
    ds: Datasette, filtered: str, shown: str
) -> None:
    """The conditions name the month searched for, and warn of nothing: it matched."""
    _, html = await get(ds, f"/registry/certificates?{filtered}")
    page = Page(html)
    assert f"条件：{shown}" in page.text and not re.search(r"(?<!\d)0 行", page.text)
    assert "这不是年" not in page.text


@pytest.mark.anyio
async def test_litestreams_tables_on_the_registry_host_are_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Litestream adds two tables of its own to the registry it ships: not the staff's business."""
    db = tmp_path / "registry.db"
    assert sync(SAMPLES, db) == 0
    with sqlite3.connect(db) as conn:  # as `litestream replicate` creates them
        conn.execute("CREATE TABLE _litestream_seq (id INTEGER PRIMARY KEY, seq INTEGER)")
        conn.execute("CREATE TABLE _litestream_lock (id INTEGER)")
    build_verify_log(verify_log_path(db))
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    ds = shipped_datasette(db)
    tables = (await ds.client.get("/registry.json", cookies=signed_in(ds))).json()["tables"]
    hidden = {t["name"] for t in tables if t["hidden"]}
    assert {"_litestream_seq", "_litestream_lock"} <= hidden


@pytest.mark.parametrize("table", ["checks", "reports"])
async def test_a_number_in_the_logs_tables_leads_to_its_history(ds: Datasette, table: str) -> None:
    """The canned queries linked a logged number to the certificate's history; the log's own
    tables showed it as plain text."""
    _, html = await get(ds, f"/verify_log/{table}")
    assert re.search(
        r'<a href="/registry/certificate\?%E8%AF%81%E4%B9%A6%E7%BC%96%E5%8F%B7=Z\d{10}">Z\d{10}</a>',
        html,
    ), html[:2000]
