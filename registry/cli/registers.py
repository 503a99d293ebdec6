"""The administrators' commands: ``certreg sync``, ``certreg number``, ``certreg stock``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from registry import store
from registry.cli.base import UsageProblem, cli, db_option, json_option, require_registry
from registry.domain.levels import LEVELS
from registry.domain.regions import REGIONS
from registry.domain.registers import ROSTER_KINDS
from registry.domain.trades import CatalogueError
from registry.kinds import LAYOUTS
from registry.kinds.base import RegisterEntry
from registry.sheets.rows import UnreadableSheet
from registry.store import stock
from registry.sync.catalogue import load_catalogue
from registry.sync.manifest import ManifestError, load_manifest, make_entry
from registry.sync.report import json_report, text_report
from registry.sync.run import operator, sync_entries


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
    from registry.sync import numbering  # writes workbooks: openpyxl only for this command

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
    except UnreadableSheet as exc:
        raise click.ClickException(f"{file.name}：{exc}") from exc
    finally:
        conn.close()
    for first, last, count in plan.ranges().values():
        click.echo(f"{LEVELS[first.letter]}：{first} – {last}，共 {count} 个")
    click.echo(f"已写出编号后的副本：{out}")


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
    require_registry(db, "名册、申领计划表和发放单")
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
