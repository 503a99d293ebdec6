"""Every word the staff Datasette shows that is not in a template: code labels, Beijing times, and
Datasette's own messages in Chinese (its errors: `datasette_config.errors`).

One place for the vocabulary, so that a cell, a facet list, a canned query and an error page all
say the same thing. Codes keep their stored value (``valid``, ``approval-roster``) — staff type
them into filters and SQL — and are shown beside their label (``valid 有效``). Labels that the
registry already defines are imported from it, not copied. The registry stores times as ISO 8601
UTC (``registry.store.now``); staff work in Beijing, so every such value is shown converted, with
the zone named.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping

from datasette_config.months import month_hint
from registry.domain.clock import BEIJING, as_moment, beijing_clock
from registry.domain.levels import LETTER_OF_LEVEL, LEVELS
from registry.domain.numbers import FIRST_YEAR, year_code_of
from registry.domain.regions import REGIONS, authority_name, region_code
from registry.domain.registers import KIND_LABELS, kind_code
from registry.domain.statuses import REQUISITION_STATUS_LABELS, RESULT_LABELS, SUPERSEDED
from registry.public.confirm import CONFIRMABLE
from registry.store.syncs import SEVERITY_LABELS
from registry.store.verify_log import CHANNEL_LABELS
from registry.sync.report import HISTORY_LABELS

# -- codes ----------------------------------------------------------------------------------


def _year(code: str) -> str | None:
    """A number's 核发年份 code: the first batch's is 11 whatever year it was issued in (附件3
    二) — 11 named 2011年 beside certificates issued in 2012 and 2013 misled an auditor."""
    if code == year_code_of(FIRST_YEAR):
        return "首批统一代码（附件3 二）"
    return f"20{code}年核发" if len(code) == 2 and code.isdigit() else None


def paper_fields(codes: str) -> str | None:
    """The paper's fields an employer confirmed (``trade,issued_on`` → 工种、发证日期); 无 for
    none (a confirmation the paper passed: nothing mismatched)."""
    if not codes:
        return "无"
    named = [CONFIRMABLE.get(code) for code in codes.split(",")]
    return "、".join(n for n in named if n) if all(named) else None


def _authority(code: str) -> str | None:
    return authority_name(code) if code in REGIONS else None


_NAMED: dict[str, Mapping[str, str]] = {
    # certificates.status holds a certificate's state, requisitions.status the province's
    # opinion; the two vocabularies share no code.
    "status": {**RESULT_LABELS, **REQUISITION_STATUS_LABELS},
    "result": RESULT_LABELS,
    "outcome": HISTORY_LABELS,  # the syncs table's: the history's entries
    "kind": KIND_LABELS,
    "severity": SEVERITY_LABELS,
    "channel": CHANNEL_LABELS,
    "letter": LEVELS,
}
"""The code columns whose codes have one label each, to read a label back as its code."""
CODE_COLUMNS: dict[str, Callable[[str], str | None]] = {
    **{column: labels.get for column, labels in _NAMED.items()},
    "region": REGIONS.get,
    "city": REGIONS.get,
    "authority": _authority,
    "year_code": _year,
    "confirmed": paper_fields,
    "mismatched": paper_fields,
}
"""Columns that hold a code, in any table or query, and how to name one of their codes. A value
that is not a known code is shown as it is."""


FLAG_COLUMNS = frozenset({"reissue"})
"""Columns that hold 0 or 1 (``certificates.reissue``: the paper is a 补发 copy)."""


def code_label(column: str, value: object) -> str | None:
    """``2202 绵阳市`` for a known code in a code column, ``1 是`` for a set flag (a number in its
    table, text in a CSV or the history's old and new values), else None."""
    if column in FLAG_COLUMNS and str(value) in ("0", "1"):
        return f"{value} {'是' if str(value) == '1' else '否'}"
    name = (
        CODE_COLUMNS[column](value) if column in CODE_COLUMNS and isinstance(value, str) else None
    )
    return f"{value} {name}".lstrip() if name else None


PLACE_COLUMNS = frozenset({"region", "city", "authority"})
FILTERED_COLUMNS = (*_NAMED, *PLACE_COLUMNS, "level", "year_code", *FLAG_COLUMNS)
"""The columns a table's filter reads as staff type them (`code_typed`)."""
_WORDS: dict[str, dict[str, str]] = {"status": {"换发": SUPERSEDED}}
"""Words staff filter a code column by that no label holds (a 换发 leaves its certificate
superseded: 已由新证书取代)."""
_YEAR = re.compile(r"(20\d\d)年?")


def code_typed(column: str, typed: str, *, starts: bool = False) -> str:
    """The stored value a filter's typed text names in a code column: staff type what the page
    shows — the label (有效, 绵阳, 审批名册（附件4）, 中级) or the cell's code and label (valid
    有效) — and ``status=有效`` found nothing; else the text as typed. ``starts``: for 开头是,
    the one label beginning so (未 for 未变化…: a staff review found nothing)."""
    text = typed.strip()
    head = text.split(" ", 1)[0]
    if column in PLACE_COLUMNS:
        return head if head in REGIONS else region_code(text) or typed
    if column == "level":  # stored as 中级工: 中级 and Z name it too
        letter = LETTER_OF_LEVEL.get(text) or (text if text in LEVELS else None)
        return LEVELS[letter] if letter else typed
    if column == "year_code":  # 2012, or the cell's 12 2012年核发
        year = _YEAR.fullmatch(text)
        return year[1][2:] if year else head if head.isdigit() and len(head) == 2 else typed
    if column in FLAG_COLUMNS:  # 是, or the cell's 1 是
        return {"是": "1", "否": "0", "有": "1", "无": "0", "1": "1", "0": "0"}.get(head, typed)
    if head in _NAMED[column]:
        return head
    return _labelled(column, text, starts) or typed


def begun(column: str, typed: str) -> list[str]:
    """The codes of ``column`` whose labels begin with ``typed`` (已 begins 已补发, 已由新证书取代
    and 已撤销), for 开头是 over several labels; none for a column without labels."""
    text = typed.strip()
    named = _NAMED.get(column, {})
    return [code for code, label in named.items() if text and label.startswith(text)]


def _labelled(column: str, text: str, starts: bool = False) -> str | None:
    """The code of column ``column`` whose label ``text`` is, or names: the one label holding
    it (撤销 for 已撤销, 已拒绝 for 已拒绝，登记库未作任何改动) — beginning with it, when
    ``starts`` —, a word no label holds (换发)."""
    named = _NAMED[column]
    if starts and (codes := begun(column, text)):
        return codes[0] if len(codes) == 1 else None
    if column == "letter":  # 中级 as well as 中级工
        return LETTER_OF_LEVEL.get(text)
    if column == "kind":
        return kind_code(text)
    if code := _WORDS.get(column, {}).get(text):
        return code
    exact = [code for code, label in named.items() if label == text]
    found = exact or [code for code, label in named.items() if text and text in label]
    return found[0] if len(found) == 1 else None


def label_of(labels: Mapping[str, str], code: str | None) -> str | None:
    """The label alone (for SQL functions in canned queries); an unknown code stays as it is."""
    return None if code is None else labels.get(code, code)


# -- times (BEIJING: UTC+8 all year, no daylight saving since 1991, so no tz database) --------

_ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)")
"""A full timestamp with its offset, as ``registry.store.now`` writes them; dates alone are
calendar dates (issued_on, status_date) and are left as they are."""


