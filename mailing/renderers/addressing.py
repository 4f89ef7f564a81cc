"""Japanese address blocks (宛名): what goes on a label, a postcard or a letter head, and where
a line may break.

Rules followed here, as Japanese business mail expects them:

* 〒 and the postal code ``NNN-NNNN`` first; then the address, the company, the department
  with the title (役職), then the name.
* 様 after a person's name; 御中 after a company or department addressed without a person —
  never both (「株式会社〇〇 御中 山田様」 is a well-known mistake). Both are configurable (殿,
  先生, ご担当者様 …), and a name that already ends with an honorific gets no second one.
* An address too long for its line breaks at a sensible place: at a space, between the
  block number and a building name, before the block number, after the city or ward, after
  the prefecture — never inside a number such as 1-2-3 or inside a word of Latin letters.
* Vertical writing (縦書き) uses kanji numerals: 1-2-3 → 一－二－三, 101号室 → 一〇一号室,
  5F → 五階; Latin letters become full-width so that they stand upright in the column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from api.core.prefectures import PREFECTURES

HONORIFICS = ("御中", "様", "殿", "先生", "各位", "さま", "さん", "君", "ご担当者")


class AddresseeMode(StrEnum):
    """Whom a piece of mail is addressed to."""

    PERSON = "person"  # 株式会社〇〇 営業部 部長 山田 太郎 様
    DEPARTMENT = "department"  # 株式会社〇〇 営業部 御中
    COMPANY = "company"  # 株式会社〇〇 御中


@dataclass(frozen=True)
class Honorifics:
    person: str = "様"
    organisation: str = "御中"


@dataclass(frozen=True)
class Addressee:
    """One recipient as printed: the snapshot a mailing took of the person's address."""

    id: int
    name: str = ""
    kana: str = ""
    company: str = ""
    department: str = ""
    title: str = ""
    postal_code: str = ""
    prefecture: str = ""
    address1: str = ""
    address2: str = ""
    fax: str = ""
    person_id: int | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Addressee:
        """From a MailingRecipient row (``values()``) or any dict with the same keys."""
        return cls(
            id=row["id"],
            person_id=row.get("person_id"),
            name=row.get("full_name") or row.get("name") or "",
            kana=row.get("full_name_kana") or row.get("kana") or "",
            company=row.get("company_name") or row.get("company") or "",
            department=row.get("department_name") or row.get("department") or "",
            title=row.get("title") or "",
            postal_code=row.get("postal_code") or "",
            prefecture=row.get("prefecture") or "",
            address1=row.get("address1") or "",
            address2=row.get("address2") or "",
            fax=row.get("fax") or "",
        )

    def printed_text(self) -> str:
        """Every character that any printed channel may draw for this recipient."""
        return "".join(
            (
                self.name,
                self.company,
                self.department,
                self.title,
                self.postal_code,
                self.prefecture,
                self.address1,
                self.address2,
                self.fax,
            )
        )


@dataclass(frozen=True)
class AddressBlock:
    postal_code: str  # NNN-NNNN, or "" when unknown
    address: tuple[str, ...]  # the address, then the building line when there is one
    company: str
    department: str  # the department, with the title when a person is addressed
    name: str  # the addressee with its honorific: 山田 太郎 様 / 営業部 御中
    honorific: str
    to_person: bool

    @property
    def postal_digits(self) -> str:
        return re.sub(r"\D", "", self.postal_code)


def _has_honorific(name: str) -> bool:
    return name.rstrip().endswith(HONORIFICS)


def _with_honorific(name: str, honorific: str) -> str:
    name = name.strip()
    if not honorific or _has_honorific(name):
        return name
    return f"{name} {honorific}"


def postal_code_format(raw: str) -> str:
    digits = re.sub(r"\D", "", raw.translate(FULLWIDTH_DIGITS))
    return f"{digits[:3]}-{digits[3:]}" if len(digits) == 7 else raw.strip()


def address_lines(addressee: Addressee) -> tuple[str, ...]:
    """The address as at most two lines: prefecture + address1, then address2 (the
    building), so that the building never splits the street address."""
    first = addressee.address1.strip()
    prefecture = addressee.prefecture.strip()
    if prefecture and not first.startswith(prefecture):
        first = prefecture + first
    lines = [first] if first else []
    if addressee.address2.strip():
        lines.append(addressee.address2.strip())
    return tuple(lines)


def address_block(
    addressee: Addressee,
    *,
    mode: AddresseeMode = AddresseeMode.PERSON,
    honorifics: Honorifics = Honorifics(),
) -> AddressBlock:
    """The block to print for one addressee.

    1. A person is addressed when asked for and the recipient has a name: company, then
       the department with the title, then the name with 様.
    2. Otherwise the department (or, without one, the company) is addressed, with 御中
       after it and no title or name.
    3. Someone without a company (a private address) is always addressed by name.
    """
    company = addressee.company.strip()
    department = addressee.department.strip()
    name = addressee.name.strip()
    to_person = bool(name) and (mode == AddresseeMode.PERSON or not company)
    if to_person:
        dept_line = " ".join(part for part in (department, addressee.title.strip()) if part)
        addressed = _with_honorific(name, honorifics.person)
        honorific = honorifics.person
    elif department and mode != AddresseeMode.COMPANY:
        dept_line = ""
        addressed = _with_honorific(department, honorifics.organisation)
        honorific = honorifics.organisation
    else:
        dept_line = ""
        addressed = _with_honorific(company, honorifics.organisation)
        company = ""
        honorific = honorifics.organisation
    return AddressBlock(
        postal_code=postal_code_format(addressee.postal_code),
        address=address_lines(addressee),
        company=company,
        department=dept_line,
        name=addressed,
        honorific=honorific,
        to_person=to_person,
    )


