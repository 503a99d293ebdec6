"""Reports of suspected forgeries to the issuing authority (§五.(三): 伪造、变造证书的，发证机关
依法处理), sent from a check that found nothing, found a revoked certificate, could not read the
number, or found a paper that does not match what was confirmed.

The employer adds only a way to reach them (optional) and a short text; what the check found is
attached by the service itself, in a *ticket* the result page carries — signed, so a report
cannot claim a check that never happened, and holding no name nor a name's hash (a random token
of the check instead, which links its report to the report's retries): the number, the result,
the time, the mismatched fields and the receipt token when there is one.

Reports go to the ``reports`` table of ``verify_log.db`` (never public; staff read them in
Datasette and with ``certreg reports``). A report is written at once, not queued like the log:
an employer who was told "已提交" must be right.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from registry.domain.clock import BEIJING
from registry.domain.numbers import MalformedNumber, parse
from registry.domain.text import ZERO_WIDTH, typed_problem
from registry.store.db import transaction
from verify_app.answers import screened_number
from verify_app.context import client_of, verifier_of
from verify_app.csrf import CsrfRejected
from verify_app.forms import checked_form, render, typed_back
from verify_app.links import route_path
from verify_app.presentation import shown_time
from verify_app.refusals import RateLimited
from verify_app.report_tickets import open_ticket, ticket_about, ticket_number

MAX_CONTACT_CHARS = 100
MAX_TEXT_CHARS = 500
FIELD_LABELS = {"contact": "联系方式", "text": "情况说明"}


class ReportProblem(ValueError):
    """What the employer typed cannot be sent; the message (Chinese) says what to fix, and
    ``field`` which of the form's fields it is about (None: the check it reports)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Report:
    client: str
    number: str
    result: str
    checked_at: str
    name_hash: str
    mismatched: str
    receipt: str | None
    authority: str
    contact: str
    text: str


def clean_text(value: str, field: str, limit: int, *, lines: bool) -> str:
    """The typed text, stripped, tabs as spaces and without zero-width characters (pasted from
    a chat along with it); refused when too long or holding another hidden character (a bidi override would
    make the staff queue show something else than was sent)."""
    text = ZERO_WIDTH.sub("", value).replace("\r\n", "\n").replace("\t", " ").strip()
    if problem := typed_problem(text, limit, lines=lines):
        raise ReportProblem(f"{FIELD_LABELS[field]}{problem}，请改正后重新提交。", field)
    return text


def report_ref(at: str) -> str:
    """A report's number as the employer quotes it: its day in Beijing, as the page dates it,
    and six random letters and digits (20261201-7F3A9C), the same on every replica's log and on
    the registry host's."""
    day = dt.datetime.fromisoformat(at).astimezone(BEIJING).strftime("%Y%m%d")
    return f"{day}-{secrets.token_hex(3).upper()}"


def file_report(
    path: Path, report: Report, at: str, charge: Callable[[], None]
) -> tuple[str, str, bool, bool]:
    """(number, time, whether the check was reported before, whether what was typed is what is
    kept) of the report of ``report``'s check: one check, one report. The first is ``charge``d to
    the client's day and stored; a later one — the sent page reloaded, a retry, or the ticket
    (valid for a day, bound to no client) sent again with other words or from elsewhere — gets
    the first's number. Looked up and stored in one write transaction: sent five at once, the
    same ticket made five reports."""
    conn = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        with transaction(conn):
            row = conn.execute(
                "SELECT coalesce(ref, id), at, contact, text FROM reports"
                " WHERE number = ? AND checked_at = ? AND name_hash = ? ORDER BY id LIMIT 1",
                (report.number, report.checked_at, report.name_hash),
            ).fetchone()
            if row is not None:  # the first report of this check: nothing written
                typed = (row[2], row[3]) == (report.contact, report.text)
                return str(row[0]), str(row[1]), True, typed
            charge()
            ref = _insert(conn, report, at)
        return ref, at, False, True
    finally:
        conn.close()


def _insert(conn: sqlite3.Connection, report: Report, at: str) -> str:
    """Insert one report; its number (`report_ref`)."""
    ref = report_ref(at)
    conn.execute(
        "INSERT INTO reports (at, client, number, result, checked_at, name_hash, mismatched,"
        " receipt, authority, contact, text, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            at,
            report.client,
            report.number,
            report.result,
            report.checked_at,
            report.name_hash,
            report.mismatched,
            report.receipt,
            report.authority,
            report.contact,
            report.text,
            ref,
        ),
    )
    return ref


NO_TEXT = "请在“情况说明”中写明可疑之处（如：应聘者出示的证书编号查不到），再提交报告。"


@dataclass(frozen=True)
class Filed:
    """A report as stored: its number and time, the number it is about (None for what was
    no number), whether the same check was reported before (a retry, a reload: the first's
    number), and whether what was typed this time is what is kept (else the first's words)."""

    ref: str
    at: str
    number: str | None
    again: bool
    kept: bool


