"""Validation of the rosters of 附件4 (审批名册) and 附件5 (审核名册): every rule of SPEC §5.

`validate_roster` is pure: it receives the rows read from the file, the manifest entry, the trade
catalogue and the numbers the registry already holds, and returns the certificates the register
would create together with **every** problem found — never only the first.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from registry.dates import BadDate, parse_year, parse_year_month, year_month_text
from registry.exam import exam_problem
from registry.layouts import EXAM_COLUMNS
from registry.loading import LoadContext, Outcome
from registry.manifest import RegisterEntry
from registry.names import name_key, normalise_name
from registry.numbers import LETTER_OF_LEVEL, LEVELS, MalformedNumber, parse
from registry.problems import Problem
from registry.readers import Cell, Record, Table
from registry.regions import issuing_problem
from registry.store import CERTIFICATE_COLUMNS, ROSTER_FIELDS
from registry.trades import TradeCatalogue

Certificate = dict[str, object]
"""A row of the ``certificates`` table."""

SEXES = frozenset({"男", "女"})

_INSERT_CERTIFICATE = (
    f"INSERT INTO certificates ({', '.join(f'[{c}]' for c in CERTIFICATE_COLUMNS)}) "
    f"VALUES ({', '.join(f':{c}' for c in CERTIFICATE_COLUMNS)})"
)


@dataclass(frozen=True, slots=True)
class Holding:
    """Who holds a number already in the registry."""

    register: str
    name: str


@dataclass
class RosterResult:
    certificates: list[Certificate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _text(value: Cell) -> str:
    return "" if value is None else str(value).strip()


@lru_cache(maxsize=4096)  # the five results of a roster take few distinct combinations
def _results_json(results: tuple[str, ...]) -> str:
    return json.dumps(dict(zip(EXAM_COLUMNS, results, strict=True)), ensure_ascii=False)


class _RowChecker:
    """Collects the problems of one row under the row's number."""

    def __init__(self, problems: list[Problem], row: int) -> None:
        self.problems = problems
        self.row = row
        self.ok = True

    def fail(self, column: str | None, value: Cell, rule: str, clause: str | None = None) -> None:
        self.ok = False
        shown = value.isoformat() if isinstance(value, dt.date) else _text(value)
        self.problems.append(Problem(self.row, column, shown, rule, clause))

    def year_month(self, record: Record, column: str, today: dt.date) -> str | None:
        value = record.values.get(column)
        if value is None:
            self.fail(column, value, "必填项为空")
            return None
        try:
            year, month = parse_year_month(value)
        except BadDate as exc:
            self.fail(column, value, str(exc), "SPEC §5")
            return None
        if (year, month) > (today.year, today.month):
            self.fail(column, value, "日期在将来，请核对", "SPEC §5")
            return None
        return year_month_text(year, month)


