"""The web parts: ``certreg serve`` (public verification), ``certreg browse`` (staff Datasette)
and ``certreg demo`` (both over the sample registers). The only commands that import the apps."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import click

from registry import store
from registry.cli import demo as demo_parts
from registry.cli.base import Failed, UsageProblem, cli, stopped_by_sigterm
from registry.cli.listening import PORT, address_free, ready_to_serve
from registry.cli.options import db_option, require_registry, told_if_slow
from registry.cli.variables import unknown_settings
from registry.public.secret_values import unrun_command
from registry.sync.manifest import MANIFEST_NAME


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）。")
@click.option("--port", type=PORT, default=8001, help="监听端口（默认 8001）。")
def browse(db: Path, host: str, port: int) -> None:
    """职员查询：用 Datasette 只读浏览登记库和查验日志，须登录。

    每个页面都要职员登录。一个账号是一个环境变量 CERTREG_STAFF_<用户名>，值为 datasette hash-password 生成的密码哈希；DATASETTE_SECRET 用于签名登录状态（请保持不变，重启后登录才仍有效）。没有账号时拒绝启动（退出码 2）。查验日志（登记库旁的 verify_log.db）不存在时会建一个空的，相关查询从第一天就能用；较早版本建立的登记库和日志在启动时补上本版本的表和索引，并一次性更正较早版本推算有误的数据（如补发标记、繁体姓名的比对键、执行工资等级起始时间的写法；证书登记的内容不变）：登记库和日志较大时，第一次启动需要几十秒，建立日志的索引还需要数倍于日志大小的磁盘空间。

    示例：

    \b
        datasette hash-password
        export CERTREG_STAFF_wangli='pbkdf2_sha256$...'
        export DATASETTE_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
        certreg browse --db data/registry.db --port 8001
    """
    from datasette_config.launch import (
        REGISTRY_FILE,
        bring_up_to_date,
        datasette_command,
        datasette_environment,
    )
    from datasette_config.staff import HOW_TO_ADD, AccountProblem, empty_passwords, staff_accounts
    from registry.public.proxies import ProxyProblem

    require_registry(db)
    log = store.verify_log_path(db)
    if db.stem == log.stem:  # Datasette names both after the stem: the log's pages would go
        raise UsageProblem(
            f"{db.name} 与查验日志 {log.name} 同名（查验日志放在登记库旁）。"
            "请用 --db 指定登记库文件；登记库文件名不能是 verify_log"
        )
    problems = []  # all at once: an administrator setting one up was told one a run
    try:
        accounts = staff_accounts(os.environ)
    except AccountProblem as exc:
        accounts, problems = {}, [f"{exc}\n{HOW_TO_ADD}"]
    else:
        if not accounts:
            problems.append(
                f"还没有职员账号：登记库含个人信息，不会在无人能登录的情况下开放。\n{HOW_TO_ADD}"
            )
        problems += empty_passwords(os.environ, accounts)
    secret = os.environ.get("DATASETTE_SECRET", "")
    if len(secret) < MIN_DATASETTE_SECRET:
        problems.append(
            f"DATASETTE_SECRET 未设置或太短（至少 {MIN_DATASETTE_SECRET} 个字符）：它签名职员的"
            "登录状态，猜得到它就能冒充职员登录。请设置一个固定的随机值，例如：\n"
            "  export DATASETTE_SECRET=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\""
        )
    elif problem := unrun_command("DATASETTE_SECRET", secret):
        problems.append(problem)
    if problems:
        raise UsageProblem("\n".join(problems))
    try:  # the proxies the staff server believes, checked as the public app checks them
        environment = datasette_environment(os.environ)
    except ProxyProblem as exc:
        raise UsageProblem(str(exc)) from exc
    environment[REGISTRY_FILE] = str(db.resolve())  # served as /registry/… whatever its name
    verify_log = store.verify_log_path(db)
    with told_if_slow():  # an older registry's upgrade, an older log's indexes
        problem = bring_up_to_date(db, verify_log)
    if not verify_log.is_file():  # Datasette would stop after the address was announced
        raise Failed(
            f"无法在登记库旁建立查验日志 {verify_log}（{problem}）：职员查询要同时打开它。"
            "请让运行本命令的用户对该文件夹有写入权限，或先由服务的用户运行一次 certreg browse"
        )
    if problem:
        click.echo(
            f"警告：无法为较早版本建立的登记库或查验日志补上本版本所需的表和索引（{problem}）。"
            "可以浏览，但在下次 certreg sync 之前，部分页面（如“按编号查证书及履历”、统计页面）"
            "可能无法打开或较慢：请用有写入权限的用户运行一次 certreg browse 或 certreg sync",
            err=True,
        )
    address_free(host, port)
    command = datasette_command([db, verify_log], host, port)
    click.echo(f"职员查询：http://{host}:{port}/ （账号：{'、'.join(sorted(accounts))}）", err=True)
    os.execve(command[0], command, environment)


MIN_DATASETTE_SECRET = 32
"""Characters of DATASETTE_SECRET at least: ``secrets.token_hex(32)`` gives 64."""


@cli.command()
@click.option(
    "--samples",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="示例名册文件夹（含 registers.toml）（默认 data/samples，不在项目目录中时用随安装包提供的示例）。",
)
@click.option("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）。")
@click.option("--port", type=PORT, default=8000, help="公众查验的端口（默认 8000）。")
@click.option("--browse-port", type=PORT, default=8001, help="职员查询的端口（默认 8001）。")
def demo(samples: Path | None, host: str, port: int, browse_port: int) -> None:
    """用示例名册试用全部功能：导入到一个临时登记库，启动公众查验和职员查询，直到按 Ctrl-C。

    本次运行生成密钥和一个职员账号（用户名 demo），只显示一次；演示结束后删除临时登记库。不会改动你自己的登记库。

    示例：

    \b
        certreg demo
        certreg demo --port 9000 --browse-port 9001
    """
    samples = samples or demo_parts.shipped_samples()
    if not (samples / MANIFEST_NAME).is_file():
        raise UsageProblem(
            f"找不到示例名册 {samples / MANIFEST_NAME}。请在项目目录中运行，或用 --samples 指定"
        )
    if port == browse_port:  # the second would find the first's socket and call it ready
        raise UsageProblem(
            f"公众查验和职员查询不能用同一个端口 {port}：请给 --port 和 --browse-port 不同的端口，"
            "例如 certreg demo --port 9000 --browse-port 9001"
        )
    for what, option, busy in (
        ("公众查验", "--port", port),
        ("职员查询", "--browse-port", browse_port),
    ):
        address_free(host, busy, option=option, part=what)
    with tempfile.TemporaryDirectory(prefix="certreg-demo-") as folder:
        db = Path(folder) / "registry.db"
        run = demo_parts.demo_environment(os.environ, db)
        command = demo_parts.certreg_command
        if subprocess.run(command("sync", str(samples), "--db", str(db)), env=run.env).returncode:
            raise Failed("示例名册没有全部导入，见上方报告")
        web = ("--db", str(db), "--host", host)
        parts = [
            ("查验服务（certreg serve）", command("serve", *web, "--port", str(port)), port),
            (
                "职员查询（certreg browse）",
                command("browse", *web, "--port", str(browse_port)),
                browse_port,
            ),
        ]
        with stopped_by_sigterm():
            try:
                processes = demo_parts.run_parts(run.env, host, parts)
            except demo_parts.DemoFailed as exc:
                raise Failed(str(exc)) from exc
            click.echo(
                f"\n演示登记库：{db}（停止后删除）\n"
                f"公众查验：http://{host}:{port}/\n"
                f"职员查询：http://{host}:{browse_port}/ "
                f"（用户名 {demo_parts.DEMO_USER}，密码 {run.password}，仅本次有效）\n"
                "按 Ctrl-C 停止。"
            )
            try:
                ended = demo_parts.wait_for_any_exit(processes)
            except KeyboardInterrupt:
                click.echo("正在停止…", err=True)
                demo_parts.stop(processes)
                return
            demo_parts.stop(processes)
        what = parts[processes.index(ended)][0]
        if ended.returncode == 0:  # stopped, not failed: a signal it had and this process not
            click.echo(f"{what}已停止（收到停止信号），演示随之停止", err=True)
            return
        raise Failed(f"{what}意外退出（退出码 {ended.returncode}），演示已停止")


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）。")
@click.option("--port", default=8000, type=PORT, help="监听端口（默认 8000）。")
@click.option(
    "--access-log/--no-access-log",
    default=True,
    help="uvicorn 的访问日志（默认开启；由反向代理记录访问日志时可关闭）。",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    help="uvicorn 工作进程数（默认 1）。多于 1 个时请用 Redis 共享限流计数（CERTREG_RATE_LIMIT_STORAGE）。",
)
def serve(db: Path, host: str, port: int, access_log: bool, workers: int) -> None:
    """运行公众查验服务（网页和 JSON 接口），用 uvicorn。

    需要 CERTREG_SECRET（签名查验回执、散列日志中的姓名）。其他设置来自环境变量：CERTREG_PREVIOUS_SECRET（更换密钥期间的旧值，它签发的回执和表单仍然有效）、CERTREG_RATE_LIMIT（每个用户每分钟单条查验次数，0 为不限）、CERTREG_BATCH_ROWS_PER_HOUR（每个用户每小时批量查验行数）、CERTREG_REPORTS_PER_DAY（每个用户每天报告份数）、CERTREG_NAME_GUESSES_PER_HOUR（每个用户每小时对同一编号可试的不相符姓名数，防止猜测持证人姓名）、CERTREG_NAME_GUESSES_PER_DAY（不带接口密钥的所有用户合计、每个接口密钥各自，每天对同一编号可试的不相符姓名数）、CERTREG_WATCH_DAYS（关注列表多少天无人查看即删除，默认 400）、CERTREG_UPLOAD_CONCURRENCY（同时解析的上传文件数）、CERTREG_TRUSTED_PROXIES（可信的反向代理，其 X-Forwarded-For 才被采信）、CERTREG_RATE_LIMIT_STORAGE（如 redis://localhost:6379，多个实例共享计数）、CERTREG_AUTHORITIES（发证机关联系方式表）、CERTREG_MAX_BODY_BYTES（请求体上限，默认 1 MiB）、CERTREG_MIN_FREE_BYTES（查验日志所在磁盘至少保留的剩余空间，低于它 /healthz 答 503，默认 64 MiB）、CERTREG_RECEIPT_DAYS、CERTREG_STALE_DAYS、CERTREG_PUBLIC_URL。详见 README。

    示例：

    \b
        export CERTREG_SECRET="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        certreg serve --db data/registry.db --port 8000
        certreg serve --no-access-log      # 反向代理已记录访问日志时
        CERTREG_RATE_LIMIT_STORAGE=redis://127.0.0.1:6379 certreg serve --workers 2
    """
    import uvicorn

    from registry.public.http_guard import uvicorn_options
    from verify_app.app import create_app
    from verify_app.ratelimit import Limiter, is_local, without_password
    from verify_app.settings import Settings, SettingsProblem

    try:
        settings = Settings.from_environ(db=db)
    except SettingsProblem as exc:
        raise UsageProblem(str(exc)) from exc
    require_registry(db, replica=True)
    for warning in unknown_settings(os.environ):
        click.echo(f"警告：{warning}", err=True)
    if not settings.public_url and host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            "警告：没有设置 CERTREG_PUBLIC_URL（公众访问的网址，如 https://zscx.example.gov.cn）："
            "回执、关注列表和接口说明中的链接将按每个请求的 Host 头生成，他人可借此伪造链接地址。"
            "请设置后重新启动",
            err=True,
        )
    ready_to_serve(db, settings.log_db, host, port)
    if not is_local(settings.rate_limit_storage):
        shown = without_password(settings.rate_limit_storage)
        if not Limiter(settings.rate_limit_storage).reachable():
            click.echo(
                f"警告：限额存储 {shown} 现在无法连接（地址、端口或密码不对，或它还没有启动）。"
                "服务照常启动，各进程先各自计数，连上后自动共用；请检查 CERTREG_RATE_LIMIT_STORAGE",
                err=True,
            )
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"公众查验：http://{shown}:{port}/ （Ctrl-C 停止服务）", err=True)
    if workers == 1:
        uvicorn.run(
            create_app(settings), host=host, port=port, access_log=access_log, **uvicorn_options()
        )
        return
    allowances = [
        (settings.rate_limit, "每分钟最多可查验{}条"),
        (settings.batch_rows_per_hour, "每小时最多可批量查验{}行"),
        (settings.reports_per_day, "每天最多可报告{}份"),
        (settings.name_guesses_per_hour, "每小时对同一编号最多可试{}个不相符的姓名"),
        (settings.name_guesses_per_day, "所有用户每天对同一编号合计最多可试{}个不相符的姓名"),
    ]  # (API keys' days are counted in the registry: shared by every worker)
    multiplied = [said.format(f" {workers * n}（而不是 {n}）") for n, said in allowances if n]
    if is_local(settings.rate_limit_storage):
        # the batch retries' claims and memories are kept there too: a resend reaching another
        # worker is a first send (8 sends of one key at once: 2-3 charged — a review)
        actually = f"每位用户实际{'、'.join(multiplied)}；" if multiplied else ""
        click.echo(
            f"警告：限额计数保存在每个工作进程的内存中（CERTREG_RATE_LIMIT_STORAGE={settings.rate_limit_storage}），"
            f"{workers} 个工作进程各自计数，{actually}带同一个 Idempotency-Key 重发的批量查验"
            "（和刷新的网页批量查验结果），到了另一个工作进程就当作第一次发送：同时重发的，每个进程"
            "各查验一次、各计一次额度（接口密钥的每日额度也是）。请改用 Redis 共享计数："
            "pip install 'certreg[redis]'，CERTREG_RATE_LIMIT_STORAGE=redis://127.0.0.1:6379",
            err=True,
        )
    # Each worker process builds its own app from the environment: hand it --db that way.
    os.environ["CERTREG_DB"] = str(db)
    uvicorn.run(
        "verify_app.app:app_from_environ",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        access_log=access_log,
        **uvicorn_options(),
    )
