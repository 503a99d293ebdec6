"""换发 / 补发 / 撤销 registers (notice §四.(六), §五.(三)(四)).

Events are checked in date order against the registry *and* against the events before them in
the same file, so a chain (A 换发 → B, then B 补发) can arrive in one register. The checked events
go to `registry.store.events.apply_events`; `registry.kinds.status_checker` checks them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from registry.domain.names import name_key, shared_key
from registry.domain.problems import (
    DOCUMENT_GIVEN,
    NEW_REASON,
    REVIEW_DATE,
    REVIEW_ORDER,
    UNCORRECTED,
    Problem,
    numbered,
)
from registry.domain.registers import PUT_BACK, STATUS_CHANGES
from registry.domain.statuses import StatusEvent
from registry.kinds.base import Kind, LoadContext, RegisterEntry, keep_table, kept_nothing
from registry.kinds.not_records import total_in
from registry.kinds.status_checker import Events
from registry.kinds.status_remarks import applied_already
from registry.kinds.status_rows import COLUMNS, GIVEN, REISSUE_DOCUMENTS, REVIEWS, StatusRow
from registry.kinds.status_state import load_state
from registry.kinds.status_versions import (
    RECORDED,
    Identity,
    applied_events,
    compare_with_applied,
    recorded,
    source_row,
)
from registry.kinds.swapped_columns import STATUS_LOOKS, STATUS_PAIRS, swapped
from registry.sheets.layout import Layout
from registry.sheets.table import Table
from registry.store.events import Amendment, amend_events, apply_events, moved_rows
from registry.store.writes import Applied

LAYOUT = Layout(STATUS_CHANGES, "证书换发、补发、撤销登记表（§四.(六)）", COLUMNS)


@dataclass
class StatusChanges:
    """A checked register: its new events in date order, and the events an earlier version of
    the register carried that this one lacks (reported, never undone)."""

    events: list[StatusEvent]
    vanished: list[Identity]
    amendments: list[Amendment] = field(default_factory=list)
    """applied events whose references (文号, 原因, 审核意见) a new version corrects"""
    late: set[Identity] = field(default_factory=set)
    """events `registry.kinds.status_rules.recorded_late`: stored, the later change standing"""
    withdrawn: list[Problem] = field(default_factory=list)
    """conflicts the register loads with: applied events whose remarks a new version withdraws
    (never undone), and 换发 whose 更正姓名 keeps nothing of the holder's (`_another_person`)"""
    present: list[StatusEvent] = field(default_factory=list)
    """applied events the new version lists again: where each stands in it now"""


HELD = "held"
"""The code of `held_problems`: refused only to keep the manifest's order, tried again freely at
the run's end (`registry.sync.turns.Retries`)."""


def named_numbers(changes: StatusChanges) -> frozenset[str]:
    """The certificates a register's new events change or make."""
    return frozenset(
        number for event in changes.events for number in (event.number, event.new_number) if number
    )


def held_problems(changes: StatusChanges, held_by: Mapping[str, str]) -> list[Problem]:
    """A problem for each new event of a certificate an earlier register of the manifest also
    changes while that one waits for a roster of the run (``held_by``: number → its name):
    applied first, a 换发 listed after a 撤销 won, and the revoked certificate had a successor."""
    return [
        Problem(
            event.row,
            "证书编号",
            number,
            f"清单中排在前面的 {held_by[number]} 也登记了此证书的变更，它正在等待本次同步中的名册："
            "换发、补发、撤销按清单的先后登记，本表待它登记后再登记",
            "§四.(六)",
            waits=True,
            code=HELD,
        )
        for event in changes.events
        for number in (event.number, event.new_number)
        if number and number in held_by
    ]


_REVIEWS = {
    column: list(RECORDED).index(field)
    for column, field in REISSUE_DOCUMENTS.items()
    if column in (*REVIEWS, *GIVEN)
}
"""Each review's and given document's column → its place in what the registry recorded of an
event."""
_REASON = list(RECORDED).index("reason")


