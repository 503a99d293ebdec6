"""The JSON API (SPEC §7): single and batch checks, reports of suspected forgeries, number
decoding, health. What a body may hold is `verify_app.api_bodies`; what is accepted is exactly
what `verify_app.openapi` describes, so the schema tells clients the truth.
"""

from __future__ import annotations

import math

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from registry import __version__
from registry.domain.clock import BEIJING
from registry.domain.numbers import MalformedNumber, parse
from registry.domain.regions import PROVINCE, authority_name
from registry.public.follower import STALE_SECONDS, silent_for
from registry.store import RegistryMismatch
from verify_app import reports
from verify_app.answers import MAX_NUMBER_CHARS, Checked
from verify_app.api_bodies import (
    batch_items,
    flag,
    json_body,
    misspelt,
    report_fields,
)
from verify_app.api_bodies import item as request_item
from verify_app.context import caller_of, forwarding, verifier_of
from verify_app.idempotency_keys import REPLAYED, key_of
from verify_app.json_response import JSONResponse, compressible
from verify_app.links import public_base, receipt_url
from verify_app.log_disk import disk_trouble
from verify_app.quotas import Caller
from verify_app.registry_pool import RegistryUnreadable
from verify_app.report_tickets import report_ticket
from verify_app.request_errors import InvalidRequest


def answer_json(request: Request, checked: Checked, receipt: bool) -> dict[str, object]:
    """One answer as the API gives it: the public fields, the label and the advice, the
    confirmation when asked for, the issuing authority's contact when nothing was found, a
    receipt (with its expiry) when asked for and the certificate was found, and the ticket a
    suspected forgery is reported with (`verify_app.reports`) where one may be."""
    answer = checked.answer
    data = answer.as_json()
    # a paper that disagrees is not "有效" to a system that shows the label; a malformed
    # number's reason has a field of its own
    data["label"] = checked.label if checked.mismatched else answer.label
    data["advice"] = checked.advice()
    if checked.confirmation is not None:
        data["confirmation"] = checked.confirmation
    if checked.wants_contact:
        data["contact"] = verifier_of(request).contacts.as_json(answer.number)
    # Signing costs more than the lookup itself: receipts only for the clients that ask, report
    # tickets only for the few answers a forgery may be reported from.
    issued = verifier_of(request).issue_receipt(checked) if receipt else None
    if issued:
        data["receipt_url"] = receipt_url(request, issued.token)
        data["receipt_expires"] = issued.expires.astimezone(BEIJING).isoformat()
    if checked.reportable:
        data["report_ticket"] = report_ticket(request, checked, issued)
    return data


async def verify(request: Request) -> JSONResponse:
    """``POST /api/v1/verify``: one check, answered as `answer_json` says. The body is checked
    whole before anything is charged — a misspelt key is a 422, not a check of nothing — and a
    receipt asked for without a public address is refused before the check, not after it."""
    try:
        body = await json_body(request)
        item = request_item(body, "请求体")
        misspelt(body, ("number", "name", "confirm", "receipt"), "请求体")
        receipt = flag(body, "receipt")
    except InvalidRequest as exc:
        return exc.response()
    if receipt:
        public_base(request)  # the receipt's link can be made: else a check charged for a 400
    caller = caller_of(request)
    checked = await verifier_of(request).check_soon(caller, item, "api")
    return JSONResponse(answer_json(request, checked, receipt))


async def verify_batch(request: Request) -> JSONResponse:
    """``POST /api/v1/verify/batch``: many checks in one answer, in the order sent. A send
    repeated with its ``Idempotency-Key`` (a client retrying after a lost answer) gets the first
    answer again, marked replayed and charged nothing; the hourly allowance left is said in
    ``RateLimit-*`` headers, so that an HR system can pace its next batch."""
    try:
        key = key_of(request.headers)
        body = await json_body(request)
        checks = batch_items(body, "receipts")
        receipts = flag(body, "receipts")
    except InvalidRequest as exc:
        return exc.response()
    if receipts:
        public_base(request)
    caller = caller_of(request)
    verifier = verifier_of(request)
    retries = verifier.batch_retries
    send = None
    if key:
        try:  # its names hashed off the event loop
            send = await run_in_threadpool(retries.items_send, caller, key, checks)
        except InvalidRequest as exc:
            return exc.response()
    resent = send is not None and send.resent
    try:  # the key's claim held until the answer is remembered, or the send refused
        answers = await run_in_threadpool(
            verifier.check_many, caller, checks, "batch", charge=not resent
        )
        if send:
            await run_in_threadpool(retries.answered, send)
    finally:
        if send:
            await run_in_threadpool(retries.release, send)
    response = compressible(
        request, {"results": [answer_json(request, a, receipts) for a in answers]}
    )
    if resent:
        response.headers[REPLAYED] = "true"
    response.headers.update(await allowance_headers(request, caller))
    return response


async def allowance_headers(request: Request, caller: Caller) -> dict[str, str]:
    """The ``RateLimit-*`` headers of an answer that charged batch rows — a batch's, a watch
    list's —: the allowance ``caller`` pays from and what is left of it, none when unlimited
    (`verify_app.quotas.Quotas.batch_allowance`)."""
    quotas = verifier_of(request).quotas
    if allowance := await run_in_threadpool(quotas.batch_allowance, caller):
        limit, left = allowance
        return {"RateLimit-Limit": str(limit), "RateLimit-Remaining": str(left)}
    return {}


