"""Per-client quotas (SPEC §7), with the maintained ``limits`` library.

`Limiter` is the one place that knows where counts live and what happens when that place is
gone; every quota is built on it:

- ``memory://`` (the default) counts in this process only: right for one process, and the
  counts are multiplied by the number of processes otherwise (``certreg serve --workers N``
  warns about it);
- ``redis://host:6379`` shares the counts between every worker and every replica
  (``pip install 'certreg[redis]'``). When Redis cannot be reached, a hit is counted in a
  per-process memory fallback instead, a warning is logged once per outage, and Redis is tried
  again every `RETRY_SECONDS`: a check is never refused or failed because the counter is down,
  only counted less strictly until it is back.

A new quota (a daily batch allowance, an API key's plan) takes the shared `Limiter` and its own
`limits` item, e.g. ``limiter.hit(RateLimitItemPerDay(5000), f"batch/{key}", cost=len(items))``
— its own key prefix, so that quotas never share a counter. The first of them is
`verify_app.check_limiter.CheckLimiter`: checks per minute per client (who a client is:
`registry.public.client_keys`), a batch costing one per item. The claims a request holds on a
name while it runs (`Limiter.claims`, `verify_app.claims`) are kept in the same store, alike.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from limits import RateLimitItem
from limits.errors import StorageError
from limits.storage import RedisStorage, storage_from_string
from limits.storage.base import SlidingWindowCounterSupport
from limits.strategies import FixedWindowRateLimiter, RateLimiter, SlidingWindowCounterRateLimiter

from verify_app.claims import Claims, SharedClaims
from verify_app.memory_store import SweptMemoryStorage
from verify_app.redis_names import Counted, Names, RedisNames

logger = logging.getLogger("certreg.ratelimit")

T = TypeVar("T")

RETRY_SECONDS = 5.0
"""While the shared store is down, how long hits stay in the fallback before it is tried again
(one failed attempt per process per interval, not one per request)."""
STORE_TIMEOUT = 0.5
"""Seconds a request waits for the shared store before counting in the fallback."""
HEALTH_SECONDS = 1.0
"""How long `Limiter.where_counted`'s answer holds before the store is asked again."""


_PASSWORD = re.compile(r"(?<=://)([^/:@\s]*):(\S*)@")
"""user:password@ of a URL, up to its last @ before the host (a password may hold @ itself, and
/ written as it is, which an operator's review saw printed)."""


_ALONE = re.compile(r"(?<=://)[^/:@\s]+@")
"""userinfo without a colon (redis://password@host): the password written where the user goes."""
_QUERY = re.compile(r"(?<=[?&]password=)[^&\s]*")
"""A password given as the query's (redis://host/0?password=…), which the Redis client reads."""


def without_password(text: str) -> str:
    """``text`` with the password of any URL in it hidden (``redis://:***@host``): the store's
    address goes to the log, its password must not."""
    return _QUERY.sub("***", _ALONE.sub("***@", _PASSWORD.sub(lambda m: f"{m[1]}:***@", text)))


def is_local(storage_uri: str) -> bool:
    """Whether counts under ``storage_uri`` live in this process (and so are per process)."""
    return storage_uri.startswith("memory://")


class _SlidingWindow(SlidingWindowCounterRateLimiter):
    """``limits``' sliding-window counter, which also tells its two windows' counts."""

    def window(self, item: RateLimitItem, *identifiers: str) -> tuple[int, float, int, float]:
        """(previous count, seconds it still weighs, current count, seconds it lives)."""
        found = cast(SlidingWindowCounterSupport, self.storage).get_sliding_window(
            item.key_for(*identifiers), item.get_expiry()
        )
        return found


