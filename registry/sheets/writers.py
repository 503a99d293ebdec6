"""Blank and filled registers laid out like the notice's annexes (附件4, 附件5), as a clerk's
spreadsheet has them: a title row, a two-row merged header, the data, a footer with signatures
and the approval counts. Used to write the sample data (`scripts/make_samples.py`), the tests' and
the benchmarks' registers: no command of certreg writes a register.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from registry.domain.levels import LEVEL_ORDER, LEVELS
from registry.sheets.layout import Layout

Row = Mapping[str, object]


def approval_footer(counts: Mapping[str, int] | None) -> list[str]:
    """The footer of 附件4; ``counts`` by level letter fills 同意初级 N 人… (blank when None)."""

    def n(letter: str) -> str:
        return str(counts.get(letter, 0)) if counts is not None else "  "

    agreed = "，".join(f"{LEVELS[x].removesuffix('工')} {n(x)} 人" for x in LEVEL_ORDER)
    return [
        "填报单位意见：            经办人：        批准人：",
        "主管部门审查意见：        经办人：        批准人：",
        f"证书核发部门意见：同意{agreed}。    审查人：        批准人：",
        "（印章）    年  月  日",
    ]


def _columns(layout: Layout, rows: list[Row]) -> list[str]:
    """The annex's columns, then any other column of the layout the rows fill (a clerk's 备注)."""
    extra = [
        c.name
        for c in layout.columns
        if not c.in_form and c.name != "序号" and any(row.get(c.name) for row in rows)
    ]
    return layout.form_columns + extra


def _header_rows(layout: Layout, columns: list[str]) -> tuple[list[str], list[str]]:
    """The two header rows of a layout with merged groups: the group's name over its
    sub-columns, every other column's name in the top row (merged down in a workbook)."""
    members = {sub: group for group, subs in layout.groups.items() for sub in subs}
    top = [
        (members[c] if layout.groups[members[c]][0] == c else "") if c in members else c
        for c in columns
    ]
    bottom = [c if c in members else "" for c in columns]
    return top, bottom


def write_xlsx(
    path: Path,
    layout: Layout,
    rows: Iterable[Row],
    *,
    title: str | None = None,
    footer: list[str] | None = None,
) -> None:
    """Write a register of ``layout`` as an ``.xlsx`` with title, merged header and footer."""
    rows = list(rows)
    columns = _columns(layout, rows)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "名册"
    width = len(columns)
    sheet.append([title or layout.title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")
    if layout.groups:
        top, bottom = _header_rows(layout, columns)
        sheet.append(top)
        sheet.append(bottom)
        for index, name in enumerate(bottom, start=1):
            if not name:
                sheet.merge_cells(start_row=2, start_column=index, end_row=3, end_column=index)
        for subs in layout.groups.values():
            first = columns.index(subs[0]) + 1
            sheet.merge_cells(
                start_row=2, start_column=first, end_row=2, end_column=first + len(subs) - 1
            )
    else:
        sheet.append(columns)
    for index in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    if footer:
        sheet.append([])
        for line in footer:
            sheet.append([line])
            sheet.merge_cells(
                start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width
            )
    workbook.save(path)


def write_csv(
    path: Path,
    layout: Layout,
    rows: Iterable[Row],
    *,
    encoding: str = "utf-8",
    title: str | None = None,
    footer: list[str] | None = None,
) -> None:
    """Write a register of ``layout`` as a ``.csv`` the way spreadsheet programs export one."""
    rows = list(rows)
    columns = _columns(layout, rows)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        if title is not None:
            writer.writerow([title])
        if layout.groups:
            writer.writerows(_header_rows(layout, columns))
        else:
            writer.writerow(columns)
        writer.writerows([row.get(c, "") for c in columns] for row in rows)
        for line in footer or []:
            writer.writerow([line])


REQUISITION_FORM_TITLE = "四川省机关事业单位工人技术等级(职务)资格证书申领计划表"
CITY_OPINION_LABEL = "市(州)人力资源和社会保障行政部门意见"
PROVINCE_OPINION_LABEL = "省人力资源和社会保障厅职业能力建设处意见"


def write_requisition_form(path: Path, requisition: Row, *, filled_on: str = "年  月  日") -> None:
    """Write one requisition as the 附件1 form itself: labels with the values beside them.

    ``requisition`` uses the column names of the ``requisitions`` layout (单位, 联系人, 联系电话,
    初级…技师, 合计, 市（州）意见, 省厅意见). Four columns: label, sub-label, value, value.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "附件1"

    def merge(row: int, first: int, last: int, height: int = 1) -> None:
        sheet.merge_cells(
            start_row=row, start_column=first, end_row=row + height - 1, end_column=last
        )

    sheet.append([REQUISITION_FORM_TITLE])
    merge(1, 1, 4)
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")
    sheet.append([filled_on])
    merge(2, 1, 4)
    sheet.cell(2, 1).alignment = Alignment(horizontal="right")
    sheet.append(["单  位", requisition.get("单位")])
    merge(3, 2, 4)
    sheet.append(["联系人", requisition.get("联系人"), "联系电话", requisition.get("联系电话")])
    for offset, name in enumerate(("初级", "中级", "高级", "技师", "合计")):
        row = 5 + offset
        sheet.append(
            ["需 求 数 量" if offset == 0 else None, f"{name} (本)", requisition.get(name)]
        )
        merge(row, 3, 4)
    merge(5, 1, 1, height=5)
    sheet.cell(5, 1).alignment = Alignment(vertical="center", wrap_text=True)
    for label, column in (
        (CITY_OPINION_LABEL, "市（州）意见"),
        (PROVINCE_OPINION_LABEL, "省厅意见"),
    ):
        sheet.append([label, requisition.get(column)])
        merge(sheet.max_row, 2, 4)
        sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=True)
        sheet.row_dimensions[sheet.max_row].height = 48
    for letter, width in zip("ABCD", (20, 14, 16, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    workbook.save(path)
