"""Confirming what the paper shows without revealing the registry's values (issue #16): the form,
the JSON API, the batch API and the batch upload alike, and the no-reveal rule as a property of
the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datasette_config.labels import code_label
from registry.cli import cli
from registry.domain.statuses import VALID as VALID_RESULT
from registry.public.confirm import CONFIRMABLE, anything_typed, unreadable
from tests.registers import MIANYANG, RegisterFactory, approval_row, status_event
from tests.verify_fixtures import (
    REISSUED,
    REVOKED,
    SAMPLES,
    SECRET,
    SUPERSEDED,
    VALID,
    AppClient,
    app_client,
    clock,
    context_of,
    csrf_token,
    exported_file,
    read_log,
    registry_db,
    sync_folder,
)
from verify_app.name_hashes import holder_hash

__all__ = ["app_client", "clock", "registry_db"]

# G1122000001 张三明: 高级工, 汽车驾驶员, issued 2012-03-15, no 补发 mark
REGISTERED = {"level": "高级工", "trade": "汽车驾驶员", "issued_on": "2012-03-15"}
WITHHELD = ("level", "trade", "issued_on")


def test_api_confirms_field_by_field_and_withholds_what_it_confirms(
    app_client: AppClient,
) -> None:
    typed = {
        "level": "中级工",
        "trade": "驾驶员",
        "issued_on": "2012年3月15日",
        "reissue_mark": False,
    }
    with app_client() as client:
        body = client.post(
            "/api/v1/verify", json={"number": VALID[0], "name": VALID[1], "confirm": typed}
        ).json()
    assert (body["result"], body["label"]) == ("valid", "有效，但所填的等级与登记不符")
    assert body["confirmation"] == {
        "level": "mismatch",
        "trade": "match",
        "issued_on": "match",
        "reissue_mark": "match",
    }
    assert not set(body) & set(WITHHELD)
    text = json.dumps(body, ensure_ascii=False)
    assert all(value not in text for value in REGISTERED.values())
    # the next step the page gives, not the 证书有效 of a paper that matches
    assert "可能被涂改或伪造" in body["advice"] and "证书有效" not in body["advice"]
    # a typo first: 汽车司机 typed for 汽车驾驶员 was told the paper was forged
    assert body["advice"].index("逐字核对") < body["advice"].index("可能被涂改或伪造")


@pytest.mark.parametrize(
    ("holder", "status"), [(REVOKED, "被发证机关撤销"), (SUPERSEDED, "换发为新证书 G1122000003")]
)
def test_a_paper_that_disagrees_is_still_told_its_certificate_is_revoked_or_replaced(
    app_client: AppClient, holder: tuple[str, str], status: str
) -> None:
    """A batch row with a 补发 mark typed for a revoked certificate was told only to check the
    paper: never that the certificate is revoked and can serve as nothing."""
    item = {"number": holder[0], "name": holder[1], "confirm": {"reissue_mark": True}}
    with app_client() as client:
        [row] = client.post("/api/v1/verify/batch", json={"items": [item]}).json()["results"]
    assert status in row["advice"] and "可能被涂改或伪造" in row["advice"]
    assert row["advice"].index(status) < row["advice"].index("可能被涂改或伪造")


def test_whom_to_ask_comes_with_every_answer_that_says_to_ask(app_client: AppClient) -> None:
    """A revoked certificate and a paper that disagrees are told "向发证机关核实": the answer
    names the department (it did only for 未查到), on the page and in the API alike."""
    with app_client() as client:
        revoked = client.post("/api/v1/verify", json={"number": REVOKED[0], "name": REVOKED[1]})
        altered = client.post(
            "/api/v1/verify",
            json={"number": VALID[0], "name": VALID[1], "confirm": {"level": "中级工"}},
        )
        valid = client.post("/api/v1/verify", json={"number": VALID[0], "name": VALID[1]})
        page = client.post(
            "/check",
            data={
                "number": VALID[0],
                "name": VALID[1],
                "level": "中级工",
                "csrf_token": csrf_token(client),
            },
        )
    for answer in (revoked.json(), altered.json()):
        assert "向发证机关核实" in answer["advice"]
        assert answer["contact"]["name"].startswith("四川省人力资源和社会保障厅"), answer
    assert "contact" not in valid.json()
    assert 'class="contact">咨询：' in page.text


def test_the_reissue_mark_is_confirmed_both_ways(app_client: AppClient) -> None:
    with app_client() as client:
        marked = client.post(
            "/api/v1/verify",
            json={"number": REISSUED[0], "name": REISSUED[1], "confirm": {"reissue_mark": "否"}},
        ).json()
        unmarked = client.post(
            "/api/v1/verify",
            json={"number": VALID[0], "name": VALID[1], "confirm": {"reissue_mark": True}},
        ).json()
    assert marked["confirmation"] == {"reissue_mark": "mismatch"}
    assert unmarked["confirmation"] == {"reissue_mark": "mismatch"}
    # every answer about a 补发 says it is one, a paper confirmed without the mark too
    assert marked["result"] == "reissued" and marked["reissue"] is True
    # a reissued certificate's paper without the mark: most likely the original, void since —
    # not a forgery; a paper marked 补发 of a certificate never reissued is one to suspect
    assert "很可能是补发时已作废的原证书" in marked["advice"] and "伪造" not in marked["advice"]
    assert "可能被涂改或伪造" in unmarked["advice"]


def test_a_paper_that_matches_is_told_so_and_what_to_check_next(app_client: AppClient) -> None:
    """Every field matched, and the advice still said to check that the paper's 等级、工种、发证
    日期 agree with the registered ones — which the page withholds."""
    typed = {"level": REGISTERED["level"], "trade": REGISTERED["trade"], "reissue_mark": "否"}
    with app_client() as client:
        body = client.post(
            "/api/v1/verify", json={"number": VALID[0], "name": VALID[1], "confirm": typed}
        ).json()
        page = client.post(  # the page said so too (a phone review)
            "/check",
            data={"number": VALID[0], "name": VALID[1], **typed, "csrf_token": csrf_token(client)},
        )
    assert set(body["confirmation"].values()) == {"match"}
    said = (
        "证书有效，证书上的等级、工种、有无“补发”字样与登记的一致。"
        "请再核对持证人的身份证件，确认证书是其本人的。"
    )
    assert body["advice"] == said
    assert f"<strong>下一步：</strong>{said}</p>" in page.text


def test_the_log_keeps_what_was_confirmed_and_what_the_paper_got_wrong(
    app_client: AppClient, registry_db: Path
) -> None:
    """An auditor read ``reissued`` in the log of a check that told the employer the paper was
    probably the voided original, and ``valid`` of one that told it the paper may be forged."""
    checks = [
        (REISSUED, {"reissue_mark": "否"}),
        (VALID, {"trade": "汽车驾驶员", "level": "中级工"}),
        (VALID, {"trade": "汽车驾驶员"}),  # confirmed, nothing wrong: not "not confirmed"
        (VALID, {}),
    ]
    with app_client() as client:
        for (number, name), typed in checks:
            body = {"number": number, "name": name, **({"confirm": typed} if typed else {})}
            assert client.post("/api/v1/verify", json=body).status_code == 200
    logged = [(c["result"], c["confirmed"], c["mismatched"]) for c in read_log(registry_db)]
    assert logged == [
        ("reissued", "reissue_mark", "reissue_mark"),
        ("valid", "level,trade", "level"),
        ("valid", "trade", ""),
        ("valid", None, None),
    ]
    shown = [code_label("mismatched", c) for c in ("reissue_mark", "level,trade")]
    assert shown == ["reissue_mark 正页右下方注明“补发”", "level,trade 等级、工种"]


def test_invisible_characters_pasted_with_a_field_are_not_a_mismatch(
    app_client: AppClient,
) -> None:
    """A zero-width space copied along with 中级工 made it a mismatch and the paper a forgery."""
    typed = {
        "level": "高级工\u200b",
        "trade": "\u200b汽车驾驶员",
        "issued_on": "2012-03-15\u2060",
        "reissue_mark": "否\ufeff",
    }
    with app_client() as client:
        body = client.post(
            "/api/v1/verify", json={"number": VALID[0], "name": VALID[1], "confirm": typed}
        ).json()
    assert body["confirmation"] == dict.fromkeys(typed, "match")


def test_a_same_number_reissue_is_confirmed_by_the_day_it_was_reissued(
    app_client: AppClient,
) -> None:
    """Only the paper marked 补发 and reissued on that day is valid: the date it prints is
    that day, or the first issue's; any other date is a mismatch."""
    with app_client() as client:

        def issued(date: str) -> str:
            body = client.post(
                "/api/v1/verify",
                json={"number": REISSUED[0], "name": REISSUED[1], "confirm": {"issued_on": date}},
            ).json()
            return str(body["confirmation"]["issued_on"])

        assert [issued(d) for d in ("2012-09-10", "2012-03-15", "2012-09-11")] == [
            "match",
            "match",
            "mismatch",
        ]
        # a mismatch is not answered with the day that would match (SPEC §7), on no channel
        typed = {"issued_on": "2012-01-01", "reissue_mark": "否"}
        answer = client.post(
            "/api/v1/verify", json={"number": REISSUED[0], "name": REISSUED[1], "confirm": typed}
        )
        fields = {"number": REISSUED[0], "name": REISSUED[1], **typed}
        page = client.post("/check", data={**fields, "csrf_token": csrf_token(client)})
    assert answer.json()["result"] == "reissued" and "status_date" not in answer.json()
    assert answer.json()["confirmation"] == {"issued_on": "mismatch", "reissue_mark": "mismatch"}
    assert all("2012-09-10" not in r.text for r in (answer, page))
    assert page.status_code == 200 and "<strong>补发</strong>" in page.text


