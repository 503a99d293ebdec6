"""What a handler reaches through its request: the app's `Verifier` and the client's address."""

from __future__ import annotations

from starlette.requests import Request

from verify_app.service import Verifier


def verifier_of(request: Request) -> Verifier:
    verifier: Verifier = request.app.state.verifier
    return verifier


def client_of(request: Request) -> str:
    """The peer address; behind a trusted proxy, already rewritten from X-Forwarded-For."""
    return request.client.host if request.client else "unknown"
