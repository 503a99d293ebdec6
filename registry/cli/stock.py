"""``certreg stock``: the blank-certificate reconciliation (附件1, 附件2, §四.(六)1) on the command
line — the figures staff see on Datasette's 空白证书对账 page."""

from __future__ import annotations

import json
from pathlib import Path

import click

from registry.cli.base import cli
from registry.cli.options import db_option, json_option, open_registry, require_registry
from registry.domain.clock import beijing_clock
from registry.store import stock, syncs
from registry.store.stock_report import advice, note, stock_text, totals


@cli.command(name="stock")
@db_option
@json_option
def stock_command(db: Path, as_json: bool) -> None:
    """空白证书对账：按领取单位和等级（附件1、附件2、§四.(六)1）。

    对每个市（州）人社局和省直单位列出：申领与批准的空白证书数（申领计划表）、已发放数（发放单）、已登记的证书数、换发作废和补发用去的空白证书、应有结余，以及已领取、未领取的证书数。结余为负（登记的证书多于领到的空白证书）时标出。职员在 Datasette 的“空白证书对账”页面看到的是同一组数字。

    示例：

    \b
        certreg stock
        certreg stock --json
    """
    require_registry(db, "名册、申领计划表和发放单")
    conn = open_registry(db)  # a writer, so a registry made by an older certreg gets the view
    try:
        lines = stock.reconciliation(conn)
        as_of = syncs.last_loaded(conn)
    finally:
        conn.close()
    if as_json:
        said = [{"advice": advice(line), "note": note(line)} for line in lines]
        report = {
            "as_of": as_of,
            "lines": [ln.as_json() | s for ln, s in zip(lines, said, strict=True)],
            "totals": totals(lines),
        }
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(f"空白证书对账。登记库更新时间：{beijing_clock(as_of) or '无'}")
        click.echo(stock_text(lines))
