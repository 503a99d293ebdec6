"""Rows a remark withholds. A register lists what takes effect — the holders certificates are
issued to, the 换发/补发/撤销 that apply, the certificates handed over — and a clerk who keeps a
row that does not (暂缓发证, 此条作废, 未领取) says so in 备注 or in a column the layout does not
read. Loaded, such a row would issue, revoke or count as collected what the office withheld.

A phrase is read as typed in any width, spacing or characters (不 发 证, 不發證), and not where
a denial comes right before it (非暂缓人员, 无需暂缓发证), nor when the remark says anywhere that
the row takes effect after all (曾暂缓发证，已补齐，同意发证) — the way out each refusal tells the
clerk to write. Free text is not read further.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from registry.domain.characters import simplified
from registry.domain.problems import Problem
from registry.sheets.cells import Cell, text
from registry.sheets.layout import header_key

_DENIED = ("非", "无", "未", "没有", "不属于", "并非", "无需", "不需", "不需要", "不存在")
"""What before a phrase says it is not so (非暂缓人员, 未取消资格, 无需暂缓发证)."""
_NOT_YET = "不待后拟如若未"
"""Right before a takes-effect phrase: not one (不同意发证), or a condition to come (复核后同意
发证, 拟同意发证)."""


_CLAUSES = re.compile("[，,。；;、（）()]")


@dataclass(frozen=True)
class Withholding:
    """What withholds a row of one kind of register, and what the clerk is told."""

    phrases: re.Pattern[str]
    """whole phrases saying the row does not take effect"""
    effective: re.Pattern[str]
    """phrases saying it does after all (the way out the rule names)"""
    rule: Callable[[str, str], str]
    """the problem's text, from the column and the phrase found"""
    clause: str
    worth_reading: re.Pattern[str]
    """characters every phrase has one of: most remarks are skipped without more reading"""
    effective_after: bool = False
    """whether a takes-effect phrase counts only after the last withholding one: a change
    approved, then withdrawn (同意撤销，后经复核此条作废) is withdrawn"""
    past: str = ""
    """what right before a phrase tells the past (原暂缓办理, 此条作废（原同意撤销）)"""
    not_yet: str = _NOT_YET
    """what right before a takes-effect phrase says it has not happened"""
    anywhere: re.Pattern[str] | None = None
    """takes-effect phrases that count wherever they stand (委托代领（本人未签收）)"""
    set_aside: re.Pattern[str] | None = None
    """what makes a ``weak`` phrase (a named group of ``phrases``: a bare 驳回) speak of
    something else when its clause (between punctuation) says it: the holder's appeal of a
    revocation (复议申请已被驳回)"""

    def phrase(self, remark: str) -> str | None:
        """The phrase of ``remark`` that withholds its row, or None."""
        if not remark or not self.worth_reading.search(remark):
            return None
        read = simplified(header_key(remark))
        denied = (*_DENIED, *self.past)
        found = [
            m
            for m in self.phrases.finditer(read)
            if not read[: m.start()].endswith(denied) and not self._aside(read, m)
        ]
        if not found:
            return None
        not_yet = tuple(self.not_yet + self.past)

        def effective(pattern: re.Pattern[str], after: int) -> bool:
            return any(
                m.start() >= after
                and not read[: m.start()].endswith(not_yet)
                and not read.startswith("的", m.end())
                for m in pattern.finditer(read)
            )

        after = found[-1].end() if self.effective_after else 0
        if effective(self.effective, after) or (self.anywhere and effective(self.anywhere, 0)):
            return None
        return found[0][0]

    def _aside(self, read: str, found: re.Match[str]) -> bool:
        if self.set_aside is None or not found.groupdict().get("weak"):
            return False
        starts = [m.end() for m in _CLAUSES.finditer(read, 0, found.start())]
        end = _CLAUSES.search(read, found.end())
        clause = read[starts[-1] if starts else 0 : end.start() if end else len(read)]
        return self.set_aside.search(clause) is not None

    def problem(self, row: int, cells: Iterable[tuple[str, Cell]]) -> Problem | None:
        """The problem of a row one of whose ``cells`` (column, value) withholds it."""
        for column, value in cells:
            if found := self.phrase(text(value)):
                return Problem(row, column, text(value), self.rule(column, found), self.clause)
        return None
