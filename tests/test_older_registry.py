"""A registry an older certreg made, and a file that is no registry: the readers (the public app,
``certreg verify``) say so instead of failing every check with a 500, and ``certreg serve``
upgrades an older registry it may write, as the sync would."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from click.testing import CliRunner
from starlette.datastructures import Secret
from starlette.testclient import TestClient

from registry import store
from registry.cli import cli, options
from registry.cli.options import told_if_slow
from registry.domain.names import name_key
from registry.public.follower import follow_state
from registry.store.migrations import LATEST
from tests.registers import MIANYANG, RegisterFactory, approval_row, status_event
from tests.verify_fixtures import SECRET, registry_db, running_server
from verify_app.app import create_app
from verify_app.settings import Settings

__all__ = ["registry_db"]

CHECK = {"number": "Z1122000001", "name": "李芳"}


def older(registry: Path, to: Path) -> Path:
    """A copy of ``registry`` as a certreg before the 补发 mark kept it: no ``reissue`` column."""
    to.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(registry) as source, sqlite3.connect(to) as copy:
        source.backup(copy)
        for guard in ("statuses", "marks", "born"):  # they guard the mark
            copy.execute(f"DROP TRIGGER keep_certificates_{guard}")
        copy.execute("ALTER TABLE certificates DROP COLUMN reissue")
        copy.execute("PRAGMA journal_mode = DELETE")  # as `certreg follow` publishes a version
    return to


def verify(db: Path) -> tuple[int, str]:
    return verify_name(db, CHECK["number"], CHECK["name"])


def verify_name(db: Path, number: str, name: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["verify", number, name, "--db", str(db)])
    return result.exit_code, result.output


def test_readers_name_an_older_registry_and_a_file_that_is_none(
    registry_db: Path, tmp_path: Path
) -> None:
    old = older(registry_db, tmp_path / "old" / "registry.db")
    code, output = verify(old)
    assert code == 2 and "由较早版本的 certreg 建立，缺少 certificates.reissue" in output
    assert "运行一次 certreg sync" in output and "Traceback" not in output
    log = tmp_path / "log" / "registry.db"  # the verification log, mistaken for the registry
    log.parent.mkdir()
    with sqlite3.connect(log) as conn:
        conn.execute("CREATE TABLE checks (id INTEGER PRIMARY KEY)")
    code, output = verify(log)
    assert code == 2 and "不是 certreg 登记库" in output
    result = CliRunner().invoke(
        cli, ["serve", "--db", str(log)], env={"CERTREG_SECRET": SECRET, "CERTREG_DB": ""}
    )
    assert result.exit_code == 1 and "不是 certreg 登记库" in result.output


def test_a_table_only_staff_read_does_not_stop_the_checks(
    registry_db: Path, tmp_path: Path
) -> None:
    """A registry without a newer staff table (the stock summaries) still answers checks: only
    what a check reads must be there."""
    copy = tmp_path / "staff" / "registry.db"
    copy.parent.mkdir()
    with sqlite3.connect(registry_db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
        target.execute("DROP VIEW stock")
        target.execute("DROP TABLE stock_parts")
        target.execute("ALTER TABLE dispatches DROP COLUMN handled_by")
        # a column of the sync history a check never reads (a registry host not upgraded yet)
        target.execute("DROP TRIGGER keep_syncs_values")
        target.execute("ALTER TABLE syncs DROP COLUMN file_sha256")
        # the 换发、补发、撤销's name key, which staff's filter reads (a review: every check of a
        # registry of the certreg before it was refused)
        target.execute("ALTER TABLE status_events DROP COLUMN name_key")
    assert verify(copy)[0] == 0


def test_serve_upgrades_an_older_registry_it_may_write(registry_db: Path, tmp_path: Path) -> None:
    """After an upgrade of certreg on a single host: the service starts and answers."""
    old = older(registry_db, tmp_path / "upgrading" / "registry.db")
    with running_server(old) as base:
        answer = httpx.post(f"{base}/api/v1/verify", json=CHECK)
        assert answer.status_code == 200 and answer.json()["result"] == "reissued"
    assert verify(old)[0] == 0


def test_serve_leaves_a_replicas_older_copy_to_its_follower(
    registry_db: Path, tmp_path: Path
) -> None:
    """A replica upgraded before the registry host: serve upgraded the follower's copy in
    place — switched to WAL, its -wal left beside a file only ever replaced (an operator's
    review). It serves unchanged, its checks 503 until the follower publishes an upgraded one."""
    old = older(registry_db, tmp_path / "replica" / "registry.db")
    follow_state(old).write_text("{}")  # `certreg follow` keeps its registry here
    before = old.read_bytes()
    with running_server(old, ready=503) as base:
        answer = httpx.post(f"{base}/api/v1/verify", json=CHECK)
        health = httpx.get(f"{base}/healthz")
    assert answer.status_code == 503 and answer.json()["error"] == "registry_unavailable"
    assert "较早版本" in health.json()["message"]
    assert old.read_bytes() == before
    assert not list(old.parent.glob("registry.db-*"))  # no -wal, no -shm
    said = next(old.parent.glob("serve-*.log")).read_text()
    assert "certreg follow 维护的副本" in said and "请先升级登记库主机" in said


def test_a_running_app_answers_503_for_an_older_registry_it_is_handed(
    registry_db: Path, tmp_path: Path
) -> None:
    """A replica upgraded before the registry host receives the host's older registry (a new
    file, renamed into place): every check is a 503 that says to retry and /healthz tells
    monitoring, until an upgraded registry arrives — not a 500 per check."""
    settings = Settings(db=registry_db, secret=Secret(SECRET), rate_limit=0)
    with TestClient(create_app(settings)) as client:
        assert client.post("/api/v1/verify", json=CHECK).json()["result"] == "reissued"
        os.replace(older(registry_db, tmp_path / "incoming.db"), registry_db)
        answer = client.post("/api/v1/verify", json=CHECK)
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "60"
        assert answer.json()["error"] == "registry_unavailable"
        health = client.get("/healthz")
        assert health.status_code == 503 and "较早版本" in health.json()["message"]
        assert health.headers["Retry-After"] == "60"  # as the checks' 503 says
        upgraded = Path(shutil.copy(registry_db, tmp_path / "upgraded.db"))
        store.connect(upgraded).close()  # what the registry host's next sync does
        with sqlite3.connect(upgraded) as conn:
            conn.execute("PRAGMA journal_mode = DELETE")
        os.replace(upgraded, registry_db)
        assert client.post("/api/v1/verify", json=CHECK).json()["result"] == "reissued"
        assert client.get("/healthz").status_code == 200


def _connect(path: str) -> None:
    store.connect(Path(path)).close()


def test_writers_starting_together_on_a_new_registry_all_open_it(tmp_path: Path) -> None:
    """Two syncs started at once on a registry not made yet both found no table; the second
    failed on "table already exists" (and was told to check the folder's permissions)."""
    context = multiprocessing.get_context("spawn")
    for round_ in range(4):
        path = tmp_path / f"registry-{round_}.db"
        with context.Pool(6) as pool:
            pool.map(_connect, [str(path)] * 6)  # raises what a worker raised
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT count(*) FROM certificates").fetchone() == (0,)


def test_a_writer_waits_for_another_writer_before_switching_to_wal(tmp_path: Path) -> None:
    """Switching a new file to WAL while another sync is writing it: SQLite answered "database is
    locked" at once, without waiting (a CI run of the test above hit it one round in a hundred)."""
    path = tmp_path / "registry.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE certificates (number TEXT PRIMARY KEY)")  # a sync's first table
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO certificates VALUES ('Z1122020001')")
    finish = threading.Timer(0.3, other.execute, ["COMMIT"])
    finish.start()
    try:
        store.connect(path).close()
    finally:
        finish.join()
        other.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_an_older_registry_gets_the_index_it_lacks(registry_db: Path, tmp_path: Path) -> None:
    """Every table and column there, an index missing: the writer still adds it."""
    copy = tmp_path / "older.db"
    shutil.copy(registry_db, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("DROP INDEX idx_status_events_new_number")
    store.connect(copy).close()
    with sqlite3.connect(copy) as conn:
        names = {row[1] for row in conn.execute("PRAGMA index_list(status_events)")}
    assert "idx_status_events_new_number" in names


def test_an_older_registrys_facet_indexes_are_extended_by_the_status(
    registry_db: Path, tmp_path: Path
) -> None:
    """An older certreg indexed each facet column alone; the first write connection indexes it
    with the status (the staff's pages of one status) and drops the index it extends, which
    would only slow every sync. The holder index of dotted names is added likewise."""
    old = tmp_path / "old.db"
    with sqlite3.connect(registry_db) as source, sqlite3.connect(old) as copy:
        source.backup(copy)
        copy.execute("DROP INDEX certificates_dotted_holders")
        for column in ("level", "region", "trade", "year_code", "authority"):
            copy.execute(f"DROP INDEX idx_certificates_{column}_status")
            copy.execute(f"CREATE INDEX idx_certificates_{column} ON certificates ({column})")
    store.connect(old).close()
    with sqlite3.connect(old) as conn:
        names = {
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
    assert {"idx_certificates_trade_status", "idx_certificates_status"} <= names
    assert "certificates_dotted_holders" in names and "idx_certificates_trade" not in names


def test_an_older_registrys_reissued_papers_get_their_mark(tmp_path: Path) -> None:
    """A certreg before 2026-11-30 marked 补发 only a copy under a new number. Upgraded, its
    registry kept a paper reissued under its own number — and the 换发 later made of it —
    unmarked: their answers said nothing of the 补发 the paper carries, and a confirmation of
    the mark called the genuine paper a mismatch. The first write connection marks them, as a
    registry the same registers built afresh has them, with the history saying so."""
    registers = RegisterFactory(tmp_path / "registers")
    rows = [approval_row(f"Z11220209{i:02d}", name) for i, name in ((1, "李四"), (2, "王五"))]
    registers.add("roster.csv", rows, MIANYANG)
    changes = {"kind": "status-changes", "authority": "2202"}
    registers.add(
        "events.csv",
        [
            status_event("补发", "Z1122020901", "李四", "2012-09-10"),
            status_event("换发", "Z1122020901", "李四", "2012-10-01", "Z1122020903"),
            status_event("补发", "Z1122020902", "王五", "2012-10-08", "Z1122020904"),
        ],
        changes,
    )
    fresh, upgraded = tmp_path / "fresh.db", tmp_path / "upgraded.db"
    for db in (fresh, upgraded):
        result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)])
        assert result.exit_code == 0, result.output
    marks = "SELECT number, reissue FROM certificates ORDER BY number"
    with sqlite3.connect(upgraded) as conn:  # as the older certreg left it
        expected = conn.execute(marks).fetchall()
        conn.execute("DROP TRIGGER keep_certificates_statuses")  # it guards the mark
        conn.execute("UPDATE certificates SET reissue = 0 WHERE number <> 'Z1122020904'")
        conn.execute("PRAGMA user_version = 3")
    assert dict(expected) == {
        "Z1122020901": 1,
        "Z1122020902": 0,
        "Z1122020903": 1,
        "Z1122020904": 1,
    }
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(upgraded)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(upgraded) as conn, sqlite3.connect(fresh) as built:
        assert conn.execute(marks).fetchall() == built.execute(marks).fetchall() == expected
        history = conn.execute(
            "SELECT number FROM certificate_history WHERE field = 'reissue' ORDER BY number"
        ).fetchall()
    assert ("Z1122020901",) in history and ("Z1122020903",) in history
    answer = CliRunner().invoke(
        cli, ["verify", "Z1122020903", "李四", "--db", str(upgraded), "--json"]
    )
    assert '"reissue": true' in answer.output


