"""Results that lead somewhere (issue #16): typed values kept after an error, successor numbers
as links, 换发/补发 named, the revoking document cited, the issuing authority's contact, receipts
only for matches with their expiry; the batch CSV keeps the HR file's columns; the API manual."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest

from registry.domain.numbers import parse
from registry.domain.statuses import RESULT_LABELS
from tests.verify_fixtures import (
    MALFORMED,
    NO_MATCH_UNKNOWN,
    REISSUED,
    REVOKED,
    SUCCESSOR,
    SUPERSEDED,
    VALID,
    AppClient,
    Clock,
    app_client,
    clock,
    context_of,
    csrf_token,
    exported_file,
    post_check,
    read_log,
    registry_db,
    template_of,
)
from verify_app.openapi import openapi_document
from verify_app.pages import PASTED_CHARS
from verify_app.refusals import REASONS

__all__ = ["app_client", "clock", "registry_db"]

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("case", [NO_MATCH_UNKNOWN, MALFORMED])
def test_what_was_typed_stays_in_the_form_after_an_error(
    app_client: AppClient, case: tuple[str, str]
) -> None:
    with app_client() as client:
        page = client.post(
            "/check",
            data={
                "number": case[0],
                "name": case[1],
                "level": "高级",
                "csrf_token": csrf_token(client),
            },
        )
    assert 'id="number" name="number" type="text"' in page.text
    assert f'value="{case[0]}"' in page.text and f'value="{case[1]}"' in page.text
    assert 'value="高级"' in page.text and '<details class="confirm" open>' in page.text


def test_overlong_input_keeps_what_was_typed(app_client: AppClient) -> None:
    with app_client() as client:
        page = post_check(client, "Z" * 41, "李芳")
    assert page.status_code == 400
    assert context_of(page)["values"]["name"] == "李芳"
    assert 'value="李芳"' in page.text


def test_a_successor_number_is_a_link_that_checks_it(app_client: AppClient) -> None:
    with app_client() as client:
        page = post_check(client, *SUPERSEDED)
        link = context_of(page)["successor_url"]
        form = client.get(link)
    assert link == f"/?number={SUCCESSOR}"  # the number only: no name in any URL
    assert f'href="{link}"' in page.text
    assert "换发</strong>新证书" in page.text  # 换发 named, not just 已由新证书取代
    assert f'value="{SUCCESSOR}"' in form.text and context_of(form)["values"]["number"] == SUCCESSOR
    # the name is left to type, and the form says so (a phone review: nothing did) — of a
    # number only: a link's words are not said in the service's note (a diff review)
    assert "请照持证人出示的这份证书填写姓名（换发时可能更正过姓名）" in form.text
    with app_client() as client:
        worded = client.get("/?number=" + quote(f"{SUCCESSOR}（已核实有效，请直接录用）"))
    assert "请照持证人出示的这份证书填写姓名" not in worded.text


def test_a_reissue_is_named_a_reissue(app_client: AppClient) -> None:
    with app_client() as client:
        reissued = post_check(client, *REISSUED)
    assert "补发</strong>" in reissued.text and "注明“补发”字样的证书有效" in reissued.text


def test_a_revoked_result_gives_its_date_and_no_document(
    app_client: AppClient, registry_db: Path
) -> None:
    """SPEC §7: a match shows the status and its date — never documents, the revoking one
    included."""
    with app_client() as client:
        page = post_check(client, *REVOKED)
        api = client.post("/api/v1/verify", json={"number": REVOKED[0], "name": REVOKED[1]})
    check = context_of(page)["check"]
    assert check.status_date == "2013-01-15"
    assert (
        '发证机关已于 <span class="nowrap">2013-01-15</span> <strong>撤销</strong>该证书。'
        in page.text
    )
    assert "不能作为资格凭证" in page.text  # the advice
    assert api.json()["result"] == "revoked" and api.json()["status_date"] == "2013-01-15"
    with sqlite3.connect(registry_db) as conn:
        documents = {doc for (doc,) in conn.execute("SELECT approval_doc FROM status_events")}
    assert documents and not [doc for doc in documents if doc in page.text + api.text]


def test_nothing_found_names_the_issuing_authoritys_contact(app_client: AppClient) -> None:
    with app_client() as client:
        province = post_check(client, *NO_MATCH_UNKNOWN)  # region 2200
        city = post_check(client, "Z1122029999", "周杰")  # region 2202, blank contact
        malformed = post_check(client, *MALFORMED)
        api = client.post("/api/v1/verify", json={"number": "Z1122029999", "name": "周杰"})
    assert "028-86113498" in province.text and "职业能力建设处" in province.text
    assert context_of(city)["contact"].name == "绵阳市人力资源和社会保障局"
    assert "绵阳市人力资源和社会保障局" in city.text
    assert (
        "电话未收录，可联系四川省人力资源和社会保障厅职业能力建设处" in city.text
    )  # the city's phone unknown
    assert "028-86113498" in malformed.text  # the province when the number does not parse
    assert api.json()["contact"] == {  # the city's phone unknown: the province's, as on the page
        "name": "绵阳市人力资源和社会保障局",
        "province": {"name": "四川省人力资源和社会保障厅职业能力建设处", "phone": "028-86113498"},
    }


def test_an_administrator_replaces_the_contacts(
    app_client: AppClient, tmp_path: Path, registry_db: Path
) -> None:
    contacts = tmp_path / "authorities.csv"
    contacts.write_text("代码,名称,地址,电话\n2202,绵阳市人社局,绵阳市某路1号,0816-1234567\n")
    with app_client(authorities_file=contacts) as client:
        page = post_check(client, "Z1122029999", "周杰")
    assert "0816-1234567" in page.text and "绵阳市某路1号" in page.text
    assert parse("Z1122029999").region == "2202"
    contacts.write_text("代码,名称,地址,电话\n2200,省厅证书办,,028-00000000\n")
    with app_client(authorities_file=contacts) as client:
        page = post_check(client, "Z1122029999", "周杰")
    # the province's phone as the administrator's file gives it, never one written in code
    assert "省厅证书办" in page.text and "028-00000000" in page.text and "86113498" not in page.text


def test_receipts_only_for_matches_with_their_expiry(app_client: AppClient, clock: Clock) -> None:
    with app_client() as client:
        found = post_check(client, *VALID)
        nothing = post_check(client, *NO_MATCH_UNKNOWN)
        receipt = client.get(context_of(found)["receipt_url"])
        api = client.post(
            "/api/v1/verify", json={"number": VALID[0], "name": VALID[1], "receipt": True}
        ).json()
        api_nothing = client.post(
            "/api/v1/verify", json={"number": NO_MATCH_UNKNOWN[0], "name": "x", "receipt": True}
        ).json()
    expires = dt.datetime.fromtimestamp(int(clock.now) + 90 * 86_400, dt.UTC)
    beijing = expires.astimezone(dt.timezone(dt.timedelta(hours=8)))
    shown = beijing.strftime("北京时间 %Y-%m-%d %H:%M")  # as the page's dates are written
    assert context_of(found)["receipt_expires"] == shown
    assert f'回执有效期至 <strong><span class="when">{shown}</span></strong>' in found.text
    assert f'本回执有效期至 <strong><span class="when">{shown}</span></strong>' in receipt.text
    assert "receipt_url" not in context_of(nothing) and "查验回执" not in nothing.text
    assert dt.datetime.fromisoformat(api["receipt_expires"]) == expires
    assert api["receipt_expires"].endswith("+08:00")
    assert "receipt_url" not in api_nothing and "receipt_expires" not in api_nothing


def test_the_result_csv_keeps_every_column_of_the_hr_file(app_client: AppClient) -> None:
    data = (
        "工号,部门,姓名,证书编号,备注\n"
        f"E001,后勤处,{VALID[1]},{VALID[0]},=1+2\n"
        f"E002,车队,{SUPERSEDED[1]},{SUPERSEDED[0]},\n"
    )
    with app_client() as client:
        page = client.post(
            "/batch",
            data={"csrf_token": csrf_token(client)},
            files={"file": ("名单.csv", data.encode("gb18030"))},
        )
    exported = exported_file(page)
    lines = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert lines[0][:6] == ["工号", "部门", "姓名", "证书编号", "备注", "行号"]
    assert [line[:4] for line in lines[1:]] == [
        ["E001", "后勤处", VALID[1], VALID[0]],
        ["E002", "车队", SUPERSEDED[1], SUPERSEDED[0]],
    ]
    assert lines[1][4] == "'=1+2"  # the file's own formula, made inert
    row = dict(zip(lines[0], lines[2], strict=True))
    assert row["查验结果"] == "已由新证书取代" and row["结果代码"] == "superseded"
    assert row["新证书编号"] == SUCCESSOR
    assert row["取代方式"] == "换发"
    assert re.fullmatch(r"北京时间 \d{4}-\d{2}-\d{2} \d{2}:\d{2}", row["登记库更新时间"])
    assert "持证人（部分隐去）" in lines[0] and row["持证人（部分隐去）"] == "欧阳*"


def test_the_api_manual_is_served_in_chinese_from_the_openapi_document(
    app_client: AppClient,
) -> None:
    document = openapi_document()
    with app_client() as client:
        docs = client.get("/docs")
        home = client.get("/")
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    assert 'href="/docs">接口说明（API）</a>' in home.text
    assert "<script" not in docs.text and "cdn" not in docs.text.lower()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert f"{method.upper()} {path}" in docs.text
            assert operation["summary"] in docs.text
    for example in ("/api/v1/verify", "/api/v1/verify/batch", '"confirm"', "Authorization: Bearer"):
        assert "curl -s" in docs.text and example in docs.text
    assert "curl -s -X POST http://testserver/api/v1/reports" in docs.text
    # every result code, with what it means and what to do: an integrator maps them all
    results = docs.text.split('<section id="results"', 1)[1].split("</section>", 1)[0]
    for code, label in RESULT_LABELS.items():
        assert f'class="mono">{code}</th><td role="cell" data-label="label">{label}</td>' in results
    for reason in REASONS:  # and every reason a 429 gives
        assert f"<code>{reason}</code>" in docs.text, reason
    # the key note on exactly the operations that take a key (the feeds, health: never)
    keyed = {
        f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "")
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if {"apiKey": []} in operation.get("security", [])
    }
    assert keyed and len(keyed) < sum(len(item) for item in document["paths"].values())
    sections = re.findall(r'<section id="([^"]+)" class="operation".*?</section>', docs.text, re.S)
    noted = re.findall(
        r'<section id="([^"]+)" class="operation"(?:(?!</section>).)*?可匿名调用，也可带接口密钥',
        docs.text,
        re.S,
    )
    assert sections and set(noted) == keyed
    # every field, nested ones too: what confirm takes, what contact and the feeds hold
    whole = docs.text.replace("<wbr>", "")  # where a narrow screen may break a name
    for field in ("confirm.reissue_mark", "contact.province.phone", "items[]._certreg.event"):
        assert f'<td role="cell" class="mono">{field}' in whole, field
    # a parameter says where it goes: If-None-Match stood under 路径参数, and a URL was built of it
    assert (
        'class="mono">If-None-Match</td><td role="cell" data-label="位置">请求头</td>' in docs.text
    )
    assert 'class="mono">token</td><td role="cell" data-label="位置">路径</td>' in docs.text
    assert "路径参数" not in docs.text
    # each table named by its caption (the boxes around them, which wrap rather than scroll,
    # are no Tab stops: tests/test_accessibility_browser.py)
    tables = docs.text.count("<table")
    assert tables and docs.text.count('<caption class="visually-hidden">') == tables
    assert 'tabindex="0"' not in docs.text


def test_the_api_manual_gives_this_sites_limits(app_client: AppClient) -> None:
    """A program could not learn the limits before meeting them: the manual said a limit was
    counted per minute, not how many — the site's own numbers, as it is configured."""
    with app_client(rate_limit=20, batch_rows_per_hour=250, reports_per_day=3) as client:
        limited = client.get("/docs").text
    with app_client(name_guesses_per_hour=0) as client:
        unlimited = client.get("/docs").text
    line = limited.split('<li id="site-limits">', 1)[1].split("</li>", 1)[0]
    for said in (
        "每分钟最多 20 次",
        "每小时共最多 250 行",
        "一次最多 500 条",
        "不符最多 10 次",
        "一天内（最近约 24 小时）姓名不符最多 30 次",
    ):
        assert said in line, said
    assert "每天最多 3 份" in line
    line = unlimited.split('<li id="site-limits">', 1)[1].split("</li>", 1)[0]
    assert "每分钟不限" in line and "姓名不符" not in line


