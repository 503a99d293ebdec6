"""The one way certreg writes a SQLite database: a transaction that commits when its block ends
and rolls back on any exception, its COMMIT too (the registry, the verification log, the
watch lists and the reports alike)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def transaction(conn: sqlite3.Connection, *, immediate: bool = True) -> Iterator[None]:
    """One write transaction: committed when the block ends, rolled back on any exception.

    ``immediate`` takes the write lock at once, so the checks made inside see exactly the state
    that is written to; a dry run passes False and rolls back itself."""
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield
        conn.execute("COMMIT")  # a COMMIT that fails (busy) leaves no transaction open either
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
