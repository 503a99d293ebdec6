"""The public decision of SPEC §7 — valid, reissued, superseded, revoked, no_match, malformed —
as rules over real registries (registers written with openpyxl/csv, loaded with ``certreg sync``):
which number and name give which answer, what the answer carries, and that no input makes
the check raise instead of answering."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from registry import store
from registry.cli import cli
from registry.domain import names
from registry.domain.levels import LEVELS
from registry.domain.names import name_key, normalise_name
from registry.domain.numbers import CertificateNumber, normalise, parse
from registry.domain.regions import REGIONS
from registry.domain.statuses import RESULTS
from registry.public import lookup
from registry.public.lookup import AsOf, Verification, certificate_count, recheck, verify
from registry.public.name_faults import garbled
from registry.store import data_version, registry_as_of
from registry.store.migrations import LATEST
from tests.registers import MIANYANG, RegisterFactory, approval_row
from tests.verify_fixtures import CASES, SUCCESSOR, AppClient, app_client, clock, registry_db
from tests.verify_fixtures import sync_samples as sync_sample_registers
from verify_app.presentation import shown_time

__all__ = ["app_client", "clock", "registry_db"]

# (number, holder as the roster writes it, 报考等级, status after the status-changes register,
#  status date, the holder as the public sees it)
ROSTER = [
    ("Z1122020123", "周杰", "中级", "valid", None, "周*"),
    ("Z1122020124", "郑　浩", "中级", "reissued", "2012-09-10", "郑*"),
    ("Z1122020125", "东方明", "中级", "revoked", "2013-01-15", "东方*"),
    ("Z1122020126", "张三四五", "中级", "valid", None, "张**五"),
    ("C1122020001", "欧阳", "初级", "valid", None, "欧*"),  # 欧 + 阳, not the surname 欧阳
    ("C1122020002", "Li Ming", "初级", "valid", None, "L****g"),
    ("G1122020001", "阿依古丽•买买提", "高级", "valid", None, "阿***·**提"),
]
REGISTERED = [(number, name) for number, name, *_ in ROSTER]
MIANYANG_AUTHORITY = "绵阳市人力资源和社会保障局"
EMPTY_NAME = "持证人姓名为空"

on_a_registry = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _event(kind: str, number: str, name: str, date: str) -> dict[str, object]:
    row: dict[str, object] = {
        "类型": kind,
        "证书编号": number,
        "姓名": name,
        "日期": date,
        "新证书编号": "",
        "原因": "遗失" if kind == "补发" else "以欺骗手段取得",
        "批准文号": f"绵人社函〔{date[:4]}〕1号",
    }
    if kind == "补发":
        row.update(
            {
                "个人申请": "申请1",
                "单位证明": "证明1",
                "原公布文件": "绵人社函〔2012〕8号",
                "主管部门审核": "同意",
                "发证机关审核": "同意",
            }
        )
    return row


def _sync(folder: Path, db: Path) -> None:
    result = CliRunner().invoke(cli, ["sync", str(folder), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """绵阳's roster of `ROSTER` and a status-changes register: one certificate per holder."""
    folder = tmp_path_factory.mktemp("decisions")
    registers = RegisterFactory(folder / "registers")
    rows = [approval_row(number, name, level) for number, name, level, *_ in ROSTER]
    registers.add("mianyang.csv", rows, MIANYANG)
    registers.add(
        "changes.xlsx",
        [
            _event("补发", "Z1122020124", "郑浩", "2012-09-10"),
            _event("撤销", "Z1122020125", "东方明", "2013-01-15"),
        ],
        {"kind": "status-changes", "authority": "2202"},
    )
    db = folder / "registry.db"
    _sync(registers.folder, db)
    return db


