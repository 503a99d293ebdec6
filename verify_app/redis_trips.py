"""Several sliding-window counters read or counted in one Redis round trip.

The bound on guessing names (`verify_app.guesses`) reads and counts a check's counters and the
marks of its names one by one: with the counts in Redis, a single check of a name not tried
before asked the store eleven times, and a deployment with its limits in Redis ran at 0.41× its
twin counting in memory (bench/RESULTS.md, 2026-12-05 07:30). Sent together in a pipeline they
cost one round trip.

Each call runs ``limits``' own Lua script of its sliding-window counter, the one its
`RedisStorage` runs for a single call, on the same keys, so that a count made here and one made
by ``limits`` are one count. The scripts are sent whole (``EVAL``, which Redis caches by their
hash): by hash alone (``EVALSHA``) a pipeline asks first whether Redis still has them, a round
trip of its own. The pipeline is no transaction: like single calls, each is atomic by itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from limits import RateLimitItem
from limits.storage import RedisStorage


class Call(NamedTuple):
    """Read the counter of ``key`` under ``item`` (``cost`` None), or count ``cost`` on it."""

    item: RateLimitItem
    key: str
    cost: int | None = None


def remaining(item: RateLimitItem, window: tuple[int, float, int, float]) -> int:
    """What may still be counted under ``item`` in a window read as (previous count, seconds it
    still weighs, current count, seconds it lives): ``limits``' own sum."""
    previous, previous_ttl, current, _ = window
    return max(0, item.amount - math.floor(previous * previous_ttl / item.get_expiry() + current))


class RedisTrips:
    """Pipelined sliding-window calls on the keys ``limits``' `RedisStorage` keeps them under."""

    def __init__(self, store: RedisStorage) -> None:
        self.store = store

    def run(self, calls: Sequence[Call]) -> list[Any]:
        """Each call's answer, in order: a read's window (as `remaining` takes it), a count's
        success. Raises the store's own errors (`RedisStorage.base_exceptions`)."""
        store = self.store
        pipeline = store.storage.pipeline(transaction=False)
        for item, key, cost in calls:
            counter = item.key_for(key)
            # the keys as `RedisStorage.get_sliding_window` names them (its own helpers)
            keys = (
                store.prefixed_key(store._previous_window_key(counter)),
                store.prefixed_key(store._current_window_key(counter)),
            )
            if cost is None:
                pipeline.eval(store.SCRIPT_SLIDING_WINDOW, 2, *keys, item.get_expiry())
            else:
                arguments = (item.amount, item.get_expiry(), cost)
                pipeline.eval(store.SCRIPT_ACQUIRE_SLIDING_WINDOW, 2, *keys, *arguments)
        answers = pipeline.execute()
        return [
            bool(answer) if call.cost is not None else _window(answer)
            for call, answer in zip(calls, answers, strict=True)
        ]


def _window(answer: list[Any]) -> tuple[int, float, int, float]:
    """A window as the script returns it, read as `RedisStorage.get_sliding_window` reads it."""
    previous, previous_ttl, current, current_ttl = answer
    return (
        int(previous or 0),
        max(0, float(previous_ttl or 0)) / 1000,
        int(current or 0),
        max(0, float(current_ttl or 0)) / 1000,
    )
