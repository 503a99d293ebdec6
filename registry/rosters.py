"""Validation of the rosters of 附件4 (审批名册) and 附件5 (审核名册): every rule of SPEC §5.

Two steps, so that a sync can run the first for the next registers in other processes while it
writes this one (`registry.pipeline`): `check_rows` is pure — the rows read from the file, the
manifest entry and the trade catalogue in, the certificates the register would create and
**every** problem found out, never only the first; `check_holdings` then adds the problems only
the registry can show (a number already given to another register's holder).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter

from registry.dates import BadDate, parse_year, parse_year_month, year_month_text
from registry.exam import exam_problem
from registry.layouts import EXAM_COLUMNS
from registry.loading import LoadContext, Outcome
from registry.manifest import RegisterEntry
from registry.names import normalise_name
from registry.numbers import LETTER_OF_LEVEL, LEVELS, CertificateNumber, MalformedNumber, parse
from registry.problems import Problem
from registry.readers import Cell, Table
from registry.regions import issuing_problem
from registry.store import ROSTER_FIELDS
from registry.trades import TradeCatalogue

ROW_FIELDS = ("number", *ROSTER_FIELDS)
Certificate = tuple[object, ...]
"""A roster's row of the ``certificates`` table, values in `ROW_FIELDS` order."""

SEXES = frozenset({"男", "女"})

_NEW_CERTIFICATE = (*ROW_FIELDS, "created_sync", "updated_sync")
_INSERT_CERTIFICATE = (
    f"INSERT INTO certificates ({', '.join(f'[{c}]' for c in _NEW_CERTIFICATE)}) "
    f"VALUES ({', '.join('?' * len(_NEW_CERTIFICATE))})"
)
"""A new certificate is valid, with no status date, successor or predecessor: the columns'
defaults, left out, since binding a parameter costs as much as SQLite storing it."""


@dataclass(frozen=True, slots=True)
class Holding:
    """Who holds a number already in the registry."""

    register: str
    name: str


