"""Staff pages at a million certificates (issue #15), proven on small registries: the summaries
the sync keeps equal a recomputation from the certificates after every kind of write, the holder
search finds every way staff type a name and pages through the matches, and the sync history
pages. (How fast it is at a million rows is measured by ``python -m bench --only staff``.)"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from datasette.app import Datasette

from bench.staff_pages import BEFORE
from datasette_config.launch import ensure_verify_log
from datasette_config.plugins.certreg_labels import SQL_FUNCTIONS, field_value
from datasette_config.plugins.certreg_sql import FUNCTIONS
from registry import store
from registry.cli import cli
from registry.domain.names import holder_key, name_key
from registry.domain.problems import Problem
from registry.store import stock, syncs
from registry.store.schema import FACET_TALLIED
from registry.store.summaries import TALLIED
from tests.blank_registers import collection, dispatch, requisition
from tests.datasette_fixtures import (
    STAFF_HASH,
    STAFF_USER,
    shipped_datasette,
    shipped_metadata,
    signed_in,
)
from tests.registers import (
    MIANYANG,
    PROVINCE,
    TECHNICIANS,
    RegisterFactory,
    approval_row,
    technician_row,
)

pytestmark = pytest.mark.anyio

BUREAU = "绵阳市人力资源和社会保障局"
PROVINCE_CHANGES = {"kind": "status-changes", "authority": "2200"}
BLANKS = {"authority": "2200"}
REISSUE_DOCUMENTS = {
    "个人申请": "申请1",
    "单位证明": "证明1",
    "主管部门审核": "同意",
    "发证机关审核": "同意",
}

QUERY_PARAMETERS = {
    "counts": [
        {"地区": "", "等级": "", "年度": ""},
        {"地区": "绵阳", "等级": "中级", "年度": "2011"},
        {"地区": "2200", "等级": "", "年度": "11"},
    ],
    "per_approval_doc": [{"批准文号": ""}, {"批准文号": "12号"}],
}
FROM_CERTIFICATES = {name: BEFORE[name] for name in QUERY_PARAMETERS}
"""the canned queries as they were before the summaries, computed from every certificate"""


FACTS_2012 = {"approval_doc": "川人社函〔2013〕3号", "issued_on": "2013-03-15", "year_code": "12"}
PROVINCE_2012 = [approval_row("C1222000001", "戊一", "初级"), approval_row("Z1222000001", "戊二")]
"""A second provincial unit's roster, of 2012."""


def sync(registers: RegisterFactory, db: Path, *options: str) -> dict[str, str]:
    """`certreg sync` of the folder; each register's outcome by file."""
    result = CliRunner().invoke(
        cli, ["sync", str(registers.folder), "--db", str(db), "--json", *options]
    )
    return {r["file"]: r["outcome"] for r in json.loads(result.stdout)["registers"]}


