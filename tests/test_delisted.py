"""A loaded register its folder's registers.toml no longer lists (`registry.sync.delisted`): its
certificates stay, the sync says so every time, and the history records the list's change once."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from registry.cli import cli
from tests.registers import MIANYANG, RegisterFactory, approval_row


def sync(folder: Path, db: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["sync", str(folder), "--db", str(db), *options])
    return result.exit_code, result.output


def history(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT register, outcome FROM syncs ORDER BY id").fetchall()


def delisted_since(db: Path, key: str) -> str | None:
    with sqlite3.connect(db) as conn:
        (since,) = conn.execute("SELECT delisted FROM registers WHERE key = ?", (key,)).fetchone()
    return str(since) if since else None


def two_registers(registers: RegisterFactory) -> None:
    registers.add("mianyang.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    registers.add("deyang.csv", [approval_row("Z1122020002", "郑浩")], MIANYANG)


NOTE = "此前按本文件夹的清单导入的 1 个名册已不在 registers.toml 中：deyang.csv［审批名册（附件4），1 行］"


def test_a_register_left_out_of_the_list_is_told_and_recorded_once(
    registers: RegisterFactory, db_path: Path
) -> None:
    """The clerk who deleted a [[register]] is told its certificates stay and how to put it
    back — not that its file, still in the folder, was never loaded; the history records the
    day the list dropped it, once however many nightly syncs follow, and the day it came back."""
    two_registers(registers)
    assert sync(registers.folder, db_path)[0] == 0
    del registers.entries["deyang.csv"]
    registers.write_manifest()
    code, output = sync(registers.folder, db_path)
    assert code == 0 and NOTE in output and "查验照常" in output
    assert "没有列入 registers.toml，未导入" not in output  # the file is there, loaded before
    since = delisted_since(db_path, "deyang.csv")
    assert since is not None
    assert sync(registers.folder, db_path)[1].count(NOTE) == 1  # told again, recorded once
    assert history(db_path)[2:] == [("deyang.csv", "delisted")]
    assert delisted_since(db_path, "deyang.csv") == since
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT name FROM certificates WHERE number = 'Z1122020002'").fetchone()
    registers.entries["deyang.csv"] = MIANYANG
    registers.write_manifest()
    code, output = sync(registers.folder, db_path)
    assert code == 0 and "不在 registers.toml 中" not in output
    assert history(db_path)[2:] == [("deyang.csv", "delisted"), ("deyang.csv", "relisted")]
    assert delisted_since(db_path, "deyang.csv") is None


def test_the_json_report_and_a_dry_run(registers: RegisterFactory, db_path: Path) -> None:
    """A program reads the registers left out (with --brief, how many: a file name may hold a
    holder's name); a dry run tells them and records nothing."""
    two_registers(registers)
    sync(registers.folder, db_path)
    del registers.entries["deyang.csv"]
    registers.write_manifest()
    code, output = sync(registers.folder, db_path, "--dry-run")
    assert code == 0 and NOTE in output
    assert len(history(db_path)) == 2 and delisted_since(db_path, "deyang.csv") is None
    assert json.loads(sync(registers.folder, db_path, "--json")[1])["delisted"] == ["deyang.csv"]
    assert json.loads(sync(registers.folder, db_path, "--json", "--brief")[1])["delisted"] == 1


def test_another_folders_registers_are_not_left_out(
    registers: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """Several folders feed one registry (a city's, the province's): a register another folder
    lists, or one loaded as a single file, is missing from no list. A register moved to
    another folder's list is that folder's from its first sync there."""
    registers.add("mianyang.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    other = RegisterFactory(tmp_path / "other")
    other.add("deyang.csv", [approval_row("Z1122020002", "郑浩")], MIANYANG)
    other.add("leshan.csv", [approval_row("Z1122020004", "何静")], MIANYANG)
    single = other.add("guangyuan.csv", [approval_row("Z1122020003", "吴敏")], MIANYANG)
    del other.entries["guangyuan.csv"]
    other.write_manifest()
    options = ["--kind", "approval-roster", "--authority", "2202"]
    options += ["--approval-doc", str(MIANYANG["approval_doc"])]
    options += ["--issued-on", str(MIANYANG["issued_on"]), "--year-code", "11"]
    assert sync(registers.folder, db_path)[0] == 0
    assert sync(other.folder, db_path)[0] == 0
    assert sync(single, db_path, *options)[0] == 0
    for folder in (registers.folder, other.folder, registers.folder):
        code, output = sync(folder, db_path)
        assert code == 0 and "不在 registers.toml 中" not in output
    del other.entries["deyang.csv"]
    other.write_manifest()
    registers.entries["deyang.csv"] = MIANYANG  # moved, file and entry
    (other.folder / "deyang.csv").rename(registers.folder / "deyang.csv")
    registers.write_manifest()
    assert sync(registers.folder, db_path)[0] == 0
    assert "不在 registers.toml 中" not in sync(other.folder, db_path)[1]
    assert [outcome for _, outcome in history(db_path)] == ["loaded"] * 4


def test_a_register_loaded_before_folders_were_known_and_left_out_is_named(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A register an older certreg loaded (no folder recorded), taken out of the list before
    any sync of this version: it was called never loaded, its file named as unlisted (a
    review); it is this folder's, left out."""
    two_registers(registers)
    assert sync(registers.folder, db_path)[0] == 0
    with sqlite3.connect(db_path) as conn:  # as an older certreg left it
        conn.execute("UPDATE registers SET folder = NULL")
    del registers.entries["deyang.csv"]
    registers.write_manifest()
    code, output = sync(registers.folder, db_path)
    assert code == 0 and NOTE in output and "没有列入 registers.toml，未导入" not in output
    assert history(db_path)[2:] == [("deyang.csv", "delisted")]
