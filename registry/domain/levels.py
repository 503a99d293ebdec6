"""The four certificate levels (附件3 一): letters, names, and how registers and forms write them."""

from __future__ import annotations

import re

LEVELS: dict[str, str] = {"J": "技师", "G": "高级工", "Z": "中级工", "C": "初级工"}
"""Level letter → level name, in the order of 附件3."""

LETTER_OF_LEVEL: dict[str, str] = {
    "技师": "J",
    "高级": "G",
    "高级工": "G",
    "中级": "Z",
    "中级工": "Z",
    "初级": "C",
    "初级工": "C",
}
"""How rosters write the 报考等级 column → level letter."""

GRADES: dict[str, str] = {"C": "五级", "Z": "四级", "G": "三级", "J": "二级"}
"""Level letter → the national grade it is (国家职业资格五级 to 二级), which rosters add in
brackets: 中级工（四级）."""
LETTER_OF_GRADE: dict[str, str] = {
    **{grade: letter for letter, grade in GRADES.items()},
    **{"5级": "C", "4级": "Z", "3级": "G", "2级": "J"},
}
"""How the bracket writes the grade (四级, or 4级 in Arabic numerals) → level letter."""
_BRACKETED = re.compile(r"(.+)\(([^()]+)\)")
"""A level followed by a note in brackets (after NFKC, full-width brackets are ASCII)."""
_GRADE_NAMED = re.compile(r"^(?:国家)?(?:职业)?资格")
"""What may name the grade in the bracket: 高级（国家职业资格三级） was told 国家职业资格三级 is
not 高级工's grade, 三级 (a review of the day's diff)."""


def read_level(written: str) -> tuple[str | None, str | None]:
    """(level letter, None) of a 报考等级 as written (NFKC, no spaces), or (None, why not) — or
    (None, None) for no level at all. 中级工（四级） was refused as no level: the bracket is read
    when it agrees; one that disagrees (中级（三级）) names both, not one chosen for the clerk."""
    if letter := LETTER_OF_LEVEL.get(written):
        return letter, None
    if graded := bare_grade(written):
        return None, _grade_alone(written, graded)
    bracketed = _BRACKETED.fullmatch(written)
    letter = LETTER_OF_LEVEL.get(bracketed[1]) if bracketed else None
    if bracketed is None or letter is None:
        return None, None
    said = LETTER_OF_GRADE.get(_GRADE_NAMED.sub("", bracketed[2]))
    if said == letter:
        return letter, None
    level, grade = LEVELS[letter], bracketed[2]
    if said is None:
        return (
            None,
            f"报考等级“{written}”括号里的“{grade}”不是{level}的等级：{level}是{GRADES[letter]}",
        )
    return None, (
        f"报考等级“{written}”前后不一致：{level}是{GRADES[letter]}，{grade}是{LEVELS[said]}，"
        f"请核对是{level}还是{LEVELS[said]}"
    )


def bare_grade(written: str) -> str | None:
    """The level letter of a bare national grade (四级, 国家职业资格三级: NFKC, no spaces), which
    `read_level` refuses naming it: whether the roster may issue that level is told too."""
    return LETTER_OF_GRADE.get(_GRADE_NAMED.sub("", written))


def _grade_alone(written: str, letter: str) -> str:
    """The refusal of a bare national grade (四级, 国家职业资格三级): refused as no level, the
    clerk was not told which level it is; read, a grade would be taken for a level the
    notice's forms do not write (附件4 prints 初级、中级、高级、技师)."""
    level = LEVELS[letter]
    return f"报考等级“{written}”即{level}，请填写“{level.removesuffix('工')}”"


LEVEL_ORDER = ("C", "Z", "G", "J")
"""Levels from lowest to highest: the order of the footer's 同意初级…中级…高级…技师."""

QUANTITY_COLUMNS = ("初级", "中级", "高级", "技师")
"""Blank-certificate quantities (本) by level, as 附件1 and 附件2 print them."""

LETTER_OF_QUANTITY: dict[str, str] = dict(zip(QUANTITY_COLUMNS, LEVEL_ORDER, strict=True))
"""Quantity column of 附件1/附件2 → level letter."""
