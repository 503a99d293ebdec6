"""A number shown through a format that writes words of its own beside its digits: ``"Z"0``
shows the 1122130006 a cell holds as Z1122130006, ``"Z112213"0000`` shows 6 so. The reviewer
signs what the sheet shows, the registry would load the digits (§四.(五)); told only
``“1122130006”：证书编号应为11位，实为10位``, or that the format shows something else, the
clerk saw an 11-character number and nothing to mend (a clerk's review). The refusal says both.

Told so: a cell of a certificate number's column (`NUMBER_COLUMNS`: a score's ``0"分"`` is
decoration, a number's letter is not) when what it shows can be said
(`registry.sheets._shown_numbers`). Any other column's cell whose format shows other digits
stays `registry.kinds.marked`'s disguised cell, its value checked: a score of 8 shown 88 in
``0"8"``, told to type the 88 it shows and its failing checks left out, was turned into a
pass (a review of the day's diff).
"""

from __future__ import annotations

from registry.domain.problems import Problem
from registry.sheets._shown_numbers import shown_number
from registry.sheets.cells import text
from registry.sheets.table import Table

SHOWN_AS = (
    "单元格显示为“{shown}”，实际内容是“{held}”：多出的部分是单元格的自定义数字格式加上的，并不在"
    "单元格中，登记的将是“{held}”。请把该单元格设为“文本”格式后重新输入要登记的内容（如“{shown}”）"
)
NUMBER_COLUMNS = frozenset({"颁发证书编号", "证书编号", "新证书编号"})
"""The columns of a certificate number, a roster's and a status change's."""


def worded_cells(table: Table) -> list[Problem]:
    """A problem for each number cell of a data row, in a certificate number's column, whose
    format writes words beside its digits, saying what it shows and what it holds: the cause of
    what the checks find in the digits, which is not told again."""
    names = {index + 1: name for name, index in table.columns.items()}
    records = {record.row: record for record in table.records}
    found = []
    for row, column, code in sorted(table.marks.worded):
        name = names.get(column)
        if row not in records or name not in NUMBER_COLUMNS:
            continue
        value = records[row].values.get(name)
        shown, held = shown_number(code, value), text(value)
        if shown is None or shown == held:
            continue
        rule = SHOWN_AS.format(shown=shown, held=held)
        found.append(Problem(row, name, None, rule, "§四.(五)", explains=frozenset({(row, name)})))
    return found
