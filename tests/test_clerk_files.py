"""Registers as clerks really make them, found by a review with a clerk's messy spreadsheets:
numbers Excel has mangled, a footer clause wrapped onto a second row, a tab-separated file named
.csv, a row pasted twice, a problem list left over from a fixed register, a status change
refused for a roster the same run refused — and, found by an auditor, a corrected roster that
never reached the certificate a 换发 had replaced."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from registry.cli import cli
from registry.kinds import LAYOUTS
from registry.sheets.writers import approval_footer, write_csv
from registry.store.schema import FACET_TALLIED
from tests.blank_registers import UNIT, collection, requisition
from tests.registers import (
    MIANYANG,
    TECHNICIANS,
    RegisterFactory,
    approval_row,
    footer,
    loads_with_footer,
    refused,
    status_event,
    sync,
    technician_row,
)

CHANGES = {"kind": "status-changes", "authority": "2202"}
PRIOR = "原岗位证书号（未获工种年限）"


@pytest.mark.parametrize(
    ("suffix", "written", "said"),
    [
        # what Excel holds of 510703197504011234 …
        (".xlsx", 5.10703197504011e17, "超过 15 位的数字"),
        # … and what it shows of it, and saves as CSV
        (".csv", "1.23457E+17", "科学记数法"),
    ],
)
def test_a_long_number_excel_has_cut_is_refused(
    registers: RegisterFactory, db_path: Path, suffix: str, written: object, said: str
) -> None:
    """An earlier certificate's number of 18 digits typed into a number cell: Excel keeps 15
    digits, a CSV saved from it the digits it shows. It loaded as 510703197504011008 (or
    '1.23457E+17') without a word — another person's number in the registry."""
    rows = [{**approval_row("Z1122020901", "周杰"), PRIOR: written}]
    registers.add(f"long{suffix}", rows, MIANYANG)
    [(row, column, rule, clause)] = refused(registers, db_path, f"long{suffix}")
    assert (row, column, clause) == (4, PRIOR, "§四.(三)")
    assert said in rule and "文本" in rule


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("8.16222E+11", "科学记数法"),  # a mobile's 11 digits, as Excel shows and saves them
        ("1.38123E+10", "科学记数法"),
        # 028-86110001 typed into a number cell is 2886110001: loaded, nobody could call it
        (2886110001, "少了区号的 0"),
        ("8162345678", "少了区号的 0"),
        ("81623456789", "少了区号的 0"),
    ],
)
def test_a_phone_a_spreadsheet_dropped_digits_of_is_refused(
    registers: RegisterFactory, db_path: Path, written: object, said: str
) -> None:
    phone = {**requisition(UNIT, 0, 2), "联系电话": written}
    registers.add("requisitions.csv", [phone], {"kind": "requisitions", "authority": "2200"})
    [(_, column, rule, _)] = refused(registers, db_path, "requisitions.csv")
    assert column == "联系电话" and said in rule


@pytest.mark.parametrize(
    "written",
    ["028-86110001", "13812345678", "86110001", "0816-2345678", "4008123456", "8008101234"],
)
def test_phones_as_written_load(registers: RegisterFactory, db_path: Path, written: str) -> None:
    phone = {**requisition(UNIT, 0, 2), "联系电话": written}
    registers.add("requisitions.csv", [phone], {"kind": "requisitions", "authority": "2200"})
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db_path)])
    assert result.exit_code == 0, result.output


def test_long_numbers_written_as_text_load_as_written(
    registers: RegisterFactory, db_path: Path
) -> None:
    """What the advice asks for: the number as text, every digit kept (and an exponent-like
    remark is no number)."""
    rows = [approval_row("Z1122020901", "周杰", **{PRIOR: "510703197504011234"})]
    registers.add("long.csv", rows, MIANYANG)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report
    with sqlite3.connect(db_path) as conn:
        [(prior,)] = conn.execute("SELECT prior_certificate FROM certificates").fetchall()
    assert prior == "510703197504011234"


