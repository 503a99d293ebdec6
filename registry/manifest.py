"""``registers.toml``: which files are registers, of what kind, approved by whom and when (SPEC §4)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from registry.dates import BadDate, parse_date
from registry.layouts import LAYOUTS
from registry.names import normalise_name
from registry.regions import PROVINCE, REGIONS

MANIFEST_NAME = "registers.toml"
ROSTER_KINDS = ("approval-roster", "technician-roster")


class ManifestError(ValueError):
    """A manifest (or single-file options) that cannot be used; the message says how to fix it."""


@dataclass(frozen=True)
class RegisterEntry:
    """One register as the manifest declares it. ``key`` identifies it across versions."""

    path: Path
    key: str
    kind: str
    authority: str
    region: str
    approval_doc: str | None = None
    issued_on: dt.date | None = None
    year_code: str | None = None
    unit: str | None = None

    def fingerprint(self, content: bytes) -> str:
        """Hash of the file's bytes and the declared facts: same hash, same register version."""
        facts = {k: str(v) for k, v in asdict(self).items() if k != "path"}
        digest = hashlib.sha256(content)
        digest.update(json.dumps(facts, sort_keys=True, ensure_ascii=False).encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class Manifest:
    entries: list[RegisterEntry]
    trades: Path | None = None


def _code(value: object, what: str, where: str) -> str:
    code = str(value).strip()
    if code not in REGIONS:
        raise ManifestError(f"{where}：{what} “{code}” 不是附件3规定的地区代码（2200-2221）")
    return code


def make_entry(path: Path, key: str, raw: Mapping[str, object], where: str) -> RegisterEntry:
    """Check one manifest entry (or the single-file options) and turn it into a `RegisterEntry`."""
    kind = str(raw.get("kind", "")).strip()
    if kind not in LAYOUTS:
        raise ManifestError(f"{where}：kind “{kind}” 未知，应为 {' / '.join(LAYOUTS)} 之一")
    if "authority" not in raw:
        raise ManifestError(f"{where}：缺少 authority（发证机关代码，如 2200 省厅、2202 绵阳市）")
    authority = _code(raw["authority"], "authority", where)
    region = _code(raw.get("region", authority), "region", where)
    if kind == "technician-roster" and authority != PROVINCE:
        raise ManifestError(
            f"{where}：技师审核名册的发证机关必须是省厅 2200（§三），不是 {authority}"
        )
    if kind == "dispatches" and authority != PROVINCE:
        raise ManifestError(
            f"{where}：发放单由省人力资源和社会保障厅出具（附件2），authority 应为 2200，不是 {authority}"
        )
    if kind in ROSTER_KINDS and authority != PROVINCE and region != authority:
        raise ManifestError(
            f"{where}：市（州）核发的证书只能用本地代码 {authority} 编号，region 不能是 {region}"
        )
    issued_on = None
    approval_doc = str(raw["approval_doc"]).strip() if raw.get("approval_doc") else None
    if kind in ROSTER_KINDS:
        if not approval_doc:
            raise ManifestError(f"{where}：缺少 approval_doc（批准合格人员的文件文号，§四.(三)）")
        if "issued_on" not in raw:
            raise ManifestError(f"{where}：缺少 issued_on（发证日期 = 批准文件日期，§四.(三)）")
        try:
            issued_on = parse_date(raw["issued_on"])
        except BadDate as exc:
            raise ManifestError(f"{where}：issued_on {exc}") from exc
        if issued_on > dt.date.today():
            raise ManifestError(f"{where}：issued_on {issued_on} 是将来的日期")
    year_code = raw.get("year_code")
    if year_code is not None:
        year_code = str(year_code).strip()
        if len(year_code) != 2 or not year_code.isdigit():
            raise ManifestError(f'{where}：year_code 应为两位数字，如 "11"')
    elif issued_on is not None:
        year_code = f"{issued_on.year % 100:02d}"
    # the recipient of a provincial-direct roster's blanks, compared with requisitions in normal form
    unit = normalise_name(str(raw["unit"])) if raw.get("unit") else None
    return RegisterEntry(
        path, key, kind, authority, region, approval_doc, issued_on, year_code, unit
    )


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
