"""``certreg reports``: the suspected forgeries employers reported (§五.(三)), for staff.

The public verification app writes them to the ``reports`` table of the verification log
(``verify_log.db`` beside the registry); this command only reads that file (``mode=ro``), so it
can run while the app writes.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import click

from registry.cli.base import UsageProblem, cli, db_option, json_option, require_registry
from registry.domain.dates import beijing_clock
from registry.domain.regions import authority_name, region_code
from registry.domain.statuses import RESULT_LABELS
from registry.domain.text import visible
from registry.public.confirm import CONFIRMABLE
from registry.store import verify_log_path

COLUMNS = (
    "id",
    "ref",
    "at",
    "number",
    "result",
    "mismatched",
    "authority",
    "contact",
    "text",
    "checked_at",
    "receipt",
    "client",
)


def receipt_link(token: str) -> str:
    """The receipt as a link staff can open: under the public service's address
    (``CERTREG_PUBLIC_URL``, as the service itself is configured), or its path on that site."""
    base = os.environ.get("CERTREG_PUBLIC_URL", "").strip().rstrip("/")
    return f"{base}/r/{token}" if base else f"/r/{token}（公众查验网站上的路径）"


def read_reports(log: Path, authority: str | None, limit: int) -> list[dict[str, Any]]:
    """The reports, newest first, each with how often its number was checked."""
    conn = sqlite3.connect(f"{log.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reports'"
        ).fetchone()
        if not exists:
            return []
        present = {row[1] for row in conn.execute("PRAGMA table_info(reports)")}
        selected = ", ".join(f"r.{c}" if c in present else f"NULL AS {c}" for c in COLUMNS)
        rows = conn.execute(
            f"SELECT {selected},"
            " (SELECT count(*) FROM checks c WHERE c.number = r.number) AS checks,"
            # as staff's queue counts them (metadata.yml, report_queue): a check without a
            # name (未查验, logged with an empty hash) is no failure of the number
            " (SELECT count(*) FROM checks c WHERE c.number = r.number"
            "   AND c.result IN ('no_match', 'malformed') AND c.name_hash != '') AS failed_checks"
            " FROM reports r WHERE ? IS NULL OR r.authority = ? ORDER BY r.id DESC LIMIT ?",
            (authority, authority, limit),
        ).fetchall()
    finally:
        conn.close()
    return [dict(row) for row in rows]


@cli.command()
@db_option
@click.option(
    "--authority", help="只看这个发证机关的举报：地区代码或名称，如 2202、绵阳市（省厅为 2200）。"
)
@click.option(
    "--limit",
    default=100,
    show_default=False,
    type=click.IntRange(min=1),
    help="最多列出多少份（默认 100）。",
)
@json_option
def reports(db: Path, authority: str | None, limit: int, as_json: bool) -> None:
    """列出用人单位提交的疑似伪造证书举报（§五.(三)），最新的在前。

    举报由公众查验服务写入登记库旁的查验日志（verify_log.db）；查验信息（编号、结果、时间、回执）由系统附上，不含持证人姓名。

    示例：

    \b
        certreg reports
        certreg reports --authority 2202 --json
    """
    if authority is not None:
        code = region_code(authority)
        if code is None:
            raise UsageProblem(
                f"认不出发证机关“{authority}”。请填地区代码或名称，如 2202 或 绵阳市（省厅为 2200）"
            )
        authority = code
    require_registry(db)  # a mistyped --db is not "no reports": the log lives beside the registry
    log = verify_log_path(db)
    found = read_reports(log, authority, limit) if log.exists() else []
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"没有举报（查验日志 {log}）。")
        return
    for report in found:
        mismatched = "、".join(
            CONFIRMABLE.get(f, f) for f in (report["mismatched"] or "").split(",") if f
        )
        click.echo(
            f"#{report['ref'] or report['id']}  {beijing_clock(report['at'])}"
            f"  证书 {visible(report['number'])}"
            f"  查验结果：{RESULT_LABELS.get(report['result'], report['result'])}"
            + (f"（证书上不符：{mismatched}）" if mismatched else "")
        )
        click.echo(
            f"    发证机关：{report['authority']} {authority_name(report['authority'])}"
            f"；查验时间：{beijing_clock(report['checked_at'])}"
            f"；该编号共查验 {report['checks']} 次，其中未查到或格式错误 {report['failed_checks']} 次"
        )
        # What employers typed: the app refuses hidden characters in it, but the log is a file
        # anyone with access can write, and an escape sequence would rewrite the terminal.
        if report["contact"]:
            click.echo(f"    举报人联系方式：{visible(report['contact'])}")
        if report["text"]:
            lines = "\n".join(visible(line) for line in report["text"].split("\n"))
            click.echo(f"    情况说明：{lines}")
        if report["receipt"]:
            click.echo(f"    查验回执：{receipt_link(report['receipt'])}")
