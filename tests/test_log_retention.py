"""``certreg purge-log``: the verification log keeps what checks and reports left behind for a
stated time, not for ever (个人信息保护法第十九条), and never less than six months."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import threading
from pathlib import Path

from click.testing import CliRunner

from registry import store
from registry.cli import cli
from registry.store import verify_log_path
from registry.store.log_retention import cutoff, purge
from registry.store.verify_log import prepare_log
from tests.test_replicas import ROOT, unit_command

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def _at(days_ago: int) -> str:
    return (NOW - dt.timedelta(days=days_ago)).isoformat()


def _log(tmp_path: Path) -> Path:
    """A log with a check and a report of 400 days ago and of yesterday; the old report and the
    new one handled, another old one not — beside its registry."""
    store.connect(tmp_path / "registry.db").close()
    log = verify_log_path(tmp_path / "registry.db")
    conn = sqlite3.connect(log, isolation_level=None)
    prepare_log(conn)
    check = "INSERT INTO checks (at, client, number, result, name_hash, channel) VALUES (?, ?, ?, ?, ?, ?)"
    for days in (400, 1):
        conn.execute(check, (_at(days), "203.0.113.7", "Z1122020123", "valid", "h" * 64, "api"))
    report = (
        "INSERT INTO reports (at, ref, number, result, contact, text) VALUES (?, ?, ?, ?, ?, ?)"
    )
    for ref, days in (("OLD-HANDLED", 400), ("OLD-PENDING", 400), ("NEW-HANDLED", 1)):
        conn.execute(report, (_at(days), ref, "Z1122020123", "no_match", "13800138000", "可疑"))
    for ref in ("OLD-HANDLED", "NEW-HANDLED"):
        conn.execute(
            "INSERT INTO report_outcomes (ref, at, staff, action) VALUES (?, ?, ?, ?)",
            (ref, _at(0), "王科员", "已核实"),
        )
    conn.close()
    return log


def _rows(log: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(log) as conn:
        return conn.execute(sql).fetchall()


def test_old_checks_and_handled_reports_go_and_nothing_else(tmp_path: Path) -> None:
    log = _log(tmp_path)
    db = str(tmp_path / "registry.db")
    serving = sqlite3.connect(log)  # the app's own connection stays open beside a purge
    serving.execute("SELECT count(*) FROM checks").fetchone()
    try:
        result = CliRunner().invoke(
            cli, ["purge-log", "--db", db, "--checks-days", "365", "--reports-days", "365"]
        )
        # deleted, not left in the file's free pages or old pages for whoever reads the file
        wal = Path(f"{log}-wal")
        kept = log.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    finally:
        serving.close()
    assert b"OLD-HANDLED" not in kept
    assert result.exit_code == 0, result.output
    assert "查验记录 1 条" in result.output and "已处理的报告 1 份" in result.output
    assert _rows(log, "SELECT at FROM checks") == [(_at(1),)]
    assert _rows(log, "SELECT ref FROM reports ORDER BY ref") == [
        ("NEW-HANDLED",),
        ("OLD-PENDING",),
    ]
    assert _rows(log, "SELECT ref FROM report_outcomes") == [("NEW-HANDLED",)]


def test_a_purge_does_not_wait_for_the_logs_readers(tmp_path: Path) -> None:
    """A replica's Litestream reads its log all the time: the purge's checkpoint waited out the
    busy timeout holding the app's writer off, and checks went unlogged (an operator's review).
    It takes what it can and returns; the rows are gone all the same."""
    log = _log(tmp_path)
    reader = sqlite3.connect(log, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM checks").fetchone()  # a snapshot held, as Litestream's
    purging = sqlite3.connect(log, isolation_level=None, timeout=120, check_same_thread=False)
    done: list[dict[str, int]] = []
    worker = threading.Thread(
        target=lambda: done.append(purge(purging, cutoff(365), None, replica=True))
    )
    try:
        worker.start()
        worker.join(60)  # readiness, not timing: waiting for the reader would take 120 s
        stuck = worker.is_alive()
    finally:
        reader.close()
        worker.join()
    timeout = purging.execute("PRAGMA busy_timeout").fetchone()
    purging.close()
    assert not stuck
    assert done[0]["checks"] == 1 and done[0]["reports"] == 0
    assert done[0]["pending"] > 0  # the reader's snapshot kept pages from the checkpoint
    assert timeout == (120_000,)  # the connection's own again


def test_reports_stay_unless_asked_and_six_months_is_the_least(tmp_path: Path) -> None:
    log = _log(tmp_path)
    db = str(tmp_path / "registry.db")
    only_checks = CliRunner().invoke(cli, ["purge-log", "--db", db, "--checks-days", "365"])
    assert only_checks.exit_code == 0 and len(_rows(log, "SELECT id FROM reports")) == 3
    too_soon = CliRunner().invoke(cli, ["purge-log", "--db", db, "--checks-days", "30"])
    assert too_soon.exit_code == 2 and "“--checks-days”的值不对" in too_soon.output
    assert len(_rows(log, "SELECT id FROM checks")) == 1


def test_no_log_yet_is_nothing_to_purge(tmp_path: Path) -> None:
    store.connect(tmp_path / "registry.db").close()  # a registry no check has used yet
    result = CliRunner().invoke(
        cli, ["purge-log", "--db", str(tmp_path / "registry.db"), "--checks-days", "365"]
    )
    assert result.exit_code == 0 and "无需删除" in result.output
    assert not verify_log_path(tmp_path / "registry.db").exists()


def test_a_registry_that_is_not_there_is_no_log_purged(tmp_path: Path) -> None:
    """A mistyped --db — or the timer's unit without CERTREG_DATA, --db /registry.db — said
    无需删除 and exited 0 every day, and the checks were never purged."""
    result = CliRunner().invoke(
        cli, ["purge-log", "--db", str(tmp_path / "registy.db"), "--checks-days", "365"]
    )
    assert result.exit_code == 2
    assert "登记库" in result.output and "不存在" in result.output


def test_on_a_replica_old_reports_go_whether_handled_or_not(tmp_path: Path) -> None:
    """A replica's reports are handled on the registry host, which collected them: on the
    replica none is ever handled, and a reporter's contact stayed there for good."""
    log = _log(tmp_path)
    (tmp_path / ".registry.db.follow").mkdir()  # a replica's registry, followed
    db = str(tmp_path / "registry.db")
    result = CliRunner().invoke(
        cli, ["purge-log", "--db", db, "--checks-days", "365", "--reports-days", "365"]
    )
    assert result.exit_code == 0 and "365 天以前的报告 2 份" in result.output
    assert _rows(log, "SELECT ref FROM reports") == [("NEW-HANDLED",)]


def test_the_shipped_daily_unit_purges_the_log(tmp_path: Path) -> None:
    """The purge was left to a timer each administrator made for themselves; the shipped unit's
    own command, with the environment file it reads, deletes what a year's keeping allows."""
    log = _log(tmp_path)
    argv = unit_command("certreg-purge-log.service", {"CERTREG_DATA": str(tmp_path)})
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _rows(log, "SELECT at FROM checks") == [(_at(1),)]
    # handled reports are kept three years: a 400-day-old one stays
    assert len(_rows(log, "SELECT ref FROM reports")) == 3
    timer = (ROOT / "deploy" / "systemd" / "certreg-purge-log.timer").read_text(encoding="utf-8")
    assert "OnCalendar=" in timer and "Asia/Shanghai" in timer
