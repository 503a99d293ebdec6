"""Reporting a suspected forgery (§五.(三), issue #16): from the result page, with the check's
details attached by the service and no name in clear; a queue for staff in Datasette;
``certreg reports``; numbers that fail repeatedly flagged."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import getpass
import io
import json
import re
import sqlite3
import zlib
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from click.testing import CliRunner
from datasette.app import Datasette

from registry.cli import cli
from registry.cli.reports import receipt_link
from tests.datasette_fixtures import (
    STAFF_HASH,
    STAFF_USER,
    shipped_datasette,
    signed_in,
    staff_rows,
)
from tests.verify_fixtures import (
    MALFORMED,
    NO_MATCH_UNKNOWN,
    REVOKED,
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
    reports_of,
    template_of,
)

__all__ = ["app_client", "clock", "registry_db"]


def ticket_payload(ticket: str) -> dict[str, Any]:
    """What a report ticket tells whoever holds it: it is signed, not encrypted."""
    compressed, payload = ticket.startswith("."), ticket.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    details: dict[str, Any] = json.loads(zlib.decompress(data) if compressed else data)
    return details


def send_report(client: Any, page: httpx.Response, contact: str, text: str) -> httpx.Response:
    response: httpx.Response = client.post(
        "/report",
        data={
            "ticket": context_of(page)["report_ticket"],
            "contact": contact,
            "text": text,
            "csrf_token": context_of(page)["csrf_token"],
        },
    )
    return response


@pytest.mark.parametrize("case", [NO_MATCH_UNKNOWN, REVOKED, MALFORMED])
def test_a_report_from_a_result_carries_the_check_but_no_name(
    app_client: AppClient, registry_db: Path, case: tuple[str, str]
) -> None:
    with app_client() as client:
        page = post_check(client, *case)
        assert 'action="/report"' in page.text
        sent = send_report(client, page, "人事处 028-1234567", "应聘者出示的证书查不到")
    assert sent.status_code == 200 and template_of(sent) == "report_sent.html"
    assert re.fullmatch(r"\d{8}-[0-9A-F]{6}", context_of(sent)["report_ref"])
    # the way back to the result is a new check (Back re-posts the form on a phone)
    number = context_of(sent)["number"]
    assert (">重新查验该证书</a>" in sent.text) == bool(number) and "返回" in sent.text
    [report] = reports_of(registry_db)
    answer = context_of(page)["check"]
    assert (report["number"], report["result"]) == (answer.number, answer.result)
    assert (report["contact"], report["text"]) == ("人事处 028-1234567", "应聘者出示的证书查不到")
    assert report["checked_at"].endswith("+00:00")
    assert report["authority"] == "2200"
    assert len(report["name_hash"]) == 64
    assert report["receipt"] == (context_of(page).get("receipt_url", "").rsplit("/", 1)[-1] or None)
    dump = "\n".join(sqlite3.connect(registry_db.parent / "verify_log.db").iterdump())
    assert case[1] not in dump  # the typed name, nowhere in clear
    listed = CliRunner().invoke(cli, ["reports", "--db", str(registry_db), "--json"])
    [queued] = json.loads(listed.output)  # with what the registry holds of the number now
    assert queued["registry_status"] == ("revoked" if case == REVOKED else None)


def test_a_batch_row_a_forgery_may_be_reported_from_opens_the_report_form(
    app_client: AppClient, registry_db: Path
) -> None:
    """A batch of 20 applicants with one 未查到: the officer had to check its number again
    alone, typing the name again, to reach a report form. Its row has a 报告 button now — a
    valid row none — whose form reports the row's own check."""
    lines = f"{VALID[0]} {VALID[1]}\n{NO_MATCH_UNKNOWN[0]} {NO_MATCH_UNKNOWN[1]}\n"
    with app_client() as client:
        token = csrf_token(client)
        page = client.post("/batch", data={"csrf_token": token, "entries": lines})
        rows = context_of(page)["results"]
        assert ["report_ticket" in row for row in rows] == [False, True]
        assert page.text.count('class="row-report') == 1
        ticket = rows[1]["report_ticket"]
        # the button's own form, as the browser sends it
        form = re.search(r'<form([^>]*class="row-report[^"]*"[^>]*)>(.*?)</form>', page.text)
        assert form is not None
        # in a new page: the report sent, 返回 asked to send the batch again (a phone review)
        assert 'target="_blank"' in form.group(1)
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(2)))
        assert fields == {"csrf_token": fields["csrf_token"], "ticket": ticket}
        opened = client.post("/report", data=fields)
        sent = client.post(
            "/report", data={"csrf_token": token, "ticket": ticket, "text": "应聘者的证书查不到"}
        )
    assert opened.status_code == 200 and template_of(opened) == "report.html"
    assert "report_error" not in context_of(opened) and "<textarea" in opened.text
    assert f'<span class="mono">{NO_MATCH_UNKNOWN[0]}（未查到）</span>' in opened.text
    assert sent.status_code == 200 and template_of(sent) == "report_sent.html"
    [report] = reports_of(registry_db)
    assert (report["number"], report["result"]) == (NO_MATCH_UNKNOWN[0], "no_match")
    assert NO_MATCH_UNKNOWN[1] not in json.dumps(report, ensure_ascii=False)


