"""What a roster says of its own size, against its rows (§四.(六)1: certificates are issued
for the people approved, no more): the approval counts of its footer (`roster_footer`), and the
total it may state below its rows — a closing 合计 row (序号 合计, 姓名 4人), or a footer line
(合计：3人, 以上共5人). A total that disagrees with the rows is the one sign a page or a row was
lost: on a footer line it went unread, and a closing 合计 row was refused as no record, while the
requisitions' and dispatches' is read and checked (`closing_total`; a clerk's review). Pure
functions over a roster's table."""

from __future__ import annotations

import re
from collections import Counter

from registry.domain.levels import LEVELS
from registry.domain.names import normalise_name
from registry.domain.problems import Problem
from registry.kinds.not_records import total_row
from registry.kinds.roster_footer import (
    FOOTER_COLUMN,
    approval_rows,
    bare_total,
    footer_refusal,
    found_counts,
    shown_count,
)
from registry.sheets.cells import text
from registry.sheets.table import Record, Table

COUNT_CLAUSE = "§四.(六)1"
"""certificates are issued for the people approved, as many as the rows (证书严格按实际合格人数发放)"""
_WORD = "(?:以上)?(?:人员)?(?:合计|总计|共计|共有|总人数|人数|共){1,2}"
_STATED = re.compile(f"{_WORD}:?(\\d{{1,6}})[人名]?(?:\\((?![^)]*(?:含|暂缓|次))[^)]*\\))?[。.]?")
"""A cell stating a total of people, as `normalise_name` writes it (合计:3人, 以上共5人, 共计3名,
总人数:7, 合计4人 with 序号 and 姓名 read together, 合计:3人(男2人,女1人)): the whole cell, in
Arabic digits — not 共2页, not 6人次, not 5人(含暂缓发证2人), whose count is no number of rows (a
review of the day's diff). Not a 小计, a page's."""
_COUNT = re.compile(r"(\d{1,6})[人名]")
"""A cell of the count alone (合计 | 3人), after a cell of the total's word alone."""


def stated_total(*cells: str) -> int | None:
    """The number of people a total written in ``cells`` states: one cell stating it whole, or
    the total's word alone and the count in the next; None when no count can be read so. A
    footer line is read cell by cell: read as one, 合计 | 3 | 2012.03.20 stated 32012 people."""
    plain = [normalise_name(cell) for cell in cells]
    for place, cell in enumerate(plain):
        if found := _STATED.fullmatch(cell):
            return int(found[1])
        if re.fullmatch(f"{_WORD}:?", cell) and place + 1 < len(plain):
            counted = _COUNT.fullmatch(plain[place + 1])
            return int(counted[1]) if counted else None
    return None


def total_problems(table: Table, closing: Record | None, rows: int, form: str) -> list[Problem]:
    """Each total stated below the roster's ``rows`` that is not their number: the closing 合计
    row (`registry.kinds.closing_total.closing_total`), and each footer line that is a total
    (`total_row`) but no approval's (`approval_rows`: checked with its counts). A closing 合计
    row whose count cannot be read (七人, 小计 3) is refused as a row, as before: unchecked, it
    would say nothing."""
    problems = []
    if closing is not None:
        name, serial = closing.values.get("姓名"), closing.values.get("序号")
        stated = stated_total(text(serial) + text(name))
        if stated is None:
            why = total_row(name, serial) or ""
            problems.append(Problem(closing.row, "姓名", text(name), why, form))
        elif stated != rows:
            problems.append(_disagrees(closing.row, "姓名", text(name), stated, rows))
    approvals = approval_rows(table)
    for row, line in table.footer:
        if row in approvals or total_row(line) is None:
            continue
        stated = stated_total(*table.footer_cells.get(row, [line]))
        if stated is not None and stated != rows:
            problems.append(_disagrees(row, None, line, stated, rows))
    return problems


def _disagrees(row: int, column: str | None, written: str, stated: int, rows: int) -> Problem:
    rule = (
        f"名册下方的合计写的是 {stated} 人，名册中实有 {rows} 人，两者应相等：请核对是否漏了"
        "一页或几行（或合计写错了），证书严格按实际合格人数发放"
    )
    return Problem(row, column, written, rule, COUNT_CLAUSE)


def footer_problems(table: Table, per_level: Counter[str], unlevelled: int = 0) -> list[Problem]:
    """The footer's counts, where filled in, equal the rows per level; in Arabic numerals; and
    it approves (`footer_refusal`). Not counted while ``unlevelled`` rows' level is unread
    (each refused for it): their levels would each be told a count short."""
    if refused := footer_refusal(table):
        return [refused]
    found = found_counts(table)
    if found is None and not unlevelled and (bare := bare_total(table)):
        row, words, approved = bare
        if approved != (rows := sum(per_level.values())):
            rule = f"页脚“{words}”，名册中实有 {rows} 人，两者应相等"
            return [Problem(row, FOOTER_COLUMN, words, rule, COUNT_CLAUSE)]
    if found is None or unlevelled:
        return []
    row, counts, named, total = found
    problems = []
    for letter, count in counts.items():
        level = LEVELS[letter].removesuffix("工")
        if isinstance(count, str):
            rule = f"页脚同意{level}的人数“{count}”须用阿拉伯数字填写"
            problems.append(Problem(row, FOOTER_COLUMN, count, rule, "§四.(三)"))
        elif count != per_level[letter]:
            actual = per_level[letter]
            said = (
                f"同意{level} {count} 人"
                if letter in named
                else f"没有写{level}的人数（即同意 0 人）"
            )
            rule = f"页脚{said}，名册中实有 {actual} 人，两者应相等"
            shown = shown_count(letter, count, named)
            problems.append(Problem(row, FOOTER_COLUMN, shown, rule, COUNT_CLAUSE))
    if total and not problems and int(total[2]) != sum(per_level.values()):
        rows = sum(per_level.values())
        rule = f"页脚“{total[1]}”与各等级同意的人数之和 {rows} 人不符，两者应相等"
        problems.append(Problem(row, FOOTER_COLUMN, total[1], rule, COUNT_CLAUSE))
    return problems
