"""The JSON API (SPEC §7): verify, batch, numbers, healthz, openapi; bad input never a 500."""

from __future__ import annotations

import gzip
import json
import os
import re
import time
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

import jsonschema_rs
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.datastructures import Secret
from starlette.testclient import TestClient

import registry
from registry import store
from registry.cli import cli
from registry.domain.names import name_key
from registry.domain.statuses import RESULTS
from registry.public.follower import HEARTBEAT, STALE_SECONDS, beat, follow_state
from tests.registers import MIANYANG, RegisterFactory, approval_row
from tests.verify_fixtures import (
    CASES,
    MALFORMED,
    NO_MATCH_UNKNOWN,
    NO_MATCH_WRONG_NAME,
    REVOKED,
    SECRET,
    SUCCESSOR,
    VALID,
    AppClient,
    app_client,
    clock,
    private_values,
    registry_db,
)
from verify_app.api_bodies import MAX_FIELDS
from verify_app.app import create_app
from verify_app.settings import Settings

__all__ = ["app_client", "clock", "registry_db"]


@pytest.mark.parametrize("result", RESULTS)
def test_verify_each_code(app_client: AppClient, registry_db: Path, result: str) -> None:
    number, name = CASES[result]
    with app_client() as client:
        response = client.post(
            "/api/v1/verify", json={"number": number, "name": name, "receipt": True}
        )
    assert response.status_code == 200
    body = response.json()
    assert body["result"] == result
    assert body["as_of"]
    assert body["advice"]
    leaked = [v for v in private_values(registry_db) if v in response.text]
    assert leaked == []
    if result in ("valid", "reissued", "superseded", "revoked"):
        assert set(body) >= {"level", "trade", "authority", "issued_on", "holder"}
    else:
        assert not set(body) & {"level", "trade", "authority", "issued_on", "holder"}
    if result == "superseded":
        assert body["successor"] == SUCCESSOR
    if result == "malformed":
        assert body["reason"] == "证书编号应为11位，实为9位"
        assert body["advice"].count("11位") == 1  # the reason, not said again after it
    if result in ("malformed", "no_match"):  # receipts only for a certificate found
        assert "receipt_url" not in body
    else:
        assert body["receipt_url"].startswith("http://testserver/r/")


def test_verify_exact_answer_for_valid(app_client: AppClient) -> None:
    with app_client() as client:
        body = client.post("/api/v1/verify", json={"number": VALID[0], "name": VALID[1]}).json()
    as_of = body.pop("as_of")  # no receipt_url: receipts are issued only when asked for
    assert as_of.endswith("+00:00")
    assert body == {
        "result": "valid",
        "number": "G1122000001",
        "level": "高级工",
        "trade": "汽车驾驶员",
        "authority": "四川省人力资源和社会保障厅",
        "issued_on": "2012-03-15",
        "holder": "张*明",
        "label": "有效",
        "advice": "证书有效。请核对持证人出示的证书原件，其等级、工种、发证日期等应与登记的一致。",
    }


def test_no_match_identical_for_unknown_number_and_wrong_name(app_client: AppClient) -> None:
    with app_client() as client:
        a = client.post(
            "/api/v1/verify", json=dict(zip(("number", "name"), NO_MATCH_UNKNOWN, strict=True))
        ).json()
        b = client.post(
            "/api/v1/verify", json=dict(zip(("number", "name"), NO_MATCH_WRONG_NAME, strict=True))
        ).json()
        serializer = client.app.state.report_tickets
        tickets = [serializer.loads(body.pop("report_ticket")) for body in (a, b)]
    for body in (a, b):
        body.pop("number")
    assert a == b
    assert a["result"] == "no_match"
    # the ticket a report of either needs tells no more: its number, a token of its check and
    # the time, beside the same result
    for ticket in tickets:
        for field in ("number", "check", "at"):
            ticket.pop(field)
    assert tickets[0] == tickets[1] == {"result": "no_match", "mismatched": [], "receipt": None}


@pytest.mark.parametrize("name", ["", "  ", "\u3000"])
def test_a_check_without_a_name_is_not_called_a_malformed_number(
    app_client: AppClient, name: str
) -> None:
    """The number may be right: an integrator who takes 编号格式错误 for a bad number would
    mislabel the row."""
    with app_client() as client:
        answer = client.post("/api/v1/verify", json={"number": VALID[0], "name": name}).json()
        bad_number = client.post("/api/v1/verify", json={"number": "Z11", "name": VALID[1]})
    assert answer["result"] == "malformed" and answer["reason"] == "持证人姓名为空"
    # a stable code, not the label's Chinese, tells a program which input to ask for again
    assert (answer["label"], answer["faulty_input"]) == ("未查验", "name")
    assert bad_number.json()["faulty_input"] == "number"
    assert answer["advice"] == "持证人姓名为空。请填写证书上的持证人姓名后重新查验。"


