"""The registry of the staff benchmark (`bench.staff_bench`): about a million certificates
built the way a province's is, and a copy of it as it was before the staff summaries.

Generated rosters (`bench.generate`) are synced with ``certreg sync``, then a status-changes
register (换发, 补发 under the same and a new number, 撤销), requisitions and dispatches for every
city and the provincial unit, collection registers for part of the rosters, a verification log,
and two rejected registers (a roster numbered backwards, with a problem on every row, and a
status change of an unknown number).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import SEED, VERSION, write_directory
from bench.plans import plan_registers
from bench.staff_extras import extras
from datasette_config.launch import ensure_verify_log
from registry.store import schema, stock, verify_log_path
from registry.store.verify_log import ensure_shipping_schema

SUMMARY_TABLES = ("certificate_tally", "stock_parts")


@dataclass(frozen=True)
class StaffSizes:
    registers: int
    rows: int
    samples: int
    rounds: int


def _certreg_sync(certreg: str, folder: Path, db: Path) -> tuple[float, dict[str, str]]:
    """Sync ``folder``; the wall time and each register's outcome (rejections are expected)."""
    start = time.perf_counter()
    result = subprocess.run(
        [certreg, "sync", str(folder), "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    try:
        report = json.loads(result.stdout)
    except ValueError as exc:
        raise RuntimeError(f"certreg sync {folder} failed:\n{result.stderr[-3000:]}") from exc
    return seconds, {r["file"]: r["outcome"] for r in report["registers"]}


def _verify_log(path: Path, numbers: list[str], checks: int) -> None:
    """Two days of public checks: a few each from many clients, now and then a mistyped one;
    and five clients guessing, most of their checks finding nothing."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    ensure_verify_log(path)
    rng = random.Random(SEED)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    rows = []
    for index in range(checks):
        guessing = index % 50 == 0
        client = f"203.0.113.{index % 5}" if guessing else f"198.51.{index % 20}.{index % 250}"
        at = now - dt.timedelta(seconds=rng.randint(0, 2 * 86400))
        missed = rng.random() < (0.9 if guessing else 0.02)
        rows.append(
            (
                at.isoformat(),
                client,
                rng.choice(numbers),
                "no_match" if missed else "valid",
                secrets.token_hex(32),
                rng.choice(["api", "page", "batch"]),
            )
        )
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.executemany(
                "INSERT INTO checks (at, client, number, result, name_hash, channel)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            # as on the registry host, where certreg collect-logs has merged two replicas' logs
            ensure_shipping_schema(conn)
            conn.executemany(
                "INSERT INTO replica_logs (replica, last_source_id, first_check_at, checks,"
                " received_at) VALUES (?, ?, ?, ?, ?)",
                [(name, checks // 2, rows[0][0], checks // 2, now.isoformat()) for name in "ab"],
            )
    finally:
        conn.close()


@dataclass
class Built:
    """The registry the staff pages are measured over."""

    db: Path
    certificates: int = 0
    sync_seconds: dict[str, float] = field(default_factory=dict)
    """wall time of each ``certreg sync`` that built it"""


def prepare(out: Path, sizes: StaffSizes, certreg: str, say: Callable[[str], None]) -> Built:
    """Generate the rosters (once per size), sync them and the other registers into a fresh
    registry; the registry and the sync times."""
    stamp = {"registers": sizes.registers, "rows": sizes.rows, "seed": SEED, "version": VERSION}
    root = out / f"staff-{sizes.registers}x{sizes.rows}"
    rosters = root / "rosters"
    stamp_file = root / "stamp.json"
    if not (stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp):
        say(f"generating {sizes.registers} rosters × {sizes.rows:,} rows …")
        shutil.rmtree(root, ignore_errors=True)
        write_directory(rosters, plan_registers(sizes.registers, sizes.rows))
        stamp_file.write_text(json.dumps(stamp))
    work = out / "work" / "staff"
    work.mkdir(parents=True, exist_ok=True)
    db = work / "registry.db"
    results = Built(db)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    say("certreg sync of the rosters into a fresh registry …")
    seconds, outcomes = _certreg_sync(certreg, rosters, db)
    if set(outcomes.values()) != {"loaded"}:
        raise RuntimeError(f"generated rosters not loaded: {outcomes}")
    results.sync_seconds["rosters"] = seconds
    say("status changes, requisitions, dispatches, collections and two rejected registers …")
    extras(db, work / "extras", sizes.registers, sizes.rows)
    seconds, outcomes = _certreg_sync(certreg, work / "extras", db)
    rejected = sorted(name for name, outcome in outcomes.items() if outcome == "rejected")
    if len(rejected) != 2:
        raise RuntimeError(f"expected the two bad registers rejected: {outcomes}")
    results.sync_seconds["other registers"] = seconds
    conn = sqlite3.connect(db)
    try:
        (results.certificates,) = conn.execute("SELECT count(*) FROM certificates").fetchone()
        numbers = [
            n for (n,) in conn.execute("SELECT number FROM certificates WHERE rowid % 97 = 0")
        ]
    finally:
        conn.close()
    _verify_log(verify_log_path(db), numbers, max(1000, results.certificates // 10))
    return results


def bare_copy(db: Path, folder: Path) -> Path:
    """The registry as it was before the staff summaries, for the bare Datasette: a copy
    without the summary tables and the facet indexes, its ``stock`` view computed from the
    certificates. Named registry.db, so that its pages have the same paths."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    copy = folder / "registry.db"
    source = sqlite3.connect(db)
    try:
        source.execute("VACUUM INTO ?", (str(copy),))
    finally:
        source.close()
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        conn.execute("DROP VIEW stock")
        for name in SUMMARY_TABLES:
            conn.execute(f"DROP TABLE {name}")
        for columns in schema.FACET_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS idx_certificates_{'_'.join(columns)}")
        conn.execute(f"CREATE VIEW stock AS {stock.RECOMPUTED}")
        conn.execute("VACUUM")
    finally:
        conn.close()
    shutil.copyfile(verify_log_path(db), verify_log_path(copy))
    return copy
