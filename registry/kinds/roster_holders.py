"""§二 against the registry: one certificate per person, trade and level. A roster's rows whose
holder (name, birth date, trade, level) already holds one — revoked and superseded ones aside —
are refused, unless their 备注 says it is somebody else; a holder's own 换发/补发 chain is
their one holding, not a second."""

from __future__ import annotations

import sqlite3

from registry.domain.names import holder_key
from registry.domain.problems import Problem
from registry.domain.statuses import REVOKED, SUPERSEDED
from registry.domain.trades import TradeCatalogue
from registry.kinds.base import RegisterEntry
from registry.kinds.roster_remarks import different_person
from registry.kinds.roster_result import RosterResult
from registry.kinds.roster_rules import ANOTHER_PERSON, duplicate_problem
from registry.store.holdings import (
    comparing_trades,
    held_as_first_registered,
    held_by,
    renamed_holders,
    renamed_rule,
)
from registry.store.rows import CertificateRow
from registry.store.schema import DOTLESS_KEY, DOTTED_INDEX, DOTTED_KEY

_MATCHING = (
    " AND c.birth = h.birth AND c.letter = h.letter AND c.number <> h.number"
    f" AND c.predecessor IS NOT h.number AND c.status NOT IN ('{REVOKED}', '{SUPERSEDED}')"
    " AND (c.trade = h.trade OR same_trade(c.trade, h.trade))"
)
"""the trade last: `registry.store.holdings.comparing_trades` resolves what the catalogue now
spells otherwise, for the few certificates the holder index finds"""
_NEW = "NOT EXISTS (SELECT 1 FROM certificates e WHERE e.number = h.number AND e.trade = h.trade)"
"""a row not loaded already: one the register holds keeps its trade as stored when the catalogue
spells it otherwise (`registry.store.certificates.as_registered`), so it is compared as written"""


def _first_held(match: str) -> str:
    return f"(SELECT min(c.number) FROM certificates c WHERE {match}{_MATCHING})"


_HOLDERS = (
    f"SELECT h.source_row, {_first_held('c.name_key = h.name_key')}"
    f" FROM roster_holders h WHERE {_NEW}"
)
"""the registry's first certificate (by number) of each new row's holder, trade and level that
is held (a minority name's other spellings: `_SPELLED`): neither revoked nor superseded (then
the holding is its successor's, if any). A row registered already with that trade was checked when it was first loaded; checking it again
would take the holder's own later certificate — the new number a 换发 or 补发 gave it,
registered under the status-change register — for a second one, and refuse every corrected
version. A row whose trade a corrected version changes is checked again (but not against the
number its own 换发 or 补发 gave): it may have become a second certificate of the new trade. A
new number in a corrected version for a holder the earlier version numbered is a second
certificate like any other: the earlier number stays valid (never deleted), so the holder
would hold two."""

_DOTTED_MATCH = (
    f"{DOTLESS_KEY.format('c.name_key')} = h.name_key AND {DOTTED_KEY.format('c.name_key')}"
)
_SPELLED = (
    f"SELECT h.source_row, {_first_held('c.name_key = h.name_key')},"
    f" {_first_held(_DOTTED_MATCH)} FROM roster_holders h WHERE {_NEW}"
)
"""`_HOLDERS` for the few rows a minority name's dot may hide: ``name_key`` is then the row's
name without its dots, looked for as it is and among the registered names with one."""

_RENUMBERED = (
    "；已发出的证书编号不得涂改（§五.(三)），更正版本不能给此人另编一个号——"
    "如原编号确属错发，请先在换发、补发、撤销登记表（status-changes）中撤销原编号，再导入更正版本"
)
"""What the clerk does when the earlier version of the same register numbered the holder."""


