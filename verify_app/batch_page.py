"""The batch upload page (SPEC §7, batch checks): the allowance before an upload, the file's
rows checked through `verify_app.uploads`, and the results — each row's answer in the file's
order, with the results file to download."""

from __future__ import annotations

import base64
import re
from collections import Counter
from pathlib import PurePath
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from registry.domain.statuses import MALFORMED, VALID
from registry.domain.text import ZERO_WIDTH, drop_invisible, visible
from registry.public.confirm import CONFIRMABLE
from registry.public.lookup import NOT_CHECKED
from verify_app.answers import Checked
from verify_app.batch_checks import checked_upload
from verify_app.batch_columns import BatchFileProblem
from verify_app.batch_files import BatchFile
from verify_app.batch_notes import NOTE_ADVICE
from verify_app.batch_results import (
    PAPER_DIFFERS,
    export_row,
    result_columns,
    unchecked_row,
    write_csv,
)
from verify_app.batch_retries import new_form_id
from verify_app.context import client_of, form_caller_of, verifier_of
from verify_app.csrf import CsrfRejected
from verify_app.forms import checked_form, kept_for_back, render, typed_back
from verify_app.presentation import shown_now, shown_time
from verify_app.refusals import OverAllowance, RateLimited
from verify_app.report_tickets import report_ticket
from verify_app.uploads import UploadsBusy
from verify_app.watch_paste import joined_pairs


def _batch_context(request: Request, **context: Any) -> dict[str, Any]:
    """What the batch page says before an upload: the allowance, and how much of it is left."""
    quotas = verifier_of(request).quotas
    caller = form_caller_of(request)
    key = caller.key
    per_hour = quotas.batch_rows_per_hour if key is None else 0
    left = quotas.batch_left(client_of(request)) if key is None else quotas.key_left(key)
    return {
        "max_items": quotas.file_rows(caller),
        "max_kb": verifier_of(request).settings.max_body_bytes // 1024,
        "per_hour": per_hour,
        "left": left,
        "key": key,
        "invalid": (),
        "form_id": new_form_id(),
        **context,
    }


MAX_KEPT_CHARS = 20_000
"""The longest pasted list a refusal gives back in the box (HTML-escaped, quotes grow fivefold):
a list of 500 rows is a few thousand characters."""
PASTED = "粘贴的名单.txt"
"""The name a list pasted into the form is read and shown under (an officer on a phone has the
list in a chat, not in a file)."""


def _kept(pasted: str) -> str:
    """A pasted list to give back in the box with a refusal, unless too long to (escaped, a
    megabyte was five)."""
    return pasted if len(pasted) <= MAX_KEPT_CHARS else ""


FORM_EXPIRED = "表单已失效（页面停留过久，或网站更换了密钥），名单没有查验。"
KEPT = "已保留您粘贴的名单，请再次点“上传并查验”；上传的文件请重新选择。"
NOT_KEPT = "请重新粘贴名单或选择文件，再点“上传并查验”。"


def batch_form(request: Request) -> Response:
    return render(request, "batch.html", _batch_context(request))


