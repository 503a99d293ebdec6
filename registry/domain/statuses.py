"""The status vocabulary of a certificate (§四.(六), §五.(三)) and of a public check: one place for
the codes, their Chinese labels, and which event leads to which status.

The codes are stored in the registry, answered by the API and shown (with their labels) to staff;
everything else refers to them through this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

VALID = "valid"
REISSUED = "reissued"
SUPERSEDED = "superseded"
REVOKED = "revoked"
NO_MATCH = "no_match"
MALFORMED = "malformed"

STATUS_LABELS: dict[str, str] = {
    VALID: "有效",
    REISSUED: "已补发",
    SUPERSEDED: "已由新证书取代",
    REVOKED: "已撤销",
}
"""A certificate's status in the registry → its name."""

RESULT_LABELS: dict[str, str] = {
    **STATUS_LABELS,
    NO_MATCH: "未查到",
    MALFORMED: "编号格式错误",
}
"""The answer of a public check (SPEC §7): a certificate's status, or why there is none."""

RESULTS = tuple(RESULT_LABELS)

EXCHANGE = "换发"
REISSUE = "补发"
REVOKE = "撤销"
EVENT_TYPES = (EXCHANGE, REISSUE, REVOKE)
"""The 类型 of a status-changes row (§四.(六)2, §四.(六)3, §五.(三))."""
TYPE_WORDS = {
    EXCHANGE: ("换证", "更换", "换领", "换新"),
    REISSUE: ("补证", "补办", "补领", "补发证书"),
    REVOKE: ("撤消", "注销", "吊销", "收回", "作废"),
}
"""Office words for a 类型 the notice names otherwise: told which it may mean, not guessed."""
MISFILLED = ("错填", "填错", "错误", "有误", "打错", "写错", "印错", "笔误", "不符")
"""How a reason says the certificate was filled in wrongly: only then does a 换发 correct it."""
MISFILLED_FIELDS = {
    "更正姓名": ("姓名", "名字"),
    "更正性别": ("性别",),
    "更正出生年月": ("出生", "生日"),
    "更正工种": ("工种",),
}
"""The correction a 换发's reason asks for when it names the field misfilled (工种填错)."""
DAMAGED = ("损", "破", "污", "毁", "残缺", "模糊", "浸")
"""How it says the paper was damaged (损坏, 污损, 破旧, 撕破, 毁损, 水浸…)."""
EXCHANGE_REASONS = MISFILLED + DAMAGED
"""§四.(六)2: only a misfilled or damaged certificate is exchanged; a lost one is reissued."""
LOST = ("遗失", "丢失", "失窃", "被盗", "被窃", "灭失", "遗落", "丢了", "找不到", "不慎丢")
"""How a reason says the certificate was lost (§四.(六)3): only then is it reissued."""
GONE = (*LOST, "毁", "烧", "无法找回", "下落不明", "不见")
"""Lost, or destroyed (烧毁, 损毁): no paper is left to hand in, so it is reissued."""
WORN = ("损坏", "破损", "污损", "破旧", "残缺", "模糊", "撕破", "水浸", "浸水", "褪色")
"""How a reason says the paper is damaged but still there: it is exchanged against the old
paper (§四.(六)2), not reissued."""

PENDING, APPROVED, REFUSED = "pending", "approved", "refused"
"""A requisition's state (附件1): the province's opinion on it — none yet, agreed, refused. Only
an approved one's blanks may be dispatched (§四.(二))."""
REQUISITION_STATUS_LABELS = {PENDING: "待省厅批准", APPROVED: "省厅已批准", REFUSED: "省厅未批准"}


def status_after(event_type: str, new_number: str | None) -> str:
    """The old certificate's status after an event: a new number always supersedes it (换发, or a
    补发 under a new number); a 补发 under the same number leaves it reissued; 撤销 revokes it."""
    if new_number:
        return SUPERSEDED
    return {EXCHANGE: SUPERSEDED, REISSUE: REISSUED, REVOKE: REVOKED}[event_type]


@dataclass(frozen=True)
class StatusEvent:
    """One row of a status-changes register, checked: what happened to which certificate, when,
    on whose approval, and for a 补发 the three documents §四.(六)3 requires."""

    row: int
    type: str
    number: str
    name: str
    date: dt.date
    new_number: str | None
    reason: str
    approval_doc: str
    personal_application: str | None = None
    unit_certificate: str | None = None
    original_document: str | None = None
    supervisor_review: str | None = None
    """补发: the review by the holder's 主管部门 (§四.(六)3)"""
    issuer_review: str | None = None
    """补发: the review by the 发证机关 (§四.(六)3)"""
    corrections: tuple[tuple[str, str], ...] = ()
    """换发 of a 错填 certificate: (certificate column, corrected value) for the new one"""
    name_written: str = field(default="", compare=False)
    """姓名 as the cell has it (``name`` is normalised): what a message quotes back to the clerk"""

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """What makes an event the same event in a later version of its register."""
        return (self.type, self.number, self.date.isoformat(), self.new_number or "")


def valid_when_collected(collected_on: str, ended_on: str, *, revoked: bool) -> bool:
    """Whether a paper collected on ``collected_on`` was still valid then, its certificate ending
    on ``ended_on`` (ISO dates): ended later, or the same day by a 换发 or 补发 — the holder
    brings the paper just handed out back to have it exchanged (§四.(六)2) — but not by a
    revocation, which no paper is handed out on."""
    return ended_on > collected_on or (ended_on == collected_on and not revoked)
