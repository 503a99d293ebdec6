"""Rate limits shared through the real Redis (Debian's ``redis-server``), started on a free port.

Two apps over one Redis stand for two replicas (or two uvicorn workers): a client's allowance is
one allowance, wherever its checks land. When Redis goes away mid-run the checks go on (counted
per process, with a warning in the log) and the counts are shared again once it is back.
"""

from __future__ import annotations

import logging
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from click.testing import CliRunner
from limits import RateLimitItemPerMinute
from starlette.datastructures import Secret
from starlette.testclient import TestClient

from registry.cli import cli
from tests.servers import free_port
from tests.test_batch_retries import BATCH, HeldCheck, upload_form
from tests.verify_fixtures import (
    SECRET,
    VALID,
    clear_of_the_minute_turning,
    context_of,
    registry_db,
)
from verify_app.answers import Item
from verify_app.app import create_app
from verify_app.batch_retries import CLAIM_SECONDS, BatchRetries
from verify_app.check_limiter import CheckLimiter
from verify_app.quotas import Caller, Quotas
from verify_app.ratelimit import Limiter, without_password
from verify_app.refusals import RateLimited
from verify_app.request_errors import InvalidRequest
from verify_app.service import Verifier
from verify_app.settings import Settings

__all__ = ["registry_db"]

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
CHECK = {"number": VALID[0], "name": VALID[1]}


class RedisServer:
    """A real ``redis-server`` on 127.0.0.1, no persistence, that a test can stop and restart
    on the same port."""

    def __init__(self, folder: Path) -> None:
        if not Path(REDIS_SERVER).exists():
            pytest.skip(
                "redis-server is not installed (apt-get install redis-server; .ci/run does)"
            )
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        log = (self.folder / "redis.log").open("ab")
        self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        for _ in range(200):  # readiness, not timing: up to ~10 s to accept connections
            if self.ping():
                return
            if self._process.poll() is not None:
                raise AssertionError((self.folder / "redis.log").read_text())
            time.sleep(0.05)
        raise AssertionError("redis-server did not answer PING")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
            self._process = None

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def client(self) -> Any:
        """A client of this server (redis-py's is typed for both its sync and async uses)."""
        import redis

        return redis.Redis(port=self.port, socket_timeout=1, decode_responses=True)

    def keys(self) -> list[str]:
        import redis

        client = redis.Redis(port=self.port, socket_timeout=1, decode_responses=True)
        keys: list[str] = client.keys("*")  # type: ignore[assignment]  # sync client
        return sorted(keys)


@contextmanager
def redis_server(folder: Path) -> Iterator[RedisServer]:
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    with redis_server(tmp_path / "redis") as server:
        yield server


@contextmanager
def replicas(
    registry: Path, storage: str, count: int, rate_limit: int, limiter: Limiter | None = None
) -> Iterator[list[TestClient]]:
    """``count`` apps over one registry and one rate-limit store, as separate replicas are."""
    settings = Settings(db=registry, secret=Secret(SECRET), rate_limit=rate_limit)
    settings = replace(settings, rate_limit_storage=storage)
    with ExitStack() as stack:
        clients = []
        for _ in range(count):
            app = create_app(settings)
            if limiter is not None:  # the app's own limiter, on a store with a short retry
                app.state.verifier.quotas.single = CheckLimiter(rate_limit, limiter=limiter)
            clients.append(stack.enter_context(TestClient(app, client=("203.0.113.7", 5000))))
        yield clients


def statuses(clients: list[TestClient], rounds: int) -> list[int]:
    """One check per client in turn, ``rounds`` times: the replicas take turns."""
    return [
        client.post("/api/v1/verify", json=CHECK).status_code
        for _ in range(rounds)
        for client in clients
    ]


def test_replicas_share_one_allowance_through_redis(registry_db: Path, redis: RedisServer) -> None:
    with replicas(registry_db, redis.url, 2, rate_limit=5) as (a, b):
        answers = statuses([a, b], 3)
    assert answers == [200, 200, 200, 200, 200, 429]
    assert any("checks/203.0.113.7" in key for key in redis.keys())