def test_a_paper_marked_on_upgrade_after_a_later_sync_changed_it(tmp_path: Path) -> None:
    """A paper reissued under its number, its roster corrected since (the certificate's last
    change another sync's): the upgrade's mark met the guard asking that sync for a 补发 — every
    write to the older registry was refused (a review of the day's diff)."""
    registers = RegisterFactory(tmp_path / "registers")
    registers.add("roster.csv", [approval_row("Z1122020901", "李四")], MIANYANG)
    registers.add(
        "events.csv",
        [status_event("补发", "Z1122020901", "李四", "2012-09-10")],
        {"kind": "status-changes", "authority": "2202"},
    )
    db = tmp_path / "registry.db"
    sync = ["sync", str(registers.folder), "--db", str(db)]
    assert CliRunner().invoke(cli, sync).exit_code == 0
    registers.add("roster.csv", [approval_row("Z1122020901", "李四", 报考工种="钳工")], MIANYANG)
    assert CliRunner().invoke(cli, sync).exit_code == 0
    with sqlite3.connect(db) as conn:  # as the older certreg left it
        conn.execute("DROP TRIGGER keep_certificates_statuses")
        conn.execute("UPDATE certificates SET reissue = 0")
        conn.execute("PRAGMA user_version = 3")
    result = CliRunner().invoke(cli, sync)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT reissue FROM certificates").fetchall() == [(1,)]


