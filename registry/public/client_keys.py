"""Who a client is, for every count kept of it (its checks per minute, its batch allowance, the
names it guesses, the peers warned of for an unheeded X-Forwarded-For; staff's failed logins):
its address, an IPv6
client counted per /64 network, the block one subscriber usually gets, so that rotating
addresses within it does not multiply the allowance."""

from __future__ import annotations

import ipaddress
from functools import lru_cache


@lru_cache(maxsize=4096)
def limit_key(client: str) -> str:
    """The rate-limit identity of a client address: the address, or its /64 for IPv6.

    An IPv4-mapped IPv6 address (``::ffff:192.0.2.1``, what a dual-stack socket reports for an
    IPv4 peer) is its IPv4 address: as a /64 every IPv4 client would share one allowance.
    Cached: parsing the address costs more than counting the hit, and clients come back."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
