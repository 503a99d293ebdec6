"""Every allowance of the verification app in one place (SPEC §7), on the ``limits`` library.

Who pays for what:

- a **single check** (page, API, a receipt opened, a watch feed read) costs one from the
  client's per-minute limit (`verify_app.check_limiter.CheckLimiter`, ``CERTREG_RATE_LIMIT``);
- a **batch row** (an uploaded file's row, an API batch item, a certificate put on a watch list)
  costs one from the client's *batch allowance*, rows per hour (``CERTREG_BATCH_ROWS_PER_HOUR``),
  kept apart from the single checks so that an HR officer's upload never competes with the
  checks made at the counter — nor the other way round;
- an **API key** (an HR system, ``Authorization: Bearer …``) pays every check it makes from the
  key's own daily quota (``api_keys.per_day``), counted per Beijing calendar day, and never
  from the allowances of the address it calls from;
- a **report** of a suspected forgery costs one of the client's few reports a day
  (``CERTREG_REPORTS_PER_DAY``).

All counts live in the storage ``CERTREG_RATE_LIMIT_STORAGE`` names, like the per-minute limit's,
so replicas sharing a Redis share every allowance. A refusal is `RateLimited` (429 with
Retry-After) with a Chinese message that says what the allowance is and when it comes back.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItemPerDay, RateLimitItemPerHour

from registry.domain.clock import BEIJING
from registry.public.client_keys import limit_key
from registry.store.keys import ApiKey
from verify_app.check_limiter import CheckLimiter
from verify_app.ratelimit import Limiter
from verify_app.refusals import OverAllowance, RateLimited

MAX_UPLOAD_ROWS = 500
"""The most rows one upload or API batch may hold (the batch allowance may allow fewer)."""
KEY_HELP = "如需更多额度，HR 系统可向发证机关申请接口密钥（见“接口说明”）。"


@dataclass(frozen=True)
class Caller:
    """Who asks: a client address, and the API key it presented (None: anonymous)."""

    client: str
    key: ApiKey | None = None


@dataclass(frozen=True)
class Reservation:
    """Rows an upload was charged before its file is read, and the counter they came from."""

    caller: Caller
    rows: int
    window: str | None = None
    fallback: bool = False
    """charged to this process's fallback count, the shared store being down"""


def seconds_to_beijing_midnight(now: float) -> int:
    """Until a key's daily quota comes back: quotas count Beijing calendar days."""
    moment = dt.datetime.fromtimestamp(now, BEIJING)
    midnight = dt.datetime.combine(moment.date() + dt.timedelta(days=1), dt.time(), BEIJING)
    return max(1, math.ceil(midnight.timestamp() - now))


