"""What is wrong with a register, said so a clerk can find and fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    row: int | None
    """row number as the spreadsheet shows it; None for the file or manifest as a whole"""
    column: str | None
    value: str | None
    rule: str
    """what is wrong and what to do, in Chinese"""
    clause: str | None = None
    """the clause of 川人社函〔2012〕389号 (or SPEC section) the rule comes from"""

    def describe(self) -> str:
        where = f"第{self.row}行" if self.row is not None else "整个文件"
        if self.column:
            where += f"「{self.column}」"
        value = f"“{self.value}”" if self.value not in (None, "") else ""
        clause = f"（{self.clause}）" if self.clause and self.clause not in self.rule else ""
        return f"{where}{value}：{self.rule}{clause}"


class RegisterRejected(Exception):
    """Raised inside a load to abandon its transaction; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
