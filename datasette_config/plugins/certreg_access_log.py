"""The staff server's access log without personal data: Datasette runs under uvicorn, which
logs each request line, and a staff search carries the holder's name in its query string
(``/registry/holders?姓名=…``, a table filter ``?name__exact=…``). The public app's filter
(`verify_app.access_log`) keeps each query's keys and drops its values."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from verify_app.access_log import redact_access_log


@hookimpl
def startup(datasette: Any) -> None:
    redact_access_log()
