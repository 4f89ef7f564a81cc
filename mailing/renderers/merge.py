"""Merge fields (差し込み項目) of cover letters and fax cover sheets, and dates in 和暦/西暦.

A template names a field as ``{{company}}`` or by its Japanese name ``{{会社名}}``; a Word
mail-merge field (MERGEFIELD 会社名) works the same. Every field has a value for every
recipient — an empty one when the recipient has no company — so a letter never shows a
raw placeholder.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, fields

from mailing.renderers.addressing import AddressBlock, Addressee

# field → its Japanese name, as offered to template authors.
MERGE_FIELDS: dict[str, str] = {
    "recipient_name": "氏名",
    "company": "会社名",
    "department": "部署名",
    "title": "役職",
    "honorific": "敬称",
    "addressee": "宛名",
    "postal_code": "郵便番号",
    "address": "住所",
    "fax": "FAX番号",
    "date": "日付",
    "sender": "差出人",
    "sender_company": "差出人会社名",
    "sender_department": "差出人部署",
    "sender_name": "差出人氏名",
    "sender_postal_code": "差出人郵便番号",
    "sender_address": "差出人住所",
    "sender_phone": "差出人電話",
    "sender_fax": "差出人FAX",
    "sender_email": "差出人メール",
    "mailing_name": "発送名",
    "subject": "件名",
    "pages": "枚数",
    "message": "本文",
}
FIELD_BY_NAME: dict[str, str] = {
    **{key: key for key in MERGE_FIELDS},
    **{label: key for key, label in MERGE_FIELDS.items()},
}

PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")

# (first day, era name): 明治 and 大正 dates are not printed on today's mail.
ERAS = (
    (datetime.date(2019, 5, 1), "令和"),
    (datetime.date(1989, 1, 8), "平成"),
    (datetime.date(1926, 12, 25), "昭和"),
)


def date_format(day: datetime.date, *, style: str = "wareki") -> str:
    """``令和8年11月23日`` (wareki; the first year of an era is 元年) or ``2026年11月23日``."""
    if style == "wareki":
        for start, era in ERAS:
            if day >= start:
                year = day.year - start.year + 1
                return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Sender:
    company: str = ""
    department: str = ""
    name: str = ""
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""

    @classmethod
    def from_dict(cls, data: dict | None) -> Sender:
        known = {f.name for f in fields(cls)}
        return cls(**{k: str(v or "") for k, v in (data or {}).items() if k in known})

    def printed_text(self) -> str:
        return "".join(getattr(self, f.name) for f in fields(self))

    def lines(self) -> list[str]:
        """The sender block of a letter: company, department and name, then contacts."""
        contact = "  ".join(
            part
            for part in (
                f"TEL {self.phone}" if self.phone else "",
                f"FAX {self.fax}" if self.fax else "",
            )
            if part
        )
        postal = f"〒{self.postal_code}" if self.postal_code else ""
        return [
            line
            for line in (
                " ".join(p for p in (postal, self.address) if p),
                self.company,
                " ".join(p for p in (self.department, self.name) if p),
                contact,
                self.email,
            )
            if line
        ]


def merge_values(
    *,
    addressee: Addressee,
    block: AddressBlock,
    sender: Sender,
    day: datetime.date,
    date_style: str = "wareki",
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The value of every merge field for one recipient."""
    values = {
        "recipient_name": addressee.name if block.to_person else "",
        "company": addressee.company,
        "department": addressee.department,
        "title": addressee.title if block.to_person else "",
        "honorific": block.honorific,
        "addressee": block.name,
        "postal_code": block.postal_code,
        "address": "\n".join(block.address),
        "fax": addressee.fax,
        "date": date_format(day, style=date_style),
        "sender": "\n".join(sender.lines()),
        "sender_company": sender.company,
        "sender_department": sender.department,
        "sender_name": sender.name,
        "sender_postal_code": sender.postal_code,
        "sender_address": sender.address,
        "sender_phone": sender.phone,
        "sender_fax": sender.fax,
        "sender_email": sender.email,
        "mailing_name": "",
        "subject": "",
        "pages": "",
        "message": "",
    }
    values.update({k: v for k, v in (extra or {}).items() if k in MERGE_FIELDS})
    return values


def fill(text: str, values: dict[str, str]) -> str:
    """Replace every ``{{field}}`` (English or Japanese name) in plain text."""
    return PLACEHOLDER.sub(lambda m: values.get(FIELD_BY_NAME.get(m.group(1), ""), ""), text)


def unknown_fields(text: str) -> list[str]:
    return sorted({m.group(1) for m in PLACEHOLDER.finditer(text)} - set(FIELD_BY_NAME))
