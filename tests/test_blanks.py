"""The three blank-certificate registers (SPEC §9): read from .xlsx and .csv and the 附件1 form,
every rule broken once, whole-or-nothing loading, idempotency."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from registry.cli import cli
from registry.domain.opinions import review_passes
from registry.kinds.blanks import Recipient, opinion, quantity, recipient
from registry.kinds.collections import NOT_COLLECTED
from registry.kinds.dispatch_ledger import Approvals
from registry.sheets.writers import write_requisition_form
from tests.blank_registers import (
    UNIT,
    collection,
    dispatch,
    load,
    load_rosters,
    requisition,
    snapshot,
    sync,
    write,
)
from tests.datasette_fixtures import SAMPLES
from tests.registers import add_column, traced_statements, whole_reads


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A registry holding the two test rosters, an approved requisition for each recipient and
    a first dispatch to 测试单位."""
    path = tmp_path / "registry.db"
    load_rosters(path, tmp_path)
    report = load(
        path,
        tmp_path / "base-requisitions.csv",
        "requisitions",
        [
            requisition(UNIT, 1, 3, 0, 0),
            requisition("绵阳市人力资源和社会保障局", 1, 0, 1, 0, city="同意 2012-02-10"),
        ],
    )
    assert report["exit_code"] == 0, report
    report = load(path, tmp_path / "base-dispatch.csv", "dispatches", [dispatch(UNIT, 0, 2)])
    assert report["exit_code"] == 0, report
    return path


