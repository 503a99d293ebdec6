"""Facet counts that describe the whole filtered table on every page, not just what follows it.

Datasette 0.65 pages a table by keyset (``?_next=``) and appends that page's condition
(``rowid > :p3``, or the sort column's comparison) to the WHERE it hands to the facets, so from
page 2 on every facet count shrank to the rows after the page — an auditor paging through
初级 certificates saw the count of 初级 fall. Here the facets get the same SQL without that last
condition; the row count Datasette shows is built before it and was right all along.
"""

from __future__ import annotations

import re
from typing import Any

from datasette import hookimpl
from datasette.facets import ArrayFacet, ColumnFacet, DateFacet
from datasette.plugins import pm
from datasette.utils import detect_json1, urlsafe_components

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


class _WholeFilter:
    """Mixed into each of Datasette's facet classes, before it."""

    sql: str
    params: Any
    request: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.params, dict) and self.request is not None:
            self.sql = whole_filter(self.sql, self.params, self.request.args.get("_next"))


class WholeColumnFacet(_WholeFilter, ColumnFacet):  # type: ignore[misc]
    pass


class WholeDateFacet(_WholeFilter, DateFacet):  # type: ignore[misc]
    pass


class WholeArrayFacet(_WholeFilter, ArrayFacet):  # type: ignore[misc]
    pass


# Datasette's own facet classes would run beside these and list every facet twice.
pm.set_blocked("datasette.facets")


@hookimpl
def register_facet_classes() -> list[type]:
    classes: list[type] = [WholeColumnFacet, WholeDateFacet]
    if detect_json1():
        classes.append(WholeArrayFacet)
    return classes
