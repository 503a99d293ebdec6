"""``certreg number``: give the rows of an approved roster that lack a 颁发证书编号 the next free
numbers, in roster order, per level (§四.(四), §四.(五)3), and write a numbered copy.

The next number continues after the highest sequence already used for that letter/year/region in
the registry, in earlier numbering runs (recorded, so two runs before a sync never hand out the
same number twice) and in the file itself.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from registry.encoding import decode
from registry.exam import exam_problem
from registry.layouts import EXAM_COLUMNS, LAYOUTS
from registry.names import normalise_name
from registry.numbers import LETTER_OF_LEVEL, LEVELS, MalformedNumber, format_number, parse
from registry.problems import Problem
from registry.readers import Table, read_table
from registry.regions import issuing_problem
from registry.store import now

NUMBER_COLUMN = "颁发证书编号"


@dataclass
class Numbering:
    """The plan for one file: which row gets which number, or why rows cannot get one."""

    table: Table
    assigned: dict[int, str] = field(default_factory=dict)
    """spreadsheet row → new number"""
    problems: list[Problem] = field(default_factory=list)

    def ranges(self) -> dict[str, tuple[str, str, int]]:
        """Per number prefix (letter+year+region): first and last number and how many."""
        spans: dict[str, tuple[str, str, int]] = {}
        for number in self.assigned.values():
            first, last, count = spans.get(number[:7], (number, number, 0))
            spans[number[:7]] = (min(first, number), max(last, number), count + 1)
        return spans


def _highest(conn: sqlite3.Connection, prefix: str) -> int:
    letter, year_code, region = prefix[0], prefix[1:3], prefix[3:7]
    row = conn.execute(
        "SELECT max(s) FROM (SELECT max(sequence) AS s FROM certificates WHERE number >= ? AND"
        " number < ? UNION ALL SELECT max(last_sequence) FROM numbering WHERE letter = ? AND"
        " year_code = ? AND region = ?)",
        (prefix, prefix + "~", letter, year_code, region),
    ).fetchone()
    return int(row[0] or 0)


def plan(
    conn: sqlite3.Connection, path: Path, kind: str, authority: str, region: str, year_code: str
) -> Numbering:
    """Work out the numbers for ``path`` without writing anything."""
    table = read_table(path, LAYOUTS[kind])
    numbering = Numbering(table)
    if not table.records:
        numbering.problems.append(Problem(None, None, None, "名册没有任何数据行"))
        return numbering
    in_file: dict[str, int] = {}
    waiting: list[tuple[int, str]] = []
    for record in table.records:
        raw = str(record.values.get(NUMBER_COLUMN) or "").strip()
        if raw:
            try:
                number = parse(raw)
            except MalformedNumber:
                continue  # the sync reports it; numbering only needs the numbers already used
            key = str(number)[:7]
            in_file[key] = max(in_file.get(key, 0), number.sequence)
            continue
        level = normalise_name(str(record.values.get("报考等级") or ""))
        letter = "J" if kind == "technician-roster" else LETTER_OF_LEVEL.get(level, "")
        if not letter:
            numbering.problems.append(
                Problem(record.row, "报考等级", level, "报考等级应为 初级、中级、高级 或 技师")
            )
            continue
        if kind != "technician-roster":
            failed = [c for c in EXAM_COLUMNS if exam_problem(record.values.get(c) or "")]
            if failed:
                numbering.problems.append(
                    Problem(
                        record.row,
                        failed[0],
                        str(record.values.get(failed[0]) or ""),
                        "考试考核结果不合格或为空的人员不能编号发证",
                        "§二、§四.(六)1",
                    )
                )
                continue
        reason = issuing_problem(authority, region, letter)
        if reason:
            numbering.problems.append(
                Problem(record.row, "报考等级", LEVELS[letter], reason, "§三")
            )
            continue
        waiting.append((record.row, letter))

    next_sequence: dict[str, int] = {}
    for row, letter in waiting:
        prefix = f"{letter}{year_code}{region}"
        if prefix not in next_sequence:
            next_sequence[prefix] = max(_highest(conn, prefix), in_file.get(prefix, 0)) + 1
        sequence = next_sequence[prefix]
        next_sequence[prefix] += 1
        if sequence > 9999:
            continue
        numbering.assigned[row] = format_number(letter, year_code, region, sequence)
    for prefix, following in next_sequence.items():
        if following - 1 > 9999:
            numbering.problems.append(
                Problem(
                    None,
                    NUMBER_COLUMN,
                    prefix,
                    f"{LEVELS[prefix[0]]}的顺序号将超过 9999（需要编到 {following - 1}），"
                    "本年份代码下已无可用编号",
                    "附件3",
                )
            )
    return numbering


def write_copy(numbering: Numbering, out: Path) -> None:
    """Write ``out``: the original file with the new numbers filled in, same format and layout."""
    table = numbering.table
    column = table.columns[NUMBER_COLUMN]
    if table.path.suffix.lower() == ".csv":
        text, encoding = decode(table.path.read_bytes())
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = []
        for cells in reader:
            number = numbering.assigned.get(reader.line_num)
            if number:
                cells += [""] * (column + 1 - len(cells))
                cells[column] = number
            rows.append(cells)
        with out.open("w", encoding=encoding, newline="") as handle:
            csv.writer(handle).writerows(rows)
        return
    import openpyxl  # only numbering writes workbooks; keep it off every other command's start-up

    workbook = openpyxl.load_workbook(table.path)
    sheet = workbook.worksheets[0]
    for row, number in numbering.assigned.items():
        sheet.cell(row=row, column=column + 1).value = number
    workbook.save(out)


def record_run(
    conn: sqlite3.Connection,
    numbering: Numbering,
    out: Path,
    kind: str,
    authority: str,
    operator: str,
) -> None:
    """Keep the run in ``numbering`` (one row per level): who, when, which file, which numbers."""
    at = now()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO numbering (at, operator, file, out, kind, authority, letter, year_code,"
        " region, first_sequence, last_sequence, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                at,
                operator,
                str(numbering.table.path),
                str(out),
                kind,
                authority,
                prefix[0],
                prefix[1:3],
                prefix[3:7],
                int(first[7:]),
                int(last[7:]),
                count,
            )
            for prefix, (first, last, count) in numbering.ranges().items()
        ],
    )
    conn.execute("COMMIT")
