"""Whether an opinion cell approves: 附件1's 市（州）意见 and 省厅意见, and a 补发's two reviews.

An office writes its opinion in words (同意, 不予批准, 请补充材料后再报, 未审核); a register may
only record what was approved (§四.(二), §四.(六)3). These are the words that do not approve.
"""

from __future__ import annotations

from registry.domain.text import mentions

NOT_AGREED = (
    "不同意",
    "不予同意",
    "不予批准",
    "不批准",
    "不符合条件",
    "驳回",
    "退回重报",
    "予以退回",
    "重新申报",
    "暂缓",
    "补充材料后",
)
"""Phrases of an opinion that does not approve (不予批准, 退回重报, 请补充材料后再报 …) — whole
phrases: 已补充材料，同意 or 原件已退回 approve."""
NOT_REVIEWED = ("未审核", "待审核", "审核中", "未审", "待审", "未通过", "不通过", "不予通过")
"""Phrases of a review not (yet) given: a 补发 cannot be recorded before both reviews pass."""


def refuses(written: str) -> bool:
    """Whether ``written`` says an approval is refused — and does not deny that (无不同意见 and
    无不符合条件情形 approve)."""
    return mentions(written, NOT_AGREED)


def disapproves(written: str) -> bool:
    """Whether ``written`` refuses, or says the review is not done."""
    return mentions(written, (*NOT_AGREED, *NOT_REVIEWED))
