"""The four certificate levels (附件3 一): letters, names, and how registers and forms write them."""

from __future__ import annotations

LEVELS: dict[str, str] = {"J": "技师", "G": "高级工", "Z": "中级工", "C": "初级工"}
"""Level letter → level name, in the order of 附件3."""

LETTER_OF_LEVEL: dict[str, str] = {
    "技师": "J",
    "高级": "G",
    "高级工": "G",
    "中级": "Z",
    "中级工": "Z",
    "初级": "C",
    "初级工": "C",
}
"""How rosters write the 报考等级 column → level letter."""

LEVEL_ORDER = ("C", "Z", "G", "J")
"""Levels from lowest to highest: the order of the footer's 同意初级…中级…高级…技师."""

QUANTITY_COLUMNS = ("初级", "中级", "高级", "技师")
"""Blank-certificate quantities (本) by level, as 附件1 and 附件2 print them."""

LETTER_OF_QUANTITY: dict[str, str] = dict(zip(QUANTITY_COLUMNS, LEVEL_ORDER, strict=True))
"""Quantity column of 附件1/附件2 → level letter."""
