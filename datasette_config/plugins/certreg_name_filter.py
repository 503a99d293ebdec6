"""The 证书 table filtered by 姓名 as the public check compares names, through the holder index.

Staff reach first for the table's own filter, ``姓名 = 王伟伟`` (``?name__exact=…`` or
``?name=…``). ``certificates.name`` has no index of its own — every roster row would pay for one
more B-tree — and compares as written: 张伟 found nobody registered 張偉, whom the public check
answers 有效 for either spelling (an auditor's review). A filter of the name is read as one of
``name_key``, the comparison key the sync stores beside it (simplified characters, a minority
name's dots as ·, case folded), indexed with the birth date for §二
(`registry.store.schema.HOLDER_INDEX`): the rows are every spelling's, read through the index —
2.4 s → 0.02 s at a million certificates (``python -m bench --only staff``) — and the page says
so (条件：姓名（繁简通用） = 张伟). The 换发、补发、撤销 table's names are filtered by their key alike.

The values of these filters, and of every table's certificate-number columns (证书, 换发补发撤销,
修改记录, 领取, 查验记录, 报告 …), are read as the registry stores them first (input is
normalised everywhere, on every channel), as the canned queries read theirs: ``吴　敏`` finds
吴敏, ``g1122000002 `` and ``z11-2202-0123`` find theirs, each of ``?number__in=a,b`` too — the
table said 0 行 and nothing more, and an auditor concluded nobody had checked the number. So are
every table's code columns (状态, 地区, 发证机关, 等级, 名册种类 …): the label the page shows beside
a code (``?status=有效``, ``?region=绵阳``) is read as the code (`datasette_config.labels.code_typed`),
and a year-month or a year as rosters write them (``?birth=1970.05``, ``?exam_year=2011年``) as the
registry stores it (`datasette_config.months`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import unicodedata
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl

from datasette_config.labels import CALENDAR_DATES, FILTERED_COLUMNS, begun, code_typed
from datasette_config.launch import REGISTRY_NAME
from datasette_config.months import (
    MONTH_COLUMNS,
    YEAR_COLUMNS,
    month_bound,
    month_part,
    stored_month,
    stored_year,
)
from datasette_config.route_paths import route_path
from registry.domain.clock import BEIJING
from registry.domain.dates import BadDate, parse_date
from registry.domain.names import name_key
from registry.domain.numbers import normalise

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]

TABLE = "certificates"
LOG = "verify_log"
NUMBER_COLUMNS = {
    (REGISTRY_NAME, TABLE): ("number", "successor", "predecessor"),
    **{
        (REGISTRY_NAME, table): ("number",)
        for table in ("certificate_history", "collections", "numbered_holders", "problems")
    },
    (REGISTRY_NAME, "status_events"): ("number", "new_number"),
    (LOG, "checks"): ("number",),
    (LOG, "reports"): ("number",),
}
"""The tables' columns that hold a certificate number as the registry writes it."""
_OPERATORS = ("", "__exact", "__not", "__contains", "__startswith", "__endswith", "__gt", "__lt")
"""Datasette's filters that compare the typed text (its form's 等于 sends ``__exact``)."""


def _each(normaliser: Callable[[str], str]) -> Callable[[str], str]:
    """``__in``'s comma-separated values, each normalised (a JSON list is left as sent)."""
    return lambda typed: (
        typed
        if typed.lstrip().startswith("[")
        else ",".join(normaliser(value) for value in typed.replace("，", ",").split(","))
    )


def _filters(
    columns: tuple[str, ...],
    normaliser: Callable[[str], str],
    operators: tuple[str, ...] = _OPERATORS,
    *,
    listed: bool = True,
) -> dict[str, Callable[[str], str]]:
    """``normaliser`` for each of ``operators`` of ``columns``, and (``listed``) for each value
    of their ``__in``."""
    each = {f"{column}__in": _each(normaliser) for column in columns} if listed else {}
    return {**{f"{column}{op}": normaliser for column in columns for op in operators}, **each}


