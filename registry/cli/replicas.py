"""Beyond one host: ``certreg follow`` (a replica keeps its registry current) and
``certreg collect-logs`` (the registry host gathers each replica's verification log), over
Litestream (``pip install 'certreg[replica]'`` ships its binary). docs/DEPLOY.md has the layout.

Litestream ships a SQLite file as a stream of page changes to a replica URL (``file://``,
``s3://``, ``sftp://``) with ``litestream replicate`` (configs in ``deploy/litestream/``), and
its ``restore -f`` keeps a copy current from that stream. That copy is written in place, page by
page, under SQLite's own locks — which is right for a reader that opens, reads and closes, and
wrong for one that keeps connections open: a connection opened while the copy's header still
says WAL keeps its cached pages and never sees the new ones. So no app ever opens the followed
copy. It lives in a private folder, and:

- ``certreg follow`` publishes each new version to the served file by copying it under the same
  lock Litestream takes to write (a consistent version), switching the copy to a rollback
  journal and renaming it over the served file: the app's `verify_app.registry_pool.RegistryPool`
  sees the new inode and reopens between requests, with no restart and no failed check;
- ``certreg collect-logs`` reads the new rows of a replica's log from its followed copy (under
  that lock, a fresh connection each time) and appends them to ``verify_log.db`` beside the
  registry, in one transaction with the replica's high-water marks (table ``replica_logs``):
  staff see every replica's checks as one ``checks`` table, with its facets and queries, and
  every replica's reports of suspected forgeries in one queue.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import click

from registry import store
from registry.cli.base import Failed, UsageProblem, cli, stopped_by_sigterm
from registry.cli.litestream import Follower
from registry.cli.log_collection import collect
from registry.cli.options import db_option
from registry.cli.publish import OlderRegistry, RolledBack, publish
from registry.cli.pulse import Pulse
from registry.domain.os_reasons import reason
from registry.public.follower import STALE_SECONDS, follow_state

ONCE_ATTEMPTS = 3
"""Times Litestream may end before a ``--once`` run gives up on its URL."""
REPLICA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")


def run_follower(
    follower: Follower,
    step: Callable[[str], bool | None],
    once: bool,
    say: Callable[[str], None],
    published: Path | None = None,
) -> None:
    """Keep Litestream following; call ``step(txid)`` for each new version until stopped (or,
    with ``once``, after the first) — False from it: the version was passed over. ``published``:
    the registry the steps publish, whose heartbeat (`Pulse`) the rounds beat."""
    done: str | None = None
    pulse = Pulse(published)
    with follower.owned(), stopped_by_sigterm():
        if once:  # the private copy left by a follower stopped earlier is a version behind:
            follower.forget()  # resumed, its txid would be acted on before any news came
        try:
            while True:
                if once and done is None and follower.exits >= ONCE_ATTEMPTS:
                    if missing := _missing_folder(follower.url):
                        raise Failed(
                            f"没能从 {follower.url} 取得第一个版本：文件夹 {missing} 不存在。请核对"
                            "路径，以及共享文件夹是否已挂载（登记库由登记库主机的 litestream "
                            "replicate 发布到那里，查验日志由各台副本发布）"
                        )
                    raise Failed(
                        f"litestream 连续 {follower.exits} 次退出，没能从 {follower.url} 取得第一个版本。"
                        "请检查这个地址（file:// 的文件夹是否存在、是否已有内容发布到这里——登记库由"
                        "登记库主机发布，查验日志由各台副本发布；"
                        "sftp:// 或 s3:// 的地址和凭据），见上面 litestream 的错误信息"
                    )
                follower.ensure_running()
                follower.check_history()
                txid = follower.txid()
                if txid is not None and txid != done:
                    pulse.behind = step(txid) is False
                    done = txid
                pulse.after_round(follower)
                if once and done is not None:
                    return
                time.sleep(follower.interval)
        except KeyboardInterrupt:
            say("已停止。")
        except OSError as exc:  # its disk full or turned read-only: a traceback said nothing
            raise Failed(
                f"写不进跟随副本或登记库所在的磁盘（{reason(exc)}）：新版本无法发布，查验服务仍用"
                "旧的登记库。请检查磁盘（df -h；只读时见 dmesg），恢复后重启本服务"
            ) from exc
        finally:
            follower.stop()


interval_option = click.option(
    "--interval",
    type=float,
    default=1.0,
    callback=lambda ctx, param, value: _positive(value),
    help="多久查看一次副本地址上的新版本（秒，默认 1，至多 20）。",
)
once_option = click.option(
    "--once", is_flag=True, help="取得当前版本、处理一次后退出（首次部署、检查配置时用）。"
)


def _missing_folder(url: str) -> Path | None:
    """The folder a ``file://`` URL names, when it does not exist: a typo, or a share not
    mounted — what ``--once`` says when it gives up, not only to check the URL. (The folder may
    yet appear: a registry host whose first replication is under way.)"""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "file":
        return None
    folder = Path(urllib.parse.unquote(parsed.path))
    return None if folder.exists() else folder


MAX_INTERVAL = STALE_SECONDS / 3
"""The longest wait between two looks: a follower's heartbeat a minute old is a stopped one."""


