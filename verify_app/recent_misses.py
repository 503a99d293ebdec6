"""Which name counters this process has counted a miss on lately (`verify_app.guesses`): a
single check counted in this process's memory reads no counter it has counted nothing on for
the counter's reach — a third of a single check's time went to reading counters."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

MAX_REMEMBERED = 100_000
"""Keys remembered before those out of reach are dropped (each cost a check that missed)."""


class RecentMisses:
    """When this process last counted a miss on each counter, within its reach."""

    def __init__(self, reach: Callable[[str], float], forget_for: float) -> None:
        """``reach``: how long a miss weighs on a counter (its window and the next);
        ``forget_for``: how long every counter is read after the memory was dropped whole."""
        self._reach = reach
        self._forget_for = forget_for
        self._missed: dict[str, float] = {}
        """when this process last counted a miss on each key (`time.monotonic`)"""
        self._forgetful_until = 0.0
        """before then (too many keys to remember were dropped), every counter is read"""
        self._lock = threading.Lock()

    def untouched(self, key: str) -> bool:
        """Whether this process has counted no miss on ``key`` within the counter's reach."""
        now = time.monotonic()
        reach = self._reach(key)
        return now >= self._forgetful_until and now - self._missed.get(key, -reach) >= reach

    def remember(self, keys: Iterable[str]) -> None:
        """A miss counted now on each of ``keys``."""
        now = time.monotonic()
        with self._lock:  # batches settle from the thread pool
            if len(self._missed) >= MAX_REMEMBERED:  # those out of reach are no use any more
                self._missed = {k: t for k, t in self._missed.items() if now - t < self._reach(k)}
                if len(self._missed) >= MAX_REMEMBERED // 2:  # still too many: read every counter
                    self._missed, self._forgetful_until = {}, now + self._forget_for
            self._missed.update(dict.fromkeys(keys, now))
