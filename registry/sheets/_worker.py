"""The child process that runs python-calamine on one untrusted workbook (`registry.sheets.guard`).

Run as ``python -I -S _worker.py SITE_DIRS FD MEMORY_BYTES SECONDS MAX_ROWS MAX_COLUMNS MARKS``:
the workbook is the open file ``FD``; ``SITE_DIRS`` are the folders (``os.pathsep``-separated)
that hold ``python_calamine`` and ``xlrd`` (``-S`` skips ``site``, which alone costs more than
the rest of the start-up, 20 ms of an editable install's path hooks); ``MARKS`` 1 reads an
.xls's hidden and struck rows. The address space is limited before calamine is imported, so
whatever the file does — a dense range of 2**34 cells, a decompression bomb, a panic — only
this process dies.

Stdout carries frames: one kind byte, an 8-byte little-endian length, a `marshal` payload.
``S`` started; ``R`` a chunk of rows ``(rows, dates)``; ``X`` refused ``(reason, *details)``
(``hidden``: the first sheet is hidden; ``others``: later visible sheets hold what could be
a register's rows too; ``empty``: only later ones hold anything; ``notes``: the first holds
only notes, later ones could hold rows; ``unmarked``: an .xls whose hidden and struck rows
cannot be read); ``D`` done ``(height, merged ranges of more than one cell, hidden rows, struck
rows, hidden columns, disguised cells, unseen cells, rows and cells of formulas saved without
their results, date cells by their number format, notes sheets)``, the eight marks of an .xls
only (an .xlsx's or .ods's a child of their own reads, `registry.sheets._marks_child`), the
notes sheets as ``(name, filled rows)``.

This module imports only the standard library, python_calamine and (for an .xls) xlrd — and,
by their paths, the standard-library modules that read number formats and colours — and
nothing from ``registry`` by name: it runs without ``site`` and must start fast.
"""

from __future__ import annotations

import io
import itertools
import marshal
import os
import resource
import struct
import sys
import unicodedata

TYPE_CHECKING = False  # `typing` alone would double the start-up time; mypy honours the name
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

