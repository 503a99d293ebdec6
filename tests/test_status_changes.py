"""换发 / 补发 / 撤销 registers: each event type end to end, chains, and every rejection rule."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Font

from registry.cli import cli
from registry.domain.statuses import StatusEvent
from registry.kinds.base import RegisterEntry
from registry.kinds.status_remarks import void_event
from registry.kinds.status_rows import StatusRow
from registry.kinds.status_rules import event_problems
from registry.kinds.status_state import CertificateState
from tests.registers import (
    MIANYANG,
    RegisterFactory,
    add_column,
    approval_row,
    edit_cell,
    mended_by_hand,
    mianyang_holders,
    snapshot,
    status_event,
    traced_statements,
    whole_reads,
)

PROVINCE_CHANGES = {"kind": "status-changes", "authority": "2200"}
MIANYANG_CHANGES = {"kind": "status-changes", "authority": "2202"}


def sync(registers: RegisterFactory, db: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db), "--json"])
    return result.exit_code, json.loads(result.stdout)


def verify(db: Path, number: str, name: str) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["verify", number, name, "--db", str(db), "--json"])
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


@pytest.fixture
def roster(registers: RegisterFactory, db_path: Path) -> RegisterFactory:
    registers.add("mianyang.csv", mianyang_holders(), MIANYANG)
    assert sync(registers, db_path)[0] == 0
    return registers


def test_each_event_type_end_to_end(roster: RegisterFactory, db_path: Path) -> None:
    roster.add(
        "changes.xlsx",
        [
            status_event("补发", "Z1122020001", "周杰", "2012-09-10"),
            status_event("换发", "Z1122020002", "郑　浩", "2012-05-08", "Z1122020003"),
            status_event("撤销", "C1122020001", "吴敏", "2013-01-15"),
        ],
        MIANYANG_CHANGES,
    )
    code, report = sync(roster, db_path)
    assert code == 0, report

    reissued = verify(db_path, "Z1122020001", "周杰")
    assert (reissued["result"], reissued["status_date"]) == ("reissued", "2012-09-10")
    superseded = verify(db_path, "Z1122020002", "郑浩")
    assert (superseded["result"], superseded["successor"]) == ("superseded", "Z1122020003")
    successor = verify(db_path, "Z1122020003", "郑浩")
    assert (successor["result"], successor["issued_on"], successor["trade"]) == (
        "valid",
        "2012-05-08",
        "电工",
    )
    revoked = verify(db_path, "C1122020001", "吴敏")
    assert (revoked["result"], revoked["status_date"]) == ("revoked", "2013-01-15")

    conn = sqlite3.connect(db_path)
    assert conn.execute(
        "SELECT predecessor FROM certificates WHERE number = 'Z1122020003'"
    ).fetchone() == ("Z1122020002",)
    history = conn.execute(
        "SELECT number, field, old, new FROM certificate_history WHERE field = 'status' ORDER BY number"
    ).fetchall()
    assert history == [
        ("C1122020001", "status", "valid", "revoked"),
        ("Z1122020001", "status", "valid", "reissued"),
        ("Z1122020002", "status", "valid", "superseded"),
    ]
    before = snapshot(db_path)
    assert sync(roster, db_path)[1]["registers"][1]["outcome"] == "unchanged"
    assert snapshot(db_path) == before


def _grouped_header_register(path: Path, rows: list[dict[str, object]]) -> None:
    """A register as offices draw it: every single column merged over two header rows, and a
    group cell over its sub-columns (补发材料, 审核意见, 更正内容) — the first header row alone
    holds every required column."""
    single = ["序号", "类型", "证书编号", "姓名", "日期", "新证书编号", "原因", "批准文号"]
    groups = {
        "补发材料": ["个人申请", "单位证明", "原公布文件"],
        "审核意见": ["主管部门审核", "发证机关审核"],
        "更正内容": ["更正姓名", "更正性别", "更正出生年月", "更正工种"],
    }
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["绵阳市证书换发、补发、撤销登记表"])
    top: list[str | None] = list(single)
    bottom: list[str | None] = [None] * len(single)
    for group, subs in groups.items():
        top += [group] + [None] * (len(subs) - 1)
        bottom += subs
    sheet.append(top)
    sheet.append(bottom)
    for column in range(1, len(single) + 1):
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    first = len(single) + 1
    for subs in groups.values():
        sheet.merge_cells(
            start_row=2, start_column=first, end_row=2, end_column=first + len(subs) - 1
        )
        first += len(subs)
    for i, row in enumerate(rows, start=1):
        sheet.append([i, *(row.get(name) for name in single[1:] + sum(groups.values(), []))])
    workbook.save(path)


def test_sub_columns_under_a_group_header_are_read(roster: RegisterFactory, db_path: Path) -> None:
    """A 换发 correction and a 补发's three documents under merged group cells: read, not lost —
    the corrected birth date is what the new certificate carries (§四.(六)2, §四.(六)3)."""
    path = roster.folder / "changes.xlsx"
    _grouped_header_register(
        path,
        [
            status_event(
                "换发", "Z1122020002", "郑浩", "2012-05-08", "Z1122020003", 更正出生年月="1976.03"
            ),
            status_event("补发", "Z1122020001", "周杰", "2012-09-10"),
        ],
    )
    roster.entries["changes.xlsx"] = MIANYANG_CHANGES
    roster.write_manifest()
    code, report = sync(roster, db_path)
    assert code == 0, report
    conn = sqlite3.connect(db_path)
    try:
        births = dict(conn.execute("SELECT number, birth FROM certificates WHERE number LIKE 'Z%'"))
        documents = conn.execute(
            "SELECT personal_application, original_document, issuer_review FROM status_events"
            " WHERE type = '补发'"
        ).fetchone()
    finally:
        conn.close()
    assert births["Z1122020003"] == "1976-03" and births["Z1122020002"] != "1976-03"
    assert documents == ("申请1", "绵人社函〔2012〕8号", "同意 2012-09-10")


@pytest.mark.parametrize(
    ("header", "clerks", "event"),
    [
        ("新证书编号", "新证编号", status_event("补发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003")),
        ("新证书编号", "补发证书编号", status_event("补发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003")),
        ("更正工种", "更正后工种", status_event("换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003", 更正工种="钳工")),
        ("更正姓名", "正确姓名", status_event("换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003", 更正姓名="周洁")),
    ],
)  # fmt: skip
def test_a_new_number_or_correction_under_a_header_clerks_use_is_read(
    roster: RegisterFactory, db_path: Path, header: str, clerks: str, event: dict[str, object]
) -> None:
    """A 补发's new number headed 新证编号 was not read: the number on the holder's new paper
    answered 未查到, and the fixed file was refused as changing an applied event."""
    path = roster.add("changes.xlsx", [event], MIANYANG_CHANGES)
    edit_cell(path, header, value=clerks)
    code, report = sync(roster, db_path)
    assert code == 0, report
    conn = sqlite3.connect(db_path)
    try:
        name, trade = conn.execute(
            "SELECT name, trade FROM certificates WHERE number = 'Z1122020003'"
        ).fetchone()
    finally:
        conn.close()
    assert (name, trade) == (event.get("更正姓名", "周杰"), event.get("更正工种", "电工"))


@pytest.mark.parametrize("number", ["原证书编号", "证书号"])
def test_a_register_headed_as_clerks_head_its_columns_is_read(
    roster: RegisterFactory, db_path: Path, number: str
) -> None:
    """A clerk's own form headed 原证书编号 (or 证书号), 持证人姓名, 办理日期, 批准文件 was
    refused as lacking 证书编号, 姓名, 日期 and 批准文号: read as them."""
    event = status_event("撤销", "Z1122020002", "郑浩", "2012-09-10")
    path = roster.add("changes.xlsx", [event], MIANYANG_CHANGES)
    headings = {
        "证书编号": number,
        "姓名": "持证人姓名",
        "日期": "办理日期",
        "批准文号": "批准文件",
    }
    for name, heading in headings.items():
        edit_cell(path, name, value=heading)
    code, report = sync(roster, db_path)
    assert code == 0, report
    conn = sqlite3.connect(db_path)
    try:
        stored = conn.execute("SELECT number, date, approval_doc FROM status_events").fetchall()
    finally:
        conn.close()
    assert stored == [("Z1122020002", "2012-09-10", "绵人社函〔2012〕1号")]


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("新号码", "Z1122020003", "编号应填在“新证书编号”栏"),  # by the number it holds
        ("新证号码", "按原编号", "编号应填在“新证书编号”栏"),  # by its header
        ("更正后的工种名称", "钳工", "应分别填在“更正姓名”“更正性别”"),
        # what a 换发 does not correct: dropped, the new paper lost the change written
        ("更正等级", "高级", "只登记姓名、性别、出生年月、工种的更正"),
        ("更正后工作单位", "绵阳市示例局", "只登记姓名、性别、出生年月、工种的更正"),
        ("更正发证日期", "2012-03-21", "只登记姓名、性别、出生年月、工种的更正"),
        ("更正日期", "2012-09-10", None),  # when, not what
        ("经办人", "王明", None),  # a column of the clerk's own: its note says it is not read
        ("备注", "原证 Z1122020001 已遗失", None),  # a remark naming the row's number
        ("原证书编号", "Z1122020001", None),  # the row's number again
        # about a correction or the new paper, not their values (refused by 5fd9d2d)
        ("更正前工种", "电工", None),
        ("更改原因说明", "工种填错", None),
        ("更正依据", "户口簿", None),
        ("新证领取日期", "2012-09-20", None),
        ("新发证日期", "2012-09-10", None),
    ],
)
def test_a_new_number_or_correction_in_a_column_not_read_is_refused(
    roster: RegisterFactory, db_path: Path, column: str, value: str, rule: str | None
) -> None:
    """Not read, such a column's new number or correction was lost with only a note."""
    path = roster.add(
        "changes.xlsx",
        [status_event("补发", "Z1122020001", "周杰", "2012-09-10")],
        MIANYANG_CHANGES,
    )
    add_column(path, column, [value])
    code, report = sync(roster, db_path)
    problem = _only_problem(code, report, rule)
    if problem is None:
        return
    assert rule in problem["rule"] and "不是本表的栏目" in problem["rule"]
    assert (problem["row"], problem["column"], problem["value"]) == (3, column, value)
    assert problem["clause"] == "§四.(六)"


