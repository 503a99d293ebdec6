"""What a handler reaches through its request: the app's `Verifier`, the client's address, and
who pays for an API request (an API key, or the address)."""

from __future__ import annotations

from starlette.requests import Request

from verify_app.quotas import Caller
from verify_app.service import Verifier


class BadKey(Exception):
    """An ``Authorization`` header that names no live key: answered 401, never served as
    anonymous (an HR system whose key was revoked must learn it, not be quietly throttled)."""

    def __init__(self, message: str, error: str | None = "invalid_token") -> None:
        super().__init__(message)
        self.message = message
        self.error = error
        """RFC 6750's error code (§3.1): ``invalid_token`` for a key that is unknown or revoked,
        ``invalid_request`` for ``Bearer`` without one, none for another scheme (no Bearer
        credentials were sent at all)"""


def verifier_of(request: Request) -> Verifier:
    verifier: Verifier = request.app.state.verifier
    return verifier


def client_of(request: Request) -> str:
    """The peer address; behind a trusted proxy, already rewritten from X-Forwarded-For."""
    return request.client.host if request.client else "unknown"


def caller_of(request: Request) -> Caller:
    """The caller of an API request: anonymous without ``Authorization``; with
    ``Authorization: Bearer <key>``, the key, looked up on every request (a revocation counts
    from the next request on). Any other ``Authorization`` raises `BadKey`."""
    client = client_of(request)
    header = request.headers.get("authorization")
    if header is None:
        return Caller(client)
    scheme, _, key = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise BadKey(
            "Authorization 请求头应为“Bearer 接口密钥”。不使用密钥时请不要发送该请求头。",
            "invalid_request" if scheme.lower() == "bearer" else None,
        )
    found = verifier_of(request).api_key(key.strip())
    if found is None:
        raise BadKey("接口密钥无效或已被吊销。请向发证机关核实；吊销的密钥立即失效。")
    return Caller(client, found)
