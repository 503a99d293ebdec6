"""``certreg number``: number a roster's rows in roster order and write the numbered copy
(`registry.sync.numbering` plans it)."""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from registry import store
from registry.cli.base import INTERRUPTED, Failed, UsageProblem, cli, stopped_by_sigterm
from registry.cli.kind_choice import KindChoice
from registry.cli.options import db_option, not_a_replica, open_registry, server_path
from registry.domain.clock import beijing_clock, beijing_today
from registry.domain.levels import LEVELS
from registry.domain.numbers import year_code_problem
from registry.domain.os_reasons import reason
from registry.domain.regions import AUTHORITY_CODES, CODES, PROVINCE, region_code
from registry.domain.registers import ROSTER_KINDS, TECHNICIAN_ROSTER
from registry.sheets.errors import UnreadableSheet
from registry.sheets.numbered_copy import CopyNotes, CopyNotNamed
from registry.store.numbering_runs import UnloadedRun
from registry.sync.manifest import ManifestError
from registry.sync.numbering_year import LISTED, THIS_YEAR, unlike_exams, year_code_for
from registry.sync.outcome import operator

if TYPE_CHECKING:
    from registry.sync.numbering import Numbering


@cli.command(name="number")
@click.argument(
    "file", metavar="名册文件", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--kind",
    required=True,
    type=KindChoice(ROSTER_KINDS),
    help="名册种类：approval-roster 审批名册（附件4）或 technician-roster 技师审核名册（附件5）。",
)
@click.option("--authority", required=True, help=f"发证机关代码（{AUTHORITY_CODES}）。")
@click.option("--region", help="编号地区代码（默认同发证机关；技师名册为持证人所在市州）。")
@click.option(
    "--year-code",
    help="本批证书的核发年份代码，两位数字（附件3 二：取核发年份后两位，首批统一为 11）。"
    "默认取同一文件夹（或上层文件夹）中 registers.toml 为编号后副本（或此文件）登记的年份代码"
    "（同步时按它核对）；"
    "未列入时取文件中已有编号的年份代码，没有编号时取今年年份后两位。",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    callback=server_path,
    help="编号后副本的文件名（与原文件同格式）。",
)
@click.option(
    "--again",
    is_flag=True,
    help="此文件此前编过号、编号副本尚未导入时，仍重新编号：编号副本如不再导入，其中的编号将空着不用。",
)
@click.option(
    "--new-registry",
    is_flag=True,
    help="--db 指定的登记库还不存在时，确认在此新建（其中还没有任何证书，编号从 0001 起）。",
)
@db_option
def number_command(
    file: Path,
    kind: str,
    authority: str,
    region: str | None,
    year_code: str | None,
    out: Path,
    again: bool,
    new_registry: bool,
    db: Path,
) -> None:
    """给审批（审核）名册中还没有“颁发证书编号”的行编号，写出编号后的副本。

    名册文件须为 .xlsx 或 .csv（编号副本与原文件同格式）；.xls、.ods 文件请先在 Excel 或 WPS 中另存为 .xlsx。

    按名册顺序、分等级，从登记库（及此前的编号记录、本文件）已用的编号之后逐号编排（§四.(四)、§四.(五)3、附件3）。不能发证的行（考核不合格、发证机关无权核发该等级）会被指出，此时不写出任何文件。副本保留标题、表头和页脚；之后照常用 certreg sync 导入。

    示例：

    \b
        certreg number 2012-mianyang.xlsx --kind approval-roster \\
            --authority 2202 --year-code 12 --out 2012-mianyang-numbered.xlsx
    """
    authority = _code(authority, "--authority")
    region = _code(region, "--region") if region else authority
    _check_number_options(file, kind, authority, region, out)
    if not db.exists() and not new_registry:
        # numbers follow those in use: a mistyped --db would hand out issued ones again
        raise UsageProblem(
            f"登记库 {db} 不存在：编号要接着登记库中已用的编号往下编，登记库不对会重复编号。"
            "请检查 --db（或环境变量 CERTREG_DB）；确是新建的登记库（还没有任何证书）时，"
            "加 --new-registry"
        )
    chosen, source = year_code, ""
    if year_code is None:
        year_code, source = _year_code(file, out, kind)
    if problem := year_code_problem(year_code, beijing_today()):
        raise UsageProblem(problem.replace("year_code", "--year-code"))

    not_a_replica(db)
    conn = open_registry(db)
    try:
        guessed = source == THIS_YEAR
        numbered = _numbered(conn, file, kind, authority, region, (year_code, guessed), out, again)
    except KeyboardInterrupt:  # not click's "已中止。" and the exit status of a refusal
        click.echo("\n编号已中止：没有写出副本，也没有占用任何编号，登记库未作改动。", err=True)
        sys.exit(INTERRUPTED)
    finally:
        conn.close()
    if numbered is None:
        return
    plan, notes = numbered
    if chosen is None:
        click.echo(
            f"核发年份代码：{year_code}（未指定 --year-code，{source}，附件3 二）。"
            "其他年份核发的证书请用 --year-code 指定"
        )
    for first, last, count in plan.ranges().values():
        click.echo(f"{LEVELS[first.letter]}：{first} – {last}，共 {count} 个")
    click.echo(f"已写出编号后的副本：{out}")
    _echo_copy_notes(notes)


