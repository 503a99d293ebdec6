"""What a status-changes register's rows are told and what the registry keeps of them: the
refused rows in staff's history of their number, and hints a clerk can act on."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from datasette_config.launch import ensure_verify_log
from registry.cli import cli
from registry.domain.characters import simplified_characters
from registry.store import verify_log_path
from tests.datasette_fixtures import staff_rows
from tests.registers import (
    MIANYANG,
    RegisterFactory,
    add_column,
    mianyang_holders,
    problems_of,
    status_event,
    sync,
)

MIANYANG_CHANGES = {"kind": "status-changes", "authority": "2202"}


@pytest.fixture
def roster(registers: RegisterFactory, db_path: Path) -> RegisterFactory:
    registers.add("mianyang.csv", mianyang_holders(), MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    return registers


async def history(
    db: Path, monkeypatch: pytest.MonkeyPatch, number: str
) -> list[dict[str, object]]:
    """What staff's history of ``number`` lists (the shipped `certificate` canned query)."""
    ensure_verify_log(verify_log_path(db))
    path = "/registry/certificate.json"
    return await staff_rows(db, monkeypatch, path, {"证书编号": number})


def last_problems(db: Path) -> list[tuple[object, ...]]:
    """(row, column, value, number) of each problem the last sync attempt recorded."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            'SELECT row, "column", value, number FROM problems'
            " WHERE sync = (SELECT max(id) FROM syncs) ORDER BY id"
        ).fetchall()


REFUSED_ROWS = {
    "review not agreed": status_event(
        "补发", "Z1122020001", "周杰", "2012-09-10", 主管部门审核="不同意"
    ),
    "documents missing": status_event(
        "补发", "Z1122020001", "周杰", "2012-09-10", 个人申请="", 单位证明="", 原公布文件="x"
    ),
    "a damaged paper reissued": status_event(
        "补发", "Z1122020001", "周杰", "2012-09-10", 原因="证书损坏"
    ),
    "a reason of a slash": status_event(
        "换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020004", 原因="/"
    ),
    "a full-width number": status_event(
        "补发", "Ｚ１１２２０２０００１", "周杰", "2012-09-10", 发证机关审核="未审核"
    ),
}


@pytest.mark.anyio
@pytest.mark.parametrize("event", REFUSED_ROWS.values(), ids=REFUSED_ROWS.keys())
async def test_each_problem_of_a_refused_row_names_its_certificate(
    roster: RegisterFactory,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    event: dict[str, object],
) -> None:
    """A refused 补发's 主管部门审核 不同意 was kept without its number: staff's history of
    Z1122020001 (which finds problems by number) did not show that a 补发 had been tried."""
    roster.add("changes.xlsx", [event], MIANYANG_CHANGES)
    assert sync(roster.folder, db_path)[0] == 1
    problems = last_problems(db_path)
    assert problems and {number for *_, number in problems} == {"Z1122020001"}, problems
    rows = await history(db_path, monkeypatch, "Z1122020001")
    refused = [row for row in rows if row["事件"] == "名册退回"]
    assert len(refused) == len(problems), rows
    assert {row["来源名册"] for row in refused} == {"changes.xlsx"}


@pytest.mark.anyio
async def test_a_withdrawn_applied_event_is_in_its_certificates_history(
    roster: RegisterFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new version whose 备注 says 此条作废 of a 撤销 applied before: the conflict was kept
    without the number, and the revoked certificate's history never said it was questioned."""
    revoke = status_event("撤销", "Z1122020001", "周杰", "2012-09-10")
    roster.add("changes.xlsx", [revoke], MIANYANG_CHANGES)
    assert sync(roster.folder, db_path)[0] == 0
    more = status_event("撤销", "Z1122020002", "郑浩", "2012-09-11")
    path = roster.add("changes.xlsx", [revoke, more], MIANYANG_CHANGES)
    add_column(path, "备注", ["此条作废", None])
    assert sync(roster.folder, db_path)[0] == 0
    assert last_problems(db_path) == [(3, "备注", "此条作废", "Z1122020001")]
    rows = await history(db_path, monkeypatch, "Z1122020001")
    [conflict] = [row for row in rows if row["事件"] == "冲突"]
    assert "此条已在此前的版本中登记生效" in str(conflict["说明"])


