"""``certreg``: the command line (SPEC §1). A thin click layer over the library modules."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from datasette_config.launch import (
    REGISTRY_NAME,
    datasette_command,
    ensure_verify_log,
    verify_log_path,
)
from datasette_config.staff import HOW_TO_ADD, AccountProblem, staff_accounts
from registry import demo as demo_parts
from registry import lookup, numbering, stock, store
from registry.layouts import LAYOUTS
from registry.manifest import (
    MANIFEST_NAME,
    ROSTER_KINDS,
    ManifestError,
    RegisterEntry,
    load_manifest,
    make_entry,
)
from registry.numbers import LEVELS
from registry.readers import UnreadableRegister
from registry.regions import REGIONS
from registry.report import json_report, text_report
from registry.sync import operator, sync_entries
from registry.trades import CatalogueError, load_catalogue

F = TypeVar("F", bound=Callable[..., Any])


class UsageProblem(click.ClickException):
    """A command used wrongly (bad manifest, missing option): exit 2, with what to do."""

    exit_code = 2


def db_option(func: F) -> F:
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=store.DEFAULT_DB,
        envvar="CERTREG_DB",
        show_default=True,
        help="Registry database (env CERTREG_DB).",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")(
        func
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="certreg")
def cli() -> None:
    """Registry and public verification of Sichuan's worker technical-grade certificates
    (川人社函〔2012〕389号)."""


@cli.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@db_option
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@json_option
@click.option(
    "--trades",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Trade catalogue CSV replacing the built-in starting list.",
)
@click.option("--kind", type=click.Choice(list(LAYOUTS)), help="Single file: register kind.")
@click.option("--authority", help="Single file: issuing authority code (2200 province, 2201-2221).")
@click.option("--region", help="Single file: numbering region (default: the authority).")
@click.option("--approval-doc", help="Single file: document that approved the passers.")
@click.option("--issued-on", help="Single file: issue date = date of that document (YYYY-MM-DD).")
@click.option(
    "--year-code", help="Single file: year code of the numbers (default: from --issued-on)."
)
@click.option("--unit", help="Single file: the recipient unit of a provincial-direct roster.")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="Processes that read and check the next registers while one is written "
    "(default: up to 3 when the registers to load are large; 0: none).",
)
def sync(
    path: Path,
    db: Path,
    dry_run: bool,
    as_json: bool,
    trades: Path | None,
    workers: int | None,
    **single: str | None,
) -> None:
    """Load registers into the registry, each whole or not at all.

    PATH is a directory with registers.toml, or one register file with --kind, --authority,
    --approval-doc and --issued-on. Exit 0 when every register loaded (or was already loaded),
    1 when any was rejected, 2 for a usage error.

    Examples:

    \b
        certreg sync data/samples
        certreg sync data/samples --dry-run --json
        certreg sync 2011-mianyang.xlsx --kind approval-roster --authority 2202 \\
            --approval-doc 绵人社函〔2012〕8号 --issued-on 2012-03-20
    """
    try:
        if path.is_dir():
            if any(single.values()):
                raise ManifestError(
                    "目录模式下名册信息写在 registers.toml 中，不能再用 --kind 等选项"
                )
            manifest = load_manifest(path)
            entries, trades = manifest.entries, trades or manifest.trades
        else:
            raw = {k: v for k, v in single.items() if v is not None}
            if not raw.get("kind"):
                raise ManifestError(
                    "单个文件需要 --kind（approval-roster 等）和 --authority 等选项"
                )
            entries = [make_entry(path, path.name, raw, "命令行选项")]
        catalogue = load_catalogue(trades)
    except (ManifestError, CatalogueError) as exc:
        raise UsageProblem(str(exc)) from exc

    def progress(index: int, total: int, entry: RegisterEntry) -> None:
        if total > 1:
            click.echo(f"[{index}/{total}] {entry.key} …", err=True)

    conn = store.connect(db)
    try:
        outcomes = sync_entries(
            conn, entries, catalogue, dry_run=dry_run, progress=progress, workers=workers
        )
    finally:
        conn.close()
    if as_json:
        click.echo(json.dumps(json_report(outcomes), ensure_ascii=False, indent=2))
    else:
        click.echo(text_report(outcomes))
    sys.exit(0 if all(o.ok for o in outcomes) else 1)


@cli.command(name="number")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", required=True, type=click.Choice(list(ROSTER_KINDS)), help="Roster kind.")
@click.option("--authority", required=True, help="Issuing authority code (2200, 2201-2221).")
@click.option("--region", help="Numbering region (default: the authority; 技师: the city).")
@click.option(
    "--year-code",
    default=lambda: f"{dt.date.today().year % 100:02d}",
    show_default="this year",
    help="Two-digit year code of the batch.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the numbered copy (same format as FILE).",
)
@db_option
def number_command(
    file: Path, kind: str, authority: str, region: str | None, year_code: str, out: Path, db: Path
) -> None:
    """Number the rows of an approved roster that have no 颁发证书编号 yet.

    Rows get the next free numbers in roster order, per level, after the highest sequence already
    used in the registry (and in earlier numbering runs, and in FILE). Rows that may not get a
    number (failed results, a level the authority may not issue) are refused and nothing is
    written. The copy keeps the title, header and footer; sync it as usual afterwards.

    Example:

    \b
        certreg number 2012-mianyang.xlsx --kind approval-roster --authority 2202 \\
            --year-code 12 --out 2012-mianyang-numbered.xlsx
    """
    region = region or authority
    for code in (authority, region):
        if code not in REGIONS:
            raise UsageProblem(f"地区代码 {code} 不是附件3规定的代码（2200-2221）")
    if len(year_code) != 2 or not year_code.isdigit():
        raise UsageProblem("--year-code 应为两位数字，如 12")
    if out.resolve() == file.resolve():
        raise UsageProblem("--out 不能与原文件相同：请写到新文件，原名册保持不变")
    if file.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageProblem("certreg number 只处理 .xlsx 和 .csv 文件，请先另存为 .xlsx")
    conn = store.connect(db)
    try:
        plan = numbering.plan(conn, file, kind, authority, region, year_code)
        if plan.problems:
            for problem in plan.problems:
                click.echo(f"{file.name} {problem.describe()}", err=True)
            raise click.ClickException("以上行不能编号，未写出任何文件。请改正后重新运行")
        if not plan.assigned:
            click.echo(f"{file.name} 中所有行都已有证书编号，无需编号")
            return
        numbering.write_copy(plan, out)
        numbering.record_run(conn, plan, out, kind, authority, operator())
    except UnreadableRegister as exc:
        raise click.ClickException(f"{file.name}：{exc}") from exc
    finally:
        conn.close()
    for first, last, count in plan.ranges().values():
        click.echo(f"{LEVELS[first[0]]}：{first} – {last}，共 {count} 个")
    click.echo(f"已写出编号后的副本：{out}")


@cli.command()
@click.argument("number")
@click.argument("name")
@db_option
@json_option
def verify(number: str, name: str, db: Path, as_json: bool) -> None:
    """The public check: is certificate NUMBER held by NAME, and is it still valid?

    Prints the result code (valid, reissued, superseded, revoked, no_match, malformed) and what
    an employer would see. Exit 0 for a match, 1 otherwise.

    Example:

    \b
        certreg verify Z1122020123 张三
    """
    if not db.exists():
        raise UsageProblem(f"登记库 {db} 不存在。请先运行 certreg sync 导入名册")
    conn = store.connect(db, readonly=True)
    try:
        answer = lookup.verify(conn, number, name)
    finally:
        conn.close()
    if as_json:
        click.echo(json.dumps(answer.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"{answer.result}  {answer.label}  {answer.number}")
        for label, value in (
            ("等级", answer.level),
            ("工种", answer.trade),
            ("发证机关", answer.authority),
            ("发证日期", answer.issued_on),
            ("持证人", answer.holder),
            ("状态日期", answer.status_date),
            ("新证书编号", answer.successor),
            ("登记库更新时间", answer.as_of),
        ):
            if value:
                click.echo(f"  {label}：{value}")
        click.echo(answer.advice())
    sys.exit(0 if answer.matched else 1)


@cli.command(name="stock")
@db_option
@json_option
def stock_command(db: Path, as_json: bool) -> None:
    """Blank-certificate reconciliation per recipient and level (附件1, 附件2, §四.(六)).

    For each city bureau and provincial-direct unit: blanks requested and approved (申领计划表),
    dispatched (发放单), certificates registered, blanks spoiled by 换发 and used by 补发, the
    balance on hand, and how many current certificates were collected (领取登记). A negative
    balance (more certificates than blanks) is flagged. Staff see the same figures in Datasette
    as the view "stock".

    Example:

    \b
        certreg stock
        certreg stock --json
    """
    if not db.exists():
        raise UsageProblem(
            f"登记库 {db} 不存在。请先运行 certreg sync 导入名册、申领计划表和发放单"
        )
    conn = store.connect(db)  # a writer, so a registry made by an older certreg gets the view
    try:
        lines = stock.reconciliation(conn)
        as_of = store.registry_as_of(conn)
    finally:
        conn.close()
    if as_json:
        report = {"as_of": as_of, "lines": [line.as_json() for line in lines]}
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(f"空白证书对账（登记库更新时间：{as_of or '无'}）")
        click.echo(stock.stock_text(lines))


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
    if not db.exists():
        raise UsageProblem(f"登记库 {db} 不存在。请先运行 certreg sync 导入名册")
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
    verify_log = verify_log_path(db)
    if not verify_log.exists():
        ensure_verify_log(verify_log)
    command = datasette_command([db, verify_log], host, port)
    click.echo(f"职员查询：http://{host}:{port}/ （账号：{'、'.join(sorted(accounts))}）", err=True)
    os.execv(command[0], command)


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
    if not db.exists():
        raise UsageProblem(f"登记库 {db} 不存在。请先运行 certreg sync 导入名册")
    # Proxy headers are handled inside the app, by CERTREG_TRUSTED_PROXIES only.
    uvicorn.run(
        create_app(settings), host=host, port=port, proxy_headers=False, access_log=access_log
    )
