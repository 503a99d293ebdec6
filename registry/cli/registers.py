"""The administrators' commands: ``certreg sync``, ``certreg number``, ``certreg stock``."""

from __future__ import annotations

import contextlib
import json
import re
import sys
import tempfile
from pathlib import Path

import click

from registry import store
from registry.cli.base import (
    Failed,
    UsageProblem,
    cli,
    db_option,
    json_option,
)
from registry.cli.progress import Progress
from registry.domain.levels import LEVELS
from registry.domain.regions import PROVINCE, REGIONS
from registry.domain.registers import ROSTER_KINDS, TECHNICIAN_ROSTER
from registry.domain.trades import CatalogueError, TradeCatalogue
from registry.kinds import LAYOUTS
from registry.kinds.base import RegisterEntry
from registry.sheets.errors import UnreadableSheet
from registry.sheets.numbered_copy import CopyNotes
from registry.sync.catalogue import load_catalogue
from registry.sync.manifest import (
    ENTRY_KEYS,
    ManifestError,
    load_manifest,
    make_entry,
    year_code_for,
)
from registry.sync.outcome import Outcome, operator
from registry.sync.report import json_report, text_report, unlisted_note
from registry.sync.run import sync_entries
from registry.sync.unlisted import unlisted

CATALOGUE = click.Path(exists=True, dir_okay=False, path_type=Path)
_MANIFEST_KEY = re.compile(rf"\b({'|'.join(sorted(ENTRY_KEYS - {'file'}))})\b")


def _as_option(key: re.Match[str]) -> str:
    """A registers.toml key as the option that gives it on the command line (issued_on →
    --issued-on)."""
    return "--" + key[1].replace("_", "-")


