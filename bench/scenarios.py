"""What the serving benchmarks ask of which server: the verification app as the README deploys
it, Datasette, the ceilings, the HTML page with its form, and the shipped deployment (nginx in
front of one or two replicas) — each a `Plan` over certificates sampled from the registry."""

from __future__ import annotations

import importlib.util
import json
import re
import secrets
import shutil
import sqlite3
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from bench.deployment import prepare_nginx, redis_command, site_config
from bench.processes import (
    Started,
    _answers,
    _pinned,
    _redis_answers,
    _wait,
    fetch,
    free_ports,
    server,
)

SAMPLE = 1000
RATE_LIMIT = "1000000000"
"""checks per minute per client: on, but far above what one client can send here"""


HTML_PAGE = "/check"
"""the HTML result page of ``certreg serve``: the form of ``GET /`` posts number and name here"""


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


_HIDDEN = re.compile(r"<input[^>]*>")
_ATTRIBUTE = re.compile(r'(name|value)="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden fields of a page's forms (the CSRF token), by name."""
    fields = {}
    for tag in _HIDDEN.findall(html):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if 'type="hidden"' in tag and "name" in attributes:
            fields[attributes["name"]] = attributes.get("value", "")
    return fields


def form_session(base: str, checks: list[tuple[str, str]]) -> tuple[list[str], dict[str, str]]:
    """Form bodies and headers for the result page as one browser sends them: the cookie and
    hidden fields (CSRF token) that ``GET /`` hands out, then number and name."""
    page = fetch(base, "GET", "/")
    form = hidden_fields(page.text)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if page.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in page.cookies.items())
    bodies = [urllib.parse.urlencode({**form, "number": n, "name": m}) for n, m in checks]
    return bodies, headers


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

    verify = Plan(
        "certreg app: POST /api/v1/verify",
        serve,
        production,
        "/healthz",
        "POST",
        ["/api/v1/verify"],
        bodies,
        json_type,
        verified,
    )

    def deployment(label: str, replicas: int, *, shared: bool) -> Plan:
        """The checks of "verify" sent through the shipped deployment."""
        return replace(
            verify,
            label=label,
            start=lambda stem: behind_nginx(replicas, shared, registry, production, stem),
        )

    return {
        "verify": verify,
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
        # the same checks as "verify", to servers doing the least work for them
        "ceiling": replace(
            verify,
            label="fair ceiling: bare Starlette, PK read + name compare, same JSON",
            argv=[*uvicorn, "--factory", "bench.ceiling:lookup_app", *UVICORN_FLAGS],
            env={"CERTREG_DB": str(registry)},
        ),
        "framework": replace(
            verify,
            label="bare Starlette, constant JSON (framework only)",
            argv=[*uvicorn, "bench.ceiling:framework", *UVICORN_FLAGS],
            env={},
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
        "nginx1": deployment(
            "deployment: nginx (TLS) → 1 replica, limits in memory", 1, shared=False
        ),
        "nginx1redis": deployment(
            "deployment: nginx (TLS) → 1 replica, limits in Redis", 1, shared=True
        ),
        "nginx2": deployment(
            "deployment: nginx (TLS) → 2 replicas, limits in Redis", 2, shared=True
        ),
    }


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
    nginx = prepare_nginx(work / "nginx", site_config(upstreams, http, https, work / "nginx"))
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