@pytest.mark.parametrize(
    ("document", "refused"),
    [
        ("绵人社函〔2031〕5号", "文号中的年份〔2031〕晚于撤销日期的年份 2013"),
        ("绵人社函〔2009〕5号", "文号中的年份〔2009〕早于该证书的发证年份 2012"),
        ("见附件", "文号中没有年份"),
        ("绵人社函〔2012〕30号", None),  # decided in December, registered in January
    ],
)
def test_a_revocation_names_a_document_that_could_revoke_the_certificate(
    roster: RegisterFactory, db_path: Path, document: str, refused: str | None
) -> None:
    """A 撤销's 批准文号 — which the public answer names — was never checked: one of a year to
    come, of one before the certificate, or of none at all loaded (a hostile sweep's finding)."""
    revoke = status_event("撤销", "C1122020001", "吴敏", "2013-01-15", 批准文号=document)
    roster.add("changes.csv", [revoke], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    problem = _only_problem(code, report, refused)
    if problem is None:
        return
    assert refused in problem["rule"]
    assert (problem["row"], problem["column"], problem["clause"]) == (3, "批准文号", "§五.(三)")


@pytest.mark.parametrize(
    ("document", "refused"),
    [
        ("绵人社函〔2031〕1号", "晚于撤销日期的年份 2013"),
        ("绵人社函〔2009〕5号", "早于该证书的发证年份 2012"),
    ],
)
def test_a_revocations_document_corrected_in_a_new_version_is_held_to_the_same_rule(
    roster: RegisterFactory, db_path: Path, document: str, refused: str
) -> None:
    revoke = status_event("撤销", "C1122020001", "吴敏", "2013-01-15")
    roster.add("changes.csv", [revoke], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    roster.add("changes.csv", [{**revoke, "批准文号": document}], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    [problem] = report["registers"][-1]["problems"]
    assert code == 1 and refused in problem["rule"]
    assert (problem["column"], problem["clause"]) == ("批准文号", "§五.(三)")


@pytest.mark.parametrize(
    "sign_off",
    [
        [None, "填表人：王示例"],
        [None, "制表人：王示例", None, "2013年1月20日"],
        ["填表人：王示例", None, "复核人：李示例"],
        ["制表单位：绵阳市人力资源和社会保障局（盖章）"],
        ["发放人：王示例", None, None, "2013-01-20"],
    ],
)
def test_a_clerks_sign_off_under_the_rows_ends_them(
    roster: RegisterFactory, db_path: Path, sign_off: list[object]
) -> None:
    """Read as a row, a sign-off line refused the register for an empty 证书编号 and a 类型 of
    填表人：王示例, saying nothing of a footer (a hostile sweep's finding)."""
    path = roster.add(
        "changes.xlsx",
        [status_event("撤销", "C1122020001", "吴敏", "2013-01-15")],
        MIANYANG_CHANGES,
    )
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    sheet.append([])
    sheet.append(sign_off)
    workbook.save(path)
    code, report = sync(roster, db_path)
    assert code == 0, report
    assert verify(db_path, "C1122020001", "吴敏")["result"] == "revoked"


def test_a_holder_registered_with_a_digit_in_the_name_can_still_be_revoked(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A name registered before names with digits were refused identifies its certificate: a
    status change naming it is not refused for the digit (its own corrected name would be)."""
    mended_by_hand(
        db_path,
        "UPDATE certificates SET name = '周杰2', name_key = '周杰2' WHERE number = 'Z1122020001'",
    )
    event = status_event("撤销", "Z1122020001", "周杰2", "2012-09-10")
    roster.add("changes.csv", [event], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 0, report


def test_a_wrong_name_is_told_the_holder_as_registered_not_as_compared(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A holder registered 張偉 is compared as 张伟, but the clerk's paper says 張偉: a change
    naming someone else is told 張*, the name in the registry, not the key it is matched by."""
    registers.add("first.csv", [approval_row("Z1122020901", "張偉")], MIANYANG)
    event = status_event("撤销", "Z1122020901", "李四", "2012-09-10")
    registers.add("changes.csv", [event], MIANYANG_CHANGES)
    code, report = sync(registers, db_path)
    [problem] = report["registers"][1]["problems"]
    assert code != 0 and problem["column"] == "姓名"
    assert "持证人（張*）不符" in problem["rule"]


def test_chain_in_one_register_applies_in_date_order(
    roster: RegisterFactory, db_path: Path
) -> None:
    roster.add(
        "changes.csv",
        [
            status_event(
                "补发", "Z1122020003", "郑浩", "2013-02-01"
            ),  # listed first, happens second
            status_event("换发", "Z1122020002", "郑浩", "2012-06-01", "Z1122020003"),
        ],
        PROVINCE_CHANGES,
    )
    code, report = sync(roster, db_path)
    assert code == 0, report
    assert verify(db_path, "Z1122020002", "郑浩")["result"] == "superseded"
    answer = verify(db_path, "Z1122020003", "郑浩")
    assert (answer["result"], answer["status_date"]) == ("reissued", "2013-02-01")


@pytest.mark.parametrize(
    ("later", "day"),
    [
        *(("换发", "2013-03-01"), ("撤销", "2013-03-01"), ("补发", "2013-03-01")),
        # a second 补发 of the same day is the same change registered twice: refused as such
        *(("换发", "2013-06-01"), ("撤销", "2013-06-01")),
    ],
)
def test_a_reissue_registered_after_a_later_change_keeps_its_mark(
    roster: RegisterFactory, db_path: Path, later: str, day: str
) -> None:
    """The 补发 of March arrives after the change of June is loaded: it ended nothing, so it is
    recorded in its place and the June change stands. It was refused for ever (早于上一次变更,
    请对新证书登记 — a certificate that did not exist in March), the 补发 mark lost. One of the
    change's own day came before it: a 换发 takes the paper in and a 撤销 ends the certificate
    (it was refused, sent to the new number, whose paper was never lost)."""
    new = "Z1122020003" if later == "换发" else ""
    roster.add("june.csv", [status_event(later, "Z1122020001", "周杰", "2013-06-01", new)],
               MIANYANG_CHANGES)  # fmt: skip
    assert sync(roster, db_path)[0] == 0
    before = verify(db_path, "Z1122020001", "周杰")
    march = status_event("补发", "Z1122020001", "周杰", day, 批准文号="绵人社函〔2013〕2号")
    roster.add("march.csv", [march], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 0, report
    after = verify(db_path, "Z1122020001", "周杰")
    assert after.pop("reissue") is True
    assert before.pop("reissue", None) == (True if later == "补发" else None)
    del after["as_of"], before["as_of"]  # the registry's snapshot time: a second apart
    assert after == before  # the June change stands: status, its date, the successor
    conn = sqlite3.connect(db_path)
    events = "SELECT type, date FROM status_events WHERE number = 'Z1122020001' ORDER BY date"
    assert sorted(conn.execute(events)) == sorted([("补发", day), (later, "2013-06-01")])
    if later == "换发":  # the paper exchanged in June was the one marked 补发 in March
        assert verify(db_path, "Z1122020003", "周杰")["reissue"] is True


def test_a_reissue_registered_late_marks_every_exchange_made_of_its_paper(
    roster: RegisterFactory, db_path: Path
) -> None:
    """Registered in date order, two later 换发 carried the 补发 mark down the chain; registered
    after them, the 补发 marked only the first number and the holder's current certificate
    answered without it."""
    roster.add(
        "later.csv",
        [
            status_event("换发", "Z1122020001", "周杰", "2013-06-01", "Z1122020003"),
            status_event(
                "换发",
                "Z1122020003",
                "周杰",
                "2013-08-01",
                "Z1122020004",
                批准文号="绵人社函〔2013〕3号",
            ),  # fmt: skip
        ],
        MIANYANG_CHANGES,
    )
    assert sync(roster, db_path)[0] == 0
    march = status_event(
        "补发", "Z1122020001", "周杰", "2013-03-01", 批准文号="绵人社函〔2013〕2号"
    )
    roster.add("march.csv", [march], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 0, report
    for number in ("Z1122020001", "Z1122020003", "Z1122020004"):
        assert verify(db_path, number, "周杰")["reissue"] is True, number
    assert "由补发证书换发" in str(verify(db_path, "Z1122020004", "周杰")["advice"])
    # the clerk is told which certificates an employer was told of are 补发 copies now
    [march_report] = [r for r in report["registers"] if r["file"] == "march.csv"]
    assert march_report["changes"] == [
        {"number": n, "column": "补发标记", "old": "无", "new": "有（补登的 2013-03-01 补发）"}
        for n in ("Z1122020003", "Z1122020004")
    ]


def _first_changes(roster: RegisterFactory, db_path: Path) -> None:
    """changes.csv loaded: 吴敏's certificate revoked, 周杰's reissued (rows 3 and 4)."""
    roster.add(
        "changes.csv",
        [
            status_event("撤销", "C1122020001", "吴敏", "2013-01-15"),
            status_event("补发", "Z1122020001", "周杰", "2012-09-10"),
        ],
        MIANYANG_CHANGES,
    )
    assert sync(roster, db_path)[0] == 0


def test_another_register_under_the_same_file_name_is_refused(
    roster: RegisterFactory, db_path: Path
) -> None:
    """An auditor's review: another office's 换发补发撤销登记表 saved over the first under its
    name, touching none of its certificates, was taken for a new version — the first file's
    events reported as left out, and their history naming rows of a file not holding them."""
    _first_changes(roster, db_path)
    roster.add(
        "changes.csv", [status_event("撤销", "Z1122020002", "郑浩", "2013-02-01")], MIANYANG_CHANGES
    )
    code, report = sync(roster, db_path)
    assert code == 1
    (problem,) = report["registers"][1]["problems"]
    assert problem["rule"].startswith(
        "“changes.csv”此前导入的 2 条登记，这一版本中没有一条是它们的更正：这不是同一份文件的"
        "更正版本，而是另一份同名的文件"
    )
    assert verify(db_path, "Z1122020002", "郑浩")["result"] == "valid"
    roster.add(  # a version that keeps one of its certificates is a version
        "changes.csv",
        [
            status_event("撤销", "C1122020001", "吴敏", "2013-01-15"),
            status_event("撤销", "Z1122020002", "郑浩", "2013-02-01"),
        ],
        MIANYANG_CHANGES,
    )
    assert sync(roster, db_path)[0] == 0


def test_an_event_left_out_of_a_new_version_is_named_with_its_row_and_clause(
    roster: RegisterFactory, db_path: Path
) -> None:
    """It stays applied (a change in force is not undone by a file); the clerk is told which
    row of the version that loaded it, and the notice's clause."""
    _first_changes(roster, db_path)
    roster.add(
        "changes.csv", [status_event("撤销", "C1122020001", "吴敏", "2013-01-15")], MIANYANG_CHANGES
    )
    code, report = sync(roster, db_path)
    (conflict,) = report["registers"][1]["conflicts"]
    assert (conflict["value"], conflict["clause"]) == ("Z1122020001", "§四.(六)")
    assert "新版本中没有此前登记的补发（2012-09-10，原在第4行）" in conflict["rule"]
    # the file is what a registry lost with its backups is rebuilt from (an auditor's review)
    assert conflict["rule"].endswith(
        "请把这一行放回文件：从名册文件重建登记库时，文件中没有的登记不会恢复"
    )
    assert verify(db_path, "Z1122020001", "周杰")["result"] == "reissued"


def test_an_event_a_new_version_moves_is_found_at_its_new_row(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A row dropped above moved the rest up: the certificate a 换发 made still named the row it
    had, where an auditor opening the current file found another holder's 撤销. It names the
    row it has now; the histories of both certificates keep the one it had, as a roster's
    certificate's does: the exchanged one's said nothing of its 换发's row."""
    exchange = status_event("换发", "Z1122020002", "郑浩", "2012-05-08", "Z1122020003")
    revocation = status_event("撤销", "C1122020001", "吴敏", "2013-01-15")
    roster.add("changes.csv", [revocation, exchange], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    roster.add("changes.csv", [exchange], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT type, source_row FROM status_events ORDER BY type").fetchall()
        made = conn.execute("SELECT source_row FROM certificates WHERE number = 'Z1122020003'")
        history = conn.execute(
            "SELECT number, field, old, new FROM certificate_history"
            " WHERE sync = (SELECT max(id) FROM syncs) ORDER BY number"
        ).fetchall()
    assert rows == [("换发", 3), ("撤销", 3)]  # the 撤销, left out, keeps its last row
    assert made.fetchone() == (3,)
    assert history == [  # the exchanged certificate's too: where its 换发 stood
        ("Z1122020002", "换发所在行", "4", "3"),
        ("Z1122020003", "source_row", "4", "3"),
    ]


def test_a_status_register_whose_rows_only_moved_says_so(
    roster: RegisterFactory, db_path: Path
) -> None:
    """Two rows swapped: the report said the content was the same, the file merely saved again,
    while the registry moved both events to their new rows — as a roster's report says it."""
    exchange = status_event("换发", "Z1122020002", "郑浩", "2012-05-08", "Z1122020003")
    revocation = status_event("撤销", "C1122020001", "吴敏", "2013-01-15")
    roster.add("changes.csv", [revocation, exchange], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    roster.add("changes.csv", [exchange, revocation], MIANYANG_CHANGES)
    result = CliRunner().invoke(cli, ["sync", str(roster.folder), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    # not counted as 修改 (the history's, which reads as overwritten): said in the notes
    assert "新增 0，修改 0\n  ℹ 2 条登记只是在表中所在的行变了，内容未变" in result.output


def test_a_roster_listing_an_exchanges_new_number_is_told_what_that_number_is(
    roster: RegisterFactory, db_path: Path
) -> None:
    """Not "a corrected version of the status register, save it under its name", which sent the
    clerk to list a roster as a status-change register."""
    roster.add(
        "changes.csv",
        [status_event("换发", "Z1122020002", "郑浩", "2012-05-08", "Z1122020003")],
        MIANYANG_CHANGES,
    )
    assert sync(roster, db_path)[0] == 0
    rows = [
        approval_row("Z1122020001", "周杰"),
        approval_row("Z1122020002", "郑浩"),
        approval_row("Z1122020003", "郑浩"),
        approval_row("C1122020001", "吴敏", level="初级"),
    ]
    roster.add("mianyang.csv", rows, MIANYANG)
    code, report = sync(roster, db_path)
    (problem,) = [p for p in report["registers"][0]["problems"] if p["column"] == "颁发证书编号"]
    assert code == 1 and (problem["row"], problem["value"]) == (6, "Z1122020003")
    assert "“changes.csv”为证书 Z1122020002 换发或补发的新证书编号" in problem["rule"]
    assert "更正版本" not in problem["rule"] and problem["clause"] == "§四.(六)"
    # the same holder after a 换发 that corrected the birth: still the 换发's number
    roster.add(
        "changes.csv",
        [
            status_event("换发", "Z1122020002", "郑浩", "2012-05-08", "Z1122020003"),
            status_event(
                "换发", "Z1122020001", "周杰", "2012-06-08", "Z1122020004", 更正出生年月="1976.03"
            ),
        ],
        MIANYANG_CHANGES,
    )
    code, report = sync(roster, db_path)
    assert report["registers"][1]["outcome"] == "updated", report
    rows[2] = approval_row("Z1122020004", "周杰")  # as the roster had him: born 1975.05
    roster.add("mianyang.csv", rows, MIANYANG)
    code, report = sync(roster, db_path)
    (problem,) = [p for p in report["registers"][0]["problems"] if p["rule"].startswith("该编号")]
    assert "为证书 Z1122020001 换发或补发的新证书编号" in problem["rule"], problem["rule"]
    rows[2] = approval_row("Z1122020003", "吴敏")  # another person, with that number
    roster.add("mianyang.csv", rows, MIANYANG)
    code, report = sync(roster, db_path)
    (problem,) = [p for p in report["registers"][0]["problems"] if p["column"] == "颁发证书编号"]
    assert "换发或补发给另一持证人（原证书 Z1122020002），编号不能重复使用" in problem["rule"]


def test_a_change_that_would_undo_later_ones_is_still_refused(
    roster: RegisterFactory, db_path: Path
) -> None:
    roster.add("june.csv", [status_event("补发", "Z1122020001", "周杰", "2013-06-01")],
               MIANYANG_CHANGES)  # fmt: skip
    assert sync(roster, db_path)[0] == 0
    roster.add("march.csv", [status_event("撤销", "Z1122020001", "周杰", "2013-03-01")],
               MIANYANG_CHANGES)  # fmt: skip
    code, report = sync(roster, db_path)
    assert code == 1 and "早于该证书上一次变更的日期 2013-06-01" in json.dumps(
        report, ensure_ascii=False
    )
    assert verify(db_path, "Z1122020001", "周杰")["result"] == "reissued"


def test_a_reissue_registered_late_does_not_reopen_a_superseded_certificate(
    roster: RegisterFactory, db_path: Path
) -> None:
    """In the file, the late 补发 comes before a 撤销 of July: the certificate was superseded in
    June all the same, and stays so."""
    exchange = status_event("换发", "Z1122020001", "周杰", "2013-06-01", "Z1122020003")
    roster.add("june.csv", [exchange], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    late = [
        status_event("补发", "Z1122020001", "周杰", "2013-03-01"),
        status_event("撤销", "Z1122020001", "周杰", "2013-07-01"),
    ]
    roster.add("late.csv", late, MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 1 and "已换发/补发为 Z1122020003" in json.dumps(report, ensure_ascii=False)
    assert verify(db_path, "Z1122020001", "周杰")["result"] == "superseded"


def test_an_exchange_writing_out_the_whole_identity_corrects_only_what_differs(
    roster: RegisterFactory, db_path: Path
) -> None:
    """Clerks fill every 更正 column: sex and birth as they were, the name corrected. It was
    refused as a change of person; only what differs counts."""
    exchange = status_event(
        "换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003",
        更正姓名="周洁", 更正性别="男", 更正出生年月="1975.05",
    )  # fmt: skip
    roster.add("changes.csv", [exchange], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 0, report
    assert verify(db_path, "Z1122020003", "周洁")["result"] == "valid"


def test_the_same_minority_name_without_its_dot_is_no_other_person(
    registers: RegisterFactory, db_path: Path
) -> None:
    """更正姓名 written without the dot is the same holder (the public check says so too)."""
    registers.add("m.csv", [approval_row("Z1122020001", "阿依古丽·买买提")], MIANYANG)
    assert sync(registers, db_path)[0] == 0
    exchange = status_event(
        "换发", "Z1122020001", "阿依古丽·买买提", "2012-09-10", "Z1122020002",
        更正姓名="阿依古丽买买提", 更正性别="女", 更正出生年月="1979.11",
    )  # fmt: skip
    registers.add("changes.csv", [exchange], MIANYANG_CHANGES)
    code, report = sync(registers, db_path)
    assert code == 0, report


def test_a_certificate_whose_chain_does_not_reach_its_first_is_still_found(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A predecessor the registry lacks (a registry mended by hand): the certificate stood for
    its chain's first, rather than vanishing ("登记库中没有该证书编号")."""
    exchange = status_event("换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003")
    roster.add("changes.csv", [exchange], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    with sqlite3.connect(db_path) as conn:  # past the guard, as whoever mended it went
        conn.execute("DROP TRIGGER keep_certificates_statuses")
        conn.execute(
            "UPDATE certificates SET predecessor = 'Z1122029999' WHERE number = 'Z1122020003'"
        )
    roster.add(
        "later.csv", [status_event("补发", "Z1122020003", "周杰", "2013-01-10")], MIANYANG_CHANGES
    )
    code, report = sync(roster, db_path)
    assert code == 0, report


def test_the_first_holder_is_judged_by_its_own_values_even_blank_ones(
    roster: RegisterFactory, db_path: Path
) -> None:
    """The first certificate's sex blank (a registry mended by hand): the current one's
    corrected sex stood in for it, and a second 换发 made another person of the holder."""
    first = status_event("换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003", 更正性别="女")
    roster.add("changes.csv", [first], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    mended_by_hand(db_path, "UPDATE certificates SET sex = NULL WHERE number = 'Z1122020001'")
    second = status_event(
        "换发", "Z1122020003", "周杰", "2012-09-11", "Z1122020004",
        更正姓名="欧阳娜娜", 更正出生年月="1979.11", 批准文号="绵人社函〔2012〕2号",
    )  # fmt: skip
    roster.add("later.csv", [second], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    text = json.dumps(report, ensure_ascii=False)
    # what the row changes, and what the first 换发 did (a first holder's sex blank: to 女)
    said = "姓名、出生年月与该证书最初的持证人不同，而此前的换发已将性别更正为 女（连同此前的换发"
    assert code == 1 and said in text


def test_two_exchanges_cannot_make_another_person_of_the_holder(
    roster: RegisterFactory, db_path: Path
) -> None:
    """Name and sex corrected on one day, birth the next: each 换发 alone passed, and the
    certificate ended up another person's."""
    first = status_event(
        "换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003", 更正姓名="周洁", 更正性别="女"
    )
    second = status_event(
        "换发", "Z1122020003", "周洁", "2012-09-11", "Z1122020004", 更正出生年月="1979.11",
        批准文号="绵人社函〔2012〕2号",
    )  # fmt: skip
    roster.add("changes.csv", [first, second], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    text = json.dumps(report, ensure_ascii=False)
    said = "出生年月与该证书最初的持证人不同，而此前的换发已将姓名更正、性别从 男 更正为 女"
    assert code == 1 and said + "（连同此前的换发，姓名、性别和出生年月全都不同）" in text
    assert [p["row"] for p in report["registers"][-1]["problems"]] == [4]  # the second


@pytest.mark.parametrize(
    ("corrections", "refused"),
    [
        ({"更正姓名": "欧阳娜娜", "更正性别": "女"}, "完全不同的另一个，性别也改了"),
        ({"更正姓名": "欧阳娜娜", "更正出生年月": "1979.11"}, "完全不同的另一个，出生年月也改了"),
        ({"更正姓名": "欧阳娜娜"}, None),  # the holder's new name (改名)
        ({"更正姓名": "周洁", "更正性别": "女"}, None),  # a slip of the pen, and the sex
        ({"更正姓名": "周杰伦", "更正出生年月": "1976.05"}, None),  # a character left out
        ({"更正姓名": "杰周", "更正出生年月": "1976.05"}, None),  # the characters swapped
        ({"更正姓名": "周傑倫", "更正出生年月": "1976.05"}, None),  # traditional, one more
        ({"更正姓名": "周杰伦", "更正性别": "女"}, "姓名多了或少了一个字，性别也改了"),  # sister
        ({"更正姓名": "周洁", "更正性别": "男"}, None),  # the sex written out as it was
        ({"更正姓名": "舟洁", "更正出生年月": "1976.05"}, None),  # taken down by ear
        ({"更正姓名": "ZHOU JIE", "更正性别": "女"}, None),  # written in letters
        ({"更正姓名": "刘洁", "更正性别": "女"}, "完全不同的另一个，性别也改了"),  # jie alike only
        ({"更正姓名": "周秀英", "更正性别": "女"}, "完全不同的另一个，性别也改了"),  # one surname
        ({"更正姓名": "周婕妤", "更正性别": "女"}, "完全不同的另一个，性别也改了"),
        ({"更正姓名": "周小杰", "更正出生年月": "1976.05"}, None),  # one character more
        ({"更正姓名": "邹婕", "更正性别": "女"}, None),  # zh heard as z
        ({"更正姓名": "周丽", "更正性别": "女"}, "完全不同的另一个，性别也改了"),
        ({"更正姓名": "孙杰敏", "更正性别": "女"}, "完全不同的另一个，性别也改了"),
        # a name changed only a little, but a birth thirteen years off: his father, a namesake
        ({"更正姓名": "周杰伦", "更正出生年月": "1962.11"}, "姓名多了或少了一个字，出生年月"),
        ({"更正姓名": "杰周", "更正出生年月": "1962.11"}, "姓名的字序或写法也改了，出生年月"),
        ({"更正姓名": "舟洁", "更正出生年月": "1962.11"}, "姓名的字序或写法也改了，出生年月"),
    ],
)
def test_another_name_with_another_sex_or_birth_is_another_person(
    roster: RegisterFactory, db_path: Path, corrections: dict[str, str], refused: str | None
) -> None:
    """A careless clerk copying 更正姓名 and 更正性别 from the wrong row: the birth alone stayed
    the first holder's, and the certificate passed to whoever the row named."""
    exchange = status_event(
        "换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003", **corrections
    )
    roster.add("changes.csv", [exchange], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    problem = _only_problem(code, report, refused)
    if problem is None:
        return
    assert refused in problem["rule"] and "换了一个人" in problem["rule"]
    assert (problem["column"], problem["clause"]) == ("更正姓名", "§四.(六)2")


def _only_problem(code: int, report: dict[str, Any], expected: object) -> dict[str, Any] | None:
    """The one problem of the last register, which ``expected`` (a refusal) says was refused;
    None for a register ``expected`` None says loaded."""
    if expected is None:
        assert code == 0, report
        return None
    [problem] = report["registers"][-1]["problems"]
    assert code == 1, report
    return dict(problem)


def _two_exchanges(
    roster: RegisterFactory, db_path: Path, first: dict[str, str], second: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    """周杰's Z1122020001 exchanged with the corrections ``first``, then its successor with
    ``second`` a year later."""
    renamed = first.get("更正姓名", "周杰")
    exchanges = [
        status_event("换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003", **first),
        status_event("换发", "Z1122020003", renamed, "2013-09-10", "Z1122020004", **second),
    ]
    roster.add("changes.csv", exchanges, MIANYANG_CHANGES)
    return sync(roster, db_path)


@pytest.mark.parametrize(
    ("first", "second", "column"),
    [
        ({"更正性别": "女"}, {"更正姓名": "周秀英"}, "更正姓名"),  # the sex, then the name
        ({"更正姓名": "周秀英"}, {"更正性别": "女"}, "更正性别"),  # the name (改名), then the sex
    ],
)
def test_the_sex_and_another_name_in_two_exchanges_are_another_person(
    roster: RegisterFactory,
    db_path: Path,
    first: dict[str, str],
    second: dict[str, str],
    column: str,
) -> None:
    """Each 换发 alone is a correction or a new name; together they hand 周杰's certificate to
    周秀英, a woman of the same surname: refused at the second, which completes the transfer."""
    code, report = _two_exchanges(roster, db_path, first, second)
    [problem] = report["registers"][-1]["problems"]
    assert code == 1 and "连同此前的换发" in problem["rule"] and "换了一个人" in problem["rule"]
    assert (problem["row"], problem["column"], problem["clause"]) == (4, column, "§四.(六)2")


@pytest.mark.parametrize(
    ("first", "second", "refused"),
    [
        ({"更正姓名": "欧阳娜娜"}, {"更正出生年月": "1979.11"}, "更正出生年月"),  # 改名, then
        ({"更正出生年月": "1979.11"}, {"更正姓名": "欧阳娜娜"}, "更正姓名"),  # or the other way
        ({"更正出生年月": "1957.05"}, {"更正姓名": "欧阳娜娜"}, None),  # two digits swapped
        ({"更正姓名": "欧阳娜娜"}, {"更正出生年月": "1975.08"}, None),  # one digit mis-written
    ],
)
def test_another_name_and_another_birth_in_two_exchanges_are_another_person(
    roster: RegisterFactory,
    db_path: Path,
    first: dict[str, str],
    second: dict[str, str],
    refused: str | None,
) -> None:
    """A new name one day and another birth the next handed 周杰's certificate to 欧阳娜娜, born
    four years later, where one 换发 doing both is refused: a birth more than a slip of the pen
    from the first holder's is followed over several 换发 (a hostile sweep's finding)."""
    code, report = _two_exchanges(roster, db_path, first, second)
    problem = _only_problem(code, report, refused)
    if problem is None:
        return
    assert "相差不止一个数字或两个月（连同此前的换发）" in problem["rule"]
    assert problem["rule"].startswith("与该证书最初的持证人相比，更正后的姓名换成了")
    assert "换了一个人" in problem["rule"]
    assert (problem["row"], problem["column"], problem["clause"]) == (4, refused, "§四.(六)2")
    assert verify(db_path, "Z1122020001", "周杰")["result"] == "valid"  # nothing applied


def test_a_trade_corrected_hands_nothing_over() -> None:
    """A certificate another person came to hold under an earlier certreg (the sex corrected,
    then the name): a 换发 correcting its 工种 alone was refused on 更正工种, for what the
    events before it did."""
    current = CertificateState(
        name_key="周秀英",
        birth="1976-05",  # name, sex and birth all the first holder's no more
        trade="泵站运行工",
        letter="Z",
        region="2202",
        authority="2202",
        issued_on="2012-03-20",
        status="valid",
        successor=None,
        last_event="2013-09-10",
        original_document=None,
        sex="女",
        root=("周杰", "男", "1975-05"),
    )
    event = StatusEvent(
        row=3,
        type="换发",
        number="Z1122020004",
        name="周秀英",
        date=dt.date(2014, 9, 10),
        new_number=None,  # (its checks are not the point here)
        reason="错填",
        approval_doc="绵人社函〔2014〕1号",
        corrections=(("trade", "钳工"),),
    )
    entry = RegisterEntry(Path("changes.csv"), "changes.csv", "status-changes", "2202", "2202")
    assert event_problems(event, current, entry, lambda _: None, str) == []


def test_a_holder_corrected_once_may_take_a_new_name_later(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A birth corrected in 2012, a new name (改名) in 2015: the second 换发 changes the name
    alone, and is no other person for the birth the first one corrected."""
    first = status_event(
        "换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003", 更正出生年月="1976.05"
    )
    second = status_event(
        "换发", "Z1122020003", "周杰", "2015-03-10", "Z1122020004", 更正姓名="欧阳娜娜"
    )
    roster.add("changes.csv", [first, second], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 0, report
    assert verify(db_path, "Z1122020004", "欧阳娜娜")["result"] == "valid"


def test_reissue_under_new_number_supersedes(roster: RegisterFactory, db_path: Path) -> None:
    roster.add(
        "changes.csv",
        [status_event("补发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003")],
        MIANYANG_CHANGES,
    )
    assert sync(roster, db_path)[0] == 0
    assert verify(db_path, "Z1122020001", "周杰")["successor"] == "Z1122020003"
    assert verify(db_path, "Z1122020003", "周杰")["result"] == "valid"


@pytest.mark.parametrize(
    ("reissued_as", "exchanged_as"),
    [("Z1122020003", "Z1122020004"), ("", "Z1122020003")],
    ids=["new number", "same number"],
)
def test_an_exchanged_reissue_copy_keeps_its_mark(
    roster: RegisterFactory, db_path: Path, reissued_as: str, exchanged_as: str
) -> None:
    """§四.(六)3: the 换发 of a paper marked 补发 copies the paper, mark and all; the lost
    original stays void, so the answer about the new number still tells the employer to look
    for the mark."""
    damaged = reissued_as or "Z1122020001"
    roster.add(
        "changes.csv",
        [
            status_event("补发", "Z1122020001", "周杰", "2012-09-10", reissued_as),
            status_event(
                "换发", damaged, "周杰", "2012-11-05", exchanged_as, 批准文号="绵人社函〔2012〕2号"
            ),
        ],
        MIANYANG_CHANGES,
    )
    assert sync(roster, db_path)[0] == 0
    answer = verify(db_path, exchanged_as, "周杰")
    assert answer["result"] == "valid"
    assert answer["reissue"] is True
    assert "reissue_of" not in answer  # the 换发 replaced a 补发 copy; the 补发 replaced another
    assert "由补发证书换发" in str(answer["advice"])
    assert "None" not in str(answer["advice"])


CASES = [
    (
        "unknown type",
        [status_event("注销", "Z1122020001", "周杰", "2012-09-10")],
        "类型",
        "换发、补发 或 撤销",
    ),
    (
        "number not in registry",
        [status_event("撤销", "Z1122029999", "周杰", "2012-09-10")],
        "证书编号",
        "登记库中没有",
    ),
    (
        "name does not match",
        [status_event("撤销", "Z1122020001", "李四", "2012-09-10")],
        "姓名",
        "姓名与登记库中该证书的持证人（周*）不符：请核对本行的证书编号和姓名",
    ),
    (
        "before issue date",
        [status_event("撤销", "Z1122020001", "周杰", "2011-01-01")],
        "日期",
        "早于该证书的发证日期",
    ),
    ("future date", [status_event("撤销", "Z1122020001", "周杰", "2099-01-01")], "日期", "将来"),
    (
        "exchange without new number",
        [status_event("换发", "Z1122020001", "周杰", "2012-09-10")],
        "新证书编号",
        "请填写新证书编号",
    ),
    (
        "revoke with new number",
        [status_event("撤销", "Z1122020001", "周杰", "2012-09-10", "Z1122020009")],
        "新证书编号",
        "应为空",
    ),
    (
        "new number taken",
        [status_event("换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020002")],
        "新证书编号",
        "已被使用，新证书编号必须是未用过的编号：下一个可用的编号是 Z1122020003",
    ),
    (
        "new number other level",
        [status_event("换发", "Z1122020001", "周杰", "2012-09-10", "G1122020009")],
        "新证书编号",
        "等级代码和地区代码须与原证书相同：应以 Z 开头，地区代码为 2202（如 Z112202…）",
    ),
    (
        "corrected birth in the future",
        [
            status_event(
                "换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003", 更正出生年月="2090.01"
            )
        ],
        "更正出生年月",
        "日期在将来",
    ),
    (
        "corrected birth after starting work",
        [
            status_event(
                "换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003", 更正出生年月="1996.01"
            )
        ],
        "更正出生年月",
        "更正后的出生年月距该持证人的参加工作时间 1995-07 不足 12 年",
    ),
    (
        "corrected birth of a date cell holding 1",
        [
            status_event(
                "换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003", 更正出生年月="1900.01"
            )
        ],
        "更正出生年月",
        "持证人已满 70 周岁",
    ),
    (
        "corrected birth making a child of the worker",
        [
            status_event(
                "换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003", 更正出生年月="1990.01"
            )
        ],
        "更正出生年月",
        "更正后的出生年月距该持证人的参加工作时间 1995-07 不足 12 年",
    ),
    (
        "an exchange to another person",
        [
            status_event(
                "换发",
                "Z1122020001",
                "周杰",
                "2012-09-10",
                "Z1122020003",
                更正姓名="欧阳娜娜",
                更正性别="女",
                更正出生年月="1979.11",
            )
        ],
        "更正姓名",
        "这不是填错，而是换了一个人",
    ),
    (
        "corrected name typed one column off",
        [
            status_event(
                "换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003", 更正姓名="1976.03"
            )
        ],
        "更正姓名",
        "姓名中有数字",
    ),
    (
        "new number malformed",
        [status_event("换发", "Z1122020001", "周杰", "2012-09-10", "Z11220200")],
        "新证书编号",
        "应为11位",
    ),
    (
        "reissue without documents",
        [status_event("补发", "Z1122020001", "周杰", "2012-09-10", 单位证明="")],
        "单位证明",
        "补发须有单位证明",
    ),
    (
        "after revocation",
        [
            status_event("撤销", "Z1122020001", "周杰", "2012-09-10"),
            status_event("补发", "Z1122020001", "周杰", "2012-10-10"),
        ],
        "证书编号",
        "已撤销",
    ),
    (
        "old number after exchange",
        [
            status_event("换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003"),
            status_event("撤销", "Z1122020001", "周杰", "2012-10-10"),
        ],
        "证书编号",
        "请对新证书登记",
    ),
    (
        "no reason",
        [status_event("撤销", "Z1122020001", "周杰", "2012-09-10", 原因="")],
        "原因",
        "必填",
    ),
    (
        "reissue the supervisor refused",
        [
            status_event(
                "补发", "Z1122020001", "周杰", "2012-09-10", 主管部门审核="不同意（材料不全）"
            )
        ],
        "主管部门审核",
        "这一栏写的是未同意或未审核",
    ),
    (
        "reissue the issuer has not reviewed",
        [status_event("补发", "Z1122020001", "周杰", "2012-09-10", 发证机关审核="未审核")],
        "发证机关审核",
        "这一栏写的是未同意或未审核",
    ),
    (
        "reissue of a damaged certificate",
        [status_event("补发", "Z1122020001", "周杰", "2012-09-10", 原因="证书损坏")],
        "原因",
        "损坏但还在的证书应收回旧证换发新证",
    ),
    (
        "exchange whose reason denies damage",
        [
            status_event(
                "换发",
                "Z1122020001",
                "周杰",
                "2012-09-10",
                "Z1122020003",
                原因="遗失后找回，无损坏",
            )
        ],
        "原因",
        "换发只用于错填或损坏的证书",
    ),
    (
        "new number of a year to come",
        [status_event("换发", "Z1122020001", "周杰", "2012-09-10", "Z1322020003")],
        "新证书编号",
        "年份代码“13”不对：新证书于 2012-09-10 核发，年份代码应为核发年份的后两位“12”",
    ),
    (
        "new number of a year before the certificate",
        [status_event("换发", "Z1122020001", "周杰", "2012-09-10", "Z9922020003")],
        "新证书编号",
        "不早于原证书的“11”",
    ),
    (
        "approval document of another year",
        [
            status_event(
                "换发",
                "Z1122020001",
                "周杰",
                "2012-09-10",
                "Z1222020001",
                批准文号="川人社函〔2015〕3号",
            )
        ],
        "批准文号",
        "文号中的年份〔2015〕与换发、补发的日期的年份 2012 不符",
    ),
    (
        "approval document without a year",
        [status_event("补发", "Z1122020001", "周杰", "2012-09-10", 批准文号="川人社函30号")],
        "批准文号",
        "文号中没有年份",
    ),
    (
        "reissue under its own number written as the new number",
        [status_event("补发", "Z1122020001", "周杰", "2012-09-10", "Z1122020001")],
        "新证书编号",
        "以原编号补发时，新证书编号一栏应留空",
    ),
    (
        "a total line",
        [
            {**status_event("撤销", "Z1122020001", "周杰", "2012-09-10"), "序号": 1},
            {"序号": "合计", "类型": "1 条"},
        ],
        "序号",
        "这是合计行",
    ),
    *(
        (case, [status_event("补发", "Z1122020001", "周杰", "2012-09-10", **reviews)], column, rule)
        for case, reviews, column, rule in [
            (
                "a review after the reissue",
                {"主管部门审核": "同意 2012-09-20"},
                "主管部门审核",
                "审核日期晚于补发日期 2012-09-10",
            ),
            (
                "a review before the certificate was issued",
                {"主管部门审核": "同意 2011-06-05"},
                "主管部门审核",
                "审核日期 2011-06-05 早于该证书的发证日期",
            ),
            (
                "a review in the future",
                {"发证机关审核": "2099年1月1日同意"},
                "发证机关审核",
                "审核日期在将来",
            ),
            (
                "a review document of a later year",
                {"发证机关审核": "绵人社审〔2013〕5号"},
                "发证机关审核",
                "审核文件的年份晚于补发日期",
            ),
            (
                "a review on no day",
                {"主管部门审核": "同意 2012-02-30"},
                "主管部门审核",
                "审核日期不存在：2012-02-30，请核对",
            ),
            (
                "the reviews in the wrong order",
                {"主管部门审核": "同意 2012-09-05", "发证机关审核": "同意 2012-09-01"},
                "发证机关审核",
                "早于主管部门审核（2012-09-05）",
            ),
        ]
    ),
]


@pytest.mark.parametrize(("case", "rows", "column", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_rejections_leave_the_registry_unchanged(
    roster: RegisterFactory,
    db_path: Path,
    case: str,
    rows: list[dict[str, object]],
    column: str,
    fragment: str,
) -> None:
    before = snapshot(db_path)
    roster.add("changes.csv", rows, MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 1
    problems = report["registers"][1]["problems"]
    assert any(p["column"] == column and fragment in p["rule"] for p in problems), problems
    assert snapshot(db_path) == before


def test_a_reissue_registered_before_the_review_dates_were_checked_is_not_refused_again(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A 补发 an older certreg loaded with its reviews dated after it: the register's next
    version, adding a 撤销, was refused for that row by a rule that came after it. Reviews
    the version changes are held to it."""
    late = {"主管部门审核": "同意 2013-01-05", "发证机关审核": "同意 2013-01-08"}
    reissue = status_event("补发", "Z1122020001", "周杰", "2012-09-10")
    roster.add("changes.csv", [reissue], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    mended_by_hand(  # as the older certreg recorded it
        db_path,
        "UPDATE status_events SET supervisor_review = ?, issuer_review = ?",
        *late.values(),
    )
    revocation = status_event("撤销", "Z1122020002", "郑浩", "2013-02-01")
    roster.add("changes.csv", [{**reissue, **late}, revocation], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 0, report
    relate = {**late, "发证机关审核": "同意 2013-01-09"}  # a review the new version changes
    roster.add("changes.csv", [{**reissue, **relate}, revocation], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    [problem] = report["registers"][1]["problems"]
    assert code == 1 and problem["column"] == "发证机关审核"
    assert "审核日期晚于补发日期" in problem["rule"]
    # only the issuer's review corrected, to a day before the 补发: the other stays as it was
    # registered (it was refused with the one corrected)
    mended = {**late, "发证机关审核": "同意 2012-09-09"}
    roster.add("changes.csv", [{**reissue, **mended}, revocation], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 0, report


@pytest.mark.parametrize(
    "review",
    [
        "审核中，尚未同意",
        "未审核同意",
        "待审核，审核同意后补发",
        "未通过审核，待补充材料后同意",
        "不予补发",
        "不予受理",
        "退回",
        "材料不全，请补充",
        "正在审核",
        "没有同意",
        "不宜同意",
    ],
)
def test_a_review_that_only_promises_approval_is_no_approval(
    roster: RegisterFactory, db_path: Path, review: str
) -> None:
    """同意 in a review that is not done, or promises approval after something still to do,
    is no approval (§四.(六)3): the 补发 is recorded once both reviews pass."""
    event = status_event("补发", "Z1122020001", "周杰", "2012-09-10", 发证机关审核=review)
    roster.add("changes.csv", [event], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 1
    [problem] = report["registers"][1]["problems"]
    assert problem["column"] == "发证机关审核" and "未同意或未审核" in problem["rule"]


@pytest.mark.parametrize(
    ("column", "written", "refused"),
    [
        ("个人申请", "无", True),
        ("个人申请", "否", True),
        ("个人申请", "0", True),
        ("单位证明", "未提交", True),
        ("单位证明", "暂无", True),
        ("单位证明", "待补", True),
        ("个人申请", "（缺）", True),
        ("个人申请", "已提交", False),
        ("个人申请", "本人申请书 2012-09-01", False),
        ("单位证明", "见附件", False),
        ("单位证明", "不缺", False),
        # a document given, in words that only mention a lack (a review)
        ("个人申请", "申请书（缺页已补齐）", False),
        ("单位证明", "已交，待补原件", False),
        ("单位证明", "证明人：吴缺", False),
        ("单位证明", "暂无证明", True),
        ("单位证明", "尚未提交", True),  # and more ways of saying it (a review)
        ("个人申请", "未提交个人申请", True),
        ("单位证明", "缺失", True),
        ("个人申请", "无，待补", True),
    ],
)
def test_a_reissue_whose_application_or_unit_letter_is_written_as_none_is_refused(
    roster: RegisterFactory, db_path: Path, column: str, written: str, refused: bool
) -> None:
    """A 补发 needs the holder's application and the unit's certificate (§四.(六)3): a cell
    saying there is none (无, 未提交, 待补) had read as given, and the 补发 voided the holder's
    paper on a register that said no application was made (an auditor's review)."""
    event = status_event("补发", "Z1122020001", "周杰", "2012-09-10", **{column: written})
    roster.add("changes.csv", [event], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    if not refused:
        assert code == 0, report
        return
    [problem] = report["registers"][1]["problems"]
    assert code == 1 and (problem["column"], problem["value"]) == (column, written)
    assert f"补发须提交{column}" in problem["rule"] and problem["clause"] == "§四.(六)3"


def test_a_reissue_registered_with_no_application_is_not_refused_again(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A 补发 an older certreg loaded with 个人申请 written 无 is not refused in the register's
    next version for a rule that came after it; a version changing the cell is held to it."""
    reissue = status_event("补发", "Z1122020001", "周杰", "2012-09-10")
    roster.add("changes.csv", [reissue], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    mended_by_hand(db_path, "UPDATE status_events SET personal_application = ?", "无")
    revocation = status_event("撤销", "Z1122020002", "郑浩", "2013-02-01")
    roster.add("changes.csv", [{**reissue, "个人申请": "无"}, revocation], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 0, report
    roster.add("changes.csv", [{**reissue, "个人申请": "未提交"}, revocation], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    [problem] = report["registers"][1]["problems"]
    assert code == 1 and problem["column"] == "个人申请"


@pytest.mark.parametrize(
    "changes",
    [
        {"原因": "家中失火，证书被烧毁"},
        {"原因": "地震房屋垮塌，证书损毁，无法找回"},
        {"原因": "原单位破产改制，证书下落不明"},
        # a review of the day's rule that wanted a word of loss: losses are said many ways
        {"原因": "证书被偷"},
        {"原因": "搬家时弄丢"},
        {"原因": "找不着了"},
        {"原因": "证书遺失"},
        {"原因": "损坏后遗失"},  # damaged, and lost since: a 补发 (a diff review's gap)
        {"主管部门审核": "经审核，无不同意见"},
        {"发证机关审核": "情况属实，无不符合条件情形，同意"},
        {"发证机关审核": "已补充材料后审核，同意补发"},
        {"主管部门审核": "经重新申报，同意"},
        {"发证机关审核": "未发现不符合条件情形，同意"},
        {"发证机关审核": "川人社审〔2012〕5号"},  # the document that approved it
        {"主管部门审核": "原则同意"},
    ],
)
def test_a_reissue_the_notice_allows_is_not_misread(
    roster: RegisterFactory, db_path: Path, changes: dict[str, str]
) -> None:
    """A paper destroyed is reissued as a lost one is (nothing is left to hand in), and a
    review saying it has no objection approves."""
    roster.add(
        "changes.csv",
        [status_event("补发", "Z1122020001", "周杰", "2012-09-10", **changes)],
        MIANYANG_CHANGES,
    )
    code, report = sync(roster, db_path)
    assert code == 0, report


@pytest.mark.parametrize(
    ("kind", "reason", "clause", "told"),
    [
        ("补发", "/", "§四.(六)3", "原因为必填项：请写明证书如何丢失"),
        ("补发", "无", "§四.(六)3", "原因为必填项：请写明证书如何丢失"),
        ("撤销", "——", "§五.(三)", "原因为必填项：请写明撤销的原因"),
        ("撤销", "见附件", "§五.(三)", "原因为必填项：请写明撤销的原因"),
        ("撤销", "", "§五.(三)", "原因为必填项：请写明撤销的原因"),
        ("补发", "", "§四.(六)3", "原因为必填项：请写明证书如何丢失"),
        ("换发", "", "§四.(六)2", "原因为必填项：请写明是错填还是损坏"),
        ("换发", "（无）", "§四.(六)2", "原因为必填项：请写明是错填还是损坏"),
        (
            "补发",
            "出生年月填错",
            "§四.(六)3",
            "补发只用于遗失（或已毁、无法交回）的证书；填错但还在的",
        ),
    ],
)
def test_a_reason_that_says_nothing_or_no_loss_is_refused(
    roster: RegisterFactory, db_path: Path, kind: str, reason: str, clause: str, told: str
) -> None:
    """A clerk's review: 原因 written / or 见附件 loaded as a reason, and a 补发 of a misfilled
    paper — §四.(六)3 reissues a lost certificate only — loaded too; an empty 撤销 reason was
    told §四.(六), not the §五.(三) it comes from. (One problem each: a blank reason was told
    the 补发 rule as well.)"""
    new = "Z1122020003" if kind == "换发" else ""
    event = status_event(kind, "Z1122020001", "周杰", "2012-09-10", new, 原因=reason)
    roster.add("changes.csv", [event], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    [problem] = report["registers"][1]["problems"]
    assert code == 1 and (problem["column"], problem["clause"]) == ("原因", clause)
    assert problem["rule"].startswith(told), problem["rule"]


def test_city_may_only_touch_its_own_certificates(roster: RegisterFactory, db_path: Path) -> None:
    before = snapshot(db_path)
    roster.add(
        "chengdu.csv",
        [status_event("撤销", "Z1122020001", "周杰", "2012-09-10")],
        {"kind": "status-changes", "authority": "2201"},
    )
    code, report = sync(roster, db_path)
    assert code == 1
    rule = report["registers"][1]["problems"][0]["rule"]
    assert rule.startswith("该证书由绵阳市人力资源和社会保障局（2202）核发，不是本机关（2201）")
    assert "无权登记其撤销：请由绵阳市人力资源和社会保障局（2202）登记" in rule  # what was tried
    assert snapshot(db_path) == before


def test_a_reason_registered_before_its_rule_does_not_refuse_a_new_version(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A review: a 补发 registered with 原因 / (before such reasons were refused) refused every
    later version of its register — a row added, and the clerk had to rewrite a registered row."""
    reissue = status_event("补发", "Z1122020001", "周杰", "2012-09-10")
    roster.add("changes.csv", [reissue], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    mended_by_hand(db_path, "UPDATE status_events SET reason = '/'")  # as registered then
    added = status_event("撤销", "C1122020001", "吴敏", "2012-10-01")
    roster.add("changes.csv", [{**reissue, "原因": "/"}, added], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 0, report
    roster.add("changes.csv", [reissue | {"原因": "/"}, added | {"原因": "无"}], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)  # an event registered otherwise is judged
    [problem] = report["registers"][1]["problems"]
    assert code == 1 and (problem["row"], problem["column"]) == (4, "原因")


def test_a_reissue_without_a_reason_is_still_told_its_missing_documents(
    roster: RegisterFactory, db_path: Path
) -> None:
    """Every problem of a row in one report: a 原因 of / is no reason to stop at."""
    event = status_event("补发", "Z1122020001", "周杰", "2012-09-10", 原因="/", 个人申请="")
    roster.add("changes.csv", [event], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    columns = {p["column"] for p in report["registers"][1]["problems"]}
    assert code == 1 and columns == {"原因", "个人申请"}


def test_another_authoritys_certificate_is_told_nothing_but_whose_it_is(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A clerk's review: a city clerk who named another city's certificate was told, after
    whose it is, the date of its last change and to correct a date — its history, not hers."""
    roster.add(
        "mianyang-changes.csv",
        [status_event("补发", "Z1122020001", "周杰", "2012-09-10")],
        MIANYANG_CHANGES,
    )
    assert sync(roster, db_path)[0] == 0
    late = status_event("撤销", "Z1122020001", "李四", "2012-08-01")
    roster.add("chengdu.csv", [late], {"kind": "status-changes", "authority": "2201"})
    code, report = sync(roster, db_path)
    [problem] = report["registers"][-1]["problems"]
    assert code == 1 and (problem["column"], problem["clause"]) == ("证书编号", "§三")


def test_samples_give_every_status(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    samples = Path(__file__).resolve().parent.parent / "data" / "samples"
    assert CliRunner().invoke(cli, ["sync", str(samples), "--db", str(db)]).exit_code == 0
    assert verify(db, "Z1122000001", "李芳")["result"] == "reissued"
    assert verify(db, "G1122000002", "欧阳明")["successor"] == "G1122000003"
    assert verify(db, "G1122000003", "欧阳明")["result"] == "valid"
    assert verify(db, "C1122000001", "陈静")["result"] == "revoked"


def test_a_row_gets_all_its_problems_in_one_report(roster: RegisterFactory, db_path: Path) -> None:
    """A 补发 lacking its 个人申请 is still checked against the registry: its wrong 原公布文件
    and wrong name are in the same report, not kept for the clerk's next attempt."""
    row = status_event(
        "补发", "Z1122020001", "周二", "2012-09-10", 个人申请="", 原公布文件="绵人社函〔2011〕9号"
    )
    roster.add("changes.csv", [row], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 1
    columns = sorted(p["column"] for p in report["registers"][1]["problems"])
    assert columns == ["个人申请", "原公布文件", "姓名"]


@pytest.mark.parametrize("where", ["renamed", "same file", "next version"])
def test_a_reissue_copied_with_its_date_corrected_is_no_second_paper(
    roster: RegisterFactory, db_path: Path, where: str
) -> None:
    """The 补发 of 2013-03-01 copied into a renamed file with the date corrected to 03-11 was
    loaded as a second 补发 on the same approval: every answer then voided the holder's real
    paper of 03-01. One approval document approves one 补发 of a certificate."""
    first = status_event("补发", "Z1122020001", "周杰", "2013-03-01")
    copy = status_event("补发", "Z1122020001", "周杰", "2013-03-11")
    if where != "same file":
        roster.add("reissue.csv", [first], MIANYANG_CHANGES)
        assert sync(roster, db_path)[0] == 0
        if where == "renamed":  # and its 文号 bracketed otherwise
            copy["批准文号"] = "绵人社函[2013]1号"
            roster.add("reissue-corrected.csv", [copy], MIANYANG_CHANGES)
            expected = "登记表“reissue.csv”已按同一批准文号“绵人社函〔2013〕1号”登记了这本证书"
        else:  # the applied row kept, the copy beside it
            roster.add("reissue.csv", [first, copy], MIANYANG_CHANGES)
            expected = "与本文件第3行是同一批准文号“绵人社函〔2013〕1号”的补发"
    else:
        roster.add("reissue.csv", [first, copy], MIANYANG_CHANGES)
        expected = (
            "与本文件第3行是同一批准文号“绵人社函〔2013〕1号”的补发：一份批准文件只办理一次补发"
        )
    code, report = sync(roster, db_path)
    [problem] = report["registers"][-1]["problems"]
    assert code == 1 and problem["rule"].startswith(expected), problem
    assert verify(db_path, "Z1122020001", "周杰").get("status_date") == (
        None if where == "same file" else "2013-03-01"
    )
    second = status_event(
        "补发", "Z1122020001", "周杰", "2013-09-01", 批准文号="绵人社函〔2013〕9号"
    )
    roster.add("reissue-again.csv", [second], MIANYANG_CHANGES)  # lost again: its own approval
    roster.entries.pop("reissue-corrected.csv", None)
    if where != "renamed":
        roster.add("reissue.csv", [first], MIANYANG_CHANGES)
    roster.write_manifest()
    assert sync(roster, db_path)[0] == 0


def test_a_registers_changes_count_certificates_not_events(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A 补发 and then a 撤销 of one certificate are two events on one certificate: the sync
    history said 修改 2, as if two certificates had changed — and 修改 counts no certificate
    since: an auditor read it as records overwritten (the clerk is told 涉及证书 1 本)."""
    roster.add(
        "changes.csv",
        [
            status_event("补发", "Z1122020001", "周杰", "2013-03-01"),
            status_event("撤销", "Z1122020001", "周杰", "2013-09-01", 原因="弄虚作假"),
        ],
        MIANYANG_CHANGES,
    )
    code, report = sync(roster, db_path)
    entry = report["registers"][-1]
    assert code == 0 and (entry["added"], entry["changed"]) == (2, 0)


@pytest.mark.parametrize("second_on", ["绵人社函〔2013〕5号", "绵人社函〔2013〕6号"])
def test_a_corrected_document_counts_as_the_file_now_writes_it(
    roster: RegisterFactory, db_path: Path, second_on: str
) -> None:
    """A new version corrects an applied 补发's 文号 (5号 → 6号) and adds a 补发 of its own: on
    6号 that is the same approval twice (it loaded: two papers, the real one void); on 5号,
    now free, a genuine second 补发 (it was refused, and told to delete itself)."""
    applied = status_event(
        "补发", "Z1122020001", "周杰", "2013-03-01", 批准文号="绵人社函〔2013〕5号"
    )
    roster.add("reissue.csv", [applied], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    corrected = {**applied, "批准文号": "绵人社函〔2013〕6号"}
    again = status_event("补发", "Z1122020001", "周杰", "2013-09-05", 批准文号=second_on)
    roster.add("reissue.csv", [corrected, again], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    if second_on.endswith("6号"):
        [problem] = report["registers"][-1]["problems"]
        assert code == 1 and problem["rule"].startswith("与本文件第3行是同一批准文号"), problem
    else:
        assert code == 0, report


def test_a_document_corrected_onto_another_registers_reissue_is_refused(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A new version moving its applied 补发 onto the 文号 another register's 补发 of the same
    certificate was approved by loaded: two 补发 on one approval in the registry."""
    first = status_event(
        "补发", "Z1122020001", "周杰", "2013-03-01", 批准文号="绵人社函〔2013〕5号"
    )
    roster.add("r1.csv", [first], MIANYANG_CHANGES)
    later = status_event(
        "补发", "Z1122020001", "周杰", "2013-06-01", 批准文号="绵人社函〔2013〕7号"
    )
    roster.add("r2.csv", [later], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    roster.add("r2.csv", [{**later, "批准文号": "绵人社函〔2013〕5号"}], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    [problem] = report["registers"][-1]["problems"]
    assert code == 1 and problem["rule"].startswith("登记表“r1.csv”已按同一批准文号"), problem


@pytest.mark.parametrize(
    ("column", "remark"),
    [
        ("备注", "此条作废，经复核不予撤销"),
        ("处理意见", "暂缓撤销"),
        ("备注", "撤销申请已撤回"),
        ("备注", "同意撤销，后经复核此条作废"),  # approved, then withdrawn
        ("备注", "此条作废（原同意撤销）"),
        ("备注", "取消撤销"),
        ("备注", "经复核，不撤销"),
        ("备注", "撤销决定已撤销"),
        ("备注", "申请人撤回申请"),
        ("备注", "作废此条"),
        ("备注", "撤销决定已被撤销"),
        ("备注", "撤销已经取消"),
    ],
)
def test_a_change_its_remarks_withdraw_is_refused_not_applied(
    roster: RegisterFactory, db_path: Path, column: str, remark: str
) -> None:
    """A 撤销 kept in the file with 备注 此条作废 (or in a column the layout does not read) was
    applied, and could not be undone: every employer was told the holder's certificate is
    void. The row is refused, with the way out, and nothing changes."""
    before = snapshot(db_path)
    event = status_event("撤销", "Z1122020001", "周杰", "2012-09-10")
    path = roster.add("changes.xlsx", [event], MIANYANG_CHANGES)
    add_column(path, column, [remark])
    code, report = sync(roster, db_path)
    assert code == 1
    [problem] = report["registers"][1]["problems"]
    assert (problem["row"], problem["column"], problem["value"]) == (3, column, remark)
    assert "登记表只列已批准的换发、补发、撤销" in problem["rule"]
    assert f"请在{column}末尾写明“同意办理”" in problem["rule"]
    assert snapshot(db_path) == before


@pytest.mark.parametrize(
    "remark",
    [
        "撤销后旧证作废",
        "经复核同意撤销（原暂缓撤销）",
        "暂缓撤销，现同意办理",  # the way out the refusal names
        "非此条作废",
        "撤销证书，证书作废",
        "撤销证书，不再补发",  # of the future, or of another type
        "骗取证书，撤销后三年内不再办理",
        "撤销 取消其技能等级资格",
        "撤销作废证书",
        "原暂缓办理，现材料已补齐",
        "撤销，当事人申诉已驳回",
        "行政复议驳回，维持撤销决定",
        "撤销，三年内不予受理其鉴定申请",
    ],
)
def test_a_remark_that_does_not_withdraw_the_change_is_no_refusal(
    roster: RegisterFactory, db_path: Path, remark: str
) -> None:
    """What 备注 says of the certificate (作废) or of a withdrawal since granted is no refusal:
    the revocation applies."""
    event = status_event("撤销", "Z1122020001", "周杰", "2012-09-10")
    add_column(roster.add("changes.xlsx", [event], MIANYANG_CHANGES), "备注", [remark])
    code, report = sync(roster, db_path)
    assert code == 0, report["registers"][1]["problems"]
    assert verify(db_path, "Z1122020001", "周杰")["result"] == "revoked"


@pytest.mark.parametrize("placeholder", ["无", "/", "—", "－", "（无）"])
def test_a_new_number_written_as_none_is_none(
    roster: RegisterFactory, db_path: Path, placeholder: str
) -> None:
    """无, a slash or a dash in 新证书编号 says "none" as a blank does: a 撤销 with it applies, a
    补发 with it is a 补发 under the same number."""
    events = [
        status_event("撤销", "Z1122020001", "周杰", "2012-09-10", placeholder),
        status_event("补发", "Z1122020002", "郑浩", "2012-09-10", placeholder),
    ]
    roster.add("changes.csv", events, MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 0, report["registers"][1]["problems"]
    assert verify(db_path, "Z1122020001", "周杰")["result"] == "revoked"
    assert verify(db_path, "Z1122020002", "郑浩")["result"] == "reissued"


def test_a_status_registers_applied_events_are_read_by_its_index(
    roster: RegisterFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each status-changes register reads the events it applied before: by its register's index,
    not a read of every status change (13 ms a register at 100,000 events, growing)."""
    roster.add(
        "changes.csv", [status_event("撤销", "Z1122020001", "周杰", "2012-09-10")], MIANYANG_CHANGES
    )
    assert sync(roster, db_path)[0] == 0
    statements = traced_statements(monkeypatch)
    roster.add(
        "more.csv", [status_event("撤销", "Z1122020002", "郑浩", "2012-09-11")], MIANYANG_CHANGES
    )
    assert sync(roster, db_path)[0] == 0
    own = [sql for sql in statements if "FROM status_events WHERE register =" in sql]
    assert own and whole_reads(db_path, own, "status_events") == set()


def test_two_rows_giving_one_new_number_name_each_other(
    roster: RegisterFactory, db_path: Path
) -> None:
    """The second of two 换发 rows giving the same new number was told only that the number is
    in use and the next free one, without the row of this file that took it."""
    events = [
        status_event("换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003"),
        status_event("换发", "Z1122020002", "郑浩", "2012-09-11", "Z1122020003"),
    ]
    roster.add("changes.csv", events, MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 1
    [problem] = report["registers"][1]["problems"]
    assert (problem["row"], problem["column"]) == (4, "新证书编号")
    assert problem["rule"].startswith("与本文件第3行的新证书编号重复：该编号已被使用")
    assert "下一个可用的编号是 Z1122020004" in problem["rule"]


def test_a_change_applied_before_the_remark_rule_is_not_judged_again(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A register loaded before its remarks were read keeps its applied rows: a new version
    adding a row was refused for a remark of a 撤销 in force for years (and deleting the row
    undoes nothing). The remark is reported as a conflict instead."""
    revoke = status_event("撤销", "Z1122020001", "周杰", "2012-09-10")
    path = roster.add("changes.xlsx", [revoke], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    more = status_event("撤销", "Z1122020002", "郑浩", "2012-09-11")
    path = roster.add("changes.xlsx", [revoke, more], MIANYANG_CHANGES)
    add_column(path, "备注", ["此条作废", None])
    code, report = sync(roster, db_path)
    assert code == 0, report["registers"][1]["problems"]
    assert verify(db_path, "Z1122020002", "郑浩")["result"] == "revoked"
    # what the remark now says is not lost on anyone: the event stands, and the clerk is told
    [conflict] = report["registers"][1]["conflicts"]
    assert (conflict["row"], conflict["column"], conflict["value"]) == (3, "备注", "此条作废")
    assert "已在此前的版本中登记生效，不会撤回" in conflict["rule"]
    assert verify(db_path, "Z1122020001", "周杰")["result"] == "revoked"


def test_a_reissue_its_remark_says_is_no_longer_needed_is_refused(
    roster: RegisterFactory, db_path: Path
) -> None:
    """不再补发 withdraws a 补发 (the paper was found), though on a 撤销 it tells the future."""
    event = status_event("补发", "Z1122020001", "周杰", "2012-09-10")
    path = roster.add("changes.xlsx", [event], MIANYANG_CHANGES)
    add_column(path, "备注", ["原证已找到，不再补发"])
    code, report = sync(roster, db_path)
    assert code == 1
    [problem] = report["registers"][1]["problems"]
    assert problem["column"] == "备注" and "不再补发" in problem["rule"]
    assert verify(db_path, "Z1122020001", "周杰")["result"] == "valid"


@pytest.mark.parametrize(
    ("kind", "remark", "withdraws"),
    [
        ("撤销", "撤回", True),
        ("撤销", "已撤回", True),
        ("撤销", "单位撤回撤销申请", True),
        ("撤销", "此条作废，经复核不予撤销", True),
        ("撤销", "同意撤销，后经复核此条作废", True),
        ("撤销", "此条作废（原同意撤销）", True),
        ("撤销", "取消撤销", True),
        ("撤销", "经复核，不撤销", True),
        ("撤销", "撤销决定已被撤销", True),
        ("撤销", "撤销已经取消", True),
        ("撤销", "作废此条", True),
        ("补发", "申请人撤回", True),
        ("补发", "本人撤回", True),
        ("补发", "已撤回", True),
        ("补发", "同意补发，后申请人撤回", True),
        ("补发", "材料不全，不予受理", True),
        ("补发", "经审核驳回", True),
        ("补发", "驳回", True),
        ("补发", "同意补发，后经复核驳回", True),
        ("补发", "原证已找到，不再补发", True),
        ("补发", "补发申请已被取消", True),
        ("补发", "无需补发", True),
        ("补发", "不需要补发", True),
        ("补发", "原证找回，无须补发", True),
        ("换发", "本人撤回换发申请", True),
        ("换发", "单位撤回", True),
        ("换发", "不予受理", True),
        ("撤销", "撤销，当事人申诉已驳回", False),
        ("撤销", "行政复议驳回，维持撤销决定", False),
        ("撤销", "撤销，三年内不予受理其鉴定申请", False),
        ("撤销", "当事人复议申请已被驳回，维持撤销决定", False),
        ("撤销", "行政复议申请被驳回", False),
        ("撤销", "复议申请已撤回，撤销生效", False),
        ("撤销", "撤销证书，不再补发", False),
        ("撤销", "骗取证书，撤销后三年内不再办理", False),
        ("撤销", "撤销 取消其技能等级资格", False),
        ("撤销", "撤销作废证书", False),
        ("撤销", "原暂缓办理，现材料已补齐", False),
        ("撤销", "撤销其资格", False),
        ("撤销", "证书作废", False),
        ("撤销", "同意撤销", False),
        ("撤销", "撤销后旧证作废", False),
        ("撤销", "经复核同意撤销（原暂缓撤销）", False),
        ("撤销", "暂缓撤销，现同意办理", False),
        ("补发", "原证遗失作废，同意补发", False),
        ("补发", "不慎遗失，申请补发", False),
        ("补发", "已登报声明作废", False),
        ("换发", "换发，原证书撤回", False),
        ("换发", "旧证已收回作废", False),
        ("换发", "换发 作废原证", False),
        ("撤销", "决定撤回其资格证书", False),
        ("撤销", "撤回已颁发的资格证书", False),
        ("撤销", "撤回其证书并注销", False),
        ("撤销", "本人异议被驳回", False),
        ("撤销", "异议已驳回，维持撤销", False),
        ("撤销", "经复议撤销决定已撤回", True),
        ("撤销", "复议后撤销决定已撤销", True),
    ],
)
def test_remarks_are_read_as_clerks_write_them(kind: str, remark: str, withdraws: bool) -> None:
    """Three rounds of review found remarks read the wrong way: a withdrawal written after an
    approval, 不再补发 on a 补发, 撤回/驳回/不予受理 of the application, against what a 撤销's
    remark says of the holder's appeal (复议申请已被驳回) or of the future (不再补发)."""
    assert (void_event(kind).phrase(remark) is not None) is withdraws


def test_a_corrected_reference_of_an_applied_event_is_listed_in_the_report(
    roster: RegisterFactory, db_path: Path
) -> None:
    """An integrity review: a new version correcting an applied 补发's 批准文号 and 原因 was
    reported as 修改 1 and nothing more (``"changes": []``), while the certificate's history
    kept both — a corrected roster lists each value, old → new."""
    applied = status_event(
        "补发", "Z1122020001", "周杰", "2013-03-01", 批准文号="绵人社函〔2013〕5号"
    )
    roster.add("reissue.csv", [applied], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    corrected = {**applied, "批准文号": "绵人社函〔2013〕6号", "原因": "证书丢失"}
    roster.add("reissue.csv", [corrected], MIANYANG_CHANGES)
    dry = ["sync", str(roster.folder), "--db", str(db_path), "--dry-run"]
    said = CliRunner().invoke(cli, dry).output
    assert "证书 Z1122020001「补发批准文号」绵人社函〔2013〕5号 → 绵人社函〔2013〕6号" in said
    code, report = sync(roster, db_path)
    assert code == 0, report
    changes = {
        (c["number"], c["column"], c["old"], c["new"]) for c in report["registers"][-1]["changes"]
    }
    assert ("Z1122020001", "补发批准文号", "绵人社函〔2013〕5号", "绵人社函〔2013〕6号") in changes
    assert {c[1] for c in changes} == {"补发批准文号", "补发原因"}
    # the certificate's record changed in this sync: its page's 最近一次改动 names it
    with sqlite3.connect(db_path) as conn:
        [(updated, last)] = conn.execute(
            "SELECT updated_sync, (SELECT max(id) FROM syncs) FROM certificates"
            " WHERE number = 'Z1122020001'"
        ).fetchall()
    assert updated == last


@pytest.mark.parametrize(
    ("reason", "column"),
    [("工种填错", "更正工种"), ("姓名打错", "更正姓名"), ("出生年月有误", "更正出生年月")],
)
def test_an_exchange_for_a_misfilled_field_must_correct_it(
    roster: RegisterFactory, db_path: Path, reason: str, column: str
) -> None:
    """A 换发 for 工种填错 with no 更正工种 loaded, and the new certificate repeated the error
    it was exchanged for (a clerk's review)."""
    exchange = status_event("换发", "Z1122020001", "周杰", "2013-01-10", "Z1122020003", 原因=reason)
    roster.add("changes.csv", [exchange], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    [problem] = report["registers"][-1]["problems"]
    assert code == 1 and (problem["column"], problem["clause"]) == ("原因", "§四.(六)2")
    assert f"没有填写「{column}」" in problem["rule"]


@pytest.mark.parametrize(("typed", "meant"), [("换证", "换发"), ("补证", "补发"), ("注销", "撤销")])
def test_a_type_in_office_words_is_told_which_the_notice_names(
    roster: RegisterFactory, db_path: Path, typed: str, meant: str
) -> None:
    """换证, 补证, 注销 were refused with 类型应为 换发、补发 或 撤销 and no hint (a clerk's
    review); not guessed — 注销 is not always a 撤销 — but asked."""
    event = {**status_event(meant, "Z1122020001", "周杰", "2013-01-10"), "类型": typed}
    roster.add("changes.csv", [event], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    rules = [p["rule"] for p in report["registers"][-1]["problems"] if p["column"] == "类型"]
    assert code == 1 and rules == [
        f"类型应为 换发、补发 或 撤销：是否为“{meant}”？请照通知的用词填写"
    ]


def test_an_unread_type_with_a_correction_is_told_once(
    roster: RegisterFactory, db_path: Path
) -> None:
    """换证 with 更正工种 was asked whether 换发 was meant, then told that only a 换发 corrects —
    though the row was no 补发 nor 撤销 (a clerk's review): the type's question alone."""
    event = status_event(
        "换发", "Z1122020001", "周杰", "2013-01-10", "Z1122020003", 原因="工种填错"
    )
    roster.add("changes.csv", [{**event, "类型": "换证", "更正工种": "钳工"}], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    columns = [p["column"] for p in report["registers"][-1]["problems"]]
    assert code == 1 and columns == ["类型"]


def test_a_misfilled_exchange_registered_before_the_rule_is_not_refused_again(
    roster: RegisterFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review of ea675d8: a 换发 for 工种填错 loaded before the rule (no 更正工种) refused every
    later version of its register; a reason naming a field as correct asked for it too."""
    exchange = status_event(
        "换发", "Z1122020001", "周杰", "2013-01-10", "Z1122020003", 原因="工种填错"
    )
    roster.add("changes.csv", [exchange], MIANYANG_CHANGES)
    with monkeypatch.context() as before_the_rule:
        before_the_rule.setattr(StatusRow, "_uncorrected", lambda self: None)
        assert sync(roster, db_path)[0] == 0
    later = status_event(
        "换发", "Z1122020002", "郑浩", "2013-02-01", "Z1122020004", 原因="照片与本人不符，姓名无误"
    )
    roster.add("changes.csv", [exchange, later], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 0, report["registers"][-1]["problems"]


@pytest.mark.parametrize(
    ("corrected", "doubted"),
    [("周洁", False), ("刘德华", True), ("週傑", False)],  # 週傑: 周杰 in other characters
)
def test_a_name_corrected_into_another_is_loaded_and_reported_as_a_conflict(
    roster: RegisterFactory, db_path: Path, corrected: str, doubted: bool
) -> None:
    """A clerk's review: 证书错填（姓名） corrected 王晓二 into 刘德华 and loaded with nothing
    said. A name alone may be written anew (a minority name in other characters), so it loads
    — but staff are told, as a conflict, when not one character stays."""
    exchange = status_event(
        "换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003", 更正姓名=corrected
    )
    roster.add("changes.csv", [exchange], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 0, report
    [changes] = [r for r in report["registers"] if r["file"] == "changes.csv"]
    said = [c for c in changes["conflicts"] if "没有一个字相同" in c["rule"]]
    assert bool(said) is doubted, changes["conflicts"]
    if doubted:
        [conflict] = said
        assert (conflict["row"], conflict["column"], conflict["value"]) == (3, "更正姓名", "刘德华")
        assert "持证人“周杰”" in conflict["rule"] and conflict["clause"] == "§四.(六)2"
    assert verify(db_path, "Z1122020003", corrected)["result"] == "valid"


def test_a_corrected_name_keyed_by_an_earlier_certreg_leaves_its_register_open(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A 换发's recorded corrections hold the corrected name's key, which a clerk never wrote:
    keyed 周傑 by a certreg before names were read in simplified characters, it differed from
    the 周杰 a new version of the register makes, and the register — a file that grows — took
    no version again (该换发此前已登记生效，新版本改动了它)."""
    exchange = status_event(
        "换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020003", 更正姓名="週傑"
    )
    roster.add("changes.csv", [exchange], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    with sqlite3.connect(db_path) as conn:  # as the earlier certreg recorded it
        conn.execute("DROP TRIGGER keep_status_events_values")
        conn.execute(
            "UPDATE status_events SET corrections = json_set(corrections, '$.name_key', '週傑')"
        )
    later = status_event("撤销", "Z1122020002", "郑浩", "2013-01-15")
    roster.add("changes.csv", [exchange, later], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 0, report
    assert verify(db_path, "Z1122020002", "郑浩")["result"] == "revoked"


def test_a_minority_name_corrected_into_another_is_reported_though_both_have_a_dot(
    roster: RegisterFactory, db_path: Path
) -> None:
    """阿依古丽·买买提 corrected into 热合曼·吐尔逊 shares only the dot, which is no character of
    either name: it loaded with nothing said, as a correction keeping a character would."""
    roster.add("dotted.csv", [approval_row("Z1122020901", "阿依古丽·买买提")], MIANYANG)
    exchange = status_event(
        "换发", "Z1122020901", "阿依古丽·买买提", "2012-09-10", "Z1122020902",
        更正姓名="热合曼·吐尔逊",
    )  # fmt: skip
    roster.add("changes.csv", [exchange], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    assert code == 0, report
    [changes] = [r for r in report["registers"] if r["file"] == "changes.csv"]
    assert [c["value"] for c in changes["conflicts"] if "没有一个字相同" in c["rule"]] == [
        "热合曼·吐尔逊"
    ]


@pytest.mark.parametrize(
    ("first", "again", "told"),
    [
        (
            status_event("撤销", "C1122020001", "吴敏", "2013-01-15"),
            status_event("撤销", "C1122020001", "吴敏", "2013-03-01", 批准文号="绵人社函〔2013〕1号"),
            "；该证书已撤销，不能再换发、补发或撤销（§五.(三)）",
        ),
        (
            status_event("换发", "Z1122020002", "郑浩", "2012-05-08", "Z1122020003"),
            status_event(
                "换发", "Z1122020002", "郑浩", "2012-09-01", "Z1122020004",
                批准文号="绵人社函〔2012〕1号",
            ),
            "；该证书已换发/补发为 Z1122020003，请对新证书登记，并填写这一次的批准文号",
        ),
        (
            status_event("补发", "Z1122020001", "周杰", "2013-03-01"),
            status_event("补发", "Z1122020001", "周杰", "2013-09-01", 批准文号="绵人社函〔2013〕1号"),
            "；如确是又一次补发，请填写这一次的批准文号",
        ),
    ],
    ids=["revoked", "exchanged", "reissued"],
)  # fmt: skip
def test_an_approval_used_again_is_told_again_only_where_a_second_change_can_be(
    roster: RegisterFactory, db_path: Path, first: dict[str, object], again: dict[str, object],
    told: str,
) -> None:  # fmt: skip
    """A second 撤销, or a second 换发 of a number exchanged already, on an approval used before
    was told to give “这一次的批准文号”; doing so got 该证书已撤销 the next round. Only a 补发
    under the same number can come twice: the others are told the certificate's state."""
    roster.add("t1.csv", [first], MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    roster.add("t2.csv", [again], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    [problem] = report["registers"][-1]["problems"]
    assert code == 1 and problem["column"] == "证书编号", problem
    assert problem["rule"].startswith("登记表“t1.csv”已按同一批准文号"), problem
    assert problem["rule"].endswith("请删去这一行（已生效的那一次不能改动）" + told), problem


def test_a_ledger_sent_again_under_a_new_name_is_told_how_to_send_it(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A ledger the clerks add to every year, sent under the new year's file name: the rows last
    year's register loaded were refused as 已由登记表“t1.xlsx”登记 with no next step. Told to
    delete them, or send the whole book under that register's name — read as its new version,
    which loads only the rows added."""
    last_year = [
        status_event("补发", "Z1122020001", "周杰", "2012-09-10"),
        status_event("撤销", "C1122020001", "吴敏", "2013-01-15"),
    ]
    roster.add("t1.xlsx", last_year, MIANYANG_CHANGES)
    assert sync(roster, db_path)[0] == 0
    book = [*last_year, status_event("换发", "Z1122020002", "郑浩", "2013-05-08", "Z1122020003")]
    roster.add("t2.xlsx", book, MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    problems = report["registers"][-1]["problems"]
    assert code == 1 and [p["row"] for p in problems] == [3, 4], problems
    assert {p["rule"] for p in problems} == {
        "同一变更（类型、编号、日期都相同）已由登记表“t1.xlsx”登记，不能重复登记：请删去已由"
        "“t1.xlsx”登记的行；如本表是在“t1.xlsx”上接着登记的（逐年累加的台账），也可以把整本表"
        "以文件名“t1.xlsx”报送（替换原文件，registers.toml 中删去本表），作为它的新版本导入：已登记"
        "的行不变，只登记新增的行"
    }
    (roster.folder / "t2.xlsx").replace(roster.folder / "t1.xlsx")  # as told
    del roster.entries["t2.xlsx"]
    roster.write_manifest()
    code, report = sync(roster, db_path)
    [entry] = report["registers"][1:]
    assert code == 0 and (entry["file"], entry["added"]) == ("t1.xlsx", 1), report
    assert verify(db_path, "Z1122020002", "郑浩")["successor"] == "Z1122020003"


def _struck_where_told(path: Path, column: str, kind: str) -> None:
    """Strike the second event's ``column`` in ``path``: its font (``whole``), or the number
    with the right one typed after it (``partly``)."""
    workbook = openpyxl.load_workbook(path, rich_text=True)
    sheet = workbook.active
    assert sheet is not None
    [letter] = [c.column_letter for c in sheet[2] if c.value == column]
    cell = sheet[f"{letter}4"]
    if kind == "partly":
        struck = TextBlock(InlineFont(strike=True), "Z1122020133")
        cell.value = CellRichText(struck, f" {cell.value}")
    else:
        cell.font = Font(strike=True)
    workbook.save(path)


@pytest.mark.parametrize(
    ("column", "kind", "told"),
    [
        ("类型", "whole", "这个单元格有删除线"),
        ("证书编号", "partly", "这个单元格中有一部分文字带删除线"),
    ],
)
def test_a_struck_cell_is_told_by_its_column(
    roster: RegisterFactory, db_path: Path, column: str, kind: str, told: str
) -> None:
    """A clerk's review: a struck 类型 cell, or a number struck with the right one typed after
    it, was told 这一行有删除线…请清除删除线 — the number's cell then held both numbers. The cell
    is named; the partly struck one is told to delete the struck text, and only that."""
    rows = [
        status_event("补发", "Z1122020001", "周杰", "2012-09-10"),
        status_event("换发", "Z1122020002", "郑浩", "2012-05-08", "Z1122020003"),
    ]
    path = roster.add("changes.xlsx", rows, MIANYANG_CHANGES)
    _struck_where_told(path, column, kind)
    code, report = sync(roster, db_path)
    [problem] = report["registers"][-1]["problems"]
    assert code == 1 and (problem["row"], problem["column"]) == (4, column), problem
    assert problem["rule"].startswith(told) and problem["clause"] == "§四.(五)", problem
    if kind == "partly":
        assert problem["value"] == "Z1122020133 Z1122020002"
        assert "请删去划掉的文字" in problem["rule"] and "清除删除线" not in problem["rule"]
    roster.add("changes.xlsx", rows, MIANYANG_CHANGES)  # done as told
    assert sync(roster, db_path)[0] == 0


def test_a_row_struck_whole_is_still_told_by_its_row(
    roster: RegisterFactory, db_path: Path
) -> None:
    """Every cell of the row struck but its 序号 (a clerk crossing the row out): the row."""
    rows = [status_event("补发", "Z1122020001", "周杰", "2012-09-10")]
    path = roster.add("changes.xlsx", rows, MIANYANG_CHANGES)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    for cell in sheet[3][1:]:
        cell.font = Font(strike=True)
    workbook.save(path)
    code, report = sync(roster, db_path)
    [problem] = report["registers"][-1]["problems"]
    assert code == 1 and (problem["row"], problem["column"]) == (3, None), problem
    assert problem["rule"].startswith("这一行有删除线")


CHAINED = "绵人社函〔2013〕5号"


@pytest.mark.parametrize(
    "again",
    [
        status_event("补发", "Z1122020003", "周杰", "2013-02-10", 批准文号=CHAINED),
        status_event("补发", "Z1122020003", "周杰", "2013-02-10", "Z1122020004", 批准文号=CHAINED),
        status_event("撤销", "Z1122020003", "周杰", "2013-02-10", 批准文号=CHAINED),
    ],
    ids=["reissued", "renumbered", "revoked"],
)
@pytest.mark.parametrize("where", ["another register", "same file"])
def test_an_approval_used_on_a_replaced_certificate_approves_nothing_of_its_successor(
    roster: RegisterFactory, db_path: Path, again: dict[str, object], where: str
) -> None:
    """A 补发 of Z1122020001 → Z1122020003 on 5号, repeated on 5号 in b.xlsx, was told to
    register it on the new certificate: the clerk changed only the number, and a second 补发 (or
    a 撤销) of the same paper loaded on the approval of the first. The new certificate did not
    exist when 5号 was issued: no event of it is approved by it (§四.(六)3)."""
    first = status_event(
        "补发", "Z1122020001", "周杰", "2013-01-10", "Z1122020003", 批准文号=CHAINED
    )
    if where == "same file":
        roster.add("a.xlsx", [first, again], MIANYANG_CHANGES)
        told = f"与本文件第3行（原证书 Z1122020001）是同一批准文号“{CHAINED}”的补发"
    else:
        roster.add("a.xlsx", [first], MIANYANG_CHANGES)
        assert sync(roster, db_path)[0] == 0
        repeated = {**first, "日期": "2013-02-10"}  # as the review found it, then as told
        roster.add("b.xlsx", [repeated], MIANYANG_CHANGES)
        [problem] = sync(roster, db_path)[1]["registers"][-1]["problems"]
        assert problem["rule"].endswith("请对新证书登记，并填写这一次的批准文号"), problem
        roster.add("b.xlsx", [again], MIANYANG_CHANGES)
        told = (
            f"登记表“a.xlsx”已按同一批准文号“{CHAINED}”登记了原证书 Z1122020001 2013-01-10 的补发"
        )
    code, report = sync(roster, db_path)
    [problem] = report["registers"][-1]["problems"]
    assert code == 1 and problem["rule"].startswith(told), problem
    assert f"新证书 Z1122020003 的{again['类型']}须另有批准文件" in problem["rule"]
    loaded = sqlite3.connect(db_path).execute(
        "SELECT 1 FROM status_events WHERE number = ?", ("Z1122020003",)
    )
    assert loaded.fetchall() == []
    roster.add(roster_name := ("a.xlsx" if where == "same file" else "b.xlsx"), [
        *([first] if where == "same file" else []), {**again, "批准文号": "绵人社函〔2013〕6号"}
    ], MIANYANG_CHANGES)  # fmt: skip
    assert sync(roster, db_path)[0] == 0, roster_name


def test_a_change_another_authority_registered_is_not_offered_its_register(
    roster: RegisterFactory, db_path: Path
) -> None:
    """The province's a.xlsx (2200) registered a 撤销 the city's b.xlsx (2202) repeats: the
    city was told it could send its book under the name “a.xlsx” as that register's new
    version — following it filed the city's 撤销 under the province's register. Only a
    register of the same authority and kind is offered; here, only to delete the row."""
    revoke = status_event("撤销", "C1122020001", "吴敏", "2013-01-15")
    roster.add("a.xlsx", [revoke], PROVINCE_CHANGES)
    assert sync(roster, db_path)[0] == 0
    roster.add("b.xlsx", [revoke], MIANYANG_CHANGES)
    code, report = sync(roster, db_path)
    [problem] = report["registers"][-1]["problems"]
    assert code == 1 and problem["rule"] == (
        "同一变更（类型、编号、日期都相同）已由登记表“a.xlsx”登记，不能重复登记：请删去已由"
        "“a.xlsx”登记的行"
    ), problem
