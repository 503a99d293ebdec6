"""Batch checks for HR departments: read an uploaded CSV/.xlsx of number + name.

The upload is any sheet with a 证书编号 and a 姓名 column (header found in the first rows; without
one, the first two columns), and optionally what the papers show, to confirm without revealing
(等级, 工种, 发证日期, 补发). Row numbers are the ones the spreadsheet shows, so HR can match
results to their own file.

The file is opened by `registry.sheets.guard` with `UPLOAD_LIMITS` — never by a parser here: a
workbook is parsed in a child process with memory and time limits after its zip has been
checked, so a hostile file gets a Chinese refusal instead of taking the server down. `read_batch`
blocks (it waits for that child): callers run it off the event loop (`verify_app.uploads`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from registry.public.confirm import unreadable
from registry.sheets.cells import clean, text
from registry.sheets.guard import (
    TEXT_SUFFIXES,
    UPLOAD_LIMITS,
    WORKBOOK_SUFFIXES,
    SheetRefused,
    read_sheet_bytes,
)
from registry.sheets.sheet import excel_row
from verify_app.answers import (
    MAX_CONFIRM_CHARS,
    MAX_NAME_CHARS,
    MAX_NUMBER_CHARS,
    Item,
    listed,
    too_long,
)
from verify_app.batch_columns import (
    BatchFileProblem,
    Columns,
    find_columns,
    name_like,
    number_like,
)
from verify_app.batch_notes import (
    COLUMNS_ADVICE,
    advice,
    nothing_found,
    nothing_to_check,
    typed_name,
)
from verify_app.list_headers import HeaderPlaces, header_places
from verify_app.quotas import KEY_HELP, MAX_UPLOAD_ROWS
from verify_app.watch_lines import split_line

MAX_ITEMS = MAX_UPLOAD_ROWS


@dataclass(frozen=True)
class BatchRow:
    row: int
    item: Item
    cells: tuple[str, ...] = ()
    """every cell of the row, as the file has it, for the result file"""
    unread: str = ""
    """why what the row gives of the paper could not be read (高级技师 for a level, 去年春天 for
    a date): the row is checked without it and told so — a phone review's whole file was refused
    for one such cell, to be corrected in a spreadsheet on a phone"""


@dataclass(frozen=True)
class BatchFile:
    header: tuple[str, ...]
    """the file's own column titles (第1列 … when it has no header row)"""
    rows: list[BatchRow]
    confirms: tuple[str, ...] = ()
    """the confirmable fields the file has a column for"""
    confirm_titles: tuple[str, ...] = ()
    """the file's own titles of those columns, in the same order: the page says what it read as
    the paper's (an HR roster's 等级 may be a post's grade, its rows told 可能被涂改或伪造)"""
    unchecked: tuple[tuple[int, tuple[str, ...], str, str], ...] = ()
    """(row, cells, why, name as typed) of the rows with something in them but nothing to check
    (no number or name; a total, a signature): the result file keeps them, as the HR file had
    them, and the page shows the name typed, as a checked row's"""
    set_aside: tuple[str, ...] = ()
    """later sheets of the workbook left unread: they hold only notes"""
    refused: tuple[tuple[int, str, str], ...] = ()
    """(row, code, number) of the rows of ``unchecked`` that hold a number: refused as the API
    refuses them, with its code (`verify_app.batch_checks`: a number paused for its names,
    ``number_paused``), which the result file's 结果代码 says, so a program tells them from a row
    with nothing to check; or left unchecked for their columns (`COLUMNS_ADVICE`), without one.
    Their 证书编号 is that number, which a row of the page and the file is found by"""


UPLOAD_SUFFIXES = WORKBOOK_SUFFIXES + TEXT_SUFFIXES


def _too_many(rows: str, most: int, metered: bool, far: str = "") -> str:
    """``most``: the rows a file of this client may have; ``metered``: whether an allowance
    counts them (the page then shows it); ``far``: where content was found past the reader's
    bound, which may be a stray cell far below the rows to check (a space, 制表人) rather than
    rows."""
    stray = (
        f"（内容一直到{far}）。如果要查验的行没有这么多，请删去表格下方多余的内容"
        "（只有空格的单元格、表尾的签字等）后重新上传；否则请分成"
        if far
        else "：请分成"
    )
    # the allowance named only where one counts: with none, the page shows no note to point to
    counted = (
        "（各批仍计入同一额度，见本页上方的额度说明：额度用完后须等它恢复）" if metered else ""
    )
    return f"一次最多查验 {most} 行，此文件{rows}{stray}每个不超过 {most} 行的文件分批上传{counted}。{KEY_HELP}"