def summaries(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of the summary tables, but their ids."""
    with sqlite3.connect(db) as conn:
        return {
            table: sorted((row[1:] for row in conn.execute(f"SELECT * FROM {table}")), key=repr)
            for table in ("certificate_tally", "stock_parts")
        }


def reconciliation(db: Path) -> list[stock.StockLine]:
    conn = store.connect(db, readonly=True)
    try:
        return stock.reconciliation(conn)
    finally:
        conn.close()


async def rows(ds: Datasette, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
    response = await ds.client.get(
        f"{path}.json", params={**params, "_shape": "array"}, cookies=signed_in(ds)
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def assert_summaries_agree(db: Path) -> None:
    """Every figure read from the summaries equals the same figure computed from the registry."""
    conn = store.connect(db, readonly=True)
    try:
        lines = stock.reconciliation(conn)
        assert lines == [stock.StockLine(*row) for row in conn.execute(stock.RECOMPUTED)]
        tallied = ", ".join(TALLIED)
        kept = conn.execute(
            f"SELECT register, {tallied}, certificates FROM certificate_tally"
        ).fetchall()
        counted = conn.execute(
            f"SELECT register, {tallied}, count(*) FROM certificates GROUP BY register, {tallied}"
        ).fetchall()
        assert sorted(kept, key=repr) == sorted(counted, key=repr)
        faceted = ", ".join(FACET_TALLIED)  # with the statuses the status changes gave
        kept = conn.execute(f"SELECT register, {faceted}, certificates FROM facet_tally").fetchall()
        counted = conn.execute(
            f"SELECT register, {faceted}, count(*) FROM certificates GROUP BY register, {faceted}"
        ).fetchall()
        assert sorted(kept, key=repr) == sorted(counted, key=repr)
    finally:
        conn.close()
    assert lines  # the scenario always has figures to reconcile
    ds = staff_datasette(db)
    for query, parameter_sets in QUERY_PARAMETERS.items():
        for params in parameter_sets:
            shown = await rows(ds, f"/registry/{query}", params)
            computed = await rows(ds, "/registry", {"sql": FROM_CERTIFICATES[query], **params})
            assert shown == computed, (query, params)
            assert shown or params.get("批准文号") == "12号"


def staff_datasette(db: Path) -> Datasette:
    """Datasette as `certreg browse` configures it, over ``db`` and an empty verification log."""
    if not store.verify_log_path(db).exists():
        ensure_verify_log(store.verify_log_path(db))
    return shipped_datasette(db)


@pytest.fixture
def staff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)


@pytest.fixture
def registry(registers: RegisterFactory, db_path: Path) -> RegisterFactory:
    """Three rosters (a provincial unit's, a city's, a city's technicians), requisitions,
    dispatches and collections."""
    registers.add(
        "prov.xlsx",
        [
            approval_row("C1122000001", "甲一", "初级"),
            approval_row("Z1122000001", "甲二"),
            approval_row("Z1122000002", "甲三"),
            approval_row("G1122000001", "甲四", "高级"),
        ],
        PROVINCE,
    )
    registers.add("prov2.xlsx", PROVINCE_2012, {**PROVINCE, **FACTS_2012, "unit": "省直第二单位"})
    registers.add(
        "mianyang.csv",
        [
            approval_row("C1122020001", "乙一", "初级"),
            approval_row("Z1122020001", "乙二"),
            approval_row("Z1122020002", "乙三"),
            approval_row("G1122020001", "乙四", "高级"),
        ],
        MIANYANG,
    )
    registers.add(
        "tech.xlsx",
        [
            technician_row("J1122010001", "丙一"),
            technician_row("J1122010002", "丙二", 序号=2),
        ],
        TECHNICIANS,
    )
    unit = str(PROVINCE["unit"])
    registers.add(
        "req.csv",
        [
            requisition(unit, 1, 3, 1),
            requisition(unit, 0, 1, province=None),
            requisition(BUREAU, 1, 3, 1, city="同意 2012-02-10"),
        ],
        {"kind": "requisitions", **BLANKS},
    )
    registers.add(
        "slips.xlsx",
        [dispatch(unit, 1, 3, 1), dispatch(BUREAU, 1, 2, 1)],
        {"kind": "dispatches", **BLANKS},
    )
    registers.add(
        "collected.csv",
        [collection(n) for n in ("Z1122000001", "G1122000001", "C1122020001", "J1122010001")],
        {"kind": "collections", **BLANKS},
    )
    outcomes = sync(registers, db_path)
    assert set(outcomes.values()) == {"loaded"}, outcomes
    return registers


def change(
    kind: str, number: str, name: str, date: str, new: str = "", **extra: str
) -> dict[str, object]:
    reasons = {"换发": "证书错填", "补发": "证书遗失", "撤销": "骗取证书"}
    return {
        "类型": kind,
        "证书编号": number,
        "姓名": name,
        "日期": date,
        "新证书编号": new,
        "原因": reasons[kind],
        "批准文号": "川人社函〔2012〕30号",
        **extra,
    }


OWN_DOC = "川人社函〔2012〕31号"
"""The 补发 of a certificate a 换发 made: its own approval, not the 换发's (§四.(六)3)."""


async def test_summaries_equal_a_recomputation_after_every_kind_of_write(
    registry: RegisterFactory, db_path: Path, staff: None
) -> None:
    await assert_summaries_agree(db_path)

    # 换发 of a collected certificate, then its new number reissued under another (a chain in
    # one register); 补发 under the same number; 撤销; a technician's 换发
    province_doc = {"原公布文件": str(PROVINCE["approval_doc"]), **REISSUE_DOCUMENTS}
    mianyang_doc = {"原公布文件": str(MIANYANG["approval_doc"]), **REISSUE_DOCUMENTS}
    registry.add(
        "changes.xlsx",
        [
            change("换发", "Z1122000001", "甲二", "2012-05-01", "Z1122000003"),
            change(
                "补发",
                "Z1122000003",
                "甲二",
                "2012-06-01",
                "Z1122000004",
                **province_doc,
                批准文号=OWN_DOC,
            ),  # fmt: skip
            change("补发", "C1122020001", "乙一", "2012-05-01", **mianyang_doc),
            change("撤销", "G1122020001", "乙四", "2012-07-01"),
            change("换发", "J1122010001", "丙一", "2012-05-02", "J1122010003"),
        ],
        PROVINCE_CHANGES,
    )
    assert sync(registry, db_path)["changes.xlsx"] == "loaded"
    await assert_summaries_agree(db_path)
    by_unit = {(line.recipient, line.letter): line for line in reconciliation(db_path)}
    assert (by_unit["省直示例单位", "Z"].spoiled, by_unit["省直示例单位", "Z"].used) == (1, 1)
    assert by_unit["成都市", "J"].spoiled == 1

    # collections of the new numbers, then a new version of the first collection register
    registry.add(
        "collected-2013.csv",
        [collection(n, day="2012-08-01") for n in ("Z1122000004", "J1122010003", "Z1122020002")],
        {"kind": "collections", **BLANKS},
    )
    assert sync(registry, db_path)["collected-2013.csv"] == "loaded"
    await assert_summaries_agree(db_path)
    registry.add(
        "collected.csv",
        [collection(n) for n in ("Z1122000001", "G1122000001", "Z1122000002")],
        {"kind": "collections", **BLANKS},
    )
    assert sync(registry, db_path)["collected.csv"] == "updated"
    await assert_summaries_agree(db_path)

    # a corrected roster that also names another unit: its figures move to that unit
    corrected = [{**PROVINCE_2012[0], "执行工资等级起始时间": "2009.10"}, *PROVINCE_2012[1:]]
    registry.add("prov2.xlsx", corrected, {**PROVINCE, **FACTS_2012, "unit": "省直另一单位"})
    assert sync(registry, db_path)["prov2.xlsx"] == "updated"
    await assert_summaries_agree(db_path)
    recipients = {line.recipient for line in reconciliation(db_path)}
    assert "省直另一单位" in recipients and "省直第二单位" not in recipients

    # rejected registers and a dry run change no summary
    before = summaries(db_path)
    registry.add(
        "bad-changes.xlsx",
        [change("撤销", "Z1122009999", "无此人", "2012-08-01")],
        PROVINCE_CHANGES,
    )
    registry.add(
        "bad-roster.csv",
        [approval_row("Z1122020003", "丁一", 技术业务理论=52)],
        MIANYANG,
    )
    outcomes = sync(registry, db_path)
    assert (outcomes["bad-changes.xlsx"], outcomes["bad-roster.csv"]) == ("rejected", "rejected")
    assert summaries(db_path) == before
    for name in ("bad-changes.xlsx", "bad-roster.csv"):
        del registry.entries[name]
    registry.add(
        "collected-2014.csv",
        [collection("Z1122020001", day="2012-08-01")],
        {"kind": "collections", **BLANKS},
    )
    assert sync(registry, db_path, "--dry-run")["collected-2014.csv"] == "checked"
    assert summaries(db_path) == before
    await assert_summaries_agree(db_path)


def test_opening_the_registry_again_recomputes_nothing(
    registry: RegisterFactory, db_path: Path
) -> None:
    """The summaries are rebuilt only for a registry that lacks them: at a million certificates
    a rebuild takes seconds, and every sync and ``certreg stock`` opens the registry."""
    conn = store.connect(db_path)
    try:
        assert conn.total_changes == 0
    finally:
        conn.close()


async def test_a_registry_made_before_the_summaries_gets_them_on_its_next_write(
    registry: RegisterFactory, db_path: Path, staff: None
) -> None:
    kept = summaries(db_path)
    with sqlite3.connect(db_path) as conn:  # as an older certreg left it
        conn.execute("DELETE FROM certificate_tally")
        conn.execute("DELETE FROM stock_parts")
        conn.execute("DROP VIEW stock")
        conn.execute(f"CREATE VIEW stock AS {stock.RECOMPUTED}")
    store.connect(db_path).close()
    assert summaries(db_path) == kept
    await assert_summaries_agree(db_path)


async def test_a_registry_made_before_the_figures_per_certificate_gets_them_and_keeps_them(
    registry: RegisterFactory, db_path: Path, staff: None
) -> None:
    """The status changes' stock figures are kept per certificate an event touched, so that a
    register's load recomputes its own (it recomputed every status change ever made). A
    registry from before gets them on its first write, and later loads keep the figures right."""
    doc = {"原公布文件": str(PROVINCE["approval_doc"]), **REISSUE_DOCUMENTS}
    registry.add(
        "changes.xlsx",
        [change("换发", "Z1122000001", "甲二", "2012-05-01", "Z1122000003")],
        PROVINCE_CHANGES,
    )
    assert sync(registry, db_path)["changes.xlsx"] == "loaded"
    kept = summaries(db_path)
    with sqlite3.connect(db_path) as conn:  # as an older certreg left it
        conn.execute("DROP TABLE changed_parts")
    store.connect(db_path).close()
    assert summaries(db_path) == kept
    registry.add(
        "changes-2.xlsx",
        [
            change(
                "补发", "Z1122000003", "甲二", "2012-06-01", "Z1122000004", **doc, 批准文号=OWN_DOC
            )
        ],
        PROVINCE_CHANGES,
    )
    assert sync(registry, db_path)["changes-2.xlsx"] == "loaded"
    await assert_summaries_agree(db_path)
    by_unit = {(line.recipient, line.letter): line for line in reconciliation(db_path)}
    assert (by_unit["省直示例单位", "Z"].spoiled, by_unit["省直示例单位", "Z"].used) == (1, 1)


# -- holder search ----------------------------------------------------------------------------

GIVEN = "伟芳娜敏静丽强磊军洋勇艳"
HOLDERS = [
    *(f"王{a}{b}" for a in GIVEN for b in GIVEN[:10]),  # 120 surnamed 王, three pages of 100
    "王伟",
    "李王芳",  # 王 inside the name
    "李伟",
    "张伟明",
    "欧阳明",
    "阿依古丽·买买提",
    "周　杰",  # as a roster pads it, stored 周杰
    "ANNA",
]


@pytest.fixture
def holders(registers: RegisterFactory, db_path: Path, staff: None) -> Datasette:
    """A city roster of 128 holders; 王伟 twice (two births), so same names sort by birth."""
    rows = [approval_row(f"Z1122020{i:03d}", name) for i, name in enumerate(HOLDERS, start=1)]
    rows.append(approval_row(f"Z1122020{len(rows) + 1:03d}", "王伟", 出生年月="1960.01"))
    registers.add("mianyang.csv", rows, MIANYANG)
    assert sync(registers, db_path) == {"mianyang.csv": "loaded"}
    return staff_datasette(db_path)


async def search(ds: Datasette, name: str, after: str = "") -> list[dict[str, Any]]:
    return await rows(ds, "/registry/holders", {"姓名": name, "上页末行编号": after})


async def every_page(ds: Datasette, name: str) -> AsyncIterator[list[dict[str, Any]]]:
    after = ""
    while True:
        page = await search(ds, name, after)
        yield page
        if len(page) < 100:
            return
        after = page[-1]["证书编号"]


def expected_order(db: Path, typed: str) -> list[str]:
    """Every certificate whose holder's name contains what was typed, as the search pages
    them: the same name first, then names starting with it, then names containing it; within
    each, by name, then birth, then the order they were registered."""
    key = name_key(typed)
    with sqlite3.connect(db) as conn:
        found = conn.execute(
            "SELECT number, name_key, birth, rowid FROM certificates"
            " WHERE instr(replace(name_key, '·', ''), ?)",
            (holder_key(key),),
        ).fetchall()

    def place(row: tuple[str, str, str, int]) -> tuple[int, str, str, int]:
        number, held, birth, rowid = row
        same = holder_key(held) == holder_key(key)
        rank = 0 if same else 1 if holder_key(held).startswith(holder_key(key)) else 2
        return rank, held, birth, rowid

    return [row[0] for row in sorted(found, key=place)]


async def test_holders_surnamed_wang_page_by_page_in_order(
    holders: Datasette, db_path: Path
) -> None:
    pages = [page async for page in every_page(holders, "王")]
    assert [len(page) for page in pages] == [100, 23]
    listed = [row["证书编号"] for page in pages for row in page]
    assert listed == expected_order(db_path, "王")
    assert len(set(listed)) == len(listed) == 123  # 122 surnamed 王 and 李王芳, each once
    assert pages[-1][-1]["姓名"] == "李王芳"  # inside a name comes after the surname


async def test_same_name_first_then_by_birth(holders: Datasette) -> None:
    found = await search(holders, "王伟")
    assert [row["姓名"] for row in found[:2]] == ["王伟", "王伟"]
    assert [row["出生年月"] for row in found[:2]] == sorted(row["出生年月"] for row in found[:2])
    assert all(row["姓名"].startswith("王伟") for row in found)
    assert len(found) == 2 + len(GIVEN[:10])


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("欧阳", {"欧阳明"}),  # a compound surname
        ("伟明", {"张伟明"}),  # part of a given name
        ("李伟", {"李伟"}),
        ("阿依古丽•买买提", {"阿依古丽·买买提"}),  # another middle dot
        ("古丽・买", {"阿依古丽·买买提"}),  # a part, with the katakana middle dot
        ("买买提", {"阿依古丽·买买提"}),
        ("古丽买", {"阿依古丽·买买提"}),  # a part across the dot, typed without it
        ("阿依古丽买", {"阿依古丽·买买提"}),
        ("依古丽买买", {"阿依古丽·买买提"}),
        ("周　杰", {"周杰"}),  # full-width space
        ("周 杰", {"周杰"}),
        ("ａｎｎ", {"ANNA"}),  # full-width letters, any case
        ("张王", set()),
        ("　", set()),  # nothing typed but a space: nobody
    ],
)
async def test_holders_by_any_part_of_the_name_as_typed(
    holders: Datasette, typed: str, names: set[str]
) -> None:
    assert {row["姓名"] for row in await search(holders, typed)} == names


