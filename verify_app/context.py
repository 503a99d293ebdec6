"""What a handler reaches through its request: the app's `Verifier`, the client's address, and
who pays for an API request (an API key, or the address)."""

from __future__ import annotations

import ipaddress
import logging

from starlette.requests import Request

from registry.public.client_keys import limit_key
from registry.public.http_guard import json_address
from verify_app.forwarded import TAKEN, UNREAD
from verify_app.quotas import Caller
from verify_app.service import Verifier

logger = logging.getLogger("certreg.verify")


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


def wants_json(path: str, method: str) -> bool:
    """Whether a request's errors are answered in JSON, for a program: the API, the feeds, a
    ``DELETE`` — else with a page, for a browser."""
    return json_address(path) or method == "DELETE"


def verifier_of(request: Request) -> Verifier:
    """The app's `Verifier`, typed: ``request.app.state`` is untyped (Any), so a handler
    reading it there would go unchecked by mypy."""
    verifier: Verifier = request.app.state.verifier
    return verifier


MAX_UNTRUSTED_WARNINGS = 16
"""distinct public peers warned of, per app: a misconfigured proxy is one; a log is not flooded.
A peer is counted as the limiter counts it (`limit_key`: an IPv6 /64). A private or loopback
peer — where a proxy in front of the service sits — is always warned of, once: one home's
/56 of public networks used up the warnings before a real proxy's turn."""


def client_of(request: Request) -> str:
    """The peer address; behind a trusted proxy, already rewritten from X-Forwarded-For. A
    peer that sends the header unheeded (``CERTREG_TRUSTED_PROXIES`` not naming the proxy:
    every employer then shares the proxy's allowance) is logged once."""
    host = request.client.host if request.client else "unknown"
    if forwarding(request) == "untrusted":
        _untrusted(request.app.state.untrusted_peers, host)
    return host


def forwarding(request: Request) -> str:
    """How the request's X-Forwarded-For was read: ``none`` sent, ``trusted`` (its proxy's
    client taken), ``untrusted`` (its peer not in ``CERTREG_TRUSTED_PROXIES``), ``unread`` (a
    trusted proxy's naming no address) — for the log, and for ``/healthz``, whose probe through
    the proxy tells monitoring what the journal said once (an operator's review)."""
    # every X-Forwarded-For, as uvicorn reads them: with two, the first alone named a client
    # that did not come through it, and the log asked for a client-chosen address to be trusted
    forwarded = request.headers.getlist("x-forwarded-for")
    if not forwarded:
        return "none"
    if UNREAD in request.scope:  # a trusted proxy's, naming no address: said apart
        return "unread"
    # by the peer, not the header: one naming the peer itself came from anyone
    return "trusted" if TAKEN in request.scope else "untrusted"


def _untrusted(seen: set[str], peer: str) -> None:
    slot = limit_key(peer)
    if slot in seen or (len(seen) >= MAX_UNTRUSTED_WARNINGS and not _local(peer)):
        return
    seen.add(slot)
    logger.warning(
        "来自 %s 的请求带有 X-Forwarded-For，但该地址不在 CERTREG_TRUSTED_PROXIES 中，"
        "已按 %s 计算查验额度。如 %s 是本服务前面的反向代理，请把它加入 CERTREG_TRUSTED_PROXIES，"
        "否则所有用户共用这一个额度",
        peer,
        peer,
        peer,
    )


def _local(peer: str) -> bool:
    """Whether ``peer`` is a private or loopback address: where a reverse proxy sits."""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return address.is_private or address.is_loopback


def form_caller_of(request: Request) -> Caller:
    """The caller of a form page: a key when the request carries ``Bearer`` (an HR system's
    program posting a file), else anonymous — a browser resends the Basic credentials of a site
    behind nginx's ``auth_basic``, which are no key and must not refuse the page."""
    header = request.headers.get("authorization", "")
    if header.strip().lower().startswith("bearer"):
        return caller_of(request)
    return Caller(client_of(request))


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
