"""A cell whose text is the colour of its background — white on white, black on a black fill —
holds a value the registry would load, yet nobody reviewing or printing the sheet sees it: such a
cell in a register's row is refused (§四.(五)), and so is a conditional format that colours a
filled cell so."""

from __future__ import annotations

import dataclasses
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.formatting.rule import ColorScaleRule, DataBarRule, IconSetRule, Rule
from openpyxl.styles import Border, Color, Font, GradientFill, PatternFill, Side
from openpyxl.styles.differential import DifferentialStyle

from registry.sheets._colours import OFFICE_THEME, RGB, Palette, colour, unseen, written_colour
from registry.sheets._ods_marked import ods_marks
from registry.sheets._ods_styles import read_styles
from registry.sheets._probe import SIZE_PROBES, Probe
from registry.sheets._runs import plain_runs, string_marks
from registry.sheets._style_colours import DEFAULT_INDEXED, theme_colours
from registry.sheets.guard import REGISTER_LIMITS, SheetRefused, read_sheet
from tests.registers import RegisterFactory, refused, sync
from tests.test_disguised_cells import _rewrite, _two_holders
from tests.test_ods_disguised import LIBREOFFICE, NAMESPACES, saved_roster

WHITE_FONT = Font(color="FFFFFFFF")
BLACK_FILL = PatternFill("solid", fgColor="FF000000")


@pytest.mark.parametrize(
    ("text", "background", "vanishes"),
    [
        ({"rgb": "FFFFFFFF"}, None, True),
        ({"rgb": "00FFFFFF"}, None, True),  # the alpha byte is ignored, as Excel does
        ({"rgb": "FFF2F2F2"}, None, True),  # a white barely grey
        ({"rgb": "FFBFBFBF"}, None, False),  # light grey: read
        ({"theme": "0"}, None, True),  # the theme's background colour
        ({"theme": "0", "tint": "-0.05"}, None, True),
        ({"theme": "0", "tint": "-0.5"}, None, False),  # half-dark grey
        ({"indexed": "9"}, None, True),  # the legacy palette's white
        ({"indexed": "65"}, None, True),  # the system background
        ({"auto": "1"}, None, False),
        ({"theme": "1"}, None, False),
        (None, None, False),  # a font without a colour: the automatic black
        ({"rgb": "FFFFFFFF"}, {"rgb": "FF1F4E79"}, False),  # white on dark blue
        (None, {"rgb": "FF000000"}, True),  # black on black
        ({"theme": "4"}, {"theme": "4"}, True),
        ({"theme": "4"}, {"theme": "5"}, False),
        ({"theme": "4", "tint": "0.4"}, {"theme": "4"}, False),
        ({"rgb": "FFFFFFZZ"}, None, False),  # not read: never taken as hiding
        ({"indexed": "40"}, {"indexed": "40"}, True),
        ({"theme": "0", "tint": "0.5"}, None, True),  # white lightened is white
        ({"rgb": "FF000000", "theme": "0"}, None, True),  # the theme is read first
        ({"auto": "1", "theme": "0"}, None, True),
        ({"rgb": "FF808080", "tint": "0.95"}, None, True),  # any colour's tint counts
        ({"rgb": "FF4472C4"}, {"theme": "4"}, True),  # the Office theme's accent 1
        (None, {"theme": "1", "tint": "0.15"}, False),  # black on #262626: faint, and read
        ({"rgb": "FFFFFF00"}, None, True),  # yellow on white: gone on paper
        (None, {"rgb": "FF002060"}, False),  # black on Excel's dark blue: faint, and read
        ({"rgb": "FFD9D9D9"}, None, False),  # light grey on white: faint, yet read
        ({"indexed": "22"}, {"rgb": "FFC0C0C0"}, True),  # the legacy palette's silver
    ],
)
def test_text_that_vanishes_on_its_background(
    text: dict[str, str] | None, background: dict[str, str] | None, vanishes: bool
) -> None:
    def read(attributes: dict[str, str] | None) -> RGB | None:
        return None if attributes is None else colour(attributes, Palette(indexed=DEFAULT_INDEXED))

    assert unseen(read(text), read(background)) is vanishes