def test_replicas_share_the_bound_on_guessing_a_name(registry_db: Path, redis: RedisServer) -> None:
    """Names tried against one number at one replica count at the other (`verify_app.guesses`)."""
    with replicas(registry_db, redis.url, 2, rate_limit=100) as (a, b):
        bound = a.app.state.verifier.guesses.per_hour  # type: ignore[attr-defined]
        for i in range(bound):
            answer = (a, b)[i % 2].post(
                "/api/v1/verify", json={"number": CHECK["number"], "name": f"张{i}明"}
            )
            assert answer.json()["result"] == "no_match"
        refused = a.post("/api/v1/verify", json=CHECK)
    assert refused.status_code == 429 and "为防止有人猜测持证人姓名" in refused.json()["message"]
    assert any("names/203.0.113.7/" in key for key in redis.keys())


def test_with_memory_storage_each_replica_counts_alone(registry_db: Path) -> None:
    """What the Redis test guards against: the same turns, counted per process, allow 6 of 6."""
    with replicas(registry_db, "memory://", 2, rate_limit=5) as (a, b):
        assert statuses([a, b], 3) == [200] * 6
        assert a.get("/healthz").json()["limits"] == "local"


def test_checks_go_on_while_redis_is_down_and_share_again_when_it_is_back(
    registry_db: Path, redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = Limiter(redis.url, retry_seconds=0.2, health_seconds=0)
    with replicas(registry_db, redis.url, 1, rate_limit=100, limiter=limiter) as [client]:
        assert client.post("/api/v1/verify", json=CHECK).status_code == 200
        assert not limiter.degraded
        assert client.get("/healthz").json()["limits"] == "shared"
        redis.stop()
        # for monitoring, before any check meets the outage (one warning in the log is easy to
        # miss while limits stay per process)
        assert client.get("/healthz").json()["limits"] == "fallback"
        with caplog.at_level(logging.WARNING, logger="certreg.ratelimit"):
            down = [client.post("/api/v1/verify", json=CHECK) for _ in range(5)]
        assert [answer.status_code for answer in down] == [200] * 5
        assert down[0].json()["result"] == "valid"
        assert limiter.degraded
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "无法连接" in warnings[0]  # once per outage

        redis.start()  # empty: it kept nothing
        # an idle replica's too, once the outage's back-off (retry_seconds) has run: no check
        # is needed to see it (readiness, not timing)
        for _ in range(100):
            if client.get("/healthz").json()["limits"] == "shared":
                break
            time.sleep(0.05)
        assert client.get("/healthz").json()["limits"] == "shared"
        assert not any("checks/" in key for key in redis.keys())  # no check made it so
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="certreg.ratelimit"):
            for _ in range(100):  # readiness: the next attempt after retry_seconds
                assert client.post("/api/v1/verify", json=CHECK).status_code == 200
                if not limiter.degraded:
                    break
                time.sleep(0.05)
        assert not limiter.degraded
        assert client.get("/healthz").json()["limits"] == "shared"
        assert any("已恢复" in r.getMessage() for r in caplog.records)
        assert any("checks/203.0.113.7" in key for key in redis.keys())


def test_the_fallback_still_limits_each_process(redis: RedisServer) -> None:
    """While Redis is down the limit still holds, per process: a flood is not let through."""
    limiter = CheckLimiter(3, limiter=Limiter(redis.url, retry_seconds=60))
    redis.stop()
    clear_of_the_minute_turning()  # the fallback counts in the wall clock's minutes
    for _ in range(3):
        limiter.charge("198.51.100.1")
    with pytest.raises(RateLimited) as refused:
        limiter.charge("198.51.100.1")
    assert 1 <= refused.value.retry_after <= 60


