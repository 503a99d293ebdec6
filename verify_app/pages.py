"""The pages employers use (SPEC §7): the form, the result, the receipt (the batch upload's:
`verify_app.batch_page`).

Chinese, readable on a phone, no JavaScript. Every form POST carries a CSRF token; every check
goes through the `Verifier` (rate limit, log, the shared lookup), reached through ``app.state``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any
from unicodedata import category
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from registry.domain.names import normalise_name
from registry.domain.numbers import normalise, number_shaped, number_within
from registry.domain.statuses import RESULT_LABELS
from registry.public.confirm import CONFIRMABLE, WITHHELD, unreadable
from registry.public.lookup import Verification
from verify_app.answers import (
    MATCHED_LABELS,
    MAX_CONFIRM_CHARS,
    MAX_NAME_CHARS,
    MAX_NUMBER_CHARS,
    Checked,
    Item,
    too_long,
)
from verify_app.context import client_of, verifier_of
from verify_app.csrf import COOKIE, LIFETIME, CsrfRejected
from verify_app.forms import checked_form, kept_for_back, render
from verify_app.links import public_base, receipt_url, route_path, token_path
from verify_app.presentation import NUMBER_PARTS, REGION_LIST, qr_svg, shown_now, shown_time
from verify_app.quotas import Caller
from verify_app.receipts import ExpiredReceipt, ForgedReceipt
from verify_app.refusals import RateLimited
from verify_app.report_tickets import report_ticket

PASTED_CHARS = 200
"""The most the form's number field takes (its ``maxlength``): a chat's message pasted whole,
read for the number in it (`registry.domain.numbers.number_within`); a check takes 40."""
TYPED_FIELDS = ("number", "name", *CONFIRMABLE)
"""What the check form carries besides its token: number, name, and what the paper shows."""


def _result_context(request: Request, answer: Verification, wants_contact: bool) -> dict[str, Any]:
    verifier = verifier_of(request)
    context: dict[str, Any] = {
        "check": answer,
        "advice": answer.advice(),
        "as_of": shown_time(answer.as_of),
        "checked_at": shown_now(verifier.now()),
        "stale": verifier.is_stale(answer.as_of),
        "stale_days": verifier.settings.stale_days,
    }
    if answer.successor:
        context["successor_url"] = (
            route_path(request, "form") + "?" + urlencode({"number": answer.successor})
        )
    if wants_contact:
        contact = context["contact"] = verifier.contacts.for_number(answer.number)
        context["fallback"] = verifier.contacts.fallback_for(contact)  # a city's phone unknown
    return context


def _form_page(
    request: Request,
    error: str | None = None,
    status_code: int = 200,
    values: Mapping[str, str] | None = None,
    invalid: Collection[str] = (),
    title: str | None = None,
    prefilled: bool = False,
    found: str | None = None,
) -> Response:
    """The form; ``invalid``: the fields ``error`` is about, marked so for a screen reader (and
    tied to the message) as well as by the message's words; ``title``: what the page's title
    calls the refusal (该编号暂停查验), when not 未能查验; ``prefilled``: a number filled in by a
    link (a new certificate's), the name left to type — a phone review's officer, sent on from
    a 换发's answer, saw the number filled in and an empty name, told nothing; ``found``: the
    number filled in from the words pasted around it (`number_within`)."""
    values = dict(values or {})
    context = {
        "parts": NUMBER_PARTS,
        "regions": REGION_LIST,
        "error": error,
        "refusal": title,
        "values": values,
        "confirm_labels": CONFIRMABLE,
        "invalid": invalid,
        "prefilled": prefilled,
        "found": found,
    }
    return render(request, "index.html", context, status_code=status_code)


def form(request: Request) -> Response:
    """The form; ``?number=`` fills in a number (the link a successor number is given as). A
    name never travels in a URL, so there is no parameter for it."""
    number = request.query_params.get("number", "")[:MAX_NUMBER_CHARS]
    # the note only of a number (a link may carry any words: 已核实有效，请直接录用 shown in it)
    prefilled = number_shaped(normalise(number))
    return _form_page(request, values={"number": number}, prefilled=prefilled)


def _receipt_links(request: Request, token: str) -> dict[str, str]:
    return {
        "receipt_url": receipt_url(request, token),
        "qr_url": token_path(request, "receipt_qr", token),
    }


def check_again(request: Request) -> Response:
    """``GET /check``: the address a result page shows, bookmarked, shared or reloaded after the
    browser forgot the form — the form, to check again (an answer is never in a link)."""
    return RedirectResponse(route_path(request, "form"), status_code=303)


FORM_AGAIN = (
    "表单已失效（页面停留过久，或浏览器禁用了 Cookie）。已保留您填写的内容，请再次点“查验”。"
)
FORM_AGAIN_EMPTY = (
    "表单已失效：浏览器没有带上本网站的 Cookie（页面打开已超过"
    f" {LIFETIME // 86_400} 天，或浏览器禁用、清除了 Cookie）。"
    "请重新填写后点“查验”；如仍出现此提示，请在浏览器设置中允许本网站使用 Cookie。"
)
"""Without our cookie nothing typed is shown again (`check`): the page must not say it was."""


def _typed(value: object) -> str:
    """A form field as typed, without control characters (a NUL, a pasted line break): a form
    field is one line, and the page shows it again."""
    text = str(value or "")
    return text if text.isprintable() else "".join(c for c in text if category(c) != "Cc")


async def check(request: Request) -> Response:
    """A check from the form; a form that expired, or a check over the minute's allowance, gets
    the form back with what was typed (the error pages made the officer type it all again)."""
    try:
        async with checked_form(request) as fields:
            values = {key: _typed(fields.get(key)) for key in TYPED_FIELDS}
    except CsrfRejected as exc:
        # kept only for a browser that had the form from us (its cookie came along): another
        # site's POST must not get the form filled in with a name of its choosing, one click
        # from a check
        ours = COOKIE in request.cookies
        kept = {key: exc.typed.get(key, "") for key in TYPED_FIELDS} if ours else {}
        message = FORM_AGAIN if ours else FORM_AGAIN_EMPTY
        return _form_page(request, message, status_code=403, values=kept)
    if found := number_within(values["number"][:PASTED_CHARS]):
        # a chat's message pasted whole into the number's field: the number it holds filled
        # in, one tap from its check — it was answered 编号格式错误 with a report form, and text
        # past 40 characters was cut off by the field, the number with it (a phone review)
        return _form_page(request, values={**values, "number": found}, found=found)
    typed = {key: values[key] for key in CONFIRMABLE}
    problem = _typed_problem(values, typed)
    if problem:
        message, invalid = problem
        return _form_page(request, message, status_code=400, values=values, invalid=invalid)
    public_base(request)  # a receipt's link can be made: else a check charged for a 400
    item = Item(values["number"], values["name"], typed)
    try:
        checked = await verifier_of(request).check_soon(Caller(client_of(request)), item, "page")
    except RateLimited as exc:
        paused = ("number",) if exc.numbers else ()  # the number paused, not the whole form
        message = exc.message
        if exc.numbers:  # 请联系发证机关核实 — and whom, as a 未查到 answer names them
            message += verifier_of(request).contacts.text_for(exc.numbers[0])
        response = _form_page(request, message, 429, values, paused, exc.title)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return _result_page(request, checked, values)


def _typed_problem(
    values: dict[str, str], typed: dict[str, str]
) -> tuple[str, tuple[str, ...]] | None:
    """What is wrong with what the form sent, before anything is checked or charged, and the
    fields it is about."""
    if fields := too_long(values["number"], values["name"], typed):
        return (
            f"证书编号最多 {MAX_NUMBER_CHARS} 个字符，姓名最多 {MAX_NAME_CHARS} 个字符，"
            f"证书上的等级、工种、发证日期各最多 {MAX_CONFIRM_CHARS} 个字符。",
            fields,
        )
    if not values["number"].strip() and not normalise_name(values["name"]):
        return "请填写证书编号和证书上的持证人姓名。", ("number", "name")
    if not values["number"].strip():
        return "请填写证书编号。", ("number",)
    if not normalise_name(values["name"]):
        return "请填写证书上的持证人姓名。", ("name",)
    unread = unreadable(typed)
    if not unread:
        return None
    return f"{unread}。", tuple(field for field in typed if unreadable({field: typed[field]}))


def _result_page(request: Request, checked: Checked, values: dict[str, str]) -> Response:
    """The answer, its receipt when one is issued, the form again to correct what was typed
    (a number not found, a paper that differs), and the report form when one may be sent."""
    issued = verifier_of(request).issue_receipt(checked)
    context = _result_context(request, checked.answer, checked.wants_contact)
    context["confirmation"] = checked.confirmation
    context["confirm_labels"] = CONFIRMABLE
    # with what the paper showed: a paper that matched is not told to compare it with what the
    # registry holds, which the page withholds (a phone review), one that differs what to do
    context["advice"] = checked.advice()
    if issued:
        context.update(_receipt_links(request, issued.token))
        context["receipt_expires"] = shown_time(issued.expires)
    if not checked.answer.matched or checked.mismatched:
        context["values"] = values
    if checked.reportable:
        context["report_ticket"] = report_ticket(request, checked, issued)
    return kept_for_back(render(request, "result.html", context))


def _error_page(request: Request, title: str, message: str, status_code: int) -> Response:
    return render(request, "error.html", {"title": title, "message": message}, status_code)


def receipt_qr(request: Request) -> Response:
    """The QR code of a receipt's link, for the ``<img>`` of the result and receipt pages.

    Drawing it costs more than the check itself (about 12 ms), so it has a per-minute limit of
    its own, at the rate of checks: every result page loads one, and counting it as a check
    would halve the checks a page promises. May raise `RateLimited`."""
    token = request.path_params["token"]
    verifier = verifier_of(request)
    try:
        verifier.receipts.open(token)
    except ExpiredReceipt:
        return Response("回执已过期", status_code=410, media_type="text/plain; charset=utf-8")
    except ForgedReceipt:
        return Response("回执无效", status_code=400, media_type="text/plain; charset=utf-8")
    verifier.limiter.charge(client_of(request), counter="qr")
    return Response(qr_svg(receipt_url(request, token)), media_type="image/svg+xml")


def _after_a_link(token: str) -> int:
    """Where what a chat or a mail left after a pasted link begins (…/r/TOKEN。, “…/r/TOKEN”):
    punctuation, symbols and spaces — but a token's own ``-`` and ``_`` (URL-safe base64)."""
    end = len(token)
    while end and token[end - 1] not in "-_" and category(token[end - 1])[0] in "PSZC":
        end -= 1
    return end


def receipt(request: Request) -> Response:
    """A plain ``def``: the sqlite lookup runs in Starlette's thread pool."""
    verifier = verifier_of(request)
    token = request.path_params["token"]
    if 0 < (end := _after_a_link(token)) < len(token):  # the link as sent: was 回执无效
        return RedirectResponse(token_path(request, "receipt", token[:end]), status_code=308)
    try:
        opened = verifier.receipts.open(token)
    except ExpiredReceipt as exc:
        message = f"此查验回执已超过 {exc.days} 天有效期。请重新查验该证书。"
        again = route_path(request, "form") + "?" + urlencode({"number": exc.number})
        page = {"title": "回执已过期", "message": message, "again": again}
        return render(request, "error.html", page, 410)
    except ForgedReceipt:
        message = (
            "无法验证此回执链接，它可能在复制、转发时被截断或改动。请向出示人索取完整的链接，"
            "或在首页用证书编号和姓名重新查验。"
        )
        return _error_page(request, "回执无效", message, 400)
    if request.method == "HEAD":  # a link preview's probe: nothing to show, so no check made
        return Response(media_type="text/html; charset=utf-8")
    reopened = verifier.recheck(client_of(request), opened)
    answer = reopened.answer
    # checked_at (this page's check, which a printout heads) is now: the status shown is today's
    context = _result_context(request, answer, answer.wants_contact)
    context.update(first_checked=shown_time(opened.checked_at), **_receipt_links(request, token))
    context["first_result"] = RESULT_LABELS.get(opened.result or "")
    lifetime = verifier.receipts.lifetime(opened)
    context["receipt_expires"] = shown_time(verifier.receipts.expiry(opened.checked_at, lifetime))
    context["withheld"] = opened.withheld
    context["corrected"] = reopened.corrected
    context["confirmed"] = [MATCHED_LABELS.get(f, CONFIRMABLE[f]) for f in opened.confirmed]
    context["unconfirmed"] = [
        label
        for field, label in CONFIRMABLE.items()
        if field in WITHHELD and field not in opened.confirmed
    ]
    return render(request, "receipt.html", context)
