"""A date cell whose number format leaves out a part its column keeps: refused as the text it
shows would be.

A 出生年月 held as the date 1972-05-01 in a cell formatted ``yyyy`` shows 1972 (a clerk's
review): the reviewer signed a year, the registry would load 1972-05 — and the text 1972 is
refused (应为年月). A status change's 日期 formatted ``yyyy"年"m"月"`` shows 2012年9月 and
would be the certificate's public status date, 2012-09-10, while the text 2012.09 is refused.
The sheet keeps such cells with what their format writes (`registry.sheets._date_formats`);
which parts a column keeps is the register's, named here. A format showing more than the
column keeps (a whole date in a year-month column) is no problem: what was seen is kept.
"""

from __future__ import annotations

import datetime as dt

from registry.domain.problems import Problem
from registry.sheets._date_formats import date_parts, shown_date
from registry.sheets.table import Table

YEAR_MONTH, FULL_DATE = "ym", "ymd"
KEEPS = {
    **dict.fromkeys(("出生年月", "出生日期", "参加工作时间", "执行工资等级起始时间"), YEAR_MONTH),
    "更正出生年月": YEAR_MONTH,
    "日期": FULL_DATE,
}
"""The columns read as dates → the parts they keep: a roster's year-months
(`registry.kinds.roster_cells`), a status change's corrected birth
(`registry.kinds.status_corrections`), and the full date of a status change, a dispatch or a
collection (`registry.kinds.status_rows`, `registry.kinds.dispatches`,
`registry.kinds.collection_numbers`). 报考年度 keeps a year, which every date format shows."""
_PART_NAMES = {"y": "年", "m": "月", "d": "日"}
_ADVICE = {
    YEAR_MONTH: ("年月", "yyyy.mm", "{0:%Y}.{0:%m}", "{0:%Y}-{0:%m}"),
    FULL_DATE: ("年月日", "yyyy-mm-dd", "{0:%Y}-{0:%m}-{0:%d}", "{0:%Y}-{0:%m}-{0:%d}"),
}
"""What a column keeping these parts is told: the parts' name, a format showing them, the date
to type, and what would have been loaded."""


def short_dates(table: Table) -> list[Problem]:
    """A problem for each date cell of a data row, in a column keeping a date's parts
    (`KEEPS`), whose format does not show one of them; its value is what the sheet shows. A
    format writing digits of its own (``"1975-"mm``) is told once, as showing another value
    (`registry.kinds.marked.DISGUISED_CELL`)."""
    names = {index + 1: name for name, index in table.columns.items()}
    records = {record.row: record for record in table.records}
    found = []
    for row, column, shape in sorted(table.marks.short_dates):
        if (row, column) in table.marks.disguised:
            continue
        name = names.get(column, "")
        record = records.get(row)
        value = record.values.get(name) if record is not None and name in KEEPS else None
        if not isinstance(value, dt.date):  # no date loaded: its text is read as any other
            continue
        shown = date_parts(shape) or ""
        missing = [part for part in KEEPS[name] if part not in shown]
        if missing:
            rule = _rule(name, value, shown, missing, table.layout.clause)
            found.append(Problem(row, name, shown_date(shape, value), rule, table.layout.clause))
    return found


def _rule(name: str, value: dt.date, shown: str, missing: list[str], form: str | None) -> str:
    """Why the cell is refused and what to do, in the column's terms."""
    parts, format_, typed, loaded = _ADVICE[KEEPS[name]]
    unseen = "、".join(_PART_NAMES[part] for part in missing)
    seen = "、".join(_PART_NAMES[part] for part in shown)
    shows = f"只显示{seen}、不显示{unseen}" if shown else "不显示年月日"
    cited = f"（{form}）" if form else ""
    return (
        f"单元格里是日期，它的数字格式{shows}：审核、打印时看不到{unseen}，"
        f"导入的却会是 {loaded.format(value)}。{name}应填{parts}{cited}："
        f"请核对后把单元格格式设为显示{parts}（如 {format_}），或直接输入 {typed.format(value)}"
    )
