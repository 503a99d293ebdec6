"""The built-in trade catalogue (工种, §四.(三)): the trades attested in public notices, the spellings
clerks write, and every trade name the project's samples, tests and benchmarks rely on."""

from __future__ import annotations

import csv
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from registry.cli import cli
from registry.domain.trades import TradeCatalogue
from registry.sync.catalogue import load_catalogue
from tests.registers import MIANYANG, RegisterFactory, approval_row, status_event

DATA = Path(__file__).resolve().parent.parent / "data"

# Standard names, a few from each source named in data/README.md.
ATTESTED = [
    "电工",  # SX2009, SX2019, JS2020
    "中式烹调师",  # SX2009
    "衡器计量检定工",  # SX2009
    "汽车驾驶员",  # SC2020, SC2021, CQ2022 …
    "汽车维修工",  # SC2020, CQ2022
    "文秘资料员",  # SX2019
    "收银审核员",  # SX2019
    "行政事务人员",  # FJ2023
    "财务会计员",  # FJ2023
    "公路养护工",  # HA2017, SN2017
    "办公设备维修工",  # HA2022a, HA2022b
    "图书资料员",  # HA2017
    "环境噪声监测工",  # HA2017
    "计算机文字录入员",  # SN2017
    "锅炉操作工",  # JS2020, XZ2024 (as 锅炉操作)
    "汽车调度管理",  # CZ2009
    "体育场地工",  # JS2020, XZ2024, CZ2009
    "航标工",  # JS2020
    "测绘员",  # JS2020, XZ2024
    "水处理工",  # XZ2024
    "殡葬服务",  # JS2020
]

ALIASES = {
    "锅炉工": "锅炉操作工",
    "锅炉司炉工": "锅炉操作工",
    "锅炉操作": "锅炉操作工",
    "司炉工": "锅炉操作工",
    "保育": "保育员",
    "农艺": "农艺工",
    "泵站运行": "泵站运行工",
    "收银审核": "收银审核员",
    "行政事务": "行政事务人员",
    "公路养护": "公路养护工",
    "驾驶员": "汽车驾驶员",
    "司机": "汽车驾驶员",
    "厨师": "中式烹调师",
    "维修电工": "电工",
    "电焊工": "焊工",
    "汽车修理工": "汽车维修工",
}

# SX2009: 附表2《山西省机关事业单位工人技术等级岗位考核工种代码表》, the rows that could be read.
SHANXI_CODES = {
    "电工": "0201",
    "车工": "0202",
    "钳工": "0206",
    "焊工": "0207",
    "保育员": "0301",
    "农艺工": "0501",
    "畜牧工": "0502",
    "兽医工": "0503",
    "泵站运行工": "0910",
    "中式烹调师": "1001",
    "客房服务员": "1002",
    "餐厅服务员": "1003",
    "中式面点师": "1004",
    "衡器计量检定工": "1101",
    "食品检验工": "1102",
    "长度计量检定工": "1103",
    "实验工": "2305",
}

# Trade names written in tests/ fixtures and bench/ (ceiling.py); each must stay a standard name.
FIXTURE_TRADES = ["电工", "焊工", "中式烹调师", "汽车驾驶员", "泵站运行工", "汽车维修工", "钳工"]

# Names the validation tests use as *unknown* trades; they must stay unknown.
UNKNOWN = ["驾校", "宇航员", "汽车驾驶"]

# Spellings in data/samples that are aliases rather than standard names.
SAMPLE_ALIASES = {"驾驶员": "汽车驾驶员"}


@pytest.fixture(scope="module")
def catalogue() -> TradeCatalogue:
    return load_catalogue()


def test_built_in_catalogue_holds_the_public_list(catalogue: TradeCatalogue) -> None:
    # 76 trades were attested; an administrator may trim a few, but the 19 of the first list is far below.
    assert len(catalogue.names) >= 60


@pytest.mark.parametrize("name", ATTESTED)
def test_attested_trade_is_a_standard_name(catalogue: TradeCatalogue, name: str) -> None:
    assert catalogue.resolve(name) == name


