"""Summaries of the registry that the sync keeps up to date, so that staff pages stay fast at a
million certificates (issue #15).

Staff count certificates per region, level and year, per approval document, and reconcile blank
certificates (`registry.store.stock`). Computed from the certificates on every page view, each of
those read the whole registry (seconds at a million rows). Instead, every register's write
refreshes the summary rows that register feeds, in the same transaction (`refresh`, called by
the sync right after the register's kind wrote it), so a rejected or rolled-back register
changes no summary, and a page reads a few thousand summary rows:

- ``certificate_tally``: per register, its certificates counted per region, level, year code,
  approval document, issue date and authority. Only the register itself changes these: a status
  change never moves a certificate to another register, level, year or document, and the
  certificates a status change creates (a new number) are its own register's.
- ``facet_tally``: per register, its certificates counted per value of the columns staff facet
  and filter the certificates table by (`registry.store.schema.FACET_TALLIED`), with the status.
  A register's load recounts its own rows, those of the registers holding the certificates that
  replaced its own (a corrected 工种 is carried to them), and, for a status-changes register,
  those of the registers whose certificates its events changed.
- ``stock_parts``: the reconciliation's other figures, per register they come from (``source``):
  the blanks a requisition or dispatch register asked for, was approved or handed out; the
  certificates of each roster a collection register records as collected; and, under source
  ``''``, what the status changes make of those — blanks spoiled (换发) and used (补发), and the
  corrections to "current" and "collected" for the few certificates an event touched. A
  roster's certificates count as current until an event touches them, so this last part is
  kept per touched certificate (``changed_parts``): a status-change register's load recomputes
  the certificates its events touch, a collection register's those whose collection it changed,
  and their totals are summed again (a row per touched certificate, not a million).

A certificate's recipient is not stored: it is the roster's ``unit`` or the region's city, read
when the reconciliation is (the ``stock`` view), so a new version of a roster naming another
unit moves its figures at once. `rebuild` recomputes every summary from the registry (a registry
made before the summaries existed gets them on its first write connection).
"""

from __future__ import annotations

import json
import sqlite3

from registry.domain.levels import LETTER_OF_QUANTITY
from registry.domain.regions import PROVINCE
from registry.domain.registers import (
    COLLECTIONS,
    DISPATCHES,
    REQUISITIONS,
    ROSTER_KINDS,
    STATUS_CHANGES,
    sql_list,
)
from registry.domain.statuses import APPROVED, EXCHANGE, REISSUE, REVOKED, VALID
from registry.store.schema import FACET_TALLIED
from registry.store.schema_stock import QUANTITY_FIELDS

TALLIED = ("region", "letter", "level", "year_code", "approval_doc", "issued_on", "authority")
"""What ``certificate_tally`` counts certificates by (all fixed by the certificate's register)."""

_TALLY = (
    f"INSERT INTO certificate_tally (register, {', '.join(TALLIED)}, certificates)"
    f" SELECT register, {', '.join(TALLIED)}, sum(certificates) FROM facet_tally"
)
"""Summed from ``facet_tally`` (its columns among them): a register's rows are read once."""
_ROSTERS = sql_list(ROSTER_KINDS)
_FACETS = (
    f"INSERT INTO facet_tally (register, {', '.join(FACET_TALLIED)}, certificates)"
    f" SELECT register, {', '.join(FACET_TALLIED)}, count(*) FROM certificates"
)
_TOUCHED_REGISTERS = (
    "SELECT DISTINCT c.register FROM status_events e JOIN certificates c ON c.number = e.number"
    " WHERE e.register = ?"
)
_SUCCESSORS_REGISTERS = """
WITH RECURSIVE following(number) AS (
    SELECT successor FROM certificates WHERE register = ? AND successor IS NOT NULL
    UNION  -- (a lookup per step, as in _CHANGED_PARTS: not a Bloom filter built per step)
    SELECT (SELECT successor FROM certificates WHERE number = following.number) AS next
    FROM following WHERE next IS NOT NULL
)
SELECT DISTINCT c.register FROM following JOIN certificates c ON c.number = following.number
"""


def _facets(conn: sqlite3.Connection, register: str, kind: str) -> None:
    """Recount ``facet_tally`` for ``register``; for the registers of the certificates that
    replaced its own, down each chain (a corrected 工种 is carried to them,
    `registry.store.certificates.CARRIED`); and, when it changes statuses, for the registers of
    the certificates its events name: a 换发, 补发 or 撤销 moves another register's certificate
    to another status (its new number is the status register's own). Events are never undone,
    so every certificate whose status any version of ``register`` changed is among them."""
    registers = {register, *(r for (r,) in conn.execute(_SUCCESSORS_REGISTERS, (register,)))}
    if kind == STATUS_CHANGES:
        registers |= {r for (r,) in conn.execute(_TOUCHED_REGISTERS, (register,))}
    for key in sorted(registers):
        conn.execute("DELETE FROM facet_tally WHERE register = ?", (key,))
        conn.execute(f"{_FACETS} WHERE register = ? GROUP BY {', '.join(FACET_TALLIED)}", (key,))