def _registered_reviews(
    parsed: list[StatusEvent], applied: dict[Identity, tuple[object, ...]]
) -> set[tuple[int, str]]:
    """(row, column) of each review (and given document) an applied event was registered with
    as the file writes it now — not judged by the review-date rule, which came after
    (`REVIEW_DATE`), nor by `DOCUMENT_GIVEN`'s; the reviews' order (`REVIEW_ORDER`) only when
    both are."""
    kept: set[tuple[int, str]] = set()
    for event in parsed:
        before = applied.get(event.identity)
        if before is None:
            continue
        now = recorded(event)
        same = [c for c, i in _REVIEWS.items() if before[i] == now[i]]
        kept.update((event.row, column) for column in same)
        kept.add((event.row, UNCORRECTED))  # registered before the rule: judged so no more
        if before[_REASON] == now[_REASON]:
            kept.add((event.row, NEW_REASON))
        if set(REVIEWS) <= set(same):
            kept.add((event.row, REVIEW_ORDER))
    return kept


def _judged(problem: Problem, registered: set[tuple[int, str]]) -> bool:
    """Whether ``problem`` stands: a review-date rule's is dropped for a review registered, the
    correction a misfilled 换发 lacks for an event registered so."""
    if problem.code == UNCORRECTED:
        return (problem.row or 0, UNCORRECTED) not in registered
    if problem.code in (REVIEW_DATE, DOCUMENT_GIVEN):
        return (problem.row or 0, problem.column or "") not in registered
    if problem.code in (REVIEW_ORDER, NEW_REASON):
        return (problem.row or 0, problem.code) not in registered
    return True


def _issued_on(conn: sqlite3.Connection, number: str) -> str | None:
    state = load_state(conn, number)
    return state.issued_on if state else None


def check_status_changes(
    table: Table, entry: RegisterEntry, context: LoadContext
) -> tuple[list[Problem], StatusChanges]:
    """Every rule of §四.(六) for the events of ``table`` not yet applied from this register."""
    problems: list[Problem] = []
    parsed: list[StatusEvent] = []
    incomplete: set[int] = set()
    """rows whose event breaks a rule of its own: checked against the registry too, so that
    the clerk sees all of a row's problems in one report, but never taken as applied"""
    withheld: list[tuple[Problem, StatusEvent | None]] = []  # by their remarks: 此条作废
    unread = table.unread_by_row()
    numbers: dict[int, str] = {}  # row → its 证书编号, that staff's history lists it by
    for record in table.records:
        if summed := total_in(record, ("序号", "类型", "证书编号", "姓名")):
            problems.append(summed)
            continue
        row = StatusRow(record, problems, context.today, context.catalogue, unread.get(record.row))
        event = row.event()
        if row.certificate:
            numbers[record.row] = row.certificate
        if event:
            parsed.append(event)
            if not row.complete:
                incomplete.add(event.row)
        if row.withheld:
            withheld.append((row.withheld, event))
    applied = applied_events(context.conn, entry.key)
    registered = _registered_reviews(parsed, applied)
    problems = [p for p in problems if _judged(p, registered)]
    withdrawn = _withheld(withheld, applied, problems, incomplete)
    edits, amendments = compare_with_applied(parsed, applied, lambda n: _issued_on(context.conn, n))
    problems += edits
    events = sorted((e for e in parsed if e.identity not in applied), key=lambda e: (e.date, e.row))
    vanished = sorted(applied.keys() - {e.identity for e in parsed})
    present = [e for e in parsed if e.identity in applied]
    amended = {a.identity for a in amendments if "approval_doc" in a.changed}
    checker = Events(
        context.conn, entry, context.catalogue, events, vanished, problems, present, amended
    )
    for event in events:
        checker.check(event, event.row in incomplete)
    withdrawn += filter(None, map(_another_person, events))
    problems[:0] = swapped(problems, table.records, STATUS_LOOKS, STATUS_PAIRS, "§四.(六)")
    problems[:0] = _another_register(context.conn, entry, parsed)
    problems, withdrawn = numbered(problems, numbers), numbered(withdrawn, numbers)
    return problems, StatusChanges(events, vanished, amendments, checker.late, withdrawn, present)


