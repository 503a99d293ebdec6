"""Show codes with the names staff know (2202 → 2202 绵阳市, valid → valid 有效) and UTC times
as Beijing time, in tables, rows, queries and facets; and the same labels as SQL functions for the
canned queries. The vocabulary itself lives in ``datasette_config.labels``."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from markupsafe import Markup, escape

from datasette_config.labels import (
    beijing_time,
    code_label,
    label_of,
    paper_fields,
    shown_value,
)
from registry.domain.clock import beijing_day
from registry.domain.registers import KIND_LABELS
from registry.public.lookup import NOT_CHECKED
from registry.store.syncs import SEVERITY_LABELS
from registry.store.verify_log import CHANNEL_LABELS, NO_NAME

SQL_FUNCTIONS: dict[str, Callable[[Any], str | None]] = {
    "kind_label": lambda code: label_of(KIND_LABELS, code),
    "severity_label": lambda code: label_of(SEVERITY_LABELS, code),
    "channel_label": lambda code: label_of(CHANNEL_LABELS, code),
    "beijing_time": lambda value: beijing_time(value) or value,
    "beijing_date": lambda value: beijing_day(value) or value,
    "paper_fields": lambda codes: paper_fields(codes) if codes else codes,
}
"""For canned queries and staff SQL, beside the registry's own in plugins/certreg_sql.py."""


HISTORY = "certificate_history"
"""Its ``field`` names a certificate column, and ``old``/``new`` hold that column's values."""


CORRECTION_COLUMNS = frozenset({"corrections", "换发更正"})
"""A 换发's corrections, stored as JSON (``{"trade": "钳工"}``): shown as 工种：钳工."""
DERIVED = frozenset({"name_key"})
"""Corrected along with the name, never typed by anyone: not shown as a correction."""


HISTORY_COLUMNS = frozenset({"field", "old", "new"})
REGISTER_HISTORY = "register_history"
"""Its ``field`` names a column of ``registers`` (unit, approval_doc, issued_on)."""
BLANK_HISTORY = "blank_history"
"""Its ``field`` names a column of the table its ``kind`` names (requisitions, dispatches,
collections): shown with that column's label, as the certificates' history is."""


def history_field_label(field: object, table: object, datasette: Any) -> str | None:
    """A history's field's label (collector → 领取人, unit → 领证单位), as the columns of
    ``table`` — the one it is a field of — give it."""
    labels = datasette.metadata("columns", database="registry", table=str(table)) or {}
    label = labels.get(field)
    return str(label) if label else None


def history_field_shown(field: object, table: object, datasette: Any) -> str | None:
    """``collector 领取人``: a history's field with its label; None when it has none."""
    label = history_field_label(field, table, datasette)
    return f"{field} {label}" if label else None


def history_shown(
    column: str, value: object, field: str | None, labels: dict[str, str]
) -> str | None:
    """A `HISTORY_COLUMNS` cell as pages show it: the corrected field with its label, its old
    and new values as that field's own cells (``superseded 已由新证书取代``); None: as it is
    (and so when the row's field is not at hand)."""
    if field is None:
        return None
    if column == "field":
        return f"{value} {labels[field]}" if field in labels else None
    return shown_value(field, value)


def corrections_shown(value: str, labels: dict[str, str]) -> str | None:
    """``field：value`` per corrected field, with the certificate columns' Chinese labels and
    values as cells show them; None for anything that is not such an object (shown as it is)."""
    try:
        corrected = json.loads(value)
    except ValueError:
        return None
    if not isinstance(corrected, dict):
        return None
    shown = [
        f"{labels.get(field, field)}：{shown_value(field, after) or after}"
        for field, after in corrected.items()
        if field not in DERIVED
    ]
    return "；".join(shown) or None


NUMBER_COLUMNS = frozenset({"证书编号", "新证书编号", "原证书编号"})
"""The canned queries' columns that hold a certificate number: each links to its certificate —
in the verification log's, to its history (`certificate`), since a number the public typed
(a forged one, reported) may have no row to link to."""
_NUMBER = re.compile(r"[CZGJ]\d{10}")
TABLE_NUMBERS = frozenset(
    {
        ("certificates", "successor"),
        ("certificates", "predecessor"),
        ("status_events", "number"),
        ("status_events", "new_number"),
        ("certificate_history", "number"),
        ("collections", "number"),
    }
)
"""The registry's tables' columns, besides a certificate's own key, that name a certificate:
each links to it — a certificate's 新证书编号 and 原证书编号 were plain text (a staff review),
followed by copying them into a search."""
LOGGED_NUMBERS = frozenset({"checks", "reports"})
"""The verification log's tables whose ``number`` is a certificate number someone typed."""
CLIENT_COLUMNS = frozenset({"客户端", "报告客户端"})
"""The verification log's queries' columns that hold a client: each links to its checks, the
latest first (suspicious traffic is judged by what the client typed, one check after another)."""
VISITOR_TEXT = frozenset({"contact", "text", "报告人联系方式", "情况说明"})
"""What a visitor wrote in a report of a suspected forgery: a URL in it was a link on a staff
page (a pen-tester's https://evil.example/login in 报告人联系方式) — shown as text, and exported
as written (a time typed in it is no time of ours to show in Beijing time)."""