def test_a_number_grown_by_normalising_is_not_repeated_past_the_limit(
    app_client: AppClient,
) -> None:
    """NFKC writes U+FDFA as 18 characters: 40 of them, within the 40 every channel takes, were
    answered with a ``number`` of 600 (an integrator's review) — the normalised number is cut
    to the limit, its end marked; one that stays within it is repeated whole."""
    grown = {"number": "\ufdfa" * 40, "name": VALID[1]}
    fits = {"number": "Ｚ１１－２２０２－０１２", "name": VALID[1]}  # full width, one digit short
    with app_client() as client:
        single = client.post("/api/v1/verify", json=grown).json()
        batch = client.post("/api/v1/verify/batch", json={"items": [grown, fits]}).json()
    cut = ("صلىاللهعليهوسلم" * 3)[:39] + "…"  # U+FDFA normalised, spaces dropped: 15
    assert (single["result"], single["number"], len(cut)) == ("malformed", cut, 40)
    assert [answer["number"] for answer in batch["results"]] == [cut, "Z112202012"]
    # nor counted past it (a review of the day's diff: 实为600位 of a number shown as 40)
    assert single["reason"] == "证书编号应为11位，实为40多位"


@pytest.mark.parametrize(
    ("item", "contact"),
    [
        ({"number": NO_MATCH_WRONG_NAME[0], "name": NO_MATCH_WRONG_NAME[1]}, True),
        ({"number": REVOKED[0], "name": REVOKED[1]}, True),
        ({"number": MALFORMED[0], "name": MALFORMED[1]}, True),
        ({"number": VALID[0], "name": VALID[1], "confirm": {"trade": "木工"}}, True),
        ({"number": VALID[0], "name": VALID[1]}, False),
        ({"number": VALID[0], "name": ""}, False),  # malformed, not checked: type it again
        ({"number": "G1122\u202e000001", "name": VALID[1]}, False),
    ],
)
def test_an_answer_names_whom_to_ask_as_the_readme_says(
    app_client: AppClient, item: dict[str, object], contact: bool
) -> None:
    """README said a malformed answer carries the contact: one for a name not given carries
    none, and a revoked certificate or a mismatched paper does (an integrator's review)."""
    with app_client() as client:
        answer = client.post("/api/v1/verify", json=item).json()
    assert ("contact" in answer) is contact, answer


def test_batch_in_order(app_client: AppClient) -> None:
    items = [{"number": n, "name": m} for n, m in CASES.values()] * 3
    with app_client() as client:
        response = client.post("/api/v1/verify/batch", json={"items": items})
    assert response.status_code == 200
    assert [r["result"] for r in response.json()["results"]] == list(CASES) * 3


