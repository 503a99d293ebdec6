"""``certreg keys``: API keys for HR systems, issued and revoked by staff."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from registry.cli.base import ChineseGroup, UsageProblem, cli
from registry.cli.options import db_option, not_a_replica, open_registry, require_registry
from registry.domain.clock import beijing_clock
from registry.store import keys as api_keys
from registry.sync.outcome import operator


@cli.group(cls=ChineseGroup)
def keys() -> None:
    """HR 系统的接口密钥：发放、查看、吊销。

    持密钥的系统在请求头写“Authorization: Bearer 密钥”，按密钥的每日额度查验，不占匿名额度。登记库只保存密钥的散列值：密钥只在发放时显示一次。

    示例：

    \b
        certreg keys add "某某市人民医院人事处" --per-day 2000
        certreg keys list
        certreg keys revoke 3
    """


@keys.command(name="add")
@click.argument("name", metavar="单位名称")
@click.option(
    "--per-day",
    type=click.IntRange(min=1, max=100_000_000),
    required=True,
    help="每日可查验的条数。",
)
@db_option
def add(name: str, per_day: int, db: Path) -> None:
    """为该单位发放一个密钥，每日可查验 --per-day 条。

    示例：

    \b
        certreg keys add "某某市人民医院人事处" --per-day 2000
    """
    require_registry(db)
    not_a_replica(db)
    if not name.strip():
        raise UsageProblem("请写明使用密钥的单位名称")
    conn = open_registry(db)
    try:
        issued, key = api_keys.issue(conn, name.strip(), per_day, operator())
        try:  # shown once or not at all: a key nobody saw must not stay valid
            click.echo(f"已为“{issued.name}”发放密钥（编号 {issued.id}，每日 {per_day} 条）：")
            click.echo(key)
            sys.stdout.flush()
        except OSError:
            api_keys.revoke(conn, issued.id)
            raise
    finally:
        conn.close()
    click.echo("此密钥只显示这一次，请通过安全渠道交给该单位；登记库只保存其散列值。")


@keys.command(name="list")
@db_option
def list_keys(db: Path) -> None:
    """列出已发放的密钥（不显示密钥本身）。

    示例：

    \b
        certreg keys list
    """
    require_registry(db)
    conn = open_registry(db)
    try:
        issued = api_keys.all_keys(conn)
    finally:
        conn.close()
    if not issued:
        click.echo("还没有发放过密钥。用 certreg keys add 发放")
    for key in issued:
        state = f"已于 {beijing_clock(key.revoked_at)}吊销" if key.revoked_at else "有效"
        issued_at = beijing_clock(key.created_at)
        click.echo(f"{key.id}\t{key.name}\t每日 {key.per_day} 条\t发放于 {issued_at}\t{state}")


@keys.command(name="revoke")
@click.argument("key_id", metavar="密钥编号", type=click.IntRange(min=1, max=2**63 - 1))
@db_option
def revoke(key_id: int, db: Path) -> None:
    """吊销该编号的密钥，立即生效。

    示例：

    \b
        certreg keys revoke 3
    """
    require_registry(db)
    not_a_replica(db)
    conn = open_registry(db)
    try:
        revoked = api_keys.revoke(conn, key_id)
    finally:
        conn.close()
    if revoked is None:
        raise UsageProblem(f"没有编号为 {key_id} 的密钥。用 certreg keys list 查看")
    click.echo(
        f"已吊销“{revoked.name}”的密钥（编号 {revoked.id}），"
        f"自 {beijing_clock(revoked.revoked_at)}起不能再用"
    )
