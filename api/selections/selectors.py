"""Reads of selection sets: counting a query, pages of members, comparing two sets."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet

from api.core.errors import FieldErrors
from api.people.models import Person
from api.selections.company_order import CompanyOrderedMembers
from api.selections.models import SelectionMember, SelectionSet
from api.selections.query import compile_query

PERSON = Person._meta.db_table
MEMBER = SelectionMember._meta.db_table
# A count runs in the request; a query that takes longer than this is refused, not left
# holding a web worker.
COUNT_TIMEOUT_MS = 30_000

# Member orderings offered (?ordering=, "-" for descending); each ends in the person id so
# that pages are stable. "kana" follows the person_kana index, so the first page of a
# 500,000-member set reads ~50 index entries instead of sorting the set.
MEMBER_ORDERINGS: dict[str, tuple[str, ...]] = {
    "kana": ("person__family_name_kana", "person__given_name_kana"),
    "postal_code": ("person__postal_code",),
    # Walked through two indexes for a members page (api.selections.company_order).
    "company": (
        "person__company__name_kana",
        "person__company__name",
        "person__company_id",
        "person__family_name_kana",
        "person__given_name_kana",
    ),
    "added": ("added_at",),
    "id": (),
}
COMPARE_PARTS = ("only_a", "only_b", "both")
MEMBER_COLUMNS = (
    "selection_set",
    "person",
    "manual",
    "added_at",
    "duplicate_of",
    "duplicate_matched_on",
    *(
        f"person__{name}"
        for name in (
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "company",
            "department",
            "title",
            "postal_code",
            "prefecture",
            "address1",
            "address2",
            "email",
        )
    ),
    "person__company__name",
    "person__department__name",
)


def selection_set_list(*, user: Any) -> QuerySet[SelectionSet]:
    """Sets are shared by all staff: marketing merges the lists each department made."""
    return SelectionSet.objects.select_related("owner", "job")


def selection_set_can_delete(*, selection_set: SelectionSet, user: Any) -> bool:
    """Anyone may use a set; only its owner or an administrator may delete it."""
    return bool(user.is_staff or selection_set.owner_id == user.pk)


def selection_count(*, query: Any, user: Any) -> int:
    """How many people ``query`` selects, without writing anything."""
    condition = compile_query(query, user=user)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL statement_timeout = {COUNT_TIMEOUT_MS}")
        cursor.execute("SET LOCAL jit = off")  # compiling costs more than it saves here
        cursor.execute(f"SELECT count(*) FROM {PERSON} p WHERE {condition.text}", condition.params)
        return cursor.fetchone()[0]


def member_ordering(ordering: str | None) -> list[str]:
    name = (ordering or "kana").strip()
    descending = name.startswith("-")
    fields = MEMBER_ORDERINGS.get(name.lstrip("-"))
    if fields is None:
        raise FieldErrors({"ordering": [f"'{name}' is not one of: {', '.join(MEMBER_ORDERINGS)}"]})
    return [f"-{field}" if descending else field for field in (*fields, "person_id")]


def selection_members(
    *, selection_set: SelectionSet, ordering: str | None = None, duplicates_only: bool = False
) -> QuerySet[SelectionMember]:
    members = SelectionMember.objects.filter(selection_set=selection_set)
    if duplicates_only:
        members = members.filter(duplicate_of__isnull=False)
    return _member_rows(members).order_by(*member_ordering(ordering))


def selection_member_pages(
    *, selection_set: SelectionSet, ordering: str | None = None
) -> QuerySet[SelectionMember] | CompanyOrderedMembers:
    """The members to page through: by company, a walk that reads only the page's rows."""
    name = (ordering or "kana").strip()
    if name.lstrip("-") != "company":
        return selection_members(selection_set=selection_set, ordering=ordering)
    return CompanyOrderedMembers(
        _member_rows(SelectionMember.objects.filter(selection_set=selection_set)),
        set_id=selection_set.pk,
        descending=name.startswith("-"),
    )


def _member_rows(members: QuerySet[SelectionMember]) -> QuerySet[SelectionMember]:
    # Only what a member row shows: a person row also holds its search text and grams.
    return members.select_related("person__company", "person__department").only(*MEMBER_COLUMNS)


def selection_compare(*, a: SelectionSet, b: SelectionSet) -> dict[str, int]:
    """How many people are only in A, only in B, and in both: the two sizes and one join of
    the sets' primary-key ranges."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")  # a 500,000-row hash without batches
        # A hash or merge join, whatever the statistics say: a nested loop chosen on stale
        # estimates once ran for minutes on two 500,000-member sets.
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(
            f"""
            SELECT (SELECT count(*) FROM {MEMBER} WHERE selection_set_id = %(a)s),
                   (SELECT count(*) FROM {MEMBER} WHERE selection_set_id = %(b)s),
                   (SELECT count(*) FROM {MEMBER} x JOIN {MEMBER} y
                      ON y.selection_set_id = %(b)s AND y.person_id = x.person_id
                    WHERE x.selection_set_id = %(a)s)
            """,
            {"a": a.pk, "b": b.pk},
        )
        size_a, size_b, both = cursor.fetchone()
    return {"only_a": size_a - both, "only_b": size_b - both, "both": both}


def selection_compare_members(
    *, a: SelectionSet, b: SelectionSet, part: str, ordering: str | None = None
) -> QuerySet[SelectionMember]:
    """The members of one part of a comparison, as members of A (or of B for only_b)."""
    if part not in COMPARE_PARTS:
        raise FieldErrors({"part": [f"'{part}' is not one of: {', '.join(COMPARE_PARTS)}"]})
    home, other = (b, a) if part == "only_b" else (a, b)
    in_other = Exists(
        SelectionMember.objects.filter(selection_set=other, person_id=OuterRef("person_id"))
    )
    members = SelectionMember.objects.filter(selection_set=home)
    members = members.filter(in_other) if part == "both" else members.filter(~in_other)
    return _member_rows(members).order_by(*member_ordering(ordering))


def selection_people(*, selection_set: SelectionSet, ordering: str | None) -> QuerySet[Person]:
    """The members as people (for exports), in a member ordering other than ``added``."""
    fields = [
        name.replace("person__", "").replace("person_id", "id")
        for name in member_ordering(ordering)
    ]
    if any(name.lstrip("-") == "added_at" for name in fields):
        raise FieldErrors(
            {"ordering": ["an export is ordered by kana, postal_code, company or id"]}
        )
    members = SelectionMember.objects.filter(selection_set=selection_set, person_id=OuterRef("pk"))
    return Person.objects.filter(Exists(members)).order_by(*fields)


def people_brief(*, ids: list[int | None]) -> dict[int, dict[str, Any]]:
    """{id: {id, name, kana, updated_at}} of a few people, for showing which record was kept."""
    rows = Person.objects.filter(pk__in=[pk for pk in ids if pk]).values(
        "id", "family_name", "given_name", "family_name_kana", "given_name_kana", "updated_at"
    )
    return {
        row["id"]: {
            "id": row["id"],
            "name": " ".join(p for p in (row["family_name"], row["given_name"]) if p),
            "kana": " ".join(p for p in (row["family_name_kana"], row["given_name_kana"]) if p),
            "updated_at": row["updated_at"],
        }
        for row in rows
    }
