"""The staff benchmark: every page and canned query staff use in ``certreg browse``, over a
registry of about a million certificates, against the same page in a bare Datasette.

The registry is built the way a province's is: generated rosters (`bench.generate`: provincial
and city approval rosters, several regions and years) synced with ``certreg sync``, then a
status-changes register (换发, 补发 under the same and a new number, 撤销), requisitions and
dispatches for every city and the provincial unit, collection registers for part of the
rosters, a verification log, and two rejected registers (a roster numbered backwards, with a
problem on every row, and a status change of an unknown number).

Two servers answer the same pages, in turns (each round measures one, then the other), each
pinned to core 0 while this process asks from core 1, one request at a time:

- **staff**: ``datasette serve`` exactly as ``certreg browse`` starts it (shipped metadata,
  plugins, templates, settings.json), signed in;
- **bare**: a plain ``datasette serve`` (no metadata, plugins or templates; the same time limits
  and page sizes from settings.json) over a copy of the registry as it was before the staff
  summaries: no summary tables, no facet indexes, the ``stock`` view computed from the
  certificates, and each canned query as it was then, run as SQL (with our SQL functions
  removed, so it reads the raw codes). Table pages ask for the facets metadata.yml gives.

Each page is requested ``samples`` times per round (fewer when one answer takes seconds), and
p50 and p95 are taken over all rounds. A facet that timed out is counted per answer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from datasette.app import Datasette
from datasette_auth_passwords.utils import hash_password

from bench.generate import SEED, VERSION, plan_registers, register_rows, write_directory
from bench.report import Target, table
from bench.serve_bench import server
from datasette_config import config_dir
from datasette_config.launch import (
    datasette_command,
    datasette_environment,
    ensure_verify_log,
    setting_arguments,
)
from datasette_config.plugins.certreg_session import session_cookie
from registry.domain.levels import QUANTITY_COLUMNS
from registry.domain.regions import PROVINCE, REGIONS
from registry.kinds import LAYOUTS
from registry.sheets.writers import write_csv
from registry.store import stock, verify_log_path

STAFF_USER = "bench"
STAFF_PASSWORD = "bench-staff-password"
PAGE_BUDGET = 20.0
"""seconds one page may take per round: a page answering in seconds gets fewer samples"""
MIN_SAMPLES = 3
BEFORE = {
    "holders": """
SELECT number AS "证书编号", name AS "姓名", sex AS "性别", birth AS "出生年月", unit AS "工作单位",
       level AS "等级", trade AS "工种", region_name(region) AS "地区", issued_on AS "发证日期",
       authority_name(authority) AS "发证机关", status_label(status) AS "状态", register AS "来源名册"
FROM certificates
WHERE :姓名 != '' AND (name_key = name_key(:姓名) OR name LIKE '%' || trim(:姓名) || '%')
ORDER BY name_key = name_key(:姓名) DESC, name_key, number
""",
    "counts": """
SELECT region_name(region) AS "地区", region AS "地区代码", level AS "等级",
       '20' || year_code AS "核发年度", count(*) AS "证书数",
       sum(status = 'valid') AS "其中有效", sum(status = 'reissued') AS "其中补发",
       sum(status = 'superseded') AS "其中已换发", sum(status = 'revoked') AS "其中撤销"
FROM certificates
WHERE (trim(:地区) = '' OR region = trim(:地区) OR region_name(region) LIKE '%' || trim(:地区) || '%')
  AND (trim(:等级) = '' OR level LIKE trim(:等级) || '%')
  AND (trim(:年度) = '' OR year_code = substr(trim(:年度), -2))
GROUP BY region, letter, year_code
ORDER BY region, year_code, instr('CZGJ', letter)
""",
    "sync_history": """
SELECT s.id AS "同步编号", beijing_time(s.at) AS "时间", s.register AS "名册", kind_label(s.kind) AS "名册类型",
       outcome_label(s.outcome) AS "结果", s.rows AS "行数", s.added AS "新增", s.changed AS "修改",
       s.conflicts AS "冲突", s.problems AS "问题数", s.operator AS "操作人",
       severity_label(p.severity) AS "问题类别", p.row AS "行号", p."column" AS "列", p.value AS "值",
       p.rule AS "规则", p.clause AS "条款"
FROM syncs s LEFT JOIN problems p ON p.sync = s.id
WHERE (trim(:名册) = '' OR s.register LIKE '%' || trim(:名册) || '%')
  AND (trim(:结果) = '' OR s.outcome = trim(:结果) OR outcome_label(s.outcome) LIKE trim(:结果) || '%')
