"""A row removed from a roster after ``certreg number`` numbered it (附件3 四): a number handed out
is never handed out again, so the rows after it are numbered again, not moved up — each message
on the way says so, and following them literally gets the roster loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl

from registry.kinds import LAYOUTS
from registry.sheets.writers import write_xlsx
from tests.registers import approval_row, footer, number, run

ROSTER = ["--kind", "approval-roster", "--authority", "2202"]
BATCH = ["--approval-doc", "绵人社函〔2012〕8号", "--issued-on", "2012-03-20", "--year-code", "11"]
NAMES = ("周杰", "郑浩", "吴敏", "王芳")


def sync(path: Path, db: Path) -> tuple[int, str]:
    return run("sync", str(path), *ROSTER, *BATCH, "--db", str(db))


def roster(path: Path, numbers: list[str], counted: bool = True) -> Path:
    rows = [approval_row(n, name) for n, name in zip(numbers, NAMES, strict=True)]
    counts = footer({"Z": len(rows)}) if counted else None
    write_xlsx(path, LAYOUTS["approval-roster"], rows, title="名册", footer=counts)
    return path


def numbered_copy(tmp_path: Path, db: Path) -> Path:
    """The four rows numbered Z1122020001 – Z1122020004 into 名册-编号.xlsx."""
    copy = tmp_path / "名册-编号.xlsx"
    assert number(roster(tmp_path / "名册.xlsx", [""] * 4), copy, db, "--new-registry")[0] == 0
    return copy


def edit(path: Path, *, fail: str = "", drop: str = "", clear: bool = False) -> None:
    """As a clerk in Excel: ``fail`` the named holder's 技术业务理论 (52), ``drop`` a holder's
    row and count one fewer in the footer, ``clear`` the 颁发证书编号 column."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    header = [above.value or below.value for above, below in zip(sheet[2], sheet[3], strict=True)]
    at = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=4) if row[0].value}
    if fail:
        sheet.cell(at[fail], header.index("技术业务理论") + 1).value = 52
    if drop:
        sheet.delete_rows(at[drop])
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "同意" in cell.value:
                    cell.value = cell.value.replace("中级 4 人", "中级 3 人")
    if clear:
        for row in sheet.iter_rows(min_row=4, max_row=7):
            row[header.index("颁发证书编号")].value = None
    workbook.save(path)


def test_a_failing_row_of_a_numbered_copy_is_removed_as_the_sync_advises(tmp_path: Path) -> None:
    """The sync advised moving the later numbers up — which it then refused, as the copy's
    numbers given to other holders. It advises numbering again, and that loads."""
    db = tmp_path / "registry.db"
    copy = numbered_copy(tmp_path, db)
    edit(copy, fail="郑浩")
    code, output = sync(copy, db)
    assert code == 1
    assert (
        "第5行「技术业务理论」“52”：分数 52 低于 60 分，不合格，不能发证。删除此行，并把页脚"
        "“同意中级 4 人”改为 3 人；其后同一等级各行的编号不能依次前移：本名册的编号是 certreg "
        "number 分配的（Z1122020001 – Z1122020004），编号一经分配不再重用（附件3 四）。请清空"
        "“颁发证书编号”列，再对本文件运行 certreg number 重新编号（--out 另取新文件名，"
        "不用加 --again），然后用 certreg sync 导入新的编号副本；原编号作废，不再使用"
    ) in output
    assert "依次前移、不能跳号" not in output
    edit(copy, drop="郑浩", clear=True)
    again = tmp_path / "名册-编号2.xlsx"
    code, output = number(copy, again, db)
    assert code == 0 and "Z1122020005 – Z1122020007，共 3 个" in output
    code, output = sync(again, db)
    assert code == 0, output


