"""What a check guesses (`verify_app.guesses`): per number, the names asked with it — or, for a
number paused for every caller without an API key, each name together with what the paper
shows.

The pause of a number for every anonymous caller (a day's names that did not match it, all
callers together) stopped the genuine holder's employers too: thirty wrong names from three
addresses kept a real certificate unverifiable for hours (two reviews). What such an employer has
and a guesser has not is the paper: a check that also types its 发证日期 and 工种 still goes
through while the number is paused, and is answered only when the name and both fields match
the registry — any other such check is refused with the pause, whatever it got right, so it
tells nothing of the name. Each (name, date, trade) tried counts as one guess on the caller's own
hourly counter: trying dates for one name is no cheaper than trying names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from registry.domain.names import name_key
from registry.domain.numbers import normalise, number_shaped
from registry.public.confirm import MATCH
from verify_app.answers import Checked, Item

PAPER_FIELDS = ("issued_on", "trade")
"""What an employer types from the paper to check a paused number: the level is the number's
letter, the 补发 mark a yes or no; a day of the years and a trade of the catalogue are not."""
_APART = "|"
"""Between a guess's parts, which the name key keeps."""


def brings_paper(item: Item) -> bool:
    """Whether ``item`` types every field of `PAPER_FIELDS` from the paper."""
    return all(str(item.typed.get(f) or "").strip() for f in PAPER_FIELDS)


def guess_of(item: Item, gated: bool) -> str:
    """What one guess of ``item``'s number is: its name, or for a ``gated`` number (paused, the
    paper typed) the name with the paper's date and trade."""
    if not gated:
        return item.name
    return _APART.join([item.name, *(str(item.typed[f]).strip() for f in PAPER_FIELDS)])


def guessed(items: Sequence[Item], gated: frozenset[str] = frozenset()) -> Mapping[str, list[str]]:
    """Per number (as the lookup reads it), the distinct guesses asked with it (`guess_of`).
    Only a number's shape is counted: nothing else has a holder to guess, and what else is
    typed in the number's field may be a name (swapped columns), which must not become a key in
    the store."""
    # a blank name — also one of invisible characters only — is checked for nothing (未查验):
    # no guess, in a single check as in a batch; numbers in the batch's order
    if len(items) == 1 and not gated:  # a single check, the common case: one name
        number = normalise(items[0].number)
        return (
            {number: [items[0].name]} if name_key(items[0].name) and number_shaped(number) else {}
        )
    named: dict[str, dict[str, str]] = {}
    for item in items:
        if (key := name_key(item.name)) and number_shaped(number := normalise(item.number)):
            if number in gated:
                guess = guess_of(item, True)
                named.setdefault(number, {}).setdefault(name_key(guess), guess)
            else:
                named.setdefault(number, {}).setdefault(key, item.name)
    return {number: list(names.values()) for number, names in named.items()}


def gateable(items: Sequence[Item], numbers: Sequence[str]) -> frozenset[str]:
    """Of ``numbers`` (paused for every anonymous caller), those each of whose checks in
    ``items`` brings the paper."""
    asked: dict[str, bool] = {}
    for item in items:
        number = normalise(item.number)
        if number in numbers:
            asked[number] = asked.get(number, True) and brings_paper(item)
    return frozenset(number for number, paper in asked.items() if paper)


def passed(check: Checked) -> bool:
    """Whether a check of a paused number is answered: the name and the paper's date and trade
    all as registered."""
    confirmation = check.confirmation or {}
    return check.answer.matched and all(confirmation.get(f) == MATCH for f in PAPER_FIELDS)
