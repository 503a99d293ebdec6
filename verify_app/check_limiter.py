"""Checks per minute per client: the first quota built on `verify_app.ratelimit.Limiter`."""

from __future__ import annotations

from limits import RateLimitItemPerMinute

from registry.public.client_keys import limit_key
from verify_app.ratelimit import Limiter
from verify_app.refusals import RateLimited


class CheckLimiter:
    """Checks per minute per client, on a `Limiter` (its own, or one shared with other quotas)."""

    def __init__(
        self, per_minute: int, storage_uri: str = "memory://", *, limiter: Limiter | None = None
    ) -> None:
        self.per_minute = per_minute
        self.limiter = limiter or Limiter(storage_uri)
        self._item = RateLimitItemPerMinute(max(per_minute, 1))

    @property
    def local(self) -> bool:
        """Counts kept in this process: charging never waits on the network."""
        return self.limiter.local

    def refund(self, client: str, cost: int) -> None:
        """Take back ``cost`` checks `charge` counted: none of them was made."""
        if self.per_minute and cost > 0:
            key = f"checks/{limit_key(client)}"
            self.limiter.take_back([(self._item, key, cost)], fallback=self.limiter.degraded)

    def charge(self, client: str, cost: int = 1, *, counter: str = "checks") -> None:
        """Count ``cost`` checks for ``client`` or raise `RateLimited` (then nothing is counted).

        ``counter`` keeps another count at the same rate: the QR codes a client's result pages
        load by themselves must not use up the checks the page says it may make."""
        if self.per_minute == 0 or cost == 0:
            return
        if cost > self.per_minute:
            raise RateLimited(
                60,
                f"本服务每个网络地址每分钟最多查验 {self.per_minute} 条，本次提交了 {cost} 条，"
                f"请分成每批不超过 {self.per_minute} 条提交。",
            )
        key = f"{counter}/{limit_key(client)}"
        if self.limiter.hit(self._item, key, cost):
            return
        retry = self.limiter.retry_after(self._item, key)
        raise RateLimited(
            retry, f"查验过于频繁（每分钟最多 {self.per_minute} 条），请 {retry} 秒后再试。"
        )
