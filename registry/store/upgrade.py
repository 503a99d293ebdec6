"""Bringing a registry's tables up to `registry.store.schema`: what a newer certreg adds to a
registry an older one made (tables, columns with their defaults, indexes, the triggers that keep
its history append-only: `registry.store.append_only`), and the tables of a new one. Nothing is
altered or dropped but an index of one column that a declared index now extends (``level`` by
``level, status``): it would only cost every insert."""

from __future__ import annotations

import re
from pathlib import PurePath

import sqlite_utils

from registry.domain.numbers import parse
from registry.store.append_only import TRIGGERS
from registry.store.schema import DOTTED_HOLDERS, DOTTED_INDEX, TABLES
from registry.store.transactions import transaction


def _complete(db: sqlite_utils.Database) -> bool:
    """Whether every table, column, index and trigger is there."""
    existing = set(db.table_names())
    for name, spec in TABLES.items():
        if name not in existing:
            return False
        table = db.table(name)
        indexes = {tuple(index.columns) for index in table.indexes}
        if not set(spec.columns) <= set(table.columns_dict) or not set(spec.indexes) <= indexes:
            return False
    if DOTTED_INDEX not in {index.name for index in db.table("certificates").indexes}:
        return False
    return not _outdated_triggers(db)


def _outdated_triggers(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """The triggers missing, or made by an older certreg guarding fewer columns (a column added
    to an append-only table since: the older trigger let it be rewritten). One guarding more —
    a newer certreg's, the two side by side during an upgrade — is left as it is."""
    stored = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    return [
        (name, create)
        for name, create in TRIGGERS
        if name not in stored or set(_COLUMN.findall(stored[name])) < set(_COLUMN.findall(create))
    ]


_COLUMN = re.compile(r"\[(\w+)\]")
"""A column (or table) a trigger names, in brackets as `registry.store.append_only` writes them."""


def ensure_tables(db: sqlite_utils.Database) -> None:
    """Create the tables that are missing; never alters or drops what exists, except to add a
    column a newer certreg needs (with its default), so an older registry keeps working, and
    to drop a one-column index a declared one extends (`_drop_extended`).

    The changes are made in one write transaction, the schema read again inside it: two syncs
    starting on a registry that did not exist yet both found no table, and the second failed
    on "table already exists"."""
    if _complete(db):
        return
    with transaction(db.conn):
        _create_missing(db)


def _create_missing(db: sqlite_utils.Database) -> None:
    existing = set(db.table_names())
    for name, spec in TABLES.items():
        table = db.table(name)
        if name in existing:
            missing = {c: t for c, t in spec.columns.items() if c not in table.columns_dict}
            for column, kind in missing.items():
                default = (spec.defaults or {}).get(column)
                table.add_column(column, kind, not_null_default=default)
            if name == "numbered_holders" and "copy" in missing:
                _copies_of_runs(db)
            for columns in spec.indexes:
                table.create_index(list(columns), if_not_exists=True)
            _drop_extended(db, name, spec.indexes)
            continue
        table.create(
            spec.columns, pk=spec.pk, foreign_keys=list(spec.foreign_keys), defaults=spec.defaults
        )
        for columns in spec.indexes:
            table.create_index(list(columns))
    db.conn.execute(DOTTED_HOLDERS)  # of expressions, over some rows: beyond sqlite-utils
    for name, create in _outdated_triggers(db):
        db.conn.execute(f"DROP TRIGGER IF EXISTS [{name}]")
        db.conn.execute(create)


def _copies_of_runs(db: sqlite_utils.Database) -> None:
    """The numbered copy each holder's run wrote (``numbering.out``), for holders recorded before
    ``numbered_holders.copy`` was: left empty, the copy with a holder's name corrected — which
    may correct one — was refused and told to keep the copy's name, shown as “”. The runs by
    their file and prefix first: scanned for each holder, 200,000 holders took minutes, the
    registry locked."""
    runs: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
    for file, out, prefix, first, last in db.execute(
        "SELECT file, out, letter || year_code || region, first_sequence, last_sequence"
        " FROM numbering ORDER BY id DESC"  # the latest run of a file first
    ):
        runs.setdefault((PurePath(file).name, prefix), []).append((first, last, out))
    copies = []
    for number, file in db.execute("SELECT number, file FROM numbered_holders"):
        given = parse(number)
        ranges = runs.get((file, given.prefix), [])
        out = next((out for first, last, out in ranges if first <= given.sequence <= last), None)
        if out is not None:
            copies.append((PurePath(out).name, number))
    db.conn.executemany("UPDATE numbered_holders SET copy = ? WHERE number = ?", copies)


def _drop_extended(
    db: sqlite_utils.Database, table: str, declared: tuple[tuple[str, ...], ...]
) -> None:
    """Drop the one-column index (as sqlite-utils names it) of each declared index's first
    column, unless that one-column index is declared itself."""
    for columns in declared:
        if len(columns) > 1 and columns[:1] not in declared:
            db.conn.execute(f"DROP INDEX IF EXISTS [idx_{table}_{columns[0]}]")
