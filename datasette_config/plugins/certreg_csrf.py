"""A form refused by Datasette's CSRF check, in Chinese and with the way back.

asgi-csrf answers a form whose token does not match its cookie — the cookies cleared since the
login page was opened, a page left open across a restart that changed the signing secret — with a
bare English line (``form-urlencoded POST field did not match cookie``), outside every template.
This wrapper, around it, answers that refusal with the staff's error page instead: what happened
and to open the page again, which sets a fresh token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asgi_csrf
from datasette import hookimpl
from datasette.utils.asgi import Request
from markupsafe import Markup

from datasette_config.held_responses import ASGIApp, Headers, rewriting

REFUSALS = frozenset(message.encode() for message in asgi_csrf.error_messages.values())
"""asgi-csrf's bodies for a refused form (each a 403)."""
EXPIRED = Markup(
    "<p>提交的表单已失效：打开页面后浏览器清除了 Cookie，或系统重新启动过。"
    '请<a href="{}">重新打开登录页面</a>（或返回上一页并刷新），再提交一次。</p>'
)


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    async def in_chinese(
        scope: dict[str, Any], receive: Any, headers: Headers, body: bytes
    ) -> tuple[Headers, bytes]:
        if body not in REFUSALS:  # a 403 of Datasette's own
            return headers, body
        page = await datasette.render_template(
            "error.html",
            {
                "title": "表单已失效",
                "error": EXPIRED.format(datasette.urls.path("/-/login")),
                "status": 403,
            },
            # outside asgi-csrf, which gives a page its token: this one has no form
            request=Request(dict(scope, csrftoken=lambda: ""), receive),
        )
        return [(b"content-type", b"text/html; charset=utf-8")], page.encode("utf-8")

    return rewriting(403, in_chinese, frozenset({"POST"}))