def test_the_unseen_cells_of_a_workbook_are_found(tmp_path: Path) -> None:
    """White on no fill and black on a black fill: found, by row and column. An empty cell so
    styled, white on a dark fill, and grey text are not."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "备注", "出生年月"])
    sheet.append(["赵六", "撤销", "1975.05"])  # row 2: 备注 white, 出生年月 black on black
    sheet.append(["王五", None, "1980.01"])  # row 3: an empty white cell, white on dark blue
    sheet.append(["李四", "备注", "1981.02"])  # row 4: grey
    sheet["B2"].font = sheet["B3"].font = WHITE_FONT
    sheet["C2"].fill = BLACK_FILL
    sheet["C3"].font = WHITE_FONT
    sheet["C3"].fill = PatternFill("solid", fgColor="FF1F4E79")
    sheet["B4"].font = Font(color="FF808080")
    book.save(tmp_path / "a.xlsx")
    marks = read_sheet(tmp_path / "a.xlsx", REGISTER_LIMITS).marks
    assert marks.unseen == {(2, 2), (2, 3)}
    assert not marks.disguised


def test_the_unseen_cells_of_an_xls_are_found(tmp_path: Path) -> None:
    """An .xls, read by the guarded child with xlrd: the same cells as an .xlsx's."""
    book = xlwt.Workbook(encoding="utf-8")
    page = book.add_sheet("名册")
    white = xlwt.easyxf("font: colour white")
    black_on_black = xlwt.easyxf("pattern: pattern solid, fore_colour black")
    white_on_blue = xlwt.easyxf("font: colour white; pattern: pattern solid, fore_colour dark_blue")
    page.write(0, 0, "姓名")
    page.write(0, 1, "备注")
    page.write(1, 0, "赵六", white)  # row 2
    page.write(1, 1, "撤销", black_on_black)
    page.write(2, 0, "王五", white_on_blue)  # row 3
    page.write(2, 1, "", white)  # an empty white cell
    book.save(str(tmp_path / "a.xls"))
    marks = read_sheet(tmp_path / "a.xls", REGISTER_LIMITS).marks
    assert marks.unseen == {(2, 1), (2, 2)}


def test_a_run_of_white_text_in_a_cell_is_found(tmp_path: Path) -> None:
    """张三 and a white 丰 shows 张三 and would load 张三丰 (an inline string, as openpyxl
    writes it). A red run, a white space and a white run on a dark fill show what they hold."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名"])
    white = InlineFont(color="FFFFFFFF")
    sheet["A2"] = CellRichText(["张三", TextBlock(white, "丰")])
    sheet["A3"] = CellRichText(["李四", TextBlock(InlineFont(color="FFFF0000"), "红")])
    sheet["A4"] = CellRichText(["王五", TextBlock(white, " ")])
    sheet["A5"] = CellRichText(["赵六", TextBlock(white, "七")])
    sheet["A5"].fill = PatternFill("solid", fgColor="FF1F4E79")
    book.save(tmp_path / "a.xlsx")
    assert read_sheet(tmp_path / "a.xlsx", REGISTER_LIMITS).marks.unseen == {(2, 1)}


@pytest.mark.parametrize("suffix", ["xlsx", "ods", "xls"])
def test_a_run_of_white_text_saved_by_libreoffice_is_found(suffix: str) -> None:
    """The first three rows above, saved by LibreOffice 7.4 in each format: an .xlsx's shared
    string with runs, an .ods's ``<text:span>`` of a white text style, an .xls's font runs."""
    marks = read_sheet(LIBREOFFICE / f"white_run.{suffix}", REGISTER_LIMITS).marks
    assert marks.unseen == {(2, 1)}


def _restyle(
    path: Path, value: str, font: Font | None = None, fill: PatternFill | None = None
) -> None:
    """Give the cell holding ``value`` ``font`` and ``fill``."""
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    [cell] = [c for row in sheet.iter_rows() for c in row if c.value == value]
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    book.save(path)


def test_a_name_in_white_is_refused(registers: RegisterFactory, db_path: Path) -> None:
    """The reviewer saw an empty 姓名 cell — or, with the white name beside a visible one, only
    that one; the registry would have given the number to 赵六."""
    path = _two_holders(registers)
    _restyle(path, "赵六", font=WHITE_FONT)
    [(row, column, rule, clause)] = refused(registers, db_path, "mianyang.xlsx")
    assert (column, clause) == ("姓名", "§四.(五)")
    assert "字体颜色与底色相同" in rule and "自动" in rule
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None and "赵六" in [cell.value for cell in sheet[row]]


def test_a_number_in_the_colour_of_its_fill_is_refused(
    registers: RegisterFactory, db_path: Path
) -> None:
    path = _two_holders(registers)
    _restyle(path, "Z1122020002", fill=BLACK_FILL)
    [(_, column, _, _)] = refused(registers, db_path, "mianyang.xlsx")
    assert column == "颁发证书编号"


def test_coloured_cells_that_show_their_text_load(
    registers: RegisterFactory, db_path: Path
) -> None:
    """White on a dark fill (a header's, a highlighted row's), a theme colour on no fill."""
    path = _two_holders(registers)
    _restyle(path, "赵六", font=WHITE_FONT, fill=PatternFill("solid", fgColor="FF1F4E79"))
    _restyle(path, "王五", font=Font(color=Color(theme=4)))
    code, report = sync(registers.folder, db_path)
    assert code == 0, report


def _coloured_by_rule(registers: RegisterFactory, area: str) -> None:
    """The two-holder roster with a conditional format always true colouring ``area`` white."""
    path = _two_holders(registers)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    white = DifferentialStyle(font=Font(color="FFFFFFFF"))
    sheet.conditional_formatting.add(area, Rule(type="expression", formula=["TRUE"], dxf=white))
    book.save(path)


def test_a_conditional_format_colouring_text_white_is_refused(
    registers: RegisterFactory, db_path: Path
) -> None:
    _coloured_by_rule(registers, "A1:Z100")
    [(row, column, rule, _)] = refused(registers, db_path, "mianyang.xlsx")
    assert (row, column) == (None, None) and "条件格式" in rule and "字体颜色" in rule


def test_a_conditional_format_colouring_empty_cells_refuses_nothing(
    registers: RegisterFactory, db_path: Path
) -> None:
    _coloured_by_rule(registers, "Z1:Z100")
    code, report = sync(registers.folder, db_path)
    assert code == 0, report


def test_a_conditional_fill_the_colour_of_the_text_is_refused(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A rule that fills the cells black, their text being the automatic black."""
    path = _two_holders(registers)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    black = DifferentialStyle(fill=PatternFill("solid", bgColor="FF000000"))
    sheet.conditional_formatting.add(
        "A1:Z100", Rule(type="expression", formula=["TRUE"], dxf=black)
    )
    book.save(path)
    [(row, _, rule, _)] = refused(registers, db_path, "mianyang.xlsx")
    assert row is None and "条件格式" in rule


