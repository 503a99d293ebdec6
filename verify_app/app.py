"""The verification app: routes, middleware and lifespan (SPEC §7); its error pages are
`verify_app.error_pages`.

``create_app(settings)`` builds one app over one registry, so tests can run several side by
side; ``certreg serve`` builds it from the environment and runs it under uvicorn. Handlers are
module-level functions (`verify_app.pages`, `verify_app.api`) that reach the `Verifier`, the
templates and the CSRF tokens through ``request.app.state``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import Message, Receive, Scope, Send

from registry.public.access_log import redact_access_log
from registry.public.proxies import with_other_forms
from verify_app import api, batch_page, manual, pages, reports, watch_views, watches
from verify_app.body_limit import BodyLimitMiddleware
from verify_app.csrf import CsrfTokens
from verify_app.error_pages import exception_handlers
from verify_app.forwarded import ForwardedClients
from verify_app.json_response import JSONResponse
from verify_app.links import path_for
from verify_app.openapi import openapi_document
from verify_app.presentation import dialable, page_fields, whole_dates
from verify_app.receipts import Clock
from verify_app.report_tickets import tickets
from verify_app.security_headers import SecurityHeadersMiddleware
from verify_app.service import Verifier
from verify_app.settings import Settings
from verify_app.uploads import UploadSlots

HERE = Path(__file__).parent


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    verifier: Verifier = app.state.verifier
    await run_in_threadpool(verifier.start)
    try:
        yield
    finally:
        app.state.uploads.close()
        await run_in_threadpool(verifier.close)


class WholeFiles(StaticFiles):
    """The static files, always whole: a stylesheet and an icon need no byte ranges, and
    Starlette answers a malformed ``Range`` header with an English plain-text 400 of its own.
    Nor are ranges offered (``Accept-Ranges``)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(key, value) for key, value in scope["headers"] if key != b"range"]

        async def unranged(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message["headers"] if k != b"accept-ranges"]
                message = {**message, "headers": kept}
            await send(message)

        await super().__call__({**scope, "headers": headers}, receive, unranged)


# The router tries routes in order: the busiest (the checks) come first.
routes = [
    Route("/api/v1/verify", api.verify, methods=["POST"], name="api_verify"),
    Route("/check", pages.check, methods=["POST"], name="check"),
    Route("/check", pages.check_again, methods=["GET"], name="check_again"),
    Route("/", pages.form, methods=["GET"], name="form"),
    Route("/r/{token}", pages.receipt, methods=["GET"], name="receipt"),
    Route("/r/{token}/qr.svg", pages.receipt_qr, methods=["GET"], name="receipt_qr"),
    Route("/batch", batch_page.batch_form, methods=["GET"], name="batch_form"),
    Route("/batch", batch_page.batch, methods=["POST"], name="batch"),
    Route("/api/v1/verify/batch", api.verify_batch, methods=["POST"], name="api_batch"),
    # a number typed with slashes (G11/2200/0001) is a malformed number, not an unknown address
    Route("/api/v1/numbers/{number:path}", api.number, methods=["GET"], name="api_number"),
    Route("/api/v1/watches", watches.api_create, methods=["POST"], name="api_watches"),
    Route("/report", reports.report, methods=["POST"], name="report"),
    Route("/api/v1/reports", api.report, methods=["POST"], name="api_reports"),
    Route("/watch", watches.watch_form, methods=["GET"], name="watch_form"),
    Route("/watch", watches.watch_create, methods=["POST"], name="watch_create"),
    Route(
        "/watch/{token}.atom", watch_views.watch_atom, methods=["GET", "DELETE"], name="watch_atom"
    ),
    Route(
        "/watch/{token}.json", watch_views.watch_json, methods=["GET", "DELETE"], name="watch_json"
    ),
    Route(
        "/watch/{token}/delete",
        watch_views.watch_delete_form,
        methods=["POST"],
        name="watch_delete_form",
    ),
    Route("/watch/{token}", watch_views.watch_page, methods=["GET", "DELETE"], name="watch_page"),
    Route("/healthz", api.health, methods=["GET"], name="health"),
    Route("/openapi.json", openapi, methods=["GET"], name="openapi"),
    Route("/docs", manual.docs, methods=["GET"], name="docs"),
    Mount("/static", WholeFiles(directory=HERE / "static"), name="static"),
]


def _templates() -> Jinja2Templates:
    # templates are read once: no file-system check for changes on every page
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(),
        auto_reload=False,
    )
    environment.globals.update(page_fields=page_fields, path_for=path_for)
    environment.filters["whole_dates"] = whole_dates
    environment.filters["dialable"] = dialable
    return Jinja2Templates(env=environment)


def _middleware(settings: Settings) -> list[Middleware]:
    middleware = [
        Middleware(SecurityHeadersMiddleware),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
    ]
    if settings.trusted_proxies:  # without trusted proxies it would only pass requests through
        middleware.insert(
            0,
            Middleware(
                ForwardedClients, trusted_hosts=list(with_other_forms(settings.trusted_proxies))
            ),
        )
    return middleware


def create_app(settings: Settings, *, clock: Clock = time.time) -> Starlette:
    """The verification app over the registry ``settings`` name; ``clock`` (seconds) is what
    receipts and quotas count time by, so tests can move it. Opens nothing until its lifespan
    starts (`lifespan`): several apps can be made side by side."""
    redact_access_log()
    app = Starlette(
        routes=routes,
        middleware=_middleware(settings),
        lifespan=lifespan,
        exception_handlers=exception_handlers,
    )
    # /batch/ was redirected to /batch on whatever host the request named (Host: evil.example),
    # CERTREG_PUBLIC_URL or not: an address with a slash too many is a 404 that links home
    app.router.redirect_slashes = False
    secret, *previous = settings.secrets
    app.state.verifier = Verifier(settings, clock=clock)
    app.state.templates = _templates()
    app.state.csrf = CsrfTokens(secret, previous)
    app.state.report_tickets = tickets(secret, previous)
    app.state.uploads = UploadSlots(settings.upload_concurrency)
    app.state.untrusted_peers = set()  # proxies logged as missing from the trusted list
    return app


def app_from_environ() -> Starlette:
    """The app from ``CERTREG_*`` variables, for running uvicorn directly (e.g. several workers):
    ``uvicorn --factory verify_app.app:app_from_environ``."""
    return create_app(Settings.from_environ())
