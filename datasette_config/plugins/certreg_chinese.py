"""Datasette's own words in Chinese where they come from Python rather than a template.

The templates in ``templates/`` are Datasette 0.65's, translated. What they cannot reach — error
pages raised as English exceptions, flashed messages, the filter operators and the description of
a filtered table, the breadcrumb labels — is translated here with the vocabulary of
``datasette_config.labels``. JSON answers keep Datasette's English: they are for programs.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import datasette.handle_exception as default_handler
from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import tilde_decode
from datasette.utils.asgi import Base400, NotFound, Response
from datasette.views.base import DatasetteError
from markupsafe import Markup

from datasette_config.errors import error_page, request_status, sql_error
from datasette_config.labels import (
    FACET_TYPES,
    FILTER_OPERATORS,
    MENU_LINKS,
    SPARE_OPERATORS,
    filter_description,
    message_text,
)
from datasette_config.misread import misread_by_datasette

# Datasette 0.65 runs its own handle_exception after ours, and where the rich package is installed
# (schemathesis brings it to the test environment) that handler prints with
# rich.print_exception() outside an except block, which raises: every 404 became a 500. This
# plugin answers every error itself, so the default's printing is switched off.
default_handler.rich = None


def _title(datasette: Any, database: str, table: str | None = None) -> str:
    """A database's or table's title from metadata.yml, else its name."""
    if table is None:
        title = datasette.metadata("title", database=database, fallback=False)
    else:
        title = datasette.metadata("title", database=database, table=table, fallback=False)
    return str(title or table or database)


async def _canned(datasette: Any, request: Any) -> dict[str, Any] | None:
    """The canned query the request is for, if it is for one."""
    database, name = request.url_vars.get("database"), request.url_vars.get("table")
    if not database or not name:
        return None
    query: dict[str, Any] | None = await datasette.get_canned_query(
        tilde_decode(database), tilde_decode(name), request.actor
    )
    return query


async def _error_response(
    datasette: Any, request: Any, status: int, title: str, message: Any
) -> Response:
    query = await _canned(datasette, request)
    hide_sql = bool(query and query.get("hide_sql"))
    status, chinese_title, chinese_message = error_page(status, title, message, hide_sql=hide_sql)
    # a canned query's values, to change and ask again: the page of a query past its time
    # offered the home page only, what was typed lost (a staff review)
    args = request.args if query else None
    values = (
        [(k, v) for k in args.keys() if not k.startswith("_") for v in args.getlist(k)]
        if args
        else []
    )
    html = await datasette.render_template(
        "error.html",
        {"title": chinese_title, "error": chinese_message, "status": status, "values": values},
        request=request,
    )
    return Response.html(html, status=status)


@hookimpl
def handle_exception(datasette: Any, request: Any, exception: Exception) -> Any:
    title = None
    if isinstance(exception, Base400):
        status, message = exception.status, exception.args[0]
    elif isinstance(exception, DatasetteError):
        status, title, message = exception.status, exception.title, exception.message
        if exception.message_is_html:
            message = Markup(message)
    elif isinstance(exception, QueryInterrupted):  # a CSV export's: its SQL stays unsaid
        status, message = 400, "interrupted"
    elif misread := misread_by_datasette(exception):
        status, message = 400, misread
    else:
        status, message = 500, str(exception)
    if status == 404 and request.path.startswith("/-/"):  # no page of ours, not a database "-"
        message = "404"

    if request.path.split("?")[0].endswith(".json"):
        # Datasette's JSON error, for programs, in its own words — answered here rather than by
        # Datasette's default handler, which breaks where the rich package is installed — and
        # beside it in Chinese, as the page says it, for staff who read it (a staff review:
        # Cannot sort table by nosuch), its SQL left out
        status = request_status(status, str(message))
        _, chinese_title, chinese = error_page(status, title, message, hide_sql=True)
        body = {
            "ok": False,
            "error": str(message),
            "status": status,
            "title": title,
            "message": f"{chinese_title}：{chinese.striptags()}",
        }
        return Response.json(body, status=status)

    async def inner() -> Response:
        return await _error_response(datasette, request, status, title or "", message)

    return inner


@hookimpl
def forbidden(datasette: Any, request: Any, message: str) -> Any:
    if request.actor is None:
        return None  # certreg_login sends anonymous visitors to the login form

    async def inner() -> Response:
        return await _error_response(datasette, request, 403, "Forbidden", message)

    return inner


@hookimpl
def extra_template_vars(datasette: Any, request: Any) -> dict[str, Any]:
    def crumb_label(label: str, database: str | None, table: str | None) -> str:
        if label == "home":
            return "首页"
        if database and table and label == table:
            return _title(datasette, database, table)
        if database and label == database:
            return _title(datasette, database)
        return label

    def describe_table(filters: Any, column_labels: dict[str, str], search: str | None) -> str:
        args = request.args if request is not None else {}
        return filter_description(
            filters.selections(),
            column_labels,
            search=search,
            sort=args.get("_sort"),
            sort_desc=args.get("_sort_desc"),
        )

    return {
        "crumb_label": crumb_label,
        "title_of": lambda database, table=None: _title(datasette, database, table),
        "column_labels_of": lambda database, table: (
            datasette.table_metadata(database, table).get("columns") or {}
        ),
        "describe_table": describe_table,
        "filter_operator": lambda key, display: FILTER_OPERATORS.get(key, display),
        "spare_operators": SPARE_OPERATORS,
        "facet_type": lambda kind: FACET_TYPES.get(kind, f"（{kind}）"),
        "message_text": message_text,
        "menu_label": lambda label: MENU_LINKS.get(label, label),
        "sql_error": sql_error,
        "from_first_page": from_first_page,
    }


def from_first_page(url: str) -> str:
    """``url`` without its page: no ``_next``, and only the export's own ``_size`` (Datasette
    appends ``_size=max`` after the page's, and reads the first). A table's CSV export is of the
    rows the filters select, not of one page or of those after the page it was opened from."""
    path, _, query = url.partition("?")
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    sizes = [i for i, (key, _) in enumerate(pairs) if key == "_size"]
    kept = [
        (key, value)
        for i, (key, value) in enumerate(pairs)
        if key != "_next" and (key != "_size" or i == sizes[-1])
    ]
    return f"{path}?{urllib.parse.urlencode(kept)}" if kept else path


async def _not_a_staff_page(request: Any) -> Response:
    raise NotFound("404")  # as Datasette words a path it has no page for


INSTANCE_PAGES = (
    "patterns|metadata|databases|threads|versions|plugins|settings|config|permissions"
    "|allow-debug|messages"
)
"""Datasette's pages about itself, no page for staff: its pattern portfolio (demo data, all in
English), its metadata (every staff account's name, in the password plugin's configuration),
the server's file paths, threads and versions, and its debugging forms."""


@hookimpl(tryfirst=True)
def register_routes() -> list[tuple[str, Any]]:
    return [(rf"^/-/(?:{INSTANCE_PAGES})(?:\.json)?$", _not_a_staff_page)]
