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
    FooterCounts,
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
_DIGITS = {
    n: v
    for digits in ("零一二三四五六七八九", "〇壹贰叁肆伍陆柒捌玖")
    for v, n in enumerate(digits)
}
_DIGITS["两"] = 2
_UNITS = dict(zip("十拾百佰千仟", [10, 10, 100, 100, 1000, 1000], strict=True))
_NUMERALS = "".join([*_DIGITS, *_UNITS])
_PERSONS = f"(?:\\d{{1,6}}|[{_NUMERALS}]{{1,12}})[人名]"
"""A count of people in Arabic digits or Chinese numerals (3人, 共计十二人, 合计:叁人): no 共两页."""
_COUNTED = f"(\\d{{1,6}}|{_PERSONS})"
"""A count of people, or digits alone after the total's word (总人数:7)."""
_SEP = "[。.,;·]"
_LABELLED = (
    "(?:(?:联系|咨询)?(?:电话|手机|联系人)|[制填编]表(?:人|日期|单位)?|(?:填报|报送|上报)(?:人|单位)?"
    "|(?:审核|复核|核对|统计|经办|负责)人?|签字|签名|签章|盖章|日期).*"
)
"""A labelled note: who to call, who drew up or sent the list (联系电话:…, 制表人:王五, 报送单位:…)."""
_DIGIT = "(?:\\d|[〇零一二三四五六七八九十])"
_BESIDE = (
    f"(?:(?<=[人名)])|(?<=[人名)]{_SEP}))"
    f"(?:\\d[\\d()\\-—]{{6,}}|共(?:\\d|[{_NUMERALS}]){{1,4}}页"
    f"|{_DIGIT}{{4}}(?:年{_DIGIT}{{1,3}}月(?:{_DIGIT}{{1,3}}日)?|[.\\-/]\\d{{1,2}}(?:[.\\-/]\\d{{1,2}})?))"
)
"""Unlabelled words beside a count of people (after its 人, never its digits): a phone, the
pages (共1页), a date (2012年3月20日, 2012.03.20)."""
_BREAKDOWN = f"其中:?(?:[,、;]?(?:男性?|女性?|(?:初级|中级|高级)工?|技师):?{_PERSONS})+{_SEP}?"
"""其中 and the rows' count by sex or level (其中男3人,女1人; 其中:男性3名; 其中中级2人、初级1人) —
not 其中缺考1人, 其中4人合格, whose people may not be the rows (`qualified`)."""
_QUALIFIED = re.compile(f"{_WORD}:?{_COUNTED}{_SEP}?其中.*")
"""A total with a 其中 of other people than the rows (以上共5人,其中缺考1人): its count is not
theirs to check — nor a row to refuse, which loaded before (a review of the day's diff)."""
_NOTE = f"{_LABELLED}|{_BESIDE}(?:{_SEP}?{_LABELLED})?|{_BREAKDOWN}(?:{_LABELLED})?"
"""What a clerk writes after a total in its cell: a labelled note or a signature (合计3人
联系电话:028-86123456, 合计:3人 制表人:王五, 以上共4人 报送单位:…), a bare phone, the pages or a
date after 人 (合计:5人 13981234567, 共3人共1页, 以上共4人 2012年3月20日) — whose digits are no
count —, or a breakdown of the rows by sex or level (以上共4人,其中男3人,女1人): not one of
other people (其中暂缓发证2人, 其中缺考1人). Unread, a roster a page short loaded under them."""
_STATED = re.compile(
    f"{_WORD}:?{_COUNTED}(?:\\((?![^)]*(?:含|暂缓|次))[^)]*\\))?{_SEP}?(?:{_NOTE})?"
)
"""A cell stating a total of people, as `normalise_name` writes it (合计:3人, 以上共5人, 共计3名,
总人数:7, 合计4人 with 序号 and 姓名 read together, 合计:3人(男2人,女1人), 以上共二十一人,
合计3人联系电话:…): the whole cell — not 共2页, not 6人次, not 5人(含暂缓发证2人), whose count is
no number of rows (a review of the day's diff). Not a 小计, a page's."""
_COUNT = re.compile(f"({_PERSONS}){_SEP}?(?:{_NOTE})?")
"""A cell of the count alone (合计 | 3人), after a cell of the total's word alone."""