def test_without_anything_typed_the_answer_is_whole(app_client: AppClient) -> None:
    with app_client() as client:
        body = client.post(
            "/api/v1/verify", json={"number": VALID[0], "name": VALID[1], "confirm": {"level": " "}}
        ).json()
    assert "confirmation" not in body and body["level"] == "高级工"


def test_a_number_and_name_that_do_not_match_confirm_nothing(app_client: AppClient) -> None:
    with app_client() as client:
        body = client.post(
            "/api/v1/verify",
            json={"number": VALID[0], "name": "张三", "confirm": {"level": "高级工"}},
        ).json()
    assert body["result"] == "no_match" and body["confirmation"] == {}


@pytest.mark.parametrize(
    ("number", "name", "said"),
    [
        ("G11220001", VALID[1], "未核对证书上的内容：证书编号应为11位，实为9位"),
        (VALID[0], "张三", "没有编号和姓名都相符的证书，未核对证书上的内容"),
        ("G1122009999", "张三", "没有编号和姓名都相符的证书，未核对证书上的内容"),
    ],
)
def test_a_paper_not_confirmed_says_why(
    app_client: AppClient, number: str, name: str, said: str
) -> None:
    """A malformed number with the paper's trade typed was told 证书编号与姓名不相符 — as a
    number not registered was, which read as if it were, registered to another name."""
    with app_client() as client:
        page = client.post(
            "/check",
            data={
                "number": number,
                "name": name,
                "trade": "电工",
                "csrf_token": csrf_token(client),
            },
        )
    assert said in page.text


