"""Abuse limits and hardening (SPEC §7): rate limit + Retry-After, proxies, CSRF, headers, sizes."""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import httpx2 as httpx
import pytest
from starlette.datastructures import Secret
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope

from registry.public.client_keys import limit_key
from tests.verify_fixtures import (
    REVOKED,
    SECRET,
    VALID,
    AppClient,
    app_client,
    clock,
    context_of,
    csrf_token,
    distinct_items,
    post_check,
    read_log,
    registry_db,
    template_of,
)
from verify_app.app import create_app
from verify_app.body_limit import SMALLER_BODY, TOO_LARGE_ADVICE, BodyLimitMiddleware
from verify_app.context import MAX_UNTRUSTED_WARNINGS, client_of
from verify_app.csrf import LIFETIME
from verify_app.refusals import RateLimited
from verify_app.settings import Settings

__all__ = ["app_client", "clock", "registry_db"]

CHECK = {"number": VALID[0], "name": VALID[1]}


def test_rate_limit_429_with_retry_after(app_client: AppClient) -> None:
    with app_client(rate_limit=3) as client:
        statuses = [client.post("/api/v1/verify", json=CHECK).status_code for _ in range(3)]
        refused = client.post("/api/v1/verify", json=CHECK)
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "查验过于频繁" in refused.json()["message"]
    assert refused.json()["reason"] == "per_minute"  # the client's own pace: wait, then resend


def test_each_batch_item_counts(app_client: AppClient) -> None:
    with app_client(rate_limit=1, batch_rows_per_hour=5) as client:
        first = client.post("/api/v1/verify/batch", json={"items": distinct_items(4)})
        second = client.post("/api/v1/verify/batch", json={"items": distinct_items(2)})
        single = client.post("/api/v1/verify", json=CHECK)  # its own allowance
        last = client.post("/api/v1/verify/batch", json={"items": distinct_items(1)})
        too_big = client.post("/api/v1/verify/batch", json={"items": distinct_items(6)})
    assert first.status_code == 200
    assert second.status_code == 429  # 4 + 2 > 5: refused whole, nothing counted
    assert "现在还可查验 1 行" in second.json()["message"]
    assert single.status_code == 200
    assert last.status_code == 200  # the fifth row
    assert too_big.status_code == 422  # more than the whole hour holds: split, not retry
    assert "请分成每批不超过 5 行提交" in too_big.json()["message"]


def test_receipt_opening_counts_too(app_client: AppClient) -> None:
    with app_client(rate_limit=2) as client:
        url = context_of(post_check(client, *VALID))["receipt_url"]
        assert client.get(url).status_code == 200
        assert client.get(url).status_code == 429


def test_receipt_qr_codes_have_their_own_count(app_client: AppClient) -> None:
    """Drawing the QR code costs more than a check, so it is limited too — but apart: the code
    every result page loads by itself leaves the client the checks the page promises."""
    with app_client(rate_limit=3) as client:
        qr_url = context_of(post_check(client, *VALID))["qr_url"]
        statuses = [client.get(qr_url).status_code for _ in range(4)]
        checks = [post_check(client, *VALID).status_code for _ in range(3)]
    assert statuses == [200, 200, 200, 429]
    assert checks == [200, 200, 429]


def test_limit_zero_is_off(app_client: AppClient) -> None:
    with app_client(rate_limit=0) as client:
        statuses = {client.post("/api/v1/verify", json=CHECK).status_code for _ in range(40)}
    assert statuses == {200}


def test_default_limit_is_30_a_minute(app_client: AppClient) -> None:
    with app_client(rate_limit=30) as client:
        ok = [client.post("/api/v1/verify", json=CHECK).status_code for _ in range(30)]
        refused = client.post("/api/v1/verify", json=CHECK)
    assert ok == [200] * 30
    assert refused.status_code == 429


def test_untrusted_peer_cannot_spoof_x_forwarded_for(app_client: AppClient) -> None:
    with app_client(rate_limit=2, client=("198.51.100.9", 4000)) as client:
        codes = [
            client.post(
                "/api/v1/verify", json=CHECK, headers={"X-Forwarded-For": f"192.0.2.{i}"}
            ).status_code
            for i in range(3)
        ]
    assert codes == [200, 200, 429]


