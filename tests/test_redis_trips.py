"""Counters read or counted together in one Redis round trip (`verify_app.redis_trips`).

A single check of a name not tried with its number asked the shared store eleven times (the
rate limit once, the bound on guessing names ten times), and a deployment with its limits in
Redis served 0.41× its twin counting in memory. Round trips are counted as Redis counts the
reads on its sockets (``total_reads_processed``): what a check costs the network, not time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from limits import RateLimitItemPerHour
from starlette.datastructures import Secret
from starlette.testclient import TestClient

from tests.test_redis_limits import RedisServer, redis
from tests.verify_fixtures import SECRET, VALID, registry_db
from verify_app.app import create_app
from verify_app.ratelimit import Limiter
from verify_app.redis_trips import Call
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

    def of(self, check: TestClient, name: str) -> tuple[str, int]:
        """A check's result, and the round trips it made (less the one that asks)."""
        before = self()
        answer = check.post("/api/v1/verify", json={"number": NUMBER, "name": name}).json()
        return answer["result"], self() - before - 1


def test_a_check_asks_the_shared_store_once_per_step(registry_db: Path, redis: RedisServer) -> None:
    """The rate limit; the counters and the marks of the name read together; the name counted
    on both counters; then marked on both; a matching name then given back on both."""
    settings = Settings(db=registry_db, secret=Secret(SECRET), rate_limit_storage=redis.url)
    trips = Reads(redis)
    with TestClient(create_app(settings), client=("203.0.113.7", 1)) as check:
        trips.of(check, "王五")  # the pool's connection opened, the scripts loaded
        assert trips.of(check, "李四") == ("no_match", 4)
        assert trips.of(check, "李四") == ("no_match", 2)  # tried already: nothing counted
        assert trips.of(check, NAME) == ("valid", 5)
        assert trips.of(check, NAME) == ("valid", 2)


def test_counters_counted_together_are_those_counted_one_by_one(redis: RedisServer) -> None:
    """Read and counted together with ``limits``' own scripts on its own keys: what one way
    counts, the other reads, in another process too."""
    hour = RateLimitItemPerHour(5)
    together, alone = Limiter(redis.url), Limiter(redis.url)
    assert alone.hit(hour, "names/a", 2)
    assert together.remaining_each([Call(hour, "names/a"), Call(hour, "names/b")]) == [3, 5]
    assert together.hit_each([Call(hour, "names/a", 3), Call(hour, "names/b", 6)]) == [True, False]
    assert [alone.remaining(hour, "names/a"), alone.remaining(hour, "names/b")] == [0, 5]
    assert together.hit_each([Call(hour, "names/a", -1)]) == [True]  # given back
    assert together.remaining_each([Call(hour, "names/a")]) == [alone.remaining(hour, "names/a")]
    assert alone.remaining(hour, "names/a") == 1


def test_counted_together_while_redis_is_down_counts_in_the_fallback(redis: RedisServer) -> None:
    """As a single call does: no error, the process counts alone until the store is back."""
    hour = RateLimitItemPerHour(2)
    limiter = Limiter(redis.url, retry_seconds=60)
    redis.stop()
    assert limiter.hit_each([Call(hour, "names/a", 2), Call(hour, "names/b", 3)]) == [True, False]
    assert limiter.degraded
    assert limiter.remaining_each([Call(hour, "names/a"), Call(hour, "names/b")]) == [0, 2]


@pytest.mark.parametrize("calls", [[], [Call(RateLimitItemPerHour(1), "names/a")]])
def test_a_limiter_in_memory_reads_each_counter_in_turn(calls: list[Call]) -> None:
    """No store to save round trips to: the same answers, counter by counter."""
    assert Limiter().remaining_each(calls) == [1] * len(calls)
