"""Load one register into the registry, whole or not at all (SPEC §4, §5).

A register version is identified by the fingerprint of its bytes and manifest facts: the same
version again changes nothing; a new version of a known register updates the changed rows and
keeps the old values in ``certificate_history``; a certificate is never deleted. Validation runs
inside the write transaction, so the uniqueness checks see exactly the state that is written to.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from registry.domain.clock import beijing_clock
from registry.domain.problems import Problem
from registry.domain.registers import ROSTER_KINDS
from registry.domain.trades import TradeCatalogue
from registry.kinds import KINDS
from registry.kinds.base import LoadContext, RegisterEntry, another_register
from registry.kinds.cells import unexplained
from registry.kinds.roster_units import unit_notes
from registry.kinds.status_changes import StatusChanges, held_problems, named_numbers
from registry.sheets.errors import UnreadableSheet
from registry.sheets.sheet import excel_row
from registry.store import now, summaries, syncs, transaction
from registry.store.syncs import Attempt, LoadedVersion
from registry.store.trades import keep_catalogue
from registry.sync.outcome import (
    CHECKED,
    LOADED,
    REJECTED,
    RUN,
    UNCHANGED,
    UPDATED,
    Outcome,
    changed_nothing,
    operator,
)
from registry.sync.pipeline import (
    NOT_THE_FILES,
    Prepared,
    cycles_uncollected,
    prepare,
    unforeseen,
)
from registry.sync.register_files import file_fingerprint, file_sha256

EMPTY_REGISTER = "没有任何数据行，不能导入。请检查是否选错了工作表，或数据行是否被放在了页脚之后"


def fingerprint_of(entry: RegisterEntry) -> str | Problem:
    """The file's fingerprint, or why it cannot be read: refused and recorded, not a crash."""
    try:
        return file_fingerprint(entry)
    except UnreadableSheet as exc:
        return Problem(None, None, None, str(exc))


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
        authority=entry.authority,
        file_sha256=file_sha256(entry, fingerprint),
        run=RUN.get(),
    )


def _older_copy(
    conn: sqlite3.Connection, register: str, known: LoadedVersion | None, fingerprint: str
) -> list[str]:
    """The note of a register read as a new version while it is one loaded before the one
    ``known`` now: an old copy left in another folder, or restored from a backup, reverts every
    correction since — which the report lists as corrections, the clerk none the wiser."""
    if known is None or not (earlier := syncs.earlier_version(conn, register, fingerprint)):
        return []
    sync_id, at = earlier
    return [
        f"此文件与 {beijing_clock(at)}导入过的旧版本（同步编号 {sync_id}）完全相同，"
        "而登记库中现在是之后的版本：它作为更正版本与现有登记比较，所列修改会把登记改回旧版本的内容。"
        "如是误放或从备份恢复的旧副本，请换回最新的文件再同步"
    ]


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
    try:
        return _checked(outcome, context, ready)
    except NOT_THE_FILES:  # the registry's or the machine's, not the file's
        raise
    except Exception as exc:
        outcome.problems = [Problem(None, None, None, unforeseen(exc))]
        return None, None


def _checked(
    outcome: Outcome, context: LoadContext, ready: Callable[[], Prepared]
) -> tuple[object, str | None]:
    entry = outcome.entry
    try:
        prepared = ready()
    except UnreadableSheet as exc:
        outcome.problems = [Problem(None, None, None, str(exc))]
        return None, None
    outcome.rows, outcome.notes, outcome.shifts = prepared.rows, prepared.notes, prepared.shifts
    note = KINDS[entry.kind].entry_note(entry)
    outcome.entry_notes += [note] if note else []
    if not prepared.rows:
        clause = KINDS[entry.kind].layout.clause
        outcome.problems = [Problem(None, None, None, EMPTY_REGISTER, clause)]
        return None, prepared.fingerprint
    problems, payload = KINDS[entry.kind].validate(prepared.data, entry, context)
    # in row order, as a clerk reads the report (problems of the whole file first)
    if prepared.problems:
        problems = [*prepared.problems, *unexplained(prepared.problems, problems)]
    outcome.problems = sorted(problems, key=lambda p: -1 if p.row is None else p.row)
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
    sync_id = syncs.next_sync_id(conn)  # recorded once the write tells its outcome
    applied = KINDS[entry.kind].apply(conn, entry, payload, sync_id, at)
    summaries.refresh(conn, entry.key, entry.kind)  # staff's counts and stock, same transaction
    outcome.added, outcome.changed = applied.added, applied.changed
    outcome.conflicts, outcome.certificates = applied.conflicts, applied.certificates
    outcome.changes, outcome.moved = applied.changes, applied.moved
    outcome.revoked_changed = applied.revoked
    facts = {**entry.facts(), "fingerprint": fingerprint, "rows": outcome.rows}
    outcome.manifest_changes = syncs.record_register(conn, facts, known, at, sync_id)
    if outcome.outcome == UPDATED and changed_nothing(outcome):
        outcome.outcome = UNCHANGED  # its fingerprint is kept all the same: the next sync skips it
    syncs.record_attempt(conn, _attempt(outcome, fingerprint), at, sync_id)
    syncs.record_applied(conn, sync_id, applied)
    outcome.sync_id = sync_id
    if entry.kind in ROSTER_KINDS:  # what its unit does to the stock, said now
        before = next((str(o) for k, o, _ in outcome.manifest_changes if k == "unit" and o), None)
        outcome.entry_notes += unit_notes(conn, entry, before)


