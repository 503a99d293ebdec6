"""The two guards in front of every check (SPEC §7): the forms' CSRF token and the per-client
rate limit, on real Starlette requests and responses and a real ``limits`` limiter."""

from __future__ import annotations

import io
import math
import threading
import time
from http.cookies import SimpleCookie

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from tests.verify_fixtures import SECRET, clear_of_the_minute_turning
from verify_app.check_limiter import CheckLimiter
from verify_app.csrf import COOKIE, FIELD, LIFETIME, CsrfRejected, CsrfTokens
from verify_app.memory_store import SweptMemoryStorage
from verify_app.name_hashes import name_hash
from verify_app.refusals import RateLimited

cookie_values = st.from_regex(r"[A-Za-z0-9_-]{1,48}", fullmatch=True)


def browser_request(*, cookie: str | None = None, scheme: str = "http") -> Request:
    headers = [(b"cookie", f"{COOKIE}={cookie}".encode())] if cookie else []
    return Request(
        {
            "type": "http",
            "method": "GET",
            "scheme": scheme,
            "server": ("testserver", 443 if scheme == "https" else 80),
            "path": "/",
            "query_string": b"",
            "headers": headers,
        }
    )


def cookie_set_by(tokens: CsrfTokens, request: Request) -> SimpleCookie | None:
    response = Response()
    tokens.set_cookie(request, response)
    header = response.headers.get("set-cookie")
    return SimpleCookie(header) if header else None


def refusal(tokens: CsrfTokens, request: Request, form: FormData) -> str:
    with pytest.raises(CsrfRejected) as refused:
        tokens.check(request, form)
    return str(refused.value)


def test_a_new_browser_gets_one_cookie_however_many_forms_the_page_has() -> None:
    tokens = CsrfTokens(SECRET)
    request = browser_request()
    field = tokens.token_for(request)
    assert tokens.token_for(request) == field  # a second form on the same page
    cookie = cookie_set_by(tokens, request)
    assert cookie is not None
    value = cookie[COOKIE].value
    assert len(value) >= 32  # unguessable: at least 24 random bytes
    posted = browser_request(cookie=value)
    tokens.check(posted, FormData([(FIELD, field)]))  # accepted: the cookie and field agree


def test_a_browser_with_a_cookie_keeps_it_for_another_lifetime() -> None:
    """Set once for a day, the cookie was gone for a tab opened from a chat link yesterday:
    the check came back empty and a report's text was lost. Each form page sets it again."""
    tokens = CsrfTokens(SECRET)
    request = browser_request(cookie="kept-value")
    field = tokens.token_for(request)
    cookie = cookie_set_by(tokens, request)
    assert cookie is not None and cookie[COOKIE].value == "kept-value"
    assert int(cookie[COOKIE]["max-age"]) == LIFETIME >= 7 * 86_400
    tokens.check(browser_request(cookie="kept-value"), FormData([(FIELD, field)]))


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_cookie_is_secure_over_https_same_site_and_hidden_from_scripts(scheme: str) -> None:
    tokens = CsrfTokens(SECRET)
    request = browser_request(scheme=scheme)
    tokens.token_for(request)
    cookie = cookie_set_by(tokens, request)
    assert cookie is not None
    morsel = cookie[COOKIE]
    assert morsel["httponly"] is True
    assert (
        morsel["samesite"].lower() == "lax"
    )  # Strict would void open forms (test_employer_browser)
    assert bool(morsel["secure"]) is (scheme == "https")


def test_a_form_without_its_token_or_cookie_is_refused_as_missing() -> None:
    tokens = CsrfTokens(SECRET)
    request = browser_request()
    field = tokens.token_for(request)
    cookie = cookie_set_by(tokens, request)
    assert cookie is not None
    value = cookie[COOKIE].value
    upload = UploadFile(file=io.BytesIO(field.encode()), filename="token.txt")
    assert refusal(tokens, browser_request(), FormData([(FIELD, field)])) == "missing"
    assert refusal(tokens, browser_request(cookie=value), FormData()) == "missing"
    assert refusal(tokens, browser_request(cookie=value), FormData([(FIELD, upload)])) == "missing"


