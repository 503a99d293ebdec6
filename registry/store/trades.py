"""The trade catalogue the registry's registers were checked with (§四.(三)), kept in the registry.

A paper's 工种 typed into the public confirmation is matched with the standard names and aliases
the sync used — an administrator's official catalogue, which replicas receive with the registry —
not with the starting list shipped in the package: with that list, a trade the official catalogue
keeps apart was confirmed as a match, and an official trade the list lacks as a mismatch.
"""

from __future__ import annotations

import sqlite3

from registry.domain.trades import BUILTIN_SOURCE, TradeCatalogue, builtin_catalogue

STORED_SOURCE = "登记库中的工种目录"


def replaced_catalogue(conn: sqlite3.Connection, catalogue: TradeCatalogue) -> str | None:
    """The source of the catalogue the registry holds when ``catalogue`` is to replace it
    (``""`` for a registry that holds none), None when it is not. One built on the shipped
    starting list (with an office's additions, or none) never replaces a named catalogue another
    sync stored — an office that syncs without naming it (a folder without ``trades =``) must
    not put the starting list back in place of the official one — nor one built on the
    starting list with more in it (the additions an earlier sync stored)."""
    rows = _rows(catalogue)
    kept = conn.execute(
        "SELECT spelling, name, code, source FROM trades ORDER BY spelling"
    ).fetchall()
    held = [(spelling, name, code) for spelling, name, code, _ in kept]
    if held == rows:
        return None
    if kept and catalogue.source.startswith(BUILTIN_SOURCE):
        if not _built_in(kept[0][3], held) or set(rows) < set(held):
            return None
    return (kept[0][3] or STORED_SOURCE) if kept else ""


def keep_catalogue(conn: sqlite3.Connection, catalogue: TradeCatalogue) -> bool:
    """Store the catalogue a sync checks rosters with, in the caller's transaction, when it is
    to replace the registry's (`replaced_catalogue`); whether it did."""
    if replaced_catalogue(conn, catalogue) is None:
        return False
    rows = _rows(catalogue)
    conn.execute("DELETE FROM trades")
    conn.executemany(
        "INSERT INTO trades (spelling, name, code, source) VALUES (?, ?, ?, ?)",
        [(*row, catalogue.source) for row in rows],
    )
    return True


def _built_in(source: str | None, held: list[tuple[str, str, str | None]]) -> bool:
    """Whether the stored catalogue is built on the shipped list (one stored before its source
    was recorded: when it is the shipped list itself)."""
    if source is not None:
        return source.startswith(BUILTIN_SOURCE)
    return held == _rows(builtin_catalogue())


def _rows(catalogue: TradeCatalogue) -> list[tuple[str, str, str | None]]:
    """(spelling, standard name, code) of every spelling, as ``trades`` holds them, in order."""
    return sorted(
        (spelling, name, catalogue.codes.get(name)) for spelling, name in catalogue.standard.items()
    )


def unlisted_in_use(conn: sqlite3.Connection, catalogue: TradeCatalogue) -> list[tuple[str, int]]:
    """The trades registered certificates carry that ``catalogue`` does not list, each with how
    many carry it (the ``(trade, status)`` index, read whole: once per catalogue replaced)."""
    counts = conn.execute("SELECT trade, count(*) FROM certificates GROUP BY trade").fetchall()
    return [(trade, n) for trade, n in counts if trade and catalogue.resolve(trade) is None]


def held_catalogue(conn: sqlite3.Connection) -> TradeCatalogue | None:
    """The catalogue a sync that names none checks rosters with, from what the registry holds:
    one an administrator named, as stored, under the name it was stored with; one built on the
    shipped starting list, that list (this certreg's) with the trades and aliases an earlier
    sync added (``--trades-extra`` given once: the next sync, naming none, refused a roster for
    a trade the registry's catalogue listed). None when the registry holds no more than the
    starting list. A sync naming none checked rosters against the starting list, which the
    official catalogue may keep apart or lack."""
    try:
        row = conn.execute("SELECT source FROM trades LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # a registry written before the catalogue was kept
        return None
    catalogue = stored_catalogue(conn) if row is not None else None
    if catalogue is None:
        return None
    if row[0] is not None and not row[0].startswith(BUILTIN_SOURCE):
        catalogue.source = row[0]
        return catalogue
    shipped = builtin_catalogue()
    added = {s: name for s, name in catalogue.standard.items() if s not in shipped.standard}
    if not added:
        return None
    shipped.standard.update(added)
    for name in added.values():
        if name in catalogue.codes:
            shipped.codes.setdefault(name, catalogue.codes[name])
    shipped.source = row[0] or STORED_SOURCE
    return shipped


def stored_catalogue(conn: sqlite3.Connection) -> TradeCatalogue | None:
    """The catalogue of the last register loaded; None for a registry that has none yet."""
    try:
        rows = conn.execute("SELECT spelling, name, code FROM trades").fetchall()
    except sqlite3.OperationalError:  # a registry written before the catalogue was kept
        return None
    if not rows:
        return None
    catalogue = TradeCatalogue(STORED_SOURCE)
    for spelling, name, code in rows:
        catalogue.standard[spelling] = name
        if code:
            catalogue.codes[name] = code
    return catalogue
