"""A new version of a status-change register against the events it applied before (§四.(六)).

An applied event stays in effect: its identity (type, number, date, new number), the holder's
name, the 原公布文件 a 补发 was checked against and the content a 换发 corrected are never changed
by a new version. Its references — the approving document, the reason, the application, the
unit's certificate, the two reviews — may be corrected: a mistyped 文号 is fixed where it was
made, and the registry keeps the earlier value in the certificate's history.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from registry.domain.documents import EVENT_DATE, revoking_problem, same_document, year_problem
from registry.domain.problems import Problem
from registry.domain.statuses import REVOKE, StatusEvent
from registry.kinds.status_rows import CORRECTED, REISSUE_DOCUMENTS
from registry.store.events import Amendment

Identity = tuple[str, str, str, str]
"""(type, number, date, new number or ''): an event, whichever register holds it"""

RECORDED = {
    "name": "姓名",
    "reason": "原因",
    "approval_doc": "批准文号",
    **{field: column for column, field in REISSUE_DOCUMENTS.items()},
    "corrections": "更正栏",
}
"""What the registry keeps of an event beside its identity → the column a clerk knows it by."""
AMENDABLE = frozenset(RECORDED) - {"name", "original_document", "corrections"}
"""The references a new version may correct: none of them changes what the event did."""


def recorded(event: StatusEvent) -> tuple[object, ...]:
    """``event`` as `RECORDED` columns of ``status_events`` hold it."""
    corrections = dict(event.corrections)
    return tuple(
        (json.dumps(corrections, ensure_ascii=False) if corrections else None)
        if field == "corrections"
        else getattr(event, field)
        for field in RECORDED
    )


def applied_events(conn: sqlite3.Connection, register: str) -> dict[Identity, tuple[object, ...]]:
    """The events ``register`` applied before, with what the registry recorded of each."""
    return {
        (t, n, d, nn or ""): tuple(values)
        for t, n, d, nn, *values in conn.execute(
            f"SELECT type, number, date, new_number, {', '.join(RECORDED)} FROM status_events"
            " WHERE register = ?",
            (register,),
        )
    }


def source_row(conn: sqlite3.Connection, register: str, identity: Identity) -> object:
    """The row an applied event stood at in the last version of ``register`` that listed it
    (`registry.store.events.moved_rows`)."""
    kind, number, date, new = identity
    row = conn.execute(
        "SELECT source_row FROM status_events WHERE register = ? AND type = ? AND number = ?"
        " AND date = ? AND coalesce(new_number, '') = ?",
        (register, kind, number, date, new),
    ).fetchone()
    return row[0] if row else "?"


def compare_with_applied(
    events: list[StatusEvent],
    applied: dict[Identity, tuple[object, ...]],
    issued: Callable[[str], str | None],
) -> tuple[list[Problem], list[Amendment]]:
    """(a problem for each applied event written otherwise, the corrections of references);
    ``issued(number)``: the certificate's issue date, which a 撤销's document may not precede."""
    problems, amendments = [], []
    for event in events:
        before = applied.get(event.identity)
        now = recorded(event)
        if before is None or before == now:
            continue
        changed = {
            field: (old, new)
            for field, old, new in zip(RECORDED, before, now, strict=True)
            if old != new
            and not _same_document(field, old, new)
            and not _same_corrections(field, old, new)
        }
        if not changed:
            continue
        if changed.keys() <= AMENDABLE:
            if unapproved := _document_year(event, changed, issued):
                problems.append(unapproved)
                continue
            labels = {field: f"{event.type}{RECORDED[field]}" for field in changed}
            amendments.append(Amendment(event.identity, changed, labels))
        else:
            problems.append(_edited(event, changed))
    return problems, amendments


def _document_year(
    event: StatusEvent,
    changed: dict[str, tuple[object, object]],
    issued: Callable[[str], str | None],
) -> Problem | None:
    """A corrected 批准文号 of the event's year, as a new event's must be (§四.(三)), or for a
    撤销 one not after it (§五.(三)): a correction is held to the rule the first version was."""
    if "approval_doc" not in changed:
        return None
    if event.type == REVOKE:
        on = issued(event.number)
        year = int(on[:4]) if on else None
        problem, clause = revoking_problem(event.approval_doc, event.date.year, year), "§五.(三)"
    else:
        problem = year_problem(event.approval_doc, event.date.year, EVENT_DATE)
        clause = "§四.(三)"
    return Problem(event.row, "批准文号", event.approval_doc, problem, clause) if problem else None


def _same_document(field: str, old: object, new: object) -> bool:
    """An approving document written with other brackets (〔2013〕 as [2013]), spaces or cited
    with its title is the same one; …26号之一, …26-1号 and …26号（补充） are other documents than
    …26号 (`same_document`): read as a citation of …26号, the corrected 文号 of an applied
    event was thrown away — 修改 0, and no history (an auditor's review)."""
    if field != "approval_doc" or not isinstance(old, str) or not isinstance(new, str):
        return False
    return same_document(old, new)


_DERIVED = frozenset({"name_key"})
"""What a 换发's recorded corrections hold that the clerk never wrote: the corrected name's
key, made by the certreg that applied it — an older one's, 周傑 where the key is now 周杰."""


def _same_corrections(field: str, old: object, new: object) -> bool:
    """A 换发's corrections as recorded and as written now, alike in all a clerk wrote."""
    if field != "corrections":
        return False
    old_written, new_written = (
        {k: v for k, v in json.loads(str(value)).items() if k not in _DERIVED} if value else {}
        for value in (old, new)
    )
    return old_written == new_written


def _was(field: str, old: object) -> str:
    """What a recorded field held, as the register's columns show it."""
    if field != "corrections":
        return f"{RECORDED[field]}原为“{old or ''}”"
    corrected = json.loads(str(old)) if old else {}
    shown = [f"{column}“{corrected[key]}”" for key, column in CORRECTED.items() if key in corrected]
    return f"更正栏原为{'、'.join(shown)}" if shown else "原来没有更正"


def _edited(event: StatusEvent, changed: dict[str, tuple[object, object]]) -> Problem:
    """An applied event that a new version changes where it may not."""
    was = "，".join(_was(field, old) for field, (old, _) in changed.items())
    rule = (
        f"该{event.type}此前已登记生效，新版本改动了它（{was}）：已生效变更的姓名、原公布文件和"
        "更正内容不能修改，请恢复原内容（批准文号、原因、申请和审核意见可以更正）"
    )
    return Problem(event.row, "类型", event.type, rule, "§四.(六)")
