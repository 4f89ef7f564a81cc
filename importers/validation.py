"""The input rules applied to a chunk of rows, column by column.

Every column is normalised as a whole: the ``api.core.normalise`` ``*_series`` functions where
they exist, otherwise ``checked_series``, which runs a per-value rule once per distinct value
(real files repeat companies, prefectures, dates) and spreads the result. A value a rule
cannot normalise becomes a row error — column, original value, message, suggestion — and
the row is not imported; nothing is changed silently. What rules need the register (codes
in masters, companies by name, duplicates) is checked by SQL on the staging table.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from api.core import normalise
from api.core.csvsafe import cell_unsafe
from api.core.normalise import NormaliseError
from api.masters.models import CustomField
from api.masters.services import CLEANERS
from api.people.services import rules
from importers.mapping import Mapping
from importers.postal import address_check_series
from importers.readers import Chunk
from importers.services.base import Field, Target

CODES_SPLIT = re.compile(r"[;,、，；\s]+")
TRUE_WORDS = {"1", "true", "t", "yes", "y", "on", "はい", "○", "〇", "◯", "✓", "✔", "有", "あり"}
FALSE_WORDS = {"0", "false", "f", "no", "n", "off", "いいえ", "×", "✕", "無", "なし", "-"}
SQL_INT_RANGE = {
    "smallint": 2**15,
    "integer": 2**31,
    "bigint": 2**63,
}
MONEY_NOISE = str.maketrans("", "", ",， 円¥￥\\")


# ---------------------------------------------------------------------------------------------
# Per-value rules that normalise has no *_series for
# ---------------------------------------------------------------------------------------------


def _whole_number(value: str) -> str | None:
    text = normalise.text(value)
    if text is None:
        return None
    cleaned = text.translate(MONEY_NOISE)
    if re.fullmatch(r"[-+]?\d+(\.0*)?", cleaned):
        return str(int(float(cleaned))) if "." in cleaned else str(int(cleaned))
    digits = re.sub(r"[^0-9-]", "", cleaned)
    raise NormaliseError(
        f"not a whole number: {text!r}",
        suggestion=digits if re.fullmatch(r"-?\d+", digits or "") else None,
    )


def _percent(value: str) -> str | None:
    text = normalise.text(value)
    if text is None:
        return None
    number = _whole_number(text.rstrip("%％"))
    if number is not None and not 0 <= int(number) <= 100:
        raise NormaliseError(f"a percentage is 0 to 100, not {text!r}")
    return number


def _date(value: str) -> str | None:
    text = normalise.text(value)
    if text is None:
        return None
    # A spreadsheet's date-time cell (2026-01-05 00:00:00) is a date here.
    text = re.sub(r"[ T]0{1,2}:00(:00(\.0+)?)?$", "", text)
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return CLEANERS[CustomField.Kind.DATE](None, text)  # the masters' date rule (和暦 too)
    except ValueError as exc:
        raise NormaliseError(str(exc)) from exc


def _bool(value: str) -> str | None:
    text = normalise.text(value)
    if text is None:
        return None
    word = text.lower()
    if word in TRUE_WORDS:
        return "true"
    if word in FALSE_WORDS:
        return "false"
    raise NormaliseError(f"not yes/no: {text!r}; write 1 or 0 (○ or ×)")


def _positive_id(value: str) -> str | None:
    number = _whole_number(value)
    if number is not None and int(number) <= 0:
        raise NormaliseError(f"an id is a positive number, not {value!r}")
    return number


def _codes(value: str) -> str | None:
    """A list of master codes in one cell (VIP;DM or VIP、DM), sorted and without repeats."""
    text = normalise.text(value)
    if text is None:
        return None
    codes = sorted({code for code in CODES_SPLIT.split(text) if code})
    return ";".join(codes) or None


def _choice(choices: tuple[tuple[str, str], ...]) -> Callable[[str], str | None]:
    by_word = {}
    for stored, label in choices:
        by_word[stored.lower()] = stored
        by_word[str(label).lower()] = stored

    def rule(value: str) -> str | None:
        text = normalise.text(value)
        if text is None:
            return None
        found = by_word.get(text.lower())
        if found is None:
            shown = ", ".join(f"{stored} ({label})" for stored, label in choices)
            raise NormaliseError(f"{text!r} is not one of: {shown}")
        return found

    return rule


def _custom_rule(custom: CustomField) -> Callable[[str], str | None]:
    """A custom value by the masters' own cleaner (same messages as the API), as JSON."""
    clean = CLEANERS[custom.kind]

    def rule(value: str) -> str | None:
        if normalise.text(value) is None:
            return None
        raw: Any = value
        if custom.kind == CustomField.Kind.MULTI_CHOICE:
            raw = [part for part in CODES_SPLIT.split(normalise.text(value) or "") if part]
        try:
            cleaned = clean(custom, raw)
        except ValueError as exc:
            raise NormaliseError(f"{custom.label}: {exc}") from exc
        if cleaned in (None, "", []):
            return None
        return json.dumps(cleaned, ensure_ascii=False)

    return rule


