"""A register folder built to attack the sync: files outside the folder, manifests that nest
without end or use full-width punctuation, cells that hide characters. Each is refused with a
Chinese message and the right exit code, prints nothing raw to the terminal, and leaves the
registry exactly as it was."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry import store
from registry.cli import cli
from registry.domain.text import code_point
from registry.kinds import KINDS, LAYOUTS, read_as
from registry.public.lookup import verify
from registry.sheets.writers import write_csv
from registry.sync import pipeline
from registry.sync.catalogue import load_catalogue
from registry.sync.manifest import load_manifest
from registry.sync.run import sync_entries
from tests.hostile_files import HOSTILE, Hostile, build
from tests.registers import (
    MIANYANG,
    PROVINCE,
    RegisterFactory,
    approval_row,
    registry_dump,
)
from tests.verify_fixtures import SAMPLES


def sync(folder: Path, db: Path, *extra: str) -> tuple[int, str]:
    """Exit code and what the terminal shows (stdout and stderr; stdout alone with --json)."""
    result = CliRunner().invoke(cli, ["sync", str(folder), "--db", str(db), *extra])
    return result.exit_code, result.stdout if "--json" in extra else result.output


@pytest.fixture
def loaded(registers: RegisterFactory, db_path: Path) -> RegisterFactory:
    registers.add("province.xlsx", [approval_row("Z1122000001", "王五")], PROVINCE)
    code, output = sync(registers.folder, db_path)
    assert code == 0, output
    return registers


def manifest(folder: Path, file: str) -> None:
    lines = [f'[[register]]\nfile = "{file}"'] + [f'{k} = "{v}"' for k, v in MIANYANG.items()]
    (folder / "registers.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "fragment"),
    [
        ("../outside.csv", "不能含 .."),
        ("/etc/passwd", "不能是绝对路径"),
        ("link.csv", "指向文件夹之外"),
    ],
)
def test_a_manifest_names_only_files_in_its_folder(
    tmp_path: Path, db_path: Path, file: str, fragment: str
) -> None:
    folder = tmp_path / "registers"
    folder.mkdir()
    outside = tmp_path / "outside.csv"
    outside.write_text("姓名\n张三\n", encoding="utf-8")
    (folder / "link.csv").symlink_to(outside)
    manifest(folder, file)
    code, output = sync(folder, db_path)
    assert code == 2, output
    assert fragment in output
    assert "Traceback" not in output
    assert registry_dump(db_path) == []


def test_a_file_swapped_for_a_link_after_the_manifest_was_read_is_not_loaded(
    tmp_path: Path, db_path: Path
) -> None:
    """The manifest refuses a link leading out when it is read; the file swapped for one while
    earlier registers were being read (minutes of a large sync) was loaded from outside — a
    file only the sync may read, its cells quoted in the clerk's report."""
    registers = RegisterFactory(tmp_path / "registers")
    path = registers.add("mianyang.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    elsewhere = RegisterFactory(tmp_path / "private")
    outside = elsewhere.add("x.csv", [approval_row("Z1122020002", "外部秘密")], MIANYANG)
    entries = load_manifest(registers.folder).entries
    path.unlink()
    path.symlink_to(outside)  # after the manifest's check, before the register is read
    conn = store.connect(db_path)
    try:
        [outcome] = sync_entries(conn, entries, load_catalogue(None), workers=0)
    finally:
        conn.close()
    assert not outcome.ok and "指向文件夹之外的链接" in outcome.problems[0].rule
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM certificates").fetchone() == (0,)
    assert "外部秘密" not in outcome.problems[0].describe()


def test_a_manifest_nested_without_end_is_a_usage_error(tmp_path: Path, db_path: Path) -> None:
    (tmp_path / "registers.toml").write_text("x = " + "[" * 100_000, encoding="utf-8")
    code, output = sync(tmp_path, db_path)
    assert code == 2, output
    assert "registers.toml" in output and "Traceback" not in output


def test_full_width_quotes_are_named_with_their_line(tmp_path: Path, db_path: Path) -> None:
    (tmp_path / "registers.toml").write_text(
        '[[register]]\nfile = “a.csv”\nkind = "approval-roster"\n', encoding="utf-8"
    )
    code, output = sync(tmp_path, db_path)
    assert code == 2, output
    assert "第2行" in output and "全角" in output and "Invalid value" not in output


ENTRY = (
    'kind = "approval-roster"\nauthority = "2202"\napproval_doc = "绵人社函〔2012〕8号"\n'
    "issued_on = 2012-03-20\n"
)


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ('file = "r\\u0000.csv"\n' + ENTRY, "U+0000"),
        ('file = "' + "名" * 90 + '.csv"\n' + ENTRY, "文件名过长"),
        ('file = ["r.csv"]\n' + ENTRY, 'file = "名册.xlsx"'),
        ('file = "r.csv"\n' + ENTRY + 'year_code = "１１"\n', "两位半角数字"),
        (
            'file = "r.csv"\n' + ENTRY.replace('"绵人社函〔2012〕8号"', '["绵人社函〔2012〕8号"]'),
            "引号",
        ),
        ('file = "r.csv"\n' + ENTRY.replace("8号", "8号\\u202e"), "U+202E"),
        ('file = "r.csv"\nunit = "\\u202e单位"\n' + ENTRY, "U+202E"),
    ],
    ids=[
        "nul-in-file",
        "long-file",
        "file-list",
        "full-width-year",
        "doc-list",
        "doc-bidi",
        "unit",
    ],
)
def test_manifest_values_are_checked_before_anything_is_read(
    tmp_path: Path, db_path: Path, entry: str, fragment: str
) -> None:
    write_csv(tmp_path / "r.csv", LAYOUTS["approval-roster"], [approval_row("Z1122020001", "张三")])
    (tmp_path / "registers.toml").write_text("[[register]]\n" + entry, encoding="utf-8")
    code, output = sync(tmp_path, db_path)
    assert code == 2, output
    assert fragment in output and "Traceback" not in output
    assert registry_dump(db_path) == []


