"""One client's share of a server process's connections (`registry.public.http_guard`).

Each of the guard's bounds is a connection's; one client holding thousands of connections, each
trickling a byte every few seconds within its bounds, used up the process's file descriptors and
the server answered no one (a security review). A client address (an IPv6 /64) may hold at most
`MAX_CONNECTIONS_PER_CLIENT` of a process's connections, as nginx's ``limit_conn`` allows in
front; a trusted proxy (``CERTREG_TRUSTED_PROXIES``), whose connections carry every client's
requests, is not counted.
"""

from __future__ import annotations

import functools
import ipaddress
import os
from collections import Counter
from typing import NamedTuple

from registry.public.client_keys import limit_key
from registry.public.proxies import VARIABLE as PROXIES_VARIABLE
from registry.public.proxies import ProxyProblem, trusted_proxies, with_other_forms

MAX_CONNECTIONS_PER_CLIENT = 64
"""Connections one client address may hold open in one process (nginx's ``limit_conn`` in
docs/DEPLOY.md allows as many): a browser opens six, an office behind one address a few each."""

RETRY_SECONDS = 5
"""When a refused client is told to try again (``Retry-After``): an idle connection of its own is
closed by then (uvicorn's keep-alive, 5 s), as nginx's ``limit_conn`` refusal says in front."""
REASON = "connections"
"""The refusal's ``reason`` (`verify_app.refusals.REASONS`), beside ``rate_limited``: which of the
limits a program hit, as every other 429 of the API says."""

_open: Counter[str] = Counter()
"""The connections each client holds in this process (its event loop's: one thread)."""


class Admission(NamedTuple):
    """Whether a new connection may be served, and the client it is counted for (None: not
    counted — a trusted proxy, a Unix socket)."""

    admitted: bool
    client: str | None = None


def admit(peer: object) -> Admission:
    """Count a new connection from ``peer`` (the socket's peer name), unless its client holds
    `MAX_CONNECTIONS_PER_CLIENT` already; `release` its client when it closes."""
    if not isinstance(peer, tuple) or _trusted(peer[0]):
        return Admission(True)
    client = limit_key(peer[0])
    if _open[client] >= MAX_CONNECTIONS_PER_CLIENT:
        return Admission(False)
    _open[client] += 1
    return Admission(True, client)


def release(client: str) -> None:
    """A connection `admit` counted for ``client`` has closed."""
    _open[client] -= 1
    if not _open[client]:
        del _open[client]


def _trusted(address: str) -> bool:
    """Whether ``address`` is a trusted proxy's (``CERTREG_TRUSTED_PROXIES``, as the apps read
    it: a value they refuse to start with trusts none here)."""
    proxies = _proxy_networks(os.environ.get(PROXIES_VARIABLE, ""))
    if proxies is None:
        return True
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(peer in network for network in proxies)


@functools.lru_cache(maxsize=4)
def _proxy_networks(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] | None:
    """The networks of ``value`` (None: ``*``, every peer a proxy)."""
    try:
        proxies = with_other_forms(trusted_proxies(value))
    except ProxyProblem:
        return ()
    if "*" in proxies:
        return None
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)