def _tally(conn: sqlite3.Connection, register: str) -> None:
    """Recount a register's certificates from its ``facet_tally`` rows (`_facets` first)."""
    conn.execute("DELETE FROM certificate_tally WHERE register = ?", (register,))
    conn.execute(f"{_TALLY} WHERE register = ? GROUP BY {', '.join(TALLIED)}", (register,))


def per_level(table: str, figures: str, where: str = "") -> str:
    """One row per level out of a blank-certificate table's rows, which have a column per level
    (the forms' layout, 附件1/附件2): recipient, region, letter, then ``figures``, in which
    ``{field}`` is that level's column."""
    return "\n    UNION ALL ".join(
        f"SELECT recipient, coalesce(city, '{PROVINCE}') AS region, '{letter}' AS letter, "
        + figures.format(field=QUANTITY_FIELDS[column])
        + f" FROM {table} {where}"
        for column, letter in LETTER_OF_QUANTITY.items()
    )


def _per_level(table: str, figures: str) -> str:
    """`per_level` of one register's rows."""
    return per_level(table, figures, "WHERE register = :register")


_BLANKS = {
    REQUISITIONS: (
        "requested, approved",
        _per_level(
            "requisitions",
            f"{{field}} AS requested, CASE WHEN status = '{APPROVED}' THEN {{field}} ELSE 0 END"
            " AS approved",
        ),
    ),
    DISPATCHES: ("dispatched", _per_level("dispatches", "{field} AS dispatched")),
}
"""Per kind: the figures a blank-certificate register gives, and the rows giving them. A
requisition counts as approved once the province agreed (``status`` approved)."""


def _blanks(conn: sqlite3.Connection, register: str, kind: str) -> None:
    figures, rows = _BLANKS[kind]
    totals = ", ".join(f"sum({figure})" for figure in figures.split(", "))
    conn.execute("DELETE FROM stock_parts WHERE source = :register", {"register": register})
    conn.execute(
        f"INSERT INTO stock_parts (source, recipient, region, letter, {figures})"
        f" SELECT :register, recipient, region, letter, {totals} FROM ({rows})"
        " GROUP BY recipient, region, letter",
        {"register": register},
    )


_COLLECTED = """
INSERT INTO stock_parts (source, roster, region, letter, collected)
SELECT k.register, c.register, c.region, c.letter, count(*)
FROM collections k JOIN certificates c ON c.number = k.number
WHERE k.register = :register
GROUP BY c.register, c.region, c.letter
"""


def _collected(conn: sqlite3.Connection, register: str) -> None:
    """The certificates a collection register records, per register they belong to (the stock
    view counts those of rosters; a new number's collection is in the status changes' part)."""
    conn.execute("DELETE FROM stock_parts WHERE source = :register", {"register": register})
    conn.execute(_COLLECTED, {"register": register})


CHANGED = ""
"""The ``source`` of the part of ``stock_parts`` the status changes make."""

_TOUCHED_ALL = """
    SELECT number FROM status_events
    UNION SELECT new_number FROM status_events WHERE new_number IS NOT NULL
"""
_TOUCHED_OF = """
    SELECT value FROM json_each(:numbers) WHERE
    EXISTS (SELECT 1 FROM status_events WHERE number = value)
    OR EXISTS (SELECT 1 FROM status_events WHERE new_number = value)
"""
_CHANGED_PARTS = f"""
WITH RECURSIVE
touched(number) AS ({{touched}}),
up(number, at) AS (  -- each touched certificate and every number it replaced, back to its root
    SELECT number, number FROM touched
    UNION ALL  -- (a lookup per step: a join here makes SQLite 3.40 build a Bloom filter per step)
    SELECT number, (SELECT predecessor FROM certificates WHERE number = up.at) AS before FROM up
    WHERE before IS NOT NULL
),
held(number, roster, region, letter) AS (
    SELECT up.number, root.register, root.region, root.letter
    FROM up JOIN certificates root ON root.number = up.at
    JOIN registers g ON g.key = root.register
    WHERE root.predecessor IS NULL AND g.kind IN {_ROSTERS}
)
INSERT INTO changed_parts
    (number, roster, region, letter, spoiled, used, current, from_roster, collected)
SELECT h.number, h.roster, h.region, h.letter,
    (SELECT count(*) FROM status_events e WHERE e.number = h.number AND e.type = '{EXCHANGE}'),
    (SELECT count(*) FROM status_events e WHERE e.number = h.number AND e.type = '{REISSUE}'),
    (c.successor IS NULL AND coalesce(c.status, '{VALID}') <> '{REVOKED}'),
    coalesce(g.kind IN {_ROSTERS}, 0),
    EXISTS (SELECT 1 FROM collections k WHERE k.number = h.number)
FROM held h JOIN certificates c ON c.number = h.number
LEFT JOIN registers g ON g.key = c.register
"""
"""For each touched certificate that descends from a roster's: the events that spoiled (换发)
or used (补发) a blank, and its state against the untouched roster certificate the tally
takes it for — current (not replaced, not revoked), a roster's or a new number, collected. Its
figures go to its root roster certificate's recipient and level."""

