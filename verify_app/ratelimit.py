"""Per-client rate limit on checks (SPEC §7), with the maintained ``limits`` library.

Every check costs one; a batch costs one per item. The default storage is memory (one
process); a ``redis://`` storage URI lets several replicas share the counts. An IPv6 client is
counted per /64 network, the block one subscriber usually gets, so rotating addresses within
it does not multiply the allowance.
"""

from __future__ import annotations

import ipaddress
import math
import time
from functools import lru_cache

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter


class RateLimited(Exception):
    """Too many checks from one client; ``retry_after`` seconds until it may try again."""

    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.message = message


@lru_cache(maxsize=4096)
def limit_key(client: str) -> str:
    """The rate-limit identity of a client address: the address, or its /64 for IPv6.

    Cached: parsing the address costs more than counting the hit, and clients come back."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class CheckLimiter:
    def __init__(self, per_minute: int, storage_uri: str = "memory://") -> None:
        self.per_minute = per_minute
        self._item = RateLimitItemPerMinute(max(per_minute, 1))
        # A sliding-window counter costs O(1) a hit; a moving window keeps (and shifts) one entry
        # per check, which a busy client turns into thousands per minute.
        self._limiter = SlidingWindowCounterRateLimiter(storage_from_string(storage_uri))
        self.local = storage_uri.startswith("memory://")
        """Counts kept in this process: charging never waits on the network."""

    def charge(self, client: str, cost: int = 1) -> None:
        """Count ``cost`` checks for ``client`` or raise `RateLimited` (then nothing is counted)."""
        if self.per_minute == 0 or cost == 0:
            return
        if cost > self.per_minute:
            raise RateLimited(
                60,
                f"本服务每位用户每分钟最多查验 {self.per_minute} 条，本次提交了 {cost} 条，"
                f"请分成每批不超过 {self.per_minute} 条提交。",
            )
        key = limit_key(client)
        if self._limiter.hit(self._item, "checks", key, cost=cost):
            return
        reset, _ = self._limiter.get_window_stats(self._item, "checks", key)
        retry = max(1, math.ceil(reset - time.time()))
        raise RateLimited(
            retry, f"查验过于频繁（每分钟最多 {self.per_minute} 条），请 {retry} 秒后再试。"
        )
