"""Whether an opinion cell approves: 附件1's 市（州）意见 and 省厅意见, and a 补发's two reviews.

An office writes its opinion in words (同意, 不予批准, 请补充材料后再报, 未审核); a register may
only record what was approved (§四.(二), §四.(六)3). These are the words that do not approve.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from registry.domain.dates import parse_date
from registry.domain.documents import document_year
from registry.domain.text import mentions

DATE_IN_TEXT = re.compile(
    r"\d{4}\s*[.\-/年]\s*\d{1,2}\s*[.\-/月]\s*\d{1,2}\s*[日号]?"
    r"|(?<!\d)(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)"  # 20120301, no phone
)
"""The date an opinion is signed on, in its words: 同意 2012-03-01, 2012年3月1日同意, 20120301."""


def signed_on(written: str) -> dt.date | None:
    """The date an opinion's words give it (NFKC), None when they give none; `BadDate` for a
    date that is none (2013-02-30)."""
    match = DATE_IN_TEXT.search(unicodedata.normalize("NFKC", written))
    return parse_date(match[0].replace("号", "日")) if match else None


REFUSED = (
    "不同意",
    "不予同意",
    "不予以同意",
    "无法同意",
    "不能同意",
    "未同意",
    "未予同意",
    "未予批准",
    "不太同意",
    "不予批准",
    "不批准",
    "未批准",
    "不能批准",
    "不予核准",
    "未核准",
    "不准予",
    "不宜同意",
    "难以同意",
    "不拟同意",
    "没有同意",
    "不予补发",
    "不予发证",
    "不予受理",
    "驳回",
    "拒绝",
    "暂缓",
    "暂不",
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
UNDER_REVIEW = ("未审核", "未经审核", "正在审核", "待审核", "审核中", "未审", "待审")
"""Phrases of a review not yet given."""
NOT_PASSED = ("未通过", "不通过", "不予通过")
NOT_REVIEWED = (*UNDER_REVIEW, *NOT_PASSED)
"""Phrases of a review not (yet) given or not passed: a 补发 cannot be recorded before both
reviews pass (未审核同意 and 待审核，审核同意后补发 are no approval)."""
_APPROVAL = re.compile("同意|批准|核准|准予|审核通过")
_NOT_APPROVING = re.compile(
    "(?:不|未|无|非|没|没有|拒|难以|无法|不能|不宜|不拟|不予|未予|未经|尚未|暂不|不太|后|再|拟|拟予|拟予以)$"
)
"""Written just before an approving word, it approves nothing: 不予核准, 不宜同意, 未经审核
同意, 补充材料后同意 (an approval still to come), 拟同意 (one proposed)."""
NO_OBJECTION = ("无不同意见", "无异议", "没有异议")
"""Phrases that approve by saying there is nothing against."""
EXCEPTED = re.compile(
    "[不未]包?含|[不未]包括|(?<![删排剔扣解免清])除(?:去|[^，。；,;]{0,20}?外)|例外|另行(?:审批|审核|办理|报批)"
)
"""Words that approve all but some: 同意（不含技师）, 除张三外均同意 — who is left out only the
words say. Not 删除, 排除, 扣除 (已删除外省人员，同意中级 1 人 approves what is left)."""


def _said(written: str) -> str:
    """The words of an opinion without the spaces typed between them: 不 同意 and 不　同意
    refuse as 不同意 does (with the space, 同意 alone was found, and approved)."""
    return "".join(unicodedata.normalize("NFKC", written).split())


def approves(written: str) -> bool:
    """Whether ``written`` approves, in words that approve now and are not negated."""
    written = _said(written)
    if any(phrase in written for phrase in NO_OBJECTION):
        return True
    return any(
        not _NOT_APPROVING.search(written[: found.start()]) for found in _APPROVAL.finditer(written)
    )


def refuses(written: str) -> bool:
    """Whether ``written`` refuses, sends the matter back, or says the review is not done —
    and does not deny that (无不同意见, 未发现不符合条件情形)."""
    return mentions(_said(written), (*REFUSED, *HELD_BACK, *NOT_REVIEWED))


def awaits(written: str) -> bool:
    """Whether ``written`` says the matter is still being reviewed (待审, 审核中) and nothing
    more: no approval, refusal or sending back — an opinion still to come, as a blank is."""
    said = _said(written)
    return (
        mentions(said, UNDER_REVIEW)
        and not approves(said)
        and not mentions(said, (*REFUSED, *HELD_BACK, *NOT_PASSED))
    )


def excepts(written: str) -> str | None:
    """The words by which ``written`` approves all but someone (不含 in 同意（不含技师）, 除张三外
    in 除张三外均同意), or None."""
    found = EXCEPTED.search(_said(written))
    return found[0] if found else None


def review_passes(written: str) -> bool:
    """Whether a 补发 review (§四.(六)3) may be recorded: it approves, or names the document
    that did (川人社审〔2013〕5号), and nothing in it refuses. Anything else — 不予受理, 退回,
    正在审核 — is no approval, whatever words it avoids."""
    if refuses(written):
        return False
    return approves(written) or document_year(written) is not None
