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

import importlib.util
import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from bench.deployment import Missing, prepare_nginx, redis_command
from bench.report import Target, table

CONNECTIONS = 32
SAMPLE = 1000
RATE_LIMIT = "1000000000"
"""checks per minute per client: on, but far above what one client can send here"""
HTML_PAGE = "/check"
"""the HTML result page of ``certreg serve``: the form of ``GET /`` posts number and name here"""


@dataclass(frozen=True)
class Load:
    """One wrk run: requests per second and latency percentiles (ms)."""

    rps: float
    p50: float
    p99: float
    errors: int
    """non-2xx responses and socket errors"""
    cpu_us: float | None = None
    """CPU time the server side used per request during the timed run (µs, all its processes)"""


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_wrk(install: bool, say: Callable[[str], None]) -> str | None:
    """The path of wrk, installing Debian's package when it is missing and ``install`` is set."""
    found = shutil.which("wrk")
    if found or not install:
        return found
    say("wrk is missing: apt-get install -y wrk …")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        subprocess.run([*sudo, *step], check=False, capture_output=True)
    return shutil.which("wrk")


def sample(registry: Path) -> list[tuple[str, str]]:
    """(number, name) of up to `SAMPLE` certificates spread evenly over the registry."""
    conn = sqlite3.connect(f"{registry.resolve().as_uri()}?mode=ro", uri=True)
    try:
        (count,) = conn.execute("SELECT count(*) FROM certificates").fetchone()
        step = max(1, count // SAMPLE)
        rows = conn.execute(
            "SELECT number, name FROM certificates WHERE rowid % ? = 0 LIMIT ?", (step, SAMPLE)
        ).fetchall()
    finally:
        conn.close()
    return [(str(n), str(m)) for n, m in rows]


def _lua_list(items: list[str]) -> str:
    return "{\n" + ",\n".join(f"[==[{item}]==]" for item in items) + "\n}"


def lua_script(
    method: str, paths: list[str], bodies: list[str] | None, headers: dict[str, str]
) -> str:
    """A wrk script that cycles through ``paths`` (and ``bodies`` for a POST)."""
    body_list = _lua_list(bodies) if bodies else "{}"
    header_list = ", ".join(f'["{k}"] = [==[{v}]==]' for k, v in headers.items())
    return f"""-- generated by bench/serve_bench.py
local paths = {_lua_list(paths)}
local bodies = {body_list}
local headers = {{{header_list}}}
local i = 0
request = function()
  i = i % #paths + 1
  if #bodies > 0 then
    return wrk.format("{method}", paths[i], headers, bodies[(i - 1) % #bodies + 1])
  end
  return wrk.format("{method}", paths[i])
end
"""


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output: str) -> Load:
    """Requests/s, p50, p99 and errors from ``wrk --latency`` output."""

    def latency(percent: str) -> float:
        match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if not match:
            raise ValueError(f"no {percent}% latency in wrk output:\n{output}")
        return float(match[1]) * _UNITS[match[2]]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not rps:
        raise ValueError(f"no Requests/sec in wrk output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", output))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(float(rps[1]), latency("50"), latency("99"), errors)


def requests_made(output: str) -> int:
    """How many requests a wrk run completed (``N requests in …``)."""
    match = re.search(r"(\d+) requests in", output)
    if not match:
        raise ValueError(f"no request count in wrk output:\n{output}")
    return int(match[1])


def cpu_seconds(roots: list[int]) -> float:
    """User + system CPU seconds used so far by ``roots`` and all their descendants (Linux)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    wanted = set(roots)
    grew = True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in wanted} - wanted
        wanted |= more
        grew = bool(more)
    return sum(times.get(pid, 0.0) for pid in wanted)


Started = tuple[str, list[int]]
"""a running server side: its base URL and the processes (with their children) serving it"""


@contextmanager
def server(
    argv: list[str], env: dict[str, str], ready: str, log: Path, port: int | None = None
) -> Iterator[Started]:
    """Start ``argv`` pinned to core 0; yield its base URL (and pid) once ``ready`` answers 200."""
    port = port or free_port()
    command = [part.replace("{port}", str(port)) for part in argv]
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["taskset", "-c", "0", *command],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{' '.join(command)} exited; see {log}")
                try:
                    with urllib.request.urlopen(base + ready, timeout=5) as response:
                        if response.status == 200:
                            break
                except (urllib.error.URLError, OSError):
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{' '.join(command)} did not answer {ready}; see {log}")
                time.sleep(0.2)
            yield base, [process.pid]
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    cookies: dict[str, str]


def fetch(
    base: str,
    method: str,
    path: str,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request, for checking a scenario answers what it should before loading it."""
    request = urllib.request.Request(
        base + path,
        data=body.encode() if body is not None else None,
        method=method,
        headers=headers or {},
    )
    try:
        with urllib.request.urlopen(request, timeout=10, context=_UNVERIFIED) as response:
            status, raw, info = response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        status, raw, info = exc.code, exc.read(), exc.headers
    pairs = (cookie.split(";", 1)[0] for cookie in info.get_all("Set-Cookie") or [])
    cookies = dict(pair.split("=", 1) for pair in pairs if "=" in pair)
    return Answer(status, raw.decode("utf-8", errors="replace"), cookies)


