"""Rendering a page and reading a posted form, shared by every page handler (`verify_app.pages`,
`verify_app.reports`, `verify_app.watches`): the CSRF token goes out with each page and is
checked on each form that comes back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import Response

from verify_app.csrf import COOKIE, CsrfRejected

MAX_FIELDS = 10
"""More than any of the forms has."""

CHARSETS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "gb18030": "gb18030",
    "cp936": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
}
"""The charsets a form may declare (``Content-Type: …; charset=gbk``): UTF-8, as browsers send
a UTF-8 page's forms, and the Chinese ones a script may use (read as GB18030, their superset)."""

UNREADABLE_CHARSET = (
    "表单的字符编码无法识别。请返回首页，用浏览器重新填写后提交（表单应以 UTF-8 编码）。"
)
TOO_MANY_FIELDS = f"表单字段过多（最多 {MAX_FIELDS} 个）。请返回首页重新填写后提交。"
NOT_A_FORM = (
    "提交的不是网页表单。请返回首页，用浏览器填写后提交；"
    "程序查验请用 /api/v1/verify 接口（JSON，见 /docs）。"
)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
"""What a browser sends a form as: a body of another type (JSON, text) was read as an empty form
and told its form had expired and its text was kept."""


def _form_problem(detail: str) -> str:
    """Starlette's reason for refusing a multipart form, which is English, as a Chinese message
    saying what to do; anything not recognised is a form that cannot be read."""
    if detail == "unreadable charset":
        return UNREADABLE_CHARSET
    if detail.startswith("Too many fields"):
        return TOO_MANY_FIELDS
    if detail.startswith("Too many files"):
        return "一次只能上传一个文件。请只选择一个 .xlsx 或 .csv 文件后重新提交。"
    if "exceeded maximum size" in detail:
        return "表单中有一项内容过长。请返回首页重新填写后提交。"
    return "表单格式不正确，无法读取。请返回首页，用浏览器重新填写后提交。"


class StrictMultiPartParser(MultiPartParser):
    """Starlette's multipart parser, reading each text field strictly in ``charset``.

    Starlette reads a field that is not in the body's charset as Latin-1: a GBK name sent in a
    UTF-8 form was answered 未查到 and counted as a wrong-name guess, where the same name
    urlencoded is refused as unreadable. And it decodes by the charset's own codec, so a
    declared gb2312 refused 镕 (朱镕基), which GB18030 reads, as the urlencoded form does."""

    def __init__(self, request: Request, charset: str) -> None:
        super().__init__(request.headers, request.stream(), max_files=1, max_fields=MAX_FIELDS)
        self.charset = charset

    def on_part_end(self) -> None:
        part = self._current_part
        if part.file is not None:
            super().on_part_end()
            return
        try:
            self.items.append((part.field_name, part.data.decode(self.charset)))
        except UnicodeDecodeError as exc:
            raise MultiPartException("unreadable charset") from exc


async def _multipart_form(request: Request) -> FormData:
    """A form with an upload, its text fields read strictly in the declared charset (UTF-8
    unless a `CHARSETS` one is declared)."""
    charset = _charset(request)
    parser = StrictMultiPartParser(request, charset)
    try:
        return await parser.parse()
    except MultiPartException as exc:
        raise HTTPException(400, _form_problem(exc.message)) from exc


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """A page with the form's CSRF token (and its cookie, when the browser has none yet)."""
    state = request.app.state
    context = {"csrf_token": state.csrf.token_for(request), **context}
    response: Response = state.templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    state.csrf.set_cookie(request, response)
    return response