class Limiter:
    """Sliding-window counters in the configured store, with a per-process fallback.

    One per process, shared by every quota: it holds the store's connection pool. Thread-safe
    (the app charges from its thread pool when the store is remote)."""

    def __init__(
        self,
        storage_uri: str = "memory://",
        *,
        retry_seconds: float = RETRY_SECONDS,
        timeout: float = STORE_TIMEOUT,
        health_seconds: float = HEALTH_SECONDS,
    ) -> None:
        self.storage_uri = storage_uri
        self.health_seconds = health_seconds
        """how long `where_counted`'s answer holds"""
        self.local = is_local(storage_uri)
        """Counts kept in this process: charging never waits on the network."""
        self.retry_seconds = retry_seconds
        # A sliding-window counter costs O(1) a hit; a moving window keeps (and shifts) one entry
        # per check, which a busy client turns into thousands per minute.
        # Fixed windows serve counts whose window is named in the key (an API key's day).
        self._memory = SweptMemoryStorage()
        self._fallback = {
            False: _SlidingWindow(self._memory),
            True: FixedWindowRateLimiter(self._memory),
        }
        self._shared: dict[bool, RateLimiter] | None = None
        self._names: RedisNames | None = None
        self.claims = Claims()
        """one request at a time on a name (`verify_app.claims`): in Redis when the counts are"""
        if not self.local:
            options: dict[str, Any] = {}
            if storage_uri.startswith(("redis://", "rediss://", "redis+unix://")):
                # fail fast instead of holding a request while Redis is unreachable
                options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
            store = storage_from_string(storage_uri, wrap_exceptions=True, **options)
            self._store = store
            if isinstance(store, RedisStorage):
                self._names = RedisNames(store)
                self.claims = Claims(SharedClaims(store, self._from_store))
            self._shared = {
                False: _SlidingWindow(store),
                True: FixedWindowRateLimiter(store),
            }
        self._lock = threading.Lock()
        self._counting = threading.Lock()
        """held while names are counted in this process (`count_names`)"""
        self._down_until = 0.0
        """monotonic time before which the shared store is not tried again"""
        self._outage = False
        self._health = ("shared", 0.0)
        """`where_counted`'s last answer and the monotonic time it holds until"""
        self._asking = threading.Lock()

    def reachable(self) -> bool:
        """Whether the shared store answers now (wrong address or password: it never will)."""
        return self._shared is None or bool(self._store.check())

    def where_counted(self) -> str:
        """Where the counts are kept, for monitoring (``/healthz``): ``local`` (this process, as
        configured), ``shared`` (the shared store, which answers now), ``fallback`` (this
        process: the shared store does not answer). Asks the store — an outage shows before a
        check meets it, and its end on an idle replica too — at most once a `health_seconds`
        and one thread at a time, the others given the last answer: a store that hangs held a
        worker thread per probe for its whole timeout, and a thousand probes stalled the checks
        waiting for those threads (a review). While hits skip the store, no need to ask."""
        if self.local:
            return "local"
        if time.monotonic() < self._down_until:
            return "fallback"
        answer, until = self._health
        if time.monotonic() < until or not self._asking.acquire(blocking=False):
            return answer
        try:
            answer = "shared" if self.reachable() else "fallback"
            self._health = (answer, time.monotonic() + self.health_seconds)
        finally:
            self._asking.release()
        return answer

    @property
    def degraded(self) -> bool:
        """True while hits are counted in the per-process fallback because the store is down."""
        return self._outage

    def hit(self, item: RateLimitItem, key: str, cost: int = 1, *, fixed: bool = False) -> bool:
        """Count ``cost`` against ``item`` for ``key``; False when over. A sliding window counts
        nothing when it refuses; a ``fixed`` window counts the refused hit too (the caller takes
        it back with a negative ``cost``)."""
        return bool(self._call("hit", item, key, fixed, cost=cost))

    def remaining(self, item: RateLimitItem, key: str, *, fixed: bool = False) -> int:
        """What ``key`` may still count under ``item`` in its current window."""
        _, remaining = self._call("get_window_stats", item, key, fixed)
        return int(remaining)

    def count_names(self, counters: Sequence[Names]) -> Counted:
        """Count on each counter its names not tried within the window and mark them tried, or
        nothing when any counter has no room for all its names — in one step: in Redis one
        atomic script (`verify_app.redis_names`), else in this process under a lock, wholly in
        its own store (a path that went back to Redis halfway counted in both)."""
        names = self._names
        if names is not None:
            if (counted := self._from_store(lambda: names.count(counters))) is not None:
                return counted
        here, fallback = self._fallback[False], names is not None
        with self._counting:
            short = [
                i for i, (item, key, _, tags) in enumerate(counters)
                if here.get_window_stats(item, key).remaining < len(tags)
            ]  # fmt: skip
            if short:
                return Counted(short=short, fallback=fallback)
            new = []
            for i, (item, key, seen, tags) in enumerate(counters):
                new.append([tag for tag in tags if here.test(seen, f"{key}/{tag}")])
                # room was read above, but a serial check's miss counts outside the lock: a name
                # is marked only once counted, or it would pass uncounted next time
                if new[-1] and not here.hit(item, key, cost=len(new[-1])):
                    return Counted(short=[i], fallback=fallback)
                for tag in new[-1]:
                    here.hit(seen, f"{key}/{tag}")
            return Counted(new=new, fallback=fallback)

    def take_back(
        self, amounts: Sequence[tuple[RateLimitItem, str, int]], *, fallback: bool
    ) -> None:
        """Take back what sliding-window counters counted and was not spent (a name that matched,
        a charge refused after it): each ``amount`` from the current window as far as it holds
        it (a count of a moment ago is there), the rest from the previous one (the window moved
        on meanwhile), never below zero — ``limits``' negative hit took it all off the current
        window, and a give-back just after the window moved on left the next one below zero (a
        batch across the hour had 19 names answered where the bound is 10). In the store it was
        counted in — this process's when ``fallback`` —, lost when that store is down since:
        given to the other one, room would move between them."""
        if not amounts:
            return
        if fallback or self._names is None:
            for item, key, amount in amounts:
                self._memory.take_back(item.key_for(key), item.get_expiry(), amount)
        else:
            names = self._names
            self._from_store(lambda: names.take_back(amounts))

    def wait_for(self, item: RateLimitItem, key: str, cost: int) -> int:
        """Whole seconds until ``cost`` more fit under ``item`` for ``key`` (at least 1), by the
        sliding-window counter's own sum: the previous window's count, weighed by the part of
        it still inside the window, plus the current window's. `retry_after` is the wait for
        one: for a batch of many, it sends a client back to be refused again."""
        previous, previous_ttl, current, current_ttl = self._call("window", item, key, False)
        expiry, limit = item.get_expiry(), item.amount
        left = previous_ttl if previous else current_ttl % expiry  # of the current window
        if current + cost <= limit:  # the previous window's weight has to fall far enough
            wait = left - expiry * (limit - current - cost) / previous if previous else 0.0
        else:  # the current window has to become the previous one, and fall in turn
            wait = left + expiry * (1 - (limit - cost) / current)
        return max(1, math.ceil(wait))

    def retry_after(self, item: RateLimitItem, key: str) -> int:
        """Whole seconds until ``key`` may be counted again under ``item`` (at least 1)."""
        reset, _ = self._call("get_window_stats", item, key, False)
        return max(1, math.ceil(float(reset) - time.time()))

    def _call(self, method: str, item: RateLimitItem, key: str, fixed: bool, **kwargs: int) -> Any:
        shared = self._shared
        if shared is not None:
            call = getattr(shared[fixed], method)
            if (answer := self._from_store(lambda: call(item, key, **kwargs))) is not None:
                return answer
        return getattr(self._fallback[fixed], method)(item, key, **kwargs)

    def _from_store(self, act: Callable[[], T]) -> T | None:
        """``act``'s answer from the shared store; None while it is down, or when it fails now
        (then it is not tried again for `retry_seconds`)."""
        if time.monotonic() < self._down_until:
            return None
        try:
            answer = act()
        except StorageError as exc:
            self._store_failed(exc.storage_error)
            return None
        except Exception as exc:  # noqa: BLE001 -- whatever the client raises, checks go on
            # a parameter the client reads only on connecting (?ssl_min_version=TLSv1_2) raised
            # its own TypeError unwrapped: every check a 500 while /healthz said ok (a review)
            self._store_failed(exc)
            return None
        if self._outage:
            self._store_back()
        return answer

    def _store_failed(self, error: Exception) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self.retry_seconds
            if not self._outage:
                self._outage = True
                logger.warning(
                    "限额存储 %s 无法连接（%s）：先在本进程内单独计数，每 %.0f 秒重试一次",
                    without_password(self.storage_uri),
                    without_password(str(error)),
                    self.retry_seconds,
                )

    def _store_back(self) -> None:
        with self._lock:
            if self._outage:
                self._outage = False
                logger.warning(
                    "限额存储 %s 已恢复：各进程、各副本重新共用计数",
                    without_password(self.storage_uri),
                )