ORDER BY s.id DESC, p.row, p.id
""",
    "status_changes": """
SELECT e.date AS "日期", e.type AS "类型", e.number AS "证书编号", e.name AS "姓名",
       e.new_number AS "新证书编号", e.reason AS "原因", e.approval_doc AS "批准文号",
       e.personal_application AS "个人申请", e.unit_certificate AS "单位证明",
       e.original_document AS "原公布文件", status_label(c.status) AS "该证现状态",
       e.register AS "来源名册", e.source_row AS "名册行号"
FROM status_events e LEFT JOIN certificates c ON c.number = e.number
WHERE (trim(:类型) = '' OR e.type = trim(:类型))
  AND (trim(:证书编号) = '' OR normalise_number(:证书编号) IN (e.number, e.new_number))
  AND (trim(:起始日期) = '' OR e.date >= trim(:起始日期))
  AND (trim(:截止日期) = '' OR e.date <= trim(:截止日期))
ORDER BY e.date DESC, e.id DESC
""",
    "per_approval_doc": """
SELECT approval_doc AS "批准文号", issued_on AS "发证日期", authority_name(authority) AS "发证机关",
       register AS "来源名册",
       sum(letter = 'C') AS "初级工", sum(letter = 'Z') AS "中级工",
       sum(letter = 'G') AS "高级工", sum(letter = 'J') AS "技师", count(*) AS "合计"
FROM certificates
WHERE trim(:批准文号) = '' OR approval_doc LIKE '%' || trim(:批准文号) || '%'
GROUP BY approval_doc, issued_on, authority, register
ORDER BY issued_on DESC, approval_doc, register
""",
}
"""The canned queries that read the summaries or page now, as they were before: over every
certificate, or every row at once."""
OUR_FUNCTIONS = re.compile(
    r"\b(?:normalise_number|name_key|region_name|authority_name|status_label|outcome_label"
    r"|kind_label|severity_label|channel_label|beijing_time|beijing_date|column_label)\("
)
"""SQL functions of our plugins: a bare Datasette has none, so its SQL reads the value as is."""
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


@dataclass(frozen=True)
class Page:
    label: str
    staff: str
    bare: str
    facets: bool = False
    """a table page whose facets can time out"""


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    timeouts: int = 0
    """answers that named a facet as timed out"""

    def percentile(self, share: float) -> float | None:
        if not self.seconds:
            return None
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@dataclass
class StaffResults:
    certificates: int = 0
    sync_seconds: dict[str, float] = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)
    staff: dict[str, Timing] = field(default_factory=dict)
    bare: dict[str, Timing] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)


# -- the registry -----------------------------------------------------------------------------


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


def prepare(
    out: Path, sizes: StaffSizes, certreg: str, say: Callable[[str], None]
) -> tuple[Path, StaffResults]:
    """Generate the rosters (once per size), sync them and the other registers into a fresh
    registry; the registry and the sync times."""
    results = StaffResults()
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
    return db, results


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


# -- the pages --------------------------------------------------------------------------------


def _metadata() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((config_dir() / "metadata.yml").read_text("utf-8"))
    return loaded


def _query(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urllib.parse.urlencode(params)}" if params else path


@dataclass(frozen=True)
class Samples:
    """Real values for the pages' parameters, read from the registry."""

    exchanged: str
    """a certificate exchanged (换发) for a new number: a history to show"""
    holder: str
    city: str
    year: str
    approval: str


def samples(db: Path) -> Samples:
    conn = sqlite3.connect(db)
    try:
        exchanged = conn.execute(
            "SELECT number FROM status_events WHERE type = '换发' ORDER BY id LIMIT 1"
        ).fetchone()
        holder, region, year_code, approval = conn.execute(
            "SELECT name, region, year_code, approval_doc FROM certificates"
            f" WHERE region <> '{PROVINCE}' ORDER BY rowid LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return Samples(
        exchanged[0] if exchanged else "",
        holder,
        REGIONS[region].removesuffix("市"),
        f"20{year_code}",
        approval[approval.index("〔") :],
    )


