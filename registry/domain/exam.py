"""考试考核结果: what counts as a pass (§二: certificates go to those who passed)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

PASSING_GRADES = frozenset({"合格", "良好", "优秀", "优", "良", "通过"})
FAILING_GRADES = frozenset({"不合格", "不及格", "差", "未通过", "缺考"})
PASS_MARK = 60.0


@lru_cache(maxsize=4096)  # rosters repeat the same few grades and scores thousands of times
def exam_problem(value: object) -> str | None:
    """Why a result cell is not a pass, or None when it is one.

    A pass is 合格/良好/优秀 (or 优/良/通过) or a score of at least 60.
    """
    if isinstance(value, int | float):
        score = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
        if not text:
            return "考试考核结果为空"
        if text in PASSING_GRADES:
            return None
        if text in FAILING_GRADES:
            return f"结果“{text}”不合格，不能发证（§二、§四.(六)1）"
        try:
            score = float(text.removesuffix("分"))
        except ValueError:
            return f"结果“{text}”应为 合格、良好、优秀 或 0-100 的分数"
    if not 0 <= score <= 100:
        return f"分数 {score:g} 不在 0-100 之间"
    if score < PASS_MARK:
        return f"分数 {score:g} 低于 60 分，不合格，不能发证（§二、§四.(六)1）"
    return None
