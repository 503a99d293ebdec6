"""``certreg browse``: refuses to serve without accounts, and the real launch line works."""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlite_utils
from click.testing import CliRunner
from datasette_auth_passwords.utils import hash_password

from datasette_config.launch import bring_up_to_date, datasette_command, ensure_verify_log
from registry.cli import cli
from registry.public.http_guard import MAX_HEAD_BYTES
from registry.store import verify_log_path
from registry.store.staff_indexes import STAFF_INDEXES
from registry.store.verify_log import prepare_log
from tests.datasette_fixtures import (
    MIANYANG_2012,
    SAMPLES,
    SECRET,
    STAFF_HASH,
    STAFF_PASSWORD,
    STAFF_USER,
    log_in,
    running_browse,
    sync,
)
from tests.registers import RegisterFactory, approval_row
from tests.verify_fixtures import checks_indexes
from verify_app.settings import Settings, SettingsProblem


@pytest.fixture
def sample_db(db_path: Path) -> Path:
    assert sync(SAMPLES, db_path) == 0
    return db_path


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No staff account or secret leaks in from the environment running the tests."""
    for name in list(os.environ):
        if name.startswith("CERTREG_STAFF_") or name == "DATASETTE_SECRET":
            monkeypatch.delenv(name)
    return monkeypatch


def browse(db: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["browse", "--db", str(db)])
    return result.exit_code, result.output


def test_without_an_account_browse_explains_how_to_add_one(
    sample_db: Path, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("DATASETTE_SECRET", SECRET)
    code, output = browse(sample_db)
    assert code == 2
    assert "还没有职员账号" in output
    assert "datasette hash-password" in output
    assert "export CERTREG_STAFF_wangli=" in output


def test_browse_names_every_missing_setting_at_once(
    sample_db: Path, clean_env: pytest.MonkeyPatch
) -> None:
    """An administrator setting up was told of the account, then, once it was added, of the
    secret: one run each."""
    code, output = browse(sample_db)
    assert code == 2
    assert "还没有职员账号" in output and "DATASETTE_SECRET 未设置或太短" in output


def test_a_log_that_cannot_be_made_stops_browse_before_it_announces_the_address(
    sample_db: Path, clean_env: pytest.MonkeyPatch
) -> None:
    """Datasette stopped in English after "职员查询：http://…" was printed (here a folder
    stands where the log should be: a root-run test cannot be denied a write)."""
    clean_env.setenv("DATASETTE_SECRET", SECRET)
    clean_env.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    log = sample_db.parent / "verify_log.db"
    if log.exists():
        log.unlink()
    log.mkdir()
    code, output = browse(sample_db)
    assert code == 1, output
    assert "无法在登记库旁建立查验日志" in output and "职员查询：http" not in output


def test_a_plain_password_instead_of_a_hash_is_refused(
    sample_db: Path, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("DATASETTE_SECRET", SECRET)
    clean_env.setenv("CERTREG_STAFF_wangli", "123456")
    code, output = browse(sample_db)
    assert code == 2
    assert "CERTREG_STAFF_wangli 不是密码哈希" in output


def test_a_hash_of_the_empty_password_is_refused(
    sample_db: Path, clean_env: pytest.MonkeyPatch
) -> None:
    """An administrator's review: ``datasette hash-password --password X --no-confirm`` in a
    script hashes its standard input, not X — an account anyone entered with no password."""
    clean_env.setenv("DATASETTE_SECRET", SECRET)
    clean_env.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    clean_env.setenv("CERTREG_STAFF_script", hash_password("", iterations=1000))
    code, output = browse(sample_db)
    assert code == 2 and "CERTREG_STAFF_script 是空密码的哈希" in output, output
    assert f"CERTREG_STAFF_{STAFF_USER} 是空密码" not in output


def test_a_secret_that_is_the_command_not_its_output_is_refused(
    sample_db: Path, clean_env: pytest.MonkeyPatch
) -> None:
    """The README's ``$(python3 …)`` copied into a systemd EnvironmentFile: long enough, and
    known to everyone who read the README."""
    clean_env.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    clean_env.setenv(
        "DATASETTE_SECRET", "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
    )
    code, output = browse(sample_db)
    assert code == 2
    assert "DATASETTE_SECRET 的值是一条没有运行的命令" in output


@pytest.mark.parametrize("secret", [None, "changeme"])
def test_without_a_strong_datasette_secret_browse_says_how_to_set_one(
    sample_db: Path, clean_env: pytest.MonkeyPatch, secret: str | None
) -> None:
    """The secret signs staff sessions: a guessable one lets anyone sign themselves in."""
    clean_env.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    if secret:
        clean_env.setenv("DATASETTE_SECRET", secret)
    code, output = browse(sample_db)
    assert code == 2
    assert "DATASETTE_SECRET 未设置或太短" in output
    assert "secrets.token_hex" in output


def test_browse_refuses_a_proxy_named_by_host_as_the_public_app_does(
    sample_db: Path, clean_env: pytest.MonkeyPatch
) -> None:
    """uvicorn matches proxies by address: one named by host would be believed by no one, and
    every member of staff would share the proxy's address — and one throttle of failed logins.
    Both servers read the variable alike and refuse it alike."""
    clean_env.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    clean_env.setenv("DATASETTE_SECRET", SECRET)
    clean_env.setenv("CERTREG_TRUSTED_PROXIES", "127.0.0.1, nginx.internal")
    code, output = browse(sample_db)
    assert code == 2 and "“nginx.internal”不是 IP 地址或网段" in output
    with pytest.raises(SettingsProblem) as refused:
        Settings.from_environ({"CERTREG_TRUSTED_PROXIES": "127.0.0.1, nginx.internal"})
    assert str(refused.value) in output


def test_browse_on_a_taken_port_says_so_in_chinese(
    sample_db: Path, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    clean_env.setenv("DATASETTE_SECRET", SECRET)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(cli, ["browse", "--db", str(sample_db), "--port", port])
    assert result.exit_code == 2  # as certreg demo exits for a busy port
    assert f"无法在 127.0.0.1:{port} 上提供服务" in result.output and "--port" in result.output


def test_browse_brings_an_older_registry_and_log_up_to_date(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    """A registry from before the staff summaries and the trades table, and a log the app
    started (without the indexes staff read): browse adds what this version's pages read before
    Datasette opens them read-only, instead of 没有名为 certificate_tally 的表 until a sync."""
    db = tmp_path / "registry.db"
    assert sync(SAMPLES, db) == 0
    registry = sqlite_utils.Database(db)
    counted = registry.execute("SELECT count(*) FROM certificates").fetchone()[0]
    for table in ("certificate_tally", "trades"):
        registry[table].drop()
    registry.close()
    log = verify_log_path(db)
    conn = sqlite3.connect(log)
    prepare_log(conn)  # as the verification app starts its log
    conn.close()
    assert checks_indexes(log) == set()
    clean_env.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    clean_env.setenv("DATASETTE_SECRET", SECRET)
    with socket.socket() as taken:  # browse stops at the port, after the files
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(cli, ["browse", "--db", str(db), "--port", port])
    assert result.exit_code == 2 and "警告" not in result.output, result.output
    registry = sqlite_utils.Database(db)
    tallied = registry.execute("SELECT sum(certificates) FROM certificate_tally").fetchone()[0]
    assert tallied == counted and registry["trades"].exists()
    registry.close()
    assert checks_indexes(log) == set(STAFF_INDEXES)


def test_the_start_up_upgrade_waits_for_a_sync_and_makes_the_log_first(tmp_path: Path) -> None:
    """A sync holding the registry's write lock when browse starts: the log (without which
    Datasette cannot start) is made at once, the registry brought up to date once the sync's
    register is written — not refused at the first try."""
    db = tmp_path / "registry.db"
    assert sync(SAMPLES, db) == 0
    registry = sqlite_utils.Database(db)
    registry["certificate_tally"].drop()
    registry.close()
    syncing = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    syncing.execute("BEGIN IMMEDIATE")
    log_while_locked: list[bool] = []

    def sync_done() -> None:
        log_while_locked.append(verify_log_path(db).exists())
        syncing.execute("COMMIT")

    timer = threading.Timer(1.5, sync_done)
    timer.start()
    try:
        assert bring_up_to_date(db, verify_log_path(db)) is None
    finally:
        timer.join()
        syncing.close()
    assert log_while_locked == [True]  # made before the wait, not after it
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM certificate_tally").fetchone()[0] > 0


def test_missing_registry_points_to_sync(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    code, output = browse(tmp_path / "nothing.db")
    assert code == 2
    assert "certreg sync" in output
    assert not (tmp_path / "verify_log.db").exists()


def test_registry_under_another_file_name_is_served_as_registry(tmp_path: Path) -> None:
    """Labels, canned queries and links are written for /registry/…: a registry file of
    another name is served under that name, its own Chinese labels and queries working."""
    other = tmp_path / "certs.db"
    assert sync(SAMPLES, other) == 0
    with running_browse(other) as url, httpx.Client(base_url=url) as client:
        assert log_in(client, STAFF_USER, STAFF_PASSWORD).status_code == 302
        databases = list(client.get("/.json").json())  # the home page's, by name
        assert databases == ["registry", "verify_log"]  # the registry first, as on the index page
        found = client.get(
            "/registry/holders.json", params={"姓名": "周杰", "_shape": "array"}
        ).json()
        assert [row["证书编号"] for row in found] == ["Z1122020123"]
        table = client.get("/registry/certificates")
        assert table.status_code == 200
        with sqlite3.connect(other) as conn:
            (count,) = conn.execute("SELECT count(*) FROM certificates").fetchone()
        assert f"<title>证书：{count} 行 - 证书登记库</title>" in table.text  # metadata's labels
        assert client.get("/certs").status_code == 404


@pytest.mark.parametrize("name", ["verify_log.db", "verify_log.sqlite"])
def test_a_registry_named_as_the_verification_log_is_refused(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, name: str
) -> None:
    """Datasette names both after the stem: the log's pages (/verify_log/…) would be 404s."""
    db = tmp_path / name
    if name != "verify_log.db":
        assert sync(SAMPLES, db) == 0
    ensure_verify_log(verify_log_path(db))
    clean_env.setenv("DATASETTE_SECRET", SECRET)
    clean_env.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)

    def started(*args: object) -> None:  # would replace the test's own process
        raise AssertionError("Datasette was started")

    clean_env.setattr(os, "execve", started)
    code, output = browse(db)
    assert code == 2
    assert f"{name} 与查验日志 verify_log.db 同名" in output


