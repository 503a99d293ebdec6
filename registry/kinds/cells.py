"""What every kind refuses in a register's rows and cells, whatever its layout: rows a workbook
hides or strikes through, cells merged down over rows, hidden characters, cells past any
sensible length, rows below the footer; and what the report notes of columns the layout does
not read. A total row is told by its kind's columns: each kind asks `registry.kinds.not_records`'
`total_row` or `total_in` of the ones a total is written in (a unit's, a holder's name) — a new kind must too.
"""

from __future__ import annotations

import bisect
import re

from registry.domain.numbers import IN_TEXT as NUMBER_IN_TEXT
from registry.domain.problems import OVERLONG, Problem
from registry.domain.registers import COLLECTIONS, STATUS_CHANGES
from registry.domain.text import (
    MAX_CELL_CHARS,
    hidden_characters,
    shortened,
    shows_all,
    visible,
)
from registry.kinds.marked import marked_rows
from registry.sheets._extent import column_letters
from registry.sheets.cells import Cell
from registry.sheets.table import Record, Table

NONE_WRITTEN = frozenset({"/", "-", "--", "—", "——", "–", "－", "／", "×", "无"})
"""What an office writes in a cell to say "none" (a level's count, a 新证书编号 a 撤销 has not):
read like a blank."""

_LINE_BREAK = re.compile(r"\r\n|[\r\n]")
LINE_BREAKS = frozenset({"U+000A", "U+000D"})
"""A line break typed in a cell (Alt+Enter), as `hidden_characters` names it."""


_NAME_BESIDE = re.compile(r"[\u4e00-\u9fff·]{2,5}")
"""What may stand beside a number in a holder's row typed into one cell: a name."""
_NOT_A_NAME = ("作废", "空号", "遗失", "补发", "换发", "错填", "损坏", "至", "共")


def _holder_in(cell: str) -> str | None:
    """The certificate number a cell below the footer holds as a holder's row would: the number
    alone, or with a name (郑浩 Z1122020902) — not in a remark about it (注：…原证遗失, 作废 Z…)."""
    found = NUMBER_IN_TEXT.search(cell)
    if found is None:
        return None
    rest = (cell[: found.start()] + cell[found.end() :]).strip()
    if rest and (_NAME_BESIDE.fullmatch(rest) is None or any(w in rest for w in _NOT_A_NAME)):
        return None
    return found[0]


def _holders_below_footer(table: Table) -> set[int]:
    """Rows below the footer's own line holding a holder's number that no data row of the file
    holds (a footer may list the batch's numbers, or who collected them: those are its own)."""
    found = {
        row: numbers
        for row, _ in table.footer[1:]  # the first is the footer's own line (意见、签字)
        if (numbers := {n for n in map(_holder_in, table.footer_cells[row]) if n})
    }
    if not found:
        return set()
    own = {
        value
        for record in table.records
        for value in record.values.values()
        if isinstance(value, str) and NUMBER_IN_TEXT.fullmatch(value)
    }
    return {row for row, numbers in found.items() if numbers - own}


EXCEL_DIGITS = 15
"""The significant digits a spreadsheet keeps of a number: Excel turns the 16th on into zeros."""
_SCIENTIFIC = re.compile(r"[+-]?\d(?:\.\d+)?[Ee]\+(?:\d{3}|[1-9]\d)")
"""How Excel shows a long number in a General cell too narrow for it (1.38123E+10, a mobile
phone; 1.23457E+17): a smaller exponent (1E+5, in a remark) is no number it cut."""
LOST_DIGITS = (
    f"这是一个超过 {EXCEL_DIGITS} 位的数字：Excel 只保留 {EXCEL_DIGITS} 位有效数字，其后各位已被改成 0"
    "（或被改动），登记的号码会是错的。请把该列设为“文本”格式，重新输入完整号码后保存"
)
SHOWN_SCIENTIFIC = (
    "这是科学记数法：Excel 把长数字显示成这样，另存为 CSV 时只保存了显示出来的几位，"
    "其余数字已经丢失。请在 Excel 中把该列设为“文本”格式，重新输入完整号码后再保存"
)


