"""Staff Datasette against hostile visitors (issue #13): login guessing, sessions, headers, CSV, SQL.

Through Datasette's own client with the shipped configuration, and once over real HTTP against
a running ``certreg browse`` (with a real browser for the Content-Security-Policy).
"""

from __future__ import annotations

import asyncio
import base64
import codecs
import csv
import hashlib
import io
import json
import logging
import re
import secrets
import sqlite3
import time
import zlib
from collections.abc import Iterator
from http.cookies import Morsel, SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import sqlite_utils
from datasette.app import Datasette
from datasette.plugins import pm
from datasette.utils import baseconv
from datasette_auth_passwords.utils import hash_password, verify_password
from hypothesis import given
from hypothesis import strategies as st

from datasette_config import config_dir
from datasette_config.labels import shown_value
from datasette_config.launch import datasette_environment
from datasette_config.plugins.certreg_access_log import FAILED_QUERY
from datasette_config.plugins.certreg_csv import CsvNeutraliser
from datasette_config.plugins.certreg_login import LOCK_STRIPES
from datasette_config.session_cookies import session_cookie
from datasette_config.sessions import SESSIONS_FILE, password_stamp
from datasette_config.staff import AccountProblem, dummy_hash, staff_accounts
from registry.public.access_log import STAFF_LOGGER
from registry.sheets.formulas import as_text, neutralise
from tests.datasette_fixtures import (
    SAMPLES,
    STAFF_HASH,
    STAFF_PASSWORD,
    STAFF_USER,
    log_in,
    running_browse,
    shipped_datasette,
    shipped_metadata,
    signed_in,
    sync,
)
from tests.hostile_files import bounded
from tests.servers import CHROMIUM, CHROMIUM_ARGS, needs_chromium

LOGIN = "/-/login"
TRUSTED_PROXIES = "CERTREG_TRUSTED_PROXIES"
_, STAFF_ITERATIONS, STAFF_SALT, _ = STAFF_HASH.split("$")
WORKING_DAY = 10 * 60 * 60


@pytest.fixture(autouse=True)
def no_proxy_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test says itself whether a proxy is trusted (Datasette reads it when it is built)."""
    monkeypatch.delenv(TRUSTED_PROXIES, raising=False)


@pytest.fixture
def proxied_ds(ds: Datasette, monkeypatch: pytest.MonkeyPatch) -> Datasette:
    """Datasette behind a reverse proxy at 127.0.0.1 (the test client's address).

    Built after ``ds``, which therefore trusts no proxy (Datasette reads the variable when built).
    """
    monkeypatch.setenv(TRUSTED_PROXIES, "127.0.0.1")
    return datasette_like(ds, secret=None)


def database_file(ds: Datasette, name: str) -> Path:
    path = ds.databases[name].path
    assert path is not None
    return Path(path)


def datasette_like(ds: Datasette, secret: str | None) -> Datasette:
    """Another Datasette over the same files with the shipped configuration and a chosen secret."""
    config = config_dir()
    return Datasette(
        [str(database_file(ds, "registry")), str(database_file(ds, "verify_log"))],
        metadata=shipped_metadata(),
        plugins_dir=str(config / "plugins"),
        template_dir=str(config / "templates"),
        settings=json.loads((config / "settings.json").read_text("utf-8")),
        secret=secret,
    )


async def attempt(
    ds: Datasette,
    username: str,
    password: str,
    *,
    url: str = LOGIN,
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
) -> httpx.Response:
    """One login through the form: fetch it for the CSRF token, then post it."""
    token = (await ds.client.get(LOGIN)).cookies["ds_csrftoken"]
    response: httpx.Response = await ds.client.request(
        "POST",
        url,
        avoid_path_rewrites=url.startswith("https:"),
        data={"username": username, "password": password, "csrftoken": token},
        cookies={"ds_csrftoken": token, **(cookies or {})},
        headers=headers or {},
    )
    return response


def set_cookie(response: httpx.Response, name: str = "ds_actor") -> Morsel[str]:
    """The response's Set-Cookie for ``name``, parsed with its attributes."""
    for header in response.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        if name in cookie:
            return cookie[name]
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers}")


def is_redirect_to_login(response: httpx.Response) -> bool:
    return response.status_code == 302 and response.headers["location"].split("?")[0] == LOGIN


# Guessing passwords


@pytest.mark.anyio
async def test_sixth_wrong_password_within_a_minute_is_refused_even_if_right(
    ds: Datasette,
) -> None:
    for _ in range(5):
        wrong = await attempt(ds, STAFF_USER, "wrong")
        assert wrong.status_code == 200
        assert "用户名或密码不正确" in wrong.text
    refused = await attempt(ds, STAFF_USER, STAFF_PASSWORD)
    assert refused.status_code == 429
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 60
    assert f"登录失败次数过多，请 {wait} 秒后再试" in refused.text
    assert "ds_actor" not in refused.cookies


@pytest.mark.anyio
async def test_throttle_lifts_once_the_failures_are_a_minute_old(
    ds: Datasette, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(5):
        await attempt(ds, STAFF_USER, "wrong")
    assert (await attempt(ds, STAFF_USER, STAFF_PASSWORD)).status_code == 429
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 61)
    assert (await attempt(ds, STAFF_USER, STAFF_PASSWORD)).status_code == 302


@pytest.mark.anyio
async def test_one_client_guessing_many_usernames_is_throttled_whatever_it_forwards(
    ds: Datasette,
) -> None:
    # No trusted proxy: X-Forwarded-For is the guesser's own invention and changes nothing.
    for i in range(5):
        forged = {"x-forwarded-for": f"198.51.100.{i}"}
        assert (await attempt(ds, f"guess{i}", "wrong", headers=forged)).status_code == 200
    refused = await attempt(ds, STAFF_USER, STAFF_PASSWORD, headers={"x-forwarded-for": "1.2.3.4"})
    assert refused.status_code == 429


@pytest.mark.anyio
async def test_addresses_of_one_ipv6_network_are_one_client_guessing_usernames(
    proxied_ds: Datasette,
) -> None:
    """One subscriber's /64 is one client, as the public app counts it: by the exact address,
    rotating through it gave each guess a fresh bound (a developer's review)."""
    for i in range(5):
        rotated = {"x-forwarded-for": f"2001:db8:0:7::{i + 1}"}
        assert (await attempt(proxied_ds, f"guess{i}", "wrong", headers=rotated)).status_code == 200
    again = {"x-forwarded-for": "2001:db8:0:7::99"}
    refused = await attempt(proxied_ds, "zhaomin", "wrong", headers=again)
    assert refused.status_code == 429


@pytest.mark.anyio
async def test_one_username_guessed_from_many_clients_is_throttled(proxied_ds: Datasette) -> None:
    for i in range(5):
        client = {"x-forwarded-for": f"198.51.100.{i}"}
        assert (await attempt(proxied_ds, STAFF_USER, "wrong", headers=client)).status_code == 200
    fresh_client = {"x-forwarded-for": "198.51.100.99"}
    assert (
        await attempt(proxied_ds, STAFF_USER, STAFF_PASSWORD, headers=fresh_client)
    ).status_code == 429
    # Behind the trusted proxy, clients are told apart: another user from another client is
    # only told the password is wrong.
    other = await attempt(proxied_ds, "zhaomin", "wrong", headers={"x-forwarded-for": "192.0.2.1"})
    assert other.status_code == 200