def test_the_form_confirms_without_revealing(app_client: AppClient) -> None:
    with app_client() as client:
        page = client.post(
            "/check",
            data={
                "number": VALID[0],
                "name": VALID[1],
                "level": "高级",
                "trade": "电工",  # what a forger changed
                "issued_on": "",
                "reissue_mark": "",
                "csrf_token": csrf_token(client),
            },
        )
    assert context_of(page)["confirmation"] == {"level": "match", "trade": "mismatch"}
    assert "<strong>不符</strong>" in page.text and "相符" in page.text
    # at a glance not a green 有效: the headline says the paper differs, in the warning colour
    assert 'class="answer result-valid paper-differs"' in page.text
    assert (
        '<span class="label">有效</span><span class="differs">，但所填的证书内容与登记不符</span>'
        in page.text
    )
    # and so do the title a screen reader reads first, and the status line
    assert "<title>查验结果：有效，但所填的证书内容与登记不符 · " in page.text
    assert "<dd>有效（登记的状态；所填的证书内容与登记不符）</dd>" in page.text
    assert (
        "汽车驾驶员" not in page.text
        and "高级工" not in page.text
        and "2012-03-15" not in page.text
    )
    assert 'name="ticket"' in page.text  # a mismatched paper can be reported
    # and corrected: a typo in the paper's fields is fixed without typing it all again
    assert 'id="retry-title"' in page.text and 'value="电工"' in page.text
    # the field that differs is marked for a screen reader, tied to the advice; the one that
    # agrees is not
    assert re.search(
        r'id="trade" name="trade"[^>]*aria-invalid="true" aria-describedby="mismatch-advice ',
        page.text,
    )
    assert 'id="mismatch-advice"' in page.text
    assert not re.search(r'id="level" name="level"[^>]*aria-invalid', page.text)


@pytest.mark.parametrize(
    "written",
    [
        "2012年3月15日",
        "2012年3月15号",
        "二〇一二年三月十五日",
        "二○一二年三月十五日",  # ○, as many keyboards type 〇
        "2012.3.15",
        "20120315",
    ],
)
def test_the_issue_date_as_papers_print_it(app_client: AppClient, written: str) -> None:
    with app_client() as client:
        body = client.post(
            "/api/v1/verify",
            json={"number": VALID[0], "name": VALID[1], "confirm": {"issued_on": written}},
        ).json()
    assert body["confirmation"] == {"issued_on": "match"}


@pytest.mark.parametrize(
    "typed, words",
    [
        ({"issued_on": "去年三月"}, "发证日期“去年三月”无法识别"),
        ({"issued_on": "❶"}, "发证日期“❶”无法识别"),  # a digit to str.isdigit, not to int()
        ({"reissue_mark": "也许"}, "请填 是 或 否"),
        ({"level": "高级技工"}, "等级“高级技工”无法识别"),
        ({"level": "高级工（三级）"}, "请照证书填写其中之一"),
    ],
)
def test_what_cannot_be_read_is_asked_again_not_called_a_forgery(
    app_client: AppClient, typed: dict[str, str], words: str
) -> None:
    """A date the service cannot read says nothing about the paper: the employer is asked to
    write it again, on every channel, and nobody is told the certificate may be forged."""
    fields = {"number": VALID[0], "name": VALID[1], **typed}
    upload = "证书编号,姓名,等级,发证日期,补发\n" + ",".join(
        [VALID[0], VALID[1], *(typed.get(f, "") for f in ("level", "issued_on", "reissue_mark"))]
    )
    with app_client() as client:
        single = client.post("/api/v1/verify", json={**fields, "confirm": typed})
        page = client.post("/check", data={**fields, "csrf_token": csrf_token(client)})
        batch = client.post(
            "/batch",
            data={"csrf_token": csrf_token(client)},
            files={"file": ("名单.csv", upload.encode())},
        )
    assert single.status_code == 422 and words in single.json()["message"]
    assert page.status_code == 400 and words in page.text
    [field] = typed  # marked as the one to write again, for a screen reader
    assert f'id="{field}" name="{field}"' in page.text
    assert re.search(f'id="{field}" name="{field}"[^>]*aria-invalid="true"', page.text)
    # the row checked without it, and told why
    [row] = batch.context["results"]
    assert batch.status_code == 200 and words in row["advice"] and "report_ticket" not in row
    assert all("伪造" not in text for text in (single.text, page.text, row["advice"]))


