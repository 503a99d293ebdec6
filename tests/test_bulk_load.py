"""A registry's first load builds the staff's facet indexes once at the end (`registry.store.bulk`):
whatever happens, the registry ends with every index the schema names and with the planner's
statistics, and a registry that already holds certificates keeps its indexes throughout."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from registry import store
from registry.kinds.base import RegisterEntry
from registry.store.schema import FACET_INDEXES
from registry.sync import run
from registry.sync.catalogue import load_catalogue
from registry.sync.manifest import load_manifest
from registry.sync.run import sync_entries
from tests.verify_fixtures import SAMPLES

FACETS = {f"idx_certificates_{'_'.join(columns)}" for columns in FACET_INDEXES}


def indexes(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'certificates'"
    )
    return {name for (name,) in rows}


@pytest.fixture
def schema_indexes(tmp_path: Path) -> set[str]:
    """The indexes a registry opened for writing has, before any load."""
    conn = store.connect(tmp_path / "schema.db")
    try:
        found = indexes(conn)
    finally:
        conn.close()
    assert FACETS <= found
    return found


@pytest.fixture(autouse=True)
def samples_are_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The samples are small; a first load of any size takes the bulk path here."""
    monkeypatch.setattr(run, "BULK_BYTES", 0)


def load(db: Path, entries: list[RegisterEntry] | None = None, **callbacks: object) -> list[str]:
    """Sync the samples (or ``entries`` of them) into ``db``; the outcomes."""
    manifest = load_manifest(SAMPLES)
    conn = store.connect(db)
    try:
        outcomes = sync_entries(
            conn,
            entries if entries is not None else manifest.entries,
            load_catalogue(manifest.trades),
            workers=0,
            **callbacks,  # type: ignore[arg-type]
        )
    finally:
        conn.close()
    return [o.outcome for o in outcomes]


def test_a_first_load_ends_with_every_index_and_the_statistics(
    tmp_path: Path, schema_indexes: set[str]
) -> None:
    db = tmp_path / "registry.db"
    told: list[str] = []
    seen_during: list[set[str]] = []

    def progress(index: int, total: int, entry: RegisterEntry) -> None:
        seen_during.append(indexes(conn))

    conn = sqlite3.connect(db)  # created by `load` before the first register
    assert set(load(db, progress=progress, indexing=lambda: told.append("indexing"))) == {"loaded"}
    assert told == ["indexing"]
    assert seen_during and all(not (FACETS & during) for during in seen_during)
    assert indexes(conn) == schema_indexes
    with_statistics = {idx for (idx,) in conn.execute("SELECT idx FROM sqlite_stat1")}
    assert FACETS <= with_statistics
    conn.close()


def test_a_registry_with_certificates_keeps_its_indexes_throughout(
    tmp_path: Path, schema_indexes: set[str]
) -> None:
    db = tmp_path / "registry.db"
    entries = load_manifest(SAMPLES).entries
    assert load(db, entries[:1]) == ["loaded"]
    conn = sqlite3.connect(db)
    seen_during: list[set[str]] = []
    told: list[str] = []
    load(
        db,
        progress=lambda *_: seen_during.append(indexes(conn)),
        indexing=lambda: told.append("indexing"),
    )
    assert seen_during and all(during == schema_indexes for during in seen_during)
    assert told == []
    conn.close()


def test_a_load_stopped_midway_builds_them_on_leaving(
    tmp_path: Path, schema_indexes: set[str]
) -> None:
    db = tmp_path / "registry.db"

    def stop_at_the_third(index: int, total: int, entry: RegisterEntry) -> None:
        if index == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load(db, progress=stop_at_the_third)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM certificates").fetchone()[0] > 0
    assert indexes(conn) == schema_indexes
    conn.close()


def test_a_registry_left_without_them_gets_them_from_the_next_writer(
    tmp_path: Path, schema_indexes: set[str]
) -> None:
    """What a sync killed between its first register and its last (``kill -9``) leaves."""
    db = tmp_path / "registry.db"
    load(db)
    conn = sqlite3.connect(db)
    for name in FACETS:
        conn.execute(f"DROP INDEX {name}")
    conn.commit()
    conn.close()
    conn = store.connect(db)
    assert indexes(conn) == schema_indexes
    conn.close()
