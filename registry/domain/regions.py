"""Region codes of 附件3 and the issuing-authority rules of §三 / §四.(四).

The codes are reference data (``data/regions.csv``, shipped inside the package) so that an
administrator reads them where the other reference data lives; the rules are code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from importlib.resources import files

from registry.domain.names import normalise_name
from registry.domain.text import reference_rows

PROVINCE = "2200"


ANNEX_3_CODES = frozenset(f"22{n:02d}" for n in range(22))
"""附件3's codes: 2200 省直, 2201 成都市 … 2221 资阳市."""


def parse_regions(data: bytes, where: str) -> dict[str, str]:
    """Code → name from the regions file's bytes (UTF-8, a BOM as Excel writes it, or GB18030).

    The codes are written into every certificate number, so the file is not the
    administrator's to change (its names only name them): an edited one — a code removed or
    added, a note row, another encoding — stops every command with what to restore (`SystemExit`,
    a message and no traceback), where it made valid certificates 编号格式错误 and put a note
    into the options' help."""
    restore = (
        f"地区代码表 {where} 与附件3不符（{{}}）。这些代码写在每一本证书的编号中，不能增删或改动；"
        "请恢复随软件提供的原文件（重新安装 certreg，或从代码库取回 data/regions.csv）"
    )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise SystemExit(restore.format("编码无法识别")) from None
    regions = {
        (row.get("代码") or "").strip(): (row.get("名称") or "").strip()
        for row in reference_rows(text)
        if any((value or "").strip() for value in row.values() if isinstance(value, str))
    }
    if set(regions) != ANNEX_3_CODES:
        odd = sorted(set(regions) ^ ANNEX_3_CODES)
        raise SystemExit(restore.format(f"多出或缺少：{'、'.join(odd)}"))
    if unnamed := sorted(code for code, name in regions.items() if not name):
        raise SystemExit(restore.format(f"没有名称：{'、'.join(unnamed)}"))
    return regions


def _load_regions() -> dict[str, str]:
    path = files("registry.defaults").joinpath("regions.csv")
    return parse_regions(path.read_bytes(), str(path))


REGIONS: dict[str, str] = _load_regions()
"""Region code → name, e.g. ``"2202" → "绵阳市"``."""
_CITIES = sorted(code for code in REGIONS if code != PROVINCE)
CODES = f"{min(REGIONS)}-{max(REGIONS)}"
"""The codes of 附件3 as a range to name in a message: 2200-2221."""
AUTHORITY_CODES = f"{PROVINCE} 省厅，{_CITIES[0]}-{_CITIES[-1]} 各市州"
"""Who each authority code is, for an option's help."""


PREFECTURE_FULL_NAMES = {
    "凉山州": "凉山彝族自治州",
    "阿坝州": "阿坝藏族羌族自治州",
    "甘孜州": "甘孜藏族自治州",
}
"""The official names of the three autonomous prefectures (附件3 shortens them), which clerks
also write and their departments' seals bear."""
_SHORT_NAMES = {full: short for short, full in PREFECTURE_FULL_NAMES.items()}


def written_names(name: str) -> list[str]:
    """A city's name and the other it is written by: 凉山州 and 凉山彝族自治州, whichever of the
    two the regions file gives (an administrator may write the official one: its names only
    name the codes)."""
    other = PREFECTURE_FULL_NAMES.get(name) or _SHORT_NAMES.get(name)
    return [name, other] if other else [name]


def short_name(code: str, regions: Mapping[str, str] = REGIONS) -> str:
    """The one name a city's blanks are recorded under: 附件3's (凉山州), whichever of its
    names ``regions`` gives. Requisitions and dispatches are stored by it, so that those loaded
    before an administrator wrote 凉山彝族自治州 in the regions file still meet the slips and
    certificates loaded after."""
    name = regions.get(code, code)
    return _SHORT_NAMES.get(name, name)


def region_name(code: str) -> str:
    """The region a 附件3 code names (2201 → 成都市); an unknown code as it is, so that a
    message or page names what was written rather than failing on it."""
    return REGIONS.get(code, code)


_UNIT_PREFIXES = sorted(
    [
        (each, code)
        for code, name in REGIONS.items()
        if code != PROVINCE
        for each in written_names(name)
    ],
    key=lambda pair: -len(pair[0]),
)


UNIT_NOISE = re.compile(r"[\s()（）【】〔〕\[\]]")
"""What a unit's name may be written with that is no part of it (spaces, brackets)."""


