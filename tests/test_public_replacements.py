"""What the public answer says of a certificate replaced under a new number (§四.(六)2–3): whether
it was exchanged (换发) or replaced by a 补发 copy, and that a 补发 copy is one — with nothing of the
sort said of a certificate that is neither."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry import store
from registry.cli import cli
from registry.domain.name_rules import check_name
from registry.domain.trades import builtin_catalogue
from registry.public.lookup import ADVICE, verify
from tests.registers import MIANYANG, RegisterFactory, approval_row, status_event
from tests.verify_fixtures import sync_samples
from verify_app.answers import confirmed

CHANGES = {"kind": "status-changes", "authority": "2202"}


def synced(
    folder: Path, rosters: list[dict[str, object]], events: list[dict[str, object]]
) -> sqlite3.Connection:
    """A registry of 绵阳's ``rosters`` and then the status-change ``events``, opened read-only."""
    registers = RegisterFactory(folder / "registers")
    registers.add("mianyang.csv", rosters, MIANYANG)
    registers.add("changes.xlsx", events, CHANGES)
    db = folder / "registry.db"
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return store.connect(db, readonly=True)


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    """0001 exchanged for 0005, 0002 lost and reissued as 0006, 0003 lost and reissued under its
    own number, 0004 untouched."""
    names = ["周杰", "郑浩", "吴敏"]
    connection = synced(
        tmp_path_factory.mktemp("replacements"),
        [approval_row(f"Z112202000{i}", name) for i, name in enumerate(names, 1)]
        + [approval_row("Z1122020004", "王五")],
        [
            status_event("换发", "Z1122020001", "周杰", "2013-01-10", "Z1122020005"),
            status_event("补发", "Z1122020002", "郑浩", "2013-01-10", "Z1122020006"),
            status_event("补发", "Z1122020003", "吴敏", "2013-01-10"),
        ],
    )
    yield connection
    connection.close()


def test_an_exchanged_certificate_says_exchanged(conn: sqlite3.Connection) -> None:
    old = verify(conn, "Z1122020001", "周杰")
    assert (old.result, old.replaced_by, old.successor) == ("superseded", "换发", "Z1122020005")
    assert old.advice() == ADVICE["superseded"].format_map(vars(old))
    new = verify(conn, "Z1122020005", "周杰")
    assert (new.result, new.reissue, new.reissue_of, new.replaced_by) == ("valid", None, None, None)
    assert new.advice() == ADVICE["valid"]


def test_a_certificate_replaced_by_a_reissue_says_so(conn: sqlite3.Connection) -> None:
    old = verify(conn, "Z1122020002", "郑浩")
    assert (old.result, old.replaced_by, old.successor) == ("superseded", "补发", "Z1122020006")
    assert old.advice().startswith("该证书已于 2013-01-10 遗失补发，补发的新证书编号为 Z1122020006")
    copy = verify(conn, "Z1122020006", "郑浩")
    assert (copy.result, copy.reissue, copy.reissue_of) == ("valid", True, "Z1122020002")
    advice = copy.advice()
    assert advice.startswith("证书有效。") and "（原证书 Z1122020002 已作废）" in advice
    assert "应注明“补发”字样" in advice


def test_a_reissued_copy_whose_paper_matches_is_still_told_of_the_mark(
    conn: sqlite3.Connection,
) -> None:
    """A paper matching every field typed is told so — but a 补发 copy's advice (only the paper
    marked 补发 is valid, the lost original is void) is not traded for it."""
    copy = verify(conn, "Z1122020006", "郑浩")
    typed = {"level": str(copy.level), "trade": str(copy.trade), "issued_on": str(copy.issued_on)}
    checked = confirmed(copy, {**typed, "reissue_mark": "是"}, ("", ""), builtin_catalogue())
    assert set((checked.confirmation or {}).values()) == {"match"}
    assert checked.advice() == copy.advice() and "补发" in checked.advice()


def test_a_reissue_under_its_own_number_keeps_the_reissued_advice(conn: sqlite3.Connection) -> None:
    same = verify(conn, "Z1122020003", "吴敏")
    assert (same.result, same.reissue, same.reissue_of) == ("reissued", True, None)
    assert same.advice() == ADVICE["reissued"].format_map(vars(same))


def test_a_certificate_never_replaced_says_nothing_of_it(conn: sqlite3.Connection) -> None:
    plain = verify(conn, "Z1122020004", "王五")
    assert set(plain.as_json()) & {"replaced_by", "reissue", "reissue_of", "revoked_by"} == set()


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", ("姓名为空：请填写持证人的姓名", "§四.(三)")),
        ("周" * 50, None),
        ("周" * 51, ("姓名有 51 个字符，最多 50 个（公众查验只接受这么长的姓名）", "§四.(三)")),
    ],
    ids=["empty", "50", "51"],
)
def test_a_name_a_register_may_carry(name: str, problem: tuple[str, str] | None) -> None:
    assert check_name(name) == problem


def test_an_exchange_stays_an_exchange_when_its_new_certificate_is_later_reissued(
    tmp_path: Path,
) -> None:
    """The samples: Z1122020124 exchanged for Z1122020125, which was then lost and reissued under
    its own number. The old number was exchanged — the later 补发 is the new certificate's."""
    db = tmp_path / "registry.db"
    sync_samples(db)
    connection = store.connect(db, readonly=True)
    try:
        old = verify(connection, "Z1122020124", "郑浩")
        new = verify(connection, "Z1122020125", "郑浩")
    finally:
        connection.close()
    assert (old.result, old.replaced_by) == ("superseded", "换发")
    assert (new.result, new.reissue, new.reissue_of) == ("reissued", True, None)


def test_a_reissued_copy_reissued_again_still_names_what_it_replaced(tmp_path: Path) -> None:
    """0001 exchanged for 0003 and 0002 replaced by the 补发 copy 0004; then both new papers are
    lost and reissued under their own numbers. Only 0004 replaced its predecessor by a 补发."""
    connection = synced(
        tmp_path,
        [approval_row("Z1122020001", "周杰"), approval_row("Z1122020002", "郑浩")],
        [
            status_event("换发", "Z1122020001", "周杰", "2013-01-10", "Z1122020003"),
            status_event("补发", "Z1122020002", "郑浩", "2013-01-10", "Z1122020004"),
            status_event(
                "补发", "Z1122020003", "周杰", "2013-03-01", 批准文号="绵人社函〔2013〕2号"
            ),
            status_event(
                "补发", "Z1122020004", "郑浩", "2013-03-01", 批准文号="绵人社函〔2013〕2号"
            ),
        ],
    )
    try:
        exchanged = verify(connection, "Z1122020003", "周杰")
        copy = verify(connection, "Z1122020004", "郑浩")
    finally:
        connection.close()
    assert (exchanged.result, exchanged.reissue, exchanged.reissue_of) == ("reissued", True, None)
    assert (copy.result, copy.reissue, copy.reissue_of) == ("reissued", True, "Z1122020002")
