"""How clerks head the columns of a status-changes register (§四.(六)) other than by the names
the layout reports with: each read as the column it names, never stored under its own words."""

from __future__ import annotations

NEW_NUMBER_ALIASES = ("新证编号", "新编号", "新证号", "新证书号", "补发证书编号", "换发证书编号")
"""How clerks head the 新证书编号 column; a header like them read as none was refused
(`registry.kinds.status_misplaced`)."""

FALLBACKS = {
    "证书编号": ("原证书编号", "证书号"),
    "姓名": ("持证人姓名",),
    "日期": ("办理日期",),
    "批准文号": ("批准文件",),
}
"""Headings a clerk's own form gives the columns every row needs (a file so headed was refused
as lacking them), each naming no other column of the register: 原证书编号 is the number the row
changes, beside a 换发's or 补发's 新证书编号; 批准文件 the event's approval, the certificate's
own being the 原公布文件. Read only where the column's own name is not in the header: a
原证书编号 beside 证书编号 repeats the row's number (`registry.kinds.status_misplaced`)."""


def said_otherwise(correction: str) -> tuple[str, ...]:
    """How clerks head a correction column: 更正后工种, 正确姓名 for 更正工种, 更正姓名."""
    field = correction.removeprefix("更正")
    return (f"更正后{field}", f"更正后的{field}", f"正确{field}", f"正确的{field}")