def test_batch_limit_500(app_client: AppClient) -> None:
    items = [{"number": VALID[0], "name": VALID[1]}]
    with app_client() as client:
        ok = client.post("/api/v1/verify/batch", json={"items": items * 500})
        too_many = client.post("/api/v1/verify/batch", json={"items": items * 501})
    assert ok.status_code == 200
    assert len(ok.json()["results"]) == 500
    assert too_many.status_code == 422
    assert too_many.json() == {"error": "too_many", "message": "一次最多 500 条，本次 501 条"}


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/api/v1/verify", b"{not json", 400, "请求体不是有效的 JSON"),
        ("/api/v1/verify", b"", 400, "请求体不是有效的 JSON"),
        ("/api/v1/verify", b"\xff\xfe\x00", 400, "请求体不是有效的 JSON"),
        ("/api/v1/verify", b"[1, 2]", 422, "请求体应为对象"),
        ("/api/v1/verify", b'{"number": "Z1122000001"}', 422, "需要字符串字段 number 和 name"),
        ("/api/v1/verify", b'{"number": 1122000001, "name": "x"}', 422, "需要字符串字段"),
        # the field too long named, with its length (both limits said, an integrator's review)
        (
            "/api/v1/verify",
            b'{"number": "Z", "name": "' + b"x" * 51 + b'"}',
            422,
            "请求体：name 最多 50 个字符，现有 51 个",
        ),
        ("/api/v1/verify", b'{"number": "\\ud800", "name": "x"}', 422, "无效的 Unicode 字符"),
        ("/api/v1/verify", b'{"number": "Z1122000001", "name": "\\udfff"}', 422, "无效的 Unicode"),
        (
            "/api/v1/verify",
            b'{"number": "Z1122020123", "name": "x", "confirm": {"\\ud800": "a"}}',
            422,
            "不能有 含无效 Unicode 字符",
        ),
        (
            "/api/v1/verify/batch",
            b'{"items": [{"number": "Z1122020123", "name": "x", "confirm": {"\\udfff": "a"}}]}',
            422,
            "第 1 项（items[0]）的 confirm 只能有",
        ),
        (
            "/api/v1/watches",
            b'{"items": [{"number": "Z1122020123", "name": "x", "confirm": {"\\ud800": 1}}]}',
            422,
            "关注列表只跟踪证书状态",  # refused before its keys are read
        ),
        ("/api/v1/verify/batch", b"{}", 422, '请求体应为 {"items"'),
        ("/api/v1/verify/batch", b'{"items": []}', 422, "items 是空的：请至少列出一条"),
        (  # every item to fix, not only the first
            "/api/v1/verify/batch",
            b'{"items": [{"number": "x"}, 3]}',
            422,
            "第 1 项（items[0]）需要字符串字段 number 和 name；"
            '第 2 项（items[1]）应为对象 {"number": …, "name": …}。',
        ),
        ("/api/v1/verify/batch", b'{"items": "abc"}', 422, '请求体应为 {"items"'),
        ("/api/v1/verify/batch", b"null", 422, '请求体应为 {"items"'),
        # a misspelt field was ignored: the check was charged and answered without what it asked
        (
            "/api/v1/verify",
            b'{"number": "Z1122020123", "name": "x", "recipt": true}',
            422,
            "请求体的字段“recipt”不认识：是否应为 receipt？",
        ),
        ("/api/v1/verify", b'{"Number": "Z1122020123", "name": "x"}', 422, "是否应为 number？"),
        (
            "/api/v1/verify/batch",
            b'{"items": [{"number": "Z1122020123", "name": "x"}], "receipt": true}',
            422,
            "请求体的字段“receipt”不认识：是否应为 receipts？",
        ),
        (
            "/api/v1/verify/batch",
            b'{"items": [{"number": "Z1122020123", "name": "x", "confrim": {}}]}',
            422,
            "第 1 项（items[0]）的字段“confrim”不认识：是否应为 confirm？",
        ),
        ("/api/v1/watches", b'{"item": []}', 422, "是否应为 items？"),
        (
            "/api/v1/verify",
            b'{"number": "Z1122020123", "name": "x", "confirm": {"levle": "G"}}',
            422,
            "请求体的 confirm 中的字段“levle”不认识：是否应为 level？",
        ),
        (  # an item's own receipt was ignored: answered without one, and nothing said why
            "/api/v1/verify/batch",
            b'{"items": [{"number": "Z1122020123", "name": "x", "receipt": true}]}',
            422,
            '第 1 项（items[0]）的字段“receipt”：批量查验的回执在请求体的最外层用 "receipts": true 要求',
        ),
        *(  # a near spelling of it was ignored as an HR system's own field (an integrator's review)
            (
                "/api/v1/verify/batch",
                json.dumps({"items": [{"number": "G1122000003", "name": "x", key: True}]}).encode(),
                422,
                f"第 1 项（items[0]）的字段“{key}”：批量查验的回执在请求体的最外层用",
            )
            for key in ("recipt", "reciept", "reciepts", "Receipt")
        ),
        (
            "/api/v1/watches",
            b'{"items": [{"number": "G1122000003", "name": "x", "reciept": true}]}',
            422,
            "第 1 项（items[0]）的字段“reciept”：关注列表不签发回执",
        ),
    ],
)
def test_malformed_bodies_get_a_message(
    app_client: AppClient, path: str, body: bytes, status: int, message: str
) -> None:
    with app_client() as client:
        response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert message in response.json()["message"]


