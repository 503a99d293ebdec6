"""The certificates a status-change register touches, as its rules see them (SPEC §6), and the
rules of the new certificate a 换发 or 补发 under a new number creates: its number is taken in
order (附件3 四), and its holder, as corrected, holds no other certificate of its trade and level
(§二).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from registry.domain.numbers import parse
from registry.domain.statuses import REVOKED, SUPERSEDED, StatusEvent
from registry.store.syncs import highest_sequence, open_run_of

Found = tuple[str, str | None, str, str | None]
"""(column, value, rule, clause) of a rule an event breaks"""


@dataclass
class CertificateState:
    """The part of a certificate's state the rules look at, as it evolves through the file."""

    name_key: str
    birth: str
    trade: str
    letter: str
    region: str
    authority: str
    issued_on: str
    status: str
    successor: str | None
    last_event: str | None
    original_document: str | None
    """the approval document that published the holder's pass: its roster's (§四.(六)3)"""
    collected_on: str | None = None
    """when the holder collected the paper (collections): it was valid then"""


_LOAD = """
WITH RECURSIVE chain(number, predecessor, approval_doc) AS (
    SELECT number, predecessor, approval_doc FROM certificates WHERE number = :n
    UNION ALL
    SELECT c.number, c.predecessor, c.approval_doc FROM certificates c
    JOIN chain ON c.number = chain.predecessor
)
SELECT name_key, birth, trade, letter, region, authority, issued_on, status, successor,
    (SELECT max(date) FROM status_events WHERE number = :n OR new_number = :n),
    (SELECT approval_doc FROM chain WHERE predecessor IS NULL),
    (SELECT collected_on FROM collections WHERE number = :n)
FROM certificates WHERE number = :n
"""


def load_state(conn: sqlite3.Connection, number: str) -> CertificateState | None:
    """A certificate's state; its original document is that of the roster at the root of its
    chain of 换发/补发 (a new number carries the approval of its event, not of the pass)."""
    row = conn.execute(_LOAD, {"n": number}).fetchone()
    return CertificateState(*row) if row else None


_HELD = (
    "SELECT number FROM certificates WHERE name_key = ? AND birth = ? AND trade = ?"
    f" AND letter = ? AND number <> ? AND status NOT IN ('{REVOKED}', '{SUPERSEDED}')"
    " ORDER BY number LIMIT 1"
)


def numbering_problems(
    conn: sqlite3.Connection, event: StatusEvent, in_file: Counter[str]
) -> list[Found]:
    """附件3 四 for a 新证书编号: numbers are taken in order, never reused. One that
    ``certreg number`` handed out to a roster still to be loaded is taken; one beyond the next
    free numbers (those after the highest used or handed out, as many as this file gives of
    its level, year and region) skips some — the last of a level could then be used up early."""
    assert event.new_number
    new = parse(event.new_number)
    reserved = open_run_of(conn, new.letter, new.year_code, new.region, new.sequence)
    highest = highest_sequence(conn, new.letter, new.year_code, new.region)
    free = new._replace(sequence=highest + 1)
    if reserved:
        rule = (
            f"该编号已由 certreg number 分配给尚未导入的名册“{Path(reserved).name}”，"
            f"不能再用作新证书编号；下一个可用的编号是 {free}"
        )
        return [("新证书编号", event.new_number, rule, "附件3")]
    if new.sequence > highest + in_file[new.prefix]:
        rule = f"编号须依次取值，不能跳号：下一个可用的编号是 {free}"
        return [("新证书编号", event.new_number, rule, "附件3")]
    return []


def held_already(
    conn: sqlite3.Connection, event: StatusEvent, current: CertificateState
) -> Found | None:
    """§二 for the certificate a 换发 corrects: the holder as corrected (姓名, 出生年月, 工种)
    may not already hold another certificate of that trade and level — the exchange would
    leave them two. (Without corrections the new number is the old one's holding.)"""
    corrected = dict(event.corrections)
    if not corrected.keys() & {"name_key", "birth", "trade"}:
        return None
    holder = (
        corrected.get("name_key", current.name_key),
        corrected.get("birth", current.birth),
        corrected.get("trade", current.trade),
        current.letter,
        event.number,
    )
    row = conn.execute(_HELD, holder).fetchone()
    if row is None:
        return None
    rule = (
        f"更正后，此人（姓名、出生年月、工种、等级均相同）已持有证书 {row[0]}；"
        "一人同一工种同一等级只能有一本证书。请核对更正内容"
    )
    return ("新证书编号", event.new_number, rule, "§二")
