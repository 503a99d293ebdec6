"""``certreg number``: give the rows of an approved roster that lack a 颁发证书编号 the next free
numbers, in roster order, per level (§四.(四), §四.(五)3), and write a numbered copy.

The next number continues after the highest sequence already used for that letter/year/region in
the registry, in earlier numbering runs (recorded, so two runs before a sync never hand out the
same number twice) and in the file itself. A row is numbered only if the roster rules that
decide a number (its level, its results, the authority's right to issue it) let it have one:
the same rules the sync applies (`registry.kinds.roster_cells`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from registry.domain.exam import EXAM_COLUMNS
from registry.domain.levels import LEVELS
from registry.domain.names import name_key
from registry.domain.numbers import MAX_SEQUENCE, CertificateNumber, MalformedNumber, parse
from registry.domain.problems import Problem
from registry.domain.regions import PROVINCE, issuing_problem
from registry.domain.registers import TECHNICIAN_ROSTER
from registry.domain.trades import builtin_catalogue
from registry.kinds import read_as
from registry.kinds.closing_total import closing_total
from registry.kinds.marked import marked_rows
from registry.kinds.not_records import total_row
from registry.kinds.roster_cells import (
    NUMBER_COLUMN,
    exam_verdict,
    level_verdict,
    unit_problem,
)
from registry.kinds.roster_order import trade_groups
from registry.kinds.roster_remarks import withheld_row
from registry.sheets.cells import Cell, text
from registry.sheets.numbered_copy import CopyNotes, numbered_copy
from registry.sheets.table import Record, Table
from registry.store import now
from registry.store.certificates import register_of, same_register_through
from registry.store.numbering_runs import (
    NumberingRun,
    UnloadedRun,
    abandon_runs,
    highest_sequence,
    record_numbered_holders,
    record_numbering,
)
from registry.store.trades import stored_catalogue
from registry.sync.numbering_holders import Holders


@dataclass
class Numbering:
    """The plan for one file: which row gets which number, or why rows cannot get one."""

    table: Table
    assigned: dict[int, CertificateNumber] = field(default_factory=dict)
    """spreadsheet row → new number"""
    problems: list[Problem] = field(default_factory=list)

    def ranges(self) -> dict[str, tuple[CertificateNumber, CertificateNumber, int]]:
        """Per number prefix (letter+year+region): first and last number and how many."""
        spans: dict[str, tuple[CertificateNumber, CertificateNumber, int]] = {}
        for number in self.assigned.values():
            first, last, count = spans.get(number.prefix, (number, number, 0))
            spans[number.prefix] = (min(first, number), max(last, number), count + 1)
        return spans


def _letter(
    record: Record, kind: str, authority: str, region: str
) -> tuple[str | None, Problem | None]:
    """The level a row would be numbered in, or the roster rule that refuses it a number."""
    if kind == TECHNICIAN_ROSTER:
        letter: object = "J"
    else:
        letter, refused = level_verdict(record.values.get("报考等级"), region)
        if refused:
            value = text(record.values.get("报考等级"))
            return None, Problem(record.row, "报考等级", value, *refused)
        for column in EXAM_COLUMNS:
            # the sync's own words: a failed result, or a value to retype (免考, /, A), never
            # "failed" for a value that only cannot be read
            refused = exam_verdict(record.values.get(column))[1]
            if refused:
                value = text(record.values.get(column))
                return None, Problem(record.row, column, value, *refused)
    assert isinstance(letter, str)
    reason = issuing_problem(authority, region, letter)
    if reason:
        return None, Problem(record.row, "报考等级", LEVELS[letter], reason, "§三")
    return letter, None


def _not_a_holder(record: Record, unread: list[tuple[str, Cell]], region: str) -> Problem | None:
    """A total row, a row its 备注 or a column not read withholds, or a city's row of another
    city's unit: the sync refuses it (`registry.kinds.roster_rows.check_rows`), so a number
    given to it would be lost once the clerk deletes or moves the row — a gap in the numbers."""
    values = record.values
    if summed := total_row(values.get("姓名"), values.get("序号")):
        return Problem(record.row, "姓名", text(values.get("姓名")), summed)
    if region != PROVINCE and (elsewhere := unit_problem(values.get("工作单位"), region)):
        return Problem(record.row, "工作单位", text(values.get("工作单位")), *elsewhere)
    return withheld_row(record.row, values, unread)


def plan(
    conn: sqlite3.Connection, path: Path, kind: str, authority: str, region: str, year_code: str
) -> Numbering:
    """Work out the numbers for ``path`` without writing anything."""
    numbering = Numbering(read_as(kind, path))
    if not numbering.table.records:
        numbering.problems.append(Problem(None, None, None, "名册没有任何数据行"))
        return numbering
    # a hidden or struck row would take a number; a hidden number column would get them
    numbering.problems += marked_rows(numbering.table, filling=(NUMBER_COLUMN,))
    catalogue = stored_catalogue(conn) or builtin_catalogue()  # as rosters were loaded
    holders = Holders(conn, kind, catalogue)  # §二 before a number is handed out
    unread = numbering.table.unread_by_row()  # 审核意见: 暂缓发证, in a column not read
    last_written: dict[str, tuple[int, CertificateNumber]] = {}  # by letter, in roster order
    waiting: list[tuple[int, str]] = []
    # a closing 合计 row is the roster's total, which the sync checks (`roster_totals`): no holder
    records, _ = closing_total(numbering.table.records, "姓名")
    for record in records:
        written = text(record.values.get(NUMBER_COLUMN))
        if written:
            try:
                number = parse(written)
            except MalformedNumber:
                continue  # the sync reports it; numbering only needs the numbers already used
            if (number.year_code, number.region) != (year_code, region):
                rule = (
                    f"已有的编号属于年份代码 {number.year_code}、地区 {number.region}，而本次编号为年份"
                    f"代码 {year_code}、地区 {region}：一份名册的证书同属一个批次，请核对 --year-code 和"
                    " --region，或改正这一行"
                )
                numbering.problems.append(
                    Problem(record.row, NUMBER_COLUMN, written, rule, "附件3")
                )
                continue
            if any(letter == number.letter for _, letter in waiting):
                numbering.problems.append(_numbered_after_unnumbered(record.row, number))
            last_written[number.letter] = (record.row, number)
            holders.numbered(record, number.letter)
            continue
        refused = _not_a_holder(record, unread.get(record.row, []), region)
        letter, refused = (None, refused) if refused else _letter(record, kind, authority, region)
        if letter and not refused:
            refused = holders.refusal(record, letter)
        if refused:
            numbering.problems.append(refused)
        elif letter:
            waiting.append((record.row, letter))
    if kind == TECHNICIAN_ROSTER:  # numbers follow the roster's order: it must be final first

        def trade(record: Record) -> str | None:
            written = text(record.values.get("报考工种"))
            return catalogue.resolve(written) or "".join(written.split()) or None

        numbering.problems += trade_groups((r.row, trade(r)) for r in records)
    _assign(conn, numbering, waiting, last_written, year_code, region)
    return numbering


def _numbered_after_unnumbered(row: int, number: CertificateNumber) -> Problem:
    rule = (
        f"这一行已有编号 {number}，但它前面还有未编号的{LEVELS[number.letter]}：证书须按名册顺序"
        "逐号编排。请清除本文件中该等级已有的编号后重新编号，或把已编号的行排在前面"
    )
    return Problem(row, NUMBER_COLUMN, str(number), rule, "附件3 四、§四.(五)3")


def _assign(
    conn: sqlite3.Connection,
    numbering: Numbering,
    waiting: list[tuple[int, str]],
    last_written: dict[str, tuple[int, CertificateNumber]],
    year_code: str,
    region: str,
) -> None:
    """Number the waiting rows in roster order, per level: after the level's last number in the
    file when it has some (the sequence goes on without a gap), else after the highest used in
    the registry and earlier runs — also when the numbers between are the issued certificates a
    new version of the file leaves out. Numbers already used are never handed out again."""
    following: dict[str, int] = {}  # by level letter: year code and region are the run's
    for row, letter in waiting:
        if letter not in following:
            registered = highest_sequence(conn, letter, year_code, region)
            in_file = last_written.get(letter)
            following[letter] = registered + 1
            if in_file is not None and registered > in_file[1].sequence:
                if not left_out(conn, in_file[1], registered):
                    numbering.problems.append(_taken(conn, in_file, registered))
            elif in_file is not None:
                following[letter] = in_file[1].sequence + 1
        sequence = following[letter]
        following[letter] += 1
        if sequence <= MAX_SEQUENCE:
            numbering.assigned[row] = CertificateNumber(letter, year_code, region, sequence)
    for letter, after in following.items():
        if after - 1 > MAX_SEQUENCE:
            numbering.problems.append(
                Problem(
                    None,
                    NUMBER_COLUMN,
                    CertificateNumber(letter, year_code, region, 0).prefix,
                    f"{LEVELS[letter]}的顺序号将超过 {MAX_SEQUENCE}（需要编到 {after - 1}），"
                    "本年份代码下已无可用编号",
                    "附件3",
                )
            )


def left_out(conn: sqlite3.Connection, last: CertificateNumber, registered: int) -> bool:
    """Whether every number after the file's ``last`` up to the registry's highest is a
    certificate of the register ``last`` was loaded from: this file is a new version of it that
    leaves them out — issued, they are kept (a conflict the sync reports), and the rows it adds
    follow them, as the sync expects (`registry.kinds.rosters`)."""
    return same_register_through(conn, last, last._replace(sequence=registered))


def _taken(
    conn: sqlite3.Connection, in_file: tuple[int, CertificateNumber], registered: int
) -> Problem:
    row, number = in_file
    rule = (
        f"本文件{LEVELS[number.letter]}编到 {number}，接下去的编号已被登记库使用（已编到第 "
        f"{registered} 号），无法连续编号。"
    )
    if register_of(conn, number) is None:
        rule += "请清除本文件中该等级已有的编号后重新编号"
    else:  # its numbers are issued certificates: cleared, they would go to others
        rule += "本文件已导入登记库，已发的证书编号不能改动；新增的行请另列一份名册编号导入"
    return Problem(row, NUMBER_COLUMN, str(number), rule, "附件3 四")


def write_copy(numbering: Numbering, out: Path) -> AbstractContextManager[CopyNotes]:
    """Write ``out`` (`numbered_copy`: named when the ``with`` block ends): the original file
    with the new numbers filled in, same format and layout (by a limited child process: the
    file is the clerk's, untrusted)."""
    table = numbering.table
    values = {row: str(number) for row, number in numbering.assigned.items()}
    return numbered_copy(table.path, out, table.columns[NUMBER_COLUMN], values)


def record_run(
    conn: sqlite3.Connection,
    numbering: Numbering,
    out: Path,
    kind: str,
    authority: str,
    operator: str,
    abandoned: Sequence[UnloadedRun] = (),
) -> None:
    """Keep the run in ``numbering`` (one row per level): who, when, which file, which numbers;
    and the earlier runs it ``abandoned`` (``--again``), which no longer hold the file back.
    Called inside the run's transaction, which `plan` read the numbers in use under."""
    at = now()
    runs = [
        NumberingRun(
            at,
            operator,
            str(numbering.table.path.resolve()),
            str(out),
            kind,
            authority,
            first.letter,
            first.year_code,
            first.region,
            first.sequence,
            last.sequence,
            count,
        )
        for first, last, count in numbering.ranges().values()
    ]
    record_numbering(conn, runs)
    abandon_runs(conn, abandoned, at)
    names = {record.row: text(record.values.get("姓名")) for record in numbering.table.records}
    holders = [(str(n), name_key(names[row])) for row, n in numbering.assigned.items()]
    record_numbered_holders(conn, holders, numbering.table.path.name, out.name)
