"""What the JSON API accepts (SPEC §7): a body is JSON of the declared type, no deeper than a
request of ours, and of exactly the shape `verify_app.schemas` describes — else a 400 (not
JSON) or 422 (wrong shape) whose message says what is wrong, and ``rows`` which items."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from starlette.requests import Request

from registry.public.confirm import CONFIRMABLE, unreadable
from verify_app.answers import (
    MAX_CONFIRM_CHARS,
    MAX_NAME_CHARS,
    MAX_NUMBER_CHARS,
    Item,
    listed,
    too_long,
)
from verify_app.batch_files import MAX_ITEMS
from verify_app.body_text import body_text
from verify_app.forms import declared_charset, media_type
from verify_app.near_fields import nearest
from verify_app.request_errors import InvalidRequest


async def json_body(request: Request) -> Any:
    """The parsed body; a 415 for a body not declared as JSON, a 400 for anything that is not
    JSON we can read.

    The body is already capped by `BodyLimitMiddleware`. Nesting is bounded while parsing: the
    standard library's decoder counts its depth against the interpreter's recursion limit and
    raises ``RecursionError`` (cleanly, no stack overflow) for ``[`` × 100,000 — a request of
    ours is three levels deep. ``ValueError`` also covers undecodable bytes and integers longer
    than Python's 4,300-digit conversion limit."""
    media = media_type(request)
    if media != "application/json" and not media.endswith("+json"):
        # what a cross-site HTML form can send (text/plain, form encodings) is refused: another
        # site's page cannot spend a visitor's allowance or create watch lists in their name
        message = "请求须声明 Content-Type: application/json，请求体为 JSON。"
        raise InvalidRequest(415, "unsupported_media_type", message)
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):  # its gzip read as JSON was "not UTF-8 text"
        message = f"请求体不能压缩（Content-Encoding: {encoding}）：请发送未压缩的 JSON。"
        raise InvalidRequest(415, "unsupported_media_type", message)
    body = await request.body()
    declared = declared_charset(request)
    try:
        # as json.loads reads bytes, with one decoder made once (json.loads makes one a call)
        return _DECODER.decode(body_text(body, declared))
    except DuplicateKey as exc:
        message = f"请求体不是有效的 JSON：字段{_shown(exc.key)}在同一个对象中出现了不止一次。"
        raise InvalidRequest(400, "bad_json", message) from exc
    except RecursionError as exc:
        raise InvalidRequest(400, "bad_json", "请求体不是有效的 JSON：嵌套层数过多") from exc
    except json.JSONDecodeError as exc:  # Python's own message is English: only where it is
        raise InvalidRequest(400, "bad_json", _undecodable(body, exc)) from exc
    except UnicodeDecodeError as exc:
        message = "请求体不是有效的 JSON：不是 UTF-8 编码的文本。请以 UTF-8 编码发送。"
        raise InvalidRequest(400, "bad_json", message) from exc
    except ValueError as exc:  # an integer past Python's 4,300-digit conversion limit
        message = "请求体不是有效的 JSON：其中的数字位数过多。number 和 name 应为字符串。"
        raise InvalidRequest(400, "bad_json", message) from exc


class DuplicateKey(ValueError):
    """A JSON object naming one key twice: which one counts is the parser's choice (the last,
    here), and a proxy that read the first saw another request than the one checked."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _one_of_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object with each key once (`DuplicateKey`): built by ``dict`` in C, the keys counted
    only when there are fewer than the pairs (a Python loop over every object cost 3% of an
    API check)."""
    found = dict(pairs)
    if len(found) < len(pairs):
        counts = Counter(key for key, _ in pairs)
        raise DuplicateKey(next(key for key, n in counts.items() if n > 1))
    return found


_DECODER = json.JSONDecoder(object_pairs_hook=_one_of_each)


def _undecodable(body: bytes, exc: json.JSONDecodeError) -> str:
    """Where the JSON broke, for a client to find: line and column as numbers."""
    if not body.strip():
        return "请求体不是有效的 JSON：请求体为空，应为一个 JSON 对象。"
    return (
        f"请求体不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列格式有误。"
        "请检查该处的引号、逗号和括号。"
    )


MAX_FIELDS = 32
"""The most fields an object of a body may have — the API's and a client's own beside them: a
body of 80,000 near misses (nxxxxxx) took 130 ms of the event loop to look each up, and a
client refused for its rate could hold every other check up to two seconds (a security
review)."""


