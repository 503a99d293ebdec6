"""``certreg number``: roster order, per level, after the registry's highest sequence; a copy that
keeps the spreadsheet's layout and then syncs cleanly."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from registry import store
from registry.kinds import LAYOUTS
from registry.sheets.encoding import decode
from registry.sheets.writers import write_csv
from registry.store.numbering_runs import highest_sequence
from tests.registers import (
    MIANYANG,
    TECHNICIANS,
    RegisterFactory,
    approval_row,
    as_xls,
    footer,
    number,
    run,
    status_event,
    technician_row,
)


@pytest.fixture
def registered(registers: RegisterFactory, db_path: Path) -> RegisterFactory:
    """Mianyang already holds Z…0001-0002 and C…0001 in the registry."""
    registers.add(
        "old.csv",
        [
            approval_row("Z1122020001", "周杰"),
            approval_row("Z1122020002", "郑浩"),
            approval_row("C1122020001", "吴敏", level="初级"),
        ],
        MIANYANG,
    )
    assert run("sync", str(registers.folder), "--db", str(db_path))[0] == 0
    return registers


def test_a_year_code_before_the_first_batch_is_refused(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """--year-code 99 handed out C9922020001…, read as 1999's (附件3 二: the first batch is 11)."""
    path = registered.add("new.csv", [approval_row("", "甲")], MIANYANG)
    out = tmp_path / "numbered.csv"
    code, output = number(path, out, db_path, "--year-code", "99")
    assert code == 2 and "--year-code “99” 读作 1999 年，早于首批证书的 11" in output, output
    assert not out.exists()


