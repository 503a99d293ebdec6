"""``registry_status(number)`` in the verification log's SQL: what the registry holds of a number
a visitor checked — its status, or 无此编号.

The log and the registry are two databases, which Datasette's queries cannot join: the list of
numbers that failed their checks (屡查不符的证书编号) could not tell a registered certificate
checked with wrong names from a number that does not exist (a forged one), and staff looked the
numbers up one at a time. The lookup is by primary key on a read-only connection of its own."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from datasette import hookimpl

from datasette_config.launch import REGISTRY_NAME
from registry.domain.statuses import RESULT_LABELS

LOG = "verify_log"
NOT_REGISTERED = "无此编号"
FUNCTION = "registry_status"
"""Its name in SQL."""


class RegistryStatus:
    """The SQL function, for one connection of the log (Datasette's threads each have one)."""

    def __init__(self, registry: Path) -> None:
        self.registry = registry
        self._conn: sqlite3.Connection | None = None

    def __call__(self, number: object) -> str | None:
        if not isinstance(number, str):
            return None
        try:
            if self._conn is None:
                uri = f"{self.registry.resolve().as_uri()}?mode=ro"
                self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            row = self._conn.execute(
                "SELECT status FROM certificates WHERE number = ?", (number,)
            ).fetchone()
        except sqlite3.Error:  # the registry being replaced, say: the cell is left empty
            return None
        return RESULT_LABELS.get(row[0], row[0]) if row else NOT_REGISTERED


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    registry = datasette.databases.get(REGISTRY_NAME)
    if database == LOG and registry is not None and registry.path:
        conn.create_function(FUNCTION, 1, RegistryStatus(Path(registry.path)))
