"""The session gate in front of Datasette: only a live staff session (`datasette_config.
session_cookies`: one working day, ended by logout) counts as signed in.

The gate enforces this on every request: a ``ds_actor`` without a live session is removed
before Datasette reads it (and deleted in the browser), ``Authorization`` headers are dropped
(datasette-auth-passwords would otherwise accept HTTP Basic credentials on any URL, with no
throttle and no session), and — where metadata.yml requires a login for the instance, as ours
does — a visitor without a session sees only the login form and static files: every other path,
existing or not, redirects to ``/-/login``. It writes each signed-in request to the staff log,
and logout puts the session on the revocation list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from http.cookies import SimpleCookie
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Request, Response

from datasette_config.login_redirect import login_path
from datasette_config.route_paths import route_path
from datasette_config.session_cookies import COOKIE, clearing_cookie, live_session, read_session
from datasette_config.sessions import revocations
from registry.public.access_log import redacted, staff_log

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]

PUBLIC_PATHS = ("/-/login", "/favicon.ico")
PUBLIC_PREFIXES = ("/-/static/", "/-/static-plugins/")


def _asked(scope: dict[str, Any]) -> str:
    """What the request asked for as it was sent: the raw path and its query."""
    path: str = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
    query: str = (scope.get("query_string") or b"").decode("latin-1")
    return path + (f"?{query}" if query else "")


def _is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _without_session_cookie(
    headers: Iterable[tuple[bytes, bytes]], cookies: SimpleCookie
) -> list[tuple[bytes, bytes]]:
    """The request headers with one Cookie header rebuilt from ``cookies`` minus ``ds_actor``.

    Rebuilt from the very parse Datasette will repeat (SimpleCookie over the last Cookie header),
    so whatever Datasette would have read as ``ds_actor`` is gone, however the header was spelt.
    """
    kept = [(k, v) for k, v in headers if k.lower() != b"cookie"]
    others = "; ".join(m.OutputString() for name, m in cookies.items() if name != COOKIE)
    if others:
        kept.append((b"cookie", others.encode("latin-1")))
    return kept


def _sets_session(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a response sets a session cookie of its own: a login made while the browser
    held a stale one — clearing it after, the response threw the new session away."""
    mark = f"{COOKIE}=".encode()
    return any(k.lower() == b"set-cookie" and v.startswith(mark) for k, v in headers)


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    def wrap(app: ASGIApp) -> ASGIApp:
        async def session_gate(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"authorization"]
            cookies: SimpleCookie = SimpleCookie()
            cookie_header = Request(dict(scope, headers=headers), receive).headers.get("cookie")
            cookies.load(cookie_header or "")
            presented = cookies[COOKIE].value if COOKIE in cookies else None
            session = live_session(datasette, presented)
            stale = presented is not None and session is None
            if stale:
                headers = _without_session_cookie(headers, cookies)
            scope = dict(scope, headers=headers)
            https = scope.get("scheme") == "https"
            if (
                session is None
                and not _is_public(route_path(datasette, scope))
                and not await datasette.permission_allowed(None, "view-instance", default=True)
            ):
                clearing = {"set-cookie": clearing_cookie(https)} if stale else None
                response = Response.redirect(login_path(datasette, _asked(scope)), headers=clearing)
                await response.asgi_send(send)
                return

            async def send_clearing(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    if session is not None and not _is_public(route_path(datasette, scope)):
                        _staff_line(session.user, scope, message["status"])  # whose record
                    headers = message.get("headers", [])
                    if stale and not _sets_session(headers):  # a login's new one stays
                        headers = [
                            *headers,
                            (b"set-cookie", clearing_cookie(https).encode("latin-1")),
                        ]
                        message = dict(message, headers=headers)
                await send(message)

            await app(scope, receive, send_clearing)

        return session_gate

    return wrap


def _staff_line(user: str, scope: dict[str, Any], status: int) -> None:
    """One line of the staff log per request of a signed-in staff member: the account, what it
    asked for (a query's values as ``*``: a name searched never goes to a log) and the answer."""
    staff_log().info("职员 %s %s %s %s", user, scope["method"], redacted(_asked(scope)), status)


async def logout(request: Request, datasette: Any) -> Response:
    """Datasette's /-/logout, plus the revocation: the session id goes on the list."""
    https = request.scheme == "https"
    if request.method == "POST":
        session = read_session(datasette, request.cookies.get(COOKIE))
        if session is not None:
            revocations(datasette).revoke(session)
        response = Response.redirect(
            datasette.urls.instance(), headers={"set-cookie": clearing_cookie(https)}
        )
        datasette.add_message(request, "已退出登录。", datasette.INFO)
        return response
    if not request.actor:
        return Response.redirect(datasette.urls.instance())
    return Response.html(
        await datasette.render_template("logout.html", {"actor": request.actor}, request=request)
    )


@hookimpl(tryfirst=True)
def register_routes() -> list[tuple[str, Callable[..., Awaitable[Response]]]]:
    # tryfirst: this route comes before Datasette's own /-/logout, which cannot revoke.
    return [(r"^/-/logout$", logout)]
