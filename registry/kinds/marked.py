"""What a workbook marks as left out of what was reviewed — hidden or struck-through rows,
hidden columns, cells whose format shows other words than they hold or whose text vanishes —,
formulas saved without their values, and formulas in the columns saying who holds a number:
found while the sheet is read (`registry.sheets._marked`), refused here on the register's own
rows and columns.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from registry.domain.exam import EXAM_COLUMNS
from registry.domain.problems import Problem
from registry.kinds.date_cells import short_dates
from registry.kinds.worded_cells import worded_cells
from registry.sheets._extent import column_letters
from registry.sheets._marked import MARKED_CELLS
from registry.sheets.cells import Cell
from registry.sheets.table import Record, Table

HIDDEN_ROW = (
    "这一行在工作表中被隐藏（或被筛选掉）：隐藏的行同样会登记，审核、打印时却看不到。"
    "请取消隐藏（或清除筛选）后核对；不应登记的行请整行删除"
)
STRUCK_ROW = (
    "这一行有删除线：删除线常用来表示该行作废，但它同样会登记。"
    "不应登记的行请整行删除；要登记的，请清除删除线"
)
STRUCK_CELL = (
    "这个单元格有删除线：删除线常用来表示作废，但其中的内容同样会登记。"
    "划掉的内容不应登记的，请删去（整行都不应登记的，请整行删除）；要登记的，请清除删除线"
)
PARTLY_STRUCK = (
    "这个单元格中有一部分文字带删除线：划掉的文字同样会登记，连同旁边改写的，一格里就成了两个值。"
    "请删去划掉的文字，只留要登记的内容"
)
STRUCK_UNREAD = (
    "这个单元格有删除线，它不在本表登记的栏目中（表格旁的批注，或本表没有的一列），其中的内容不会登记，"
    "但看不出删除线是否表示这一行作废。这一行不应登记的，请整行删除；要登记的，请删去这个单元格的内容或清除删除线"
)
"""A struck cell of a column the register does not read: what it holds is not loaded, so
`STRUCK_CELL`'s "同样会登记" would be false — yet the strike may be a clerk's mark on the row."""
REMARK_COLUMNS = frozenset({"备注"})
"""Where a clerk writes 作废 beside the row she strikes: left unstruck, it does not keep the
row from being told once (`registry.kinds.cells.REMARKS`, which imports this module)."""
VOID_NOTE = re.compile(
    r"[(（\[【〔]?\s*(?:(?:此|本|该)(?:行|条))?\s*(?:已经|已)?\s*(?:作废|删除|无效|不登记)"
    r"\s*(?:行|条)?\s*[)）\]】〕]?"
)
"""A note saying a row is void (作废, （已作废）, 此行删除): typed plain beside a struck name, it
is no second value but the strike's meaning."""


HIDDEN_COLUMN = (
    "这一列（第 {letter} 列）在工作表中被隐藏：其中的内容同样会登记，审核、打印时却看不到。"
    "请取消隐藏后核对"
)


DISGUISED_CELL = (
    "这个单元格的自定义数字格式使它显示的不是其中的内容（显示成另外的文字，或什么也不显示）："
    "审核、打印时看到的与登记的不同。请把该单元格的格式改为“常规”或“文本”后核对"
)


UNSEEN_CELL = (
    "这个单元格的字体颜色与底色相同或相近（如白底白字、白底黄字）或字号小得看不清：其中的内容同样会登记，"
    "审核、打印时却看不到。请把字体颜色改为“自动”（黑色）、字号改为常用大小后核对"
)


FORMULA_CELL = (
    "这个单元格是公式：导入的是文件里保存的上次计算结果，而打开文件的程序可能重新计算、显示另外的内容，"
    "审核时看到的与登记的就可能不同。持证人的姓名、性别、出生年月、证书编号、工种、等级和考试考核结果须是输入的值：请选中该列，"
    "复制后右键“选择性粘贴”→“数值”，保存后重新导入"
)
IDENTITY_COLUMNS = frozenset(
    {"姓名", "性别", "出生年月", "出生日期", "颁发证书编号", "证书编号", "新证书编号"}
    | {"报考工种", "报考等级", "类型", "更正姓名", "更正性别", "更正出生年月", "更正工种"}
    | set(EXAM_COLUMNS)
)
"""The columns that say who holds which certificate — and what the public check shows of it,
its trade and level, whether the holder passed (§二), and what a status change does: no
formula's saved value may decide it."""


