"""How certreg writes a SQLite database: a transaction that commits when its block ends and
rolls back on any exception, its COMMIT too (the registry, the verification log, the watch
lists and the reports alike). A sync's register is the one exception: checked and written in
a scope of its own (`registry.sync.register`), which in a dry run of several registers is a
savepoint of the run's transaction, undone at its end."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction: committed when the block ends, rolled back on any exception. It
    takes the write lock at once (``BEGIN IMMEDIATE``), so the checks made inside see exactly
    the state that is written to."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")  # a COMMIT that fails (busy) leaves no transaction open either
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
