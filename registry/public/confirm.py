"""Confirmation without revealing (SPEC §7): the employer types what the paper shows — level,
trade, issue date, whether 补发 is printed — and learns, field by field, whether the registry
agrees. A mismatch is never answered with the registry's value, and a confirming answer carries
none of those values at all: the check cannot be used to harvest what a certificate says.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import replace

from registry.domain.dates import BadDate, parse_date
from registry.domain.levels import LETTER_OF_LEVEL, LEVELS
from registry.domain.names import normalise_name
from registry.domain.statuses import REISSUED
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

_YES = frozenset({"是", "有", "yes", "y", "true", "1", "√"})
_NO = frozenset({"否", "无", "没有", "no", "n", "false", "0", "×"})


def _level(typed: str) -> str | None:
    text = normalise_name(typed)
    letter = LETTER_OF_LEVEL.get(text) or (text.upper() if text.upper() in LEVELS else None)
    return LEVELS[letter] if letter else None


def _trade(typed: str, catalogue: TradeCatalogue) -> str:
    return catalogue.resolve(typed) or normalise_name(typed)


def _date(typed: str) -> str | None:
    try:
        return parse_date(unicodedata.normalize("NFKC", typed).strip()).isoformat()
    except BadDate:
        return None


def _mark(typed: str) -> bool | None:
    text = unicodedata.normalize("NFKC", typed).strip().casefold()
    return True if text in _YES else False if text in _NO else None


def confirm(
    answer: Verification, typed: Mapping[str, str], catalogue: TradeCatalogue | None = None
) -> dict[str, str]:
    """``match`` or ``mismatch`` for each field the employer typed (blank ones are skipped).

    Only a matched answer (number and name agree) is confirmed: for any other, nothing is said
    about the paper at all. A value that cannot be read (a level that is no level) is a mismatch.
    """
    if not answer.matched:
        return {}
    catalogue = catalogue or builtin_catalogue()
    marked = bool(answer.reissue) or answer.result == REISSUED
    registry = {
        "level": answer.level,
        "trade": answer.trade,
        "issued_on": answer.issued_on,
        "reissue_mark": marked,
    }
    readers = {
        "level": _level,
        "trade": lambda text: _trade(text, catalogue),
        "issued_on": _date,
        "reissue_mark": _mark,
    }
    found = {}
    for field, reader in readers.items():
        text = (typed.get(field) or "").strip()
        if text:
            read = reader(text)
            found[field] = MATCH if read is not None and read == registry[field] else MISMATCH
    return found


def withheld(answer: Verification) -> Verification:
    """The answer without the values a paper is confirmed against."""
    return replace(answer, level=None, trade=None, issued_on=None)
