"""Building blocks of the blank-certificate tests: small rosters and registers written with
`registry.sheets.writers`, loaded through the real ``certreg sync``, and a snapshot of the registry to prove
that a rejected register changed nothing."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from registry.cli import cli
from registry.kinds import LAYOUTS
from registry.sheets.writers import write_csv, write_xlsx

PASS = {
    "思想政治表现": "合格",
    "生产工作成绩": "良好",
    "职业道德": "合格",
    "技术业务理论": 80,
    "实际操作技能": 85,
}
UNIT = "测试单位"


def roster_row(name: str, level: str, number: str, trade: str = "电工") -> dict[str, object]:
    return {
        "姓名": name,
        "性别": "男",
        "出生年月": "1975.05",
        "参加工作时间": "1995.07",
        "报考年度": 2011,
        "报考工种": trade,
        "报考等级": level,
        **PASS,
        "颁发证书编号": number,
    }


PROVINCE_ROSTER = [
    roster_row("甲一", "初级", "C1122000001"),
    roster_row("甲二", "中级", "Z1122000001"),
    roster_row("甲三", "中级", "Z1122000002"),
]
MIANYANG_ROSTER = [
    roster_row("乙一", "初级", "C1122020001"),
    roster_row("乙二", "高级", "G1122020001"),
]


def blanks(
    junior: int = 0, intermediate: int = 0, senior: int = 0, technician: int = 0
) -> dict[str, object]:
    counts = {"初级": junior, "中级": intermediate, "高级": senior, "技师": technician}
    return {**counts, "合计": junior + intermediate + senior + technician}


def requisition(
    unit: str, *counts: int, city: str | None = None, province: str | None = "同意 2012-02-20"
) -> dict[str, object]:
    return {
        "单位": unit,
        "联系人": "联系人",
        "联系电话": "028-1",
        **blanks(*counts),
        "市（州）意见": city,
        "省厅意见": province,
    }


def dispatch(unit: str, *counts: int, day: str = "2012-03-01") -> dict[str, object]:
    return {"领取单位": unit, **blanks(*counts), "日期": day, "经办人": "经办人"}


def collection(
    number: str, who: str = "领取人", signed: str = "是", day: str = "2012-04-01"
) -> dict[str, object]:
    return {"证书编号": number, "领取人": who, "签名": signed, "日期": day}


def sync(db: Path, path: Path, *options: str) -> Result:
    return CliRunner().invoke(cli, ["sync", str(path), "--db", str(db), "--json", *options])


def write(path: Path, kind: str, rows: Sequence[dict[str, object]]) -> Path:
    """A register of ``kind`` as .xlsx (title, header, data from row 3) or .csv (data from row 2)."""
    if path.suffix == ".xlsx":
        write_xlsx(path, LAYOUTS[kind], rows)
    else:
        write_csv(path, LAYOUTS[kind], rows, encoding="gb18030")
    return path


def load(
    db: Path, path: Path, kind: str, rows: Sequence[dict[str, object]], authority: str = "2200"
) -> dict[str, Any]:
    """Write and sync one register of the blank-certificate kinds; return the JSON report."""
    result = sync(db, write(path, kind, rows), "--kind", kind, "--authority", authority)
    return {"exit_code": result.exit_code, **json.loads(result.stdout)}


def load_rosters(db: Path, directory: Path) -> None:
    """The province's roster for 测试单位 and 绵阳市's roster, both accepted: each approved by
    its department's own document, of one date (§四.(三))."""
    province = write(directory / "province.xlsx", "approval-roster", PROVINCE_ROSTER)
    mianyang = write(directory / "mianyang.csv", "approval-roster", MIANYANG_ROSTER)
    for path, authority, document, extra in (
        (province, "2200", "川人社函〔2012〕1号", ["--unit", UNIT]),
        (mianyang, "2202", "测试〔2012〕1号", []),
    ):
        result = sync(
            db,
            path,
            "--kind",
            "approval-roster",
            "--authority",
            authority,
            "--approval-doc",
            document,
            "--issued-on",
            "2012-03-15",
            "--year-code",
            "11",
            *extra,
        )
        assert result.exit_code == 0, result.output


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Everything a register may write, except the sync history that records a rejection."""
    with sqlite3.connect(db) as conn:
        return {
            table: conn.execute(f"SELECT * FROM [{table}] ORDER BY 1").fetchall()
            for table in ("certificates", "registers", "requisitions", "dispatches", "collections")
        }