def test_a_status_changes_reference_keeps_every_digit(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A 补发's 个人申请 reference (and a collection's 签名, below), typed as a number, was
    stored as Excel cut it."""
    registers.add("roster.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    reissue = status_event("补发", "Z1122020901", "周杰", "2013-03-01")
    reissue["个人申请"] = 5.10703197504011e17
    registers.add("changes.xlsx", [reissue], CHANGES)
    problems = refused(registers, db_path, "changes.xlsx")
    assert [(p[1], "超过 15 位的数字" in p[2]) for p in problems] == [("个人申请", True)]


def test_a_collections_signature_reference_keeps_every_digit(
    registers: RegisterFactory, db_path: Path
) -> None:
    registers.add("roster.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    signed = collection("Z1122020901", signed="1.23457E+17", day="2012-04-01")
    registers.add("collected.csv", [signed], {"kind": "collections", "authority": "2202"})
    problems = refused(registers, db_path, "collected.csv")
    assert [(p[1], "科学记数法" in p[2]) for p in problems] == [("签名", True)]


def test_a_small_exponent_in_a_remark_is_no_cut_number(
    registers: RegisterFactory, db_path: Path
) -> None:
    registers.add("roster.csv", [approval_row("Z1122020901", "周杰", 备注="1E+5")], MIANYANG)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report


def test_a_line_break_typed_in_a_remark_or_a_unit_loads(
    registers: RegisterFactory, db_path: Path
) -> None:
    """Alt+Enter in 备注 or 工作单位 (成都市第一人民医院 / 后勤科) was "an invisible character
    U+000A" (a clerk's review); in a name it is told as the line break it is."""
    row = approval_row(
        "Z1122020901", "周杰", 备注="同名同生日，\n另一人", 工作单位="绵阳市示例医院\n后勤科"
    )
    registers.add("remarks.xlsx", [row], MIANYANG)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT remark, unit FROM certificates").fetchone() == (
            "同名同生日，\n另一人",
            "绵阳市示例医院\n后勤科",
        )
    technician = technician_row("J1122010001", 工作单位="成都市第一人民医院\n后勤科")
    registers.add("technicians.xlsx", [technician], TECHNICIANS)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report  # 附件5's unit too
    registers.add("name.xlsx", [approval_row("Z1122020902", "郑\n浩")], MIANYANG)
    [(row_number, column, rule, clause)] = refused(registers, db_path, "name.xlsx")
    assert column == "姓名" and "单元格内有换行（Alt+Enter）" in rule


@pytest.mark.parametrize(
    "heading", ["绵阳市第二中学", "第 1 页 共 2 页", "补报人员", "第一页共二页", "续上表"]
)
def test_a_heading_row_between_the_holders_is_one_problem(
    registers: RegisterFactory, db_path: Path, heading: str
) -> None:
    """A group's heading or a page's number on a row of its own was a dozen "必填项为空" with
    the heading never shown (a clerk's review): one problem, quoting it, the row to remove."""
    rows: list[dict[str, object]] = [
        approval_row("Z1122020901", "周杰"),
        {"姓名": heading},
        approval_row("Z1122020902", "郑浩"),
    ]
    registers.add("headed.xlsx", rows, MIANYANG)
    [(row, column, rule, clause)] = refused(registers, db_path, "headed.xlsx")
    assert (row, column) == (5, "姓名") and "不是人员记录" in rule and "请删除此行" in rule
    assert heading.replace(" ", "") in rule


@pytest.mark.parametrize("name", ["吴敏", "王小页", "叶附", "阿卜杜热合曼·阿卜杜克热木"])
def test_a_holder_whose_other_cells_are_empty_is_told_each_of_them(
    registers: RegisterFactory, db_path: Path, name: str
) -> None:
    """A name alone is a holder whose row is not filled in, not a heading — one with 页 or
    附 in it, or a long minority name, too (a review: told to delete a holder)."""
    registers.add("bare.xlsx", [{"姓名": name}], MIANYANG)
    problems = refused(registers, db_path, "bare.xlsx")
    assert len(problems) > 1 and not any("不是人员记录" in rule for _, _, rule, _ in problems)


def _wrapped(counts: dict[str, int], before: str) -> list[str]:
    """附件4's footer with its 同意… clause wrapped onto a row of its own ``before`` a level."""
    *opinions, agreed, stamp = approval_footer(counts)
    head, tail = agreed.split(before)
    return [*opinions, head, before + tail, stamp]


def test_a_footer_clause_wrapped_onto_the_next_row_is_read_whole(
    registers: RegisterFactory, db_path: Path
) -> None:
    """同意初级 0 人，中级 1 人，高级 0 人，/ 技师 3 人: the second row was never read, so 3
    technicians approved for a roster of none loaded."""
    counts = {"C": 0, "Z": 1, "G": 0, "J": 3}
    rows = [approval_row("Z1122020901", "周杰")]
    registers.add("footer.xlsx", rows, MIANYANG, footer=_wrapped(counts, "技师"))
    [(_, _, rule, _)] = refused(registers, db_path, "footer.xlsx")
    assert "技师 3 人" in rule and "实有 0 人" in rule


@pytest.mark.parametrize(
    ("before", "written"),
    [
        ("高级", "0"),
        ("1 人，高级", "0"),
        ("，高级", "0"),
        ("高级", "无"),  # none written as 无, a dash or a blank to write on
        ("高级", "—"),
        ("高级", "___"),
    ],
)
def test_a_correct_footer_wrapped_onto_the_next_row_loads(
    registers: RegisterFactory, db_path: Path, before: str, written: str
) -> None:
    """… 中级 1 人，/ 高级 1 人，技师 0 人: refused for approving no 高级, which it did —
    however the clause was cut (before a level, inside a count, before its comma), and
    however its last count says none."""
    counts = {"C": 0, "Z": 1, "G": 1, "J": 0}
    rows = [approval_row("Z1122020901", "周杰"), approval_row("G1122020901", "郑浩", "高级")]
    *opinions, agreed, stamp = approval_footer(counts)
    agreed = agreed.replace("技师 0 人", f"技师 {written} 人")
    at = agreed.index("高级") - (len(before) - len("高级"))
    registers.add(
        "footer.xlsx", rows, MIANYANG, footer=[*opinions, agreed[:at], agreed[at:], stamp]
    )
    code, report = sync(registers.folder, db_path)
    assert code == 0, report