@dataclass
class RosterResult:
    certificates: list[Certificate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    numbers: list[tuple[int, str, str]] = field(default_factory=list)
    """(row, number as written, canonical number) of every well-formed number, for
    `check_holdings`."""


def _text(value: Cell) -> str:
    return "" if value is None else str(value).strip()


Verdict = tuple[object, tuple[str, str | None] | None]
"""A checked cell: its value as stored and, when it breaks a rule, (rule, clause)."""


def _shown(value: Cell) -> str:
    return value.isoformat() if isinstance(value, dt.date) else _text(value)


class _CellChecks:
    """The rules that look at one cell alone, memoised per column.

    A roster of 40,000 rows repeats a few hundred dates and a handful of sexes, levels, trades and
    grades; each distinct value is checked once and the verdict reused for every row.
    """

    def __init__(self, entry: RegisterEntry, catalogue: TradeCatalogue, today: dt.date) -> None:
        assert entry.issued_on is not None
        self.issued_on = entry.issued_on
        self.catalogue = catalogue
        self.today = today
        checks: dict[str, Callable[[Cell], Verdict]] = {
            "性别": self._sex,
            "出生年月": self._year_month,
            "出生日期": self._year_month,
            "参加工作时间": self._year_month,
            "报考年度": self._exam_year,
            "报考工种": self._trade,
            "报考等级": self._level,
            **{column: self._exam for column in EXAM_COLUMNS},
        }
        self._checks = checks
        self._memo: dict[str, dict[Cell, Verdict]] = {column: {} for column in checks}

    def plan(
        self, columns: Iterable[str]
    ) -> list[tuple[str, dict[Cell, Verdict], Callable[[Cell], Verdict]]]:
        """(column, memo, check) per column: the row loop looks a value up in the memo and calls
        the check only for a value it has not seen (inlined there: it runs 400,000 times for a
        40,000-row roster)."""
        return [(column, self._memo[column], self._checks[column]) for column in columns]

    @staticmethod
    def _sex(value: Cell) -> Verdict:
        sex = normalise_name(_text(value))
        return (sex, None) if sex in SEXES else (None, ("性别应为“男”或“女”", "SPEC §5"))

    def _year_month(self, value: Cell) -> Verdict:
        if value is None:
            return None, ("必填项为空", None)
        try:
            year, month = parse_year_month(value)
        except BadDate as exc:
            return None, (str(exc), "SPEC §5")
        if (year, month) > (self.today.year, self.today.month):
            return None, ("日期在将来，请核对", "SPEC §5")
        return year_month_text(year, month), None

    def _exam_year(self, value: Cell) -> Verdict:
        try:
            year = parse_year(value or "")
        except BadDate as exc:
            return None, (str(exc), "§四.(三)")
        if year > self.issued_on.year:
            return year, (f"报考年度晚于发证日期 {self.issued_on.isoformat()}", None)
        return year, None

    def _trade(self, value: Cell) -> Verdict:
        written = _text(value)
        trade = self.catalogue.resolve(written) if written else None
        if trade is not None:
            return trade, None
        nearest = self.catalogue.suggestions(written) if written else []
        hint = f"；最接近的规范名称：{'、'.join(nearest)}" if nearest else ""
        rule = f"不是《机关事业单位工勤人员岗位等级规范（试行）》规定的工种名称{hint}"
        return None, (rule, "§四.(三)")

    @staticmethod
    def _level(value: Cell) -> Verdict:
        letter = LETTER_OF_LEVEL.get(normalise_name(_text(value)))
        return letter, None if letter else ("报考等级应为 初级、中级、高级 或 技师", None)

    @staticmethod
    def _exam(value: Cell) -> Verdict:
        reason = exam_problem(value if value is not None else "")
        return _text(value) or None, (reason, "§二、§四.(六)1") if reason else None


def _number_problems(
    parsed: CertificateNumber, letter: str | None, entry: RegisterEntry
) -> list[tuple[str, str]]:
    """(rule, clause) for each way a well-formed number does not fit its row and register."""
    found = []
    if letter and parsed.letter != letter:
        found.append(
            (f"首位“{parsed.letter}”（{parsed.level}）与报考等级“{LEVELS[letter]}”不符", "附件3")
        )
    if parsed.year_code != entry.year_code:
        found.append(
            (f"年份代码“{parsed.year_code}”与本批次核发年份代码“{entry.year_code}”不符", "附件3")
        )
    if parsed.region != entry.region:
        found.append(
            (f"地区代码“{parsed.region}”与本名册的编号地区 {entry.region} 不符", "§四.(四)")
        )
    reason = issuing_problem(entry.authority, parsed.region, parsed.letter)
    if reason:
        found.append((reason, "§三"))
    return found


def check_rows(
    table: Table, entry: RegisterEntry, catalogue: TradeCatalogue, today: dt.date | None = None
) -> RosterResult:
    """Check a roster against every rule of SPEC §5 that the file alone can break, and build
    its certificates."""
    result = RosterResult()
    problems = result.problems
    if not table.records:
        problems.append(Problem(None, None, None, "名册没有任何数据行，不能导入", "SPEC §4"))
        return result
    assert entry.issued_on is not None
    issued_on = entry.issued_on.isoformat()
    cells = _CellChecks(entry, catalogue, today or dt.date.today())
    technician = entry.kind == "technician-roster"
    birth_column = "出生日期" if technician else "出生年月"
    checked_columns = [birth_column, "性别", "报考年度", "报考工种"]
    if not technician:
        checked_columns += ["参加工作时间", "报考等级", *EXAM_COLUMNS]
    column_checks = cells.plan(checked_columns)
    exam_results = itemgetter(*EXAM_COLUMNS) if not technician else lambda _: (None,) * 5
    seen: dict[str, int] = {}
    number_fits: dict[tuple[str, str | None, str, str], tuple[tuple[str, str], ...]] = {}
    per_level: Counter[str] = Counter()

    for record in table.records:
        row, values = record.row, record.values
        before = len(problems)
        name = normalise_name(_text(values.get("姓名")))
        if not name:
            problems.append(Problem(row, "姓名", _text(values.get("姓名")), "姓名为空"))
        checked: dict[str, object] = {}
        for column, memo, check in column_checks:
            value = values.get(column)
            verdict = memo.get(value)
            if verdict is None:
                verdict = memo[value] = check(value)
            checked[column] = verdict[0]
            if verdict[1]:
                problems.append(Problem(row, column, _shown(value), *verdict[1]))
        birth, work_start = checked[birth_column], checked.get("参加工作时间")
        if birth and work_start and str(work_start) <= str(birth):
            problems.append(
                Problem(
                    row,
                    "参加工作时间",
                    _shown(values.get("参加工作时间")),
                    f"参加工作时间早于出生年月 {birth}",
                    "SPEC §5",
                )
            )
        letter = "J" if technician else checked["报考等级"]
        assert letter is None or isinstance(letter, str)

        raw_number = _text(values.get("颁发证书编号"))
        number = None
        if not raw_number:
            problems.append(
                Problem(
                    row,
                    "颁发证书编号",
                    raw_number,
                    "没有证书编号。请先用 certreg number 按名册顺序编号，再导入编号后的副本",
                    "§四.(四)",
                )
            )
        else:
            try:
                parsed = parse(raw_number)
            except MalformedNumber as exc:
                problems.append(
                    Problem(row, "颁发证书编号", raw_number, f"{exc}（附件3）", "附件3")
                )
            else:
                number = str(parsed)
                fit_key = (parsed.letter, letter, parsed.year_code, parsed.region)
                fit = number_fits.get(fit_key)
                if fit is None:  # a register has a handful of letter/region combinations
                    fit = number_fits[fit_key] = tuple(_number_problems(parsed, letter, entry))
                found = [*fit]
                if number in seen:
                    found.append((f"与本文件第{seen[number]}行的编号重复", "附件3"))
                else:
                    seen[number] = row
                result.numbers.append((row, raw_number, number))
                if found:
                    problems.extend(Problem(row, "颁发证书编号", raw_number, *f) for f in found)

        if letter:
            per_level[letter] += 1
        if len(problems) > before or number is None or letter is None:
            continue
        key = name.casefold()  # = name_key(name): the name is normalised already
        # A row without problems has the register's year code and region (checked above). The
        # register's own strings, and the name where it is its own key (most Chinese names),
        # are shared objects: pickle sends them once, not per row, to the writing process.
        result.certificates.append(
            (
                number,
                letter,
                LEVELS[letter],
                entry.year_code,
                entry.region,
                int(number[7:]),
                name,
                name if key == name else key,
                checked["性别"],
                birth,
                work_start,
                _text(values.get("工作单位")) or entry.unit,
                _text(values.get("文化程度")) or None,
                _text(values.get("原岗位证书号（未获工种年限）")) or None,
                _text(values.get("执行工资等级起始时间")) or None,
                checked["报考年度"],
                checked["报考工种"],
                *exam_results(checked),
                _text(values.get("批准文号")) or entry.approval_doc,
                issued_on,
                entry.authority,
                entry.key,
                row,
            )
        )

    footer = table.footer_counts()
    if footer is not None:
        footer_row, counts = footer
        for letter, declared in counts.items():
            if declared != per_level[letter]:
                problems.append(
                    Problem(
                        footer_row,
                        "证书核发部门意见",
                        f"{LEVELS[letter]} {declared} 人",
                        f"页脚同意{LEVELS[letter].removesuffix('工')} {declared} 人，"
                        f"名册中实有 {per_level[letter]} 人，两者应相等",
                        "§四.(六)1",
                    )
                )
    return result


def _holdings(conn: sqlite3.Connection) -> Callable[[str], Mapping[str, Holding]]:
    def holdings(prefix: str) -> Mapping[str, Holding]:
        rows = conn.execute(
            "SELECT number, register, name FROM certificates WHERE number >= ? AND number < ?",
            (prefix, prefix + "~"),
        )
        return {number: Holding(register, name) for number, register, name in rows}

    return holdings


def check_holdings(
    result: RosterResult, entry: RegisterEntry, holdings: Callable[[str], Mapping[str, Holding]]
) -> None:
    """Add a problem for each number the registry already gives to another register's holder.

    ``holdings(prefix)`` returns the numbers registered that start with ``prefix`` (level
    letter + year code + region), so uniqueness is checked without loading the whole registry.
    """
    held: dict[str, Mapping[str, Holding]] = {}
    found = []
    for row, written, number in result.numbers:
        prefix = number[:7]
        if prefix not in held:
            held[prefix] = holdings(prefix)
        holder = held[prefix].get(number)
        if holder and holder.register != entry.key:
            rule = f"该编号已由名册“{holder.register}”登记给另一持证人，编号不能重复使用"
            found.append(Problem(row, "颁发证书编号", written, rule, "附件3"))
    if found:  # in row order, after the row's other problems, as a clerk reads the report
        merged = [*result.problems, *found]
        result.problems = sorted(merged, key=lambda p: p.row if p.row is not None else 0)


def check_roster(
    result: RosterResult, entry: RegisterEntry, context: LoadContext
) -> tuple[list[Problem], RosterResult]:
    """`check_holdings` against the registry open on ``context.conn``."""
    check_holdings(result, entry, _holdings(context.conn))
    return result.problems, result


def apply_roster(
    conn: sqlite3.Connection,
    outcome: Outcome,
    payload: RosterResult,
    sync_id: int,
    at: str,
) -> None:
    """Write a validated roster: insert new certificates, update changed ones with history."""
    entry = outcome.entry
    columns = ", ".join(f"[{c}]" for c in ROW_FIELDS)
    existing = {
        row[0]: row
        for row in conn.execute(
            f"SELECT {columns} FROM certificates WHERE register = ?", (entry.key,)
        )
    }
    new_rows = []
    history: list[tuple[object, ...]] = []
    updates = []
    for certificate in payload.certificates:
        number = certificate[0]
        old = existing.pop(number, None)
        if old is None:
            new_rows.append((*certificate, sync_id, sync_id))
        elif old != certificate:
            history.extend(
                (number, sync_id, at, field, before, after)
                for field, before, after in zip(ROW_FIELDS, old, certificate, strict=True)
                if before != after
            )
            updates.append((*certificate[1:], sync_id, number))
    conn.executemany(_INSERT_CERTIFICATE, new_rows)
    if updates:
        assignments = ", ".join(f"[{c}] = ?" for c in (*ROSTER_FIELDS, "updated_sync"))
        conn.executemany(f"UPDATE certificates SET {assignments} WHERE number = ?", updates)
        conn.executemany(
            "INSERT INTO certificate_history (number, sync, at, field, old, new)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            history,
        )
    outcome.added, outcome.changed = len(new_rows), len(updates)
    source_row, name = ROW_FIELDS.index("source_row"), ROW_FIELDS.index("name")
    outcome.conflicts = [
        Problem(
            None,
            "颁发证书编号",
            number,
            f"新版本名册中没有此证书（原第{old[source_row]}行，{old[name]}）；"
            "证书不会被删除，如需作废请登记撤销",
            "SPEC §5",
        )
        for number, old in existing.items()
    ]
