"""``registry_status(number)`` in the verification log's SQL: what the registry holds of a number
a visitor checked — its status, or 无此编号.

The log and the registry are two databases, which Datasette's queries cannot join: the list of
numbers that failed their checks (屡查不符的证书编号) could not tell a registered certificate
checked with wrong names from a number that does not exist (a forged one), and staff looked the
numbers up one at a time. The lookup is by primary key on a read-only connection of its own.

``registry_ended_at(number)``: since when (UTC, the sync that recorded it) the registry has held a
revoked or replaced certificate so — for the auditor's list of checks answered 有效 of
certificates ended since (and of those answered after: a replica that had not had the change). A
certificate reissued under its own number is one of them: its earlier paper is void (an
auditor's review found an employer told 有效 of it left out)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from datasette import hookimpl

from datasette_config.launch import REGISTRY_NAME
from registry.domain.statuses import REISSUED, RESULT_LABELS, REVOKED, SUPERSEDED, status_after
from registry.store.db import read_only

LOG = "verify_log"
NOT_REGISTERED = "无此编号"
FUNCTION = "registry_status"
"""Its name in SQL."""
ENDED_AT = "registry_ended_at"
ENDED_NUMBERS = "registry_ended_numbers"
"""``registry_ended_numbers()``: the numbers the registry holds revoked, replaced or reissued,
each with its status, as a JSON array of pairs — what the auditor's query walks (by the log's
number index), not the whole log."""
ENDED = (REVOKED, SUPERSEDED, REISSUED)
"""The statuses whose papers issued before may be void: a reissued certificate's earlier paper."""

_EVENTS = """SELECT e.type, e.new_number, s.at FROM status_events e JOIN syncs s ON s.id = e.sync
WHERE e.number = ? ORDER BY s.at, e.id"""


class Registry:
    """The registry read for one connection of the log (Datasette's threads each have one)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def rows(self, sql: str, *params: str) -> list[tuple[Any, ...]] | None:
        """``sql``'s rows for ``params``; None while the registry cannot be read."""
        try:
            if self._conn is None:
                self._conn = read_only(self.path, check_same_thread=False)
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error:  # the registry being replaced, say: the cell is left empty
            return None

    def status(self, number: object) -> str | None:
        """``registry_status``: its status's label, or 无此编号."""
        if not isinstance(number, str):
            return None
        rows = self.rows("SELECT status FROM certificates WHERE number = ?", number)
        if rows is None:
            return None
        return RESULT_LABELS.get(rows[0][0], rows[0][0]) if rows else NOT_REGISTERED

    def ended_numbers(self) -> str:
        """``registry_ended_numbers()``: a JSON array of [number, status] (empty while the
        registry cannot be read)."""
        rows = self.rows(
            "SELECT number, status FROM certificates WHERE status IN (?, ?, ?)", *ENDED
        )
        return json.dumps([list(row) for row in rows or []])

    def ended_at(self, number: object) -> str | None:
        """``registry_ended_at``: when the first sync that revoked or replaced the certificate
        it is now ran — or, reissued under its number, the last that did: a second 补发 voids
        the first's paper (a staff review); None while it is valid or not registered."""
        if not isinstance(number, str):
            return None
        status = self.rows("SELECT status FROM certificates WHERE number = ?", number)
        if not status or status[0][0] not in ENDED:
            return None
        events = self.rows(_EVENTS, number) or []
        ats = [at for kind, new, at in events if status_after(kind, new) == status[0][0]]
        return (ats[-1] if status[0][0] == REISSUED else ats[0]) if ats else None


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    registry = datasette.databases.get(REGISTRY_NAME)
    if database == LOG and registry is not None and registry.path:
        read = Registry(Path(registry.path))
        conn.create_function(FUNCTION, 1, read.status)
        conn.create_function(ENDED_AT, 1, read.ended_at)
        conn.create_function(ENDED_NUMBERS, 0, read.ended_numbers)