@pytest.mark.parametrize(
    ("agreed", "after"),
    [
        ("证书核发部门意见：同意中级 1 人。", "审查人：高级工程师王明（签名）"),
        ("证书核发部门意见：同意中级 1 人。", "注：另有高级 1 人考核未通过，未予核发"),
        ("证书核发部门意见：同意中级 1 人。", "审查人：技师 王明 批准人：李四（签名）"),
        ("证书核发部门意见：同意中级 1 人", "高级工程师王明（签名）"),  # no 。 to end it
        ("证书核发部门意见：同意中级 1 人", "技师 王明（签名）"),
    ],
)
def test_a_footer_row_that_is_no_count_is_not_read_as_counts(
    registers: RegisterFactory, db_path: Path, agreed: str, after: str
) -> None:
    """A signature or a note below 同意中级 1 人 was joined to it as more counts."""
    loads_with_footer(registers, db_path, [agreed, after])


@pytest.mark.parametrize(
    "note",
    [
        "注：出生年月按身份证填写。",
        "说明：本表由单位填写",
        "注1. 工种按目录填写",
        "以下空白",
        "（以下无正文）",  # refused, and told of headings and page numbers (a clerk's review)
        "此页以下空白",
    ],
)
def test_a_note_under_the_rows_ends_them(
    registers: RegisterFactory, db_path: Path, note: str
) -> None:
    """A note right under the last holder was read as a holder named 注：…, refused with a
    dozen problems about its empty columns and none saying it was a note."""
    loads_with_footer(registers, db_path, [note, *footer({"C": 0, "Z": 1, "G": 0, "J": 0})])


def test_an_opinion_without_counts_does_not_take_the_next_rows(
    registers: RegisterFactory, db_path: Path
) -> None:
    """填报单位意见：同意上报。 took the next opinion's 中级 1 人 as its counts, and the real
    approval line (技师 3 人 for a roster of none) was never read."""
    footer = [
        "填报单位意见：同意上报。",
        "主管部门审查意见：经审查，中级 1 人符合条件。",
        "证书核发部门意见：同意初级 0 人，中级 1 人，高级 0 人，技师 3 人。",
    ]
    registers.add("footer.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG, footer=footer)
    [(_, _, rule, _)] = refused(registers, db_path, "footer.xlsx")
    assert "技师 3 人" in rule


@pytest.mark.parametrize("title", ["名册", "名册（2012#第一批）"])
def test_a_tab_separated_file_named_csv_loads(
    registers: RegisterFactory, db_path: Path, title: str
) -> None:
    """Excel's “Unicode 文本” renamed to .csv: every column was "missing" — with or without
    commas in its cells (a unit written 某厂,二车间 on every row) or in its title."""
    unit = {"工作单位": "绵阳市某厂#二车间"}  # '#' becomes a comma below, inside the cell
    rows = [
        approval_row("Z1122020901", "周杰", **unit),
        approval_row("Z1122020902", "郑浩", **unit),
    ]
    registers.add("tabbed.csv", rows, MIANYANG)
    path = registers.folder / "tabbed.csv"
    tabbed = path.with_suffix(".txt")
    write_csv(tabbed, LAYOUTS["approval-roster"], rows, encoding="utf-16", title=title)
    text = tabbed.read_text(encoding="utf-16").replace(",", "\t").replace("#", ",")
    tabbed.unlink()
    path.write_text(text, encoding="utf-16")
    code, report = sync(registers.folder, db_path)
    assert code == 0, report
    assert report["registers"][0]["added"] == 2
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT DISTINCT unit FROM certificates").fetchall() == [
            ("绵阳市某厂,二车间",)
        ]