def test_a_name_typed_as_the_number_is_not_kept_with_the_report(
    app_client: AppClient, registry_db: Path
) -> None:
    """A malformed check with the fields swapped: the report keeps only what a number can hold."""
    number, name = VALID
    with app_client() as client:
        page = post_check(client, name, number)
        assert context_of(page)["check"].result == "malformed"
        ticket = context_of(page)["report_ticket"]
        sent = send_report(client, page, "", "编号栏填的是姓名")
    # the ticket is signed, not encrypted: its payload is readable by whoever holds the page
    details = ticket_payload(ticket)
    assert details["number"] == "***" and name not in json.dumps(details, ensure_ascii=False)
    assert sent.status_code == 200
    assert (
        "您就所查的格式不对的编号提交的报告" in sent.text
        and "为保护个人信息，报告只附了所查编号中像证书编号的字母和数字" in sent.text
        and "***" not in sent.text
    )
    [report] = reports_of(registry_db)
    assert report["number"] == "***"
    with app_client() as client:  # a Latin name keeps its first letter in the log: J*******
        page = post_check(client, "JOESMITH", "张三")
        latin = send_report(client, page, "", "编号栏填的是英文名")
    assert "您就所查的格式不对的编号提交的报告" in latin.text and "J***" not in latin.text
    dump = "\n".join(sqlite3.connect(registry_db.parent / "verify_log.db").iterdump())
    assert name not in dump


def test_reports_are_offered_only_where_a_forgery_is_suspected(app_client: AppClient) -> None:
    number, name = VALID
    with app_client() as client:
        valid = post_check(client, *VALID)
        reordered = post_check(client, number, name[0] + "\u202e" + name[1:])
    assert "report_ticket" not in context_of(valid)
    assert 'action="/report"' not in valid.text
    # a name that shows otherwise than it is typed: not checked, so nothing to report either
    assert context_of(reordered)["check"].label == "未查验"
    assert "report_ticket" not in context_of(reordered)
    # a phone review: a chat's card pasted whole into the number's field, an ID card's number —
    # the typing's fault; a number that is none of ours may be a forgery's
    with app_client() as client:
        card = post_check(client, f"证书编号：{number}\n姓名：{name}", name)
        card_id = post_check(client, "51070319750401123X", name)
        none_of_ours = post_check(client, "123456", name)
    assert context_of(card)["found"] == number  # filled in, to check with one tap
    assert "这是18位的身份证号码，不是证书编号" in card_id.text
    assert "report_ticket" not in context_of(card) and "report_ticket" not in context_of(card_id)
    assert "report_ticket" in context_of(none_of_ours)


@pytest.mark.parametrize(
    ("contact", "text", "message", "field"),
    [
        ("", "x" * 501, "情况说明最多 500 个字符", "text"),
        ("a" * 101, "", "联系方式最多 100 个字符", "contact"),
        ("", "正常\u202e文字", "U+202E", "text"),
        ("电话\x07123", "", "U+0007", "contact"),
        ("", "", "情况说明", "text"),
    ],
)
def test_overlong_text_and_hidden_characters_are_refused(
    app_client: AppClient, registry_db: Path, contact: str, text: str, message: str, field: str
) -> None:
    with app_client() as client:
        page = post_check(client, *NO_MATCH_UNKNOWN)
        refused = send_report(client, page, contact, text)
    assert refused.status_code == 400
    assert message in context_of(refused)["report_error"]
    assert context_of(refused)["text"] == text  # kept, to be corrected
    assert reports_of(registry_db) == []
    # the field at fault is marked and tied to the message, for a screen reader (WCAG 3.3.1)
    marked = re.findall(r'<(?:input|textarea) id="(\w+)"[^>]*aria-invalid="true"', refused.text)
    assert marked == [field] and 'id="report-error"' in refused.text
    assert refused.text.count("报告疑似伪造证书</h") == 1  # one heading, not an h1 and its h2


