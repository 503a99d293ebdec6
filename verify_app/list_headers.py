"""The titles of a list's two columns — the certificate's number and the holder's name — and a
header typed on one line of a pasted list (证书编号 姓名, 证书编号，姓名，部门), which names them
and perhaps the list's other columns."""

from __future__ import annotations

import re
from typing import NamedTuple

from registry.sheets.layout import header_key

NUMBER_HEADERS = ("证书编号", "颁发证书编号", "编号", "证书号")
NAME_HEADERS = ("姓名", "持证人", "持证人姓名")
_BETWEEN = re.compile(r"[\s,，、;；|｜/]+")
"""What people type between the titles: spaces, commas, 、, semicolons, a bar or a slash."""
_MOST_TITLES = 64
"""Titles of a header typed on one line read (an HR sheet has a few dozen columns)."""
_TITLE_CHARS = 12
"""The longest title of another column (联系电话, 所在部门（车间）): a longer part is a sentence."""


class HeaderPlaces(NamedTuple):
    """Where a typed header puts the number and the name among its ``titles``."""

    number: int
    name: int
    titles: int


def header_places(line: str) -> HeaderPlaces | None:
    """The places a header typed on one line gives the number and the name — one title of each,
    in either order, and any other columns' (序号、部门、联系电话) — or None when ``line`` is
    no such header: a phone review's 证书编号，姓名，部门 was taken for a note of the list, and
    the rows under it read with their 部门 as part of the name (未查到)."""
    titles = [header_key(part) for part in _BETWEEN.split(line.strip(), _MOST_TITLES) if part]
    if not 2 <= len(titles) <= _MOST_TITLES:
        return None
    if any(len(title) > _TITLE_CHARS or any(c.isdigit() for c in title) for title in titles):
        return None  # a row of the list, or a sentence about it
    numbers = [i for i, title in enumerate(titles) if title in NUMBER_HEADERS]
    names = [i for i, title in enumerate(titles) if title in NAME_HEADERS]
    if len(numbers) != 1 or len(names) != 1:
        return None
    return HeaderPlaces(numbers[0], names[0], len(titles))


def typed_header(line: str) -> bool:
    """Whether ``line`` only titles the list's columns, the number's and the name's among them
    (``证书编号 姓名``, ``姓名，证书编号``, ``证书编号，姓名，部门``): the batch and watch pages ask
    for "证书编号 姓名" a line, and an officer who starts the list with that line — or with the
    header of the columns copied — means it as the list's header, not as a certificate."""
    return header_places(line) is not None
