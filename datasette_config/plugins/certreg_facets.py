"""Facet counts that describe the whole filtered table on every page, not just what follows it,
and that leave a page its second at a million certificates (SPEC §8).

Datasette 0.65 pages a table by keyset (``?_next=``) and appends that page's condition
(``rowid > :p3``, or the sort column's comparison) to the WHERE it hands to the facets, so from
page 2 on every facet count shrank to the rows after the page — an auditor paging through
初级 certificates saw the count of 初级 fall. Here the facets get the same SQL without that last
condition; the row count Datasette shows is built before it and was right all along.

A filter on a column no index leads (工作单位, 性别, 出生年月) made SQLite count each facet by
walking that facet's index and reading every row from the table to test the filter: 0.4 s for
等级 and 1 s for 工种 at a million certificates, against 0.1–0.3 s for one pass over the table.
Such a filter's facets group the rows its WHERE selects (`ungrouped`), through the index of a
filtered column (姓名's key) or one pass; filters only on indexed columns keep the facet
indexes, which answer them in milliseconds; a filter the page counted
no row of reads none for its facets. And however a filter falls, the facets together stop at
`PAGE_SECONDS` into the request: a facet past it is listed as timed out, as Datasette lists one
past its own limit, instead of holding the page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import ArrayFacet, ColumnFacet, DateFacet
from datasette.plugins import pm
from datasette.utils import detect_json1, escape_sqlite, urlsafe_components

PAGE_SECONDS = 0.8
"""Seconds into a request after which no facet query runs on: SPEC §8 gives a page 1 s, and
the rows, the row count and the rendering take the rest."""

STARTED = "certreg.started"
"""The scope key holding when the request arrived (`time.monotonic`)."""

_LEADING_COLUMNS = """
    SELECT info.name FROM pragma_index_list(:table) AS list
    JOIN pragma_index_info(list.name) AS info WHERE info.seqno = 0
    UNION SELECT name FROM pragma_table_info(:table) WHERE pk = 1
"""

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

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
    WHERE names a column no index leads (one of ``columns`` not in ``leading``): a facet then
    counts the rows its WHERE selects — through an index on a filtered column, or one pass over
    the table — and never walks the facet column's own index in order, which would read every
    row of the table to test that column. Otherwise ``sql`` as it is."""
    head = f" from {escape_sqlite(table)} where "
    if sql.count(head) != 1 or not sql.startswith("select "):
        return sql
    where = sql.partition(head)[2]
    for column in columns:
        named = rf'(?<![\w:])["\[`]?{re.escape(column)}["\]`]?(?!\w)'
        if column not in leading and re.search(named, where):
            shown = ", ".join(f"+{escape_sqlite(c)} as {escape_sqlite(c)}" for c in columns)
            return f"select {shown}{head}{where}"
    return sql


class _PageClock:
    """Datasette as a facet sees it: each query's time limit is cut to what is left of the
    page's `PAGE_SECONDS`; once it is spent, a facet's query is not started."""

    def __init__(self, datasette: Any, deadline: float) -> None:
        self._datasette = datasette
        self._deadline = deadline

    def __getattr__(self, name: str) -> Any:
        return getattr(self._datasette, name)

    async def execute(
        self,
        database: str,
        sql: str,
        *args: Any,
        custom_time_limit: int | None = None,
        **kwargs: Any,
    ) -> Any:
        left = int((self._deadline - time.monotonic()) * 1000)
        if left < 1:  # the page's time is spent: the facet is listed as timed out at once
            raise QueryInterrupted(TimeoutError(), sql, args[0] if args else None)
        limit = min(custom_time_limit or left, left)
        return await self._datasette.execute(
            database, sql, *args, custom_time_limit=limit, **kwargs
        )


BY_VALUE = frozenset({"year_code"})
"""Facets whose values are read in their own order: the years a code names (a staff review
read 11, 12, 24, 19, 14…, sorted by count)."""


class _WholeFilter:
    """Mixed into each of Datasette's facet classes, before it."""

    ds: Any
    sql: str
    params: Any
    request: Any
    database: str
    table: str | None
    row_count: int | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.params, dict) and self.request is not None:
            self.sql = whole_filter(self.sql, self.params, self.request.args.get("_next"))
        if self.request is not None:
            started = self.request.scope.get(STARTED, time.monotonic())
            self.ds = _PageClock(self.ds, started + PAGE_SECONDS)

    async def facet_results(self) -> Any:
        if self.row_count == 0:  # the page counted no row of the filter: none to read again
            self.sql = f"{self.sql.rstrip()} limit 0"
        elif self.table and self.get_configs():  # type: ignore[attr-defined]
            db = self.ds.get_database(self.database)
            leading = await db.execute(_LEADING_COLUMNS, {"table": self.table})
            columns = await db.table_columns(self.table)
            self.sql = ungrouped(self.sql, self.table, columns, {row[0] for row in leading})
        results, timed_out = await super().facet_results()  # type: ignore[misc]
        for facet in results:
            if facet["name"] in BY_VALUE and not facet["truncated"]:
                facet["results"].sort(key=lambda row: str(row["value"]))
        return results, timed_out


class WholeColumnFacet(_WholeFilter, ColumnFacet):  # type: ignore[misc]
    pass


class WholeDateFacet(_WholeFilter, DateFacet):  # type: ignore[misc]
    pass


class WholeArrayFacet(_WholeFilter, ArrayFacet):  # type: ignore[misc]
    pass


@hookimpl
def asgi_wrapper() -> Callable[[ASGIApp], ASGIApp]:
    """Stamps each request with when it arrived, for the facets' share of its second."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def stamped(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                scope = {**scope, STARTED: time.monotonic()}
            await app(scope, receive, send)

        return stamped

    return wrap


# Datasette's own facet classes would run beside these and list every facet twice.
pm.set_blocked("datasette.facets")


@hookimpl
def register_facet_classes() -> list[type]:
    classes: list[type] = [WholeColumnFacet, WholeDateFacet]
    if detect_json1():
        classes.append(WholeArrayFacet)
    return classes
