"""Allowances that fit real use (issue #16): batch rows on their own hourly allowance, HR systems
on their API key's daily quota, a revoked or unknown key refused at once with a 401."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from registry import store
from registry.store import keys
from tests.datasette_fixtures import (
    staff_rows,
)
from tests.verify_fixtures import (
    MALFORMED,
    NO_MATCH_WRONG_NAME,
    REISSUED,
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
    unknown_number,
)
from verify_app.check_limiter import CheckLimiter
from verify_app.quotas import Caller, Quotas, seconds_to_beijing_midnight

__all__ = ["app_client", "clock", "registry_db"]

CHECK = {"number": VALID[0], "name": VALID[1]}
DEFAULTS = {"rate_limit": 30, "batch_rows_per_hour": 300}
"""The shipped defaults (Settings' own), which the test fixture turns off."""


def issue_key(db: Path, per_day: int, name: str = "某某医院人事处") -> tuple[int, str]:
    conn = store.connect(db)
    try:
        issued, key = keys.issue(conn, name, per_day, "test")
    finally:
        conn.close()
    return issued.id, key


def revoke_key(db: Path, key_id: int) -> None:
    conn = store.connect(db)
    try:
        keys.revoke(conn, key_id)
    finally:
        conn.close()


def _upload(client: object, rows: int, start: int = 0) -> object:
    lines = "工号,证书编号,姓名,部门\n" + "".join(
        f"E{start + i:04d},{unknown_number(start + i)},{VALID[1]},后勤处\n" for i in range(rows)
    )
    return client.post(  # type: ignore[attr-defined]
        "/batch",
        data={"csrf_token": csrf_token(client)},  # type: ignore[arg-type]
        files={"file": ("名单.csv", lines.encode())},
    )


def test_the_batch_page_states_the_allowance_before_the_upload(app_client: AppClient) -> None:
    with app_client(**DEFAULTS) as client:
        before = client.get("/batch")
        _upload(client, 40)
        after = client.get("/batch")
    assert "每小时最多查验 <strong>300</strong> 行" in before.text
    assert "本小时您还可查验 <strong>300</strong> 行" in before.text
    assert "本小时您还可查验 <strong>260</strong> 行" in after.text
    assert context_of(after)["left"] == 260


def test_the_batch_page_says_a_file_it_cannot_use_costs_a_row(app_client: AppClient) -> None:
    """A refused file keeps costing one row (hostile files are not free): the page said nothing
    of it, and an HR officer saw the allowance fall for a file that checked nothing."""
    with app_client(**DEFAULTS) as client:
        refused = client.post(
            "/batch",
            data={"csrf_token": csrf_token(client)},
            files={"file": ("名单.xlsx", b"not a workbook")},
        )
        after = client.get("/batch")
    assert refused.status_code == 400
    assert context_of(after)["left"] == 299
    assert "无法使用的文件（超过行数上限、不是表格等）计 1 行" in after.text


def test_an_office_can_upload_40_rows_and_then_two_files_of_10_after_some_checks(
    app_client: AppClient,
) -> None:
    """The issue's report: 40 rows gave 429, two 10-row files after a few checks too."""
    with app_client(**DEFAULTS) as client:
        forty = _upload(client, 40)
        singles = [client.post("/api/v1/verify", json=CHECK).status_code for _ in range(25)]
        tens = [_upload(client, 10, start=100 + 10 * i) for i in range(2)]
    assert forty.status_code == 200  # type: ignore[attr-defined]
    assert len(forty.context["results"]) == 40  # type: ignore[attr-defined]
    assert singles == [200] * 25
    assert [t.status_code for t in tens] == [200, 200]  # type: ignore[attr-defined]


def test_batch_rows_and_single_checks_do_not_eat_each_others_allowance(
    app_client: AppClient,
) -> None:
    with app_client(rate_limit=2, batch_rows_per_hour=10) as client:
        batch = client.post("/api/v1/verify/batch", json={"items": distinct_items(10)})
        singles = [client.post("/api/v1/verify", json=CHECK).status_code for _ in range(3)]
        more = client.post("/api/v1/verify/batch", json={"items": [CHECK]})
    assert batch.status_code == 200
    assert singles == [200, 200, 429]
    assert more.status_code == 429
    assert "每个网络地址每小时最多 10 行" in more.json()["message"]
    assert int(more.headers["Retry-After"]) > 0


def test_a_batch_larger_than_the_whole_allowance_is_to_split_not_to_retry(
    app_client: AppClient, registry_db: Path
) -> None:
    """No wait makes 301 rows fit an allowance of 300 an hour, nor 6 a key's 5 a day: a 429
    with Retry-After had a client that follows it retry for ever. It is a 422 saying to split."""
    _, key = issue_key(registry_db, per_day=5)
    with app_client(**DEFAULTS) as client:
        response = client.post("/api/v1/verify/batch", json={"items": distinct_items(301)})
        keyed = client.post(
            "/api/v1/verify/batch",
            json={"items": distinct_items(6)},
            headers={"Authorization": f"Bearer {key}"},
        )
        fits = client.post("/api/v1/verify/batch", json={"items": distinct_items(300)})
    assert (response.status_code, keyed.status_code) == (422, 422)
    assert "Retry-After" not in response.headers and "Retry-After" not in keyed.headers
    assert response.json()["error"] == keyed.json()["error"] == "too_many"
    message = response.json()["message"]
    assert "每小时最多 300 行，本次提交了 301 行" in message and "接口密钥" in message
    assert "每天（北京时间）可查验 5 条，本次提交了 6 条" in keyed.json()["message"]
    assert fits.status_code == 200  # nothing was charged for the refused ones


def test_an_upload_with_nothing_left_is_told_so_without_a_row_count(app_client: AppClient) -> None:
    """An upload is charged before its rows are known: with the hour's rows spent, the refusal
    says how long to wait, not "1 row submitted" nor "submit fewer rows"."""
    with app_client(rate_limit=30, batch_rows_per_hour=10) as client:
        spent = client.post("/api/v1/verify/batch", json={"items": distinct_items(10)})
        upload = _upload(client, 10)
    assert spent.status_code == 200
    assert upload.status_code == 429  # type: ignore[attr-defined]
    text = upload.text  # type: ignore[attr-defined]
    assert "现在还可查验 0 行" in text and "分钟后再试" in text
    assert "本次提交了" not in text and "减少行数" not in text


def test_a_key_has_its_own_daily_quota_and_the_log_names_it(
    app_client: AppClient, registry_db: Path
) -> None:
    key_id, key = issue_key(registry_db, per_day=5)
    bearer = {"Authorization": f"Bearer {key}"}
    with app_client(rate_limit=1, batch_rows_per_hour=1) as client:
        batch = client.post(
            "/api/v1/verify/batch", json={"items": distinct_items(4)}, headers=bearer
        )
        single = client.post("/api/v1/verify", json=CHECK, headers=bearer)
        over = client.post("/api/v1/verify", json=CHECK, headers=bearer)
        anonymous = client.post("/api/v1/verify", json=CHECK)  # the address's own, untouched
        used = client.app.state.verifier.quotas.key_used(
            keys.ApiKey(key_id, "某某医院人事处", 5, "", None)
        )
        client.app.state.verifier.log.flush()
    assert (batch.status_code, single.status_code) == (200, 200)  # 4 + 1 > the anonymous 1 + 1
    assert over.status_code == 429
    assert "每天（北京时间）可查验 5 条，今天已用 5 条" in over.json()["message"]
    assert (over.json()["reason"], over.json()["remaining"]) == ("key_daily", 0)
    assert 0 < int(over.headers["Retry-After"]) <= 86_400
    assert anonymous.status_code == 200
    assert used == 5
    logged = [(row["channel"], row["key_id"]) for row in read_log(registry_db)]
    assert logged == [("batch", key_id)] * 4 + [("api", key_id), ("api", None)]


def test_a_batch_answer_says_what_is_left_of_its_allowance(
    app_client: AppClient, registry_db: Path
) -> None:
    """An HR system could learn its allowance ran out only from the 429 (an integrator's
    review): each batch answer says what it pays from and what is left."""
    _, key = issue_key(registry_db, per_day=10)
    with app_client(batch_rows_per_hour=8) as client:
        anonymous = client.post("/api/v1/verify/batch", json={"items": distinct_items(3)})
        keyed = client.post(
            "/api/v1/verify/batch",
            json={"items": distinct_items(4)},
            headers={"Authorization": f"Bearer {key}"},
        )
    with app_client(batch_rows_per_hour=0) as client:
        unlimited = client.post("/api/v1/verify/batch", json={"items": [CHECK]})
    assert (anonymous.headers["RateLimit-Limit"], anonymous.headers["RateLimit-Remaining"]) == (
        "8",
        "5",
    )
    assert (keyed.headers["RateLimit-Limit"], keyed.headers["RateLimit-Remaining"]) == ("10", "6")
    assert "RateLimit-Remaining" not in unlimited.headers


def test_a_watch_list_answer_says_what_is_left_of_the_batch_allowance(
    app_client: AppClient, registry_db: Path
) -> None:
    """A watch list charges batch rows, and its 201 did not say what was left of them, as a
    batch answer does (an integrator's review): the HR system met the 429 of its next batch."""
    _, key = issue_key(registry_db, per_day=10)
    items = [CHECK, {"number": REISSUED[0], "name": REISSUED[1]}]
    retry = {"Idempotency-Key": "list-1"}
    with app_client(batch_rows_per_hour=8) as client:
        anonymous = client.post("/api/v1/watches", json={"items": items}, headers=retry)
        resent = client.post("/api/v1/watches", json={"items": items}, headers=retry)
        keyed = client.post(
            "/api/v1/watches", json={"items": [CHECK]}, headers={"Authorization": f"Bearer {key}"}
        )
        documented = client.get("/openapi.json").json()
    with app_client(batch_rows_per_hour=0) as client:
        unlimited = client.post("/api/v1/watches", json={"items": [CHECK]})
    assert [anonymous.status_code, resent.status_code, keyed.status_code] == [201, 201, 201]
    allowances = [
        (r.headers["RateLimit-Limit"], r.headers["RateLimit-Remaining"])
        for r in (anonymous, resent, keyed)
    ]
    assert allowances == [("8", "6"), ("8", "6"), ("10", "9")]  # the resend charged nothing
    assert "RateLimit-Remaining" not in unlimited.headers
    said = documented["paths"]["/api/v1/watches"]["post"]["responses"]["201"]["headers"]
    batch = documented["paths"]["/api/v1/verify/batch"]["post"]["responses"]["200"]["headers"]
    assert said["RateLimit-Remaining"] == batch["RateLimit-Remaining"]


def test_a_watch_list_refused_after_its_checks_says_what_is_left_of_the_allowance(
    app_client: AppClient,
) -> None:
    """A list refused as no_match, malformed or revoked was checked and charged, but said
    nothing of the allowance, as its 201 does (a review): an HR system correcting it met the
    429 of its next batch. A refusal before any check (a body of the wrong shape) charged
    nothing and says none."""
    refused = [
        [CHECK, {"number": NO_MATCH_WRONG_NAME[0], "name": NO_MATCH_WRONG_NAME[1]}],
        [CHECK, {"number": MALFORMED[0], "name": MALFORMED[1]}],
        [CHECK, {"number": REVOKED[0], "name": REVOKED[1]}],
    ]
    with app_client(batch_rows_per_hour=8) as client:
        sent = [client.post("/api/v1/watches", json={"items": items}) for items in refused]
        unread = client.post("/api/v1/watches", json={"items": "G1122000001"})
        documented = client.get("/openapi.json").json()
    assert [(r.status_code, r.json()["error"]) for r in sent] == [
        (422, "no_match"),
        (422, "malformed"),
        (422, "revoked"),
    ]
    assert [r.headers["RateLimit-Remaining"] for r in sent] == ["6", "4", "2"]
    assert sent[0].headers["RateLimit-Limit"] == "8"
    assert (unread.status_code, "RateLimit-Remaining" in unread.headers) == (422, False)
    said = documented["paths"]["/api/v1/watches"]["post"]["responses"]["422"]["headers"]
    assert set(said) == {"RateLimit-Limit", "RateLimit-Remaining"}


def test_a_feed_read_with_a_key_is_charged_to_the_key_and_a_wrong_key_refused(
    app_client: AppClient, registry_db: Path
) -> None:
    """An HR system polling its watch lists spent its address's minute of single checks though
    it sent its key, and a key mistyped on a feed was read as no key at all."""
    key_id, key = issue_key(registry_db, per_day=100)
    bearer = {"Authorization": f"Bearer {key}"}
    with app_client(rate_limit=2, batch_rows_per_hour=10) as client:
        created = client.post("/api/v1/watches", json={"items": [CHECK]}, headers=bearer)
        feed = created.json()["json_url"]
        reads = [client.get(feed, headers=bearer).status_code for _ in range(4)]
        anonymous = [client.get(feed).status_code for _ in range(3)]
        wrong = client.get(feed, headers={"Authorization": "Bearer crk_never-issued"})
        used = client.app.state.verifier.quotas.key_used(
            keys.ApiKey(key_id, "某某医院人事处", 100, "", None)
        )
    assert created.status_code == 201
    assert reads == [200] * 4  # past the address's 2 a minute: the key's day pays
    assert anonymous == [200, 200, 429]  # the address's own minute, untouched by the key's
    assert wrong.status_code == 401 and wrong.json()["error"] == "bad_key"
    assert used == 1 + 4  # the list's row, then each read


def test_a_revoked_key_is_refused_at_the_next_request(
    app_client: AppClient, registry_db: Path
) -> None:
    key_id, key = issue_key(registry_db, per_day=100)
    bearer = {"Authorization": f"Bearer {key}"}
    with app_client() as client:
        before = client.post("/api/v1/verify", json=CHECK, headers=bearer)
        revoke_key(registry_db, key_id)
        after = client.post("/api/v1/verify", json=CHECK, headers=bearer)
        batch = client.post("/api/v1/verify/batch", json={"items": [CHECK]}, headers=bearer)
    assert before.status_code == 200
    assert after.status_code == batch.status_code == 401
    assert (
        after.json()["message"] == "接口密钥无效或已被吊销。请向发证机关核实；吊销的密钥立即失效。"
    )
    assert after.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_registry_that_cannot_be_read_is_no_revoked_key(
    app_client: AppClient, registry_db: Path
) -> None:
    """A registry failing under the app (here its keys' table gone, as in a damaged file) is a
    503 to retry, not a 401 telling the HR system its good key was revoked — and it names the
    registry, not the verification log (``server_error``) a monitor would look at instead."""
    _, key = issue_key(registry_db, per_day=100)
    bearer = {"Authorization": f"Bearer {key}"}
    with app_client() as client:
        assert client.post("/api/v1/verify", json=CHECK, headers=bearer).status_code == 200
        conn = sqlite3.connect(registry_db)
        conn.execute("DROP TABLE api_keys")
        conn.close()
        broken = client.post("/api/v1/verify", json=CHECK, headers=bearer)
    assert broken.status_code == 503
    assert "Retry-After" in broken.headers
    assert broken.json()["error"] == "registry_unavailable"
    assert "吊销" not in broken.text


@pytest.mark.parametrize(
    ("header", "message", "error"),
    [
        ("Bearer crk_not-a-key-that-was-ever-issued", "接口密钥无效或已被吊销", "invalid_token"),
        ("Bearer ", "Authorization 请求头应为“Bearer 接口密钥”", "invalid_request"),
        ("Basic dXNlcjpwYXNz", "Authorization 请求头应为“Bearer 接口密钥”", None),
    ],
)
def test_a_bad_key_is_a_401_never_an_anonymous_check(
    app_client: AppClient, registry_db: Path, header: str, message: str, error: str | None
) -> None:
    with app_client() as client:  # allowances off: an anonymous check would be answered
        responses = [
            client.post("/api/v1/verify", json=CHECK, headers={"Authorization": header}),
            client.post(
                "/api/v1/verify/batch", json={"items": [CHECK]}, headers={"Authorization": header}
            ),
            client.post(
                "/api/v1/watches", json={"items": [CHECK]}, headers={"Authorization": header}
            ),
        ]
        client.app.state.verifier.log.flush()
    assert [r.status_code for r in responses] == [401] * 3
    assert all(message in r.json()["message"] for r in responses)
    # RFC 6750 §3.1: a token that is no good, a Bearer header without one, no Bearer at all
    challenge = 'Bearer realm="certreg"' + (f', error="{error}"' if error else "")
    assert all(r.headers["WWW-Authenticate"] == challenge for r in responses)
    assert read_log(registry_db) == []  # nothing was checked


def test_keys_are_stored_as_hashes_never_the_key(app_client: AppClient, registry_db: Path) -> None:
    key_id, key = issue_key(registry_db, per_day=100)
    with app_client() as client:
        assert (
            client.post(
                "/api/v1/verify", json=CHECK, headers={"Authorization": f"Bearer {key}"}
            ).status_code
            == 200
        )
        client.app.state.verifier.log.flush()
    for path in (registry_db, registry_db.parent / "verify_log.db"):
        dump = "\n".join(sqlite3.connect(path).iterdump())
        assert key not in dump, path
    registry = "\n".join(sqlite3.connect(registry_db).iterdump())
    assert keys.key_hash(key) in registry


def test_keys_count_beijing_days() -> None:
    # 2026-11-30 15:59:59 UTC is 23:59:59 in Beijing: one second to the key's next day
    assert seconds_to_beijing_midnight(1796054399.0) == 1
    assert seconds_to_beijing_midnight(1796054400.0) == 86_400


@pytest.mark.anyio
async def test_staff_see_each_keys_use_per_day(
    app_client: AppClient, registry_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, key = issue_key(registry_db, per_day=100)
    second, other = issue_key(registry_db, per_day=100, name="某某学校")
    with app_client() as client:
        for bearer, items in ((key, 3), (other, 1)):
            client.post(
                "/api/v1/verify/batch",
                json={"items": distinct_items(items)},
                headers={"Authorization": f"Bearer {bearer}"},
            )
        client.post("/api/v1/verify", json=CHECK)  # anonymous: not a key's
        client.app.state.verifier.log.flush()
    used = await staff_rows(registry_db, monkeypatch, "/verify_log/key_usage.json", {"天数": ""})
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    assert [(r["密钥编号"], r["日期（北京时间）"], r["查验条数"]) for r in used] == [
        (first, today, 3),
        (second, today, 1),
    ]


def test_an_upload_past_the_allowance_gives_the_form_back_with_the_list(
    app_client: AppClient,
) -> None:
    """The refusal was a page with a link back to an empty form: a list pasted on a phone, from
    a chat, was lost with it."""
    pasted = "".join(f"{unknown_number(i)} {VALID[1]}\n" for i in range(100))
    with app_client(**DEFAULTS) as client:
        _upload(client, 250)
        over = _upload(client, 100)
        typed = client.post("/batch", data={"csrf_token": csrf_token(client), "entries": pasted})
    assert over.status_code == typed.status_code == 429  # type: ignore[attr-defined]
    assert typed.headers["Retry-After"]
    error = typed.context["error"]
    assert error.startswith("本小时的批量查验额度不够") and "减少行数" in error, error
    assert typed.context["entries"] == pasted and 'name="entries"' in typed.text


@pytest.mark.parametrize("before_the_hour", [2, 3598])
def test_a_refused_batch_is_told_to_wait_for_room_for_all_its_rows(
    app_client: AppClient, monkeypatch: pytest.MonkeyPatch, before_the_hour: int
) -> None:
    """100 rows over 50 left: room for one row comes back in seconds, room for 100 only when
    the counted rows weigh little enough. A client obeying a Retry-After of 2 seconds was
    refused again and again; obeying this one, it is let in, and not a minute before."""
    hour = 3600
    now = [(time.time() // hour + 1) * hour - before_the_hour]
    monkeypatch.setattr(time, "time", lambda: now[0])  # the clock of the limiter's windows
    batch = {"items": distinct_items(100)}
    with app_client(batch_rows_per_hour=300) as client:
        assert (
            client.post("/api/v1/verify/batch", json={"items": distinct_items(250)}).status_code
            == 200
        )
        over = client.post("/api/v1/verify/batch", json=batch)
        assert over.status_code == 429
        # what fits now, for a program to send a smaller batch at once
        assert (over.json()["reason"], over.json()["remaining"]) == ("batch_hourly", 50)
        wait = int(over.headers["Retry-After"])
        assert f"请 {-(-wait // 60)} 分钟后再试" in over.json()["message"]
        now[0] += wait - 60
        assert client.post("/api/v1/verify/batch", json=batch).status_code == 429
        now[0] += 60
        assert client.post("/api/v1/verify/batch", json=batch).status_code == 200


def test_a_file_too_long_for_the_hour_is_refused_with_the_figure_the_page_gives(
    app_client: AppClient,
) -> None:
    """The page said 单个文件最多 300 行; a file of 501 rows was told 一次最多查验 500 行, and
    one of 301 rows 每批不超过 300 行 — and both of an HTTP header an officer cannot use."""
    line = f"{VALID[0]},{VALID[1]}\n"
    with app_client(batch_rows_per_hour=300) as client:
        form = client.get("/batch")
        answers = [
            client.post(
                "/batch",
                data={"csrf_token": csrf_token(client)},
                files={"file": ("名单.csv", ("证书编号,姓名\n" + line * rows).encode())},
            )
            for rows in (301, 501)
        ]
    assert "单个文件最多 <strong>300</strong> 行" in form.text
    for answer, rows in zip(answers, (301, 501), strict=True):
        assert answer.status_code == 400
        error = answer.context["error"]
        assert f"一次最多查验 300 行，此文件第2行至第{rows + 1}行中有 {rows} 行要查验" in error
        assert "Authorization" not in error


def test_an_upload_with_a_key_is_paid_from_the_key_and_a_bad_key_is_refused(
    app_client: AppClient, registry_db: Path
) -> None:
    """The upload page took a key for nothing: a keyed HR system's file was charged to its
    address's hourly rows, and a bogus key got an anonymous answer. It is reserved from and paid
    by the key's day (with the address's hour spent), a file refused costs the key a row, a key
    with nothing left is refused before its file is read, and a bad key is a 401, as on the API;
    a browser's Basic credentials (a site behind auth_basic) are no key and change nothing."""
    key_id, key = issue_key(registry_db, per_day=23)
    bearer = {"Authorization": f"Bearer {key}"}

    def upload(client: Any, rows: int, headers: dict[str, str], body: bytes | None = None) -> Any:
        lines = "证书编号,姓名\n" + "".join(
            f"{unknown_number(i)},{VALID[1]}\n" for i in range(rows)
        )
        return client.post(
            "/batch",
            data={"csrf_token": csrf_token(client)},
            files={"file": ("名单.csv", body if body is not None else lines.encode())},
            headers=headers,
        )

    with app_client(rate_limit=30, batch_rows_per_hour=5) as client:
        anonymous = upload(client, 5, {})
        spent = upload(client, 1, {})  # the address's hour is spent
        keyed = upload(client, 20, bearer)
        junk = upload(client, 0, bearer, b"\x00\x01 not a spreadsheet")
        page = client.get("/batch", headers=bearer).text
        last = upload(client, 2, bearer)  # 23 - 20 - 1 = 2 left
        nothing_left = upload(client, 1, bearer)
        bogus = upload(client, 1, {"Authorization": "Bearer crk_not-a-key-that-was-ever-issued"})
        basic = upload(client, 1, {"Authorization": "Basic dXNlcjpwYXNz"})
        client.app.state.verifier.log.flush()
    assert (anonymous.status_code, spent.status_code) == (200, 429)
    assert keyed.status_code == 200 and len(keyed.context["results"]) == 20
    assert junk.status_code == 400
    assert (
        f"按接口密钥（编号 {key_id}）的每日额度计算，今天（北京时间）还可查验 <strong>2</strong> 行"
        in page
    )
    assert last.status_code == 200
    assert nothing_left.status_code == 429 and "每天（北京时间）可查验 23 条" in nothing_left.text
    assert bogus.status_code == 401 and bogus.json()["error"] == "bad_key"
    assert basic.status_code == 429  # anonymous: the address's spent hour, not a refused key
    logged = [(row["channel"], row["key_id"]) for row in read_log(registry_db)]
    assert logged == [("batch", None)] * 5 + [("batch", key_id)] * 22


def test_an_upload_reserved_before_midnight_is_given_back_to_that_day() -> None:
    """A keyed upload's reservation went back to the day its parse ended: reserved at 23:59:59
    and released after midnight, it made the next day's count negative — a day and a half of
    checks."""
    now = [dt.datetime(2026, 12, 2, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=8)))]
    quotas = Quotas(
        CheckLimiter(30),
        batch_rows_per_hour=300,
        reports_per_day=5,
        clock=lambda: now[0].timestamp(),
    )
    key = keys.ApiKey(7, "某某医院人事处", 100, "", None)
    reservation = quotas.reserve_upload(Caller("10.0.0.1", key))
    now[0] += dt.timedelta(seconds=2)  # the file is read past midnight
    quotas.release_upload(reservation, reservation.rows)
    assert quotas.key_used(key) == 0 and quotas.key_left(key) == 100


def test_reports_with_a_key_are_the_keys_and_a_wrong_key_is_refused(
    app_client: AppClient, registry_db: Path
) -> None:
    """An HR developer's review: a report sent with a mistyped key was filed anonymously, a
    watch list deleted with one too; and a hospital behind one address shared its few reports a
    day with every office there though it sent its key."""
    _, key = issue_key(registry_db, per_day=100)
    bearer = {"Authorization": f"Bearer {key}"}
    wrong = {"Authorization": "Bearer crk_never-issued"}
    unknown = {"number": "G1122009999", "name": VALID[1]}
    with app_client(reports_per_day=1) as client:

        def report(headers: dict[str, str]) -> Any:
            ticket = client.post("/api/v1/verify", json=unknown).json()["report_ticket"]
            return client.post(
                "/api/v1/reports", json={"ticket": ticket, "text": "查不到"}, headers=headers
            )

        refused = report(wrong)
        keyed, anonymous, spent = report(bearer), report({}), report(bearer)
        made = client.post("/api/v1/watches", json={"items": [CHECK]}).json()["json_url"]
        kept = client.delete(made, headers=wrong)
        gone = client.delete(made)
    assert refused.status_code == 401 and refused.json()["error"] == "bad_key"
    assert (keyed.status_code, anonymous.status_code) == (201, 201)  # a day each
    assert spent.status_code == 429 and spent.json()["message"].startswith("每个接口密钥每天")
    assert (kept.status_code, gone.status_code) == (401, 204)


def test_a_wait_past_the_hour_says_the_hour_slides(app_client: AppClient) -> None:
    """每小时最多 10 行 … 请 105 分钟后再试 read as a mistake (a phone review): a wait past an
    hour says why."""
    with app_client(batch_rows_per_hour=10) as client:
        first = client.post("/api/v1/verify/batch", json={"items": distinct_items(8)})
        # all ten rows back takes the rest of this hour and the whole next one, wherever in the
        # hour the test runs (eight of another number of rows could fit sooner)
        second = client.post("/api/v1/verify/batch", json={"items": distinct_items(10)})
        third = client.post("/api/v1/verify/batch", json={"items": distinct_items(2)})
    assert first.status_code == 200 and second.status_code == 429
    assert int(second.headers["Retry-After"]) > 3600
    assert "额度按滑动的一小时计算，一次用完的要约两小时才全部恢复" in second.json()["message"]
    assert third.status_code == 200  # what is left fits at once


def test_a_row_repeated_exactly_is_charged_once(app_client: AppClient) -> None:
    """A roster merged from two offices' lists carries their shared applicants twice: the
    twin's answer tells nothing more, so it is not paid again — unless it types something
    else from the paper, whose confirmation is an answer of its own."""
    typed_twice = [dict(CHECK, confirm={"level": level}) for level in ("技师", "高级工")]
    spaced = {"number": f"{VALID[0][:1]} {VALID[0][1:]}".lower(), "name": f" {VALID[1]}"}
    with app_client(batch_rows_per_hour=10) as client:
        repeated = client.post("/api/v1/verify/batch", json={"items": [CHECK, spaced, CHECK]})
        confirmed = client.post("/api/v1/verify/batch", json={"items": typed_twice})
        uploaded = _upload(client, 1) and _upload(client, 1)  # each upload is a batch of its own
        left = context_of(client.get("/batch"))["left"]
    assert [r["result"] for r in repeated.json()["results"]] == ["valid"] * 3
    assert repeated.headers["RateLimit-Remaining"] == "9"
    assert confirmed.headers["RateLimit-Remaining"] == "7"
    assert uploaded.status_code == 200  # type: ignore[attr-defined]
    assert left == 5


def test_a_refused_batch_with_repeats_says_what_it_sent_and_what_was_counted(
    app_client: AppClient,
) -> None:
    """ "本次提交了 6 行" for a list of 12 read as a mistake (a review): the rows sent are said
    beside the rows counted, its repeats once."""
    with app_client(batch_rows_per_hour=5) as client:
        refused = client.post("/api/v1/verify/batch", json={"items": distinct_items(6) * 2})
    assert refused.status_code == 422
    assert "本次提交了 12 行（重复的行只计一次，计 6 行）" in refused.json()["message"]
