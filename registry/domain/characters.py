"""Traditional characters read as the simplified ones the notice and its forms are written in: a
roster copied from a traditional-character source (a trade 電工, a holder 張偉) is the same
trade, and the same person, as one typed in simplified characters."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from opencc import OpenCC

from registry.domain.text import MAX_NAME_CHARS


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


MAX_SPELLINGS = 256
"""The most spellings `spellings` lists: 欧阳钟历 has 80 (钟 alone is 钟 鍾 鐘 锺 鈡)."""


@cache
def _written_as() -> dict[str, tuple[str, ...]]:
    """Each character with every character its fold reads as it, the likeliest first: itself,
    then its traditional forms in OpenCC's order of use (钟: 钟 鍾 鐘 鈡 锺), then the rest."""
    forms: dict[str, list[str]] = {}
    for source, target in _one_for_one(True).items():
        forms.setdefault(target, [target]).append(chr(source))
    table = files("opencc").joinpath("dictionary", "STCharacters.txt").read_text(encoding="utf-8")
    usual: dict[str, list[str]] = {}
    for line in table.splitlines():
        char, _, written = line.partition("\t")
        usual[char] = written.split()
    return {
        char: tuple(sorted(written, key=lambda c: (c != char, _rank(usual.get(char, []), c))))
        for char, written in forms.items()
    }


def _rank(usual: list[str], char: str) -> int:
    return usual.index(char) if char in usual else len(usual)


def spellings(name: str) -> list[str]:
    """Every way of writing ``name`` that its fold reads as it — 张伟, 張伟, 张偉, 張偉 — up to
    `MAX_SPELLINGS`, the likeliest first: as typed, all simplified, all in each character's
    first traditional form (歐陽鍾歷: a cut kept only mixtures of the simplified) — what a column
    compared as written must hold for a filter to find every spelling of one holder."""
    if len(name) > MAX_NAME_CHARS:  # no holder's: 5,000 characters took 7 s of a staff page
        return [name]
    simple = simplified_characters(name)
    forms = [_written_as().get(char, (char,)) for char in simple]
    traditional = "".join(written[1] if len(written) > 1 else written[0] for written in forms)
    found = [""]
    for written in forms:
        found = [f + c for f in found for c in written][:MAX_SPELLINGS]
    return list(dict.fromkeys([name, simple, traditional, *found]))[:MAX_SPELLINGS]


def simplified_characters(text: str, *, one_surname: bool = True) -> str:
    """``text`` with each traditional character in its simplified form, character by character:
    what a name is compared as (張偉, 龍小雲 are 张伟, 龙小云; a name has no phrases to read).
    ``one_surname=False``: with `ONE_SURNAME`'s characters as written, as before 2026-12-05."""
    return text.translate(_one_for_one(one_surname))