def test_a_file_listed_twice_in_two_spellings_is_one_register(
    tmp_path: Path, db_path: Path
) -> None:
    write_csv(tmp_path / "r.csv", LAYOUTS["approval-roster"], [approval_row("Z1122020001", "张三")])
    text = f'[[register]]\nfile = "r.csv"\n{ENTRY}\n[[register]]\nfile = "./r.csv"\n{ENTRY}'
    (tmp_path / "registers.toml").write_text(text, encoding="utf-8")
    code, output = sync(tmp_path, db_path)
    assert code == 2, output
    assert "重复列出" in output


HIDDEN = [
    ("周\u202e杰", "U+202E"),  # right-to-left override
    ("周\u200b杰", "U+200B"),  # zero-width space
    ("周\x00杰", "U+0000"),
    ("周\x1b]0;pwned\x07杰", "U+001B"),  # an ANSI escape that retitles the terminal
    ("\u3164", "U+3164"),  # a Hangul filler: a name that looks blank
    ("周杰\ufe0f", "U+FE0F"),  # a variation selector: never matches 周杰 typed without it
    # reserved as default-ignorable, not yet assigned: drawn as nothing
    ("周\u2065杰", "U+2065"),
    ("周\ufff0杰", "U+FFF0"),
    ("周\U000e0080杰", "U+E0080"),
    ("周\U00016fe4杰", "U+16FE4"),  # the Khitan filler: a mark that shows nothing
]


