"""The problem lists a sync writes: every problem (and conflict) of a register as a CSV beside
it, where the clerk looks, when the report cannot print them all (`registry.sync.report`) or
must not (``--brief``, `registry.sync.report_json`); and the lists of an earlier sync, removed
once they tell of problems fixed.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from registry.domain.text import visible
from registry.sheets.formulas import as_text, neutralise
from registry.sync.outcome import UNCHANGED, Outcome

PROBLEM_LISTS = ".问题清单.csv"
"""The suffix of the problem list a sync writes beside a register (`write_problem_list`)."""


def problems_csv(outcome: Outcome) -> str:
    """Every problem of a register as CSV (UTF-8 with BOM, so Excel opens the Chinese)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["文件", "行", "列", "值", "问题", "依据"])
    for p in (*outcome.problems, *outcome.conflicts):
        cells = [
            outcome.entry.key,
            f"{p.row}（用 Excel 打开是第{p.excel_row}行）" if p.excel_row else p.row or "",
            p.column or "",
            p.value or "",
            p.rule,
            p.clause or "",
        ]
        # the value as the clerk wrote it: 1982-07 not a date, 2008.10 not 2008.1
        writer.writerow([as_text(neutralise(visible(str(cell)))) for cell in cells])
    return out.getvalue()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _beside(register: Path) -> Path:
    """Where a register's problem list goes, when its folder can be written."""
    return register.with_name(f"{register.name}{PROBLEM_LISTS}")


def write_problem_list(outcome: Outcome, spare: Path | None = None) -> Path | None:
    """The full list of a register's problems, beside the register — where the clerk looks —
    or, when that folder cannot be written, in ``spare`` (the registry's folder, which a sync
    always may write and which outlives it, unlike a service's private temporary folder), or
    the temporary folder; returns where, or None when none can be written: the report must
    still be printed.

    Written to a new file and renamed over the name: a link planted under that name in the
    register's folder is replaced, never followed to overwrite the file it points to."""
    data = problems_csv(outcome).encode("utf-8")
    beside = _beside(outcome.entry.path).name
    # elsewhere, named by the register's key: 2012/a.csv and 2013/a.csv must not share a list
    apart = f"{outcome.entry.key.replace('/', '_')}{PROBLEM_LISTS}"
    folders: list[tuple[Callable[[], Path], str]] = [
        (lambda: outcome.entry.path.parent, beside),
        *([(lambda: spare, apart)] if spare else []),
        (lambda: Path(tempfile.gettempdir()), apart),  # raises when none is writable
    ]
    for where, name in folders:
        try:
            folder = where()
            with tempfile.NamedTemporaryFile(dir=folder, suffix=".csv", delete=False) as handle:
                handle.write(data)
            os.chmod(handle.name, 0o666 & ~_umask())  # as an ordinary new file, not 0600
            path = folder / name
            os.replace(handle.name, path)
            return path
        except OSError:
            continue
    return None


def discard_problem_lists(outcomes: Sequence[Outcome]) -> None:
    """Remove the lists an earlier sync wrote beside the registers (`write_problem_list`)
    before this run's report writes its own: left beside a register that has since loaded (or
    has its few problems in the report), a list tells the clerk of problems fixed. Never a file
    the run read as a register, whatever its name.

    A register loaded with conflicts and unchanged since keeps its list: its conflicts stand,
    and the report of a scheduled run (``--brief``) named that file as where they are — the
    next night's run, reading nothing new, would have left them listed nowhere in the folder.
    Unless the register was put there after the list was written: restored to the loaded
    version after a refused one, the folder would hold the refused version's problems."""
    registers = {outcome.entry.path for outcome in outcomes}
    for outcome in outcomes:
        listed = _beside(outcome.entry.path)
        if listed in registers or (
            outcome.outcome == UNCHANGED
            and outcome.sync_id is None  # the file skipped; one read anew has no conflict
            and _written_since(listed, outcome.entry.path)
        ):
            continue
        with contextlib.suppress(OSError):
            listed.unlink()


def _written_since(listed: Path, register: Path) -> bool:
    """Whether a problem list was written after its register file was last put there — by its
    change time, which a copy keeping the file's times (``cp -p``, a backup) moves too."""
    try:
        return listed.stat().st_mtime_ns > register.stat().st_ctime_ns
    except OSError:
        return False
