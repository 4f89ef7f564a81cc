"""custom: a カスタム項目 of the person has a value."""

import json
from typing import Any

from api.masters.models import CustomField
from api.selections.query.base import (
    Context,
    QueryError,
    Sql,
    boolean,
    iso_date,
    number,
    obj,
    texts,
)

NAME = "custom"
SUMMARY = (
    "カスタム項目 `key`: `equals` a value, `in` a list, `contains` a text (text fields), "
    "`min`/`max` (number and date fields), or `set` true/false. Choice fields take their "
    "choices; a multiple-choice field matches when it holds any of the values."
)
EXAMPLE = {"key": "hobby", "in": ["ゴルフ", "釣り"]}

KIND = CustomField.Kind
TESTS = ("equals", "in", "contains", "min", "max", "set")


def _value(field: CustomField, raw: Any, path: str) -> Any:
    if field.kind == KIND.NUMBER:
        return number(raw, path)
    if field.kind == KIND.DATE:
        return iso_date(raw, path).isoformat()
    (text,) = texts(raw, path)[:1]
    if field.kind in (KIND.CHOICE, KIND.MULTI_CHOICE):
        choices = [str(choice) for choice in field.choices]
        if text not in choices:
            raise QueryError(path, f"'{text}' is not one of the choices: {', '.join(choices)}")
    return text


def _contains(field: CustomField, value: Any) -> str:
    # JSONB containment is what the GIN jsonb_path_ops index on ``custom`` answers.
    item = [value] if field.kind == KIND.MULTI_CHOICE else value
    return json.dumps({field.key: item}, ensure_ascii=False)


def compile(value: Any, ctx: Context, path: str) -> Sql:
    spec = obj(value, path, allowed=("key", *TESTS), required=("key",))
    (key,) = texts(spec["key"], f"{path}.key")[:1]
    field = CustomField.objects.filter(entity=CustomField.Entity.PERSON, key=key).first()
    if field is None:
        raise QueryError(f"{path}.key", f"unknown custom field '{key}'")
    given = [test for test in TESTS if test in spec]
    if not given:
        raise QueryError(path, f"give one of: {', '.join(TESTS)}")
    conditions: list[str] = []
    params: list[Any] = []
    for test in given:
        at = f"{path}.{test}"
        raw = spec[test]
        if test == "set":
            kind = "coalesce(jsonb_typeof(p.custom -> %s), 'null')"
            conditions.append(f"{kind} <> 'null'" if boolean(raw, at) else f"{kind} = 'null'")
            params.append(key)
        elif test in ("equals", "in"):
            items = raw if test == "in" else [raw]
            if not isinstance(items, list) or not items:
                raise QueryError(at, "expected a non-empty list")
            values = [_value(field, item, at) for item in items]
            conditions.append("(" + " OR ".join(["p.custom @> %s::jsonb"] * len(values)) + ")")
            params += [_contains(field, v) for v in values]
        elif test == "contains":
            if field.kind != KIND.TEXT:
                raise QueryError(at, "contains works on text fields; use equals or in")
            conditions.append("strpos(p.custom ->> %s, %s) > 0")
            params += [key, texts(raw, at)[0]]
        else:
            operator = ">=" if test == "min" else "<="
            if field.kind == KIND.NUMBER:
                conditions.append(
                    "CASE WHEN jsonb_typeof(p.custom -> %s) = 'number' "
                    f"THEN (p.custom ->> %s)::numeric {operator} %s END"
                )
                params += [key, key, number(raw, at)]
            elif field.kind == KIND.DATE:
                # ISO dates compare as text in date order.
                conditions.append(f"(p.custom ->> %s) {operator} %s")
                params += [key, _value(field, raw, at)]
            else:
                raise QueryError(at, "min and max work on number and date fields")
    return Sql(" AND ".join(conditions), tuple(params))
