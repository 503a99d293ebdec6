"""A sync of many registers: each loaded whole or not at all (`registry.sync.register`), in the
manifest's order, with the registers to come read and checked ahead in worker processes
(`registry.sync.pipeline`), and those refused because a register they refer to came later in
the manifest synced again once it loaded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable

from registry.domain.clock import beijing_today
from registry.domain.numbers import MalformedNumber, parse
from registry.domain.registers import ROSTER_KINDS
from registry.domain.trades import TradeCatalogue
from registry.kinds.base import RegisterEntry
from registry.store import syncs
from registry.sync.outcome import REJECTED, RUN, Outcome
from registry.sync.pipeline import lookahead
from registry.sync.register import fingerprint_of, reject
from registry.sync.turns import WAITS_ON, Retries, Turns, may_retry


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


def new_run() -> str:
    """A run's stamp: when it began, to the microsecond (two runs a second apart are two)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


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
    listed before their roster), or requisitions lowered with their dispatches, is synced
    again once that one loaded (`registry.sync.turns`).

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
    ahead = lookahead(todo, [_size(e) for e in todo], catalogue, beijing_today(), workers)
    turns = Turns(conn, entries, fingerprints, catalogue, dry_run, progress, finished)
    outcomes: list[Outcome] = []
    run = RUN.set(RUN.get() or new_run())  # the caller's run, if it began one
    try:
        if dry_run:
            conn.execute("BEGIN")  # undone below: a dry run leaves the registry as it was
        try:
            retried = may_retry(entries, todo)
            retries = Retries(turns, outcomes)
            for index, entry in enumerate(entries):
                retries.before(entry.kind)
                prepared = ahead.take(entry) if ahead else None
                outcomes.append(
                    turns.sync(
                        index,
                        prepared=prepared,
                        record_rejection=not retried[index],
                        held_by=retries.held_by(index),
                    )
                )
                retries.record(index, retried[index])
            retries.at_end()
            _name_refused_sources(outcomes)
            _record_deferred(conn, outcomes, dry_run)
        except BaseException:  # stopped (Ctrl-C, an error): no retry comes, record them now
            _record_deferred(conn, outcomes, dry_run)
            raise
    finally:
        RUN.reset(run)
        if dry_run and conn.in_transaction:
            conn.execute("ROLLBACK")
        if ahead:
            ahead.close()
    return outcomes


def _regions_of(numbers: Iterable[str | None]) -> set[str]:
    """The regions of the well-formed numbers among ``numbers``: a roster numbers its own only
    (a 德阳 roster was named as maybe registering a 攀枝花 number)."""
    regions = set()
    for number in numbers:
        with contextlib.suppress(MalformedNumber):
            regions.add(parse(number or "").region)
    return regions


def _name_refused_sources(outcomes: list[Outcome]) -> None:
    """A register still refused for a number (or an approval) not registered, while a register
    of a kind that registers it was refused in this very run: the clerk is told to fix that one
    first — "请先导入其名册" alone reads as if the roster had never been listed."""
    refused = [o for o in outcomes if o.outcome == REJECTED]
    for outcome in refused:
        waiting = [p for p in outcome.problems if p.waits]
        if not waiting:
            continue
        sources = WAITS_ON.get(outcome.entry.kind, ())
        regions = _regions_of(p.number or p.value for p in waiting)  # in its own cell, or not
        if names := [
            o.entry.key
            for o in refused
            if o.entry.kind in sources
            and (o.entry.kind not in ROSTER_KINDS or not regions or o.entry.region in regions)
        ]:
            outcome.entry_notes.append(
                f"它引用的证书编号或申领批准尚未登记，而本次同步中 {'、'.join(names)} 被拒绝，"
                "可能正是登记它们的文件：请先按其问题改正，再重新运行 certreg sync"
            )