class Quotas:
    def __init__(
        self,
        single: CheckLimiter,
        *,
        batch_rows_per_hour: int,
        reports_per_day: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.single = single
        self.batch_rows_per_hour = batch_rows_per_hour
        self.reports_per_day = reports_per_day

        self._batch = RateLimitItemPerHour(max(batch_rows_per_hour, 1))
        self._reports = RateLimitItemPerDay(max(reports_per_day, 1))
        self.clock = clock
        """the app's clock (seconds), which time is counted by"""

    @property
    def _limiter(self) -> Limiter:
        """The single checks' store (shared by replicas, with its per-process fallback): sliding
        windows for the anonymous allowances (no burst at a window's edge), fixed windows for
        the keys, whose windows are the calendar days their identifiers carry."""
        return self.single.limiter

    # -- what is charged -----------------------------------------------------------------

    def charge_single(self, caller: Caller, checks: int = 1) -> None:
        """One check at the counter: the per-minute limit, or the key's day."""
        if caller.key is not None:
            self._charge_key(caller.key, checks)
        else:
            self.single.charge(caller.client, checks)

    def refund(self, caller: Caller, checks: int, *, single: bool) -> None:
        """Take back a `charge_single` (``single``) or `charge_batch` of ``checks`` whose checks
        were refused before any was made (a number paused for its names)."""
        if checks <= 0:
            return
        if caller.key is not None:
            self._unhit_key(caller.key, self._key_window(caller.key), checks)
        elif single:
            self.single.refund(caller.client, checks)
        elif self.batch_rows_per_hour:
            batch = (self._batch, _batch_window(caller.client), checks)
            self._limiter.take_back([batch], fallback=self._limiter.degraded)

    def metered(self, caller: Caller) -> bool:
        """Whether an allowance counts ``caller``'s batch rows: a key's day, or the hour's."""
        return caller.key is not None or self.batch_rows_per_hour > 0

    def file_rows(self, caller: Caller) -> int:
        """The most rows one uploaded file of ``caller`` may have: a batch's bound, or less when
        the caller's allowance is smaller (an anonymous client's hour, a key's day) — the page
        and the refusal of a longer file quote the same figure."""
        if caller.key is not None:
            return min(MAX_UPLOAD_ROWS, caller.key.per_day)
        return min(MAX_UPLOAD_ROWS, self.batch_rows_per_hour or MAX_UPLOAD_ROWS)

    def charge_batch(self, caller: Caller, rows: int) -> None:
        """Batch rows (upload, API batch, watch list): the hourly batch allowance, or the key's
        day. Raises `RateLimited` with nothing charged when they do not fit now, `OverAllowance`
        when they never would."""
        if caller.key is not None:
            self._charge_key(caller.key, rows)
            return
        if self.batch_rows_per_hour == 0 or rows <= 0:
            return
        limit = self.batch_rows_per_hour
        if rows > limit:
            raise OverAllowance(
                f"匿名批量查验每个网络地址每小时最多 {limit} 行，本次提交了 {rows} 行："
                f"请分成每批不超过 {limit} 行提交。{KEY_HELP}",
            )
        if self._limiter.hit(self._batch, _batch_window(caller.client), rows):
            return
        raise self._batch_spent(caller.client, rows)

    def _batch_spent(self, client: str, rows: int | None) -> RateLimited:
        """The refusal of ``rows`` batch rows (None: an upload, whose rows are not known yet)
        that this hour's allowance has no room for: how many are left, and when all will fit."""
        limit, left = self.batch_rows_per_hour, self.batch_left(client) or 0
        retry = self._limiter.wait_for(self._batch, _batch_window(client), rows or 1)  # all rows
        asked = f"本次提交了 {rows} 行。" if rows else ""
        fewer = "，或减少行数" if rows and left else ""
        # a wait past the hour it names read as a mistake (a phone review): the hour slides
        slides = (
            "（额度按滑动的一小时计算，一次用完的要约两小时才全部恢复）" if retry > 3600 else ""
        )
        return RateLimited(
            retry,
            f"本小时的批量查验额度不够：每个网络地址每小时最多 {limit} 行，现在还可查验 {left} 行，"
            f"{asked}请 {_minutes(retry)}后再试{slides}{fewer}。{KEY_HELP}",
            reason="batch_hourly",
            remaining=left,
        )

    def charge_report(self, client: str, key_id: int | None = None) -> None:
        """One report of the day's allowance: the API key's when one was sent (a hospital behind
        one address shared its few reports with every other office there), else the address's."""
        if self.reports_per_day == 0:
            return
        # a day is a Beijing day, as for API keys: the window is named by the date
        payer = f"key-{key_id}" if key_id is not None else limit_key(client)
        window = f"reports/{payer}/{self._today()}"
        if self._limiter.hit(self._reports, window, fixed=True):
            return
        whose = "每个接口密钥" if key_id is not None else "每个网络地址"
        raise RateLimited(
            seconds_to_beijing_midnight(self.clock()),
            f"{whose}每天（北京时间）最多提交 {self.reports_per_day} 份报告。今天的已用完，"
            "请明天再报，或直接联系发证机关。",
            reason="reports_daily",
        )

    # -- what is left --------------------------------------------------------------------

    def batch_left(self, client: str) -> int | None:
        """Rows the anonymous ``client`` may still check in batches this hour; None: no limit."""
        if self.batch_rows_per_hour == 0:
            return None
        return self._limiter.remaining(self._batch, _batch_window(client))

    def key_used(self, key: ApiKey) -> int:
        """Checks the key made today (Beijing time)."""
        left = self._limiter.remaining(_key_item(key), self._key_window(key), fixed=True)
        return key.per_day - left

    def key_left(self, key: ApiKey) -> int:
        """Checks the key may still make today."""
        return max(key.per_day - self.key_used(key), 0)

    def batch_allowance(self, caller: Caller) -> tuple[int, int] | None:
        """(allowance, rows left) of the batch rows ``caller`` pays from — its key's day, or
        the address's hour —, None when unlimited: an HR system paces itself by it instead of
        meeting the 429 (an integrator's review)."""
        if caller.key is not None:
            return caller.key.per_day, self.key_left(caller.key)
        left = self.batch_left(caller.client)
        return None if left is None else (self.batch_rows_per_hour, left)

    # -- uploads: paid before they are parsed --------------------------------------------

    def reserve_upload(self, caller: Caller) -> Reservation:
        """Charge what an upload could get checked, before its rows are known.

        Anonymous, that is everything the client has left this hour (at most
        `MAX_UPLOAD_ROWS`): a file is parsed only for a client who can pay for it (one at a
        time: `verify_app.uploads.UploadSlots.turn`). A key — staff-issued, its uploads in the
        service's few parsing slots — pays a row, so that a key with nothing left has no file
        read and a refused file costs a row, and two files of one HR system may be read at once.
        Raises `RateLimited` when nothing is left."""
        key = caller.key
        if key is not None:
            self._charge_key(key, 1)  # raises, saying when the key's day begins again
            return Reservation(caller, 1, self._key_window(key), self._limiter.degraded)
        left = self.batch_left(caller.client)
        if left is None:
            return Reservation(caller, 0)
        reserved = min(MAX_UPLOAD_ROWS, left)
        if reserved < 1:
            raise self._batch_spent(caller.client, None)
        self.charge_batch(caller, reserved)
        return Reservation(caller, reserved, _batch_window(caller.client), self._limiter.degraded)

    def release_upload(self, reservation: Reservation, rows: int) -> None:
        """Give back ``rows`` of a reservation: taken off the hour's counter (`Limiter.take_back`,
        never below zero), or a negative charge on the key's day it was taken from (that day
        may have ended meanwhile) — in the store it was taken from: rows taken
        from the fallback while the shared store was down, given back to the shared store once
        it is back, would raise the client's shared allowance above its limit."""
        key, window = reservation.caller.key, reservation.window
        if rows <= 0 or window is None or reservation.fallback != self._limiter.degraded:
            return
        if key is not None:
            self._unhit_key(key, window, rows)
        else:
            self._limiter.take_back([(self._batch, window, rows)], fallback=reservation.fallback)

    # -- keys ----------------------------------------------------------------------------

    def _today(self) -> str:
        return dt.datetime.fromtimestamp(self.clock(), BEIJING).date().isoformat()

    def _key_window(self, key: ApiKey) -> str:
        """The count of an API key's checks today: its window is named by the Beijing date."""
        return f"key/{key.id}/{self._today()}"

    def _unhit_key(self, key: ApiKey, window: str, checks: int) -> None:
        """Take ``checks`` off the key's day named ``window`` (a negative charge: a fixed window
        has nothing else to take back with)."""
        self._limiter.hit(_key_item(key), window, -checks, fixed=True)

    def _charge_key(self, key: ApiKey, checks: int) -> None:
        if checks <= 0:
            return
        window = self._key_window(key)
        if checks > key.per_day:
            raise OverAllowance(
                f"接口密钥（编号 {key.id}，{key.name}）每天（北京时间）可查验 {key.per_day} 条，"
                f"本次提交了 {checks} 条：请分成每批不超过 {key.per_day} 条提交；"
                "需要更多额度请联系发证机关。"
            )
        if self._limiter.hit(_key_item(key), window, checks, fixed=True):
            return
        # a fixed window counts a refused hit too: take it off, the checks were not made
        self._unhit_key(key, window, checks)
        used = self.key_used(key)
        raise RateLimited(
            seconds_to_beijing_midnight(self.clock()),
            f"接口密钥（编号 {key.id}，{key.name}）每天（北京时间）可查验 {key.per_day} 条，"
            f"今天已用 {used} 条，本次提交了 {checks} 条。额度在北京时间零点恢复；"
            "需要更多额度请联系发证机关。",
            reason="key_daily",
            remaining=max(key.per_day - used, 0),
        )


def _minutes(seconds: int) -> str:
    return f"{seconds} 秒" if seconds < 120 else f"{math.ceil(seconds / 60)} 分钟"


def _batch_window(client: str) -> str:
    """The count of ``client``'s batch rows this hour."""
    return f"batch/{limit_key(client)}"


def _key_item(key: ApiKey) -> RateLimitItemPerDay:
    """An API key's day, as the limiter counts it (a key of 0 a day counts to 1: never hit)."""
    return RateLimitItemPerDay(max(key.per_day, 1))
