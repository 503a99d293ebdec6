"""The registry served as ``registry`` whatever its file is called.

Datasette names a database after its file's stem, while metadata.yml, the canned queries, the
templates and every link are written for ``/registry/…``. ``certreg browse --db certs.db`` names
the file it serves in `launch.REGISTRY_FILE`; at startup the database opened from that file takes
the name ``registry`` (and its place in the list), as if the file were called registry.db.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from datasette import hookimpl

from datasette_config.launch import REGISTRY_FILE, REGISTRY_NAME


def _same_file(path: str | None, wanted: Path) -> bool:
    return path is not None and Path(path).resolve() == wanted


@hookimpl
def startup(datasette: Any) -> None:
    wanted = os.environ.get(REGISTRY_FILE)
    if not wanted or REGISTRY_NAME in datasette.databases:
        return
    target = Path(wanted).resolve()
    renamed = {}
    for name, database in datasette.databases.items():
        if _same_file(database.path, target):
            database.name = database.route = name = REGISTRY_NAME
        renamed[name] = database
    datasette.databases = renamed  # a new dict, as Datasette's own add_database does
