"""What a collection register's 签名 cell says (§四.(六)1 领取登记、签名制度): signed — 是, √, or
a reference to the signed sheet (见签名表第1页) — or not (否, 拒签, 未领取, a dash)."""

from __future__ import annotations

import re

UNSIGNED = frozenset({"否", "无", "未签", "未签名", "没有", "no", "n", "false", "×", "x", "0"})
"""签名 cells saying there is no signature."""
NOT_SIGNED = re.compile(r"(?:未|没有?|拒绝?|待补?|不|无)经?(?:本人|亲自)?签|不是本人")
"""What in a 签名 cell says it is not signed (拒签, 没签, 待补签, 无签名, 未经本人签字, 不是本人),
whatever else it says. Of a cell that mentions 签, only beside it: any 未/没/拒/待/不/无 refused
本人已签，核对无误 and 见签名表第1页（不含附页）."""
REFUSING = re.compile("[未没拒待不无缺暂]")
"""A word of a cell that does not mention 签 that says it was not signed (未领取, 拒领, 暂无)."""
_NO_MARK = re.compile(r"[\s/\\\-—–_·.。、]*")
"""A 签名 cell holding only a dash, a slash or dots: nothing signed."""
SIGNED = frozenset({"是", "有", "已签", "已签名", "yes", "y", "true", "√", "✓", "1"})
"""签名 cells saying there is one; anything else is taken as a reference to the signed sheet."""


def signed(signature: str) -> bool:
    """Whether a 签名 cell says the certificate was signed for."""
    key = signature.casefold()
    refused = NOT_SIGNED.search(key) if "签" in key else REFUSING.search(key)
    return not (key in UNSIGNED or _NO_MARK.fullmatch(key) or refused)


def stored_signature(signature: str) -> str:
    """A signed cell as the registry keeps it: 是 for a plain yes, a reference as written."""
    return "是" if signature.casefold() in SIGNED else signature