def validate_roster(
    table: Table,
    entry: RegisterEntry,
    catalogue: TradeCatalogue,
    holdings: Callable[[str], Mapping[str, Holding]],
    today: dt.date | None = None,
) -> RosterResult:
    """Check a roster against SPEC §5 and build its certificates.

    ``holdings(prefix)`` returns the numbers already registered that start with ``prefix``
    (level letter + year code + region), so that uniqueness is checked against the registry
    without loading all of it.
    """
    today = today or dt.date.today()
    result = RosterResult()
    problems = result.problems
    technician = entry.kind == "technician-roster"
    birth_column = "出生日期" if technician else "出生年月"
    assert entry.issued_on is not None and entry.year_code is not None
    issued_on = entry.issued_on.isoformat()
    seen: dict[str, int] = {}
    held: dict[str, Mapping[str, Holding]] = {}
    per_level: Counter[str] = Counter()

    if not table.records:
        problems.append(Problem(None, None, None, "名册没有任何数据行，不能导入", "SPEC §4"))
        return result

    for record in table.records:
        check = _RowChecker(problems, record.row)
        values = record.values

        raw_name = _text(values.get("姓名"))
        name = normalise_name(raw_name)
        if not name:
            check.fail("姓名", raw_name, "姓名为空")

        sex = normalise_name(_text(values.get("性别")))
        if sex not in SEXES:
            check.fail("性别", values.get("性别"), "性别应为“男”或“女”", "SPEC §5")

        birth = check.year_month(record, birth_column, today)
        work_start = None
        if not technician:
            work_start = check.year_month(record, "参加工作时间", today)
            if birth and work_start and work_start <= birth:
                check.fail(
                    "参加工作时间",
                    values.get("参加工作时间"),
                    f"参加工作时间早于出生年月 {birth}",
                    "SPEC §5",
                )

        exam_year = None
        try:
            exam_year = parse_year(values.get("报考年度") or "")
            if exam_year > entry.issued_on.year:
                check.fail("报考年度", values.get("报考年度"), f"报考年度晚于发证日期 {issued_on}")
        except BadDate as exc:
            check.fail("报考年度", values.get("报考年度"), str(exc), "§四.(三)")

        written_trade = _text(values.get("报考工种"))
        trade = catalogue.resolve(written_trade) if written_trade else None
        if trade is None:
            nearest = catalogue.suggestions(written_trade) if written_trade else []
            hint = f"；最接近的规范名称：{'、'.join(nearest)}" if nearest else ""
            check.fail(
                "报考工种",
                written_trade,
                f"不是《机关事业单位工勤人员岗位等级规范（试行）》规定的工种名称{hint}",
                "§四.(三)",
            )

        if technician:
            expected_letter: str | None = "J"
        else:
            level_text = normalise_name(_text(values.get("报考等级")))
            expected_letter = LETTER_OF_LEVEL.get(level_text)
            if expected_letter is None:
                check.fail("报考等级", level_text, "报考等级应为 初级、中级、高级 或 技师")
            results = {column: values.get(column) for column in EXAM_COLUMNS}
            for column, value in results.items():
                reason = exam_problem(value if value is not None else "")
                if reason:
                    check.fail(column, value, reason, "§二、§四.(六)1")

        raw_number = _text(values.get("颁发证书编号"))
        number = None
        if not raw_number:
            check.fail(
                "颁发证书编号",
                raw_number,
                "没有证书编号。请先用 certreg number 按名册顺序编号，再导入编号后的副本",
                "§四.(四)",
            )
        else:
            try:
                parsed = parse(raw_number)
            except MalformedNumber as exc:
                check.fail("颁发证书编号", raw_number, f"{exc}（附件3）", "附件3")
            else:
                number = str(parsed)
                if expected_letter and parsed.letter != expected_letter:
                    check.fail(
                        "颁发证书编号",
                        raw_number,
                        f"首位“{parsed.letter}”（{parsed.level}）与报考等级"
                        f"“{LEVELS[expected_letter]}”不符",
                        "附件3",
                    )
                if parsed.year_code != entry.year_code:
                    check.fail(
                        "颁发证书编号",
                        raw_number,
                        f"年份代码“{parsed.year_code}”与本批次核发年份代码“{entry.year_code}”不符",
                        "附件3",
                    )
                if parsed.region != entry.region:
                    check.fail(
                        "颁发证书编号",
                        raw_number,
                        f"地区代码“{parsed.region}”与本名册的编号地区 {entry.region} 不符",
                        "§四.(四)",
                    )
                reason = issuing_problem(entry.authority, parsed.region, parsed.letter)
                if reason:
                    check.fail("颁发证书编号", raw_number, reason, "§三")
                if number in seen:
                    check.fail(
                        "颁发证书编号", raw_number, f"与本文件第{seen[number]}行的编号重复", "附件3"
                    )
                else:
                    seen[number] = record.row
                prefix = number[:7]
                if prefix not in held:
                    held[prefix] = holdings(prefix)
                holder = held[prefix].get(number)
                if holder and holder.register != entry.key:
                    check.fail(
                        "颁发证书编号",
                        raw_number,
                        f"该编号已由名册“{holder.register}”登记给另一持证人，编号不能重复使用",
                        "附件3",
                    )

        if expected_letter:
            per_level[expected_letter] += 1
        if not check.ok or number is None or expected_letter is None:
            continue
        result.certificates.append(
            {
                "number": number,
                "letter": expected_letter,
                "level": LEVELS[expected_letter],
                "year_code": number[1:3],
                "region": number[3:7],
                "sequence": int(number[7:]),
                "name": name,
                "name_key": name_key(name),
                "sex": sex,
                "birth": birth,
                "work_start": work_start,
                "unit": _text(values.get("工作单位")) or entry.unit,
                "education": _text(values.get("文化程度")) or None,
                "prior_certificate": _text(values.get("原岗位证书号（未获工种年限）")) or None,
                "wage_grade_since": _text(values.get("执行工资等级起始时间")) or None,
                "exam_year": exam_year,
                "trade": trade,
                "exam_results": None
                if technician
                else _results_json(tuple(_text(values.get(c)) for c in EXAM_COLUMNS)),
                "approval_doc": _text(values.get("批准文号")) or entry.approval_doc,
                "issued_on": issued_on,
                "authority": entry.authority,
                "register": entry.key,
                "source_row": record.row,
            }
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


def check_roster(
    table: Table, entry: RegisterEntry, context: LoadContext
) -> tuple[list[Problem], RosterResult]:
    """`validate_roster` against the registry open on ``context.conn``."""
    result = validate_roster(
        table, entry, context.catalogue, _holdings(context.conn), context.today
    )
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
    columns = ", ".join(f"[{c}]" for c in ROSTER_FIELDS)
    existing = {
        row[0]: dict(zip(ROSTER_FIELDS, row[1:], strict=True))
        for row in conn.execute(
            f"SELECT number, {columns} FROM certificates WHERE register = ?", (entry.key,)
        )
    }
    new_rows = []
    history: list[tuple[object, ...]] = []
    updates = []
    for certificate in payload.certificates:
        old = existing.pop(str(certificate["number"]), None)
        if old is None:
            new_rows.append(
                {
                    **certificate,
                    "status": "valid",
                    "status_date": None,
                    "successor": None,
                    "predecessor": None,
                    "created_sync": sync_id,
                    "updated_sync": sync_id,
                }
            )
            continue
        changed = [f for f in ROSTER_FIELDS if old[f] != certificate[f]]
        if changed:
            history.extend(
                (certificate["number"], sync_id, at, f, old[f], certificate[f]) for f in changed
            )
            updates.append({**certificate, "updated_sync": sync_id})
    conn.executemany(_INSERT_CERTIFICATE, new_rows)
    if updates:
        assignments = ", ".join(f"[{c}] = :{c}" for c in (*ROSTER_FIELDS, "updated_sync"))
        conn.executemany(f"UPDATE certificates SET {assignments} WHERE number = :number", updates)
        conn.executemany(
            "INSERT INTO certificate_history (number, sync, at, field, old, new)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            history,
        )
    outcome.added, outcome.changed = len(new_rows), len(updates)
    outcome.conflicts = [
        Problem(
            None,
            "颁发证书编号",
            number,
            f"新版本名册中没有此证书（原第{old['source_row']}行，{old['name']}）；"
            "证书不会被删除，如需作废请登记撤销",
            "SPEC §5",
        )
        for number, old in existing.items()
    ]