def test_a_report_on_a_city_without_a_listed_phone_names_whom_to_call(
    app_client: AppClient,
) -> None:
    """绵阳 has no phone in authorities.csv: the page after the report, like the answer before
    it, gives the province's, not the city's name alone."""
    with app_client() as client:
        page = post_check(client, "Z1122020199", "张三")
        sent = send_report(client, page, "", "应聘者出示的证书查不到")
    assert (
        "请联系 <strong>绵阳市人力资源和社会保障局</strong>（电话未收录，可联系四川省" in sent.text
    )


def test_zero_width_characters_pasted_along_are_dropped_not_refused(
    app_client: AppClient, registry_db: Path
) -> None:
    """Text pasted from a chat brings zero-width spaces nobody can see, let alone delete."""
    with app_client() as client:
        page = post_check(client, *NO_MATCH_UNKNOWN)
        sent = send_report(client, page, "电话\u200b123", "\u200e持证人\ufeff自称\u200d单位\t外")
        assert sent.status_code == 200
    [report] = reports_of(registry_db)
    assert (report["contact"], report["text"]) == ("电话123", "持证人自称单位 外")


def test_line_breaks_are_allowed_in_the_text(app_client: AppClient, registry_db: Path) -> None:
    with app_client() as client:
        page = post_check(client, *NO_MATCH_UNKNOWN)
        assert send_report(client, page, "", "第一行\r\n第二行").status_code == 200
    assert reports_of(registry_db)[0]["text"] == "第一行\n第二行"


@pytest.mark.parametrize("text", ["", " \n "])
def test_a_report_says_what_was_seen(app_client: AppClient, registry_db: Path, text: str) -> None:
    """A tap on 提交报告 under a result, nothing written, filed a report at once."""
    with app_client() as client:
        page = post_check(client, *NO_MATCH_UNKNOWN)
        refused = send_report(client, page, "人事处", text)
    assert refused.status_code == 400 and "请在“情况说明”中写明可疑之处" in refused.text
    assert 'required placeholder="如：应聘者出示的证书编号查不到' in page.text
    assert reports_of(registry_db) == []
    # the form again, saying which check it reports (it said only that the number is attached)
    assert f'报告的证书：<span class="mono">{NO_MATCH_UNKNOWN[0]}（未查到）</span>' in refused.text


def test_a_report_needs_the_forms_token_and_a_genuine_ticket(
    app_client: AppClient, registry_db: Path
) -> None:
    with app_client() as client:
        page = post_check(client, *NO_MATCH_UNKNOWN)
        ticket = context_of(page)["report_ticket"]
        no_csrf = client.post("/report", data={"ticket": ticket, "text": "x"})
        forged = client.post(
            "/report", data={"ticket": ticket[:-3] + "abc", "csrf_token": csrf_token(client)}
        )
        client.cookies.clear()  # as another site's POST comes: without our form's cookie
        elsewhere = client.post("/report", data={"ticket": ticket, "text": "别处写的"})
    assert no_csrf.status_code == 403
    # the form again with what was typed, for this browser had our form (its cookie came)
    assert "表单已失效" in no_csrf.text and ">x</textarea>" in no_csrf.text
    assert f'value="{ticket}"' in no_csrf.text
    assert forged.status_code == 400 and "已过期或不完整" in forged.text
    # … and not for another site's, whose text is put in no form
    assert elsewhere.status_code == 403 and "别处写的" not in elsewhere.text
    assert "点浏览器的“后退”回到刚才的页面" in elsewhere.text  # where the text still is
    assert reports_of(registry_db) == []


def test_certreg_reports_prints_no_escape_sequence(
    app_client: AppClient, registry_db: Path
) -> None:
    """A report written before numbers were screened, or by anything but the app: what it holds
    is printed as code points, never sent to the administrator's terminal as it is."""
    _reported(app_client)
    conn = sqlite3.connect(registry_db.parent / "verify_log.db")
    with conn:
        conn.execute(
            "UPDATE reports SET number = ?, contact = ?, text = ?",
            ("\x1b]0;pwned\x07Z11", "\u202eabc", "第一行\n\x1b[2J第二行"),
        )
    conn.close()
    printed = CliRunner().invoke(cli, ["reports", "--db", str(registry_db)])
    assert printed.exit_code == 0, printed.output
    assert "\x1b" not in printed.output and "\u202e" not in printed.output
    assert "证书 <U+001B>]0;pwned<U+0007>Z11" in printed.output
    assert "报告人联系方式：<U+202E>abc" in printed.output
    assert "情况说明：第一行\n    ┆ <U+001B>[2J第二行" in printed.output


