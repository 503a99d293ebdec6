"""``certreg serve``: refuses to start without a secret; a real uvicorn process answers every
result code through the page (with its CSRF form) and the API."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import httpx2 as httpx
import pytest
from click.testing import CliRunner

from registry.cli import cli
from registry.domain.statuses import RESULTS
from tests.verify_fixtures import CASES, SECRET, registry_db, running_server

__all__ = ["registry_db"]


@pytest.mark.parametrize("secret", [None, "", "short"])
def test_serve_refuses_to_start_without_a_secret(registry_db: Path, secret: str | None) -> None:
    env = {"CERTREG_SECRET": secret}
    result = CliRunner().invoke(cli, ["serve", "--db", str(registry_db)], env=env)
    assert result.exit_code == 2
    assert "CERTREG_SECRET 未设置或太短" in result.output
    assert "export CERTREG_SECRET=" in result.output


def test_serve_says_what_stops_it_before_starting(registry_db: Path, tmp_path: Path) -> None:
    """No traceback after the server started: a registry that is no SQLite file, and an address
    another program holds, are said before, in Chinese, with what to do."""
    environ = {"CERTREG_SECRET": SECRET}
    garbage = tmp_path / "registry.db"
    garbage.write_bytes(b"not a database" * 100)
    result = CliRunner().invoke(cli, ["serve", "--db", str(garbage)], env=environ)
    assert result.exit_code == 2 and "不是登记库" in result.output
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(
            cli, ["serve", "--db", str(registry_db), "--port", port], env=environ
        )
    # 2, as certreg demo exits for a busy port
    assert result.exit_code == 2 and f"无法在 127.0.0.1:{port} 上提供服务" in result.output
    assert f"端口 {port} 已被占用" in result.output


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (["--port", "99999"], "不在允许的范围内"),  # was the socket's OverflowError
        (["--host", "192.0.2.1"], "--host 应是本机的一个 IP 地址"),  # not this machine's
        (["--host", "nosuchhost.invalid"], "--host 应是本机的一个 IP 地址"),
    ],
)
def test_serve_says_which_of_host_and_port_is_wrong(
    registry_db: Path, option: list[str], said: str
) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--db", str(registry_db), *option], env={"CERTREG_SECRET": SECRET}
    )
    assert result.exit_code in (1, 2) and said in result.output, result.output
    assert "已被占用" not in result.output and "Traceback" not in result.output
    assert "Traceback" not in result.output


def test_serve_facing_others_without_a_public_url_warns(registry_db: Path) -> None:
    """Without CERTREG_PUBLIC_URL, receipt and watch links are built from each request's Host
    header, which a client chooses: said before serving on an address others reach."""
    with socket.socket() as taken:  # the address is busy: the command stops after its warnings
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        args = ["serve", "--db", str(registry_db), "--host", "0.0.0.0", "--port", port]
        bare = CliRunner().invoke(cli, args, env={"CERTREG_SECRET": SECRET})
        named = CliRunner().invoke(
            cli,
            args,
            env={"CERTREG_SECRET": SECRET, "CERTREG_PUBLIC_URL": "https://zscx.example.gov.cn"},
        )
    assert bare.exit_code == 2 and "警告：没有设置 CERTREG_PUBLIC_URL" in bare.output
    assert named.exit_code == 2 and "CERTREG_PUBLIC_URL" not in named.output


def test_serve_needs_an_existing_registry(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--db", str(tmp_path / "none.db")], env={"CERTREG_SECRET": SECRET}
    )
    assert result.exit_code == 2
    assert "不存在。登记库在别处时，请用 --db 或环境变量 CERTREG_DB" in result.output
    assert "还没有登记库时，请先运行 certreg sync" in result.output
    # a replica gets its registry by following the registry host, never by a sync of its own
    assert "在查验副本上，先运行 certreg follow" in result.output


def test_serve_rejects_a_bad_setting(registry_db: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["serve", "--db", str(registry_db)],
        env={"CERTREG_SECRET": SECRET, "CERTREG_RATE_LIMIT": "many"},
    )
    assert result.exit_code == 2
    assert "环境变量 CERTREG_RATE_LIMIT 的值“many”不是整数" in result.output


def test_serve_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "示例：" in result.output and "--port" in result.output


def test_real_server_answers_all_six_codes(registry_db: Path) -> None:
    with running_server(registry_db) as base, httpx.Client(base_url=base) as client:
        for result in RESULTS:
            number, name = CASES[result]
            body = {"number": number, "name": name, "receipt": True}
            api = client.post("/api/v1/verify", json=body)
            assert api.json()["result"] == result
            form = client.get("/")
            token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
            assert token
            page = client.post(
                "/check", data={"number": number, "name": name, "csrf_token": token.group(1)}
            )
            assert page.status_code == 200
            assert f'class="answer result-{result}"' in page.text
            if result not in ("malformed", "no_match"):  # receipts only for matches
                receipt_url = api.json()["receipt_url"]
                assert receipt_url.startswith(base)
                receipt = client.get(receipt_url)
                assert f'class="answer result-{result}"' in receipt.text
        health = client.get("/healthz").json()
    assert health["certificates"] == 17
    # said in Chinese where it answers, as browse and demo say it (uvicorn's own line: English)
    log = registry_db.parent / f"serve-{base.rsplit(':', 1)[1]}.log"
    assert f"公众查验：{base}/ （Ctrl-C 停止服务）" in log.read_text(encoding="utf-8")
