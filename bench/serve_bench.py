"""The serving benchmark: the same registry served several ways, on the same machine, in one run.

Each server is pinned to core 0 (``taskset -c 0``) and wrk to core 1, 32 connections, a warm-up
and then a timed run. The requests cycle through real certificates of the registry:

- ``POST /api/v1/verify`` of the verification app (what ``certreg serve`` runs) with the README's
  production settings: its uvicorn command (``--factory verify_app.app:app_from_environ
  --no-proxy-headers --no-access-log …``, one worker as the server has one core), its
  environment (the proxy on 127.0.0.1 trusted, a public URL for receipt links), rate limit on
  with a limit far above the load, verification log on;
- Datasette's row JSON for the same numbers (``datasette serve -i``);
- the fair ceiling: a bare Starlette route doing the same work in the least code (primary-key
  read, name compare, the same JSON; `bench.ceiling.lookup_app`) under the same uvicorn, and the
  framework alone (a constant JSON) for reference;
- the HTML result page (``POST /check`` from the form, with its CSRF cookie and token);
- the shipped deployment (`bench.deployment`: nginx with TLS, ``deploy/nginx/certreg.conf``) in
  front of one replica, and of two replicas sharing their limits through Redis — everything
  server-side on core 0 too, so it shows the cost of the proxy and of the shared limit, not the
  gain of a second machine.

Each run also reads the CPU time the server side (every process of it) used during the timed
run: CPU per request, from which a core's capacity can be projected (1 s / CPU per request).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.deployment import Missing
from bench.processes import fetch, server
from bench.report import Target, table
from bench.scenarios import Plan, has_verify_app, plans
from bench.wrk import Load, ensure_wrk, load, lua_script


@dataclass
class Scenario:
    label: str
    loads: list[Load] = field(default_factory=list)
    """one per round, in the order measured"""
    note: str = ""

    @property
    def load(self) -> Load | None:
        """The round with the median requests/s (its latencies with it)."""
        if not self.loads:
            return None
        return sorted(self.loads, key=lambda load: load.rps)[(len(self.loads) - 1) // 2]


@dataclass
class ServeResults:
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)


def run(
    registry: Path,
    work: Path,
    seconds: int,
    warmup: int,
    install: bool,
    say: Callable[[str], None] = print,
    rounds: int = 1,
) -> ServeResults:
    """Measure every scenario that can run here, ``rounds`` times, the scenarios taking turns so
    that a slow minute of a shared machine does not fall on one of them alone; the others say
    why they were not measured."""
    results = ServeResults()
    wrk = ensure_wrk(install, say)
    has_app = has_verify_app()
    all_plans = plans(registry)
    for key, plan in all_plans.items():
        scenario = results.scenarios[key] = Scenario(plan.label)
        if wrk is None:
            scenario.note = "not measured: wrk is not installed (apt-get install wrk)"
        elif "verify_app.app:app_from_environ" in plan.argv and not has_app:
            scenario.note = "not yet measured: this checkout has no verification app yet"
    for round_number in range(1, rounds + 1):
        for key, plan in all_plans.items():
            scenario = results.scenarios[key]
            if scenario.note or wrk is None:
                continue
            say(f"serving, round {round_number}/{rounds}: {plan.label} …")
            measured = _measure(plan, wrk, work / key, seconds, warmup)
            if isinstance(measured, str):
                scenario.note = measured
                continue
            scenario.loads.append(measured)
    for scenario in results.scenarios.values():
        errors = sum(load.errors for load in scenario.loads)
        if errors:
            scenario.note = f"{errors} non-2xx responses or socket errors"
    results.targets = targets(results.scenarios)
    return results


def _measure(plan: Plan, wrk: str, stem: Path, seconds: int, warmup: int) -> Load | str:
    """One warm-up and timed run against a freshly started server, or why it could not run."""
    if plan.start is not None:
        starting = plan.start(stem)
    else:
        starting = server(plan.argv, plan.env, plan.ready, stem.with_suffix(".log"))
    try:
        with starting as (base, roots):
            bodies, headers = plan.session(base) if plan.session else (plan.bodies, plan.headers)
            body = bodies[0] if bodies else None
            answer = fetch(base, plan.method, plan.paths[0], body, headers)
            if not plan.expect(answer.status, answer.text):
                return (
                    f"not measured: {plan.paths[0]} answered {answer.status}: {answer.text[:200]!r}"
                )
            script = stem.with_suffix(".lua")
            script.write_text(lua_script(plan.method, plan.paths, bodies, headers))
            return load(wrk, base, script, seconds, warmup, roots)
    except Missing as exc:
        return f"not measured: {exc}"


def _ratio(a: Scenario, b: Scenario) -> float | None:
    return a.load.rps / b.load.rps if a.load and b.load else None


def targets(s: dict[str, Scenario]) -> list[Target]:
    verify = s["verify"].load
    return [
        Target(
            "verify ÷ Datasette row JSON (req/s)", _ratio(s["verify"], s["datasette"]), 5, False
        ),
        Target("verify ÷ fair ceiling (req/s)", _ratio(s["verify"], s["ceiling"]), 0.6, False),
        Target("verify p99", verify.p99 if verify else None, 15, True, unit=" ms"),
        Target(
            "HTML page ÷ Datasette row JSON (req/s)", _ratio(s["html"], s["datasette"]), 3, False
        ),
    ]


def _cpu(load: Load) -> str:
    return "—" if load.cpu_us is None else f"{load.cpu_us:,.0f} µs"


def scenarios_table(s: dict[str, Scenario]) -> str:
    base = s["datasette"].load
    rows = []
    for scenario in s.values():
        load = scenario.load
        if load is None:
            rows.append([scenario.label, "—", "—", "—", "—", "—", "—", scenario.note])
            continue
        ratio = f"{load.rps / base.rps:.2f}×" if base else "—"
        rows.append(
            [
                scenario.label,
                f"{load.rps:,.0f}",
                f"{load.p50:.2f} ms",
                f"{load.p99:.2f} ms",
                _cpu(load),
                ratio,
                " ".join(f"{each.rps:,.0f}" for each in scenario.loads),
                scenario.note,
            ]
        )
    headers = ["server", "req/s", "p50", "p99", "CPU/request", "÷ Datasette", "rounds (req/s)"]
    return table([*headers, "note"], rows)


def replicas_table(s: dict[str, Scenario]) -> str:
    """One replica and two behind nginx, and what a core of each arrangement can carry: the
    server side's CPU per request (nginx, replicas, Redis) turned into requests per core-second.
    Everything runs on one core here, so two replicas cannot be faster than one: the figure to
    carry to a machine with more cores is the CPU per request, not the req/s."""
    direct = s["verify"].load
    rows = []
    for key in ("verify", "nginx1", "nginx1redis", "nginx2"):
        scenario = s[key]
        load = scenario.load
        if load is None:
            rows.append([scenario.label, "—", "—", "—", "—", "—", scenario.note])
            continue
        per_core = f"{1e6 / load.cpu_us:,.0f}" if load.cpu_us else "—"
        ratio = f"{load.rps / direct.rps:.2f}×" if direct else "—"
        rows.append(
            [scenario.label, f"{load.rps:,.0f}", ratio, f"{load.p99:.2f} ms", _cpu(load)]
            + [per_core, scenario.note]
        )
    headers = ["server side (all on core 0)", "req/s", "÷ 1 replica direct", "p99"]
    headers += ["CPU/request", "req/s per core (projected)", "note"]
    return table(headers, rows)


def as_json(results: ServeResults) -> dict[str, object]:
    return {
        "scenarios": {
            k: asdict(v) | {"median": asdict(v.load) if v.load else None}
            for k, v in results.scenarios.items()
        },
        "targets": [asdict(t) | {"verdict": t.verdict} for t in results.targets],
    }