WRONG_SUFFIX = (
    "请上传 Excel/WPS 表格（.xlsx、.xls、.ods）或 CSV、文本文件（.csv、.txt），"
    "有“证书编号”和“姓名”两列；Word、PDF 文档中的名单请复制到表格中另存后上传。"
    "照片、截图中的名单无法读取，请把证书编号和姓名输入下面的文本框，每行一份。"
)
"""Also a photo's: an officer on a phone uploads the picture of a list (a phone review was told
only of Word and PDF)."""


def _sheet_rows(
    filename: str, data: bytes, most: int, metered: bool
) -> tuple[list[tuple[int, list[str]]], tuple[str, ...]]:
    """(row number as the spreadsheet shows it, cell texts) of the upload's first sheet, and the
    names of the later sheets left unread as notes (`registry.sheets.guard.Sheet.set_aside`)."""
    if not filename.lower().endswith(UPLOAD_SUFFIXES):
        raise BatchFileProblem(WRONG_SUFFIX)
    try:
        sheet = read_sheet_bytes(filename, data, UPLOAD_LIMITS)
    except SheetRefused as exc:
        if exc.limit == "max_rows":  # the reader's bound, past the rows a batch may have
            counted = f"超过 {UPLOAD_LIMITS.max_rows:,} 行"
            # a workbook's table may be stretched by one stray cell, named; a CSV counts only
            # records with content, so it does have that many rows
            far = exc.where if filename.lower().endswith(WORKBOOK_SUFFIXES) else ""
            raise BatchFileProblem(_too_many(counted, most, metered, far)) from exc
        raise BatchFileProblem(str(exc)) from exc
    # a CSV's record named by the row Excel shows it in: employers open their lists in Excel
    rows = [
        (excel_row(number, sheet.shifts), [text(clean(cell)) for cell in cells])
        for number, cells in sheet.rows()
    ]
    return rows, tuple(name for name, _ in sheet.set_aside)