async def test_a_given_name_finds_it_anywhere(holders: Datasette, db_path: Path) -> None:
    found = [
        row["证书编号"] for page in [p async for p in every_page(holders, "伟")] for row in page
    ]
    assert found == expected_order(db_path, "伟")
    with sqlite3.connect(db_path) as conn:
        names = {n for (n,) in conn.execute("SELECT name FROM certificates WHERE name LIKE '%伟%'")}
    assert {"王伟", "李伟", "张伟明"} < names
    assert len(found) == len(names) + 1  # 王伟 holds two certificates


@pytest.mark.parametrize("arg", ["name__exact", "name"])
async def test_the_table_filtered_by_name_reads_the_holder_index(
    holders: Datasette, db_path: Path, arg: str
) -> None:
    """姓名 = 王伟 in the 证书 table's own filter: the same rows as the filter alone (both 王伟,
    and no 王伟伟), read through the holder index — a scan of every certificate took 3 s at a
    million, and its facets timed out."""
    response = await holders.client.get(
        f"/registry/certificates.json?{arg}=王伟&_shape=objects", cookies=signed_in(holders)
    )
    answer = response.json()
    assert sorted(row["name"] for row in answer["rows"]) == ["王伟", "王伟"]
    with sqlite3.connect(db_path) as conn:
        conn.create_function("name_key", 1, name_key, deterministic=True)
        assert [row["number"] for row in answer["rows"]] == [
            number
            for (number,) in conn.execute(
                "SELECT number FROM certificates WHERE name = '王伟' ORDER BY number"
            )
        ]
        lines = plan(conn, answer["query"]["sql"], answer["query"]["params"])
    assert any("idx_certificates_name_key_birth" in line for line in lines), lines
    assert certificates_read_through(lines) == []


