"""What removing a roster's failing rows takes besides (§四.(六)1, 附件3 四): the 附件4 footer's
count for the level — and the numbers of the level's later rows — must fit what is left, so a
row that failed its examination (or is withheld by its remarks) is told so now, and the clerk's
next attempt does not fail on them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, replace

from registry.domain.exam import EXAM_CLAUSE
from registry.domain.levels import LEVELS
from registry.domain.problems import Problem
from registry.kinds.roster_footer import FOOTER_COLUMN, found_counts, shown_count
from registry.kinds.roster_remarks import REMOVAL, WITHHELD_CLAUSE
from registry.sheets.table import Table

MOVE_UP = "；按附件3 四，其后同一等级各行的编号须依次前移、不能跳号"
"""What removing a row whose level has numbered rows after it takes of their numbers, for a
roster numbered by hand: `registry.kinds.roster_renumber` tells a roster ``certreg number``
numbered to number it again instead (the numbers it handed out are never given to others)."""


@dataclass(frozen=True)
class _Removal:
    """What removing a level's failing rows leaves: the footer's count (None: no footer counts
    the level), the rows that remain."""

    letter: str
    count: int | None
    remaining: int
    failing: int

    def advise(
        self, problem: Problem, numbered: Collection[int], last_numbered: dict[str, int]
    ) -> Problem:
        """``problem`` with what removing its row takes besides — the footer's count, the later
        numbers — and, for a row withheld, what issuing it after all (同意发证) takes.
        ``last_numbered``: each level's last numbered row."""
        rule, _, rest = problem.rule.partition(REMOVAL)
        level = LEVELS[self.letter].removesuffix("工")
        if rest and self.count == self.remaining:  # withheld, and the footer counts it out
            rest += f"，并在页脚“同意{level} {self.count} 人”中计入此人"  # each issued: +1
        if self.count is None:
            note = REMOVAL
        elif self.count == self.remaining:
            note = f"{REMOVAL}（页脚“同意{level} {self.count} 人”已不含此人，不用改）"
        else:
            note = f"{REMOVAL}，并把页脚“同意{level} {self.count} 人”改为 {self.remaining} 人"
        if self.failing > 1 and self.count is not None:
            note += f"（本名册{level}共 {self.failing} 行不合格）"
        row = problem.row or 0
        if row in numbered and last_numbered.get(self.letter, 0) > row:
            note += MOVE_UP
        return replace(problem, rule=rule + note + rest)


def advise_failing_rows(
    problems: list[Problem], table: Table, letters: dict[int, str], numbered: Collection[int]
) -> list[Problem]:
    """A row that failed its examination is removed from the roster — and then the footer's
    count for its level, and the numbers of the level's later rows, must fit what is left: say
    so now, so that the clerk's next attempt does not fail on them (§四.(六)1, 附件3 四). A
    footer that already leaves the failing rows out is no problem of its own. A roster without
    a footer is told to remove the row too: its message only said the row failed."""
    removed = (EXAM_CLAUSE, WITHHELD_CLAUSE)  # failed, or withheld by its remarks
    failing_rows = {p.row for p in problems if p.row is not None and p.clause in removed}
    if not failing_rows:
        return problems
    found = found_counts(table)
    declared, named = (found.counts, found.named) if found is not None else ({}, frozenset())
    failing = Counter(letters[row] for row in failing_rows if row in letters)
    remaining = Counter(letters.values())
    remaining.subtract(failing)
    settled = {
        shown_count(letter, count, named)
        for letter, count in declared.items()
        if failing[letter] and count == remaining[letter]
    }
    # each level's last numbered row, once: sought at each failing row, rows × failing rows
    last_numbered: dict[str, int] = {}  # spent most of a 40,000-row roster's sync
    for row in sorted(numbered):
        if row in letters:
            last_numbered[letters[row]] = row
    advised = []
    for problem in problems:
        if problem.column == FOOTER_COLUMN and problem.value in settled:
            continue
        letter = letters.get(problem.row or 0)
        if problem.clause in removed and letter:
            count = declared.get(letter)
            counted = count if isinstance(count, int) else None
            removal = _Removal(letter, counted, remaining[letter], failing[letter])
            advised.append(removal.advise(problem, numbered, last_numbered))
        else:
            advised.append(problem)
    return advised