FRAME = struct.Struct("<cQ")
MAX_MERGED = 10_000
"""merged ranges reported: enough for any register, bounded for any file"""
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""how an .xls (a BIFF workbook in an OLE file) starts"""
CHUNK_CELLS = 32_768
"""cells per ``R`` frame: small enough that the parent unpacks one chunk while the next is built"""
NOTE_ROWS = 100
NOTE_CELLS = 3
"""A later sheet of at most `NOTE_ROWS` filled rows of at most `NOTE_CELLS` cells each, all of
them text but for an item's number in the first column, none a certificate number, holds notes
(a 填表说明), not a register's rows: a row of any register holds a number, a date or a
certificate number beyond its first column (a 申领计划表 row: a unit and its quantities)."""
XLS_MARKS = 8
"""the marks of an .xls a ``D`` frame carries (`registry.sheets._xls_marks.xls_marks`)"""
LEVEL_LETTERS = "JGZCjgzc"
"""the first character of a certificate number (附件3), as `registry.domain.levels` has them"""


def send(out: io.BufferedWriter, kind: bytes, payload: Any) -> None:
    frame(out, kind, marshal.dumps(payload))


def frame(out: io.BufferedWriter, kind: bytes, body: bytes) -> None:
    out.write(FRAME.pack(kind, len(body)))
    out.write(body)
    out.flush()


def encode(rows: list[list[Any]]) -> bytes:
    """``(rows, dates)`` marshalled. `marshal` has no dates: they travel as ``(row, column, type
    index, constructor arguments)`` in ``dates``, which stays empty for a sheet without."""
    try:
        return marshal.dumps((rows, []))
    except ValueError:
        pass
    import datetime as dt  # only now: most registers hold dates as text

    temporal = (dt.datetime, dt.date, dt.time, dt.timedelta)  # datetime before its base, date
    dates: list[tuple[Any, ...]] = []
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if isinstance(cell, temporal):
                kind = next(k for k, t in enumerate(temporal) if isinstance(cell, t))
                dates.append((i, j, kind, cell.__reduce__()[1]))
                row[j] = ""
    return marshal.dumps((rows, dates))


def chunks(rows: Iterator[list[Any]], size: int, pad: int) -> Iterator[list[list[Any]]]:
    chunk: list[list[Any]] = []
    padding: list[Any] = [""] * pad
    for row in rows:
        chunk.append(padding + row if pad else row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def later_sheets(
    workbook: Any, calamine: Any, max_rows: int, max_columns: int
) -> tuple[list[str], list[tuple[str, int]]]:
    """The visible sheets after the first that could hold a register's rows (their names, up to
    three), and those that hold only notes (name and filled rows, up to three). Only the first
    sheet is read, so a roster split over sheets would load in part; a 填表说明 after it is no
    part of it. Empty sheets (Excel's Sheet2, Sheet3) and hidden ones (a drop-down's list of
    trades) are neither."""
    rows: list[str] = []
    notes: list[tuple[str, int]] = []
    for index, meta in enumerate(workbook.sheets_metadata[1:], start=1):
        if meta.visible != calamine.SheetVisibleEnum.Visible:
            continue
        sheet = workbook.get_sheet_by_index(index)
        if sheet.end is None:
            continue
        height, width = sheet.end[0] + 1, sheet.end[1] + 1
        filled = None if height > max_rows or width > max_columns else notes_only(sheet)
        if filled is None:
            rows.append(meta.name[:100])
        elif filled and len(notes) < 3:
            notes.append((meta.name[:100], filled))
        if len(rows) == 3:
            break
    return rows, notes


def notes_only(sheet: Any) -> int | None:
    """How many rows of ``sheet`` hold a value, if it holds only notes (`NOTE_ROWS`); else None."""
    filled = 0
    for row in sheet.iter_rows():
        cells = [cell for cell in row if cell != ""]
        if not cells:
            continue
        filled += 1
        if filled > NOTE_ROWS or len(cells) > NOTE_CELLS or any(map(numbered, cells)):
            return None
        if any(not isinstance(cell, str) or cell.strip().isdigit() for cell in cells[1:]):
            return None  # a quantity, a date, a count: data, whatever its column says
    return filled


def numbered(cell: object) -> bool:
    """Whether ``cell`` starts with a certificate number as people write it (附件3: a letter and
    ten digits; full-width, spaced or dashed, a note after it: ``g-1122 000002（原件已验）``)."""
    if not isinstance(cell, str):
        return False
    text = "".join(unicodedata.normalize("NFKC", cell).split()).replace("-", "")
    return len(text) >= 11 and text[0] in LEVEL_LETTERS and text[1:11].isdigit()


def merged_ranges(sheet: Any) -> list[tuple[int, int, int, int]]:
    """The merged ranges of more than one cell, 0-based ``(first row, first column, last row,
    last column)``, at most `MAX_MERGED`: python-calamine reads such a range's value into its
    first cell only, so the rows below, or the columns beside, look empty to whoever reads the
    cells."""
    ranges = sheet.merged_cell_ranges or []
    found = [(a[0], a[1], b[0], b[1]) for a, b in ranges if b[0] > a[0] or b[1] > a[1]]
    return found[:MAX_MERGED]


def _ours(name: str) -> Any:
    """One of our modules that import nothing of ours, loaded by its path: this process
    imports nothing of ours by name (`registry.sheets._xls_marks` and its helpers)."""
    import importlib.util

    path = os.path.join(os.path.dirname(__file__), f"{name}.py")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


def not_read_alone(
    sheet: Any, name: str, others: list[str], notes: list[tuple[str, int]]
) -> tuple[str, ...] | None:
    """The refusal of a first sheet that is not the whole of the workbook: ``empty`` when it is
    empty and later sheets are not, ``notes`` when it holds only notes (a 填表说明 put first)
    and later sheets could hold rows, ``others`` when it could hold rows and they too."""
    if not (others or notes):
        return None
    if sheet.end is None or all(c == "" for row in sheet.iter_rows() for c in row):
        return ("empty", name, *others, *(n for n, _ in notes))
    if others and notes_only(sheet):
        return ("notes", name, *others)
    return ("others", name, *others) if others else None


def main(argv: list[str]) -> None:
    site, fd, memory, seconds, max_rows, max_columns, marked = argv[1], *map(int, argv[2:8])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # the parent kills us at its deadline; these hold should the parent itself be gone
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort writes no core file
    sys.path[:0] = site.split(os.pathsep)
    import python_calamine

    out = sys.stdout.buffer
    assert isinstance(out, io.BufferedWriter)
    send(out, b"S", None)
    with open(fd, "rb") as handle:
        data = handle.read()
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        meta = workbook.sheets_metadata[0]
        if meta.visible != python_calamine.SheetVisibleEnum.Visible:
            send(out, b"X", ("hidden", meta.name[:100]))
            return
        others, notes = later_sheets(workbook, python_calamine, max_rows, max_columns)
        sheet = workbook.get_sheet_by_index(0)
        refused = not_read_alone(sheet, meta.name[:100], others, notes)
        if refused:
            send(out, b"X", refused)
            return
        # the padded shape that to_python(skip_empty_area=False) would build
        height = sheet.end[0] + 1 if sheet.end else 0
        width = sheet.end[1] + 1 if sheet.end else 0
        if height > max_rows or width > max_columns:
            send(out, b"X", ("shape", height, width))
            return
        # iter_rows pads the empty rows above the data, not the empty columns to its left
        rows = sheet.iter_rows()
        first = next(rows, None)
        if first is None:
            send(out, b"D", (0, [], *([] for _ in range(XLS_MARKS)), notes))
            return
        pad = width - len(first)
        size = max(1, CHUNK_CELLS // max(width, 1))
        for chunk in chunks(itertools.chain([first], rows), size, pad):
            frame(out, b"R", encode(chunk))
        marks: tuple[list[object], ...] = tuple([] for _ in range(XLS_MARKS))
        if marked and data.startswith(OLE_MAGIC):
            try:
                formats, colours = _ours("_number_formats"), _ours("_colours")
                marks = _ours("_xls_marks").xls_marks(data, height, width, formats, colours)
            except MemoryError:
                raise
            except Exception as exc:  # xlrd cannot read what python-calamine could
                send(out, b"X", ("unmarked", f"{type(exc).__name__}: {exc}"[:300]))
                return
        send(out, b"D", (height, merged_ranges(sheet), *marks, notes))
    except MemoryError:
        send(out, b"X", ("memory",))
    except BaseException as exc:  # calamine raises unrelated types, and a panic is no Exception
        send(out, b"X", ("unreadable", f"{type(exc).__name__}: {exc}"[:300]))


if __name__ == "__main__":
    main(sys.argv)
    os._exit(0)  # skip the interpreter's teardown of the parsed workbook
