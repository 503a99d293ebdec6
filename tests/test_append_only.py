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
from registry.store.append_only import TRIGGERS, own_inserts
from tests.registers import MIANYANG, RegisterFactory, approval_row, status_event
from tests.verify_fixtures import sync_samples


@pytest.fixture
def history(registers: RegisterFactory, db_path: Path) -> Path:
    """A registry with a correction, a manifest change, a refused register, status changes (a
    撤销, a 补发 and the 换发 of its paper) and a collection dropped by a new version in its
    history."""
    roster = [approval_row("Z1122020001", "周杰"), approval_row("Z1122020002", "吴敏")]
    registers.add("r.csv", roster, MIANYANG)
    registers.add("r2.csv", [approval_row("Z1122020003", "郑洁")], MIANYANG)
    collected = {"证书编号": "Z1122020001", "领取人": "李芳", "签名": "是", "日期": "2012-03-20"}
    other = {**collected, "证书编号": "Z1122020002"}
    registers.add("c.csv", [collected, other], {"kind": "collections", "authority": "2202"})
    changes = {"kind": "status-changes", "authority": "2202"}
    events = [
        status_event("撤销", "Z1122020001", "周杰", "2013-02-01"),
        status_event("补发", "Z1122020003", "郑洁", "2013-03-01"),
        status_event("换发", "Z1122020003", "郑洁", "2013-06-01", "Z1122020004"),
    ]
    registers.add("s.csv", events, changes)
    sync = ["sync", str(registers.folder), "--db", str(db_path)]
    assert CliRunner().invoke(cli, sync).exit_code == 0
    later = {**MIANYANG, "approval_doc": "绵人社函〔2012〕9号"}
    registers.add("r.csv", [roster[0] | {"技术业务理论": 83}, roster[1]], later)
    registers.add("c.csv", [other], {"kind": "collections", "authority": "2202"})
    registers.add("bad.csv", [approval_row("Z1122020005", "郑浩", 报考工种="驾校")], MIANYANG)
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
        "UPDATE syncs SET authority = '2201'",
        "UPDATE syncs SET problems = 0",
        "UPDATE syncs SET file_sha256 = 'forged'",
        "UPDATE syncs SET added = 0 WHERE added > 0",  # counted once, then kept
        "DELETE FROM register_history",
        "UPDATE register_history SET old = ''",
        "DELETE FROM blank_history",
        "DELETE FROM certificates WHERE number = 'Z1122020001'",
        "DELETE FROM status_events",
        # a row written over another fires no delete trigger: the 补发 mark dropped, a holder
        # replaced, an event's date rewritten, from the shell (an integrity review)
        "INSERT OR REPLACE INTO certificates SELECT * FROM certificates WHERE reissue",
        "REPLACE INTO status_events SELECT * FROM status_events WHERE type = '补发'",
        "INSERT OR REPLACE INTO certificate_history SELECT * FROM certificate_history",
        "INSERT OR REPLACE INTO syncs SELECT * FROM syncs WHERE outcome = 'rejected'",
    ],
)
def test_the_history_cannot_be_rewritten_from_the_shell(history: Path, statement: str) -> None:
    before = _everything(history)
    with sqlite3.connect(history) as conn, pytest.raises(sqlite3.IntegrityError, match="只能追加"):
        conn.execute(statement)
    assert _everything(history) == before


@pytest.mark.parametrize(
    "change",
    [
        "name_key = '周杰', name = '周杰'",
        "birth = '1971-01'",
        "sex = CASE sex WHEN '男' THEN '女' ELSE '男' END",
        "sex = NULL",
        "name = '李四'",  # the key still 吴敏's: checked as 吴敏, shown as 李*
        "number = 'Z1122020009'",  # the holder's certificate under another number
    ],
)
def test_who_holds_a_number_cannot_be_rewritten_from_the_shell(history: Path, change: str) -> None:
    """§四.(三) 不得涂改 for whoever opens the file, not only for a corrected roster: a number
    is not handed to another holder, whatever else may be corrected."""
    before = _everything(history)
    with sqlite3.connect(history) as conn, pytest.raises(sqlite3.IntegrityError, match="不得涂改"):
        conn.execute(f"UPDATE certificates SET {change} WHERE number = 'Z1122020002'")
    assert _everything(history) == before


