"""Login for the whole instance: staff accounts from the environment, anonymous visitors to the form.

metadata.yml's top-level ``allow: {id: "*"}`` refuses every page to a visitor who is not signed
in; this plugin supplies the accounts datasette-auth-passwords checks, and turns the refusal
into a redirect to ``/-/login`` so nobody is left at a bare 403 page.

The login form itself is answered here rather than by datasette-auth-passwords (same accounts,
same hashes, same template), because a login must also:

- refuse guessing: after ``FAILURES_PER_MINUTE`` wrong passwords within a minute for one
  username, or from one client, further attempts are answered 429 with Retry-After — even
  with the right password — until the oldest failure is a minute old. A browser its owner
  signed in from before (a signed *device cookie*, ``DEVICE_COOKIE``) is counted by itself
  instead of by the username: wrong passwords sent from many addresses lock a username out
  of new browsers only, not its owner's own, and one address's failures (an office behind
  one NAT address) do not lock out a browser its owner signed in from before;
- take the same time whether or not the username exists: an unknown username is checked
  against a dummy hash as costly as the real ones (``staff.dummy_hash``);
- start a session that expires and can be ended (`datasette_config.session_cookies`).

The client is the peer address, or the address a trusted proxy puts in X-Forwarded-For
(``certreg_security`` applies ``CERTREG_TRUSTED_PROXIES`` before this runs). Failure counts are
kept in memory: a restart of ``certreg browse`` forgets them. Password checks run one at a
time, off the event loop, so that concurrent guesses cannot all pass the same count.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import os
import secrets
import time
import weakref
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Request, Response
from datasette_auth_passwords.utils import verify_password
from itsdangerous import BadData
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from datasette_config.login_redirect import local_path, login_path
from datasette_config.session_cookies import session_cookie, set_session_cookie
from datasette_config.staff import (
    AccountProblem,
    account_hashes,
    auth_passwords_config,
    dummy_hash,
)
from registry.public.client_keys import limit_key

LOCK_STRIPES = 64
"""Locks the login checks are spread over, by username and by client."""
FAILURES_PER_MINUTE = 5
DEVICE_COOKIE = "certreg_device"
DEVICE_NAMESPACE = "certreg-device"
DEVICE_SECONDS = 180 * 86_400
"""How long a browser stays known after its owner's last login."""
FAILURES = RateLimitItemPerMinute(FAILURES_PER_MINUTE, namespace="certreg-login")
INVALID = "Invalid username or password"  # password_login.html shows it in Chinese
NO_ACCOUNTS = "This instance does not have any configured accounts"  # likewise


class LoginThrottle:
    """Failed logins per username and per client, in a moving one-minute window."""

    def __init__(self) -> None:
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        # One check at a time per username and per client: the count is read before the (slow)
        # password check and written after it, so concurrent guesses must not all slip past
        # the same reading. One lock for all made forty addresses' wrong logins hold a right
        # one up for 12 s (a pen-tester's); a lock per stripe of keys lets the others pass.
        self._stripes = [asyncio.Lock() for _ in range(LOCK_STRIPES)]

    @contextlib.asynccontextmanager
    async def locked(self, keys: list[tuple[str, str]]) -> AsyncIterator[None]:
        """Hold the locks of ``keys``' stripes, always taken in one order (no deadlock)."""
        stripes = sorted({zlib.crc32(":".join(key).encode()) % LOCK_STRIPES for key in keys})
        async with contextlib.AsyncExitStack() as held:
            for stripe in stripes:
                await held.enter_async_context(self._stripes[stripe])
            yield

    @staticmethod
    def keys(username: str, client: str, device: str | None = None) -> list[tuple[str, str]]:
        """The counts an attempt is held to: its client's and its username's — or, from a
        browser the username signed in from before, that ``device``'s alone: behind an office's
        one address, a colleague's mistyped passwords (or a script's) locked everyone out."""
        return (
            [("device", device)] if device else [("user", user_key(username)), ("client", client)]
        )

    def wait_seconds(self, keys: list[tuple[str, str]]) -> int:
        """Seconds until another attempt is allowed for all ``keys``; 0 when it is now."""
        wait = 0.0
        for key in keys:
            if not self.limiter.test(FAILURES, *key):
                reset_time = self.limiter.get_window_stats(FAILURES, *key).reset_time
                wait = max(wait, reset_time - time.time())
        return max(1, math.ceil(wait)) if wait > 0 else 0

    def failed(self, keys: list[tuple[str, str]]) -> None:
        for key in keys:
            self.limiter.hit(FAILURES, *key)


def user_key(username: str) -> str:
    # Usernames are whatever was typed: hashed, every key is short and plain.
    return hashlib.sha256(username.encode()).hexdigest()


def device_cookie(datasette: Any, username: str) -> str:
    """A browser's proof that ``username`` signed in from it: signed, naming a device of its own
    and when it was given."""
    device = {"u": user_key(username), "d": secrets.token_hex(8), "t": int(time.time())}
    return str(datasette.sign(device, DEVICE_NAMESPACE))