def test_an_uploaded_date_cell_is_read_as_the_date(app_client: AppClient, tmp_path: Path) -> None:
    """An .xlsx holds 发证日期 as a date, not as text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["证书编号", "姓名", "发证日期"])
    sheet.append([VALID[0], VALID[1], dt.datetime(2012, 3, 15)])
    path = tmp_path / "名单.xlsx"
    workbook.save(path)
    with app_client() as client:
        page = client.post(
            "/batch",
            data={"csrf_token": csrf_token(client)},
            files={"file": (path.name, path.read_bytes())},
        )
    rows = list(csv.DictReader(io.StringIO(exported_file(page).decode("utf-8-sig"))))
    assert rows[0]["核对：发证日期"] == "相符"


def test_a_paper_that_does_not_match_gets_no_receipt(app_client: AppClient) -> None:
    """A receipt would say 有效 for a paper the check found altered: none on any channel."""
    check = {"number": VALID[0], "name": VALID[1], "confirm": {"trade": "电工"}}
    with app_client() as client:
        single = client.post("/api/v1/verify", json={**check, "receipt": True}).json()
        batch = client.post("/api/v1/verify/batch", json={"items": [check], "receipts": True})
        fields = {"number": VALID[0], "name": VALID[1], "trade": "电工"}
        page = client.post("/check", data={**fields, "csrf_token": csrf_token(client)})
    assert single["confirmation"] == {"trade": "mismatch"} and "receipt_url" not in single
    assert "receipt_url" not in batch.json()["results"][0]
    assert "receipt_url" not in context_of(page)
    assert "查验回执" not in page.text and "不出具回执" in page.text


def test_a_receipt_after_a_matching_confirmation_withholds_as_the_answer_did(
    app_client: AppClient,
) -> None:
    with app_client() as client:
        fields = {"number": VALID[0], "name": VALID[1], "trade": "汽车驾驶员"}
        page = client.post("/check", data={**fields, "csrf_token": csrf_token(client)})
        receipt = client.get(context_of(page)["receipt_url"])
    assert receipt.status_code == 200
    assert "汽车驾驶员" not in receipt.text
    assert "原查验核对了证书上的工种，与登记相符" in receipt.text
    assert "证书上的等级、发证日期未经核对" in receipt.text  # the receipt vouches for no more
    assert "不能证明它们与登记相符，请在首页填写证书上的这些内容重新查验" in receipt.text


def test_a_receipt_whose_confirmed_field_was_corrected_since_no_longer_vouches_for_it(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    """A receipt kept saying the trade 与登记相符 after a corrected roster changed it, while a
    check of the same paper now answered that the trade did not match."""
    check = {"number": VALID[0], "name": VALID[1], "confirm": {"trade": "汽车驾驶员"}}
    with app_client() as client:
        answer = client.post("/api/v1/verify", json={**check, "receipt": True}).json()
        assert "当时与登记相符" not in client.get(answer["receipt_url"]).text
        corrected = tmp_path / "corrected"
        shutil.copytree(SAMPLES, corrected)
        book = openpyxl.load_workbook(corrected / "2011-shengzhi-approval.xlsx")
        assert book.active["H4"].value == "汽车驾驶员" and book.active["O4"].value == VALID[0]
        book.active["H4"] = "汽车维修工"
        book.save(corrected / "2011-shengzhi-approval.xlsx")
        sync_folder(registry_db, corrected)
        receipt = client.get(answer["receipt_url"])
    assert receipt.status_code == 200 and "汽车维修工" not in receipt.text  # still withheld
    assert "原查验核对了证书上的工种，当时与登记相符；" in receipt.text
    assert "此后登记的内容有更正，原核对结果不再适用" in receipt.text
    assert "原查验核对了证书上的工种，与登记相符" not in receipt.text


def test_a_receipt_names_one_field_left_unconfirmed_as_one(app_client: AppClient) -> None:
    check = {
        "number": VALID[0],
        "name": VALID[1],
        "confirm": {"level": "高级工", "trade": "汽车驾驶员"},
    }
    with app_client() as client:
        answer = client.post("/api/v1/verify", json={**check, "receipt": True}).json()
        receipt = client.get(answer["receipt_url"])
    assert "证书上的发证日期未经核对</strong>：本回执不能证明这一项与登记相符" in receipt.text
    assert "请在首页填写证书上的发证日期重新查验" in receipt.text


def test_the_pages_icon_is_served_under_the_pages_policy(app_client: AppClient) -> None:
    """Every first visit logged a 404 for /favicon.ico in the browser's console."""
    with app_client() as client:
        page = client.get("/")
        icon = re.search(r'<link rel="icon" href="([^"]+)"', page.text)
        assert icon is not None
        served = client.get(icon.group(1))
    assert served.status_code == 200 and served.headers["content-type"].startswith("image/svg")


