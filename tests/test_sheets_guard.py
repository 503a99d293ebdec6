"""registry.sheets.guard: hostile spreadsheets are refused by the limit they break, with the test
process untouched; real spreadsheets read exactly as python-calamine / csv read them."""

from __future__ import annotations

import base64
import csv
import dataclasses
import datetime as dt
import errno
import io
import os
import random
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import xlwt
from openpyxl.styles import Border, Font, Side

from registry.domain.levels import LEVELS
from registry.sheets import _marked, _xls_marks
from registry.sheets._marked import Marks
from registry.sheets._worker import LEVEL_LETTERS
from registry.sheets._zipdirectory import check_directory
from registry.sheets._zipmarks import sheet_marks
from registry.sheets._zipscan import scan_parts
from registry.sheets.guard import (
    REGISTER_LIMITS,
    UPLOAD_LIMITS,
    Sheet,
    SheetLimits,
    SheetRefused,
    open_regular_file,
    read_sheet,
    read_sheet_bytes,
)
from registry.sheets.sheet import excel_row
from tests.hostile_files import (
    HOSTILE,
    MAIN_NS,
    Hostile,
    bounded,
    build,
    one_cell,
    sheet_xml,
    workbook_parts,
    write_ods,
    write_workbook,
)
from tests.registers import as_xls

MIB = 1 << 20


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


def finishes(call: Callable[[], object], seconds: float = 60) -> object:
    """``call()``'s result or exception, failing the test instead of hanging it (a FIFO would)."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # handed to the test
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, "the read hung"
    return outcome[0]


def refusal(path: Path, limits: SheetLimits = REGISTER_LIMITS) -> SheetRefused:
    outcome = finishes(lambda: read_sheet(path, limits))
    assert isinstance(outcome, SheetRefused), outcome
    return outcome


def calamine_rows(path: Path) -> list[list[object]]:
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    return [list(row) for row in workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)]


def cells(sheet: Sheet) -> list[list[object]]:
    assert list(sheet.numbers) == list(range(1, len(sheet.cells) + 1))
    return sheet.cells


# Hostile files


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda h: h.name)
def test_hostile_file_is_refused_naming_the_limit(
    hostile: Hostile, corpus: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    refused = refusal(build(corpus, hostile))
    message = str(refused)
    assert refused.limit == hostile.limit, message
    assert hostile.mentions in message
    assert_well_formed(refused)
    assert capfd.readouterr().err == ""  # no traceback, no panic from the child


def assert_well_formed(refused: SheetRefused) -> None:
    """A damaged file is named as one; a limit is named with its bound; both say what to do."""
    message = str(refused)
    if refused.limit == "format":
        assert message.startswith("无法作为电子表格读取：")
    else:
        assert message.startswith("表格超出处理上限：")
        assert "上限 " in message
    assert message.endswith("重试")


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda h: h.name)
def test_hostile_file_is_refused_as_an_upload(hostile: Hostile, corpus: Path) -> None:
    refused = refusal(build(corpus, hostile), UPLOAD_LIMITS)
    assert refused.limit == (hostile.upload_limit or hostile.limit)
    assert_well_formed(refused)


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda h: h.name)
def test_hostile_file_is_refused_when_left_to_the_child(hostile: Hostile, corpus: Path) -> None:
    """As a sheet too big to scan first is: the child's check of the parsed range, its limits,
    and the scan that explains its death meet every file by the same limit."""
    unscanned = dataclasses.replace(REGISTER_LIMITS, scan_first_bytes=0)
    refused = refusal(build(corpus, hostile), unscanned)
    assert refused.limit == hostile.limit
    assert_well_formed(refused)


def test_row_limits_cite_where_they_come_from(corpus: Path) -> None:
    far = build(corpus, next(h for h in HOSTILE if h.name == "a99999999.xlsx"))
    assert "一份名册至多 4 个等级 × 9,999 本证书，见附件3" in str(refusal(far))
    assert "一次批量查验至多 500 行" in str(refusal(far, UPLOAD_LIMITS))


def test_a_bomb_past_the_scan_kills_only_the_child(corpus: Path) -> None:
    """With limits wide enough for the scan to let A1 + XFD1048576 through, python-calamine
    asks for 2**39 bytes and aborts: the child, not us, under its address-space limit."""
    path = build(corpus, next(h for h in HOSTILE if h.name == "a1-and-xfd1048576.xlsx"))
    wide = dataclasses.replace(REGISTER_LIMITS, max_rows=2_000_000, max_columns=20_000)
    refused = refusal(path, wide)
    assert refused.limit == "memory_bytes"
    assert "读取所需内存超过上限（上限 1,024 MiB" in str(refused)


def test_the_childs_memory_is_its_address_space_limit(tmp_path: Path) -> None:
    """A1 + XFD2000 makes python-calamine allocate a 1 GiB range, which this machine could
    give: only the child's RLIMIT_AS, set here to 256 MiB, stops it."""
    path = write_workbook(tmp_path / "dense.xlsx", one_cell("XFD2000", also_a1=True))
    wide = dataclasses.replace(
        REGISTER_LIMITS, max_rows=2_000_000, max_columns=20_000, memory_bytes=256 * MIB
    )
    refused = refusal(path, wide)
    assert refused.limit == "memory_bytes"
    assert "上限 256 MiB" in str(refused)


