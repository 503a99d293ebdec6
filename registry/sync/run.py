"""A sync of many registers: each loaded whole or not at all (`registry.sync.register`), in the
manifest's order, with the registers to come read and checked ahead in worker processes
(`registry.sync.pipeline`), and those refused because a register they refer to came later in
the manifest synced again once it loaded.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from registry.domain.problems import Problem
from registry.domain.registers import LOAD_ORDER, STATUS_CHANGES
from registry.domain.trades import TradeCatalogue
from registry.kinds.base import RegisterEntry
from registry.store import syncs
from registry.sync.outcome import CHECKED, LOADED, REJECTED, UPDATED, Outcome
from registry.sync.pipeline import lookahead
from registry.sync.register import fingerprint_of, reject, sync_register


def _size(entry: RegisterEntry) -> int:
    try:
        return entry.path.stat().st_size
    except OSError:
        return 0


def _record_deferred(
    conn: sqlite3.Connection, outcomes: list[Outcome], waiting: list[int], dry_run: bool
) -> None:
    """Record the refusals held back for a retry that will not come: all but ``waiting``'s,
    once each."""
    for index, outcome in enumerate(outcomes):
        if outcome.fingerprint is not None and index not in waiting:
            reject(conn, outcome, outcome.fingerprint, dry_run, record=True)
            outcome.fingerprint = None


def _may_refer(later: str, kind: str) -> bool:
    """Whether a register of ``kind`` may refer to what one of kind ``later`` registers: a kind
    of a lower `LOAD_ORDER`, or another status-change register (the new number of its 换发 or
    补发, which this one may revoke or replace again)."""
    return LOAD_ORDER[later] < LOAD_ORDER[kind] or later == kind == STATUS_CHANGES


def _waiting(outcomes: list[Outcome]) -> list[int]:
    """The registers refused while a register of a kind they refer to loaded after them in the
    run: a clerk who lists the status changes before their roster, or a 撤销 before the 换发
    that made its number, gets both loaded in one run, and one who lists a 撤销 before the
    roster that registers the holder again keeps that order."""
    done = (LOADED, UPDATED, CHECKED)
    waiting = [
        index
        for index, outcome in enumerate(outcomes)
        if outcome.outcome == REJECTED
        and any(
            later.outcome in done and _may_refer(later.entry.kind, outcome.entry.kind)
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
    fingerprints = [fingerprint_of(entry) for entry in entries]
    todo = [
        entry
        for entry, fingerprint in zip(entries, fingerprints, strict=True)
        if isinstance(fingerprint, str)
        and (syncs.loaded_version(conn, entry.key) or ("",))[0] != fingerprint
    ]
    ahead = lookahead(todo, [_size(e) for e in todo], catalogue, dt.date.today(), workers)
    turns = _Turns(conn, entries, fingerprints, catalogue, dry_run, progress, finished)
    outcomes: list[Outcome] = []
    try:
        if dry_run:
            conn.execute("BEGIN")  # undone below: a dry run leaves the registry as it was
        try:
            retried = _retried(entries, todo)
            for index, entry in enumerate(entries):
                prepared = ahead.take(entry) if ahead else None
                outcomes.append(
                    turns.sync(index, prepared=prepared, record_rejection=not retried[index])
                )
            waiting = _waiting(outcomes)
            _record_deferred(conn, outcomes, waiting, dry_run)
            while waiting:  # again while one loads: a 撤销 of a 换发 waiting on its roster
                for index in waiting:
                    outcomes[index] = turns.sync(index, record_rejection=False)
                waiting = _waiting_on(outcomes, waiting)
            _record_deferred(conn, outcomes, [], dry_run)
        except BaseException:  # stopped (Ctrl-C, an error): no retry comes, record them now
            _record_deferred(conn, outcomes, [], dry_run)
            raise
    finally:
        if dry_run and conn.in_transaction:
            conn.execute("ROLLBACK")
        if ahead:
            ahead.close()
    return outcomes


def _waiting_on(outcomes: list[Outcome], retried: list[int]) -> list[int]:
    """Of the ``retried`` registers, those still refused that may refer to one this round
    loaded: only a status change's new number lets another load now, and a register refused
    for its own fault is not read again round after round."""
    done = (LOADED, UPDATED, CHECKED)
    loaded = [outcomes[i].entry.kind for i in retried if outcomes[i].outcome in done]
    return [
        i
        for i in retried
        if outcomes[i].outcome == REJECTED
        and any(_may_refer(kind, outcomes[i].entry.kind) for kind in loaded)
    ]


def _retried(entries: list[RegisterEntry], todo: list[RegisterEntry]) -> list[bool]:
    """Whether each register may be synced again in the run — a changed one listed after it may
    let it load (its roster, say) —, so that a refusal is recorded once the run is over, not
    when it is refused the first time round."""
    changed = {id(entry) for entry in todo}
    return [
        any(
            _may_refer(later.kind, entry.kind) and id(later) in changed
            for later in entries[index + 1 :]
        )
        for index, entry in enumerate(entries)
    ]


@dataclass(frozen=True)
class _Turns:
    """The run's registers synced one at a time, ``progress`` told before and ``finished``
    after each, with the seconds it took."""

    conn: sqlite3.Connection
    entries: list[RegisterEntry]
    fingerprints: list[str | Problem]
    catalogue: TradeCatalogue
    dry_run: bool
    progress: Callable[[int, int, RegisterEntry], None] | None
    finished: Callable[[Outcome, float], None] | None

    def sync(self, index: int, **options: Any) -> Outcome:
        entry = self.entries[index]
        if self.progress:
            self.progress(index + 1, len(self.entries), entry)
        started = time.monotonic()
        outcome = sync_register(
            self.conn,
            entry,
            self.catalogue,
            dry_run=self.dry_run,
            fingerprint=self.fingerprints[index],
            **options,
        )
        if self.finished:
            self.finished(outcome, time.monotonic() - started)
        return outcome