def _numbered(
    conn: sqlite3.Connection,
    file: Path,
    kind: str,
    authority: str,
    region: str,
    year: tuple[str, bool],
    out: Path,
    again: bool,
) -> tuple[Numbering, CopyNotes] | None:
    """Number ``file`` into ``out`` and record the run, in one write transaction from reading
    the numbers in use to recording the new ones: a second run at the same time waits, and
    cannot hand out the same numbers again. The copy gets its name once the run is committed:
    a copy exists only with its numbers recorded. The plan and the copy's notes; None when
    every row has its number. ``year``: the year code, and whether it is this year's for want
    of one given (`unlike_exams`)."""
    from registry.sync import numbering, numbering_runs

    year_code, guessed = year
    try:
        with contextlib.ExitStack() as named_after_commit:
            with store.transaction(conn):
                plan = numbering.plan(conn, file, kind, authority, region, year_code)
                if plan.problems:
                    for problem in plan.problems:
                        click.echo(f"{file.name} {problem.describe()}", err=True)
                    raise Failed("以上行不能编号，未写出任何文件。请改正后重新运行")
                if not plan.assigned:
                    if gap := numbering_runs.written_gap(conn, plan):
                        raise Failed(gap)
                    click.echo(f"{file.name} 中所有行都已有证书编号，无需编号")
                    return None
                if guessed and (unlike := unlike_exams(plan.table, year_code)):
                    raise UsageProblem(unlike)
                abandoned = numbering_runs.abandoned_runs(conn, plan)
                if abandoned and not again:
                    raise UsageProblem(_numbered_before(file, abandoned))
                try:
                    with stopped_by_sigterm():  # killed half-way: no hidden partial copy left
                        copy = numbering.write_copy(plan, out)
                        notes = named_after_commit.enter_context(copy)
                except FileExistsError as exc:  # made meanwhile: nothing recorded
                    raise UsageProblem(_exists(out)) from exc
                except OSError as exc:
                    raise UsageProblem(f"无法写出 {out}：{reason(exc)}") from exc
                numbering.record_run(conn, plan, out, kind, authority, operator(), abandoned)
    except UnreadableSheet as exc:
        raise Failed(f"{file.name}：{exc}") from exc
    except CopyNotNamed as exc:  # after its numbers were recorded
        raise Failed(
            f"编号已记录，但编号副本未能命名为 {out}（{exc.reason}）：副本保存在 {exc.path}，"
            "请把它改名为所需的文件名后导入（文件名以“.”开头，在文件管理器中可能需显示隐藏文件）"
        ) from exc
    return plan, notes


