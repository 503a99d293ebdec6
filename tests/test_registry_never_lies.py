"""The registry never lies (川人社函〔2012〕389号 broken on purpose, register by register): each
offending register is a real spreadsheet, synced with the real ``certreg sync``; it is refused
(exit 1) with its row, rule and clause, and every table but the sync history is unchanged.
The 换发 and 补发 that are allowed are checked through the public app and the API too."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from starlette.datastructures import Secret
from starlette.testclient import TestClient

from registry import store
from registry.cli import cli
from registry.kinds import LAYOUTS
from registry.sync import register as register_module
from tests.blank_registers import UNIT, collection, dispatch, requisition
from tests.registers import (
    MIANYANG,
    TECHNICIANS,
    RegisterFactory,
    approval_row,
    loads_with_footer,
    mended_by_hand,
    problems_of,
    refused,
    status_event,
    sync,
    technician_row,
)
from tests.verify_fixtures import SECRET
from verify_app.app import create_app
from verify_app.settings import Settings

CHANGES = {"kind": "status-changes", "authority": "2202"}
BLANKS = {"kind": "requisitions", "authority": "2200"}


@pytest.fixture
def roster(registers: RegisterFactory, db_path: Path) -> RegisterFactory:
    """绵阳 holds Z1122020901 周杰 and Z1122020902 郑浩 (one .xlsx roster)."""
    registers.add(
        "mianyang.xlsx",
        [approval_row("Z1122020901", "周杰"), approval_row("Z1122020902", "郑浩")],
        MIANYANG,
    )
    code, report = sync(registers.folder, db_path)
    assert code == 0, report
    return registers


def test_1_a_corrected_register_cannot_give_a_number_to_another_person(
    roster: RegisterFactory, db_path: Path
) -> None:
    roster.add(
        "mianyang.xlsx",
        [approval_row("Z1122020901", "李四"), approval_row("Z1122020902", "郑浩")],
        MIANYANG,
    )
    [(row, column, rule, clause)] = refused(roster, db_path, "mianyang.xlsx")
    assert (row, column, clause) == (4, "姓名", "§四.(三)")
    assert "原为“周杰”" in rule and "“李四”" in rule and "换发" in rule


def test_1_a_name_corrected_by_an_exchange_goes_back_in_the_roster(
    roster: RegisterFactory, db_path: Path
) -> None:
    """周杰's Z1122020901 was exchanged for Z1322020001 with the name corrected to 周洁; the clerk
    then corrects the roster too. Refused, and told to put the registered name back — not to
    make the 换发 that is registered already."""
    exchange = status_event(
        "换发", "Z1122020901", "周杰", "2013-02-01", "Z1322020001", 更正姓名="周洁"
    )
    roster.add("changes.csv", [exchange], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    roster.add(
        "mianyang.xlsx",
        [approval_row("Z1122020901", "周洁"), approval_row("Z1122020902", "郑浩")],
        MIANYANG,
    )
    [(row, column, rule, clause)] = refused(roster, db_path, "mianyang.xlsx")
    assert (row, column, clause) == (4, "姓名", "§四.(三)")
    assert "已换发或补发为新证书 Z1322020001" in rule and "请把本行的姓名改回“周杰”" in rule
    assert "对新证书按§四.(六)2办理换发" in rule
    assert "收回旧证换发新证" not in rule


def test_2_the_same_people_are_not_registered_twice(roster: RegisterFactory, db_path: Path) -> None:
    roster.add("again.xlsx", [approval_row("Z1122020903", "周杰")], MIANYANG)
    [(row, column, rule, clause)] = refused(roster, db_path, "again.xlsx")
    assert (row, column, clause) == (4, "姓名", "§二")
    assert "Z1122020901" in rule and "备注" in rule


def test_2_a_note_says_it_is_another_person(roster: RegisterFactory, db_path: Path) -> None:
    row = approval_row("Z1122020903", "周杰", 备注="同名同生日，另一人")
    roster.add("again.xlsx", [row], MIANYANG)
    code, report = sync(roster.folder, db_path)
    assert code == 0, report
    with sqlite3.connect(db_path) as conn:
        remark = conn.execute("SELECT remark FROM certificates WHERE number = 'Z1122020903'")
        assert remark.fetchone() == ("同名同生日，另一人",)


@pytest.mark.parametrize(
    "note",
    [
        "经核实为同一人，并非另一人（重复申报）",
        "不是另一人",
        "并不是同名不同人",
        "同名同姓，系同一人（补录）",  # 同名同姓 only says the names are alike
        "并非不同的人，系重复申报",
    ],
)
def test_2_a_note_that_denies_it_is_another_person_is_no_exception(
    roster: RegisterFactory, db_path: Path, note: str
) -> None:
    """备注 matched by its words alone: a note saying the holder is *not* another person let the
    same person be registered twice."""
    roster.add("again.xlsx", [approval_row("Z1122020903", "周杰", 备注=note)], MIANYANG)
    [(row, column, rule, clause)] = refused(roster, db_path, "again.xlsx")
    assert (row, column, clause) == (4, "姓名", "§二")


@pytest.mark.parametrize(
    "note",
    [
        "同名同生日，另一人",
        "非同一人",
        "并非同一人",
        "同名不同人",
        "同名同姓，经公安核实不属同一人",
        "同名同生日，不为同一人",
        "同名同姓，两人不属于同一人",
        "同名同姓，另一人（身份证号不同，系本人另行申报）",
        # plain words a review found refused
        "两人为不同的人",
        "与上一行不是一个人",
        "与第4行不是同一个人",
        "这是另一个人",
        # as clerks of 凉山 and 甘孜 write it, of their many 扎西多吉 (a review of minority names)
        "重名",
        "同名，身份证号不同",
        "身份证号码不同",
    ],
)
def test_2_each_way_of_saying_it_is_another_person_is_read(
    roster: RegisterFactory, db_path: Path, note: str
) -> None:
    roster.add("again.xlsx", [approval_row("Z1122020903", "周杰", 备注=note)], MIANYANG)
    assert sync(roster.folder, db_path)[0] == 0


@pytest.mark.parametrize("event", ["换发", "补发"])
def test_2_a_holders_new_number_does_not_block_correcting_the_roster(
    roster: RegisterFactory, db_path: Path, event: str
) -> None:
    """周杰's new number (a 换发 or 补发 under the status-change register) is his own certificate,
    not a second one: a corrected version of his roster still loads."""
    roster.add(
        "changes.xlsx",
        [status_event(event, "Z1122020901", "周杰", "2013-01-10", "Z1122020903")],
        CHANGES,
    )
    assert sync(roster.folder, db_path)[0] == 0
    corrected = approval_row("Z1122020902", "郑浩", 执行工资等级起始时间="2009.10")
    roster.add("mianyang.xlsx", [approval_row("Z1122020901", "周杰"), corrected], MIANYANG)
    code, report = sync(roster.folder, db_path)
    assert code == 0, report
    [register] = [r for r in report["registers"] if r["file"] == "mianyang.xlsx"]
    assert (register["outcome"], register["changed"]) == ("updated", 1)


def test_2_a_corrected_version_cannot_number_a_holder_again(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A roster numbered a second time (``certreg number`` run again on the unnumbered file) is
    a new version whose numbers are all new: the earlier ones stay valid, never deleted, so the
    same people would hold two certificates each."""
    roster.add(
        "mianyang.xlsx",
        [approval_row("Z1122020903", "周杰"), approval_row("Z1122020904", "郑浩")],
        MIANYANG,
    )
    problems = refused(roster, db_path, "mianyang.xlsx")
    assert [(row, column, clause) for row, column, _, clause in problems] == [
        (4, "姓名", "§二"),
        (5, "姓名", "§二"),
    ]
    rule = problems[0][2]
    assert "Z1122020901" in rule and "不得涂改" in rule and "撤销原编号" in rule


@pytest.mark.parametrize(
    "file, rows",
    [
        ("mianyang.xlsx", [("Z1122020902", "郑浩"), ("Z1122020903", "周杰")]),  # corrected
        ("again.xlsx", [("Z1122020903", "周杰")]),  # a later roster
    ],
)
def test_2_a_revoked_certificate_does_not_block_the_holders_right_one(
    roster: RegisterFactory, db_path: Path, file: str, rows: list[tuple[str, str]]
) -> None:
    """周杰's number was issued in error and revoked: a corrected version of the roster, or a
    later one, may number him anew."""
    roster.add(
        "changes.xlsx",
        [status_event("撤销", "Z1122020901", "周杰", "2013-01-10", 原因="错发")],
        CHANGES,
    )
    assert sync(roster.folder, db_path)[0] == 0
    roster.add(file, [approval_row(number, name) for number, name in rows], MIANYANG)
    code, report = sync(roster.folder, db_path)
    assert code == 0, report
    with sqlite3.connect(db_path) as conn:
        held = conn.execute("SELECT number, status FROM certificates WHERE name = '周杰'")
        assert sorted(held) == [("Z1122020901", "revoked"), ("Z1122020903", "valid")]


def test_2_a_holder_whose_new_number_was_revoked_may_be_numbered_again(
    roster: RegisterFactory, db_path: Path
) -> None:
    """周杰's certificate was exchanged, and the new one revoked: he holds none; the superseded
    old number is no holding of his either."""
    roster.add(
        "changes.xlsx",
        [
            status_event("换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903"),
            status_event(
                "撤销",
                "Z1122020903",
                "周杰",
                "2013-02-10",
                原因="错发",
                批准文号="绵人社函〔2013〕2号",
            ),
        ],
        CHANGES,
    )
    assert sync(roster.folder, db_path)[0] == 0
    roster.add("again.xlsx", [approval_row("Z1122020904", "周杰")], MIANYANG)
    code, report = sync(roster.folder, db_path)
    assert code == 0, report


