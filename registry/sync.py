"""Load registers into the registry, each whole or not at all (SPEC §4, §5).

A register version is identified by the fingerprint of its bytes and manifest facts: the same
version again changes nothing; a new version of a known register updates the changed rows and
keeps the old values in ``certificate_history``; a certificate is never deleted. Validation runs
inside the write transaction, so the uniqueness checks see exactly the state that is written to.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sqlite3
from collections.abc import Callable, Iterable

from registry.kinds import KINDS
from registry.loading import LoadContext, Outcome
from registry.manifest import RegisterEntry
from registry.pipeline import Prepared, file_fingerprint, lookahead, prepare
from registry.problems import Problem
from registry.readers import UnreadableRegister
from registry.store import now
from registry.trades import TradeCatalogue

__all__ = ["Outcome", "sync_entries", "sync_register"]


def operator() -> str:
    """Who runs the sync, for the history: ``CERTREG_OPERATOR`` or the login name."""
    return os.environ.get("CERTREG_OPERATOR") or getpass.getuser()


def _record_sync(conn: sqlite3.Connection, outcome: Outcome, fingerprint: str, at: str) -> int:
    entry = outcome.entry
    cursor = conn.execute(
        "INSERT INTO syncs (at, register, file, kind, fingerprint, outcome, rows, added, changed,"
        " conflicts, problems, operator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            at,
            entry.key,
            entry.path.name,
            entry.kind,
            fingerprint,
            outcome.outcome,
            outcome.rows,
            outcome.added,
            outcome.changed,
            len(outcome.conflicts),
            len(outcome.problems),
            operator(),
        ),
    )
    sync_id = int(cursor.lastrowid or 0)
    conn.executemany(
        "INSERT INTO problems (sync, severity, row, [column], value, rule, clause)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (sync_id, severity, p.row, p.column, p.value, p.rule, p.clause)
            for severity, items in (("error", outcome.problems), ("conflict", outcome.conflicts))
            for p in items
        ],
    )
    return sync_id


def _register_row(entry: RegisterEntry, fingerprint: str, rows: int, at: str) -> dict[str, object]:
    return {
        "key": entry.key,
        "kind": entry.kind,
        "file": entry.path.name,
        "authority": entry.authority,
        "region": entry.region,
        "unit": entry.unit,
        "approval_doc": entry.approval_doc,
        "issued_on": entry.issued_on.isoformat() if entry.issued_on else None,
        "year_code": entry.year_code,
        "fingerprint": fingerprint,
        "rows": rows,
        "last_loaded": at,
    }


def _fingerprint(entry: RegisterEntry) -> str | Problem:
    try:
        return file_fingerprint(entry)
    except UnreadableRegister as exc:
        return Problem(None, None, None, str(exc))


def _size(entry: RegisterEntry) -> int:
    try:
        return entry.path.stat().st_size
    except OSError:
        return 0


def _loaded_version(conn: sqlite3.Connection, entry: RegisterEntry) -> tuple[str, int] | None:
    row = conn.execute(
        "SELECT fingerprint, version FROM registers WHERE key = ?", (entry.key,)
    ).fetchone()
    return None if row is None else (row[0], row[1])


def sync_register(
    conn: sqlite3.Connection,
    entry: RegisterEntry,
    catalogue: TradeCatalogue,
    *,
    dry_run: bool = False,
    fingerprint: str | Problem | None = None,
    prepared: Callable[[], Prepared] | None = None,
) -> Outcome:
    """Validate one register and, unless ``dry_run`` or rejected, write it in one transaction.

    ``fingerprint`` (or the problem reading the file) and ``prepared`` (waiting for a worker's
    `prepare`) are passed by `sync_entries` when it has them already."""
    outcome = Outcome(entry, "checked")
    fingerprint = fingerprint or _fingerprint(entry)
    if isinstance(fingerprint, Problem):
        outcome.outcome = "rejected"
        outcome.problems = [fingerprint]
        return outcome
    known = _loaded_version(conn, entry)
    if known and known[0] == fingerprint:
        outcome.outcome = "unchanged"
        return outcome

    context = LoadContext(conn, catalogue)
    at = now()
    # In a dry run of several registers (`sync_entries`) each one is written under a savepoint of
    # the run's transaction, so later registers are checked against it; the run undoes it all.
    nested = dry_run and conn.in_transaction
    conn.execute("SAVEPOINT register" if nested else "BEGIN" if dry_run else "BEGIN IMMEDIATE")
    try:
        kind = KINDS[entry.kind]
        try:
            ready = prepared() if prepared else prepare(entry, catalogue, context.today)
        except UnreadableRegister as exc:
            outcome.problems = [Problem(None, None, None, str(exc))]
        else:
            outcome.problems, payload = kind.validate(ready.data, entry, context)
            outcome.rows, fingerprint = ready.rows, ready.fingerprint
        if outcome.problems:
            outcome.outcome = "rejected"
        if outcome.problems or (dry_run and not nested):
            _undo(conn, nested)
            if outcome.problems and not dry_run:
                with_transaction(conn, lambda: _record_sync(conn, outcome, fingerprint, at))
            return outcome
        if not dry_run:
            outcome.outcome = "updated" if known else "loaded"
        sync_id = _record_sync(conn, outcome, fingerprint, at)
        kind.apply(conn, outcome, payload, sync_id, at)
        conn.execute(
            "UPDATE syncs SET added = ?, changed = ?, conflicts = ? WHERE id = ?",
            (outcome.added, outcome.changed, len(outcome.conflicts), sync_id),
        )
        conn.executemany(
            "INSERT INTO problems (sync, severity, row, [column], value, rule, clause)"
            " VALUES (?, 'conflict', ?, ?, ?, ?, ?)",
            [(sync_id, p.row, p.column, p.value, p.rule, p.clause) for p in outcome.conflicts],
        )
        row = _register_row(entry, fingerprint, outcome.rows, at)
        if known:
            row["version"] = known[1] + 1
        else:
            row.update(first_loaded=at, version=1)
        names = ", ".join(f"[{k}]" for k in row)
        conn.execute(
            f"INSERT INTO registers ({names}) VALUES ({', '.join('?' * len(row))})"
            f" ON CONFLICT(key) DO UPDATE SET "
            + ", ".join(f"[{k}] = excluded.[{k}]" for k in row if k != "key"),
            list(row.values()),
        )
        if nested:
            conn.execute("RELEASE register")
            return outcome
        outcome.sync_id = sync_id
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            _undo(conn, nested)
        raise
    return outcome


def _undo(conn: sqlite3.Connection, nested: bool) -> None:
    if nested:
        conn.execute("ROLLBACK TO register")
        conn.execute("RELEASE register")
    else:
        conn.execute("ROLLBACK")


def with_transaction(conn: sqlite3.Connection, work: Callable[[], object]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        work()
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def sync_entries(
    conn: sqlite3.Connection,
    entries: Iterable[RegisterEntry],
    catalogue: TradeCatalogue,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int, RegisterEntry], None] | None = None,
    workers: int | None = None,
) -> list[Outcome]:
    """Sync registers in manifest order; each is independent of the others' fate.

    A dry run checks each register as if the ones before it had loaded (dispatches after their
    requisitions, collections after their rosters) and then undoes everything. Registers that
    changed are read and checked ahead in ``workers`` processes (`registry.pipeline`; None:
    as many as fit the machine, when the registers are large enough to gain from it). The
    workers are spawned: a script that calls this needs the usual ``if __name__ == "__main__"``.
    """
    entries = list(entries)
    fingerprints = [_fingerprint(entry) for entry in entries]
    todo = [
        entry
        for entry, fingerprint in zip(entries, fingerprints, strict=True)
        if isinstance(fingerprint, str)
        and (_loaded_version(conn, entry) or ("",))[0] != fingerprint
    ]
    sizes = [_size(entry) for entry in todo]
    outcomes = []
    ahead = lookahead(todo, sizes, catalogue, dt.date.today(), workers)
    try:
        if dry_run:
            conn.execute("BEGIN")  # undone below: a dry run leaves the registry as it was
        for index, (entry, fingerprint) in enumerate(zip(entries, fingerprints, strict=True), 1):
            if progress:
                progress(index, len(entries), entry)
            outcome = sync_register(
                conn,
                entry,
                catalogue,
                dry_run=dry_run,
                fingerprint=fingerprint,
                prepared=ahead.take(entry) if ahead else None,
            )
            outcomes.append(outcome)
    finally:
        if dry_run and conn.in_transaction:
            conn.execute("ROLLBACK")
        if ahead:
            ahead.close()
    return outcomes