def test_a_proxy_left_out_of_the_trusted_list_is_logged_once(
    app_client: AppClient, caplog: pytest.LogCaptureFixture
) -> None:
    """nginx on 198.51.100.9 forwards, CERTREG_TRUSTED_PROXIES does not name it: every employer
    shares its allowance. Said in the log, once, so the administrator can see why."""
    with caplog.at_level(logging.WARNING, logger="certreg.verify"):
        with app_client(client=("198.51.100.9", 4000)) as client:
            for i in range(3):
                headers = {"X-Forwarded-For": f"192.0.2.{i}"}
                client.post("/api/v1/verify", json=CHECK, headers=headers)
        with app_client(trusted_proxies=("10.0.0.0/8",), client=("10.1.2.3", 4000)) as client:
            client.post("/api/v1/verify", json=CHECK, headers={"X-Forwarded-For": "192.0.2.7"})
            # two headers (the client's own, the proxy's): read together, as uvicorn reads them
            twice = [("X-Forwarded-For", "10.8.0.1"), ("X-Forwarded-For", "192.0.2.8")]
            client.post("/api/v1/verify", json=CHECK, headers=twice)
    warned = [r.getMessage() for r in caplog.records if "X-Forwarded-For" in r.getMessage()]
    assert len(warned) == 1 and "198.51.100.9" in warned[0]
    assert "CERTREG_TRUSTED_PROXIES" in warned[0]


