"""The runs of ``certreg number`` in the registry: the numbers each handed out, to whom, and which
of them a roster has loaded since — what keeps two runs, or a run and a roster, from giving one
number twice (附件3 四: numbers are taken in order, never reused)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from registry.domain.name_changes import another_name
from registry.domain.numbers import prefix_of
from registry.store.writes import tables


@dataclass(frozen=True)
class NumberingRun:
    """One level's numbers handed out by one ``certreg number`` run."""

    at: str
    operator: str
    file: str
    out: str
    kind: str
    authority: str
    letter: str
    year_code: str
    region: str
    first_sequence: int
    last_sequence: int
    count: int


def record_numbering(conn: sqlite3.Connection, runs: Sequence[NumberingRun]) -> None:
    """Keep a numbering run, so two runs before a sync never hand out the same number twice."""
    tables(conn).table("numbering").insert_all(asdict(run) for run in runs)


def highest_sequence(conn: sqlite3.Connection, letter: str, year_code: str, region: str) -> int:
    """The highest sequence used for a letter/year/region in the registry or a numbering run.
    A number handed out is never handed out again, loaded or not: a copy that shows it may be
    on someone's desk (a row dropped before loading, a file numbered again, leave a gap)."""
    prefix = f"{letter}{year_code}{region}"
    # the run's last number, not max(sequence) over it: the sequence is the number's zero-padded
    # end, and max() read every certificate of the run (a few ms each call, once per 换发)
    row = conn.execute(
        "SELECT max(s) FROM (SELECT * FROM (SELECT sequence AS s FROM certificates"
        " WHERE number >= ? AND number < ? ORDER BY number DESC LIMIT 1)"
        " UNION ALL SELECT max(last_sequence) FROM numbering WHERE letter = ? AND"
        " year_code = ? AND region = ?)",
        (prefix, prefix + "~", letter, year_code, region),
    ).fetchone()
    return int(row[0] or 0)


@dataclass(frozen=True)
class UnloadedRun:
    """One level's numbers a numbering run gave a file (a run is a row per level: the same
    ``at`` and ``out``), and whether any of them is registered."""

    id: int
    at: str
    out: str
    first: str
    last: str
    registered: bool


def unloaded_runs(conn: sqlite3.Connection, file: str) -> list[UnloadedRun]:
    """The numbering runs' levels of ``file`` (its resolved path) that no later run was told to
    abandon (``certreg number --again``), in order."""
    number = "printf('%s%s%s%04d', n.letter, n.year_code, n.region, n.{})"
    first, last = number.format("first_sequence"), number.format("last_sequence")
    return [
        UnloadedRun(id, at, out, low, high, bool(registered))
        for id, at, out, low, high, registered in conn.execute(
            f"SELECT n.id, n.at, n.out, {first}, {last}, EXISTS (SELECT 1 FROM certificates c"
            f" WHERE c.number BETWEEN {first} AND {last}) FROM numbering n WHERE n.file = ?"
            " AND n.abandoned IS NULL ORDER BY n.id",
            (file,),
        )
    ]


def abandon_runs(conn: sqlite3.Connection, runs: Sequence[UnloadedRun], at: str) -> None:
    """Mark ``runs`` abandoned by a new run of their file (their numbers stay spoken for)."""
    conn.executemany(
        "UPDATE numbering SET abandoned = ? WHERE id = ?", [(at, run.id) for run in runs]
    )


def record_numbered_holders(
    conn: sqlite3.Connection, holders: Sequence[tuple[str, str]], file: str, copy: str
) -> None:
    """Keep whom a run gave each number to: (number, holder's name key), from ``file`` into
    its numbered ``copy`` (file names)."""
    conn.executemany(
        "INSERT INTO numbered_holders (number, name_key, file, copy) VALUES (?, ?, ?, ?)",
        [(number, key, file, copy) for number, key in holders],
    )