def test_a_confirmation_of_invisible_characters_is_no_confirmation(app_client: AppClient) -> None:
    """A zero-width space typed as the trade confirmed nothing: the answer is a plain check's,
    and so is its receipt — not one saying the paper's contents were compared."""
    check = {"number": VALID[0], "name": VALID[1], "confirm": {"trade": "\u200b"}}
    with app_client() as client:
        answer = client.post("/api/v1/verify", json={**check, "receipt": True}).json()
        receipt = client.get(answer["receipt_url"])
    assert "confirmation" not in answer and answer["trade"] == "汽车驾驶员"
    assert "原查验核对了" not in receipt.text


def test_a_receipt_after_confirming_only_the_mark_says_nothing_else_was_checked(
    app_client: AppClient,
) -> None:
    """A holder who altered the trade on a genuine paper, confirming only what is true, got a
    receipt saying the paper's contents were checked and showing none of them."""
    check = {"number": VALID[0], "name": VALID[1], "confirm": {"reissue_mark": "否"}}
    with app_client() as client:
        answer = client.post("/api/v1/verify", json={**check, "receipt": True}).json()
        receipt = client.get(answer["receipt_url"])
    assert answer["confirmation"] == {"reissue_mark": "match"}
    # not 核对了…正页右下方注明“补发”: the paper rightly bears no mark
    assert "原查验核对了证书上的有无“补发”字样，与登记相符" in receipt.text
    assert "证书上的等级、工种、发证日期未经核对" in receipt.text


def test_the_batch_api_confirms_each_item(app_client: AppClient) -> None:
    items = [
        {"number": VALID[0], "name": VALID[1], "confirm": {"trade": "汽车驾驶员"}},
        {"number": VALID[0], "name": VALID[1]},
    ]
    with app_client() as client:
        results = client.post("/api/v1/verify/batch", json={"items": items}).json()["results"]
    assert results[0]["confirmation"] == {"trade": "match"} and "trade" not in results[0]
    assert results[1]["trade"] == "汽车驾驶员" and "confirmation" not in results[1]


def _upload_csv(app_client: AppClient, data: str) -> Any:
    """The batch page's answer to ``data`` uploaded as 名单.csv."""
    with app_client() as client:
        return client.post(
            "/batch",
            data={"csrf_token": csrf_token(client)},
            files={"file": ("名单.csv", data.encode())},
        )


def test_an_upload_confirms_its_optional_columns(app_client: AppClient) -> None:
    data = (
        "工号,证书编号,姓名,等级,工种,发证日期,补发\n"
        f"A01,{VALID[0]},{VALID[1]},高级工,电工,2012.03.16,否\n"
        f"A02,{REISSUED[0]},{REISSUED[1]},中级工,中式烹调师,2012-03-15,是\n"
    )
    page = _upload_csv(app_client, data)
    exported = exported_file(page)
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    verdicts = [
        (r["核对：等级"], r["核对：工种"], r["核对：发证日期"], r["核对：正页右下方注明“补发”"])
        for r in rows
    ]
    assert verdicts == [("相符", "不符", "不符", "相符"), ("相符", "相符", "相符", "相符")]
    assert [r["查验结果"] for r in rows] == ["有效，但所填的工种、发证日期与登记不符", "已补发"]
    assert list(rows[0])[-1] == "结果代码"  # the API's code last, after the 核对 columns
    assert rows[0]["工种"] == "电工"  # the HR file's own column, as it was
    assert rows[0]["工种（查验）"] == ""  # the registry's trade withheld
    assert "汽车驾驶员" not in page.text
    # the paper that differs is marked as a suspect on the page, as the single check marks it:
    # it was green as a valid certificate, for an officer who reads the table by its colours
    marked = re.findall(r'<tr id="row-\d+" role="row" class="([^"]*)">', page.text)
    assert marked == ["result-valid paper-differs", "result-reissued"], marked


@pytest.mark.parametrize(
    "titles",
    [
        "岗位等级,证书等级,工种名称,发证时间,是否补发",
        "岗位等级,技术等级,证书工种,发证年月,有无补发字样",
    ],
)
def test_an_upload_s_columns_are_known_by_an_hr_file_s_own_titles(
    app_client: AppClient, titles: str
) -> None:
    """A phone review: a 是否补发 column was passed over, and the original paper a 补发 voided
    (no mark, 否) was told 相符 on every field checked — its level, trade and date are the
    certificate's. A 岗位等级 (the worker's post) is not the certificate's level."""
    data = f"姓名,证书编号,{titles}\n{REISSUED[1]},{REISSUED[0]},三级,中级工,中式烹调师,2012-03-15,否\n"
    page = _upload_csv(app_client, data)
    [row] = list(csv.DictReader(io.StringIO(exported_file(page).decode("utf-8-sig"))))
    checked = ("等级", "工种", "发证日期", "正页右下方注明“补发”")
    assert [row[f"核对：{field}"] for field in checked] == ["相符", "相符", "相符", "不符"]
    assert "很可能是补发时已作废的原证书" in page.text


