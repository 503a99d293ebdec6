"""A date cell whose number format leaves out a part its column keeps — a 出生年月 of 1972-05-01
formatted ``yyyy`` shows 1972, a status change's 日期 formatted ``yyyy"年"m"月"`` shows
2012年9月 — is refused as the text it shows would be: the reviewer never saw the month or the
day the registry would load (a clerk's review)."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwt
from click.testing import CliRunner

from registry.cli import cli
from registry.sheets._date_formats import short_date, shown_date
from registry.sheets.guard import REGISTER_LIMITS, read_sheet
from tests.registers import (
    MIANYANG,
    RegisterFactory,
    approval_row,
    as_ods,
    as_xls,
    mianyang_holders,
    status_event,
)

ODS_DATA = 'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"'
CHANGES = {"kind": "status-changes", "authority": "2202"}


@pytest.mark.parametrize(
    ("code", "shape", "shown"),
    [
        ("yyyy", "yyyy", "1972"),
        ('yyyy"年"', "yyyy年", "1972年"),
        ('yyyy"年"m"月"', "yyyy年m月", "1972年5月"),
        ("[$-804]yyyy.mm;@", "yyyy.mm", "1972.05"),
        ("mmm-yy", "mmm-yy", "May-72"),
        ("m/d", "m/d", "5/1"),
        ("h:mm AM/PM", "h:mm AM/PM", "12:00 AM"),  # a time's: no date at all
        ("yyyy/m/d", None, ""),
        ('yyyy"年"m"月"d"日"', None, ""),
        ("yyyy-mm-dd hh:mm:ss", None, ""),
        ("yyyy-mm ddd", "yyyy-mm ddd", "1972-05 Mon"),  # a weekday is no day of the month
        ("General", None, ""),  # a serial number, read as it is
        ("0.00E+00", None, ""),  # an exponent, not a year
        ("@", None, ""),
    ],
)
def test_what_a_date_format_leaves_out(code: str, shape: str | None, shown: str) -> None:
    assert short_date(code) == shape
    assert shape is None or shown_date(shape, dt.date(1972, 5, 1)) == shown


def test_the_short_dates_of_a_workbook_are_found(tmp_path: Path) -> None:
    """Custom formats and built-in ones (``d-mmm`` is 16, ``h:mm`` 20: no ``<numFmt>``) that
    leave out a part, on date cells; a whole date (built-in 14), text and an empty cell are not."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["出生年月"] * 6)
    sheet.append([dt.datetime(1972, 5, 1)] * 4 + ["1972", None])
    for cell, code in zip(
        sheet[2], ("yyyy", "d-mmm", "h:mm", "mm-dd-yy", "yyyy", "yyyy"), strict=True
    ):
        cell.number_format = code
    book.save(tmp_path / "a.xlsx")
    assert read_sheet(tmp_path / "a.xlsx", REGISTER_LIMITS).marks.short_dates == {
        (2, 1, "yyyy"),
        (2, 2, "d-mmm"),
        (2, 3, "h:mm:ss"),
    }


