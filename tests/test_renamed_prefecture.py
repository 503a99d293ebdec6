"""A regions file naming an autonomous prefecture officially (2213 凉山彝族自治州, as an
administrator may write it) keeps a city's blanks one recipient: requisitions and dispatches
loaded before the rename meet the slips and certificates loaded after (SPEC §9).

The regions file is read when certreg is imported, and the shipped one stays as it is: the
renamed registry runs ``certreg`` from a copy of the package whose regions file is edited."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from registry import store
from registry.domain.regions import REGIONS, short_name
from tests.blank_registers import dispatch, load, requisition, roster_row, write

ROOT = Path(__file__).resolve().parent.parent
LIANGSHAN = "凉山州人力资源和社会保障局"
FIGURES = ("requested", "approved", "dispatched", "registered", "balance")


@pytest.fixture
def renamed(tmp_path: Path) -> Path:
    """A copy of the package whose regions file writes 2213 as 凉山彝族自治州."""
    package = tmp_path / "package"
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "registry", package / "registry", ignore=skip)
    regions = package / "registry" / "defaults" / "regions.csv"
    shipped = regions.read_text(encoding="utf-8")
    assert "\n2213,凉山州\n" in shipped
    regions.write_text(shipped.replace("\n2213,凉山州\n", "\n2213,凉山彝族自治州\n"), "utf-8")
    return package


def run(package: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python`` in ``package`` (first on the path, not the working copy's ``registry``)."""
    env = {**os.environ, "PYTHONPATH": str(package)}
    return subprocess.run(
        [sys.executable, *args], cwd=package, env=env, capture_output=True, text=True, check=False
    )


def certreg(package: Path, *args: str) -> dict[str, object]:
    done = run(package, "-m", "registry", *args, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    return report


_RECOMPUTED = (
    "import json, sqlite3, sys\n"
    "from registry.store.stock import RECOMPUTED\n"
    "rows = sqlite3.connect(sys.argv[1]).execute(RECOMPUTED).fetchall()\n"
    "print(json.dumps(rows, ensure_ascii=False))"
)


def test_the_short_name_is_the_same_whichever_name_the_regions_file_gives() -> None:
    assert short_name("2213", {**REGIONS, "2213": "凉山彝族自治州"}) == "凉山州"
    assert short_name("2213") == "凉山州"
    assert short_name("2202", {**REGIONS, "2213": "凉山彝族自治州"}) == "绵阳市"


def test_a_city_s_blanks_stay_one_recipient_after_the_regions_file_names_it_officially(
    renamed: Path, tmp_path: Path
) -> None:
    """The requisition and a first slip loaded with the shipped file; then the file names 2213
    凉山彝族自治州. A second slip to the same bureau was refused 没有“凉山彝族自治州”的申领计划,
    and the city's certificates counted under the new name, apart from its blanks."""
    probe = run(
        renamed, "-c", "from registry.domain.regions import REGIONS; print(REGIONS['2213'])"
    )
    assert probe.stdout.strip() == "凉山彝族自治州", probe.stderr  # the copy is what runs
    db = tmp_path / "registry.db"
    asked = [requisition(LIANGSHAN, 4, 4, 1, city="同意 2012-02-10")]
    assert load(db, tmp_path / "req.csv", "requisitions", asked)["exit_code"] == 0
    first = [dispatch(LIANGSHAN, 3, 4, 1, day="2012-03-12")]
    assert load(db, tmp_path / "disp1.csv", "dispatches", first)["exit_code"] == 0

    second = write(tmp_path / "disp2.csv", "dispatches", [dispatch(LIANGSHAN, 1, day="2012-03-13")])
    sync = ["sync", "--db", str(db)]
    report = certreg(renamed, *sync, str(second), "--kind", "dispatches", "--authority", "2200")
    assert report["ok"] is True, report["registers"]
    roster = write(
        tmp_path / "liangshan.csv", "approval-roster", [roster_row("丙一", "初级", "C1122130001")]
    )
    city = [
        "--authority",
        "2213",
        "--approval-doc",
        "凉人社〔2012〕1号",
        "--issued-on",
        "2012-03-15",
    ]
    report = certreg(
        renamed, *sync, str(roster), "--kind", "approval-roster", *city, "--year-code", "11"
    )
    assert report["ok"] is True, report["registers"]

    lines = certreg(renamed, "stock", "--db", str(db))["lines"]
    assert isinstance(lines, list)
    table = [(line["recipient"], line["letter"], *(line[f] for f in FIGURES)) for line in lines]
    assert table == [
        # recipient  level  req appr disp reg bal
        ("凉山州", "C", 4, 4, 4, 1, 3),
        ("凉山州", "Z", 4, 4, 4, 0, 4),
        ("凉山州", "G", 1, 1, 1, 0, 1),
    ]
    recomputed = json.loads(run(renamed, "-c", _RECOMPUTED, str(db)).stdout)
    assert [
        (row[0], row[3], row[4], row[5], row[6], row[7], row[10]) for row in recomputed
    ] == table


def test_an_older_registrys_blanks_under_the_official_name_are_recorded_under_the_short_one(
    tmp_path: Path,
) -> None:
    """A certreg before 2026.12.6.2 recorded 凉山州's blanks as 凉山彝族自治州 when the regions file
    named it so; the first write connection records them under the short name (user_version
    10), so the stock counts them with the city's later slips and certificates."""
    db = tmp_path / "registry.db"
    asked = [requisition(LIANGSHAN, 4, 4, 1, city="同意 2012-02-10")]
    assert load(db, tmp_path / "req.csv", "requisitions", asked)["exit_code"] == 0
    given = [dispatch(LIANGSHAN, 3, 4, 1, day="2012-03-12")]
    assert load(db, tmp_path / "disp.csv", "dispatches", given)["exit_code"] == 0
    tables = ("requisitions", "dispatches", "stock_parts")
    with sqlite3.connect(db) as conn:  # as the older certreg wrote them
        for table in tables:
            conn.execute(f"UPDATE {table} SET recipient = '凉山彝族自治州'")
        conn.execute("PRAGMA user_version = 9")
    store.connect(db).close()
    with sqlite3.connect(db) as conn:
        recipients = {
            table: {r for (r,) in conn.execute(f"SELECT DISTINCT recipient FROM {table}")}
            for table in tables
        }
    assert recipients == dict.fromkeys(tables, {"凉山州"})
