"""A cell whose custom number format shows other words than it holds — ``0;-0;0;"张三"`` shows
张三 whatever name the cell holds, ``;;;`` shows nothing — would register what nobody reviewing
the sheet saw: such a cell in a register's column is refused (§四.(五))."""

from __future__ import annotations

import datetime as dt
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlwt

from registry.sheets._number_formats import hides_numbers, hides_text
from registry.sheets._shown_numbers import shown_number
from registry.sheets._zipdirectory import check_directory
from registry.sheets._zipmarks import sheet_marks
from registry.sheets.guard import REGISTER_LIMITS, SheetRefused, read_sheet
from tests.registers import MIANYANG, RegisterFactory, approval_row, edit_cell, refused, sync

SHOWS_OTHER_TEXT = [
    '0;-0;0;"张三"',
    ";;;",
    '@;@;@;"李四"',
    '"x";"y";"z";""',
    "0;0;0;_)",
    '@"明"',  # 王小 shown as 王小明
    '"编号："@',  # words the cell does not hold
    "0;0;0;[White]@",  # white on a white sheet
    "0;0;0;[白色]@",  # white as WPS writes it
    "0;0;0;[Color2]@",  # white in Excel's palette
    "@@",  # the name shown twice
    "@" * 300,  # longer than Excel writes: no clerk's
]
SHOWS_THE_TEXT = [
    "@",
    "0;-0;0;@",
    "0;-0;;@",
    "0.00",
    '0;-0;"-"',
    'yyyy"年"m"月"',
    "G/通用格式;G/通用格式;G/通用格式;@",
    '_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)',
    '_ * #,##0_ ;_ * -#,##0_ ;_ * "-"_ ;_ @_ ',
    "@*-",  # the name, then dashes to the cell's edge
]
SHOWS_OTHER_NUMBERS = [
    ";;;",
    '"90"',
    '"优秀";"差"',
    "[Red];-0",
    '"\\0"',
    '"0";0',
    "\\4\\5",  # 45, written without a semicolon
    "[$-804]aaaa",  # the day of the week
    '[<60]0;"45"',  # 77 goes by the second section
    '0"0"',  # 77 shown as 770
    '"4"0,,',  # 77 shown as 40
    "0,",  # 77 shown as 0
    "[White]0",
    "[Color2]0",
    '[<0]0;[<-1]0;"90"',  # neither condition holds: the third section shows
    '0"\u200b0"',  # 77 shown as 770, a zero-width space between
    '0"０"',  # a full-width digit
    '[>=0.5]0;"x"',  # 0.2 shown as x
    '[>=10]0;[<=5]0;"x"',  # 7 shown as x
    '[=1]"是";[=0]"否";0',  # 1 shown as 是
    'yyyy"-04"',  # 1975-09-01 shown as 1975-04
    '"1975-"mm',  # 1979-09-01 shown as 1975-09
    'yyyy"年"m"月"\\1"日"',  # every date shown on the 1st
    'yyyy" 04"',  # the month of the format's own, after a space
    'yyyy"年　04月"',
    '"二〇一二年"m"月"',  # a year written in Chinese numerals
    '"19."00',  # 75 shown as 19.75
    'yy"07"',  # a year's last digits, then a month of the format's own
]
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
    "0%",
    "000000",
    '#,##0.00"元"',
    "[DBNum1][$-804]General",
    "G/通用格式",
    "0_);[Red](0)",
    'yyyy"年"m"月"d"日"',
    '0"m²"',
    '"+86 "000 0000 0000',
    '"20"yy"年"',
    '"028-"00000000',  # a telephone's area code
    '"+86-"000-0000-0000',
    '[>0]0;[<0]-0;"-"',  # a dash for zero only: every positive number by the first section
    '[>=60]0;[<60]"不及格 "0;"-"',
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
    edit_cell(path, "赵六", number_format='0;-0;0;"张三"')
    [(row, column, rule, clause)] = refused(registers, db_path, "mianyang.xlsx")
    assert (column, clause) == ("姓名", "§四.(五)")
    assert "显示的不是其中的内容" in rule and "常规" in rule
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None and "赵六" in [cell.value for cell in sheet[row]]


def test_a_number_shown_as_nothing_is_refused(registers: RegisterFactory, db_path: Path) -> None:
    path = registers.add("mianyang.xlsx", [approval_row("Z1122020001", "赵六")], MIANYANG)
    edit_cell(path, "Z1122020001", number_format=";;;")
    [(_, column, _, _)] = refused(registers, db_path, "mianyang.xlsx")
    assert column == "颁发证书编号"


