"""Who to ask about a certificate: the issuing departments' contacts, for an employer whose
check found nothing (§五.(四): ask the department; the province's number is in the notice).

Reference data, replaceable without code changes: ``data/authorities.csv`` ships inside the
package (columns 代码, 名称, 地址, 电话); an administrator points ``CERTREG_AUTHORITIES`` at their own.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib.resources import files

from registry.domain.numbers import CertificateNumber
from registry.domain.regions import PROVINCE, authority_name


@dataclass(frozen=True)
class Authority:
    code: str
    name: str
    address: str = ""
    phone: str = ""

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


def contact_for(number: CertificateNumber, authorities: dict[str, Authority]) -> Authority:
    code = issuer_of(number)
    return authorities.get(code) or Authority(code, authority_name(code))