def test_a_reports_text_cannot_pass_for_the_listings_own_lines(
    app_client: AppClient, registry_db: Path
) -> None:
    """Line breaks in what a reporter typed printed a forged 处理结果 under their report, and
    a whole report about a real holder after it."""
    forged = "可疑。\n    处理结果：已核实为误报\n\n#20261203-1A2B3C  证书 J1122010001"
    _reported(app_client, forged)
    printed = CliRunner().invoke(cli, ["reports", "--db", str(registry_db)]).output
    lines = printed.splitlines()
    assert [line for line in lines if line.startswith("#")] == [lines[0]]
    assert [line for line in lines if line.startswith("    处理结果")] == ["    处理结果：尚未记录"]
    assert "情况说明：可疑。\n    ┆     处理结果：已核实为误报\n    ┆ \n    ┆ #2026" in printed


def test_a_client_may_send_a_few_reports_a_day(
    app_client: AppClient, registry_db: Path, clock: Clock
) -> None:
    answers = []
    with app_client(reports_per_day=2) as client:
        for i in range(3):
            clock.now += 1  # three checks, a report of each
            page = post_check(client, *NO_MATCH_UNKNOWN)
            answers.append(send_report(client, page, "", f"第{i}次"))
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert len(reports_of(registry_db)) == 2
    # what was typed, to copy, and whom to call instead — not the form, to be refused again
    refused = answers[2]
    assert (
        "今天的已用完" in refused.text
        and '<blockquote class="typed">第2次</blockquote>' in refused.text
    )
    assert "<textarea" not in refused.text and "提交报告</button>" not in refused.text
    assert 'class="contact"' in refused.text and 'href="tel:' in refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 86400


def test_a_reports_day_is_a_day_in_beijing(app_client: AppClient, clock: Clock) -> None:
    """At 07:30 in Beijing (23:30 UTC the day before) a report is numbered by Beijing's date,
    as its page dates it, and the day's allowance comes back at Beijing's midnight."""
    clock.now = dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC).timestamp()
    with app_client(reports_per_day=1) as client:
        page = post_check(client, *NO_MATCH_UNKNOWN)
        first = send_report(client, page, "", "第1次")
        clock.now += 1
        second = send_report(client, post_check(client, *NO_MATCH_UNKNOWN), "", "第2次")
    assert context_of(first)["report_ref"].startswith("20261202-")
    assert second.status_code == 429
    assert second.headers["Retry-After"] == str((16 * 60 + 30) * 60 - 1)  # a second later


def test_a_report_is_sent_within_a_day_of_its_check_by_the_apps_clock(
    app_client: AppClient, clock: Clock
) -> None:
    """The ticket's age was itsdangerous's, by the wall clock: a ticket from a replica whose
    clock runs two seconds ahead was refused as expired, and a day-old one passed in a test
    that moved the app's clock. Now a check's own time decides, by the app's clock."""
    with app_client() as client:
        clock.advance(2 / 86_400)  # the replica that answered the check runs ahead
        ahead = post_check(client, *NO_MATCH_UNKNOWN)
        clock.advance(-2 / 86_400)
        from_ahead = send_report(client, ahead, "", "时钟快两秒的副本签发")
        stale = post_check(client, *NO_MATCH_UNKNOWN)
        clock.advance(1 + 1 / 86_400)
        too_late = send_report(client, stale, "", "一天以后才报告")
    assert from_ahead.status_code == 200 and context_of(from_ahead)["report_ref"]
    assert too_late.status_code == 400 and "须在查验后一天内提交" in too_late.text
    # no form that could only be refused again: the text to copy, the number to check again
    assert "提交报告</button>" not in too_late.text and "一天以后才报告" in too_late.text
    assert f'<a href="/?number={NO_MATCH_UNKNOWN[0]}">重新查验该证书</a>' in too_late.text


def test_a_report_sent_again_by_a_reload_is_stored_once(
    app_client: AppClient, registry_db: Path
) -> None:
    """Reloading 报告已提交 re-posts its form: the same report number, no second report, and
    nothing more charged to the day's allowance. One check, one report: its ticket (valid for
    a day, bound to no client) replayed with other words, or from another address, fed as
    many reports as there were addresses."""
    with app_client(reports_per_day=2) as client:
        page = post_check(client, *NO_MATCH_UNKNOWN)
        first = send_report(client, page, "", "疑似伪造")
        again = send_report(client, page, "", "疑似伪造")
        other = send_report(client, page, "", "补充：证书纸张也不对")
    with app_client(client=("198.51.100.9", 4000)) as elsewhere:
        replayed = elsewhere.post(
            "/report",
            data={
                "ticket": context_of(page)["report_ticket"],
                "text": "另一地址",
                "csrf_token": csrf_token(elsewhere),
            },
        )
    answers = (first, again, other, replayed)
    assert [r.status_code for r in answers] == [200] * 4
    assert {context_of(r)["report_ref"] for r in answers} == {context_of(first)["report_ref"]}
    assert [context_of(r)["again"] for r in answers] == [False, False, True, True]
    assert "一次查验只能报告一次" in other.text and "一次查验只能报告一次" not in again.text
    assert [r["text"] for r in reports_of(registry_db)] == ["疑似伪造"]


