"""Datasette's errors in Chinese: the title, status and message of the page for an exception it
raises in English, and the status its JSON answer keeps (`datasette_config.labels` holds the rest
of the vocabulary)."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

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
            "SQL 语句须以 SELECT（或 WITH）开头：请检查第一个词是否拼写正确。"
            "登记库在网页上只读，数据只能通过 certreg sync 导入名册来修改。",
        ),
        (r"Statement contained a disallowed PRAGMA.*", "SQL 中不能使用这个 PRAGMA。"),
        (r'near "(?P<at>.*)": syntax error', "SQL 语法错误：在“{at}”附近。"),
        (r"incomplete input", "SQL 语句不完整：请检查括号、引号是否成对。"),
        (r"no such table: (?P<name>.+)", "没有名为 {name} 的表。"),
        (r"no such column: (?P<name>.+)", "没有名为 {name} 的列。"),
        (r"no such column:", "筛选或分面的列名为空：请选一列。"),
        (
            r"malformed JSON",
            "值不是有效的 JSON：按数组分面或筛选的列须是 JSON 数组，SQL 中 json 函数的参数须是有效的 JSON。",
        ),
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
            r"Parameter (?P<key>\S+) given (?P<n>\d+) times, at most (?P<most>\d+)",
            "网址中的参数 {key} 出现了 {n} 次（最多 {most} 次）。请回到上一页重新选择筛选和分面。",
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


def error_page(
    status: int, title: str | None, message: object, *, hide_sql: bool = False
) -> tuple[int, str, Markup]:
    """Status, title and message of the error page for an exception Datasette would show in
    English.

    A message Datasette marks as HTML (``Markup``) is only ever its "took too long" notice, which
    carries the SQL — left out when ``hide_sql`` (a canned query whose page hides its SQL: staff
    would read a screen of SQL and its English comments); anything unknown is shown, escaped, as
    the technical detail."""
    chinese_title = ERROR_TITLES.get(title or "", "") or STATUS_TITLES.get(
        status, f"出错了（{status}）"
    )
    text = str(message)
    too_long = _TOOK_TOO_LONG.search(text) if isinstance(message, Markup) else None
    if too_long and hide_sql:
        return (
            status,
            chinese_title,
            Markup(
                "<p>查询超过时限，已被中止。请稍后再试，或缩小查询的范围（如天数、小时数）。</p>"
            ),
        )
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
