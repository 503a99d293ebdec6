"""换发 / 补发 / 撤销 registers (SPEC §4 ``status-changes``, §6; notice §四.(六), §五.(三)(四)).

Events are checked in date order against the registry *and* against the events before them in
the same file, so a chain (A 换发 → B, then B 补发) can arrive in one register. The checked events
are stored in ``status_events`` and their effect lands on ``certificates``: the status, its date,
and for a new number a successor certificate carrying the holder's data.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field

from registry.dates import BadDate, parse_date
from registry.loading import LoadContext, Outcome
from registry.manifest import RegisterEntry
from registry.names import name_key, normalise_name
from registry.numbers import MalformedNumber, parse
from registry.problems import Problem
from registry.readers import Cell, Record, Table
from registry.regions import PROVINCE
from registry.store import CERTIFICATE_COLUMNS

TYPES = ("换发", "补发", "撤销")
REISSUE_DOCUMENTS = ("个人申请", "单位证明", "原公布文件")
NEW_STATUS = {"换发": "superseded", "补发": "reissued", "撤销": "revoked"}


@dataclass
class StatusEvent:
    row: int
    type: str
    number: str
    name: str
    date: dt.date
    new_number: str | None
    reason: str
    approval_doc: str
    documents: dict[str, str] = field(default_factory=dict)

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """What makes an event the same event in a later version of its register."""
        return (self.type, self.number, self.date.isoformat(), self.new_number or "")


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


def _text(value: Cell) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _parse_row(record: Record, problems: list[Problem], today: dt.date) -> StatusEvent | None:
    """Field-level checks of one row; None (with problems added) when it cannot be an event."""
    values = record.values
    count = len(problems)

    def fail(column: str, value: Cell, rule: str, clause: str | None = None) -> None:
        problems.append(Problem(record.row, column, _text(value), rule, clause))

    kind = normalise_name(_text(values.get("类型")))
    if kind not in TYPES:
        fail("类型", values.get("类型"), "类型应为 换发、补发 或 撤销")
    number = new_number = None
    try:
        number = str(parse(_text(values.get("证书编号"))))
    except MalformedNumber as exc:
        fail("证书编号", values.get("证书编号"), f"{exc}（附件3）")
    name = normalise_name(_text(values.get("姓名")))
    if not name:
        fail("姓名", values.get("姓名"), "姓名为空")
    date = None
    try:
        date = parse_date(values.get("日期") or "")
        if date > today:
            fail("日期", values.get("日期"), "日期在将来，请核对")
    except BadDate as exc:
        fail("日期", values.get("日期"), str(exc))
    raw_new = _text(values.get("新证书编号"))
    if raw_new:
        try:
            new_number = str(parse(raw_new))
        except MalformedNumber as exc:
            fail("新证书编号", raw_new, f"{exc}（附件3）")
    if kind == "换发" and not raw_new:
        fail("新证书编号", raw_new, "换发须持旧证换发新证，请填写新证书编号", "§四.(六)2")
    if kind == "撤销" and raw_new:
        fail("新证书编号", raw_new, "撤销不产生新证书，新证书编号应为空")
    for column in ("原因", "批准文号"):
        if not _text(values.get(column)):
            fail(column, None, f"{column}为必填项")
    documents = {column: _text(values.get(column)) for column in REISSUE_DOCUMENTS}
    if kind == "补发":
        for column, reference in documents.items():
            if not reference:
                fail(column, None, f"补发须提交{column}，请填写其文号或编号", "§四.(六)3")
    if len(problems) > count or number is None or date is None:
        return None
    return StatusEvent(
        record.row,
        kind,
        number,
        name,
        date,
        new_number,
        _text(values.get("原因")),
        _text(values.get("批准文号")),
        documents,
    )


def _load(conn: sqlite3.Connection, number: str) -> _Certificate | None:
    row = conn.execute(
        "SELECT name_key, letter, region, authority, issued_on, status, successor,"
        " (SELECT max(date) FROM status_events WHERE number = :n OR new_number = :n)"
        " FROM certificates WHERE number = :n",
        {"n": number},
    ).fetchone()
    return _Certificate(*row) if row else None


def check_status_changes(
    table: Table, entry: RegisterEntry, context: LoadContext
) -> tuple[list[Problem], StatusChanges]:
    """Every rule of SPEC §6 for the events of ``table`` not yet applied from this register."""
    problems: list[Problem] = []
    if not table.records:
        empty = Problem(None, None, None, "登记表没有任何数据行，不能导入", "SPEC §4")
        return [empty], StatusChanges([], [])
    parsed = [e for r in table.records if (e := _parse_row(r, problems, context.today))]
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
        count = len(problems)

        def fail(column: str, value: str | None, rule: str, clause: str | None = None) -> None:
            problems.append(Problem(event.row, column, value, rule, clause))  # noqa: B023

        date = event.date.isoformat()
        current = certificate(event.number)
        if current is None:
            fail("证书编号", event.number, "登记库中没有该证书编号；请先导入其名册，或核对编号")
            continue
        if current.name_key != name_key(event.name):
            fail("姓名", event.name, "姓名与登记库中该证书的持证人不符")
        if entry.authority != PROVINCE and current.authority != entry.authority:
            fail(
                "证书编号",
                event.number,
                f"该证书不是本机关（{entry.authority}）核发的，无权登记其变更",
            )
        if date < current.issued_on:
            fail("日期", date, f"早于该证书的发证日期 {current.issued_on}")
        if current.last_event and date < current.last_event:
            fail(
                "日期",
                date,
                f"早于该证书上一次变更的日期 {current.last_event}；变更须按日期顺序登记",
            )
        if current.status == "revoked":
            fail("证书编号", event.number, "该证书已撤销，不能再换发、补发或撤销", "SPEC §6")
        elif current.status == "superseded":
            fail(
                "证书编号", event.number, f"该证书已换发/补发为 {current.successor}，请对新证书登记"
            )
        if event.new_number:
            new = parse(event.new_number)
            if new.letter != current.letter or new.region != current.region:
                fail(
                    "新证书编号",
                    event.new_number,
                    "新证书编号的等级代码和地区代码须与原证书相同",
                    "附件3",
                )
            if certificate(event.new_number) is not None:
                fail(
                    "新证书编号",
                    event.new_number,
                    "该编号已被使用，新证书编号必须是未用过的编号",
                    "附件3",
                )
        if len(problems) > count:
            continue
        current.status, current.last_event = NEW_STATUS[event.type], date
        if event.new_number:
            current.status, current.successor = "superseded", event.new_number
            state[event.new_number] = _Certificate(
                current.name_key,
                current.letter,
                current.region,
                current.authority,
                date,
                "valid",
                None,
                date,
            )
    present = {e.identity for e in parsed}
    return problems, StatusChanges(events, sorted(applied - present))


_INSERT_EVENT = (
    "INSERT INTO status_events (sync, register, source_row, type, number, name, date, new_number,"
    " reason, approval_doc, personal_application, unit_certificate, original_document)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_COPY_COLUMNS = [c for c in CERTIFICATE_COLUMNS if c != "number"]


def apply_status_changes(
    conn: sqlite3.Connection, outcome: Outcome, changes: StatusChanges, sync_id: int, at: str
) -> None:
    """Store the events and apply them, in date order, to ``certificates`` (with history)."""
    entry = outcome.entry
    for event in changes.events:
        date = event.date.isoformat()
        docs = [event.documents.get(c) or None for c in REISSUE_DOCUMENTS]
        conn.execute(
            _INSERT_EVENT,
            (
                sync_id,
                entry.key,
                event.row,
                event.type,
                event.number,
                event.name,
                date,
                event.new_number,
                event.reason,
                event.approval_doc,
                *docs,
            ),
        )
        old = conn.execute(
            "SELECT status, status_date, successor FROM certificates WHERE number = ?",
            (event.number,),
        ).fetchone()
        status = "superseded" if event.new_number else NEW_STATUS[event.type]
        if event.new_number:
            new = parse(event.new_number)
            copied = ", ".join(f"[{c}]" for c in _COPY_COLUMNS)
            conn.execute(
                f"INSERT INTO certificates (number, {copied}) SELECT ?, {copied}"
                " FROM certificates WHERE number = ?",
                (event.new_number, event.number),
            )
            conn.execute(
                "UPDATE certificates SET year_code = ?, sequence = ?, issued_on = ?,"
                " approval_doc = ?, register = ?, source_row = ?, status = 'valid',"
                " status_date = NULL, successor = NULL, predecessor = ?, created_sync = ?,"
                " updated_sync = ? WHERE number = ?",
                (
                    new.year_code,
                    new.sequence,
                    date,
                    event.approval_doc,
                    entry.key,
                    event.row,
                    event.number,
                    sync_id,
                    sync_id,
                    event.new_number,
                ),
            )
        conn.execute(
            "UPDATE certificates SET status = ?, status_date = ?, successor = ?, updated_sync = ?"
            " WHERE number = ?",
            (status, date, event.new_number, sync_id, event.number),
        )
        conn.executemany(
            "INSERT INTO certificate_history (number, sync, at, field, old, new)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (event.number, sync_id, at, name, before, after)
                for name, before, after in zip(
                    ("status", "status_date", "successor"),
                    old,
                    (status, date, event.new_number),
                    strict=True,
                )
                if before != after
            ],
        )
    outcome.added = outcome.changed = len(changes.events)
    outcome.conflicts = [
        Problem(
            None,
            "证书编号",
            number,
            f"新版本中没有此前登记的{kind}（{date}）；已生效的变更不会撤回",
        )
        for kind, number, date, _ in changes.vanished
    ]
