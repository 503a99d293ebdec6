"""How results are shown on pages: Beijing time, the QR code of a receipt link, the number's parts."""

from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache
from typing import Any

import segno
from jinja2 import pass_context
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import BaseRoute, NoMatchFound

from registry.domain.levels import LEVELS
from registry.domain.regions import REGIONS

BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")

NUMBER_PARTS = (
    ("第1位", "等级代码", "、".join(f"{k} {v}" for k, v in LEVELS.items())),
    ("第2-3位", "核发年份代码", "发证年份的后两位，如 11"),
    ("第4-7位", "地区代码", "、".join(f"{k} {v}" for k, v in list(REGIONS.items())[:3]) + "……"),
    ("第8-11位", "顺序号", "0001-9999"),
)
"""The structure of 附件3 explained beside the form."""

REGION_LIST = tuple(REGIONS.items())
"""All region codes, listed under the form."""


@lru_cache(maxsize=256)
def beijing_time(value: str | dt.datetime | None) -> str:
    """``2026-11-26T10:00:00+00:00`` → ``2026年11月26日 18:00（北京时间）``.

    Cached: every result page shows the registry's snapshot time, which rarely changes."""
    if value is None:
        return "未知"
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BEIJING).strftime("%Y年%m月%d日 %H:%M（北京时间）")


def qr_svg(url: str) -> bytes:
    """The link as a standalone SVG QR code, served as an image beside the receipt link.

    Drawing a QR code takes longer than the check itself, so pages refer to it with ``<img>``
    and only a browser that shows (or prints) the page asks for it.
    """
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=3, title="查验回执链接的二维码")
    return out.getvalue()


@lru_cache(maxsize=64)
def _route(app: Starlette, name: str) -> BaseRoute:
    for route in app.routes:
        if getattr(route, "name", None) == name:
            return route
    raise NoMatchFound(name, {})


def route_path(request: Request, name: str, /, **params: str) -> str:
    """The site-relative URL of a named route (under the app's ``root_path``).

    Starlette's ``url_for`` builds an absolute URL from the request, by asking each route in
    turn (each refusal an exception); here the route is found once."""
    return _under_root(request, _route(request.app, name).url_path_for(name, **params))


@lru_cache(maxsize=256)
def _fixed_path(app: Starlette, name: str, params: tuple[tuple[str, str], ...]) -> str:
    return _route(app, name).url_path_for(name, **dict(params))


@pass_context
def path_for(context: dict[str, Any], name: str, /, **params: str) -> str:
    """`route_path` for templates, whose links never change (a page has half a dozen): cached."""
    request = context["request"]
    return _under_root(request, _fixed_path(request.app, name, tuple(sorted(params.items()))))


def _under_root(request: Request, path: str) -> str:
    return str(request.scope.get("root_path", "")) + path
