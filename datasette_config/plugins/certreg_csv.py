"""CSV exports that a spreadsheet opens as data: formula cells get a leading quote, and the
file starts with a UTF-8 BOM, without which Excel on a Chinese Windows reads it as GBK.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is run as a formula by
Excel and WPS (``=cmd|'/C calc'!A0``, ``=HYPERLINK(…)``); registers come from many hands, so
the registry can hold such text. Every ``.csv`` Datasette serves — tables, rows, canned and
staff queries, streamed or not — is rewritten on its way out, record by record, with the rule
the public batch export uses (`registry.sheets.formulas.neutralise`).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl

from registry.sheets.formulas import neutralise

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]

_CSV_TYPES = (b"text/csv", b"text/plain")


def _complete(text: str) -> int:
    """Length of the leading part of ``text`` that is whole CSV records.

    A line break ends a record only outside quotes, i.e. where the quotes seen since the
    record began are even in number (``""`` inside a quoted field counts twice).
    """
    end = quotes = start = 0
    newline = text.find("\n")
    while newline != -1:
        quotes += text.count('"', start, newline + 1)
        if quotes % 2 == 0:
            end = newline + 1
        start = newline + 1
        newline = text.find("\n", start)
    return end


class CsvNeutraliser:
    """Rewrites a CSV byte stream, chunk by chunk, with every cell passed through ``neutralise``.

    Datasette writes CSV with Python's default (excel) dialect; reading and writing whole
    records with the same dialect changes nothing but the neutralised cells.
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""
        self._started = False

    def feed(self, data: bytes, final: bool = False) -> bytes:
        text = self._pending + self._decoder.decode(data, final)
        cut = len(text) if final else _complete(text)
        ready, self._pending = text[:cut], text[cut:]
        if not ready:
            return b""
        out = io.StringIO()
        if not self._started:  # Excel and WPS read a CSV as UTF-8 only after its BOM
            out.write("\ufeff")
            self._started = True
        writer = csv.writer(out)
        for row in csv.reader(io.StringIO(ready, newline="")):
            writer.writerow([neutralise(cell) for cell in row])
        return out.getvalue().encode("utf-8")


def _route_path(scope: dict[str, Any]) -> str:
    raw = scope.get("raw_path")
    return raw.decode("latin-1").partition("?")[0] if raw else str(scope["path"])


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    def wrap(app: ASGIApp) -> ASGIApp:
        async def csv_guard(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            asked_for_csv = _route_path(scope).endswith(".csv")
            neutraliser: CsvNeutraliser | None = None

            async def send_guarded(message: dict[str, Any]) -> None:
                nonlocal neutraliser
                if message["type"] == "http.response.start":
                    headers = message.get("headers", [])
                    content_type = next(
                        (v.lower() for k, v in headers if k.lower() == b"content-type"), b""
                    )
                    is_csv = content_type.startswith(b"text/csv") or (
                        asked_for_csv and content_type.startswith(_CSV_TYPES)
                    )
                    if message.get("status") == 200 and is_csv:
                        neutraliser = CsvNeutraliser()
                        headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                        message = dict(message, headers=headers)
                elif message["type"] == "http.response.body" and neutraliser is not None:
                    more = message.get("more_body", False)
                    body = neutraliser.feed(message.get("body", b""), final=not more)
                    message = dict(message, body=body)
                await send(message)

            await app(scope, receive, send_guarded)

        return csv_guard

    return wrap
