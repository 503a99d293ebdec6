"""A batch check sent again with its ``Idempotency-Key`` is checked again without being charged
again (`verify_app.batch_retries`): an HR system whose batch timed out could not tell whether
it had been charged, and its retry paid every row twice (an integrator's review)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from tests.test_employer_allowances import issue_key
from tests.verify_fixtures import (
    REVOKED,
    VALID,
    AppClient,
    app_client,
    clock,
    context_of,
    csrf_token,
    distinct_items,
    read_log,
    registry_db,
)
from verify_app import uploads as uploads_module
from verify_app.batch_files import read_batch
from verify_app.batch_retries import CLAIM_SECONDS, FREE_RELOADS, FREE_RESENDS, IN_PROGRESS
from verify_app.claims import Claims
from verify_app.quotas import Caller
from verify_app.uploads import ParseTime, UploadsBusy, UploadSlots

__all__ = ["app_client", "clock", "registry_db"]

BATCH = "/api/v1/verify/batch"
ADDRESS = "203.0.113.7"
"""The address `app_client`'s requests come from."""
KEY = {"Idempotency-Key": "3f2b8c1e-7d4a-4e59-9a61-2c0d5b8e4f17"}


def test_a_batch_resent_with_its_key_is_checked_again_uncharged(
    app_client: AppClient, registry_db: Path
) -> None:
    items = [{"number": VALID[0], "name": VALID[1]}, *distinct_items(2)]
    with app_client(batch_rows_per_hour=10) as client:
        first = client.post(BATCH, json={"items": items}, headers=KEY)
        again = client.post(BATCH, json={"items": items}, headers=KEY)
        unkeyed = [client.post(BATCH, json={"items": items}) for _ in range(2)]
        client.app.state.verifier.log.flush()
    # the same answers (each check has its own report ticket)
    assert strip_tickets(first.json()) == strip_tickets(again.json())
    assert [r["result"] for r in again.json()["results"]] == ["valid", "no_match", "no_match"]
    assert (first.headers["RateLimit-Remaining"], again.headers["RateLimit-Remaining"]) == (
        "7",
        "7",
    )
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    # without a key, a batch sent again pays again
    assert [r.headers["RateLimit-Remaining"] for r in unkeyed] == ["4", "1"]
    assert "Idempotent-Replayed" not in unkeyed[1].headers
    # checked again, not answered from a copy: the log has every check made
    assert [row["channel"] for row in read_log(registry_db)] == ["batch"] * 12


def test_the_same_key_with_other_items_is_refused_and_charges_nothing(
    app_client: AppClient, registry_db: Path
) -> None:
    _, api_key = issue_key(registry_db, per_day=20)
    bearer = {"Authorization": f"Bearer {api_key}"}
    with app_client(batch_rows_per_hour=10) as client:
        client.post(BATCH, json={"items": distinct_items(2)}, headers=KEY)
        other = client.post(BATCH, json={"items": distinct_items(3)}, headers=KEY)
        left = client.app.state.verifier.quotas.batch_left(ADDRESS)
        # a key is the caller's own: the same value sent by an API key is another batch
        keyed = client.post(BATCH, json={"items": distinct_items(3)}, headers=KEY | bearer)
        unusable = client.post(
            BATCH, json={"items": distinct_items(1)}, headers={"Idempotency-Key": "a b"}
        )
    assert other.status_code == 422
    assert other.json()["error"] == "idempotency_mismatch"
    assert "已用于另一批查验" in other.json()["message"]
    assert left == 8
    assert keyed.status_code == 200 and "Idempotent-Replayed" not in keyed.headers
    assert keyed.headers["RateLimit-Remaining"] == "17"
    assert unusable.status_code == 400 and "Idempotency-Key 应为" in unusable.json()["message"]


def test_resends_past_the_free_ones_are_charged(app_client: AppClient) -> None:
    """Enough for retries, too few to poll a list's statuses for nothing."""
    items = distinct_items(1)
    with app_client(batch_rows_per_hour=100) as client:
        sent = [
            client.post(BATCH, json={"items": items}, headers=KEY) for _ in range(FREE_RESENDS + 3)
        ]
    remaining = [int(answer.headers["RateLimit-Remaining"]) for answer in sent]
    assert remaining == [99] * (FREE_RESENDS + 1) + [98, 97]
    replayed = ["Idempotent-Replayed" in answer.headers for answer in sent]
    assert replayed == [False] + [True] * FREE_RESENDS + [False, False]


