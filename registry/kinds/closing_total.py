"""A 合计 line under a 申领计划 or 发放单 summary table: checked against the rows above it, then
set aside — it was refused as a row (删除此行), though offices' summary tables end with one and
the notice does not forbid it. Anywhere else in the table (a subtotal between rows, two of
them) it is still refused, as its sum could not be told."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from registry.domain.levels import QUANTITY_COLUMNS
from registry.domain.problems import Problem
from registry.kinds.blanks import read_quantities, total_of
from registry.kinds.not_records import total_row
from registry.sheets.cells import Cell, text
from registry.sheets.table import Record, Table
from registry.store.schema_stock import QUANTITY_FIELDS


def closing_total(records: Sequence[Record], column: str) -> tuple[list[Record], Record | None]:
    """``records`` without the 合计 line that ends them (``column``: where a row names its unit),
    and that line; the records as they are when no single 合计 line ends them."""
    summed = [total_row(r.values.get(column), r.values.get("序号")) is not None for r in records]
    if summed and summed[-1] and not any(summed[:-1]):
        return list(records[:-1]), records[-1]
    return list(records), None


def counted_rows(column: str) -> Callable[[Table], int]:
    """A table's rows but the 合计 line that ends them (`registry.kinds.base.Kind.rows`)."""
    return lambda table: len(closing_total(table.records, column)[0])


def total_problems(
    total: Record, rows: Sequence[Mapping[str, object]], clause: str
) -> list[Problem]:
    """Each count of the 合计 line that is not the sum of ``rows`` (each level, and 合计)."""
    problems: list[Problem] = []

    def fail(column: str, value: Cell, rule: str) -> None:
        problems.append(Problem(total.row, column, text(value), rule, clause))

    written = read_quantities(total.values, fail)
    if written is None:
        return problems
    sums = {
        c: sum(int(str(row[QUANTITY_FIELDS[c]] or 0)) for row in rows) for c in QUANTITY_COLUMNS
    }
    for column, count in written.items():
        if count != sums[column]:
            rule = f"合计行的{column} {count} 本，与上面各行之和 {sums[column]} 本不符：请核对各行的数量或合计行"
            fail(column, total.values.get(column), rule)
    given = total.values.get("合计")
    try:
        grand = total_of(given)
    except ValueError as exc:
        fail("合计", given, str(exc))
        return problems
    if given is not None and grand != sum(sums.values()):
        fail("合计", given, f"合计行的合计 {grand} 本，与上面各行之和 {sum(sums.values())} 本不符")
    return problems
