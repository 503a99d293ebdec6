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


@cache
def _one_for_one() -> dict[int, str]:
    """Each traditional character with its first simplified form (OpenCC's own table), unless
    it is a simplified character too — 乾 and 於 are surnames of their own, not 干 and 于."""
    table = files("opencc").joinpath("dictionary", "TSCharacters.txt").read_text(encoding="utf-8")
    folded: dict[int, str] = {}
    for line in table.splitlines():
        char, _, forms = line.partition("\t")
        candidates = forms.split()
        if len(char) == 1 and candidates and char not in candidates and len(candidates[0]) == 1:
            folded[ord(char)] = candidates[0]
    return folded


def simplified_characters(text: str) -> str:
    """``text`` with each traditional character in its simplified form, character by character:
    what a name is compared as (張偉, 龍小雲 are 张伟, 龙小云; a name has no phrases to read)."""
    return text.translate(_one_for_one())