@pytest.fixture(scope="module")
def conn(registry: Path) -> Iterator[sqlite3.Connection]:
    connection = store.connect(registry, readonly=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def samples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample registers: every status, 换发 with a successor included."""
    db = tmp_path_factory.mktemp("samples") / "registry.db"
    sync_sample_registers(db)
    return db


@pytest.fixture(scope="module")
def samples(samples_db: Path) -> Iterator[sqlite3.Connection]:
    connection = store.connect(samples_db, readonly=True)
    yield connection
    connection.close()


def cli_verify(db: Path, number: str, name: str, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["verify", number, name, "--db", str(db), *options])
    return result.exit_code, result.stdout


# A match: exactly the public fields of the registered certificate.


@pytest.mark.parametrize(("number", "name", "level", "status", "date", "holder"), ROSTER)
def test_each_holder_gets_the_registered_status_and_public_fields(
    conn: sqlite3.Connection,
    number: str,
    name: str,
    level: str,
    status: str,
    date: str | None,
    holder: str,
) -> None:
    answer = verify(conn, number, name)
    expected: dict[str, object] = {
        "result": status,
        "number": number,
        "level": {"初级": "初级工", "中级": "中级工", "高级": "高级工"}[level],
        "trade": "电工",
        "authority": MIANYANG_AUTHORITY,
        "issued_on": "2012-03-20",
        "holder": holder,
        "as_of": registry_as_of(conn),
    }
    if date:
        expected["status_date"] = date
    if status == "reissued":  # the paper now valid is the one marked 补发 (§四.(六)3)
        expected["reissue"] = True
    assert answer.as_json() == expected
    assert answer.matched


@on_a_registry
@given(
    entry=st.sampled_from(REGISTERED),
    case=st.sampled_from([str.upper, str.lower, str.swapcase]),
    spaced=st.booleans(),
    full_width=st.booleans(),
)
def test_how_the_number_and_name_are_typed_does_not_matter(
    conn: sqlite3.Connection,
    entry: tuple[str, str],
    case: Callable[[str], str],
    spaced: bool,
    full_width: bool,
) -> None:
    number, name = entry
    typed_number = case(number)
    typed_name = name.upper() if name.isascii() else name
    if spaced:
        typed_number = (
            f" {typed_number[0]} {typed_number[1:3]}-{typed_number[3:7]} {typed_number[7:]}"
        )
        typed_name = "\u3000".join(typed_name) + "\t"
    if full_width:
        typed_number = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in typed_number)
    assert verify(conn, typed_number, typed_name) == verify(conn, number, name)


def test_a_latin_name_matches_whatever_its_case_and_spacing(registry: Path) -> None:
    for typed in ("li ming", "LI MING", "LiMing", "ｌｉ　ｍｉｎｇ"):
        code, output = cli_verify(registry, "C1122020002", typed, "--json")
        assert code == 0, typed
        assert json.loads(output)["holder"] == "L****g"
    code, output = cli_verify(registry, "C1122020002", "Li Mina", "--json")
    assert (code, json.loads(output)["result"]) == (1, "no_match")


@pytest.mark.parametrize(
    ("typed", "older"),
    [
        ("C11220O0002", False),
        ("C1122OIOOO2", False),
        ("123456", True),
        ("C11-2202", True),
        # a phone review: a chat's card pasted whole, an ID card's number
        ("证书编号：C1122020002 姓名：李明", False),
        ("C11.2202.0002", False),
        ("51070319750401123X", False),
    ],
)
def test_only_a_number_that_is_none_of_ours_is_told_it_may_be_an_older_certificate(
    registry: Path, typed: str, older: bool
) -> None:
    """A letter O typed for a 0 (a number of ours mistyped) was told, at length, about older
    certificates the registry does not hold: noise to an officer on a phone."""
    output = cli_verify(registry, typed, "李明", "--json")[1]
    advice = json.loads(output)["advice"]
    assert ("旧式证书" in advice) is older, advice
    assert "请核对后重新输入" in advice


def test_a_minority_name_matches_however_its_dot_is_typed(registry: Path) -> None:
    """阿依古丽•买买提 is registered with a dot; an employer types a full stop, a space, or
    nothing at all there (the dot is the character phones make hardest). Other letters still
    have to agree."""
    for typed in (
        "阿依古丽·买买提",
        "阿依古丽.买买提",
        "阿依古丽。买买提",
        "阿依古丽－买买提",
        "阿依古丽 买买提",
        "阿依古丽买买提",
    ):
        code, output = cli_verify(registry, "G1122020001", typed, "--json")
        assert (code, json.loads(output)["result"]) == (0, "valid"), typed
    code, output = cli_verify(registry, "G1122020001", "阿依古丽·买提", "--json")
    assert (code, json.loads(output)["result"]) == (1, "no_match")


def test_a_roster_name_with_a_full_stop_for_its_dot_is_registered_with_the_dot(
    registers: RegisterFactory, db_path: Path
) -> None:
    registers.add("m.csv", [approval_row("Z1122020901", "阿依古丽.买买提")], MIANYANG)
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db_path) as conn:
        (name,) = conn.execute("SELECT name FROM certificates").fetchone()
    assert name == "阿依古丽·买买提"
    assert normalise_name("Li.Ming") == "Li.Ming"  # a Latin name's stop is its own


def _registered_by_an_older_certreg(registers: RegisterFactory, db: Path, name: str) -> None:
    """Z1122020901 registered to ``name`` as written, as a certreg before the full stop was
    read as the dot stored it (name and key)."""
    registers.add("m.csv", [approval_row("Z1122020901", name)], MIANYANG)
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE certificates SET name = ?, name_key = ?", (name, name))


def test_a_name_an_older_certreg_registered_with_a_full_stop_still_corrects(
    registers: RegisterFactory, db_path: Path
) -> None:
    """Before the full stop was read as the dot, 阿依古丽.买买提 was registered as typed: the
    roster's next version (a row added) now reads it as 阿依古丽·买买提, the same holder."""
    _registered_by_an_older_certreg(registers, db_path, "阿依古丽.买买提")
    rows = [approval_row("Z1122020901", "阿依古丽.买买提"), approval_row("Z1122020902", "周杰")]
    registers.add("m.csv", rows, MIANYANG)
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert cli_verify(db_path, "Z1122020901", "阿依古丽·买买提")[0] == 0


@pytest.mark.parametrize(("written", "version"), [("阿依古丽.买买提", 0), ("阿依古丽ꞏ买买提", 2)])
def test_an_older_registrys_full_stop_names_are_refolded_for_the_one_holder_rule(
    registers: RegisterFactory, db_path: Path, written: str, version: int
) -> None:
    """§二 compares name keys exactly: 阿依古丽.买买提 (or with the sinological dot ꞏ), keyed
    as typed by an older certreg, let 阿依古丽·买买提 take the same certificate again. The first
    write connection refolds the keys (once: ``user_version``); the name stays as registered."""
    _registered_by_an_older_certreg(registers, db_path, written)
    with sqlite3.connect(db_path) as conn:  # nor had it refolded the keys
        conn.execute(f"PRAGMA user_version = {version}")
    registers.add("again.csv", [approval_row("Z1122020902", "阿依古丽·买买提")], MIANYANG)
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db_path)])
    assert result.exit_code == 1 and "§二" in result.output, result.output
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT name, name_key FROM certificates").fetchall() == [
            (written, "阿依古丽·买买提")
        ]
        assert conn.execute("PRAGMA user_version").fetchone() == (LATEST,)