ERROR_CELL = (
    "这个单元格是错误值（公式出错时显示的，如 #N/A、#REF!，或连同错误“粘贴为数值”留下的）："
    "导入时读成空白。请改为应填的内容：公式出错的，先改正公式，再复制该列、右键“选择性粘贴”→"
    "“数值”，保存后重新导入"
)


UNSAVED_FORMULA = (
    "这一行有公式，但文件没有保存公式的计算结果（程序生成的文件常见），导入时会读成空白。"
    "请用 Excel 或 WPS 打开这个文件、保存一次后重试（已是这样保存的 .xls 中公式的结果都是空白时，"
    "如名册下方的校验公式，请删去这些公式，或另存为 .xlsx）"
)
"""(An .xls holds no sign of a result not worked out but an empty one: a sheet whose every
formula Excel worked out to "" is taken for unsaved, which saving again cannot change.)"""


def marked_rows(table: Table, filling: Collection[str] = ()) -> list[Problem]:
    """A data row the workbook hides or strikes through, one of the register's columns it hides
    with something in it, or a cell of one whose format shows other words than it holds, or
    whose text is the colour of its background or too small to read, or a date whose format
    leaves out a part its column keeps (`registry.kinds.date_cells`): loaded (or numbered) like
    any other, yet nobody reviewing saw it, or everybody took it as crossed out (§四.(五)). And
    any row
    below the header with a formula saved without its value: read as empty, whatever it shows
    (a footer's approval counts, a whole row of formulas)."""
    marks = table.marks
    found = [
        Problem(record.row, None, None, HIDDEN_ROW, "§四.(五)")
        for record in table.records
        if record.row in marks.hidden
    ]
    if marks.struck:
        found += _struck(table)
    found += _unsaved(table)
    found += [
        Problem(
            None, name, None, HIDDEN_COLUMN.format(letter=column_letters(index + 1)), "§四.(五)"
        )
        for name, index in table.columns.items()
        if index + 1 in marks.hidden_columns
        and (
            name in filling  # ``certreg number`` fills the number column
            or any(record.values.get(name) not in (None, "") for record in table.records)
        )
    ]
    said = worded_cells(table) if marks.worded else []
    found += said
    if marks.disguised or marks.unseen or marks.formulas:
        found += _shown_otherwise(table, {(p.row, p.column) for p in said})
    if marks.errors:
        found += _errors(table)
    if marks.short_dates:
        found += short_dates(table)
    return found


SERIAL = "序号"
"""A row's serial number: read to tell a 合计 line, kept by no register."""


def _unsaved(table: Table) -> list[Problem]:
    """A problem for each formula saved without its value below the header: of a data row, in
    each of the register's columns it is in — one only in a column the register does not load
    (序号 =ROW()-1) reads as empty to no harm (a clerk's review: it refused the roster) —; of any
    other row, the row: a footer's approval counts, a row of formulas that reads as none. What
    the checks say of such a cell read as empty (考试考核结果为空, 没有证书编号) is not told: the
    formula is the one cause (a clerk's review, of an .xls)."""
    marks = table.marks
    below = max(table.header_rows, default=0)
    names = {index + 1: name for name, index in table.columns.items() if name != SERIAL}
    records = {record.row for record in table.records}
    whole = len(marks.unsaved_cells) >= MARKED_CELLS  # not every cell kept: judged by the row
    loaded: dict[int, list[str]] = {}
    for row, column in sorted(marks.unsaved_cells):
        if column in names:
            loaded.setdefault(row, []).append(names[column])
    found = []
    for row in sorted(marks.unsaved):
        if row <= below:
            continue
        if row not in records or whole:
            found.append(Problem(row, None, None, UNSAVED_FORMULA, "§四.(五)"))
        else:
            found += [  # the one cause of what the checks find in the empty cell
                Problem(row, n, None, UNSAVED_FORMULA, "§四.(五)", explains=frozenset({(row, n)}))
                for n in loaded.get(row, [])
            ]
    return found


def _struck(table: Table) -> list[Problem]:
    """The struck cells of each struck data row, each by its column, when not every filled
    cell the register reads (but its 序号 and 备注) is struck whole — a clerk striking the 类型
    alone, or a number with the right one typed after it, was told the whole row was struck,
    and to clear the strike: the cell then held both numbers. The row when it is (a 作废 left
    plain in 备注, or beside a struck name, says what the strike means: a clerk's review, told
    14 cells), or when its cells are not known (an .xls, an .ods, more than are kept)."""
    marks = table.marks
    cells: dict[int, set[int]] = {}
    if len(marks.struck_cells) < MARKED_CELLS:
        for row, column in marks.struck_cells:
            cells.setdefault(row, set()).add(column)
    unread = table.unread_by_row()
    found = []
    for record in table.records:
        if record.row not in marks.struck:
            continue
        struck = cells.get(record.row, set())
        noted = _struck_whole(table, record, struck) if struck else frozenset()
        if noted is None:
            found += _struck_cells(table, record, struck, dict(unread.get(record.row, [])))
        else:  # what the checks find in a name and its note is the strike's to tell
            found.append(Problem(record.row, None, None, STRUCK_ROW, "§四.(五)", explains=noted))
    return found


