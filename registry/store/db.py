"""The registry file: where it lives and how it is opened.

One SQLite file in WAL mode. Every register is written inside one write transaction (a sync's
scope, `registry.sync.register`; anything else through `registry.store.transactions`), so
readers (the verification app, Datasette) and a process killed mid-sync only ever see the
state before or after a whole register.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import sqlite_utils

from registry.store.migrations import migrate
from registry.store.schema import TABLES
from registry.store.stock import ensure_stock_view
from registry.store.transactions import transaction as transaction
from registry.store.upgrade import ensure_tables
from registry.store.wal import enter_wal

DEFAULT_DB = Path("data/registry.db")
VERIFY_LOG_NAME = "verify_log.db"


def verify_log_path(registry: Path) -> Path:
    """The verification log lives beside the registry (SPEC §1): the app writes it, staff read it."""
    return registry.parent / VERIFY_LOG_NAME


def now() -> str:
    """The registry's clock: UTC, to the second, ISO 8601."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class RegistryMismatch(Exception):
    """A file a reader cannot use as this certreg's registry: not a registry at all, or one an
    older certreg made, which lacks tables or columns (the message says what to do)."""

    def __init__(self, message: str, *, older: bool = False) -> None:
        super().__init__(message)
        self.older = older
        """a registry an older certreg made: a write connection (`connect`) upgrades it"""


NOT_A_REGISTRY = "不是 certreg 登记库（其中没有证书表）。请检查 --db 或环境变量 CERTREG_DB"


READ_BY_CHECKS: dict[str, tuple[str, ...] | None] = {
    "certificates": None,
    # all but the name key staff's filter reads (a review: a registry of the certreg before it
    # was refused by every check, a replica upgraded first skipped every version published)
    "status_events": tuple(c for c in TABLES["status_events"].columns if c != "name_key"),
    "syncs": ("id", "at", "kind", "outcome"),
    "api_keys": None,
    "trades": None,
}
"""The tables a reader of the registry (the public check, ``certreg verify``) reads, and of
each the columns it reads (None: all): a table or column only staff or the sync read may be
missing without stopping the checks (a replica upgraded before the registry host refused every
registry the host published, for a column of the sync history it never reads)."""


def check_schema(conn: sqlite3.Connection) -> None:
    """Raise `RegistryMismatch` unless every table and column a check reads is there.

    A writer adds what is missing (`ensure_tables`); a reader cannot, and would fail every
    query that names a new column — an upgraded replica answering every check with a 500."""
    present: dict[str, set[str]] = {}
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        present[table] = {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")}
    if "certificates" not in present:
        raise RegistryMismatch(NOT_A_REGISTRY)
    missing: list[str] = []
    for name, read in READ_BY_CHECKS.items():
        if name not in present:
            missing.append(name)
        else:
            columns = TABLES[name].columns if read is None else read
            missing += [f"{name}.{column}" for column in columns if column not in present[name]]
    if missing:
        raise RegistryMismatch(
            f"登记库由较早版本的 certreg 建立，缺少 {'、'.join(missing)}。"
            "请在登记库所在的主机上用本版本运行一次 certreg sync（或 certreg stock），"
            "它会补齐这些表和列；副本随后会收到升级后的登记库",
            older=True,
        )


def read_only(
    path: Path, *, immutable: bool = False, check_same_thread: bool = True
) -> sqlite3.Connection:
    """A connection that can only read ``path`` (``mode=ro``): a file that is not there is an
    error, not a new empty database, and nothing is written beside it but WAL's ``-shm``;
    ``immutable``: not even that, for a file only ever replaced, never written."""
    options = "mode=ro&immutable=1" if immutable else "mode=ro"
    uri = f"{path.resolve().as_uri()}?{options}"
    return sqlite3.connect(uri, uri=True, check_same_thread=check_same_thread)


def registries_beside(db: Path) -> list[str]:
    """The names of the other registries in ``db``'s folder: a registry made new beside one
    is most often a mistyped ``--db`` (registy.db), into which a clerk loaded a register and
    believed it loaded."""
    found = []
    for other in sorted(db.parent.glob("*.db")):
        if other.name == db.name or not other.is_file():
            continue
        try:
            with contextlib.closing(read_only(other)) as conn:
                if conn.execute(_HAS_CERTIFICATES).fetchone():
                    found.append(other.name)
        except sqlite3.Error:  # not a database, or not one we may read: not a registry
            continue
    return found


_HAS_CERTIFICATES = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'certificates'"


def snapshot(path: Path, target: Path) -> None:
    """Copy the registry at ``path`` to ``target`` as it is now (SQLite's online backup, in one
    step under a read transaction: a sync may go on writing beside it). What a dry run checks
    against: checked in the registry itself, it took the write lock a sync waited for, or
    failed while one held it."""
    source = read_only(path)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()


DRY_RUN_FOLDERS = ".certreg-dry-run-"
STALE_SECONDS = 86_400


def dry_run_folder(db: Path) -> tempfile.TemporaryDirectory[str]:
    """Where a dry run's copy of the registry goes: beside the registry, under its folder's
    protections (the system's temporary folder, shared, only when that one cannot be written),
    and — the copy holds every holder's data — the copies killed runs left behind, in either
    place, are removed by the next dry run once a day old."""
    for folder in (db.parent, Path(tempfile.gettempdir())):
        for stale in folder.glob(f"{DRY_RUN_FOLDERS}*"):
            with contextlib.suppress(OSError):
                if time.time() - stale.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(stale)
    try:
        return tempfile.TemporaryDirectory(prefix=DRY_RUN_FOLDERS, dir=db.parent)
    except OSError:
        return tempfile.TemporaryDirectory(prefix=DRY_RUN_FOLDERS)


FileId = tuple[int, int]
"""(device, inode): which file a path names. A new one means the file was replaced (a replica's
new registry version, a log rotated away), not updated; a connection opened before keeps
reading the old one for as long as it is open."""


def file_id(path: Path) -> FileId | None:
    """Which file ``path`` names now, or None when none can be seen (gone, or not readable)."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the registry. Writers get WAL and the schema; readers get ``mode=ro``, and
    `RegistryMismatch` when the file lacks part of the schema."""
    if readonly:
        conn = read_only(path, check_same_thread=False)
        conn.execute("PRAGMA query_only = 1")
        try:
            check_schema(conn)
        except BaseException:
            conn.close()
            raise
        return conn
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    try:
        _refuse_another_database(conn, path)
    except BaseException:
        conn.close()
        raise
    enter_wal(conn)
    conn.execute("PRAGMA synchronous = NORMAL")
    # 64 MiB of page cache: a register's inserts land all over the number index of a
    # registry of a million certificates; the default 2 MiB would re-read pages for every row.
    conn.execute("PRAGMA cache_size = -65536")
    # a roster's rows are matched against the registry through a temporary table (§二)
    conn.execute("PRAGMA temp_store = MEMORY")
    db = sqlite_utils.Database(conn)
    ensure_tables(db)
    ensure_stock_view(db)
    migrate(conn)
    return conn


def _refuse_another_database(conn: sqlite3.Connection, path: Path) -> None:
    """`RegistryMismatch` for a database with tables but no certificates: the verification log,
    or another program's file, given as ``--db`` — a writer would fill it with the registry's
    tables beside its own (an API key issued into ``verify_log.db`` and lost to every check)."""
    tables = {
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
        )
    }
    if tables and "certificates" not in tables:
        raise RegistryMismatch(f"{path} {NOT_A_REGISTRY}")
