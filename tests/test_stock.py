"""The blank-certificate reconciliation (SPEC §9): hand-computed figures, ``certreg stock``, the
Datasette view, and collection records kept away from the public check."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from datasette.app import Datasette

from registry import store
from registry.cli import cli
from registry.domain.clock import beijing_clock
from registry.domain.statuses import PENDING, REFUSED
from registry.public import lookup
from registry.store.stock import NEGATIVE, OVER_APPROVED, UNNAMED_UNIT, StockLine, Unapproved
from registry.store.stock_report import HEADINGS, advice, note
from tests.blank_registers import (
    UNIT,
    collection,
    dispatch,
    load,
    load_rosters,
    requisition,
    sync,
)
from tests.registers import REISSUE_DOCUMENTS

ROOT = Path(__file__).resolve().parent.parent

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
MIANYANG = "绵阳市人力资源和社会保障局"
FIGURES = (
    "requested",
    "approved",
    "dispatched",
    "registered",
    "spoiled",
    "used",
    "balance",
    "collected",
    "uncollected",
)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The hand-computed example.

    测试单位 (provincial roster): C1122000001, Z1122000001, Z1122000002. Requisitions: 初1 中3
    approved, 中1 pending. Dispatched: 初1 中3. Z1122000001 is exchanged (换发) for Z1122000003.
    绵阳市: C1122020001, G1122020001. Requisition 初1 高1 approved, dispatched 初1 高1.
    C1122020001 is lost and reissued (补发) under its own number: one blank more than received.
    Collected: Z1122000001 (before its exchange), Z1122000002, C1122020001.
    """
    db = tmp_path / "registry.db"
    load_rosters(db, tmp_path)
    for name, kind, rows in (
        (
            "req.csv",
            "requisitions",
            [
                requisition(UNIT, 1, 3),
                requisition(UNIT, 0, 1, province=None),
                requisition(MIANYANG, 1, 0, 1, city="同意 2012-02-10"),
            ],
        ),
        ("slips.xlsx", "dispatches", [dispatch(UNIT, 1, 3), dispatch(MIANYANG, 1, 0, 1)]),
        (
            "collected.csv",
            "collections",
            [collection("Z1122000001"), collection("Z1122000002"), collection("C1122020001")],
        ),
    ):
        assert load(db, tmp_path / name, kind, rows)["exit_code"] == 0
    with sqlite3.connect(db) as conn:
        holder = dict(conn.execute("SELECT number, name FROM certificates"))
    reissue_documents = {
        "个人申请": "申请1",
        "单位证明": "证明1",
        "原公布文件": "测试〔2012〕1号",
        "主管部门审核": "同意",
        "发证机关审核": "同意",
    }
    changes = [
        {
            "类型": "换发",
            "证书编号": "Z1122000001",
            "姓名": holder["Z1122000001"],
            "日期": "2012-05-01",
            "新证书编号": "Z1122000003",
            "原因": "错填",
            "批准文号": "测试〔2012〕9号",
        },
        {
            "类型": "补发",
            "证书编号": "C1122020001",
            "姓名": holder["C1122020001"],
            "日期": "2012-05-01",
            "原因": "遗失",
            "批准文号": "测试〔2012〕9号",
            **reissue_documents,
        },
    ]
    assert load(db, tmp_path / "changes.xlsx", "status-changes", changes)["exit_code"] == 0
    return db


