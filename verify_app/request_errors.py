"""The refusal of a request body the API cannot use: its status, its stable ``error`` code, a
message in Chinese, the items at fault, and when to send it again."""

from __future__ import annotations

from verify_app.json_response import JSONResponse


class InvalidRequest(Exception):
    """A request body the API cannot use; ``status`` 400 (not JSON), 422 (wrong shape)
    or 409 (another send of its key in flight);
    ``rows``: the items at fault (from 1), for a program to point at without reading the message;
    ``retry_after``: seconds after which the same request may be answered (409: a send of its
    ``Idempotency-Key`` is still being checked), sent as ``Retry-After``."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        rows: list[int] | None = None,
        *,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.rows = rows
        self.retry_after = retry_after

    def response(self) -> JSONResponse:
        body: dict[str, object] = {"error": self.error, "message": self.message}
        if self.rows is not None:
            body["rows"] = self.rows
        headers = None if self.retry_after is None else {"Retry-After": str(self.retry_after)}
        return JSONResponse(body, status_code=self.status, headers=headers)
