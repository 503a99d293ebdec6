"""What a file's numbers and its earlier ``certreg number`` runs say about numbering it now:
the batch (year code) its numbers belong to, and the runs a new numbering would abandon — their
copy not loaded, and not this file (the copy saved back over its source carries them)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from registry.domain.numbers import CertificateNumber, MalformedNumber, parse
from registry.kinds import LAYOUTS
from registry.kinds.roster_cells import NUMBER_COLUMN
from registry.sheets.cells import text
from registry.sheets.table import Table, read_table
from registry.store.certificates import register_of
from registry.store.numbering_runs import UnloadedRun, unloaded_runs
from registry.sync.numbering import Numbering


def written_year_code(path: Path, kind: str) -> str | None:
    """The year code of the numbers ``path`` carries already, when they all share one: the
    batch a file numbered (or loaded) before belongs to, to which rows added to it belong too."""
    codes = {number.year_code for number in _written(read_table(path, LAYOUTS[kind]))}
    return codes.pop() if len(codes) == 1 else None


def _written(table: Table) -> list[CertificateNumber]:
    """The numbers ``table``'s rows carry, read as the sync reads them (Z11-2202-0003 too)."""
    return [number for _, number in _written_rows(table)]


def _written_rows(table: Table) -> list[tuple[int, CertificateNumber]]:
    """(row, number) of each row of ``table`` carrying a well-formed number, in roster order."""
    found = []
    for record in table.records:
        with contextlib.suppress(MalformedNumber):
            if written := text(record.values.get(NUMBER_COLUMN)):
                found.append((record.row, parse(written)))
    return found


def written_gap(conn: sqlite3.Connection, numbering: Numbering) -> str | None:
    """Why a file whose every row has its number, none issued, cannot be loaded as it is: a
    level's numbers skip one (a row deleted after numbering, the later numbers left). Numbering
    it only after its column is cleared mends it; told "无需编号", the clerk had no way on (the
    sync sends a roster with a gap back to ``certreg number``). None when there is no gap."""
    rows = _written_rows(numbering.table)
    if any(register_of(conn, number) is not None for _, number in rows):
        return None  # a roster loaded: its issued numbers never change (§五.(三))
    last: dict[str, tuple[int, CertificateNumber]] = {}
    for row, number in rows:
        before = last.setdefault(number.prefix, (row, number))
        last[number.prefix] = (row, number)
        if number.sequence > before[1].sequence + 1:
            runs = unloaded_runs(conn, str(numbering.table.path.resolve()))
            again = "，加 --again" if any(not run.registered for run in runs) else ""
            return (
                f"{numbering.table.path.name} 中所有行都已有证书编号，但编号跳号：第{before[0]}行"
                f"是 {before[1]}，第{row}行是 {number}，中间的编号空着（如删除了行）。证书编号按"
                "名册顺序、分等级逐号编排，已分配的编号不再重用，不能前移给其他人（附件3 四）："
                f"请先清空本文件的“颁发证书编号”列，再运行 certreg number 重新编号{again}；"
                "原编号作废，不再使用"
            )
    return None


def abandoned_runs(conn: sqlite3.Connection, numbering: Numbering) -> list[UnloadedRun]:
    """The earlier runs on this file, not loaded, none of whose numbers the file carries (it is
    the original again, not their copy saved back, perhaps with a row dropped): numbering it
    again abandons them."""
    carried = [str(number) for number in _written(numbering.table)]
    levels = unloaded_runs(conn, str(numbering.table.path.resolve()))
    # a run is a row per level: it is kept when the file carries, or the registry holds, any
    # level's numbers
    kept = {
        (run.at, run.out)
        for run in levels
        if run.registered or any(run.first <= number <= run.last for number in carried)
    }
    return [run for run in levels if (run.at, run.out) not in kept]