NORMALISED: dict[tuple[str, str], dict[str, Callable[[str], str]]] = {
    page: _filters(columns, normalise) for page, columns in NUMBER_COLUMNS.items()
}
"""By (database, table): the filters whose typed value is read as the registry stores its
column."""
NORMALISED[REGISTRY_NAME, TABLE].update(_filters(("name",), name_key))
KEYED = {f"name{op}": f"name_key{op}" for op in (*_OPERATORS, "__in")}
"""The certificates' name filters, read as filters of its key (their values keyed above)."""
EVENTS = "status_events"
EVENT_NAMES = _filters(("name",), name_key)
"""The 换发、补发、撤销 table's name filters, keyed — where it has its key column (`_keyed`)."""
RENAMED = {f"/{REGISTRY_NAME}/{TABLE}": KEYED, f"/{REGISTRY_NAME}/{EVENTS}": KEYED}
"""By page: the filters read under other names — the 换发、补发、撤销 table keeps a key beside
each name too (a hostile review: filtered by every spelling in the query string, 欧阳钟历 made a
Link header nginx refused, and 140 names a 16 MB query)."""
CODED = {
    arg: read
    for column in FILTERED_COLUMNS
    for arg, read in _filters((column,), partial(code_typed, column)).items()
} | {
    f"{column}__startswith": partial(code_typed, column, starts=True) for column in FILTERED_COLUMNS
}
"""Every table's code columns (状态, 地区, 发证机关, 类型 …), read as staff type them: the label
the page shows beside each code (``?status=有效``) found nothing."""


def _widened(query: bytes) -> bytes:
    """``query`` with each 开头是 of a code column whose text begins several labels read as
    属于 their codes: 状态 开头是 已 (已补发, 已由新证书取代, 已撤销) found nothing — no code
    begins so, and one label could not be chosen (a staff review)."""
    pairs = parse_qsl(query.decode("utf-8", "replace"), keep_blank_values=True)
    widened = [_widened_pair(key, value) for key, value in pairs]
    return query if widened == pairs else urlencode(widened).encode()


def _widened_pair(key: str, value: str) -> tuple[str, str]:
    """One filter, widened when its 开头是 begins several labels (`_widened`) — each filter by
    its own text: two 开头是 of one column (已 and 有) both took the first's codes (a review)."""
    if not key.endswith("__startswith"):
        return key, value
    column = key.removesuffix("__startswith")
    codes = begun(column, value)
    return (f"{column}__in", ",".join(codes)) if len(codes) > 1 else (key, value)


def _iso_date(typed: str) -> str:
    """A date as a clerk writes it (2012年3月15日, 2012.3.15) as the registry stores it."""
    try:
        return parse_date(typed.strip()).isoformat()
    except BadDate:
        return typed


DATED = {
    **_filters(CALENDAR_DATES, _iso_date),
    **{f"{column}__date": _iso_date for column in CALENDAR_DATES},
}
"""Every table's calendar dates, read as staff type them (2012年3月15日 found nothing)."""
_COMPARED = (*_OPERATORS, "__gte", "__lte")
MONTHS = {
    **_filters(MONTH_COLUMNS, stored_month, ("", "__exact", "__not", "__gte", "__lt")),
    # their 属于 is the months' own (a bare year read as its December found December's only)
    **_filters(
        MONTH_COLUMNS, month_part, ("__contains", "__startswith", "__endswith"), listed=False
    ),
    **_filters(MONTH_COLUMNS, month_bound, ("__gt", "__lte"), listed=False),
    **_filters(YEAR_COLUMNS, stored_year, _COMPARED),
}
"""Every table's year-months and years, read as staff type them (1970.05, 1970年5月, 2011年
found nothing), with each operator that compares them (≥ and ≤ too)."""
MOMENT_COLUMNS = (
    "at", "created_at", "revoked_at", "checked_at", "read_at", "deleted_at",
    "run", "first_loaded", "last_loaded", "first_check_at", "received_at",
)  # fmt: skip
"""The columns of a moment, stored in UTC (`registry.store.now`): 时间 of the sync history,
the corrections, the checks, the reports; a key's or a watch list's 时间 of each event; a sync
run's start, a register's first and last load, a replica log's arrivals."""
_TYPED_MOMENT = re.compile(
    r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*T?\s*(\d{1,2})\s*[:：时点]\s*(\d{1,2})?\s*分?(?:\s*[:：]\s*(\d{1,2})\s*秒?)?)?\s*"
)