@pytest.mark.parametrize(
    ("titles", "cells", "verdicts"),
    [
        (  # a 附件4 roster uploaded as the list: not 原岗位证书号 for the trade, nor a wage grade
            "原岗位证书号（未获工种年限）,执行工资等级起始时间,报考工种,报考等级",
            "A123456,2008.01,汽车驾驶员,高级工",
            {"confirm_level": "相符", "confirm_trade": "相符"},
        ),
        # one column of both is neither's: read as either, the trade was told 不符
        ("工种等级", "汽车驾驶员（高级工）", {"confirm_level": "", "confirm_trade": ""}),
        # a 补发's 文号 is not whether the paper bears the mark
        ("补发批准文号,是否补发", "川人社函〔2013〕5号,否", {"confirm_reissue_mark": "相符"}),
    ],
)
def test_a_column_about_something_else_is_not_read_as_the_paper_s(
    app_client: AppClient, titles: str, cells: str, verdicts: dict[str, str]
) -> None:
    """A diff review: matching titles by a word took 原岗位证书号（未获工种年限） for the trade
    and 执行工资等级起始时间 for the level, and told a real certificate it may be forged."""
    data = f"证书编号,姓名,{titles}\n{VALID[0]},{VALID[1]},{cells}\n"
    page = _upload_csv(app_client, data)
    [row] = page.context["results"]
    assert row["result"] == "valid" and "伪造" not in row["advice"], row["advice"]
    assert {key: row.get(key, "") for key in verdicts} == verdicts


# -- the no-reveal rule, over the API ------------------------------------------------------


def _certificates(db: Path) -> list[tuple[str, str, str, str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT number, name, level, trade, issued_on FROM certificates"
        ).fetchall()
    finally:
        conn.close()


def test_an_answer_reveals_no_value_the_employer_did_not_type_correctly(
    app_client: AppClient, registry_db: Path
) -> None:
    """For any number, name and typed values (one at least), no JSON answer carries a level,
    trade or issue date the employer did not type correctly: neither the field nor the value."""
    certificates = _certificates(registry_db)
    by_number = {c[0]: c for c in certificates}
    values = {
        "level": sorted({c[2] for c in certificates}),
        "trade": sorted({c[3] for c in certificates}) + ["驾驶员", "厨师"],
        "issued_on": sorted({c[4] for c in certificates}) + ["2012年3月15日", "2012.03"],
        "reissue_mark": ["是", "否", "有"],
    }
    typed_values = st.fixed_dictionaries(
        {},
        optional={
            field: st.one_of(st.sampled_from(options), st.text(max_size=10))
            for field, options in values.items()
        },
    ).filter(anything_typed)  # a value of invisible characters alone is no value
    checks = st.one_of(
        st.sampled_from([(c[0], c[1]) for c in certificates]),
        st.tuples(st.sampled_from(list(by_number)), st.sampled_from(["张三", "李芳", " "])),
        st.tuples(st.text(max_size=14), st.text(min_size=1, max_size=6)),
    )

    with app_client() as client:

        @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
        @given(checks, typed_values, st.booleans())
        def answer_hides(check: tuple[str, str], typed: dict[str, str], batch: bool) -> None:
            number, name = check
            item: dict[str, Any] = {"number": number, "name": name, "confirm": typed}
            path = "/api/v1/verify/batch" if batch else "/api/v1/verify"
            response = client.post(path, json={"items": [item]} if batch else item)
            if unreadable(typed):  # asked to write it again: nothing about the certificate
                assert response.status_code == 422, response.text
                return
            body = response.json()["results"][0] if batch else response.json()
            assert not set(body) & set(WITHHELD)
            confirmation = body["confirmation"]
            assert set(confirmation) <= {k for k, v in typed.items() if anything_typed({k: v})}
            registered = by_number.get(body["number"])
            if registered is None or body["result"] in ("no_match", "malformed"):
                assert confirmation == {}
                return
            text = json.dumps(body, ensure_ascii=False)
            for field, value in zip(WITHHELD, registered[2:], strict=True):
                if confirmation.get(field) != "match":
                    assert value not in text, (field, value, body)

        answer_hides()


def test_confirmable_fields_are_the_libraries() -> None:
    assert set(CONFIRMABLE) == {*WITHHELD, "reissue_mark"}


def test_an_offices_additions_to_the_shipped_list_reach_the_confirmation(
    app_client: AppClient, tmp_path: Path
) -> None:
    """A registry loaded with the shipped list, then a roster with an office's additions
    (--trades-extra): the alias it loaded a certificate through must confirm, not mismatch."""
    registers = RegisterFactory(tmp_path / "registers")
    registers.add("a.csv", [approval_row("Z1122020001", "张三")], MIANYANG)
    db = tmp_path / "registry.db"
    assert CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)]).exit_code == 0
    extra = tmp_path / "extra.csv"
    extra.write_text("工种,代码,别名\n本地工种,,本地别名\n", encoding="utf-8")
    registers.add("b.csv", [approval_row("Z1122020002", "李四", 报考工种="本地别名")], MIANYANG)
    command = ["sync", str(registers.folder), "--db", str(db), "--trades-extra", str(extra)]
    assert CliRunner().invoke(cli, command).exit_code == 0
    registers.add("c.csv", [approval_row("Z1122020003", "王五")], MIANYANG)  # naming none
    assert CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)]).exit_code == 0
    with app_client(db=db) as client:
        body = {"number": "Z1122020002", "name": "李四", "confirm": {"trade": "本地别名"}}
        assert client.post("/api/v1/verify", json=body).json()["confirmation"]["trade"] == "match"