def test_the_child_is_stopped_at_the_time_limit(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(path, rows=5_000)
    refused = refusal(path, dataclasses.replace(REGISTER_LIMITS, seconds=0.01))
    assert refused.limit == "seconds"
    assert "读取用时超过上限" in str(refused)


def test_a_child_that_cannot_start_is_our_fault_not_the_files(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "ok.xlsx", one_cell("B2"))
    with pytest.raises(RuntimeError, match="did not start"):
        read_sheet(path, dataclasses.replace(REGISTER_LIMITS, memory_bytes=MIB))


def test_the_child_checks_the_parsed_shape_too(tmp_path: Path) -> None:
    """Cells without ``r`` escape the parent's search; python-calamine's range does not."""
    path = write_workbook(
        tmp_path / "wide.xlsx", sheet_xml("<row>" + "<c><v>1</v></c>" * 65 + "</row>")
    )
    refused = refusal(path)
    assert refused.limit == "max_columns"
    assert "65 列" in str(refused)


# Real files read as python-calamine reads them


def write_register(path: Path, rows: int) -> None:
    """An approval roster laid out like 附件4: title, merged two-row header, data, footer."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["中央在川和省直机关事业单位工人技术等级（职务）证书审批名册"])
    sheet.merge_cells("A1:H1")
    sheet.append(
        ["姓名", "性别", "出生年月", "报考工种", "考试考核结果", None, "发证日期", "颁发证书编号"]
    )
    sheet.append([None, None, None, None, "技术业务理论", "实际操作技能", None, None])
    for column in "ABCDGH":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("E2:F2")
    for n in range(rows):
        sheet.append(
            [
                f"张{n}",
                "男女"[n % 2],
                dt.datetime(1970 + n % 30, 1 + n % 12, 1),
                "汽车驾驶员",
                60 + n % 40,
                75.5,
                dt.date(2011, 3, 15) if n % 3 else None,
                f"Z1122{n % 22:02d}{n % 9999 + 1:04d}",
            ]
        )
    sheet.append([])
    sheet.append(["证书核发部门意见：同意初级 0 人，中级 12 人。    审查人：        批准人："])
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=8)
    book.save(path)


def test_register_xlsx_reads_as_calamine_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(path, rows=5_000)  # several chunks from the child, dates in each
    sheet = read_sheet(path, REGISTER_LIMITS)
    assert cells(sheet) == calamine_rows(path)
    assert sheet.encoding is None
    assert sheet.cells[3][2] == dt.date(1970, 1, 1)  # python-calamine makes midnight a date
    last_number, last_row = list(sheet.rows())[-1]
    assert (last_number, str(last_row[0])[:8]) == (5_005, "证书核发部门意见")


def test_a_workbook_reads_without_a_writable_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduled sync's unit may write only its data (systemd's ProtectSystem=strict):
    handing the workbook to the guarded child needs no temporary folder."""
    path = tmp_path / "register.xlsx"
    write_register(path, rows=50)

    def read_only(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError("No usable temporary directory found")

    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    monkeypatch.setattr(tempfile, "gettempdir", read_only)
    assert cells(read_sheet(path, REGISTER_LIMITS)) == calamine_rows(path)


def test_a_workbook_reads_where_the_kernel_refuses_in_memory_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Old kernels and some sandboxes answer memfd_create with ENOSYS: a temporary file then."""
    path = tmp_path / "register.xlsx"
    write_register(path, rows=50)

    def refused(*args: object) -> int:
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(os, "memfd_create", refused, raising=False)
    assert cells(read_sheet(path, REGISTER_LIMITS)) == calamine_rows(path)


def test_every_cell_type_and_a_table_away_from_a1(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["C3"] = "文本"
    sheet["D3"] = 7
    sheet["E3"] = 2.5
    sheet["F3"] = True
    sheet["C4"] = dt.date(2011, 3, 15)
    sheet["D4"] = dt.datetime(2011, 3, 15, 8, 30)
    sheet["E4"] = dt.time(8, 30)
    sheet["F4"] = dt.timedelta(hours=30)
    sheet["G5"] = "=D3*2"  # no cached value: python-calamine skips it
    path = tmp_path / "types.xlsx"
    book.save(path)
    rows = cells(read_sheet(path, REGISTER_LIMITS))
    assert rows == calamine_rows(path)
    assert len(rows) == 4 and len(rows[0]) == 6  # padded from A1, as to_python pads
    assert rows[2][2:6] == ["文本", 7.0, 2.5, True]
    assert [type(cell) for cell in rows[3][2:6]] == [dt.date, dt.datetime, dt.time, dt.timedelta]


def test_formatting_far_away_is_not_data(tmp_path: Path) -> None:
    """Borders down to row 60,000 and column ZZ, and a <dimension> that says so, are over the
    limits; python-calamine skips empty cells, and so does the guard."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "姓名"
    sheet["B2"] = "张三"
    thin = Side(style="thin")
    sheet.cell(60_000, 1).border = Border(top=thin)
    sheet.cell(2, 702).border = Border(top=thin)
    path = tmp_path / "formatted.xlsx"
    book.save(path)
    assert cells(read_sheet(path, REGISTER_LIMITS)) == [["姓名", ""], ["", "张三"]]


def test_a_formula_reads_as_its_cached_value(tmp_path: Path) -> None:
    row = '<row r="1"><c r="A1"><v>21</v></c><c r="B1"><f>A1*2</f><v>42</v></c></row>'
    path = write_workbook(
        tmp_path / "formula.xlsx", sheet_xml(row, '<dimension ref="A1:XFD1048576"/>')
    )
    assert cells(read_sheet(path, REGISTER_LIMITS)) == calamine_rows(path) == [[21.0, 42.0]]


def test_ods_reads_as_calamine_reads_it(tmp_path: Path) -> None:
    rows = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell>'
        '<table:table-cell office:value-type="float" office:value="3"><text:p>3</text:p></table:table-cell></table:table-row>'
        '<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        '<table:table-row><table:table-cell table:number-columns-repeated="2"/>'
        '<table:table-cell office:value-type="string"><text:p>末</text:p></table:table-cell></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    path = write_ods(tmp_path / "roster.ods", rows)
    assert cells(read_sheet(path, REGISTER_LIMITS)) == calamine_rows(path)
    assert calamine_rows(path)[3][2] == "末"


def test_an_ods_register_of_thirty_thousand_rows_is_read(tmp_path: Path) -> None:
    """Every .ods whose content.xml passed 4 MB (from about 13,000 rows) was refused as having
    more than 4 MB before its cells: the check looked for an .xlsx's <sheetData>."""
    row = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>张三明</text:p>'
        '</table:table-cell><table:table-cell office:value-type="string"><text:p>G{:010d}</text:p>'
        "</table:table-cell></table:table-row>"
    )
    path = write_ods(tmp_path / "roster.ods", "".join(row.format(i) for i in range(30_000)))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("content.xml").file_size > 4 << 20
    rows = cells(read_sheet(path, REGISTER_LIMITS))
    assert len(rows) == 30_000 and rows[-1][1] == "G0000029999"


def test_upload_bytes_read_like_the_file(tmp_path: Path) -> None:
    path = tmp_path / "batch.xlsx"
    write_register(path, rows=20)
    sheet = read_sheet_bytes("批量.XLSX", path.read_bytes(), UPLOAD_LIMITS)
    assert sheet == read_sheet(path, UPLOAD_LIMITS)


def test_empty_workbook_has_no_rows(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "empty.xlsx", sheet_xml(""))
    assert list(read_sheet(path, REGISTER_LIMITS).rows()) == []


# CSV


CSV_TEXT = (
    '姓名,颁发证书编号\r\n张三,Z11220200001\r\n"李\r\n四",G11220100012\r\n\r\n王五,C11220000003\r\n'
)


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("gb18030", CSV_TEXT.encode("gb18030")),
        ("utf-8-sig", CSV_TEXT.encode("utf-8-sig")),
        ("utf-8", CSV_TEXT.encode("utf-8")),
    ],
)
def test_csv_reads_as_csv_reads_it(tmp_path: Path, encoding: str, data: bytes) -> None:
    path = tmp_path / "register.csv"
    path.write_bytes(data)
    sheet = read_sheet(path, REGISTER_LIMITS)
    reader = csv.reader(io.StringIO(CSV_TEXT, newline=""))
    # every record with a character, as a workbook's empty rows are not rows either
    assert [cells for _, cells in sheet.rows()] == [cells for cells in reader if any(cells)]
    assert sheet.encoding == encoding
    # each record by the line it starts on, past a quoted cell spanning two lines and past the
    # empty line; and from the empty line on, Excel shows each a row earlier
    assert list(sheet.numbers) == [1, 2, 3, 6]
    assert list(sheet.shifts) == [(5, 1)]
    assert [excel_row(line, sheet.shifts) for line in sheet.numbers] == [1, 2, 3, 5]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_its_byte_order_mark_is_read(encoding: str) -> None:
    """It decoded as GB18030: every row garbage (编号格式错误, 未查到), nothing said."""
    text = "证书编号,姓名\r\nZ1122000001,李芳\r\nG1122000003,欧阳娜娜\r\n"
    sheet = read_sheet_bytes("名单.csv", text.encode(encoding), UPLOAD_LIMITS)
    assert [cells for _, cells in sheet.rows()] == [
        ["证书编号", "姓名"],
        ["Z1122000001", "李芳"],
        ["G1122000003", "欧阳娜娜"],
    ]
    assert sheet.encoding == encoding


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Z1122000001,姚小平\r\n".encode("gbk"), "gb18030"),  # its bytes are valid UTF-8 too
        ("Z1122000001,姚小平\r\n".encode(), "utf-8"),
        ("Z1122000001,José Müller\r\n".encode(), "utf-8"),
        ("Z1122000001,Ayxam · Tursun\r\n".encode(), "utf-8"),
        ("Z1122000001,10 ± 2 °\r\n".encode(), "utf-8"),
        ("Z1122000001,5kΩ\r\n".encode(), "utf-8"),
        ("Z1122000001,вода\r\n".encode(), "utf-8"),
    ],
    ids=[
        "GBK that reads as UTF-8",
        "UTF-8",
        "UTF-8 of Latin letters",
        "UTF-8 with a dot",
        "UTF-8 with symbols",
        "UTF-8 with a Greek letter",
        "UTF-8 of one script",
    ],
)
def test_a_short_gbk_list_whose_bytes_are_utf8_too_is_read_as_gbk(
    data: bytes, encoding: str
) -> None:
    """A headerless GBK list of names made of characters whose bytes read as UTF-8 (姚小平 as
    ҦСƽ) was checked as those letters: 未查到 for a valid certificate, and charged."""
    sheet = read_sheet_bytes("名单.csv", data, UPLOAD_LIMITS)
    assert [cells for _, cells in sheet.rows()] == [
        ["Z1122000001", data.decode(encoding).strip()[12:]]
    ]
    assert sheet.encoding == encoding


def test_an_xls_cut_short_is_told_damaged_not_another_document(tmp_path: Path) -> None:
    """A .xls whose copy was interrupted was told it may be a Word document renamed: it is an
    Excel file, damaged, and the fix is its sender's original."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名册")
    for row in range(50):
        sheet.write(row, 0, f"张三{row}")
    whole = tmp_path / "whole.xls"
    book.save(str(whole))
    cut = tmp_path / "cut.xls"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    said = str(refusal(cut))
    assert "文件是 Excel 工作簿（.xls），但内容已损坏或不完整" in said and "Word" not in said


def test_csv_in_no_known_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"\x80\x80\xff\xff\r\n")  # neither UTF-8 nor GB18030, and no BOM
    assert "无法识别文件编码" in str(refusal(path))


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_an_undecodable_record_is_named_by_its_excel_row(tmp_path: Path, newline: str) -> None:
    """A review: the row was counted by line feeds — past a cell over three lines, or in a
    Mac's CR-only file (第 1 行起) —, not as Excel shows the records."""
    rows = ["姓名,备注", '张三,"第一行\n第二行\n第三行"', "李四,好", "王五,好"]
    path = tmp_path / "bad.csv"
    path.write_bytes(
        newline.join(rows).encode("gb18030").replace("王五".encode("gb18030"), b"\xff\xff")
    )
    assert "第 4 行起" in str(refusal(path))