def test_other_quotas_share_the_store_under_their_own_keys(redis: RedisServer) -> None:
    """The Limiter other quotas build on: its own item and key prefix, the same store."""
    shared = Limiter(redis.url)
    daily = RateLimitItemPerMinute(2)
    assert shared.hit(daily, "batch/key-1", cost=2)
    assert not shared.hit(daily, "batch/key-1")
    assert Limiter(redis.url).hit(daily, "batch/key-2")  # another key, another process
    assert not Limiter(redis.url).hit(daily, "batch/key-1")  # the count is in Redis
    assert 1 <= shared.retry_after(daily, "batch/key-1") <= 60


def test_a_batch_resent_to_another_replica_is_not_charged_again(
    registry_db: Path, redis: RedisServer
) -> None:
    """A retry through the proxy may reach another replica: the first send is remembered in
    the shared store (`verify_app.batch_retries`), under a hash — no number in its key."""
    batch, key = {"items": [CHECK]}, {"Idempotency-Key": "retry-1"}
    with replicas(registry_db, redis.url, 2, rate_limit=0) as (a, b):
        first = a.post("/api/v1/verify/batch", json=batch, headers=key)
        again = b.post("/api/v1/verify/batch", json=batch, headers=key)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.headers["RateLimit-Remaining"] == again.headers["RateLimit-Remaining"]
    resends = [k for k in redis.keys() if "resend/" in k]
    assert resends and not any(VALID[0] in k or "retry-1" in k for k in resends)


