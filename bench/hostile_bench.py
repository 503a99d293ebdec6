"""The hostile-upload benchmark: normal checks keep their latency while anonymous visitors upload
spreadsheets built to crash or swell the server (issue #13).

One verification app with the production command and settings of `bench.serve_bench` (server
on core 0, wrk on core 1). wrk sends normal ``POST /api/v1/verify`` checks twice: once alone,
then while `UPLOADERS` clients keep a hostile upload each in flight to ``POST /batch`` for the
whole run. Reported: the server process's own peak resident set (``VmHWM``; the guarded parse
runs in child processes, whose memory is the guard's limits' business), the errors among the
normal checks during the attack, their p99 under attack ÷ without, and what the uploads got.
"""

from __future__ import annotations

import json
import re
import secrets
import statistics
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.processes import fetch, server
from bench.report import Target, table
from bench.scenarios import RATE_LIMIT, plans, sample
from bench.wrk import Load, ensure_wrk, load, lua_script

UPLOADERS = 8
MAX_RSS_MB = 300
MAX_P99_RATIO = 3.0


CORPUS = (
    "xfd1048576.xlsx",
    "xfd3000.xlsx",
    "shared-strings-950mb.xlsx",
    "shared-strings-20m.xlsx",
    "billion-laughs.xlsx",
    "ods-rows.ods",
)
"""Files of the test corpus (`tests.hostile_files`) that took the previous version down or
swelled it: aborts, gigabytes, seconds of parsing."""


def corpus(folder: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of the `CORPUS` files, built under ``folder``."""
    from tests.hostile_files import HOSTILE, build

    by_name = {h.name: h for h in HOSTILE}
    return [(name, build(folder, by_name[name]).read_bytes()) for name in CORPUS]


# Uploading like a browser: the CSRF cookie and token of GET /batch, then the multipart form.

_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def upload(base: str, filename: str, data: bytes) -> int:
    """POST one file to /batch as the page's form does; the status (0: no answer)."""
    form = fetch(base, "GET", "/batch")
    token = _TOKEN.search(form.text)
    if not token:
        return 0
    boundary = secrets.token_hex(16)
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'.encode(),
            token[1].encode(),
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode(),
            data,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    request = urllib.request.Request(
        base + "/batch",
        data=body,
        method="POST",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in form.cookies.items()),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


class Attack:
    """`UPLOADERS` threads, each keeping one hostile upload in flight until stopped."""

    def __init__(self, base: str, files: list[tuple[str, bytes]]) -> None:
        self.base = base
        self.files = files
        self.statuses: Counter[int] = Counter()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(UPLOADERS)
        ]

    def _run(self, index: int) -> None:
        turn = index
        while not self._stop.is_set():
            filename, data = self.files[turn % len(self.files)]
            status = upload(self.base, filename, data)
            with self._lock:
                self.statuses[status] += 1
            turn += 1

    def __enter__(self) -> Attack:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=180)


def _status(pid: int, field_name: str) -> float:
    """A ``/proc/<pid>/status`` memory field in MiB."""
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(rf"^{field_name}:\s+(\d+) kB", text, re.M)
    return int(match[1]) / 1024 if match else 0.0


@dataclass
class HostileResults:
    baseline: list[Load] = field(default_factory=list)
    """normal checks alone, one per round"""
    attacked: list[Load] = field(default_factory=list)
    """normal checks under attack, one per round, each right after that round's baseline"""
    peak_rss_mb: float | None = None
    """the server process's own VmHWM after both runs"""
    uploads: dict[str, int] = field(default_factory=dict)
    """status → count of the hostile uploads (0: no answer)"""
    alive: bool = False
    """the server answered /healthz after the attack"""
    note: str = ""
    targets: list[Target] = field(default_factory=list)

    @property
    def p99_ratio(self) -> float | None:
        """The median over the rounds of p99 under attack ÷ p99 alone: each pair measured back
        to back, so that a slow minute of a shared machine falls on both sides of a ratio."""
        ratios = [a.p99 / b.p99 for a, b in zip(self.attacked, self.baseline, strict=False)]
        return statistics.median(ratios) if ratios else None