def test_the_command_gives_the_registrys_time_in_beijing_time(registry: Path) -> None:
    code, output = cli_verify(registry, "G1122020001", "阿依古丽·买买提")
    with sqlite3.connect(registry) as conn:
        as_of = registry_as_of(conn)
    assert code == 0 and f"登记库更新时间：{shown_time(as_of)}\n" in output  # as on the page
    assert "+00:00" not in output and re.search(r"：北京时间 \d{4}-\d\d-\d\d \d\d:\d\d\n", output)


def test_a_curly_apostrophe_is_the_apostrophe_people_type(
    registers: RegisterFactory, db_path: Path
) -> None:
    """O’Neil, as a word processor writes it in a roster, is O'Neil as typed on a keyboard —
    also in a registry an older certreg keyed it in (refolded on the first write connection)."""
    registers.add("m.csv", [approval_row("Z1122020901", "O’Neil")], MIANYANG)
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert cli_verify(db_path, "Z1122020901", "O'Neil")[0] == 0
    assert cli_verify(db_path, "Z1122020901", "o‘neil")[0] == 0
    with sqlite3.connect(db_path) as conn:  # as an older certreg keyed it
        conn.execute("UPDATE certificates SET name = 'O’Neil', name_key = 'o’neil'")
        conn.execute("PRAGMA user_version = 1")
    registers.add("n.csv", [approval_row("Z1122020902", "周杰")], MIANYANG)
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert cli_verify(db_path, "Z1122020901", "O'Neil")[0] == 0
    with sqlite3.connect(db_path) as conn:
        assert conn.execute(
            "SELECT name, name_key FROM certificates WHERE number = 'Z1122020901'"
        ).fetchone() == ("O’Neil", "o'neil")