def keyed_before(tmp_path: Path, name: str, version: int, key: str = "name") -> Path:
    """A registry of one holder ``name`` whose key an older certreg (``version``) made ``key``
    (SQL: ``name`` — the name as written — or a quoted key), past the guard on holders' keys."""
    registers = RegisterFactory(tmp_path / "registers")
    registers.add("first.csv", [approval_row("Z1122020901", name)], MIANYANG)
    db = tmp_path / "registry.db"
    assert CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)]).exit_code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER keep_certificates_holders")  # it guards the key
        conn.execute(f"UPDATE certificates SET name_key = {key}")
        conn.execute(f"PRAGMA user_version = {version}")
    return db


def test_an_older_registrys_traditional_names_are_keyed_in_simplified_characters(
    tmp_path: Path,
) -> None:
    """An older certreg keyed 龍小雲 as written: a roster with 龙小云 gave the same person a
    second certificate (§二). The first write connection keys it 龙小云, the name as written."""
    registers = RegisterFactory(tmp_path / "registers")
    registers.add("first.csv", [approval_row("Z1122020901", "龍小雲")], MIANYANG)
    db = tmp_path / "registry.db"
    assert CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)]).exit_code == 0
    with sqlite3.connect(db) as conn:  # as the older certreg keyed it
        conn.execute("DROP TRIGGER keep_certificates_holders")  # it guards the key
        conn.execute("UPDATE certificates SET name_key = '龍小雲'")
        # a number `certreg number` handed out to the same holder, keyed so too
        conn.execute(
            "INSERT INTO numbered_holders (number, name_key, file, copy)"
            " VALUES ('Z1122020903', '龍小雲', 'next.xlsx', 'next-已编号.xlsx')"
        )
        conn.execute("PRAGMA user_version = 4")
    registers.add("again.csv", [approval_row("Z1122020902", "龙小云")], MIANYANG)
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)])
    assert result.exit_code == 1 and "§二" in result.output, result.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name, name_key FROM certificates").fetchall() == [
            ("龍小雲", "龙小云")
        ]
        assert conn.execute("SELECT name_key FROM numbered_holders").fetchall() == [("龙小云",)]
        triggers = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    assert "keep_certificates_holders" in triggers
    for typed in ("龍小雲", "龙小云"):
        answer = CliRunner().invoke(cli, ["verify", "Z1122020901", typed, "--db", str(db)])
        assert answer.exit_code == 0, answer.output