def run(
    registry: Path,
    work: Path,
    seconds: int,
    warmup: int,
    install: bool,
    say: Callable[[str], None] = print,
    rounds: int = 1,
) -> HostileResults:
    """``rounds`` rounds against one server: normal checks alone, then under attack."""
    results = HostileResults()
    wrk = ensure_wrk(install, say)
    if wrk is None:
        results.note = "not measured: wrk is not installed (apt-get install wrk)"
        results.targets = targets(results)
        return results
    plan = plans(registry)["verify"]
    checks = sample(registry)
    bodies = [json.dumps({"number": n, "name": m}) for n, m in checks]
    env = {**plan.env, "CERTREG_RATE_LIMIT": RATE_LIMIT}
    say("hostile uploads: building the corpus …")
    files = corpus(work / "hostile-corpus")
    log = work / "hostile.log"
    script = work / "hostile.lua"
    script.write_text(lua_script("POST", plan.paths, bodies, plan.headers))
    with server(plan.argv, env, plan.ready, log) as (base, _):
        started = re.search(r"Started server process \[(\d+)\]", log.read_text())
        if not started:
            results.note = f"not measured: no server process id in {log}"
            return results
        pid = int(started[1])
        answer = fetch(base, "POST", plan.paths[0], bodies[0], plan.headers)
        if not plan.expect(answer.status, answer.text):
            results.note = f"not measured: {plan.paths[0]} answered {answer.status}"
            return results
        statuses: Counter[int] = Counter()
        for round_number in range(1, rounds + 1):
            say(f"hostile uploads, round {round_number}/{rounds}: normal checks alone …")
            results.baseline.append(load(wrk, base, script, seconds, warmup))
            say(f"hostile uploads, round {round_number}/{rounds}: under {UPLOADERS} uploads …")
            with Attack(base, files) as attack:
                time.sleep(1)  # every uploader has a file on its way before the timed run
                results.attacked.append(load(wrk, base, script, seconds, warmup))
            statuses.update(attack.statuses)
        results.uploads = {str(k): v for k, v in sorted(statuses.items())}
        results.alive = fetch(base, "GET", "/healthz").status == 200
        results.peak_rss_mb = _status(pid, "VmHWM")
    results.targets = targets(results)
    return results


def targets(r: HostileResults) -> list[Target]:
    errors = float(sum(load.errors for load in r.attacked)) if r.attacked else None
    return [
        Target("hostile: server peak RSS", r.peak_rss_mb, MAX_RSS_MB, True, unit=" MiB"),
        Target("hostile: errors among normal checks", errors, 0, True, unit=""),
        Target("hostile: normal p99 under attack ÷ without", r.p99_ratio, MAX_P99_RATIO, True),
    ]


def figures_table(r: HostileResults) -> str:
    rows = []
    for label, loads in (("normal checks alone", r.baseline), ("under attack", r.attacked)):
        if not loads:
            rows.append([label, "—", "—", "—", "—", "—"])
            continue
        rows.append(
            [
                label,
                f"{statistics.median(each.rps for each in loads):,.0f}",
                f"{statistics.median(each.p50 for each in loads):.2f} ms",
                f"{statistics.median(each.p99 for each in loads):.2f} ms",
                " ".join(f"{each.p99:.1f}" for each in loads),
                str(sum(each.errors for each in loads)),
            ]
        )
    headers = ["POST /api/v1/verify", "req/s", "p50", "p99", "rounds' p99 (ms)", "errors"]
    uploads = ", ".join(f"{n} × {s}" for s, n in r.uploads.items()) or "—"
    lines = [
        table(headers, rows),
        "",
        f"- medians of {len(r.baseline)} round(s); hostile uploads ({', '.join(CORPUS)}),"
        f" {UPLOADERS} at once: {uploads} (status × count; 0 = no answer)",
        "- server peak RSS (VmHWM): "
        + ("—" if r.peak_rss_mb is None else f"{r.peak_rss_mb:.0f} MiB"),
        f"- server answered /healthz afterwards: {'yes' if r.alive else 'no'}",
    ]
    if r.note:
        lines.append(f"- {r.note}")
    return "\n".join(lines)


def as_json(r: HostileResults) -> dict[str, object]:
    return {
        "baseline": [asdict(load) for load in r.baseline],
        "attacked": [asdict(load) for load in r.attacked],
        "p99_ratio": r.p99_ratio,
        "peak_rss_mb": r.peak_rss_mb,
        "uploads": r.uploads,
        "alive": r.alive,
        "note": r.note,
        "targets": [asdict(t) | {"verdict": t.verdict} for t in r.targets],
    }