PER_VALUE: dict[str, Callable[[str], str | None]] = {
    "multiline": rules.multiline,
    "prefecture": rules.prefecture,
    "url": rules.url,
    "code": rules.code,
    "usercode": rules.code,
    "corporate_number": normalise.corporate_number,
    "int": _whole_number,
    "percent": _percent,
    "date": _date,
    "bool": _bool,
    "id": _positive_id,
    "codes": _codes,
}

SERIES: dict[str, Callable[[pd.Series], Any]] = {
    "text": normalise.text_series,
    "company_name": normalise.company_name_series,
    "kana": normalise.kana_series,
    "phone": normalise.phone_series,
    "postal": normalise.postal_code_series,
    "email": normalise.email_series,
}


def checked_series(
    values: pd.Series, rule: Callable[[str], str | None]
) -> tuple[pd.Series, pd.Series]:
    """(normalised, errors) of a column, the rule run once per distinct value; a failing row
    has None and its NormaliseError (shared by equal inputs: read-only)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    errors = np.empty(len(uniques) + 1, dtype=object)
    for index, unique in enumerate(uniques):
        try:
            results[index], errors[index] = rule(unique), None
        except NormaliseError as exc:
            results[index], errors[index] = None, exc
    results[-1] = errors[-1] = None
    return (
        pd.Series(results[codes], index=values.index, dtype=object),
        pd.Series(errors[codes], index=values.index, dtype=object),
    )


# Characters the text rule changes or drops: whitespace other than a single inner space,
# controls, full-width ASCII and the ideographic space, half-width kana, lone voicing marks.
_TEXT_SPECIAL = (
    "\t\n\v\f\r\x00-\x1f\x7f-\x9f\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f"
    "\u3000\u3099\u309a\uff01-\uff5e\uff61-\uff9f "
)
_PLAIN_WORDS = f"[^{_TEXT_SPECIAL}]+(?: [^{_TEXT_SPECIAL}]+)*"
# Values of these shapes are already what their rule returns — by the rule's definition:
# text() only folds the characters above and collapses white space; kana() also requires
# katakana; postal_code() writes NNN-NNNN. Arrow's C++ regex engine picks them out of a
# whole column, so that only the other values go through the rule in Python (a million
# clean addresses cost ~2 s in Python, ~0.1 s here).
PASS_THROUGH: dict[str, str] = {
    "text": f"^{_PLAIN_WORDS}$",
    "code": f"^{_PLAIN_WORDS}$",
    "usercode": f"^{_PLAIN_WORDS}$",
    "multiline": f"^{_PLAIN_WORDS}$",
    "kana": "^[\u30a1-\u30fe]+(?: [\u30a1-\u30fe]+)*$",
    "postal": "^[0-9]{3}-[0-9]{4}$",
}


def normalise_column(
    values: pd.Series,
    *,
    kind: str,
    field: Field | None = None,
    custom: CustomField | None = None,
) -> tuple[pd.Series, pd.Series | None]:
    """(normalised values, errors or None) of one column by its kind; values already in
    their normal form (``PASS_THROUGH``) are kept without calling the rule."""
    if custom is not None:
        return checked_series(values, _custom_rule(custom))
    if kind == "choice" and field is not None:
        return checked_series(values, _choice(field.choices))
    pattern = PASS_THROUGH.get(kind)
    if pattern is None:
        return _by_rule(values, kind)
    clean = pc.match_substring_regex(pa.array(values, pa.string()), pattern)
    clean = clean.to_numpy(zero_copy_only=False)
    if clean.all():
        return values.astype(object), None
    rest, errors = _by_rule(values[~clean], kind)
    out = values.astype(object).to_numpy().copy()
    out[~clean] = rest.to_numpy(dtype=object)
    found = None
    if errors is not None:
        found = np.full(len(values), None, dtype=object)
        found[~clean] = errors.to_numpy(dtype=object)
        found = pd.Series(found, index=values.index, dtype=object)
    return pd.Series(out, index=values.index, dtype=object), found


def _by_rule(values: pd.Series, kind: str) -> tuple[pd.Series, pd.Series | None]:
    if kind in SERIES:
        result = SERIES[kind](values)
        return result if isinstance(result, tuple) else (result, None)
    return checked_series(values, PER_VALUE[kind])


# ---------------------------------------------------------------------------------------------
# A chunk
# ---------------------------------------------------------------------------------------------


@dataclass
class Staged:
    """A chunk ready for the staging table: normalised values (``f_``), the originals that
    normalising changed (``o_``), custom values as JSON (``c_``) and the row errors."""

    rows: np.ndarray
    columns: dict[str, pd.Series] = field(default_factory=dict)
    errors: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def error(
        self,
        position: int,
        *,
        column: str | None,
        field_name: str | None,
        value: Any,
        message: str,
        suggestion: str | None = None,
    ) -> None:
        self.errors[position].append(
            {
                "column": column,
                "field": field_name,
                "value": value,
                "message": message,
                "suggestion": suggestion,
            }
        )

    def errors_column(self) -> pd.Series:
        out = np.full(len(self.rows), None, dtype=object)
        for position, items in self.errors.items():
            out[position] = json.dumps(items, ensure_ascii=False)
        return pd.Series(out, dtype=object)


def _original(raw: pd.Series) -> pd.Series:
    """The cells as read ("" for an empty one), with the apostrophe our own exports put
    before a formula-like value (=, +, -, @) taken off again."""
    text = raw.fillna("").astype(str)
    quoted = text.str.startswith("'").to_numpy(dtype=bool)
    if quoted.any():
        text = text.copy()
        text[quoted] = text[quoted].map(cell_unsafe)
    return text


def _record_errors(
    staged: Staged, errors: pd.Series | None, original: pd.Series, *, column: str, name: str
) -> None:
    if errors is None:
        return
    found = errors.to_numpy(dtype=object)
    values = original.to_numpy(dtype=object)
    for position in np.flatnonzero(pd.notna(found)):
        exc: NormaliseError = found[position]
        staged.error(
            int(position),
            column=column,
            field_name=name,
            value=values[position],
            message=exc.message,
            suggestion=exc.suggestion,
        )


def _arrow(values: pd.Series) -> pa.Array:
    return pa.array(values.to_numpy(dtype=object), pa.string(), from_pandas=True)


def _series(values: pa.Array) -> pd.Series:
    return pd.Series(values.to_numpy(zero_copy_only=False), dtype=object)


def _changed(original: pd.Series, value: pd.Series) -> pd.Series:
    """The original where normalising changed it (None elsewhere): the preview's before."""
    before = _arrow(original)
    after = pc.fill_null(_arrow(value), "")
    differs = pc.and_(
        pc.not_equal(pc.utf8_trim_whitespace(before), ""), pc.not_equal(before, after)
    )
    return _series(pc.if_else(differs, before, pa.scalar(None, pa.string())))


