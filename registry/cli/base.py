"""The ``certreg`` command group and the options its commands share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from registry import store

F = TypeVar("F", bound=Callable[..., Any])


class UsageProblem(click.ClickException):
    """A command used wrongly (bad manifest, missing option): exit 2, with what to do."""

    exit_code = 2


def db_option(func: F) -> F:
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=store.DEFAULT_DB,
        envvar="CERTREG_DB",
        show_default=True,
        help="Registry database (env CERTREG_DB).",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")(
        func
    )


def require_registry(db: Path, what: str = "名册") -> None:
    """Stop with what to do when the registry file does not exist yet."""
    if not db.exists():
        raise UsageProblem(f"登记库 {db} 不存在。请先运行 certreg sync 导入{what}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="certreg")
def cli() -> None:
    """Registry and public verification of Sichuan's worker technical-grade certificates
    (川人社函〔2012〕389号)."""