def test_a_registry_not_yet_refolded_still_finds_the_apostrophe_typed_otherwise(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A replica reads the registry host's copy, which is refolded at the host's next write
    connection only: till then O’Neil is keyed o’neil, and the public check (read-only) must
    still find it for O'Neil — and ʼ (U+02BC, a letter to Python) is an apostrophe too."""
    registers.add("m.csv", [approval_row("Z1122020901", "Oʼ Neil")], MIANYANG)
    assert (
        CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db_path)]).exit_code
        == 0
    )
    with sqlite3.connect(db_path) as conn:  # as an older certreg keyed it, not refolded yet
        conn.execute("UPDATE certificates SET name = 'O’Neil', name_key = 'o’neil'")
        conn.execute("PRAGMA user_version = 1")
    assert [cli_verify(db_path, "Z1122020901", typed)[0] for typed in ("O'Neil", "OʼNeil")] == [
        0,
        0,
    ]
    with sqlite3.connect(db_path) as conn:  # the check wrote nothing
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)
    assert normalise_name("OʼNeil") == "O'Neil"


# No match: another number, or another name, and nothing tells the two apart.


well_formed_numbers = st.builds(
    lambda letter, year, region, sequence: str(
        CertificateNumber(letter, f"{year:02d}", region, sequence)
    ),
    st.sampled_from(sorted(LEVELS)),
    st.integers(0, 99),
    st.sampled_from(sorted(REGIONS)),
    st.integers(1, 9999),
)


def _neighbour(number: str, delta: int, letter: str | None) -> str:
    parsed = parse(number)
    sequence = min(max(parsed.sequence + delta, 1), 9999)
    return str(parsed._replace(letter=letter or parsed.letter, sequence=sequence))


neighbours = st.builds(
    _neighbour,
    st.sampled_from([number for number, _ in REGISTERED]),
    st.integers(-200, 200),
    st.one_of(st.none(), st.sampled_from(sorted(LEVELS))),
)


@on_a_registry
@given(entry=st.sampled_from(REGISTERED), other=st.one_of(neighbours, well_formed_numbers))
@example(entry=("Z1122020123", "周杰"), other="Z1122020100")  # sorts just before it
@example(entry=("Z1122020123", "周杰"), other="Z1122020122")
@example(entry=("C1122020002", "Li Ming"), other="C1122020001")  # registered to someone else
def test_any_other_number_with_a_registered_holder_is_no_match(
    conn: sqlite3.Connection, entry: tuple[str, str], other: str
) -> None:
    number, name = entry
    assume(other != number)
    assert verify(conn, other, name) == Verification("no_match", other, registry_as_of(conn))


@on_a_registry
@given(entry=st.sampled_from(REGISTERED), other=st.text(min_size=1, max_size=20))
@example(entry=("Z1122020123", "周杰"), other="周")
@example(entry=("Z1122020123", "周杰"), other="周杰杰")
def test_a_registered_number_with_another_name_is_no_match(
    conn: sqlite3.Connection, entry: tuple[str, str], other: str
) -> None:
    number, name = entry
    assume(name_key(other) and name_key(other) != name_key(name) and not garbled(other))
    answer = verify(conn, number, other)
    unknown = verify(conn, "Z1122029999", name)
    assert answer == Verification("no_match", number, registry_as_of(conn))
    assert answer.as_json().keys() == unknown.as_json().keys()
    assert answer.advice() == unknown.advice()


@pytest.mark.parametrize(
    "invisible", ["\u00ad", "\u200b", "\u2060", "\ufeff", "\u200e", "\u2065", "\U000e0080"]
)
def test_what_a_reader_cannot_see_is_not_part_of_what_they_typed(
    samples: sqlite3.Connection, invisible: str
) -> None:
    """A number or name pasted from a document with a soft hyphen or a zero-width space: the
    employer sees 11 characters and the right name, and was told 12 — then offered a forgery
    report for a valid certificate."""
    number, holder = CASES["valid"]
    pasted = verify(samples, number[:3] + invisible + number[3:] + invisible, invisible + holder)
    assert (pasted.result, pasted.number) == ("valid", number)


