"""Reading real register files: title rows, merged two-row headers, footers, numeric and date cells,
CSV encodings — each record keeps the row number the spreadsheet shows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from registry.kinds.roster_footer import footer_counts
from registry.kinds.rosters import APPROVAL_LAYOUT as APPROVAL_ROSTER
from registry.kinds.rosters import TECHNICIAN_LAYOUT as TECHNICIAN_ROSTER
from registry.sheets.errors import UnreadableSheet as UnreadableRegister
from registry.sheets.table import read_table
from registry.sheets.writers import write_csv, write_xlsx
from tests.registers import approval_row, footer, technician_row


def test_xlsx_with_title_merged_header_and_footer(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    rows = [approval_row("Z1122020001", "张三"), approval_row("Z1122020002", "李四")]
    write_xlsx(path, APPROVAL_ROSTER, rows, title="审批名册", footer=footer({"Z": 2}))
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None and "A2:A3" in {str(r) for r in sheet.merged_cells.ranges}

    table = read_table(path, APPROVAL_ROSTER)
    assert table.header_rows == (2, 3)
    assert [r.row for r in table.records] == [4, 5]  # title row 1, header rows 2-3
    assert table.records[1].values["姓名"] == "李四"
    assert table.records[0].values["技术业务理论"] == 75
    # blank row 6, footer rows 7-10; the counts are on the third footer line
    assert footer_counts(table) == (9, {"C": 0, "Z": 2, "G": 0, "J": 0})


def test_header_with_stray_spaces_full_width_brackets_and_numeric_cells(tmp_path: Path) -> None:
    path = tmp_path / "messy.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([])
    sheet.append(["技 师 审 核 名 册"])
    sheet.append(
        [
            "序号",
            " 姓　名 ",
            "性别",
            "出生\n日期",
            "文化程度",
            "工作单位",
            "报考年度",
            "报考工种",
            "批准文号",
            "颁发证书 编号",
        ]
    )
    sheet.append(
        [
            1,
            "黄志强",
            "男",
            dt.datetime(1968, 4, 1),
            "高中",
            "示例中学",
            2011.0,
            "中式烹调师",
            "川人社函〔2012〕12号",
            "J1122010001",
        ]
    )
    sheet.append(
        [2, None, None, None, None, None, None, None, None, None]
    )  # a pre-numbered empty row
    sheet.append(["审核人：", None, "批准人："])
    sheet.append(["不应读取", "x"])
    workbook.save(path)

    table = read_table(path, TECHNICIAN_ROSTER)
    assert len(table.records) == 1
    record = table.records[0]
    assert record.row == 4
    assert record.values["出生日期"] == dt.date(1968, 4, 1)
    assert record.values["报考年度"] == 2011  # stored as 2011.0, read as a whole number
    assert record.values["颁发证书编号"] == "J1122010001"
    assert [line for _, line in table.footer][0].startswith("审核人")


def test_a_form_s_column_numbers_and_header_notes_are_no_holders(tmp_path: Path) -> None:
    """What printed forms carry besides holders: a row numbering the columns under the header
    (read as a holder it was 13 problems, one of them a "failed" score of 10), and notes in
    brackets in header cells (出生年月（年.月）). A 合计 row is a record, which every kind
    refuses as such (`registry.kinds.not_records.total_row`)."""
    path = tmp_path / "form.xlsx"
    rows = [approval_row("Z1122020001", "张三"), approval_row("Z1122020002", "李四")]
    write_xlsx(path, APPROVAL_ROSTER, rows, title="审批名册", footer=footer({"Z": 2}))
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    headers = {cell.value: cell for cell in sheet[2]}
    headers["出生年月"].value = "出生年月（年.月）"
    headers["报考等级"].value = "报考等级(初级/中级/高级)"
    sheet.insert_rows(4)
    for column in range(1, sheet.max_column + 1):
        sheet.cell(4, column).value = column
    workbook.save(path)
    table = read_table(path, APPROVAL_ROSTER)
    assert table.header_rows == (2, 3, 4)
    assert [(r.row, r.values["姓名"], r.values["出生年月"]) for r in table.records] == [
        (5, "张三", "1975.05"),
        (6, "李四", "1975.05"),
    ]
    assert table.records[0].values["报考等级"] == "中级"


def test_a_technician_roster_headed_xueli_is_told_it_is_wenhua_chengdu(tmp_path: Path) -> None:
    """学历 is what many HR forms print for 附件5's 文化程度, and shares no character with it
    for a hint to find. (Read as that column, a form with both columns was refused as naming
    one twice.)"""
    path = tmp_path / "techs.csv"
    write_csv(path, TECHNICIAN_ROSTER, [technician_row("J1122010001")], title="审核名册")
    path.write_text(path.read_text(encoding="utf-8").replace("文化程度", "学历"), encoding="utf-8")
    with pytest.raises(UnreadableRegister, match="“学历”是否应为“文化程度”"):
        read_table(path, TECHNICIAN_ROSTER)


def test_a_note_in_brackets_names_a_column_only_when_nothing_else_does(tmp_path: Path) -> None:
    """出生年月 written plainly wins over a 出生年月（备注） beside it, which is no second
    column; two noted cells for one column (证书编号（原）, 证书编号（新）) name neither."""
    path = tmp_path / "notes.xlsx"
    write_xlsx(path, APPROVAL_ROSTER, [approval_row("Z1122020001", "张三")], title="审批名册")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    sheet.cell(2, sheet.max_column + 1).value = "出生年月（备注）"
    sheet.cell(4, sheet.max_column).value = "1901.01"
    workbook.save(path)
    table = read_table(path, APPROVAL_ROSTER)
    assert table.records[0].values["出生年月"] == "1975.05"
    number = next(cell for cell in sheet[2] if cell.value == "颁发证书编号")
    number.value = "证书编号（原）"
    sheet.cell(2, sheet.max_column + 1).value = "证书编号（新）"
    workbook.save(path)
    with pytest.raises(UnreadableRegister, match="缺少列：颁发证书编号"):
        read_table(path, APPROVAL_ROSTER)


def test_a_header_whose_names_break_over_two_rows(tmp_path: Path) -> None:
    """考试考核结果 over its five results, each name broken over two rows for a narrow column
    (思想政治 / 表现): a three-row header, read as the names joined."""
    names = ["姓名", "性别", "出生年月", "参加工作时间", "报考年度", "报考工种", "报考等级"]
    split = [
        ("思想政治", "表现"),
        ("生产工作", "成绩"),
        ("职业", "道德"),
        ("技术业务", "理论"),
        ("实际操作", "技能"),
    ]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["审批名册"])
    sheet.append([*names, "考试考核结果", None, None, None, None, "颁发证书编号"])
    sheet.append([None] * len(names) + [top for top, _ in split])
    sheet.append([None] * len(names) + [bottom for _, bottom in split])
    row = approval_row("Z1122020001", "张三")
    sheet.append(
        [row[name] for name in names]
        + [row[top + bottom] for top, bottom in split]
        + ["Z1122020001"]
    )
    workbook.save(tmp_path / "r.xlsx")
    table = read_table(tmp_path / "r.xlsx", APPROVAL_ROSTER)
    assert table.header_rows == (2, 3, 4)
    [record] = table.records
    assert record.row == 5 and record.values["技术业务理论"] == 75
    assert record.values["颁发证书编号"] == "Z1122020001"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "r.csv"
    write_csv(
        path,
        TECHNICIAN_ROSTER,
        [technician_row("J1122010001", "阿依古丽•买买提")],
        encoding=encoding,
        title="审核名册",
    )
    table = read_table(path, TECHNICIAN_ROSTER)
    assert table.encoding == encoding if encoding != "utf-8-sig" else table.encoding == "utf-8-sig"
    assert table.records[0].values["姓名"] == "阿依古丽•买买提"
    assert table.records[0].row == 3  # as Excel shows it: title 1, header 2


def test_two_row_header_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_csv(path, APPROVAL_ROSTER, [approval_row("Z1122020001")], encoding="gb18030", title=None)
    table = read_table(path, APPROVAL_ROSTER)
    assert table.header_rows == (1, 2)
    assert table.records[0].row == 3
    assert table.records[0].values["实际操作技能"] == "82"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.xlsx", b"not a zip", "无法作为电子表格读取"),
        ("r.pdf", b"%PDF", "不支持的文件类型"),
        (
            "r.et",
            b"\xd0\xcf\x11\xe0",
            "WPS 表格的 .et 文件请在 WPS 中“另存为” Excel 工作簿（.xlsx）",
        ),
        ("wrong.csv", "甲,乙,丙\n1,2,3\n".encode(), "找不到"),
    ],
)
def test_unreadable_files_are_clear_errors(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableRegister, match=message):
        read_table(path, APPROVAL_ROSTER)


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("姓名,性别,出生年月\n张三,男,1970.01\n", encoding="utf-8")
    with pytest.raises(UnreadableRegister, match="缺少列：参加工作时间、报考年度"):
        read_table(path, APPROVAL_ROSTER)


def test_a_note_under_a_column_name_in_the_second_header_row(tmp_path: Path) -> None:
    """出生年月 in C2 and its unit （年.月） in C3, the two cells not merged: read as one name
    with its note, as 出生年月（年.月） in one cell is, not as a column of no name."""
    path = tmp_path / "r.xlsx"
    write_xlsx(path, APPROVAL_ROSTER, [approval_row("Z1122020001", "张三")], title="审批名册")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    birth = next(cell for cell in sheet[2] if cell.value == "出生年月")
    sheet.unmerge_cells(f"{birth.coordinate}:{birth.column_letter}3")
    sheet.cell(3, birth.column).value = "（年.月）"
    workbook.save(path)
    assert read_table(path, APPROVAL_ROSTER).records[0].values["出生年月"] == "1975.05"


@pytest.mark.parametrize(
    ("written", "missing", "hinted"),
    [
        (  # 申报工种 and 出生时间: pointed at, not only 报考工种 and 出生年月 they cannot find
            "出生时间,参加工作时间,考核年度,申报工种,申报等级",
            "出生年月、报考年度、报考工种、报考等级",
            "“出生时间”是否应为“出生年月”；“考核年度”是否应为“报考年度”；"
            "“申报工种”是否应为“报考工种”；“申报等级”是否应为“报考等级”",
        ),
        (  # 参加工作年月 was asked whether it should be 出生年月 (the same last two characters)
            # as well as 参加工作时间, and 出生时间 whether it should be 参加工作时间
            "出生时间,参加工作年月,报考年度,报考工种,报考等级",
            "出生年月、参加工作时间",
            "“出生时间”是否应为“出生年月”；“参加工作年月”是否应为“参加工作时间”",
        ),
    ],
)
def test_a_column_written_otherwise_is_named_beside_the_one_missing_it_is_likest(
    tmp_path: Path, written: str, missing: str, hinted: str
) -> None:
    """A clerk's header cell written otherwise is named beside the column it is likest — not a
    column's own title proposed for another's."""
    path = tmp_path / "r.csv"
    header = f"姓名,性别,{written},思想政治表现,颁发证书编号"
    path.write_text(f"{header}\n张三,男,1970.01,1990.01,2011,电工,中级,90,\n", encoding="utf-8")
    with pytest.raises(UnreadableRegister) as refused:
        read_table(path, APPROVAL_ROSTER)
    message = str(refused.value)
    assert f"缺少列：{missing}" in message and f"（表头中{hinted}？）" in message


def test_rosters_headed_with_the_names_clerks_use_are_read(tmp_path: Path) -> None:
    """附件4 headed 出生日期 (附件5's name for it), 年度, 工种, 等级, and 附件5 headed 年度,
    工种, 证书号码, were refused as lacking those columns: read as them, under the annexes'
    names. 证书号码 may head 附件4's 原岗位证书号 and is not read there; a clerk's own 工种
    (the holder's present trade) beside 报考工种 is no second 报考工种."""
    approval = tmp_path / "approval.csv"
    write_csv(approval, APPROVAL_ROSTER, [approval_row("Z1122020001")], title="审批名册")
    written = approval.read_text(encoding="utf-8")
    shorter = {"出生年月": "出生日期", "报考年度": "年度", "报考工种": "工种", "报考等级": "等级"}
    for name, heading in shorter.items():
        approval.write_text(approval.read_text(encoding="utf-8").replace(name, heading), "utf-8")
    [record] = read_table(approval, APPROVAL_ROSTER).records
    assert [record.values[name] for name in shorter] == ["1975.05", "2011", "电工", "中级"]
    technicians = tmp_path / "technicians.csv"
    write_csv(technicians, TECHNICIAN_ROSTER, [technician_row("J1122010001")], title="审核名册")
    text = technicians.read_text(encoding="utf-8").replace("报考年度", "年度")
    text = text.replace("报考工种", "工种").replace("颁发证书编号", "证书号码")
    technicians.write_text(text, encoding="utf-8")
    [record] = read_table(technicians, TECHNICIAN_ROSTER).records
    assert [record.values[name] for name in ("报考年度", "报考工种", "颁发证书编号")] == [
        "2011",
        "中式烹调师",
        "J1122010001",
    ]
    approval.write_text(written.replace("颁发证书编号", "证书号码"), encoding="utf-8")
    with pytest.raises(UnreadableRegister, match="缺少列：颁发证书编号"):
        read_table(approval, APPROVAL_ROSTER)
    title, header, sub, row = written.splitlines()
    own = f"{title}\n{header},工种\n{sub},\n{row},钳工\n"
    approval.write_text(own, encoding="utf-8")
    [record] = read_table(approval, APPROVAL_ROSTER).records
    assert record.values["报考工种"] == "电工"


def test_a_heading_clerks_use_is_not_read_beside_another_that_holds_it(tmp_path: Path) -> None:
    """工种 (the holder's present trade) beside 申报工种 (the examined one) was read as 报考工种:
    every certificate loaded with the present trade (a review). Which is meant is asked."""
    path = tmp_path / "r.csv"
    write_csv(path, APPROVAL_ROSTER, [approval_row("Z1122020001")], title="审批名册")
    title, header, sub, row = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        f"{title}\n{header.replace('报考工种', '申报工种')},工种\n{sub},\n{row},钳工\n", "utf-8"
    )
    with pytest.raises(UnreadableRegister) as refused:
        read_table(path, APPROVAL_ROSTER)
    assert "缺少列：报考工种" in str(refused.value)
    assert "“申报工种”是否应为“报考工种”" in str(refused.value)


@pytest.mark.parametrize(
    ("short", "beside"),
    [
        ("报考年度", "年度考核"),
        ("报考工种", "未获工种年限"),
    ],  # a column of its own; the form's half
)
def test_a_heading_clerks_use_is_read_beside_one_that_only_holds_its_word(
    tmp_path: Path, short: str, beside: str
) -> None:
    """年度 beside 年度考核, 工种 beside the form's 原岗位证书号 | 未获工种年限: refused as rivals
    (a review of the day's fixes) — neither heads the column the short one names."""
    path = tmp_path / "r.csv"
    write_csv(path, APPROVAL_ROSTER, [approval_row("Z1122020001")], title="审批名册")
    title, header, sub, row = path.read_text(encoding="utf-8").splitlines()
    header = header.replace(short, short.removeprefix("报考"))
    path.write_text(f"{title}\n{header},{beside}\n{sub},\n{row},优秀\n", "utf-8")
    [record] = read_table(path, APPROVAL_ROSTER).records
    assert record.values[short] in ("2011", "电工")


def test_exam_columns_written_short_are_named_beside_the_ones_missing(tmp_path: Path) -> None:
    """实操 and 理论考试 got no hint, where 实际操作 and 思想政治 did."""
    path = tmp_path / "r.csv"
    write_csv(path, APPROVAL_ROSTER, [approval_row("Z1122020001")])
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("实际操作技能", "实操").replace("技术业务理论", "理论考试"), encoding="utf-8"
    )
    with pytest.raises(UnreadableRegister) as refused:
        read_table(path, APPROVAL_ROSTER)
    message = str(refused.value)
    assert (
        "“理论考试”是否应为“技术业务理论”" in message and "“实操”是否应为“实际操作技能”" in message
    )


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("姓名", "假名甲", r"有两列都是“姓名”（第 A 列“姓名”和第 B 列“姓名”"),
        ("证书编号", "Z1122020999", r"两列都是“颁发证书编号”（第 A 列“证书编号”和第"),
    ],
    ids=["the same name", "an alias"],
)
def test_a_column_named_twice_is_refused_the_hidden_one_included(
    tmp_path: Path, header: str, value: str, message: str
) -> None:
    """A hidden column before the visible one of the same name (or an alias of it) was read
    instead of it: the registry held names nobody reviewing the sheet could see."""
    path = tmp_path / "hidden.xlsx"
    write_xlsx(path, APPROVAL_ROSTER, [approval_row("Z1122020001", "张三")], title="审批名册")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    sheet.insert_cols(1)
    sheet["A3"], sheet["A4"] = header, value
    sheet.column_dimensions["A"].hidden = True
    workbook.save(path)
    with pytest.raises(UnreadableRegister, match=message):
        read_table(path, APPROVAL_ROSTER)


