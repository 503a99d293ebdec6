"""Settings of the verification app, read from the environment (SPEC §1, §7).

Starlette's ``Config`` does the reading and the casting; ``Settings`` is a plain frozen value so
tests can build an app over their own registry with ``create_app(Settings(...))``.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from starlette.config import Config
from starlette.datastructures import Secret

from registry import store
from registry.domain.authorities import (
    Authority,
)
from registry.public.contacts_file import ContactsFileProblem, read_contacts
from registry.public.proxies import VARIABLE as PROXIES_VARIABLE
from registry.public.proxies import ProxyProblem, proxy_problem, trusted_proxies
from registry.public.secret_values import unrun_command
from verify_app.storage_address import storage_problem

MIN_SECRET_LENGTH = 16
MAX_RECEIPT_DAYS = 36_500
"""A hundred years: a receipt's token carries its lifetime in at most five digits."""

SECRET_HELP = (
    "请设置环境变量 CERTREG_SECRET（至少16个字符的随机字符串，用于签名查验回执和散列日志中的姓名），例如：\n"
    "  export CERTREG_SECRET=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')\"\n"
    "多个实例须使用同一个值；更换时把旧值设为 CERTREG_PREVIOUS_SECRET，已发出的回执和填了一半的表单仍然有效。"
)


class SettingsProblem(ValueError):
    """A setting missing or unusable; the message says how to fix it."""


def optional_secret(value: str) -> Secret | None:
    """A secret setting: None when unset or empty."""
    return Secret(value) if value else None


def optional_path(value: str | None) -> Path | None:
    """A path setting: None when unset or blank."""
    return Path(value) if value and value.strip() else None


def whole_number(config: Config, variable: str, default: int) -> int:
    """The whole number ``variable`` is set to, ``default`` when unset: told in Chinese when it
    is not one (Starlette's ``cast=int`` says so in its own English words), with the default
    for an example — 30 was everyone's, a byte count's too (an operator's review)."""
    value = config(variable, default=None)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise SettingsProblem(
            f"环境变量 {variable} 的值“{value}”不是整数：请写阿拉伯数字，如 {default}"
        ) from None


BYTE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
_BYTE_COUNT = re.compile(r"(-?\d+)\s*(?:([kmg])i?b?|b)?", re.IGNORECASE)


def byte_count(config: Config, variable: str, default: int) -> int:
    """The bytes ``variable`` is set to, ``default`` when unset: a whole number, or one with
    K, M or G after it, counted in 1024s as nginx counts them (``64MiB``, ``64M``, ``1G``) —
    ``CERTREG_MIN_FREE_BYTES=64MiB`` was refused (an operator's review)."""
    value = config(variable, default=None)
    if value is None:
        return default
    found = _BYTE_COUNT.fullmatch(value.strip())
    if found is None:
        raise SettingsProblem(
            f"环境变量 {variable} 的值“{value}”不是字节数：请写阿拉伯数字，可以带单位 K、M、G"
            f"（按 1024 进位），如 {default} 或 {_in_units(default)}"
        )
    return int(found[1]) * BYTE_UNITS[(found[2] or "").lower()]


def _in_units(count: int) -> str:
    """``count`` bytes in the largest unit that holds it whole (67108864: 64MiB)."""
    for unit in ("g", "m", "k"):
        if count and count % BYTE_UNITS[unit] == 0:
            return f"{count // BYTE_UNITS[unit]}{unit.upper()}iB"
    return str(count)


def load_authorities(file: Path | None) -> dict[str, Authority]:
    """`registry.public.contacts_file.read_contacts`, its problem a `SettingsProblem`."""
    try:
        return read_contacts(file)
    except ContactsFileProblem as exc:
        raise SettingsProblem(str(exc)) from exc