def unit_region(unit: str) -> str | None:
    """The city a unit's name begins with (成都市第一中学 → 2201, 凉山彝族自治州… → 2213; after
    四川省, spaces and brackets: 四川省成都市…, （成都市）…), None for a name that begins with none
    (江油市人民医院, a county's: `registry.domain.counties`; 中国工程物理研究院)."""
    plain = UNIT_NOISE.sub("", unit).removeprefix("四川省")
    return next((code for name, code in _UNIT_PREFIXES if plain.startswith(name)), None)


_BUREAU_WORDS = ("人力资源和社会保障局", "人力资源社会保障局", "人力社保局", "人社局")
"""How a city's human-resources bureau is named after its city."""


def _places() -> dict[str, str]:
    """Each way a city's name is written before its bureau's → its code: 绵阳市, 绵阳;
    凉山州, 凉山, 凉山彝族自治州."""
    places = {}
    for code, name in REGIONS.items():
        if code != PROVINCE:
            names = written_names(name)
            places.update(dict.fromkeys([*names, *map(_stem, names)], code))
    return places


def bureau_region(unit: str) -> str | None:
    """The city whose human-resources bureau ``unit`` names, however staff write it:
    绵阳市人力资源和社会保障局, 绵阳市人社局, 绵阳人社局, 四川省绵阳市人社局, 凉山州人社局. A
    name like 绵阳师范学院 (a provincial unit in the city) names none: only the bureau's own
    name after the city's, short or long, is the bureau."""
    plain = UNIT_NOISE.sub("", unicodedata.normalize("NFKC", unit)).removeprefix("四川省")
    word = next((word for word in _BUREAU_WORDS if plain.endswith(word)), None)
    return _PLACES.get(plain.removesuffix(word)) if word else None


def unit_key(unit: str) -> str:
    """What two 单位 cells are compared by: a city bureau's name in any of its spellings as
    one, another unit's name in normal form (`normalise_name`)."""
    code = bureau_region(unit)
    return authority_name(code) if code else normalise_name(unit)


_PROVINCE_WORDS = ("省厅", "省直", "省本级", "四川省", "省人社厅", "省人力资源和社会保障厅")


def _stem(name: str) -> str:
    """A region's name as staff shorten it: without 市, and a prefecture without 州 (凉山州 is
    凉山) — but 泸州市 is 泸州, not 泸."""
    stem = name.removesuffix("市")
    return stem[:-1] if stem.endswith("州") and len(stem) > 2 else stem


_PLACES = _places()


def region_code(text: str) -> str | None:
    """The region (or issuing authority) a clerk's words name: its code (full-width digits
    too), its name with or without 市/州 (绵阳市, 绵阳), the official name of an autonomous
    prefecture (凉山彝族自治州), its department (绵阳市人力资源和社会保障局), or the province's
    (省厅, 省直). None when they name none, or more than one."""
    typed = unicodedata.normalize("NFKC", text).strip()
    if typed in REGIONS:
        return typed
    named = {code for code, name in REGIONS.items() if code != PROVINCE and _stem(name) in typed}
    if len(named) == 1:  # 四川省绵阳市 is 绵阳's
        return named.pop()
    return PROVINCE if not named and any(w in typed for w in _PROVINCE_WORDS) else None


def authority_name(code: str) -> str:
    """The department behind an authority code, as a holder would name it."""
    if code == PROVINCE:
        return "四川省人力资源和社会保障厅"
    name = region_name(code)
    return f"{PREFECTURE_FULL_NAMES.get(name, name)}人力资源和社会保障局"


def issuing_problem(authority: str, region: str, letter: str) -> str | None:
    """Why ``authority`` may not issue a ``letter`` certificate numbered in ``region`` (§三).

    The province issues 初/中/高级 for its own units (region 2200) and every 技师 certificate,
    numbered in the holder's region; a city issues 初/中/高级 numbered with its own code and
    never 技师. Returns None when the combination is allowed.
    """
    if authority not in REGIONS:
        return f"发证机关代码 {authority} 不是附件3规定的代码"
    if letter == "J":
        if authority != PROVINCE:
            return (
                "技师证书只能由省人力资源和社会保障厅核发（§三）：请把该行从本名册中删去，"
                "报省厅按附件5审核名册办理"
            )
        return None
    if authority == PROVINCE and region != PROVINCE:
        return f"省厅核发的初级、中级、高级证书地区代码应为 2200，不是 {region}（§三）"
    if authority != PROVINCE and region != authority:
        return (
            f"{region_name(authority)}核发的证书地区代码应为 {authority}，不是 {region}（§四.(四)）"
        )
    return None


def covers(authority: str, code: str) -> bool:
    """Whether ``authority`` answers for what ``code`` (a certificate's issuing authority or
    region, a unit's city) names: the province for everything, a city for its own."""
    return authority == PROVINCE or authority == code
