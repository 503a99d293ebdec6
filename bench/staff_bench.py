"""The staff benchmark: every page and canned query staff use in ``certreg browse``, over a
registry of about a million certificates, against the same page in a bare Datasette.

The registry is built the way a province's is (`bench.staff_registry`).

Two servers answer the same pages, in turns (each round measures one, then the other), each
pinned to core 0 while this process asks from core 1, one request at a time:

- **staff**: ``datasette serve`` exactly as ``certreg browse`` starts it (shipped metadata,
  plugins, templates, settings.json), signed in;
- **bare**: a plain ``datasette serve`` (no metadata, plugins or templates; the same time limits
  and page sizes from settings.json) over a copy of the registry as it was before the staff
  summaries: no summary tables, no facet indexes, the ``stock`` view computed from the
  certificates, and each canned query as it was then, run as SQL (with our SQL functions
  removed, so it reads the raw codes). Table pages ask for the facets metadata.yml gives.

Each page is requested ``samples`` times per round (fewer when one answer takes seconds), and
p50 and p95 are taken over all rounds. A facet that timed out is counted per answer.
"""

from __future__ import annotations

import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from datasette.app import Datasette
from datasette_auth_passwords.utils import hash_password

from bench.processes import server
from bench.report import Target, table
from bench.staff_pages import Page, pages, samples
from bench.staff_registry import StaffSizes, bare_copy, prepare
from datasette_config import config_dir
from datasette_config.launch import (
    datasette_command,
    datasette_environment,
    setting_arguments,
)
from datasette_config.session_cookies import session_cookie
from registry.store import verify_log_path

STAFF_USER = "bench"
STAFF_PASSWORD = "bench-staff-password"
PAGE_BUDGET = 20.0
"""seconds one page may take per round: a page answering in seconds gets fewer samples"""
MIN_SAMPLES = 3


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    timeouts: int = 0
    """answers that named a facet as timed out"""

    def percentile(self, share: float) -> float | None:
        if not self.seconds:
            return None
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@dataclass
class StaffResults:
    certificates: int = 0
    sync_seconds: dict[str, float] = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)
    staff: dict[str, Timing] = field(default_factory=dict)
    bare: dict[str, Timing] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)


# -- the pages --------------------------------------------------------------------------------


# -- the servers ------------------------------------------------------------------------------


TIMED_OUT = ("分面统计超时", "These facets timed out")
"""What the staff (Chinese) and the bare page say when a facet took too long."""


@dataclass(frozen=True)
class Side:
    label: str
    argv: list[str]
    env: dict[str, str]
    ready: str
    cookies: dict[str, str]


def sides(db: Path, bare: Path) -> dict[str, Side]:
    config = config_dir()
    settings = setting_arguments(config / "settings.json")
    staff = datasette_command([db, verify_log_path(db)], "127.0.0.1", 1)
    staff[staff.index("--port") + 1] = "{port}"
    secret = secrets.token_hex(32)
    password_hash = hash_password(STAFF_PASSWORD, iterations=1000)
    env = datasette_environment(
        {**os.environ, "DATASETTE_SECRET": secret, f"CERTREG_STAFF_{STAFF_USER}": password_hash}
    )
    cookie = session_cookie(Datasette(secret=secret), STAFF_USER, password_hash)
    plain = [sys.executable, "-m", "datasette", "serve", str(bare), str(verify_log_path(bare))]
    return {
        "staff": Side("staff (certreg browse)", staff, env, "/-/login", {"ds_actor": cookie}),
        "bare": Side(
            "bare Datasette",
            [*plain, "--host", "127.0.0.1", "--port", "{port}", *settings],
            {},
            "/-/versions.json",
            {},
        ),
    }