def stock_json(db: Path) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["stock", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    lines: list[dict[str, object]] = json.loads(result.stdout)["lines"]
    return lines


def test_reconciliation_matches_the_hand_computed_example(example: Path) -> None:
    table = [
        (line["recipient"], line["letter"], *(line[f] for f in FIGURES))
        for line in stock_json(example)
    ]
    assert table == [
        # recipient  level  req appr disp reg spoil used bal coll uncoll
        (UNIT, "C", 1, 1, 1, 1, 0, 0, 0, 0, 1),
        (UNIT, "Z", 4, 3, 3, 2, 1, 0, 0, 1, 1),  # Z…0003 replaced Z…0001: not yet collected
        ("绵阳市", "C", 1, 1, 1, 1, 0, 1, -1, 1, 0),
        ("绵阳市", "G", 1, 1, 1, 1, 0, 0, 0, 0, 1),
    ]


def test_blanks_without_certificates_yet_are_reconciled_too(tmp_path: Path) -> None:
    """Blanks requested, approved and dispatched before any roster is loaded (and a request
    still pending) are on hand: every line is shown, not only those with certificates."""
    db = tmp_path / "registry.db"
    requisitions = [
        requisition("乐山市人力资源和社会保障局", 6, 4, city="同意 2012-02-10"),
        requisition("雅安市人力资源和社会保障局", 3, city="同意 2012-02-10", province=None),
    ]
    assert load(db, tmp_path / "req.csv", "requisitions", requisitions)["exit_code"] == 0
    slips = [dispatch("乐山市人力资源和社会保障局", 6, 4)]
    assert load(db, tmp_path / "slips.xlsx", "dispatches", slips)["exit_code"] == 0
    table = [
        (line["recipient"], line["letter"], *(line[f] for f in FIGURES)) for line in stock_json(db)
    ]
    assert table == [
        ("乐山市", "C", 6, 6, 6, 0, 0, 0, 6, 0, 0),
        ("乐山市", "Z", 4, 4, 4, 0, 0, 0, 4, 0, 0),
        ("雅安市", "C", 3, 0, 0, 0, 0, 0, 0, 0, 0),
    ]
    result = CliRunner().invoke(cli, ["stock", "--db", str(db)])
    with sqlite3.connect(db) as conn:  # as of the blank registers' sync, in Beijing time
        (synced,) = conn.execute("SELECT max(at) FROM syncs WHERE outcome = 'loaded'").fetchone()
    assert f"登记库更新时间：{beijing_clock(synced)}\n" in result.output


def test_a_requisition_awaiting_approval_and_a_refused_one_are_told_apart(
    tmp_path: Path,
) -> None:
    """Both are requested and not approved in the table: a clerk chasing the province's opinion
    could not tell a request still waiting from one refused (a blank-certificate clerk's
    review), nor find it."""
    db = tmp_path / "registry.db"
    requisitions = [
        requisition("乐山市人力资源和社会保障局", 6, city="同意 2012-02-10"),
        requisition("乐山市人力资源和社会保障局", 2, city="同意 2012-02-10", province=None),
        requisition("乐山市人力资源和社会保障局", 3, city="同意 2012-02-10", province="不同意"),
        requisition("乐山市人力资源和社会保障局", 0, 1, city="同意 2012-02-10", province="不同意"),
    ]
    assert load(db, tmp_path / "req.csv", "requisitions", requisitions)["exit_code"] == 0
    junior, intermediate = stock_json(db)
    assert (junior["requested"], junior["approved"]) == (11, 6)
    assert junior["unapproved"] == [
        {"state": "pending", "quantity": 2, "register": "req.csv", "row": 3},
        {"state": "refused", "quantity": 3, "register": "req.csv", "row": 4},
    ]
    assert junior["note"] == (
        "申领的 11 本中 2 本尚待省厅批准（req.csv 第3行），批准后才计入“批准”；"
        "申领的 11 本中 3 本省厅未批准（req.csv 第4行），不计入“批准”；仍需要时请重新申领；"
        "已批准 6 本，尚有 6 本未发放"
    )
    assert intermediate["note"] == (
        "申领的 1 本中 1 本省厅未批准（req.csv 第5行），不计入“批准”；仍需要时请重新申领"
    )
    text = CliRunner().invoke(cli, ["stock", "--db", str(db)]).output
    assert "ℹ 乐山市 中级工：申领的 1 本中 1 本省厅未批准（req.csv 第5行）" in text


def test_a_negative_balance_is_flagged(example: Path) -> None:
    flagged = [
        (line["recipient"], line["letter"]) for line in stock_json(example) if line["negative"]
    ]
    assert flagged == [("绵阳市", "C")]
    result = CliRunner().invoke(cli, ["stock", "--db", str(example)])
    assert result.exit_code == 0
    assert "⚠ 绵阳市 初级工：结余为负" in result.output
    assert result.output.count("⚠") == 1
    # a program reads what to do too (a review: the text said it, the JSON did not)
    [line] = [line for line in stock_json(example) if line["negative"]]
    assert line["advice"] and str(line["advice"]) in result.output and line["note"] is None


def test_staff_see_the_same_reconciliation_in_datasette(example: Path) -> None:
    async def fetch() -> list[dict[str, object]]:
        datasette = Datasette([str(example)], settings={"num_sql_threads": 1})
        response = await datasette.client.get("/registry/stock.json?_shape=array")
        assert response.status_code == 200
        rows: list[dict[str, object]] = response.json()
        return rows

    shown = asyncio.run(fetch())
    assert [{k: row[k] for k in (*FIGURES, "recipient", "letter", "flag")} for row in shown] == [
        {k: line[k] for k in (*FIGURES, "recipient", "letter", "flag")}
        for line in stock_json(example)
    ]


def test_the_province_s_totals_per_level_follow_the_lines(example: Path) -> None:
    """A clerk's review: the yearly report to the province asks for each level's totals, and a
    table of a hundred lines was added up by hand."""
    result = CliRunner().invoke(cli, ["stock", "--db", str(example), "--json"])
    report = json.loads(result.stdout)
    lines, totals = report["lines"], report["totals"]
    assert [t["letter"] for t in totals] == [
        letter for letter in ("C", "Z", "G", "J") if any(ln["letter"] == letter for ln in lines)
    ]
    for total in totals:
        mine = [line for line in lines if line["letter"] == total["letter"]]
        assert {f: total[f] for f in FIGURES} == {f: sum(ln[f] for ln in mine) for f in FIGURES}
    text = CliRunner().invoke(cli, ["stock", "--db", str(example)]).output
    intermediate = next(t for t in totals if t["letter"] == "Z")
    assert re.search(
        rf"全省合计\s+中级工\s+{intermediate['requested']}\s+{intermediate['approved']}\s", text
    )


def test_collection_records_never_reach_the_public_check(example: Path, tmp_path: Path) -> None:
    conn = store.connect(example, readonly=True)
    try:
        before = lookup.verify(conn, "Z1122000002", "甲三").as_json()
    finally:
        conn.close()
    path = tmp_path / "more.csv"
    assert (
        load(example, path, "collections", [collection("C1122000001", "独特代领人")])["exit_code"]
        == 0
    )
    conn = store.connect(example, readonly=True)
    try:
        for number, name in (("Z1122000002", "甲三"), ("C1122000001", "甲一")):
            answer = json.dumps(lookup.verify(conn, number, name).as_json(), ensure_ascii=False)
            for private in ("独特代领人", "领取人", "2012-04-01", "collected", "signature"):
                assert private not in answer
        after = lookup.verify(conn, "Z1122000002", "甲三").as_json()
    finally:
        conn.close()
    assert {k: v for k, v in after.items() if k != "as_of"} == {
        k: v for k, v in before.items() if k != "as_of"
    }


def test_the_sample_registers_give_a_checkable_reconciliation(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples)
    db = tmp_path / "registry.db"
    result = sync(db, samples)
    assert result.exit_code == 0, result.output
    kinds = {r["kind"] for r in json.loads(result.stdout)["registers"]}
    assert {"requisitions", "dispatches", "collections"} <= kinds
    # the hand check of the README's table (scripts/make_samples.py explains each figure)
    figures = {
        (line["recipient"], line["letter"]): tuple(line[f] for f in FIGURES)
        for line in stock_json(db)
    }
    assert figures == {
        ("省直示例单位", "C"): (1, 1, 1, 1, 0, 0, 0, 0, 0),
        ("省直示例单位", "Z"): (6, 4, 4, 3, 0, 1, 0, 1, 2),
        ("省直示例单位", "G"): (3, 3, 3, 2, 1, 0, 0, 1, 1),
        ("省直示例单位", "J"): (1, 1, 1, 1, 0, 0, 0, 0, 1),
        ("成都市", "J"): (3, 3, 2, 3, 0, 0, -1, 1, 2),
        ("绵阳市", "C"): (3, 3, 3, 2, 0, 0, 1, 0, 2),
        ("绵阳市", "Z"): (4, 4, 4, 2, 1, 1, 0, 1, 1),
        ("绵阳市", "G"): (1, 1, 1, 1, 0, 0, 0, 0, 1),
    }
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM collections").fetchone() == (5,)


def test_stock_on_a_missing_registry_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["stock", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "请先运行 certreg sync" in result.output


def test_a_dry_run_checks_each_register_against_the_ones_before_it(tmp_path: Path) -> None:
    """Dispatches are checked against the requisitions, collections against the rosters, of the
    same dry run; afterwards the registry is as empty as before."""
    db = tmp_path / "registry.db"
    store.connect(db).close()  # an empty registry (a dry run makes none of its own)
    result = sync(db, SAMPLES, "--dry-run")
    assert result.exit_code == 0, result.output
    outcomes = {r["file"]: r["outcome"] for r in json.loads(result.stdout)["registers"]}
    assert set(outcomes.values()) == {"checked"}
    with sqlite3.connect(db) as conn:
        for table in ("certificates", "registers", "syncs", "requisitions", "dispatches"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)


@pytest.mark.parametrize(
    "event, day",
    [
        ("撤销", "2012-03-20"),
        ("换发", "2012-03-20"),
        ("撤销", "2012-04-01"),
        ("补发", "2012-03-20"),
    ],
)
def test_a_certificate_cannot_be_voided_before_its_recorded_collection(
    example: Path, tmp_path: Path, event: str, day: str
) -> None:
    """Z1122000002 was collected on 2012-04-01, when it had to be valid (SPEC §9): a 撤销, 换发 or
    补发 under a new number dated before that, or that day (as the collection rule counts it),
    contradicts the collection record."""
    with sqlite3.connect(example) as conn:
        (name,) = conn.execute(
            "SELECT name FROM certificates WHERE number = 'Z1122000002'"
        ).fetchone()
    row = {
        "类型": event,
        "证书编号": "Z1122000002",
        "姓名": name,
        "日期": day,
        "新证书编号": "" if event == "撤销" else "Z1122000004",
        "原因": {"换发": "错填", "补发": "遗失"}.get(event, "弄虚作假"),
        "批准文号": "测试〔2012〕9号",
        **(REISSUE_DOCUMENTS if event == "补发" else {}),
    }
    report = load(example, tmp_path / "late.xlsx", "status-changes", [row])
    assert report["exit_code"] == 1
    rules = [p["rule"] for p in report["registers"][0]["problems"]]
    assert any("已登记于 2012-04-01 领取" in rule for rule in rules), rules


@pytest.mark.parametrize("event", ["换发", "补发"])
def test_a_paper_collected_and_exchanged_the_same_day_is_both(
    example: Path, tmp_path: Path, event: str
) -> None:
    """§四.(六)2: the holder brings the paper just handed out back to have it exchanged — the
    same day is the natural case, refused once as voided before it was collected."""
    with sqlite3.connect(example) as conn:
        (name, document) = conn.execute(
            "SELECT name, approval_doc FROM certificates WHERE number = 'Z1122000002'"
        ).fetchone()
    row = {
        "类型": event,
        "证书编号": "Z1122000002",
        "姓名": name,
        "日期": "2012-04-01",  # the day it was collected
        "新证书编号": "Z1122000004",
        "原因": {"换发": "错填", "补发": "遗失"}[event],
        "批准文号": "测试〔2012〕9号",
        **({**REISSUE_DOCUMENTS, "原公布文件": document} if event == "补发" else {}),
    }
    report = load(example, tmp_path / "sameday.xlsx", "status-changes", [row])
    assert report["exit_code"] == 0, report["registers"][0]["problems"]


def test_the_command_line_and_staff_head_the_figures_alike() -> None:
    """`certreg stock` promises staff's 空白证书对账 page the same figures, but headed them
    换发损耗 / 补发用 / 结余 where the page says 换发作废 / 补发用去 / 应有结余 (a copy editor's
    review): a clerk comparing the two could not tell they were the same."""
    metadata = yaml.safe_load((ROOT / "datasette_config" / "metadata.yml").read_text("utf-8"))
    page = metadata["databases"]["registry"]["tables"]["stock"]["columns"]
    assert {key: page[key] for key, _ in HEADINGS} == dict(HEADINGS)


def _line(
    recipient: str = "四川省林业厅",
    region: str = "2200",
    unapproved: tuple[Unapproved, ...] = (),
    **figures: int,
) -> StockLine:
    requested, approved, dispatched, registered, spoiled, used = (
        figures.get(f, 0)
        for f in ("requested", "approved", "dispatched", "registered", "spoiled", "used")
    )
    balance = dispatched - registered - spoiled - used
    flag = NEGATIVE if balance < 0 else OVER_APPROVED if dispatched > approved else None
    return StockLine(
        recipient, region, "中级工", "Z", requested, approved, dispatched, registered,
        spoiled, used, balance, 0, 0, flag, unapproved,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (_line(UNNAMED_UNIT, registered=2), ["省直名册没有写 unit"]),
        (_line("四川省档案馆", registered=2), ["多半是名册的 unit 与申领计划表中的名称写法不同"]),
        # a city's line is named by its numbers: no unit to misspell (a diff review)
        (_line("成都市", "2201", registered=2), ["没有该市（州）的申领和发放记录"]),
        (
            _line(requested=3, approved=3, dispatched=3, registered=3, spoiled=1),
            ["换发、补发用去的空白证书多出批准、发放的 1 本"],
        ),
        (
            _line(requested=5, approved=5, dispatched=4, registered=6),
            ["已批准 5 本、只记有发放 4 本：请补登漏记的发放单（至多 1 本）", "多 1 本"],
        ),
        (
            _line(requested=3, approved=3, dispatched=3, registered=5),
            ["登记的证书比批准、发放的空白证书多 2 本"],
        ),
        (
            _line(requested=2, registered=2, unapproved=(Unapproved(PENDING, 2, "r.csv", 3),)),
            ["申领计划尚未获省厅批准，也没有发放记录"],
        ),
        (  # not "尚未获批准": the province refused it
            _line(requested=2, registered=2, unapproved=(Unapproved(REFUSED, 2, "r.csv", 3),)),
            ["申领计划省厅未批准，也没有发放记录：请查明这些证书用的空白证书从何而来"],
        ),
        (
            _line(requested=2, approved=2, dispatched=3, registered=1),
            ["发放 3 本超过了批准的 2 本：请补登批准这些空白证书的申领计划"],
        ),
        # a diff review's cases: a requisition not approved; approvals covering a 换发's
        # shortfall; over-approved and short at once; a dispatch missing and more besides
        (_line(requested=5, registered=3), ["申领计划尚未获省厅批准，也没有发放记录"]),
        (
            _line(requested=20, approved=20, dispatched=10, registered=10, spoiled=1),
            ["已批准 20 本、只记有发放 10 本：请补登漏记的发放单（至多 1 本）"],
        ),
        (
            _line(requested=5, approved=5, dispatched=10, registered=12),
            ["登记的证书比批准、发放的空白证书多 2 本", "发放 10 本超过了批准的 5 本"],
        ),
        (
            _line(requested=6, approved=6, dispatched=5, registered=9),
            ["（至多 1 本）", "登记的证书比批准、发放的空白证书多 3 本"],
        ),
    ],
)
def test_each_flagged_line_is_told_what_to_do_about_it(line: StockLine, said: list[str]) -> None:
    """A clerk's review: one sentence (补登漏记的发放单，或查明多出的证书从何而来) for every
    flagged line was wrong for a 换发's shortfall and for a roster without its unit."""
    told = advice(line) or ""
    assert line.flag and all(part in told for part in said), told
    assert note(line) is None or line.unapproved


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (
            _line(requested=5, approved=5, dispatched=2, registered=1),
            "已批准 5 本，尚有 3 本未发放",
        ),
        (_line(requested=3, approved=3, dispatched=3), "已发放 3 本，还没有登记用它们填发的证书"),
        (_line(requested=3, approved=3, dispatched=3, registered=3), None),
    ],
)
def test_a_line_of_leftovers_is_noted(line: StockLine, said: str | None) -> None:
    """Blanks approved and never dispatched, or dispatched and never used, said nothing."""
    assert advice(line) is None and note(line) == said