def entry_of(request: Request, ticket: str, contact: str, text: str) -> Report:
    """The report of the check ``ticket`` signed, with what the employer typed; `ReportProblem`
    saying what to fix when it cannot be sent."""
    details = open_ticket(request, ticket)
    if details is None:
        raise ReportProblem(
            "报告所附的查验信息已过期或不完整（须在查验后一天内提交）。请重新查验后再报告。"
        )
    contact = clean_text(contact, "contact", MAX_CONTACT_CHARS, lines=False)
    text = clean_text(text, "text", MAX_TEXT_CHARS, lines=True)
    if not text:  # a tap on the button under a result is no report: say what was seen
        raise ReportProblem(NO_TEXT, "text")
    return Report(
        client=client_of(request),
        number=screened_number(details["number"]),
        result=details["result"],
        checked_at=details["at"],
        # a ticket a version before 2026-12-04 signed (a day's: upgraded meanwhile) has no token
        name_hash=details.get("check") or str(details.get("name_hash") or ""),
        mismatched=",".join(details.get("mismatched") or []),
        receipt=details.get("receipt"),
        authority=verifier_of(request).contacts.for_number(details["number"]).code,
        contact=contact,
        text=text,
    )


class NotStored(Exception):
    """The log could not be written — locked past its wait, its disk full, damaged: the report
    is to be sent again later (503), what was typed given back."""


async def store(request: Request, entry: Report, key_id: int | None = None) -> Filed:
    """Store ``entry`` for staff, charged to its API key's day or its client's (`RateLimited`
    when spent; `NotStored` when the log cannot be written). A mistake of the code's own (an
    integrity or programming error) is raised as it is: a 500, not a 503 saying to retry
    (`verify_app.error_pages.storage_failed`)."""
    verifier = verifier_of(request)
    at = verifier.now().replace(microsecond=0).isoformat()
    try:
        ref, at, again, kept = await run_in_threadpool(
            file_report,
            verifier.settings.log_db,
            entry,
            at,
            lambda: verifier.quotas.charge_report(entry.client, key_id),
        )
    except (sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
        if type(exc) not in (sqlite3.OperationalError, sqlite3.DatabaseError):
            raise
        raise NotStored from exc
    # a number as logged; what is no number (a name typed in its place, screened) is not one
    number = entry.number if _well_formed(entry.number) else None
    return Filed(ref, at, number, again, kept)


async def report(request: Request) -> Response:
    """``POST /report``: the report form under a result (CSRF-checked), stored for staff. A
    form that expired, a report over the day's allowance: the form again with what was typed
    (and, over the allowance, whom to call instead). A ticket alone — a batch result row's
    报告 button — opens the form for its check, to be filled in."""
    try:
        async with checked_form(request) as fields:
            ticket = str(fields.get("ticket") or "")
            contact = str(fields.get("contact") or "")
            text = str(fields.get("text") or "")
            opening = "text" not in fields
    except CsrfRejected as exc:
        typed = typed_back(request, exc)
        ticket = typed.get("ticket", "")
        kept = {"report_ticket": ticket, "report_about": ticket_about(request, ticket)}
        kept |= {"contact_value": typed.get("contact", ""), "text": typed.get("text", "")}
        return render(request, "report.html", kept | {"report_error": FORM_EXPIRED}, 403)
    context: dict[str, Any] = {"report_ticket": ticket, "contact_value": contact, "text": text}
    context["report_about"] = ticket_about(request, ticket)
    if opening and open_ticket(request, ticket) is not None:
        return render(request, "report.html", context)
    try:
        entry = entry_of(request, ticket, contact, text)
    except ReportProblem as exc:
        context["report_error"] = str(exc)
        context["report_invalid"] = exc.field  # marked for a screen reader, tied to the message
        if exc.field is None:  # the check is too old (or not ours): no form that cannot succeed
            context["report_spent"] = True
            number = ticket_number(request, ticket)
            query = "?" + urlencode({"number": number}) if number else ""
            context["again"] = route_path(request, "form") + query
        return render(request, "report.html", context, 400)
    contacts = verifier_of(request).contacts
    authority = contacts.for_number(entry.number)
    try:
        filed = await store(request, entry)
    except NotStored:
        context["report_error"] = "报告暂时无法保存，请稍后再提交，或直接联系发证机关。"
        return render(request, "report.html", context, 503)
    except RateLimited as exc:
        context["report_error"] = exc.message
        context["report_spent"] = True  # no form to fill in again, only to be refused again
        context["contact"] = authority
        context["fallback"] = contacts.fallback_for(authority)
        response = render(request, "report.html", context, 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    sent = {
        "report_ref": filed.ref,
        "number": filed.number,
        "contact": authority,
        "fallback": contacts.fallback_for(authority),  # a city without a phone listed
        "again": not filed.kept,  # what was typed this time is not stored
        "sent_at": shown_time(filed.at),
    }
    return render(request, "report_sent.html", sent)


FORM_EXPIRED = "表单已失效（页面停留过久）。已保留您填写的内容，请再次点“提交报告”。"


def _well_formed(number: str) -> bool:
    try:
        parse(number)
    except MalformedNumber:
        return False
    return True
