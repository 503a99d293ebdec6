"""The administrators' sync: ``certreg sync`` of a manifest's folder or of one register file."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from pathlib import Path
from typing import NoReturn

import click

from registry import store
from registry.cli.base import (
    INTERRUPTED,
    RegistryUnavailable,
    UsageProblem,
    cli,
    stopped_by_sigterm,
)
from registry.cli.kind_choice import KindChoice
from registry.cli.options import db_option, json_option, not_a_replica, open_registry
from registry.cli.progress import Progress
from registry.domain.regions import AUTHORITY_CODES
from registry.domain.trades import CatalogueError, TradeCatalogue
from registry.kinds import LAYOUTS
from registry.kinds.base import RegisterEntry
from registry.store.trades import held_catalogue
from registry.sync.catalogue import adopt, load_catalogue
from registry.sync.delisted import Delisted, mark_listing
from registry.sync.entries import registers_to_sync
from registry.sync.manifest import ManifestError
from registry.sync.outcome import RUN, Outcome
from registry.sync.problem_lists import discard_problem_lists
from registry.sync.replication import replication, replication_json, replication_notes
from registry.sync.report import delisted_note, text_report, unlisted_note
from registry.sync.report_json import json_report
from registry.sync.run import new_run, sync_entries

CATALOGUE = click.Path(exists=True, dir_okay=False, path_type=Path)


@cli.command()
@click.argument("path", metavar="路径", type=click.Path(exists=True, path_type=Path))
@db_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="只检查，不写入登记库（在登记库的副本上检查，可与导入同时运行）。",
)
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
@click.option(
    "--trades", type=CATALOGUE, help="工种目录 CSV，替换内置的起步目录（路径相对于当前目录）。"
)
@click.option(
    "--trades-extra",
    type=CATALOGUE,
    help="工种目录 CSV，其工种和别名加到目录中，登记库记住它们，以后的同步不必再指定"
    "（路径相对于当前目录，不是名册文件夹）。",
)
@click.option(
    "--kind",
    type=KindChoice(tuple(LAYOUTS)),
    metavar="名册种类",
    help="单个文件：名册种类（见上面的“名册种类”）。",
)
@click.option("--authority", help=f"单个文件：发证机关代码（{AUTHORITY_CODES}）。")
@click.option("--region", help="单个文件：编号地区代码（默认同发证机关）。")
@click.option("--approval-doc", help="单个文件：批准合格人员的文件文号。")
@click.option("--issued-on", help="单个文件：发证日期 = 该文件的日期（YYYY-MM-DD）。")
@click.option("--year-code", help="单个文件：编号的核发年份代码（默认取发证日期年份后两位）。")
@click.option("--unit", help="单个文件：省直名册的领取单位。")
@click.option(
    "--workers",
    type=click.IntRange(min=0, max=64),
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

    路径是含 registers.toml 的文件夹，或一个名册文件（此时需 --kind、--authority；审批名册、技师名册还需 --approval-doc、--issued-on）。全部导入（或此前已导入）时退出码 0，有名册被拒绝时 1，用法错误（清单写错、缺选项）或登记库无法使用时 2，按 Ctrl-C 中止时 130（已导入的名册保留，再次运行会接着导入），输出写不进去（如磁盘已满）时 74，读输出的程序提前关闭（如 | head）时 141。登记库由 Litestream 发布（旁边有 .registry.db-litestream 文件夹）而它没有取走这次写入的改动时，报告末尾会提示，退出码不变（最多等它 5 秒，其间按 Ctrl-C 不再等，报告照常）。

    示例：

    \b
        certreg sync data/samples
        certreg sync data/samples --dry-run --json
        certreg sync 2011-mianyang.csv --kind approval-roster --authority 2202 \\
            --approval-doc 绵人社函〔2012〕8号 --issued-on 2012-03-20 \\
            --year-code 11
        certreg sync 名册文件夹 --trades-extra 本地工种.csv
        certreg sync 名册文件夹 --brief        # 定时任务：日志中不留姓名

    registers.toml 每个名册一节，按导入的先后排列（# 后为说明，可删去）：

    \b
        [[register]]
        file = "2012-绵阳-审批名册.xlsx"   # 名册文件名（与清单在同一文件夹）
        kind = "approval-roster"           # 名册种类，见下
        authority = "2202"                 # 发证机关：2200 省厅，2201-2221 各市州
        approval_doc = "绵人社函〔2012〕8号"  # 批准文件文号（§四.(三)）
        issued_on = 2012-03-20             # 发证日期 = 批准文件的日期（不加引号）
        year_code = "11"                   # 核发年份代码；省略时取发证年份后两位
        # unit = "省水利厅"                # 省直（2200）审批名册：报送名册的单位
        # region = "2201"                  # 技师审核名册：持证人所在市州的代码

    \b
    名册种类：approval-roster 审批名册（附件4）、
    technician-roster 审核名册（附件5）、
    status-changes 换发、补发、撤销登记表、requisitions 申领计划（附件1）、
    dispatches 发放单（附件2）、collections 领取登记；
    也可写中文名称（kind = "审批名册"、--kind 附件5）。
    后四种只需 file、kind、authority。

    工种目录写在清单开头、第一个 [[register]] 之前：trades_extra = "本地工种.csv" 把其中的工种和别名加到内置目录中，trades = "工种目录.csv" 替换内置目录（路径相对于清单所在的文件夹）。
    """
    try:
        entries, forgotten, catalogues = registers_to_sync(path, single, trades, trades_extra)
    except ManifestError as exc:
        raise UsageProblem(str(exc)) from exc
    progress = Progress(enabled=not as_json and sys.stderr.isatty())
    registry_folder = db.parent
    used = _registry_used(db, dry_run)
    # on a terminal, before the work: a mistyped --db is seen while it can still be stopped (a
    # clerk's review); in a log, with the report (a full disk fails the report, not the sync)
    said_first = not as_json and sys.stdout.isatty()
    if said_first:
        click.echo(used)
    given = db
    with contextlib.ExitStack() as stack:
        stack.enter_context(stopped_by_sigterm())  # systemctl stop: what loaded, in the journal
        if dry_run:
            # checked against a copy: a dry run takes no lock a sync waits for, nor waits for
            # one; and against an empty registry, which is not left behind (an empty file would
            # make `certreg verify` and `serve` take it for a registry with nothing loaded yet)
            copy = Path(stack.enter_context(store.dry_run_folder(db))) / db.name
            if db.exists():
                store.snapshot(db, copy)
            db = copy
        try:
            notes, outcomes, delisted, written = _synced(
                db, entries, catalogues, forgotten, dry_run, progress, workers
            )
            shipped = replication(written, progress.waiting)  # a Ctrl-C in it: reported
        except store.RegistryMismatch as exc:  # named as given, not as the dry run's copy
            raise store.RegistryMismatch(str(exc).replace(str(db), str(given))) from exc
        except KeyboardInterrupt:  # not click's bare "Aborted!": what is loaded, what is not
            _stopped(progress, dry_run, as_json)
        except sqlite3.DatabaseError as exc:
            _halted(progress, dry_run, as_json, exc)
    discard_problem_lists(outcomes)
    keys = {d.key for d in delisted}  # loaded before: not "not loaded"
    forgotten = [name for name in forgotten if name not in keys]
    if as_json:
        summary = json_report(outcomes, brief=brief, spare=registry_folder)
        # a file name may hold a holder's name: with --brief, how many only
        unlisted = len(forgotten) if brief else forgotten
        left_out = len(delisted) if brief else [d.key for d in delisted]
        data = {**summary, "unlisted": unlisted, "delisted": left_out, "catalogue": notes}
        data.update(replication_json(shipped))
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        lines = [*([] if said_first else [used]), *notes]
        lines.append(
            text_report(outcomes, everything=everything, spare=registry_folder, brief=brief)
        )
        lines += _left_out_notes(forgotten, delisted, brief)
        lines += replication_notes(shipped, given)
        click.echo("\n".join(lines))
    sys.exit(0 if all(o.ok for o in outcomes) else 1)


