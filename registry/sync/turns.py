"""The turns of a sync's registers: each synced in the manifest's order, and again once what
it was refused for may have come — a register it may refer to, listed later, has loaded
(`Retries`).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
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
from registry.kinds.status_changes import HELD
from registry.store.by_number import rows_by_number
from registry.sync.outcome import CHECKED, LOADED, REJECTED, UNCHANGED, UPDATED, Outcome
from registry.sync.register import sync_register

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


FREED_BY: dict[str, tuple[str, ...]] = {REQUISITIONS: (DISPATCHES,)}
"""Kinds that refer to a register's, whose new version may still let it load: requisitions
lowered below what was dispatched load once the dispatches corrected in the same run have."""


def _may_free(later: str, kind: str) -> bool:
    """Whether a register of ``kind`` refused may load after one of kind ``later`` has: one it
    may refer to (`_may_refer`), or one that refers to it and was corrected too (`FREED_BY`)."""
    return _may_refer(later, kind) or later in FREED_BY.get(kind, ())


WAITS_ON: dict[str, tuple[str, ...]] = {
    STATUS_CHANGES: ROSTER_KINDS,  # the numbers they change (a 换发's new number: the run's end)
    COLLECTIONS: (*ROSTER_KINDS, STATUS_CHANGES),
    DISPATCHES: (REQUISITIONS,),  # the approvals they draw on
}
"""What a register refused only for what a later register brings waits for: once one of these
kinds has loaded, it is tried again before the later registers that may refer to it."""


NUMBER = "证书编号"
"""The column of the numbers a waiting status-change or collections register names."""


class Retries:
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

    def __init__(self, turns: Turns, outcomes: list[Outcome]) -> None:
        self.turns = turns
        self.outcomes = outcomes
        self.loaded: list[str] = []
        """the kinds loaded in the run so far, in order"""
        self.loaded_keys: list[str] = []
        """the registers of `loaded`, by their key"""
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
            self.loaded_keys.append(outcome.entry.key)

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

    def held_by(self, index: int) -> dict[str, str]:
        """Number → the earlier status-change register that changes it and waits for a roster of
        the run, for the register ``index``, a status change too: synced first, its 换发 of a
        certificate the earlier one revokes won — the 撤销, retried, found the certificate
        exchanged, and the revoked certificate had a valid successor. Its events of those
        certificates wait their turn (`held_problems`): retried after the earlier one, or at
        the run's end. Nothing when no roster is to come, or it changes other certificates."""
        entry = self.turns.entries[index]
        later = self.turns.entries[index + 1 :]
        if entry.kind != STATUS_CHANGES or not any(e.kind in WAITS_ON[entry.kind] for e in later):
            return {}
        return {
            number: self.outcomes[i].entry.key
            for i in sorted(self.hopeful, reverse=True)  # the first one's name, of several
            if i < index
            and self.outcomes[i].entry.kind == entry.kind
            and all(p.waits for p in self.outcomes[i].problems)  # it may load in the run
            for number in self.outcomes[i].names
        }

    def at_end(self) -> None:
        """Sync again, until none loads, every register to try again that a register it may
        refer to — or one freeing it (`FREED_BY`) — loaded for since its last try (collections
        after status changes, requisitions after their dispatches corrected)."""
        while ready := [
            index
            for index, since in sorted(self.pending.items(), key=self._order)
            if any(_may_free(k, self.outcomes[index].entry.kind) for k in self.loaded[since:])
            or any(p.code == HELD for p in self.outcomes[index].problems)
        ]:
            for index in ready:
                self._again(index, held_by={})  # the run's end: no register waits any more

    def _again(self, index: int, held_by: dict[str, str] | None = None) -> None:
        """Sync the register ``index`` again; loaded, its report line says after which (a
        clerk's review: a 变更 listed before its roster read 已导入 first, as if it had not
        needed it)."""
        held = self.held_by(index) if held_by is None else held_by
        kind, since = self.outcomes[index].entry.kind, self.pending[index]
        freeing = [
            key
            for key, later in zip(self.loaded_keys[since:], self.loaded[since:], strict=True)
            if _may_free(later, kind)
        ]
        if holding := self._holding(index):  # those that registered its numbers, when it knows
            freeing = [key for key in freeing if key in holding] or freeing
        outcome = self.turns.sync(index, record_rejection=False, held_by=held)
        self.outcomes[index] = outcome
        if outcome.outcome in DONE and freeing:
            outcome.entry_notes.append(
                f"它引用的证书（或批准）由本次同步中列在后面的 {'、'.join(freeing)} 登记，"
                "已在其导入后再检查、导入"
            )
        self.record(index, may_retry=True)

    def _holding(self, index: int) -> set[str]:
        """The registers that hold the numbers the register ``index`` waited for."""
        numbers = sorted(self._waited_numbers(index))
        query = "SELECT register FROM certificates WHERE number IN ({numbers})"
        return {register for (register,) in rows_by_number(self.turns.conn, query, numbers)}

    def _waited_numbers(self, index: int) -> set[str]:
        return {
            normalise(p.value or "")
            for p in self.outcomes[index].problems
            if p.waits and p.column == NUMBER
        }

    def _found(self, index: int) -> bool:
        """Whether every number the register ``index`` waits for is registered now (True for
        one waiting for something else, an approval): a register refused whole while one is
        missing is not read again before every later one — one waiting for a number no
        register brings, only at the run's end."""
        numbers = sorted(self._waited_numbers(index))
        query = "SELECT number FROM certificates WHERE number IN ({numbers})"
        return len(list(rows_by_number(self.turns.conn, query, numbers))) == len(numbers)

    def _order(self, item: tuple[int, int]) -> tuple[int, int]:
        return LOAD_ORDER[self.outcomes[item[0]].entry.kind], item[0]


def may_retry(entries: list[RegisterEntry], todo: list[RegisterEntry]) -> list[bool]:
    """Whether each register may be synced again in the run — a changed one listed after it may
    let it load (its roster, say) —, so that a refusal is recorded once the run is over, not
    when it is refused the first time round."""
    changed = {id(entry) for entry in todo}
    return [
        any(
            _may_free(later.kind, entry.kind) and id(later) in changed
            for later in entries[index + 1 :]
        )
        for index, entry in enumerate(entries)
    ]


@dataclass(frozen=True)
class Turns:
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
        """Sync register ``index`` (`sync_register`, with its fingerprint taken once for the
        run), telling ``progress`` before and ``finished`` after: the one way `sync_entries` syncs
        a register, first time round or again, so each attempt is shown and timed alike."""
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
