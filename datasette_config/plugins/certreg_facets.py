"""Facet counts that describe the whole filtered table on every page, not just what follows it,
and that leave a page its second at a million certificates (SPEC §8).

Datasette 0.65 pages a table by keyset (``?_next=``) and appends that page's condition
(``rowid > :p3``, or the sort column's comparison) to the WHERE it hands to the facets, so from
page 2 on every facet count shrank to the rows after the page — an auditor paging through
初级 certificates saw the count of 初级 fall. Here the facets get the same SQL without that last
condition; the row count Datasette shows is built before it and was right all along.

A filter on a column no index leads (工作单位, 性别, 出生年月) made SQLite count each facet by walking
that facet's index and reading every row from the table to test the filter: 0.4 s for 等级 and 1 s
for 工种 at a million certificates, against 0.1–0.3 s for one pass over the table. Such a filter's
facets group the rows its WHERE selects (`ungrouped`), through the index of a filtered column
(姓名's key) or one pass; a filter selecting at most `ONE_PASS_ROWS` has every facet counted in
one such pass, grouped by all the facet columns at once (`GROUPED`; 出生年月, 姓名's start: six scans
were 0.85 s). A filter only on the columns `facet_tally` counts (等级、地区、工种、状态、年份代码、发证机关、
性别、批准文号…: `registry.store.schema.FACET_TALLIED`, kept by each register's write) has its facets
summed from that table's few thousand rows with the same WHERE (`tallied`): walking a facet's
index and reading each row to test 等级 took 0.3–1 s a facet at a million, and every facet but two
timed out. A filter the page counted no row of reads none for its facets, nor does one whose
rows are all on the page once the page's time is spent. And however a filter
falls, the facets together stop at `PAGE_SECONDS` into the request: a facet past it is listed as
timed out, as Datasette lists one past its own limit, instead of holding the page.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted, Results
from datasette.facets import ArrayFacet, ColumnFacet, DateFacet
from datasette.plugins import pm
from datasette.utils import detect_json1, escape_sqlite

from datasette_config.facet_sql import (
    COUNTED,
    TALLIED_TABLE,
    TALLY,
    WEIGHED,
    tallied,
    ungrouped,
    whole_filter,
)
from registry.store.schema import FACET_TALLIED

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


class _PageClock:
    """Datasette as a facet sees it: each query's time limit is cut to what is left of the
    page's `PAGE_SECONDS`; once it is spent, a facet's query is not started."""

    def __init__(self, datasette: Any, deadline: float) -> None:
        self._datasette = datasette
        self._deadline = deadline
        self.weighed = False
        """Whether the facets read `TALLY` or `GROUPED`: each row counts its ``certificates``."""
        self.grouped: sqlite3.Connection | None = None
        """The facet columns' counts of the page's filter, when one pass read them: the facets
        are counted from them (`GROUPED`) instead of the registry."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._datasette, name)

    @property
    def spent(self) -> bool:
        """Whether the page's time for facets is over."""
        return time.monotonic() >= self._deadline

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
        if self.weighed:
            if COUNTED not in sql:
                raise RuntimeError(f"a facet's query counts otherwise than Datasette 0.65's: {sql}")
            sql = sql.replace(COUNTED, WEIGHED, 1)
        if self.grouped is not None:
            params = args[0] if args else kwargs.get("params")
            cursor = self.grouped.execute(sql, params or {})
            return Results(cursor.fetchall(), False, cursor.description)
        return await self._datasette.execute(
            database, sql, *args, custom_time_limit=limit, **kwargs
        )


ONE_PASS_ROWS = 100_000
"""The most rows a filter on a column no index leads may select for its facets to be counted in
one pass (`GROUPED`): one scan of the table (0.15 s at a million certificates) instead of one
per facet; the pass sorts what it selects, and at 470,000 rows (工作单位) that took longer than
the facets one by one."""

