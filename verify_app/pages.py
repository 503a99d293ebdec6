"""The pages employers use (SPEC §7): the form, the result, the receipt, the batch upload.

Chinese, readable on a phone, no JavaScript. Every form POST carries a CSRF token; every check
goes through the `Verifier` (rate limit, log, the shared lookup).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl

from itsdangerous import BadData, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from registry.public.lookup import Verification
from verify_app.batch_files import (
    EXPORT_COLUMNS,
    MAX_ITEMS,
    BatchFileProblem,
    export_row,
    read_batch,
    write_csv,
)
from verify_app.csrf import CsrfTokens
from verify_app.presentation import (
    NUMBER_PARTS,
    REGION_LIST,
    beijing_time,
    qr_svg,
    route_path,
)
from verify_app.receipts import ExpiredReceipt, ForgedReceipt
from verify_app.service import MAX_NAME_CHARS, MAX_NUMBER_CHARS, Verifier

EXPORT_MAX_AGE = 86_400
MAX_FIELDS = 10
"""More than any of the forms has."""


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


async def _urlencoded_form(request: Request) -> FormData:
    """A form without a file, as browsers send it, parsed by the standard library.

    Same decoding as Starlette's parser (percent escapes as UTF-8, ``+`` as a space, blank
    values kept), at a tenth of the cost: python-multipart's streaming parser, made for
    uploads, took a seventh of the result page's time. The body is already bounded by
    `BodyLimitMiddleware`."""
    body = await request.body()
    try:
        fields = parse_qsl(
            body.decode("latin-1"), keep_blank_values=True, max_num_fields=MAX_FIELDS
        )
    except ValueError as exc:  # more fields than any of our forms has
        raise HTTPException(400, f"表单字段过多（最多 {MAX_FIELDS} 个）") from exc
    return FormData([(key, value) for key, value in fields])


def client_of(request: Request) -> str:
    """The peer address; behind a trusted proxy, already rewritten from X-Forwarded-For."""
    return request.client.host if request.client else "unknown"


class Pages:
    def __init__(self, verifier: Verifier, templates: Jinja2Templates, csrf: CsrfTokens) -> None:
        self.verifier = verifier
        self.templates = templates
        self.csrf = csrf
        self._exports = URLSafeTimedSerializer(
            str(verifier.settings.secret), salt="certreg-batch-export"
        )

    def render(
        self, request: Request, template: str, context: dict[str, Any], status_code: int = 200
    ) -> Response:
        context = {"csrf_token": self.csrf.token_for(request), **context}
        response = self.templates.TemplateResponse(
            request, template, context, status_code=status_code
        )
        self.csrf.set_cookie(request, response)
        return response

    def receipt_url(self, request: Request, token: str) -> str:
        base = self.verifier.settings.public_url
        if base:
            return f"{base.rstrip('/')}/r/{token}"
        return str(request.url_for("receipt", token=token))

    def _result_context(self, answer: Verification) -> dict[str, Any]:
        return {
            "check": answer,
            "as_of": beijing_time(answer.as_of),
            "stale": self.verifier.is_stale(answer.as_of),
            "stale_days": self.verifier.settings.stale_days,
        }

    def form(self, request: Request) -> Response:
        return self.render(request, "index.html", {"parts": NUMBER_PARTS, "regions": REGION_LIST})

    @asynccontextmanager
    async def _checked_form(self, request: Request) -> AsyncIterator[FormData]:
        """The POSTed form after its CSRF check; uploaded files are closed on the way out."""
        if _media_type(request) == "application/x-www-form-urlencoded":
            form = await _urlencoded_form(request)
        else:
            form = await request.form(max_files=1, max_fields=MAX_FIELDS)
        try:
            self.csrf.check(request, form)
            yield form
        finally:
            await form.close()

    async def check(self, request: Request) -> Response:
        async with self._checked_form(request) as form:
            number, name = str(form.get("number") or ""), str(form.get("name") or "")
        if len(number) > MAX_NUMBER_CHARS or len(name) > MAX_NAME_CHARS:
            return self.render(
                request,
                "index.html",
                {
                    "parts": NUMBER_PARTS,
                    "regions": REGION_LIST,
                    "error": f"证书编号最多 {MAX_NUMBER_CHARS} 个字符，姓名最多 {MAX_NAME_CHARS} 个字符。",
                },
                status_code=400,
            )
        client = client_of(request)
        answer = await self.verifier.check_soon(client, number, name, "page")
        token = self.verifier.issue_receipt(answer, name)
        context = self._result_context(answer)
        if token:
            context.update(
                receipt_url=self.receipt_url(request, token), qr_url=self._qr_url(request, token)
            )
        return self.render(request, "result.html", context)

    def _qr_url(self, request: Request, token: str) -> str:
        return route_path(request, "receipt_qr", token=token)

    def receipt_qr(self, request: Request) -> Response:
        """The QR code of a receipt's link, for the ``<img>`` of the result and receipt pages."""
        token = request.path_params["token"]
        try:
            self.verifier.receipts.open(token)
        except ExpiredReceipt:
            return Response("回执已过期", status_code=410, media_type="text/plain; charset=utf-8")
        except ForgedReceipt:
            return Response("回执无效", status_code=400, media_type="text/plain; charset=utf-8")
        svg = qr_svg(self.receipt_url(request, token))
        return Response(svg, media_type="image/svg+xml")

    def receipt(self, request: Request) -> Response:
        """A plain ``def``: the sqlite lookup runs in Starlette's thread pool."""
        token = request.path_params["token"]
        try:
            receipt = self.verifier.receipts.open(token)
        except ExpiredReceipt:
            return self.render(
                request,
                "error.html",
                {
                    "title": "回执已过期",
                    "message": f"此查验回执已超过 {self.verifier.settings.receipt_days} 天有效期。请在首页重新查验。",
                },
                status_code=410,
            )
        except ForgedReceipt:
            return self.render(
                request,
                "error.html",
                {
                    "title": "回执无效",
                    "message": "此回执链接不完整或被改动过，不是本系统签发的回执。请核对链接，或在首页重新查验。",
                },
                status_code=400,
            )
        answer = self.verifier.recheck(client_of(request), receipt)
        url = self.receipt_url(request, token)
        context = self._result_context(answer)
        context.update(
            checked_at=beijing_time(receipt.checked_at),
            receipt_url=url,
            qr_url=self._qr_url(request, token),
        )
        return self.render(request, "receipt.html", context)

    def batch_form(self, request: Request) -> Response:
        return self.render(request, "batch.html", {"max_items": MAX_ITEMS})

    async def batch(self, request: Request) -> Response:
        try:
            async with self._checked_form(request) as form:
                upload = form.get("file")
                if not isinstance(upload, UploadFile) or not upload.filename:
                    raise BatchFileProblem("请选择要上传的 .xlsx 或 .csv 文件")
                rows = read_batch(upload.filename, await upload.read())
        except BatchFileProblem as exc:
            return self.render(
                request, "batch.html", {"max_items": MAX_ITEMS, "error": str(exc)}, status_code=400
            )
        answers = await run_in_threadpool(
            self.verifier.check_many, client_of(request), [r.item for r in rows], "batch"
        )
        results = [export_row(r.row, a) for r, a in zip(rows, answers, strict=True)]
        return self.render(
            request,
            "batch.html",
            {
                "max_items": MAX_ITEMS,
                "results": results,
                "columns": EXPORT_COLUMNS,
                "export": self._exports.dumps(results),
                "as_of": beijing_time(answers[0].as_of),
            },
        )

    async def batch_export(self, request: Request) -> Response:
        async with self._checked_form(request) as form:
            export = str(form.get("export") or "")
        try:
            results = self._exports.loads(export, max_age=EXPORT_MAX_AGE)
        except BadData:
            return self.render(
                request,
                "error.html",
                {"title": "无法下载", "message": "结果已过期或不完整，请重新上传文件查验。"},
                status_code=400,
            )
        return Response(
            write_csv(results),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="certreg-results.csv"'},
        )
