"""The SQL a table page's facet runs, rewritten (`datasette_config/plugins/certreg_facets.py`):
without the page's own keyset condition (`whole_filter`), grouped by the rows its WHERE selects
(`ungrouped`), or asked of ``facet_tally`` (`tallied`). Plain functions of the SQL text, kept out
of the plugin module so that tests import them (a ``--plugins-dir`` module is loaded apart)."""

from __future__ import annotations

import re
from typing import Any

from datasette.utils import escape_sqlite, urlsafe_components

from registry.store.schema import FACET_TALLIED

_ROWID_PAGE = re.compile(r"rowid > :p\d+$")
_PARAMETER = re.compile(r":(p\d+)\b")


def _page_condition_start(where: str) -> int | None:
    """Where the last condition of ``where`` begins, when it has the shape of a page condition:
    ``rowid > :pN`` or one parenthesised group (the key comparison, alone or with the sort's)."""
    if not where.endswith(")"):
        match = _ROWID_PAGE.search(where)
        return match.start() if match else None
    depth = 0
    for index in range(len(where) - 1, -1, -1):  # the condition holds no string literal
        if where[index] == ")":
            depth += 1
        elif where[index] == "(":
            depth -= 1
            if depth == 0:
                return index
    return None


def whole_filter(sql: str, params: dict[str, Any], next_token: str | None) -> str:
    """``sql`` without the page condition ``?_next=next_token`` added to it, if it has one.

    Only a condition in the last place that binds one of the token's own values is removed, so a
    filter of the staff's own is never taken for it."""
    if not next_token:
        return sql
    body = sql.rstrip()
    start = _page_condition_start(body)
    if start is None:
        return sql
    head, condition = body[:start], body[start:]
    values = set(urlsafe_components(next_token))
    if not any(str(params.get(name)) in values for name in _PARAMETER.findall(condition)):
        return sql
    if head.endswith(" and "):
        return head[: -len(" and ")] + " "
    if head.endswith("where "):
        return head[: -len("where ")]
    return sql


def ungrouped(sql: str, table: str, columns: list[str], leading: set[str]) -> str:
    """``sql`` (a page's query of ``table``) with each column selected as ``+column``, when its
    WHERE names a column no index leads (one of ``columns`` not in ``leading``) or compares one
    by LIKE: a facet then counts the rows its WHERE selects — through an index on a filtered
    column, or one pass over the table — and never walks the facet column's own index in order,
    which would read every row of the table to test that column. Otherwise ``sql`` as it is."""
    head = f" from {escape_sqlite(table)} where "
    if sql.count(head) != 1 or not sql.startswith("select "):
        return sql
    where = sql.partition(head)[2]
    for column in columns:
        named = rf'(?<![\w:])["\[`]?{re.escape(column)}["\]`]?(?!\w)'
        # (a LIKE reads no index: 姓名's start, name_key like '李%', walked each facet's index)
        if re.search(named, where) and (
            column not in leading or re.search(rf"{named}\s+like\b", where)
        ):
            shown = ", ".join(f"+{escape_sqlite(c)} as {escape_sqlite(c)}" for c in columns)
            return f"select {shown}{head}{where}"
    return sql


TALLY = "facet_tally"
"""Certificates counted per register and value of `FACET_TALLIED` (`registry.store.summaries`,
kept by each register's write)."""

TALLIED_TABLE = "certificates"

_PAGE_ARGS = frozenset(
    {"_facet", "_facet_size", "_next", "_size", "_sort", "_sort_desc", "_labels", "_nolabels"}
    | {"_col", "_nocol", "_json", "_shape", "_nl", "_trace", "_nocount", "_nofacet", "_extra"}
    | {"_stream", "_dl", "_timelimit", "_facet_date", "_facet_array"}
)
"""Query-string arguments that add no condition to a table page's WHERE."""

COUNTED = "count(*) as count from ("
"""How Datasette 0.65's facet query counts its rows."""
WEIGHED = "sum(certificates) as count from ("
"""The same of `TALLY`, whose rows each count their certificates."""


def _named(column: str, where: str) -> bool:
    return bool(re.search(rf'(?<![\w:])["\[`]?{re.escape(column)}["\]`]?(?!\w)', where))


def tallied(sql: str, table: str, columns: list[str], args: list[str]) -> str | None:
    """``sql`` (a page's query of ``table``) asked of ``facet_tally`` instead — the same WHERE,
    whose certificates a facet sums instead of counting its rows — when ``table`` is the one
    tallied and every filter (``args``, the query string's names) is on a tallied column;
    otherwise None."""
    if table != TALLIED_TABLE:
        return None
    for arg in args:
        if arg.startswith("_") and arg not in _PAGE_ARGS:
            return None  # _where, _search, _through…: conditions of their own
        if not arg.startswith("_") and arg.partition("__")[0] not in FACET_TALLIED:
            return None
    head = f" from {escape_sqlite(table)}"
    if sql.count(head) != 1 or not sql.startswith("select "):
        return None
    where = sql.partition(head)[2].strip()
    if where and not where.startswith("where "):
        return None
    if _named("rowid", where) or any(
        _named(column, where) for column in columns if column not in FACET_TALLIED
    ):
        return None
    return f"select * from {TALLY} {where}"
