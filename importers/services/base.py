"""What an import target is: its fields, its keys, and how its rows reach the register.

A target (people, companies, departments, products, sales) is one module of this package
with one ``TARGET``, registered in ``importers.services.targets.TARGETS``. The pipeline in
``importers.services.imports`` is the same for all of them; a target only declares.

Vocabulary used throughout:
- a *field* is what a file column maps to (``family_name``, ``company``, ``custom.rank``);
- the *staging table* holds one row per data row of the file: ``f_<field>`` the normalised
  value as text, ``o_<field>`` the original cell when normalising changed it, ``r_<field>``
  the id a reference resolved to (company, owner, product …), ``c_<key>`` a custom value as
  JSON text; see ``importers.staging``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Field:
    """One importable (and exportable) field of a target.

    ``kind`` picks the input rule (``importers.validation.RULES``) and how SQL treats it:
    - plain kinds (text, kana, phone, date, int …) are copied to ``column`` with ``sql_type``;
    - ``ref`` fields hold a name or code that ``Ref`` resolves to an id in ``column``;
    - ``codes`` fields are lists of master codes written to a many-to-many ``m2m``;
    - ``key`` fields (``id``) only identify the row to update.
    ``virtual`` fields (氏名 → 姓 + 名) are split into others before staging.
    """

    name: str
    label: str
    kind: str = "text"
    aliases: tuple[str, ...] = ()
    column: str | None = None
    sql_type: str = "text"
    required: bool = False
    ref: Ref | None = None
    m2m: M2M | None = None
    choices: tuple[tuple[str, str], ...] = ()
    slot: int | None = None
    virtual: bool = False
    # The ORM path an export reads (``company__name``); None: not exported.
    export: str | None = None

    @property
    def db_column(self) -> str | None:
        return self.column

    @property
    def stage(self) -> str:
        return f"f_{self.name}"


@dataclass(frozen=True)
class Ref:
    """A reference resolved by SQL: ``table`` rows whose ``by`` column equals the staged
    text. ``scope`` narrows the lookup by another resolved reference (a department within
    its company). Several matches are an error that names them; ``create`` says the
    missing ones may be created on commit when the user asked for it."""

    table: str
    by: str
    label: str
    scope: tuple[str, str] | None = None  # (column in table, field whose r_ id scopes it)
    create: bool = False
    extra_where: str = ""


@dataclass(frozen=True)
class M2M:
    """A many-to-many of master codes: ``through`` (owner column, master column) and the
    master table whose ``code`` the file gives."""

    through: str
    owner_column: str
    master_column: str
    master_table: str
    label: str


@dataclass(frozen=True)
class Key:
    """A way to recognise the same record: pairs of SQL expressions over the staging row
    ``s`` and the target row ``t``. ``needs`` are the fields the file must map for the key
    to apply, and a row must have for it to count ("company|company_code": either). ``file``
    (optional) are the expressions compared between rows of the file, when they differ from
    ``stage`` (a company not yet registered has only its name)."""

    name: str
    label: str
    needs: tuple[str, ...]
    stage: tuple[str, ...]
    table: tuple[str, ...]
    file: tuple[str, ...] = ()

    @property
    def file_exprs(self) -> tuple[str, ...]:
        return self.file or self.stage


@dataclass(frozen=True)
class Split:
    """A virtual column split into two fields at the first space (氏名 → 姓, 名)."""

    source: str
    into: tuple[str, str]


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    model: type[models.Model]
    fields: tuple[Field, ...]
    match_keys: tuple[Key, ...]
    duplicate_keys: tuple[Key, ...]
    default_duplicate_keys: tuple[str, ...]
    custom_entity: str | None = None
    splits: tuple[Split, ...] = ()
    # Fields that must have a value for a row to be inserted.
    required: tuple[str, ...] = ()
    # (postal, prefecture, address1) triples checked and completed from the postal code.
    addresses: tuple[tuple[str, str, str], ...] = ()
    # Set when the target writes a career entry (people) on affiliation changes.
    career: bool = False
    # A boolean column set on every row the commit writes, for a follow-up job to finish
    # (people: search_pending, the search text and indexes; api.people.services.search).
    pending_column: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def match_key(self, name: str) -> Key:
        for key in self.match_keys:
            if key.name == name:
                return key
        raise KeyError(name)

    def duplicate_key(self, name: str) -> Key:
        for key in self.duplicate_keys:
            if key.name == name:
                return key
        raise KeyError(name)


def address_fields(prefix: str = "", label: str = "") -> tuple[Field, ...]:
    """郵便番号, 都道府県, 住所1, 住所2 (work) or their 自宅 (home) twins."""
    home = prefix == "home_"
    extra = (lambda *names: tuple(f"自宅{n}" for n in names)) if home else (lambda *names: names)
    return (
        Field(
            f"{prefix}postal_code",
            f"{label}郵便番号",
            "postal",
            aliases=extra("〒", "郵便", "〒番号", "zip", "zipcode", "postalcode", "postcode")
            + (("homezip",) if home else ()),
            column=f"{prefix}postal_code",
            export=f"{prefix}postal_code",
        ),
        Field(
            f"{prefix}prefecture",
            f"{label}都道府県",
            "prefecture",
            aliases=extra("県", "都道府県名", "prefecture"),
            column=f"{prefix}prefecture",
            export=f"{prefix}prefecture",
        ),
        Field(
            f"{prefix}address1",
            f"{label}住所1",
            "text",
            aliases=extra("住所", "所在地", "市区町村", "市区町村番地", "address", "address1"),
            column=f"{prefix}address1",
            export=f"{prefix}address1",
        ),
        Field(
            f"{prefix}address2",
            f"{label}住所2",
            "text",
            aliases=extra("建物名", "ビル名", "住所建物", "建物", "address2"),
            column=f"{prefix}address2",
            export=f"{prefix}address2",
        ),
    )
