"""A bound on guessing a holder's name: one of the public service's abuse limits.

A certificate's number is no secret — it is printed on the paper and in every receipt's link —
and each check answers whether a name is the holder's. The per-client limits bound how fast
names are tried, not how many are tried against one number: a batch of forty candidate names
for one number found the one that matched. So each caller (an address, or an API key) may try
`NameGuesses.per_hour` names that do not match one number per hour; past that, checks of that
number by that caller are refused — whatever the name, before anything is looked up, so that a
refusal tells nothing about the name it came with — until the hour has moved on.

A caller with many addresses has many hours' worth, though: a receipt shows 张*明, and two hundred
addresses try the middle character's common choices. So callers without an API key also share
`NameGuesses.per_day` names a day per number; past them, anonymous checks of that number wait
for the day to move on, while HR systems with a key go on. A key is bound by as many a day on
its own: an hour's worth every hour was 240 names a day for each number.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from limits import RateLimitItem, RateLimitItemPerDay, RateLimitItemPerHour

from registry.domain.names import name_key
from registry.domain.numbers import normalise, number_shaped
from registry.domain.statuses import NO_MATCH
from registry.public.client_keys import limit_key
from verify_app.answers import Checked, Item
from verify_app.guess_refusals import (
    TooManyNames,
    more_than_fit,
    paused_for_all,
    paused_for_key,
    paused_hourly,
)
from verify_app.quotas import Caller, Quotas
from verify_app.ratelimit import Limiter
from verify_app.redis_names import Counted, Names
from verify_app.refusals import RateLimited

REACH = 2 * 3600.0
"""How long a miss weighs on an hourly sliding-window counter: its hour and the next."""
SHARED = "names/all/"
"""The counters anonymous callers share, per number (`NameGuesses.per_day`)."""
KEY_DAILY = "names/day/"
"""The daily counters of each API key, per number (`NameGuesses.per_day`)."""
DAILY_REACH = 2 * 86400.0
"""How long a miss weighs on a daily counter: its day and the next."""
MAX_REMEMBERED = 100_000
"""Keys remembered before those out of reach are dropped (each cost a check that missed)."""


def _is_daily(key: str) -> bool:
    """Whether ``key`` is a per-day counter (`NameGuesses.per_day`), not a caller's hourly one."""
    return key.startswith((SHARED, KEY_DAILY))


def _guessed(items: Sequence[Item]) -> Mapping[str, list[str]]:
    """Per number (as the lookup reads it), the distinct names asked with it. Only a number's
    shape is counted: nothing else has a holder to guess, and what else is typed in the
    number's field may be a name (swapped columns), which must not become a key in the store."""
    # a blank name — also one of invisible characters only — is checked for nothing (未查验):
    # no guess, in a single check as in a batch; numbers in the batch's order
    if len(items) == 1:  # a single check, the common case: one name (none to compare)
        number = normalise(items[0].number)
        return (
            {number: [items[0].name]} if name_key(items[0].name) and number_shaped(number) else {}
        )
    named: dict[str, dict[str, str]] = {}
    for item in items:
        if (key := name_key(item.name)) and number_shaped(number := normalise(item.number)):
            named.setdefault(number, {}).setdefault(key, item.name)
    return {number: list(names.values()) for number, names in named.items()}


@dataclass
class Reservation:
    """What `NameGuesses.reserve` counted, for `NameGuesses.settle`."""

    tags: dict[str, list[str]] = field(default_factory=dict)
    """per counter, the names (by the tag of their keyed hash) counted on it: those not tried
    with its number within its window"""
    counted: Counted | None = None
    """how they were counted (in which store: what is given back goes there)"""
    read: bool = False
    """the counters were only read (a serial check, counted in this process): a miss is
    counted when settled"""