@pytest.mark.parametrize(("name", "code_point"), HIDDEN, ids=[c for _, c in HIDDEN])
def test_hidden_characters_in_a_name_are_refused_and_never_printed(
    loaded: RegisterFactory, db_path: Path, name: str, code_point: str
) -> None:
    before = registry_dump(db_path)
    loaded.add("mianyang.csv", [approval_row("Z1122020001", name)], MIANYANG)
    code, output = sync(loaded.folder, db_path)
    assert code == 1, output
    assert f"{code_point}" in output and "第4行「姓名」" in output
    assert not any(ch in output for ch in "\x00\x1b\x07\u202e\u200b")
    assert registry_dump(db_path) == before


LOOKALIKES = [
    ("王カ", "U+30AB"),  # katakana ka: reads as 王力
    ("李ロ", "U+30ED"),  # katakana ro: reads as 李口
    ("张ー明", "U+30FC"),  # the prolonged sound mark: reads as 张一明
    ("张ㄧ明", "U+3127"),  # bopomofo i: reads as 张一明
    ("阿依古丽ᐧ买买提", "U+1427"),  # a syllabics dot for the minority name's ·
    ("Аnna", "U+0410"),  # Cyrillic А among Latin letters
]


@pytest.mark.parametrize(("name", "code_point"), LOOKALIKES, ids=[c for _, c in LOOKALIKES])
def test_a_name_mixing_writing_systems_is_refused_by_its_letter(
    loaded: RegisterFactory, db_path: Path, name: str, code_point: str
) -> None:
    """A letter of another script that looks like a Chinese character (or like another
    alphabet's letter): the reviewer read 王力, the registry would hold 王カ — and a check for
    王力 would find nothing."""
    before = registry_dump(db_path)
    loaded.add("mianyang.csv", [approval_row("Z1122020001", name)], MIANYANG)
    code, output = sync(loaded.folder, db_path)
    assert code == 1, output
    assert code_point in output and "第4行「姓名」" in output and "混" in output
    assert registry_dump(db_path) == before


@pytest.mark.parametrize("name", ["王\u0307明", "\u0301王明", "阿依古丽·\u0308买买提"])
def test_a_combining_mark_on_a_chinese_character_is_refused(
    loaded: RegisterFactory, db_path: Path, name: str
) -> None:
    """王̇明 shows as 王明 with a speck no reviewer reads, and matches no check typed 王明."""
    before = registry_dump(db_path)
    loaded.add("mianyang.csv", [approval_row("Z1122020001", name)], MIANYANG)
    code, output = sync(loaded.folder, db_path)
    assert code == 1, output
    mark = next(ch for ch in name if unicodedata.category(ch) == "Mn")
    assert code_point(mark) in output and "附加符号" in output and "第4行「姓名」" in output
    assert registry_dump(db_path) == before


@pytest.mark.parametrize(
    "name", ["阿依古丽ꞏ买买提", "𠮷田", "李〇明", "Zoë", "O'Neil", "Gʻulom", "Dan\u0308a"]
)
def test_names_of_one_writing_system_load(
    loaded: RegisterFactory, db_path: Path, name: str
) -> None:
    """A rare character of an extension, 〇, Latin letters with their accents; the sinological
    dot (ꞏ) is a minority name's ·, as a check types it."""
    loaded.add("mianyang.csv", [approval_row("Z1122020001", name)], MIANYANG)
    code, output = sync(loaded.folder, db_path)
    assert code == 0, output
    conn = store.connect(db_path, readonly=True)
    try:
        assert verify(conn, "Z1122020001", name.replace("ꞏ", "·")).result == "valid"
    finally:
        conn.close()


def test_hidden_characters_in_any_text_cell_are_refused(
    loaded: RegisterFactory, db_path: Path
) -> None:
    before = registry_dump(db_path)
    row = approval_row("Z1122020001", "周杰", **{"原岗位证书号（未获工种年限）": "示例\u2066单位"})
    loaded.add("mianyang.csv", [row], MIANYANG)
    code, output = sync(loaded.folder, db_path, "--json")
    assert code == 1
    problems = json.loads(output)["registers"][1]["problems"]
    assert [(p["row"], p["column"], p["clause"]) for p in problems] == [
        (4, "原岗位证书号（未获工种年限）", "§四.(三)")
    ]
    assert "U+2066" in problems[0]["rule"] and problems[0]["value"] == "示例<U+2066>单位"
    assert registry_dump(db_path) == before


