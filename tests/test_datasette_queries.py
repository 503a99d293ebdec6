"""The canned queries, facets and labels staff use, on a synced sample registry (SPEC §8)."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import secrets
import shutil
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner
from datasette.app import Datasette
from datasette.plugins import pm
from datasette.tracer import capture_traces
from datasette.utils import MultiParams

from datasette_config import config_dir
from datasette_config.facet_sql import tallied, ungrouped, whole_filter
from datasette_config.labels import beijing_time
from datasette_config.launch import ensure_verify_log
from datasette_config.plugins.certreg_labels import corrections_shown
from datasette_config.plugins.certreg_pages import next_page
from datasette_config.plugins.certreg_params import AS_TYPED_PARAMS, READERS
from registry.cli import cli
from registry.domain.clock import BEIJING
from registry.domain.numbers import normalise
from registry.domain.statuses import RESULT_LABELS
from registry.store import connect, verify_log_path
from registry.store.staff_indexes import ensure_staff_indexes
from registry.store.stock_report import HEADINGS
from tests.datasette_fixtures import (
    STAFF_HASH,
    STAFF_USER,
    shipped_datasette,
    shipped_metadata,
    signed_in,
    staff_rows,
)
from tests.registers import MIANYANG, RegisterFactory, approval_row, status_event

pytestmark = pytest.mark.anyio
SUPERSEDED = RESULT_LABELS["superseded"]


async def query(ds: Datasette, path: str, **params: str) -> list[dict[str, Any]]:
    response = await ds.client.get(
        f"{path}.json", params={**params, "_shape": "array"}, cookies=signed_in(ds)
    )
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def column(rows: list[dict[str, Any]], name: str) -> list[Any]:
    return [row[name] for row in rows]


# -- look up a number ---------------------------------------------------------------------


async def test_number_as_typed_shows_issue_events_and_current_status(ds: Datasette) -> None:
    rows = await query(ds, "/registry/certificate", 证书编号="ｚ１１-2202-0124")
    assert [(r["日期"], r["事件"], r["证书编号"]) for r in rows] == [
        ("2012-03-20", "发证", "Z1122020124"),
        ("2012-06-01", "换发", "Z1122020124"),
        ("2012-06-01", f"当前状态：{SUPERSEDED}", "Z1122020124"),
    ]
    assert rows[0]["依据文件"] == "绵人社函〔2012〕8号"
    assert (rows[0]["来源名册"], rows[0]["名册行号"]) == ("2011-mianyang-approval.csv", 8)
    # who loaded it, on its line: an auditor looked the sync up in 同步记录 by hand
    [operator] = await query(
        ds, "/registry", sql=f"select operator from syncs where id = {rows[0]['同步编号']}"
    )
    assert rows[0]["操作人"] == operator["operator"] and rows[0]["操作人"]
    assert rows[1]["依据文件"] == "川人社函〔2012〕30号"
    assert rows[1]["说明"] == "新证书编号 Z1122020125；原因：证书损坏"
    assert rows[2]["说明"] == "新证书编号 Z1122020125"


@pytest.mark.parametrize("number", ["Z1122020124", "z11-2202-0125"])
async def test_the_chain_of_a_certificate_reads_from_the_first_to_the_one_in_force(
    ds: Datasette, number: str
) -> None:
    """An auditor followed 换发 → new number → 补发 one page at a time: one query lists the chain
    from whichever of its numbers is typed."""
    rows = await query(ds, "/registry/certificate_chain", 证书编号=number)
    assert [(r["次序"], r["证书编号"], r["新证书编号"]) for r in rows] == [
        (1, "Z1122020124", "Z1122020125"),
        (2, "Z1122020125", None),
    ]
    assert rows[0]["状态"] == SUPERSEDED and rows[1]["补发证书"] == "是"
    assert rows[1]["由此产生"] == "换发（2012-06-01，川人社函〔2012〕30号）"


async def test_a_certificate_s_successor_and_an_event_s_numbers_link_to_theirs(
    ds: Datasette,
) -> None:
    """A staff review: 新证书编号 and 原证书编号 on a certificate's page were plain text, copied
    into a search to follow a 换发."""
    page = await ds.client.get("/registry/certificates/G1122000002", cookies=signed_in(ds))
    assert '<a href="/registry/certificates/G1122000003">G1122000003</a>' in page.text
    back = await ds.client.get("/registry/certificates/G1122000003", cookies=signed_in(ds))
    assert '<a href="/registry/certificates/G1122000002">G1122000002</a>' in back.text
    events = await ds.client.get("/registry/status_events?type=换发", cookies=signed_in(ds))
    assert '<a href="/registry/certificates/G1122000003">G1122000003</a>' in events.text


async def test_successor_number_shows_the_exchange_that_made_it(ds: Datasette) -> None:
    rows = await query(ds, "/registry/certificate", 证书编号="Z1122020125")
    assert column(rows, "事件") == ["发证", "换发", "补发", "当前状态：已补发"]
    assert rows[1]["证书编号"] == "Z1122020124"
    # reissued under its own number: the current line says only the marked paper is it
    assert rows[3]["说明"] == "补发证书（正页右下方应注明“补发”字样）；原证书编号 Z1122020124"
    # the 补发's documents (§四.(六)3) are part of its line
    assert "个人申请：" in rows[2]["说明"] and "发证机关审核：" in rows[2]["说明"]


async def test_number_lookup_shows_register_corrections(ds: Datasette) -> None:
    rows = await query(ds, "/registry/certificate", 证书编号="Z1222020001")
    assert column(rows, "事件") == [
        "发证",
        "领取",
        "名册更正",
        "名册更正",
        "领取记录更正",
        "当前状态：有效",
    ]
    assert rows[4]["说明"] == "日期：2013-04-01 → 2013-04-02"  # the day 赵敏 collected, corrected
    assert {row["说明"] for row in rows[2:4]} == {
        "执行工资等级起始时间：2008-10 → 2009-10",
        "批准文号：绵人社函〔2013〕5号 → 绵人社函〔2013〕6号",  # the manifest's, on the paper too
    }
    assert {row["来源名册"] for row in rows[2:4]} == {"2012-mianyang.csv"}
    # the issue line as first registered, its corrections after it: it read the corrected
    # 6号 above a line correcting 5号 to 6号
    assert rows[0]["依据文件"] == "绵人社函〔2013〕5号"


@pytest.mark.parametrize(
    "path", ["/registry/status_changes?类型=换发", "/registry/status_events?type=换发"]
)
async def test_what_an_exchange_corrected_reads_in_chinese(ds: Datasette, path: str) -> None:
    """The corrections a 换发 stores as JSON (``{"trade": "钳工"}``) show as 工种：钳工."""
    page = await ds.client.get(path, cookies=signed_in(ds))
    assert page.status_code == 200
    cells = [html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", page.text, re.S)]
    assert "工种：钳工" in cells
    assert not [cell for cell in cells if '"trade"' in cell]


def test_a_corrected_name_shows_once_without_its_comparison_key() -> None:
    """A 换发 correcting the name stores the comparison key beside it; staff see the name."""
    labels = shipped_metadata()["databases"]["registry"]["tables"]["certificates"]["columns"]
    corrected = json.dumps({"name": "李芳", "name_key": "李芳"}, ensure_ascii=False)
    assert corrections_shown(corrected, labels) == "姓名：李芳"
    assert corrections_shown("{}", labels) is None


async def test_number_lookup_shows_what_an_exchange_corrected(ds: Datasette) -> None:
    """G1122000002 was exchanged for G1122000003 with its trade corrected (错填): the new
    number's history shows the correction; its status changes are the events, not repeated."""
    rows = await query(ds, "/registry/certificate", 证书编号="G1122000003")
    assert column(rows, "事件") == ["发证", "换发", "换发更正", "当前状态：有效"]
    assert rows[2]["说明"] == "工种：电工 → 钳工"
    # dated by the exchange it belongs to, not by the day the register was synced (which
    # sorted it after every later event of the certificate)
    assert rows[2]["日期"] == rows[1]["日期"] == "2012-05-08"
    assert rows[2]["来源名册"] == "2012-status-changes.xlsx" and rows[2]["登记时间"]
    old = await query(ds, "/registry/certificate", 证书编号="G1122000002")
    assert "换发更正" not in column(old, "事件") and "名册更正" not in column(old, "事件")


async def corrected_history(
    tmp_path: Path, first: list[dict[str, object]], then: list[dict[str, object]], number: str
) -> list[dict[str, Any]]:
    """The history of ``number`` after a status register's two versions were synced."""
    registers = RegisterFactory(tmp_path / "registers")
    registers.add("mianyang.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    db = tmp_path / "registry.db"
    for rows in (first, then):
        registers.add("changes.csv", rows, {"kind": "status-changes", "authority": "2202"})
        result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)])
        assert result.exit_code == 0, result.output
    ensure_verify_log(verify_log_path(db))
    return await query(shipped_datasette(db), "/registry/certificate", 证书编号=number)


async def test_a_late_reissue_says_in_the_exchanged_certificates_history_why_it_is_marked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 补发 of a paper registered after its 换发 marks the new certificate 补发 — its public
    answer changed — and its history said nothing of it."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    exchange = status_event("换发", "Z1122020001", "周杰", "2013-06-01", "Z1122020002")
    reissue = status_event("补发", "Z1122020001", "周杰", "2013-03-01")
    rows = await corrected_history(tmp_path, [exchange], [exchange, reissue], "Z1122020002")
    [marked] = [row for row in rows if row["事件"] == "补发标记"]
    assert (
        marked["说明"] == "补发证书：0 否 → 1 是（换发来源证书 Z1122020001 的补发，登记在换发之后）"
    )
    # dated, documented and placed by that 补发, not by the day it was synced
    assert (marked["日期"], marked["依据文件"], marked["名册行号"]) == (
        "2013-03-01",
        reissue["批准文号"],
        4,  # its row in the new version of changes.csv (the 换发 is row 3)
    )
    assert marked["来源名册"] == "changes.csv"
    paper = await query(
        shipped_datasette(tmp_path / "registry.db"), "/registry/certificate", 证书编号="Z1122020001"
    )
    assert "补发" in column(paper, "事件") and "补发标记" not in column(paper, "事件")


async def test_the_issue_line_names_the_row_the_certificate_was_first_registered_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 发证 line reads as first registered, its 名册行号 too: a corrected version with a
    row inserted above moved 郑浩 from row 5 to 6, and the line sent an auditor opening the
    file as loaded then to another holder's row."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    registers = RegisterFactory(tmp_path / "registers")
    first = [approval_row("Z1122020001", "周杰"), approval_row("Z1122020002", "郑浩")]
    db = tmp_path / "registry.db"
    for rows in (first, [first[0], approval_row("Z1122020003", "王芳"), first[1]]):
        registers.add("mianyang.csv", rows, MIANYANG)
        result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)])
        assert result.exit_code == 0, result.output
    ensure_verify_log(verify_log_path(db))
    rows = await query(shipped_datasette(db), "/registry/certificate", 证书编号="Z1122020002")
    lines = {row["事件"]: row["名册行号"] for row in rows}
    assert lines["发证"] == 5 and lines["当前状态：有效"] == 6  # under the title and header
    # left out by the next version and put back lower down: still the row first registered
    # from, not the one it came back at (its history's first entry is 曾从名册中删去)
    db = tmp_path / "again" / "registry.db"
    db.parent.mkdir()
    later = [first, [first[0]], [first[0], approval_row("Z1122020003", "王芳"), first[1]]]
    for version in later:
        registers.add("mianyang.csv", version, MIANYANG)
        result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)])
        assert result.exit_code == 0, result.output
    ensure_verify_log(verify_log_path(db))
    again = await query(shipped_datasette(db), "/registry/certificate", 证书编号="Z1122020002")
    assert next(row["名册行号"] for row in again if row["事件"] == "发证") == 5


async def test_a_corrected_reference_is_dated_by_its_sync_not_by_another_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new version of a status register corrects its 补发's 批准文号 and adds a 撤销 of the
    same certificate: the correction was labelled 换发更正 and dated on the 撤销's day."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    reissue = status_event(
        "补发", "Z1122020001", "周杰", "2013-03-01", 批准文号="绵人社函〔2013〕1号"
    )
    revocation = status_event("撤销", "Z1122020001", "周杰", "2014-06-01", 原因="弄虚作假")
    corrected = {**reissue, "批准文号": "绵人社函〔2013〕2号"}
    rows = await corrected_history(tmp_path, [reissue], [corrected, revocation], "Z1122020001")
    [amended] = [row for row in rows if row["事件"] == "变更登记更正"]
    assert amended["说明"] == (
        "补发批准文号：绵人社函〔2013〕1号 → 绵人社函〔2013〕2号（2013-03-01 的补发）"
    )
    assert amended["日期"] != "2014-06-01" and "换发更正" not in column(rows, "事件")


async def test_an_events_line_reads_as_its_sync_registered_it_its_corrections_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later version corrected a 撤销's 批准文号 and 原因 and moved it up a row: the 撤销's
    line showed the corrected values and row beside the sync that first registered it, which
    registered the 1号, the first reason and row 4 (an auditor's review)."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    reissue = status_event("补发", "Z1122020001", "周杰", "2013-03-01")
    revocation = status_event("撤销", "Z1122020001", "周杰", "2013-05-01")
    corrected = {**revocation, "批准文号": "绵人社函〔2013〕2号", "原因": "弄虚作假（经复查属实）"}
    rows = await corrected_history(tmp_path, [reissue, revocation], [corrected], "Z1122020001")
    [line] = [row for row in rows if row["事件"] == "撤销"]
    first = min(row["同步编号"] for row in rows if row["事件"] in ("补发", "撤销"))
    assert (line["依据文件"], line["说明"]) == ("绵人社函〔2013〕1号", "原因：弄虚作假")
    assert (line["名册行号"], line["同步编号"]) == (4, first)
    amended = {row["说明"] for row in rows if row["事件"] == "变更登记更正"}
    assert amended == {
        "撤销批准文号：绵人社函〔2013〕1号 → 绵人社函〔2013〕2号（2013-05-01 的撤销）",
        "撤销原因：弄虚作假 → 弄虚作假（经复查属实）（2013-05-01 的撤销）",
        "撤销所在行：4 → 3（2013-05-01 的撤销）",
    }
    after = [row["同步编号"] for row in rows if row["事件"] == "变更登记更正"]
    assert min(after) > first and rows.index(line) < min(
        i for i, row in enumerate(rows) if row["事件"] == "变更登记更正"
    )


TWO_REISSUES = (
    status_event("补发", "Z1122020001", "周杰", "2013-03-01", 原因="遗失"),
    status_event("补发", "Z1122020001", "周杰", "2015-03-01", 原因="损毁"),
)
"""Two 补发 of one certificate under its own number, as §四.(六)3 allows: lost, then damaged."""
FIXED_REISSUE = {**TWO_REISSUES[1], "原因": "损毁（水浸）", "批准文号": "绵人社函〔2015〕2号"}
"""The second 补发 as a later version of its register corrects it."""


def reissue_lines(rows: list[dict[str, Any]]) -> dict[str, tuple[str, str, int]]:
    """Each 补发 line by its date: its 原因, 依据文件 and 名册行号."""
    return {
        row["日期"]: (row["说明"].partition("；")[0], row["依据文件"], row["名册行号"])
        for row in rows
        if row["事件"] == "补发"
    }


@pytest.mark.parametrize("order", [1, -1], ids=["in-date-order", "later-first"])
async def test_two_reissues_of_one_number_each_read_as_their_sync_registered_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: int
) -> None:
    """A later version corrected the second of a certificate's two 补发: the first's line showed
    the second's first 原因 and 批准文号 (损毁, 〔2015〕1号) — nothing tied a correction to its
    event, and each line took the first correction of any 补发 of the number (a review)."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    first, then = list(TWO_REISSUES)[::order], [TWO_REISSUES[0], FIXED_REISSUE][::order]
    rows = await corrected_history(tmp_path, first, then, "Z1122020001")
    assert reissue_lines(rows) == {
        "2013-03-01": ("原因：遗失", "绵人社函〔2013〕1号", 3 if order == 1 else 4),
        "2015-03-01": ("原因：损毁", "绵人社函〔2015〕1号", 4 if order == 1 else 3),
    }
    amended = {row["说明"] for row in rows if row["事件"] == "变更登记更正"}
    assert amended == {  # each names the 补发 it corrects
        "补发原因：损毁 → 损毁（水浸）（2015-03-01 的补发）",
        "补发批准文号：绵人社函〔2015〕1号 → 绵人社函〔2015〕2号（2015-03-01 的补发）",
    }


@pytest.mark.parametrize("order", [1, -1], ids=["in-date-order", "later-first"])
async def test_two_reissues_moved_down_a_row_each_keep_the_row_first_registered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: int
) -> None:
    """A later version added a row above a certificate's two 补发: both lines showed row 3 (the
    first 补发所在行 of the number), and the two moves, 3 → 4 and 4 → 5, named no 补发."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    both = list(TWO_REISSUES)[::order]
    above = status_event("撤销", "Z1122020001", "周杰", "2016-03-01")
    rows = await corrected_history(tmp_path, both, [above, *both], "Z1122020001")
    upper, lower = (row["日期"] for row in both)
    assert {day: line[2] for day, line in reissue_lines(rows).items()} == {upper: 3, lower: 4}
    amended = {row["说明"] for row in rows if row["事件"] == "变更登记更正"}
    assert amended == {
        f"补发所在行：3 → 4（{upper} 的补发）",
        f"补发所在行：4 → 5（{lower} 的补发）",
    }


async def older_history(db: Path, number: str) -> list[dict[str, Any]]:
    """The history of ``number`` in ``db`` as an older certreg left it — its corrections of
    status changes naming no event — then upgraded, as the next sync or browse does."""
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE certificate_history DROP COLUMN event")
    connect(db).close()
    return await query(shipped_datasette(db), "/registry/certificate", 证书编号=number)


