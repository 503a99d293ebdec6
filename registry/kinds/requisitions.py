"""The ``requisitions`` register: 附件1 申领计划表, one row (or one form) per requisition (§四.(一)).

Each requisition names its unit, the blanks it asks for per level and their 合计, and the two
opinions. A city unit's requisition goes through the city bureau, so it needs the city's opinion;
a provincial-direct unit's goes straight to the province. A requisition counts as *approved* once
the province's 职业能力建设处 agreed, from the date of that opinion; blank means still pending.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Mapping

from registry.domain.levels import QUANTITY_COLUMNS
from registry.domain.problems import Problem
from registry.domain.regions import covers, region_name
from registry.domain.registers import REQUISITIONS
from registry.domain.statuses import APPROVED, PENDING, REFUSED
from registry.kinds.base import (
    Kind,
    LoadContext,
    RegisterEntry,
    keep_table,
    like_none,
    registered_twice,
)
from registry.kinds.blanks import (
    Opinion,
    Recipient,
    check_total,
    county_problem,
    opinion,
    read_quantities,
    recipient,
)
from registry.kinds.cells import digits_lost
from registry.kinds.closing_total import closing_total, counted_rows, total_problems
from registry.kinds.not_records import total_row
from registry.kinds.requisition_form import read_requisitions
from registry.kinds.requisitions_dispatched import Requisition, dispatched_beyond
from registry.sheets.cells import Cell, text
from registry.sheets.layout import Column, Layout, quantity_columns
from registry.sheets.table import Record, Table
from registry.store.blanks import replace_rows
from registry.store.schema_stock import QUANTITY_FIELDS
from registry.store.writes import Applied

"""A row of the ``requisitions`` table."""

CITY_OPINION = "市（州）意见"
PROVINCE_OPINION = "省厅意见"

LAYOUT = Layout(
    REQUISITIONS,
    "四川省机关事业单位工人技术等级（职务）资格证书申领计划表（附件1）",
    (
        Column("序号", required=False),
        Column("单位", aliases=("申领单位",)),
        Column("联系人", required=False),
        Column("联系电话", required=False),
        *quantity_columns(QUANTITY_COLUMNS),
        Column("合计", aliases=("合计(本)", "合计本")),
        Column(
            CITY_OPINION,
            required=False,
            # the annex's words, and the short ones offices print (人社 for 人力资源和社会保障)
            aliases=(
                "市(州)人力资源和社会保障行政部门意见",
                "市州意见",
                "市(州)人社部门意见",
                "市(州)人社局意见",
                "市州人社部门意见",
                "市州人社局意见",
            ),
            lines=True,
        ),
        Column(
            PROVINCE_OPINION,
            aliases=(
                "省人力资源和社会保障厅职业能力建设处意见",
                "省人力资源和社会保障厅意见",
                "省厅职业能力建设处意见",
                "省人社厅职业能力建设处意见",
                "省人社厅意见",
                "职业能力建设处意见",
            ),
            lines=True,
        ),
    ),
)

Fail = Callable[[str, Cell, str], None]


def _status(province: Opinion) -> str:
    if province.agreed is None:
        return PENDING
    return APPROVED if province.agreed else REFUSED


def _check_total(values: dict[str, Cell], quantities: dict[str, int], fail: Fail) -> None:
    check_total(values, quantities, fail, required=True)
    if sum(quantities.values()) == 0:
        fail("合计", values.get("合计"), "申领数量均为 0，不需要填写申领计划表")


def _check_opinions(
    values: dict[str, Cell], who: Recipient, today: dt.date, fail: Fail
) -> dict[str, Opinion]:
    """Both opinions read; a city unit needs its city's agreement before the province's."""
    opinions: dict[str, Opinion] = {}
    for column in (CITY_OPINION, PROVINCE_OPINION):
        try:
            opinions[column] = opinion(values.get(column), today)
        except ValueError as exc:
            fail(column, values.get(column), str(exc))
    city, province = opinions.get(CITY_OPINION), opinions.get(PROVINCE_OPINION)
    if who.city and city is not None and city.agreed is None:
        rule = f"{who.name}所属单位的申领计划须先经市（州）人力资源和社会保障行政部门签署意见"
        fail(CITY_OPINION, None, rule)
    if city is None or province is None:
        return opinions
    if who.city and city.agreed is False and province.agreed:
        fail(PROVINCE_OPINION, values.get(PROVINCE_OPINION), "市（州）不同意的申领计划不能批准")
    if city.on and province.on and province.agreed and province.on < city.on:
        rule = f"省厅批准日期早于市（州）意见日期 {city.on.isoformat()}"
        fail(PROVINCE_OPINION, values.get(PROVINCE_OPINION), rule)
    return opinions


_AREA_CODE_LOST = re.compile(r"(?![48]00)[2-9]\d{8,10}")
"""A landline with its area code but not the code's 0 (028 86110001 → 2886110001): a mobile
number starts with 1, a local number without its area code has 7–8 digits, and a 400/800
service number has no 0 to lose."""


def _phone_problem(phone: Cell) -> str | None:
    """Why a 联系电话 is not the number to call: digits a spreadsheet dropped — past its 15, or
    the 0 of an area code, in a number cell."""
    if lost := digits_lost(phone):
        return lost
    if _AREA_CODE_LOST.fullmatch(unicodedata.normalize("NFKC", text(phone)).strip()):
        return (
            "号码开头像是少了区号的 0（如 028-86110001 存成数字成了 2886110001）：请把该列设为"
            "“文本”格式，输入完整号码后保存"
        )
    return None


def _unit_problem(unit: str, who: Recipient, authority: str) -> str | None:
    """Why the 单位 cell cannot be this register's: blank, a county two cities share that the
    register does not tell apart, or a unit of another city."""
    if not unit:
        return "申领单位为空：请填写申领证书的单位名称"
    if unsure := county_problem(unit, authority):
        return unsure
    if not covers(authority, who.city or ""):
        return f"本登记由{region_name(authority)}报送，只能包含本市（州）单位的申领计划"
    return None


def _check_row(
    record: Record, entry: RegisterEntry, today: dt.date, problems: list[Problem]
) -> Requisition | None:
    start = len(problems)
    values = record.values

    def fail(column: str, value: Cell, rule: str) -> None:
        problems.append(
            Problem(record.row_of(column), column, text(value), rule, "§四.(一)、附件1")
        )

    unit = text(values.get("单位"))
    if summed := total_row(unit, values.get("序号")):
        fail("单位", unit, summed)
        return None
    who = recipient(unit, entry.authority)
    if unit_problem := _unit_problem(unit, who, entry.authority):
        fail("单位", unit or None, unit_problem)
    if lost := _phone_problem(values.get("联系电话")):
        fail("联系电话", values.get("联系电话"), lost)
    quantities = read_quantities(values, fail)
    if quantities is not None:
        _check_total(values, quantities, fail)
    opinions = _check_opinions(values, who, today, fail)
    if len(problems) > start or quantities is None or len(opinions) < 2:
        return None
    city, province = opinions[CITY_OPINION], opinions[PROVINCE_OPINION]
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
    records, total = closing_total(table.records, "单位")
    checked = [_check_row(record, entry, context.today, problems) for record in records]
    rows = [row for row in checked if row is not None]
    if total is not None and not problems:  # a summary table's 合计 line: its sums, not a row
        problems = total_problems(total, rows, "§四.(一)、附件1")
    # an approval registered twice — pasted twice, or in a city's register and again in the
    # province's summary — counts twice; one not approved (yet) counts for nothing twice
    approved = [row for row in rows if row["approved_on"] is not None]
    problems += registered_twice(context.conn, entry, "requisitions", _IDENTITY, approved, _twice)
    if not problems:  # a version keeps its unit, or its quantities and a way to reach it
        # (a city's units share their recipient, the city: no sign of one requisition)
        weights = {("unit",): 3, tuple(QUANTITY_FIELDS.values()): 2, ("contact",): 1, ("phone",): 1}
        problems = like_none(
            context.conn, entry, "requisitions", rows, weights, 3, "份申领计划", "§四.(一)、附件1"
        )
    if not problems:
        problems = dispatched_beyond(context.conn, entry, rows)
    return problems, rows


_IDENTITY = ("unit", *QUANTITY_FIELDS.values(), "city_agreed_on", "approved_on")
"""What makes two rows one requisition: its unit, its quantities and its opinions' dates (a
city's units share their recipient, the city, and are often approved in one batch)."""


def _twice(row: Mapping[str, object], where: str) -> Problem:
    rule = (
        f"{where}是同一申领计划（单位、各等级数量和意见日期都相同）：重复登记会使批准数加倍，"
        "请删去此行"
    )
    return Problem(int(str(row["source_row"])), "单位", str(row["unit"]), rule, "§四.(二)")


def apply_requisitions(
    conn: sqlite3.Connection, entry: RegisterEntry, rows: list[Requisition], sync_id: int, at: str
) -> Applied:
    return replace_rows(conn, "requisitions", entry.key, rows, "source_row", sync_id)


KIND: Kind[Table, list[Requisition]] = Kind(
    layout=LAYOUT,
    check_alone=keep_table,
    validate=check_requisitions,
    apply=apply_requisitions,
    read=read_requisitions,
    rows=counted_rows("单位"),
)
