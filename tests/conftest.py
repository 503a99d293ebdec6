"""Shared fixtures: a registry file, and real register spreadsheets written with openpyxl/csv."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from datasette.app import Datasette

from registry import store
from registry.store import verify_log_path
from tests.datasette_fixtures import (
    STAFF_HASH,
    STAFF_USER,
    build_registry,
    build_verify_log,
    shipped_datasette,
)
from tests.registers import RegisterFactory


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "registry.db"


@pytest.fixture
def registers(tmp_path: Path) -> RegisterFactory:
    """Writes register folders (files + registers.toml) under tmp_path."""
    return RegisterFactory(tmp_path / "registers")


@pytest.fixture
def open_db(db_path: Path) -> Iterator[Callable[[], sqlite3.Connection]]:
    conns: list[sqlite3.Connection] = []

    def opener() -> sqlite3.Connection:
        conn = store.connect(db_path)
        conns.append(conn)
        return conn

    yield opener
    for conn in conns:
        conn.close()


# Staff Datasette (tests/test_datasette_*.py)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def registry_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synced sample registry and a verification log, shared by one test module."""
    folder = tmp_path_factory.mktemp("staff")
    db = folder / "registry.db"
    build_registry(db, RegisterFactory(folder / "registers"))
    build_verify_log(verify_log_path(db))
    return db


@pytest.fixture
def ds(registry_db: Path, monkeypatch: pytest.MonkeyPatch) -> Datasette:
    """Datasette with the shipped configuration and one staff account."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    return shipped_datasette(registry_db)
