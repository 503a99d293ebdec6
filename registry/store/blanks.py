"""Writes of the blank-certificate registers (``requisitions``, ``dispatches``, ``collections``)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence

from registry.domain.problems import Problem
from registry.store.writes import Applied

_BOOKKEEPING = ("id", "register", "sync", "source_row")
"""Columns of a record that say where it was, not what it says."""


def replace_rows(
    conn: sqlite3.Connection,
    table: str,
    register: str,
    rows: Sequence[Mapping[str, object]],
    key: str,
    sync_id: int,
) -> Applied:
    """Make ``rows`` the content of ``register`` in ``table``; count what was added or changed.

    A new version of a requisition, dispatch or collection register replaces the previous one
    (matched by ``key``). A record missing from the new version is removed and reported as a
    conflict so staff see it in the sync history; what a version changed or removed keeps its
    old values in ``blank_history`` (an auditor asks who signed for a certificate, how many
    blanks went out, before a correction).
    """
    applied = Applied()
    fields = list(rows[0]) if rows else []
    cursor = conn.execute(f"SELECT * FROM [{table}] WHERE register = ?", (register,))
    names = [d[0] for d in cursor.description]
    loaded = [dict(zip(names, r, strict=True)) for r in cursor]
    old = {row[key]: row for row in loaded}
    conn.execute(f"DELETE FROM [{table}] WHERE register = ?", (register,))
    for row in rows:
        previous = old.pop(row[key], None)
        if previous is None:
            applied.added += 1
        else:
            applied.changed += any(
                previous.get(f) != row[f] for f in fields if f not in _BOOKKEEPING
            )
    columns = [*fields, "register", "sync"]
    conn.executemany(
        f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)})"
        f" VALUES ({', '.join('?' * len(columns))})",
        [[*row.values(), register, sync_id] for row in rows],
    )
    conn.executemany(
        "INSERT INTO blank_history (sync, kind, register, record, field, old, new)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(sync_id, table, register, *change) for change in _history(loaded, rows, key)],
    )
    applied.conflicts = [
        Problem(
            None,
            None,
            str(value),
            f"新版本中没有此记录（原第{row['source_row']}行），已随新版本删除",
            None,
        )
        for value, row in old.items()
    ]
    return applied


def _history(
    loaded: list[dict[str, object]], rows: Sequence[Mapping[str, object]], key: str
) -> list[tuple[object, str, object, object]]:
    """(record, field, old, new) of what a new version changed or removed. Records keyed by
    what they are (a collection by its certificate's number) are compared field by field; those
    known only by their row (a requisition, a dispatch slip) by their whole content — a slip
    inserted above would otherwise read as every later slip rewritten: a record whose content
    the new version no longer has is recorded as gone, with all its values."""
    if key != "source_row":
        new = {row[key]: row for row in rows}
        changes: list[tuple[object, str, object, object]] = []
        for record in loaded:
            now = new.get(record[key])
            for f, value in record.items():
                if f in _BOOKKEEPING or f == key:
                    continue
                if now is None and value is not None:  # removed: every value it had
                    changes.append((record[key], f, value, None))
                elif now is not None and now.get(f) != value:
                    changes.append((record[key], f, value, now.get(f)))
        return changes
    kept = Counter(_content(row) for row in rows)
    gone: list[tuple[object, str, object, object]] = []
    for record in loaded:
        content = _content(record)
        if kept[content]:
            kept[content] -= 1
            continue
        gone += [
            (f"原第{record['source_row']}行", f, value, None)
            for f, value in record.items()
            if f not in _BOOKKEEPING and value is not None
        ]
    return gone


def _content(row: Mapping[str, object]) -> tuple[tuple[str, object], ...]:
    return tuple(sorted((f, v) for f, v in row.items() if f not in _BOOKKEEPING))