def chinese_count(written: str) -> int | None:
    """The number Chinese numerals write (十二, 二十一, 叁佰零伍, 两千), below ten thousand; None
    for what reads as no one number: 二三 (two or three), 一百二 (120, or 102?), 百十."""
    total, digit, unit, zero = 0, None, 10_000, False
    for numeral in written:
        if numeral in _DIGITS:
            value = _DIGITS[numeral]
            if digit is not None and (digit or not value or not total):  # but 一百零五
                return None
            digit, zero = value, zero or not value
        elif (value := _UNITS[numeral]) >= unit or digit == 0:
            return None
        elif digit is None and (total or value != 10):  # 十二 is 一十二; no 百二, 一千百
            return None
        else:
            total, digit, unit = total + (1 if digit is None else digit) * value, None, value
    if digit is not None and unit not in (10, 10_000) and not zero:
        return None
    return total + (digit or 0)


def _count(written: str) -> int | None:
    """The number a count states (3人, 十二人, 7)."""
    count = written.rstrip("人名")
    return int(count) if count.isdigit() else chinese_count(count)


def stated_total(*cells: str) -> int | None:
    """The number of people a total written in ``cells`` states: one cell stating it whole, or
    the total's word alone and the count in the next; None when no count can be read so. A
    footer line is read cell by cell: read as one, 合计 | 3 | 2012.03.20 stated 32012 people."""
    plain = [normalise_name(cell) for cell in cells]
    for place, cell in enumerate(plain):
        if found := _STATED.fullmatch(cell):
            return _count(found[1])
        if re.fullmatch(f"{_WORD}:?", cell) and place + 1 < len(plain):
            counted = _COUNT.fullmatch(plain[place + 1])
            return _count(counted[1]) if counted else None
    return None


def total_problems(table: Table, closing: Record | None, rows: int, form: str) -> list[Problem]:
    """Each total stated below the roster's ``rows`` that is not their number: the closing 合计
    row (`registry.kinds.closing_total.closing_total`), and each footer line stating one
    (`stated_total`: 以上共3人 联系电话… too, which no `total_row` matches) but no approval's
    (`approval_rows`: checked with its counts). A closing 合计 row whose count cannot be read
    (七八人, 一百二人, 小计 3) is refused as a row, as before: unchecked, it would say nothing."""
    problems = []
    if closing is not None:
        name, serial = closing.values.get("姓名"), closing.values.get("序号")
        stated = stated_total(text(serial) + text(name))
        if stated is None and _QUALIFIED.fullmatch(normalise_name(text(serial) + text(name))):
            pass  # 以上共5人，其中缺考1人: told nothing, as on a footer line
        elif stated is None:
            why = total_row(name, serial) or ""
            problems.append(Problem(closing.row, "姓名", text(name), why, form))
        elif stated != rows:
            problems.append(_disagrees(closing.row, "姓名", text(name), stated, rows))
        elif parted := _parts_problem(closing.row, "姓名", text(name), stated):
            problems.append(parted)
    approvals = approval_rows(table)
    for row, line in table.footer:
        if row in approvals:
            continue
        stated = stated_total(*table.footer_cells.get(row, [line]))
        if stated is not None and stated != rows:
            problems.append(_disagrees(row, None, line, stated, rows))
        elif stated is not None and (parted := _parts_problem(row, None, line, stated)):
            problems.append(parted)
    return problems


_PART = re.compile(f"(男|女|(?:初级|中级|高级)|技师)(?:性|工)?:?({_PERSONS})")
"""One part of a total's 其中 breakdown (男3人, 女性1名, 中级工2人)."""


def _parts_problem(row: int, column: str | None, written: str, stated: int) -> Problem | None:
    """A total's 其中 breakdown by sex, or by level, whose parts do not add up to it (以上共4人，
    其中中级2人、初级1人): read and let pass, it said nothing of the page it may tell is lost."""
    plain = normalise_name(written)
    if "其中" not in plain:
        return None
    parts = _PART.findall(plain.split("其中", 1)[1])
    for kind in ("男女", "初中高技"):
        counts = [_count(count) or 0 for word, count in parts if word[0] in kind]
        if len(counts) >= 2 and (summed := sum(counts)) != stated:
            rule = (
                f"合计写的是 {stated} 人，其中所列各项之和是 {summed} 人，两者应相等："
                "请核对合计或“其中”各项的人数"
            )
            return Problem(row, column, written, rule, COUNT_CLAUSE)
    return None


