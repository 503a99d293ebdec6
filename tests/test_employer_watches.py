"""Watching certificates without an account (issue #16): matched pairs only, a secret feed URL
(Atom and JSON Feed) of the 换发/补发/撤销 synced after the watch began, no name in the URL, the
feed or storage, deleted with the same URL."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
from starlette.datastructures import Secret

from tests.hostile_files import bounded
from tests.registers import RegisterFactory, status_event
from tests.verify_fixtures import (
    MALFORMED,
    NO_MATCH_WRONG_NAME,
    REVOKED,
    SECRET,
    SUCCESSOR,
    SUPERSEDED,
    VALID,
    AppClient,
    Clock,
    app_client,
    clock,
    context_of,
    csrf_token,
    private_values,
    read_log,
    record_revocation,
    registry_db,
    sync_folder,
)
from verify_app.answers import MAX_NAME_CHARS, MAX_NUMBER_CHARS
from verify_app.app import create_app
from verify_app.schemas import SCHEMAS
from verify_app.settings import Settings
from verify_app.watch_feeds import event_advice
from verify_app.watch_lines import MAX_WATCH_ITEMS, WatchProblem, parse_lines, split_line
from verify_app.watch_paste import MAX_CELLS, as_lines
from verify_app.watch_store import _EVENTS, WatchEvent, token_hash

__all__ = ["app_client", "clock", "registry_db"]

ATOM = "{http://www.w3.org/2005/Atom}"
STAFF = [
    {"number": VALID[0], "name": VALID[1]},
    {"number": "z11-2202-0123", "name": "周　杰"},  # as people type them
    {"number": SUPERSEDED[0], "name": SUPERSEDED[1]},
]


def _log_tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db.parent / "verify_log.db")
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table}").fetchall()
            for table in ("watches", "watch_entries")
        }
    finally:
        conn.close()


def test_a_watch_shows_a_revocation_synced_after_it_began(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    with app_client() as client:
        created = client.post("/api/v1/watches", json={"items": STAFF})
        assert created.status_code == 201, created.text
        urls = created.json()
        assert created.headers["Location"] == urls["watch_url"]  # as a 201 names what it made
        assert urls["numbers"] == [VALID[0], "Z1122020123", SUPERSEDED[0]]
        # the samples' own 换发 of G1122000002 was synced before: not news
        assert client.get(urls["json_url"]).json()["items"] == []
        quiet = client.get(urls["watch_url"])
        record_revocation(registry_db, tmp_path / "later", VALID[0], VALID[1], "2020-01-02")
        feed = client.get(urls["json_url"])
        atom = client.get(urls["atom_url"])
        page = client.get(urls["watch_url"])
    assert feed.headers["content-type"] == "application/feed+json; charset=utf-8"
    # the title says there is news, read first by a screen reader and on a tab among many
    assert "<title>关注列表 · " in quiet.text
    assert "<title>关注列表（有 1 项变更） · " in page.text
    # each address a link shows bare is named for a screen reader by what it is (WCAG 2.4.4)
    for name, key in (("关注列表网页", "watch_url"), ("Atom 订阅地址", "atom_url")):
        link = f'<a href="{urls[key]}"><span class="visually-hidden">{name}：</span>{urls[key]}</a>'
        assert link in page.text, name
    # come back to, the list shows its changes first, its addresses folded below them (a phone
    # review: three long links filled a phone's screen above the changes); the revocation marked
    assert page.text.index('id="events-title"') < page.text.index('<details class="feeds">')
    assert '<li class="event-撤销">' in page.text
    # the list of numbers says which is revoked: an officer scanning it for the bad one
    assert f'<span class="mono">{VALID[0]}</span>（已撤销）' in page.text
    assert page.text.count("（已撤销）") == 1
    [item] = feed.json()["items"]
    assert item["_certreg"] == {
        "event": "撤销",
        "number": VALID[0],
        "watched": VALID[0],
        "date": "2020-01-02",
    }  # the revoking document is not public (SPEC §7: never documents)
    assert item["title"] == f"证书 {VALID[0]} 已于 2020-01-02 被发证机关撤销"
    assert item["date_published"].endswith("+00:00")  # the sync's time
    assert atom.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(atom.content)
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [item["title"]]
    assert entries[0].findtext(f"{ATOM}updated") == item["date_published"]
    # the feed itself is updated by its newest entry: a reader polls for that
    assert root.findtext(f"{ATOM}updated") == item["date_published"]
    assert page.status_code == 200 and "撤销" in page.text and "2020-01-02" in page.text
    # whole on a phone: the browser broke it at its hyphen (2020-01- / 02)
    assert '<span class="nowrap">2020-01-02</span>' in page.text
    # and what to do about it, on the page and in the feeds
    advice = "该证书已不能作为资格凭证"
    assert advice in page.text and advice in item["content_text"]
    assert advice in (entries[0].findtext(f"{ATOM}content") or "")
    assert "川人社函〔2020〕1号" not in feed.text + atom.text + page.text


def record_reissue(db: Path, folder: Path, holder: tuple[str, str], day: str, doc: str) -> None:
    """A 补发 of ``holder``'s certificate under its own number, dated ``day`` by the province's
    document ``doc``, synced now."""
    registers = RegisterFactory(folder)
    reissue = status_event("补发", *holder, day, 批准文号=doc, 原公布文件="川人社函〔2012〕12号")
    registers.add("reissue.csv", [reissue], {"kind": "status-changes", "authority": "2200"})
    sync_folder(db, registers.folder)


def record_reissue_of_2015(db: Path, folder: Path) -> None:
    """A 补发 of VALID's certificate under its own number, dated 2015-01-05, synced now."""
    record_reissue(db, folder, VALID, "2015-01-05", "川人社函〔2015〕1号")