def _cell(row: Sequence[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def _row_problem(number: str, name: str, typed: dict[str, str]) -> str | None:
    """Why a row cannot be checked as typed, if it cannot."""
    fields = too_long(number, name, typed)
    if "number" in fields or "name" in fields:
        return f"证书编号最多 {MAX_NUMBER_CHARS} 个字符，姓名最多 {MAX_NAME_CHARS} 个字符"
    if fields:
        return f"等级、工种、发证日期、补发各列最多 {MAX_CONFIRM_CHARS} 个字符"
    return None


def _readable(typed: dict[str, str]) -> tuple[dict[str, str], str]:
    """What of the paper a row gives that can be read, and why the rest cannot (`unreadable`,
    each field's reason, told with the row's answer)."""
    unread = {field: why for field in typed if (why := unreadable({field: typed[field]}))}
    kept = {field: value for field, value in typed.items() if field not in unread}
    return kept, "；".join(f"{why}（此项未核对）" for why in unread.values())


def _pair(
    row: Sequence[str], columns: Columns, header: HeaderPlaces | None = None
) -> tuple[str, str]:
    """A row's number and name; in a list without header, both written in one cell too
    (Z1122020123 周杰, as the watch form takes them), with the list's other columns when the
    header typed over them names them (证书编号，姓名，部门). Neither when the cell's columns
    hold a number but no name beside it (Z1122020123，13800001111，后勤): the row is left
    unchecked (`verify_app.batch_notes.advice`), not checked with its columns as the name."""
    number, name = _cell(row, columns.number), _cell(row, columns.name)
    if columns.header is None and number_like(name) and not number_like(number):
        number, name = name, number  # this row in the other order (without header: 先后均可)
    if columns.header is None and number:
        parts = split_line(number, header)  # Z1122020123 周杰 in one cell; not 制表人 王五
        if len(parts) == 2 and _typed_number(parts[0]):
            if not name or name_like(parts[1]):
                return parts[0], parts[1]
        if len(parts) > 2 and not name and any(map(number_like, parts)):
            return "", ""
    return number, name


def _typed_header(
    rows: Sequence[tuple[int, Sequence[str]]], columns: Columns
) -> HeaderPlaces | None:
    """Where the header typed on one line over a pasted list puts the number and the name."""
    if columns.header is not None or not columns.start:
        return None
    filled = [cell for cell in rows[columns.start - 1][1] if cell.strip()]
    return header_places(filled[0]) if len(filled) == 1 else None


def _number_in(row: Sequence[str], header: HeaderPlaces | None) -> str:
    """The number of a row left unchecked for its columns (`COLUMNS_ADVICE`), as typed: the
    row's 证书编号 on the page and in the result file, which were blank — the row not found by
    the number the employer has."""
    cell = next(cell for cell in row if cell.strip())
    return next((part for part in split_line(cell, header) if number_like(part)), "")


_MISTYPED = re.compile(
    r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ._/\-－]*[0-9０-９][0-9A-Za-z０-９Ａ-Ｚａ-ｚ._/\-－]*"
)
"""A number mistyped (X123, Z112202012, Z11.2202.0123): letters and digits, a digit among them,
symbols grouping them (`verify_app.watch_lines` reads the number so, and its name apart)."""


def _typed_number(text: str) -> bool:
    """Whether ``text`` is a number as typed, whole or mistyped: the name after it in the same
    cell is the name (X123 李四 was one 6-character number, without a name)."""
    return number_like(text) or bool(_MISTYPED.fullmatch(text))


def read_batch(
    filename: str, data: bytes, most: int = MAX_ITEMS, metered: bool = True
) -> BatchFile:
    """The rows to check, in file order, each with the row number the spreadsheet shows; at
    most ``most`` of them (`verify_app.quotas.Quotas.file_rows`), counted by an allowance when
    ``metered`` (`verify_app.quotas.Quotas.metered`).

    Blocks while the guarded reader parses the file: call it from a worker thread."""
    if not data:
        raise BatchFileProblem("上传的文件是空的：请选择填好证书编号和姓名的文件后重新上传")
    rows, set_aside = _sheet_rows(filename, data, most, metered)
    columns = find_columns(rows)
    places = _typed_header(rows, columns)
    batch, problems, unchecked = [], [], []
    for line, row in rows[columns.start :]:
        number, name = _pair(row, columns, places)
        typed = {field: _cell(row, i) for field, i in columns.confirms.items()}
        if nothing_to_check(row, number, name):
            if any(row):
                unchecked.append((line, row, number, name))
            continue
        problem = _row_problem(number, name, typed)
        if problem:
            problems.append(f"第{line}行：{problem}")
        else:
            readable, unread = _readable(typed)
            batch.append(BatchRow(line, Item(number, name, readable), tuple(row), unread))
    if problems:
        raise BatchFileProblem(listed(problems, "行", "请改正后重新上传，其他行不必改动。"))
    if not batch:
        raise BatchFileProblem(nothing_found(unchecked))
    if len(batch) > most:
        # as Excel numbers them: rows without a number or name are not counted
        counted = f"第{batch[0].row}行至第{batch[-1].row}行中有 {len(batch):,} 行要查验"
        raise BatchFileProblem(_too_many(counted, most, metered))
    headerless, first, last = columns.header is None, batch[0].row, batch[-1].row
    noted = [
        (
            line,
            tuple(row),
            advice(row, number, name, headerless, not first < line < last),
            typed_name(number, name, headerless),
        )
        for line, row, number, name in unchecked
    ]
    widths = [len(r.cells) for r in batch] + [len(note[1]) for note in noted]
    header = _titled(columns, max(widths))
    titles = tuple(header[index] for index in columns.confirms.values())
    return BatchFile(
        header,
        batch,
        tuple(columns.confirms),
        confirm_titles=titles,
        unchecked=tuple(noted),
        set_aside=set_aside,
        refused=tuple(
            (line, "", _number_in(row, places))
            for line, row, why, _ in noted
            if why == COLUMNS_ADVICE
        ),
    )


def _titled(columns: Columns, width: int) -> tuple[str, ...]:
    """The file's column titles for the result file — a two-row header's read as one
    (`verify_app.batch_columns.find_columns`) — else 第N列."""
    header = columns.header or []
    titles = [*header, *("" for _ in range(len(header), width))]
    return tuple(title or f"第{i + 1}列" for i, title in enumerate(titles))
