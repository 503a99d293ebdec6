"""A watch list's feeds (`verify_app.watches`): its status changes as a JSON Feed and as Atom."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from registry.domain.statuses import EXCHANGE, REVOKE
from verify_app.presentation import shown_time
from verify_app.watch_store import Watch, WatchEvent

ATOM = "http://www.w3.org/2005/Atom"


def event_title(event: WatchEvent) -> str:
    which = f"证书 {event.number} "
    if event.number != event.watched:
        which = f"证书 {event.number}（接替关注的证书 {event.watched} 的新证书）"
    if event.type == REVOKE:
        return f"{which}已于 {event.date} 被发证机关撤销"
    new = f"，新证书编号 {event.new_number}" if event.new_number else ""
    if event.late:  # news of then: the change registered before it still stands
        return (
            f"{which}曾于 {event.date} {event.type}{new}（补登的早先变更；此后登记的变更仍然有效）"
        )
    return f"{which}已于 {event.date} {event.type}{new}"


def event_advice(event: WatchEvent) -> str:
    """What the employer does about ``event`` (the page and the feeds' content say it)."""
    if event.late:
        return "这是补登的早先变更：此后登记的变更仍然有效，请重新查验该证书的现状。"
    if event.type == REVOKE:
        return "该证书已不能作为资格凭证；如有疑问，请向发证机关核实。"
    if event.type == EXCHANGE:
        # as the check's own answer says it: the 换发 may have corrected the name (更正姓名),
        # and the old name with the new number answers 未查到
        return (
            f"原证书作废：请持证人出示新证书 {event.new_number}，并以新编号和新证书上的姓名重新查验"
            "（换发时可能更正过姓名）。"
        )
    if event.new_number:  # a 补发 under a new number
        return (
            f"原证书作废：只有注明“补发”字样的新证书 {event.new_number} 有效，请以新编号重新查验。"
        )
    return "此前的原件已作废：只有正页注明“补发”字样的证书有效。"


FEED_TITLE = "证书状态变更（关注列表）"


def _since(watch: Watch) -> str:
    """What a feed holds: the changes registered since the list was made."""
    return f"自 {shown_time(watch.created_at)} 起登记的换发、补发、撤销"


def json_feed(watch: Watch, events: list[WatchEvent], links: dict[str, str]) -> dict[str, Any]:
    """The list's changes as a JSON Feed 1.1 (https://jsonfeed.org/version/1.1), with the
    event's fields under ``_certreg``."""
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": FEED_TITLE,
        "home_page_url": links["watch_url"],
        "feed_url": links["json_url"],
        "description": _since(watch),
        "_certreg": {"since": watch.created_at, "numbers": list(watch.numbers)},
        "items": [
            {
                "id": f"{links['watch_url']}#event-{e.id}",
                "title": event_title(e),
                "content_text": f"{event_title(e)}。{event_advice(e)}",
                "date_published": e.synced_at,
                "_certreg": {
                    "event": e.type,
                    "number": e.number,
                    "watched": e.watched,
                    "date": e.date,
                    **({"new_number": e.new_number} if e.new_number else {}),
                    **({"late": True} if e.late else {}),
                },
            }
            for e in events
        ],
    }


def atom_feed(watch: Watch, events: list[WatchEvent], links: dict[str, str]) -> bytes:
    """The list's changes as an Atom feed (RFC 4287), built with ElementTree so every text is
    escaped by the XML writer."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "title", FEED_TITLE)
    sub(feed, "subtitle", _since(watch))
    sub(feed, "id", links["watch_url"])
    sub(feed, "link", rel="self", href=links["atom_url"])
    sub(feed, "link", rel="alternate", href=links["watch_url"])
    sub(feed, "updated", events[0].synced_at if events else watch.created_at)
    author = sub(feed, "author")
    sub(author, "name", "四川省工人技术等级证书查验")
    for event in events:
        entry = sub(feed, "entry")
        sub(entry, "title", event_title(event))
        sub(entry, "id", f"{links['watch_url']}#event-{event.id}")
        sub(entry, "updated", event.synced_at)
        sub(entry, "link", rel="alternate", href=links["watch_url"])
        sub(entry, "content", f"{event_title(event)}。{event_advice(event)}", type="text")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


def _entity_tags(header: str) -> set[str]:
    """The entity tags of an ``If-None-Match`` header, compared weakly (RFC 9110 §13.1.2)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def conditional(request: Request, feed: Response) -> Response:
    """``feed`` with its ``ETag``, or ``304 Not Modified`` when the reader already has it.

    Feed readers poll, and most polls find nothing new: with the tag they keep from the last
    answer they are told so in a few bytes. The tag is a hash of the feed itself, which holds
    nothing its secret address does not already show. ``private, no-cache``: the reader's own
    cache keeps the feed to revalidate (``no-store``, every answer's default, told feed
    libraries to keep nothing, and so nothing to ask about); a shared cache keeps none."""
    tag = f'"{hashlib.sha256(feed.body).hexdigest()[:32]}"'
    headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
    asked = ", ".join(request.headers.getlist("if-none-match"))  # one list over any lines
    if asked and (asked.strip() == "*" or tag in _entity_tags(asked)):
        return Response(status_code=304, headers=headers)
    feed.headers.update(headers)
    return feed
