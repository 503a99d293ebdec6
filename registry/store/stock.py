"""The blank-certificate reconciliation of SPEC §9: per recipient and level, the blanks requested,
approved and dispatched against the certificates written on them.

The figures live in one place, the SQL view ``stock`` in the registry, so that staff browsing the
registry in Datasette and ``certreg stock`` read the same numbers. The view adds up the summaries
the sync keeps (`registry.store.summaries`), a few rows per register, rather than reading every
certificate; `RECOMPUTED` is the same reconciliation computed from the certificates themselves
(the definition the summaries must agree with, and what the tests compare them to). Per
recipient and level:

- ``requested`` / ``approved``: blanks asked for by all requisitions / by those the province agreed;
- ``dispatched``: blanks handed out against 发放单;
- ``registered``: certificates of the rosters (each used one blank);
- ``spoiled``: 换发 events (the misfilled or damaged certificate is exchanged for a new blank);
- ``used``: 补发 events (a lost certificate is reissued on a new blank);
- ``balance`` = dispatched − registered − spoiled − used: blanks the recipient should still hold;
  negative means more certificates than blanks, which is flagged;
- ``collected`` / ``uncollected``: current certificates (not superseded, not revoked) with and
  without a 领取登记.

A certificate's recipient is its city for city numbers (region 2201–2221, 技师 included) and the
``unit`` of its roster's manifest entry for provincial numbers (region 2200); a certificate that
replaced another (换发/补发 under a new number) inherits the recipient of the one it replaced.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field, replace

import sqlite_utils

from registry.domain.levels import LEVEL_ORDER, LEVELS
from registry.domain.regions import PROVINCE, REGIONS, short_name
from registry.domain.registers import ROSTER_KINDS, sql_list
from registry.domain.statuses import APPROVED, EXCHANGE, REISSUE, REVOKED, VALID
from registry.store import summaries
from registry.store.transactions import transaction

UNNAMED_UNIT = "（未注明单位）"
NEGATIVE = "结余为负：登记的证书多于领到的空白证书"
OVER_APPROVED = "发放超过批准的申领数"


def _values(rows: list[tuple[object, ...]]) -> str:
    def literal(value: object) -> str:
        return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"

    return ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)


_CITIES = _values([(code, short_name(code)) for code in REGIONS if code != PROVINCE])
"""Each city's code and the name its blanks are recorded under (`short_name`, as
`registry.kinds.blanks.recipient` records them): a roster's certificates count under the name
of its city's requisitions and dispatches, whichever name the regions file gives."""

_REQUESTED = summaries.per_level(
    "requisitions", f"{{field}}, CASE WHEN status = '{APPROVED}' THEN {{field}} ELSE 0 END"
)
_DISPATCHED = summaries.per_level("dispatches", "{field}")