def test_a_csv_with_one_line_in_no_known_encoding_names_the_line(tmp_path: Path) -> None:
    """A line pasted from elsewhere into a GB18030 list: the whole file was refused without a
    word of where, in a file of thousands of lines."""
    path = tmp_path / "mixed.csv"
    lines = ["证书编号,姓名", "Z1122000001,张三明", "Z1122000002,李芳"]
    path.write_bytes("\r\n".join(lines).encode("gb18030") + b"\r\nZ1122000003,\x80\xff\r\n")
    assert "第 4 行起" in str(refusal(path))
    # a UTF-8 list with a GBK line in it (the likelier way: the message says to save as UTF-8),
    # read as GB18030, stopped on its first Chinese line
    gbk = "Z1122000004,王小二\r\n".encode("gbk") + b"\x80\xff\r\n"
    path.write_bytes("\r\n".join([*lines, ""]).encode("utf-8") + b"Z1122000003,x\r\n" + gbk)
    assert "第 5 行起" in str(refusal(path))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "gb18030", "utf-8"])
def test_a_tab_separated_text_file_as_excel_saves_it_is_read(encoding: str) -> None:
    """Excel's 另存为“Unicode 文本” (UTF-16, tabs) and “文本文件（制表符分隔）” (GBK, tabs)
    were read as one comma-separated column, or refused; a title line above the header may
    hold no tab."""
    text = "查验名单\r\n证书编号\t姓名\r\nZ1122000001\t李芳\r\n"
    sheet = read_sheet_bytes("名单.txt", text.encode(encoding), UPLOAD_LIMITS)
    assert [cells for _, cells in sheet.rows()] == [
        ["查验名单"],
        ["证书编号", "姓名"],
        ["Z1122000001", "李芳"],
    ]
    # a .csv stays comma-separated, whatever its cells hold
    sheet = read_sheet_bytes("名单.csv", "a\tb,c\r\n".encode(encoding), UPLOAD_LIMITS)
    assert [cells for _, cells in sheet.rows()] == [["a\tb", "c"]]


def test_upload_row_limit_says_the_batch_size(tmp_path: Path) -> None:
    path = tmp_path / "batch.csv"
    path.write_text("证书编号,姓名\n" + "Z11220200001,张三\n" * 4_999, encoding="utf-8")
    assert len(read_sheet(path, UPLOAD_LIMITS).cells) == 5_000
    path.write_text("证书编号,姓名\n" + "Z11220200001,张三\n" * 5_000, encoding="utf-8")
    refused = refusal(path, UPLOAD_LIMITS)
    assert refused.limit == "max_rows"
    assert "上限 5,000 行；一次批量查验至多 500 行" in str(refused)


def test_limits_are_settings(tmp_path: Path) -> None:
    path = tmp_path / "three.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    narrow = dataclasses.replace(UPLOAD_LIMITS, max_columns=2, basis="测试")
    refused = refusal(path, narrow)
    assert (refused.limit, str(refused)) == (
        "max_columns",
        "表格超出处理上限：第一个工作表有 3 列（第 1 行；上限 2 列；测试）。请删去多余的空行空列，或拆分文件后重试",
    )


def test_a_csv_record_of_only_empty_fields_is_held_to_the_width_too(tmp_path: Path) -> None:
    """A record of 32 million commas was skipped as a blank line — after csv had built it, and
    with 900 MB taken — and the file accepted: its width is now checked first."""
    path = tmp_path / "commas.csv"
    path.write_text("a,b\n1,2\n" + "," * 100 + "\n", encoding="utf-8")
    refused = refusal(path, UPLOAD_LIMITS)
    assert refused.limit == "max_columns" and "第 3 行" in str(refused)


# Opening files


def test_open_regular_file_refuses_what_is_not_one(tmp_path: Path) -> None:
    for path, why in [(tmp_path, "不是普通文件"), (tmp_path / "missing.csv", "文件不存在")]:
        with pytest.raises(SheetRefused, match=why):
            open_regular_file(path, MIB)


