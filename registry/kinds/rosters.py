"""The rosters of 附件4 (审批名册) and 附件5 (审核名册): every row a certificate.

Two steps, so that a sync can run the first for the next registers in other processes while it
writes this one: `registry.kinds.roster_rows.check_rows` is pure (the file's own rules);
`check_holdings` then adds the problems only the registry can show (a number already given to
another register's holder). This module holds the layouts, those registry checks and the kinds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from registry.domain.names import same_holder
from registry.domain.numbers import CertificateNumber, parse, prefix_of
from registry.domain.problems import Problem
from registry.domain.regions import PROVINCE
from registry.domain.registers import APPROVAL_ROSTER, TECHNICIAN_ROSTER
from registry.kinds.base import Kind, LoadContext, RegisterEntry
from registry.kinds.handed_out import handed_out_elsewhere
from registry.kinds.roster_cells import EXAM_COLUMNS, NUMBER_COLUMN
from registry.kinds.roster_holders import registered_holders
from registry.kinds.roster_rows import RosterResult, check_rows
from registry.kinds.roster_versions import (
    another_roster,
    history_problems,
    issued_failing,
    names_registered_before,
    order_problems,
)
from registry.sheets.layout import Column, Layout
from registry.store.certificates import write_roster
from registry.store.rows import CertificateRow
from registry.store.syncs import highest_sequence
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
        Column("备注", required=False, in_form=False),
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
        Column("备注", required=False, in_form=False),
    ),
)


@dataclass(frozen=True, slots=True)
class Holding:
    """Who holds a number already in the registry."""

    register: str
    name: str
    name_key: str
    sex: object
    birth: object
    trade: object
    predecessor: str | None
    """the number a 换发 or 补发 replaced with this one (the holding register lists events)"""
    successor: str | None
    """the number a 换发 or 补发 replaced this one with"""


def _holdings(conn: sqlite3.Connection) -> Callable[[str], Mapping[str, Holding]]:
    def holdings(prefix: str) -> Mapping[str, Holding]:
        rows = conn.execute(
            "SELECT number, register, name, name_key, sex, birth, trade, predecessor, successor"
            " FROM certificates"
            " WHERE number >= ? AND number < ?",
            (prefix, prefix + "~"),
        )
        return {row[0]: Holding(*row[1:]) for row in rows}

    return holdings


def _identity_changes(
    certificate: CertificateRow, holder: Holding, birth_column: str, current_trade: object
) -> list[Problem]:
    """§四.(三) 不得涂改: a corrected register may not change who holds a number — nor, once it
    was replaced, the trade, unless to the one its newest certificate has (a 换发 corrected
    it): the holding (§二) is that certificate's, and a trade the registry does not carry to
    it (`registry.store.certificates.CARRIED`) would leave the two apart."""
    problems = []
    changes = [
        ("姓名", "name_key", holder.name, certificate.name),
        ("性别", "sex", holder.sex, certificate.sex),
        (birth_column, "birth", holder.birth, certificate.birth),
    ]
    if holder.successor and certificate.trade != current_trade:
        changes.append(("报考工种", "trade", holder.trade, certificate.trade))
    for column, field, old, new in changes:
        old_value, new_value = getattr(holder, field), getattr(certificate, field)
        if old_value == new_value or (
            field == "name_key" and same_holder(str(old_value), str(new_value))
        ):  # 阿依古丽.买买提, registered by an older certreg, is 阿依古丽·买买提 now
            continue
        rule = f"证书 {certificate.number} 已登记，{column}原为“{old}”，不能改为“{new}”：证书不得涂改。"
        if holder.successor:  # replaced: the new certificate is the one to correct
            rule += (
                f"该证书已换发或补发为新证书 {holder.successor}，原证书的登记不再更改：请把本行的"
                f"{column}改回“{old}”；新证书上的{column}确需更正的，对新证书按§四.(六)2办理换发"
            )
        else:
            rule += f"确属错填的，须按§四.(六)2收回旧证换发新证，在换发登记中写明更正后的{column}"
        problems.append(Problem(certificate.source_row, column, str(new), rule, "§四.(三)"))
    return problems


def _held_by(
    holder: Holding, certificate: CertificateRow | None, before: Holding | None = None
) -> str:
    """Why a number another register holds cannot be this row's: another person's, or this
    very holder's under another file name — a corrected version saved as a new file —, or
    the new number a 换发 or 补发 gave, which no roster lists: the same person's whether the
    row names the holder as the new certificate does or as the one it replaced (``before``;
    a 换发 may have corrected the name or birth)."""
    same = certificate is not None and any(
        certificate.birth == held.birth and same_holder(held.name_key, certificate.name_key)
        for held in (holder, before)
        if held is not None
    )
    if holder.predecessor:
        if not same:
            return (
                f"该编号已由登记表“{holder.register}”换发或补发给另一持证人（原证书 "
                f"{holder.predecessor}），编号不能重复使用"
            )
        return (
            f"该编号是登记表“{holder.register}”为证书 {holder.predecessor} 换发或补发的新证书"
            "编号，已在登记库中；名册只列原发证书，请删除此行或改回原证书编号"
        )
    if same:
        return (
            f"此证书已由名册“{holder.register}”登记给同一人：这像是该名册的更正版本。更正版本须"
            f"沿用原文件名“{holder.register}”（在 registers.toml 中写该文件名），不要另起文件名"
        )
    return f"该编号已由名册“{holder.register}”登记给另一持证人，编号不能重复使用"


def check_holdings(
    result: RosterResult, entry: RegisterEntry, holdings: Callable[[str], Mapping[str, Holding]]
) -> list[Problem]:
    """A problem for each number the registry already gives to another register's holder, and
    for each change of holder a corrected version of this register would make.

    ``holdings(prefix)`` returns the numbers registered that start with ``prefix`` (level
    letter + year code + region), so uniqueness is checked without loading the whole registry.
    """
    held: dict[str, Mapping[str, Holding]] = {}
    mine = {c.number: c for c in result.certificates}
    birth_column = "出生日期" if entry.kind == TECHNICIAN_ROSTER else "出生年月"
    found = []
    for row, written, number in result.numbers:
        prefix = prefix_of(number)
        if prefix not in held:
            held[prefix] = holdings(prefix)
        holder = held[prefix].get(number)
        if holder is None:
            continue
        if holder.register != entry.key:
            before = None
            if holder.predecessor:  # whom the replaced certificate was registered to
                earlier = prefix_of(holder.predecessor)
                if earlier not in held:
                    held[earlier] = holdings(earlier)
                before = held[earlier].get(holder.predecessor)
            rule = _held_by(holder, mine.get(number), before)
            found.append(Problem(row, NUMBER_COLUMN, written, rule, "附件3"))
        elif number in mine:
            current = holder
            while current.successor:  # the holder's newest certificate, down the chain
                following = prefix_of(current.successor)
                if following not in held:
                    held[following] = holdings(following)
                current = held[following][current.successor]
            found += _identity_changes(mine[number], holder, birth_column, current.trade)
    return found


def _is_duplicate(problem: Problem) -> bool:
    """A number this file or the registry already gives to someone (附件3)."""
    return problem.column == NUMBER_COLUMN and problem.clause == "附件3" and "重复" in problem.rule


def _with_next_free(
    conn: sqlite3.Connection, result: RosterResult, problems: list[Problem]
) -> list[Problem]:
    """A number given twice names the next number free for its level, so the clerk can fix the
    row in one go (附件3 四: numbers are taken in order, never reused)."""
    if not any(_is_duplicate(problem) for problem in problems):
        return problems
    in_file: dict[str, int] = {}
    for _, _, number in result.numbers:
        parsed = parse(number)
        in_file[parsed.prefix] = max(in_file.get(parsed.prefix, 0), parsed.sequence)
    free: dict[str, CertificateNumber] = {}
    advised = []
    for problem in problems:
        if _is_duplicate(problem):
            taken = parse(problem.value or "")
            if taken.prefix not in free:
                highest = highest_sequence(conn, taken.letter, taken.year_code, taken.region)
                last = max(highest, in_file[taken.prefix])
                free[taken.prefix] = taken._replace(sequence=last + 1)
            rule = f"{problem.rule}；下一个可用的{taken.level}编号是 {free[taken.prefix]}（或用 certreg number 重新编号）"
            problem = replace(problem, rule=rule)
        advised.append(problem)
    return advised


def check_roster(
    result: RosterResult, entry: RegisterEntry, context: LoadContext
) -> tuple[list[Problem], RosterResult]:
    """The rules only the registry can decide; the order rules unless the register was loaded
    before (a register is not judged again by rules that came after it)."""
    conn = context.conn
    problems = [
        *result.problems,
        *check_holdings(result, entry, _holdings(conn)),
        *registered_holders(conn, result, entry),
        *history_problems(conn, result, entry),
        *another_roster(conn, result, entry),
        *handed_out_elsewhere(conn, result, entry),
    ]
    problems += order_problems(conn, result, entry)
    problems = names_registered_before(conn, result, entry, problems)
    problems = issued_failing(conn, result, entry, problems)
    problems = _with_next_free(conn, result, problems)
    # in row order, as a clerk reads the report
    problems.sort(key=lambda p: -1 if p.row is None else p.row)
    return problems, result


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


def without_unit(entry: RegisterEntry) -> str | None:
    """A provincial roster names its unit, the recipient of its blanks (a city's roster: the
    city); without it `certreg stock` files its certificates under no recipient. Said, not
    refused: a manifest without it is as SPEC shows one."""
    if entry.authority != PROVINCE or entry.region != PROVINCE or entry.unit:
        return None  # (a city's roster, or a city's 技师 the province issues: the city's)
    return (
        '未写 unit（报送名册的单位，如 unit = "省水利厅"）：空白证书按单位申领、发放和对账'
        "（§四.(一)(二)），本名册的证书在 certreg stock 中归入“（未注明单位）”，该单位领取的"
        "空白证书看似未用。请在 registers.toml 中补写 unit（单个文件用 --unit），再运行 certreg sync"
    )


def technician_entry_rule(entry: RegisterEntry) -> str | None:
    if entry.authority != PROVINCE:
        return f"技师审核名册的发证机关必须是省厅 2200（§三），不是 {entry.authority}"
    return roster_entry_rule(entry)


APPROVAL: Kind[RosterResult, RosterResult] = Kind(
    APPROVAL_LAYOUT,
    check_roster,
    apply_roster,
    check_rows,
    entry_rule=roster_entry_rule,
    entry_note=without_unit,
)
TECHNICIAN: Kind[RosterResult, RosterResult] = Kind(
    TECHNICIAN_LAYOUT, check_roster, apply_roster, check_rows, entry_rule=technician_entry_rule
)