def few_fields(body: dict[str, Any], where: str) -> None:
    """A 422 for an object with more than `MAX_FIELDS` fields, before any is looked at."""
    if len(body) > MAX_FIELDS:
        message = f"{where}有 {len(body)} 个字段，最多 {MAX_FIELDS} 个：请只发送需要的字段"
        raise InvalidRequest(422, "invalid", message)


def misspelt(body: object, known: tuple[str, ...], where: str) -> None:
    """A 422 naming the field meant when a key is not one of ``known`` but nearly is
    (`verify_app.near_fields`: ``recipt``, ``Number``, ``item``): ignored, it cost a check
    answered without the receipt or the field asked for, and nothing said why. Other keys are
    still ignored, so HR systems may send their own fields beside each item (``dname``,
    ``ename``); every one is looked at, as many as the body's size limit lets it hold."""
    if not isinstance(body, dict):
        return
    few_fields(body, where)
    for key in body:
        if key not in known and (meant := nearest(key, known)):
            message = f"{where}的字段{_shown(key)}不认识：是否应为 {meant}？"
            raise InvalidRequest(422, "invalid", message)


def flag(body: dict[str, Any], name: str) -> bool:
    """An optional boolean field: absent or null is false (generated clients send null for an
    unset field), anything but true/false is a 422."""
    value = body.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidRequest(422, "invalid", f"{name} 应为 true 或 false")
    return value


def _shown(key: str) -> str:
    """A client's key as a message quotes it; one UTF-8 cannot carry (a lone surrogate, which
    JSON's ``\\ud800`` can spell) is described instead: the answer must still encode."""
    return f"“{key}”" if _encodable(key) else "（含无效 Unicode 字符）"


