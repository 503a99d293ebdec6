"""The numbered copy of a roster (`certreg number`), written by a child process under limits.

Writing the copy means opening the clerk's workbook with openpyxl, a full XML parser of every
part. A workbook the guarded reader accepted can still make it fail (a missing or broken part)
or work hard, so — like the reader — it runs in a child process with an address-space and a CPU
limit and a deadline, and whatever goes wrong there is a message, never a traceback or a hang.
"""

from __future__ import annotations

import math
import multiprocessing
import resource
from collections.abc import Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from registry.sheets._limits import REGISTER_LIMITS, SheetLimits, exceeded, unreadable
from registry.sheets.writers import fill_column

WRITE_MEMORY_FACTOR = 2
"""openpyxl keeps every cell as an object: writing needs more room than reading the same sheet."""


def _fill(
    reply: Connection, memory: int, seconds: int, args: tuple[Path, Path, int, dict[int, str]]
) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        fill_column(*args)
    except OSError as exc:
        reply.send(("os", exc.errno, exc.strerror, exc.filename))
    except MemoryError:
        reply.send(("memory",))
    except BaseException as exc:  # openpyxl raises anything from IndexError to ParseError
        reply.send(("unreadable", f"{type(exc).__name__}: {exc}"[:300]))
    else:
        reply.send(("ok",))


def write_numbered_copy(
    source: Path,
    out: Path,
    column: int,
    values: Mapping[int, str],
    limits: SheetLimits = REGISTER_LIMITS,
) -> None:
    """`registry.sheets.writers.fill_column` in a limited child; raises `SheetRefused` (or
    `OSError` for the output file) with the reason."""
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
        return
    if outcome == "os":
        raise OSError(*detail)
    if outcome in ("seconds", "memory"):
        raise exceeded(limits, "seconds" if outcome == "seconds" else "memory_bytes")
    raise unreadable(f"写出编号副本失败（{detail[0]}）")
