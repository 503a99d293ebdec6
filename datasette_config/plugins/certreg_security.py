"""Security headers on every response, and the client address behind a trusted proxy.

The outermost layer around Datasette (``trylast``: applied after every other wrapper):

- ``CERTREG_TRUSTED_PROXIES`` (comma-separated addresses or networks, the variable the public
  app reads) names the reverse proxies whose ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are
  believed, through uvicorn's ProxyHeadersMiddleware as in ``verify_app``. From anyone else those
  headers are ignored: the client is the peer, the scheme is the connection's. (Under
  ``datasette serve`` uvicorn runs the same middleware first, trusting FORWARDED_ALLOW_IPS,
  127.0.0.1 by default; ``launch.datasette_environment`` sets it from the same variable.)
- Every response carries a Content-Security-Policy that forbids framing and any script but
  Datasette's own files and its few fixed inline scripts (allowed by their SHA-256 hashes, read
  from the templates at start-up — no ``'unsafe-inline'`` for scripts), X-Frame-Options DENY,
  Referrer-Policy no-referrer, X-Content-Type-Options nosniff and Cross-Origin-Opener-Policy
  same-origin. Styles do need ``'unsafe-inline'``: Datasette's templates use ``style``
  attributes and per-page ``<style>`` blocks, which neither nonces nor hashes can cover without
  editing the templates.
- Over https: HSTS, and every cookie marked Secure.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, cast

from datasette import hookimpl
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from registry.public.proxies import VARIABLE as TRUSTED_PROXIES
from registry.public.proxies import trusted_proxies, with_other_forms

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]

HSTS = b"max-age=31536000"
_INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc\s*=)[^>]*>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE
)
_SECURE = re.compile(rb";\s*secure\s*(;|$)", re.IGNORECASE)


def inline_scripts(datasette: Any) -> set[str]:
    """The text of every inline ``<script>`` the templates can render.

    Fixed scripts are read from the template sources (Datasette's, its plugins', ours), so an
    upgrade that changes one changes its hash too. Scripts with template expressions are
    skipped; the only one Datasette has, table.html's ``DATASETTE_ALLOW_FACET``, renders from
    the ``allow_facet`` setting and is added as rendered.
    """
    env = datasette.jinja_env
    scripts = set()
    for name in env.list_templates(extensions=["html"]):
        source = env.loader.get_source(env, name)[0]
        for match in _INLINE_SCRIPT.finditer(source):
            body = match["body"]
            if "{{" not in body and "{%" not in body:
                scripts.add(body)
    allow_facet = "true" if datasette.setting("allow_facet") else "false"
    scripts.add(f"DATASETTE_ALLOW_FACET = {allow_facet};")
    return scripts


def script_hash(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def content_security_policy(scripts: Iterable[str]) -> str:
    hashes = " ".join(sorted(script_hash(script) for script in scripts))
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {hashes}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _secure_cookie(value: bytes) -> bytes:
    return value if _SECURE.search(value) else value + b"; Secure"


@hookimpl(trylast=True)
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    policy = content_security_policy(inline_scripts(datasette))
    always = [
        (b"content-security-policy", policy.encode("ascii")),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-content-type-options", b"nosniff"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    replaced = {name for name, _ in always} | {b"strict-transport-security"}
    trusted = list(with_other_forms(trusted_proxies(os.environ.get(TRUSTED_PROXIES, ""))))

    def wrap(app: ASGIApp) -> ASGIApp:
        async def secured(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "websocket":  # Datasette serves none: refused before the login's
                await send({"type": "websocket.close", "code": 1008})  # wrappers, which pass
                return  # all but "http" through (it failed with a 500 and a traceback)
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            https = scope.get("scheme") == "https"

            async def send_secured(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    headers = [
                        (name, value)
                        for name, value in message.get("headers", [])
                        if name.lower() not in replaced
                    ]
                    headers += always
                    if https:
                        headers = [
                            (
                                name,
                                _secure_cookie(value) if name.lower() == b"set-cookie" else value,
                            )
                            for name, value in headers
                        ]
                        headers.append((b"strict-transport-security", HSTS))
                    message = dict(message, headers=headers)
                await send(message)

            await app(scope, receive, send_secured)

        if not trusted:  # without trusted proxies the middleware would only pass requests through
            return secured
        # uvicorn's middleware is typed for its own scope types; it is a plain ASGI app.
        middleware = ProxyHeadersMiddleware(secured, trusted_hosts=trusted)  # type: ignore[arg-type]
        return cast(ASGIApp, middleware)

    return wrap