def test_a_retry_is_not_told_other_content_when_the_store_fails_between_its_reads(
    redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis answered that the key was used, then went down: the content's count, read from the
    empty per-process fallback, said the retry was other content (422), and its message sent
    the HR system to a new key, charged (a review). Lost between the reads, it is charged."""
    limiter = Limiter(redis.url, retry_seconds=60)
    retries = BatchRetries(limiter, SECRET, lambda name: name)
    caller = Caller("203.0.113.7")
    retries.answered(retries.send(caller, "retry-1", b"the items"))
    read = limiter.remaining

    def then_down(*args: Any, **kwargs: Any) -> int:
        answer = read(*args, **kwargs)
        redis.stop()  # after the first read: the key's count came from Redis
        return answer

    monkeypatch.setattr(limiter, "remaining", then_down)
    again = retries.send(caller, "retry-1", b"the items")
    assert limiter.degraded
    assert not again.first and not again.resent  # charged, not refused, not remembered


def test_with_the_store_down_throughout_the_key_with_other_items_is_still_refused(
    redis: RedisServer,
) -> None:
    """Both reads from this process's fallback agree with each other: other items under a
    key used are refused, as with the store up."""
    limiter = Limiter(redis.url, retry_seconds=60)
    retries = BatchRetries(limiter, SECRET, lambda name: name)
    caller = Caller("203.0.113.7")
    redis.stop()
    retries.answered(retries.send(caller, "retry-2", b"the items"))
    assert limiter.degraded
    with pytest.raises(InvalidRequest, match="已用于另一批查验"):
        retries.send(caller, "retry-2", b"other items")


@pytest.mark.parametrize(
    ("user", "password"),
    [("", "Xy9/Secret+pw="), ("", "Qz7#kLm"), ("", "Wq3?zz"), ("default", "120/ab")],
)
def test_a_password_that_ends_the_address_is_told_how_to_write_without_being_shown(
    registry_db: Path, user: str, password: str
) -> None:
    """``openssl rand -base64``'s / in a Redis password: ``certreg serve`` stopped with a
    traceback printing the password's first part, and restarted for ever (an operator's
    review); with a user before it, the address read as host ``default``, port 120 — counted
    in memory, the journal naming it (a review of the day's diff). It is told to write it
    URL-encoded — as written so, it is used."""
    storage = f"redis://{user}:{password}@127.0.0.1:6379/0"
    with pytest.raises(ValueError, match="密码中的 / # \\? @ : % 等字符须按网址编码书写") as told:
        Settings(db=registry_db, secret=Secret(SECRET), rate_limit_storage=storage)
    assert password[:3] not in str(told.value)
    encoded = storage.replace(password, urllib.parse.quote(password, safe=""))
    Settings(db=registry_db, secret=Secret(SECRET), rate_limit_storage=encoded)


def test_serve_refuses_such_an_address_without_a_traceback(registry_db: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["serve", "--db", str(registry_db)],
        env={"CERTREG_SECRET": SECRET, "CERTREG_RATE_LIMIT_STORAGE": "redis://:Xy9/pw@h:1/0"},
    )
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "须按网址编码书写" in result.output and "Xy9" not in result.output


@pytest.mark.parametrize("password", ["PWi9 x", "PWi9\tx", "PWi9\u3000x", "PWi9\u00a0x"])
def test_a_password_with_a_space_is_refused_unshown(registry_db: Path, password: str) -> None:
    """The journal's mask stops at whitespace: such a password was printed, every 5 s while
    Redis was down (a security review)."""
    storage = f"redis://:{password}@127.0.0.1:6379/0"
    with pytest.raises(ValueError, match="空格等空白字符") as refused:
        Settings(db=registry_db, secret=Secret(SECRET), rate_limit_storage=storage)
    assert "PWi9" not in str(refused.value)


def test_a_password_written_without_its_colon_is_refused_unshown(registry_db: Path) -> None:
    """redis://s3cret@host: the password where a user goes — neither refused nor hidden."""
    with pytest.raises(ValueError, match="@ 前应为“:密码”（冒号开头）") as refused:
        Settings(db=registry_db, secret=Secret(SECRET), rate_limit_storage="redis://s3cret@h:1/0")
    assert "s3cret" not in str(refused.value)


@pytest.mark.parametrize(
    "storage",
    ["redis+unix:///run/redis.sock", "redis+unix:///run/redis.sock?db=0", "rediss://[::1]:6380/0"],
)
def test_a_socket_or_tls_address_is_taken(registry_db: Path, storage: str) -> None:
    """A unix socket's address has no host: its check failed on it (empty separator) and the
    app did not start (a review of the day's fixes)."""
    Settings(db=registry_db, secret=Secret(SECRET), rate_limit_storage=storage)


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("?timeout=5", "timeout"),
        ("?ssl=true", "ssl"),
        ("?ssl_cert_reqs=none", "ssl_cert_reqs"),
        ("?health_check_interval=x", "health_check_interval"),
        ("?socket_timeout=abc", "socket_timeout"),
        ("?protocol=9", "protocol"),
        ("?ssl_cert_reqs=bogus", "ssl_cert_reqs"),
    ],
)
def test_an_address_parameter_the_client_refuses_is_told_before_start(
    registry_db: Path, query: str, named: str
) -> None:
    """``?timeout=5`` (or ``?ssl=true`` on a ``redis://``, copied from a cloud's guide) was
    taken, and every check was a 500 at its first connection while ``/healthz`` said ok; a
    value the client cannot read stopped the start with a traceback (a hostile review)."""
    storage = f"redis://:PWi9x@127.0.0.1:6379/0{query}"
    with pytest.raises(ValueError, match=f"地址参数（{named}）Redis 客户端不能使用") as told:
        Settings(db=registry_db, secret=Secret(SECRET), rate_limit_storage=storage)
    assert "PWi9x" not in str(told.value)


def test_unknown_storage_is_refused_in_chinese(registry_db: Path) -> None:
    with pytest.raises(ValueError, match="CERTREG_RATE_LIMIT_STORAGE=mongodb://x 无法使用"):
        Settings(db=registry_db, secret=Secret(SECRET), rate_limit_storage="mongodb://x")


