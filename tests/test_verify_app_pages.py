"""The pages (SPEC §7): form, result per code, privacy, staleness warning, error pages."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from registry.domain.statuses import RESULTS
from registry.public.fields import PUBLIC_FIELDS
from registry.public.lookup import Verification
from tests.verify_fixtures import (
    CASES,
    NO_MATCH_UNKNOWN,
    NO_MATCH_WRONG_NAME,
    REISSUED,
    SUCCESSOR,
    SUPERSEDED,
    VALID,
    AppClient,
    Clock,
    app_client,
    clock,
    context_of,
    csrf_token,
    post_check,
    private_values,
    registry_db,
    template_of,
)
from verify_app.csrf import COOKIE, LIFETIME
from verify_app.presentation import page_fields, whole_dates

__all__ = ["app_client", "clock", "registry_db"]


def test_form_explains_the_number_and_labels_its_fields(app_client: AppClient) -> None:
    with app_client() as client:
        page = client.get("/")
    assert page.status_code == 200
    assert template_of(page) == "index.html"
    assert [p[1] for p in context_of(page)["parts"]] == [
        "等级代码",
        "核发年份代码",
        "地区代码",
        "顺序号",
    ]
    assert '<label for="number">证书编号</label>' in page.text
    assert '<tr><th scope="row">第1位</th><td>等级代码</td>' in page.text  # each heads its row
    assert '<label for="name">持证人姓名</label>' in page.text
    assert "<script" not in page.text
    assert 'aria-describedby="number-hint"' in page.text and 'id="number-hint"' in page.text
    # what a check leaves behind, said where it is made (PIPL Art. 17: a personal-data notice)
    footer = page.text.split('<footer class="site">', 1)[1]
    assert all(w in footer for w in ("网络地址", "证书编号", "查验结果", "不记录姓名本身"))
    # a rare character (𠮷克曲布, 凉山) typed as 吉 or ? was a plain 未查到 for a real certificate
    help_text = page.text.split('id="name-help"', 1)[1].split("</p>", 1)[0]
    assert "生僻字" in help_text and "不要用同音字" in help_text
    assert (
        len(context_of(page)["regions"]) == 22 and ("2221", "资阳市") in context_of(page)["regions"]
    )
    assert context_of(page)["csrf_token"] in page.text


def test_control_characters_typed_are_neither_checked_nor_shown(app_client: AppClient) -> None:
    """A NUL typed (or pasted with a line break) went into the page raw, as U+FFFD."""
    with app_client() as client:
        page = post_check(client, f"{VALID[0]}\x00", f"{VALID[1]}\r\n")
    assert context_of(page)["check"].result == "valid" and "\x00" not in page.text


def test_every_result_code_has_a_case() -> None:
    assert set(CASES) == set(RESULTS)


@pytest.mark.parametrize("result", RESULTS)
def test_result_page_for_each_code(app_client: AppClient, result: str) -> None:
    number, name = CASES[result]
    with app_client() as client:
        page = post_check(client, number, name)
    assert page.status_code == 200
    assert template_of(page) == "result.html"
    check = context_of(page)["check"]
    assert check.result == result
    assert check.label in page.text
    assert whole_dates(check.advice()) in page.text  # each date kept whole on a phone
    assert '<span class="nowrap">' in page.text or not re.search(
        r"\d{4}-\d{2}-\d{2}", check.advice()
    )
    assert context_of(page)["as_of"].startswith("北京时间 ")
    assert "登记库数据更新时间" in page.text
    assert context_of(page)["stale"] is False
    assert ("receipt_url" in context_of(page)) == check.matched  # receipts only for matches


def test_the_page_answering_a_form_renews_the_forms_cookie(app_client: AppClient) -> None:
    """A result page holds a form too (a report's): its cookie lives another lifetime from it,
    as a form page's does — a tab left on a result and reported from days later was refused."""
    with app_client() as client:
        page = post_check(client, *CASES["no_match"])
    renewed = [c for c in page.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}=")]
    assert 'action="/report"' in page.text
    assert renewed and f"Max-Age={LIFETIME}" in renewed[0]


def test_a_masked_name_is_read_as_masked(app_client: AppClient) -> None:
    """A screen reader set to read no symbol said 张*明 as 张明, another name: the masked name
    is followed by words it reads (the page and a batch row alike); the skip link's target
    takes the focus."""
    with app_client() as client:
        page = post_check(client, *CASES["valid"])
        batch = client.post(
            "/batch",
            data={"csrf_token": csrf_token(client), "entries": " ".join(CASES["valid"])},
        )
    hidden = '张*明<span class="visually-hidden">（部分隐去）</span>'
    assert hidden in page.text and hidden in batch.text
    assert '<main id="main" tabindex="-1"' in page.text


def test_result_pages_say_what_to_do_next(app_client: AppClient) -> None:
    with app_client() as client:
        reissued = post_check(client, *REISSUED)
        superseded = post_check(client, *SUPERSEDED)
        no_match = post_check(client, *NO_MATCH_UNKNOWN)
        valid = post_check(client, *VALID)
    assert "补发" in reissued.text and "2012-09-10" in reissued.text
    assert f"请持证人出示新证书 {SUCCESSOR}" in superseded.text
    assert context_of(superseded)["check"].successor == SUCCESSOR
    assert "请核对编号和姓名是否输入正确" in no_match.text
    assert context_of(valid)["check"].holder == "张*明"
    assert "汽车驾驶员" in valid.text and "四川省人力资源和社会保障厅" in valid.text


def test_no_match_is_identical_for_unknown_number_and_wrong_name(app_client: AppClient) -> None:
    with app_client() as client:
        unknown = post_check(client, *NO_MATCH_UNKNOWN)
        wrong_name = post_check(client, *NO_MATCH_WRONG_NAME)
    a, b = context_of(unknown)["check"], context_of(wrong_name)["check"]
    assert a.result == b.result == "no_match"
    assert replace(a, number=b.number) == b
    # the numbers and names typed differ (the form keeps them, to correct them), and the
    # report ticket, which carries the number and the name's hash
    texts = [
        page.text.replace(context_of(page)["report_ticket"], "TICKET")
        .replace(f'value="{name}"', 'value="NAME"')
        .replace(number, "N")
        for page, (number, name) in ((unknown, NO_MATCH_UNKNOWN), (wrong_name, NO_MATCH_WRONG_NAME))
    ]
    csrf = [context_of(unknown)["csrf_token"], context_of(wrong_name)["csrf_token"]]
    assert csrf[0] == csrf[1]
    assert texts[0] == texts[1]


@pytest.mark.parametrize("result", RESULTS)
def test_no_private_data_in_result_pages(
    app_client: AppClient, registry_db: Path, result: str
) -> None:
    private = private_values(registry_db)
    with app_client() as client:
        page = post_check(client, *CASES[result])
        receipt = (
            client.get(context_of(page)["receipt_url"])
            if "receipt_url" in context_of(page)
            else None
        )
    typed = CASES[result][1]  # the form keeps the name the employer typed, for a retry
    for text in [page.text.replace(f'value="{typed}"', "")] + ([receipt.text] if receipt else []):
        leaked = [value for value in private if value in text]
        assert leaked == []


def test_stale_registry_warning(app_client: AppClient, clock: Clock) -> None:
    clock.advance(days=31)
    with app_client(stale_days=30) as client:
        page = post_check(client, *VALID)
    assert context_of(page)["stale"] is True
    assert "登记库已超过 30 天未更新" in page.text
    with app_client(stale_days=60) as client:
        page = post_check(client, *VALID)
    assert context_of(page)["stale"] is False
    assert "未更新" not in page.text


def test_overlong_input_is_refused_with_a_message(app_client: AppClient) -> None:
    with app_client() as client:
        page = post_check(client, "Z" * 41, "李芳")
    assert page.status_code == 400
    assert template_of(page) == "index.html"
    assert "最多 40 个字符" in context_of(page)["error"]
    # the form back with a problem is not the blank form to a screen reader, which reads the
    # title first
    assert "<title>未能查验 · 证书查验 · " in page.text


@pytest.mark.parametrize(
    "number, name, asked", [(VALID[0], "\u3000", "持证人姓名"), (" ", VALID[1], "证书编号")]
)
def test_a_missing_number_or_name_is_asked_for(
    app_client: AppClient, number: str, name: str, asked: str
) -> None:
    """A blank field (a full-width space passes the browser's ``required``) is no check: the
    form asks for it, instead of a 编号格式错误 result offering to report a forgery."""
    with app_client() as client:
        page = post_check(client, number, name)
    assert page.status_code == 400 and template_of(page) == "index.html"
    assert (
        f"请填写证书上的{asked}" in context_of(page)["error"]
        or f"请填写{asked}" in (context_of(page)["error"])
    )
    assert 'name="ticket"' not in page.text
    # the field asked for is marked so for a screen reader, and tied to the message; not the other
    field, other = ("name", "number") if asked == "持证人姓名" else ("number", "name")
    assert re.search(
        f'id="{field}"[^>]*aria-invalid="true" aria-describedby="form-error ', page.text
    )
    assert not re.search(f'id="{other}"[^>]*aria-invalid', page.text)
    assert '<p id="form-error" class="problem" role="alert">' in page.text


def test_both_fields_blank_are_both_asked_for(app_client: AppClient) -> None:
    """Both blank, the form asked for the number alone: the name was asked for on the next try."""
    with app_client() as client:
        page = post_check(client, " ", "\u3000")
    assert page.status_code == 400
    assert context_of(page)["error"] == "请填写证书编号和证书上的持证人姓名。"
    for field in ("number", "name"):
        assert re.search(
            f'id="{field}"[^>]*aria-invalid="true" aria-describedby="form-error ', page.text
        )


def test_the_pages_tables_are_named_by_captions(app_client: AppClient) -> None:
    """A table is named for a screen reader's list of tables: the number's structure on the
    form, a paper's comparison on an answer, the manual's (each a box's label before)."""
    with app_client() as client:
        form = client.get("/")
        confirmed = client.post(
            "/check",
            data={
                "number": VALID[0],
                "name": VALID[1],
                "level": "高级工",
                "csrf_token": csrf_token(client),
            },
        )
        docs = client.get("/docs")
    assert '<caption class="visually-hidden">证书编号各位的含义</caption>' in form.text
    assert '<caption class="visually-hidden">证书上的内容与登记是否一致</caption>' in confirmed.text
    for page in (form, confirmed, docs):
        assert page.text.count("<caption") == page.text.count("<table") > 0


@pytest.mark.parametrize(
    "number, name, field", [("X12", VALID[1], "number"), (VALID[0], "周\u202e杰", "name")]
)
def test_the_input_an_answer_found_wrong_is_marked_on_the_form_below_it(
    app_client: AppClient, number: str, name: str, field: str
) -> None:
    """A malformed number (or a name shown in another order) was explained in the answer, but
    the form below it to check again left the field unmarked for a screen reader."""
    with app_client() as client:
        page = post_check(client, number, name)
    assert template_of(page) == "result.html"
    other = "name" if field == "number" else "number"
    assert re.search(
        f'id="{field}"[^>]*aria-invalid="true" aria-describedby="answer-advice ', page.text
    )
    assert not re.search(f'id="{other}"[^>]*aria-invalid', page.text)
    assert '<p class="advice" id="answer-advice">' in page.text


def test_full_width_and_spaced_input_is_normalised(app_client: AppClient) -> None:
    with app_client() as client:
        page = post_check(client, "ｇ11 2200-0001", " 张　三明 ")
    assert context_of(page)["check"].result == "valid"
    assert context_of(page)["check"].number == "G1122000001"


def test_custom_404_page(app_client: AppClient) -> None:
    with app_client() as client:
        page = client.get("/no/such/page")
    assert page.status_code == 404
    assert template_of(page) == "404.html"
    assert "页面不存在" in page.text


def test_wrong_method_gets_a_page_not_a_traceback(app_client: AppClient) -> None:
    with app_client() as client:
        page = client.put("/check")
    assert page.status_code == 405
    assert template_of(page) == "error.html"
    assert "请从首页开始查验" in page.text
    # a form's address opened from the history: said in words an officer knows, not HTTP's
    with app_client() as client:
        opened = client.get("/report")
    assert opened.status_code == 405 and "不能直接打开" in opened.text
    assert "GET" not in opened.text
    # a page's address sent a PUT (a tool's): not told it is a form's
    with app_client() as client:
        put = client.put("/")
    assert put.status_code == 405 and "这是可以直接打开的页面，不接受 PUT 请求" in put.text


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/mixed"])
def test_a_body_that_is_no_form_is_told_so(app_client: AppClient, content_type: str) -> None:
    """JSON sent to the form's address was told its form had expired, its text kept."""
    with app_client() as client:
        page = client.post("/check", content=b"{}", headers={"Content-Type": content_type})
    assert page.status_code == 415 and "提交的不是网页表单" in page.text


def test_a_result_address_opened_again_leads_to_the_form(app_client: AppClient) -> None:
    """/check, bookmarked or shared from a result page, holds no answer: the form, to check."""
    with app_client() as client:
        again = client.get("/check", follow_redirects=False)
        landed = client.get("/check")
    assert (again.status_code, again.headers["location"]) == (303, "/")
    assert landed.status_code == 200 and template_of(landed) == "index.html"


def test_static_css_is_served(app_client: AppClient) -> None:
    with app_client() as client:
        css = client.get("/static/style.css")
    assert css.status_code == 200
    assert "@media print" in css.text


def test_a_page_missing_under_static_links_to_the_site_and_is_not_cached(
    app_client: AppClient,
) -> None:
    """Its links went to /static/static/style.css and /static/batch (the mount's root path),
    and, with no Cache-Control, a shared cache could hand its CSRF cookie to everyone."""
    with app_client() as client:
        missing = client.get("/static/nope.css")
        css = client.get("/static/style.css")
    assert missing.status_code == 404
    assert 'href="/static/style.css"' in missing.text and "/static/static" not in missing.text
    assert 'href="/batch"' in missing.text and "/static/batch" not in missing.text
    assert missing.headers["cache-control"] == "no-store"
    assert "cache-control" not in css.headers  # the file itself may be cached


def test_typed_markup_is_escaped(app_client: AppClient) -> None:
    with app_client() as client:
        page = post_check(client, "<script>x</script>", "<b>张</b>")
    assert context_of(page)["check"].result == "malformed"
    assert "<script>" not in page.text and "<b>" not in page.text
    assert "&lt;SCRIPT&gt;X&lt;/SCRIPT&gt;" in page.text


@settings(
    max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(number=st.text(max_size=60), name=st.text(max_size=60))
def test_no_form_input_gives_a_500(app_client: AppClient, number: str, name: str) -> None:
    with app_client() as client:
        page = post_check(client, number, name)
    assert page.status_code in (200, 400)
    assert template_of(page) in ("result.html", "index.html")


_FORM_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@settings(
    max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(number=_FORM_TEXT, name=_FORM_TEXT)
@example(number="G1 122+0%2B1", name="张 三+&=")  # what urlencoding escapes: space, +, %, &, =
@example(number="", name="")
@example(number="ｇ11　2200-0001\n", name=" 张三明;x")
def test_urlencoded_and_multipart_forms_are_read_alike(
    app_client: AppClient, number: str, name: str
) -> None:
    """Browsers send the form urlencoded, which the app parses itself; a multipart form goes
    through Starlette's parser. Both must read the same number and name."""
    with app_client() as client:
        urlencoded = post_check(client, number, name)
        token = csrf_token(client)
        fields = {"number": number, "name": name, "csrf_token": token}
        multipart = client.post("/check", files={k: (None, v) for k, v in fields.items()})
    assert multipart.request.headers["content-type"].startswith("multipart/form-data")
    assert urlencoded.status_code == multipart.status_code
    assert context_of(urlencoded).get("check") == context_of(multipart).get("check")
    assert context_of(urlencoded).get("error") == context_of(multipart).get("error")


def test_form_with_too_many_fields_is_refused_with_a_page(app_client: AppClient) -> None:
    with app_client() as client:
        fields = {f"f{i}": "x" for i in range(11)} | {"csrf_token": csrf_token(client)}
        page = client.post("/check", data=fields)
    assert page.status_code == 400
    assert template_of(page) == "error.html"
    assert "表单字段过多" in page.text


def test_page_fields_list_what_the_answer_has_in_the_table_order() -> None:
    """The pages' list of an answer's details: fields shown on pages, in `PUBLIC_FIELDS` order,
    without the number (it heads the list) and without the ones the answer lacks."""
    answer = Verification(
        "valid", "G0022000250", level="高级工", trade="泵站运行工", holder="张*丽", reissue=True
    )
    listed = [(field.name, value) for field, value in page_fields(answer)]
    expected = [
        (f.name, getattr(answer, f.name))
        for f in PUBLIC_FIELDS
        if f.on_page and f.name != "number" and getattr(answer, f.name)
    ]
    assert listed == expected
    assert ("reissue", True) in listed and ("level", "高级工") in listed
    assert all(name not in ("number", "issued_on", "as_of") for name, _ in listed)
    # a flag not set is left out, not shown 否: 补发证书：否 on every valid answer is noise (SPEC §7)
    plain = Verification("valid", "G0022000250", level="高级工", reissue=False)
    assert [field.name for field, _ in page_fields(plain)] == ["level"]


def test_the_result_page_carries_the_token_its_form_was_checked_with(
    app_client: AppClient,
) -> None:
    """The page answering a form reuses the checked token, and a check sent from it passes."""
    number, name = NO_MATCH_UNKNOWN
    with app_client() as client:
        token = csrf_token(client)
        first = client.post("/check", data={"number": number, "name": name, "csrf_token": token})
        assert first.status_code == 200
        assert context_of(first)["csrf_token"] == token
        again = client.post("/check", data={"number": number, "name": name, "csrf_token": token})
        assert again.status_code == 200
        assert template_of(again) == "result.html"


def test_a_slash_too_many_sends_nobody_to_the_host_a_request_named(
    app_client: AppClient,
) -> None:
    """GET /batch/ with Host: evil.example was redirected to http://evil.example/batch, even
    with CERTREG_PUBLIC_URL set (a pen-tester's report): it is the site's own 404 page."""
    with app_client(public_url="https://zscx.example.gov.cn") as client:
        for path in ("/batch/", "/check/", "/docs/"):
            answer = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
            assert answer.status_code == 404 and "location" not in answer.headers, path
            assert "evil.example" not in answer.text


@pytest.mark.parametrize(
    ("case", "title"),
    [
        ("superseded", "查验结果：已由新证书取代（换发） · "),
        ("revoked", "查验结果：已撤销 · "),
        ("reissued", "查验结果：已补发 · "),
    ],
)
def test_the_title_says_how_a_certificate_was_replaced(
    app_client: AppClient, case: str, title: str
) -> None:
    """A 换发 and a 补发 under a new number both read 已由新证书取代: the title, which a screen
    reader says first and a browser's tab shows, says which."""
    with app_client() as client:
        page = post_check(client, *CASES[case])
    assert f"<title>{title}" in page.text


def test_a_printed_result_says_where_and_when_it_was_checked(
    app_client: AppClient, clock: Clock
) -> None:
    """The header and footer are not printed: a printout kept as evidence named neither the
    service nor the time of the check, only the registry's."""
    with app_client(public_url="https://zscx.example.gov.cn") as client:
        page = post_check(client, *VALID)
        form = client.get("/")
    printed = page.text.split('<p class="print-only">', 1)[1].split("</p>", 1)[0]
    # the address the service is published at, never a Host header a client chose
    assert printed.startswith("四川省机关事业单位工人技术等级（职务）资格证书查验 https://zscx.")
    assert f"查验时间：{context_of(page)['checked_at']}" in printed
    assert context_of(page)["checked_at"].startswith("北京时间 ")
    assert "查验时间" not in form.text.split('<p class="print-only">', 1)[1].split("</p>", 1)[0]


def test_the_api_pages_examples_are_named_by_their_headings(app_client: AppClient) -> None:
    """Six examples were Tab stops for scrolling sideways (an accessibility review: a few of
    them scrolled): they wrap instead (tests/test_accessibility_browser.py), no stop, each
    under the heading that names it."""
    with app_client() as client:
        docs = client.get("/docs")
    examples = re.findall(r"<h3>([^<]+)</h3>\n<pre><code>", docs.text)
    assert len(examples) == docs.text.count("<pre") == 6
    assert examples[0] == "查验一份证书"
