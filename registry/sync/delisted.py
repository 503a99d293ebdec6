"""The loaded registers a folder's ``registers.toml`` no longer lists. Their certificates stay —
a certificate once registered is never deleted — and the public check answers for them as
before; but the list is what a registry is rebuilt from and what the clerk believes is loaded,
so a sync of that folder says so, and the history records when the list dropped a register
(an auditor reading it had found no trace of a withdrawn register) and when it listed it again.

Only registers loaded from the same folder are judged: several folders may feed one registry
(a city's own, the province's), and a register another folder lists is not missing from this
one. A register loaded by a file named on the command line belongs to no folder's list."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Sequence
from typing import NamedTuple

from registry.kinds.base import RegisterEntry
from registry.store import syncs
from registry.store.transactions import transaction
from registry.sync.outcome import DELISTED, RELISTED, RUN, Outcome, operator


class Delisted(NamedTuple):
    """A loaded register its folder's list left out."""

    key: str
    kind: str
    rows: int
    """the certificates (or events, requisitions …) the registry keeps from it"""
    since: str
    """when a sync of the folder first found it left out"""


def _folder(entries: Sequence[RegisterEntry]) -> str | None:
    """The one folder whose manifest lists ``entries``; None for a file named on the command
    line."""
    folders = {entry.folder for entry in entries}
    if len(folders) != 1 or None in folders:
        return None
    (folder,) = folders
    assert folder is not None
    return str(folder.resolve())


def mark_listing(
    conn: sqlite3.Connection,
    outcomes: Sequence[Outcome],
    beside: Sequence[str] = (),
    *,
    dry_run: bool = False,
) -> list[Delisted]:
    """The registers loaded from the folder whose manifest's sync had ``outcomes`` that the
    manifest no longer lists, the longest left out first. Unless ``dry_run``, the
    history records each register the list left out or listed again since the last sync, once,
    and a listed register loaded from elsewhere (or before registers knew their folder) becomes
    this folder's — unless the sync refused it (another city's file of the same name is not the
    loaded register). A nightly sync of an unchanged folder writes nothing (every write makes
    the replicas copy the registry). ``beside``: the spreadsheets in the folder its manifest
    does not list — a loaded register of one's name that no folder has claimed (loaded before
    registers knew their folder) is this folder's, left out of its list (a review: it was
    called never loaded)."""
    folder = _folder([outcome.entry for outcome in outcomes])
    if folder is None:
        return []
    listed = {outcome.entry.key for outcome in outcomes}
    claimed = {outcome.entry.key for outcome in outcomes if outcome.ok}
    with contextlib.nullcontext() if dry_run else transaction(conn):
        rows = _listing(conn, folder, listed, claimed, set(beside), dry_run)
    return sorted(rows, key=lambda d: (d.since, d.key))


def _listing(
    conn: sqlite3.Connection,
    folder: str,
    listed: set[str],
    claimed: set[str],
    beside: set[str],
    dry_run: bool,
) -> list[Delisted]:
    """`mark_listing` in its transaction."""
    unclaimed = ", ".join("?" * len(beside))
    if not dry_run:
        if claimed:
            conn.execute(
                f"UPDATE registers SET folder = ? WHERE key IN ({', '.join('?' * len(claimed))})"
                " AND folder IS NOT ?",
                (folder, *claimed, folder),
            )
        if beside:
            conn.execute(
                f"UPDATE registers SET folder = ? WHERE folder IS NULL AND key IN ({unclaimed})",
                (folder, *beside),
            )
    rows = conn.execute(
        "SELECT key, kind, file, authority, fingerprint, rows, delisted FROM registers"
        f" WHERE folder = ? OR (folder IS NULL AND key IN ({unclaimed or 'NULL'}))",
        (folder, *beside),
    ).fetchall()
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for key, kind, file, authority, fingerprint, count, delisted in rows:
        if dry_run or (key in listed) != (delisted is not None):
            continue  # as the history has it
        attempt = syncs.Attempt(
            key,
            file,
            kind,
            fingerprint,
            RELISTED if delisted else DELISTED,
            count,
            operator(),
            authority=authority,
            run=RUN.get(),
        )
        syncs.record_attempt(conn, attempt, now)
        conn.execute(
            "UPDATE registers SET delisted = ? WHERE key = ?", (None if delisted else now, key)
        )
    return [
        Delisted(key, kind, count, delisted or now)
        for key, kind, _, _, _, count, delisted in rows
        if key not in listed
    ]