async def report(request: Request) -> JSONResponse:
    """``POST /api/v1/reports``: a suspected forgery reported from an answer's
    ``report_ticket`` (§五.(三)), as the report form under a result page sends it; charged to
    the API key sent with it (a wrong one is 401, as everywhere), else to the address."""
    caller = caller_of(request)
    try:
        ticket, contact, text = report_fields(await json_body(request))
        entry = reports.entry_of(request, ticket, contact, text)
    except InvalidRequest as exc:
        return exc.response()
    except reports.ReportProblem as exc:
        return JSONResponse({"error": "invalid", "message": str(exc)}, 422)
    try:
        key_id = caller.key.id if caller.key else None
        filed = await reports.store(request, entry, key_id)  # a spent day's allowance: 429
    except reports.NotStored:
        message = "报告暂时无法保存，请稍后再提交，或直接联系发证机关。"
        headers = {"Retry-After": "30"}  # as every 503 says when to try again
        return JSONResponse({"error": "server_error", "message": message}, 503, headers)
    contacts = verifier_of(request).contacts
    body = {
        "ref": filed.ref,
        "sent_at": filed.at,
        "number": filed.number,
        "contact": contacts.as_json(entry.number),
        "again": filed.again,
    }
    return JSONResponse(body, 200 if filed.again else 201)


def number(request: Request) -> JSONResponse:
    """The structure of a number (附件3): no registry data, so no rate limit or log."""
    typed = request.path_params["number"]
    try:
        parsed = parse(typed)
    except MalformedNumber as exc:
        return JSONResponse(
            {"error": "malformed", "message": str(exc), "number": typed[:MAX_NUMBER_CHARS]},
            status_code=422,
        )
    return JSONResponse(
        {
            "number": str(parsed),
            "letter": parsed.letter,
            "level": parsed.level,
            "year_code": parsed.year_code,
            "region": parsed.region,
            "region_name": parsed.region_name,
            "sequence": parsed.sequence,
            "authority": authority_name(PROVINCE if parsed.letter == "J" else parsed.region),
        }
    )


NEVER_LOADED = (
    "登记库中还没有导入过名册（或首次导入未完成）：每次查验都只会答“未查到”。"
    "请在登记库主机上运行 certreg sync"
)
"""What ``/healthz`` tells monitoring of a registry no roster was ever loaded into."""


def health(request: Request) -> JSONResponse:
    """Run on a worker thread (Starlette's, for a plain function): counting the certificates
    after a sync, and asking the shared store, may wait."""
    verifier = verifier_of(request)
    limits = verifier.limiter.limiter.where_counted()
    try:
        state = verifier.state()
    except (RegistryMismatch, RegistryUnreadable) as exc:  # for monitoring: no checks here
        body = {"error": "registry_unavailable", "message": str(exc)}
        return JSONResponse(body, 503, {"Retry-After": "60"})  # as the checks' 503 says
    if state.as_of is None:  # a first sync that failed left the tables and no certificate
        body = {"error": "registry_unavailable", "message": NEVER_LOADED}
        return JSONResponse(body, 503, {"Retry-After": "60"})
    disk = disk_trouble(verifier.settings.log_db.parent, verifier.settings.min_free_bytes)
    if disk is not None:  # every worker sees it, not only one whose write failed
        return JSONResponse({"error": "server_error", "message": disk}, 503, {"Retry-After": "30"})
    if verifier.log.unwritable:  # its checks are refused too: say why, for monitoring
        body = {"error": "server_error", "message": LOG_UNWRITABLE_SAID}
        return JSONResponse(body, 503, {"Retry-After": "30"})
    silent = silent_for(verifier.settings.db)
    if silent is not None and silent > STALE_SECONDS:  # its checks go on: the last it has
        said = FOLLOWER_SILENT.format("很久" if math.isinf(silent) else f" {silent:.0f} 秒")
        return JSONResponse(
            {"error": "registry_stale", "message": said}, 503, {"Retry-After": "30"}
        )
    secret_id, previous_secret_id = verifier.secret_ids
    return JSONResponse(
        {
            "status": "ok",
            "as_of": state.as_of,
            "certificates": state.certificates,
            "stale": verifier.is_stale(state.as_of),
            "limits": limits,
            "version": __version__,
            "secret_id": secret_id,
            "previous_secret_id": previous_secret_id,
            "follower_silent_seconds": None if silent is None else round(silent),
            "forwarded": forwarding(request),
        }
    )


FOLLOWER_SILENT = (
    "本副本跟随登记库的 certreg follow 已{}没有报告正常：它可能停止了（磁盘无法写入、进程被停止？）、"
    "连不上登记库主机的副本地址、正在追赶新版本，或没有采用登记库主机的新版本——比本副本正在使用的"
    "旧（多半是登记库主机用较早的备份恢复，日志中有“版本 … 未发布”），或由较早版本的 certreg 写成；"
    "在此期间查验仍按本副本现有的登记库回答，可能已不是最新。请查看 journalctl -u certreg-follow，"
    "需要时修好后重启它"
)
"""What ``/healthz`` tells monitoring of a replica whose follower's heartbeat stopped."""
LOG_UNWRITABLE_SAID = (
    "本副本的查验日志无法写入（磁盘已满或变为只读？），也就收不到登记库的新版本：在恢复写入之前，"
    "本副本对查验回答 503，请检查磁盘"
)