def test_the_short_dates_of_an_xls_are_found(tmp_path: Path) -> None:
    """As an .xlsx's: an .xls (Excel 97-2003, which WPS still saves) keeps its formats in its
    own records, read in the parse child with its other marks; built-in 27 (yyyy年m月, which
    xlrd does not spell) is told as Chinese Excel shows it."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["出生年月"] * 5)
    sheet.append([dt.datetime(1972, 5, 1)] * 4 + ["1972"])
    for cell, code in zip(sheet[2], ("yyyy", 'yyyy"年"m"月"', "yyyy/m/d", "d-mmm"), strict=False):
        cell.number_format = code
    book.save(tmp_path / "a.xlsx")
    as_xls(tmp_path / "a.xlsx", tmp_path / "a.xls")
    assert read_sheet(tmp_path / "a.xls", REGISTER_LIMITS).marks.short_dates == {
        (2, 1, "yyyy"),
        (2, 2, "yyyy年m月"),
        (2, 4, "d-mmm"),
    }
    assert _shapes(tmp_path, 27) == {(1, 1, "yyyy年m月")}
    assert _shapes(tmp_path, 14) == set()


def _shapes(folder: Path, built_in: int) -> set[tuple[int, int, str]]:
    """The short dates of an .xls whose one date cell is in the built-in format ``built_in``,
    written by its id alone as Excel writes a built-in one (xlwt knows only the ids up to 49:
    it is told the id of the code used)."""
    book = xlwt.Workbook()
    code = f"built-in {built_in}"
    book._Workbook__styles._num_formats[code] = built_in
    book.add_sheet("a").write(0, 0, dt.datetime(1972, 5, 1), xlwt.easyxf(num_format_str=code))
    path = folder / f"built-in-{built_in}.xls"
    book.save(str(path))
    return set(read_sheet(path, REGISTER_LIMITS).marks.short_dates)


ODS_YEAR = (
    '<number:date-style style:name="N1"><number:year number:style="long"/>'
    "<number:text>年</number:text></number:date-style>"
    '<style:style style:name="ceD" style:family="table-cell" style:data-style-name="N1"/>'
)
ODS_YEAR_MONTH = ODS_YEAR.replace(
    "<number:text>年</number:text>",
    "<number:text>年</number:text><number:month/><number:text>月</number:text>",
)

ODS_SHORT_YEAR = ODS_YEAR.replace(' number:style="long"', "")
"""The year in its short style, OpenDocument's default: 75年."""
ODS_MONTH_DAY = (
    '<number:date-style style:name="N1"><number:month number:style="long"/><number:text>月'
    '</number:text><number:day number:style="long"/><number:text>日</number:text>'
    '</number:date-style><style:style style:name="ceD" style:family="table-cell"'
    ' style:data-style-name="N1"/>'
)


@pytest.mark.parametrize(
    ("styles", "shown"),
    [
        (ODS_YEAR, "1975年"),
        (ODS_SHORT_YEAR, "75年"),
        (ODS_MONTH_DAY, "05月01日"),
        (ODS_MONTH_DAY.replace(' number:style="long"', ""), "5月1日"),
        (ODS_YEAR_MONTH, None),
    ],
)
def test_an_ods_birth_shown_as_a_year_is_refused(
    registers: RegisterFactory, tmp_path: Path, db_path: Path, styles: str, shown: str | None
) -> None:
    """As an .xlsx's: 赵六's 出生年月, the date 1975-05-01 in an .ods data style of its year
    alone, is refused as what the sheet shows — 75年 in the short style, which was told as
    1975年 whatever the style said; in a style of its year and month it loads."""
    rows = [approval_row("Z1122020001", "赵六"), approval_row("Z1122020002", "王五")]
    source = registers.add("mianyang.xlsx", rows, MIANYANG).rename(tmp_path / "source.xlsx")
    registers.entries = {"mianyang.ods": registers.entries.pop("mianyang.xlsx")}
    registers.write_manifest()
    path = registers.folder / "mianyang.ods"
    as_ods(source, path)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    content = parts["content.xml"].decode()
    birth = '<table:table-cell office:value-type="string"><text:p>1975.05</text:p>'
    dated = (
        '<table:table-cell table:style-name="ceD" office:value-type="date"'
        ' office:date-value="1975-05-01"><text:p>1975年</text:p>'
    )
    assert content.count(birth) == 2
    content = content.replace(birth, dated, 1).replace(
        "<office:automatic-styles>", f"<office:automatic-styles>{styles}", 1
    )
    parts["content.xml"] = content.replace(
        "office:version", f"{ODS_DATA} office:version", 1
    ).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    report = _sync(registers, db_path)
    if shown is None:
        assert report["ok"], report
        return
    [(row, column, value, rule)] = _problems(report, "mianyang.ods")
    assert (row, column, value) == (4, "出生年月", shown)
    assert ("不显示月" if "年" in shown else "不显示年") in rule and "1975-05" in rule