def test_a_workbook_renamed_csv_is_read_as_the_workbook_it_is(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A workbook saved under a .csv name was read as text and its clerk told to save it as
    CSV UTF-8 — advice about an encoding it does not have (an .xls renamed .xlsx loads)."""
    registers.add("roster.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG)
    (registers.folder / "roster.xlsx").rename(registers.folder / "roster.csv")
    registers.entries = {"roster.csv": registers.entries.pop("roster.xlsx")}
    registers.write_manifest()
    code, report = sync(registers.folder, db_path)
    assert code == 0, report
    assert report["registers"][0]["added"] == 1


def test_a_tab_in_the_title_of_a_comma_csv_leaves_it_comma_separated(
    registers: RegisterFactory, db_path: Path
) -> None:
    """名册<TAB>2012年第一批 as the title: the whole file was read as tab-separated, and the
    clerk told its header was missing."""
    rows = [approval_row("Z1122020901", "周杰"), approval_row("Z1122020902", "郑浩")]
    path = registers.add("roster.csv", rows, MIANYANG, title="绵阳市证书审批名册\t2012年第一批")
    assert "\t" in path.read_text(encoding="utf-8").splitlines()[0]
    code, report = sync(registers.folder, db_path)
    assert code == 0, report


def test_a_row_pasted_twice_is_told_to_be_deleted(
    registers: RegisterFactory, db_path: Path
) -> None:
    """The same holder's row twice: the clerk was given the next free number for it — one person
    registered under two numbers."""
    row = approval_row("Z1122020902", "郑浩")
    rows = [approval_row("Z1122020901", "周杰"), row, row]
    registers.add("twice.xlsx", rows, MIANYANG)
    problems = refused(registers, db_path, "twice.xlsx")
    [rule] = [
        rule for found, column, rule, _ in problems if found == 6 and column == "颁发证书编号"
    ]
    assert "与本文件第5行完全相同" in rule and "删除这一行" in rule
    assert "下一个可用" not in rule


def test_a_row_pasted_twice_with_a_name_padded_otherwise_is_the_same_row(
    registers: RegisterFactory, db_path: Path
) -> None:
    """郑浩 and 郑　浩 (padded to a three-character width): told to renumber, then refused as the
    same holder twice."""
    rows = [approval_row("Z1122020902", "郑浩"), approval_row("Z1122020902", "郑\u3000浩")]
    registers.add("twice.xlsx", rows, MIANYANG)
    problems = refused(registers, db_path, "twice.xlsx")
    [rule] = [
        rule for found, column, rule, _ in problems if found == 5 and column == "颁发证书编号"
    ]
    assert "与本文件第4行完全相同" in rule


def test_a_number_given_to_two_holders_still_names_the_next_free(
    registers: RegisterFactory, db_path: Path
) -> None:
    rows = [approval_row("Z1122020901", "周杰"), approval_row("Z1122020901", "郑浩")]
    registers.add("twice.xlsx", rows, MIANYANG)
    problems = refused(registers, db_path, "twice.xlsx")
    [rule] = [
        rule for found, column, rule, _ in problems if found == 5 and column == "颁发证书编号"
    ]
    assert "与本文件第4行的编号重复" in rule and "Z1122020902" in rule


def test_a_problem_list_goes_once_its_register_loads(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A --brief run wrote 名册.csv.问题清单.csv; the clerk fixed the file and it loaded — the
    list of the old problems stayed beside it."""
    rows = [approval_row("Z1122020901", "周杰", 性别="M")]
    registers.add("roster.csv", rows, MIANYANG)
    listed = registers.folder / "roster.csv.问题清单.csv"
    runner = CliRunner()
    first = runner.invoke(cli, ["sync", str(registers.folder), "--db", str(db_path), "--brief"])
    assert first.exit_code == 1 and listed.exists()
    registers.add("roster.csv", [approval_row("Z1122020901", "周杰")], MIANYANG)
    fixed = runner.invoke(cli, ["sync", str(registers.folder), "--db", str(db_path), "--json"])
    assert fixed.exit_code == 0, fixed.output
    assert not listed.exists()  # a program's run (--json) too


def test_a_register_named_like_a_problem_list_is_not_removed(
    registers: RegisterFactory, db_path: Path
) -> None:
    registers.add("a.csv", [approval_row("Z1122020901", "周杰")], MIANYANG)
    named = registers.add("a.csv.问题清单.csv", [approval_row("Z1122020902", "郑浩")], MIANYANG)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report
    assert named.exists()


@pytest.mark.parametrize("number", ["Z1122020901", "Z1122090001"])
def test_a_status_change_waiting_for_a_roster_refused_in_the_run_names_it(
    registers: RegisterFactory, db_path: Path, number: str
) -> None:
    """“登记库中没有该证书编号；请先导入其名册” alone, with the roster listed and refused a few
    lines above, sent the clerk looking for a roster never listed. A number of another region
    (2209, 攀枝花市) is not one 绵阳's roster could register: that roster is not named."""
    registers.add("roster.xlsx", [approval_row("Z1122020901", "周杰", 性别="M")], MIANYANG)
    registers.add("changes.xlsx", [status_event("撤销", number, "周杰", "2013-03-01")], CHANGES)
    code, report = sync(registers.folder, db_path)
    assert code == 1
    roster, changes = report["registers"]
    assert roster["outcome"] == changes["outcome"] == "rejected"
    named = any("roster.xlsx 被拒绝" in note for note in changes["notes"])
    assert named is (number == "Z1122020901"), changes["notes"]
    assert not roster["notes"]


def _current(db: Path, number: str) -> tuple[object, ...]:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT trade, work_start, theory FROM certificates WHERE number = ?", (number,)
        ).fetchone()
    return tuple(row)


