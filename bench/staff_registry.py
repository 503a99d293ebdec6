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

from bench.generate import SEED, VERSION, plan_registers, register_rows, write_directory
from datasette_config.launch import ensure_verify_log
from registry.domain.levels import QUANTITY_COLUMNS
from registry.domain.regions import PROVINCE, REGIONS
from registry.kinds import LAYOUTS
from registry.sheets.writers import write_csv
from registry.store import stock, verify_log_path

SUMMARY_TABLES = ("certificate_tally", "stock_parts")
FACET_INDEXES = ("level", "region", "trade", "status", "year_code", "authority")
UNIT = "省直基准测试单位"
"""The provincial unit of the generated provincial rosters (`bench.generate`)."""


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


def _status_changes(
    conn: sqlite3.Connection, count: int, rng: random.Random
) -> list[dict[str, object]]:
    """换发, 补发 (same and new number) and 撤销 of certificates spread over the registry."""
    (total,) = conn.execute("SELECT count(*) FROM certificates").fetchone()
    step = max(1, total // count)
    chosen = conn.execute(
        "SELECT number, name, issued_on, approval_doc, letter, year_code, region FROM certificates"
        " WHERE rowid % ? = 0 LIMIT ?",
        (step, count),
    ).fetchall()
    highest = {
        prefix: top
        for prefix, top in conn.execute(
            "SELECT letter || year_code || region, max(sequence) FROM certificates GROUP BY 1"
        )
    }
    rows: list[dict[str, object]] = []
    for number, name, issued_on, approval_doc, letter, year_code, region in chosen:
        date = dt.date.fromisoformat(issued_on) + dt.timedelta(days=rng.randint(30, 700))
        kind = rng.choices(["换发", "补发", "补发新号", "撤销"], [4, 3, 1, 2])[0]
        row: dict[str, object] = {
            "类型": kind.removesuffix("新号"),
            "证书编号": number,
            "姓名": name,
            "日期": date.isoformat(),
            "原因": {"换发": "证书错填", "撤销": "骗取证书"}.get(kind, "证书遗失"),
            "批准文号": f"川人社函〔{date.year}〕99号",
        }
        if kind in ("换发", "补发新号"):
            prefix = f"{letter}{year_code}{region}"
            highest[prefix] += 1
            row["新证书编号"] = f"{prefix}{highest[prefix]:04d}"
        if kind.startswith("补发"):
            row |= {
                "个人申请": "个人申请书",
                "单位证明": "单位证明",
                "原公布文件": approval_doc,
                "主管部门审核": "同意",
                "发证机关审核": "同意",
            }
        rows.append(row)
    return rows


def _blank_registers(
    conn: sqlite3.Connection,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Ten years of requisitions for each recipient of the rosters (the provincial unit and
    every city), one in four still waiting for the province, and a dispatch of each approved."""
    regions = [code for (code,) in conn.execute("SELECT DISTINCT region FROM certificates")]
    recipients = [
        UNIT if code == PROVINCE else f"{REGIONS[code]}人力资源和社会保障局" for code in regions
    ]
    requisitions: list[dict[str, object]] = []
    dispatches: list[dict[str, object]] = []
    counts = dict(zip(QUANTITY_COLUMNS, (200, 300, 200, 100), strict=True))
    for who in sorted(recipients):
        for year in range(2000, 2010):
            approved = year % 4 != 0
            requisitions.append(
                {
                    "单位": who,
                    "联系人": "联系人",
                    "联系电话": "028-1",
                    **counts,
                    "合计": sum(counts.values()),
                    "市（州）意见": None if who == UNIT else "同意 2012-02-10",
                    "省厅意见": "同意 2012-02-20" if approved else None,
                }
            )
            if approved:
                dispatches.append(
                    {
                        "领取单位": who,
                        **counts,
                        "合计": sum(counts.values()),
                        "日期": "2012-03-01",
                        "经办人": "经办人",
                    }
                )
    return requisitions, dispatches


def _collections(conn: sqlite3.Connection, register: str) -> list[dict[str, object]]:
    """Every certificate of ``register`` collected ten days after it was issued."""
    return [
        {
            "证书编号": number,
            "领取人": "领取人",
            "签名": "是",
            "日期": (dt.date.fromisoformat(issued_on) + dt.timedelta(days=10)).isoformat(),
        }
        for number, issued_on in conn.execute(
            "SELECT number, issued_on FROM certificates WHERE register = ? ORDER BY number",
            (register,),
        )
    ]


def _write(folder: Path, name: str, kind: str, rows: list[dict[str, object]]) -> str:
    write_csv(folder / name, LAYOUTS[kind], rows)
    return f'[[register]]\nfile = "{name}"\nkind = "{kind}"\nauthority = "{PROVINCE}"\n'


def _extras(db: Path, folder: Path, sizes: StaffSizes) -> None:
    """The registers that come after the rosters: status changes, blanks, collections of a
    quarter of the rosters, and two registers the sync rejects."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(SEED)
    conn = sqlite3.connect(db)
    try:
        changes = _status_changes(conn, max(10, sizes.registers * sizes.rows // 500), rng)
        requisitions, dispatches = _blank_registers(conn)
        rosters = [key for (key,) in conn.execute("SELECT key FROM registers ORDER BY key")]
        collected = [_collections(conn, key) for key in rosters[::4]]
    finally:
        conn.close()
    manifest = [
        _write(folder, "changes.csv", "status-changes", changes),
        _write(folder, "requisitions.csv", "requisitions", requisitions),
        _write(folder, "dispatches.csv", "dispatches", dispatches),
    ]
    for index, rows in enumerate(collected, start=1):
        manifest.append(_write(folder, f"collected-{index:02d}.csv", "collections", rows))
    unknown = {**changes[0], "证书编号": "Z0022009999", "类型": "撤销", "原因": "骗取证书"}
    manifest.append(_write(folder, "changes-bad.csv", "status-changes", [unknown]))
    # a roster whose numbers run backwards: a problem on every row
    extra = plan_registers(sizes.registers + 1, sizes.rows)[-1]
    backwards = list(reversed(register_rows(extra)))
    write_csv(folder / extra.file, LAYOUTS[extra.kind], backwards)
    manifest.append(extra.manifest())
    (folder / "registers.toml").write_text("\n".join(manifest), encoding="utf-8")


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
    _extras(db, work / "extras", sizes)
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
        for column in FACET_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS idx_certificates_{column}")
        conn.execute(f"CREATE VIEW stock AS {stock.RECOMPUTED}")
        conn.execute("VACUUM")
    finally:
        conn.close()
    shutil.copyfile(verify_log_path(db), verify_log_path(copy))
    return copy