def test_a_workbook_named_csv_is_read_as_one_but_never_a_pasted_list() -> None:
    """A workbook renamed .csv is read as the workbook it is; the list pasted on the batch page
    (a .txt) never is, whatever its bytes: its parse time is not counted (a review pasted an
    all-ASCII workbook into the box, and the parse child read it)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["证书编号", "姓名"])
    sheet.append(["G1122000002", "欧阳明"])
    saved = io.BytesIO()
    workbook.save(saved)
    data = saved.getvalue()
    renamed = read_sheet_bytes("名单.csv", data, UPLOAD_LIMITS)
    assert [cells for _, cells in renamed.rows()] == [
        ["证书编号", "姓名"],
        ["G1122000002", "欧阳明"],
    ]
    try:
        pasted = read_sheet_bytes("粘贴的名单.txt", data, UPLOAD_LIMITS)
    except SheetRefused:
        return  # read as text it is no list: refused as one
    assert ["G1122000002", "欧阳明"] not in [cells for _, cells in pasted.rows()]


def test_a_file_certreg_may_not_read_is_the_administrators_to_mend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clerk's file of mode 0600 was told to be re-saved as .xlsx, which changes nothing: the
    system user running certreg may not read it (an operator's review). (Tests run as root,
    whom permissions do not stop: the kernel's refusal is what os.open raises.)"""
    path = tmp_path / "2012-mianyang-8.xlsx"
    path.write_bytes(b"PK")

    def kernel_refuses(*args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(os, "open", kernel_refuses)
    with pytest.raises(SheetRefused) as told:
        open_regular_file(path, MIB)
    assert "没有读取这个文件的权限" in str(told.value) and "请管理员让它可读" in str(told.value)
    assert "另存为" not in str(told.value)


def test_open_regular_file_bounds_the_size(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"x" * 1_000)
    assert open_regular_file(path, 1_000) == b"x" * 1_000
    with pytest.raises(SheetRefused, match="文件大小 1,000 字节（上限 999 字节）") as refused:
        open_regular_file(path, 999)
    assert refused.value.limit == "max_file_bytes"
    assert "表格中的图片（扫描件、照片、印章）往往占去大部分，请删除图片" in str(refused.value)


def test_unsupported_suffix_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "register.pdf"
    path.write_bytes(b"%PDF-1.7")
    assert "不支持的文件类型“.pdf”" in str(refusal(path))


ROSTER_HEADER = ["序号", "姓名", "性别", "出生日期", "颁发证书编号"]


def two_sheets(path: Path, first: str, second: str, first_state: str = "visible") -> Path:
    """A workbook of two sheets, each headed like a roster; the first named and shown as given."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = first
    sheet.append(ROSTER_HEADER)
    sheet.sheet_state = first_state
    workbook.create_sheet(second).append(ROSTER_HEADER)
    workbook.save(path)
    return path


def roster_and(path: Path, name: str, rows: list[list[object]]) -> Path:
    """A roster's sheet, then a sheet ``name`` holding ``rows``."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "名册"
    sheet.append(ROSTER_HEADER)
    later = workbook.create_sheet(name)
    for row in rows:
        later.append(row)
    workbook.save(path)
    return path


INSTRUCTIONS: list[list[object]] = [
    ["填表说明"],
    [0, "（各项按下列要求填写）"],  # an item's number as a number cell, in its own column
    ["1", "出生年月：按 1975.05 的格式填写"],
    [],
    ["2", "颁发证书编号：按附件3编制，如 Z1122020001", "（必填）"],
]


def test_a_sheet_of_instructions_after_the_roster_is_set_aside_by_name(tmp_path: Path) -> None:
    """A template's 填表说明 after the roster is no part of it: the roster is read, and the sheet
    is named with its filled rows (it was refused, as if the roster went on there)."""
    path = roster_and(tmp_path / "roster.xlsx", "填表说明", INSTRUCTIONS)
    sheet = read_sheet(path, REGISTER_LIMITS)
    assert sheet.cells[0] == ROSTER_HEADER
    assert list(sheet.set_aside) == [("填表说明", 4)]


@pytest.mark.parametrize(
    "rows",
    [
        [["王五", "G1122020001"]],  # two cells, but one a certificate number
        [["王五", " z1122020001 "]],  # written as a clerk types it
        [["王五", "男", "1975.05", "电工"]],  # four cells: a row of a register
        [[f"说明第{n}条"] for n in range(101)],  # more lines than a page of notes
        [["某单位", 20, 20], ["合计", 20, 20]],  # a 申领计划表 going on: a unit, its quantities
        [["王五", "G1122 000002"], ["赵六", "g-1122-000003（原件已验）"]],  # numbers as typed
    ],
    ids=["number", "lower-case number", "four cells", "101 rows", "quantities", "typed numbers"],
)
def test_a_later_sheet_that_could_hold_rows_is_still_refused(
    tmp_path: Path, rows: list[list[object]]
) -> None:
    path = roster_and(tmp_path / "roster.xlsx", "补充", rows)
    with pytest.raises(SheetRefused, match="工作表“补充”也有内容"):
        read_sheet(path, REGISTER_LIMITS)


def test_instructions_before_an_empty_first_sheet_are_named_with_the_rest(tmp_path: Path) -> None:
    """An empty first sheet is refused as empty, naming a notes sheet too: nothing is read."""
    workbook = openpyxl.Workbook()
    workbook.create_sheet("填表说明").append(["填表说明"])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    with pytest.raises(SheetRefused, match="第一个工作表“Sheet”是空的，内容在工作表“填表说明”中"):
        read_sheet(path, REGISTER_LIMITS)


def test_instructions_put_before_the_roster_are_told_as_such(tmp_path: Path) -> None:
    """A template's 填表说明 first and the roster second was refused as a roster going on over
    two sheets, told that a sheet of notes is no matter (a clerk's review): it is told to put
    the roster's sheet first."""
    rows: list[list[object]] = [list(ROSTER_HEADER), ["王五", "G1122020001"]]
    path = roster_and(tmp_path / "roster.xlsx", "花名册", rows)
    workbook = openpyxl.load_workbook(path)
    first = workbook.worksheets[0]
    first.delete_rows(1)
    first.title = "填表说明"
    for row in INSTRUCTIONS:
        first.append(row)
    workbook.save(path)
    with pytest.raises(SheetRefused) as refused:
        read_sheet(path, REGISTER_LIMITS)
    said = str(refused.value)
    assert "第一个工作表“填表说明”只有说明文字，要导入的内容在工作表“花名册”中" in said
    assert "拖到最前面" in said and "不影响读取" not in said


def test_the_worker_knows_the_level_letters_of_the_domain() -> None:
    """The child imports nothing of ours: its copy of the letters must be the registry's."""
    assert set(LEVEL_LETTERS) == {*LEVELS, *(letter.lower() for letter in LEVELS)}


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_first_sheet_is_refused_not_read(tmp_path: Path, state: str) -> None:
    """An old roster kept in a hidden first sheet would be read in place of the visible one."""
    path = two_sheets(tmp_path / "two.xlsx", "旧名册", "名册", first_state=state)
    with pytest.raises(SheetRefused, match="第一个工作表“旧名册”是隐藏的"):
        read_sheet(path, REGISTER_LIMITS)


def test_a_utf8_row_pasted_into_a_gb18030_csv_is_refused_not_garbled(tmp_path: Path) -> None:
    """李四 in UTF-8 inside a GB18030 file reads as 鏉庡洓: refused, naming the line and what it
    says; a GB18030 file with rare characters (喆, 镕) is not taken for one."""
    good = "姓名,工种\n王喆,汽车驾驶员\n朱镕,电工\n张三,电工\n".encode("gb18030")
    path = tmp_path / "good.csv"
    path.write_bytes(good)
    assert read_sheet(path, REGISTER_LIMITS).cells[1][0] == "王喆"
    path.write_bytes(good.replace("张三".encode("gb18030"), "张三".encode()))
    with pytest.raises(SheetRefused, match="第 4 行的“.+”是乱码.*原文应为“张三”"):
        read_sheet(path, REGISTER_LIMITS)


def test_a_workbook_with_values_on_a_later_sheet_is_refused_not_read_in_part(
    tmp_path: Path,
) -> None:
    """Only the first sheet is read: a roster whose 高级 rows are on a second sheet, or that sits
    behind a 填表说明 sheet, is refused with the sheets named, never loaded in part."""
    path = two_sheets(tmp_path / "two.xlsx", "中级", "高级")
    with pytest.raises(SheetRefused, match="第一个工作表“中级”，但工作表“高级”也有内容"):
        read_sheet(path, REGISTER_LIMITS)


def test_an_empty_first_sheet_before_the_roster_is_named_as_empty(tmp_path: Path) -> None:
    """An empty Sheet2 dragged before the roster was told "只读取第一个工作表“Sheet2”，但…也有
    内容", never that it is empty and what to delete."""
    workbook = openpyxl.Workbook()
    empty = workbook.active
    assert empty is not None
    empty.title = "Sheet2"
    workbook.create_sheet("名册").append(["姓名", "颁发证书编号"])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    with pytest.raises(
        SheetRefused,
        match="第一个工作表“Sheet2”是空的，内容在工作表“名册”中.*请删除空的工作表“Sheet2”",
    ):
        read_sheet(path, REGISTER_LIMITS)


def test_empty_and_hidden_later_sheets_are_no_part_of_the_register(tmp_path: Path) -> None:
    """Excel's empty Sheet2/Sheet3 (one with a formatted blank cell) and a hidden list of trades
    for a drop-down are no rows of the register: the first sheet is read as before."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.append(["姓名", "颁发证书编号"])
    workbook.create_sheet("Sheet2")
    workbook.create_sheet("Sheet3")["B2"].border = Border(top=Side(style="thin"))
    trades = workbook.create_sheet("工种")
    trades.append(["电工"])
    trades.sheet_state = "hidden"
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    assert read_sheet(path, REGISTER_LIMITS).cells[0][:2] == ["姓名", "颁发证书编号"]


def _rows(count: int, hidden: dict[int, str], *, numbered: bool = True, pad: int = 0) -> str:
    """``count`` rows of one cell; ``hidden`` maps a row to its ``hidden`` attribute's value;
    ``pad`` bytes of an attribute nobody reads (random, as no bomb) lengthen each row tag."""
    rows = []
    noise = random.Random(389)
    for row in range(1, count + 1):
        flag = f' hidden="{hidden[row]}"' if row in hidden else ""
        row_ref, cell_ref = (f' r="{row}"', f' r="A{row}"') if numbered else ("", "")
        extra = f' pad="{noise.randbytes(pad // 2).hex()}"' if pad else ""
        rows.append(f"<row{row_ref}{extra}{flag}><c{cell_ref}><v>{row}</v></c></row>")
    return sheet_xml("".join(rows))


_xml = _rows(600, {}, pad=2_000).encode()
_cut = _xml.count(b"<row", 0, _xml.rfind(b"<row", 0, MIB)) + 1
assert _xml.find(b">", _xml.rfind(b"<row", 0, MIB)) > MIB  # its tag spans the scan's blocks


@pytest.mark.parametrize(
    ("rows", "hidden"),
    [
        (_rows(5, {2: "1", 4: "true", 5: "0"}), {2, 4}),
        (_rows(5, {3: "1"}, numbered=False), {3}),  # by expat: a row without r follows the last
        (_rows(600, {_cut: "1"}, pad=2_000), {_cut}),  # a tag across 1 MiB blocks
        (_rows(3, {}).replace("<row", '<rowBreaks count="1"/><row', 1), set()),
    ],
    ids=["numbered", "unnumbered", "across-blocks", "none"],
)
def test_the_rows_a_worksheet_hides_are_named(tmp_path: Path, rows: str, hidden: set[int]) -> None:
    """python-calamine reads hidden rows like any other: the scan finds them, for a small sheet
    read whole and a big one (``scan_first_bytes`` 0) alike."""
    path = write_workbook(tmp_path / "hidden.xlsx", rows)
    data = path.read_bytes()
    for limits in (REGISTER_LIMITS, dataclasses.replace(REGISTER_LIMITS, scan_first_bytes=0)):
        sheet = read_sheet_bytes("hidden.xlsx", data, limits)
        assert sheet.marks.hidden == hidden
        assert len(sheet.cells) == rows.count("</row>")


def test_the_rows_with_a_struck_through_value_are_named(tmp_path: Path) -> None:
    """A font with <strike/> (shared by a cell format) on a cell that holds a value marks its
    row; on an empty cell, or a font with strike off, it marks nothing."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in range(1, 7):
        sheet.append([f"a{row}", f"b{row}"])
    sheet["B2"].font = Font(strike=True)
    sheet["A4"].font = Font(strike=True, bold=True)
    sheet["A5"].font = Font(strike=False, italic=True)
    sheet["C6"].font = Font(strike=True)  # formatted, empty
    path = tmp_path / "struck.xlsx"
    workbook.save(path)
    data = path.read_bytes()
    for limits in (REGISTER_LIMITS, dataclasses.replace(REGISTER_LIMITS, scan_first_bytes=0)):
        assert read_sheet_bytes("struck.xlsx", data, limits).marks.struck == {2, 4}


def test_the_rows_with_a_formula_saved_without_its_value_are_named(tmp_path: Path) -> None:
    """python-calamine reads a formula cell by the value saved with it: a program that writes
    formulas without one (openpyxl does) leaves cells that read as empty. A formula whose
    result is the empty string is saved by Excel as an empty string value (t="str")."""
    cells = (
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="2"><c r="B2"><f>1+1</f></c></row>'
        '<row r="3"><c r="B3"><f>1+1</f><v>2</v></c></row>'
        '<row r="4"><c r="B4"><f t="shared" si="0"/></c></row>'
        '<row r="5"><c r="B5" t="str"><f>IF(1,"","x")</f><v></v></c></row>'  # "": saved
        '<row r="6"><c r="B6"><f>1+1</f><v/></c></row>'  # as openpyxl writes it
    )
    data = write_workbook(tmp_path / "formulas.xlsx", sheet_xml(cells)).read_bytes()
    for limits in (REGISTER_LIMITS, dataclasses.replace(REGISTER_LIMITS, scan_first_bytes=0)):
        assert read_sheet_bytes("formulas.xlsx", data, limits).marks.unsaved == {2, 4, 6}
    # a formula cell without r: by expat, the cell's row is its row's
    unnumbered = write_workbook(tmp_path / "u.xlsx", sheet_xml(cells.replace(' r="B2"', "")))
    sheet = read_sheet_bytes("u.xlsx", unnumbered.read_bytes(), REGISTER_LIMITS)
    assert sheet.marks.unsaved == {2, 4, 6}


ODS_FORMULAS = [  # (cell, read as, saved)
    ('<table:table-cell table:formula="of:=1+1"/>', "", False),
    (
        '<table:table-cell table:formula="of:=1+1" office:value-type="float" office:value="2"/>',
        2.0,
        True,
    ),
    (
        '<table:table-cell table:formula="of:=1+1" office:value-type="float"><text:p>2</text:p></table:table-cell>',
        "",
        False,
    ),
    (
        '<table:table-cell table:formula="of:=A1" office:value-type="string"><text:p>姓名</text:p></table:table-cell>',
        "姓名",
        True,
    ),
    ('<table:table-cell table:formula="of:=&quot;&quot;" office:value-type="string"/>', "", True),
    (
        '<table:table-cell table:formula="of:=1+1" office:value-type="date" office:date-value="2008-10-01"/>',
        dt.date(2008, 10, 1),
        True,
    ),
    ('<table:table-cell table:formula="of:=1+1" office:value-type="date"/>', "", False),
    ('<table:table-cell table:formula="of:=1+1" office:value-type="void"/>', "", False),
]
"""An .ods's formula cells, how python-calamine reads them, and whether their result is saved:
it reads the result from the value type's own attribute alone (a float shown as 2 holds it in
``office:value``), and a string's is its text, an empty one a saved empty string."""


def test_an_ods_formula_saved_without_its_value_is_named(tmp_path: Path) -> None:
    """As an .xlsx's (`test_the_rows_with_a_formula_saved_without_its_value_are_named`): a
    program writing an .ods need not work its formulas out, and python-calamine reads such a
    cell as empty. Repeated, as LibreOffice repeats a row, the rows are noted up to the row
    limit and their cells up to `MARKED_CELLS`, however many rows it claims."""
    text = '<table:table-row><table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell></table:table-row>'
    rows = text.format("姓名")
    rows += "".join(
        f"<table:table-row><table:table-cell/>{cell}</table:table-row>"
        for cell, _, _ in ODS_FORMULAS
    )
    rows += text.format("末")  # (calamine leaves out the empty rows after the last value)
    sheet = read_sheet(write_ods(tmp_path / "formulas.ods", rows), REGISTER_LIMITS)
    assert [row[1] for row in cells(sheet)[1:-1]] == [read for _, read, _ in ODS_FORMULAS]
    unsaved = {row for row, (_, _, saved) in enumerate(ODS_FORMULAS, start=2) if not saved}
    assert sheet.marks.unsaved == unsaved and unsaved == {2, 4, 8, 9}
    assert sheet.marks.unsaved_cells == {(row, 2) for row in unsaved}
    repeated = (
        rows + '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:formula="of:=1+1" table:number-columns-repeated="3"/></table:table-row>'
    )
    marks = scan_marks(write_ods(tmp_path / "many.ods", repeated).read_bytes(), REGISTER_LIMITS)
    assert marks.unsaved == unsaved | set(range(11, REGISTER_LIMITS.max_rows + 1))
    assert len(marks.unsaved_cells) == _marked.MARKED_CELLS


def _xls_of_formulas(tmp_path: Path, results: dict[str, str]) -> Sheet:
    """An .xls (`tests.registers.as_xls`) of 姓名 and formulas in rows 2, 3 and 5 (the last
    giving the empty string), their results ``results`` or none, read."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"], sheet["B2"], sheet["B3"] = "姓名", "=1+1", '="张"&"三"'
    sheet["B5"] = '=IF(A5="","","x")'
    book.save(tmp_path / "source.xlsx")
    as_xls(tmp_path / "source.xlsx", tmp_path / "formulas.xls", results=results)
    return read_sheet(tmp_path / "formulas.xls", REGISTER_LIMITS)


def test_an_xls_formula_saved_without_its_value_is_named(tmp_path: Path) -> None:
    """A FORMULA record always holds a result: xlwt, and programs like it, write the empty
    string's for every formula, and python-calamine reads the cell as empty. Excel saves it
    too, for a formula giving the empty string (=IF(A5="","",…), down a template's rows): a
    sheet with a formula saved with any other result has its results saved, the empty one
    among them."""
    sheet = _xls_of_formulas(tmp_path, {})
    assert [row[1] for row in cells(sheet)[1:]] == ["", "", "", ""]
    assert sheet.marks.unsaved == {2, 3, 5}
    assert sheet.marks.unsaved_cells == {(2, 2), (3, 2), (5, 2)}
    saved = _xls_of_formulas(tmp_path, {'="张"&"三"': "张三"})
    assert [row[1] for row in cells(saved)[1:]] == ["", "张三", "", ""]
    assert saved.marks.unsaved == set() and saved.marks.unsaved_cells == set()
    assert _xls_marks.MARKED_CELLS == _marked.MARKED_CELLS


def test_an_xls_of_many_formulas_without_values_names_a_bounded_few(tmp_path: Path) -> None:
    """Every row with a formula saved without its result is noted, up to the sheet's height;
    of their cells, no more than `MARKED_CELLS` (a register with one is refused anyway)."""
    book = xlwt.Workbook(encoding="utf-8")
    page = book.add_sheet("名册")
    for row in range(5_001):
        page.write(row, 0, xlwt.Formula("1+1"))
        page.write(row, 1, xlwt.Formula("2+2"))
    book.save(str(tmp_path / "many.xls"))
    marks = read_sheet(tmp_path / "many.xls", REGISTER_LIMITS).marks
    assert marks.unsaved == set(range(1, 5_002))
    assert len(marks.unsaved_cells) == _marked.MARKED_CELLS


def test_a_workbook_with_an_open_password_is_told_so() -> None:
    """Excel keeps a password-protected .xlsx in an OLE file whose directory names the stream
    ``EncryptedPackage``: the clerk is told to remove the password, not that the file is
    damaged. (The directory is all that is looked at: a stand-in holds just that.)"""
    name = "EncryptedPackage".encode("utf-16-le") + bytes(2)
    entry = name.ljust(64, b"\0") + len(name).to_bytes(2, "little")
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + entry + bytes(62)
    with pytest.raises(SheetRefused, match="文件设有打开密码.*取消密码"):
        read_sheet_bytes("名册.xlsx", data, REGISTER_LIMITS)
    # the same words as text elsewhere (an .xls cell) are no directory entry
    text = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(505) + entry + bytes(61)
    with pytest.raises(SheetRefused) as refused:
        read_sheet_bytes("名册.xls", text, REGISTER_LIMITS)
    assert "打开密码" not in str(refused.value)


def test_an_xls_whose_marks_cannot_be_read_is_refused_not_loaded_unchecked(
    tmp_path: Path,
) -> None:
    """python-calamine reads an .xls whose first record is not the BOF xlrd expects; xlrd, which
    reads the hidden and struck rows, does not. Loaded, a hidden holder would pass unseen."""
    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("名册").write(0, 0, "姓名")
    book.save(str(tmp_path / "a.xls"))
    data = (tmp_path / "a.xls").read_bytes()
    assert read_sheet_bytes("a.xls", data, REGISTER_LIMITS).marks == Marks()
    bof = data.index(b"\x09\x08\x10\x00\x00\x06")  # BIFF8's, opening the workbook stream
    bent = data[:bof] + b"\x08" + data[bof + 1 :]
    assert python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(bent)).sheet_names
    with pytest.raises(SheetRefused, match="读不出这个 .xls 文件中哪些行被隐藏或划了删除线"):
        read_sheet_bytes("a.xls", bent, REGISTER_LIMITS)
    # an employer's batch check only checks its rows: its marks are not read, nor refused
    assert list(read_sheet_bytes("a.xls", bent, UPLOAD_LIMITS).rows()) == [(1, ["姓名"])]


_ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:t="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_STRUCK_STYLE = (
    '<office:automatic-styles><style:style style:name="ce1" style:family="table-cell">'
    '<style:text-properties style:text-line-through-style="solid"/></style:style>'
    "</office:automatic-styles>"
)


def _ods(table: str) -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NAMESPACES}>'
        f'{_STRUCK_STYLE}<office:body><office:spreadsheet><table:table table:name="名册">{table}'
        "</table:table>"
        "</office:spreadsheet></office:body></office:document-content>"
    )
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry'
            ' manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
        )
    return data.getvalue()


def _ods_row(text: str, attributes: str = "", cell: str = "") -> str:
    value = f'<table:table-cell office:value-type="string"{cell}><text:p>{text}</text:p></table:table-cell>'
    return f"<table:table-row{attributes}>{value}</table:table-row>"


def test_an_ods_rows_are_counted_as_python_calamine_counts_them() -> None:
    """A row spelt under another prefix (t:table-row) is no row to python-calamine; counted by
    namespace, it shifted the hidden row onto the visible one after it: 李四 (hidden) loaded,
    王五 was refused as hidden."""
    table = (
        _ods_row("序号")
        + "<t:table-row><t:table-cell/></t:table-row>"
        + _ods_row("张三")
        + _ods_row("李四", ' table:visibility="collapse"')
        + _ods_row("王五")
    )
    sheet = read_sheet_bytes("名册.ods", _ods(table), REGISTER_LIMITS)
    assert [cells[0] for _, cells in sheet.rows()] == ["序号", "张三", "李四", "王五"]
    assert sheet.marks.hidden == {3}


@pytest.mark.parametrize(("repeat", "hidden"), [("0", 2), ("+2", 4), ("02", 4)])
def test_an_ods_rows_repeats_are_counted_as_python_calamine_counts_them(
    repeat: str, hidden: int
) -> None:
    """number-rows-repeated 0 is no row, +2 and 02 are two, for python-calamine: counted as 1,
    the hidden 丙 after them loaded and a visible row was refused in its place."""
    table = (
        _ods_row("甲")
        + _ods_row("乙", f' table:number-rows-repeated="{repeat}"')
        + _ods_row("丙", ' table:visibility="collapse"')
    )
    sheet = read_sheet_bytes("名册.ods", _ods(table), REGISTER_LIMITS)
    assert dict(sheet.rows())[hidden] == ["丙"] and sheet.marks.hidden == {hidden}


def test_an_ods_attribute_under_another_prefix_still_hides_and_strikes() -> None:
    """t:visibility, t bound to the table namespace, is table:visibility: read literally, it
    hid a row from the scan."""
    table = (
        _ods_row("甲")
        + _ods_row("乙", ' t:visibility="collapse"')
        + _ods_row("丙", cell=' t:style-name="ce1"')
    )
    marks = read_sheet_bytes("名册.ods", _ods(table), REGISTER_LIMITS).marks
    assert marks.hidden == {2} and marks.struck == {3}


def test_an_ods_table_nested_in_a_cell_is_refused_not_read_in_part() -> None:
    """python-calamine stops at a table nested in a cell: the rows after it vanished."""
    nested = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>乙</text:p>'
        "<table:table>" + _ods_row("z") + "</table:table></table:table-cell></table:table-row>"
    )
    table = _ods_row("甲") + nested + _ods_row("丙") + _ods_row("丁")
    with pytest.raises(SheetRefused, match="嵌套了表格，其后的行无法读取"):
        read_sheet_bytes("名册.ods", _ods(table), REGISTER_LIMITS)


def test_a_comment_in_an_empty_struck_ods_cell_strikes_no_row() -> None:
    """A struck style on an empty cell that carries a comment: the comment is no value."""
    comment = (
        '<table:table-cell table:style-name="ce1"><office:annotation><text:p>备注</text:p>'
        "</office:annotation></table:table-cell>"
    )
    value = '<table:table-cell office:value-type="string"><text:p>乙</text:p></table:table-cell>'
    table = _ods_row("甲") + f"<table:table-row>{value}{comment}</table:table-row>"
    sheet = read_sheet_bytes("名册.ods", _ods(table), REGISTER_LIMITS)
    assert sheet.marks.struck == set()
    struck = _ods_row("甲") + _ods_row("乙", cell=' table:style-name="ce1"')
    assert read_sheet_bytes("名册.ods", _ods(struck), REGISTER_LIMITS).marks.struck == {2}


@pytest.mark.parametrize(
    "body",
    [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>hidden="1" '
        + "row " * 40_000
        + "</t></is></c></row>",
        "<f " * 40_000,  # not even XML: the parent reads the sheet before any parser does
        "</f></c>" * 40_000,
        # a reference the exact pass reads, whose zeros a backtracking pattern took an hour on
        '<row r="1" hidden="1"><c r="A' + "0" * 150_000 + 'x"><v>1</v></c></row>',
        '<row r="' + "9" * 5_000 + '" hidden="1"><c><v>1</v></c></row>',  # int() refuses it
    ],
    ids=[
        "text-of-row-tags",
        "formula-tags-without-end",
        "formula-ends-without-cells",
        "reference-of-zeros",
        "row-of-5000-digits",
    ],
)
def test_bytes_shaped_like_marks_cost_one_pass(tmp_path: Path, body: str) -> None:
    """A sheet made of what marked rows are looked for by (a public upload may be one): the
    searches that backtracked over it took minutes in the parent, before any child or deadline.
    The probe is linear; a hit costs one expat pass, which reads text as text and refuses
    what is not XML."""
    data = write_workbook(tmp_path / "marks.xlsx", sheet_xml(body)).read_bytes()
    outcome = finishes(lambda: read_sheet_bytes("marks.xlsx", data, UPLOAD_LIMITS), seconds=20)
    assert isinstance(outcome, Sheet | SheetRefused), outcome
    assert not isinstance(outcome, Sheet) or outcome.marks == Marks()


def _filled_to(offset: int, tail: str) -> str:
    """A sheet whose ``tail`` (the rows after row 1) starts at byte ``offset`` of the sheet's
    XML: row 1 holds random letters (no bomb) enough to push it there."""
    head = sheet_xml("@@").split("@@")[0] + '<row r="1"><c r="A1" t="inlineStr"><is><t>'
    close = "</t></is></c></row>"
    filler = "".join(
        random.Random(389).choices("ABCDEFGHJKLMNPQRSTUVWXYZ", k=offset - len(head) - len(close))
    )
    return sheet_xml("@@").replace("@@", head.split("<sheetData>")[1] + filler + close + tail)


def test_a_mark_cut_in_two_by_the_scan_s_blocks_is_found(tmp_path: Path) -> None:
    """The only ``hidden`` of the sheet straddles the 1 MiB edge between two blocks."""
    tail = '<row r="2" hidden="1"><c r="A2"><v>2</v></c></row>'
    xml = _filled_to(MIB - 3 - len('<row r="2" '), tail)
    assert xml.encode().index(b"hidden") == MIB - 3
    data = write_workbook(tmp_path / "seam.xlsx", xml).read_bytes()
    for limits in (REGISTER_LIMITS, dataclasses.replace(REGISTER_LIMITS, scan_first_bytes=0)):
        assert read_sheet_bytes("seam.xlsx", data, limits).marks.hidden == {2}


@pytest.mark.parametrize(
    ("cells", "marks"),
    [
        (  # the Open XML SDK's prefixes, as a program that writes no values would use them
            '<x:row r="2"><x:c r="A2"><x:f>1+1</x:f></x:c></x:row>',
            Marks(unsaved=frozenset({2})),
        ),
        ('<row r="2"><c r="A2"><f>1+1</f >\n  </c></row>', Marks(unsaved=frozenset({2}))),
        ('<row r="2" hidden = \'1\'><c r="A2"><v>2</v></c></row>', Marks(hidden=frozenset({2}))),
        (  # a text formula with no value at all reads as empty; an empty one is a saved ""
            '<row r="2"><c r="A2" t="str"><f>"a"</f></c><c r="B2" t="str"><f>""</f><v/></c></row>',
            Marks(unsaved=frozenset({2})),
        ),
        (  # struck through as text, in an inline string (a run selected in the cell)
            '<row r="2"><c r="A2" t="inlineStr"><is><r><rPr><strike/></rPr><t>张三</t></r></is>'
            "</c></row>",
            Marks(struck=frozenset({2})),
        ),
    ],
    ids=["prefixed", "spaced", "single-quoted", "text-formula", "inline-run"],
)
def test_marks_in_any_spelling_xml_allows(tmp_path: Path, cells: str, marks: Marks) -> None:
    xml = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>' + cells)
    if "x:" in cells:
        xml = xml.replace("<worksheet ", '<worksheet xmlns:x="' + MAIN_NS + '" ')
    data = write_workbook(tmp_path / "spelt.xlsx", xml).read_bytes()
    assert read_sheet_bytes("spelt.xlsx", data, REGISTER_LIMITS).marks == marks


def test_a_shared_string_struck_through_as_text_marks_its_row(tmp_path: Path) -> None:
    """Excel keeps a struck run of a cell's text in the shared strings, not in the cell's font."""
    shared = (
        f'<sst xmlns="{MAIN_NS}"><si><t>李四</t></si>'
        "<si><r><rPr><strike/></rPr><t>张三</t></r></si></sst>"
    )
    cells = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>'
    )
    data = write_workbook(tmp_path / "shared.xlsx", sheet_xml(cells), shared).read_bytes()
    assert read_sheet_bytes("shared.xlsx", data, REGISTER_LIMITS).marks == Marks(
        struck=frozenset({2})
    )


@pytest.mark.parametrize("where", ["shared", "inline"])
def test_a_cell_struck_in_part_is_told_apart_from_one_struck_whole(
    tmp_path: Path, where: str
) -> None:
    """A number struck through with the right one typed after it (Excel keeps such rich text in
    the shared strings, openpyxl inline), beside a cell struck whole by its font: both mark
    their row, each cell is kept, and only the first as struck in part — its struck text is
    to be deleted, not its strike cleared. A struck run of spaces beside text is no part."""
    struck = "<r><rPr><strike/></rPr><t>Z1122020133</t></r><r><t> Z1122020132</t></r>"
    spaces = '<r><t>Z1122020134</t></r><r><rPr><strike/></rPr><t xml:space="preserve"> </t></r>'
    styles = (
        f'<styleSheet xmlns="{MAIN_NS}"><fonts count="2"><font/><font><strike/></font></fonts>'
        '<cellXfs count="2"><xf fontId="0"/><xf fontId="1"/></cellXfs></styleSheet>'
    )
    if where == "shared":
        shared = (
            f'<sst xmlns="{MAIN_NS}"><si><t>李四</t></si><si>{struck}</si><si>{spaces}</si></sst>'
        )
        texts = ['t="s"><v>1</v>', 't="s"><v>2</v>']
    else:
        shared = None
        texts = [f't="inlineStr"><is>{struck}</is>', f't="inlineStr"><is>{spaces}</is>']
    cells = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>1</t></is></c></row>'
        f'<row r="2"><c r="A2" {texts[0]}</c><c r="B2" s="1" t="inlineStr"><is><t>补发</t></is></c>'
        f'</row><row r="3"><c r="A3" {texts[1]}</c></row>'
    )
    parts = workbook_parts(sheet_xml(cells), shared_strings=shared is not None)
    parts["xl/styles.xml"] = styles.encode()
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared.encode()
    data = _zip_of(tmp_path / "part.xlsx", parts)
    marks = read_sheet_bytes("part.xlsx", data, REGISTER_LIMITS).marks
    assert marks == Marks(struck=frozenset({2, 3}))
    assert marks.struck_cells == {(2, 1), (2, 2), (3, 1)} and marks.partly_struck == {(2, 1)}


def scan_marks(data: bytes, limits: SheetLimits) -> Marks:
    """The marks' pass over a workbook, as its child runs it (its check of the cells left to
    the parse child)."""
    deadline = time.monotonic() + 60
    workbook = check_directory(data, limits, deadline)
    hit = scan_parts(workbook, limits, deadline, sheet_body=False)
    return sheet_marks(workbook, hit, limits, deadline)


def test_no_mark_is_kept_past_the_row_limit(tmp_path: Path) -> None:
    """The child refuses rows past the limit; the parent's sets never grow with them."""
    cells = "".join(
        f'<row r="{r}" hidden="1"><c r="A{r}"><f>1</f></c><c r="B{r}"><v>1</v></c></row>'
        for r in (2, 9)
    )
    data = write_workbook(tmp_path / "far.xlsx", sheet_xml(cells)).read_bytes()
    limits = dataclasses.replace(REGISTER_LIMITS, max_rows=5)
    with pytest.raises(SheetRefused):  # the child's verdict on row 9
        read_sheet_bytes("far.xlsx", data, limits)
    assert scan_marks(data, limits) == Marks(hidden=frozenset({2}), unsaved=frozenset({2}))


def _zip_of(path: Path, parts: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path.read_bytes()


def test_parts_the_marks_are_read_from_are_bounded(tmp_path: Path) -> None:
    """The styles, shared strings and sheet are read for a register's marks (an upload's are
    not read): an encoding expat does not know, 70,000 cell formats of a struck font, or
    elements nested 100 deep inside a cell are refused — a LookupError came out as a 500, the
    others took gigabytes."""
    cells = '<row r="1"><c r="A1"><v>1</v></c></row>'
    unknown = sheet_xml(cells).replace('encoding="UTF-8"', 'encoding="no-such-codec"')
    styles = (
        f'<styleSheet xmlns="{MAIN_NS}"><fonts><font><strike/></font></fonts>'
        "<cellXfs>"
        + "".join(
            f'<xf fontId="0" n="{noise:x}"/>'
            for noise in random.Random(389).choices(range(2**32), k=70_000)
        )
        + "</cellXfs></styleSheet>"
    )
    deep = '<row r="1"><c r="A1"><v>' + "<a>" * 100 + "strike" + "</a>" * 100 + "</v></c></row>"
    cases = {
        "unknown encoding": (workbook_parts(unknown), "XML"),
        "formats": (
            {**workbook_parts(sheet_xml(cells)), "xl/styles.xml": styles.encode()},
            "65,490",
        ),
        "depth": (workbook_parts(sheet_xml(deep)), "嵌套超过 64 层"),
        # before <sheetData>, read by the first pass of every sheet: 2.2 GB at 18 million deep
        "depth before the cells": (
            workbook_parts(
                sheet_xml(cells, head="<sheetPr>" + "<a>" * 100 + "</a>" * 100 + "</sheetPr>")
            ),
            "嵌套超过 64 层",
        ),
    }
    for number, (parts, said) in enumerate(cases.values()):
        data = _zip_of(tmp_path / f"{number}.xlsx", parts)
        with pytest.raises(SheetRefused, match=said):
            read_sheet_bytes("bad.xlsx", data, REGISTER_LIMITS)


def test_cells_past_the_limit_are_refused_before_the_parent_takes_them_in(tmp_path: Path) -> None:
    """One 12 MB shared string in 24 cells: the child sends the 288 MB as one frame, and the
    parent took it in whole (314 MB) before counting it against the limit."""
    text = base64.b64encode(random.Random(389).randbytes(9 << 20)).decode()  # 12 MB, no bomb
    strings = f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>{text}</t></si></sst>'
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 25))
    path = write_workbook(tmp_path / "amplified.xlsx", sheet_xml(cells), strings)
    # the peak of this process's own memory (VmHWM): ru_maxrss keeps, across exec, the size of
    # the process it was forked from — the test suite's, a gigabyte by then
    read = (
        "import re\n"
        "from pathlib import Path\n"
        "from registry.sheets.guard import REGISTER_LIMITS, SheetRefused, read_sheet\n"
        "try:\n"
        f"    read_sheet(Path({str(path)!r}), REGISTER_LIMITS)\n"
        "except SheetRefused as refused:\n"
        "    status = Path('/proc/self/status').read_text()\n"
        "    print(refused.limit, int(re.findall(r'VmHWM:\\s*(\\d+)', status)[0]) // 1024)\n"
    )
    limit, peak_mib = bounded(read, seconds=60).split()
    assert limit == "max_cell_bytes" and int(peak_mib) < 200, peak_mib


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/_rels/workbook.xml.rels"])
def test_the_list_of_sheets_is_read_bounded_like_every_part(tmp_path: Path, part: str) -> None:
    """workbook.xml and its .rels, read first to find the sheet, were parsed whole in the
    parent, unbounded: 42 million nested elements took 5.4 GB, 9 million attributes on one
    element 2.2 GB — the server's own memory for an upload."""
    parts = workbook_parts(sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))
    whole = parts[part].decode()
    root_end = whole.index(">", whole.index("<", whole.index("?>") + 2)) + 1
    deep = whole[:root_end] + "<a>" * 100 + "</a>" * 100 + whole[root_end:]
    wide = whole[:root_end] + "<a " + " ".join(f'x{i}="1"' for i in range(120_000)) + "/>"
    for number, (xml, said) in enumerate(
        [(deep, "嵌套超过 64 层"), (wide + whole[root_end:], "超过 1 MB")]
    ):
        data = _zip_of(tmp_path / f"{number}.xlsx", {**parts, part: xml.encode()})
        with pytest.raises(SheetRefused, match=said):
            read_sheet_bytes("bad.xlsx", data, UPLOAD_LIMITS)


