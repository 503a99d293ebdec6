"""``certreg verify``: the public check from the shell."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from registry import store
from registry.cli.base import UsageProblem, cli
from registry.cli.options import db_option, json_option, require_registry
from registry.domain.authorities import Contacts
from registry.domain.clock import beijing_minute
from registry.domain.statuses import REISSUED, VALID
from registry.public import lookup
from registry.public.contacts_file import ContactsFileProblem, read_contacts
from registry.public.fields import PUBLIC_FIELDS


@cli.command()
@click.argument("number", metavar="证书编号")
@click.argument("name", metavar="姓名")
@db_option
@json_option
def verify(number: str, name: str, db: Path, as_json: bool) -> None:
    """公众查验：证书编号是否由该姓名的人持有、现在是否有效。

    显示结果代码（valid、reissued、superseded、revoked、no_match、malformed）和用人单位在查验页面上看到的内容；未查到时附发证机关的联系方式（CERTREG_AUTHORITIES 可指定联系方式文件）。--json 的字段与接口 POST /api/v1/verify 相同，只是接口可举报的回答另带举报凭据 report_ticket。证书现在有效（valid、reissued）时退出码 0；查到但已不再有效（superseded 已换发、revoked 已撤销）时 3；未查到或编号格式错误时 1；登记库不存在或无法使用时 2；输出写不进去（如磁盘已满）时 74。脚本中 certreg verify … && 录用 只接受有效的证书。

    示例：

    \b
        certreg verify Z1122020123 周杰
        certreg verify Z1122020123 周杰 --json
    """
    require_registry(db)
    try:
        file = os.environ.get("CERTREG_AUTHORITIES", "").strip()
        contacts = Contacts(read_contacts(Path(file) if file else None))
    except ContactsFileProblem as exc:
        raise UsageProblem(str(exc)) from exc
    conn = store.connect(db, readonly=True)
    try:
        answer = lookup.verify(conn, number, name)
    finally:
        conn.close()
    if as_json:  # as the API answers (POST /api/v1/verify)
        data = {**answer.as_json(), "label": answer.label, "advice": answer.advice()}
        if answer.wants_contact:
            data["contact"] = contacts.as_json(answer.number)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(f"{answer.result}  {answer.label}  {answer.number}")
        for field in PUBLIC_FIELDS:
            if field.name in ("number", "faulty_input"):  # the first line; the reason's words
                continue
            value = field.text(getattr(answer, field.name))
            if field.name == "as_of" and value:  # stored in UTC, read as on the pages
                value = beijing_minute(value)
            if value:
                click.echo(f"  {field.label}：{value}")
        click.echo(answer.advice())
        if answer.wants_contact:
            click.echo(contacts.text_for(answer.number))
    sys.exit(exit_code(answer))


IN_FORCE = (VALID, REISSUED)
NOT_IN_FORCE = 3
"""The exit code of a certificate found but no longer in force (exchanged, revoked): not 0,
which a script takes for "accept this paper", nor 1, which says the pair did not match."""


def exit_code(answer: lookup.Verification) -> int:
    """0 for a certificate in force, 3 for one found but replaced or revoked, 1 for no match."""
    if not answer.matched:
        return 1
    return 0 if answer.result in IN_FORCE else NOT_IN_FORCE