@pytest.mark.parametrize(("alias", "standard"), sorted(ALIASES.items()))
def test_alias_resolves_to_its_trade(catalogue: TradeCatalogue, alias: str, standard: str) -> None:
    assert catalogue.resolve(alias) == standard


def test_shanxi_codes(catalogue: TradeCatalogue) -> None:
    assert {name: catalogue.codes.get(name) for name in SHANXI_CODES} == SHANXI_CODES


def test_every_standard_name_resolves_to_itself(catalogue: TradeCatalogue) -> None:
    # bench/generate.py writes its registers from catalogue.names: each must load as written.
    assert [n for n in catalogue.names if catalogue.resolve(n) != n] == []


@pytest.mark.parametrize("name", FIXTURE_TRADES)
def test_trade_used_in_fixtures_is_a_standard_name(catalogue: TradeCatalogue, name: str) -> None:
    assert catalogue.resolve(name) == name


@pytest.mark.parametrize("text", UNKNOWN)
def test_unknown_trades_of_the_validation_tests_stay_unknown(
    catalogue: TradeCatalogue, text: str
) -> None:
    assert catalogue.resolve(text) is None


def test_nearest_name_to_a_truncated_trade(catalogue: TradeCatalogue) -> None:
    # tests/test_validation.py expects “相近的工种：汽车驾驶员” first.
    assert catalogue.suggestions("汽车驾驶")[0] == "汽车驾驶员"


@pytest.mark.parametrize("text", ["绿化工", "门卫", "打字员"])
def test_no_trade_is_suggested_for_sharing_only_a_suffix(
    catalogue: TradeCatalogue, text: str
) -> None:
    """绿化工 was offered 钳工、车工、药工, 门卫 卫生防疫: alike in nothing but 工 or one letter."""
    assert all(set(name) - set("工员师手") & set(text) for name in catalogue.suggestions(text))
    assert "钳工" not in catalogue.suggestions("绿化工")


def test_an_unknown_trade_may_be_the_catalogues_gap(catalogue: TradeCatalogue) -> None:
    """The official list is not public: the message says the catalogue lacks the name, and how
    an administrator adds it, not that the notice's list has no such trade."""
    rule = catalogue.unknown("绿化工")
    assert rule.startswith("不在登记库所用的工种目录中。") and "trades_extra" in rule


