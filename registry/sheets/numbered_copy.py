"""The numbered copy of a roster (`certreg number`), written by a child process under limits.

Writing the copy means opening the clerk's workbook with openpyxl, a full XML parser of every
part. A workbook the guarded reader accepted can still make it fail (a missing or broken part)
or work hard, so — like the reader — it runs in a child process with an address-space and a CPU
limit and a deadline, and whatever goes wrong there is a message, never a traceback or a hang.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import glob
import math
import multiprocessing
import os
import resource
import secrets
import time
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from registry.domain.os_reasons import reason
from registry.sheets._limits import REGISTER_LIMITS, SheetLimits, exceeded, unreadable
from registry.sheets.encoding import csv_records, decode, delimiter

WRITE_MEMORY_FACTOR = 3
"""openpyxl keeps every cell as an object, and the workbook is read twice (formulas and their
saved values): writing needs more room than reading the same sheet."""
PICTURE_PARTS = ("xl/media/", "xl/drawings/", "xl/charts/")


@dataclass(frozen=True)
class CopyNotes:
    """What the copy could not keep as it was, for the clerk to know."""

    formulas: int = 0
    """formula cells written as the value Excel/WPS saved with them: the sync reads the saved
    value, and openpyxl saves a formula without one, which would have read as empty"""
    pictures: bool = False
    """the source has pictures, drawings or charts (a stamp, photos), which openpyxl drops"""


def fill_column(source: Path, out: Path, column: int, values: Mapping[int, str]) -> CopyNotes:
    """Write ``out``: ``source`` with ``values`` (spreadsheet row → text) put in the 0-based
    ``column``, same format, title, merged header and footer."""
    if source.suffix.lower() == ".csv":
        text, encoding = decode(source.read_bytes())
        separator = delimiter(source.name, text)  # a tab-separated .csv stays one
        rows = []
        for row, cells in csv_records(text, separator):  # rows as `guard` counts them
            value = values.get(row)
            if value:
                cells += [""] * (column + 1 - len(cells))
                cells[column] = value
            rows.append(cells)
        with out.open("w", encoding=encoding, newline="") as handle:
            csv.writer(handle, delimiter=separator).writerows(rows)
        return CopyNotes()
    import openpyxl  # only for this command: the sync never writes workbooks

    workbook = openpyxl.load_workbook(source)
    sheet = workbook.worksheets[0]
    saved = openpyxl.load_workbook(source, data_only=True).worksheets[0]
    formulas = 0
    for cells in sheet.iter_rows():
        for cell in cells:
            if cell.data_type == "f":
                value = saved.cell(row=cell.row, column=cell.column).value
                if value is not None:
                    cell.value = value
                    formulas += 1
    for row, value in values.items():
        sheet.cell(row=row, column=column + 1).value = value
    workbook.save(out)
    with zipfile.ZipFile(source) as archive:
        pictures = any(name.startswith(PICTURE_PARTS) for name in archive.namelist())
    return CopyNotes(formulas, pictures)


def _fill(
    reply: Connection, memory: int, seconds: int, args: tuple[Path, Path, int, dict[int, str]]
) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        notes = fill_column(*args)
    except OSError as exc:
        reply.send(("os", exc.errno, exc.strerror, exc.filename))
    except MemoryError:
        reply.send(("memory",))
    except BaseException as exc:  # openpyxl raises anything from IndexError to ParseError
        reply.send(("unreadable", f"{type(exc).__name__}: {exc}"[:300]))
    else:
        reply.send(("ok", notes.formulas, notes.pictures))


@contextmanager
def numbered_copy(
    source: Path,
    out: Path,
    column: int,
    values: Mapping[int, str],
    limits: SheetLimits = REGISTER_LIMITS,
) -> Iterator[CopyNotes]:
    """`fill_column` in a limited child; raises `SheetRefused` (or `OSError` for the output
    file, `FileExistsError` when ``out`` exists) with the reason.

    Written to a hidden file beside ``out``, which gets ``out``'s name when the ``with`` block
    ends without an exception — after the caller has recorded the copy's numbers as handed
    out: a copy whose numbers were not recorded (a run killed in between) would let the next
    run hand them out again. A copy stopped half-way (Ctrl-C, a full disk, the child's limits)
    leaves nothing under the name a clerk would load, and a file of that name — made
    meanwhile by another program — is never replaced: the copy, its numbers recorded, is then
    kept under its hidden name (`CopyNotNamed`). A part a killed run (``kill -9``) left is
    removed by a later run once it is an hour old (a run beside it may still be writing its
    own)."""
    _remove_stale_parts(out)
    partial = out.with_name(f".{out.name}.{secrets.token_hex(4)}{PART}{out.suffix}")
    kept = False
    try:
        notes = _write(source, partial, column, values, limits)
        if out.exists() or out.is_symlink():  # made meanwhile: before anything is recorded
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(out))
        yield notes
        try:
            _claim(partial, out)
        except OSError as exc:
            kept = True
            raise CopyNotNamed(partial, reason(exc)) from exc
    finally:
        if not kept:
            partial.unlink(missing_ok=True)


PART = ".partial"
"""What the hidden name of a copy being written ends with, before its suffix."""
STALE_SECONDS = 3600


class CopyNotNamed(Exception):
    """A whole copy, its numbers recorded, that could not be given its name: kept at ``path``."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


def _remove_stale_parts(out: Path) -> None:
    """Remove the hidden parts of ``out`` older than `STALE_SECONDS`: left by a killed run."""
    now = time.time()
    for part in out.parent.glob(f".{glob.escape(out.name)}.*{PART}{out.suffix}"):
        with contextlib.suppress(OSError):
            if now - part.stat().st_mtime > STALE_SECONDS:
                part.unlink()


def _claim(partial: Path, out: Path) -> None:
    """Give ``partial`` the name ``out`` unless a file has it: a hard link fails when one has;
    a file system without hard links (a FAT USB stick) is renamed onto, after a last look."""
    try:
        os.link(partial, out)
    except FileExistsError:
        raise
    except OSError:
        if out.exists() or out.is_symlink():
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(out)) from None
        os.replace(partial, out)


def _write(
    source: Path, out: Path, column: int, values: Mapping[int, str], limits: SheetLimits
) -> CopyNotes:
    memory = limits.memory_bytes * WRITE_MEMORY_FACTOR
    context = multiprocessing.get_context("spawn")
    receive, reply = context.Pipe(duplex=False)
    args = (source, out, column, dict(values))
    child = context.Process(
        target=_fill, args=(reply, memory, math.ceil(limits.seconds), args), daemon=True
    )
    child.start()
    reply.close()
    verdict: tuple[Any, ...]
    try:
        verdict = receive.recv() if receive.poll(limits.seconds) else ("seconds",)
    except EOFError:  # the child died without a word: killed at its memory or CPU limit
        verdict = ("memory",)
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    outcome, *detail = verdict
    if outcome == "ok":
        return CopyNotes(*detail)
    if outcome == "os":
        raise OSError(*detail)
    if outcome in ("seconds", "memory"):
        raise exceeded(limits, "seconds" if outcome == "seconds" else "memory_bytes")
    raise unreadable(f"写出编号副本失败（{detail[0]}）")