RECOMPUTED = f"""
WITH
cities(code, name) AS (VALUES {_CITIES}),
levels(letter, level, position) AS (
    VALUES {_values([(x, LEVELS[x], i) for i, x in enumerate(LEVEL_ORDER)])}
),
requested(recipient, region, letter, requested, approved) AS (
    {_REQUESTED}
),
dispatched(recipient, region, letter, dispatched) AS (
    {_DISPATCHED}
),
roster AS (
    SELECT c.number, c.letter, c.region,
        coalesce(city.name, nullif(g.unit, ''), '{UNNAMED_UNIT}') AS recipient
    FROM certificates c JOIN registers g ON g.key = c.register
    LEFT JOIN cities city ON city.code = c.region
    WHERE g.kind IN {sql_list(ROSTER_KINDS)}
),
replaced(number, root) AS (
    SELECT successor, number FROM certificates WHERE successor IS NOT NULL
    UNION
    SELECT c.successor, p.root FROM replaced p JOIN certificates c ON c.number = p.number
    WHERE c.successor IS NOT NULL
),
held AS (
    SELECT number, recipient, region, letter FROM roster
    UNION ALL
    SELECT p.number, r.recipient, r.region, r.letter FROM replaced p JOIN roster r ON r.number = p.root
),
events AS (
    SELECT h.recipient, h.region, h.letter, e.type
    FROM status_events e JOIN held h ON h.number = e.number
    WHERE e.type IN ('{EXCHANGE}', '{REISSUE}')
),
outstanding AS (
    SELECT h.recipient, h.region, h.letter, (k.number IS NOT NULL) AS collected
    FROM held h JOIN certificates c ON c.number = h.number
    LEFT JOIN collections k ON k.number = h.number
    WHERE c.successor IS NULL AND coalesce(c.status, '{VALID}') <> '{REVOKED}'
),
figures(recipient, region, letter, requested, approved, dispatched, registered, spoiled, used,
        collected, uncollected) AS (
    SELECT recipient, region, letter, requested, approved, 0, 0, 0, 0, 0, 0 FROM requested
    UNION ALL SELECT recipient, region, letter, 0, 0, dispatched, 0, 0, 0, 0, 0 FROM dispatched
    UNION ALL SELECT recipient, region, letter, 0, 0, 0, 1, 0, 0, 0, 0 FROM roster
    UNION ALL SELECT recipient, region, letter, 0, 0, 0, 0, type = '{EXCHANGE}', type = '{REISSUE}', 0, 0
        FROM events
    UNION ALL SELECT recipient, region, letter, 0, 0, 0, 0, 0, 0, collected, 1 - collected
        FROM outstanding
),
totals AS (
    SELECT recipient, max(region) AS region, letter,
        sum(requested) AS requested, sum(approved) AS approved, sum(dispatched) AS dispatched,
        sum(registered) AS registered, sum(spoiled) AS spoiled, sum(used) AS used,
        sum(collected) AS collected, sum(uncollected) AS uncollected
    FROM figures GROUP BY recipient, letter
)
SELECT t.recipient, t.region, l.level, t.letter, t.requested, t.approved, t.dispatched,
    t.registered, t.spoiled, t.used,
    t.dispatched - t.registered - t.spoiled - t.used AS balance,
    t.collected, t.uncollected,
    CASE WHEN t.dispatched - t.registered - t.spoiled - t.used < 0 THEN '{NEGATIVE}'
         WHEN t.dispatched > t.approved THEN '{OVER_APPROVED}' END AS flag
FROM totals t JOIN levels l ON l.letter = t.letter
WHERE t.requested + t.dispatched + t.registered + t.spoiled + t.used > 0
ORDER BY t.region, t.recipient, l.position
"""
"""The reconciliation computed from the certificates, status events and collections themselves:
what the ``stock`` view must always equal (SPEC §9). Seconds at a million certificates."""


_FIGURES = (
    "requested",
    "approved",
    "dispatched",
    "registered",
    "spoiled",
    "used",
    "current",
    "collected",
)

STOCK_VIEW = f"""
WITH
cities(code, name) AS (VALUES {_CITIES}),
levels(letter, level, position) AS (
    VALUES {_values([(x, LEVELS[x], i) for i, x in enumerate(LEVEL_ORDER)])}
),
parts(roster, recipient, region, letter, {", ".join(_FIGURES)}) AS (
    SELECT register, NULL, region, letter, 0, 0, 0, sum(certificates), 0, 0, sum(certificates), 0
    FROM certificate_tally GROUP BY register, region, letter
    UNION ALL
    SELECT roster, recipient, region, letter, requested, approved, dispatched, 0, spoiled, used,
        current, collected
    FROM stock_parts
),
figures AS (
    SELECT CASE WHEN p.roster IS NULL THEN p.recipient
                ELSE coalesce(city.name, nullif(g.unit, ''), '{UNNAMED_UNIT}') END AS recipient,
        p.region, p.letter, {", ".join(f"p.{figure}" for figure in _FIGURES)}
    FROM parts p LEFT JOIN registers g ON g.key = p.roster
    LEFT JOIN cities city ON city.code = p.region
    WHERE p.roster IS NULL OR g.kind IN {sql_list(ROSTER_KINDS)}
),
totals AS (
    SELECT recipient, max(region) AS region, letter,
        {", ".join(f"coalesce(sum({figure}), 0) AS {figure}" for figure in _FIGURES)}
    FROM figures GROUP BY recipient, letter
)
SELECT t.recipient, t.region, l.level, t.letter, t.requested, t.approved, t.dispatched,
    t.registered, t.spoiled, t.used,
    t.dispatched - t.registered - t.spoiled - t.used AS balance,
    t.collected, t.current - t.collected AS uncollected,
    CASE WHEN t.dispatched - t.registered - t.spoiled - t.used < 0 THEN '{NEGATIVE}'
         WHEN t.dispatched > t.approved THEN '{OVER_APPROVED}' END AS flag
FROM totals t JOIN levels l ON l.letter = t.letter
WHERE t.requested + t.dispatched + t.registered + t.spoiled + t.used > 0
ORDER BY t.region, t.recipient, l.position
"""
"""The reconciliation, one row per recipient and level (SPEC §9), from the summaries: the
certificates of each roster (``certificate_tally``, all taken as current and not collected) and
the other figures (``stock_parts``): blanks, collections, and what the status changes did."""


