"""Conditional formats that give a roster's cells a hiding number format (§四.(五)), from the
styles' ``<dxfs>`` or, in the sheet's extension list, their own: judged by their areas against
the filled cells, whatever order their parts come in and however their style numbers are spelt
(a review's attacks, each of which once loaded)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.formatting.rule import Rule
from openpyxl.styles import PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.numbers import NumberFormat

from registry.sheets._conditional import covers_filled
from tests.registers import RegisterFactory, edit_cell, refused, sync
from tests.test_disguised_cells import _rewrite, _two_holders

SHEET = "xl/worksheets/sheet1.xml"
VALIDATION = (
    '<ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"'
    ' xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>字典!$A$1:$A$3</xm:f>'
    "</x14:formula1><xm:sqref>H4:H5</xm:sqref></x14:dataValidation></x14:dataValidations></ext>"
)
"""A drop-down list from another sheet, as Excel writes one: its areas in an ``<xm:sqref>`` too."""


def _hidden_by_rule(
    registers: RegisterFactory, area: str = "Z1", code: str = '0;0;0;"张三"'
) -> Path:
    """The two-holder roster with a conditional format always true, giving every cell of
    ``area`` the number format ``code`` (by default: shown as 张三). (openpyxl writes no whole
    columns or rows, nor a range from its far corner: the area is written into the sheet.)"""
    path = _two_holders(registers)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    shown = DifferentialStyle(numFmt=NumberFormat(numFmtId=200, formatCode=code))
    sheet.conditional_formatting.add("Z1", Rule(type="expression", formula=["TRUE"], dxf=shown))
    book.save(path)
    _rewrite(path, SHEET, lambda xml: xml.replace('sqref="Z1"', f'sqref="{area}"'))
    return path


def _refused_for_the_rule(registers: RegisterFactory, db_path: Path) -> None:
    [(row, column, rule, _)] = refused(registers, db_path, "mianyang.xlsx")
    assert (row, column) == (None, None) and "条件格式" in rule


@pytest.mark.parametrize("spelling", ['dxfId=" 0 "', 'dxfId="+0"'])
def test_a_conditional_format_that_hides_a_value_is_refused(
    registers: RegisterFactory, db_path: Path, spelling: str
) -> None:
    """A rule that is always true, giving the name cell 0;0;0;"张三": the sheet shows 张三
    (the style's number spelt as openpyxl writes it, or with spaces or a sign)."""
    path = _hidden_by_rule(registers, "A1:Z100")
    _refused_for_the_rule(registers, db_path)
    _rewrite(path, SHEET, lambda xml: xml.replace('dxfId="0"', spelling))
    _refused_for_the_rule(registers, db_path)


@pytest.mark.parametrize("area", ["Z1:Z100", "A50:Z900", "Z:AB", "60:70"])
def test_a_conditional_format_over_empty_cells_refuses_nothing(
    registers: RegisterFactory, db_path: Path, area: str
) -> None:
    """A hiding rule over cells nobody filled (a column past the roster, rows below it) shows
    nothing other than what is there: the roster was refused for it."""
    _hidden_by_rule(registers, area, ";;;")
    code, report = sync(registers.folder, db_path)
    assert code == 0, report


X14_RULE = (
    '<extLst><ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}"'
    ' xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    "<x14:conditionalFormattings>"
    '<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:cfRule type="expression" priority="1" id="{{00000000-0000-0000-0000-000000000001}}">'
    '<xm:f>TRUE</xm:f><x14:dxf><numFmt numFmtId="200" formatCode="{code}"/></x14:dxf>'
    "</x14:cfRule><xm:sqref>{area}</xm:sqref></x14:conditionalFormatting>"
    "</x14:conditionalFormattings></ext></extLst>"
)
"""A conditional format as Excel writes one whose rule refers to another sheet: in the
worksheet's extension list, with its own number format rather than one of the styles'."""


@pytest.mark.parametrize(
    ("code", "area", "refused_for_it"),
    [
        ("0;0;0;&quot;张三&quot;", "A1:Z100", True),
        ("0;0;0;&quot;张三&quot;", "Z1:Z100", False),  # over empty cells
        ("0.00", "A1:Z100", False),  # shows what the cells hold
    ],
)
def test_a_conditional_format_with_its_own_number_format(
    registers: RegisterFactory, db_path: Path, code: str, area: str, refused_for_it: bool
) -> None:
    path = _two_holders(registers)
    rule = X14_RULE.format(code=code, area=area)
    _rewrite(path, SHEET, lambda xml: xml.replace("</worksheet>", rule + "</worksheet>"))
    if refused_for_it:
        _refused_for_the_rule(registers, db_path)
    else:
        status, report = sync(registers.folder, db_path)
        assert status == 0, report


def test_a_conditional_format_elsewhere_refuses_nothing(
    registers: RegisterFactory, db_path: Path
) -> None:
    """The roster's own rule only fills duplicates with a colour; a rule hiding zeros (;;;)
    sits on another, empty sheet: the roster was refused for a format none of its cells use."""
    path = _two_holders(registers)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    fill = DifferentialStyle(fill=PatternFill(bgColor="FFC7CE"))
    sheet.conditional_formatting.add("A1:Z100", Rule(type="duplicateValues", dxf=fill))
    hides = DifferentialStyle(numFmt=NumberFormat(numFmtId=201, formatCode=";;;"))
    other = book.create_sheet("汇总")
    other.conditional_formatting.add("A1:A9", Rule(type="expression", formula=["TRUE"], dxf=hides))
    book.save(path)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report


@pytest.mark.parametrize("area", ["B5:A4", "O5:A4", "B:A", "A1048576:A1", "Z1 B5:A4"])
def test_an_area_written_from_its_far_corner_is_read(
    registers: RegisterFactory, db_path: Path, area: str
) -> None:
    """Excel and LibreOffice apply ``B5:A4`` as ``A4:B5``: read as written, it reached nothing."""
    _hidden_by_rule(registers, area)
    _refused_for_the_rule(registers, db_path)


def test_a_conditional_format_before_the_cells_is_judged_after_them(
    registers: RegisterFactory, db_path: Path
) -> None:
    """Placed before ``<sheetData>``, the rule was judged before any cell was known filled."""
    path = _hidden_by_rule(registers, "A4:A5")

    def before_the_cells(xml: str) -> str:
        first = xml.index("<conditionalFormatting")
        last = xml.index("</conditionalFormatting>") + len("</conditionalFormatting>")
        rule, rest = xml[first:last], xml[:first] + xml[last:]
        return rest.replace("<sheetData>", rule + "<sheetData>")

    _rewrite(path, SHEET, before_the_cells)
    _refused_for_the_rule(registers, db_path)


def test_an_extension_rule_with_its_areas_first_is_read(
    registers: RegisterFactory, db_path: Path
) -> None:
    path = _two_holders(registers)
    rule = X14_RULE.format(code="0;0;0;&quot;张三&quot;", area="A4:A5")
    cf_rule = rule[rule.index("<x14:cfRule") : rule.index("</x14:cfRule>") + len("</x14:cfRule>")]
    areas = "<xm:sqref>A4:A5</xm:sqref>"
    rule = rule.replace(cf_rule + areas, areas + cf_rule)
    _rewrite(path, SHEET, lambda xml: xml.replace("</worksheet>", rule + "</worksheet>"))
    _refused_for_the_rule(registers, db_path)


def test_a_drop_down_list_is_no_conditional_format(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A hiding rule over an empty column, then a drop-down list on filled cells: the list's
    areas were taken for the rule's, and a clerk's roster was refused."""
    path = _two_holders(registers)
    rule = X14_RULE.format(code=";;;", area="Z1:Z100").replace(
        "</extLst>", VALIDATION + "</extLst>"
    )
    _rewrite(path, SHEET, lambda xml: xml.replace("</worksheet>", rule + "</worksheet>"))
    code, report = sync(registers.folder, db_path)
    assert code == 0, report


@pytest.mark.parametrize(
    ("old", "new"),
    [('s="{s}"', 's=" {s}"'), ('s="{s}"', 's="+{s}"')],
)
def test_a_cell_style_number_spelt_with_a_space_or_a_sign_is_read(
    registers: RegisterFactory, db_path: Path, old: str, new: str
) -> None:
    """Excel and LibreOffice read ``s=" 1"`` and ``s="+1"`` as style 1: the name shown as 张三
    loaded."""
    path = _two_holders(registers)
    edit_cell(path, "赵六", number_format='0;-0;0;"张三"')
    _rewrite(path, SHEET, lambda xml: _respell_styles(xml, old, new))
    [(_, column, _, _)] = refused(registers, db_path, "mianyang.xlsx")
    assert column == "姓名"


def _respell_styles(xml: str, old: str, new: str) -> str:
    """Every cell style number but 0 spelt anew (at least one must be)."""
    spelt = xml
    for index in range(1, 100):
        spelt = spelt.replace(old.format(s=index), new.format(s=index))
    assert spelt != xml
    return spelt


def test_a_rule_style_number_with_a_sign_is_read(registers: RegisterFactory, db_path: Path) -> None:
    path = _hidden_by_rule(registers, "A4:A5")
    _rewrite(path, SHEET, lambda xml: xml.replace('dxfId="0"', 'dxfId="+0"'))
    _refused_for_the_rule(registers, db_path)


@pytest.mark.parametrize(
    ("sqref", "reaches"),
    [
        ("A1:C9", True),
        ("C9:A1", True),
        ("A1048576:A1", True),
        ("$B$2", True),
        ("D4 B3", True),
        ("C:C", True),
        ("C:A", True),
        ("3:3", True),
        ("D1:F9", False),
        ("F9:D1", False),
        ("A4:C9", False),
        ("D:XFD", False),
        ("", True),  # not read: taken to reach them
        ("A1:!", True),
    ],
)
def test_the_areas_of_a_conditional_format(sqref: str, reaches: bool) -> None:
    assert covers_filled(sqref, {1: [1, 3], 2: [2, 3], 3: [3, 3]}) is reaches


def test_an_extension_rule_without_a_formula_is_read(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A rule of a kind that needs no formula (blank cells, duplicates): nothing in the sheet
    but its format's code sent it through the exact reading."""
    path = _two_holders(registers)
    rule = X14_RULE.format(code="0;0;0;&quot;张三&quot;", area="A4:A5")
    rule = rule.replace("<xm:f>TRUE</xm:f>", "").replace(
        'type="expression"', 'type="notContainsBlanks"'
    )
    _rewrite(path, SHEET, lambda xml: xml.replace("</worksheet>", rule + "</worksheet>"))
    _refused_for_the_rule(registers, db_path)
