"""The reverse proxies whose ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed
(``CERTREG_TRUSTED_PROXIES``): read here once for the public app, the staff Datasette and the
uvicorn that runs it, so that all three believe the same peers and refuse the same mistakes."""

from __future__ import annotations

import functools
import ipaddress
import logging
import re

VARIABLE = "CERTREG_TRUSTED_PROXIES"

logger = logging.getLogger("certreg.proxies")


class ProxyProblem(ValueError):
    """A trusted proxy written as uvicorn cannot match it; the message says what to write."""


def proxy_problem(proxy: str) -> str | None:
    """Why ``proxy`` cannot name a trusted proxy, if it cannot. uvicorn matches a peer against
    IP addresses and networks, or ``*`` (every peer: only where nothing but the proxy can reach
    the server) — never a host name, which would silently match no one: every user would then
    share the proxy's address, one allowance of checks and one throttle of staff logins."""
    try:
        ipaddress.ip_network(proxy, strict=False)
    except ValueError:
        if proxy == "*":
            return None
        return (
            f"{VARIABLE} 中的“{proxy}”不是 IP 地址或网段（如 10.0.0.5、10.0.0.0/24）。"
            "请写代理（nginx）所在主机的 IP 地址，不能写主机名，多个地址之间用逗号分隔（如 "
            "10.0.0.10,10.0.0.11）：写错时代理送来的用户地址不被采用，"
            "所有用户共用一份查验限额和职员登录的失败次数限制"
        )
    return None


SEPARATORS = re.compile(r"[,;\s]+")
"""Between two proxies: a comma, as documented — or a semicolon or spaces, which an address
never holds: ``10.0.0.10 10.0.0.11`` was refused as no address (an operator's review)."""


def trusted_proxies(value: str) -> tuple[str, ...]:
    """The proxies of ``value`` (blank: none), separated by `SEPARATORS`, each `read_as`
    uvicorn can match it, or `ProxyProblem`. Whatever compares a peer with them takes them
    `with_other_forms`."""
    proxies = tuple(proxy for proxy in SEPARATORS.split(value) if proxy)
    for proxy in proxies:
        problem = proxy_problem(proxy)
        if problem:
            raise ProxyProblem(problem)
    return tuple(read_as(proxy, said=True) for proxy in proxies)


def with_other_forms(proxies: tuple[str, ...]) -> tuple[str, ...]:
    """``proxies``, each `read_as` uvicorn can match it and followed by its other form
    (`_other_form`)."""
    forms = (form for proxy in proxies for form in (read_as(proxy), *_other_form(proxy)))
    return tuple(dict.fromkeys(forms))


def read_as(proxy: str, *, said: bool = False) -> str:
    """``proxy``, a network written with host bits (``10.0.0.10/24``) as the network it lies in
    (``10.0.0.0/24``); ``said``: the journal is told so, once. `proxy_problem` accepted it, but
    uvicorn reads a network strictly: it became a name no peer has, and every user shared the
    proxy's allowance while the connection guard counted it as the proxy (a review)."""
    if "/" not in proxy:
        return proxy
    try:
        ipaddress.ip_network(proxy)
    except ValueError:
        network = str(ipaddress.ip_network(proxy, strict=False))
        if said:
            _say_read_as(proxy, network)
        return network
    return proxy


@functools.cache
def _say_read_as(proxy: str, network: str) -> None:
    """Tell the journal, once a process, which network a proxy with host bits is read as."""
    host = proxy.partition("/")[0]
    logger.warning(
        "%s 中的“%s”不是网段的起始地址，按它所在的网段 %s 采用（该网段内的所有主机都是可信代理）；"
        "只信任这一台主机时请写 %s",
        VARIABLE,
        proxy,
        network,
        host,
    )


_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")


def _other_form(proxy: str) -> tuple[str, ...]:
    """An IPv4 proxy as an IPv4-mapped IPv6 one, and the other way round: a server bound to
    ``::`` sees nginx on 127.0.0.1 as ``::ffff:127.0.0.1``, which ``127.0.0.1`` did not match —
    every client counted as the proxy, one allowance for the whole site (a review) — and a list
    written for it (the warning named ``::ffff:127.0.0.1``) would miss an IPv4 socket's peer."""
    if proxy == "*":
        return ()
    network = ipaddress.ip_network(proxy, strict=False)
    if isinstance(network, ipaddress.IPv4Network):
        start, bits = f"::ffff:{network.network_address}", 96 + network.prefixlen
    elif network.subnet_of(_MAPPED):
        start, bits = str(network.network_address.ipv4_mapped), network.prefixlen - 96
    else:
        return ()
    return (start if network.num_addresses == 1 else f"{start}/{bits}",)