def test_an_older_registrys_keys_are_refolded_whatever_they_hold(tmp_path: Path) -> None:
    """A registry keyed before dots were refolded (user_version 2) holding a dotted name in
    traditional characters: the dots' refold wrote the key folded to simplified characters
    under the holder guard, which refused it — every write connection failed for good."""
    registers = RegisterFactory(tmp_path / "registers")
    registers.add("first.csv", [approval_row("Z1122020901", "買買提.艾力")], MIANYANG)
    db = tmp_path / "registry.db"
    assert CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)]).exit_code == 0
    with sqlite3.connect(db) as conn:  # as a certreg before the refolds keyed it
        conn.execute("DROP TRIGGER keep_certificates_holders")
        conn.execute("UPDATE certificates SET name = '買買提.艾力', name_key = '買買提.艾力'")
        conn.execute("PRAGMA user_version = 2")
    store.connect(db).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name, name_key FROM certificates").fetchall() == [
            ("買買提.艾力", "买买提·艾力")
        ]
        names = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert "keep_certificates_holders" in names


def test_a_replica_of_a_registry_not_yet_refolded_finds_its_holders(tmp_path: Path) -> None:
    """Readers never write: a replica, or serve on the host before its first sync, reads the
    keys an older certreg made — 張偉 as written — and answered 未查到 to 張偉 typed exactly."""
    db = keyed_before(tmp_path, "張偉", 4)  # as the older certreg keyed it, not refolded yet
    for typed in ("張偉", "张伟"):
        assert verify_name(db, "Z1122020901", typed)[0] == 0, typed
    with sqlite3.connect(db) as conn:  # the checks wrote nothing
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4