_UNVERIFIED = ssl.create_default_context()
_UNVERIFIED.check_hostname = False
_UNVERIFIED.verify_mode = ssl.CERT_NONE
"""the deployment's throw-away certificate (bench.deployment.self_signed) is trusted by no one"""

_HIDDEN = re.compile(r"<input[^>]*>")
_ATTRIBUTE = re.compile(r'(name|value)="([^"]*)"')


def form_session(base: str, checks: list[tuple[str, str]]) -> tuple[list[str], dict[str, str]]:
    """Form bodies and headers for the result page as one browser sends them: the cookie and
    hidden fields (CSRF token) that ``GET /`` hands out, then number and name."""
    page = fetch(base, "GET", "/")
    form: dict[str, str] = {}
    for tag in _HIDDEN.findall(page.text):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if 'type="hidden"' in tag and "name" in attributes:
            form[attributes["name"]] = attributes.get("value", "")
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if page.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in page.cookies.items())
    bodies = [urllib.parse.urlencode({**form, "number": n, "name": m}) for n, m in checks]
    return bodies, headers


def load(
    wrk: str, base: str, script: Path, seconds: int, warmup: int, roots: list[int] | None = None
) -> Load:
    """Warm up, then a timed wrk run on core 1; with ``roots``, the server side's CPU per request."""
    argv = ["taskset", "-c", "1", wrk, "-t1", f"-c{CONNECTIONS}", "--latency", "-s", str(script)]
    subprocess.run([*argv, f"-d{warmup}s", base], capture_output=True, check=True)
    before = cpu_seconds(roots) if roots else 0.0
    result = subprocess.run(
        [*argv, f"-d{seconds}s", base], capture_output=True, text=True, check=True
    )
    measured = parse_wrk(result.stdout)
    if not roots:
        return measured
    used = cpu_seconds(roots) - before
    cpu_us = used * 1e6 / max(1, requests_made(result.stdout))
    return replace(measured, cpu_us=cpu_us)


def has_verify_app() -> bool:
    """Whether this checkout has the verification app (``certreg serve``) to measure."""
    try:
        return importlib.util.find_spec("verify_app.app") is not None
    except ModuleNotFoundError:
        return False


@dataclass(frozen=True)
class Plan:
    """How to start one server and what to ask it."""

    label: str
    argv: list[str]
    env: dict[str, str]
    ready: str
    method: str
    paths: list[str]
    bodies: list[str] | None
    headers: dict[str, str]
    expect: Callable[[int, str], bool]
    session: Callable[[str], tuple[list[str], dict[str, str]]] | None = None
    """given the running server's URL, the bodies and headers to send instead (forms)"""
    start: Callable[[Path], AbstractContextManager[Started]] | None = None
    """starts a whole server side (a deployment) instead of ``argv``; given a work path stem"""