def test_a_reissue_of_the_paper_a_watched_certificate_replaced_is_news(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    """G1122000002 was exchanged for G1122000003, which is watched. A 补发 of G1122000002
    dated before the exchange, registered late, makes G1122000003 a copy of a paper marked
    补发: its answer now says so, and an employer who accepted it without the mark must hear
    of it — the feed followed only the certificates that replaced the watched one."""
    item = {"number": "G1122000003", "name": SUPERSEDED[1]}
    with app_client() as client:
        created = client.post("/api/v1/watches", json={"items": [item]})
        assert created.status_code == 201, created.text
        feed_url = created.json()["json_url"]
        assert client.get(feed_url).json()["items"] == []
        late = tmp_path / "late"
        record_reissue(registry_db, late, SUPERSEDED, "2012-04-10", "川人社函〔2012〕20号")
        assert client.post("/api/v1/verify", json=item).json()["reissue"] is True
        [news] = client.get(feed_url).json()["items"]
    assert news["_certreg"] == {
        "event": "补发",
        "number": SUPERSEDED[0],
        "watched": "G1122000003",
        "date": "2012-04-10",
        "late": True,
    }
    assert "补登的早先变更" in news["content_text"]


def test_a_reissue_registered_late_is_news_of_then_not_of_now(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    """A 补发 of 2015 registered after the 2020 revocation tops the feed: read as the newest
    news, it said the certificate was reissued — it stays revoked."""
    with app_client() as client:
        urls = client.post("/api/v1/watches", json={"items": STAFF}).json()
        record_revocation(registry_db, tmp_path / "later", VALID[0], VALID[1], "2020-01-02")
        record_reissue_of_2015(registry_db, tmp_path / "late")
        newest, revoked = client.get(urls["json_url"]).json()["items"]
        page = client.get(urls["watch_url"])
    assert newest["_certreg"]["late"] is True and "late" not in revoked["_certreg"]
    assert newest["title"] == (
        f"证书 {VALID[0]} 曾于 2015-01-05 补发（补登的早先变更；此后登记的变更仍然有效）"
    )
    assert "补登的早先变更" in page.text


def test_a_reissue_registered_in_time_stays_news_of_its_time(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    """Registered before the revocation, the 补发 was called late once the revocation came."""
    with app_client() as client:
        urls = client.post("/api/v1/watches", json={"items": STAFF}).json()
        record_reissue_of_2015(registry_db, tmp_path / "first")
        record_revocation(registry_db, tmp_path / "later", VALID[0], VALID[1], "2020-01-02")
        revoked, reissued = client.get(urls["json_url"]).json()["items"]
    assert "late" not in reissued["_certreg"] and "late" not in revoked["_certreg"]
    assert reissued["title"] == f"证书 {VALID[0]} 已于 2015-01-05 补发"


def undocumented(value: Any, schema: dict[str, Any], at: str = "") -> list[str]:
    """The keys of ``value``, at any depth, that ``schema`` does not describe."""
    if isinstance(value, list):
        return [
            p for i, v in enumerate(value) for p in undocumented(v, schema["items"], f"{at}[{i}]")
        ]
    if not isinstance(value, dict):
        return []
    known = schema.get("properties", {})
    return [
        path
        for key, v in value.items()
        for path in (
            [f"{at}.{key}"] if key not in known else undocumented(v, known[key], f"{at}.{key}")
        )
    ]


def test_a_watch_follows_a_certificate_to_the_one_that_replaced_it(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    """G1122000002 was exchanged for G1122000003 before the watch began; the replacement's
    revocation is news about the watched holder's certificate, said as such."""
    with app_client() as client:
        urls = client.post("/api/v1/watches", json={"items": STAFF}).json()
        record_revocation(registry_db, tmp_path / "later", SUCCESSOR, SUPERSEDED[1], "2020-01-02")
        feed = client.get(urls["json_url"]).json()
    [item] = feed["items"]
    assert item["_certreg"]["number"] == SUCCESSOR
    assert item["_certreg"]["watched"] == SUPERSEDED[0]
    # what a client generated from /openapi.json reads: watched (which employee) was dropped
    assert undocumented(feed, SCHEMAS["WatchFeed"]) == []
    assert jsonschema_rs.validator_for(SCHEMAS["WatchFeed"]).is_valid(feed)
    assert item["title"] == (
        f"证书 {SUCCESSOR}（接替关注的证书 {SUPERSEDED[0]} 的新证书）已于 2020-01-02 被发证机关撤销"
    )


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Z1122020123 Zhou Jie", "Zhou Jie"),
        ("Z11 2202 0123 Zhou Jie", "Zhou Jie"),
        ("Z1122020123号 Zhou Jie", "Zhou Jie"),
        ("Z1122020123 Zhou Jie.", "Zhou Jie"),  # read as the number Z1122020123 Zhou Jie
        ("Z1122020123 Zhou Jie。", "Zhou Jie"),
        ("Z1122020123,O'Brien.", "O'Brien"),  # no level in it: the line as typed
    ],
)
def test_a_name_in_latin_letters_after_the_number_is_read_whole(line: str, name: str) -> None:
    """Zhou Jie after the number read as the number Z1122020123 Zhou and the name Jie; followed
    by a full stop, as the number Z1122020123 Zhou Jie and no name."""
    [(_, item)] = parse_lines(line).items
    assert (item.number.replace(" ", ""), item.name) == ("Z1122020123", name)


@pytest.mark.parametrize(
    "line",
    [
        "陈静 C1122000001 初级工",
        "C1122000001 陈静 初级工",
        "初级工 陈静 C1122000001",
        "陈静 C1122000001",
        "C1122000001陈静 初级工",
        "陈静 C1122000001 初级工。",
        "陈静，C1122000001，初级工",
    ],
)
def test_a_level_written_beside_the_number_and_name_is_no_part_of_either(line: str) -> None:
    """A chat message's 陈静 C1122000001 初级工 was read as the number 陈静C1122000001 and told
    of text before the number; C1122000001 陈静 初级工 as the name 陈静初级工 (未查到)."""
    [(_, item)] = parse_lines(line).items
    assert (item.number, item.name) == ("C1122000001", "陈静")


@pytest.mark.parametrize("line", ["Z11.2202.0123 周杰", "Z11_2202_0123 周杰", "Z11/2202/0123周杰"])
def test_a_number_grouped_by_symbols_is_read_as_the_number(line: str) -> None:
    """Z11.2202.0123 周杰 was read as the number Z11 and the name 2202.0123 周杰 — told that
    the number has 3 characters; it is the number, told to drop its symbols."""
    [(_, item)] = parse_lines(line).items
    assert (item.number.replace("/", ".").replace("_", "."), item.name) == ("Z11.2202.0123", "周杰")


@pytest.mark.parametrize(
    "line",
    [
        "1. 陈静 C1122000001",
        "2、陈静：C1122000001",
        "3）陈静 C1122000001",
        "(4) C1122000001 陈静",
        "⑤C1122000001 陈静",
        "16 C1122000001 陈静",
        "7．C1122000001，陈静",
    ],
)
def test_a_list_s_own_numbering_is_not_the_certificate_number(line: str) -> None:
    """A phone review: a chat message's numbered list (1. 张三明 G1122000003) was read as the
    number 1 and the name 张三明 G1122000003 — a batch told 编号格式错误, a watch list refused as
    numbers and names that do not match."""
    [(_, item)] = parse_lines(line).items
    assert (item.number, item.name) == ("C1122000001", "陈静")


@pytest.mark.parametrize(
    ("line", "number", "name"),
    [
        ("19. 李四 Z112202012", "Z112202012", "李四"),
        ("李四 Z11 2202 012", "Z11 2202 012", "李四"),
        ("李四 Z1122020", "Z1122020", "李四"),  # three digits short
        ("郑一 Z112202012号", "Z112202012", "郑一"),
        ("王二 Z112202012。", "Z112202012", "王二"),
    ],
)
def test_a_name_before_a_number_typed_short_is_still_the_name(
    line: str, number: str, name: str
) -> None:
    """A phone review: 19. 李四 Z112202012 (a digit missing) was read as the number 李四 with
    the name Z112202012 — told the number's length, not which digits to check."""
    assert split_line(line) == [number, name]


@pytest.mark.parametrize(
    ("line", "number", "name"),
    [
        ("吴敏 C11220200O2", "C11220200O2", "吴敏"),
        ("张三明 G1122OOOOO1", "G1122OOOOO1", "张三明"),
        ("张三明 G11 2200 00O1", "G11 2200 00O1", "张三明"),
        ("吴敏C11220200O2", "C11220200O2", "吴敏"),
        ("3. 吴敏 C1122O2OOO2号", "C1122O2OOO2", "吴敏"),
        ("吴敏 C1122020I0l", "C1122020I0l", "吴敏"),
        ("吴敏 C112202000O", "C112202000O", "吴敏"),
        ("李四 Z11220O01", "Z11220O01", "李四"),  # a digit short, too
        ("周杰Z1122020123号。", "Z1122020123", "周杰"),  # a chat's 号 and full stop after it
    ],
)
def test_a_letter_typed_for_a_digit_stays_in_the_number_after_the_name(
    line: str, number: str, name: str
) -> None:
    """吴敏 C11220200O2 was read as the number 吴敏 C11220200 and the name O2: a batch told the
    number's length (实为13位) with no name, a watch list that the pair did not match — where a
    single check says 第8-11位顺序号“00O2”应为阿拉伯数字（字母 O 应为数字 0）."""
    assert split_line(line) == [number, name]


def test_a_long_line_of_letters_a_digit_is_typed_as_is_split_at_once() -> None:
    """A name then 400,000 characters of O1O1… (letters a digit may be typed as): the number at
    the line's end was searched for from each letter, and a 40 KB line held the event loop 11 s
    — every check waited (a review of the day's diff). A hang guard, not a measure of speed."""
    code = (
        "from verify_app.watch_lines import split_line\n"
        "print(len(split_line('张 ' + 'O1' * 200_000 + '张')))\n"
    )
    assert bounded(code, seconds=10).strip() in ("1", "2")


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Z1122020123，周杰，后勤", "周杰"),
        ("Z1122020123、周杰、后勤", "周杰"),
        ("Z1122020123；周杰；后勤部；13800001111", "周杰"),
        ("周杰，Z1122020123，后勤", "周杰"),
        ("1，Z1122020123，周杰", "周杰"),
        ("Z1122020123 周杰 后勤", "周杰"),
        ("Z1122020123 周杰 13800001111", "周杰"),
        ("周杰 Z1122020123 后勤部", "周杰"),
        ("Z1122020123 周　杰 一车间", "周　杰"),
        ("Z1122020123 阿依古丽 买买提", "阿依古丽 买买提"),  # one name, matched without its space
        ("Z1122020123 欧阳 志科", "欧阳 志科"),
    ],
)
def test_a_column_after_the_name_is_no_part_of_it(line: str, name: str) -> None:
    """A phone review: Z1122020123，周杰，后勤 (a phone keyboard's comma), Z1122020123 周杰 后勤
    and Z1122020123 周杰 13800001111 were read with the name 周杰，后勤, 周杰 后勤, 周杰
    13800001111 — a real certificate 未查到, a wrong name counted against its number; 周杰
    Z1122020123 后勤部 as the number 周杰 Z1122020123. A name's second half stays its own."""
    assert split_line(line) == ["Z1122020123", name]


def test_a_line_of_columns_without_a_name_beside_its_number_is_unread() -> None:
    """Z1122020123，13800001111，后勤 has no name beside the number: refused as typed, not
    checked with 13800001111 or 后勤 as the name."""
    read = parse_lines(f"Z1122020123，13800001111，后勤\n{VALID[0]} {VALID[1]}")
    assert [line for line, _ in read.items] == [2]
    assert read.unread == ["第1行应为“证书编号 姓名”：Z1122020123，13800001111，后勤"]


def test_a_typed_header_says_where_the_name_is() -> None:
    """证书编号，部门，姓名 over Z1122020123，后勤，周杰: the column beside the number is the
    department, the header says, and the name is the third."""
    text = "证书编号，部门，姓名\nZ1122020123，后勤，周杰\nC1122020002 行政 吴敏\n"
    read = parse_lines(text)
    assert [(item.number, item.name) for _, item in read.items] == [
        ("Z1122020123", "周杰"),
        ("C1122020002", "吴敏"),
    ]


def test_the_watch_page_reads_a_line_with_the_holder_s_department(app_client: AppClient) -> None:
    """The help text says other columns (部门) do not matter; the form refused Z1122020123 周杰
    后勤 as 编号与姓名不相符."""
    lines = f"证书编号，姓名，部门\n{VALID[0]}，{VALID[1]}，后勤\nZ1122020123 周杰 行政\n"
    with app_client() as client:
        created = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
    assert created.status_code == 200, context_of(created).get("error")
    assert context_of(created)["watch"].numbers == (VALID[0], "Z1122020123")