def test_every_openapi_summary_and_description_is_chinese() -> None:
    def texts(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [
                v for k, v in node.items() if k in ("summary", "description") and isinstance(v, str)
            ]
            return found + [t for v in node.values() for t in texts(v)]
        if isinstance(node, list):
            return [t for v in node for t in texts(v)]
        return []

    found = texts(openapi_document())
    assert len(found) > 50
    assert [t for t in found if not HAN.search(t)] == []


@pytest.mark.parametrize(
    "pasted",
    [
        "王经理您好，我是昨天下午来贵单位面试驾驶员岗位的周杰，我的技术等级证书编号是"
        "Z1122020123，谢谢",
        "证书编号：z1122020123\n姓名：周杰",
        "Z1122020123（原件已看）",
    ],
    ids=["a chat message", "a card", "a note after it"],
)
def test_a_number_pasted_with_words_around_it_is_filled_in_unchecked(
    app_client: AppClient, registry_db: Path, pasted: str
) -> None:
    """A chat's message pasted whole was cut at 40 characters by the field, the number with it,
    and answered 编号格式错误 with a report form (a phone review): the number is found, filled in,
    one tap from its check — and nothing was checked or logged meanwhile."""
    with app_client() as client:
        page = client.post(
            "/check", data={"number": pasted, "name": "周杰", "csrf_token": csrf_token(client)}
        )
        checked = client.post(
            "/check", data={**context_of(page)["values"], "csrf_token": csrf_token(client)}
        )
    assert page.status_code == 200 and template_of(page) == "index.html"
    assert context_of(page)["found"] == "Z1122020123"
    assert 'value="Z1122020123"' in page.text and "已从您填入的文字中找出证书编号" in page.text
    assert context_of(checked)["check"].result == "valid"
    assert [row["channel"] for row in read_log(registry_db)] == ["page"]  # the one check
    assert f'maxlength="{PASTED_CHARS}"' in page.text  # the whole message reaches the server


def test_two_numbers_pasted_together_are_not_chosen_between(app_client: AppClient) -> None:
    with app_client() as client:
        page = post_check(client, "Z1122020123、G1122000001", "周杰")
    assert "found" not in context_of(page) and context_of(page)["check"].result == "malformed"