@given(value=cookie_values, other=cookie_values)
def test_a_token_for_another_cookie_or_secret_is_refused_as_a_mismatch(
    value: str, other: str
) -> None:
    tokens = CsrfTokens(SECRET)
    field = tokens.token_for(browser_request(cookie=value))
    elsewhere = CsrfTokens("another-secret-0123456789").token_for(browser_request(cookie=value))
    posted = browser_request(cookie=value)
    assert refusal(tokens, posted, FormData([(FIELD, elsewhere)])) == "mismatch"
    if other != value:
        assert refusal(tokens, browser_request(cookie=other), FormData([(FIELD, field)])) == (
            "mismatch"
        )


@given(value=cookie_values)
def test_a_form_token_is_never_a_keyed_name_hash(value: str) -> None:
    """Receipts publish keyed name hashes (in their URLs) under the same secret: a published
    hash must not be the form token of a cookie holding that name."""
    field = CsrfTokens(SECRET).token_for(browser_request(cookie=value))
    assert field != name_hash(SECRET, value)


# The rate limit


def _clear_of_the_minute_end() -> None:
    """``limits`` counts in windows aligned to the minute: start well inside one."""
    into = time.time() % 60
    if into > 55:
        time.sleep(60.5 - into)


def test_over_the_allowance_the_client_is_told_to_wait_for_the_window_to_end() -> None:
    limiter = CheckLimiter(3)
    _clear_of_the_minute_end()
    started = time.time()
    for _ in range(3):
        limiter.charge("192.0.2.1")
    with pytest.raises(RateLimited, match=r"查验过于频繁（每分钟最多 3 条），请 \d+ 秒后再试。"):
        limiter.charge("192.0.2.1")
    refused_at = time.time()
    window_end = (started // 60 + 1) * 60
    with pytest.raises(RateLimited) as refused:
        limiter.charge("192.0.2.1")
    retry = refused.value.retry_after
    assert math.ceil(window_end - time.time()) <= retry <= math.ceil(window_end - refused_at)
    assert refused.value.message == f"查验过于频繁（每分钟最多 3 条），请 {retry} 秒后再试。"
    limiter.charge("192.0.2.2")  # another client is not affected


def test_a_batch_larger_than_a_minute_allows_is_refused_outright() -> None:
    limiter = CheckLimiter(5)
    message = "本服务每个网络地址每分钟最多查验 5 条，本次提交了 6 条，请分成每批不超过 5 条提交。"
    with pytest.raises(RateLimited, match=message) as refused:
        limiter.charge("192.0.2.1", 6)
    assert refused.value.retry_after == 60
    assert refused.value.message == message
    limiter.charge("192.0.2.1", 5)  # nothing was counted for the refused batch


def test_refused_charges_count_nothing_and_empty_ones_nothing_either() -> None:
    clear_of_the_minute_turning()
    limiter = CheckLimiter(4)
    limiter.charge("192.0.2.1", 3)
    with pytest.raises(RateLimited):
        limiter.charge("192.0.2.1", 2)
    limiter.charge("192.0.2.1", 1)
    limiter.charge("192.0.2.1", 0)  # an empty batch, at the limit
    with pytest.raises(RateLimited):
        limiter.charge("192.0.2.1", 1)


def test_zero_turns_the_limit_off() -> None:
    limiter = CheckLimiter(0)
    for _ in range(100):
        limiter.charge("192.0.2.1", 50)


def test_counts_kept_in_memory_are_local() -> None:
    """In-process counts never wait on the network, so the app charges them inline."""
    assert CheckLimiter(5).local is True
    assert CheckLimiter(5, "memory://").local is True


def test_in_memory_counts_start_no_thread_and_expired_ones_are_swept_by_a_later_hit() -> None:
    """limits' own memory storage starts a timer thread after hits; ours sweeps inline."""
    storage = SweptMemoryStorage(sweep_seconds=0)
    threads = set(threading.enumerate())
    storage.incr("checks/192.0.2.1", expiry=-1)  # a window that has already passed
    storage.incr("checks/192.0.2.2", expiry=60)  # sweeps the passed one
    assert set(threading.enumerate()) <= threads
    assert "checks/192.0.2.1" not in storage.storage
    assert "checks/192.0.2.1" not in storage.expirations
    assert storage.get("checks/192.0.2.2") == 1


def test_in_memory_counts_past_their_window_read_zero_before_the_sweep() -> None:
    storage = SweptMemoryStorage()
    storage.incr("checks/192.0.2.1", expiry=-1)
    storage.incr("checks/192.0.2.2", expiry=60)
    assert "checks/192.0.2.1" in storage.expirations  # not swept yet
    assert storage.get("checks/192.0.2.1") == 0
