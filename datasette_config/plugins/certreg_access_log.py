"""The staff server's logs without personal data.

- uvicorn logs each request line, and a staff search carries the holder's name in its query
  string (``/registry/holders?姓名=…``, a table filter ``?name__exact=…``): the public app's
  filter (`verify_app.access_log`) keeps each query's keys and drops its values.
- Datasette writes a failed query to stderr with its SQL and parameters (``ERROR: conn=…, sql =
  …, params = …: error``), which hold the name a canned query or a staff member's own SQL looked
  for: only the error is kept.
"""

from __future__ import annotations

import re
import sys
from typing import Any, TextIO

from datasette import hookimpl

from verify_app.access_log import redact_access_log

_FAILED_QUERY = re.compile(
    r"^ERROR: conn=.*?, sql = .*, params = (?:None|\{.*\}|\[.*\]|\(.*\)): ", re.DOTALL
)


class RedactFailedQueries:
    """stderr with Datasette's failed-query lines cut down to their error."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        if text.startswith("ERROR: conn="):
            text = _FAILED_QUERY.sub("ERROR: 职员查询失败：", text)
        return self.stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@hookimpl
def startup(datasette: Any) -> None:
    redact_access_log()
    if not isinstance(sys.stderr, RedactFailedQueries):
        sys.stderr = RedactFailedQueries(sys.stderr)
