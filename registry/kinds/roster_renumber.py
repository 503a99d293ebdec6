"""A row removed from a roster ``certreg number`` numbered (附件3 四): the numbers it handed out
are never given to another holder — the copy that shows them may be on someone's desk —, so the
level's later rows do not move up onto the numbers before them (the sync refuses a number the
run gave another holder, `registry.kinds.handed_out`) but are numbered again: the column
cleared, ``certreg number`` run on the file, the new copy loaded. The first numbers are left
unused, a gap between rosters; each roster's own numbers still rise by one."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from registry.domain.problems import Problem
from registry.kinds.base import RegisterEntry
from registry.kinds.roster_order import GAP, SHOULD_BE
from registry.kinds.roster_removal import MOVE_UP
from registry.kinds.roster_result import RosterResult
from registry.store.numbering_runs import runs_handing_out, unloaded_runs
from registry.store.syncs import loaded_version


def renumbering(conn: sqlite3.Connection, result: RosterResult, entry: RegisterEntry) -> str | None:
    """What numbering ``entry``'s roster again takes, when ``certreg number`` handed out its
    numbers and none is issued yet; None for a roster numbered by hand (its later numbers may
    move up: none was handed out) or loaded before (issued numbers never change, §五.(三))."""
    spans = runs_handing_out(conn, [number for _, _, number in result.numbers])
    if not spans or loaded_version(conn, entry.key) is not None:
        return None
    said = "、".join(first if first == last else f"{first} – {last}" for first, last in spans)
    # cleared, the file carries none of its runs' numbers: numbering it abandons them
    runs = unloaded_runs(conn, str(entry.path.resolve()))
    again = "加 --again" if any(not run.registered for run in runs) else "不用加 --again"
    return (
        f"本名册的编号是 certreg number 分配的（{said}），编号一经分配不再重用（附件3 四）。"
        "请清空“颁发证书编号”列，再对本文件运行 certreg number 重新编号"
        f"（--out 另取新文件名，{again}），然后用 certreg sync 导入新的编号副本；原编号作废，"
        "不再使用"
    )


def renumbered(
    conn: sqlite3.Connection, result: RosterResult, entry: RegisterEntry, problems: list[Problem]
) -> list[Problem]:
    """``problems`` with the advice to move numbers up — a failing row's removal, a gap — told
    as numbering again, for a roster whose numbers ``certreg number`` handed out: moved up,
    each would go to another holder than the copy gave it to, which the sync then refuses."""
    if not any(MOVE_UP in p.rule or p.rule.startswith(GAP) for p in problems):
        return problems
    advice = renumbering(conn, result, entry)
    if advice is None:
        return problems
    told = []
    for problem in problems:
        if MOVE_UP in problem.rule:
            rule = problem.rule.replace(MOVE_UP, f"；其后同一等级各行的编号不能依次前移：{advice}")
            problem = replace(problem, rule=rule)
        elif problem.rule.startswith(GAP) and SHOULD_BE in problem.rule:
            gap = problem.rule.split(SHOULD_BE)[0]
            rule = f"{gap}，这一行是 {problem.value}，中间的编号空着（如删除了行），其后各行的编号也不能前移：{advice}"
            problem = replace(problem, rule=rule)
        told.append(problem)
    return told
