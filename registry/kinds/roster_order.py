"""The order of a roster's numbers (附件3 四, §四.(五)3): each level's sequence numbers rise by one
in roster order, as the certificates are printed; and of a technician roster's trades
(§四.(五)2): each trade's rows stand together. Pure functions over a roster's rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import NamedTuple

from registry.domain.numbers import CertificateNumber
from registry.domain.problems import Problem
from registry.kinds.roster_cells import NUMBER_COLUMN

GAP = "编号跳号："
"""How the problem of a number after a gap in its level's run begins."""
SHOULD_BE = "，这一行应为 "
"""What follows, in an order problem, the row before and its number: the number this row takes
— for a roster numbered by hand (`registry.kinds.roster_renumber`)."""


class NumberedRow(NamedTuple):
    """A row's place in the roster, for the order rules (a tuple: one per row, built fast)."""

    row: int
    written: str
    number: CertificateNumber | None
    """None: not a number at all (附件3)"""
    trade: str | None
    holds: str | None = None
    """for a number refused for its form, letter, year code or region: the run (prefix: the
    row's level letter, the register's year code and region) whose place it holds — its own
    problem, not a gap before the next row of that run"""


def _own_run(current: NumberedRow, last: dict[str, tuple[int, CertificateNumber, bool]]) -> bool:
    """Whether a number refused only for its letter (报考等级 中级 on a G… number) counts in its
    own letter's run: the level may be the mistake. It does when it is that run's next, or when
    it cannot be its row's level's next — then it is judged where it is written — unless it
    opens its level's run and its letter's run is under way: then it is that row's one problem."""
    number, holds = current.number, current.holds
    if number is None or holds is None or number.prefix[1:] != holds[1:]:
        return number is not None and holds is None
    own, level = last.get(number.prefix), last.get(holds)
    if own is not None and number.sequence == own[1].sequence + 1:
        return True
    if level is None:  # its level's first row: judged where written only if nothing is there
        return own is None
    return number.sequence != level[1].sequence + 1


def order_problems(rows: Sequence[NumberedRow], technician: bool) -> list[Problem]:
    """附件3 四 and §四.(五)3: each level's sequence numbers rise by one in roster order (the
    certificates are printed in the roster's order); §四.(五)2: a technician roster is drawn up
    trade by trade, so each trade's rows stand together."""
    problems = []
    last: dict[str, tuple[int, CertificateNumber, bool]] = {}
    """each run's last (row, number, whether the number is the row's once corrected) so far"""
    for current in rows:
        number = current.number
        if (number is None or current.holds is not None) and not _own_run(current, last):
            # A number refused for itself holds the place of its run's next: the gap it seems
            # to leave closes with its correction, and its own problem says what to correct.
            held = last.get(current.holds or "")
            if held is not None:
                following = held[1]._replace(sequence=held[1].sequence + 1)
                last[following.prefix] = (current.row, following, True)
            continue
        assert number is not None
        before = last.get(number.prefix)
        if before is not None and number == before[1]:
            if before[2]:  # the place a refused number was to take: this row's, as written
                last[number.prefix] = (current.row, number, False)
            continue  # the same number again: reported as a duplicate, not as out of order
        last[number.prefix] = (current.row, number, False)
        if before is None or number.sequence == before[1].sequence + 1:
            continue
        row, previous, corrected = before
        expected = previous._replace(sequence=previous.sequence + 1)
        step = "跳号" if number.sequence > previous.sequence else "倒序"
        was = f"改正后应为 {previous}" if corrected else f"是 {previous}"
        rule = (
            f"编号{step}：上一行（第{row}行）{was}{SHOULD_BE}{expected}。"
            "证书编号按名册顺序、分等级逐号编排，请用 certreg number 重新编号"
        )
        problems.append(
            Problem(current.row, NUMBER_COLUMN, current.written, rule, "附件3 四、§四.(五)3")
        )
    problems = _reordered(rows, problems)
    if technician:
        problems.extend(trade_groups((r.row, r.trade) for r in rows))
    return problems


def _reordered(rows: Sequence[NumberedRow], problems: list[Problem]) -> list[Problem]:
    """The order problems of a level whose numbers are all there, one after another, only not
    in roster order — the rows re-sorted (by name, by unit) after numbering — told so on each
    of its rows out of order: "this row should be …17" would have the clerk give holders
    numbers never handed to them. (Not where a refused number among its rows holds a place of
    the level: no order of the rows mends that.)"""
    runs: dict[str, list[NumberedRow]] = {}
    held: dict[str, list[int]] = {}  # a level → the rows whose refused numbers hold its places
    for row in rows:
        if row.number is not None and row.holds is None:
            runs.setdefault(row.number.prefix, []).append(row)
        elif row.holds is not None:
            held.setdefault(row.holds, []).append(row.row)
    merged: dict[str, str] = {}  # a number as written out of order → what its row is told
    for prefix, run in runs.items():
        numbers = [row.number for row in run if row.number is not None]
        sequences = sorted(number.sequence for number in numbers)
        among = any(run[0].row < at < run[-1].row for at in held.get(prefix, ()))
        if among or len(sequences) < 2 or sequences != list(range(sequences[0], sequences[-1] + 1)):
            continue  # a gap, a number twice, a place held, one number: each row told its own
        first, last = (numbers[0]._replace(sequence=n) for n in (sequences[0], sequences[-1]))
        rule = (
            f"编号 {first} – {last} 都在，顺序却与名册的行序不同：如果名册的行在编号后被重新"
            "排序过（如按姓名、单位排序），请恢复原来的行序（编号随行一起移动）；如果是编号填错"
            "了位置，请用 certreg number 重新编号。证书按名册顺序拓印"
        )
        merged.update((row.written, rule) for row in run)
    # each problem stays on its row: a corrected version is judged on the rows it adds or moves
    return [replace(p, rule=merged[p.value]) if p.value in merged else p for p in problems]


def trade_groups(rows: Iterable[tuple[int, str | None]]) -> list[Problem]:
    """§四.(五)2: (row, trade) in roster order; a trade that comes back after another one."""
    problems = []
    ended: dict[str, int] = {}  # trade → last row of its group, once another trade followed
    previous: tuple[int, str | None] | None = None
    for row, trade in rows:
        if previous is not None and previous[1] != trade and previous[1]:
            ended.setdefault(previous[1], previous[0])
        if trade and trade in ended:
            rule = (
                f"工种“{trade}”的人员已登记在第{ended[trade]}行及以前，中间隔着其他工种，这里又出现："
                "技师审核名册须分工种登记造册，同一工种的人员排在一起"
            )
            problems.append(Problem(row, "报考工种", trade, rule, "§四.(五)2"))
        previous = (row, trade)
    return problems