def test_a_papers_trade_is_confirmed_with_the_catalogue_the_registry_was_loaded_with(
    app_client: AppClient, tmp_path: Path
) -> None:
    """The app matched a typed 工种 with the starting list shipped in the package: where the
    official catalogue keeps 司机 and 驾驶员 apart from 汽车驾驶员, 司机 was confirmed on a
    汽车驾驶员's certificate and a 驾驶员's own trade was called a mismatch (a forgery hint)."""
    registers = RegisterFactory(tmp_path / "registers")
    official = tmp_path / "official.csv"
    official.write_text(
        "工种,代码,别名\n汽车驾驶员,,\n司机,,\n驾驶员,,\n电工,,\n", encoding="utf-8"
    )
    rows = [
        approval_row("Z1122020001", "张三", 报考工种="汽车驾驶员"),
        approval_row("Z1122020002", "李四", 报考工种="驾驶员"),
    ]
    registers.add("m.csv", rows, MIANYANG)
    db = tmp_path / "registry.db"
    command = ["sync", str(registers.folder), "--db", str(db), "--trades", str(official)]
    assert CliRunner().invoke(cli, command).exit_code == 0
    # another office's routine sync, naming no catalogue, leaves the official one in place
    changes = RegisterFactory(tmp_path / "changes")
    changes.add("more.csv", [approval_row("Z1122020003", "王五", 报考工种="电工")], MIANYANG)
    revoke = status_event("撤销", "Z1122020002", "李四", "2012-09-10")
    changes.add("changes.csv", [revoke], {"kind": "status-changes", "authority": "2202"})
    extra = tmp_path / "extra.csv"  # an office's additions to the shipped list: no official list
    extra.write_text("工种,代码,别名\n本地工种,,\n", encoding="utf-8")
    command = ["sync", str(changes.folder), "--db", str(db), "--trades-extra", str(extra)]
    assert CliRunner().invoke(cli, command).exit_code == 0

    with app_client(db=db) as client:

        def confirmed(number: str, name: str, trade: str) -> str:
            body = {"number": number, "name": name, "confirm": {"trade": trade}}
            answer: str = client.post("/api/v1/verify", json=body).json()["confirmation"]["trade"]
            return answer

        assert confirmed("Z1122020001", "张三", "司机") == "mismatch"
        assert confirmed("Z1122020002", "李四", "驾驶员") == "match"  # revoked, as registered
        assert confirmed("Z1122020001", "张三", "汽车驾驶员") == "match"


