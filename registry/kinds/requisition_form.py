"""The 附件1 申领计划表 as a form: label cells with their values beside them, one requisition.

Units fill in the notice's form itself rather than a table: ``单位`` in one cell and the unit's
name in the (merged) cell to its right, ``需求数量`` spanning the four level rows and 合计, and the
two opinion rows. `read_requisitions` reads either shape: the form when the sheet has the
``需求数量`` label, otherwise a table of requisitions via `registry.sheets.table.read_table`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from registry.sheets.cells import Cell
from registry.sheets.errors import UnreadableSheet
from registry.sheets.guard import WORKBOOK_SUFFIXES
from registry.sheets.header import HEADER_SEARCH_ROWS
from registry.sheets.layout import Layout, header_key
from registry.sheets.rows import Row, open_sheet
from registry.sheets.table import Record, Table, read_table

FORM_MARKER = "需求数量"


@dataclass(slots=True)
class FormRecord(Record):
    """The one requisition of a form; each value remembers the row of its label."""

    cell_rows: dict[str, int] = field(default_factory=dict)

    def row_of(self, column: str) -> int:
        return self.cell_rows.get(column, self.row)


TABLE_LABELS = 4
"""Labels of the layout in one row that make it a table's header (单位 联系人 联系电话 初级 …):
the form sets each label beside its value, two to a row at most."""


def _is_form(layout: Layout, rows: list[Row]) -> bool:
    """The 附件1 form: its ``需求数量`` label, and no row heading a table — a summary table may
    group its level columns under the same words, 需求数量 merged over 初级…合计."""
    top = [[header_key(cell) for cell in cells if cell is not None] for _, cells in rows]
    top = top[:HEADER_SEARCH_ROWS]
    return any(FORM_MARKER in keys for keys in top) and not any(
        sum(layout.column(key) is not None for key in keys) >= TABLE_LABELS for keys in top
    )


def _value_beside(layout: Layout, cells: list[Cell], index: int) -> Cell:
    """The value of the label at ``index``: the next filled cell to its right (merged cells keep
    it in the first), unless that is another label (联系人 | (blank) | 联系电话 | …)."""
    value = next((v for v in cells[index + 1 :] if v is not None), None)
    if value is not None and layout.column(header_key(value)) is not None:
        return None
    return value


def _read_form(path: Path, layout: Layout, rows: list[Row]) -> Table:
    record = FormRecord(0, {c.name: None for c in layout.columns})
    for row_number, cells in rows:
        for index, cell in enumerate(cells):
            column = layout.column(header_key(cell)) if cell is not None else None
            if column is None or column.name in record.cell_rows:
                continue
            record.values[column.name] = _value_beside(layout, cells, index)
            record.cell_rows[column.name] = row_number
    missing = [name for name in layout.required if name not in record.cell_rows]
    if missing:
        raise UnreadableSheet(
            f"申领计划表（附件1）中找不到栏目：{'、'.join(missing)}。请使用附件1的表样填写"
        )
    record.row = record.cell_rows["单位"]
    return Table(path, layout, (), {}, [record])


def read_requisitions(path: Path, layout: Layout) -> Table:
    """Read a requisitions register: the 附件1 form (one requisition) or a table of them."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        rows = list(open_sheet(path).rows)
        if _is_form(layout, rows):
            return _read_form(path, layout, rows)
    return read_table(path, layout)
