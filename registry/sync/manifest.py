"""``registers.toml``: which files are registers, of what kind, approved by whom and when (SPEC §4)."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from registry.domain.dates import BadDate, parse_date
from registry.domain.names import normalise_name
from registry.domain.regions import REGIONS
from registry.kinds import KINDS
from registry.kinds.base import RegisterEntry

MANIFEST_NAME = "registers.toml"


class ManifestError(ValueError):
    """A manifest (or single-file options) that cannot be used; the message says how to fix it."""


@dataclass(frozen=True)
class Manifest:
    entries: list[RegisterEntry]
    trades: Path | None = None


def _code(value: object, what: str, where: str) -> str:
    code = str(value).strip()
    if code not in REGIONS:
        raise ManifestError(f"{where}：{what} “{code}” 不是附件3规定的地区代码（2200-2221）")
    return code


def _issued_on(raw: Mapping[str, object], where: str) -> dt.date | None:
    if "issued_on" not in raw:
        return None
    try:
        return parse_date(raw["issued_on"], not_after=dt.date.today())
    except BadDate as exc:
        raise ManifestError(f"{where}：issued_on {exc}") from exc


def _year_code(raw: Mapping[str, object], issued_on: dt.date | None, where: str) -> str | None:
    year_code = raw.get("year_code")
    if year_code is None:
        return f"{issued_on.year % 100:02d}" if issued_on else None
    year_code = str(year_code).strip()
    if len(year_code) != 2 or not year_code.isdigit():
        raise ManifestError(f'{where}：year_code 应为两位数字，如 "11"')
    return year_code


def make_entry(path: Path, key: str, raw: Mapping[str, object], where: str) -> RegisterEntry:
    """Check one manifest entry (or the single-file options) and turn it into a `RegisterEntry`;
    each kind adds its own rule (`registry.kinds.base.Kind.entry_rule`)."""
    kind = str(raw.get("kind", "")).strip()
    if kind not in KINDS:
        raise ManifestError(f"{where}：kind “{kind}” 未知，应为 {' / '.join(KINDS)} 之一")
    if "authority" not in raw:
        raise ManifestError(f"{where}：缺少 authority（发证机关代码，如 2200 省厅、2202 绵阳市）")
    authority = _code(raw["authority"], "authority", where)
    region = _code(raw.get("region", authority), "region", where)
    approval_doc = str(raw["approval_doc"]).strip() if raw.get("approval_doc") else None
    issued_on = _issued_on(raw, where)
    # the recipient of a provincial-direct roster's blanks, compared with requisitions in normal form
    unit = normalise_name(str(raw["unit"])) if raw.get("unit") else None
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
    )
    problem = KINDS[kind].entry_rule(entry)
    if problem:
        raise ManifestError(f"{where}：{problem}")
    return entry


def load_manifest(directory: Path) -> Manifest:
    """Read ``directory/registers.toml``; raise `ManifestError` with the fix when it is wrong."""
    path = directory / MANIFEST_NAME
    if not path.is_file():
        raise ManifestError(f"{directory} 中没有 {MANIFEST_NAME}。请按 README 的格式列出各名册文件")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path} 格式错误：{exc}") from exc
    raw_entries = data.get("register", [])
    if not isinstance(raw_entries, list) or not raw_entries:
        raise ManifestError(f"{path} 中没有 [[register]] 条目")
    entries = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_entries, start=1):
        where = f"{path.name} 第{index}个 [[register]]"
        if "file" not in raw:
            raise ManifestError(f"{where}：缺少 file")
        key = str(raw["file"])
        if key in seen:
            raise ManifestError(f"{where}：文件 {key} 重复列出")
        seen.add(key)
        entries.append(make_entry(directory / key, key, raw, where))
    trades = directory / str(data["trades"]) if data.get("trades") else None
    return Manifest(entries, trades)
