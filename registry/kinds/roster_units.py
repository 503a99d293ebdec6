"""A provincial roster's ``unit`` against the blank certificates requested and dispatched under
that name: `certreg stock` reconciles by the name, and a roster whose unit no 申领计划 or 发放单
names stood on a line of its own, unbalanced, with nothing said at its load (a clerk's review:
四川省档案馆 for the 四川省档案局 of its requisitions)."""

from __future__ import annotations

import sqlite3
from difflib import get_close_matches

from registry.domain.names import normalise_name
from registry.domain.regions import PROVINCE
from registry.kinds.base import RegisterEntry
from registry.kinds.blanks import recipient

_WITH_BLANKS = "SELECT recipient FROM requisitions UNION SELECT recipient FROM dispatches"


def nearest_recipient(name: str, known: set[str]) -> str | None:
    """The recipient of ``known`` whose name ``name`` most likely meant — never another city's
    bureau for a city's (德阳市 is no misspelling of 绵阳市)."""
    return next(
        (
            close
            for close in get_close_matches(name, sorted(known), 1, 0.5)
            if not (recipient(name).city and recipient(close).city)
        ),
        None,
    )


def unit_notes(conn: sqlite3.Connection, entry: RegisterEntry, before: str | None) -> list[str]:
    """What to tell of a provincial roster's ``unit`` (``before``: the one its last version had,
    when the manifest changed it) that no requisition or dispatch names, while some are loaded.
    The name likely meant is no city's: a city is never a provincial roster's unit (成都铁路局
    was asked 是否为“成都市”, a clerk's review)."""
    if entry.region != PROVINCE or not entry.unit:
        return []
    known = {name for (name,) in conn.execute(_WITH_BLANKS)}
    unit = entry.unit  # as the stock files its certificates: the manifest's, normalised
    if not known or unit in known:
        return []
    old = normalise_name(before) if before else None
    units = {name for name in known if not recipient(name).city}
    close = old if old in known else nearest_recipient(unit, units)
    earlier = f"此前按“{old}”登记时，与其申领、发放对账；" if old in known else ""
    return [
        f"没有“{unit}”的申领计划或发放单（附件1、附件2）：certreg stock 按单位名称对账，"
        f"本名册的证书单列一行，与空白证书对不上账。{earlier}"
        + (
            f"是否为“{close}”？如是，请把 registers.toml 中的 unit 写成申领计划表中的名称"
            if close
            else "请核对 registers.toml 中的 unit 是否与申领计划表中的单位名称一致"
        )
    ]
