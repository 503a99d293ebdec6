"""A certificate a roster's new version left out (a conflict: it is never deleted), listed again
by a later version: recorded in its history, so that the last word about it is not the conflict
(an auditor reading the number saw "新版本名册中没有此证书" for a holder back in the roster)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from registry.store.rows import CertificateRow
from registry.store.syncs import CONFLICT

LEFT_OUT = "（曾从名册中删去）"
"""The history's old value of a restored certificate's row: there was none."""

_LEFT_OUT_SINCE = (
    "SELECT DISTINCT p.value FROM problems p JOIN syncs s ON s.id = p.sync"
    " JOIN certificates c ON c.number = p.value"
    " WHERE s.register = ? AND p.severity = ? AND p.sync > coalesce("
    "  (SELECT max(h.sync) FROM certificate_history h"
    "   WHERE h.number = c.number AND h.field = 'source_row' AND h.old = ?),"
    "  c.created_sync)"
)
"""The register's certificates reported missing since it first listed them or last listed them
again — not since they were last written: a 撤销 between (what the conflict advises), a 补发
mark or a carried correction writes the certificate too, and its return went unrecorded."""


def record_restored(
    conn: sqlite3.Connection,
    register: str,
    rows: Sequence[CertificateRow],
    sync_id: int,
    at: str,
) -> set[str]:
    """Record each of ``rows`` that an earlier version of ``register`` left out; their numbers."""
    found = conn.execute(_LEFT_OUT_SINCE, (register, CONFLICT, LEFT_OUT))
    left_out = {number for (number,) in found}
    back = [row for row in rows if row.number in left_out]
    conn.executemany(
        "INSERT INTO certificate_history (number, sync, at, field, old, new)"
        " VALUES (?, ?, ?, 'source_row', ?, ?)",
        [(row.number, sync_id, at, LEFT_OUT, str(row.source_row)) for row in back],
    )
    conn.executemany(
        "UPDATE certificates SET updated_sync = ? WHERE number = ?",
        [(sync_id, row.number) for row in back],
    )
    return {row.number for row in back}
