"""The names a check tries against a number, counted in Redis in one atomic step
(`verify_app.redis_names`).

A single check of a name not tried with its number asked the shared store eleven times (the
rate limit once, the bound on guessing names ten times), and a deployment with its limits in
Redis served 0.41× its twin counting in memory. Round trips are counted as Redis counts the
reads on its sockets (``total_reads_processed``): what a check costs the network, not time.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

import pytest
from limits import RateLimitItemPerDay, RateLimitItemPerHour, RateLimitItemPerSecond
from limits.storage import RedisStorage
from starlette.datastructures import Secret
from starlette.testclient import TestClient

from tests.test_redis_limits import RedisServer, redis
from tests.verify_fixtures import REISSUED, SECRET, VALID, registry_db
from verify_app.answers import Item
from verify_app.app import create_app
from verify_app.quotas import Caller
from verify_app.ratelimit import Limiter
from verify_app.redis_names import Names
from verify_app.service import Verifier
from verify_app.settings import Settings

__all__ = ["redis", "registry_db"]

NUMBER, NAME = VALID


class Reads:
    """The reads Redis makes on its clients' sockets, asked on one connection of its own."""

    def __init__(self, server: RedisServer) -> None:
        import redis as client

        self.client = client.Redis(port=server.port, socket_timeout=1)

    def __call__(self) -> int:
        stats = self.client.info("stats")
        return int(stats["total_reads_processed"])  # type: ignore[index]  # sync client

    def of(self, check: TestClient, name: str, number: str = NUMBER) -> tuple[str, int]:
        """A check's result, and the round trips it made (less the one that asks)."""
        before = self()
        answer = check.post("/api/v1/verify", json={"number": number, "name": name}).json()
        return answer["result"], self() - before - 1


def test_a_check_asks_the_shared_store_once_per_step(registry_db: Path, redis: RedisServer) -> None:
    """The rate limit; the name counted and marked on both counters; a matching name then
    given back."""
    settings = Settings(db=registry_db, secret=Secret(SECRET), rate_limit_storage=redis.url)
    trips = Reads(redis)
    with TestClient(create_app(settings), client=("203.0.113.7", 1)) as check:
        trips.of(check, "王五")  # the pool's connection opened, the scripts loaded …
        check.post("/api/v1/verify", json=dict(zip(("number", "name"), REISSUED, strict=True)))
        assert trips.of(check, "李四") == ("no_match", 2)
        assert trips.of(check, "李四") == ("no_match", 2)
        assert trips.of(check, NAME) == ("valid", 3)
        assert trips.of(check, NAME) == ("valid", 2)  # tried already: nothing to give back
        assert trips.of(check, NAME, number="G11220001") == ("malformed", 1)  # nothing to count


def test_what_is_counted_here_limits_reads_and_counts_alike(redis: RedisServer) -> None:
    """The script keeps ``limits``' own counters: what it counts, ``limits`` reads (a paused
    number's wait), and what ``limits`` counted, it finds — in another process too."""
    hour, seen = RateLimitItemPerHour(3), RateLimitItemPerHour(1)
    here, there = Limiter(redis.url), Limiter(redis.url)
    assert there.hit(hour, "names/a", 1)
    counted = here.count_names([Names(hour, "names/a", seen, ["t1", "t2"])])
    assert counted.new == [["t1", "t2"]] and not counted.short
    assert there.remaining(hour, "names/a") == 0 and there.remaining(seen, "names/a/t1") == 0
    again = here.count_names([Names(hour, "names/a", seen, ["t1"])])
    assert (again.short, again.new) == ([0], [])  # no room for it, tried or not: refused
    here.take_back([(hour, "names/a", 2)], fallback=counted.fallback)
    assert there.remaining(hour, "names/a") == 2
    assert here.count_names([Names(hour, "names/a", seen, ["t1"])]).new == [[]]  # marked


def test_nothing_is_counted_unless_every_counter_has_room(redis: RedisServer) -> None:
    """A caller refused on its own counter counts nothing on the one anonymous callers share."""
    hour, day, seen = RateLimitItemPerHour(1), RateLimitItemPerDay(5), RateLimitItemPerHour(1)
    limiter = Limiter(redis.url)
    counters = [
        Names(hour, "names/x/N", seen, ["a", "b"]),
        Names(day, "names/all/N", seen, ["a", "b"]),
    ]
    assert limiter.count_names(counters).short == [0]
    assert limiter.remaining(day, "names/all/N") == 5
    assert limiter.remaining(seen, "names/all/N/a") == 1


