"""换发 / 补发 / 撤销 registers (notice §四.(六), §五.(三)(四); SPEC sections 4 and 6).

Events are checked in date order against the registry *and* against the events before them in
the same file, so a chain (A 换发 → B, then B 补发) can arrive in one register. The checked events
go to `registry.store.certificates.apply_events`.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from registry.domain.dates import years_after
from registry.domain.documents import document_key, year_problem
from registry.domain.names import name_key, same_holder
from registry.domain.numbers import parse, year_of_code
from registry.domain.problems import Problem
from registry.domain.regions import covers
from registry.domain.registers import STATUS_CHANGES
from registry.domain.statuses import (
    REISSUE,
    REVOKE,
    REVOKED,
    SUPERSEDED,
    StatusEvent,
    status_after,
)
from registry.kinds.base import Kind, LoadContext, RegisterEntry, keep_table
from registry.kinds.roster_cells import MIN_AGE_AT_ISSUE, MIN_AGE_AT_WORK
from registry.kinds.status_rows import COLUMNS, StatusRow
from registry.kinds.status_state import (
    CertificateState,
    Found,
    before_its_number,
    collected_after,
    corrected,
    held_already,
    load_state,
    numbering_problems,
)
from registry.kinds.status_versions import applied_events, compare_with_applied
from registry.sheets.layout import Layout
from registry.sheets.table import Table
from registry.store.certificates import Amendment, amend_events, apply_events
from registry.store.syncs import highest_sequence
from registry.store.writes import Applied

LAYOUT = Layout(STATUS_CHANGES, "证书换发、补发、撤销登记", COLUMNS)


@dataclass
class StatusChanges:
    """A checked register: its new events in date order, and the events an earlier version of
    the register carried that this one lacks (reported, never undone)."""

    events: list[StatusEvent]
    vanished: list[tuple[str, str, str, str]]
    amendments: list[Amendment] = field(default_factory=list)
    """applied events whose references (文号, 原因, 审核意见) a new version corrects"""


def _event_problems(
    event: StatusEvent,
    current: CertificateState,
    entry: RegisterEntry,
    certificate: Callable[[str], CertificateState | None],
    next_free: Callable[[str], str],
) -> list[Found]:
    """(column, value, rule, clause) for each rule of SPEC §6 the event breaks."""
    date = event.date.isoformat()
    found: list[Found] = []
    if not same_holder(current.name_key, name_key(event.name)):
        found.append(("姓名", event.name, "姓名与登记库中该证书的持证人不符", "§四.(六)"))
    if not covers(entry.authority, current.authority):
        rule = f"该证书不是本机关（{entry.authority}）核发的，无权登记其变更"
        found.append(("证书编号", event.number, rule, "§三"))
    if date < current.issued_on:
        found.append(("日期", date, f"早于该证书的发证日期 {current.issued_on}", "§四.(六)"))
    if current.last_event and date < current.last_event:
        rule = f"早于该证书上一次变更的日期 {current.last_event}；变更须按日期顺序登记"
        found.append(("日期", date, rule, "§四.(六)"))
    if collected := collected_after(event, current):
        found.append(collected)
    if current.status == REVOKED:
        rule = "该证书已撤销，不能再换发、补发或撤销"
        found.append(("证书编号", event.number, rule, "§五.(三)"))
    elif current.status == SUPERSEDED:
        rule = f"该证书已换发/补发为 {current.successor}，请对新证书登记"
        found.append(("证书编号", event.number, rule, "§四.(六)"))
    if (
        event.type == REISSUE
        and current.original_document
        and not document_key(event.original_document or "")
        == document_key(current.original_document)
    ):
        rule = (
            f"原公布文件应为公布该持证人合格名单的文件 {current.original_document}"
            "（即该证书所在名册的批准文件）"
        )
        found.append(("原公布文件", event.original_document, rule, "§四.(六)3"))
    if birth := dict(event.corrections).get("birth"):
        found += _birth_problems(birth, current)
    if event.type != REVOKE and (unapproved := year_problem(event.approval_doc, event.date.year)):
        found.append(("批准文号", event.approval_doc, unapproved, "§四.(三)"))
    if event.new_number == event.number:
        rule = (
            "新证书编号与证书编号相同：以原编号补发时，新证书编号一栏应留空；"
            "以新编号换发、补发时，填写一个未用过的编号"
        )
        found.append(("新证书编号", event.new_number, rule, "附件3"))
    elif event.new_number:
        new = parse(event.new_number)
        if year := _year_code_problem(new.year_code, event, parse(event.number).year_code):
            found.append(("新证书编号", event.new_number, year, "附件3 二"))
        if new.letter != current.letter or new.region != current.region:
            rule = (
                f"新证书编号的等级代码和地区代码须与原证书相同：应以 {current.letter} 开头，"
                f"地区代码为 {current.region}（如 {current.letter}{new.year_code}{current.region}…）"
            )
            found.append(("新证书编号", event.new_number, rule, "附件3"))
        if certificate(event.new_number) is not None:
            rule = (
                "该编号已被使用，新证书编号必须是未用过的编号："
                f"下一个可用的编号是 {next_free(event.new_number)}"
            )
            found.append(("新证书编号", event.new_number, rule, "附件3"))
    return found


def _birth_problems(birth: str, current: CertificateState) -> list[Found]:
    """A corrected birth is checked as a roster's is: the holder of working age when starting
    work and when the certificate was issued."""
    found: list[Found] = []
    work = str(current.work_start or "")
    if work and years_after(birth, MIN_AGE_AT_WORK) > work:
        rule = (
            f"更正后的出生年月距该持证人的参加工作时间 {work} 不足 {MIN_AGE_AT_WORK} 年，"
            "请核对出生年月"
        )
        found.append(("更正出生年月", birth, rule, "§四.(三)"))
    if years_after(birth, MIN_AGE_AT_ISSUE) > current.issued_on[:7]:
        rule = f"按更正后的出生年月，到发证日期 {current.issued_on} 持证人未满 {MIN_AGE_AT_ISSUE} 周岁，请核对"
        found.append(("更正出生年月", birth, rule, "§四.(三)"))
    return found


def _year_code_problem(code: str, event: StatusEvent, old_code: str) -> str | None:
    """Why a new certificate issued on the event's date cannot carry year code ``code``: a year
    that had not come (附件3 二: the code is the issue year's), or one before the certificate it
    replaces."""
    issued = event.date
    year = year_of_code(code, issued)
    if year_of_code(old_code, issued) <= year <= issued.year:
        return None
    return (
        f"年份代码“{code}”不对：新证书于 {issued.isoformat()} 核发，年份代码应为核发年份的后两位"
        f"“{issued.year % 100:02d}”（附件3 二），且不早于原证书的“{old_code}”"
    )


def _registered_in(conn: sqlite3.Connection, event: StatusEvent) -> str | None:
    """The register that already holds ``event`` (a status-change register of another name)."""
    row = conn.execute(
        "SELECT register FROM status_events WHERE type = ? AND number = ? AND date = ?"
        " AND coalesce(new_number, '') = ? LIMIT 1",
        event.identity,
    ).fetchone()
    return None if row is None else str(row[0])


class _Events:
    """Checks a register's new events in date order against the registry and the events before
    them in the file, keeping each certificate's state as the file changes it."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        entry: RegisterEntry,
        events: list[StatusEvent],
        vanished: list[tuple[str, str, str, str]],
        problems: list[Problem],
    ) -> None:
        self.conn, self.entry, self.problems = conn, entry, problems
        self.vanished = vanished
        """the applied events (identities) a new version lacks: a new row may be one edited"""
        self.created = {e.new_number: e for e in events if e.new_number}
        self.state: dict[str, CertificateState | None] = {}
        self.rows: dict[tuple[str, str, str, str], int] = {}
        self.new_numbers = Counter(parse(e.new_number).prefix for e in events if e.new_number)

    def certificate(self, number: str) -> CertificateState | None:
        if number not in self.state:
            self.state[number] = load_state(self.conn, number)
        return self.state[number]

    def check(self, event: StatusEvent, incomplete: bool) -> None:
        """Record the event's problems; apply it to the state when it has none of its own."""
        current = self._known(event)
        if current is None:
            return
        found = _event_problems(event, current, self.entry, self.certificate, self.next_free)
        if held := held_already(self.conn, event, current, self.state):
            found.append(held)
        if event.new_number and not found:
            found += numbering_problems(self.conn, event, self.new_numbers)
        if edit := self._edit_of(event):
            found.append(edit)
        self.problems.extend(Problem(event.row, *f) for f in found)
        if not found and not incomplete:
            self._apply(event, current)

    def next_free(self, number: str) -> str:
        """The number to use instead of ``number``: after the highest of its level, year and
        region used in the registry, handed out by a numbering run, or created in this file."""
        taken = parse(number)
        highest = highest_sequence(self.conn, taken.letter, taken.year_code, taken.region)
        created = [parse(n).sequence for n in self.created if parse(n).prefix == taken.prefix]
        return str(taken._replace(sequence=max([highest, *created]) + 1))

    def _edit_of(self, event: StatusEvent) -> Found | None:
        """The applied event this new row is an edit of — its date, new number or type changed
        in a new version of the register — named by what changed (applied events stand)."""
        kind, number, date, new = event.identity
        keep = "已生效的变更不能修改。请恢复原来那一行"
        for old_kind, old_number, old_date, old_new in self.vanished:
            if (old_kind, old_number) == (kind, number) and old_date != date:
                rule = (
                    f"此前登记生效的是 {old_date} 的{kind}，新版本中没有那一行，却有这一行："
                    f"{keep}（改了日期就成了又一次{kind}）；如确是又一次{kind}，"
                    "请保留原来那一行，另起一行登记"
                )
                return ("日期", date, rule, "§四.(六)")
            if (old_kind, old_number, old_date) == (kind, number, date):
                rule = (
                    f"此前登记生效的这次{kind}的新证书编号是 {old_new or '（无）'}，新版本改成了 "
                    f"{new or '（无）'}：{keep}的新证书编号"
                )
                return ("新证书编号", new or None, rule, "§四.(六)")
            if (old_number, old_date) == (number, date) and old_kind != kind:
                rule = (
                    f"此前登记生效的是 {date} 的{old_kind}，新版本把这一行改成了{kind}："
                    f"{keep}的类型；如确有新的变更，请另起一行登记"
                )
                return ("类型", kind, rule, "§四.(六)")
        return None

    def _known(self, event: StatusEvent) -> CertificateState | None:
        """The certificate the event is about, unless the event is refused outright: a second
        row of it, one registered elsewhere, a number the registry lacks."""
        rule = None
        if event.identity in self.rows:  # one event, one row: a second 补发 mark is a second paper
            first = self.rows[event.identity]
            rule = f"与本文件第{first}行是同一变更（类型、编号、日期都相同），重复登记"
        elif elsewhere := _registered_in(self.conn, event):
            rule = f"同一变更（类型、编号、日期都相同）已由登记表“{elsewhere}”登记，不能重复登记"
        self.rows.setdefault(event.identity, event.row)
        current = None if rule else self.certificate(event.number)
        creator = self.created.get(event.number)
        if current is None and not rule and creator is not None:
            rule = before_its_number(event, creator)
        if current is None:
            rule = rule or "登记库中没有该证书编号；请先导入其名册，或核对编号"
            self.problems.append(Problem(event.row, "证书编号", event.number, rule, "§四.(六)"))
        return current

    def _apply(self, event: StatusEvent, current: CertificateState) -> None:
        date = event.date.isoformat()
        current.status, current.last_event = status_after(event.type, event.new_number), date
        if event.new_number:
            current.successor = event.new_number
            self.state[event.new_number] = corrected(current, event)


