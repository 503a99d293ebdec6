"""What a clerk and an administrator read: a rejected register that does not flood the terminal,
advice that anticipates the next failure, file and manifest advice about files and manifests,
a demo that names the busy port, numbering that says which year code it took, and trades an
administrator adds without copying the catalogue."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import shutil
import socket
import sqlite3
import tempfile
from pathlib import Path
from typing import Any
from unicodedata import east_asian_width

import openpyxl
import pytest
from click.testing import CliRunner

from registry import store
from registry.cli import cli
from registry.cli.progress import Progress
from registry.domain.registers import STATUS_CHANGES, kind_code
from registry.kinds import KINDS, LAYOUTS
from registry.sheets.writers import write_csv
from registry.sync.manifest import ManifestError, make_entry
from registry.sync.outcome import REJECTED, UNCHANGED, Outcome
from registry.sync.problem_lists import PROBLEM_LISTS
from tests.blank_registers import requisition
from tests.datasette_fixtures import SAMPLES
from tests.registers import (
    MIANYANG,
    TECHNICIANS,
    RegisterFactory,
    approval_row,
    footer,
    numbered_name,
    registry_dump,
    status_event,
    technician_row,
)

LEVELS = {"C": "初级", "Z": "中级", "G": "高级"}
ROWS = 3 * 9_999
"""As many rows as a city's approval roster can number: 9,999 per level (附件3 四)."""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def number_mianyang(path: Path, out: Path, db: Path, *extra: str) -> tuple[int, str]:
    """``certreg number`` of a 绵阳 approval roster, as a clerk types it, against a registry
    (empty when the test has loaded nothing)."""
    store.connect(db).close()
    return run(
        "number", str(path), "--kind", "approval-roster", "--authority", "2202",
        "--out", str(out), "--db", str(db), *extra,
    )  # fmt: skip


def test_one_systematic_fault_in_a_huge_register_is_one_summary_line(tmp_path: Path) -> None:
    registers = RegisterFactory(tmp_path / "registers")
    rows = [
        approval_row(
            f"{letter}112202{seq:04d}", numbered_name("持证人", seq), level, 报考工种="驾校"
        )
        for letter, level in LEVELS.items()
        for seq in range(1, 10_000)
    ]
    write_csv(registers.folder / "big.csv", LAYOUTS["approval-roster"], rows)
    registers.entries["big.csv"] = MIANYANG
    registers.write_manifest()
    db = tmp_path / "registry.db"

    code, output = run("sync", str(registers.folder), "--db", str(db))
    assert code == 1
    assert len(output.splitlines()) == 6, output  # the registry used, then five lines
    assert output.startswith(f"登记库：{db.resolve()}（新建）\n")  # run elsewhere, another one
    assert f"：{ROWS:,} 个问题" in output
    assert (
        f"{ROWS:,} 处（第3行、第4行、第5行、第6行、第7行等），如第3行「报考工种」“驾校”" in output
    )
    listed = registers.folder / "big.csv.问题清单.csv"
    assert f"全部 {ROWS:,} 个问题已写入 {listed}（加 --all 可在此全部列出）" in output
    with listed.open(encoding="utf-8-sig", newline="") as handle:
        listed_rows = list(csv.reader(handle))
    assert listed_rows[0] == ["文件", "行", "列", "值", "问题", "依据"]
    assert [row[1:4] for row in listed_rows[1:3]] == [
        ["3", "报考工种", "驾校"],
        ["4", "报考工种", "驾校"],
    ]
    assert len(listed_rows) == ROWS + 1

    code, everything = run("sync", str(registers.folder), "--db", str(db), "--all")
    assert code == 1
    assert sum(1 for line in everything.splitlines() if "「报考工种」" in line) == ROWS


def refused_with_footer(registers: RegisterFactory, db: Path, numbers: int) -> str:
    """The report on a 绵阳 roster of ``numbers`` rows whose second failed its theory exam, under
    a footer that approves 2 中级."""
    rows = [
        approval_row(f"Z112202000{i + 1}", name) for i, name in enumerate("周杰 郑浩 吴敏".split())
    ]
    rows[1]["技术业务理论"] = 52
    registers.add("mianyang.csv", rows[:numbers], MIANYANG, footer=footer({"Z": 2}))
    code, output = run("sync", str(registers.folder), "--db", str(db))
    assert code == 1
    return output


def test_a_failing_row_says_what_the_footer_must_then_say(
    registers: RegisterFactory, db_path: Path
) -> None:
    output = refused_with_footer(registers, db_path, 2)
    assert (
        "mianyang.csv 第5行「技术业务理论」“52”：分数 52 低于 60 分，不合格，不能发证。"
        "删除此行，并把页脚“同意中级 2 人”改为 1 人（§二、§四.(六)1）"
    ) in output


@pytest.mark.parametrize("score", ["七十八", "较好"])
def test_an_unreadable_score_is_to_be_rewritten_not_its_row_removed(
    registers: RegisterFactory, db_path: Path, score: str
) -> None:
    """A pass written in Chinese numerals was advised like a failure: delete the row, change
    the footer, renumber the rest — for a holder who passed."""
    rows = [approval_row("Z1122020001", "周杰"), approval_row("Z1122020002", "郑浩")]
    rows[1]["技术业务理论"] = score
    registers.add("mianyang.csv", rows, MIANYANG, footer=footer({"Z": 2}))
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    assert code == 1 and f"第5行「技术业务理论」“{score}”" in output
    assert "删除此行" not in output and "§二" not in output


def test_a_footer_that_left_the_failing_row_out_is_not_to_be_changed(
    registers: RegisterFactory, db_path: Path
) -> None:
    """The approving office already counted 2, leaving out the row that failed: removing it
    is all there is to do — and the later row's number then moves up one."""
    output = refused_with_footer(registers, db_path, 3)
    assert (
        "第5行「技术业务理论」“52”：分数 52 低于 60 分，不合格，不能发证。"
        "删除此行（页脚“同意中级 2 人”已不含此人，不用改）；"
        "按附件3 四，其后同一等级各行的编号须依次前移、不能跳号（§二、§四.(六)1）"
    ) in output
    assert "名册中实有" not in output  # no footer problem of its own


