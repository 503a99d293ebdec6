"""What a 换发, 补发 or 撤销 must say of its reason (§四.(六)2–3, §五.(三)): something, and for a
补发 not that the paper is still there — a damaged or misfilled one is exchanged."""

from __future__ import annotations

import re

from registry.domain.characters import simplified_characters
from registry.domain.problems import NEW_REASON
from registry.domain.statuses import (
    EXCHANGE,
    EXCHANGE_REASONS,
    GONE,
    MISFILLED,
    REISSUE,
    REVOKE,
    WORN,
)
from registry.domain.text import mentions
from registry.kinds.cells import NONE_WRITTEN

NOTHING_SAID = NONE_WRITTEN | {"见附件", "详见附件", "略"}
"""What fills a 原因 cell without saying one: the registry keeps the row's words, and an auditor
reading 见附件 years later has no 附件. (A 批准文号 like them has no year: `documents` says so.)"""
CLAUSES = {EXCHANGE: "§四.(六)2", REISSUE: "§四.(六)3", REVOKE: "§五.(三)"}
"""The clause each kind of event comes from."""
_SAY = {
    EXCHANGE: "是错填还是损坏，如“出生年月错填”",
    REISSUE: "证书如何丢失，如“不慎遗失”",
    REVOKE: "撤销的原因，如“弄虚作假取得证书”",
}


def required(kind: str, column: str) -> str:
    """What a 原因 or 批准文号 left blank (or written 无, /) is told: what to write there."""
    if column == "批准文号":
        return f"批准文号为必填项：请填写批准这次{kind if kind in CLAUSES else '变更'}的文件的文号，如“绵人社函〔2013〕8号”"
    return f"原因为必填项：请写明{_SAY.get(kind, '变更的原因')}"


def reason_problem(kind: str, written: str) -> tuple[str, str | None, str | None] | None:
    """(rule, clause, code) a 原因 breaks, or None; a blank one is `required`'s. One whose
    reason says the paper is damaged or misfilled, and not that it is gone, is an exchange —
    not a word list of losses: 被偷, 弄丢, 找不着了 … are many more (a review)."""
    if written.strip("()（）") in NOTHING_SAID:
        return required(kind, "原因"), CLAUSES.get(kind), NEW_REASON
    reason = simplified_characters(written)
    if not reason:
        return None
    if kind == EXCHANGE and not mentions(reason, EXCHANGE_REASONS):
        rule = (
            "换发只用于错填或损坏的证书，原因应注明“错填”或“损坏”；遗失的证书应按§四.(六)3办理补发"
        )
        return rule, "§四.(六)2", None
    worn, misfilled = mentions(reason, WORN), mentions(reason, MISFILLED)
    if kind == REISSUE and (worn or misfilled) and not mentions(reason, GONE):
        rule = (
            f"补发只用于遗失（或已毁、无法交回）的证书；{'损坏' if worn else '填错'}但还在的"
            "证书应收回旧证换发新证（§四.(六)2），请按换发登记。如证书确已遗失或毁掉，请在原因中写明"
        )
        return rule, "§四.(六)3", None if worn else NEW_REASON
    return None


NOT_GIVEN = re.compile(
    "(?:尚|暂|还)?(?:未提交|未交|未附|未收到|未提供|没有|没交|缺失|缺少|缺|待补充|待补交|待补|暂无|"
    "尚无|未|无)(?:个人申请|单位证明|申请书|申请|证明材料|证明|材料|原件)?"
)
"""One part of a 补发's 个人申请 or 单位证明 cell saying the document is not there (未提交, 尚未提交,
暂无证明, 缺失, 待补充)."""
_PARTS = re.compile(r"[，,、；;：:（）()【】\[\]。.\s]+")
_NONE = NONE_WRITTEN | {"否", "0", "不", "空", "N", "n", "No", "NO", "no"}
"""A cell that says "none" in a word or a mark."""


def document_missing(written: str) -> bool:
    """Whether a 补发's document cell (个人申请, 单位证明) says there is none — 无, 否, 未提交,
    暂无, 待补 — rather than naming the one given: written, it read as given, and the 补发 voided
    the holder's paper on a register that said no application was made (an auditor's review)."""
    said = simplified_characters(written).strip("()（）。. ")
    parts = [part for part in _PARTS.split(said) if part]
    return said in _NONE or (bool(parts) and all(NOT_GIVEN.fullmatch(part) for part in parts))
