"""A synced sample registry and verification log for the Datasette tests, and the shipped config.

The registry is built the way production builds it: ``certreg sync`` of the sample registers
(three rosters and a status-changes register with 换发, 补发 and 撤销), then a corrected register
(history) and a rejected one (problems).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Protocol

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner
from datasette.app import Datasette
from datasette_auth_passwords.utils import hash_password

from datasette_config import config_dir
from datasette_config.launch import ensure_verify_log
from datasette_config.session_cookies import session_cookie
from registry.cli import cli
from registry.store import verify_log_path
from tests.registers import MIANYANG, RegisterFactory, approval_row
from tests.servers import free_port, stop

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
STAFF_USER = "wangli"
SECRET = "0123456789abcdef" * 4
"""DATASETTE_SECRET of the test servers."""
STAFF_PASSWORD = "示例密码 correct horse"
STAFF_HASH = hash_password(STAFF_PASSWORD, iterations=1000)
"""A cheap hash (1000 rounds) keeps the login tests fast; production hashes use the default."""

MIANYANG_2012 = {**MIANYANG, "approval_doc": "绵人社函〔2013〕5号", "issued_on": "2013-03-01"}
MIANYANG_2012["year_code"] = "12"


def sync(path: Path, db: Path) -> int:
    """`certreg sync PATH --db DB`, as an administrator runs it; returns the exit code."""
    return CliRunner().invoke(cli, ["sync", str(path), "--db", str(db)]).exit_code


def build_registry(db: Path, registers: RegisterFactory) -> None:
    """Samples (17 certificates, 5 status events), a corrected register, a rejected register."""
    assert sync(SAMPLES, db) == 0
    # A corrected register: 赵敏's wage grade date changes between versions → certificate_history.
    registers.add("2012-mianyang.csv", [approval_row("Z1222020001", "赵敏")], MIANYANG_2012)
    assert sync(registers.folder, db) == 0
    registers.add(
        "2012-mianyang.csv",
        [approval_row("Z1222020001", "赵敏", 执行工资等级起始时间="2009.10")],
        {**MIANYANG_2012, "approval_doc": "绵人社函〔2013〕6号"},  # → register_history
    )
    assert sync(registers.folder, db) == 0
    # A corrected collection register: the day 赵敏 collected changes → blank_history.
    collected = {"证书编号": "Z1222020001", "领取人": "赵敏", "签名": "是", "日期": "2013-04-01"}
    facts = {"kind": "collections", "authority": "2202"}
    registers.add("2013-mianyang-collections.csv", [collected], facts)
    assert sync(registers.folder, db) == 0
    registers.add("2013-mianyang-collections.csv", [{**collected, "日期": "2013-04-02"}], facts)
    assert sync(registers.folder, db) == 0
    # A rejected register: a failing score and an unknown trade.
    registers.add(
        "2012-mianyang-bad.csv",
        [
            approval_row("Z1222020002", "孙丽"),
            approval_row("Z1222020003", "钱伟", 技术业务理论=52),
            approval_row("Z1222020004", "冯刚", 报考工种="驾校"),
        ],
        MIANYANG_2012,
    )
    assert sync(registers.folder, db) == 1
    # An API key, issued and revoked
    keys = ["keys", "add", "某某医院人事处", "--per-day", "2000", "--db", str(db)]
    assert CliRunner().invoke(cli, keys).exit_code == 0
    assert CliRunner().invoke(cli, ["keys", "revoke", "1", "--db", str(db)]).exit_code == 0


def utc(delta: dt.timedelta) -> str:
    return (dt.datetime.now(dt.UTC) + delta).replace(microsecond=0).isoformat()


def build_verify_log(path: Path) -> None:
    """Checks from three clients: a burst of no_match now, an ordinary user, an old burst."""
    ensure_verify_log(path)
    checks: list[dict[str, Any]] = []
    for i in range(12):
        checks.append(
            {
                "at": utc(dt.timedelta(minutes=-30 + i)),
                "client": "203.0.113.9",
                "number": f"Z11220201{i:02d}",
                "result": "no_match",
                "name_hash": "a" * 64,
                "channel": "api",
            }
        )
    for i, result in enumerate(
        ["valid"] * 5 + ["no_match"] * 3 + ["revoked", "superseded", "malformed"]
    ):
        checks.append(
            {
                "at": utc(dt.timedelta(hours=-2, minutes=i)),
                "client": "198.51.100.5",
                "number": "Z1122020123",
                "result": result,
                "name_hash": f"{i:064d}",
                "channel": "page",
            }
        )
    for i in range(20):
        checks.append(
            {
                "at": utc(dt.timedelta(days=-3, minutes=i)),
                "client": "192.0.2.7",
                "number": f"C11220200{i:02d}",
                "result": "no_match",
                "name_hash": "b" * 64,
                "channel": "batch",
            }
        )
    log = sqlite_utils.Database(path)
    try:
        log.table("checks").insert_all(checks)
        # a report of the burst's last number, and a watch list, as the app writes them
        log.table("reports").insert(
            {
                "at": utc(dt.timedelta(minutes=-5)),
                "client": "198.51.100.5",
                "number": "Z1122020111",
                "result": "no_match",
                "checked_at": utc(dt.timedelta(minutes=-6)),
                "name_hash": "c" * 64,
                "mismatched": "",
                "receipt": None,
                "authority": "2202",
                "contact": "某医院人事处",
                "text": "应聘者出示的证书查不到",
            }
        )
        # … which staff have looked into (`certreg reports --handle`)
        log.table("report_outcomes").insert(
            {"ref": "1", "at": utc(dt.timedelta(minutes=-1)), "staff": "王科员", "action": "已核实"}
        )
        watch = log.table("watches").insert(
            {
                "token_hash": "d" * 64,
                "created_at": utc(dt.timedelta(days=-1)),
                "after_sync": 1,
                "client": "198.51.100.5",
                "key_id": None,
            }
        )
        log.table("watch_entries").insert(
            {"watch": watch.last_pk, "number": "Z1122020123", "name_hash": "e" * 64}
        )
    finally:
        log.close()


def shipped_metadata() -> dict[str, Any]:
    metadata: dict[str, Any] = yaml.safe_load(
        (config_dir() / "metadata.yml").read_text(encoding="utf-8")
    )
    return metadata


def shipped_datasette(db: Path, **setting: object) -> Datasette:
    """Datasette over the registry and its verification log, configured as `certreg browse` does
    (and with each ``setting`` an administrator may add: ``base_url="/staff/"``)."""
    config = config_dir()
    settings: Mapping[str, object] = json.loads((config / "settings.json").read_text("utf-8"))
    return Datasette(
        [str(db), str(verify_log_path(db))],
        metadata=shipped_metadata(),
        plugins_dir=str(config / "plugins"),
        template_dir=str(config / "templates"),
        settings={**settings, **setting},
    )


async def staff_rows(
    db: Path, monkeypatch: pytest.MonkeyPatch, path: str, params: Mapping[str, str]
) -> list[dict[str, Any]]:
    """What a signed-in staff member reads of ``path`` (a canned query, as an array of rows) in
    the shipped Datasette over ``db``."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    ds = shipped_datasette(db)
    response = await ds.client.get(
        path, params={**params, "_shape": "array"}, cookies=signed_in(ds)
    )
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def signed_in(
    ds: Datasette, user: str = STAFF_USER, password_hash: str = STAFF_HASH
) -> dict[str, str]:
    """The cookie a successful login sets: a signed session that expires and can be revoked."""
    return {"ds_actor": session_cookie(ds, user, password_hash)}


