"""Which file column goes to which field.

Headers are matched after folding away what varies between spreadsheets — width (ＴＥＬ),
case (E-Mail), spaces, brackets and separators (姓（カナ）, E-mail, 〒番号) — against each
field's Japanese label, its English name and common variants (``Field.aliases``); custom
fields by their label or key. A mapping sent with the request wins over a saved format's,
which wins over the automatic one. A single 氏名 / フリガナ column maps to a virtual field that
is split into family and given name (``Target.splits``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from api.core.errors import FieldErrors
from api.masters.models import CustomField
from importers.services.base import Target

# Brackets, separators and marks that spreadsheets put around the same header.
HEADER_NOISE = re.compile(r"[\s()\[\]{}（）【】「」『』〔〕<>＜＞・_\-‐－―ー:：*※.。、,/#＃]")
IGNORE = ""


def header_key(header: str) -> str:
    """The form headers are compared in: NFKC, lower case, no spaces, brackets or marks.
    The long-vowel mark stays inside katakana words (メール), where it is part of the word."""
    text = unicodedata.normalize("NFKC", header).strip().lower()
    protected = re.sub(r"(?<=[\u30a1-\u30fa])ー", "\u0000", text)
    return HEADER_NOISE.sub("", protected).replace("\u0000", "ー")


@dataclass(frozen=True)
class Mapping:
    """``columns[i]`` is the field the i-th file column goes to ("" when ignored)."""

    columns: tuple[str, ...]

    def fields(self) -> list[str]:
        return [name for name in self.columns if name]

    def as_dict(self, header: list[str]) -> dict[str, str]:
        return {header[i]: name for i, name in enumerate(self.columns)}


def custom_fields(target: Target) -> dict[str, CustomField]:
    if not target.custom_entity:
        return {}
    return {f.key: f for f in CustomField.objects.filter(entity=target.custom_entity)}


def known_fields(target: Target) -> dict[str, str]:
    """Every name a column may map to → its label."""
    names = {field.name: field.label for field in target.fields}
    for key, custom in custom_fields(target).items():
        names[f"custom.{key}"] = custom.label
    return names


def _aliases(target: Target) -> dict[str, str]:
    table: dict[str, str] = {}
    for key, custom in custom_fields(target).items():
        for alias in (custom.label, key):
            table.setdefault(header_key(alias), f"custom.{key}")
    # Fields after custom fields: a built-in field's own label wins a clash.
    for field in target.fields:
        for alias in (field.label, field.name, *field.aliases):
            table[header_key(alias)] = field.name
    for field in target.fields:
        table[header_key(field.label)] = field.name
    return table


def mapping_check(*, target: Target, mapping: dict[str, str]) -> None:
    """Refuse a mapping that names a field the target does not have."""
    known = known_fields(target)
    unknown = sorted({name for name in mapping.values() if name and name not in known})
    if unknown:
        raise FieldErrors(
            {
                "mapping": [
                    f"unknown field(s) {', '.join(unknown)} for {target.name}; "
                    f"known: {', '.join(known)}"
                ]
            }
        )


def mapping_resolve(
    *,
    target: Target,
    header: list[str],
    given: dict[str, str] | None = None,
    saved: dict[str, str] | None = None,
) -> Mapping:
    """The field of every column: ``given`` (request) over ``saved`` (format) over automatic.

    Explicit mappings name columns by their header text; a name the header lacks, or two
    columns on one field, is a FieldErrors naming them.
    """
    given = given or {}
    saved = saved or {}
    mapping_check(target=target, mapping={**saved, **given})
    by_header = {header_key(h): i for i, h in enumerate(header)}
    missing = [
        name
        for name in {**saved, **given}
        if name not in header and header_key(name) not in by_header
    ]
    if missing and given and any(name in given for name in missing):
        raise FieldErrors(
            {
                "mapping": [
                    f"column(s) {', '.join(missing)} are not in the file; its columns: "
                    f"{', '.join(header)}"
                ]
            }
        )
    aliases = _aliases(target)
    explicit = [_lookup(given, column) for column in header]
    explicit = [
        e if e is not None else _lookup(saved, column)
        for e, column in zip(explicit, header, strict=True)
    ]
    _check_clashes(header, [e or IGNORE for e in explicit])
    taken = {e for e in explicit if e}
    columns: list[str] = []
    for column, chosen in zip(header, explicit, strict=True):
        if chosen is not None:
            columns.append(chosen or IGNORE)
            continue
        # Automatic: the first column wins a field (電話 and TEL in one file); the later
        # one is ignored, visible as unmapped in the preview.
        field = aliases.get(header_key(column), IGNORE)
        if field in taken:
            field = IGNORE
        taken.add(field)
        columns.append(field)
    _settle_splits(target, header, columns, explicit)
    return Mapping(tuple(columns))


def _settle_splits(
    target: Target, header: list[str], columns: list[str], explicit: list[str | None]
) -> None:
    """氏名 and 姓 in one mapping would write the family name twice: automatic mapping keeps
    the parts (files often carry both); an explicit mapping of both is refused."""
    for split in target.splits:
        involved = [i for i, f in enumerate(columns) if f in (split.source, *split.into)]
        if split.source not in columns or len(involved) < 2:
            continue
        automatic = [i for i in involved if explicit[i] is None]
        if columns.index(split.source) in automatic:
            columns[columns.index(split.source)] = IGNORE
        elif len(automatic) == len(involved) - 1:
            for i in automatic:
                columns[i] = IGNORE
        else:
            both = ", ".join(header[i] for i in involved)
            raise FieldErrors(
                {
                    "mapping": [
                        f"{both}: map either the whole name ({split.source}) or its parts "
                        f"({' and '.join(split.into)}), not both"
                    ]
                }
            )


def _lookup(mapping: dict[str, str], column: str) -> str | None:
    if column in mapping:
        return mapping[column]
    key = header_key(column)
    for name, field in mapping.items():
        if header_key(name) == key:
            return field
    return None


def _check_clashes(header: list[str], columns: list[str]) -> None:
    seen: dict[str, str] = {}
    clashes = []
    for column, field in zip(header, columns, strict=True):
        if not field:
            continue
        if field in seen:
            clashes.append(f"'{seen[field]}' and '{column}' both map to {field}")
        seen[field] = column
    if clashes:
        raise FieldErrors(
            {
                "mapping": [
                    "; ".join(clashes) + ' — map one of them to another field or to "" (ignore)'
                ]
            }
        )
