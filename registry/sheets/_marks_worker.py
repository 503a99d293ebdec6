"""The child process that reads one zip workbook's marks (`registry.sheets._zipmarks.sheet_marks`)
for `registry.sheets._marks_child`.

Run as ``python -I -S _marks_worker.py ROOT FD MEMORY_BYTES CPU_SECONDS JOB``: the workbook is
the open file ``FD``; ``ROOT`` the folder that holds the ``registry`` package, put first on
``sys.path`` (``-I`` ignores ``PYTHONPATH``, ``-S`` skips ``site``); ``JOB`` the hex of a
marshalled ``(limits' fields, kind, sheet part, its size, probe hit, seconds left)``. The
address space and CPU time are limited before anything of ours is imported: a hostile file's
styles, shared strings and sheet make the passes cost gigabytes and minutes (one shared string
of 12,000 runs of near-white colours took 2.7 GB), and only this process is to pay.

Stdout carries ``S`` once started, then one `marshal`-ed verdict: ``("D", Marks' fields in
their order)``; ``("X", message, limit, where)`` for a `SheetRefused`; ``("M",)`` out of
memory. Anything else raised is a fault of ours: its traceback goes to stderr, for the parent
to quote. ``registry.sheets._zipmarks`` and what it imports need only the standard library.
"""

from __future__ import annotations

import io
import marshal
import os
import resource
import sys
import time
import zipfile

TYPE_CHECKING = False  # `typing` alone would slow the start-up; mypy honours the name
if TYPE_CHECKING:
    from typing import Any


def verdict(data: bytes, job: tuple[Any, ...]) -> tuple[Any, ...]:
    """What the marks' pass makes of the workbook ``data``: ``D`` and the fields of its
    `registry.sheets._marked.Marks`, or ``X`` and the `SheetRefused` it raised."""
    from dataclasses import fields as of

    from registry.sheets._limits import SheetLimits, SheetRefused
    from registry.sheets._zipdirectory import Workbook
    from registry.sheets._zipmarks import sheet_marks

    bounds, kind, sheet, size, hit, seconds = job
    deadline = time.monotonic() + seconds
    limits = SheetLimits(**bounds)
    workbook = Workbook(zipfile.ZipFile(io.BytesIO(data)), kind, sheet, size)
    try:
        marks = sheet_marks(workbook, hit, limits, deadline)
    except SheetRefused as refused:
        return ("X", str(refused), refused.limit, refused.where)
    return ("D", *(getattr(marks, field.name) for field in of(marks)))


def main(argv: list[str]) -> None:
    root, fd, memory, seconds, job = argv[1], *map(int, argv[2:5]), argv[5]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # the parent kills us at its deadline; these hold should the parent itself be gone
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.path.insert(0, root)
    import registry.sheets._zipmarks  # noqa: F401  (a broken install: no ``S``, our fault)

    out = sys.stdout.buffer
    out.write(b"S")
    out.flush()
    with open(fd, "rb") as handle:
        data = handle.read()
    try:
        answer = verdict(data, marshal.loads(bytes.fromhex(job)))
    except MemoryError:
        answer = ("M",)  # (what the pass built is gone by now: the verdict can be sent)
    out.write(marshal.dumps(answer))
    out.flush()


if __name__ == "__main__":
    main(sys.argv)
    os._exit(0)  # skip the interpreter's teardown of what the pass built