def recorded(db: Path) -> list[tuple[object, ...]]:
    """(outcome, added, changed) of each attempt the sync history holds of ``changes.csv``."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT outcome, added, changed FROM syncs WHERE register = 'changes.csv' ORDER BY id"
        ).fetchall()


def test_the_history_counts_as_changed_only_events_corrected(
    roster: RegisterFactory, db_path: Path
) -> None:
    """A first load of four events was recorded 新增 4 修改 4 (the certificates they touched),
    and a version that only moved two rows 修改 2: an auditor reads 修改 as records overwritten."""
    events = [
        status_event("补发", "Z1122020001", "周杰", "2012-09-10"),
        status_event("换发", "Z1122020002", "郑浩", "2012-05-08", "Z1122020003"),
        status_event("撤销", "C1122020001", "吴敏", "2013-01-15"),
        status_event("撤销", "Z1122020001", "周杰", "2013-02-15"),
    ]
    roster.add("changes.csv", events, MIANYANG_CHANGES)
    first = CliRunner().invoke(cli, ["sync", str(roster.folder), "--db", str(db_path)])
    assert "4 行，新登记变更 4 项，涉及证书 3 本" in first.output  # the clerk still told
    roster.add("changes.csv", events[::-1], MIANYANG_CHANGES)
    moved = CliRunner().invoke(cli, ["sync", str(roster.folder), "--db", str(db_path)])
    assert "新增 0，修改 0\n  ℹ 4 条登记只是在表中所在的行变了，内容未变" in moved.output
    corrected = {**events[2], "批准文号": "绵人社函〔2013〕2号"}
    roster.add("changes.csv", [events[3], events[1], corrected, events[0]], MIANYANG_CHANGES)
    code, report = sync(roster.folder, db_path)
    assert code == 0 and (report["registers"][1]["added"], report["registers"][1]["changed"]) == (
        0,
        1,
    )
    assert recorded(db_path) == [("loaded", 4, 0), ("updated", 0, 0), ("updated", 0, 1)]


def name_rules(registers: RegisterFactory, db: Path, event: dict[str, object]) -> list[str]:
    """The rules the sync tells of ``event``'s 姓名 (it is refused)."""
    registers.add("changes.xlsx", [event], MIANYANG_CHANGES)
    code, report = sync(registers.folder, db)
    assert code == 1, report
    return [
        str(rule) for _, column, rule, _ in problems_of(report, "changes.xlsx") if column == "姓名"
    ]


MISWRITTEN_NAMES = {
    "the corrected name in 姓名 too": (
        status_event(
            "换发",
            "Z1122020001",
            "周洁",
            "2012-09-10",
            "Z1122020004",
            原因="姓名错填",
            更正姓名="周洁",
        ),
        "本行的姓名与更正姓名相同。换发的“姓名”栏填原证书上的姓名，更正后的姓名填在“更正姓名”栏",
    ),
    "a note in full-width brackets": (
        status_event("撤销", "Z1122020001", "周杰（女）", "2012-09-10"),
        "姓名中的“（女）”不是姓名的一部分。“姓名”栏只写姓名，说明请写在“备注”栏",
    ),
    "a note in brackets": (
        status_event(
            "换发", "Z1122020001", "周杰(退休)", "2012-09-10", "Z1122020004", 原因="证书损坏"
        ),
        "姓名中的“(退休)”不是姓名的一部分。",
    ),
    "another name": (
        status_event("撤销", "Z1122020001", "吴敏", "2012-09-10"),
        "请核对本行的证书编号和姓名",
    ),
    # another holder's name with a note: told of the note, the clerk removed it and was told
    # only then to check the row
    "another name with a note": (
        status_event("撤销", "Z1122020001", "吴敏（退休）", "2012-09-10"),
        "不符：请核对本行的证书编号和姓名",
    ),
}


@pytest.mark.parametrize(("event", "hint"), MISWRITTEN_NAMES.values(), ids=MISWRITTEN_NAMES.keys())
def test_a_name_not_the_holders_is_told_what_most_likely_put_it_there(
    roster: RegisterFactory, db_path: Path, event: dict[str, object], hint: str
) -> None:
    """A 换发 whose 姓名 was its 更正姓名, or a name with （女） after it, was told only that it
    differs from the holder's: the clerk could not see why 周杰（女） was not 周杰."""
    [rule] = name_rules(roster, db_path, event)
    assert rule.startswith("姓名与登记库中该证书的持证人（周*）不符：") and hint in rule, rule
    assert "周杰" not in rule  # the holder's name masked still: the report may go to logs