def known_device(datasette: Any, request: Request, username: str) -> str | None:
    """The device a login attempt's cookie names, if ``username`` signed in from it within
    `DEVICE_SECONDS`; else None."""
    try:
        device = datasette.unsign(request.cookies.get(DEVICE_COOKIE, ""), DEVICE_NAMESPACE)
    except BadData:
        return None
    fresh = isinstance(device, dict) and time.time() - device.get("t", 0) < DEVICE_SECONDS
    return str(device["d"]) if fresh and device.get("u") == user_key(username) else None


_THROTTLES: MutableMapping[Any, LoginThrottle] = weakref.WeakKeyDictionary()


def login_throttle(datasette: Any) -> LoginThrottle:
    if datasette not in _THROTTLES:
        _THROTTLES[datasette] = LoginThrottle()
    return _THROTTLES[datasette]


def client_address(request: Request) -> str:
    """Who is trying passwords, as the public app counts its clients (`limit_key`: an IPv6
    client by its /64): by the exact address, one subscriber rotating through its network had
    a fresh bound with each (a developer's review)."""
    client = request.scope.get("client")
    return limit_key(str(client[0])) if client else "unknown"


CROSS_SITE = "登录请求来自其他网站，已拒绝。请直接打开本系统的登录页面登录。"


def _from_another_site(request: Request) -> bool:
    """A login posted by another site's page (login CSRF: signing a member of staff into the
    attacker's account). Datasette's CSRF check lets a request without cookies through, and a
    SameSite cookie is exactly what such a post lacks; browsers say where a request comes from
    in ``Sec-Fetch-Site`` (``Origin`` cannot serve: under no-referrer it is null even for our
    own form). Clients that send no such header (scripts, old browsers) are not refused."""
    site = request.headers.get("sec-fetch-site")
    return site is not None and site not in ("same-origin", "none")


async def login(request: Request, datasette: Any) -> Response:
    accounts = account_hashes(datasette)
    error = None if accounts else NO_ACCOUNTS
    status = 200
    headers: dict[str, str] = {}
    if request.method == "POST" and _from_another_site(request):
        page = await datasette.render_template(
            "password_login.html", {"error": CROSS_SITE}, request=request
        )
        return Response.html(page, status=403)
    next_path = local_path(request.args.get("next"))
    if request.method == "POST":
        form = await request.post_vars()
        next_path = local_path(form.get("next"))
        username = form.get("username") or ""
        password = form.get("password") or ""
        throttle = login_throttle(datasette)
        device = known_device(datasette, request, username)
        keys = throttle.keys(username, client_address(request), device)
        async with throttle.locked(keys):
            wait = throttle.wait_seconds(keys)
            if wait:
                error = f"登录失败次数过多，请 {wait} 秒后再试。"
                status = 429
                headers["Retry-After"] = str(wait)
            else:
                known = accounts.get(username)
                # The same work for every attempt: a real hash or a dummy one just as costly.
                checked = known or dummy_hash(accounts.values())
                matches = await asyncio.to_thread(verify_password, password, checked)
                if known and matches and password:  # an empty one never (a hash of "" given)
                    response = Response.redirect(next_path or datasette.urls.path("/"))
                    https = request.scheme == "https"
                    set_session_cookie(response, session_cookie(datasette, username, known), https)
                    response.set_cookie(
                        DEVICE_COOKIE,
                        device_cookie(datasette, username),
                        max_age=DEVICE_SECONDS,
                        expires=DEVICE_SECONDS,
                        path=str(datasette.urls.path("/-/login")),
                        httponly=True,
                        samesite="lax",
                        secure=https,
                    )
                    return response
                throttle.failed(keys)
                error = INVALID
    page = await datasette.render_template(
        "password_login.html", {"error": error, "next_path": next_path}, request=request
    )
    return Response.html(page, status=status, headers=headers)


@hookimpl(tryfirst=True)
def register_routes() -> list[tuple[str, Callable[..., Awaitable[Response]]]]:
    # tryfirst: this route comes before datasette-auth-passwords' own /-/login.
    return [(r"^/-/login$", login)]


@hookimpl
def get_metadata(datasette: Any, key: Any, database: Any, table: Any) -> dict[str, Any]:
    """Each ``CERTREG_STAFF_<username>`` variable becomes an account (read on every request,
    so the hash stays in the environment and out of ``/-/metadata``)."""
    try:
        accounts = auth_passwords_config(os.environ)
    except AccountProblem:
        # certreg browse refuses to start with a malformed account; here, no account works.
        accounts = {}
    return {"plugins": {"datasette-auth-passwords": accounts}}


@hookimpl
def forbidden(datasette: Any, request: Any, message: str) -> Response | None:
    if request.actor is None:
        return Response.redirect(login_path(datasette, request.full_path))
    return None
