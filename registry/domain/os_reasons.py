"""The operating system's reasons for a failed file or network call, in Chinese.

A clerk's message is Chinese, but the system gives its reason in English (``exc.strerror``:
"Permission denied", "No space left on device"): the message read 无法读取 registers.toml：
Permission denied. The reasons a clerk or an administrator meets are said here in their words;
a rarer one keeps the system's, which an administrator can still look up.
"""

from __future__ import annotations

import errno

REASONS = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "操作不被允许",
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "超出磁盘配额",
    errno.EFBIG: "文件超出了文件系统允许的大小",
    errno.EROFS: "文件系统只读",
    errno.EIO: "磁盘读写出错",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "这是一个文件夹",
    errno.ENAMETOOLONG: "文件名太长",
    errno.ELOOP: "符号链接层数太多",
    errno.EBUSY: "正被其他程序占用",
    errno.EMFILE: "打开的文件太多",
    errno.EEXIST: "已经存在",
    errno.EADDRINUSE: "端口已被占用",
    errno.EADDRNOTAVAIL: "本机没有这个地址",
}
"""Each reason a failed call meets often, as the message's reader says it."""


def reason(exc: OSError) -> str:
    """Why ``exc`` happened: in Chinese for a reason in `REASONS`, else the system's words."""
    return REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
