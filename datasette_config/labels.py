"""Every word the staff Datasette shows that is not in a template: code labels, Beijing times, and
Datasette's own messages in Chinese.

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

from markupsafe import Markup, escape

from registry.domain.dates import BEIJING, beijing_clock
from registry.domain.levels import LEVELS
from registry.domain.regions import REGIONS, authority_name
from registry.domain.registers import KIND_LABELS
from registry.domain.statuses import RESULT_LABELS
from registry.kinds.requisitions import REQUISITION_STATUS_LABELS
from registry.store.syncs import SEVERITY_LABELS
from registry.store.verify_log import CHANNEL_LABELS
from registry.sync.report import OUTCOME_LABELS

# -- codes ----------------------------------------------------------------------------------


def _year(code: str) -> str | None:
    return f"20{code}年" if len(code) == 2 and code.isdigit() else None


def _authority(code: str) -> str | None:
    return authority_name(code) if code in REGIONS else None


CODE_COLUMNS: dict[str, Callable[[str], str | None]] = {
    "region": REGIONS.get,
    "city": REGIONS.get,
    "authority": _authority,
    # certificates.status holds a certificate's state, requisitions.status the province's
    # opinion; the two vocabularies share no code.
    "status": {**RESULT_LABELS, **REQUISITION_STATUS_LABELS}.get,
    "result": RESULT_LABELS.get,
    "outcome": OUTCOME_LABELS.get,
    "kind": KIND_LABELS.get,
    "severity": SEVERITY_LABELS.get,
    "channel": CHANNEL_LABELS.get,
    "letter": LEVELS.get,
    "year_code": _year,
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
    return f"{value} {name}" if name else None


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
        return dt.datetime.fromisoformat(value).astimezone(BEIJING)
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
    "isblank": "为空",
    "notblank": "不为空",
}
"""The table filter's operators (``datasette.filters.Filters``), by key."""

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
            if lookup == "date" and not _a_day(value):  # 0 rows, and nothing said why
                condition += "（这不是存在的日期，因此没有结果；应写作如 2012-03-15）"
            conditions.append(condition)
    parts = ["条件：" + "，".join(conditions)] if conditions else []
    if sort or sort_desc:
        parts.append(f"按 {name(sort or sort_desc or '')} {'降序' if sort_desc else '升序'}排列")
    return "；".join(parts)


# Errors. Datasette raises them in English from Python; the error page shows the Chinese.

ERROR_TITLES = {
    "Invalid SQL": "SQL 语句有误",
    "SQL Interrupted": "查询超时",
    "Forbidden": "没有权限",
}
STATUS_TITLES = {
    400: "请求有误",
    403: "没有权限",
    404: "找不到页面",
    405: "不允许的操作",
    500: "服务器内部错误",
}

