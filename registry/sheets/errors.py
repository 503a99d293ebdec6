"""Why a spreadsheet is not read."""

from __future__ import annotations


class UnreadableSheet(ValueError):
    """The file cannot be read as a spreadsheet (or as a register of its kind); the message says
    why and what to do, in Chinese."""
