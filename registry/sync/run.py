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


def _conflict(first: str, then: str) -> bool:
    """Whether registers of these kinds may speak of the same certificates, so that which of
    them applies first matters: of one kind, or one referring to the other."""
    return first == then or _may_refer(first, then) or _may_refer(then, first)


def _ahead(waiting: str, kind: str) -> bool:
    """Whether a register of kind ``waiting`` is retried before one of ``kind``: one that may
    refer to it or is of its kind — or a roster after a status change, as §二 asks whether its
    holders hold a certificate still in force."""
    return (
        kind == waiting
        or _may_refer(waiting, kind)
        or (waiting == STATUS_CHANGES and kind in ROSTER_KINDS)
    )


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
LOOKED_UP = 500
"""Numbers looked up in one statement (SQLite's bound on parameters is far above)."""


class _Retries:
    """The registers refused while a register they may refer to was still to come, each synced
    again once such a register has loaded since its last try.

    Registers apply in the manifest's order. One refused for something a later register brings
    (a problem that `Problem.waits`: a number, an approval not registered yet) takes its turn
    as soon as that has come — a register of a kind it waits on (`WAITS_ON`) loaded, and every
    number it waits for registered — before the later registers that may speak of the same
    certificates: a 撤销 listed before the roster, the roster's 换发 after both, is retried
    before the 换发 is synced; applied after it, as the manifest does not say, the 换发 would
    win and the revoked certificate get a successor. (A 换发 listed first wins, as it would
    with the roster listed first.) None goes before an earlier one of a kind it may conflict
    with that may still load. Any other refusal — for its own fault, or a wait for a register
    of its own kind — is tried again in the run's last rounds only, so that a register is not
    read again before every later one; so are the collections, which come after the status
    changes they may depend on (`LOAD_ORDER`) whatever the manifest's order."""

    def __init__(self, turns: _Turns, outcomes: list[Outcome]) -> None:
        self.turns = turns
        self.outcomes = outcomes
        self.loaded: list[str] = []
        """the kinds loaded in the run so far, in order"""
        self.pending: dict[int, int] = {}
        """index of a register to try again → how many had loaded at its last try"""
        self.hopeful: set[int] = set()
        """those of them refused for some of that: they may load later in the run"""

    def record(self, index: int, may_retry: bool) -> None:
        """Take note of the register ``index``'s outcome: to try again, or loaded — by this
        run, or by another sync while it waited (unchanged on its retry)."""
        outcome = self.outcomes[index]
        waited = self.pending.pop(index, None) is not None
        self.hopeful.discard(index)
        if outcome.outcome == REJECTED:
            if may_retry:
                self.pending[index] = len(self.loaded)
                if any(p.waits for p in outcome.problems):
                    self.hopeful.add(index)
        elif outcome.outcome in DONE or (waited and outcome.outcome == UNCHANGED):
            self.loaded.append(outcome.entry.kind)

    def before(self, kind: str) -> None:
        """Sync again, until none loads, the registers that wait for what has come since their
        last try, before a register of ``kind`` that may speak of their certificates."""
        loads = -1
        while loads != len(self.loaded):  # again while one loads: it may free another
            loads = len(self.loaded)
            held: list[str] = []  # kinds of the registers passed over that may still load
            for index, since in sorted(self.pending.items()):  # in the manifest's order
                waiting = self.outcomes[index].entry.kind
                if (
                    index in self.hopeful
                    and not any(_conflict(k, waiting) for k in held)
                    and _ahead(waiting, kind)
                    and any(k in WAITS_ON.get(waiting, ()) for k in self.loaded[since:])
                    and self._found(index)
                ):
                    self._again(index)
                if index in self.hopeful:  # may load later: none after it of its kind goes first
                    held.append(waiting)

    def at_end(self) -> None:
        """Sync again, until none loads, every register to try again that a register it may
        refer to loaded for since its last try (collections after status changes)."""
        while ready := [
            index
            for index, since in sorted(self.pending.items(), key=self._order)
            if any(_may_refer(k, self.outcomes[index].entry.kind) for k in self.loaded[since:])
        ]:
            for index in ready:
                self._again(index)

    def _again(self, index: int) -> None:
        self.outcomes[index] = self.turns.sync(index, record_rejection=False)
        self.record(index, may_retry=True)

    def _found(self, index: int) -> bool:
        """Whether every number the register ``index`` waits for is registered now (True for
        one waiting for something else, an approval): a register refused whole while one is
        missing is not read again before every later one — one waiting for a number no
        register brings, only at the run's end."""
        numbers = sorted(
            {
                normalise(p.value or "")
                for p in self.outcomes[index].problems
                if p.waits and p.column == NUMBER
            }
        )
        for start in range(0, len(numbers), LOOKED_UP):
            chunk = numbers[start : start + LOOKED_UP]
            (found,) = self.turns.conn.execute(
                f"SELECT count(*) FROM certificates WHERE number IN ({', '.join('?' * len(chunk))})",
                chunk,
            ).fetchone()
            if found < len(chunk):
                return False
        return True

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
            retries.at_end()
            _name_refused_sources(outcomes)
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


def _name_refused_sources(outcomes: list[Outcome]) -> None:
    """A register still refused for a number (or an approval) not registered, while a register
    of a kind that registers it was refused in this very run: the clerk is told to fix that one
    first — "请先导入其名册" alone reads as if the roster had never been listed."""
    refused = [o for o in outcomes if o.outcome == REJECTED]
    for outcome in refused:
        if not any(p.waits for p in outcome.problems):
            continue
        sources = WAITS_ON.get(outcome.entry.kind, ())
        if names := [o.entry.key for o in refused if o.entry.kind in sources]:
            outcome.entry_notes.append(
                f"它引用的证书编号或申领批准尚未登记，而本次同步中 {'、'.join(names)} 被拒绝，"
                "可能正是登记它们的文件：请先按其问题改正，再重新运行 certreg sync"
            )


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
