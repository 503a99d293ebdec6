"""CSRF protection for the form POSTs (SPEC §7), without JavaScript: a double-submit token.

The browser holds a random value in a ``SameSite=Lax`` cookie; each form carries an HMAC
of that value under the app's secret. A POST is accepted only when the two agree, so another
site can neither read the field nor plant a matching cookie. Lax, not Strict: a Strict cookie
is not sent when a link on another site (a mail, a chat, an OA system) opens one of our pages,
which then set a new one and so voided every form already filled in another tab. Another
site's POST still goes without the cookie, and without the token in any case.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "certreg_csrf"
LIFETIME = 30 * 86_400
"""Seconds the cookie lives from the last form page served, which sets it again: a session
cookie was gone when a phone's browser was killed in the background, and the tab it restored
refused every form filled in it (a report's text lost); a day's, set once, was gone for a tab
opened from a chat link yesterday — and without the cookie nothing typed can be given back
(`verify_app.forms.typed_back`). It is random, and names nobody."""
FIELD = "csrf_token"
_CHECKED = "certreg.csrf_checked"
"""Where a request keeps the token it was checked with: the page it gets back carries the same
one (the cookie has not changed), so it is not signed twice."""


class CsrfRejected(Exception):
    """A form POST without a valid token (forged, or the browser refuses cookies); ``typed``:
    the form's text fields, for a page that gives them back rather than lose them."""

    typed: dict[str, str] = {}


class CsrfTokens:
    def __init__(self, secret: str, previous: Sequence[str] = ()) -> None:
        """``previous``: secrets whose tokens are still accepted (`Settings.previous_secret`):
        a form filled before the secret changed is not refused."""
        # keyed once: a copy per token costs less than setting up the key each time
        self._macs = [
            hmac.new(("csrf:" + s).encode(), digestmod=hashlib.sha256) for s in (secret, *previous)
        ]

    def _sign(self, value: str, key: int = 0) -> str:
        mac = self._macs[key].copy()
        mac.update(value.encode())
        return mac.hexdigest()

    def token_for(self, request: Request) -> str:
        """The form field for this browser; remembers the cookie value to set (again: its
        lifetime starts anew with every form page), a new one when it has none."""
        value = request.cookies.get(COOKIE)
        if not value:
            value = getattr(request.state, "csrf_cookie", None) or secrets.token_urlsafe(24)
        request.state.csrf_cookie = value
        checked = request.scope.get(_CHECKED)
        if checked:  # the page answering a form: its token is the one just checked
            return str(checked)
        return self._sign(value)

    def set_cookie(self, request: Request, response: Response) -> None:
        value = getattr(request.state, "csrf_cookie", None)
        if value:
            response.set_cookie(
                COOKIE,
                value,
                max_age=LIFETIME,
                httponly=True,
                samesite="lax",
                secure=request.scope["scheme"] == "https",  # building request.url costs more
            )

    def check(self, request: Request, form: FormData) -> None:
        """`CsrfRejected` unless the form's token is this browser's cookie signed by this
        service (under its secret or a previous one). The token is kept on the request so the
        page answering the form carries the same one, and a second send from it passes."""
        value = request.cookies.get(COOKIE)
        field = form.get(FIELD)
        if not value or not isinstance(field, str):
            raise CsrfRejected("missing")
        # compare_digest takes str only when it is ASCII; any other token is simply not ours
        if not field.isascii() or not any(
            hmac.compare_digest(self._sign(value, key), field) for key in range(len(self._macs))
        ):
            raise CsrfRejected("mismatch")
        request.scope[_CHECKED] = field
