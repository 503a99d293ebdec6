"""The ``collections`` register: 领取登记、签名 — who collected which certificate, and when (§四.(六)1).

A certificate is collected once, against a signature, and only a certificate the registry holds
can be collected. The record is internal: staff see it in Datasette; the public check
(`registry.public.lookup`) never reads this table.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from registry.domain.dates import FIRST_DAY, BadDate, parse_date
from registry.domain.names import normalise_name
from registry.domain.numbers import MalformedNumber, parse
from registry.domain.problems import Problem
from registry.domain.regions import covers, region_name
from registry.domain.registers import COLLECTIONS
from registry.domain.statuses import REISSUED, REVOKED, SUPERSEDED, valid_when_collected
from registry.kinds.base import (
    Kind,
    LoadContext,
    RegisterEntry,
    keep_table,
    like_none,
)
from registry.kinds.cells import digits_lost, total_in
from registry.kinds.collection_signatures import signed, stored_signature
from registry.kinds.withheld import Withholding
from registry.sheets.cells import Cell, text
from registry.sheets.layout import Column, Layout
from registry.sheets.table import Record, Table
from registry.store.blanks import replace_rows
from registry.store.by_number import rows_by_number
from registry.store.writes import Applied

LAYOUT = Layout(
    COLLECTIONS,
    "证书领取登记表（§四.(六)1）",
    (
        Column("序号", required=False),
        Column("证书编号", aliases=("颁发证书编号",)),
        Column("领取人"),
        Column("签名", aliases=("领取人签名", "本人签名")),
        Column("日期", aliases=("领取日期",)),
    ),
)

Collection = dict[str, object]
"""A row of the ``collections`` table."""


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
class _Known:
    """What the rows of one collection register are checked against."""

    entry: RegisterEntry
    today: dt.date
    issued: dict[str, _Held]
    elsewhere: dict[str, str]
    seen: dict[str, int] = field(default_factory=dict)


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


def _check_number(
    number: str, written: Cell, row: int, known: _Known, fail: Fail, collected: Cell
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


def _check_day(
    value: Cell, written: Cell, number: str | None, known: _Known, fail: Fail
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


def _not_collected_rule(column: str, phrase: str) -> str:
    return (
        f"{column}写明“{phrase}”：领取登记只记已交到领取人手中、由其签名的证书（§四.(六)1 "
        f"领取登记、签名制度）。请删除此行，领取后再登记；如证书确已领取，请在{column}中写明“已领取”"
    )


NOT_COLLECTED = Withholding(
    re.compile(
        "(?:尚未|暂未|没有|未|没)(?:领取|领|签收|交付|发放|发出)"
        "|(?:暂缓|暂不|不予|停止)(?:领取|发放|发证)"
        "|(?:此|本|该)(?:条|行|项|笔|记录|登记)(?:已|现)?(?:作废|无效|撤回|取消)"
    ),
    re.compile(
        "(?:已经|已|现已|今日|现|\\d+日|于[^，,。；;通]{0,16}|已于[^，,。；;通]{0,16})"
        "(?:本人)?(?:补领|领取|领(?!证)|签收|补签)|补发后(?:已)?领取"
    ),
    _not_collected_rule,
    "§四.(六)1",
    re.compile("[领領签簽交发發缓緩废廢效回消]"),
    effective_after=True,
    not_yet="不待拟如若未需知得能可予绝",
    anywhere=re.compile("(?:由[^，,。；;]{0,8})?代领|代为领取|(?:单位|集体)?统一领取"),
)
"""A row its remarks say was not handed over (未领取，暂缓发放): loaded, the certificate would
count as collected and its blank as used. Said collected after that (逾期未领，今日补领; 当时未签收，
已补签), it was; what is still to come (待单位统一领取, 通知后领取) is no collection."""


def _check_row(
    record: Record,
    number: str | None,
    known: _Known,
    problems: list[Problem],
    unread: Iterable[tuple[str, Cell]] = (),
) -> Collection | None:
    """``unread``: the row's cells in columns the layout does not read (its 备注)."""
    start = len(problems)
    values = record.values
    if withheld := NOT_COLLECTED.problem(record.row, unread):
        problems.append(withheld)

    def fail(
        column: str, value: Cell, rule: str, clause: str = "§四.(六)1", waits: bool = False
    ) -> None:
        problems.append(Problem(record.row, column, text(value), rule, clause, waits))

    written = values.get("证书编号")
    if number is not None:
        _check_number(number, written, record.row, known, fail, values.get("日期"))
    collector = normalise_name(text(values.get("领取人")))
    if not collector:
        fail("领取人", None, "领取人为空：请填写领取证书的人的姓名")
    signature = text(values.get("签名"))
    if lost := digits_lost(values.get("签名")):  # a reference kept as written: every digit
        fail("签名", values.get("签名"), lost, "§四.(三)")
    if not signed(signature):
        fail("签名", values.get("签名"), "领取证书须本人签名；未签名的不能登记为已领取")
    day = _check_day(values.get("日期"), written, number, known, fail)
    if len(problems) > start or number is None or day is None:
        return None
    return {
        "number": number,
        "source_row": record.row,
        "collector": collector,
        "signature": stored_signature(signature),
        "collected_on": day.isoformat(),
    }


def check_collections(
    table: Table, entry: RegisterEntry, context: LoadContext
) -> tuple[list[Problem], list[Collection]]:
    """Every problem of a collection register, and its rows when there is none (SPEC §9)."""
    problems: list[Problem] = []
    numbers: dict[int, str] = {}
    records = []
    for record in table.records:
        if summed := total_in(record, ("序号", "证书编号", "领取人")):
            problems.append(summed)
            continue
        records.append(record)
        written = text(record.values.get("证书编号"))
        try:
            numbers[record.row] = str(parse(written))
        except MalformedNumber as exc:
            problems.append(Problem(record.row, "证书编号", written, f"{exc}（附件3）", "附件3"))
    listed = sorted(set(numbers.values()))
    known = _Known(
        entry,
        context.today,
        _certificates(context.conn, listed),
        _collected_elsewhere(context.conn, entry.key, listed),
    )
    # 备注: 未领取 — a loaded row's too: a collection, unlike a status change, is undone by a
    # version without it, so the refusal's way out (delete the row) puts the registry right
    unread = table.unread_by_row()
    rows = [
        _check_row(record, numbers.get(record.row), known, problems, unread.get(record.row, ()))
        for record in records
    ]
    collected = [row for row in rows if row is not None]
    if not problems:  # a record keeping two of its number, its collector, its day: a version
        weights: dict[tuple[str, ...], int] = {
            ("number",): 1,
            ("collector",): 1,
            ("collected_on",): 1,
        }
        problems = like_none(
            context.conn, entry, "collections", collected, weights, 2, "本证书的领取", "§四.(六)1"
        )
    return problems, collected


def apply_collections(
    conn: sqlite3.Connection, entry: RegisterEntry, rows: list[Collection], sync_id: int, at: str
) -> Applied:
    return replace_rows(conn, "collections", entry.key, rows, "number", sync_id)


KIND: Kind[Table, list[Collection]] = Kind(
    layout=LAYOUT,
    check_alone=keep_table,
    validate=check_collections,
    apply=apply_collections,
)