@pytest.mark.anyio
async def test_a_username_locked_from_many_clients_still_lets_its_owner_in_from_their_browser(
    proxied_ds: Datasette,
) -> None:
    """Five wrong passwords a minute from anywhere kept a member of staff out for as long as
    someone sent them. A browser they signed in from before carries a signed device cookie and
    is counted by itself: its owner gets in, and whoever holds the cookie is held to its own
    count."""
    office = {"x-forwarded-for": "192.0.2.7"}
    first = await attempt(proxied_ds, STAFF_USER, STAFF_PASSWORD, headers=office)
    assert first.status_code == 302
    device = set_cookie(first, "certreg_device")
    assert device["httponly"] and device["samesite"].lower() == "lax"
    assert device["path"] == LOGIN and int(device["max-age"]) == 180 * 86_400
    known = {"certreg_device": device.value}
    for i in range(5):
        guesser = {"x-forwarded-for": f"198.51.100.{i}"}
        assert (await attempt(proxied_ds, STAFF_USER, "wrong", headers=guesser)).status_code == 200

    assert (
        await attempt(proxied_ds, STAFF_USER, STAFF_PASSWORD, headers=office)
    ).status_code == 429, "a browser not signed in from before is held to the username's count"
    zhaomins = {"u": hashlib.sha256(b"zhaomin").hexdigest(), "d": "x", "t": time.time()}
    another_users = {"certreg_device": proxied_ds.sign(zhaomins, "certreg-device")}
    stale = {"u": hashlib.sha256(STAFF_USER.encode()).hexdigest(), "d": "y", "t": 0}
    too_old = {"certreg_device": proxied_ds.sign(stale, "certreg-device")}
    for cookie in ({"certreg_device": device.value[:-2]}, another_users, too_old):
        refused = await attempt(
            proxied_ds, STAFF_USER, STAFF_PASSWORD, headers=office, cookies=cookie
        )
        assert refused.status_code == 429
    assert (
        await attempt(proxied_ds, STAFF_USER, STAFF_PASSWORD, headers=office, cookies=known)
    ).status_code == 302

    for i in range(5):
        stolen = {"x-forwarded-for": f"203.0.113.{i}"}
        wrong = await attempt(proxied_ds, STAFF_USER, "wrong", headers=stolen, cookies=known)
        assert wrong.status_code == 200
    assert (
        await attempt(proxied_ds, STAFF_USER, STAFF_PASSWORD, headers=office, cookies=known)
    ).status_code == 429, "the device's own count"


@pytest.mark.anyio
async def test_a_colleagues_failures_from_the_office_address_leave_a_known_browser_in(
    proxied_ds: Datasette,
) -> None:
    """Behind an office's one NAT address, five wrong passwords of a colleague (or a script)
    locked every member of staff out, their own browsers too."""
    office = {"x-forwarded-for": "192.0.2.7"}
    first = await attempt(proxied_ds, STAFF_USER, STAFF_PASSWORD, headers=office)
    known = {"certreg_device": set_cookie(first, "certreg_device").value}
    for _ in range(5):
        assert (await attempt(proxied_ds, "zhangsan", "wrong", headers=office)).status_code == 200
    assert (await attempt(proxied_ds, "lisi", "x", headers=office)).status_code == 429
    assert (
        await attempt(proxied_ds, STAFF_USER, STAFF_PASSWORD, headers=office, cookies=known)
    ).status_code == 302


@pytest.mark.anyio
async def test_unknown_username_costs_the_same_password_check_as_a_known_one(
    ds: Datasette, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[tuple[str, int]] = []
    pbkdf2_hmac = hashlib.pbkdf2_hmac

    def recorded(name: str, password: bytes, salt: bytes, iterations: int, *rest: Any) -> bytes:
        checks.append((salt.decode(), iterations))
        return pbkdf2_hmac(name, password, salt, iterations, *rest)

    monkeypatch.setattr(hashlib, "pbkdf2_hmac", recorded)
    assert (await attempt(ds, STAFF_USER, "wrong")).status_code == 200
    known, checks[:] = checks[:], []
    assert (await attempt(ds, "nobody_here", "wrong")).status_code == 200
    unknown = checks[:]
    assert known == [(STAFF_SALT, int(STAFF_ITERATIONS))]
    # One PBKDF2 run with the account's rounds, against a salt that is not the account's.
    assert [iterations for _, iterations in unknown] == [int(STAFF_ITERATIONS)]
    assert unknown[0][0] != STAFF_SALT


def test_dummy_hash_is_as_costly_as_the_costliest_account_and_matches_nothing() -> None:
    cheap, dear = hash_password("a", iterations=1000), hash_password("b", iterations=2000)
    dummy = dummy_hash([cheap, dear])
    assert dummy.split("$")[1] == "2000"
    assert not verify_password("a", dummy) and not verify_password("", dummy)
    assert dummy_hash([]).split("$")[1] == "480000"  # datasette hash-password's default
    assert dummy_hash([cheap]) != dummy_hash([cheap])


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("123456", "不是密码哈希"),
        # cut short: the help's placeholder pasted as it stands, or a hash in double quotes
        # whose $480000$… the shell expanded — told it did not start as it does
        ("pbkdf2_sha256$", "不完整"),
        ("pbkdf2_sha256$…", "不完整"),
        ("pbkdf2_sha256$many$salt$abc=", "不完整"),
        ("pbkdf2_sha256$1000$s$", "单引号"),
    ],
)
def test_account_must_be_a_whole_password_hash(value: str, said: str) -> None:
    with pytest.raises(AccountProblem, match=said):
        staff_accounts({"CERTREG_STAFF_wangli": value})
    assert staff_accounts({"CERTREG_STAFF_wangli": STAFF_HASH}) == {
        "wangli": "CERTREG_STAFF_wangli"
    }


@pytest.mark.anyio
async def test_http_basic_credentials_are_no_way_in(
    ds: Datasette, monkeypatch: pytest.MonkeyPatch
) -> None:
    # datasette-auth-passwords would accept these on any URL, unthrottled and sessionless
    # (and answer 500 for a non-ASCII password).
    monkeypatch.setenv("CERTREG_STAFF_plain", hash_password("plain-password", iterations=1000))
    for credentials in ("plain:plain-password", f"{STAFF_USER}:{STAFF_PASSWORD}"):
        basic = base64.b64encode(credentials.encode()).decode()
        response = await ds.client.get(
            "/registry/certificates.json", headers={"authorization": f"Basic {basic}"}
        )
        assert is_redirect_to_login(response)
        # Not even on the pages anyone may see (where the plugin's parser used to fail: 500).
        form = await ds.client.get(LOGIN, headers={"authorization": f"Basic {basic}"})
        assert form.status_code == 200
        assert "/-/logout" not in form.text


# The session cookie


@pytest.mark.anyio
async def test_login_cookie_is_httponly_lax_and_lasts_a_working_day(ds: Datasette) -> None:
    signed = await attempt(ds, STAFF_USER, STAFF_PASSWORD)
    assert signed.status_code == 302
    cookie = set_cookie(signed)
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "lax"
    assert cookie["max-age"] == str(WORKING_DAY)
    assert not cookie["secure"]  # plain http: a Secure cookie would never come back
    session = ds.unsign(cookie.value, "actor")
    assert session["a"] == {"id": STAFF_USER}
    expires = baseconv.base62.decode(session["e"])
    assert time.time() + WORKING_DAY - 60 < expires <= time.time() + WORKING_DAY
    assert len(session["s"]) >= 20


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("site", "status"), [("cross-site", 403), ("same-site", 403), ("same-origin", 302)]
)
async def test_a_login_posted_from_another_site_is_refused(
    ds: Datasette, site: str, status: int
) -> None:
    """Login CSRF: another site's page must not sign a member of staff into some account."""
    answer = await attempt(ds, STAFF_USER, STAFF_PASSWORD, headers={"Sec-Fetch-Site": site})
    assert answer.status_code == status
    assert ("ds_actor" in answer.cookies) == (status == 302)
    if status == 403:
        assert "登录请求来自其他网站" in answer.text