def rows(db: Path, table: str) -> list[dict[str, object]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY register, 1")]
    finally:
        conn.close()


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_requisitions_load_from_either_format(db: Path, tmp_path: Path, suffix: str) -> None:
    report = load(
        db,
        tmp_path / f"req{suffix}",
        "requisitions",
        [
            # pending, and the city's opinion says 印章: still a data row, not the footer
            requisition("绵阳市示例医院", 2, 0, 0, 0, city="同意（印章）2012-02-11", province=None),
            requisition(" 测试 单位 ", 0, 1, 0, 0, province="不同意"),
        ],
    )
    assert report["exit_code"] == 0, report
    loaded = [r for r in rows(db, "requisitions") if r["register"] == f"req{suffix}"]
    assert [
        (r["recipient"], r["city"], r["junior"], r["intermediate"], r["total"], r["status"])
        for r in loaded
    ] == [("绵阳市", "2202", 2, 0, 2, "pending"), (UNIT, None, 0, 1, 1, "refused")]
    assert loaded[0]["city_agreed_on"] == "2012-02-11"
    assert loaded[0]["source_row"] == (3 if suffix == ".xlsx" else 2)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_dispatches_load_from_either_format(db: Path, tmp_path: Path, suffix: str) -> None:
    report = load(
        db,
        tmp_path / f"slip{suffix}",
        "dispatches",
        [dispatch("绵阳市人力资源和社会保障局", 1, 0, 1, day="2012-03-05")],
    )
    assert report["exit_code"] == 0, report
    (slip,) = [r for r in rows(db, "dispatches") if r["register"] == f"slip{suffix}"]
    assert (slip["recipient"], slip["junior"], slip["senior"], slip["dispatched_on"]) == (
        "绵阳市",
        1,
        1,
        "2012-03-05",
    )


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_collections_load_from_either_format(db: Path, tmp_path: Path, suffix: str) -> None:
    report = load(
        db,
        tmp_path / f"collected{suffix}",
        "collections",
        [collection("c1122000001", "甲一"), collection("Z1122000001", "代领人", "签名表第2页")],
    )
    assert report["exit_code"] == 0, report
    assert [(r["number"], r["collector"], r["signature"]) for r in rows(db, "collections")] == [
        ("C1122000001", "甲一", "是"),
        ("Z1122000001", "代领人", "签名表第2页"),
    ]


@pytest.mark.parametrize("signed", ["单位盖章", "已盖章", "制表人代签"])
def test_a_collection_signed_with_a_stamp_is_a_row_not_a_sign_off(
    db: Path, tmp_path: Path, signed: str
) -> None:
    """A row of four cells with a sign-off word (盖章, 制表) was taken for the footer: last, its
    collection was dropped without a word; in the middle, the rows after it were refused."""
    collected = [
        collection("C1122000001", "甲一"),
        collection("Z1122000001", "单位代领", signed),
        collection("Z1122000002", "甲三"),
    ]
    report = load(db, tmp_path / "collected.xlsx", "collections", collected)
    assert report["exit_code"] == 0, report
    assert [r["number"] for r in rows(db, "collections")] == [
        "C1122000001",
        "Z1122000001",
        "Z1122000002",
    ]


def test_the_annex_1_form_is_read_as_one_requisition(db: Path, tmp_path: Path) -> None:
    form = tmp_path / "form.xlsx"
    write_requisition_form(
        form,
        {
            "单位": "绵阳市人力资源和社会保障局",
            "联系人": "王五",
            "联系电话": "0816-1",
            "初级": 2,
            "高级": 1,
            "合计": 3,
            "市（州）意见": "同意（印章） 2012年2月10日",
            "省厅意见": "同意（印章） 2012年2月20日",
        },
    )
    sheet = openpyxl.load_workbook(form).active
    assert sheet is not None
    assert {"A1:D1", "B3:D3", "A5:A9"} <= {str(r) for r in sheet.merged_cells.ranges}

    result = sync(db, form, "--kind", "requisitions", "--authority", "2202")
    assert result.exit_code == 0, result.output
    (row,) = [r for r in rows(db, "requisitions") if r["register"] == "form.xlsx"]
    assert (row["recipient"], row["contact"], row["junior"], row["intermediate"]) == (
        "绵阳市",
        "王五",
        2,
        0,
    )
    assert (row["senior"], row["total"], row["approved_on"], row["status"]) == (
        1,
        3,
        "2012-02-20",
        "approved",
    )


def test_a_table_grouping_its_levels_under_the_forms_words_is_a_table(
    db: Path, tmp_path: Path
) -> None:
    """A summary of requisitions whose level columns sit under 需求数量, as the annex groups
    them, was read as one 附件1 form and refused with problems about its header rows."""
    path = tmp_path / "summary.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["单位", "联系人", "联系电话", "需求数量", None, None, None, None, "省厅意见"])
    sheet.append([None, None, None, "初级", "中级", "高级", "技师", "合计", None])
    sheet.append(["省直示例单位", "王五", "028-1", 1, 2, 0, 0, 3, "同意 2012-02-20"])
    sheet.append(["省直另一单位", "李四", "028-2", 0, 1, 0, 0, 1, "同意 2012-02-20"])
    for columns in ("A1:A2", "B1:B2", "C1:C2", "D1:H1", "I1:I2"):
        sheet.merge_cells(columns)
    book.save(path)
    result = sync(db, path, "--kind", "requisitions", "--authority", "2200")
    assert result.exit_code == 0, result.output
    loaded = [r for r in rows(db, "requisitions") if r["register"] == "summary.xlsx"]
    assert [(r["recipient"], r["total"]) for r in loaded] == [
        ("省直示例单位", 3),
        ("省直另一单位", 1),
    ]


def test_a_wrong_total_on_the_form_names_the_total_row(db: Path, tmp_path: Path) -> None:
    form = tmp_path / "form.xlsx"
    write_requisition_form(
        form, {"单位": UNIT, "中级": 2, "合计": 3, "省厅意见": "同意 2012-02-20"}
    )
    before = snapshot(db)
    result = sync(db, form, "--kind", "requisitions", "--authority", "2200")
    assert result.exit_code == 1
    assert snapshot(db) == before
    assert '"row": 9' in result.output and "合计应等于各等级数量之和 2" in result.output


MIANYANG = "绵阳市人力资源和社会保障局"

BROKEN = {
    "total is not the sum": (
        "requisitions",
        "2200",
        [requisition(UNIT, 1, 1, 0, 0) | {"合计": 3}],
        "合计",
        "合计应等于各等级数量之和 2",
    ),
    "not a whole number": (
        "requisitions",
        "2200",
        [requisition(UNIT, 1) | {"中级": 2.5, "合计": 3.5}],
        "中级",
        "不能有小数",
    ),
    "negative quantity": (
        "requisitions",
        "2200",
        [requisition(UNIT) | {"高级": -1, "合计": -1}],
        "高级",
        "不能为负数",
    ),
    "chinese numerals": (
        "requisitions",
        "2200",
        [requisition(UNIT) | {"初级": "三", "合计": 3}],
        "初级",
        "阿拉伯数字",
    ),
    "an absurd quantity (one that does not even fit SQLite's integers)": (
        "requisitions",
        "2200",
        [requisition(UNIT) | {"初级": "100000000000000000000", "合计": "100000000000000000000"}],
        "初级",
        "超过 9999 本",
    ),
    "a requisition pasted twice": (
        "requisitions",
        "2200",
        [requisition(UNIT, 2, 1), requisition(UNIT, 2, 1)],
        "单位",
        "与本文件第3行是同一申领计划",
    ),
    # a 合计 line ending the table is checked against the rows above it (see below)
    "a totals row under the requisitions that does not add up": (
        "requisitions",
        "2200",
        [requisition("合 计", 1, 0, 1, 0, province=None)],
        "初级",
        "合计行的初级 1 本，与上面各行之和 0 本不符",
    ),
    "a totals row with 合计 in its 序号 that does not add up": (
        "requisitions",
        "2200",
        [requisition("", 1, 0, 1, 0, province=None) | {"序号": "合计"}],
        "初级",
        "与上面各行之和 0 本不符",
    ),
    "a totals row under the slips that does not add up": (
        "dispatches",
        "2200",
        [dispatch("合计", 2) | {"日期": None, "经办人": None}],
        "初级",
        "合计行的初级 2 本，与上面各行之和 1 本不符",
    ),
    "a totals row between the slips": (
        "dispatches",
        "2200",
        [dispatch("合计", 1) | {"日期": None, "经办人": None}, dispatch(UNIT, 1)],
        "领取单位",
        "这是合计行",
    ),
    "city unit without the city's opinion": (
        "requisitions",
        "2200",
        [requisition(MIANYANG, 1)],
        "市（州）意见",
        "须先经市（州）人力资源和社会保障行政部门签署意见",
    ),
    "approval without a date": (
        "requisitions",
        "2200",
        [requisition(UNIT, 1, province="同意")],
        "省厅意见",
        "意见须注明日期",
    ),
    "a city registers another city's requisition": (
        "requisitions",
        "2202",
        [requisition("成都市人力资源和社会保障局", 1, city="同意 2012-02-01")],
        "单位",
        "只能包含本市（州）单位的申领计划",
    ),
    "dispatch beyond approved requisitions, cumulatively": (
        "dispatches",
        "2200",
        [dispatch(UNIT, 0, 1), dispatch(UNIT, 0, 1)],
        "中级",
        "累计发放 4 本（其他各次发放共 3 本），超过经省厅批准的申领数 3 本",
    ),
    "dispatch without an approved requisition for the level": (
        "dispatches",
        "2200",
        [dispatch(MIANYANG, 0, 0, 0, 1)],
        "技师",
        "超过经省厅批准的申领数 0 本",
    ),
    "dispatch without a handler": (
        "dispatches",
        "2200",
        [dispatch(UNIT, 1) | {"经办人": None}],
        "经办人",
        "发放须有经办人",
    ),
    "certificate collected twice in one file": (
        "collections",
        "2200",
        [collection("C1122000001"), collection("C1122000001")],
        "证书编号",
        "与本文件第3行重复：每本证书只能领取一次，请删除其中未领取或多写的一行",
    ),
    "collection of a number the registry lacks": (
        "collections",
        "2200",
        [collection("C1122000009")],
        "证书编号",
        "登记库中没有此证书编号",
    ),
    "collection without a signature": (
        "collections",
        "2200",
        [collection("C1122000001", signed="否")],
        "签名",
        "须本人签名",
    ),
    **{
        f"collection marked {word}": (  # taken for a reference to the signed sheet: loaded
            "collections",
            "2200",
            [collection("C1122000001", signed=word)],
            "签名",
            "须本人签名",
        )
        for word in (
            *("拒签", "待签", "不是", "/", "待补签", "无签名", "没有签", "不是本人", "未"),
            *("未领取", "本人未到", "拒领", "暂无", "待补", "未经本人签字"),
        )
    },
    "malformed number": (
        "collections",
        "2200",
        [collection("C11220000")],
        "证书编号",
        "附件3",
    ),
    # a century off (1912 for 2012): the blanks of this series exist since its first batch
    "dispatch dated before the first batch": (
        "dispatches",
        "2200",
        [dispatch(UNIT, 1, day="1912-03-01")],
        "日期",
        "早于首批证书的 2011 年",
    ),
    "collection dated before the first batch": (
        "collections",
        "2200",
        [collection("C1122000001", day="1912-04-01")],
        "日期",
        "早于首批证书的 2011 年",
    ),
    "approval dated before the first batch": (
        "requisitions",
        "2200",
        [requisition(UNIT, 0, 1, 0, 0, province="同意 1912-02-20")],
        "省厅意见",
        "早于首批证书的 2011 年",
    ),
    "a city registers a collection of another region's certificate": (
        "collections",
        "2202",
        [collection("C1122000001")],
        "证书编号",
        "只能登记本市（州）编号的证书",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_each_rule_broken_once_rejects_the_whole_register(
    db: Path, tmp_path: Path, case: str
) -> None:
    kind, authority, register, column, rule = BROKEN[case]
    good_first = {
        ("requisitions", "2200"): requisition(UNIT, 0, 0, 1, 0),
        ("requisitions", "2202"): requisition(MIANYANG, 0, 0, 1, 0, city="同意 2012-02-01"),
        ("dispatches", "2200"): dispatch(UNIT, 1),
        ("collections", "2200"): collection("Z1122000002"),
        ("collections", "2202"): collection("G1122020001"),
    }[kind, authority]
    before = snapshot(db)
    report = load(db, tmp_path / "broken.csv", kind, [good_first, *register], authority)
    assert report["exit_code"] == 1
    assert snapshot(db) == before, "a rejected register must leave the registry untouched"
    (entry,) = report["registers"]
    assert entry["outcome"] == "rejected"
    matching = [p for p in entry["problems"] if rule in p["rule"]]
    assert matching, entry["problems"]
    # the good first row is line 2; the broken rows follow it
    assert matching[0]["column"] == column
    assert matching[0]["row"] in (3, 4)
    assert all(p["row"] != 2 for p in entry["problems"])


@pytest.mark.parametrize(
    "signed",
    ["本人已签，核对无误", "见领取签名表第1页（不含附页）", "已签（待归档）", "本人签名，不是代签"],
)
def test_a_signed_collection_with_a_word_of_no_elsewhere_is_signed(
    db: Path, tmp_path: Path, signed: str
) -> None:
    """Any 未/没/拒/待/不/无 in the cell refused it as unsigned: 核对无误, 不含附页, 待归档."""
    report = load(db, tmp_path / "c.csv", "collections", [collection("C1122000001", signed=signed)])
    assert report["exit_code"] == 0, report["registers"][0]["problems"]


def test_a_certificate_is_collected_only_once_across_registers(db: Path, tmp_path: Path) -> None:
    first = load(db, tmp_path / "first.csv", "collections", [collection("C1122000001")])
    assert first["exit_code"] == 0
    before = snapshot(db)
    second = load(db, tmp_path / "second.csv", "collections", [collection("c11 2200 0001")])
    assert second["exit_code"] == 1
    assert snapshot(db) == before
    (problem,) = second["registers"][0]["problems"]
    assert problem["row"] == 2 and "已在“first.csv”中登记领取" in problem["rule"]


def test_the_text_report_names_file_row_and_rule(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "slip.csv", "dispatches", [dispatch(UNIT, 2)])
    args = ["sync", str(path), "--db", str(db), "--kind", "dispatches", "--authority", "2200"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "slip.csv 第2行「初级」“2”：测试单位初级累计发放 2 本" in result.output
    assert "已拒绝，登记库未作任何改动" in result.output


def test_loading_again_changes_nothing_and_a_new_version_replaces(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "collected.csv"
    assert load(db, path, "collections", [collection("C1122000001")])["exit_code"] == 0
    again = load(db, path, "collections", [collection("C1122000001")])
    assert again["registers"][0]["outcome"] == "unchanged"

    newer = load(
        db,
        path,
        "collections",
        [collection("C1122000001", day="2012-04-02"), collection("Z1122000001")],
    )
    (entry,) = newer["registers"]
    assert (entry["outcome"], entry["added"], entry["changed"]) == ("updated", 1, 1)
    assert [(r["number"], r["collected_on"]) for r in rows(db, "collections")] == [
        ("C1122000001", "2012-04-02"),
        ("Z1122000001", "2012-04-01"),
    ]
    # what the version changed keeps its old value; what the next drops keeps all of them
    dropped = load(db, path, "collections", [collection("Z1122000001")])
    assert dropped["registers"][0]["conflicts"]
    history = [(r["record"], r["field"], r["old"], r["new"]) for r in rows(db, "blank_history")]
    assert history[0] == ("C1122000001", "collected_on", "2012-04-01", "2012-04-02")
    assert ("C1122000001", "collector", "领取人", None) in history
    assert ("C1122000001", "collected_on", "2012-04-02", None) in history


def test_a_corrected_dispatch_is_told_cell_by_cell(db: Path, tmp_path: Path) -> None:
    """A clerk's review: a 发放单 re-sent with 初级 3 → 2 reported 修改 1, and its JSON
    "changes": [] — what changed was left to the history staff read, as rosters' are not."""
    path = tmp_path / "batch1.csv"
    assert load(db, path, "dispatches", [dispatch(UNIT, 1, 0)])["exit_code"] == 0
    corrected = load(db, path, "dispatches", [dispatch(UNIT, 0, 1)])
    [register] = corrected["registers"]
    assert sorted((c["record"], c["column"], c["old"], c["new"]) for c in register["changes"]) == [
        (f"第2行 {UNIT}", "中级", 0, 1),
        (f"第2行 {UNIT}", "初级", 1, 0),
    ]
    write(path, "dispatches", [dispatch(UNIT, 1, 0)])
    result = CliRunner().invoke(
        cli, ["sync", str(path), "--db", str(db), "--kind", "dispatches", "--authority", "2200"]
    )
    assert f"第2行 {UNIT}「初级」0 → 1" in result.output, result.output
    assert "已记入“申领、发放、领取记录的更正”" in result.output
    # what the clerk wrote, by the form's heading: not the state certreg reads from it
    asked = tmp_path / "asked.csv"
    assert load(db, asked, "requisitions", [requisition(UNIT, 1, province=None)])["exit_code"] == 0
    approved = load(db, asked, "requisitions", [requisition(UNIT, 1)])["registers"][0]
    assert [(c["column"], c["new"]) for c in approved["changes"]] == [
        ("省厅意见", "同意 2012-02-20")
    ]


def test_a_record_a_new_version_left_as_it_was_keeps_the_sync_that_loaded_it(
    db: Path, tmp_path: Path
) -> None:
    """An auditor reads when a collection was registered from its sync: a new version of the
    file rewrote every record's sync, unchanged ones too."""
    path = tmp_path / "collected.csv"
    load(db, path, "collections", [collection("C1122000001"), collection("Z1122000001")])
    load(
        db,
        path,
        "collections",
        [collection("C1122000001", day="2012-04-02"), collection("Z1122000001")],
    )
    first, second = (r["id"] for r in rows(db, "syncs") if r["register"] == "collected.csv")
    assert {r["number"]: r["sync"] for r in rows(db, "collections")} == {
        "C1122000001": second,  # corrected: its old values are in blank_history
        "Z1122000001": first,
    }


def test_a_record_a_new_version_drops_is_told_as_deleted_not_as_kept(
    db: Path, tmp_path: Path
) -> None:
    """The report's heading said 证书未删除 above a line that says the record was deleted."""
    path = tmp_path / "collected.csv"
    load(db, path, "collections", [collection("C1122000001"), collection("Z1122000001")])
    write(path, "collections", [collection("Z1122000001")])
    result = CliRunner().invoke(
        cli, ["sync", str(path), "--db", str(db), "--kind", "collections", "--authority", "2200"]
    )
    assert "1 个冲突（记录已删除，请核对）" in result.output, result.output
    assert "证书未删除" not in result.output
    assert "删除前的内容保留在“申领、发放、领取记录的更正”中" in result.output
    # a dispatch dropped says what it was, not a row number alone (a clerk's review)
    slips = tmp_path / "slips.csv"
    load(db, slips, "dispatches", [dispatch(UNIT, 0, 1), dispatch(UNIT, 1, 0, day="2012-03-02")])
    dropped = load(db, slips, "dispatches", [dispatch(UNIT, 0, 1)])
    [conflict] = dropped["registers"][0]["conflicts"]
    assert f"（原第3行：{UNIT}，初级 1 本，2012-03-02）" in conflict["rule"], conflict


def test_dispatches_must_come_from_the_province(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "slip.csv"
    load(db, path, "dispatches", [dispatch(UNIT, 1)], authority="2200")
    result = sync(db, path, "--kind", "dispatches", "--authority", "2202")
    assert result.exit_code == 2
    assert "authority 应为 2200" in result.output


@pytest.mark.parametrize(
    "written, agreed",
    [
        ("同意 2012-03-01", True),
        ("同意（印章）2012年3月1日", True),
        ("同意 20120301", True),
        ("同意 2012年3月1号", True),
        ("（印章）2012-03-01", True),  # the form signed and dated
        ("不予批准，请按实际合格人数重报（印章）2012年3月9日", False),
        ("退回重报 2012-03-09", False),
        ("驳回 2012-03-09", False),
        ("请补充材料后再报 2012-03-09", False),
        ("经审核，不符合条件 2012-03-09", False),
        ("不予同意 2012-03-09", False),
        ("已补充材料，同意 2012-03-01", True),  # the refusing words only as whole phrases
        ("材料齐全，同意。原件已退回 2012-03-01", True),
        ("同意（不予收取工本费）2012-03-01", True),
        ("同意，联系电话86113498，2012-03-01", True),  # eight digits that are no date
        ("不符合条件，无法同意 2012-03-01", False),
        ("不符合条件，未批准 2012-03-01", False),
        ("经审核，无不同意见 2012-03-01", True),
        ("已补充材料后审核，同意 2012-03-01", True),
        ("未发现不符合条件的情形，同意 2012-03-01", True),
        ("经研究同意 2012-03-01", True),
        ("不予核准 2012-03-01", False),
        ("不宜同意 2012-03-01", False),
        ("没有同意 2012-03-01", False),
        # spaces between the words: 同意 alone was found, and approved
        ("不 同意 2012-02-20", False),
        ("不\u3000同意 2012-02-20", False),
        ("不予 批准 2012-02-20", False),
        ("未予 同意 2012-02-20", False),
        ("不太同意 2012-02-20", False),
        ("同 意 2012-03-01", True),
    ],
)
def test_an_opinion_approves_only_in_words_that_approve(written: str, agreed: bool) -> None:
    """§四.(二): blanks only after approval — a refusal in other words than 不同意 approved."""
    assert opinion(written, dt.date(2026, 1, 1)).agreed is agreed


@pytest.mark.parametrize(
    ("written", "passes"),
    [
        ("同意", True),
        ("不　同意", False),
        ("不 同意", False),
        ("未予 同意", False),
        ("同 意", True),
    ],
)
def test_a_reissues_review_passes_only_in_words_that_approve(written: str, passes: bool) -> None:
    """§四.(六)3: a 补发's 主管部门审核 of 不　同意 (a full-width space typed between) let the
    reissue load, the certificate marked reissued."""
    assert review_passes(written) is passes


@pytest.mark.parametrize(
    "written, words",
    [
        ("同意，核减中级为3本（印章）2012年3月9日", "意见改动了申领数量"),
        ("已阅 2012-03-09", "看不出是否同意"),
        ("拟同意 2012-03-01", "看不出是否同意"),  # proposed, not given
        ("拟予同意 2012-03-01", "看不出是否同意"),
        ("同意，但暂缓发放 2012-03-01", "既有同意又有不同意"),
        ("未经审核同意 2012-03-01", "既有同意又有不同意"),
        # dated under its stamp in Chinese numerals: told to write the date so, not to add one
        ("同意\n（印章）\n二〇一二年二月二十日", "意见的日期须用阿拉伯数字填写"),
    ],
)
def test_an_opinion_the_register_cannot_hold_is_refused(written: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        opinion(written, dt.date(2026, 1, 1))


def test_a_large_but_possible_requisition_loads(db: Path, tmp_path: Path) -> None:
    """Up to 9999 blanks of each level, so a 合计 of 10000 is fine."""
    row = requisition(UNIT, 5000, 5000)
    assert row["合计"] == 10000
    assert load(db, tmp_path / "big.csv", "requisitions", [row])["exit_code"] == 0


@pytest.mark.parametrize("summarised", [MIANYANG, "绵阳市人社局", "绵阳人社局"])
def test_a_citys_requisition_is_not_registered_again_by_the_province(
    db: Path, tmp_path: Path, summarised: str
) -> None:
    """绵阳's own register holds its requisition; the province's summary lists it again —
    under the bureau's name as staff shorten it too, which counted it twice (a dispatch of
    twice the approval went through)."""
    row = requisition(MIANYANG, 2, 0, 1, city="同意 2012-02-11")
    assert load(db, tmp_path / "mianyang-req.csv", "requisitions", [row], "2202")["exit_code"] == 0
    again = row | {"单位": summarised}
    report = load(db, tmp_path / "summary.csv", "requisitions", [requisition(UNIT, 1), again])
    assert report["exit_code"] == 1
    [problem] = report["registers"][0]["problems"]
    assert (problem["row"], problem["column"]) == (3, "单位")
    assert "与登记表“mianyang-req.csv”第2行是同一申领计划" in problem["rule"]


def test_a_dispatch_register_loaded_again_under_another_name_is_refused(
    db: Path, tmp_path: Path
) -> None:
    """A clerk renames the loaded 发放单 and lists the new name: its slips were counted a second
    time (80 of 100 approved out instead of 40), with no word said. Each slip is named with the
    register and row that hold it already; a slip pasted twice in one file likewise."""
    assert (
        load(db, tmp_path / "req.csv", "requisitions", [requisition(UNIT, 0, 100)])["exit_code"]
        == 0
    )
    slip = dispatch(UNIT, 0, 40, day="2012-03-05")
    assert load(db, tmp_path / "d1.csv", "dispatches", [slip])["exit_code"] == 0
    before = snapshot(db)
    renamed = load(db, tmp_path / "2012-发放单.csv", "dispatches", [slip])
    [problem] = renamed["registers"][0]["problems"]
    assert renamed["exit_code"] == 1 and snapshot(db) == before
    assert (problem["row"], problem["column"], problem["clause"]) == (2, "领取单位", "§四.(二)")
    assert "与登记表“d1.csv”第2行是同一笔发放" in problem["rule"]
    pasted = load(db, tmp_path / "d2.csv", "dispatches", [dispatch(UNIT, 0, 5)] * 2)
    [problem] = pasted["registers"][0]["problems"]
    assert problem["row"] == 3 and "与本文件第2行是同一笔发放" in problem["rule"]


def test_a_dispatch_to_a_unit_named_otherwise_than_on_its_requisition_is_told_so(
    db: Path, tmp_path: Path
) -> None:
    """省水利厅机关服务中心 for the 四川省水利厅（机关服务中心） of its requisition was told as each
    level passing the 0 blanks approved, on the quantity cells, and nothing about the name."""
    requested = "四川省水利厅（机关服务中心）"
    requisitions = [requisition(requested, 2, 2, province="同意 2012-02-20")]
    assert load(db, tmp_path / "req.csv", "requisitions", requisitions)["exit_code"] == 0
    slips = [dispatch("省水利厅机关服务中心", 2, 2), dispatch("不相干的单位", 1)]
    report = load(db, tmp_path / "slip.csv", "dispatches", slips)
    assert report["exit_code"] == 1
    problems = report["registers"][0]["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(2, "领取单位"), (3, "领取单位")]
    suggested = "是否为“四川省水利厅(机关服务中心)”？领取单位须与申领计划表中的单位名称一致"
    assert suggested in problems[0]["rule"]  # the recipient as it is kept: in normal form
    assert "没有“不相干的单位”的申领计划（附件1）" in problems[1]["rule"]
    assert "请核对领取单位的名称，或先导入该单位的申领计划" in problems[1]["rule"]


def test_dispatches_are_counted_in_the_order_of_their_dates(tmp_path: Path) -> None:
    """2012's slip corrected after 2013's is loaded, and a file listing 2013 before 2012, are
    judged by date: by 2012-03-10 four of the five approved that year were out, no more."""
    db = tmp_path / "registry.db"
    approvals = [
        requisition(UNIT, 5, province="同意 2012-02-20"),
        requisition(UNIT, 6, province="同意 2013-02-20"),
    ]
    assert load(db, tmp_path / "req.csv", "requisitions", approvals)["exit_code"] == 0
    early, late = dispatch(UNIT, 4, day="2012-03-10"), dispatch(UNIT, 5, day="2013-03-10")
    assert load(db, tmp_path / "d2012.csv", "dispatches", [early])["exit_code"] == 0
    assert load(db, tmp_path / "d2013.csv", "dispatches", [late])["exit_code"] == 0
    corrected = early | {"经办人": "经办人（更正）"}
    assert load(db, tmp_path / "d2012.csv", "dispatches", [corrected])["exit_code"] == 0

    fresh = tmp_path / "fresh.db"
    assert load(fresh, tmp_path / "req.csv", "requisitions", approvals)["exit_code"] == 0
    assert load(fresh, tmp_path / "both.csv", "dispatches", [late, early])["exit_code"] == 0
    too_early = dispatch(UNIT, 2, day="2012-03-11")  # 6 by then, 5 approved
    report = load(fresh, tmp_path / "more.csv", "dispatches", [too_early])
    [problem] = report["registers"][0]["problems"]
    assert (
        "累计发放 6 本（此前已发 4 本），而截至发放日期 2012-03-11 省厅只批准了 5 本"
        in (problem["rule"])
    )


def test_a_dispatch_before_the_approval_and_past_it_is_told_both_on_its_own_row(
    tmp_path: Path,
) -> None:
    """One slip of 2012-01-01, before the approval of 2012-02-20, that also takes the total past
    what was approved: it was told only of the total, and then blamed — on its own row, with
    the other register's 4 as its value — for that register's dispatch of 2012-03-10."""
    db = tmp_path / "registry.db"
    approved = [requisition(UNIT, 0, 4, province="同意 2012-02-20")]
    assert load(db, tmp_path / "req.csv", "requisitions", approved)["exit_code"] == 0
    loaded = [dispatch(UNIT, 0, 4, day="2012-03-10")]
    assert load(db, tmp_path / "d2012.csv", "dispatches", loaded)["exit_code"] == 0
    report = load(
        db, tmp_path / "early.csv", "dispatches", [dispatch(UNIT, 0, 1, day="2012-01-01")]
    )
    [problem] = report["registers"][0]["problems"]
    assert (problem["row"], problem["column"], problem["value"]) == (2, "中级", "1")
    assert "超过经省厅批准的申领数 4 本" in problem["rule"]
    assert "发放日期 2012-01-01 时省厅只批准了 0 本" in problem["rule"]
    assert "2012-03-10" not in problem["rule"]


def test_a_dispatch_past_the_total_after_the_approval_is_not_called_early(tmp_path: Path) -> None:
    """Two slips after the approval of 2 on 2012-02-20 — 2 on 2012-03-01 and 1 on 2012-03-05,
    3 in all: the one past the total was also told it came before the approval; and of two
    slips of one file, the earlier-dated listed last, the other was told so too."""
    db = tmp_path / "registry.db"
    approved = [requisition(UNIT, 0, 2, province="同意 2012-02-20")]
    assert load(db, tmp_path / "req.csv", "requisitions", approved)["exit_code"] == 0
    slips = [dispatch(UNIT, 0, 1, day="2012-03-05"), dispatch(UNIT, 0, 2, day="2012-03-01")]
    report = load(db, tmp_path / "over.csv", "dispatches", slips)
    [problem] = report["registers"][0]["problems"]
    assert problem["row"] == 3 and "超过经省厅批准的申领数 2 本" in problem["rule"]
    assert "早于" not in problem["rule"]


def test_every_slip_before_the_approval_is_told(tmp_path: Path) -> None:
    """Slips of 2011-12-31 and 2012-01-05, both before the approval of 2012-02-20 and together
    past it: the second went unsaid once the first was told of the total."""
    db = tmp_path / "registry.db"
    approved = [requisition(UNIT, 0, 2, province="同意 2012-02-20")]
    assert load(db, tmp_path / "req.csv", "requisitions", approved)["exit_code"] == 0
    slips = [dispatch(UNIT, 0, 1, day="2012-01-05"), dispatch(UNIT, 0, 2, day="2011-12-31")]
    report = load(db, tmp_path / "early.csv", "dispatches", slips)
    rules = {p["row"]: p["rule"] for p in report["registers"][0]["problems"]}
    assert set(rules) == {2, 3}
    assert "发放日期 2012-01-05 省厅只批准了 0 本" in rules[2]
    assert (
        "超过经省厅批准的申领数 2 本" in rules[3] and "2011-12-31 时省厅只批准了 0 本" in rules[3]
    )


def test_three_slips_before_the_approval_are_each_told(tmp_path: Path) -> None:
    db = tmp_path / "registry.db"
    approved = [requisition(UNIT, 0, 3, province="同意 2012-02-20")]
    assert load(db, tmp_path / "req.csv", "requisitions", approved)["exit_code"] == 0
    days = ("2012-01-01", "2012-01-05", "2012-01-10")
    report = load(db, tmp_path / "d.csv", "dispatches", [dispatch(UNIT, 0, 1, day=d) for d in days])
    rules = {p["row"]: p["rule"] for p in report["registers"][0]["problems"]}
    assert set(rules) == {2, 3, 4}
    assert all(
        f"发放日期 {day} 省厅只批准了 0 本" in rules[row]
        for row, day in zip((2, 3, 4), days, strict=True)
    )


def test_a_corrected_requisition_cannot_approve_after_what_was_dispatched(
    tmp_path: Path,
) -> None:
    """Moving the approval past the dispatch that drew on it would leave the registry holding
    what the dispatch rule forbids."""
    db = tmp_path / "registry.db"
    assert load(db, tmp_path / "req.csv", "requisitions", [requisition(UNIT, 5)])["exit_code"] == 0
    slip = [dispatch(UNIT, 4, day="2012-03-10")]
    assert load(db, tmp_path / "d.csv", "dispatches", slip)["exit_code"] == 0
    later = requisition(UNIT, 5, province="同意 2012-04-05")
    report = load(db, tmp_path / "req.csv", "requisitions", [later])
    assert report["exit_code"] == 1
    [problem] = report["registers"][0]["problems"]
    assert "于 2012-03-10 已向测试单位累计发放初级空白证书 4 本" in problem["rule"]
    assert "截至该日经省厅批准的申领只有 0 本" in problem["rule"]
    assert (problem["row"], problem["column"], problem["value"]) == (2, "初级", "5")


def test_of_a_units_two_rows_the_one_asking_for_the_level_is_named(tmp_path: Path) -> None:
    """Rows 初级 5 / 中级 0 and 中级 4; 4 中级 dispatched; 中级 corrected to 2: the refusal named
    row 2's 中级 “0”."""
    db = tmp_path / "registry.db"
    rows = [requisition(UNIT, 5, 0), requisition(UNIT, 0, 4)]
    assert load(db, tmp_path / "req.csv", "requisitions", rows)["exit_code"] == 0
    slip = [dispatch(UNIT, 0, 4, day="2012-03-10")]
    assert load(db, tmp_path / "d.csv", "dispatches", slip)["exit_code"] == 0
    corrected = [requisition(UNIT, 5, 0), requisition(UNIT, 0, 2)]
    report = load(db, tmp_path / "req.csv", "requisitions", corrected)
    [problem] = report["registers"][0]["problems"]
    assert (problem["row"], problem["column"], problem["value"]) == (3, "中级", "2")


@pytest.mark.parametrize(
    "after",
    [
        requisition(UNIT, 0, 10, province=None),  # not approved
        requisition(UNIT, 0, 5, province="同意 2012-04-01"),  # approved after the slip
    ],
)
def test_the_row_lowered_is_named_not_a_row_after_it(
    tmp_path: Path, after: dict[str, object]
) -> None:
    db = tmp_path / "registry.db"
    rows = [requisition(UNIT, 0, 4), after]
    assert load(db, tmp_path / "req.csv", "requisitions", rows)["exit_code"] == 0
    slip = [dispatch(UNIT, 0, 4, day="2012-03-10")]
    assert load(db, tmp_path / "d.csv", "dispatches", slip)["exit_code"] == 0
    report = load(db, tmp_path / "req.csv", "requisitions", [requisition(UNIT, 0, 2), after])
    [problem] = report["registers"][0]["problems"]
    assert (problem["row"], problem["column"], problem["value"]) == (2, "中级", "2")


def test_of_two_approved_rows_the_one_lowered_is_named(tmp_path: Path) -> None:
    db = tmp_path / "registry.db"
    second = requisition(UNIT, 0, 2, province="同意 2012-02-21")
    rows = [requisition(UNIT, 0, 2), second]
    assert load(db, tmp_path / "req.csv", "requisitions", rows)["exit_code"] == 0
    slip = [dispatch(UNIT, 0, 4, day="2012-03-10")]
    assert load(db, tmp_path / "d.csv", "dispatches", slip)["exit_code"] == 0
    lowered = [requisition(UNIT, 0, 1), second]
    report = load(db, tmp_path / "req.csv", "requisitions", lowered)
    [problem] = report["registers"][0]["problems"]
    assert (problem["row"], problem["value"]) == (2, "1")


def test_a_requisition_corrected_down_is_named_by_its_own_cell(tmp_path: Path) -> None:
    """中级 4 corrected to 2 after 4 were dispatched, another requisition approving 1: the
    refusal quoted “3”, every version's total, as the cell's value."""
    db = tmp_path / "registry.db"
    other = [requisition(UNIT, 0, 1)]
    assert load(db, tmp_path / "other.csv", "requisitions", other)["exit_code"] == 0
    assert (
        load(db, tmp_path / "req.csv", "requisitions", [requisition(UNIT, 0, 4)])["exit_code"] == 0
    )
    slip = [dispatch(UNIT, 0, 4, day="2012-03-10")]
    assert load(db, tmp_path / "d.csv", "dispatches", slip)["exit_code"] == 0
    report = load(db, tmp_path / "req.csv", "requisitions", [requisition(UNIT, 0, 2)])
    [problem] = report["registers"][0]["problems"]
    assert (problem["column"], problem["value"]) == ("中级", "2")
    assert "只有 3 本" in problem["rule"]


def test_the_recipient_a_unit_name_means() -> None:
    """A city's units by the city's name, the province's name before it or not; any other name
    is a provincial-direct unit — even one that is in that city."""
    mianyang = Recipient("绵阳市", "2202")
    assert recipient("绵阳市人力资源和社会保障局") == mianyang
    assert recipient("四川省绵阳市人力资源和社会保障局") == mianyang
    assert recipient("绵阳师范学院") == Recipient("绵阳师范学院")


def test_an_opinion_written_over_lines_is_read(db: Path, tmp_path: Path) -> None:
    """A 附件1 opinion cell is written as the form is signed: 同意, the stamp and the date on
    lines of their own. Line breaks elsewhere are still refused (they hide in a unit's name)."""
    signed = requisition(UNIT, 2, city=None, province="同意\n（印章）\n2012年2月20日")
    assert load(db, tmp_path / "lines.xlsx", "requisitions", [signed])["exit_code"] == 0
    broken = requisition(f"{UNIT}\n二部", 2)
    report = load(db, tmp_path / "unit.xlsx", "requisitions", [broken])
    assert report["exit_code"] == 1
    assert "单元格内有换行（Alt+Enter）" in report["registers"][0]["problems"][0]["rule"]


def test_quantities_as_a_spreadsheet_shows_them() -> None:
    assert [quantity(v) for v in ("1,200", "１２", "3本", 4.0, None)] == [1200, 12, 3, 4, 0]
    with pytest.raises(ValueError):
        quantity("1,20")
    # "none" as offices write it, and as a roster's footer reads it (a dash was refused here)
    assert [quantity(v) for v in ("—", "/", "无", "－", " -- ")] == [0, 0, 0, 0, 0]
    # a number too long for a float is said as written (a hostile review: 99999999999999999999
    # was told as 100000000000000000000), and one too long for int() in Chinese, not English
    for written in ("99999999999999999999", "9" * 5000):
        with pytest.raises(ValueError, match=f"数量 {'9' * 15}…（{len(written)} 位）超过 9999 本"):
            quantity(written)


def test_two_units_of_a_city_asking_alike_are_two_requisitions(db: Path, tmp_path: Path) -> None:
    """Both hospitals of 绵阳 ask for 2 初级, approved in one batch: not one requisition twice."""
    rows = [
        requisition(f"绵阳市{name}", 2, city="同意 2012-02-10")
        for name in ("第一人民医院", "中心医院")
    ]
    report = load(db, tmp_path / "mianyang-units.csv", "requisitions", rows, "2202")
    assert report["exit_code"] == 0, report["registers"][0]["problems"]


def test_an_earlier_slip_loaded_later_cannot_overdraw_a_later_day(tmp_path: Path) -> None:
    """June's slip is in; March's, loaded after it, would put June past what was approved by
    then — refused on March's row, whichever order they came in."""
    db = tmp_path / "registry.db"
    approvals = [
        requisition(UNIT, 10, province="同意 2012-02-20"),
        requisition(UNIT, 10, province="同意 2012-09-01"),
    ]
    assert load(db, tmp_path / "req.csv", "requisitions", approvals)["exit_code"] == 0
    june = [dispatch(UNIT, 10, day="2012-06-01")]
    assert load(db, tmp_path / "june.csv", "dispatches", june)["exit_code"] == 0
    march = load(db, tmp_path / "march.csv", "dispatches", [dispatch(UNIT, 5, day="2012-03-01")])
    assert march["exit_code"] == 1
    [problem] = march["registers"][0]["problems"]
    assert (
        problem["row"] == 2
        and "2012-06-01（发放单“june.csv”的发放）省厅只批准了 10 本" in (problem["rule"])
    )


@pytest.mark.parametrize(
    ("kind", "first", "other", "corrected"),
    [
        (
            "requisitions",
            [requisition("另一单位", 5, province=None)],  # awaiting the province
            [requisition("第三单位", 1)],
            [requisition("另一单位", 3)],  # approved, for fewer
        ),
        (
            "requisitions",
            [requisition("测试单卫", 2, province=None)],
            [requisition("第三单位", 1, province=None)],
            [requisition(UNIT, 2, province=None)],  # the unit's name mistyped
        ),
        (  # the same day of distribution, as slips of one round share
            "dispatches",
            [dispatch(UNIT, 1, 0, day="2012-03-05")],
            [dispatch("绵阳市人力资源和社会保障局", 0, 0, 1, day="2012-03-05")],
            [dispatch("绵阳市人力资源和社会保障局", 1, 0, day="2012-03-05")],  # the recipient
        ),
        (
            "collections",
            [collection("C1122000001")],
            [collection("Z1122000001", who="别人")],  # collected the same day
            [collection("Z1122000001")],  # the number corrected
        ),
    ],
)
def test_another_register_of_the_same_name_does_not_replace_the_first(
    db: Path,
    tmp_path: Path,
    kind: str,
    first: list[dict[str, object]],
    other: list[dict[str, object]],
    corrected: list[dict[str, object]],
) -> None:
    """2012-dispatches.xlsx from another folder, keeping none of the loaded one's rows, was taken
    for its new version: the first one's dispatches were deleted (and the stock rewritten). It
    is refused like another roster of the same name; a version correcting a row still loads —
    also a register of one row, whose correction changes its quantities, its recipient or the
    number it names."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert load(db, tmp_path / "a" / "2012.csv", kind, first)["exit_code"] == 0
    before = snapshot(db)
    refused = load(db, tmp_path / "b" / "2012.csv", kind, other)
    [problem] = refused["registers"][0]["problems"]
    assert refused["exit_code"] == 1 and snapshot(db) == before
    assert "这一版本中没有一" in problem["rule"] and "请换一个文件名" in problem["rule"]
    assert load(db, tmp_path / "b" / "2012.csv", kind, corrected)["exit_code"] == 0


def test_a_slip_added_above_rewrites_no_other_in_the_history(db: Path, tmp_path: Path) -> None:
    """Dispatch slips are known by their row: a slip inserted above read in blank_history as
    every later slip rewritten (测试单位 → 绵阳市, 1 → 3 本). What a version drops is recorded
    with all its values, under the row it had."""
    path = tmp_path / "slips.csv"
    mianyang = "绵阳市人力资源和社会保障局"
    slips = [dispatch(UNIT, 0, 1, day="2012-03-05"), dispatch(mianyang, 1, day="2012-03-06")]
    assert load(db, path, "dispatches", slips)["exit_code"] == 0
    above = [dispatch(mianyang, 0, 0, 1, day="2012-03-04"), *slips]
    [inserted] = load(db, path, "dispatches", above)["registers"]
    assert (inserted["added"], inserted["changed"], inserted["conflicts"]) == (1, 0, [])
    assert rows(db, "blank_history") == []
    [dropped] = load(db, path, "dispatches", [above[0], above[2]])["registers"]
    [conflict] = dropped["conflicts"]
    assert (dropped["added"], dropped["changed"]) == (0, 0) and "原第3行" in conflict["rule"]
    history = {(r["record"], r["field"], r["old"], r["new"]) for r in rows(db, "blank_history")}
    assert ("原第3行", "recipient", UNIT, None) in history
    assert ("原第3行", "intermediate", "1", None) in history
    assert {record for record, *_ in history} == {"原第3行"}


def test_a_citys_units_files_of_one_name_are_not_versions_of_each_other(
    db: Path, tmp_path: Path
) -> None:
    """A city's units all receive through the city: a hospital's requisition and a school's,
    sharing that recipient and a blank contact (a blank agreeing with a blank), passed as one
    register's versions — the school's replaced the hospital's. Likewise a slip to another unit
    of the same count."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    city = {"city": "同意 2012-02-10"}
    hospital = {**requisition("绵阳市示例医院", 1, **city), "联系人": "", "联系电话": ""}
    school = {**requisition("绵阳市示例中学", 0, 2, **city), "联系人": "", "联系电话": ""}
    first = load(db, tmp_path / "a" / "申领.csv", "requisitions", [hospital], authority="2202")
    assert first["exit_code"] == 0, first
    other = load(db, tmp_path / "b" / "申领.csv", "requisitions", [school], authority="2202")
    assert other["exit_code"] == 1 and "另一份同名的文件" in str(other)
    slip = dispatch("绵阳市人力资源和社会保障局", 1, day="2012-03-05")
    assert load(db, tmp_path / "a" / "发放.csv", "dispatches", [slip])["exit_code"] == 0
    another = dispatch("绵阳市示例医院", 1, day="2012-05-09")
    refused = load(db, tmp_path / "b" / "发放.csv", "dispatches", [another])
    assert refused["exit_code"] == 1 and "另一份同名的文件" in str(refused)


def test_a_requisition_approved_in_a_new_version_is_changed_not_deleted(
    db: Path, tmp_path: Path
) -> None:
    """Approving a requisition, its register's everyday work, was told as a record deleted (a
    conflict) and one added, and the history kept no old → new of it."""
    path = tmp_path / "req.csv"
    assert (
        load(db, path, "requisitions", [requisition("另一单位", 5, province=None)])["exit_code"]
        == 0
    )
    [entry] = load(db, path, "requisitions", [requisition("另一单位", 3)])["registers"]
    assert (entry["added"], entry["changed"], entry["conflicts"]) == (0, 1, [])
    history = {(r["record"], r["field"], r["old"], r["new"]) for r in rows(db, "blank_history")}
    assert ("原第2行", "junior", "5", "3") in history


def test_a_remark_on_a_dispatch_is_still_named_as_a_column_not_read(
    db: Path, tmp_path: Path
) -> None:
    """A dispatch register reads no 备注: a 此条作废 there must not load unsaid as it did once
    备注 was left out of the note for every kind."""
    path = write(tmp_path / "slip.xlsx", "dispatches", [dispatch(UNIT, 1)])
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    header = next(r[0].row for r in sheet.iter_rows() if any(c.value == "领取单位" for c in r))
    sheet.cell(header, sheet.max_column + 1).value = "备注"
    sheet.cell(header + 1, sheet.max_column).value = "此条作废"
    workbook.save(path)
    report = json.loads(sync(db, path, "--kind", "dispatches", "--authority", "2200").stdout)
    assert any("“备注”" in note for note in report["registers"][0]["notes"])


@pytest.mark.parametrize(
    ("column", "remark", "loads"),
    [
        ("备注", "未领取，暂缓发放", False),
        ("情况说明", "此条作废", False),
        ("备注", "尚未签收", False),
        ("备注", "曾暂缓发放，已领取", True),
        ("备注", "代领，已电话核实", True),
        ("备注", "逾期未领，今日补领", True),
        ("备注", "证书未发放前遗失，补发后领取", True),
        ("备注", "逾期未领取，已于2012年4月1日领取", True),
        ("备注", "当时未签收，已补签", True),
        ("备注", "未领取，待单位统一领取", False),  # still to come
        ("备注", "未领取，通知后领取", False),
        ("备注", "没有签收", False),
    ],
)
def test_a_collection_its_remarks_say_did_not_happen_is_refused(
    db: Path, tmp_path: Path, column: str, remark: str, loads: bool
) -> None:
    """A row kept with 备注 未领取 was loaded as collected (§四.(六)1: 领取登记、签名): the
    certificate counted as handed over, its blank as used. Refused with the way out; a remark
    that it was collected after all, or about who collected it, is no refusal."""
    path = write(tmp_path / "collected.xlsx", "collections", [collection("C1122000001")])
    add_column(path, column, [remark])
    before = snapshot(db)
    result = sync(db, path, "--kind", "collections", "--authority", "2200")
    report = json.loads(result.stdout)
    if loads:
        assert result.exit_code == 0, report
        assert [r["number"] for r in rows(db, "collections")] == ["C1122000001"]
        # read for what it says, so not reported as a column filled in by mistake
        assert not any(column in note for note in report["registers"][0]["notes"])
        return
    assert result.exit_code == 1
    [problem] = report["registers"][0]["problems"]
    assert (problem["row"], problem["column"], problem["value"]) == (3, column, remark)
    assert f"如证书确已领取，请在{column}中写明“已领取”" in problem["rule"]
    assert snapshot(db) == before


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_total_line_under_collections_is_one_problem(
    db: Path, tmp_path: Path, suffix: str
) -> None:
    """A 合计 line under the collections is named once as such, not as a row missing its
    number, collector, signature and date."""
    records: list[dict[str, object]] = [
        {**collection("C1122000001"), "序号": 1},
        {"序号": "合计", "证书编号": "1 本"},
    ]
    report = load(db, tmp_path / f"collected{suffix}", "collections", records)
    assert report["exit_code"] == 1
    [problem] = report["registers"][0]["problems"]
    assert problem["column"] == "序号" and "这是合计行" in problem["rule"]


def test_a_collection_register_looks_up_its_own_numbers_not_every_collection(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each collections register read every collection of the others (a second and more once
    most of a million certificates are collected): it looks up its own numbers by key."""
    assert (
        load(db, tmp_path / "first.csv", "collections", [collection("C1122000001")])["exit_code"]
        == 0
    )
    statements = traced_statements(monkeypatch)
    second = load(db, tmp_path / "second.csv", "collections", [collection("Z1122000001")])
    assert second["exit_code"] == 0, second
    assert any("FROM collections" in sql for sql in statements)
    assert whole_reads(db, statements, "collections") == set()


def test_approvals_counted_day_by_day_are_those_of_each_day_in_any_order(
    tmp_path: Path,
) -> None:
    """The ledger asks for what was approved by each dispatch's day, day after day, and the
    count goes on from the last; a day asked out of order is counted afresh."""
    db = tmp_path / "registry.db"
    report = load(
        db,
        tmp_path / "plans.csv",
        "requisitions",
        [
            requisition(UNIT, 2, province="同意 2012-02-20"),
            requisition("乙单位", 0, 3, province="同意 2012-03-05"),
            requisition(UNIT, 5, province="同意 2012-04-01"),
        ],
    )
    assert report["exit_code"] == 0, report
    conn = sqlite3.connect(db)
    try:
        approvals = Approvals(conn)
        asked = ["2012-02-19", "2012-02-20", "2012-03-31", "2012-04-01", "2012-03-05", "2013-01-01"]
        seen = [dict(approvals.until(day)) for day in asked]
        ever = dict(approvals.ever())
    finally:
        conn.close()
    first = {(UNIT, "初级"): 2}
    both = {(UNIT, "初级"): 2, ("乙单位", "初级"): 0, ("乙单位", "中级"): 3}
    every = {**both, (UNIT, "初级"): 7}
    nonzero = [{k: v for k, v in totals.items() if v} for totals in seen]
    assert nonzero == [
        {},
        first,
        *[{k: v for k, v in t.items() if v} for t in (both, every, both, every)],
    ]
    assert {k: v for k, v in ever.items() if v} == {k: v for k, v in every.items() if v}


@pytest.mark.parametrize(
    "printed",
    [
        " (印章)\n年  月  日",
        "（盖章）年 月 日",
        "签字：\n日期：",
        "年月日",
        "/",
        "无",
        "—",
        "（无）",
        "无。",
        "暂无",
    ],
)
def test_an_opinion_box_left_as_printed_is_no_opinion(printed: str) -> None:
    """The form's (印章) 年 月 日 left in a box by an office that gives no opinion (a provincial
    unit has no city's) was told to write 同意 and a date — advice to invent an approval. A tick
    or a cross is an opinion still, and an agreement still needs its date."""
    assert opinion(printed, dt.date(2026, 1, 1)).agreed is None
    for written in ("同意（印章）年 月 日", "√", "×"):
        with pytest.raises(ValueError, match="意见须注明日期"):
            opinion(written, dt.date(2026, 1, 1))


@pytest.mark.parametrize(
    ("written", "agreed"),
    [
        ("待审", None),
        ("审核中", None),
        ("正在审核", None),
        ("审核未通过", False),
        ("不予通过", False),
    ],
)
def test_an_opinion_still_under_review_is_pending_not_refused(
    written: str, agreed: bool | None
) -> None:
    """待审 in 省厅意见 was stored as 省厅未批准: a requisition still being reviewed is pending,
    as a blank box is (a hostile sweep's finding); one that did not pass is refused."""
    assert opinion(written, dt.date(2026, 1, 1)).agreed is agreed


def test_requisition_headers_as_offices_print_them_are_read(db: Path, tmp_path: Path) -> None:
    """市（州）人社部门意见 and 省厅职业能力建设处意见, the short words many offices print, are
    the annex's two opinion columns."""
    path = write(tmp_path / "plans.xlsx", "requisitions", [requisition(UNIT, 2)])
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == "市（州）意见":
                cell.value = "市（州）人社部门意见"
            elif cell.value == "省厅意见":
                cell.value = "省厅职业能力建设处意见"
    workbook.save(path)
    result = sync(db, path, "--kind", "requisitions", "--authority", "2200")
    assert result.exit_code == 0, result.output
    assert [
        r["approved_on"] for r in rows(db, "requisitions") if r["register"] == "plans.xlsx"
    ] == ["2012-02-20"]


def test_a_loaded_collection_its_remark_now_withdraws_is_refused_and_undone_without_it(
    db: Path, tmp_path: Path
) -> None:
    """A collection is undone by a version without it (unlike a status change, which stands):
    so a loaded row whose remark now says it did not happen is refused like a new one, and the
    version that deletes it, as the refusal says, takes the collection back."""
    path = write(tmp_path / "collected.xlsx", "collections", [collection("C1122000001")])
    assert sync(db, path, "--kind", "collections", "--authority", "2200").exit_code == 0
    rows_now = [collection("C1122000001"), collection("Z1122000001")]
    path = write(tmp_path / "collected.xlsx", "collections", rows_now)
    add_column(path, "备注", ["此条作废，证书未领取", None])
    refused = sync(db, path, "--kind", "collections", "--authority", "2200")
    assert refused.exit_code == 1 and "此条作废" in refused.stdout
    assert [r["number"] for r in rows(db, "collections")] == ["C1122000001"]
    write(tmp_path / "collected.xlsx", "collections", rows_now[1:])
    assert sync(db, path, "--kind", "collections", "--authority", "2200").exit_code == 0
    assert [r["number"] for r in rows(db, "collections")] == ["Z1122000001"]


@pytest.mark.parametrize(
    ("remark", "withholds"),
    [
        ("委托代领（本人未签收）", False),
        ("本人未签收，由张三代领", False),
        ("本人未领，单位代领", False),
        ("本人外出未领取，由其妻代领", False),
        ("单位统一领取，个人未领", False),
        ("逾期未领，现本人领取", False),
        ("首次未领，3月15日本人领取", False),
        ("未领取，于2024.3.15补领", False),
        ("当时未签收，事后已补签", False),
        ("逾期未领取，后已补领", False),
        ("逾期未领，已于2024年03月15日由本人补领", False),
        ("逾期未领取，已于2012年4月1日领取", False),
        ("当时未签收，已补签", False),
        ("逾期未领，今日补领", False),
        ("证书未发放前遗失，补发后领取", False),
        ("曾暂缓发放，已领取", False),
        ("代领，已电话核实", False),
        ("尚未领取，已于3月5日通知本人领取", True),
        ("尚未领取，已于今日通知其领取", True),
        ("尚未领取，已电话通知本人领取", True),
        ("未领取，待单位统一领取", True),
        ("未领取，通知后领取", True),
        ("没有签收", True),
        ("本人未领，不得代领", True),
        ("未领取，需补领", True),
        ("未领取，暂缓发放", True),
        ("此条作废", True),
        ("未领取，请本人领取", True),
        ("未领取，须本人领取", True),
        ("未领取，应由本人领取", True),
        ("未领取，通知后本人领取", True),
        ("本人未领取，单位不能代领", True),
        ("本人未领取，不可代领", True),
        ("本人未领取，不予代领", True),
        ("本人未领取，拒绝代领", True),
        ("本人未领取，不能代为领取", True),
        ("逾期未领，证书于2013年退回领证单位", True),
        ("首次未领，3月15日本人领取", False),
        ("逾期未领，现本人领取", False),
    ],
)
def test_collection_remarks_are_read_as_clerks_write_them(remark: str, withholds: bool) -> None:
    """Collected by proxy or by the unit (wherever the remark says so), or later (after it says
    it was not): collected; told to come (已于3月5日通知本人领取), still to come: not."""
    assert (NOT_COLLECTED.phrase(remark) is not None) is withholds


def test_a_city_bureau_named_without_its_市_is_the_city(db: Path, tmp_path: Path) -> None:
    """绵阳人社局 was taken for a provincial unit of its own: its requisition skipped the city's
    opinion, and the stock showed it beside 绵阳市 with opposite balances. 绵阳师范学院, a
    provincial unit in the city, stays its own."""
    report = load(db, tmp_path / "req.csv", "requisitions", [requisition("绵阳人社局", 2)])
    [problem] = report["registers"][0]["problems"]
    assert report["exit_code"] == 1 and problem["column"] == "市（州）意见"
    assert "绵阳市所属单位的申领计划须先经市（州）" in problem["rule"]
    school = load(db, tmp_path / "school.csv", "requisitions", [requisition("绵阳师范学院", 2)])
    assert school["exit_code"] == 0


def test_a_county_unit_is_its_citys(db: Path, tmp_path: Path) -> None:
    """富顺县… and 荣县… are 自贡市 units: under the province, one without 自贡市's opinion was
    taken for a provincial unit of its own and skipped it; under 自贡市, both were refused as
    not the city's — a clerk could not make the message true."""
    county = requisition("富顺县人力资源和社会保障局", 1, 1)
    province = load(db, tmp_path / "province.csv", "requisitions", [county])
    [problem] = province["registers"][0]["problems"]
    assert province["exit_code"] == 1 and problem["column"] == "市（州）意见"
    assert "自贡市所属单位的申领计划须先经市（州）" in problem["rule"]
    agreed = {"市（州）意见": "同意 2012-02-10"}
    units = [
        "富顺县人力资源和社会保障局",
        "荣县示例医院",
        "郫县示例中学",
    ]  # 郫县: 郫都区 until 2016
    city = load(
        db,
        tmp_path / "zigong.csv",
        "requisitions",
        [requisition(unit, 1) | agreed for unit in units[:2]],
        "2203",
    )
    assert city["exit_code"] == 0, city
    loaded = {row["unit"]: row["recipient"] for row in rows(db, "requisitions")}
    assert [loaded[unit] for unit in units[:2]] == ["自贡市", "自贡市"]
    chengdu = load(
        db, tmp_path / "zigong.csv", "requisitions", [requisition(units[2], 1) | agreed], "2203"
    )
    [problem] = chengdu["registers"][0]["problems"]
    assert "只能包含本市（州）单位" in problem["rule"] and problem["value"] == units[2]


def test_a_county_that_moved_is_either_citys(db: Path, tmp_path: Path) -> None:
    """简阳市 was 资阳市's until 2016, 成都市's since: a requisition of either city may list it."""
    agreed = {"市（州）意见": "同意 2012-02-10"}
    for count, (authority, city) in enumerate((("2221", "资阳市"), ("2201", "成都市")), 1):
        # other quantities each time: the same requisition twice is refused as one
        written = [requisition("简阳市示例医院", count) | agreed]
        report = load(db, tmp_path / f"{authority}.csv", "requisitions", written, authority)
        assert report["exit_code"] == 0, report
        [loaded] = [
            r
            for r in rows(db, "requisitions")
            if r["unit"] == "简阳市示例医院" and r["total"] == count
        ]
        assert loaded["recipient"] == city


@pytest.mark.parametrize(
    ("unit", "cities"),
    [
        ("市中区示例医院", "内江市或乐山市"),
        ("简阳市示例医院", "成都市或资阳市"),
        ("四川简阳市示例医院", "成都市或资阳市"),  # 四川 without its 省 (a code review)
    ],
)
def test_a_unit_of_a_county_of_two_cities_is_asked_its_city(
    db: Path, tmp_path: Path, unit: str, cities: str
) -> None:
    """A code review: under the province (or on a slip), a unit named after a county two cities
    share was taken for a provincial unit of its own and skipped its city's opinion."""
    report = load(db, tmp_path / "req.csv", "requisitions", [requisition(unit, 1)])
    slip = load(db, tmp_path / "d.csv", "dispatches", [dispatch(unit, 1)])
    for loaded, column in ((report, "单位"), (slip, "领取单位")):
        [problem] = [p for p in loaded["registers"][0]["problems"] if p["column"] == column]
        assert loaded["exit_code"] == 1 and problem["value"] == unit
        assert problem["rule"].startswith(f"单位名称以{cities}的县（市、区）名开头")


def test_a_dispatch_against_a_requisition_still_pending_says_so(db: Path, tmp_path: Path) -> None:
    """A slip past what was approved, with the unit's new requisition still waiting for the
    province, was told only of the blanks approved — not that a requisition waits."""
    pending = requisition(UNIT, 0, 3, province=None)
    assert load(db, tmp_path / "req.csv", "requisitions", [pending])["exit_code"] == 0
    report = load(db, tmp_path / "d.csv", "dispatches", [dispatch(UNIT, 0, 3)])
    [problem] = report["registers"][0]["problems"]
    assert "超过经省厅批准的申领数" in problem["rule"]
    assert f"{UNIT}在申领计划表“req.csv”第2行的申领计划尚待省厅批准" in problem["rule"]


def test_a_dispatch_against_a_refused_requisition_says_so(db: Path, tmp_path: Path) -> None:
    """A clerk's review: a slip for a unit whose requisition the province refused was told
    "如另有批准的申领计划，请先导入它", as if none had come."""
    refused = requisition("四川省卫生厅", 0, 2, province="不同意")
    assert load(db, tmp_path / "req.csv", "requisitions", [refused])["exit_code"] == 0
    report = load(db, tmp_path / "d.csv", "dispatches", [dispatch("四川省卫生厅", 0, 2)])
    [problem] = report["registers"][0]["problems"]
    assert (
        "四川省卫生厅在申领计划表“req.csv”第2行的申领计划省厅未批准，不能据以发放"
        in problem["rule"]
    )


def test_a_requisition_pending_for_another_level_is_not_named(db: Path, tmp_path: Path) -> None:
    """A pending requisition of 初级 only was named under a 中级 slip past its approval."""
    pending_junior = requisition(UNIT, 5, 0, province=None)
    assert load(db, tmp_path / "req.csv", "requisitions", [pending_junior])["exit_code"] == 0
    report = load(db, tmp_path / "d.csv", "dispatches", [dispatch(UNIT, 0, 3)])
    rules = [p["rule"] for p in report["registers"][0]["problems"]]
    assert rules and not any("尚待省厅批准" in rule for rule in rules), rules


def test_a_totals_line_ending_a_summary_table_that_adds_up_is_set_aside(
    db: Path, tmp_path: Path
) -> None:
    """Offices' summary tables end with a 合计 line, which the notice does not forbid: it was
    refused as a row (删除此行), and its sums went unchecked."""
    rows = [requisition(UNIT, 1, 2), requisition("测试单位二", 0, 3), requisition("合计", 1, 5)]
    report = load(db, tmp_path / "req.csv", "requisitions", [row | {"序号": ""} for row in rows])
    assert report["exit_code"] == 0, report["registers"][0]["problems"]
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT unit FROM requisitions WHERE register = 'req.csv'").fetchall()
    assert sorted(stored) == [("测试单位",), ("测试单位二",)]  # no 合计 requisition
    # nor a row the report counts (已导入：3 行，新增 2, a clerk's review)
    assert (report["registers"][0]["rows"], report["registers"][0]["added"]) == (2, 2)
    slips = [dispatch(UNIT, 1, 1), dispatch("合计", 1, 1) | {"日期": None, "经办人": None}]
    dispatched = load(db, tmp_path / "d.csv", "dispatches", slips)
    assert dispatched["exit_code"] == 0 and dispatched["registers"][0]["rows"] == 1


def test_the_collection_of_a_paper_reissued_under_its_number_is_told_the_limit(
    tmp_path: Path,
) -> None:
    """李芳's Z1122000001 was collected, lost, and reissued under the same number (§四.(六)3):
    the second paper's collection was refused as 每本证书只能领取一次 — as if a row had been
    written twice. The registry records one collection a number, and says so — of a row dated
    on or after the 补发; one dated before is the first paper written twice."""
    db = tmp_path / "registry.db"
    assert sync(db, SAMPLES).exit_code == 0  # the samples collect Z1122000001 on 2012-03-20
    said = {}
    for day in ("2012-09-20", "2012-03-20"):
        rows = [collection("Z1122000001", "李芳", day=day)]
        report = load(db, tmp_path / f"{day}.csv", "collections", rows)
        (problem,) = report["registers"][0]["problems"]
        assert (
            report["exit_code"] == 1 and "已在“2012-collections.csv”中登记领取" in problem["rule"]
        )
        said[day] = problem["rule"]
    assert "此证书于 2012-09-10 以同一编号补发" in said["2012-09-20"]
    assert "纸质的领取登记簿" in said["2012-09-20"]
    assert "补发" not in said["2012-03-20"]


def test_a_dispatch_to_another_city_is_not_offered_a_city_near_in_name(
    db: Path, tmp_path: Path
) -> None:
    """A slip to 德阳市, which has no requisition, was asked 是否为“绵阳市”？ — an invitation
    to book 德阳's blanks to 绵阳 (a clerk's review)."""
    report = load(
        db, tmp_path / "slip.csv", "dispatches", [dispatch("德阳市人力资源和社会保障局", 1)]
    )
    [problem] = report["registers"][0]["problems"]
    assert problem["rule"].startswith("没有“德阳市”的申领计划")
    assert "是否为" not in problem["rule"] and "先导入该单位的申领计划" in problem["rule"]
