"""The rosters of 附件4 (审批名册) and 附件5 (审核名册): every row a certificate.

Two steps, so that a sync can run the first for the next registers in other processes while it
writes this one: `registry.kinds.roster_rows.check_rows` is pure (the file's own rules);
`check_holdings` then adds the problems only the registry can show (a number already given to
another register's holder). This module holds the layouts, those registry checks and the kinds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from registry.domain.numbers import parse
from registry.domain.problems import Problem
from registry.domain.regions import PROVINCE
from registry.domain.registers import APPROVAL_ROSTER, TECHNICIAN_ROSTER
from registry.kinds.base import Kind, LoadContext, RegisterEntry
from registry.kinds.roster_cells import EXAM_COLUMNS, NUMBER_COLUMN
from registry.kinds.roster_rows import RosterResult, check_rows
from registry.sheets.layout import Column, Layout
from registry.store.certificates import write_roster
from registry.store.writes import Applied

EXAM_GROUP = "考试考核结果"

APPROVAL_LAYOUT = Layout(
    APPROVAL_ROSTER,
    "中央在川和省直机关事业单位工人技术等级（职务）证书审批名册（附件4）",
    (
        Column("序号", required=False, in_form=False),
        Column("姓名"),
        Column("性别"),
        Column("出生年月"),
        Column("参加工作时间"),
        Column(
            "原岗位证书号（未获工种年限）", required=False, aliases=("原岗位证书号", "未获工种年限")
        ),
        Column("执行工资等级起始时间", required=False),
        Column("报考年度"),
        Column("报考工种"),
        Column("报考等级"),
        *(Column(name) for name in EXAM_COLUMNS),
        Column(NUMBER_COLUMN, aliases=("证书编号",)),
        Column("工作单位", required=False, aliases=("单位",), in_form=False),
    ),
    groups={EXAM_GROUP: EXAM_COLUMNS},
)

TECHNICIAN_LAYOUT = Layout(
    TECHNICIAN_ROSTER,
    "四川省机关事业单位工人技师资格证书审核名册（附件5）",
    (
        Column("序号", required=False),
        Column("姓名"),
        Column("性别"),
        Column("出生日期", aliases=("出生年月",)),
        Column("文化程度"),
        Column("工作单位"),
        Column("报考年度"),
        Column("报考工种"),
        Column("批准文号"),
        Column(NUMBER_COLUMN, aliases=("证书编号",)),
    ),
)


@dataclass(frozen=True, slots=True)
class Holding:
    """Who holds a number already in the registry."""

    register: str
    name: str


def _holdings(conn: sqlite3.Connection) -> Callable[[str], Mapping[str, Holding]]:
    def holdings(prefix: str) -> Mapping[str, Holding]:
        rows = conn.execute(
            "SELECT number, register, name FROM certificates WHERE number >= ? AND number < ?",
            (prefix, prefix + "~"),
        )
        return {number: Holding(register, name) for number, register, name in rows}

    return holdings


def check_holdings(
    result: RosterResult, entry: RegisterEntry, holdings: Callable[[str], Mapping[str, Holding]]
) -> None:
    """Add a problem for each number the registry already gives to another register's holder.

    ``holdings(prefix)`` returns the numbers registered that start with ``prefix`` (level
    letter + year code + region), so uniqueness is checked without loading the whole registry.
    """
    held: dict[str, Mapping[str, Holding]] = {}
    found = []
    for row, written, number in result.numbers:
        prefix = parse(number).prefix
        if prefix not in held:
            held[prefix] = holdings(prefix)
        holder = held[prefix].get(number)
        if holder and holder.register != entry.key:
            rule = f"该编号已由名册“{holder.register}”登记给另一持证人，编号不能重复使用"
            found.append(Problem(row, NUMBER_COLUMN, written, rule, "附件3"))
    if found:  # in row order, after the row's other problems, as a clerk reads the report
        merged = [*result.problems, *found]
        result.problems = sorted(merged, key=lambda p: p.row if p.row is not None else 0)


def check_roster(
    result: RosterResult, entry: RegisterEntry, context: LoadContext
) -> tuple[list[Problem], RosterResult]:
    """`check_holdings` against the registry open on ``context.conn``."""
    check_holdings(result, entry, _holdings(context.conn))
    return result.problems, result


def apply_roster(
    conn: sqlite3.Connection, entry: RegisterEntry, result: RosterResult, sync_id: int, at: str
) -> Applied:
    return write_roster(conn, entry.key, result.certificates, sync_id, at)


def roster_entry_rule(entry: RegisterEntry) -> str | None:
    """A city numbers with its own code (§四.(四)); a roster needs its approval document and
    issue date (§四.(三))."""
    if entry.authority != PROVINCE and entry.region != entry.authority:
        return (
            f"市（州）核发的证书只能用本地代码 {entry.authority} 编号，region 不能是 {entry.region}"
        )
    if not entry.approval_doc:
        return "缺少 approval_doc（批准合格人员的文件文号，§四.(三)）"
    if entry.issued_on is None:
        return "缺少 issued_on（发证日期 = 批准文件日期，§四.(三)）"
    return None


def technician_entry_rule(entry: RegisterEntry) -> str | None:
    if entry.authority != PROVINCE:
        return f"技师审核名册的发证机关必须是省厅 2200（§三），不是 {entry.authority}"
    return roster_entry_rule(entry)


APPROVAL: Kind[RosterResult, RosterResult] = Kind(
    APPROVAL_LAYOUT, check_roster, apply_roster, check_rows, entry_rule=roster_entry_rule
)
TECHNICIAN: Kind[RosterResult, RosterResult] = Kind(
    TECHNICIAN_LAYOUT, check_roster, apply_roster, check_rows, entry_rule=technician_entry_rule
)
