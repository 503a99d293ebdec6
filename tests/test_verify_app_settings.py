"""Settings from the environment (Starlette Config) and the 500 page."""

from __future__ import annotations

import re
import shlex
import sqlite3
from pathlib import Path

import pytest
from starlette.datastructures import Secret
from starlette.testclient import TestClient

from registry.cli.variables import unknown_settings
from registry.public.proxies import with_other_forms
from tests.verify_fixtures import SECRET, VALID, post_check, registry_db, template_of
from verify_app.app import create_app
from verify_app.registry_pool import RegistryUnreadable
from verify_app.settings import Settings, SettingsProblem

__all__ = ["registry_db"]


def test_settings_from_environ() -> None:
    settings = Settings.from_environ(
        {
            "CERTREG_DB": "/srv/registry.db",
            "CERTREG_SECRET": SECRET,
            "CERTREG_RATE_LIMIT": "0",
            "CERTREG_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8",
            "CERTREG_RATE_LIMIT_STORAGE": "redis://cache:6379",
            "CERTREG_RECEIPT_DAYS": "30",
            "CERTREG_STALE_DAYS": "7",
            "CERTREG_PUBLIC_URL": "https://zscx.example.gov.cn",
            "CERTREG_MIN_FREE_BYTES": "1048576",
        }
    )
    assert settings.db == Path("/srv/registry.db")
    assert settings.log_db == Path("/srv/verify_log.db")
    assert str(settings.secret) == SECRET
    assert SECRET not in repr(settings)  # Secret hides itself
    assert settings.rate_limit == 0
    assert settings.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    assert settings.rate_limit_storage == "redis://cache:6379"
    assert (settings.receipt_days, settings.stale_days) == (30, 7)
    assert settings.public_url == "https://zscx.example.gov.cn"
    assert settings.min_free_bytes == 1048576


def test_defaults_and_db_option_wins() -> None:
    settings = Settings.from_environ(
        {"CERTREG_SECRET": SECRET, "CERTREG_DB": "/elsewhere.db"}, db=Path("x/registry.db")
    )
    assert settings.db == Path("x/registry.db")
    assert (settings.rate_limit, settings.receipt_days, settings.trusted_proxies) == (30, 90, ())
    assert settings.rate_limit_storage == "memory://"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "CERTREG_SECRET 未设置或太短"),
        ({"CERTREG_SECRET": "short"}, "CERTREG_SECRET 未设置或太短"),
        (
            {"CERTREG_SECRET": SECRET, "CERTREG_RATE_LIMIT": "lots"},
            "环境变量 CERTREG_RATE_LIMIT 的值“lots”不是整数",
        ),
        (
            {"CERTREG_SECRET": SECRET, "CERTREG_TRUSTED_PROXIES": "localhost"},
            "“localhost”不是 IP 地址或网段",
        ),
        (
            {"CERTREG_SECRET": SECRET, "CERTREG_TRUSTED_PROXIES": "10.0.0.5, 127.0.0.l"},
            "“127.0.0.l”不是 IP 地址或网段",
        ),
        ({"CERTREG_SECRET": SECRET, "CERTREG_RATE_LIMIT": "-1"}, "CERTREG_RATE_LIMIT 不能为负数"),
        (
            {"CERTREG_SECRET": SECRET, "CERTREG_MIN_FREE_BYTES": "-1"},
            "CERTREG_MIN_FREE_BYTES 不能为负数",
        ),
        (  # every receipt expired as it was issued
            {"CERTREG_SECRET": SECRET, "CERTREG_RECEIPT_DAYS": "0"},
            "CERTREG_RECEIPT_DAYS（查验回执的有效天数）应在 1 到 36500 之间",
        ),
        (  # every new receipt's token too long to open (回执无效)
            {"CERTREG_SECRET": SECRET, "CERTREG_RECEIPT_DAYS": "100000"},
            "CERTREG_RECEIPT_DAYS（查验回执的有效天数）应在 1 到 36500 之间",
        ),
        (  # the README's command, copied into a systemd EnvironmentFile, which runs none
            {"CERTREG_SECRET": "$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"},
            "CERTREG_SECRET 的值是一条没有运行的命令",
        ),
        (
            {"CERTREG_SECRET": SECRET, "CERTREG_PUBLIC_URL": "zscx.example.gov.cn"},
            "CERTREG_PUBLIC_URL 应是完整的网址",
        ),
        (  # a receipt's link would be http:///r/…
            {"CERTREG_SECRET": SECRET, "CERTREG_PUBLIC_URL": "http://"},
            "CERTREG_PUBLIC_URL 应是完整的网址",
        ),
    ],
)
def test_bad_settings_say_what_to_do(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsProblem, match=message):
        Settings.from_environ(environ)