def test_a_name_longer_than_the_public_check_accepts_is_refused(
    loaded: RegisterFactory, db_path: Path
) -> None:
    before = registry_dump(db_path)
    loaded.add("mianyang.csv", [approval_row("Z1122020001", "周" * 51)], MIANYANG)
    code, output = sync(loaded.folder, db_path)
    assert code == 1, output
    assert "最多 50 个" in output
    assert registry_dump(db_path) == before


def test_a_cell_of_pasted_pages_is_refused_and_quoted_short(
    loaded: RegisterFactory, db_path: Path
) -> None:
    """A trade of 40,000 characters is a paste gone wrong or an attack on the catalogue's
    comparison (a minute per cell): refused by its length, and neither the report, the list of
    problems nor the registry's history holds more of it than a few characters."""
    rows = [approval_row(f"Z112202000{i}", "周杰", 报考工种="鉗" * 40_000) for i in (1, 2)]
    rows.append(approval_row("Z1122020003", "郑" * 600))  # nor a name of 500 characters
    loaded.add("mianyang.csv", rows, MIANYANG)
    code, output = sync(loaded.folder, db_path, "--json", "--all")
    assert code == 1
    problems = json.loads(output)["registers"][1]["problems"]
    overlong = [p for p in problems if p["rule"].startswith("单元格内容过长（")]
    assert "单元格内容过长（40000 个字符，最多 500 个）" in overlong[0]["rule"]
    assert [(p["row"], p["column"]) for p in overlong] == [
        (4, "报考工种"),
        (5, "报考工种"),
        (6, "姓名"),
    ]
    assert [(p["row"], p["column"]) for p in problems] == [
        (4, "报考工种"),
        (5, "报考工种"),
        (6, "姓名"),
    ]
    assert overlong[0]["value"] == "鉗" * 20 + "……（共 40000 个字符）"
    assert max(len(p["value"] or "") for p in problems) <= 500
    with sqlite3.connect(db_path) as conn:
        (longest,) = conn.execute("SELECT max(length(value)) FROM problems").fetchone()
    assert longest <= 500


def test_digits_only_to_str_isdigit_and_infinite_numbers_are_cell_problems(
    loaded: RegisterFactory, db_path: Path
) -> None:
    """², ① and an .xlsx number cell of inf: what the year-month rule says of any text, not a
    crash that stopped the whole run (the register after it loads)."""
    before = registry_dump(db_path)
    rows = [
        approval_row("Z1122020001", "周杰", 出生年月="1975²"),
        approval_row("Z1122020002", "郑浩", 参加工作时间="①"),
        approval_row("Z1122020003", "吴敏", 出生年月=12345.5),  # made inf below
    ]
    path = loaded.add("mianyang.xlsx", rows, MIANYANG)
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<v>12345.5</v>", b"<v>inf</v>")
    with zipfile.ZipFile(path, "w") as hostile:
        for name, data in parts.items():
            hostile.writestr(name, data)
    loaded.add("next.csv", [approval_row("Z1122030001", "钱七")], {**MIANYANG, "authority": "2203"})
    code, output = sync(loaded.folder, db_path, "--json")
    assert code == 1
    mianyang, following = json.loads(output)["registers"][1:]
    assert [(p["row"], p["column"]) for p in mianyang["problems"]] == [
        (4, "出生年月"),
        (5, "参加工作时间"),
        (6, "出生年月"),
    ]
    assert all("应为年月" in p["rule"] for p in mianyang["problems"])
    assert following["outcome"] == "loaded"
    assert registry_dump(db_path) != before


