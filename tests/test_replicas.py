"""Beyond one host, with the real Litestream binary on loopback (``file://`` replica URLs).

The commands are the shipped systemd units' own (``deploy/systemd``), with the shipped Litestream
configs (``deploy/litestream``): the registry host ships registry.db, a replica follows it and
serves each new version without a restart and without one failed check; each replica ships its
verification log and the registry host merges them into the one log staff browse.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx2 as httpx
import pytest
from click.testing import CliRunner
from starlette.datastructures import Secret
from starlette.testclient import TestClient

from registry import store
from registry.cli import cli
from registry.cli.base import Failed
from registry.cli.litestream import Follower
from registry.cli.log_collection import collect
from registry.cli.publish import OlderRegistry, RolledBack, publish
from registry.cli.pulse import Pulse
from registry.cli.replicas import publishing
from registry.public import lookup
from registry.public.follower import HEARTBEAT, STALE_SECONDS, follow_state
from registry.store import verify_log_path
from registry.store.staff_indexes import STAFF_INDEXES
from registry.store.verify_log import mark_repeated, prepare_log
from tests.datasette_fixtures import (
    MIANYANG_2012,
    STAFF_HASH,
    STAFF_USER,
    shipped_datasette,
    signed_in,
    snapshot,
)
from tests.registers import RegisterFactory, approval_row
from tests.servers import free_port, stop
from tests.verify_fixtures import (
    NO_MATCH_UNKNOWN,
    SECRET,
    VALID,
    checks_indexes,
    record_revocation,
    sync_samples,
)
from verify_app.app import create_app
from verify_app.registry_pool import RegistryPool
from verify_app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
NEW_CERTIFICATE = ("Z1222020001", "赵敏")


def litestream() -> str:
    found = BIN / "litestream"
    if found.exists():
        return str(found)
    on_path = shutil.which("litestream")
    if on_path is None:
        pytest.skip(
            "litestream is not installed (pip install 'certreg[replica]'; the test extra has it)"
        )
    return on_path


def unit_command(unit: str, env: Mapping[str, str], instance: str = "") -> list[str]:
    """The ExecStart of a shipped systemd unit as this test runs it: ``${VAR}`` from ``env``
    (as systemd expands it from the EnvironmentFile), ``%i`` the instance, the /srv/certreg
    install's venv and checkout replaced by this one's."""
    text = (DEPLOY / "systemd" / unit).read_text(encoding="utf-8")
    [line] = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    command = line.removeprefix("ExecStart=").replace("%i", instance)
    command = re.sub(r"\$\{(\w+)\}", lambda m: env[m[1]], command)
    argv = shlex.split(command)
    argv[0] = argv[0].replace("/srv/certreg/.venv/bin/", f"{BIN}/")
    return [arg.replace("/srv/certreg/deploy/", f"{DEPLOY}/") for arg in argv]


@contextmanager
def running(
    argv: list[str], env: Mapping[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A long-running command (a unit's service), stopped like systemd stops it (SIGTERM)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        process = subprocess.Popen(
            argv,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        yield process
    finally:
        stop(process, timeout=30)


def wait_for(
    what: str, condition: Callable[[], bool], logs: list[Path], seconds: float = 90
) -> None:
    """Readiness, not timing: poll ``condition`` for up to ``seconds``; fail with the logs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    shown = "\n".join(
        f"--- {log}\n{log.read_text(errors='replace')[-3000:]}" for log in logs if log.exists()
    )
    raise AssertionError(f"gave up waiting: {what}\n{shown}")


def sync(folder: Path, db: Path) -> None:
    result = CliRunner().invoke(cli, ["sync", str(folder), "--db", str(db)])
    assert result.exit_code == 0, result.output


# The registry pool: a replaced file is reopened between requests


def make_registry(path: Path, certificates: int) -> None:
    """A registry whose certificate count tells its versions apart, in the rollback journal
    `certreg follow` publishes a version in."""
    conn = store.connect(path)
    conn.executemany(
        "INSERT INTO certificates (number) VALUES (?)", [(f"N{i}",) for i in range(certificates)]
    )
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


def count(pool: RegistryPool) -> int:
    with pool.connection() as conn:
        return int(conn.execute("SELECT count(*) FROM certificates").fetchone()[0])


def test_pool_reopens_a_replaced_registry_between_requests(tmp_path: Path) -> None:
    served = tmp_path / "registry.db"
    make_registry(served, 1)
    pool = RegistryPool(served)
    try:
        with pool.connection() as busy:  # a check in progress while the file is replaced
            assert count(pool) == 1  # a second connection, now idle
            make_registry(tmp_path / "new.db", 2)
            os.replace(tmp_path / "new.db", served)
            # the running check finishes on the version it started with
            assert busy.execute("SELECT count(*) FROM certificates").fetchone()[0] == 1
        assert [count(pool) for _ in range(3)] == [2, 2, 2]
        assert pool.reopened == 2  # the idle connection and the one that was busy
    finally:
        pool.close()


def test_pool_sees_a_registry_updated_in_place(tmp_path: Path) -> None:
    served = tmp_path / "registry.db"
    make_registry(served, 1)
    pool = RegistryPool(served)
    try:
        assert count(pool) == 1
        conn = sqlite3.connect(served)
        conn.execute("INSERT INTO certificates (number) VALUES ('N9')")
        conn.commit()
        conn.close()
        assert count(pool) == 2
        assert pool.reopened == 0  # same file: nothing to reopen
    finally:
        pool.close()


# The registry, from the registry host to a serving replica


@pytest.fixture
def shipping(tmp_path: Path) -> dict[str, str]:
    """The environment of both sides: the registry host's and the replica's data folders and
    the shared replica URLs (the units' EnvironmentFile values, on loopback)."""
    litestream()
    return {
        "host": str(tmp_path / "host"),
        "replica": str(tmp_path / "replica-a"),
        "CERTREG_REGISTRY_REPLICA": (tmp_path / "shipped" / "registry").as_uri(),
        "CERTREG_LOG_REPLICAS": (tmp_path / "shipped" / "logs").as_uri(),
        "CERTREG_SECRET": SECRET,
        "CERTREG_RATE_LIMIT": "0",
    }


