"""The registry file: where it lives, how it is opened, and the one way to write to it.

One SQLite file in WAL mode. Every register is written inside one ``BEGIN IMMEDIATE``
transaction (`transaction`), so readers (the verification app, Datasette) and a process killed
mid-sync only ever see the state before or after a whole register.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from registry.store.schema import ensure_tables
from registry.store.stock import ensure_stock_view

DEFAULT_DB = Path("data/registry.db")
VERIFY_LOG_NAME = "verify_log.db"


def verify_log_path(registry: Path) -> Path:
    """The verification log lives beside the registry (SPEC §1): the app writes it, staff read it."""
    return registry.parent / VERIFY_LOG_NAME


def now() -> str:
    """The registry's clock: UTC, to the second, ISO 8601."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the registry. Writers get WAL and the schema; readers get ``mode=ro``."""
    if readonly:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
        )
        conn.execute("PRAGMA query_only = 1")
        return conn
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA busy_timeout = 10000")
    # 64 MiB of page cache: a register's inserts land all over the number index of a
    # registry of a million certificates; the default 2 MiB would re-read pages for every row.
    conn.execute("PRAGMA cache_size = -65536")
    # a roster's rows are matched against the registry through a temporary table (§二)
    conn.execute("PRAGMA temp_store = MEMORY")
    db = sqlite_utils.Database(conn)
    ensure_tables(db)
    ensure_stock_view(db)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, *, immediate: bool = True) -> Iterator[None]:
    """One write transaction: committed when the block ends, rolled back on any exception.

    ``immediate`` takes the write lock at once, so the checks made inside see exactly the state
    that is written to; a dry run passes False and rolls back itself."""
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
