"""The ledger of blank certificates dispatched (§四.(二)): every dispatch — a register's own slips
and every other register's — counted in date order against the requisitions approved by each
day, and against all ever approved."""

from __future__ import annotations

import bisect
import sqlite3
from collections import Counter
from typing import Any

from registry.domain.levels import QUANTITY_COLUMNS
from registry.domain.problems import Problem
from registry.domain.statuses import APPROVED, PENDING, REFUSED
from registry.store.schema_stock import QUANTITY_FIELDS

Totals = Counter[tuple[str, str]]
"""Blanks per (recipient, quantity column)."""


Dispatched = tuple[str, str, dict[str, int], str | None, int | None]
"""(recipient, date, blanks per level, another register's name, this register's row)."""


def _where(conn: sqlite3.Connection, status: str) -> dict[tuple[str, str], tuple[str, int]]:
    """Per recipient and level asked for, the register and row of its requisition in
    ``status`` (of several, the last)."""
    fields = ", ".join(QUANTITY_FIELDS[c] for c in QUANTITY_COLUMNS)
    return {
        (who, column): (register, row)
        for who, register, row, *amounts in conn.execute(
            f"SELECT recipient, register, source_row, {fields} FROM requisitions"
            " WHERE status = ? ORDER BY register, source_row",
            (status,),
        )
        for column, amount in zip(QUANTITY_COLUMNS, amounts, strict=True)
        if amount
    }


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
        self.pending = _where(conn, PENDING)
        """per recipient and level, a requisition of it still waiting for the province's opinion"""
        self.refused = _where(conn, REFUSED)
        """per recipient and level, a requisition of it the province refused (不同意)"""
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


def dispatched_elsewhere(
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


class Ledger:
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
            if waiting := self.approvals.pending.get(key):  # approved, it may well cover this
                before += (
                    f"；{who}在申领计划表“{waiting[0]}”第{waiting[1]}行的申领计划尚待省厅批准，"
                    "批准并导入后才能据以发放"
                )
            elif refused := self.approvals.refused.get(key):  # said, not "if another exists"
                before += (
                    f"；{who}在申领计划表“{refused[0]}”第{refused[1]}行的申领计划省厅未批准，"
                    "不能据以发放"
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