def test_launch_line_serves_both_databases_mutable_with_the_shipped_config(tmp_path: Path) -> None:
    command = datasette_command([tmp_path / "registry.db", tmp_path / "verify_log.db"], "::1", 1)
    assert command[1:4] == ["-m", "datasette_config.serve", "serve"]
    assert str(tmp_path / "registry.db") in command and str(tmp_path / "verify_log.db") in command
    assert "-i" not in command and "--immutable" not in command
    for option in ("--metadata", "--plugins-dir", "--template-dir"):
        assert Path(command[command.index(option) + 1]).exists()
    settings = {
        command[i + 1]: command[i + 2] for i, arg in enumerate(command) if arg == "--setting"
    }
    assert settings["allow_download"] == "off"  # no download of the whole registry file
    assert settings["sql_time_limit_ms"] == "3000"  # staff SQL, with a time limit


@pytest.fixture
def served(sample_db: Path, clean_env: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """The real `certreg browse` in a subprocess, on a free port."""
    with running_browse(sample_db) as url:
        yield url, sample_db


def test_browse_smoke_anonymous_refused_login_form_served(served: tuple[str, Path]) -> None:
    url, db = served
    with httpx.Client(base_url=url) as client:
        home = client.get("/")
        assert home.status_code == 302
        assert home.headers["location"] == "/-/login"
        assert client.get("/registry/certificates.json").status_code == 302
        assert client.get("/-/login").status_code == 200
    assert verify_log_path(db).exists()  # created empty beside the registry


def test_browse_bounds_a_head_as_the_public_app_does(served: tuple[str, Path]) -> None:
    """Plain ``datasette serve`` took a header however long it grew: 350 MB from one client."""
    port = int(served[0].rsplit(":", 1)[1])
    huge = b"GET / HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * (MAX_HEAD_BYTES + 10)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(huge)
        answer = conn.recv(65536)
    assert answer.startswith(b"HTTP/1.1 431")


def test_browse_staff_login_and_live_sync(
    served: tuple[str, Path], registers: RegisterFactory
) -> None:
    url, db = served
    with httpx.Client(base_url=url) as client:
        assert log_in(client, STAFF_USER, "wrong password").status_code == 200
        assert "ds_actor" not in client.cookies
        signed = log_in(client, STAFF_USER, STAFF_PASSWORD)
        assert signed.status_code == 302
        found = client.get(
            "/registry/holders.json", params={"姓名": "周杰", "_shape": "array"}
        ).json()
        assert [row["证书编号"] for row in found] == ["Z1122020123"]
        databases = set(client.get("/.json").json())
        assert databases == {"registry", "verify_log"}
        # A sync while Datasette runs is visible at once: the file is not served immutable.
        new = "/registry/certificates/Z1222020001.json"
        assert client.get(new).status_code == 404
        registers.add("2012-mianyang.csv", [approval_row("Z1222020001", "赵敏")], MIANYANG_2012)
        assert sync(registers.folder, db) == 0
        assert client.get(new, params={"_shape": "objects"}).json()["rows"][0]["name"] == "赵敏"


def test_an_old_log_upgraded_by_browse_keeps_its_upgrade(tmp_path: Path) -> None:
    """`certreg browse` started first on a log an older certreg wrote: the upgrade's UPDATE of
    the watch lists and the staff indexes were made and closed uncommitted — rolled back, the
    lists were deleted at their first read and the indexes missing until the next start."""
    path = tmp_path / "verify_log.db"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE checks (id INTEGER PRIMARY KEY, at TEXT, client TEXT, number TEXT)")
    old.execute("CREATE TABLE watches (id INTEGER PRIMARY KEY, token_hash TEXT, created_at TEXT)")
    old.execute("INSERT INTO watches (token_hash, created_at) VALUES ('ab', '2025-06-01')")
    old.commit()
    old.close()
    ensure_verify_log(path)
    reopened = sqlite3.connect(path)
    try:
        [(read_at,)] = reopened.execute("SELECT read_at FROM watches").fetchall()
        assert read_at is not None and read_at > "2025-06-01"
    finally:
        reopened.close()
    assert checks_indexes(path) == set(STAFF_INDEXES)


def test_empty_verify_log_has_the_shared_schema(tmp_path: Path) -> None:
    path = tmp_path / "verify_log.db"
    ensure_verify_log(path)
    ensure_verify_log(path)  # a second start changes nothing
    log = sqlite_utils.Database(path)
    try:
        checks = log.table("checks")
        assert checks.columns_dict == {
            "id": int,
            "at": str,
            "client": str,
            "number": str,
            "result": str,
            "name_hash": str,
            "channel": str,
            "key_id": int,
            "confirmed": str,
            "mismatched": str,
            "replica": str,
            "registry_sync": int,
        }
        assert checks.pks == ["id"]
        assert sorted(tuple(index.columns) for index in checks.indexes) == [
            ("channel",),
            ("client",),
            ("client", "at"),
            ("client", "result", "channel", "mismatched"),
            ("key_id", "at"),
            ("mismatched", "at"),
            ("number",),
            ("number", "at", "result", "client", "mismatched"),
            ("result",),
            ("result", "at", "client", "number", "name_hash"),
        ]
        assert {"reports", "watches", "watch_entries"} <= set(log.table_names())
        assert log.journal_mode == "wal"
    finally:
        log.close()
