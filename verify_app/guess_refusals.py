"""What the bound on guessing a holder's name (`verify_app.guesses`) answers when it refuses: a
number paused for its caller this hour, for its API key today, or for every anonymous caller
today, and a check naming more names for one number than an hour allows. Each says what to do,
and nothing of the names: the words are the same for a number registered and one that is not
(未查到, not 与登记不符)."""

from __future__ import annotations

import math

from verify_app.refusals import OverAllowance, RateLimited

PAUSED = "该编号暂停查验"
"""The title of the page refusing a number whose names are spent."""
TOO_MANY_NAMES = "同一编号配了太多姓名"
"""The title of the page refusing more names for one number at once than its counters hold."""


class TooManyNames(OverAllowance):
    """More names for one number at once than its counters hold (``most``): to be corrected,
    not retried; ``numbers``: those numbers (a program drops or fixes their items)."""

    def __init__(self, numbers: list[str], names: int, most: int) -> None:
        super().__init__(
            f"证书编号 {numbers[0]} 一次配了 {names} 个不同的姓名：为防止有人猜测持证人姓名，同一"
            f"编号一次最多配 {most} 个姓名（查验结果为“未查到”的姓名有数量限制），"
            "请核对证书上的姓名，一个编号只写一次。",
            TOO_MANY_NAMES,
        )
        self.numbers = tuple(numbers)

    def details(self) -> dict[str, object]:
        return {"numbers": list(self.numbers)}


def paused_for_all(paused: dict[str, int], per_day: int) -> RateLimited:
    """The numbers of ``paused`` (number → seconds until it fits) spent for every caller
    without an API key today."""
    return _paused_today(
        paused,
        f"今天已被试过很多个查验结果为“未查到”的姓名（所有查验者合计每天最多 {per_day} 个）",
        "不带接口密钥的查验",
        "请先核对证书上的姓名；用人单位的人事系统可用接口密钥查验，也可联系发证机关核实。",
    )


def paused_for_key(paused: dict[str, int], per_day: int) -> RateLimited:
    """The numbers of ``paused`` (number → seconds until it fits) spent for this API key today:
    an hour's worth every hour would be a day's worth many times over."""
    return _paused_today(
        paused,
        f"今天已用本接口密钥试过多个查验结果为“未查到”的姓名（每个密钥每天最多 {per_day} 个）",
        f"本密钥查验{'这个编号' if len(paused) == 1 else f'这 {len(paused)} 个编号'}",
        "请先核对证书上的编号和姓名；确认无误仍未查到的，请联系发证机关核实。",
    )


def _paused_today(paused: dict[str, int], spent: str, whose: str, advice: str) -> RateLimited:
    retry = max(paused.values())
    return RateLimited(
        retry,
        f"证书编号 {'、'.join(paused)} {spent}：为防止有人猜测持证人姓名，暂停{whose}约 "
        f"{math.ceil(retry / 3600)} 小时，在此之前用正确的姓名查验也会被拒绝。{advice}",
        title=PAUSED,
        reason="number_paused",
        numbers=tuple(paused),
    )


def more_than_fit(paused: dict[str, int]) -> RateLimited:
    """The numbers of ``paused`` (number → seconds until all its names fit) asked with more
    names than their counters hold now, though not spent: fewer names, or one, go through."""
    retry = max(paused.values())
    return RateLimited(
        retry,
        f"证书编号 {'、'.join(paused)} 这次配的姓名，比现在还可以试的多：为防止有人猜测持证人姓名，"
        "一个编号查验结果为“未查到”的姓名有数量限制，每次所配的姓名都要计入。请减少这个编号"
        f"的姓名后重新提交（用一个姓名单独查验不受影响），或约 {math.ceil(retry / 60)} 分钟后"
        "再提交这么多个。",
        title=TOO_MANY_NAMES,
        reason="number_paused",
        numbers=tuple(paused),
    )


def paused_hourly(paused: dict[str, int], per_hour: int) -> RateLimited:
    """The numbers of ``paused`` (number → seconds until it fits) spent for this caller this
    hour."""
    retry = max(paused.values())
    which = "这个编号" if len(paused) == 1 else f"这 {len(paused)} 个编号"
    return RateLimited(
        retry,
        f"证书编号 {'、'.join(paused)} 在一小时内已有多个姓名的查验结果为“未查到”（每小时最多 "
        f"{per_hour} 个）：为防止有人猜测持证人姓名，暂停查验{which}约 "
        f"{math.ceil(retry / 60)} 分钟，在此之前用正确的姓名查验也会被拒绝。请先核对"
        "证书上的编号和姓名；确认无误仍未查到的，请联系发证机关核实。",
        title=PAUSED,
        reason="number_paused",
        numbers=tuple(paused),
    )
