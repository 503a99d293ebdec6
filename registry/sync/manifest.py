"""``registers.toml``: which files are registers, of what kind, approved by whom and when (SPEC §4)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from registry.domain.clock import beijing_today
from registry.domain.dates import BadDate, parse_date
from registry.domain.names import normalise_name
from registry.domain.numbers import year_code_of, year_code_problem, year_of_code
from registry.domain.os_reasons import reason
from registry.domain.regions import CODES, region_code
from registry.domain.registers import kind_choices, kind_code
from registry.domain.text import hidden_characters, visible
from registry.kinds import KINDS
from registry.kinds.base import RegisterEntry

MANIFEST_NAME = "registers.toml"


class ManifestError(ValueError):
    """A manifest (or single-file options) that cannot be used; the message says how to fix it."""


@dataclass(frozen=True)
class Manifest:
    entries: list[RegisterEntry]
    trades: Path | None = None
    """an official catalogue replacing the built-in list"""
    trades_extra: Path | None = None
    """trades and aliases added to the catalogue"""


def _code(value: object, what: str, where: str) -> str:
    """A region or authority as written — 2202, ２２０２, 绵阳市, 省厅 (`region_code`) — as its code."""
    code = region_code(str(value))
    if code is None:
        written = str(value).strip()
        raise ManifestError(f"{where}：{what} “{written}” 不是附件3规定的地区代码（{CODES}）")
    return code


def _issued_on(raw: Mapping[str, object], where: str) -> dt.date | None:
    if "issued_on" not in raw:
        return None
    try:
        return parse_date(raw["issued_on"], not_after=beijing_today())
    except BadDate as exc:
        raise ManifestError(f"{where}：issued_on {exc}") from exc


def _year_code(raw: Mapping[str, object], issued_on: dt.date | None, where: str) -> str | None:
    """The batch's year code: the manifest's, or the issue year's last two digits (附件3 二).
    One may be earlier than the issue year (a batch numbered before New Year, issued after),
    never later: a number cannot carry a year that had not come when it was issued."""
    year_code = raw.get("year_code")
    if year_code is None:
        if issued_on is None:
            return None
        year_code = year_code_of(issued_on.year)
        if problem := year_code_problem(year_code, issued_on):  # issued before the first batch
            raise ManifestError(f"{where}：没有写 year_code，按 issued_on 的年份取 {problem}")
        return year_code
    year_code = str(year_code).strip()
    if problem := year_code_problem(year_code, issued_on or beijing_today()):
        raise ManifestError(f"{where}：{problem}")
    if issued_on and year_of_code(year_code, issued_on) > issued_on.year:
        raise ManifestError(
            f"{where}：year_code “{year_code}” 晚于发证日期 {issued_on.isoformat()} 的年份"
            f"（附件3 二：年份代码是核发年份）。请核对 year_code 或 issued_on"
        )
    return year_code


def _text(raw: Mapping[str, object], field: str, where: str) -> str | None:
    """A value the registry stores as text (approval document, unit): quoted text without hidden
    characters, which would be stored on every certificate of the register (§四.(三))."""
    value = raw.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ManifestError(f'{where}：{field} 应为用英文引号括起的文字，如 {field} = "……"')
    _refuse_hidden(value, f"{where}：{field}", "（§四.(三) 字体规范）：请删除后重新保存")
    return value.strip() or None


def _refuse_hidden(text: str, what: str, fix: str) -> None:
    hidden = hidden_characters(text)
    if hidden:
        raise ManifestError(f"{what} 含有看不见的字符 {'、'.join(hidden)}{fix}")


ENTRY_KEYS = frozenset(
    {"file", "kind", "authority", "region", "approval_doc", "issued_on", "year_code", "unit"}
)
KEY_MEANINGS = {
    "authority": "发证机关代码，如 2200 省厅、2202 绵阳市",
    "approval_doc": "批准合格人员的文件文号，§四.(三)",
    "issued_on": "发证日期 = 批准文件日期，§四.(三)",
    "region": "编号的地区代码，附件3",
    "year_code": "编号的核发年份代码，附件3 二",
    "unit": "领取空白证书的单位名称，§四.(二)",
}
"""What a key a register must give holds, said where it is missing — every key a kind may
need (`registry.kinds.base.Kind.needs`): a kind needing ``unit`` was a KeyError, not a message."""
TOP_KEYS = frozenset({"register", "trades", "trades_extra"})


def _unknown_key(key: str, known: frozenset[str]) -> str:
    """A key the manifest does not know (a typo left it unread: ``year_cod`` made every row's
    year code wrong), with the nearest known one."""
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"，是不是 {close[0]}" if close else ""
    return f"不认识的键 {visible(key)}{hint}？可用的键：{'、'.join(sorted(known))}"


def make_entry(
    path: Path, key: str, raw: Mapping[str, object], where: str, folder: Path | None = None
) -> RegisterEntry:
    """Check one manifest entry (or the single-file options) and turn it into a `RegisterEntry`;
    each kind adds its own rule (`registry.kinds.base.Kind.entry_rule`). ``folder``: the
    manifest's, which the file may not leave (`inside`)."""
    unknown = sorted(set(raw) - ENTRY_KEYS, key=str)
    if unknown:
        raise ManifestError(f"{where}：{_unknown_key(str(unknown[0]), ENTRY_KEYS)}")
    written = str(raw.get("kind", "")).strip()
    kind = kind_code(written)
    if kind not in KINDS:
        raise ManifestError(f"{where}：kind “{written}” 未知，应为以下之一：{kind_choices()}")
    missing = [key for key in ("authority", *KINDS[kind].needs) if raw.get(key) in (None, "")]
    if missing:  # all at once: a clerk typing options added one per run
        said = "、".join(f"{key}（{KEY_MEANINGS[key]}）" for key in missing)
        raise ManifestError(f"{where}：缺少 {said}")
    authority = _code(raw["authority"], "authority", where)
    region = _code(raw.get("region", authority), "region", where)
    approval_doc = _text(raw, "approval_doc", where)
    issued_on = _issued_on(raw, where)
    # the recipient of a provincial-direct roster's blanks, compared with requisitions in normal form
    unit_text = _text(raw, "unit", where)
    unit = normalise_name(unit_text) if unit_text else None
    entry = RegisterEntry(
        path,
        key,
        kind,
        authority,
        region,
        approval_doc,
        issued_on,
        _year_code(raw, issued_on, where),
        unit,
        folder,
    )
    problem = KINDS[kind].entry_rule(entry)
    if problem:
        raise ManifestError(f"{where}：{problem}")
    return entry