def registered_holders(
    conn: sqlite3.Connection, result: RosterResult, entry: RegisterEntry, catalogue: TradeCatalogue
) -> list[Problem]:
    """§二: a row whose holder already holds a certificate of that trade and level in the
    registry (revoked ones aside) is refused unless its 备注 says it is somebody else — a trade
    registered under a name ``catalogue`` now keeps as an alias is that trade. The rows go to a
    temporary table and each is matched on the holder index by one correlated subquery (as a
    join, SQLite 3.40 first builds a Bloom filter over the whole registry)."""
    rows: list[HolderRow] = [
        (c.name_key, c.birth, c.trade, c.letter, c.number, c.source_row)
        for c in result.certificates
        if not different_person(c.remark)
    ]
    if not rows:
        return []
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS roster_holders"
        " (name_key, birth, trade, letter, number, source_row)"
    )
    conn.execute("DELETE FROM roster_holders")
    conn.executemany("INSERT INTO roster_holders VALUES (?, ?, ?, ?, ?, ?)", rows)
    comparing_trades(conn, catalogue)
    held: dict[int, str | None] = dict(conn.execute(_HOLDERS).fetchall())
    spelled = _spelled_otherwise(conn, rows)
    if spelled:
        conn.execute("DELETE FROM roster_holders")
        conn.executemany("INSERT INTO roster_holders VALUES (?, ?, ?, ?, ?, ?)", spelled)
        for row, *numbers in conn.execute(_SPELLED).fetchall():
            numbers = [n for n in (held.get(row), *numbers) if n is not None]
            held[row] = min(numbers, default=None)
    by_row = {c.source_row: c for c in result.certificates}
    unheld = [by_row[row] for row, number in held.items() if number is None]
    renamed = _held_as_first_registered(conn, unheld, catalogue)
    found = [_renamed_problem(*holding) for holding in renamed]
    for row, number in sorted(held.items()):
        if number is None:
            continue
        certificate = by_row[row]
        (register,) = conn.execute(
            "SELECT register FROM certificates WHERE number = ?", (number,)
        ).fetchone()
        if _descends_from(conn, number, certificate.number):  # its own 换发/补发 chain
            other = _unrelated_holding(conn, certificate, catalogue)
            if other is None:
                continue
            number, register = other
        where = f"登记库中（{number}，名册“{register}”）"
        found.append(
            duplicate_problem(certificate, where, _RENUMBERED if register == entry.key else "")
        )
    conn.execute("DELETE FROM roster_holders")
    return found


def _held_as_first_registered(
    conn: sqlite3.Connection, certificates: list[CertificateRow], catalogue: TradeCatalogue
) -> list[tuple[CertificateRow, str, str]]:
    """(row, old, newest) for each of ``certificates`` (rows the holder index found nothing for)
    whose holder, known by a name or birth a 换发 corrected (`renamed_holders`), holds the
    newest certificate of ``old``'s chain — not the row's own."""
    earlier = renamed_holders(conn) if certificates else {}
    found = []
    for c in certificates if earlier else ():
        holder = (c.name_key, c.birth, c.trade, c.letter)
        for old, end in held_as_first_registered(conn, earlier, holder, catalogue):
            if end != c.number and not _descends_from(conn, end, c.number):
                found.append((c, old, end))
                break
    return found


def _renamed_problem(certificate: CertificateRow, old: str, newest: str) -> Problem:
    rule = f"{renamed_rule(old, newest)}；{ANOTHER_PERSON}"
    return Problem(
        certificate.source_row, "姓名", certificate.name, rule, "§二", number=certificate.number
    )


HolderRow = tuple[str, object, object, str, str, int]
"""A row of ``roster_holders``: name key, birth, trade, level letter, number, source row."""


def _spelled_otherwise(conn: sqlite3.Connection, rows: list[HolderRow]) -> list[HolderRow]:
    """The rows whose holder a minority name's dot may hide — a name with one, or without it
    a registered dotted name's — keyed by the name without its dots (`_SPELLED`). Few: found
    from the index of dotted names, not by a probe of every row (a second a 1M sync)."""
    dotted = {
        key
        for (key,) in conn.execute(
            f"SELECT {DOTLESS_KEY.format('name_key')} FROM certificates"
            f" INDEXED BY {DOTTED_INDEX} WHERE {DOTTED_KEY.format('name_key')}"
        )
    }
    return [
        (key, birth, trade, letter, number, row)
        for name, birth, trade, letter, number, row in rows
        for key in (name if name.isalpha() else holder_key(name),)
        if key != name or key in dotted
    ]


def _descends_from(conn: sqlite3.Connection, number: str, ancestor: str) -> bool:
    """Whether ``number`` came from ``ancestor`` by 换发 or 补发, however many steps ago."""
    for _ in range(100):  # a chain is a few steps long; never loop on a malformed one
        row = conn.execute(
            "SELECT predecessor FROM certificates WHERE number = ?", (number,)
        ).fetchone()
        if row is None or row[0] is None:
            return False
        if row[0] == ancestor:
            return True
        number = row[0]
    return False


def _unrelated_holding(
    conn: sqlite3.Connection, certificate: CertificateRow, catalogue: TradeCatalogue
) -> tuple[str, str] | None:
    """The holder's first held certificate of that trade and level outside the row's own chain."""
    holder = (certificate.name_key, certificate.birth, certificate.trade, certificate.letter)
    candidates = held_by(conn, holder, catalogue, certificate.number)
    return next(
        ((n, r) for n, r in candidates if not _descends_from(conn, n, certificate.number)), None
    )