def test_a_row_deleted_from_a_numbered_copy_leaving_a_gap_is_told_to_be_numbered_again(
    tmp_path: Path,
) -> None:
    """Told 编号跳号…请用 certreg number 重新编号, the clerk ran it and heard 无需编号 (exit 0):
    the sync says to clear the column first, and so does certreg number."""
    db = tmp_path / "registry.db"
    copy = numbered_copy(tmp_path, db)
    edit(copy, drop="郑浩")
    code, output = sync(copy, db)
    assert code == 1
    assert (
        "第5行「颁发证书编号」“Z1122020003”：编号跳号：上一行（第4行）是 Z1122020001，这一行是 "
        "Z1122020003，中间的编号空着（如删除了行），其后各行的编号也不能前移：本名册的编号是 "
        "certreg number 分配的（Z1122020001 – Z1122020004）"
    ) in output
    assert "这一行应为" not in output and "请清空“颁发证书编号”列" in output
    code, output = number(copy, tmp_path / "名册-编号2.xlsx", db)
    assert code == 1 and "无需编号" not in output
    assert "编号跳号：第4行是 Z1122020001，第5行是 Z1122020003" in output
    assert "请先清空本文件的“颁发证书编号”列，再运行 certreg number 重新编号；" in output
    edit(copy, clear=True)
    assert number(copy, tmp_path / "名册-编号2.xlsx", db)[0] == 0
    assert sync(tmp_path / "名册-编号2.xlsx", db)[0] == 0


def test_a_copy_saved_back_over_its_source_is_told_to_number_again_with_again(
    tmp_path: Path,
) -> None:
    """The copy saved over the file certreg number ran on: numbering that file again, once
    cleared, abandons the run's numbers — --again, which the advice says."""
    db = tmp_path / "registry.db"
    source = tmp_path / "名册.xlsx"
    shutil.copy(numbered_copy(tmp_path, db), source)
    edit(source, fail="吴敏")
    code, output = sync(source, db)
    assert code == 1 and "（--out 另取新文件名，加 --again）" in output
    edit(source, drop="吴敏", clear=True)
    again = tmp_path / "名册-重编.xlsx"
    assert number(source, again, db)[0] == 2  # as the advice said: --again
    assert number(source, again, db, "--again")[0] == 0
    assert sync(again, db)[0] == 0


def test_a_failing_row_of_a_roster_without_a_footer_is_told_to_be_removed(tmp_path: Path) -> None:
    """Without a footer the failing row's message only said it failed: nothing said to remove
    it, nor what then becomes of the later numbers — moved up when numbered by hand, numbered
    again when certreg number handed them out."""
    db = tmp_path / "registry.db"
    by_hand = roster(tmp_path / "手编.xlsx", [f"Z112202000{i}" for i in range(1, 5)], False)
    edit(by_hand, fail="郑浩")
    code, output = sync(by_hand, db)
    assert code == 1
    assert (
        "分数 52 低于 60 分，不合格，不能发证。删除此行；按附件3 四，其后同一等级各行的编号须依次"
        "前移、不能跳号（§二、§四.(六)1）"
    ) in output
    copy = tmp_path / "名册-编号.xlsx"
    assert number(roster(tmp_path / "名册.xlsx", [""] * 4, False), copy, db)[0] == 0
    edit(copy, fail="吴敏")
    code, output = sync(copy, db)
    assert code == 1
    assert (
        "不合格，不能发证。删除此行；其后同一等级各行的编号不能依次前移：本名册的编号是 certreg "
        "number 分配的（Z1122020001 – Z1122020004）"
    ) in output


def test_numbers_moved_up_after_a_row_deleted_are_told_as_such(tmp_path: Path) -> None:
    """Moving the later numbers up (as a roster numbered by hand would) gives the copy's numbers
    to other holders: the refusal said the names were moved or the rows swapped, which the
    clerk had not done."""
    db = tmp_path / "registry.db"
    copy = numbered_copy(tmp_path, db)
    edit(copy, drop="郑浩")
    workbook = openpyxl.load_workbook(copy)
    sheet = workbook.active
    assert sheet is not None
    sheet["O5"], sheet["O6"] = "Z1122020002", "Z1122020003"
    workbook.save(copy)
    code, output = sync(copy, db)
    assert code == 1
    assert "或删除一行后其后各行的编号被前移了" in output
    assert "如要删除某行，删除后请清空“颁发证书编号”列，用 certreg number 重新编号" in output