def plans(registry: Path) -> dict[str, Plan]:
    """The scenarios over the certificates sampled from ``registry``."""
    checks = sample(registry)
    bodies = [json.dumps({"number": n, "name": m}) for n, m in checks]
    production = {
        "CERTREG_DB": str(registry),
        "CERTREG_SECRET": secrets.token_hex(32),
        "CERTREG_RATE_LIMIT": RATE_LIMIT,
        # every upload is parsed and measured, not refused by the hourly batch allowance
        "CERTREG_BATCH_ROWS_PER_HOUR": "0",
        # the README's deployment behind a proxy on the same host, with its public address
        "CERTREG_TRUSTED_PROXIES": "127.0.0.1",
        "CERTREG_PUBLIC_URL": "https://zscx.example.gov.cn",
    }
    uvicorn = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", "{port}"]
    serve = SERVE
    json_type = {"Content-Type": "application/json"}

    def verified(status: int, text: str) -> bool:
        try:
            return status == 200 and json.loads(text).get("result") == "valid"
        except ValueError:
            return False

    def shows_number(status: int, text: str) -> bool:
        return status == 200 and checks[0][0] in text

    return {
        "verify": Plan(
            "certreg app: POST /api/v1/verify",
            serve,
            production,
            "/healthz",
            "POST",
            ["/api/v1/verify"],
            bodies,
            json_type,
            verified,
        ),
        "datasette": Plan(
            "Datasette -i: row JSON /registry/certificates/<pk>.json",
            [
                sys.executable,
                "-m",
                "datasette",
                "serve",
                "-i",
                str(registry),
                "--host",
                "127.0.0.1",
                "--port",
                "{port}",
            ],
            {},
            "/-/versions.json",
            "GET",
            [f"/{registry.stem}/certificates/{n}.json" for n, _ in checks],
            None,
            {},
            shows_number,
        ),
        "ceiling": Plan(
            "fair ceiling: bare Starlette, PK read + name compare, same JSON",
            [*uvicorn, "--factory", "bench.ceiling:lookup_app", *UVICORN_FLAGS],
            {"CERTREG_DB": str(registry)},
            "/healthz",
            "POST",
            ["/api/v1/verify"],
            bodies,
            json_type,
            verified,
        ),
        "framework": Plan(
            "bare Starlette, constant JSON (framework only)",
            [*uvicorn, "bench.ceiling:framework", *UVICORN_FLAGS],
            {},
            "/healthz",
            "POST",
            ["/api/v1/verify"],
            bodies,
            json_type,
            verified,
        ),
        "html": Plan(
            "certreg app: HTML result page (POST /check)",
            serve,
            production,
            "/healthz",
            "POST",
            [HTML_PAGE],
            None,
            {},
            shows_number,
            lambda base: form_session(base, checks),
        ),
        "nginx1": Plan(
            "deployment: nginx (TLS) → 1 replica, limits in memory",
            serve,
            production,
            "/healthz",
            "POST",
            ["/api/v1/verify"],
            bodies,
            json_type,
            verified,
            start=lambda stem: behind_nginx(1, False, registry, production, stem),
        ),
        "nginx1redis": Plan(
            "deployment: nginx (TLS) → 1 replica, limits in Redis",
            serve,
            production,
            "/healthz",
            "POST",
            ["/api/v1/verify"],
            bodies,
            json_type,
            verified,
            start=lambda stem: behind_nginx(1, True, registry, production, stem),
        ),
        "nginx2": Plan(
            "deployment: nginx (TLS) → 2 replicas, limits in Redis",
            serve,
            production,
            "/healthz",
            "POST",
            ["/api/v1/verify"],
            bodies,
            json_type,
            verified,
            start=lambda stem: behind_nginx(2, True, registry, production, stem),
        ),
    }


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


def free_ports(count: int) -> list[int]:
    """``count`` different free ports (the sockets are held together: no port comes twice)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


def _wait(ready: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.1)


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def _pinned(command: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["taskset", "-c", "0", *command],
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def behind_nginx(
    count: int, shared: bool, registry: Path, env: dict[str, str], stem: Path
) -> Iterator[Started]:
    """The shipped deployment on core 0: nginx (TLS, deploy/nginx/certreg.conf) in front of
    ``count`` replicas (each its own folder, hence its own log, over the same registry file),
    their limits in Redis when ``shared``. Yields the https URL and every server-side process."""
    work = stem.parent / f"{stem.name}-site"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    *upstreams, http, https, redis_port = free_ports(count + 3)
    nginx = prepare_nginx(work / "nginx", upstreams, http, https)
    environment = dict(env)
    with ExitStack() as stack:
        roots: list[int] = []
        if shared:
            redis = stack.enter_context(
                _pinned(redis_command(redis_port, work / "redis"), work / "redis.log")
            )
            _wait(lambda: _redis_answers(redis_port), redis, "redis-server")
            roots.append(redis.pid)
            environment["CERTREG_RATE_LIMIT_STORAGE"] = f"redis://127.0.0.1:{redis_port}/0"
        for index, port in enumerate(upstreams):
            folder = work / f"replica-{index}"
            folder.mkdir()
            (folder / "registry.db").symlink_to(registry.resolve())
            replica_env = {**environment, "CERTREG_DB": str(folder / "registry.db")}
            log = work / f"replica-{index}.log"
            _, pids = stack.enter_context(server(SERVE, replica_env, "/healthz", log, port))
            roots += pids
        front = stack.enter_context(_pinned(nginx, work / "nginx.log"))
        base = f"https://127.0.0.1:{https}"
        _wait(lambda: _answers(base), front, "nginx")
        roots.append(front.pid)
        yield base, roots


def _answers(base: str) -> bool:
    try:
        return fetch(base, "GET", "/healthz").status == 200
    except OSError:
        return False


UVICORN_FLAGS = [
    "--no-proxy-headers",
    "--no-access-log",
    "--limit-concurrency",
    "200",
    "--timeout-keep-alive",
    "5",
]
"""The README's production command for the verification app (one worker: the server has one
core here), given to the ceiling apps as well"""
SERVE = [
    sys.executable,
    "-m",
    "uvicorn",
    "--host",
    "127.0.0.1",
    "--port",
    "{port}",
    "--factory",
    "verify_app.app:app_from_environ",
    *UVICORN_FLAGS,
]


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
