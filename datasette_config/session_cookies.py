"""The staff session cookie: a login lasts one working day, dies at logout, and nothing else
counts as one.

Datasette's ``ds_actor`` cookie is a signed actor that stays valid forever and cannot be taken
back. Here a login issues ``{"a": actor, "e": expiry, "s": session id, "k": password stamp}``:
``e`` is the expiry Datasette itself checks, ``s`` a random id that logout writes into the
revocation list (`datasette_config.sessions`), so a copied cookie replayed after logout is
refused, and ``k`` ends the session once its account's password changes (`password_stamp`).
The gate in front of Datasette (`datasette_config.plugins.certreg_session`) lets only a
`live_session` through; the login form (`plugins.certreg_login`) writes the cookie.
"""

from __future__ import annotations

import hmac
import secrets
import time
from http.cookies import SimpleCookie
from typing import Any

from datasette.utils import baseconv
from datasette.utils.asgi import Response
from itsdangerous import BadSignature

from datasette_config.sessions import Session, password_stamp, revocations
from datasette_config.staff import account_hashes

COOKIE = "ds_actor"
LIFETIME_SECONDS = 10 * 60 * 60
"""A working day: the cookie's Max-Age and the signed expiry inside it."""


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


def clearing_cookie(https: bool) -> str:
    """The Set-Cookie value that deletes the session cookie in the browser, with the cookie's
    own attributes: for a response of our own (a ``set-cookie`` header) and for one already on
    its way, as the gate adds it to Datasette's."""
    cookie: SimpleCookie = SimpleCookie()
    cookie[COOKIE] = ""
    morsel = cookie[COOKIE]
    for attribute, value in [("max-age", 0), ("expires", 0), ("path", "/"), ("samesite", "lax")]:
        morsel[attribute] = value
    morsel["httponly"] = True
    if https:
        morsel["secure"] = True
    return morsel.OutputString()


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