def test_every_unknown_key_is_taken_for_a_misspelling_and_only_a_near_one(
    app_client: AppClient,
) -> None:
    """Only an object's first eight unknown keys were compared with the known fields: an HR
    system sending eight of its own lost the check (an integrator's review). Every key is — of
    at most `MAX_FIELDS`: a body of 80,000 near misses held the event loop 130 ms, every other
    check waiting (a security review) — and an HR system's own fields a letter or two from ours
    are still its own: another first letter (``dname``), two letters from a short field
    (``note``)."""
    check = {"number": "Z1122020123", "name": "周杰"}
    hr_fields = {f"hr{i}": 0 for i in range(20)}
    others = dict.fromkeys(("dname", "ename", "note", "notes", "label", "remark", "status"), "x")
    flood = {f"nx{i}": 0 for i in range(60_000)}  # near misses, within the 1 MiB
    item = {**check, **{f"n{i:06d}": 0 for i in range(MAX_FIELDS)}}

    with app_client() as client:
        many = client.post("/api/v1/verify", json={**check, **hr_fields, **others})
        late = client.post("/api/v1/verify", json={**check, **hr_fields, "recipt": True})
        swapped = client.post("/api/v1/verify", json={**check, **others, "reciept": True})
        flooded = client.post("/api/v1/verify", json={**check, **flood})
        batch = client.post("/api/v1/verify/batch", json={"items": [check, item]})
    assert many.status_code == 200 and many.json()["result"] == "valid"
    assert late.status_code == 422 and "是否应为 receipt" in late.json()["message"]
    assert swapped.status_code == 422 and "是否应为 receipt" in swapped.json()["message"]
    assert flooded.status_code == 422 and "最多 32 个" in flooded.json()["message"]
    assert batch.status_code == 422 and batch.json()["rows"] == [2]


def test_a_list_asking_a_question_is_not_followed_by_a_full_stop(app_client: AppClient) -> None:
    """ "是否应为 confirm？" was followed by 。 (a review): the question ends its sentence."""
    item = {"number": "Z1122020123", "name": "周杰", "confrim": {}}
    with app_client() as client:
        answer = client.post("/api/v1/verify/batch", json={"items": [item]})
    assert answer.json()["message"] == (
        "第 1 项（items[0]）的字段“confrim”不认识：是否应为 confirm？请改正后重新提交。"
    )


@pytest.mark.parametrize("path", ["/api/v1/verify/batch", "/api/v1/watches"])
def test_a_list_with_items_to_fix_names_them_for_a_program(
    app_client: AppClient, path: str
) -> None:
    """Which items to fix was only in the Chinese message: ``rows`` gives them (from 1), as a
    watch list's mismatches do, so that a program can mark them in its own list."""
    items = [
        {"number": "Z1122020123", "name": "周杰"},
        {"number": "x"},
        {"number": "Z1122020123", "name": "周杰", "confirm": {"level": "x"}},
    ]
    with app_client() as client:
        response = client.post(path, json={"items": items})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"
    assert response.json()["rows"] == [2, 3]


def test_fields_of_the_clients_own_are_still_ignored(app_client: AppClient) -> None:
    """HR systems send their own ids beside each item; only near-misses of ours are refused."""
    item = {"number": VALID[0], "name": VALID[1], "employee_id": "E-1001", "dname": "财务科"}
    item |= {"ename": "Zhang", "cname": "张三明", "note": "x"}  # an HR table's own names
    with app_client() as client:
        single = client.post("/api/v1/verify", json={**item, "request_id": "r-1"})
        batch = client.post("/api/v1/verify/batch", json={"items": [item], "batch_id": "b-1"})
    assert single.status_code == 200 and single.json()["result"] == "valid"
    assert batch.status_code == 200 and batch.json()["results"][0]["result"] == "valid"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"number": json_values, "name": json_values}).map(
        lambda v: json.dumps(v).encode()
    ),
    st.fixed_dictionaries({"items": json_values}).map(lambda v: json.dumps(v).encode()),
)