MAX_MANIFEST_BYTES = 1_048_576
_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_FULL_WIDTH = "“”‘’＂＇＝［］"


def _toml_problem(path: Path, text: str, exc: ValueError) -> ManifestError:
    """The TOML parser's complaint as a clerk can act on it: where, the line, what to check."""
    at = _AT.search(str(exc))
    if at is None:  # "(at end of document)": a value or a bracket left open at the end
        return ManifestError(
            f"{path.name} 的最后一行格式错误（可能少了引号、方括号或等号后的值）。"
            "请对照 certreg sync --help 中 registers.toml 的示例检查文件末尾"
        )
    line_no, column = int(at[1]), int(at[2])
    lines = text.splitlines()
    line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    hint = "请对照 certreg sync --help 中 registers.toml 的示例检查这一行"
    if any(ch in line for ch in _FULL_WIDTH):
        hint = '这一行有全角引号、等号或方括号（如 “ ” ＝）：请改为半角的 " = [ ]，中文输入法下容易误输'
    elif _DATE_WRITTEN.search(line):
        hint = "日期写作 2012-03-20：年、月、日用 - 分隔，月和日各两位，不加引号"
    return ManifestError(
        f"{path.name} 第{line_no}行第{column}列格式错误：{visible(line.strip())}\n{hint}"
    )


