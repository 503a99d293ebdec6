"""Rows looked up for many certificate numbers at once, a bounded number per statement."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

LOOKED_UP = 500
"""Numbers bound in one statement (SQLite's bound on parameters is far above)."""


def rows_by_number(
    conn: sqlite3.Connection, query: str, numbers: Sequence[str], *params: object
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``query`` for ``numbers``, `LOOKED_UP` at a time in its ``{numbers}``
    placeholder (``params`` bound after them): a register's own numbers, looked up by key, not a
    table read whole."""
    for start in range(0, len(numbers), LOOKED_UP):
        chunk = list(numbers[start : start + LOOKED_UP])
        yield from conn.execute(
            query.format(numbers=", ".join("?" * len(chunk))), [*chunk, *params]
        )
