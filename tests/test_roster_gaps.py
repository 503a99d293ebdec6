"""The gap an added row leaves, told as what it is (附件3 四, `registry.kinds.roster_gaps`): a
clerk who follows each refusal literally is never sent to a number another certificate holds."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from registry.domain.numbers import CertificateNumber, parse
from registry.kinds import roster_gaps
from tests.registers import MIANYANG, RegisterFactory, approval_row, status_event, sync

CHANGES = {"kind": "status-changes", "authority": "2202"}
TOLD = re.compile(r"这一行应为 (\w{11})|下一个可用的\w+编号是 (\w{11})")
CLOSED = "已登记的名册不能再在这一等级的编号之后加人"


@pytest.fixture
def exchanged(registers: RegisterFactory, db_path: Path) -> RegisterFactory:
    """绵阳's roster holds Z1122020901 周杰 and Z1122020902 郑浩; a 换发 since gave 周杰 …903."""
    rows = [approval_row("Z1122020901", "周杰"), approval_row("Z1122020902", "郑浩")]
    registers.add("mianyang.xlsx", rows, MIANYANG)
    exchange = status_event("换发", "Z1122020901", "周杰", "2013-01-10", "Z1122020903")
    registers.add("changes.xlsx", [exchange], CHANGES)
    code, report = sync(registers.folder, db_path)
    assert code == 0, report
    return registers


def _followed(
    registers: RegisterFactory, db: Path, rows: list[dict[str, object]], added: str
) -> list[str]:
    """The refusals of the roster ``rows`` (its last row ``added``, the clerk numbering it as
    each refusal says) until one names no number to use; each told number is free."""
    told: list[str] = []
    while len(told) < 5:
        rows[-1]["颁发证书编号"] = added
        registers.add("mianyang.xlsx", rows, MIANYANG)
        code, report = sync(registers.folder, db)
        if code == 0:
            return told
        [register] = [r for r in report["registers"] if r["file"] == "mianyang.xlsx"]
        [rule] = [p["rule"] for p in register["problems"] if p["value"] == added]
        told.append(rule)
        found = TOLD.search(rule)
        if found is None:
            return told
        added = found.group(1) or found.group(2)
        with sqlite3.connect(db) as conn:
            held = conn.execute("SELECT 1 FROM certificates WHERE number = ?", (added,))
            assert held.fetchone() is None, rule
    raise AssertionError(told)


def test_a_row_after_its_own_row_left_out_is_not_told_a_number_held(
    exchanged: RegisterFactory, db_path: Path
) -> None:
    """The version leaves out 郑浩's …902 and adds a row numbered …904, …903 a 换发's: told
    "应为 Z1122020903", then that …903 is taken and …904 free, then that the roster is closed.
    Told the last at once, with 郑浩's row to go back."""
    rows = [approval_row("Z1122020901", "周杰"), approval_row("", "吴敏")]
    [rule] = _followed(exchanged, db_path, rows, "Z1122020905")
    assert rule.startswith("编号跳号：Z1122020902（郑浩）是本名册已登记的证书")
    assert "跳过的 Z1122020903 已登记给别的证书" in rule and CLOSED in rule


def test_a_row_after_the_roster_is_not_told_the_number_a_reissue_took(
    exchanged: RegisterFactory, db_path: Path
) -> None:
    """Nothing left out, the added row numbered …905: it was told "应为 Z1122020903" (the
    换发's), whose refusal named …904, whose refusal said the roster is closed."""
    rows = [*(approval_row(f"Z112202090{i}", n) for i, n in ((1, "周杰"), (2, "郑浩")))]
    [rule] = _followed(exchanged, db_path, [*rows, approval_row("", "吴敏")], "Z1122020905")
    assert rule.startswith("编号跳号：跳过的 Z1122020903 已登记给别的证书") and CLOSED in rule


def test_a_new_roster_is_not_told_a_number_held_by_another_roster(
    exchanged: RegisterFactory, db_path: Path
) -> None:
    """A new roster numbered …900 and …904 was told "这一行应为 Z1122020901", 周杰's number."""
    rows = [approval_row("Z1122020900", "吴敏"), approval_row("Z1122020904", "王芳")]
    exchanged.add("other.xlsx", rows, MIANYANG)
    code, report = sync(exchanged.folder, db_path)
    assert code == 1
    [register] = [r for r in report["registers"] if r["file"] == "other.xlsx"]
    [rule] = [p["rule"] for p in register["problems"] if p["value"] == "Z1122020904"]
    assert "应为 Z1122020901" not in rule
    assert "Z1122020901 已登记给别的证书" in rule and "用 certreg number 重新编号" in rule