@pytest.mark.parametrize(("limits", "rows"), [(REGISTER_LIMITS, 300), (UPLOAD_LIMITS, 40)])
def test_one_shared_string_in_many_cells_is_refused_by_the_text_it_makes(
    tmp_path: Path, limits: SheetLimits, rows: int
) -> None:
    """A 256 KB shared string written into 1,200 cells: a 12 KB file the parent took in as
    300 MB of text (617 MB of memory, the server's own for an upload) and accepted."""
    string = (
        f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>{"A" * 256 * 1024}</t></si></sst>'
    )
    cells = "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, rows + 1)
    )
    parts = workbook_parts(sheet_xml(cells), shared_strings=True)
    parts["xl/sharedStrings.xml"] = string.encode()
    data = _zip_of(tmp_path / "amplified.xlsx", parts)
    with pytest.raises(SheetRefused, match="单元格内容共") as refused:
        read_sheet_bytes("amplified.xlsx", data, limits)
    assert refused.value.limit == "max_cell_bytes"


def test_a_run_property_of_a_long_name_costs_one_pass(tmp_path: Path) -> None:
    """<color AAAA…/> in sharedStrings.xml: the attribute search started again at each letter,
    so a 5 KB upload held an upload slot for minutes (four times as long for twice the letters)."""
    strings = (
        f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><r><rPr><color {"A" * 400_000}/>'
        "</rPr><t>x</t></r></si></sst>"
    )
    cells = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    path = write_workbook(tmp_path / "runs.xlsx", sheet_xml(cells), strings)
    read = (
        "from pathlib import Path\n"
        "from registry.sheets.guard import UPLOAD_LIMITS, SheetRefused, read_sheet_bytes\n"
        "try:\n"
        f"    print(read_sheet_bytes('runs.xlsx', Path({str(path)!r}).read_bytes(), UPLOAD_LIMITS))\n"
        "except SheetRefused as exc:\n"
        "    print(exc)\n"
    )
    assert bounded(read)


