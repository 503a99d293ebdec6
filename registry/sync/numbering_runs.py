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
from registry.store.numbering_runs import UnloadedRun, unloaded_runs
from registry.sync.numbering import Numbering


def written_year_code(path: Path, kind: str) -> str | None:
    """The year code of the numbers ``path`` carries already, when they all share one: the
    batch a file numbered (or loaded) before belongs to, to which rows added to it belong too."""
    codes = {number.year_code for number in _written(read_table(path, LAYOUTS[kind]))}
    return codes.pop() if len(codes) == 1 else None


def _written(table: Table) -> list[CertificateNumber]:
    """The numbers ``table``'s rows carry, read as the sync reads them (Z11-2202-0003 too)."""
    found = []
    for record in table.records:
        with contextlib.suppress(MalformedNumber):
            if written := text(record.values.get(NUMBER_COLUMN)):
                found.append(parse(written))
    return found


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
