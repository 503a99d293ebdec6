"""A request refused for the pace or the amount of its checks: the exceptions the limits raise
(`verify_app.ratelimit`, `verify_app.quotas`, `verify_app.guesses`) and what a program is told
of them (the API's 429 body, `verify_app.app`)."""

from __future__ import annotations

from registry.public import client_connections


class RateLimited(Exception):
    """Too many checks from one client; ``retry_after`` seconds until it may try again;
    ``title``: the refusal page's, when not the allowance's its address has.

    For a program (the API's 429 body): ``reason``, which limit it was (one of `REASONS`: a
    client that waits out a paused number's hour stalls every other item of its batch, one
    that drops the item goes on); ``numbers``, the paused numbers; ``remaining``, what the
    allowance still takes now (a smaller batch fits at once)."""

    def __init__(
        self,
        retry_after: int,
        message: str,
        title: str | None = None,
        *,
        reason: str = "per_minute",
        numbers: tuple[str, ...] = (),
        remaining: int | None = None,
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.message = message
        self.title = title
        self.reason = reason
        self.numbers = numbers
        self.remaining = remaining

    def details(self) -> dict[str, object]:
        """The fields of the API's 429 body besides ``error`` and ``message``."""
        found: dict[str, object] = {"reason": self.reason}
        if self.numbers:
            found["numbers"] = list(self.numbers)
        if self.remaining is not None:
            found["remaining"] = self.remaining
        return found


REASONS = {
    "per_minute": "每个网络地址每分钟的查验次数（CERTREG_RATE_LIMIT）",
    "batch_hourly": "不用密钥的批量查验每小时的行数（remaining：现在还可查验的行数）",
    "key_daily": "接口密钥每天（北京时间）的查验条数（remaining：今天还可查验的条数）",
    "reports_daily": "每个网络地址每天可提交的伪造报告份数",
    "number_paused": "编号因一小时内（或一天内）多个姓名查验结果为“未查到”而暂停查验"
    "（numbers：暂停的编号；"
    "去掉这些条目即可重新提交其余各条）",
    client_connections.REASON: "同一网络地址同时打开的连接数（每个服务进程最多 "
    f"{client_connections.MAX_CONNECTIONS_PER_CLIENT} 个）：新连接一建立就拒绝并关闭，"
    "不论请求的是哪个地址（网页也答 JSON）",
}
"""Why a request was refused with 429, as ``reason`` names it (the OpenAPI document lists them)."""


class OverAllowance(Exception):
    """More at once than an allowance holds in a whole window: no wait makes it fit, so it is
    refused as a request to change (422 ``too_many``), not one to retry later (429);
    ``title``: the refusal page's, when not 超出查验额度."""

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.title = title

    def details(self) -> dict[str, object]:
        """What a program reads besides the code (the API's 422 body)."""
        return {}


def recounted(refusal: RateLimited | OverAllowance, charged: int, submitted: int) -> None:
    """A refused batch's rows as submitted beside those charged (its repeats once): "本次提交了
    6 行" for a list of 12 read as a mistake (a review)."""
    if charged == submitted:
        return
    for unit in ("行", "条"):
        refusal.message = refusal.message.replace(
            f"本次提交了 {charged} {unit}",
            f"本次提交了 {submitted} {unit}（重复的{unit}只计一次，计 {charged} {unit}）",
        )
