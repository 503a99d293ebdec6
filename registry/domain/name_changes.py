"""Whether a 换发's corrected name is the registered one mis-written or another name (§二).

A 换发 corrects what was mis-filled (错填). A name mis-written by pen or by ear is the holder's;
another name altogether, together with another sex or birth, is another person
(`registry.kinds.status_holder`). pypinyin is imported only here, and only when a name is
judged: its dictionaries take 130 ms and 50 MB, which only a 换发 rewriting a name should pay.
"""

from __future__ import annotations

import unicodedata

from registry.domain.characters import simplified
from registry.domain.names import COMPOUND_SURNAMES, holder_key

UNREAD = "?"
"""The reading of a Chinese character pypinyin does not know (a rare one, 𠮷, or one typed in
the private-use area for want of a font): it may be any."""
SURNAME_READINGS = {
    "曾": ("zeng",),
    "单": ("shan",),
    "区": ("ou",),
    "仇": ("qiu",),
    "朴": ("piao",),
    "翟": ("zhai",),
    "缪": ("miao",),
    "解": ("xie", "jie"),
    "查": ("zha", "cha"),
    "覃": ("qin", "tan"),
    "盖": ("ge", "gai"),
    "乐": ("yue", "le"),
}
"""How a surname is read where it is not read as the character usually is: in place of
pypinyin's reading, for the first character of a name only (曾 is zeng as a surname, never
ceng, which Sichuan hears like 陈; 乐 is yue or le as a surname, le in 王乐)."""
OTHER_READINGS = {
    "长": ("chang",),
    "重": ("chong",),
    "朝": ("zhao",),
    "行": ("hang",),
}
"""Readings a given name gives a character besides pypinyin's usual one. Not every reading
pypinyin knows: its archaic ones (明 meng, 胜 xing, 王 yu) made 王梦 sound like 王明, and a
brother's certificate passed to his sister."""


TRANSLITERATIONS = {
    "吉": ("jie",),
    "杰": ("ji",),
    "次": ("cai", "ce"),
    "才": ("ci", "ce"),
    "策": ("ci", "cai"),
    "仁": ("rang",),
    "让": ("ren",),
}
"""Readings a character has as one syllable of a Tibetan name, which clerks write in Chinese
characters in more than one way: 多吉 and 多杰 (rdo rje), 次仁, 才仁 and 策仁 (tshe ring),
泽仁 and 泽让 — one name, spelt as the clerk heard it (甘孜, 阿坝). Read so only in names of
four characters or more without a compound surname (`_tibetan`): a Han name is two or three, and
王吉 with another sex is not 王杰's name mis-written."""


def _tibetan(name: str) -> bool:
    """Whether ``name`` may be a Tibetan name written in Chinese: four characters or more, and
    not a Han name of a compound surname (欧阳建华)."""
    return len(name) >= 4 and name[:2] not in COMPOUND_SURNAMES


def another_name(registered: str, corrected: str, *, strict: bool = False) -> bool:
    """Whether the name key ``corrected`` is another name altogether, not ``registered``
    mis-written by pen or by ear: the same characters, traditional or simplified, in any order
    (陳傑 is 陈杰, 杰周 is 周杰); a name that reads alike (`_sounds_alike`); and one character
    left out or added (周杰伦, 欧阳娜娜 for 欧阳娜) — but when ``strict`` (the sex changes with
    it) only one written twice or once (张婷婷 for 张婷): with another sex, 王建芳 is 王建's
    sister, not his name mis-written. Anything else
    is another name, however many characters the two share: 周丽 is not 周杰 mis-written, nor
    王建芳 王建国, nor 陈建芳 刘建华, nor 阿依古丽·买买提 艾力·买买提 — a surname, a
    generation character or a father's name is what a family shares."""
    shorter, longer = sorted(
        (simplified(holder_key(registered)), simplified(holder_key(corrected))), key=len
    )
    if sorted(shorter) == sorted(longer):
        return False
    if len(longer) == len(shorter) + 1 and any(
        longer[:i] + longer[i + 1 :] == shorter and (not strict or _doubled(longer, i))
        for i in range(len(longer))
    ):  # strict: only a character written twice or once (张婷婷 for 张婷)
        return False
    return not _sounds_alike(shorter, longer)