@settings(
    max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(body=bodies, path=st.sampled_from(["/api/v1/verify", "/api/v1/verify/batch"]))
def test_no_input_gives_a_500(app_client: AppClient, body: bytes, path: str) -> None:
    with app_client() as client:
        response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code in (200, 400, 422)
    # the charset said: PowerShell 5.1 and older .NET/Java clients read a body without it as
    # ISO-8859-1, and every Chinese answer arrived garbled
    assert response.headers["content-type"] == "application/json; charset=utf-8"


@given(number=st.text(max_size=30))
@settings(
    max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
def test_numbers_endpoint_never_fails(app_client: AppClient, number: str) -> None:
    with app_client() as client:
        response = client.get(f"/api/v1/numbers/{quote(number, safe='')}")
    assert response.status_code in (200, 404, 422)


@pytest.mark.parametrize("typed", ["G11/2200/0001", "G11%2F2200%2F0001", ""])
def test_a_number_typed_with_slashes_is_malformed_not_an_unknown_address(
    app_client: AppClient, typed: str
) -> None:
    """/openapi.json promises 200 or 422 for a number to decode; a number a program wrote
    with slashes, or none at all, got a 404 it did not describe."""
    with app_client() as client:
        response = client.get(f"/api/v1/numbers/{typed}")
    assert response.status_code == 422
    assert response.json()["error"] == "malformed"


def test_numbers_decodes_structure(app_client: AppClient) -> None:
    with app_client() as client:
        ok = client.get("/api/v1/numbers/J1122010001")
        bad = client.get("/api/v1/numbers/X1122010001")
    assert ok.json() == {
        "number": "J1122010001",
        "letter": "J",
        "level": "技师",
        "year_code": "11",
        "region": "2201",
        "region_name": "成都市",
        "sequence": 1,
        "authority": "四川省人力资源和社会保障厅",
    }
    assert bad.status_code == 422
    assert bad.json()["error"] == "malformed"
    assert "不是等级代码" in bad.json()["message"]


def test_healthz(app_client: AppClient, registry_db: Path) -> None:
    with app_client() as client:
        body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["certificates"] == 17  # 15 on the rosters + 2 new numbers from 换发
    assert body["as_of"].endswith("+00:00")
    assert body["version"] == registry.__version__ == metadata.version("certreg")


def test_the_readmes_healthz_example_is_what_healthz_answers(app_client: AppClient) -> None:
    """The README's example lacked ``forwarded`` and showed a release before the current one
    (an operator's review): it is the answer over the sample registry, probed directly — its
    times and the secret's id aside. Update it with each release."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = re.search(r"curl -s http://127\.0\.0\.1:8000/healthz\n((?:# .*\n)+)", readme)
    assert example is not None
    shown = json.loads("".join(line.removeprefix("# ") for line in example[1].splitlines()))
    with app_client() as client:
        answered = client.get("/healthz").json()
    assert shown.keys() == answered.keys()
    aside = {"as_of", "secret_id"}
    assert {k: v for k, v in shown.items() if k not in aside} == {
        k: v for k, v in answered.items() if k not in aside
    }


def test_healthz_says_how_a_proxys_forwarded_client_is_read(app_client: AppClient) -> None:
    """Without CERTREG_TRUSTED_PROXIES naming nginx, every client shares its allowance, and only
    the journal said so, once — /healthz said ok (an operator's review). Probed through the
    proxy, it says the header was not taken."""
    through = {"X-Forwarded-For": "198.51.100.23"}
    with app_client() as client:
        direct = client.get("/healthz").json()["forwarded"]
        untrusted = client.get("/healthz", headers=through).json()["forwarded"]
    with app_client(trusted_proxies=("203.0.113.7",)) as client:
        trusted = client.get("/healthz", headers=through).json()["forwarded"]
    assert (direct, untrusted, trusted) == ("none", "untrusted", "trusted")


def test_healthz_says_untrusted_when_the_header_names_its_own_peer(
    app_client: AppClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A monitor probing nginx from the address nginx reaches the replicas from made nginx send
    X-Forwarded-For naming the peer itself: the replica said ``trusted`` though
    CERTREG_TRUSTED_PROXIES named another host, and logged no warning (an operator's review).
    Whether the header was taken depends on the peer being a trusted proxy, not on its value."""
    itself = {"X-Forwarded-For": "127.0.0.1"}
    check = {"number": VALID[0], "name": VALID[1]}
    with app_client(client=("127.0.0.1", 50000), trusted_proxies=("10.0.0.10",)) as client:
        said = client.get("/healthz", headers=itself).json()["forwarded"]
        client.post("/api/v1/verify", json=check, headers=itself)
    assert said == "untrusted"
    assert "来自 127.0.0.1 的请求带有 X-Forwarded-For" in caplog.text  # the journal's warning
    with app_client(client=("10.0.0.10", 50000), trusted_proxies=("10.0.0.10",)) as client:
        assert client.get("/healthz", headers=itself).json()["forwarded"] == "trusted"


@pytest.mark.parametrize("network", ["127.0.0.5/8", "127.0.0.1/24"])
def test_a_proxy_network_written_with_host_bits_is_the_network_it_lies_in(
    app_client: AppClient, network: str
) -> None:
    """``CERTREG_TRUSTED_PROXIES=127.0.0.5/8`` was accepted at start, but uvicorn reads a
    network strictly: it matched no peer, and every user shared nginx's allowance while the
    connection guard counted nginx as the proxy (a review). It is the network 127.0.0.0/8."""
    through = {"X-Forwarded-For": "198.51.100.7"}
    with app_client(client=("127.0.0.1", 50000), trusted_proxies=(network,)) as client:
        assert client.get("/healthz", headers=through).json()["forwarded"] == "trusted"


def test_healthz_says_when_a_replicas_follower_stopped(
    app_client: AppClient, registry_db: Path
) -> None:
    """A follower that could not publish stopped (its folder read-only), one frozen went
    silent: the replica went on answering from its last registry — a certificate revoked since
    answered 有效 — and /healthz said ok (an operator's review). Its heartbeat's age is told, a
    minute's silence is a 503 for monitoring; the checks go on, with the registry there is."""
    state = follow_state(registry_db)
    with app_client() as client:
        alone = client.get("/healthz").json()["follower_silent_seconds"]  # no follower here
        state.mkdir()
        never = client.get("/healthz")  # a follower that never finished a round
        beat(registry_db)
        fresh = client.get("/healthz").json()["follower_silent_seconds"]
        an_hour_ago = time.time() - 3600
        os.utime(state / HEARTBEAT, (an_hour_ago, an_hour_ago))
        silent = client.get("/healthz")
        check = client.post("/api/v1/verify", json={"number": VALID[0], "name": VALID[1]})
    assert alone is None
    assert never.status_code == 503 and never.json()["error"] == "registry_stale"
    assert fresh is not None and 0 <= fresh <= STALE_SECONDS
    assert silent.status_code == 503 and silent.json()["error"] == "registry_stale"
    assert re.search("已 36[0-9][0-9] 秒没有报告正常", silent.json()["message"])
    assert "journalctl -u certreg-follow" in silent.json()["message"]
    assert check.json()["result"] == "valid"


def test_healthz_names_a_version_refused_as_older_among_a_silent_followers_causes(
    app_client: AppClient, registry_db: Path
) -> None:
    """A follower refusing each version as older (the registry host restored from a backup)
    goes silent too: registry_stale listed a follower stopped, cut off or catching up, and not
    the refusal its journal says at each version (an operator's review)."""
    follow_state(registry_db).mkdir()  # a follower that has published nothing since it started
    with app_client() as client:
        said = client.get("/healthz").json()["message"]
    assert "未发布" in said and "比本副本正在使用的旧" in said


def test_healthz_tells_replicas_secrets_apart_without_telling_them(app_client: AppClient) -> None:
    """Replicas with different secrets refuse each other's receipts and forms behind a proxy,
    and nothing showed why (an operator's review): the secret's id differs, the secret is not
    in it (nor its start)."""
    with app_client() as client:
        same = client.get("/healthz").json()["secret_id"]
    with app_client() as client:
        again = client.get("/healthz").json()["secret_id"]
    with app_client(secret=Secret(SECRET + "-another")) as client:
        other = client.get("/healthz").json()["secret_id"]
    assert same == again != other and len(same) == 12
    assert same not in SECRET and SECRET[:6] not in same


def test_healthz_tells_monitoring_of_a_registry_nothing_was_loaded_into(tmp_path: Path) -> None:
    """A first sync that failed (a full disk, a kill) leaves the tables and no certificate:
    /healthz said ok while every check answered 未查到 (no_match) for a genuine certificate."""
    db = tmp_path / "registry.db"
    store.connect(db).close()
    configured = Settings(db=db, secret=Secret(SECRET), rate_limit=0, batch_rows_per_hour=0)
    with TestClient(create_app(configured)) as client:
        health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["error"] == "registry_unavailable"
    assert "certreg sync" in health.json()["message"]


def test_healthz_counts_again_after_a_sync(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    """The count is kept between syncs (an unmetered endpoint must be cheap) and follows one."""
    registers = RegisterFactory(tmp_path / "more")
    registers.add("more.csv", [approval_row("Z1122020950", "吴敏")], MIANYANG)
    with app_client() as client:
        assert client.get("/healthz").json()["certificates"] == 17
        assert client.get("/healthz").json()["certificates"] == 17
        result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(registry_db)])
        assert result.exit_code == 0, result.output
        assert client.get("/healthz").json()["certificates"] == 18


@pytest.mark.parametrize(
    ("path", "schema", "extra", "said"),
    [
        ("/api/v1/verify/batch", "BatchItem", {"receipt": True}, "在请求体的最外层"),
        ("/api/v1/verify/batch", "BatchItem", {"receipts": True}, "在请求体的最外层"),
        ("/api/v1/watches", "WatchItem", {"confirm": {"level": "中级工"}}, "不核对证书上的内容"),
        # a watch body has no outermost receipts to point to
        ("/api/v1/watches", "WatchItem", {"receipt": True}, "关注列表不签发回执"),
    ],
)
def test_openapi_forbids_the_item_fields_the_api_refuses(
    app_client: AppClient, path: str, schema: str, extra: dict[str, object], said: str
) -> None:
    """The document allowed any other field in an item, these too: a client built from it sent
    requests the API answered 422."""
    item = {"number": VALID[0], "name": VALID[1], **extra}
    with app_client() as client:
        doc = client.get("/openapi.json").json()
        answer = client.post(path, json={"items": [item]})
    validator = jsonschema_rs.validator_for(doc["components"]["schemas"][schema])
    assert answer.status_code == 422 and said in answer.json()["message"]
    assert not validator.is_valid(item)
    assert validator.is_valid({"number": VALID[0], "name": VALID[1], "部门": "人事处"})


def test_an_address_with_a_slash_too_many_is_told_so(app_client: AppClient) -> None:
    """An integrator's review: POST /api/v1/verify/ was told 请从首页开始查验 — a page's words."""
    with app_client() as client:
        answer = client.post("/api/v1/verify/", json={"number": VALID[0], "name": VALID[1]})
    assert answer.status_code == 404
    assert "没有这个接口：POST /api/v1/verify/（接口的路径末尾不带 /）" in answer.json()["message"]


def test_openapi_says_how_names_are_compared_as_they_are(app_client: AppClient) -> None:
    """An integrator's review: the document said traditional characters never match simplified
    ones (证书上是简体的，输入繁体查不到), where the check answers 張三明 有效 for 张三明 —
    a client would have converted names itself, or told users theirs would fail."""
    with app_client() as client:
        doc = client.get("/openapi.json").json()
    said = doc["components"]["schemas"]["CheckRequest"]["properties"]["name"]["description"]
    pairs = re.findall(r"(\w+)即(\w+)", said)
    assert pairs and "查不到" not in said
    for written, registered in pairs:
        assert name_key(written) == name_key(registered)


def test_openapi_describes_every_api_route(app_client: AppClient) -> None:
    with app_client() as client:
        doc = client.get("/openapi.json").json()
        routes = {
            (r.path.replace(":path}", "}"), m.lower())
            for r in client.app.routes
            if r.path.startswith(("/api/", "/healthz", "/openapi", "/watch/{token}"))
            and not r.path.endswith("/delete")  # the page's form button, not an API
            for m in r.methods
            if m != "HEAD"
        }
    assert doc["openapi"].startswith("3.")
    described = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert described == routes
    # each operation named once, for the methods a client generator makes of them
    ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)) == len(described)
    assert doc["components"]["schemas"]["CheckResult"]["properties"]["result"]["enum"] == list(
        RESULTS
    )