def _split(value: pd.Series) -> tuple[pd.Series, pd.Series]:
    """氏名 → (姓, 名) at the first space; without one the whole is the family name."""
    parts = pc.extract_regex(_arrow(value), r"^(?P<first>[^ ]*)(?: (?P<rest>.*))?$")
    first = pc.struct_field(parts, "first")
    rest = pc.struct_field(parts, "rest")
    rest = pc.if_else(pc.equal(rest, ""), pa.scalar(None, pa.string()), rest)
    return _series(first), _series(rest)


def chunk_validate(
    *,
    chunk: Chunk,
    target: Target,
    mapping: Mapping,
    header: list[str],
    customs: dict[str, CustomField],
    max_lengths: dict[str, int],
) -> Staged:
    """Normalise every mapped column of ``chunk``.

    1. Each column by its field's kind (custom fields by their definition).
    2. 氏名/フリガナ split into family and given name.
    3. Lengths against the model, required fields present, postal code against prefecture.
    4. A row with the wrong number of cells is refused whole.
    """
    staged = Staged(rows=chunk.rows)
    frame = chunk.frame
    for index, name in enumerate(mapping.columns):
        if not name:
            continue
        original = _original(frame[index].reset_index(drop=True))
        column = header[index]
        if name.startswith("custom."):
            custom = customs[name.removeprefix("custom.")]
            values, errors = normalise_column(original, kind="custom", custom=custom)
            _record_errors(staged, errors, original, column=column, name=name)
            staged.columns[f"c_{custom.key}"] = values
            continue
        spec = target.field(name)
        values, errors = normalise_column(original, kind=spec.kind, field=spec)
        _record_errors(staged, errors, original, column=column, name=name)
        split = next((s for s in target.splits if s.source == name), None)
        if split is not None:
            for part, part_values in zip(split.into, _split(values), strict=True):
                staged.columns[f"f_{part}"] = part_values
                staged.columns[f"o_{part}"] = _changed(original, part_values)
            continue
        staged.columns[f"f_{name}"] = values
        if spec.kind not in ("codes", "bool"):
            staged.columns[f"o_{name}"] = _changed(original, values)
    _check_lengths(staged, header, mapping, max_lengths, target)
    _check_required(staged, target, mapping, header)
    _check_addresses(staged, target)
    for position, message in chunk.problems.items():
        staged.error(position, column=None, field_name=None, value=None, message=message)
    return staged