@pytest.mark.parametrize(
    ("saved", "column"),
    [("name_in_white", "姓名"), ("number_on_black", "颁发证书编号"), ("white_on_blue", None)],
)
def test_an_ods_saved_by_libreoffice(
    registers: RegisterFactory, db_path: Path, saved: str, column: str | None
) -> None:
    """The .xlsx rosters above, converted by LibreOffice 7.4 (``soffice --headless
    --convert-to ods``): 赵六 in white, 王五's number on black, 赵六 white on dark blue."""
    saved_roster(registers, f"{saved}.ods")
    if column is None:
        code, report = sync(registers.folder, db_path)
        assert code == 0, report
        return
    [(row, found, rule, clause)] = refused(registers, db_path, "mianyang.ods")
    assert (row, found, clause) == (4 if column == "姓名" else 5, column, "§四.(五)")
    assert "字体颜色与底色相同" in rule


FO = 'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"'
CELL = '<table:table-cell table:style-name="ceD" office:value-type="string"><text:p>赵六</text:p></table:table-cell>'


def _unseen_in_ods(styles: str) -> bool:
    """Whether one cell in style ceD of ``styles`` (content.xml's own) is found unseen."""
    content = (
        f"<office:document-content {NAMESPACES} {FO}><office:automatic-styles>{styles}"
        "</office:automatic-styles><office:body><office:spreadsheet>"
        f'<table:table table:name="名册"><table:table-row>{CELL}</table:table-row></table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    ).encode()
    deadline = time.monotonic() + 10
    parsed = read_styles([iter([content])], REGISTER_LIMITS, deadline)
    unseen_cells = ods_marks(iter([content]), REGISTER_LIMITS, deadline, parsed).unseen
    assert unseen_cells <= {(1, 1)}
    return bool(unseen_cells)


@pytest.mark.parametrize(
    ("styles", "vanishes"),
    [
        (
            '<style:style style:name="ceD" style:family="table-cell">'
            '<style:text-properties fo:color="#FFFFFF"/></style:style>',
            True,
        ),
        (
            '<style:style style:name="ceD" style:family="table-cell">'
            '<style:text-properties fo:color="#fff"/></style:style>',
            True,
        ),
        (  # its parent's white text
            '<style:style style:name="White" style:family="table-cell">'
            '<style:text-properties fo:color="#ffffff"/></style:style>'
            '<style:style style:name="ceD" style:family="table-cell" style:parent-style-name="White"/>',
            True,
        ),
        (  # the automatic black on its parent's black background
            '<style:style style:name="Default" style:family="table-cell">'
            '<style:table-cell-properties fo:background-color="#000000"/></style:style>'
            '<style:style style:name="ceD" style:family="table-cell"/>',
            True,
        ),
        (  # white on a dark background it sets itself
            '<style:style style:name="ceD" style:family="table-cell">'
            '<style:table-cell-properties fo:background-color="#1f4e79"/>'
            '<style:text-properties fo:color="#ffffff"/></style:style>',
            False,
        ),
        (  # its own colour over its parent's white
            '<style:style style:name="White" style:family="table-cell">'
            '<style:text-properties fo:color="#ffffff"/></style:style>'
            '<style:style style:name="ceD" style:family="table-cell" style:parent-style-name="White">'
            '<style:text-properties fo:color="#000000"/></style:style>',
            False,
        ),
        (  # LibreOffice's automatic colour: white on a black cell
            '<style:style style:name="Default" style:family="table-cell">'
            '<style:text-properties fo:color="#000000"/></style:style>'
            '<style:style style:name="ceD" style:family="table-cell" style:parent-style-name="Default">'
            '<style:table-cell-properties fo:background-color="#000000"/>'
            '<style:text-properties style:use-window-font-color="true"/></style:style>',
            False,
        ),
        (  # the automatic colour over a white one it also writes
            '<style:style style:name="ceD" style:family="table-cell">'
            '<style:text-properties fo:color="#ffffff" style:use-window-font-color="true"/>'
            "</style:style>",
            False,
        ),
        (  # a conditional format's style (style:map), whatever its condition
            '<style:style style:name="White" style:family="table-cell">'
            '<style:text-properties fo:color="#ffffff"/></style:style>'
            '<style:style style:name="ceD" style:family="table-cell">'
            '<style:map style:condition="cell-content()!=0" style:apply-style-name="White"/>'
            "</style:style>",
            True,
        ),
    ],
)
def test_how_an_ods_cell_comes_by_text_the_colour_of_its_background(
    styles: str, vanishes: bool
) -> None:
    assert _unseen_in_ods(styles) == vanishes


@pytest.mark.parametrize(
    ("written", "read"),
    [("#FFFFFF", (255, 255, 255)), ("#fff", (255, 255, 255)), ("transparent", None)],
)
def test_an_opendocument_colour(written: str, read: RGB | None) -> None:
    assert written_colour(written) == read


@pytest.mark.parametrize("shown", [False, True])
@pytest.mark.parametrize("rule", ["bar", "icons"])
def test_a_bar_or_icons_instead_of_a_score(
    registers: RegisterFactory, db_path: Path, rule: str, shown: bool
) -> None:
    """A data bar or an icon set over the scores, drawn without the number (showValue="0"):
    the reviewer saw a bar where 59 is held. Drawn beside the number, it hides nothing."""
    path = _two_holders(registers)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    drawn = (
        DataBarRule(start_type="min", end_type="max", color="FF638EC6", showValue=shown)
        if rule == "bar"
        else IconSetRule("3Arrows", "percent", [0, 33, 67], showValue=shown)
    )
    sheet.conditional_formatting.add("A1:Z100", drawn)
    book.save(path)
    if shown:
        code, report = sync(registers.folder, db_path)
        assert code == 0, report
        return
    [(row, _, message, _)] = refused(registers, db_path, "mianyang.xlsx")
    assert row is None and "数据条、图标集" in message


MANIFEST = (
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    '<manifest:file-entry manifest:full-path="/"'
    ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def test_a_style_of_many_conditions_is_judged_once_not_for_every_cell(tmp_path: Path) -> None:
    """4,500 cells in a style of 4,500 conditions, each a chain of 15 parents: the colours were
    looked up for every cell, every condition and every parent — a 4.5 KB upload held the
    parent process 70 s (and was refused for time); each style is judged once now."""
    chain = "".join(
        f'<style:style style:name="p{i}" style:family="table-cell"'
        f' style:parent-style-name="p{i + 1}"/>'
        for i in range(15)
    )
    mapped = '<style:map style:condition="cell-content()=1" style:apply-style-name="p0"/>'
    style = f'<style:style style:name="c" style:family="table-cell">{mapped * 4500}</style:style>'
    cell = (
        '<table:table-cell table:style-name="c" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell>"
    )
    content = (
        f"<office:document-content {NAMESPACES} {FO}><office:automatic-styles>{chain}{style}"
        "</office:automatic-styles><office:body><office:spreadsheet>"
        f'<table:table table:name="s">{f"<table:table-row>{cell * 10}</table:table-row>" * 450}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / "batch.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", MANIFEST)
    limits = dataclasses.replace(REGISTER_LIMITS, seconds=20.0)
    assert len(read_sheet(path, limits).cells) == 450


def _one_name(path: Path, font: Font | None = None, fill: PatternFill | None = None) -> Path:
    """A workbook of 赵六 in A2 in ``font`` and ``fill``, to rewrite parts of."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名"])
    sheet.append(["赵六"])
    if font is not None:
        sheet["A2"].font = font
    if fill is not None:
        sheet["A2"].fill = fill
    book.save(path)
    return path


def test_theme_colours_are_the_workbooks_own(tmp_path: Path) -> None:
    """Excel's 页面布局 → 颜色 → 自定义颜色 made accent 1 white: text in accent 1 vanishes."""
    path = _one_name(tmp_path / "a.xlsx", Font(color=Color(theme=4)))
    assert not read_sheet(path, REGISTER_LIMITS).marks.unseen  # the Office theme's blue
    _rewrite(
        path,
        "xl/theme/theme1.xml",
        lambda xml: re.sub(
            r"(<a:accent1>).*?(</a:accent1>)", r'\1<a:srgbClr val="FFFFFF"/>\2', xml, flags=re.S
        ),
    )
    assert read_sheet(path, REGISTER_LIMITS).marks.unseen == {(2, 1)}


def test_the_legacy_palette_is_the_workbooks_own(tmp_path: Path) -> None:
    """An .xls converted to .xlsx keeps its palette: entry 10 (red by default) made white."""
    path = _one_name(tmp_path / "a.xlsx", Font(color=Color(indexed=10)))
    assert not read_sheet(path, REGISTER_LIMITS).marks.unseen
    entries = iter(range(64))  # (openpyxl writes the palette of a file that uses one)

    def whiten_entry_10(xml: str) -> str:
        return re.sub(
            r"<rgbColor [^>]*/>",
            lambda entry: '<rgbColor rgb="00FFFFFF"/>' if next(entries) == 10 else entry[0],
            xml,
        )

    _rewrite(path, "xl/styles.xml", whiten_entry_10)
    assert read_sheet(path, REGISTER_LIMITS).marks.unseen == {(2, 1)}


def test_a_solid_fill_without_its_colour_is_black(tmp_path: Path) -> None:
    """``<patternFill patternType="solid">`` with only a ``bgColor``: Excel draws the automatic
    foreground, black, under the automatic black text."""
    path = _one_name(tmp_path / "a.xlsx", fill=PatternFill("solid", fgColor="FFFFFF00"))
    assert not read_sheet(path, REGISTER_LIMITS).marks.unseen  # yellow
    _rewrite(path, "xl/styles.xml", lambda xml: re.sub(r"<fgColor [^>]*/>", "", xml, count=1))
    assert read_sheet(path, REGISTER_LIMITS).marks.unseen == {(2, 1)}


def test_a_gradient_header_leaves_the_rows_alone(tmp_path: Path) -> None:
    """A header filled with a gradient ending in white: its stops' colours were read as the
    colours of the fonts of the same numbers, and every plain cell of the roster refused."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "备注"])
    sheet.append(["赵六", "无"])
    for cell in sheet[1]:
        cell.fill = GradientFill(stop=("FF4472C4", "FFFFFFFF"))
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = Font(name="宋体", size=11)
    book.save(tmp_path / "a.xlsx")
    assert not read_sheet(tmp_path / "a.xlsx", REGISTER_LIMITS).marks.unseen


def test_a_conditional_formats_border_colour_is_not_its_texts(tmp_path: Path) -> None:
    """A rule drawing a white border (a common highlight) and a rule filling with fgColor only,
    as some writers write a solid fill."""
    path = _one_name(tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    bordered = DifferentialStyle(border=Border(left=Side(style="thin", color="FFFFFFFF")))
    sheet.conditional_formatting.add(
        "A1:Z100", Rule(type="expression", formula=["TRUE"], dxf=bordered)
    )
    book.save(path)
    assert not read_sheet(path, REGISTER_LIMITS).marks.unseen
    black = DifferentialStyle(fill=PatternFill("solid", fgColor="FF000000"))
    sheet.conditional_formatting.add(
        "A1:Z100", Rule(type="expression", formula=["TRUE"], dxf=black)
    )
    book.save(path)
    with pytest.raises(SheetRefused, match="条件格式"):
        read_sheet(path, REGISTER_LIMITS)


def test_a_white_space_hides_nothing(registers: RegisterFactory, db_path: Path) -> None:
    """A white cell holding only a space, in a column the roster may leave empty, loads."""
    path = _two_holders(registers)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    [name] = [c for r in sheet.iter_rows() for c in r if c.value == "赵六"]
    [column] = [
        c.column for r in sheet.iter_rows() for c in r if c.value == "原岗位证书号（未获工种年限）"
    ]
    sheet.cell(name.row, column, " ").font = WHITE_FONT
    book.save(path)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report


def test_text_too_small_to_read_is_found(tmp_path: Path) -> None:
    """A name in 1-point type is a dot on the page: in an .xlsx and an .xls (the 3- and
    4-point names beside it are small, and read)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名"])
    for name, size in (("赵六", 1), ("王五", 3.5), ("李四", 4)):
        sheet.append([name])
        sheet.cell(sheet.max_row, 1).font = Font(size=size)
    book.save(tmp_path / "a.xlsx")
    assert read_sheet(tmp_path / "a.xlsx", REGISTER_LIMITS).marks.unseen == {(2, 1), (3, 1)}
    old = xlwt.Workbook(encoding="utf-8")
    page = old.add_sheet("名册")
    page.write(0, 0, "姓名")
    page.write(1, 0, "赵六", xlwt.easyxf("font: height 20"))  # twips: 1 point
    page.write(2, 0, "李四", xlwt.easyxf("font: height 200"))
    old.save(str(tmp_path / "a.xls"))
    assert read_sheet(tmp_path / "a.xls", REGISTER_LIMITS).marks.unseen == {(2, 1)}


@pytest.mark.parametrize(
    ("size", "small"),
    [
        ('fo:font-size="1pt"', True),
        ('fo:font-size="1mm"', True),
        ('fo:font-size="4pt"', False),
        ('fo:font-size="50%"', False),
        ('fo:font-size=""', False),
        ('fo:font-size="10pt" style:font-size-asian="1pt"', True),  # the Chinese characters'
        ('fo:font-size="1px"', True),
        ('fo:font-size="0.1em"', True),
    ],
)
def test_an_ods_cell_style_of_text_too_small_to_read(size: str, small: bool) -> None:
    styles = (
        '<style:style style:name="ceD" style:family="table-cell">'
        f"<style:text-properties {size}/></style:style>"
    )
    assert _unseen_in_ods(styles) == small


X14_RULE = (
    '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}"'
    ' xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    "<x14:conditionalFormattings>"
    '<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:cfRule type="{type}" priority="1"><xm:f>TRUE</xm:f><x14:dxf>{dxf}</x14:dxf>'
    "</x14:cfRule><xm:sqref>A1:Z100</xm:sqref></x14:conditionalFormatting>"
    "</x14:conditionalFormattings></ext></extLst>"
)
"""A rule in the sheet's extension list, as Excel writes one that refers to another sheet:
its style is its own ``<x14:dxf>``, not one of the styles' ``<dxfs>``."""


@pytest.mark.parametrize("kind", ["expression", "containsBlanks"])
@pytest.mark.parametrize(
    ("dxf", "hides"),
    [
        ('<font><color rgb="FFFFFFFF"/></font>', True),
        ('<fill><patternFill><bgColor rgb="FF000000"/></patternFill></fill>', True),
        (
            '<font><color rgb="FFFFFFFF"/></font>'
            '<fill><patternFill><bgColor rgb="FF1F4E79"/></patternFill></fill>',
            False,
        ),
        ('<border><left style="thin"><color rgb="FFFFFFFF"/></left></border>', False),
    ],
)
def test_an_extension_rule_with_its_own_colours(
    tmp_path: Path, dxf: str, hides: bool, kind: str
) -> None:
    """(a rule for empty cells alone, ``containsBlanks``, hides nothing whatever its style)"""
    hides = hides and kind != "containsBlanks"
    path = _one_name(tmp_path / "a.xlsx")
    rule = X14_RULE.replace("{dxf}", dxf).replace("{type}", kind)
    _rewrite(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace("</worksheet>", rule + "</worksheet>"),
    )
    if not hides:
        assert not read_sheet(path, REGISTER_LIMITS).marks.unseen
        return
    with pytest.raises(SheetRefused, match="条件格式"):
        read_sheet(path, REGISTER_LIMITS)


@pytest.mark.parametrize(
    ("fill", "font", "vanishes"),
    [
        (PatternFill("darkGray", fgColor="FF000000", bgColor="FF000000"), None, True),
        (PatternFill("gray125", fgColor="FF000000", bgColor="FF000000"), None, True),
        (PatternFill("darkGrid", fgColor="FFFFFFFF", bgColor="FFFFFFFF"), WHITE_FONT, True),
        (PatternFill("mediumGray", fgColor="FFFFFFFF", bgColor="FFF2F2F2"), WHITE_FONT, True),
        (PatternFill("gray125"), None, False),
        (PatternFill("lightGray", fgColor="FFFFFF00"), None, False),  # yellow hatching
    ],
)
def test_a_patterns_colours_are_mixed(
    tmp_path: Path, fill: PatternFill, font: Font | None, vanishes: bool
) -> None:
    """A pattern draws its foreground over its background as much as it covers: both black,
    it is a black fill; white over near-white leaves white text unread."""
    path = _one_name(tmp_path / "a.xlsx", font, fill)
    assert read_sheet(path, REGISTER_LIMITS).marks.unseen == ({(2, 1)} if vanishes else set())


EXCEL_SCHEME = (
    '<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:themeElements>'
    '<a:clrScheme name="Office"><a:dk1><a:sysClr val="windowText" lastClr="0A0A0A"/></a:dk1>'
    '<a:lt1><a:sysClr val="window" lastClr="FAFAFA"/></a:lt1>'
    '<a:dk2><a:srgbClr val="112233"/></a:dk2><a:lt2><a:srgbClr val="EEEEEE"/></a:lt2>'
    '<a:accent1><a:srgbClr val="4472C4"/></a:accent1></a:clrScheme></a:themeElements></a:theme>'
)
"""A scheme as Excel writes it: text and background as the system's colours (as this system
last drew them)."""


def test_a_themes_colours_as_excel_numbers_them() -> None:
    """``theme="n"`` numbers the scheme light first: 0 background 1 (lt1), 1 text 1 (dk1),
    2 background 2 (lt2), 3 text 2 (dk2), then the accents; what a theme lacks is Office's."""
    deadline = time.monotonic() + 10
    colours = theme_colours(iter([EXCEL_SCHEME.encode()]), REGISTER_LIMITS, deadline)
    assert colours[:4] == ((0xFA,) * 3, (0x0A,) * 3, (0xEE,) * 3, (0x11, 0x22, 0x33))
    assert colours[4] == (0x44, 0x72, 0xC4)
    assert colours[5:] == OFFICE_THEME[5:]


def test_a_broken_theme_is_read_as_far_as_it_goes(tmp_path: Path) -> None:
    """A theme cut short (a program's crash while saving): the workbook opens in Excel and
    LibreOffice, and loaded before themes were read; its colours are read as far as they go."""
    path = _one_name(tmp_path / "a.xlsx", Font(color=Color(theme=4)))
    _rewrite(path, "xl/theme/theme1.xml", lambda xml: xml[: len(xml) // 2])
    assert not read_sheet(path, REGISTER_LIMITS).marks.unseen


def test_a_tab_colour_sends_no_sheet_through_the_exact_pass() -> None:
    """Clerks colour their tabs: ``<tabColor>`` is no coloured run (the exact pass made a
    40,000-row sheet with one 4× slower to read); a run's ``<color>`` is."""
    probe = Probe()
    probe.feed(b'<worksheet><sheetPr><tabColor rgb="FFFF0000"/></sheetPr><sheetData/></worksheet>')
    assert not probe.hit
    probe.feed(b'<c t="inlineStr"><is><r><rPr><color rgb="FFFFFFFF"/></rPr><t>x</t></r></is></c>')
    assert probe.hit


MARGINS = b'<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'


@pytest.mark.parametrize(
    ("xml", "hit"),
    [
        (b'<row r="5" ht="15" customHeight="1"><c r="A5"/></row>' + MARGINS, False),
        (b'<cols><col min="1" max="2" width="8.43"/></cols>', False),
        (b'<row r="5" ht="0.5" customHeight="1"/>', True),
        (b'<row r="5" ht=".5" customHeight="1"/>', True),
        (b"<row r='5' ht='0.2' customHeight='1'/>", True),  # XML's other quotes
        (b'<row r="5" ht="1e-3" customHeight="1"/>', True),
        (b'<row r="5"\n\tht = "15"/>', True),  # unusual: left to the exact pass
        (b'<cols><col min="3" max="3" width="0.01"/></cols>', True),
        (b'<row r="5" ht="3" customHeight="1"/>', True),  # below ROW_TOO_SMALL
        (b'<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>', False),  # openpyxl's
        (b'<sheetFormatPr defaultRowHeight="0.5" customHeight="1"/>', True),
        (b'<sheetFormatPr baseColWidth="8" defaultColWidth="0.5"/>', True),
    ],
)
def test_a_row_or_column_size_sends_a_sheet_through_the_exact_pass_only_when_small(
    xml: bytes, hit: bool
) -> None:
    """The byte probe ``ht="0`` matched ``right="0.75"`` of the page margins every openpyxl
    sheet holds: a 40,000-row roster went through the exact pass, 8× the read. A size is
    probed as an attribute, in any form Excel might read as small — across a block's edge too."""
    whole = b"<worksheet><sheetData>" + xml + b"</sheetData></worksheet>"
    for cut in (None, *range(1, len(whole))):
        probe = Probe(sizes=SIZE_PROBES)
        for block in (whole,) if cut is None else (whole[:cut], whole[cut:]):
            probe.feed(block)
        probe.finish()
        assert probe.hit is hit, (cut, whole)


@pytest.mark.parametrize(
    ("kind", "formula", "hides"),
    [
        ("containsBlanks", [], False),
        ("containsBlanks", ["LEN(TRIM(A1))=0"], False),  # as Excel writes it
        ("containsBlanks", ["LEN(TRIM(A1))>0"], True),  # Excel goes by the formula
        ("notContainsBlanks", [], True),
    ],
)
def test_a_rule_for_empty_cells_alone_hides_nothing(
    registers: RegisterFactory, db_path: Path, kind: str, formula: list[str], hides: bool
) -> None:
    """White text for the empty cells (a common way to hide a grid's blanks) colours nothing
    that is loaded; for the filled ones, it hides them."""
    path = _two_holders(registers)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    white = DifferentialStyle(font=Font(color="FFFFFFFF"))
    sheet.conditional_formatting.add("A1:Z100", Rule(type=kind, dxf=white, formula=formula))
    book.save(path)
    code, report = sync(registers.folder, db_path)
    assert code == (1 if hides else 0), report


@pytest.mark.parametrize("saved", ["tiny_run.xlsx", "tiny_run.ods", "tiny_run.xls"])
def test_a_run_too_small_to_read_is_found(tmp_path: Path, saved: str) -> None:
    """赵 and a 1-point 六 shows 赵 and would load 赵六 (a 9-point 四 beside it reads): as
    openpyxl writes it (an inline string) and as LibreOffice 7.4 saves it in each format."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名"])
    sheet["A2"] = CellRichText(["赵", TextBlock(InlineFont(sz=1), "六")])
    sheet["A3"] = CellRichText(["李", TextBlock(InlineFont(sz=9), "四")])
    book.save(tmp_path / "a.xlsx")
    assert read_sheet(tmp_path / "a.xlsx", REGISTER_LIMITS).marks.unseen == {(2, 1)}
    assert read_sheet(LIBREOFFICE / saved, REGISTER_LIMITS).marks.unseen == {(2, 1)}


@pytest.mark.parametrize("saved", ["run_on_fill.xlsx", "run_on_fill.ods", "run_on_fill.xls"])
def test_a_run_in_the_colour_of_its_cells_fill_is_found(tmp_path: Path, saved: str) -> None:
    """A green 六 on a green cell, a black 五 in a white cell on black: each run is judged
    against its own cell's fill, not the sheet's white (a red 四 on green reads)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名"])
    green = PatternFill("solid", fgColor="FF00B050")
    sheet["A2"] = CellRichText(["赵", TextBlock(InlineFont(color="FF00B050"), "六")])
    sheet["A2"].fill = green
    sheet["A3"] = CellRichText(["王", TextBlock(InlineFont(color="FF000000"), "五")])
    sheet["A3"].font, sheet["A3"].fill = WHITE_FONT, BLACK_FILL
    sheet["A4"] = CellRichText(["李", TextBlock(InlineFont(color="FFFF0000"), "四")])
    sheet["A4"].fill = green
    book.save(tmp_path / "a.xlsx")
    assert read_sheet(tmp_path / "a.xlsx", REGISTER_LIMITS).marks.unseen == {(2, 1), (3, 1)}
    assert read_sheet(LIBREOFFICE / saved, REGISTER_LIMITS).marks.unseen == {(2, 1), (3, 1)}


@pytest.mark.parametrize(
    ("colours", "hides"),
    [(("FFFFFFFF", "FF000000"), True), (("FFF8696B", "FF63BE7B"), False)],
    ids=["white to black", "red to green"],
)
def test_a_colour_scale_reaching_black_hides_black_text(
    tmp_path: Path, colours: tuple[str, str], hides: bool
) -> None:
    path = _one_name(tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    low, high = colours
    scale = ColorScaleRule(start_type="min", start_color=low, end_type="max", end_color=high)
    sheet.conditional_formatting.add("A1:A10", scale)
    book.save(path)
    if not hides:
        assert not read_sheet(path, REGISTER_LIMITS).marks.unseen
        return
    with pytest.raises(SheetRefused, match="条件格式"):
        read_sheet(path, REGISTER_LIMITS)


def test_a_span_in_the_automatic_colour_shows() -> None:
    """A text span LibreOffice writes white and automatic: drawn black on a white cell."""
    styles = (
        '<style:style style:name="T1" style:family="text">'
        '<style:text-properties fo:color="#ffffff" style:use-window-font-color="true"/>'
        "</style:style>"
    )
    content = (
        f"<office:document-content {NAMESPACES} {FO}><office:automatic-styles>{styles}"
        "</office:automatic-styles><office:body><office:spreadsheet>"
        '<table:table table:name="名册"><table:table-row>'
        '<table:table-cell office:value-type="string">'
        '<text:p>赵<text:span text:style-name="T1">六</text:span></text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    ).encode()
    deadline = time.monotonic() + 10
    parsed = read_styles([iter([content])], REGISTER_LIMITS, deadline)
    assert not ods_marks(iter([content]), REGISTER_LIMITS, deadline, parsed).unseen
    whitened = content.replace(b' style:use-window-font-color="true"', b"")
    parsed = read_styles([iter([whitened])], REGISTER_LIMITS, deadline)
    assert ods_marks(iter([whitened]), REGISTER_LIMITS, deadline, parsed).unseen == {(1, 1)}


def test_black_runs_ask_nothing_more_of_a_sheet_without_a_black_fill() -> None:
    """Every run of most rich text names black: kept, they sent every such sheet through the
    slow exact pass (a 40,000-row roster read 6× slower); only a run that may vanish on one of
    the workbook's fills is kept."""
    shared = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si>'
        '<r><rPr><color rgb="FF000000"/></rPr><t>赵六</t></r></si></sst>'
    ).encode()
    deadline = time.monotonic() + 10
    on_white = string_marks(iter([shared]), REGISTER_LIMITS, deadline, Palette(), {None})
    assert not on_white
    fills = {None, (255, 255, 0), (0, 0, 0)}
    on_black = string_marks(iter([shared]), REGISTER_LIMITS, deadline, Palette(), fills)
    assert on_black.coloured == {0: frozenset({(0, 0, 0)})}


SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si>{runs}</si></sst>'


@pytest.mark.parametrize(
    ("properties", "plain"),
    [
        ('<color rgb="FF000000"/><sz val="11"/>', True),
        ('<color theme="1"/><sz val="10.5"/>', True),
        ('<color rgb="FFFFFFFF"/>', False),
        ('<sz val="1"/>', False),
        ("<strike/>", False),
        ("<color rgb='FFFFFFFF'/>", False),  # not as plainly written: read whole
        ('<x:color rgb="FFFFFFFF"/>', False),
    ],
)
def test_plain_runs_are_told_by_a_scan(properties: str, plain: bool) -> None:
    """Most rich text names black in every run: a scan of the run properties' spellings spares
    reading its shared strings run by run (0.33 s for a 40,000-name roster)."""
    shared = SST.replace("{runs}", f"<r><rPr>{properties}</rPr><t>赵六</t></r>").encode()
    assert plain_runs(iter([shared]), Palette(), {None}) is plain
    cut = shared.index(b"rPr>") + 6  # a property cut in two by the blocks' edge
    assert plain_runs(iter([shared[:cut], shared[cut:]]), Palette(), {None}) is plain
