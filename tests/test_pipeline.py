"""The sync's pipeline (`registry.sync.pipeline`): registers read and checked ahead in worker processes
load exactly as they do in one process — same outcomes, same problems, same registry — and what
only the registry can show (a number already given to another register) is still found."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry import store
from registry.cli import cli
from registry.kinds import LAYOUTS
from registry.kinds.base import RegisterEntry
from registry.sheets.writers import write_csv
from registry.sync.catalogue import load_catalogue
from registry.sync.manifest import load_manifest
from registry.sync.outcome import Outcome
from registry.sync.pipeline import cycles_uncollected
from registry.sync.run import sync_entries
from tests.registers import MIANYANG, PROVINCE, RegisterFactory, approval_row
from tests.verify_fixtures import SAMPLES


def sync(folder: Path, db: Path, workers: int) -> dict[str, Outcome]:
    manifest = load_manifest(folder)
    conn = store.connect(db)
    try:
        outcomes = sync_entries(
            conn, manifest.entries, load_catalogue(manifest.trades), workers=workers
        )
    finally:
        conn.close()
    return {o.entry.key: o for o in outcomes}


def summary(outcomes: dict[str, Outcome]) -> list[tuple[object, ...]]:
    return [
        (key, o.outcome, o.rows, o.added, o.changed, o.problems, o.conflicts)
        for key, o in outcomes.items()
    ]


def certificates(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT * FROM certificates ORDER BY number").fetchall()
    finally:
        conn.close()


def test_samples_load_the_same_with_workers(tmp_path: Path) -> None:
    alone = sync(SAMPLES, tmp_path / "alone.db", workers=0)
    ahead = sync(SAMPLES, tmp_path / "ahead.db", workers=2)
    assert summary(ahead) == summary(alone)
    assert {o.outcome for o in ahead.values()} == {"loaded"}
    assert certificates(tmp_path / "ahead.db") == certificates(tmp_path / "alone.db")


def test_registry_checks_still_see_registers_loaded_earlier_in_the_run(tmp_path: Path) -> None:
    registers = RegisterFactory(tmp_path / "in")
    registers.add("first.csv", [approval_row("Z1122000001", "王五")], PROVINCE)
    registers.add("again.csv", [approval_row("Z1122000001", "赵六")], {**PROVINCE, "unit": "乙"})
    registers.add("broken.xlsx", [], MIANYANG)
    (registers.folder / "broken.xlsx").write_bytes(b"not a spreadsheet")
    registers.add("mianyang.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)

    alone = sync(registers.folder, tmp_path / "alone.db", workers=0)
    ahead = sync(registers.folder, tmp_path / "ahead.db", workers=2)

    assert summary(ahead) == summary(alone)
    assert ahead["first.csv"].outcome == ahead["mianyang.csv"].outcome == "loaded"
    assert ahead["again.csv"].outcome == "rejected"
    assert "已由名册“first.csv”登记" in ahead["again.csv"].problems[0].rule
    assert ahead["broken.xlsx"].outcome == "rejected"
    assert "无法作为电子表格读取" in ahead["broken.xlsx"].problems[0].rule
    assert certificates(tmp_path / "ahead.db") == certificates(tmp_path / "alone.db")


def test_certreg_sync_with_workers_loads_what_one_process_loads(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["sync", str(SAMPLES), "--db", str(tmp_path / "ahead.db"), "--workers", "2"]
    )
    assert result.exit_code == 0, result.output
    sync(SAMPLES, tmp_path / "alone.db", workers=0)
    assert certificates(tmp_path / "ahead.db") == certificates(tmp_path / "alone.db")


def test_a_negative_worker_count_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["sync", str(SAMPLES), "--db", str(tmp_path / "r.db"), "--workers", "-1"]
    )
    assert result.exit_code == 2
    assert "--workers" in result.output
    assert not (tmp_path / "r.db").exists()


def test_a_killed_worker_does_not_stop_the_sync(tmp_path: Path) -> None:
    def kill_workers(index: int, total: int, entry: RegisterEntry) -> None:
        if index == 2:
            for worker in multiprocessing.active_children():
                os.kill(worker.pid or 0, signal.SIGKILL)

    manifest = load_manifest(SAMPLES)
    conn = store.connect(tmp_path / "ahead.db")
    try:
        outcomes = sync_entries(
            conn,
            manifest.entries,
            load_catalogue(manifest.trades),
            workers=1,
            progress=kill_workers,
        )
    finally:
        conn.close()
    alone = sync(SAMPLES, tmp_path / "alone.db", workers=0)
    assert summary({o.entry.key: o for o in outcomes}) == summary(alone)
    assert certificates(tmp_path / "ahead.db") == certificates(tmp_path / "alone.db")


def test_the_version_read_is_the_version_recorded(tmp_path: Path) -> None:
    """A file saved again after the sync started is loaded as it was read, under its own
    fingerprint, so putting the earlier version back is a change the next sync loads."""
    registers = RegisterFactory(tmp_path / "in")
    registers.add("a.csv", [approval_row("Z1122000001", "王五")], PROVINCE)
    second = registers.add("b.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    first_version = second.read_bytes()
    corrected = [approval_row("Z1122020001", "周杰", 执行工资等级起始时间="2009.10")]
    write_csv(second, LAYOUTS["approval-roster"], corrected, title="名册")

    def save_again(index: int, total: int, entry: RegisterEntry) -> None:
        if index == 1:  # after the sync took every file's fingerprint
            second.write_bytes(first_version)

    manifest = load_manifest(registers.folder)
    conn = store.connect(tmp_path / "r.db")
    try:
        catalogue = load_catalogue(manifest.trades)
        sync_entries(conn, manifest.entries, catalogue, workers=0, progress=save_again)
        assert wage_grade_since(conn, "Z1122020001") == "2008-10"
        write_csv(second, LAYOUTS["approval-roster"], corrected, title="名册")
        [_, again] = sync_entries(conn, manifest.entries, catalogue, workers=0)
        assert again.outcome == "updated"
        assert wage_grade_since(conn, "Z1122020001") == "2009-10"
    finally:
        conn.close()


def wage_grade_since(conn: sqlite3.Connection, number: str) -> str:
    row = conn.execute("SELECT wage_grade_since FROM certificates WHERE number = ?", (number,))
    return str(row.fetchone()[0])


def test_the_cycle_collector_is_paused_for_a_register_and_back_after_it() -> None:
    assert gc.isenabled()
    with cycles_uncollected():
        assert not gc.isenabled()
        with cycles_uncollected():  # a register checked in the process that writes it
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), cycles_uncollected():
        raise ValueError("a register that cannot be read")
    assert gc.isenabled()