async def batch(request: Request) -> Response:
    """An uploaded file's rows checked and shown; the parse goes through `verify_app.uploads`."""
    verifier = verifier_of(request)
    caller = form_caller_of(request)  # an HR system's key pays from its day, as on the API
    pasted = filename = form_id = ""
    from_box = False  # the list typed into the box, not a file of whatever name
    try:
        async with checked_form(request) as fields:
            upload = fields.get("file")
            pasted = str(fields.get("entries") or "")
            form_id = str(fields.get("form_id") or "")
            if isinstance(upload, UploadFile) and upload.filename:
                filename, data = upload.filename, await upload.read()
            elif pasted.strip():  # read as a text file is: a table's columns by its header
                filename, data = PASTED, joined_pairs(pasted).encode()
                from_box = True
            else:
                raise BatchFileProblem(
                    "请选择要上传的文件（.xlsx、.xls、.ods、.csv 或 .txt），或把名单粘贴到文本框中。"
                )
        parsed, answers = await checked_upload(request, caller, form_id, filename, data, from_box)
    except CsrfRejected as exc:  # a token of another cookie (the secret changed): the list kept
        kept = _kept(typed_back(request, exc).get("entries", ""))  # no cookie at all: go Back
        said = FORM_EXPIRED + (KEPT if kept else NOT_KEPT)  # a file, or a list past the box
        context = _batch_context(request, error=said, entries=kept)
        return render(request, "batch.html", context, 403)
    except BatchFileProblem as exc:  # the file's (or the list's) fault; a pasted list kept
        said = str(exc).replace("上传", "提交") if filename == PASTED else str(exc)
        # the field at fault marked for a screen reader, not the box left alone beside it
        invalid = {"": ("file", "entries"), PASTED: ("entries",)}.get(filename, ("file",))
        context = _batch_context(request, error=said, invalid=invalid, entries=_kept(pasted))
        return render(request, "batch.html", context, 400)
    except UploadsBusy as exc:
        context = _batch_context(request, error=exc.message, entries=_kept(pasted))
        response = render(request, "batch.html", context, status_code=503)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except (RateLimited, OverAllowance) as exc:  # the form again: a pasted list is not lost
        said = f"{exc.title}：{exc.message}" if exc.title else exc.message  # 额度不够 said in it
        if numbers := getattr(exc, "numbers", ()):  # whom to ask about a paused number
            said += verifier.contacts.text_for(numbers[0])
        context = _batch_context(request, error=said, entries=_kept(pasted))
        response = render(request, "batch.html", context, 422)
        if isinstance(exc, RateLimited):
            response.status_code = 429
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    # a pasted list stays in the box under its results: one line to correct, not all to paste
    entries = _kept(pasted) if filename == PASTED else ""
    # up to 5,000 rows of results, a CSV of them and a page: off the event loop, where they
    # held every other request for a third of a second
    return await run_in_threadpool(_batch_results, request, parsed, answers, filename, entries)


def _batch_results(
    request: Request, parsed: BatchFile, answers: list[Checked], filename: str, entries: str
) -> Response:
    """The results page of an upload: each row's answer in the file's order, unchecked rows in
    place, and the results file to download."""
    verifier = verifier_of(request)
    lines = [
        (
            r.row,
            r.cells,
            export_row(
                r.row,
                a,
                verifier.contacts.text_for(a.answer.number) if a.wants_contact else None,
                r.unread,
            )
            | _typed(r.item.name)
            | ({REPORT: report_ticket(request, a, None)} if a.reportable else {}),
        )
        for r, a in zip(parsed.rows, answers, strict=True)
    ]
    refusals = {row: (code, number) for row, code, number in parsed.refused}
    lines += [
        (row, cells, unchecked_row(row, why, *refusals.get(row, ("", ""))) | _typed(name))
        for row, cells, why, name in parsed.unchecked
    ]
    lines.sort(key=lambda line: line[0])  # the file's order, its unchecked rows in place
    results = [result for _, _, result in lines]
    export = write_csv(parsed.header, [cells for _, cells, _ in lines], results, parsed.confirms)
    shown, hidden = _on_page(results)
    # the people left unchecked, not the notes of the list (its title, 合计, 制表人)
    unchecked = sum(note[2] != NOTE_ADVICE for note in parsed.unchecked)
    context = _batch_context(
        request,
        results=shown,
        counted=len(answers) + unchecked,  # as the summary counts: 2 people, 制表人, 合计 were 4
        unchecked_hidden=hidden,
        columns=_page_columns(result_columns(parsed.confirms)),
        follow_up=[
            r for r in shown if r["result"] and (r["result"] != VALID or r.get(PAPER_DIFFERS))
        ],
        export_href=csv_link(export),
        export_name=f"{_stem(filename)}-查验结果.csv",
        filename=visible(filename),  # a\u202evsc.exe.csv shown reversed as a…exe
        pasted=filename == PASTED,  # not 文件：粘贴的名单.txt (a phone review)
        summary=_summary(answers, unchecked),
        set_aside=parsed.set_aside,
        read_as_paper=[
            (title, PRINTED.get(field, CONFIRMABLE[field]))
            for field, title in zip(parsed.confirms, parsed.confirm_titles, strict=True)
        ],
        as_of=shown_time(answers[0].answer.as_of),
        checked_at=shown_now(verifier.now()),
        entries=entries,
    )
    return kept_for_back(render(request, "batch.html", context))