def as_excel_shows(problems: list[Problem], shifts: Sequence[tuple[int, int]]) -> list[Problem]:
    """``problems`` of a CSV whose cells hold line breaks, each also with the row Excel shows
    it in: the report names the line a record starts on, as the contract says, and a clerk
    opening the file in Excel finds the record on an earlier row (a clerk's review)."""
    if not shifts:
        return problems
    return [
        replace(p, excel_row=shown)
        if p.row is not None and (shown := excel_row(p.row, shifts)) != p.row
        else p
        for p in problems
    ]


def reject(
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


def _names_and_holds(outcome: Outcome, changes: StatusChanges, held_by: Mapping[str, str]) -> None:
    """What a status-change register's events name, and its events held behind an earlier
    register waiting to change the same certificates (`held_problems`), in row order."""
    outcome.names = named_numbers(changes)
    if held := held_problems(changes, held_by):
        problems = [*outcome.problems, *held]
        outcome.problems = sorted(problems, key=lambda p: -1 if p.row is None else p.row)


def sync_register(
    conn: sqlite3.Connection,
    entry: RegisterEntry,
    catalogue: TradeCatalogue,
    *,
    dry_run: bool = False,
    fingerprint: str | Problem | None = None,
    prepared: Callable[[], Prepared] | None = None,
    record_rejection: bool = True,
    held_by: Mapping[str, str] | None = None,
) -> Outcome:
    """Validate one register and, unless ``dry_run`` or rejected, write it in one transaction.

    ``fingerprint`` (or the problem reading the file) and ``prepared`` (waiting for a worker's
    `prepare`) are passed by `sync_entries` when it has them already, as is
    ``record_rejection=False`` for a register it may sync again, and ``held_by`` (number → an
    earlier register waiting to change it: `held_problems`) for a status-change register."""
    outcome = Outcome(entry, CHECKED)
    fingerprint = fingerprint or fingerprint_of(entry)
    if isinstance(fingerprint, Problem):  # missing, unreadable, refused unread: history too
        outcome.problems = [fingerprint]
        reject(conn, outcome, "", dry_run, record_rejection)
        return outcome
    known = syncs.loaded_version(conn, entry.key)
    if known and known.fingerprint == fingerprint:
        outcome.outcome, outcome.rows = UNCHANGED, known.rows  # as loaded: 0 read as empty
        return outcome
    if known and (moved := another_register(entry, known)):
        outcome.problems = [moved]
        reject(conn, outcome, fingerprint, dry_run, record_rejection)
        return outcome
    outcome.entry_notes += _older_copy(conn, entry.key, known, fingerprint)
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
            held_by=held_by,
        )
    with cycles_uncollected():
        try:
            payload, read = _validate(
                outcome, context, prepared or (lambda: prepare(entry, catalogue, context.today))
            )
            fingerprint = read or fingerprint
            if isinstance(payload, StatusChanges):
                _names_and_holds(outcome, payload, held_by or {})
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
        outcome.problems = as_excel_shows(outcome.problems, outcome.shifts)
        reject(conn, outcome, fingerprint, dry_run, record_rejection)
    if scope.nested:
        outcome.sync_id = None
    return outcome
