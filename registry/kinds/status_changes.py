"""换发 / 补发 / 撤销 registers (SPEC §4 ``status-changes``, §6; notice §四.(六), §五.(三)(四)).

Events are checked in date order against the registry *and* against the events before them in
the same file, so a chain (A 换发 → B, then B 补发) can arrive in one register. The checked events
go to `registry.store.certificates.apply_events`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace

from registry.domain.dates import BadDate, parse_date
from registry.domain.names import check_name, name_key, normalise_name
from registry.domain.numbers import MalformedNumber, parse
from registry.domain.problems import Problem
from registry.domain.regions import covers
from registry.domain.registers import STATUS_CHANGES
from registry.domain.statuses import (
    EVENT_TYPES,
    EXCHANGE,
    REISSUE,
    REVOKE,
    REVOKED,
    SUPERSEDED,
    VALID,
    StatusEvent,
    status_after,
)
from registry.kinds.base import Kind, LoadContext, RegisterEntry, keep_table
from registry.sheets.cells import Cell, text
from registry.sheets.layout import Column, Layout
from registry.sheets.table import Record, Table
from registry.store.certificates import apply_events
from registry.store.writes import Applied

REISSUE_DOCUMENTS = {
    "个人申请": "personal_application",
    "单位证明": "unit_certificate",
    "原公布文件": "original_document",
}
"""The documents a 补发 needs (§四.(六)3) → `StatusEvent` field."""

LAYOUT = Layout(
    STATUS_CHANGES,
    "证书换发、补发、撤销登记",
    (
        Column("序号", required=False),
        Column("类型"),
        Column("证书编号"),
        Column("姓名"),
        Column("日期"),
        Column("新证书编号", required=False),
        Column("原因"),
        Column("批准文号"),
        Column("个人申请", required=False),
        Column("单位证明", required=False),
        Column("原公布文件", required=False, aliases=("原公布合格人员名单文件",)),
    ),
)


@dataclass
class _Certificate:
    """The part of a certificate's state the rules look at, as it evolves through the file."""

    name_key: str
    letter: str
    region: str
    authority: str
    issued_on: str
    status: str
    successor: str | None
    last_event: str | None


@dataclass
class StatusChanges:
    """A checked register: its new events in date order, and the events an earlier version of
    the register carried that this one lacks (reported, never undone)."""

    events: list[StatusEvent]
    vanished: list[tuple[str, str, str, str]]


class _Row:
    """One row's field-level checks; `event` is None when a problem was found."""

    def __init__(self, record: Record, problems: list[Problem], today: dt.date) -> None:
        self.record, self.problems, self.today = record, problems, today
        self.values = record.values

    def fail(self, column: str, value: Cell, rule: str, clause: str | None = None) -> None:
        self.problems.append(Problem(self.record.row, column, text(value), rule, clause))

    def number(self, column: str) -> str | None:
        written = text(self.values.get(column))
        if not written and column == "新证书编号":
            return None
        try:
            return str(parse(written))
        except MalformedNumber as exc:
            self.fail(column, written, f"{exc}（附件3）", "附件3")
            return None

    def date(self) -> dt.date | None:
        try:
            return parse_date(self.values.get("日期") or "", not_after=self.today)
        except BadDate as exc:
            self.fail("日期", self.values.get("日期"), str(exc), "§四.(六)")
            return None

    def kind_rules(self, kind: str, new_written: str) -> None:
        if kind not in EVENT_TYPES:
            self.fail("类型", self.values.get("类型"), "类型应为 换发、补发 或 撤销", "§四.(六)")
        if kind == EXCHANGE and not new_written:
            rule = "换发须持旧证换发新证，请填写新证书编号"
            self.fail("新证书编号", new_written, rule, "§四.(六)2")
        if kind == REVOKE and new_written:
            self.fail("新证书编号", new_written, "撤销不产生新证书，新证书编号应为空", "§五.(三)")
        for column in ("原因", "批准文号"):
            if not text(self.values.get(column)):
                self.fail(column, None, f"{column}为必填项", "§四.(六)")
        if kind == REISSUE:
            for column in REISSUE_DOCUMENTS:
                if not text(self.values.get(column)):
                    rule = f"补发须提交{column}，请填写其文号或编号"
                    self.fail(column, None, rule, "§四.(六)3")

    def event(self) -> StatusEvent | None:
        start = len(self.problems)
        values = self.values
        kind = normalise_name(text(values.get("类型")))
        number = self.number("证书编号")
        name = normalise_name(text(values.get("姓名")))
        name_problem = check_name(name)
        if name_problem:
            self.fail("姓名", values.get("姓名"), *name_problem)
        date = self.date()
        new_number = self.number("新证书编号")
        self.kind_rules(kind, text(values.get("新证书编号")))
        if len(self.problems) > start or number is None or date is None:
            return None
        documents = {
            field: text(values.get(column)) or None for column, field in REISSUE_DOCUMENTS.items()
        }
        return StatusEvent(
            self.record.row,
            kind,
            number,
            name,
            date,
            new_number,
            text(values.get("原因")),
            text(values.get("批准文号")),
            **documents,
        )


