"""The registry database: its schema (created with sqlite-utils) and the connection rules.

One SQLite file in WAL mode. Every register is written inside one ``BEGIN IMMEDIATE``
transaction, so readers (the verification app, Datasette) and a process killed mid-sync only
ever see the state before or after a whole register.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from registry.stock import ensure_stock_schema

DEFAULT_DB = Path("data/registry.db")

CERTIFICATE_COLUMNS: dict[str, type] = {
    "number": str,
    "letter": str,
    "level": str,
    "year_code": str,
    "region": str,
    "sequence": int,
    "name": str,
    "name_key": str,
    "sex": str,
    "birth": str,
    "work_start": str,
    "unit": str,
    "education": str,
    "prior_certificate": str,
    "wage_grade_since": str,
    "exam_year": int,
    "trade": str,
    # 考试考核结果 (附件4), one column each, in the order of layouts.EXAM_COLUMNS
    "conduct": str,
    "work_record": str,
    "ethics": str,
    "theory": str,
    "practice": str,
    "approval_doc": str,
    "issued_on": str,
    "authority": str,
    "register": str,
    "source_row": int,
    "status": str,
    "status_date": str,
    "successor": str,
    "predecessor": str,
    "created_sync": int,
    "updated_sync": int,
}
"""Columns of ``certificates``; the roster fields are compared when a corrected register arrives."""

ROSTER_FIELDS = tuple(
    c
    for c in CERTIFICATE_COLUMNS
    if c
    not in {
        "number",
        "status",
        "status_date",
        "successor",
        "predecessor",
        "created_sync",
        "updated_sync",
    }
)


def now() -> str:
    """The registry's clock: UTC, to the second, ISO 8601."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the registry. Writers get WAL and the schema; readers get ``mode=ro``."""
    if readonly:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
        )
        conn.execute("PRAGMA query_only = 1")
        return conn
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA busy_timeout = 10000")
    # 64 MiB of page cache: a register's inserts land all over the number index of a
    # registry of a million certificates; the default 2 MiB would re-read pages for every row.
    conn.execute("PRAGMA cache_size = -65536")
    ensure_schema(sqlite_utils.Database(conn))
    return conn


@dataclass(frozen=True)
class TableSpec:
    columns: dict[str, type]
    pk: str = "id"
    indexes: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[tuple[str, str, str], ...] = ()


_BY_SYNC = (("sync", "syncs", "id"),)

TABLES: dict[str, TableSpec] = {
    # No index on name_key: the staff's holder search matches names by LIKE, which scans anyway,
    # and the index made every roster load a quarter slower.
    "certificates": TableSpec(CERTIFICATE_COLUMNS, "number", (("register",),)),
    "registers": TableSpec(
        {
            "key": str,
            "kind": str,
            "file": str,
            "authority": str,
            "region": str,
            "unit": str,
            "approval_doc": str,
            "issued_on": str,
            "year_code": str,
            "fingerprint": str,
            "rows": int,
            "first_loaded": str,
            "last_loaded": str,
            "version": int,
        },
        "key",
    ),
    # one row per sync attempt of a register, loaded or rejected, for staff and auditors
    "syncs": TableSpec(
        {
            "id": int,
            "at": str,
            "register": str,
            "file": str,
            "kind": str,
            "fingerprint": str,
            "outcome": str,
            "rows": int,
            "added": int,
            "changed": int,
            "conflicts": int,
            "problems": int,
            "operator": str,
        },
        indexes=(("register",),),
    ),
    "problems": TableSpec(
        {
            "id": int,
            "sync": int,
            "severity": str,
            "row": int,
            "column": str,
            "value": str,
            "rule": str,
            "clause": str,
        },
        indexes=(("sync",),),
        foreign_keys=_BY_SYNC,
    ),
    "certificate_history": TableSpec(
        {
            "id": int,
            "number": str,
            "sync": int,
            "at": str,
            "field": str,
            "old": str,
            "new": str,
        },
        indexes=(("number",),),
        foreign_keys=_BY_SYNC,
    ),
    # 换发 / 补发 / 撤销 as registered
    "status_events": TableSpec(
        {
            "id": int,
            "sync": int,
            "register": str,
            "source_row": int,
            "type": str,
            "number": str,
            "name": str,
            "date": str,
            "new_number": str,
            "reason": str,
            "approval_doc": str,
            "personal_application": str,
            "unit_certificate": str,
            "original_document": str,
        },
        indexes=(("number",), ("new_number",)),
        foreign_keys=_BY_SYNC,
    ),
    # certreg number runs: who handed out which numbers, from which file
    "numbering": TableSpec(
        {
            "id": int,
            "at": str,
            "operator": str,
            "file": str,
            "out": str,
            "kind": str,
            "authority": str,
            "letter": str,
            "year_code": str,
            "region": str,
            "first_sequence": int,
            "last_sequence": int,
            "count": int,
        },
        indexes=(("region", "letter", "year_code"),),
    ),
}


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create what is missing; never alters or drops what exists."""
    existing = set(db.table_names())
    for name, spec in TABLES.items():
        if name in existing:
            continue
        table = db.table(name)
        defaults = {"status": "valid"} if name == "certificates" else None
        table.create(
            spec.columns, pk=spec.pk, foreign_keys=list(spec.foreign_keys), defaults=defaults
        )
        for columns in spec.indexes:
            table.create_index(list(columns))
    ensure_stock_schema(db)


def registry_as_of(conn: sqlite3.Connection) -> str | None:
    """When the certificates last changed: the latest sync of a roster or status-change register.
    (Stock registers do not count: the public snapshot time is about certificates only.)"""
    row = conn.execute(
        "SELECT max(at) FROM syncs WHERE outcome IN ('loaded', 'updated')"
        " AND kind IN ('approval-roster', 'technician-roster', 'status-changes')"
    ).fetchone()
    return row[0] if row else None