def _doubled(name: str, place: int) -> bool:
    """Whether the character at ``place`` repeats one beside it (婷 in 张婷婷)."""
    return name[place] in name[max(place - 1, 0) : place] + name[place + 1 : place + 2]


def _sounds_alike(first: str, second: str) -> bool:
    """Whether two names (simplified, without their dots) read alike, syllable by syllable: a
    name taken down by ear (章洁 for 张杰, 黎莉 for 李丽; 邹婕 for 周杰 and 曾 for 郑 in
    Sichuan's speech, `as_heard`). A character is read its usual way and those of
    `SURNAME_READINGS` (first) or `OTHER_READINGS`; a Chinese one pypinyin does not know may be
    any, a letter of another script (Hangul, Cyrillic) is only itself. A name with Latin
    letters is compared as spelt in pinyin (zhang wei), without the dialect's merges. One
    syllable alike is not enough: 刘洁 shares jie with 周杰 and is another person."""
    if any(char.isascii() for char in first + second):
        return _spelt(first) == _spelt(second) != ""
    transliterated = _tibetan(first) and _tibetan(second)
    a, b = _readings(first, transliterated), _readings(second, transliterated)
    return len(a) == len(b) and all(
        x & y or UNREAD in x or UNREAD in y for x, y in zip(a, b, strict=True)
    )


def as_heard(syllable: str) -> str:
    """A pinyin syllable as Sichuan's speech says it, which does not tell apart the initials
    zh/z, ch/c, sh/s and n/l, nor the finals ing/in and eng/en: 周 zhou is heard as 邹 zou, 晶
    jing as 金 jin, 牛 niu as 刘 liu."""
    for heard in ("zh", "ch", "sh"):
        if syllable.startswith(heard):
            syllable = syllable[0] + syllable[2:]
            break
    if syllable.startswith("n"):
        syllable = "l" + syllable[1:]
    if syllable.endswith(("ing", "eng")):
        syllable = syllable[:-1]
    return syllable


def _readings(name: str, transliterated: bool = False) -> list[set[str]]:
    """Each character's readings, as Sichuan hears them (`as_heard`): its usual one and a
    surname's, a given name's or a Tibetan name's others (`TRANSLITERATIONS`); `UNREAD` for a Chinese character pypinyin does not know; another script's
    letter itself."""
    from pypinyin import Style, pinyin

    readings = []
    for place, char in enumerate(name):
        usual = pinyin(char, style=Style.NORMAL, errors=_as_it_is)[0][0]
        if usual != char:
            if place == 0 and char in SURNAME_READINGS:
                readings.append({as_heard(r) for r in SURNAME_READINGS[char]})
            else:
                tibetan = TRANSLITERATIONS.get(char, ()) if transliterated else ()
                others = (*OTHER_READINGS.get(char, ()), *tibetan)
                readings.append({as_heard(r) for r in (usual, *others)})
        else:
            readings.append({UNREAD} if _ideograph(char) else {char})
    return readings


def _as_it_is(char: str) -> str:
    return char


def _ideograph(char: str) -> bool:
    """A Chinese character (any extension), or one of the private-use area, where systems
    without a rare character's font put it."""
    return unicodedata.category(char) == "Co" or unicodedata.name(char, "").startswith(
        ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")
    )


def _spelt(name: str) -> str:
    """A name in letters, or letters and characters, as the letters of its pinyin."""
    from pypinyin import lazy_pinyin

    spelt = unicodedata.normalize("NFKD", "".join(lazy_pinyin(name)).lower())  # José: jose
    return "".join(ch for ch in spelt if ch.isascii() and ch.isalpha())
