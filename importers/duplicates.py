"""重複リスト: probable duplicates already in the register, and merging them into one.

The keys are the importer's duplicate keys (same e-mail; same reading and phone; same name
and company; same name and postal code — for companies: 法人番号, name, phone), found by one
GROUP BY over the table. A merge keeps one record, fills its empty fields from the others
if asked, moves everything that points at the others onto it — career, sales, card
exchanges, notes, family, contact records, mailings, selection memberships, types; for a
company its departments (a department of the same name is merged into the kept one), people
and sales — and deletes the others, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction

from api.core.errors import FieldErrors, ServiceError
from api.people.models import Company, Department, Person


@dataclass(frozen=True)
class DuplicateKey:
    name: str
    label: str
    exprs: tuple[str, ...]


KEYS: dict[str, dict[str, DuplicateKey]] = {
    "people": {
        key.name: key
        for key in (
            DuplicateKey("email", "メール", ("t.email",)),
            DuplicateKey(
                "kana_phone",
                "フリガナ＋電話",
                (
                    "nullif(coalesce(t.family_name_kana, '') "
                    "|| coalesce(t.given_name_kana, ''), '')",
                    "t.phone",
                ),
            ),
            DuplicateKey(
                "name_company",
                "氏名＋会社",
                (
                    "t.family_name || coalesce(t.given_name, '')",
                    "t.company_id",
                ),
            ),
            DuplicateKey(
                "name_postal",
                "氏名＋郵便番号",
                (
                    "t.family_name || coalesce(t.given_name, '')",
                    "t.postal_code",
                ),
            ),
        )
    },
    "companies": {
        key.name: key
        for key in (
            DuplicateKey("corporate_number", "法人番号", ("t.corporate_number",)),
            DuplicateKey("name", "会社名", ("t.name",)),
            DuplicateKey("phone", "電話", ("t.phone",)),
        )
    },
}
DEFAULT_KEY = {"people": "email", "companies": "name"}
MODELS: dict[str, type[models.Model]] = {"people": Person, "companies": Company}
SHOWN = {
    "people": (
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "company__name",
        "department__name",
        "email",
        "phone",
        "postal_code",
        "prefecture",
        "address1",
        "updated_at",
    ),
    "companies": (
        "name",
        "name_kana",
        "corporate_number",
        "phone",
        "postal_code",
        "prefecture",
        "address1",
        "updated_at",
    ),
}
# Records whose clash with a kept record means "the same thing twice": merged, not deleted.
MERGED_ON_CLASH = (Department,)


def _key(entity: str, name: str) -> DuplicateKey:
    try:
        return KEYS[entity][name]
    except KeyError:
        raise FieldErrors(
            {"key": [f"unknown key '{name}'; choose one of {', '.join(KEYS[entity])}"]}
        ) from None


def duplicate_groups(
    *, entity: str, key: str, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """(number of groups, one page of groups) of records that share ``key``."""
    spec = _key(entity, key)
    model = MODELS[entity]
    exprs = ", ".join(spec.exprs)
    present = " AND ".join(f"({e}) IS NOT NULL" for e in spec.exprs)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) OVER (), array_agg(t.id ORDER BY t.id) FROM {model._meta.db_table} t "
            f"WHERE {present} GROUP BY {exprs} HAVING count(*) > 1 "
            f"ORDER BY min(t.id) LIMIT %s OFFSET %s",
            [limit, offset],
        )
        rows = cursor.fetchall()
    total = rows[0][0] if rows else 0
    ids = [pk for _, group in rows for pk in group]
    records = {
        item["id"]: item for item in model.objects.filter(pk__in=ids).values("id", *SHOWN[entity])
    }
    groups = [
        {
            "key": spec.name,
            "label": spec.label,
            "count": len(group),
            "records": [records[pk] for pk in group if pk in records],
        }
        for _, group in rows
    ]
    return total, groups


# ---------------------------------------------------------------------------------------------
# Merge
# ---------------------------------------------------------------------------------------------


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def _fill_empty(keep: models.Model, others: list[models.Model]) -> list[str]:
    """Copy into ``keep`` each value it lacks from the first other record that has it; custom
    values are merged key by key (the kept record's win)."""
    filled = []
    for field in type(keep)._meta.concrete_fields:
        if field.primary_key or getattr(field, "generated", False) or not field.editable:
            continue
        if field.unique:
            continue  # an external code or 法人番号 belongs to the record it is on
        name = field.attname
        if name == "custom":
            merged = {}
            for other in reversed(others):
                merged.update(other.custom or {})
            merged.update(keep.custom or {})
            if merged != (keep.custom or {}):
                keep.custom = merged
                filled.append(name)
            continue
        if not _empty(getattr(keep, name)) or isinstance(field, models.BooleanField):
            continue
        for other in others:
            if not _empty(getattr(other, name)):
                setattr(keep, name, getattr(other, name))
                filled.append(name)
                break
    return filled


def _unique_sets(model: type[models.Model], fk: models.Field) -> list[list[str]]:
    """The unique column sets of ``model`` that include ``fk`` (each becomes a clash)."""
    sets: list[list[str]] = []
    for group in model._meta.unique_together:
        if fk.name in group:
            sets.append([model._meta.get_field(n).column for n in group])
    for constraint in model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.condition is None
            and (fk.name in constraint.fields)
        ):
            sets.append([model._meta.get_field(n).column for n in constraint.fields])
    if fk.unique:
        sets.append([fk.column])
    return sets


