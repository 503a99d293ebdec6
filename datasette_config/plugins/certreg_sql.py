"""SQL functions for canned queries and staff SQL, backed by the registry's own code.

Staff type numbers and names the way people do (``ｚ１１-2202-0123``, ``周　杰``); the canned
queries normalise them with the same functions the sync and the public check use, and show
codes (region, status, sync outcome) by the names staff know.

No value a query makes may exceed `MAX_VALUE_BYTES`. SQLite functions that reach outside the
data are refused on every connection, by an
authorizer, whatever the spelling (``"fts3_tokenizer"(…)``, ``[FTS3_Tokenizer](…)``):
``fts3_tokenizer`` returns a memory address of the server process (a step towards exploiting
it), ``load_extension`` would load native code. SQLite words the refusal in English; the
wrapper below puts it in Chinese on the 400 page or JSON Datasette answers with.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import sqlite3
import unicodedata
from collections.abc import Callable
from itertools import combinations
from typing import Any

from datasette import hookimpl
from datasette.filters import Filters, TemplatedFilter

from datasette_config.held_responses import ASGIApp, Headers, rewriting
from datasette_config.plugins import certreg_labels
from registry.domain.clock import beijing_day
from registry.domain.dates import BadDate, parse_date, parse_year, parse_year_month
from registry.domain.documents import document_key
from registry.domain.names import MIDDLE_DOT, holder_key, name_key
from registry.domain.numbers import normalise, year_code_of
from registry.domain.regions import authority_name, region_code, region_name
from registry.domain.statuses import RESULT_LABELS
from registry.domain.text import MAX_NAME_CHARS
from registry.sync.outcome import (
    CHECKED,
    DELISTED,
    LOADED,
    REJECTED,
    RELISTED,
    UNCHANGED,
    UPDATED,
)
from registry.sync.report import HISTORY_LABELS


def _text_function(function: Any) -> Any:
    """Wrap a str → str function so NULL stays NULL in SQL."""

    def call(value: object) -> object:
        return None if value is None else function(str(value))

    return call


REFUSED_FUNCTIONS = {
    "fts3_tokenizer": "它会返回服务器进程的内存地址",
    "load_extension": "它会在服务器上加载外部程序",
}
_REFUSAL = re.compile(rb"not authorized to use function: ([A-Za-z0-9_]+)")
MAX_VALUE_BYTES = 100_000
"""The longest text or blob a staff query may make (SQLITE_LIMIT_LENGTH). The registry's values
are a few dozen bytes, a report's text 500 characters; ``zeroblob(1e9)`` would otherwise build a
gigabyte in the server's memory — the time limit does not stop one big call — and stall it."""
_TOO_BIG = re.compile(rb"string or blob too big")
TOO_BIG = (
    f"查询结果中有超过 {MAX_VALUE_BYTES:,} 字节的值：职员查询不能生成这么大的值"
    "（如 zeroblob、randomblob）。请缩小后再查询。"
)


def refusal_message(function: str) -> str:
    reason = REFUSED_FUNCTIONS.get(function.lower(), "它可能泄露服务器信息")
    return f"职员查询不允许使用 SQL 函数 {function}：{reason}。请去掉该函数后再查询。"


def authorizer(action: int, arg1: str | None, arg2: str | None, *_: str | None) -> int:
    """Deny the refused functions (SQLITE_FUNCTION passes the function's name as arg2)."""
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in REFUSED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def iso_date(text: str, last: bool = False) -> str | None:
    """A date as staff type it (2012-9-1, 2012年9月1日, 2012.9.1) as the registry stores it, or
    NULL: compared as typed, 2012-9-1 sorted after 2012-09-10 and dropped its events. A month
    (2012.09, 2012年9月) or a year (2012) means its first day, or with ``last`` its last
    (``iso_date_end``, for a 截止日期)."""
    try:
        return parse_date(text).isoformat()
    except BadDate:
        pass
    try:
        year, month = parse_year_month(text)
    except BadDate:
        try:
            year, month = parse_year(text), 12 if last else 1
        except BadDate:
            return None
    day = calendar.monthrange(year, month)[1] if last else 1
    return dt.date(year, month, day).isoformat()


def plain(text: str) -> str:
    """A parameter as staff type it, read as plain text: NFKC (full-width ``２０１１`` is 2011,
    ``Ｚ`` is Z, the ideographic space a space) and stripped. A year, region code or count typed
    on a Chinese keyboard otherwise compares unequal to every row, or casts to 0."""
    return unicodedata.normalize("NFKC", text).strip()


YES = frozenset({"是", "y", "yes", "1", "true", "对", "只看", "未处理", "只看未处理", "待处理"})
"""…and what the one yes-or-no parameter asks for, typed as the answer (只看未处理: 未处理, read
as 否, listed every report)."""
NO = frozenset({"", "否", "不", "不是", "no", "n", "0", "false", "全部", "所有", "都看", "不限"})


def yes_or_no(text: str) -> str | None:
    """A yes-or-no parameter as staff answer it: 是 or 否 (全部, 不是, N …), NULL for neither —
    which the queries read as no, showing everything, and `certreg_params` names."""
    typed = plain(text).lower()
    return "是" if typed in YES else "否" if typed in NO else None


OUTCOME_WORDS = {
    REJECTED: ("拒收", "退回", "被拒", "驳回"),
    UNCHANGED: ("未变", "没变", "无变化", "重复"),
    UPDATED: ("新版", "更正"),
    LOADED: ("首次", "新增"),
    CHECKED: ("试运行", "试导入"),
    DELISTED: ("移除", "删去", "不在清单", "撤下"),
    RELISTED: ("重新列入", "放回"),
}
"""Words for a sync's outcome its label (`HISTORY_LABELS`) does not hold: staff call a
register the sync refused 拒收 or 退回, as the query's own description does."""


