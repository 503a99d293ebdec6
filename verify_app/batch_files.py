"""Batch checks for HR departments: read an uploaded CSV/.xlsx of number + name, write results as CSV.

The upload is any sheet with a 证书编号 and a 姓名 column (header found in the first rows; without
one, the first two columns), and optionally what the papers show, to confirm without revealing
(等级, 工种, 发证日期, 补发). Row numbers are the ones the spreadsheet shows, so HR can match
results to their own file.

The result file is the HR file itself — every column it had, employee numbers and departments
included, as HR wrote them — with the result columns appended: the registry adds only public
fields (`registry.public.fields.PUBLIC_FIELDS`), times in Beijing time, and every cell that a
spreadsheet would run as a formula is neutralised (`registry.sheets.formulas.neutralise`).

The file is opened by `registry.sheets.guard` with `UPLOAD_LIMITS` — never by a parser here: a
workbook is parsed in a child process with memory and time limits after its zip has been
checked, so a hostile file gets a Chinese refusal instead of taking the server down. `read_batch`
blocks (it waits for that child): callers run it off the event loop (`verify_app.uploads`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from registry.kinds.cells import TOTAL_WORDS
from registry.public.confirm import CONFIRMABLE, unreadable
from registry.public.fields import PUBLIC_FIELDS, PublicField
from registry.public.lookup import NOT_CHECKED
from registry.sheets.cells import clean, text
from registry.sheets.formulas import neutralise as neutralise
from registry.sheets.guard import (
    TEXT_SUFFIXES,
    UPLOAD_LIMITS,
    WORKBOOK_SUFFIXES,
    SheetRefused,
    read_sheet_bytes,
)
from registry.sheets.layout import header_key
from verify_app.answers import (
    MAX_CONFIRM_CHARS,
    MAX_NAME_CHARS,
    MAX_NUMBER_CHARS,
    Checked,
    Item,
    listed,
)
from verify_app.batch_columns import CONFIRM_HEADERS as CONFIRM_HEADERS
from verify_app.batch_columns import BatchFileProblem as BatchFileProblem
from verify_app.batch_columns import Columns, find_columns, name_like
from verify_app.presentation import shown_time
from verify_app.quotas import KEY_HELP, MAX_UPLOAD_ROWS
from verify_app.watch_lines import split_line

MAX_ITEMS = MAX_UPLOAD_ROWS
MATCH_LABELS = {"match": "相符", "mismatch": "不符"}

EXPORT_COLUMNS = (
    ("row", "行号"),
    ("number", "证书编号"),
    ("label", "查验结果"),
    ("advice", "下一步"),
    *((f.name, f.label) for f in PUBLIC_FIELDS if f.name not in ("number", "reason")),
    ("result", "结果代码"),
)
"""The result columns: the row, the result in words, what to do next (as a single check says
it: whom to ask about a certificate not found, what a revoked one means), the public fields (the
registry's names never), and last the API's result code, for a program — an officer filtering
in Excel reads 查验结果, where a code (valid for a paper that differs) misled."""
CONFIRM_COLUMNS = tuple((f"confirm_{k}", f"核对：{v}") for k, v in CONFIRMABLE.items())
"""One result column per confirmable field, when the upload had its column."""


@dataclass(frozen=True)
class BatchRow:
    row: int
    item: Item
    cells: tuple[str, ...] = ()
    """every cell of the row, as the file has it, for the result file"""


@dataclass(frozen=True)
class BatchFile:
    header: tuple[str, ...]
    """the file's own column titles (第1列 … when it has no header row)"""
    rows: list[BatchRow]
    confirms: tuple[str, ...] = ()
    """the confirmable fields the file has a column for"""
    unchecked: tuple[tuple[int, tuple[str, ...]], ...] = ()
    """(row, cells) of the rows with something in them but nothing to check (no number or
    name; a total, a signature): the result file keeps them, as the HR file had them"""


UPLOAD_SUFFIXES = WORKBOOK_SUFFIXES + TEXT_SUFFIXES


def _too_many(rows: str, most: int, far: str = "") -> str:
    """``most``: the rows a file of this client may have; ``far``: where content was found past
    the reader's bound, which may be a stray cell far below the rows to check (a space, 制表人)
    rather than rows."""
    stray = (
        f"（内容一直到{far}）。如果要查验的行没有这么多，请删去表格下方多余的内容"
        "（只有空格的单元格、表尾的签字等）后重新上传；否则请分成"
        if far
        else "：请分成"
    )
    return (
        f"一次最多查验 {most} 行，此文件{rows}{stray}每个不超过 {most} 行的文件分批上传。{KEY_HELP}"
    )


def _sheet_rows(filename: str, data: bytes, most: int) -> list[tuple[int, list[str]]]:
    """(row number as the spreadsheet shows it, cell texts) of the upload's first sheet."""
    if not filename.lower().endswith(UPLOAD_SUFFIXES):
        raise BatchFileProblem("请上传 .xlsx 或 .csv 文件（两列：证书编号、姓名）")
    try:
        sheet = read_sheet_bytes(filename, data, UPLOAD_LIMITS)
    except SheetRefused as exc:
        if exc.limit == "max_rows":  # the reader's bound, past the rows a batch may have
            rows = f"超过 {UPLOAD_LIMITS.max_rows:,} 行"
            # a workbook's table may be stretched by one stray cell, named; a CSV counts only
            # records with content, so it does have that many rows
            far = exc.where if filename.lower().endswith(WORKBOOK_SUFFIXES) else ""
            raise BatchFileProblem(_too_many(rows, most, far)) from exc
        raise BatchFileProblem(str(exc)) from exc
    return [(number, [text(clean(cell)) for cell in cells]) for number, cells in sheet.rows()]


def _cell(row: Sequence[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def _row_problem(number: str, name: str, typed: dict[str, str]) -> str | None:
    """Why a row cannot be checked as typed, if it cannot."""
    if len(number) > MAX_NUMBER_CHARS or len(name) > MAX_NAME_CHARS:
        return f"证书编号最多 {MAX_NUMBER_CHARS} 个字符，姓名最多 {MAX_NAME_CHARS} 个字符"
    if any(len(value) > MAX_CONFIRM_CHARS for value in typed.values()):
        return f"等级、工种、发证日期、补发各列最多 {MAX_CONFIRM_CHARS} 个字符"
    return unreadable(typed)


_LIKE_A_NUMBER = re.compile("[A-Za-zＡ-Ｚａ-ｚ][0-9０-９]{10}")


def _a_note(number: str, name: str) -> bool:
    """A line above or under a list, in its number's or its name's column — a title
    (某公司持证人员名单), a total, a signature — with nothing like a certificate number in it:
    no digit at all, or words of a total or a colon."""
    if number and name:
        return False
    text = number or name
    if not any(character.isdigit() for character in text):
        return True  # every certificate number has ten digits
    return (
        text.startswith(TOTAL_WORDS) or ":" in text or "：" in text
    ) and not _LIKE_A_NUMBER.search(text.replace(" ", ""))


def _pair(row: Sequence[str], columns: Columns) -> tuple[str, str]:
    """A row's number and name; in a list without header, both written in one cell too
    (Z1122020123 周杰, as the watch form takes them)."""
    number, name = _cell(row, columns.number), _cell(row, columns.name)
    if columns.header is None and number:
        parts = split_line(number)  # Z1122020123 周杰 in one cell; not 制表人 王五, G… 补
        if len(parts) == 2 and _LIKE_A_NUMBER.search(parts[0].replace(" ", "")):
            if not name or name_like(parts[1]):
                return parts[0], parts[1]
    return number, name


def read_batch(filename: str, data: bytes, most: int = MAX_ITEMS) -> BatchFile:
    """The rows to check, in file order, each with the row number the spreadsheet shows; at
    most ``most`` of them (`verify_app.quotas.Quotas.file_rows`).

    Blocks while the guarded reader parses the file: call it from a worker thread."""
    if not data:
        raise BatchFileProblem("上传的文件是空的")
    rows = _sheet_rows(filename, data, most)
    columns = find_columns(rows)
    batch, problems, unchecked = [], [], []
    for line, row in rows[columns.start :]:
        number, name = _pair(row, columns)
        typed = {field: _cell(row, i) for field, i in columns.confirms.items()}
        if _a_note(number, name) or not (number or name):
            # 合计：3人, 制表人：王五, a row without number and name: nothing to check or charge
            if any(row):
                unchecked.append((line, tuple(row)))
            continue
        problem = _row_problem(number, name, typed)
        if problem:
            problems.append(f"第{line}行：{problem}")
        else:
            batch.append(BatchRow(line, Item(number, name, typed), tuple(row)))
    if problems:
        raise BatchFileProblem(listed(problems, "行", "请改正后重新上传，其他行不必改动。"))
    if not batch:
        raise BatchFileProblem("文件中没有找到要查验的行（需要“证书编号”和“姓名”两列）")
    if len(batch) > most:
        raise BatchFileProblem(_too_many(f"有 {len(batch):,} 行", most))
    widths = [len(r.cells) for r in batch] + [len(cells) for _, cells in unchecked]
    header = _titled(columns.header or [], max(widths))
    return BatchFile(header, batch, tuple(columns.confirms), tuple(unchecked))


def _titled(header: Sequence[str], width: int) -> tuple[str, ...]:
    """The file's column titles for the result file, 第N列 where it has none."""
    titles = [*header, *("" for _ in range(len(header), width))]
    return tuple(title or f"第{i + 1}列" for i, title in enumerate(titles))


UNCHECKED_ADVICE = "此行没有可查验的证书编号和姓名，未查验。"


def unchecked_row(row: int) -> dict[str, str]:
    """The result columns of a row not checked (`BatchFile.unchecked`)."""
    return {key: "" for key, _ in (*EXPORT_COLUMNS, *CONFIRM_COLUMNS)} | {
        "row": str(row),
        "label": NOT_CHECKED,
        "advice": UNCHECKED_ADVICE,
    }


PAPER_DIFFERS = "paper_differs"
"""Set in a result row whose paper disagrees with the registry (`export_row`)."""


def export_row(row: BatchRow, checked: Checked, contact: str | None = None) -> dict[str, str]:
    """One row of the results: the file's own cells (``cells``) and the result columns; for a
    certificate not found, ``contact`` says whom to ask, as the single check's page does."""
    answer = checked.answer
    values = {k: PublicField.text(v) for k, v in answer.as_json().items()}
    advice = checked.advice() + (contact or "")
    values.update(
        row=str(row.row),
        label=checked.label,
        advice=advice,
        as_of=shown_time(answer.as_of),
    )
    result = {key: values.get(key, "") for key, _ in EXPORT_COLUMNS}
    for key, _ in CONFIRM_COLUMNS:
        field = key.removeprefix("confirm_")
        verdict = (checked.confirmation or {}).get(field)
        result[key] = MATCH_LABELS.get(verdict, "") if verdict else ""
    if checked.mismatched:  # not a column: the results page marks the row as the answer's
        result[PAPER_DIFFERS] = "1"
    return result


def result_columns(confirms: Iterable[str]) -> list[tuple[str, str]]:
    """The appended columns: the results, and a 核对 column per confirmed field."""
    wanted = {f"confirm_{field}" for field in confirms}
    *results, code = EXPORT_COLUMNS  # the API's result code last, after the 核对 columns too
    return [*results, *((k, t) for k, t in CONFIRM_COLUMNS if k in wanted), code]


def write_csv(
    header: Sequence[str],
    cells: Iterable[Sequence[str]],
    results: Iterable[dict[str, str]],
    confirms: Iterable[str] = (),
) -> str:
    """The HR file with the results appended, UTF-8 with BOM so that Excel opens the Chinese
    text correctly. Every cell — the file's own too — is neutralised: a file that went through
    the service must not come back with a formula in it."""
    columns = result_columns(confirms)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    width = len(header)
    own_titles = {header_key(t) for t in header}
    titles = [f"{t}（查验）" if header_key(t) in own_titles else t for _, t in columns]
    writer.writerow([neutralise(t) for t in header] + titles)
    for own, result in zip(cells, results, strict=True):
        padded = list(own)[:width] + [""] * (width - len(own))
        writer.writerow(
            [neutralise(c) for c in padded] + [neutralise(result[k]) for k, _ in columns]
        )
    return out.getvalue()
