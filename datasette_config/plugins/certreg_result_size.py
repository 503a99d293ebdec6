"""A bound on all that one staff query returns (SPEC §8: every page answers within 1 s, for
every member of staff at once).

Each value a query makes is bounded (`certreg_sql.MAX_VALUE_BYTES`) and so are its rows
(``max_returned_rows``), but not their product: 5,000 values of 98 KB — a recursive CTE over
``zeroblob`` — made 490 MB of JSON, built on Datasette's event loop, which stalled every other
staff page for seconds and took 2 GB. A query's rows are counted as they are fetched, and the
query stops once they exceed `MAX_RESULT_CHARS`.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette import hookimpl

MAX_RESULT_CHARS = 5_000_000
"""Characters (and bytes of BLOBs) one query may return: a 5,000-row canned query of twenty
columns is about a tenth of it."""
TOO_LARGE = (
    f"查询结果过大（超过 {MAX_RESULT_CHARS:,} 个字符）：为不拖慢其他职员的页面，一次查询最多返回"
    "这么多内容。请减少列或行（加 WHERE 条件或 LIMIT）后再查询。"
)


class _Budget:
    """The characters fetched so far by a connection's current cursor (a connection is used
    by one thread at a time, one query after another)."""

    def __init__(self) -> None:
        self.cursor: sqlite3.Cursor | None = None
        self.spent = 0

    def row(self, cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> sqlite3.Row:
        if cursor is not self.cursor:
            self.cursor, self.spent = cursor, 0
        self.spent += sum(len(v) for v in values if isinstance(v, str | bytes))
        if self.spent > MAX_RESULT_CHARS:
            raise sqlite3.OperationalError(TOO_LARGE)
        return sqlite3.Row(cursor, values)


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.row_factory = _Budget().row