def check_status_changes(
    table: Table, entry: RegisterEntry, context: LoadContext
) -> tuple[list[Problem], StatusChanges]:
    """Every rule of SPEC §6 for the events of ``table`` not yet applied from this register."""
    problems: list[Problem] = []
    parsed: list[StatusEvent] = []
    incomplete: set[int] = set()
    """rows whose event breaks a rule of its own: checked against the registry too, so that
    the clerk sees all of a row's problems in one report, but never taken as applied"""
    for record in table.records:
        row = StatusRow(record, problems, context.today, context.catalogue)
        event = row.event()
        if event:
            parsed.append(event)
            if not row.complete:
                incomplete.add(event.row)
    applied = applied_events(context.conn, entry.key)
    edits, amendments = compare_with_applied(parsed, applied)
    problems += edits
    events = sorted((e for e in parsed if e.identity not in applied), key=lambda e: (e.date, e.row))
    vanished = sorted(applied.keys() - {e.identity for e in parsed})
    checker = _Events(context.conn, entry, events, vanished, problems)
    for event in events:
        checker.check(event, event.row in incomplete)
    return problems, StatusChanges(events, vanished, amendments)


def apply_status_changes(
    conn: sqlite3.Connection, entry: RegisterEntry, changes: StatusChanges, sync_id: int, at: str
) -> Applied:
    """Store the events and apply them, in date order; report the ones a new version lacks."""
    applied = apply_events(conn, entry.key, changes.events, sync_id, at)
    applied.changed += amend_events(conn, entry.key, changes.amendments, sync_id, at)
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
