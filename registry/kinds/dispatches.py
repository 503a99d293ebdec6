"""The ``dispatches`` register: 附件2 发放单, the slips against which blanks leave the province (§四.(二)).

Blanks are handed out only after a requisition was approved: for every recipient and level, the
blanks dispatched by each slip's date — this register's slips and every other register's, earlier
or later, taken in date order — may not exceed what its requisitions approved by that day, nor,
all together, what was ever approved (`_Ledger`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Mapping
from typing import Any

from registry.domain.dates import BadDate, parse_date
from registry.domain.levels import QUANTITY_COLUMNS
from registry.domain.problems import Problem
from registry.domain.regions import PROVINCE
from registry.domain.registers import DISPATCHES
from registry.kinds.base import (
    Kind,
    LoadContext,
    RegisterEntry,
    keep_table,
    like_none,
    registered_twice,
)
from registry.kinds.blanks import read_quantities, recipient, total_of
from registry.kinds.cells import total_row
from registry.kinds.requisitions import APPROVED
from registry.sheets.cells import Cell, text
from registry.sheets.layout import Column, Layout, quantity_columns
from registry.sheets.table import Record, Table
from registry.store.blanks import replace_rows
from registry.store.schema import QUANTITY_FIELDS
from registry.store.writes import Applied

LAYOUT = Layout(
    DISPATCHES,
    "四川省机关事业单位工人技术等级（职务）资格证书发放单（附件2）",
    (
        Column("序号", required=False),
        Column("领取单位"),
        *quantity_columns(QUANTITY_COLUMNS),
        Column("合计", required=False, aliases=("合计(本)", "合计本")),
        Column("日期", aliases=("发放日期", "领取日期")),
        Column("经办人"),
    ),
)

Dispatch = dict[str, object]
"""A row of the ``dispatches`` table."""

Totals = Counter[tuple[str, str]]
"""Blanks per (recipient, quantity column)."""


class Approvals:
    """The approved requisitions of every recipient, per level, each from its approval date:
    blanks are handed out only against what was approved by the day of the 发放单 (§四.(二))."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        fields = ", ".join(QUANTITY_FIELDS[c] for c in QUANTITY_COLUMNS)
        rows = conn.execute(
            f"SELECT recipient, approved_on, {fields} FROM requisitions WHERE status = ?",
            (APPROVED,),
        ).fetchall()
        self._rows = sorted(rows, key=lambda row: row[1] or "")
        self._days = [row[1] or "" for row in self._rows]
        self._counted = 0
        self._totals: Totals = Counter()

    def ever(self) -> Totals:
        """Blanks ever approved."""
        return self._add(Counter(), self._rows)

    def until(self, day: str) -> Totals:
        """Blanks approved on or before ``day`` (ISO date). Asked day after day, as the ledger
        goes through the dispatches, each count goes on from the last — summing every
        approval for every dispatch made a register's check quadratic (7 s after ten years).
        The totals returned are valid until the next call."""
        end = bisect.bisect_right(self._days, day)
        if end < self._counted:  # an earlier day than the last: count again from the start
            self._counted, self._totals = 0, Counter()
        self._add(self._totals, self._rows[self._counted : end])
        self._counted = end
        return self._totals

    @staticmethod
    def _add(totals: Totals, rows: list[tuple[Any, ...]]) -> Totals:
        for who, _, *amounts in rows:
            for column, amount in zip(QUANTITY_COLUMNS, amounts, strict=True):
                totals[who, column] += amount or 0
        return totals


def _dispatched_elsewhere(
    conn: sqlite3.Connection, except_register: str
) -> list[tuple[str, str, dict[str, int], str]]:
    """(recipient, date, blanks per level, register) of every dispatch the other registers hold."""
    fields = ", ".join(QUANTITY_FIELDS[c] for c in QUANTITY_COLUMNS)
    return [
        (who, day, {c: n or 0 for c, n in zip(QUANTITY_COLUMNS, amounts, strict=True)}, register)
        for who, day, register, *amounts in conn.execute(
            f"SELECT recipient, dispatched_on, register, {fields} FROM dispatches"
            " WHERE register <> ?",
            (except_register,),
        )
    ]


