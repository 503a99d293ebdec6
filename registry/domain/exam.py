"""考试考核结果: what counts as a pass (§二: certificates go to those who passed)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from registry.domain.dates import CHINESE_NUMERALS

EXAM_COLUMNS = ("思想政治表现", "生产工作成绩", "职业道德", "技术业务理论", "实际操作技能")
"""考试考核结果 (附件4), one column each: every one must be a pass (§二, §四.(六)1)."""
PASSING_GRADES = frozenset({"合格", "良好", "优秀", "优", "良", "通过", "及格"})
FAILING_GRADES = frozenset(
    {"不合格", "不及格", "差", "较差", "很差", "未通过", "不通过", "未合格", "不达标", "缺考"}
)
PASS_MARK = 60.0
EXAM_CLAUSE = "§二、§四.(六)1"
"""Certificates go to those who passed, as many as passed: a failed result's row is removed."""


_WRITTEN_OUT = re.compile(f"(?:{CHINESE_NUMERALS.pattern}|点)+分?")
"""A score written out in Chinese numerals."""


@lru_cache(maxsize=4096)  # rosters repeat the same few grades and scores thousands of times
def exam_problem(value: object) -> tuple[str, str] | None:
    """(why, clause) when a result cell is not a pass, or None when it is one.

    A pass is 合格/良好/优秀 (or 优/良/通过/及格) or a score of at least 60. Only a *failed*
    result cites `EXAM_CLAUSE` (its row is to be removed); one that cannot be read — a score in
    Chinese numerals, a word that is no grade — is to be written again, not removed.
    """
    if isinstance(value, int | float):
        score = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
        if not text:
            return "考试考核结果为空：名册各栏须按要求填写", "§四.(五)"
        if text in PASSING_GRADES:
            return None
        if text in FAILING_GRADES:
            said = "考核结果为不合格" if text == "不合格" else f"考核结果“{text}”即不合格"
            return f"{said}，不能发证", EXAM_CLAUSE
        try:
            score = float(text.removesuffix("分"))
        except ValueError:
            if _WRITTEN_OUT.fullmatch(text):  # 七十八, 八十五分 — not 一般, 二等
                return f"分数“{text}”须用阿拉伯数字填写（如 八十五 写作 85）", "§四.(三)"
            # 一般, 中, 基本合格: no grade of the form's — a pass or not is the clerk's to say
            return (
                f"结果“{text}”应为 合格、良好、优秀 或 0-100 的分数，请照此改写（如实为不合格，"
                "则不能发证）",
                "附件4",
            )
    if 0 < score <= 1:  # 0.85 in a cell formatted as a percentage, showing 85%; 100%: 1
        return (
            f"分数 {score:g} 不像百分制的分数（单元格设为百分比格式时显示为 {score:.0%}）："
            f"请改为 0-100 的分数，如 {score * 100:g}",
            "附件4",
        )
    if not 0 <= score <= 100:
        return f"分数 {score:g} 不在 0-100 之间", "附件4"
    if score < PASS_MARK:
        return f"分数 {score:g} 低于 60 分，不合格，不能发证", EXAM_CLAUSE
    return None
