"""Holder names: the normal form used for matching, and the mask shown to the public (SPEC §7)."""

from __future__ import annotations

import re
import unicodedata

from registry.domain.characters import simplified_characters
from registry.domain.text import drop_invisible

MIDDLE_DOT = "\u00b7"
_DOTS = re.compile("[·•・‧･∙\u2027\u30fb\uff65\u2219\u2022\ua78f]")  # ꞏ: sinological dot
_DOT_LOOKALIKES = str.maketrans(dict.fromkeys("\u02d9\u318d\u2e31", MIDDLE_DOT))
"""Dots an input method's symbol palette offers beside ·, folded before NFKC makes ˙ (in GBK)
a combining mark and ㆍ a Hangul vowel: 扎西˙多吉, 扎西ㆍ多吉, 扎西⸱多吉 are 扎西·多吉."""
_SPACE = re.compile(r"\s+")
_PERIOD = re.compile(r"(?<=[^\x00-\x7f])[.。\-‐－](?=[^\x00-\x7f])")
"""A full stop or a hyphen between two Chinese characters: a minority name's dot typed as
keyboards without · make people type it (阿依古丽.买买提, 阿依古丽－买买提江)."""
_SEPARATORS = re.compile(f"[{MIDDLE_DOT}.\\-]")
_APOSTROPHES = re.compile("[\u2018\u2019\u02bc]")
"""Curly and modifier apostrophes (O’Neil, as a word processor writes it): one name with the
keyboard's ``'`` (O'Neil, as people type it)."""
_APOSTROPHE = re.compile("['\u2018\u2019\u02bc]")
"""Any apostrophe, the keyboard's too: what `same_holder` overlooks besides the dots."""

# Two-character surnames: the mask keeps the whole surname (欧阳明 → 欧阳*).
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 西门 "
    "百里 呼延 万俟 闻人 赫连 澹台 公羊 申屠 太史 淳于 单于 钟离 宗政 濮阳 仲孙 东郭 第五".split()
)


def normalise_name(text: str) -> str:
    """NFKC, every whitespace removed (rosters pad 张  三 with U+3000), middle dots folded to U+00B7,
    apostrophes to ``'``.

    The result is what a holder's name is stored and compared as; Latin letters are case-folded
    only for comparison (see `name_key`), never in what is shown.
    """
    value = unicodedata.normalize("NFKC", text.translate(_DOT_LOOKALIKES))
    # most names, in one C call: no whitespace, no dot, no apostrophe — but U+02BC is a letter
    if value.isalpha() and "\u02bc" not in value and "\ua78f" not in value:
        return value
    value = _APOSTROPHES.sub("'", _SPACE.sub("", value))
    return _PERIOD.sub(MIDDLE_DOT, _DOTS.sub(MIDDLE_DOT, value))


def name_key(text: str) -> str:
    """The comparison key of a name: its normal form, case-folded, without invisible characters
    (a name pasted with a zero-width space is the name its reader sees), in simplified
    characters (張偉 is 张伟: §二's one certificate per person, and the name on the paper)."""
    return simplified_characters(written_key(text))


def written_key(text: str) -> str:
    """`name_key` in the characters as written (張偉 stays 張偉): the key certreg made before
    2026-12-05, which a receipt issued before then hashed."""
    return normalise_name(drop_invisible(text)).casefold()


def key_before_one_surname(text: str) -> str:
    """`name_key` with 锺 kept apart from 钟 (`registry.domain.characters.ONE_SURNAME`): the key
    a receipt issued on 2026-12-05 hashed."""
    return simplified_characters(written_key(text), one_surname=False)


def normal_key(name: str) -> str:
    """`name_key` of a name in its normal form already (`normalise_name`, nothing invisible):
    a roster's name, keyed for each of a million rows."""
    return simplified_characters(name.casefold())


def same_holder(registered: str, typed: str) -> bool:
    """Whether the name key ``typed`` is the registered key: equal, or equal but for the dots
    of a minority name (阿依古丽买买提, 阿依古丽 买买提 for 阿依古丽·买买提; and a name an
    older certreg registered with a full stop) or for apostrophes (O'Neil, O’Neil, ONeil). The
    letters and their order must agree."""
    if registered == typed:
        return True
    # a registry not yet refolded (`registry.store.migrations`: readers never write) keeps
    # O’Neil's key with its ’, and 張偉's in traditional characters
    registered, typed = holder_key(simplified_characters(registered)), holder_key(typed)
    return registered == typed or shared_key(registered) == shared_key(typed)


def shared_key(key: str) -> str:
    """What every spelling `same_holder` takes for one holder shares: the name key without a
    minority name's dots and without apostrophes (O'Neil, ONeil)."""
    return _APOSTROPHE.sub("", holder_key(key))


def holder_key(key: str) -> str:
    """A name key without the dots `same_holder` overlooks: what two spellings it takes for one
    holder share (a receipt's keyed hash is made of it, so it stays what it was)."""
    return _SEPARATORS.sub("", key)


def mask_name(name: str) -> str:
    """Mask a name for public display: 张三明 → 张*明, 张三 → 张*, 欧阳明 → 欧阳*.

    The surname stays, the last character of a given name of two or more characters stays,
    everything else becomes ``*``; middle dots of minority names stay so the shape is
    recognisable, and of a dotted name the first and — past two letters — the last letter
    (达·瓦 → 达·*: kept whole, the dot showed more of a name than 达瓦 → 达* did). A letter is
    masked with the marks written on it (a Tibetan vowel sign sat on the ``*``: ར****ེ).
    """
    letters = _clusters(normalise_name(name))
    if MIDDLE_DOT in letters:
        places = [i for i, letter in enumerate(letters) if letter != MIDDLE_DOT]
        shown = {places[0], places[-1]} if len(places) > 2 else {places[0]}
        return "".join(
            letter if letter == MIDDLE_DOT or i in shown else "*"
            for i, letter in enumerate(letters)
        )
    surname_len = 2 if "".join(letters[:2]) in COMPOUND_SURNAMES and len(letters) > 2 else 1
    surname, given = "".join(letters[:surname_len]), letters[surname_len:]
    if len(given) <= 1:
        return surname + "*" * len(given)
    return surname + "*" * (len(given) - 1) + given[-1]


def _clusters(name: str) -> list[str]:
    """``name``'s letters, each with the combining marks that follow it (a vowel sign)."""
    letters: list[str] = []
    for ch in name:
        if letters and unicodedata.category(ch).startswith("M"):
            letters[-1] += ch
        else:
            letters.append(ch)
    return letters


SEXES = frozenset({"男", "女"})
SEX_RULE = ("性别应为“男”或“女”", "附件4")
"""What a sex cell breaks when it is neither, and where the form says so."""


def sex_of(written: str) -> str | None:
    """男 or 女 as typed in any width or spacing, or written 男性/女性 (a roster's cell, a
    换发's 更正性别), else None (M, 1: which is which is not for certreg to guess)."""
    sex = normalise_name(written).removesuffix("性")
    return sex if sex in SEXES else None
