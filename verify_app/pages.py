"""The pages employers use (SPEC §7): the form, the result, the receipt, the batch upload.

Chinese, readable on a phone, no JavaScript. Every form POST carries a CSRF token; every check
goes through the `Verifier` (rate limit, log, the shared lookup), reached through ``app.state``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl

from itsdangerous import BadData
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from registry.public.lookup import Verification
from verify_app.batch_files import (
    EXPORT_COLUMNS,
    MAX_ITEMS,
    BatchFileProblem,
    export_row,
    write_csv,
)
from verify_app.context import client_of, verifier_of
from verify_app.links import receipt_url, route_path
from verify_app.presentation import NUMBER_PARTS, REGION_LIST, beijing_time, qr_svg
from verify_app.receipts import ExpiredReceipt, ForgedReceipt
from verify_app.service import MAX_NAME_CHARS, MAX_NUMBER_CHARS
from verify_app.uploads import UploadsBusy, read_upload

EXPORT_MAX_AGE = 86_400
MAX_FIELDS = 10
"""More than any of the forms has."""


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


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


async def _urlencoded_form(request: Request) -> FormData:
    """A form without a file, as browsers send it, parsed by the standard library.

    Same decoding as Starlette's parser (percent escapes as UTF-8, ``+`` as a space, blank
    values kept), at a fraction of the cost of python-multipart's streaming parser, which is
    made for uploads (bench/RESULTS.md). The body is already bounded by `BodyLimitMiddleware`."""
    body = await request.body()
    try:
        fields = parse_qsl(
            body.decode("latin-1"), keep_blank_values=True, max_num_fields=MAX_FIELDS
        )
    except ValueError as exc:  # more fields than any of our forms has
        raise HTTPException(400, f"表单字段过多（最多 {MAX_FIELDS} 个）") from exc
    return FormData([(key, value) for key, value in fields])


@asynccontextmanager
async def checked_form(request: Request) -> AsyncIterator[FormData]:
    """The POSTed form after its CSRF check; uploaded files are closed on the way out."""
    if _media_type(request) == "application/x-www-form-urlencoded":
        form = await _urlencoded_form(request)
    else:
        form = await request.form(max_files=1, max_fields=MAX_FIELDS)
    try:
        request.app.state.csrf.check(request, form)
        yield form
    finally:
        await form.close()


def _result_context(request: Request, answer: Verification) -> dict[str, Any]:
    verifier = verifier_of(request)
    return {
        "check": answer,
        "as_of": beijing_time(answer.as_of),
        "stale": verifier.is_stale(answer.as_of),
        "stale_days": verifier.settings.stale_days,
    }


def _form_page(request: Request, error: str | None = None, status_code: int = 200) -> Response:
    context = {"parts": NUMBER_PARTS, "regions": REGION_LIST, "error": error}
    return render(request, "index.html", context, status_code=status_code)


def form(request: Request) -> Response:
    return _form_page(request)


def _receipt_links(request: Request, token: str) -> dict[str, str]:
    return {
        "receipt_url": receipt_url(request, token),
        "qr_url": route_path(request, "receipt_qr", token=token),
    }


async def check(request: Request) -> Response:
    async with checked_form(request) as fields:
        number, name = str(fields.get("number") or ""), str(fields.get("name") or "")
    if len(number) > MAX_NUMBER_CHARS or len(name) > MAX_NAME_CHARS:
        error = f"证书编号最多 {MAX_NUMBER_CHARS} 个字符，姓名最多 {MAX_NAME_CHARS} 个字符。"
        return _form_page(request, error, status_code=400)
    verifier = verifier_of(request)
    answer = await verifier.check_soon(client_of(request), number, name, "page")
    token = verifier.issue_receipt(answer, name)
    context = _result_context(request, answer)
    if token:
        context.update(_receipt_links(request, token))
    return render(request, "result.html", context)


def _error_page(request: Request, title: str, message: str, status_code: int) -> Response:
    return render(request, "error.html", {"title": title, "message": message}, status_code)


def receipt_qr(request: Request) -> Response:
    """The QR code of a receipt's link, for the ``<img>`` of the result and receipt pages."""
    token = request.path_params["token"]
    try:
        verifier_of(request).receipts.open(token)
    except ExpiredReceipt:
        return Response("回执已过期", status_code=410, media_type="text/plain; charset=utf-8")
    except ForgedReceipt:
        return Response("回执无效", status_code=400, media_type="text/plain; charset=utf-8")
    return Response(qr_svg(receipt_url(request, token)), media_type="image/svg+xml")


def receipt(request: Request) -> Response:
    """A plain ``def``: the sqlite lookup runs in Starlette's thread pool."""
    verifier = verifier_of(request)
    token = request.path_params["token"]
    try:
        opened = verifier.receipts.open(token)
    except ExpiredReceipt:
        message = f"此查验回执已超过 {verifier.settings.receipt_days} 天有效期。请在首页重新查验。"
        return _error_page(request, "回执已过期", message, 410)
    except ForgedReceipt:
        message = "此回执链接不完整或被改动过，不是本系统签发的回执。请核对链接，或在首页重新查验。"
        return _error_page(request, "回执无效", message, 400)
    answer = verifier.recheck(client_of(request), opened)
    context = _result_context(request, answer)
    context.update(checked_at=beijing_time(opened.checked_at), **_receipt_links(request, token))
    return render(request, "receipt.html", context)


def batch_form(request: Request) -> Response:
    return render(request, "batch.html", {"max_items": MAX_ITEMS})


async def batch(request: Request) -> Response:
    """An uploaded file's rows checked and shown; the parse goes through `verify_app.uploads`."""
    verifier = verifier_of(request)
    client = client_of(request)
    try:
        async with checked_form(request) as fields:
            upload = fields.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise BatchFileProblem("请选择要上传的 .xlsx 或 .csv 文件")
            filename, data = upload.filename, await upload.read()
        rows = await read_upload(
            request.app.state.uploads, verifier.limiter, client, filename, data
        )
    except BatchFileProblem as exc:
        context = {"max_items": MAX_ITEMS, "error": str(exc)}
        return render(request, "batch.html", context, status_code=400)
    except UploadsBusy as exc:
        context = {"max_items": MAX_ITEMS, "error": exc.message}
        response = render(request, "batch.html", context, status_code=503)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    answers = await run_in_threadpool(verifier.check_many, client, [r.item for r in rows], "batch")
    results = [export_row(r.row, a) for r, a in zip(rows, answers, strict=True)]
    context = {
        "max_items": MAX_ITEMS,
        "results": results,
        "columns": EXPORT_COLUMNS,
        "export": request.app.state.exports.dumps(results),
        "as_of": beijing_time(answers[0].as_of),
    }
    return render(request, "batch.html", context)


async def batch_export(request: Request) -> Response:
    async with checked_form(request) as fields:
        export = str(fields.get("export") or "")
    try:
        results = request.app.state.exports.loads(export, max_age=EXPORT_MAX_AGE)
    except BadData:
        message = "结果已过期或不完整，请重新上传文件查验。"
        return _error_page(request, "无法下载", message, 400)
    return Response(
        write_csv(results),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="certreg-results.csv"'},
    )
