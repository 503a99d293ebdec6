"""Security headers on every response (SPEC §7): CSP without inline script, no framing, no referrer.

The pages need no JavaScript at all, so the policy allows none; the QR code is inline SVG.
Answers about certificates are not to be kept by shared caches: everything but the static
files is ``no-store`` — but the answer to a check's form or a batch upload, which the officer's
own browser keeps (``private, no-cache``: `verify_app.forms.kept_for_back`) so that Back shows
it again. Over https (the request's scheme, which behind a trusted proxy uvicorn's
``ProxyHeadersMiddleware`` has already taken from ``X-Forwarded-Proto``) browsers are told to
use https only, for a year (HSTS); over plain http the header would mean nothing (RFC 6797 §7.2).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
}


STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"

_RAW_HEADERS = [(name.lower().encode(), value.encode()) for name, value in HEADERS.items()]
_RAW_HTTPS_HEADERS = [
    *_RAW_HEADERS,
    (b"strict-transport-security", STRICT_TRANSPORT_SECURITY.encode()),
]
_NO_STORE = (b"cache-control", b"no-store")


def security_headers(scope: Scope) -> dict[str, str]:
    """The headers for an answer to ``scope``: for responses made outside the middleware."""
    if scope.get("scheme") == "https":
        return {**HEADERS, "Strict-Transport-Security": STRICT_TRANSPORT_SECURITY}
    return dict(HEADERS)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        extra = _RAW_HTTPS_HEADERS if scope.get("scheme") == "https" else _RAW_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # raw ASGI headers, each added unless the response set it: this runs on every
                # response, and the header objects cost more than the check itself
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in extra if h[0] not in present)
                if b"cache-control" not in present and not (
                    message["status"] in (200, 304) and scope["path"].startswith("/static/")
                ):  # a static file may be cached; an error page under /static sets a cookie
                    headers.append(_NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