async def test_paging_past_the_last_page_finds_nobody(holders: Datasette) -> None:
    last = (await search(holders, "欧阳"))[-1]["证书编号"]
    assert await search(holders, "欧阳", last) == []


# -- sync history -----------------------------------------------------------------------------

FIRST = dt.datetime(2013, 1, 1, tzinfo=dt.UTC)  # 08:00 in Beijing
SAME_SECOND = (24, 25, 26)
REJECTED = 30


@pytest.fixture
def history(db_path: Path, staff: None) -> Datasette:
    """45 attempts, the n-th on day n of 2013, except that 24 and 25 happened in the same
    second as 26 (where the first page ends); attempt 30 was rejected with 25 problems."""
    conn = store.connect(db_path)
    try:
        with store.transaction(conn):
            for n in range(1, 46):
                day = max(SAME_SECOND) if n in SAME_SECOND else n
                problems = [
                    Problem(row, "姓名", f"值{row}", f"问题{row}", "§四.(三)")
                    for row in range(2, 27)
                    if n == REJECTED
                ]
                attempt = syncs.Attempt(
                    f"r{n:02d}.csv",
                    f"r{n:02d}.csv",
                    "approval-roster",
                    "0" * 64,
                    "rejected" if problems else "loaded",
                    1,
                    "tester",
                    problems,
                )
                at = (FIRST + dt.timedelta(days=day - 1)).isoformat()
                assert syncs.record_attempt(conn, attempt, at) == n
    finally:
        conn.close()
    return staff_datasette(db_path)


