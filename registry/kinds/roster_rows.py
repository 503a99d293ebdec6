"""The checks of a roster's rows that need nothing but the file, its manifest entry and the trade
catalogue (附件3, 附件4, 附件5, §二, §四.(三)(四), §四.(六)1): pure, so a sync runs them for the next
registers in other processes while it writes one (`registry.sync.pipeline`). Every problem is
found, never only the first, and the rows without problems become `CertificateRow`s.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from registry.domain.clock import beijing_today
from registry.domain.dates import years_after
from registry.domain.exam import EXAM_COLUMNS
from registry.domain.levels import LEVELS
from registry.domain.name_rules import check_name, gap_problem, two_names_problem
from registry.domain.names import normal_key, normalise_name
from registry.domain.numbers import CertificateNumber
from registry.domain.problems import NEW_DATES, NEW_NAME, NEW_UNIT, Problem
from registry.domain.regions import PROVINCE
from registry.domain.registers import TECHNICIAN_ROSTER
from registry.domain.trades import TradeCatalogue
from registry.kinds.base import RegisterEntry
from registry.kinds.cells import digits_lost
from registry.kinds.closing_total import closing_total
from registry.kinds.not_records import heading_row, total_row
from registry.kinds.roster_cells import (
    DITTO_RULE,
    MIN_AGE_AT_WORK,
    ROSTER_FORMS,
    SINCE_COLUMN,
    CellChecks,
    ColumnCheck,
    exam_too_early,
    is_ditto,
)
from registry.kinds.roster_numbers import RowNumbers
from registry.kinds.roster_order import order_problems
from registry.kinds.roster_remarks import another_level, withheld_row
from registry.kinds.roster_removal import advise_failing_rows
from registry.kinds.roster_result import RosterResult
from registry.kinds.roster_rules import document_problems, duplicate_holders
from registry.kinds.roster_totals import footer_problems, total_problems
from registry.kinds.swapped_columns import roster_looks, roster_pairs, swapped
from registry.sheets.cells import Cell, text
from registry.sheets.table import Record, Table
from registry.store.rows import CertificateRow

OPTIONAL_COLUMNS = (
    "工作单位",
    "文化程度",
    "原岗位证书号（未获工种年限）",
    "批准文号",
    "备注",
)
"""The columns stored as written, without a rule of their own (their text, None when empty)."""


TECHNICIAN_FILLED = ("文化程度", "工作单位", "批准文号")
"""附件5's columns that every row fills, stored as written (§四.(五) 名册各栏须按要求填写)."""
MERGED_OR_EMPTY = (
    "必填项为空：名册各栏须按要求填写。如该列用了合并单元格（几行共用一格），"
    "请取消合并，在每一行填上"
)


def _optional(values: dict[str, Cell]) -> list[str | None]:
    """`OPTIONAL_COLUMNS` as stored, in one pass: five calls a row cost a certificate a tenth of
    its time. (The reader strips text cells, so only a number or a date needs `text`.)"""
    return [
        (value or None) if value is None or isinstance(value, str) else (text(value) or None)
        for value in map(values.get, OPTIONAL_COLUMNS)
    ]


def _name_problem(row: int, name: str, written: Cell) -> Problem | None:
    """The problem of a row's 姓名 (``name`` normalised), coded `NEW_NAME` when only the rules
    for names as first registered refuse it: a name registered before them is kept."""
    if isinstance(written, str) and (
        problem := gap_problem(written, name) or two_names_problem(written)
    ):
        return Problem(row, "姓名", written, problem, "§四.(三)", code=NEW_NAME)
    found = check_name(name)
    if found is None:
        return None
    new_only = check_name(name, new=False) is None
    return Problem(row, "姓名", text(written), *found, code=NEW_NAME if new_only else None)


