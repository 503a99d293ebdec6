"""The refusal of a request body the API cannot use: its status, its stable ``error`` code, a
message in Chinese, and the items at fault."""

from __future__ import annotations

from verify_app.json_response import JSONResponse


class InvalidRequest(Exception):
    """A request body the API cannot use; ``status`` 400 (not JSON) or 422 (wrong shape);
    ``rows``: the items at fault (from 1), for a program to point at without reading the message."""

    def __init__(
        self, status: int, error: str, message: str, rows: list[int] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.rows = rows

    def response(self) -> JSONResponse:
        body: dict[str, object] = {"error": self.error, "message": self.message}
        if self.rows is not None:
            body["rows"] = self.rows
        return JSONResponse(body, status_code=self.status)