def _positive(seconds: float) -> float:
    if seconds < 0.05:
        raise click.BadParameter("至少 0.05 秒")
    if seconds > MAX_INTERVAL:  # /healthz would take a follower waiting so long for stopped
        raise click.BadParameter(f"至多 {MAX_INTERVAL:.0f} 秒")
    return seconds


def _say(text: str) -> None:
    click.echo(text, err=True)


def replica_url(
    variable: str, env_file: str
) -> Callable[[click.Context, click.Parameter, str], str]:
    """A check of a replica's address, as Litestream takes it (``file://``, ``s3://``,
    ``sftp://`` …): an empty one is nearly always ``variable`` of ``env_file`` not set in this
    shell, as its unit has it."""

    def checked(ctx: click.Context, param: click.Parameter, value: str) -> str:
        if "://" not in value:
            raise UsageProblem(
                f"URL“{value}”不是副本地址，应如 file:///mnt/replica/registry、s3://桶/registry 或 "
                f"sftp://用户@主机/路径。为空时多半是环境变量（如 {variable}）在当前 shell 中没有"
                f"设置。该文件只有 root 能读：以 root 先 set -a; . {env_file}; set +a，再用 "
                "runuser -u certreg -- 运行本命令（见 docs/DEPLOY.md）"
            )
        return value

    return checked


@cli.command()
@click.argument("url", callback=replica_url("CERTREG_REGISTRY_REPLICA", "/etc/certreg/replica.env"))
@db_option
@interval_option
@once_option
@click.option(
    "--allow-rollback",
    is_flag=True,
    help="发布比正在使用的登记库旧的版本（登记库主机确实退回了较早的备份时，与 --once 一起用）。",
)
def follow(url: str, db: Path, interval: float, once: bool, allow_rollback: bool) -> None:
    """查验副本：跟随登记库主机用 Litestream 发布到 URL 的登记库，每个新版本整体替换 --db 文件。

    在每台查验副本上运行（与 certreg serve 同机）。URL 是登记库主机 litestream replicate 的副本地址：共享文件夹 file://，或 s3://（凭据用环境变量 LITESTREAM_ACCESS_KEY_ID、LITESTREAM_SECRET_ACCESS_KEY）；sftp:// 的口令或密钥只能写在 Litestream 配置文件中，本命令不读，请改用前两种。每个新版本先在私有目录（--db 旁的 .registry.db.follow）中跟随，再一次性替换 --db 文件：查验服务不用重启，也不会有一次查验失败。需要 pip install 'certreg[replica]'。

    示例：

    \b
        certreg follow s3://certreg-shipping/registry --db /srv/certreg/data/registry.db
        certreg follow file:///mnt/replica/registry --db data/registry.db --once
        certreg follow file:///mnt/replica/registry --db /srv/certreg/data/registry.db --once --allow-rollback
    """
    if allow_rollback and not once:
        raise UsageProblem("--allow-rollback 只能与 --once 一起用：只退回这一次，此后照常检查")
    if allow_rollback and not db.is_file():  # a --db left out: a new registry elsewhere, exit 0
        raise UsageProblem(
            f"--db 指定的登记库 {db} 不存在：--allow-rollback 退回的是查验服务正在使用的登记库，"
            "请用 --db 指定它（如 --db /srv/certreg/data/registry.db）"
        )
    follower = Follower(url, follow_state(db), interval, _say)
    db.parent.mkdir(parents=True, exist_ok=True)
    step = publishing(follower, db, once, _say, allow_rollback=allow_rollback)
    run_follower(follower, step, once, _say, published=db)