def digits_lost(value: Cell) -> str | None:
    """Why a cell kept as written (an earlier certificate's number, a phone) cannot be: a number
    past Excel's 15 digits, or one Excel showed as 1.23457E+17 and a CSV saved as shown (§四.(三):
    数字用阿拉伯数字表示 — every digit of it)."""
    if value.__class__ is str:
        if ("E+" in value or "e+" in value) and _SCIENTIFIC.fullmatch(value):
            return SHOWN_SCIENTIFIC
        return None
    if isinstance(value, int | float) and abs(value) >= 10**EXCEL_DIGITS:
        return LOST_DIGITS
    return None


def merged_rows(table: Table) -> list[Problem]:
    """A cell merged down over data rows (the same 工作单位 for a group, say): its value is in
    the first row only, so the rows below would be loaded without it — an optional column
    silently empty. Named once, at its first row, with its range. So is one merged across a
    row's columns of one group under a merged header (five results merged into one 合格): each
    was told it was empty, and the merge not at all (a clerk's review) — not one over other
    columns (工作单位 with an empty 备注, a / over two optional ones), which loses nothing or
    is told column by column, nor one that is the row's only cell (a heading: told to be
    removed, `not_records`)."""
    names = {index + 1: name for name, index in table.columns.items()}
    rows = [record.row for record in table.records]  # in order
    grouped = {name for names in table.layout.groups.values() for name in names}

    def filled(row: int) -> int:  # of the merged row only: not a cost of every row
        values = table.records[bisect.bisect_left(rows, row)].values.values()
        return sum(v is not None and v != "" for v in values)

    found = []
    for top, left, bottom, right in table.merged:  # a range may claim rows up to 2**32
        covered = rows[bisect.bisect_left(rows, top) : bisect.bisect_right(rows, bottom)]
        spanned = [names[c] for c in sorted(names) if left <= c <= right]
        where = f"{column_letters(left)}{top}:{column_letters(right)}{bottom}"
        if len(covered) >= 2 and spanned:
            name = spanned[0]
            rule = (
                f"单元格 {where} 合并了第{top}–{bottom}行：合并后只有第一行有内容，其余各行的"
                f"“{name}”会登记为空。请取消合并，在每一行填上"
            )
            below = frozenset((row, name) for row in covered[1:])
            found.append(Problem(covered[0], name, None, rule, "§四.(五)", explains=below))
        elif len(covered) == 1 and grouped.intersection(spanned[1:]) and filled(covered[0]) > 1:
            name, row = spanned[0], covered[0]
            rule = (
                f"单元格 {where} 合并了“{name}”至“{spanned[-1]}”{len(spanned)} 栏：合并后只有"
                "第一栏有内容，其余各栏会是空的。请取消合并，在每一栏填上"
            )
            beside = frozenset((row, other) for other in spanned[1:])
            found.append(Problem(row, name, None, rule, "§四.(五)", explains=beside))
    return found


def cell_problems(table: Table) -> list[Problem]:
    """Every text cell holding a hidden character, whatever the kind: a name with a zero-width
    space would never match the public check, a bidi override shows one text and holds
    another, a control character can rewrite the terminal that prints the report."""
    numbered = _holders_below_footer(table)
    problems = [
        Problem(
            row,
            None,
            None,
            f"在页脚（第{table.footer[0][0]}行起的签字、意见栏）之下，却像一行数据"
            f"{'（有证书编号）' if row in numbered else ''}：页脚以下的行不会导入。"
            "请把这一行移到页脚之上的数据行中，或删除",
            "§四.(五)",
        )
        for row in sorted({*table.after_footer, *numbered})
    ]
    problems += marked_rows(table) + merged_rows(table)
    multiline = {column.name for column in table.layout.columns if column.lines}
    for record in table.records:
        joined = "".join(v for v in record.values.values() if isinstance(v, str))
        if len(joined) > MAX_CELL_CHARS:
            problems += _overlong(record)
        if shows_all(joined):  # nearly every row, in C
            continue
        for column, value in record.values.items():
            if isinstance(value, str) and column in multiline:
                value = _LINE_BREAK.sub("", value)
            if isinstance(value, str) and (hidden := hidden_characters(value)):
                rule = (
                    "单元格内有换行（Alt+Enter）：这一栏不能分行，请删去换行后重新保存"
                    if set(hidden) <= LINE_BREAKS
                    else f"含有不可见字符或控制字符 {'、'.join(hidden)}（如零宽空格、文字方向"
                    "控制符、换行符），请删除后重新保存"
                )
                problems.append(
                    Problem(record.row_of(column), column, visible(value), rule, "§四.(三)")
                )
    return problems