async def test_an_older_registrys_corrections_give_an_events_first_values_where_only_one_fits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Corrections an older certreg recorded name no event: the one 撤销 of the number in its
    register is the one they correct, and its line reads as first registered."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    revocation = status_event("撤销", "Z1122020001", "周杰", "2013-05-01")
    corrected = {**revocation, "批准文号": "绵人社函〔2013〕2号"}
    await corrected_history(tmp_path, [revocation], [corrected], "Z1122020001")
    rows = await older_history(tmp_path / "registry.db", "Z1122020001")
    [line] = [row for row in rows if row["事件"] == "撤销"]
    assert line["依据文件"] == "绵人社函〔2013〕1号"
    [amended] = [row["说明"] for row in rows if row["事件"] == "变更登记更正"]
    assert amended == "撤销批准文号：绵人社函〔2013〕1号 → 绵人社函〔2013〕2号"


async def test_an_older_registrys_correction_stays_its_events_after_a_second_of_its_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A correction an older certreg recorded while the number had one 补发 in the register is
    that 补发's, though a second came in a later version: the first 补发's line showed the
    corrected 文号 once the second was synced (a review)."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    first, later = TWO_REISSUES
    fixed = {**first, "批准文号": "绵人社函〔2013〕7号"}
    registers = RegisterFactory(tmp_path / "registers")
    registers.add("mianyang.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    db = tmp_path / "registry.db"
    for version, older in (([first], False), ([fixed], True), ([fixed, later], False)):
        registers.add("changes.csv", version, {"kind": "status-changes", "authority": "2202"})
        result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)])
        assert result.exit_code == 0, result.output
        if older:  # the correction written as an older certreg wrote it: naming no event
            with sqlite3.connect(db) as conn:
                conn.execute("ALTER TABLE certificate_history DROP COLUMN event")
    ensure_verify_log(verify_log_path(db))
    rows = await query(shipped_datasette(db), "/registry/certificate", 证书编号="Z1122020001")
    assert reissue_lines(rows)["2013-03-01"] == ("原因：遗失", "绵人社函〔2013〕1号", 3)


async def test_an_older_registrys_corrections_of_one_of_two_reissues_are_given_to_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which of two 补发 a correction an older certreg recorded belongs to is not known: each
    line shows its 补发's values as they are now, not another's first ones."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    await corrected_history(
        tmp_path, list(TWO_REISSUES), [TWO_REISSUES[0], FIXED_REISSUE], "Z1122020001"
    )
    rows = await older_history(tmp_path / "registry.db", "Z1122020001")
    assert reissue_lines(rows) == {
        "2013-03-01": ("原因：遗失", "绵人社函〔2013〕1号", 3),
        "2015-03-01": ("原因：损毁（水浸）", "绵人社函〔2015〕2号", 4),
    }


async def test_the_list_of_events_marks_one_corrected_since_and_says_who_approved_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list showed a 撤销's corrected 批准文号 as if loaded so, at its first load's time, with
    no word of the department that approved it or who loaded it."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    revocation = status_event(
        "撤销", "Z1122020001", "周杰", "2013-06-01", 批准文号="绵人社函〔2013〕1号"
    )
    corrected = {**revocation, "批准文号": "绵人社函〔2013〕2号"}
    await corrected_history(tmp_path, [revocation], [corrected], "Z1122020001")
    ds = shipped_datasette(tmp_path / "registry.db")
    [row] = await query(ds, "/registry/status_changes")
    assert row["批准文号"] == "绵人社函〔2013〕2号"
    assert row["登记后更正"].startswith("撤销批准文号：绵人社函〔2013〕1号 → 绵人社函〔2013〕2号（")
    assert row["批准机关"] == "绵阳市人力资源和社会保障局" and row["导入人"]


async def test_an_event_its_registers_new_version_dropped_says_its_row_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 撤销 dropped from its register's new version stays in force, and the list still named
    the row it had — another event's now — with no sign it was gone (an auditor's review)."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    reissue = status_event("补发", "Z1122020001", "周杰", "2013-03-01")
    revocation = status_event("撤销", "Z1122020001", "周杰", "2014-06-01")
    await corrected_history(tmp_path, [revocation, reissue], [reissue], "Z1122020001")
    listed = await query(shipped_datasette(tmp_path / "registry.db"), "/registry/status_changes")
    rows = {row["类型"]: row["名册行号"] for row in listed}
    assert rows["撤销"] == "3（该名册此后的新版本中已没有这一行，变更仍然有效）"
    assert rows["补发"] == 3  # the row it has now


async def test_a_correction_is_marked_on_its_own_event_not_on_a_later_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 撤销 added by the version after the one that corrected a 补发's 批准文号 was shown with
    that correction, made before it existed."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    reissue = status_event(
        "补发", "Z1122020001", "周杰", "2013-03-01", 批准文号="绵人社函〔2013〕1号"
    )
    corrected = {**reissue, "批准文号": "绵人社函〔2013〕2号"}
    revocation = status_event("撤销", "Z1122020001", "周杰", "2014-06-01")
    registers = RegisterFactory(tmp_path / "registers")
    registers.add("mianyang.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    db = tmp_path / "registry.db"
    for version in ([reissue], [corrected], [corrected, revocation]):
        registers.add("changes.csv", version, {"kind": "status-changes", "authority": "2202"})
        result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)])
        assert result.exit_code == 0, result.output
    ensure_verify_log(verify_log_path(db))
    listed = await query(shipped_datasette(db), "/registry/status_changes")
    marked = {row["类型"]: row["登记后更正"] for row in listed}
    assert marked["撤销"] is None and marked["补发"].startswith("补发批准文号：")


class OneRoster:
    """A registry of one 绵阳 roster (周杰, Z1122020001) for a test to add to, sync and browse."""

    def __init__(self, folder: Path) -> None:
        self.registers = RegisterFactory(folder / "registers")
        self.registers.add("mianyang.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
        self.db = folder / "registry.db"

    def sync(self) -> int:
        result = CliRunner().invoke(cli, ["sync", str(self.registers.folder), "--db", str(self.db)])
        return result.exit_code

    def staff(self) -> Datasette:
        ensure_verify_log(verify_log_path(self.db))
        return shipped_datasette(self.db)


@pytest.fixture
def one_roster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OneRoster:
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    return OneRoster(tmp_path)


async def test_a_refused_register_that_wrote_the_number_is_in_its_history(
    one_roster: OneRoster,
) -> None:
    """An employer's 未查到 for a number a refused roster gave to another person: the staffer
    on the phone found it only in the problems table, by hand."""
    later = [approval_row("Z11-2202-0001", "吴敏")]  # the number as typed
    one_roster.registers.add("later.csv", later, MIANYANG)
    assert one_roster.sync() == 1
    rows = await query(one_roster.staff(), "/registry/certificate", 证书编号="z1122020001")
    [refused] = [row for row in rows if row["事件"] == "名册退回"]
    assert (refused["来源名册"], refused["名册行号"]) == ("later.csv", 4)
    assert refused["证书编号"] == "Z1122020001"  # the number asked about, not the cell as typed
    assert refused["说明"].startswith("「颁发证书编号」写的是“Z11-2202-0001”：")
    assert column(rows, "事件")[-1] == "当前状态：有效"  # the holder's, untouched


async def test_a_number_whose_row_was_refused_for_another_cell_is_in_its_history(
    one_roster: OneRoster,
) -> None:
    """A roster refused for a failing score: its row's number was in no history (only a problem
    of the number cell recorded the number), though the query promises the refused rows."""
    later = [approval_row("Z1122020002", "吴敏", 技术业务理论=52)]
    one_roster.registers.add("later.csv", later, MIANYANG)
    assert one_roster.sync() == 1
    rows = await query(one_roster.staff(), "/registry/certificate", 证书编号="Z1122020002")
    [refused] = [row for row in rows if row["事件"] == "名册退回"]
    assert (refused["来源名册"], refused["名册行号"], refused["证书编号"]) == (
        "later.csv",
        4,
        "Z1122020002",
    )
    assert "技术业务理论" in refused["说明"] and "不一定是现在的持证人" not in refused["说明"]
    # the row removed as advised, the number given to the next holder: the refusal is the
    # refused row's, not the holder's (it read as if 郑浩 had failed and was registered)
    one_roster.registers.add("later.csv", [approval_row("Z1122020002", "郑浩")], MIANYANG)
    assert one_roster.sync() == 0
    rows = await query(one_roster.staff(), "/registry/certificate", 证书编号="Z1122020002")
    [refused] = [row for row in rows if row["事件"] == "名册退回"]
    assert "这是被退回的名册中写了这个编号的一行，不一定是现在的持证人" in refused["说明"]
    assert [row["姓名"] for row in rows if row["事件"] == "发证"] == ["郑浩"]
    # refused after it was registered: a row about the present holder, said without the note
    one_roster.registers.add(
        "again.csv", [approval_row("Z1122020002", "郑浩", 技术业务理论=52)], MIANYANG
    )
    assert one_roster.sync() == 1
    rows = await query(one_roster.staff(), "/registry/certificate", 证书编号="Z1122020002")
    after = [row for row in rows if row["事件"] == "名册退回" and row["来源名册"] == "again.csv"]
    assert after and not [row for row in after if "不一定是现在的持证人" in row["说明"]]


async def test_a_collected_papers_trade_changed_is_in_its_history(one_roster: OneRoster) -> None:
    """A corrected roster changed what a collected paper prints: the conflict was kept by the
    new trade (its value), and the certificate's history never showed it."""
    collected = {"证书编号": "Z1122020001", "领取人": "周杰", "签名": "是", "日期": "2012-03-25"}
    one_roster.registers.add("c.csv", [collected], {"kind": "collections", "authority": "2202"})
    assert one_roster.sync() == 0
    welder = [approval_row("Z1122020001", "周杰", 报考工种="焊工")]
    one_roster.registers.add("mianyang.csv", welder, MIANYANG)
    assert one_roster.sync() == 0
    rows = await query(one_roster.staff(), "/registry/certificate", 证书编号="Z1122020001")
    [conflict] = [row for row in rows if row["事件"] == "冲突"]
    assert conflict["证书编号"] == "Z1122020001" and conflict["来源名册"] == "mianyang.csv"
    assert "已于 2012-03-25 领取，登记的工种由“电工”改为“焊工”" in conflict["说明"]


async def test_a_syncs_page_leads_to_what_it_wrote(one_roster: OneRoster) -> None:
    """An auditor on a sync's page saw the history rows it wrote, not the certificate it
    registered: certificates name their sync in no foreign key, and had to be filtered by hand."""
    assert one_roster.sync() == 0
    one_roster.registers.add(
        "bad.csv", [approval_row("Z1122020002", "吴敏", 技术业务理论=52)], MIANYANG
    )
    assert one_roster.sync() == 1
    ds = one_roster.staff()
    cookies = signed_in(ds)
    loaded = await ds.client.get("/registry/syncs/1", cookies=cookies)
    assert loaded.status_code == 200
    assert 'href="/registry/certificates?created_sync=1">本次登记的证书</a>' in loaded.text
    assert 'href="/registry/certificates?updated_sync=1"' in loaded.text
    listed = await ds.client.get("/registry/certificates.json?created_sync=1", cookies=cookies)
    assert [row[0] for row in listed.json()["rows"]] == ["Z1122020001"]
    refused = await ds.client.get("/registry/syncs/2", cookies=cookies)
    assert refused.status_code == 200 and "本次登记的证书" not in refused.text
    # the run each attempt was part of: the second run's, not the first's
    assert "同一次同步运行导入或拒收的全部名册" in refused.text
    run = sqlite3.connect(one_roster.db).execute("SELECT run FROM syncs WHERE id = 2").fetchone()[0]
    link = re.search(r'<p class="sync-run"><a href="([^"]+)">', refused.text)
    assert link is not None  # the page's own link, followed
    same = await ds.client.get(
        html.unescape(link.group(1)).replace("syncs?", "syncs.json?"), cookies=cookies
    )
    assert f"run={quote(run)}" in html.unescape(link.group(1))
    assert [row[0] for row in same.json()["rows"]] == [2]


async def test_the_sync_history_says_what_its_added_and_changed_count_per_kind(
    one_roster: OneRoster,
) -> None:
    """A 换发、补发、撤销 register's 新增 2 beside a roster's 新增 1 read as certificates both: the
    sync history said nowhere that one counts certificates and the other events (an auditor's
    review)."""
    assert one_roster.sync() == 0
    events = [
        status_event("补发", "Z1122020001", "周杰", "2013-03-01"),
        status_event("撤销", "Z1122020001", "周杰", "2014-06-01"),
    ]
    one_roster.registers.add("changes.csv", events, {"kind": "status-changes", "authority": "2202"})
    assert one_roster.sync() == 0
    ds = one_roster.staff()
    rows = await query(ds, "/registry/sync_history", 名册="", 结果="")
    assert [(r["名册类型"], r["新增"]) for r in rows][0] == ("换发、补发、撤销登记表", 2)
    cookies = signed_in(ds)
    for path in ("/registry/syncs", "/registry/sync_history"):
        page = html.unescape((await ds.client.get(path, cookies=cookies)).text)
        assert "证书名册（审批名册、技师名册等）是新登记的、内容经更正的证书本数" in page
        assert (
            "换发、补发、撤销登记表是新登记的、批准文号或原因等经更正的换发、补发、撤销事件数"
            in page
        )
        assert "申领计划表、发放单、领取登记是新写入的、内容经更正的记录数" in page
    table = await ds.client.get("/registry/syncs", cookies=cookies)
    assert (
        "新增（证书、事件或记录）<br>" in table.text and "修改（已登记的经更正）<br>" in table.text
    )


async def test_a_refused_number_cell_keeps_the_number_it_wrote_for_the_lookup(
    one_roster: OneRoster,
) -> None:
    """The lookup normalised every problem ever recorded to find a number cell's (1.7 s at
    400,000 refused rows, then 查询超时): the problem keeps the number it wrote, found by an
    index; one an older certreg recorded without it is still read as typed."""
    one_roster.registers.add("later.csv", [approval_row("Z11-2202-0001", "吴敏")], MIANYANG)
    assert one_roster.sync() == 1
    conn = sqlite3.connect(one_roster.db)
    [(sync, number)] = conn.execute(
        "SELECT sync, number FROM problems WHERE [column] = '颁发证书编号'"
    ).fetchall()
    conn.execute(
        "INSERT INTO problems (sync, severity, row, [column], value, rule, clause, number)"
        " VALUES (?, 'error', 5, '颁发证书编号', 'Z11 2202 0001', '旧版记录', '附件3', NULL)",
        (sync,),
    )
    conn.commit()
    conn.close()
    rows = await query(one_roster.staff(), "/registry/certificate", 证书编号="Z1122020001")
    refused = [row["说明"] for row in rows if row["事件"] == "名册退回"]
    assert number == "Z1122020001"
    assert len(refused) == 2 and any("旧版记录" in line for line in refused), refused


@pytest.mark.parametrize(
    ("file", "rows", "manifest", "why"),
    [  # a corrected version giving the number to another person
        (
            "mianyang.csv",
            [approval_row("Z1122020001", "吴敏")],
            MIANYANG,
            "「姓名」：证书 Z1122020001",
        ),
        (  # the same holder a second certificate of that trade and level
            "later.csv",
            [approval_row("Z1122020002", "周杰")],
            MIANYANG,
            "「姓名」：此人（姓名、出生年月、工种、等级均相同）已在登记库中",
        ),
        (  # a 撤销 naming someone else
            "changes.csv",
            [status_event("撤销", "Z1122020001", "吴敏", "2014-06-01")],
            {"kind": "status-changes", "authority": "2202"},
            "「姓名」：姓名与登记库中该证书的持证人",
        ),
    ],
    ids=["corrected-holder", "second-certificate", "status-change-name"],
)
async def test_a_row_refused_in_another_cell_is_in_its_numbers_history(
    one_roster: OneRoster, file: str, rows: list[dict[str, str]], manifest: Any, why: str
) -> None:
    """A register refused for its 姓名 cell, not its number's, was missing from the history of
    the number its row wrote: the staffer asked about that number never saw the refusal."""
    assert one_roster.sync() == 0
    one_roster.registers.add(file, rows, manifest)
    assert one_roster.sync() == 1
    number = rows[0].get("颁发证书编号") or rows[0]["证书编号"]
    history = await query(one_roster.staff(), "/registry/certificate", 证书编号=number)
    [refused] = [row for row in history if row["事件"] == "名册退回"]
    assert refused["来源名册"] == file and refused["证书编号"] == normalise(number), refused
    assert refused["说明"].startswith(why.replace("」：", f"」写的是“{rows[0]['姓名']}”："))


async def test_the_numbering_run_that_handed_a_number_out_is_in_its_history(
    one_roster: OneRoster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An auditor asking where a number came from saw its 发证 only: which certreg number run
    handed it out, by whom, into which copy, was in another table."""
    monkeypatch.setenv("CERTREG_OPERATOR", "编号员甲")
    assert one_roster.sync() == 0
    roster = one_roster.registers.add("new.csv", [approval_row("", "吴敏")], MIANYANG)
    out = one_roster.registers.folder / "new-numbered.csv"
    numbered = CliRunner().invoke(
        cli,
        ["number", str(roster), "--kind", "approval-roster", "--authority", "2202"]
        + ["--year-code", "11", "--out", str(out), "--db", str(one_roster.db)],
    )
    assert numbered.exit_code == 0, numbered.output
    history = await query(one_roster.staff(), "/registry/certificate", 证书编号="Z1122020002")
    [run] = [row for row in history if row["事件"] == "编号"]
    assert "编号员甲" in run["说明"] and "new-numbered.csv" in run["说明"]
    assert run["证书编号"] == "Z1122020002" and run["来源名册"].endswith("new.csv")
    assert run["姓名"] == "吴敏"  # whom it went to (an auditor's review: the line had no name)
    other = await query(one_roster.staff(), "/registry/certificate", 证书编号="Z1122020003")
    assert "编号" not in column(other, "事件")  # past the run's last number


async def test_a_days_lines_read_in_the_order_of_their_syncs(one_roster: OneRoster) -> None:
    """Lines registered on one day stood in the order of their kinds: a refusal between two
    corrections read as coming after both."""
    assert one_roster.sync() == 0
    for wage in ("2008.11", "2008.12"):
        one_roster.registers.add(
            "mianyang.csv",
            [approval_row("Z1122020001", "周杰", 执行工资等级起始时间=wage)],
            MIANYANG,
        )
        assert one_roster.sync() == 0
        if wage == "2008.11":
            one_roster.registers.add("later.csv", [approval_row("Z1122020001", "吴敏")], MIANYANG)
            assert one_roster.sync() == 1
            del one_roster.registers.entries["later.csv"]  # withdrawn
            one_roster.registers.write_manifest()
            (one_roster.registers.folder / "later.csv").unlink()
    history = await query(one_roster.staff(), "/registry/certificate", 证书编号="Z1122020001")
    lines = [(row["事件"], row["同步编号"]) for row in history if row["同步编号"] not in (1, None)]
    assert [kind for kind, _ in lines] == ["名册更正", "名册退回", "名册更正"], lines
    assert [sync for _, sync in lines] == sorted(sync for _, sync in lines)


async def test_a_numbers_checks_and_reports_are_a_link_away(ds: Datasette) -> None:
    """The phone call: a certificate's page and its history lead to what employers did with
    its number — the verification log's checks and the reports about it."""
    cookies = signed_in(ds)
    history = await ds.client.get(
        "/registry/certificate", params={"证书编号": "z11 2202 0111"}, cookies=cookies
    )
    row = await ds.client.get("/registry/certificates/Z1122020123", cookies=cookies)
    for page, number in ((history, "Z1122020111"), (row, "Z1122020123")):
        assert page.status_code == 200
        assert f'href="/verify_log/checks?number={number}&amp;_sort_desc=at"' in page.text
        assert (
            f'href="/verify_log/report_queue?%E8%AF%81%E4%B9%A6%E7%BC%96%E5%8F%B7={number}"'
            in page.text
        )
    reported = await query(ds, "/verify_log/report_queue", 证书编号="ｚ１１２２０２０１１１")
    assert column(reported, "证书编号") == ["Z1122020111"] * len(reported) and reported
    assert await query(ds, "/verify_log/report_queue", 证书编号="Z1122020123") == []


async def test_a_paper_that_did_not_match_is_suspicious_traffic_too(
    ds: Datasette, registry_db: Path
) -> None:
    """Six employers were told 有效，但所填的工种与登记不符 of one real number and name — a
    forged paper — and no query of suspicious traffic listed it; the report of one said 有效."""
    log = sqlite_utils.Database(verify_log_path(registry_db))
    at = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).replace(microsecond=0).isoformat()
    checks = log.table("checks")
    ids = [
        checks.insert(
            {
                **{"at": at, "client": f"203.0.113.{i}", "number": "J1122010009"},
                **{"result": "valid", "name_hash": "f" * 64, "channel": "api"},
                **{"confirmed": "level,trade", "mismatched": "trade"},
            }
        ).last_pk
        for i in range(6)
    ]
    ids.append(  # a seventh employer's paper matched: no failure of the number
        checks.insert(
            {
                **{"at": at, "client": "203.0.113.9", "number": "J1122010009"},
                **{"result": "valid", "name_hash": "f" * 64, "channel": "api"},
                **{"confirmed": "level,trade", "mismatched": ""},
            }
        ).last_pk
    )
    report = (
        log.table("reports")
        .insert(
            {
                **{"at": at, "client": "203.0.113.1", "number": "J1122010009", "result": "valid"},
                **{"checked_at": at, "name_hash": "f" * 64, "mismatched": "trade", "receipt": None},
                **{"authority": "2200", "contact": "人事处", "text": "工种与证书不符"},
            }
        )
        .last_pk
    )
    try:
        [failing] = [
            row
            for row in await query(ds, "/verify_log/failing_numbers")
            if row["证书编号"] == "J1122010009"
        ]
        assert (failing["证书内容不符次数"], failing["未查到或格式错误次数"]) == (6, 0)
        [checked] = [
            row
            for row in await query(ds, "/verify_log/most_checked")
            if row["证书编号"] == "J1122010009"
        ]
        assert checked["其中证书内容与登记不符"] == 6
        [plain] = [
            row
            for row in await query(ds, "/verify_log/most_checked")
            if row["证书编号"] == "Z1122020123"
        ]
        assert plain["其中证书内容与登记不符"] == 0  # none confirmed: 0, not empty
        [queued] = await query(ds, "/verify_log/report_queue", 证书编号="J1122010009")
        assert queued["查验结果"] == "有效，但所填的证书内容与登记不符"
        assert (queued["证书上不符的项目"], queued["其中证书内容与登记不符"]) == ("工种", 6)
        clients = {
            row["客户端"]: row["证书内容不符次数"]
            for row in await query(ds, "/verify_log/suspicious_clients", 未查到阈值="0")
        }
        assert (clients["203.0.113.1"], clients["203.0.113.9"]) == (1, 0)
        # what the registry holds now beside what the employer was told then (a 未查到 reported
        # before its roster was loaded was told only by following the link): this log's checks
        # are of a number the registry does not hold
        assert queued["现在的登记状态"] == "无此编号"
    finally:
        log.execute(f"DELETE FROM checks WHERE id IN ({', '.join(map(str, ids))})")
        log.execute("DELETE FROM reports WHERE id = ?", [report])
        log.conn.commit()
        log.close()


async def test_the_report_queue_lists_only_the_unhandled_when_asked_yes(ds: Datasette) -> None:
    """全部 (or 不是, 所有) showed no report at all: anything but a short list of noes read as 是,
    and an auditor concluded nobody had reported anything."""
    everything = await query(ds, "/verify_log/report_queue")
    unhandled = await query(ds, "/verify_log/report_queue", 只看未处理="是")
    assert len(unhandled) < len(everything)
    for typed in ("全部", "所有", "不是", "否", "all but unreadable"):
        assert await query(ds, "/verify_log/report_queue", 只看未处理=typed) == everything, typed
    for typed in ("是", " Y ", "１", "未处理"):
        assert await query(ds, "/verify_log/report_queue", 只看未处理=typed) == unhandled, typed


async def test_a_registers_page_leads_to_its_certificates_and_syncs(ds: Datasette) -> None:
    """A register's page linked nowhere: its certificates, syncs and changes were three filters
    typed by hand."""
    page = await ds.client.get(
        "/registry/registers/2011-mianyang-approval~2Ecsv", cookies=signed_in(ds)
    )
    assert page.status_code == 200
    key = "register=2011-mianyang-approval.csv"
    for link in (f"/registry/certificates?{key}", f"/registry/syncs?{key}&amp;_sort_desc=id"):
        assert f'href="{link}"' in page.text
    certificates = await ds.client.get(
        "/registry/certificates.json",
        params={"register": "2011-mianyang-approval.csv"},
        cookies=signed_in(ds),
    )
    assert certificates.json()["filtered_table_rows_count"] > 0


async def test_a_collection_a_new_version_dropped_keeps_what_it_said_in_the_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signed 领取 of a certificate left its history with the version that dropped it, but
    for a 冲突 line: who collected it, when, and that it was signed, stay in the history."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    registers = RegisterFactory(tmp_path / "registers")
    db = tmp_path / "registry.db"
    collected = {"证书编号": "Z1122020001", "领取人": "李芳", "签名": "是", "日期": "2012-03-20"}
    other = {**collected, "证书编号": "Z1122020002"}
    registers.add(
        "mianyang.csv",
        [approval_row("Z1122020001", "周杰"), approval_row("Z1122020002", "吴敏")],
        MIANYANG,
    )
    facts = {"kind": "collections", "authority": "2202"}
    corrected = {**collected, "领取人": "李芳代"}
    for rows in ([collected, other], [corrected, other], [other]):
        registers.add("collections.csv", rows, facts)
        result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)])
        assert result.exit_code == 0, result.output
    ensure_verify_log(verify_log_path(db))
    rows = await query(shipped_datasette(db), "/registry/certificate", 证书编号="Z1122020001")
    # a correction left no line: the history showed only the collector of the latest version
    [correction] = [row for row in rows if row["事件"] == "领取记录更正"]
    assert correction["说明"] == "领取人：李芳 → 李芳代"
    [dropped] = [row for row in rows if row["事件"] == "领取记录删除"]
    assert dropped["说明"].startswith("随名册新版本删除，原登记：")
    assert {"领取人：李芳代", "签名：是", "日期：2012-03-20"} <= set(
        dropped["说明"].split("：", 1)[1].split("；")
    )
    assert dropped["来源名册"] == "collections.csv"
    assert correction["同步编号"] < dropped["同步编号"]


