"""`certreg sync` waiting for Litestream to take up what it wrote (`registry.sync.replication`),
without a Litestream running: its folder beside the registry, nothing new written in it."""

from __future__ import annotations

import json
import os
import pty
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.datasette_fixtures import MIANYANG_2012
from tests.registers import RegisterFactory, approval_row


def _replicated(tmp_path: Path) -> tuple[Path, Path]:
    """A register to load, and the registry it goes to, with Litestream's folder beside it."""
    registers = RegisterFactory(tmp_path / "registers")
    registers.add("2012-mianyang.csv", [approval_row("Z1222020001", "赵一")], MIANYANG_2012)
    db = tmp_path / "data" / "registry.db"
    (db.parent / ".registry.db-litestream").mkdir(parents=True)
    return registers.folder, db


def _said_until(terminal: int, line: str | None = None) -> str:
    """What the terminal ``terminal`` shows until ``line`` appears — or all of it, when the
    command closes it first (or no ``line`` is awaited)."""
    said = b""
    while line is None or line.encode() not in said:
        try:
            read = os.read(terminal, 4096)
        except OSError:  # the command ended: the terminal is closed
            break
        if not read:
            break
        said += read
    return said.decode(errors="replace")


def test_a_stop_while_the_sync_waits_for_litestream_still_reports_what_it_loaded(
    tmp_path: Path,
) -> None:
    """The wait was silent, up to 5 s, and a clerk's Ctrl-C (or systemctl stop) in it reported
    同步已中止。本次已导入的名册：没有, exit 130 and no report, though the register was loaded
    (a review). The wait is said on the terminal, and a stop in it ends the wait only."""
    folder, db = _replicated(tmp_path)
    terminal, its_side = pty.openpty()  # the progress lines are said on a terminal only
    command = [sys.executable, "-m", "registry", "sync", str(folder), "--db", str(db)]
    sync = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=its_side, text=True)
    os.close(its_side)
    try:
        said = _said_until(terminal, "正在确认 Litestream 已取走本次同步的改动")
        stopped = sync.poll() is None
        if stopped:
            sync.send_signal(signal.SIGTERM)  # systemctl stop, as Ctrl-C is taken
        report, _ = sync.communicate(timeout=120)
        said += _said_until(terminal)
    finally:
        os.close(terminal)
    assert stopped, said  # the sync was waiting for Litestream, and said so
    assert "同步已中止" not in said
    assert (sync.returncode, "2012-mianyang.csv" in report) == (0, True), report
    assert "等待 Litestream 时中止了等待，不知道它是否已取走这次同步写入的改动" in report
    assert "已导入的名册不受影响" in report


UNPRIVILEGED = (
    ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    if os.geteuid() == 0 and shutil.which("setpriv")
    else []
)
"""Root reads a folder whatever its permissions: the sync runs without the capabilities that let
it, as the certreg user it runs as in production would."""


def _unprivileged(*args: str) -> subprocess.CompletedProcess[str]:
    """``python *args`` run as `UNPRIVILEGED`."""
    command = [*UNPRIVILEGED, sys.executable, *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)


def _unreadable(folder: Path) -> bool:
    """Whether ``folder``, its permissions taken away, cannot be read by `_unprivileged`
    (setpriv may itself be refused, in a container without the right to drop capabilities)."""
    folder.mkdir()
    folder.chmod(0)
    try:
        return (
            _unprivileged("-c", "import os, sys; os.listdir(sys.argv[1])", str(folder)).returncode
            != 0
        )
    finally:
        folder.chmod(0o755)


def test_a_litestream_folder_the_sync_cannot_read_is_said_unreadable_not_stalled(
    tmp_path: Path,
) -> None:
    """A Litestream folder the sync's user may not read was passed over by `os.walk`: after
    5 s the report warned that Litestream had stopped (a review). It says the folder could not
    be read, so whether the writes were taken up is not known."""
    if not _unreadable(tmp_path / "probe"):
        pytest.skip("permissions do not bite: root, and setpriv cannot drop its capabilities here")
    said: dict[Path, str] = {}
    for options in ((), ("--json",)):
        folder, db = _replicated(tmp_path / str(len(said)))
        kept = db.parent / ".registry.db-litestream"
        kept.chmod(0)
        try:
            result = _unprivileged("-m", "registry", "sync", str(folder), "--db", str(db), *options)
        finally:
            kept.chmod(0o755)
        assert result.returncode == 0, result.stdout + result.stderr
        said[kept] = result.stdout
    (text_kept, text), (_, as_json) = said.items()
    assert f"注意：无法读取 Litestream 的文件夹 {text_kept}" in text
    assert "不知道 Litestream 是否已取走这次同步写入的改动" in text
    assert "没有取走这些改动" not in text  # not the stalled warning
    assert json.loads(as_json)["replication"] == "unreadable"
