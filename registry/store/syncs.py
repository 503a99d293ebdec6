"""The sync history: one ``syncs`` row per attempt to load a register (loaded or rejected) with its
``problems``, and the version of each register loaded (``registers``). Staff and auditors read
these in Datasette; the sync reads them to skip what it loaded already. (The ``numbering`` runs
are `registry.store.numbering_runs`'.)"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from registry.domain.numbers import normalise, number_shaped
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
    authority: str = ""
    """the manifest's issuing authority: a bureau's staff list the registers it sent, refused
    ones too (a refused new register is in no ``registers`` row)"""
    file_sha256: str | None = None
    """the file's own SHA-256 (`registry.sync.register_files.file_sha256`)"""
    run: str | None = None
    """when the sync run that made the attempt began: the attempts of one run share it"""


class LoadedVersion(NamedTuple):
    fingerprint: str
    version: int
    kind: str
    authority: str
    region: str
    year_code: str | None
    """what the register was loaded as: a new version must be the same register"""
    rows: int
    """the data rows of the version loaded: what a sync skipping the same file again reports"""


_INSERT_PROBLEM = (
    "INSERT INTO problems (sync, severity, row, [column], value, rule, clause, number)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def _stored(problem: Problem) -> tuple[object, ...]:
    """A problem as a ``problems`` row holds it: row, column, value, rule, clause, number — a
    number cell's number as registered (Z11-2202-0001 → Z1122020001), so that staff's lookup of
    the number finds it by the index instead of normalising every problem ever recorded."""
    value = visible(problem.value) if problem.value else problem.value
    number = problem.number
    if number is None and value and "证书编号" in (problem.column or ""):
        number = normalised if number_shaped(normalised := normalise(value)) else None
    return (problem.row, problem.column, value, problem.rule, problem.clause, number)


def _insert_problems(
    conn: sqlite3.Connection, sync_id: int, severity: str, problems: Sequence[Problem]
) -> None:
    conn.executemany(_INSERT_PROBLEM, [(sync_id, severity, *_stored(p)) for p in problems])


def next_sync_id(conn: sqlite3.Connection) -> int:
    """The id of the attempt to be recorded next, asked inside the write transaction that records
    it: a register is written under its id before the attempt is, whose outcome only the write
    tells (`registry.sync.outcome.changed_nothing`) — and a recorded attempt is never rewritten
    (`registry.store.append_only`)."""
    return int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM syncs").fetchone()[0])


def record_attempt(
    conn: sqlite3.Connection, attempt: Attempt, at: str, sync_id: int | None = None
) -> int:
    """Add the attempt and its problems to the history; its id (``sync_id``, if `next_sync_id`
    gave it before) marks the rows it writes."""
    cursor = conn.execute(
        "INSERT INTO syncs (id, at, register, file, kind, fingerprint, outcome, rows, added,"
        " changed, conflicts, problems, operator, authority, file_sha256, run)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?, ?)",
        (
            sync_id,
            at,
            attempt.register,
            attempt.file,
            attempt.kind,
            attempt.fingerprint,
            attempt.outcome,
            attempt.rows,
            len(attempt.problems),
            attempt.operator,
            attempt.authority or None,
            attempt.file_sha256,
            attempt.run or at,  # an attempt made outside a run of `certreg sync`: a run itself
        ),
    )
    sync_id = int(cursor.lastrowid or 0)
    _insert_problems(conn, sync_id, ERROR, attempt.problems)
    return sync_id


class SyncMark(NamedTuple):
    """A sync history's last attempt, which every later version of the registry still holds:
    the history only grows (`registry.store.append_only`)."""

    id: int
    at: str
    fingerprint: str


def last_sync(conn: sqlite3.Connection) -> SyncMark | None:
    """The registry's last recorded attempt; None before any."""
    row = conn.execute("SELECT id, at, fingerprint FROM syncs ORDER BY id DESC LIMIT 1").fetchone()
    return SyncMark(*row) if row else None


def holds_sync(conn: sqlite3.Connection, mark: SyncMark) -> bool:
    """Whether this registry's history holds the attempt ``mark`` as recorded: not, for an
    older copy restored in its place, or a registry made anew."""
    row = conn.execute("SELECT at, fingerprint FROM syncs WHERE id = ?", (mark.id,)).fetchone()
    return row is not None and tuple(row) == (mark.at, mark.fingerprint)


def repeats_last_attempt(conn: sqlite3.Connection, attempt: Attempt) -> bool:
    """Whether ``attempt`` is the register's last recorded attempt over again: the same file
    refused for the same problems, by the same operator. A scheduled sync meets it on every run
    until the clerk mends the file; recorded once, it neither grows the history by a copy of its
    problems per run nor changes the registry, which every replica would then copy whole. Someone
    else trying it (李四 syncing the refused files by hand) is another attempt, recorded with who
    and when: the history kept only the first, and an auditor read nothing of 李四's."""
    last = conn.execute(
        "SELECT id, fingerprint, outcome, operator FROM syncs WHERE register = ?"
        " ORDER BY id DESC LIMIT 1",
        (attempt.register,),
    ).fetchone()
    if last is None or tuple(last[1:]) != (attempt.fingerprint, attempt.outcome, attempt.operator):
        return False
    stored = conn.execute(
        "SELECT row, [column], value, rule, clause, number FROM problems"
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
    """The version of ``register`` the registry holds, None for a register never loaded: an
    unchanged file (the same fingerprint) is not synced again, and a new version must be of the
    same kind, authority, region and year code as the one it replaces."""
    row = conn.execute(
        "SELECT fingerprint, version, kind, authority, region, year_code, rows FROM registers"
        " WHERE key = ?",
        (register,),
    ).fetchone()
    return None if row is None else LoadedVersion(*row)


MANIFEST_FACTS = ("unit", "approval_doc", "issued_on")
"""What a manifest entry may change of a loaded register (its kind, authority, region and year
code make it another register: `registry.kinds.base.another_register`)."""


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


def earlier_version(
    conn: sqlite3.Connection, register: str, fingerprint: str
) -> tuple[int, str] | None:
    """(sync id, when) of the latest sync that loaded ``register`` as the version
    ``fingerprint`` names — asked of a version other than the one loaded now: an older copy.
    A version that changed nothing (unchanged: the file saved again) was loaded all the same."""
    row = conn.execute(
        "SELECT id, at FROM syncs WHERE register = ? AND fingerprint = ?"
        " AND outcome IN ('loaded', 'updated', 'unchanged') ORDER BY id DESC LIMIT 1",
        (register, fingerprint),
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def registry_as_of(conn: sqlite3.Connection) -> str | None:
    """When the certificates last changed: the latest sync of a roster or status-change register.
    (Stock registers do not count: the public snapshot time is about certificates only.)"""
    return registry_snapshot(conn)[0]


def registry_snapshot(conn: sqlite3.Connection) -> tuple[str | None, int | None]:
    """`registry_as_of` and the sync that made it (the latest to change the certificates): the
    registry's version an answer came from, which the verification log keeps with the check —
    both of one row, so that they name the same sync (two maxima parted when the clock was set
    back between two syncs)."""
    row = conn.execute(
        "SELECT at, id FROM syncs WHERE outcome IN ('loaded', 'updated')"
        f" AND kind IN {sql_list(CERTIFICATE_KINDS)} ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return (None, None) if row is None else (row[0], row[1])


def last_loaded(conn: sqlite3.Connection, kinds: tuple[str, ...] = ()) -> str | None:
    """When a register of ``kinds`` — by default any: rosters, status changes and the blank
    registers alike, what the stock reconciliation is as of — last changed the registry."""
    of_kinds = f" AND kind IN {sql_list(kinds)}" if kinds else ""
    row = conn.execute(
        f"SELECT max(at) FROM syncs WHERE outcome IN ('loaded', 'updated'){of_kinds}"
    ).fetchone()
    return row[0] if row else None
