"""Which verification log a file is: a random id written once into the log, and on the registry
host the marks of every log collected, by that id. Two replicas publishing their logs to one
address (a copy-paste of deploy/env/replica.env) were told apart only by ids going back: the
other replica's rows were merged as the first's, and its mark taken over — once the address was
mended, the first's checks already collected were merged again."""

from __future__ import annotations

import secrets
import sqlite3
from typing import NamedTuple

import sqlite_utils

from registry.store.db import now

LOG_IDENTITY_COLUMNS: dict[str, type] = {"id": str, "created_at": str}
"""The ``log_identity`` table: one row, the log's id (16 random hex digits: two logs never share
one, but for a file copied whole) and when it was given (UTC). Written when the log is made, or
— a log an older certreg made — when this version first opens it; never changed."""

COLLECTED_LOGS_COLUMNS: dict[str, type] = {
    "log_id": str,
    "replica": str,
    "last_source_id": int,
    "last_report_id": int,
}
"""``collected_logs`` on the registry host: per log ever collected (its ``log_identity``), the
replica it was collected as and the last check and report taken from it — the marks a log
resumes from, whichever replica's row (``replica_logs``) it comes back under, so no row of it is
merged twice."""


class Identity(NamedTuple):
    """A log's identity as its ``log_identity`` row holds it."""

    id: str
    created_at: str


def ensure_log_identity(conn: sqlite3.Connection) -> None:
    """Give the log its identity where it has none: inside `prepare_log`'s transaction, so the
    workers of one server, preparing a log at once, give it one between them."""
    sqlite_utils.Database(conn).table("log_identity").create(
        LOG_IDENTITY_COLUMNS, pk="id", not_null=set(LOG_IDENTITY_COLUMNS), if_not_exists=True
    )
    conn.execute(
        "INSERT INTO log_identity (id, created_at) SELECT ?, ?"
        " WHERE NOT EXISTS (SELECT 1 FROM log_identity)",
        (secrets.token_hex(8), now()),
    )


def log_identity(conn: sqlite3.Connection) -> Identity | None:
    """The log's identity; None for a log no version that gives one has opened yet (a replica
    still on an older certreg)."""
    if not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'log_identity'"
    ).fetchone():
        return None
    found = conn.execute(
        "SELECT id, created_at FROM log_identity ORDER BY rowid LIMIT 1"
    ).fetchone()
    return Identity(*found) if found else None


def ensure_collected_logs(conn: sqlite3.Connection) -> None:
    """Create the registry host's ``collected_logs`` where missing."""
    sqlite_utils.Database(conn).table("collected_logs").create(
        COLLECTED_LOGS_COLUMNS,
        pk="log_id",
        not_null=set(COLLECTED_LOGS_COLUMNS),
        if_not_exists=True,
    )