PRINTED = {"reissue_mark": "“补发”字样"}
"""A confirmable field as "证书上印的…" names it, where its label does not read so."""
TYPED_NAME = "typed_name"
"""A row's name as the file gives it: on the page, the row is the officer's applicant by it."""
REPORT = "report_ticket"
"""A row a forgery may be reported from: the ticket its 报告 button opens the form with (the
page's only, as the single check's result page carries one)."""


def _typed(name: str) -> dict[str, str]:
    """A row's name as typed, for the page only (the file has it): a zero-width space a chat
    pasted with it shown as nothing, as it is (a phone review read <U+200B>陈静), an override as
    code. A row not checked shows it too: the employer's own, it tells the person to ask for the
    number (a review read 所填姓名 blank beside 此行证书编号为空)."""
    return {TYPED_NAME: visible(ZERO_WIDTH.sub("", name))}


def _page_columns(columns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The result columns the page shows, the name as typed after the number: 未查到 and
    编号格式错误 rows showed only a row and a number, to match against the file by hand."""
    at = next(i for i, (key, _) in enumerate(columns) if key == "number") + 1
    return [*columns[:at], (TYPED_NAME, "所填姓名"), *columns[at:]]


def _summary(answers: list[Checked], unchecked: int) -> list[tuple[str, int]]:
    """How many rows got each result, in the order the file first shows them — 有效 280, 未查到 4
    — so that 300 rows need not be read to find the few to follow up. A malformed number's row
    says why in its own line, not the summary: each way of mistyping one was a line of its own
    (编号格式错误：第1位“X”不是等级代码（J 技师、G 高级工…） 1 行, a phone review)."""
    counts = Counter(
        answer.answer.label if answer.answer.result == MALFORMED else answer.label
        for answer in answers
    )
    if unchecked:
        counts[NOT_CHECKED] += unchecked
    return list(counts.items())


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def _stem(filename: str) -> str:
    """The uploaded file's name without its suffix, safe as a downloaded file's: the results of
    名单.xlsx are 名单-查验结果.csv, beside it in the officer's downloads."""
    stem = PurePath(filename.replace("\\", "/")).stem
    # nor a bidi control, which would show -查验结果.csv reversed (a\u202egpj.exe)
    stem = _UNSAFE.sub("", drop_invisible(stem))
    stem = stem.strip(" .")
    return stem[:60] or "批量查验"


SHOWN_UNCHECKED = 20
"""Rows without anything to check listed on the page (all are in the results file): a file of
thousands of such rows made a page of megabytes."""


def _on_page(results: list[dict[str, str]]) -> tuple[list[dict[str, str]], int]:
    """The rows the page lists — every checked one, the first `SHOWN_UNCHECKED` of the rest —
    and how many it leaves out."""
    shown, unchecked = [], 0
    for result in results:
        if not result["result"]:  # nothing to check (`unchecked_row`)
            unchecked += 1
            if unchecked > SHOWN_UNCHECKED:
                continue
        shown.append(result)
    return shown, max(unchecked - SHOWN_UNCHECKED, 0)


def csv_link(text: str) -> str:
    """The results file as a ``data:`` link the page offers for download: made with the answers,
    it needs no second request — and no token that would carry the uploaded names and ID numbers
    back and forth (a name never goes into a token)."""
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(text.encode()).decode()