def kept_for_back(response: Response) -> Response:
    """``response`` (the answer to a POSTed form) kept by the officer's own browser, never a
    shared cache, so that Back from a page it links to (the new certificate, a batch row's
    number, the manual) shows it again: with no-store, Back asked to send the form again — a
    batch's upload counted again — or showed an error page."""
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def media_type(request: Request) -> str:
    """The request's declared media type, lower-case, without parameters (``; charset=…``)."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


def declared_charset(request: Request) -> str | None:
    """The ``charset`` parameter of the request's Content-Type, lower-case (``; Charset = GBK``
    as well as ``; charset=gbk``), or None; ``""`` (no charset of `CHARSETS`) when it is given
    twice, differently — parsers read one or the other (``charset=utf-8; charset=latin1`` let a
    GBK name past the check as Latin-1)."""
    declared = {
        value.strip().strip('"').lower()
        for name, _, value in (
            p.partition("=") for p in request.headers.get("content-type", "").split(";")[1:]
        )
        if name.strip().lower() == "charset"
    }
    if len(declared) > 1:
        return ""
    return declared.pop() if declared else None


def _charset(request: Request) -> str:
    """The codec a form's text is read in: UTF-8 unless a `CHARSETS` one is declared; a 400
    for any other."""
    declared = declared_charset(request)
    charset = CHARSETS.get("utf-8" if declared is None else declared)
    if charset is None:
        raise HTTPException(400, UNREADABLE_CHARSET)
    return charset


async def _urlencoded_form(request: Request) -> FormData:
    """A form without a file, as browsers send it, parsed by the standard library.

    Same decoding as Starlette's parser (percent escapes as UTF-8, ``+`` as a space, blank
    values kept), at a fraction of the cost of python-multipart's streaming parser, which is
    made for uploads (bench/RESULTS.md). The body is already bounded by `BodyLimitMiddleware`.
    A browser percent-encodes every byte outside ASCII; a script (``curl -d name=张三明``)
    may send them raw, which Starlette reads as Latin-1 — a valid certificate was then answered
    未查到. Raw bytes and percent escapes alike are read in the declared charset (UTF-8 unless
    a `CHARSETS` one is declared), and refused when they are not: a GBK name read as UTF-8
    with replacement characters was answered 未查到 too."""
    charset = _charset(request)
    body = await request.body()
    try:
        fields = parse_qsl(
            body.decode(charset),
            keep_blank_values=True,
            max_num_fields=MAX_FIELDS,
            encoding=charset,
            errors="strict",
        )
    except UnicodeDecodeError as exc:
        raise HTTPException(400, UNREADABLE_CHARSET) from exc
    except ValueError as exc:  # more fields than any of our forms has
        raise HTTPException(400, TOO_MANY_FIELDS) from exc
    return FormData([(key, value) for key, value in fields])


def typed_back(request: Request, exc: CsrfRejected) -> dict[str, str]:
    """What a form that failed its CSRF check held, to give back with the form — only to a
    browser that had the form from us (its cookie came along). Another site's POST is refused
    as it came (``exc`` again): no form of ours filled in with text of its choosing."""
    if COOKIE not in request.cookies:
        raise exc
    return exc.typed


FILE_FIELD = "file"
"""The one field a form may send a file in: the batch check's upload."""


@asynccontextmanager
async def checked_form(request: Request) -> AsyncIterator[FormData]:
    """The POSTed form after its CSRF check; uploaded files are closed on the way out."""
    if media_type(request) not in FORM_TYPES:
        raise HTTPException(415, NOT_A_FORM)
    if media_type(request) == "application/x-www-form-urlencoded":
        form = await _urlencoded_form(request)
    else:
        form = await _multipart_form(request)
    try:
        try:
            request.app.state.csrf.check(request, form)
        except CsrfRejected as exc:
            exc.typed = {key: value for key, value in form.items() if isinstance(value, str)}
            raise
        if any(k != FILE_FIELD and not isinstance(v, str) for k, v in form.multi_items()):
            # a file where text belongs was read as Python's description of it (UploadFile(…)),
            # stored as a report's text and shown back in the form
            raise HTTPException(
                400, "表单中有一项应填写文字，提交的却是文件：请在页面上重新填写后提交。"
            )
        if len(keys := [key for key, _ in form.multi_items()]) != len(set(keys)):
            # the last of two numbers was checked, where a proxy or a firewall reading the first
            # saw another request — as the JSON API refuses a key given twice (a hostile review)
            raise HTTPException(400, "表单中有一项提交了不止一次：请在页面上重新填写后提交。")
        yield form
    finally:
        await form.close()
