"""Shared fixtures: a registry file, and real register spreadsheets written with openpyxl/csv."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from registry import store
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
