"""A date a clerk writes "today" is Beijing's, whatever the server's time zone: servers run on
UTC, and before 08:00 in Sichuan every register dated today was refused as future-dated."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry.cli import cli
from registry.domain.clock import BEIJING
from tests.registers import MIANYANG, RegisterFactory, approval_row, status_event


@pytest.fixture
def clock_elsewhere(monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.date]:
    """The process's local time zone set to one whose date is not Beijing's right now (a day
    behind until 20:00 in Beijing, a day ahead after), and the local date there."""
    behind = dt.datetime.now(BEIJING).hour < 20
    monkeypatch.setenv("TZ", "Etc/GMT+12" if behind else "Etc/GMT-14")  # UTC-12 / UTC+14
    time.tzset()
    try:
        local = dt.date.today()
        assert local != dt.datetime.now(BEIJING).date()
        yield local
    finally:
        monkeypatch.undo()
        time.tzset()


def test_registers_are_dated_by_beijings_day(tmp_path: Path, clock_elsewhere: dt.date) -> None:
    """A roster issued today and a 撤销 dated today (Beijing) load however far the server's zone
    is behind; dated tomorrow (Beijing), they are refused however far it is ahead."""
    beijing = dt.datetime.now(BEIJING).date()
    day = beijing if clock_elsewhere < beijing else clock_elsewhere  # Beijing's today, tomorrow
    registers = RegisterFactory(tmp_path / "registers")
    registers.add("mianyang.csv", [approval_row("Z1122020001", "周杰")], MIANYANG)
    numbered = {"approval_doc": f"绵人社函〔{day.year}〕8号", "year_code": f"{day.year % 100}"}
    new_number = f"Z{day.year % 100}22020001"
    registers.add(
        "today.csv",
        [approval_row(new_number, "吴敏")],
        {**MIANYANG, **numbered, "issued_on": day.isoformat()},
    )
    registers.add(
        "changes.csv",
        [status_event("撤销", "Z1122020001", "周杰", day.isoformat())],
        {"kind": "status-changes", "authority": "2202"},
    )
    db = tmp_path / "registry.db"
    result = CliRunner().invoke(cli, ["sync", str(registers.folder), "--db", str(db)])
    if day == beijing:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0 and "在将来" in result.output, result.output