def test_api_errors_carry_stable_codes(app_client: AppClient) -> None:
    """A program branches on ``error``, which the OpenAPI document promises is a stable code —
    never the Chinese title of the page a browser gets."""
    with app_client(rate_limit=1) as client:
        missing = client.get("/api/v1/nothing")
        method = client.get("/api/v1/verify")
        client.post("/api/v1/verify", json={"number": VALID[0], "name": VALID[1]})
        limited = client.post("/api/v1/verify", json={"number": VALID[0], "name": VALID[1]})
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    assert missing.json()["message"].startswith("没有这个接口：GET /api/v1/nothing。")
    assert "/openapi.json" in missing.json()["message"]
    assert (method.status_code, method.json()["error"]) == (405, "method_not_allowed")
    assert "Allow" in method.headers
    with app_client() as client:  # declared, as generated clients need (an integrator's review)
        declared = client.get("/openapi.json").json()["paths"]["/api/v1/verify"]["post"]
    assert "405" in declared["responses"]
    assert (limited.status_code, limited.json()["error"]) == (429, "rate_limited")
    assert all(r.json()["message"] for r in (missing, method, limited))


def test_a_null_optional_field_is_a_field_not_given(app_client: AppClient) -> None:
    """Generated Java and C# clients send null for an unset optional field: receipt, receipts,
    confirm and its fields were each a 422 (an integrator's review). 0 is still no flag."""
    item = {"number": VALID[0], "name": VALID[1]}
    with app_client() as client:
        single = client.post("/api/v1/verify", json={**item, "receipt": None, "confirm": None})
        fields = client.post(
            "/api/v1/verify", json={**item, "confirm": {"level": None, "trade": None}}
        )
        batch = client.post("/api/v1/verify/batch", json={"items": [item], "receipts": None})
        wrong = client.post("/api/v1/verify", json={**item, "receipt": 0})
    assert single.status_code == fields.status_code == batch.status_code == 200, single.text
    assert single.json()["result"] == batch.json()["results"][0]["result"] == "valid"
    assert "receipt_url" not in single.json() and "confirmation" not in single.json()
    assert "confirmation" not in fields.json()
    assert wrong.status_code == 422


