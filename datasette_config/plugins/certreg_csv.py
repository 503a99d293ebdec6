"""CSV exports that a spreadsheet opens as data: formula cells get a leading quote, and the
file starts with a UTF-8 BOM, without which Excel on a Chinese Windows reads it as GBK.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is run as a formula by
Excel and WPS (``=cmd|'/C calc'!A0``, ``=HYPERLINK(…)``); registers come from many hands, so
the registry can hold such text. Every ``.csv`` Datasette serves — tables, rows, canned and
staff queries, streamed or not — is rewritten on its way out, record by record, with the rule
the public batch export uses (`registry.sheets.formulas.neutralise`).

The export says what the page says: a table's columns headed by their Chinese labels, codes
with their names (``revoked 已撤销``), UTC times in Beijing time — a clerk opening it in Excel
read English headers, bare codes and times eight hours off — and a month stays the month the
page shows (`registry.sheets.formulas.as_text`: Excel read 执行工资等级起始时间 2008.10 as 2008.1).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, unquote

from datasette import hookimpl
from datasette.utils import tilde_decode

from datasette_config.labels import CODE_COLUMNS, FLAG_COLUMNS, shown_value
from datasette_config.plugins.certreg_labels import (
    BLANK_HISTORY,
    CORRECTION_COLUMNS,
    HISTORY,
    HISTORY_COLUMNS,
    REGISTER_HISTORY,
    VISITOR_TEXT,
    corrections_shown,
    history_field_shown,
    history_shown,
)
from datasette_config.route_paths import route_path
from registry.domain.statuses import MALFORMED
from registry.public.lookup import NOT_CHECKED
from registry.sheets.formulas import as_text, neutralise
from registry.store.verify_log import NO_NAME

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


Shown = Callable[[str, str, Mapping[str, str]], str]
"""(column, value, the record's stored cells by column) → the cell as a page shows it"""


def as_stored(column: str, value: str, record: Mapping[str, str]) -> str:
    return value


class CsvNeutraliser:
    """Rewrites a CSV byte stream, chunk by chunk, with every cell passed through ``neutralise``.

    Datasette writes CSV with Python's default (excel) dialect; reading and writing whole
    records with the same dialect changes nothing but the neutralised cells — and, given
    ``labels`` and ``shown``, the header and the cells as the page shows them.
    """

    def __init__(
        self,
        labels: Mapping[str, str] | None = None,
        shown: Shown = as_stored,
        *,
        not_made: bool = False,
        for_excel: bool = True,
    ) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""
        self._started = False
        self._labels = labels or {}
        self._shown = shown
        self._columns: list[str] | None = None
        self._not_made = not_made
        self._unnamed: tuple[int, int] | None = None
        """where a check's result and name hash are: a check without a name was not made"""
        self._kept: Callable[[str], str] = as_text if for_excel else str
        """a month or long digits led by a tab for Excel (`as_text`), or as stored"""

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
            if self._columns is None:  # the header
                self._columns = row
                self._unnamed = _unnamed_at(row) if self._not_made else None
                row = [_heading(c, self._labels.get(c), self._labels) for c in row]
            else:
                named = self._columns + [""] * (len(row) - len(self._columns))
                record = dict(zip(named, row, strict=False))
                row = [self._shown(c, v, record) for c, v in zip(named, row, strict=False)]
                if self._unnamed is not None and row[self._unnamed[1]] == NO_NAME:
                    row[self._unnamed[0]] = f"{MALFORMED} {NOT_CHECKED}"
            writer.writerow([self._kept(neutralise(cell)) for cell in row])
        return out.getvalue().encode("utf-8")


def _unnamed_at(columns: list[str]) -> tuple[int, int] | None:
    """(result, name_hash) columns of a check log export: a ``malformed`` check without a name
    (`registry.store.verify_log.NO_NAME`) shows as 未查验 there, as on its page."""
    if "result" not in columns or "name_hash" not in columns:
        return None
    return columns.index("result"), columns.index("name_hash")


def _heading(column: str, label: str | None, labels: Mapping[str, str]) -> str:
    """A column headed as its page heads it: the Chinese label over the column's own name; the
    label Datasette adds beside a reference (``sync_label``, with ``_labels=on``) by the label
    of the column it names."""
    if not label and column.endswith("_label") and labels.get(column.removesuffix("_label")):
        label = f"{labels[column.removesuffix('_label')]}所指"
    return f"{label} {column}" if label and label != column else column


def _headless(scope: dict[str, Any]) -> bool:
    """Whether Datasette leaves the header out: its first ``_header`` says ``off``."""
    raw: bytes = scope.get("query_string", b"")
    query = parse_qs(raw.decode("latin-1"), keep_blank_values=True)
    return query.get("_header", [""])[0] == "off"


CHECKS = "checks"
"""The check log's table, whose checks without a name were not made (未查验)."""


def _database_and_table(path: str) -> tuple[str, str] | None:
    """(database, table or query) that a ``/db/table.csv`` or ``/db/table/pk.csv`` exports."""
    parts = [unquote(part) for part in path.removesuffix(".csv").strip("/").split("/")]
    return (tilde_decode(parts[0]), tilde_decode(parts[1])) if len(parts) >= 2 else None


def _table(path: str) -> str | None:
    named = _database_and_table(path)
    return named[1] if named else None


def _labels(datasette: Any, path: str) -> dict[str, str]:
    """The column labels of the table an export is of (none for a query: canned queries name
    their columns in Chinese, staff SQL as staff wrote it)."""
    named = _database_and_table(path)
    if named is None:
        return {}
    columns = datasette.table_metadata(*named).get("columns")
    return dict(columns) if isinstance(columns, dict) else {}


def _shown(datasette: Any, table: str | None) -> Shown:
    """A cell as pages show it (`datasette_config.labels`): codes with their names, UTC times in
    Beijing time, a 换发's corrections in words, a certificate's corrected field by its label and
    its old and new values as that field's cells — not what only the database reads."""
    certificate = datasette.metadata("columns", database="registry", table="certificates") or {}
    history = table == HISTORY

    def shown(column: str, value: str, record: Mapping[str, str]) -> str:
        if column in VISITOR_TEXT:
            return value
        if table == BLANK_HISTORY and column == "field":
            return history_field_shown(value, record.get("kind", ""), datasette) or value
        if table == REGISTER_HISTORY and column == "field":
            return history_field_shown(value, "registers", datasette) or value
        if history and column in HISTORY_COLUMNS:
            return history_shown(column, value, record.get("field", ""), certificate) or value
        if column in CORRECTION_COLUMNS:
            return corrections_shown(value, certificate) or value
        if not value and column in PAPER_COLUMNS and not record.get("confirmed"):
            return value  # no paper typed (NULL, "" here): not 无 — confirmed, nothing mismatched
        if column in CODE_COLUMNS or column in FLAG_COLUMNS or value[10:11] == "T":  # or a time
            return shown_value(column, value) or value
        return value

    return shown


PAPER_COLUMNS = ("confirmed", "mismatched")
"""A check's paper confirmed and what of it mismatched: 无 in ``mismatched`` only beside a
confirmation — a check with no paper typed exported 无 in both, the page showing them empty (a
staff review)."""

FAILED_EXPORT = (
    "导出失败：查询出错（或结果超过导出的大小限制），没有导出任何行。"
    "请在网页上运行同一查询，查看原因后再导出。"
)


async def _failed_export(send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
    """What a CSV export of a query that failed says: Datasette answered 200 with a file of one
    empty line, which staff read as "no rows"."""
    body = FAILED_EXPORT.encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    def wrap(app: ASGIApp) -> ASGIApp:
        async def csv_guard(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            asked_for_csv = route_path(datasette, scope).endswith(".csv")
            neutraliser: CsvNeutraliser | None = None
            held: list[dict[str, Any]] = []  # the start and empty lines, until a heading comes
            replaying = False

            async def send_guarded(message: dict[str, Any]) -> None:
                nonlocal neutraliser, replaying
                if held:
                    held.append(message)
                    body = b"".join(m.get("body", b"") for m in held[1:])
                    if not body.strip(b"\r\n") and held[-1].get("more_body", False):
                        return  # nothing but the line of no headings yet
                    if not body.strip(b"\r\n"):  # a failed query: no columns, no rows
                        await _failed_export(send)
                        return
                    waiting = held[:]
                    held.clear()
                    replaying = True
                    for one in waiting:
                        await send_guarded(one)
                    replaying = False
                    return
                if message["type"] == "http.response.start":
                    headers = message.get("headers", [])
                    content_type = next(
                        (v.lower() for k, v in headers if k.lower() == b"content-type"), b""
                    )
                    is_csv = content_type.startswith(b"text/csv") or (
                        asked_for_csv and content_type.startswith(_CSV_TYPES)
                    )
                    if message.get("status") == 200 and is_csv:
                        path = route_path(datasette, scope)
                        neutraliser = (  # without its header: the data as stored, for a program
                            CsvNeutraliser(for_excel=False)
                            if _headless(scope)
                            else CsvNeutraliser(
                                _labels(datasette, path),
                                _shown(datasette, _table(path)),
                                not_made=_table(path) == CHECKS,
                            )
                        )
                        headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                        message = dict(message, headers=headers)
                        if not _headless(scope) and not replaying:
                            held.append(message)
                            return
                elif message["type"] == "http.response.body" and neutraliser is not None:
                    more = message.get("more_body", False)
                    body = neutraliser.feed(message.get("body", b""), final=not more)
                    message = dict(message, body=body)
                await send(message)

            await app(scope, receive, send_guarded)

        return csv_guard

    return wrap
