"""A 换发's or 补发's new number or corrections written in a column the layout does not read.

Such a column's cells are not loaded, which for most extra columns a clerk adds (经办人, 联系电话)
a note in the report says. But a 补发 whose 新证书编号 stood under 新证编号 loaded without it:
the number on the holder's new paper answered 未查到, and once the clerk fixed the header the
file was refused, an applied event being unchangeable. A 换发's correction under 更正后工种 was
lost the same way. So a row is refused when such a column — by its header, or by holding a
certificate number other than the row's own — holds something (§四.(六)2、3). A correction of
what a 换发 does not correct (更正等级, 更正工作单位) is refused too: dropped, the new paper
was registered without the change the clerk wrote.
"""

from __future__ import annotations

from collections.abc import Iterable

from registry.domain.numbers import normalise, number_shaped
from registry.domain.problems import Problem
from registry.kinds.cells import REMARKS
from registry.sheets.cells import Cell, text
from registry.sheets.layout import header_key

_CORRECTION_WORDS = ("更正", "改正", "正确", "更改")
_CORRECTED_FIELDS = ("姓名", "性别", "出生", "工种")
_NOT_THE_CORRECTION = ("前", "原", "依据", "说明", "是否")
"""更正前工种, 更改原因说明, 更正依据, 信息是否正确: about a correction, not the corrected value"""
_UNCORRECTED_FIELDS = ("等级", "级别", "单位", "发证", "文号", "考试", "成绩", "职务", "岗位")
"""What a certificate records that a 换发 does not correct (the level is the number's letter,
附件3); a 更正日期 or 更正经办人 column is the clerk's own note, not one of these."""
_NUMBER_WORDS = ("编号", "证号", "号码")
NEW_NUMBER_RULE = (
    "这一列不是本表的栏目，其中的编号没有导入：补发以新编号发证、换发的新证书，编号应填在"
    "“新证书编号”栏，请把这一列的标题改为“新证书编号”"
)
CORRECTION_RULE = (
    "这一列不是本表的栏目，其中的更正没有导入：换发更正的内容应分别填在“更正姓名”“更正性别”"
    "“更正出生年月”“更正工种”栏，请把这一列的标题改为其中之一"
)
UNCORRECTED_RULE = (
    "这一列不是本表的栏目，其中的更正没有导入：换发登记表只登记姓名、性别、出生年月、工种的更正"
    "（等级即编号的字母，见附件3）。证书其他内容登记有误的，请与发证机关核实，不以换发更正；"
    "请删去这一列的内容后重试"
)


def misplaced(row: int, unread: Iterable[tuple[str, Cell]], own: Iterable[str]) -> list[Problem]:
    """The problems of row ``row``'s unread cells that hold a new number or a correction;
    ``own``: the row's numbers as read (证书编号, 新证书编号), which another column may repeat."""
    problems = []
    for column, value in unread:
        written = text(value)
        if not written or column == REMARKS:
            continue
        key = header_key(column)
        if _names_a_correction(key, _CORRECTED_FIELDS):
            rule = CORRECTION_RULE
        elif _names_a_correction(key, _UNCORRECTED_FIELDS):
            rule = UNCORRECTED_RULE
        elif _names_a_new_number(key) or (
            number_shaped(number := normalise(written)) and number not in own
        ):
            rule = NEW_NUMBER_RULE
        else:
            continue
        problems.append(Problem(row, column, written, rule, "§四.(六)"))
    return problems


def _names_a_correction(key: str, fields: tuple[str, ...]) -> bool:
    """更正后工种, 正确的姓名, 更改出生年月: the corrected value of one of ``fields``."""
    return (
        any(word in key for word in _CORRECTION_WORDS)
        and any(field in key for field in fields)
        and not any(word in key for word in _NOT_THE_CORRECTION)
    )


def _names_a_new_number(key: str) -> bool:
    """新证编号, 新证号码, 补发证书编号: a new certificate's number (not 新证领取日期)."""
    new = "新" in key or key.startswith(("补发", "换发"))
    return new and any(word in key for word in _NUMBER_WORDS) and "原" not in key
