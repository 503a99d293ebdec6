"""Where a login leads back to: the page a visitor without a session asked for (a shared link
to a report queue, the page open when the session ended), when it is a page of this site. The
session gate (`plugins.certreg_session`) and Datasette's refusals (`plugins.certreg_login`) send
visitors to the login page with it; the login form leads back to it."""

from __future__ import annotations

import urllib.parse
from typing import Any


def local_path(value: str | None) -> str | None:
    """``value`` when it is a path on this site to return to after login (``/registry/…?…``),
    else None: never another host (``//evil``, ``/\\evil``), never the login page itself."""
    if not value or len(value) > 2000 or not value.startswith("/"):
        return None
    if value.startswith(("//", "/\\")) or "\\" in value or not value.isprintable():
        return None
    return None if value.startswith("/-/login") else value


def login_path(datasette: Any, asked: str) -> str:
    """The login page, told to lead back to ``asked`` when that is a page of this site."""
    back = local_path(asked)
    query = f"?{urllib.parse.urlencode({'next': back})}" if back and back != "/" else ""
    return str(datasette.urls.path("/-/login")) + query