_DATE_WRITTEN = re.compile(r"=\s*\d{4}\s*[-/.年]\s*\d{1,2}")
"""A date written otherwise than TOML's 2012-03-20 (2012-3-20, 2012/03/20, 2012.3.20)."""


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_MANIFEST_BYTES + 1)
    except OSError as exc:
        raise ManifestError(f"无法读取 {path}：{reason(exc)}") from exc
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"{path.name} 超过 {MAX_MANIFEST_BYTES // 1024} KB，不像是名册清单")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # Notepad's "ANSI" on a Chinese Windows: read, as the registers' CSVs are
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ManifestError(
                f"{path.name} 的编码无法识别（不是 UTF-8，也不是 GBK/GB18030）：请用记事本等另存为 UTF-8"
            ) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_problem(path, text, exc) from exc
    except RecursionError as exc:  # [[[[…: nested deeper than any manifest needs
        raise ManifestError(f"{path.name} 嵌套层次过深，不是名册清单的格式") from exc


MAX_FILE_NAME_BYTES = 255
"""The longest file name (each part of a path) Linux file systems accept."""


def file_key(name: object, where: str) -> str:
    """The register's key: the file's path relative to the manifest, written one way (``./a.csv``
    and ``a.csv`` are one register, listed once) — a corrected version is the same key again."""
    if not isinstance(name, str):
        raise ManifestError(f'{where}：file 应为用英文引号括起的文件名，如 file = "名册.xlsx"')
    _refuse_hidden(name, f"{where}：文件名", "：请改名后重新列出")
    parts = Path(name).parts
    if any(len(part.encode()) > MAX_FILE_NAME_BYTES for part in parts):
        raise ManifestError(
            f"{where}：文件名过长（最多 {MAX_FILE_NAME_BYTES} 字节）：请改用较短的文件名"
        )
    return Path(name).as_posix()


def inside(directory: Path, name: object, where: str) -> Path:
    """``directory / name`` when it stays inside ``directory`` (no absolute path, no ``..``, no
    symbolic link leading out): a manifest names only the files beside it."""
    key = file_key(name, where)
    relative = Path(key)
    if not key.strip() or key == "." or relative.is_absolute() or ".." in relative.parts:
        raise ManifestError(
            f"{where}：“{visible(key)}” 须是 {MANIFEST_NAME} 所在文件夹中的文件名"
            "（不能是绝对路径，也不能含 ..）。请把文件复制到该文件夹"
        )
    path = directory / relative
    if not path.resolve().is_relative_to(directory.resolve()):
        raise ManifestError(
            f"{where}：“{visible(key)}” 是指向文件夹之外的链接。请把文件本身复制到 {MANIFEST_NAME} 所在文件夹"
        )
    return path


def load_manifest(directory: Path) -> Manifest:
    """Read ``directory/registers.toml``; raise `ManifestError` with the fix when it is wrong."""
    path = directory / MANIFEST_NAME
    if path.is_dir():  # it was told there was none
        raise ManifestError(
            f"{path} 是一个文件夹，不是名册清单：请把它改名或移走，在 {directory} 中写一个"
            f" {MANIFEST_NAME} 文件（格式见 certreg sync --help）"
        )
    if not path.is_file():
        raise ManifestError(
            f"{directory} 中没有 {MANIFEST_NAME}。请在该文件夹中按 certreg sync --help 中的示例列出各名册文件，"
            "或用 certreg sync 文件 --kind … 导入单个文件"
        )
    data = _read_toml(path)
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise ManifestError(f"{path.name}：{_unknown_key(unknown[0], TOP_KEYS)}")
    raw_entries = data.get("register", [])
    if not isinstance(raw_entries, list) or not raw_entries:
        raise ManifestError(
            f"{path.name} 中没有 [[register]] 条目。每个名册文件写一个 [[register]]"
        )
    entries = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_entries, start=1):
        where = f"{path.name} 第{index}个 [[register]]"
        if not isinstance(raw, dict) or "file" not in raw:
            raise ManifestError(f"{where}：缺少 file（名册文件名）")
        key = file_key(raw["file"], where)
        if key in seen:
            raise ManifestError(f"{where}：文件 {visible(key)} 重复列出")
        seen.add(key)
        entries.append(make_entry(inside(directory, key, where), key, raw, where, directory))
    catalogues = {
        key: inside(directory, data[key], f"{path.name} 的 {key}") if data.get(key) else None
        for key in ("trades", "trades_extra")
    }
    return Manifest(entries, **catalogues)