def handed_out_prefixes(conn: sqlite3.Connection) -> set[str]:
    """The prefixes (letter, year code, region) numbering runs handed numbers out in: a few a
    year, so a roster of none of them skips the per-number check."""
    return {
        prefix
        for (prefix,) in conn.execute(
            "SELECT DISTINCT letter || year_code || region FROM numbering"
        )
    }


def given_to_another(
    conn: sqlite3.Connection, rows: Sequence[tuple[str, str, int]], register: str
) -> list[tuple[int, str, str, str, str]]:
    """Of ``rows`` (number, name key, row) of the register file ``register``, those whose
    number a run gave to another holder and that is not registered yet: (row, number, the
    run's file, its copy, the number the run gave this row's holder or ''), in row order. The
    run's numbered copy, by name, may correct a holder's name — a name mis-written, not
    another name altogether (`another_name`: an auditor's review found 王强's number loaded for
    刘美丽, the copy's row retyped) —, and not give a holder another's number (its rows swapped,
    a name typed on the wrong row): this row's name is the one the run gave another number,
    whose row the name has left (a namesake keeps their own)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS roster_numbers (number, name_key, source_row)")
    conn.execute("CREATE INDEX IF NOT EXISTS temp.roster_numbers_number ON roster_numbers (number)")
    conn.execute("DELETE FROM roster_numbers")
    conn.executemany("INSERT INTO roster_numbers VALUES (?, ?, ?)", rows)
    found = conn.execute(
        "SELECT * FROM (SELECT r.source_row, r.number, h.file, coalesce(h.copy, '') AS copy,"
        " coalesce((SELECT min(o.number) FROM numbered_holders o WHERE o.copy = h.copy"
        " AND o.name_key = r.name_key AND o.number <> r.number AND NOT EXISTS"
        " (SELECT 1 FROM roster_numbers k WHERE k.number = o.number AND k.name_key = o.name_key)"
        "), '') AS theirs, h.name_key AS given, r.name_key AS written"
        " FROM roster_numbers r"
        " JOIN numbered_holders h ON h.number = r.number AND h.name_key <> r.name_key"
        " WHERE NOT EXISTS (SELECT 1 FROM certificates c WHERE c.number = r.number))"
        " ORDER BY source_row"
    ).fetchall()
    conn.execute("DELETE FROM roster_numbers")
    return [
        (row, number, file, copy, theirs)
        for row, number, file, copy, theirs, given, written in found
        if copy != register or theirs or another_name(given, written)
    ]


def open_run_of(
    conn: sqlite3.Connection, letter: str, year_code: str, region: str, sequence: int
) -> str | None:
    """The file a numbering run handed ``sequence`` out to, if any."""
    row = conn.execute(
        "SELECT file FROM numbering WHERE letter = ? AND year_code = ? AND region = ?"
        " AND ? BETWEEN first_sequence AND last_sequence ORDER BY id LIMIT 1",
        (letter, year_code, region, sequence),
    ).fetchone()
    return None if row is None else str(row[0])


def runs_handing_out(conn: sqlite3.Connection, numbers: Iterable[str]) -> list[tuple[str, str]]:
    """The (first, last) numbers of each numbering run's level that handed out any of
    ``numbers`` (well-formed), in number order: a roster numbered by ``certreg number``, whose
    numbers are never handed out again — a row removed from it is mended by numbering it again,
    not by moving the later numbers up onto other holders."""
    sequences: dict[str, set[int]] = {}
    for number in numbers:
        prefix = prefix_of(number)
        sequences.setdefault(prefix, set()).add(int(number[len(prefix) :]))
    spans = set()
    for prefix, held in sequences.items():
        low, high = min(held), max(held)
        for first, last in conn.execute(
            "SELECT first_sequence, last_sequence FROM numbering WHERE letter || year_code ||"
            " region = ? AND first_sequence <= ? AND last_sequence >= ?",
            (prefix, high, low),
        ):
            if any(first <= sequence <= last for sequence in held):
                spans.add((f"{prefix}{first:04d}", f"{prefix}{last:04d}"))
    return sorted(spans)
