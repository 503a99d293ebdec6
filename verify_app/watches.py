"""Watching certificates without an account (SPEC §7), as Nursys e-Notify does for nurses: an
employer lists its staff's numbers and names — each pair must match first — and gets a secret
feed URL (Atom and JSON Feed) of their later 换发, 补发 and 撤销. The URL carries no name; the
list is deleted with the same URL (``DELETE``, or the page's button).

Putting certificates on a list costs batch rows (`verify_app.quotas`), as many as it checks; a
feed read costs one check, like opening a receipt.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from verify_app.answers import Item
from verify_app.api_bodies import InvalidRequest, batch_items, json_body
from verify_app.context import caller_of, client_of, verifier_of
from verify_app.csrf import CsrfRejected
from verify_app.forms import checked_form, render, typed_back
from verify_app.guesses import TooManyNames
from verify_app.json_response import FEED_TYPE, JSONResponse
from verify_app.links import public_base, token_path, watch_links
from verify_app.presentation import shown_time
from verify_app.quotas import Caller
from verify_app.refusals import OverAllowance, RateLimited
from verify_app.watch_feeds import atom_feed, conditional, event_advice, json_feed
from verify_app.watch_lines import MAX_WATCH_ITEMS, Lines, WatchProblem, parse_lines
from verify_app.watch_store import (
    Watch,
    WatchEvent,
    create_watch,
    delete_watch,
    events_since,
    find_watch,
    followed,
)
from verify_app.watchable import refuse_unwatchable

_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")
_SUFFIXES = (".atom", ".json")


async def _create(
    request: Request, caller: Caller, items: list[Item], lines: Lines | None = None
) -> tuple[str, Watch]:
    """Check every pair (charged as batch rows) and store the list when all of them match;
    ``lines``: the form's, to name its lines in a refusal (else 第 N 份) with those not read."""
    public_base(request)  # its links can be made: else a list stored that none can reach
    verifier = verifier_of(request)
    checked = await run_in_threadpool(verifier.check_many, caller, items, "watch")
    places = [f"第{number}行" for number, _ in lines.items] if lines else None
    refuse_unwatchable(checked, places, lines.unread if lines else None)
    entries = list({c.answer.number: (c.answer.number, c.name_hash) for c in checked}.values())
    created_at = dt.datetime.fromtimestamp(verifier.clock(), dt.UTC).replace(microsecond=0)
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
        )
    )
    watch = Watch(0, created_at.isoformat(), after_sync, tuple(n for n, _ in entries))
    return token, watch


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


NEW = "new"
"""The query of the list's page right after it was made: it says so, and to save the address."""


FORM_EXPIRED = "表单已失效（页面停留过久，或浏览器清除过 Cookie）。已保留您粘贴的名单，请再次点“建立关注列表”。"


async def watch_create(request: Request) -> Response:
    try:
        async with checked_form(request) as fields:
            entries = str(fields.get("entries") or "")
    except CsrfRejected as exc:
        entries = typed_back(request, exc).get("entries", "")
        return _watch_form(request, FORM_EXPIRED, entries, 403)
    try:
        lines = parse_lines(entries)
        items = [item for _, item in lines.items]
        token, _ = await _create(request, Caller(client_of(request)), items, lines)
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
    return RedirectResponse(watch_links(request, token)["watch_url"] + "?" + NEW, 303)


def _strip(token: str) -> str:
    for suffix in _SUFFIXES:
        token = token.removesuffix(suffix)
    return token


def _watch_of(request: Request) -> tuple[str, Watch | None]:
    token = _strip(request.path_params["token"])
    if not _TOKEN.fullmatch(token):
        return token, None
    verifier = verifier_of(request)
    now = dt.datetime.fromtimestamp(verifier.clock(), dt.UTC).replace(microsecond=0)
    days = verifier.settings.watch_days
    return token, find_watch(verifier.settings.log_db, token, now=now, keep_days=days)


def _events(request: Request, watch: Watch) -> list[WatchEvent]:
    verifier = verifier_of(request)
    with verifier.registry.connection() as conn:
        return events_since(conn, watch)


def _seen(request: Request, watch: Watch) -> tuple[list[WatchEvent], dict[str, str]]:
    """The list page's view of the registry, on one connection: its events, and the watched
    numbers already replaced (`followed`)."""
    with verifier_of(request).registry.connection() as conn:
        return events_since(conn, watch), followed(conn, watch)


def _not_found(request: Request) -> Response:
    context = {"title": "关注列表不存在", "message": FEED_NOT_FOUND["message"]}
    return render(request, "error.html", context, 404)


async def watch_page(request: Request) -> Response:
    """The list behind a secret URL: its numbers, what happened since, the feeds, delete.
    ``DELETE`` on it (or on a feed URL) deletes the list."""
    if request.method == "DELETE":
        return await watch_delete(request)
    return await run_in_threadpool(_watch_page, request)


