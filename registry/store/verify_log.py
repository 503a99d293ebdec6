"""The tables of ``verify_log.db`` (SPEC §7): the checks, the reports of suspected forgeries,
the watch lists, and on the registry host the replicas' collected logs. Staff browse them in
Datasette, so these columns are a contract; tables are created where missing, never altered
but to add a column a newer version needs."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Literal

import sqlite_utils

from registry.store.db import now, transaction
from registry.store.log_identity import ensure_collected_logs, ensure_log_identity
from registry.store.wal import enter_wal

Channel = Literal["page", "api", "batch", "receipt", "watch"]
"""How the check was asked: the result page, the JSON API, a batch (page or API), a receipt, a
certificate put on a watch list. A literal type, so that mypy refuses any other code passed to
the verification app's `Verifier`, which logs it."""
CHANNEL_LABELS: dict[str, str] = {
    "page": "网页",
    "api": "接口",
    "batch": "批量",
    "receipt": "回执",
    "watch": "关注",
}
"""Each channel's name on staff's pages."""
NO_NAME = ""
"""The name hash of a check without a name: there is nothing to hash, and by it staff's views
tell such a check (not made: 未查验) from a malformed number someone typed."""


CHECKS_COLUMNS: dict[str, type] = {
    "id": int,
    "at": str,
    "client": str,
    "number": str,
    "result": str,
    "name_hash": str,
    "channel": str,
    "key_id": int,
    "confirmed": str,
    "mismatched": str,
    "replica": str,
    "registry_sync": int,
}
"""The ``checks`` table: the contract shared with the staff views in Datasette. ``confirmed``:
the fields of the paper the employer typed to confirm (`registry.public.confirm.CONFIRMABLE`,
comma-separated; NULL when none), ``mismatched``: those the paper got wrong — an auditor read
``reissued`` of a check that told the employer the paper was probably the voided original.
``replica``: in the registry host's merged log, the replica that answered it (`certreg
collect-logs`; NULL in a replica's own log, and for checks collected before 2026-12-05) —
staff told a replica answered 有效 after a revocation could not tell which.
``registry_sync``: the registry's version that answered — the sync (``syncs.id`` in the
registry) whose load the answer's snapshot time is; an auditor proving what a check said could
not tell from which version, nor how stale a replica's was (NULL before 2026-12-06)."""

REPORTS_COLUMNS: dict[str, type] = {
    "id": int,
    "at": str,
    "client": str,
    "number": str,
    "result": str,
    "checked_at": str,
    "name_hash": str,
    "mismatched": str,
    "receipt": str,
    "authority": str,
    "contact": str,
    "text": str,
    "ref": str,
}
"""``reports``: suspected forgeries sent to the issuing authority (§五.(三)), never public.
``ref``: the report's number as the employer was told it (date and random letters: unique
across replicas, whose ``id`` are each their own and renumbered on the registry host).
``mismatched``: the confirmed fields the paper got wrong; ``authority``: the issuing
department's code (`registry.domain.authorities.issuer_of`), province when the number does not
parse; ``receipt``: the check's receipt token, when the check matched; ``name_hash``, despite
its name, no name's hash but the random token of the check reported (`verify_app.report_tickets`:
a ticket goes to whoever typed any name), which tells a report's retries from other reports."""

REPORT_OUTCOMES_COLUMNS: dict[str, type] = {
    "id": int,
    "ref": str,
    "at": str,
    "staff": str,
    "action": str,
}
"""``report_outcomes``: what staff did about a report (``certreg reports --handle``), written
on the registry host's log and never changed: a report handled again gets a second row, the
latest being its state, so the history stays for an auditor. ``ref``: the report's number
(``reports.ref``, or its ``id`` for a report older than numbers); ``staff``: who recorded it."""

WATCHES_COLUMNS: dict[str, type] = {
    "id": int,
    "token_hash": str,
    "created_at": str,
    "after_sync": int,
    "client": str,
    "key_id": int,
    "read_at": str,
    "deleted_at": str,
}
"""``watches``: a watch list, found by the SHA-256 of its secret token (never the token).
``after_sync``: the registry's last sync when it was made — its feed shows what came later;
``read_at``: when it or its feed was last opened (to the day), which keeps it alive;
``deleted_at``: when its owner deleted it — its entries are gone, the row stays so that its
address is never made live again (`verify_app.watch_retries`)."""

WATCH_ENTRIES_COLUMNS: dict[str, type] = {
    "id": int,
    "watch": int,
    "number": str,
    "name_hash": str,
}
"""``watch_entries``: the certificates of a watch list, each holder as a keyed name hash."""


