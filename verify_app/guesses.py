"""A bound on guessing a holder's name (SPEC §7: abuse limits).

A certificate's number is no secret — it is printed on the paper and in every receipt's link —
and each check answers whether a name is the holder's. The per-client limits bound how fast
names are tried, not how many are tried against one number: a batch of forty candidate names
for one number found the one that matched. So each caller (an address, or an API key) may try
`NameGuesses.per_hour` names that do not match one number per hour; past that, checks of that
number by that caller are refused — whatever the name, before anything is looked up, so that a
refusal tells nothing about the name it came with — until the hour has moved on.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from limits import RateLimitItemPerHour

from registry.domain.names import name_key
from registry.domain.numbers import normalise
from registry.domain.statuses import NO_MATCH
from verify_app.answers import Checked, Item
from verify_app.quotas import Caller, Quotas
from verify_app.ratelimit import Limiter, OverAllowance, RateLimited, limit_key

HOUR = 3600.0
MAX_REMEMBERED = 100_000
"""Keys remembered before those past their hour are dropped (each cost a check that missed)."""


class TooManyNames(OverAllowance):
    """More names for one number at once than an hour allows: to be corrected, not retried."""


def _guessed(items: Sequence[Item]) -> Mapping[str, int]:
    """Per number (as the lookup reads it), the distinct names asked with it."""
    if len(items) == 1:  # a single check, the common case: one name (none to compare)
        return {normalise(items[0].number): 1}
    return Counter(number for number, _ in {(normalise(i.number), name_key(i.name)) for i in items})


class NameGuesses:
    """Names that did not match a number, per caller and number, in the shared store."""

    def __init__(self, quotas: Quotas, per_hour: int) -> None:
        self.quotas = quotas
        self.per_hour = per_hour
        """names a caller may try per number per hour; 0 turns the bound off"""
        self._item = RateLimitItemPerHour(max(per_hour, 1))
        self._seen = RateLimitItemPerHour(1)
        """a name tried with a number: counted once in its hour"""
        self._missed: dict[str, float] = {}
        """when this process last counted a name against each key (`time.monotonic`): with
        the counts in this process's memory, a key not counted within the hour has its whole
        hour left, and its check reads no counter (a third of a single check's time)"""
        self._forgetful_until = 0.0
        """before then (too many keys to remember were dropped), every check reads its counter"""

    @property
    def limiter(self) -> Limiter:
        """The store every quota counts in (`Quotas`): shared by replicas, with its fallback."""
        return self.quotas.single.limiter

    def _key(self, caller: Caller, number: str) -> str:
        who = f"key{caller.key.id}" if caller.key else limit_key(caller.client)
        return f"names/{who}/{number}"

    def allow(self, caller: Caller, items: Sequence[Item]) -> None:
        """Refuse the check of ``items`` when one of their numbers could take more names not
        matching than ``caller`` has left for it (each name asked may be one): `OverAllowance`
        for more names of one number than an hour allows, `RateLimited` when they do not fit
        now. Nothing is charged or looked up then."""
        if not self.per_hour:
            return
        for number, names in _guessed(items).items():
            if names > self.per_hour:
                raise TooManyNames(
                    f"证书编号 {number} 一次配了 {names} 个不同的姓名：同一编号每小时最多核对 "
                    f"{self.per_hour} 个不相符的姓名（防止有人猜测持证人姓名），请核对证书上的姓名。"
                )
            key = self._key(caller, number)
            if self._nothing_counted(key):
                continue
            if names > self.limiter.remaining(self._item, key):
                retry = self.limiter.wait_for(self._item, key, names)
                raise RateLimited(
                    retry,
                    f"证书编号 {number} 在一小时内已有 {self.per_hour} 次姓名与登记不符：为防止有人"
                    f"猜测持证人姓名，暂停查验这个编号，请 {retry} 秒后再试。请先核对证书上的姓名；"
                    "确认无误仍不相符的，请联系发证机关核实。",
                )

    def count(self, caller: Caller, checked: Iterable[Checked]) -> None:
        """Count each name that did not match its number, once: a name tried again (by its keyed
        hash, as the log keeps it — never the name) is no new guess."""
        if not self.per_hour:
            return
        for check in checked:
            if check.answer.result != NO_MATCH:
                continue
            key = self._key(caller, check.answer.number)
            if self.limiter.hit(self._seen, f"{key}/{check.name_hash[:32]}"):
                self.limiter.hit(self._item, key)
                self._remember(key)

    def _nothing_counted(self, key: str) -> bool:
        now = time.monotonic()
        if not self.limiter.local or now < self._forgetful_until:
            return False
        return now - self._missed.get(key, -HOUR) >= HOUR

    def _remember(self, key: str) -> None:
        now = time.monotonic()
        if len(self._missed) >= MAX_REMEMBERED:  # those past their hour are no use any more
            self._missed = {k: t for k, t in self._missed.items() if now - t < HOUR}
            if len(self._missed) >= MAX_REMEMBERED // 2:  # still too many: read every counter
                self._missed, self._forgetful_until = {}, now + HOUR  # till these have passed
        self._missed[key] = now