@pytest.mark.parametrize(
    ("number", "change"),
    [
        ("Z1122020001", "status = 'valid', status_date = NULL"),  # a 撤销 undone
        ("Z1122020001", "status = 'superseded', successor = 'Z1122020002'"),
        ("Z1122020003", "status = 'valid', successor = NULL"),  # a 换发 undone
        ("Z1122020003", "successor = 'Z1122020001'"),  # its successor another certificate
        ("Z1122020003", "reissue = 0"),  # the lost original's paper passes for the valid one
        ("Z1122020004", "reissue = 0"),  # the 换发 copy of the marked paper
        ("Z1122020004", "reissue = NULL"),
        ("Z1122020004", "predecessor = NULL"),
    ],
)
def test_a_status_change_cannot_be_taken_back_from_the_shell(
    history: Path, number: str, change: str
) -> None:
    """§四.(六) for whoever opens the file: an auditor un-revoked a certificate, dropped a 补发
    mark and re-pointed a 换发 in a copy of the registry, and the public check then answered
    有效 with nothing in the history to show it."""
    before = _everything(history)
    with sqlite3.connect(history) as conn, pytest.raises(sqlite3.IntegrityError, match=TAKEN_BACK):
        conn.execute(f"UPDATE certificates SET {change} WHERE number = ?", (number,))
    assert _everything(history) == before


TAKEN_BACK = "不能撤回|只能由登记的换发、补发、撤销改变|只能由登记的补发加上"
"""Either guard's refusal: a status taken back has no event behind it either."""


@pytest.mark.parametrize(
    ("number", "change"),
    [
        ("Z1122020002", "status = 'superseded', successor = 'Z1122020004'"),  # another's number
        ("Z1122020002", "status = 'reissued'"),  # a 补发 nobody registered
        ("Z1122020002", "status = 'revoked', status_date = '2013-02-01'"),
        ("Z1122020001", "status_date = '2011-01-01'"),  # a 撤销 dated before the issue
        ("Z1122020003", "status_date = '2013-03-01'"),  # the 换发 given its 补发's date
        ("Z1122020002", "reissue = 1"),  # the holder's original passed for void (a review)
        ("Z1122020002", "reissue = 1, updated_sync = 1"),  # a sync that registered no 补发
    ],
)
def test_a_status_is_what_a_registered_event_made_it(
    history: Path, number: str, change: str
) -> None:
    """An auditor's review, from the sqlite3 shell: a valid certificate 换发 to another holder's
    number, one made 补发, a 撤销 dated before the issue — each told to every employer checking
    it, with no event behind it and nothing in the history."""
    before = _everything(history)
    with sqlite3.connect(history) as conn, pytest.raises(sqlite3.IntegrityError, match=TAKEN_BACK):
        conn.execute(f"UPDATE certificates SET {change} WHERE number = ?", (number,))
    assert _everything(history) == before


def test_a_reissue_under_its_own_number_cannot_be_taken_back_from_the_shell(
    tmp_path: Path,
) -> None:
    """李芳's certificate was reissued under its number (补发, status reissued): put back to
    valid with its mark kept, it would be answered 有效 without a word of the lost original."""
    db = tmp_path / "registry.db"
    sync_samples(db)
    with sqlite3.connect(db) as conn, pytest.raises(sqlite3.IntegrityError, match=TAKEN_BACK):
        conn.execute("UPDATE certificates SET status = 'valid' WHERE number = 'Z1122000001'")


def test_a_status_change_moves_forward_and_its_event_keeps_what_happened(history: Path) -> None:
    """A certificate's other columns may be corrected; an applied event's references may be
    corrected (a new version of its register does), not what happened to which number."""
    with sqlite3.connect(history) as conn:
        conn.execute("UPDATE certificates SET trade = '电工' WHERE number = 'Z1122020002'")
        conn.execute("UPDATE certificates SET updated_sync = 1 WHERE number = 'Z1122020004'")
        conn.execute("UPDATE status_events SET reason = '遗失' WHERE type = '补发'")
        changes = (
            "type = '换发'",
            "date = '2013-01-01'",
            "number = 'Z1122020004'",
            "name = '某人'",
        )
        for change in changes:
            with pytest.raises(sqlite3.IntegrityError, match="换发、补发、撤销记录供审计使用"):
                conn.execute(f"UPDATE status_events SET {change} WHERE type = '补发'")
        with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
            conn.execute("UPDATE status_events SET new_number = NULL WHERE type = '换发'")


