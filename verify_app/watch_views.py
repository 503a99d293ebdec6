"""A watch list behind its secret URL (SPEC §7): its page, its Atom and JSON feeds, and
deleting it. The token is the only key: an unknown or malformed one is answered 404, and every
read is charged as a check, so that guessing tokens costs what guessing numbers does.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from registry.domain.statuses import REVOKE
from verify_app.context import caller_of, client_of, verifier_of
from verify_app.forms import checked_form, render
from verify_app.json_response import FEED_TYPE, JSONResponse
from verify_app.links import public_base, token_path, watch_links
from verify_app.presentation import shown_time
from verify_app.quotas import Caller
from verify_app.watch_feeds import atom_feed, conditional, event_advice, json_feed
from verify_app.watch_store import (
    Watch,
    WatchEvent,
    delete_watch,
    events_since,
    find_watch,
    followed,
)

_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")
_SUFFIXES = (".atom", ".json")

NEW = "new"
"""The query of the list's page right after it was made: it says so, and to save the address."""
LEFT_OUT = "left_out"
"""The query parameter of a list just made from the form: the pasted lines not in it (they did
not match, or were revoked, an ``r`` after such a line — ``f``: its number malformed, ``n``: its
name not checked, ``e``: its name empty), told on its page."""


def _strip(token: str) -> str:
    for suffix in _SUFFIXES:
        token = token.removesuffix(suffix)
    return token


def _watch_of(request: Request) -> tuple[str, Watch | None]:
    token = _strip(request.path_params["token"])
    if not _TOKEN.fullmatch(token):
        return token, None
    verifier = verifier_of(request)
    now = verifier.now().replace(microsecond=0)
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
    public_base(request)  # as `_feed_read`
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
        # a number revoked, or the one that replaced it: its line in the list says so
        "revoked": {e.watched for e in events if e.type == REVOKE},
        "token": token,
        "new": just_made,  # a bookmark of the redirect's address is told "made" no more
        "left_out": _left_out(request) if just_made else ([], [], [], [], []),
        "event_advice": event_advice,
        "keep_days": verifier.settings.watch_days,
    }
    context.update(watch_links(request, token))
    return render(request, "watch.html", context)


def _left_out(request: Request) -> tuple[list[str], ...]:
    """The pasted lines the list just made left out (`LEFT_OUT`): those that did not match,
    those revoked — the reason an employer watches, not to be folded into 不符 — those whose
    number is malformed (``f``: told 不符, the officer looked for a wrong name), those whose
    name could not be checked (``n``: told 编号格式错误, he looked for a wrong digit) and those
    with no name (``e``: told 乱码, he looked for a garbled one)."""
    said = request.query_params.get(LEFT_OUT, "").split(",")[:500]
    lines = [line for line in said if re.fullmatch(r"[0-9]{1,5}[rfne]?", line)]
    return tuple(
        [line.removesuffix(mark) for line in lines if line.lstrip("0123456789") == mark]
        for mark in ("", "r", "f", "n", "e")
    )


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
    if watch is None or not await run_in_threadpool(_delete, request, token):
        return _not_found(request)
    return render(request, "watch_deleted.html", {"numbers": len(watch.numbers)})


def _delete(request: Request, token: str) -> bool:
    verifier = verifier_of(request)
    at = verifier.now().isoformat(timespec="seconds")
    return delete_watch(verifier.settings.log_db, token, at=at)


async def watch_delete(request: Request) -> Response:
    """``DELETE`` on the list's page or feed URL (a wrong API key sent with it is 401, as on
    every API address, though the list's secret URL alone decides)."""
    caller_of(request)
    token, watch = _watch_of(request)
    if watch is None or not await run_in_threadpool(_delete, request, token):
        return JSONResponse(FEED_NOT_FOUND, status_code=404)
    return Response(status_code=204)


# -- feeds ------------------------------------------------------------------------------


def _feed_read(request: Request) -> tuple[str, Watch, list[WatchEvent]] | None:
    """A feed read, charged as a check: to the API key sent with it (an HR system polling many
    lists from one address spent the anonymous minute of its own checks), else the address."""
    public_base(request)  # its links can be made: else a 400 that was charged as a check
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


Feed = Callable[[Watch, list[WatchEvent], dict[str, str]], Response]
"""A feed's answer from the list, its events and its links."""


def _json(watch: Watch, events: list[WatchEvent], links: dict[str, str]) -> Response:
    return JSONResponse(json_feed(watch, events, links), media_type=FEED_TYPE)


def _atom(watch: Watch, events: list[WatchEvent], links: dict[str, str]) -> Response:
    body = atom_feed(watch, events, links)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


async def watch_json(request: Request) -> Response:
    return await _watch_feed(request, _json)


async def watch_atom(request: Request) -> Response:
    return await _watch_feed(request, _atom)


async def _watch_feed(request: Request, feed: Feed) -> Response:
    if request.method == "DELETE":
        return await watch_delete(request)
    return await run_in_threadpool(_feed_answer, request, feed)


def _feed_answer(request: Request, feed: Feed) -> Response:
    read = _feed_read(request)
    if read is None:
        return JSONResponse(FEED_NOT_FOUND, status_code=404)
    token, watch, events = read
    return conditional(request, feed(watch, events, watch_links(request, token)))
