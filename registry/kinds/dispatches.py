"""The ``dispatches`` register: 附件2 发放单, the slips against which blanks leave the province (§四.(二)).

Blanks are handed out only after a requisition was approved: for every recipient and level, the
blanks dispatched by each slip's date — this register's slips and every other register's, earlier
or later, taken in date order — may not exceed what its requisitions approved by that day, nor,
all together, what was ever approved (`registry.kinds.dispatch_ledger`).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping

from registry.domain.dates import FIRST_DAY, BadDate, parse_date
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
from registry.kinds.blanks import check_total, county_problem, read_quantities, recipient
from registry.kinds.closing_total import closing_total, counted_rows, total_problems
from registry.kinds.dispatch_ledger import Approvals, Dispatched, Ledger, dispatched_elsewhere
from registry.kinds.not_records import total_row
from registry.kinds.roster_units import nearest_recipient
from registry.sheets.cells import Cell, text
from registry.sheets.layout import Column, Layout, quantity_columns
from registry.sheets.table import Record, Table
from registry.store.blanks import replace_rows
from registry.store.schema_stock import QUANTITY_FIELDS
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
    if unsure := county_problem(unit):
        fail("领取单位", unit, unsure)
    if not unit:
        fail("领取单位", None, "领取单位为空：请填写领取空白证书的单位名称")
    quantities = read_quantities(values, fail)
    if quantities is not None:
        if sum(quantities.values()) == 0:
            fail("领取单位", unit, "各等级数量均为 0：请填写发放的本数，或删除此行")
        check_total(values, quantities, fail, required=False)
    day = None
    try:
        day = parse_date(values.get("日期") or "", not_after=today, not_before=FIRST_DAY)
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


def check_dispatches(
    table: Table, entry: RegisterEntry, context: LoadContext
) -> tuple[list[Problem], list[Dispatch]]:
    """Every problem of a dispatch register, including blanks beyond approved requisitions."""
    problems: list[Problem] = []
    mine: list[Dispatched] = []
    rows = []
    records, total = closing_total(table.records, "领取单位")
    for record in records:
        row, quantities = _check_row(record, context.today, problems)
        if row is not None and quantities is not None:
            rows.append(row)
            who, day = str(row["recipient"]), str(row["dispatched_on"])
            mine.append((who, day, quantities, None, record.row))
    if total is not None and not problems:  # a summary table's 合计 line: its sums, not a row
        problems = total_problems(total, rows, "§四.(二)、附件2")
    if not problems:  # one slip, one row: pasted twice, or a loaded file renamed
        problems = registered_twice(context.conn, entry, "dispatches", _IDENTITY, rows, _twice)
    if not problems:  # a slip keeping two of its unit (as written), its day, its quantities
        weights = {("unit",): 1, ("dispatched_on",): 1, tuple(QUANTITY_FIELDS.values()): 1}
        problems = like_none(
            context.conn, entry, "dispatches", rows, weights, 2, "笔发放", "§四.(二)"
        )
    requested = {row[0] for row in context.conn.execute(_REQUESTED)}
    problems += [_unrequested(row, requested) for row in rows if row["recipient"] not in requested]
    mine = [d for d in mine if d[0] in requested]  # else each level told it passes 0 approved
    others: list[Dispatched] = [(*d, None) for d in dispatched_elsewhere(context.conn, entry.key)]
    ledger = Ledger(Approvals(context.conn), [*others, *mine], mine)
    return problems + ledger.overdrawn(), rows


_REQUESTED = "SELECT DISTINCT recipient FROM requisitions"


def _unrequested(row: Mapping[str, object], requested: set[str]) -> Problem:
    """A slip to a recipient no requisition names: a unit's name written otherwise than on its
    申领计划 (省水利厅机关服务中心 for 四川省水利厅（机关服务中心）) — said of the name, not
    as every level passing the 0 blanks approved. Waits: the requisitions may load later."""
    unit, who = str(row["unit"]), str(row["recipient"])
    close = nearest_recipient(who, requested)
    rule = f"没有“{who}”的申领计划（附件1）：发放须依据经省厅批准的申领计划。" + (
        f"是否为“{close}”？领取单位须与申领计划表中的单位名称一致"
        if close
        else "请核对领取单位的名称，或先导入该单位的申领计划"
    )
    return Problem(int(str(row["source_row"])), "领取单位", unit, rule, "§四.(二)", waits=True)


def apply_dispatches(
    conn: sqlite3.Connection, entry: RegisterEntry, rows: list[Dispatch], sync_id: int, at: str
) -> Applied:
    return replace_rows(conn, "dispatches", entry.key, rows, "source_row", sync_id)


def entry_rule(entry: RegisterEntry) -> str | None:
    if entry.authority != PROVINCE:
        return f"发放单由省人力资源和社会保障厅出具（附件2），authority 应为 2200，不是 {entry.authority}"
    return None


KIND: Kind[Table, list[Dispatch]] = Kind(
    layout=LAYOUT,
    check_alone=keep_table,
    validate=check_dispatches,
    apply=apply_dispatches,
    entry_rule=entry_rule,
    rows=counted_rows("领取单位"),
)