@contextmanager
def client_core() -> Iterator[None]:
    """Ask from core 1 while the server has core 0 (when there are two)."""
    before = os.sched_getaffinity(0)
    if len(before) > 1 and 1 in before:
        os.sched_setaffinity(0, {1})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def measure(
    base: str, side: Side, page_list: list[Page], bare: bool, count: int, timings: dict[str, Timing]
) -> None:
    """Ask for every page: once to warm up, then ``count`` times (fewer when slow)."""
    with httpx.Client(base_url=base, cookies=side.cookies, timeout=120) as client, client_core():
        for page in page_list:
            path = page.bare if bare else page.staff
            timing = timings.setdefault(page.label, Timing())
            client.get(path)
            spent = 0.0
            for n in range(count):
                if n >= MIN_SAMPLES and spent > PAGE_BUDGET:
                    break
                start = time.perf_counter()
                response = client.get(path)
                seconds = time.perf_counter() - start
                spent += seconds
                timing.seconds.append(seconds)
                timing.statuses.add(response.status_code)
                if any(marker in response.text for marker in TIMED_OUT):
                    timing.timeouts += 1


def run(
    out: Path, sizes: StaffSizes, certreg: str, say: Callable[[str], None] = print
) -> StaffResults:
    """Build the registry and its bare copy, then measure both servers in turns."""
    built = prepare(out, sizes, certreg, say)
    db = built.db
    results = StaffResults(built.certificates, built.sync_seconds)
    say("the bare copy: summaries, facet indexes and the new stock view removed …")
    bare = bare_copy(db, out / "work" / "staff-bare")
    values = samples(db)
    servers = sides(db, bare)
    log = out / "work"
    for round_number in range(1, sizes.rounds + 1):
        for key, side in servers.items():
            say(f"staff pages, round {round_number}/{sizes.rounds}: {side.label} …")
            with server(side.argv, side.env, side.ready, log / f"staff-{key}.log") as (
                base,
                _,
            ):
                if not results.pages:
                    first = httpx.get(
                        f"{base}/registry/holders.json",
                        params={"姓名": "王", "上页末行编号": "", "_shape": "array"},
                        cookies=side.cookies,
                        timeout=120,
                    ).json()
                    results.pages = pages(values, first[-1]["证书编号"] if first else "")
                timings = results.staff if key == "staff" else results.bare
                measure(base, side, results.pages, key == "bare", sizes.samples, timings)
    results.targets = targets(results)
    return results


def targets(results: StaffResults) -> list[Target]:
    p95 = [t.percentile(0.95) for t in results.staff.values()]
    slowest = max((p for p in p95 if p is not None), default=None)
    indexed = [page for page in results.pages if not page.unindexed]
    return [
        Target("slowest staff page, p95", slowest, 1.0, True, unit=" s"),
        Target(
            "staff answers with a facet timed out (filters on indexed columns)",
            float(sum(results.staff.get(page.label, Timing()).timeouts for page in indexed)),
            0,
            True,
            unit="",
        ),
    ]


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.0f} ms"


def pages_table(results: StaffResults) -> str:
    rows = []
    for page in results.pages:
        staff, bare = (
            results.staff.get(page.label, Timing()),
            results.bare.get(page.label, Timing()),
        )
        s50, b50 = staff.percentile(0.5), bare.percentile(0.5)
        notes = []
        for side, timing in (("staff", staff), ("bare", bare)):
            bad = sorted(code for code in timing.statuses if code != 200)
            if bad:
                notes.append(f"{side} answered {', '.join(map(str, bad))}")
        # a side that failed timed its error page, not the page
        ratio = f"{s50 / b50:.2f}×" if s50 and b50 and not notes else "—"
        facets = (
            f"{staff.timeouts}/{len(staff.seconds)} · {bare.timeouts}/{len(bare.seconds)}"
            if page.facets
            else ""
        )
        rows.append(
            [
                page.label,
                _ms(s50),
                _ms(staff.percentile(0.95)),
                _ms(b50),
                _ms(bare.percentile(0.95)),
                ratio,
                facets,
                "; ".join(notes),
            ]
        )
    header = [
        "page",
        "staff p50",
        "staff p95",
        "bare p50",
        "bare p95",
        "staff ÷ bare (p50)",
        "facet timeouts staff · bare",
        "note",
    ]
    return table(header, rows)


def as_json(results: StaffResults) -> dict[str, object]:
    return {
        "certificates": results.certificates,
        "sync_seconds": results.sync_seconds,
        "pages": {
            page.label: {
                "staff": results.staff.get(page.label, Timing()).seconds,
                "bare": results.bare.get(page.label, Timing()).seconds,
            }
            for page in results.pages
        },
        "targets": [
            {"name": t.name, "value": t.value, "verdict": t.verdict} for t in results.targets
        ],
    }
