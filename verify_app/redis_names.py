"""The names a check tries against a number, counted in Redis in one atomic step.

The bound on guessing names (`verify_app.guesses`) counts each name asked with a number on the
caller's counter (and anonymous callers' shared one) unless it was tried within the window,
and marks it tried — nothing unless every counter has room for all the names. Done call by
call, a single check of a new name asked Redis eleven times, and two checks of one name sent at
once could both count it before either had marked it. One Lua script reads, counts and marks
every counter of a check at once: one round trip, and no other check between. Another takes
back what a check counted and did not spend (a name that matched), never below zero.

The counters are ``limits``' sliding-window counters — the same keys, the same window shift and
the same weighted sum as its ``acquire_sliding_window.lua``, which this script repeats since
``limits`` counts on one counter at a time — so that ``limits`` reads what is counted here (how
long a paused number waits, `verify_app.ratelimit.Limiter.wait_for`), and the per-process
fallback, which counts with ``limits`` itself, keeps the same windows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from limits import RateLimitItem
from limits.errors import StorageError
from limits.storage import RedisStorage

if TYPE_CHECKING:  # the client is an install extra: certreg[redis]
    from redis.commands.core import Script

_WINDOWS = """
local function shift(previous, current, expiry)
    local ttl = tonumber(redis.call('pttl', current))
    if ttl > 0 and ttl < expiry then
        redis.call('rename', current, previous)
        redis.call('set', current, 0, 'PX', ttl + expiry)
    end
end

local function weighted(previous, current, expiry)
    shift(previous, current, expiry)
    local previous_count = tonumber(redis.call('get', previous)) or 0
    local previous_ttl = tonumber(redis.call('pttl', previous)) or 0
    local current_count = tonumber(redis.call('get', current)) or 0
    if previous_ttl <= 0 then
        previous_ttl = 0
    end
    return math.floor(previous_count * previous_ttl / expiry) + current_count
end

local function take(previous, current, amount, expiry)
    shift(previous, current, expiry)
    for _, window in ipairs({current, previous}) do
        local count = tonumber(redis.call('get', window)) or 0
        local taken = math.min(amount, math.max(count, 0))
        if taken > 0 then
            redis.call('incrby', window, -taken)
            amount = amount - taken
        end
    end
end

local function add(previous, current, amount, expiry)
    shift(previous, current, expiry)
    if redis.call('exists', current) == 1 then
        redis.call('incrby', current, amount)
    else
        redis.call('set', current, amount, 'PX', expiry * 2)
    end
