"""The titles of a list's two columns — the certificate's number and the holder's name — and a
header typed on one line of a pasted list (证书编号 姓名), which names them and nothing else."""

from __future__ import annotations

import re

from registry.sheets.layout import header_key

NUMBER_HEADERS = ("证书编号", "颁发证书编号", "编号", "证书号")
NAME_HEADERS = ("姓名", "持证人", "持证人姓名")
_BETWEEN = re.compile(r"[\s,，、;；|｜/]+")
"""What people type between the two titles: spaces, commas, 、, semicolons, a bar or a slash."""


def typed_header(line: str) -> bool:
    """Whether ``line`` only titles the two columns, in either order (``证书编号 姓名``,
    ``姓名，证书编号``): the batch and watch pages ask for "证书编号 姓名" a line, and an officer
    who starts the list with that line means it as the list's header, not as a certificate."""
    titles = [header_key(part) for part in _BETWEEN.split(line.strip()) if part]
    if len(titles) != 2:
        return False
    first, second = titles
    return (first in NUMBER_HEADERS and second in NAME_HEADERS) or (
        first in NAME_HEADERS and second in NUMBER_HEADERS
    )