@pytest.mark.parametrize("result", ["valid", "reissued", "superseded", "revoked"])
def test_a_wrong_name_costs_one_read_whatever_the_number_became(
    samples: sqlite3.Connection, result: str
) -> None:
    """Reading a revoked or replaced certificate's events for a wrong name took a second query:
    its time told a stranger who knew only the number what had become of it (SPEC §7)."""
    number, holder = CASES[result]
    cached: AsOf = lambda conn, version: "2012-12-01"  # noqa: E731 (a server's cached time)
    statements: list[str] = []
    samples.set_trace_callback(statements.append)
    try:
        matched = verify(samples, number, holder, as_of=cached)
        del statements[:]
        answer = verify(samples, number, "张三明" if holder != "张三明" else "李芳", as_of=cached)
    finally:
        samples.set_trace_callback(None)
    assert matched.result == result and answer.result == "no_match"
    queries = [sql for sql in statements if not sql.startswith("--")]  # not a pragma's own
    assert len(queries) == 1, queries


def test_a_name_typed_in_traditional_characters_is_the_registered_one(
    samples: sqlite3.Connection,
) -> None:
    """An employer typing the name as a traditional-character system writes it (張三明 for
    张三明) is told the certificate, as with full-width letters: one name, written otherwise."""
    number, holder = CASES["valid"]
    traditional = holder.translate(str.maketrans("张三明", "張三明"))
    assert traditional != holder
    assert verify(samples, number, traditional).result == "valid"


