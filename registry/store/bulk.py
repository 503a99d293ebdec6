"""A registry's first load: the staff's facet indexes built once at the end, not row by row.

Each certificate the sync inserts goes into every index of ``certificates``. The six facet
indexes (`registry.store.schema.FACET_INDEXES`) serve only the staff's pages, and kept up row by
row they cost about as much as the rest of the write (8 s of a million rows here, against 4 s to
build them once over the finished table). When a sync writes into an empty registry, they are dropped
before its first register and built after its last; the indexes the sync's own checks read (the
number, the register, the holder) stay. A sync killed in between leaves them missing, and the
next writer's `registry.store.connect` builds them (`ensure_tables`), so the registry is never
left without them for longer than a sync.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlite_utils

from registry.store.schema import FACET_INDEXES, ensure_tables


def _is_empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM certificates LIMIT 1").fetchone() is None


@contextmanager
def facet_indexes_after(
    conn: sqlite3.Connection, *, defer: bool, building: Callable[[], None] | None = None
) -> Iterator[None]:
    """Within the block, without the facet indexes if ``defer`` and the registry has no
    certificate yet; on leaving it, however, they are built again (``building`` is told first:
    seconds at a million rows) and the planner's statistics taken over the whole table."""
    db = sqlite_utils.Database(conn)
    deferred = defer and _is_empty(conn)
    if deferred:
        for index in db.table("certificates").indexes:
            if tuple(index.columns) in FACET_INDEXES:
                conn.execute(f"DROP INDEX [{index.name}]")
    try:
        yield
    finally:
        if deferred and not conn.in_transaction:  # else the next writer's connect builds them
            if building:
                building()
            ensure_tables(db)
            if not _is_empty(conn):
                conn.execute("ANALYZE certificates")