# Break classes, best first. A break is an index i: the line ends before text[i].
_CLUSTER = r"[0-9０-９\-－‐―ー−番地号丁目の]"
# A block number in kanji numerals, as vertical cards print it: 二丁目三番地, 一－二－三.
_KANJI_DIGITS = "[〇一二三四五六七八九十]"
_BLOCK_SUFFIX = "(?:丁目|番地|番|号|－)"
_KANJI_BLOCK = rf"{_KANJI_DIGITS}+{_BLOCK_SUFFIX}(?:{_KANJI_DIGITS}+{_BLOCK_SUFFIX}?)*"
_BLOCK_NUMBER = re.compile(rf"[0-9０-９]{_CLUSTER}*|{_KANJI_BLOCK}")
_WORD = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ0-9０-９]+|[ァ-ヴー]+")
_SPACE = re.compile(r"[ \u3000]+")
_MUNICIPALITY = re.compile(r"(?<=[^\s])(?:[市区郡町村])(?=[^\s0-9０-９市区郡町村])")


def address_breaks(text: str) -> list[tuple[int, int]]:
    """Candidate line breaks of an address as (index, class), class 0 best.

    0: at a space; 1: after the block number, before the building (…1-2-3|〇〇ビル);
    2: before the block number (…千代田|1-2-3); 3: after a city, ward, county, town or
    village; 4: after the prefecture; 5: between any two characters that are not inside a
    number or a word.
    """
    found: dict[int, int] = {}

    def add(index: int, klass: int) -> None:
        if 0 < index < len(text) and klass < found.get(index, 99):
            found[index] = klass

    for match in _SPACE.finditer(text):
        add(match.start(), 0)
    for match in _BLOCK_NUMBER.finditer(text):
        add(match.end(), 1)
        add(match.start(), 2)
    for match in _MUNICIPALITY.finditer(text):
        add(match.end(), 3)
    for prefecture in PREFECTURES:
        if text.startswith(prefecture):
            add(len(prefecture), 4)
    inside = {i for m in _WORD.finditer(text) for i in range(m.start() + 1, m.end())}
    inside |= {i for m in _BLOCK_NUMBER.finditer(text) for i in range(m.start() + 1, m.end())}
    for index in range(1, len(text)):
        if index not in inside:
            add(index, 5)
    return sorted(found.items())


def name_breaks(text: str) -> list[tuple[int, int]]:
    """Candidate breaks of a company, department or name: at a space (class 0), around a
    legal form such as 株式会社 (class 1), else between characters outside a word (5)."""
    found: dict[int, int] = {}
    for match in _SPACE.finditer(text):
        found[match.start()] = 0
    for match in re.finditer(
        r"株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|"
        r"公益社団法人|一般財団法人|公益財団法人|学校法人|医療法人|"
        r"社会福祉法人|特定非営利活動法人",
        text,
    ):
        for index in (match.start(), match.end()):
            if 0 < index < len(text):
                found.setdefault(index, 1)
    inside = {i for m in _WORD.finditer(text) for i in range(m.start() + 1, m.end())}
    for index in range(1, len(text)):
        if index not in inside:
            found.setdefault(index, 5)
    return sorted(found.items())


def break_line(
    text: str,
    *,
    fits: Callable[[str], bool],
    breaks: Callable[[str], list[tuple[int, int]]] = address_breaks,
) -> list[str]:
    """Split ``text`` into lines that each satisfy ``fits``, at the best breaks.

    Each step keeps the longest first line that fits, among the breaks of the best class
    that leaves a fitting first line; the rest is broken the same way. A piece that fits
    nowhere (one very long word) is split between characters as a last resort.
    """
    text = text.strip()
    if not text or fits(text):
        return [text] if text else []
    candidates = [(i, k) for i, k in breaks(text) if fits(text[:i].rstrip())]
    if not candidates:
        candidates = [(i, 9) for i in range(1, len(text)) if fits(text[:i])] or [(1, 9)]
    best_class = min(k for _, k in candidates)
    index = max(i for i, k in candidates if k == best_class)
    return [text[:index].rstrip(), *break_line(text[index:], fits=fits, breaks=breaks)]


FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_KANJI_DIGITS = str.maketrans("0123456789", "〇一二三四五六七八九")
_TO_FULLWIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def kanji_numerals(text: str) -> str:
    """An address for vertical writing: digits as kanji numerals read digit by digit
    (101 → 一〇一, the usual form for addresses), a hyphen between numbers as －
    (drawn as a vertical bar), 5F → 五階, other Latin letters full-width."""
    text = text.translate(FULLWIDTH_DIGITS)
    text = re.sub(r"(\d+)\s*[FfＦｆ](?![A-Za-z])", r"\1階", text)
    text = re.sub(r"(?<=\d)\s*[-‐−―ー－]\s*(?=\d)", "－", text)
    text = text.translate(_KANJI_DIGITS)
    return text.translate(_TO_FULLWIDTH).replace(" ", "\u3000")
