"""Batch checks for HR departments: read an uploaded CSV/.xlsx of number + name, write results as CSV.

The upload is any sheet with a 证书编号 and a 姓名 column (header found in the first rows; without
one, the first two columns). Row numbers are the ones the spreadsheet shows, so HR can match
results to their own file. The export never contains the names, and every cell that a
spreadsheet would run as a formula (``= + - @``, tab, CR) is neutralised with a leading quote.

The file is opened by `registry.sheets.guard` with `UPLOAD_LIMITS` — never by a parser here: a
workbook is parsed in a child process with memory and time limits after its zip has been
checked, so a hostile file gets a Chinese refusal instead of taking the server down. `read_batch`
blocks (it waits for that child): callers run it off the event loop (`verify_app.uploads`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from registry.public.fields import PUBLIC_FIELDS
from registry.public.lookup import Verification
from registry.sheets.guard import UPLOAD_LIMITS, SheetRefused, read_sheet_bytes
from registry.sheets.layout import header_key
from verify_app.service import MAX_NAME_CHARS, MAX_NUMBER_CHARS, Item

MAX_ITEMS = 500
HEADER_SEARCH_ROWS = 10
NUMBER_HEADERS = ("证书编号", "颁发证书编号", "编号", "证书号")
NAME_HEADERS = ("姓名", "持证人", "持证人姓名")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

EXPORT_COLUMNS = (
    ("row", "行号"),
    ("number", "证书编号"),
    ("result", "查验结果"),
    ("label", "结果说明"),
    *((f.name, f.label) for f in PUBLIC_FIELDS if f.name not in ("number", "reason")),
)
"""The result file's columns: the row, the result, and the public fields (names never)."""


class BatchFileProblem(ValueError):
    """The upload cannot be used; the message (Chinese) says what to fix."""


@dataclass(frozen=True)
class BatchRow:
    row: int
    item: Item


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


UPLOAD_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt")


def _sheet_rows(filename: str, data: bytes) -> list[tuple[int, list[str]]]:
    """(row number as the spreadsheet shows it, cell texts) of the upload's first sheet."""
    if not filename.lower().endswith(UPLOAD_SUFFIXES):
        raise BatchFileProblem("请上传 .xlsx 或 .csv 文件（两列：证书编号、姓名）")
    try:
        sheet = read_sheet_bytes(filename, data, UPLOAD_LIMITS)
    except SheetRefused as exc:
        raise BatchFileProblem(str(exc)) from exc
    return [(number, [_text(cell) for cell in cells]) for number, cells in sheet.rows()]


def _columns(rows: Sequence[tuple[int, Sequence[str]]]) -> tuple[int, int, int]:
    """(index of the first data row, number column, name column)."""
    for index, (_, row) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [header_key(cell) for cell in row]
        number = next((i for i, k in enumerate(keys) if k in NUMBER_HEADERS), None)
        name = next((i for i, k in enumerate(keys) if k in NAME_HEADERS), None)
        if number is not None and name is not None:
            return index + 1, number, name
    return 0, 0, 1


def read_batch(filename: str, data: bytes) -> list[BatchRow]:
    """The rows to check, in file order, each with the row number the spreadsheet shows.

    Blocks while the guarded reader parses the file: call it from a worker thread."""
    if not data:
        raise BatchFileProblem("上传的文件是空的")
    rows = _sheet_rows(filename, data)
    start, number_col, name_col = _columns(rows)
    batch = []
    for line, row in rows[start:]:
        number = row[number_col] if number_col < len(row) else ""
        name = row[name_col] if name_col < len(row) else ""
        if len(number) > MAX_NUMBER_CHARS or len(name) > MAX_NAME_CHARS:
            raise BatchFileProblem(
                f"第{line}行：证书编号最多 {MAX_NUMBER_CHARS} 个字符，姓名最多 {MAX_NAME_CHARS} 个字符"
            )
        if number or name:
            batch.append(BatchRow(line, Item(number, name)))
    if not batch:
        raise BatchFileProblem("文件中没有找到要查验的行（需要“证书编号”和“姓名”两列）")
    if len(batch) > MAX_ITEMS:
        raise BatchFileProblem(f"一次最多查验 {MAX_ITEMS} 行，此文件有 {len(batch)} 行，请分批上传")
    return batch


def neutralise(value: str) -> str:
    """Make a cell inert in a spreadsheet: a leading quote before formula characters."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def export_row(row: int, answer: Verification) -> dict[str, str]:
    values = {k: "" if v is None else str(v) for k, v in answer.as_json().items()}
    values.update(row=str(row), label=answer.label)
    return {key: values.get(key, "") for key, _ in EXPORT_COLUMNS}


def write_csv(rows: Iterable[dict[str, str]]) -> str:
    """UTF-8 with BOM so that Excel opens the Chinese text correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([title for _, title in EXPORT_COLUMNS])
    for row in rows:
        writer.writerow([neutralise(row[key]) for key, _ in EXPORT_COLUMNS])
    return out.getvalue()
