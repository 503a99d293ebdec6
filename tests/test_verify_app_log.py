"""The verification log (GUIDE schema): every channel logged, keyed name hash, never a name,
and a busy log never slows or breaks a check."""

from __future__ import annotations

import hashlib
import hmac
import logging
import multiprocessing
import re
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.datastructures import Secret

from datasette_config.launch import ensure_verify_log
from datasette_config.plugins.certreg_sql import FUNCTIONS as SQL_FUNCTIONS
from registry.domain.names import name_key
from registry.store.db import now
from registry.store.staff_indexes import STAFF_INDEXES
from registry.store.transactions import transaction
from registry.store.verify_log import ensure_log_schema
from tests.datasette_fixtures import shipped_metadata
from tests.verify_fixtures import (
    CASES,
    SECRET,
    VALID,
    AppClient,
    app_client,
    checks_indexes,
    clock,
    context_of,
    csrf_token,
    distinct_items,
    post_check,
    private_values,
    read_log,
    record_revocation,
    registry_db,
)
from verify_app.answers import screened_number
from verify_app.app import create_app
from verify_app.checklog import BATCH_SIZE, CheckLog
from verify_app.log_rows import make_check
from verify_app.settings import Settings

__all__ = ["app_client", "clock", "registry_db"]


def test_log_schema_matches_the_contract(app_client: AppClient, registry_db: Path) -> None:
    with app_client():
        pass
    log = registry_db.parent / "verify_log.db"
    conn = sqlite3.connect(log)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(checks)")]
    conn.close()
    assert columns == [
        *("id", "at", "client", "number", "result", "name_hash", "channel", "key_id"),
        *("confirmed", "mismatched", "replica", "registry_sync"),
    ]
    # the app writes its log without the indexes only staff read; browsing the log adds them
    assert checks_indexes(log) == set()
    ensure_verify_log(log)
    assert checks_indexes(log) == set(STAFF_INDEXES)


