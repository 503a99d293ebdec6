"""Confirmation without revealing (SPEC §7): the employer types what the paper shows — level,
trade, issue date, whether 补发 is printed — and learns, field by field, whether the registry
agrees. A mismatch is never answered with the registry's value, and a confirming answer carries
none of those values at all: the check cannot be used to harvest what a certificate says.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

from registry.domain.dates import BadDate, parse_date
from registry.domain.levels import LETTER_OF_LEVEL, LEVELS
from registry.domain.names import normalise_name
from registry.domain.statuses import REISSUE, REISSUED
from registry.domain.text import drop_invisible, visible
from registry.domain.trades import TradeCatalogue, builtin_catalogue
from registry.public.lookup import Verification

MATCH, MISMATCH = "match", "mismatch"

CONFIRMABLE: dict[str, str] = {
    "level": "等级",
    "trade": "工种",
    "issued_on": "发证日期",
    "reissue_mark": "正页右下方注明“补发”",
}
"""What a paper shows that an employer may confirm → its label."""

_YES = frozenset({"是", "有", "补发", "已补发", "注明补发", "有补发", "yes", "y", "true", "1", "√"})
"""How an employer says the paper bears the mark — the word printed on it, 补发, too."""
_NO = frozenset(
    {"否", "无", "没有", "无补发", "没有补发", "未补发", "未注明", "no", "n", "false", "0", "×"}
)


def _level(typed: str) -> str | None:
    # 級, 師: a traditional-character keyboard's 级, 师
    text = normalise_name(typed).replace("級", "级").replace("師", "师")
    letter = LETTER_OF_LEVEL.get(text) or (text.upper() if text.upper() in LEVELS else None)
    return LEVELS[letter] if letter else None


def _trade(typed: str, catalogue: TradeCatalogue) -> str:
    return catalogue.resolve(typed) or normalise_name(typed)


_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_CHINESE_DATE = re.compile(
    r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})[日号]"
)


def _chinese_number(text: str) -> str:
    """一 … 三十一, as a month or a day is written in words."""
    tens, ten, units = text.partition("十")
    if not ten:
        return _DIGITS.get(text, "x")
    return str(
        int(_DIGITS.get(tens, "x") if tens else "1") * 10
        + int(_DIGITS.get(units, "x") if units else "0")
    )


def _date(typed: str) -> str | None:
    """The date as the paper prints it: 2012年3月15日, 2012.3.15 … or in words, as papers are
    often filled in (二〇一二年三月十五日); 号 for 日 as people say it."""
    # ○ (a white circle) is how many keyboards type 〇
    text = unicodedata.normalize("NFKC", typed).strip().replace("号", "日").replace("○", "〇")
    words = _CHINESE_DATE.fullmatch(text)
    if words:
        year = "".join(_DIGITS[c] for c in words[1])
        try:
            text = f"{year}年{_chinese_number(words[2])}月{_chinese_number(words[3])}日"
        except ValueError:
            return None
    try:
        return parse_date(text).isoformat()
    except BadDate:
        return None


def _typed(typed: Mapping[str, str], field: str) -> str:
    """What the employer typed for ``field``, without the invisible characters a copy and
    paste brings along (a zero-width space would make 中级工 a mismatch)."""
    return drop_invisible(typed.get(field) or "").strip()


def anything_typed(typed: Mapping[str, str]) -> bool:
    """Whether the employer typed something from the paper to confirm — not only blanks or
    invisible characters, which would withhold the answer and confirm nothing."""
    return any(_typed(typed, field) for field in typed)


def _mark(typed: str) -> bool | None:
    text = unicodedata.normalize("NFKC", typed).strip().casefold()
    return True if text in _YES else False if text in _NO else None


def unreadable(typed: Mapping[str, str]) -> str | None:
    """Why a level, date or 补发 mark the employer typed cannot be read, if one cannot: the
    employer is asked to write it again, rather than told the paper disagrees with the registry."""
    text = _typed(typed, "level")
    if text and _level(text) is None:
        return (
            f"证书上的等级“{visible(text)}”无法识别：《资格证书》的等级是初级工、中级工、高级工、"
            "技师（附件3），请照证书填写其中之一；证书上印的若不是其中之一，请向发证机关核实"
        )
    text = _typed(typed, "issued_on")
    if text and _date(text) is None:
        return f"证书上的发证日期“{visible(text)}”无法识别，请照证书填写，如 2012年3月15日"
    text = _typed(typed, "reissue_mark")
    if text and _mark(text) is None:
        return f"证书正页右下方是否注明“补发”：“{visible(text)}”无法识别，请填 是 或 否"
    return None


_FIRST_ISSUES = (
    "WITH RECURSIVE replaced(number) AS (SELECT ? UNION"
    " SELECT c.predecessor FROM replaced JOIN certificates c ON c.number = replaced.number"
    " JOIN status_events e ON e.number = c.predecessor AND e.new_number = c.number"
    " AND e.type = ?)"
    " SELECT c.issued_on FROM replaced JOIN certificates c ON c.number = replaced.number"
)
"""The issue dates of the certificate a 补发 copy replaced and of those that one replaced by a
补发 in turn (a 换发 ends the chain: its paper was approved anew)."""


def first_issues(conn: sqlite3.Connection, answer: Verification) -> frozenset[str]:
    """The issue dates a 补发 copy under a new number may print besides its own: the 补发 is
    approved against the original's 原公布文件 (§四.(六)3), so a genuine copy may print the
    original's date — answered 可能被涂改或伪造 when only the 补发's matched. None for any other
    answer, and none before the name matched (read for a wrong name, the time it takes would
    tell a stranger the number is a 补发 copy)."""
    if not answer.matched or not answer.reissue_of:
        return frozenset()
    rows = conn.execute(_FIRST_ISSUES, (answer.reissue_of, REISSUE))
    return frozenset(issued for (issued,) in rows if issued)


def confirm(
    answer: Verification,
    typed: Mapping[str, str],
    catalogue: TradeCatalogue | None = None,
    originals: Collection[str] = (),
) -> dict[str, str]:
    """``match`` or ``mismatch`` for each field the employer typed (blank ones are skipped).

    Only a matched answer (number and name agree) is confirmed: for any other, nothing is said
    about the paper at all. A level, date or mark that cannot be read is refused before
    (`unreadable`) and, should one come here, a mismatch. ``originals``: the `first_issues` of a
    补发 copy, issue dates its paper may print too.
    """
    if not answer.matched:
        return {}
    catalogue = catalogue or builtin_catalogue()
    marked = bool(answer.reissue) or answer.result == REISSUED
    registry = {
        "level": answer.level,
        # as the catalogue of its roster spelt it: one that renamed the trade keeps that name as
        # an alias, and a paper printed either side of the rename bears the same trade
        "trade": answer.trade and _trade(answer.trade, catalogue),
        "issued_on": answer.issued_on,
        "reissue_mark": marked,
    }
    readers = {
        "level": _level,
        "trade": lambda text: _trade(text, catalogue),
        "issued_on": _date,
        "reissue_mark": _mark,
    }
    # a 补发 under the same number: the reissued paper may print the day it was reissued; a 补发
    # copy under a new number, the day of the original it replaced
    dates = {answer.issued_on, answer.status_date if answer.result == REISSUED else None}
    dates.update(originals)
    found = {}
    for field, reader in readers.items():
        text = _typed(typed, field)
        if text:
            read = reader(text)
            agrees = read in dates if field == "issued_on" else read == registry[field]
            found[field] = MATCH if read is not None and agrees else MISMATCH
    return found


MISMATCH_ADVICE = (
    "所填的证书内容与登记不符。请先对照证书原件逐字核对所填的内容（工种按证书上印的名称填写）；"
    "核对无误仍不符的，该证书可能被涂改或伪造（§四.(三) 不得涂改；§五.(三)），请暂勿以此证书"
    "为凭，向发证机关核实。"
)
"""The next step when a confirmed field disagrees, whatever the result of number and name."""
ORIGINAL_SHOWN = (
    "该证书已{when}补发，只有正页右下方注明“补发”字样的补发证书有效；持证人出示的证书上没有"
    "“补发”字样，很可能是补发时已作废的原证书（§四.(六)3）。请要求持证人出示补发的证书，"
    "或向发证机关核实。"
)


def mismatch_advice(answer: Verification, mismatched: Sequence[str]) -> str:
    """What the employer does next when the paper disagrees with the registry: a forgery is
    suspected — unless all that differs is the missing 补发 mark of a certificate reissued under
    its own number: the paper shown is then most likely the original, void since the 补发."""
    if list(mismatched) == ["reissue_mark"] and answer.result == REISSUED:
        return ORIGINAL_SHOWN.format(when=f"于 {answer.status_date} " if answer.status_date else "")
    return MISMATCH_ADVICE


WITHHELD = ("level", "trade", "issued_on")
"""The registered values an answer withholds when the paper is confirmed against them. (Not
the 补发 flag a paper's mark is confirmed against: every answer about a 补发 copy says it is
one, and its status says so of a 补发 under the same number.)"""


def withheld(answer: Verification) -> Verification:
    """The answer without the values a paper is confirmed against — for a 补发 under the same
    number also its date, which the reissued paper may print as its issue date."""
    reissued_on = None if answer.result == REISSUED else answer.status_date
    blanks: dict[str, Any] = dict.fromkeys(WITHHELD)
    return replace(answer, **blanks, status_date=reissued_on)