@pytest.mark.parametrize(
    "given",
    [
        {"status": "'superseded'", "successor": "'Z1122020001'", "status_date": "'2013-01-01'"},
        {"status": "'revoked'"},
        {"status_date": "'2013-01-01'"},
        {"reissue": "1"},  # a 补发 copy of no paper
    ],
)
def test_a_certificate_is_registered_valid(history: Path, given: dict[str, str]) -> None:
    """Inserted from the shell as already ended, with no event behind it (a review)."""
    before = _everything(history)
    with sqlite3.connect(history) as conn, pytest.raises(sqlite3.IntegrityError, match="有效的"):
        conn.execute(
            f"INSERT INTO certificates (number, {', '.join(given)})"
            f" VALUES ('Z1122020099', {', '.join(given.values())})"
        )
    assert _everything(history) == before


def test_a_holders_name_keeps_its_dots_spelt_otherwise(history: Path) -> None:
    """A name's key may gain or lose a minority name's dot or an apostrophe (an older registry's
    keys are refolded so, `registry.store.db`), and its other columns stay correctable."""
    with sqlite3.connect(history) as conn:
        conn.execute("UPDATE certificates SET name_key = '吴·敏' WHERE number = 'Z1122020002'")
        conn.execute("UPDATE certificates SET name = '吴·敏' WHERE number = 'Z1122020002'")
        conn.execute("UPDATE certificates SET name_key = '吴’敏' WHERE number = 'Z1122020002'")
        conn.execute("UPDATE certificates SET trade = '电工' WHERE number = 'Z1122020002'")
        row = conn.execute("SELECT name_key, trade FROM certificates WHERE number = 'Z1122020002'")
        assert row.fetchone() == ("吴’敏", "电工")


def test_the_writers_own_inserts_lift_the_guard_within_its_transaction_only(
    history: Path,
) -> None:
    """The sync lifts the key guard for its plain INSERTs of certificates (a tenth of a large
    sync's time): never outside a write transaction, and back whatever happens inside one."""
    conn = sqlite3.connect(history, isolation_level=None)
    try:
        with pytest.raises(RuntimeError), own_inserts(conn, "certificates"):
            pass
        conn.execute("BEGIN IMMEDIATE")
        with pytest.raises(ZeroDivisionError), own_inserts(conn, "certificates"):
            _ = 1 / 0
        conn.execute("ROLLBACK")
        with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
            conn.execute("INSERT OR REPLACE INTO certificates SELECT * FROM certificates")
    finally:
        conn.close()


@pytest.mark.parametrize(("first", "corrected"), [("JOSÉ", "José"), ("ИВАН", "Иван")])
def test_a_names_case_may_be_corrected_in_any_script(
    registers: RegisterFactory, db_path: Path, first: str, corrected: str
) -> None:
    """The guard of the name shown folded only A–Z: a corrected roster writing JOSÉ as José —
    the same holder, by the key certreg checks — was refused, the clerk told to register a
    换发. A name in other letters may change their case; not into another name."""
    registers.add("r.csv", [approval_row("Z1122020001", first)], MIANYANG)
    sync = ["sync", str(registers.folder), "--db", str(db_path)]
    assert CliRunner().invoke(cli, sync).exit_code == 0
    registers.add("r.csv", [approval_row("Z1122020001", corrected)], MIANYANG)
    result = CliRunner().invoke(cli, sync)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT name FROM certificates").fetchone() == (corrected,)
        for other in ("Josef", "MARY", "张三"):
            with pytest.raises(sqlite3.IntegrityError, match="不得涂改"):
                conn.execute("UPDATE certificates SET name = ?", (other,))