@pytest.mark.parametrize(("typed", "verdict"), [("补发", "match"), ("没有补发", "mismatch")])
def test_the_reissue_mark_may_be_typed_as_the_paper_prints_it(
    app_client: AppClient, typed: str, verdict: str
) -> None:
    """“补发” — the word on the paper — was refused: 无法识别，请填 是 或 否 (an HR developer's
    review)."""
    with app_client() as client:
        answer = client.post(
            "/api/v1/verify",
            json={"number": REISSUED[0], "name": REISSUED[1], "confirm": {"reissue_mark": typed}},
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["confirmation"] == {"reissue_mark": verdict}


def test_a_trade_the_catalogue_renamed_is_confirmed_by_either_name(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    """After an official catalogue renamed 汽车驾驶员 to 机动车驾驶员 (the old name kept as its
    alias, data/README.md), G1122000001 — registered as 汽车驾驶员 — was a mismatch whatever was
    typed: the typed name was resolved, the registered one compared as stored. A genuine paper
    printed before the rename, or after it, could never be confirmed."""
    with (SAMPLES.parent / "trades.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    for row in rows:
        if row[0] == "汽车驾驶员":
            row[0], row[2] = "机动车驾驶员", f"汽车驾驶员;{row[2]}"
    renamed = tmp_path / "renamed.csv"
    with renamed.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    command = ["sync", str(SAMPLES), "--db", str(registry_db), "--trades", str(renamed)]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0 and "已换用" in result.output, result.output
    with app_client() as client:

        def confirmed(trade: str) -> str:
            body = {"number": VALID[0], "name": VALID[1], "confirm": {"trade": trade}}
            answer: str = client.post("/api/v1/verify", json=body).json()["confirmation"]["trade"]
            return answer

        assert confirmed("汽车驾驶员") == "match"
        assert confirmed("机动车驾驶员") == "match"
        assert confirmed("驾驶员") == "match"  # an alias of the trade, as before
        assert confirmed("汽车维修工") == "mismatch"


def test_a_reissue_copy_under_a_new_number_is_confirmed_by_its_originals_date_too(
    app_client: AppClient, tmp_path: Path
) -> None:
    """A 补发 copy under a new number matched only the 补发's date: a genuine copy printed with
    the original's approval date (the 补发 is approved against 原公布文件, §四.(六)3) was told
    可能被涂改或伪造 and given no receipt (an employer's review). Its originals' dates match, one
    补发 after another; not the date of a paper a 换发 replaced, and nothing is revealed."""
    db = tmp_path / "registry.db"
    synced(reissue_chains(tmp_path), db)
    with app_client(db=db) as client:

        def issued(number: str, name: str, date: str) -> tuple[str, bool]:
            body = {
                "number": number,
                "name": name,
                "confirm": {"issued_on": date, "reissue_mark": "是"},
                "receipt": True,
            }
            answer = client.post("/api/v1/verify", json=body).json()
            # the registered dates are withheld, the original's too
            shown = json.dumps(answer, ensure_ascii=False)
            assert "issued_on" not in answer and "2012-03-20" not in shown
            return answer["confirmation"]["issued_on"], "receipt_url" in answer

        assert issued("Z1122020005", "郑浩", "2012年3月20日") == ("match", True)
        assert issued("Z1122020005", "郑浩", "2012年3月21日") == ("mismatch", False)
        dates = ("2012-03-20", "2013-01-10", "2014-02-11")
        assert [issued("Z1122020005", "郑浩", d)[0] for d in dates] == ["match"] * 3
        assert [issued("Z1122020003", "郑浩", d)[0] for d in dates] == [
            "match",
            "match",
            "mismatch",
        ]
        # the 补发 of a certificate a 换发 made: approved against the 换发, not the paper it replaced
        assert [issued("Z1122020006", "周杰", d)[0] for d in dates] == [
            "mismatch",
            "match",
            "match",
        ]
        batch = [{"number": "Z1122020003", "name": "郑浩", "confirm": {"issued_on": "2012-03-20"}}]
        [item] = client.post("/api/v1/verify/batch", json={"items": batch}).json()["results"]
    assert item["confirmation"] == {"issued_on": "match"}


def reissue_chains(tmp_path: Path) -> RegisterFactory:
    """郑浩's Z1122020001 (issued 2012-03-20) 补发 as …003 (2013-01-10), that 补发 as …005
    (2014-02-11); 周杰's …002 换发 as …004, that 补发 as …006."""
    registers = RegisterFactory(tmp_path / "registers")
    registers.add(
        "m.csv",
        [approval_row("Z1122020001", "郑浩"), approval_row("Z1122020002", "周杰")],
        MIANYANG,
    )
    again = {"批准文号": "绵人社函〔2014〕2号"}
    changes = [
        status_event("补发", "Z1122020001", "郑浩", "2013-01-10", "Z1122020003"),
        status_event("换发", "Z1122020002", "周杰", "2013-01-10", "Z1122020004"),
        status_event("补发", "Z1122020003", "郑浩", "2014-02-11", "Z1122020005", **again),
        status_event("补发", "Z1122020004", "周杰", "2014-02-11", "Z1122020006", **again),
    ]
    registers.add("changes.csv", changes, {"kind": "status-changes", "authority": "2202"})
    return registers


def synced(registers: RegisterFactory, db: Path) -> str:
    """The output of ``certreg sync`` of ``registers`` into ``db``, which succeeded."""
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_reissue_copys_receipt_notices_a_correction_of_its_originals_date(
    app_client: AppClient, tmp_path: Path
) -> None:
    """A receipt of a 补发 copy confirmed by its original's issue date kept saying 与登记相符
    after the original roster's date was corrected, while the same check now answered
    mismatch: its digest held only the copy's own date (a review of the day's diff)."""
    registers, db = reissue_chains(tmp_path), tmp_path / "registry.db"
    synced(registers, db)
    check = {"number": "Z1122020005", "name": "郑浩", "confirm": {"issued_on": "2012-03-20"}}
    with app_client(db=db) as client:
        first = client.post("/api/v1/verify", json={**check, "receipt": True}).json()
        assert first["confirmation"] == {"issued_on": "match"}
        # a receipt of the copy confirmed by its own date, as one was digested before 2026-12-06
        # (the copy's date alone), is not told of a correction none made
        older = client.app.state.verifier.receipts.issue(
            "Z1122020005",
            holder_hash(SECRET, "Z1122020005", "郑浩"),
            confirmed=["issued_on"],
            registered={"issued_on": "2014-02-11"},
            result=VALID_RESULT,
        )
        receipts = {"first": first["receipt_url"], "older": f"/r/{older}"}
        for url in receipts.values():
            assert "原查验核对了证书上的发证日期，与登记相符" in client.get(url).text
        registers.entries["m.csv"] = {**MIANYANG, "issued_on": "2012-03-25"}
        registers.write_manifest()
        assert "「发证日期」2012-03-20 → 2012-03-25" in synced(registers, db)
        again = client.post("/api/v1/verify", json=check).json()
        assert again["confirmation"] == {"issued_on": "mismatch"}
        pages = {which: client.get(url).text for which, url in receipts.items()}
    assert "此后登记的内容有更正，原核对结果不再适用" in pages["first"]
    assert "原查验核对了证书上的发证日期，当时与登记相符；" in pages["first"]
    assert "此后登记的内容有更正" not in pages["older"]  # its date, the copy's own, stands
    assert "原查验核对了证书上的发证日期，与登记相符" in pages["older"]
