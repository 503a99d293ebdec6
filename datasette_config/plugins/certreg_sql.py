"""SQL functions for canned queries and staff SQL, backed by the registry's own code.

Staff type numbers and names the way people do (``ｚ１１-2202-0123``, ``周　杰``); the canned
queries normalise them with the same functions the sync and the public check use, and show
codes (region, status, sync outcome) by the names staff know.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette import hookimpl

from registry.domain.names import name_key
from registry.domain.numbers import normalise
from registry.domain.regions import authority_name, region_name
from registry.domain.statuses import RESULT_LABELS
from registry.sync.report import OUTCOME_LABELS


def _text_function(function: Any) -> Any:
    """Wrap a str → str function so NULL stays NULL in SQL."""

    def call(value: object) -> object:
        return None if value is None else function(str(value))

    return call


FUNCTIONS = {
    "normalise_number": normalise,
    "name_key": name_key,
    "region_name": region_name,
    "authority_name": authority_name,
    "status_label": lambda code: RESULT_LABELS.get(code, code),
    "outcome_label": lambda code: OUTCOME_LABELS.get(code, code),
}


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    # A certificate column's Chinese label, as metadata.yml gives it (for the history of changes).
    labels = datasette.metadata("columns", database="registry", table="certificates") or {}
    functions = {**FUNCTIONS, "column_label": lambda column: labels.get(column, column)}
    for name, function in functions.items():
        conn.create_function(name, 1, _text_function(function), deterministic=True)