@pytest.mark.parametrize(
    ("lines", "numbers"),
    [
        (
            "证书编号 姓名 部门\nC1122020001 阿依古丽 买买提\nZ1122020123 周杰 后勤\n",
            ("C1122020001", "Z1122020123"),
        ),
        ("证书编号 姓名 备注\nG1122000003 欧阳 明\n", ("G1122000003",)),
        ("证书编号 部门 姓名\nC1122020001 阿依古丽 买买提\n", ("C1122020001",)),
        ("C1122020001 阿依古丽 买买提\nG1122000003 欧阳 明\n", ("C1122020001", "G1122000003")),
    ],
)
def test_the_watch_page_keeps_a_spaced_name_whole_under_a_typed_header(
    app_client: AppClient, lines: str, numbers: tuple[str, ...]
) -> None:
    """证书编号 姓名 部门 over C1122020001 阿依古丽 买买提 was refused as 编号与姓名不相符: each
    word was read as a column, the name as 阿依古丽."""
    with app_client() as client:
        created = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
    assert created.status_code == 200, context_of(created).get("error")
    assert context_of(created)["watch"].numbers == numbers


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("证书编号 姓名 部门\nG1122000002 欧阳 志科", "欧阳 志科"),
        ("证书编号 姓名 备注\nG1122000002 欧阳 志科", "欧阳 志科"),
        ("证书编号 姓名 部门\nC1122020001 阿依古丽 买买提 后勤", "阿依古丽 买买提"),
        ("证书编号 姓名 部门\nZ1122020123 周杰 13800001111", "周杰"),
        ("序号 姓名 证书编号\n1 周杰 Z1122020123", "周杰"),
        ("证书编号 姓名 性别\nZ1122020123 周杰 男", "周杰"),
        ("证书编号 姓名 工种\nZ1122020123 周杰 焊工", "周杰"),
    ],
)
def test_a_spaced_line_under_a_typed_header_is_read_by_its_words(text: str, name: str) -> None:
    """A space is a column's break under a header of three titles only when the other words
    are another column's (a digit, a department, a sex, a level)."""
    assert [item.name for _, item in parse_lines(text).items] == [name]


@pytest.mark.parametrize(
    "line",
    [
        "周杰，汉族，Z1122020123",
        "阿依古丽、买买提、C1122020001",
        "吴敏，Z1122020123，周杰",
    ],
)
def test_the_watch_page_guesses_no_name_among_a_line_s_columns(
    app_client: AppClient, line: str
) -> None:
    """Z1122020123，男，周杰 was read with the name 男 and refused as 编号与姓名不相符, a wrong
    name counted against the number, and 周杰，汉族，Z1122020123 with 汉族: a line whose name
    cannot be told is asked to be retyped."""
    lines = f"{line}\n{VALID[0]} {VALID[1]}\n"
    with app_client() as client:
        refused = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
    assert f"第1行应为“证书编号 姓名”：{line}" in context_of(refused)["error"]
    assert "不相符" not in context_of(refused)["error"]


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("后勤，Z1122020123，周杰", "周杰"),
        ("Z1122020123，周杰，男", "周杰"),
        ("Z1122020123，男，周杰", "周杰"),
        ("周杰，电工，Z1122020123", "周杰"),
        ("Z1122020123，中级工，周杰", "周杰"),
        ("张志科，Z1122020123，后勤部", "张志科"),
        ("证书编号：Z1122020123，姓名：周杰，部门：后勤", "周杰"),
    ],
)
def test_the_name_is_the_one_column_beside_the_number_that_may_be_one(line: str, name: str) -> None:
    """A department, a sex, a level beside the number is passed over for the name on its
    other side; a name ending in 科 is no department."""
    assert split_line(line) == ["Z1122020123", name]


@pytest.mark.parametrize(
    "lines",
    ["证书编号，部门，姓名\nZ1122020123，，周杰\n", "证书编号、姓名、部门\nZ1122020123、周杰、\n"],
)
def test_the_watch_page_places_a_line_s_empty_column_by_the_header(
    app_client: AppClient, lines: str
) -> None:
    """Z1122020123，，周杰 under 证书编号，部门，姓名 was read with the name ，周杰 and refused
    as 编号与姓名不相符."""
    with app_client() as client:
        created = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
    assert created.status_code == 200, context_of(created).get("error")
    assert context_of(created)["watch"].numbers == ("Z1122020123",)


def test_the_watch_page_reads_a_name_typed_with_a_comma_after_it(app_client: AppClient) -> None:
    """Z1122020123，周杰， was read with the name 周杰， and refused as 编号与姓名不相符."""
    lines = "Z1122020123，周杰，\nC1122020002、吴敏；\n"
    with app_client() as client:
        created = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
    assert created.status_code == 200, context_of(created).get("error")
    assert context_of(created)["watch"].numbers == ("Z1122020123", "C1122020002")


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("C1122020001 欧阳 安全", "欧阳 安全"),
        ("C1122020001 司马 二班", "司马 二班"),
        ("C1122020001 欧阳 安全 13800001111", "欧阳 安全"),
        ("C1122020001 王 行政", "王 行政"),
        ("C1122020001 周杰 男 1980.05", "周杰"),
        ("C1122020001 阿依古丽 买买提 后勤", "阿依古丽 买买提"),
    ],
)
def test_a_department_s_word_is_dropped_after_a_whole_name_only(line: str, name: str) -> None:
    """欧阳 安全 was read as 欧阳 (安全 a department), 周杰 男 1980.05 as 周杰 男."""
    assert split_line(line) == ["C1122020001", name]


def test_the_watch_page_drops_a_sex_after_the_name(app_client: AppClient) -> None:
    """Z1122020123 周杰 男 1980.05 was read with the name 周杰 男 and refused as 不相符."""
    lines = "Z1122020123 周杰 男 1980.05\nG1122000003 欧阳 明 后勤\n"
    with app_client() as client:
        created = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
    assert created.status_code == 200, context_of(created).get("error")
    assert context_of(created)["watch"].numbers == ("Z1122020123", "G1122000003")


def test_a_line_of_a_level_alone_is_read_as_typed() -> None:
    """Nothing but a level: not read as an empty line (told nothing), but refused as typed."""
    assert split_line("初级工") == ["初级工"]


def test_the_list_page_says_which_watched_number_a_newer_certificate_replaced(
    app_client: AppClient,
) -> None:
    """A number exchanged before the list was made was listed as if it were the one to watch;
    the page names the certificate the list follows in its place."""
    with app_client() as client:
        urls = client.post("/api/v1/watches", json={"items": STAFF}).json()
        page = client.get(urls["watch_url"])
    assert page.status_code == 200
    said = f'{SUPERSEDED[0]}</span>（已由新证书 <span class="mono">{SUCCESSOR}</span> 接替，列表跟随新证书）'
    assert said in page.text
    assert page.text.count("接替，列表跟随新证书") == 1  # the others are their own


