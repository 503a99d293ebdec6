"""Every write of a status-changes register: its 换发 / 补发 / 撤销 events stored, each changing
its certificate's status and, under a new number, creating the successor (with history); and a
new version's corrections of an applied event's references. All of it runs inside the sync's
transaction for the register."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from registry.domain.names import name_key
from registry.domain.numbers import parse
from registry.domain.statuses import REISSUE, VALID, StatusEvent, status_after
from registry.store.certificates import HISTORY_INSERT
from registry.store.schema import CERTIFICATE_COLUMNS
from registry.store.writes import Applied, Change

_EVENT_COLUMNS = (
    "sync",
    "register",
    "source_row",
    "type",
    "number",
    "name",
    "name_key",
    "date",
    "new_number",
    "reason",
    "approval_doc",
    "personal_application",
    "unit_certificate",
    "original_document",
    "supervisor_review",
    "issuer_review",
    "corrections",
)
_INSERT_EVENT = (
    f"INSERT INTO status_events ({', '.join(_EVENT_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(_EVENT_COLUMNS))})"
)
_EVENT_HISTORY = (
    "INSERT INTO certificate_history (number, sync, at, field, old, new, event)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
"""A correction of an applied event's reference or row, tied to the event: a number may have
two 补发 (§四.(六)3), and staff's history rebuilds each as its sync registered it from its own."""
_COPIED = tuple(c for c in CERTIFICATE_COLUMNS if c != "number")
_STATUS_FIELDS = ("status", "status_date", "successor")


def _create_successor(
    conn: sqlite3.Connection, event: StatusEvent, register: str, sync_id: int, at: str
) -> None:
    """The certificate issued under ``event.new_number``: the holder's data (with the values a
    换发 corrects), valid from the event's date, pointing back to the number it replaces; a
    补发 copy is marked as one, and so is the 换发 of a paper marked 补发 — the exchange copies
    the paper, mark and all, and the lost original stays void. A correction is kept in the new
    number's history, old → new."""
    new = parse(event.new_number or "")
    fixed = dict(event.corrections)
    # inserted with the corrected values: a certificate's holder is never rewritten afterwards
    # (`registry.store.append_only`)
    corrected = [field for field in _COPIED if field in fixed]
    old = (
        conn.execute(
            f"SELECT {', '.join(corrected)} FROM certificates WHERE number = ?", (event.number,)
        ).fetchone()
        if corrected
        else ()
    )
    issued = {
        "year_code": new.year_code,
        "sequence": new.sequence,
        "issued_on": event.date.isoformat(),
        "approval_doc": event.approval_doc,
        "register": register,
        "source_row": event.row,
        "status": VALID,
        "status_date": None,
        "successor": None,
        "predecessor": event.number,
        "created_sync": sync_id,
        "updated_sync": sync_id,
    }
    # one INSERT with the new certificate's final values: its status and links are never
    # rewritten afterwards either (`registry.store.append_only.STATUS_TRIGGER`)
    given = {**{field: fixed[field] for field in corrected}, **issued}
    given["reissue"] = int(event.type == REISSUE)
    placeholders = {**dict.fromkeys(given, "?"), "reissue": "max(reissue, ?)"}
    conn.execute(
        f"INSERT INTO certificates (number, {', '.join(_COPIED)})"
        f" SELECT ?, {', '.join(placeholders.get(c, f'[{c}]') for c in _COPIED)}"
        " FROM certificates WHERE number = ?",
        (event.new_number, *(given[c] for c in _COPIED if c in given), event.number),
    )
    conn.executemany(
        HISTORY_INSERT,
        [
            (event.new_number, sync_id, at, field, before, fixed[field])
            for field, before in zip(corrected, old, strict=True)
            if before != fixed[field]
        ],
    )


LATE_MARK = "补发标记"
"""How the report names the mark a late 补发 gives the certificates a 换发 made of its paper."""
_MARK_CHAIN = (
    "WITH RECURSIVE chain(number) AS (SELECT ? UNION"
    " SELECT c.successor FROM certificates c JOIN chain ON c.number = chain.number"
    " WHERE c.successor IS NOT NULL)"
    " UPDATE certificates SET reissue = 1, updated_sync = ? WHERE number IN chain AND NOT reissue"
    " RETURNING number"
)
"""A 补发 registered after a later change marks its paper 补发 — and every certificate a 换发
since made of that paper, down the chain, as when the events arrive in date order (the 换发
copies the paper, mark and all); returns the numbers it marked."""


