"""Reading and checking the next registers in worker processes while the sync writes one.

A roster's own checks — reading the file, every cell rule, the numbers' structure — need no
registry and cost more than writing the roster does. A sync of many large registers therefore
runs them (`prepare`) for the registers to come in other processes, while its own process keeps
what must stay in order: the registry checks (a number already given to another holder) and the
write, each register in its own transaction as before. Small syncs stay in one process: starting
workers costs more than it saves.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import signal
import sqlite3
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.domain.problems import Problem
from registry.domain.trades import TradeCatalogue
from registry.kinds import KINDS, read_as
from registry.kinds.base import RegisterEntry
from registry.kinds.cells import cell_problems, set_aside_note, unread_note
from registry.kinds.private_use import private_use_note
from registry.sheets.errors import UnreadableSheet
from registry.sync.lifetime import die_with
from registry.sync.register_files import file_fingerprint

MIN_BYTES = 4 * 1024 * 1024
"""Below this much register data to load, a sync does everything in its own process."""
MAX_WORKERS = 3
"""More would outrun the one process that writes: it applies a register in about half the time
a worker needs to prepare one."""
WORKER_NICENESS = 10


@dataclass(frozen=True)
class Prepared:
    """A register read and checked on its own: its data rows and what its kind's
    ``check_alone`` made of it (None for a register without data rows, which is refused)."""

    rows: int
    data: Any
    fingerprint: str
    """of the file as read, which is what the registry records as loaded"""
    problems: list[Problem] = field(default_factory=list)
    """what every kind refuses in a cell (`registry.kinds.cells.cell_problems`)"""
    notes: list[str] = field(default_factory=list)
    """what the report says of the file without refusing it, quoting its cells or sheet names
    (`registry.kinds.cells.unread_note`, `registry.kinds.cells.set_aside_note`)"""
    shifts: Sequence[tuple[int, int]] = ()
    """a CSV's rows as Excel shows them (`registry.sheets.sheet.Sheet.shifts`)"""


