"""The app's JSON responses, with the charset said: ``application/json; charset=utf-8``.

JSON is UTF-8 by its RFC and needs no charset, but clients an HR system is built with do not all
know that: Windows PowerShell 5.1's ``Invoke-RestMethod`` and older .NET and Java HTTP stacks
decode a body without one as ISO-8859-1, and every Chinese answer arrives garbled.
"""

from __future__ import annotations

import gzip

from starlette import responses
from starlette.requests import Request

JSON_TYPE = "application/json; charset=utf-8"
FEED_TYPE = "application/feed+json; charset=utf-8"


class JSONResponse(responses.JSONResponse):
    media_type = JSON_TYPE


COMPRESSED_FROM = 4096
"""Bytes from which a batch's answer is sent gzipped to a client that accepts it: a 500-row
batch with receipts was 380 KB uncompressed (an integrator's review); a single check's answer
is far below, and pays nothing. Pages are not compressed: an HTML page carries the form's
CSRF token beside what the visitor typed (BREACH)."""


def compressible(request: Request, body: dict[str, object]) -> JSONResponse:
    """``body`` as JSON, gzipped when it is large and the client accepts gzip."""
    response = JSONResponse(body)
    response.headers["Vary"] = "Accept-Encoding"
    accepted = request.headers.get("accept-encoding", "")
    if len(response.body) >= COMPRESSED_FROM and _accepts_gzip(accepted):
        response.body = gzip.compress(response.body, compresslevel=5)
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(response.body))
    return response


def _accepts_gzip(accepted: str) -> bool:
    """Whether an Accept-Encoding header accepts gzip (named, or ``*``, without ``q=0``)."""
    for coding in accepted.lower().split(","):
        name, _, weight = coding.partition(";")
        refused = weight.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000")
        if name.strip() in ("gzip", "x-gzip", "*") and not refused:
            return True
    return False