end
"""
"""``limits``' sliding window in Redis: a counter is two keys, its current window and the one
before, whose count weighs by the part of it still inside the window (times in ms)."""

_COUNT = """
-- KEYS: each counter's previous and current window, then the marks' of its names, in order
-- ARGV: per counter: its limit, its window (s), its marks' window (s), its names
local counters = #ARGV / 4
local short = {}
for i = 0, counters - 1 do
    local limit, expiry = tonumber(ARGV[4 * i + 1]), tonumber(ARGV[4 * i + 2]) * 1000
    if weighted(KEYS[2 * i + 1], KEYS[2 * i + 2], expiry) + tonumber(ARGV[4 * i + 4]) > limit then
        short[#short + 1] = i
    end
end
if #short > 0 then
    return {0, short}
end
local counted, mark = {}, 2 * counters
for i = 0, counters - 1 do
    local expiry, seen = tonumber(ARGV[4 * i + 2]) * 1000, tonumber(ARGV[4 * i + 3]) * 1000
    local new = {}
    for j = 0, tonumber(ARGV[4 * i + 4]) - 1 do
        if weighted(KEYS[mark + 1], KEYS[mark + 2], seen) < 1 then
            add(KEYS[mark + 1], KEYS[mark + 2], 1, seen)
            new[#new + 1] = j
        end
        mark = mark + 2
    end
    if #new > 0 then
        add(KEYS[2 * i + 1], KEYS[2 * i + 2], #new, expiry)
    end
    counted[i + 1] = new
end
return {1, counted}
"""

_TAKE_BACK = """
-- KEYS: each counter's previous and current window; ARGV: per counter its window (s), amount
for i = 0, #ARGV / 2 - 1 do
    take(KEYS[2 * i + 1], KEYS[2 * i + 2], tonumber(ARGV[2 * i + 2]), tonumber(ARGV[2 * i + 1]) * 1000)
end
return 1
"""


class Names(NamedTuple):
    """The names a check counts on one counter: ``item`` bounds the counter of ``key``, and
    ``seen`` the mark of each name (``key/tag``, by the tag of its keyed hash), counted once in
    its window."""

    item: RateLimitItem
    key: str
    seen: RateLimitItem
    tags: list[str]


@dataclass
class Counted:
    """What `RedisNames.count` (or the per-process fallback) did with a check's counters."""

    short: list[int] = field(default_factory=list)
    """the counters (by position) without room for all their names: then nothing was counted"""
    new: list[list[str]] = field(default_factory=list)
    """per counter, the names counted on it: those not tried within the window, now marked"""
    fallback: bool = False
    """counted in this process, the shared store being down: given back there, or not at all"""


class RedisNames:
    """Counts names on ``limits``' counters in Redis, each check in one atomic script.

    The scripts are sent by their hash (``EVALSHA``), loaded again by redis-py after a restart
    of Redis emptied its cache."""

    def __init__(self, store: RedisStorage) -> None:
        self.store = store
        client = store.storage
        self._count = client.register_script(_WINDOWS + _COUNT)
        self._take_back = client.register_script(_WINDOWS + _TAKE_BACK)

    def _keys(self, item: RateLimitItem, key: str) -> list[str]:
        """A counter's keys as `RedisStorage.get_sliding_window` names them (its own helpers)."""
        store, counter = self.store, item.key_for(key)
        return [
            store.prefixed_key(store._previous_window_key(counter)),
            store.prefixed_key(store._current_window_key(counter)),
        ]

    def count(self, counters: Sequence[Names]) -> Counted:
        """Count each counter's names not tried within its window, and mark them — or, when
        any counter has no room for all its names (tried or not), count nothing.
        Raises `StorageError`."""
        keys, marks, arguments = [], [], []
        for item, key, seen, tags in counters:
            keys += self._keys(item, key)
            for tag in tags:
                marks += self._keys(seen, f"{key}/{tag}")
            arguments += [item.amount, item.get_expiry(), seen.get_expiry(), len(tags)]
        answer = self._run(self._count, keys + marks, arguments)
        try:  # a store that is no Redis of ours (+PONG to everything) is an outage, not a 500
            done, found = answer
            if not done:
                return Counted(short=[int(i) for i in found])
            return Counted(
                new=[
                    [names.tags[int(i)] for i in positions]
                    for names, positions in zip(counters, found, strict=True)
                ]
            )
        except (TypeError, ValueError, IndexError) as exc:
            raise StorageError(exc) from exc

    def take_back(self, amounts: Sequence[tuple[RateLimitItem, str, int]]) -> bool:
        """Take ``amount`` off each counter: from its current window as far as it holds it, the
        rest from the previous one, never below zero; True. Raises `StorageError`."""
        keys, arguments = [], []
        for item, key, amount in amounts:
            keys += self._keys(item, key)
            arguments += [item.get_expiry(), amount]
        self._run(self._take_back, keys, arguments)
        return True

    def _run(self, script: Script, keys: list[str], arguments: Sequence[int]) -> Any:
        """``script``'s answer; the store's errors raised as ``limits``' own calls raise them
        (`StorageError`), which `verify_app.ratelimit.Limiter` takes for an outage."""
        try:
            return script(keys=keys, args=arguments)
        except self.store.base_exceptions as exc:
            raise StorageError(exc) from exc
