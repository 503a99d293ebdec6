"""The bound on guessing a holder's name (SPEC §7 abuse limits, `verify_app.guesses`): a number
is no secret, so the names a caller may try against one number are bounded, not only the pace."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from httpx2 import Response
from starlette.datastructures import Secret
from starlette.testclient import TestClient

from tests.test_employer_allowances import issue_key
from tests.test_redis_limits import redis_server
from tests.verify_fixtures import (
    REVOKED,
    SECRET,
    VALID,
    AppClient,
    Clock,
    app_client,
    clock,
    context_of,
    csrf_token,
    post_check,
    read_log,
    registry_db,
)
from verify_app.answers import Item
from verify_app.app import create_app
from verify_app.quotas import Caller
from verify_app.refusals import OverAllowance, RateLimited
from verify_app.service import Verifier
from verify_app.settings import Settings

__all__ = ["app_client", "clock", "registry_db"]


@pytest.fixture(params=["memory", "redis"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where the counts live: this process, or a real Redis shared by replicas — where a
    check's counters and marks are read and counted together, in one round trip each."""
    if request.param == "memory":
        yield "memory://"
    else:
        with redis_server(tmp_path / "redis") as server:
            yield server.url


NUMBER, NAME = VALID
WRONG = ["张伟明", "张建明", "张志明"]


def test_names_past_the_bound_pause_the_number_for_that_caller_whatever_the_name(
    app_client: AppClient, registry_db: Path
) -> None:
    """Forty candidate names for one number found the holder's. After three that do not match,
    the right name is refused as a wrong one is: the refusal tells nothing of the name."""
    with app_client(name_guesses_per_hour=3) as client:
        answers = [
            client.post("/api/v1/verify", json={"number": NUMBER, "name": name})
            for name in [*WRONG, WRONG[0]]
        ]
        right = client.post("/api/v1/verify", json={"number": NUMBER, "name": NAME})
        another_number = client.post(
            "/api/v1/verify", json={"number": "Z1122020123", "name": "周杰"}
        )
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    # the same wrong name again is no new guess, but fits only while the counter has room: a
    # pause answers every name alike
    assert answers[3].status_code == 429
    assert right.status_code == 429 and "为防止有人猜测持证人姓名" in right.json()["message"]
    # of a number not registered as of one that is: the pause says nothing of which it is
    assert "登记" not in right.json()["message"]
    # a program learns which number waits, and that it is not its own pace: it may drop that
    # item and go on with the rest (a batch waiting out the hour stalled all its items)
    assert right.json()["reason"] == "number_paused" and right.json()["numbers"] == [NUMBER]
    assert int(right.headers["Retry-After"]) > 0
    assert another_number.status_code == 200  # only the number guessed at waits
    assert len(read_log(registry_db)) == 4  # what was refused was not looked up


def test_a_batch_is_told_every_paused_number_at_once(app_client: AppClient) -> None:
    """Two numbers paused in one batch: the refusal named the first, the batch sent again
    without it was refused for the second — the advice is to drop them all and send the rest."""
    other = ("C1122000001", "陈静")
    with app_client(name_guesses_per_hour=2) as client:
        for number in (NUMBER, other[0]):
            for name in WRONG:
                client.post("/api/v1/verify", json={"number": number, "name": name})
        items = [{"number": n, "name": name} for n, name in (VALID, other, ("Z1122020123", "周杰"))]
        refused = client.post("/api/v1/verify/batch", json={"items": items})
        rest = client.post(
            "/api/v1/verify/batch",
            json={"items": [i for i in items if i["number"] not in refused.json()["numbers"]]},
        )
    assert refused.status_code == 429 and refused.json()["numbers"] == [NUMBER, other[0]]
    assert f"证书编号 {NUMBER}、{other[0]} 在一小时内" in refused.json()["message"]
    assert rest.status_code == 200 and rest.json()["results"][0]["result"] == "valid"