def _column_of(mapping: Mapping, header: list[str], target: Target, name: str) -> str:
    """The file column a field came from (a split part: the whole-name column)."""
    for index, mapped in enumerate(mapping.columns):
        if mapped == name:
            return header[index]
    for split in target.splits:
        if name in split.into and split.source in mapping.columns:
            return header[mapping.columns.index(split.source)]
    return name


def _check_lengths(
    staged: Staged,
    header: list[str],
    mapping: Mapping,
    max_lengths: dict[str, int],
    target: Target,
) -> None:
    for name, limit in max_lengths.items():
        values = staged.columns.get(f"f_{name}")
        if values is None:
            continue
        lengths = values.astype(object).str.len().fillna(0).to_numpy(dtype=np.int64)
        for position in np.flatnonzero(lengths > limit):
            staged.error(
                int(position),
                column=_column_of(mapping, header, target, name),
                field_name=name,
                value=values.iat[position],
                message=f"at most {limit} characters (this has {lengths[position]})",
            )


def _check_required(staged: Staged, target: Target, mapping: Mapping, header: list[str]) -> None:
    for name in target.required:
        values = staged.columns.get(f"f_{name}")
        if values is None:
            continue
        for position in np.flatnonzero(values.isna().to_numpy()):
            if position in staged.errors and any(
                e["field"] in (name, *[s.source for s in target.splits if name in s.into])
                for e in staged.errors[position]
            ):
                continue
            label = target.field(name).label
            staged.error(
                int(position),
                column=_column_of(mapping, header, target, name),
                field_name=name,
                value=None,
                message=f"{label} ({name}) is required",
            )


def _check_addresses(staged: Staged, target: Target) -> None:
    """A known postal code must agree with the prefecture given beside it, and fills an
    empty prefecture — also when the file has no prefecture column (see ``derived`` in
    ``PlanSpec``) — and an empty address1 when that column is in the file: the rule of
    ``normalise.address_check``, applied to the whole column (``importers.postal``)."""
    for postal, prefecture, address1 in target.addresses:
        codes = staged.columns.get(f"f_{postal}")
        if codes is None or not codes.notna().any():
            continue
        none = pd.Series([None] * len(codes), dtype=object)
        given = staged.columns.get(f"f_{prefecture}", none)
        addresses = staged.columns.get(f"f_{address1}")
        empty = addresses.isna() if addresses is not None else none.isna()
        prefs, fill, problems = address_check_series(codes, given, empty)
        values = given.to_numpy(dtype=object)
        for position in np.flatnonzero(problems.notna().to_numpy()):
            exc: NormaliseError = problems.iat[position]
            staged.error(
                int(position),
                column=None,
                field_name=prefecture,
                value=values[position],
                message=exc.message,
                suggestion=exc.suggestion,
            )
        staged.columns[f"f_{prefecture}"] = prefs
        if addresses is not None:
            filled = fill.notna().to_numpy()
            staged.columns[f"f_{address1}"] = pd.Series(
                np.where(filled, fill.to_numpy(dtype=object), addresses.to_numpy(dtype=object)),
                dtype=object,
            )
