"""Staff accounts for the Datasette login, read from the environment (never from a file).

An account is an environment variable ``CERTREG_STAFF_<username>`` holding a password hash made
by ``datasette hash-password``. The login plugin turns each into the
``<username>_password_hash: {"$env": …}`` entry datasette-auth-passwords expects, so the hash
itself never appears in the metadata Datasette shows at ``/-/metadata``.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from datasette_auth_passwords.utils import verify_password

PREFIX = "CERTREG_STAFF_"
HASH_PREFIX = "pbkdf2_sha256$"
DEFAULT_ITERATIONS = 480_000
"""What ``datasette hash-password`` uses (datasette-auth-passwords' ``hash_password`` default)."""
_USERNAME = re.compile(r"[A-Za-z0-9_]+")
_HASH = re.compile(r"pbkdf2_sha256\$(?P<iterations>[1-9][0-9]*)\$[^$]+\$[A-Za-z0-9+/]+=*")

HOW_TO_ADD = f"""\
创建职员账号（用户名 wangli 为例）：
  datasette hash-password            # 输入两次密码，得到 pbkdf2_sha256$… 哈希
  export {PREFIX}wangli='pbkdf2_sha256$…'   # 用单引号，$ 不会被 shell 展开
每个账号一个环境变量，变量名 {PREFIX} 之后的部分即登录用户名（字母、数字、下划线）。"""


class AccountProblem(ValueError):
    """A ``CERTREG_STAFF_*`` variable that cannot be an account; the message says why."""


def staff_accounts(environ: Mapping[str, str]) -> dict[str, str]:
    """Username → name of the environment variable holding that user's password hash."""
    accounts = {}
    for variable, value in environ.items():
        if not variable.startswith(PREFIX):
            continue
        username = variable[len(PREFIX) :]
        if not _USERNAME.fullmatch(username):
            raise AccountProblem(f"环境变量 {variable}：用户名只能由字母、数字和下划线组成")
        if not _HASH.fullmatch(value.strip()):
            raise AccountProblem(f"环境变量 {variable} {_not_a_hash(value.strip())}")
        accounts[username] = variable
    return accounts


def empty_passwords(environ: Mapping[str, str], accounts: Mapping[str, str]) -> list[str]:
    """A problem for each account whose hash is the empty password's (``datasette hash-password
    --password X --no-confirm`` hashes its standard input, not X: a script's account opened to
    anyone). One PBKDF2 an account: for `certreg browse` to check once, not each request."""
    return [
        f"环境变量 {variable} 是空密码的哈希：不输密码也能登录。datasette hash-password 的"
        " --password 选项不起作用（它从标准输入读密码），脚本中请用"
        " printf '%s\\n' \"$PASSWORD\" | datasette hash-password --no-confirm（PASSWORD 为存放密码的变量），或直接运行"
        " datasette hash-password 按提示输入"
        for variable in accounts.values()
        if verify_password("", environ[variable].strip())
    ]


def _not_a_hash(value: str) -> str:
    """Why ``value`` is no password hash, and what to do: a hash cut short (the placeholder
    pasted as it stands, or a hash in double quotes, whose $… the shell expanded) was told it did
    not start as it does."""
    if not value.startswith(HASH_PREFIX):
        return (
            f"不是密码哈希（应以 {HASH_PREFIX} 开头）。"
            "请用 datasette hash-password 生成哈希，不要直接写密码"
        )
    return (
        f"的密码哈希不完整或有误：应为 {HASH_PREFIX}迭代次数$盐$哈希值（迭代次数是数字）。"
        "请粘贴 datasette hash-password 输出的整行，并用单引号"
        "括起来（双引号会让 shell 把其中的 $… 当作变量展开）"
    )


def auth_passwords_config(environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The datasette-auth-passwords plugin configuration for the accounts in ``environ``."""
    return {
        f"{username}_password_hash": {"$env": variable}
        for username, variable in sorted(staff_accounts(environ).items())
    }


def account_hashes(datasette: Any) -> dict[str, str]:
    """Username → password hash, as datasette-auth-passwords reads its configuration."""
    config = datasette.plugin_config("datasette-auth-passwords") or {}
    suffix = "_password_hash"
    return {
        key[: -len(suffix)]: value
        for key, value in config.items()
        if key.endswith(suffix) and isinstance(value, str)
    }


def hash_iterations(password_hash: str) -> int | None:
    """The PBKDF2 rounds of a ``pbkdf2_sha256$…`` hash; None for anything else."""
    match = _HASH.fullmatch(password_hash.strip())
    return int(match["iterations"]) if match else None


def dummy_hash(account_hashes: Iterable[str]) -> str:
    """A hash no password matches, as costly to check as the costliest account's.

    A login for an unknown username is checked against it, so that it takes as long as a wrong
    password for a real one: the time of a failed login no longer tells which usernames exist.
    The digest is random bytes, so building it costs nothing.
    """
    iterations = max(
        (n for n in map(hash_iterations, account_hashes) if n is not None),
        default=DEFAULT_ITERATIONS,
    )
    digest = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    return f"{HASH_PREFIX}{iterations}${secrets.token_hex(16)}${digest}"