REMARKS = "备注"
"""A column clerks add to every register. Where the kind reads it for what says a row is void
or not done (此条作废, 未领取: `READS_REMARKS`), it is never "a column filled in by mistake";
elsewhere a 此条作废 in it would otherwise load unsaid."""
READS_REMARKS = frozenset({STATUS_CHANGES, COLLECTIONS})
"""The kinds whose rows' unread cells are read for void words (rosters have 备注 as a column)."""


def unread_note(table: Table) -> str | None:
    """What the sync says of the columns of ``table`` its layout does not read, when their
    cells hold something (`Table.unread`): their contents are not loaded."""
    rows: dict[str, list[int]] = {}
    read = table.layout.kind in READS_REMARKS
    for row, column, _ in table.unread:
        if not (read and column == REMARKS):
            rows.setdefault(column, []).append(row)
    if not rows:
        return None
    mistaken = {column: found for column, found in rows.items() if not _kept_out(column)}
    personal = {column: found for column, found in rows.items() if _kept_out(column)}
    note = f"{UNREAD_COLUMNS}，其内容没有导入登记库：{_named(mistaken)}。请核对是否填错了栏目"
    aside = f"登记库不保存这些个人信息，无需处理：{_named(personal)}"
    if not personal:
        return note
    return f"{note}；{aside}" if mistaken else f"{UNREAD_COLUMNS}，{aside}"


UNREAD_COLUMNS = "以下各列不是本表的栏目"
"""How `unread_note` opens: a report without cell values tells it from a sheet set aside."""
KEPT_OUT = frozenset(
    {"身份证号", "身份证号码", "公民身份号码", "身份证", "联系电话", "电话", "手机", "手机号码"}
    | {"手机号", "家庭住址", "住址", "通讯地址"}
)
"""Columns offices add on purpose, whose personal data the registry does not keep: not to be
told to check whether they were filled in by mistake."""


def _kept_out(column: str) -> bool:
    return re.sub(r"\s+", "", column) in KEPT_OUT


def _named(rows: dict[str, list[int]]) -> str:
    return "、".join(
        f"“{column}”（{len(found)} 行，如第{found[0]}行）" for column, found in rows.items()
    )


def set_aside_note(table: Table) -> str | None:
    """The later sheets of a workbook left unread because they hold only notes (a 填表说明
    after the roster): named, so that a row a clerk put there after all is not lost unsaid."""
    if not table.set_aside:
        return None
    named = "、".join(f"“{visible(name)}”（{rows} 行）" for name, rows in table.set_aside)
    return (
        f"工作表{named}只有说明文字，没有读取：只导入第一个工作表。"
        "如其中有要导入的行，请移到第一个工作表后重新导入"
    )


def unexplained(cells: list[Problem], problems: list[Problem]) -> list[Problem]:
    """``problems`` but those of a cell ``cells`` found too long — the checks read it cut short
    (`_overlong`), and what they say of the cut text (a name of 500 characters) is not so — or
    left empty by a merged cell (`merged_rows`), which is the one cause to fix."""
    told = {(p.row, p.column) for p in cells if p.code == OVERLONG}
    told.update(cell for p in cells for cell in p.explains)
    return [p for p in problems if (p.row, p.column) not in told] if told else problems


def _overlong(record: Record) -> list[Problem]:
    """A problem for each cell of ``record`` past `MAX_CELL_CHARS`, which is cut to that length
    so that no later check of the (refused) register works through the rest."""
    found = []
    for column, value in record.values.items():
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            rule = f"单元格内容过长（{len(value)} 个字符，最多 {MAX_CELL_CHARS} 个），像是误粘贴了大段文字，请核对"
            row, written = record.row_of(column), shortened(visible(value))
            found.append(Problem(row, column, written, rule, "§四.(三)", code=OVERLONG))
            record.values[column] = value[:MAX_CELL_CHARS]
    return found
