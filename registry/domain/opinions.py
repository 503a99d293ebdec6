"""Whether an opinion cell approves: 附件1's 市（州）意见 and 省厅意见, and a 补发's two reviews.

An office writes its opinion in words (同意, 不予批准, 请补充材料后再报, 未审核); a register may
only record what was approved (§四.(二), §四.(六)3). These are the words that do not approve.
"""

from __future__ import annotations

import re

from registry.domain.text import mentions

REFUSED = (
    "不同意",
    "不予同意",
    "不予以同意",
    "无法同意",
    "不能同意",
    "未同意",
    "不予批准",
    "不批准",
    "未批准",
    "不能批准",
    "驳回",
    "暂缓",
)
"""Words that refuse (or put off), whatever else the opinion says: 同意，但暂缓发放 is asked
about, not taken for an approval."""
HELD_BACK = (
    "请补充材料",
    "需补充材料",
    "待补充材料",
    "补充材料后再报",
    "补充材料后重报",
    "退回重报",
    "予以退回",
    "请重新申报",
    "需重新申报",
    "应重新申报",
    "不符合条件",
)
"""Phrases that send the matter back (请补充材料后再报, 退回重报) — as asked, not as done:
已补充材料后审核，同意 and 经重新申报，同意 approve, and so does 未发现不符合条件的情形."""
NOT_REVIEWED = (
    "未审核",
    "待审核",
    "审核中",
    "未审",
    "待审",
    "未通过",
    "不通过",
    "不予通过",
)
"""Phrases of a review not (yet) given or not passed: a 补发 cannot be recorded before both
reviews pass (未审核同意 and 待审核，审核同意后补发 are no approval)."""
APPROVES = re.compile(r"(?<![不予未法能])同意|(?<![不予未能])批准|准予|核准|无不同意见|无异议")
"""What an approving opinion says (不同意, 未同意, 无法同意, 未批准 are no approval; 无不同意见
and 无异议 are)."""


def approves(written: str) -> bool:
    return APPROVES.search(written) is not None


def refuses(written: str) -> bool:
    """Whether ``written`` refuses or sends the matter back — and does not deny that
    (无不同意见, 未发现不符合条件情形)."""
    return mentions(written, (*REFUSED, *HELD_BACK))


def disapproves(written: str) -> bool:
    """Whether ``written`` refuses, or says the review is not done or not passed."""
    return mentions(written, (*REFUSED, *HELD_BACK, *NOT_REVIEWED))