def _unnamed(row: Any) -> bool:
    """A logged check without a name (`registry.store.verify_log.NO_NAME`): not made, so its
    ``malformed`` is 未查验 here as it was to the employer, not a malformed number."""
    try:
        return bool(row["name_hash"] == NO_NAME)
    except (IndexError, KeyError):  # the page left the column out (``_col``)
        return False


def _query_link(value: object, column: str, database: str, datasette: Any) -> str | None:
    """Where a canned query's cell leads: a certificate number to its certificate (from the
    log, to its history), a client of the log to its checks; None for a plain cell."""
    if column in NUMBER_COLUMNS and isinstance(value, str) and _NUMBER.fullmatch(value):
        if database == "registry":
            return str(datasette.urls.row("registry", "certificates", value))
        return str(datasette.urls.path("/registry/certificate?" + urlencode({"证书编号": value})))
    if database == "verify_log" and column in CLIENT_COLUMNS and value:
        query = urlencode({"client": str(value), "_sort_desc": "at"})
        return f"{datasette.urls.table('verify_log', 'checks')}?{query}"
    return None


@hookimpl
def render_cell(
    row: Any, value: object, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    # Every table, row and query of both databases: a code column is labelled wherever it
    # appears, a timestamp is converted whatever its column is called (``max(at)``).
    if database == "verify_log" and column in VISITOR_TEXT and isinstance(value, str):
        return Markup(escape(value))  # text, never a link Datasette makes of a URL in it
    if (
        table is None
        and column in NUMBER_COLUMNS | CLIENT_COLUMNS
        or (database == "verify_log" and table in LOGGED_NUMBERS and column == "number")
        or (database == "registry" and (table, column) in TABLE_NUMBERS)
    ):  # the tables' numbers too: they were plain text there
        href = _query_link(value, "证书编号" if table else column, database, datasette)
        # a malformed number a visitor typed stays plain text
        return Markup(f'<a href="{escape(href)}">{escape(str(value))}</a>') if href else None
    shown = _shown(row, value, column, table, datasette)
    return Markup(escape(shown)) if shown else None


def _shown(row: Any, value: object, column: str, table: str | None, datasette: Any) -> object:
    """A cell's value as staff read it: labelled, converted, or as stored (None)."""
    if column in CORRECTION_COLUMNS and isinstance(value, str):
        labels = datasette.metadata("columns", database="registry", table="certificates") or {}
        return corrections_shown(value, labels)
    if table == BLANK_HISTORY and column == "field" and "kind" in row.keys():
        return history_field_shown(value, row["kind"], datasette)
    if table == REGISTER_HISTORY and column == "field":  # unit 领证单位, as the registers say
        return history_field_shown(value, "registers", datasette)
    if table == HISTORY and column in HISTORY_COLUMNS:
        labels = datasette.metadata("columns", database="registry", table="certificates") or {}
        field = row["field"] if "field" in row.keys() else None  # hidden: ?_nocol=field
        return history_shown(column, value, field, labels)
    if table == "checks" and column == "result" and _unnamed(row):
        return f"{value} {NOT_CHECKED}"
    return shown_value(column, value)


def field_value(field: object, value: str | int | float | None) -> str | int | float | None:
    """``field_value(field, value)`` in SQL: a certificate column's value as its cells show it
    (``superseded 已由新证书取代``, ``2202 绵阳市``), for the history's old and new values in the
    canned queries; NULL stays NULL."""
    return None if value is None else shown_value(str(field), value) or value


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    for name, function in SQL_FUNCTIONS.items():
        conn.create_function(name, 1, function, deterministic=True)
    conn.create_function("field_value", 2, field_value, deterministic=True)


@hookimpl
def extra_template_vars() -> dict[str, Any]:
    return {"code_label": code_label, "shown_value": shown_value}
