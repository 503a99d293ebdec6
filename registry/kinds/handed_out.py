"""Numbers ``certreg number`` handed out (附件3 四): taken from the moment they are handed out,
loaded or not — the numbered copy that shows them may still be on a clerk's desk. Another file
that uses one (a number typed by hand into a roster, a 新证书编号) would take it from the
holder the copy gives it to, whose roster the sync would then refuse."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from pathlib import PurePath

from registry.domain.numbers import parse, prefix_of
from registry.domain.problems import Problem
from registry.kinds.base import RegisterEntry
from registry.kinds.roster_cells import NUMBER_COLUMN
from registry.kinds.roster_rows import RosterResult
from registry.store.syncs import handed_out, highest_sequence


def handed_out_rule(file: str, use: str, free: str) -> str:
    """Why a number handed out to ``file`` cannot be used here, and the next one free."""
    return (
        f"该编号已由 certreg number 分配给名册“{PurePath(file).name}”（编号一经分配不再重用），"
        f"不能{use}；下一个可用的编号是 {free}"
    )


def handed_out_elsewhere(
    conn: sqlite3.Connection, result: RosterResult, entry: RegisterEntry
) -> list[Problem]:
    """A roster row whose number a numbering run handed out to another file. A run belongs to
    this register when its source or its numbered copy has the register's file name (a register
    is known by its file name: the copy may have been moved into the registers' folder)."""
    name = PurePath(entry.key).name
    runs: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for prefix, first, last, file, out in handed_out(conn):
        if name not in (PurePath(file).name, PurePath(out).name):
            runs[prefix].append((first, last, file))
    if not runs:
        return []
    found = []
    for row, written, number in result.numbers:
        candidates = runs.get(prefix_of(number))
        if not candidates:
            continue
        parsed = parse(number)
        owner = next((f for a, b, f in candidates if a <= parsed.sequence <= b), None)
        if (
            owner is None
            or conn.execute("SELECT 1 FROM certificates WHERE number = ?", (number,)).fetchone()
        ):
            continue  # a number registered already is the holdings check's business
        highest = highest_sequence(conn, parsed.letter, parsed.year_code, parsed.region)
        free = str(parsed._replace(sequence=highest + 1))
        rule = handed_out_rule(owner, "手工填入本名册（请用 certreg number 为本名册编号）", free)
        found.append(Problem(row, NUMBER_COLUMN, written, rule, "附件3"))
    return found
