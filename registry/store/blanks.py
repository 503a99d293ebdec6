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
    conflict so staff see it in the sync history.
    """
    applied = Applied()
    fields = list(rows[0]) if rows else []
    cursor = conn.execute(f"SELECT * FROM [{table}] WHERE register = ?", (register,))
    names = [d[0] for d in cursor.description]
    old = {row[key]: row for row in (dict(zip(names, r, strict=True)) for r in cursor)}
    conn.execute(f"DELETE FROM [{table}] WHERE register = ?", (register,))
    for row in rows:
        previous = old.pop(row[key], None)
        if previous is None:
            applied.added += 1
        elif any(previous.get(f) != row[f] for f in fields if f != "source_row"):
            applied.changed += 1
    columns = [*fields, "register", "sync"]
    conn.executemany(
        f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)})"
        f" VALUES ({', '.join('?' * len(columns))})",
        [[*row.values(), register, sync_id] for row in rows],
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
