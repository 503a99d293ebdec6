"""The path Datasette routes a request on, as the plugins wrapping its ASGI app must read it."""

from __future__ import annotations

from typing import Any


def route_path(datasette: Any, scope: dict[str, Any]) -> str:
    """The raw path (``%2F`` in a table's name kept as sent), without the query and without the
    ``base_url`` an administrator may serve Datasette under (``--setting base_url /staff/``):
    the CSV export, reading the path as sent, named no table there."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1").partition("?")[0] if raw else scope["path"]
    base_url = datasette.setting("base_url")
    if base_url != "/" and path.startswith(base_url):
        path = "/" + path[len(base_url) :]
    return str(path)
