"""An upload of the batch page read and its rows checked, those of a number paused for its names
set aside."""

from __future__ import annotations

from dataclasses import replace

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from registry.domain.numbers import normalise
from verify_app.answers import Checked
from verify_app.batch_files import BatchFile
from verify_app.batch_retries import Send
from verify_app.context import verifier_of
from verify_app.quotas import Caller
from verify_app.refusals import RateLimited
from verify_app.uploads import read_upload


async def checked_upload(
    request: Request, caller: Caller, form_id: str, filename: str, data: bytes, pasted: bool
) -> tuple[BatchFile, list[Checked]]:
    """The file ``filename`` of ``data`` (``pasted``: the list typed in the box) sent with the
    form ``form_id`` read (`verify_app.uploads.read_upload`) and its rows checked, in the
    client's turn (`UploadSlots.turn`): a form sent twice at once — a double tap — was charged
    twice, or the second told that nothing was left; in turn, the second is a resend of the
    first, answered again (`verify_app.batch_retries`)."""
    verifier, uploads = verifier_of(request), request.app.state.uploads
    async with uploads.turn(caller):
        send = await run_in_threadpool(
            verifier.batch_retries.form_send, caller, form_id, filename, data
        )
        parsed = await read_upload(
            uploads, verifier.quotas, caller, filename, data, timed=not pasted, paid=send.resent
        )
        return await checked_but_paused(request, caller, parsed, send)


async def checked_but_paused(
    request: Request, caller: Caller, parsed: BatchFile, send: Send
) -> tuple[BatchFile, list[Checked]]:
    """The rows of ``parsed`` checked, those of a number paused for its names set aside as not
    checked, each saying so: one such number refused a whole list of 300 — every other row
    unchecked, none named (an employer's review). Raises the refusal when it leaves no row.
    (A refusal names the numbers paused when the list is charged: checked again without them,
    another may have been paused meanwhile — each round sets aside one at least.) A form
    ``send`` again was paid when first sent, which is remembered unless it set rows aside:
    unpaid, they were checked free on a reload once their pause ended
    (`verify_app.batch_retries`)."""
    verifier = verifier_of(request)
    rows, unchecked = parsed.rows, list(parsed.unchecked)
    while True:
        try:
            items = [r.item for r in rows]
            answers = await run_in_threadpool(
                verifier.check_many, caller, items, "batch", charge=not send.resent
            )
            if rows is parsed.rows:
                await run_in_threadpool(verifier.batch_retries.answered, send)
            return replace(parsed, rows=rows, unchecked=tuple(unchecked)), answers
        except RateLimited as exc:
            paused = {*exc.numbers}
            left = [r for r in rows if normalise(r.item.number) not in paused]
            if not exc.numbers or exc.reason != "number_paused" or not left:
                raise
            why = f"{exc.title}：{exc.message}{verifier.contacts.text_for(exc.numbers[0])}"
            unchecked += [(r.row, r.cells, why) for r in rows if normalise(r.item.number) in paused]
            rows = left