class _RowChecker:
    """Checks a roster's rows one by one, collecting problems and certificates in a result."""

    def __init__(
        self, entry: RegisterEntry, catalogue: TradeCatalogue, today: dt.date, result: RosterResult
    ) -> None:
        assert entry.issued_on is not None
        self.entry = entry
        self.issued_on = entry.issued_on.isoformat()
        self.result = result
        self.technician = entry.kind == TECHNICIAN_ROSTER
        self.filled = TECHNICIAN_FILLED if self.technician else ()
        """the columns every row fills (附件5's)"""
        self.birth_column = "出生日期" if self.technician else "出生年月"
        columns = [self.birth_column, "性别", "报考年度", "报考工种"]
        if not self.technician:
            columns += ["参加工作时间", SINCE_COLUMN, "报考等级", *EXAM_COLUMNS]
        if entry.region != PROVINCE:  # 中央在川 units may bear the name of the city they are in
            columns.append("工作单位")
        cells = CellChecks(entry.issued_on, catalogue, today, entry.region)
        self.columns: list[ColumnCheck] = cells.plan(columns)
        self.since_months = cells.since_months
        self.numbers = RowNumbers(entry, result)
        self.letters: dict[int, str] = {}
        """row → its level letter, for the footer's counts and advice that depends on the level"""
        self.unlevelled = 0
        """rows whose level could not be read"""

    def cells(self, record: Record) -> dict[str, object]:
        """Each checked column's value as stored; a problem for each cell that breaks a rule."""
        problems, row, values = self.result.problems, record.row, record.values
        checked: dict[str, object] = {}
        for column, memo, check in self.columns:
            value = values.get(column)
            verdict = memo.get(value)
            if verdict is None:
                verdict = memo[value] = check(value)
            checked[column], problem = verdict
            if problem:
                code = NEW_UNIT if column == "工作单位" else None
                problems.append(Problem(row, column, text(value), *problem, code=code))
        return checked

    def _out_of_order(self, record: Record, checked: dict[str, object]) -> list[Problem]:
        """The row's dates out of their order: work started before the holder was
        `MIN_AGE_AT_WORK` (a birth year typed a decade off), or a wage grade set before work
        started (执行工资等级起始时间 — one of the two is mistyped)."""
        row, values = record.row, record.values
        birth, work_start = checked[self.birth_column], checked.get("参加工作时间")
        problems = []
        if birth and work_start and str(work_start) < years_after(str(birth), MIN_AGE_AT_WORK):
            rule = f"参加工作时间早于出生年月 {birth} 后 {MIN_AGE_AT_WORK} 年，请核对出生年月和参加工作时间"
            value = text(values.get("参加工作时间"))
            problems.append(Problem(row, "参加工作时间", value, rule, "§四.(三)", code=NEW_DATES))
        exam = checked.get("报考年度")
        if isinstance(exam, int) and (fault := exam_too_early(exam, birth, work_start)):
            value = text(values.get("报考年度"))
            problems.append(Problem(row, "报考年度", value, fault, ROSTER_FORMS, code=NEW_DATES))
        written = values.get(SINCE_COLUMN)
        since = self.since_months.get(written)
        if since is not None and work_start and since < str(work_start):
            rule = f"执行工资等级起始时间早于参加工作时间 {work_start}：参加工作以后才有工资等级，请核对这两列"
            problems.append(
                Problem(row, SINCE_COLUMN, text(written), rule, "附件4", code=NEW_DATES)
            )
        return problems

    def check(self, record: Record, unread: Iterable[tuple[str, Cell]] = ()) -> None:
        """The row's problems, and its certificate when it has none; ``unread``: its cells in
        columns the layout does not read (one may withhold the row)."""
        row, values = record.row, record.values
        problems = self.result.problems
        before = len(problems)
        if withheld := withheld_row(row, values, unread):
            problems.append(withheld)
        if self.technician and (other := another_level(row, unread)):
            problems.append(other)
        name = normalise_name(text(values.get("姓名")))
        if named := _name_problem(row, name, values.get("姓名")):
            problems.append(named)
            if named.code == NEW_NAME:  # the registry decides (`rosters`)
                before += 1
        for column in OPTIONAL_COLUMNS:  # stored as written: a ditto mark would be stored
            value = values.get(column)
            if (value is None and column in self.filled) or is_ditto(value):
                rule = MERGED_OR_EMPTY if value is None else DITTO_RULE
                problems.append(Problem(row, column, text(value), rule, "§四.(五)"))
            elif value is not None and (lost := digits_lost(value)):
                problems.append(Problem(row, column, text(value), lost, "§四.(三)"))
        checked = self.cells(record)
        out_of_order = self._out_of_order(record, checked)
        problems.extend(out_of_order)
        before += len(out_of_order)  # the registry decides, as for a name (`rosters`)
        letter = "J" if self.technician else checked["报考等级"]
        assert letter is None or isinstance(letter, str)
        number = self.numbers.read(record, letter, checked["报考工种"])
        if letter:
            self.letters[row] = letter
        else:
            self.unlevelled += 1
        if len(problems) == before and number is not None and letter is not None:
            self.result.certificates.append(self.certificate(record, number, letter, name, checked))

    def certificate(
        self,
        record: Record,
        number: tuple[CertificateNumber, str],
        letter: str,
        name: str,
        checked: dict[str, object],
    ) -> CertificateRow:
        """The row as a certificate. A row without problems has the register's year code and
        region (checked), so the register's own strings are used — and the name where it is its
        own key (most Chinese names): pickle sends a shared object once, not per row, to the
        writing process."""
        entry, (parsed, canonical) = self.entry, number
        key = normal_key(name)  # = name_key(name): the name is normalised already
        conduct, work_record, ethics, theory, practice = map(checked.get, EXAM_COLUMNS)
        unit, education, prior, approval_doc, remark = _optional(record.values)
        return CertificateRow(
            canonical,
            letter,
            LEVELS[letter],
            entry.year_code or "",
            entry.region,
            parsed.sequence,
            name,
            name if key == name else key,
            checked["性别"],
            checked[self.birth_column],
            checked.get("参加工作时间"),
            unit or entry.unit,
            education,
            prior,
            checked.get(SINCE_COLUMN),
            checked["报考年度"],
            checked["报考工种"],
            conduct,
            work_record,
            ethics,
            theory,
            practice,
            approval_doc or entry.approval_doc,
            self.issued_on,
            entry.authority,
            entry.key,
            record.row,
            remark,
        )


