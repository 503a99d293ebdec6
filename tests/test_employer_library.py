"""The library side of what employers get (SPEC §7): API keys kept as hashes, confirmation that
never reveals, the issuing authority's contact for a check that found nothing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from registry import store
from registry.cli import cli
from registry.cli.base import CLOSED_PIPE, OUTPUT_FAILED
from registry.domain.authorities import Contacts, builtin_authorities, parse_authorities
from registry.domain.clock import beijing_clock
from registry.public.confirm import CONFIRMABLE, MATCH, MISMATCH, confirm, withheld
from registry.public.lookup import Verification
from registry.store import keys
from tests.verify_fixtures import VALID as VALID_CASE
from tests.verify_fixtures import sync_samples

VALID = Verification(
    "valid",
    "Z1122020123",
    level="中级工",
    trade="汽车驾驶员",
    authority="绵阳市人力资源和社会保障局",
    issued_on="2012-03-20",
    holder="周*",
)


def test_a_key_is_shown_once_and_stored_as_a_hash(tmp_path: Path) -> None:
    db = tmp_path / "registry.db"
    sync_samples(db)
    result = CliRunner().invoke(
        cli, ["keys", "add", "某某医院人事处", "--per-day", "2000", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    key = next(line for line in result.output.splitlines() if line.startswith(keys.PREFIX))
    dump = "\n".join(sqlite3.connect(db).iterdump())
    assert key not in dump and keys.key_hash(key) in dump
    conn = store.connect(db)
    try:
        found = keys.find(conn, key)
        assert found is not None and (found.name, found.per_day) == ("某某医院人事处", 2000)
        assert keys.find(conn, key + "x") is None
    finally:
        conn.close()
    listed = CliRunner().invoke(cli, ["keys", "list", "--db", str(db)]).output
    assert "某某医院人事处" in listed and key not in listed and "有效" in listed
    assert f"发放于 {beijing_clock(found.created_at)}" in listed  # as staff read times

    revoked = CliRunner().invoke(cli, ["keys", "revoke", str(found.id), "--db", str(db)])
    assert revoked.exit_code == 0 and "已吊销" in revoked.output
    assert "（北京时间）起不能再用" in revoked.output
    conn = store.connect(db)
    try:
        assert keys.find(conn, key) is None  # at once, for the next request
    finally:
        conn.close()
    assert CliRunner().invoke(cli, ["keys", "revoke", "99", "--db", str(db)]).exit_code == 2


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_key_that_could_not_be_shown_is_not_left_valid(tmp_path: Path) -> None:
    """``keys add > /dev/full``: the key, shown only once, was never seen, yet stayed valid."""
    db = tmp_path / "registry.db"
    sync_samples(db)
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "registry", "keys", "add", "某医院", "--per-day", "5",
             "--db", str(db)],
            stdout=full, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
    assert done.returncode == OUTPUT_FAILED and "输出写不进去" in done.stderr
    conn = store.connect(db)
    try:
        [issued] = keys.all_keys(conn)
    finally:
        conn.close()
    assert issued.revoked_at is not None


def test_confirmation_matches_what_the_paper_shows_however_it_is_written() -> None:
    typed = {"level": "中级", "trade": "驾驶员", "issued_on": "2012年3月20日", "reissue_mark": "否"}
    assert confirm(VALID, typed) == dict.fromkeys(CONFIRMABLE, MATCH)
    wrong = {"level": "高级", "trade": "电工", "issued_on": "2012-03-21", "reissue_mark": "是"}
    assert confirm(VALID, wrong) == dict.fromkeys(CONFIRMABLE, MISMATCH)
    assert confirm(VALID, {"trade": "汽车驾驶员"}) == {"trade": MATCH}  # only what was typed


def test_nothing_is_confirmed_for_a_number_and_name_that_do_not_match() -> None:
    assert confirm(Verification("no_match", "Z1122020123"), {"level": "中级"}) == {}


@given(
    st.fixed_dictionaries(
        {},
        optional={field: st.text(max_size=12) for field in CONFIRMABLE},
    )
)
def test_a_confirmation_reveals_no_value_the_employer_did_not_type_correctly(
    typed: dict[str, str],
) -> None:
    answer = confirm(VALID, typed)
    assert set(answer) <= set(typed) and set(answer.values()) <= {MATCH, MISMATCH}
    shown = withheld(VALID).as_json()
    for value in ("中级工", "汽车驾驶员", "2012-03-20"):
        assert value not in str(shown) and value not in str(answer)


def test_the_issuing_authoritys_contact_for_a_number() -> None:
    authorities = builtin_authorities()
    province = Contacts(authorities).for_number("J1122020001")  # every 技师 is the province's
    assert (province.code, province.phone) == ("2200", "028-86113498")
    city = Contacts(authorities).for_number("Z1122020123")
    assert (city.code, city.name, city.phone) == ("2202", "绵阳市人力资源和社会保障局", "")
    replaced = parse_authorities(
        "代码,名称,地址,电话\n2202,绵阳市人社局,绵阳市某路1号,0816-1234567\n"
    )
    assert Contacts(replaced).for_number("Z1122020123").phone == "0816-1234567"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Z1122020l23", "2202"),  # an l typed for 1: the region reads
        ("Z11220201２3号", "2202"),
        ("证书编号：Z1122020123 姓名：周杰", "2202"),  # a chat's card pasted whole
        ("ZO122020123", "2202"),  # the year code mistyped, not the region
        ("J1122020l23", "2200"),  # a 技师's: the province's, whatever its region
        ("Z1122990l23", "2200"),  # no region of 附件3
        ("18622021234", "2200"),  # a phone number's digits are no region
        ("Z11220", "2200"),
    ],
)
def test_a_malformed_number_whose_region_reads_names_that_city(typed: str, code: str) -> None:
    """Z1122020l23 — an l typed for 1 — was told to ask the province, as if nothing of it could
    be read (an employer's review): its region 2202 is 绵阳's, who issued it."""
    contact = Contacts(builtin_authorities()).for_number(typed)
    assert contact.code == code and ("绵阳市" in contact.name) == (code == "2202")


def test_a_reader_that_stops_reading_is_not_told_not_found(tmp_path: Path) -> None:
    """``certreg verify … | head -1``: click exits 1 on a closed pipe, which is verify's "not
    found" (and sync's "a register refused"); it is 141, as a shell reports SIGPIPE."""
    db = tmp_path / "registry.db"
    sync_samples(db)
    read, write = os.pipe()
    os.close(read)  # the reader is gone before a word is written
    with os.fdopen(write, "w") as closed:
        done = subprocess.run(
            [sys.executable, "-m", "registry", "verify", *VALID_CASE, "--db", str(db)],
            stdout=closed, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
    assert (done.returncode, done.stderr) == (CLOSED_PIPE, "")