def test_a_store_answering_nonsense_is_an_outage_not_a_500(
    redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review pointed the limits at a server answering +PONG to everything: the names script's
    answer could not be unpacked, and checks answered 500. Now it is the store failing — counted
    in this process instead, as in any outage."""
    hour, seen = RateLimitItemPerHour(2), RateLimitItemPerHour(1)
    limiter = Limiter(redis.url, retry_seconds=60)
    assert limiter._names is not None
    monkeypatch.setattr(limiter._names, "_run", lambda *args: b"PONG")
    counted = limiter.count_names([Names(hour, "names/x/N", seen, ["a"])])
    assert counted.fallback and counted.short == [] and limiter.degraded


def test_counted_while_redis_is_down_is_given_back_in_this_process(redis: RedisServer) -> None:
    """Counted in the fallback, given back there: given to Redis once it was back, the room
    moved between the stores (a review's outage left a process's counter below zero, and the
    process answered more names than the bound)."""
    hour, seen = RateLimitItemPerHour(2), RateLimitItemPerHour(1)
    limiter = Limiter(redis.url, retry_seconds=0.05)
    redis.stop()
    counted = limiter.count_names([Names(hour, "names/a", seen, ["t1"])])
    assert counted.fallback and counted.new == [["t1"]] and limiter.degraded
    redis.start()
    time.sleep(0.1)
    assert limiter.count_names([Names(hour, "names/b", seen, ["t2"])]).fallback is False
    limiter.take_back([(hour, "names/a", 1)], fallback=counted.fallback)
    assert limiter.remaining(hour, "names/a") == 2  # Redis: untouched
    redis.stop()
    assert limiter.remaining(hour, "names/a") == 2  # the fallback: back to none, not below


def test_counted_in_redis_is_not_given_back_to_the_fallback(redis: RedisServer) -> None:
    hour, seen = RateLimitItemPerHour(2), RateLimitItemPerHour(1)
    limiter = Limiter(redis.url, retry_seconds=60)
    counted = limiter.count_names([Names(hour, "names/a", seen, ["t1"])])
    redis.stop()
    limiter.take_back(
        [(hour, "names/a", 1)], fallback=counted.fallback
    )  # lost: the count stays in Redis
    assert limiter.degraded and limiter.remaining(hour, "names/a") == 2  # not 3


def test_a_limiter_in_memory_counts_under_its_lock() -> None:
    """No store to go to: the same answers, from this process."""
    hour, seen = RateLimitItemPerHour(2), RateLimitItemPerHour(1)
    limiter = Limiter()
    counted = limiter.count_names([Names(hour, "names/a", seen, ["t1", "t1b"])])
    assert counted.new == [["t1", "t1b"]] and not counted.fallback
    assert limiter.count_names([Names(hour, "names/a", seen, ["t2"])]).short == [0]
    limiter.take_back([(hour, "names/a", 1)], fallback=counted.fallback)
    assert limiter.count_names([Names(hour, "names/a", seen, ["t2"])]).new == [["t2"]]


@pytest.mark.parametrize(
    ("previous", "weight", "current"),
    [(3, 0.5, 0), (7, 0.3, 1), (5, 0.9, 2), (0, 0, 12), (4, 0.75, 6)],
)
def test_the_script_weighs_the_previous_window_as_limits_does(
    redis: RedisServer, previous: int, weight: float, current: int
) -> None:
    """A count of the hour before weighs by the part of it still inside the window: the
    script finds room exactly where ``limits`` reads it (a counter an hour old, written here
    as ``limits`` keeps it)."""
    import redis as client

    hour, seen = RateLimitItemPerHour(10), RateLimitItemPerHour(1)
    limiter = Limiter(redis.url)
    store, counter = cast(RedisStorage, limiter._store), hour.key_for("names/x")
    raw = client.Redis(port=redis.port)
    if previous:
        key = store.prefixed_key(store._previous_window_key(counter))
        raw.set(key, previous, px=int(weight * 3_600_000))
    raw.set(store.prefixed_key(store._current_window_key(counter)), current, px=5_400_000)
    room = limiter.remaining(hour, "names/x")
    tags = [f"t{i}" for i in range(room + 1)]
    assert limiter.count_names([Names(hour, "names/x", seen, tags)]).short == [0]
    if room:  # (a counter over its limit has no room for nothing either)
        assert limiter.count_names([Names(hour, "names/x", seen, tags[:room])]).new == [tags[:room]]


def test_a_single_check_on_redis_is_counted_before_it_is_looked_up(
    registry_db: Path, redis: RedisServer
) -> None:
    """Reading first and counting a miss after is right only where checks of this process
    are all there is (memory): on Redis other replicas check meanwhile."""
    settings = Settings(db=registry_db, secret=Secret(SECRET), rate_limit_storage=redis.url)
    verifier = Verifier(settings)
    verifier.start()
    try:
        caller = Caller("203.0.113.7")
        reservation = verifier.guesses.reserve(caller, [Item(NUMBER, "李四")], serial=True)
        own = f"names/203.0.113.7/{NUMBER}"
        left = verifier.guesses.limiter.remaining(verifier.guesses._item, own)
    finally:
        verifier.close()
    assert not reservation.read and left == verifier.guesses.per_hour - 1


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_what_is_taken_back_after_the_window_moved_on_leaves_no_room_over_the_limit(
    redis: RedisServer, storage: str
) -> None:
    """``limits``' negative hit took it all off the current window: a name given back just
    after its window had moved on left the new one below zero, and a batch across the hour had
    19 names answered where the bound is 10."""
    second = RateLimitItemPerSecond(5)
    limiter = Limiter(redis.url if storage == "redis" else "memory://")
    time.sleep(1 - time.time() % 1 + 0.05)  # the start of a second: three counted in it
    assert limiter.hit(second, "names/a", 3)
    time.sleep(1.1)  # the window moved on: the three weigh in the previous one
    limiter.take_back([(second, "names/a", 3)], fallback=False)
    assert limiter.remaining(second, "names/a") <= second.amount
    assert limiter.hit(second, "names/a", 5) and not limiter.hit(second, "names/a")
