"""The ceilings ``certreg serve`` is measured against, under the same uvicorn settings.

- `lookup_app` (``--factory bench.ceiling:lookup_app``): the fair ceiling — the same work in the
  least code. A bare Starlette route reads the JSON body, looks the number up by primary key in
  the same SQLite file (``CERTREG_DB``), compares the holder's name key and answers the same
  JSON the app answers (result, fields, label, advice). No number parsing, no rate limit, no
  log, no middleware: what is left of the app's time is its own choices.
- `framework`: a constant JSON answer, no database — the framework alone, for reference.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from registry.domain.names import mask_name, name_key
from registry.domain.regions import authority_name
from registry.domain.statuses import NO_MATCH, RESULT_LABELS
from registry.public.lookup import ADVICE
from registry.store import registry_as_of

ANSWER = {
    "result": "valid",
    "number": "G1122000924",
    "as_of": "2026-01-01T00:00:00+00:00",
    "level": "高级工",
    "trade": "泵站运行工",
    "authority": "四川省人力资源和社会保障厅",
    "issued_on": "2011-03-15",
    "holder": "叶*秀",
}

QUERY = (
    "SELECT name_key, name, level, trade, authority, issued_on, status"
    " FROM certificates WHERE number = ?"
)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


def lookup_app() -> Starlette:
    """The fair ceiling over the registry at ``CERTREG_DB``."""
    path = Path(os.environ["CERTREG_DB"]).resolve()
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
    as_of = registry_as_of(conn)

    async def verify(request: Request) -> JSONResponse:
        body = await request.json()
        number = body["number"]
        row = conn.execute(QUERY, (number,)).fetchone()
        if row is None or row[0] != name_key(body["name"]):
            result = NO_MATCH
            answer = {"result": result, "number": number, "as_of": as_of}
        else:
            _, holder, level, trade, authority, issued_on, result = row
            answer = {
                "result": result,
                "number": number,
                "as_of": as_of,
                "level": level,
                "trade": trade,
                "authority": authority_name(authority),
                "issued_on": issued_on,
                "holder": mask_name(holder),
            }
        answer["label"] = RESULT_LABELS[result]
        answer["advice"] = ADVICE[result]
        return JSONResponse(answer)

    return Starlette(
        routes=[Route("/api/v1/verify", verify, methods=["POST"]), Route("/healthz", healthz)]
    )


async def constant(request: Request) -> JSONResponse:
    return JSONResponse(ANSWER)


framework = Starlette(
    routes=[Route("/api/v1/verify", constant, methods=["POST"]), Route("/healthz", healthz)]
)
app = framework
"""the name earlier runs started (``bench.ceiling:app``)"""
