"""A certificate's page says when the roster it came from no longer lists it.

A corrected version of a roster that leaves a certificate out never deletes it: the sync reports
a conflict (新版本名册中没有此证书), and the certificate stays, valid, with its old 来源名册 and
row — which its page went on showing as if the file in force still held that row (a staff
review). Left out since its last listing (`registry.store.restorations`), the page says so and
names the sync that reported it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_decode

from datasette_config.launch import REGISTRY_NAME
from registry.store.restorations import LEFT_OUT
from registry.store.syncs import CONFLICT

LEFT_OUT_BY = """
SELECT max(p.sync) FROM problems p  -- by the number (CROSS JOIN: in this order), not by
CROSS JOIN syncs s ON s.id = p.sync  -- sync: a refused version may have a million problems
CROSS JOIN certificates c ON c.number = p.value AND c.register = s.register
WHERE p.value = :number AND p.severity = :conflict AND p."column" = '颁发证书编号'
  AND p.rule LIKE '新版本名册中没有此证书%'
  AND p.sync > coalesce(
    (SELECT max(h.sync) FROM certificate_history h
     WHERE h.number = c.number AND h.field = 'source_row' AND h.old = :left_out),
    c.created_sync)
"""
"""The sync that last reported the certificate missing from its roster since the roster last
listed it (its creation, or its return), or NULL."""


@hookimpl
def extra_template_vars(
    template: str, request: Any, datasette: Any
) -> Callable[[], Awaitable[dict[str, Any]]] | None:
    if template != f"row-{REGISTRY_NAME}-certificates.html" or request is None:
        return None

    async def left_out() -> dict[str, Any]:
        number = tilde_decode(request.url_vars.get("pks", ""))  # ~5A… is Z… too
        database = datasette.get_database(REGISTRY_NAME)
        found = await database.execute(
            LEFT_OUT_BY, {"number": number, "conflict": CONFLICT, "left_out": LEFT_OUT}
        )
        return {"left_out_by": found.first()[0]}

    return left_out