def to_beijing(value: object) -> dt.datetime | None:
    """The moment an ISO 8601 timestamp with an offset names, in Beijing time; None otherwise —
    also for one that has no Beijing time (9999-12-31T23:59:59-01:00: a visitor's 联系方式, or
    a filter staff typed, made every page and export showing it fail)."""
    if not isinstance(value, str) or not _ISO_TIMESTAMP.fullmatch(value):
        return None
    try:
        return as_moment(value).astimezone(BEIJING)
    except (ValueError, OverflowError):
        return None


def beijing_time(value: object) -> str | None:
    """``2026-11-26T10:00:05+00:00`` → ``2026-11-26 18:00:05（北京时间）``; None if not a timestamp."""
    moment = to_beijing(value)
    return None if moment is None else beijing_clock(moment)


def shown_value(column: str, value: object) -> str | None:
    """What a cell or facet shows instead of a stored value, or None to show it as it is."""
    return beijing_time(value) or code_label(column, value)


# -- Datasette's own words --------------------------------------------------------------------

CALENDAR_DATES = (
    "issued_on",
    "status_date",
    "date",
    "approved_on",
    "city_agreed_on",
    "dispatched_on",
    "collected_on",
)
"""The registry's columns of a calendar date (2012-03-15, no time of day, no zone): a filter
reads one as clerks write it, and its 日期为 as its value (`plugins/certreg_name_filter.py`)."""

