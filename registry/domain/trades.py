"""The trade catalogue (工种, §四.(三)): standard names, their aliases, and suggestions.

The catalogue is data, not code: ``trades.csv`` ships inside the package as a starting list and an
administrator replaces it with the official one (`registry.sync.catalogue`). Columns: ``工种`` (required), ``代码``, ``别名`` (``;``-separated).
A trade written in traditional characters (電工) is read as its simplified spelling.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from importlib.resources import files

from registry.domain.characters import simplified
from registry.domain.text import reference_rows

_SPACE = re.compile(r"\s+")


class CatalogueError(ValueError):
    """A catalogue file that cannot be used; the message names the file and the defect."""


def _key(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@dataclass
class TradeCatalogue:
    source: str
    standard: dict[str, str] = field(default_factory=dict)
    """normalised spelling (standard name or alias) → standard name"""
    codes: dict[str, str] = field(default_factory=dict)

    def resolve(self, text: str) -> str | None:
        """The standard name for a roster's 报考工种 cell, or None when it is not in the catalogue.
        A spelling in traditional characters stands for its simplified one, as an alias would."""
        key = _key(text)
        found = self.standard.get(key)
        if found is None and not key.isascii():
            found = self.standard.get(_key(simplified(key)))
        return found

    def same(self, one: str, other: str) -> bool:
        """Whether ``one`` and ``other`` name one trade: spelled alike, or resolving to one
        standard name. A certificate keeps the name of the catalogue it was loaded with; one
        that renames the trade keeps that name as an alias, and the holder and paper are the
        same (§二: one certificate per trade and level)."""
        if one == other:
            return True
        standard = self.resolve(one)
        return standard is not None and standard == self.resolve(other)

    def suggestions(self, text: str, limit: int = 3) -> list[str]:
        """The standard names nearest to an unknown trade, for the clerk's report: only those
        sharing a character beyond the suffix every trade has (工, 员, 师 — 绿化工 is nothing
        like 钳工)."""
        key = _key(simplified(text))
        telling = set(key) - _GENERIC
        close = difflib.get_close_matches(key, self.standard.keys(), n=limit * 2, cutoff=0.4)
        names = dict.fromkeys(self.standard[c] for c in close if telling & set(c))
        return list(names)[:limit]

    def unknown(self, text: str) -> str:
        """What a register is told of a trade this catalogue lacks: the official list is not
        public, so the catalogue may be what is missing it, not the register."""
        nearest = self.suggestions(text)
        hint = f"；相近的工种：{'、'.join(nearest)}" if nearest else ""
        return (
            f"不在登记库所用的工种目录中{hint}。请按《机关事业单位工勤人员岗位等级规范（试行）》"
            "核对工种名称；如确是规范中的工种，请管理员把它补入工种目录（registers.toml 的 "
            "trades_extra，单个文件时为 --trades-extra）后重新导入"
        )

    @property
    def names(self) -> list[str]:
        return sorted(set(self.standard.values()))


_NOTE = re.compile(r"[:：]|\d{4}")
"""What no trade name holds but a note under the table does: 制表人：张三, 2024年5月1日."""

_GENERIC = frozenset("工员师手")
"""The characters trade names end with, which tell nothing of the trade."""


def parse_catalogue(text: str, source: str, into: TradeCatalogue | None = None) -> TradeCatalogue:
    """The catalogue a CSV (工种,代码,别名) describes; with ``into``, its trades and aliases are
    added to that catalogue instead (an administrator's additions to the built-in list)."""
    catalogue = into or TradeCatalogue(source=source)
    if into is not None:
        catalogue.source = f"{into.source} + {source}"
    reader = _reader(text, source)
    # the standard names as their simplified spelling, each with its row: 電工 is 电工
    simple = {_key(simplified(n)): (n, 0) for n in catalogue.standard.values()}
    for raw in reader:
        line = reader.line_num
        row = {_key(k): (v or "").strip() for k, v in raw.items() if k is not None}
        name = _key(row.get("工种", ""))
        if not name:
            continue
        code = row.get("代码", "")
        if problem := _row_problem(name, code, line, simple, catalogue):
            raise CatalogueError(f"{source} 第{line}行：{problem}")
        for spelling in [name, *(_key(a) for a in re.split(r"[;；、]", row.get("别名", "")))]:
            if spelling and catalogue.standard.setdefault(spelling, name) != name:
                raise CatalogueError(
                    f"{source} 第{line}行：“{spelling}”同时对应“{catalogue.standard[spelling]}”和“{name}”"
                )
        if code:
            catalogue.codes[name] = code
    if not catalogue.standard:
        raise CatalogueError(f"{source}：工种目录没有任何工种")
    return catalogue


def _reader(text: str, source: str) -> csv.DictReader[str]:
    """The catalogue's rows, comma- or tab-separated (Excel's "Unicode 文本"), under a header
    with a 工种 column."""
    reader = reference_rows(text)
    if not reader.fieldnames or "工种" not in [_key(f) for f in reader.fieldnames]:
        seen = "、".join(_key(f) for f in reader.fieldnames or () if f and _key(f)) or "无"
        raise CatalogueError(
            f"{source}：工种目录缺少“工种”列（第一行的列名为：{seen}；应有列：工种,代码,别名）"
        )
    return reader


def _row_problem(
    name: str,
    code: str,
    line: int,
    simple: dict[str, tuple[str, int]],
    catalogue: TradeCatalogue,
) -> str | None:
    """Why the row of trade ``name`` cannot be read as one: a note under the table, a trade
    listed already in the other script (``simple``: each trade's simplified spelling and its
    row, 0 for the catalogue added to), a second code."""
    if _NOTE.search(name):
        return f"“{name}”不像工种名称，像是表格下方的说明或签字：请删去该行"
    same, where = simple.setdefault(_key(simplified(name)), (name, line))
    if same != name:
        at = f"第{where}行的" if where else "目录中的"
        return (
            f"“{name}”与{at}“{same}”是同一工种（繁体、简体写法不同），"
            "请只保留一行：繁体写法会自动按简体识别"
        )
    if code and catalogue.codes.get(name, code) != code:
        return f"“{name}”的代码“{code}”与前面的“{catalogue.codes[name]}”不同，请核对后只保留一个"
    return None


BUILTIN_SOURCE = "trades.csv（内置起步目录）"


def builtin_catalogue() -> TradeCatalogue:
    """The starting catalogue shipped inside the package (``data/trades.csv``)."""
    text = files("registry.defaults").joinpath("trades.csv").read_text(encoding="utf-8")
    return parse_catalogue(text, BUILTIN_SOURCE)