def test_an_older_registry_gets_the_guards_on_its_next_write(history: Path) -> None:
    """A registry made before the guards: the next writer adds them, as it adds a column."""
    with sqlite3.connect(history) as conn:
        for name, _ in TRIGGERS:
            conn.execute(f"DROP TRIGGER {name}")
    store.connect(history).close()
    with sqlite3.connect(history) as conn:
        present = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        assert {name for name, _ in TRIGGERS} <= present
        with pytest.raises(sqlite3.IntegrityError, match="证书更正记录供审计使用"):
            conn.execute("DELETE FROM certificate_history")


def test_an_older_registrys_weaker_guard_is_made_anew_on_its_next_write(history: Path) -> None:
    """A trigger was added by name only: one an older certreg made, guarding fewer columns of
    the sync history (before ``authority``, ``file_sha256``), stayed, and let them be rewritten."""
    with sqlite3.connect(history) as conn:
        (sql,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'keep_syncs_values'"
        ).fetchone()
        conn.execute("DROP TRIGGER keep_syncs_values")
        conn.execute(sql.replace(", [authority], [file_sha256]", ""))
        conn.execute("UPDATE syncs SET authority = authority")  # let through, as by the older one
    store.connect(history).close()
    with sqlite3.connect(history) as conn, pytest.raises(sqlite3.IntegrityError, match="只能追加"):
        conn.execute("UPDATE syncs SET file_sha256 = 'forged'")


def test_an_older_registrys_guard_of_holders_is_made_anew_on_its_next_write(history: Path) -> None:
    """The guard of who holds a number watched the name's key, not the name shown: an older
    registry's is replaced by one that watches both, and the number."""
    with sqlite3.connect(history) as conn:
        conn.execute("DROP TRIGGER keep_certificates_holders")
        conn.execute(
            "CREATE TRIGGER keep_certificates_holders BEFORE UPDATE OF name_key, sex, birth"
            " ON certificates WHEN NEW.sex IS NOT OLD.sex BEGIN SELECT RAISE(ABORT, 'x'); END"
        )
        conn.execute("UPDATE certificates SET name = name")  # let through, as by the older one
    store.connect(history).close()
    with sqlite3.connect(history) as conn, pytest.raises(sqlite3.IntegrityError, match="不得涂改"):
        conn.execute("UPDATE certificates SET name = '李四' WHERE number = 'Z1122020002'")


def test_an_older_certreg_cannot_sync_after_a_newer_one(history: Path) -> None:
    """It records no run: its syncs loaded corrections without the history a newer certreg
    keeps of them (a requisition's old phone, a manifest's issue date), and rebuilt what the
    newer one had dropped."""
    with sqlite3.connect(history) as conn:
        attempt = (
            "INSERT INTO syncs (at, register, outcome) VALUES ('2026-12-05', 'r.csv', 'loaded')"
        )
        with pytest.raises(sqlite3.IntegrityError, match="旧版本不能再同步"):
            conn.execute(attempt)


def test_a_newer_certregs_stronger_guard_is_left_as_it_is(history: Path) -> None:
    """During an upgrade two versions write one registry: each replaced the other's guard of
    the sync history whenever its text differed, the older one taking the newer's away."""
    with sqlite3.connect(history) as conn:
        (sql,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'keep_syncs_values'"
        ).fetchone()
        conn.execute("DROP TRIGGER keep_syncs_values")
        conn.execute("ALTER TABLE syncs ADD COLUMN signed_by TEXT")  # a newer version's column
        newer = sql.replace("[file_sha256]", "[file_sha256], [signed_by]")
        conn.execute(newer)
    store.connect(history).close()
    with sqlite3.connect(history) as conn:
        kept = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'keep_syncs_values'")
        assert kept.fetchone() == (newer,)


def test_every_guarded_table_has_rows_to_guard(history: Path) -> None:
    """The fixture's history reaches every guarded table: a refusal above is of a real row."""
    with sqlite3.connect(history) as conn:
        for table in TABLES:
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0], table


TABLES = (
    "certificates",
    "certificate_history",
    "register_history",
    "blank_history",
    "problems",
    "syncs",
    "status_events",
)


def _everything(db: Path) -> list[object]:
    with sqlite3.connect(db) as conn:
        return [conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in TABLES]
