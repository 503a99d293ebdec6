"""A synced sample registry and verification log for the Datasette tests, and the shipped config.

The registry is built the way production builds it: ``certreg sync`` of the sample registers,
a rejected register, a corrected register (history), and — once main has the status-changes
kind — a real status-changes register. Before that, ``status_events`` is created with the
schema of the developers' guide and filled directly, so the canned query is tested either way.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import sqlite3
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import sqlite_utils
import yaml
from click.testing import CliRunner
from datasette.app import Datasette
from datasette_auth_passwords.utils import hash_password

from datasette_config import config_dir
from datasette_config.launch import ensure_verify_log, verify_log_path
from registry.cli import cli
from registry.kinds import KINDS
from tests.registers import MIANYANG, RegisterFactory, approval_row

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
STAFF_USER = "wangli"
STAFF_PASSWORD = "示例密码 correct horse"
STAFF_HASH = hash_password(STAFF_PASSWORD, iterations=1000)
"""A cheap hash (1000 rounds) keeps the login tests fast; production hashes use the default."""

MIANYANG_2012 = {**MIANYANG, "approval_doc": "绵人社函〔2013〕5号", "issued_on": "2013-03-01"}
MIANYANG_2012["year_code"] = "12"

STATUS_EVENTS = [
    # type, number, name, date, new_number, reason, approval_doc, extra documents (补发 only)
    (
        "换发",
        "Z1122020124",
        "郑浩",
        "2013-05-10",
        "Z1122020200",
        "证书污损",
        "绵人社函〔2013〕20号",
    ),
    ("补发", "G1122000001", "张三明", "2013-06-01", "", "遗失", "川人社函〔2013〕30号"),
    ("撤销", "C1122020002", "吴敏", "2013-07-15", "", "考试作弊", "绵人社函〔2013〕25号"),
]
REISSUE_DOCUMENTS = {
    "个人申请": "申请书2013-01",
    "单位证明": "单位证明2013-01",
    "原公布文件": "川人社函〔2012〕12号",
}

GUIDE_STATUS_EVENTS_COLUMNS: dict[str, type] = {
    "id": int,
    "sync": int,
    "register": str,
    "source_row": int,
    "type": str,
    "number": str,
    "name": str,
    "date": str,
    "new_number": str,
    "reason": str,
    "approval_doc": str,
    "personal_application": str,
    "unit_certificate": str,
    "original_document": str,
}


def sync(path: Path, db: Path) -> int:
    result = CliRunner().invoke(cli, ["sync", str(path), "--db", str(db)])
    return result.exit_code


def add_status_events(folder: Path, db: Path) -> None:
    """The 换发/补发/撤销 of STATUS_EVENTS, through a real register when the kind exists."""
    if "status-changes" in KINDS:
        registers = RegisterFactory(folder)
        rows = [
            {
                "类型": kind,
                "证书编号": number,
                "姓名": name,
                "日期": date,
                "新证书编号": new_number,
                "原因": reason,
                "批准文号": doc,
                **(REISSUE_DOCUMENTS if kind == "补发" else {}),
            }
            for kind, number, name, date, new_number, reason, doc in STATUS_EVENTS
        ]
        registers.add("2013-changes.csv", rows, {"kind": "status-changes", "authority": "2200"})
        assert sync(folder, db) == 0
        return
    registry = sqlite_utils.Database(db)
    try:
        registry.table("status_events").create(GUIDE_STATUS_EVENTS_COLUMNS, pk="id")
        registry.table("status_events").insert_all(
            {
                "register": "2013-changes.csv",
                "source_row": row,
                "type": kind,
                "number": number,
                "name": name,
                "date": date,
                "new_number": new_number or None,
                "reason": reason,
                "approval_doc": doc,
                "personal_application": REISSUE_DOCUMENTS["个人申请"] if kind == "补发" else None,
                "unit_certificate": REISSUE_DOCUMENTS["单位证明"] if kind == "补发" else None,
                "original_document": REISSUE_DOCUMENTS["原公布文件"] if kind == "补发" else None,
            }
            for row, (kind, number, name, date, new_number, reason, doc) in enumerate(
                STATUS_EVENTS, start=4
            )
        )
    finally:
        registry.close()


def build_registry(db: Path, registers: RegisterFactory) -> None:
    """Samples (15 certificates), one rejected register, one corrected register, status events."""
    assert sync(SAMPLES, db) == 0
    # A corrected register: 赵敏's birth month changes between versions → certificate_history.
    registers.add("2012-mianyang.csv", [approval_row("Z1222020001", "赵敏")], MIANYANG_2012)
    assert sync(registers.folder, db) == 0
    registers.add(
        "2012-mianyang.csv",
        [approval_row("Z1222020001", "赵敏", 出生年月="1976.08")],
        MIANYANG_2012,
    )
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
    add_status_events(registers.folder.parent / "status-changes", db)


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
    for i, result in enumerate(["valid"] * 5 + ["no_match"] * 3):
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
    finally:
        log.close()


def shipped_metadata() -> dict[str, Any]:
    metadata: dict[str, Any] = yaml.safe_load(
        (config_dir() / "metadata.yml").read_text(encoding="utf-8")
    )
    return metadata


def shipped_datasette(db: Path) -> Datasette:
    """Datasette over the registry and its verification log, configured as `certreg browse` does."""
    config = config_dir()
    settings: Mapping[str, object] = json.loads((config / "settings.json").read_text("utf-8"))
    return Datasette(
        [str(db), str(verify_log_path(db))],
        metadata=shipped_metadata(),
        plugins_dir=str(config / "plugins"),
        template_dir=str(config / "templates"),
        settings=dict(settings),
    )


def signed_in(ds: Datasette, user: str = STAFF_USER) -> dict[str, str]:
    """The cookie datasette-auth-passwords sets after a successful login."""
    return {"ds_actor": ds.sign({"a": {"id": user}}, "actor")}


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def log_in(client: httpx.Client, username: str, password: str) -> httpx.Response:
    """Sign in through the real login form (CSRF token and all), as a browser would."""
    client.get("/-/login")
    token = client.cookies["ds_csrftoken"]
    return client.post(
        "/-/login", data={"username": username, "password": password, "csrftoken": token}
    )
