"""What other registers, and the certificates a number replaced, already hold of a status
change (`registry.kinds.status_checker`): the same change registered under another name, and
an approval document used already — for the same event, or on the certificate this one replaced.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping

from registry.domain.documents import document_key
from registry.domain.statuses import StatusEvent
from registry.kinds.base import RegisterEntry
from registry.kinds.status_versions import Identity


def registered_in(
    conn: sqlite3.Connection, event: StatusEvent, entry: RegisterEntry
) -> tuple[str, bool] | None:
    """The register that already holds ``event`` (a status-change register of another name),
    and whether ``entry`` could be its new version: the same authority's register of its kind."""
    row = conn.execute(
        "SELECT e.register, r.authority = ? AND r.kind = ? FROM status_events e"
        " LEFT JOIN registers r ON r.key = e.register WHERE e.type = ? AND e.number = ?"
        " AND e.date = ? AND coalesce(e.new_number, '') = ? LIMIT 1",
        (entry.authority, entry.kind, *event.identity),
    ).fetchone()
    return None if row is None else (str(row[0]), bool(row[1]))


def registered_elsewhere(register: str, own: bool) -> str:
    """A change another register holds, with what to do: a ledger added to every year and sent
    under the new year's name repeats the rows last year's register loaded — sent under that
    register's name (a register is its file name), it is that register's new version, whose
    applied rows stand and whose added rows load (`registry.kinds.status_versions`). Only
    ``own`` (same authority and kind): another authority's register is not this one's to
    replace — told so, a city filed its 撤销 under the province's register."""
    rule = (
        f"同一变更（类型、编号、日期都相同）已由登记表“{register}”登记，不能重复登记：请删去已由"
        f"“{register}”登记的行"
    )
    if not own:
        return rule
    return (
        f"{rule}；如本表是在“{register}”上接着登记的（逐年累加的台账），也可以把"
        f"整本表以文件名“{register}”报送（替换原文件，registers.toml 中删去本表），作为它的新版本"
        "导入：已登记的行不变，只登记新增的行"
    )


def approved_in(
    conn: sqlite3.Connection,
    event: StatusEvent,
    register: str,
    skipped: Collection[Identity],
    earlier: Collection[str] = (),
) -> tuple[str, str, str, str, str] | None:
    """(register, date, 文号 as registered, type, number) of an applied event on ``event``'s
    approval document (however bracketed), of its type and number or on a certificate
    ``earlier`` in its chain: the same 补发 copied with its date corrected would be a second
    paper, voiding the holder's real one. ``skipped``: this register's applied events judged by
    what the file now says of them (`Events.approvals`), or that it lacks (`Events._edit_of`)."""
    key = document_key(event.approval_doc)
    marks = ", ".join("?" * len(earlier))
    for other, kind, number, date, new, document in conn.execute(
        "SELECT register, type, number, date, coalesce(new_number, ''), approval_doc"
        f" FROM status_events WHERE (type = ? AND number = ?) OR number IN ({marks})",
        (event.type, event.number, *earlier),
    ).fetchall():
        mine = other == register and (kind, number, date, new) in skipped
        if document_key(document) == key and not mine:
            return str(other), str(date), str(document), str(kind), str(number)
    return None


def chain_before(
    conn: sqlite3.Connection, number: str, created: Mapping[str, StatusEvent]
) -> list[str]:
    """The certificates ``number`` replaced, nearest first (换发/补发 under a new number, in the
    registry or in this file): an approval used for one of them was issued before ``number``
    existed — it approved the change that made it, or one before — and approves none of its."""
    earlier: list[str] = []
    while True:
        if number in created:
            before: str | None = created[number].number
        else:
            row = conn.execute(
                "SELECT predecessor FROM certificates WHERE number = ?", (number,)
            ).fetchone()
            before = None if row is None else row[0]
        if before is None or before in earlier or before == number:
            return earlier
        earlier.append(number := before)