_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern, re.DOTALL), chinese)
    for pattern, chinese in [
        (r"404", "找不到这个页面：请检查网址，或从首页重新进入。"),
        (r"Database not found", "找不到这个数据库：请检查网址，或从首页重新进入。"),
        (r"Table not found(: .*)?", "找不到这个数据表：请检查网址，或从数据库页面重新进入。"),
        (r"Record not found", "找不到这一行记录：请核对网址中的编号。"),
        (r"No data", "没有数据。"),
        (
            r"Statement must be a SELECT",
            "只能运行 SELECT 查询：登记库在网页上只读，数据只能通过 certreg sync 导入名册来修改。",
        ),
        (r"Statement contained a disallowed PRAGMA.*", "SQL 中不能使用这个 PRAGMA。"),
        (r'near "(?P<at>.*)": syntax error', "SQL 语法错误：在“{at}”附近。"),
        (r"incomplete input", "SQL 语句不完整：请检查括号、引号是否成对。"),
        (r"no such table: (?P<name>.+)", "没有名为 {name} 的表。"),
        (r"no such column: (?P<name>.+)", "没有名为 {name} 的列。"),
        (r"no such column:", "筛选或分面的列名为空：请选一列。"),
        (r"malformed JSON", "这一列的值不是 JSON 数组：不能按数组分面或筛选。"),
        (r"SQL logic error", "查询无法执行：请检查手写的筛选条件（_where）。"),
        (r"no such function: (?P<name>.+)", "没有名为 {name} 的函数。"),
        (r"ambiguous column name: (?P<name>.+)", "列名 {name} 有歧义：请在前面加上表名。"),
        (
            r"wrong number of arguments to function (?P<name>.+)\(\)",
            "函数 {name} 的参数个数不对。",
        ),
        (r"You can only execute one statement at a time\.?", "一次只能运行一条 SQL 语句。"),
        (
            r"(not authorized|attempt to write a readonly database)",
            "登记库在网页上只读：不能执行此操作。",
        ),
        (r"interrupted", "查询超过时限，已中止。"),
        (r"Database download is forbidden", "不允许下载整个数据库文件：其中含持证人个人信息。"),
        (r"You do not have permission to view this database", "您无权查看这个数据库。"),
        (r"You do not have permission to view this table", "您无权查看这个数据表。"),
        (r"You do not have permission to view this query", "您无权查看这个查询。"),
        (r"Permission denied", "您没有这项权限。"),
        (r"Cannot sort table by (?P<name>.+)", "不能按列 {name} 排序。"),
        (r"Cannot use _sort and _sort_desc at the same time", "不能同时按升序和降序排序。"),
        (r"_size must be a positive integer", "每页行数（_size）应为正整数。"),
        (r"_size must be <= (?P<n>\d+)", "每页行数（_size）不能超过 {n}。"),
        (r"_(no)?col=(?P<names>.+) - invalid columns", "没有这些列：{names}。"),
        (r"_(no)?col= - invalid columns", "选择显示的列时没有写列名。"),
        (r"Invalid token", "令牌无效。"),
        (
            r"_next not allowed for CSV streaming",
            "导出全部行时不能从某一页开始：请去掉网址中的 _next。",
        ),
        (r"_facet= is not allowed", "此处不允许分面统计。"),
        (
            r"Too many filter values: (?P<n>\d+), at most (?P<most>\d+)",
            "筛选条件中的值太多（{n} 个，最多 {most} 个）。请分几次查询，"
            "或用常用查询按证书编号、姓名查找。",
        ),
        (
            r"Invalid request parameter: (?P<detail>.+)",
            "网址中的参数无法读取（筛选、排序、分页或分面的写法不对）。请回到上一页重新选择，"
            "或删去网址中“?”之后手写的部分。技术信息：{detail}",
        ),
        (
            r"Invalid _through - could not find corresponding foreign key",
            "_through 所指的表没有指向本表的外键。",
        ),
    ]
]
_TOOK_TOO_LONG = re.compile(
    r"SQL query took too long.*<textarea[^>]*>(?P<sql>.*)</textarea>", re.DOTALL
)


def error_text(message: str) -> str | None:
    """The Chinese for one of Datasette's or SQLite's error messages, or None if unknown."""
    for pattern, chinese in _ERRORS:
        found = pattern.fullmatch(message.strip())
        if found:
            return chinese.format(**found.groupdict())
    return None


def sql_error(message: str) -> str:
    """A failed query's message for the query page: the Chinese, or SQLite's own words labelled."""
    return error_text(message) or f"数据库报告的错误：{message}"


def request_status(status: int, message: str) -> int:
    """The status of an error: Datasette answers some bad requests (``_sort=nonsense``) with
    500; a message it is known to give for a request is a 400, on a page and in JSON alike."""
    return 400 if status == 500 and error_text(message) else status


def error_page(status: int, title: str | None, message: object) -> tuple[int, str, Markup]:
    """Status, title and message of the error page for an exception Datasette would show in
    English.

    A message Datasette marks as HTML (``Markup``) is only ever its "took too long" notice, which
    carries the SQL; anything unknown is shown, escaped, as the technical detail."""
    chinese_title = ERROR_TITLES.get(title or "", "") or STATUS_TITLES.get(
        status, f"出错了（{status}）"
    )
    text = str(message)
    too_long = _TOOK_TOO_LONG.search(text) if isinstance(message, Markup) else None
    if too_long:
        return (
            status,
            chinese_title,
            Markup(
                "<p>查询超过时限，已被中止。请加上条件缩小范围，或改用已有的常用查询。</p>"
                '<textarea style="width: 90%" rows="6" readonly>{}</textarea>'
            ).format(Markup(too_long["sql"])),
        )
    known = error_text(text)
    if known:
        if status != (status := request_status(status, text)):
            chinese_title = STATUS_TITLES[status]
        return status, chinese_title, Markup("<p>{}</p>").format(known)
    return (
        status,
        chinese_title,
        Markup("<p>处理请求时出错。技术信息：</p><pre>{}</pre>").format(escape(text)),
    )