GROUPED = "grouped"
"""The in-memory table of a one-pass count: the facet columns and ``certificates``."""


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
        if self.row_count == 0 or (
            # every row is on the page, and counting the filter took the facets' time: 2 rows
            # of 补发 were told their facets timed out, and to narrow the filter (a review)
            self.row_count is not None
            and self.row_count <= self._page_rows()
            and isinstance(self.ds, _PageClock)
            and self.ds.spent
        ):
            return [], []  # no row to count: nothing read, no empty heading
        if self.table and (configs := self.get_configs()):  # type: ignore[attr-defined]
            db = self.ds.get_database(self.database)
            columns = await db.table_columns(self.table)
            tally = None
            faceted = set(_faceted(configs))
            if (
                isinstance(self, ColumnFacet)
                and isinstance(self.ds, _PageClock)
                and faceted <= set(FACET_TALLIED)  # (?_facet=unit: not in it)
                and await _kept(db)
            ):
                tally = tallied(self.sql, self.table, columns, list(self.request.args.keys()))
            if tally is not None:  # Datasette's suggestions, after, read the page's own query
                whole = self.sql
                self.sql, self.ds.weighed = tally, True
                try:
                    return await self._ordered()
                finally:
                    self.sql, self.ds.weighed = whole, False
            else:
                leading = await db.execute(_LEADING_COLUMNS, {"table": self.table})
                grouped = ungrouped(self.sql, self.table, columns, {row[0] for row in leading})
                counted = ONE_PASS_ROWS + 1 if self.row_count is None else self.row_count
                one_pass = grouped != self.sql and counted <= ONE_PASS_ROWS
                self.sql = grouped
                if (
                    one_pass
                    and isinstance(self, ColumnFacet)
                    and isinstance(self.ds, _PageClock)
                    and None not in _faceted(configs)  # (else Datasette's own error)
                ):
                    return await self._in_one_pass()
        return await self._ordered()

    def _page_rows(self) -> int:
        """How many rows the page shows at most (``_size``, else Datasette's default)."""
        size = self.request.args.get("_size", "") if self.request is not None else ""
        if size == "max":
            return int(self.ds.setting("max_returned_rows"))
        return int(size) if size.isdigit() else int(self.ds.setting("default_page_size"))

    async def _in_one_pass(self) -> Any:
        """The facets counted from one pass over what the filter selects, grouped by every
        facet column at once; all listed as timed out if that pass is past the page's time."""
        configs = self.get_configs()  # type: ignore[attr-defined]
        names = [name for name in _faceted(configs) if name]
        shown = ", ".join(escape_sqlite(name) for name in dict.fromkeys(names))
        try:
            counted = await self.ds.execute(
                self.database,
                f"select {shown}, count(*) as certificates from ({self.sql}) group by {shown}",
                self.params,
                truncate=False,
                custom_time_limit=self.ds.setting("facet_time_limit_ms"),
            )
        except QueryInterrupted:
            return [], names
        memory = sqlite3.connect(":memory:")
        try:
            memory.execute(f"create table {GROUPED} ({shown}, certificates)")
            marks = ", ".join("?" * (len(counted.columns)))
            memory.executemany(f"insert into {GROUPED} values ({marks})", counted.rows)
            memory.row_factory = sqlite3.Row
            whole = self.sql
            self.sql = f"select * from {GROUPED}"
            self.ds.weighed, self.ds.grouped = True, memory
            try:
                return await self._ordered()
            finally:
                self.sql, self.ds.weighed, self.ds.grouped = whole, False, None
        finally:
            memory.close()

    async def _ordered(self) -> Any:
        results, timed_out = await super().facet_results()  # type: ignore[misc]
        for facet in results:
            if facet["name"] in BY_VALUE and not facet["truncated"]:
                facet["results"].sort(key=lambda row: str(row["value"]))
        return results, timed_out


def _faceted(configs: list[dict[str, Any]]) -> list[str | None]:
    """The column of each facet configured (None: a configuration Datasette refuses)."""
    return [c["config"].get("column") or c["config"].get("simple") for c in configs]


async def _kept(db: Any) -> bool:
    """Whether the registry has `TALLY` filled (a registry written before it existed gets it on
    its next write connection)."""
    if not await db.table_exists(TALLY):
        return False
    filled = await db.execute(
        f"SELECT EXISTS (SELECT 1 FROM {TALLY}) OR NOT EXISTS (SELECT 1 FROM {TALLIED_TABLE})"
    )
    return bool(filled.first()[0])


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
