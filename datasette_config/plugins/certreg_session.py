"""Staff sessions: a login lasts one working day, dies at logout, and nothing else counts as one.

Datasette's ``ds_actor`` cookie is a signed actor that stays valid forever and cannot be taken
back. Here a login issues ``{"a": actor, "e": expiry, "s": session id}``: ``e`` is the expiry
Datasette itself checks, and ``s`` a random id that logout writes into a revocation list, so a
copied cookie replayed after logout is refused. The list lives in ``staff_sessions.db`` beside
the registry (never in the registry: Datasette stays read-only towards it) and keeps each id
only until its cookie would have expired anyway, so it survives a restart and stays small.

The gate in front of Datasette enforces this on every request: a ``ds_actor`` without a live
session is removed before Datasette reads it (and deleted in the browser), ``Authorization``
headers are dropped (datasette-auth-passwords would otherwise accept HTTP Basic credentials on
any URL, with no throttle and no session), and — where metadata.yml requires a login for the
instance, as ours does — a visitor without a session sees only the login form and static
files: every other path, existing or not, redirects to ``/-/login``.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
import urllib.parse
import weakref
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils import baseconv
from datasette.utils.asgi import Request, Response
from itsdangerous import BadSignature

from datasette_config.launch import REGISTRY_NAME
from datasette_config.sessions import Revocations, Session, password_stamp
from registry.public.access_log import redacted, staff_log

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]

COOKIE = "ds_actor"
LIFETIME_SECONDS = 10 * 60 * 60
"""A working day: the cookie's Max-Age and the signed expiry inside it."""
SESSIONS_FILE = "staff_sessions.db"
PUBLIC_PATHS = ("/-/login", "/favicon.ico")
PUBLIC_PREFIXES = ("/-/static/", "/-/static-plugins/")

log = logging.getLogger(__name__)


def session_cookie(datasette: Any, user: str, password_hash: str, now: float | None = None) -> str:
    """A signed ``ds_actor`` value for a new session of ``user``, valid for LIFETIME_SECONDS and
    while the account keeps the password ``password_hash`` (`password_stamp`)."""
    expires = int(now if now is not None else time.time()) + LIFETIME_SECONDS
    value = {
        "a": {"id": user},
        "e": baseconv.base62.encode(expires),
        "s": secrets.token_urlsafe(18),
        "k": password_stamp(password_hash),
    }
    signed: str = datasette.sign(value, "actor")
    return signed


def set_session_cookie(response: Response, value: str, https: bool) -> None:
    """HttpOnly (no script reads it), SameSite=Lax, Secure over https, gone after a working day."""
    response.set_cookie(
        COOKIE,
        value,
        max_age=LIFETIME_SECONDS,
        expires=LIFETIME_SECONDS,
        httponly=True,
        samesite="lax",
        secure=https,
    )


def clear_session_cookie(response: Response, https: bool) -> None:
    response.set_cookie(
        COOKIE, "", max_age=0, expires=0, httponly=True, samesite="lax", secure=https
    )


def read_session(datasette: Any, value: str | None, now: float | None = None) -> Session | None:
    """The session a ``ds_actor`` value carries, if it is ours, signed, and not expired.

    Revocation is checked separately (``Revocations``). A cookie without a session id or an
    expiry — Datasette's own format, or one signed before sessions existed — is no session.
    """
    if not value:
        return None
    try:
        decoded = datasette.unsign(value, "actor")
    except BadSignature:
        return None
    if not isinstance(decoded, dict):
        return None
    actor, expiry, session_id = decoded.get("a"), decoded.get("e"), decoded.get("s")
    stamp = decoded.get("k")
    if not (isinstance(actor, dict) and isinstance(expiry, str) and isinstance(session_id, str)):
        return None
    user = actor.get("id")
    if not (isinstance(user, str) and isinstance(stamp, str)):
        return None
    if not 0 < len(expiry) <= 12:  # base62 of a time; decode fails on "" and overflows on long
        return None
    try:
        expires = int(baseconv.base62.decode(expiry))
    except ValueError:
        return None
    now = time.time() if now is None else now
    # Never longer than one lifetime from now: a cookie minted for a longer day is refused.
    if not now < expires <= now + LIFETIME_SECONDS:
        return None
    return Session(session_id, expires, user, stamp)


_REVOCATIONS: MutableMapping[Any, Revocations] = weakref.WeakKeyDictionary()


def sessions_file(datasette: Any) -> Path | None:
    """``staff_sessions.db`` in the registry's folder, or None when the registry is not a file."""
    for database in datasette.databases.values():
        if database.name == REGISTRY_NAME and database.path:
            return Path(database.path).resolve().parent / SESSIONS_FILE
    return None


