"""An upload of the batch page read and its rows checked, those of a number paused for its names
set aside."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from registry.domain.numbers import normalise
from verify_app.answers import Checked
from verify_app.batch_files import BatchFile
from verify_app.batch_retries import CLAIM_SECONDS, BatchRetries, Send
from verify_app.context import verifier_of
from verify_app.quotas import Caller
from verify_app.refusals import RateLimited
from verify_app.uploads import OWN_FILE_BEING_READ, TURN_SECONDS, UploadsBusy, read_upload


async def checked_upload(
    request: Request, caller: Caller, form_id: str, filename: str, data: bytes, pasted: bool
) -> tuple[BatchFile, list[Checked]]:
    """The file ``filename`` of ``data`` (``pasted``: the list typed in the box) sent with the
    form ``form_id`` read (`verify_app.uploads.read_upload`) and its rows checked, in the
    client's turn (`UploadSlots.turn`): a form sent twice at once — a double tap — was charged
    twice, or the second told that nothing was left; in turn, the second is a resend of the
    first, answered again (`verify_app.batch_retries`)."""
    verifier, uploads = verifier_of(request), request.app.state.uploads
    deadline = asyncio.get_running_loop().time() + TURN_SECONDS  # the turn's and the claim's
    async with (
        uploads.turn(caller),
        _form_claimed(verifier.batch_retries, caller, form_id, deadline),
    ):
        send = await run_in_threadpool(
            verifier.batch_retries.form_send, caller, form_id, filename, data
        )
        parsed = await read_upload(
            uploads, verifier.quotas, caller, filename, data, timed=not pasted, paid=send.resent
        )
        return await checked_but_paused(request, caller, parsed, send)


CLAIM_POLL_SECONDS = 0.2
"""How often a send of a form another replica is reading asks again whether it is done."""


@contextlib.asynccontextmanager
async def _form_claimed(
    retries: BatchRetries, caller: Caller, form_id: str, deadline: float
) -> AsyncIterator[None]:
    """The form's claim, in the store the allowances count in, held while it is read and
    checked: behind nginx, a double tap's two sends may reach two replicas, whose turns
    (`UploadSlots.turn`) are each their own process's, and each was charged as a first send.
    The second waits — until ``deadline`` (the loop's time), which the turn's wait shares:
    the two waits after another passed nginx's 30 s — and is then the first's resend. With
    memory storage the claim is this process's, as the turn is."""
    name = retries.form_claim(caller, form_id)
    if name is None:
        yield
        return
    claims, loop = retries.limiter.claims, asyncio.get_running_loop()
    while (claim := await run_in_threadpool(claims.take, name, CLAIM_SECONDS)) is None:
        if loop.time() + CLAIM_POLL_SECONDS > deadline:
            raise UploadsBusy(OWN_FILE_BEING_READ)
        await asyncio.sleep(CLAIM_POLL_SECONDS)
    try:
        yield
    finally:
        await run_in_threadpool(claims.release, claim)


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
    rows, unchecked, refused = parsed.rows, list(parsed.unchecked), list(parsed.refused)
    while True:
        try:
            items = [r.item for r in rows]
            answers = await run_in_threadpool(
                verifier.check_many, caller, items, "batch", charge=not send.resent
            )
            if rows is parsed.rows:
                await run_in_threadpool(verifier.batch_retries.answered, send)
            return replace(
                parsed, rows=rows, unchecked=tuple(unchecked), refused=tuple(refused)
            ), answers
        except RateLimited as exc:
            paused = {*exc.numbers}
            left = [r for r in rows if normalise(r.item.number) not in paused]
            if not exc.numbers or exc.reason != "number_paused" or not left:
                raise
            why = f"{exc.title}：{exc.message}{verifier.contacts.text_for(exc.numbers[0])}"
            aside = [r for r in rows if normalise(r.item.number) in paused]
            unchecked += [(r.row, r.cells, why, r.item.name) for r in aside]
            # the API's 429 says number_paused
            refused += [(r.row, exc.reason, normalise(r.item.number)) for r in aside]
            rows = left