class Hammer:
    """Checks sent one after another to a running app from a thread, until stopped (at most
    ``limit``): every answer's status and result are kept."""

    def __init__(self, base: str, limit: int = 20_000) -> None:
        self.base = base
        self.limit = limit
        self.answers: list[tuple[int, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        body = {"number": VALID[0], "name": VALID[1]}
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self._stop.is_set() and len(self.answers) < self.limit:
                try:
                    answer = client.post("/api/v1/verify", json=body)
                    self.answers.append((answer.status_code, answer.json().get("result", "")))
                except httpx.HTTPError as exc:
                    self.answers.append((0, repr(exc)))

    def __enter__(self) -> Hammer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


def test_a_replica_serves_each_registry_version_without_a_restart_or_a_failed_check(
    tmp_path: Path, shipping: dict[str, str]
) -> None:
    host, replica = Path(shipping["host"]), Path(shipping["replica"])
    host_db, replica_db = host / "registry.db", replica / "registry.db"
    sync_samples(host_db)
    logs = tmp_path / "logs"
    host_env = {**shipping, "CERTREG_DATA": str(host)}
    replica_env = {**shipping, "CERTREG_DATA": str(replica)}
    port = free_port()
    serve = unit_command("certreg-serve.service", replica_env)
    serve = [{"0.0.0.0": "127.0.0.1", "8000": str(port)}.get(arg, arg) for arg in serve]
    base = f"http://127.0.0.1:{port}"
    watched = [logs / "replicate.log", logs / "follow.log", logs / "serve.log"]

    with ExitStack() as stack:
        stack.enter_context(
            running(unit_command("certreg-replicate.service", host_env), host_env, watched[0])
        )
        stack.enter_context(
            running(unit_command("certreg-follow.service", replica_env), replica_env, watched[1])
        )
        wait_for("the replica's first registry", replica_db.exists, watched)
        first = os.stat(replica_db).st_ino
        stack.enter_context(running(serve, replica_env, watched[2]))

        def answers_health() -> bool:
            try:
                return httpx.get(f"{base}/healthz").status_code == 200
            except httpx.TransportError:
                return False

        wait_for("certreg serve on the replica", answers_health, watched)
        # its follower's heartbeat, which /healthz reads: a minute's silence is a 503
        silent = httpx.get(f"{base}/healthz").json()["follower_silent_seconds"]
        assert silent is not None and silent <= STALE_SECONDS
        new = {"number": NEW_CERTIFICATE[0], "name": NEW_CERTIFICATE[1]}
        assert httpx.post(f"{base}/api/v1/verify", json=new).json()["result"] == "no_match"
        before = httpx.get(f"{base}/healthz").json()["certificates"]

        with Hammer(base) as hammer:
            wait_for("checks under way", lambda: len(hammer.answers) > 20, watched)
            registers = RegisterFactory(tmp_path / "registers")
            registers.add("2012-mianyang.csv", [approval_row(*NEW_CERTIFICATE)], MIANYANG_2012)
            sync(registers.folder, host_db)  # on the registry host, while the replica serves

            def new_version_served() -> bool:
                answer = httpx.post(f"{base}/api/v1/verify", json=new).json()
                return bool(answer["result"] == "valid")

            wait_for("the new certificate on the replica", new_version_served, watched)
            served_until = len(hammer.answers)
            wait_for(
                "checks after the switch", lambda: len(hammer.answers) > served_until + 20, watched
            )

        assert hammer.answers, "no check was made"
        failed = [answer for answer in hammer.answers if answer != (200, "valid")]
        assert failed == [], f"{len(failed)} of {len(hammer.answers)} checks failed: {failed[:5]}"
        assert httpx.get(f"{base}/healthz").json()["certificates"] == before + 1
        assert os.stat(replica_db).st_ino != first  # replaced, not written in place
    # the served file is a plain rollback-journal SQLite file, with nothing beside it
    assert not Path(f"{replica_db}-wal").exists() and not Path(f"{replica_db}-shm").exists()


def test_follow_once_restores_the_current_registry(
    tmp_path: Path, shipping: dict[str, str]
) -> None:
    host = Path(shipping["host"])
    sync_samples(host / "registry.db")
    host_env = {**shipping, "CERTREG_DATA": str(host)}
    copy = tmp_path / "elsewhere" / "registry.db"
    url = shipping["CERTREG_REGISTRY_REPLICA"]
    # a relative --db, as in the command's help (it failed with a traceback)
    once = [str(BIN / "certreg"), "follow", url, "--db", "elsewhere/registry.db", "--once"]

    def numbers() -> set[str]:
        conn = sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)
        try:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            return {row[0] for row in conn.execute("SELECT number FROM certificates")}
        finally:
            conn.close()

    def shipped_has_new() -> bool:  # what a fresh restore of the replica URL now holds
        restored = tmp_path / f"probe-{time.monotonic_ns()}.db"
        subprocess.run([litestream(), "restore", "-o", str(restored), url], capture_output=True)
        if not restored.exists():
            return False
        conn = sqlite3.connect(restored)
        try:
            found = conn.execute(
                "SELECT 1 FROM certificates WHERE number = ?", (NEW_CERTIFICATE[0],)
            )
            return found.fetchone() is not None
        finally:
            conn.close()

    with running(unit_command("certreg-replicate.service", host_env), host_env, tmp_path / "r.log"):
        env = {**os.environ, **shipping}
        result = subprocess.run(
            once, capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        assert "已发布登记库版本" in result.stderr
        assert VALID[0] in numbers() and len(numbers()) == 17
        # a later sync, then --once again on the copy the first run left: the current version,
        # not the one that copy held (acted on at once, it published nothing new)
        registers = RegisterFactory(tmp_path / "registers")
        registers.add("2012-mianyang.csv", [approval_row(*NEW_CERTIFICATE)], MIANYANG_2012)
        sync(registers.folder, host / "registry.db")
        wait_for("the new version shipped", shipped_has_new, [tmp_path / "r.log"])
        again = subprocess.run(
            once, capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path
        )
    assert again.returncode == 0, again.stderr
    assert NEW_CERTIFICATE[0] in numbers() and len(numbers()) == 18


# The verification logs, from every replica to the one log staff browse


def make_checks(
    registry: Path, client: str, checks: list[tuple[str, str]], key: str | None = None
) -> None:
    """Checks made through a real app over ``registry`` (with an API key, if given); its log
    is written beside it."""
    settings = Settings(db=registry, secret=Secret(SECRET), rate_limit=0)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    with TestClient(create_app(settings), client=(client, 4000)) as app:
        for number, name in checks:
            answer = app.post(
                "/api/v1/verify", json={"number": number, "name": name}, headers=headers
            )
            assert answer.status_code == 200


def make_report(
    registry: Path, client: str, number: str, name: str, text: str, ticket: str | None = None
) -> tuple[str, str]:
    """A check through the app's form that finds nothing, and the forgery report sent from its
    result page — or, with ``ticket``, another replica's result page sent here (nginx retrying
    a replica that died after filing it); the report's number the employer is told, and the
    ticket."""
    settings = Settings(db=registry, secret=Secret(SECRET), rate_limit=0)
    with TestClient(create_app(settings), client=(client, 4000)) as app:
        token = re.search(r'name="csrf_token" value="([^"]+)"', app.get("/").text)
        assert token
        form = {"csrf_token": token[1]}
        if ticket is None:
            page = app.post("/check", data={**form, "number": number, "name": name})
            found = re.search(r'name="ticket" value="([^"]+)"', page.text)
            assert found
            ticket = found[1]
        sent = app.post("/report", data={**form, "ticket": ticket, "contact": "", "text": text})
        assert sent.status_code == 200
        told = re.search(r"报告编号 <strong[^>]*>([^<]+)</strong>", sent.text)
        assert told
        return told[1], ticket


def issue_key(registry: Path) -> str:
    result = CliRunner().invoke(
        cli, ["keys", "add", "某某医院人事处", "--per-day", "100", "--db", str(registry)]
    )
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[1]


def log_rows(log: Path) -> list[tuple[str, str, str]]:
    if not log.exists():
        return []
    conn = sqlite3.connect(f"{log.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT client, number, result FROM checks ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


@pytest.mark.anyio
async def test_every_replicas_log_reaches_staff_as_one_log(
    tmp_path: Path, shipping: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    host = Path(shipping["host"])
    sync_samples(host / "registry.db")
    host_log = verify_log_path(host / "registry.db")
    guesser = "203.0.113.9"  # guesses numbers on both replicas: 6 no_match on each
    replicas: dict[str, dict[str, str]] = {}
    told: list[str] = []  # the report numbers the two employers were given
    for name in ("replica-a", "replica-b"):
        folder = tmp_path / name
        sync_samples(folder / "registry.db")
        make_checks(folder / "registry.db", guesser, [NO_MATCH_UNKNOWN] * 6)
        make_checks(folder / "registry.db", f"198.51.100.{len(replicas) + 1}", [VALID])
        time.sleep(1.1 if told else 0)  # the two checks a second apart: two checks, not one
        number, ticket = make_report(
            folder / "registry.db", guesser, *NO_MATCH_UNKNOWN, f"{name} 收到的报告"
        )
        told.append(number)
        if name == "replica-a":  # its report sent again to replica-b: one check, two reports
            other = tmp_path / "replica-b" / "registry.db"
            sync_samples(other)
            repeated, _ = make_report(
                other, guesser, *NO_MATCH_UNKNOWN, "replica-a 收到的报告", ticket
            )
        replicas[name] = {
            **shipping,
            "CERTREG_DATA": str(folder),
            "CERTREG_LOG_REPLICA": f"{shipping['CERTREG_LOG_REPLICAS']}/{name}",
        }
    host_env = {**shipping, "CERTREG_DATA": str(host)}
    logs = tmp_path / "logs"
    watched = [logs / f"{kind}-{name}.log" for name in replicas for kind in ("ship", "collect")]

    with ExitStack() as stack:
        for name, env in replicas.items():
            ship = unit_command("certreg-log-replicate.service", env)
            stack.enter_context(running(ship, env, logs / f"ship-{name}.log"))
            collect = unit_command("certreg-collect-logs@.service", host_env, instance=name)
            stack.enter_context(running(collect, host_env, logs / f"collect-{name}.log"))
        wait_for(
            "both replicas' checks on the host", lambda: len(log_rows(host_log)) == 16, watched
        )
        # a replica keeps checking while its log is shipped: the new rows follow
        replica_a = tmp_path / "replica-a" / "registry.db"
        make_checks(replica_a, "192.0.2.50", [VALID] * 3, key=issue_key(replica_a))
        wait_for("the later checks", lambda: len(log_rows(host_log)) == 19, watched)

    rows = log_rows(host_log)
    assert sorted(rows).count((guesser, NO_MATCH_UNKNOWN[0], "no_match")) == 14
    assert {client for client, _, _ in rows} == {
        guesser,
        "198.51.100.1",
        "198.51.100.2",
        "192.0.2.50",
    }

    # collecting again (a restart) adds nothing: each replica's high-water mark is kept
    for name in replicas:
        again = subprocess.run(
            [*unit_command("certreg-collect-logs@.service", host_env, instance=name), "--once"],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **host_env},
        )
        assert again.returncode == 0, again.stderr
    assert len(log_rows(host_log)) == 19
    # only the log staff read carries their indexes; a replica writes its own without them
    assert checks_indexes(host_log) == set(STAFF_INDEXES)
    for name in replicas:
        assert checks_indexes(verify_log_path(tmp_path / name / "registry.db")) == set()

    # staff's Datasette: one log, the guesser flagged across replicas, each replica's intake
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    ds = shipped_datasette(host / "registry.db")
    cookies = signed_in(ds)
    checks = await ds.client.get("/verify_log/checks.json?_shape=array&_size=max", cookies=cookies)
    assert len(checks.json()) == 19
    # each kept with the replica that answered it: staff can tell which one answered 有效 late
    answered_by = {(row["client"], row["replica"]) for row in checks.json()}
    assert ("198.51.100.1", "replica-a") in answered_by and (
        "198.51.100.2",
        "replica-b",
    ) in answered_by
    assert {row["replica"] for row in checks.json()} == {"replica-a", "replica-b"}
    suspicious = await ds.client.get(
        "/verify_log/suspicious_clients.json?_shape=array", cookies=cookies
    )
    [flagged] = suspicious.json()
    assert flagged["客户端"] == guesser and flagged["未查到次数"] == 14
    # every replica's reports in the one queue; the checks charged to an API key, as such
    queue = await ds.client.get("/verify_log/reports.json?_shape=array", cookies=cookies)
    assert sorted(row["text"] for row in queue.json()) == [
        "replica-a 收到的报告",
        "replica-a 收到的报告",
        "replica-b 收到的报告",
    ]
    # the numbers the employers were told are the ones staff see, one report each; the one
    # sent again to another replica is kept, handled as a repeat of the first
    assert sorted(row["ref"] for row in queue.json()) == sorted([*told, repeated])
    assert len({*told, repeated}) == 3
    outcomes = await ds.client.get("/verify_log/report_outcomes.json?_shape=array", cookies=cookies)
    [(ref, action)] = [(row["ref"], row["action"]) for row in outcomes.json()]
    # whichever replica's log is collected first holds the first
    [first] = {told[0], repeated} - {ref}
    assert f"请按 {first} 处理" in action
    keyed = await ds.client.get(
        "/verify_log/checks.json?_shape=array&key_id__notblank=1", cookies=cookies
    )
    assert len(keyed.json()) == 3
    intake = await ds.client.get("/verify_log/replica_logs.json?_shape=array", cookies=cookies)
    assert {(row["replica"], row["reports"]) for row in intake.json()} == {
        ("replica-a", 1),
        ("replica-b", 2),
    }
    assert {(row["replica"], row["checks"]) for row in intake.json()} == {
        ("replica-a", 11),
        ("replica-b", 8),
    }


def test_collect_logs_refuses_a_bad_replica_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["collect-logs", "../x", "file:///nowhere", "--db", str(tmp_path / "registry.db")]
    )
    assert result.exit_code == 2
    assert "副本名“../x”只能由字母、数字、- 和 _ 组成" in result.output


@pytest.mark.parametrize(
    ("args", "variable", "env_file"),
    [
        (["follow", ""], "CERTREG_REGISTRY_REPLICA", "replica.env"),
        (["follow", "/srv/replica"], "CERTREG_REGISTRY_REPLICA", "replica.env"),
        (["collect-logs", "replica-a", ""], "CERTREG_LOG_REPLICAS", "registry-host.env"),
    ],
)
def test_an_empty_or_schemeless_replica_url_is_a_usage_error(
    args: list[str], variable: str, env_file: str, tmp_path: Path
) -> None:
    """``certreg follow "$CERTREG_REGISTRY_REPLICA"`` in a shell without the unit's environment
    file: told at once, naming that variable and file, not after three rounds of Litestream
    failing."""
    result = CliRunner().invoke(cli, [*args, "--db", str(tmp_path / "registry.db"), "--once"])
    assert result.exit_code == 2, result.output
    assert "不是副本地址，应如 file:///mnt/replica/registry" in result.output
    assert f"环境变量（如 {variable}）在当前 shell 中没有设置" in result.output
    assert f". /etc/certreg/{env_file};" in result.output


def held(lock: Path) -> bool:
    """Whether another process holds ``lock`` (``flock``)."""
    if not lock.exists():
        return False
    with lock.open() as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(file, fcntl.LOCK_UN)
        return False


@pytest.mark.parametrize("command", ["follow", "collect-logs"])
def test_a_second_process_on_the_same_copy_is_refused(tmp_path: Path, command: str) -> None:
    """Two collectors of one replica appended its rows twice; two followers of one registry
    ran two Litestreams into one copy. The second is refused while the first runs — named by
    what the first follows, not by the URL the second was (mistakenly) given."""
    litestream()
    db = tmp_path / "registry.db"
    replica = ["replica-a"] if command == "collect-logs" else []
    url = (tmp_path / "replica").as_uri()
    first = subprocess.Popen(
        [sys.executable, "-m", "registry", command, *replica, url, "--db", str(db)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lock = tmp_path / (".replica-logs/replica-a" if replica else ".registry.db.follow") / "lock"
        deadline = time.monotonic() + 60
        while not held(lock) and time.monotonic() < deadline:
            time.sleep(0.05)
        mistaken = (tmp_path / "elsewhere").as_uri()
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "registry",
                command,
                *replica,
                mistaken,
                "--db",
                str(db),
                "--once",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        first.terminate()
        first.communicate(timeout=60)
    assert second.returncode == 1, second.stderr
    assert f"另一个进程正在跟随 {url}（" in second.stderr and "只能由一个" in second.stderr


def test_the_deploy_guide_shows_the_shipped_files_as_they_are() -> None:
    """docs/DEPLOY.md quotes deploy/ files whole; a quote that drifts from its file fails."""
    guide = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    quoted = re.findall(r"\*\*`(deploy/[^`]+)`\*\*\n\n```\w*\n(.*?)```", guide, re.S)
    assert {path for path, _ in quoted} >= {
        "deploy/nginx/certreg.conf",
        "deploy/litestream/registry-host.yml",
        "deploy/litestream/replica.yml",
        "deploy/systemd/certreg-serve.service",
        "deploy/systemd/certreg-follow.service",
    }
    for path, text in quoted:
        assert text == (ROOT / path).read_text(encoding="utf-8"), path
    for linked in re.findall(r"\]\(\.\./(deploy/[^)]+)\)", guide):
        assert (ROOT / linked).exists(), linked


def test_every_unit_with_a_read_only_system_has_a_tmp_of_its_own() -> None:
    """Under ProtectSystem=strict, /tmp is read-only: SQLite's sorts of a large query then fail
    ("disk I/O error" on staff's pages, collect-logs crashing in a loop) unless PrivateTmp
    gives the unit a writable one."""
    units = sorted((DEPLOY / "systemd").glob("*.service"))
    assert len(units) >= 7
    for unit in units:
        settings = unit.read_text(encoding="utf-8").splitlines()
        if "ProtectSystem=strict" in settings:
            assert "PrivateTmp=yes" in settings, unit.name


def test_collectors_starting_together_on_a_new_log_all_start(tmp_path: Path) -> None:
    """One collect-logs per replica, started at once (as systemd does) on a log that does not
    exist yet: none may die of "database is locked" while the log is set up."""
    log = tmp_path / "verify_log.db"
    code = (
        "import sys; from pathlib import Path; from registry.cli.log_collection import open_log;"
        " open_log(Path(sys.argv[1])).close()"
    )
    starters = [
        subprocess.Popen([sys.executable, "-c", code, str(log)], stderr=subprocess.PIPE)
        for _ in range(6)
    ]
    errors = [starter.communicate(timeout=120)[1].decode() for starter in starters]
    assert [starter.returncode for starter in starters] == [0] * 6, errors
    conn = sqlite3.connect(log)
    try:
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    assert {"checks", "replica_logs"} <= tables


def test_every_unit_keeps_personal_data_from_other_users() -> None:
    """The registry and the logs hold names and birth dates: what a unit writes is readable by
    the certreg group only, and the unit writes nowhere but its data folder."""
    units = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
    assert len(units) >= 7
    for unit in units:
        text = unit.read_text(encoding="utf-8")
        assert "\nUMask=0027\n" in text and "\nProtectSystem=strict\n" in text, unit.name


def test_follow_once_gives_up_on_a_url_with_nothing_to_follow(tmp_path: Path) -> None:
    """``--once`` checks a configuration: a URL with no registry behind it ends it, saying what to
    check — it does not retry for ever."""
    litestream()
    nothing = tmp_path / "empty-share" / "registry"
    nothing.mkdir(parents=True)
    nowhere = nothing.as_uri()
    result = subprocess.run(
        [sys.executable, "-m", "registry", "follow", nowhere, "--db", str(tmp_path / "r.db")]
        + ["--once", "--interval", "0.2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "没能从" in result.stderr and "取得第一个版本" in result.stderr
    assert result.stderr.count("这会自动恢复") == 1  # then a count, not the paragraph again


def test_a_log_copy_that_cannot_be_read_is_named_with_what_to_do(tmp_path: Path) -> None:
    """Two replicas publishing their logs to one address left the host's copy unreadable, and
    collect-logs blamed --db (the registry) in a crash loop: the copy is named, and the cause
    and the whole way out are said — the host's copy deleted alone was restored as broken."""
    state = tmp_path / ".replica-logs" / "replica-a"
    state.mkdir(parents=True)
    (state / "follow.db").write_bytes(b"not a database, but bytes of two logs mixed" * 200)
    follower = Follower("file:///nowhere", state, 1.0, print)
    with pytest.raises(Failed) as refused:
        collect(follower, "replica-a", tmp_path / "verify_log.db")
    message = refused.value.message
    assert f"查验日志副本 {state / 'follow.db'} 无法读取" in message
    assert "CERTREG_LOG_REPLICA 须各不相同" in message and f"删除 {state}/" in message
    assert "删除地址 file:///nowhere 上的全部内容" in message
    assert ".verify_log.db-litestream/" in message
    assert "--db" not in message


def test_a_registry_followed_for_a_replicas_log_is_named_as_such(tmp_path: Path) -> None:
    """collect-logs pointed at the registry's URL blamed two replicas sharing an address."""
    state = tmp_path / ".replica-logs" / "replica-a"
    state.mkdir(parents=True)
    sync_samples(state / "follow.db")
    with pytest.raises(Failed) as refused:
        collect(Follower("file:///nowhere", state, 1.0, print), "replica-a", tmp_path / "v.db")
    message = refused.value.message
    assert "不是查验日志" in message and "URL 多半是登记库的地址" in message
    assert "须各不相同" not in message


def test_publishing_leaves_no_half_copy_behind(tmp_path: Path) -> None:
    """A copy a killed run left beside the registry is removed by the next; a copy that cannot
    be written (a full disk) is a message, not a traceback, and leaves nothing behind."""
    state = tmp_path / ".registry.db.follow"
    sync_samples(state / "follow.db")
    follower = Follower("file:///nowhere", state, 1.0, print)
    target = tmp_path / "data" / "registry.db"
    target.parent.mkdir()
    stale = target.with_name(".registry.db.4242.new")
    stale.write_bytes(b"half a registry")
    publish(follower, target)
    assert sorted(p.name for p in target.parent.iterdir()) == ["registry.db"]
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(Failed) as refused:
        publish(follower, blocked / "registry.db")
    assert (
        "无法在" in refused.value.message
        and "查验服务继续使用现有的登记库" in refused.value.message
    )


def test_a_followed_file_that_is_no_registry_is_not_published(tmp_path: Path) -> None:
    """A replica's log URL given for the registry's: published, it made every check a 503."""
    state = tmp_path / ".registry.db.follow"
    state.mkdir()
    log = sqlite3.connect(state / "follow.db")
    log.execute("CREATE TABLE checks (id INTEGER PRIMARY KEY, number TEXT)")
    log.close()
    target = tmp_path / "registry.db"
    sync_samples(target)
    before = target.read_bytes()
    with pytest.raises(Failed) as refused:
        publish(Follower("file:///nowhere", state, 1.0, print), target)
    assert "不能作为登记库发布（其中没有证书表" in refused.value.message
    assert "--db" not in refused.value.message  # not the --db's fault
    assert "CERTREG_REGISTRY_REPLICA" in refused.value.message
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".registry.db.follow", "registry.db"]


def test_a_replicas_log_purged_of_its_oldest_checks_is_not_collected_again(
    tmp_path: Path,
) -> None:
    """certreg purge-log on a replica made its first check a later one: taken for a log started
    anew, the whole log was collected again every day — but a log that is new, refused until
    the operator names it (it could be another replica's), is then read from its start."""
    state = tmp_path / ".verify_log.db.follow"
    state.mkdir()
    replica_log = state / "follow.db"
    host_log = tmp_path / "host" / "verify_log.db"
    host_log.parent.mkdir()

    def logged(*days_ago: int) -> None:
        conn = sqlite3.connect(replica_log, isolation_level=None)
        prepare_log(conn)
        conn.executemany(
            "INSERT INTO checks (at, client, number, result, name_hash, channel)"
            " VALUES (?, '203.0.113.7', 'Z1122020123', 'valid', 'h', 'api')",
            [(f"2026-0{9 - d}-01T00:00:00+00:00",) for d in days_ago],
        )
        conn.execute("PRAGMA journal_mode = DELETE")  # whole in one file, as followed
        conn.close()

    follower = Follower("file:///nowhere", state, 1.0, print)
    logged(3, 2, 1)
    assert collect(follower, "replica-a", host_log) == 3
    with sqlite3.connect(replica_log) as conn:
        conn.execute("DELETE FROM checks WHERE id = 1")  # the oldest, purged
    assert collect(follower, "replica-a", host_log) == 0
    replica_log.unlink()
    logged(0)  # the replica's log made anew: its ids start again
    with pytest.raises(Failed) as refused:
        collect(follower, "replica-a", host_log)
    [new] = re.findall(r"--new-log (\w+) --once", refused.value.message)
    assert collect(follower, "replica-a", host_log, new_log=new) == 1
    assert collect(follower, "replica-a", host_log) == 0
    assert len(sqlite3.connect(host_log).execute("SELECT id FROM checks").fetchall()) == 4


def test_a_replica_on_an_older_certreg_is_collected_without_the_newer_columns(
    tmp_path: Path,
) -> None:
    """An upgrade goes host by host: the registry host's collection asked a replica's log,
    still an older certreg's, for the columns only the newer one writes, and failed."""
    state = tmp_path / ".verify_log.db.follow"
    state.mkdir()
    replica_log = state / "follow.db"
    conn = sqlite3.connect(replica_log, isolation_level=None)
    prepare_log(conn)
    conn.execute("ALTER TABLE checks DROP COLUMN confirmed")
    conn.execute("ALTER TABLE checks DROP COLUMN mismatched")
    conn.execute(
        "INSERT INTO checks (at, client, number, result, name_hash, channel)"
        " VALUES ('2026-12-01T00:00:00+00:00', '203.0.113.7', 'Z1122020123', 'valid', 'h', 'api')"
    )
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    host_log = tmp_path / "host" / "verify_log.db"
    host_log.parent.mkdir()
    assert collect(Follower("file:///nowhere", state, 1.0, print), "replica-a", host_log) == 1
    with contextlib.closing(sqlite3.connect(host_log)) as host:
        row = host.execute("SELECT number, confirmed, mismatched FROM checks").fetchone()
    assert row == ("Z1122020123", None, None)


def test_a_version_an_older_certreg_wrote_is_passed_over_and_following_goes_on(
    tmp_path: Path,
) -> None:
    """A replica upgraded before the registry host refused the host's version and ended; its
    restarts met that same version again and never took the upgraded one after it."""
    state = tmp_path / ".registry.db.follow"
    sync_samples(state / "follow.db")
    with sqlite3.connect(state / "follow.db") as older:
        older.execute("DROP TRIGGER keep_syncs_values")
        older.execute("ALTER TABLE syncs DROP COLUMN outcome")  # a column the checks read
        older.execute("PRAGMA journal_mode = DELETE")  # as Litestream's copy is: whole in one file
    target = tmp_path / "data" / "registry.db"
    sync_samples(target)
    before = target.read_bytes()
    follower = Follower("file:///nowhere", state, 1.0, print)
    said: list[str] = []
    publishing(follower, target, False, said.append)("0000000000000002")  # goes on
    assert target.read_bytes() == before and "继续跟随" in said[0]
    assert "查验日志地址" not in said[0]  # not the wrong URL: an older version
    with pytest.raises(OlderRegistry):  # --once: the first copy must be one it can serve
        publishing(follower, target, True, said.append)("0000000000000002")


@pytest.mark.parametrize(
    "command",
    [
        ["keys", "add", "副本上发的", "--per-day", "5"],
        ["keys", "revoke", "1"],
        ["sync", "data/samples"],
    ],
    ids=["keys add", "keys revoke", "sync"],
)
def test_a_replicas_copy_takes_no_writes(tmp_path: Path, command: list[str]) -> None:
    """A key issued on a replica worked, then vanished with the next version — and the host's
    next key took its number. Whatever would be written there is refused, saying where to."""
    db = tmp_path / "registry.db"
    sync_samples(db)
    (tmp_path / ".registry.db.follow").mkdir()  # as `certreg follow` keeps it
    before = snapshot(db)
    result = CliRunner().invoke(cli, [*command, "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert "查验副本" in result.output and "请在登记库主机上运行" in result.output
    assert snapshot(db) == before


def test_a_report_collected_again_repeats_nothing_and_an_old_one_is_named_by_its_id(
    tmp_path: Path,
) -> None:
    """A replica's log read from its start anew brings its reports again, under their own
    numbers: marked repeats of themselves, the cases were closed. A report older than report
    numbers is named by its id, as `certreg reports` names it (it read "请按 None 处理")."""
    conn = sqlite3.connect(tmp_path / "verify_log.db", isolation_level=None)
    prepare_log(conn)
    report = (
        "INSERT INTO reports (at, client, number, result, checked_at, name_hash, ref)"
        " VALUES ('2026-12-01T10:00:00+00:00', '203.0.113.9', ?, 'no_match', ?, 'h', ?)"
    )
    conn.execute(report, ("Z1122029999", "2026-12-01T09:59:00+00:00", "20261201-AAAAAA"))
    conn.execute(report, ("Z1122029999", "2026-12-01T09:59:00+00:00", "20261201-AAAAAA"))
    conn.execute(report, ("Z1122028888", "2026-12-01T09:58:00+00:00", None))
    conn.execute(report, ("Z1122028888", "2026-12-01T09:58:00+00:00", "20261201-BBBBBB"))
    marked = mark_repeated(conn, ["20261201-AAAAAA", "20261201-BBBBBB"], "2026-12-02T00:00:00")
    outcomes = conn.execute("SELECT ref, action FROM report_outcomes").fetchall()
    conn.close()
    assert marked == 1
    [(ref, action)] = outcomes
    assert ref == "20261201-BBBBBB" and "请按 3 处理" in action


def _as_followed(db: Path) -> None:
    """A registry as Litestream's copy holds it: whole in one file."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")


def _revoked(db: Path) -> bool:
    """Whether the public check of `VALID` answers revoked from ``db``."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return lookup.verify(conn, *VALID).result == "revoked"


def test_a_version_older_than_the_served_one_is_not_published(tmp_path: Path) -> None:
    """A registry host rebuilt from a day-old backup, or whose sync made a new registry before
    the restore, was published to every replica: a certificate revoked since was answered valid
    again, with nothing said anywhere (a disaster-recovery drill). Passed over, said at each
    version, unless --once --allow-rollback."""
    state = tmp_path / ".registry.db.follow"
    copy = state / "follow.db"
    sync_samples(copy)
    backup = tmp_path / "backup-day0.db"
    shutil.copyfile(copy, backup)  # the day's backup, before a 撤销 is synced
    record_revocation(copy, tmp_path / "later", VALID[0], VALID[1], "2020-06-01")
    _as_followed(copy)
    target = tmp_path / "data" / "registry.db"
    target.parent.mkdir()
    follower = Follower("file:///nowhere", state, 1.0, print)
    publish(follower, target)  # the host's history, version after version
    assert _revoked(target)
    served = target.read_bytes()
    with contextlib.closing(sqlite3.connect(target)) as conn:
        (last,) = conn.execute("SELECT max(id) FROM syncs").fetchone()

    remade = tmp_path / "remade.db"
    sync_samples(remade)  # the sync timer on a host whose registry is gone: a new registry
    for older in (backup, remade):
        shutil.copyfile(older, copy)
        _as_followed(copy)
        said: list[str] = []
        publishing(follower, target, False, said.append)("0000000000000009")  # goes on
        assert target.read_bytes() == served
        [message] = said
        assert f"没有正在使用的登记库的第 {last} 次同步" in message
        # the command to run names the registry: without --db it made one where it was run
        assert f"--db {target} --once --allow-rollback" in message
        with pytest.raises(RolledBack):
            publishing(follower, target, True, said.append)("0000000000000009")

    shutil.copyfile(backup, copy)
    _as_followed(copy)
    publishing(follower, target, True, print, allow_rollback=True)("0000000000000009")
    assert not _revoked(target)  # the operator's own decision


def _keys(db: Path, *arguments: str) -> None:
    """``certreg keys …`` on the registry host's ``db``."""
    result = CliRunner().invoke(cli, ["keys", *arguments, "--db", str(db)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("after_backup", "after_restore", "said"),
    [
        (("add", "备份后", "--per-day", "5"), ("add", "恢复后", "--per-day", "5"), "备份后"),
        (("revoke", "1"), None, "吊销"),
    ],
    ids=["key issued again", "revocation undone"],
)
def test_a_version_that_lost_an_api_key_is_not_published(
    tmp_path: Path, after_backup: tuple[str, ...], after_restore: tuple[str, ...] | None, said: str
) -> None:
    """Keys are issued and revoked outside any sync: a host restored from a backup taken before
    key 2 was issued issued the next one as key 2 again, and the replica published it silently
    — the first unit's key answered 401, its logged checks showed under the other unit (an
    operator's review); a revocation undone so would make a revoked key work again."""
    host = tmp_path / "host" / "registry.db"
    host.parent.mkdir()
    sync_samples(host)
    _keys(host, "add", "备份前", "--per-day", "5")
    backup = tmp_path / "backup.db"
    shutil.copyfile(host, backup)
    _keys(host, *after_backup)
    state = tmp_path / ".registry.db.follow"
    state.mkdir()
    copy = state / "follow.db"
    shutil.copyfile(host, copy)
    _as_followed(copy)
    target = tmp_path / "data" / "registry.db"
    target.parent.mkdir()
    follower = Follower("file:///nowhere", state, 1.0, print)
    publishing(follower, target, False, print)("0000000000000001")
    served = target.read_bytes()

    shutil.copyfile(backup, host)  # the host restored from the backup
    if after_restore:
        _keys(host, *after_restore)
    shutil.copyfile(host, copy)
    _as_followed(copy)
    told: list[str] = []
    assert not publishing(follower, target, False, told.append)("0000000000000002")
    assert target.read_bytes() == served
    [message] = told
    assert "接口密钥" in message and said in message and "比副本的旧" in message
    assert f"--db {target} --once --allow-rollback" in message


def test_allow_rollback_is_for_one_version_only(tmp_path: Path) -> None:
    """--allow-rollback on the following unit would let every later rollback through."""
    result = CliRunner().invoke(
        cli, ["follow", "file:///nowhere", "--db", str(tmp_path / "r.db"), "--allow-rollback"]
    )
    assert result.exit_code == 2 and "只能与 --once 一起用" in result.output


def test_a_rollback_names_the_registry_it_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An administrator's review: ``follow URL --once --allow-rollback`` as the docs and the
    refusal said it, without ``--db``, published to ./data/registry.db of the folder it was run
    in, exit 0 — the replica's own registry untouched, and its follower refusing ever after."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["follow", "file:///nowhere", "--once", "--allow-rollback"])
    assert result.exit_code == 2 and "--db 指定的登记库 data/registry.db 不存在" in result.output
    assert not (tmp_path / "data").exists()


def test_once_on_a_folder_that_is_not_there_says_so(tmp_path: Path) -> None:
    """A mistyped file:// folder, or a share not mounted, was told to check "the address"
    after the retries (a newcomer's paste): the folder that is not there is named."""
    litestream()
    missing = tmp_path / "no-such-folder" / "registry"
    db = tmp_path / "data" / "registry.db"
    result = CliRunner().invoke(cli, ["follow", missing.as_uri(), "--db", str(db), "--once"])
    assert result.exit_code == 1 and f"文件夹 {missing} 不存在" in result.output


def test_a_litestream_that_exits_is_told_with_both_places_to_look(tmp_path: Path) -> None:
    """An operator's review: the follower blamed the replica URL whenever Litestream exited,
    where Litestream's own line named a local path (the data folder gone)."""
    litestream()
    said: list[str] = []
    follower = Follower((tmp_path / "replica").as_uri(), tmp_path / "state", 0.1, said.append)
    follower._binary = "false"  # a Litestream that exits at once, as on a folder it cannot write
    follower.ensure_running()
    assert follower._process is not None
    follower._process.wait()
    follower.ensure_running()
    # started again at once the first time (a copy it could not resume kept a rebooted
    # replica on its old registry 5 s longer), after a pause the next (a URL that keeps failing)
    again = follower._process
    assert again is not None
    again.wait()
    follower.ensure_running()
    assert follower._process is None
    assert "litestream 已退出（退出码 1" in said[0] and "现在从头恢复一份副本" in said[0]
    assert "5 秒后重试" in said[1]
    assert (
        "请检查副本地址是否可达" in said[0]
        and f"本机的 {tmp_path / 'state'} 是否存在、可写" in said[0]
    )


def test_the_heartbeat_beats_only_while_the_registry_served_can_be_current(
    tmp_path: Path,
) -> None:
    """A beat at every round that raised nothing told /healthz 200 while Litestream kept
    exiting, or ran on retrying a URL it could not reach, or the host's versions were passed
    over (reviews): it beats while a recent look at the URL found the copy current, Litestream
    runs steadily and the last version seen was published."""
    litestream()
    db = tmp_path / "data" / "registry.db"
    follow_state(db).mkdir(parents=True)
    follower = Follower((tmp_path / "replica").as_uri(), tmp_path / "state", 0.1, print)
    heart = follow_state(db) / HEARTBEAT
    pulse = Pulse(db)
    follower._binary = "false"  # a Litestream that ends at once
    follower.ensure_running()
    assert follower._process is not None
    follower._process.wait()
    follower.ensure_running()  # ended: counted, started again at once
    pulse.after_round(follower)
    assert not heart.exists()
    assert follower._process is not None
    follower._process.wait()
    follower._process = subprocess.Popen(["sleep", "30"])  # one that runs on
    try:
        pulse.after_round(follower)  # running steadily, but no look at the URL found it current
        assert not heart.exists()
        follower.confirmed_at = time.monotonic()  # as `check_history` sets it
        pulse.after_round(follower)
        assert heart.exists()
        heart.unlink()
        pulse.behind, pulse.beaten = True, float("-inf")  # a version passed over
        pulse.after_round(follower)
        assert not heart.exists()
    finally:
        follower._process.kill()
        follower._process.wait()


def test_a_follower_may_not_wait_longer_than_its_heartbeat_allows(tmp_path: Path) -> None:
    """Refused at once (a follower let wait would follow for ever: bounded, so that it fails)."""
    args = ["follow", "file:///nowhere", "--db", str(tmp_path / "r.db"), "--interval", "61"]
    result = subprocess.run(
        [sys.executable, "-m", "registry", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 2 and "至多 20 秒" in result.stderr


def _writes(db: Path, values: range) -> None:
    """One transaction (one version, shipped) per value, as a registry's writes come."""
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS t (x)")
        for value in values:
            conn.execute("INSERT INTO t VALUES (?)", (value,))
            time.sleep(1.2)  # past Litestream's one-second sync: a version each


def test_a_url_that_holds_another_history_now_is_followed_from_scratch(tmp_path: Path) -> None:
    """An administrator's review rebuilt the registry host from a backup and shipped it anew to
    the same address: the follower, waiting for a version after its copy's, had Litestream lay
    the new history's versions over the copy of the old one once they passed it — a replica
    served a mixture of two registries. A URL whose newest version is older than the copy's
    holds another history: the copy is dropped and restored whole from it."""
    binary = litestream()
    url = (tmp_path / "shipped").as_uri()
    first, second = tmp_path / "first" / "registry.db", tmp_path / "second" / "registry.db"
    for db in (first, second):
        db.parent.mkdir()
    said: list[str] = []
    follower = Follower(url, tmp_path / "state", 0.2, said.append, history_every=0)
    logs = [tmp_path / "replicate.log"]
    try:
        with running([binary, "replicate", str(first), url], {}, logs[0]):
            _writes(first, range(6))
            follower.ensure_running()
            wait_for(
                "the copy at the first history's last version",
                lambda: follower.txid() is not None and int(follower.txid() or "0", 16) >= 6,
                logs,
            )
            follower.check_history()  # the same history: nothing to say, nothing dropped
            assert said == [] and follower.copy.exists()
        shutil.rmtree(tmp_path / "shipped")  # lost with the host; the rebuilt one ships anew
        with running([binary, "replicate", str(second), url], {}, logs[0]):
            _writes(second, range(100, 102))
            follower.check_history()
            assert said and "早于本机已跟随到的版本" in said[-1], said
            assert follower.txid() is None and not follower.copy.exists()
            follower.ensure_running()
            wait_for(
                "the copy restored from the second history",
                lambda: (
                    follower.copy.exists()
                    and follower.txid() is not None
                    and _values(follower.copy) == [100, 101]
                ),
                logs,
            )
    finally:
        follower.stop()


def _values(db: Path) -> list[int]:
    with contextlib.closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as conn:
        try:
            return [int(x) for (x,) in conn.execute("SELECT x FROM t ORDER BY x")]
        except sqlite3.Error:
            return []


def test_a_replica_connected_before_its_first_check_has_its_row(tmp_path: Path) -> None:
    """An administrator's review: 各查验副本日志接收情况 had no row for a replica until a
    check of it was collected — connected but not checked yet looked like never heard of."""
    state = tmp_path / ".verify_log.db.follow"
    state.mkdir()
    conn = sqlite3.connect(state / "follow.db", isolation_level=None)
    prepare_log(conn)  # a replica's log with no check in it yet
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    host_log = tmp_path / "host" / "verify_log.db"
    host_log.parent.mkdir()
    follower = Follower("file:///nowhere", state, 1.0, print)
    assert collect(follower, "replica-b", host_log) == 0
    with contextlib.closing(sqlite3.connect(host_log)) as log:
        row = log.execute(
            "SELECT checks, received_at, read_at FROM replica_logs WHERE replica = 'replica-b'"
        ).fetchone()
    assert row is not None and row[:2] == (0, None) and row[2]


# The registry host's sync, when Litestream did not take up what it wrote


def _sync(folder: Path, db: Path, *options: str) -> str:
    """`certreg sync` as an administrator runs it: the registers load (exit 0) whatever it says
    of the replication."""
    result = CliRunner().invoke(cli, ["sync", str(folder), "--db", str(db), *options])
    assert result.exit_code == 0, result.output
    return result.output


def _new_version(registers: RegisterFactory, certificates: int) -> None:
    """The one roster again, a certificate more: each sync of it writes the registry."""
    rows = [
        approval_row(f"Z122202{i:04d}", f"赵{'一二三四五'[i]}") for i in range(1, certificates + 1)
    ]
    registers.add("2012-mianyang.csv", rows, MIANYANG_2012)


def test_a_sync_after_litestream_stopped_says_the_replicas_answer_from_the_old_registry(
    tmp_path: Path, shipping: dict[str, str]
) -> None:
    """An operator's review: with the registry host's Litestream stopped, `certreg sync` loaded
    registers and said nothing, and the replicas — seeing no newer version at the URL, healthy —
    answered the public from the old registry for good, nobody told."""
    host_db = Path(shipping["host"]) / "registry.db"
    sync_samples(host_db)
    host_env = {**shipping, "CERTREG_DATA": shipping["host"]}
    registers = RegisterFactory(tmp_path / "registers")
    log = tmp_path / "replicate.log"
    kept = Path(shipping["host"]) / ".registry.db-litestream"
    with running(unit_command("certreg-replicate.service", host_env), host_env, log) as replicate:
        wait_for("Litestream shipping the registry", lambda: any(kept.rglob("*.ltx")), [log])
        _new_version(registers, 1)
        assert json.loads(_sync(registers.folder, host_db, "--json"))["replication"] == "ok"
        _new_version(registers, 2)
        assert "Litestream" not in _sync(registers.folder, host_db)

        replicate.kill()  # crashed: nothing ships what follows
        replicate.wait()
        _new_version(registers, 3)
        assert json.loads(_sync(registers.folder, host_db, "--json"))["replication"] == "stalled"
        _new_version(registers, 4)
        said = _sync(registers.folder, host_db).splitlines()[-1]
        assert "Litestream" in said and "各查验副本仍按旧的登记库答复查验" in said
        assert "systemctl status certreg-replicate" in said
        assert "journalctl -u certreg-replicate" in said and f"可删除文件夹 {kept}" in said
        # the same registers again: nothing written, so nothing waits to be shipped
        assert "replication" not in json.loads(_sync(registers.folder, host_db, "--json"))


def test_a_sync_of_a_registry_litestream_does_not_ship_says_nothing_of_replication(
    tmp_path: Path,
) -> None:
    """No ``.registry.db-litestream`` beside the registry (a single host, a clerk's laptop): no
    replication to wait for or warn of."""
    db = tmp_path / "data" / "registry.db"
    registers = RegisterFactory(tmp_path / "registers")
    _new_version(registers, 1)
    assert "replication" not in json.loads(_sync(registers.folder, db, "--json"))
    _new_version(registers, 2)
    assert "Litestream" not in _sync(registers.folder, db)