def _check_row(
    record: Record, today: dt.date, problems: list[Problem]
) -> tuple[Dispatch | None, dict[str, int] | None]:
    start = len(problems)
    values = record.values

    def fail(column: str, value: Cell, rule: str, clause: str = "附件2") -> None:
        problems.append(Problem(record.row, column, text(value), rule, clause))

    unit = text(values.get("领取单位"))
    if summed := total_row(unit, values.get("序号")):
        fail("领取单位", unit, summed)
        return None, None
    if not unit:
        fail("领取单位", None, "领取单位为空")
    quantities = read_quantities(values, fail)
    if quantities is not None:
        handed = sum(quantities.values())
        if handed == 0:
            fail("领取单位", unit, "各等级数量均为 0")
        if values.get("合计") is not None:
            try:
                total = total_of(values.get("合计"))
            except ValueError as exc:
                fail("合计", values.get("合计"), str(exc))
            else:
                if total != handed:
                    fail("合计", values.get("合计"), f"合计应等于各等级数量之和 {handed}")
    day = None
    try:
        day = parse_date(values.get("日期") or "", not_after=today)
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


_IDENTITY = ("unit", "dispatched_on", *QUANTITY_FIELDS.values(), "handled_by")
"""What makes two rows one slip: the unit, the day, the blanks of each level and who handed
them out."""


def _twice(row: Mapping[str, object], where: str) -> Problem:
    rule = (
        f"{where}是同一笔发放（领取单位、日期、各等级数量和经办人都相同）：重复登记会使发放数"
        "加倍。如是同一张发放单改了文件名，请在清单中用原来的文件名；如是同一天的两次发放，"
        "请合并为一行"
    )
    return Problem(int(str(row["source_row"])), "领取单位", str(row["unit"]), rule, "§四.(二)")


Dispatched = tuple[str, str, dict[str, int], str | None, int | None]
"""(recipient, date, blanks per level, another register's name, this register's row)."""


def check_dispatches(
    table: Table, entry: RegisterEntry, context: LoadContext
) -> tuple[list[Problem], list[Dispatch]]:
    """Every problem of a dispatch register, including blanks beyond approved requisitions."""
    problems: list[Problem] = []
    mine: list[Dispatched] = []
    rows = []
    for record in table.records:
        row, quantities = _check_row(record, context.today, problems)
        if row is not None and quantities is not None:
            rows.append(row)
            who, day = str(row["recipient"]), str(row["dispatched_on"])
            mine.append((who, day, quantities, None, record.row))
    if not problems:  # one slip, one row: pasted twice, or a loaded file renamed
        problems = registered_twice(context.conn, entry, "dispatches", _IDENTITY, rows, _twice)
    if not problems:  # a slip keeping two of its unit (as written), its day, its quantities
        weights = {("unit",): 1, ("dispatched_on",): 1, tuple(QUANTITY_FIELDS.values()): 1}
        problems = like_none(
            context.conn, entry, "dispatches", rows, weights, 2, "笔发放", "§四.(二)"
        )
    others: list[Dispatched] = [(*d, None) for d in _dispatched_elsewhere(context.conn, entry.key)]
    ledger = _Ledger(Approvals(context.conn), [*others, *mine], mine)
    return problems + ledger.overdrawn(), rows


