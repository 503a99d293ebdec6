"""Who to ask about a certificate: the issuing departments' contacts, for an employer whose
check found nothing (§五.(四): ask the department; the province's number is in the notice).

Reference data, replaceable without code changes: ``data/authorities.csv`` ships inside the
package (columns 代码, 名称, 地址, 电话); an administrator points ``CERTREG_AUTHORITIES`` at their own.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files

from registry.domain.numbers import (
    CertificateNumber,
    MalformedNumber,
    normalise,
    number_within,
    parse,
)
from registry.domain.phones import dial_parts, phone_problem
from registry.domain.regions import AUTHORITY_CODES, PROVINCE, REGIONS, authority_name
from registry.domain.text import reference_rows


@dataclass(frozen=True)
class Authority:
    code: str
    name: str
    address: str = ""
    phone: str = ""

    def known(self) -> dict[str, str]:
        """The contact's known fields (``name``, ``address``, ``phone``) as the API gives them:
        blank ones left out, never invented."""
        fields = (("name", self.name), ("address", self.address), ("phone", self.phone))
        return {key: value for key, value in fields if value}

    def phone_parts(self) -> list[tuple[str, str]]:
        """`dial_parts` of the phone: each number its own ``tel:`` link on a page."""
        return dial_parts(self.phone)

    def contact_line(self) -> str:
        """The known parts — name, address, phone — as one line of text (a batch row's 下一步)."""
        address = f"地址：{self.address}" if self.address else ""
        phone = f"电话：{self.phone}" if self.phone else ""
        return "，".join(part for part in (self.name, address, phone) if part)


class AuthoritiesProblem(ValueError):
    """A contacts file that would publish wrong or no contacts; ``problems`` name each row to fix,
    in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        more = f"；另有 {len(problems) - 10} 处问题" if len(problems) > 10 else ""
        super().__init__("；".join(problems[:10]) + more)
        self.problems = problems


COLUMNS = {
    "代码": ("代码", "机关代码", "地区代码"),
    "名称": ("名称", "机关名称", "单位名称"),
    "地址": ("地址", "联系地址", "通讯地址", "办公地址"),
    "电话": ("电话", "联系电话", "电话号码", "咨询电话"),
}
"""Each column of the file and the headers an administrator may have given it."""
REQUIRED = ("代码", "电话")
"""A file whose 电话 column is headed otherwise must not publish every department without its
phone; without 名称 or 地址 a department is named as `authority_name` names it, with no address."""


def _header(fields: Sequence[str] | None) -> dict[str, str]:
    """The file's header for each of `COLUMNS` it has; `AuthoritiesProblem` naming the
    `REQUIRED` ones missing."""
    written = {unicodedata.normalize("NFKC", f).strip(): f for f in fields or () if f}
    found = {
        column: header
        for column, names in COLUMNS.items()
        if (header := next((written[name] for name in names if name in written), ""))
    }
    if missing := [column for column in REQUIRED if column not in found]:
        seen = "、".join(written) or "无"
        raise AuthoritiesProblem(
            [
                f"缺少“{'”“'.join(missing)}”列（第一行的列名为：{seen}）。"
                "第一行应为 代码,名称,地址,电话，各列以逗号分隔（Excel 请另存为“CSV（逗号分隔）”）"
            ]
        )
    return found


def parse_authorities(text: str) -> dict[str, Authority]:
    """Code → contact, from the CSV's rows (blank cells are unknown, never invented);
    `AuthoritiesProblem` for a file that would publish a wrong one: a missing column, a code
    that is no department of 附件3 (a note under the table), a code listed twice, a telephone
    Excel turned into a number."""
    reader = reference_rows(text)
    columns = _header(reader.fieldnames)
    found: dict[str, Authority] = {}
    lines: dict[str, int] = {}
    problems = []
    for row in reader:
        line = reader.line_num
        # as written, for the answers to show; the code and the phone read in NFKC (２２０２)
        cell = {
            c: (row.get(h) or "").strip() if h else "" for c in COLUMNS for h in (columns.get(c),)
        }
        code = unicodedata.normalize("NFKC", cell["代码"])
        if not any(cell.values()):
            continue
        if code not in REGIONS:
            written = f"“{code}”" if code else "为空"
            problems.append(
                f"第{line}行「代码」{written}：不是附件3规定的发证机关代码（{AUTHORITY_CODES}）"
                "；表格下方的说明、签字等请删去"
            )
        elif code in lines:
            problems.append(f"第{line}行「代码」“{code}”：与第{lines[code]}行重复，请只留一行")
        elif why := phone_problem(unicodedata.normalize("NFKC", cell["电话"])):
            problems.append(f"第{line}行「电话」“{cell['电话']}”：{why}")
        else:
            lines[code] = line
            found[code] = Authority(
                code, cell["名称"] or authority_name(code), cell["地址"], cell["电话"]
            )
    if problems:
        raise AuthoritiesProblem(problems)
    return found


def builtin_authorities() -> dict[str, Authority]:
    text = files("registry.defaults").joinpath("authorities.csv").read_text(encoding="utf-8")
    return parse_authorities(text)


def issuer_of(number: CertificateNumber) -> str:
    """The department that issued a number (§三): the province for every 技师 certificate and for
    its own units' numbers, otherwise the city whose code the number carries."""
    return PROVINCE if number.letter == "J" else number.region


def readable_issuer(typed: str) -> str:
    """The department of a malformed number whose region code still reads: a letter typed for a
    digit elsewhere (Z1122020l23), a number pasted with its label — 绵阳's number was told to ask
    the province, which only sends the employer on. The province for a 技师 number, for a
    region that is none of 附件3's and for what has not a number's shape (a phone number's
    digits are no region)."""
    value = number_within(typed) or normalise(typed)
    region = value[3:7]
    if len(value) != 11 or not value[0].isalpha() or region not in REGIONS or value[0] == "J":
        return PROVINCE
    return region


@dataclass(frozen=True)
class Contacts:
    """Whom an employer asks about a certificate nothing was found for (§五.(四)), the same on
    the result page, in the API, in a batch's rows and from the shell."""

    authorities: Mapping[str, Authority]

    @property
    def province(self) -> Authority:
        """The provincial department: who to ask when nothing better is known."""
        return self.authorities.get(PROVINCE) or Authority(PROVINCE, authority_name(PROVINCE))

    def for_number(self, number: str) -> Authority:
        """The issuing department of ``number`` when it parses (附件3), or when what is malformed
        leaves its region readable (`readable_issuer`); the province otherwise."""
        try:
            code = issuer_of(parse(number))
        except MalformedNumber:
            code = readable_issuer(number)
        return self.authorities.get(code) or Authority(code, authority_name(code))

    def fallback_for(self, contact: Authority) -> Authority | None:
        """The province, to call when ``contact`` (a city) has no phone listed and the
        province has one."""
        province = self.province
        if contact.phone or not province.phone or contact == province:
            return None
        return province

    def text_for(self, number: str) -> str:
        """`for_number` as one line of text, with `fallback_for`'s phone when a city's is
        unknown: a batch row's 下一步, the shell's answer."""
        contact = self.for_number(number)
        text = f"咨询：{contact.contact_line()}"
        if not contact.phone:
            ask = "电话未收录"
            if fallback := self.fallback_for(contact):
                ask += f"，可联系{fallback.name}，电话：{fallback.phone}"
            text += f"（{ask}）"
        return f"{text}。"

    def as_json(self, number: str) -> dict[str, object]:
        """`for_number` as the API and ``certreg verify --json`` give it, with the province
        under ``province`` when the city's phone is unknown."""
        contact = self.for_number(number)
        found: dict[str, object] = dict(contact.known())
        if fallback := self.fallback_for(contact):
            found["province"] = fallback.known()
        return found
