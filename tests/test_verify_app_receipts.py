"""Signed receipts (SPEC §7): round trip, live re-check, tamper → 400, expiry → 410, no name inside."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.datastructures import Secret

from registry.domain.names import holder_key, key_before_one_surname, written_key
from tests.registers import MIANYANG, RegisterFactory, approval_row
from tests.verify_fixtures import (
    REVOKED,
    SECRET,
    VALID,
    AppClient,
    Clock,
    app_client,
    clock,
    context_of,
    post_check,
    read_log,
    record_revocation,
    registry_db,
    sync_folder,
    template_of,
)
from verify_app.name_hashes import holder_hash, name_hash
from verify_app.receipts import Receipts

__all__ = ["app_client", "clock", "registry_db"]


def _token(url: str) -> str:
    return url.rsplit("/r/", 1)[1]


def test_round_trip_rechecks_and_says_when_checked(app_client: AppClient) -> None:
    with app_client() as client:
        result = post_check(client, *VALID)
        receipt = client.get(context_of(result)["receipt_url"])
    assert receipt.status_code == 200
    assert template_of(receipt) == "receipt.html"
    assert context_of(receipt)["check"] == context_of(result)["check"]
    assert context_of(receipt)["first_checked"].startswith("北京时间 ")
    assert "原查验时间" in receipt.text and context_of(receipt)["first_checked"] in receipt.text
    assert context_of(receipt)["receipt_url"] == context_of(result)["receipt_url"]
    assert f'<img src="{context_of(receipt)["qr_url"]}"' in receipt.text  # the QR code


def test_a_link_previews_head_request_is_no_check(app_client: AppClient) -> None:
    """A chat's link preview probes with HEAD: each was a check charged and logged, and 30 of
    them refused the office's next real opening (an integrator's review)."""
    with app_client(rate_limit=2) as client:
        url = context_of(post_check(client, *VALID))["receipt_url"]
        probes = [client.head(url) for _ in range(5)]
        opened = client.get(url)
    assert [p.status_code for p in probes] == [200] * 5 and probes[0].text == ""
    assert opened.status_code == 200 and template_of(opened) == "receipt.html"


def test_a_receipt_of_a_minority_name_typed_without_its_dot_opens(app_client: AppClient) -> None:
    """The check overlooks the dot of 阿依古丽·买买提; its receipt, which knows the holder by a
    keyed hash, did not, and re-checked a genuine certificate as 未查到."""
    with app_client() as client:
        result = post_check(client, "C1122020001", "阿依古丽买买提")
        assert context_of(result)["check"].result == "valid"
        receipt = client.get(context_of(result)["receipt_url"])
    assert receipt.status_code == 200
    assert context_of(receipt)["check"].result == "valid"


NUMBER = "Z1322020001"


@pytest.mark.parametrize(("registered", "typed"), [("O'Neil", "ONeil"), ("ONeil", "O’Neil")])
def test_a_receipt_of_a_name_typed_with_or_without_its_apostrophe_opens(
    app_client: AppClient, registry_db: Path, tmp_path: Path, registered: str, typed: str
) -> None:
    """The check takes ONeil for O'Neil; its receipt's hash kept the apostrophe, and re-checked
    the certificate it had just found 有效 as 未查到 — an invitation to suspect a forgery."""
    roster = RegisterFactory(tmp_path / "registers")
    facts = {**MIANYANG, "approval_doc": "绵人社函〔2013〕8号", "issued_on": "2013-03-20"}
    roster.add("oneil.csv", [approval_row("Z1322020001", registered)], {**facts, "year_code": "13"})
    sync_folder(registry_db, roster.folder)
    with app_client() as client:
        result = post_check(client, "Z1322020001", typed)
        assert context_of(result)["check"].result == "valid"
        receipt = client.get(context_of(result)["receipt_url"])
    assert context_of(receipt)["check"].result == "valid"


@pytest.mark.parametrize(
    ("name", "made"),
    [
        # before 2026-12-04: the apostrophe kept
        (
            "O'Neil",
            lambda n: holder_hash(str(SECRET), NUMBER, n, key=holder_key, keyed=written_key),
        ),
        # on 2026-12-05: 锺 apart from 钟 (偉 too: written_key alone would keep both apart)
        ("锺偉", lambda n: holder_hash(str(SECRET), NUMBER, n, keyed=key_before_one_surname)),
        # before 2026-12-05: traditional characters as written
        ("張偉", lambda n: holder_hash(str(SECRET), NUMBER, n, keyed=written_key)),
        # before 2026-12-01: the log's name hash
        ("張偉", lambda n: name_hash(str(SECRET), n, keyed=written_key)),
    ],
    ids=["apostrophe", "one surname", "traditional", "name hash"],
)
def test_a_receipt_issued_by_an_earlier_version_still_opens(
    app_client: AppClient,
    registry_db: Path,
    tmp_path: Path,
    clock: Clock,
    name: str,
    made: Callable[[str], str],
) -> None:
    """A receipt of the days its hash kept the apostrophe, or the name's traditional characters
    (張偉's key is 张伟 now), opens for its 90 days: it re-checked 未查到 — a forgery suspected."""
    roster = RegisterFactory(tmp_path / "registers")
    facts = {**MIANYANG, "approval_doc": "绵人社函〔2013〕8号", "issued_on": "2013-03-20"}
    roster.add("old.csv", [approval_row(NUMBER, name)], {**facts, "year_code": "13"})
    sync_folder(registry_db, roster.folder)
    token = Receipts(str(SECRET), lifetime_days=90, clock=clock).issue(NUMBER, made(name))
    with app_client() as client:
        page = client.get(f"/r/{token}")
    assert page.status_code == 200 and context_of(page)["check"].result == "valid"


def test_result_page_offers_link_and_qr(app_client: AppClient) -> None:
    with app_client() as client:
        result = post_check(client, *VALID)
        qr_url = context_of(result)["qr_url"]
        qr = client.get(qr_url)
        forged = client.get(qr_url.replace("/qr.svg", "x/qr.svg"))
    url = context_of(result)["receipt_url"]
    assert f'<a href="{url}">' in result.text
    assert f'<img src="{qr_url}" alt="查验回执链接的二维码"' in result.text
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in qr.content and "查验回执链接的二维码".encode() in qr.content
    assert forged.status_code == 400


def test_token_holds_number_and_holder_hash_never_the_name(app_client: AppClient) -> None:
    """The hash ties number and holder together: two receipts of one holder's two certificates
    share nothing (the name's own hash, in every receipt, linked them), and the verification
    log's name hash is not in it."""
    with app_client() as client:
        url = context_of(post_check(client, *VALID))["receipt_url"]
    # "<number>-<holder hash>-l<days>-s<result>.<timestamp>.<sig>"
    payload = _token(url).split(".")[0]
    number, hashed, lifetime, result = payload.split("-")
    assert number == VALID[0] and lifetime == "l90" and result == "sv"
    assert len(hashed) == 64 and not any(ch in payload for ch in VALID[1])
    assert hashed == holder_hash(str(SECRET), VALID[0], VALID[1])
    assert hashed != name_hash(str(SECRET), VALID[1])
    assert holder_hash(str(SECRET), "Z1122020123", VALID[1]) != hashed


def test_a_receipt_says_what_its_check_answered_beside_today_s_status(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    """A phone review: a receipt opened after a revocation showed 已撤销 only — an HR file kept
    to show the certificate was 有效 when the applicant was hired could no longer show it. A
    receipt issued before tokens said shows no 当时的结果. The revocation is dated before the
    check, registered after it: 此后状态有变化 told the HR file the status changed after the
    check, which it did not (an employer's review) — what came after is its registration."""
    with app_client() as client:
        url = context_of(post_check(client, *VALID))["receipt_url"]
        same = client.get(url)
        record_revocation(registry_db, tmp_path / "later", VALID[0], VALID[1], "2020-01-02")
        later = client.get(url)
        older = Receipts(str(SECRET), lifetime_days=90).issue(
            VALID[0], holder_hash(str(SECRET), VALID[0], VALID[1])
        )
        before = client.get(f"/r/{older}")
    assert "当时的结果：<strong>有效</strong>。" in same.text
    assert (
        "当时的结果：<strong>有效</strong>（原查验后登记库登记了状态变化，"
        "变化的日期可能早于原查验时间；以下面的当前结果为准）"
    ) in later.text
    assert context_of(later)["check"].result == "revoked"
    assert before.status_code == 200 and "当时的结果" not in before.text


def test_a_receipt_issued_with_the_name_hash_alone_still_opens(
    app_client: AppClient, clock: Clock
) -> None:
    """Receipts printed before the holder hash carry the name's hash: for their 90 days they
    open and re-check as before."""
    receipts = Receipts(str(SECRET), lifetime_days=90, clock=clock)
    token = receipts.issue(VALID[0], name_hash(str(SECRET), VALID[1]))
    with app_client() as client:
        page = client.get(f"/r/{token}")
    assert page.status_code == 200 and context_of(page)["check"].result == "valid"


def test_a_signed_token_of_another_shape_is_refused(app_client: AppClient, clock: Clock) -> None:
    """Signed with the right key, but not a receipt's payload (a number and a hash). Signed at
    the app's time: a token from the app's future would be refused as expired instead."""
    signer = Receipts(SECRET, lifetime_days=90, clock=clock)._signer
    with app_client() as client:
        for value in ("G1122000001", "g1122000001-00", "G1122000001-00-00", "-00", "G1-xyz"):
            page = client.get(f"/r/{signer.sign(value).decode()}")
            assert page.status_code == 400, value
            assert context_of(page)["title"] == "回执无效"
        shaped_token = signer.sign(VALID[0] + "-" + "0" * 64).decode()
        shaped = client.get(f"/r/{shaped_token}")
    assert shaped.status_code == 200  # the same signer, a receipt's shape: opened (no match)
    assert context_of(shaped)["check"].result == "no_match"


def test_live_recheck_after_status_change(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    with app_client() as client:
        url = context_of(post_check(client, *VALID))["receipt_url"]
        assert context_of(client.get(url))["check"].result == "valid"
        record_revocation(registry_db, tmp_path / "later", *VALID, date="2020-02-02")
        again = client.get(url)
    assert context_of(again)["check"].result == "revoked"
    assert context_of(again)["check"].status_date == "2020-02-02"
    assert "已撤销" in again.text


def test_a_printed_receipt_is_headed_by_the_time_it_was_opened(
    app_client: AppClient, clock: Clock
) -> None:
    """Its printout's heading said 查验时间 of the first check above today's status (已撤销 …):
    a file copy read as if the first check had found the certificate revoked."""
    with app_client() as client:
        result = post_check(client, *VALID)
        clock.advance(days=3)
        receipt = client.get(context_of(result)["receipt_url"])
    first, now = context_of(result)["checked_at"], context_of(receipt)["checked_at"]
    assert first != now and context_of(receipt)["first_checked"] == first
    heading = re.search(r'<p class="print-only">[^<]*</p>', receipt.text)
    assert heading is not None and f"查验时间：{now}" in heading.group(0)
    assert f'原查验时间：<strong><span class="when">{first}</span>' in receipt.text


def test_receipt_of_revoked_stays_revoked(app_client: AppClient) -> None:
    with app_client() as client:
        url = context_of(post_check(client, *REVOKED))["receipt_url"]
        assert context_of(client.get(url))["check"].result == "revoked"


def test_tampered_and_forged_tokens_get_400(app_client: AppClient) -> None:
    with app_client() as client:
        token = _token(context_of(post_check(client, *VALID))["receipt_url"])
        flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
        other_key = Receipts("another-secret-0123456789", lifetime_days=90).issue(VALID[0], "00")
        inserted = token[:-5] + "é" + token[-5:]  # dropped by the decoder, still a spelling
        # the last character's bits the signature does not use: A, B, C, D decode alike
        last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".index(token[-1])
        unused = (
            token[:-1]
            + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last ^ 1]
        )
        for bad in (
            flipped, "garbage", "a.b.c", other_key, token + "x", token + "é", inserted, unused,
        ):  # fmt: skip
            page = client.get(f"/r/{bad}")
            assert page.status_code == 400, bad
            assert template_of(page) == "error.html"
            assert context_of(page)["title"] == "回执无效"


@pytest.mark.parametrize("after", ["。", "，", ")", "）", ".", " ", "%0A", "”", "》", "～", "”。"])
def test_a_link_pasted_with_what_followed_it_opens(app_client: AppClient, after: str) -> None:
    """A receipt sent in a chat came back as …/r/TOKEN。 and was refused as 回执无效."""
    with app_client() as client:
        url = context_of(post_check(client, *VALID))["receipt_url"]
        token = _token(url)
        page = client.get(f"/r/{token}{after}", follow_redirects=False)
        opened = client.get(f"/r/{token}{after}")
    assert page.status_code == 308 and page.headers["location"] == f"/r/{token}"
    assert opened.status_code == 200 and template_of(opened) == "receipt.html"
    with app_client() as client:  # a token's own last characters (URL-safe base64) stay
        assert client.get("/r/abc-", follow_redirects=False).status_code == 400
        assert client.get("/r/abc_", follow_redirects=False).status_code == 400


def test_expired_token_gets_410(app_client: AppClient, clock: Clock) -> None:
    with app_client() as client:
        url = context_of(post_check(client, *VALID))["receipt_url"]
        clock.advance(days=89)
        assert client.get(url).status_code == 200
        clock.advance(days=2)
        page = client.get(url)
    assert page.status_code == 410
    assert template_of(page) == "error.html"
    assert "90 天有效期" in page.text
    # the way back checks the same certificate again: its number filled in
    assert f'<a href="/?number={VALID[0]}">重新查验该证书</a>' in page.text


def test_receipt_lifetime_is_a_setting(app_client: AppClient, clock: Clock) -> None:
    with app_client(receipt_days=7) as client:
        url = context_of(post_check(client, *VALID))["receipt_url"]
        clock.advance(days=8)
        assert client.get(url).status_code == 410


def test_receipt_links_use_the_public_url_when_set(app_client: AppClient) -> None:
    with app_client(public_url="https://zscx.example.gov.cn/") as client:
        url = context_of(post_check(client, *VALID))["receipt_url"]
    assert url.startswith("https://zscx.example.gov.cn/r/")


def test_changed_secret_invalidates_receipts(registry_db: Path, app_client: AppClient) -> None:
    with app_client() as client:
        url = context_of(post_check(client, *VALID))["receipt_url"]
    with app_client(secret=Secret("a-different-secret-0123456789")) as client:
        assert client.get(url).status_code == 400


def test_a_host_no_server_could_have_gets_no_receipt_link(
    app_client: AppClient, registry_db: Path
) -> None:
    """Without CERTREG_PUBLIC_URL a receipt's link is built from the request's Host: one of
    kilobytes made its QR code a 500 (too long to draw). Refused with a 400, as for the API —
    before anything is checked (charged, logged) or a watch list stored that none could reach."""
    host = {"host": "a" * 2_250}
    with app_client() as client:
        qr_url = context_of(post_check(client, *VALID))["qr_url"]
    checked = len(read_log(registry_db))  # the log is written once the app has stopped
    with app_client() as client:
        qr = client.get(qr_url, headers=host)
        body = {"number": VALID[0], "name": VALID[1], "receipt": True}
        api = client.post("/api/v1/verify", json=body, headers=host)
        item = {"number": VALID[0], "name": VALID[1]}
        batch = {"items": [item], "receipts": True}
        batched = client.post("/api/v1/verify/batch", json=batch, headers=host)
        watch = client.post("/api/v1/watches", json={"items": [item]}, headers=host)
    with app_client() as client:
        fine = client.get(qr_url, headers={"host": "zscx.example.gov.cn:8443"})
    assert qr.status_code == 400 and "Host 不是有效的网站地址" in qr.text
    assert api.status_code == 400 and api.json()["error"] == "bad_request"
    assert batched.status_code == watch.status_code == 400
    assert len(read_log(registry_db)) == checked  # nothing checked, nothing charged
    with sqlite3.connect(registry_db.parent / "verify_log.db") as conn:
        assert conn.execute("SELECT count(*) FROM watches").fetchone() == (0,)
    assert fine.status_code == 200
