"""Traditional characters read as the simplified ones the notice and its forms are written in: a
roster copied from a traditional-character source (a trade 電工, a holder 張偉) is the same
trade, and the same person, as one typed in simplified characters."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from opencc import OpenCC


@cache
def _simplifier() -> OpenCC:
    return OpenCC("t2s")


def simplified(text: str) -> str:
    """``text`` in simplified characters, phrase by phrase (電工 → 电工): what a trade's words
    mean, as the catalogue writes them."""
    return str(_simplifier().convert(text))


STANDARD_AS_WRITTEN = frozenset("甯昇陞甦蒐吒釐氾覈")
"""Characters OpenCC folds though the 通用规范汉字表 (2013) keeps them, for names above all:
甯伟 is not 宁伟 (a surname of its own), 昇 not 升."""

ONE_SURNAME = {"锺": "钟"}
"""Simplified characters a traditional one has two of, both written for one surname: 鍾 is 钟
to most clerks and 锺 to the 2013 table (restored for the surname), and a paper reading 锺伟
was 未查到 to an employer typing 钟伟 or 鍾偉. Only names' pairs: 划 and 画 (both of 畫) are
two characters."""


@cache
def _one_for_one(one_surname: bool = True) -> dict[int, str]:
    """Each traditional character with its first simplified form (OpenCC's own table), unless
    it is a standard character too — 乾 and 於 (OpenCC keeps them as their own simplified
    form) are surnames of their own, not 干 and 于; likewise `STANDARD_AS_WRITTEN`."""
    table = files("opencc").joinpath("dictionary", "TSCharacters.txt").read_text(encoding="utf-8")
    folded: dict[int, str] = {}
    for line in table.splitlines():
        char, _, forms = line.partition("\t")
        candidates = forms.split()
        if len(char) != 1 or char in candidates or char in STANDARD_AS_WRITTEN:
            continue
        if candidates and len(candidates[0]) == 1:
            folded[ord(char)] = candidates[0]
    for source, target in folded.items():  # 薴 → 苧 → 苎: each straight to the end of its chain
        seen = {source}
        while (further := folded.get(ord(target))) is not None and ord(target) not in seen:
            seen.add(ord(target))
            target = further
        folded[source] = target
    if one_surname:
        folded.update((ord(variant), first) for variant, first in ONE_SURNAME.items())
    return folded


def simplified_characters(text: str, *, one_surname: bool = True) -> str:
    """``text`` with each traditional character in its simplified form, character by character:
    what a name is compared as (張偉, 龍小雲 are 张伟, 龙小云; a name has no phrases to read).
    ``one_surname=False``: with `ONE_SURNAME`'s characters as written, as before 2026-12-05."""
    return text.translate(_one_for_one(one_surname))