def _left_out_notes(forgotten: list[str], delisted: list[Delisted], brief: bool) -> list[str]:
    """What the text report ends with: the spreadsheets the manifest does not list, and the
    loaded registers it no longer lists."""
    notes = [unlisted_note(forgotten, brief=brief)] if forgotten else []
    return notes + ([delisted_note(delisted, brief=brief)] if delisted else [])


def _registry_used(db: Path, dry_run: bool) -> str:
    """The line naming the registry a sync writes to: run from another folder, a default
    ``--db`` is another one; a new one is said, and a mistyped ``--db`` beside a registry."""
    used = f"登记库：{db.resolve()}"
    if db.exists():
        return used
    used += "（尚不存在，按空登记库检查）" if dry_run else "（新建）"
    if not dry_run and not db.parent.is_dir():  # a mistyped --db: said, not hidden
        return used + (
            f"——所在文件夹 {db.parent} 原来也不存在，已一并建立；如果不是有意的，请核对 --db"
        )
    if others := store.registries_beside(db):
        used += (
            f"——注意：同一文件夹中已有登记库 {'、'.join(others)}。如果本想导入到它，"
            f"请核对 --db{'' if dry_run else f'，删去误建的 {db.name} 后重新导入'}"
        )
    return used


def _stopped(progress: Progress, dry_run: bool, as_json: bool) -> NoReturn:
    """Say what a sync stopped by Ctrl-C did, and exit `INTERRUPTED`."""
    if as_json:  # a program reading stdout gets an answer too
        stopped = {"ok": False, "interrupted": True, "loaded": progress.loaded}
        click.echo(json.dumps(stopped, ensure_ascii=False))
    click.echo(f"\n{progress.stopped(dry_run)}", err=True)
    sys.exit(INTERRUPTED)