def test_a_header_repeated_atop_each_printed_page_is_not_data(tmp_path: Path) -> None:
    """A long roster typed back from print carries the two header rows again on each page:
    read as data, they made a problem in every column ("no certificate number", "results
    empty"…)."""
    path = tmp_path / "pages.xlsx"
    rows = [approval_row("Z1122020001", "张三"), approval_row("Z1122020002", "李四")]
    write_xlsx(path, APPROVAL_ROSTER, rows, title="审批名册")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    header = [[cell.value for cell in sheet[row]] for row in (1, 2, 3)]  # title and header
    sheet.insert_rows(5, 3)
    for offset, values in enumerate(header):
        for column, value in enumerate(values, start=1):
            sheet.cell(5 + offset, column, value)
    workbook.save(path)
    table = read_table(path, APPROVAL_ROSTER)
    assert [(r.row, r.values["姓名"]) for r in table.records] == [(4, "张三"), (8, "李四")]


def test_an_optional_column_split_in_two_halves_is_read(tmp_path: Path) -> None:
    """原岗位证书号（未获工种年限） typed as two columns, 原岗位证书号 and 未获工种年限: the form's
    two alternatives, not a column named twice."""
    path = tmp_path / "split.csv"
    header = (
        "姓名,性别,出生年月,参加工作时间,原岗位证书号,未获工种年限,执行工资等级起始时间,报考年度,"
    )
    header += "报考工种,报考等级,思想政治表现,生产工作成绩,职业道德,技术业务理论,实际操作技能,颁发证书编号"
    row = "张三,男,1975.05,1995.07,,3年,2008.10,2011,电工,中级,合格,良好,合格,75,82,Z1122020001"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    table = read_table(path, APPROVAL_ROSTER)
    assert [r.values["姓名"] for r in table.records] == ["张三"]


