"""What a new version of a requisitions register (附件1) may not take back: the approvals the
dispatches (附件2) drew on. Blanks are handed out only against requisitions approved by then
(§四.(二)), so a version may not approve less, or later, than was handed out — the stock would
show blanks from nowhere."""

from __future__ import annotations

import sqlite3
from collections import Counter

from registry.domain.levels import QUANTITY_COLUMNS
from registry.domain.problems import Problem
from registry.domain.statuses import APPROVED
from registry.kinds.base import RegisterEntry
from registry.store.schema_stock import QUANTITY_FIELDS

Requisition = dict[str, object]
"""A row of the ``requisitions`` table."""

_FIELDS = [QUANTITY_FIELDS[column] for column in QUANTITY_COLUMNS]


def _approvals(
    conn: sqlite3.Connection, entry: RegisterEntry, rows: list[Requisition]
) -> list[tuple[str, str, str, int]]:
    """(day, recipient, level, blanks) of every approval — the other registers' and this
    version's — in the order of their days."""
    others = conn.execute(
        f"SELECT recipient, approved_on, {', '.join(_FIELDS)} FROM requisitions"
        " WHERE status = ? AND register <> ?",
        (APPROVED, entry.key),
    )
    mine = [
        (row["recipient"], row["approved_on"], *(row.get(f) for f in _FIELDS))
        for row in rows
        if row["status"] == APPROVED
    ]
    return sorted(
        (str(day or ""), str(who), column, int(amount or 0))
        for who, day, *amounts in [*others, *mine]
        for column, amount in zip(QUANTITY_COLUMNS, amounts, strict=True)
    )


def _loaded(conn: sqlite3.Connection, entry: RegisterEntry) -> dict[tuple[object, ...], int]:
    """(unit, row, field) → what the loaded version's row asked."""
    return {
        (unit, line, field): int(amount or 0)
        for unit, line, *amounts in conn.execute(
            f"SELECT unit, source_row, {', '.join(_FIELDS)} FROM requisitions WHERE register = ?",
            (entry.key,),
        )
        for field, amount in zip(_FIELDS, amounts, strict=True)
    }


def _named(
    own: list[Requisition], field: str, day: str, loaded: dict[tuple[object, ...], int]
) -> Requisition | None:
    """The row a refusal names — by its own cell, not every version's total: one asking less
    than the loaded version did, else the last approved by ``day`` asking for the level."""
    lowered = [
        r
        for r in own
        if int(str(r.get(field) or 0)) < loaded.get((r["unit"], r["source_row"], field), 0)
    ]
    asking = [
        r
        for r in own
        if r["status"] == APPROVED and str(r["approved_on"] or "") <= day and r.get(field)
    ]
    candidates = lowered or asking or own
    return candidates[-1] if candidates else None


def dispatched_beyond(
    conn: sqlite3.Connection, entry: RegisterEntry, rows: list[Requisition]
) -> list[Problem]:
    """A problem for each recipient and level whose blanks dispatched by some day exceed what
    this version (with the other registers) approved by then."""
    approvals = _approvals(conn, entry, rows)
    loaded = _loaded(conn, entry)
    of: dict[str, list[Requisition]] = {}
    for row in rows:
        of.setdefault(str(row["recipient"]), []).append(row)
    approved: Counter[tuple[str, str]] = Counter()
    handed: Counter[tuple[str, str]] = Counter()
    refused: set[tuple[str, str]] = set()
    problems = []
    dispatches = conn.execute(
        f"SELECT recipient, dispatched_on, {', '.join(_FIELDS)} FROM dispatches"
        " ORDER BY dispatched_on"
    )
    for who, day, *amounts in dispatches:
        while approvals and approvals[0][0] <= day:
            _, by, column, amount = approvals.pop(0)
            approved[by, column] += amount
        for column, amount in zip(QUANTITY_COLUMNS, amounts, strict=True):
            handed[who, column] += amount or 0
            if handed[who, column] <= approved[who, column] or (who, column) in refused:
                continue
            refused.add((who, column))
            rule = (
                f"发放单于 {day} 已向{who}累计发放{column}空白证书 {handed[who, column]} 本，"
                f"而按本版本截至该日经省厅批准的申领只有 {approved[who, column]} 本："
                "已发放的证书须有此前批准的申领计划。如申领确有更正，请先更正发放单"
            )
            field = QUANTITY_FIELDS[column]
            named = _named(of.get(who, []), field, day, loaded)
            value = str(named.get(field)) if named else str(approved[who, column])
            line = int(str(named["source_row"])) if named else None
            problems.append(Problem(line, column, value, rule, "§四.(二)"))
    return problems