def test_the_cells_kept_of_each_mark_are_bounded(tmp_path: Path) -> None:
    """Every cell of 45,000 rows × 64 in a format hiding its contents was kept in a set:
    410 MB for a 5.7 MB file. Enough are kept to refuse it and name the first of them (read
    by the marks' child: 20 cells past the bound, not a bound patched in this process)."""
    styles = (
        f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="1"><numFmt numFmtId="164" '
        'formatCode=";;;"/></numFmts><cellXfs count="2"><xf/><xf numFmtId="164" '
        'applyNumberFormat="1"/></cellXfs></styleSheet>'
    )
    rows = range(1, _marked.MARKED_CELLS + 21)
    cells = "".join(f'<row r="{r}"><c r="A{r}" s="1"><v>1</v></c></row>' for r in rows)
    parts = {**workbook_parts(sheet_xml(cells)), "xl/styles.xml": styles.encode()}
    data = _zip_of(tmp_path / "hidden.xlsx", parts)
    marks = read_sheet_bytes("hidden.xlsx", data, REGISTER_LIMITS).marks
    assert len(marks.disguised) == _marked.MARKED_CELLS


def test_parts_whose_names_differ_only_in_case_are_refused(tmp_path: Path) -> None:
    """xl/styles.xml striking a row through beside xl/Styles.xml striking nothing: the marks
    were read from one, while python-calamine — which finds parts whatever their case — and a
    spreadsheet program may take the other."""
    parts = workbook_parts(sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))
    styles = f'<styleSheet xmlns="{MAIN_NS}"><fonts><font/></fonts></styleSheet>'.encode()
    parts.update({"xl/styles.xml": styles, "xl/Styles.xml": styles})
    data = _zip_of(tmp_path / "twins.xlsx", parts)
    with pytest.raises(SheetRefused, match="压缩包内有重名的部件"):
        read_sheet_bytes("twins.xlsx", data, UPLOAD_LIMITS)


