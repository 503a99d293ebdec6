"""CSRF protection for the form POSTs (SPEC §7), without JavaScript: a double-submit token.

The browser holds a random value in a ``SameSite=Strict`` cookie; each form carries an HMAC
of that value under the app's secret. A POST is accepted only when the two agree, so another
site can neither read the field nor plant a matching cookie.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "certreg_csrf"
FIELD = "csrf_token"


class CsrfRejected(Exception):
    """A form POST without a valid token (forged, or the browser refuses cookies)."""


class CsrfTokens:
    def __init__(self, secret: str) -> None:
        self._key = ("csrf:" + secret).encode()

    def _sign(self, value: str) -> str:
        return hmac.digest(self._key, value.encode(), "sha256").hex()

    def token_for(self, request: Request) -> str:
        """The form field for this browser; remembers a new cookie value to set when needed."""
        value = request.cookies.get(COOKIE)
        if not value:
            value = getattr(request.state, "csrf_cookie", None) or secrets.token_urlsafe(24)
            request.state.csrf_cookie = value
        return self._sign(value)

    def set_cookie(self, request: Request, response: Response) -> None:
        value = getattr(request.state, "csrf_cookie", None)
        if value:
            response.set_cookie(
                COOKIE,
                value,
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
            )

    def check(self, request: Request, form: FormData) -> None:
        value = request.cookies.get(COOKIE)
        field = form.get(FIELD)
        if not value or not isinstance(field, str):
            raise CsrfRejected("missing")
        if not hmac.compare_digest(self._sign(value), field):
            raise CsrfRejected("mismatch")