@pytest.mark.parametrize(
    ("code", "value", "shown"),
    [
        ('"Z"0', 1122020006, "Z1122020006"),
        ('"Z112202"0000', 6, "Z1122020006"),
        ('"Z"General', 1122020006, "Z1122020006"),
        ('"Z"#', 0, "Z"),
        ('"Z"000-000', 12, "Z000-012"),
        ('"Z"0_)', 1122000001, "Z1122000001"),  # the padding shows as no character typed
        ('_("Z"0_) ', 1122000001, "Z1122000001"),
        ('[Red]"Z"0;"x"', 5, "Z5"),
        ("[$¥-804]0", 5, "¥5"),
        ('0"分"', 85, "85分"),
        ("0", 5, None),  # no words of its own
        ('0.0"分"', 5, None),  # decimals: not rendered
        ('"Z"0', 5.5, None),
        ('[White]"Z"0', 5, None),
        ('[>=60]"Z"0;"x"', 75, None),
    ],
)
def test_what_a_worded_format_shows_of_a_whole_number(
    code: str, value: float, shown: str | None
) -> None:
    assert shown_number(code, value) == shown


@pytest.mark.parametrize(
    ("code", "value"), [('"Z"0', 1122020002), ('"Z112202"0000', 2), ('"Z1122"000000', 20002)]
)
def test_a_number_shown_with_letters_of_its_format_says_what_is_shown_and_held(
    registers: RegisterFactory, db_path: Path, code: str, value: int
) -> None:
    """A cell holding 1122020002 in ``"Z"0`` shows Z1122020002: told only 证书编号应为11位，实为
    10位, the clerk saw 11 characters; in ``"Z112202"0000`` (2 shown so) she was told the format
    shows something else, not what (a clerk's review). One problem says both, and the fix."""
    rows = [approval_row("Z1122020001", "赵六"), approval_row("PLACE", "王五")]
    path = registers.add("mianyang.xlsx", rows, MIANYANG)
    edit_cell(path, "PLACE", value=value, number_format=code)
    [(row, column, rule, clause)] = refused(registers, db_path, "mianyang.xlsx")
    assert (row, column, clause) == (5, "颁发证书编号", "§四.(五)")
    assert rule.startswith(f"单元格显示为“Z1122020002”，实际内容是“{value}”")
    assert "请把该单元格设为“文本”格式后重新输入" in rule
    edit_cell(path, value, value="Z1122020002", number_format="@")  # as told
    exit_code, report = sync(registers.folder, db_path)
    assert exit_code == 0, report["registers"][0]["problems"]


def test_a_score_shown_with_its_unit_is_no_problem(
    registers: RegisterFactory, db_path: Path
) -> None:
    """``0"分"`` beside a score is decoration, not a disguise: only a number's column is told."""
    path = registers.add("mianyang.xlsx", [approval_row("Z1122020001", "赵六")], MIANYANG)
    edit_cell(path, 82, number_format='0"分"')
    assert sync(registers.folder, db_path)[0] == 0