def _replaced_roster(registers: RegisterFactory, db_path: Path) -> None:
    """周杰's Z1122020901 exchanged for Z1222020001, that one reissued as Z1322020001; 郑浩's
    Z1122020902 exchanged for Z1222020002 with its trade corrected (钳工) by the 换发."""
    rows = [approval_row("Z1122020901", "周杰"), approval_row("Z1122020902", "郑浩")]
    registers.add("roster.xlsx", rows, MIANYANG)
    changes = [
        status_event("换发", "Z1122020901", "周杰", "2013-01-10", "Z1222020001"),
        status_event("补发", "Z1222020001", "周杰", "2014-01-10", "Z1322020001"),
        status_event("换发", "Z1122020902", "郑浩", "2013-01-10", "Z1222020002", 更正工种="钳工"),
    ]
    registers.add("changes.xlsx", changes, CHANGES)
    assert sync(registers.folder, db_path)[0] == 0


def test_a_corrected_roster_reaches_the_certificates_that_replaced_it(
    registers: RegisterFactory, db_path: Path
) -> None:
    """The roster corrected a work start and a score: only the old numbers changed, and the
    holders' current certificates (their public check, their history) kept the wrong values.
    Now each correction goes down the chain of 换发 and 补发."""
    _replaced_roster(registers, db_path)
    fixed: dict[str, object] = {"参加工作时间": "1996.07", "技术业务理论": 88}
    rows = [
        {**approval_row("Z1122020901", "周杰"), **fixed},
        {**approval_row("Z1122020902", "郑浩"), **fixed},
    ]
    registers.add("roster.xlsx", rows, MIANYANG)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report
    assert [_current(db_path, n) for n in ("Z1122020901", "Z1222020001", "Z1322020001")] == [
        ("电工", "1996-07", "88")
    ] * 3
    assert _current(db_path, "Z1222020002") == ("钳工", "1996-07", "88")  # the 换发's trade stays
    with sqlite3.connect(db_path) as conn:
        history = conn.execute(
            "SELECT field, old, new FROM certificate_history WHERE number = 'Z1322020001'"
            " ORDER BY field"
        ).fetchall()
    assert history == [("theory", "75", "88"), ("work_start", "1995-07", "1996-07")]
    assert report["registers"][0]["changed"] == 2 + 3  # the two corrected, the three after them
    # ...and the report lists the three after them too, not only what the roster names
    listed = {c["number"] for c in report["registers"][0]["changes"]}
    assert listed == {"Z1122020901", "Z1122020902", "Z1222020001", "Z1322020001", "Z1222020002"}
    again, second = sync(registers.folder, db_path)
    assert again == 0 and second["registers"][0]["outcome"] == "unchanged"


def test_the_trade_of_a_replaced_certificate_is_corrected_on_the_new_one(
    registers: RegisterFactory, db_path: Path
) -> None:
    """Carried to the new certificate, a corrected trade could make it a second certificate of
    the holder's in that trade and level (§二): refused, as a change of who holds it is, with
    the way to correct the new certificate."""
    _replaced_roster(registers, db_path)
    rows = [
        approval_row("Z1122020901", "周杰", 报考工种="汽车驾驶员"),
        approval_row("Z1122020902", "郑浩", 报考工种="钳工"),  # as the 换发 corrected it: fine
    ]
    registers.add("roster.xlsx", rows, MIANYANG)
    [(row, column, rule, _)] = refused(registers, db_path, "roster.xlsx")
    assert (row, column) == (4, "报考工种")
    assert "已换发或补发为新证书 Z1222020001" in rule and "改回“电工”" in rule


def test_a_trade_corrected_to_the_newest_certificates_reaches_the_copies_between(
    registers: RegisterFactory, db_path: Path
) -> None:
    """901 (电工) → 补发 copy 1222 → 换发 1322 correcting the trade to 钳工; the roster then says
    钳工 too: the 补发 copy between them kept 电工."""
    registers.add("roster.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG)
    changes = [
        status_event("补发", "Z1122020901", "周杰", "2013-01-10", "Z1222020001"),
        status_event("换发", "Z1222020001", "周杰", "2014-01-10", "Z1322020001", 更正工种="钳工"),
    ]
    registers.add("changes.xlsx", changes, CHANGES)
    assert sync(registers.folder, db_path)[0] == 0
    registers.add("roster.xlsx", [approval_row("Z1122020901", "周杰", 报考工种="钳工")], MIANYANG)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report
    trades = [_current(db_path, n)[0] for n in ("Z1122020901", "Z1222020001", "Z1322020001")]
    assert trades == ["钳工"] * 3
    # staff's 工种 facet counts the copy in the status-changes register as 钳工 too
    with sqlite3.connect(db_path) as conn:
        columns = ", ".join(FACET_TALLIED)
        kept = conn.execute(f"SELECT register, {columns}, certificates FROM facet_tally")
        counted = conn.execute(
            f"SELECT register, {columns}, count(*) FROM certificates GROUP BY register, {columns}"
        )
        assert sorted(kept, key=repr) == sorted(counted, key=repr)


def test_a_sync_stopped_by_ctrl_c_says_what_it_loaded(
    registers: RegisterFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during the second of two registers printed only 已中止 (exit 1, as for a register
    refused): the clerk could not tell the first was loaded and the rest not."""
    from registry.sync import register, turns

    registers.add("a.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG)
    registers.add("b.xlsx", [approval_row("Z1122020902", "郑浩")], MIANYANG)
    synced = register.sync_register

    def stopped_at_b(conn: sqlite3.Connection, entry: Any, *args: Any, **options: Any) -> Any:
        if entry.key == "b.xlsx":
            raise KeyboardInterrupt
        return synced(conn, entry, *args, **options)

    monkeypatch.setattr(turns, "sync_register", stopped_at_b)
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db_path)])
    assert result.exit_code == 130
    assert "本次已导入的名册：a.xlsx" in result.output and "再次运行 certreg sync" in result.output
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT number FROM certificates").fetchall() == [("Z1122020901",)]
    as_json = ["sync", str(registers.folder), "--db", str(db_path), "--json"]
    stopped = CliRunner().invoke(cli, as_json)
    assert stopped.exit_code == 130
    answer = json.loads(stopped.stdout)
    assert answer == {"ok": False, "interrupted": True, "loaded": []}  # a.xlsx: unchanged


def test_a_sync_stopped_before_any_register_says_none_was_begun(
    registers: RegisterFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while an older registry was being upgraded said 中止时正在导入的那一个可能刚导入:
    no register was under way (an operator's review)."""
    from registry import store

    registers.add("a.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG)

    def interrupted(db: Path) -> sqlite3.Connection:
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "connect", interrupted)
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db_path)])
    assert result.exit_code == 130
    assert "还没有开始导入名册" in result.output and "可能刚导入" not in result.output


