"""Fixtures for the verification app's tests: a registry synced from the real sample registers
(rosters and their 换发/补发/撤销 events, so every status is there), an app factory over it, a
clock the tests move, a CSRF-aware poster, and a real ``certreg serve`` process.
"""

from __future__ import annotations

import base64
import io
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx2 as httpx
import openpyxl
import pytest
from starlette.datastructures import Secret
from starlette.testclient import TestClient

from registry import store
from registry.sync.catalogue import load_catalogue
from registry.sync.manifest import load_manifest
from registry.sync.run import sync_entries
from tests.registers import RegisterFactory
from tests.servers import free_port
from verify_app.app import create_app
from verify_app.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
SECRET = "tests-secret-0123456789abcdef"

# (number, holder name) per result code, as data/samples (2012-status-changes.xlsx) make them.
VALID = ("G1122000001", "张三明")
REISSUED = ("Z1122000001", "李芳")  # 补发 2012-09-10
SUPERSEDED = ("G1122000002", "欧阳明")  # 换发 2012-05-08
SUCCESSOR = "G1122000003"
REVOKED = ("C1122000001", "陈静")  # 撤销 2013-01-15
NO_MATCH_WRONG_NAME = ("G1122000001", "张三")
NO_MATCH_UNKNOWN = ("G1122009999", "张三明")
MALFORMED = ("G11220001", "张三明")


def unknown_number(row: int) -> str:
    """A number of its own for row ``row`` of a batch (none of them registered): a batch's rows
    repeated exactly are charged once, so a test of what rows cost gives each its own."""
    return f"C112201{row + 1:04d}"


def distinct_items(rows: int) -> list[dict[str, str]]:
    """``rows`` checks of an API batch, each charged (each answered 未查到)."""
    return [{"number": unknown_number(row), "name": VALID[1]} for row in range(rows)]


CASES: dict[str, tuple[str, str]] = {
    "valid": VALID,
    "reissued": REISSUED,
    "superseded": SUPERSEDED,
    "revoked": REVOKED,
    "no_match": NO_MATCH_WRONG_NAME,
    "malformed": MALFORMED,
}

PRIVATE_COLUMNS = (
    "name",
    "birth",
    "unit",
    "work_start",
    "conduct",
    "approval_doc",
)


def batch_workbook(rows: list[list[object]]) -> bytes:
    """A real workbook as HR keeps it: a merged title row over the header."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2026年新进人员证书核验名单"])
    sheet.merge_cells("A1:C1")
    sheet.append(["序号", "姓 名", "证书编号"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sync_folder(db_path: Path, folder: Path) -> None:
    """Sync a folder of registers with its registers.toml; every register must load."""
    manifest = load_manifest(folder)
    conn = store.connect(db_path)
    try:
        outcomes = sync_entries(conn, manifest.entries, load_catalogue(manifest.trades))
    finally:
        conn.close()
    assert all(o.ok for o in outcomes)


def sync_samples(db_path: Path) -> None:
    sync_folder(db_path, SAMPLES)


def record_revocation(db_path: Path, folder: Path, number: str, name: str, date: str) -> None:
    """A later 撤销 arrives: a real status-changes register, synced like an administrator would
    (a register of its own: another under the same name would be refused as not a version)."""
    registers = RegisterFactory(folder)
    registers.add(
        f"revocation-{number}.csv",
        [
            {
                "类型": "撤销",
                "证书编号": number,
                "姓名": name,
                "日期": date,
                "新证书编号": "",
                "原因": "以欺骗手段取得",
                "批准文号": "川人社函〔2020〕1号",
            }
        ],
        {"kind": "status-changes", "authority": "2200"},
    )
    sync_folder(db_path, folder)


def private_values(db_path: Path) -> set[str]:
    """Every full name, birth date, unit … in the registry: none may appear in a public answer."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(f"SELECT {', '.join(PRIVATE_COLUMNS)} FROM certificates").fetchall()
    finally:
        conn.close()
    return {str(v) for row in rows for v in row if v}