JUST_MADE_SECONDS = 60
"""How long after it was made a list's page opened from the form's redirect (``?new``), by the
client who made it, is not charged: its rows were paid with the list, and a 429 there would
hide the new list's address. Anyone else — or later: the redirect is followed at once — pays,
as for any page."""


def _watch_page(request: Request) -> Response:
    verifier = verifier_of(request)
    token, watch = _watch_of(request)
    client = client_of(request)
    just_made = (
        watch is not None
        and NEW in request.query_params
        and watch.client == client
        and verifier.clock() - dt.datetime.fromisoformat(watch.created_at).timestamp()
        < JUST_MADE_SECONDS
    )
    if not just_made:  # an unknown token is charged too: guessing is not free
        verifier.quotas.charge_single(Caller(client))
    if watch is None:
        return _not_found(request)
    events, replaced = _seen(request, watch)
    context: dict[str, Any] = {
        "watch": watch,
        "created_at": shown_time(watch.created_at),
        "events": [(e, shown_time(e.synced_at)) for e in events],
        "followed": replaced,
        "token": token,
        "new": NEW in request.query_params,
        "event_advice": event_advice,
        "keep_days": verifier.settings.watch_days,
    }
    context.update(watch_links(request, token))
    return render(request, "watch.html", context)


async def watch_delete_form(request: Request) -> Response:
    """The page's delete button: only with its box ticked, as a list deleted is gone for good
    (its secret address cannot be given again)."""
    async with checked_form(request) as fields:
        confirmed = fields.get("confirm") == "yes"
    token, watch = _watch_of(request)
    if watch is not None and not confirmed:
        message = "请先勾选“确认删除”，再点“删除此关注列表”。不想删除时返回即可，列表不受影响。"
        back = token_path(request, "watch_page", token)
        context = {"title": "未删除关注列表", "message": message, "back": back}
        context["back_label"] = "返回关注列表"
        return render(request, "error.html", context, 400)
    if watch is None or not await run_in_threadpool(
        delete_watch, verifier_of(request).settings.log_db, token
    ):
        return _not_found(request)
    return render(request, "watch_deleted.html", {"numbers": len(watch.numbers)})


async def watch_delete(request: Request) -> Response:
    """``DELETE`` on the list's page or feed URL."""
    token, watch = _watch_of(request)
    if watch is None or not await run_in_threadpool(
        delete_watch, verifier_of(request).settings.log_db, token
    ):
        return JSONResponse(FEED_NOT_FOUND, status_code=404)
    return Response(status_code=204)


# -- feeds ------------------------------------------------------------------------------


def _feed_read(request: Request) -> tuple[str, Watch, list[WatchEvent]] | None:
    """A feed read, charged as a check: to the API key sent with it (an HR system polling many
    lists from one address spent the anonymous minute of its own checks), else the address."""
    verifier_of(request).quotas.charge_single(caller_of(request))
    token, watch = _watch_of(request)
    if watch is None:
        return None
    return token, watch, _events(request, watch)


FEED_NOT_FOUND = {
    "error": "not_found",
    "message": "没有这个关注列表：链接不完整，或列表已被删除（长期无人查看的关注列表会自动删除），"
    "可重新建立。",
}


async def watch_json(request: Request) -> Response:
    if request.method == "DELETE":
        return await watch_delete(request)
    return await run_in_threadpool(_watch_json, request)


async def watch_atom(request: Request) -> Response:
    if request.method == "DELETE":
        return await watch_delete(request)
    return await run_in_threadpool(_watch_atom, request)


def _watch_json(request: Request) -> Response:
    read = _feed_read(request)
    if read is None:
        return JSONResponse(FEED_NOT_FOUND, status_code=404)
    token, watch, events = read
    feed = json_feed(watch, events, watch_links(request, token))
    return conditional(request, JSONResponse(feed, media_type=FEED_TYPE))


def _watch_atom(request: Request) -> Response:
    read = _feed_read(request)
    if read is None:
        return JSONResponse(FEED_NOT_FOUND, status_code=404)
    token, watch, events = read
    body = atom_feed(watch, events, watch_links(request, token))
    return conditional(request, Response(body, media_type="application/atom+xml; charset=utf-8"))


# -- API --------------------------------------------------------------------------------


async def api_create(request: Request) -> Response:
    """``POST /api/v1/watches``: ``{"items": [{"number", "name"}, …]}`` → 201 with the URLs."""
    try:
        body = await json_body(request)
        items = batch_items(body, confirms=False)
    except InvalidRequest as exc:
        return exc.response()
    caller = caller_of(request)
    try:
        token, watch = await _create(request, caller, items)
    except WatchProblem as exc:
        return JSONResponse(
            {"error": exc.code, "message": exc.message, "rows": exc.rows}
            | ({"revoked_rows": exc.revoked} if exc.revoked else {}),
            status_code=422,
        )
    links = watch_links(request, token)
    answer = {**links, "numbers": list(watch.numbers), "created_at": watch.created_at}
    return JSONResponse(answer, status_code=201, headers={"Location": links["watch_url"]})
