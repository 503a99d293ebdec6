"""Links the pages and the API hand out: site-relative route paths, and absolute receipt URLs."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import pass_context
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request


@lru_cache(maxsize=256)
def _fixed_path(app: Starlette, name: str, params: tuple[tuple[str, str], ...]) -> str:
    """Starlette's ``url_path_for``, once per link: asking each route in turn (each refusal an
    exception) costs more than a check, and a page's links never change."""
    return str(app.url_path_for(name, **dict(params)))


def route_path(request: Request, name: str, /, **params: str) -> str:
    """The site-relative URL of a named route, under the app's ``root_path``."""
    path = _fixed_path(request.app, name, tuple(sorted(params.items())))
    return _root(request) + path


def _root(request: Request) -> str:
    """The app's own ``root_path`` — not a mount's: a page rendered under ``/static`` (its
    404) linked to /static/static/style.css and /static/batch."""
    scope = request.scope
    return str(scope.get("app_root_path", scope.get("root_path", "")))


_TOKEN = "{token}"
"""Stands for the token in a route's cached path: no signed token contains braces."""


def _with_token(app: Starlette, name: str, token: str) -> str:
    """The path of a route whose one parameter is a fresh token (a receipt's): looked up once
    with a stand-in and the token put in its place — each token is new, so caching the paths
    themselves would only evict the page's other links. Starlette puts a ``str`` parameter in
    as it is, and a URL-safe token needs no quoting either."""
    return _fixed_path(app, name, (("token", _TOKEN),)).replace(_TOKEN, token)


def token_path(request: Request, name: str, token: str) -> str:
    """`route_path` of a route whose one parameter is a token."""
    return _root(request) + _with_token(request.app, name, token)


@pass_context
def path_for(context: dict[str, Any], name: str, /, **params: str) -> str:
    """`route_path` for templates."""
    return route_path(context["request"], name, **params)


MAX_HOST_CHARS = 253 + len(":65535")
"""The longest Host a client can mean: a DNS name (at most 253 characters) and a port."""


def public_base(request: Request) -> str:
    """The site's address for absolute links: ``CERTREG_PUBLIC_URL`` when set (behind a proxy
    the request's own host may be an internal name, and a client chooses its Host header),
    else the request's — refused (400) when no server could have that name: a receipt's QR
    code cannot hold a link of kilobytes, and a page should not carry one. Asked first by the
    requests that will make such a link, so that one refused has charged and stored nothing."""
    base = request.app.state.verifier.settings.public_url
    if base:
        return str(base).rstrip("/")
    if len(request.base_url.netloc) > MAX_HOST_CHARS:
        raise HTTPException(400, "请求头 Host 不是有效的网站地址，无法生成回执或关注列表的链接。")
    return str(request.base_url).rstrip("/")


def receipt_url(request: Request, token: str) -> str:
    """The absolute link of a receipt."""
    return public_base(request) + _with_token(request.app, "receipt", token)


def watch_links(request: Request, token: str) -> dict[str, str]:
    """The secret addresses of a watch list: its page and its two feeds (`_with_token`: no
    cache keeps the secret tokens in memory)."""
    base = public_base(request)
    routes = {"watch_url": "watch_page", "atom_url": "watch_atom", "json_url": "watch_json"}
    return {field: base + _with_token(request.app, route, token) for field, route in routes.items()}
