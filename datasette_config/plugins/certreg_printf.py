"""``printf(…)`` and ``format(…)`` in staff SQL, without the one call no time limit stops.

SQLite's printf builds a width or precision of millions (``printf('%.*c', 2147483647, 'a')``)
for 7 s before it finds the text too big and answers NULL; the call is not interrupted, so it
held one of Datasette's three query threads past the 3-second limit (three such queries, every
page). Here a width or precision over `MAX_WIDTH` answers that NULL at once; any other call is
SQLite's own printf, on a connection of the thread's own.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from typing import Any

from datasette import hookimpl

from datasette_config.plugins.certreg_sql import MAX_VALUE_BYTES

MAX_WIDTH = MAX_VALUE_BYTES
"""No text a staff query makes is longer (SQLITE_LIMIT_LENGTH): a wider one is NULL anyway."""
_SPEC = re.compile(r"%[-+ 0#,!]*(\d+|\*)?(?:\.(\d+|\*))?(?:ll|l)?(.)", re.DOTALL)
"""A conversion of SQLite's printf: flags, width, precision (a number, or * for the next
argument), the conversion's letter (or % for a %)."""


class _Printf:
    """SQLite's printf, on a private in-memory connection per thread (the staff connection's own
    printf is this function)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = sqlite3.connect(":memory:", check_same_thread=False)
            conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        return conn

    def too_wide(self, form: object, args: tuple[Any, ...]) -> bool:
        """Whether ``form`` asks for a width or precision over `MAX_WIDTH`, ``*`` read from
        ``args`` as SQLite reads them (``CAST(… AS INTEGER)``: '2147483647x' is 2147483647,
        1e400 the largest integer), each conversion taking its value after its ``*`` ones."""
        if isinstance(form, bytes):
            form = form.decode("utf-8", "replace")
        if not isinstance(form, str):
            return False
        taken = 0
        for width, precision, conversion in _SPEC.findall(form):
            if conversion == "%":
                continue
            for part in (width, precision):
                if part == "*":
                    given = args[taken] if taken < len(args) else 0
                    taken += 1
                    row = self._conn().execute("SELECT CAST(? AS INTEGER)", (given,))
                    wanted = abs(row.fetchone()[0] or 0)
                else:
                    wanted = int(part or 0)
                if wanted > MAX_WIDTH:
                    return True
            taken += 1
        return False

    def __call__(self, form: object = None, *args: Any) -> Any:
        if self.too_wide(form, args):
            return None
        marks = ", ".join("?" * (len(args) + 1))
        return self._conn().execute(f"SELECT printf({marks})", (form, *args)).fetchone()[0]


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    printf = _Printf()
    for name in ("printf", "format"):
        conn.create_function(name, -1, printf)