def test_a_refused_send_is_not_remembered(app_client: AppClient, registry_db: Path) -> None:
    """A send refused for its allowance was not charged: its resend is a first send, charged
    (had it been remembered, a resend once the day came back would have been free)."""
    key_id, api_key = issue_key(registry_db, per_day=3)
    bearer = {"Authorization": f"Bearer {api_key}"}
    with app_client() as client:
        client.post(BATCH, json={"items": distinct_items(2)}, headers=bearer)
        refused = client.post(BATCH, json={"items": distinct_items(2)}, headers=bearer | KEY)
        verifier = client.app.state.verifier
        send = verifier.batch_retries.send(
            Caller(ADDRESS, verifier.api_key(api_key)), KEY["Idempotency-Key"], b""
        )
    assert refused.status_code == 429
    assert send.first and not send.resent


def strip_tickets(answer: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    return [{k: v for k, v in r.items() if k != "report_ticket"} for r in answer["results"]]


def upload_form(client: TestClient, lines: str, form_id: str) -> httpx.Response:
    """The batch page's form sent as a browser sends it, reload included: the same fields."""
    fields = {"csrf_token": csrf_token(client), "form_id": form_id}
    return client.post("/batch", data=fields, files={"file": ("名单.csv", lines.encode())})


def test_a_reloaded_results_page_is_not_charged_again(app_client: AppClient) -> None:
    """A phone reloads a tab it comes back to, posting the form again, file and all: with the
    hour's allowance spent by the first send, the officer found a refusal in place of the
    results. The form's id makes the reload a resend; another file sent with the form kept by
    the Back button is a new batch, charged."""
    rows = "证书编号,姓名\n" + "".join(f"{d['number']},{d['name']}\n" for d in distinct_items(3))
    other = "证书编号,姓名\n" + f"{VALID[0]},{VALID[1]}\n"
    with app_client(batch_rows_per_hour=3) as client:
        page = client.get("/batch")
        form_id = context_of(page)["form_id"]
        first = upload_form(client, rows, form_id)
        reloaded = upload_form(client, rows, form_id)
        left = context_of(client.get("/batch"))["left"]
        backed = upload_form(client, other, form_id)
        unmarked = upload_form(client, rows, "")
    assert f'name="form_id" value="{form_id}"' in page.text  # what a browser posts back
    assert first.status_code == reloaded.status_code == 200
    assert context_of(reloaded)["summary"] == context_of(first)["summary"]
    assert context_of(first)["form_id"] != form_id  # the results' own form is a new one
    assert left == 0
    assert backed.status_code == unmarked.status_code == 429


def test_a_form_sent_twice_at_once_is_read_in_turn_and_paid_once(
    app_client: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A double tap on a slow network sent the form twice at once: both were charged, or the
    second told nothing was left; and two reloads at once, reserving nothing, held both parsing
    slots (reviews). An address's uploads take turns — the second waits for the first and is
    its resend — while another address's file is read; a resend's parse is timed like any."""
    rows = "证书编号,姓名\n" + f"{VALID[0]},{VALID[1]}\n"
    read = read_batch

    def slowly(*args: Any) -> Any:  # a file that takes a while to read
        time.sleep(0.5)
        return read(*args)

    monkeypatch.setattr(uploads_module, "read_batch", slowly)
    with app_client(batch_rows_per_hour=30, upload_concurrency=2) as client:
        form_id = context_of(client.get("/batch"))["form_id"]
        other = TestClient(client.app, client=("198.51.100.20", 1))
        with ThreadPoolExecutor(3) as pool:
            twice = [pool.submit(upload_form, client, rows, form_id) for _ in range(2)]
            elsewhere = pool.submit(upload_form, other, rows, "")
        left = context_of(client.get("/batch"))["left"]
        ParseTime(client.app.state.verifier.quotas).spend(Caller(ADDRESS), 3600)
        timed = upload_form(client, rows, form_id)
    assert [sent.result().status_code for sent in twice] == [200, 200]
    assert left == 29
    assert elsewhere.result().status_code == 200
    assert timed.status_code == 429 and "读取用时已满" in timed.text


def test_results_reloaded_many_times_are_not_charged_again(app_client: AppClient) -> None:
    """An officer switching between a chat and the results passed five reloads in minutes, and
    the sixth paid the whole list again (a phone review): a form has more free reloads than
    the API's retries, and past them it is charged as a new batch."""
    rows = "证书编号,姓名\n" + f"{VALID[0]},{VALID[1]}\n"
    with app_client(batch_rows_per_hour=100) as client:
        form_id = context_of(client.get("/batch"))["form_id"]
        for _ in range(1 + FREE_RELOADS):
            assert upload_form(client, rows, form_id).status_code == 200
        free = context_of(client.get("/batch"))["left"]
        upload_form(client, rows, form_id)
        past = context_of(client.get("/batch"))["left"]
    assert FREE_RELOADS > FREE_RESENDS
    assert (free, past) == (99, 98)


def test_an_upload_that_waited_its_turn_too_long_is_told_why(
    app_client: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wait, the read and the check stay within nginx's time for an upload: past its turn's
    wait, the second is told its own first file is still being read, and charged nothing."""
    rows = "证书编号,姓名\n" + f"{VALID[0]},{VALID[1]}\n"
    read = read_batch

    def slowly(*args: Any) -> Any:
        time.sleep(1.0)
        return read(*args)

    monkeypatch.setattr(uploads_module, "read_batch", slowly)
    monkeypatch.setattr(uploads_module, "TURN_SECONDS", 0.2)
    with app_client(batch_rows_per_hour=30) as client:
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(upload_form, client, rows, "")
            time.sleep(0.3)  # the first is being read
            second = pool.submit(
                upload_form, client, "证书编号,姓名\n" + f"{REVOKED[0]},{REVOKED[1]}\n", ""
            )
        left = context_of(client.get("/batch"))["left"]
    assert first.result().status_code == 200
    assert second.result().status_code == 503
    assert "另一份名单正在查验" in second.result().text
    assert left == 29


def test_turns_are_each_addresss_and_an_api_keys_files_take_none(
    app_client: AppClient, registry_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While an address's file is read, another address's goes ahead, and of the same
    address's next two one waits and one is refused at once (each holds its file while it
    waits); an API key's files are read together, as its reservations allow."""
    read = read_batch

    def slowly(*args: Any) -> Any:
        time.sleep(0.6)
        return read(*args)

    monkeypatch.setattr(uploads_module, "read_batch", slowly)
    _, api_key = issue_key(registry_db, per_day=100)
    rows = "证书编号,姓名\n" + f"{VALID[0]},{VALID[1]}\n"
    proxied = {"trusted_proxies": (ADDRESS,), "batch_rows_per_hour": 30}
    with app_client(upload_concurrency=4, **proxied) as client:
        token = csrf_token(client)

        def upload(who: str, keyed: bool = False) -> int:
            headers = {"X-Forwarded-For": who}
            if keyed:
                headers["Authorization"] = f"Bearer {api_key}"
            page: httpx.Response = client.post(
                "/batch",
                data={"csrf_token": token},
                files={"file": ("名单.csv", rows.encode())},
                headers=headers,
            )
            return page.status_code

        with ThreadPoolExecutor(4) as pool:
            first = pool.submit(upload, "192.0.2.1")
            time.sleep(0.2)  # its file being read
            same = [pool.submit(upload, "192.0.2.1") for _ in range(2)]
            elsewhere = pool.submit(upload, "192.0.2.2")
        with ThreadPoolExecutor(3) as pool:
            keyed = [pool.submit(upload, "192.0.2.3", True) for _ in range(3)]
    assert first.result() == 200
    assert sorted(sent.result() for sent in same) == [200, 503]
    assert elsewhere.result() == 200
    assert [sent.result() for sent in keyed] == [200, 200, 200]


def _turns(*arrivals: tuple[str, float, float]) -> list[str]:
    """Uploads of one address in one event loop: each (name, when it comes after the one
    before — an int of event-loop steps, or a float of seconds —, seconds it holds its turn);
    what each got, in order."""
    slots = UploadSlots(2)
    caller = Caller("192.0.2.1")

    async def upload(name: str, hold: float, said: list[str]) -> None:
        try:
            async with slots.turn(caller):
                said.append(f"{name}:in")
                await asyncio.sleep(hold)
        except UploadsBusy:
            said.append(f"{name}:busy")

    async def scenario() -> list[str]:
        said: list[str] = []
        tasks = []
        for name, after, hold in arrivals:
            if isinstance(after, float):
                await asyncio.sleep(after)
            for _ in range(after if isinstance(after, int) else 0):
                await asyncio.sleep(0)
            tasks.append(asyncio.create_task(upload(name, hold, said)))
        await asyncio.gather(*tasks)
        return said

    try:
        return asyncio.run(scenario())
    finally:
        slots.close()


def test_a_double_tap_waits_its_turn_however_soon_it_comes() -> None:
    """On Python 3.11 an uncontended acquire still yields once: a second send arriving then
    found the lock taken and the first still marked waiting, and was refused (a review)."""
    for steps in range(4):
        assert _turns(("A", 0, 0.05), ("B", steps, 0)) == ["A:in", "B:in"], steps


def test_one_upload_waits_at_a_time_at_every_hand_over() -> None:
    """A in its turn, B waiting: C is refused; once B has the turn, D may wait again."""
    said = _turns(("A", 0, 0.05), ("B", 1, 0.05), ("C", 1, 0))
    assert "C:busy" in said and [s for s in said if s.endswith(":in")] == ["A:in", "B:in"]
    late = _turns(("A", 0, 0.02), ("B", 1, 0.2), ("C", 0.1, 0), ("D", 1, 0))
    assert late.count("C:busy") + late.count("D:busy") == 1  # B in its turn, one of them waits
    assert [s for s in late if s.endswith(":in")][:2] == ["A:in", "B:in"]


def test_what_the_first_send_did_not_pay_for_is_no_free_resend(app_client: AppClient) -> None:
    """A file refused unread paid a row and got no answer: sent again it pays again. The same
    bytes under another file's name are another file."""
    rows = "证书编号,姓名\n" + f"{VALID[0]},{VALID[1]}\n"
    with app_client(batch_rows_per_hour=30) as client:
        form_id = context_of(client.get("/batch"))["form_id"]
        fields = {"csrf_token": csrf_token(client), "form_id": form_id}
        broken = ("名单.xlsx", b"PK\x03\x04 not a workbook")
        refused = [client.post("/batch", data=fields, files={"file": broken}) for _ in range(2)]
        after_refusals = context_of(client.get("/batch"))["left"]
        other_form = context_of(client.get("/batch"))["form_id"]
        first = upload_form(client, rows, other_form)
        renamed = client.post(
            "/batch",
            data={"csrf_token": csrf_token(client), "form_id": other_form},
            files={"file": ("另一个名单.csv", rows.encode())},
        )
        left = context_of(client.get("/batch"))["left"]
    assert [page.status_code for page in refused] == [400, 400]
    assert after_refusals == 28  # a row each
    assert first.status_code == renamed.status_code == 200
    assert left == 26  # the renamed file paid its row too


def test_an_ipv6_clients_retry_from_its_next_address_is_the_same_callers(
    app_client: AppClient,
) -> None:
    """Its allowances count an IPv6 client's /64; its retries are known the same way: a phone
    whose temporary address changed between the send and the retry paid again."""
    batch = {"items": distinct_items(2)}
    with app_client(batch_rows_per_hour=10) as client:
        first = TestClient(client.app, client=("2001:db8:1:2::10", 1))
        retried = TestClient(client.app, client=("2001:db8:1:2::99", 1))
        sent = first.post(BATCH, json=batch, headers=KEY)
        again = retried.post(BATCH, json=batch, headers=KEY)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert sent.headers["RateLimit-Remaining"] == again.headers["RateLimit-Remaining"] == "8"


def test_a_send_that_set_rows_aside_for_a_pause_is_not_remembered(
    app_client: AppClient,
) -> None:
    """Its paused rows were neither checked nor paid: remembered, its reload once the pause
    ended would have checked them for nothing (a review)."""
    rows = "证书编号,姓名\n" + f"{REVOKED[0]},{REVOKED[1]}\n{VALID[0]},{VALID[1]}\n"
    with app_client(batch_rows_per_hour=10, name_guesses_per_hour=1) as client:
        client.post("/api/v1/verify", json={"number": VALID[0], "name": "张伟明"})  # paused
        form_id = context_of(client.get("/batch"))["form_id"]
        pages = [upload_form(client, rows, form_id) for _ in range(2)]
        left = context_of(client.get("/batch"))["left"]
    assert [context_of(page)["results"][1]["label"] for page in pages] == ["未查验"] * 2
    assert left == 8  # the row checked, paid on each send


class HeldCheck:
    """The app's `Verifier.check_many` with its first call held at a gate until the test
    opens it: a send of a key still being checked, for as long as the test needs — the calls
    after it go straight through."""

    def __init__(self, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
        verifier = client.app.state.verifier  # type: ignore[attr-defined]
        self.check_many = verifier.check_many
        self.entered, self.gate = threading.Event(), threading.Event()
        monkeypatch.setattr(verifier, "check_many", self.held)

    def held(self, *args: Any, **kwargs: Any) -> Any:
        """The app's check, the first one once the gate is opened."""
        if not self.entered.is_set():
            self.entered.set()
            assert self.gate.wait(60), "the test never opened the gate"
        return self.check_many(*args, **kwargs)

    @contextmanager
    def first(self, send: Callable[[], httpx.Response]) -> Iterator[Future[httpx.Response]]:
        """``send`` run until its check is held; the gate opened when the block ends."""
        with ThreadPoolExecutor(1) as pool:
            sent = pool.submit(send)
            try:
                assert self.entered.wait(60), "the first send never reached its check"
                yield sent
            finally:
                self.gate.set()


def test_a_send_of_a_key_whose_first_is_being_checked_is_told_to_come_back_uncharged(
    app_client: AppClient, registry_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client that timed out and retried while its first send was still being checked paid
    twice — eight sends of one key at once were six charged in full (an integrator's review).
    The first holds its key: another send of it meanwhile gets 409 with Retry-After, neither
    checked nor charged, and sent again once the first is answered it is the free resend.
    Another key goes ahead meanwhile."""
    batch = {"items": distinct_items(3)}
    with app_client(batch_rows_per_hour=20) as client:
        held = HeldCheck(client, monkeypatch)
        with held.first(lambda: client.post(BATCH, json=batch, headers=KEY)) as sent:
            during = [client.post(BATCH, json=batch, headers=KEY) for _ in range(2)]
            other_key = client.post(BATCH, json=batch, headers={"Idempotency-Key": "another"})
            left_during = client.app.state.verifier.quotas.batch_left(ADDRESS)
        first = sent.result()
        again = client.post(BATCH, json=batch, headers=KEY)
        client.app.state.verifier.log.flush()
    assert [answer.status_code for answer in during] == [409, 409]
    assert during[0].headers["Retry-After"] == "2"
    assert during[0].json() == {"error": "idempotency_in_progress", "message": IN_PROGRESS}
    assert "仍在查验中" in IN_PROGRESS and "Idempotency-Key" in IN_PROGRESS
    assert other_key.status_code == 200 and left_during == 17  # only the other key's batch
    assert first.status_code == 200 and "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.headers["RateLimit-Remaining"] == again.headers["RateLimit-Remaining"] == "14"
    # the first, the other key's and the free resend: the sends told to come back checked nothing
    assert len(read_log(registry_db)) == 9


def test_a_refused_first_send_lets_its_key_go(
    app_client: AppClient, registry_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first send refused for its key's day holds its key only while it is being checked: its
    resend then is a first send, charged (here: refused again), not told to wait forever."""
    _, api_key = issue_key(registry_db, per_day=3)
    bearer = {"Authorization": f"Bearer {api_key}"}
    batch = {"items": distinct_items(2)}
    with app_client() as client:
        held = HeldCheck(client, monkeypatch)
        with held.first(lambda: client.post(BATCH, json=batch, headers=bearer | KEY)) as sent:
            waiting = client.post(BATCH, json=batch, headers=bearer | KEY)
            # the day's allowance spent meanwhile by a batch without the key
            spent = client.post(BATCH, json={"items": distinct_items(2)}, headers=bearer)
        refused = sent.result()
        again = client.post(BATCH, json=batch, headers=bearer | KEY)
    assert waiting.status_code == 409
    assert spent.status_code == 200
    assert refused.status_code == again.status_code == 429
    assert again.json()["reason"] == "key_daily"


def test_a_claim_ends_at_its_bound_and_only_its_holder_releases_it() -> None:
    """A worker that died holding a key blocks it for the claim's bound, no longer; a holder
    that outlasted it does not release the claim a later send took meanwhile."""
    now = [0.0]
    claims = Claims(clock=lambda: now[0])
    held = claims.take("resend/k", CLAIM_SECONDS)
    assert held is not None and claims.take("resend/k", CLAIM_SECONDS) is None
    assert claims.take("resend/other", CLAIM_SECONDS) is not None
    now[0] = CLAIM_SECONDS
    later = claims.take("resend/k", CLAIM_SECONDS)
    assert later is not None
    claims.release(held)  # the first holder, late: the later one's claim stands
    assert claims.take("resend/k", CLAIM_SECONDS) is None
    claims.release(later)
    assert claims.take("resend/k", CLAIM_SECONDS) is not None


def test_the_schema_and_the_manual_say_a_send_in_progress_is_409(app_client: AppClient) -> None:
    """Clients generate code from /openapi.json: the 409 a batch may get, its Retry-After and
    its code are there, and so in the manual rendered from it."""
    with app_client() as client:
        document = client.get("/openapi.json").json()
        manual = client.get("/docs").text
    answer = document["paths"][BATCH]["post"]["responses"]["409"]
    assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "Retry-After" in answer["headers"] and "idempotency_in_progress" in answer["description"]
    codes = document["components"]["schemas"]["Error"]["properties"]["error"]["description"]
    assert "idempotency_in_progress（" in codes
    assert '<td role="cell" class="mono">409</td>' in manual
    assert manual.count("idempotency_in_progress") >= 3  # the prose, the answer, the codes