def test_a_new_version_failing_an_issued_holder_advises_a_revocation(
    registers: RegisterFactory, db_path: Path
) -> None:
    """Deleting the row, as a first load is advised, would leave the certificate valid (a
    conflict, kept) and shifting the later numbers would alter issued ones: the certificate is
    revoked instead (§五.(三))."""
    rows = [approval_row(f"Z112202000{i}", n) for i, n in enumerate(("周杰", "郑浩", "吴敏"), 1)]
    registers.add("mianyang.csv", rows, MIANYANG, footer=footer({"Z": 3}))
    assert run("sync", str(registers.folder), "--db", str(db_path))[0] == 0
    rows[1]["技术业务理论"] = 52
    registers.add("mianyang.csv", rows, MIANYANG, footer=footer({"Z": 2}))
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    assert code == 1
    assert (
        "第5行「技术业务理论」“52”：分数 52 低于 60 分，不合格，不能发证。此证书已随本名册登记发证，"
        "不能从名册中删去" in output
    )
    assert "请在换发、补发、撤销登记表中登记撤销（§五.(三)）" in output
    assert "删除此行" not in output and "依次前移" not in output
    registers.add(  # the revocation advised: the advice is no longer to revoke
        "changes.csv",
        [status_event("撤销", "Z1122020002", "郑浩", "2013-01-15", 原因="考核不合格")],
        {"kind": "status-changes", "authority": "2202"},
    )
    assert (
        "changes.csv［换发、补发、撤销登记表］已导入"
        in run("sync", str(registers.folder), "--db", str(db_path))[1]
    )
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    assert code == 1
    assert "此证书已于 2013-01-15 撤销（§五.(三)），查验结果为已撤销" in output
    assert "此行请恢复为原来登记的考核结果后重新导入" in output
    assert "请在换发、补发、撤销登记表中登记撤销" not in output


def test_a_new_version_withholding_an_issued_holder_advises_a_revocation(
    registers: RegisterFactory, db_path: Path
) -> None:
    """已调离，不发证 written in a loaded roster's new version: deleting the row would leave the
    certificate valid, so the clerk is told to revoke it and restore the remark."""
    rows = [approval_row(f"Z112202000{i}", n) for i, n in enumerate(("周杰", "郑浩"), 1)]
    registers.add("mianyang.csv", rows, MIANYANG)
    assert run("sync", str(registers.folder), "--db", str(db_path))[0] == 0
    rows[1]["备注"] = "已调离，不发证"
    registers.add("mianyang.csv", rows, MIANYANG)
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    assert code == 1 and "备注写明“不发证”" in output
    assert "如该持证人确实不应发证，请在换发、补发、撤销登记表中登记撤销（§五.(三)）" in output
    assert "请恢复为原来登记的备注后重新导入" in output and "删除此行" not in output


def test_a_new_version_withholding_an_issued_holder_in_a_column_not_read(
    registers: RegisterFactory, db_path: Path
) -> None:
    """审核意见 is not loaded: there is nothing registered to restore, only the remark to drop."""
    rows = [approval_row(f"Z112202000{i}", n) for i, n in enumerate(("周杰", "郑浩"), 1)]
    path = registers.add("mianyang.xlsx", rows, MIANYANG)
    assert run("sync", str(registers.folder), "--db", str(db_path))[0] == 0
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    sheet.cell(2, sheet.max_column + 1).value = "审核意见"
    sheet.cell(5, sheet.max_column).value = "资料不全，暂缓发证"
    workbook.save(path)
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    assert code == 1 and "请在换发、补发、撤销登记表中登记撤销（§五.(三)）" in output
    assert "请删去本行“审核意见”栏中的这条意见后重新导入" in output
    assert "恢复为原来登记的审核意见" not in output


def test_a_new_version_adds_after_an_issued_number_it_leaves_out(
    registers: RegisterFactory, db_path: Path
) -> None:
    """吴敏 (Z1122020003) is left out of the new version — kept, as a conflict — and 孙新 added
    as Z1122020004. Told "跳号, should be Z1122020003", the clerk could only have given him 吴敏's
    issued number."""
    rows = [approval_row(f"Z112202000{i}", n) for i, n in enumerate(("周杰", "郑浩", "吴敏"), 1)]
    registers.add("mianyang.csv", rows, MIANYANG)
    assert run("sync", str(registers.folder), "--db", str(db_path))[0] == 0
    registers.add("mianyang.csv", [*rows[:2], approval_row("Z1122020004", "孙新")], MIANYANG)
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    assert code == 0, output
    assert "跳号" not in output and "Z1122020003" in output  # the conflict, said