def test_a_number_not_registered_compares_the_name_as_a_registered_one_does(
    samples: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A number not registered still compares the name (with a key no name has): skipping the
    comparison answered it microseconds sooner than a registered number with a wrong name, a
    difference a stranger could time to learn which numbers are real."""
    compared: list[str] = []
    compare = names.same_holder

    def same_holder(stored: str, key: str) -> bool:
        compared.append(stored)
        return compare(stored, key)

    monkeypatch.setattr(lookup, "same_holder", same_holder)
    unknown = verify(samples, "Z1122029999", "欧阳某某")
    compared_for_unknown, compared[:] = list(compared), []
    wrong = verify(samples, CASES["valid"][0], "欧阳某某")
    assert unknown.result == wrong.result == "no_match"
    assert len(compared_for_unknown) == len(compared) == 1
    assert compared_for_unknown[0] != compared[0]  # no holder's name stood in


# Malformed: the number is not 附件3's, or there is no name; the reason is named, nothing raises.

NUMBER, HOLDER = REGISTERED[0]
Reason = Callable[[str], str]


def _letter(char: str) -> str:
    """A first character as a reason shows it: one not a Latin letter with its code point."""
    return char if char.isascii() else f"{char}（U+{ord(char):04X}，不是英文字母）"


LOOKALIKES = {"O": "字母 O 应为数字 0", "I": "字母 I 应为数字 1", "L": "字母 L 应为数字 1"}


def _hinted(part: str) -> str:
    """The letters of ``part`` that people type for a digit, as the reason names them."""
    found = [say for letter, say in LOOKALIKES.items() if letter in part]
    return f"（{'，'.join(found)}）" if found else ""


PARTS: tuple[tuple[range, Reason], ...] = (
    (
        range(0, 1),
        lambda v: f"第1位“{_letter(v[0])}”不是等级代码（J 技师、G 高级工、Z 中级工、C 初级工）",
    ),
    (range(1, 3), lambda v: f"第2-3位年份代码“{v[1:3]}”应为阿拉伯数字{_hinted(v[1:3])}"),
    (range(3, 7), lambda v: f"第4-7位地区代码“{v[3:7]}”应为阿拉伯数字{_hinted(v[3:7])}"),
    (range(7, 11), lambda v: f"第8-11位顺序号“{v[7:]}”应为阿拉伯数字{_hinted(v[7:])}"),
)
# Anything but surrogates and combining marks (which would merge with the character before).
characters = st.one_of(
    st.characters(exclude_categories=("Cs", "Mn", "Mc", "Me")),
    st.characters(categories=["Nd"]),  # digits of other scripts: ٣ ३ ๓ … stay as they are
    st.sampled_from("XO一〇٣۳३৩๓ ‐-_.ß"),
)


def _replace(position: int, char: str) -> str:
    return NUMBER[:position] + char + NUMBER[position + 1 :]


def _is_what_belongs_there(position: int, char: str) -> bool:
    folded = normalise(char)
    return folded in LEVELS if position == 0 else folded.isascii() and folded.isdigit()


@on_a_registry
@given(position=st.integers(0, 10), char=characters)
@example(position=7, char="X")  # Z112202X123
@example(position=9, char="٢")  # Arabic-Indic: NFKC leaves it, int() would read it as 2
@example(position=10, char="३")
@example(position=2, char="〇")
@example(position=0, char="'")
def test_anything_but_a_digit_anywhere_is_malformed_and_named(
    conn: sqlite3.Connection, position: int, char: str
) -> None:
    assume(not _is_what_belongs_there(position, char))
    typed = _replace(position, char)
    value = normalise(typed)
    answer = verify(conn, typed, HOLDER)  # must answer, never raise
    assert (answer.result, answer.number) == ("malformed", value)
    assert answer.as_of == registry_as_of(conn)
    if len(value) != 11:
        # a letter and ten digits, then more that is no digit: a note after the number
        noted = re.fullmatch("[JGZC][0-9]{10}[^0-9].*", value, re.S)
        # a label before it: a letter and ten digits at the end, after something no digit
        labelled = re.fullmatch("(?s).*[^0-9][JGZC][0-9]{10}", value)
        assert answer.reason == (
            f"证书编号后有多余的文字“{value[11:]}”，请只填写11位的证书编号"
            if noted
            else f"证书编号前有多余的文字“{value[:-11]}”，请只填写11位的证书编号"
            if labelled
            else f"证书编号应为11位，实为{len(value)}位"
        )
    elif value[0] in "'\u2018\u2019":  # Excel's text mark, told as such (a clerk's review)
        assert answer.reason == "开头的撇号是 Excel 的“文本”标记，不是证书编号的一部分，请删去"
    elif value[:position] + value[position + 1 :] == NUMBER[:position] + NUMBER[position + 1 :]:
        reason = next(say for where, say in PARTS if position in where)
        assert answer.reason == reason(value)
    assert answer.as_json().keys() == {"result", "number", "as_of", "reason", "faulty_input"}
    assert answer.faulty_input == "number"


def test_every_position_refuses_every_kind_of_non_digit(conn: sqlite3.Connection) -> None:
    """The rule above, exhaustively for one character of each kind: Latin, Han numerals, digits
    of other scripts, full-width and circled forms, punctuation, spaces, a letter that grows."""
    for position in range(11):
        for char in "XzO一〇٣۳३৩๓Ａ①. _/ß\u200b":
            if _is_what_belongs_there(position, char):
                continue
            answer = verify(conn, _replace(position, char), HOLDER)
            assert answer.result == "malformed", (position, char)
            assert answer.reason, (position, char)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "证书编号为空"),
        (" - ", "证书编号为空"),
        ("Z1122020000", "顺序号应在0001-9999之间，不能为0000"),
        ("Z1129990123", "地区代码“2999”不是附件3规定的市（州）代码"),
        ("z11-2202-01234", "证书编号应为11位，实为12位"),
    ],
)
def test_malformed_numbers_name_the_reason(
    conn: sqlite3.Connection, typed: str, reason: str
) -> None:
    answer = verify(conn, typed, HOLDER)
    assert answer == Verification(
        "malformed", normalise(typed), registry_as_of(conn), reason=reason, faulty_input="number"
    )
    assert answer.advice().startswith(reason + "。")
    assert not answer.matched


@pytest.mark.parametrize("name", ["", " ", "\t", "\n", "\u3000", " \t\u3000\r\n"])
@pytest.mark.parametrize("typed", ["Z1122020123", "ｚ11-2202-0123", "Z1122029999"])
def test_a_well_formed_number_without_a_name_is_malformed(
    conn: sqlite3.Connection, typed: str, name: str
) -> None:
    answer = verify(conn, typed, name)
    canonical = str(parse(typed))
    assert answer == Verification(
        "malformed", canonical, registry_as_of(conn), reason=EMPTY_NAME, faulty_input="name"
    )
    assert answer.as_json() == {
        "result": "malformed",
        "number": canonical,
        "as_of": registry_as_of(conn),
        "reason": EMPTY_NAME,
        "faulty_input": "name",  # a program tells it from a bad number without reading Chinese
    }
    assert EMPTY_NAME in answer.advice() and "填写证书上的持证人姓名" in answer.advice()
    assert "11位" not in answer.advice()  # the number was fine: nothing to correct there


@pytest.mark.parametrize("control", ["\u202e", "\u202d", "\u2067", "\u202a"])
def test_a_name_whose_letters_show_in_another_order_is_not_checked(
    conn: sqlite3.Connection, control: str
) -> None:
    """张\u202e三明 shows 张明三 and was matched to 张三明: the invisible control was dropped like
    a zero-width space, and the employer read another name than the one checked."""
    number, holder = "Z1122020123", "周杰"  # the sample registry's holder
    assert verify(conn, number, holder).matched
    answer = verify(conn, number, holder[0] + control + holder[1:])
    assert (answer.result, answer.label, answer.faulty_input) == ("malformed", "未查验", "name")
    assert "显示顺序" in answer.advice() and "11位" not in answer.advice()
    assert not answer.wants_contact
    assert verify(conn, number, holder[0] + "\u200b" + holder[1:]).matched  # zero-width: fine


@pytest.mark.parametrize(
    "garbled",
    [
        "??",
        "？？",
        "? ?",
        "\ufffd\ufffd",
        "周\ufffd",
        "周杰".encode().decode("latin-1"),  # PowerShell 5.1's body
        "张三".encode().decode("cp1252"),
        "周杰".encode("gbk").decode("latin-1"),
    ],
)
def test_a_name_a_wrong_charset_destroyed_is_not_checked(
    conn: sqlite3.Connection, garbled: str
) -> None:
    """??? or å¼ ä¸‰ was answered 未查到 with a forgery ticket, and counted as a wrong name
    against a real number (an integrator's review): it is no name to check."""
    answer = verify(conn, "Z1122020123", garbled)
    assert (answer.result, answer.label, answer.faulty_input) == ("malformed", "未查验", "name")
    assert "乱码" in answer.advice() and "UTF-8" in answer.advice()
    assert not answer.wants_contact


@pytest.mark.parametrize("name", ["周杰", "O'Neil", "Zoë", "阿依古丽·买买提", "José"])
def test_a_name_in_latin_letters_is_no_garble(conn: sqlite3.Connection, name: str) -> None:
    """Latin letters with accents read in no other charset as Chinese: a name, checked."""
    assert verify(conn, "Z1122020123", name).result in ("valid", "no_match")


@pytest.mark.parametrize("control", ["\u202e", "\u202d"])
def test_a_number_whose_characters_show_in_another_order_is_not_checked(
    conn: sqlite3.Connection, control: str
) -> None:
    """An integrator's review: Z1122020123 with a bidi override in it was answered 有效, where
    the same override in a name is 未查验 — the number shown is not the number checked."""
    number, holder = "Z1122020123", "周杰"
    answer = verify(conn, number[:5] + control + number[5:], holder)
    assert (answer.result, answer.label, answer.faulty_input) == ("malformed", "未查验", "number")
    assert "显示顺序" in answer.advice() and "不要复制粘贴" in answer.advice()
    assert not answer.wants_contact  # a paste, no sign of a forgery
    assert verify(conn, number[:5] + "\u200b" + number[5:], holder).matched  # zero-width: fine
    # an embedding or isolate around it shows it as it is (a copy from a web page wraps so)
    for wrapped in (f"\u202a{number}\u202c", f"\u2066{number}\u2069"):
        assert verify(conn, wrapped, holder).matched, wrapped


def test_without_a_name_the_command_line_says_so(registry: Path) -> None:
    code, output = cli_verify(registry, "Z1122020123", " ")
    assert code == 1
    assert output.startswith("malformed  未查验  Z1122020123")  # the number may be right
    assert EMPTY_NAME in output


@on_a_registry
@given(number=st.text(max_size=30), name=st.text(max_size=60))
def test_any_input_gets_an_answer(conn: sqlite3.Connection, number: str, name: str) -> None:
    answer = verify(conn, number, name)
    assert answer.result in RESULTS
    assert answer.as_of == registry_as_of(conn)


# What each answer tells the employer to do next (page, API and command line show it).

ADVICE_FACTS = {
    "valid": ("证书有效", "原件"),
    "reissued": ("补发", "2012-09-10", "此前的原件已作废"),
    "superseded": ("2012-05-08", f"新证书 {SUCCESSOR}", f"请持证人出示新证书 {SUCCESSOR}"),
    "revoked": ("2013-01-15", "被发证机关撤销", "不能作为资格凭证"),
    "malformed": ("证书编号应为11位，实为9位", "请核对后重新输入"),
    # not a forgery's proof: a typo, or a batch not yet loaded (a copy editor's review)
    "no_match": ("没有与该编号和姓名都相符的证书", "查不到不一定是假证", "请向发证机关核实"),
}
LABELS = {
    "valid": "有效",
    "reissued": "已补发",
    "superseded": "已由新证书取代",
    "revoked": "已撤销",
    "no_match": "未查到",
    "malformed": "编号格式错误",
}


def test_each_result_has_its_own_advice(samples: sqlite3.Connection) -> None:
    advice = {result: verify(samples, *CASES[result]).advice() for result in RESULTS}
    assert len(set(advice.values())) == len(RESULTS)
    for result, facts in ADVICE_FACTS.items():
        for fact in facts:
            assert fact in advice[result], (result, fact)


@pytest.mark.parametrize("result", RESULTS)
def test_the_command_line_shows_label_and_advice(samples_db: Path, result: str) -> None:
    number, name = CASES[result]
    code, output = cli_verify(samples_db, number, name)
    # a script's `certreg verify … && 录用` accepts only a certificate in force
    assert code == {"no_match": 1, "malformed": 1, "superseded": 3, "revoked": 3}.get(result, 0)
    first, *rest = output.splitlines()
    assert first.split("  ") == [result, LABELS[result], normalise(number)]
    if result in ("no_match", "malformed", "revoked"):  # whom to ask (§五.(四)), as on the page
        assert rest.pop().startswith("咨询：")
    for fact in ADVICE_FACTS[result]:
        assert fact in rest[-1], (result, fact)


@pytest.mark.parametrize("result", RESULTS)
def test_the_api_shows_label_and_advice(app_client: AppClient, result: str) -> None:
    number, name = CASES[result]
    with app_client() as client:
        body = client.post("/api/v1/verify", json={"number": number, "name": name}).json()
    assert (body["result"], body["label"]) == (result, LABELS[result])
    for fact in ADVICE_FACTS[result]:
        assert fact in body["advice"], (result, fact)


def test_superseded_points_to_its_successor(samples: sqlite3.Connection) -> None:
    old_number, holder = CASES["superseded"]
    answer = verify(samples, old_number, holder)
    assert (answer.result, answer.status_date, answer.successor) == (
        "superseded",
        "2012-05-08",
        SUCCESSOR,
    )
    assert verify(samples, SUCCESSOR, holder).result == "valid"
    # the new certificate may end since, which this answer does not read: an integrator's
    # review was sent to a revoked one by advice that said only to show it
    assert "新证书此后也可能已被换发、补发或撤销，以重新查验的结果为准" in answer.advice()


# The snapshot time, the receipts' re-check and the health count.


def test_every_answer_carries_the_snapshot_time_it_is_given(conn: sqlite3.Connection) -> None:
    versions = []

    def cached(_: sqlite3.Connection, version: int) -> str:
        versions.append(version)
        return "2030-01-01T00:00:00+00:00"

    for number, name in [(NUMBER, HOLDER), (NUMBER, "李四"), ("Z11", HOLDER), (NUMBER, " ")]:
        assert verify(conn, number, name, as_of=cached).as_of == "2030-01-01T00:00:00+00:00"
        assert verify(conn, number, name).as_of == registry_as_of(conn)
    assert registry_as_of(conn) is not None
    for holder in (True, False):
        answer, _ = recheck(conn, NUMBER, lambda _: holder, as_of=cached)  # noqa: B023
        assert answer.as_of == "2030-01-01T00:00:00+00:00"
    # each with the data version of the connection the answer was read on
    assert set(versions) == {data_version(conn)}


@pytest.mark.parametrize(("number", "name"), REGISTERED)
def test_recheck_answers_like_a_check_of_the_registered_holder(
    conn: sqlite3.Connection, number: str, name: str
) -> None:
    asked: list[str] = []

    def same_holder(registered: str) -> bool:
        asked.append(registered)
        return True

    assert recheck(conn, number, same_holder) == (verify(conn, number, name), asked[0])
    assert asked == [normalise_name(name)]  # the holder as registered


def test_recheck_of_another_holder_or_an_unknown_number_is_no_match(
    conn: sqlite3.Connection,
) -> None:
    no_match = Verification("no_match", NUMBER, registry_as_of(conn))
    assert recheck(conn, NUMBER, lambda _: False) == (no_match, None)
    asked: list[str] = []

    def anyone(name: str) -> bool:
        asked.append(name)
        return True

    # unregistered, and sorting just before a registered number: no other holder is consulted
    unknown = recheck(conn, "Z1122020100", anyone)
    assert unknown == (Verification("no_match", "Z1122020100", registry_as_of(conn)), None)
    assert asked == []


def test_certificate_count(conn: sqlite3.Connection) -> None:
    assert certificate_count(conn) == len(ROSTER)