def test_xlsx_copy_keeps_layout_and_numbers_in_roster_order(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    rows = [
        approval_row("Z1122020007", "丁"),
        approval_row("", "甲"),
        approval_row("", "乙", level="初级"),
        approval_row("", "丙"),
    ]
    path = registered.add(
        "new.xlsx", rows, MIANYANG, title="绵阳市审批名册", footer=footer({"C": 1, "Z": 3})
    )
    out = tmp_path / "numbered.xlsx"
    code, output = number(path, out, db_path)
    assert code == 0, output
    # after Z…0007 already in the file, without a gap (附件3 四)
    assert "中级工：Z1122020008 – Z1122020009，共 2 个" in output
    assert "初级工：C1122020002 – C1122020002，共 1 个" in output  # after C…0001 in the registry

    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    assert sheet["A1"].value == "绵阳市审批名册"
    assert "A2:A3" in {str(r) for r in sheet.merged_cells.ranges}
    numbers = [sheet.cell(row=r, column=15).value for r in range(4, 8)]
    assert numbers == ["Z1122020007", "Z1122020008", "C1122020002", "Z1122020009"]
    assert any("同意初级 1 人" in str(c.value) for row in sheet.iter_rows(min_row=8) for c in row)

    registered.add("new.xlsx", [], MIANYANG)  # manifest entry; replace the file with the copy
    out.replace(path)
    code, output = run("sync", str(registered.folder), "--db", str(db_path))
    assert code == 0, output


def test_a_numbered_row_after_unnumbered_ones_is_refused(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """Numbering after it would put the roster out of order (0008, 0009, then 0007)."""
    rows = [approval_row("", "甲"), approval_row("Z1122020007", "丁")]
    path = registered.add("new.xlsx", rows, MIANYANG)
    out = tmp_path / "numbered.xlsx"
    code, output = number(path, out, db_path)
    assert code == 1
    assert "第5行「颁发证书编号」“Z1122020007”：这一行已有编号 Z1122020007" in output
    assert not out.exists()


def test_csv_copy_keeps_its_encoding(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    path = registered.add(
        "new.csv", [approval_row("", "阿依古丽•买买提")], MIANYANG, encoding="gb18030"
    )
    out = tmp_path / "numbered.csv"
    assert number(path, out, db_path)[0] == 0
    text, encoding = decode(out.read_bytes())
    assert encoding == "gb18030"
    assert "阿依古丽•买买提" in text and "Z1122020003" in text


def test_a_tab_separated_csv_copy_stays_tab_separated_and_loads(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """The sync reads a .csv whose cells are tab-separated (Excel's 文本文件 renamed); the copy
    appended ,,,,,,,,,,,,,,Z1122020003 to each line, and every row was then refused."""
    path = registered.add("new.csv", [approval_row("", "甲")], MIANYANG, encoding="gb18030")
    tabbed = path.read_bytes().decode("gb18030").replace(",", "\t")
    path.write_bytes(tabbed.encode("gb18030"))
    out = registered.folder / "numbered.csv"
    assert number(path, out, db_path)[0] == 0
    text, _ = decode(out.read_bytes())
    assert "\tZ1122020003" in text and "," not in text
    path.unlink()
    manifest = registered.folder / "registers.toml"
    manifest.write_text(manifest.read_text("utf-8").replace("new.csv", "numbered.csv"), "utf-8")
    code, output = run("sync", str(registered.folder), "--db", str(db_path))
    assert code == 0, output


def test_the_copy_keeps_the_originals_format(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """--out o.xlsx of a .csv got the CSV's text, which the sync then refused as no workbook."""
    path = registered.add("new.csv", [approval_row("", "甲")], MIANYANG)
    code, output = number(path, tmp_path / "numbered.xlsx", db_path)
    assert code == 2 and "--out 应与原名册同为 .csv 文件" in output, output
    assert not (tmp_path / "numbered.xlsx").exists()


def test_runs_before_a_sync_never_share_numbers(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    path = registered.add("new.csv", [approval_row("", "甲")], MIANYANG)
    other = registered.add("other.csv", [approval_row("", "乙")], MIANYANG)
    assert number(path, tmp_path / "a.csv", db_path)[0] == 0
    assert number(other, tmp_path / "b.csv", db_path)[0] == 0
    assert "Z1122020003" in (tmp_path / "a.csv").read_text()
    assert "Z1122020004" in (tmp_path / "b.csv").read_text()
    conn = sqlite3.connect(db_path)
    runs = conn.execute(
        "SELECT letter, first_sequence, last_sequence, count, operator FROM numbering"
    ).fetchall()
    assert [r[:4] for r in runs] == [("Z", 3, 3, 1), ("Z", 4, 4, 1)]
    assert all(r[4] for r in runs)


def test_a_number_handed_out_cannot_be_typed_into_another_roster(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """new.csv's copy gives Z…0003 to 甲 but is not loaded yet; other.csv, numbered by hand,
    gives Z…0003 to 乙. Loaded first, it took the number, and new.csv's copy — perhaps printed
    already — was then refused. It is other.csv that is refused, naming the next number free."""
    path = registered.add("new.csv", [approval_row("", "甲")], MIANYANG)
    assert number(path, tmp_path / "new.csv", db_path)[0] == 0  # the copy, under its own name
    registered.add("other.csv", [approval_row("Z1122020003", "乙")], MIANYANG)
    registered.entries.pop("new.csv")
    registered.write_manifest()
    code, output = run("sync", str(registered.folder), "--db", str(db_path))
    assert code == 1
    assert (
        "第4行「颁发证书编号」“Z1122020003”：该编号已由 certreg number 分配给名册“new.csv”"
        "（编号一经分配不再重用），不能在本名册中给另一人（请用 certreg number 为本名册编号；"
        "如本文件就是该名册的编号副本，只是改正了姓名，请沿用 certreg number 写出的文件名“new.csv”）；"
        "下一个可用的编号是 Z1122020004"
    ) in output
    registered.add("other.csv", [approval_row("Z1122020004", "乙")], MIANYANG)
    # the copy, renamed and edited after numbering (甲's 工种 corrected): still 甲's number
    path.unlink()
    registered.add(
        "new-numbered.csv", [approval_row("Z1122020003", "甲", 报考工种="钳工")], MIANYANG
    )
    code, output = run("sync", str(registered.folder), "--db", str(db_path))
    assert code == 0, output


def test_the_copy_may_correct_a_holder_s_name_under_its_own_name(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """A typo in a name (张叁 for 张三) fixed in the numbered copy before its first load: the
    copy, known by the file name certreg number wrote, keeps its numbers."""
    path = registered.add("new.csv", [approval_row("", "张叁")], MIANYANG)
    copy = tmp_path / "new-numbered.csv"
    assert number(path, copy, db_path)[0] == 0
    path.unlink()
    registered.entries.pop("new.csv")
    registered.add("new-numbered.csv", [approval_row("Z1122020003", "张三")], MIANYANG)
    code, output = run("sync", str(registered.folder), "--db", str(db_path))
    assert code == 0, output


def test_the_copy_may_not_give_a_holder_s_number_to_another_person(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """An auditor's review: 王强 numbered …0003, his row of the copy retyped as 刘美丽 (another
    sex and birth too) loaded silently — a number handed out went to someone else, as if a
    name were only corrected."""
    path = registered.add("new.csv", [approval_row("", "王强")], MIANYANG)
    copy = tmp_path / "new-numbered.csv"
    assert number(path, copy, db_path)[0] == 0
    path.unlink()
    registered.entries.pop("new.csv")
    row = approval_row("Z1122020003", "刘美丽", 性别="女", 出生年月="1978.07")
    registered.add("new-numbered.csv", [row], MIANYANG)
    code, output = run("sync", str(registered.folder), "--db", str(db_path))
    assert code == 1
    assert (
        "第4行「颁发证书编号」“Z1122020003”：certreg number 编号时此行是另一人：编号副本中此行的"
        "姓名不是原姓名的错字，而是另一个名字"
    ) in output
    registered.add("new-numbered.csv", [approval_row("Z1122020003", "王強")], MIANYANG)
    code, output = run("sync", str(registered.folder), "--db", str(db_path))
    assert code == 0, output  # his name in traditional characters is his


def test_a_copy_numbered_before_copies_were_recorded_may_still_correct_a_name(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """A registry whose runs recorded their holders before they recorded the copy's name: the
    upgrade left it empty, and the copy with a name corrected was refused, told to keep the
    file name certreg number wrote — shown as “”."""
    path = registered.add("new.csv", [approval_row("", "张叁")], MIANYANG)
    assert number(path, tmp_path / "new-numbered.csv", db_path)[0] == 0
    with sqlite3.connect(db_path) as conn:  # as an older certreg left it
        conn.execute("DROP INDEX idx_numbered_holders_copy_name_key")
        conn.execute("ALTER TABLE numbered_holders DROP COLUMN copy")
    path.unlink()
    registered.entries.pop("new.csv")
    registered.add("new-numbered.csv", [approval_row("Z1122020003", "张三")], MIANYANG)
    code, output = run("sync", str(registered.folder), "--db", str(db_path))
    assert code == 0, output


def test_the_copy_may_not_swap_its_holders_numbers(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """甲 and 乙 numbered …0003 and …0004, then their names swapped in the copy before its first
    load: each would hold the other's number, as if a name were only corrected. Refused on both
    rows, naming the number the run gave each."""
    path = registered.add("new.csv", [approval_row("", "甲"), approval_row("", "乙")], MIANYANG)
    copy = tmp_path / "new-numbered.csv"
    assert number(path, copy, db_path)[0] == 0
    path.unlink()
    registered.entries.pop("new.csv")
    swapped = [approval_row("Z1122020003", "乙"), approval_row("Z1122020004", "甲")]
    registered.add("new-numbered.csv", swapped, MIANYANG)
    code, output = run("sync", str(registered.folder), "--db", str(db_path))
    assert code == 1, output
    assert (
        "第4行「颁发证书编号」“Z1122020003”：certreg number 编号时把此编号给了另一人，此人得到的是 Z1122020004"
        in output
    )
    assert (
        "第5行「颁发证书编号」“Z1122020004”：certreg number 编号时把此编号给了另一人，此人得到的是 Z1122020003"
        in output
    )
    restored = [approval_row("Z1122020003", "甲"), approval_row("Z1122020004", "乙")]
    registered.add("new-numbered.csv", [restored[0], approval_row("Z1122020004", "甲")], MIANYANG)
    code, output = run("sync", str(registered.folder), "--db", str(db_path))  # 乙 a namesake of 甲
    assert "此人得到的是" not in output
    registered.add("new-numbered.csv", restored, MIANYANG)
    code, output = run("sync", str(registered.folder), "--db", str(db_path))
    assert code == 0, output


def test_the_numbered_file_itself_may_not_give_its_numbers_to_others(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """Only the copy certreg number wrote may correct a holder's name: the source file, its
    rows typed over by hand (乙 where the copy has 甲), is refused like any other file."""
    path = registered.add("new.csv", [approval_row("", "甲")], MIANYANG)
    assert number(path, tmp_path / "new-numbered.csv", db_path)[0] == 0
    registered.add("new.csv", [approval_row("Z1122020003", "乙")], MIANYANG)
    code, output = run("sync", str(registered.folder), "--db", str(db_path))
    assert code == 1
    assert "该编号已由 certreg number 分配给名册“new.csv”" in output
    assert "请沿用 certreg number 写出的文件名“new-numbered.csv”" in output


def test_a_file_numbered_again_gets_new_numbers_never_its_first_ones_again(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """Numbering a file again before it is loaded (its rows reordered) leaves its first numbers
    behind: given again, they went to other people than the first copy — which may already be
    on someone's desk — showed."""
    path = registered.add("new.csv", [approval_row("", "甲"), approval_row("", "乙")], MIANYANG)
    assert number(path, tmp_path / "first.csv", db_path)[0] == 0  # Z…0003, Z…0004
    path = registered.add("new.csv", [approval_row("", "乙"), approval_row("", "甲")], MIANYANG)
    code, output = number(path, tmp_path / "again.csv", db_path)
    assert code == 2 and not (tmp_path / "again.csv").exists()  # the clerk is asked first
    assert (
        "new.csv 已于" in output
        and "编过号（Z1122020003 – Z1122020004），编号副本 first.csv" in output
    )
    assert "请直接改正编号副本中的问题" in output and "--again" in output
    assert number(path, tmp_path / "again.csv", db_path, "--again")[0] == 0
    again = (tmp_path / "again.csv").read_text()
    assert "Z1122020005" in again and "Z1122020003" not in again


def test_a_copy_saved_back_with_a_row_dropped_and_one_added_is_numbered_on(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """The holder of Z…0003 withdrew: the copy, saved back over its source without that row
    and with a row added, still carries Z…0004 — nothing of the first run is abandoned."""
    path = registered.add("new.csv", [approval_row("", "甲"), approval_row("", "乙")], MIANYANG)
    assert number(path, tmp_path / "first.csv", db_path)[0] == 0  # Z…0003, Z…0004
    rows = [approval_row("Z1122020004", "乙"), approval_row("", "丙")]
    path = registered.add("new.csv", rows, MIANYANG)
    code, output = number(path, tmp_path / "second.csv", db_path)
    assert code == 0, output
    assert "Z1122020005" in (tmp_path / "second.csv").read_text()


def test_a_copy_saved_back_without_one_levels_rows_is_numbered_on(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """The run gave Z…0003 and C…0002; the copy comes back without its 初级 row: it carries the
    run still (its 中级 number), whatever level the numbers it no longer shows were."""
    rows = [approval_row("", "甲"), approval_row("", "乙", level="初级")]
    path = registered.add("new.csv", rows, MIANYANG)
    assert number(path, tmp_path / "first.csv", db_path)[0] == 0
    rows = [approval_row("Z1122020003", "甲"), approval_row("", "丙")]
    path = registered.add("new.csv", rows, MIANYANG)
    code, output = number(path, tmp_path / "second.csv", db_path)
    assert code == 0, output


def test_a_loaded_copy_without_one_levels_rows_holds_nothing_back(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """The copy was loaded without its 初级 row: the run is the registry's now (its 中级
    number), and rows added to the file are numbered without a word of an unloaded copy."""
    rows = [approval_row("", "甲"), approval_row("", "乙", level="初级")]
    path = registered.add("new.csv", rows, MIANYANG)
    assert number(path, tmp_path / "first.csv", db_path)[0] == 0  # Z…0003, C…0002
    registered.add("new.csv", [approval_row("Z1122020003", "甲")], MIANYANG)
    assert run("sync", str(registered.folder), "--db", str(db_path))[0] == 0
    path = registered.add("new.csv", [approval_row("", "丙", level="初级")], MIANYANG)
    code, output = number(path, tmp_path / "second.csv", db_path)
    assert code == 0, output


def test_numbers_abandoned_with_again_hold_the_file_back_no_more(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """After --again, the new copy saved back with a row added is numbered on: the first run,
    abandoned knowingly, is not asked about for ever."""
    path = registered.add("new.csv", [approval_row("", "甲")], MIANYANG)
    assert number(path, tmp_path / "first.csv", db_path)[0] == 0  # Z…0003
    assert number(path, tmp_path / "again.csv", db_path, "--again")[0] == 0  # Z…0004
    rows = [approval_row("Z1122020004", "甲"), approval_row("", "乙")]
    path = registered.add("new.csv", rows, MIANYANG)
    code, output = number(path, tmp_path / "third.csv", db_path)
    assert code == 0, output


def test_rows_added_to_a_numbered_file_listed_nowhere_take_its_year_code(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """A roster loaded on its own (--year-code 11) gets rows added: without --year-code, its
    numbers tell the batch, not this year's digits (which refused every numbered row)."""
    folder = tmp_path / "loose"
    folder.mkdir()
    path = folder / "r.csv"
    rows = [approval_row("Z11-2202-0003", "甲"), approval_row("", "乙")]  # as a clerk spells it
    write_csv(path, LAYOUTS["approval-roster"], rows, encoding="utf-8", title="名册")
    code, output = run(
        "number", str(path), "--kind", "approval-roster", "--authority", "2202",
        "--out", str(folder / "out.csv"), "--db", str(db_path),
    )  # fmt: skip
    assert code == 0, output
    assert "核发年份代码：11（未指定 --year-code，取文件中已有编号的年份代码" in output
    assert "Z1122020004" in (folder / "out.csv").read_text(encoding="utf-8")


def test_numbering_stopped_by_ctrl_c_says_nothing_was_handed_out(
    registered: RegisterFactory, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C on a large roster: click's "已中止。" and the exit status of a refusal (1)."""
    from registry.sync import numbering

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(numbering, "write_copy", interrupted)
    path = registered.add("new.csv", [approval_row("", "甲")], MIANYANG)
    code, output = number(path, tmp_path / "out.csv", db_path)
    assert code == 130 and "没有写出副本，也没有占用任何编号" in output
    assert not (tmp_path / "out.csv").exists()
    monkeypatch.undo()
    code, output = number(path, tmp_path / "out.csv", db_path)
    assert code == 0 and "Z1122020003" in output  # nothing was spoken for


@pytest.mark.parametrize("authority", ["2202 ", "２２０２", "绵阳市", "绵阳市人力资源和社会保障局"])
def test_the_authority_is_read_as_offices_write_it(
    registered: RegisterFactory, db_path: Path, tmp_path: Path, authority: str
) -> None:
    """`certreg reports` read 绵阳市; `number` refused "2202 " and ２２０２, which `sync` read or
    refused in its own way: one reading for every command and registers.toml."""
    path = tmp_path / "r.csv"
    write_csv(path, LAYOUTS["approval-roster"], [approval_row("", "甲")], title="名册")
    code, output = run(
        "number", str(path), "--kind", "approval-roster", "--authority", authority,
        "--year-code", "11", "--out", str(tmp_path / "out.csv"), "--db", str(db_path),
    )  # fmt: skip
    assert code == 0 and "Z1122020003" in (tmp_path / "out.csv").read_text(encoding="utf-8"), output
    options = ["--kind", "approval-roster", "--authority", authority, "--issued-on", "2012-03-20",
               "--approval-doc", "绵人社函〔2012〕8号", "--year-code", "11"]  # fmt: skip
    code, output = run("sync", str(tmp_path / "out.csv"), "--db", str(db_path), *options)
    assert code == 0, output


def test_a_number_handed_out_is_never_handed_out_again(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """Whatever happens to the file after a run: another folder's file of the same name, the
    numbered copy saved back over it (with a row of another level added), a row dropped before
    loading — its numbers stay spoken for; a 换发 takes the next free one after them."""
    path = registered.add("new.csv", [approval_row("", "甲"), approval_row("", "乙")], MIANYANG)
    assert number(path, tmp_path / "first.csv", db_path)[0] == 0  # Z…0003, Z…0004
    twin = RegisterFactory(tmp_path / "elsewhere").add(
        "new.csv", [approval_row("", "丙")], MIANYANG
    )
    assert number(twin, tmp_path / "twin.csv", db_path)[0] == 0
    assert "Z1122020005" in (tmp_path / "twin.csv").read_text()  # not 0003 again
    shutil.copy(tmp_path / "first.csv", path)  # the copy saved back over the source
    assert "无需编号" in number(path, tmp_path / "none.csv", db_path)[1]
    other = RegisterFactory(tmp_path / "other").add("other.csv", [approval_row("", "丁")], MIANYANG)
    assert number(other, tmp_path / "other.csv", db_path)[0] == 0
    assert "Z1122020006" in (tmp_path / "other.csv").read_text()
    one = registered.add("new.csv", [approval_row("Z1122020003", "甲")], MIANYANG)  # 乙 dropped
    assert one.exists() and run("sync", str(registered.folder), "--db", str(db_path))[0] == 0
    changes = {"kind": "status-changes", "authority": "2202"}
    for new, loads in [("Z1122020004", False), ("Z1122020007", True)]:
        exchange = status_event("换发", "Z1122020001", "周杰", "2012-09-10", new)
        registered.add("changes.csv", [exchange], changes)
        code, output = run("sync", str(registered.folder), "--db", str(db_path))
        assert (code == 0) is loads, output


def test_a_new_version_leaving_out_the_last_issued_row_numbers_its_added_rows_after_it(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """Z…0002, issued, is left out of a new version of its roster (a conflict: it is kept). The
    rows the version adds follow it, as the sync expects — not "clear this file's numbers and
    number again", which would give the issued certificates' numbers to others."""
    rows = [approval_row("Z1122020001", "周杰"), approval_row("C1122020001", "吴敏", level="初级")]
    path = registered.add("old.csv", [*rows, approval_row("", "甲")], MIANYANG)
    code, output = number(path, tmp_path / "numbered.csv", db_path)
    assert code == 0, output
    assert "Z1122020003" in (tmp_path / "numbered.csv").read_text()
    shutil.copy(tmp_path / "numbered.csv", path)
    code, output = run("sync", str(registered.folder), "--db", str(db_path))
    with sqlite3.connect(db_path) as conn:
        loaded = conn.execute("SELECT name FROM certificates WHERE number = 'Z1122020003'")
        assert loaded.fetchall() == [("甲",)], output


def test_a_loaded_roster_whose_next_numbers_another_has_is_not_told_to_renumber(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """Its numbers are issued certificates: cleared and given again, they would go to others."""
    registered.add("other.csv", [approval_row("Z1122020003", "王芳")], MIANYANG)
    assert run("sync", str(registered.folder), "--db", str(db_path))[0] == 0
    rows = [approval_row("Z1122020001", "周杰"), approval_row("Z1122020002", "郑浩")]
    path = registered.add("old.csv", [*rows, approval_row("", "甲")], MIANYANG)
    code, output = number(path, tmp_path / "numbered.csv", db_path)
    assert code != 0 and "已发的证书编号不能改动" in output and "请清除" not in output, output


def test_refuses_rows_that_may_not_get_a_number(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    rows = [
        approval_row("", "甲"),
        approval_row("", "乙", 实际操作技能=40),
        approval_row("", "丙", level="技师"),
        approval_row("", "丁", 职业道德="免考"),
        approval_row("", "戊", level="二级"),
    ]
    path = registered.add("new.csv", rows, MIANYANG)
    out = tmp_path / "numbered.csv"
    code, output = number(path, out, db_path)
    assert code == 1
    assert (
        "第5行「实际操作技能」“40”：分数 40 低于 60 分，不合格，不能发证（§二、§四.(六)1）"
        in output
    )
    # a value to retype is said so, as the sync says it: not "failed", which would cost a pass
    assert (
        "第7行「职业道德」“免考”：" in output
        and "第7行「职业道德」“免考”：考试考核结果不合格" not in output
    )
    assert "第6行「报考等级」“技师”：技师证书只能由省人力资源和社会保障厅核发" in output
    # a city's 二级 is told what 技师 would be, not to write 技师 (§三)
    assert "第8行「报考等级」“二级”：报考等级“二级”即技师。技师证书只能由省人力" in output
    assert "请填写“技师”" not in output
    assert not out.exists()


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (approval_row("", "乙", 备注="已调离，不发证"), "备注写明“不发证”"),
        ({"姓名": "合计：2人"}, "这是合计行"),
        # a unit of another city: moved to that city's roster, its number would be a gap here
        (approval_row("", "乙", 工作单位="成都市第一中学"), "工作单位属于成都市"),
        (approval_row("", "乙", 备注="考评不合格"), "备注写明“考评不合格”"),
    ],
    ids=["withheld", "total", "other city", "failed"],
)
def test_a_row_the_sync_refuses_as_no_holder_gets_no_number(
    registered: RegisterFactory,
    db_path: Path,
    tmp_path: Path,
    row: dict[str, object],
    words: str,
) -> None:
    """Numbered, it would lose its number once the clerk deleted it as the sync asks."""
    path = registered.add(
        "new.csv", [approval_row("", "甲"), row, approval_row("", "丙")], MIANYANG
    )
    code, output = number(path, tmp_path / "out.csv", db_path)
    assert code == 1 and "第5行" in output and words in output
    assert not (tmp_path / "out.csv").exists()


def test_a_closing_total_row_gets_no_number(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """A 合计 row ending the roster is its total, which the sync reads and checks: numbering
    refused it as a row (删除此行) while the sync took it (a review of the day's fixes)."""
    rows: list[dict[str, object]] = [
        approval_row("", "甲"),
        approval_row("", "乙"),
        {"姓名": "合计：2人"},
    ]
    path = registered.add("new.csv", rows, MIANYANG)
    code, output = number(path, tmp_path / "out.csv", db_path)
    assert code == 0, output
    *holders, total = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[-3:]
    assert all(re.search(r",Z112202\d{4}$", line) for line in holders), holders
    assert total == "合计：2人" + "," * 14  # its number cell left empty


def test_a_row_a_column_not_read_withholds_gets_no_number(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    path = registered.add("new.csv", [approval_row("", "甲"), approval_row("", "乙")], MIANYANG)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("姓名"))
    lines[header] += ",审核意见"
    lines[header + 2] += ",资料不全，暂缓发证"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, output = number(path, tmp_path / "out.csv", db_path)
    assert code == 1 and "第4行「审核意见」" in output and "审核意见写明“暂缓发证”" in output


def test_a_hidden_row_gets_no_number(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """A hidden row would take a number in roster order that nobody reviewing saw handed out."""
    path = registered.add("new.xlsx", [approval_row("", "甲"), approval_row("", "乙")], MIANYANG)
    workbook = openpyxl.load_workbook(path)
    assert workbook.active is not None
    workbook.active.row_dimensions[5].hidden = True
    workbook.save(path)
    out = tmp_path / "numbered.xlsx"
    code, output = number(path, out, db_path)
    assert code == 1
    assert "第5行：这一行在工作表中被隐藏" in output
    assert not out.exists()


def test_a_hidden_number_column_gets_no_numbers(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """Empty, a hidden 颁发证书编号 column hides nothing — until numbering fills it, in a copy
    the sync would then refuse for that column: refused before any number is handed out."""
    path = registered.add("new.xlsx", [approval_row("", "甲")], MIANYANG)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    column = next(c[1].column_letter for c in sheet.iter_cols() if c[1].value == "颁发证书编号")
    sheet.column_dimensions[column].hidden = True
    workbook.save(path)
    out = tmp_path / "numbered.xlsx"
    code, output = number(path, out, db_path)
    assert code == 1 and f"这一列（第 {column} 列）在工作表中被隐藏" in output
    assert not out.exists()


def _as_excel_saves(path: Path, formula: str, value: str, *, picture: bool = False) -> None:
    """Give every ``formula`` cell the value Excel/WPS saves beside it (openpyxl saves none);
    with ``picture``, a picture part, as a stamp or a photo leaves one."""
    parts = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            parts[name] = archive.read(name)
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = (
        sheet.replace(f"<f>{formula}</f><v></v>", f"<f>{formula}</f><v>{value}</v>")
        .replace(f"<f>{formula}</f><v />", f"<f>{formula}</f><v>{value}</v>")
        .encode()
    )
    if picture:
        parts["xl/media/image1.png"] = b"\x89PNG\r\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_the_copy_keeps_what_formulas_showed(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """报考年度 typed as a formula (=2010+1, as Excel saves it: with its value). openpyxl saves
    the copy's formulas without values, which python-calamine read as empty: the copy of a
    roster the sync accepted was refused, its numbers used up. The copy holds the values."""
    rows = [approval_row("", name, 报考年度="=2010+1") for name in ("甲", "乙")]
    path = registered.add("new.xlsx", rows, MIANYANG)
    _as_excel_saves(path, "2010+1", "2011", picture=True)
    out = tmp_path / "new.xlsx"
    code, output = number(path, out, db_path)
    assert code == 0, output
    assert "副本中 2 个公式单元格已写成原文件保存的计算结果" in output
    assert "原文件中的图片、图形或图表（如印章、照片）没有写入副本" in output
    out.replace(path)
    code, output = run("sync", str(registered.folder), "--db", str(db_path))
    assert code == 0, output


def test_a_holder_who_holds_the_certificate_already_gets_no_number(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """§二 before the numbers are handed out: numbered, 周杰's row was refused by the sync, and
    dropping it left a gap only a new run closed, losing the numbers after his. Another 周杰
    (备注 says so) is numbered."""
    rows = [
        approval_row("", "甲"),
        approval_row("", "周　杰"),  # holds Z1122020001 (registered)
        approval_row("", "周杰", 备注="同名同生日，另一人"),
        approval_row("", "甲"),  # 甲 of row 4 again
    ]
    path = registered.add("new.csv", rows, MIANYANG)
    out = tmp_path / "numbered.csv"
    code, output = number(path, out, db_path)
    assert code == 1 and not out.exists()
    assert (
        "第5行「姓名」“周　杰”：此人（姓名、出生年月、工种、等级均相同）已在登记库中（Z1122020001"
        in output
    )
    assert "第6行" not in output
    assert (
        "第7行「姓名」“甲”：此人（姓名、出生年月、工种、等级均相同）已在本文件第4行登记" in output
    )
    path = registered.add("new.csv", [rows[0], rows[2]], MIANYANG)
    assert number(path, out, db_path)[0] == 0


def test_a_holder_whose_name_an_exchange_corrected_gets_no_number_under_the_old_one(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """A 换发 corrected 周杰 to 周洁: numbered under the name first registered, the row was then
    refused by the sync (§二: the new certificate is his), leaving a gap in the numbers."""
    exchange = status_event(
        "换发", "Z1122020001", "周杰", "2013-01-10", "Z1122020003", 更正姓名="周洁"
    )
    registered.add("changes.csv", [exchange], {"kind": "status-changes", "authority": "2202"})
    assert run("sync", str(registered.folder), "--db", str(db_path))[0] == 0
    path = registered.add("new.csv", [approval_row("", "周杰")], MIANYANG)
    code, output = number(path, tmp_path / "numbered.csv", db_path)
    assert code == 1, output
    assert "证书 Z1122020001 换发时更正了姓名或出生年月，现为 Z1122020003" in output


def test_a_technician_roster_numbered_by_a_city_is_a_usage_error(
    registered: RegisterFactory, tmp_path: Path, db_path: Path
) -> None:
    """Once, naming the options — not per row, under a 报考等级 column 附件5 does not have."""
    path = registered.add("tech.csv", [technician_row("")], TECHNICIANS)
    code, output = run(
        "number", str(path), "--kind", "technician-roster", "--authority", "2202",
        "--out", str(tmp_path / "n.csv"), "--db", str(db_path),
    )  # fmt: skip
    assert code == 2
    assert (
        "技师审核名册（附件5）的证书由省厅核发（§三）：--authority 应为 2200，不是 2202" in output
    )
    assert "报考等级" not in output


@pytest.mark.parametrize(
    ("first", "again"), [("乙", "乙"), ("阿依古丽·买买提", "阿依古丽买买提")], ids=["same", "dots"]
)
def test_a_holder_numbered_already_in_the_file_gets_no_second_number(
    registered: RegisterFactory, db_path: Path, tmp_path: Path, first: str, again: str
) -> None:
    """乙 carries Z…0003 in row 4 and appears again, unnumbered, in row 5 — also written
    without a minority name's dots, which the sync then refused under §二 in the copy."""
    rows = [approval_row("Z1122020003", first), approval_row("", again), approval_row("", "丙")]
    path = registered.add("new.csv", rows, MIANYANG)
    code, output = number(path, tmp_path / "n.csv", db_path)
    assert code == 1
    said = f"第5行「姓名」“{again}”：此人（姓名、出生年月、工种、等级均相同）已在本文件第4行登记"
    assert said in output


def test_9999_boundary(registers: RegisterFactory, db_path: Path, tmp_path: Path) -> None:
    registers.add("old.csv", [approval_row("Z1122029998", "甲")], MIANYANG)
    assert run("sync", str(registers.folder), "--db", str(db_path))[0] == 0
    one = registers.add("one.csv", [approval_row("", "乙")], MIANYANG)
    two = registers.add("two.csv", [approval_row("", "丙"), approval_row("", "丁")], MIANYANG)
    code, output = number(two, tmp_path / "two-numbered.csv", db_path)
    assert code == 1 and "中级工的顺序号将超过 9999" in output
    assert not (tmp_path / "two-numbered.csv").exists()
    code, output = number(one, tmp_path / "one-numbered.csv", db_path)
    assert code == 0 and "Z1122029999" in output


def test_usage_errors(registered: RegisterFactory, db_path: Path) -> None:
    path = registered.add("new.csv", [approval_row("", "甲")], MIANYANG)
    code, output = number(path, path, db_path)
    assert code == 2 and "不能与原文件相同" in output
    code, output = run(
        "number",
        str(path),
        "--kind",
        "approval-roster",
        "--authority",
        "9999",
        "--out",
        "x.csv",
        "--db",
        str(db_path),
    )
    assert code == 2 and "9999" in output


def test_an_xls_roster_is_refused_with_what_to_do_and_help_says_so(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """The sync reads an .xls, certreg number does not (its copy keeps the original's format):
    neither --help nor the README said so, and the refusal did not name the file."""
    xlsx = registered.add("new.xlsx", [approval_row("", "王芳")], MIANYANG)
    as_xls(xlsx, tmp_path / "new.xls")
    code, output = number(tmp_path / "new.xls", tmp_path / "out.xls", db_path)
    assert code == 2 and not (tmp_path / "out.xls").exists()
    assert "new.xls 是 .xls 文件：请在 Excel 或 WPS 中把它另存为 .xlsx" in output
    assert "再对 new.xlsx 运行 certreg number" in output
    code, output = run("number", "--help")
    assert code == 0 and ".xls、.ods 文件请先在" in output and "另存为 .xlsx" in output


def test_an_output_folder_that_does_not_exist_is_a_message(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    path = registered.add("new.csv", [approval_row("", "王芳")], MIANYANG)
    code, output = number(path, tmp_path / "missing" / "out.csv", db_path)
    assert code == 2, output
    assert "文件夹" in output and "missing" in output and "Traceback" not in output


def test_a_full_width_year_code_is_refused(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """Ｚ１２… would be a number nobody can type back, and a later run with 12 would reuse it."""
    path = registered.add("new.csv", [approval_row("", "王芳")], MIANYANG)
    args = ["number", str(path), "--kind", "approval-roster", "--authority", "2202"]
    code, output = run(
        *args, "--year-code", "１２", "--out", str(tmp_path / "o.csv"), "--db", str(db_path)
    )
    assert code == 2, output
    assert "两位半角数字" in output and not (tmp_path / "o.csv").exists()


def test_a_workbook_openpyxl_cannot_rewrite_is_a_message(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """The copy is written by a limited child process: a workbook the guarded reader accepts but
    openpyxl cannot open (no styles part) is a Chinese message, with nothing written."""
    source = registered.add("new.xlsx", [approval_row("", "王芳")], MIANYANG)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(broken, "w") as zout:
        for item in zin.infolist():
            if item.filename != "xl/styles.xml":
                zout.writestr(item, zin.read(item.filename))
    out = tmp_path / "numbered.xlsx"
    code, output = number(broken, out, db_path)
    assert code == 1, output
    assert output.startswith("错误：") and "写出编号副本失败" in output
    assert "Traceback" not in output and not out.exists()


def test_a_number_of_another_batch_in_the_file_is_not_continued(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """A row numbered under year code 11 in a file numbered now under 12: the run does not go on
    from its sequence under 12 (nor anywhere) — it names the row and numbers nothing."""
    rows = [approval_row("Z1122020007", "王芳"), approval_row("", "李娜")]
    path = registered.add("new.csv", rows, MIANYANG)
    out = tmp_path / "o.csv"
    args = ["number", str(path), "--kind", "approval-roster", "--authority", "2202"]
    code, output = run(*args, "--year-code", "12", "--out", str(out), "--db", str(db_path))
    assert code == 1, output
    assert "第4行" in output and "年份代码 11" in output and "附件3" in output
    assert not out.exists()


def test_an_exchange_takes_neither_a_handed_out_number_nor_one_ahead(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """附件3 四: a 新证书编号 that ``certreg number`` gave a roster still to be loaded was taken
    twice (the roster then refused); one far ahead used up the level's last numbers early."""
    path = RegisterFactory(tmp_path / "to-number").add(
        "new.csv", [approval_row("", "甲")], MIANYANG
    )
    assert number(path, tmp_path / "numbered.csv", db_path)[0] == 0  # hands out Z1122020003
    changes = {"kind": "status-changes", "authority": "2202"}
    for new, fragment in [
        ("Z1122020003", "已由 certreg number 分配给名册“new.csv”"),
        ("Z1122029999", "不能跳号：下一个可用的编号是 Z1122020004"),
    ]:
        registered.add(
            "changes.csv", [status_event("换发", "Z1122020001", "周杰", "2012-09-10", new)], changes
        )
        code, output = run("sync", str(registered.folder), "--db", str(db_path))
        assert code == 1 and fragment in output, output
    registered.add(
        "changes.csv",
        [status_event("换发", "Z1122020001", "周杰", "2012-09-10", "Z1122020004")],
        changes,
    )
    assert run("sync", str(registered.folder), "--db", str(db_path))[0] == 0


def test_same_named_files_in_two_folders_are_two_files(
    registered: RegisterFactory, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """名册.csv numbered from one folder, then another folder's 名册.csv typed by the same
    relative name: two files, two numbers."""
    for folder, holder in (("x", "甲"), ("y", "乙")):
        RegisterFactory(tmp_path / folder).add("名册.csv", [approval_row("", holder)], MIANYANG)
    outputs = []
    for folder in ("x", "y"):
        monkeypatch.chdir(tmp_path / folder)
        assert number(Path("名册.csv"), tmp_path / f"{folder}-out.csv", db_path)[0] == 0
        outputs.append((tmp_path / f"{folder}-out.csv").read_text())
    assert "Z1122020003" in outputs[0] and "Z1122020004" in outputs[1]


def test_a_copy_saved_back_with_another_level_keeps_its_numbers(
    registered: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """The numbered copy saved back over its source, a 初级 row added, numbered again: the file's
    Z…0003 stays spoken for, and the next file gets Z…0004."""
    path = registered.add("new.csv", [approval_row("", "甲")], MIANYANG)
    assert number(path, tmp_path / "first.csv", db_path)[0] == 0  # Z…0003
    rows = [approval_row("Z1122020003", "甲"), approval_row("", "乙", level="初级")]
    path = registered.add("new.csv", rows, MIANYANG)
    assert number(path, tmp_path / "second.csv", db_path)[0] == 0  # C…0002
    other = RegisterFactory(tmp_path / "o").add("o.csv", [approval_row("", "丙")], MIANYANG)
    assert number(other, tmp_path / "o-out.csv", db_path)[0] == 0
    assert "Z1122020004" in (tmp_path / "o-out.csv").read_text()


@pytest.mark.parametrize(
    "second",
    [[approval_row("", "甲"), approval_row("", "乙")], [approval_row("", "甲")]],
    ids=["a row dropped", "a level dropped"],
)
def test_numbering_again_with_less_never_releases_a_number_the_first_copy_shows(
    registered: RegisterFactory, db_path: Path, tmp_path: Path, second: list[dict[str, object]]
) -> None:
    """Three rows numbered, then the file numbered again with fewer (or without its 初级 row),
    then another file: no number the first copy shows is given to anyone else."""
    rows = [approval_row("", "甲"), approval_row("", "乙"), approval_row("", "丙", level="初级")]
    path = registered.add("a.csv", rows, MIANYANG)
    assert number(path, tmp_path / "a1.csv", db_path)[0] == 0  # Z…0003, Z…0004, C…0002
    path = registered.add("a.csv", second, MIANYANG)
    assert number(path, tmp_path / "a2.csv", db_path, "--again")[0] == 0
    other = RegisterFactory(tmp_path / "b").add(
        "b.csv", [approval_row("", "戊"), approval_row("", "己", level="初级")], MIANYANG
    )
    assert number(other, tmp_path / "b1.csv", db_path)[0] == 0
    first = set(re.findall(r"[CZ]11220200\d\d", (tmp_path / "a1.csv").read_text()))
    later = set(re.findall(r"[CZ]11220200\d\d", (tmp_path / "b1.csv").read_text()))
    assert first and later and not first & later


def test_a_technician_roster_not_grouped_by_trade_gets_no_numbers(
    registers: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """The numbers follow the roster's order, and sync refuses a technician roster whose trades
    are not grouped (§四.(五)2): numbered first, its numbers would be handed out for good."""
    rows = [
        technician_row("", "甲", 报考工种="中式烹调师"),
        technician_row("", "乙", 报考工种="电工"),
        technician_row("", "丙", 报考工种="中式 烹调师"),
    ]
    path = registers.add("tech.csv", rows, TECHNICIANS)
    out = tmp_path / "numbered.csv"
    code, output = run(
        "number", str(path), "--kind", "technician-roster", "--authority", "2200",
        "--region", "2201", "--year-code", "11", "--out", str(out), "--db", str(db_path),
        "--new-registry",
    )  # fmt: skip
    assert code == 1, output
    assert "工种“中式烹调师”的人员已登记在第" in output and "§四.(五)2" in output
    assert not out.exists()


def test_a_trade_written_under_its_alias_stays_in_its_group(
    registers: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """中式烹调师 and its alias 厨师 are one trade, as sync reads them: one group, numbered."""
    rows = [
        technician_row("", "甲", 报考工种="厨师"),
        technician_row("", "乙", 报考工种="中式烹调师"),
        technician_row("", "丙", 报考工种="厨师"),
        technician_row("", "丁", 报考工种="电工"),
    ]
    path = registers.add("tech.csv", rows, TECHNICIANS)
    code, output = run(
        "number", str(path), "--kind", "technician-roster", "--authority", "2200",
        "--region", "2201", "--year-code", "11", "--out", str(tmp_path / "n.csv"),
        "--db", str(db_path), "--new-registry",
    )  # fmt: skip
    assert code == 0, output
    assert "技师：J1122010001 – J1122010004，共 4 个" in output


def test_the_highest_sequence_of_a_run_reads_its_last_number_not_the_whole_run(
    tmp_path: Path,
) -> None:
    """Asked for every 换发's new number and every next free number, it read every certificate
    of the run (max over up to 9,999 rows). Counted in SQLite's steps, not timed: a run of
    5,000 costs what a run of 10 does."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    def cost(size: int) -> int:  # in a registry of its own: certificates are never deleted
        nonlocal steps
        conn = store.connect(tmp_path / f"registry-{size}.db")
        try:
            rows = [(f"Z112202{i:04d}", i) for i in range(1, size + 1)]
            conn.executemany("INSERT INTO certificates (number, sequence) VALUES (?, ?)", rows)
            steps = 0
            conn.set_progress_handler(count, 1)
            assert highest_sequence(conn, "Z", "11", "2202") == size
            conn.set_progress_handler(None, 1)
            return steps
        finally:
            conn.close()

    small, large = cost(10), cost(5000)
    assert large < 2 * small, (small, large)


def test_a_registry_that_is_not_there_hands_out_no_number(
    registers: RegisterFactory, tmp_path: Path
) -> None:
    """A --db mistyped (or run from another folder) made a new, empty registry and handed out
    Z…0001 again, already a holder's: refused, unless the registry is new indeed."""
    path = registers.add("m.xlsx", [approval_row("", "周杰")], MIANYANG)
    missing = tmp_path / "typo" / "registry.dbb"
    missing.parent.mkdir()
    code, output = number(path, tmp_path / "n.xlsx", missing)
    assert code == 2 and "登记库" in output and "不存在" in output and "--new-registry" in output
    assert not missing.exists() and not (tmp_path / "n.xlsx").exists()
    code, output = number(path, tmp_path / "n.xlsx", missing, "--new-registry")
    assert code == 0, output


def test_an_existing_file_is_never_overwritten_by_a_copy(
    registers: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """--out naming a loaded register (or a copy not loaded yet) replaced it without a word."""
    path = registers.add("m.xlsx", [approval_row("", "周杰")], MIANYANG)
    store.connect(db_path).close()
    kept = tmp_path / "loaded.xlsx"
    kept.write_bytes(b"a register")
    code, output = number(path, kept, db_path)
    assert code == 2 and "已存在" in output
    assert kept.read_bytes() == b"a register"


def test_a_copy_stopped_half_way_leaves_no_file_under_its_name(
    registers: RegisterFactory, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the copy was written left a truncated file under --out, which the clerk
    might load or print: written beside it and renamed once whole."""
    from registry.sheets import numbered_copy

    def stopped(source: Path, out: Path, *args: object) -> None:
        out.write_bytes(b"PK\x03\x04 half a workbook")
        raise KeyboardInterrupt

    monkeypatch.setattr(numbered_copy, "_write", stopped)
    path = registers.add("m.xlsx", [approval_row("", "周杰")], MIANYANG)
    store.connect(db_path).close()
    out = tmp_path / "n.xlsx"
    code, _ = number(path, out, db_path)
    assert code != 0
    assert not out.exists() and list(tmp_path.glob(".*")) == []  # no copy, no part of it


def test_a_copy_killed_half_way_leaves_no_part_of_it(
    registers: RegisterFactory, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM (a plain kill) while the copy was written left the hidden partial copy beside
    --out: ended like Ctrl-C now, through the clean-up."""
    from registry.sheets import numbered_copy

    def killed(source: Path, out: Path, *args: object) -> None:
        out.write_bytes(b"PK\x03\x04 half a workbook")
        os.kill(os.getpid(), signal.SIGTERM)

    def unheard(signum: int, frame: object) -> None:  # (the default would end the tests)
        """What the signal does outside the copy's writing: nothing."""

    monkeypatch.setattr(numbered_copy, "_write", killed)
    previous = signal.signal(signal.SIGTERM, unheard)
    try:
        path = registers.add("m.xlsx", [approval_row("", "周杰")], MIANYANG)
        store.connect(db_path).close()
        out = tmp_path / "n.xlsx"
        code, _ = number(path, out, db_path)
        assert signal.getsignal(signal.SIGTERM) is unheard  # the command's handler is put back
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert code != 0
    assert not out.exists() and list(tmp_path.glob(".*")) == []


def test_a_run_stopped_before_its_numbers_are_recorded_leaves_no_copy(
    registers: RegisterFactory, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy was named before its run was committed: a run killed in between (kill -9)
    left a whole numbered copy whose numbers the next run handed out again."""
    from registry.sync import numbering

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # stands for the process ending while the run is recorded

    monkeypatch.setattr(numbering, "record_run", killed)
    path = registers.add("m.xlsx", [approval_row("", "周杰")], MIANYANG)
    store.connect(db_path).close()
    out = tmp_path / "n.xlsx"
    code, _ = number(path, out, db_path)
    assert code == 130
    assert not out.exists() and list(tmp_path.glob(".*")) == []
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM numbering").fetchone() == (0,)


def test_the_part_of_a_copy_a_killed_run_left_is_removed_by_the_next(
    registers: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """kill -9 while the copy was written left its hidden part beside --out for good; a part
    an hour old is removed, a fresh one (a run beside it, still writing) is not."""
    path = registers.add("m.xlsx", [approval_row("", "周杰")], MIANYANG)
    store.connect(db_path).close()
    out = tmp_path / "n.xlsx"
    stale, fresh = (tmp_path / f".n.xlsx.{tag}.partial.xlsx" for tag in ("0badc0de", "c0ffee00"))
    for part in (stale, fresh):
        part.write_bytes(b"PK\x03\x04 half a workbook")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    code, output = number(path, out, db_path)
    assert code == 0, output
    assert out.exists() and list(tmp_path.glob(".*")) == [fresh]


def test_a_copy_that_cannot_be_named_after_its_numbers_are_recorded_is_kept(
    registers: RegisterFactory, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Naming the copy failing once its run was committed deleted a whole copy whose numbers
    were recorded: they could only be handed out again with --again."""
    from registry.sheets import numbered_copy

    def refused(partial: Path, out: Path) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(numbered_copy, "_claim", refused)
    path = registers.add("m.xlsx", [approval_row("", "周杰")], MIANYANG)
    store.connect(db_path).close()
    out = tmp_path / "n.xlsx"
    code, output = number(path, out, db_path)
    assert code == 1 and "编号已记录，但编号副本未能命名为" in output
    [kept] = tmp_path.glob(".n.xlsx.*.partial.xlsx")
    assert f"副本保存在 {kept}" in output and not out.exists()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM numbering").fetchone() == (1,)


def test_a_copy_another_run_wrote_meanwhile_is_not_replaced(
    registers: RegisterFactory, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs at once with one --out: both passed the check for an existing file, and the
    second copy replaced the first, whose numbers were recorded as handed out."""
    from registry.sheets import numbered_copy

    out = tmp_path / "n.xlsx"
    written = numbered_copy._write

    def racing(source: Path, partial: Path, *args: Any) -> Any:
        notes = written(source, partial, *args)
        out.write_bytes(b"the other run's copy")  # made while this one was writing
        return notes

    monkeypatch.setattr(numbered_copy, "_write", racing)
    path = registers.add("m.xlsx", [approval_row("", "周杰")], MIANYANG)
    store.connect(db_path).close()
    code, output = number(path, out, db_path)
    assert code == 2 and "已存在" in output
    assert out.read_bytes() == b"the other run's copy"
    assert list(tmp_path.glob(".*")) == []  # no part left beside it
    with sqlite3.connect(db_path) as conn:  # nothing recorded as handed out
        assert conn.execute("SELECT count(*) FROM numbering").fetchone() == (0,)


def test_a_copy_on_a_file_system_without_hard_links_is_written(
    registers: RegisterFactory, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FAT USB stick has no hard links (EPERM): the copy is renamed into place instead."""

    def no_links(source: Path, target: Path) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = registers.add("m.xlsx", [approval_row("", "周杰")], MIANYANG)
    store.connect(db_path).close()
    out = tmp_path / "n.xlsx"
    code, output = number(path, out, db_path)
    assert code == 0, output
    assert out.exists() and list(tmp_path.glob(".*")) == []


def test_an_out_name_too_long_is_a_message(
    registers: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    path = registers.add("m.xlsx", [approval_row("", "周杰")], MIANYANG)
    store.connect(db_path).close()
    code, output = number(path, tmp_path / ("名" * 90 + ".xlsx"), db_path)
    # the system's reason in the clerk's words (it was "File name too long")
    assert code == 2 and "--out 的文件名不能使用（文件名太长）" in output, output


def test_a_numbered_copy_listed_but_never_made_is_told_how_to_make(
    registers: RegisterFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """registers.toml named m-numbered.xlsx, certreg number was forgotten, and the sync said only
    找不到此文件 — with m.xlsx, the roster to number, beside it. The command it gives works."""
    registers.add("m.xlsx", [approval_row("", "周杰"), approval_row("", "郑浩")], MIANYANG)
    manifest = registers.folder / "registers.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('file = "m.xlsx"', 'file = "m-numbered.xlsx"'), "utf-8")
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    assert code == 1 and "同一文件夹中有 m.xlsx：它多半还没有编号" in output, output
    command = re.search(r"运行 (certreg number .+?)，再导入", output)
    assert command is not None, output
    monkeypatch.chdir(registers.folder)
    args = [*command[1].split()[1:], "--db", str(db_path)]
    assert run(*args)[0] == 0
    code, output = run("sync", str(registers.folder), "--db", str(db_path))
    assert code == 0 and "✔ m-numbered.xlsx" in output, output
