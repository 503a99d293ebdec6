"""Switching a SQLite file to WAL when other processes may be doing the same."""

from __future__ import annotations

import random
import sqlite3
import time


def enter_wal(conn: sqlite3.Connection, *, wait: float = 10.0) -> None:
    """Put ``conn``'s file in WAL mode, waiting up to ``wait`` seconds for other writers.

    The switch needs the file to itself, and SQLite answers "database is locked" at once, without
    its busy timeout, when the connection already reads the file and another holds the write lock
    (each would wait for the other): two syncs, or two server workers, started together on a file
    not made yet. WAL is kept in the file, so once one has switched it the others need no lock."""
    deadline = time.monotonic() + wait
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01 + random.random() * 0.05)  # apart, so they do not collide again