@contextmanager
def serve_workers(registry: Path, workers: int, **env: str) -> Iterator[tuple[str, Path]]:
    """``certreg serve --workers N`` as a real process; yields its URL and its output file."""
    import os

    port = free_port()
    output = registry.parent / f"serve-{port}.log"
    environ = {**os.environ, "CERTREG_SECRET": SECRET, **env}
    command = [sys.executable, "-m", "registry", "serve", "--db", str(registry)]
    command += ["--port", str(port), "--workers", str(workers), "--no-access-log"]
    with output.open("wb") as out:
        process = subprocess.Popen(command, env=environ, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # readiness: up to ~30 s for the workers to start
            if process.poll() is not None:
                raise AssertionError(output.read_text())
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("certreg serve --workers did not start")
        yield base, output
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_workers_with_memory_storage_warns_in_chinese(registry_db: Path) -> None:
    """Every allowance counted in memory is per worker: the checks a minute, and the batch
    rows an hour and the reports a day too (the warning named the first only) — and so is
    what a batch's Idempotency-Key holds: of 8 sends of one key at once, 2–3 were charged,
    unsaid (an API integrator's review)."""
    env = {"CERTREG_RATE_LIMIT": "7", "CERTREG_BATCH_ROWS_PER_HOUR": "0"}
    env["CERTREG_RATELIMIT"] = "3"  # misspelt in the environment file: not read, and said
    with serve_workers(registry_db, 2, **env) as (base, output):
        assert httpx.post(f"{base}/api/v1/verify", json=CHECK).json()["result"] == "valid"
    text = output.read_text(encoding="utf-8")
    assert "2 个工作进程各自计数，每位用户实际每分钟最多可查验 14（而不是 7）条、" in text
    assert "每天最多可报告 10（而不是 5）份" in text and "可批量查验" not in text  # that one is off
    assert "带同一个 Idempotency-Key 重发的批量查验（和刷新的网页批量查验结果），到了另一个" in text
    assert "同时重发的，每个进程各查验一次、各计一次额度（接口密钥的每日额度也是）" in text
    assert "CERTREG_RATE_LIMIT_STORAGE=redis://" in text
    assert (
        "环境变量 CERTREG_RATELIMIT 不是 certreg 的设置，不起作用：是否应为 CERTREG_RATE_LIMIT？"
        in text
    )


def test_serve_workers_share_the_allowance_through_redis(
    registry_db: Path, redis: RedisServer
) -> None:
    env = {"CERTREG_RATE_LIMIT": "6", "CERTREG_RATE_LIMIT_STORAGE": redis.url}
    with serve_workers(registry_db, 2, **env) as (base, output):
        # a new connection each time: the kernel hands them to either worker
        answers = [httpx.post(f"{base}/api/v1/verify", json=CHECK).status_code for _ in range(9)]
    assert answers == [200] * 6 + [429] * 3
    assert "各自计数" not in output.read_text(encoding="utf-8")


def test_the_stores_password_never_reaches_the_log(caplog: pytest.LogCaptureFixture) -> None:
    """DEPLOY.md advises a Redis password; the warning of an outage names the store without it."""
    port = free_port()  # nothing listens there
    limiter = Limiter(f"redis://:s3cret-pw@127.0.0.1:{port}/0", retry_seconds=60)
    with caplog.at_level(logging.WARNING, logger="certreg.ratelimit"):
        assert limiter.hit(RateLimitItemPerMinute(5), "checks/203.0.113.7")
    [warning] = [r.getMessage() for r in caplog.records]
    assert "redis://:***@127.0.0.1" in warning and "s3cret-pw" not in warning


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_parameter_the_client_reads_on_connecting_leaves_checks_counted_here() -> None:
    """``rediss://…?ssl_min_version=TLSv1_2`` passes every check made before start — the client
    reads it only on connecting, and raised its own TypeError, unwrapped: every check was a 500
    while /healthz said ok (a review of the day's diff). The store is then down, as for any
    outage: checks go on, counted in this process. (The client leaves its socket unclosed on
    that error, once a retry: its own, ignored here.)"""
    with socket.socket() as listener:  # a port that takes the connection, for TLS to begin
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        limiter = Limiter(f"rediss://127.0.0.1:{port}/0?ssl_min_version=TLSv1_2", timeout=1)
        assert limiter.hit(RateLimitItemPerMinute(5), "checks/203.0.113.7")
    assert limiter.degraded


def test_a_store_that_does_not_answer_is_told_at_startup(redis: RedisServer) -> None:
    """`certreg serve` warns before it starts when the store does not answer (a wrong address or
    password would otherwise show only at the first check)."""
    assert Limiter(redis.url).reachable()
    assert not Limiter(f"redis://127.0.0.1:{free_port()}/0").reachable()
    assert Limiter("memory://").reachable()


def test_a_password_holding_an_at_sign_is_hidden_whole() -> None:
    assert without_password("redis://s3cret@10.0.0.10:6379/0") == "redis://***@10.0.0.10:6379/0"
    assert without_password("redis://h:1/0?db=0&password=s3c") == "redis://h:1/0?db=0&password=***"
    assert (
        without_password("redis://:s3cr@t-pass@10.0.0.10:6379/0") == "redis://:***@10.0.0.10:6379/0"
        and without_password("redis://:Xy9/Se@cret@10.0.0.10:6379/0")
        == "redis://:***@10.0.0.10:6379/0"
    )
    assert without_password("redis://10.0.0.10:6379/0") == "redis://10.0.0.10:6379/0"


def test_rows_reserved_while_redis_was_down_are_not_given_back_to_it(redis: RedisServer) -> None:
    """An upload reserved in the per-process count while Redis was down, and read once it was
    back: its unused rows went to Redis as a negative charge, raising the client's shared
    allowance above the hour's limit. They are given back only where they were taken."""
    limiter = Limiter(redis.url, retry_seconds=0.1)
    quotas = Quotas(CheckLimiter(30, limiter=limiter), batch_rows_per_hour=100, reports_per_day=5)
    caller = Caller("198.51.100.7")
    redis.stop()
    reservation = quotas.reserve_upload(caller)
    assert limiter.degraded and reservation.rows == 100
    redis.start()
    time.sleep(0.2)
    quotas.charge_batch(caller, 1)  # the store answers again
    assert not limiter.degraded
    quotas.release_upload(reservation, 90)
    assert quotas.batch_left(caller.client) == 99  # not 189
    kept = quotas.reserve_upload(caller)  # while up: reserved and given back in Redis
    quotas.release_upload(kept, kept.rows - 10)
    assert quotas.batch_left(caller.client) == 89


def test_the_right_name_in_flight_many_times_at_once_is_not_refused(
    registry_db: Path, redis: RedisServer
) -> None:
    """What the serving benchmark met: one client's 32 checks of one certificate at once, each
    reserving its name in Redis before the lookup — past ten, the rest were refused as if names
    were being guessed. A name is reserved once; the store keeps its keyed hash, never it."""
    settings = Settings(db=registry_db, secret=Secret(SECRET), name_guesses_per_hour=10)
    verifier = Verifier(replace(settings, rate_limit_storage=redis.url))
    verifier.start()
    caller, item = Caller("203.0.113.7"), Item(*VALID)
    try:
        in_flight = [verifier.guesses.reserve(caller, [item]) for _ in range(11)]
        answer = verifier.check(caller, item, "api").answer
        for reservation in in_flight:
            verifier.guesses.settle(caller, reservation, [])
    finally:
        verifier.close()
    assert answer.result == "valid"
    keys = redis.keys()
    tagged = re.compile(f"names/203\\.0\\.113\\.7/{VALID[0]}/[0-9a-f]{{32}}/")
    assert any(tagged.search(key) for key in keys)
    assert not any(VALID[1] in key for key in keys)


def test_health_asks_a_hanging_store_once_at_a_time_not_once_a_probe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A review: with a store that accepts but never answers, each /healthz held a worker
    thread for the whole timeout, and a thousand probes stalled the checks waiting for those
    threads. One thread asks; the others, and probes for a while after, get its answer; and
    while hits skip the store after an outage, nobody asks."""
    limiter = Limiter("redis://127.0.0.1:1", health_seconds=60)
    asked: list[float] = []

    def hanging() -> bool:
        asked.append(time.monotonic())
        time.sleep(0.3)  # the store's timeout, running out
        return False

    monkeypatch.setattr(limiter, "reachable", hanging)
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: limiter.where_counted(), range(20)))
    assert len(asked) == 1 and answers.count("fallback") >= 1
    assert limiter.where_counted() == "fallback" and len(asked) == 1  # held for a while
    limiter._health = ("shared", 0.0)  # expired
    limiter._down_until = time.monotonic() + 60  # hits skip the store: it is down
    assert limiter.where_counted() == "fallback" and len(asked) == 1


def test_a_send_of_a_key_being_checked_on_another_replica_is_told_to_come_back(
    registry_db: Path, redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A retry through the proxy while the first send is still being checked on the other
    replica: the key's claim is in Redis (under its hash, expiring), so it is answered 409 and
    charged nothing; once the first is answered, the claim is gone and the retry is free."""
    batch, key = {"items": [CHECK]}, {"Idempotency-Key": "retry-in-flight"}
    with replicas(registry_db, redis.url, 2, rate_limit=0) as (a, b):
        with HeldCheck(a, monkeypatch).first(
            lambda: a.post(BATCH, json=batch, headers=key)
        ) as sent:
            claims = [k for k in redis.keys() if "claim/" in k]
            expiry = redis.client().ttl(claims[0])
            waiting = b.post(BATCH, json=batch, headers=key)
        first = sent.result()
        again = b.post(BATCH, json=batch, headers=key)
        left = b.app.state.verifier.quotas.batch_left("203.0.113.7")  # type: ignore[attr-defined]
    assert len(claims) == 1 and "retry-in-flight" not in claims[0]
    assert 0 < expiry <= CLAIM_SECONDS
    assert (waiting.status_code, waiting.json()["error"]) == (409, "idempotency_in_progress")
    assert first.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert left == 299  # the first send's row, once
    assert not [k for k in redis.keys() if "claim/" in k]


def test_with_redis_down_a_key_being_checked_is_claimed_in_the_process(
    registry_db: Path, redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claims degrade as the counts do: with Redis down, a key's claim is this process's, and
    a second send of it to the same process is still told to come back."""
    batch, key = {"items": [CHECK]}, {"Idempotency-Key": "retry-while-down"}
    redis.stop()
    with replicas(registry_db, redis.url, 1, rate_limit=0) as (a,):
        with HeldCheck(a, monkeypatch).first(
            lambda: a.post(BATCH, json=batch, headers=key)
        ) as sent:
            waiting = a.post(BATCH, json=batch, headers=key)
        first = sent.result()
        again = a.post(BATCH, json=batch, headers=key)
        degraded = a.app.state.verifier.quotas.single.limiter.degraded  # type: ignore[attr-defined]
    assert degraded
    assert (waiting.status_code, first.status_code) == (409, 200)
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_double_tap_reaching_two_replicas_is_charged_once(
    registry_db: Path, redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A double tap on 查验 behind nginx: its two sends of the batch form may reach two
    replicas, whose upload turns are each their own process's, and each was charged as a first
    send. The form's claim is in Redis: the second waits for the first, then is its resend."""
    rows = f"证书编号,姓名\n{VALID[0]},{VALID[1]}\n"
    with replicas(registry_db, redis.url, 2, rate_limit=0) as (a, b):
        form_id = context_of(a.get("/batch"))["form_id"]
        claims = b.app.state.verifier.batch_retries.limiter.claims  # type: ignore[attr-defined]
        take, refused = claims.take, threading.Event()

        def noticed(name: str, seconds: int) -> object:  # the claim's take, as it is
            claim = take(name, seconds)
            if claim is None:
                refused.set()
            return claim

        monkeypatch.setattr(claims, "take", noticed)
        with ThreadPoolExecutor(1) as pool:
            with HeldCheck(a, monkeypatch).first(lambda: upload_form(a, rows, form_id)) as sent:
                second = pool.submit(upload_form, b, rows, form_id)
                assert refused.wait(60), "the second send never met the first's claim"
            first, again = sent.result(), second.result()
        left = b.app.state.verifier.quotas.batch_left("203.0.113.7")  # type: ignore[attr-defined]
    assert [page.status_code for page in (first, again)] == [200, 200]
    assert context_of(again)["results"][0]["result"] == "valid"
    assert left == 299  # the list's one row, once
    assert not [k for k in redis.keys() if "claim/" in k]