async def test_an_exchanges_corrected_document_is_no_correction_of_the_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new certificate of a 换发 whose 批准文号 a new version corrects showed 换发更正 —
    and its 发证 line the corrected document against the sync that first loaded the other (an
    auditor's review): the line reads as first registered, its corrections below."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    exchange = status_event("换发", "Z1122020001", "周杰", "2013-03-01", "Z1122020002")
    corrected = {**exchange, "批准文号": "绵人社函〔2013〕9号"}
    rows = await corrected_history(tmp_path, [exchange], [corrected], "Z1122020002")
    assert "换发更正" not in column(rows, "事件") and "变更登记更正" in column(rows, "事件")
    [issued] = [row for row in rows if row["事件"] == "发证"]
    assert issued["依据文件"] == exchange["批准文号"] != corrected["批准文号"]


async def test_a_corrected_name_is_one_line_of_its_exchange(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its comparison key, stored beside it, showed as a second line (姓名比对键), dated by the
    sync and called 变更登记更正."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    exchange = status_event(
        "换发", "Z1122020001", "周杰", "2013-03-01", "Z1122020002", 原因="错填", 更正姓名="周洁"
    )
    rows = await corrected_history(tmp_path, [exchange], [exchange], "Z1122020002")
    corrections = [(r["日期"], r["事件"], r["说明"]) for r in rows if "更正" in r["事件"]]
    assert corrections == [("2013-03-01", "换发更正", "姓名：周杰 → 周洁")]


async def test_number_lookup_shows_who_collected_the_certificate(ds: Datasette) -> None:
    """The 领取 register (§四.(六)1): who collected it and when, in its history."""
    rows = await query(ds, "/registry/certificate", 证书编号="C1122000001")
    assert column(rows, "事件") == ["发证", "领取", "撤销", "当前状态：已撤销"]
    collected = rows[1]
    assert collected["日期"] == "2012-03-20"
    assert collected["说明"] == "领取人：赵代领；签名：领取签名表第1页"
    assert (collected["来源名册"], collected["名册行号"]) == ("2012-collections.csv", 4)
    assert isinstance(collected["同步编号"], int) and collected["登记时间"]


async def test_status_changes_show_both_reviews_and_read_dates_as_typed(ds: Datasette) -> None:
    """A 补发 records both reviews (§四.(六)3); a date typed 2012-9-1 is the first of September,
    not a text that sorts after 2012-09-10."""
    for typed in ("2012-9-1", "2012年9月1日"):
        rows = await query(ds, "/registry/status_changes", 类型="补发", 起始日期=typed, 截止日期="")
        assert ("Z1122000001", "发证机关审核同意") in [
            (r["证书编号"], r["发证机关审核"]) for r in rows
        ], typed
        assert all(r["主管部门审核"] for r in rows)


async def test_an_auditor_sees_which_sync_recorded_each_line(ds: Datasette) -> None:
    """When a line entered the registry and by which sync (the 同步记录 table), in Beijing time:
    an event's date is when it happened, not when staff learned of it."""
    rows = await query(ds, "/registry/certificate", 证书编号="Z1222020001")
    correction = rows[column(rows, "事件").index("名册更正")]
    assert isinstance(correction["同步编号"], int)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}（北京时间）", correction["登记时间"])
    issued = rows[0]  # the roster's own row: the sync that first loaded it, before the correction
    assert issued["事件"] == "发证" and issued["同步编号"] < correction["同步编号"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}（北京时间）", issued["登记时间"])
    exchanged = await query(ds, "/registry/certificate", 证书编号="Z1122020124")
    assert isinstance(exchanged[1]["同步编号"], int) and exchanged[1]["登记时间"]  # the 换发
    events = await query(
        ds, "/registry/status_changes", 类型="换发", 证书编号="", 起始日期="", 截止日期=""
    )
    assert events and all(isinstance(e["同步编号"], int) and e["登记时间"] for e in events)


async def test_a_certificate_a_new_version_dropped_shows_the_conflict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """郑浩's row is missing from the roster's second version: the certificate stays (never
    deleted), and the number's lookup says so where staff look at it — not only in 同步问题."""
    registers = RegisterFactory(tmp_path / "registers")
    db = tmp_path / "registry.db"
    rows = [approval_row("Z1122020001", "周杰"), approval_row("Z1122020002", "郑浩")]
    registers.add("mianyang.csv", rows, MIANYANG)
    assert CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)]).exit_code == 0
    registers.add("mianyang.csv", rows[:1], MIANYANG)
    assert CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)]).exit_code == 0
    ensure_verify_log(verify_log_path(db))
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    found = await query(shipped_datasette(db), "/registry/certificate", 证书编号="Z1122020002")
    assert column(found, "事件") == ["发证", "冲突", "当前状态：有效"]
    assert found[1]["来源名册"] == "mianyang.csv" and isinstance(found[1]["同步编号"], int)


async def test_unknown_or_empty_number_finds_nothing(ds: Datasette) -> None:
    assert await query(ds, "/registry/certificate", 证书编号="Z1122029999") == []
    assert await query(ds, "/registry/certificate", 证书编号="") == []


# -- holders by name ----------------------------------------------------------------------


async def test_holder_by_name_as_typed(ds: Datasette) -> None:
    rows = await query(ds, "/registry/holders", 姓名="周　杰")
    assert column(rows, "证书编号") == ["Z1122020123"]
    assert rows[0]["地区"] == "绵阳市"
    assert rows[0]["发证机关"] == "绵阳市人力资源和社会保障局"
    assert rows[0]["状态"] == "有效"


async def test_holder_by_other_middle_dot_and_by_part_of_name(ds: Datasette) -> None:
    exact = await query(ds, "/registry/holders", 姓名="阿依古丽•买买提")
    assert column(exact, "证书编号") == ["C1122020001"]
    part = await query(ds, "/registry/holders", 姓名="买买提")
    assert column(part, "姓名") == ["阿依古丽·买买提"]


@pytest.mark.parametrize("typed", ["阿依古丽买买提", "阿依古丽 买买提", "阿依古丽买·买提"])
async def test_holder_by_name_typed_without_its_dot(ds: Datasette, typed: str) -> None:
    """间隔号的写法不限: 阿依古丽买买提 found nobody, the holder being 阿依古丽·买买提."""
    assert column(await query(ds, "/registry/holders", 姓名=typed), "证书编号") == ["C1122020001"]


def holders_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, names: list[str]
) -> tuple[Datasette, RegisterFactory, Path]:
    """Staff's Datasette over a registry of one roster of ``names`` (Z1122020001 on)."""
    registers = RegisterFactory(tmp_path / "registers")
    db = tmp_path / "registry.db"
    rows = [approval_row(f"Z112202{i:04d}", name) for i, name in enumerate(names, start=1)]
    registers.add("m.csv", rows, MIANYANG)
    assert CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)]).exit_code == 0
    ensure_verify_log(verify_log_path(db))
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    return shipped_datasette(db), registers, db


async def test_a_certificate_left_out_of_its_roster_says_so_on_its_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A staff review: a certificate a corrected roster left out (kept, never deleted) still
    showed 来源名册 … 第 3 行 as if the file in force held that row; listed again, it does."""
    ds, registers, db = holders_registry(tmp_path, monkeypatch, ["甲", "乙"])

    async def says_left_out(number: str) -> bool:
        page = await ds.client.get(f"/registry/certificates/{number}", cookies=signed_in(ds))
        assert page.status_code == 200
        return "该名册此后的新版本中已没有这一行" in page.text

    def roster(*names: str) -> None:
        rows = [approval_row(f"Z11220200{i:02d}", n) for i, n in enumerate(names, 1)]
        registers.add("m.csv", rows, MIANYANG)
        assert (
            CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)]).exit_code == 0
        )

    assert not await says_left_out("Z1122020002")
    roster("甲")  # 乙 left out: a conflict, the certificate kept
    assert await says_left_out("Z1122020002") and not await says_left_out("Z1122020001")
    assert await says_left_out("~5A1122020002")  # the same page, its key tilde-encoded
    roster("甲", "乙")  # listed again
    assert not await says_left_out("Z1122020002")


async def test_a_correction_made_in_the_manifest_is_not_told_as_one_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A staff review: an approval document corrected in registers.toml (the file unchanged)
    read as a 名册更正 of that file, which an auditor then looked for in the archived copy."""
    ds, registers, db = holders_registry(tmp_path, monkeypatch, ["甲"])
    rows = [approval_row("Z1122020001", "甲")]
    registers.add("m.csv", rows, {**MIANYANG, "approval_doc": "绵人社函〔2012〕9号"})
    assert CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)]).exit_code == 0
    registers.add(
        "m.csv",
        [approval_row("Z1122020001", "甲", 报考工种="汽车驾驶员")],
        MIANYANG | {"approval_doc": "绵人社函〔2012〕9号"},
    )
    assert CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)]).exit_code == 0
    lines = await query(ds, "/registry/certificate", 证书编号="Z1122020001")
    corrections = [(r["事件"], r["说明"].split("：")[0]) for r in lines if "更正" in r["事件"]]
    assert corrections == [
        ("登记信息更正（registers.toml）", "批准文号"),
        ("名册更正", "工种"),
    ], lines