@pytest.mark.parametrize(
    "error, told",
    [
        ("database is locked", "另一个程序"),
        ("database or disk is full", "磁盘"),
        ("attempt to write a readonly database", "登记库文件或其所在文件夹只能读、不能写"),
    ],
)
def test_a_sync_stopped_by_a_registry_it_cannot_write_says_what_it_loaded(
    registers: RegisterFactory,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    error: str,
    told: str,
) -> None:
    """A registry locked past the wait or a full disk during the second register printed only
    the error: the first, loaded, looked undone — and --json printed nothing at all."""
    from registry.sync import register, turns

    registers.add("a.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG)
    registers.add("b.xlsx", [approval_row("Z1122020902", "郑浩")], MIANYANG)
    synced = register.sync_register

    def failed_at_b(conn: sqlite3.Connection, entry: Any, *args: Any, **options: Any) -> Any:
        if entry.key == "b.xlsx":
            raise sqlite3.OperationalError(error)
        return synced(conn, entry, *args, **options)

    monkeypatch.setattr(turns, "sync_register", failed_at_b)
    command = ["sync", str(registers.folder), "--db", str(db_path), "--json"]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 2
    assert "同步中途停止。本次已导入的名册：a.xlsx" in result.stderr
    assert result.stderr.index("本次已导入") < result.stderr.index("错误：")  # then why
    answer = json.loads(result.stdout)
    assert answer["ok"] is False and answer["loaded"] == ["a.xlsx"]
    assert told in answer["error"]  # a read-only file was sent to check its folder
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT number FROM certificates").fetchall() == [("Z1122020901",)]


def test_a_sync_stopped_by_its_service_manager_says_what_it_loaded(
    registers: RegisterFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """systemctl stop (SIGTERM) during the second register ended the sync without a word:
    the journal never said the first was loaded. It ends as Ctrl-C does."""
    from registry.sync import register, turns

    registers.add("a.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG)
    registers.add("b.xlsx", [approval_row("Z1122020902", "郑浩")], MIANYANG)
    synced = register.sync_register

    def stopped_at_b(conn: sqlite3.Connection, entry: Any, *args: Any, **options: Any) -> Any:
        if entry.key == "b.xlsx":
            os.kill(os.getpid(), signal.SIGTERM)
        return synced(conn, entry, *args, **options)

    monkeypatch.setattr(turns, "sync_register", stopped_at_b)
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db_path)])
    assert result.exit_code == 130
    assert "本次已导入的名册：a.xlsx" in result.output
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT number FROM certificates").fetchall() == [("Z1122020901",)]


def test_a_numbered_copy_sorted_again_is_told_to_restore_its_order(
    registers: RegisterFactory, db_path: Path
) -> None:
    """The rows of a numbered copy swapped: “这一行应为 Z…904” had the clerk type numbers no
    run handed out, leaving gaps. The numbers are all there: restore the order."""
    rows = [
        approval_row("Z1122020901", "周杰"),
        approval_row("Z1122020903", "吴敏"),
        approval_row("Z1122020902", "郑浩"),
    ]
    registers.add("sorted.xlsx", rows, MIANYANG)
    problems = refused(registers, db_path, "sorted.xlsx")
    assert [(row, column) for row, column, _, _ in problems] == [
        (5, "颁发证书编号"),
        (6, "颁发证书编号"),
    ]
    for _, _, rule, _ in problems:
        assert "Z1122020901 – Z1122020903 都在" in rule and "恢复原来的行序" in rule
        assert "应为" not in rule


