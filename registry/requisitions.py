"""The ``requisitions`` register: 附件1 申领计划表, one row (or one form) per requisition (§四.(一)).

Each requisition names its unit, the blanks it asks for per level and their 合计, and the two
opinions. A city unit's requisition goes through the city bureau, so it needs the city's opinion;
a provincial-direct unit's goes straight to the province. A requisition counts as *approved* once
the province's 职业能力建设处 agreed, from the date of that opinion; blank means still pending.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from registry.blanks import (
    QUANTITY_FIELDS,
    Opinion,
    opinion,
    quantity,
    read_quantities,
    recipient,
    replace_rows,
    text,
)
from registry.loading import LoadContext, Outcome
from registry.manifest import RegisterEntry
from registry.problems import Problem
from registry.readers import Cell, Record, Table
from registry.regions import PROVINCE, region_name
from registry.requisition_form import row_of

Requisition = dict[str, object]
"""A row of the ``requisitions`` table."""

CITY_OPINION = "市（州）意见"
PROVINCE_OPINION = "省厅意见"


def _status(province: Opinion) -> str:
    if province.agreed is None:
        return "pending"
    return "approved" if province.agreed else "refused"


def _check_row(
    record: Record, entry: RegisterEntry, today: dt.date, problems: list[Problem]
) -> Requisition | None:
    start = len(problems)
    values = record.values

    def fail(column: str, value: Cell, rule: str, clause: str = "附件1") -> None:
        problems.append(Problem(row_of(record, column), column, text(value), rule, clause))

    unit = text(values.get("单位"))
    if not unit:
        fail("单位", None, "申领单位为空")
    who = recipient(unit)
    if unit and entry.authority != PROVINCE and who.city != entry.authority:
        fail(
            "单位",
            unit,
            f"本登记由{region_name(entry.authority)}报送，只能包含本市（州）单位的申领计划",
            "§四.(一)",
        )

    quantities = read_quantities(values, fail)
    if quantities is not None:
        requested = sum(quantities.values())
        try:
            total = quantity(values.get("合计"))
        except ValueError as exc:
            fail("合计", values.get("合计"), str(exc))
        else:
            if values.get("合计") is None or total != requested:
                fail("合计", values.get("合计"), f"合计应等于各等级数量之和 {requested}")
        if requested == 0:
            fail("合计", values.get("合计"), "申领数量均为 0，不需要填写申领计划表", "§四.(一)")

    opinions: dict[str, Opinion] = {}
    for column in (CITY_OPINION, PROVINCE_OPINION):
        try:
            opinions[column] = opinion(values.get(column), today)
        except ValueError as exc:
            fail(column, values.get(column), str(exc))
    city, province = opinions.get(CITY_OPINION), opinions.get(PROVINCE_OPINION)
    if who.city and city is not None:
        if city.agreed is None:
            fail(
                CITY_OPINION,
                None,
                f"{who.name}所属单位的申领计划须先经市（州）人力资源和社会保障行政部门签署意见",
                "§四.(一)、附件1",
            )
        elif not city.agreed and province is not None and province.agreed:
            fail(PROVINCE_OPINION, values.get(PROVINCE_OPINION), "市（州）不同意的申领计划不能批准")
    if (
        city is not None
        and province is not None
        and city.on
        and province.on
        and province.agreed
        and province.on < city.on
    ):
        fail(
            PROVINCE_OPINION,
            values.get(PROVINCE_OPINION),
            f"省厅批准日期早于市（州）意见日期 {city.on.isoformat()}",
        )

    if len(problems) > start or quantities is None or city is None or province is None:
        return None
    return {
        "source_row": record.row,
        "unit": unit,
        "recipient": who.name,
        "city": who.city,
        "contact": text(values.get("联系人")) or None,
        "phone": text(values.get("联系电话")) or None,
        **{QUANTITY_FIELDS[c]: n for c, n in quantities.items()},
        "total": sum(quantities.values()),
        "city_opinion": text(values.get(CITY_OPINION)) or None,
        "city_agreed_on": city.on.isoformat() if city.agreed and city.on else None,
        "province_opinion": text(values.get(PROVINCE_OPINION)) or None,
        "approved_on": province.on.isoformat() if province.agreed and province.on else None,
        "status": _status(province),
    }


def check_requisitions(
    table: Table, entry: RegisterEntry, context: LoadContext
) -> tuple[list[Problem], list[Requisition]]:
    """Every problem of a requisitions register, and its rows when there is none (SPEC §9)."""
    problems: list[Problem] = []
    if not table.records:
        return [Problem(None, None, None, "登记表没有任何数据行，不能导入", "SPEC §4")], []
    rows = [_check_row(record, entry, context.today, problems) for record in table.records]
    return problems, [row for row in rows if row is not None]


def apply_requisitions(
    conn: sqlite3.Connection, outcome: Outcome, rows: list[Requisition], sync_id: int, at: str
) -> None:
    replace_rows(conn, "requisitions", outcome.entry.key, rows, "source_row", outcome, sync_id)
