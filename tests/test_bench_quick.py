"""Smoke test of ``python -m bench --quick``: it runs and prints its tables. No timing is asserted:
speed is reported by the benchmark, never gated in CI."""

from __future__ import annotations

import asyncio
import http.server
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import click
import pytest
import yaml

from bench.__main__ import sync_sizes
from bench.in_process import measure
from bench.serve_bench import Scenario
from bench.wrk import Load, lua_script
from tests.verify_fixtures import sync_samples

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_benchmark_prints_the_tables(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--no-install", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "## Sync: 4 registers × 1,500 rows" in out
    # the certreg figure and the floor were measured (a time in seconds), not failed; certreg sync
    # exits 1 when a register is rejected, so a measured figure means every generated one was valid
    assert re.search(r"\| certreg sync, 6,000 rows, fresh registry\s*\| [\d.]+ s", out)
    assert re.search(r"\| floor: csv \+ sqlite3.executemany, one table\s*\| [\d.]+ s", out)
    for target in (
        "sync ÷ floor",
        "sqlite-utils ÷ sync",
        "no-op re-sync",
        ".xlsx sync ÷ bare read",
    ):
        assert re.search(rf"\| {re.escape(target)}\s*\| [\d.]+", out), target
    assert "## Serving: 32 connections" in out
    assert "Datasette -i: row JSON" in out


def test_the_in_process_benchmark_answers_every_request(tmp_path: Path) -> None:
    """Each request it times was answered 200 with its certificate's number (else it stops)."""
    registry = tmp_path / "registry.db"
    sync_samples(registry)
    spent = asyncio.run(measure(registry, rounds=2, checks=3, pages=2))
    assert {kind: len(rounds) for kind, rounds in spent.items()} == {"api": 2, "page": 2}
    assert all(us > 0 for rounds in spent.values() for us in rounds)


@pytest.mark.slow
def test_quick_staff_benchmark_measures_every_page_and_canned_query(tmp_path: Path) -> None:
    """``--only staff`` asks for every canned query in metadata.yml: one added without sample
    parameters in the benchmark, or a page that errors, fails here rather than in a long run."""
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "staff", "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    metadata = yaml.safe_load((ROOT / "datasette_config" / "metadata.yml").read_text("utf-8"))
    for settings in metadata["databases"].values():
        for name in settings.get("queries", {}):
            assert re.search(rf"\| query: {name} \(.*\)\s*\| \d+ ms", out), name
    assert re.search(r"\| slowest staff page, p95\s*\| [\d.]+ s", out)
    assert "answered" not in out  # every page, ours and the bare one, answered 200


def test_a_scenario_reports_its_median_round() -> None:
    rounds = [Load(rps, p50=1.0, p99=float(rps), errors=0) for rps in (3_000.0, 1_000.0, 2_000.0)]
    median = Scenario("verify", loads=rounds).load
    assert median is not None
    assert (median.rps, median.p99) == (2_000.0, 2_000.0)  # latencies of the same round
    assert Scenario("none").load is None


@pytest.mark.parametrize(("registers", "rows"), [(None, 39_996), (17, 30_000)])
def test_more_provincial_registers_than_years_is_a_usage_error(
    registers: int | None, rows: int
) -> None:
    """Only the 16 provincial rosters of 2011–2026 hold more than 3 × 9,999 rows: the old full
    size (25 × 39,996) ended in a ValueError's traceback after the options were read."""
    with pytest.raises(click.UsageError, match="only 16 numbering spaces hold"):
        sync_sizes(False, registers, rows, None)
    assert sync_sizes(False, 16, rows, None).registers == 16


@pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)"
)
def test_the_wrk_script_sends_every_body(tmp_path: Path) -> None:
    """A POST to one path sent its first body only: every check of the serving benchmark was
    of one certificate (and, with limits in Redis, its 32 at once were paused as guesses)."""
    received: set[bytes] = set()

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server's name
            received.add(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    bodies = [f'{{"number": "{n}"}}' for n in range(5)]
    script = tmp_path / "post.lua"
    script.write_text(lua_script("POST", ["/api/v1/verify"], bodies, {}))
    try:
        subprocess.run(
            [
                "wrk",
                "-t1",
                "-c1",
                "-d1s",
                "-s",
                str(script),
                f"http://127.0.0.1:{server.server_port}",
            ],
            capture_output=True,
            check=True,
            timeout=30,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert received == {body.encode() for body in bodies}
