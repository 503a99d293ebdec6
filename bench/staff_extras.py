"""The registers that follow the rosters in the staff benchmark's registry
(`bench.staff_registry`): status changes (换发, 补发 under the same and a new number, 撤销),
requisitions and dispatches for every city and the provincial unit, collection registers for a
quarter of the rosters, and two registers the sync rejects."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sqlite3
from pathlib import Path

from bench.generate import SEED, register_rows
from bench.plans import plan_registers
from registry.domain.levels import QUANTITY_COLUMNS
from registry.domain.numbers import MAX_SEQUENCE
from registry.domain.regions import PROVINCE, REGIONS
from registry.kinds import LAYOUTS
from registry.sheets.writers import write_csv

UNIT = "省直基准测试单位"
"""The provincial unit of the generated provincial rosters (`bench.generate`)."""


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
    # never after yesterday (a staff review: the generator's rosters reach into this year, and
    # events up to 700 days after them were refused as dated in the future)
    latest = dt.date.today() - dt.timedelta(days=1)
    for number, name, issued_on, approval_doc, letter, year_code, region in chosen:
        issued = dt.date.fromisoformat(issued_on)
        date = max(issued, min(latest, issued + dt.timedelta(days=rng.randint(30, 700))))
        kind = rng.choices(["换发", "补发", "补发新号", "撤销"], [4, 3, 1, 2])[0]
        prefix = f"{letter}{year_code}{region}"
        if kind in ("换发", "补发新号") and highest[prefix] >= MAX_SEQUENCE:
            kind = "补发"  # every number of its level and region is taken: a 补发 keeps its own
        row: dict[str, object] = {
            "类型": kind.removesuffix("新号"),
            "证书编号": number,
            "姓名": name,
            "日期": date.isoformat(),
            "原因": {"换发": "证书错填", "撤销": "骗取证书"}.get(kind, "证书遗失"),
            "批准文号": f"川人社函〔{date.year}〕99号",
        }
        if kind in ("换发", "补发新号"):
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
    every city), each approved in its year — one in four still waiting for the province — and
    a dispatch of each approved."""
    regions = [code for (code,) in conn.execute("SELECT DISTINCT region FROM certificates")]
    recipients = [
        UNIT if code == PROVINCE else f"{REGIONS[code]}人力资源和社会保障局" for code in regions
    ]
    requisitions: list[dict[str, object]] = []
    dispatches: list[dict[str, object]] = []
    counts = dict(zip(QUANTITY_COLUMNS, (200, 300, 200, 100), strict=True))
    for who in sorted(recipients):
        for year in range(2011, 2021):
            approved = year % 4 != 0
            requisitions.append(
                {
                    "单位": who,
                    "联系人": "联系人",
                    "联系电话": "028-1",
                    **counts,
                    "合计": sum(counts.values()),
                    "市（州）意见": None if who == UNIT else f"同意 {year}-02-10",
                    "省厅意见": f"同意 {year}-02-20" if approved else None,
                }
            )
            if approved:
                dispatches.append(
                    {
                        "领取单位": who,
                        **counts,
                        "合计": sum(counts.values()),
                        "日期": f"{year}-03-01",
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


def extras(db: Path, folder: Path, registers: int, per_register: int) -> None:
    """The registers that come after the rosters: status changes, blanks, collections of a
    quarter of the rosters, and two registers the sync rejects."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(SEED)
    conn = sqlite3.connect(db)
    try:
        changes = _status_changes(conn, max(10, registers * per_register // 500), rng)
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
    extra = plan_registers(registers + 1, per_register)[-1]
    backwards = list(reversed(register_rows(extra)))
    write_csv(folder / extra.file, LAYOUTS[extra.kind], backwards)
    manifest.append(extra.manifest())
    (folder / "registers.toml").write_text("\n".join(manifest), encoding="utf-8")
