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

import io
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.report import Target, table
from bench.serve_bench import (
    RATE_LIMIT,
    Load,
    ensure_wrk,
    fetch,
    load,
    lua_script,
    plans,
    sample,
    server,
)

UPLOADERS = 8
MAX_RSS_MB = 300
MAX_P99_RATIO = 3.0


# The corpus: small files that took the previous version down (issue #13).


def _zip(parts: dict[str, Iterator[bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, chunks in parts.items():
            with book.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk)
    return out.getvalue()


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _workbook(sheet: Iterator[bytes], shared: Iterator[bytes] | None = None) -> bytes:
    """A minimal .xlsx around a streamed worksheet (and shared strings) XML."""
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/>'
        + (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            if shared
            else ""
        )
        + "</Types>"
    )
    workbook_rels = (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        + (
            f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            if shared
            else ""
        )
        + "</Relationships>"
    )
    parts = {
        "[Content_Types].xml": iter([types.encode()]),
        "_rels/.rels": iter(
            [
                f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
                f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'.encode()
            ]
        ),
        "xl/workbook.xml": iter(
            [
                f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets><sheet name="Sheet1" '
                'sheetId="1" r:id="rId1"/></sheets></workbook>'.encode()
            ]
        ),
        "xl/_rels/workbook.xml.rels": iter([workbook_rels.encode()]),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if shared:
        parts["xl/sharedStrings.xml"] = shared
    return _zip(parts)


def _sheet(rows: bytes) -> Iterator[bytes]:
    yield f'<worksheet xmlns="{_MAIN}"><sheetData>'.encode()
    yield rows
    yield b"</sheetData></worksheet>"


def far_cell(cell: str) -> bytes:
    """One cell far from A1: python-calamine pads the sheet out to it."""
    row = re.sub(r"\D", "", cell)
    return _workbook(_sheet(f'<row r="{row}"><c r="{cell}" t="n"><v>1</v></c></row>'.encode()))


def shared_strings_bomb(mib: int = 900) -> bytes:
    """Under 1 MB: one shared string of ``mib`` MiB once inflated."""

    def shared() -> Iterator[bytes]:
        yield f'<sst xmlns="{_MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
        block = b"A" * (1 << 20)
        for _ in range(mib):
            yield block
        yield b"</t></si></sst>"

    cell = b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return _workbook(_sheet(cell), shared())


def million_rows() -> bytes:
    """1,048,576 rows (Excel's most), ~50 KB zipped."""

    def sheet() -> Iterator[bytes]:
        yield f'<worksheet xmlns="{_MAIN}"><sheetData>'.encode()
        block = b'<row><c t="n"><v>1</v></c></row>' * 4096
        for _ in range(1_048_576 // 4096):
            yield block
        yield b"</sheetData></worksheet>"

    return _workbook(sheet())


CORPUS: dict[str, Callable[[], bytes]] = {
    "cell-at-XFD1048576.xlsx": lambda: far_cell("XFD1048576"),
    "cell-at-XFD3000.xlsx": lambda: far_cell("XFD3000"),
    "shared-strings-bomb.xlsx": shared_strings_bomb,
    "million-rows.xlsx": million_rows,
}


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
    baseline: Load | None = None
    attacked: Load | None = None
    peak_rss_mb: float | None = None
    """the server process's own VmHWM after both runs"""
    uploads: dict[str, int] = field(default_factory=dict)
    """status → count of the hostile uploads (0: no answer)"""
    alive: bool = False
    """the server answered /healthz after the attack"""
    note: str = ""
    targets: list[Target] = field(default_factory=list)


def run(
    registry: Path,
    work: Path,
    seconds: int,
    warmup: int,
    install: bool,
    say: Callable[[str], None] = print,
) -> HostileResults:
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
    files = [(name, build()) for name, build in CORPUS.items()]
    log = work / "hostile.log"
    script = work / "hostile.lua"
    script.write_text(lua_script("POST", plan.paths, bodies, plan.headers))
    with server(plan.argv, env, plan.ready, log) as base:
        started = re.search(r"Started server process \[(\d+)\]", log.read_text())
        if not started:
            results.note = f"not measured: no server process id in {log}"
            return results
        pid = int(started[1])
        answer = fetch(base, "POST", plan.paths[0], bodies[0], plan.headers)
        if not plan.expect(answer.status, answer.text):
            results.note = f"not measured: {plan.paths[0]} answered {answer.status}"
            return results
        say(f"hostile uploads: {seconds} s of normal checks alone …")
        results.baseline = load(wrk, base, script, seconds, warmup)
        say(f"hostile uploads: {seconds} s of normal checks, {UPLOADERS} hostile uploads at once …")
        with Attack(base, files) as attack:
            time.sleep(1)  # every uploader has a file on its way before the timed run
            results.attacked = load(wrk, base, script, seconds, warmup)
        results.uploads = {str(k): v for k, v in sorted(attack.statuses.items())}
        results.alive = fetch(base, "GET", "/healthz").status == 200
        results.peak_rss_mb = _status(pid, "VmHWM")
    results.targets = targets(results)
    return results


def targets(r: HostileResults) -> list[Target]:
    ratio = r.attacked.p99 / r.baseline.p99 if r.attacked and r.baseline else None
    return [
        Target("hostile: server peak RSS", r.peak_rss_mb, MAX_RSS_MB, True, unit=" MiB"),
        Target(
            "hostile: errors among normal checks",
            float(r.attacked.errors) if r.attacked else None,
            0,
            True,
            unit="",
        ),
        Target("hostile: normal p99 under attack ÷ without", ratio, MAX_P99_RATIO, True),
    ]


def figures_table(r: HostileResults) -> str:
    rows = []
    for label, each in (("normal checks alone", r.baseline), ("under attack", r.attacked)):
        if each is None:
            rows.append([label, "—", "—", "—", "—"])
        else:
            rows.append(
                [
                    label,
                    f"{each.rps:,.0f}",
                    f"{each.p50:.2f} ms",
                    f"{each.p99:.2f} ms",
                    str(each.errors),
                ]
            )
    figures = table(["POST /api/v1/verify", "req/s", "p50", "p99", "errors"], rows)
    uploads = ", ".join(f"{n} × {s}" for s, n in r.uploads.items()) or "—"
    lines = [
        figures,
        "",
        f"- hostile uploads ({', '.join(CORPUS)}), {UPLOADERS} at once: {uploads}",
        "- server peak RSS (VmHWM): "
        + ("—" if r.peak_rss_mb is None else f"{r.peak_rss_mb:.0f} MiB"),
        f"- server answered /healthz afterwards: {'yes' if r.alive else 'no'}",
    ]
    if r.note:
        lines.append(f"- {r.note}")
    return "\n".join(lines)


def as_json(r: HostileResults) -> dict[str, object]:
    return {
        "baseline": asdict(r.baseline) if r.baseline else None,
        "attacked": asdict(r.attacked) if r.attacked else None,
        "peak_rss_mb": r.peak_rss_mb,
        "uploads": r.uploads,
        "alive": r.alive,
        "note": r.note,
        "targets": [asdict(t) | {"verdict": t.verdict} for t in r.targets],
    }
