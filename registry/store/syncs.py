"""The sync history: one ``syncs`` row per attempt to load a register (loaded or rejected) with its
``problems``, the version of each register loaded (``registers``), and the ``numbering`` runs.
Staff and auditors read these in Datasette; the sync reads them to skip what it loaded already."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, field, fields
from typing import NamedTuple

from registry.domain.problems import Problem
from registry.domain.registers import CERTIFICATE_KINDS, sql_list
from registry.domain.text import visible
from registry.store.writes import Applied

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
    """what the register was loaded as: a new version must be the same register"""


_INSERT_PROBLEM = (
    "INSERT INTO problems (sync, severity, row, [column], value, rule, clause)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _insert_problems(
    conn: sqlite3.Connection, sync_id: int, severity: str, problems: Sequence[Problem]
) -> None:
    conn.executemany(
        _INSERT_PROBLEM,
        [
            (
                sync_id,
                severity,
                p.row,
                p.column,
                visible(p.value) if p.value else p.value,
                p.rule,
                p.clause,
            )
            for p in problems
        ],
    )


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


def record_applied(conn: sqlite3.Connection, sync_id: int, applied: Applied) -> None:
    """What the write of attempt ``sync_id`` did, and its conflicts."""
    conn.execute(
        "UPDATE syncs SET added = ?, changed = ?, conflicts = ? WHERE id = ?",
        (applied.added, applied.changed, len(applied.conflicts), sync_id),
    )
    _insert_problems(conn, sync_id, CONFLICT, applied.conflicts)


def loaded_version(conn: sqlite3.Connection, register: str) -> LoadedVersion | None:
    row = conn.execute(
        "SELECT fingerprint, version, kind, authority, region FROM registers WHERE key = ?",
        (register,),
    ).fetchone()
    return None if row is None else LoadedVersion(*row)


def record_register(
    conn: sqlite3.Connection, facts: Mapping[str, object], known: LoadedVersion | None, at: str
) -> None:
    """The register's facts as loaded now: its first version, or the next one."""
    row = {**facts, "last_loaded": at}
    if known:
        row["version"] = known.version + 1
    else:
        row.update(first_loaded=at, version=1)
    names = ", ".join(f"[{k}]" for k in row)
    conn.execute(
        f"INSERT INTO registers ({names}) VALUES ({', '.join('?' * len(row))})"
        " ON CONFLICT(key) DO UPDATE SET "
        + ", ".join(f"[{k}] = excluded.[{k}]" for k in row if k != "key"),
        list(row.values()),
    )


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
    columns = [f.name for f in fields(NumberingRun)]
    conn.executemany(
        f"INSERT INTO numbering ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [astuple(run) for run in runs],
    )


_OPEN = "n.superseded_at IS NULL"
"""A numbering run no later run of the same file replaced: its numbers are spoken for, loaded
or not — a number handed out is never handed out again (a row dropped before loading leaves a
gap; numbering the file again before it is loaded avoids one, `supersede_runs`)."""


def highest_sequence(conn: sqlite3.Connection, letter: str, year_code: str, region: str) -> int:
    """The highest sequence used for a letter/year/region in the registry or an open numbering
    run (`_OPEN`)."""
    prefix = f"{letter}{year_code}{region}"
    row = conn.execute(
        "SELECT max(s) FROM (SELECT max(sequence) AS s FROM certificates WHERE number >= ? AND"
        " number < ? UNION ALL SELECT max(n.last_sequence) FROM numbering n WHERE n.letter = ?"
        f" AND n.year_code = ? AND n.region = ? AND {_OPEN})",
        (prefix, prefix + "~", letter, year_code, region),
    ).fetchone()
    return int(row[0] or 0)


def open_run_of(
    conn: sqlite3.Connection, letter: str, year_code: str, region: str, sequence: int
) -> str | None:
    """The file a numbering run (not replaced) handed ``sequence`` out to, if any."""
    row = conn.execute(
        f"SELECT n.file FROM numbering n WHERE n.letter = ? AND n.year_code = ? AND n.region = ?"
        f" AND ? BETWEEN n.first_sequence AND n.last_sequence AND {_OPEN} ORDER BY n.id LIMIT 1",
        (letter, year_code, region, sequence),
    ).fetchone()
    return None if row is None else str(row[0])


def supersede_runs(
    conn: sqlite3.Connection, batch: tuple[str, str, str, str, str], written: set[str], at: str
) -> list[tuple[str, int, int]]:
    """Replace the earlier runs of a file numbered again — the same ``batch`` (file as a
    resolved path, kind, authority, region, year code) — whose numbers went nowhere: none is
    registered, none is in the file as it is now (a copy saved back over it keeps them), and
    none was followed by another number. Their numbers are given again rather than skipped.
    The runs replaced: (number prefix, first and last sequence)."""
    earlier = conn.execute(
        "SELECT n.id, n.letter || n.year_code || n.region, n.first_sequence, n.last_sequence"
        " FROM numbering n WHERE n.file = ? AND n.kind = ? AND n.authority = ? AND n.region = ?"
        f" AND n.year_code = ? AND {_OPEN}",
        batch,
    ).fetchall()
    replaced = []
    for run_id, prefix, first, last in earlier:
        numbers = [f"{prefix}{sequence:04d}" for sequence in range(first, last + 1)]
        registered = conn.execute(
            "SELECT 1 FROM certificates WHERE number BETWEEN ? AND ? LIMIT 1",
            (numbers[0], numbers[-1]),
        ).fetchone()
        # only the last numbers handed out: the new run then starts at this one's first and
        # gives them again — after another file's run they would be released, not given again
        latest = last == highest_sequence(conn, prefix[0], prefix[1:3], prefix[3:7])
        if latest and registered is None and not written.intersection(numbers):
            conn.execute("UPDATE numbering SET superseded_at = ? WHERE id = ?", (at, run_id))
            replaced.append((prefix, first, last))
    return replaced