def _encodable(text: str) -> bool:
    """False for strings JSON can carry but UTF-8 cannot (lone surrogates such as ``\\ud800``)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _typed(value: object, where: str) -> dict[str, str]:
    """The optional ``confirm`` object: what the paper shows, field by field (strings; the 补发
    mark also as true/false)."""
    if not isinstance(value, dict):
        raise InvalidRequest(
            422, "invalid", f'{where}的 confirm 应为对象，如 {{"level": "中级工"}}'
        )
    typed = {}
    misspelt(value, tuple(CONFIRMABLE), f"{where}的 confirm 中")  # levle: is level meant?
    for field, text in value.items():
        if text is None and field in CONFIRMABLE:  # a generated client's unset field
            continue
        if field not in CONFIRMABLE:
            # The key is the client's own text: a lone surrogate in it cannot go out as UTF-8.
            unknown = field if _encodable(field) else "含无效 Unicode 字符（孤立代理项）的字段"
            raise InvalidRequest(
                422,
                "invalid",
                f"{where}的 confirm 只能有 {'、'.join(CONFIRMABLE)}，不能有 {unknown}",
            )
        if field == "reissue_mark" and isinstance(text, bool):
            text = "是" if text else "否"
        if not isinstance(text, str) or not _encodable(text) or len(text) > MAX_CONFIRM_CHARS:
            raise InvalidRequest(
                422,
                "invalid",
                f"{where}的 confirm.{field} 应为不超过 {MAX_CONFIRM_CHARS} 个字符的字符串"
                + ("（或 true/false）" if field == "reissue_mark" else ""),
            )
        typed[field] = text
    error = unreadable(typed)
    if error:
        raise InvalidRequest(422, "invalid", f"{where}：{error}")
    return typed


def item(value: object, where: str, *, confirms: bool = True) -> Item:
    """One check of a request: its number, name and (``confirms``) what its paper shows."""
    if not isinstance(value, dict):
        raise InvalidRequest(422, "invalid", f'{where}应为对象 {{"number": …, "name": …}}')
    misspelt(value, ("number", "name", "confirm") if confirms else ("number", "name"), where)
    number, name = value.get("number"), value.get("name")
    if not isinstance(number, str) or not isinstance(name, str):
        raise InvalidRequest(422, "invalid", f"{where}需要字符串字段 number 和 name")
    if not (_encodable(number) and _encodable(name)):
        raise InvalidRequest(422, "invalid", f"{where}含有无效的 Unicode 字符（孤立代理项）")
    if long := too_long(number, name):  # named: a name of 51 was told both limits
        limits = {"number": (number, MAX_NUMBER_CHARS), "name": (name, MAX_NAME_CHARS)}
        said = "，".join(
            f"{field} 最多 {limits[field][1]} 个字符，现有 {len(limits[field][0])} 个"
            for field in long
        )
        raise InvalidRequest(422, "invalid", f"{where}：{said}")
    confirm = value.get("confirm")  # null: not given, as generated clients send it
    typed = _typed(confirm, where) if confirm is not None else {}
    return Item(number, name, typed)


def batch_items(body: Any, *others: str, confirms: bool = True) -> list[Item]:
    """The ``items`` of a batch (or watch list) body, each checked like a single request;
    ``others``: the body's other fields (`misspelt`); ``confirms``: whether an item may ask to
    confirm what its paper shows (a watch list follows status only)."""
    misspelt(body, ("items", *others), "请求体")
    items = body.get("items") if isinstance(body, dict) else None
    if isinstance(items, list) and not items:
        raise InvalidRequest(422, "invalid", "items 是空的：请至少列出一条证书编号和姓名")
    if not isinstance(items, list):
        raise InvalidRequest(422, "invalid", '请求体应为 {"items": [{"number": …, "name": …}, …]}')
    if len(items) > MAX_ITEMS:
        raise InvalidRequest(422, "too_many", f"一次最多 {MAX_ITEMS} 条，本次 {len(items)} 条")
    checks, problems, rows = [], [], []
    for i, value in enumerate(items):
        where = f"第 {i + 1} 项（items[{i}]）"  # as rows counts
        try:
            if isinstance(value, dict):
                few_fields(value, where)
            if receipt := _asked(value, ("receipt", "receipts")):
                # else ignored, as an HR system's own fields are: answered without a receipt
                message = (
                    f'{where}的字段{receipt}：批量查验的回执在请求体的最外层用 "receipts": true 要求'
                    if confirms
                    else f"{where}的字段{receipt}：关注列表不签发回执；"
                    "回执请在 /api/v1/verify 或 /api/v1/verify/batch 要求"
                )
                raise InvalidRequest(422, "invalid", message)
            if not confirms and (asked := _asked(value, ("confirm",))):
                # else ignored: the client took the watch list for a check of its paper
                message = (
                    f"{where}的字段{asked}：关注列表只跟踪证书状态，不核对证书上的内容；"
                    "confirm 请用于 /api/v1/verify 或 /api/v1/verify/batch"
                )
                raise InvalidRequest(422, "invalid", message)
            checks.append(item(value, where, confirms=confirms))
        except InvalidRequest as exc:
            problems.append(exc.message)
            rows.append(i + 1)
    if problems:
        message = listed(problems, "项", "请改正后重新提交。")
        raise InvalidRequest(422, "invalid", message, rows)
    return checks


def _asked(value: object, fields: tuple[str, ...]) -> str | None:
    """The key an item asks with for one of ``fields`` it cannot have — the field or a near
    spelling of it (``reciept`` passed, and the batch was answered without receipts; a watch
    item's ``Confirm`` was ignored, its paper taken for checked) — as a message names it; None
    for an item that does not."""
    if not isinstance(value, dict):
        return None
    return next((_shown(key) for key in value if nearest(key, fields)), None)  # exact: near too


def report_fields(body: Any) -> tuple[str, str, str]:
    """(ticket, contact, text) of a report's body: the ticket an answer carried, and what the
    employer adds — how to reach them (optional) and what they saw."""
    misspelt(body, ("ticket", "contact", "text"), "请求体")
    if not isinstance(body, dict):
        raise InvalidRequest(422, "invalid", '请求体应为 {"ticket": …, "text": …}')
    given = {name: body.get(name) for name in ("ticket", "contact", "text")}
    fields = {name: "" if value is None else value for name, value in given.items()}
    wrong = [name for name, value in fields.items() if not isinstance(value, str)]
    if wrong or not fields["ticket"]:
        message = "ticket（查验回答中的 report_ticket）和 text 应为字符串，contact 可省略"
        raise InvalidRequest(422, "invalid", message)
    if not all(_encodable(value) for value in fields.values()):
        raise InvalidRequest(422, "invalid", "请求体含有无效的 Unicode 字符（孤立代理项）")
    return fields["ticket"], fields["contact"], fields["text"]