def _struck_whole(
    table: Table, record: Record, struck: set[int]
) -> frozenset[tuple[int, str]] | None:
    """None unless every filled cell of ``record`` the register reads, but its 序号 and remarks,
    is among its ``struck`` columns, struck whole or with only a note saying it is void left
    plain (甲（已作废）: `VOID_NOTE`); the (row, column) of those noted cells when it is."""
    noted = set()
    for name, index in table.columns.items():
        if name == SERIAL or name in REMARK_COLUMNS or not _shown(record.values.get(name)):
            continue
        if index + 1 not in struck:
            return None
        if (record.row, index + 1) in table.marks.partly_struck:
            if not VOID_NOTE.search(str(record.values[name])):
                return None
            noted.add((record.row, name))
    return frozenset(noted)


def _struck_cells(
    table: Table, record: Record, struck: set[int], unread: dict[str, Cell]
) -> list[Problem]:
    """A problem for each of ``struck``, the struck columns of ``record``: by its name — the
    header's, unquoted, when the register does not read it (a 身份证号 the registry does not
    keep) — or by its letter, a note beside the table (quoted as read from ``unread``, the
    row's cells of such columns: `Table.unread`)."""
    names = {index + 1: name for name, index in table.columns.items()}
    found = []
    for column in sorted(struck):
        partly = (record.row, column) in table.marks.partly_struck
        if header := table.unread_columns.get(column):
            found.append(Problem(record.row, header, None, STRUCK_UNREAD, "§四.(五)"))
            continue
        if column not in names:
            letter = column_letters(column)
            aside = _shown(unread.get(f"{letter} 列（无表头）"))
            found.append(Problem(record.row, f"第 {letter} 列", aside, STRUCK_UNREAD, "§四.(五)"))
            continue
        name = names[column]
        rule = PARTLY_STRUCK if partly else STRUCK_CELL
        # a partly struck cell is the cause of what the checks find in its two values
        cause = frozenset({(record.row, name)} if partly else ())
        value = _shown(record.values.get(name))
        found.append(Problem(record.row, name, value, rule, "§四.(五)", explains=cause))
    return found


def _shown(value: object) -> str | None:
    """A cell's value as a problem quotes it."""
    return None if value is None or value == "" else str(value)


def _shown_otherwise(
    table: Table, said: Collection[tuple[int | None, str | None]]
) -> list[Problem]:
    """A problem for each cell of a data row, in one of the register's columns, that the sheet
    shows as something else (`DISGUISED_CELL`, unless ``said``: told what it shows by
    `worded_cells`), not at all (`UNSEEN_CELL`: a white space there hides nothing) or perhaps
    otherwise than loaded (`FORMULA_CELL`: in a column saying who holds which number; a 合计
    worked out by a formula is checked against its parts)."""
    names = {index + 1: name for name, index in table.columns.items()}
    records = {record.row: record for record in table.records}
    marks = table.marks
    found = []
    for cells, rule in (
        (marks.disguised, DISGUISED_CELL),
        (marks.unseen, UNSEEN_CELL),
        (marks.formulas, FORMULA_CELL),
    ):
        for row, column in sorted(cells):
            if row not in records or column not in names:
                continue
            if rule is FORMULA_CELL and names[column] not in IDENTITY_COLUMNS:
                continue
            if rule is DISGUISED_CELL and (row, names[column]) in said:
                continue
            value = records[row].values.get(names[column])
            blank = value is None or (isinstance(value, str) and not value.strip())
            if rule is DISGUISED_CELL or not blank:
                found.append(Problem(row, names[column], None, rule, "§四.(五)"))
    return found


def _errors(table: Table) -> list[Problem]:
    """A problem for each error value (#N/A) in one of the register's columns on a data row:
    read as empty, it was reported as a blank the clerk could see was filled."""
    names = {index + 1: name for name, index in table.columns.items()}
    rows = {record.row for record in table.records}
    return [
        Problem(row, names[column], shown or None, ERROR_CELL)
        for row, column, shown in sorted(table.marks.errors)
        if row in rows and column in names
    ]