def apply_events(
    conn: sqlite3.Connection,
    register: str,
    events: Iterable[StatusEvent],
    sync_id: int,
    at: str,
    *,
    late: Collection[tuple[str, str, str, str]] = (),
) -> Applied:
    """Store the events and apply them, in the order given (date order), with history. An event
    of ``late`` (by identity) — a 补发 under its own number registered after a later change,
    `registry.kinds.status_rules.recorded_late` — marks the paper 补发 and changes no status."""
    applied = Applied()
    touched: set[str] = set()
    for event in events:
        touched.add(event.number)
        date = event.date.isoformat()
        corrections = dict(event.corrections)
        conn.execute(
            _INSERT_EVENT,
            (
                sync_id,
                register,
                event.row,
                event.type,
                event.number,
                event.name,
                name_key(event.name),  # staff's filter of the name compares it (张伟 finds 張偉)
                date,
                event.new_number,
                event.reason,
                event.approval_doc,
                event.personal_application,
                event.unit_certificate,
                event.original_document,
                event.supervisor_review,
                event.issuer_review,
                json.dumps(corrections, ensure_ascii=False) if corrections else None,
            ),
        )
        old = conn.execute(
            "SELECT status, status_date, successor FROM certificates WHERE number = ?",
            (event.number,),
        ).fetchone()
        applied.added += 1
        if event.identity in late:  # the paper was marked 补发; the later change stands
            marked = conn.execute(_MARK_CHAIN, (event.number, sync_id)).fetchall()
            # the paper's history has the 补发 itself; each later number says why it changed
            later = [n for (n,) in marked if n != event.number]
            conn.executemany(HISTORY_INSERT, [(n, sync_id, at, "reissue", "0", "1") for n in later])
            # told: a certificate an employer was told of is a 补发 copy now, its paper marked
            applied.changes += [(n, LATE_MARK, "无", f"有（补登的 {date} 补发）") for n in later]
            touched.update(later)
            continue
        if event.new_number:
            _create_successor(conn, event, register, sync_id, at)
        new = (status_after(event.type, event.new_number), date, event.new_number)
        # a 补发 under the same number: the paper now valid is the one marked 补发
        reissue = int(event.type == REISSUE and not event.new_number)
        conn.execute(
            "UPDATE certificates SET status = ?, status_date = ?, successor = ?,"
            " reissue = max(reissue, ?), updated_sync = ? WHERE number = ?",
            (*new, reissue, sync_id, event.number),
        )
        conn.executemany(
            HISTORY_INSERT,
            [
                (event.number, sync_id, at, field, before, after)
                for field, before, after in zip(_STATUS_FIELDS, old, new, strict=True)
                if before != after
            ],
        )
    applied.certificates = len(touched)  # however many events each had
    return applied


_EVENT = "register = ? AND type = ? AND number = ? AND date = ? AND coalesce(new_number, '') = ?"
"""An applied event of a register by its identity (`Amendment.identity`): the one row whose id
the history of its corrections carries."""


@dataclass(frozen=True)
class Amendment:
    """References of an applied event that a new version of its register corrects."""

    identity: tuple[str, str, str, str]
    """(type, number, date, new number or '')"""
    changed: dict[str, tuple[object, object]]
    """``status_events`` column → (recorded, corrected)"""
    labels: dict[str, str]
    """column → what the certificate's history calls it (换发批准文号)"""


def amend_events(
    conn: sqlite3.Connection,
    register: str,
    amendments: Sequence[Amendment],
    sync_id: int,
    at: str,
) -> list[Change]:
    """Correct the references of applied events, the earlier values kept in the history of the
    certificate each is about; each value corrected, for the report (as a corrected roster's)."""
    corrected: list[Change] = []
    for amendment in amendments:
        number = amendment.identity[1]
        (event_id,) = conn.execute(
            f"SELECT id FROM status_events WHERE {_EVENT}", (register, *amendment.identity)
        ).fetchone()
        assignments = ", ".join(f"[{field}] = ?" for field in amendment.changed)
        conn.execute(
            f"UPDATE status_events SET {assignments} WHERE id = ?",
            (*(new for _, new in amendment.changed.values()), event_id),
        )
        changes = [
            (number, amendment.labels[field], old, new)
            for field, (old, new) in amendment.changed.items()
        ]
        conn.executemany(
            _EVENT_HISTORY, [(n, sync_id, at, *change, event_id) for n, *change in changes]
        )
        # its certificate's record changed: the page's 最近一次改动 named the sync before (an
        # auditor's review), and this sync's list of what it changed left it out
        conn.execute("UPDATE certificates SET updated_sync = ? WHERE number = ?", (sync_id, number))
        corrected += changes
        successor = amendment.identity[3]
        if successor and "approval_doc" in amendment.changed:
            # the certificate the event created carries the event's document as its own
            old, new = amendment.changed["approval_doc"]
            updated = conn.execute(
                "UPDATE certificates SET approval_doc = ?, updated_sync = ? WHERE number = ?"
                " AND approval_doc IS ?",
                (new, sync_id, successor, old),
            )
            if updated.rowcount:  # a history of what changed, never of what did not
                conn.execute(HISTORY_INSERT, (successor, sync_id, at, "approval_doc", old, new))
                corrected.append((successor, "approval_doc", old, new))
    return corrected


def moved_rows(
    conn: sqlite3.Connection,
    register: str,
    events: Sequence[StatusEvent],
    sync_id: int,
    at: str,
) -> list[tuple[str, str, str, str]]:
    """Where each applied event of ``events`` stands in its register's new version, and so the
    certificate it made under a new number (the histories of both keep the row it had, as a
    roster's does): an auditor opening the current file at the row a certificate named found another
    holder's 撤销 there, a row dropped above having moved the rest up. Returns the events
    that moved."""
    moved = []
    for event in events:
        found = conn.execute(
            f"SELECT id, source_row FROM status_events WHERE {_EVENT}", (register, *event.identity)
        ).fetchone()
        if found is None or found[1] == event.row:
            continue
        event_id, was = found
        conn.execute("UPDATE status_events SET source_row = ? WHERE id = ?", (event.row, event_id))
        # the row it stood at kept in the history of the certificate it is about (换发所在行),
        # as a corrected reference's earlier value is (`amend_events`)
        row = (event.number, sync_id, at, f"{event.type}所在行", was, event.row, event_id)
        conn.execute(_EVENT_HISTORY, row)
        moved.append(event.identity)
        if event.new_number:
            made = conn.execute(
                "UPDATE certificates SET source_row = ?, updated_sync = ? WHERE number = ?"
                " AND register = ? AND source_row IS ?",
                (event.row, sync_id, event.new_number, register, was),
            )
            if made.rowcount:
                conn.execute(
                    HISTORY_INSERT,
                    (event.new_number, sync_id, at, "source_row", was, event.row),
                )
    return moved
