"""Creating, editing and combining selection sets.

A change that may touch many members (extraction, refresh, add or remove by query, copy,
merge) is recorded here and runs as a job on the ``extract`` queue (``materialise``); a
change by a list of ids is small and runs in the request.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from api.core.errors import Conflict, FieldErrors, ServiceError
from api.jobs.models import Job
from api.jobs.services import job_create
from api.people.models import Person
from api.selections.models import SelectionSet
from api.selections.query import compile_query
from api.selections.services.materialise import members_add_sql, members_remove_sql

OPERATIONS = ("union", "intersection", "difference")


def _job(*, kind: str, selection_set: SelectionSet, user: Any, **params: Any) -> Job:
    job = job_create(kind=kind, params={"set_id": selection_set.pk, **params}, created_by=user)
    SelectionSet.objects.filter(pk=selection_set.pk).update(job=job)
    selection_set.job = job
    return job


def selection_set_create(
    *, name: str, user: Any, query: Any = None, description: str = ""
) -> tuple[SelectionSet, Job | None]:
    """A new set; with a query, its members are extracted by a job.

    The query is compiled here first, so a bad one is a 400 naming its place before anything
    is written."""
    if query is not None:
        compile_query(query, user=user)
    with transaction.atomic(durable=True):
        selection_set = SelectionSet.objects.create(
            name=name,
            description=description,
            owner=user if user.pk else None,
            query=query,
            origin=SelectionSet.Origin.QUERY if query is not None else SelectionSet.Origin.MANUAL,
        )
        job = None
        if query is not None:
            job = _job(
                kind="selection_extract", selection_set=selection_set, user=user, op="create"
            )
    return selection_set, job


def selection_set_update(
    *,
    selection_set: SelectionSet,
    name: str | None = None,
    description: str | None = None,
    query: Any = None,
    query_given: bool = False,
    user: Any,
) -> SelectionSet:
    """Rename, describe, or replace the query (members change at the next refresh)."""
    if query_given and query is not None:
        compile_query(query, user=selection_set.owner or user)
    fields = []
    if name is not None:
        selection_set.name = name
        fields.append("name")
    if description is not None:
        selection_set.description = description
        fields.append("description")
    if query_given:
        selection_set.query = query
        fields.append("query")
    if fields:
        selection_set.save(update_fields=[*fields, "updated_at"])
    return selection_set


def selection_set_delete(*, selection_set: SelectionSet) -> None:
    with transaction.atomic(durable=True):
        selection_set.delete()


def selection_set_refresh(*, selection_set: SelectionSet, user: Any) -> Job:
    """Re-run the set's query (job): who joined and who left is the job's result."""
    if selection_set.query is None:
        raise ServiceError("this set has no query to re-run", field="query")
    compile_query(selection_set.query, user=selection_set.owner or user)
    with transaction.atomic(durable=True):
        return _job(kind="selection_refresh", selection_set=selection_set, user=user)


def selection_members_change_by_query(
    *, selection_set: SelectionSet, query: Any, remove: bool, user: Any
) -> Job:
    """Add (or remove) everyone a query selects, as a job."""
    compile_query(query, user=user)
    with transaction.atomic(durable=True):
        return _job(
            kind="selection_extract",
            selection_set=selection_set,
            user=user,
            op="remove" if remove else "add",
            query=query,
        )


def _existing_ids(ids: list[int]) -> list[int]:
    unique = sorted(set(ids))
    found = set(Person.objects.filter(pk__in=unique).values_list("pk", flat=True))
    missing = [pk for pk in unique if pk not in found]
    if missing:
        shown = ", ".join(str(pk) for pk in missing[:20])
        raise FieldErrors({"person_ids": [f"unknown person ids: {shown}"]})
    return unique


def selection_members_add(*, selection_set: SelectionSet, person_ids: list[int]) -> int:
    """Add people by id; returns how many were new. They survive a refresh (manual)."""
    ids = _existing_ids(person_ids)
    with transaction.atomic(durable=True):
        locked = SelectionSet.objects.select_for_update().get(pk=selection_set.pk)
        added = members_add_sql(
            selection_set=locked,
            condition_sql="p.id = ANY(%s::bigint[])",
            params=(ids,),
            manual=True,
        )
    selection_set.refresh_from_db(fields=["member_count"])
    return added


def selection_members_remove(*, selection_set: SelectionSet, person_ids: list[int]) -> int:
    """Remove people by id; returns how many were members. A refresh keeps them out."""
    ids = sorted(set(person_ids))
    with transaction.atomic(durable=True):
        locked = SelectionSet.objects.select_for_update().get(pk=selection_set.pk)
        removed = members_remove_sql(
            selection_set=locked, condition_sql="p.id = ANY(%s::bigint[])", params=(ids,)
        )
    selection_set.refresh_from_db(fields=["member_count"])
    return removed


def selection_set_copy(
    *, source: SelectionSet, name: str | None, user: Any
) -> tuple[SelectionSet, Job]:
    """A new set with the same members, query and hand edits (job)."""
    with transaction.atomic(durable=True):
        copy = SelectionSet.objects.create(
            name=name or f"{source.name} のコピー",
            description=source.description,
            owner=user if user.pk else None,
            query=source.query,
            origin=SelectionSet.Origin.COPY,
            origin_detail={"operation": "copy", "sets": [source.number]},
        )
        job = _job(
            kind="selection_combine",
            selection_set=copy,
            user=user,
            operation="copy",
            sources=[source.pk],
        )
    return copy, job


def selection_sets_merge(
    *, sources: list[SelectionSet], operation: str, name: str, user: Any, description: str = ""
) -> tuple[SelectionSet, Job]:
    """A new set from N sets: union (in any), intersection (in all) or difference (in the
    first and in none of the others). 名寄せ flags duplicates among the result (job)."""
    if operation not in OPERATIONS:
        raise FieldErrors({"operation": [f"'{operation}' is not one of: {', '.join(OPERATIONS)}"]})
    if len(sources) < 2 or len({s.pk for s in sources}) != len(sources):
        raise FieldErrors({"sets": ["give two or more different sets"]})
    with transaction.atomic(durable=True):
        merged = SelectionSet.objects.create(
            name=name,
            description=description,
            owner=user if user.pk else None,
            origin=SelectionSet.Origin.MERGE,
            origin_detail={"operation": operation, "sets": [s.number for s in sources]},
        )
        job = _job(
            kind="selection_combine",
            selection_set=merged,
            user=user,
            operation=operation,
            sources=[s.pk for s in sources],
        )
    return merged, job


def selection_set_ensure_idle(*, selection_set: SelectionSet) -> None:
    """Refuse work that needs the members while a job is still changing them."""
    job = selection_set.job
    if job is not None and job.state in (Job.State.QUEUED, Job.State.RUNNING):
        raise Conflict(
            f"set {selection_set.code} is still being built (job #{job.pk}); "
            "try again when it has finished"
        )
