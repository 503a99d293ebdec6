"""Signing secrets as administrators set them, and the one mistake a length check cannot see.

The README makes a secret with ``export CERTREG_SECRET="$(python3 -c '…secrets.token…')"``. Copied
into a systemd ``EnvironmentFile`` (which runs no command) or quoted once too often, the value is
the command itself: long enough to pass, and the same for everyone who read the README — anyone
could then sign a staff login or a receipt.
"""

from __future__ import annotations

COMMAND_MARKS = ("$(", "`", "${", "secrets.token")
"""What only a command, never the random string it prints, holds."""


def unrun_command(variable: str, value: str) -> str | None:
    """What is wrong with the secret ``value`` of ``variable`` when it is a command not run."""
    if not any(mark in value for mark in COMMAND_MARKS):
        return None
    return (
        f"{variable} 的值是一条没有运行的命令（{value[:24]}…），不是它生成的随机字符串："
        "systemd 的 EnvironmentFile 不运行 $(…)，这样的值人人都能从说明里抄到，谁都能用它伪造签名。"
        "请先在终端运行这条命令，再把它输出的那一串字符写进配置文件"
    )