def publishing(
    follower: Follower,
    db: Path,
    once: bool,
    say: Callable[[str], None],
    *,
    allow_rollback: bool = False,
) -> Callable[[str], bool]:
    """`follow`'s step: publish each version. One an older certreg wrote (the registry host not
    upgraded yet) is passed over and the follower goes on — but for ``once`` — so the host's
    next version, upgraded and synced, is published: ending there, a restarted follower met the
    same version again, before Litestream had applied the newer ones, and never got past it.
    A version older than the one served (`RolledBack`) is passed over the same way, and said
    again at each version until the registry host is mended."""

    def step(txid: str) -> bool:
        try:
            publish(follower, db, allow_rollback=allow_rollback)
        except OlderRegistry as exc:
            if once:
                raise
            say(f"{exc.format_message()}；继续跟随，登记库主机升级并同步后发布的版本将被采用。")
            return False
        except RolledBack as exc:
            if once:
                raise
            say(f"版本 {txid} 未发布：{exc.format_message()}。")
            return False
        say(f"已发布登记库版本 {txid} → {db}")
        return True

    return step


@cli.command("collect-logs")
@click.argument("replica", metavar="副本名")
@click.argument(
    "url", callback=replica_url("CERTREG_LOG_REPLICAS", "/etc/certreg/registry-host.env")
)
@db_option
@interval_option
@once_option
@click.option(
    "--new-log",
    metavar="日志标识",
    help="收取地址上这份新的日志（副本的 verify_log.db 被删除或重建过；标识见拒绝收取时的提示）。",
)
def collect_logs(
    replica: str, url: str, db: Path, interval: float, once: bool, new_log: str | None
) -> None:
    """登记库主机：把一台查验副本（副本名，如 replica-a）的查验日志（该副本用 Litestream 发布到 URL）并入登记库旁的 verify_log.db。

    每台副本运行一个（如 systemd 的 certreg-collect-logs@副本名）。职员在 certreg browse 的「查验记录」中看到所有副本的查验；各副本收到的条数和最近时间在表 replica_logs。需要 pip install 'certreg[replica]'。

    示例：

    \b
        certreg collect-logs replica-a s3://certreg-shipping/logs/replica-a --db /srv/certreg/data/registry.db
        certreg collect-logs replica-b file:///mnt/logs/replica-b --db data/registry.db --once

    地址上若不是此前从这里收取的那份日志（多半是另一台副本的日志发布到了这里），一条也不并入，退出并说明如何恢复。
    """
    if not REPLICA_NAME.match(replica):
        raise UsageProblem(f"副本名“{replica}”只能由字母、数字、- 和 _ 组成（如 replica-a）")
    log = store.verify_log_path(db)
    state = log.parent / ".replica-logs" / replica
    follower = Follower(url, state, interval, _say)

    def step(txid: str) -> None:
        added = collect(follower, replica, log, new_log)
        if added:
            _say(f"副本 {replica}：并入 {added} 条查验记录（版本 {txid}）")

    log.parent.mkdir(parents=True, exist_ok=True)
    run_follower(follower, step, once, _say)