@pytest.mark.parametrize("correction", [{"更正姓名": "周洁"}, {"更正出生年月": "1975.06"}])
def test_2_a_holder_exchanged_under_a_corrected_name_holds_the_new_certificate(
    roster: RegisterFactory, db_path: Path, correction: dict[str, str]
) -> None:
    """A 换发 corrected 周杰's name (or birth): a new roster numbering 周杰 again, as first
    registered, loaded — two valid certificates of one trade and level for one person."""
    exchange = status_event(
        "换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903", **correction
    )
    roster.add("changes.xlsx", [exchange], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    roster.add("again.xlsx", [approval_row("Z1122020904", "周杰")], MIANYANG)
    [(row, column, rule, clause)] = refused(roster, db_path, "again.xlsx")
    assert (row, column, clause) == (4, "姓名", "§二")
    assert "证书 Z1122020901 换发时更正了姓名或出生年月，现为 Z1122020903" in rule


def test_another_citys_file_of_the_same_name_is_not_a_new_version(
    roster: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """绵阳's mianyang.xlsx is loaded; a file of 自贡 (2203) that happens to bear the same name is
    refused, not taken for a corrected version that would report 绵阳's certificates missing."""
    other = RegisterFactory(tmp_path / "zigong")
    zigong = {**MIANYANG, "authority": "2203", "approval_doc": "自人社函〔2012〕3号"}
    other.add("mianyang.xlsx", [approval_row("Z1122030001", "吴敏")], zigong)
    [(row, column, rule, clause)] = refused(other, db_path, "mianyang.xlsx")
    assert (row, column, clause) == (None, None, None)
    assert "发证机关 2202" in rule and "2203" in rule and "换一个文件名" in rule


def test_2_twice_in_one_file(registers: RegisterFactory, db_path: Path) -> None:
    rows = [approval_row("Z1122020901", "周杰"), approval_row("Z1122020902", "周杰")]
    registers.add("twice.xlsx", rows, MIANYANG)
    [(row, column, rule, clause)] = refused(registers, db_path, "twice.xlsx")
    assert (row, column, clause) == (5, "姓名", "§二") and "本文件第4行" in rule


@pytest.mark.parametrize(
    ("first", "again"),
    [("阿依古丽·买买提", "阿依古丽买买提"), ("阿依古丽买买提", "阿依古丽·买买提")],
)
def test_2_a_minority_name_with_and_without_its_dot_is_one_holder(
    registers: RegisterFactory, db_path: Path, first: str, again: str
) -> None:
    """The public check takes 阿依古丽买买提 for 阿依古丽·买买提: so does §二, in another register
    (either way round) — two certificates the same check confirms were one holder's two."""
    registers.add("first.xlsx", [approval_row("Z1122020901", first)], MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    registers.add("again.xlsx", [approval_row("Z1122020902", again)], MIANYANG)
    [(row, column, rule, clause)] = refused(registers, db_path, "again.xlsx")
    assert (row, column, clause) == (4, "姓名", "§二") and "Z1122020901" in rule


def test_2_a_minority_name_twice_in_one_file_with_and_without_its_dot(
    registers: RegisterFactory, db_path: Path
) -> None:
    rows = [
        approval_row("Z1122020901", "阿依古丽·买买提"),
        approval_row("Z1122020902", "阿依古丽买买提"),
    ]
    registers.add("twice.xlsx", rows, MIANYANG)
    [(row, column, rule, clause)] = refused(registers, db_path, "twice.xlsx")
    assert (row, column, clause) == (5, "姓名", "§二") and "本文件第4行" in rule


@pytest.mark.parametrize(
    ("first", "again"), [("龙小云", "龍小雲"), ("張偉", "张伟"), ("锺伟", "钟伟"), ("鍾偉", "锺伟")]
)
def test_2_a_name_in_traditional_characters_is_the_same_holder(
    registers: RegisterFactory, db_path: Path, first: str, again: str
) -> None:
    """A roster copied from a traditional-character source: 龍小雲 is 龙小云, in another register
    (either way round) and in the same file — the same person's second certificate."""
    registers.add("first.xlsx", [approval_row("Z1122020901", first)], MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    registers.add("again.xlsx", [approval_row("Z1122020902", again)], MIANYANG)
    [(row, column, rule, clause)] = refused(registers, db_path, "again.xlsx")
    assert (row, column, clause) == (4, "姓名", "§二") and "Z1122020901" in rule
    rows = [approval_row("Z1122020903", "周杰"), approval_row("Z1122020904", "周傑")]
    registers.add("twice.xlsx", rows, MIANYANG)
    [(row, column, rule, clause)] = refused(registers, db_path, "twice.xlsx")
    assert (row, column, clause) == (5, "姓名", "§二") and "本文件第4行" in rule


def test_a_corrected_version_cannot_rewrite_a_name_in_other_characters(
    registers: RegisterFactory, db_path: Path
) -> None:
    """張偉 corrected to 张伟 is the same holder (one key), but the registered name is what the
    paper shows: refused as any change of it (§四.(三)) — the sync failed at the registry's own
    guard and told the operator to upgrade certreg."""
    registers.add("first.xlsx", [approval_row("Z1122020901", "張偉")], MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    registers.add("first.xlsx", [approval_row("Z1122020901", "张伟")], MIANYANG)
    [(row, column, rule, clause)] = refused(registers, db_path, "first.xlsx")
    assert (row, column, clause) == (4, "姓名", "§四.(三)")
    assert "姓名原为“張偉”，不能改为“张伟”" in rule


def test_2_a_surname_that_is_simplified_too_is_not_folded(
    registers: RegisterFactory, db_path: Path
) -> None:
    """於, 甯 and 昇 are characters of simplified names of their own (the surname 甯 is not 宁,
    as the 通用规范汉字表 keeps it): 甯伟 and 宁伟 are two people."""
    rows = [
        approval_row(f"Z11220209{i:02d}", name)
        for i, name in enumerate(("於明", "于明", "甯伟", "宁伟", "李昇", "李升"), 1)
    ]
    registers.add("two.xlsx", rows, MIANYANG)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report


def test_3_an_exchange_needs_a_reason_of_misfiling_or_damage(
    roster: RegisterFactory, db_path: Path
) -> None:
    roster.add(
        "changes.xlsx",
        [status_event("换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903", 原因="遗失")],
        CHANGES,
    )
    [(row, column, rule, clause)] = refused(roster, db_path, "changes.xlsx")
    assert (row, column, clause) == (3, "原因", "§四.(六)2") and "补发" in rule


def test_4_one_reissue_is_registered_once(roster: RegisterFactory, db_path: Path) -> None:
    """A 补发 row written twice, in one file or in two registers, would count a second paper."""
    reissue = status_event("补发", "Z1122020901", "周杰", "2013-01-10")
    roster.add("changes.xlsx", [reissue, dict(reissue)], CHANGES)
    [(row, column, rule, clause)] = refused(roster, db_path, "changes.xlsx")
    assert (row, column, clause) == (4, "证书编号", "§四.(六)") and "本文件第3行" in rule

    roster.add("changes.xlsx", [reissue], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    roster.add("more-changes.xlsx", [reissue], CHANGES)
    [(row, column, rule, clause)] = refused(roster, db_path, "more-changes.xlsx")
    assert (row, column) == (3, "证书编号") and "changes.xlsx" in rule


def test_an_event_in_effect_cannot_be_rewritten_by_a_new_version(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A new version of a status-change register that writes an applied 补发 otherwise (another
    original document) is refused, naming what the registry holds — not loaded as unchanged."""
    reissue = status_event("补发", "Z1122020901", "周杰", "2013-01-10")
    roster.add("changes.xlsx", [reissue], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    roster.add("changes.xlsx", [{**reissue, "原公布文件": "伪造文件"}], CHANGES)
    [(row, column, rule, clause)] = refused(roster, db_path, "changes.xlsx")
    assert (row, column, clause) == (3, "类型", "§四.(六)")
    assert f"原公布文件原为“{reissue['原公布文件']}”" in rule and "不能修改" in rule


@pytest.mark.parametrize(
    ("changed", "column", "said"),
    [
        ({"日期": "2013-01-20"}, "日期", "此前登记生效的是 2013-01-10 的换发"),
        (
            {"新证书编号": "Z1122020904"},
            "新证书编号",
            "此前登记生效的这次换发的新证书编号是 Z1122020903，新版本改成了 Z1122020904",
        ),
        (
            {"类型": "撤销", "新证书编号": "", "原因": "弄虚作假"},
            "类型",
            "此前登记生效的是 2013-01-10 的换发，新版本把这一行改成了撤销",
        ),
    ],
    ids=["date", "new number", "type"],
)
def test_an_applied_event_edited_in_a_new_version_is_named_by_what_changed(
    roster: RegisterFactory, db_path: Path, changed: dict[str, str], column: str, said: str
) -> None:
    """Only a 换发's new number changed: the clerk was told about its 日期, which nobody changed
    — and for a changed 类型, only that the certificate can no longer be exchanged. The edit is
    the row's one problem: judged as a new change too, a changed date was told 已换发, 编号已被
    使用 and 已持有证书 before the reason (a clerk's review)."""
    exchange = status_event("换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903")
    roster.add("changes.xlsx", [exchange], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    roster.add("changes.xlsx", [{**exchange, **changed}], CHANGES)
    problems = refused(roster, db_path, "changes.xlsx")
    [(row, where, rule, clause)] = [p for p in problems if p[0] == 3]
    assert (row, where, clause) == (3, column, "§四.(六)")
    assert rule.startswith(said) and "不能修改" in rule


def test_a_revocation_s_date_changed_is_not_told_to_be_registered_again(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A clerk review: told 如确是又一次撤销，请…另起一行登记 — and a second 撤销 of a revoked
    certificate is refused."""
    revocation = status_event("撤销", "Z1122020901", "周杰", "2013-01-10") | {"原因": "弄虚作假"}
    roster.add("changes.xlsx", [revocation], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    roster.add("changes.xlsx", [{**revocation, "日期": "2013-01-11"}], CHANGES)
    [(_, column, rule, _)] = refused(roster, db_path, "changes.xlsx")
    assert column == "日期" and "撤销后证书不能再有变更" in rule and "另起一行" not in rule


def test_an_event_on_a_number_a_later_row_creates_says_so(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A 补发 of the number a 换发 in the same file creates, dated before that 换发: events apply
    in date order, so the number did not exist yet — not "import its roster first"."""
    rows = [
        status_event("换发", "Z1122020901", "周杰", "2013-02-01", "Z1122020903"),
        status_event("补发", "Z1122020903", "周杰", "2013-01-15", 批准文号="绵人社函〔2013〕2号"),
    ]
    roster.add("changes.xlsx", rows, CHANGES)
    [(row, column, rule, _)] = refused(roster, db_path, "changes.xlsx")
    assert (row, column) == (4, "证书编号")
    assert rule.startswith(
        "该编号由本文件第3行 2013-02-01 的换发产生，本行的日期 2013-01-15 早于它"
    )
    rows = [  # later this time, but the 换发 that makes the number is itself refused
        status_event("换发", "Z1122020901", "周杰", "2013-02-01", "Z1122020903", 原因="遗失"),
        status_event("补发", "Z1122020903", "周杰", "2013-05-01", 批准文号="绵人社函〔2013〕2号"),
    ]
    roster.add("changes.xlsx", rows, CHANGES)
    problems = refused(roster, db_path, "changes.xlsx")
    [later] = [p[2] for p in problems if p[0] == 4]
    assert later.endswith("但那一行未通过检查：请先改正第3行")
    # the same day, the 补发 above the 换发 that makes its number
    rows = [
        status_event("补发", "Z1122020903", "周杰", "2013-02-01", 批准文号="绵人社函〔2013〕2号"),
        {**rows[0], "原因": "证书错填"},
    ]
    roster.add("changes.xlsx", rows, CHANGES)
    [(row, _, same_day, _)] = refused(roster, db_path, "changes.xlsx")
    assert (
        row == 3 and "同一天的变更按行的先后生效，本行排在它之前。请把第4行移到本行之上" in same_day
    )


def test_a_mistyped_reference_of_an_applied_event_is_corrected_with_history(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A 换发's 批准文号 typed wrong: refused once with advice to report it "for a correction"
    nothing could record. A new version corrects it; the certificate's history keeps the typo."""
    exchange = status_event("换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903")
    roster.add("changes.xlsx", [{**exchange, "批准文号": "绵人社函〔2013〕11号"}], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    roster.add("changes.xlsx", [exchange], CHANGES)
    code, report = sync(roster.folder, db_path)
    assert code == 0, report
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT approval_doc FROM status_events").fetchall() == [
            (exchange["批准文号"],)
        ]
        history = conn.execute(
            "SELECT number, field, old, new FROM certificate_history WHERE field = '换发批准文号'"
        ).fetchall()
    assert history == [
        ("Z1122020901", "换发批准文号", "绵人社函〔2013〕11号", exchange["批准文号"])
    ]
    with sqlite3.connect(db_path) as conn:  # the certificate the 换发 created carries it too
        assert conn.execute(
            "SELECT approval_doc FROM certificates WHERE number = 'Z1122020903'"
        ).fetchone() == (exchange["批准文号"],)


def test_a_corrected_document_of_an_applied_event_keeps_to_the_events_year(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A new event citing 〔2019〕 for an exchange of 2013 is refused (§四.(三)); correcting an
    applied one's document to it was taken, and the new certificate carried it."""
    exchange = status_event("换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903")
    roster.add("changes.xlsx", [exchange], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    roster.add("changes.xlsx", [{**exchange, "批准文号": "绵人社函〔2019〕1号"}], CHANGES)
    [(row, column, rule, clause)] = refused(roster, db_path, "changes.xlsx")
    assert (column, clause) == ("批准文号", "§四.(三)") and "2013" in rule, rule


@pytest.mark.parametrize("cited", [False, True])
def test_an_applied_events_document_in_other_brackets_is_no_correction(
    roster: RegisterFactory, db_path: Path, cited: bool
) -> None:
    """Nor is it cited with its title (《关于…的批复》（…1号）): compared as other text, the
    certificate the 换发 made had its public 批准文号 rewritten (a review of the day's diff)."""
    exchange = status_event("换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903")
    roster.add("changes.xlsx", [exchange], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    recorded = (
        "SELECT number, sync, field, old, new FROM certificate_history"
        " UNION ALL SELECT approval_doc, 0, 0, 0, 0 FROM status_events"
    )
    with sqlite3.connect(db_path) as conn:
        before = conn.execute(recorded).fetchall()
    written = str(exchange["批准文号"]).replace("〔", "[").replace("〕", "]")
    if cited:
        written = f"《关于同意换发证书的批复》（{exchange['批准文号']}）"
    roster.add("changes.xlsx", [{**exchange, "批准文号": written}], CHANGES)
    code, report = sync(roster.folder, db_path)
    assert code == 0, report
    with sqlite3.connect(db_path) as conn:  # nothing recorded as corrected
        assert conn.execute(recorded).fetchall() == before


@pytest.mark.parametrize("suffix", ["号之一", "-1号", "号（补充）"])
def test_an_applied_events_document_corrected_to_its_supplement_is_a_correction(
    roster: RegisterFactory, db_path: Path, suffix: str
) -> None:
    """…1号 corrected to …1号之一 (…1-1号, …1号（补充）), another document: read as a citation of
    …1号, it was thrown away — 修改 0, no history, the event still citing …1号 (an auditor's
    review). Recorded as a roster's corrected 批准文号 is: applied, counted, its old value kept."""
    exchange = status_event("换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903")
    roster.add("changes.xlsx", [exchange], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    old = str(exchange["批准文号"])
    corrected = old.removesuffix("号") + suffix
    roster.add("changes.xlsx", [{**exchange, "批准文号": corrected}], CHANGES)
    code, report = sync(roster.folder, db_path)
    assert code == 0, report
    [register] = [r for r in report["registers"] if r["file"] == "changes.xlsx"]
    assert (register["outcome"], register["changed"]) == ("updated", 1), register
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT approval_doc FROM status_events").fetchall() == [(corrected,)]
        history = conn.execute(
            "SELECT number, field, old, new FROM certificate_history"
            " WHERE field IN ('换发批准文号', 'approval_doc') ORDER BY id"
        ).fetchall()
    assert history == [
        ("Z1122020901", "换发批准文号", old, corrected),
        ("Z1122020903", "approval_doc", old, corrected),  # the certificate the 换发 made
    ]


def test_3_events_after_a_corrected_name_name_the_corrected_holder(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A 换发 corrects 周杰 to 周洁; a later event on the new number in the same file names 周洁,
    as it would in a later file."""
    events = [
        status_event("换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903", 更正姓名="周洁"),
        status_event("撤销", "Z1122020903", "周洁", "2013-06-01", 批准文号="绵人社函〔2013〕2号"),
    ]
    roster.add("changes.xlsx", events, CHANGES)
    code, report = sync(roster.folder, db_path)
    assert code == 0, report
    with app(db_path) as client:
        assert check(client, "Z1122020903", "周洁")["result"] == "revoked"


def app(db: Path) -> TestClient:
    return TestClient(create_app(Settings(db=db, secret=Secret(SECRET), rate_limit=0)))


def check(client: TestClient, number: str, name: str) -> dict[str, Any]:
    answer: dict[str, Any] = client.post(
        "/api/v1/verify", json={"number": number, "name": name}
    ).json()
    return answer


def test_3_an_exchange_records_the_corrected_values(roster: RegisterFactory, db_path: Path) -> None:
    correction = status_event(
        "换发", "Z1122020902", "郑浩", "2013-01-10", "Z1122020903", 更正姓名="郑皓", 更正工种="钳工"
    )
    roster.add("changes.xlsx", [correction], CHANGES)
    code, report = sync(roster.folder, db_path)
    assert code == 0, report
    with sqlite3.connect(db_path) as conn:
        history = conn.execute(
            "SELECT field, old, new FROM certificate_history WHERE number = 'Z1122020903'"
            " ORDER BY field"
        ).fetchall()
    assert history == [
        ("name", "郑浩", "郑皓"),
        ("name_key", "郑浩", "郑皓"),
        ("trade", "电工", "钳工"),
    ]
    with app(db_path) as client:
        assert check(client, "Z1122020903", "郑皓")["trade"] == "钳工"
        assert check(client, "Z1122020903", "郑浩")["result"] == "no_match"
        old = check(client, "Z1122020902", "郑浩")
    assert (old["result"], old["replaced_by"], old["successor"]) == (
        "superseded",
        "换发",
        "Z1122020903",
    )


def test_4_a_reissue_under_a_new_number_keeps_its_mark(
    roster: RegisterFactory, db_path: Path
) -> None:
    roster.add(
        "changes.xlsx",
        [status_event("补发", "Z1122020902", "郑浩", "2013-01-10", "Z1122020903")],
        CHANGES,
    )
    code, report = sync(roster.folder, db_path)
    assert code == 0, report
    with app(db_path) as client:
        new = check(client, "Z1122020903", "郑浩")
        old = check(client, "Z1122020902", "郑浩")
        page = client.get("/")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        result_page = client.post(
            "/check", data={"number": "Z1122020903", "name": "郑浩", "csrf_token": token}
        )
    assert (new["result"], new["reissue"], new["reissue_of"]) == ("valid", True, "Z1122020902")
    mark = "该证书为补发证书（原证书 Z1122020902 已作废），证书正页右下方应注明“补发”字样"
    assert mark in new["advice"] and mark in result_page.text
    assert (old["result"], old["replaced_by"]) == ("superseded", "补发")
    assert "遗失补发" in old["advice"] and "换发为" not in old["advice"]


@pytest.mark.parametrize(
    ("change", "column", "fragment"),
    [
        ({"原公布文件": "随便写的文件"}, "原公布文件", "绵人社函〔2012〕8号"),
        ({"主管部门审核": ""}, "主管部门审核", "补发须有主管部门审核"),
        ({"发证机关审核": ""}, "发证机关审核", "补发须有发证机关审核"),
    ],
)
def test_5_a_reissue_cites_its_documents_and_both_reviews(
    roster: RegisterFactory, db_path: Path, change: dict[str, str], column: str, fragment: str
) -> None:
    roster.add(
        "changes.xlsx",
        [status_event("补发", "Z1122020902", "郑浩", "2013-01-10", **change)],
        CHANGES,
    )
    [(row, where, rule, clause)] = refused(roster, db_path, "changes.xlsx")
    assert (row, where, clause) == (3, column, "§四.(六)3") and fragment in rule


def test_6_the_issue_date_is_the_year_of_the_approving_document(
    registers: RegisterFactory, db_path: Path
) -> None:
    facts = {**MIANYANG, "approval_doc": "绵人社函〔2013〕8号", "issued_on": "2011-01-05"}
    registers.add("dated.xlsx", [approval_row("Z1122020901", "周杰")], facts)
    [(row, column, rule, clause)] = refused(registers, db_path, "dated.xlsx")
    assert (row, column, clause) == (None, "approval_doc", "§四.(三)") and "〔2013〕" in rule


def test_6_an_approving_document_carries_its_year(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A document number without 〔year〕 was let through unchecked."""
    facts = {**MIANYANG, "approval_doc": "绵人社函8号"}
    registers.add("dated.xlsx", [approval_row("Z1122020901", "周杰")], facts)
    [(row, column, rule, clause)] = refused(registers, db_path, "dated.xlsx")
    assert (row, column, clause) == (None, "approval_doc", "§四.(三)")
    assert "文号中没有年份" in rule and "〔2012〕" in rule
    assert "请改正 registers.toml 中的 approval_doc" in rule  # the manifest's, not the file's


@pytest.mark.parametrize(
    ("facts", "column", "said"),
    [
        (
            {"issued_on": "2012-04-01"},
            "issued_on",
            "以发证日期 2012-03-20 导入，本名册为 2012-04-01",
        ),
        ({"approval_doc": "绵人社函〔2012〕 第8号"}, "issued_on", "发证日期 2012-03-20"),
        (
            {"authority": "2203", "issued_on": "2012-03-20"},
            "approval_doc",
            "已以发证机关 2202 按同一批准文件导入",
        ),
    ],
)
def test_6_one_approving_document_has_one_date_and_one_department(
    roster: RegisterFactory, db_path: Path, facts: dict[str, str], column: str, said: str
) -> None:
    """Two rosters citing one document (however spelt) with two issue dates had loaded: the
    public answer gave certificates of one approval two 发证日期 (an auditor's review). Nor is
    one department's document another's approval."""
    changed = {**MIANYANG, "issued_on": "2012-05-01", **facts}
    number = "Z1122030001" if facts.get("authority") == "2203" else "Z1122020903"
    roster.add("second.xlsx", [approval_row(number, "吴敏")], changed)
    [(row, where, rule, clause)] = refused(roster, db_path, "second.xlsx")
    assert (row, where, clause) == (None, column, "§四.(三)") and said in rule


@pytest.mark.parametrize(
    ("document", "said"),
    [
        ("绵人社函〔2012〕", "没有序号"),
        ("〔2012〕8号", "没有发文机关代字"),
        ("绵人社函〔2012〕零八号", "序号须用阿拉伯数字"),
    ],
)
def test_6_an_approving_document_is_a_whole_document_number(
    registers: RegisterFactory, db_path: Path, document: str, said: str
) -> None:
    """A 补发's 原公布文件 is matched to its roster's approval document exactly: one missing its
    serial or its issuer was let through, and every later citation held to it (an auditor's
    review)."""
    registers.add(
        "m.xlsx", [approval_row("Z1122020901", "周杰")], {**MIANYANG, "approval_doc": document}
    )
    [(row, column, rule, clause)] = refused(registers, db_path, "m.xlsx")
    assert (row, column, clause) == (None, "approval_doc", "§四.(三)") and said in rule
    assert "registers.toml" in rule


@pytest.mark.parametrize("document", ["绵人社函〔2012〕8号之一", "绵人社函〔2012〕8-1号"])
def test_6_a_documents_supplement_is_another_document(
    roster: RegisterFactory, db_path: Path, document: str
) -> None:
    """…8号之一, …8-1号 are documents of their own, of their own date (a review: refused as
    …8号 with another 发证日期)."""
    later = {**MIANYANG, "approval_doc": document, "issued_on": "2012-05-01"}
    roster.add("second.xlsx", [approval_row("Z1122020903", "吴敏")], later)
    code, report = sync(roster.folder, db_path)
    assert code == 0, report


def test_6_a_roster_loaded_before_the_one_date_rule_is_not_refused_for_it(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A roster an older certreg loaded under the document of another with another date keeps
    loading its new versions; one changing its date is held to the rule."""
    later = {**MIANYANG, "approval_doc": "绵人社函〔2012〕9号", "issued_on": "2012-05-01"}
    roster.add("second.xlsx", [approval_row("Z1122020903", "吴敏")], later)
    assert sync(roster.folder, db_path)[0] == 0
    mended_by_hand(
        db_path,
        "UPDATE registers SET approval_doc = ? WHERE key = 'second.xlsx'",
        "绵人社函〔2012〕8号",
    )
    rows = [approval_row("Z1122020903", "吴敏"), approval_row("Z1122020904", "何静")]
    roster.add("second.xlsx", rows, {**later, "approval_doc": "绵人社函〔2012〕8号"})
    code, report = sync(roster.folder, db_path)
    assert code == 0, report
    roster.add("second.xlsx", rows, {**MIANYANG, "issued_on": "2012-06-01"})
    assert sync(roster.folder, db_path)[0] == 1


def test_the_provinces_approval_roster_is_numbered_for_the_province(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A city's 技师 on the province's 附件4 roster numbered for the city loaded, past 附件5's
    checks (its 批准文号 per row, its trades kept together): 附件4 of the province is of 中央在川
    and 省直 units (an auditor's review)."""
    city = {
        **MIANYANG,
        "authority": "2200",
        "region": "2202",
        "approval_doc": "川人社函〔2012〕12号",
    }
    registers.add("m.xlsx", [approval_row("J1122020001", "周杰", 报考等级="技师")], city)
    [(row, column, rule, clause)] = refused(registers, db_path, "m.xlsx")
    assert (row, column, clause) == (
        None,
        "region",
        "§四.(五)2",
    ) and "技师审核名册（附件5）" in rule
    # that register refused, not the folder: the others load (a review: exit 2 stopped them)
    registers.add("mianyang.xlsx", [approval_row("Z1122020901", "郑浩")], MIANYANG)
    code, report = sync(registers.folder, db_path)
    assert code == 1 and [r["outcome"] for r in report["registers"]] == ["rejected", "loaded"]


def test_a_city_roster_numbered_on_the_provinces_roster_is_sent_to_its_city_for_its_levels(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A 中级 row of 自贡市 on the province's roster (authority 2200, region 2203) was told
    "自贡市单位的技师请填技师审核名册（附件5）": it is no 技师 — 自贡市 issues its own 中级
    (§三、§四.(五)2; a clerk's review)."""
    city = {**MIANYANG, "authority": "2200", "region": "2203"}
    registers.add("zigong.xlsx", [approval_row("Z1122030001", "张伟")], city)
    found = refused(registers, db_path, "zigong.xlsx")
    [(rule, clause)] = [(rule, clause) for row, column, rule, clause in found if row is None]
    assert clause == "§三、§四.(五)2"
    assert "自贡市单位的初级、中级、高级证书由自贡市人力资源和社会保障部门自己核发" in rule
    assert "authority 写为 2203（单个文件用 --authority 2203）" in rule
    assert "技师" not in rule.split("：", 1)[1].replace("自己核发", "")


def test_a_technicians_number_of_another_level_is_told_its_letter_only(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A Z number on a 附件5 row was also told the province numbers 中级 with 2200 (§三): the
    clerk was sent to mend the region, where the letter is wrong (an auditor's review)."""
    registers.add("technicians.xlsx", [technician_row("Z1122010001")], TECHNICIANS)
    [(row, column, rule, clause)] = refused(registers, db_path, "technicians.xlsx")
    assert (row, clause) == (3, "附件3") and "首位“Z”（中级工）与报考等级“技师”不符" in rule


def test_6_a_technician_row_cites_a_document_of_its_year(
    registers: RegisterFactory, db_path: Path
) -> None:
    row = technician_row("J1122010001", 批准文号="川人社函〔2014〕99号")
    registers.add("technicians.xlsx", [row], TECHNICIANS)
    [(where, column, rule, clause)] = refused(registers, db_path, "technicians.xlsx")
    assert (where, column, clause) == (3, "批准文号", "§四.(三)") and "〔2014〕" in rule


def test_6_a_row_without_a_number_is_told_its_documents_year_too(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A row with another problem (no number yet) was not judged by its 批准文号: the clerk
    learnt of the wrong year only on the next sync, after numbering."""
    row = technician_row("", 批准文号="川人社函〔2014〕99号")
    registers.add("technicians.xlsx", [row], TECHNICIANS)
    found = refused(registers, db_path, "technicians.xlsx")
    assert sorted((where, column) for where, column, _, _ in found) == [
        (3, "批准文号"),
        (3, "颁发证书编号"),
    ]


@pytest.mark.parametrize("ditto", ["同上", "仝上", "〃", "″", "同 上。", "〃〃"])
def test_6_a_technician_row_writes_its_own_values_not_ditto_marks(
    registers: RegisterFactory, db_path: Path, ditto: str
) -> None:
    """同上 in 工作单位 was stored as the unit; in 批准文号, refused as a document without a year."""
    rows = [
        technician_row("J1122010001", "甲"),
        technician_row("J1122010002", "乙", 工作单位=ditto),
    ]
    registers.add("technicians.xlsx", rows, TECHNICIANS)
    [(row, column, rule, clause)] = refused(registers, db_path, "technicians.xlsx")
    assert (row, column, clause) == (4, "工作单位", "§四.(五)") and "不能用“同上”" in rule


def test_6_a_technician_column_merged_over_its_rows_is_refused(
    registers: RegisterFactory, db_path: Path
) -> None:
    """批准文号, 文化程度, 工作单位 merged over three rows: only the first row held them, the others
    were stored without unit or education and with the manifest's document instead of the
    sheet's — a different 原公布文件 for their later 补发."""
    rows = [technician_row(f"J112201000{i}", name) for i, name in enumerate("甲乙丙", start=1)]
    registers.add("technicians.xlsx", rows, TECHNICIANS)
    path = registers.folder / "technicians.xlsx"
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[2]]
    for column in ("文化程度", "工作单位", "批准文号"):
        letter = openpyxl.utils.get_column_letter(header.index(column) + 1)
        sheet.merge_cells(f"{letter}3:{letter}5")
    workbook.save(path)
    problems = refused(registers, db_path, "technicians.xlsx")
    # each merged range once, at its first row: not again as each row below it left empty
    assert sorted((p[0], p[1]) for p in problems) == [
        (3, column) for column in sorted(("文化程度", "工作单位", "批准文号"))
    ]
    assert all(p[3] == "§四.(五)" for p in problems)
    assert all(re.match(r"单元格 [A-Z]3:[A-Z]5 合并了第3–5行", p[2]) for p in problems)


@pytest.mark.parametrize(
    ("numbers", "row", "expected"),
    [
        (["Z1122020905", "Z1122020901"], 5, "Z1122020906"),
        (["Z1122020901", "Z1122029999"], 5, "Z1122020902"),
    ],
    ids=["step back", "gap"],
)
def test_7_each_level_is_numbered_in_roster_order(
    registers: RegisterFactory, db_path: Path, numbers: list[str], row: int, expected: str
) -> None:
    rows = [approval_row(numbers[0], "周杰"), approval_row(numbers[1], "郑浩")]
    registers.add("order.xlsx", rows, MIANYANG)
    [(where, column, rule, clause)] = refused(registers, db_path, "order.xlsx")
    assert (where, column, clause) == (row, "颁发证书编号", "附件3 四、§四.(五)3")
    assert f"这一行应为 {expected}" in rule


def test_7_a_technician_roster_keeps_each_trade_together(
    registers: RegisterFactory, db_path: Path
) -> None:
    rows = [
        technician_row("J1122010001", "甲", 报考工种="中式烹调师"),
        technician_row("J1122010002", "乙", 报考工种="电工"),
        technician_row("J1122010003", "丙", 报考工种="中式烹调师"),
    ]
    registers.add("technicians.xlsx", rows, TECHNICIANS)
    [(row, column, rule, clause)] = refused(registers, db_path, "technicians.xlsx")
    assert (row, column, clause) == (5, "报考工种", "§四.(五)2") and "第3行及以前" in rule


@pytest.mark.parametrize(
    ("agreed", "fragment", "clause"),
    [
        ("同意初级 人，中级 1 人，高级 人，技师 人。", "中级 1 人，名册中实有 2 人", "§四.(六)1"),
        ("同意初级 0 人，中级 一 人，高级 0 人，技师 0 人。", "“一”须用阿拉伯数字", "§四.(三)"),
        ("同意中级 5 人。 审查人：", "中级 5 人，名册中实有 2 人", "§四.(六)1"),
        ("同意中级5人，初级0人，高级0人，技师0人。", "中级 5 人，名册中实有 2 人", "§四.(六)1"),
        ("同意初级0人，中级5人，高级0人。", "中级 5 人，名册中实有 2 人", "§四.(六)1"),
        (
            "同意初级 / 人，中级 5 人，高级 — 人，技师 无 人。",
            "中级 5 人，名册中实有 2 人",
            "§四.(六)1",
        ),
        ("同意初级工 0 人，中级工 5 人，高级工 0 人。", "中级 5 人，名册中实有 2 人", "§四.(六)1"),
        ("同意初级 0 名，中级 5 名。", "中级 5 人，名册中实有 2 人", "§四.(六)1"),
    ],
    ids=[
        "blanks are zero",
        "Chinese numerals",
        "one level",
        "another order",
        "no 技师",
        "dashes",
        "初级工",
        "名",
    ],
)
def test_8_footer_counts_as_the_form_prints_them(
    registers: RegisterFactory, db_path: Path, agreed: str, fragment: str, clause: str
) -> None:
    rows = [approval_row("Z1122020901", "周杰"), approval_row("Z1122020902", "郑浩")]
    registers.add("footer.xlsx", rows, MIANYANG, footer=[f"证书核发部门意见：{agreed}"])
    problems = refused(registers, db_path, "footer.xlsx")
    assert [(p[1], p[3]) for p in problems] == [("证书核发部门意见", clause)]
    assert fragment in str(problems[0][2])


def test_8_a_footer_count_is_quoted_as_the_form_prints_it(
    registers: RegisterFactory, db_path: Path
) -> None:
    """Quoted as 中级工 5 人, the count was not to be found in a footer saying 同意中级 5 人."""
    rows = [approval_row("Z1122020901", "周杰"), approval_row("Z1122020902", "郑浩")]
    registers.add("footer.xlsx", rows, MIANYANG, footer=["证书核发部门意见：同意中级 5 人。"])
    code, report = sync(registers.folder, db_path)
    assert code == 1
    [problem] = report["registers"][0]["problems"]
    assert problem["value"] == "中级 5 人"


def test_8_a_data_row_below_the_footer_is_not_dropped_without_a_word(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A row a clerk added below the signatures is not read as data: the register is refused,
    naming that row, rather than loaded without it."""
    late = approval_row("Z1122020903", "吴敏")
    registers.add(
        "footer.xlsx",
        [approval_row("Z1122020901", "周杰")],
        MIANYANG,
        footer=["填报单位意见：同意"],
    )
    path = registers.folder / "footer.xlsx"
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    sheet.append([late.get(name) for name in LAYOUTS["approval-roster"].form_columns])
    workbook.save(path)
    [(row, column, rule, clause)] = refused(registers, db_path, "footer.xlsx")
    assert (row, column, clause) == (sheet.max_row, None, "§四.(五)") and "页脚" in rule


@pytest.mark.parametrize(
    "footer",
    [
        ["证书核发部门意见：同意初级 0 人，中级 1 人，高级 0 人，技师 0 人（编号 Z1122020901）"],
        ["证书核发部门意见：同意中级 1 人", "备注：Z1122020900 已于上批发放"],
        ["证书核发部门意见：同意中级 1 人", "备注： Z1122020900 已于上批发放"],
        ["证书核发部门意见：同意中级 1 人", "注：Z1122020900 原证遗失，另行补发"],
        ["证书核发部门意见：同意中级 1 人", "本批证书号Z1122020901—Z1122020901，共1本"],
        ["证书核发部门意见：同意中级 1 人", "联系电话：028-86123456 13812345678"],
        ["证书核发部门意见：同意中级 1 人", "作废 Z1122020900"],
        ["证书核发部门意见：同意中级 1 人", "周杰 Z1122020901"],  # the file's own holder, listed
    ],
    ids=[
        "in the opinion",
        "a remark",
        "a spaced remark",
        "a note",
        "a range",
        "a phone",
        "a spoiled blank",
        "a collection list",
    ],
)
def test_8_a_footer_that_mentions_a_number_is_a_footer(
    registers: RegisterFactory, db_path: Path, footer: list[str]
) -> None:
    """Only a row that holds a number in a cell of its own is a holder left below the footer."""
    loads_with_footer(registers, db_path, footer)


def test_8_a_holder_typed_in_one_cell_below_the_footer_is_named(
    registers: RegisterFactory, db_path: Path
) -> None:
    registers.add(
        "footer.xlsx",
        [approval_row("Z1122020901", "周杰")],
        MIANYANG,
        footer=["证书核发部门意见：同意中级 1 人", "郑浩 Z1122020902"],
    )
    [(row, column, rule, clause)] = refused(registers, db_path, "footer.xlsx")
    assert (column, clause) == (None, "§四.(五)") and "有证书编号" in rule


def test_8_a_sparse_row_with_a_number_below_the_footer_is_named_too(
    registers: RegisterFactory, db_path: Path
) -> None:
    """Three cells (姓名, 报考等级, 颁发证书编号) look like a signature line by their count: the
    certificate number says it is a holder left out."""
    registers.add(
        "footer.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG, footer=["负责人：张"]
    )
    path = registers.folder / "footer.xlsx"
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    sheet.append(["李四", None, None, None, None, None, None, None, "中级", None, "Z1122020902"])
    workbook.save(path)
    [(row, column, rule, clause)] = refused(registers, db_path, "footer.xlsx")
    assert (row, column, clause) == (sheet.max_row, None, "§四.(五)")
    assert "页脚" in rule and "有证书编号" in rule


def test_9_a_superseded_or_revoked_certificate_is_not_collected(
    roster: RegisterFactory, db_path: Path
) -> None:
    roster.add(
        "changes.xlsx",
        [
            status_event("换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903"),
            status_event("撤销", "Z1122020902", "郑浩", "2013-01-10"),
        ],
        CHANGES,
    )
    assert sync(roster.folder, db_path)[0] == 0
    roster.add(
        "collected.xlsx",
        [collection("Z1122020901", day="2013-02-01"), collection("Z1122020902", day="2013-02-01")],
        {"kind": "collections", "authority": "2202"},
    )
    problems = refused(roster, db_path, "collected.xlsx")
    assert [(p[0], p[1], p[3]) for p in problems] == [
        (3, "证书编号", "§四.(六)1"),
        (4, "证书编号", "§四.(六)1"),
    ]
    assert "Z1122020903" in str(problems[0][2]) and "撤销" in str(problems[1][2])


def test_9_a_revocation_and_a_collection_in_one_run(roster: RegisterFactory, db_path: Path) -> None:
    roster.add("changes.xlsx", [status_event("撤销", "Z1122020902", "郑浩", "2013-01-10")], CHANGES)
    roster.add(
        "collected.xlsx",
        [collection("Z1122020902", day="2013-02-01")],
        {"kind": "collections", "authority": "2202"},
    )
    result = CliRunner().invoke(
        cli, ["sync", str(roster.folder), "--db", str(db_path), "--dry-run", "--json"]
    )
    assert result.exit_code == 1
    assert "撤销" in problems_of(json.loads(result.stdout), "collected.xlsx")[0][2]


def test_9_a_dispatch_does_not_predate_its_approval(
    registers: RegisterFactory, db_path: Path
) -> None:
    registers.add(
        "requisitions.xlsx", [requisition(UNIT, 0, 2, province="同意 2012-03-01")], BLANKS
    )
    assert sync(registers.folder, db_path)[0] == 0
    registers.add(
        "dispatches.xlsx",
        [dispatch(UNIT, 0, 2, day="2012-02-20")],
        {"kind": "dispatches", "authority": "2200"},
    )
    [(row, column, rule, clause)] = refused(registers, db_path, "dispatches.xlsx")
    assert (row, column, clause) == (3, "中级", "§四.(二)") and "2012-02-20" in rule


def test_9_a_corrected_requisition_cannot_withdraw_blanks_already_handed_out(
    registers: RegisterFactory, db_path: Path
) -> None:
    """Two 中级 blanks approved and handed out; a new version of the requisitions approving one
    is refused (§四.(二)): the stock would otherwise show a blank from nowhere."""
    registers.add("requisitions.xlsx", [requisition(UNIT, 0, 2)], BLANKS)
    registers.add(
        "dispatches.xlsx", [dispatch(UNIT, 0, 2)], {"kind": "dispatches", "authority": "2200"}
    )
    assert sync(registers.folder, db_path)[0] == 0
    registers.add("requisitions.xlsx", [requisition(UNIT, 0, 1)], BLANKS)
    [(row, column, rule, clause)] = refused(registers, db_path, "requisitions.xlsx")
    assert (row, column, clause) == (3, "中级", "§四.(二)")
    assert "2 本" in rule and "1 本" in rule and "先更正发放单" in rule


def test_9_requisitions_and_their_dispatches_corrected_together_load_in_one_run(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A requisition approved and dispatched twice over, both registers corrected: the
    requisitions (loaded first) wait for the corrected dispatches instead of being refused
    with advice to correct what the clerk has already corrected."""
    registers.add("requisitions.xlsx", [requisition(UNIT, 0, 2)], BLANKS)
    dispatches = {"kind": "dispatches", "authority": "2200"}
    registers.add("dispatches.xlsx", [dispatch(UNIT, 0, 2)], dispatches)
    assert sync(registers.folder, db_path)[0] == 0
    registers.add("requisitions.xlsx", [requisition(UNIT, 0, 1)], BLANKS)
    registers.add("dispatches.xlsx", [dispatch(UNIT, 0, 1)], dispatches)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT intermediate FROM requisitions").fetchall() == [(1,)]
        assert conn.execute("SELECT intermediate FROM dispatches").fetchall() == [(1,)]


def test_10_the_public_page_says_what_annex_3_says_of_the_year_code(
    roster: RegisterFactory, db_path: Path
) -> None:
    with app(db_path) as client:
        page = client.get("/").text
    assert "核发年份代码" in page and "首批证书统一取 11（附件3 二）" in page
    assert "发证年份的后两位" not in page


def test_11_a_malformed_number_sends_an_old_certificate_to_its_issuer_not_away(
    roster: RegisterFactory, db_path: Path
) -> None:
    """§五.(四) voids the old *blank* forms, not certificates issued on them before: the answer
    said those blanks "作废", which an employer read as the holder's old certificate void."""
    with app(db_path) as client:
        answer = check(client, "Z11220209", "周杰")
    assert answer["result"] == "malformed" and "§五.(四)" in answer["advice"]
    assert "不等于证书无效，请向发证机关核实" in answer["advice"] and "作废" not in answer["advice"]


def test_a_register_loaded_before_is_not_judged_again_by_the_order_rule(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A register already in the registry was numbered under the rules of its day: a corrected
    version of it is not refused for its order (the registry is not re-judged)."""
    registers.add("old.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    rows = [approval_row("Z1122020902", "郑浩"), approval_row("Z1122020901", "周杰")]
    registers.add("old.xlsx", rows, MIANYANG)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report


def test_a_new_version_swapping_two_rows_loaded_in_order_is_judged_by_the_order_rule(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A version only swapping 周杰 (Z…901) and 郑浩 (Z…902) loaded as 修改 (所在行), the
    numbers then out of roster order — which the same file loaded fresh is refused for: the
    certificates are printed in the roster's order (附件3 四、§四.(五)3; a clerk's review)."""
    rows = [approval_row("Z1122020902", "郑浩"), approval_row("Z1122020901", "周杰")]
    roster.add("mianyang.xlsx", rows, MIANYANG)
    [(row, column, rule, clause)] = refused(roster, db_path, "mianyang.xlsx")
    assert (row, column, clause) == (5, "颁发证书编号", "附件3 四、§四.(五)3")
    # issued numbers stay: the row moved goes back where it was loaded (no certreg number)
    assert "Z1122020901 已登记，这一行没有移动：Z1122020902（本文件第4行）被移动了" in rule
    assert "恢复已登记名册的行序" in rule and "certreg number" not in rule


def test_rows_loaded_out_of_order_before_the_rule_may_stay_so_in_a_new_version(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A roster loaded with Z…902 above Z…901 (as the registry held rosters before the order
    rule) is not judged again for it: a new version keeping those rows where they were, and
    adding one, loads."""
    mended_by_hand(
        db_path,
        "UPDATE certificates SET source_row = 9 - source_row WHERE register = 'mianyang.xlsx'",
    )
    rows = [approval_row("Z1122020902", "郑浩"), approval_row("Z1122020901", "周杰")]
    roster.add("mianyang.xlsx", [*rows, approval_row("Z1122020903", "吴敏")], MIANYANG)
    code, report = sync(roster.folder, db_path)
    assert code == 0, report


def test_rows_a_new_version_adds_are_judged_by_the_order_rule(
    roster: RegisterFactory, db_path: Path
) -> None:
    """The rows loaded before are not judged again, but a row the new version adds is: Z…905
    after Z…902 skips two numbers (附件3 四)."""
    rows = [
        approval_row("Z1122020901", "周杰"),
        approval_row("Z1122020902", "郑浩"),
        approval_row("Z1122020905", "吴敏"),
    ]
    roster.add("mianyang.xlsx", rows, MIANYANG)
    [(row, column, rule, clause)] = refused(roster, db_path, "mianyang.xlsx")
    assert (row, column, clause) == (6, "颁发证书编号", "附件3 四、§四.(五)3")
    assert "跳号" in rule and "Z1122020903" in rule


@pytest.mark.parametrize(
    ("written", "words", "clause"),
    [
        ("G1122020902", "与报考等级“中级工”不符", "附件3"),  # the 高级 letter on a 中级 row
        ("X1122020902", "不是等级代码", "附件3"),
        (
            "Z1122030902",
            "地区代码“2203”（自贡市）与本名册的编号地区 2202（绵阳市）不符",
            "§四.(四)",
        ),
        ("Z1222020902", "年份代码“12”与本批次核发年份代码“11”不符", "附件3"),
    ],
)
def test_a_number_refused_for_itself_is_the_one_problem_of_its_run(
    registers: RegisterFactory, db_path: Path, written: str, words: str, clause: str
) -> None:
    """A 中级 row's number refused for its letter, form, region or year code (附件3, §四.(四)):
    the next 中级 row was told it skipped a number, and the 高级 row that rightly has G…902 that
    it repeated row 5 — advice that had a clerk renumber correct rows."""
    rows = [
        approval_row("Z1122020901", "周杰"),
        approval_row(written, "郑浩"),
        approval_row("Z1122020903", "吴敏"),
        approval_row("G1122020901", "王芳", "高级"),
        approval_row("G1122020902", "李强", "高级"),
    ]
    registers.add("mianyang.xlsx", rows, MIANYANG)
    [(row, column, rule, found_clause)] = refused(registers, db_path, "mianyang.xlsx")
    assert (row, column, found_clause) == (5, "颁发证书编号", clause)
    assert words in rule
    # the correction the report asks for leaves nothing to refuse
    rows[1] = approval_row("Z1122020902", "郑浩")
    registers.add("mianyang.xlsx", rows, MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0


@pytest.mark.parametrize("column", ["原岗位证书号（未获工种年限）", "备注"])
def test_a_ditto_mark_in_a_column_stored_as_written_is_not_stored(
    registers: RegisterFactory, db_path: Path, column: str
) -> None:
    rows = [
        approval_row("Z1122020901", "周杰"),
        approval_row("Z1122020902", "郑浩", **{column: "同上"}),
    ]
    registers.add("mianyang.xlsx", rows, MIANYANG)
    [(row, found, rule, clause)] = refused(registers, db_path, "mianyang.xlsx")
    assert (row, found, clause) == (5, column, "§四.(五)") and "不能用“同上”" in rule


def test_a_ditto_mark_in_any_roster_column_is_told_as_one(
    registers: RegisterFactory, db_path: Path
) -> None:
    """同上 and 〃 repeat the row above on paper; in 性别, 报考工种 or 报考等级 they were told
    "性别应为男或女", "不是…规定的工种名称" — not what the clerk wrote them for."""
    rows = [
        approval_row("Z1122020901", "周杰"),
        approval_row("Z1122020902", "郑浩", 性别="同上", 报考工种="〃", 报考等级="同 上"),
        approval_row("Z1122020903", "吴敏", 性别=None),
    ]
    registers.add("mianyang.xlsx", rows, MIANYANG)
    found = {
        (row, column): rule for row, column, rule, _ in refused(registers, db_path, "mianyang.xlsx")
    }
    ditto = "不能用“同上”或“〃”代替上一行的内容"
    assert all(ditto in found[5, column] for column in ("性别", "报考工种", "报考等级"))
    assert found[6, "性别"].startswith("必填项为空")


def test_a_row_whose_level_is_mistyped_keeps_its_number_in_its_letters_run(
    registers: RegisterFactory, db_path: Path
) -> None:
    """G…902 between G…901 and G…903, on a row whose 报考等级 says 中级: the number may be right
    and the level wrong. Taken as a 中级 row's placeholder, it had the 中级 rows after it told
    to renumber, and G…903 that it skipped a number."""
    rows = [
        approval_row("G1122020901", "周杰", "高级"),
        approval_row("G1122020902", "郑浩", "中级"),
        approval_row("G1122020903", "吴敏", "高级"),
        approval_row("Z1122020901", "王芳"),
        approval_row("Z1122020902", "李强"),
    ]
    registers.add("mianyang.xlsx", rows, MIANYANG)
    [(row, _, rule, _)] = refused(registers, db_path, "mianyang.xlsx")
    assert row == 5 and "与报考等级“中级工”不符" in rule


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # a 中级 row with G…905: neither run's next; Z…903 after Z…901 skips Z…902
        (
            [("Z1122020901", "中级"), ("G1122020905", "中级"), ("Z1122020903", "中级")],
            {5: "与报考等级", 6: "这一行应为 Z1122020902"},
        ),
        # Z…903 on a row whose level says 高级: it is the 中级 run's next, and the 高级 rows
        # around it are in order — the level is the mistake, nothing is to renumber
        (
            [
                ("Z1122020901", "中级"),
                ("Z1122020902", "中级"),
                ("G1122020901", "高级"),
                ("G1122020902", "高级"),
                ("Z1122020903", "高级"),
                ("Z1122020904", "中级"),
                ("G1122020903", "高级"),
            ],
            {8: "与报考等级"},
        ),
        # a 高级 row, its level's first, numbered with the 中级 letter: that row's problem only
        (
            [
                ("Z1122020901", "中级"),
                ("Z1122020902", "中级"),
                ("Z1122020001", "高级"),
                ("G1122020002", "高级"),
                ("Z1122020903", "中级"),
            ],
            {6: "与报考等级"},
        ),
        # another region's number: its own problem; the next row is not told to renumber
        (
            [("Z1122020901", "中级"), ("Z1122030905", "中级"), ("Z1122020903", "中级")],
            {5: "地区代码"},
        ),
        # not a number at all, then the number it was to be, written by the next row
        (
            [
                ("Z1122020901", "中级"),
                ("Z11220209O2", "中级"),
                ("Z1122020902", "中级"),
                ("Z1122020904", "中级"),
            ],
            {5: "11位", 7: "上一行（第6行）是 Z1122020902，这一行应为 Z1122020903"},
        ),
    ],
)
def test_the_order_rules_blame_only_the_rows_to_change(
    registers: RegisterFactory,
    db_path: Path,
    rows: list[tuple[str, str]],
    expected: dict[int, str],
) -> None:
    names = "周杰郑浩吴敏王芳李强赵六钱七"
    written = [approval_row(number, names[i], level) for i, (number, level) in enumerate(rows)]
    registers.add("mianyang.xlsx", written, MIANYANG)
    found = {row: rule for row, _, rule, _ in refused(registers, db_path, "mianyang.xlsx")}
    assert set(found) == set(expected), found
    assert all(words in found[row] for row, words in expected.items()), found


def test_a_gap_after_a_number_refused_for_itself_is_measured_from_its_correction(
    registers: RegisterFactory, db_path: Path
) -> None:
    rows = [
        approval_row("Z1122020901", "周杰"),
        approval_row("X1122020902", "郑浩"),
        approval_row("Z1122020904", "吴敏"),
    ]
    registers.add("mianyang.xlsx", rows, MIANYANG)
    found = {row: rule for row, _, rule, _ in refused(registers, db_path, "mianyang.xlsx")}
    assert set(found) == {5, 6} and "不是等级代码" in found[5]
    assert "上一行（第5行）改正后应为 Z1122020902，这一行应为 Z1122020903" in found[6]


def test_a_row_added_after_the_next_number_went_to_an_exchange_is_sent_to_a_new_roster(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A 换发 took Z1122020903 after the roster was loaded; a corrected version adding a row
    numbered …904 was told "应为 …903", and numbered …903 that it was taken, "…904 is free" —
    each advice the other's refusal (an auditor's review). It is told to use a new roster."""
    exchange = status_event("换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903")
    roster.add("changes.xlsx", [exchange], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    rows = [approval_row("Z1122020901", "周杰"), approval_row("Z1122020902", "郑浩")]
    roster.add("mianyang.xlsx", [*rows, approval_row("Z1122020904", "吴敏")], MIANYANG)
    [(row, column, rule, clause)] = refused(roster, db_path, "mianyang.xlsx")
    assert (row, column) == (6, "颁发证书编号")
    assert rule.startswith("编号跳号：跳过的 Z1122020903 已登记给别的证书")
    assert "请把新增的人员列入新的名册（另一个文件名），用 certreg number 编号" in rule


def test_a_gap_left_by_the_versions_own_row_left_out_is_told_apart(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A version leaves out 郑浩's Z1122020902 (a conflict: kept) and adds a row numbered …904
    after a 换发 took …903: both skipped numbers were told 已登记给别的证书, and the clerk looked
    for another certificate holding …902 (a clerk's review). Each is said as what it is."""
    exchange = status_event("换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903")
    roster.add("changes.xlsx", [exchange], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    roster.add("mianyang.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG)
    assert sync(roster.folder, db_path)[0] == 0  # the row left out: a conflict, kept
    rows = [approval_row("Z1122020901", "周杰"), approval_row("Z1122020904", "吴敏")]
    roster.add("mianyang.xlsx", rows, MIANYANG)
    [(row, _, rule, _)] = refused(roster, db_path, "mianyang.xlsx")
    assert row == 5
    assert rule.startswith(
        "编号跳号：Z1122020902（郑浩）是本名册已登记的证书，这一版漏列了它的那一行：请把那一行"
        "放回原处"
    )
    assert "跳过的 Z1122020903 已登记给别的证书" in rule
    assert "Z1122020902、" not in rule


def test_a_gap_left_by_the_versions_own_row_left_out_is_not_the_added_rows_number(
    roster: RegisterFactory, db_path: Path
) -> None:
    """The version leaves out …902 and adds …904 with …903 free: it was told 应为 Z1122020902,
    郑浩's issued number (kept though left out). It is told …902's row goes back, and …903."""
    roster.add("mianyang.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG)
    assert sync(roster.folder, db_path)[0] == 0
    rows = [approval_row("Z1122020901", "周杰"), approval_row("Z1122020904", "吴敏")]
    roster.add("mianyang.xlsx", rows, MIANYANG)
    [(row, _, rule, _)] = refused(roster, db_path, "mianyang.xlsx")
    assert row == 5 and rule.startswith("编号跳号：Z1122020902（郑浩）是本名册已登记的证书")
    assert "这一行应为 Z1122020903。" in rule and "应为 Z1122020902" not in rule
    # as told: the row left out back in its place, the added one …903
    put_back = [*rows[:1], approval_row("Z1122020902", "郑浩"), approval_row("Z1122020903", "吴敏")]
    roster.add("mianyang.xlsx", put_back, MIANYANG)
    assert sync(roster.folder, db_path)[0] == 0


def test_a_changed_date_of_an_applied_reissue_is_not_a_second_reissue(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A new version that fixes the date of an applied 补发 (same number) was taken for a second
    补发: the one paper issued was then reported void, and two blanks counted as used."""
    reissue = status_event("补发", "Z1122020901", "周杰", "2013-01-10")
    roster.add("changes.xlsx", [reissue], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    roster.add("changes.xlsx", [{**reissue, "日期": "2013-01-12"}], CHANGES)
    [(row, column, rule, clause)] = refused(roster, db_path, "changes.xlsx")
    assert (row, column, clause) == (3, "日期", "§四.(六)")
    assert "2013-01-10 的补发" in rule and "请恢复原来那一行" in rule
    # lost again: kept apart, on its own approval
    second = status_event(
        "补发", "Z1122020901", "周杰", "2013-06-01", 批准文号="川人社函〔2013〕9号"
    )
    roster.add("changes.xlsx", [reissue, second], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0


@pytest.mark.parametrize(
    ("reason", "corrected"),
    [
        *(
            (reason, {"更正出生年月": "1975.06"})
            for reason in ("证书填写错误（出生年月）", "出生年月填错")
        ),
        *((reason, {"更正姓名": "周洁"}) for reason in ("填写有误", "姓名打错", "笔误")),
        *((reason, {}) for reason in ("证书污损", "证书破损", "证书水浸毁损", "证书破旧")),
        ("证书被水浸泡，字迹模糊", {}),
    ],
)
def test_a_reason_said_in_office_words_is_read(
    roster: RegisterFactory, db_path: Path, reason: str, corrected: dict[str, str]
) -> None:
    """A misfilling (corrected by the exchange) or a damage, in the words offices use."""
    exchange = status_event(
        "换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903", 原因=reason, **corrected
    )
    roster.add("changes.xlsx", [exchange], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0


@pytest.mark.parametrize("reason", ["证书损坏", "损坏"])
def test_only_a_misfilled_certificate_is_corrected_by_its_exchange(
    roster: RegisterFactory, db_path: Path, reason: str
) -> None:
    """§四.(六)2: a damaged certificate is exchanged as it was; only 错填 corrects its content."""
    exchange = status_event(
        "换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903", 原因=reason, 更正姓名="周洁"
    )
    roster.add("changes.xlsx", [exchange], CHANGES)
    [(row, column, rule, clause)] = refused(roster, db_path, "changes.xlsx")
    assert (row, column, clause) == (3, "更正姓名", "§四.(六)2")
    assert "只有因错填而换发的证书可以更正内容" in rule


@pytest.mark.parametrize(
    ("correction", "registered"),
    [
        ({"更正工种": "电工"}, approval_row("Z1122020902", "周杰", 报考工种="钳工")),
        ({"更正姓名": "周洁"}, approval_row("Z1122020902", "周洁")),
        ({"更正出生年月": "1976.01"}, approval_row("Z1122020902", "周杰", 出生年月="1976.01")),
    ],
)
def test_an_exchange_cannot_correct_a_holder_into_a_second_certificate(
    registers: RegisterFactory,
    db_path: Path,
    correction: dict[str, str],
    registered: dict[str, object],
) -> None:
    """§二: 周杰 holds 电工 (901) and the other certificate (902); correcting 902 to what 901
    is would leave one person two certificates of one trade and level."""
    registers.add("mianyang.xlsx", [approval_row("Z1122020901", "周杰"), registered], MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    holder = str(registered["姓名"])
    if "更正工种" in correction:
        exchange = status_event(
            "换发", "Z1122020902", holder, "2013-01-10", "Z1122020903", **correction
        )
    else:  # 902 is 周杰's 电工 as well as 901 once corrected: correct 901 into 902's holder
        exchange = status_event(
            "换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903", **correction
        )
    registers.add("changes.xlsx", [exchange], CHANGES)
    [(row, column, rule, clause)] = refused(registers, db_path, "changes.xlsx")
    assert (row, column, clause) == (3, "新证书编号", "§二")
    assert "已持有证书 Z11220209" in rule


def test_two_exchanges_in_one_file_cannot_correct_into_one_holding(
    registers: RegisterFactory, db_path: Path
) -> None:
    """§二 against the file's own earlier rows: two 换发 that both correct into 周洁/电工/中级."""
    rows = [approval_row("Z1122020901", "周杰"), approval_row("Z1122020902", "郑浩")]
    registers.add("mianyang.xlsx", rows, MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    events = [
        status_event("换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903", 更正姓名="周洁"),
        status_event("换发", "Z1122020902", "郑浩", "2013-01-11", "Z1122020904", 更正姓名="周洁"),
    ]
    registers.add("changes.xlsx", events, CHANGES)
    [(row, column, rule, clause)] = refused(registers, db_path, "changes.xlsx")
    assert (row, column, clause) == (4, "新证书编号", "§二") and "Z1122020903" in rule


def test_a_certificate_revoked_earlier_in_the_file_is_no_holding(
    registers: RegisterFactory, db_path: Path
) -> None:
    """901 (电工) revoked as issued in error, then 902 exchanged with its trade corrected to 电工:
    the holder then holds one 电工 certificate, not two."""
    rows = [
        approval_row("Z1122020901", "周杰"),
        approval_row("Z1122020902", "周杰", 报考工种="钳工"),
    ]
    registers.add("mianyang.xlsx", rows, MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    events = [
        status_event("撤销", "Z1122020901", "周杰", "2013-01-10"),
        status_event("换发", "Z1122020902", "周杰", "2013-01-11", "Z1122020903", 更正工种="电工"),
    ]
    registers.add("changes.xlsx", events, CHANGES)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report


def test_a_corrected_trade_is_checked_apart_from_the_holders_own_chain(
    registers: RegisterFactory, db_path: Path
) -> None:
    """901 钳工 was exchanged with its trade corrected to 电工 (902), then 902 was replaced by a
    补发 (903): correcting the roster's 901 to 电工 is 周杰's one holding, not a second."""
    registers.add("m.xlsx", [approval_row("Z1122020901", "周杰", 报考工种="钳工")], MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    events = [
        status_event("换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020902", 更正工种="电工"),
        status_event(
            "补发",
            "Z1122020902",
            "周杰",
            "2013-06-01",
            "Z1122020903",
            批准文号="绵人社函〔2013〕2号",
        ),
    ]
    registers.add("changes.xlsx", events, CHANGES)
    assert sync(registers.folder, db_path)[0] == 0
    registers.add("m.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG)  # now 电工
    code, report = sync(registers.folder, db_path)
    assert code == 0, report


def test_a_corrected_trade_cannot_give_a_holder_a_second_certificate(
    registers: RegisterFactory, db_path: Path
) -> None:
    """§二: 张三 holds 电工 (m1) and 钳工 (m2); m2 corrected to 电工 would leave two 电工."""
    registers.add("m1.xlsx", [approval_row("Z1122020901", "张三")], MIANYANG)
    registers.add("m2.xlsx", [approval_row("Z1122020902", "张三", 报考工种="钳工")], MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    registers.add("m2.xlsx", [approval_row("Z1122020902", "张三")], MIANYANG)
    [(row, column, rule, clause)] = refused(registers, db_path, "m2.xlsx")
    assert (row, clause) == (4, "§二") and "Z1122020901" in rule
    registers.add("m2.xlsx", [approval_row("Z1122020902", "张三", 报考工种="焊工")], MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0  # a trade nobody holds: corrected


def test_a_sync_that_waited_for_another_decides_on_what_that_one_loaded(
    registers: RegisterFactory, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two syncs at once: 自贡's mianyang.xlsx waits for the write lock while another run loads
    绵阳's of the same name. Deciding on what it read before waiting (nothing loaded), it loaded
    itself as that register — merging the two. It is refused as another register."""
    roster = registers
    other = RegisterFactory(tmp_path / "zigong")
    zigong = {**MIANYANG, "authority": "2203", "approval_doc": "自人社函〔2012〕3号"}
    other.add("mianyang.xlsx", [approval_row("Z1122030001", "吴敏")], zigong)
    roster.add("mianyang.xlsx", [approval_row("Z1122020901", "周杰")], MIANYANG)
    entered = register_module._Scope.__init__

    def the_other_sync_first(scope: Any, conn: sqlite3.Connection, dry_run: bool) -> None:
        monkeypatch.setattr(register_module._Scope, "__init__", entered)
        assert sync(roster.folder, db_path)[0] == 0  # in its own connection, meanwhile
        entered(scope, conn, dry_run)

    store.connect(db_path).close()
    monkeypatch.setattr(register_module._Scope, "__init__", the_other_sync_first)
    code, report = sync(other.folder, db_path)
    assert code == 1, report
    [(row, column, rule, clause)] = problems_of(report, "mianyang.xlsx")
    assert "发证机关 2202" in rule and "换一个文件名" in rule
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT DISTINCT authority FROM certificates").fetchall() == [("2202",)]


def test_a_technician_rosters_rows_changing_a_reissues_document_are_each_named(
    registers: RegisterFactory, db_path: Path
) -> None:
    """附件5 gives each row its 批准文号: a new version changing two reissued rows' was told
    of the first alone, with neither its row nor its column."""
    rows = [technician_row("J1122010001"), technician_row("J1122010002", "王建国", 序号=2)]
    registers.add("technicians.xlsx", rows, TECHNICIANS)
    reissues = [
        status_event("补发", number, name, "2012-09-10", 原公布文件="川人社函〔2012〕12号")
        for number, name in (("J1122010001", "黄志强"), ("J1122010002", "王建国"))
    ]
    registers.add("changes.xlsx", reissues, {"kind": "status-changes", "authority": "2200"})
    assert sync(registers.folder, db_path)[0] == 0
    changed = [{**row, "批准文号": "川人社函〔2012〕13号"} for row in rows]
    registers.add("technicians.xlsx", changed, TECHNICIANS)
    found = refused(registers, db_path, "technicians.xlsx")
    # each row is another document's than the register's (§四.(三)), and a reissue's (§四.(六)3)
    assert sorted((row, clause) for row, _, _, clause in found) == [
        (3, "§四.(三)"), (3, "§四.(六)3"), (4, "§四.(三)"), (4, "§四.(六)3")
    ]  # fmt: skip
    problems = [problem for problem in found if problem[3] == "§四.(六)3"]
    assert all(column == "批准文号" for _, column, _, _ in found)
    assert ["J1122010001" in problems[0][2], "J1122010002" in problems[1][2]] == [True, True]


def test_a_new_issue_date_or_approval_cannot_contradict_what_happened_since(
    roster: RegisterFactory, db_path: Path
) -> None:
    """The manifest's 发证日期 and 批准文号 are every row's: moved past a 补发, the registry showed
    a certificate reissued before it was issued; changed under a 补发, its 原公布文件 (§四.(六)3)
    no longer matched."""
    roster.add("changes.xlsx", [status_event("补发", "Z1122020901", "周杰", "2012-09-10")], CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    rows = [approval_row("Z1122020901", "周杰"), approval_row("Z1122020902", "郑浩")]
    roster.add("mianyang.xlsx", rows, {**MIANYANG, "issued_on": "2012-12-01"})
    [(row, column, rule, clause)] = refused(roster, db_path, "mianyang.xlsx")
    assert (row, clause) == (None, "§四.(三)")
    assert "Z1122020901 已于 2012-09-10补发" in rule and "恢复原来的发证日期" in rule
    roster.add("mianyang.xlsx", rows, {**MIANYANG, "approval_doc": "绵人社函〔2012〕99号"})
    [(row, column, rule, clause)] = refused(roster, db_path, "mianyang.xlsx")
    assert (row, clause) == (None, "§四.(六)3") and "原公布文件登记为 绵人社函〔2012〕8号" in rule
    roster.add("mianyang.xlsx", rows, {**MIANYANG, "issued_on": "2012-03-21"})
    assert sync(roster.folder, db_path)[0] == 0  # a date the history allows: corrected


def test_a_new_approval_cannot_contradict_a_reissue_of_the_certificate_that_replaced_one(
    roster: RegisterFactory, db_path: Path
) -> None:
    """Z…0901 exchanged for Z…0903, which was then reissued citing the roster's document: a new
    version changing that document was taken — only the roster's own numbers were looked at."""
    events = [
        status_event("换发", "Z1122020901", "周杰", "2012-09-10", "Z1122020903"),
        status_event("补发", "Z1122020903", "周杰", "2013-01-10"),
    ]
    roster.add("changes.xlsx", events, CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    rows = [approval_row("Z1122020901", "周杰"), approval_row("Z1122020902", "郑浩")]
    roster.add("mianyang.xlsx", rows, {**MIANYANG, "approval_doc": "绵人社函〔2012〕99号"})
    [(row, column, rule, clause)] = refused(roster, db_path, "mianyang.xlsx")
    assert clause == "§四.(六)3" and "Z1122020903（由本名册的 Z1122020901 换发而来）" in rule


def test_the_same_citys_roster_of_another_year_and_folder_is_not_a_new_version(
    roster: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """2012's mianyang.xlsx, in its own folder, promotes 周杰 from 中级 to 高级: one holder in
    common, so it was taken for a corrected version of 2011's — every 2011 certificate reported
    missing, with advice to revoke it, and the register's year and document overwritten."""
    later = RegisterFactory(tmp_path / "2012")
    facts = {**MIANYANG, "approval_doc": "绵人社函〔2013〕2号", "issued_on": "2013-03-20"}
    rows = [approval_row("G1222020001", "周杰", level="高级"), approval_row("Z1222020001", "吴敏")]
    later.add("mianyang.xlsx", rows, {**facts, "year_code": "12"})
    [(row, column, rule, clause)] = refused(later, db_path, "mianyang.xlsx")
    assert "年份代码 11" in rule and "12" in rule and "换一个文件名" in rule


def test_another_status_register_of_the_same_name_is_told_to_take_another_name(
    roster: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """2014's changes.xlsx after 2013's, with a second 补发 of the same paper: it reads as 2013's
    补发 with its date changed, and is refused as that — now also telling that another register
    takes another name. One about other certificates only is another register too, refused
    (an auditor's review: loaded as a version, the events applied before were named as not in
    it, and their history named rows of a file not holding them); under its own name it loads."""
    first = [status_event("补发", "Z1122020901", "周杰", "2013-03-01")]
    roster.add("changes.xlsx", first, CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    later = RegisterFactory(tmp_path / "2014")
    again = status_event(
        "补发", "Z1122020901", "周杰", "2014-05-01", 批准文号="绵人社函〔2014〕5号"
    )
    revocation = status_event("撤销", "Z1122020902", "郑浩", "2014-06-01", 原因="弄虚作假")
    later.add("changes.xlsx", [again, revocation], CHANGES)
    [(row, column, rule, clause)] = refused(later, db_path, "changes.xlsx")
    assert column == "日期" and "如这是另一份同名的登记表，请换一个文件名" in rule
    later.add("changes.xlsx", [revocation], CHANGES)
    [(row, column, rule, clause)] = refused(later, db_path, "changes.xlsx")
    assert row is None and "而是另一份同名的文件。请换一个文件名再列入清单" in rule
    (later.folder / "changes.xlsx").rename(later.folder / "changes-2014.xlsx")
    later.entries["changes-2014.xlsx"] = later.entries.pop("changes.xlsx")
    later.write_manifest()
    code, report = sync(later.folder, db_path)
    assert code == 0, report


@pytest.mark.parametrize(
    "shared",
    [[], [approval_row("Z1122000003", "周杰", 报考工种="汽车驾驶员")]],
    ids=["no holder in common", "a holder in common"],
)
def test_another_units_roster_of_the_same_name_is_not_a_new_version(
    registers: RegisterFactory, db_path: Path, tmp_path: Path, shared: list[dict[str, object]]
) -> None:
    """Two provincial units each send 审批名册.xlsx (same authority and region): the second was
    taken for a corrected version of the first, whose certificates it reported missing — also
    when one of its holders (周杰, at the same level in another trade) is one of the first's."""
    province = {
        "kind": "approval-roster",
        "authority": "2200",
        "approval_doc": "川人社函〔2012〕12号",
    }
    province |= {"issued_on": "2012-03-15", "year_code": "11"}
    registers.add(
        "审批名册.xlsx", [approval_row("Z1122000001", "周杰")], {**province, "unit": "省水利厅"}
    )
    assert sync(registers.folder, db_path)[0] == 0
    other = RegisterFactory(tmp_path / "jiaotong")
    other.add(
        "审批名册.xlsx",
        [approval_row("Z1122000002", "郑浩"), *shared],
        {**province, "unit": "省交通厅"},
    )
    [(row, column, rule, clause)] = refused(other, db_path, "审批名册.xlsx")
    assert "此前导入的 1 本证书，这一版本中没有一本是它们的更正" in rule and "换一个文件名" in rule
