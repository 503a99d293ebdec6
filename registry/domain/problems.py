"""What is wrong with a register, said so a clerk can find and fix it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from registry.domain.text import visible


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a register, as a clerk acts on it: where (row as the spreadsheet
    shows it, column), what was written, the rule broken and the notice's clause."""

    row: int | None
    """row number as the spreadsheet shows it — a CSV's: the line its record starts on —; None
    for the file or manifest as a whole"""
    column: str | None
    value: str | None
    rule: str
    """what is wrong and what to do, in Chinese"""
    clause: str | None = None
    """the clause of 川人社函〔2012〕389号 the rule comes from (§四.(三), 附件3 …)"""
    waits: bool = False
    """resolved by a register a sync may load after this one (a number or an approval not
    registered yet): a register whose every problem waits is tried again when one loads; one
    with any other problem is refused for its own fault, and not read again in the run"""
    code: str | None = None
    """what later checks act on, for the few problems they do (`NUMBER_TAKEN`, `NEW_NAME`,
    `OVERLONG`): the rule's text is for the clerk and may be reworded"""
    explains: frozenset[tuple[int, str]] = frozenset()
    """(row, column) of the cells this problem is the cause of — the rows a merged cell leaves
    empty below its first —, whose own problems are not told again"""
    number: str | None = None
    """the certificate number of the row at fault when the problem is not in that number's own
    cell — a corrected roster changing who holds it, a second certificate of its holder, a
    change of status whose name differs —, so that staff's history of the number lists the
    refused register too"""
    excel_row: int | None = None
    """the row Excel shows a CSV's ``row`` in, when a cell's line break above makes it another"""

    def place(self) -> str:
        """Where the problem is, as a clerk finds it: 第9行（用 Excel 打开是第5行）."""
        if self.row is None:
            return "整个文件"
        shown = f"（用 Excel 打开是第{self.excel_row}行）" if self.excel_row else ""
        return f"第{self.row}行{shown}"

    def describe(self) -> str:
        """The problem in one line, hidden characters written as their code points."""
        where = self.place()
        if self.column:
            where += f"「{visible(self.column)}」"
        value = f"“{visible(self.value)}”" if self.value else ""
        cited = self.clause is None or self.clause in self.rule or _CITES.search(self.rule)
        clause = "" if cited else f"（{self.clause}）"
        return f"{where}{value}：{self.rule}{clause}"


def numbered(problems: Iterable[Problem], numbers: Mapping[int, str]) -> list[Problem]:
    """``problems``, each of a row whose certificate number reads (``numbers``: row → number as
    registered) carrying it: staff's history of a number lists a refused row by it, whatever
    cell the row was refused for (a failing score, a 补发's review not agreed)."""
    found = [(p, None if p.row is None or p.number else numbers.get(p.row)) for p in problems]
    return [replace(p, number=number) if number else p for p, number in found]


NUMBER_TAKEN = "number_taken"
"""A number this file or the registry already gives to another holder: the report names the
next number free (附件3 四: numbers are taken in order, never reused)."""
NEW_NAME = "new_name"
"""A name refused only by a rule for names as first registered (a digit, a symbol): a name
registered before the rule came is kept as registered."""
NEW_DATES = "new_dates"
"""A row's dates out of their order (work before the age of work, a wage grade before work): a
rule that came after rosters were loaded, so dates a certificate was registered with are kept
when a new version of its roster comes."""
NEW_UNIT = "new_unit"
"""A 工作单位 of another city (§四.(四)): a rule that came after rosters were loaded, so a unit a
certificate was registered with is kept when a new version of its roster comes."""
REVIEW_DATE = "review_date"
"""A 补发's review dated after it: a rule that came after registers were loaded, so a review an
event was registered with is not refused for it (a register is not judged again by a rule that
came after it)."""
REVIEW_ORDER = "review_order"
"""A 补发's two reviews in the wrong order: `REVIEW_DATE`'s rule, of both reviews at once."""
UNCORRECTED = "uncorrected"
"""A 换发 for a misfilled field that corrects none: a rule that came after registers were loaded,
so an event registered so is not refused for it in a later version of its register."""
DOCUMENT_GIVEN = "document_given"
"""A 补发's 个人申请 or 单位证明 that says there is none (无, 未提交): a rule that came after
registers were loaded, so an event registered with it is not judged again."""
NEW_REASON = "new_reason"
"""A 原因 refused by a rule that came after registers were loaded (one written only as /, 无 or
见附件; a 补发's for a misfilled paper): an event registered with it is not judged again."""
OVERLONG = "overlong"
"""A cell cut to its greatest length: what other checks say of the cut text is not so."""


_CITES = re.compile(r"（(?:§|附件)[^（）]*）$")
"""A rule that ends citing its own clause (a date's reason: Arabic numerals, §四.(三)) is not
given a second one: one citation, at the end."""