@pytest.mark.parametrize(
    ("accepted", "rows", "gzipped"),
    [
        ("gzip, deflate", 60, True),
        ("gzip;q=0, deflate", 60, False),
        ("gzip", 1, False),
        ("", 60, False),
    ],
)
def test_a_large_batch_answer_is_gzipped_for_a_client_that_accepts_it(
    app_client: AppClient, accepted: str, rows: int, gzipped: bool
) -> None:
    """A 500-row batch with receipts was 380 KB uncompressed (an integrator's review); a
    single row's answer stays plain."""
    items = [{"number": VALID[0], "name": VALID[1]}] * rows
    with app_client(batch_rows_per_hour=0) as client:
        answered = client.post(
            "/api/v1/verify/batch",
            json={"items": items, "receipts": True},
            headers={"Accept-Encoding": accepted},
        )
    assert answered.status_code == 200, answered.text
    assert (answered.headers.get("content-encoding") == "gzip") is gzipped
    assert answered.headers["vary"] == "Accept-Encoding"
    assert [r["result"] for r in answered.json()["results"]] == ["valid"] * rows  # decoded


def test_batch_receipts_only_when_asked(app_client: AppClient) -> None:
    items = [{"number": VALID[0], "name": VALID[1]}]
    with app_client() as client:
        plain = client.post("/api/v1/verify/batch", json={"items": items}).json()
        signed = client.post("/api/v1/verify/batch", json={"items": items, "receipts": True}).json()
        opened = client.get(signed["results"][0]["receipt_url"])
    assert "receipt_url" not in plain["results"][0]
    assert opened.status_code == 200
    assert opened.context["check"].result == "valid"


