"""A canned query's parameters it cannot read, said on its page instead of answered in silence.

A date staff mistype (2013-02-30, 2013年13月) reads as NULL in the queries' SQL, and every
comparison with NULL is false: the page said 共 0 行, as if nothing had happened. A count typed
in words (七天) casts to 0: a window of no days lists nothing, a threshold of 0 lists everything.
The page now names the parameter, the value and what to type. Full-width digits (３０) are read:
the queries take every parameter through ``plain`` (NFKC), as this check does. A certificate
number that cannot be one (10 characters, a region code 附件3 does not have) and a 类型 of
status change that is none of 换发, 补发, 撤销 find nothing either, and are named the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Protocol

from datasette import hookimpl

from datasette_config.plugins.certreg_sql import (
    iso_date,
    outcome_code,
    plain,
    year_code,
    yes_or_no,
)
from registry.domain.levels import LEVELS
from registry.domain.numbers import MalformedNumber, normalise, parse
from registry.domain.regions import REGIONS, authority_name, region_code, region_name
from registry.domain.statuses import EVENT_TYPES
from registry.domain.text import MAX_NAME_CHARS, visible
from registry.sync.report import HISTORY_LABELS

DATE_PARAMS = frozenset({"起始日期", "截止日期"})
COUNT_PARAMS = frozenset({"天数", "小时数", "未查到阈值", "报告阈值"})
NUMBER_PARAMS = frozenset({"证书编号"})
AS_TYPED_PARAMS = frozenset({"名册", "批准文号", "上页末行客户端", "上页末行证书编号"})
"""Parameters any text is a condition of (a file's name, an approval document's; where a page of
clients, or of numbers that may be malformed, ended): nothing to
tell staff of a value. Every other parameter of a canned query has its reader (`READERS`)."""
TYPES_READ = (*EVENT_TYPES, "撤消")
"""What the 类型 of status_changes matches (撤消, a common variant, is read as 撤销)."""
MAX_COUNT_DIGITS = 6
"""A count of days, hours or checks staff may type: beyond, SQLite's date arithmetic and integer
casts give up, and the page answered nothing."""
TIME_PARAMS = {"sync_history": frozenset({"截止日期"})}
"""Parameters that also take a time (the 时间 of a listed row, to page back from it)."""


class Args(Protocol):
    """A request's query string as Datasette gives it (`datasette.utils.MultiParams`)."""

    def keys(self) -> list[str]: ...

    def get(self, name: str) -> str | None: ...


def _reads_as_time(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value[:19])
    except ValueError:
        return False
    return True


def _number_problem(value: str) -> str | None:
    """Why ``value`` cannot be a certificate number (附件3), as `parse` words it, or None."""
    try:
        parse(value)
    except MalformedNumber as problem:
        return str(problem)
    return None


def _date(name: str, value: str, query: str) -> str | None:
    if iso_date(value) is not None or (
        name in TIME_PARAMS.get(query, ()) and _reads_as_time(value)
    ):
        return None
    return (
        f"{name}“{value}”不是有效的日期，查询因此没有结果。请填写存在的日期，"
        "如 2013-01-31、2013年1月31日，或月份 2013.01、年份 2013"
    )


def _count(name: str, value: str, query: str) -> str | None:
    digits = plain(value)
    if digits.startswith("-") and digits[1:].isascii() and digits[1:].isdigit():
        return f"{name}“{value}”是负数，查询读不准它。请填 0 或正整数，如 30"
    if not (digits.isascii() and digits.isdigit()):
        return (
            f"{name}“{value}”不是整数，查询读不准它（只取开头的数字，没有就当作 0）。"
            "请只用阿拉伯数字填写，如 30"
        )
    if len(digits.lstrip("0")) > MAX_COUNT_DIGITS:
        return f"{name}“{value}”太大，查询读不了它。请填 {10**MAX_COUNT_DIGITS - 1} 以内的数"
    return None


_ID_NUMBER = re.compile(r"\d{17}[\dXx]|\d{15}")


def _name(name: str, value: str, query: str) -> str | None:
    if _ID_NUMBER.fullmatch(value.strip()):  # a staff review: told only 没有姓名含…
        return "这是身份证号码：登记库不保存持证人的身份证号码，查询因此没有结果。请按姓名查，再核对出生年月"
    if len(value) <= MAX_NAME_CHARS:
        return None
    return (
        f"姓名太长（{len(value)} 个字符），查询因此没有结果。请只填姓名或其中几个字"
        f"（登记的姓名最多 {MAX_NAME_CHARS} 个字符）"
    )


def _year(name: str, value: str, query: str) -> str | None:
    if year_code(value) is not None:
        return None
    return f"年度“{value}”无法识别，查询因此没有结果。请用阿拉伯数字填写四位年份，如 2011"


def _number(name: str, value: str, query: str) -> str | None:
    if not (problem := _number_problem(value)):
        return None
    return (
        f"{name}“{value}”不是有效的证书编号（{problem}），查询因此没有结果。"
        "证书编号应为11位，如 Z1122020123"
    )


def _event_type(name: str, value: str, query: str) -> str | None:
    if query != "status_changes" or plain(value) in TYPES_READ:
        return None
    return f"类型“{value}”不是换发、补发或撤销，查询因此没有结果。请填写其中之一"


REPORT_REF = re.compile(r"\d{8}-[0-9A-F]{6}|\d+")
"""A report's number as the employer was told it (20261201-7F3A9C), or an older report's id."""