@dataclass(frozen=True)
class Settings:
    """The verification app's settings: `from_environ` reads them from ``CERTREG_*`` variables
    (README, "Settings"); each field's default is the one place that default is written."""

    db: Path
    secret: Secret
    previous_secret: Secret | None = None
    """The secret before ``secret`` (``CERTREG_PREVIOUS_SECRET``), while it is being changed:
    what it signed still opens — receipts, forms filled before, report tickets — and nothing
    new is signed with it (docs/DEPLOY.md, "Changing CERTREG_SECRET")."""
    rate_limit: int = 30
    """Single checks per minute per client (page, API, receipt opened); 0 turns the limit off."""
    batch_rows_per_hour: int = 300
    """Rows an anonymous client may check in batches (upload or API) and watch lists per hour;
    0 turns the allowance off. HR systems with an API key have their key's daily quota instead."""
    name_guesses_per_hour: int = 10
    """Names not matching one number a client (or API key) may try per hour: past them, its
    checks of that number wait (`verify_app.guesses`); 0 turns the bound off."""
    name_guesses_per_day: int = 30
    """Names not matching one number that callers without an API key may try together per day:
    past them, anonymous checks of that number wait; 0 turns this bound off."""
    watch_days: int = 400
    """Days a watch list lives unopened (its page and feed unread): then it is deleted with its
    keyed name hashes; 0 keeps lists for ever."""
    reports_per_day: int = 5
    """Suspected-forgery reports a client may send per day (§五.(三))."""
    authorities_file: Path | None = None
    """The issuing departments' contacts (``CERTREG_AUTHORITIES``); None: the shipped list."""
    rate_limit_storage: str = "memory://"
    """A ``limits`` storage URI; ``redis://host:6379`` lets several workers and replicas share
    the counts (`verify_app.ratelimit.Limiter`)."""
    trusted_proxies: tuple[str, ...] = ()
    """Peers (addresses or networks) whose X-Forwarded-For header names the real client."""
    receipt_days: int = 90
    stale_days: int = 30
    """Warn on result pages when the registry's last change is older than this."""
    max_body_bytes: int = 1_048_576
    upload_concurrency: int = 2
    """Batch files parsed at once (each in its own child process); more get a 503 to retry."""
    public_url: str | None = None
    """Base of receipt links (e.g. https://zscx.example.gov.cn); default: the request's host."""
    min_free_bytes: int = 64 * 1024 * 1024
    """Free space the verification log's disk keeps; below it ``/healthz`` answers 503 from
    every worker, before a write fails (`verify_app.log_disk`); 0 turns the bound off."""

    def __post_init__(self) -> None:
        if len(str(self.secret)) < MIN_SECRET_LENGTH:
            raise SettingsProblem("CERTREG_SECRET 未设置或太短。\n" + SECRET_HELP)
        if problem := unrun_command("CERTREG_SECRET", str(self.secret)):
            raise SettingsProblem(problem)
        if self.previous_secret is not None:
            previous = str(self.previous_secret)
            if len(previous) < MIN_SECRET_LENGTH:
                raise SettingsProblem(
                    "CERTREG_PREVIOUS_SECRET 太短：应是更换前的 CERTREG_SECRET 原值（至少16个字符）"
                )
            if problem := unrun_command("CERTREG_PREVIOUS_SECRET", previous):
                raise SettingsProblem(problem)
            if previous == str(self.secret):
                raise SettingsProblem(
                    "CERTREG_PREVIOUS_SECRET 与 CERTREG_SECRET 相同：更换时前者是旧值、后者是新值；"
                    "不在更换中就不要设置 CERTREG_PREVIOUS_SECRET"
                )
        if self.upload_concurrency < 1:
            raise SettingsProblem("CERTREG_UPLOAD_CONCURRENCY（同时解析的上传文件数）至少为 1")
        if not 1 <= self.receipt_days <= MAX_RECEIPT_DAYS:  # 0 expired every receipt at once
            raise SettingsProblem(
                f"CERTREG_RECEIPT_DAYS（查验回执的有效天数）应在 1 到 {MAX_RECEIPT_DAYS} 之间"
            )
        for name in (
            "rate_limit",
            "batch_rows_per_hour",
            "reports_per_day",
            "name_guesses_per_hour",
            "name_guesses_per_day",
            "watch_days",
            "stale_days",
            "max_body_bytes",
            "min_free_bytes",
        ):
            if getattr(self, name) < 0:
                raise SettingsProblem(f"CERTREG_{name.upper()} 不能为负数")
        problem = storage_problem(self.rate_limit_storage)
        if problem:
            raise SettingsProblem(problem)
        for proxy in self.trusted_proxies:
            if problem := proxy_problem(proxy):
                raise SettingsProblem(problem)

        if self.public_url is not None and (
            not self.public_url.startswith(("https://", "http://"))
            or not urllib.parse.urlsplit(self.public_url).hostname  # http:// alone
        ):
            raise SettingsProblem(
                f"CERTREG_PUBLIC_URL 应是完整的网址，带 https://（现为“{self.public_url}”）："
                "回执链接和二维码以它开头，例如 https://zscx.example.gov.cn"
            )
        if self.authorities_file is not None:
            self.authorities()  # an unreadable file stops the start, with what to fix

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secrets whose signatures are accepted, the one that signs first."""
        previous = () if self.previous_secret is None else (str(self.previous_secret),)
        return (str(self.secret), *previous)

    @property
    def log_db(self) -> Path:
        return store.verify_log_path(self.db)

    def authorities(self) -> dict[str, Authority]:
        """The issuing departments' contacts: the administrator's file, or the shipped list."""
        return load_authorities(self.authorities_file)

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, *, db: Path | None = None
    ) -> Settings:
        """Settings from ``CERTREG_*`` variables; ``db`` (from ``--db``) wins over ``CERTREG_DB``.
        A variable not set takes the field's default above (one place for each default)."""
        config = Config(environ=dict(os.environ if environ is None else environ))
        try:
            return cls(
                db=db or config("CERTREG_DB", cast=Path, default=store.DEFAULT_DB),
                secret=Secret(config("CERTREG_SECRET", default="")),
                previous_secret=optional_secret(config("CERTREG_PREVIOUS_SECRET", default="")),
                rate_limit=whole_number(config, "CERTREG_RATE_LIMIT", cls.rate_limit),
                rate_limit_storage=config(
                    "CERTREG_RATE_LIMIT_STORAGE", default=cls.rate_limit_storage
                ),
                batch_rows_per_hour=whole_number(
                    config, "CERTREG_BATCH_ROWS_PER_HOUR", cls.batch_rows_per_hour
                ),
                reports_per_day=whole_number(
                    config, "CERTREG_REPORTS_PER_DAY", cls.reports_per_day
                ),
                watch_days=whole_number(config, "CERTREG_WATCH_DAYS", cls.watch_days),
                name_guesses_per_hour=whole_number(
                    config, "CERTREG_NAME_GUESSES_PER_HOUR", cls.name_guesses_per_hour
                ),
                name_guesses_per_day=whole_number(
                    config, "CERTREG_NAME_GUESSES_PER_DAY", cls.name_guesses_per_day
                ),
                authorities_file=optional_path(config("CERTREG_AUTHORITIES", default="")),
                trusted_proxies=trusted_proxies(config(PROXIES_VARIABLE, default="")),
                receipt_days=whole_number(config, "CERTREG_RECEIPT_DAYS", cls.receipt_days),
                stale_days=whole_number(config, "CERTREG_STALE_DAYS", cls.stale_days),
                max_body_bytes=byte_count(config, "CERTREG_MAX_BODY_BYTES", cls.max_body_bytes),
                upload_concurrency=whole_number(
                    config, "CERTREG_UPLOAD_CONCURRENCY", cls.upload_concurrency
                ),
                public_url=config("CERTREG_PUBLIC_URL", default=None) or None,
                min_free_bytes=byte_count(config, "CERTREG_MIN_FREE_BYTES", cls.min_free_bytes),
            )
        except ValueError as exc:
            if isinstance(exc, SettingsProblem):
                raise
            if isinstance(exc, ProxyProblem):
                raise SettingsProblem(str(exc)) from exc
            raise SettingsProblem(f"环境变量取值无效：{exc}") from exc