def _utc_moment(typed: str) -> str:
    """A moment as staff type it, in Beijing time (2026-12-06, 2026-12-06 08:00, 2026年12月6日8点),
    as the registry stores it: the page shows every 时间 in Beijing time, but ``时间 ≥ 2026-12-06``
    compared the stored UTC text and missed the morning's eight hours (a staff review). A full
    timestamp with its zone is the moment it names."""
    typed = unicodedata.normalize(
        "NFKC", typed
    )  # ２０２６－１２－０６, as an input method types it
    with contextlib.suppress(ValueError):  # a timestamp with its zone: the moment it names
        named = dt.datetime.fromisoformat(typed.strip().replace("Z", "+00:00"))
        if named.tzinfo is not None:
            return named.astimezone(dt.UTC).isoformat()
    found = _TYPED_MOMENT.fullmatch(typed)
    if found is None:
        return typed
    year, month, day, hour, minute, second = (int(part or 0) for part in found.groups())
    try:
        moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=BEIJING)
    except ValueError:
        return typed
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


MOMENTS = {
    f"{column}__{op}": _utc_moment for column in MOMENT_COLUMNS for op in ("gt", "gte", "lt", "lte")
}
"""Every table's moments compared (≥, <) as staff type them, in Beijing time."""
AS_STORED = {f"{column}__date": f"{column}__exact" for column in CALENDAR_DATES}
"""A calendar date's 日期为 is its value: compared through ``date()`` it read a whole table at a
million certificates, 0.8 s (a staff review), where the column's own index finds it at once."""


def _a_table(path: str) -> bool:
    """Whether ``path`` is a table's (or a view's) page of one of the two databases."""
    database, _, table = path.removeprefix("/").partition("/")
    return database in (REGISTRY_NAME, LOG) and bool(table) and "/" not in table


def normalised_query(
    query: bytes, filters: dict[str, Callable[[str], str]], renamed: dict[str, str] | None = None
) -> bytes:
    """``query`` with the values of ``filters`` (a table's of `NORMALISED`) as stored, and the
    arguments of ``renamed`` (`KEYED`) under their new names."""
    pairs = parse_qsl(query.decode("utf-8", "replace"), keep_blank_values=True)
    if not any(key in filters for key, _ in pairs):
        return query
    renamed = renamed or {}
    return urlencode(
        [(renamed.get(k, k), filters[k](v) if k in filters else v) for k, v in pairs]
    ).encode()


async def _keyed(datasette: Any) -> bool:
    """Whether the registry's 换发、补发、撤销 table has its name key: one an older certreg made,
    which browse could not upgrade (the file not writable), has none — and SQLite reads a
    quoted column it lacks as a string, so the filter answered 没有 for every name (a review)."""
    try:
        columns = await datasette.get_database(REGISTRY_NAME).table_columns(EVENTS)
    except KeyError:  # no registry attached (a test's Datasette of the log alone)
        return False
    return "name_key" in columns


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    """A table's page (and its JSON and CSV) asked for with the filters' values normalised."""
    pages = {f"/{database}/{table}": filters for (database, table), filters in NORMALISED.items()}

    def wrap(app: ASGIApp) -> ASGIApp:
        async def normalising(scope: dict[str, Any], receive: Any, send: Any) -> None:
            page = route_path(datasette, scope).partition(".")[0] if scope["type"] == "http" else ""
            filters = (
                {**CODED, **DATED, **MONTHS, **MOMENTS, **pages.get(page, {})}
                if _a_table(page)
                else None
            )
            renamed = {**AS_STORED, **RENAMED.get(page, {})}
            if page == f"/{REGISTRY_NAME}/{EVENTS}":
                if await _keyed(datasette):
                    filters = {**(filters or {}), **EVENT_NAMES}
                else:  # compared as written: a key column missing reads as a string literal
                    renamed = AS_STORED
            if filters:
                query = _widened(scope.get("query_string", b""))
                query = normalised_query(query, filters, renamed)
                scope = dict(scope, query_string=query)
            await app(scope, receive, send)

        return normalising

    return wrap