class _Ledger:
    """All dispatches — this register's and the others' — counted in the order of their dates
    (a correction of 2012's slip is not judged after 2013's). By every dispatch, the blanks a
    recipient got of a level may not exceed what was approved by that day — another register's
    later one too, which this register's earlier slips may push over —, nor, all of them
    together, what was ever approved (§四.(二)). Each is reported on this register's rows."""

    def __init__(
        self, approvals: Approvals, dispatched: list[Dispatched], mine: list[Dispatched]
    ) -> None:
        self.approvals = approvals
        self.approved = approvals.ever()
        self.ordered = sorted(dispatched, key=lambda d: (d[1], d[4] is not None, d[4] or 0))
        self.grand: Totals = Counter()
        for who, _, quantities, _, _ in self.ordered:
            for column, amount in quantities.items():
                self.grand[who, column] += amount
        self.last_mine = {(who, c): line for who, _, q, _, line in mine for c, n in q.items() if n}
        self.running: Totals = Counter()
        self.latest: dict[tuple[str, str], tuple[int, int]] = {}
        """this register's latest row so far and its blanks, per recipient and level"""
        self.told: set[tuple[str, str]] = set()
        self.over: set[tuple[str, str]] = set()
        """recipients and levels this register takes past every approval (told once)"""

    def overdrawn(self) -> list[Problem]:
        problems = []
        for who, day, quantities, register, line in self.ordered:
            by_then = self.approvals.until(day)
            for column, amount in quantities.items():
                self.running[who, column] += amount
                if not amount:
                    continue
                if line is not None:
                    self.latest[who, column] = line, amount
                limit = self._limit(who, column, day, register, line, by_then)
                if limit:
                    total, others, which = limit
                    rule = (
                        f"{who}{column}累计发放 {total} 本（{others} {total - amount} 本），{which}"
                    )
                    row, written = self.latest[who, column]  # told on this register's own row
                    # more approvals may come with a requisitions register later in the run
                    problem = Problem(row, column, str(written), rule, "§四.(二)", waits=True)
                    problems.append(problem)
        return problems

    def _limit(
        self,
        who: str,
        column: str,
        day: str,
        register: str | None,
        line: int | None,
        by_then: Totals,
    ) -> tuple[int, str, str] | None:
        """(the total, what the other dispatches in it are, which limit it passes) when this
        dispatch passes one to be told."""
        key = (who, column)
        # before an approval that came later (not merely past the total approved by then)
        early = by_then[key] < min(self.running[key], self.approved[key])
        if (
            line is not None
            and self.last_mine[key] == line
            and self.grand[key] > self.approved[key]
        ):
            self.over.add(key)  # another register's later dispatch it pushes over: said here
            before = (
                f"；且发放日期 {day} 时省厅只批准了 {by_then[key]} 本：发放不能早于申领计划的批准"
                if early
                else ""
            )
            return (
                self.grand[key],
                "其他各次发放共",
                (
                    f"超过经省厅批准的申领数 {self.approved[key]} 本{before}。请核对发放数量和日期；"
                    "如另有批准的申领计划，请先导入它（申领计划表），再导入本发放单"
                ),
            )
        if not early or key not in self.latest:
            return None
        # each of this register's early slips is told; another register's dispatch it pushes
        # past the approvals of its day, once (on this register's latest row)
        if line is None and (key in self.told or key in self.over):
            return None
        self.told.add(key)
        then = f" {day}（发放单“{register}”的发放）" if line is None else f"发放日期 {day} "
        return (
            self.running[key],
            "此前已发",
            f"而截至{then}省厅只批准了 {by_then[key]} 本：发放不能早于申领计划的批准",
        )


def apply_dispatches(
    conn: sqlite3.Connection, entry: RegisterEntry, rows: list[Dispatch], sync_id: int, at: str
) -> Applied:
    return replace_rows(conn, "dispatches", entry.key, rows, "source_row", sync_id)


def entry_rule(entry: RegisterEntry) -> str | None:
    if entry.authority != PROVINCE:
        return f"发放单由省人力资源和社会保障厅出具（附件2），authority 应为 2200，不是 {entry.authority}"
    return None


KIND: Kind[Table, list[Dispatch]] = Kind(
    LAYOUT, check_dispatches, apply_dispatches, keep_table, entry_rule=entry_rule
)