def test_each_check_names_the_registry_version_that_answered(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    """An auditor proving what a check said could not tell from which version of the registry
    it came — on a replica, how stale: each check keeps the sync whose load its answer's
    snapshot time is, a receipt's re-check too."""

    def latest() -> int:
        with sqlite3.connect(registry_db) as conn:
            return int(
                conn.execute(  # the last to change the certificates: not the stock's
                    "SELECT max(id) FROM syncs WHERE outcome = 'loaded' AND kind IN"
                    " ('approval-roster', 'technician-roster', 'status-changes')"
                ).fetchone()[0]
            )

    before = latest()
    with app_client() as client:
        url = context_of(post_check(client, *VALID))["receipt_url"]
        record_revocation(registry_db, tmp_path / "later", *VALID, "2020-01-02")
        client.post("/api/v1/verify", json={"number": VALID[0], "name": VALID[1]})
        client.get(url)
    rows = read_log(registry_db)
    assert [(r["channel"], r["result"]) for r in rows] == [
        ("page", "valid"),
        ("api", "revoked"),
        ("receipt", "revoked"),
    ]
    assert [r["registry_sync"] for r in rows] == [before, latest(), latest()]
    assert latest() > before


def test_every_channel_is_logged_without_names(app_client: AppClient, registry_db: Path) -> None:
    with app_client(client=("198.51.100.20", 1)) as client:
        for number, name in CASES.values():
            client.post("/api/v1/verify", json={"number": number, "name": name})
        url = context_of(post_check(client, *VALID))["receipt_url"]
        client.get(url)
        client.post("/api/v1/verify/batch", json={"items": [{"number": VALID[0], "name": "x"}]})
    rows = read_log(registry_db)
    assert [r["channel"] for r in rows] == ["api"] * 6 + ["page", "receipt", "batch"]
    assert [r["result"] for r in rows[:6]] == list(CASES)
    assert {r["client"] for r in rows} == {"198.51.100.20"}
    assert rows[0]["number"] == VALID[0]
    assert rows[0]["at"].endswith("+00:00")
    expected = hmac.new(SECRET.encode(), name_key(VALID[1]).encode(), hashlib.sha256).hexdigest()
    assert rows[0]["name_hash"] == expected
    assert rows[6]["name_hash"] == rows[7]["name_hash"] == expected  # page, then its receipt
    names = {name for _, name in CASES.values()} | private_values(registry_db)
    dump = "\n".join(str(v) for r in rows for v in r.values())
    assert [n for n in names if n in dump] == []
    raw = (registry_db.parent / "verify_log.db").read_bytes()
    assert [n for n in names if n.encode() in raw] == []


def test_a_name_typed_as_the_number_is_not_logged(app_client: AppClient, registry_db: Path) -> None:
    """Fields swapped, or a batch file's columns filled in swapped: the malformed answer carries
    the name as its number, and the log keeps only what a number can hold (附件3)."""
    number, name = VALID
    with app_client() as client:
        swapped = client.post("/api/v1/verify", json={"number": name, "name": number}).json()
        post_check(client, "ZHANG 三明-7", number)
        client.post("/api/v1/verify", json={"number": "JoeSmith", "name": number})
        client.post("/api/v1/verify", json={"number": "510104198001011234", "name": name})
        client.post("/api/v1/verify", json={"number": "+86 138-0013-8000", "name": name})
        client.post(
            "/api/v1/verify", json={"number": number, "name": name[0] + "\u202e" + name[1:]}
        )
        token = csrf_token(client)
        upload = f"证书编号,姓名\n{name},{number}\n".encode()  # headed, filled in swapped
        client.post("/batch", data={"csrf_token": token}, files={"file": ("a.csv", upload)})
    assert swapped["result"] == "malformed"
    rows = read_log(registry_db)
    assert [(r["number"], r["result"]) for r in rows] == [
        ("***", "malformed"),
        ("Z******7", "malformed"),
        ("J*******", "malformed"),
        ("******************", "malformed"),  # an ID card's number in the wrong field
        ("**************", "malformed"),  # a phone's, with its country code
        (number, "malformed"),
        ("***", "malformed"),
    ]
    # the name that shows otherwise than typed: a check not made, logged without a name
    assert rows[5]["name_hash"] == ""
    raw = (registry_db.parent / "verify_log.db").read_bytes()
    assert name.encode() not in raw and "三明".encode() not in raw
    assert b"HANG" not in raw and b"SMITH" not in raw.upper()


def test_forwarded_client_is_logged_behind_trusted_proxy(
    app_client: AppClient, registry_db: Path
) -> None:
    with app_client(trusted_proxies=("127.0.0.1",), client=("127.0.0.1", 1)) as client:
        client.post(
            "/api/v1/verify",
            json={"number": VALID[0], "name": VALID[1]},
            headers={"X-Forwarded-For": "192.0.2.44"},
        )
    assert read_log(registry_db)[0]["client"] == "192.0.2.44"


def test_locked_log_does_not_break_checks(app_client: AppClient, registry_db: Path) -> None:
    with app_client() as client:
        blocker = sqlite3.connect(registry_db.parent / "verify_log.db", isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            responses = [
                client.post("/api/v1/verify", json={"number": VALID[0], "name": VALID[1]})
                for _ in range(5)
            ]
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert [r.json()["result"] for r in responses] == ["valid"] * 5
    assert len(read_log(registry_db)) == 5  # written once the lock went away


def test_unwritable_log_does_not_break_checks(
    app_client: AppClient, registry_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with app_client() as client:
        client.app.state.verifier.log._retries = 1
        blocker = sqlite3.connect(registry_db.parent / "verify_log.db", isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        response = client.post("/api/v1/verify", json={"number": VALID[0], "name": VALID[1]})
        client.app.state.verifier.log.flush()
        blocker.execute("ROLLBACK")
        blocker.close()
        dropped = client.app.state.verifier.log.dropped
    assert response.json()["result"] == "valid"
    assert dropped == 1
    # the administrator's journal says it in Chinese, with what to look at: a lock, not the
    # disk (a purge's checkpoint holding the log was told to check the disk and that checks
    # got 503, which they did not — an operator's review)
    said = [r.getMessage() for r in caplog.records if "条查验未记录" in r.getMessage()]
    assert said and all("1 条查验未记录：日志被另一个进程占用过久" in m for m in said)
    assert not any("磁盘" in m or "503" in m for m in said)


def test_a_log_that_cannot_be_written_refuses_checks_until_it_can(
    app_client: AppClient, registry_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A replica whose log can take no write (its disk turned read-only; here the file is
    replaced by a folder) cannot take a new registry version either: it answered 有效 for a
    certificate revoked since, unlogged, and /healthz said ok (an operator's review). Its
    checks get 503 — nginx asks the other replica — until a write succeeds again."""
    check = {"number": VALID[0], "name": VALID[1]}
    path = registry_db.parent / "verify_log.db"
    with app_client() as client:
        log = client.app.state.verifier.log
        log._probe_seconds = 0.05
        assert client.post("/api/v1/verify", json=check).status_code == 200
        log.flush()
        for part in registry_db.parent.glob("verify_log.db*"):
            part.unlink()
        path.mkdir()  # no file can be opened there
        assert client.post("/api/v1/verify", json=check).status_code == 200  # queued, then lost
        log.flush()
        refused = client.post("/api/v1/verify", json=check)
        health = client.get("/healthz")
        path.rmdir()
        for _ in range(100):  # the writer tries again every _probe_seconds
            if not log.unwritable:
                break
            threading.Event().wait(0.05)
        again = client.post("/api/v1/verify", json=check)
    assert (refused.status_code, refused.json()["error"]) == (503, "server_error")
    assert health.status_code == 503 and "查验日志无法写入" in health.json()["message"]
    assert "Traceback" not in caplog.text  # said once, by the writer
    assert again.status_code == 200 and again.json()["result"] == "valid"
    assert "本副本对查验回答 503" in caplog.text and "恢复回答查验" in caplog.text


def test_a_check_refused_for_an_unwritable_log_is_not_charged(
    app_client: AppClient, registry_db: Path
) -> None:
    """nginx asks the other replica a refused check, and the replicas share the allowance: a
    batch charged where it was refused was charged twice, and a 300-row job could not run at
    all (a review)."""
    items = {"items": distinct_items(6)}
    path = registry_db.parent / "verify_log.db"
    with app_client(batch_rows_per_hour=10) as client:
        log = client.app.state.verifier.log
        log._probe_seconds = 0.05
        assert (
            client.post(
                "/api/v1/verify", json=dict(zip(("number", "name"), VALID, strict=True))
            ).status_code
            == 200
        )
        log.flush()  # the writer has its connection: the files below are its to lose
        for part in registry_db.parent.glob("verify_log.db*"):
            part.unlink()
        path.mkdir()
        client.post("/api/v1/verify/batch", json=items)  # queued, then lost: the log fails
        log.flush()
        refused = client.post("/api/v1/verify/batch", json=items)
        path.rmdir()
        for _ in range(100):
            if not log.unwritable:
                break
            threading.Event().wait(0.05)
        left = client.app.state.verifier.quotas.batch_left("203.0.113.7")
    assert refused.status_code == 503
    assert left == 4  # the first batch's 6, not the refused one's


def test_a_log_locked_for_long_does_not_refuse_checks(
    app_client: AppClient, registry_db: Path
) -> None:
    """Another process writing holds the log: rows wait, or are dropped, and the checks go on
    — only a log that cannot be written refuses them."""
    check = {"number": VALID[0], "name": VALID[1]}
    with app_client() as client:
        client.app.state.verifier.log._retries = 1
        blocker = sqlite3.connect(registry_db.parent / "verify_log.db", isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        client.post("/api/v1/verify", json=check)
        client.app.state.verifier.log.flush()
        after = client.post("/api/v1/verify", json=check)
        blocker.execute("ROLLBACK")
        blocker.close()
    assert after.status_code == 200


def test_a_row_that_cannot_be_written_does_not_stop_the_log(
    app_client: AppClient, registry_db: Path
) -> None:
    with app_client() as client:
        log = client.app.state.verifier.log
        log.record(make_check("x", "\ud800", "malformed", "00", "api"))  # not UTF-8 encodable
        log.flush()
        response = client.post("/api/v1/verify", json={"number": VALID[0], "name": VALID[1]})
        dropped = log.dropped
    assert response.json()["result"] == "valid"
    assert dropped == 1
    assert [r["result"] for r in read_log(registry_db)] == ["valid"]


def test_flush_and_close_do_not_wait_out_the_linger(tmp_path: Path) -> None:
    """The writer lingers after a first row to batch a burst; a flush (the tests, a staff
    export) or a shutdown must not wait for the linger to end, even behind more rows than one
    batch takes."""
    path = tmp_path / "verify_log.db"
    log = CheckLog(path, linger=3600)
    log.start()
    rows = BATCH_SIZE + 200
    for _ in range(rows):
        log.record(make_check("127.0.0.1", VALID[0], "valid", "00", "api"))

    def finishes(step: Callable[[], None]) -> bool:
        worker = threading.Thread(target=step, daemon=True)
        worker.start()
        worker.join(60)  # a writer waiting out its linger would still be at it in an hour
        return not worker.is_alive()

    assert finishes(log.flush), "flush waited for the linger"
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM checks").fetchone() == (rows,)
    log.record(make_check("127.0.0.1", VALID[0], "valid", "00", "page"))
    assert finishes(log.close), "close waited for the linger"
    assert conn.execute("SELECT count(*) FROM checks").fetchone() == (rows + 1,)
    conn.close()


def test_a_log_deleted_while_the_app_runs_is_made_anew_and_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An operator's review: the log deleted under a running replica (a tidy-up), its checks
    went on into the deleted file — lost, the staff log frozen, nothing said."""
    path = tmp_path / "verify_log.db"
    log = CheckLog(path)
    log.start()
    log.record(make_check("127.0.0.1", VALID[0], "valid", "00", "api"))
    log.flush()
    for part in tmp_path.glob("verify_log.db*"):
        part.unlink()
    log.record(make_check("127.0.0.1", VALID[0], "revoked", "00", "page"))
    log.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT result, channel FROM checks").fetchall() == [
            ("revoked", "page")
        ]
    assert "已被删除或替换：已重新建立" in caplog.text


def test_a_long_batch_is_written_row_for_row_in_order(tmp_path: Path) -> None:
    """Rows go to the log many to a statement: every value lands in its row and column, in
    the order recorded, across the statements of one batch."""
    path = tmp_path / "verify_log.db"
    log = CheckLog(path)
    log.start()
    recorded = [
        make_check(f"192.0.2.{i % 250}", f"Z11220{i:05d}", "valid", f"{i:064x}", "api", i or None)
        for i in range(BATCH_SIZE + 77)
    ]
    for check in recorded:
        log.record(check)
    log.close()
    conn = sqlite3.connect(path)
    written = conn.execute(
        "SELECT at, client, number, result, name_hash, channel, key_id, confirmed, mismatched,"
        " registry_sync FROM checks ORDER BY id"
    ).fetchall()
    conn.close()
    assert written == [tuple(check) for check in recorded]


def _start_and_close(path: str) -> None:
    log = CheckLog(Path(path))
    log.start()
    log.close()


def test_server_workers_starting_at_once_all_open_a_new_log(tmp_path: Path) -> None:
    """``certreg serve --workers N``: every worker prepares the log at start-up; a new log's
    switch to WAL is not covered by SQLite's busy timeout, and a worker that met a "locked"
    there failed its start-up (seen with two replicas of two workers each)."""
    for round_ in range(3):
        path = tmp_path / f"verify_log-{round_}.db"
        context = multiprocessing.get_context("spawn")
        workers = [context.Process(target=_start_and_close, args=(str(path),)) for _ in range(8)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert [worker.exitcode for worker in workers] == [0] * 8
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        conn.close()


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/r/Z1122020123-ab12-w.1765000000.sig", "/r/[token]"),
        ("/r/Z1122020123-ab12.1765000000.sig/qr.svg", "/r/[token]/qr.svg"),
        ("/watch/AbC_d-1xyz.atom", "/watch/[token].atom"),
        ("/watch/AbC_d-1xyz/delete", "/watch/[token]/delete"),
        ("/watch", "/watch"),
        ("/?number=Z1122020123", "/?number=*"),
        ("/check?number=Z1122020123&name=%E5%BC%A0%E4%B8%89", "/check?number=*&name=*"),
        ("/r/Z1122020123-ab12.1765000000.sig?%E5%BC%A0", "/r/[token]?*"),
        ("/api/v1/numbers/510104199001011234", "/api/v1/numbers/[number]"),
        ("/api/v1/numbers/%E5%BC%A0%E4%B8%89%E6%98%8E", "/api/v1/numbers/[number]"),
        ("/api/v1/numbers/%E5%BC%A0/%E4%B8%89?x=1", "/api/v1/numbers/[number]?x=*"),
        # a name typed into an address by hand: staff's /registry/certificates/张三明 too
        ("/nothing/%E5%BC%A0%E4%B8%89%E6%98%8E", "/nothing/[…]"),
        ("/registry/certificates/%E5%BC%A0%E4%B8%89.json", "/registry/certificates/[…]"),
    ],
)
def test_uvicorn_access_lines_carry_no_secret_link(path: str, logged: str) -> None:
    """``certreg serve`` logs accesses: a receipt's or a watch list's token opens it, and a
    query string may hold a name, so the line keeps the path without either (the app installs
    the filter on uvicorn's access logger)."""
    create_app(Settings(db=Path("unused.db"), secret=Secret(SECRET)))
    logger = logging.getLogger("uvicorn.access")
    record = logger.makeRecord(
        logger.name,
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.7:5000", "GET", path, "1.1", 200),
        None,
    )
    assert logger.filter(record)  # the logger's filters, as uvicorn's logging call runs them
    assert record.getMessage() == f'203.0.113.7:5000 - "GET {logged} HTTP/1.1" 200'


@pytest.mark.parametrize(
    ("name", "params"),
    [("failing_numbers", ("天数", "未查到阈值", "报告阈值", "上页末行证书编号"))],
)
def test_queries_of_the_last_days_read_those_days_only(
    tmp_path: Path, name: str, params: tuple[str, ...]
) -> None:
    """Staff's 屡查不符的证书编号 and 查验最多的证书编号 on a long log: the checks of the last days
    by the index on result and time, never a walk of the whole log in number order (5 s at two
    million checks)."""
    log = tmp_path / "verify_log.db"
    ensure_verify_log(log)
    query = shipped_metadata()["databases"]["verify_log"]["queries"][name]["sql"]
    conn = sqlite3.connect(log)
    try:
        conn.create_function("beijing_time", 1, str)
        conn.create_function("registry_status", 1, str)  # reads the registry, not the log
        for function_name, function in SQL_FUNCTIONS.items():  # the staff plugin's (plain …)
            conn.create_function(function_name, 1, function)
        plan = [
            row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {query}", dict.fromkeys(params, ""))
        ]
    finally:
        conn.close()
    assert (
        "SEARCH checks USING COVERING INDEX idx_checks_result_at_client_number_name_hash"
        " (result=? AND at>?)" in plan
    )
    assert not any(step.startswith("SCAN checks") for step in plan), plan


def test_the_checks_of_ended_certificates_are_read_by_number(tmp_path: Path) -> None:
    """Staff's 查验为有效、现已撤销、取代或补发的证书 walks the registry's ended certificates and each
    one's checks by the log's number index: grouping a year's 有效 answers by number took 4.8 s
    on a log of two million checks (past the 3 s limit), and counting each one's answers after
    the change by the result's index, minutes."""
    log = tmp_path / "verify_log.db"
    ensure_verify_log(log)
    query = shipped_metadata()["databases"]["verify_log"]["queries"]["valid_then_ended"]["sql"]
    conn = sqlite3.connect(log)
    try:
        for function_name in ("beijing_time", "registry_status", "registry_ended_at"):
            conn.create_function(function_name, 1, str)  # read the registry, not the log
        conn.create_function("registry_ended_numbers", 0, lambda: '[["C1122000001", "revoked"]]')
        for function_name, function in SQL_FUNCTIONS.items():
            conn.create_function(function_name, 1, function)
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {query}", {"天数": ""})]
    finally:
        conn.close()
    assert "SEARCH c USING INDEX idx_checks_number (number=?)" in plan
    assert not any(re.match(r"SCAN c\b", step) or "idx_checks_result_at" in step for step in plan)


def test_a_paper_reissued_again_counts_the_answers_of_the_paper_it_voided(tmp_path: Path) -> None:
    """A second 补发 under the number voids the first's paper: its 已补发 answers given before
    were left out (a staff review) — counted until the last 补发 was recorded, not after (they
    are the new paper's); a 有效 after it came from a replica behind."""
    log = tmp_path / "verify_log.db"
    ensure_verify_log(log)
    query = shipped_metadata()["databases"]["verify_log"]["queries"]["valid_then_ended"]["sql"]
    recorded = "2026-12-01T00:00:00+00:00"  # the last 补发's sync
    rows = [
        ("2026-11-20T08:00:00+00:00", "reissued"),  # the paper the second 补发 voided
        ("2026-12-02T08:00:00+00:00", "reissued"),  # the new paper
        ("2026-12-03T08:00:00+00:00", "valid"),  # a replica without either 补发
    ]
    conn = sqlite3.connect(log)
    try:
        conn.executemany(
            "INSERT INTO checks (at, client, number, result, name_hash, channel)"
            " VALUES (?, '203.0.113.7', 'Z1122000001', ?, 'h', 'api')",
            rows,
        )
        conn.create_function("beijing_time", 1, str)
        conn.create_function("registry_status", 1, lambda _: "已补发")
        conn.create_function("registry_ended_at", 1, lambda _: recorded)
        conn.create_function("registry_ended_numbers", 0, lambda: '[["Z1122000001", "reissued"]]')
        for function_name, function in SQL_FUNCTIONS.items():
            conn.create_function(function_name, 1, function)
        [row] = conn.execute(query, {"天数": "36500"}).fetchall()
    finally:
        conn.close()
    assert row[:5] == ("Z1122000001", "已补发", recorded, 2, 1)


@pytest.mark.parametrize(
    ("typed", "logged"),
    [
        ("Z1122020123", "Z1122020123"),
        ("1122020123", "1122020123"),  # a number without its level letter
        ("JOESMITH", "J*******"),
        ("13800138000", "***********"),  # a phone's 11 digits
        ("Z11220201234", "Z***********"),
        ("HPA" * 10 + "13800138000", "H" + "*" * 39),  # its digits beyond the 40 kept
        ("123/456", "123*456"),
    ],
)
def test_the_log_keeps_of_a_typed_number_only_what_a_number_holds(typed: str, logged: str) -> None:
    assert screened_number(typed) == logged


@pytest.mark.parametrize(
    ("table", "columns", "column"),
    [
        # before API keys: which key paid for a check
        ("checks", "at TEXT, client TEXT, number TEXT, result TEXT, name_hash TEXT", "key_id"),
        # before watch lists expired: when a list was last read — the upgrade, as far as anyone
        # knows (left empty, a list polled for years was deleted at its first read after it)
        ("watches", "token_hash TEXT, created_at TEXT, after_sync INTEGER, client TEXT", "read_at"),
        # before the log kept what the employer's paper was told: every check's write failed
        *(
            (
                "checks",
                "at TEXT, client TEXT, number TEXT, result TEXT, name_hash TEXT,"
                " channel TEXT, key_id INTEGER",
                column,
            )
            for column in ("confirmed", "mismatched")
        ),  # fmt: skip
    ],
)
def test_a_log_from_an_earlier_version_gets_its_new_column_and_keeps_its_rows(
    tmp_path: Path, table: str, columns: str, column: str
) -> None:
    conn = sqlite3.connect(tmp_path / "verify_log.db")
    conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, {columns})")
    conn.execute(f"INSERT INTO {table} (id) VALUES (7)")
    conn.commit()
    ensure_log_schema(conn)
    ensure_log_schema(conn)  # a second start changes nothing
    [(row, value)] = conn.execute(f"SELECT id, {column} FROM {table}").fetchall()
    conn.close()
    assert row == 7
    if column == "read_at":
        assert value is not None and value[:10] == now()[:10]
    else:
        assert value is None


def test_a_commit_refused_leaves_no_transaction_open(tmp_path: Path) -> None:
    """The log's writer keeps its connection: a COMMIT refused while a reader held the file
    left its transaction open, and every later batch failed to begin one."""
    db = tmp_path / "t.db"
    writer = sqlite3.connect(db, isolation_level=None, timeout=0)
    writer.execute("CREATE TABLE t (x)")
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT * FROM t").fetchall()  # a reader's lock: no COMMIT may write now
    with pytest.raises(sqlite3.OperationalError, match="locked"), transaction(writer):
        writer.execute("INSERT INTO t VALUES (1)")
    assert not writer.in_transaction
    reader.execute("COMMIT")
    with transaction(writer):
        writer.execute("INSERT INTO t VALUES (2)")
    assert writer.execute("SELECT x FROM t").fetchall() == [(2,)]
    reader.close()
    writer.close()
