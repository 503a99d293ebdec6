"""The 证书 table filtered by 姓名 through the holder index, not a scan of a million rows.

Staff reach first for the table's own filter, ``姓名 = 王伟伟`` (``?name__exact=…`` or
``?name=…``). ``certificates.name`` has no index of its own — every roster row would pay for one
more B-tree — but ``name_key``, the comparison key of the name that the sync stores beside it, is
indexed with the birth date for §二 (`registry.store.schema.HOLDER_INDEX`). A name filter here gets
``name_key = key(name)`` added: always true of the rows the filter keeps (the key is a function of
the name), it lets SQLite read those few rows through the index: 2.4 s → 0.02 s at a million
certificates (``python -m bench --only staff``), and the page's facets count only them.

The values of these filters, and of ``证书编号``'s, are read as the registry stores them first
(input is normalised everywhere, on every channel), as the canned queries read theirs: ``吴　敏`` finds
吴敏, ``g1122000002 `` finds G1122000002 — the table said 0 行 and nothing more.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.filters import FilterArguments

from datasette_config.launch import REGISTRY_NAME
from registry.domain.names import name_key, normalise_name
from registry.domain.numbers import normalise

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]

TABLE = "certificates"
NAME_FILTERS = ("name", "name__exact")
NUMBER_COLUMNS = ("number", "successor", "predecessor")
_OPERATORS = ("", "__exact", "__not", "__contains", "__startswith", "__endswith", "__gt", "__lt")
"""Datasette's filters that compare the typed text (its form's 等于 sends ``__exact``)."""
NORMALISED: dict[str, Callable[[str], str]] = {
    **{f"name{op}": normalise_name for op in _OPERATORS},
    **{f"{column}{op}": normalise for column in NUMBER_COLUMNS for op in _OPERATORS},
}
"""The filters of the table whose typed value is read as the registry stores its column."""


@hookimpl
def filters_from_request(
    request: Any, database: str, table: str, datasette: Any
) -> FilterArguments | None:
    """``name_key = key`` for each name the request filters the certificates by exactly."""
    if database != REGISTRY_NAME or table != TABLE:
        return None
    keys = {name_key(value) for arg in NAME_FILTERS for value in request.args.getlist(arg)}
    if not keys:
        return None
    clauses = [f"name_key = :certreg_name_key_{i}" for i in range(len(keys))]
    params = {f"certreg_name_key_{i}": key for i, key in enumerate(sorted(keys))}
    return FilterArguments(clauses, params)


def normalised_query(query: bytes) -> bytes:
    """``query`` with the values of `NORMALISED`'s filters as the registry stores them."""
    pairs = parse_qsl(query.decode("utf-8", "replace"), keep_blank_values=True)
    if not any(key in NORMALISED for key, _ in pairs):
        return query
    return urlencode([(k, NORMALISED[k](v) if k in NORMALISED else v) for k, v in pairs]).encode()


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    """The table's page (and its JSON and CSV) asked for with the filters' values normalised."""
    path = f"/{REGISTRY_NAME}/{TABLE}"

    def wrap(app: ASGIApp) -> ASGIApp:
        async def normalising(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"].partition(".")[0] == path:
                scope = dict(scope, query_string=normalised_query(scope.get("query_string", b"")))
            await app(scope, receive, send)

        return normalising

    return wrap