def test_a_number_watched_with_its_predecessor_is_news_once(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    """Watching G1122000002 and its replacement G1122000003 gave each later event twice, under
    one id (JSON Feed and Atom want each once): it is news about the number watched itself."""
    items = [*STAFF, {"number": SUCCESSOR, "name": SUPERSEDED[1]}]
    with app_client() as client:
        urls = client.post("/api/v1/watches", json={"items": items}).json()
        record_revocation(registry_db, tmp_path / "later", SUCCESSOR, SUPERSEDED[1], "2020-01-02")
        [item] = client.get(urls["json_url"]).json()["items"]
    assert item["_certreg"]["watched"] == SUCCESSOR


def test_watch_urls_feeds_and_storage_hold_no_name(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    with app_client() as client:
        urls = client.post("/api/v1/watches", json={"items": STAFF}).json()
        record_revocation(registry_db, tmp_path / "later", VALID[0], VALID[1], "2020-01-02")
        bodies = [client.get(urls[k]).text for k in ("json_url", "atom_url", "watch_url")]
    names = private_values(registry_db)  # every holder's full name, birth date, unit …
    for text in [*bodies, *(urls[k] for k in ("json_url", "atom_url", "watch_url"))]:
        assert [v for v in names if v in text] == []
    token = urls["json_url"].rsplit("/", 1)[-1].removesuffix(".json")
    dump = "\n".join(sqlite3.connect(registry_db.parent / "verify_log.db").iterdump())
    assert token not in dump and token_hash(token) in dump
    assert [v for v in names if v in dump] == []
    entries = _log_tables(registry_db)["watch_entries"]
    assert all(len(hashed) == 64 for *_, hashed in entries)


def test_a_pair_that_does_not_match_is_refused_and_nothing_is_stored(
    app_client: AppClient, registry_db: Path
) -> None:
    items = [STAFF[0], {"number": NO_MATCH_WRONG_NAME[0], "name": NO_MATCH_WRONG_NAME[1]}]
    with app_client() as client:
        refused = client.post("/api/v1/watches", json={"items": items})
        client.app.state.verifier.log.flush()
    assert refused.status_code == 422
    assert refused.json()["rows"] == [2]
    assert "关注列表未保存" in refused.json()["message"]
    assert _log_tables(registry_db) == {"watches": [], "watch_entries": []}
    assert [row["channel"] for row in read_log(registry_db)] == ["watch", "watch"]


def test_a_watch_item_asking_to_confirm_its_paper_is_told_a_watch_does_not(
    app_client: AppClient, registry_db: Path
) -> None:
    """``confirm`` on a watch item was accepted and ignored: the client believed the level it
    sent had been checked. It is told where confirm belongs (addresses that exist) — written
    ``Confirm`` too, which was ignored still (an integrator's review)."""
    items = [STAFF[0], {**STAFF[1], "confirm": {"level": "高级工"}}]
    with app_client() as client:
        refused = client.post("/api/v1/watches", json={"items": items})
        misspelt = client.post("/api/v1/watches", json={"items": [{**STAFF[0], "Confirm": {}}]})
        message = refused.json()["message"]
        named = re.findall(r"/api/v1/[a-z/]+", message)
        answered = [client.post(path, json={}).status_code for path in named]
    assert refused.status_code == 422 and refused.json()["rows"] == [2]
    assert "关注列表只跟踪证书状态，不核对证书上的内容；confirm 请用于" in message
    assert len(named) == 2 and answered == [422, 422]  # not 404
    assert misspelt.status_code == 422 and "关注列表只跟踪证书状态" in misspelt.json()["message"]
    assert _log_tables(registry_db)["watches"] == []


def test_a_name_that_cannot_be_checked_is_named_as_such_not_as_a_mismatch(
    app_client: AppClient,
) -> None:
    """A name a bidi control reorders was never compared with the number: the list said
    "编号与姓名不相符", sending the officer to check a number that was never looked at."""
    reordered = {"number": STAFF[1]["number"], "name": f"\u202e{STAFF[1]['name']}"}
    with app_client() as client:
        refused = client.post("/api/v1/watches", json={"items": [STAFF[0], reordered]})
    assert refused.status_code == 422 and refused.json()["rows"] == [2]
    message = refused.json()["message"]
    assert "第2份的姓名无法查验：持证人姓名中有改变文字显示顺序的控制字符" in message
    assert "不相符" not in message


@pytest.mark.parametrize("name", ["", "马·尔\u202e古"])
def test_a_name_that_cannot_be_checked_is_named_once_not_as_a_malformed_number(
    app_client: AppClient, name: str
) -> None:
    """An empty name, or one a bidi control reorders, was named twice — the second time as
    证书编号格式错误 though the number was fine (an integrator's review): the officer looked
    for a wrong digit. The form's pasted line, refused alone or left out beside one that
    matched, is told the same."""
    with app_client() as client:
        refused = client.post("/api/v1/watches", json={"items": [{**STAFF[0], "name": name}]})
        token = csrf_token(client)
        pasted = f"{VALID[0]} \u202e马·尔古"
        alone = client.post("/watch", data={"entries": pasted, "csrf_token": token})
        beside = client.post(
            "/watch", data={"entries": f"{VALID[0]} {VALID[1]}\n{pasted}", "csrf_token": token}
        )
    assert refused.status_code == 422 and refused.json()["rows"] == [1]
    message = refused.json()["message"]
    assert message.count("第1份") == 1 and "第1份的姓名无法查验：持证人姓名" in message
    assert "格式错误" not in message
    error = context_of(alone)["error"]
    assert error.count("第1行") == 1 and "第1行的姓名无法查验" in error
    assert "格式错误" not in error
    assert beside.status_code == 200 and context_of(beside)["watch"].numbers == (VALID[0],)
    assert "第 2 行的姓名无法查验" in beside.text and "格式错误" not in beside.text


def test_a_pasted_name_of_invisible_characters_only_is_told_empty_not_garbled(
    app_client: AppClient,
) -> None:
    """A line whose name is only zero-width spaces or a BOM, left out beside one that matched,
    was told 姓名无法查验（是乱码，或含改变文字显示顺序的控制字符…）, while the API said
    持证人姓名为空 (a review): the officer looked for a garbled name. A reordered one is told
    as before."""
    lines = (
        f"{VALID[0]} {VALID[1]}\n{NO_MATCH_WRONG_NAME[0]} \u200b\u200b\n"
        f"{REVOKED[0]} \ufeff\n{SUCCESSOR} \u202e马·尔古\n"
    )
    with app_client() as client:
        page = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
    assert page.status_code == 200 and context_of(page)["watch"].numbers == (VALID[0],)
    told = page.text
    assert "第 4 行的姓名无法查验（是乱码，或含改变文字显示顺序的控制字符" in told
    assert "第 2、3 行的持证人姓名为空（去掉看不见的字符后什么也没有" in told
    assert "请核对这些行" in told


def test_entries_not_checked_are_told_apart_from_mismatches_by_code_and_rows(
    app_client: AppClient,
) -> None:
    """A list refused for a malformed number or a name that could not be checked said
    ``no_match`` — 编号与姓名不相符 — and its ``rows`` did not say which (an integrator's review):
    an HR system looked its holders' names up again. None matching wrongly is ``malformed``,
    and ``malformed_rows`` names them beside a mismatch too."""
    typo = {"number": MALFORMED[0], "name": MALFORMED[1]}
    unnamed = {"number": STAFF[0]["number"], "name": ""}
    wrong = {"number": NO_MATCH_WRONG_NAME[0], "name": NO_MATCH_WRONG_NAME[1]}
    revoked = {"number": REVOKED[0], "name": REVOKED[1]}
    with app_client() as client:
        alone = client.post("/api/v1/watches", json={"items": [STAFF[0], typo, unnamed, revoked]})
        beside = client.post("/api/v1/watches", json={"items": [wrong, typo]})
    assert alone.status_code == 422 and beside.status_code == 422
    assert alone.json()["error"] == "malformed" and alone.json()["rows"] == [2, 3, 4]
    assert alone.json()["malformed_rows"] == [2, 3] and alone.json()["revoked_rows"] == [4]
    assert beside.json()["error"] == "no_match" and beside.json()["rows"] == [1, 2]
    assert beside.json()["malformed_rows"] == [2] and "revoked_rows" not in beside.json()
    for body in (alone.json(), beside.json()):
        assert undocumented(body, SCHEMAS["Error"]) == []
        assert body["error"] in SCHEMAS["Error"]["properties"]["error"]["description"]


def test_a_name_padded_with_control_characters_is_the_name_on_every_channel(
    app_client: AppClient,
) -> None:
    """The form drops a NUL or a bell an HR system pads a name with; the API answered the same
    name 未查到 and counted each padding as another wrong guess, and a watch refused it."""
    padded = {"number": STAFF[0]["number"], "name": f"{STAFF[0]['name']}\x00\x07"}
    with app_client() as client:
        checked = client.post("/api/v1/verify", json=padded)
        watched = client.post("/api/v1/watches", json={"items": [padded]})
    assert checked.json()["result"] == "valid"
    assert watched.status_code == 201, watched.text


def test_a_revoked_certificate_is_not_watched(app_client: AppClient, registry_db: Path) -> None:
    """A list with a revoked certificate was saved as "已关注" — read as "these are fine" — and
    nothing can ever happen to it: refused, naming it, nothing stored."""
    items = [STAFF[0], {"number": REVOKED[0], "name": REVOKED[1]}]
    with app_client() as client:
        refused = client.post("/api/v1/watches", json={"items": items})
    assert refused.status_code == 422 and refused.json()["rows"] == [2]
    assert refused.json()["error"] == "revoked"  # it matched: an HR system must not read no_match
    assert f"第2份（{REVOKED[0]}，2013-01-15 撤销）已被发证机关撤销" in refused.json()["message"]
    assert _log_tables(registry_db) == {"watches": [], "watch_entries": []}


def test_a_certificate_whose_replacement_is_revoked_is_not_watched(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    """G1122000002 was exchanged for G1122000003, later revoked: the list was saved, said it
    followed the new certificate, and its feed could never tell of a revocation made before
    the list existed — the HR officer read "已关注" as "this is fine"."""
    record_revocation(registry_db, tmp_path / "later", "G1122000003", SUPERSEDED[1], "2020-01-02")
    items = [STAFF[0], {"number": SUPERSEDED[0], "name": SUPERSEDED[1]}]
    with app_client() as client:
        refused = client.post("/api/v1/watches", json={"items": items})
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["error"] == "revoked" and body["rows"] == [2] and body["revoked_rows"] == [2]
    assert (
        "第2份（G1122000002 已由新证书 G1122000003 接替，G1122000003 于 2020-01-02 撤销）"
        in (body["message"])
    )
    assert _log_tables(registry_db) == {"watches": [], "watch_entries": []}


def test_a_list_with_both_kinds_of_refusal_names_them_all_at_once(
    app_client: AppClient, registry_db: Path
) -> None:
    """A clerk told of the mismatched entry corrected it, submitted again, and only then heard
    of the revoked one: one message names both."""
    wrong = {"number": NO_MATCH_WRONG_NAME[0], "name": NO_MATCH_WRONG_NAME[1]}
    items = [{"number": REVOKED[0], "name": REVOKED[1]}, STAFF[0], wrong]
    with app_client() as client:
        refused = client.post("/api/v1/watches", json={"items": items})
    assert refused.status_code == 422
    body = refused.json()
    assert body["rows"] == [1, 3] and body["error"] == "no_match"
    assert body["revoked_rows"] == [1]  # which is which, without reading the message
    assert "第3份证书的编号与姓名不相符" in body["message"]
    assert f"第1份（{REVOKED[0]}，2013-01-15 撤销）已被发证机关撤销" in body["message"]
    assert _log_tables(registry_db) == {"watches": [], "watch_entries": []}


def test_a_watch_is_deleted_with_its_url(app_client: AppClient, registry_db: Path) -> None:
    with app_client() as client:
        first = client.post("/api/v1/watches", json={"items": STAFF}).json()
        second = client.post("/api/v1/watches", json={"items": STAFF[:1]}).json()
        deleted = client.delete(first["json_url"])
        again = client.delete(first["watch_url"])
        gone = [client.get(first[k]).status_code for k in ("json_url", "atom_url", "watch_url")]
        kept = client.get(second["atom_url"]).status_code
    assert (deleted.status_code, again.status_code) == (204, 404)
    assert gone == [404, 404, 404]
    assert kept == 200
    tables = _log_tables(registry_db)
    # the first kept as deleted (its address never live again), its entries gone
    assert [row[-1] is not None for row in tables["watches"]] == [True, False]
    assert len(tables["watch_entries"]) == 1


def test_a_watch_list_nobody_reads_is_deleted_and_one_read_lives_on(
    app_client: AppClient, registry_db: Path, clock: Clock
) -> None:
    """Lists never expired: one forgotten kept its name hashes for good. Unread for
    CERTREG_WATCH_DAYS it is gone — deleted when opened, or when another list is made —;
    a feed reader reading it keeps it."""
    with app_client(watch_days=30) as client:
        read = client.post("/api/v1/watches", json={"items": STAFF}).json()
        forgotten = client.post("/api/v1/watches", json={"items": STAFF[:1]}).json()
        opened_late = client.post("/api/v1/watches", json={"items": STAFF[:1]}).json()
        for _ in range(3):
            clock.advance(days=20)
            assert client.get(read["json_url"]).status_code == 200
        late = client.get(opened_late["watch_url"])
        assert len(_log_tables(registry_db)["watches"]) == 2  # the forgotten one still there
        client.post("/api/v1/watches", json={"items": STAFF[:1]})  # …until a list is made
    assert late.status_code == 404 and "长期无人查看的关注列表会自动删除" in late.text
    tables = _log_tables(registry_db)
    assert len(tables["watches"]) == 2 and len(tables["watch_entries"]) == len(STAFF) + 1
    with app_client(watch_days=30) as client:
        assert client.get(forgotten["json_url"]).status_code == 404
    with app_client(watch_days=30) as client:  # said before a list is made, and on it
        form = client.get("/watch").text
        entries = {"entries": f"{VALID[0]} {VALID[1]}", "csrf_token": csrf_token(client)}
        made = client.post("/watch", data=entries).text
    assert "关注列表连续 30 天既没有人打开它的页面、也没有订阅软件读取，会自动删除" in form
    assert "连续 30 天既没有人打开本页、也没有订阅软件读取的关注列表会自动删除" in made


def test_a_bookmark_of_the_new_lists_address_is_not_told_it_was_just_made(
    app_client: AppClient, clock: Clock
) -> None:
    """The form leads to the list's page with ``?new``, which an officer bookmarks: the page
    said 关注列表已建立 and "save this address now" on every later visit."""
    with app_client() as client:
        entries = {"entries": f"{VALID[0]} {VALID[1]}", "csrf_token": csrf_token(client)}
        created = client.post("/watch", data=entries)
        clock.advance(1 / 24)  # an hour on, from the bookmark
        later = client.get(str(created.url))
    assert "关注列表已建立" in created.text
    assert later.status_code == 200 and "关注列表已建立" not in later.text


def test_the_pages_create_and_delete_a_watch_with_csrf(
    app_client: AppClient, registry_db: Path
) -> None:
    lines = f"{VALID[0]} {VALID[1]}\n{SUPERSEDED[0]}，{SUPERSEDED[1]}\n"
    with app_client() as client:
        form = client.get("/watch")
        created = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
        watch_url = context_of(created)["watch_url"]
        # a reload of the page the form led to (phones reload a tab they come back to)
        reloaded = client.get(str(created.url))
        lists = len(_log_tables(registry_db)["watches"])
        page = client.get(watch_url)
        forged = client.post(watch_url + "/delete", data={"confirm": "yes"})
        unticked = client.post(watch_url + "/delete", data={"csrf_token": csrf_token(client)})
        kept = client.get(watch_url)
        deleted = client.post(
            watch_url + "/delete", data={"csrf_token": csrf_token(client), "confirm": "yes"}
        )
        after = client.get(watch_url)
    assert form.status_code == 200 and "每行一份" in form.text
    # the form's POST is redirected to the list's own page, which says it was just made
    assert [r.status_code for r in created.history] == [303] and created.status_code == 200
    assert created.url.path == urllib.parse.urlsplit(watch_url).path and created.url.query == b"new"
    assert context_of(created)["watch"].numbers == (VALID[0], SUPERSEDED[0])
    assert "关注列表已建立" in created.text and "请现在保存本页地址" in created.text
    assert "RSS 阅读器" in created.text  # what the two feed addresses are for, beside them
    # a time in the page's brackets has none of its own: 份证书（2026-12-04 11:34（北京时间） 起）
    when = r'<span class="when">北京时间 \d{4}-\d{2}-\d{2} \d{2}:\d{2}</span>'
    assert re.search(rf"份证书（{when} 起）", created.text), created.text
    assert re.search(rf"<p class=\"lead\">{when} 建立", page.text), page.text
    assert reloaded.status_code == 200 and context_of(reloaded)["watch_url"] == watch_url
    assert lists == 1  # the reload made no second list
    assert "关注列表已建立" not in page.text
    assert 'class="danger"' in page.text
    assert forged.status_code == 403
    assert 'name="confirm"' in page.text and "required" in page.text
    assert unticked.status_code == 400 and "请先勾选" in unticked.text  # one tap deletes nothing
    back = urllib.parse.urlsplit(watch_url).path
    assert f'<a href="{back}">返回关注列表</a>' in unticked.text  # to the list, not a new one
    assert kept.status_code == 200
    assert deleted.status_code == 200 and "已删除" in deleted.text
    assert after.status_code == 404


def test_a_name_and_its_number_pasted_on_two_lines_are_one_entry(app_client: AppClient) -> None:
    """A phone review: a chat's 郑浩⏎Z1122020124 was two lines, each refused alone. Only lines
    that pair throughout: a line above them (你好) would pair each name with another's number
    (a diff review), so they are read as typed, and refused as such."""
    lines = f"证书编号 姓名\n{VALID[1]}\n{VALID[0]}\n周杰\nZ1122020123\n"  # a header above
    with app_client() as client:
        created = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
        greeted = client.post(
            "/watch", data={"entries": f"你好\n{lines}", "csrf_token": csrf_token(client)}
        )
    assert created.status_code == 200, created.text
    assert context_of(created)["watch"].numbers == (VALID[0], "Z1122020123")
    assert greeted.status_code == 400 and "第1行应为“证书编号 姓名”：你好" in greeted.text


def test_a_name_and_a_number_typed_wrong_on_two_lines_are_one_entry(app_client: AppClient) -> None:
    """C11220200O2 alone on its line was no number: its name and it were two lines each
    refused alone, told no number and no name (a review of the day's fixes). Paired, the
    number is checked and told which digit is wrong."""
    typo = VALID[0][:-2] + "O" + VALID[0][-1]
    lines = f"{VALID[1]}\n{typo}\n周杰\nZ1122020123\n"
    with app_client() as client:
        page = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
    assert page.status_code == 200, page.text
    assert context_of(page)["watch"].numbers == ("Z1122020123",)
    assert "第 1 行的证书编号格式错误" in page.text


def test_the_watch_page_reads_names_with_a_space_and_numbers_typed_with_spaces(
    app_client: AppClient,
) -> None:
    """Rosters pad a two-character name with a full-width space (周　杰), people type one (周 杰),
    type numbers in groups and write 号 after them: the name begins where the number ends."""
    lines = (
        f"z11 2202 0123 周　杰。\n{VALID[0]}号 {VALID[1][0]} {VALID[1][1:]}\nZ1122020123号，周杰\n"
    )
    with app_client() as client:
        created = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
    assert created.status_code == 200, created.text
    assert context_of(created)["watch"].numbers == ("Z1122020123", VALID[0])  # one entry each
    # 号 only ends a number: a name may hold it
    assert [
        item.name for _, item in parse_lines("Z1122020123 号一\nZ1122020123号：欧阳.号。").items
    ] == [
        "号一",
        "欧阳.号",
    ]


@pytest.mark.parametrize("separator", ["\t", " ", "，", "\u3000"])
def test_a_name_pasted_before_its_number_is_read(separator: str) -> None:
    """Copied from a sheet of 姓名 | 证书编号, 张三明⇥G1122000001 was read as the number 张三明
    and refused as not matching: a name holds no digit, a number ten."""
    read = parse_lines(f"周杰{separator}Z11 2202 0123号\n热合曼·吐尔逊{separator}{VALID[0]}")
    assert [(item.number, item.name) for _, item in read.items] == [
        ("Z11 2202 0123", "周杰"),
        (VALID[0], "热合曼·吐尔逊"),
    ]


@pytest.mark.parametrize(
    "table",
    [
        "证书编号\t姓名\n{0}\t{1}\n",
        "序号\t证书编号\t姓名\t部门\n1\t{0}\t{1}\t人事处\n",
        "{0}\t{1}\t人事处\n",
    ],
    ids=["header", "header and more columns", "a third column"],
)
def test_a_table_pasted_from_a_spreadsheet_is_read_by_its_columns(
    app_client: AppClient, table: str
) -> None:
    """Copied from Excel with its header row, or with 序号 and 部门 beside the two columns: the
    header was checked as a certificate and 张三明⇥人事处 as the name — every line refused as a
    mismatch, and charged."""
    with app_client() as client:
        created = client.post(
            "/watch", data={"entries": table.format(*VALID), "csrf_token": csrf_token(client)}
        )
    assert created.status_code == 200, context_of(created).get("error")
    assert context_of(created)["watch"].numbers == (VALID[0],)


def test_lines_typed_beside_a_pasted_table_are_read_as_typed() -> None:
    """A line typed by hand above or below a pasted table was dropped without a word (blanked
    as a title, or reduced to an empty pair): the officer thought it watched."""
    entries = f"{VALID[0]} {VALID[1]}\n证书编号\t姓名\n{VALID[0]}\t{VALID[1]}\n第二张 {VALID[0]}"
    read = parse_lines(as_lines(f"名单\n{entries}"))
    assert [(line, item.number) for line, item in read.items] == [
        (2, VALID[0]),
        (4, VALID[0]),
        (5, VALID[0]),
    ]


def test_a_pasted_row_is_read_up_to_its_first_cells() -> None:
    """A line of a million tabs had the column search look at each cell (0.8 s of the event
    loop a request): a row is read up to `MAX_CELLS` cells, which an HR sheet's columns fit."""
    wide = parse_lines(as_lines(f"{VALID[0]}\t{VALID[1]}" + "\t" * 1_000_000))
    assert [(item.number, item.name) for _, item in wide.items] == [VALID]
    beyond = "证书编号" + "\t" * MAX_CELLS + "姓名" + f"\n{VALID[0]}" + "\t" * MAX_CELLS + VALID[1]
    with pytest.raises(WatchProblem, match="没有找到姓名列"):
        as_lines(beyond)


def test_a_pasted_table_names_its_lines_as_the_officer_sees_them(app_client: AppClient) -> None:
    table = f"证书编号\t姓名\n{VALID[0]}\t{VALID[1]}\n{NO_MATCH_WRONG_NAME[0]}\t{NO_MATCH_WRONG_NAME[1]}"
    headless = f"1\t{VALID[0]}\t{VALID[1]}\n"  # a 序号 first, and no header to say so
    with app_client() as client:
        mismatch = client.post("/watch", data={"entries": table, "csrf_token": csrf_token(client)})
        unplaced = client.post(
            "/watch", data={"entries": headless, "csrf_token": csrf_token(client)}
        )
    assert mismatch.status_code == 200  # made of line 2, line 3 named as left out
    assert "名单中第 3 行的编号和姓名与登记不符" in mismatch.text
    assert unplaced.status_code == 400
    said = context_of(unplaced)["error"]
    assert "证书编号在第2列" in said and "再提交" in said and "上传" not in said
    assert context_of(unplaced)["entries"] == headless


@pytest.mark.parametrize(
    ("lines", "said"),
    [
        # a megabyte of lines was split one by one before the count was looked at (3.6 s)
        ("x\n" * 200_000, "本次填了 200000 行"),
        (f"{VALID[0]} {VALID[1]}\n" * (MAX_WATCH_ITEMS + 1), f"本次填了 {MAX_WATCH_ITEMS + 1} 行"),
    ],
)
def test_a_list_longer_than_a_watch_may_hold_is_refused_by_its_count(
    app_client: AppClient, lines: str, said: str
) -> None:
    with app_client() as client:
        page = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
    assert page.status_code == 400
    assert f"一个关注列表最多 {MAX_WATCH_ITEMS} 份证书，{said}" in context_of(page)["error"]


def test_a_list_is_made_of_the_pairs_that_match_and_names_the_lines_left_out(
    app_client: AppClient,
) -> None:
    """A list of 300 with one typo was refused whole, its rows charged, and the corrected one
    waited an hour for the allowance (a phone review): the pairs that match make the list, its
    page names the pasted lines left out — as the officer sees them, a blank line between."""
    lines = (
        f"{VALID[0]} {VALID[1]}\n\n{NO_MATCH_WRONG_NAME[0]} {NO_MATCH_WRONG_NAME[1]}\n"
        f"{REVOKED[0]} {REVOKED[1]}\n"
    )
    with app_client() as client:
        page = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
    assert page.status_code == 200 and context_of(page)["new"] is True
    assert context_of(page)["watch"].numbers == (VALID[0],)
    # a revocation said as one, not folded into 不符: learning of one is why an employer watches
    assert "名单中第 3 行的编号和姓名与登记不符，第 4 行的证书已被发证机关撤销" in page.text
    assert "没有加入本列表；其余各行已加入" in page.text
    with app_client() as client:  # and the form said so before (it said the list was not kept)
        form = client.get("/watch").text
    assert "相符的加入关注列表；不相符的和已撤销的不加入" in form and "列表不保存" not in form


def test_a_number_typed_wrong_is_told_where_not_as_a_mismatch(app_client: AppClient) -> None:
    """C11220200O2 (a letter O for a 0) was told 编号与姓名不相符（或编号格式错误）, alone, and
    编号和姓名与登记不符 beside a line that matched — while a single check says which digit (an
    employer's review): the officer looked for a wrong name."""
    typo = VALID[0][:-2] + "O" + VALID[0][-1]
    with app_client() as client:
        token = csrf_token(client)
        alone = client.post("/watch", data={"entries": f"{typo} {VALID[1]}", "csrf_token": token})
        beside = client.post(
            "/watch",
            data={"entries": f"{VALID[0]} {VALID[1]}\n{typo} {VALID[1]}", "csrf_token": token},
        )
    assert alone.status_code == 400
    error = context_of(alone)["error"]
    assert "第1行的证书编号格式错误：" in error and "字母 O 应为数字 0" in error
    assert "不相符" not in error
    assert beside.status_code == 200 and context_of(beside)["watch"].numbers == (VALID[0],)
    assert "第 2 行的证书编号格式错误" in beside.text and "与登记不符" not in beside.text


def test_the_watch_page_keeps_what_was_typed_when_no_pair_matches(
    app_client: AppClient,
) -> None:
    lines = f"{NO_MATCH_WRONG_NAME[0]} {NO_MATCH_WRONG_NAME[1]}\n\n{REVOKED[0]} {REVOKED[1]}\n"
    with app_client() as client:
        page = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
    assert page.status_code == 400
    # the line the officer sees (a blank line between), not the entry's place
    assert "第1行证书的编号与姓名不相符" in context_of(page)["error"]
    assert "第3行" in context_of(page)["error"]
    assert context_of(page)["entries"] == lines
    assert 'aria-describedby="form-error entries-help"' in page.text  # the list, told why


def test_a_pasted_list_survives_a_form_that_expired(app_client: AppClient) -> None:
    """A tab restored after the browser's cookies were renewed: the pasted list was lost to a
    403 page saying to go back to the home page."""
    lines = f"{VALID[0]} {VALID[1]}\n"
    with app_client() as client:
        csrf_token(client)  # the form was ours: its cookie comes along
        expired = client.post("/watch", data={"entries": lines, "csrf_token": "stale"})
        client.cookies.clear()  # as another site's POST comes: without our form's cookie
        elsewhere = client.post("/watch", data={"entries": "别处写的 张三"})
    assert expired.status_code == 403 and "已保留您粘贴的名单" in context_of(expired)["error"]
    assert context_of(expired)["entries"] == lines
    assert elsewhere.status_code == 403 and "别处写的" not in elsewhere.text


def test_the_new_lists_page_opens_when_the_minutes_checks_are_spent(
    app_client: AppClient,
) -> None:
    """The form's redirect lands on the new list's page: were it charged as a check, a clerk who
    had used the minute's checks got 429 instead of the address of the list just made."""
    lines = f"{VALID[0]} {VALID[1]}\n"
    with app_client(rate_limit=2) as client:
        spent = [
            client.post("/api/v1/verify", json=dict(zip(("number", "name"), VALID, strict=True)))
            for _ in range(2)
        ]
        created = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
        again = client.get(context_of(created)["watch_url"])  # not the redirect: a check
    assert [r.status_code for r in spent] == [200, 200]
    assert created.status_code == 200 and "关注列表已建立" in created.text
    assert again.status_code == 429


def test_a_list_read_with_a_host_no_link_can_hold_is_refused_uncharged(
    app_client: AppClient,
) -> None:
    """A feed or page asked with a Host of kilobytes (no public URL set) was refused after it
    was charged as a check, and told it was a receipt's link that could not be made."""
    host = {"host": "a" * 2_250}
    with app_client(rate_limit=2) as client:
        urls = client.post("/api/v1/watches", json={"items": STAFF[:1]}).json()
        refused = [client.get(urls[u], headers=host) for u in ("json_url", "atom_url", "watch_url")]
        fine = [client.get(urls[u]) for u in ("json_url", "watch_url")]
    assert [r.status_code for r in refused] == [400, 400, 400]
    assert refused[0].json()["error"] == "bad_request"
    assert "无法生成回执或关注列表的链接" in refused[0].json()["message"]
    assert [r.status_code for r in fine] == [200, 200]  # the minute's two checks were not spent


def test_only_the_maker_opens_a_new_list_unpaid_and_only_at_first(
    app_client: AppClient, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``?new`` is the form's redirect, for whoever made the list, right after: anyone else
    with the link, or the maker a minute on, pays for the page as for any other."""
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)  # the limiter's minute: not one that ends
    lines = f"{VALID[0]} {VALID[1]}\n"
    check = dict(zip(("number", "name"), VALID, strict=True))
    with (
        app_client(rate_limit=1) as maker,
        app_client(client=("198.51.100.9", 1), rate_limit=1) as other,
    ):
        created = maker.post("/watch", data={"entries": lines, "csrf_token": csrf_token(maker)})
        new_page = str(created.url)
        assert maker.post("/api/v1/verify", json=check).status_code == 200  # the minute spent
        assert other.post("/api/v1/verify", json=check).status_code == 200
        reloads = [maker.get(new_page).status_code for _ in range(3)]
        stranger = other.get(new_page).status_code
        clock.advance(2 / 1440)  # 2 minutes on (the list's; the limiter keeps its own time)
        later = maker.get(new_page).status_code
    assert reloads == [200, 200, 200]
    assert stranger == 429
    assert later == 429  # charged like any page: the minute is still spent


def test_a_list_over_the_allowance_keeps_what_was_pasted(app_client: AppClient) -> None:
    """More certificates than the hour's whole allowance: the form again, with the pasted list
    and what to do — not a bare 422 that lost it. Within it but over what is left: the same,
    with when to come back."""
    lines = "\n".join(f"{pair['number']} {pair['name']}" for pair in STAFF)
    with app_client(batch_rows_per_hour=len(STAFF) - 1) as client:
        form = client.get("/watch")
        over = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
        fits = "\n".join(lines.split("\n")[:-1])
        client.post(
            "/watch", data={"entries": fits[: fits.index("\n")], "csrf_token": csrf_token(client)}
        )
        later = client.post("/watch", data={"entries": fits, "csrf_token": csrf_token(client)})
    assert context_of(form)["max_items"] == len(STAFF) - 1
    assert over.status_code == 422 and context_of(over)["entries"] == lines
    assert f"请先用不超过 {len(STAFF) - 1} 份建立一个关注列表" in context_of(over)["error"]
    assert later.status_code == 429 and context_of(later)["entries"] == fits
    assert int(later.headers["Retry-After"]) > 0


def test_watching_costs_batch_rows(app_client: AppClient) -> None:
    with app_client(batch_rows_per_hour=4) as client:
        first = client.post("/api/v1/watches", json={"items": STAFF})
        second = client.post("/api/v1/watches", json={"items": STAFF[:2]})
    assert first.status_code == 201
    assert second.status_code == 429


def test_an_unknown_token_is_a_404(app_client: AppClient) -> None:
    with app_client() as client:
        responses = [
            client.get("/watch/not-a-token-of-ours-at-all-0000.json"),
            client.get("/watch/x.atom"),
            client.delete("/watch/not-a-token-of-ours-at-all-0000"),
        ]
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert all(r.json()["error"] == "not_found" for r in responses)


def test_a_feed_reads_the_registry_by_number_not_whole(registry_db: Path) -> None:
    """A feed follows each watched number to its successors a lookup a step: as a join, SQLite
    3.40 built a Bloom filter over every certificate at each poll — 110 ms of CPU a poll at a
    million certificates, whatever the list's length."""
    conn = sqlite3.connect(f"{registry_db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        plan = [
            detail
            for *_, detail in conn.execute(
                f"EXPLAIN QUERY PLAN {_EVENTS}", {"numbers": "[]", "after": 0, "reissue": "补发"}
            )
        ]
    finally:
        conn.close()
    assert [d for d in plan if "BLOOM" in d or d.startswith("SCAN c")] == []
    assert any(d.startswith("SEARCH c USING INDEX sqlite_autoindex_certificates_1") for d in plan)


def test_a_feed_reader_polling_with_its_etag_is_told_nothing_changed(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    """Feed readers poll with the ETag of their last copy (RFC 9110 §13.1.2): 304 until a
    change is synced, then the new feed under a new tag — for the Atom and the JSON feed."""
    with app_client() as client:
        urls = client.post("/api/v1/watches", json={"items": STAFF}).json()
        feeds = (urls["json_url"], urls["atom_url"])
        first = [client.get(url) for url in feeds]
        tags = [answer.headers["etag"] for answer in first]
        unchanged = [
            client.get(url, headers={"If-None-Match": f'"other", W/{tag}'})
            for url, tag in zip(feeds, tags, strict=True)
        ]
        # the list over two header lines, as RFC 9110 §5.3 lets a client send it
        two_lines = [
            client.get(url, headers=[("If-None-Match", '"other"'), ("If-None-Match", tag)])
            for url, tag in zip(feeds, tags, strict=True)
        ]
        record_revocation(registry_db, tmp_path / "later", VALID[0], VALID[1], "2020-01-02")
        changed = [
            client.get(url, headers={"If-None-Match": tag})
            for url, tag in zip(feeds, tags, strict=True)
        ]
    assert [answer.status_code for answer in first] == [200, 200]
    assert [(a.status_code, a.content, a.headers["etag"]) for a in unchanged] == [
        (304, b"", tag) for tag in tags
    ]
    # kept by the reader to revalidate (no-store told feed libraries to keep nothing), by no
    # shared cache
    assert {a.headers["cache-control"] for a in [*first, *unchanged]} == {"private, no-cache"}
    assert [answer.status_code for answer in two_lines] == [304, 304]
    assert [answer.status_code for answer in changed] == [200, 200]
    assert all(VALID[0] in answer.text for answer in changed)
    assert {answer.headers["etag"] for answer in changed}.isdisjoint(tags)


@pytest.mark.parametrize(
    ("kind", "new_number", "late", "says"),
    [
        ("换发", "Z1322020001", False, "请持证人出示新证书 Z1322020001"),
        # the 换发 may have corrected the name: the old one with the new number is 未查到
        ("换发", "Z1322020001", False, "以新编号和新证书上的姓名重新查验"),
        ("补发", "Z1322020002", False, "只有注明“补发”字样的新证书 Z1322020002 有效"),
        ("补发", None, False, "只有正页注明“补发”字样的证书有效"),
        ("撤销", None, False, "不能作为资格凭证"),
        ("撤销", None, True, "此后登记的变更仍然有效"),
    ],
)
def test_each_change_says_what_to_do(
    kind: str, new_number: str | None, late: bool, says: str
) -> None:
    """A line of the watch page (撤销：证书 …，日期) told the HR officer what happened, not what
    it means for the employee's paper."""
    event = WatchEvent(1, kind, "Z1122020123", "2020-01-02", new_number, "2020-01-03", "x", late)
    assert says in event_advice(event)


@pytest.mark.parametrize(
    "header",
    ["证书编号 姓名", "姓名，证书编号", "证书编号，姓名，部门", "序号  证书编号    姓名  部门"],
)
def test_a_header_typed_as_the_first_line_is_no_certificate(header: str) -> None:
    """The box asks for "证书编号 姓名" a line: a list that began with it was refused as
    第1行证书的编号与姓名不相符."""
    read = parse_lines(f"\n{header}\n{VALID[0]} {VALID[1]}")
    assert [(line, item.number) for line, item in read.items] == [(3, VALID[0])]
    assert read.unread == []


def test_every_line_that_is_not_a_number_and_a_name_is_named_at_once() -> None:
    """A list of forty lines with two mistakes was refused for the first, then the second."""
    text = f"{VALID[0]} {VALID[1]}\nZ1122020123\n\n{VALID[0]} {VALID[1]}\n只有姓名\n"
    read = parse_lines(text)
    assert [number for number, _ in read.items] == [1, 4]
    assert [problem[:3] for problem in read.unread] == ["第2行", "第5行"]
    with pytest.raises(WatchProblem) as refused:  # nothing to check: refused at once
        parse_lines("Z1122020123\n只有姓名")
    assert "第1行应为“证书编号 姓名”：Z1122020123；第2行应为" in refused.value.message


def test_a_watch_form_names_lines_unread_and_pairs_unmatched_in_one_refusal(
    app_client: AppClient,
) -> None:
    """A line without a name was refused before any check; once fixed, a pair that did not
    match was refused next: two rounds for one list."""
    lines = f"{VALID[0]} {VALID[1]}\nZ1122020123\n{NO_MATCH_WRONG_NAME[0]} {NO_MATCH_WRONG_NAME[1]}"
    with app_client() as client:
        page = client.post("/watch", data={"entries": lines, "csrf_token": csrf_token(client)})
    assert page.status_code == 400
    error = context_of(page)["error"]
    assert "第2行应为“证书编号 姓名”" in error and "第3行证书的编号与姓名不相符" in error
    assert error.endswith("关注列表未保存，请改正后重新提交。")
    # a keyed hash of a name is not anonymous: the page said it could not be turned back
    assert "无法还原" not in page.text and "不保存姓名本身" in page.text
    # the list is marked as the field at fault, for a screen reader (WCAG 3.3.1)
    assert re.search(r'id="entries"[^>]*aria-invalid="true"', page.text)


def test_a_line_too_long_says_which_of_its_parts_is() -> None:
    """A pasted paragraph as the name was told the number may have 40 characters."""
    text = f"{VALID[0]} {'张' * (MAX_NAME_CHARS + 1)}\n{'1' * (MAX_NUMBER_CHARS + 1)} {VALID[1]}"
    with pytest.raises(WatchProblem) as refused:
        parse_lines(text)
    assert f"第1行的姓名太长：最多 {MAX_NAME_CHARS} 个字符" in refused.value.message
    assert f"第2行的证书编号太长：最多 {MAX_NUMBER_CHARS} 个字符" in refused.value.message


def test_a_watch_list_made_while_the_log_is_gone_is_a_503_not_a_500(
    app_client: AppClient, registry_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The verification log deleted under the running app (or locked past its wait): making a
    list answered 500 with a traceback; it is the service unable to store it, for now."""
    with app_client() as client:
        client.app.state.verifier.log.flush()
        for path in registry_db.parent.glob("verify_log.db*"):
            path.unlink()
        # a folder in its place: the log's writer, between the two requests, cannot make a
        # new log there (it did, and the page's list was stored: a 200 one run in a few)
        (registry_db.parent / "verify_log.db").mkdir()
        api = client.post("/api/v1/watches", json={"items": [STAFF[0]]})
        page = client.post(
            "/watch",
            data={
                "entries": f"{STAFF[0]['number']} {STAFF[0]['name']}",
                "csrf_token": csrf_token(client),
            },
        )
    assert api.status_code == 503 and api.headers["Retry-After"] == "30"
    assert api.json()["error"] == "server_error" and "请稍后再试" in api.json()["message"]
    assert page.status_code == 503 and "请稍后再试" in page.text
    assert "数据库读写失败（POST api_create）" in caplog.text


def test_a_mistake_of_the_code_stays_a_500_not_a_503_to_retry(
    registry_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a store that cannot be read or written now is a 503: an integrity or programming
    error said "retry in 30 s" for ever, and nginx failed over from a sound replica."""
    from starlette.datastructures import Secret
    from starlette.testclient import TestClient

    from verify_app import watches
    from verify_app.app import create_app
    from verify_app.settings import Settings

    async def broken(*args: object, **kwargs: object) -> None:
        raise sqlite3.IntegrityError("UNIQUE constraint failed: watches.token_hash")

    monkeypatch.setattr(watches, "_create", broken)
    settings = Settings(db=registry_db, secret=Secret(SECRET), rate_limit=0, batch_rows_per_hour=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        answer = client.post("/api/v1/watches", json={"items": [STAFF[0]]})
    assert answer.status_code == 500 and "Retry-After" not in answer.headers


def test_a_late_reissue_of_a_number_watched_with_its_replacement_is_news_of_itself(
    app_client: AppClient, registry_db: Path, tmp_path: Path
) -> None:
    """With G1122000002 and its replacement G1122000003 both watched, a late 补发 of
    G1122000002 was told as news of G1122000003 (the replaced paper's), not of the number
    watched itself: ``min(depth)`` picked the predecessor's row, -1, over the number's own, 0."""
    items = [
        {"number": SUPERSEDED[0], "name": SUPERSEDED[1]},
        {"number": SUCCESSOR, "name": SUPERSEDED[1]},
    ]
    with app_client() as client:
        urls = client.post("/api/v1/watches", json={"items": items}).json()
        record_reissue(
            registry_db, tmp_path / "late", SUPERSEDED, "2012-04-10", "川人社函〔2012〕20号"
        )
        [item] = client.get(urls["json_url"]).json()["items"]
    assert item["_certreg"]["watched"] == SUPERSEDED[0]
    assert item["_certreg"]["number"] == SUPERSEDED[0]


def test_a_watch_sent_again_with_its_idempotency_key_is_the_same_list(
    app_client: AppClient, registry_db: Path
) -> None:
    """An integrator's review: after a timeout an HR system could not tell whether its list was
    made — sent again, a second list was made and charged, the first orphaned for 400 days. With
    an Idempotency-Key the retry is answered with the first list, nothing checked or charged."""
    retry = {"Idempotency-Key": "6f1c2a7e-4b1d-4d8e-9c53-2f3a0c1d9e77"}
    with app_client(batch_rows_per_hour=len(STAFF)) as client:  # room for one list only
        first = client.post("/api/v1/watches", json={"items": STAFF}, headers=retry)
        again = client.post("/api/v1/watches", json={"items": STAFF}, headers=retry)
        other = client.post("/api/v1/watches", json={"items": STAFF[:1]}, headers=retry)
        fresh = client.post(
            "/api/v1/watches", json={"items": STAFF[:1]}, headers={"Idempotency-Key": "new"}
        )
        bad = client.post(
            "/api/v1/watches", json={"items": STAFF}, headers={"Idempotency-Key": "x" * 256}
        )
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(_log_tables(registry_db)["watches"]) == 1
    assert (other.status_code, other.json()["error"]) == (422, "idempotency_mismatch")
    assert (fresh.status_code, fresh.json()["reason"]) == (429, "batch_hourly")  # charged once
    assert (bad.status_code, bad.json()["error"]) == (400, "bad_request")


def test_an_idempotency_key_opens_only_its_own_callers_list(
    app_client: AppClient, registry_db: Path
) -> None:
    """The list's token comes from the key and the caller: another address sending the same key
    makes a list of its own, and never receives the first one's secret address."""
    retry = {"Idempotency-Key": "1"}
    with app_client() as client:
        mine = client.post("/api/v1/watches", json={"items": STAFF}, headers=retry).json()
    with app_client(client=("198.51.100.9", 50000)) as client:
        theirs = client.post("/api/v1/watches", json={"items": STAFF}, headers=retry).json()
    assert mine["watch_url"] != theirs["watch_url"]
    assert len(_log_tables(registry_db)["watches"]) == 2


def test_a_deleted_list_is_not_made_again_at_its_address(
    app_client: AppClient, registry_db: Path, clock: Clock
) -> None:
    """A review: the list made with an Idempotency-Key and deleted — its address had leaked —
    came back live at the same secret address on the next retry with that key."""
    retry = {"Idempotency-Key": "leaked-list"}
    with app_client() as client:
        made = client.post("/api/v1/watches", json={"items": STAFF}, headers=retry).json()
        assert client.delete(made["json_url"]).status_code == 204
        again = client.post("/api/v1/watches", json={"items": STAFF}, headers=retry)
        gone = client.get(made["json_url"])
        fresh = client.post(
            "/api/v1/watches", json={"items": STAFF}, headers={"Idempotency-Key": "n"}
        )
    assert (again.status_code, again.json()["error"]) == (422, "idempotency_retired")
    assert gone.status_code == 404 and fresh.status_code == 201
    [deleted, _] = _log_tables(registry_db)["watches"]
    assert deleted[-1] is not None  # kept, marked deleted, its entries gone
    # without whom it was made for: kept for ever, it keeps no address or key (a review)
    assert (deleted[4], deleted[5]) == (None, None)
    assert len(_log_tables(registry_db)["watch_entries"]) == len(STAFF)
    # never purged as unread (a hostile review: purged, it came back on the next retry)
    with app_client(watch_days=1) as client:
        clock.advance(3)
        client.post("/api/v1/watches", json={"items": STAFF[:1]}, headers={"Idempotency-Key": "m"})
        again = client.post("/api/v1/watches", json={"items": STAFF}, headers=retry)
    assert (again.status_code, again.json()["error"]) == (422, "idempotency_retired")


@pytest.mark.anyio
async def test_retries_in_flight_at_once_are_checked_and_charged_once(
    registry_db: Path, clock: Clock
) -> None:
    """A review: four retries in flight at once were each checked and charged (eight checks
    logged for a list of two), though one list was made. They now take turns: the first makes
    it, the others get its answer."""
    settings = Settings(db=registry_db, secret=Secret(SECRET), rate_limit=0, batch_rows_per_hour=0)
    app = create_app(settings, clock=clock)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    retry = {"Idempotency-Key": "in-flight"}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        made = await asyncio.gather(
            *(
                client.post("/api/v1/watches", json={"items": STAFF}, headers=retry)
                for _ in range(4)
            )
        )
    assert [answer.status_code for answer in made] == [201] * 4
    assert sorted(answer.headers.get("Idempotent-Replayed", "") for answer in made) == [
        "",
        "true",
        "true",
        "true",
    ]
    assert len({answer.json()["watch_url"] for answer in made}) == 1
    assert len(read_log(registry_db)) == len(STAFF)