def test_a_trusted_proxys_header_naming_no_address_counts_as_the_proxy(
    app_client: AppClient, registry_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """uvicorn took X-Forwarded-For's entry as written: each spelling of no address (garbage,
    0x7f000001, 001.002.003.004) was a client of its own, with its own allowance, logged so;
    and a header ending in a comma was warned of as from a proxy not trusted, though it was
    (a security review). Counted as the proxy, said once."""
    spellings = ["garbage", "0x7f000001", "001.002.003.004", "192.0.2.7,"]
    with caplog.at_level(logging.WARNING, logger="certreg.verify"):
        with app_client(
            rate_limit=3, trusted_proxies=("10.0.0.0/8",), client=("10.1.2.3", 4000)
        ) as client:
            codes = [
                client.post(
                    "/api/v1/verify", json=CHECK, headers={"X-Forwarded-For": spelled}
                ).status_code
                for spelled in spellings
            ]
            client.app.state.verifier.log.flush()
    assert codes == [200, 200, 200, 429]  # one allowance, the proxy's
    assert {row["client"] for row in read_log(registry_db)} >= {"10.1.2.3"}
    assert not {row["client"] for row in read_log(registry_db)} & set(spellings)
    warned = [r.getMessage() for r in caplog.records if "X-Forwarded-For" in r.getMessage()]
    assert len(warned) == 1 and "10.1.2.3" in warned[0] and "没有可用的客户端地址" in warned[0]


def test_public_networks_cannot_use_up_the_untrusted_proxy_warnings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The warnings are capped (`MAX_UNTRUSTED_WARNINGS`): one host sending the header from 16
    addresses of its /64, or one home from 16 /64s of its /56, silenced the warning of the
    proxy left out after it. Addresses of one /64 are one peer; a private one is always named."""
    app = SimpleNamespace(state=SimpleNamespace(untrusted_peers=set()))
    one_network = [f"2408:8000::{i:x}" for i in range(MAX_UNTRUSTED_WARNINGS + 4)]  # public
    one_home = [f"2408:8000:0:{i:x}::1" for i in range(1, MAX_UNTRUSTED_WARNINGS + 4)]
    with caplog.at_level(logging.WARNING, logger="certreg.verify"):
        for peer in [*one_network, *one_home, "10.0.0.5", "10.0.0.5"]:
            scope: Scope = {
                "type": "http",
                "headers": [(b"x-forwarded-for", b"192.0.2.1")],
                "client": (peer, 4000),
                "app": app,
            }
            assert client_of(Request(scope)) == peer
    warned = [r.getMessage() for r in caplog.records if "X-Forwarded-For" in r.getMessage()]
    assert len(warned) == MAX_UNTRUSTED_WARNINGS + 1
    assert sum(text.startswith("来自 2408:8000::") for text in warned) == 1
    assert "10.0.0.5" in warned[-1]


def test_trusted_proxy_clients_are_counted_apart(app_client: AppClient) -> None:
    with app_client(
        rate_limit=2, trusted_proxies=("10.0.0.0/8",), client=("10.1.2.3", 4000)
    ) as client:

        def from_client(ip: str) -> int:
            headers = {"X-Forwarded-For": f"{ip}, 10.9.9.9"}
            status: int = client.post("/api/v1/verify", json=CHECK, headers=headers).status_code
            return status

        a = [from_client("192.0.2.1") for _ in range(3)]
        b = [from_client("192.0.2.2") for _ in range(2)]
    assert a == [200, 200, 429]
    assert b == [200, 200]


def test_a_trusted_proxy_on_a_dual_stack_socket_is_trusted(app_client: AppClient) -> None:
    """``certreg serve --host ::`` sees nginx on 127.0.0.1 as ::ffff:127.0.0.1: its clients'
    addresses were ignored, every client counted as the proxy — one allowance for the site."""

    def answers(peer: str, *clients: str) -> list[int]:
        with app_client(rate_limit=2, trusted_proxies=("127.0.0.1",), client=(peer, 4000)) as c:
            return [
                c.post("/api/v1/verify", json=CHECK, headers={"X-Forwarded-For": ip}).status_code
                for ip in clients
            ]

    assert answers("::ffff:127.0.0.1", *(f"192.0.2.{i}" for i in range(1, 6))) == [200] * 5
    assert answers("::ffff:127.0.0.1", *["192.0.2.9"] * 3) == [200, 200, 429]  # each its own
    # a peer that is no trusted proxy, in either form, names no one else
    assert answers("::ffff:198.51.100.9", "192.0.2.1", "192.0.2.2", "192.0.2.3") == [200, 200, 429]


def test_a_batch_refused_for_its_token_keeps_the_pasted_list(
    app_client: AppClient, registry_db: Path
) -> None:
    """An accessibility review: a batch form whose token no longer matched its cookie (the
    secret changed) was told the browser sent no cookie, and lost the pasted list, which the
    other forms give back."""
    pasted = f"{VALID[0]} {VALID[1]}"
    with app_client() as client:
        client.get("/batch")
        page = client.post("/batch", data={"entries": pasted, "csrf_token": "stale"})
    assert page.status_code == 403 and template_of(page) == "batch.html"
    assert "表单已失效" in context_of(page)["error"] and "Cookie" not in context_of(page)["error"]
    assert f">{pasted}" in page.text and "已保留您粘贴的名单" in context_of(page)["error"]
    with app_client() as client:  # nothing pasted (a file): not said to be kept
        client.get("/batch")
        page = client.post("/batch", data={"entries": "", "csrf_token": "stale"})
    assert "请重新粘贴名单或选择文件" in context_of(page)["error"]
    assert read_log(registry_db) == []


def test_csrf_missing_token_rejected(app_client: AppClient, registry_db: Path) -> None:
    """Refused, nothing checked — and the form comes back with what was typed (a page left
    open too long lost the number, the name and the paper's fields)."""
    typed = {**CHECK, "trade": "汽车驾驶员"}
    with app_client() as client:
        client.get("/")
        page = client.post("/check", data=typed)
    assert page.status_code == 403
    assert template_of(page) == "index.html"
    assert "表单已失效" in context_of(page)["error"]
    assert {key: context_of(page)["values"][key] for key in typed} == typed
    assert f'value="{VALID[1]}"' in page.text
    assert read_log(registry_db) == []


def test_rate_limited_page_is_the_form_with_what_was_typed(app_client: AppClient) -> None:
    with app_client(rate_limit=1) as client:
        assert post_check(client, *VALID).status_code == 200
        page = post_check(client, *VALID)
    assert page.status_code == 429 and 1 <= int(page.headers["Retry-After"]) <= 60
    assert template_of(page) == "index.html"
    assert "查验过于频繁" in context_of(page)["error"]
    assert f'value="{VALID[0]}"' in page.text and f'value="{VALID[1]}"' in page.text


def test_a_post_from_another_site_gets_an_empty_form(app_client: AppClient) -> None:
    """Without the form's cookie (another site's POST), what was sent is not put back into
    the form: one click would check a number and name of that site's choosing."""
    with app_client() as client:
        page = client.post("/check", data=CHECK)
    assert page.status_code == 403 and template_of(page) == "index.html"
    assert VALID[1] not in page.text and VALID[0] not in page.text
    # nor does the page say it kept them (a browser refusing cookies saw that every time)
    error = context_of(page)["error"]
    assert "已保留" not in error and "Cookie" in error and "重新填写" in error


def test_csrf_wrong_token_rejected(app_client: AppClient) -> None:
    with app_client() as client:
        token = csrf_token(client)
        altered = token[:-1] + ("1" if token[-1] == "0" else "0")
        wrong = client.post("/check", data={**CHECK, "csrf_token": altered})
        client.cookies.clear()
        no_cookie = client.post("/check", data={**CHECK, "csrf_token": token})
    assert wrong.status_code == 403
    assert no_cookie.status_code == 403


def test_a_form_field_sent_twice_is_refused_unchecked(
    app_client: AppClient, registry_db: Path
) -> None:
    """``number=A&number=B``: the last was checked, where a proxy or firewall reading the
    first saw another request — the JSON API refuses a key given twice (a hostile review)."""
    with app_client() as client:
        token = csrf_token(client)
        body = (
            f"csrf_token={token}&number={quote(REVOKED[0])}&number={quote(VALID[0])}"
            f"&name={quote(REVOKED[1])}&name={quote(VALID[1])}"
        )
        page = client.post(
            "/check",
            content=body.encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert page.status_code == 400 and "提交了不止一次" in page.text
    assert read_log(registry_db) == []


@pytest.mark.parametrize("path", ["/check", "/report"])
def test_csrf_token_not_ascii_rejected(app_client: AppClient, path: str) -> None:
    """A token no page ever carried is refused like any other, whatever its characters."""
    with app_client() as client:
        csrf_token(client)
        urlencoded = client.post(path, data={**CHECK, "csrf_token": "中"})
        multipart = client.post(
            path, data={**CHECK, "csrf_token": "é"}, files={"x": ("x.txt", b"y")}
        )
    assert urlencoded.status_code == 403
    assert multipart.status_code == 403


def test_csrf_token_of_another_browser_rejected(app_client: AppClient) -> None:
    with app_client() as attacker, app_client() as victim:
        attacker_token = csrf_token(attacker)
        csrf_token(victim)
        page = victim.post("/check", data={**CHECK, "csrf_token": attacker_token})
    assert page.status_code == 403


def test_csrf_on_batch_forms(app_client: AppClient) -> None:
    with app_client() as client:
        client.get("/")
        upload = client.post("/batch", files={"file": ("a.csv", b"Z1122000001,x\n")})
    assert upload.status_code == 403


@pytest.fixture
def all_kinds_of_response(app_client: AppClient) -> Iterator[list[tuple[str, httpx.Response]]]:
    with app_client() as client:
        yield [
            ("form", client.get("/")),
            ("result", post_check(client, *VALID)),
            (
                "batch",
                client.post(
                    "/batch",
                    data={"csrf_token": csrf_token(client)},
                    files={"file": ("a.csv", f"{VALID[0]},{VALID[1]}\n".encode())},
                ),
            ),
            ("api", client.post("/api/v1/verify", json=CHECK)),
            ("404", client.get("/nowhere")),
            ("400", client.post("/api/v1/verify", content=b"{")),
            ("static", client.get("/static/style.css")),
            ("health", client.get("/healthz")),
        ]


def test_security_headers_everywhere(
    all_kinds_of_response: list[tuple[str, httpx.Response]],
) -> None:
    for what, response in all_kinds_of_response:
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp, what
        assert "script-src" not in csp and "default-src 'none'" in csp, what
        assert "unsafe-inline" not in csp, what
        assert headers["X-Frame-Options"] == "DENY", what
        assert headers["Referrer-Policy"] == "no-referrer", what
        assert headers["X-Content-Type-Options"] == "nosniff", what
        if what in ("result", "batch"):  # the officer's own browser keeps it, for Back
            assert response.status_code == 200, what
            assert headers["Cache-Control"] == "private, no-cache", what
        elif what != "static":
            assert headers["Cache-Control"] == "no-store", what


def test_csrf_cookie_is_httponly_and_same_site(app_client: AppClient) -> None:
    with app_client() as client:
        cookie = client.get("/").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    # not a session cookie: a phone's browser killed in the background dropped it, and the
    # restored tab's forms were all refused
    assert f"max-age={LIFETIME}" in cookie


JSON = {"Content-Type": "application/json"}


def test_oversized_body_413(app_client: AppClient) -> None:
    with app_client(max_body_bytes=2048) as client:
        big = client.post("/api/v1/verify", content=b"{" + b" " * 4096 + b"}")
        small = client.post("/api/v1/verify", json=CHECK)
    assert big.status_code == 413
    assert "请求内容过大" in big.json()["message"]
    assert small.status_code == 200


def test_an_oversized_body_to_a_feed_is_refused_in_json(app_client: AppClient) -> None:
    """A program's DELETE of a feed got the site's HTML page for 413, as its other errors are JSON."""
    with app_client(max_body_bytes=2048) as client:
        big = client.request("DELETE", "/watch/x.json", content=b" " * 4096, headers=JSON)
    assert big.status_code == 413 and big.json()["error"] == "too_large"


def test_oversized_streamed_body_without_length_413(app_client: AppClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b" " * 1024

    with app_client(max_body_bytes=2048) as client:
        response = client.post("/api/v1/verify", content=chunks(), headers=JSON)
    assert response.status_code == 413


def test_oversized_upload_413(app_client: AppClient) -> None:
    with app_client(max_body_bytes=4096) as client:
        token = csrf_token(client)
        response = client.post(
            "/batch", data={"csrf_token": token}, files={"file": ("a.csv", b"x," * 5000)}
        )
    assert response.status_code == 413
    page = response.text  # the site's own page: its footer's links, the way back to the form
    assert "请求内容过大" in page and "分成几个较小的文件" in page
    assert 'href="/batch">返回批量查验' in page and 'href="/docs">接口说明' in page


def test_an_oversized_watch_list_leads_back_to_the_watch_form(app_client: AppClient) -> None:
    with app_client(max_body_bytes=4096) as client:
        token = csrf_token(client)
        response = client.post("/watch", data={"csrf_token": token, "entries": "x" * 5000})
    assert response.status_code == 413
    assert 'href="/watch">返回关注证书变更' in response.text
    assert "分成几个关注列表" in response.text and "文件" not in response.text


def test_malformed_multipart_is_400_not_500(app_client: AppClient) -> None:
    with app_client() as client:
        csrf_token(client)
        response = client.post(
            "/check",
            content=b"--xx\r\nContent-Disposition: form-data\r\n\r\nbroken",
            headers={"content-type": "multipart/form-data; boundary=xx"},
        )
    assert response.status_code == 400 and "表单格式不正确" in response.text


MULTIPART = "multipart/form-data; boundary=b"


@pytest.mark.parametrize(
    ("path", "body", "content_type", "message"),
    [
        ("/check", b"xx", "multipart/form-data", "表单格式不正确"),
        (
            "/check",
            b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n",
            MULTIPART,
            "表单格式不正确",
        ),
        (
            "/check",
            b"".join(
                b"--b\r\nContent-Disposition: form-data; name=f%d\r\n\r\nv\r\n" % i
                for i in range(11)
            )
            + b"--b--\r\n",
            MULTIPART,
            "表单字段过多（最多 10 个）",
        ),
        (
            "/batch",
            b"".join(
                b'--b\r\nContent-Disposition: form-data; name=f%d; filename="a.csv"\r\n\r\n'
                b"x\r\n" % i
                for i in range(2)
            )
            + b"--b--\r\n",
            MULTIPART,
            "一次只能上传一个文件",
        ),
        (
            "/check",
            b"--b\r\nContent-Disposition: form-data; name=text\r\n\r\n"
            + b"x" * 1_100_000
            + b"\r\n--b--\r\n",
            MULTIPART,
            "表单中有一项内容过长",
        ),
    ],
)
def test_unreadable_forms_are_explained_in_chinese(
    app_client: AppClient, path: str, body: bytes, content_type: str, message: str
) -> None:
    """Starlette's reasons for refusing a multipart form are English: the page says it in
    Chinese, with what to do."""
    with app_client(max_body_bytes=2_000_000) as client:
        response = client.post(path, content=body, headers={"content-type": content_type})
    assert response.status_code == 400
    assert template_of(response) == "error.html"
    assert message in context_of(response)["message"]
    assert not re.search(r"[A-Za-z]{4}", context_of(response)["message"].replace(".xlsx", ""))


def test_multipart_in_an_unreadable_charset_is_400(app_client: AppClient) -> None:
    """The punycode codec fails with UnicodeError, which Starlette's decoder does not catch."""
    with app_client() as client:
        token = csrf_token(client)
        body = (
            f"--b\r\nContent-Disposition: form-data; name=csrf_token\r\n\r\n{token}\r\n"
            "--b\r\nContent-Disposition: form-data; name=number\r\n\r\n\xff-\r\n--b--\r\n"
        ).encode("latin-1")
        response = client.post(
            "/check",
            content=body,
            headers={"content-type": "multipart/form-data; charset=punycode; boundary=b"},
        )
    assert response.status_code == 400
    assert "字符编码无法识别" in response.text


@pytest.mark.parametrize(("path", "field"), [("/report", "text"), ("/check", "number")])
def test_a_file_sent_where_text_belongs_is_refused(
    app_client: AppClient, path: str, field: str
) -> None:
    """A report's 情况说明 sent as a file was stored as Python's description of it
    (``UploadFile(filename='t.txt', …)``) for staff to read, and the check form showed it back
    in the number's box; only the batch check's upload is a file."""
    with app_client() as client:
        token = csrf_token(client)
        response = client.post(
            path, data={"csrf_token": token}, files={field: ("t.txt", b"text", "text/plain")}
        )
    assert response.status_code == 400
    assert "提交的却是文件" in response.text and "UploadFile" not in response.text


def test_a_form_sent_with_raw_utf8_reads_as_typed_and_other_bytes_are_refused(
    app_client: AppClient,
) -> None:
    """``curl -d name=张三明`` sends the name unescaped: read as Latin-1, a valid certificate
    was answered 未查到 (and a forgery report offered)."""
    number, name = VALID
    with app_client() as client:
        token = csrf_token(client)
        form = {"content-type": "application/x-www-form-urlencoded"}
        raw = f"csrf_token={token}&number={number}&name={name}"
        answered = client.post("/check", content=raw.encode("utf-8"), headers=form)
        refused = client.post("/check", content=raw.encode("gb18030"), headers=form)
    assert context_of(answered)["check"].result == "valid"
    assert refused.status_code == 400 and "字符编码无法识别" in refused.text


def test_a_form_in_gbk_is_read_as_declared_and_undeclared_escapes_are_refused(
    app_client: AppClient,
) -> None:
    """张三明 percent-escaped in GBK was decoded as UTF-8 with replacement characters: a valid
    certificate answered 未查到, with a forgery report offered. A declared Chinese charset is
    read as such; escapes that are not UTF-8, undeclared, are refused like raw bytes."""
    number, name = VALID
    escaped = quote(name.encode("gbk"))
    with app_client() as client:
        token = csrf_token(client)
        raw = f"csrf_token={token}&number={number}&name={escaped}".encode("ascii")
        answers = [
            client.post("/check", content=raw, headers={"content-type": declared})
            for declared in (
                "application/x-www-form-urlencoded; Charset = GBK",
                "application/x-www-form-urlencoded",
                "application/x-www-form-urlencoded; charset=koi8-r",
            )
        ]
    assert context_of(answers[0])["check"].result == "valid"
    for refused in answers[1:]:
        assert refused.status_code == 400 and "字符编码无法识别" in refused.text


def test_ipv6_clients_are_limited_per_64(app_client: AppClient) -> None:
    with app_client(rate_limit=2, client=("2001:db8:1:2::10", 1)) as first:
        assert first.post("/api/v1/verify", json=CHECK).status_code == 200
        assert first.post("/api/v1/verify", json=CHECK).status_code == 200
        limiter = first.app.state.verifier.limiter
    with pytest.raises(RateLimited):
        limiter.charge("2001:db8:1:2::ffff")  # same /64
    limiter.charge("2001:db8:1:3::10")  # another /64


def test_ipv4_clients_of_a_dual_stack_socket_are_limited_one_by_one(
    app_client: AppClient,
) -> None:
    with app_client(rate_limit=1, client=("::ffff:192.0.2.1", 1)) as first:
        assert first.post("/api/v1/verify", json=CHECK).status_code == 200
        limiter = first.app.state.verifier.limiter
    with pytest.raises(RateLimited):
        limiter.charge("192.0.2.1")  # the same client, however its address is written
    limiter.charge("::ffff:192.0.2.2")  # another IPv4 client, not the same ::/64


def test_limit_key() -> None:
    assert limit_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert limit_key("192.0.2.1") == "192.0.2.1"
    assert limit_key("::ffff:192.0.2.1") == "192.0.2.1"  # a dual-stack socket's IPv4 peer
    assert limit_key("unknown") == "unknown"


def test_chunked_body_declaring_a_small_length_is_still_counted(app_client: AppClient) -> None:
    """A request with both headers is framed by Transfer-Encoding (h11): its length proves
    nothing, so the streamed bytes are counted."""

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b" " * 1024

    with app_client(max_body_bytes=2048) as client:
        response = client.post(
            "/api/v1/verify",
            content=chunks(),
            headers={**JSON, "Content-Length": "10", "Transfer-Encoding": "chunked"},
        )
    assert response.status_code == 413


def _post(path: str, content_type: bytes, declared: int) -> Scope:
    """The ASGI scope of a POST to ``path`` declaring a body of ``declared`` bytes."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", content_type), (b"content-length", str(declared).encode())],
        "client": ("203.0.113.7", 50000),
        "server": ("127.0.0.1", 8000),
    }


@pytest.mark.parametrize(
    ("pause", "idle", "total"),
    [(3600.0, 0.2, 120.0), (0.05, 0.2, 0.3)],
    ids=["stops coming", "trickles in"],
)
def test_a_body_that_stops_or_trickles_is_408_not_a_held_connection(
    registry_db: Path, pause: float, idle: float, total: float
) -> None:
    """A client that declares a body and sends part of it holds nothing for long: the next part
    must come within the idle time, and the whole body within the total time (a byte now and
    then is never idle) — or the answer is 408 and the connection is closed."""
    app = BodyLimitMiddleware(
        create_app(Settings(db=registry_db, secret=Secret(SECRET), rate_limit=0)),
        max_bytes=1_048_576,
        idle_seconds=idle,
        total_seconds=total,
    )
    scope = _post("/api/v1/verify", b"application/json", declared=1000)

    async def receive() -> Message:
        await asyncio.sleep(pause)  # a byte, then nothing (or nothing for long)
        return {"type": "http.request", "body": b" ", "more_body": True}

    sent = _answered(app, scope, receive)
    start = sent[0]
    assert start["status"] == 408
    assert (b"connection", b"close") in start["headers"]
    assert "超时" in json.loads(sent[1]["body"])["message"]


def _answered(app: ASGIApp, scope: Scope, receive: Receive) -> list[Message]:
    """What ``app`` sends for one request whose body comes as ``receive`` gives it."""
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def call() -> None:
        async with asyncio.timeout(5):
            await app(scope, receive, send)

    asyncio.run(call())
    return sent


PAUSED, OUT_OF_TIME, SLOW_THEN_PAUSED = "paused", "out of time", "slow, then paused"
"""How a body comes in `_stalled`: a part, then nothing; a part every 0.05 s, past the total
time (0.6 s); three parts 0.05 s apart of 100 KB, then nothing (at that pace, it would take
over an hour)."""
FILE_BEGUN = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
FORMS = {
    "/check": b"application/x-www-form-urlencoded",
    "/watch/abc/delete": b"application/x-www-form-urlencoded",
    "/batch": b"multipart/form-data; boundary=x",
    "/watch": b"application/x-www-form-urlencoded",
    "/api/v1/verify": b"application/json",
    "/api/v1/verify/batch": b"application/json",
}


def _stalled(registry_db: Path, path: str, how: str) -> tuple[int, str, str]:
    """The status, message and advice the app answers a body to ``path`` coming ``how``."""
    inner = create_app(Settings(db=registry_db, secret=Secret(SECRET), rate_limit=0))
    app = BodyLimitMiddleware(inner, 1_048_576, idle_seconds=0.2, total_seconds=0.6)
    declared = 100_000 if how == SLOW_THEN_PAUSED else 600
    scope = {**_post(path, FORMS[path], declared=declared), "app": inner}
    parts = 1 if how == PAUSED else 3 if how == SLOW_THEN_PAUSED else 1000
    # a file's part begun (a multipart body is read as it comes), then its bytes
    chunks = itertools.chain([FILE_BEGUN if path == "/batch" else b"-"], itertools.repeat(b"a"))

    async def receive() -> Message:
        nonlocal parts
        if not parts:
            await asyncio.sleep(3600)  # then nothing
        await asyncio.sleep(0 if parts == 1000 or how == PAUSED else 0.05)
        parts -= 1
        return {"type": "http.request", "body": next(chunks), "more_body": True}

    sent = _answered(app, scope, receive)
    start, body = sent
    if path.startswith("/api/"):
        return start["status"], json.loads(body["body"])["message"], ""
    shown = re.search(r'role="alert">(.*?)</p>\s*(?:<p>(.*?)</p>)?', body["body"].decode())
    assert shown is not None
    return start["status"], html.unescape(shown[1]), html.unescape(shown[2] or "")


SAME_AGAIN = "以当前的网速，同样的内容重新"


@pytest.mark.parametrize(
    ("path", "how", "told"),
    [
        ("/check", PAUSED, "网络中断了一会儿：请重新提交。"),
        ("/check", OUT_OF_TIME, "网速过慢：请在网络较稳定时重新提交。"),
        ("/watch/abc/delete", PAUSED, "网络中断了一会儿：请重新提交。"),
        ("/watch/abc/delete", OUT_OF_TIME, "网速过慢：请在网络较稳定时重新提交。"),
        ("/batch", PAUSED, "网络中断了一会儿：请重新提交。"),
        ("/batch", OUT_OF_TIME, SAME_AGAIN + "提交仍会超时。" + SMALLER_BODY["/batch"]),
        ("/batch", SLOW_THEN_PAUSED, SAME_AGAIN + "提交仍会超时。" + SMALLER_BODY["/batch"]),
        ("/watch", OUT_OF_TIME, SAME_AGAIN + "提交仍会超时。" + SMALLER_BODY["/watch"]),
        ("/api/v1/verify", PAUSED, "网络中断了一会儿：请重新发送。"),
        ("/api/v1/verify", OUT_OF_TIME, "网速过慢：请在网络较稳定时重新发送。"),
        ("/api/v1/verify/batch", PAUSED, "网络中断了一会儿：请重新发送。"),
        (
            "/api/v1/verify/batch",
            OUT_OF_TIME,
            SAME_AGAIN + "发送仍会超时。" + SMALLER_BODY["/api/v1/verify/batch"],
        ),
    ],
)
def test_a_slow_body_is_told_to_send_the_same_again_or_what_to_send_instead(
    registry_db: Path, path: str, how: str, told: str
) -> None:
    """A phone's upload cut for its pace was told only 请重新提交: the same file on the same
    network is cut again, so one out of time — or too slow to come in time — is told what to
    send instead, by its exact route: the upload's pictures and columns to drop, the watch
    list's split, the API's batch. But a pause of the network, and a small form's body, were
    told the same (a single check to split its batch, a watch list's 删除 to split the list, a
    570-byte upload whose network paused to drop its pictures): they are told to send again."""
    status, message, advice = _stalled(registry_db, path, how)
    assert status == 408 and (message + advice).endswith(told), (message, advice)
    assert ("仍会超时" in message + advice) == (SAME_AGAIN in told)
    if SAME_AGAIN not in told:  # no way to a smaller body when its size is not at fault
        assert advice == ""
    if how == PAUSED:
        assert "秒内未收到后续数据" in message


def test_a_too_large_forms_advice_is_its_exact_routes(app_client: AppClient) -> None:
    """A refusal for size to a watch list's 删除 was told to split the watch list, matched by
    its route's beginning: it is told to shorten what it sent, as every form but the upload
    and the watch list's creation is."""
    with app_client() as client:
        page = client.post("/watch/abc/delete", content=b"x" * 2_000_000)
        upload = client.post("/batch", content=b"x" * 2_000_000)
    assert page.status_code == 413 and page.context["advice"] == TOO_LARGE_ADVICE
    assert upload.status_code == 413 and upload.context["advice"] == SMALLER_BODY["/batch"]


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/verify", b"application/json"),
        ("/check", b"application/x-www-form-urlencoded"),
        ("/batch", b"multipart/form-data; boundary=x"),
    ],
)
def test_a_client_gone_before_its_body_is_in_leaves_no_error(
    registry_db: Path, caplog: pytest.LogCaptureFixture, path: str, content_type: bytes
) -> None:
    """Ten bytes of a declared hundred, then the connection closed: every such request logged
    an error with a traceback, free of any allowance. Nothing is answered, nothing logged."""
    app = create_app(Settings(db=registry_db, secret=Secret(SECRET)))
    scope = _post(path, content_type, declared=100)
    messages: list[Message] = [
        {"type": "http.request", "body": b"--x\r\nabcd", "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    async def call() -> None:
        async with app.router.lifespan_context(app):
            await app(scope, receive, send)

    with caplog.at_level(logging.WARNING):
        asyncio.run(call())
    assert sent == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_multipart_form_is_read_in_its_charset_and_other_bytes_are_refused(
    app_client: AppClient,
) -> None:
    """Starlette reads a multipart text field that is not in the body's charset as Latin-1: a
    GBK name in a UTF-8 form was answered 未查到 and counted as a wrong-name guess, where the
    same name urlencoded is refused as unreadable. A declared Chinese charset is read as
    GB18030, as the urlencoded form's is (gb2312's own codec refused 镕); a charset declared
    twice, differently, is refused (parsers read one or the other)."""
    number, name = VALID

    def multipart(token: str, encoding: str, typed: str = name) -> bytes:
        fields = {"csrf_token": token, "number": number, "name": typed}
        return (
            b"".join(
                b'--b\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                % (key.encode("ascii"), value.encode(encoding))
                for key, value in fields.items()
            )
            + b"--b--\r\n"
        )

    cases = [
        ("gbk", "; charset=gbk", name),
        ("gb18030", "; charset=gb2312", "朱镕基"),  # 镕 is not in GB2312's own table
        ("gb18030", "; charset=gbk", "张𠀀"),  # four bytes in GB18030
        ("gbk", "", name),
        ("gbk", "; charset=utf-8; charset=latin1", name),
        ("utf-8", "", name),
    ]
    with app_client() as client:
        token = csrf_token(client)
        answers = [
            client.post(
                "/check",
                content=multipart(token, encoding, typed),
                headers={"content-type": f"multipart/form-data{declared}; boundary=b"},
            )
            for encoding, declared, typed in cases
        ]
    assert context_of(answers[0])["check"].result == "valid"
    assert [answer.status_code for answer in answers[1:3]] == [200, 200]  # read, not found
    for refused in answers[3:5]:
        assert refused.status_code == 400 and "字符编码无法识别" in refused.text
    assert context_of(answers[5])["check"].result == "valid"


@pytest.mark.parametrize("range_header", ["bytes=x-y", "bytes=9-1", "bytes=0-1,0-1,0-1", "lines=1"])
def test_static_files_are_whole_whatever_range_is_asked(
    app_client: AppClient, range_header: str
) -> None:
    """Starlette answered an odd Range header on a static file with its own English
    plain-text 400 (Malformed range header.): the stylesheet is sent whole instead."""
    with app_client() as client:
        whole = client.get("/static/style.css")
        ranged = client.get("/static/style.css", headers={"Range": range_header})
    assert ranged.status_code == 200 and ranged.content == whole.content
    assert "accept-ranges" not in whole.headers
