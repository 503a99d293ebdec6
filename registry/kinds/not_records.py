"""Rows of a register that are no record: a 合计 line (its sum would count twice) and a row of
one cell that is no holder's name — a group's heading, a page's number. Each is told as one
problem, the row to be removed, not as a record missing every field."""

from __future__ import annotations

import re

from registry.domain.counties import unit_regions
from registry.domain.names import normalise_name
from registry.domain.numbers import normalise, number_shaped
from registry.domain.problems import Problem
from registry.sheets.cells import Cell, text
from registry.sheets.table import Record

TOTAL_WORDS = ("合计", "总计", "小计", "共计")
"""What a totals row writes where a unit's or a holder's name goes (合计, 合计：3人)."""


_NUMERAL = r"[\d〇一二三四五六七八九十百千两零壹贰叁肆伍陆柒捌玖拾佰仟]"
_A_COUNT = re.compile(
    rf"(?:共计?)?(?:(?:初级|中级|高级|技师)工?)?\s*{_NUMERAL}*\s*[人名个份本张]?[。.]?"
)
"""What a total row holds beside 合计 in its 序号 (nothing, 7, 7人, 七人, 共7人, 中级3人): no
holder or unit."""
_SCOPE = "(?:以上(?:人员)?|本页|全部)"
_DETAIL = r"(?:[（(，,；;].*)?[。.]?"
"""What may follow a total's count: 共7人（中级5人，初级2人）, 共7人，其中中级5人."""
_TOTAL_LINE = re.compile(
    rf"{_SCOPE}(?:合计|总计|小计|共计){_DETAIL}"
    rf"|{_SCOPE}?(?:合计|总计|小计|共计|总人数|人数|共有)[:：]?\s*{_NUMERAL}+\s*[人名]?{_DETAIL}"
    rf"|{_SCOPE}?共[:：]?\s*(?:\d+\s*[人名]?|{_NUMERAL}+\s*[人名]){_DETAIL}"
)
"""A total written where a holder's name goes, without 合计 first: 以上共7人, 以上人员共7人,
以上合计, 总人数：7, 共有7人, 共 7 人, 本页小计 3 — but not 共三, a holder surnamed 共 (a bare
共 counts with Arabic digits, or 人)."""


def total_row(first: Cell, serial: Cell = None) -> str | None:
    """Why a row headed 合计 — where its unit or holder goes, or in its 序号 with no name beside
    it but a count — is not read as a record: no requisition, slip or holder (its sum would
    count twice)."""
    name = normalise_name(text(first))
    if (
        name.startswith(TOTAL_WORDS)
        or _TOTAL_LINE.fullmatch(name)
        or (
            _A_COUNT.fullmatch(name) and any(w in normalise_name(text(serial)) for w in TOTAL_WORDS)
        )
    ):
        # not "不导入": a clerk read it as skipped, while the register was refused for it
        return "这是合计行，不是一条记录，表中不能有：请删除此行（或把它移到表格之外）后重新导入"
    return None


_HEADING_WORDS = (
    *(
        "人员",
        "单位",
        "合计",
        "小计",
        "共计",
        "总计",
        "补报",
        "以下",
        "附件",
        "附表",
        "名单",
        "名册",
    ),
    *("续表", "续上表", "本页", "此页"),
)
"""Words a heading begins or ends with (补报人员, 以下为补报人员, 附件, 续上表, 本页完)."""
_PAGE = re.compile("第[一二三四五六七八九十百零〇两]+页")
"""A page's number in Chinese numerals (第一页共二页); in digits it is no name anyway."""
_UNIT_ENDS = (
    *("中学", "小学", "学校", "大学", "学院", "医院", "卫生院", "中心", "公司", "委员会"),
    *("管理局", "管理处", "研究所", "研究院", "工厂", "局", "厅"),
)
"""How a unit's name ends, as a group's heading names it (绵阳市第二中学)."""


def heading_row(record: Record) -> Problem | None:
    """A row with one cell written in it that reads as no holder's name — a group's heading
    (绵阳市第二中学), a page's number (第 1 页 共 2 页), 补报人员 —: one problem, the row to be
    removed, not one "必填项为空" per column (a clerk's review: 12 of them for 绵阳市第二中学,
    the heading never shown)."""
    filled: tuple[str, Cell] | None = None
    for cell in record.values.items():  # a holder's row: done at its second filled cell
        if cell[1] is None or cell[1] == "":
            continue
        if filled is not None:
            return None
        filled = cell
    if filled is None:
        return None
    column, value = filled
    written = normalise_name(text(value))
    if (
        _HAN_NAME.fullmatch(written)
        and not written.startswith(_HEADING_WORDS)
        and not written.endswith((*_HEADING_WORDS, *_UNIT_ENDS))
        and not _PAGE.search(written)
        and not unit_regions(written)
    ) or number_shaped(normalise(written)):
        return None  # a holder (or a number) whose other cells are empty: each told
    rule = (
        f"这一行只有一格写了字（“{written}”），不是人员记录：分段标题、页码请删除此行；"
        "页脚的意见（证书核发部门意见等）请写在最后一个人员之下、空一行之后，再重新导入"
    )
    return Problem(record.row, column, text(value), rule, "§四.(五)")


_HAN_NAME = re.compile(r"[\u3400-\u9fff·]{2,50}")
"""What a holder's name looks like: Chinese characters, a minority name's dots (阿卜杜热合曼·
阿卜杜克热木), as long as a name may be."""


def total_in(record: Record, columns: tuple[str, ...]) -> Problem | None:
    """The problem of a 合计 line of a register whose leading ``columns`` (序号 first) may hold
    it: one line, instead of a problem for each column a record must fill."""
    serial = record.values.get("序号")
    for column in columns:
        if summed := total_row(record.values.get(column), serial):
            return Problem(record.row, column, text(record.values.get(column)), summed)
    return None