def test_rows_a_new_version_adds_out_of_order_are_refused_among_rows_sorted_again(
    registers: RegisterFactory, db_path: Path
) -> None:
    """901–903 loaded; the new version lists 901, 903, 902, 905, 904 (the last two added): the
    one merged problem sat on a row loaded before, and the added rows' disorder loaded. The
    rows loaded in order and now swapped (903 after 901, 902 after 903) are judged too."""
    first = [approval_row(f"Z112202090{n}", name) for n, name in zip("123", "甲乙丙", strict=True)]
    registers.add("r.xlsx", first, MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    order = [("1", "甲"), ("3", "丙"), ("2", "乙"), ("5", "戊"), ("4", "丁")]
    registers.add("r.xlsx", [approval_row(f"Z112202090{n}", m) for n, m in order], MIANYANG)
    problems = refused(registers, db_path, "r.xlsx")
    assert [row for row, *_ in problems] == [5, 6, 7, 8]  # the rows moved, and those added


def test_a_place_held_by_a_refused_number_is_no_reordering(
    registers: RegisterFactory, db_path: Path
) -> None:
    """901, 9O2 (a letter O), 903, 902: no order of the rows mends it."""
    numbers = ["Z1122020901", "Z11220209O2", "Z1122020903", "Z1122020902"]
    rows = [approval_row(n, m) for n, m in zip(numbers, "甲乙丙丁", strict=True)]
    registers.add("held.xlsx", rows, MIANYANG)
    problems = refused(registers, db_path, "held.xlsx")
    # told what each row is: the letter O, then 902 out of order after 903 — not that the
    # file's numbers are all there, only sorted otherwise (a 9O2 holds 902's place)
    assert [(row, rule.split("：")[0].split("（")[0]) for row, _, rule, _ in problems] == [
        (5, "第8-11位顺序号“09O2”应为阿拉伯数字"),
        (7, "编号倒序"),
    ]
    assert not any("都在" in rule for _, _, rule, _ in problems), problems


def test_one_number_is_never_told_out_of_order_with_itself(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A 中级 row numbered G…902 before the 高级 row G…901: G…902's letter is refused, and
    G…901 was told 编号 G1122020901 – G1122020901 都在，顺序却与名册的行序不同 — a range of one,
    the clerk sent to restore an order no row had lost."""
    rows = [
        approval_row("C1122020901", "周杰", level="初级"),
        approval_row("G1122020902", "吴敏", level="中级"),
        approval_row("G1122020901", "李芳", level="高级"),
    ]
    registers.add("one.xlsx", rows, MIANYANG)
    problems = refused(registers, db_path, "one.xlsx")
    assert not any("都在" in rule for _, _, rule, _ in problems), problems


def test_a_number_skipped_is_still_told_as_such(registers: RegisterFactory, db_path: Path) -> None:
    rows = [approval_row("Z1122020901", "周杰"), approval_row("Z1122020903", "吴敏")]
    registers.add("gap.xlsx", rows, MIANYANG)
    [(_, _, rule, _)] = refused(registers, db_path, "gap.xlsx")
    assert "跳号" in rule and "Z1122020902" in rule


@pytest.mark.parametrize(
    "numbers",
    [
        ["Z1122020903", "Z 1122020901", "Z1122020902"],  # written otherwise than canonical
        ["Z1122020903", "Z1122020901", "Z1122020902", "Z1122010904"],  # a typo after the run
    ],
)
def test_a_reordered_copy_is_told_so_however_its_numbers_are_written(
    registers: RegisterFactory, db_path: Path, numbers: list[str]
) -> None:
    rows = [approval_row(n, m) for n, m in zip(numbers, "甲乙丙丁", strict=False)]
    registers.add("sorted.xlsx", rows, MIANYANG)
    rules = [rule for _, column, rule, _ in refused(registers, db_path, "sorted.xlsx")]
    assert any("都在" in rule for rule in rules), rules
    assert not any("这一行应为" in rule for rule in rules), rules


def test_a_roster_with_a_sheet_of_instructions_loads_and_names_it(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A template's 填表说明 sheet after the roster: the roster loads (it was refused), and the
    report names the sheet left unread; a system log's report names no sheet."""
    path = registers.add("template.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG)
    workbook = openpyxl.load_workbook(path)
    notes = workbook.create_sheet("填表说明")
    notes.append(["填表说明"])
    notes.append(["1.", "出生年月按 1975.05 填写"])
    workbook.save(path)
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "工作表“填表说明”（2 行）只有说明文字，没有读取" in result.output
    fresh = db_path.with_name("fresh.db")
    brief = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(fresh), "--brief"])
    assert brief.exit_code == 0, brief.output
    assert "填表说明" not in brief.output and "有只含说明文字的工作表没有读取" in brief.output
    assert "不是本表栏目" not in brief.output


def test_a_csv_whose_header_cells_hold_line_breaks_names_its_line_and_excels_row(
    registers: RegisterFactory, db_path: Path
) -> None:
    """Excel saves a header wrapped with Alt+Enter as a quoted cell over two lines: the report
    names a CSV's rows by the line each starts on (the contract's row number, and the JSON's),
    and — a clerk's review: the lines ran ahead of the rows Excel shows, and sent the clerk to
    another person — the row Excel shows it in beside it."""
    rows = [approval_row("Z1122020901", "周杰"), approval_row("Z1122020902", "郑浩", 性别="M")]
    path = registers.add("wrapped.csv", rows, MIANYANG)
    text = path.read_text("utf-8")
    wrapped = text.replace("执行工资等级起始时间", '"执行工资等级\n起始时间"', 1)
    path.write_text(wrapped.replace("参加工作时间", '"参加工作\n时间"', 1), "utf-8")
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db_path)])
    assert result.exit_code == 1, result.output
    excel_row = len(text.splitlines())  # the last record: one row a record, as Excel shows it
    line = excel_row + 2  # two header cells on two lines each
    assert f"第{line}行（用 Excel 打开是第{excel_row}行）「性别」“M”" in result.output
    report = CliRunner().invoke(
        cli, ["sync", str(registers.folder), "--db", str(db_path), "--json"]
    )
    [problem] = json.loads(report.stdout)["registers"][0]["problems"]
    assert (problem["row"], problem["excel_row"]) == (line, excel_row)
    CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db_path), "--brief"])
    listed = (registers.folder / "wrapped.csv.问题清单.csv").read_text("utf-8-sig")
    assert f"{line}（用 Excel 打开是第{excel_row}行）" in listed


SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def test_a_register_given_as_another_kind_is_told_its_kind(tmp_path: Path) -> None:
    """A 附件4 roster synced as a status-changes register was asked, column by column, whether
    its “颁发证书编号” should be “证书编号”; a status-changes register numbered as a roster,
    whether “更正性别” should be “性别” (a newcomer pasting the documented commands)."""
    db = str(tmp_path / "registry.db")
    roster = str(SAMPLES / "2011-shengzhi-approval.xlsx")
    synced = CliRunner().invoke(
        cli, ["sync", roster, "--kind", "status-changes", "--authority", "2200", "--db", db]
    )
    assert synced.exit_code == 1
    assert 'kind = "approval-roster"' in synced.output and "是否应为" not in synced.output
    numbered = CliRunner().invoke(
        cli,
        [
            "number", str(SAMPLES / "2012-status-changes.xlsx"), "--kind", "approval-roster",
            "--authority", "2202", "--year-code", "12", "--out", str(tmp_path / "n.xlsx"),
            "--db", db,
        ],
    )  # fmt: skip
    assert numbered.exit_code != 0
    assert "--kind status-changes" in numbered.output and "是否应为" not in numbered.output


def test_rows_loaded_before_and_moved_are_told_to_go_back_not_to_be_renumbered(
    registers: RegisterFactory, db_path: Path
) -> None:
    """001–005 loaded; the corrected version leaves 002 out and swaps 003 and 004. Its moved
    rows were told 编号跳号…请用 certreg number 重新编号: issued numbers are never changed
    (§四.(三)、§五.(三)), and certreg number only numbers rows without one. Each is told where
    it stood in the loaded version: after which row to put it back."""
    names = "甲乙丙丁戊"
    first = [approval_row(f"Z112202000{n}", m) for n, m in zip("12345", names, strict=True)]
    registers.add("r.xlsx", first, MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    order = [("1", "甲"), ("4", "丁"), ("3", "丙"), ("5", "戊")]
    registers.add("r.xlsx", [approval_row(f"Z112202000{n}", m) for n, m in order], MIANYANG)
    problems = refused(registers, db_path, "r.xlsx")
    told = {row: rule for row, column, rule, _ in problems if column == "颁发证书编号"}
    assert list(told) == [5, 6, 7]  # 004, 003, and 005 now after 003
    assert "Z1122020004 已登记，在已登记的名册中排在 Z1122020003（本文件第6行）之后" in told[5]
    assert "把这一行移回第6行之后" in told[5]
    # the rows beside it stay: told to move too, 005 after 004 gave another wrong order (a review)
    for row in (6, 7):
        assert "这一行没有移动：Z1122020004（本文件第5行）被移动了" in told[row], told[row]
    for rule in told.values():
        assert "恢复已登记名册的行序" in rule and "不能改动（§四.(三)、§五.(三)）" in rule
        assert "certreg number" not in rule and "应为" not in rule, rule
    # the first row moved to the end: it alone is told to go back, before the others
    order = [("2", "乙"), ("3", "丙"), ("4", "丁"), ("5", "戊"), ("1", "甲")]
    registers.add("r.xlsx", [approval_row(f"Z112202000{n}", m) for n, m in order], MIANYANG)
    problems = refused(registers, db_path, "r.xlsx")
    moved = [(row, rule) for row, column, rule, _ in problems if "这一版移动了它" in rule]
    assert [row for row, _ in moved] == [8] and "移回已登记各行之前" in moved[0][1]
