"""Column layouts: which headers a reader must find in a register (SPEC §4).

Header cells are matched after NFKC and whitespace removal, so ``颁发证书 编号`` and
``原岗位证书号（未获工种年限）`` with full-width brackets both match. Each register kind declares
its own layout (`registry.kinds`); this module only knows how layouts are matched and printed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

_SPACE = re.compile(r"\s+")
_NOTE = re.compile(r"[(（][^()（）]*[)）]$")
"""a note in brackets at the end of a header cell (after NFKC, full-width brackets are ASCII)"""
_TITLE_CLAUSE = re.compile(r"（((?:附件|§)[^（）]*(?:\([^()]*\)[^（）]*)*)）$")
"""The clause a form's title ends with, in brackets: 附件4, §四.(六)1."""


def header_key(text: object) -> str:
    """How a header cell is compared: NFKC, no whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(text or "")))


@dataclass(frozen=True)
class Column:
    name: str
    """the name in the notice's annex, used in reports"""
    required: bool = True
    aliases: tuple[str, ...] = ()
    fallbacks: tuple[str, ...] = ()
    """headings clerks use that may also head a column of their own (工种, the holder's present
    trade, beside 报考工种): read as this column only when no header cell names it otherwise
    (`Layout.fallback`), and never refused as naming it twice"""
    in_form: bool = True
    """printed on the annex's blank form (`registry.sheets.writers`)"""
    lines: bool = False
    """may hold line breaks: an opinion written over lines (同意 / （印章） / 日期)"""

    def matches(self, key: str) -> bool:
        return key in {header_key(n) for n in (self.name, *self.aliases)}


@dataclass(frozen=True)
class Layout:
    kind: str
    title: str
    columns: tuple[Column, ...]
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """merged header cells over sub-columns, e.g. 考试考核结果 over its five results (附件4)"""

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.matches(key)), None)

    def fallback(self, key: str) -> Column | None:
        """The column a header cell names by one of its `Column.fallbacks`."""
        return next((c for c in self.columns if key in map(header_key, c.fallbacks)), None)

    def noted(self, key: str) -> Column | None:
        """The column a header cell names with a note in brackets added — 出生年月（年.月）,
        报考等级(初级/中级/高级) — when the cell names none as it is."""
        bare = _NOTE.sub("", key)
        return self.column(bare) if bare and bare != key else None

    @property
    def clause(self) -> str | None:
        """The notice's clause of the form, as its title ends: 附件4, §四.(六)1."""
        found = _TITLE_CLAUSE.search(self.title)
        return found[1] if found else None

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def form_columns(self) -> list[str]:
        """The columns a form of this kind prints, in the annex's order."""
        return [c.name for c in self.columns if c.in_form]


def quantity_columns(names: tuple[str, ...]) -> tuple[Column, ...]:
    """Blank-certificate quantities (本) as 附件1 and 附件2 head them: 初级, 初级(本), 初级本…"""
    return tuple(Column(name, aliases=(f"{name}(本)", f"{name}本", f"{name}工")) for name in names)