def pages(values: Samples, next_page: str) -> list[Page]:
    """Every page staff use, as the staff Datasette and the bare one ask for it."""
    metadata = _metadata()
    found = [
        Page("home", "/", "/"),
        Page("database: registry", "/registry", "/registry"),
        Page("database: verify_log", "/verify_log", "/verify_log"),
    ]
    for database, settings in metadata["databases"].items():
        for name, shown in settings.get("tables", {}).items():
            if shown.get("hidden"):
                continue
            args = [("_facet", facet) for facet in shown.get("facets", [])]
            if "sort" in shown:
                args.append(("_sort", shown["sort"]))
            if "sort_desc" in shown:
                args.append(("_sort_desc", shown["sort_desc"]))
            bare = f"/{database}/{name}" + (f"?{urllib.parse.urlencode(args)}" if args else "")
            found.append(Page(f"table: {name}", f"/{database}/{name}", bare, bool(args)))
    facets = [
        ("_facet", f) for f in metadata["databases"]["registry"]["tables"]["certificates"]["facets"]
    ]
    city = [code for code, name in REGIONS.items() if name.startswith(values.city)][0]
    filtered = [("region", city), ("level", "中级工")]
    found.append(
        Page(
            "table: certificates, region and level filtered",
            _query("/registry/certificates", dict(filtered)),
            f"/registry/certificates?{urllib.parse.urlencode([*filtered, *facets])}",
            True,
        )
    )
    if values.exchanged:
        row = f"/registry/certificates/{values.exchanged}"
        found.append(Page("row: a certificate", row, row))
    parameters: dict[str, list[dict[str, str]]] = {
        "certificate": [{"证书编号": values.exchanged}],
        "holders": [
            {"姓名": "王", "证书编号": ""},
            {"姓名": "王", "证书编号": next_page},
            {"姓名": "伟", "证书编号": ""},
            {"姓名": values.holder, "证书编号": ""},
        ],
        "counts": [
            {"地区": "", "等级": "", "年度": ""},
            {"地区": values.city, "等级": "中级工", "年度": values.year},
        ],
        "sync_history": [
            {"名册": "", "结果": "", "截止日期": ""},
            {"名册": "", "结果": "rejected", "截止日期": ""},
        ],
        "status_changes": [
            {"类型": "", "证书编号": "", "起始日期": "", "截止日期": ""},
            {"类型": "换发", "证书编号": "", "起始日期": "", "截止日期": ""},
        ],
        "per_approval_doc": [{"批准文号": ""}, {"批准文号": values.approval}],
        "suspicious_clients": [{"小时数": "", "未查到阈值": ""}],
        "report_queue": [{"发证机关": ""}],
        "failing_numbers": [{"天数": "", "未查到阈值": "", "举报阈值": ""}],
        "key_usage": [{"天数": ""}],
    }
    for database, settings in metadata["databases"].items():
        for name, canned in settings.get("queries", {}).items():
            sql = OUR_FUNCTIONS.sub("(", BEFORE.get(name, canned["sql"]))
            for params in parameters[name]:
                shown = ", ".join(f"{k}={v}" for k, v in params.items() if v) or "blank"
                found.append(
                    Page(
                        f"query: {name} ({shown})",
                        _query(f"/{database}/{name}", params),
                        _query(f"/{database}", {"sql": sql, **params}),
                    )
                )
    return found


# -- the servers ------------------------------------------------------------------------------


TIMED_OUT = ("以下分面统计超时", "These facets timed out")
"""What the staff (Chinese) and the bare page say when a facet took too long."""


@dataclass(frozen=True)
class Side:
    label: str
    argv: list[str]
    env: dict[str, str]
    ready: str
    cookies: dict[str, str]


def sides(db: Path, bare: Path) -> dict[str, Side]:
    config = config_dir()
    settings = setting_arguments(config / "settings.json")
    staff = datasette_command([db, verify_log_path(db)], "127.0.0.1", 1)
    staff[staff.index("--port") + 1] = "{port}"
    secret = secrets.token_hex(32)
    env = datasette_environment(
        {
            **os.environ,
            "DATASETTE_SECRET": secret,
            f"CERTREG_STAFF_{STAFF_USER}": hash_password(STAFF_PASSWORD, iterations=1000),
        }
    )
    cookie = session_cookie(Datasette(secret=secret), {"id": STAFF_USER})
    plain = [sys.executable, "-m", "datasette", "serve", str(bare), str(verify_log_path(bare))]
    return {
        "staff": Side("staff (certreg browse)", staff, env, "/-/login", {"ds_actor": cookie}),
        "bare": Side(
            "bare Datasette",
            [*plain, "--host", "127.0.0.1", "--port", "{port}", *settings],
            {},
            "/-/versions.json",
            {},
        ),
    }