async def history_pages(ds: Datasette, until: str = "") -> list[list[dict[str, Any]]]:
    """Every page, each asked for with the time of the last row of the one before."""
    pages: list[list[dict[str, Any]]] = []
    while True:
        page = await rows(ds, "/registry/sync_history", {"名册": "", "结果": "", "截止日期": until})
        if not page:
            return pages
        pages.append(page)
        until = page[-1]["时间"]


def attempts(page: list[dict[str, Any]]) -> list[int]:
    return list(dict.fromkeys(row["同步编号"] for row in page))


async def test_sync_history_pages_back_in_time(history: Datasette) -> None:
    pages = await history_pages(history)
    # 20 a page, and the attempts of the same second as the 20th stay with it
    assert [attempts(page) for page in pages] == [
        list(range(45, 23, -1)),
        list(range(23, 3, -1)),
        [3, 2, 1],
    ]


async def test_a_long_list_of_problems_is_cut_short_with_a_note(history: Datasette) -> None:
    (first, *_) = await history_pages(history)
    rejected = [row for row in first if row["同步编号"] == REJECTED]
    assert [row["行号"] for row in rejected] == [*range(2, 22), None]
    assert rejected[-1]["规则"] == f"……另有 5 个问题，见“名册问题”表（同步编号 {REJECTED}）"
    assert all(row["问题类别"] is None for row in first if row["同步编号"] != REJECTED)


