"""Requests Datasette could not read, told apart from its failures: a 400, not a 500.

Datasette 0.65 reads some of its own parameters with ``int()``, ``json.loads()`` and lookups
that raise on a value it did not expect (``_timelimit=abc``, ``id__gt=²``, ``name__in=[``,
``_facet={"x": 1}``, a view's ``_next=garbage``, a number past SQLite's integers), and answers
each with 500 — the server's fault, which a program retries and monitoring counts.
"""

from __future__ import annotations

import sqlite3
import sysconfig
from pathlib import Path
from types import TracebackType

import datasette

DATASETTE = Path(datasette.__file__).resolve().parent
STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()
MISREAD_TYPES = (ValueError, KeyError, TypeError, AttributeError, OverflowError)
"""What Datasette's code raises on a value it cannot read."""
UNBOUND = "Error binding parameter"
"""sqlite3's words for a parameter it cannot bind (``id__in=[[1]]``: a list where a value
belongs) — its other programming errors are ours."""
NUL = "the query contains a null character"
"""sqlite3's words for a NUL in the SQL: Datasette writes a filter's column name into it
(``?name%00=1``, ``?_facet=%00``)."""


def misread_by_datasette(exception: BaseException) -> str | None:
    """Why a request failed, when Datasette's own code failed reading it: one of
    `MISREAD_TYPES` raised in Datasette, not in a plugin of ours (the standard library's frames
    passed over: ``json.loads`` fails inside ``json``)."""
    said = str(exception)
    programming = isinstance(exception, sqlite3.ProgrammingError)
    unbound = programming and said.startswith(UNBOUND)
    nul = programming and said == NUL
    if not (unbound or nul or isinstance(exception, MISREAD_TYPES)):
        return None
    last = _last_frame(exception.__traceback__)
    if last is None or not last.is_relative_to(DATASETTE):
        return None
    if nul:
        return "Invalid request parameter: 参数名中有空字符（%00）"
    return f"Invalid request parameter: {type(exception).__name__}: {exception}"


def _last_frame(traceback: TracebackType | None) -> Path | None:
    """The file of the innermost frame outside the standard library."""
    last = None
    while traceback is not None:
        path = Path(traceback.tb_frame.f_code.co_filename).resolve()
        if not path.is_relative_to(STDLIB):
            last = path
        traceback = traceback.tb_next
    return last