def test_a_malformed_number_is_told_to_be_corrected_not_read_as_a_gap(tmp_path: Path) -> None:
    """Z112202O002 (a letter O) between …01 and …03 was read as no number: certreg number said
    the numbers skip one and to clear the column, the numbers void, while the sync said only to
    type 0 for O. Both say to correct it; corrected, the roster loads."""
    db = tmp_path / "registry.db"
    numbers = ["Z1122020001", "Z112202O002", "Z1122020003", "Z1122020004"]
    path = roster(tmp_path / "名册.xlsx", numbers)
    code, output = number(path, tmp_path / "名册-编号.xlsx", db, "--new-registry")
    assert code == 1 and "跳号" not in output and "清空" not in output
    why = "第8-11位顺序号“O002”应为阿拉伯数字（字母 O 应为数字 0）"
    assert f"第5行的编号“Z112202O002”有误：{why}（附件3）。请改正这个编号" in output
    code, output = sync(path, db)
    assert code == 1 and why in output and "跳号" not in output
    roster(path, ["Z1122020001", "Z1122020002", "Z1122020003", "Z1122020004"])
    assert sync(path, db)[0] == 0


def test_a_gap_in_a_roster_numbered_by_hand_is_told_as_the_sync_tells_it(tmp_path: Path) -> None:
    """No numbering run handed out …01 – …05 numbered by hand: certreg number said they could
    not move up (已分配的编号不再重用), the sync that this row should be …03. Both say …03; the
    numbers moved up, the roster loads."""
    db = tmp_path / "registry.db"
    path = roster(
        tmp_path / "名册.xlsx", ["Z1122020001", "Z1122020002", "Z1122020004", "Z1122020005"]
    )
    code, output = number(path, tmp_path / "名册-编号.xlsx", db, "--new-registry")
    assert code == 1 and "不能前移" not in output and "作废" not in output
    assert "第6行应为 Z1122020003" in output and "依次前移" in output
    code, output = sync(path, db)
    assert code == 1 and "这一行应为 Z1122020003" in output
    roster(path, ["Z1122020001", "Z1122020002", "Z1122020003", "Z1122020004"])
    assert sync(path, db)[0] == 0


def test_a_gap_over_numbers_held_is_said_to_be_held(tmp_path: Path) -> None:
    """…02 → …04 with …03 another roster's certificate was told 中间的编号空着（如删除了行）: the
    clerk looked for a row deleted. It is told …03 is held, and to number again."""
    db = tmp_path / "registry.db"
    other = tmp_path / "其他.xlsx"
    write_xlsx(
        other,
        LAYOUTS["approval-roster"],
        [approval_row("Z1122020003", "孙丽")],
        title="名册",
        footer=footer({"Z": 1}),
    )
    assert sync(other, db)[0] == 0
    path = roster(
        tmp_path / "名册.xlsx", ["Z1122020001", "Z1122020002", "Z1122020004", "Z1122020005"]
    )
    code, output = number(path, tmp_path / "名册-编号.xlsx", db)
    assert code == 1 and "空着" not in output and "应为 Z1122020003" not in output
    assert "中间的 Z1122020003 已登记给别的证书" in output and "重新编号" in output
    assert "应为 Z1122020003" not in sync(path, db)[1]
    edit(path, clear=True)
    assert number(path, tmp_path / "名册-编号.xlsx", db)[0] == 0
    assert sync(tmp_path / "名册-编号.xlsx", db)[0] == 0
