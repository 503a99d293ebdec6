"""``--kind``: a register kind given by its code or by what clerks call it."""

from __future__ import annotations

from typing import Any

import click

from registry.domain.registers import kind_choices, kind_code


class KindChoice(click.Choice[str]):
    """One of ``codes``, written as a code (approval-roster) or as clerks call it (审批名册,
    附件4): ``--kind 审批名册`` was refused with only the codes listed."""

    def __init__(self, codes: tuple[str, ...]) -> None:
        super().__init__(codes)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        code = kind_code(str(value))
        if code in self.choices:
            return code
        choices = kind_choices(tuple(str(choice) for choice in self.choices))
        self.fail(f"“{value}”不是可选的值，应为以下之一：{choices}", param, ctx)
