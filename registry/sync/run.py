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

from registry.domain.numbers import normalise
from registry.domain.problems import Problem
from registry.domain.registers import (
    COLLECTIONS,
    DISPATCHES,
    LOAD_ORDER,
    REQUISITIONS,
    ROSTER_KINDS,
    STATUS_CHANGES,
)
from registry.domain.trades import TradeCatalogue
from registry.kinds.base import RegisterEntry
from registry.store import syncs
from registry.sync.outcome import CHECKED, LOADED, REJECTED, UNCHANGED, UPDATED, Outcome
from registry.sync.pipeline import lookahead
from registry.sync.register import fingerprint_of, reject, sync_register


def _size(entry: RegisterEntry) -> int:
    try:
        return entry.path.stat().st_size
    except OSError:
        return 0


def _record_deferred(conn: sqlite3.Connection, outcomes: list[Outcome], dry_run: bool) -> None:
    """Record the refusals held back for a retry that will not come, once each."""
    for outcome in outcomes:
        if outcome.fingerprint is not None:
            reject(conn, outcome, outcome.fingerprint, dry_run, record=True)
            outcome.fingerprint = None


DONE = (LOADED, UPDATED, CHECKED)
"""What a register's sync may have made of it that other registers can now refer to."""


def _may_refer(later: str, kind: str) -> bool:
    """Whether a register of ``kind`` may refer to what one of kind ``later`` registers: a kind
    of a lower `LOAD_ORDER`, or another status-change register (the new number of its 换发 or
    补发, which this one may revoke or replace again)."""
    return LOAD_ORDER[later] < LOAD_ORDER[kind] or later == kind == STATUS_CHANGES


WAITS_ON: dict[str, tuple[str, ...]] = {
    STATUS_CHANGES: ROSTER_KINDS,  # the numbers they change (a 换发's new number: the run's end)
    COLLECTIONS: (*ROSTER_KINDS, STATUS_CHANGES),
    DISPATCHES: (REQUISITIONS,),  # the approvals they draw on
}
"""What a register refused only for what a later register brings waits for: once one of these
kinds has loaded, it is tried again before the later registers that may refer to it."""


NUMBER = "证书编号"
"""The column of the numbers a waiting status-change or collections register names."""
MAX_LOOKED_UP = 500
"""Numbers looked up at once (SQLite's bound on parameters is far above); beyond, retried."""


class _Retries:
    """The registers refused while a register they may refer to was still to come, each synced
    again once such a register has loaded since its last try.

    Registers apply in the manifest's order. One refused only for what a later register brings
    (every problem `Problem.waits`: a number, an approval not registered yet) takes its turn as
    soon as a register of a kind it waits on (its roster, its requisitions) has loaded: a 撤销
    listed before the roster, the roster's 换发 after both, is retried before the 换发 is
    synced — applied after it, as the manifest does not say, the 换发 would win and the revoked
    certificate get a successor. (A 换发 listed first wins, as it would with the roster listed
    first.) Any other is tried again in the run's last rounds only — a wait for a register of
    its own kind, a refusal some later register may or may not mend, or one for its own fault —
    so that a register is not read again before every later one; so are the collections, which
    come after the status changes they may depend on (`LOAD_ORDER`) whatever the order."""

    def __init__(self, turns: _Turns, outcomes: list[Outcome]) -> None:
        self.turns = turns
        self.outcomes = outcomes
        self.loaded: list[str] = []
        """the kinds loaded in the run so far, in order"""
        self.pending: dict[int, int] = {}
        """index of a register to try again → how many had loaded at its last try"""
        self.waiting: set[int] = set()
        """those of them refused only for what a later register brings"""

    def record(self, index: int, may_retry: bool) -> None:
        """Take note of the register ``index``'s outcome: to try again, or loaded — by this
        run, or by another sync while it waited (unchanged on its retry)."""
        outcome = self.outcomes[index]
        waited = self.pending.pop(index, None) is not None
        self.waiting.discard(index)
        if outcome.outcome == REJECTED:
            if may_retry:
                self.pending[index] = len(self.loaded)
                if outcome.problems and all(p.waits for p in outcome.problems):
                    self.waiting.add(index)
        elif outcome.outcome in DONE or (waited and outcome.outcome == UNCHANGED):
            self.loaded.append(outcome.entry.kind)

    def before(self, kind: str | None) -> None:
        """Sync again, until none loads, the waiting registers that a register of ``kind`` may
        refer to (or is of their kind) and that one of a kind they wait on loaded for since
        their last try; None: at the end, every one to try again that any register it may
        refer to loaded for."""
        while ready := [
            index
            for index, since in sorted(self.pending.items(), key=self._order)
            if (kind is None or (index in self.waiting and self._found(index)))
            and self._helped(self.outcomes[index].entry.kind, self.loaded[since:], kind)
        ]:
            for index in ready:
                self.outcomes[index] = self.turns.sync(index, record_rejection=False)
                self.record(index, may_retry=True)

    def _found(self, index: int) -> bool:
        """Whether a number the register ``index`` waits for is registered now (True for one
        waiting for something else, an approval): a register waiting for a number no register
        brings is not read again before every later one, only at the run's end."""
        numbers = {
            normalise(p.value or "") for p in self.outcomes[index].problems if p.column == NUMBER
        }
        if not numbers or len(numbers) > MAX_LOOKED_UP:
            return True
        marks = ", ".join("?" * len(numbers))
        found = self.turns.conn.execute(
            f"SELECT 1 FROM certificates WHERE number IN ({marks}) LIMIT 1", sorted(numbers)
        )
        return found.fetchone() is not None

    @staticmethod
    def _helped(waiting: str, loaded: list[str], kind: str | None) -> bool:
        if kind is None:
            return any(_may_refer(k, waiting) for k in loaded)
        # before a register that may refer to it, or of its kind — or a roster after a status
        # change: §二 asks whether its holders hold a certificate still in force
        ahead = (
            kind == waiting
            or _may_refer(waiting, kind)
            or (waiting == STATUS_CHANGES and kind in ROSTER_KINDS)
        )
        return ahead and any(k in WAITS_ON.get(waiting, ()) for k in loaded)

    def _order(self, item: tuple[int, int]) -> tuple[int, int]:
        return LOAD_ORDER[self.outcomes[item[0]].entry.kind], item[0]


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
            retries = _Retries(turns, outcomes)
            for index, entry in enumerate(entries):
                retries.before(entry.kind)
                prepared = ahead.take(entry) if ahead else None
                outcomes.append(
                    turns.sync(index, prepared=prepared, record_rejection=not retried[index])
                )
                retries.record(index, retried[index])
            retries.before(None)
            _record_deferred(conn, outcomes, dry_run)
        except BaseException:  # stopped (Ctrl-C, an error): no retry comes, record them now
            _record_deferred(conn, outcomes, dry_run)
            raise
    finally:
        if dry_run and conn.in_transaction:
            conn.execute("ROLLBACK")
        if ahead:
            ahead.close()
    return outcomes


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