@cli.command()
@click.argument("path", metavar="路径", type=click.Path(exists=True, path_type=Path))
@db_option
@click.option("--dry-run", is_flag=True, help="只检查，不写入登记库。")
@json_option
@click.option(
    "--all", "everything", is_flag=True, help="列出每一个问题（默认超过 20 个时按规则汇总）。"
)
@click.option(
    "--brief",
    is_flag=True,
    help="只列出每个名册的结果，问题清单全部写入名册旁的 <文件>.问题清单.csv："
    "报告不含姓名等单元格内容，供定时任务写入系统日志。",
)
@click.option("--trades", type=CATALOGUE, help="工种目录 CSV，替换内置的起步目录。")
@click.option("--trades-extra", type=CATALOGUE, help="工种目录 CSV，其工种和别名加到目录中。")
@click.option("--kind", type=click.Choice(list(LAYOUTS)), help="单个文件：名册种类。")
@click.option("--authority", help="单个文件：发证机关代码（2200 省厅，2201-2221 各市州）。")
@click.option("--region", help="单个文件：编号地区代码（默认同发证机关）。")
@click.option("--approval-doc", help="单个文件：批准合格人员的文件文号。")
@click.option("--issued-on", help="单个文件：发证日期 = 该文件的日期（YYYY-MM-DD）。")
@click.option("--year-code", help="单个文件：编号的核发年份代码（默认取发证日期年份后两位）。")
@click.option("--unit", help="单个文件：省直名册的领取单位。")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="在写入一个名册时，预先读取、检查后面名册的进程数（默认：名册较大时最多 3 个；0：不用）。",
)
def sync(
    path: Path,
    db: Path,
    dry_run: bool,
    as_json: bool,
    everything: bool,
    brief: bool,
    trades: Path | None,
    trades_extra: Path | None,
    workers: int | None,
    **single: str | None,
) -> None:
    """把名册导入登记库，每个名册要么整体导入，要么整体拒绝。

    路径是含 registers.toml 的文件夹，或一个名册文件（此时需 --kind、--authority、--approval-doc、--issued-on）。全部导入（或此前已导入）时退出码 0，有名册被拒绝时 1，用法错误（清单写错、缺选项）时 2。

    示例：

    \b
        certreg sync data/samples
        certreg sync data/samples --dry-run --json
        certreg sync 2011-mianyang.csv --kind approval-roster --authority 2202 \\
            --approval-doc 绵人社函〔2012〕8号 --issued-on 2012-03-20 --year-code 11
        certreg sync 名册文件夹 --trades-extra 本地工种.csv
        certreg sync 名册文件夹 --brief        # 定时任务：日志中不留姓名
    """
    try:
        if path.is_dir():
            if any(single.values()):
                raise ManifestError(
                    "目录模式下名册信息写在 registers.toml 中，不能再用 --kind 等选项"
                )
            manifest = load_manifest(path)
            entries = manifest.entries
            forgotten = unlisted(path, manifest)
            trades, trades_extra = trades or manifest.trades, trades_extra or manifest.trades_extra
        else:
            forgotten = []
            raw = {k: v for k, v in single.items() if v is not None}
            if not raw.get("kind"):
                raise ManifestError(
                    "单个文件需要 --kind 说明它是哪种登记表"
                    "（approval-roster、technician-roster、status-changes 等）"
                )
            try:
                entries = [make_entry(path, path.name, raw, "命令行选项")]
            except ManifestError as exc:  # worded for registers.toml: name the options typed
                raise ManifestError(_MANIFEST_KEY.sub(_as_option, str(exc))) from exc
        catalogue = load_catalogue(trades, trades_extra)
    except (ManifestError, CatalogueError) as exc:
        raise UsageProblem(str(exc)) from exc

    progress = Progress(enabled=not as_json and sys.stderr.isatty())
    registry_folder = db.parent
    with contextlib.ExitStack() as stack:
        if dry_run and not db.exists():
            # checked against an empty registry, which is not left behind: an empty file would
            # make `certreg verify` and `serve` take it for a registry with nothing loaded yet
            db = Path(stack.enter_context(tempfile.TemporaryDirectory())) / db.name
        outcomes = _synced(db, entries, catalogue, dry_run, progress, workers)
    if as_json:
        data = {**json_report(outcomes), "unlisted": forgotten}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        report = text_report(outcomes, everything=everything, spare=registry_folder, brief=brief)
        click.echo(report)
        if forgotten:
            click.echo(unlisted_note(forgotten, brief=brief))
    sys.exit(0 if all(o.ok for o in outcomes) else 1)


def _synced(
    db: Path,
    entries: list[RegisterEntry],
    catalogue: TradeCatalogue,
    dry_run: bool,
    progress: Progress,
    workers: int | None,
) -> list[Outcome]:
    conn = store.connect(db)
    try:
        return sync_entries(
            conn,
            entries,
            catalogue,
            dry_run=dry_run,
            progress=progress.started,
            finished=progress.finished,
            workers=workers,
        )
    finally:
        conn.close()