@contextmanager
def cycles_uncollected() -> Iterator[None]:
    """Python's cycle collector paused while one register is read, checked or written.

    A register of 40,000 rows makes a few million small objects — cells, rows, certificates —
    and none of them in a cycle; yet every 700 new ones the collector runs, and now and then it
    walks them all: a fifth of a worker's checking CPU and ~2.5 s of the writer's over a
    million rows (bench/RESULTS.md). Reference counting still frees everything; any cycle
    left is collected once the register is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


NOT_THE_FILES = (sqlite3.Error, MemoryError)
"""Errors of the registry or the machine: they stop the sync, never refuse a file for a
program error it found (`unforeseen`)."""


def unforeseen(exc: Exception) -> str:
    """What a clerk is told of a register whose checking raised what no rule foresaw (a program
    error a hostile file found): the register is refused, the others of the run load, and the
    administrator learns where it happened — not the exception's text, which may quote a cell
    (a holder's name)."""
    package = Path(__file__).resolve().parents[1]  # certreg's own code: registry/
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [frame for frame in frames if Path(frame.filename).resolve().is_relative_to(package)]
    at = ""
    if chosen := ours or frames:  # the innermost frame of certreg's own code
        path = Path(chosen[-1].filename).resolve()
        shown = path.relative_to(package.parent) if path.is_relative_to(package) else path.name
        at = f"，{shown} 第 {chosen[-1].lineno} 行"
    return (
        f"读取或检查此文件时发生了程序未能处理的错误（{type(exc).__name__}{at}），此文件未导入，"
        "其他名册不受影响。请把此文件和这条信息交给系统管理员"
    )


def _identity(path: Path) -> tuple[int, ...] | None:
    """Which file ``path`` is, and when it last changed: a file replaced by another version and
    back again while it was read (A, B, A) has the same bytes before and after — its rows may
    be B's — but not the same inode, nor the same change time."""
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def _still_inside(entry: RegisterEntry) -> None:
    """A manifest's file still in its folder (`registry.sync.manifest.inside` checked it when the
    manifest was read — minutes before, while earlier registers were read). A file swapped for a
    link leading out since is refused: checked before the read, and a swap during it changes the
    file's identity, checked after (a clerk could otherwise have a file only the sync may read
    quoted in the report)."""
    if entry.folder is not None and not entry.path.resolve().is_relative_to(entry.folder.resolve()):
        raise UnreadableSheet(
            "此文件已被换成指向文件夹之外的链接，未读取。请把文件本身放回 registers.toml 所在文件夹"
        )


def prepare(entry: RegisterEntry, catalogue: TradeCatalogue, today: dt.date) -> Prepared:
    """Read ``entry``'s file and run its kind's checks that need no registry.

    Raises `registry.sheets.errors.UnreadableSheet` when the file is not a register, or when it
    changed while it was read (a clerk still saving it): the fingerprint recorded must be that
    of the rows loaded, or a later sync would take the new version for loaded already."""
    kind = KINDS[entry.kind]
    seen = _identity(entry.path)
    _still_inside(entry)
    before = file_fingerprint(entry)
    with cycles_uncollected():
        table = read_as(entry.kind, entry.path)
        try:
            problems = cell_problems(table)
            data = kind.check_alone(table, entry, catalogue, today) if table.records else None
        except NOT_THE_FILES:
            raise
        except Exception as exc:  # in a worker, it would arrive as a traceback holding cells
            raise UnreadableSheet(unforeseen(exc)) from None
    if file_fingerprint(entry) != before or _identity(entry.path) != seen:
        raise UnreadableSheet("文件在读取期间被改动。请等文件保存完毕后重新同步")
    said = (unread_note(table), set_aside_note(table), private_use_note(table))
    notes = [note for note in said if note]
    return Prepared(kind.rows(table), data, before, problems, notes, table.shifts)


def _worker_setup(parent: int) -> None:
    """Lower priority than the writing process, which the others wait for; Ctrl-C is for the
    sync's process, which stops the workers itself; death with the sync's process."""
    die_with(parent)
    os.nice(WORKER_NICENESS)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_workers() -> int:
    """Worker processes for a large sync: none on one core, else up to `MAX_WORKERS`."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 0 if (cores or 1) < 2 else min(cores or 1, MAX_WORKERS)


class Lookahead:
    """Prepares ``entries`` in order, ``workers`` at a time, in worker processes.

    At most ``workers`` registers are prepared ahead of the one the sync takes, so memory stays
    bounded however many registers there are.
    """

    def __init__(
        self,
        entries: Sequence[RegisterEntry],
        catalogue: TradeCatalogue,
        today: dt.date,
        workers: int,
    ) -> None:
        self._waiting = deque(entries)
        self._catalogue = catalogue
        self._today = today
        self._workers = workers
        self._running: dict[int, Future[Prepared]] = {}
        # spawn: clean processes, whatever threads or connections the sync's process holds, and
        # its own children, so their CPU time counts in its resource usage.
        context = multiprocessing.get_context("spawn")
        self._executor = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_worker_setup, initargs=(os.getpid(),)
        )
        self._fill()

    def _fill(self) -> None:
        while self._waiting and len(self._running) < self._workers:
            entry = self._waiting.popleft()
            try:
                future = self._executor.submit(prepare, entry, self._catalogue, self._today)
            except BrokenProcessPool:  # a worker died: the sync prepares the rest itself
                self._waiting.clear()
                return
            self._running[id(entry)] = future

    def take(self, entry: RegisterEntry) -> Callable[[], Prepared] | None:
        """The way to wait for ``entry``'s preparation, or None when the sync is to prepare it
        itself (not asked for, or the workers are gone)."""
        future = self._running.pop(id(entry), None)
        self._fill()
        if future is None:
            return None

        def result() -> Prepared:
            try:
                return future.result()
            except BrokenProcessPool:  # a worker died (killed, out of memory): do it here
                return prepare(entry, self._catalogue, self._today)

        return result

    def close(self) -> None:
        """Stop the workers — deaf to a second Ctrl-C meanwhile: one interrupting the shutdown
        left a worker waiting for work and the sync hanging at exit."""
        main = threading.current_thread() is threading.main_thread()
        before = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            self._executor.shutdown(cancel_futures=True)
        finally:
            if main:
                signal.signal(signal.SIGINT, before)


def lookahead(
    entries: Sequence[RegisterEntry],
    sizes: Sequence[int],
    catalogue: TradeCatalogue,
    today: dt.date,
    workers: int | None,
) -> Lookahead | None:
    """A `Lookahead` over the registers to load, when they are worth the workers.

    ``workers=None`` decides from the machine and the amount of data; a number forces it (0:
    never), which is how the tests run the pipeline on small registers."""
    if workers is None:
        workers = default_workers() if sum(sizes) >= MIN_BYTES and len(entries) > 1 else 0
    return Lookahead(entries, catalogue, today, workers) if workers > 0 and entries else None
