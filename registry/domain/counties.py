"""The counties (县、县级市、区) of each city, so that a unit named after its county is known as
its city's: 富顺县人力资源和社会保障局 and 荣县示例医院 are 自贡市 units, whose requisitions need
自贡市's opinion (§四.(一)) and whose certificates 自贡市 issues (§四.(四)).

The list is reference data (``data/counties.csv``: 名称, 市（州）, 曾用名, 说明), which an
administrator may correct when a county is renamed or moves to another city; a county listed
under two cities (简阳市, 资阳市's until 2016) belongs to either.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from importlib.resources import files

from registry.domain.regions import PROVINCE, REGIONS, UNIT_NOISE, unit_region, written_names
from registry.domain.text import reference_rows


def city_codes(regions: Mapping[str, str]) -> dict[str, str]:
    """Each way a city of ``regions`` is written → its code: the regions file may give
    凉山彝族自治州 where the counties file says 凉山州 (an administrator renamed it to its
    official name, and every command stopped on the counties file)."""
    return {
        each: code
        for code, name in regions.items()
        if code != PROVINCE
        for each in written_names(name)
    }


_CITY_CODES = city_codes(REGIONS)


def parse_counties(
    data: bytes, where: str, cities: Mapping[str, str] = _CITY_CODES
) -> dict[str, tuple[str, ...]]:
    """County name (and each former name) → the codes of the cities it belongs to, in the
    file's order. A row whose city is not one of 附件3's (``cities``: `city_codes`) stops every
    command with the line to fix (`SystemExit`): a county filed under no city would pass a
    city's rule unchecked."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode 文本"
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
    counties: dict[str, tuple[str, ...]] = {}
    rows = reference_rows(text)
    if not {"名称", "市(州)"} <= {_plain(name or "") for name in rows.fieldnames or ()}:
        # renamed, the columns read as empty and every county rule went quietly off (a review)
        raise SystemExit(
            f"县（市、区）表 {where} 的表头应为：名称,市（州）,曾用名,说明（现在是："
            f"{','.join(rows.fieldnames or ())}）。请改回这些列名"
        )
    for row in rows:
        # headed 市(州) in ASCII brackets, or 曾用名 written 郫县；郫都县: read as meant
        cells = {_plain(key or ""): _plain(value or "") for key, value in row.items() if key}
        name, city = cells.get("名称", ""), cells.get("市(州)", "")
        if not name and not city:
            continue
        code = cities.get(city)
        if not name:
            raise SystemExit(
                f"县（市、区）表 {where} 第 {rows.line_num} 行没有名称：请填上或删除这一行"
            )
        if code is None:
            raise SystemExit(
                f"县（市、区）表 {where} 第 {rows.line_num} 行：“{name}”所属的“{city}”不是附件3"
                f"的市（州）。请写成地区代码表中的名称（如 {REGIONS['2203']}、{REGIONS['2213']}），"
                "或删除这一行"
                "（表头应为：名称,市（州）,曾用名,说明）"
            )
        for each in [name, *_SEPARATORS.split(cells.get("曾用名", "")), *_short(name)]:
            if each and code not in counties.get(each, ()):
                counties[each] = (*counties.get(each, ()), code)
    return counties


_SEPARATORS = re.compile(r"\s*[;、,，]\s*")
"""Between former names (`;` as the file's other lists; `；` and `、` as clerks type them)."""


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _short(name: str) -> list[str]:
    """An autonomous county as its people shorten it: 北川羌族自治县 is 北川县, 峨边彝族自治县 峨边县."""
    return [f"{name[:2]}县"] if name.endswith("族自治县") else []


def _load() -> dict[str, tuple[str, ...]]:
    path = files("registry.defaults").joinpath("counties.csv")
    return parse_counties(path.read_bytes(), str(path))


COUNTIES: Mapping[str, tuple[str, ...]] = _load()
"""County name → its cities' codes, e.g. ``"富顺县" → ("2203",)``."""
_BY_LENGTH = sorted(
    # 东区 and 西区 (攀枝花市) begin too many other names to be read as a county
    (name for name in COUNTIES if len(name) > 2 or name.endswith("县")),
    key=len,
    reverse=True,
)


def unit_regions(unit: str, *, preferring: str = "") -> tuple[str, ...]:
    """The cities a unit's name places it in: the city it begins with (`unit_region`), else the
    county it begins with (富顺县… → 2203; 郫县…, 郫都区's former name → 2201). A county of two
    cities gives the one ``preferring`` names when it is one of them, else both: 简阳市… in a
    资阳市 register of 2012 is 资阳市's. Empty for a name that begins with neither."""
    if code := unit_region(unit):
        return (code,)
    # 四川省富顺县…, or 四川富顺县… as some write it
    plain = UNIT_NOISE.sub("", unicodedata.normalize("NFKC", unit)).removeprefix("四川省")
    plain = plain.removeprefix("四川")
    county = next((name for name in _BY_LENGTH if plain.startswith(name)), None)
    codes = COUNTIES[county] if county else ()
    return (preferring,) if preferring in codes else codes