def test_a_check_that_fails_unforeseen_refuses_its_register_alone(
    loaded: RegisterFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a hostile file may still find in the checks refuses that register, naming the
    error and where, never the exception's text (it may quote a holder's name)."""

    def broken(*args: object) -> None:
        raise ValueError("周杰")

    monkeypatch.setattr(pipeline, "cell_problems", broken)
    loaded.add("mianyang.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    code, output = sync(loaded.folder, db_path, "--workers", "0")
    assert code == 1 and "程序未能处理的错误（ValueError，registry/sync/pipeline.py 第" in output
    assert "周杰" not in output and "Traceback" not in output


def test_a_file_replaced_and_put_back_while_it_is_read_is_refused(
    loaded: RegisterFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An integrity review: a register replaced by another version and back (A, B, A) while
    the sync read it — the same bytes before and after — loaded B's rows under A's
    fingerprint; the next sync called A 未变化, the registry holding B."""
    path = loaded.add("mianyang.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    a = path.read_bytes()
    loaded.add("mianyang.csv", [approval_row("Z1122020001", "周杰", 报考工种="焊工")], MIANYANG)
    b = path.read_bytes()
    path.write_bytes(a)
    original = read_as

    def swapped(kind: str, read: Path) -> object:
        for version in (b, a):  # B while it is read, A again before it is fingerprinted
            (spare := read.with_name("spare")).write_bytes(version)
            os.replace(spare, read)
            if version is b:
                table = original(kind, read)
        return table

    monkeypatch.setattr(pipeline, "read_as", swapped)
    code, output = sync(loaded.folder, db_path, "--workers", "0")
    assert code == 1 and "文件在读取期间被改动" in output
    with sqlite3.connect(db_path) as conn:
        assert conn.execute(
            "SELECT count(*) FROM certificates WHERE trade = '焊工'"
        ).fetchone() == (0,)


@pytest.mark.parametrize("error", [KeyboardInterrupt, MemoryError, sqlite3.OperationalError])
@pytest.mark.parametrize("where", ["reading", "checking against the registry"])
def test_what_is_not_the_files_fault_is_not_blamed_on_it(
    loaded: RegisterFactory,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    error: type[BaseException],
    where: str,
) -> None:
    """Ctrl-C, a machine out of memory, a locked registry: they stop the sync as before, not
    refuse the register as a program error its file found."""
    kind = KINDS["approval-roster"]

    def broken(*args: object) -> None:
        raise error("database is locked")

    class Broken:
        def __getattr__(self, name: str) -> object:
            return broken if name == "validate" else getattr(kind, name)

    if where == "reading":
        monkeypatch.setattr(pipeline, "cell_problems", broken)
    else:
        monkeypatch.setitem(KINDS, "approval-roster", Broken())
    loaded.add("mianyang.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    conn = store.connect(db_path)
    try:
        with pytest.raises(error):
            sync_entries(conn, load_manifest(loaded.folder).entries, load_catalogue(), workers=0)
    finally:
        conn.close()


WATCH_WORKERS = """
import multiprocessing, sys, time
from pathlib import Path
from registry import store
from registry.sync.catalogue import load_catalogue
from registry.sync.manifest import load_manifest
from registry.sync.run import sync_entries

def hold(index, total, entry):
    if index == 1:
        print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
        time.sleep(600)

if __name__ == "__main__":
    manifest = load_manifest(Path(sys.argv[1]))
    conn = store.connect(Path(sys.argv[2]))
    sync_entries(conn, manifest.entries, load_catalogue(), progress=hold, workers=2)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc")
def test_workers_die_with_a_killed_sync(tmp_path: Path) -> None:
    script = tmp_path / "watch.py"
    script.write_text(WATCH_WORKERS)
    with subprocess.Popen(
        [sys.executable, str(script), str(SAMPLES), str(tmp_path / "r.db")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    ) as sync_process:
        assert sync_process.stdout is not None
        workers = [int(pid) for pid in sync_process.stdout.readline().split()]
        assert workers and all(_alive(pid) for pid in workers)
        os.kill(sync_process.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_no_register_file_can_crash_or_hang_the_sync(
    loaded: RegisterFactory, db_path: Path, hostile: Hostile
) -> None:
    """Each file of the hostile corpus, named as a register by a manifest: refused (exit 1, or 2
    for a link out of the folder) with a Chinese message, the registry untouched."""
    before = registry_dump(db_path)
    build(loaded.folder, hostile)
    loaded.entries[hostile.name] = MIANYANG
    loaded.write_manifest()
    code, output = sync(loaded.folder, db_path, "--workers", "0")
    assert code in (1, 2), output
    assert "Traceback" not in output
    assert any("\u4e00" <= ch <= "\u9fff" for ch in output.splitlines()[-1])
    if code == 1:
        assert f"✘ {hostile.name}" in output
    assert registry_dump(db_path) == before


def test_the_problem_list_replaces_a_link_planted_in_its_place(
    registers: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """A register with many problems gets its list beside it; a symbolic link planted under that
    name is replaced, and the file it points to is left as it was (even on a dry run)."""
    victim = tmp_path / "victim.txt"
    victim.write_text("administrator's file\n", encoding="utf-8")
    rows = [
        approval_row(f"Z11220200{i:02d}", f"人{chr(0x4E00 + i)}", 性别="X") for i in range(1, 30)
    ]
    registers.add("r.csv", rows, MIANYANG)
    listed = registers.folder / "r.csv.问题清单.csv"
    listed.symlink_to(victim)
    code, output = sync(registers.folder, db_path, "--dry-run")
    assert code == 1, output
    assert victim.read_text(encoding="utf-8") == "administrator's file\n"
    assert not listed.is_symlink() and "性别" in listed.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    "command",
    [["sync", str(SAMPLES)], ["stock"], ["verify", "Z1122020123", "周杰"]],
    ids=["sync", "stock", "verify"],
)
def test_a_db_that_is_not_a_registry_is_a_message(tmp_path: Path, command: list[str]) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not sqlite at all" * 100)
    result = CliRunner().invoke(cli, [*command, "--db", str(garbage)])
    assert result.exit_code == 2, result.output  # not verify's "not matched", sync's "refused"
    assert "不是登记库" in result.output and "--db" in result.output
    assert not isinstance(result.exception, sqlite3.DatabaseError)


def _file_size_limit() -> None:
    """In the child: files may grow to 300 KB, and a write beyond fails (EFBIG) instead of
    killing the process — what a full disk does to SQLite's writes."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))


def test_a_registry_that_cannot_grow_is_told_as_disk_space(tmp_path: Path) -> None:
    """A full disk said "disk I/O error … 请检查是否有写入权限": nothing about space."""
    db = tmp_path / "registry.db"
    result = subprocess.run(
        [sys.executable, "-m", "registry", "sync", str(SAMPLES), "--db", str(db)],
        preexec_fn=_file_size_limit,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr  # the registry unusable, no register refused
    assert "剩余空间" in result.stderr and "写入权限" not in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_write_the_registrys_guards_refuse_is_told_as_such(tmp_path: Path) -> None:
    """A guard of the history refusing a sync's write (a newer certreg's, the registry synced by
    an older one) was told as a folder without write permission."""
    db = tmp_path / "registry.db"
    store.connect(db).close()
    with sqlite3.connect(db) as conn:  # as a newer certreg's guard might
        conn.execute(
            "CREATE TRIGGER newer_guard BEFORE INSERT ON certificates"
            " BEGIN SELECT RAISE(ABORT, '较新版本的守护'); END"
        )
    result = CliRunner().invoke(cli, ["sync", str(SAMPLES), "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert "登记库拒绝了正在导入的名册的写入，这一名册已撤回，此前已导入的不受影响" in result.output
    assert "（较新版本的守护）" in result.output and "写入权限" not in result.output
    assert "请先按部署说明" in result.output