async def test_sync_history_up_to_a_date(history: Datasette) -> None:
    def until(moment: str) -> dict[str, str]:
        return {"名册": "", "结果": "", "截止日期": moment}

    # a date is the whole of that day in Beijing; a time, as a row shows it, what came before
    day = await rows(history, "/registry/sync_history", until("2013-01-10"))
    assert attempts(day) == list(range(10, 0, -1))
    morning = await rows(
        history, "/registry/sync_history", until("2013-01-10 08:00:00（北京时间）")
    )
    assert attempts(morning) == list(range(9, 0, -1))
    assert await rows(history, "/registry/sync_history", until("2012-12-31")) == []


# -- what the pages read ----------------------------------------------------------------------


def plan(conn: sqlite3.Connection, sql: str, params: dict[str, str] | None = None) -> list[str]:
    """SQLite's query plan: one line per table or index it reads, and how."""
    return [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params or {})]


def certificates_read_through(lines: list[str]) -> list[str]:
    """Plan lines that read the certificates table itself from end to end (not an index)."""
    return [
        line
        for line in lines
        if re.match(r"SCAN (certificates|c)\b", line) and " INDEX " not in line
    ]


@pytest.fixture
def registry_conn(registry: RegisterFactory, db_path: Path) -> Iterator[sqlite3.Connection]:
    conn = store.connect(db_path, readonly=True)
    # every SQL function the canned queries may call
    functions: dict[str, Callable[..., Any]] = {**FUNCTIONS, **SQL_FUNCTIONS, "column_label": str}
    for function, call in functions.items():
        conn.create_function(function, 1, call, deterministic=True)
    conn.create_function("field_value", 2, field_value, deterministic=True)
    conn.create_function("blank_field_label", 2, lambda kind, field: field, deterministic=True)
    yield conn
    conn.close()