async def test_a_name_without_its_dots_is_the_same_name_and_pages_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """马尔古 is 马·尔古 (one dot), 买买提吐尔逊阿不都 is 买买提·吐尔逊·阿不都 (two): the same
    name, listed before the names that start with or contain what was typed, and paged so."""
    names = ["马·尔古", "马尔古丽", "吉马尔古", "买买提·吐尔逊·阿不都", "马尔"]
    ds, _, _ = holders_registry(tmp_path, monkeypatch, names)

    async def numbers(typed: str, after: str = "") -> list[str]:
        found = await query(ds, "/registry/holders", 姓名=typed, 上页末行编号=after)
        return column(found, "证书编号")

    assert await numbers("马尔古") == ["Z1122020001", "Z1122020002", "Z1122020003"]
    assert await numbers("马尔古", after="Z1122020001") == ["Z1122020002", "Z1122020003"]
    assert await numbers("马尔古", after="Z1122020002") == ["Z1122020003"]
    assert (await numbers("马·尔古"))[0] == "Z1122020001"
    for typed in ("买买提吐尔逊阿不都", "买买提·吐尔逊阿不都", "买买提 吐尔逊 阿不都"):
        assert await numbers(typed) == ["Z1122020004"], typed
    # 马尔 is a name of its own, first; 马·尔古 starts with it as 马尔古 does (the dots overlooked)
    assert await numbers("马尔") == ["Z1122020005", "Z1122020001", "Z1122020002", "Z1122020003"]
    assert await numbers("马尔", after="Z1122020001") == ["Z1122020002", "Z1122020003"]
    assert await numbers("尔古") == ["Z1122020003", "Z1122020001", "Z1122020002"]  # by name


async def test_a_full_page_says_it_is_one_and_links_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A staff review: a full page was headed 共 200 行 (a year's revocations counted 200 where
    the registry held 380), its next page only told of in the description. A full page says
    it is one, and links the next with the field filled in; the last page is 共 N 行."""
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国斌浩文林云峰"
    names = [f"王{a}{b}" for a in given for b in given][:102]
    ds, _, _ = holders_registry(tmp_path, monkeypatch, names)
    first = await ds.client.get(
        "/registry/holders", params={"姓名": "王", "上页末行编号": ""}, cookies=signed_in(ds)
    )
    assert "本页 100 行，后面还可能有" in first.text and "共 100 行" not in first.text
    [later] = re.findall(r'<p class="next-page">[^<]*<a href="([^"]+)">下一页</a>', first.text)
    second = await ds.client.get(html.unescape(later), cookies=signed_in(ds))
    assert "共 2 行" in second.text and 'class="next-page"' not in second.text
    asked = dict(parse_qsl(urlsplit(html.unescape(later)).query))
    shown = await query(ds, "/registry/holders", 姓名="王", 上页末行编号="")
    shown += await query(ds, "/registry/holders", **asked)
    assert len({row["证书编号"] for row in shown}) == len(shown) == 102


def test_the_next_page_of_events_and_syncs_starts_where_this_one_ended() -> None:
    """换发、补发、撤销记录 pages by the day before its last row's (a page never splits a day);
    名册导入记录 by its last row's time, once it lists 20 syncs (each a row per problem)."""
    args = MultiParams({"类型": ["撤销"], "截止日期": [""]})
    events = [{"日期": "2013-01-15"}] * 199 + [{"日期": "2012-03-01"}]
    later = next_page("status_changes", events, "/registry/status_changes", args)
    assert later and dict(parse_qsl(urlsplit(later).query)) == {
        "类型": "撤销",
        "截止日期": "2012-02-29",
    }
    assert next_page("status_changes", events[1:], "/registry/status_changes", args) is None
    syncs = [{"同步编号": n // 3, "时间": f"2026-12-01 10:{n:02d}:00"} for n in range(60)]
    later = next_page("sync_history", syncs, "/registry/sync_history", MultiParams({}))
    assert later and dict(parse_qsl(urlsplit(later).query)) == {"截止日期": "2026-12-01 10:59:00"}
    assert next_page("sync_history", syncs[:57], "/registry/sync_history", MultiParams({})) is None
    # a query whose columns are not the shipped ones (a column renamed): no link, no error page
    renamed = [{"时间": "2026-12-01"}] * 200
    assert next_page("status_changes", renamed, "/registry/status_changes", args) is None
    undated = [{"日期": "某天"}] * 200
    assert next_page("status_changes", undated, "/registry/status_changes", args) is None


async def test_a_separator_alone_finds_nobody(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dot or a hyphen typed alone listed the whole registry, a second a page."""
    ds, _, _ = holders_registry(
        tmp_path, monkeypatch, ["Jean-Luc O'Neil", "阿依古丽·买买提", "A.Smith"]
    )
    for typed in ("·", "-", "'", ".", " · ", "．"):
        assert await query(ds, "/registry/holders", 姓名=typed, 上页末行编号="") == [], typed
    assert len(await query(ds, "/registry/holders", 姓名="l", 上页末行编号="")) == 1


async def test_a_latin_name_is_found_with_or_without_its_apostrophe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The public check takes ONeil for O'Neil (and O’Neil): so does staff's search."""
    names = ["O’Neil", "Jean-Luc O'Neil"]
    ds, registers, db = holders_registry(tmp_path, monkeypatch, names)
    for typed in ("O'Neil", "oneil", "O’Neil"):
        found = await query(ds, "/registry/holders", 姓名=typed)
        assert column(found, "证书编号")[0] == "Z1122020001", typed
    found = await query(ds, "/registry/holders", 姓名="Jean-Luc ONeil")
    assert column(found, "证书编号") == ["Z1122020002"]
    # a name starting with a spelling of what was typed, holding it again further in: once
    rows = [approval_row(f"Z112202000{i}", n) for i, n in enumerate([*names, "O'Neiloneil"], 1)]
    registers.add("m.csv", rows, MIANYANG)
    assert CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)]).exit_code == 0
    found = await query(ds, "/registry/holders", 姓名="ONeil")
    assert sorted(column(found, "证书编号")) == ["Z1122020001", "Z1122020003"]


async def test_exact_name_comes_before_partial_matches(ds: Datasette) -> None:
    rows = await query(ds, "/registry/holders", 姓名="欧阳明")
    assert column(rows, "证书编号") == ["G1122000002", "G1122000003"]  # exchanged: old and new
    rows = await query(ds, "/registry/holders", 姓名="明")
    assert set(column(rows, "姓名")) == {"张三明", "欧阳明"}


async def test_empty_name_lists_nobody(ds: Datasette) -> None:
    assert await query(ds, "/registry/holders", 姓名="") == []


# -- counts per region × level × year -----------------------------------------------------


async def test_how_many_intermediate_certificates_mianyang_numbered_in_the_first_batch(
    ds: Datasette,
) -> None:
    """Counted by the year code in the number, and shown as the number holds it: Mianyang's
    first batch was issued on 2012-03-20 under the code 11 (附件3 二), which the column called
    核发年度 2011."""
    rows = await query(ds, "/registry/counts", 地区="绵阳", 等级="中级工", 年度="2011")
    assert len(rows) == 1
    assert (rows[0]["地区"], rows[0]["等级"], rows[0]["年份代码"]) == ("绵阳市", "中级工", "11")
    # Z1122020123 周杰; Z1122020124 郑浩, exchanged for Z1122020125, which was later reissued.
    assert rows[0]["证书数"] == 3
    columns = ("其中有效", "其中原号补发", "其中已换发", "其中补发为新号", "其中撤销")
    assert [rows[0][k] for k in columns] == [1, 1, 1, 0, 0]
    same = await query(ds, "/registry/counts", 地区="2202", 等级="中级", 年度="11")
    assert same == rows


async def test_a_void_reissue_copy_is_not_told_to_carry_the_mark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 补发 copy since revoked was still described as the paper to show (marked 补发)."""
    ds, registers, db = holders_registry(tmp_path, monkeypatch, ["甲"])
    changes = [
        status_event("补发", "Z1122020001", "甲", "2013-01-10", "Z1322020001"),
        status_event("撤销", "Z1322020001", "甲", "2014-01-10"),
    ]
    registers.add("changes.csv", changes, {"kind": "status-changes", "authority": "2202"})
    assert CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)]).exit_code == 0
    rows = await query(ds, "/registry/certificate", 证书编号="Z1322020001")
    [current] = [r for r in rows if r["事件"].startswith("当前状态")]
    assert current["事件"] == "当前状态：已撤销" and "补发证书" not in current["说明"]


async def test_counts_tell_a_reissue_under_a_new_number_from_an_exchange(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 补发 under a new number was counted as 已换发, and a 补发 under the same number later
    exchanged as nothing reissued: an auditor read the 补发 column as empty."""
    ds, registers, db = holders_registry(tmp_path, monkeypatch, ["甲", "乙", "丙"])
    changes = [
        status_event("换发", "Z1122020001", "甲", "2013-01-10", "Z1322020001"),
        status_event("补发", "Z1122020002", "乙", "2013-01-10", "Z1322020002"),
        status_event("补发", "Z1122020003", "丙", "2013-01-10"),
    ]
    registers.add("changes.csv", changes, {"kind": "status-changes", "authority": "2202"})
    assert CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)]).exit_code == 0
    [old] = await query(ds, "/registry/counts", 地区="2202", 年度="2011")
    columns = ("证书数", "其中有效", "其中原号补发", "其中已换发", "其中补发为新号", "其中撤销")
    assert [old[k] for k in columns] == [3, 0, 1, 1, 1, 0]
    # in force: the 补发 copy under its old number too — an auditor read 其中有效 as that
    assert old["其中在用"] == 1
    [new] = await query(ds, "/registry/counts", 地区="2202", 年度="2013")
    assert [new[k] for k in columns] == [2, 2, 0, 0, 0, 0] and new["其中在用"] == 2


async def test_counts_without_conditions_cover_every_certificate(
    ds: Datasette, registry_db: Path
) -> None:
    rows = await query(ds, "/registry/counts", 地区="", 等级="", 年度="")
    total = (await query(ds, "/registry", sql="select count(*) as n from certificates"))[0]["n"]
    assert sum(column(rows, "证书数")) == total
    mianyang_2012 = [r for r in rows if r["地区"] == "绵阳市" and r["年份代码"] == "12"]
    assert [(r["等级"], r["证书数"]) for r in mianyang_2012] == [("中级工", 1)]
    # Levels in the order of 附件3's footer: 初级工, 中级工, 高级工, 技师.
    province = [r["等级"] for r in rows if r["地区代码"] == "2200"]
    assert province == ["初级工", "中级工", "高级工", "技师"]


async def test_the_same_count_from_facets_without_sql(ds: Datasette) -> None:
    response = await ds.client.get(
        "/registry/certificates.json",
        params={"region": "2202", "level": "中级工", "year_code": "11"},
        cookies=signed_in(ds),
    )
    body = response.json()
    assert body["filtered_table_rows_count"] == 3
    assert set(body["facet_results"]) == {
        "level",
        "region",
        "trade",
        "status",
        "year_code",
        "authority",
    }


