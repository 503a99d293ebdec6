"""The *ticket* a result page carries for the report form under it (`verify_app.reports`): what
the check found — the number, the result, the time, the mismatched fields, the receipt token —
signed, so a report cannot claim a check that never happened, and holding no name."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer
from starlette.requests import Request

from registry.domain.clock import as_moment
from registry.domain.statuses import RESULT_LABELS
from verify_app.answers import Checked, screened_number
from verify_app.context import verifier_of
from verify_app.service import IssuedReceipt

TICKET_MAX_AGE = 86_400
"""A report is sent within a day of its check."""
CLOCK_SKEW = 300
"""How far ahead of this replica's clock another's may have stamped a ticket's check (seconds)."""


def tickets(secret: str, previous: Sequence[str] = ()) -> URLSafeTimedSerializer:
    """The signer of report tickets; those of the ``previous`` secrets still open (itsdangerous
    signs with the last key of its list and accepts them all)."""
    return URLSafeTimedSerializer([*reversed(previous), secret], salt="certreg-report")


def report_ticket(request: Request, checked: Checked, issued: IssuedReceipt | None) -> str:
    """The signed details of a check, for the report form under its result."""
    verifier = verifier_of(request)
    at = verifier.now().replace(microsecond=0)
    serializer: URLSafeTimedSerializer = request.app.state.report_tickets
    return str(
        serializer.dumps(
            {
                # signed, not encrypted: a name typed as the number would be readable in it
                "number": screened_number(checked.answer.number),
                "result": checked.answer.result,
                "at": at.isoformat(),
                # not the name's hash: a ticket goes to whoever typed any name, and with the
                # log's hash in it anyone could hash names to read the log's, or an old
                # receipt's. A token of this check alone links its report to its retries.
                "check": secrets.token_hex(32),
                "mismatched": checked.mismatched,
                "receipt": issued.token if issued else None,
            }
        )
    )


def open_ticket(request: Request, ticket: str) -> dict[str, Any] | None:
    """The details a ticket carries; None when it was not ours or its check is more than a day
    old by the app's clock. The age is its check's time (``at``), not itsdangerous's: that one
    refuses a ticket signed "in the future" as expired — made by a replica whose clock runs a
    second ahead of the one the report reaches — and reads the wall clock, not the app's. A
    check more than `CLOCK_SKEW` ahead is none either: a replica whose clock ran days ahead
    would have signed tickets that outlived their day by as much."""
    serializer: URLSafeTimedSerializer = request.app.state.report_tickets
    try:
        details = serializer.loads(ticket)
        checked_at = as_moment(details["at"]).timestamp()
    except (BadData, TypeError, KeyError, ValueError):
        return None
    age = verifier_of(request).clock() - checked_at
    if not -CLOCK_SKEW < age < TICKET_MAX_AGE:
        return None
    return dict(details)


def ticket_number(request: Request, ticket: str) -> str | None:
    """The number of the check a ticket of ours was signed for, however old (None when it is
    not ours): what to check again once it is too old to report."""
    serializer: URLSafeTimedSerializer = request.app.state.report_tickets
    try:
        number = str(serializer.loads(ticket).get("number") or "")
    except (BadData, AttributeError):
        return None
    return screened_number(number) or None


def ticket_about(request: Request, ticket: str) -> str | None:
    """Which check a report form is about, as its page names it (G1122009999（未查到）): the
    form's pages of errors said 本次查验的编号…会自动附上 without saying which number."""
    details = open_ticket(request, ticket)
    number = screened_number(str(details.get("number") or "")) if details else ""
    if not details or not number:
        return None
    result = str(details.get("result") or "")
    return f"{number}（{RESULT_LABELS.get(result, result)}）"