async def staff_queue(
    registry_db: Path, monkeypatch: pytest.MonkeyPatch, pending: str = ""
) -> list[dict[str, Any]]:
    """The report queue as staff read it in Datasette, every report of every authority (or,
    ``pending`` 是, those not handled yet)."""
    return await staff_rows(
        registry_db,
        monkeypatch,
        "/verify_log/report_queue.json",
        {"发证机关": "", "只看未处理": pending},
    )


def _reported(app_client: AppClient, text: str = "疑似伪造") -> None:
    with app_client() as client:
        for _ in range(5):
            post_check(client, *NO_MATCH_UNKNOWN)
        page = post_check(client, *NO_MATCH_UNKNOWN)
        assert send_report(client, page, "王老师 13800000000", text).status_code == 200
        client.app.state.verifier.log.flush()


def signed_in_staff(
    registry_db: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Datasette, dict[str, str]]:
    """The shipped Datasette over the registry and its log, and a member of staff's cookies."""
    monkeypatch.setenv(f"CERTREG_STAFF_{STAFF_USER}", STAFF_HASH)
    ds = shipped_datasette(registry_db)
    return ds, signed_in(ds)


@pytest.mark.anyio
async def test_staff_see_the_queue_and_the_failing_numbers_in_datasette(
    app_client: AppClient, registry_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _reported(app_client)
    ds, cookies = signed_in_staff(registry_db, monkeypatch)
    queue = await ds.client.get(
        "/verify_log/report_queue.json", params={"发证机关": "", "_shape": "array"}, cookies=cookies
    )
    assert queue.status_code == 200, queue.text
    [row] = queue.json()
    assert row["证书编号"] == NO_MATCH_UNKNOWN[0] and row["查验结果"] == "未查到"
    assert row["报告人联系方式"] == "王老师 13800000000"
    assert row["发证机关"] == "2200 四川省人力资源和社会保障厅"
    assert (row["该编号查验次数"], row["其中未查到或格式错误"]) == (6, 6)
    other = await ds.client.get(
        "/verify_log/report_queue.json",
        params={"发证机关": "2202", "_shape": "array"},
        cookies=cookies,
    )
    assert other.json() == []
    failing = await ds.client.get(
        "/verify_log/failing_numbers.json",
        params={"天数": "", "未查到阈值": "", "报告阈值": "", "_shape": "array"},
        cookies=cookies,
    )
    assert [(r["证书编号"], r["未查到或格式错误次数"], r["报告数"]) for r in failing.json()] == [
        (NO_MATCH_UNKNOWN[0], 6, 1)
    ]
    anonymous = await ds.client.get("/verify_log/report_queue.json")
    # never public: sent to the login, and not one report's field on the way
    assert anonymous.status_code == 302 and "/-/login" in anonymous.headers["location"]
    assert "王老师" not in anonymous.text and NO_MATCH_UNKNOWN[0] not in anonymous.text


@pytest.mark.anyio
async def test_a_link_in_a_report_is_text_on_staff_pages(
    app_client: AppClient, registry_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reporter's https://evil.example/login became a link on the trusted staff page (a
    pen-tester's report): what a visitor wrote is shown as text."""
    with app_client() as client:
        page = post_check(client, *NO_MATCH_UNKNOWN)
        phishing = "https://evil.example/login"
        assert send_report(client, page, phishing, f"详见 {phishing}").status_code == 200
        client.app.state.verifier.log.flush()
    ds, cookies = signed_in_staff(registry_db, monkeypatch)
    for path, params in (
        ("/verify_log/report_queue", {"发证机关": ""}),
        ("/verify_log/reports", {}),
    ):
        shown = await ds.client.get(path, params=params, cookies=cookies)
        assert shown.status_code == 200 and phishing in shown.text, path
        assert 'href="https://evil.example' not in shown.text, path


@pytest.mark.anyio
async def test_a_time_typed_in_a_report_is_kept_as_typed_and_breaks_no_staff_page(
    app_client: AppClient, registry_db: Path, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    """A reporter's 联系方式 9999-12-31T23:59:59-01:00 has no Beijing time: every export of the
    reports came back empty with "date value out of range", and its facet answered 500. One
    that has, 2026-01-01T00:00:00Z, was exported rewritten as 2026-01-01 08:00:00（北京时间）."""
    with app_client() as client:
        for contact in ("9999-12-31T23:59:59-01:00", "2026-01-01T00:00:00Z"):
            clock.advance(1 / 86_400)  # another check, a second later: another report
            page = post_check(client, *NO_MATCH_UNKNOWN)
            assert send_report(client, page, contact, "情况").status_code == 200
        client.app.state.verifier.log.flush()
    ds, cookies = signed_in_staff(registry_db, monkeypatch)
    for path, params in (
        ("/verify_log/reports", {"_facet": "contact"}),
        ("/verify_log/reports", {"contact__gte": "9999-12-31T23:59:59-01:00"}),
        ("/verify_log/report_queue", {"发证机关": ""}),
    ):
        shown = await ds.client.get(path, params=params, cookies=cookies)
        assert shown.status_code == 200, (path, params, shown.text[-500:])
    exported = await ds.client.get("/verify_log/reports.csv", cookies=cookies)
    contacts = [row["报告人联系方式 contact"] for row in csv.DictReader(io.StringIO(exported.text))]
    assert sorted(contacts) == ["2026-01-01T00:00:00Z", "9999-12-31T23:59:59-01:00"]


@pytest.mark.anyio
async def test_staff_do_not_count_a_check_without_a_name_as_a_failure(
    app_client: AppClient, registry_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clerk who forgot the name made no check (未查验): staff's log says so, and 屡查不符 does
    not count it against a number that may well be right; a malformed number still counts."""
    with app_client() as client:
        for name in ("", "　", " "):  # a row of an HR system's batch, say
            answer = client.post(
                "/api/v1/verify", json={"number": NO_MATCH_UNKNOWN[0], "name": name}
            )
            assert answer.json()["label"] == "未查验"
        post_check(client, *MALFORMED)
        client.app.state.verifier.log.flush()
    ds, cookies = signed_in_staff(registry_db, monkeypatch)
    failing = await ds.client.get(
        "/verify_log/failing_numbers.json",
        params={"天数": "", "未查到阈值": "1", "报告阈值": "", "_shape": "array"},
        cookies=cookies,
    )
    assert [(r["证书编号"], r["未查到或格式错误次数"]) for r in failing.json()] == [
        (MALFORMED[0], 1)
    ]
    checks = (await ds.client.get("/verify_log/checks?_sort=id", cookies=cookies)).text
    assert checks.count("malformed 未查验") == 3
    assert checks.count("malformed 编号格式错误") == 2  # the typed number's cell, and the facet


@pytest.mark.anyio
async def test_the_command_and_the_staff_queue_count_the_same_failures(
    app_client: AppClient, registry_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reported number checked twice more without a name (未查验): both of staff's views of
    the report — `certreg reports` and the queue in Datasette — count 8 checks, 6 failures."""
    _reported(app_client)
    with app_client() as client:
        for name in ("", "　"):
            client.post("/api/v1/verify", json={"number": NO_MATCH_UNKNOWN[0], "name": name})
        client.app.state.verifier.log.flush()
    command = CliRunner().invoke(cli, ["reports", "--db", str(registry_db), "--json"])
    [report] = json.loads(command.output)
    [row] = await staff_queue(registry_db, monkeypatch)
    assert (report["checks"], report["failed_checks"]) == (8, 6)
    assert (row["该编号查验次数"], row["其中未查到或格式错误"]) == (8, 6)


def test_certreg_reports_lists_them_in_chinese_and_json(
    app_client: AppClient, registry_db: Path
) -> None:
    _reported(app_client)
    text = CliRunner().invoke(cli, ["reports", "--db", str(registry_db)])
    assert text.exit_code == 0, text.output
    assert f"证书 {NO_MATCH_UNKNOWN[0]}" in text.output and "查验结果：未查到" in text.output
    assert "该编号共查验 6 次，其中未查到或格式错误 6 次" in text.output
    assert text.output.count("（北京时间）") == 2  # filed, and checked: as staff read times
    assert "情况说明：疑似伪造" in text.output
    # what the registry holds now, beside what the employer was told then
    assert "登记库现在：无此编号" in text.output
    as_json = CliRunner().invoke(cli, ["reports", "--db", str(registry_db), "--json"])
    [report] = json.loads(as_json.output)
    assert report["registry_status"] is None
    assert (report["number"], report["authority"], report["checks"]) == (
        NO_MATCH_UNKNOWN[0],
        "2200",
        6,
    )
    assert NO_MATCH_UNKNOWN[1] not in as_json.output
    none = CliRunner().invoke(cli, ["reports", "--db", str(registry_db), "--authority", "2202"])
    assert "没有报告" in none.output
    for named in (
        "省厅",
        "２２００",
        "四川省人力资源和社会保障厅",
    ):  # as the Datasette queue takes it
        found = CliRunner().invoke(cli, ["reports", "--db", str(registry_db), "--authority", named])
        assert f"证书 {NO_MATCH_UNKNOWN[0]}" in found.output, named
    mianyang = CliRunner().invoke(
        cli, ["reports", "--db", str(registry_db), "--authority", "绵阳市"]
    )
    assert mianyang.exit_code == 0 and "没有报告" in mianyang.output
    bad = CliRunner().invoke(cli, ["reports", "--db", str(registry_db), "--authority", "9999"])
    assert bad.exit_code == 2 and "认不出发证机关“9999”" in bad.output


def test_a_reports_receipt_is_a_link_staff_can_open(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CERTREG_PUBLIC_URL", "https://zscx.example.gov.cn/")
    assert receipt_link("Z1-ab.x.y") == "https://zscx.example.gov.cn/r/Z1-ab.x.y"
    monkeypatch.delenv("CERTREG_PUBLIC_URL")
    assert receipt_link("Z1-ab.x.y") == "/r/Z1-ab.x.y（公众查验网站上的路径）"


def test_reports_of_a_registry_that_is_not_there_is_a_mistake_not_an_empty_queue(
    tmp_path: Path,
) -> None:
    """A mistyped --db said 没有报告 and exited 0: staff would believe nobody reported."""
    result = CliRunner().invoke(cli, ["reports", "--db", str(tmp_path / "typo" / "registry.db")])
    assert result.exit_code == 2 and "不存在" in result.output and "没有报告" not in result.output


@pytest.mark.anyio
async def test_staff_record_what_they_did_about_a_report_and_the_queue_shows_it(
    app_client: AppClient, registry_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A queue that only grows tells staff nothing about what is left to do: an outcome is
    recorded by the report's number as listed, shown by the command and in Datasette, and a
    second one is kept beside the first (the latest is the state, the first still shown: a
    误报 recorded after 已移交公安机关 hid it from everyone but a reader of the table)."""
    _reported(app_client)
    [report] = reports_of(registry_db)
    ref = report["ref"]

    def invoke(*args: str) -> Any:
        return CliRunner().invoke(cli, ["reports", "--db", str(registry_db), *args])

    assert "处理结果：尚未记录" in invoke().output
    for asked in ("是", "Y", "true"):
        [pending] = await staff_queue(registry_db, monkeypatch, asked)
        assert pending["处理结果"] == "尚未处理"
    assert f"#{ref}" in invoke("--pending").output
    missing = invoke("--handle", "20200101-000000", "--outcome", "已处理")
    assert missing.exit_code == 2 and "没有编号为“20200101-000000”的报告" in missing.output
    assert invoke("--handle", ref).exit_code == 2  # no outcome: nothing recorded
    assert invoke("--handle", ref, "--outcome", "甲\x1b[2J").exit_code == 2
    typed = "＃" + ref.lower()  # as typed on a Chinese keyboard
    done = invoke("--handle", typed, "--outcome", "已移交公安机关", "--by", "王科员")
    assert done.exit_code == 0 and f"已记录报告 #{ref} 的处理结果：已移交公安机关" in done.output
    again = invoke("--handle", ref, "--outcome", "已核实为伪造", "--by", "李科员")
    assert again.exit_code == 0
    listed = invoke().output
    # --by is a name anyone can type: the account that typed it stands beside it, as for a sync
    account = f"（系统用户 {getpass.getuser()}）"
    assert f"李科员{account}）：已核实为伪造" in listed and "尚未记录" not in listed
    assert "    此前的处理结果（" in listed and f"王科员{account}）：已移交公安机关" in listed
    assert "没有尚未处理的报告" in invoke("--pending").output
    [as_json] = json.loads(invoke("--json").output)
    assert (as_json["outcome"], as_json["handled_by"]) == ("已核实为伪造", f"李科员{account}")
    assert [(by, action) for _, by, action in as_json["earlier"]] == [
        (f"王科员{account}", "已移交公安机关")
    ]
    conn = sqlite3.connect(registry_db.parent / "verify_log.db")
    kept = conn.execute("SELECT action FROM report_outcomes ORDER BY id").fetchall()
    conn.close()
    assert kept == [("已移交公安机关",), ("已核实为伪造",)]
    [row] = await staff_queue(registry_db, monkeypatch)
    latest, earlier = row["处理结果"].split("；此前：")
    assert latest.endswith(f"（北京时间） 李科员{account}：已核实为伪造"), row["处理结果"]
    assert earlier.endswith(f"（北京时间） 王科员{account}：已移交公安机关"), row["处理结果"]
    assert list(row)[3] == "处理结果"  # beside the report, not past a screen of columns
    assert await staff_queue(registry_db, monkeypatch, "YES") == []
    assert len(await staff_queue(registry_db, monkeypatch, "否")) == 1


def test_a_log_that_cannot_be_written_is_named_not_the_registry(registry_db: Path) -> None:
    """Recording an outcome writes the verification log, which another user may own: the
    message blamed the registry (请检查 --db)."""
    (registry_db.parent / "verify_log.db").mkdir()  # there, and no SQLite file to write
    result = CliRunner().invoke(
        cli, ["reports", "--db", str(registry_db), "--handle", "1", "--outcome", "已核实"]
    )
    assert result.exit_code == 1 and "无法写入查验日志" in result.output
    assert "登记库" not in result.output


def test_one_check_makes_one_report_however_many_are_sent_at_once(tmp_path: Path) -> None:
    """Five reports of one check sent at the same moment were five reports: the look for an
    earlier one and the insert are one write transaction."""
    import threading

    from registry.store.verify_log import prepare_log
    from verify_app.reports import Report, file_report

    log = tmp_path / "verify_log.db"
    conn = sqlite3.connect(log, isolation_level=None)
    prepare_log(conn)
    conn.close()
    charged: list[int] = []
    answers: list[tuple[str, str, bool, bool]] = []
    start = threading.Barrier(5)

    def send(i: int) -> None:
        report = Report(f"198.51.100.{i}", "Z1122099999", "no_match", "2026-12-02T01:00:00+00:00",
                        "h" * 64, "", None, "2202", "", f"第{i}份")  # fmt: skip
        start.wait()
        answers.append(
            file_report(log, report, "2026-12-02T01:00:05+00:00", lambda: charged.append(i))
        )

    threads = [threading.Thread(target=send, args=(i,)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({ref for ref, *_ in answers}) == 1 and len(charged) == 1
    assert [kept for *_, kept in answers].count(True) == 1
    assert [again for _, _, again, _ in answers].count(False) == 1  # the first, alone
    conn = sqlite3.connect(log)
    assert conn.execute("SELECT count(*) FROM reports").fetchone() == (1,)
    conn.close()


def test_a_ticket_holds_no_hash_of_the_name_typed(app_client: AppClient, registry_db: Path) -> None:
    """Any stranger gets a ticket for any name typed against any number: with the log's name
    hash in it, hashing names through tickets read the log's hashes — and an old receipt's —
    back into names, past the guess limits of the receipt's number."""
    with app_client() as client:
        tickets = [
            client.post("/api/v1/verify", json={"number": number, "name": "张三明"}).json()
            for number in (NO_MATCH_UNKNOWN[0], "G1122009998")
        ]
        client.app.state.verifier.log.flush()
    logged = {row["name_hash"] for row in read_log(registry_db)}
    assert len(logged) == 1  # the log keeps the name's one keyed hash, as staff read it
    shown = [json.dumps(ticket_payload(t["report_ticket"])) for t in tickets]
    assert not any(hashed in text for hashed in logged for text in shown)
    assert (
        ticket_payload(tickets[0]["report_ticket"])["check"]
        != ticket_payload(tickets[1]["report_ticket"])["check"]
    )  # nothing links two checks of one name


def test_a_report_with_a_field_of_its_own_is_filed_without_it(
    app_client: AppClient, registry_db: Path
) -> None:
    """An HR system sends its own fields beside the report's — a name among them: the schema
    forbade extra fields that the service (rightly) ignores; now it says they are not kept."""
    with app_client() as client:
        ticket = client.post(
            "/api/v1/verify", json={"number": NO_MATCH_UNKNOWN[0], "name": NO_MATCH_UNKNOWN[1]}
        ).json()["report_ticket"]
        filed = client.post(
            "/api/v1/reports",
            json={"ticket": ticket, "text": "查不到", "name": "欧阳娜娜", "dept": "人事处"},
        )
        schema = client.get("/openapi.json").json()["components"]["schemas"]["ReportRequest"]
    assert filed.status_code == 201, filed.text
    assert "欧阳娜娜" not in str(reports_of(registry_db))
    assert (
        schema.get("additionalProperties", True) is True
        and "不读取、不保存" in schema["description"]
    )


def test_a_check_without_a_number_offers_no_report(app_client: AppClient) -> None:
    """``{"number": "", …}`` was answered 编号格式错误 with a report ticket, and a report about
    no number was filed (an HR developer's review)."""
    with app_client() as client:
        blank = client.post("/api/v1/verify", json={"number": " ", "name": "张三明"}).json()
        typed = client.post("/api/v1/verify", json={"number": "X123", "name": "张三明"}).json()
    assert blank["result"] == "malformed" and "report_ticket" not in blank
    assert typed["result"] == "malformed" and typed["report_ticket"]
