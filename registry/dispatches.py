"""The ``dispatches`` register: 附件2 发放单, the slips against which blanks leave the province (§四.(二)).

Blanks are handed out only after a requisition was approved: for every recipient and level, the
blanks dispatched so far (earlier dispatch registers plus this one, row by row) may not exceed
what its approved requisitions asked for.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter

from registry.blanks import (
    QUANTITY_FIELDS,
    quantity,
    read_quantities,
    recipient,
    replace_rows,
    text,
)
from registry.dates import BadDate, parse_date
from registry.layouts import QUANTITY_COLUMNS
from registry.loading import LoadContext, Outcome
from registry.manifest import RegisterEntry
from registry.problems import Problem
from registry.readers import Cell, Record, Table

Dispatch = dict[str, object]
"""A row of the ``dispatches`` table."""

Totals = Counter[tuple[str, str]]
"""Blanks per (recipient, quantity column)."""


def _totals(conn: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> Totals:
    totals: Totals = Counter()
    for row in conn.execute(sql, params):
        for column, amount in zip(QUANTITY_COLUMNS, row[1:], strict=True):
            totals[row[0], column] += amount or 0
    return totals


def approved_blanks(conn: sqlite3.Connection) -> Totals:
    """What the approved requisitions of every recipient asked for, per level."""
    fields = ", ".join(QUANTITY_FIELDS[c] for c in QUANTITY_COLUMNS)
    return _totals(
        conn, f"SELECT recipient, {fields} FROM requisitions WHERE status = 'approved'", ()
    )


def dispatched_blanks(conn: sqlite3.Connection, except_register: str) -> Totals:
    """Blanks already dispatched, per recipient and level, by every other dispatch register."""
    fields = ", ".join(QUANTITY_FIELDS[c] for c in QUANTITY_COLUMNS)
    return _totals(
        conn,
        f"SELECT recipient, {fields} FROM dispatches WHERE register <> ?",
        (except_register,),
    )


def _check_row(
    record: Record, today: dt.date, problems: list[Problem]
) -> tuple[Dispatch | None, dict[str, int] | None]:
    start = len(problems)
    values = record.values

    def fail(column: str, value: Cell, rule: str, clause: str = "附件2") -> None:
        problems.append(Problem(record.row, column, text(value), rule, clause))

    unit = text(values.get("领取单位"))
    if not unit:
        fail("领取单位", None, "领取单位为空")
    quantities = read_quantities(values, fail)
    if quantities is not None:
        handed = sum(quantities.values())
        if handed == 0:
            fail("领取单位", unit, "各等级数量均为 0")
        if values.get("合计") is not None:
            try:
                total = quantity(values.get("合计"))
            except ValueError as exc:
                fail("合计", values.get("合计"), str(exc))
            else:
                if total != handed:
                    fail("合计", values.get("合计"), f"合计应等于各等级数量之和 {handed}")
    day = None
    try:
        day = parse_date(values.get("日期") or "")
        if day > today:
            fail("日期", values.get("日期"), "日期在将来，请核对", "SPEC §5")
    except BadDate as exc:
        fail("日期", values.get("日期"), str(exc))
    handler = text(values.get("经办人"))
    if not handler:
        fail("经办人", None, "发放须有经办人（指定专人负责）", "§五.(一)")
    if len(problems) > start or quantities is None or day is None:
        return None, quantities
    who = recipient(unit)
    row: Dispatch = {
        "source_row": record.row,
        "unit": unit,
        "recipient": who.name,
        "city": who.city,
        **{QUANTITY_FIELDS[c]: n for c, n in quantities.items()},
        "total": sum(quantities.values()),
        "dispatched_on": day.isoformat(),
        "handled_by": handler,
    }
    return row, quantities


def check_dispatches(
    table: Table, entry: RegisterEntry, context: LoadContext
) -> tuple[list[Problem], list[Dispatch]]:
    """Every problem of a dispatch register, including blanks beyond approved requisitions."""
    if not table.records:
        return [Problem(None, None, None, "登记表没有任何数据行，不能导入", "SPEC §4")], []
    problems: list[Problem] = []
    approved = approved_blanks(context.conn)
    handed = dispatched_blanks(context.conn, entry.key)
    rows = []
    for record in table.records:
        row, quantities = _check_row(record, context.today, problems)
        if row is None or quantities is None:
            continue
        rows.append(row)
        who = str(row["recipient"])
        for column, amount in quantities.items():
            if not amount:
                continue
            before = handed[who, column]
            handed[who, column] += amount
            allowed = approved[who, column]
            if handed[who, column] > allowed:
                problems.append(
                    Problem(
                        record.row,
                        column,
                        str(amount),
                        f"{who}{column}累计发放 {handed[who, column]} 本（此前已发 {before} 本），"
                        f"超过经省厅批准的申领数 {allowed} 本",
                        "§四.(二)",
                    )
                )
    return problems, rows


def apply_dispatches(
    conn: sqlite3.Connection, outcome: Outcome, rows: list[Dispatch], sync_id: int, at: str
) -> None:
    replace_rows(conn, "dispatches", outcome.entry.key, rows, "source_row", outcome, sync_id)