def _halted(
    progress: Progress, dry_run: bool, as_json: bool, exc: sqlite3.DatabaseError
) -> NoReturn:
    """A registry that could not be written mid-run (locked past the wait, a full disk): why,
    and — as after Ctrl-C — what the run loaded before; only the error was printed, and the
    registers already loaded looked undone."""
    problem = RegistryUnavailable.explain(exc)
    if as_json:  # a program reading stdout gets an answer too
        halted = {"ok": False, "error": problem.format_message(), "loaded": progress.loaded}
        click.echo(json.dumps(halted, ensure_ascii=False))
    if progress.loaded and not dry_run:
        click.echo(f"\n{progress.halted()}", err=True)
    raise problem from exc


def _catalogue(
    conn: sqlite3.Connection | None, files: tuple[Path | None, Path | None]
) -> TradeCatalogue:
    """The catalogue rosters are checked with: the one named (``trades =``, ``--trades``), else
    the official one the registry holds, else the starting list — with the additions named
    (``trades_extra``, ``--trades-extra``). A sync naming none (one file by the options, a
    folder without ``trades =``) checked against the starting list though the registry held
    the official catalogue."""
    try:
        return load_catalogue(*files, held=held_catalogue(conn) if conn else None)
    except CatalogueError as exc:
        raise UsageProblem(str(exc)) from exc


def _synced(
    db: Path,
    entries: list[RegisterEntry],
    files: tuple[Path | None, Path | None],
    beside: list[str],
    dry_run: bool,
    progress: Progress,
    workers: int | None,
) -> tuple[list[str], list[Outcome], list[Delisted], Path | None]:
    """What the sync says of its trade catalogue (`_catalogue`, `registry.sync.catalogue.adopt`),
    each register's outcome, the loaded registers the manifest no longer lists (``beside``:
    the spreadsheets beside the manifest it does not list), and the registry if it wrote it
    (then closed: Litestream's taking that up is waited for, `registry.sync.replication`)."""
    if not dry_run:
        not_a_replica(db)
    # a registry to make is not made for a catalogue file that cannot be used
    catalogue = None if db.exists() else _catalogue(None, files)
    conn = open_registry(db)
    if dry_run:
        # the run is one transaction, each register a savepoint of it: kept in memory, a
        # savepoint's journal grew slower to write the more the run had changed before it — a
        # second corrected roster of 29,000 rows took 15 s to update, against 0.6 s loaded
        conn.execute("PRAGMA temp_store = FILE")
    run = RUN.set(new_run())  # the list's changes are the run's, as its registers are
    try:
        catalogue = catalogue or _catalogue(conn, files)
        notes = adopt(conn, catalogue, dry_run=dry_run)
        outcomes = sync_entries(
            conn,
            entries,
            catalogue,
            dry_run=dry_run,
            progress=progress.started,
            finished=progress.finished,
            workers=workers,
        )
        delisted = mark_listing(conn, outcomes, beside, dry_run=dry_run)
        wrote = not dry_run and conn.total_changes > 0
    finally:
        RUN.reset(run)
        conn.close()
    return notes, outcomes, delisted, db if wrote else None
