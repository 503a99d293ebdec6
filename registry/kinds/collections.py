"""The ``collections`` register: 领取登记、签名 — who collected which certificate, and when (§四.(六)1).

A certificate is collected once, against a signature (`registry.kinds.collection_signatures`),
and only a certificate the registry holds can be collected (`registry.kinds.collection_numbers`).
The record is internal: staff see it in Datasette; the public check
(`registry.public.lookup`) never reads this table.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable

from registry.domain.names import normalise_name
from registry.domain.numbers import MalformedNumber, parse
from registry.domain.problems import Problem
from registry.domain.registers import COLLECTIONS
from registry.kinds.base import (
    Kind,
    LoadContext,
    RegisterEntry,
    keep_table,
    like_none,
)
from registry.kinds.cells import digits_lost
from registry.kinds.collection_numbers import Known, check_day, check_number, known_to
from registry.kinds.collection_signatures import signed, stored_signature
from registry.kinds.not_records import total_in
from registry.kinds.withheld import Withholding
from registry.sheets.cells import Cell, text
from registry.sheets.layout import Column, Layout
from registry.sheets.table import Record, Table
from registry.store.blanks import replace_rows
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
    known: Known,
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
        check_number(number, written, record.row, known, fail, values.get("日期"))
    collector = normalise_name(text(values.get("领取人")))
    if not collector:
        fail("领取人", None, "领取人为空：请填写领取证书的人的姓名")
    signature = text(values.get("签名"))
    if lost := digits_lost(values.get("签名")):  # a reference kept as written: every digit
        fail("签名", values.get("签名"), lost, "§四.(三)")
    if not signed(signature):
        fail("签名", values.get("签名"), "领取证书须本人签名；未签名的不能登记为已领取")
    day = check_day(values.get("日期"), written, number, known, fail)
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
    known = known_to(context.conn, entry, context.today, listed)
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
