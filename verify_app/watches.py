"""Watching certificates without an account (SPEC §7), as Nursys e-Notify does for nurses: an
employer lists its staff's numbers and names — each pair must match first — and gets a secret
feed URL (Atom and JSON Feed) of their later 换发, 补发 and 撤销. The URL carries no name; the
list is deleted with the same URL (``DELETE``, or the page's button).

This module makes a list, from the page's form or the API. Putting certificates on a list costs
batch rows (`verify_app.quotas`), as many as it checks; `verify_app.watch_views` serves the list
once made, where a feed read costs one check, like opening a receipt.
"""

from __future__ import annotations

import sqlite3

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from registry.domain.numbers import normalise
from registry.public.name_faults import EMPTY_NAME
from verify_app.answers import Checked, Item
from verify_app.api import allowance_headers
from verify_app.api_bodies import batch_items, json_body
from verify_app.context import caller_of, client_of, verifier_of
from verify_app.csrf import CsrfRejected
from verify_app.forms import checked_form, render, typed_back
from verify_app.guess_refusals import TooManyNames
from verify_app.idempotency_keys import REPLAYED, key_of
from verify_app.json_response import JSONResponse
from verify_app.links import public_base, watch_links
from verify_app.quotas import Caller
from verify_app.refusals import OverAllowance, RateLimited
from verify_app.request_errors import InvalidRequest
from verify_app.service import Verifier
from verify_app.watch_lines import MAX_WATCH_ITEMS, Lines, WatchProblem, parse_lines
from verify_app.watch_paste import as_lines, joined_pairs
from verify_app.watch_retries import MISMATCH, RETIRED, making, retry_token, same_list
from verify_app.watch_store import Watch, create_watch, revoked_successors, stored_entries
from verify_app.watch_views import LEFT_OUT, NEW
from verify_app.watchable import refuse_unwatchable


async def _create(
    request: Request,
    caller: Caller,
    items: list[Item],
    lines: Lines | None = None,
    token: str | None = None,
    *,
    partly: bool = False,
) -> tuple[str, Watch, list[str]]:
    """Check every pair (charged as batch rows) and store the list when all of them match;
    ``lines``: the form's, to name its lines in a refusal (else 第 N 份) with those not read;
    ``token``: the list's, derived from an ``Idempotency-Key`` (`verify_app.watch_retries`);
    ``partly``: the form's, whose list is stored with the entries that match when some do —
    the others' lines returned: a list of 300 with one typo was refused whole and its rows
    charged, and the corrected one waited an hour for the allowance (a phone review)."""
    public_base(request)  # its links can be made: else a list stored that none can reach
    verifier = verifier_of(request)
    checked = await run_in_threadpool(verifier.check_many, caller, items, "watch")
    places = [f"第{number}行" for number, _ in lines.items] if lines else None
    replaced = [c.answer.number for c in checked if c.answer.matched and c.answer.successor]
    ended = await run_in_threadpool(_revoked_successors, verifier, replaced) if replaced else {}
    left_out: list[str] = []
    try:
        refuse_unwatchable(checked, places, lines.unread if lines else None, ended)
    except WatchProblem as exc:
        if not partly or not lines or lines.unread or len(exc.rows) == len(checked):
            raise
        # each pasted line left out, "r" after a revoked one's, "f" after one whose number is
        # malformed, "n" after one whose name could not be checked, "e" after one with no name:
        # its page says which was which
        left_out = [
            f"{lines.items[entry - 1][0]}{_left_out_mark(checked[entry - 1], entry in exc.revoked)}"
            for entry in exc.rows
        ]
        checked = [c for entry, c in enumerate(checked, 1) if entry not in exc.rows]
    entries = list({c.answer.number: (c.answer.number, c.name_hash) for c in checked}.values())
    created_at = verifier.now().replace(microsecond=0)
    after_sync = await run_in_threadpool(verifier.last_sync)
    token = await run_in_threadpool(
        lambda: create_watch(
            verifier.settings.log_db,
            entries,
            created_at=created_at.isoformat(),
            after_sync=after_sync,
            client=caller.client,
            key_id=caller.key.id if caller.key else None,
            keep_days=verifier.settings.watch_days,
            token=token,
        )
    )
    watch = Watch(0, created_at.isoformat(), after_sync, tuple(n for n, _ in entries))
    return token, watch, left_out


def _left_out_mark(checked: Checked, revoked: bool) -> str:
    """Why a pasted line was left out of the list, as its page reads it (`LEFT_OUT`). A name
    empty once what nobody sees is taken out (a zero-width space, a BOM) is told as empty: it
    was told 乱码 or a reordering control, while the API said 持证人姓名为空 (a review)."""
    if revoked:
        return "r"
    if checked.answer.reason == EMPTY_NAME:
        return "e"
    return {"number": "f", "name": "n"}.get(checked.answer.faulty_input or "", "")


def _revoked_successors(verifier: Verifier, numbers: list[str]) -> dict[str, tuple[str, str]]:
    with verifier.registry.connection() as conn:
        return revoked_successors(conn, numbers)


# -- pages ------------------------------------------------------------------------------


def watch_form(request: Request) -> Response:
    return _watch_form(request)


