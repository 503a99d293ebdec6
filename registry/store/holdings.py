"""What the registry says is held: the certificates a holder holds (§二: one per person, trade and
level), and what ended a certificate — read by the roster and status-change checks, by
``certreg number`` and by the conflict report of a corrected roster, in one place each."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from functools import partial

from registry.domain.names import holder_key
from registry.domain.statuses import REVOKED, SUPERSEDED
from registry.domain.trades import TradeCatalogue
from registry.store.by_number import rows_by_number
from registry.store.schema import DOTLESS_KEY, DOTTED_KEY

Holder = tuple[str, str, str, str]
"""(name key, birth year-month, standard trade, level letter): the registry's holder index"""

_HOLDING = (
    f" AND birth = ? AND letter = ? AND number <> ? AND status NOT IN ('{REVOKED}', '{SUPERSEDED}')"
)
_HELD = (
    f"SELECT number, register, trade FROM certificates WHERE name_key IN (?, ?){_HOLDING}"
    " UNION SELECT number, register, trade FROM certificates"
    f" WHERE {DOTLESS_KEY.format('name_key')} = ? AND {DOTTED_KEY.format('name_key')}{_HOLDING}"
    " ORDER BY number"
)
"""By the holder index, the name key as it is and without a minority name's dots; and by the
index of dotted names (`registry.store.schema.DOTTED_HOLDERS`), those whose key without its
dots is the name's: 阿依古丽买买提 and 阿依古丽·买买提 are one holder either way round. Their
trade is compared after (`same_trade`): the few certificates a holder key finds."""


def same_trade(catalogue: TradeCatalogue, held: object, trade: object) -> bool:
    """Whether a registered certificate's trade is ``trade``: stored as the catalogue of its
    roster spelt it, it is the same trade under a name the catalogue now keeps as an alias
    (`TradeCatalogue.same`) — a holder's second certificate all the same (§二)."""
    if held == trade:
        return True
    return isinstance(held, str) and isinstance(trade, str) and catalogue.same(held, trade)


def comparing_trades(conn: sqlite3.Connection, catalogue: TradeCatalogue) -> None:
    """Let a query of the holder index compare trades as `same_trade` does, by
    ``same_trade(registered, row's)``: called on the few candidates a holder key finds, after a
    literal comparison fails (a scan of a million certificates never calls it)."""
    conn.create_function("same_trade", 2, partial(same_trade, catalogue), deterministic=True)


def held_by(
    conn: sqlite3.Connection,
    holder: tuple[str, object, object, object],
    catalogue: TradeCatalogue,
    but: str = "",
) -> list[tuple[str, str]]:
    """(number, register) of each certificate ``holder`` holds of that trade and level — revoked
    and replaced ones aside, and ``but`` (the certificate being checked itself) — whatever dots
    its name is written with, or its trade (`same_trade`), in number order."""
    key, birth, trade, letter = holder
    dotless = holder_key(key)
    rest = (birth, letter, but)
    found = conn.execute(_HELD, (key, dotless, *rest, dotless, *rest)).fetchall()
    return [
        (number, register) for number, register, held in found if same_trade(catalogue, held, trade)
    ]


_RENAMED = (
    "SELECT o.name_key, o.birth, o.number FROM certificates o"
    " JOIN certificates n ON n.number = o.successor"
    f" WHERE o.status = '{SUPERSEDED}' AND (n.name_key IS NOT o.name_key OR n.birth IS NOT o.birth)"
)


def renamed_holders(conn: sqlite3.Connection) -> dict[tuple[str, object], list[str]]:
    """(name key without dots, birth) → the certificates a 换发 replaced under a corrected name
    or birth. Their holder, as first registered, holds the newest certificate of the chain
    (`newest_held`), which the holder index finds under the corrected name and birth only.
    Read once per roster that has a new holder: the status index gives every replaced
    certificate (1–2% of a registry; 0.17 s at 200,000 of a million, by a reviewer's measure)."""
    found: dict[tuple[str, object], list[str]] = {}
    for key, birth, number in conn.execute(_RENAMED):
        found.setdefault((holder_key(key), birth), []).append(number)
    return found


def newest_held(
    conn: sqlite3.Connection, number: str, trade: object, letter: str, catalogue: TradeCatalogue
) -> str | None:
    """The newest certificate that replaced ``number``, when it is held (not revoked) and of
    ``trade`` (`same_trade`) and ``letter``."""
    for _ in range(100):  # a chain is a few steps long; never loop on a malformed one
        row = conn.execute(
            "SELECT successor, status, trade, letter FROM certificates WHERE number = ?", (number,)
        ).fetchone()
        if row is None:  # a successor never registered: no registry certreg writes
            return None
        successor, status, held_trade, held_letter = row
        if status != SUPERSEDED or not successor:
            break
        number = successor
    held = status != REVOKED and held_letter == letter
    return number if held and same_trade(catalogue, held_trade, trade) else None


def held_as_first_registered(
    conn: sqlite3.Connection,
    earlier: dict[tuple[str, object], list[str]],
    holder: tuple[str, object, object, str],
    catalogue: TradeCatalogue,
) -> Iterator[tuple[str, str]]:
    """(old, newest) for each certificate of ``earlier`` (`renamed_holders`) registered to
    ``holder``'s name and birth before a 换发 corrected them, whose newest certificate of the
    holder's trade and level they hold."""
    key, birth, trade, letter = holder
    for old in earlier.get((holder_key(key), birth), ()):
        if newest := newest_held(conn, old, trade, letter, catalogue):
            yield old, newest


def renamed_rule(old: str, newest: str) -> str:
    """§二's refusal of a holder known by a name or birth a 换发 corrected: ``newest`` is theirs
    (a 补发 copy, perhaps, of the corrected certificate)."""
    return (
        f"此人按原登记的姓名、出生年月已持有同一工种、等级的证书：证书 {old} 换发时更正了姓名"
        f"或出生年月，现为 {newest}；同一人同一等级只发一本证书"
    )


def endings(conn: sqlite3.Connection, numbers: list[str]) -> dict[str, str]:
    """number → what already ended it, for those of ``numbers`` revoked or replaced: a clerk is
    not told to revoke a certificate that is revoked already."""
    query = (
        "SELECT number, status, status_date, successor FROM certificates"
        " WHERE number IN ({numbers}) AND status IN (?, ?)"
    )
    return {
        number: f"它已于 {date} 撤销"
        if status == REVOKED
        else f"它已于 {date} 由新证书 {successor} 取代"
        for number, status, date, successor in rows_by_number(
            conn, query, numbers, REVOKED, SUPERSEDED
        )
    }
