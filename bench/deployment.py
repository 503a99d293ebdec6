"""The shipped deployment (``deploy/nginx/certreg.conf``) on one machine: nginx with TLS in front
of verification replicas, their rate limits in Redis — for the serving benchmark, and for
``tests/test_deploy_nginx.py``, which runs the same rendering; and the staff site
(``deploy/nginx/certreg-staff.conf``) in front of ``certreg browse``, for its own test.

Everything listens on 127.0.0.1; the example addresses, ports and paths of the shipped site file
are replaced by this machine's, and nothing else in it is changed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "certreg.conf"
STAFF_SITE = ROOT / "deploy" / "nginx" / "certreg-staff.conf"
NGINX = "/usr/sbin/nginx"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class Missing(Exception):
    """A program the deployment needs is not installed; the message says which."""


def _loopback(site: Path, prefix: Path, http: int, https: int, **more: str) -> str:
    """``site`` listening on this machine's ports, its certificate and logs under ``prefix``,
    and ``more`` replaced: each example value must be there, so that a change of the shipped
    file's shape is noticed."""
    text = site.read_text(encoding="utf-8")
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "/var/log/nginx/": f"{prefix}/logs/",
        **more,
    }
    for example, here in replacements.items():
        if example not in text:
            raise ValueError(f"{site} no longer has {example!r}")
        text = text.replace(example, here)
    return text


def site_config(upstreams: list[int], http: int, https: int, prefix: Path) -> str:
    """deploy/nginx/certreg.conf with this machine's addresses, ports and paths."""
    text = _loopback(SITE, prefix, http, https, **{"/etc/ssl/certreg/": f"{prefix}/ssl/"})
    servers = ["server 10.0.0.11:8000", "server 10.0.0.12:8000"]
    for example in servers:
        if example not in text:
            raise ValueError(f"{SITE} no longer has {example!r}")
    return _servers(text, servers, [f"server 127.0.0.1:{port}" for port in upstreams])


def staff_site_config(browse: int, http: int, https: int, prefix: Path) -> str:
    """deploy/nginx/certreg-staff.conf in front of ``certreg browse`` on port ``browse``, the
    loopback allowed in place of the departments' networks."""
    return _loopback(
        STAFF_SITE,
        prefix,
        http,
        https,
        **{
            "/etc/ssl/certreg-staff/": f"{prefix}/ssl/",
            "allow 10.0.0.0/8;": "allow 127.0.0.0/8;",
            "proxy_pass http://127.0.0.1:8001;": f"proxy_pass http://127.0.0.1:{browse};",
        },
    )


def _servers(text: str, examples: list[str], servers: list[str]) -> str:
    """The example servers of the replicas' upstream replaced by ``servers`` (one, two or more),
    each keeping the shipped line's parameters; the first example elsewhere (the watch lists'
    upstream: the first replica only) by the first of ``servers``."""
    kept = []
    replicas = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("upstream "):
            replicas = stripped.startswith("upstream certreg_replicas ")
        if stripped.startswith(examples[0]):
            parameters = stripped.removeprefix(examples[0])
            kept += [
                f"    {server}{parameters}" for server in (servers if replicas else servers[:1])
            ]
        elif any(stripped.startswith(example) for example in examples[1:]):
            continue
        else:
            kept.append(line)
    return "\n".join(kept) + "\n"


def main_config(prefix: Path, workers: int = 1) -> str:
    """What Debian's /etc/nginx/nginx.conf provides around a site, in a temporary prefix."""
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the temp prefix
    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/temp/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log;
events {{ worker_connections 1024; }}
http {{
{temp}
    include {prefix}/certreg.conf;
}}
"""


def self_signed(folder: Path) -> None:
    """fullchain.pem and privkey.pem for zscx.example.gov.cn, valid for a day."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise Missing("openssl is not installed (apt-get install openssl)")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=zscx.example.gov.cn", "-keyout", str(folder / "privkey.pem")]
        + ["-out", str(folder / "fullchain.pem")],
        check=True,
        capture_output=True,
    )


def prepare_nginx(prefix: Path, site: str) -> list[str]:
    """Write the configuration serving ``site`` (`site_config`, `staff_site_config`) under
    ``prefix``; the nginx command line that serves it."""
    if not Path(NGINX).exists():
        raise Missing("nginx is not installed (apt-get install nginx)")
    for part in ("logs", "temp"):
        (prefix / part).mkdir(parents=True, exist_ok=True)
    self_signed(prefix / "ssl")
    (prefix / "certreg.conf").write_text(site)
    (prefix / "nginx.conf").write_text(main_config(prefix))
    command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    return [*command, "-e", str(prefix / "logs" / "error.log"), "-g", "daemon off;"]


def redis_command(port: int, folder: Path) -> list[str]:
    if not Path(REDIS_SERVER).exists():
        raise Missing("redis-server is not installed (apt-get install redis-server)")
    folder.mkdir(parents=True, exist_ok=True)
    command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    return [*command, "--appendonly", "no", "--dir", str(folder)]