def _load(conn: sqlite3.Connection, number: str) -> _Certificate | None:
    row = conn.execute(
        "SELECT name_key, letter, region, authority, issued_on, status, successor,"
        " (SELECT max(date) FROM status_events WHERE number = :n OR new_number = :n)"
        " FROM certificates WHERE number = :n",
        {"n": number},
    ).fetchone()
    return _Certificate(*row) if row else None


def _event_problems(
    event: StatusEvent,
    current: _Certificate,
    entry: RegisterEntry,
    certificate: Callable[[str], _Certificate | None],
) -> list[tuple[str, str | None, str, str | None]]:
    """(column, value, rule, clause) for each rule of SPEC §6 the event breaks."""
    date = event.date.isoformat()
    found: list[tuple[str, str | None, str, str | None]] = []
    if current.name_key != name_key(event.name):
        found.append(("姓名", event.name, "姓名与登记库中该证书的持证人不符", "§四.(六)"))
    if not covers(entry.authority, current.authority):
        rule = f"该证书不是本机关（{entry.authority}）核发的，无权登记其变更"
        found.append(("证书编号", event.number, rule, "§三"))
    if date < current.issued_on:
        found.append(("日期", date, f"早于该证书的发证日期 {current.issued_on}", "§四.(六)"))
    if current.last_event and date < current.last_event:
        rule = f"早于该证书上一次变更的日期 {current.last_event}；变更须按日期顺序登记"
        found.append(("日期", date, rule, "§四.(六)"))
    if current.status == REVOKED:
        rule = "该证书已撤销，不能再换发、补发或撤销"
        found.append(("证书编号", event.number, rule, "§五.(三)"))
    elif current.status == SUPERSEDED:
        rule = f"该证书已换发/补发为 {current.successor}，请对新证书登记"
        found.append(("证书编号", event.number, rule, "§四.(六)"))
    if event.new_number:
        new = parse(event.new_number)
        if new.letter != current.letter or new.region != current.region:
            rule = "新证书编号的等级代码和地区代码须与原证书相同"
            found.append(("新证书编号", event.new_number, rule, "附件3"))
        if certificate(event.new_number) is not None:
            rule = "该编号已被使用，新证书编号必须是未用过的编号"
            found.append(("新证书编号", event.new_number, rule, "附件3"))
    return found


def check_status_changes(
    table: Table, entry: RegisterEntry, context: LoadContext
) -> tuple[list[Problem], StatusChanges]:
    """Every rule of SPEC §6 for the events of ``table`` not yet applied from this register."""
    problems: list[Problem] = []
    parsed = [e for r in table.records if (e := _Row(r, problems, context.today).event())]
    applied = {
        (t, n, d, nn or "")
        for t, n, d, nn in context.conn.execute(
            "SELECT type, number, date, new_number FROM status_events WHERE register = ?",
            (entry.key,),
        )
    }
    events = sorted((e for e in parsed if e.identity not in applied), key=lambda e: (e.date, e.row))
    state: dict[str, _Certificate | None] = {}

    def certificate(number: str) -> _Certificate | None:
        if number not in state:
            state[number] = _load(context.conn, number)
        return state[number]

    for event in events:
        current = certificate(event.number)
        if current is None:
            rule = "登记库中没有该证书编号；请先导入其名册，或核对编号"
            problems.append(Problem(event.row, "证书编号", event.number, rule, "§四.(六)"))
            continue
        found = _event_problems(event, current, entry, certificate)
        problems.extend(Problem(event.row, *f) for f in found)
        if found:
            continue
        date = event.date.isoformat()
        current.status, current.last_event = status_after(event.type, event.new_number), date
        if event.new_number:
            current.successor = event.new_number
            state[event.new_number] = replace(
                current, issued_on=date, status=VALID, successor=None, last_event=date
            )
    present = {e.identity for e in parsed}
    return problems, StatusChanges(events, sorted(applied - present))


def apply_status_changes(
    conn: sqlite3.Connection, entry: RegisterEntry, changes: StatusChanges, sync_id: int, at: str
) -> Applied:
    """Store the events and apply them, in date order; report the ones a new version lacks."""
    applied = apply_events(conn, entry.key, changes.events, sync_id, at)
    applied.conflicts = [
        Problem(
            None,
            "证书编号",
            number,
            f"新版本中没有此前登记的{kind}（{date}）；已生效的变更不会撤回",
        )
        for kind, number, date, _ in changes.vanished
    ]
    return applied


KIND: Kind[Table, StatusChanges] = Kind(
    LAYOUT, check_status_changes, apply_status_changes, keep_table
)