@pytest.mark.parametrize("restated", [{}, {"更正出生年月": "1976.03"}], ids=["none", "birth"])
def test_a_holder_changed_over_two_exchanges_is_told_what_this_one_changes(
    roster: RegisterFactory, db_path: Path, restated: dict[str, str]
) -> None:
    """A 换发 correcting the name and sex, an earlier one having corrected the birth, was told
    its corrections changed all three — 出生年月 too, which the row does not touch; or, the
    row restating the birth as corrected already, touches but does not change."""
    birth = status_event(
        "换发",
        "Z1122020001",
        "周杰",
        "2012-05-08",
        "Z1122020004",
        原因="出生年月错填",
        更正出生年月="1976.03",
    )
    holder = status_event(
        "换发",
        "Z1122020004",
        "周杰",
        "2012-09-10",
        "Z1122020005",
        原因="姓名、性别错填",
        更正姓名="李强",
        更正性别="女",
        批准文号="绵人社函〔2012〕2号",
        **restated,
    )
    roster.add("changes.xlsx", [birth, holder], MIANYANG_CHANGES)
    code, report = sync(roster.folder, db_path)
    assert code == 1, report
    [rule] = [rule for row, _, rule, _ in problems_of(report, "changes.xlsx") if row == 4]
    assert rule.startswith(
        "更正后的姓名、性别与该证书最初的持证人不同，而此前的换发已将出生年月从 1975-05 "
        "更正为 1976-03（连同此前的换发，姓名、性别和出生年月全都不同）：这不是填错"
    ), rule


TYPES_WRITTEN = {
    "遗失补发": "补发",
    "遗失补办": "补发",
    "遺失補發": "补发",
    "补证": "补发",
    "换证": "换发",
    "损坏换发": "换发",
    "注销": "撤销",
    "注销证书": "撤销",
    "补发/换发": None,  # two named: nothing to ask
}


@pytest.mark.parametrize(("typed", "meant"), TYPES_WRITTEN.items())
def test_a_type_with_a_types_word_in_it_is_asked_which_it_means(
    roster: RegisterFactory, db_path: Path, typed: str, meant: str | None
) -> None:
    """遗失补发 was told only 类型应为 换发、补发 或 撤销, where 补办 was asked 是否为“补发”？"""
    event = {**status_event(meant or "补发", "Z1122020001", "周杰", "2013-01-10"), "类型": typed}
    roster.add("changes.xlsx", [event], MIANYANG_CHANGES)
    code, report = sync(roster.folder, db_path)
    rules = [rule for _, column, rule, _ in problems_of(report, "changes.xlsx") if column == "类型"]
    asked = f"：是否为“{meant}”？请照通知的用词填写" if meant else ""
    assert code == 1 and rules == [f"类型应为 换发、补发 或 撤销{asked}"]


@pytest.mark.parametrize("typed", ["不予补发", "不同意换发", "不准撤销", "补发驳回"])
def test_a_refused_application_is_told_it_is_no_change_to_register(
    roster: RegisterFactory, db_path: Path, typed: str
) -> None:
    """不予补发 — a 补发 applied for and refused — was asked 是否为“补发”？: the one thing it is
    not; so were 不同意换发, 不准撤销, 补发驳回."""
    event = {**status_event("补发", "Z1122020001", "周杰", "2013-01-10"), "类型": typed}
    roster.add("changes.xlsx", [event], MIANYANG_CHANGES)
    code, report = sync(roster.folder, db_path)
    rules = [rule for _, column, rule, _ in problems_of(report, "changes.xlsx") if column == "类型"]
    assert code == 1 and rules == [
        f"类型应为 换发、补发 或 撤销：“{typed}”是未获批准的申请，证书没有变更，不在本表登记"
        "（请删去这一行）"
    ]


@pytest.mark.parametrize("typed", ["補發", "換發", "撤銷"])
def test_a_type_in_traditional_characters_is_read_as_the_notices_word(
    roster: RegisterFactory, db_path: Path, typed: str
) -> None:
    """補發, 換發, 撤銷 are the notice's words written in traditional characters — as names are,
    read simplified — yet were refused as no type at all."""
    number, new = ("Z1122020002", "Z1122020003") if typed == "換發" else ("Z1122020001", "")
    name = "郑浩" if typed == "換發" else "周杰"
    meant = simplified_characters(typed)
    event = {**status_event(meant, number, name, "2013-01-10", new), "类型": typed}
    roster.add("changes.xlsx", [event], MIANYANG_CHANGES)
    code, report = sync(roster.folder, db_path)
    assert code == 0, report
    with closing(sqlite3.connect(db_path)) as conn:
        types = conn.execute("SELECT type FROM status_events WHERE number = ?", [number])
        assert [t for (t,) in types] == [meant]