_CHANGED_TOTALS = f"""
INSERT INTO stock_parts (source, roster, region, letter, spoiled, used, current, collected)
SELECT '{CHANGED}', roster, region, letter, sum(spoiled), sum(used),
    sum(current - from_roster), sum((current - from_roster) * collected)
FROM changed_parts GROUP BY roster, region, letter
"""


_OWN_EVENTS = (
    "SELECT number FROM status_events WHERE register = :r"
    " UNION SELECT new_number FROM status_events WHERE register = :r AND new_number IS NOT NULL"
)
_COLLECTION_CHANGED = (  # only a collection register changes whether a certificate is collected
    "SELECT number FROM changed_parts p"
    " WHERE collected <> EXISTS (SELECT 1 FROM collections k WHERE k.number = p.number)"
)


def _changed(conn: sqlite3.Connection, register: str | None = None, kind: str = "") -> None:
    """Bring the status changes' part of the stock up to date: the figures of the certificates
    ``register``'s events touch (or, for a collection register, of the touched certificates
    whose collection it changed; None: of every one), then their totals. Recomputed from every
    status event, each register's load took 10 µs an event ever made — a second at 100,000."""
    if register is None:
        conn.execute("DELETE FROM changed_parts")
        conn.execute(_CHANGED_PARTS.format(touched=_TOUCHED_ALL))
    else:
        query = _COLLECTION_CHANGED if kind == COLLECTIONS else _OWN_EVENTS
        numbers = [number for (number,) in conn.execute(query, {"r": register})]
        chosen = {"numbers": json.dumps(numbers)}
        conn.execute(
            "DELETE FROM changed_parts WHERE number IN (SELECT value FROM json_each(:numbers))",
            chosen,
        )
        conn.execute(_CHANGED_PARTS.format(touched=_TOUCHED_OF), chosen)
    conn.execute("DELETE FROM stock_parts WHERE source = ?", (CHANGED,))
    conn.execute(_CHANGED_TOTALS)


def _statistics(conn: sqlite3.Connection) -> None:
    """Take the query planner's statistics of ``certificates`` (ANALYZE, a second at a million
    rows) when there are none or the table has doubled since: without them SQLite may read a
    filter of the staff's (地区 and 等级) through the index of the commoner value, a quarter of
    the registry instead of a twentieth; taken at each doubling, they cost about twice one
    final ANALYZE over the whole life of a registry."""
    (count,) = conn.execute(
        "SELECT coalesce(sum(certificates), 0) FROM certificate_tally"
    ).fetchone()
    taken = None
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        # the rows the statistics saw: the most any index has (a partial index, of the dotted
        # names, has a few, and read first it had the statistics taken again on every register)
        (taken,) = conn.execute(
            "SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1"
            " WHERE tbl = 'certificates' AND idx IS NOT NULL"
        ).fetchone()
    if count and (taken is None or count >= 2 * taken):
        conn.execute("ANALYZE certificates")


def refresh(conn: sqlite3.Connection, register: str, kind: str) -> None:
    """Bring the summaries up to date with what ``register`` (of ``kind``) just wrote.

    Called inside the register's transaction right after its write, so the summaries change
    with the register or not at all."""
    if kind in (*ROSTER_KINDS, STATUS_CHANGES):
        _facets(conn, register, kind)
        _tally(conn, register)
        _statistics(conn)
    if kind in _BLANKS:
        _blanks(conn, register, kind)
    if kind == COLLECTIONS:
        _collected(conn, register)
    if kind in (STATUS_CHANGES, COLLECTIONS):
        _changed(conn, register, kind)


def rebuild(conn: sqlite3.Connection) -> None:
    """Recompute every summary from the registry, inside the caller's transaction."""
    conn.execute("DELETE FROM facet_tally")
    conn.execute(f"{_FACETS} GROUP BY register, {', '.join(FACET_TALLIED)}")
    conn.execute("DELETE FROM certificate_tally")
    conn.execute(f"{_TALLY} GROUP BY register, {', '.join(TALLIED)}")
    conn.execute("DELETE FROM stock_parts")
    registers = conn.execute(
        f"SELECT key, kind FROM registers WHERE kind IN {sql_list((*_BLANKS, COLLECTIONS))}"
    ).fetchall()
    for register, kind in registers:
        if kind == COLLECTIONS:
            conn.execute(_COLLECTED, {"register": register})
        else:
            _blanks(conn, register, kind)
    _changed(conn)
    _statistics(conn)
