"""A cell whose custom number format shows other words than it holds — ``0;-0;0;"张三"`` shows
张三 whatever name the cell holds, ``;;;`` shows nothing — would register what nobody reviewing
the sheet saw: such a cell in a register's column is refused (§四.(五))."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlwt

from registry.sheets._worker import hides_numbers, hides_text
from registry.sheets.guard import REGISTER_LIMITS, read_sheet
from tests.registers import MIANYANG, RegisterFactory, approval_row, refused, sync

SHOWS_OTHER_TEXT = ['0;-0;0;"张三"', ";;;", '@;@;@;"李四"', '"x";"y";"z";""', "0;0;0;_)"]
SHOWS_THE_TEXT = ["@", "0;-0;0;@", "0;-0;;@", '"编号："@', "0.00", '0;-0;"-"', 'yyyy"年"m"月"']
SHOWS_OTHER_NUMBERS = [";;;", '"90"', '"优秀";"差"', "[Red];-0", '"\\0"', '"0";0']
SHOWS_THE_NUMBER = [
    "0",
    "0.0",
    "#,##0;[Red]-#,##0",
    '0"分"',
    'yyyy"年"m"月"',
    "[$-804]yyyy.mm",
    "General",
    "@",
    '[>=60]"及格 "0;"不及格 "0',
    "0;-0;;@",
]


@pytest.mark.parametrize(
    ("hides", "code", "hidden"),
    [(hides_text, code, True) for code in SHOWS_OTHER_TEXT]
    + [(hides_text, code, False) for code in SHOWS_THE_TEXT]
    + [(hides_numbers, code, True) for code in SHOWS_OTHER_NUMBERS]
    + [(hides_numbers, code, False) for code in SHOWS_THE_NUMBER],
)
def test_what_a_format_shows(hides: Callable[[str], bool], code: str, hidden: bool) -> None:
    """A text cell shown as other words (a fourth section without @), a positive number shown
    as fixed words (a first section with no digit, date or time); everyday formats neither."""
    assert hides(code) is hidden


def test_the_disguised_cells_of_a_workbook_are_found(tmp_path: Path) -> None:
    """Text in a format hiding text, a number in one hiding numbers: found, by row and column.
    A number in a format hiding only text, text in one hiding only numbers, an empty cell in
    either, and everyday formats (dates, decimals, Text) are not."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "分数", "出生年月"])
    sheet.append(["赵六", 59, "1975.05"])  # row 2: shows 张三, 90
    sheet.append(["王五", 80, 27515])  # row 3: everyday formats
    sheet.append([None, None])  # row 4: formatted, empty
    sheet.append([75, "text"])  # row 5: the other kind of value in each format
    for row in (2, 4, 5):
        sheet.cell(row, 1).number_format = '0;-0;0;"张三"'
        sheet.cell(row, 2).number_format = '"90"'
    sheet["A3"].number_format = "@"
    sheet["B3"].number_format = "0.0"
    sheet["C3"].number_format = 'yyyy"年"m"月"'
    sheet["C2"].number_format = ";;;"
    book.save(tmp_path / "a.xlsx")
    assert read_sheet(tmp_path / "a.xlsx", REGISTER_LIMITS).marks.disguised == {
        (2, 1),
        (2, 2),
        (2, 3),
    }


def test_the_disguised_cells_of_an_xls_are_found(tmp_path: Path) -> None:
    """An .xls, read by the guarded child with xlrd: the same cells as an .xlsx's."""
    book = xlwt.Workbook(encoding="utf-8")
    page = book.add_sheet("名册")
    shows_zhang_san = xlwt.easyxf(num_format_str='0;-0;0;"张三"')
    shows_90 = xlwt.easyxf(num_format_str='"90"')
    plain = xlwt.easyxf()
    rows: list[list[object]] = [["姓名", "分数"], ["赵六", 59], ["王五", 80], [75, "text"]]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            disguised = r in (1, 3)  # row 4: the other kind of value in each format
            page.write(r, c, value, (shows_zhang_san, shows_90)[c] if disguised else plain)
    book.save(str(tmp_path / "a.xls"))
    assert read_sheet(tmp_path / "a.xls", REGISTER_LIMITS).marks.disguised == {(2, 1), (2, 2)}


def _disguise(path: Path, value: str, code: str) -> None:
    """Give the cell holding ``value`` the number format ``code``."""
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    [cell] = [c for row in sheet.iter_rows() for c in row if c.value == value]
    cell.number_format = code
    book.save(path)


def _two_holders(registers: RegisterFactory) -> Path:
    """A 绵阳 roster of 赵六 (Z1122020001) and 王五 (Z1122020002)."""
    return registers.add(
        "mianyang.xlsx",
        [approval_row("Z1122020001", "赵六"), approval_row("Z1122020002", "王五")],
        MIANYANG,
    )


def test_a_name_shown_as_another_is_refused(registers: RegisterFactory, db_path: Path) -> None:
    """The reviewer saw 张三 in the 姓名 cell; the registry would have given the number to 赵六."""
    path = _two_holders(registers)
    _disguise(path, "赵六", '0;-0;0;"张三"')
    [(row, column, rule, clause)] = refused(registers, db_path, "mianyang.xlsx")
    assert (column, clause) == ("姓名", "§四.(五)")
    assert "显示的不是其中的内容" in rule and "常规" in rule
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None and "赵六" in [cell.value for cell in sheet[row]]


def test_a_number_shown_as_nothing_is_refused(registers: RegisterFactory, db_path: Path) -> None:
    path = registers.add("mianyang.xlsx", [approval_row("Z1122020001", "赵六")], MIANYANG)
    _disguise(path, "Z1122020001", ";;;")
    [(_, column, _, _)] = refused(registers, db_path, "mianyang.xlsx")
    assert column == "颁发证书编号"


def test_everyday_formats_load(registers: RegisterFactory, db_path: Path) -> None:
    """The Text format on a name, a format hiding zeros on another: shown as they are held."""
    path = _two_holders(registers)
    _disguise(path, "赵六", "@")
    _disguise(path, "王五", "0;-0;;@")
    code, report = sync(registers.folder, db_path)
    assert code == 0, report
