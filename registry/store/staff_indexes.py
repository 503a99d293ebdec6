"""The indexes of the verification log's ``checks`` that staff's pages and queries read: only a
log staff browse has them (`datasette_config.launch`, `certreg collect-logs`); a replica's log is
written without them, each one more B-tree insert a check."""

from __future__ import annotations

import sqlite3

import sqlite_utils

STAFF_INDEXES: tuple[tuple[str, ...], ...] = (
    ("client", "at"),
    ("number",),
    ("key_id", "at"),
    ("result", "at", "client", "number", "name_hash"),
    ("channel",),
    ("mismatched", "at"),
    ("client",),
    ("client", "result", "channel", "mismatched"),
    ("number", "at", "result", "client", "mismatched"),
    ("result",),
)
"""The indexes of ``checks`` that staff's queries and pages read (Datasette: suspicious clients,
checks of a reported number, API keys' daily use, the failed checks of the last days — which
otherwise walked a year's log of two million checks in number order, 5 s —, the table's facets
by result and channel, 0.6–0.8 s each without an index; the checks whose paper did not match
what the registry holds, a forged paper with a real number and name, by ``mismatched``; the
checks of one client, the newest first, by ``client`` alone — its rows then come in ``id`` order,
where ``(client, at)`` sorted all of a client's checks to show the newest hundred: 1.2 s for a
client of 1.5 million checks, the page staff reach from 可疑查验流量 —, and that page's facets
counted from ``(client, result, channel, mismatched)`` without reading the table: 0.4 s each
before, past the page's second). Only a
log staff browse has them: each costs every check a B-tree insert — ``number`` and ``client`` at
random places, some 50 µs of writer CPU a row on a log of a million rows (bench/RESULTS.md);
``result`` and ``channel``, of a few values, at the end of their value's run — so a replica's
log, which staff read only once ``certreg collect-logs`` has merged it into the registry host's,
is written without them.

``(result, at)`` carries ``client, number, name_hash``: suspicious clients' no_match counts and
屡查不符的证书编号's failures are read from the index alone, not 400,000 rows of the table
(an attack's hours: 3–4 s → 0.5 s); the same place in the B-tree, a longer entry (~7 µs of
writer CPU a check). The last, `NAMED_NUMBER_INDEX`, holds only checks with a name
(``name_hash != ''``): 查验最多的证书编号 counts a week's checks by number on it without reading
the table (2 s → 0.5 s on two million); one more B-tree insert a check at a random place, ~18 µs
of writer CPU (`CheckLog`, 30,000 random checks on a log of 1.9 million: ~36 → ~61 µs in all).
``result`` alone: its checks in ``id`` order, the newest first without sorting them — the table
filtered to one result (400,000 no_match of an attack) sorted every one to show 100, 0.4 s."""
NAMED_NUMBER_INDEX = "idx_checks_named_number"
"""The partial index of the checks with a name, by number and time. The queries name no index
(``INDEXED BY`` refused a log without it — a replica's, one browse could not write — where
plain SQL is only slower): 查验最多的证书编号 compares ``+result``, so that the planner takes
this one and not ``(result, at)``, a sort of the week."""
_PARTIAL: dict[tuple[str, ...], tuple[str, str]] = {
    ("number", "at", "result", "client", "mismatched"): (NAMED_NUMBER_INDEX, "name_hash != ''"),
}
_SUPERSEDED = ("idx_checks_result_at",)
"""Staff indexes an older certreg made that a longer one of `STAFF_INDEXES` now serves."""


def ensure_staff_indexes(conn: sqlite3.Connection) -> None:
    """Create `STAFF_INDEXES` where missing (the first time on a long log takes a while), and
    drop those they supersede (each one more B-tree insert a check)."""
    checks = sqlite_utils.Database(conn).table("checks")
    for columns in STAFF_INDEXES:
        if columns in _PARTIAL:
            name, where = _PARTIAL[columns]
            listed = ", ".join(f'"{c}"' for c in columns)
            conn.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "checks" ({listed}) WHERE {where}'
            )
        else:
            checks.create_index(columns, if_not_exists=True)
    for name in _SUPERSEDED:
        conn.execute(f'DROP INDEX IF EXISTS "{name}"')