FILTER_OPERATORS: dict[str, str] = {
    "exact": "=",
    "not": "≠",
    "contains": "包含",
    "endswith": "结尾是",
    "startswith": "开头是",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "like": "符合模式（% 代表任意几个字）",
    "notlike": "不符合模式（% 代表任意几个字）",
    "glob": "符合模式（* 代表任意几个字，区分大小写）",
    "in": "属于（逗号分隔）",
    "notin": "不属于（逗号分隔）",
    "arraycontains": "列表中有",
    "arraynotcontains": "列表中没有",
    "date": "日期为（北京时间）",
    "isnull": "未填写",
    "notnull": "已填写",
    "isblank": "为空（未填写或只有空格）",
    "notblank": "不为空",
}
"""The table filter's operators (``datasette.filters.Filters``), by key."""
SPARE_OPERATORS = frozenset({"isnull", "notnull", "arraycontains", "arraynotcontains"})
"""Operators the filter's menu leaves out unless a link chose one: four ways of "blank" read
alike to staff (a staff review), and no column of the registry holds a JSON list."""

FACET_TYPES = {"column": "", "array": "（列表）", "date": "（按日期，北京时间）"}

MENU_LINKS = {"Log in": "登录"}
"""Menu entries plugins add in English (datasette-auth-passwords, for a visitor not signed in)."""

MESSAGES = {
    "You are now logged out": "已退出登录。",
    "Query executed": "查询已执行。",
}
"""Messages Datasette flashes at the top of the next page."""


def message_text(message: str) -> str:
    return MESSAGES.get(message, message)


def _a_day(text: str) -> bool:
    """Whether ``text`` is a day as the date filter compares it: 2012-03-15, and one that exists."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        return False
    try:
        dt.date.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


def filter_description(
    selections: Iterable[tuple[str, str, str]],
    column_labels: Mapping[str, str],
    *,
    search: str | None = None,
    sort: str | None = None,
    sort_desc: str | None = None,
) -> str:
    """The Chinese for Datasette's ``human_description_en`` (``where level = "中级工" sorted by
    number``): ``条件：等级 = 中级工；按 证书编号 排序``."""

    def name(column: str) -> str:
        return column_labels.get(column, column)

    conditions = []
    if search:
        conditions.append(f"全文包含“{search}”")
    for column, lookup, value in selections:
        operator = FILTER_OPERATORS.get(lookup, lookup)
        if lookup in ("isnull", "notnull", "isblank", "notblank"):
            conditions.append(f"{name(column)} {operator}")
        else:
            condition = f"{name(column)} {operator} {shown_value(column, value) or value}"
            dated = lookup == "date" or (lookup == "exact" and column in CALENDAR_DATES)
            if dated and not _a_day(value):  # 0 rows, and nothing said why
                condition += "（这不是存在的日期，因此没有结果；应写作如 2012-03-15）"
            conditions.append(condition + month_hint(column, lookup, value))
    parts = ["条件：" + "，".join(conditions)] if conditions else []
    if sort or sort_desc:
        parts.append(f"按 {name(sort or sort_desc or '')} {'降序' if sort_desc else '升序'}排列")
    return "；".join(parts)