def _another_register(
    conn: sqlite3.Connection, entry: RegisterEntry, parsed: list[StatusEvent]
) -> list[Problem]:
    """A "new version" touching none of the certificates the loaded one changed is another
    register under the same file name (two offices' 换发补发撤销登记表.xlsx), refused as a roster
    is: taken for a version, it reported the first file's events as left out, and their history
    went on naming rows of a file that no longer holds them (an auditor's review)."""
    numbers = {(e.number,) for e in parsed}
    return kept_nothing(
        conn, entry, "status_events", [(("number",), numbers)], "条登记", "§四.(六)"
    )


def _withheld(
    withheld: list[tuple[Problem, StatusEvent | None]],
    applied: Collection[Identity],
    problems: list[Problem],
    incomplete: set[int],
) -> list[Problem]:
    """Rows withheld by their remarks (此条作废): a new row's is a problem of the register (its
    row then never taken as applied), an applied row's only reported — the conflicts."""
    conflicts = []
    for problem, event in withheld:
        if event is None or event.identity not in applied:
            problems.append(problem)
            incomplete.add(problem.row or 0)
        else:
            conflicts.append(applied_already(problem))
    return conflicts


def _another_person(event: StatusEvent) -> Problem | None:
    """A 换发 whose 更正姓名 shares no character with the holder's name: loaded — a minority
    name written anew in other characters is one —, but reported as a conflict for staff to
    look at, since a misfilled name (§四.(六)2) is corrected, not replaced: 王晓二 → 刘德华 handed
    a certificate to another person with nothing said (a clerk's review)."""
    corrected = dict(event.corrections).get("name")
    # compared as keys, a minority name's dot no character: 张伟 corrected to 張偉 writes the
    # same characters otherwise, 阿依古丽·买买提 to 热合曼·吐尔逊 shares none
    before, after = (set(shared_key(name_key(name))) for name in (event.name, corrected or ""))
    if not corrected or before & after:
        return None
    return Problem(
        event.row,
        "更正姓名",
        corrected,
        f"更正后的姓名与持证人“{event.name}”没有一个字相同：错填换发是更正填错的内容，"
        "请核对是否确为同一人（已导入，登记库中作为冲突列出，供核查）",
        "§四.(六)2",
        number=event.number,
    )


def apply_status_changes(
    conn: sqlite3.Connection, entry: RegisterEntry, changes: StatusChanges, sync_id: int, at: str
) -> Applied:
    """Store the events and apply them, in date order; report the ones a new version lacks."""
    applied = apply_events(conn, entry.key, changes.events, sync_id, at, late=changes.late)
    applied.changes += amend_events(conn, entry.key, changes.amendments, sync_id, at)
    amended = {amendment.identity for amendment in changes.amendments}
    moved = moved_rows(conn, entry.key, changes.present, sync_id, at)
    # a row moved and nothing else changed: told in the report's notes, and no change — the
    # history's 修改 counts events a version corrected, which an auditor reads as overwritten
    applied.moved = sum(1 for identity in moved if identity not in amended)
    applied.changed = len(changes.amendments)
    applied.conflicts = [
        Problem(
            None,
            "证书编号",
            identity[1],
            f"新版本中没有此前登记的{identity[0]}（{identity[2]}，原在"
            f"第{source_row(conn, entry.key, identity)}行）；已生效的变更不会撤回。{PUT_BACK}",
            "§四.(六)",
        )
        for identity in changes.vanished
    ] + changes.withdrawn
    return applied


KIND: Kind[Table, StatusChanges] = Kind(
    layout=LAYOUT,
    check_alone=keep_table,
    validate=check_status_changes,
    apply=apply_status_changes,
)
