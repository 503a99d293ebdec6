"""The JSON API (SPEC §7): single and batch checks, number decoding, health.

Input problems are answered with 400 (not JSON, or JSON nested deeper than any request of ours)
or 422 (JSON of the wrong shape) and a message saying what is wrong — never a 500. What is
accepted is exactly what `verify_app.openapi` describes, so the schema tells clients the truth.
"""

from __future__ import annotations

import json
from difflib import get_close_matches
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from registry.domain.dates import BEIJING
from registry.domain.numbers import MalformedNumber, parse
from registry.domain.regions import PROVINCE, authority_name
from registry.public.confirm import CONFIRMABLE, unreadable
from registry.store import RegistryMismatch
from verify_app.answers import (
    MAX_CONFIRM_CHARS,
    MAX_NAME_CHARS,
    MAX_NUMBER_CHARS,
    Checked,
    Item,
    listed,
)
from verify_app.batch_files import MAX_ITEMS
from verify_app.context import caller_of, verifier_of
from verify_app.forms import media_type
from verify_app.links import public_base, receipt_url


class InvalidRequest(Exception):
    """A request body the API cannot use; ``status`` 400 (not JSON) or 422 (wrong shape);
    ``rows``: the items at fault (from 1), for a program to point at without reading the message."""

    def __init__(
        self, status: int, error: str, message: str, rows: list[int] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.rows = rows

    def response(self) -> JSONResponse:
        body: dict[str, object] = {"error": self.error, "message": self.message}
        if self.rows is not None:
            body["rows"] = self.rows
        return JSONResponse(body, status_code=self.status)


async def json_body(request: Request) -> Any:
    """The parsed body; a 415 for a body not declared as JSON, a 400 for anything that is not
    JSON we can read.

    The body is already capped by `BodyLimitMiddleware`. Nesting is bounded while parsing: the
    standard library's decoder counts its depth against the interpreter's recursion limit and
    raises ``RecursionError`` (cleanly, no stack overflow) for ``[`` × 100,000 — a request of
    ours is three levels deep. ``ValueError`` also covers undecodable bytes and integers longer
    than Python's 4,300-digit conversion limit."""
    declared = media_type(request)
    if declared != "application/json" and not declared.endswith("+json"):
        # what a cross-site HTML form can send (text/plain, form encodings) is refused: another
        # site's page cannot spend a visitor's allowance or create watch lists in their name
        message = "请求须声明 Content-Type: application/json，请求体为 JSON。"
        raise InvalidRequest(415, "unsupported_media_type", message)
    body = await request.body()
    try:
        return json.loads(body)
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


def _undecodable(body: bytes, exc: json.JSONDecodeError) -> str:
    """Where the JSON broke, for a client to find: line and column as numbers."""
    if not body.strip():
        return "请求体不是有效的 JSON：请求体为空，应为一个 JSON 对象。"
    return (
        f"请求体不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列格式有误。"
        "请检查该处的引号、逗号和括号。"
    )


def _misspelt(body: object, known: tuple[str, ...], where: str) -> None:
    """A 422 naming the field meant when a key is not one of ``known`` but nearly is, from the
    same first letter (``recipt``, ``Number``, ``item``): ignored, it cost a check answered
    without the receipt or the field asked for, and nothing said why. Other keys are still
    ignored, so HR systems may send their own fields beside each item (``dname``, ``ename``)."""
    if not isinstance(body, dict):
        return
    for key in body:
        meant = None if key in known else get_close_matches(key.lower(), known, 1, 0.75)
        if meant and meant[0][0] == key[:1].lower():
            shown = key if _encodable(key) else "（含无效 Unicode 字符）"
            message = f"{where}的字段 {shown} 不认识：是否应为 {meant[0]}？"
            raise InvalidRequest(422, "invalid", message)


def _flag(body: dict[str, Any], name: str) -> bool:
    """An optional boolean field: absent is false, anything but true/false is a 422."""
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise InvalidRequest(422, "invalid", f"{name} 应为 true 或 false")
    return value


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
    for field, text in value.items():
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


def _item(value: object, where: str) -> Item:
    if not isinstance(value, dict):
        raise InvalidRequest(422, "invalid", f'{where}应为对象 {{"number": …, "name": …}}')
    _misspelt(value, ("number", "name", "confirm"), where)
    number, name = value.get("number"), value.get("name")
    if not isinstance(number, str) or not isinstance(name, str):
        raise InvalidRequest(422, "invalid", f"{where}需要字符串字段 number 和 name")
    if not (_encodable(number) and _encodable(name)):
        raise InvalidRequest(422, "invalid", f"{where}含有无效的 Unicode 字符（孤立代理项）")
    if len(number) > MAX_NUMBER_CHARS or len(name) > MAX_NAME_CHARS:
        raise InvalidRequest(
            422,
            "invalid",
            f"{where}：number 最多 {MAX_NUMBER_CHARS} 个字符，name 最多 {MAX_NAME_CHARS} 个字符",
        )
    typed = _typed(value["confirm"], where) if "confirm" in value else {}
    return Item(number, name, typed)


def answer_json(request: Request, checked: Checked, receipt: bool) -> dict[str, object]:
    """One answer as the API gives it: the public fields, the label and the advice, the
    confirmation when asked for, the issuing authority's contact when nothing was found, and a
    receipt (with its expiry) when asked for and the certificate was found."""
    answer = checked.answer
    data = answer.as_json()
    # a paper that disagrees is not "有效" to a system that shows the label; a malformed
    # number's reason has a field of its own
    data["label"] = checked.label if checked.mismatched else answer.label
    data["advice"] = checked.advice()
    if checked.confirmation is not None:
        data["confirmation"] = checked.confirmation
    if checked.wants_contact:
        data["contact"] = verifier_of(request).contacts.as_json(answer.number)
    # Signing costs more than the lookup itself: receipts only for the clients that ask.
    issued = verifier_of(request).issue_receipt(checked) if receipt else None
    if issued:
        data["receipt_url"] = receipt_url(request, issued.token)
        data["receipt_expires"] = issued.expires.astimezone(BEIJING).isoformat()
    return data


async def verify(request: Request) -> JSONResponse:
    try:
        body = await json_body(request)
        item = _item(body, "请求体")
        _misspelt(body, ("number", "name", "confirm", "receipt"), "请求体")
        receipt = _flag(body, "receipt")
    except InvalidRequest as exc:
        return exc.response()
    if receipt:
        public_base(request)  # the receipt's link can be made: else a check charged for a 400
    caller = caller_of(request)
    checked = await verifier_of(request).check_soon(caller, item, "api")
    return JSONResponse(answer_json(request, checked, receipt))


def batch_items(body: Any, *others: str) -> list[Item]:
    """The ``items`` of a batch (or watch list) body, each checked like a single request;
    ``others``: the body's other fields (`_misspelt`)."""
    _misspelt(body, ("items", *others), "请求体")
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise InvalidRequest(422, "invalid", '请求体应为 {"items": [{"number": …, "name": …}, …]}')
    if len(items) > MAX_ITEMS:
        raise InvalidRequest(422, "too_many", f"一次最多 {MAX_ITEMS} 条，本次 {len(items)} 条")
    checks, problems, rows = [], [], []
    for i, value in enumerate(items):
        try:
            checks.append(_item(value, f"第 {i + 1} 项（items[{i}]）"))  # as rows counts
        except InvalidRequest as exc:
            problems.append(exc.message)
            rows.append(i + 1)
    if problems:
        message = listed(problems, "项", "请改正后重新提交。")
        raise InvalidRequest(422, "invalid", message, rows)
    return checks


async def verify_batch(request: Request) -> JSONResponse:
    try:
        body = await json_body(request)
        checks = batch_items(body, "receipts")
        receipts = _flag(body, "receipts")
    except InvalidRequest as exc:
        return exc.response()
    if receipts:
        public_base(request)
    caller = caller_of(request)
    answers = await run_in_threadpool(verifier_of(request).check_many, caller, checks, "batch")
    return JSONResponse({"results": [answer_json(request, a, receipts) for a in answers]})


def number(request: Request) -> JSONResponse:
    """The structure of a number (附件3): no registry data, so no rate limit or log."""
    typed = request.path_params["number"]
    try:
        parsed = parse(typed)
    except MalformedNumber as exc:
        return JSONResponse(
            {"error": "malformed", "message": str(exc), "number": typed[:MAX_NUMBER_CHARS]},
            status_code=422,
        )
    return JSONResponse(
        {
            "number": str(parsed),
            "letter": parsed.letter,
            "level": parsed.level,
            "year_code": parsed.year_code,
            "region": parsed.region,
            "region_name": parsed.region_name,
            "sequence": parsed.sequence,
            "authority": authority_name(PROVINCE if parsed.letter == "J" else parsed.region),
        }
    )


def health(request: Request) -> JSONResponse:
    verifier = verifier_of(request)
    try:
        state = verifier.state()
    except RegistryMismatch as exc:  # for monitoring: this replica cannot answer checks
        return JSONResponse({"error": "registry_unavailable", "message": str(exc)}, 503)
    return JSONResponse(
        {
            "status": "ok",
            "as_of": state.as_of,
            "certificates": state.certificates,
            "stale": verifier.is_stale(state.as_of),
        }
    )