@pytest.mark.anyio
async def test_a_login_form_whose_token_went_stale_is_told_in_chinese(ds: Datasette) -> None:
    """Cookies cleared (or the secret changed by a restart) after the form was opened: the
    refusal was asgi-csrf's bare English line, with no way back."""
    token = (await ds.client.get(LOGIN)).cookies["ds_csrftoken"]
    body = {"username": STAFF_USER, "password": STAFF_PASSWORD, "csrftoken": token}
    answer = await ds.client.post(LOGIN, data=body, cookies={"ds_csrftoken": token + "x"})
    assert answer.status_code == 403 and "表单已失效" in answer.text
    assert 'href="/-/login"' in answer.text and "did not match" not in answer.text
    assert "ds_actor" not in answer.cookies
    assert_security_headers(answer)


@pytest.mark.anyio
async def test_a_login_made_with_a_stale_session_cookie_keeps_its_new_session(
    ds: Datasette,
) -> None:
    """The response set the new session, then cleared it for the stale one the browser sent (a
    pen-tester's ``ds_actor=bogus``): staff who signed in were sent back to the login page."""
    token = (await ds.client.get(LOGIN)).cookies["ds_csrftoken"]
    body = {"username": STAFF_USER, "password": STAFF_PASSWORD, "csrftoken": token}
    answer = await ds.client.post(
        LOGIN, data=body, cookies={"ds_csrftoken": token, "ds_actor": "bogus"}
    )
    assert answer.status_code == 302
    sessions = [h for h in answer.headers.get_list("set-cookie") if h.startswith("ds_actor=")]
    assert len(sessions) == 1 and set_cookie(answer)["max-age"] != "0"
    landing = await ds.client.get("/registry", cookies={"ds_actor": set_cookie(answer).value})
    assert landing.status_code == 200


@pytest.mark.anyio
async def test_a_login_body_past_a_few_kilobytes_is_not_read(ds: Datasette) -> None:
    token = (await ds.client.get(LOGIN)).cookies["ds_csrftoken"]
    body = {"username": STAFF_USER, "password": "x" * 10_000, "csrftoken": token}
    answer = await ds.client.post(LOGIN, data=body, cookies={"ds_csrftoken": token})
    assert answer.status_code == 413 and "登录请求过长" in answer.text
    assert (await attempt(ds, STAFF_USER, STAFF_PASSWORD)).status_code == 302


@pytest.mark.parametrize("path", [LOGIN, "/-/logout"])
@pytest.mark.parametrize(
    ("content_type", "body", "status", "said"),
    [
        ("multipart/form-data; boundary=x", b"--x--\r\n", 415, "只接受网页表单提交"),
        ("application/json", b'{"username": "wangli"}', 415, "只接受网页表单提交"),
        ("application/x-www-form-urlencoded", b"username=\xff\xfe", 400, "不是 UTF-8 编码"),
    ],
)
@pytest.mark.parametrize("cookies", [{}, {"ds_csrftoken": "abc"}])
@pytest.mark.anyio
async def test_a_login_or_logout_that_is_no_web_form_is_refused_in_chinese(
    ds: Datasette,
    path: str,
    content_type: str,
    body: bytes,
    status: int,
    said: str,
    cookies: dict[str, str],
) -> None:
    """Anyone could make the login answer 500 — a bare English page without the security
    headers — with a multipart body or bytes that are not UTF-8 beside any cookie (asgi-csrf
    failed reading them), and the login itself failed on the bytes without one."""
    answer = await ds.client.request(
        "POST", path, content=body, headers={"content-type": content_type}, cookies=cookies
    )
    assert answer.status_code == status and said in answer.text
    assert "content-security-policy" in answer.headers
    assert (await attempt(ds, STAFF_USER, STAFF_PASSWORD)).status_code == 302


@pytest.mark.anyio
async def test_login_over_https_sets_a_secure_cookie(ds: Datasette) -> None:
    signed = await attempt(ds, STAFF_USER, STAFF_PASSWORD, url="https://localhost/-/login")
    assert set_cookie(signed)["secure"] is True
    assert signed.headers["strict-transport-security"] == "max-age=31536000"


@pytest.mark.anyio
async def test_forwarded_https_counts_only_from_a_trusted_proxy(
    ds: Datasette, proxied_ds: Datasette
) -> None:
    https = {"x-forwarded-proto": "https"}
    behind_proxy = await attempt(proxied_ds, STAFF_USER, STAFF_PASSWORD, headers=https)
    assert set_cookie(behind_proxy)["secure"] is True
    assert "strict-transport-security" in behind_proxy.headers
    direct = await attempt(ds, STAFF_USER, STAFF_PASSWORD, headers=https)
    assert not set_cookie(direct)["secure"]
    assert "strict-transport-security" not in direct.headers


def _signed(ds: Datasette, value: dict[str, Any]) -> str:
    signed: str = ds.sign(value, "actor")
    return signed


@pytest.mark.anyio
@pytest.mark.parametrize(
    "cookie",
    [
        # What datasette-auth-passwords issues: no expiry, no session — valid forever.
        lambda ds: _signed(ds, {"a": {"id": STAFF_USER}}),
        lambda ds: _signed(
            ds, {"a": {"id": STAFF_USER}, "e": baseconv.base62.encode(int(time.time()) + 60)}
        ),
        lambda ds: session_cookie(ds, STAFF_USER, STAFF_HASH, now=time.time() - WORKING_DAY - 1),
        # Signed for longer than a working day, and otherwise a live session's (with its
        # password's stamp: without it, it was refused for that, its expiry never looked at)
        lambda ds: _signed(
            ds,
            {
                "a": {"id": STAFF_USER},
                "e": baseconv.base62.encode(int(time.time()) + 30 * 86400),
                "s": "a-session-id-of-a-long-day",
                "k": password_stamp(STAFF_HASH),
            },
        ),
        # an expiry base62 cannot read: "" failed with IndexError, a long one with OverflowError
        *(
            lambda ds, e=e: _signed(
                ds, {"a": {"id": STAFF_USER}, "e": e, "s": "a-session-id", "k": "stamp"}
            )
            for e in ("", "x" * 5000)
        ),
    ],
    ids=["no-session", "no-session-id", "expired", "too-long", "empty-expiry", "long-expiry"],
)
async def test_cookie_that_is_not_a_live_session_is_refused_and_deleted(
    ds: Datasette, cookie: Any
) -> None:
    response = await ds.client.get("/registry", cookies={"ds_actor": cookie(ds)})
    assert is_redirect_to_login(response)
    deleted = set_cookie(response)
    assert deleted.value == "" and deleted["max-age"] == "0"
    control = await ds.client.get("/registry", cookies=signed_in(ds))
    assert control.status_code == 200


async def _logout(ds: Datasette, cookie: str) -> httpx.Response:
    token = (await ds.client.get(LOGIN)).cookies["ds_csrftoken"]
    response: httpx.Response = await ds.client.post(
        "/-/logout",
        data={"csrftoken": token},
        cookies={"ds_actor": cookie, "ds_csrftoken": token},
    )
    return response


