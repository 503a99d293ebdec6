"""The reports of suspected forgeries in the verification log (§五.(三)) as
staff read and handle them from the shell: the queue, newest first, with how often each number
was checked, and what was done about a report (kept beside it, the report itself unchanged)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from registry.store.db import now, read_only
from registry.store.verify_log import prepare_log, selected

COLUMNS = (
    "id",
    "ref",
    "at",
    "number",
    "result",
    "mismatched",
    "authority",
    "contact",
    "text",
    "checked_at",
    "receipt",
    "client",
)


REF = "CAST(coalesce(r.ref, r.id) AS TEXT)"
"""A report's number as staff and the employer quote it (the ``id`` of one older than numbers)."""
LATEST_OUTCOME = (
    "(SELECT o.{0} FROM report_outcomes o WHERE o.ref = " + REF + " ORDER BY o.id DESC LIMIT 1)"
)
EARLIER_OUTCOMES = (
    "(SELECT json_group_array(json_array(at, staff, action)) FROM (SELECT o.* FROM"
    " report_outcomes o WHERE o.ref = " + REF + " ORDER BY o.id DESC LIMIT -1 OFFSET 1))"
)
"""What staff recorded about a report before the latest, newest first, as JSON: an outcome
recorded again (误报 after 已移交公安机关) does not hide the first."""


def read_reports(
    log: Path, authority: str | None, limit: int, pending: bool = False
) -> list[dict[str, Any]]:
    """The reports, newest first, each with how often its number was checked and what staff
    last recorded doing about it; only those with nothing recorded when ``pending``."""
    conn = read_only(log)
    conn.row_factory = sqlite3.Row
    try:
        columns = selected(conn, "reports", COLUMNS, "r.")
        if columns is None:
            return []
        handled = selected(conn, "report_outcomes", ("id",)) is not None
        outcome = ", ".join(
            (LATEST_OUTCOME.format(column) if handled else "NULL") + f" AS {alias}"
            for column, alias in (
                ("at", "handled_at"),
                ("staff", "handled_by"),
                ("action", "outcome"),
            )
        )
        outcome += f", {EARLIER_OUTCOMES if handled else 'NULL'} AS earlier"
        rows = conn.execute(
            f"SELECT {columns}, {outcome},"
            " (SELECT count(*) FROM checks c WHERE c.number = r.number) AS checks,"
            # as staff's queue counts them (metadata.yml, report_queue): a check without a
            # name (未查验, logged with an empty hash) is no failure of the number
            " (SELECT count(*) FROM checks c WHERE c.number = r.number"
            "   AND c.result IN ('no_match', 'malformed') AND c.name_hash != '') AS failed_checks"
            " FROM reports r WHERE (? IS NULL OR r.authority = ?)"
            f" AND NOT (? AND {LATEST_OUTCOME.format('id') if handled else 'NULL'} IS NOT NULL)"
            " ORDER BY r.id DESC LIMIT ?",
            (authority, authority, pending, limit),
        ).fetchall()
    finally:
        conn.close()
    return [{**row, "earlier": json.loads(row["earlier"] or "[]")} for row in map(dict, rows)]


def registry_statuses(db: Path, numbers: list[str]) -> dict[str, str]:
    """What the registry holds of each of ``numbers`` now (its status code; absent: no such
    number): a 未查到 reported may be registered since, a 有效 revoked since."""
    conn = read_only(db)
    try:
        return dict(
            conn.execute(
                "SELECT number, status FROM certificates WHERE number IN"
                " (SELECT value FROM json_each(?))",
                (json.dumps(numbers),),
            ).fetchall()
        )
    finally:
        conn.close()


def record_outcome(log: Path, ref: str, outcome: str, by: str) -> str | None:
    """Record what was done about the report numbered ``ref`` (as listed: 20261201-7F3A9C, or
    the id of a report older than numbers); the number as stored, None when no report has it."""
    conn = sqlite3.connect(log, timeout=5, isolation_level=None)
    try:
        prepare_log(conn)  # a log written before report_outcomes: the table is added
        row = conn.execute(
            f"SELECT {REF} FROM reports r WHERE upper(r.ref) = ? OR (r.ref IS NULL AND r.id = ?)",
            (ref, int(ref) if ref.isdigit() else None),
        ).fetchone()
        if row is None:
            return None
        conn.execute(
            "INSERT INTO report_outcomes (ref, at, staff, action) VALUES (?, ?, ?, ?)",
            (row[0], now(), by, outcome),
        )
        return str(row[0])
    finally:
        conn.close()
