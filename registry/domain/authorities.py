"""Who to ask about a certificate: the issuing departments' contacts, for an employer whose
check found nothing (§五.(四): ask the department; the province's number is in the notice).

Reference data, replaceable without code changes: ``data/authorities.csv`` ships inside the
package (columns 代码, 名称, 地址, 电话); an administrator points ``CERTREG_AUTHORITIES`` at their own.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files

from registry.domain.numbers import CertificateNumber, MalformedNumber, parse
from registry.domain.regions import PROVINCE, authority_name


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

    def contact_line(self) -> str:
        """The known parts — name, address, phone — as one line of text (a batch row's 下一步)."""
        address = f"地址：{self.address}" if self.address else ""
        phone = f"电话：{self.phone}" if self.phone else ""
        return "，".join(part for part in (self.name, address, phone) if part)


def parse_authorities(text: str) -> dict[str, Authority]:
    """Code → contact, from the CSV's rows (blank cells are unknown, never invented)."""
    found = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = (row.get("代码") or "").strip()
        if code:
            found[code] = Authority(
                code,
                (row.get("名称") or "").strip() or authority_name(code),
                (row.get("地址") or "").strip(),
                (row.get("电话") or "").strip(),
            )
    return found


def builtin_authorities() -> dict[str, Authority]:
    text = files("registry.defaults").joinpath("authorities.csv").read_text(encoding="utf-8")
    return parse_authorities(text)


def issuer_of(number: CertificateNumber) -> str:
    """The department that issued a number (§三): the province for every 技师 certificate and for
    its own units' numbers, otherwise the city whose code the number carries."""
    return PROVINCE if number.letter == "J" else number.region


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
        """The issuing department of ``number`` when it parses (附件3), the province otherwise."""
        try:
            parsed = parse(number)
        except MalformedNumber:
            return self.province
        code = issuer_of(parsed)
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
        text = f"发证机关：{contact.contact_line()}"
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