@pytest.mark.parametrize("media_type", [None, "text/plain", "application/x-www-form-urlencoded"])
@pytest.mark.parametrize("path", ["/api/v1/verify", "/api/v1/verify/batch", "/api/v1/watches"])
def test_a_body_not_declared_as_json_is_415(
    app_client: AppClient, path: str, media_type: str | None
) -> None:
    """What a cross-site HTML form can send is refused before it is read: another site cannot
    spend a visitor's allowance (or make watch lists) with a hidden form."""
    headers = {"content-type": media_type} if media_type else {}
    body = json.dumps({"number": "Z1122020123", "name": "周杰"}).encode()
    with app_client() as client:
        response = client.post(path, content=body, headers=headers)
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"


def test_a_charset_declared_twice_is_told_so(app_client: AppClient) -> None:
    """``charset=utf-8;charset=gbk`` over a GBK body was told that the charset “” could not be
    read — an empty name (a hostile review)."""
    body = json.dumps({"number": "Z1122020123", "name": "周杰"}, ensure_ascii=False)
    with app_client() as client:
        response = client.post(
            "/api/v1/verify",
            content=body.encode("gbk"),
            headers={"content-type": "application/json;charset=utf-8;charset=gbk"},
        )
    assert response.status_code == 415
    message = response.json()["message"]
    assert "声明了两次" in message and "“”" not in message


def test_a_compressed_body_is_told_so(app_client: AppClient) -> None:
    """A gzip body read as JSON was "not UTF-8 text": a client compressing by default could not
    tell what to change."""
    body = gzip.compress(json.dumps({"number": "Z1122020123", "name": "周杰"}).encode())
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    with app_client() as client:
        response = client.post("/api/v1/verify", content=body, headers=headers)
    assert response.status_code == 415
    assert "Content-Encoding: gzip" in response.json()["message"]