class NameGuesses:
    """Names that did not match a number, per caller and number, in the shared store.

    A check first reserves each of its names not tried with the number before as a guess
    (`reserve`) — read, counted and marked in one step: one script in Redis, under a lock in
    this process (`Limiter.count_names`) — and gives back those that matched once answered
    (`settle`): read first and counted after, thirty batches sent at once each passed the
    reading and together tried seventy names of one number. A name is known again by the tag
    of its keyed hash (as the log keeps it — never the name), marked when counted: the same
    name checked many times at once is one guess, not a reservation each (eleven checks of the
    right name in flight were refused as if names had not matched; counted in one round trip
    and marked in the next, two sent at once could both count it). A check is charged its
    allowance before (`verify_app.service.Verifier.check_many`), and counts nothing unless every
    counter has room; what it counted stays counted if it then fails: another check of the name
    may have been answered on its strength meanwhile.

    A single check run on the event loop (``serial``: no other single check runs until it is
    settled) with the counts in this process's memory only reads its counter first and counts
    a miss after, and reads no counter this process has counted nothing on for two hours (the
    sliding window's reach): a third of a single check's time went to the counters. Any other
    check of one name (a batch or watch list of one, on a worker thread) reserves atomically:
    read first, forty-six sent at once were tried."""

    def __init__(
        self, quotas: Quotas, tag: Callable[[str], str], per_hour: int, per_day: int = 0
    ) -> None:
        self.quotas = quotas
        self.tag = tag
        """a name's keyed hash (`verify_app.name_hashes.name_hash`), as the checks carry it"""
        self.per_hour = per_hour
        """names a caller may try per number per hour; 0 turns the bound off"""
        self.per_day = per_day if per_hour else 0
        """names callers without an API key may try together per number per day, and each API
        key on its own; 0: no bound"""
        self._item = RateLimitItemPerHour(max(per_hour, 1))
        self._seen = RateLimitItemPerHour(1)
        """a name tried with a number: counted once in its hour"""
        self._daily = RateLimitItemPerDay(max(self.per_day, 1))
        self._seen_daily = RateLimitItemPerDay(1)
        self._missed: dict[str, float] = {}
        """when this process last counted a miss on each key (`time.monotonic`)"""
        self._forgetful_until = 0.0
        """before then (too many keys to remember were dropped), every counter is read"""
        self._lock = threading.Lock()

    @property
    def limiter(self) -> Limiter:
        """The store every quota counts in (`Quotas`): shared by replicas, with its fallback."""
        return self.quotas.single.limiter

    def _keys(self, caller: Caller, number: str) -> list[str]:
        """The counters a caller's names for ``number`` count on: its hourly one, and the daily
        one — its key's own, or the one anonymous callers share."""
        who = f"key{caller.key.id}" if caller.key else limit_key(caller.client)
        hourly = f"names/{who}/{number}"
        if not self.per_day:
            return [hourly]
        daily = f"{KEY_DAILY}{who}/{number}" if caller.key else f"{SHARED}{number}"
        return [hourly, daily]

    def _item_of(self, key: str) -> RateLimitItem:
        return self._daily if _is_daily(key) else self._item

    def _seen_of(self, key: str) -> RateLimitItem:
        """The mark of a name tried with a number: counted once in its window."""
        return self._seen_daily if _is_daily(key) else self._seen

    def reserve(
        self, caller: Caller, items: Sequence[Item], *, serial: bool = False
    ) -> Reservation:
        """Count every name of ``items`` as a guess of its number, or refuse them all:
        `TooManyNames` for more names of one number than an hour allows, `RateLimited` when
        they do not fit now — before anything is looked up, so a refusal says nothing of the
        names, and counts none of them. Returns what was reserved, for `settle`.
        ``serial``: no other check runs until this one is settled (see the class)."""
        if not self.per_hour:
            return Reservation()
        inline = serial and len(items) == 1 and self.limiter.local
        asked = _guessed(items)
        self._not_crowded(asked)
        # every counter read for room first, nothing counted unless all have it: counted key by
        # key, a caller refused on its own counter had its names counted on the one anonymous
        # callers share, for nothing (a review paused a number for everyone so)
        wanted = {
            (key, number): names
            for number, names in asked.items()
            for key in self._keys(caller, number)
        }
        if inline:
            short = [
                (key, number)
                for (key, number), names in wanted.items()
                if not self._untouched(key)
                and self.limiter.remaining(self._item_of(key), key) < len(names)
            ]
            reservation = Reservation(read=True)
        else:
            short, reservation = self._counted(wanted)
        if short:
            raise self._refusal({number: wanted[key, number] for key, number in short}, short)
        return reservation

    def _not_crowded(self, asked: Mapping[str, list[str]]) -> None:
        """`TooManyNames` for the numbers asked with more names than one of their counters
        holds — an hour's, or a day's set lower: no wait would make them fit (the wait was
        worked out by dividing by an empty counter, a 500)."""
        most = min(self.per_hour, self.per_day) if self.per_day else self.per_hour
        if crowded := [n for n, names in asked.items() if len(names) > most]:
            raise TooManyNames(crowded, len(asked[crowded[0]]), most)

    def _counted(
        self, wanted: Mapping[tuple[str, str], list[str]]
    ) -> tuple[list[tuple[str, str]], Reservation]:
        """Count each number's names on each of its counters in one step (`Limiter.count_names`):
        the counters without room for all their names (then nothing is counted), and what was
        reserved.

        Whether a check fits, and how long it waits, are the counter's alone: had a name tried
        before needed no room, a number's last room would have let a pair [candidate, another]
        through only when the candidate had been tried — by the employer who checked the right
        name. So a name in flight holds its room until it is answered and given back: at the
        number's last room, a second check of it sent at the same moment is refused. A mark is
        never taken back, nor is the count but by `settle`: another check of the name may be
        answered on its strength meanwhile, counting nothing."""
        if not wanted:  # no number's shape, or no name: nothing to guess, nothing to ask
            return [], Reservation()
        tags: dict[str, list[str]] = {}  # each name hashed once, for all its counters
        for (_, number), names in wanted.items():
            if number not in tags:
                tags[number] = [self.tag(name)[:32] for name in names]
        counters = [
            Names(self._item_of(key), key, self._seen_of(key), tags[number])
            for key, number in wanted
        ]
        counted = self.limiter.count_names(counters)
        if counted.short:
            counted_on = list(wanted)
            return [counted_on[i] for i in counted.short], Reservation()
        reserved = {names.key: new for names, new in zip(counters, counted.new, strict=True)}
        return [], Reservation(reserved, counted=counted)

    def _refusal(self, names: dict[str, list[str]], short: list[tuple[str, str]]) -> RateLimited:
        """The refusal of the numbers of ``short`` (counter, number) that have no room for
        their ``names``: each said, with the wait till all fit. Counters with room for a name
        still are not paused: the request names more than fits now (a batch sent again after a
        timeout needs room for its names again) — told so, not that the right name would be
        refused too, which it would not (an integrator's review)."""
        paused: dict[str, int] = {}  # number → seconds until it fits: every one, to drop at once
        for key, number in short:
            wait = self.limiter.wait_for(self._item_of(key), key, len(names[number]))
            paused[number] = max(paused.get(number, 0), wait)
        if all(self.limiter.remaining(self._item_of(key), key) > 0 for key, _ in short):
            return more_than_fit(paused)
        if any(key.startswith(SHARED) for key, _ in short):  # paused for every anonymous caller
            return paused_for_all(paused, self.per_day)
        if any(key.startswith(KEY_DAILY) for key, _ in short):
            return paused_for_key(paused, self.per_day)
        return paused_hourly(paused, self.per_hour)

    def settle(self, caller: Caller, reservation: Reservation, checked: Iterable[Checked]) -> None:
        """Keep, of what was reserved, each name that did not match its number; give back the
        rest. Counters only read count each name that did not match and was not tried with its
        number within the window (`Reservation.read`)."""
        if not reservation.tags and not reservation.read:
            return
        missed: dict[str, set[str]] = {}
        for check in checked:
            if check.answer.result != NO_MATCH:
                continue
            tag = check.name_hash[:32]
            for key in self._keys(caller, check.answer.number):
                if reservation.read:
                    if self.limiter.hit(self._seen_of(key), f"{key}/{tag}"):
                        missed.setdefault(key, set()).add(tag)
                elif tag in reservation.tags.get(key, ()):
                    missed.setdefault(key, set()).add(tag)
        if missed and self.limiter.local:
            self._remember(missed)
        if reservation.read:  # each miss is counted now
            for key, tags in missed.items():
                self.limiter.hit(self._item_of(key), key, len(tags))
        elif reservation.counted is not None:  # each name that matched is given back
            back = [
                (self._item_of(key), key, given)
                for key, reserved in reservation.tags.items()
                if (given := len(reserved) - len(missed.get(key, ())))
            ]
            self.limiter.take_back(back, fallback=reservation.counted.fallback)

    def _untouched(self, key: str) -> bool:
        """Whether this process has counted no miss on ``key`` within the counter's reach."""
        now = time.monotonic()
        reach = DAILY_REACH if _is_daily(key) else REACH
        return now >= self._forgetful_until and now - self._missed.get(key, -reach) >= reach

    def _remember(self, keys: Iterable[str]) -> None:
        now = time.monotonic()
        with self._lock:  # batches settle from the thread pool
            if len(self._missed) >= MAX_REMEMBERED:  # those out of reach are no use any more
                self._missed = {
                    k: t
                    for k, t in self._missed.items()
                    if now - t < (DAILY_REACH if _is_daily(k) else REACH)
                }
                if len(self._missed) >= MAX_REMEMBERED // 2:  # still too many: read every counter
                    self._missed, self._forgetful_until = {}, now + REACH
            self._missed.update(dict.fromkeys(keys, now))
