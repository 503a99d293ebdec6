"""Read a register spreadsheet into records that remember the row number the spreadsheet shows.

Real files carry a title row, a two-row merged header (考试考核结果 over five sub-columns),
header cells with stray spaces, and a footer with signatures and approval counts: the header is
found by its column names (`registry.sheets.header`) and reading stops at the footer.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from registry.domain.numbers import IN_TEXT as NUMBER_IN_TEXT
from registry.domain.numbers import normalise, number_shaped
from registry.sheets._extent import column_letters
from registry.sheets._marked import Marks
from registry.sheets.cells import Cell
from registry.sheets.header import find_header
from registry.sheets.layout import Layout, header_key
from registry.sheets.rows import Row, open_sheet

FOOTER_CELLS = 4
"""a footer line fills at most this many cells (a data row fills most columns)"""
FOOTER_MARKERS = (
    "意见",
    "经办人",
    "批准人",
    "审查人",
    "审核人",
    "印章",
    "(章)",
    "填报人",
    "负责人",
    "填表",
    "制表",
    "复核人",
    "发放人",
    "盖章",
)
"""Words of a sign-off line under a register (填表人：王明, 制表单位：…（盖章）): it ends the rows."""
NOTE_LINE = re.compile(
    r"(?:注|附注|备注|说明|填表说明|注意事项)(?:[\d一二三四五六七八九十]*:|[\d一二三四五六七八九十]+[、.])"
    r"|\(?(?:此页|本页|本表)?以下(?:空白|无内容|无数据|无正文)"
)
"""A note under the rows (注：出生年月按身份证填写, 注1. 工种按目录填写, 以下空白, （以下无正文）,
此页以下空白), as
`header_key` writes it: it ends the rows like a sign-off line, instead of being read as a
holder named 注 with every other column empty."""


@dataclass(slots=True)
class Record:
    row: int
    """row number as the spreadsheet shows it (CSV: the line the record starts on)"""
    values: dict[str, Cell]
    """layout column name → cell value (None when empty)"""

    def row_of(self, column: str) -> int:
        """The row a problem with ``column`` should name (a form keeps a row per label)."""
        return self.row


@dataclass
class Table:
    path: Path
    layout: Layout
    header_rows: tuple[int, ...]
    columns: dict[str, int]
    """layout column name → 0-based index of its spreadsheet column"""
    records: list[Record]
    footer: list[tuple[int, str]] = field(default_factory=list)
    """(row number, text) of each non-empty row from the first footer row on"""
    encoding: str | None = None
    after_footer: list[int] = field(default_factory=list)
    """rows below the footer filled like data rows: rows a clerk added after the signatures,
    which are not read as data and must not vanish without a word"""
    footer_cells: dict[int, list[str]] = field(default_factory=dict)
    """row number → the text of each filled cell of a footer row, as written"""
    marks: Marks = field(default_factory=Marks)
    """the rows the workbook hides or strikes through (any row, data or not)"""
    merged: Sequence[tuple[int, ...]] = ()
    """the workbook's merged ranges of more than one cell (`registry.sheets.guard.Sheet.merged`)"""
    set_aside: Sequence[tuple[str, int]] = ()
    """later sheets of notes left unread (`registry.sheets.guard.Sheet.set_aside`)"""
    shifts: Sequence[tuple[int, int]] = ()
    """a CSV's rows as Excel shows them (`registry.sheets.sheet.Sheet.shifts`)"""
    unread: list[tuple[int, str, Cell]] = field(default_factory=list)
    """(row, column, value) of each filled cell of a data row in a column the layout does not
    have (身份证号, 审核意见, a note beside the table): not loaded, and never without a word"""
    unread_columns: dict[int, str] = field(default_factory=dict)
    """1-based column → the header of each column the header names that the layout does not
    read (`unread` names its cells so): a mark on one is told by that name, not its letter"""

    def unread_by_row(self) -> dict[int, list[tuple[str, Cell]]]:
        """`unread` by row: (column, value) of each of a row's cells the layout does not read."""
        found: dict[int, list[tuple[str, Cell]]] = {}
        for row, column, value in self.unread:
            found.setdefault(row, []).append((column, value))
        return found


def _is_footer(cells: list[Cell], own_words: set[int]) -> bool:
    """A signature/approval line: a few filled cells carrying a footer marker, not counting the
    columns ``own_words`` whose data are footer-like words. (Data rows fill most columns, so
    they are recognised by the cheap count before any text is built.)"""
    if len(cells) - cells.count(None) > FOOTER_CELLS + len(own_words):
        return _opens_footer(cells, own_words)
    filled = [c for i, c in enumerate(cells) if c is not None and i not in own_words]
    if len(filled) > FOOTER_CELLS:
        return _opens_footer(cells, own_words)
    text = header_key("".join(map(str, filled)))
    # a short row with a certificate number for a cell is a holder's: a collection (证书编号,
    # 领取人, 签名, 日期) signed 单位盖章 is no sign-off line; an opinion naming one (…（编号
    # Z1122020901）) is one
    noted = any(marker in text for marker in FOOTER_MARKERS) or NOTE_LINE.match(text)
    return bool(noted) and not any(
        isinstance(cell, str) and number_shaped(normalise(cell)) for cell in cells
    )


_SIGNERS = frozenset(
    (
        "制表人",
        "填表人",
        "经办人",
        "批准人",
        "审查人",
        "审核人",
        "复核人",
        "负责人",
        "发放人",
        "填报人",
    )
)
"""A signer's title alone in its cell (制表人｜王五｜审核人｜李四…): a sign-off line's heading."""
_FOOTER_MARKER = re.compile("|".join(map(re.escape, FOOTER_MARKERS)))
FOOTER_HEADING_CHARS = 5
"""longer than a Chinese name (王意见), ending in a colon, or a signer's title (`_SIGNERS`): a
footer's heading"""