@pytest.mark.anyio
async def test_logout_kills_the_cookie_even_when_replayed(ds: Datasette) -> None:
    cookie = set_cookie(await attempt(ds, STAFF_USER, STAFF_PASSWORD)).value
    assert (await ds.client.get("/registry", cookies={"ds_actor": cookie})).status_code == 200
    page = await ds.client.get("/-/logout", cookies={"ds_actor": cookie})
    assert page.status_code == 200 and 'action="/-/logout"' in page.text
    out = await _logout(ds, cookie)
    assert out.status_code == 302
    assert set_cookie(out).value == ""
    for path in ("/registry", "/registry/certificates.json", "/-/actor.json"):
        replay = await ds.client.get(path, cookies={"ds_actor": cookie})
        assert is_redirect_to_login(replay), path


@pytest.mark.anyio
async def test_logout_survives_a_restart_and_stores_no_session_id(ds: Datasette) -> None:
    secret = "a stable DATASETTE_SECRET"
    first = datasette_like(ds, secret)
    ended = set_cookie(await attempt(first, STAFF_USER, STAFF_PASSWORD)).value
    kept = set_cookie(await attempt(first, STAFF_USER, STAFF_PASSWORD)).value
    assert (await _logout(first, ended)).status_code == 302

    restarted = datasette_like(ds, secret)
    assert is_redirect_to_login(await restarted.client.get("/", cookies={"ds_actor": ended}))
    assert (await restarted.client.get("/", cookies={"ds_actor": kept})).status_code == 200

    session_id = first.unsign(ended, "actor")["s"]
    stored = sqlite3.connect(database_file(ds, "registry").parent / SESSIONS_FILE)
    try:
        rows = stored.execute("SELECT digest FROM revoked_sessions").fetchall()
    finally:
        stored.close()
    assert (hashlib.sha256(session_id.encode()).hexdigest(),) in rows
    assert all(session_id not in digest for (digest,) in rows)


