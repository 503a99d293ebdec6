"""The framework ceiling: a bare Starlette app answering the verify route with a constant JSON.

No database, no middleware, no logging of its own: what `certreg serve` could at best reach under
the same uvicorn settings on the same core.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ANSWER = {
    "result": "valid",
    "number": "G0022000924",
    "as_of": "2026-01-01T00:00:00+00:00",
    "level": "高级工",
    "trade": "泵站运行工",
    "authority": "四川省人力资源和社会保障厅",
    "issued_on": "2000-03-15",
    "holder": "叶*秀",
}


async def verify(request: Request) -> JSONResponse:
    return JSONResponse(ANSWER)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


app = Starlette(
    routes=[Route("/api/v1/verify", verify, methods=["POST"]), Route("/healthz", healthz)]
)
