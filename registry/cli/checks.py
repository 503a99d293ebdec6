"""``certreg verify``: the public check from the shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from registry import store
from registry.cli.base import cli, db_option, json_option, require_registry
from registry.public import lookup
from registry.public.fields import PUBLIC_FIELDS


@cli.command()
@click.argument("number")
@click.argument("name")
@db_option
@json_option
def verify(number: str, name: str, db: Path, as_json: bool) -> None:
    """The public check: is certificate NUMBER held by NAME, and is it still valid?

    Prints the result code (valid, reissued, superseded, revoked, no_match, malformed) and what
    an employer would see. Exit 0 for a match, 1 otherwise.

    Example:

    \b
        certreg verify Z1122020123 张三
    """
    require_registry(db)
    conn = store.connect(db, readonly=True)
    try:
        answer = lookup.verify(conn, number, name)
    finally:
        conn.close()
    if as_json:
        click.echo(json.dumps(answer.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"{answer.result}  {answer.label}  {answer.number}")
        for field in PUBLIC_FIELDS[1:]:
            value = getattr(answer, field.name)
            if value:
                click.echo(f"  {field.label}：{value}")
        click.echo(answer.advice())
    sys.exit(0 if answer.matched else 1)
