"""Whether an opinion cell approves: 附件1's 市（州）意见 and 省厅意见, and a 补发's two reviews.

An office writes its opinion in words (同意, 不予批准, 请补充材料后再报, 未审核); a register may
only record what was approved (§四.(二), §四.(六)3). These are the words that do not approve.
"""

from __future__ import annotations

import re

from registry.domain.text import mentions

REFUSED = ("不同意", "不予同意", "不予批准", "不批准", "驳回", "暂缓")
"""Words that refuse (or put off), whatever else the opinion says: 同意，但暂缓发放 is asked
about, not taken for an approval."""
HELD_BACK = ("不符合条件", "退回重报", "予以退回", "重新申报", "补充材料后")
"""Phrases of an opinion that holds the matter back (请补充材料后再报, 退回重报, 暂缓) — unless
the opinion approves as well: 已补充材料后审核，同意 and 经重新申报，同意 approve."""
NOT_REVIEWED = ("未审核", "待审核", "审核中", "未审", "待审", "未通过", "不通过", "不予通过")
"""Phrases of a review not (yet) given: a 补发 cannot be recorded before both reviews pass."""
APPROVES = re.compile(r"(?<![不予])同意|(?<![不予])批准|准予|核准")
"""What an approving opinion says (不同意 and 不予批准 are no approval)."""


def approves(written: str) -> bool:
    return APPROVES.search(written) is not None


def refuses(written: str) -> bool:
    """Whether ``written`` says an approval is refused or held back — and does not deny that
    (无不同意见 and 无不符合条件情形 approve)."""
    if mentions(written, REFUSED):
        return True
    return mentions(written, HELD_BACK) and not approves(written)


def disapproves(written: str) -> bool:
    """Whether ``written`` refuses, or says the review is not done (and approves nothing)."""
    return refuses(written) or (mentions(written, NOT_REVIEWED) and not approves(written))