def facet_counts(body: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        name: {str(item["value"]): item["count"] for item in facet["results"]}
        for name, facet in body["facet_results"].items()
    }


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"_sort": "name"},
        {"_sort_desc": "issued_on"},
        {"region": "2202", "_sort": "trade"},
        {"_facet": "sex", "_sort": "status_date"},  # nulls: the page condition's other shape
    ],
)
async def test_facets_count_the_whole_filter_on_every_page(
    ds: Datasette, params: dict[str, str]
) -> None:
    """Paging on (?_next=) changes the rows shown, never the facet counts or the row count."""

    async def page(extra: dict[str, str]) -> dict[str, Any]:
        response = await ds.client.get(
            "/registry/certificates.json",
            params={**params, "_size": "4", **extra},
            cookies=signed_in(ds),
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    first = await page({})
    pages, token = 1, first["next"]
    while token:
        later = await page({"_next": token})
        assert facet_counts(later) == facet_counts(first), (pages, token)
        assert later["filtered_table_rows_count"] == first["filtered_table_rows_count"]
        pages, token = pages + 1, later["next"]
    assert pages >= 2


def test_a_token_that_adds_no_page_condition_leaves_the_staffs_own_filters_alone() -> None:
    sql = "select * from certificates where level in (:p0, :p1) "
    params = {"p0": "中级工", "p1": "高级工"}
    assert whole_filter(sql, params, "a,b") == sql
    paged = f"{sql.rstrip()} and (number > :p2) "
    assert whole_filter(paged, {**params, "p2": "a"}, "a") == sql


def test_a_filter_on_an_unindexed_column_groups_what_its_where_selects() -> None:
    columns = ["number", "unit", "sex", "status", "level"]
    leading = {"number", "status", "level"}

    def rewritten(where: str) -> bool:
        sql = f"select number, unit, sex, status, level from certificates {where}"
        return "+level as level" in ungrouped(sql, "certificates", columns, leading)

    assert rewritten('where "unit" = :p0 ')
    assert rewritten('where "status" = :p0 and "sex" = :p1 ')  # the row is read anyway
    assert rewritten("where unit like 'x%' ")  # a _where of the staff's own
    assert not rewritten('where "status" = :p0 and "level" in (:p1, :p2) ')
    assert not rewritten("")  # no filter: the facet indexes count the whole table
    assert not rewritten('where "number" > :unit ')  # a parameter's name is no column
    assert rewritten('where "level" like :p0 ')  # a LIKE reads no index


async def _facet_plans(
    ds: Datasette, db: Path, params: dict[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """The page's JSON for ``params`` and the query plan of its 等级 facet (or of the one pass
    counting every facet), step by step."""
    traces: list[dict[str, Any]] = []
    with capture_traces(traces):
        response = await ds.client.get(
            "/registry/certificates.json",
            params={**params, "_facet": "level"},
            cookies=signed_in(ds),
        )
    assert response.status_code == 200, response.text
    facet = next(  # one facet's query, or the one pass counting every facet
        t
        for t in traces
        if "select level as value, count(*)" in t.get("sql", "")
        or "count(*) as certificates from (" in t.get("sql", "")
    )
    conn = sqlite3.connect(db)
    try:
        plan = conn.execute(f"EXPLAIN QUERY PLAN {facet['sql']}", facet["params"]).fetchall()
    finally:
        conn.close()
    body: dict[str, Any] = response.json()
    return body, [step[-1] for step in plan]


async def test_facets_of_an_unindexed_filter_group_what_it_selects_and_count_alike(
    ds: Datasette, registry_db: Path
) -> None:
    """At a million certificates a facet of 工作单位's filter walked the facet's index and read
    every row besides (1 s for 工种); the rows the filter selects, grouped, give the same counts
    — read through a filtered column's index when there is one (姓名's key), not past it."""
    conn = sqlite3.connect(registry_db)
    unit, name = conn.execute(
        "SELECT unit, name FROM certificates GROUP BY unit ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    expected = dict(
        conn.execute(
            "SELECT level, count(*) FROM certificates WHERE unit = ? GROUP BY level", [unit]
        ).fetchall()
    )
    conn.close()
    body, plan = await _facet_plans(ds, registry_db, {"unit": unit})
    assert expected and facet_counts(body)["level"] == expected
    assert plan[:2] == ["SCAN certificates", "USE TEMP B-TREE FOR GROUP BY"]

    body, plan = await _facet_plans(ds, registry_db, {"unit": unit, "name": name})
    assert any("USING INDEX idx_certificates_name_key_birth" in step for step in plan), plan
    assert "USE TEMP B-TREE FOR GROUP BY" in plan

    _, plan = await _facet_plans(ds, registry_db, {"status": "valid", "unit": unit})
    assert plan[:2] == ["SCAN certificates", "USE TEMP B-TREE FOR GROUP BY"]


async def test_a_facet_the_tally_lacks_is_counted_from_the_certificates(ds: Datasette) -> None:
    response = await ds.client.get(
        "/registry/certificates.json",
        params={"level": "中级工", "_facet": "unit"},
        cookies=signed_in(ds),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["facet_results"]["unit"]["results"] and body["facet_results"]["level"]["results"]


@pytest.mark.parametrize("column", ["unit", "birth", "name_key__startswith"])
async def test_facets_of_an_unindexed_filter_in_one_pass_count_as_the_certificates_do(
    ds: Datasette, registry_db: Path, column: str
) -> None:
    """Each facet of a filter on 工作单位, 出生年月 or a name's start, counted from one pass
    grouping the rows it selects by every facet column, is the plain count of that column."""
    conn = sqlite3.connect(registry_db)
    field = column.partition("__")[0]
    (value,) = conn.execute(
        f"SELECT {field} FROM certificates GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    value = value[0] if "__" in column else value
    where, bound = (f"{field} LIKE ?", f"{value}%") if "__" in column else (f"{field} = ?", value)
    traces: list[dict[str, Any]] = []
    with capture_traces(traces):
        response = await ds.client.get(
            "/registry/certificates.json",
            params={column: value, "_facet": "sex", "_facet_size": "max"},
            cookies=signed_in(ds),
        )
    body = response.json()
    assert sum("count(*) as certificates from (" in t.get("sql", "") for t in traces) == 1
    shown = facet_counts(body)
    assert set(shown) == {"level", "region", "trade", "status", "year_code", "authority", "sex"}
    for name, counts in shown.items():
        expected = conn.execute(
            f"SELECT {name}, count(*) FROM certificates WHERE {where} AND {name} IS NOT NULL"
            f" GROUP BY {name}",
            [bound],
        ).fetchall()
        assert counts == {str(v): n for v, n in expected} and counts, name
    conn.close()


def test_facets_of_filters_on_tallied_columns_read_the_tally() -> None:
    columns = ["number", "unit", "sex", "status", "level", "trade"]

    def read(where: str, args: list[str]) -> str | None:
        sql = f"select number, unit, sex, status, level, trade from certificates {where}"
        return tallied(sql, "certificates", columns, args)

    assert (
        read('where "level" = :p0 ', ["level"]) == 'select * from facet_tally where "level" = :p0'
    )
    assert read('where "sex" = :p0 and "trade" like :p1 ', ["sex", "trade__contains", "_size"])
    assert read("", []) == "select * from facet_tally "
    assert read('where "unit" = :p0 ', ["unit"]) is None  # not tallied
    assert read('where "level" = :p0 ', ["level", "_where"]) is None  # a condition of its own
    assert read('where "level" = :p0 and rowid > :p1 ', ["level"]) is None  # a page not removed
    assert read('where "level" = :p0 and ("number" > :p1) ', ["level", "_next"]) is None
    assert tallied("select * from holders where level = :p0", "holders", ["level"], []) is None


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "revoked"},
        {"status": "superseded"},
        {"level": "中级工", "region": "2202"},
        {"sex": "女", "_sort": "name"},
        {"trade__contains": "驾驶"},
        {"approval_doc__not": "绵人社函〔2012〕3号", "status__not": "valid"},
    ],
)
async def test_facets_of_tallied_filters_count_as_the_certificates_do(
    ds: Datasette, registry_db: Path, params: dict[str, str]
) -> None:
    """Every facet read from facet_tally (a sample registry with 换发, 补发 and 撤销) shows the
    counts the certificates themselves give, on every page, with the same truncation."""
    traces: list[dict[str, Any]] = []
    with capture_traces(traces):
        response = await ds.client.get(
            "/registry/certificates.json",
            params={**params, "_facet": "sex", "_facet_size": "3", "_size": "2"},
            cookies=signed_in(ds),
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert any("from facet_tally" in t.get("sql", "") for t in traces)
    assert body["filtered_table_rows_count"] > 0
    filters = {k: v for k, v in params.items() if not k.startswith("_")}
    computed = await ds.client.get(
        "/registry/certificates.json",
        params={**filters, "_where": "1 = 1", "_facet": "sex", "_facet_size": "3", "_size": "2"},
        cookies=signed_in(ds),
    )
    expected = computed.json()  # _where: not read from the tally
    assert facet_counts(body) == facet_counts(expected) and facet_counts(body)
    assert {n: f["truncated"] for n, f in body["facet_results"].items()} == {
        n: f["truncated"] for n, f in expected["facet_results"].items()
    }


async def test_facets_of_a_filter_matching_nothing_read_nothing(ds: Datasette) -> None:
    """The page has counted no row: at a million certificates a 工作单位 typed wrong walked the
    number index (0.46 s) and then read the table once per facet, past the page's second."""
    traces: list[dict[str, Any]] = []
    with capture_traces(traces):
        response = await ds.client.get(
            "/registry/certificates",
            params={"unit": "没有这个单位", "_facet": "sex"},
            cookies=signed_in(ds),
        )
    assert response.status_code == 200
    assert not [t["sql"] for t in traces if "count(*) as count" in t.get("sql", "")]
    assert "facets-timed-out" not in response.text
    assert 'class="facet-info ' not in response.text  # no empty heading either


async def test_facets_past_the_pages_second_are_listed_as_timed_out(
    ds: Datasette, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def timed_out() -> str:  # more rows than the page shows: facets would tell more
        response = await ds.client.get(
            "/registry/certificates", params={"_size": "2"}, cookies=signed_in(ds)
        )
        assert response.status_code == 200
        shown = re.search(r'class="facets-timed-out">([^<]*)', response.text)
        return shown.group(1) if shown else ""

    assert await timed_out() == ""
    loaded = [
        m for m in pm.get_plugins() if getattr(m, "__file__", "").endswith("certreg_facets.py")
    ]
    monkeypatch.setattr(loaded[0], "PAGE_SECONDS", -1.0)  # the plugin as Datasette loaded it
    assert "等级、" in await timed_out() and "工种、" in await timed_out()


@pytest.mark.parametrize(
    "path", ["/verify_log/checks?channel=api", "/registry/certificates?status=revoked"]
)
async def test_a_default_facet_with_nothing_to_count_shows_no_empty_heading(
    ds: Datasette, path: str
) -> None:
    """其中与登记不符的 0 headed every page of checks with nothing under it (a staff review):
    a default facet shows when it counts something; one asked for in the URL always does."""
    page = await ds.client.get(path, cookies=signed_in(ds))
    blocks = re.findall(r'<div class="facet-info .*?</ul>', page.text, re.DOTALL)
    assert blocks
    assert all("<li" in block or "取消此分面" in block for block in blocks)
    asked = await ds.client.get(
        f"{path}&_facet=approval_doc" if "certificates" in path else f"{path}&_facet=key_id",
        cookies=signed_in(ds),
    )
    assert 'data-column="approval_doc"' in asked.text or 'data-column="key_id"' in asked.text


async def test_rows_all_on_the_page_are_not_told_their_facets_timed_out(
    ds: Datasette, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2 rows of 补发 at a million certificates: counting them took the page's second, and the
    page said their facets timed out — add filters to narrow it (a staff review). Rows all on
    the page are shown without facets; more than the page, the notice stays — worded for the
    table it is on."""

    async def notice(path: str, **params: str) -> str:
        response = await ds.client.get(path, params=params, cookies=signed_in(ds))
        assert response.status_code == 200
        shown = re.search(r'class="facets-timed-out">([^<]*)', response.text)
        return shown.group(1) if shown else ""

    loaded = [
        m for m in pm.get_plugins() if getattr(m, "__file__", "").endswith("certreg_facets.py")
    ]
    monkeypatch.setattr(loaded[0], "PAGE_SECONDS", -1.0)  # the count took the page's time
    reissued = await query(ds, "/registry/certificates", reissue="1")
    assert 2 <= len(reissued) <= 100
    assert await notice("/registry/certificates", reissue="1") == ""
    assert await notice("/registry/certificates", reissue="1", _size=str(len(reissued))) == ""
    paged = await notice("/registry/certificates", reissue="1", _size=str(len(reissued) - 1))
    assert "等级、" in paged and "如地区代码" in paged
    syncs = await notice("/registry/syncs", _facet="kind", _size="1")
    assert "超时" in syncs and "地区代码" not in syncs


async def test_rejected_registers_with_every_problem(ds: Datasette) -> None:
    rows = await query(ds, "/registry/sync_history", 名册="", 结果="rejected")
    assert set(column(rows, "名册")) == {"2012-mianyang-bad.csv"}
    assert [(r["行号"], r["列"], r["值"]) for r in rows] == [
        (5, "技术业务理论", "52"),
        (6, "报考工种", "驾校"),
    ]
    assert rows[0]["结果"].startswith("已拒绝")
    assert rows[0]["条款"] == "§二、§四.(六)1"
    assert await query(ds, "/registry/sync_history", 名册="", 结果="已拒绝") == rows
    # part of the label, wherever it is in it: 拒绝 found nothing (the label is 已拒绝，…)
    for typed in ("拒绝", " 拒绝 ", "登记库未作任何改动"):
        assert await query(ds, "/registry/sync_history", 名册="", 结果=typed) == rows, typed
    # what staff call it (the query's own description says 被拒收), and the code in capitals
    for typed in ("拒收", "退回", "REJECTED"):
        assert await query(ds, "/registry/sync_history", 名册="", 结果=typed) == rows, typed


@pytest.mark.parametrize(
    ("path", "blank", "params"),
    [
        ("/registry/status_changes", "证书编号", {"类型": "换发", "起始日期": "", "截止日期": ""}),
        ("/registry/status_changes", "截止日期", {"类型": "换发", "证书编号": "", "起始日期": ""}),
        ("/registry/sync_history", "名册", {"结果": "", "起始日期": "", "截止日期": ""}),
        ("/registry/sync_history", "截止日期", {"名册": "", "结果": "", "起始日期": ""}),
        ("/registry/holders", "上页末行编号", {"姓名": "郑浩"}),
    ],
)
async def test_a_parameter_of_only_a_full_width_space_is_no_condition(
    ds: Datasette, path: str, blank: str, params: dict[str, str]
) -> None:
    """SQLite's trim() strips only ASCII spaces: a field holding an ideographic space (what a
    Chinese keyboard types) was a condition nothing met, and the page said 没有查到结果."""
    everything = await query(ds, path, **params, **{blank: ""})
    assert everything
    assert await query(ds, path, **params, **{blank: "\u3000"}) == everything


async def test_a_full_width_register_name_finds_its_syncs(ds: Datasette) -> None:
    rows = await query(ds, "/registry/sync_history", 名册="2012-mianyang", 结果="")
    assert rows
    assert await query(ds, "/registry/sync_history", 名册="２０１２-mianyang", 结果="") == rows


async def test_sync_history_lists_loaded_updated_and_rejected(ds: Datasette) -> None:
    rows = await query(ds, "/registry/sync_history", 名册="2012-mianyang", 结果="")
    outcomes = [(r["名册"], r["结果"]) for r in rows]
    assert ("2012-mianyang.csv", "已导入") in outcomes
    assert ("2012-mianyang.csv", "已更新（新版本）") in outcomes
    assert ("2012-mianyang-bad.csv", "已拒绝，登记库未作任何改动") in outcomes
    assert column(rows, "同步编号") == sorted(column(rows, "同步编号"), reverse=True)


async def test_sync_history_says_unchanged_of_a_file_saved_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new version with 电工 written as its alias 维修电工, which the clerk was told 未变化,
    was listed to staff as 已更新（新版本）, 修改 0."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    registers = RegisterFactory(tmp_path / "registers")
    db = tmp_path / "registry.db"
    for trade in ("电工", "维修电工"):
        rows = [approval_row("Z1122020001", "周杰", 报考工种=trade)]
        registers.add("mianyang.csv", rows, MIANYANG)
        result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)])
        assert result.exit_code == 0, result.output
    ensure_verify_log(verify_log_path(db))
    ds = shipped_datasette(db)
    rows = await query(ds, "/registry/sync_history", 名册="", 结果="")
    assert [(r["结果"], r["修改"]) for r in rows] == [
        ("未变化（重新保存或改了格式，内容同前）", 0),
        ("已导入", 0),
    ]
    assert await query(ds, "/registry/sync_history", 名册="", 结果="未变化") == rows[:1]


@pytest.mark.parametrize("typed", ["2202", "绵阳市", " 绵阳 "])
async def test_sync_history_of_one_bureau_refused_registers_too(ds: Datasette, typed: str) -> None:
    """A bureau's staff could not list their own registers' refusals: a sync kept no authority,
    and a refused new register has no ``registers`` row to join."""
    rows = await query(ds, "/registry/sync_history", 名册="", 结果="", 发证机关=typed)
    assert set(column(rows, "发证机关")) == {"绵阳市人力资源和社会保障局"}
    assert "2012-mianyang-bad.csv" in column(rows, "名册")
    province = await query(ds, "/registry/sync_history", 名册="", 结果="", 发证机关="2200")
    assert province and not set(column(province, "名册")) & set(column(rows, "名册"))


async def test_sync_history_of_one_bureau_finds_a_sync_from_before_it_was_kept(
    one_roster: OneRoster,
) -> None:
    """A registry's syncs from before they kept the authority: a register that loaded has it."""
    assert one_roster.sync() == 0
    with sqlite3.connect(one_roster.db) as conn:  # as an older certreg recorded it
        conn.execute("DROP TRIGGER keep_syncs_values")
        conn.execute("UPDATE syncs SET authority = NULL")
    ds = one_roster.staff()
    rows = await query(ds, "/registry/sync_history", 名册="", 结果="", 发证机关="绵阳")
    assert column(rows, "名册") == ["mianyang.csv"]
    assert column(rows, "发证机关") == ["绵阳市人力资源和社会保障局"]


# -- 换发 / 补发 / 撤销 --------------------------------------------------------------------

NO_FILTER = {"类型": "", "证书编号": "", "名册": "", "起始日期": "", "截止日期": ""}


async def test_status_changes_newest_first(ds: Datasette) -> None:
    rows = await query(ds, "/registry/status_changes", **NO_FILTER)
    assert [(r["日期"], r["类型"], r["证书编号"], r["该证现状态"]) for r in rows] == [
        ("2013-02-01", "补发", "Z1122020125", "已补发"),
        ("2013-01-15", "撤销", "C1122000001", "已撤销"),
        ("2012-09-10", "补发", "Z1122000001", "已补发"),
        ("2012-06-01", "换发", "Z1122020124", SUPERSEDED),
        ("2012-05-08", "换发", "G1122000002", SUPERSEDED),
    ]
    assert rows[-1]["新证书编号"] == "G1122000003"
    assert (rows[-1]["来源名册"], rows[-1]["名册行号"]) == ("2012-status-changes.xlsx", 4)


async def test_revocation_typed_with_its_common_variant(ds: Datasette) -> None:
    """类型=撤消 (a common spelling of 撤销) found nothing."""
    revoked = await query(ds, "/registry/status_changes", **{**NO_FILTER, "类型": "撤销"})
    assert column(revoked, "证书编号") == ["C1122000001"]
    assert await query(ds, "/registry/status_changes", **{**NO_FILTER, "类型": "撤消"}) == revoked


async def test_status_changes_of_one_register(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which certificates one 撤销 or 补发 register touched: 名册 is part of its file name."""
    registers = RegisterFactory(tmp_path / "registers")
    db = tmp_path / "registry.db"
    holders = [("Z1122020001", "周杰"), ("Z1122020002", "郑浩"), ("Z1122020003", "吴敏")]
    registers.add("mianyang.csv", [approval_row(n, name) for n, name in holders], MIANYANG)
    changes = {"kind": "status-changes", "authority": "2202"}
    registers.add(
        "2013-revocations.csv",
        [
            status_event("撤销", "Z1122020001", "周杰", "2013-01-15"),
            status_event("撤销", "Z1122020002", "郑浩", "2013-01-20"),
        ],
        changes,
    )
    registers.add(
        "2013-reissues.csv", [status_event("补发", "Z1122020003", "吴敏", "2013-02-01")], changes
    )
    assert CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)]).exit_code == 0
    ensure_verify_log(verify_log_path(db))
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    ds = shipped_datasette(db)

    async def numbers(register: str) -> list[str]:
        found = await query(ds, "/registry/status_changes", **{**NO_FILTER, "名册": register})
        return column(found, "证书编号")

    assert await numbers("revocations") == ["Z1122020002", "Z1122020001"]
    assert await numbers(" 2013-REISSUES ") == ["Z1122020003"]
    assert await numbers("2013-") == ["Z1122020003", "Z1122020002", "Z1122020001"]
    assert await numbers("2012-") == []


async def test_reissue_shows_its_three_documents(ds: Datasette) -> None:
    rows = await query(ds, "/registry/status_changes", **{**NO_FILTER, "类型": "补发"})
    assert column(rows, "证书编号") == ["Z1122020125", "Z1122000001"]
    assert (rows[1]["个人申请"], rows[1]["单位证明"], rows[1]["原公布文件"]) == (
        "申请-2012-001",
        "证明-2012-001",
        "川人社函〔2012〕12号",
    )


async def test_status_changes_of_one_holder_by_name(ds: Datasette, registry_db: Path) -> None:
    """A staff review: one holder's 换发、补发、撤销 needed the table's own filter; the query
    takes the name as the public check compares it (spaces, full width, either script)."""
    with sqlite3.connect(registry_db) as conn:
        (name,) = conn.execute(
            "SELECT name FROM certificates WHERE number = 'Z1122000001'"
        ).fetchone()
    for typed in (name, "\u3000".join(name), " ".join(name)):
        rows = await query(ds, "/registry/status_changes", **{**NO_FILTER, "姓名": typed})
        assert {r["证书编号"] for r in rows} == {"Z1122000001"}, typed


async def test_status_changes_by_new_number_and_by_dates(ds: Datasette) -> None:
    by_new = await query(ds, "/registry/status_changes", **{**NO_FILTER, "证书编号": "z1122020125"})
    assert [(r["类型"], r["证书编号"], r["新证书编号"]) for r in by_new] == [
        ("补发", "Z1122020125", None),
        ("换发", "Z1122020124", "Z1122020125"),
    ]
    autumn = await query(
        ds,
        "/registry/status_changes",
        **{**NO_FILTER, "起始日期": "2012-09-01", "截止日期": "2012-12-31"},
    )
    assert [(r["类型"], r["证书编号"]) for r in autumn] == [("补发", "Z1122000001")]
    # a month or a year, as staff also type them: from its first day, up to its last
    for start, end in (("2012.09", "2012-12"), ("2012年9月", "2012年12月"), ("2012-09", "2012")):
        typed = {**NO_FILTER, "起始日期": start, "截止日期": end}
        again = await query(ds, "/registry/status_changes", **typed)
        assert again == autumn, (start, end)


async def test_sync_history_up_to_a_day_typed_in_words(ds: Datasette) -> None:
    """截止日期 2026年12月2日 gave nothing: the whole Beijing day, as 2026-12-02 does."""
    everything = await query(ds, "/registry/sync_history", 名册="", 结果="")
    assert everything
    for typed in ("2099-12-31", "2099年12月31日", "2099.12", "2099"):
        assert await query(ds, "/registry/sync_history", 名册="", 结果="", 截止日期=typed) == (
            everything
        ), typed


async def test_sync_history_from_a_day_a_month_or_a_year(ds: Datasette) -> None:
    """An auditor asked which registers were refused this month: the list went back from a
    date only, 20 at a time, to the first."""
    everything = await query(ds, "/registry/sync_history", 名册="", 结果="")
    for typed in ("2000-01-01", "2000年1月", "2000"):
        assert await query(ds, "/registry/sync_history", 名册="", 结果="", 起始日期=typed) == (
            everything
        ), typed
    assert await query(ds, "/registry/sync_history", 名册="", 结果="", 起始日期="2099-12") == []
    # a Beijing day: the fixture's syncs ran today, as Beijing counts it, none tomorrow
    today = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert await query(ds, "/registry/sync_history", 名册="", 结果="", 起始日期=tomorrow) == []


async def page_warnings(ds: Datasette, path: str, **params: str) -> list[str]:
    response = await ds.client.get(path, params=params, cookies=signed_in(ds))
    assert response.status_code == 200, response.text
    found = re.findall(r'<p class="message-warning">(.*?)</p>', response.text, re.S)
    return [html.unescape(text.strip()) for text in found]


@pytest.mark.parametrize(
    ("path", "params", "warned"),
    [
        (
            "/registry/status_changes",
            {**NO_FILTER, "起始日期": "2013-02-30"},
            "起始日期“2013-02-30”",
        ),
        (
            "/registry/status_changes",
            {**NO_FILTER, "截止日期": "2013年13月"},
            "截止日期“2013年13月”",
        ),
        ("/registry/sync_history", {"名册": "", "结果": "", "截止日期": "昨天"}, "截止日期“昨天”"),
        (
            "/verify_log/suspicious_clients",
            {"小时数": "二十四", "未查到阈值": ""},
            "小时数“二十四”",
        ),
        ("/verify_log/failing_numbers", {"天数": "七天"}, "天数“七天”"),
        ("/verify_log/failing_numbers", {"天数": "-5"}, "天数“-5”是负数"),  # not 不是整数
        ("/verify_log/report_queue", {"证书编号": "Z11220"}, "证书编号“Z11220”不是有效"),
        # 10 characters, a region code 附件3 does not have: no certificate can bear them
        ("/registry/certificate", {"证书编号": "Z112202012"}, "证书编号“Z112202012”不是有效"),
        ("/registry/certificate", {"证书编号": "Z1199990001"}, "证书编号“Z1199990001”不是有效"),
        (
            "/registry/status_changes",
            {**NO_FILTER, "证书编号": "Z112202012"},
            "证书编号“Z112202012”不是有效的证书编号（证书编号应为11位，实为10位）",
        ),
        ("/registry/status_changes", {**NO_FILTER, "类型": "换证"}, "类型“换证”"),
        ("/registry/counts", {"地区": "", "年度": "二〇一一"}, "年度“二〇一一”无法识别"),
        # a staff review: an unknown region, level or department gave 没有查到结果 alone
        ("/registry/counts", {"地区": "火星", "年度": ""}, "地区“火星”不是附件3的地区"),
        ("/registry/counts", {"地区": "", "等级": "特级工"}, "等级“特级工”无法识别"),
        # a department's words read in the report queue only (a code review)
        ("/registry/counts", {"地区": "人力资源", "年度": ""}, "地区“人力资源”不是附件3的地区"),
        ("/verify_log/report_queue", {"发证机关": "火星市"}, "发证机关“火星市”不是附件3的地区"),
        (
            "/registry/status_changes",
            {**NO_FILTER, "地区": "阳"},  # a part of a name: counts reads it, this query not
            "地区“阳”不是附件3的地区",
        ),
        ("/registry/sync_history", {"名册": "", "结果": "成功"}, "结果“成功”无法识别"),
        # where the previous page ended, mistyped: an empty page, as if nothing followed
        (
            "/registry/holders",
            {"姓名": "李", "上页末行编号": "Z11220201"},
            "上页末行编号“Z11220201”读不出是哪一行",
        ),
        (
            "/verify_log/report_queue",
            {"上页末行报告编号": "20261204-abc00"},
            "上页末行报告编号“20261204-abc00”读不出是哪一行",
        ),
        ("/verify_log/report_queue", {"只看未处理": "全不"}, "只看未处理“全不”无法识别，已按“否”"),
        ("/registry/holders", {"姓名": "马" * 300, "上页末行编号": ""}, "姓名太长（300 个字符）"),
        # a staff review: an ID card's number typed for the name was told only 没有姓名含…
        (
            "/registry/holders",
            {"姓名": "51070319750401123X", "上页末行编号": ""},
            "这是身份证号码：登记库不保存持证人的身份证号码",
        ),
        (
            "/registry/certificate",
            {"证书编号": "51070319750401123X"},
            "证书编号“51070319750401123X”不是有效的证书编号（这是18位的身份证号码",
        ),
        (
            "/verify_log/failing_numbers",
            {"天数": "99999999999999999999"},
            "天数“99999999999999999999”太大",
        ),
    ],
)
async def test_a_parameter_the_query_cannot_read_is_named_on_its_page(
    ds: Datasette, path: str, params: dict[str, str], warned: str
) -> None:
    """2013-02-30 gave 共 0 行 without a word; 二十四 hours was a window of none."""
    (warning,) = await page_warnings(ds, path, **params)
    assert warning.startswith(warned), warning


@pytest.mark.parametrize(
    ("path", "params", "said"),
    [
        ("/registry/certificate", {}, "请填写证书编号后点“查询”"),
        ("/registry/certificate", {"证书编号": " "}, "请填写证书编号后点“查询”"),
        ("/registry/certificate_chain", {}, "请填写证书编号后点“查询”"),
        ("/registry/holders", {"姓名": "", "上页末行编号": ""}, "请填写姓名或其中几个字后点“查询”"),
        (
            "/registry/certificate",
            {"证书编号": "z1122 029999"},
            "登记库中没有证书编号 Z1122029999，被退回的名册和变更登记表中也没有写这个编号的行",
        ),
        (
            "/registry/certificate_chain",
            {"证书编号": "Z1122029999"},
            "登记库中没有证书编号 Z1122029999：",
        ),
        (
            "/registry/holders",
            {"姓名": "龘龘", "上页末行编号": ""},
            "登记库中没有姓名含“龘龘”的持证人",
        ),
        # a number that cannot be one: the warning above the form says why, this no more
        ("/registry/certificate", {"证书编号": "Z11220"}, "没有查到结果"),
        ("/registry/status_changes", NO_FILTER | {"证书编号": "Z1122029999"}, "没有查到结果"),
    ],
)
async def test_an_empty_lookup_says_what_was_looked_for_and_what_to_do(
    ds: Datasette, path: str, params: dict[str, str], said: str
) -> None:
    """A staff auditor: 没有查到结果 alone read the same for a number never registered, a name
    not typed yet and a page just opened."""
    response = await ds.client.get(path, params=params, cookies=signed_in(ds))
    assert response.status_code == 200, response.text
    [empty] = re.findall(r'<p class="zero-results">(.*?)</p>', response.text, re.S)
    assert html.unescape(empty).startswith(said), empty


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/registry/status_changes", {**NO_FILTER, "起始日期": "2012年9月", "截止日期": "2012"}),
        ("/registry/sync_history", {"名册": "", "结果": "", "截止日期": "2099-12-31 10:00:00"}),
        ("/verify_log/suspicious_clients", {"小时数": " 168 ", "未查到阈值": ""}),
        ("/verify_log/suspicious_clients", {"小时数": "", "未查到阈值": "３"}),  # full-width
        ("/registry/certificate", {"证书编号": "ｚ１１-2202-0124"}),
        ("/registry/certificate", {"证书编号": "Z1122029999"}),  # well formed, not registered
        ("/registry/status_changes", {**NO_FILTER, "类型": " 撤消 ", "证书编号": "c11 2200 0001"}),
        ("/verify_log/failing_numbers", {"天数": "３０", "未查到阈值": "　５　", "报告阈值": "２"}),
        ("/registry/counts", {"地区": "", "年度": "2011年度"}),
        ("/registry/counts", {"地区": "", "年度": "11"}),
        ("/registry/counts", {"地区": "凉山彝族自治州", "等级": "中级", "年度": ""}),
        ("/registry/counts", {"地区": "%", "等级": "_", "年度": ""}),  # LIKE's wildcards: rows
        ("/registry/counts", {"地区": "阳", "等级": "g", "年度": ""}),  # 绵阳市…, 高级工
        ("/registry/sync_history", {"名册": "", "发证机关": "省直"}),
        ("/verify_log/report_queue", {"发证机关": "2202"}),
        ("/verify_log/report_queue", {"发证机关": "人力资源和社会保障厅"}),
        ("/registry/holders", {"姓名": "郑浩", "上页末行编号": "z11 2202 0124"}),
        ("/verify_log/report_queue", {"上页末行报告编号": "20261204-7f3a9c"}),
        ("/verify_log/report_queue", {"上页末行报告编号": "12"}),  # a report older than numbers
        ("/verify_log/report_queue", {"只看未处理": "全部", "上页末行报告编号": ""}),
    ],
)
async def test_parameters_the_query_reads_raise_no_warning(
    ds: Datasette, path: str, params: dict[str, str]
) -> None:
    assert await page_warnings(ds, path, **params) == []


@pytest.mark.parametrize(
    ("path", "typed", "ascii"),
    [
        (
            "/registry/counts",
            {"地区": "２２０２", "年度": "２０１１"},
            {"地区": "2202", "年度": "2011"},
        ),
        ("/registry/counts", {"地区": "", "年度": "　１１　"}, {"地区": "", "年度": "11"}),
        ("/verify_log/suspicious_clients", {"小时数": "１６８"}, {"小时数": "168"}),
        ("/verify_log/suspicious_clients", {"未查到阈值": "１１"}, {"未查到阈值": "11"}),
        (
            "/verify_log/failing_numbers",
            {"天数": "３０", "未查到阈值": "3"},
            {"天数": "30", "未查到阈值": "3"},
        ),
        ("/verify_log/failing_numbers", {"未查到阈值": "３"}, {"未查到阈值": "3"}),
        ("/verify_log/failing_numbers", {"报告阈值": "１"}, {"报告阈值": "1"}),
        ("/verify_log/report_queue", {"发证机关": "２２０２"}, {"发证机关": "2202"}),
        # and the other ways staff write a year, a level, a region
        ("/registry/counts", {"地区": "", "年度": "2011年"}, {"地区": "", "年度": "2011"}),
        ("/registry/counts", {"地区": "", "年度": "2011年度"}, {"地区": "", "年度": "2011"}),
        ("/registry/counts", {"地区": "", "等级": "g"}, {"地区": "", "等级": "高级工"}),
        ("/registry/counts", {"地区": "四川省绵阳市"}, {"地区": "2202"}),
    ],
)
async def test_full_width_digits_in_parameters_read_as_digits(
    ds: Datasette, path: str, typed: dict[str, str], ascii: dict[str, str]
) -> None:
    """年度=２０１１ found nothing and 天数=３０ a window of no days: typed on a Chinese keyboard,
    a number is the number."""
    expected = await query(ds, path, **ascii)
    assert expected
    assert await query(ds, path, **typed) == expected


# -- per approval document ----------------------------------------------------------------


async def test_certificates_per_approval_document(ds: Datasette) -> None:
    rows = await query(ds, "/registry/per_approval_doc", 批准文号="〔2012〕12号")
    by_register = {r["来源名册"]: r for r in rows}
    assert set(by_register) == {"2011-shengzhi-approval.xlsx", "2011-chengdu-technicians.xlsx"}
    province = by_register["2011-shengzhi-approval.xlsx"]
    assert [province[k] for k in ("初级工", "中级工", "高级工", "技师", "合计")] == [1, 3, 2, 1, 7]
    assert by_register["2011-chengdu-technicians.xlsx"]["技师"] == 3
    assert province["发证机关"] == "四川省人力资源和社会保障厅"
    changes = await query(ds, "/registry/per_approval_doc", 批准文号="〔2012〕30号")
    assert sum(column(changes, "合计")) == 2  # the new certificates of the two 换发


@pytest.mark.parametrize(
    "typed",
    [
        "川人社函[2012]12号",
        "川人社函(2012)12号",
        "川人社函（2012）12号",
        "【2012】12号",
        "〔２０１２〕第12号",
    ],
)
async def test_an_approval_document_typed_with_other_brackets(ds: Datasette, typed: str) -> None:
    """川人社函[2012]12号 found nothing: only 〔2012〕 matched the registered spelling."""
    expected = await query(ds, "/registry/per_approval_doc", 批准文号="川人社函〔2012〕12号")
    assert len(expected) == 2
    assert await query(ds, "/registry/per_approval_doc", 批准文号=typed) == expected


# -- suspicious verification traffic ------------------------------------------------------


async def test_the_most_checked_numbers_of_the_last_days(ds: Datasette) -> None:
    week = await query(ds, "/verify_log/most_checked", 天数="")
    counts = ("有效或补发", "已由新证书取代", "已撤销", "未查到", "编号格式错误")
    assert [(r["证书编号"], r["查验次数"], *(r[f"其中{c}"] for c in counts)) for r in week[:2]] == [
        ("Z1122020123", 11, 5, 1, 1, 3, 1),  # a revoked answer was in no column
        ("C1122020000", 1, 0, 0, 0, 1, 0),  # then one check each, by number
    ]
    assert len(week) == 1 + 20 + 12 and week[0]["客户端数"] == 1
    today = await query(ds, "/verify_log/most_checked", 天数="1")
    assert len(today) == 1 + 12  # the batch of three days ago is out of the window


def test_the_most_checked_numbers_count_every_result_through_the_index() -> None:
    """The window is counted on the index of named checks with the results listed: a result the
    query does not name would be left out of every count."""
    sql = shipped_metadata()["databases"]["verify_log"]["queries"]["most_checked"]["sql"]
    listed = re.search(r"WHERE \+result IN \(([^)]*)\)", sql)
    assert listed and re.findall(r"'(\w+)'", listed[1]) == list(RESULT_LABELS)


async def test_suspicious_clients_default_window_and_threshold(ds: Datasette) -> None:
    rows = await query(ds, "/verify_log/suspicious_clients", 小时数="", 未查到阈值="")
    assert [(r["客户端"], r["未查到次数"], r["查验次数"]) for r in rows] == [
        ("203.0.113.9", 12, 12)
    ]
    assert rows[0]["不同编号数"] == 12


async def test_suspicious_clients_wider_window_and_lower_threshold(ds: Datasette) -> None:
    week = await query(ds, "/verify_log/suspicious_clients", 小时数="168", 未查到阈值="")
    assert column(week, "客户端") == ["192.0.2.7", "203.0.113.9"]
    low = await query(ds, "/verify_log/suspicious_clients", 小时数="", 未查到阈值="3")
    assert [(r["客户端"], r["未查到次数"], r["查验次数"]) for r in low] == [
        ("203.0.113.9", 12, 12),
        ("198.51.100.5", 3, 11),
    ]


async def test_suspicious_clients_count_made_up_numbers_and_lead_to_their_checks(
    one_roster: OneRoster,
) -> None:
    """Numbers made up at random are mostly malformed: a client probing so was not counted, and
    its checks were a filter typed by hand."""
    assert one_roster.sync() == 0
    ds = one_roster.staff()
    log = verify_log_path(one_roster.db)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    check = {"at": now, "client": "203.0.113.5", "channel": "api", "name_hash": "a" * 64}
    checks = [check | {"number": f"Z11220209{i:02d}", "result": "no_match"} for i in range(10)]
    checks += [check | {"number": f"Z1122{i:03d}", "result": "malformed"} for i in range(4)]
    checks.append(
        check | {"number": "", "result": "malformed", "name_hash": ""}
    )  # no name: no guess
    sqlite_utils.Database(log).table("checks").insert_all(checks)
    [row] = await query(ds, "/verify_log/suspicious_clients", 小时数="", 未查到阈值="")
    assert (row["客户端"], row["未查到次数"], row["编号格式错误次数"]) == ("203.0.113.5", 10, 4)
    page = await ds.client.get(
        "/verify_log/suspicious_clients",
        params={"小时数": "", "未查到阈值": ""},
        cookies=signed_in(ds),
    )
    assert 'href="/verify_log/checks?client=203.0.113.5&amp;_sort_desc=at"' in page.text


@pytest.mark.parametrize(
    "typed", ["绵阳市", "绵阳", " 绵阳市人力资源和社会保障局 ", "四川省绵阳市"]
)
async def test_reports_of_an_authority_typed_by_its_name(ds: Datasette, typed: str) -> None:
    """发证机关=绵阳市 found nothing: only the code 2202 matched."""
    by_code = await query(ds, "/verify_log/report_queue", 发证机关="2202")
    assert column(by_code, "发证机关") == ["2202 绵阳市人力资源和社会保障局"]
    assert await query(ds, "/verify_log/report_queue", 发证机关=typed) == by_code
    assert await query(ds, "/verify_log/report_queue", 发证机关="成都") == []


# -- labels and links ---------------------------------------------------------------------


async def test_every_canned_query_has_a_chinese_title_and_description() -> None:
    han = re.compile(r"[\u4e00-\u9fff]")
    for database in shipped_metadata()["databases"].values():
        for name, canned in database.get("queries", {}).items():
            assert han.search(canned["title"]) and han.search(canned["description"]), name


async def test_table_headers_facets_and_cells_carry_chinese_labels(ds: Datasette) -> None:
    page = (await ds.client.get("/registry/certificates", cookies=signed_in(ds))).text
    assert "证书编号<br><small>number</small>" in page
    assert 'class="column-descriptions"' in page  # Datasette's legend, hidden by table.html CSS
    assert "dl.column-descriptions { display: none; }" in page
    assert "<strong>发证机关" in page  # facet title
    assert "2202 绵阳市" in page  # facet value and cell
    assert "2200 四川省人力资源和社会保障厅" in page
    assert "valid 有效" in page


async def test_certificate_page_lists_labelled_fields(ds: Datasette) -> None:
    page = await ds.client.get("/registry/certificates/Z1122020123", cookies=signed_in(ds))
    assert "发证机关 <small>authority</small></th>" in page.text
    assert "2202 绵阳市人力资源和社会保障局" in page.text


async def test_certificate_page_links_history_and_source_register(ds: Datasette) -> None:
    page = await ds.client.get("/registry/certificates/Z1122020123", cookies=signed_in(ds))
    links = re.findall(r'href="([^"]+)"', page.text)
    wanted = [
        link
        for link in links
        if link.startswith(("/registry/certificate?", "/registry/registers?", "/registry/syncs?"))
        or link.startswith("/registry/per_approval_doc?")
    ]
    assert len(wanted) == 4
    for link in wanted:
        followed = await ds.client.get(link.replace("&amp;", "&"), cookies=signed_in(ds))
        assert followed.status_code == 200
    history = await ds.client.get(
        wanted[0].replace("/registry/certificate?", "/registry/certificate.json?_shape=array&"),
        cookies=signed_in(ds),
    )
    assert history.json()[0]["证书编号"] == "Z1122020123"
    register = await ds.client.get(
        wanted[1].replace("/registry/registers?", "/registry/registers.json?"),
        cookies=signed_in(ds),
    )
    assert register.json()["rows"][0][0] == "2011-mianyang-approval.csv"


async def test_exchanged_certificate_links_successor_and_back(ds: Datasette) -> None:
    old = await ds.client.get("/registry/certificates/Z1122020124", cookies=signed_in(ds))
    assert 'href="/registry/certificates/Z1122020125"' in old.text
    new = await ds.client.get("/registry/certificates/Z1122020125", cookies=signed_in(ds))
    assert new.status_code == 200
    assert 'href="/registry/certificates/Z1122020124"' in new.text
    # and to the chain from either, not from a certificate never replaced
    assert (
        'href="/registry/certificate_chain?%E8%AF%81%E4%B9%A6%E7%BC%96%E5%8F%B7=Z1122020125"'
        in new.text
    )
    alone = await ds.client.get("/registry/certificates/Z1122000001", cookies=signed_in(ds))
    assert alone.status_code == 200 and "certificate_chain" not in alone.text


async def test_a_certificate_links_the_syncs_that_registered_and_changed_it(
    ds: Datasette,
) -> None:
    """An auditor got from a certificate to its roster, not to the status-change register's
    sync that made it superseded: both syncs are links now, and each is a page."""
    page = await ds.client.get("/registry/certificates/Z1122020124", cookies=signed_in(ds))
    with sqlite3.connect(ds.databases["registry"].path) as conn:
        created, updated = conn.execute(
            "SELECT created_sync, updated_sync FROM certificates WHERE number = 'Z1122020124'"
        ).fetchone()
    assert created != updated
    for sync in (created, updated):
        assert f'href="/registry/syncs/{sync}"' in page.text
        assert (
            await ds.client.get(f"/registry/syncs/{sync}", cookies=signed_in(ds))
        ).status_code == 200


async def test_staff_sql_has_the_registry_functions(ds: Datasette) -> None:
    rows = await query(
        ds,
        "/registry",
        sql="select normalise_number('ｚ１１-2202-0123') as n, name_key('周　杰') as k,"
        " region_name('2202') as r, status_label('revoked') as s",
    )
    assert rows == [{"n": "Z1122020123", "k": "周杰", "r": "绵阳市", "s": "已撤销"}]


async def test_staff_sql_is_stopped_at_the_time_limit(ds: Datasette) -> None:
    endless = (
        "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
    )
    response = await ds.client.get("/registry.json", params={"sql": endless}, cookies=signed_in(ds))
    assert response.status_code == 400
    assert "took too long" in response.text


async def test_a_canned_query_stopped_at_the_time_limit_shows_no_sql(
    registry_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A staff review: a canned query stopped at the time limit (可疑查验流量 on a log of 1.5
    million checks) printed its whole SQL, English comments and all, to staff whose page hides
    it; what staff typed themselves keeps its SQL, to be corrected."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    endless = (
        "with recursive n(i) as (select 1 union all select i + 1 from n)"
        " select count(*) from n -- counting for ever"
    )
    metadata = shipped_metadata()
    queries = metadata["databases"]["registry"]["queries"]
    queries["endless"] = {"title": "无尽", "sql": endless, "hide_sql": True}
    ds = Datasette(
        [str(registry_db), str(verify_log_path(registry_db))],
        metadata=metadata,
        plugins_dir=str(config_dir() / "plugins"),
        template_dir=str(config_dir() / "templates"),
        settings=json.loads((config_dir() / "settings.json").read_text("utf-8")),
    )
    page = await ds.client.get("/registry/endless", cookies=signed_in(ds))
    assert "查询超过时限，已被中止" in page.text and "counting for ever" not in page.text
    typed = await ds.client.get("/registry", params={"sql": endless}, cookies=signed_in(ds))
    assert "counting for ever" in typed.text


async def test_database_page_lists_tables_by_chinese_title(ds: Datasette) -> None:
    page = (await ds.client.get("/registry", cookies=signed_in(ds))).text
    assert '<a href="/registry/certificates">证书</a>（certificates）' in page
    assert '<a href="/registry/status_events">换发、补发、撤销</a>（status_events）' in page
    assert '<a href="/registry/stock">空白证书对账</a>（stock）' in page  # a view
    log = (await ds.client.get("/verify_log", cookies=signed_in(ds))).text
    assert '<a href="/verify_log/checks">查验记录</a>（checks）' in log


async def test_home_page_links_every_canned_query(ds: Datasette) -> None:
    page = (await ds.client.get("/", cookies=signed_in(ds))).text
    for database, metadata in shipped_metadata()["databases"].items():
        for name, canned in metadata.get("queries", {}).items():
            assert f'<a href="/{database}/{name}">{canned["title"]}</a>' in page


# -- blank-certificate reconciliation (SPEC §9) -------------------------------------------


async def test_stock_view_shows_the_same_figures_as_certreg_stock(
    ds: Datasette, registry_db: Path
) -> None:
    result = CliRunner().invoke(cli, ["stock", "--db", str(registry_db), "--json"])
    assert result.exit_code == 0, result.output
    # the command's words beside the view's figures, and the requisitions it names
    said = ("negative", "advice", "note", "unapproved")
    expected = [
        {key: value for key, value in line.items() if key not in said}
        for line in json.loads(result.stdout)["lines"]
    ]
    assert expected  # the samples carry requisitions, dispatches and collections
    assert await query(ds, "/registry/stock") == expected
    page = (await ds.client.get("/registry/stock", cookies=signed_in(ds))).text
    # titled as staff know it, not as a database view; its figures explained (a staff review)
    assert "<h1>空白证书对账</h1>" in page and "应有结余 = 已发放 − 已登记证书" in page
    assert "<strong>提示" in page  # the flag facet, by its label
    # the province's totals per level, as the command ends with them (a staff review: the page
    # had none, and a table of a hundred lines was added up by hand)
    labels = dict(HEADINGS)
    totals = [
        {labels.get(k, "领证单位" if k == "recipient" else k): v for k, v in line.items()}
        for line in json.loads(result.stdout)["totals"]
    ]
    for line in totals:
        line.pop("letter")
    assert totals and await query(ds, "/registry/stock_totals") == totals


async def test_holders_by_name_has_no_number_field_to_mistake_for_a_condition(
    ds: Datasette,
) -> None:
    """The page marker is named for what it is: typing a holder's own number there found
    nobody, under a field an auditor read as 证书编号."""
    response = await ds.client.get("/registry/holders", cookies=signed_in(ds))
    assert 'name="上页末行编号"' in response.text and 'name="证书编号"' not in response.text
    rows = await query(ds, "/registry/holders", 姓名="周杰", 上页末行编号="")
    assert "Z1122020123" in column(rows, "证书编号")


async def test_numbers_in_query_results_link_to_their_certificates(ds: Datasette) -> None:
    response = await ds.client.get(
        "/registry/holders", params={"姓名": "周杰", "上页末行编号": ""}, cookies=signed_in(ds)
    )
    assert '<a href="/registry/certificates/Z1122020123">Z1122020123</a>' in response.text
    changes = await ds.client.get("/registry/status_changes", cookies=signed_in(ds))
    assert '<a href="/registry/certificates/Z1122020125">Z1122020125</a>' in changes.text


async def test_numbers_the_public_typed_link_to_their_history(ds: Datasette) -> None:
    """A reported number may be a forgery with no certificate: its link went to a 404 row page.
    The history query answers for any number (and says when the registry has none)."""
    rows = await query(ds, "/verify_log/report_queue", 发证机关="")
    numbers = column(rows, "证书编号")
    assert numbers
    response = await ds.client.get(
        "/verify_log/report_queue", params={"发证机关": ""}, cookies=signed_in(ds)
    )
    for number in numbers:
        history = f"/registry/certificate?%E8%AF%81%E4%B9%A6%E7%BC%96%E5%8F%B7={number}"
        assert f'<a href="{history}">{number}</a>' in response.text
        page = await ds.client.get(history, cookies=signed_in(ds))
        assert page.status_code == 200


@pytest.mark.parametrize(
    ("arg", "typed", "found"),
    [
        ("number", " z1122020123 ", "Z1122020123"),
        ("number__exact", "Ｚ1122-020123", "Z1122020123"),
        ("name", "周　杰", "Z1122020123"),
        ("name__exact", " 周 杰", "Z1122020123"),
        ("name__contains", "周　杰", "Z1122020123"),
        # either script, as the public check compares names: 張偉 registered, 张伟 typed
        ("name", "週傑", "Z1122020123"),
        ("name__contains", "傑", "Z1122020123"),
        ("successor__exact", "z1122020125", "Z1122020124"),  # what the filter form sends
    ],
)
async def test_the_tables_own_filters_read_what_staff_type_as_stored(
    ds: Datasette, arg: str, typed: str, found: str
) -> None:
    """The table's 证书编号 or 姓名 filter with a lower-case letter, a space or a full-width
    character said 0 行 and nothing more, where the canned queries found the certificate."""
    response = await ds.client.get(
        "/registry/certificates.json",
        params={arg: typed, "_shape": "array"},
        cookies=signed_in(ds),
    )
    assert found in [row["number"] for row in response.json()]


async def test_a_name_filter_says_it_is_the_name_in_any_script(ds: Datasette) -> None:
    """条件：姓名比对键 = 李娜 — staff filtered 姓名 and had never heard of a 比对键 (a review)."""
    page = await ds.client.get(
        "/registry/certificates", params={"name": "週傑"}, cookies=signed_in(ds)
    )
    assert "条件：姓名（繁简通用） = 周杰" in page.text and "比对键" not in page.text


@pytest.mark.parametrize(
    ("arg", "typed", "found"),
    [
        ("name", "鄭浩", {"Z1122020124", "Z1122020125"}),
        ("name__exact", " 歐陽 明 ", {"G1122000002"}),
        ("name__not", "鄭浩", {"G1122000002", "Z1122000001", "C1122000001"}),
        ("name", "郑浩", {"Z1122020124", "Z1122020125"}),
    ],
)
async def test_the_events_name_filter_finds_every_spelling_of_the_name(
    ds: Datasette, arg: str, typed: str, found: set[str]
) -> None:
    """A staff auditor: 换发、补发、撤销's 姓名 = 张伟 found no event registered 張偉, whom the
    certificates table (and the public check) finds under either spelling."""
    response = await ds.client.get(
        "/registry/status_events.json",
        params={arg: typed, "_shape": "array"},
        cookies=signed_in(ds),
    )
    assert {row["number"] for row in response.json()} == found


async def test_the_events_name_filter_of_an_older_registry_compares_as_written(
    registry_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review: browse could not upgrade a registry of the certreg before the key column (its
    file not writable), and the filter, renamed to a column it lacks, read that column as a
    string — 郑浩's events were not found, and ``name__not`` listed his."""
    older = tmp_path / "older" / "registry.db"
    older.parent.mkdir()
    with sqlite3.connect(registry_db) as source, sqlite3.connect(older) as target:
        source.backup(target)
        target.execute("ALTER TABLE status_events DROP COLUMN name_key")
    shutil.copyfile(verify_log_path(registry_db), verify_log_path(older))
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    ds = shipped_datasette(older)
    for arg, found in (("name", {"Z1122020124", "Z1122020125"}), ("name__not", {"G1122000002"})):
        response = await ds.client.get(
            "/registry/status_events.json",
            params={arg: "郑浩", "_shape": "array"},
            cookies=signed_in(ds),
        )
        assert found <= {row["number"] for row in response.json()}, arg
        assert (arg == "name") is ("Z1122020124" in {row["number"] for row in response.json()})
    # 换发、补发、撤销记录 by a holder's name too (a diff review: it read the key column, and
    # failed whole — 姓名 blank or not — on such a registry)
    for typed in ("", "郑浩"):
        rows = await query(ds, "/registry/status_changes", **{**NO_FILTER, "姓名": typed})
        assert "Z1122020124" in {row["证书编号"] for row in rows}, typed


@pytest.mark.parametrize(
    ("page", "arg", "typed", "found"),
    [
        ("/registry/status_events", "number", "z11 2202 0124", {"Z1122020124"}),
        ("/registry/status_events", "new_number__exact", "z1122-020125", {"Z1122020125"}),
        ("/registry/certificate_history", "number", "ｃ1122000001", {"C1122000001"}),
        ("/verify_log/checks", "number", "z11-2202-0123", {"Z1122020123"}),
        ("/verify_log/reports", "number", "z1122020111", {"Z1122020111"}),
        (
            "/registry/certificates",
            "number__in",
            "z1122020124，Z11 2202 0125",
            {
                "Z1122020124",
                "Z1122020125",
            },
        ),
    ],
)
async def test_every_tables_number_filter_reads_what_staff_type_as_stored(
    ds: Datasette, page: str, arg: str, typed: str, found: set[str]
) -> None:
    """A number typed off the paper into 查验记录's filter said 0 行, and an auditor concluded
    nobody had checked it; only the 证书 table read its filters as stored, and not ``__in``."""
    response = await ds.client.get(
        f"{page}.json", params={arg: typed, "_shape": "array"}, cookies=signed_in(ds)
    )
    assert response.status_code == 200, response.text
    column = arg.partition("__")[0]
    assert {row[column] for row in response.json()} == found


async def test_the_csv_export_of_a_later_page_is_of_the_whole_filter(ds: Datasette) -> None:
    """From page 2 the CSV link exported only the rows after page 1."""
    first = await ds.client.get(
        "/registry/certificates.json", params={"_size": "5"}, cookies=signed_in(ds)
    )
    page = await ds.client.get(
        "/registry/certificates",
        params={"_size": "5", "_next": first.json()["next"]},
        cookies=signed_in(ds),
    )
    [link] = re.findall(r'<a href="([^"]+\.csv[^"]*)">CSV</a>', page.text)
    assert "_next" not in link
    exported = await ds.client.get(html.unescape(link), cookies=signed_in(ds))
    rows = exported.content.decode("utf-8-sig").strip().splitlines()
    assert len(rows) - 1 == first.json()["filtered_table_rows_count"]
    assert 'name="_next"' not in page.text.split('id="export"')[-1]


async def test_a_csv_link_downloads_and_says_when_it_holds_only_the_first_rows(
    ds: Datasette,
) -> None:
    """The link opened the CSV as text in the browser tab, and a result cut at 5,000 rows was
    exported cut without a word (the page said so; its CSV did not)."""
    sql = (
        "with recursive c(x) as (select 1 union all select x + 1 from c limit 6000) select x from c"
    )
    page = await ds.client.get("/registry", params={"sql": sql}, cookies=signed_in(ds))
    [(link, note)] = re.findall(r'<a href="([^"]+\.csv[^"]*)">CSV</a>([^<]*)', page.text)
    assert "只含前 5,000 行" in note
    exported = await ds.client.get(html.unescape(link), cookies=signed_in(ds))
    assert exported.headers["content-disposition"].startswith("attachment")
    table = await ds.client.get("/registry/certificates", cookies=signed_in(ds))
    [(link, note)] = re.findall(r'<a href="([^"]+\.csv[^"]*)">CSV</a>([^<]*)', table.text)
    assert "_dl=1" in link and "只含前" not in note  # the whole table is within the limit


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("status", "superseded", f"superseded {SUPERSEDED}"),
        ("region", "2202", "2202 绵阳市"),
        ("reissue", "1", "1 是"),
        ("wage_grade_since", "2009.10", "2009.10"),
    ],
)
async def test_the_history_lines_show_values_as_the_cells_do(
    ds: Datasette, field: str, value: str, shown: str
) -> None:
    """A number's history read 状态：valid → superseded and 地区代码：2201 → 2202 where the
    certificate's own cells say superseded 已由新证书取代 and 2202 绵阳市 (found by review)."""
    rows = await query(ds, "/registry", sql="select field_value(:f, :v) as shown", f=field, v=value)
    assert rows == [{"shown": shown}]


async def test_the_report_queue_comes_in_pages_of_a_hundred(
    registry_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every report ever filed was drawn on one page: 5,000 took 3.6 s against SPEC §8's 1 s
    (a staff-side sweep's finding). Paged as holders is, by the last row's 报告编号."""
    db = tmp_path / "registry.db"
    db.write_bytes(registry_db.read_bytes())
    verify_log_path(db).write_bytes(verify_log_path(registry_db).read_bytes())
    log = sqlite_utils.Database(verify_log_path(db))
    first = log.execute("SELECT count(*) FROM reports").fetchone()[0]
    log.table("reports").insert_all(
        {"at": f"2026-11-{1 + i // 10:02d}T08:00:{i % 10:02d}+00:00", "client": "198.51.100.9",
         "number": "Z1122020111", "result": "no_match", "checked_at": None, "name_hash": "f" * 64,
         "mismatched": "", "receipt": None, "authority": "2202", "contact": "", "text": f"第{i}份"}
        for i in range(150)
    )  # fmt: skip
    log.close()
    pages: list[list[dict[str, Any]]] = []
    after = ""
    for _ in range(3):  # two pages, then none
        rows = await staff_rows(
            db, monkeypatch, "/verify_log/report_queue.json", {"上页末行报告编号": after}
        )
        pages.append(rows)
        after = str(rows[-1]["报告编号"]) if rows else ""
    assert [len(page) for page in pages] == [100, 50 + first, 0]
    shown = [row["情况说明"] for page in pages for row in page]
    assert shown[:2] == ["第149份", "第148份"] and len(set(shown)) == 150 + first


@pytest.mark.parametrize("region", ["绵阳", "绵阳市", "2202"])
async def test_status_changes_of_one_region_whoever_registered_them(
    ds: Datasette, region: str
) -> None:
    """All 补发 of one city in a year had no way but a register's file name, which missed
    what the province registered of the city's certificates."""
    every = await query(ds, "/registry/status_changes")
    rows = await query(ds, "/registry/status_changes", 地区=region)
    assert rows and len(rows) < len(every)
    assert {r["证书编号"][3:7] for r in rows} == {"2202"}
    assert len(rows) == sum(r["证书编号"][3:7] == "2202" for r in every)


@pytest.mark.parametrize(
    ("path", "typed", "stored"),
    [
        ("/registry/certificates", {"status": "有效"}, ("status", "valid")),
        ("/registry/certificates", {"status__exact": "valid 有效"}, ("status", "valid")),
        ("/registry/certificates", {"region": "绵阳"}, ("region", "2202")),
        (
            "/registry/certificates",
            {"authority": "绵阳市人力资源和社会保障局"},
            ("authority", "2202"),
        ),
        ("/registry/certificates", {"level": "中级"}, ("level", "中级工")),
        ("/registry/certificates", {"letter": "中级"}, ("letter", "Z")),
        ("/registry/certificates", {"status__in": "有效,已补发"}, ("status", "valid")),
        ("/registry/syncs", {"kind": "审批名册"}, ("kind", "approval-roster")),
        ("/verify_log/checks", {"result": "未查到"}, ("result", "no_match")),
        # a staff review: the event's word, part of a label, the year, 是 — each found nothing
        ("/registry/certificates", {"status": "撤销"}, ("status", "revoked")),
        ("/registry/certificates", {"status": "换发"}, ("status", "superseded")),
        ("/registry/syncs", {"outcome": "已拒绝"}, ("outcome", "rejected")),
        ("/registry/certificates", {"year_code": "2011"}, ("year_code", "11")),
        ("/registry/certificates", {"reissue": "是"}, ("reissue", 1)),
        # and what their cells show (a diff review: 1 是, 11 首批统一代码… found nothing)
        ("/registry/certificates", {"reissue": "1 是"}, ("reissue", 1)),
        # 开头是 a label's beginning (a staff review: 未 found no 未变化 — 未 is in several;
        # 领, in 申领计划表 too, begins 领取登记 only)
        ("/registry/syncs", {"kind__startswith": "领"}, ("kind", "collections")),
        (
            "/registry/certificates",
            {"year_code": "11 首批统一代码（附件3 二）"},
            ("year_code", "11"),
        ),
    ],
)
async def test_a_table_filtered_by_the_label_the_page_shows_finds_its_rows(
    ds: Datasette, path: str, typed: dict[str, str], stored: tuple[str, str]
) -> None:
    """Pages show valid 有效, 2202 绵阳市, approval-roster 审批名册: staff typed 有效 into the
    filter and were told 0 行, with no hint."""
    rows = await query(ds, path, **typed)
    column_name, value = stored
    assert rows and value in {row[column_name] for row in rows}
    assert all(row[column_name] for row in rows)
    by_code = await query(ds, path, **{column_name: value})
    if "__in" not in next(iter(typed)):
        assert rows == by_code


@pytest.mark.parametrize(
    ("path", "column", "typed", "codes"),
    [
        ("/registry/certificates", "status", "已", "reissued,superseded,revoked"),
        ("/registry/syncs", "outcome", "已", "loaded,updated,rejected,delisted"),
    ],
)
async def test_a_beginning_several_labels_share_finds_all_their_rows(
    ds: Datasette, path: str, column: str, typed: str, codes: str
) -> None:
    """状态 开头是 已 (已补发, 已由新证书取代, 已撤销: a staff review) found nothing: no code
    begins so, and no one label could be chosen. It finds the rows of each."""
    rows = await query(ds, path, **{f"{column}__startswith": typed})
    assert len({row[column] for row in rows}) > 1
    assert rows == await query(ds, path, **{f"{column}__in": codes})
    # each filter by its own text: 开头是 已 and 开头是 有 both took 已's codes (a review)
    both = await ds.client.get(
        f"{path}.json?{column}__startswith={typed}&{column}__startswith=有&_shape=array",
        cookies=signed_in(ds),
    )
    assert both.json() == []


async def test_the_year_code_facet_lists_years_in_order(ds: Datasette, registry_db: Path) -> None:
    """A staff review read 11, 12, 24, 19, 14…: the facet sorted by count, as others are."""
    with sqlite3.connect(registry_db) as conn:
        before = conn.execute("SELECT number, year_code FROM certificates").fetchall()
        # the later year the commoner: by count it came first
        conn.execute("UPDATE certificates SET year_code = '24' WHERE number NOT LIKE 'C%'")
    try:
        response = await ds.client.get(
            "/registry/certificates.json", params={"_facet": "year_code"}, cookies=signed_in(ds)
        )
        facet = response.json()["facet_results"]["year_code"]
        values = [row["value"] for row in facet["results"]]
        assert len(values) > 1 and values == sorted(values), values
    finally:
        with sqlite3.connect(registry_db) as conn:
            conn.executemany(
                "UPDATE certificates SET year_code = ? WHERE number = ?",
                [(code, number) for number, code in before],
            )


@pytest.mark.parametrize("typed", ["2012年3月15日", "2012.3.15", "2012-03-15"])
async def test_a_calendar_date_is_filtered_as_typed_and_by_its_index(
    ds: Datasette, typed: str
) -> None:
    """A staff review: 发证日期 typed as a clerk writes it found nothing, and 日期为 compared
    through date() read the whole table (0.8 s at a million certificates)."""
    for operator in ("", "__date"):
        response = await ds.client.get(
            "/registry/certificates.json",
            params={f"issued_on{operator}": typed, "_shape": "objects"},
            cookies=signed_in(ds),
        )
        body = response.json()
        assert body["rows"] and {r["issued_on"] for r in body["rows"]} == {"2012-03-15"}
        assert "date(" not in body["query"]["sql"], body["query"]["sql"]


@pytest.mark.parametrize(
    "typed", ["1976.08", "1976.8", "1976年8月", "1976/08", "197608", "１９７６．０８", "1976-08"]
)
async def test_a_month_is_filtered_as_rosters_write_it(ds: Datasette, typed: str) -> None:
    """A staff review: 出生年月 typed as rosters write it (1970.05, 1970年5月) found nothing —
    0 行, and no word why — where 1970-05 found the holders."""
    rows = await query(ds, "/registry/certificates", birth=typed)
    assert rows and {row["birth"] for row in rows} == {"1976-08"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ({"wage_grade_since": "2008.10"}, {"wage_grade_since": "2008-10"}),
        ({"wage_grade_since__exact": "2008年10月"}, {"wage_grade_since__exact": "2008-10"}),
        ({"work_start__startswith": "1996年"}, {"work_start__startswith": "1996"}),
        ({"work_start__startswith": "1996.5"}, {"work_start__startswith": "1996-05"}),
        ({"birth__gte": "1980.01"}, {"birth__gte": "1980-01"}),
        ({"birth__lt": "1976年8月"}, {"birth__lt": "1976-08"}),
        ({"birth__not": "1976.08"}, {"birth__not": "1976-08"}),
        ({"birth__in": "1976.08，1969年3月"}, {"birth__in": "1976-08,1969-03"}),
        ({"exam_year": "2011年"}, {"exam_year": "2011"}),
        ({"exam_year__gte": "2011年度"}, {"exam_year__gte": "2011"}),
    ],
)
async def test_every_filter_of_a_month_or_year_reads_it_as_rosters_write_it(
    ds: Datasette, typed: dict[str, str], stored: dict[str, str]
) -> None:
    """执行工资等级起始时间 1998.03 found 0 行 where 1998-03 found 1,126, and 报考年度 2011年
    none at all: each operator compares the month (or year) the registry stores."""
    every = await query(ds, "/registry/certificates")
    rows = await query(ds, "/registry/certificates", **stored)
    assert rows
    assert len(rows) < len(every) or "exam_year" in next(iter(stored))  # every row's is 2011
    assert await query(ds, "/registry/certificates", **typed) == rows


async def test_a_year_or_the_start_of_a_month_is_read_as_staff_mean_it(ds: Datasette) -> None:
    """出生年月 > 1972 found a holder born 1972-05 (compared as text, 1972-05 > 1972) and ≤ 1972
    left them out; 开头是 1971-1 (October to December) was read as 1971-01 (a review)."""
    births = {
        row["number"]: row["birth"]
        for row in await query(ds, "/registry/certificates", _size="max")
        if row["birth"]
    }

    async def found(**params: str) -> set[str]:
        return {row["number"] for row in await query(ds, "/registry/certificates", **params)}

    year = "1972"
    assert any(birth.startswith(year) for birth in births.values())
    assert await found(birth__gt=year) == {n for n, b in births.items() if b[:4] > year}
    assert await found(birth__lte=year) == {n for n, b in births.items() if b[:4] <= year}
    autumn = {n for n, b in births.items() if b.startswith("1971-1")}
    assert autumn and await found(birth__startswith="1971-1") == autumn
    assert await found(birth__gt="1972年") == await found(birth__gt=year)  # as rosters write it
    # one of several months, each as rosters write it; a bare year is no month of the list
    listed = {n for n, b in births.items() if b in ("1972-05", "1976-08")}
    assert listed and await found(birth__in="1972.05,1976年8月") == listed
    assert "1966-12" in births.values()
    assert await found(birth__in="1966") == set()  # read as 1966-12, it found that holder


async def test_numbers_that_fail_their_checks_say_whether_the_registry_has_them(
    ds: Datasette, registry_db: Path
) -> None:
    """A registered certificate checked with wrong names and a number that does not exist (a
    forged one) stood side by side: the log and the registry are two databases."""
    rows = await query(ds, "/verify_log/failing_numbers", 未查到阈值="1", 报告阈值="1")
    with sqlite3.connect(registry_db) as conn:
        held = dict(conn.execute("SELECT number, status FROM certificates").fetchall())
    said = {row["证书编号"]: row["登记库中"] for row in rows}
    assert said["Z1122020123"] == RESULT_LABELS[held["Z1122020123"]]
    assert "无此编号" in said.values()
    assert all(
        said[number] == (RESULT_LABELS[held[number]] if number in held else "无此编号")
        for number in said
    )


async def test_checks_answered_valid_of_certificates_ended_since_are_listed_with_when(
    registry_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An employer told 有效 of a certificate revoked or replaced since may still rely on it, and
    a 有效 given after the registry host recorded the change came from a replica that had not
    had it: staff could find neither, the log and the registry being two databases. So may one
    told 有效 of a paper since reissued under its number (an auditor's review: it was left out)."""
    db = tmp_path / "registry.db"
    shutil.copy(registry_db, db)
    shutil.copy(verify_log_path(registry_db), verify_log_path(db))
    with sqlite3.connect(db) as conn:
        revoked_at = conn.execute(
            "SELECT s.at FROM status_events e JOIN syncs s ON s.id = e.sync"
            " WHERE e.number = 'C1122000001' AND e.type = '撤销'"
        ).fetchone()[0]

    def answered(number: str, at: dt.datetime, result: str = "valid") -> dict[str, Any]:
        moment = at.replace(microsecond=0).isoformat()
        return {
            "at": moment,
            "client": "198.51.100.77",
            "number": number,
            "result": result,
            "name_hash": "f" * 64,
            "channel": "api",
            "key_id": 3,
        }

    now = dt.datetime.now(dt.UTC)
    sqlite_utils.Database(verify_log_path(db)).table("checks").insert_all(
        [
            answered("C1122000001", now - dt.timedelta(days=30)),  # before the 撤销 was synced
            answered("C1122000001", now + dt.timedelta(seconds=1)),  # after: a stale replica
            answered("G1122000002", now - dt.timedelta(days=40)),  # replaced by a 换发
            answered("Z1122000001", now + dt.timedelta(seconds=1), "reissued"),  # its new paper
            answered("Z1122000001", now - dt.timedelta(days=3)),  # 有效 — of the voided original
            answered("Z1122099999", now - dt.timedelta(days=3)),  # never registered
            answered("C1122000001", now - dt.timedelta(days=500)),  # before the last 365 days
        ]
    )
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    rows = await query(shipped_datasette(db), "/verify_log/valid_then_ended", 天数="")
    listed = {row["证书编号"]: row for row in rows}
    assert set(listed) == {"C1122000001", "G1122000002", "Z1122000001"}
    reissued = listed["Z1122000001"]  # its 已补发 answer is right and not counted
    assert (reissued["登记库中"], reissued["查验为有效的次数"], reissued["其中记入之后"]) == (
        RESULT_LABELS["reissued"],
        1,
        0,  # answered before the 补发 was synced
    )
    revoked = listed["C1122000001"]
    assert (revoked["登记库中"], revoked["查验为有效的次数"], revoked["其中记入之后"]) == (
        RESULT_LABELS["revoked"],
        2,
        1,
    )
    assert revoked["登记库记入时间"] == beijing_time(revoked_at)
    assert revoked["接口密钥编号"] == "3" and revoked["客户端数"] == 1
    assert listed["G1122000002"]["登记库中"] == SUPERSEDED
    assert listed["G1122000002"]["其中记入之后"] == 0
    assert rows[0]["证书编号"] == "C1122000001"  # the stale replica's answer first


async def test_exporting_every_row_is_never_cut_at_a_size(ds: Datasette) -> None:
    """“导出全部行” of the million-certificate registry stopped at Datasette's default 100 MB —
    601,299 rows, a last line in English, HTTP 200 (a staff review): a report to the province
    would have been quietly incomplete. Staff's exports are bounded by the registry alone."""
    assert ds.setting("max_csv_mb") == 0
    exported = await ds.client.get(
        "/registry/certificates.csv", params={"_stream": "on"}, cookies=signed_in(ds)
    )
    assert exported.status_code == 200 and "CSV contains more than" not in exported.text


def test_every_canned_query_parameter_is_read_and_every_query_in_the_readme() -> None:
    """A new canned query's date parameter left out of `DATE_PARAMS` answered a mistyped date
    with an empty page, and nothing failed (a developer's review, following the README's steps
    for a new query): each parameter is read by a reader, or declared taken as typed; each
    query is in the README's table."""
    metadata = yaml.safe_load((config_dir() / "metadata.yml").read_text("utf-8"))
    readme = (config_dir().parent / "README.md").read_text("utf-8")
    for database, config in metadata["databases"].items():
        for name, query in (config.get("queries") or {}).items():
            parameters = set(re.findall(r"(?<![%\w]):(\w+)", query["sql"]))
            unread = parameters - set(READERS) - AS_TYPED_PARAMS
            assert not unread, (name, unread)
            assert f"{query['title']} (`/{database}/{name}`)" in readme, name


async def test_moments_are_compared_in_beijing_time_as_the_page_shows_them(ds: Datasette) -> None:
    """Every 时间 is shown in Beijing time, but 时间 ≥ 2026-12-06 compared the stored UTC text:
    a sync at 06:55 Beijing time on the 6th (22:55 UTC on the 5th) was not found (a staff
    review). Typed moments are Beijing time; a full timestamp with its offset is as typed."""
    client = f"moments-{secrets.token_hex(4)}"
    log = sqlite_utils.Database(Path(ds.databases["verify_log"].path or ""))
    try:  # 04:00 on 1 January, Beijing time
        log.table("checks").insert(
            {"at": "2025-12-31T20:00:00+00:00", "client": client, "number": "G1122000001",
             "result": "valid", "name_hash": "c" * 64, "channel": "page"}
        )  # fmt: skip
    finally:
        log.close()

    async def found(**condition: str) -> int:
        return len(await query(ds, "/verify_log/checks", client=client, **condition))

    assert await found(at__gte="2026-01-01") == 1
    assert await found(at__gte="2026年1月1日") == 1
    assert await found(at__lt="2026-01-01") == 0
    assert await found(at__gte="2026-01-01 05:00") == 0
    assert await found(at__lt="2026-01-01 04:30") == 1
    assert await found(at__gte="2025-12-31T20:00:00+00:00") == 1  # as stored, unchanged
    # as an input method types it, and a moment with its zone (the fixes' review)
    assert await found(at__gte="２０２６－０１－０１") == 1
    assert await found(at__gt="2026-01-01T04:00+08:00") == 0  # the stored moment itself
    assert await found(at__gte="2026-01-01T04:00+08:00") == 1
    # every moment column, a sync run's start too (同步运行)
    started = (await query(ds, "/registry/syncs", _size="1"))[0]["run"]  # UTC, as stored
    day = dt.datetime.fromisoformat(started).astimezone(BEIJING).date().isoformat()
    on_or_after = await query(ds, "/registry/syncs", run__gte=day, _size="max")
    before = await query(ds, "/registry/syncs", run__lt=day, _size="max")
    assert started in column(on_or_after, "run") and started not in column(before, "run")


async def test_suspicious_clients_and_failing_numbers_page_through_every_row(
    ds: Datasette,
) -> None:
    """An attack's hours of 100,000 clients made a 4 MB page that Datasette cut at 5,000 rows,
    the rest out of reach (a staff review): a hundred a page, the worst first, each page after
    the last row of the one before, none twice, none left out."""
    prefix = f"pager-{secrets.token_hex(3)}"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    log = sqlite_utils.Database(Path(ds.databases["verify_log"].path or ""))
    try:
        log.table("checks").insert_all(
            {"at": now, "client": f"{prefix}-{i:03d}", "number": f"G11220{i:05d}",
             "result": "no_match", "name_hash": f"{n:064x}", "channel": "api"}
            for i in range(150)
            for n in range(60 + i % 7)
        )  # fmt: skip
    finally:
        log.close()

    async def pages(path: str, marker: str, column: str, **params: str) -> list[list[str]]:
        found, last = [], ""
        while True:
            rows = await query(ds, path, **params, **{marker: last})
            found.append([row[column] for row in rows])
            if len(rows) < 100:
                return found
            last = rows[-1][column]

    clients = await pages(
        "/verify_log/suspicious_clients", "上页末行客户端", "客户端", 小时数="1", 未查到阈值="60"
    )
    numbers = await pages(
        "/verify_log/failing_numbers", "上页末行证书编号", "证书编号", 天数="1", 未查到阈值="60"
    )
    ours = [c for page in clients for c in page if c.startswith(prefix)]
    assert [len(page) for page in clients][:1] == [100] and len(ours) == len(set(ours)) == 150
    mine = [n for page in numbers for n in page if n.startswith("G11220")]
    assert len(mine) == len(set(mine)) >= 150


async def test_the_log_queries_answer_on_a_log_without_staffs_indexes(ds: Datasette) -> None:
    """Named by ``INDEXED BY``, 查验最多的证书编号 and 可疑查验流量 answered ``no such index`` on a
    replica's log, or one browse could not write (the fixes' review): without the indexes they
    are only slower."""
    path = Path(ds.databases["verify_log"].path or "")
    conn = sqlite3.connect(path)
    try:
        for name in ("idx_checks_named_number", "idx_checks_client_at"):  # those they named
            conn.execute(f'DROP INDEX "{name}"')
        for canned in ("most_checked", "suspicious_clients", "failing_numbers"):
            await query(ds, f"/verify_log/{canned}")  # asserts a 200
    finally:
        ensure_staff_indexes(conn)
        conn.close()