def snapshot(db: Path) -> list[tuple[object, ...]]:
    """Every row of every table, to show nothing changed."""
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return [
            (table, *row)
            for table in sorted(tables)
            for row in conn.execute(f"SELECT * FROM [{table}]")
        ]
    finally:
        conn.close()


def wait_until_listening(process: subprocess.Popen[bytes], port: int) -> None:
    """Wait for a server subprocess to accept connections; fail with its output if it exits."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listening on port {port}")


class FormClient(Protocol):
    """What `log_in` needs of an HTTP client (httpx's, or httpx2's bound to a local address)."""

    @property
    def cookies(self) -> Any: ...

    def get(self, url: str) -> Any: ...

    def post(self, url: str, *, data: dict[str, str]) -> Any: ...


def log_in(client: FormClient, username: str, password: str) -> Any:
    """Sign in through the real login form (CSRF token and all), as a browser would."""
    client.get("/-/login")
    token = client.cookies["ds_csrftoken"]
    return client.post(
        "/-/login", data={"username": username, "password": password, "csrftoken": token}
    )


@contextmanager
def running_browse(
    db: Path, env: Mapping[str, str] | None = None, output: Path | None = None
) -> Iterator[str]:
    """The real ``certreg browse`` over ``db`` on a free port, with one staff account (and
    ``env`` on top); yields its base URL. Staff accounts of the test's own environment are left
    out, so the one account is the only one. ``output``: where its stdout and stderr go."""
    port = free_port()
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("CERTREG_STAFF_") and name != "DATASETTE_SECRET"
    }
    environ.update({f"CERTREG_STAFF_{STAFF_USER}": STAFF_HASH, "DATASETTE_SECRET": SECRET})
    environ.update(env or {})
    with ExitStack() as files:
        written = files.enter_context(output.open("wb")) if output else None
        process = subprocess.Popen(
            [sys.executable, "-m", "registry", "browse", "--db", str(db), "--port", str(port)],
            env=environ,
            stdout=written,
            stderr=written,
        )
        try:
            wait_until_listening(process, port)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)
