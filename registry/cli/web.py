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
from registry.cli.base import UsageProblem, cli, db_option, require_registry
from registry.sync.manifest import MANIFEST_NAME


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8001, show_default=True, help="Port to listen on.")
def browse(db: Path, host: str, port: int) -> None:
    """Datasette for staff: the registry and the verification log, read-only, behind a login.

    Every page needs a staff login. An account is an environment variable
    CERTREG_STAFF_<username> holding a hash made by `datasette hash-password`; DATASETTE_SECRET
    signs the login cookie (keep it stable so logins survive a restart). Without an account
    the command refuses to start (exit 2). The verification log (verify_log.db beside the
    registry) is created empty if it does not exist yet, so its queries work from day one.

    Example:

    \b
        datasette hash-password
        export CERTREG_STAFF_wangli='pbkdf2_sha256$...'
        export DATASETTE_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
        certreg browse --db data/registry.db --port 8001
    """
    from datasette_config.launch import (
        REGISTRY_NAME,
        datasette_command,
        datasette_environment,
        ensure_verify_log,
    )
    from datasette_config.staff import HOW_TO_ADD, AccountProblem, staff_accounts

    require_registry(db)
    if db.stem != REGISTRY_NAME:
        # Datasette names a database after its file; the shipped labels, queries and links
        # (/registry/…) are written for that name.
        raise UsageProblem(
            f"职员查询按库名 {REGISTRY_NAME} 配置（网址 /{REGISTRY_NAME}/…），"
            f"登记库文件须命名为 {REGISTRY_NAME}.db，现为 {db.name}。请改名后再试"
        )
    try:
        accounts = staff_accounts(os.environ)
    except AccountProblem as exc:
        raise UsageProblem(f"{exc}\n{HOW_TO_ADD}") from exc
    if not accounts:
        raise UsageProblem(
            f"还没有职员账号：登记库含个人信息，不会在无人能登录的情况下开放。\n{HOW_TO_ADD}"
        )
    if not os.environ.get("DATASETTE_SECRET"):
        raise UsageProblem(
            "没有设置 DATASETTE_SECRET（用于签名登录状态）。请设置一个固定的随机值，例如：\n"
            "  export DATASETTE_SECRET=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\""
        )
    verify_log = store.verify_log_path(db)
    if not verify_log.exists():
        ensure_verify_log(verify_log)
    command = datasette_command([db, verify_log], host, port)
    click.echo(f"职员查询：http://{host}:{port}/ （账号：{'、'.join(sorted(accounts))}）", err=True)
    os.execve(command[0], command, datasette_environment(os.environ))


@cli.command()
@click.option(
    "--samples",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/samples"),
    show_default=True,
    help="Folder of sample registers with registers.toml.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8000, show_default=True, help="Verification app port.")
@click.option("--browse-port", type=int, default=8001, show_default=True, help="Datasette port.")
def demo(samples: Path, host: str, port: int, browse_port: int) -> None:
    """Try everything on the sample registers: sync them into a throwaway registry and start
    the verification app and staff Datasette over it, until Ctrl-C.

    Secrets and a staff login (user "demo") are generated for this run and printed once; the
    registry is deleted when the demo stops. Your own registry is not touched.

    Example:

    \b
        certreg demo
        certreg demo --port 9000 --browse-port 9001
    """
    if not (samples / MANIFEST_NAME).is_file():
        raise UsageProblem(
            f"找不到示例名册 {samples / MANIFEST_NAME}。请在项目目录中运行，或用 --samples 指定"
        )
    with tempfile.TemporaryDirectory(prefix="certreg-demo-") as folder:
        db = Path(folder) / "registry.db"
        run = demo_parts.demo_environment(os.environ, db)
        command = demo_parts.certreg_command
        if subprocess.run(command("sync", str(samples), "--db", str(db)), env=run.env).returncode:
            raise click.ClickException("示例名册没有全部导入，见上方报告")
        web = ("--db", str(db), "--host", host)
        parts = [
            ("查验服务（certreg serve）", command("serve", *web, "--port", str(port)), port),
            (
                "职员查询（certreg browse）",
                command("browse", *web, "--port", str(browse_port)),
                browse_port,
            ),
        ]
        with demo_parts.stop_on_terminate():
            try:
                processes = demo_parts.run_parts(run.env, host, parts)
            except demo_parts.DemoFailed as exc:
                raise click.ClickException(str(exc)) from exc
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
        raise click.ClickException(f"{what}意外退出（退出码 {ended.returncode}），演示已停止")


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="uvicorn's access log (off in production when the reverse proxy keeps one).",
)
def serve(db: Path, host: str, port: int, access_log: bool) -> None:
    """Run the public verification app (web pages and JSON API) under uvicorn.

    Needs CERTREG_SECRET (signs receipts, keys the name hashes in the verification log).
    Other settings from the environment: CERTREG_RATE_LIMIT (checks per minute per client,
    0 = off), CERTREG_TRUSTED_PROXIES (proxies whose X-Forwarded-For is believed),
    CERTREG_RATE_LIMIT_STORAGE (e.g. redis://localhost:6379 to share counts between
    replicas), CERTREG_RECEIPT_DAYS, CERTREG_STALE_DAYS, CERTREG_PUBLIC_URL.

    Example:

    \b
        export CERTREG_SECRET="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        certreg serve --db data/registry.db --port 8000
        certreg serve --no-access-log      # behind a proxy that logs requests
    """
    import uvicorn

    from verify_app.app import create_app
    from verify_app.settings import Settings, SettingsProblem

    try:
        settings = Settings.from_environ(db=db)
    except SettingsProblem as exc:
        raise UsageProblem(str(exc)) from exc
    require_registry(db)
    # Proxy headers are handled inside the app, by CERTREG_TRUSTED_PROXIES only.
    uvicorn.run(
        create_app(settings), host=host, port=port, proxy_headers=False, access_log=access_log
    )