def _page_after(name: str, value: str, query: str) -> str | None:
    """Where the previous page ended, mistyped: the page is empty, as if nothing followed."""
    if name == "上页末行报告编号":
        if REPORT_REF.fullmatch(plain(value).upper()):
            return None
        example = "如 20261201-7F3A9C"
    elif not _number_problem(value):
        return None
    else:
        example = "即上一页最后一行的证书编号"
    return (
        f"{name}“{value}”读不出是哪一行（{example}），这一页因此是空的。请从上一页最后一行照抄，"
        "看第一页请留空"
    )


def _outcome(name: str, value: str, query: str) -> str | None:
    typed = plain(value)
    if outcome_code(value) or any(typed in label for label in HISTORY_LABELS.values()):
        return None
    return (
        f"结果“{value}”无法识别，查询因此没有结果。请填写已导入、已更新、未变化、已拒绝或检查通过"
        "（或其中几个字，如“拒绝”）"
    )


WILDCARDS = frozenset("%_\x00")
"""What the queries' ``LIKE`` reads as a wildcard (a NUL ends the pattern): a value holding one
finds rows, and is not said to find none (a review)."""


def _region(name: str, value: str, query: str) -> str | None:
    """A region as the queries read it: its code or name (绵阳, 2202, 凉山彝族自治州), or — but for
    status_changes, which reads the code only — a part of its name; the report queue also a part
    of its department's (四川省人力资源和社会保障厅)."""
    typed = plain(value)
    if WILDCARDS & set(typed):  # LIKE reads them as wildcards: the query finds rows
        return None
    department = query == "report_queue"
    named = any(
        typed in region_name(code) or (department and typed in authority_name(code))
        for code in REGIONS
    )
    if region_code(value) is not None or (named and query != "status_changes"):
        return None
    return (
        f"{name}“{value}”不是附件3的地区，查询因此没有结果。请填写地区代码或名称，"
        "如 2202、绵阳市、凉山州（省厅、省直单位为 2200）"
    )


def _level(name: str, value: str, query: str) -> str | None:
    typed = plain(value)
    if (
        WILDCARDS & set(typed)
        or typed.upper() in LEVELS
        or any(level.startswith(typed) for level in LEVELS.values())
    ):
        return None
    return f"等级“{value}”无法识别，查询因此没有结果。请填写初级工、中级工、高级工、技师，或等级代码 C、Z、G、J"


def _yes_or_no(name: str, value: str, query: str) -> str | None:
    if yes_or_no(value) is not None:
        return None
    return f"{name}“{value}”无法识别，已按“否”列出全部。只看尚未处理的请填“是”"


READERS: dict[str, Callable[[str, str, str], str | None]] = {
    **dict.fromkeys(DATE_PARAMS, _date),
    **dict.fromkeys(COUNT_PARAMS, _count),
    **dict.fromkeys(NUMBER_PARAMS, _number),
    "姓名": _name,
    "年度": _year,
    "类型": _event_type,
    "结果": _outcome,
    "上页末行编号": _page_after,
    "上页末行报告编号": _page_after,
    "只看未处理": _yes_or_no,
    "地区": _region,
    "发证机关": _region,
    "等级": _level,
}
"""Per parameter: what to tell staff of a value (its name, the value, the canned query) the
query's SQL cannot read, or None."""


def unread_params(query: str | None, args: Args) -> list[str]:
    """What to tell staff about each parameter of canned query ``query`` that its SQL cannot
    read (blank ones are no condition, and are fine)."""
    messages = []
    for name in args.keys():
        value = (args.get(name) or "").strip()
        reader = READERS.get(name)
        if value and reader and (message := reader(name, value, query or "")):
            messages.append(message)
    return messages


LOOKUPS = {"certificate": "证书编号", "certificate_chain": "证书编号", "holders": "姓名"}
"""Canned queries that look one thing up: blank, they have nothing to look for."""


def nothing_found(query: str | None, args: Args | None) -> str:
    """What an empty result says: of a lookup, what was looked for and where, and what to do
    next — 没有查到结果 alone read the same for a number never registered, a name not typed yet
    and a page opened a moment ago."""
    param = LOOKUPS.get(query or "")
    if param is None or args is None or unread_params(query, args):  # a warning says why
        return "没有查到结果"
    value = (args.get(param) or "").strip()
    if not value:
        what = "姓名或其中几个字" if param == "姓名" else param
        return f"请填写{what}后点“查询”"
    if query == "holders":
        if (args.get("上页末行编号") or "").strip():
            return "后面没有更多持证人了：这是最后一页"
        # what was typed, an override shown as its code point: it would turn the sentence round
        return f"登记库中没有姓名含“{visible(value)}”的持证人：请核对姓名，或只填其中几个字（如姓或名）再查"
    number = normalise(value)
    if query == "certificate_chain":
        return (
            f"登记库中没有证书编号 {number}：请核对编号；被退回的名册中是否写了它，"
            "见“按编号查证书及履历”"
        )
    return (
        f"登记库中没有证书编号 {number}，被退回的名册和变更登记表中也没有写这个编号的行："
        "请核对编号；新发的证书，其名册可能还没有导入（见“名册导入记录及问题”）"
    )


@hookimpl
def extra_template_vars(request: object) -> dict[str, Callable[[str | None], object]]:
    args: Args | None = getattr(request, "args", None)  # None for a page not made by a request
    return {
        "unread_params": lambda query: unread_params(query, args) if args else [],
        "nothing_found": lambda query: nothing_found(query, args),
    }