def _sync(registers: RegisterFactory, db: Path) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db), "--json"])
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _dated(path: Path, column: str, dates: dict[str, tuple[dt.datetime, str]]) -> None:
    """Make ``column`` of each row holding a key of ``dates`` that date, in that format."""
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    [header] = [c for row in sheet.iter_rows(max_row=4) for c in row if c.value == column]
    for row in sheet.iter_rows():
        for key, (value, code) in dates.items():
            if any(c.value == key for c in row):
                cell = sheet.cell(row[0].row, header.column)
                cell.value, cell.number_format = value, code
    book.save(path)


def _problems(report: dict[str, Any], file: str) -> list[tuple[Any, ...]]:
    [register] = [r for r in report["registers"] if r["file"] == file]
    assert register["outcome"] == "rejected", register
    return [(p["row"], p["column"], p["value"], p["rule"]) for p in register["problems"]]


@pytest.mark.parametrize("suffix", ["xlsx", "xls"])
@pytest.mark.parametrize(("code", "shown"), [("yyyy", "1972"), ('yyyy"年"', "1972年")])
def test_a_birth_shown_as_a_year_is_refused(
    registers: RegisterFactory, db_path: Path, code: str, shown: str, suffix: str
) -> None:
    """赵六's 出生年月 shows only its year; 王五's shows the year and month, 李四's the whole
    date (more than the column keeps): those load as they do. The same register saved as an
    .xls is refused alike."""
    path = registers.add(
        "mianyang.xlsx",
        [
            approval_row("Z1122020001", "赵六"),
            approval_row("Z1122020002", "王五"),
            approval_row("Z1122020003", "李四"),
        ],
        MIANYANG,
    )
    birth = dt.datetime(1972, 5, 1)
    formats = {"赵六": (birth, code), "王五": (birth, "yyyy-mm"), "李四": (birth, "yyyy/m/d")}
    _dated(path, "出生年月", formats)
    if suffix == "xls":
        as_xls(path, path.with_suffix(".xls"))
        path.unlink()
        registers.entries = {"mianyang.xls": registers.entries.pop("mianyang.xlsx")}
        registers.write_manifest()
    [(row, column, value, rule)] = _problems(_sync(registers, db_path), f"mianyang.{suffix}")
    assert (row, column, value) == (4, "出生年月", shown)
    assert "不显示月" in rule and "1972-05" in rule and "附件4" in rule
    assert "显示年月" in rule and "1972.05" in rule and "SPEC" not in rule


def test_a_status_date_shown_without_its_day_is_refused(
    registers: RegisterFactory, db_path: Path
) -> None:
    """The 补发's 日期 shows 2012年9月 and the 撤销's 2013, yet each would be the certificate's
    public status date to the day; the 换发's shows the whole date and is not named."""
    registers.add("mianyang.csv", mianyang_holders(), MIANYANG)
    path = registers.add(
        "changes.xlsx",
        [
            status_event("补发", "Z1122020001", "周杰", "2012-09-10"),
            status_event("换发", "Z1122020002", "郑浩", "2012-05-08", "Z1122020003"),
            status_event("撤销", "C1122020001", "吴敏", "2013-01-15"),
        ],
        CHANGES,
    )
    dates = {
        "周杰": (dt.datetime(2012, 9, 10), 'yyyy"年"m"月"'),
        "郑浩": (dt.datetime(2012, 5, 8), "yyyy/m/d"),
        "吴敏": (dt.datetime(2013, 1, 15), "yyyy"),
    }
    _dated(path, "日期", dates)
    found = _problems(_sync(registers, db_path), "changes.xlsx")
    assert [(row, column, value) for row, column, value, _ in found] == [
        (3, "日期", "2012年9月"),
        (5, "日期", "2013"),
    ]
    assert "不显示日" in found[0][3] and "2012-09-10" in found[0][3] and "§四.(六)" in found[0][3]
    assert "不显示月、日" in found[1][3] and "年月日" in found[1][3]