def test_a_repeated_wrong_name_is_one_guess(app_client: AppClient) -> None:
    with app_client(name_guesses_per_hour=2) as client:
        statuses = [
            client.post("/api/v1/verify", json={"number": NUMBER, "name": WRONG[0]}).status_code
            for _ in range(5)
        ]
        right = client.post("/api/v1/verify", json={"number": NUMBER, "name": NAME})
    assert statuses == [200] * 5 and right.json()["result"] == "valid"


def test_another_caller_is_not_paused(app_client: AppClient) -> None:
    """The bound is per caller: a stranger's guesses do not stop an employer's check."""
    with app_client(("198.51.100.9", 1), name_guesses_per_hour=2) as stranger:
        for name in WRONG:
            stranger.post("/api/v1/verify", json={"number": NUMBER, "name": name})
    with app_client(name_guesses_per_hour=2) as employer:
        answer = employer.post("/api/v1/verify", json={"number": NUMBER, "name": NAME})
    assert answer.status_code == 200 and answer.json()["result"] == "valid"


def test_a_batch_of_many_names_for_one_number_is_refused_unread(
    app_client: AppClient, registry_db: Path
) -> None:
    items = [{"number": NUMBER, "name": name} for name in [*WRONG, NAME]]
    with app_client(name_guesses_per_hour=3) as client:
        refused = client.post("/api/v1/verify/batch", json={"items": items})
        fewer = client.post("/api/v1/verify/batch", json={"items": items[2:]})
    assert refused.status_code == 422 and refused.json()["error"] == "too_many"
    assert f"证书编号 {NUMBER} 一次配了 4 个不同的姓名" in refused.json()["message"]
    assert refused.json()["numbers"] == [NUMBER]  # which items to fix, for a program
    assert [r["result"] for r in fewer.json()["results"]] == ["no_match", "valid"]
    assert len(read_log(registry_db)) == 2


def test_zero_turns_the_bound_off(app_client: AppClient) -> None:
    with app_client(name_guesses_per_hour=0) as client:
        for name in WRONG * 3:
            client.post("/api/v1/verify", json={"number": NUMBER, "name": name + "x"})
        right = client.post("/api/v1/verify", json={"number": NUMBER, "name": NAME})
    assert right.json()["result"] == "valid"


def test_a_watch_form_with_many_names_for_one_number_says_so(app_client: AppClient) -> None:
    """Its refusal was the watch form's for a list larger than the hour's batch allowance."""
    lines = "\n".join(f"{NUMBER} {name}" for name in [*WRONG, NAME])
    with app_client(name_guesses_per_hour=3) as client:
        page = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
    assert page.status_code == 422
    assert f"证书编号 {NUMBER} 一次配了 4 个不同的姓名" in context_of(page)["error"]