@pytest.mark.anyio
async def test_a_new_password_or_a_removed_account_ends_its_sessions(
    ds: Datasette, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README: change the password (after a suspected leak) or remove the variable, and
    restart: the sessions begun before end, whatever their cookies say."""
    secret = "a stable DATASETTE_SECRET"
    first = datasette_like(ds, secret)
    old = set_cookie(await attempt(first, STAFF_USER, STAFF_PASSWORD)).value
    assert (await first.client.get("/registry", cookies={"ds_actor": old})).status_code == 200

    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", hash_password("新密码-2026", iterations=1000))
    changed = datasette_like(ds, secret)
    assert is_redirect_to_login(await changed.client.get("/registry", cookies={"ds_actor": old}))
    new = set_cookie(await attempt(changed, STAFF_USER, "新密码-2026")).value
    assert (await changed.client.get("/registry", cookies={"ds_actor": new})).status_code == 200

    monkeypatch.delenv(f"CERTREG_STAFF_{STAFF_USER}")
    monkeypatch.setenv("CERTREG_STAFF_zhaoliu", STAFF_HASH)  # the instance still has staff
    removed = datasette_like(ds, secret)
    for path in ("/registry", "/registry/certificates.json", "/-/actor.json"):
        assert is_redirect_to_login(await removed.client.get(path, cookies={"ds_actor": new}))


# Headers and paths

PAGES = [
    ("/", True),
    ("/registry", True),
    ("/registry/certificates", True),
    ("/registry/certificates/Z1122020123", True),
    ("/registry/certificate?证书编号=Z1122020123", True),
    ("/registry?sql=select+number+from+certificates+limit+2", True),
    ("/registry/certificates.json", True),
    ("/registry/certificates.csv", True),
    ("/registry/no_such_table", True),
    ("/-/logout", True),
    (LOGIN, False),
    ("/-/static/app.css", False),
    ("/registry/certificates", False),
]


def assert_security_headers(response: httpx.Response) -> None:
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.anyio
@pytest.mark.parametrize(("path", "staff"), PAGES)
async def test_every_response_carries_the_security_headers(
    ds: Datasette, path: str, staff: bool
) -> None:
    response = await ds.client.get(path, cookies=signed_in(ds) if staff else None)
    assert_security_headers(response)
    assert "strict-transport-security" not in response.headers  # plain http
    secure = await ds.client.request(
        "GET",
        f"https://localhost{path}",
        avoid_path_rewrites=True,
        cookies=signed_in(ds) if staff else None,
    )
    assert secure.headers["strict-transport-security"] == "max-age=31536000"


@pytest.mark.anyio
async def test_refusals_carry_the_security_headers_too(ds: Datasette) -> None:
    refused = await ds.client.post("/registry", cookies=signed_in(ds))
    assert refused.status_code == 405
    assert_security_headers(refused)


SCRIPT_PAGES = [
    "/",
    "/registry",
    "/registry/certificates",
    "/registry/certificates?_facet=level",
    "/registry/certificates/Z1122020123",
    "/registry/certificate?证书编号=Z1122020123",
    "/registry?sql=select+number+from+certificates+limit+2",
    "/-/logout",
    LOGIN,
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)


@pytest.mark.anyio
async def test_every_inline_script_is_allowed_by_its_hash_and_no_other(ds: Datasette) -> None:
    seen = 0
    for path in SCRIPT_PAGES:
        response = await ds.client.get(path, cookies=signed_in(ds))
        assert response.status_code == 200, path
        directives = dict(
            (d.split()[0], d.split()[1:])
            for d in response.headers["content-security-policy"].split("; ")
        )
        assert "'unsafe-inline'" not in directives["script-src"]
        for script in INLINE_SCRIPT.findall(response.text):
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in directives["script-src"], (path, script[:60])
            seen += 1
    assert seen >= len(SCRIPT_PAGES)  # every page has at least Datasette's menu script


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("path", "staff_status"),
    [
        ("/registry/certificates/-/json", 404),
        ("//registry.json", 404),
        ("/registry/no_such_table", 404),
        ("/no_such_database.json", 404),
        ("/-/password-tool", 200),
    ],
)
async def test_anonymous_visitors_only_ever_get_the_login_redirect(
    ds: Datasette, path: str, staff_status: int
) -> None:
    anonymous = await ds.client.get(path)
    assert is_redirect_to_login(anonymous)
    assert (await ds.client.get(path, cookies=signed_in(ds))).status_code == staff_status


# CSV exports

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://example.com/?"&A1,"点击")',
]
HARMLESS = ["-3", "-2.5", "0", "Z1122020123", "周杰", "a=b", "", 'say "hi", then\r\nleave']


def test_neutralise_follows_the_owasp_rule_but_keeps_negative_numbers() -> None:
    assert [neutralise(cell) for cell in HOSTILE] == ["'" + cell for cell in HOSTILE]
    assert [neutralise(cell) for cell in HARMLESS] == HARMLESS
    assert neutralise("-3-1") == "'-3-1"
    assert neutralise("-3e5") == "'-3e5"


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


@given(
    rows=st.lists(
        st.lists(st.sampled_from(HOSTILE + HARMLESS) | st.text(), min_size=1, max_size=4),
        max_size=6,
    ),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8),
)
def test_streamed_csv_is_neutralised_however_it_is_cut(
    rows: list[list[str]], cuts: list[int]
) -> None:
    data = _csv(rows)
    # and a month or leading zeros kept for Excel (`as_text`: 00 led by a tab), as every export
    expected = _csv([[as_text(neutralise(cell)) for cell in row] for row in rows])
    neutraliser = CsvNeutraliser()
    out, start = b"", 0
    for cut in sorted(c for c in cuts if c <= len(data)):  # anywhere, even inside a character
        out += neutraliser.feed(data[start:cut])
        start = cut
    out += neutraliser.feed(data[start:], final=True)
    assert out == (codecs.BOM_UTF8 + expected if expected else b"")


def malformed_checks(ds: Datasette, prefix: str, numbers: list[str], name_hash: str) -> str:
    """Malformed checks of ``numbers`` from one new client (returned), in the verification log."""
    client = f"{prefix}-{secrets.token_hex(4)}"
    log = sqlite_utils.Database(database_file(ds, "verify_log"))
    try:
        log.table("checks").insert_all(
            {
                "at": "2026-01-01T00:00:00+00:00",
                "client": client,
                "number": number,
                "result": "malformed",
                "name_hash": name_hash,
                "channel": "page",
            }
            for number in numbers
        )
    finally:
        log.close()
    return client


@pytest.fixture
def hostile_checks(ds: Datasette) -> str:
    """Checks whose number a visitor typed into the public form: formulas, from one new client."""
    return malformed_checks(ds, "hostile", HOSTILE + HARMLESS, "c" * 64)


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    """The rows of a CSV export, which starts with the BOM Excel needs to read it as UTF-8, by
    column name (a table's header gives the Chinese label, then the name: 证书编号 number)."""
    assert response.status_code == 200
    assert response.content.startswith(codecs.BOM_UTF8)
    text = response.content.decode("utf-8-sig")
    rows = csv.DictReader(io.StringIO(text, newline=""))
    return [{heading.split(" ")[-1]: value for heading, value in row.items()} for row in rows]


@pytest.mark.anyio
@pytest.mark.parametrize("options", [{}, {"_stream": "on"}, {"_dl": "1"}, {"_size": "2"}])
async def test_table_csv_neutralises_formulas(
    ds: Datasette, hostile_checks: str, options: dict[str, str]
) -> None:
    response = await ds.client.get(
        "/verify_log/checks.csv",
        params={"client": hostile_checks, "_sort": "id", **options},
        cookies=signed_in(ds),
    )
    numbers = [row["number"] for row in csv_rows(response)]
    expected = ["'" + cell for cell in HOSTILE] + HARMLESS
    assert numbers == expected[: len(numbers)]
    assert len(numbers) == (2 if options.get("_size") else len(expected))


@pytest.mark.anyio
async def test_a_month_in_a_csv_stays_the_month_the_page_shows(ds: Datasette) -> None:
    """Excel opened 执行工资等级起始时间 2008-10 and 出生年月 1970-05 as dates: such
    cells come led by a tab, which keeps them text; a certificate number or a name stays bare."""
    response = await ds.client.get(
        "/registry/certificates.csv", params={"number": "Z1222020001"}, cookies=signed_in(ds)
    )
    [row] = csv_rows(response)
    assert row["wage_grade_since"] == "\t2009-10" and row["birth"].startswith("\t19")
    assert (row["number"], row["name"]) == ("Z1222020001", "赵敏")
    # without its header, for a program: the data as stored
    bare = await ds.client.get(
        "/registry/certificates.csv",
        params={"number": "Z1222020001", "_col": "wage_grade_since", "_header": "off"},
        cookies=signed_in(ds),
    )
    assert bare.content.decode("utf-8-sig").splitlines() == ["Z1222020001,2009-10"]


@pytest.mark.parametrize(
    ("cell", "kept"),
    [("2008.10", "\t2008.10"), ("1982-07", "\t1982-07"), ("510106198001011234", "\t510106198001011234"),
     ("00123", "\t00123"), ("75.5", "75.5"), ("2012-03-15", "2012-03-15"), ("2008.13", "2008.13"),
     ("Z1122020123", "Z1122020123"), ("0", "0")],
)  # fmt: skip
def test_as_text_leads_with_a_tab_what_excel_would_change(cell: str, kept: str) -> None:
    assert as_text(cell) == kept


@pytest.mark.anyio
async def test_query_and_row_csv_neutralise_formulas(ds: Datasette) -> None:
    sql = (
        "select '=1+1' as \"=formula\", '@SUM(1)' as at, -3 as balance, '-1+2' as sum,"
        " char(9) || '=1' as tab, 'x,\"y\"' as quoted, '周杰' as name"
    )
    response = await ds.client.get("/registry.csv", params={"sql": sql}, cookies=signed_in(ds))
    assert csv_rows(response) == [
        {
            "'=formula": "'=1+1",
            "at": "'@SUM(1)",
            "balance": "-3",
            "sum": "'-1+2",
            "tab": "'\t=1",
            "quoted": 'x,"y"',
            "name": "周杰",
        }
    ]
    row = await ds.client.get("/registry/certificates/Z1122020123.csv", cookies=signed_in(ds))
    assert csv_rows(row)[0]["name"] == "周杰"


@pytest.mark.anyio
@pytest.mark.parametrize(("table", "key"), [("certificates", "number"), ("syncs", "id")])
async def test_table_csv_says_what_the_page_says(ds: Datasette, table: str, key: str) -> None:
    """Opened in Excel, a table's export had English headers, bare codes (revoked, 2202) and
    UTC times eight hours off the page's. Everything else is the table's as stored."""
    params = {"_sort": key, "_size": "max"}
    exported = await ds.client.get(f"/registry/{table}.csv", params=params, cookies=signed_in(ds))
    as_json = await ds.client.get(
        f"/registry/{table}.json", params={**params, "_shape": "objects"}, cookies=signed_in(ds)
    )
    stored = as_json.json()["rows"]
    labels = shipped_metadata()["databases"]["registry"]["tables"][table]["columns"]
    header = next(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert header == [f"{labels[column]} {column}" for column in stored[0]]
    rows = csv_rows(exported)
    assert len(rows) == len(stored) > 1
    for row, record in zip(rows, stored, strict=True):
        for column, value in record.items():
            shown = shown_value(column, value)
            # as a spreadsheet keeps it: a month led by a tab (`as_text`)
            assert row[column] == as_text(shown or ("" if value is None else str(value))), column
    if table == "certificates":
        assert {row["status"] for row in rows} >= {"valid 有效", "revoked 已撤销"}
        assert {row["region"] for row in rows} >= {"2202 绵阳市"}
    else:
        assert all(row["at"].endswith("（北京时间）") for row in rows)


@pytest.mark.anyio
async def test_under_a_base_url_the_csv_and_the_filters_read_as_they_do_at_the_root(
    registry_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Datasette served under ``--setting base_url /staff/``: the export read its table from the
    path as sent, found none, and gave Excel the bare English column names."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    staffed = shipped_datasette(registry_db, base_url="/staff/")
    # the client puts the base_url before the path, as links do
    exported = await staffed.client.get("/registry/syncs.csv", cookies=signed_in(staffed))
    assert exported.status_code == 200, exported.text
    header = next(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    labels = shipped_metadata()["databases"]["registry"]["tables"]["syncs"]["columns"]
    assert header[:2] == [f"{labels['id']} id", f"{labels['at']} at"]
    # and the filters read what staff type there too (every one was read as typed: 0 rows)
    typed = await staffed.client.get(
        "/registry/certificates.json",
        params={"status": "有效", "name": "週傑", "_shape": "array"},
        cookies=signed_in(staffed),
    )
    assert [row["number"] for row in typed.json()] == ["Z1122020123"]


@pytest.mark.anyio
async def test_the_history_csv_names_each_field_and_shows_its_values_as_the_page_does(
    ds: Datasette,
) -> None:
    """An auditor's export of 证书更正记录 read ``status,valid,superseded``: each cell was
    rewritten alone, without the row's field that says what its value means."""
    params = {"_sort": "id", "_size": "max"}
    exported = await ds.client.get(
        "/registry/certificate_history.csv", params=params, cookies=signed_in(ds)
    )
    as_json = await ds.client.get(
        "/registry/certificate_history.json",
        params={**params, "_shape": "objects"},
        cookies=signed_in(ds),
    )
    stored = as_json.json()["rows"]
    labels = shipped_metadata()["databases"]["registry"]["tables"]["certificates"]["columns"]
    rows = csv_rows(exported)
    assert len(rows) == len(stored) > 1
    for row, record in zip(rows, stored, strict=True):
        field = record["field"]
        assert row["field"] == (f"{field} {labels[field]}" if field in labels else field)
        for column in ("old", "new"):
            value = "" if record[column] is None else str(record[column])
            assert row[column] == as_text(shown_value(field, value) or value), (field, column)
    assert {(row["field"], row["new"]) for row in rows} >= {
        ("status 状态", shown_value("status", "superseded"))
    }


@pytest.mark.anyio
async def test_the_blank_history_names_each_field_on_its_page_and_in_its_csv(
    ds: Datasette,
) -> None:
    """The corrections of a collection read ``collected_on`` on the page and in the export, and
    the export's reference column was headed ``sync_label``: an auditor read English."""
    cookies = signed_in(ds)
    page = await ds.client.get("/registry/blank_history", cookies=cookies)
    exported = await ds.client.get(
        "/registry/blank_history.csv", params={"_labels": "on"}, cookies=cookies
    )
    assert page.status_code == 200 and "collected_on 日期" in page.text
    rows = csv_rows(exported)
    assert rows and {row["field"] for row in rows} == {"collected_on 日期"}
    header = exported.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert "所属同步所指 sync_label" in header and "字段 field" in header


@pytest.mark.anyio
async def test_the_register_history_names_each_field_on_its_page_and_in_its_csv(
    ds: Datasette,
) -> None:
    """A manifest's change of a register's approval document read ``approval_doc``: English
    to an auditor, on the page and in the export."""
    cookies = signed_in(ds)
    page = await ds.client.get("/registry/register_history", cookies=cookies)
    exported = await ds.client.get(
        "/registry/register_history.csv", params={"_labels": "on"}, cookies=cookies
    )
    assert page.status_code == 200 and "approval_doc 批准文号" in page.text
    assert {row["field"] for row in csv_rows(exported)} == {"approval_doc 批准文号"}


# SQL functions that leak the server's memory


@pytest.mark.anyio
@pytest.mark.parametrize(
    "sql",
    [
        "select fts3_tokenizer('simple')",
        "select \"fts3_tokenizer\"('porter')",
        "select [FTS3_Tokenizer]('simple')",
        "select number from certificates where fts3_tokenizer('simple') is not null",
        "select load_extension('/tmp/x.so')",
    ],
)
async def test_functions_that_reach_outside_the_data_are_refused_in_chinese(
    ds: Datasette, sql: str
) -> None:
    answer = await ds.client.get("/registry.json", params={"sql": sql}, cookies=signed_in(ds))
    assert answer.status_code == 400
    assert answer.json()["rows"] == []
    assert "职员查询不允许使用 SQL 函数" in answer.json()["error"]
    page = await ds.client.get("/registry", params={"sql": sql}, cookies=signed_in(ds))
    assert page.status_code == 400
    assert "职员查询不允许使用 SQL 函数" in page.text
    exported = await ds.client.get("/registry.csv", params={"sql": sql}, cookies=signed_in(ds))
    assert exported.status_code == 400 and exported.text.startswith("导出失败：查询出错")


@pytest.mark.anyio
@pytest.mark.parametrize(
    "sql", ["select zeroblob(100000000)", "select randomblob(200000) from certificates"]
)
async def test_a_query_cannot_build_a_huge_value(ds: Datasette, sql: str) -> None:
    """One call would otherwise build gigabytes in the server's memory, past the time limit."""
    answer = await ds.client.get("/registry.json", params={"sql": sql}, cookies=signed_in(ds))
    assert answer.status_code == 400
    assert "职员查询不能生成这么大的值" in answer.json()["error"]


@pytest.mark.anyio
async def test_a_query_cannot_return_a_huge_result(ds: Datasette) -> None:
    """5,000 values of 98 KB, each under the bound on one value, came to 490 MB of JSON built on
    the event loop: every other staff page stalled for seconds (a staff-side sweep's finding)."""
    sql = (
        "with recursive r(i) as (select 1 union all select i + 1 from r limit 200)"
        " select hex(zeroblob(49000)) from r"
    )
    answer = await ds.client.get("/registry.json", params={"sql": sql}, cookies=signed_in(ds))
    assert answer.status_code == 400
    assert "查询结果过大（超过 5,000,000 个字符）" in answer.json()["error"]
    page = await ds.client.get("/registry", params={"sql": sql}, cookies=signed_in(ds))
    assert page.status_code == 400 and "查询结果过大" in page.text
    smaller = sql.replace("limit 200", "limit 40")  # 3.9 million characters: answered
    fine = await ds.client.get("/registry.json", params={"sql": smaller}, cookies=signed_in(ds))
    assert fine.status_code == 200 and len(fine.json()["rows"]) == 40


@pytest.mark.anyio
async def test_fts3_tokenizer_refusal_says_why(ds: Datasette) -> None:
    answer = await ds.client.get(
        "/registry.json", params={"sql": "select fts3_tokenizer('simple')"}, cookies=signed_in(ds)
    )
    assert answer.json()["error"] == (
        "职员查询不允许使用 SQL 函数 fts3_tokenizer：它会返回服务器进程的内存地址。"
        "请去掉该函数后再查询。"
    )


@pytest.mark.anyio
async def test_ordinary_and_registry_functions_still_work(ds: Datasette) -> None:
    # Naming the function in a string is no call to it.
    sql = "select upper('z') as u, normalise_number('ｚ１１-2202-0123') as n, 'fts3_tokenizer' as f"
    answer = await ds.client.get(
        "/registry.json", params={"sql": sql, "_shape": "array"}, cookies=signed_in(ds)
    )
    assert answer.json() == [{"u": "Z", "n": "Z1122020123", "f": "fts3_tokenizer"}]


def test_uvicorn_believes_proxy_headers_only_from_trusted_proxies() -> None:
    trusted = datasette_environment(
        {TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8", "FORWARDED_ALLOW_IPS": "*", "HOME": "/x"}
    )
    # each also as a server bound to :: sees it (nginx on 127.0.0.1 is ::ffff:127.0.0.1 there)
    assert (
        trusted["FORWARDED_ALLOW_IPS"]
        == "127.0.0.1,::ffff:127.0.0.1,10.0.0.0/8,::ffff:10.0.0.0/104"
    )
    assert trusted["HOME"] == "/x"
    assert datasette_environment({"FORWARDED_ALLOW_IPS": "*"})["FORWARDED_ALLOW_IPS"] == ""


def test_uvicorn_is_given_a_proxy_network_with_host_bits_as_its_network() -> None:
    """uvicorn reads FORWARDED_ALLOW_IPS's networks strictly: ``10.0.0.10/24`` matched no peer,
    and staff logins through nginx shared one throttle (a review)."""
    trusted = datasette_environment({TRUSTED_PROXIES: "10.0.0.10/24"})["FORWARDED_ALLOW_IPS"]
    assert trusted == "10.0.0.0/24,::ffff:10.0.0.0/120"


# A real `certreg browse` over HTTP


@pytest.fixture(scope="module")
def browse_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`certreg browse` over the samples, behind a (pretend) proxy at 127.0.0.1."""
    db = tmp_path_factory.mktemp("browse") / "registry.db"
    assert sync(SAMPLES, db) == 0
    with running_browse(db, {TRUSTED_PROXIES: "127.0.0.1"}) as url:
        yield url


def test_real_http_headers_and_no_500_for_odd_paths(browse_url: str) -> None:
    with httpx.Client(base_url=browse_url) as client:
        for path, status in [
            (LOGIN, 200),
            ("/-/static/app.css", 200),
            ("/", 302),
            ("/registry/certificates/-/json", 302),
            ("//registry.json", 302),
            ("/registry/certificates.csv", 302),
        ]:
            response = client.get(path)
            assert response.status_code == status, path
            assert_security_headers(response)
            assert "strict-transport-security" not in response.headers
            if status == 302:
                assert response.headers["location"].split("?")[0] == LOGIN


def test_a_name_searched_for_stays_out_of_the_access_log(tmp_path: Path) -> None:
    """uvicorn logs each request line; a holders search carries the name in its query string."""
    db = tmp_path / "registry.db"
    assert sync(SAMPLES, db) == 0
    output = tmp_path / "browse.log"
    name = "张三明"
    with running_browse(db, output=output) as url, httpx.Client(base_url=url) as client:
        assert log_in(client, STAFF_USER, STAFF_PASSWORD).status_code == 302
        found = client.get("/registry/holders", params={"姓名": name})
        filtered = client.get("/registry/certificates", params={"name__exact": name})
        sql = "select nosuch from certificates where name = :n"  # Datasette logs a failure
        failed = client.get("/registry", params={"sql": sql, "n": name})
        # a CSV export the time limit stops: Datasette's own error handler printed its
        # traceback, SQL and parameters and all
        endless = "with recursive c(x) as (select 1 union all select x + 1 from c)"
        stopped = client.get(
            "/registry.csv",
            params={"sql": f"{endless} select count(*) from c where '{name}' <> ''"},
        )
    assert name in found.text and filtered.status_code == 200 and failed.status_code == 400
    assert stopped.status_code == 400
    logged = output.read_text(encoding="utf-8")
    assert "/registry/holders?" in logged and "/registry/certificates?name__exact=*" in logged
    assert FAILED_QUERY.strip() in logged and "nosuch" not in logged
    assert name not in logged and quote(name) not in logged


def test_real_http_cookie_flags_logout_and_replay(browse_url: str) -> None:
    with httpx.Client(base_url=browse_url) as client:
        signed = log_in(client, STAFF_USER, STAFF_PASSWORD)
        assert signed.status_code == 302
        cookie = set_cookie(signed)
        assert cookie["httponly"] is True
        assert cookie["samesite"].lower() == "lax"
        assert cookie["max-age"] == str(WORKING_DAY)
        assert not cookie["secure"]
        assert client.get("/registry").status_code == 200
        token = client.cookies["ds_csrftoken"]
        assert client.post("/-/logout", data={"csrftoken": token}).status_code == 302
    with httpx.Client(base_url=browse_url, cookies={"ds_actor": cookie.value}) as replay:
        refused = replay.get("/registry/certificates.json")
        assert refused.status_code == 302
        assert refused.headers["location"].split("?")[0] == LOGIN


def test_real_http_behind_https_proxy_secure_cookies_and_hsts(browse_url: str) -> None:
    # The proxy at 127.0.0.1 says the visitor came over https. (httpx keeps Secure cookies
    # to itself over plain http, so the CSRF cookie goes back by hand.)
    with httpx.Client(base_url=browse_url, headers={"x-forwarded-proto": "https"}) as client:
        form = client.get(LOGIN)
        csrf = set_cookie(form, "ds_csrftoken")
        assert csrf["secure"] is True
        assert form.headers["strict-transport-security"] == "max-age=31536000"
        signed = client.post(
            LOGIN,
            data={"username": STAFF_USER, "password": STAFF_PASSWORD, "csrftoken": csrf.value},
            headers={"cookie": f"ds_csrftoken={csrf.value}"},
        )
        assert signed.status_code == 302
        assert set_cookie(signed)["secure"] is True
        assert signed.headers["strict-transport-security"] == "max-age=31536000"


@needs_chromium
def test_real_browser_runs_datasette_pages_without_csp_violations(browse_url: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    violations: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda m: (
                    violations.append(m.text) if "Content Security Policy" in m.text else None
                ),
            )
            page.add_init_script(
                "window.__violations = [];"
                "document.addEventListener('securitypolicyviolation',"
                " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
            )
            page.goto(browse_url + LOGIN)
            page.fill("#id_username", STAFF_USER)
            page.fill("#id_password", STAFF_PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url(browse_url + "/")
            for path in [
                "/",
                "/registry/certificates",
                "/registry/certificates/Z1122020123",
                "/registry/certificate?证书编号=Z1122020123",
                "/registry?sql=select+number,+name+from+certificates+limit+3",
            ]:
                page.goto(browse_url + path)
                page.wait_for_load_state("load")
                violations += page.evaluate("window.__violations")
                if path == "/registry/certificates":
                    # table.html's inline script ran, and table.js (which needs it) too.
                    assert page.evaluate("typeof DATASETTE_ALLOW_FACET") == "boolean"
                if path.startswith("/registry?sql"):
                    # _codemirror_foot.html's inline onload script turned the textarea into an editor.
                    page.wait_for_selector(".CodeMirror")
        finally:
            browser.close()
    assert violations == []


@pytest.mark.anyio
async def test_a_queries_csv_shows_an_exchanges_corrections_in_words(ds: Datasette) -> None:
    """The 换发更正 column exported as JSON ({"trade": "钳工"}); the page shows 工种：钳工."""
    response = await ds.client.get("/registry/status_changes.csv", cookies=signed_in(ds))
    corrected = [row["换发更正"] for row in csv_rows(response) if row["换发更正"]]
    assert corrected and all("：" in text and "{" not in text for text in corrected), corrected


@pytest.mark.anyio
@pytest.mark.parametrize("header", ["_header=off", "_header=off&_header=on", "_header=%6Fff"])
async def test_a_csv_without_its_header_is_not_labelled_from_its_first_row(
    ds: Datasette, header: str
) -> None:
    """The first row was taken for the header: the rows after it were shown by its values as
    column names — a sync's time left in UTC — and a column named like a value relabelled.
    Datasette reads the first ``_header`` of the query, decoded."""
    query = f"_sort=id&_size=3&{header}"
    response = await ds.client.get(f"/registry/syncs.csv?{query}", cookies=signed_in(ds))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    json_rows = await ds.client.get(
        "/registry/syncs.json", params={"_sort": "id", "_size": "3", "_shape": "arrays"},
        cookies=signed_in(ds),
    )  # fmt: skip
    # no header to name the columns by: every row as stored, none taken for a header
    assert rows == [["" if v is None else str(v) for v in row] for row in json_rows.json()["rows"]]


@pytest.mark.anyio
async def test_a_check_without_a_name_exports_as_not_made(ds: Datasette) -> None:
    """The page says 未查验 for it; its CSV said 编号格式错误, a malformed number."""
    client = malformed_checks(ds, "unnamed", ["Z1122020123"], "")  # NO_NAME: not made
    response = await ds.client.get(
        "/verify_log/checks.csv", params={"client": client}, cookies=signed_in(ds)
    )
    assert [row["result"] for row in csv_rows(response)] == ["malformed 未查验"]
    # no paper typed: empty, as on the page — not 无, which says nothing of it mismatched
    assert [(row["confirmed"], row["mismatched"]) for row in csv_rows(response)] == [("", "")]
    log = sqlite_utils.Database(database_file(ds, "verify_log"))
    try:
        log.table("checks").insert(
            {"at": "2026-01-01T00:00:00+00:00", "client": "paper-typed", "number": "Z1122020123"}
            | {"result": "valid", "name_hash": "h", "channel": "page"}
            | {"confirmed": "trade", "mismatched": ""}
        )
    finally:
        log.close()
    typed = await ds.client.get(
        "/verify_log/checks.csv", params={"client": "paper-typed"}, cookies=signed_in(ds)
    )
    assert [(row["confirmed"], row["mismatched"]) for row in csv_rows(typed)] == [
        ("trade 工种", "无")  # confirmed, nothing mismatched
    ]


@pytest.mark.parametrize(("not_made", "shown"), [(True, "malformed 未查验"), (False, "malformed")])
def test_only_the_check_logs_export_says_a_check_without_a_name_was_not_made(
    not_made: bool, shown: str
) -> None:
    """As on the pages, which say so for the check log only (a report's row is no check)."""
    exported = CsvNeutraliser(not_made=not_made).feed(
        _csv([["number", "result", "name_hash"], ["Z1122020123", "malformed", ""]]), final=True
    )
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    assert rows[0]["result"] == shown


@pytest.mark.anyio
async def test_the_staff_log_says_who_opened_whose_record_and_never_a_name_searched(
    ds: Datasette,
) -> None:
    """An auditor asks which clerk looked at a holder's record: uvicorn's line knows the path
    but not the user. A name searched stays out of every log."""
    lines: list[str] = []

    class Kept(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    kept = Kept()
    logging.getLogger(STAFF_LOGGER).addHandler(kept)
    try:
        cookies = signed_in(ds)
        await ds.client.get("/registry/certificates/Z1122020123", cookies=cookies)
        await ds.client.get("/registry/holders", params={"姓名": "周杰"}, cookies=cookies)
        await ds.client.get("/-/static/app.css", cookies=cookies)  # not a record: not logged
        await ds.client.get("/registry/certificates/Z1122020124")  # nobody signed in: no staff
    finally:
        logging.getLogger(STAFF_LOGGER).removeHandler(kept)
    assert lines[0] == f"职员 {STAFF_USER} GET /registry/certificates/Z1122020123 200"
    assert (
        lines[1].startswith(f"职员 {STAFF_USER} GET /registry/holders?") and "周杰" not in lines[1]
    )
    assert "%E5%91%A8" not in lines[1] and len(lines) == 2


@pytest.mark.anyio
async def test_a_login_waits_for_no_other_users_and_addresses_checks(ds: Datasette) -> None:
    """One lock held every password check: forty addresses' wrong logins held a right one up
    for 12 s (a pen-tester's). A check holds only its username's and its client's locks."""
    [loaded] = [  # the plugin as Datasette loaded it (from its folder: a module of its own)
        m for m in pm.get_plugins() if getattr(m, "__file__", "").endswith("certreg_login.py")
    ]
    throttle = loaded.login_throttle(ds)
    ours = {
        stripe(key)
        for client in ("testclient", "127.0.0.1", "unknown")
        for key in throttle.keys(STAFF_USER, client)
    }
    candidates = (throttle.keys(f"mallory{n}", f"203.0.113.{n % 250}") for n in range(1000))
    theirs = next(keys for keys in candidates if not {stripe(key) for key in keys} & ours)
    async with throttle.locked(theirs):  # another user's check, from another address, under way
        signed = await asyncio.wait_for(attempt(ds, STAFF_USER, STAFF_PASSWORD), timeout=60)
    assert signed.status_code == 302


def stripe(key: tuple[str, str]) -> int:
    """The lock stripe `LoginThrottle.locked` takes for ``key``."""
    return zlib.crc32(":".join(key).encode()) % LOCK_STRIPES


def test_a_printf_of_millions_of_characters_is_null_at_once() -> None:
    """``printf('%.*c', 2147483647, 'a')`` built its text for 7 s — no time limit interrupts
    one call — before SQLite answered NULL: three such queries held every staff page (a hang
    guard, not a timing). Any other printf is SQLite's own."""
    code = (
        "import sqlite3\n"
        "from datasette_config.plugins.certreg_printf import prepare_connection\n"
        "conn = sqlite3.connect(':memory:')\n"
        "prepare_connection(conn, 'registry', None)\n"
        "sql = \"SELECT printf('%.*c', 2147483647, 'a'), format('%2147483647d', 1),"
        " printf('%s%.*c', 'x', 2147483647, 'a'), printf('%.*c', 2147483647, 'a'),"
        " printf('%05d|%.2f|%s|%%|%*d|%q', 42, 3.14159, '周杰', 3, 7, 'it''s')\"\n"
        "print(conn.execute(sql).fetchone())\n"
        "sql = \"SELECT printf('%.*c', '2147483647x', 'a'), printf(CAST('%.*c' AS BLOB),"
        " 2147483647, 'a'), printf('%.*c', 1e400, 'a'), printf('%*d', -9223372036854775808, 1)\"\n"
        "print(conn.execute(sql).fetchone())\n"
    )
    said = bounded(code, seconds=5).strip().splitlines()
    assert said[0] == "(None, None, None, None, \"00042|3.14|周杰|%|  7|it''s\")"
    assert said[1] == "(None, None, None, None)"  # as SQLite reads a width: text, blob, 1e400


@pytest.mark.anyio
async def test_a_csv_export_of_a_query_that_fails_says_so(ds: Datasette) -> None:
    """Datasette answered a CSV of a query that failed (a refused function, a value over the
    size limit) with 200 and a file of one empty line: staff read it as "no rows"."""
    cookies = signed_in(ds)
    for sql in ("select load_extension('x')", "select zeroblob(200000)"):
        failed = await ds.client.get("/registry.csv", params={"sql": sql}, cookies=cookies)
        assert failed.status_code == 400 and failed.text.startswith("导出失败：查询出错"), sql
    empty = await ds.client.get(
        "/registry.csv", params={"sql": "select 1 as a where 0"}, cookies=cookies
    )
    assert empty.status_code == 200 and empty.text == "\ufeffa\r\n"  # no rows, said so
    canned = await ds.client.get(
        "/registry/certificate.csv", params={"证书编号": "Z1122020123"}, cookies=cookies
    )
    assert canned.status_code == 200 and "Z1122020123" in canned.text


def test_a_websocket_upgrade_is_refused_before_any_page(browse_url: str) -> None:
    """A hostile probe: every wrapper — the login's too — let through what is not plain HTTP,
    and Datasette failed on the WebSocket with a 500 and a traceback in the log."""
    headers = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    }
    answer = httpx.get(f"{browse_url}/registry/certificates.json", headers=headers)
    assert answer.status_code == 403
    assert "Z1122020123" not in answer.text