@contextmanager
def client_core() -> Iterator[None]:
    """Ask from core 1 while the server has core 0 (when there are two)."""
    before = os.sched_getaffinity(0)
    if len(before) > 1 and 1 in before:
        os.sched_setaffinity(0, {1})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def measure(
    base: str, side: Side, page_list: list[Page], bare: bool, count: int, timings: dict[str, Timing]
) -> None:
    """Ask for every page: once to warm up, then ``count`` times (fewer when slow)."""
    with httpx.Client(base_url=base, cookies=side.cookies, timeout=120) as client, client_core():
        for page in page_list:
            path = page.bare if bare else page.staff
            timing = timings.setdefault(page.label, Timing())
            client.get(path)
            spent = 0.0
            for n in range(count):
                if n >= MIN_SAMPLES and spent > PAGE_BUDGET:
                    break
                start = time.perf_counter()
                response = client.get(path)
                seconds = time.perf_counter() - start
                spent += seconds
                timing.seconds.append(seconds)
                timing.statuses.add(response.status_code)
                if any(marker in response.text for marker in TIMED_OUT):
                    timing.timeouts += 1


def run(
    out: Path, sizes: StaffSizes, certreg: str, say: Callable[[str], None] = print
) -> StaffResults:
    """Build the registry and its bare copy, then measure both servers in turns."""
    db, results = prepare(out, sizes, certreg, say)
    say("the bare copy: summaries, facet indexes and the new stock view removed …")
    bare = bare_copy(db, out / "work" / "staff-bare")
    values = samples(db)
    servers = sides(db, bare)
    log = out / "work"
    for round_number in range(1, sizes.rounds + 1):
        for key, side in servers.items():
            say(f"staff pages, round {round_number}/{sizes.rounds}: {side.label} …")
            with server(side.argv, side.env, side.ready, log / f"staff-{key}.log") as (
                base,
                _,
            ):
                if not results.pages:
                    first = httpx.get(
                        f"{base}/registry/holders.json",
                        params={"姓名": "王", "证书编号": "", "_shape": "array"},
                        cookies=side.cookies,
                        timeout=120,
                    ).json()
                    results.pages = pages(values, first[-1]["证书编号"] if first else "")
                timings = results.staff if key == "staff" else results.bare
                measure(base, side, results.pages, key == "bare", sizes.samples, timings)
    results.targets = targets(results)
    return results


def targets(results: StaffResults) -> list[Target]:
    p95 = [t.percentile(0.95) for t in results.staff.values()]
    slowest = max((p for p in p95 if p is not None), default=None)
    return [
        Target("slowest staff page, p95", slowest, 1.0, True, unit=" s"),
        Target(
            "staff answers with a facet timed out",
            float(sum(t.timeouts for t in results.staff.values())),
            0,
            True,
            unit="",
        ),
    ]


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.0f} ms"


def pages_table(results: StaffResults) -> str:
    rows = []
    for page in results.pages:
        staff, bare = (
            results.staff.get(page.label, Timing()),
            results.bare.get(page.label, Timing()),
        )
        s50, b50 = staff.percentile(0.5), bare.percentile(0.5)
        ratio = f"{s50 / b50:.2f}×" if s50 and b50 else "—"
        notes = []
        for side, timing in (("staff", staff), ("bare", bare)):
            bad = sorted(code for code in timing.statuses if code != 200)
            if bad:
                notes.append(f"{side} answered {', '.join(map(str, bad))}")
        facets = (
            f"{staff.timeouts}/{len(staff.seconds)} · {bare.timeouts}/{len(bare.seconds)}"
            if page.facets
            else ""
        )
        rows.append(
            [
                page.label,
                _ms(s50),
                _ms(staff.percentile(0.95)),
                _ms(b50),
                _ms(bare.percentile(0.95)),
                ratio,
                facets,
                "; ".join(notes),
            ]
        )
    header = [
        "page",
        "staff p50",
        "staff p95",
        "bare p50",
        "bare p95",
        "staff ÷ bare (p50)",
        "facet timeouts staff · bare",
        "note",
    ]
    return table(header, rows)


def as_json(results: StaffResults) -> dict[str, object]:
    return {
        "certificates": results.certificates,
        "sync_seconds": results.sync_seconds,
        "pages": {
            page.label: {
                "staff": results.staff.get(page.label, Timing()).seconds,
                "bare": results.bare.get(page.label, Timing()).seconds,
            }
            for page in results.pages
        },
        "targets": [
            {"name": t.name, "value": t.value, "verdict": t.verdict} for t in results.targets
        ],
    }