@pytest.mark.parametrize("left_out", [2, 4])
def test_rows_left_out_are_named_a_few_and_told_as_rows(
    registers: RegisterFactory, db_path: Path, left_out: int
) -> None:
    """A version leaving out 9,000 rows had each named in one rule of 180,000 characters, stored
    again at every attempt; several were told 漏列了它的那一行, as if one. The first three are
    named, then how many; put back, with the added row numbered as told, the version loads."""
    names = ["周杰", "郑浩", "吴敏", "王芳", "李强", "赵六"]
    rows = [approval_row(f"Z112202090{i + 1}", name) for i, name in enumerate(names)]
    kept = left_out + 2  # the rows loaded: the first, those left out, and the one after them
    registers.add("mianyang.xlsx", rows[: kept - 1], MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    version = [rows[0], approval_row("Z1122020908", "孙丽")]
    registers.add("mianyang.xlsx", version, MIANYANG)
    code, report = sync(registers.folder, db_path)
    assert code == 1
    [register] = [r for r in report["registers"] if r["file"] == "mianyang.xlsx"]
    [rule] = [p["rule"] for p in register["problems"]]
    named = "、".join(f"Z112202090{i + 2}（{names[i + 1]}）" for i in range(min(left_out, 3)))
    more = "等 4 份" if left_out > 3 else ""
    assert rule.startswith(f"编号跳号：{named}{more}是本名册已登记的证书，这一版漏列了它们的行")
    assert "请把这些行放回原处" in rule and "那一行" not in rule and names[4] not in rule
    told = f"Z112202090{kept}"
    assert f"这一行应为 {told}。" in rule
    registers.add("mianyang.xlsx", [*rows[: kept - 1], approval_row(told, "孙丽")], MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0


def test_a_row_numbered_as_the_reissue_is_told_at_once_that_the_roster_is_closed(
    exchanged: RegisterFactory, db_path: Path
) -> None:
    """The added row numbered …903, next after 郑浩's …902 but a 换发's: told …903 is taken and
    "下一个可用的中级工编号是 Z1122020904", whose refusal said …903 is skipped and the roster
    closed. Told the last at once, with no number to use."""
    rows = [*(approval_row(f"Z112202090{i}", n) for i, n in ((1, "周杰"), (2, "郑浩")))]
    [rule] = _followed(exchanged, db_path, [*rows, approval_row("", "吴敏")], "Z1122020903")
    assert rule.startswith("该编号已由登记表“changes.xlsx”换发或补发给另一持证人")
    assert "其后的 Z1122020903 已登记给别的证书" in rule and CLOSED in rule


def test_a_number_given_twice_in_a_loaded_roster_is_still_told_the_next_free(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A loaded roster's two added rows both numbered …903, nothing held between the first and
    the next free …904: the second told …904, which loads."""
    registers.add("mianyang.xlsx", [approval_row("Z1122020902", "周杰")], MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    rows = [approval_row(f"Z112202090{i}", n) for i, n in ((2, "周杰"), (3, "郑浩"))]
    [rule] = _followed(registers, db_path, [*rows, approval_row("", "吴敏")], "Z1122020903")
    assert "下一个可用的中级工编号是 Z1122020904" in rule and CLOSED not in rule


def test_each_row_s_number_is_read_once_for_all_the_gaps(
    registers: RegisterFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each added row's gap was found by reading every row before it: 400 rows added to a roster
    of 36,000 parsed 14.5 million numbers, 28 s a sync. The rows are read once for all of them
    (counted through the parse the gaps use, which still does the parsing)."""
    names = [
        f"王{c}"
        for c in "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华文玉兰红梅林海波宁斌峰辉鹏飞雪松"
    ]
    rows = [approval_row(f"Z11220209{i + 10:02d}", name) for i, name in enumerate(names[:30])]
    registers.add("mianyang.xlsx", rows, MIANYANG)
    assert sync(registers.folder, db_path)[0] == 0
    added = [approval_row(f"Z11220209{42 + 2 * i}", name) for i, name in enumerate(names[30:])]
    registers.add("mianyang.xlsx", [*rows, *added], MIANYANG)
    read: list[str] = []

    def counted(number: str) -> CertificateNumber:
        read.append(number)
        return parse(number)

    monkeypatch.setattr(roster_gaps, "parse", counted)
    code, report = sync(registers.folder, db_path)
    assert code == 1
    [register] = [r for r in report["registers"] if r["file"] == "mianyang.xlsx"]
    assert len(register["problems"]) == len(added)
    assert 0 < len(read) <= len(rows) + len(added)
