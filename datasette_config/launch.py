"""How ``certreg browse`` starts Datasette: the command line over the shipped configuration.

Datasette runs as its own process with ``datasette serve`` — the same launch line an
administrator could type, its uvicorn bounded as the public app's (`datasette_config.serve`) — over the registry and the verification log, both opened as ordinary
(mutable) files. Datasette reads them with ``mode=ro`` connections, so every sync and every check
shows up live; ``-i`` (immutable) is deliberately not used, because the files change while served.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from datasette_config import config_dir
from registry import store
from registry.public.proxies import VARIABLE as TRUSTED_PROXIES
from registry.public.proxies import trusted_proxies, with_other_forms
from registry.store.staff_indexes import ensure_staff_indexes
from registry.store.verify_log import prepare_log

REGISTRY_NAME = "registry"
"""The database name metadata.yml, the templates and the links are written for."""
REGISTRY_FILE = "CERTREG_BROWSED_REGISTRY"
"""The variable naming the registry file ``certreg browse`` serves: under another name than
registry.db it is still served as `REGISTRY_NAME` (plugins/certreg_registry_name.py)."""


def ensure_verify_log(path: Path) -> None:
    """Create an empty verification log with the shared schema if there is none yet, and give
    the log the indexes staff's queries read.

    Datasette can only serve a file that exists when it starts; creating the empty log lets the
    suspicious-traffic query run from the first day and show checks as soon as the verification
    app writes them. A log the app started has no staff indexes (`STAFF_INDEXES`); from now on
    the app's writer keeps them. Existing tables are left exactly as they are.

    In WAL like the registry, so the app's writer never waits for Datasette's readers; in one
    committed transaction, as the app prepares it (`prepare_log`): an old log's upgrade made
    here and closed uncommitted was rolled back — its watch lists then deleted at their first
    read, staff's indexes missing until the next start.
    """
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        prepare_log(conn, ensure_staff_indexes)
    finally:
        conn.close()


def bring_up_to_date(registry: Path, log: Path) -> str | None:
    """Give a registry and a log made by an older certreg the tables and indexes this version's
    pages read — what the next sync, or the app's writer, would add (never changing or dropping
    anything) — before Datasette opens them read-only: an upgrade then shows every page at once,
    not after the next sync. Returns why it could not (files this user may not write): staff
    can still browse, some pages fail until a sync."""
    problems = []
    steps: list[tuple[Callable[[Path], None], Path]] = [
        (ensure_verify_log, log),  # first: Datasette cannot start without it
        (_upgrade_registry, registry),
    ]
    for bring, path in steps:
        try:
            bring(path)
        except sqlite3.Error as exc:
            problems.append(f"{path}：{exc}")
    return "；".join(problems) or None


UPGRADE_WAIT_SECONDS = 30.0
"""How long browse waits at start for a sync to let go of the registry."""


def _upgrade_registry(registry: Path) -> None:
    """The registry's schema brought up to date, as a writer's connection does. A sync writing
    a register holds the lock for a few seconds, and SQLite may refuse at once rather than wait
    (a read turning into a write): tried again every half second until `UPGRADE_WAIT_SECONDS`
    have passed (each try may itself wait out the connection's busy timeout)."""
    deadline = time.monotonic() + UPGRADE_WAIT_SECONDS
    while True:
        try:
            store.connect(registry).close()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.5)


def setting_arguments(settings_file: Path) -> list[str]:
    """``--setting name value`` pairs for every entry of settings.json."""
    settings = json.loads(settings_file.read_text(encoding="utf-8"))
    arguments = []
    for name, value in settings.items():
        if isinstance(value, bool):
            value = "on" if value else "off"
        arguments += ["--setting", name, str(value)]
    return arguments


def datasette_command(databases: list[Path], host: str, port: int) -> list[str]:
    """The ``datasette serve`` command line for staff browsing of ``databases``, its uvicorn
    bounded as the public app's (`datasette_config.serve`)."""
    config = config_dir()
    return [
        sys.executable,
        "-m",
        "datasette_config.serve",
        "serve",
        *(str(path) for path in databases),
        "--host",
        host,
        "--port",
        str(port),
        "--metadata",
        str(config / "metadata.yml"),
        "--plugins-dir",
        str(config / "plugins"),
        "--template-dir",
        str(config / "templates"),
        *setting_arguments(config / "settings.json"),
    ]


def datasette_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment to start Datasette with: proxy headers believed only from trusted proxies.

    ``datasette serve`` runs uvicorn, which on its own believes X-Forwarded-For and
    X-Forwarded-Proto from 127.0.0.1 and ::1 (its FORWARDED_ALLOW_IPS default): a local user
    could then pose as any client to the login throttle. Setting FORWARDED_ALLOW_IPS to
    CERTREG_TRUSTED_PROXIES (empty: no one) makes uvicorn agree with the staff plugins
    (plugins/certreg_security.py) and with the public app.
    """
    trusted = trusted_proxies(environ.get(TRUSTED_PROXIES, ""))
    return {**environ, "FORWARDED_ALLOW_IPS": ",".join(with_other_forms(trusted))}
