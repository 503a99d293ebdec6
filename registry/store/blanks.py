"""Writes of the blank-certificate registers (``requisitions``, ``dispatches``, ``collections``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

from registry.domain.problems import Problem
from registry.store.schema_stock import BLANK_COLUMNS, QUANTITY_FIELDS
from registry.store.writes import Applied, tables

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
    blanks went out, before a correction). A record the version left as it was keeps the sync
    that first loaded it: when it was registered is not when the file was last saved.
    """
    db = tables(conn)
    loaded = list(db.table(table).rows_where("register = ?", [register]))
    kept, added, gone = _match(loaded, rows, key)
    first = {id(now): record["sync"] for record, now in kept if _content(record) == _content(now)}
    db.table(table).delete_where("register = ?", [register])
    db.table(table).insert_all(
        {**row, "register": register, "sync": first.get(id(row), sync_id)} for row in rows
    )
    history = [
        (_label(record, key), f, value, now.get(f))
        for record, now in kept
        for f, value in record.items()
        if f not in _BOOKKEEPING and now.get(f) != value
    ]
    history += [
        (_label(record, key), f, value, None)
        for record in gone
        for f, value in record.items()
        if f not in _BOOKKEEPING and f != key and value is not None
    ]
    db.table("blank_history").insert_all(
        dict(
            zip(("record", "field", "old", "new"), change, strict=True),
            sync=sync_id,
            kind=table,
            register=register,
        )
        for change in history
    )
    changed = sum(_content(record) != _content(now) for record, now in kept)
    cells = BLANK_COLUMNS.get(table, {})
    changes = [  # the clerk's report names each cell, where the new version has it
        (_shown_at(now, key), cells[f], value, now.get(f))
        for record, now in kept
        for f, value in record.items()
        if f in cells and now.get(f) != value
    ]
    conflicts = [
        Problem(
            None,
            None,
            str(record[key]),
            f"新版本中没有此记录（原第{record['source_row']}行{_what(record)}），已随新版本删除；"
            "删除前的内容保留在“申领、发放、领取记录的更正”中",
            None,
        )
        for record in gone
    ]
    return Applied(len(added), changed, conflicts, changes)


def _match(
    loaded: list[dict[str, object]], rows: Sequence[Mapping[str, object]], key: str
) -> tuple[
    list[tuple[dict[str, object], Mapping[str, object]]],
    list[Mapping[str, object]],
    list[dict[str, object]],
]:
    """(loaded record and the row it became, rows new, loaded records gone). Records keyed by
    what they are (a collection by its certificate's number) are matched by that key; those
    known only by their row (a requisition, a dispatch slip) by their whole content — a slip
    inserted above would otherwise read as every later slip rewritten — and what is left by
    likeness: a record and a row agreeing in most of their fields are one record corrected (a
    requisition approved, a slip's count fixed), not one deleted and one new."""
    if key != "source_row":
        new = {row[key]: row for row in rows}
        kept = [(record, new[record[key]]) for record in loaded if record[key] in new]
        gone = [record for record in loaded if record[key] not in new]
        known = {record[key] for record in loaded}
        return kept, [row for row in rows if row[key] not in known], gone
    waiting: dict[tuple[tuple[str, object], ...], list[Mapping[str, object]]] = {}
    for row in rows:
        waiting.setdefault(_content(row), []).append(row)
    kept, unmatched = [], []
    for record in loaded:
        same = waiting.get(_content(record))
        if same:
            kept.append((record, same.pop(0)))
        else:
            unmatched.append(record)
    added = [row for rows_ in waiting.values() for row in rows_]
    gone = []
    for record in unmatched:
        alike = next((row for row in added if _alike(record, row)), None)
        if alike is None:
            gone.append(record)
        else:
            kept.append((record, alike))
            added.remove(alike)
    return kept, added, gone


def _alike(record: Mapping[str, object], row: Mapping[str, object]) -> bool:
    """Whether ``row`` is ``record`` corrected: most of their fields agree."""
    fields = [f for f in row if f not in _BOOKKEEPING]
    return 2 * sum(record.get(f) == row[f] for f in fields) > len(fields)


def _what(record: Mapping[str, object]) -> str:
    """What a requisition's or dispatch's record said, for the report of its removal: its unit,
    quantities and date (a clerk's review: 整个文件“6”：新版本中没有此记录（原第6行） named a
    row number alone)."""
    if "unit" not in record:  # a collection: the certificate number names it already
        return ""
    counts = "、".join(
        f"{column} {record[field]} 本"
        for column, field in QUANTITY_FIELDS.items()
        if record.get(field)
    )
    day = record.get("dispatched_on") or record.get("approved_on")
    return "：" + "，".join(str(part) for part in (record["unit"], counts, day) if part)


def _shown_at(record: Mapping[str, object], key: str) -> str:
    """A record as the clerk's report names it: 第3行 德阳市, or the certificate it is about."""
    if key != "source_row":
        return str(record[key])
    return f"第{record['source_row']}行 {record.get('unit') or ''}".rstrip()


def _label(record: Mapping[str, object], key: str) -> object:
    """How the history names a record gone: its key, or the row it had."""
    return f"原第{record['source_row']}行" if key == "source_row" else record[key]


def _content(row: Mapping[str, object]) -> tuple[tuple[str, object], ...]:
    return tuple(sorted((f, v) for f, v in row.items() if f not in _BOOKKEEPING))