def test_a_score_shown_as_other_digits_is_told_disguised_and_checked(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A score of 8 in ``0"8"`` shows 88: told what it shows and to type that (如“88”), with its
    failing checks left out, the clerk turned a failing score into a passing one. Outside a
    certificate number's column the cell is told disguised, and the 8 it holds is checked."""
    path = registers.add("mianyang.xlsx", [approval_row("Z1122020001", "赵六")], MIANYANG)
    edit_cell(path, 75, value=8, number_format='0"8"')
    problems = refused(registers, db_path, "mianyang.xlsx")
    rules = [rule for _, column, rule, _ in problems if column == "技术业务理论"]
    assert rules[0].startswith("这个单元格的自定义数字格式使它显示的不是其中的内容")
    assert any("分数 8 低于 60 分" in rule for rule in rules), rules
    assert not any("单元格显示为" in rule for rule in rules), rules


def test_a_birth_date_shown_as_another_is_refused(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A date cell of 1979-09-01 whose format writes the year itself (``"1975-"mm``): the
    reviewer saw 1975-09, the registry would keep 1979-09 — as who holds the number."""
    path = _two_holders(registers)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    [header] = [c for row in sheet.iter_rows(max_row=4) for c in row if c.value == "出生年月"]
    [holder] = [c for row in sheet.iter_rows() for c in row if c.value == "赵六"]
    birth = sheet.cell(holder.row, header.column)
    birth.value = dt.datetime(1979, 9, 1)
    birth.number_format = '"1975-"mm'  # (yyyy"年"m"月" shows it: `SHOWS_THE_NUMBER`)
    book.save(path)
    [(row, column, _, clause)] = refused(registers, db_path, "mianyang.xlsx")
    assert (row, column, clause) == (birth.row, "出生年月", "§四.(五)")


def _saved_formula(path: Path, value: str, formula: str, saved: str) -> None:
    """Make the cell holding ``value`` a text formula saved with ``saved`` as its result, as a
    program (or a hand) may write one whose result is not what the formula gives."""
    edit_cell(path, value, number_format="General")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    [cell] = [c for row in sheet.iter_rows() for c in row if c.value == value]
    cell.value = f"={formula}"
    book.save(path)
    escaped = formula.replace("&", "&amp;")
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    assert xml.count(f"<f>{escaped}</f><v />") == 1
    cell_xml = f'<c r="{cell.coordinate}" t="str"><f>{escaped}</f><v>{saved}</v></c>'
    xml = xml.replace(f'<c r="{cell.coordinate}"><f>{escaped}</f><v /></c>', cell_xml)
    assert cell_xml in xml
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@pytest.mark.parametrize(
    ("value", "formula", "column"),
    [
        ("赵六", '"李"&"四"', "姓名"),  # LibreOffice shows 李四; the registry would load 赵六
        ("Z1122020001", '"Z1122020"&"124"', "颁发证书编号"),
    ],
)
def test_a_formula_saying_who_holds_a_number_is_refused(
    registers: RegisterFactory, db_path: Path, value: str, formula: str, column: str
) -> None:
    """The value saved beside a formula is what is loaded; a program opening the file may work
    the formula out again and show another holder or number than the registry would hold."""
    path = _two_holders(registers)
    _saved_formula(path, value, formula, value)
    [(row, found, rule, clause)] = refused(registers, db_path, "mianyang.xlsx")
    assert (row, found, clause) == (4, column, "§四.(五)")
    assert "选择性粘贴" in rule and "数值" in rule


def test_a_formula_giving_a_score_is_refused(registers: RegisterFactory, db_path: Path) -> None:
    """A score worked out by a formula (=50+2, Excel shows 52, a fail) loaded the 88 saved
    beside it: whether the holder passed decides whether a certificate is issued (§二)."""
    path = registers.add(
        "mianyang.xlsx", [approval_row("Z1122020001", "赵六", 技术业务理论="88")], MIANYANG
    )
    _saved_formula(path, "88", "50+2", "88")
    [(row, found, rule, clause)] = refused(registers, db_path, "mianyang.xlsx")
    assert (row, found, clause) == (4, "技术业务理论", "§四.(五)")
    assert "考试考核结果须是输入的值" in rule


def test_a_formula_elsewhere_loads(registers: RegisterFactory, db_path: Path) -> None:
    """A 工作单位 put together by a formula says nothing of who holds which number."""
    path = registers.add(
        "mianyang.xlsx", [approval_row("Z1122020001", "赵六", 工作单位="绵阳市水务局")], MIANYANG
    )
    _saved_formula(path, "绵阳市水务局", '"绵阳市"&"水务局"', "绵阳市水务局")
    exit_code, report = sync(registers.folder, db_path)
    assert exit_code == 0, report["registers"][0]["problems"]


@pytest.mark.parametrize("formula", [None, "VLOOKUP(B5,名单!A:B,2,0)"], ids=["pasted", "formula"])
def test_an_error_value_is_named_not_called_empty(
    registers: RegisterFactory, db_path: Path, formula: str | None
) -> None:
    """A failed VLOOKUP shows #N/A, and 粘贴为数值 keeps it; read as empty, the cell was
    reported as 姓名为空 to a clerk looking at a cell that plainly held something."""
    path = _two_holders(registers)
    edit_cell(path, "王五", value="#N/A")
    if formula is not None:
        _rewrite(
            path,
            "xl/worksheets/sheet1.xml",
            lambda xml: re.sub(r'(<c r="\w+" t="e">)(<v>#N/A</v>)', rf"\1<f>{formula}</f>\2", xml),
        )
    code, report = sync(registers.folder, db_path)
    assert code == 1
    [error] = [p for p in report["registers"][0]["problems"] if "错误值" in p["rule"]]
    assert (error["row"], error["column"], error["value"]) == (5, "姓名", "#N/A")
    assert "选择性粘贴" in error["rule"]


def test_everyday_formats_load(registers: RegisterFactory, db_path: Path) -> None:
    """The Text format on a name, a format hiding zeros on another: shown as they are held."""
    path = _two_holders(registers)
    edit_cell(path, "赵六", number_format="@")
    edit_cell(path, "王五", number_format="0;-0;;@")
    exit_code, report = sync(registers.folder, db_path)
    assert exit_code == 0, report["registers"][0]["problems"]


@pytest.mark.parametrize("built_in", [31, 57, 28])
def test_an_xls_of_chinese_built_in_date_formats_is_read(tmp_path: Path, built_in: int) -> None:
    """Chinese Excel saves 出生年月 in a built-in format (31: yyyy"年"m"月"d"日") whose text
    xlrd does not hold: the .xls was refused whole ("读不出……哪些行被隐藏")."""
    book = xlwt.Workbook(encoding="utf-8")
    book._Workbook__styles._num_formats["中文日期"] = built_in  # as Chinese Excel writes it
    page = book.add_sheet("名册")
    page.write(0, 0, "姓名")
    page.write(1, 0, "赵六")
    page.write(1, 1, 27515, xlwt.easyxf(num_format_str="中文日期"))
    book.save(str(tmp_path / "a.xls"))
    assert read_sheet(tmp_path / "a.xls", REGISTER_LIMITS).marks.disguised == frozenset()


def _rewrite(path: Path, part: str, edit: Callable[[str], str]) -> None:
    """Rewrite one part of the workbook at ``path``: ``edit`` must change it (a test whose
    edit found nothing to change would prove nothing)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    before = parts[part].decode()
    after = edit(before)
    assert after != before, f"the edit of {part} changed nothing"
    parts[part] = after.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _styled(path: Path, styles: Callable[[str], str]) -> Path:
    """A one-name workbook (赵六 in A2, formatted 0) whose styles part ``styles`` rewrites."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名"])
    sheet.append(["赵六"])
    sheet["A2"].number_format = "0.0"
    book.save(path)
    _rewrite(path, "xl/styles.xml", styles)
    return path


def test_a_format_code_is_read_once_however_many_cells_use_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One long code shared by thousands of cell formats was read again for each: a styles
    part of 443 KB kept the sync busy past its time limit."""
    from registry.sheets import _formats

    read: list[str] = []

    def counted(code: str) -> bool:
        read.append(code)
        return False

    monkeypatch.setattr(_formats, "hides_text", counted)
    xfs = '<xf numFmtId="164" fontId="0" fillId="0" borderId="0"/>' * 3000

    def shared(styles: str) -> str:
        count = styles.count("<xf ", styles.index("<cellXfs"))
        return styles.replace("</cellXfs>", xfs + "</cellXfs>").replace(
            f'<cellXfs count="{count}">', f'<cellXfs count="{count + 3000}">'
        )

    # the marks' pass in this process, as its child runs it: the count is kept here
    data = _styled(tmp_path / "a.xlsx", shared).read_bytes()
    deadline = time.monotonic() + 60
    sheet_marks(check_directory(data, REGISTER_LIMITS, deadline), True, REGISTER_LIMITS, deadline)
    assert read == ["0.0"]


def test_more_number_formats_than_excel_allows_are_refused(tmp_path: Path) -> None:
    """Past Excel's 65,490 the hiding format was dropped unread, and the cell loaded."""
    padding = "".join(f'<numFmt numFmtId="{1000 + i}" formatCode="0"/>' for i in range(65_490))
    path = _styled(
        tmp_path / "a.xlsx", lambda styles: styles.replace("</numFmts>", padding + "</numFmts>")
    )
    with pytest.raises(SheetRefused, match="数字格式超过 65,490 种"):
        read_sheet(path, REGISTER_LIMITS)


def test_a_workbook_whose_only_format_has_no_semicolon_is_looked_at(tmp_path: Path) -> None:
    """The styles were read only when they held a semicolon: \\4\\5 (a score of 77 shown as 45)
    has none."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["分数"])
    sheet.append([77])
    sheet["A2"].number_format = "\\4\\5"
    book.save(tmp_path / "a.xlsx")
    assert read_sheet(tmp_path / "a.xlsx", REGISTER_LIMITS).marks.disguised == {(2, 1)}