class Clock:
    """The app's clock (receipts, staleness), moved by the test."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, days: float) -> None:
        self.now += days * 86_400


@pytest.fixture
def registry_db(tmp_path: Path) -> Path:
    db_path = tmp_path / "data" / "registry.db"
    sync_samples(db_path)
    return db_path


@pytest.fixture
def clock() -> Clock:
    return Clock()


AppClient = Callable[..., Any]


@pytest.fixture
def app_client(registry_db: Path, clock: Clock) -> AppClient:
    """``with app_client(rate_limit=3) as client:`` — a TestClient over the sample registry."""

    @contextmanager
    def open_client(
        client: tuple[str, int] = ("203.0.113.7", 50000), **overrides: Any
    ) -> Iterator[TestClient]:
        settings = Settings(
            db=registry_db, secret=Secret(SECRET), rate_limit=0, batch_rows_per_hour=0
        )
        if overrides.get("rate_limit"):
            clear_of_the_minute_turning()
        app = create_app(replace(settings, **overrides), clock=clock)
        with TestClient(app, client=client) as test_client:
            yield test_client

    return open_client


def clear_of_the_minute_turning(margin: float = 3.0) -> None:
    """Wait out a minute's last seconds. The per-minute limit counts in the wall clock's
    minutes (the ``limits`` library's own time, not the app's ``clock``): a test counting one
    minute's checks that ran across the turn would find the count weigh less, and a request it
    expects refused let in."""
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.05)


def csrf_token(client: TestClient) -> str:
    page = client.get("/")
    assert page.status_code == 200
    token = context_of(page)["csrf_token"]
    assert isinstance(token, str)
    return token


def post_check(client: TestClient, number: str, name: str) -> httpx.Response:
    """Fill the form like a browser: GET / for the CSRF cookie and field, then POST /check."""
    return client.post(
        "/check", data={"number": number, "name": name, "csrf_token": csrf_token(client)}
    )


def _log_rows(db_path: Path, table: str) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db_path.parent / "verify_log.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY id")]
    finally:
        conn.close()


def read_log(db_path: Path) -> list[dict[str, Any]]:
    """The checks the app logged beside the registry ``db_path``, oldest first."""
    return _log_rows(db_path, "checks")


def reports_of(db_path: Path) -> list[dict[str, Any]]:
    """The forgery reports the app stored beside the registry ``db_path``, oldest first."""
    return _log_rows(db_path, "reports")


def checks_indexes(log: Path) -> set[tuple[str, ...]]:
    """The columns of each index on the log's ``checks`` table."""
    conn = sqlite3.connect(log)
    try:
        return {
            tuple(c[2] for c in conn.execute(f"PRAGMA index_info('{name}')"))
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'checks'"
            )
        }
    finally:
        conn.close()


@contextmanager
def running_server(
    db_path: Path, env: Mapping[str, str] | None = None, *, ready: int = 200
) -> Iterator[str]:
    """``certreg serve`` as a real process on a free port, with ``env`` set, once ``/healthz``
    answers ``ready``; yields its base URL."""
    port = free_port()
    environ = {
        **os.environ,
        "CERTREG_SECRET": SECRET,
        "CERTREG_RATE_LIMIT": "0",
        "CERTREG_BATCH_ROWS_PER_HOUR": "0",
        **(env or {}),
    }
    log_path = db_path.parent / f"serve-{port}.log"
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "registry", "serve", "--db", str(db_path), "--port", str(port)],
            env=environ,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # readiness, not timing: up to ~20 s for the process to listen
            if process.poll() is not None:
                raise AssertionError(
                    f"certreg serve exited {process.returncode}: {log_path.read_text()}"
                )
            try:
                if httpx.get(f"{base}/healthz").status_code == ready:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            raise AssertionError("certreg serve did not start listening")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def template_of(response: httpx.Response) -> str:
    """The template a page was rendered with (Starlette's TestClient attaches it)."""
    name: str = getattr(response, "template").name  # noqa: B009 - set by the test client
    return name


def context_of(response: httpx.Response) -> dict[str, Any]:
    """The context a page was rendered with (Starlette's TestClient attaches it)."""
    context: dict[str, Any] = getattr(response, "context")  # noqa: B009 - set by the test client
    return context


CSV_LINK = "data:text/csv;charset=utf-8;base64,"


def exported_file(page: Any) -> bytes:
    """The results file a batch page offers for download: a ``data:`` link in the page, made
    with the answers (no token, no second request)."""
    context = context_of(page)
    link, name = str(context["export_href"]), str(context["export_name"])
    assert link.startswith(CSV_LINK) and f'href="{link}" download="{name}"' in page.text
    return base64.b64decode(link.removeprefix(CSV_LINK))
