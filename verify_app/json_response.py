"""The app's JSON responses, with the charset said: ``application/json; charset=utf-8``.

JSON is UTF-8 by its RFC and needs no charset, but clients an HR system is built with do not all
know that: Windows PowerShell 5.1's ``Invoke-RestMethod`` and older .NET and Java HTTP stacks
decode a body without one as ISO-8859-1, and every Chinese answer arrives garbled.
"""

from __future__ import annotations

from starlette import responses

JSON_TYPE = "application/json; charset=utf-8"
FEED_TYPE = "application/feed+json; charset=utf-8"


class JSONResponse(responses.JSONResponse):
    media_type = JSON_TYPE