def test_many_certificates_left_out_of_a_new_version_are_summed_up(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A new version without 9,000 of its certificates printed 9,000 conflict lines: past 20,
    one line per rule, as problems are, and the full list in a file."""
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红飞鹏"
    rows = [approval_row(f"Z112202{i:04d}", "张" + g) for i, g in enumerate(given, 1)]
    registers.add("mianyang.csv", rows, MIANYANG)
    assert run("sync", str(registers.folder), "--db", str(db_path))[0] == 0
    registers.add("mianyang.csv", rows[:5], MIANYANG)
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    assert code == 0, output
    assert "⚠ 25 个冲突（证书未删除，请核对）：" in output
    assert output.count("新版本名册中没有此证书") == 1  # one line for the rule, not one each
    assert "25 处，如" in output and "新版本名册中没有此证书（原第" in output
    listed = registers.folder / f"mianyang.csv{PROBLEM_LISTS}"
    assert f"全部 25 个冲突已写入 {listed}" in output
    assert "Z1122020030" in listed.read_text(encoding="utf-8-sig")


def test_a_loaded_registers_conflict_list_outlives_the_nights_that_read_nothing_new(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A scheduled run (--brief) named the file listing a version's conflicts; the next night's
    run, the register unchanged, deleted it — the conflicts stood, listed nowhere in the folder.
    Restored after a refused version, though, the list beside it is the refused one's."""
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红飞鹏"
    rows = [approval_row(f"Z112202{i:04d}", "张" + g) for i, g in enumerate(given, 1)]
    registers.add("mianyang.csv", rows, MIANYANG)
    assert run("sync", str(registers.folder), "--db", str(db_path))[0] == 0
    registers.add("mianyang.csv", rows[:5], MIANYANG)
    listed = registers.folder / f"mianyang.csv{PROBLEM_LISTS}"
    assert run("sync", str(registers.folder), "--db", str(db_path), "--brief")[0] == 0
    assert "Z1122020030" in listed.read_text(encoding="utf-8-sig")
    code, output = run("sync", str(registers.folder), "--db", str(db_path), "--brief")
    assert code == 0 and "未变" in output, output
    assert "Z1122020030" in listed.read_text(encoding="utf-8-sig")

    registers.add(
        "mianyang.csv", [*rows[:5], approval_row("Z1122020040", "张伟", 性别="M")], MIANYANG
    )
    assert run("sync", str(registers.folder), "--db", str(db_path), "--brief")[0] == 1
    assert "Z1122020040" in listed.read_text(encoding="utf-8-sig")
    registers.add("mianyang.csv", rows[:5], MIANYANG)  # the loaded version, put back
    code, output = run("sync", str(registers.folder), "--db", str(db_path), "--brief")
    assert code == 0 and not listed.exists(), output


@pytest.mark.parametrize(
    ("rows", "told"),
    [
        (  # the file gives it twice
            [("Z1122020002", "郑浩"), ("Z1122020002", "吴敏")],
            "second.csv 第5行「颁发证书编号」“Z1122020002”：与本文件第4行的编号重复；"
            "下一个可用的中级工编号是 Z1122020003（或用 certreg number 重新编号）（附件3）",
        ),
        (  # the registry gives it to another holder
            [("Z1122020001", "吴敏")],
            "second.csv 第4行「颁发证书编号」“Z1122020001”：该编号已由名册“first.csv”登记给另一持证人，"
            "编号不能重复使用；下一个可用的中级工编号是 Z1122020002（或用 certreg number 重新编号）",
        ),
    ],
    ids=["in the file", "in the registry"],
)
def test_a_number_given_twice_names_the_next_free_one(
    registers: RegisterFactory, db_path: Path, rows: list[tuple[str, str]], told: str
) -> None:
    registers.add("first.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    assert run("sync", str(registers.folder), "--db", str(db_path))[0] == 0
    registers.add("second.csv", [approval_row(*row) for row in rows], MIANYANG)
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    assert code == 1
    assert told in output


def test_a_registered_number_on_a_row_with_other_problems_is_not_called_anothers(
    registers: RegisterFactory, db_path: Path
) -> None:
    """The same holder's row, saved under a new file name with a failing score too, was told the
    number was another holder's and given the next free one: renumbering the same person."""
    registers.add("first.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    assert run("sync", str(registers.folder), "--db", str(db_path))[0] == 0
    registers.add("second.csv", [approval_row("Z1122020001", "周杰", 技术业务理论=52)], MIANYANG)
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    assert code == 1
    [line] = [line for line in output.splitlines() if "「颁发证书编号」" in line]
    assert "本行若与该名册所列是同一人" in line and "（附件3）" in line
    assert "另一持证人" not in line and "下一个可用" not in line


def test_a_missing_file_gets_advice_about_files(registers: RegisterFactory, db_path: Path) -> None:
    registers.entries["missing.xlsx"] = MIANYANG
    registers.write_manifest()
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    assert code == 1
    assert (
        "missing.xlsx 整个文件：找不到此文件。请核对 registers.toml 中的 file 与文件名是否一致"
        "（包括扩展名），或把文件放回该文件夹"
    ) in output
    assert "No such file" not in output and "行号和列名" not in output
    # … and the refused attempt is in the history staff read, as any refusal is
    conn = sqlite3.connect(db_path)
    [(outcome, problems)] = conn.execute(
        "SELECT outcome, problems FROM syncs WHERE register = 'missing.xlsx'"
    ).fetchall()
    [rule] = conn.execute("SELECT rule FROM problems").fetchall()
    conn.close()
    assert (outcome, problems) == ("rejected", 1) and rule[0].startswith("找不到此文件")


def test_certreg_number_without_year_code_takes_the_manifests_and_says_so(
    registers: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """The year code sync will hold the numbers to: the file's entry in registers.toml (11
    here, not this year's); a file listed nowhere gets this year's, in Beijing."""
    path = registers.add("new.csv", [approval_row("", "周杰")], MIANYANG)
    listed = tmp_path / "listed.csv"
    code, output = number_mianyang(path, listed, db_path)
    assert code == 0, output
    assert "核发年份代码：11（未指定 --year-code，取 registers.toml 中 new.csv 的年份代码" in output
    assert "中级工：Z1122020001 – Z1122020001，共 1 个" in output
    numbered = registers.folder / "new-numbered.csv"
    shutil.copy(listed, numbered)
    registers.entries["new-numbered.csv"] = registers.entries.pop("new.csv")
    registers.write_manifest()
    path.unlink()
    assert run("sync", str(registers.folder), "--db", str(db_path))[0] == 0  # as numbered

    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(listed, alone / "next.csv")
    unlisted = (
        (alone / "next.csv")
        .read_text(encoding="utf-8")
        .replace("Z1122020001", "")
        .replace("周杰", "郑浩")  # 周杰 holds his 中级 already (§二)
    )
    # examined in 2011 and numbered today: this year's code is not its year (a clerk's review)
    (alone / "next.csv").write_text(unlisted, encoding="utf-8")
    code, output = number_mianyang(alone / "next.csv", tmp_path / "alone.csv", db_path)
    year = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).year
    assert (
        code == 2
        and f"年份代码取了今年的 {year % 100:02d}，但名册的报考年度最晚是 2011 年" in output
    )
    assert "--year-code 11、--year-code 12" in output and not (tmp_path / "alone.csv").exists()
    # examined before the first batch, or in no year at all (a hostile review): nothing guessed,
    # and no code below the first batch's 11 suggested
    for exam, said in (
        ("2009", "--year-code 11、--year-code 12"),
        ("2999", "读不出一个合理的年份"),
    ):
        (alone / "next.csv").write_text(unlisted.replace(",2011,", f",{exam},"), encoding="utf-8")
        code, output = number_mianyang(alone / "next.csv", tmp_path / "alone.csv", db_path)
        assert code == 2 and said in output and "--year-code 09" not in output, output
    # examined this year: this year's code, said
    (alone / "next.csv").write_text(unlisted.replace(",2011,", f",{year},"), encoding="utf-8")
    code, output = number_mianyang(alone / "next.csv", tmp_path / "alone.csv", db_path)
    assert code == 0, output
    assert (
        f"核发年份代码：{year % 100:02d}（未指定 --year-code，取今年（北京时间）年份后两位"
        in output
    )


@pytest.mark.parametrize("folder", ["", "2012/"])
def test_certreg_number_takes_the_year_code_listed_for_the_numbered_copy(
    registers: RegisterFactory, db_path: Path, folder: str
) -> None:
    """The manifest lists the file sync will load — the numbered copy, under --out — before it
    exists, beside it or above it (file = "2012/…"): its year code (12 here), not this year's."""
    if folder:
        (registers.folder / folder).mkdir()
    path = registers.add(f"{folder}plan.csv", [approval_row("", "周杰")], MIANYANG)
    registers.entries[f"{folder}plan-numbered.csv"] = {
        **registers.entries.pop(f"{folder}plan.csv"),
        "year_code": "12",
    }
    registers.write_manifest()
    code, output = number_mianyang(path, path.parent / "plan-numbered.csv", db_path)
    assert code == 0, output
    assert (
        "核发年份代码：12（未指定 --year-code，取 registers.toml 中 plan-numbered.csv 的年份代码"
        in output
    )


def test_certreg_number_does_not_guess_past_a_broken_manifest(
    registers: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    path = registers.add("new.csv", [approval_row("", "周杰")], MIANYANG)
    registers.extra_manifest = 'year_cod = "11"\n'
    registers.write_manifest()
    out = tmp_path / "out.csv"
    code, output = number_mianyang(path, out, db_path)
    assert code == 2, output
    assert "未指定 --year-code 时按 registers.toml 中此文件的年份代码编号：请先改正" in output
    assert not out.exists()


def test_certreg_demo_names_the_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, output = run("demo", "--port", str(port), "--browse-port", str(port + 1))
    assert code == 2
    assert f"端口 {port} 已被占用（公众查验要用它）" in output
    assert "--port" in output and "密码" not in output


def test_certreg_demo_names_a_host_that_is_not_this_machines(tmp_path: Path) -> None:
    """--host of another machine: the demo started both servers, which failed in English."""
    code, output = run("demo", "--host", "192.0.2.1")
    assert code == 2 and "--host 应是本机的一个 IP 地址" in output, output
    assert "密码" not in output  # stopped before anything was made


BOILER = approval_row("Z1122020001", "周杰", 报考工种="锅炉水处理工")


@pytest.mark.parametrize("where", ["option", "manifest"])
def test_trades_extra_adds_to_the_catalogue(
    registers: RegisterFactory, db_path: Path, tmp_path: Path, where: str
) -> None:
    registers.add("boiler.csv", [BOILER], MIANYANG)
    store.connect(db_path).close()
    before = registry_dump(db_path)
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    assert code == 1 and "锅炉水处理工" in output and "不在登记库所用的工种目录中" in output
    assert registry_dump(db_path) == before

    extra = registers.folder / "local-trades.csv"
    extra.write_text("工种,代码,别名\n锅炉水处理工,6-28-01-09,炉水处理\n", encoding="utf-8")
    if where == "manifest":
        registers.extra_manifest = 'trades_extra = "local-trades.csv"'
        registers.write_manifest()
        code, output = run("sync", str(registers.folder), "--db", str(db_path))
    else:
        code, output = run(
            "sync", str(registers.folder), "--db", str(db_path), "--trades-extra", str(extra)
        )
    assert code == 0, output
    # the catalogue beside the registers is no register the manifest forgot, however given
    assert "没有列入 registers.toml" not in output
    # the built-in list is still there: the alias 锅炉工 still resolves; and the registry
    # keeps the addition: a later sync naming no catalogue (the scheduled one) takes 炉水处理
    registers.extra_manifest = ""
    more = [
        approval_row("Z1122020002", "郑浩", 报考工种="锅炉工"),
        approval_row("Z1122020003", "王芳", 报考工种="炉水处理"),
    ]
    registers.add("more.csv", more, MIANYANG)
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    assert code == 0, output
    assert "工种目录" not in output  # the one it holds, not replaced
    trades = sqlite3.connect(db_path).execute("SELECT trade FROM certificates ORDER BY number")
    assert trades.fetchall() == [("锅炉水处理工",), ("锅炉操作工",), ("锅炉水处理工",)]
    kept = sqlite3.connect(db_path).execute(
        "SELECT code FROM trades WHERE spelling = '锅炉水处理工'"
    )
    assert kept.fetchone() == ("6-28-01-09",)  # its code kept with it


def test_an_alias_that_clashes_with_the_catalogue_is_a_usage_error(
    registers: RegisterFactory, db_path: Path
) -> None:
    registers.add("boiler.csv", [BOILER], MIANYANG)
    extra = registers.folder / "local-trades.csv"
    extra.write_text("工种,代码,别名\n锅炉水处理工,,电工\n", encoding="utf-8")
    code, output = run(
        "sync", str(registers.folder), "--db", str(db_path), "--trades-extra", str(extra)
    )
    assert code == 2
    assert "“电工”同时对应“电工”和“锅炉水处理工”" in output


@pytest.mark.parametrize(
    "args, words",
    [
        (["sync", "nosuch.xlsx"], "路径“nosuch.xlsx”不存在"),
        (["sync", "--dryrun", "."], "没有选项 --dryrun。 是否想用“--dry-run”？"),
        (["synch"], "没有命令 synch。 是否想用“sync”？"),  # as a mistyped option is asked
        (["snyc", "."], "没有命令 snyc。 是否想用“sync”？"),
        (["frobnicate"], "没有命令 frobnicate。\n"),  # nothing like it: nothing asked
        (["sync", ".", "--kind", "roster"], "“roster”不是可选的值"),
        (["keys", "add", "某单位"], "缺少选项“--per-day”。"),
        (["sync"], "缺少参数“路径”。"),
        (["verify", "Z1122020123"], "缺少参数“姓名”。"),
        (["keys", "revoke"], "缺少参数“密钥编号”。"),
    ],
)
def test_a_mistyped_command_is_answered_in_chinese(args: list[str], words: str) -> None:
    """Click's own messages too: the clerk reads 错误：… and how to get help, never English."""
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert (
        words in result.output and "错误：" in result.output and "--help 查看用法" in result.output
    )
    assert not re.search(r"Error|Usage|Try |Invalid|Missing|No such|'", result.output), (
        result.output
    )


def test_a_path_typed_with_quotes_is_named_as_typed() -> None:
    """Click's ASCII quotes were rewritten in the whole message, the clerk's own path too:
    绵阳 'new' 名册.xlsx came back as 绵阳“new”名册.xlsx, and could not be copied back."""
    result = CliRunner().invoke(cli, ["sync", "绵阳 'new' 名册.xlsx"])
    assert result.exit_code == 2
    assert "路径“绵阳 'new' 名册.xlsx”不存在" in result.output, result.output


@pytest.mark.parametrize(
    "options, words",
    [
        (["--kind", "approval-roster", "--authority", "2202"], "缺少 --approval-doc"),
        (
            [
                "--kind",
                "approval-roster",
                "--authority",
                "2202",
                "--approval-doc",
                "绵人社函〔2012〕8号",
                "--issued-on",
                "2012-13-01",
            ],
            "--issued-on 日期不存在",
        ),
        (["--authority", "2202"], "单个文件需要 --kind"),
        (["--authority", "2202"], "例如：certreg sync "),
        # every option the kind needs at once: a clerk added them one run at a time
        (
            ["--kind", "approval-roster"],
            "缺少 --authority（发证机关代码，如 2200 省厅、2202 绵阳市）、--approval-doc（"
            "批准合格人员的文件文号，§四.(三)）、--issued-on（",
        ),
        (
            ["--kind", "status-changes"],
            "缺少 --authority（发证机关代码，如 2200 省厅、2202 绵阳市）\n",
        ),
    ],
)
def test_a_single_files_options_are_named_as_typed(
    tmp_path: Path, options: list[str], words: str
) -> None:
    """The options the clerk typed, not the registers.toml keys they stand for."""
    path = tmp_path / "one.csv"
    path.write_text("姓名\n周杰\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["sync", str(path), "--db", str(tmp_path / "r.db"), *options])
    assert result.exit_code == 2 and words in result.output, result.output
    assert "approval_doc" not in result.output and "issued_on" not in result.output


def test_each_problem_cites_one_clause_at_its_end(tmp_path: Path) -> None:
    """A rule that named another clause in its last parentheses read as two citations:
    “…应办理补发（§四.(六)3）（§四.(六)2）”."""
    registers = RegisterFactory(tmp_path / "registers")
    registers.add("m.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    db = tmp_path / "registry.db"
    assert run("sync", str(registers.folder), "--db", str(db))[0] == 0
    registers.add("m.csv", [approval_row("Z1122020001", "李四")], MIANYANG)
    exchange = status_event("换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020002", 原因="遗失")
    registers.add("changes.csv", [exchange], {"kind": "status-changes", "authority": "2202"})
    revoke = status_event("撤销", "Z1122020001", "周杰", "二〇一二年九月十日")
    registers.add("more-changes.csv", [revoke], {"kind": "status-changes", "authority": "2202"})
    wanted = {**requisition("绵阳市示例医院", 1, 0, 0, 0), "初级": "三"}
    registers.add("requisitions.csv", [wanted], {"kind": "requisitions", "authority": "2200"})
    code, output = run("sync", str(registers.folder), "--db", str(db))
    assert code == 1
    for needle in ("收回旧证换发新证", "办理补发", "阿拉伯数字", "汉字数字"):
        assert needle in output, needle
    assert not re.search(r"（(§|附件)[^（）]*）（(§|附件)", output), output


def test_csv_rows_are_named_by_their_line_and_excels_row_past_a_cell_on_two_lines(
    registers: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """A CSV's rows are named by the physical line they start on, as the contract says: a
    quoted cell spanning two lines moves the rows after it one line down — and the row Excel
    (what clerks open it in) shows them in is said beside it; numbering fills those rows."""
    two_lines = {"原岗位证书号（未获工种年限）": "第一行\n第二行"}
    path = registers.add(
        "new.csv",
        [approval_row("", "周杰", **two_lines), approval_row("", "郑浩", 报考等级="特级")],
        MIANYANG,
    )
    code, output = run("sync", str(path.parent), "--db", str(db_path))
    assert code == 1
    assert "new.csv 第4行「原岗位证书号（未获工种年限）」“第一行<换行>第二行”" in output
    assert "new.csv 第6行（用 Excel 打开是第5行）「报考等级」“特级”" in output

    registers.add(
        "new.csv", [approval_row("", "周杰", **two_lines), approval_row("", "郑浩")], MIANYANG
    )
    out = tmp_path / "numbered.csv"
    code, output = number_mianyang(path, out, db_path, "--year-code", "11")
    assert code == 0, output
    numbered = list(csv.reader(out.read_text(encoding="utf-8").splitlines(keepends=True)))
    assert [(row[0], row[-1]) for row in numbered[3:]] == [
        ("周杰", "Z1122020001"),
        ("郑浩", "Z1122020002"),
    ]


def test_a_register_refused_again_unchanged_is_recorded_once_and_the_registry_untouched(
    registers: RegisterFactory, db_path: Path
) -> None:
    """The scheduled sync meets a refused register on every run until the clerk mends it: the
    report repeats, the history does not (nor the registry file, which replicas copy whole)."""
    path = registers.add(
        "new.csv", [approval_row("Z1122020001", "周杰", 报考等级="特级")], MIANYANG
    )
    assert run("sync", str(path.parent), "--db", str(db_path))[0] == 1
    files = {p.name: p.read_bytes() for p in db_path.parent.glob("registry.db*")}
    code, output = run("sync", str(path.parent), "--db", str(db_path))
    assert code == 1
    assert "已拒绝，登记库未作任何改动：1 个问题（与上次同一文件、同样的问题" in output
    assert "new.csv 第4行「报考等级」“特级”" in output  # the clerk still reads what to mend
    assert {p.name: p.read_bytes() for p in db_path.parent.glob("registry.db*")} == files

    registers.add("new.csv", [approval_row("Z1122020001", "周杰", 报考等级="特等")], MIANYANG)
    code, output = run("sync", str(path.parent), "--db", str(db_path))
    assert code == 1 and "同样的问题" not in output
    conn = store.connect(db_path, readonly=True)
    try:
        history = conn.execute(
            "SELECT s.outcome, p.value FROM syncs s JOIN problems p ON p.sync = s.id ORDER BY s.id"
        ).fetchall()
    finally:
        conn.close()
    assert history == [("rejected", "特级"), ("rejected", "特等")]


def test_a_refused_register_tried_again_by_someone_else_is_recorded_with_who_and_when(
    registers: RegisterFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """李四 synced the refused files again by hand: told 未重复记录, the history kept only the
    scheduled sync's first refusal — nothing showed that 李四 tried, or when (an auditor's
    review). Another person's attempt is recorded; the same one's again is not."""
    monkeypatch.delenv("CERTREG_OPERATOR", raising=False)
    path = registers.add(
        "new.csv", [approval_row("Z1122020001", "周杰", 报考等级="特级")], MIANYANG
    )
    assert run("sync", str(path.parent), "--db", str(db_path))[0] == 1
    monkeypatch.setenv("CERTREG_OPERATOR", "李四")
    code, output = run("sync", str(path.parent), "--db", str(db_path))
    assert code == 1 and "同样的问题" not in output
    files = {p.name: p.read_bytes() for p in db_path.parent.glob("registry.db*")}
    code, output = run("sync", str(path.parent), "--db", str(db_path))
    assert code == 1 and "（与上次同一文件、同样的问题" in output  # 李四 again: recorded once
    assert {p.name: p.read_bytes() for p in db_path.parent.glob("registry.db*")} == files
    conn = store.connect(db_path, readonly=True)
    try:
        history = conn.execute(
            "SELECT s.operator, p.value FROM syncs s JOIN problems p ON p.sync = s.id ORDER BY s.id"
        ).fetchall()
    finally:
        conn.close()
    assert [(value, who.startswith("李四（")) for who, value in history] == [
        ("特级", False),
        ("特级", True),
    ]


def test_problem_lists_of_two_registers_of_one_name_stay_apart_beside_the_registry(
    registers: RegisterFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2012/a.csv and 2013/a.csv, both refused where their folders are read-only: each list is
    named by its register's key in the registry's folder, neither overwriting the other."""
    rows = [
        approval_row(f"Z112202{i:04d}", f"持证人{chr(0x4E00 + i)}", 报考工种="驾校")
        for i in range(1, 31)
    ]
    for year in ("2012", "2013"):
        (registers.folder / year).mkdir()
        registers.add(f"{year}/a.csv", rows, MIANYANG)
    data = tmp_path / "data"
    data.mkdir()
    refused = tempfile.NamedTemporaryFile

    def read_only_registers(*args: Any, **kwargs: Any) -> Any:
        if Path(kwargs.get("dir", "")).parent == registers.folder:
            raise OSError(30, "Read-only file system")
        return refused(*args, **kwargs)

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", read_only_registers)
    code, output = run("sync", str(registers.folder), "--db", str(data / "registry.db"))
    assert code == 1, output
    for year in ("2012", "2013"):
        listed = data / f"{year}_a.csv.问题清单.csv"
        assert f"全部 30 个问题已写入 {listed}" in output
        assert f"{year}/a.csv" in listed.read_text(encoding="utf-8-sig")


def test_a_brief_report_keeps_the_cells_out_of_a_system_log(
    registers: RegisterFactory, db_path: Path
) -> None:
    """The scheduled sync's report goes to the journal, which must not keep holders' names: the
    problems quote their cells (a twice-listed holder's name), so ``--brief`` leaves them out
    and writes every one beside the register, however few, where the clerk looks."""
    rows = [approval_row("Z1122020001", "欧阳独特"), approval_row("Z1122020002", "欧阳独特")]
    registers.add("m.csv", rows, MIANYANG)
    code, output = run("sync", str(registers.folder), "--db", str(db_path), "--brief")
    listed = registers.folder / "m.csv.问题清单.csv"
    assert code == 1 and "m.csv［审批名册（附件4）］已拒绝" in output
    assert f"全部 1 个问题已写入 {listed}（去掉 --brief 可在此列出）" in output
    assert "欧阳" not in output and "第4行" not in output
    assert "请按名册旁的 <文件>.问题清单.csv 中每条问题后的说明改正文件" in output  # not "上面"
    assert "欧阳独特" in listed.read_text(encoding="utf-8-sig")
    assert "欧阳独特" in run("sync", str(registers.folder), "--db", str(db_path))[1]
    # a program's report for the log too (--json kept every problem's value, and the names of
    # the files the manifest forgot, which may be a holder's: 欧阳独特补发申请.xlsx)
    (registers.folder / "欧阳独特补发申请.xlsx").write_bytes(b"")
    code, output = run("sync", str(registers.folder), "--db", str(db_path), "--brief", "--json")
    report = json.loads(output)
    [register] = report["registers"]
    assert "欧阳" not in output and report["unlisted"] == 1
    assert (register["problem_count"], register["problem_list"]) == (1, str(listed))


def test_a_name_with_an_offices_own_character_loads_and_the_clerk_is_told_the_cost(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A name written with a 造字 (a private-use character an office's font draws) loaded
    without a word, and its holder's every public check answered 未查到: no employer can type
    it (a clerk's review). It loads as written; the rows are named, no name quoted."""
    rows = [approval_row("Z1122020001", "\ue000建国"), approval_row("Z1122020002", "周杰")]
    registers.add("m.csv", rows, MIANYANG)
    code, output = run("sync", str(registers.folder), "--db", str(db_path), "--brief")
    assert code == 0, output
    assert "ℹ m.csv：姓名中有造字（私用区字符，第4行，共 1 行）" in output
    assert "这些持证人的查验会答“未查到”" in output and "建国" not in output


def test_the_problem_lists_months_open_in_excel_as_written(
    registers: RegisterFactory, db_path: Path
) -> None:
    """The value the clerk must fix, as written: Excel opened 执行工资等级起始时间 2030.10 (a
    month not yet come) as 2030.1."""
    registers.add(
        "m.csv", [approval_row("Z1122020001", "周杰", 执行工资等级起始时间="2030.10")], MIANYANG
    )
    code, _ = run("sync", str(registers.folder), "--db", str(db_path), "--brief")
    listed = registers.folder / "m.csv.问题清单.csv"
    [row] = list(csv.DictReader(io.StringIO(listed.read_text(encoding="utf-8-sig"))))
    assert code == 1 and row["值"] == "\t2030.10"


def test_the_report_is_printed_when_no_folder_takes_the_problem_list(
    registers: RegisterFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service whose file system is read-only but for the registry's folder (systemd's
    ProtectSystem=strict, no /tmp): the full list cannot be written, the report still is."""

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", read_only)
    monkeypatch.setattr(tempfile, "gettempdir", lambda: read_only())
    rows = [
        approval_row(f"Z112202{i:04d}", f"持证人{chr(0x4E00 + i)}", 报考工种="驾校")
        for i in range(1, 31)
    ]
    path = registers.add("big.csv", rows, MIANYANG)
    code, output = run("sync", str(path.parent), "--db", str(db_path))
    assert code == 1, output
    assert "✘ big.csv［审批名册（附件4）］已拒绝，登记库未作任何改动：30 个问题" in output
    assert "30 处（第4行、第5行、第6行、第7行、第8行等），如第4行「报考工种」“驾校”" in output
    assert (
        "全部 30 个问题无法写入文件（名册所在文件夹、登记库所在文件夹和临时文件夹都不可写）："
        "加 --all 可在此全部列出" in output
    )
    assert not list(path.parent.glob("*.问题清单.csv"))


def test_the_problem_list_goes_beside_the_registry_when_the_registers_folder_is_read_only(
    registers: RegisterFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduled sync's unit may write the registry's folder, which outlives the run —
    unlike its private /tmp, whose list vanished with the run."""
    rows = [
        approval_row(f"Z112202{i:04d}", f"持证人{chr(0x4E00 + i)}", 报考工种="驾校")
        for i in range(1, 31)
    ]
    path = registers.add("big.csv", rows, MIANYANG)
    data = tmp_path / "data"
    data.mkdir()
    refused = tempfile.NamedTemporaryFile

    def read_only_registers(*args: Any, **kwargs: Any) -> Any:
        if Path(kwargs.get("dir", "")) == path.parent:
            raise OSError(30, "Read-only file system")
        return refused(*args, **kwargs)

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", read_only_registers)
    code, output = run("sync", str(path.parent), "--db", str(data / "registry.db"))
    assert code == 1, output
    listed = data / "big.csv.问题清单.csv"
    assert f"全部 30 个问题已写入 {listed}（加 --all 可在此全部列出）" in output
    assert listed.exists()


def test_a_number_of_another_levels_letter_does_not_make_the_next_rows_out_of_order(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A 初级 row given a 高级 number is refused for its letter; the 高级 row after it is in
    order and must not be told to take the next number (followed, that advice loaded the
    roster with G…0001–0002 never issued)."""
    rows = [
        approval_row("C1122020001", "周杰", level="初级"),
        approval_row("G1122020002", "郑浩", level="初级"),
        approval_row("G1122020001", "吴敏", level="高级"),
    ]
    path = registers.add("new.csv", rows, MIANYANG)
    code, output = run("sync", str(path.parent), "--db", str(db_path))
    assert code == 1
    assert "new.csv 第5行「颁发证书编号」“G1122020002”" in output
    assert "第6行" not in output, output


def test_a_mislettered_row_still_breaks_a_technician_rosters_trade_group(
    registers: RegisterFactory, db_path: Path
) -> None:
    """Left out of its letter's run of numbers, a row with another level's letter still stands
    between two rows of one trade (§四.(五)2): the clerk hears of both at once."""
    rows = [
        technician_row("J1122000001", "甲", 报考工种="中式烹调师"),
        technician_row("G1122000001", "乙", 报考工种="电工"),
        technician_row("J1122000002", "丙", 报考工种="中式烹调师"),
    ]
    path = registers.add("tech.csv", rows, TECHNICIANS)
    code, output = run("sync", str(path.parent), "--db", str(db_path))
    assert code == 1
    assert "“G1122000001”：首位“G”（高级工）与报考等级“技师”不符" in output
    assert "工种“中式烹调师”的人员已登记在" in output
    assert "编号跳号" not in output and "编号倒序" not in output


def test_the_progress_line_does_not_call_a_register_to_be_tried_again_refused(
    registers: RegisterFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """Status changes listed before their roster are refused the first time round and loaded
    once the roster has: the terminal's progress line said 已拒绝, then 已导入."""
    entry = make_entry(
        registers.folder / "c.csv", "c.csv", {"kind": "status-changes", "authority": "2202"}, "test"
    )
    progress = Progress(enabled=True)
    progress.started(1, 2, entry)
    progress.finished(Outcome(entry, REJECTED, fingerprint="abc"), 0.1)
    progress.finished(Outcome(entry, REJECTED), 0.1)
    lines = capsys.readouterr().err.split("\n")
    assert "暂未导入：排在后面的名册如登记了它引用的证书，导入后再试一次" in lines[0]
    assert "已拒绝" not in lines[0]  # nor a promise of a retry that may not come (a review)
    assert "已拒绝" in lines[1]


def test_the_progress_line_gives_no_speed_for_a_register_skipped_unread(
    registers: RegisterFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """A register skipped as loaded already tells the rows loaded from it: they were not read
    in the moment it took, so no rows per second — only for a new file read and found unchanged."""
    entry = make_entry(registers.folder / "r.csv", "r.csv", MIANYANG, "test")
    progress = Progress(enabled=True)
    progress.started(1, 2, entry)
    progress.finished(Outcome(entry, UNCHANGED, rows=3000), 0.01)
    progress.finished(Outcome(entry, UNCHANGED, rows=3000, sync_id=7), 0.01)
    skipped, read = capsys.readouterr().err.split("\n")[:2]
    assert skipped.endswith("未变化，3,000 行") and "行/秒" in read


def test_the_progress_line_stays_on_one_row_of_a_narrow_terminal(
    registers: RegisterFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long Chinese file name on a 60-column terminal: the line wrapped, and clearing it left
    its first row on the screen, one copy per register (a Chinese character takes two columns)."""
    monkeypatch.setenv("COLUMNS", "60")
    name = "2000年-四川省人力资源和社会保障厅-机关事业单位工人技术等级审批名册.xlsx"
    entry = make_entry(
        registers.folder / name, name, {"kind": "status-changes", "authority": "2202"}, "t"
    )
    Progress(enabled=True).started(1, 2, entry)
    line = capsys.readouterr().err.replace("\033[K", "").lstrip("\r")
    columns = sum(2 if east_asian_width(ch) in "WF" else 1 for ch in line)
    assert line.startswith("[1/2] 2000年-四川省") and line.endswith("…") and columns <= 59


def test_a_register_kind_may_be_written_as_clerks_call_it(tmp_path: Path) -> None:
    """kind = "审批名册" in registers.toml (and --kind 审批名册) was refused, and the refusal
    listed only the codes."""
    folder = tmp_path / "registers"
    shutil.copytree(SAMPLES, folder)
    manifest = folder / "registers.toml"
    text = manifest.read_text(encoding="utf-8")
    for kind, said in [
        ("approval-roster", "审批名册（附件4）"),
        ("technician-roster", "技师审核名册（附件5）"),
        ("status-changes", "换发、补发、撤销登记表"),
        ("requisitions", "申领计划（附件1）"),  # as certreg sync --help lists it
        ("dispatches", "发放单"),
        ("collections", "领取登记"),
    ]:
        text = text.replace(f'kind = "{kind}"', f'kind = "{said}"')
    manifest.write_text(text, encoding="utf-8")
    code, output = run("sync", str(folder), "--db", str(tmp_path / "registry.db"))
    assert code == 0, output
    in_codes = run("sync", str(SAMPLES), "--db", str(tmp_path / "codes.db"))
    assert _loaded(tmp_path / "registry.db") == _loaded(tmp_path / "codes.db")
    assert in_codes[0] == 0
    manifest.write_text(text.replace('kind = "技师审核名册（附件5）"', 'kind = "技师"'), "utf-8")
    code, output = run("sync", str(folder), "--db", str(tmp_path / "registry.db"))
    assert code == 2 and "kind “技师” 未知" in output
    assert "technician-roster（审核名册（附件5））" in output


def _loaded(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT file, kind FROM registers ORDER BY file").fetchall()
    finally:
        conn.close()


def test_kind_on_the_command_line_as_clerks_call_it(tmp_path: Path) -> None:
    path = SAMPLES / "2012-status-changes.xlsx"
    code, output = run(
        "sync", str(path), "--kind", "换发补发撤销登记表", "--authority", "2204", "--dry-run",
        "--db", str(tmp_path / "registry.db"),
    )  # fmt: skip
    assert "--kind" not in output, output
    assert code in (0, 1), output


def test_every_kind_name_sync_help_lists_is_read() -> None:
    """The help lists requisitions 申领计划（附件1） and says the Chinese name will do: it did not."""
    shown = CliRunner().invoke(cli, ["sync", "--help"]).output
    listed = {
        "approval-roster": "审批名册（附件4）",
        "technician-roster": "审核名册（附件5）",  # as the reports name it (KIND_LABELS)
        "status-changes": "换发、补发、撤销登记表",
        "requisitions": "申领计划（附件1）",
        "dispatches": "发放单（附件2）",
        "collections": "领取登记",
    }
    assert set(listed) == set(KINDS)  # a kind added is listed in the help, or this fails
    for code, name in listed.items():
        assert f"{code} {name}" in shown.replace("\n", "").replace(" " * 4, ""), name
        assert kind_code(name) == code, name


def test_an_older_copy_of_a_loaded_register_is_told_so(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A copy of the first version, left in another folder or restored from a backup, was read
    as a corrected version: the report listed its reverts as corrections, nothing more."""
    first = [approval_row("Z1122020001", "周杰", 参加工作时间="1995.07")]
    corrected = [approval_row("Z1122020001", "周杰", 参加工作时间="1996.07")]
    path = registers.add("mianyang.csv", first, MIANYANG)
    old_copy = path.read_bytes()
    assert run("sync", str(registers.folder), "--db", str(db_path))[0] == 0
    registers.add("mianyang.csv", corrected, MIANYANG)
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    assert code == 0 and "旧版本" not in output, output
    path.write_bytes(old_copy)
    for command in (["--dry-run"], ["--brief"]):  # (a report for a system log says it too)
        code, output = run("sync", str(registers.folder), "--db", str(db_path), *command)
        assert "mianyang.csv：此文件与 " in output, output
        assert "导入过的旧版本（同步编号 1）完全相同" in output
        assert "请换回最新的文件再同步" in output


@pytest.mark.parametrize("key", ["unit", "region", "year_code"])
def test_a_key_a_kind_needs_is_said_missing_whatever_it_is(
    registers: RegisterFactory, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    """Only authority, approval_doc and issued_on had words of their own: a kind needing another
    key (a newcomer adding one) failed on a KeyError, not on 缺少 …, when a clerk left it out."""
    kind = KINDS[STATUS_CHANGES]
    monkeypatch.setitem(KINDS, STATUS_CHANGES, dataclasses.replace(kind, needs=(key,)))
    with pytest.raises(ManifestError, match=f"缺少 {key}（"):
        make_entry(
            registers.folder / "c.csv", "c.csv", {"kind": STATUS_CHANGES, "authority": "2202"}, "t"
        )


def _exchanged(row: dict[str, object], a: str, b: str) -> dict[str, object]:
    return {**row, a: row[b], b: row[a]}


@pytest.mark.parametrize(
    ("a", "b"), [("性别", "出生年月"), ("报考工种", "报考等级")], ids=["sex", "trade"]
)
def test_two_columns_exchanged_are_said_once_above_the_rows(
    registers: RegisterFactory, db_path: Path, a: str, b: str
) -> None:
    """A clerk's review: 性别 and 出生年月 pasted in each other's place gave twelve lines of
    problems — 第5行「出生年月」“男”, 第5行「性别」“1975.04” … — and not a word of why."""
    rows = [
        _exchanged(approval_row(f"Z112202000{i}", name), a, b)
        for i, name in enumerate(("周杰", "郑浩", "吴敏"), 1)
    ]
    rows.append(approval_row("Z1122020004", "王芳", 性别="M"))  # one wrong: nothing exchanged
    registers.add("mianyang.csv", rows, MIANYANG)
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    lines = output.splitlines()
    assert code == 1 and f"「{a}」和「{b}」两列的内容似乎对调了（第4行、第5行、第6行）" in lines[2]
    assert "两列的内容似乎对调了" not in "\n".join(lines[3:])  # once, above the rows' problems


def test_a_number_and_a_name_exchanged_are_said_once(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A clerk's review: 证书编号 and 姓名 exchanged in a 变更 register said only that 张建国 is
    no 11-character number."""
    registers.add("mianyang.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    event = _exchanged(
        status_event("撤销", "Z1122020001", "周杰", "2012-09-10"), "证书编号", "姓名"
    )
    registers.add("changes.csv", [event], {"kind": "status-changes", "authority": "2202"})
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    # one row: its two cells, not the columns (a diff review)
    assert code == 1 and "「证书编号」和「姓名」两格的内容似乎填反了（第3行）" in output, output


def test_two_columns_exchanged_lead_a_summarised_report(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A hostile review: past 20 problems the report is summarised by rule, most frequent first,
    and the one line that explains them all came after the thousands it explains."""
    rows = [
        _exchanged(approval_row(f"Z112202{i:04d}", numbered_name("持证人", i)), "性别", "出生年月")
        for i in range(1, 16)
    ]
    registers.add("mianyang.csv", rows, MIANYANG)
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    summary = [line for line in output.splitlines() if "处（" in line or "处，如" in line]
    assert code == 1 and "两列的内容似乎对调了" in summary[0], output
