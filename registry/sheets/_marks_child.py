"""Read a zip workbook's marks (`registry.sheets._zipmarks.sheet_marks`: the rows it hides or
strikes through, the cells it colours away or disguises by a number format …) in a child process
with the limits' memory and time, beside the parse child (`registry.sheets._child.ParseChild`) —
never in the process that asked for the sheet.

There, a hostile review made the pass cost gigabytes and minutes with tiny files: one shared
string of 12,000 runs of distinct near-white colours kept sets of sizes 1 … 12,000 (2.7 GB);
an .ods conditional format of 4,000 ranges × 4,000 conditions ran ten minutes with no look at
the deadline. In a `GuardedChild` (``python -I -S``, RLIMIT_AS and RLIMIT_CPU, killed at the
parent's deadline) such a file costs that child only, and is refused for its formatting
(`registry.sheets._limits.too_complex`). Started as soon as the parent's scan is done, it runs
on a core of its own while python-calamine parses: a register's sync waits for the slower of
the two, not for both. An upload reads no marks (``SheetLimits.marks``) and starts none.
"""

from __future__ import annotations

import dataclasses
import marshal
import os
import selectors
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from registry.sheets._child import GuardedChild
from registry.sheets._limits import SheetLimits, SheetRefused, too_complex
from registry.sheets._marked import Marks
from registry.sheets._zipdirectory import Workbook

WORKER = Path(__file__).with_name("_marks_worker.py")
ROOT = str(Path(__file__).resolve().parent.parent.parent)
"""the folder that holds the ``registry`` package, for a child that runs without ``site``"""
READ_BYTES = 1 << 20


class MarksChild(GuardedChild):
    """The marks of one zip workbook read in a child process: start it, parse, then `marks`."""

    def __init__(
        self, data: bytes, workbook: Workbook, hit: bool, limits: SheetLimits, deadline: float
    ) -> None:
        self.limits = limits
        self.deadline = deadline
        bounds = {field.name: getattr(limits, field.name) for field in dataclasses.fields(limits)}
        left = deadline - time.monotonic()
        job = (bounds, workbook.kind, workbook.sheet, workbook.sheet_bytes, hit, left)
        super().__init__(WORKER, data, limits, ROOT, marshal.dumps(job).hex())

    def marks(self) -> Marks:
        """The workbook's marks, exactly as `sheet_marks` found them; else the `SheetRefused` it
        raised (its message, limit and culprit), or one for the formatting that took the
        child's memory or time (`too_complex`) — or `RuntimeError` when the child could not
        even start (a broken install, not the file)."""
        verdict = self._verdict()
        if verdict[0] == "D":
            return Marks(*verdict[1:])
        if verdict[0] == "X":
            raise SheetRefused(*verdict[1:])
        raise too_complex(self.limits, "memory_bytes")

    def refusal(self) -> SheetRefused | None:
        """The marks' refusal, for a file the parse child refused too: the one the parent used
        to meet first, its pass run before the parse — but for one of time, which the parse
        child's own refusal (of time or another limit) says better."""
        try:
            self.marks()
        except SheetRefused as refused:
            return None if refused.limit == "seconds" else refused
        return None

    def _verdict(self) -> tuple[Any, ...]:
        """What the child sent, read within the deadline (at which it is killed)."""
        assert self._process.stdout is not None
        fd = self._process.stdout.fileno()
        received = bytearray()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while True:
                remaining = self.deadline - time.monotonic()
                if remaining <= 0:
                    self._process.kill()
                    raise too_complex(self.limits, "seconds")
                if not selector.select(remaining):
                    continue
                block = os.read(fd, READ_BYTES)
                if not block:
                    break
                received += block
        try:
            code = self._process.wait(max(0.0, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self._process.kill()
            raise too_complex(self.limits, "seconds") from None
        return self._ended(code, bytes(received))

    def _ended(self, code: int, received: bytes) -> tuple[Any, ...]:
        errors = self.last_words()
        if not received.startswith(b"S"):
            raise RuntimeError(f"the marks worker did not start (exit {code}): {errors}")
        if code == -signal.SIGXCPU:
            raise too_complex(self.limits, "seconds")
        if code < 0 or "MemoryError" in errors or "memory allocation" in errors:
            return ("M",)  # killed (the kernel's OOM killer, an abort) or out of memory
        if code != 0 or len(received) == 1:
            raise RuntimeError(f"the marks worker failed (exit {code}): {errors}")
        verdict: tuple[Any, ...] = marshal.loads(received[1:])
        return verdict
