"""``certreg demo``: sample registry, verification app and staff Datasette, stopped by Ctrl-C."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from bench.processes import free_ports
from registry.cli import cli
from tests.datasette_fixtures import SAMPLES, log_in
from tests.servers import stop

READY = "按 Ctrl-C 停止"


def wait_for_output(path: Path, marker: str, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        text = path.read_text(encoding="utf-8", errors="replace")
        if marker in text:
            return text
        if process.poll() is not None:
            raise AssertionError(f"demo exited with {process.returncode}:\n{text}")
        time.sleep(0.2)
    raise AssertionError(f"demo never printed {marker!r}:\n{path.read_text(errors='replace')}")


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def start_demo(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path, int, int]:
    """``certreg demo`` on two free ports, its output to a file: (process, output, ports)."""
    port, browse_port = free_ports(2)  # two calls of free_port() could give one port twice
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CERTREG_", "DATASETTE_"))}
    env["PYTHONUNBUFFERED"] = "1"
    env["TMPDIR"] = str(tmp_path)  # a demo killed outright leaves its registry here, not in /tmp
    output = tmp_path / "demo.out"
    command = [sys.executable, "-m", "registry", "demo", "--samples", str(SAMPLES)]
    command += ["--port", str(port), "--browse-port", str(browse_port)]
    with output.open("wb") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=tmp_path
        )
    return process, output, port, browse_port


def test_demo_without_samples_says_where_to_run_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "--samples", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "找不到示例名册" in result.output
    assert "--samples" in result.output


def test_demo_refuses_one_port_for_both_parts() -> None:
    """Given one port twice, browse's readiness probe found serve's socket: the demo announced
    both parts, then browse died on the port — and the message named --port, not demo's own."""
    result = CliRunner().invoke(cli, ["demo", "--port", "18030", "--browse-port", "18030"])
    assert result.exit_code == 2
    assert "不能用同一个端口 18030" in result.output and "--browse-port" in result.output


def test_demo_serves_both_parts_and_stops_both_on_ctrl_c(tmp_path: Path) -> None:
    process, output, port, browse_port = start_demo(tmp_path)
    try:
        text = wait_for_output(output, READY, process)
        assert f"http://127.0.0.1:{port}/" in text
        assert f"http://127.0.0.1:{browse_port}/" in text
        login = re.search(r"用户名 demo，密码 (\S+)，", text)
        assert login, text
        registry = re.search(r"演示登记库：(\S+)", text)
        assert registry, text

        public = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/verify",
            json={"number": "Z1122020123", "name": "周杰"},
        )
        assert public.json()["result"] == "valid"

        with httpx.Client(base_url=f"http://127.0.0.1:{browse_port}") as staff:
            assert staff.get("/").status_code == 302
            assert log_in(staff, "demo", login.group(1)).status_code == 302
            rows = staff.get("/registry/certificates.json", params={"_shape": "array"}).json()
            assert "Z1122020123" in {row["number"] for row in rows}
            # The check just made is in the verification log, live (written within a moment).
            deadline = time.monotonic() + 10
            while True:
                checks = staff.get("/verify_log/checks.json", params={"_shape": "array"}).json()
                if checks or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            assert [(c["number"], c["result"]) for c in checks] == [("Z1122020123", "valid")]

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert not listening(port)
        assert not listening(browse_port)
        assert not Path(registry.group(1)).exists()
    finally:
        stop(process)


def test_an_installed_certreg_finds_its_samples_outside_the_project(tmp_path: Path) -> None:
    """The samples travel in the package: ``pip install .`` then ``certreg demo`` in any folder
    found no data/samples and stopped. The wheel holds them, and from elsewhere the installed
    code finds and loads them."""
    project = tmp_path / "project"  # a copy: setuptools builds in the source folder
    shutil.copytree(
        Path(__file__).resolve().parent.parent,
        project,
        symlinks=True,
        ignore=shutil.ignore_patterns(".*", "build", "*.egg-info", "__pycache__", "tests", "bench"),
    )
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(project),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("certreg-*.whl")
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(installed)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "from registry.cli.demo import shipped_samples; print(shipped_samples())",
        ],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env={**os.environ, "PYTHONPATH": str(installed)},
    )
    samples = Path(found.stdout.strip())
    assert samples.is_relative_to(installed), found
    dry = subprocess.run(
        [
            sys.executable,
            "-m",
            "registry",
            "sync",
            str(samples),
            "--dry-run",
            "--db",
            str(tmp_path / "r.db"),
        ],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env={**os.environ, "PYTHONPATH": str(installed)},
    )
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert dry.stdout.count("［") >= 8  # every sample register, checked
    # certreg demo itself takes them: it gets as far as the ports (one held here), not a
    # 找不到示例名册
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        demo = subprocess.run(
            [sys.executable, "-m", "registry", "demo", "--port", str(port)],
            capture_output=True,
            text=True,
            cwd=elsewhere,
            env={**os.environ, "PYTHONPATH": str(installed)},
        )
    assert demo.returncode == 2 and f"端口 {port} 已被占用" in demo.stdout + demo.stderr, demo


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGHUP], ids=["killed", "hung up"])
def test_the_demos_servers_and_registry_end_with_it_however_it_ends(
    tmp_path: Path, how: signal.Signals
) -> None:
    """Killed (kill -9, the OOM killer), the demo left both servers holding their ports, and the
    next demo refused to start; hung up (the terminal closed), it left its registry behind."""
    process, output, port, browse_port = start_demo(tmp_path)
    try:
        text = wait_for_output(output, READY, process)
        registry = re.search(r"演示登记库：(\S+)", text)
        assert registry and listening(port) and listening(browse_port), text
        process.send_signal(how)
        process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while (listening(port) or listening(browse_port)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not listening(port) and not listening(browse_port)
        if how == signal.SIGHUP:  # a clean end: its registry removed too
            assert not Path(registry.group(1)).exists()
    finally:
        stop(process)


def test_a_part_stopped_by_a_signal_stops_the_demo_without_an_error(tmp_path: Path) -> None:
    """Ctrl-C where only the parts took it (a shell that runs the demo in the background, whose
    own SIGINT is ignored): the demo said 错误：查验服务…意外退出（退出码 0）."""
    process, output, port, _ = start_demo(tmp_path)
    try:
        wait_for_output(output, READY, process)
        serve = subprocess.run(
            ["pgrep", "-P", str(process.pid), "-f", "registry serve"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        os.kill(int(serve.stdout.split()[0]), signal.SIGINT)
        assert process.wait(timeout=30) == 0
        text = output.read_text(encoding="utf-8")
        assert "查验服务（certreg serve）已停止（收到停止信号），演示随之停止" in text, text
        assert "错误" not in text and not listening(port)
    finally:
        stop(process)
