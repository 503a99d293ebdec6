"""A collection row's certificate (§四.(六)1): one the registry holds, collected once — in its
file and in every other register —, by its own city's authority, on a day it was issued and
still its holder's to collect (not yet exchanged, replaced or revoked). `registry.kinds.
collections` checks each row with it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from registry.domain.dates import FIRST_DAY, BadDate, parse_date
from registry.domain.numbers import parse
from registry.domain.regions import covers, region_name
from registry.domain.statuses import REISSUED, REVOKED, SUPERSEDED, valid_when_collected
from registry.kinds.base import RegisterEntry
from registry.sheets.cells import Cell
from registry.store.by_number import rows_by_number


@dataclass(frozen=True, slots=True)
class _Held:
    """What the collection rules need of a certificate: when it was issued and what became of it."""

    issued_on: str
    status: str
    status_date: str | None
    successor: str | None


def _certificates(conn: sqlite3.Connection, numbers: list[str]) -> dict[str, _Held]:
    """number → state of the given numbers that the registry holds."""
    query = (
        "SELECT number, issued_on, status, status_date, successor FROM certificates"
        " WHERE number IN ({numbers})"
    )
    return {row[0]: _Held(*row[1:]) for row in rows_by_number(conn, query, numbers)}


def _ended(held: _Held, day: dt.date) -> str | None:
    """Why a certificate could no longer be handed out on ``day``: exchanged, replaced or revoked
    on or before it (§四.(六)2–3, §五.(三)); None when it was still current."""
    if held.status not in (SUPERSEDED, REVOKED) or not held.status_date:
        return None
    if valid_when_collected(day.isoformat(), held.status_date, revoked=held.status == REVOKED):
        return None  # collected before it was exchanged or revoked
    if held.status == REVOKED:
        return f"该证书已于 {held.status_date} 撤销，不能登记领取"
    return (
        f"该证书已于 {held.status_date} 换发或补发为 {held.successor}，不能登记领取；应领取新证书"
    )


def _collected_elsewhere(
    conn: sqlite3.Connection, register: str, numbers: list[str]
) -> dict[str, str]:
    """number → the other register that collected it, of the given numbers."""
    query = "SELECT number, register FROM collections WHERE number IN ({numbers}) AND register <> ?"
    return dict(rows_by_number(conn, query, numbers, register))


@dataclass
class Known:
    """What the rows of one collection register are checked against."""

    entry: RegisterEntry
    today: dt.date
    issued: dict[str, _Held]
    elsewhere: dict[str, str]
    seen: dict[str, int] = field(default_factory=dict)


def known_to(
    conn: sqlite3.Connection, entry: RegisterEntry, today: dt.date, listed: list[str]
) -> Known:
    """What the rows of ``entry`` naming the numbers ``listed`` are checked against today."""
    return Known(
        entry, today, _certificates(conn, listed), _collected_elsewhere(conn, entry.key, listed)
    )


Fail = Callable[..., None]
"""``fail(column, value, rule, clause="§四.(六)1", waits=False)``: record a problem of the row
being checked (`Problem.waits`)"""


def _copy_of_reissue(held: _Held | None, collected: Cell, told: str = "") -> str | None:
    """What a second collection of a number reissued under itself (补发, §四.(六)3), dated on or
    after the 补发, is told: the new paper is a second one to collect, which the registry records
    once per number — an honest limit, not a duplicate row to delete at random."""
    if held is None or held.status != REISSUED or not held.status_date:
        return None
    try:
        if parse_date(collected or "").isoformat() < held.status_date:
            return None  # before the 补发: the first paper's, written twice
    except BadDate:
        return None
    said = f"{told}。" if told else ""
    return (
        f"{said}此证书于 {held.status_date} 以同一编号补发：补发的证书的领取，领取登记暂不能"
        "再登记一次（每个编号只记一次领取）。请从本表删去补发证书领取的那一行，在纸质的领取"
        "登记簿上记录并由领取人签名"
    )


def check_number(
    number: str, written: Cell, row: int, known: Known, fail: Fail, collected: Cell
) -> None:
    """A well-formed number: issued, collected once (in this file and before), by its city."""
    if number not in known.issued:
        # its roster (or the 换发 creating it) may come later in the run
        fail(
            "证书编号",
            written,
            "登记库中没有此证书编号，不能登记领取：请先导入该证书所在的名册，或核对编号",
            waits=True,
        )
    first = known.seen.setdefault(number, row)
    if first != row:
        rule = f"与本文件第{first}行重复：每本证书只能领取一次，请删除其中未领取或多写的一行"
        copy = _copy_of_reissue(known.issued.get(number), collected)
        fail("证书编号", written, copy or rule)
    if number in known.elsewhere:
        rule = f"此证书已在“{known.elsewhere[number]}”中登记领取，每本证书只能领取一次"
        copy = _copy_of_reissue(known.issued.get(number), collected, rule)
        fail("证书编号", written, copy or rule)
    authority = known.entry.authority
    if not covers(authority, parse(number).region):
        rule = f"{region_name(authority)}只能登记本市（州）编号的证书的领取"
        fail("证书编号", written, rule, "§四.(四)")


def check_day(
    value: Cell, written: Cell, number: str | None, known: Known, fail: Fail
) -> dt.date | None:
    """The collection date: a date, not in the future, not before the certificate was issued,
    and while the certificate was still the holder's to collect."""
    try:
        day = parse_date(value or "", not_after=known.today, not_before=FIRST_DAY)
    except BadDate as exc:
        fail("日期", value, str(exc))
        return None
    held = known.issued.get(number or "")
    if held is None:
        return day
    ended = _ended(held, day)
    if ended:
        fail("证书编号", written, ended)
    if held.issued_on and day < dt.date.fromisoformat(held.issued_on):
        fail("日期", value, f"领取日期早于发证日期 {held.issued_on}，请核对领取日期")
    return day