def _read_rows(path: Path) -> list[list[object]]:
    if path.suffix == ".xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True)
        try:
            return [list(row) for sheet in workbook for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    return [list(row) for row in csv.reader(text.splitlines())]


def _sample_trades() -> list[str]:
    """Every 报考工种 cell of the sample registers (below its header, in the same column)."""
    trades: list[str] = []
    for path in sorted((DATA / "samples").glob("*.*")):
        if path.suffix not in (".xlsx", ".csv"):
            continue
        column: int | None = None
        for row in _read_rows(path):
            if "报考工种" in row:
                column = row.index("报考工种")
            elif column is not None and column < len(row) and row[column]:
                trades.append(str(row[column]))
    return trades


def test_every_sample_trade_resolves(catalogue: TradeCatalogue) -> None:
    trades = _sample_trades()
    assert len(trades) >= 10
    resolved = {t: catalogue.resolve(t) for t in trades}
    assert resolved == {t: SAMPLE_ALIASES.get(t, t) for t in trades}


def test_source_keys_are_documented() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| ([A-Z]{2,3}\d{4}[a-z]?|GEN) \|", readme, flags=re.M))
    with (DATA / "trades.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    used = {key for row in rows for key in row["来源"].split(";")}
    assert all(row["来源"] for row in rows)
    assert used == documented


def test_register_with_a_boiler_operator_syncs(registers: RegisterFactory, db_path: Path) -> None:
    # A clerk's register with 锅炉工 used to be refused (suggestions 钳工、车工、电工).
    registers.add("m.csv", [approval_row("Z1122020001", "周杰", 报考工种="锅炉工")], MIANYANG)
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("SELECT trade FROM certificates").fetchall() == [("锅炉操作工",)]


def test_a_trade_in_traditional_characters_is_its_simplified_trade(
    catalogue: TradeCatalogue,
) -> None:
    """A roster copied from a traditional-character source (電工, 鍋爐操作工) names the same
    trades; one nearly right is suggested by its simplified spelling (鍋爐工 → 锅炉操作工, not
    钳工 by a shared 工)."""
    assert catalogue.resolve("電工") == "电工"
    assert catalogue.resolve("鍋爐操作工") == "锅炉操作工"
    assert catalogue.suggestions("鍋爐司爐")[0] == "锅炉操作工"
    assert catalogue.resolve("電腦維修") is None


RENAMED = "工种,别名\n电工作业,电工\n"
"""An official catalogue that renames 电工, keeping the old name as an alias (data/README.md)."""


def _sync(folder: Path, db: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["sync", str(folder), "--db", str(db)])
    return result.exit_code, result.output


HOLDERS = [approval_row("Z1122020001", "周杰"), approval_row("Z1122020002", "郑浩")]


@pytest.fixture
def renamed(registers: RegisterFactory, db_path: Path) -> RegisterFactory:
    """周杰 (Z1122020001) and 郑浩 registered as 电工; then the catalogue renames the trade."""
    registers.add("m.csv", HOLDERS, MIANYANG)
    assert _sync(registers.folder, db_path)[0] == 0
    return _renaming(registers, db_path)


def _renaming(
    registers: RegisterFactory, db_path: Path, catalogue: str = RENAMED
) -> RegisterFactory:
    """The catalogue replaced by ``catalogue``, which renames 电工 (`RENAMED`), synced."""
    (registers.folder / "official.csv").write_text(catalogue, encoding="utf-8")
    registers.extra_manifest = 'trades = "official.csv"\n'
    registers.write_manifest()
    assert _sync(registers.folder, db_path)[0] == 0
    return registers


HELD = "此人（姓名、出生年月、工种、等级均相同）已在登记库中（Z1122020001"


def test_a_holder_of_a_renamed_trade_gets_no_second_certificate(
    renamed: RegisterFactory, db_path: Path
) -> None:
    """After the catalogue renamed the trade, a new roster row for a holder of a certificate
    registered under the old name loaded a second valid one of the same level (§二), and the
    catalogue's report named no certificate: the old name, an alias now, is the same trade."""
    facts = {**MIANYANG, "approval_doc": "绵人社函〔2012〕9号"}
    renamed.add("n.csv", [approval_row("Z1122020003", "周杰")], facts)
    code, output = _sync(renamed.folder, db_path)
    assert code == 1 and f"n.csv 第4行「姓名」“周杰”：{HELD}" in output, output
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("SELECT count(*) FROM certificates").fetchone() == (2,)


def test_a_holder_of_a_renamed_trade_is_given_no_number(
    renamed: RegisterFactory, db_path: Path, tmp_path: Path
) -> None:
    """``certreg number`` checks §二 as the sync does: numbered, the row would be refused."""
    path = renamed.add("n.csv", [approval_row("", "周杰", 报考工种="电工作业")], MIANYANG)
    out = tmp_path / "numbered.csv"
    args = ["--kind", "approval-roster", "--authority", "2202", "--year-code", "11"]
    result = CliRunner().invoke(
        cli, ["number", str(path), *args, "--out", str(out), "--db", str(db_path)]
    )
    assert result.exit_code == 1 and HELD in result.output, result.output


def test_an_exchange_may_not_make_a_holder_of_a_renamed_trade_hold_two(
    renamed: RegisterFactory, db_path: Path
) -> None:
    """A 换发 correcting the holder of a certificate registered under the new name to one who
    holds the trade under the old name would leave them two (§二)."""
    facts = {**MIANYANG, "approval_doc": "绵人社函〔2012〕9号"}
    renamed.add("n.csv", [approval_row("Z1122020003", "吴敏", 报考工种="电工作业")], facts)
    assert _sync(renamed.folder, db_path)[0] == 0
    exchange = status_event(
        "换发", "Z1122020003", "吴敏", "2013-01-10", "Z1122020004", 更正姓名="周杰"
    )
    renamed.add("changes.csv", [exchange], {"kind": "status-changes", "authority": "2202"})
    code, output = _sync(renamed.folder, db_path)
    assert (
        code == 1
        and "更正后，此人（姓名、出生年月、工种、等级均相同）已持有证书 Z1122020001" in output
    ), output


def test_a_catalogue_edited_in_place_is_reported_as_edited_with_what_changed(
    renamed: RegisterFactory, db_path: Path
) -> None:
    """An administrator who edited the catalogue file in place and synced again was told it was
    swapped for itself (已换用 official.csv（登记库原用 official.csv）), and not what changed."""
    official = renamed.folder / "official.csv"
    official.write_text("工种,别名\n电气作业,电工作业;电工\n焊工,\n", encoding="utf-8")
    for dry, done in ((["--dry-run"], "将按更改后的内容换用"), ([], "已按更改后的内容换用")):
        command = ["sync", str(renamed.folder), "--db", str(db_path), *dry]
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 0, result.output
        assert (
            f"工种目录：{official} 的内容有改动，{done}（新增工种 焊工、电气作业；"
            "删去工种 电工作业（现为“电气作业”的别名））"
        ) in result.output
        assert "登记库原用" not in result.output


def _corrected(registers: RegisterFactory, trade: str, catalogue: str = RENAMED) -> None:
    """A corrected version of m.csv: 郑浩's 参加工作时间 fixed, both trades written ``trade``,
    under ``catalogue``."""
    (registers.folder / "official.csv").write_text(catalogue, encoding="utf-8")
    rows = [
        approval_row("Z1122020001", "周杰", 报考工种=trade),
        approval_row("Z1122020002", "郑浩", 参加工作时间="1995.08", 报考工种=trade),
    ]
    registers.add("m.csv", rows, MIANYANG)


WELDERS = RENAMED + "焊工,\n"
"""`RENAMED` and a trade to change to."""


@pytest.mark.parametrize("trade", ["电工", "电工作业"])
def test_a_corrected_roster_leaves_a_renamed_trade_as_registered(
    renamed: RegisterFactory, db_path: Path, trade: str
) -> None:
    """A corrected version after the catalogue renamed 电工 rewrote every certificate's trade to
    电工作业, recorded in its history and counted as 修改, though the clerk changed nothing of it
    — and a receipt of an earlier check read as corrected since: a trade the catalogue merely
    spells otherwise is no change (data/README.md)."""
    _corrected(renamed, trade)
    code, output = _sync(renamed.folder, db_path)
    assert code == 0 and "已更新（新版本）：2 行，新增 0，修改 1" in output, output
    assert "报考工种" not in output
    with closing(sqlite3.connect(db_path)) as conn:
        history = conn.execute("SELECT number, field FROM certificate_history").fetchall()
        trades = conn.execute("SELECT DISTINCT trade FROM certificates").fetchall()
    assert history == [("Z1122020002", "work_start")] and trades == [("电工",)]


def test_a_corrected_roster_still_changes_a_renamed_trade_to_another(
    renamed: RegisterFactory, db_path: Path
) -> None:
    """Another trade is a change, reported and recorded as before the rename."""
    _corrected(renamed, "焊工", WELDERS)
    code, output = _sync(renamed.folder, db_path)
    assert code == 0 and "已更新（新版本）：2 行，新增 0，修改 2" in output, output
    assert "证书 Z1122020001「报考工种」电工 → 焊工" in output
    with closing(sqlite3.connect(db_path)) as conn:
        trades = conn.execute("SELECT DISTINCT trade FROM certificates").fetchall()
    assert trades == [("焊工",)]


def _replaced(
    registers: RegisterFactory, db_path: Path, catalogue: str = RENAMED, **correction: str
) -> RegisterFactory:
    """周杰's Z1122020001 exchanged (换发, with ``correction``) for Z1122020003; then the
    catalogue replaced by ``catalogue``."""
    registers.add("m.csv", HOLDERS, MIANYANG)
    exchange = status_event(
        "换发", "Z1122020001", "周杰", "2013-01-10", "Z1122020003", **correction
    )
    registers.add("changes.csv", [exchange], {"kind": "status-changes", "authority": "2202"})
    assert _sync(registers.folder, db_path)[0] == 0
    return _renaming(registers, db_path, catalogue)


@pytest.fixture
def replaced(registers: RegisterFactory, db_path: Path) -> RegisterFactory:
    """周杰's Z1122020001 exchanged (换发) for Z1122020003; then the catalogue renames 电工."""
    return _replaced(registers, db_path)


@pytest.mark.parametrize("trade", ["电工", "电工作业"])
def test_a_corrected_roster_of_a_replaced_certificate_may_name_its_renamed_trade(
    replaced: RegisterFactory, db_path: Path, trade: str
) -> None:
    """Every corrected version of a roster listing a certificate a 换发 replaced was refused
    after the catalogue renamed its trade — 报考工种原为“电工”，不能改为“电工作业” — though the
    clerk had typed 电工: the trade as the catalogue now spells it is the one registered."""
    _corrected(replaced, trade)
    code, output = _sync(replaced.folder, db_path)
    assert code == 0 and "不能改为" not in output, output


def test_a_corrected_roster_may_name_the_renamed_trade_an_exchange_corrected(
    registers: RegisterFactory, db_path: Path
) -> None:
    """A roster may give a replaced certificate the trade a 换发 corrected it to (§四.(三)):
    once the catalogue renamed that trade (钳工 → 钳工作业), its old name was refused."""
    catalogue = RENAMED + "钳工作业,钳工\n"
    _replaced(registers, db_path, catalogue, 原因="工种填错", 更正工种="钳工")
    registers.add(
        "m.csv", [approval_row("Z1122020001", "周杰", 报考工种="钳工"), HOLDERS[1]], MIANYANG
    )
    code, output = _sync(registers.folder, db_path)
    assert code == 0 and "不能改为" not in output, output


def test_a_corrected_roster_may_not_change_a_replaced_certificates_renamed_trade(
    replaced: RegisterFactory, db_path: Path
) -> None:
    """Another trade for the replaced certificate is refused as before (§四.(三))."""
    _corrected(replaced, "焊工", WELDERS)
    code, output = _sync(replaced.folder, db_path)
    assert code == 1 and "报考工种原为“电工”，不能改为“焊工”" in output, output


def test_a_holder_an_exchange_renamed_holds_its_newest_certificate_of_the_renamed_trade(
    registers: RegisterFactory, db_path: Path
) -> None:
    """周杰's Z1122020001 exchanged for Z1122020003 correcting his name to 周洁, then the
    catalogue renames 电工: a new row for 周杰 as first registered, of 电工作业, is §二's — the
    chain's newest certificate (registered as 电工, the same trade) is his."""
    _replaced(registers, db_path, 更正姓名="周洁")
    facts = {**MIANYANG, "approval_doc": "绵人社函〔2012〕9号"}
    registers.add("n.csv", [approval_row("Z1122020004", "周杰", 报考工种="电工作业")], facts)
    code, output = _sync(registers.folder, db_path)
    assert code == 1, output
    assert "证书 Z1122020001 换发时更正了姓名或出生年月，现为 Z1122020003" in output


def test_an_exchange_may_not_make_a_holder_of_a_renamed_trade_hold_two_in_one_file(
    renamed: RegisterFactory, db_path: Path
) -> None:
    """One file exchanges 周杰's Z1122020001 (电工) for Z1122020004, then corrects the holder of
    吴敏's Z1122020003 (电工作业) to 周杰: the certificate an earlier row of the file made is a
    holding of the same trade under its old name (§二)."""
    facts = {**MIANYANG, "approval_doc": "绵人社函〔2012〕9号"}
    renamed.add("n.csv", [approval_row("Z1122020003", "吴敏", 报考工种="电工作业")], facts)
    assert _sync(renamed.folder, db_path)[0] == 0
    changes = [
        status_event("换发", "Z1122020001", "周杰", "2013-01-10", "Z1122020004"),
        status_event("换发", "Z1122020003", "吴敏", "2013-01-11", "Z1122020005", 更正姓名="周杰"),
    ]
    renamed.add("changes.csv", changes, {"kind": "status-changes", "authority": "2202"})
    code, output = _sync(renamed.folder, db_path)
    assert code == 1, output
    assert "更正后，此人（姓名、出生年月、工种、等级均相同）已持有证书 Z1122020004" in output