def check_rows(
    table: Table, entry: RegisterEntry, catalogue: TradeCatalogue, today: dt.date | None = None
) -> RosterResult:
    """Check a roster against every rule the file alone can break, and build its certificates."""
    result = RosterResult()
    checker = _RowChecker(entry, catalogue, today or beijing_today(), result)
    unread = table.unread_by_row()  # 审核意见: 暂缓发证, in a column not read
    form = "附件5" if checker.technician else "附件4"
    records, closing = closing_total(table.records, "姓名")  # its count: `total_problems`
    for record in records:
        if summed := total_row(record.values.get("姓名"), record.values.get("序号")):
            # a form of holders: a 合计 row between them is none, its sum could not be told
            result.problems.append(
                Problem(record.row, "姓名", text(record.values.get("姓名")), summed, form)
            )
            continue
        if heading := heading_row(record):
            result.problems.append(heading)
            continue
        checker.check(record, unread.get(record.row, ()))
    per_level = Counter(checker.letters.values())
    result.problems += footer_problems(table, per_level, checker.unlevelled)
    counted = sum(per_level.values()) + checker.unlevelled  # the rows checked as holders'
    result.problems += total_problems(table, closing, counted, form)
    numbered = {row for row, _, _ in result.numbers}
    result.problems = advise_failing_rows(result.problems, table, checker.letters, numbered)
    result.problems += duplicate_holders(result.certificates)
    result.problems += document_problems(entry, table.records)
    result.order_problems = order_problems(checker.numbers.numbered, checker.technician)
    looks = roster_looks(catalogue, checker.birth_column)
    pairs = roster_pairs(checker.birth_column)
    result.problems[:0] = swapped(result.problems, table.records, looks, pairs, form)
    return result
