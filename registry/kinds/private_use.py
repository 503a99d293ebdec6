"""Names written with a character of a private-use area (造字): an office's own font draws it,
nobody else's. Such a name is registered as written (refusing it would send the clerk to change
a holder's name, which only a 换发 may), but the clerk is told what it does to the public check:
an employer cannot type the character, so the holder's check answers 未查到 (a clerk's review).
"""

from __future__ import annotations

import unicodedata

from registry.sheets.table import Table

PRIVATE_USE_NOTE = "姓名中有造字"
"""How the note opens: it quotes no cell (rows only), so a report without cell values keeps it."""
NAME_COLUMNS = ("姓名", "更正姓名")


def _private(value: object) -> bool:
    return isinstance(value, str) and any(unicodedata.category(ch) == "Co" for ch in value)


def private_use_note(table: Table) -> str | None:
    """The rows of ``table`` whose name holds a private-use character, and what it means."""
    rows = [
        record.row
        for record in table.records
        if any(_private(record.values.get(column)) for column in NAME_COLUMNS)
    ]
    if not rows:
        return None
    shown = "、".join(map(str, rows[:10])) + ("等" if len(rows) > 10 else "")
    return (
        f"{PRIVATE_USE_NOTE}（私用区字符，第{shown}行，共 {len(rows)} 行）：只有装了同一造字字库的"
        "电脑能显示，用人单位在查验页面输入不了这个字，这些持证人的查验会答“未查到”。"
        "如该字已收入国家标准（GB 18030-2022），请改用标准字后重新导入"
    )