def test_a_root_tag_that_does_not_end_is_refused_before_it_is_read_whole(tmp_path: Path) -> None:
    """One root tag of millions of attributes, in a part nothing else reads: expat keeps the
    unfinished tag whole, and 18 MB of it took 1.8 GB and 21 s to parse."""
    attributes = b"".join(b' a%d=""' % i for i in range(600_000))  # 6 MB
    parts = {
        **workbook_parts(sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')),
        "docProps/custom.xml": b'<?xml version="1.0"?><root' + attributes + b"/>",
    }
    data = _zip_of(tmp_path / "tag.xlsx", parts)
    with pytest.raises(SheetRefused, match="在根元素之前就有超过 4 MB 的内容"):
        read_sheet_bytes("tag.xlsx", data, REGISTER_LIMITS)


@pytest.mark.parametrize(
    ("cells", "shared_name", "marks"),
    [
        ('<row r="2"><c r="A2"><f >1+1</f ></c></row>', None, Marks(unsaved=frozenset({2}))),
        (  # an index written with leading zeros, as python-calamine reads it
            '<row r="2"><c r="A2" t="s"><v>' + "0" * 24 + "1</v></c></row>",
            "xl/sharedStrings.xml",
            Marks(struck=frozenset({2})),
        ),
        (
            '<row r="2"><c r="A2" t="s"><v>1</v></c></row>',
            "xl/SharedStrings.xml",
            Marks(struck=frozenset({2})),
        ),
    ],
    ids=["spaced-end-tag", "zero-padded-index", "part-name-case"],
)
def test_marks_as_python_calamine_reads_the_workbook(
    tmp_path: Path, cells: str, shared_name: str | None, marks: Marks
) -> None:
    parts = workbook_parts(sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>' + cells))
    if shared_name:
        shared = f'<sst xmlns="{MAIN_NS}"><si><t>李四</t></si><si><r><rPr><strike/></rPr><t>张三</t></r></si></sst>'
        parts = workbook_parts(
            sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>' + cells), shared_strings=True
        )
        parts[shared_name] = shared.encode()
    data = _zip_of(tmp_path / "read.xlsx", parts)
    assert read_sheet_bytes("read.xlsx", data, REGISTER_LIMITS).marks == marks


def test_the_columns_a_workbook_hides_are_found_in_every_format(tmp_path: Path) -> None:
    """A register column hidden in Excel, WPS or LibreOffice is loaded like the others, yet
    nobody reviewing the sheet saw it (`registry.kinds.marked.marked_rows` refuses it): .xlsx,
    .xls and .ods alike, and a range of hidden columns only as far as a register reaches."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "性别", "文化程度"])
    sheet.column_dimensions["C"].hidden = True
    sheet.column_dimensions.group("E", "XFD", hidden=True)  # a sheet tidied to its last column
    book.save(tmp_path / "a.xlsx")
    old = xlwt.Workbook(encoding="utf-8")
    page = old.add_sheet("名册")
    for column, title in enumerate(["姓名", "性别", "文化程度"]):
        page.write(0, column, title)
    page.col(2).hidden = True
    old.save(str(tmp_path / "a.xls"))
    columns = (
        '<table:table-column table:number-columns-repeated="2"/>'
        '<table:table-column table:visibility="collapse"/>'
        '<table:table-column table:number-columns-repeated="16381" table:visibility="collapse"/>'
    )
    (tmp_path / "a.ods").write_bytes(_ods(columns + _ods_row("张三")))
    found = {
        name: read_sheet(tmp_path / name, REGISTER_LIMITS).marks.hidden_columns
        for name in ("a.xlsx", "a.xls", "a.ods")
    }
    assert found["a.xls"] == {3}
    assert found["a.xlsx"] == {3, *range(5, REGISTER_LIMITS.max_columns + 1)}
    assert found["a.ods"] == {3, *range(4, REGISTER_LIMITS.max_columns + 1)}
