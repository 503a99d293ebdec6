"""The shipped staff site, really run on loopback: Debian's nginx with
``deploy/nginx/certreg-staff.conf`` (TLS with a throw-away certificate; rendered by
`bench.deployment`) in front of a real ``certreg browse`` started as its unit is, trusting the
proxy: each member of staff's own address reaches the login throttle, the session cookie is
Secure over https, plain http is sent to https, and the access log keeps no search.
"""

from __future__ import annotations

import subprocess
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest

from bench.deployment import Missing, prepare_nginx, staff_site_config
from tests.datasette_fixtures import (
    SAMPLES,
    STAFF_PASSWORD,
    STAFF_USER,
    log_in,
    running_browse,
    sync,
)
from tests.servers import stop
from tests.test_deploy_nginx import client_from, free_ports
from tests.test_replicas import wait_for


@dataclass
class StaffSite:
    https: str
    http: str
    access_log: Path


def login_page(base: str) -> bool:
    try:
        return httpx.get(f"{base}/-/login", verify=False).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def staff_site(tmp_path: Path) -> Iterator[StaffSite]:
    db = tmp_path / "data" / "registry.db"
    assert sync(SAMPLES, db) == 0
    prefix = tmp_path / "nginx"
    with ExitStack() as stack:
        browse = stack.enter_context(
            running_browse(db, {"CERTREG_TRUSTED_PROXIES": "127.0.0.1"}, tmp_path / "browse.log")
        )
        port = int(urllib.parse.urlsplit(browse).port or 0)
        http, https = free_ports(2)
        try:
            command = prepare_nginx(prefix, staff_site_config(port, http, https, prefix))
        except Missing as exc:
            pytest.skip(f"{exc}; .ci/run installs it")
        nginx = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stack.callback(stop, nginx, 30)
        base = f"https://127.0.0.1:{https}"
        wait_for("nginx", lambda: login_page(base), [prefix / "logs" / "error.log"])
        yield StaffSite(
            base, f"http://127.0.0.1:{http}", prefix / "logs" / "certreg-staff.access.log"
        )


def test_staff_behind_nginx_sign_in_over_https_each_at_their_own_address(tmp_path: Path) -> None:
    with staff_site(tmp_path) as site:
        plain = httpx.get(f"{site.http}/registry", verify=False)
        assert plain.status_code == 301
        assert plain.headers["location"].startswith("https://")

        with client_from("127.0.0.3") as guesser, client_from("127.0.0.4") as staff:
            guesser.base_url = httpx.URL(site.https)
            # five wrong passwords from one address, each for another name: that address waits
            statuses = [log_in(guesser, f"guess{i}", "wrong").status_code for i in range(6)]
            assert statuses[-1] == 429, statuses

            staff.base_url = httpx.URL(site.https)  # another member of staff: not held up
            signed = log_in(staff, STAFF_USER, STAFF_PASSWORD)
            assert signed.status_code == 302, signed.text
            cookie = signed.headers["set-cookie"].lower()
            assert "ds_actor=" in cookie and "secure" in cookie and "httponly" in cookie
            page = staff.get("/registry/holders", params={"姓名": "张三明"})
            assert page.status_code == 200 and "张三明" in page.text
            assert page.headers["strict-transport-security"].startswith("max-age=")

    logged = site.access_log.read_text(encoding="utf-8")
    assert "127.0.0.4" in logged and "/registry/holders?[query]" in logged
    assert "%E5%BC%A0" not in logged and "张" not in logged