def test_trusted_proxies_are_addresses_or_networks() -> None:
    environ = {"CERTREG_SECRET": SECRET, "CERTREG_TRUSTED_PROXIES": "10.0.0.5, 10.0.1.0/24, ::1"}
    assert Settings.from_environ(environ).trusted_proxies == ("10.0.0.5", "10.0.1.0/24", "::1")


@pytest.mark.parametrize(
    "value", ["10.0.0.10 10.0.0.11", "10.0.0.10;10.0.0.11", "10.0.0.10; 10.0.0.11"]
)
def test_trusted_proxies_may_be_separated_by_spaces_or_semicolons(value: str) -> None:
    """``10.0.0.10 10.0.0.11`` was refused as no address, without a word of the commas the
    list wanted (an operator's review): spaces and semicolons separate it too."""
    environ = {"CERTREG_SECRET": SECRET, "CERTREG_TRUSTED_PROXIES": value}
    assert Settings.from_environ(environ).trusted_proxies == ("10.0.0.10", "10.0.0.11")


def test_a_proxy_network_with_host_bits_is_read_as_its_network_and_the_journal_told(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """uvicorn reads ``10.9.8.7/16`` strictly, as no network (a review): it is read as the
    network it lies in, and the journal says so — and how to trust the one host instead."""
    environ = {"CERTREG_SECRET": SECRET, "CERTREG_TRUSTED_PROXIES": "10.9.8.7/16, 10.0.0.0/8"}
    assert Settings.from_environ(environ).trusted_proxies == ("10.9.0.0/16", "10.0.0.0/8")
    assert "“10.9.8.7/16”不是网段的起始地址，按它所在的网段 10.9.0.0/16 采用" in caplog.text
    assert "只信任这一台主机时请写 10.9.8.7" in caplog.text


def test_several_trusted_proxies_are_documented_as_a_systemd_unit_keeps_them() -> None:
    """Spaces separate proxies, but a unit's ``Environment=`` line splits an unquoted value at
    them into assignments: the proxies after the first were no assignment, and dropped (a
    review). The README's quoted line, read as systemd reads it, keeps both; and every shipped
    unit's ``Environment=`` words are assignments."""
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    [line] = re.findall(r"`(Environment=\"CERTREG_TRUSTED_PROXIES=[^`]*)`", readme)
    [assignment] = shlex.split(line.removeprefix("Environment="))
    name, _, value = assignment.partition("=")
    settings = Settings.from_environ({"CERTREG_SECRET": SECRET, name: value})
    assert settings.trusted_proxies == ("10.0.0.10", "10.0.0.11")
    for unit in (root / "deploy" / "systemd").glob("*.service"):
        lines = unit.read_text(encoding="utf-8").splitlines()
        for line in (line for line in lines if line.startswith("Environment=")):
            assert all("=" in word for word in shlex.split(line.removeprefix("Environment=")))


def test_a_proxy_refused_says_how_several_are_written() -> None:
    environ = {"CERTREG_SECRET": SECRET, "CERTREG_TRUSTED_PROXIES": "10.0.0.10/nginx"}
    with pytest.raises(SettingsProblem, match="多个地址之间用逗号分隔"):
        Settings.from_environ(environ)


@pytest.mark.parametrize(
    ("value", "count"),
    [("64MiB", 64 * 1024**2), ("64m", 64 * 1024**2), ("1G", 1024**3), ("512 KiB", 512 * 1024)],
)
def test_byte_settings_take_units(value: str, count: int) -> None:
    """``CERTREG_MIN_FREE_BYTES=64MiB`` was refused as no whole number, with 30 for an example
    (an operator's review): byte counts take K, M and G, counted in 1024s as nginx does."""
    environ = {
        "CERTREG_SECRET": SECRET,
        "CERTREG_MIN_FREE_BYTES": value,
        "CERTREG_MAX_BODY_BYTES": value,
    }
    settings = Settings.from_environ(environ)
    assert (settings.min_free_bytes, settings.max_body_bytes) == (count, count)


@pytest.mark.parametrize(
    ("variable", "value", "example"),
    [
        ("CERTREG_MIN_FREE_BYTES", "64 megabytes", "如 67108864 或 64MiB"),
        ("CERTREG_MAX_BODY_BYTES", "1.5M", "如 1048576 或 1MiB"),
        ("CERTREG_WATCH_DAYS", "a year", "如 400"),
    ],
)
def test_a_number_refused_is_given_an_example_of_its_own(
    variable: str, value: str, example: str
) -> None:
    with pytest.raises(SettingsProblem, match=example):
        Settings.from_environ({"CERTREG_SECRET": SECRET, variable: value})


def test_registry_is_opened_read_only(registry_db: Path) -> None:
    app = create_app(Settings(db=registry_db, secret=Secret(SECRET)))
    with TestClient(app):
        with app.state.verifier.registry.connection() as conn:
            with pytest.raises(sqlite3.OperationalError, match="readonly|read-only"):
                conn.execute("UPDATE certificates SET status = 'revoked'")


def test_missing_registry_fails_at_startup(tmp_path: Path) -> None:
    app = create_app(Settings(db=tmp_path / "absent.db", secret=Secret(SECRET)))
    with pytest.raises(RegistryUnreadable, match="unable to open"), TestClient(app):
        pass
    assert not (tmp_path / "absent.db").exists()


def test_unexpected_failure_gets_the_500_page(registry_db: Path) -> None:
    app = create_app(Settings(db=registry_db, secret=Secret(SECRET)))

    def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    app.state.verifier.check_many = broken
    with TestClient(app, raise_server_exceptions=False) as client:
        page = post_check(client, *VALID)
        api = client.post("/api/v1/verify", json={"number": VALID[0], "name": VALID[1]})
    assert page.status_code == 500
    assert template_of(page) == "500.html"
    assert "disk on fire" not in page.text and "Traceback" not in page.text
    assert page.headers["X-Frame-Options"] == "DENY"
    assert api.status_code == 500
    assert api.json()["error"] == "server_error"


def test_a_misspelt_setting_is_named_with_the_one_it_likely_meant() -> None:
    """An administrator's review: CERTREG_RATELIMIT=10 in an environment file started the
    service with the default limit, and nothing said so."""
    warnings = unknown_settings(
        ["CERTREG_RATELIMIT", "CERTREG_STAFF_wangli", "CERTREG_DB", "PATH", "CERTREG_FOO"]
    )
    assert warnings == [
        "环境变量 CERTREG_FOO 不是 certreg 的设置，不起作用：请核对变量名（各项设置见 README、docs/DEPLOY.md 和 deploy/env/）。",
        "环境变量 CERTREG_RATELIMIT 不是 certreg 的设置，不起作用：是否应为 CERTREG_RATE_LIMIT？",
    ]


def test_every_variable_the_project_names_is_known() -> None:
    """A setting added to the code or the docs but not to the list would be warned about as
    misspelt when it is set."""
    root = Path(__file__).resolve().parent.parent
    files = [root / "README.md", *(root / "docs").glob("*.md")]
    for folder in ("registry", "verify_app", "datasette_config", "deploy"):
        files += [
            p for p in (root / folder).rglob("*") if p.suffix in {".py", ".env", ".service", ".yml"}
        ]
    files.remove(root / "registry" / "cli" / "variables.py")  # its example is a misspelling
    named = {
        m for p in files for m in re.findall(r"CERTREG_[A-Z0-9_]*[A-Z0-9]", p.read_text("utf-8"))
    }
    test_only = {"CERTREG_UPDATE_SCREENSHOT"}  # read by the browser tests, not by certreg
    assert unknown_settings(named - test_only - {"CERTREG_STAFF"}) == []


def test_each_trusted_proxy_is_known_in_both_forms_a_socket_reports() -> None:
    """A server bound to :: sees nginx on 127.0.0.1 as ::ffff:127.0.0.1 (a review: every
    client counted as the proxy); a list written in that form still knows an IPv4 peer."""
    forms = with_other_forms(("127.0.0.1", "10.0.0.0/8", "::ffff:192.0.2.1", "::1", "*"))
    assert forms == (
        "127.0.0.1",
        "::ffff:127.0.0.1",
        "10.0.0.0/8",
        "::ffff:10.0.0.0/104",
        "::ffff:192.0.2.1",
        "192.0.2.1",
        "::1",
        "*",
    )
