"""Read a register spreadsheet into records that remember the row number the spreadsheet shows.

Real files carry a title row, a two-row merged header (考试考核结果 over five sub-columns),
header cells with stray spaces, and a footer with signatures and approval counts: the header is
found by its column names and reading stops at the footer.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from registry.domain.numbers import IN_TEXT as NUMBER_IN_TEXT
from registry.sheets._extent import column_letters
from registry.sheets._marked import Marks
from registry.sheets.cells import Cell
from registry.sheets.errors import UnreadableSheet
from registry.sheets.layout import Layout, header_key
from registry.sheets.rows import Row, open_sheet

HEADER_SEARCH_ROWS = 30
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
)


@dataclass(slots=True)
class Record:
    row: int
    """row number as the spreadsheet shows it (CSV: the record's place, as Excel shows it)"""
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
    """the workbook's merged ranges that span rows (`registry.sheets.guard.Sheet.merged`)"""


def _match_header(layout: Layout, keys: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, key in enumerate(keys):
        column = layout.column(key)
        if column and column.name not in columns:
            columns[column.name] = index
    # then the cells that name a column still missing with a note added (出生年月（年.月）);
    # two such cells for one column (证书编号（原）, 证书编号（新）) name none of it
    noted: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        column = layout.noted(key) if layout.column(key) is None else None
        if column and column.name not in columns:
            noted.setdefault(column.name, []).append(index)
    columns |= {name: found[0] for name, found in noted.items() if len(found) == 1}
    return columns


def _refuse_twice_named(layout: Layout, keys: list[str]) -> None:
    """A header naming one of the layout's columns twice: only the first would be read, and the
    first may be a column hidden from whoever checked the sheet (a hidden 姓名 beside the
    visible one loaded names nobody saw). Two different names of an optional column are two
    halves of it some forms split (原岗位证书号 | 未获工种年限): the first is read, as before."""
    seen: dict[str, tuple[int, str]] = {}
    for index, key in enumerate(keys):
        column = layout.column(key) if key else None
        if column is None:
            continue
        if column.name in seen and (column.required or seen[column.name][1] == key):
            first, written = seen[column.name]
            where = f"第 {column_letters(first + 1)} 列“{written}”和第 {column_letters(index + 1)} 列“{key}”"
            raise UnreadableSheet(
                f"表头中有两列都是“{column.name}”（{where}，其中一列可能被隐藏）：每一栏只能有一列。"
                "请取消隐藏、核对后删除多余的一列，再重新保存"
            )
        seen.setdefault(column.name, (index, key))


def _keys(cells: list[Cell]) -> list[str]:
    return [header_key(c) if c is not None else "" for c in cells]


def _merged(keys: list[str], above: list[str]) -> list[str]:
    """A two-row header read as one: a sub-header cell wins over the merged cell above it."""
    return [k or (above[i] if i < len(above) else "") for i, k in enumerate(keys)] + above[
        len(keys) :
    ]


_BRACKETS = str.maketrans("", "", "()（）")


def _column_numbers(cells: list[Cell]) -> bool:
    """A row that numbers the columns (1, 2, 3… or (1), (2)…), as printed forms do under their
    header: no holder's row, and its small numbers are no one's scores."""
    filled = [header_key(c).translate(_BRACKETS) for c in cells if c is not None]
    return len(filled) >= 3 and filled == [str(n) for n in range(1, len(filled) + 1)]


def _sub_header(cells: list[Cell], layout: Layout, above: list[str]) -> list[str] | None:
    """The header's keys with ``cells`` read under them, when ``cells`` is one more header row:
    every filled cell names a column of the layout, one at least not matched above — the
    sub-columns of a merged group (补发材料 over 个人申请, 单位证明, 原公布文件) when every
    required column is merged over both rows and the first row alone looked complete."""
    keys = _keys(cells)
    if not any(keys) or any(key and layout.column(key) is None for key in keys):
        return None
    merged = _merged(keys, above)
    if len(_match_header(layout, merged)) > len(_match_header(layout, above)):
        return merged
    return None


Header = tuple[tuple[int, ...], list[str], set[str]]
"""A candidate header: its row numbers, its keys column by column, its cells' texts"""


def _joined(keys: list[str], upper: list[str], above: list[str]) -> list[str]:
    """A header row whose names continue those of the row above (思想政治 over 表现), read
    under ``above``, the header that row ended: both parts joined where both are filled."""
    joined = []
    for i in range(max(len(keys), len(above))):
        key = keys[i] if i < len(keys) else ""
        part = upper[i] if i < len(upper) else ""
        joined.append(part + key if part and key else key or (above[i] if i < len(above) else ""))
    return joined


def _find_header(
    rows: Iterator[Row], layout: Layout
) -> tuple[tuple[int, ...], dict[str, int], frozenset[str], Row | None]:
    """(header row numbers, column indexes, the header's cell texts as written, the first row
    after the header when it had to be read to know the header ended), consuming ``rows`` up to
    the header."""
    previous: tuple[int, list[str], set[str]] | None = None
    stacked: Header | None = None
    """the best header ending at the previous row"""
    best: dict[str, int] = {}
    titles: set[str] = set()
    """rows above the header holding one text: the roster's title, which print repeats too"""
    for row_number, cells in rows:
        keys = _keys(cells)
        texts = {c for c in cells if isinstance(c, str)}
        candidates: list[Header] = [((row_number,), keys, texts)]
        if previous is not None:  # a merged cell above its sub-columns
            rows_ = (previous[0], row_number)
            candidates.append((rows_, _merged(keys, previous[1]), texts | previous[2]))
            if stacked is not None:  # names broken over two rows (思想政治 / 表现) below more
                joined = _joined(keys, previous[1], stacked[1])
                candidates.append(((*stacked[0], row_number), joined, texts | stacked[2]))
        # the fewest rows that match the most columns
        header_rows, header_keys, texts = max(
            candidates, key=lambda header: len(_match_header(layout, header[1]))
        )
        found = _match_header(layout, header_keys)
        stacked = (header_rows, header_keys, texts)
        if len(found) > len(best):
            best = found
        if all(name in found for name in layout.required):
            after: Row | None = None
            for after in rows:
                if _column_numbers(after[1]):  # the form's own 1, 2, 3… under its header
                    header_rows, after = (*header_rows, after[0]), None
                    continue
                below = _sub_header(after[1], layout, header_keys)
                if below is None:
                    break
                header_rows, header_keys = (*header_rows, after[0]), below
                texts |= {c for c in after[1] if isinstance(c, str)}
                after = None
            _refuse_twice_named(layout, header_keys)
            found = _match_header(layout, header_keys)
            return header_rows, found, frozenset(texts | titles), after
        if row_number >= HEADER_SEARCH_ROWS:
            break
        if len(texts) == 1 and len(cells) - cells.count(None) == 1:
            titles |= texts
        previous = (row_number, keys, texts)
    missing = [name for name in layout.required if name not in best]
    raise UnreadableSheet(
        f"在前{HEADER_SEARCH_ROWS}行找不到“{layout.title}”的表头；缺少列：{'、'.join(missing)}。"
        "请检查文件是否选对了登记类型（kind），或表头名称是否与附件一致"
    )


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
    return any(marker in text for marker in FOOTER_MARKERS)


_FOOTER_MARKER = re.compile("|".join(map(re.escape, FOOTER_MARKERS)))
FOOTER_HEADING_CHARS = 5
"""longer than a Chinese name (王意见), or ending in a colon: a footer's heading"""


def _opens_footer(cells: list[Cell], own_words: set[int]) -> bool:
    """A footer typed across many cells (证书核发部门意见：｜同意初级｜1｜人，中级｜5｜人…) opens
    with a heading that names it: a marker word in more than a name's few characters, or before
    a colon. A data row opens with a 序号 or a name, and holds no heading; a row holding a
    certificate number is a holder's, whatever its first cell says."""
    # this runs for every data row: the first cell, as written, is nearly always the one
    first = 0 if cells[0] is not None else next(i for i, c in enumerate(cells) if c is not None)
    opening = cells[first]
    if first in own_words or not isinstance(opening, str):
        return False
    if _FOOTER_MARKER.search(opening) is None:
        return False
    heading = len(opening.strip()) > FOOTER_HEADING_CHARS or opening.rstrip().endswith((":", "："))
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


def _read_body(rows: Iterator[Row], table: Table, header_texts: frozenset[str]) -> None:
    """Records until the footer, then the footer's lines (a repeated header is skipped)."""
    columns = table.columns
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
            filled = [str(c) for c in cells if c is not None]
            line = " ".join(filled)
            if line:
                below = bool(table.footer)  # the footer's own line may fill many cells
                table.footer.append((row_number, line))
                table.footer_cells[row_number] = filled
                if below and len(cells) - cells.count(None) > FOOTER_CELLS + len(own_words):
                    table.after_footer.append(row_number)
            continue
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        if data_pick(cells).count(None) == data_width or _header_again(cells, header_texts):
            continue  # an empty row (perhaps pre-numbered in 序号), or the header again
        table.records.append(Record(row_number, dict(zip(names, pick(cells), strict=True))))


def read_table(path: Path, layout: Layout) -> Table:
    """Read ``path`` as a register of ``layout``; raise `UnreadableSheet` when it is not one."""
    sheet = open_sheet(path)
    header_rows, columns, header_texts, after = _find_header(sheet.rows, layout)
    table = Table(path, layout, header_rows, columns, [], encoding=sheet.encoding)
    table.marks, table.merged = sheet.marks, sheet.merged
    body = sheet.rows if after is None else itertools.chain([after], sheet.rows)
    _read_body(body, table, header_texts)
    return table
