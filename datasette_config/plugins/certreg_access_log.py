"""The staff server's logs without personal data.

- uvicorn logs each request line, and a staff search carries the holder's name in its query
  string (``/registry/holders?姓名=…``, a table filter ``?name__exact=…``): the public app's
  filter (`registry.public.access_log`) keeps each query's keys and drops its values.
- Datasette writes a failed query to stderr with its SQL, parameters and error (``ERROR: conn=…,
  sql = …, params = …: error``), each of which may hold the name a canned query or a staff
  member's own SQL looked for: the line becomes a note that a query failed. So do a CSV
  export's later page that fails (``Caught this error: …``) and its default error handler's
  traceback of a query the time limit interrupted (a CSV export's first page: ``QueryInterrupted:
  (…, "… where name = '司马相如'", …)``).
"""

from __future__ import annotations

import sqlite3
import sys
import traceback
from typing import Any, TextIO

from datasette import handle_exception as default_handler
from datasette import hookimpl
from datasette.database import QueryInterrupted

from registry.public.access_log import redact_access_log

FAILED_QUERY = "ERROR: 职员查询失败（查询语句、参数和错误信息可能含姓名，不写入日志）\n"


class RedactFailedQueries:
    """stderr with each of Datasette's failed-query lines replaced by a plain note: the staff
    member sees the error on the page; the log keeps only that a query failed (whatever the
    parameters' form — a line is never matched field by field, so none slips through)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        if text.startswith(("ERROR: conn=", "Caught this error: ")):
            text = FAILED_QUERY
        return self.stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


class QuietTraceback:
    """The ``traceback`` module of Datasette's default error handler, which prints every error
    it does not know — a failed query's with its SQL and parameters: a failed query is the note,
    any other error (a fault of the code) its traceback."""

    @staticmethod
    def print_exc() -> None:
        if isinstance(sys.exception(), QueryInterrupted | sqlite3.Error):
            sys.stderr.write(FAILED_QUERY)
        else:
            traceback.print_exc()


@hookimpl
def startup(datasette: Any) -> None:
    redact_access_log()
    default_handler.traceback = QuietTraceback
    if not isinstance(sys.stderr, RedactFailedQueries):
        sys.stderr = RedactFailedQueries(sys.stderr)
