"""``datasette serve`` with the public app's bounds on what one connection may hold.

Datasette's own command line, run as ``python -m datasette_config.serve serve …``, whose uvicorn
is given `registry.public.http_guard.GuardedHttpToolsProtocol`: plain ``datasette serve`` took a
header however long it grew (350 MB from one connection) and waited for ever for a head or a
login form's body sent a line at a time — behind no nginx, one client could hold the staff
server. Everything else is ``datasette serve`` as an administrator would type it — but for
``--reload``, whose watcher starts Datasette's own command anew, unguarded (`certreg browse`
never passes it).
"""

from __future__ import annotations

import functools

import uvicorn
from datasette.cli import cli

from registry.public.http_guard import GuardedHttpToolsProtocol


def main() -> None:
    # datasette.cli calls ``uvicorn.run`` by its module attribute when it serves
    uvicorn.run = functools.partial(uvicorn.run, http=GuardedHttpToolsProtocol)
    cli()


if __name__ == "__main__":
    main()
