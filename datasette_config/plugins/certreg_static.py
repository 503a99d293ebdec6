"""Datasette's answers for a static file it will not serve, as the staff's other error pages.

``/-/static/`` (a folder: "403: Directory listing is not allowed") and a file it does not have
("404: File not found") are answered by Datasette's static handler itself, in English, outside
every template and every error hook."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Request

from datasette_config.errors import STATUS_TITLES
from datasette_config.held_responses import ASGIApp, Headers, rewriting

ANSWERS = {
    403: "不能列出文件夹中的文件：请从首页进入。",
    404: "找不到这个文件：请检查网址，或从首页重新进入。",
}
STATIC = ("/-/static/", "/-/static-plugins/")


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    def in_chinese(status: int) -> Callable[..., Any]:
        async def rewrite(
            scope: dict[str, Any], receive: Any, headers: Headers, body: bytes
        ) -> tuple[Headers, bytes]:
            if not scope.get("path", "").startswith(STATIC):
                return headers, body
            page = await datasette.render_template(
                "error.html",
                {"title": STATUS_TITLES[status], "error": ANSWERS[status], "status": status},
                request=Request(dict(scope, csrftoken=lambda: ""), receive),  # no form
            )
            return [(b"content-type", b"text/html; charset=utf-8")], page.encode("utf-8")

        return rewrite

    def wrap(app: ASGIApp) -> ASGIApp:
        return rewriting(403, in_chinese(403))(rewriting(404, in_chinese(404))(app))

    return wrap
