"""What a status-changes row's remarks say: that its 换发, 补发 or 撤销 is void or was not granted
(此条作废，经复核不予撤销; 申请人撤回申请). Kept in the file, such a row applied at once — a
withdrawn revocation told every employer the holder's certificate is void, and could not be
undone. Read per type: 不补发 withdraws a 补发, but is what a 撤销's remark says of the future.
"""

from __future__ import annotations

import re
from functools import cache

from registry.domain.problems import Problem
from registry.domain.statuses import EVENT_TYPES
from registry.kinds.withheld import Withholding


def _void_rule(column: str, phrase: str) -> str:
    return (
        f"{column}写明“{phrase}”：登记表只列已批准的换发、补发、撤销，导入即生效，不会撤回"
        f"（§四.(六)、§五.(三)）。请删除此行；如确应办理，请在{column}末尾写明“同意办理”"
    )


def applied_already(withdrawn: Problem) -> Problem:
    """What a new version's remark withdrawing an event applied before is told: not a refusal
    (the event stands, whatever the file says now), a conflict for the clerk and staff to see."""
    return Problem(
        withdrawn.row,
        withdrawn.column,
        withdrawn.value,
        f"{withdrawn.column}写明“{withdrawn.value}”，但此条已在此前的版本中登记生效，不会撤回；"
        "如确属错误，请与发证机关联系，按规定另行处理",
        withdrawn.clause,
    )


@cache
def void_event(kind: str) -> Withholding:
    """What withholds a row of type ``kind`` (any of the three when it is none of them). A
    withdrawal written after an approval withdraws it (同意撤销，后经复核此条作废); what comes
    right after the verb as its object is no withdrawal (换发作废原证, 撤销取消其资格), nor what a
    clause says of the holder's appeal (复议申请已被驳回，维持撤销决定)."""
    verbs = kind if kind in EVENT_TYPES else "|".join(EVENT_TYPES)
    return Withholding(
        re.compile(
            "(?:此|本|该)(?:条|行|项|笔|记录|登记|申请)(?:已|予以|现)?(?:作废|无效|撤回|取消|不办理)"
            "|作废此(?:条|行|项|记录)"
            "|(?:不予|不同意|暂不|暂缓|未予|取消|不再|无需|无须|不需要|不需|不)"
            f"(?:{verbs})|(?:不予|不同意|暂不|暂缓|未予)办理"
            f"|(?:{verbs})(?:决定|申请)?(?:已经|已被|已|被)?"
            "(?:撤回|撤销|作废|取消|驳回|退回|无效|不予批准|未批准|暂缓)(?![原旧证其])"
            "|(?P<weak>(?<!证)(?<!证书)撤回(?![原旧证其已])|驳回|不予受理(?![其该他]))"
        ),
        re.compile(f"同意办理|准予办理|(?:同意|准予|予以)(?:{verbs})"),
        _void_rule,
        "§四.(六)",
        re.compile("[撤补補换換办辦废廢效回消驳駁受]"),
        effective_after=True,
        past="原曾",
        set_aside=re.compile("复议|申诉|异议|诉讼|起诉"),
    )
