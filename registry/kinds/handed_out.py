"""Numbers ``certreg number`` handed out (附件3 四): taken from the moment they are handed out,
loaded or not — the numbered copy that shows them may still be on a clerk's desk. Another file
that gives one to somebody else (a number typed by hand into a roster, a 新证书编号) would take
it from the holder the copy gives it to, whose roster the sync would then refuse."""

from __future__ import annotations

import sqlite3
from pathlib import PurePath

from registry.domain.numbers import parse, prefix_of
from registry.domain.problems import Problem
from registry.kinds.base import RegisterEntry
from registry.kinds.roster_cells import NUMBER_COLUMN
from registry.kinds.roster_result import RosterResult
from registry.store.numbering_runs import given_to_another, handed_out_prefixes, highest_sequence


def handed_out_rule(file: str, use: str, free: str) -> str:
    """Why a number handed out to ``file`` cannot be used here, and the next one free."""
    return (
        f"该编号已由 certreg number 分配给名册“{PurePath(file).name}”（编号一经分配不再重用），"
        f"不能{use}；下一个可用的编号是 {free}"
    )


def handed_out_elsewhere(
    conn: sqlite3.Connection, result: RosterResult, entry: RegisterEntry
) -> list[Problem]:
    """A roster row that gives a number a run handed out to another holder. The numbered copy
    passes renamed (its rows are the holders the run numbered) or with a holder's name
    corrected under the name certreg number gave it; not both at once — then the message names
    the copy's file name —, never with a holder on the row of another's number (names
    swapped), and never with another person on a row (a name not mis-written but another).
    A register of none of the runs' prefixes is not looked at."""
    prefixes = handed_out_prefixes(conn)
    rows = [
        (c.number, c.name_key, c.source_row)
        for c in result.certificates
        if prefix_of(c.number) in prefixes
    ]
    if not rows:
        return []
    written = {row: text for row, text, _ in result.numbers}
    found = []
    key = PurePath(entry.key).name
    for row, number, file, copy, theirs in given_to_another(conn, rows, key):
        if theirs and copy == key:
            rule = (
                f"certreg number 编号时把此编号给了另一人，此人得到的是 {theirs}：编号副本中的"
                "姓名被改到了别的行、行被调换了，或删除一行后其后各行的编号被前移了。编号一经分配"
                "不再重用，不能改给另一人：请恢复编号副本中各行的姓名和编号（改正错字不受影响）；"
                "如要删除某行，删除后请清空“颁发证书编号”列，用 certreg number 重新编号"
            )
            found.append(Problem(row, NUMBER_COLUMN, written.get(row, number), rule, "附件3"))
            continue
        if copy == key:
            rule = (
                "certreg number 编号时此行是另一人：编号副本中此行的姓名不是原姓名的错字，而是"
                "另一个名字。编号一经分配不再重用，不能改给另一人：请恢复此行原来的持证人；"
                "另一人请列入新的名册，用 certreg number 编号"
            )
            found.append(Problem(row, NUMBER_COLUMN, written.get(row, number), rule, "附件3"))
            continue
        parsed = parse(number)
        highest = highest_sequence(conn, parsed.letter, parsed.year_code, parsed.region)
        free = str(parsed._replace(sequence=highest + 1))
        use = (
            "在本名册中给另一人（请用 certreg number 为本名册编号；如本文件就是该名册的编号副本，"
            f"只是改正了姓名，请沿用 certreg number 写出的文件名“{copy}”）"
        )
        problem = Problem(
            row, NUMBER_COLUMN, written.get(row, number), handed_out_rule(file, use, free), "附件3"
        )
        found.append(problem)
    return found