def _opens_footer(cells: list[Cell], own_words: set[int]) -> bool:
    """A footer typed across many cells (证书核发部门意见：｜同意初级｜1｜人，中级｜5｜人…) opens
    with a heading that names it: a marker word in more than a name's few characters, before a
    colon, or a signer's title alone (制表人｜王五｜审核人｜李四). A data row opens with a 序号 or
    a name, and holds no heading; a row holding a certificate number is a holder's, whatever
    its first cell says."""
    # this runs for every data row: the first cell, as written, is nearly always the one
    first = 0 if cells[0] is not None else next(i for i, c in enumerate(cells) if c is not None)
    opening = cells[first]
    if first in own_words or not isinstance(opening, str):
        return False
    if _FOOTER_MARKER.search(opening) is None:
        return False
    heading = (
        len(opening.strip()) > FOOTER_HEADING_CHARS
        or opening.rstrip().endswith((":", "："))
        or header_key(opening) in _SIGNERS
    )
    return heading and not any(
        isinstance(cell, str) and NUMBER_IN_TEXT.search(cell) for cell in cells
    )


def _tuple_getter(indexes: list[int]) -> Callable[[list[Cell]], tuple[Cell, ...]]:
    """``itemgetter`` that returns a tuple for a single index too."""
    if len(indexes) == 1:
        index = indexes[0]
        return lambda cells: (cells[index],)
    return itemgetter(*indexes)


def _header_again(cells: list[Cell], texts: frozenset[str]) -> bool:
    """A row that repeats the header or the title — a long roster printed with them atop each
    page, then typed back — rather than holding data: every filled cell is a header's or the
    title's text, as written there. (A data row fails at its first filled cell, in one set
    lookup.)"""
    first = cells[0] if cells and cells[0] is not None else next(filter(None, cells), None)
    if first not in texts:
        return False
    return all(c in texts for c in cells if c is not None)


def _unread_names(keys: list[str], columns: dict[str, int]) -> dict[int, str]:
    """The spreadsheet columns the header names that the layout does not read, by index."""
    read = set(columns.values())
    return {i: key for i, key in enumerate(keys) if key and i not in read}


def _read_body(
    rows: Iterator[Row], table: Table, header_texts: frozenset[str], keys: list[str]
) -> None:
    """Records until the footer, then the footer's lines (a repeated header is skipped)."""
    columns = table.columns
    unread = _unread_names(keys, columns)
    table.unread_columns = {i + 1: name for i, name in unread.items()}
    named = max([i + 1 for i, key in enumerate(keys) if key] + [max(columns.values()) + 1])
    """the columns the header spans: a cell past them is a note beside the table"""
    names = list(columns)
    pick = _tuple_getter(list(columns.values()))
    width = max(columns.values()) + 1
    data_indexes = [i for name, i in columns.items() if name != "序号"]
    data_pick, data_width = _tuple_getter(data_indexes), len(data_indexes)
    # columns such as 经办人 or 市（州）意见 hold footer-like words as data: not footer evidence
    own_words = {
        i for name, i in columns.items() if any(m in header_key(name) for m in FOOTER_MARKERS)
    }
    for row_number, cells in rows:
        if table.footer or _is_footer(cells, own_words):
            _footer_row(table, row_number, cells, own_words)
            continue
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        if data_pick(cells).count(None) == data_width or _header_again(cells, header_texts):
            continue  # an empty row (perhaps pre-numbered in 序号), or the header again
        table.records.append(Record(row_number, dict(zip(names, pick(cells), strict=True))))
        if unread or len(cells) > named:
            table.unread += _unread_cells(row_number, cells, unread, named)


def _footer_row(table: Table, row_number: int, cells: list[Cell], own_words: set[int]) -> None:
    """Keep a row of the footer, or below it (a row filled like data there: `after_footer`)."""
    filled = [str(c) for c in cells if c is not None]
    line = " ".join(filled)
    if line:
        below = bool(table.footer)  # the footer's own line may fill many cells
        table.footer.append((row_number, line))
        table.footer_cells[row_number] = filled
        if (
            below
            and len(cells) - cells.count(None) > FOOTER_CELLS + len(own_words)
            and not _opens_footer(cells, own_words)
        ):
            table.after_footer.append(row_number)


def _unread_cells(
    row: int, cells: list[Cell], unread: dict[int, str], named: int
) -> list[tuple[int, str, Cell]]:
    found = [
        (row, name, cells[i])
        for i, name in unread.items()
        if i < len(cells) and cells[i] is not None
    ]
    found += [
        (row, f"{column_letters(i + 1)} 列（无表头）", cell)
        for i, cell in enumerate(cells[named:], start=named)
        if cell is not None
    ]
    return found


def read_table(path: Path, layout: Layout) -> Table:
    """Read ``path`` as a register of ``layout``; raise `UnreadableSheet` when it is not one."""
    sheet = open_sheet(path)
    header_rows, columns, header_texts, after, keys = find_header(sheet.rows, layout)
    table = Table(path, layout, header_rows, columns, [], encoding=sheet.encoding)
    table.marks, table.merged = sheet.marks, sheet.merged
    table.set_aside, table.shifts = sheet.set_aside, sheet.shifts
    body = sheet.rows if after is None else itertools.chain([after], sheet.rows)
    _read_body(body, table, header_texts, keys)
    return table