@cli.command(name="number")
@click.argument(
    "file", metavar="名册文件", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--kind", required=True, type=click.Choice(list(ROSTER_KINDS)), help="名册种类。")
@click.option("--authority", required=True, help="发证机关代码（2200 省厅，2201-2221 各市州）。")
@click.option("--region", help="编号地区代码（默认同发证机关；技师名册为持证人所在市州）。")
@click.option(
    "--year-code",
    help="本批证书的核发年份代码，两位数字（附件3 二：取核发年份后两位，首批统一为 11）。"
    "默认取同一文件夹（或上层文件夹）中 registers.toml 为编号后副本（或此文件）登记的年份代码"
    "（同步时按它核对）；"
    "未列入时取今年年份后两位。",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="编号后副本的文件名（与原文件同格式）。",
)
@db_option
def number_command(
    file: Path,
    kind: str,
    authority: str,
    region: str | None,
    year_code: str | None,
    out: Path,
    db: Path,
) -> None:
    """给审批（审核）名册中还没有“颁发证书编号”的行编号，写出编号后的副本。

    按名册顺序、分等级，从登记库（及此前的编号记录、本文件）已用的编号之后逐号编排（§四.(四)、§四.(五)3、附件3）。不能发证的行（考核不合格、发证机关无权核发该等级）会被指出，此时不写出任何文件。副本保留标题、表头和页脚；之后照常用 certreg sync 导入。

    示例：

    \b
        certreg number 2012-mianyang.xlsx --kind approval-roster --authority 2202 \\
            --year-code 12 --out 2012-mianyang-numbered.xlsx
    """
    region = region or authority
    _check_number_options(file, kind, authority, region, out)
    chosen = year_code is not None
    if year_code is None:
        try:
            year_code, source = year_code_for(file, out)
        except ManifestError as exc:
            raise UsageProblem(str(exc)) from exc
    if len(year_code) != 2 or not (year_code.isascii() and year_code.isdigit()):
        raise UsageProblem("--year-code 应为两位半角数字，如 12")
    from registry.sync import numbering  # writes workbooks: openpyxl only for this command

    conn = store.connect(db)
    try:
        # one write transaction from reading the numbers in use to recording the new ones: a
        # second run at the same time waits, and cannot hand out the same numbers again
        with store.transaction(conn):
            plan = numbering.plan(conn, file, kind, authority, region, year_code)
            if plan.problems:
                for problem in plan.problems:
                    click.echo(f"{file.name} {problem.describe()}", err=True)
                raise Failed("以上行不能编号，未写出任何文件。请改正后重新运行")
            if not plan.assigned:
                click.echo(f"{file.name} 中所有行都已有证书编号，无需编号")
                return
            try:
                notes = numbering.write_copy(plan, out)
            except OSError as exc:
                raise UsageProblem(f"无法写出 {out}：{exc.strerror}") from exc
            numbering.record_run(conn, plan, out, kind, authority, operator())
    except UnreadableSheet as exc:
        raise Failed(f"{file.name}：{exc}") from exc
    finally:
        conn.close()
    if not chosen:
        click.echo(
            f"核发年份代码：{year_code}（未指定 --year-code，{source}，附件3 二）。"
            "其他年份核发的证书请用 --year-code 指定"
        )
    for first, last, count in plan.ranges().values():
        click.echo(f"{LEVELS[first.letter]}：{first} – {last}，共 {count} 个")
    click.echo(f"已写出编号后的副本：{out}")
    _echo_copy_notes(notes)


def _check_number_options(file: Path, kind: str, authority: str, region: str, out: Path) -> None:
    """`UsageProblem` for options that cannot number ``file`` into ``out``."""
    for code in (authority, region):
        if code not in REGIONS:
            raise UsageProblem(f"地区代码 {code} 不是附件3规定的代码（2200-2221）")
    if kind == TECHNICIAN_ROSTER and authority != PROVINCE:
        raise UsageProblem(
            f"技师审核名册（附件5）的证书由省厅核发（§三）：--authority 应为 2200，不是 {authority}；"
            "--region 写名册所属市（州）的代码，如 --region 2202"
        )
    if out.resolve() == file.resolve():
        raise UsageProblem("--out 不能与原文件相同：请写到新文件，原名册保持不变")
    if not out.parent.is_dir():
        raise UsageProblem(
            f"--out 所在的文件夹 {out.parent} 不存在：请先建好该文件夹，或换一个位置"
        )
    if file.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageProblem("certreg number 只处理 .xlsx 和 .csv 文件，请先另存为 .xlsx")


def _echo_copy_notes(notes: CopyNotes) -> None:
    """What the copy could not keep as it was (`registry.sheets.numbered_copy.CopyNotes`)."""
    if notes.formulas:
        click.echo(
            f"副本中 {notes.formulas} 个公式单元格已写成原文件保存的计算结果（登记时按此值导入）："
            "请核对这些值"
        )
    if notes.pictures:
        click.echo(
            "注意：原文件中的图片、图形或图表（如印章、照片）没有写入副本。"
            "需要时请在副本中重新插入，或把编号抄回原文件"
        )