@pytest.mark.parametrize(
    "column", shipped_metadata()["databases"]["registry"]["tables"]["certificates"]["facets"]
)
def test_each_facet_of_the_certificates_counts_an_index(
    registry_conn: sqlite3.Connection, column: str
) -> None:
    # the query Datasette 0.65 runs for a facet (datasette/facets.py, ColumnFacet)
    facet = (
        f"select {column} as value, count(*) as count from (select * from certificates)"
        f" where {column} is not null group by {column} order by count desc, value limit 31"
    )
    assert any(
        f"COVERING INDEX idx_certificates_{column}" in line for line in plan(registry_conn, facet)
    )


@pytest.mark.parametrize(
    "column", shipped_metadata()["databases"]["registry"]["tables"]["certificates"]["facets"]
)
def test_each_facet_of_one_status_counts_an_index(
    registry_conn: sqlite3.Connection, column: str
) -> None:
    """A click on 状态 撤销: each facet looked up every certificate's status in the table (1.5 s
    a page at a million); the facet indexes hold the status."""
    facet = (
        f"select {column} as value, count(*) as count from"
        f" (select * from certificates where status = :p0)"
        f" where {column} is not null group by {column} order by count desc, value limit 31"
    )
    lines = plan(registry_conn, facet, {"p0": "revoked"})
    assert any("COVERING INDEX idx_certificates_" in line for line in lines), lines
    assert certificates_read_through(lines) == []


def canned(name: str) -> str:
    sql: str = shipped_metadata()["databases"]["registry"]["queries"][name]["sql"]
    return sql


def test_the_holder_search_reads_the_name_index_not_the_certificates(
    registry_conn: sqlite3.Connection,
) -> None:
    lines = plan(registry_conn, canned("holders"), {"姓名": "王", "上页末行编号": "Z1122000001"})
    # same name, names starting with it, names containing it: each read from the index
    assert sum("idx_certificates_name_key_birth" in line for line in lines) >= 3
    assert certificates_read_through(lines) == []


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("SELECT * FROM stock", {}),
        (canned("counts"), {"地区": "", "等级": "", "年度": ""}),
        (canned("per_approval_doc"), {"批准文号": ""}),
    ],
    ids=["stock", "counts", "per_approval_doc"],
)
def test_whole_registry_pages_read_summaries_not_every_certificate(
    registry_conn: sqlite3.Connection, sql: str, params: dict[str, str]
) -> None:
    lines = plan(registry_conn, sql, params)
    assert not [line for line in lines if re.match(r"SCAN (certificates|c)\b", line)], lines
    assert any("certificate_tally" in line for line in lines)
    assert certificates_read_through(lines) == []


def test_a_certificates_history_reads_its_own_events_not_every_event(
    registry_conn: sqlite3.Connection,
) -> None:
    """按编号查证书及履历 looked for the number with ``IN (e.number, e.new_number)``: a read of
    every status change (15 ms at 100,000, for one certificate). Each of its parts is a lookup."""
    lines = plan(registry_conn, canned("certificate"), {"证书编号": "Z1122000001"})
    assert not [line for line in lines if re.match(r"SCAN (status_events|e)\b", line)], lines
    assert any("idx_status_events_new_number" in line for line in lines), lines
    assert certificates_read_through(lines) == []
    # a collection's corrections: by the record's index, not every correction of every slip
    assert not [line for line in lines if re.match(r"SCAN (blank_history|b)\b", line)], lines
    assert any("idx_blank_history_record" in line for line in lines), lines


def test_a_certificates_status_changes_read_their_first_values_by_the_number(
    registry_conn: sqlite3.Connection,
) -> None:
    """Each 换发、补发、撤销 line reads as its sync registered it, from the corrections since:
    they were looked for through every later sync of the event's register (a ledger re-sent
    every 15 minutes: 20,000 syncs), once for each value the line shows — 2.9 s for one number
    (a review). Its corrections are read by the number's index, each sync by its key, once."""
    lines = plan(registry_conn, canned("certificate"), {"证书编号": "Z1122000001"})
    assert "MATERIALIZE events" in lines, lines
    assert not [line for line in lines if "register=? AND rowid>?" in line], lines
    assert not [line for line in lines if "idx_status_events_register" in line], lines
    read_through = r"SCAN (certificate_history|syncs|status_events|[hfs]|fs|o)\b"
    assert not [line for line in lines if re.match(read_through, line)], lines
