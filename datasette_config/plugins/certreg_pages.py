"""The next page of a canned query that lists a page at a time.

换发、补发、撤销记录 lists the latest 200 events, 按姓名查持证人 and the report queue 100 rows,
名册导入记录 20 syncs; each description tells how to ask for the next page (the last row's date,
number or time typed into a field). A full page was headed 共 200 行 — a staff review counting a
year's revocations read 200 where the registry held 380, and its CSV held 200 as well. A full
page now says it is one page, and links the next one with the field filled in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlencode

from datasette import hookimpl


def _as_typed(value: object) -> str:
    return str(value)


def _day_before(value: object) -> str:
    """The field takes the events up to a day, that day included: the next page ends the day
    before the last row's (a page never splits a day)."""
    return (dt.date.fromisoformat(str(value)) - dt.timedelta(days=1)).isoformat()


class Paging(NamedTuple):  # (no dataclass: a plugin of --plugins-dir is not in sys.modules)
    """How a canned query pages: ``size`` of ``counted`` (a column; distinct values of it) make a
    full page, and the next one is asked with ``param`` set from the last row's ``column``."""

    size: int
    param: str
    column: str
    counted: str | None = None
    value: Callable[[object], str] = _as_typed

    def full(self, rows: Sequence[Any]) -> bool:
        if self.counted is None:
            return len(rows) >= self.size
        return len({row[self.counted] for row in rows}) >= self.size


PAGED: dict[str, Paging] = {
    "holders": Paging(100, "上页末行编号", "证书编号"),
    "report_queue": Paging(100, "上页末行报告编号", "报告编号"),
    "suspicious_clients": Paging(100, "上页末行客户端", "客户端"),
    "failing_numbers": Paging(100, "上页末行证书编号", "证书编号"),
    "status_changes": Paging(200, "截止日期", "日期", value=_day_before),
    "sync_history": Paging(20, "截止日期", "时间", counted="同步编号"),
}
"""The canned queries that list a page at a time, as their descriptions tell staff to page."""


def next_page(query: str | None, rows: Sequence[Any], path: str, args: Any) -> str | None:
    """The address of the page after ``rows`` of canned query ``query``, or None when it is not
    paged or this page is not full (the last one)."""
    paging = PAGED.get(query or "")
    try:
        if paging is None or not rows or not paging.full(rows):
            return None
        last = rows[-1][paging.column]
        page = paging.value(last) if last is not None else None
    except (IndexError, KeyError, ValueError):  # a query whose columns are not the shipped ones
        return None
    if page is None:
        return None
    kept = [(name, v) for name in args.keys() if name != paging.param for v in args.getlist(name)]
    return f"{path}?{urlencode([*kept, (paging.param, page)])}"


@hookimpl
def extra_template_vars(request: Any) -> dict[str, Callable[..., str | None]]:
    args = getattr(request, "args", None)
    path = getattr(request, "path", "")

    def paged(query: str | None, rows: Sequence[Any]) -> str | None:
        return None if args is None else next_page(query, rows, path, args)

    return {"next_page": paged}
