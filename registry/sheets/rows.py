"""Open a spreadsheet file as rows: ``.xlsx``/``.xlsm``/``.xls``/``.ods`` with python-calamine,
``.csv``/``.txt`` in any encoding Chinese offices use. The one place that opens spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from registry.sheets.cells import Cell, clean
from registry.sheets.encoding import decode

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt")
SUFFIXES = WORKBOOK_SUFFIXES + TEXT_SUFFIXES


class UnreadableSheet(ValueError):
    """The file cannot be read as a spreadsheet; the message says why and what to do, in Chinese."""


Row = tuple[int, list[Cell]]
"""(row number as the spreadsheet shows it — for CSV the physical line — and its cells)"""


@dataclass
class Sheet:
    rows: Iterator[Row]
    encoding: str | None = None
    """of a text file; None for a workbook"""


def _workbook_rows(path: Path) -> Iterator[Row]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several unrelated exception types
        raise UnreadableSheet(
            f"无法作为电子表格读取（{exc}）。请确认文件未损坏，并用 Excel/WPS 另存为 .xlsx 后重试"
        ) from exc
    for index, row in enumerate(rows, start=1):
        yield index, [clean(v) for v in row]


def _text_rows(path: Path) -> Sheet:
    try:
        text, encoding = decode(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise UnreadableSheet(
            "无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GB18030/GBK）。请另存为 CSV UTF-8 后重试"
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))

    def rows() -> Iterator[Row]:
        try:
            for cells in reader:
                yield reader.line_num, [c.strip() or None for c in cells]
        except csv.Error as exc:
            raise UnreadableSheet(f"CSV 格式错误（第{reader.line_num}行）：{exc}") from exc

    return Sheet(rows(), encoding)


def open_sheet(path: Path) -> Sheet:
    """The first sheet of ``path``, row by row; raise `UnreadableSheet` when it is not one."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnreadableSheet(f"不支持的文件类型“{suffix}”，请提供 .xlsx 或 .csv 文件")
    if not path.is_file():
        raise UnreadableSheet("文件不存在。请核对 registers.toml 中的文件名，或文件是否已移走")
    if suffix in WORKBOOK_SUFFIXES:
        return Sheet(_workbook_rows(path))
    return _text_rows(path)