@pytest.mark.parametrize("names_each", [10, 1])
def test_batches_sent_at_once_together_try_no_more_names_than_the_bound(
    registry_db: Path, storage: str, names_each: int
) -> None:
    """Read before the lookups and counted after them, thirty batches sent at once each found
    the number's names unspent: together they tried seventy names of one number. Batches of one
    name each (or watch lists: every such check runs on a worker thread) took the single
    check's path, which only reads the counter — right on the event loop, where checks run one
    at a time — and tried up to forty-six."""
    settings = Settings(
        db=registry_db, secret=Secret(SECRET), rate_limit_storage=storage, rate_limit=0, batch_rows_per_hour=0,
        name_guesses_per_hour=10,
    )  # fmt: skip
    verifier = Verifier(settings)
    verifier.start()
    start = threading.Barrier(30)
    tried: list[int] = []

    def batch(offset: int) -> None:
        names = [Item(NUMBER, f"张{offset * 10 + i}明") for i in range(names_each)]
        start.wait()
        try:
            tried.append(len(verifier.check_many(Caller("203.0.113.7"), names, "batch")))
        except RateLimited:
            pass

    threads = [threading.Thread(target=batch, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    verifier.close()
    assert sum(tried) == 10


def test_a_name_typed_in_the_number_field_is_no_key_in_the_store(registry_db: Path) -> None:
    """A batch with its columns swapped (关羽 | Z1122020123): each name became a key of the
    shared store (Redis) for two hours, in clear. Only a number's shape is counted."""
    settings = Settings(db=registry_db, secret=Secret(SECRET), name_guesses_per_hour=10)
    verifier = Verifier(settings)
    verifier.start()
    try:
        swapped = [Item("关羽", "Z1122020123"), Item("ZHOUJIE", "周杰"), Item(NUMBER, "张伟明")]
        reserved = verifier.guesses.reserve(Caller("203.0.113.7"), swapped)
    finally:
        verifier.close()
    assert list(reserved.tags) == [f"names/203.0.113.7/{NUMBER}", f"names/all/{NUMBER}"]


def upload_with_number_paused(app_client: AppClient, *rows: tuple[str, str]) -> Response:
    """The batch page's answer to a CSV of ``rows`` (number, name) from a client whose one wrong
    name has paused `NUMBER` for its hour."""
    with app_client(name_guesses_per_hour=1) as client:
        client.post("/api/v1/verify", json={"number": NUMBER, "name": WRONG[0]})
        upload = "证书编号,姓名\n" + "".join(f"{number},{name}\n" for number, name in rows)
        page: Response = client.post(
            "/batch",
            data={"csrf_token": csrf_token(client)},
            files={"file": ("list.csv", upload.encode(), "text/csv")},
        )
    return page


def test_the_batch_page_names_a_paused_number_not_the_batch_allowance(
    app_client: AppClient,
) -> None:
    """Refused for the number's names, the upload page said 批量查验额度不够."""
    page = upload_with_number_paused(app_client, (NUMBER, NAME))
    assert page.status_code == 429
    assert context_of(page)["error"].startswith("该编号暂停查验：")
    assert "咨询：" in context_of(page)["error"]  # whom to ask, as the single check says


def test_the_batch_page_checks_the_other_rows_and_names_the_paused_one(
    app_client: AppClient,
) -> None:
    """One paused number refused a whole list of 300, every other row unchecked and none named
    (an employer's review): its rows are set aside, each saying why, the rest answered."""
    page = upload_with_number_paused(app_client, REVOKED, (NUMBER, NAME))
    assert page.status_code == 200
    revoked, paused = context_of(page)["results"]
    assert (revoked["row"], revoked["result"]) == ("2", "revoked")
    assert (paused["row"], paused["label"]) == ("3", "未查验")
    assert paused["advice"].startswith("该编号暂停查验：") and "咨询：" in paused["advice"]


def test_a_paused_number_says_for_how_many_minutes_and_that_the_right_name_waits_too(
    app_client: AppClient,
) -> None:
    with app_client(name_guesses_per_hour=1) as client:
        client.post("/api/v1/verify", json={"number": NUMBER, "name": WRONG[0]})
        refused = client.post("/api/v1/verify", json={"number": NUMBER, "name": NAME})
    message = refused.json()["message"]
    assert re.search(r"暂停查验这个编号约 \d+ 分钟，在此之前用正确的姓名查验也会被拒绝", message)


def test_the_form_marks_a_paused_number_as_the_field_at_fault(app_client: AppClient) -> None:
    """The pause is about the number typed: a screen reader heard the message but no field."""
    with app_client(name_guesses_per_hour=1) as client:
        client.post("/api/v1/verify", json={"number": NUMBER, "name": WRONG[0]})
        page = post_check(client, NUMBER, NAME)
    assert page.status_code == 429
    assert re.search(
        r'id="number"[^>]*aria-invalid="true" aria-describedby="form-error ', page.text
    )
    assert not re.search(r'id="name"[^>]*aria-invalid', page.text)
    # its title says which refusal it is, as the API's does: not a typing error (未能查验)
    assert "<title>该编号暂停查验 · 证书查验" in page.text
    # told to ask the issuing department, it is told whom: as a 未查到 answer does
    assert "咨询：" in page.text and "电话" in page.text


def test_a_blank_name_is_no_guess(app_client: AppClient) -> None:
    """A row without a name is checked for nothing (未查验): it was counted as a name tried."""
    items = [{"number": NUMBER, "name": ""}, {"number": NUMBER, "name": NAME}]
    with app_client(name_guesses_per_hour=1) as client:
        answers = client.post("/api/v1/verify/batch", json={"items": items})
    assert [r["result"] for r in answers.json()["results"]] == ["malformed", "valid"]


def test_a_name_of_invisible_characters_alone_is_no_guess_in_a_single_check(
    app_client: AppClient,
) -> None:
    """A code review: a single check took a name of only U+200B for a name tried (a batch's
    row did not), and a caller at the bound was refused for it — though the lookup answers
    未查验 without looking at any holder."""
    with app_client(name_guesses_per_hour=1) as client:
        first = client.post("/api/v1/verify", json={"number": NUMBER, "name": WRONG[0]})
        blank = client.post("/api/v1/verify", json={"number": NUMBER, "name": "\u200b"})
    assert first.status_code == 200
    assert blank.status_code == 200 and blank.json()["result"] == "malformed"


def test_a_batch_page_with_many_names_for_one_number_is_titled_so(app_client: AppClient) -> None:
    upload = "证书编号,姓名\n" + "".join(f"{NUMBER},{name}\n" for name in [*WRONG, NAME])
    with app_client(name_guesses_per_hour=3) as client:
        page = client.post(
            "/batch",
            data={"csrf_token": csrf_token(client)},
            files={"file": ("list.csv", upload.encode(), "text/csv")},
        )
    assert page.status_code == 422
    # the form again, the list in it: what to change is in the list
    assert context_of(page)["error"].startswith("同一编号配了太多姓名：")
    assert 'name="entries"' in page.text


def bounded(registry_db: Path, storage: str, *, per_hour: int, per_day: int) -> Settings:
    """Settings with the name-guess bound alone: no per-minute or batch allowance in the way."""
    return Settings(
        db=registry_db,
        secret=Secret(SECRET),
        rate_limit_storage=storage,
        rate_limit=0,
        batch_rows_per_hour=0,
        name_guesses_per_hour=per_hour,
        name_guesses_per_day=per_day,
    )


def test_many_addresses_together_try_no_more_names_than_a_day_allows(
    registry_db: Path, storage: str, clock: Clock
) -> None:
    """A pen-tester changed address every ten names and found 周杰 behind Z1122020123 after
    fifteen tries from two addresses (a receipt shows 周*): anonymous callers share a day's
    names per number. Past them every anonymous check of it waits, the right name too; an HR
    system's key, bounded on its own, goes on."""
    settings = bounded(registry_db, storage, per_hour=2, per_day=4)
    app = create_app(settings, clock=clock)
    _, key = issue_key(registry_db, per_day=100)
    names = ["张伟明", "张建明", "张志明", "张国明", "张立明"]
    with TestClient(app, client=("203.0.113.1", 1)):
        answers = [  # a new address every two names: each within its own hour
            TestClient(app, client=(f"203.0.113.{10 + i // 2}", 1)).post(
                "/api/v1/verify", json={"number": NUMBER, "name": name}
            )
            for i, name in enumerate(names)
        ]
        stranger = TestClient(app, client=("198.51.100.7", 1))
        right = stranger.post("/api/v1/verify", json={"number": NUMBER, "name": NAME})
        keyed = stranger.post(
            "/api/v1/verify",
            json={"number": NUMBER, "name": NAME},
            headers={"Authorization": f"Bearer {key}"},
        )
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert right.status_code == 429 and right.json()["reason"] == "number_paused"
    assert "登记" not in right.json()["message"]  # nothing of whether the number is registered
    assert "所有查验者合计每天最多 4 个" in right.json()["message"]
    assert keyed.status_code == 200 and keyed.json()["result"] == "valid"


def test_an_api_key_tries_no_more_names_a_day_than_a_day_allows(
    registry_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An API key's hourly bound alone let it try 240 names a day against each number: a key is
    bounded by the day's names on its own as well. Past them its checks of that number wait for
    the day, the right name too; another key and anonymous callers go on."""
    now = [(time.time() // 86400 + 1) * 86400 + 60]  # early in a day: the day's window is one
    monkeypatch.setattr(time, "time", lambda: now[0])  # the clock of the limiter's windows
    settings = bounded(registry_db, "memory://", per_hour=2, per_day=4)
    _, key = issue_key(registry_db, per_day=100)
    _, other = issue_key(registry_db, per_day=100, name="另一家医院")

    def check(client: TestClient, name: str, bearer: str | None = key) -> Response:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        return client.post("/api/v1/verify", json={"number": NUMBER, "name": name}, headers=headers)

    with TestClient(create_app(settings)) as client:
        answers = []
        for names in (WRONG[:2], ["张国明", "张立明"]):  # each hour's worth, two hours apart
            answers += [check(client, name) for name in names]
            now[0] += 2 * 3600 + 1
        right = check(client, NAME)
        another_key = check(client, NAME, other)
        anonymous = check(client, NAME, None)
    assert [a.status_code for a in answers] == [200] * 4
    assert {a.json()["result"] for a in answers} == {"no_match"}
    assert right.status_code == 429 and right.json()["reason"] == "number_paused"
    assert right.json()["numbers"] == [NUMBER]
    assert "每个密钥每天最多 4 个" in right.json()["message"]
    assert "登记" not in right.json()["message"]  # nothing of whether the number is registered
    assert another_key.json()["result"] == anonymous.json()["result"] == "valid"


def test_a_batch_of_more_names_than_a_day_set_below_the_hour_allows_is_refused_unread(
    registry_db: Path, storage: str
) -> None:
    """A day's bound set below the hour's: three names for one number passed the hour's test,
    and the wait for the day's counter divided by its empty count — a 500 (a code review)."""
    _, key = issue_key(registry_db, per_day=100)
    items = [{"number": NUMBER, "name": name} for name in WRONG]
    with TestClient(create_app(bounded(registry_db, storage, per_hour=4, per_day=2))) as client:
        answers = [
            client.post("/api/v1/verify/batch", json={"items": items}, headers=headers)
            for headers in ({}, {"Authorization": f"Bearer {key}"})
        ]
    for answer in answers:
        assert answer.status_code == 422 and answer.json()["error"] == "too_many"
        assert "一次最多配 2 个姓名" in answer.json()["message"]


def test_a_batch_sent_again_is_told_it_names_more_than_fits_not_that_the_number_is_paused(
    registry_db: Path, storage: str
) -> None:
    """An integrator's review: a batch of six wrong names sent again after a timeout was told
    the number was paused for 78 minutes, the right name too — which then went through. Six
    more do not fit beside the six counted; one does."""
    names = ["张伟明", "张建明", "张志明", "张国明", "张立明", "张文明"]
    batch = {"items": [{"number": NUMBER, "name": name} for name in names]}
    with TestClient(create_app(bounded(registry_db, storage, per_hour=10, per_day=0))) as client:
        first = client.post("/api/v1/verify/batch", json=batch)
        again = client.post("/api/v1/verify/batch", json=batch)
        right = client.post("/api/v1/verify", json={"number": NUMBER, "name": NAME})
    assert first.status_code == 200
    assert again.status_code == 429 and again.json()["numbers"] == [NUMBER]
    assert "比现在还可以试的多" in again.json()["message"]
    assert "用正确的姓名查验也会被拒绝" not in again.json()["message"]
    assert right.status_code == 200 and right.json()["result"] == "valid"


def test_an_api_key_s_day_is_counted_in_the_shared_store(registry_db: Path, storage: str) -> None:
    """Replicas share a key's day of names as they share its hour: a batch (counted by the
    store's script) and a single check (counted in this process, or in Redis) alike."""
    settings = bounded(registry_db, storage, per_hour=4, per_day=2)
    _, key = issue_key(registry_db, per_day=100)
    bearer = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(settings)) as client:
        batch = client.post(
            "/api/v1/verify/batch",
            json={"items": [{"number": NUMBER, "name": name} for name in WRONG[:2]]},
            headers=bearer,
        )
        single = client.post(
            "/api/v1/verify", json={"number": NUMBER, "name": NAME}, headers=bearer
        )
    assert batch.status_code == 200
    assert single.status_code == 429 and "每个密钥每天最多 2 个" in single.json()["message"]


@pytest.mark.parametrize("name", [NAME, WRONG[0]])
def test_one_name_checked_many_times_at_once_is_one_guess(
    registry_db: Path, storage: str, name: str
) -> None:
    """Each check reserved its name before the lookup: with Redis, eleven checks of one number
    in flight at once — the right name, sent by an HR system's retries or a busy office — left
    no room, and the twelfth was refused as if ten names had not matched."""
    settings = Settings(
        db=registry_db, secret=Secret(SECRET), rate_limit_storage=storage, name_guesses_per_hour=10
    )
    verifier = Verifier(settings)
    verifier.start()
    caller = Caller("203.0.113.7")
    try:
        in_flight = [verifier.guesses.reserve(caller, [Item(NUMBER, name)]) for _ in range(11)]
        checked = verifier.check_many(caller, [Item(NUMBER, name)], "batch")
        for reservation in in_flight:  # answered as the check above was
            verifier.guesses.settle(caller, reservation, checked)
        others = [Item(NUMBER, f"张{i}明") for i in range(10)]
        left = 9 if checked[0].answer.result == "no_match" else 10  # names this hour allows
        answered = verifier.check_many(caller, others[:left], "batch")
        with pytest.raises(RateLimited):  # and no more: the name was counted once
            verifier.check_many(caller, others[left:] or [Item(NUMBER, "李四")], "batch")
    finally:
        verifier.close()
    assert checked[0].answer.result == ("valid" if name == NAME else "no_match")
    assert [c.answer.result for c in answered] == ["no_match"] * left


@pytest.mark.parametrize("charged", ["single", "batch", "key"])
def test_a_request_refused_for_a_paused_number_costs_no_allowance(
    app_client: AppClient, registry_db: Path, charged: str
) -> None:
    """A number is no secret: anyone may pause it for a caller's address by trying names. The
    refusals the employer then meets give back what they were charged — the per-minute checks,
    the hour's batch rows, the key's day — or pausing a number spent its checker's allowance."""
    headers = {}
    if charged == "key":
        headers = {"Authorization": f"Bearer {issue_key(registry_db, per_day=4)[1]}"}
    other = {"number": "Z1122020123", "name": "周杰"}
    check = {"number": NUMBER, "name": NAME}
    path, body = "/api/v1/verify", dict[str, object](check)
    with app_client(rate_limit=4, batch_rows_per_hour=4, name_guesses_per_hour=1) as client:
        client.post(path, json={"number": NUMBER, "name": WRONG[0]}, headers=headers)
        if charged == "batch":
            path, body = "/api/v1/verify/batch", {"items": [check, check]}
        refused = [client.post(path, json=body, headers=headers) for _ in range(3)]
        # what is left: 3 of the minute's or the key's day (one went on the wrong name), 4 rows
        rest = (
            [client.post("/api/v1/verify/batch", json={"items": [other] * 4})]
            if charged == "batch"
            else [client.post("/api/v1/verify", json=other, headers=headers) for _ in range(3)]
        )
    assert all(r.status_code == 429 and r.json()["reason"] == "number_paused" for r in refused)
    assert [r.status_code for r in rest] == [200] * len(rest)


def test_a_check_refused_for_its_allowance_counts_none_of_its_names(registry_db: Path) -> None:
    """Names were counted before the allowance was charged: a caller whose allowance was spent
    had every refused request's names counted — on the counter anonymous callers share too, so
    that a few refused batches paused a number for everyone. The allowance is charged first."""
    settings = Settings(
        db=registry_db, secret=Secret(SECRET), batch_rows_per_hour=1, name_guesses_per_hour=2
    )
    verifier = Verifier(settings)
    verifier.start()
    caller = Caller("203.0.113.7")
    try:
        with pytest.raises(OverAllowance):  # two rows where the hour allows one
            verifier.check_many(caller, [Item(NUMBER, name) for name in WRONG[:2]], "batch")
        for name in WRONG[:2]:  # counted now, each
            verifier.check_many(caller, [Item(NUMBER, name)], "api", single=True)
        with pytest.raises(RateLimited) as paused:
            verifier.check_many(caller, [Item(NUMBER, WRONG[2])], "api", single=True)
    finally:
        verifier.close()
    assert paused.value.reason == "number_paused"


def test_whether_a_check_fits_tells_nothing_of_names_tried_before(
    registry_db: Path, storage: str
) -> None:
    """Had a name already tried needed no room, a number's last room would have let a pair
    [candidate, another] through only when the candidate had been tried before — by the
    employer who checked the right name — and refused pairs cost nothing: an oracle. And a
    paused number's wait was shorter for a batch holding the right name."""
    settings = Settings(
        db=registry_db, secret=Secret(SECRET), rate_limit_storage=storage, name_guesses_per_hour=3
    )
    verifier = Verifier(settings)
    verifier.start()
    caller = Caller("203.0.113.7")
    try:
        verifier.check_many(caller, [Item(NUMBER, NAME)], "batch")  # the employer's check
        for name in WRONG[:2]:  # one name's room left
            verifier.check_many(caller, [Item(NUMBER, name)], "batch")
        refusals = []
        for candidate in (NAME, "张丙明"):
            with pytest.raises(RateLimited) as refused:
                verifier.check_many(caller, [Item(NUMBER, candidate), Item(NUMBER, "某")], "batch")
            refusals.append(refused.value.retry_after)
        verifier.check_many(caller, [Item(NUMBER, "张丁明")], "batch")  # the last room
        for candidate in (NAME, "张丙明"):
            with pytest.raises(RateLimited) as refused:
                verifier.check_many(caller, [Item(NUMBER, candidate), Item(NUMBER, "某")], "batch")
            refusals.append(refused.value.retry_after)
    finally:
        verifier.close()
    # (a second may turn between two refusals)
    assert abs(refusals[0] - refusals[1]) <= 1 and abs(refusals[2] - refusals[3]) <= 1


def test_a_caller_refused_on_its_own_counter_counts_nothing_on_the_shared_one(
    registry_db: Path,
    storage: str,
) -> None:
    """Counted key by key, a caller past its own hour still had its names counted on the day's
    counter all anonymous callers share: one address paused a number for every employer."""
    settings = Settings(
        db=registry_db, secret=Secret(SECRET), rate_limit_storage=storage, rate_limit=0, batch_rows_per_hour=0,
        name_guesses_per_hour=3, name_guesses_per_day=5,
    )  # fmt: skip
    verifier = Verifier(settings)
    verifier.start()
    attacker = Caller("198.51.100.9")
    try:
        for i in range(20):  # three answered, the rest refused on the attacker's own hour
            with contextlib.suppress(RateLimited):
                verifier.check_many(attacker, [Item(NUMBER, f"张{i}明")], "batch")
        employer = verifier.check_many(Caller("203.0.113.7"), [Item(NUMBER, NAME)], "batch")
    finally:
        verifier.close()
    assert employer[0].answer.result == "valid"