def test_a_quote_left_open_refuses_the_file_instead_of_loading_the_rows_before_it(
    tmp_path: Path,
) -> None:
    """A " typed before a row's name made one cell of everything to the file's end: without
    the optional footer, the rows before it loaded and the rest vanished, with nothing said."""
    path = tmp_path / "quote.csv"
    header = "姓名,性别,出生年月,参加工作时间,原岗位证书号（未获工种年限）,执行工资等级起始时间,报考年度,"
    header += "报考工种,报考等级,思想政治表现,生产工作成绩,职业道德,技术业务理论,实际操作技能,颁发证书编号"
    rows = [
        f"{name},男,1975.05,1995.07,,2008.10,2011,电工,中级,合格,良好,合格,75,82,Z112202000{i}"
        for i, name in enumerate(("张三", '"李四', "王五"), 1)
    ]
    path.write_bytes("\r\n".join([header, *rows, ""]).encode("gb18030"))
    with pytest.raises(UnreadableRegister, match="第 3 行起有一个单元格以英文双引号"):
        read_table(path, APPROVAL_ROSTER)
    # a cell of the same record closed and followed by more text ("…"x) hid the open quote
    # from a strict parse: the rows after it vanished into one cell (a review)
    hidden = [*rows[:1], rows[1].replace('"李四', '"李"四,男,"'), rows[2]]
    path.write_bytes("\r\n".join([header, *hidden, ""]).encode("gb18030"))
    with pytest.raises(UnreadableRegister, match="第 3 行起有一个单元格以英文双引号"):
        read_table(path, APPROVAL_ROSTER)
    # named by its line, and as Excel shows it — one row a record — past a wrapped header
    wrapped = header.replace("报考工种", '"报考\r\n工种"')
    path.write_bytes("\r\n".join([wrapped, *rows, ""]).encode("gb18030"))
    with pytest.raises(UnreadableRegister, match="第 4 行（用 Excel 打开是第 3 行）起有一个单元格"):
        read_table(path, APPROVAL_ROSTER)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ('姓名\n"' + "x" * 200_000 + '"\n', "有单元格内容过长（超过 131,072 个字符）"),
    ],
)
def test_a_csv_the_reader_cannot_read_is_told_in_chinese(
    tmp_path: Path, body: str, said: str
) -> None:
    """Python's own words (field larger than field limit (131072)) reached clerks and
    employers."""
    path = tmp_path / "bad.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(UnreadableRegister, match=said) as refused:
        read_table(path, APPROVAL_ROSTER)
    assert "field" not in str(refused.value)


def test_a_csv_saved_with_semicolons_and_numbers_kept_as_excel_text_reads_as_shown(
    tmp_path: Path,
) -> None:
    """Excel under a European locale separates with semicolons: the roster was told 找不到表头.
    A number typed ``="Z1122020001"`` (Excel's way to keep text text in a CSV, shown as
    Z1122020001) was refused as 14 characters long."""
    path = tmp_path / "semicolons.csv"
    write_csv(path, APPROVAL_ROSTER, [approval_row("Z1122020001", "周杰")], title="审批名册")
    text = path.read_text(encoding="utf-8").replace(",", ";")
    path.write_text(text.replace("Z1122020001", '="Z1122020001"'), encoding="utf-8")
    [record] = read_table(path, APPROVAL_ROSTER).records
    assert record.values["颁发证书编号"] == "Z1122020001"
    assert record.values["姓名"] == "周杰"
