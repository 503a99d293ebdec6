"""Show codes with the names staff know (2202 → 2202 绵阳市, valid → valid 有效) in tables and facets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from datasette import hookimpl
from markupsafe import Markup, escape

from registry.domain.regions import REGIONS, authority_name
from registry.domain.statuses import RESULT_LABELS
from registry.sync.report import OUTCOME_LABELS

CODE_NAMES: dict[str, Callable[[str], str | None]] = {
    "region": REGIONS.get,
    "authority": lambda code: authority_name(code) if code in REGIONS else None,
    "status": RESULT_LABELS.get,
    "outcome": OUTCOME_LABELS.get,
}
"""Columns of the registry that hold a code, and how to name a code."""


def code_label(column: str, value: object) -> str | None:
    """``2202 绵阳市`` for a known code in a code column, else None."""
    name = CODE_NAMES[column](value) if column in CODE_NAMES and isinstance(value, str) else None
    return f"{value} {name}" if name else None


@hookimpl
def render_cell(value: object, column: str, table: str | None, database: str) -> Markup | None:
    if database != "registry" or table is None:
        return None
    label = code_label(column, value)
    return Markup(escape(label)) if label else None


@hookimpl
def extra_template_vars() -> dict[str, Any]:
    return {"code_label": code_label}
