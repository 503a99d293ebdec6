"""Writes of the blank-certificate registers (``requisitions``, ``dispatches``, ``collections``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

from registry.domain.problems import Problem
from registry.store.writes import Applied


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
    history: list[tuple[object, ...]] = []
    fields = list(rows[0]) if rows else []
    cursor = conn.execute(f"SELECT * FROM [{table}] WHERE register = ?", (register,))
    names = [d[0] for d in cursor.description]
    old = {row[key]: row for row in (dict(zip(names, r, strict=True)) for r in cursor)}
    conn.execute(f"DELETE FROM [{table}] WHERE register = ?", (register,))
    for row in rows:
        previous = old.pop(row[key], None)
        if previous is None:
            applied.added += 1
        else:
            changed = [f for f in fields if f != "source_row" and previous.get(f) != row[f]]
            applied.changed += bool(changed)
            history += [(row[key], f, previous.get(f), row[f]) for f in changed]
    columns = [*fields, "register", "sync"]
    conn.executemany(
        f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)})"
        f" VALUES ({', '.join('?' * len(columns))})",
        [[*row.values(), register, sync_id] for row in rows],
    )
    history += [
        (value, f, row[f], None)
        for value, row in old.items()
        for f in row
        if f not in ("id", "register", "sync") and row[f] is not None
    ]
    conn.executemany(
        "INSERT INTO blank_history (sync, kind, register, record, field, old, new)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(sync_id, table, register, *change) for change in history],
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