def outcome_code(text: str) -> str | None:
    """The outcome staff mean: its code in any case (REJECTED), or one of `OUTCOME_WORDS`."""
    typed = plain(text).lower()
    if typed in HISTORY_LABELS:
        return typed
    return next(
        (code for code, words in OUTCOME_WORDS.items() if any(w in typed for w in words)), None
    )


def year_code(text: str) -> str | None:
    """The two-digit year code of a 年度 as staff type it (2011, 2011年, 2011年度, ２０１１, 11),
    or NULL."""
    typed = plain(text)
    if len(typed) == 2 and typed.isascii() and typed.isdigit():
        return typed
    try:
        return year_code_of(parse_year(typed))
    except BadDate:
        return None


TWO_DOTS_UP_TO = 20
"""The longest name (in letters) `name_keys` places two dots in: 171 keys at 20 letters. A name
of three parts (买买提·吐尔逊·阿不都) is far shorter; 1,176 keys of a 50-letter name would
exceed `MAX_VALUE_BYTES`."""


def name_keys(text: str) -> str:
    """The name keys a holder typed as ``text`` may be registered under, as a JSON array: its
    own key, and its letters with a middle dot at any one place or (up to `TWO_DOTS_UP_TO`
    letters) any two — the dots `same_holder` overlooks, as the public check does —, and for a
    Latin name its letters with an apostrophe at any one place (ONeil finds O'Neil). 马尔古 finds
    马·尔古, 阿依古丽 买买提 finds 阿依古丽·买买提; each key is one lookup in the name index."""
    key = name_key(text)
    letters = holder_key(key)
    if len(letters) > MAX_NAME_CHARS:  # no holder's (a pasted row): itself, named on the page
        return json.dumps([key], ensure_ascii=False)
    places = range(1, len(letters))
    keys = {key, letters}
    keys.update(letters[:i] + MIDDLE_DOT + letters[i:] for i in places)
    if len(letters) <= TWO_DOTS_UP_TO:
        keys.update(
            letters[:i] + MIDDLE_DOT + letters[i:j] + MIDDLE_DOT + letters[j:]
            for i, j in combinations(places, 2)
        )
    if any("a" <= ch <= "z" for ch in key):  # a Latin name: O'Neil typed ONeil, as the public
        bare = key.replace("'", "")  # check takes it (its hyphens kept, as its key keeps them)
        keys.update(bare[:i] + "'" + bare[i:] for i in range(1, len(bare)))
        keys.add(bare)
    return json.dumps(sorted(keys - {""}), ensure_ascii=False)


FUNCTIONS: dict[str, Callable[[str], str | None]] = {
    "normalise_number": normalise,
    "plain": plain,
    "iso_date": iso_date,
    "iso_date_end": lambda text: iso_date(text, last=True),
    "name_key": name_key,
    "name_keys": name_keys,
    "document_key": document_key,
    "region_name": region_name,
    "region_code": region_code,
    "year_code": year_code,
    "authority_name": authority_name,
    "status_label": lambda code: RESULT_LABELS.get(code, code),
    "outcome_label": lambda code: HISTORY_LABELS.get(code, code),
    "outcome_code": outcome_code,
    "yes_or_no": yes_or_no,
}
"""Each takes one text (NULL stays NULL: `_text_function`)."""


def _beijing_date_filter() -> None:
    """Datasette's ``column__date`` filter as a Beijing day, in SQLite's own arithmetic:
    ``date(x, '+8 hours')`` is `beijing_day` for every stored form, without a Python call per
    row (a filter of two million checks took 3 s through the override, 0.7 s so)."""
    beijing = TemplatedFilter(
        "date", "date", "date({c}, '+8 hours') = :{p}", '"{c}" is on date {v}'
    )
    Filters._filters = [beijing if f.key == "date" else f for f in Filters._filters]
    Filters._filters_by_key = {f.key: f for f in Filters._filters}


_beijing_date_filter()


def blank_field_label(datasette: Any) -> Callable[[str, str], str]:
    """``blank_field_label(kind, field)`` in SQL: a requisition's, dispatch's or collection's
    field (``blank_history.field``) by its table's Chinese label (collector → 领取人)."""

    def label(kind: str, field: str) -> str:
        return certreg_labels.history_field_label(field, kind, datasette) or field

    return label


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    # A certificate column's Chinese label, as metadata.yml gives it (for the history of changes).
    labels = datasette.metadata("columns", database="registry", table="certificates") or {}
    functions = {**FUNCTIONS, "column_label": lambda column: labels.get(column, column)}
    for name, function in functions.items():
        conn.create_function(name, 1, _text_function(function), deterministic=True)
    # SQLite's own date(x), overridden: the date facet (and staff's own SQL) count Beijing days
    conn.create_function("date", 1, beijing_day)
    conn.create_function("blank_field_label", 2, blank_field_label(datasette), deterministic=True)
    conn.set_authorizer(authorizer)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)


def _chinese_refusal(body: bytes) -> bytes:
    body = _TOO_BIG.sub(TOO_BIG.encode("utf-8"), body)
    return _REFUSAL.sub(lambda m: refusal_message(m[1].decode("ascii")).encode("utf-8"), body)


@hookimpl
def extra_template_vars() -> dict[str, Any]:
    """A number as the logs keep it, for links from a typed one (the verification log's checks
    and reports of the number a query was asked about)."""
    return {"normalise_number": normalise}


async def _translated(
    scope: dict[str, Any], receive: Any, headers: Headers, body: bytes
) -> tuple[Headers, bytes]:
    return headers, _chinese_refusal(body)


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    """Translate SQLite's refusal in the (small, unstreamed) 400 answers to a refused query."""
    return rewriting(400, _translated)