def _watch_form(
    request: Request, error: str | None = None, entries: str = "", status_code: int = 200
) -> Response:
    quotas = verifier_of(request).quotas
    context = {
        "error": error,
        "invalid": status_code in (400, 422),  # the list's fault, not an expired form or the hour
        "entries": entries,
        # a list larger than the hour's whole allowance could never be made
        "max_items": min(MAX_WATCH_ITEMS, quotas.batch_rows_per_hour or MAX_WATCH_ITEMS),
        "per_hour": quotas.batch_rows_per_hour,
        "keep_days": verifier_of(request).settings.watch_days,
        "left": quotas.batch_left(client_of(request)),
    }
    return render(request, "watch_form.html", context, status_code)


FORM_EXPIRED = "表单已失效（页面停留过久，或浏览器清除过 Cookie）。已保留您粘贴的名单，请再次点“建立关注列表”。"


async def watch_create(request: Request) -> Response:
    try:
        async with checked_form(request) as fields:
            entries = str(fields.get("entries") or "")
    except CsrfRejected as exc:
        entries = typed_back(request, exc).get("entries", "")
        return _watch_form(request, FORM_EXPIRED, entries, 403)
    try:
        lines = parse_lines(as_lines(joined_pairs(entries)))
        items = [item for _, item in lines.items]
        token, _, left_out = await _create(
            request, Caller(client_of(request)), items, lines, partly=True
        )
    except WatchProblem as exc:
        return _watch_form(request, exc.message, entries, 400)
    except TooManyNames as exc:
        return _watch_form(request, exc.message, entries, 422)
    except OverAllowance:  # the form again, with what was pasted: a list of fewer for now
        per_hour = verifier_of(request).quotas.batch_rows_per_hour
        message = (
            f"关注列表中的每份证书计入批量查验额度（每个网络地址每小时 {per_hour} 行），本次 "
            f"{len(items)} 份超过了整个额度：请先用不超过 {per_hour} 份建立一个关注列表，"
            "其余的下个小时再建立另一个列表。"
        )
        return _watch_form(request, message, entries, 422)
    except RateLimited as exc:
        response = _watch_form(request, exc.message, entries, 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    # to the list's own page (POST, redirect, GET): a reload, which phones do when a tab comes
    # back, shows the list again instead of making another one and losing the first's address
    left = f"&{LEFT_OUT}={','.join(left_out)}" if left_out else ""
    return RedirectResponse(watch_links(request, token)["watch_url"] + "?" + NEW + left, 303)


# -- API --------------------------------------------------------------------------------


async def api_create(request: Request) -> Response:
    """``POST /api/v1/watches``: ``{"items": [{"number", "name"}, …]}`` → 201 with the URLs."""
    try:
        key = key_of(request.headers)
        body = await json_body(request)
        items = batch_items(body, confirms=False)
    except InvalidRequest as exc:
        return exc.response()
    caller = caller_of(request)
    response = await _api_answer(request, caller, items, key)
    if response.status_code == 201:  # the rows it charged (or a resend's list): as a batch says
        response.headers.update(await allowance_headers(request, caller))
    return response


async def _api_answer(
    request: Request, caller: Caller, items: list[Item], key: str | None
) -> Response:
    if not key:
        return await _api_create(request, caller, items, None)
    token = retry_token(str(verifier_of(request).settings.secret), caller, key)
    async with making(token):
        return await _made_before(request, token, items) or await _api_create(
            request, caller, items, token
        )


async def _api_create(
    request: Request, caller: Caller, items: list[Item], token: str | None
) -> Response:
    try:
        token, watch, _ = await _create(request, caller, items, token=token)
    except sqlite3.IntegrityError:  # the same key's list made meanwhile, by a retry in flight
        assert token is not None
        return await _made_before(request, token, items) or _mismatch()
    except (RateLimited, OverAllowance):  # the retry in flight made it, and took the allowance
        if token and (made := await _made_before(request, token, items)):
            return made
        raise
    except WatchProblem as exc:  # checked, so charged: what is left said, as a 201 says it
        return JSONResponse(
            {"error": exc.code, "message": exc.message, "rows": exc.rows}
            | ({"revoked_rows": exc.revoked} if exc.revoked else {})
            | ({"malformed_rows": exc.malformed} if exc.malformed else {}),
            status_code=422,
            headers=await allowance_headers(request, caller),
        )
    return _created(request, token, list(watch.numbers), watch.created_at)


def _created(
    request: Request, token: str, numbers: list[str], created_at: str, *, again: bool = False
) -> JSONResponse:
    links = watch_links(request, token)
    answer = {**links, "numbers": numbers, "created_at": created_at}
    headers = {"Location": links["watch_url"]} | ({REPLAYED: "true"} if again else {})
    return JSONResponse(answer, status_code=201, headers=headers)


async def _made_before(request: Request, token: str, items: list[Item]) -> JSONResponse | None:
    """The answer the list made with this ``Idempotency-Key`` got, sent again (nothing checked
    or charged); a 422 when the key made a list of other certificates; None: not made yet."""
    verifier = verifier_of(request)
    stored = await run_in_threadpool(stored_entries, verifier.settings.log_db, token)
    if stored is None:
        return None
    if stored.deleted:
        return JSONResponse({"error": "idempotency_retired", "message": RETIRED}, status_code=422)
    if not same_list(stored.entries, items, verifier.name_hash):
        return _mismatch()
    numbers = list(dict.fromkeys(normalise(item.number) for item in items))
    return _created(request, token, numbers, stored.created_at, again=True)


def _mismatch() -> JSONResponse:
    return JSONResponse({"error": "idempotency_mismatch", "message": MISMATCH}, status_code=422)
