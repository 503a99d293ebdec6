"""``certreg reports``: the suspected forgeries employers reported (§五.(三)), for staff.

The public verification app writes them to the ``reports`` table of the verification log
(``verify_log.db`` beside the registry); listing only reads that file (``mode=ro``), so it can
run while the app writes. ``--handle`` records what staff did about one (``report_outcomes``),
so that the queue shows what is still to be done.
"""

from __future__ import annotations

import json
import os
import sqlite3
import unicodedata
from pathlib import Path
from typing import Any

import click

from registry.cli.base import Failed, UsageProblem, cli
from registry.cli.options import db_option, json_option, require_registry
from registry.domain.clock import beijing_clock
from registry.domain.regions import authority_name, region_code
from registry.domain.statuses import RESULT_LABELS
from registry.domain.text import MAX_CELL_CHARS, typed_problem, visible
from registry.public.confirm import CONFIRMABLE
from registry.store import verify_log_path
from registry.store.report_queue import read_reports, record_outcome, registry_statuses
from registry.sync.outcome import operator


def receipt_link(token: str) -> str:
    """The receipt as a link staff can open: under the public service's address
    (``CERTREG_PUBLIC_URL``, as the service itself is configured), or its path on that site."""
    base = os.environ.get("CERTREG_PUBLIC_URL", "").strip().rstrip("/")
    return f"{base}/r/{token}" if base else f"/r/{token}（公众查验网站上的路径）"


def _outcome_text(outcome: str) -> str:
    """``--outcome`` as recorded: stripped, within a cell's length, nothing hidden in it."""
    text = outcome.replace("\r\n", "\n").strip()
    if not text:
        raise UsageProblem("--outcome 为空：请写明处理结果，如“已核实为伪造，已移交公安机关”")
    if problem := typed_problem(text, MAX_CELL_CHARS, lines=True):
        raise UsageProblem(f"--outcome {problem}，请改正后重试")
    return text


def _handle(db: Path, ref: str, outcome: str | None, by: str | None) -> None:
    if outcome is None:
        raise UsageProblem("--handle 须与 --outcome 一起使用，写明处理结果")
    text = _outcome_text(outcome)
    key = unicodedata.normalize("NFKC", ref).strip().lstrip("#").upper()
    log = verify_log_path(db)
    try:
        found = record_outcome(log, key, text, operator(by)) if log.exists() else None
    except sqlite3.Error as exc:  # the log, not the registry: a file another user owns
        raise Failed(
            f"无法写入查验日志 {log}（{exc}）：请以能写入该文件的用户运行（如 runuser -u "
            "certreg -- certreg reports …），或在收集日志的程序写完后重试"
        ) from exc
    if found is None:
        raise UsageProblem(f"没有编号为“{ref}”的报告。请用 certreg reports 查看报告编号")
    click.echo(f"已记录报告 #{found} 的处理结果：{text}")


CONTINUED = "\n    ┆ "
"""Before each further line of typed text: a reporter's line breaks cannot start a line that
reads as the listing's own (a forged 处理结果, or a whole report about someone else)."""


def _shown(text: str) -> str:
    """Text staff or employers typed, line by line, its hidden characters as code points."""
    return CONTINUED.join(visible(line) for line in text.split("\n"))


def _print_report(report: dict[str, Any]) -> None:
    """One report as staff read it in the shell."""
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
    status = report["registry_status"]
    click.echo(f"    登记库现在：{RESULT_LABELS[status] if status else '无此编号'}")
    # What employers typed: the app refuses hidden characters in it, but the log is a file
    # anyone with access can write, and an escape sequence would rewrite the terminal.
    if report["contact"]:
        click.echo(f"    报告人联系方式：{visible(report['contact'])}")
    if report["text"]:
        click.echo(f"    情况说明：{_shown(report['text'])}")
    if report["receipt"]:
        click.echo(f"    查验回执：{receipt_link(report['receipt'])}")
    if report["handled_at"]:
        for at, by, outcome, label in [
            (report["handled_at"], report["handled_by"], report["outcome"], "处理结果"),
            *((at, by, outcome, "此前的处理结果") for at, by, outcome in report["earlier"]),
        ]:
            who = f" {visible(by)}" if by else ""
            click.echo(f"    {label}（{beijing_clock(at)}{who}）：{_shown(outcome)}")
    else:
        click.echo("    处理结果：尚未记录")


@cli.command()
@db_option
@click.option(
    "--authority", help="只看这个发证机关的报告：地区代码或名称，如 2202、绵阳市（省厅为 2200）。"
)
@click.option("--pending", is_flag=True, help="只列出尚未记录处理结果的报告。")
@click.option(
    "--limit",
    default=100,
    show_default=False,
    type=click.IntRange(min=1, max=1_000_000),
    help="最多列出多少份（默认 100）。",
)
@click.option(
    "--handle",
    metavar="报告编号",
    help="记录对这份报告的处理结果（与 --outcome 一起使用），编号如列表所示。",
)
@click.option("--outcome", metavar="处理结果", help="处理结果，如“已核实为伪造，已移交公安机关”。")
@click.option(
    "--by",
    metavar="经办人",
    help="经办人（默认为环境变量 CERTREG_OPERATOR）；记录时附上当前系统用户名。",
)
@json_option
def reports(
    db: Path,
    authority: str | None,
    pending: bool,
    limit: int,
    handle: str | None,
    outcome: str | None,
    by: str | None,
    as_json: bool,
) -> None:
    """列出用人单位提交的疑似伪造证书报告（§五.(三)），最新的在前；记录处理结果。

    报告由公众查验服务写入登记库旁的查验日志（verify_log.db）；查验信息（编号、结果、时间、回执）由系统附上，不含持证人姓名。处理结果另行记录，不改动报告本身；再次记录以最新的为准，之前的仍保留。

    示例：

    \b
        certreg reports --pending
        certreg reports --authority 2202 --json
        certreg reports --handle 20261201-7F3A9C --outcome "已核实为伪造，已移交公安机关"
    """
    require_registry(db)  # a mistyped --db is not "no reports": the log lives beside the registry
    if handle is not None:
        _handle(db, handle, outcome, by)
        return
    if outcome is not None or by is not None:
        raise UsageProblem("--outcome 和 --by 须与 --handle 报告编号 一起使用")
    if authority is not None:
        code = region_code(authority)
        if code is None:
            raise UsageProblem(
                f"认不出发证机关“{authority}”。请填地区代码或名称，如 2202 或 绵阳市（省厅为 2200）"
            )
        authority = code
    log = verify_log_path(db)
    found = read_reports(log, authority, limit, pending) if log.exists() else []
    now = registry_statuses(db, [report["number"] for report in found])
    for report in found:  # beside what the employer was told then
        report["registry_status"] = now.get(report["number"])
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"没有{'尚未处理的' if pending else ''}报告（查验日志 {log}）。")
        return
    for report in found:
        _print_report(report)
    click.echo("记录处理结果：certreg reports --handle 报告编号 --outcome 处理结果")