def test_keys_a_first_fold_made_are_made_again_from_the_names(tmp_path: Path) -> None:
    """The first fold read 甯 as 宁 (another surname): a registry it keyed (user_version 5)
    answered 未查到 to 甯伟 typed as registered. Keys are made again from the names."""
    db = keyed_before(tmp_path, "甯伟", 5, "'宁伟'")  # as the first fold keyed it
    store.connect(db).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name_key FROM certificates").fetchall() == [("甯伟",)]
    assert verify_name(db, "Z1122020901", "甯伟")[0] == 0


def test_a_surname_written_two_ways_is_keyed_one_way_in_an_older_registry(tmp_path: Path) -> None:
    """A registry keyed before 锺 was read as 钟 (user_version 6) answered 未查到 to 钟伟 — the
    surname 鍾 as most clerks write it — for a paper reading 锺伟, and took 钟伟 for another
    person under §二. Its keys are made again from the names."""
    db = keyed_before(tmp_path, "锺伟", 6)  # as the fold of 2026-12-05 keyed it
    store.connect(db).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name, name_key FROM certificates").fetchall() == [
            ("锺伟", "钟伟")
        ]
    for typed in ("锺伟", "钟伟", "鍾偉"):
        assert verify_name(db, "Z1122020901", typed)[0] == 0, typed


def test_an_older_registrys_events_are_keyed_for_staffs_filter(tmp_path: Path) -> None:
    """Staff's 换发、补发、撤销 table filters a name by its key (张伟 finds 張偉): events an older
    certreg registered had none; the first write connection keys them (user_version 8)."""
    db = tmp_path / "registry.db"
    samples = Path(__file__).resolve().parent.parent / "data" / "samples"
    assert CliRunner().invoke(cli, ["sync", str(samples), "--db", str(db)]).exit_code == 0
    with sqlite3.connect(db) as conn:  # as a certreg before the key column wrote the table
        conn.execute("ALTER TABLE status_events DROP COLUMN name_key")
        conn.execute("PRAGMA user_version = 7")
        names = [name for (name,) in conn.execute("SELECT name FROM status_events ORDER BY id")]
    store.connect(db).close()
    with sqlite3.connect(db) as conn:
        keyed = conn.execute("SELECT name_key FROM status_events ORDER BY id").fetchall()
    assert names and keyed == [(name_key(name),) for name in names]