def _move(model: type[models.Model], keep_id: int, other_id: int, moved: dict[str, int]) -> None:
    """Point everything that references ``other_id`` at ``keep_id``.

    A row that would repeat a row of the kept record under a unique constraint (the same
    type twice, the same selection set twice) is dropped — or, for a department of the same
    name, merged into the kept one first.
    """
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.one_to_many or relation.one_to_one) or not relation.auto_created:
            continue
        if relation.concrete:
            continue
        related = relation.related_model
        fk = relation.field
        table, column = related._meta.db_table, fk.column
        with connection.cursor() as cursor:
            for columns in _unique_sets(related, fk):
                others = [c for c in columns if c != column]
                same = (
                    " AND ".join(
                        [f"r.{c} IS NOT DISTINCT FROM k.{c}" for c in others]
                        if related in MERGED_ON_CLASH
                        else [f"r.{c} = k.{c}" for c in others]
                    )
                    or "true"
                )
                cursor.execute(
                    f"SELECT r.id, k.id FROM {table} r JOIN {table} k ON k.{column} = %s "
                    f"AND {same} WHERE r.{column} = %s",
                    [keep_id, other_id],
                )
                for clash_id, kept_id in cursor.fetchall():
                    if related in MERGED_ON_CLASH:
                        _merge_into(related, kept_id, clash_id, moved)
                    else:
                        related.objects.filter(pk=clash_id).delete()
            cursor.execute(
                f"UPDATE {table} SET {column} = %s WHERE {column} = %s", [keep_id, other_id]
            )
            if cursor.rowcount:
                moved[table] = moved.get(table, 0) + cursor.rowcount


def _merge_into(
    model: type[models.Model], keep_id: int, other_id: int, moved: dict[str, int]
) -> None:
    _move(model, keep_id, other_id, moved)
    model.objects.filter(pk=other_id).delete()


def duplicate_merge(
    *, entity: str, keep_id: int, merge_ids: list[int], fill_empty: bool, user: Any
) -> dict[str, Any]:
    """Merge ``merge_ids`` into ``keep_id``.

    1. Lock all the records; each must exist and differ from the kept one.
    2. Fill the kept record's empty fields from the others (if asked).
    3. Move each other record's references onto the kept one, then delete it.
    """
    model = MODELS[entity]
    merge_ids = list(dict.fromkeys(merge_ids))
    if keep_id in merge_ids:
        raise FieldErrors({"merge": [f"#{keep_id} is the record kept; it cannot be merged"]})
    with transaction.atomic(durable=True):
        records = {
            r.pk: r for r in model.objects.select_for_update().filter(pk__in=[keep_id, *merge_ids])
        }
        missing = [pk for pk in [keep_id, *merge_ids] if pk not in records]
        if missing:
            raise ServiceError(
                f"no {model._meta.verbose_name} #{', #'.join(map(str, missing))}",
                field="merge" if keep_id not in missing else "keep",
            )
        keep = records[keep_id]
        others = [records[pk] for pk in merge_ids]
        filled = _fill_empty(keep, others) if fill_empty else []
        moved: dict[str, int] = {}
        for other in others:
            _move(model, keep.pk, other.pk, moved)
            other.delete()
        if filled:
            keep.save()
    return {"kept": keep.pk, "merged": merge_ids, "filled": filled, "moved": moved}