def ensure_log_schema(conn: sqlite3.Connection) -> None:
    """Create the log's tables, and the indexes the verification app itself reads, where
    missing; add the columns a log written by an earlier version lacks (``checks.key_id``,
    ``checks.confirmed`` and ``mismatched``, ``reports.ref``, ``watches.read_at`` and
    ``deleted_at``);
    never changes or drops what exists. The indexes staff read are `ensure_staff_indexes`'."""
    db = sqlite_utils.Database(conn)
    checks = db.table("checks")
    if checks.exists():
        for column, kind in CHECKS_COLUMNS.items():
            if column not in checks.columns_dict:
                checks.add_column(column, kind)
    checks.create(CHECKS_COLUMNS, pk="id", if_not_exists=True)
    reports = db.table("reports")
    if reports.exists() and "ref" not in reports.columns_dict:
        reports.add_column("ref", str)
    reports.create(REPORTS_COLUMNS, pk="id", if_not_exists=True)
    reports.create_index(["number"], if_not_exists=True)
    outcomes = db.table("report_outcomes")
    outcomes.create(REPORT_OUTCOMES_COLUMNS, pk="id", if_not_exists=True)
    outcomes.create_index(["ref"], if_not_exists=True)
    watches = db.table("watches")
    if watches.exists() and "read_at" not in watches.columns_dict:
        watches.add_column("read_at", str)
        # read, as far as anyone knows, until now: left empty, every list older than the days
        # a list lives unread (CERTREG_WATCH_DAYS) was deleted at its first read after the upgrade
        conn.execute("UPDATE watches SET read_at = ?", (now(),))
    if watches.exists() and "deleted_at" not in watches.columns_dict:
        watches.add_column("deleted_at", str)
    watches.create(WATCHES_COLUMNS, pk="id", if_not_exists=True)
    watches.create_index(["token_hash"], unique=True, if_not_exists=True)
    entries = db.table("watch_entries")
    entries.create(
        WATCH_ENTRIES_COLUMNS,
        pk="id",
        foreign_keys=[("watch", "watches", "id")],
        if_not_exists=True,
    )
    entries.create_index(["watch"], if_not_exists=True)


REPLICA_LOGS_COLUMNS: dict[str, type] = {
    "replica": str,
    "last_source_id": int,
    "first_check_at": str,
    "checks": int,
    "received_at": str,
    "last_report_id": int,
    "reports": int,
    "read_at": str,
    "log_id": str,
}
"""The ``replica_logs`` table of the registry host's log: per replica whose checks
``certreg collect-logs`` merges into ``checks``, the last row taken from its own log (its
``id``), that log's first ``at`` (to notice a log started anew), the rows taken in all and
when rows last arrived (UTC), the same marks for its reports, and when its log was last read,
rows or none (UTC: a replica connected but not checked yet has a row too), and the identity of
the log collected from its address (`registry.store.log_identity`: another log there is refused,
not merged). Staff see from it whether every replica's log is arriving."""


def ensure_shipping_schema(conn: sqlite3.Connection) -> None:
    """Create the ``replica_logs`` and ``collected_logs`` tables where missing, and add the
    columns a table made by an earlier version lacks (the reports' mark, the log's identity);
    never changes or drops what exists."""
    ensure_collected_logs(conn)
    table = sqlite_utils.Database(conn).table("replica_logs")
    if table.exists():
        for column in ("last_report_id", "reports", "read_at", "log_id"):
            if column not in table.columns_dict:
                table.add_column(column, REPLICA_LOGS_COLUMNS[column])
    table.create(
        REPLICA_LOGS_COLUMNS,
        pk="replica",
        not_null={"last_source_id", "checks"},
        if_not_exists=True,
    )


def prepare_log(
    conn: sqlite3.Connection,
    *also: Callable[[sqlite3.Connection], None],
    attempts: int = 100,
) -> None:
    """Put the log in WAL mode, create its tables (and ``also`` the others a caller needs) and
    give it its identity (`ensure_log_identity`).

    Several processes may do this at once on a log that does not exist yet (the workers of
    ``certreg serve --workers N``, one ``collect-logs`` per replica): switching to WAL is not
    covered by SQLite's busy timeout (`enter_wal` waits it out), and the tables are created in
    one ``BEGIN IMMEDIATE`` transaction, retried here because the app's connection waits only
    briefly. ``conn`` must be in autocommit mode (``isolation_level=None``)."""
    enter_wal(conn)
    for _ in range(attempts):
        try:
            with transaction(conn):
                ensure_log_schema(conn)
                ensure_log_identity(conn)
                for create in also:
                    create(conn)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.1)
    raise sqlite3.OperationalError("the verification log stayed locked")


REPEATED_BY = "certreg collect-logs"
"""Who the history says marked a report sent again to another replica (`mark_repeated`)."""


def mark_repeated(conn: sqlite3.Connection, refs: Sequence[str], at: str) -> int:
    """Record as handled, pointing to the first, each report of ``refs`` whose check (number,
    time, name hash) another report in the log was made of already; how many.

    A replica files one report per check, but knows only its own log: sent again to another
    replica — nginx retrying a POST whose replica died after storing it, or the employer
    reloading after that replica's error — one check becomes two reports, two open cases.
    Both are kept (the employer may have been told either number)."""
    marked = 0
    for ref in refs:
        # (the same report again — a replica's log read from its start anew — repeats nothing;
        # a report older than numbers is known by its id)
        first = conn.execute(
            "SELECT coalesce(f.ref, f.id) FROM reports r JOIN reports f ON f.number = r.number"
            " AND f.checked_at = r.checked_at AND f.name_hash = r.name_hash AND f.id < r.id"
            " AND f.ref IS NOT r.ref WHERE r.ref = ? ORDER BY f.id LIMIT 1",
            (ref,),
        ).fetchone()
        if first is not None:
            action = (
                f"重复：与报告 {first[0]} 是同一次查验的报告（由另一台查验副本收到），"
                f"请按 {first[0]} 处理"
            )
            conn.execute(
                "INSERT INTO report_outcomes (ref, at, staff, action) VALUES (?, ?, ?, ?)",
                (ref, at, REPEATED_BY, action),
            )
            marked += 1
    return marked


def selected(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], prefix: str = ""
) -> str | None:
    """``columns`` of ``table`` for a SELECT, as this log has them — NULL for those it lacks: a
    log an older certreg wrote (a replica upgraded after the registry host) has not added them
    yet; None when it has no such table at all."""
    present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    if not present:
        return None
    return ", ".join(f"{prefix}{c}" if c in present else f"NULL AS {c}" for c in columns)