def test_a_wage_grade_month_is_stored_as_one_month_and_an_older_registrys_is_monthed(
    registers: RegisterFactory, db_path: Path
) -> None:
    """One roster wrote 执行工资等级起始时间 as 2008.10, 200810, 2008年10月 and in a date cell:
    stored as written, staff's facet showed one month four ways (a clerk's review). A registry
    an older certreg wrote so is monthed once (user_version 9): its roster's next version,
    saved again unchanged, changes nothing."""
    written = ["2008.10", "200810", "2008年10月", "2008-10"]
    rows = [
        approval_row(f"Z11220200{i + 1:02d}", name, 执行工资等级起始时间=since)
        for i, (name, since) in enumerate(
            zip(["周杰", "郑浩", "吴敏", "何静"], written, strict=True)
        )
    ]
    registers.add("mianyang.csv", rows, MIANYANG)
    assert (
        CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db_path)]).exit_code
        == 0
    )
    with sqlite3.connect(db_path) as conn:
        stored = [since for (since,) in conn.execute("SELECT wage_grade_since FROM certificates")]
        assert stored == ["2008-10"] * 4
        for (rowid,), since in zip(
            conn.execute("SELECT rowid FROM certificates").fetchall(), written, strict=True
        ):
            conn.execute(
                "UPDATE certificates SET wage_grade_since = ? WHERE rowid = ?", (since, rowid)
            )
        conn.execute("PRAGMA user_version = 8")  # as an older certreg stored them
    registers.add("mianyang.csv", rows, MIANYANG, title="名册（重新保存）")
    result = CliRunner().invoke(
        cli, ["sync", str(registers.folder), "--db", str(db_path), "--json"]
    )
    [register] = json.loads(result.stdout)["registers"]
    assert register["changes"] == [] and register["changed"] == 0
    with sqlite3.connect(db_path) as conn:
        assert {
            since for (since,) in conn.execute("SELECT wage_grade_since FROM certificates")
        } == {"2008-10"}


def test_a_slow_open_says_why_it_waits_and_a_quick_one_says_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The first sync, browse or key listing on a million-row registry of an older certreg
    upgraded it in silence for 10–30 s (an operator's review)."""
    with told_if_slow(after=0.05):
        time.sleep(0.5)
    assert "正在打开登记库" in capsys.readouterr().err
    with told_if_slow(after=5):
        pass
    time.sleep(0.1)
    assert capsys.readouterr().err == ""


def test_opening_the_registry_to_write_says_so_when_it_is_slow(
    registry_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    connect = store.connect

    def slowly(path: Path) -> sqlite3.Connection:  # an upgrade's half minute, shortened
        time.sleep(0.5)
        return connect(path)

    monkeypatch.setattr(store, "connect", slowly)
    monkeypatch.setattr(options, "SLOW_SECONDS", 0.05)
    options.open_registry(registry_db).close()
    assert "正在打开登记库" in capsys.readouterr().err


def test_an_app_on_an_older_registry_no_follower_keeps_still_fails_at_start(
    registry_db: Path, tmp_path: Path
) -> None:
    """Only a replica's copy is left to its follower: the app run by hand on an older registry
    of the registry host stops at start, saying what to run, not answering 503 for ever."""
    old = older(registry_db, tmp_path / "host" / "registry.db")
    settings = Settings(db=old, secret=Secret(SECRET), rate_limit=0)
    with pytest.raises(store.RegistryMismatch, match="较早版本"), TestClient(create_app(settings)):
        pass


def test_every_command_opening_the_registry_to_write_says_when_it_is_slow() -> None:
    """Each command's write connection goes through `open_registry` (which says so)."""
    commands = Path(__file__).resolve().parent.parent / "registry" / "cli"
    direct = [
        path.name
        for path in commands.glob("*.py")
        if re.search(r"store\.connect\((?![^)]*readonly=True)", path.read_text(encoding="utf-8"))
        and path.name != "options.py"
    ]
    assert direct == []
