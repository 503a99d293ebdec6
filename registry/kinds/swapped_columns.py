"""Two columns whose contents look exchanged, said once above the rows' problems.

A column inserted or deleted under a template's header, or two columns pasted in the wrong order,
puts each row's 出生年月 under 性别 and its 性别 under 出生年月. Each cell is then refused on its
own (第5行「出生年月」“男”, 第5行「性别」“1975.04”, twelve lines for six rows) and nothing says
why: a clerk reviewed it as twelve mistakes to correct by hand (a clerk's review). Where, in the
rows with a problem in either column, each of the two holds what the other should, the report
opens with one line that says the two columns look exchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from registry.domain.dates import BadDate, parse_year_month
from registry.domain.levels import LETTER_OF_LEVEL
from registry.domain.names import sex_of
from registry.domain.numbers import normalise, number_shaped
from registry.domain.problems import Problem
from registry.domain.trades import TradeCatalogue
from registry.sheets.cells import Cell, text
from registry.sheets.table import Record

Looks = Callable[[str], bool]
"""Whether a cell's text looks like what a column holds."""

SHOWN_ROWS = 5
"""Rows named in the line; more are counted."""


def _a_date(written: str) -> bool:
    try:
        parse_year_month(written)
    except BadDate:
        return False
    return True


def _a_sex(written: str) -> bool:
    return sex_of(written) is not None


def _a_level(written: str) -> bool:
    return written.strip() in LETTER_OF_LEVEL


def _a_number(written: str) -> bool:
    return number_shaped(normalise(written))


def _a_name(written: str) -> bool:
    """Chinese characters only (a minority name's dot too): no number, date or code is one."""
    letters = written.replace("·", "").strip()
    return bool(letters) and all("\u4e00" <= ch <= "\u9fff" for ch in letters)


def roster_looks(catalogue: TradeCatalogue, birth_column: str) -> dict[str, Looks]:
    """What a roster's columns hold, for `swapped`."""
    return {
        "性别": _a_sex,
        birth_column: _a_date,
        "报考工种": lambda written: catalogue.resolve(written) is not None,
        "报考等级": _a_level,
    }


def roster_pairs(birth_column: str) -> tuple[tuple[str, str], ...]:
    """The roster's columns that sit side by side on the forms, which a clerk exchanges."""
    return (("性别", birth_column), ("报考工种", "报考等级"))


STATUS_LOOKS: dict[str, Looks] = {"证书编号": _a_number, "姓名": _a_name}
"""What a status-change register's columns hold, for `swapped`."""
STATUS_PAIRS = (("证书编号", "姓名"),)
"""Its columns that sit side by side, which a clerk exchanges."""


def swapped(
    problems: Sequence[Problem],
    records: Sequence[Record],
    looks: Mapping[str, Looks],
    pairs: Iterable[tuple[str, str]],
    clause: str,
) -> list[Problem]:
    """A problem of the file for each pair of columns (a, b) exchanged in rows refused for
    either: a's cell looks like b's and b's like a's. Only the refused rows are looked at."""
    refused: dict[str, set[int]] = {}
    for problem in problems:
        if problem.row is not None and problem.column:
            refused.setdefault(problem.column, set()).add(problem.row)
    found = []
    for a, b in pairs:
        rows = refused.get(a, set()) | refused.get(b, set())
        if not rows:
            continue
        exchanged = [
            record.row
            for record in records
            if record.row in rows and _exchanged(record.values, a, b, looks)
        ]
        if exchanged:
            found.append(Problem(None, None, None, _said(a, b, exchanged), clause))
    return found


def _exchanged(values: Mapping[str, Cell], a: str, b: str, looks: Mapping[str, Looks]) -> bool:
    in_a, in_b = text(values.get(a)), text(values.get(b))
    return bool(in_a and in_b) and looks[b](in_a) and looks[a](in_b)


COLUMN_SHIFT = 3
"""Rows exchanged from which the columns, not the cells, are told to be at fault."""


def _said(a: str, b: str, rows: list[int]) -> str:
    shown = "、".join(f"第{row}行" for row in rows[:SHOWN_ROWS])
    more = f"等 {len(rows)} 行" if len(rows) > SHOWN_ROWS else ""
    told = f"「{a}」下填的像是{b}，「{b}」下填的像是{a}"
    if len(rows) < COLUMN_SHIFT:  # a row or two typed in each other's cell, not a column moved
        return f"「{a}」和「{b}」两格的内容似乎填反了（{shown}）：{told}。请把这两格对调后重新导入"
    return (
        f"「{a}」和「{b}」两列的内容似乎对调了（{shown}{more}）：{told}。请核对表头下各列的顺序"
        "（多半是插入、删除或粘贴列时错了位），改正后这些行的问题多半随之消失"
    )
