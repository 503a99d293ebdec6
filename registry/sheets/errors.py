"""Why a spreadsheet is not read."""

from __future__ import annotations


class UnreadableSheet(ValueError):
    """The file cannot be read as a spreadsheet (or as a register of its kind); the message says
    why and what to do, in Chinese."""


class HeaderNotFound(UnreadableSheet):
    """No row near the top is the header of the layout the file was read with — perhaps the
    file is a register of another kind (`registry.kinds.read_as` tells which)."""
