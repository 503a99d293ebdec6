"""The registry's history is appended to, never rewritten (`registry.store.append_only`): an
auditor who rewrote a correction's old value, deleted a refused sync and its problems, and a
certificate, in a copy of the registry with the sqlite3 shell, found nothing stopped him."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry import store
from registry.cli import cli
from registry.store.append_only import TRIGGERS
from tests.registers import MIANYANG, RegisterFactory, approval_row, status_event


@pytest.fixture
def history(registers: RegisterFactory, db_path: Path) -> Path:
    """A registry with a correction, a refused register and a status change in its history."""
    registers.add("r.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    changes = {"kind": "status-changes", "authority": "2202"}
    registers.add("s.csv", [status_event("撤销", "Z1122020001", "周杰", "2013-02-01")], changes)
    sync = ["sync", str(registers.folder), "--db", str(db_path)]
    assert CliRunner().invoke(cli, sync).exit_code == 0
    registers.add("r.csv", [approval_row("Z1122020001", "周杰", 技术业务理论=83)], MIANYANG)
    registers.add("bad.csv", [approval_row("Z1122020002", "吴敏", 报考工种="驾校")], MIANYANG)
    assert CliRunner().invoke(cli, sync).exit_code == 1
    return db_path


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE certificate_history SET old = '90'",
        "DELETE FROM certificate_history",
        "DELETE FROM problems",
        "UPDATE problems SET rule = ''",
        "DELETE FROM syncs WHERE outcome = 'rejected'",
        "UPDATE syncs SET outcome = 'loaded'",
        "UPDATE syncs SET operator = '某人'",
        "DELETE FROM certificates WHERE number = 'Z1122020001'",
        "DELETE FROM status_events",
    ],
)
def test_the_history_cannot_be_rewritten_from_the_shell(history: Path, statement: str) -> None:
    before = _everything(history)
    with sqlite3.connect(history) as conn, pytest.raises(sqlite3.IntegrityError, match="只能追加"):
        conn.execute(statement)
    assert _everything(history) == before


def test_an_older_registry_gets_the_guards_on_its_next_write(history: Path) -> None:
    """A registry made before the guards: the next writer adds them, as it adds a column."""
    with sqlite3.connect(history) as conn:
        for name, _ in TRIGGERS:
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DELETE FROM problems WHERE 0")  # (unguarded now)
    store.connect(history).close()
    with sqlite3.connect(history) as conn:
        present = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        assert {name for name, _ in TRIGGERS} <= present
        with pytest.raises(sqlite3.IntegrityError, match="证书更正记录供审计使用"):
            conn.execute("DELETE FROM certificate_history")


def _everything(db: Path) -> list[object]:
    tables = ("certificates", "certificate_history", "problems", "syncs", "status_events")
    with sqlite3.connect(db) as conn:
        return [conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in tables]
