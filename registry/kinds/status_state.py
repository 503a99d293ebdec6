"""The certificates a status-change register touches, as its rules see them (SPEC §6), and the
rules of the new certificate a 换发 or 补发 under a new number creates: its number is taken in
order (附件3 四), and its holder, as corrected, holds no other certificate of its trade and level
(§二); a paper collected was valid when collected; an event on a number the same file creates
comes after it.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

from registry.domain.numbers import parse
from registry.domain.statuses import (
    REISSUE,
    REVOKE,
    REVOKED,
    SUPERSEDED,
    VALID,
    StatusEvent,
    valid_when_collected,
)
from registry.domain.trades import TradeCatalogue
from registry.kinds.handed_out import handed_out_rule
from registry.store.holdings import held_by, same_trade
from registry.store.numbering_runs import highest_sequence, open_run_of

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
    work_start: str | None = None
    """参加工作时间 (附件4; 附件5 has none): a corrected birth date must come before it"""
    sex: str = ""
    name: str = ""
    """the holder's name as registered, for a message (rules compare ``name_key``)"""
    root: tuple[str, str, str] = ("", "", "")
    """(name key, sex, birth) of the holder its chain of 换发 began with: corrections may fix
    some of them, not make another person of him, in one 换发 or in several"""


_LOAD = """
WITH RECURSIVE chain(number, predecessor, approval_doc, name_key, sex, birth) AS (
    SELECT number, predecessor, approval_doc, name_key, sex, birth FROM certificates
    WHERE number = :n
    UNION ALL
    SELECT c.number, c.predecessor, c.approval_doc, c.name_key, c.sex, c.birth FROM certificates c
    JOIN chain ON c.number = chain.predecessor
)
SELECT c.name_key, c.birth, c.trade, c.letter, c.region, c.authority, c.issued_on, c.status,
    c.successor,
    (SELECT max(date) FROM status_events WHERE number = :n OR new_number = :n),
    root.approval_doc,
    (SELECT collected_on FROM collections WHERE number = :n),
    c.work_start, c.sex, c.name,
    -- a chain that does not reach its first certificate: this one stands for it
    CASE WHEN root.number IS NULL THEN c.name_key ELSE root.name_key END,
    CASE WHEN root.number IS NULL THEN c.sex ELSE root.sex END,
    CASE WHEN root.number IS NULL THEN c.birth ELSE root.birth END
FROM certificates c LEFT JOIN (SELECT * FROM chain WHERE predecessor IS NULL) AS root
WHERE c.number = :n
"""


def load_state(conn: sqlite3.Connection, number: str) -> CertificateState | None:
    """A certificate's state; its original document, and its first holder, are those of the
    roster at the root of its chain of 换发/补发 (a new number carries the approval of its
    event, not of the pass)."""
    row = conn.execute(_LOAD, {"n": number}).fetchone()
    if row is None:
        return None
    state = CertificateState(*row[:15])
    state.root = (row[15], row[16], row[17])
    return state


_ENDED = (REVOKED, SUPERSEDED)


def numbering_problems(
    conn: sqlite3.Connection, event: StatusEvent, in_file: Counter[str]
) -> list[Found]:
    """附件3 四 for a 新证书编号: numbers are taken in order, never reused. One that
    ``certreg number`` handed out is taken, loaded or not; one beyond the next
    free numbers (those after the highest used or handed out, as many as this file gives of
    its level, year and region) skips some — the last of a level could then be used up early."""
    assert event.new_number
    new = parse(event.new_number)
    reserved = open_run_of(conn, new.letter, new.year_code, new.region, new.sequence)
    highest = highest_sequence(conn, new.letter, new.year_code, new.region)
    free = new._replace(sequence=highest + 1)
    if reserved:
        rule = handed_out_rule(reserved, "再用作新证书编号", str(free))
        return [("新证书编号", event.new_number, rule, "附件3")]
    if new.sequence > highest + in_file[new.prefix]:
        rule = f"编号须依次取值，不能跳号：下一个可用的编号是 {free}"
        return [("新证书编号", event.new_number, rule, "附件3")]
    return []