def _disagrees(row: int, column: str | None, written: str, stated: int, rows: int) -> Problem:
    rule = (
        f"名册下方的合计写的是 {stated} 人，名册中实有 {rows} 人，两者应相等：请核对是否漏了"
        "一页或几行（或合计写错了），证书严格按实际合格人数发放"
    )
    return Problem(row, column, written, rule, COUNT_CLAUSE)


def footer_problems(table: Table, per_level: Counter[str], unlevelled: int = 0) -> list[Problem]:
    """The footer's counts, where filled in, equal the rows per level; in Arabic numerals; and
    it approves (`footer_refusal`). While ``unlevelled`` rows' level is unread (each refused
    for it), a level is told only where they cannot make its count up — fewer than the rows
    read for it, or more than those and the unread together —, then the sum of the counts:
    counted naively, each of their levels was told a count short; not counted at all, the
    footer's other mistakes were told only on the next attempt (a clerk's review, §5)."""
    if refused := footer_refusal(table):
        return [refused]
    rows = sum(per_level.values()) + unlevelled
    found = found_counts(table)
    if found is None:
        bare = bare_total(table)
        if bare is None or bare[2] == rows:
            return []
        row, words, approved = bare
        rule = f"页脚“{words}”，名册中实有 {rows} 人，两者应相等"
        return [Problem(row, FOOTER_COLUMN, words, rule, COUNT_CLAUSE)]
    problems = [
        problem
        for letter in found.counts
        if (problem := _level_problem(found, letter, per_level[letter], unlevelled))
    ]
    if problems:
        return problems
    stated = sum(int(count) for count in found.counts.values())  # no words left: all digits
    if found.total and int(found.total[2]) != stated:
        rule = f"页脚“{found.total[1]}”与各等级同意的人数之和 {stated} 人不符，两者应相等"
        return [Problem(found.row, FOOTER_COLUMN, found.total[1], rule, COUNT_CLAUSE)]
    if stated != rows:  # only with unread levels: each count could be theirs, not all of them
        named = [letter for letter in found.counts if letter in found.named]
        shown = "，".join(
            shown_count(letter, found.counts[letter], found.named) for letter in named
        )
        rule = (
            f"页脚同意的各等级人数之和是 {stated} 人，名册中实有 {rows} 人"
            f"（其中 {unlevelled} 人的报考等级未能读出），两者应相等"
        )
        return [Problem(found.row, FOOTER_COLUMN, shown, rule, COUNT_CLAUSE)]
    return []


def _level_problem(
    found: FooterCounts, letter: str, actual: int, unlevelled: int
) -> Problem | None:
    """The footer's count of one level, unless it is the ``actual`` rows read for it, or
    ``unlevelled`` rows of unread level could make it so."""
    count, level = found.counts[letter], LEVELS[letter].removesuffix("工")
    if isinstance(count, str):
        rule = f"页脚同意{level}的人数“{count}”须用阿拉伯数字填写"
        return Problem(found.row, FOOTER_COLUMN, count, rule, "§四.(三)")
    if actual <= count <= actual + unlevelled:
        return None
    said = (
        f"同意{level} {count} 人"
        if letter in found.named
        else f"没有写{level}的人数（即同意 0 人）"
    )
    rule = f"页脚{said}，名册中实有 {actual} 人{_unread(unlevelled)}，两者应相等"
    shown = shown_count(letter, count, found.named)
    return Problem(found.row, FOOTER_COLUMN, shown, rule, COUNT_CLAUSE)


def _unread(unlevelled: int) -> str:
    """What a count's refusal adds of the rows whose level is unread (refused for it above)."""
    if not unlevelled:
        return ""
    return f"（另有 {unlevelled} 人的报考等级未能读出，无论是哪一级都不能相等）"
