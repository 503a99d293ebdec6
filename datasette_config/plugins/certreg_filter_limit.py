"""At most `MAX_FILTER_VALUES` values in one table page's filters, refused before SQLite sees them
(and each of Datasette's own parameters given at most `MAX_REPEATED` times).

A filter's values are bound one parameter each, and SQLite's binding is not interrupted by the
time limit: ``register__in=1,1,…`` with 28,000 values (56 KB, under the 64 KB request head)
took 6–7 s a request, three at once held every other page behind them (Datasette's three SQL
threads), and the page then said only that the query took too long. Staff's filters hold a few
values; a list of numbers to look up goes to the canned queries or the batch check.
"""

from __future__ import annotations

import json
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import BadRequest

MAX_FILTER_VALUES = 1000
LISTS = ("__in", "__notin")
MAX_REPEATED = 50
"""How often one of Datasette's own parameters (``_where``, ``_facet``, ``_col`` …) may be given:
6,500 ``_where=1`` took 25 s a page — Datasette builds a link for each without removing it,
one per other — and every page, the login's too, waited behind it."""


def values_in(key: str, value: str) -> int:
    """How many parameters a filter binds: one, or one per item of an ``__in`` list (a JSON
    array, or values separated by commas, as Datasette reads it)."""
    if not key.endswith(LISTS):
        return 1
    if value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            return 1  # Datasette refuses it (`datasette_config.misread`)
        return len(items) if isinstance(items, list) else 1
    return value.count(",") + 1


@hookimpl
def filters_from_request(request: Any) -> None:
    """Refuse a table page whose filters bind more than `MAX_FILTER_VALUES` values."""
    bound = sum(
        values_in(key, value)
        for key in request.args.keys()
        if not key.startswith("_")
        for value in request.args.getlist(key)
    )
    if bound > MAX_FILTER_VALUES:
        raise BadRequest(f"Too many filter values: {bound}, at most {MAX_FILTER_VALUES}")
    for key in request.args.keys():
        if key.startswith("_") and (given := len(request.args.getlist(key))) > MAX_REPEATED:
            raise BadRequest(f"Parameter {key} given {given} times, at most {MAX_REPEATED}")