def corrected(current: CertificateState, event: StatusEvent) -> CertificateState:
    """The state of the certificate a 换发 or 补发 creates: the old one's holder, as corrected."""
    date = event.date.isoformat()
    fixed = dict(event.corrections)
    return replace(
        current,
        name_key=fixed.get("name_key", current.name_key),
        name=fixed.get("name", current.name),
        birth=fixed.get("birth", current.birth),
        sex=fixed.get("sex", current.sex),
        trade=fixed.get("trade", current.trade),
        issued_on=date,
        status=VALID,
        successor=None,
        last_event=date,
        collected_on=None,
    )


def held_already(
    conn: sqlite3.Connection,
    event: StatusEvent,
    current: CertificateState,
    state: Mapping[str, CertificateState | None],
    catalogue: TradeCatalogue,
) -> Found | None:
    """§二 for the certificate a 换发 corrects: the holder as corrected (姓名, 出生年月, 工种)
    may not already hold another certificate of that trade and level — the exchange would
    leave them two; a trade registered under a name ``catalogue`` now keeps as an alias is
    that trade. Held as this file leaves things so far (``state``): a certificate an
    earlier row revoked is no holding; one an earlier row created is. (Without corrections the
    new number is the old one's holding.)"""
    if not dict(event.corrections).keys() & {"name_key", "birth", "trade"}:
        return None
    new = corrected(current, event)
    holder = (new.name_key, new.birth, new.trade, new.letter)

    def still_held(number: str) -> bool:  # a registered holding this file has not ended
        other = state.get(number)
        return number not in state or (other is not None and other.status not in _ENDED)

    registered = [number for number, _ in held_by(conn, holder, catalogue, event.number)]
    held = [number for number in registered if still_held(number)] + [
        number
        for number, other in state.items()
        if other is not None
        and number != event.number
        and other.status not in _ENDED
        and (other.name_key, other.birth, other.letter) == (new.name_key, new.birth, new.letter)
        and same_trade(catalogue, other.trade, new.trade)
    ]
    if not held:
        return None
    rule = (
        f"更正后，此人（姓名、出生年月、工种、等级均相同）已持有证书 {held[0]}；"
        "一人同一工种同一等级只能有一本证书。请核对更正内容"
    )
    return ("新证书编号", event.new_number, rule, "§二")


def collected_after(event: StatusEvent, current: CertificateState) -> Found | None:
    """An event that voids the paper (not a 补发 under its own number) dated before its
    recorded collection, when it had to be valid — or the same day, for a revocation."""
    date = event.date.isoformat()
    voids = event.type != REISSUE or event.new_number
    if not voids or not current.collected_on:
        return None
    if valid_when_collected(current.collected_on, date, revoked=event.type == REVOKE):
        return None
    after = "晚于" if event.type == REVOKE else "不早于"
    rule = (
        f"该证书已登记于 {current.collected_on} 领取，领取时证书须有效：{event.type}日期须{after}"
        "领取日期。请核对日期；如确在领取前已作废，请先更正领取登记"
    )
    return ("日期", date, rule, "§四.(六)")


def before_its_number(event: StatusEvent, creator: StatusEvent) -> str:
    """Why an event on the number a row of the same file creates found no certificate: it
    comes first (by date, then for one day by row, as events apply), or that row was refused."""
    made = f"该编号由本文件第{creator.row}行 {creator.date.isoformat()} 的{creator.type}产生"
    if event.date < creator.date:
        return (
            f"{made}，本行的日期 {event.date.isoformat()} 早于它：变更须按日期先后发生，"
            "请核对这两行的日期"
        )
    if event.date == creator.date and event.row < creator.row:
        return (
            f"{made}：同一天的变更按行的先后生效，本行排在它之前。请把第{creator.row}行移到"
            "本行之上，或核对日期"
        )
    return f"{made}，但那一行未通过检查：请先改正第{creator.row}行"