def _year_code(file: Path, out: Path, kind: str) -> tuple[str, str]:
    """The year code ``file``'s numbers take without --year-code, and where it comes from: the
    manifest that lists the copy (or the file), else the numbers the file already carries."""
    from registry.sync import numbering_runs

    try:
        year_code, source = year_code_for(file, out)
    except ManifestError as exc:
        raise UsageProblem(str(exc)) from exc
    if not source.startswith(LISTED):  # listed nowhere: the numbers it carries tell
        with contextlib.suppress(UnreadableSheet):  # (the plan names what is wrong)
            if written := numbering_runs.written_year_code(file, kind):
                return written, "取文件中已有编号的年份代码"
    return year_code, source


def _numbered_before(file: Path, runs: list[UnloadedRun]) -> str:
    """Why numbering ``file`` again needs --again: the numbers its copy shows would be lost."""
    spans = "、".join(r.first if r.first == r.last else f"{r.first} – {r.last}" for r in runs)
    return (
        f"{file.name} 已于 {beijing_clock(runs[-1].at)} 编过号（{spans}），编号副本 "
        f"{Path(runs[-1].out).name} 尚未导入登记库。请直接改正编号副本中的问题，再用 certreg sync "
        "导入它；重新编号会另编新号，编号副本如不再导入，其中的编号将空着不用（附件3 四："
        "依次顺序取值）。确需重新编号，请加 --again"
    )


def _exists(out: Path) -> str:
    return (
        f"--out 指定的文件 {out} 已存在：编号副本不覆盖已有的文件（它可能是另一份名册，"
        "或尚未导入的编号副本）。请换一个文件名，或先把它移走"
    )


def _code(written: str, option: str) -> str:
    """A region or authority as typed — 2202, ２２０２, 绵阳市, 省厅 — as its code (as sync reads it)."""
    code = region_code(written)
    if code is None:
        raise UsageProblem(f"{option} “{written.strip()}” 不是附件3规定的地区代码（{CODES}）")
    return code


def _check_number_options(file: Path, kind: str, authority: str, region: str, out: Path) -> None:
    """`UsageProblem` for options that cannot number ``file`` into ``out``."""
    if kind == TECHNICIAN_ROSTER and authority != PROVINCE:
        raise UsageProblem(
            f"技师审核名册（附件5）的证书由省厅核发（§三）：--authority 应为 2200，不是 {authority}；"
            "--region 写名册所属市（州）的代码，如 --region 2202"
        )
    try:
        same, taken = out.resolve() == file.resolve(), out.exists() or out.is_symlink()
    except OSError as exc:  # a name too long for the file system, say
        raise UsageProblem(
            f"--out 的文件名不能使用（{reason(exc)}）：请换一个短一些的文件名"
        ) from exc
    if same:
        raise UsageProblem("--out 不能与原文件相同：请写到新文件，原名册保持不变")
    if taken:
        raise UsageProblem(_exists(out))
    if not out.parent.is_dir():
        raise UsageProblem(
            f"--out 所在的文件夹 {out.parent} 不存在：请先建好该文件夹，或换一个位置"
        )
    if file.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageProblem(
            f"certreg number 只处理 .xlsx 和 .csv 文件（编号副本与原文件同格式），{file.name} 是 "
            f"{file.suffix.lower() + ' ' if file.suffix else '无扩展名的'}文件：请在 Excel 或 WPS 中把它另存为 .xlsx"
            f"（Excel 工作簿），再对 {file.stem}.xlsx 运行 certreg number"
        )
    if out.suffix.lower() != file.suffix.lower():  # a CSV's text written into an .xlsx
        raise UsageProblem(
            f"--out 应与原名册同为 {file.suffix.lower()} 文件：副本保留原文件的格式，"
            f"如 --out {file.stem}-编号后{file.suffix}"
        )


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
