"""Load registers into the registry, each whole or not at all (SPEC §4, §5).

A register version is identified by the fingerprint of its bytes and manifest facts: the same
version again changes nothing; a new version of a known register updates the changed rows and
keeps the old values in ``certificate_history``; a certificate is never deleted. Validation runs
inside the write transaction, so the uniqueness checks see exactly the state that is written to.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Callable, Iterable

from registry.domain.problems import Problem
from registry.domain.registers import LOAD_ORDER, ROSTER_KINDS
from registry.domain.trades import TradeCatalogue
from registry.kinds import KINDS
from registry.kinds.base import LoadContext, RegisterEntry, another_register
from registry.sheets.errors import UnreadableSheet
from registry.store import now, summaries, syncs, transaction
from registry.store.syncs import Attempt, LoadedVersion
from registry.store.trades import keep_catalogue
from registry.sync.outcome import (
    CHECKED,
    LOADED,
    REJECTED,
    UNCHANGED,
    UPDATED,
    Outcome,
    operator,
)
from registry.sync.pipeline import (
    Prepared,
    cycles_uncollected,
    file_fingerprint,
    lookahead,
    prepare,
)

EMPTY_REGISTER = "没有任何数据行，不能导入。请检查是否选错了工作表，或数据行是否被放在了页脚之后"


def _fingerprint(entry: RegisterEntry) -> str | Problem:
    try:
        return file_fingerprint(entry)
    except UnreadableSheet as exc:
        return Problem(None, None, None, str(exc))


def _size(entry: RegisterEntry) -> int:
    try:
        return entry.path.stat().st_size
    except OSError:
        return 0


def _attempt(outcome: Outcome, fingerprint: str) -> Attempt:
    entry = outcome.entry
    return Attempt(
        entry.key,
        entry.path.name,
        entry.kind,
        fingerprint,
        outcome.outcome,
        outcome.rows,
        operator(),
        outcome.problems,
    )


class _Scope:
    """Where one register is checked and written: its own ``BEGIN IMMEDIATE`` transaction, or in
    a dry run of several registers a savepoint of the run's transaction, so later registers are
    checked against it (the run undoes it all)."""

    def __init__(self, conn: sqlite3.Connection, dry_run: bool) -> None:
        self.conn = conn
        self.nested = dry_run and conn.in_transaction
        self.keep = not dry_run or self.nested
        """whether a register that passes stays written (in the run's transaction, if nested)"""
        conn.execute(
            "SAVEPOINT register" if self.nested else "BEGIN" if dry_run else "BEGIN IMMEDIATE"
        )

    def undo(self) -> None:
        if self.nested:
            self.conn.execute("ROLLBACK TO register")
            self.conn.execute("RELEASE register")
        elif self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def done(self) -> None:
        self.conn.execute("RELEASE register" if self.nested else "COMMIT")


def _validate(
    outcome: Outcome, context: LoadContext, ready: Callable[[], Prepared]
) -> tuple[object, str | None]:
    """Run the kind's checks; ``outcome.problems`` holds what they found. Returns the payload
    and the fingerprint of the file as read."""
    entry = outcome.entry
    try:
        prepared = ready()
    except UnreadableSheet as exc:
        outcome.problems = [Problem(None, None, None, str(exc))]
        return None, None
    outcome.rows = prepared.rows
    if not prepared.rows:
        outcome.problems = [Problem(None, None, None, EMPTY_REGISTER)]
        return None, prepared.fingerprint
    problems, payload = KINDS[entry.kind].validate(prepared.data, entry, context)
    # in row order, as a clerk reads the report (problems of the whole file first)
    merged = [*prepared.problems, *problems] if prepared.problems else problems
    outcome.problems = sorted(merged, key=lambda p: -1 if p.row is None else p.row)
    return payload, prepared.fingerprint


def _write(
    conn: sqlite3.Connection,
    outcome: Outcome,
    payload: object,
    fingerprint: str,
    known: LoadedVersion | None,
) -> None:
    entry = outcome.entry
    at = now()
    sync_id = syncs.record_attempt(conn, _attempt(outcome, fingerprint), at)
    applied = KINDS[entry.kind].apply(conn, entry, payload, sync_id, at)
    summaries.refresh(conn, entry.key, entry.kind)  # staff's counts and stock, same transaction
    syncs.record_applied(conn, sync_id, applied)
    outcome.added, outcome.changed, outcome.conflicts = (
        applied.added,
        applied.changed,
        applied.conflicts,
    )
    facts = {**entry.facts(), "fingerprint": fingerprint, "rows": outcome.rows}
    syncs.record_register(conn, facts, known, at)
    outcome.sync_id = sync_id


def _reject(
    conn: sqlite3.Connection, outcome: Outcome, fingerprint: str, dry_run: bool, record: bool
) -> None:
    """``outcome`` rejected; recorded in the history unless ``record`` is False — a register
    the run may sync again once a register listed after it has loaded (`sync_entries`)."""
    outcome.outcome = REJECTED
    if not record:
        outcome.fingerprint = fingerprint
        return
    if not dry_run:  # the rejection itself is history, kept for staff (once)
        attempt = _attempt(outcome, fingerprint)
        with transaction(conn):
            outcome.repeated = syncs.repeats_last_attempt(conn, attempt)
            if not outcome.repeated:
                syncs.record_attempt(conn, attempt, now())


def sync_register(
    conn: sqlite3.Connection,
    entry: RegisterEntry,
    catalogue: TradeCatalogue,
    *,
    dry_run: bool = False,
    fingerprint: str | Problem | None = None,
    prepared: Callable[[], Prepared] | None = None,
    record_rejection: bool = True,
) -> Outcome:
    """Validate one register and, unless ``dry_run`` or rejected, write it in one transaction.

    ``fingerprint`` (or the problem reading the file) and ``prepared`` (waiting for a worker's
    `prepare`) are passed by `sync_entries` when it has them already, as is
    ``record_rejection=False`` for a register it may sync again."""
    outcome = Outcome(entry, CHECKED)
    fingerprint = fingerprint or _fingerprint(entry)
    if isinstance(fingerprint, Problem):
        outcome.outcome, outcome.problems = REJECTED, [fingerprint]
        return outcome
    known = syncs.loaded_version(conn, entry.key)
    if known and known.fingerprint == fingerprint:
        outcome.outcome = UNCHANGED
        return outcome
    if known and (moved := another_register(entry, known)):
        outcome.problems = [moved]
        _reject(conn, outcome, fingerprint, dry_run, record_rejection)
        return outcome
    context = LoadContext(conn, catalogue)
    scope = _Scope(conn, dry_run)
    if syncs.loaded_version(conn, entry.key) != known:
        # another sync loaded this register while this one waited for the write lock: decide
        # again on what it left (unchanged now, another register, or a version to compare)
        scope.undo()
        return sync_register(
            conn,
            entry,
            catalogue,
            dry_run=dry_run,
            fingerprint=fingerprint,
            prepared=prepared,
            record_rejection=record_rejection,
        )
    with cycles_uncollected():
        try:
            payload, read = _validate(
                outcome, context, prepared or (lambda: prepare(entry, catalogue, context.today))
            )
            fingerprint = read or fingerprint
            if outcome.problems or not scope.keep:
                scope.undo()
            else:
                if not dry_run:
                    outcome.outcome = UPDATED if known else LOADED
                _write(conn, outcome, payload, fingerprint, known)
                if entry.kind in ROSTER_KINDS:  # what the public confirmation matches 工种 with
                    keep_catalogue(conn, catalogue)
                scope.done()
        except BaseException:
            scope.undo()
            raise
    if outcome.problems:
        _reject(conn, outcome, fingerprint, dry_run, record_rejection)
    if scope.nested:
        outcome.sync_id = None
    return outcome


def _waiting(outcomes: list[Outcome]) -> list[int]:
    """The registers refused while a register of a kind they refer to loaded after them in the
    run: a clerk who lists the status changes before their roster gets both loaded in one run,
    and one who lists a 撤销 before the roster that registers the holder again keeps that order."""
    done = (LOADED, UPDATED, CHECKED)
    waiting = [
        index
        for index, outcome in enumerate(outcomes)
        if outcome.outcome == REJECTED
        and any(
            later.outcome in done and LOAD_ORDER[later.entry.kind] < LOAD_ORDER[outcome.entry.kind]
            for later in outcomes[index + 1 :]
        )
    ]
    # collections after the status changes they may depend on, whatever the manifest's order
    return sorted(waiting, key=lambda index: LOAD_ORDER[outcomes[index].entry.kind])


def sync_entries(
    conn: sqlite3.Connection,
    entries: Iterable[RegisterEntry],
    catalogue: TradeCatalogue,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int, RegisterEntry], None] | None = None,
    finished: Callable[[Outcome, float], None] | None = None,
    workers: int | None = None,
) -> list[Outcome]:
    """Sync registers in manifest order; each is independent of the others' fate, except that
    one refused while a register it may refer to came later (`LOAD_ORDER`: status changes
    listed before their roster) is synced again once that one loaded.

    A dry run checks each register as if the ones before it had loaded (dispatches after their
    requisitions, collections after their rosters) and then undoes everything. Registers that
    changed are read and checked ahead in ``workers`` processes (`registry.sync.pipeline`; None:
    as many as fit the machine, when the registers are large enough to gain from it). The
    workers are spawned: a script that calls this needs the usual ``if __name__ == "__main__"``.
    ``progress`` is told of each register before it is synced, ``finished`` after, with the
    seconds it took.
    """
    entries = list(entries)
    fingerprints = [_fingerprint(entry) for entry in entries]
    todo = [
        entry
        for entry, fingerprint in zip(entries, fingerprints, strict=True)
        if isinstance(fingerprint, str)
        and (syncs.loaded_version(conn, entry.key) or ("",))[0] != fingerprint
    ]
    ahead = lookahead(todo, [_size(e) for e in todo], catalogue, dt.date.today(), workers)
    # a register that one listed after it may let load (its roster, say) is recorded as
    # rejected only once the run is over, not when it is refused the first time round
    retried = [
        any(LOAD_ORDER[later.kind] < LOAD_ORDER[entry.kind] for later in entries[index + 1 :])
        for index, entry in enumerate(entries)
    ]
    outcomes = []
    try:
        if dry_run:
            conn.execute("BEGIN")  # undone below: a dry run leaves the registry as it was
        for index, (entry, fingerprint) in enumerate(zip(entries, fingerprints, strict=True), 1):
            if progress:
                progress(index, len(entries), entry)
            started = time.monotonic()
            outcome = sync_register(
                conn,
                entry,
                catalogue,
                dry_run=dry_run,
                fingerprint=fingerprint,
                prepared=ahead.take(entry) if ahead else None,
                record_rejection=not retried[index - 1],
            )
            outcomes.append(outcome)
            if finished:
                finished(outcome, time.monotonic() - started)
        waiting = _waiting(outcomes)
        for index, outcome in enumerate(outcomes):
            if outcome.fingerprint is not None and index not in waiting:  # refused for good
                _reject(conn, outcome, outcome.fingerprint, dry_run, record=True)
        for index in waiting:
            if progress:
                progress(index + 1, len(entries), entries[index])
            started = time.monotonic()
            outcomes[index] = sync_register(
                conn, entries[index], catalogue, dry_run=dry_run, fingerprint=fingerprints[index]
            )
            if finished:
                finished(outcomes[index], time.monotonic() - started)
    finally:
        if dry_run and conn.in_transaction:
            conn.execute("ROLLBACK")
        if ahead:
            ahead.close()
    return outcomes
