"""No writes from the web: every request that is not a read is refused at the door.

The registry is written only by ``certreg sync``. metadata.yml declares no writable canned
query and Datasette 0.65's SQL page accepts only SELECT, but its POST handlers answer anything
else with a 500; this wrapper answers every write attempt with a plain 405 instead. Signing in
and out are the only POSTs the staff site needs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
POST_PATHS = ("/-/login", "/-/logout")


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    allowed = {datasette.urls.path(path) for path in POST_PATHS}

    def wrap(app: ASGIApp) -> ASGIApp:
        async def read_only(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if (
                scope["type"] == "http"
                and scope["method"] not in READ_METHODS
                and not (scope["method"] == "POST" and scope["path"] in allowed)
            ):
                refusal = Response.text(
                    "登记库在网页上只读：数据只能通过 certreg sync 导入名册来修改。\n",
                    status=405,
                    headers={"Allow": "GET, HEAD"},
                )
                await refusal.asgi_send(send)
                return
            await app(scope, receive, send)

        return read_only

    return wrap