def ensure_stock_view(db: sqlite_utils.Database) -> None:
    """(Re)create the ``stock`` view when it is missing or a newer certreg changed it, and
    recompute the summaries it reads when the view changed or they were never filled in (a
    registry made before the summaries existed): all in one transaction."""
    current = db.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'stock'")
    row = current.fetchone()
    # (SQLite keeps the statement without its trailing whitespace)
    changed = row is None or row[0] != f"CREATE VIEW stock AS {STOCK_VIEW}".rstrip()
    unfilled = db.execute(  # (status changes' figures by certificate: since certreg 0.1.0 of Dec 2026)
        "SELECT (NOT EXISTS (SELECT 1 FROM certificate_tally)"
        " AND EXISTS (SELECT 1 FROM certificates))"
        " OR (NOT EXISTS (SELECT 1 FROM facet_tally) AND EXISTS (SELECT 1 FROM certificates))"
        " OR (NOT EXISTS (SELECT 1 FROM changed_parts) AND EXISTS (SELECT 1 FROM status_events))"
    ).fetchone()[0]
    if not (changed or unfilled):
        return
    conn = db.conn
    with transaction(conn):
        summaries.rebuild(conn)
        if changed:
            conn.execute("DROP VIEW IF EXISTS stock")
            conn.execute(f"CREATE VIEW stock AS {STOCK_VIEW}")


@dataclass(frozen=True, slots=True)
class Unapproved:
    """Blanks of one level a requisition asks for and the province has not agreed to — waiting
    for its opinion (``pending``) or refused (``refused``): the view counts both as requested and
    not approved, which a clerk chasing an approval must tell apart."""

    state: str
    quantity: int
    register: str
    row: int


@dataclass(frozen=True, slots=True)
class StockLine:
    """One row of the ``stock`` view, with the requisitions behind its blanks requested and not
    approved (`unapproved`)."""

    recipient: str
    region: str
    level: str
    letter: str
    requested: int
    approved: int
    dispatched: int
    registered: int
    spoiled: int
    used: int
    balance: int
    collected: int
    uncollected: int
    flag: str | None
    unapproved: tuple[Unapproved, ...] = field(default=(), compare=False)
    """(Not a figure: two lines are equal by their figures, however they were computed.)"""

    def awaiting(self, state: str) -> int:
        """Blanks requested in requisitions in ``state`` (pending or refused)."""
        return sum(u.quantity for u in self.unapproved if u.state == state)

    @property
    def negative(self) -> bool:
        return self.balance < 0

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "negative": self.negative}


_UNAPPROVED = f"""
SELECT * FROM (
    {
    summaries.per_level(
        "requisitions",
        "status, {field} AS quantity, register, source_row",
        f"WHERE status <> '{APPROVED}'",
    )
}
) WHERE quantity > 0 ORDER BY register, source_row
"""


def _unapproved(conn: sqlite3.Connection) -> dict[tuple[str, str], list[Unapproved]]:
    """Per recipient and level letter, the requisitions not (yet) approved asking for blanks of
    it: a handful of rows (requisitions are a few per recipient and year)."""
    found: dict[tuple[str, str], list[Unapproved]] = {}
    for recipient, _region, letter, state, quantity, register, row in conn.execute(_UNAPPROVED):
        found.setdefault((recipient, letter), []).append(Unapproved(state, quantity, register, row))
    return found


def reconciliation(conn: sqlite3.Connection) -> list[StockLine]:
    """The ``stock`` view as `StockLine` rows, in the view's order, each with the requisitions
    behind its blanks not approved."""
    unapproved = _unapproved(conn)
    lines = [StockLine(*row) for row in conn.execute("SELECT * FROM stock")]
    return [
        replace(line, unapproved=tuple(unapproved.get((line.recipient, line.letter), ())))
        for line in lines
    ]
