"""Read a register spreadsheet (.xlsx/.xls via python-calamine, .csv in any Chinese encoding)
into records that remember the row number the spreadsheet shows.

Real files carry a title row, a two-row merged header (考试考核结果 over five sub-columns),
header cells with stray spaces, and a footer with signatures and approval counts: the header is
found by its column names and reading stops at the footer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import python_calamine

from registry.encoding import decode
from registry.layouts import Layout, header_key

HEADER_SEARCH_ROWS = 30
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
_COUNTS = re.compile(
    r"同意初级\s*(\d+)\s*人\W*中级\s*(\d+)\s*人\W*高级\s*(\d+)\s*人\W*技师\s*(\d+)\s*人"
)

Cell = str | int | float | dt.date | None


class UnreadableRegister(ValueError):
    """The file cannot be read as a register; the message says why and what to do, in Chinese."""


@dataclass(slots=True)
class Record:
    row: int
    """row number as the spreadsheet shows it (CSV: physical line number)"""
    values: dict[str, Cell]
    """layout column name → cell value (None when empty)"""


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

    def footer_counts(self) -> tuple[int, dict[str, int]] | None:
        """(row, counts by level letter) of the footer's 同意初级 N 人，中级 N 人，高级 N 人，技师 N 人,
        when the clerk filled the numbers in."""
        for row, line in self.footer:
            match = _COUNTS.search(header_key(line))
            if match:
                return row, dict(zip("CZGJ", map(int, match.groups()), strict=True))
        return None


def _clean(value: object) -> Cell:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    if isinstance(value, int | float | dt.date):
        return value
    return str(value)


def xlsx_rows(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several unrelated exception types
        raise UnreadableRegister(
            f"无法作为电子表格读取（{exc}）。请确认文件未损坏，并用 Excel/WPS 另存为 .xlsx 后重试"
        ) from exc
    for index, row in enumerate(rows, start=1):
        yield index, [_clean(v) for v in row]


def _csv_rows(path: Path) -> tuple[Iterator[tuple[int, list[Cell]]], str]:
    try:
        text, encoding = decode(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise UnreadableRegister(
            "无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GB18030/GBK）。请另存为 CSV UTF-8 后重试"
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        try:
            for cells in reader:
                yield reader.line_num, [c.strip() or None for c in cells]
        except csv.Error as exc:
            raise UnreadableRegister(f"CSV 格式错误（第{reader.line_num}行）：{exc}") from exc

    return rows(), encoding


def _match_header(layout: Layout, names: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, key in enumerate(names):
        column = layout.column(key)
        if column and column.name not in columns:
            columns[column.name] = index
    return columns


def _is_footer(cells: list[Cell]) -> bool:
    """A signature/approval line: a few filled cells carrying a footer marker. (Data rows fill
    most columns, so they are recognised by the cheap count before any text is built.)"""
    if len(cells) - cells.count(None) > 4:
        return False
    filled = [c for c in cells if c is not None]
    text = header_key("".join(map(str, filled)))
    return any(marker in text for marker in FOOTER_MARKERS)


def _tuple_getter(indexes: list[int]) -> Callable[[list[Cell]], tuple[Cell, ...]]:
    """``itemgetter`` that returns a tuple for a single index too."""
    if len(indexes) == 1:
        index = indexes[0]
        return lambda cells: (cells[index],)
    return itemgetter(*indexes)


def read_table(path: Path, layout: Layout) -> Table:
    """Read ``path`` as a register of ``layout``; raise `UnreadableRegister` when it is not one."""
    if not path.is_file():
        raise UnreadableRegister("文件不存在")
    suffix = path.suffix.lower()
    encoding = None
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        rows = xlsx_rows(path)
    elif suffix in (".csv", ".txt"):
        rows, encoding = _csv_rows(path)
    else:
        raise UnreadableRegister(f"不支持的文件类型“{suffix}”，请提供 .xlsx 或 .csv 文件")

    previous: tuple[int, list[Cell]] | None = None
    columns: dict[str, int] = {}
    header_rows: tuple[int, ...] = ()
    best: list[str] = []
    for row_number, cells in rows:
        keys = [header_key(c) if c is not None else "" for c in cells]
        found = _match_header(layout, keys)
        if previous is not None:
            # two-row header: a sub-header cell wins over the merged cell above it
            above = [header_key(c) if c is not None else "" for c in previous[1]]
            merged = [
                k or (above[i] if i < len(above) else "") for i, k in enumerate(keys)
            ] + above[len(keys) :]
            merged_found = _match_header(layout, merged)
            if len(merged_found) > len(found):
                found, header_rows = merged_found, (previous[0], row_number)
            else:
                header_rows = (row_number,)
        else:
            header_rows = (row_number,)
        if len(found) > len(best):
            best = list(found)
        if all(name in found for name in layout.required):
            columns = found
            break
        if row_number >= HEADER_SEARCH_ROWS:
            break
        previous = (row_number, cells)
    if not columns:
        missing = [name for name in layout.required if name not in best]
        raise UnreadableRegister(
            f"在前{HEADER_SEARCH_ROWS}行找不到“{layout.title}”的表头；缺少列：{'、'.join(missing)}。"
            "请检查文件是否选对了登记类型（kind），或表头名称是否与附件一致"
        )

    table = Table(path, layout, header_rows, columns, [], encoding=encoding)
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
        outside = [c for i, c in enumerate(cells) if i not in own_words] if own_words else cells
        if table.footer or _is_footer(outside):
            line = " ".join(str(c) for c in cells if c is not None)
            if line:
                table.footer.append((row_number, line))
            continue
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        if data_pick(cells).count(None) == data_width:
            continue  # an empty row (perhaps pre-numbered in 序号)
        table.records.append(Record(row_number, dict(zip(names, pick(cells), strict=True))))
    return table