def revocations(datasette: Any) -> Revocations:
    if datasette not in _REVOCATIONS:
        _REVOCATIONS[datasette] = Revocations(sessions_file(datasette))
    return _REVOCATIONS[datasette]


def account_hashes(datasette: Any) -> dict[str, str]:
    """Username → password hash, as datasette-auth-passwords reads its configuration."""
    config = datasette.plugin_config("datasette-auth-passwords") or {}
    suffix = "_password_hash"
    return {
        key[: -len(suffix)]: value
        for key, value in config.items()
        if key.endswith(suffix) and isinstance(value, str)
    }


def live_session(datasette: Any, value: str | None) -> Session | None:
    """The session ``value`` carries while it lasts: not logged out, and its account still
    there with the password it was begun with (removing an account or changing its password,
    then restarting, ends its sessions)."""
    session = read_session(datasette, value)
    if session is None or session in revocations(datasette):
        return None
    password_hash = account_hashes(datasette).get(session.user)
    if password_hash is None or not hmac.compare_digest(
        password_stamp(password_hash), session.stamp
    ):
        return None
    return session


def local_path(value: str | None) -> str | None:
    """``value`` when it is a path on this site to return to after login (``/registry/…?…``),
    else None: never another host (``//evil``, ``/\\evil``), never the login page itself."""
    if not value or len(value) > 2000 or not value.startswith("/"):
        return None
    if value.startswith(("//", "/\\")) or "\\" in value or not value.isprintable():
        return None
    return None if value.startswith("/-/login") else value


def login_path(datasette: Any, asked: str) -> str:
    """The login page, told to lead back to ``asked`` (a shared link to a report queue, the
    page open when the session ended) when that is a page of this site."""
    back = local_path(asked)
    query = f"?{urllib.parse.urlencode({'next': back})}" if back and back != "/" else ""
    return str(datasette.urls.path("/-/login")) + query


def _route_path(datasette: Any, scope: dict[str, Any]) -> str:
    """The path Datasette routes on: the raw path, without the query and the base_url."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1").partition("?")[0] if raw else scope["path"]
    base_url = datasette.setting("base_url")
    if base_url != "/" and path.startswith(base_url):
        path = "/" + path[len(base_url) :]
    return str(path)


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


def _clearing_header(https: bool) -> tuple[bytes, bytes]:
    """The Set-Cookie header ``clear_session_cookie`` writes, for a response already on its way."""
    cookie: SimpleCookie = SimpleCookie()
    cookie[COOKIE] = ""
    morsel = cookie[COOKIE]
    for attribute, value in [("max-age", 0), ("expires", 0), ("path", "/"), ("samesite", "lax")]:
        morsel[attribute] = value
    morsel["httponly"] = True
    if https:
        morsel["secure"] = True
    return (b"set-cookie", morsel.OutputString().encode("latin-1"))


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
                and not _is_public(_route_path(datasette, scope))
                and not await datasette.permission_allowed(None, "view-instance", default=True)
            ):
                raw = scope.get("raw_path") or scope["path"].encode()
                query = scope.get("query_string") or b""
                asked = raw.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")
                response = Response.redirect(login_path(datasette, asked))
                if stale:
                    clear_session_cookie(response, https)
                await response.asgi_send(send)
                return

            async def send_clearing(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    if session is not None and not _is_public(_route_path(datasette, scope)):
                        _staff_line(session.user, scope, message["status"])  # whose record
                    headers = message.get("headers", [])
                    if stale and not _sets_session(headers):  # a login's new one stays
                        headers = [*headers, _clearing_header(https)]
                        message = dict(message, headers=headers)
                await send(message)

            await app(scope, receive, send_clearing)

        return session_gate

    return wrap


def _staff_line(user: str, scope: dict[str, Any], status: int) -> None:
    """One line of the staff log per request of a signed-in staff member: the account, what it
    asked for (a query's values as ``*``: a name searched never goes to a log) and the answer."""
    path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
    query = (scope.get("query_string") or b"").decode("latin-1")
    asked = redacted(path + (f"?{query}" if query else ""))
    staff_log().info("职员 %s %s %s %s", user, scope["method"], asked, status)


async def logout(request: Request, datasette: Any) -> Response:
    """Datasette's /-/logout, plus the revocation: the session id goes on the list."""
    https = request.scheme == "https"
    if request.method == "POST":
        session = read_session(datasette, request.cookies.get(COOKIE))
        if session is not None:
            revocations(datasette).revoke(session)
        response = Response.redirect(datasette.urls.instance())
        clear_session_cookie(response, https)
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
