"""The sync history: one ``syncs`` row per attempt to load a register (loaded or rejected) with its
``problems``, the version of each register loaded (``registers``), and the ``numbering`` runs.
Staff and auditors read these in Datasette; the sync reads them to skip what it loaded already."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

from registry.domain.problems import Problem
from registry.domain.registers import CERTIFICATE_KINDS, sql_list
from registry.domain.text import visible
from registry.store.writes import Applied, tables

ERROR = "error"
CONFLICT = "conflict"
SEVERITY_LABELS = {ERROR: "错误", CONFLICT: "冲突"}
"""A problem's kind: an error rejected the register, a conflict is for staff to look at."""


@dataclass
class Attempt:
    """One attempt to load a register, as the history records it."""

    register: str
    file: str
    kind: str
    fingerprint: str
    outcome: str
    rows: int
    operator: str
    problems: Sequence[Problem] = field(default_factory=list)


class LoadedVersion(NamedTuple):
    fingerprint: str
    version: int
    kind: str
    authority: str
    region: str
    year_code: str | None
    """what the register was loaded as: a new version must be the same register"""


_INSERT_PROBLEM = (
    "INSERT INTO problems (sync, severity, row, [column], value, rule, clause)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _stored(problem: Problem) -> tuple[object, ...]:
    """A problem as a ``problems`` row holds it: row, column, value, rule, clause."""
    value = visible(problem.value) if problem.value else problem.value
    return (problem.row, problem.column, value, problem.rule, problem.clause)


def _insert_problems(
    conn: sqlite3.Connection, sync_id: int, severity: str, problems: Sequence[Problem]
) -> None:
    conn.executemany(_INSERT_PROBLEM, [(sync_id, severity, *_stored(p)) for p in problems])


def record_attempt(conn: sqlite3.Connection, attempt: Attempt, at: str) -> int:
    """Add the attempt and its problems to the history; its id marks the rows it writes."""
    cursor = conn.execute(
        "INSERT INTO syncs (at, register, file, kind, fingerprint, outcome, rows, added, changed,"
        " conflicts, problems, operator) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?)",
        (
            at,
            attempt.register,
            attempt.file,
            attempt.kind,
            attempt.fingerprint,
            attempt.outcome,
            attempt.rows,
            len(attempt.problems),
            attempt.operator,
        ),
    )
    sync_id = int(cursor.lastrowid or 0)
    _insert_problems(conn, sync_id, ERROR, attempt.problems)
    return sync_id


def repeats_last_attempt(conn: sqlite3.Connection, attempt: Attempt) -> bool:
    """Whether ``attempt`` is the register's last recorded attempt over again: the same file
    refused for the same problems. A scheduled sync meets it on every run until the clerk
    mends the file; recorded once, it neither grows the history by a copy of its problems per
    run nor changes the registry, which every replica would then copy whole."""
    last = conn.execute(
        "SELECT id, fingerprint, outcome FROM syncs WHERE register = ? ORDER BY id DESC LIMIT 1",
        (attempt.register,),
    ).fetchone()
    if last is None or tuple(last[1:]) != (attempt.fingerprint, attempt.outcome):
        return False
    stored = conn.execute(
        "SELECT row, [column], value, rule, clause FROM problems"
        " WHERE sync = ? AND severity = ? ORDER BY id",
        (last[0], ERROR),
    ).fetchall()
    return stored == [_stored(p) for p in attempt.problems]


def record_applied(conn: sqlite3.Connection, sync_id: int, applied: Applied) -> None:
    """What the write of attempt ``sync_id`` did, and its conflicts."""
    conn.execute(
        "UPDATE syncs SET added = ?, changed = ?, conflicts = ? WHERE id = ?",
        (applied.added, applied.changed, len(applied.conflicts), sync_id),
    )
    _insert_problems(conn, sync_id, CONFLICT, applied.conflicts)


def loaded_version(conn: sqlite3.Connection, register: str) -> LoadedVersion | None:
    row = conn.execute(
        "SELECT fingerprint, version, kind, authority, region, year_code FROM registers"
        " WHERE key = ?",
        (register,),
    ).fetchone()
    return None if row is None else LoadedVersion(*row)


MANIFEST_FACTS = ("unit", "approval_doc", "issued_on")
"""What a manifest entry may change of a loaded register (its kind, authority, region and year
code make it another register: `registry.sync.turns.another_register`)."""


def record_register(
    conn: sqlite3.Connection,
    facts: Mapping[str, object],
    known: LoadedVersion | None,
    at: str,
    sync_id: int,
) -> list[tuple[str, object, object]]:
    """The register's facts as loaded now: its first version, or the next one. Returns the
    manifest facts the next one changed, (key, old, new), kept in ``register_history``: the
    ``registers`` row holds only the latest, and an auditor asks what it said before."""
    row = {**facts, "last_loaded": at}
    changed: list[tuple[str, object, object]] = []
    if known:
        row["version"] = known.version + 1
        names = ", ".join(f"[{key}]" for key in MANIFEST_FACTS)
        before = conn.execute(
            f"SELECT {names} FROM registers WHERE key = ?", (facts["key"],)
        ).fetchone()
        changed = [
            (key, old, facts.get(key))
            for key, old in zip(MANIFEST_FACTS, before, strict=True)
            if old != facts.get(key)
        ]
    else:
        row.update(first_loaded=at, version=1)
    tables(conn).table("registers").upsert(row, pk="key")
    conn.executemany(
        "INSERT INTO register_history (register, sync, at, field, old, new)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(facts["key"], sync_id, at, key, old, new) for key, old, new in changed],
    )
    return changed


def data_version(conn: sqlite3.Connection) -> int:
    """SQLite's ``PRAGMA data_version`` on ``conn``: it moves when another connection commits."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def registry_as_of(conn: sqlite3.Connection) -> str | None:
    """When the certificates last changed: the latest sync of a roster or status-change register.
    (Stock registers do not count: the public snapshot time is about certificates only.)"""
    row = conn.execute(
        "SELECT max(at) FROM syncs WHERE outcome IN ('loaded', 'updated')"
        f" AND kind IN {sql_list(CERTIFICATE_KINDS)}"
    ).fetchone()
    return row[0] if row else None


def last_loaded(conn: sqlite3.Connection) -> str | None:
    """When any register last changed the registry (rosters, status changes and the blank
    registers alike): what the stock reconciliation is as of."""
    row = conn.execute(
        "SELECT max(at) FROM syncs WHERE outcome IN ('loaded', 'updated')"
    ).fetchone()
    return row[0] if row else None


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
    run's numbered copy, by name, may correct a holder's name, not give a holder another's
    number (its rows swapped, a name typed on the wrong row): this row's name is the one the
    run gave another number, whose row the name has left (a namesake keeps their own)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS roster_numbers (number, name_key, source_row)")
    conn.execute("CREATE INDEX IF NOT EXISTS temp.roster_numbers_number ON roster_numbers (number)")
    conn.execute("DELETE FROM roster_numbers")
    conn.executemany("INSERT INTO roster_numbers VALUES (?, ?, ?)", rows)
    found = conn.execute(
        "SELECT * FROM (SELECT r.source_row, r.number, h.file, coalesce(h.copy, '') AS copy,"
        " coalesce((SELECT min(o.number) FROM numbered_holders o WHERE o.copy = h.copy"
        " AND o.name_key = r.name_key AND o.number <> r.number AND NOT EXISTS"
        " (SELECT 1 FROM roster_numbers k WHERE k.number = o.number AND k.name_key = o.name_key)"
        "), '') AS theirs"
        " FROM roster_numbers r"
        " JOIN numbered_holders h ON h.number = r.number AND h.name_key <> r.name_key"
        " WHERE NOT EXISTS (SELECT 1 FROM certificates c WHERE c.number = r.number))"
        " WHERE ? IS NOT copy OR theirs <> '' ORDER BY source_row",
        (register,),
    ).fetchall()
    conn.execute("DELETE FROM roster_numbers")
    return found


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
