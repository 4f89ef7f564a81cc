"""The commit job: the planned rows written to the register, range by range."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from api.core.errors import Conflict, FieldErrors, ServiceError
from api.core.gin import gin_batch_begin, gin_pending_merge
from api.jobs.models import Job
from api.people.services.search import person_search_index_queue
from importers.models import ImportJob
from importers.services.imports import (
    Timings,
    header_of,
    job_for,
    mapping_of,
    plan_spec,
    transient,
)
from importers.services.merge import chunk_insert, chunk_update, missing_create
from importers.services.plan import (
    PlanSpec,
    plan_build,
    plan_counts,
    plan_stale,
)
from importers.services.targets import target_get
from importers.staging import (
    session_tune,
    stage_exists,
)

log = logging.getLogger(__name__)


def commit_rows() -> int:
    """Rows per commit transaction: big enough for set-based SQL to pay off, small enough
    that a killed worker loses little and progress moves."""
    return settings.MEIBO_IMPORT_COMMIT_ROWS


# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------


def import_commit_start(
    *, record: ImportJob, user: Any, policy: str | None = None, here: bool = False
) -> Job:
    """Queue the commit of a previewed import. ``all_or_nothing`` refuses while any row has
    an error; ``valid_only`` writes the valid rows and reports the others."""
    policy = policy or record.policy
    if policy not in ImportJob.Policy.values:
        raise FieldErrors({"policy": [f"choose {' or '.join(ImportJob.Policy.values)}"]})
    with transaction.atomic(durable=True):
        locked = ImportJob.objects.select_for_update().get(pk=record.pk)
        if locked.state != ImportJob.State.PREVIEWED:
            raise Conflict(
                f"import #{record.pk} is {locked.get_state_display()}; only a previewed "
                "import can be committed",
                field="state",
            )
        errors = locked.counts.get("error", 0)
        if policy == ImportJob.Policy.ALL_OR_NOTHING and errors:
            raise ServiceError(
                f"{errors} row(s) have errors and all_or_nothing was asked: fix them (see "
                "errors.csv) and upload again, or commit the valid rows only",
                field="policy",
            )
        locked.policy = policy
        locked.state = ImportJob.State.COMMITTING
        locked.commit_job = job_for(kind="import_commit", record=locked, user=user, here=here)
        locked.save(update_fields=["policy", "state", "commit_job", "updated_at"])
    return locked.commit_job


def _rows_left(spec: PlanSpec) -> tuple[int, int, bool, bool]:
    """The first and last row not yet written, and whether any of them inserts or updates:
    the statements of an action no row has are skipped (an insert import spent seconds
    joining each range to find no update)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(min(row_no), 0), coalesce(max(row_no), -1), "
            f"bool_or(action = 'insert'), bool_or(action = 'update') "
            f"FROM {spec.plan} WHERE NOT done AND action IN ('insert', 'update')"
        )
        low, high, inserts, updates = cursor.fetchone()
    return low, high, bool(inserts), bool(updates)


def _any_done(spec: PlanSpec) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {spec.plan} WHERE done)")
        return bool(cursor.fetchone()[0])


def import_commit(*, import_id: int, job_id: int, progress: Any) -> dict[str, Any]:
    """The commit job. Idempotent: a redelivered or retried job continues with the rows
    not yet done.

    1. On the first attempt, plan again if the register may have changed since the preview
       (a record added or removed, a code deleted; ``plan_stale``), else keep the
       preview's plan. ``all_or_nothing`` stops on any error.
    2. Create the companies and departments the rows name, if asked (one transaction).
    3. Each range of ``commit_rows()`` rows in its own transaction: inserts (with their
       codes), then updates (career entries first), then the rows marked done.
    4. Record the counts: inserted, updated, unchanged, skipped, failed.
    """
    record = ImportJob.objects.filter(pk=import_id).first()
    if (
        record is None
        or record.commit_job_id != job_id
        or record.state not in (ImportJob.State.COMMITTING, ImportJob.State.FAILED)
    ):
        log.info("import #%s is gone or not committing by job #%s", import_id, job_id)
        return {}
    if record.state == ImportJob.State.FAILED:
        ImportJob.objects.filter(pk=record.pk).update(state=ImportJob.State.COMMITTING, error="")
    target = target_get(record.target)
    spec = plan_spec(record, target, mapping_of(record))
    if not stage_exists(import_id=record.pk):
        raise ServiceError(
            "the previewed rows are no longer there (the database was restarted); "
            "preview the import again",
            field="state",
        )
    created = dict(record.counts.get("created", {}))
    careers = int(record.counts.get("career_entries", 0))
    timings = Timings()
    try:
        if not _any_done(spec):
            with timings.measure("plan"):
                if plan_stale(spec=spec, snapshot=record.planned_snapshot):
                    with transaction.atomic():
                        counts = plan_build(spec=spec, header_of=header_of(record, target))
                else:
                    with connection.cursor() as cursor:
                        counts = plan_counts(cursor=cursor, spec=spec)
            if record.policy == ImportJob.Policy.ALL_OR_NOTHING and counts["error"]:
                raise ServiceError(
                    f"{counts['error']} row(s) have errors now (the register changed since "
                    "the preview); nothing was imported",
                    field="policy",
                )
        with timings.measure("create"), transaction.atomic(durable=True):
            session_tune()
            gin_batch_begin()
            made = missing_create(spec=spec)
            gin_pending_merge(tables=list(made))
            for table, count in made.items():
                created[table] = created.get(table, 0) + count
        low, high, inserts, updates = _rows_left(spec)
        step = commit_rows()
        progress.set_total(max(0, high - low + 1))
        for lo in range(low, high + 1, step):
            hi = lo + step - 1
            with transaction.atomic(durable=True):
                session_tune()
                gin_batch_begin()
                career_count = 0
                if inserts:
                    with timings.measure("insert"):
                        chunk_insert(spec=spec, lo=lo, hi=hi)
                if updates:
                    with timings.measure("update"):
                        _updated, career_count = chunk_update(
                            spec=spec, lo=lo, hi=hi, user_id=record.created_by_id
                        )
                with timings.measure("index"):
                    gin_pending_merge(tables=[target.table])
                careers += career_count
            progress.update(min(hi, high) - low + 1)
    except ServiceError as exc:
        _commit_failed(record, exc.message, created, careers)
        raise
    except Exception as exc:
        if not transient(exc):
            _commit_failed(record, f"{type(exc).__name__}: {exc}", created, careers)
        raise
    with connection.cursor() as cursor:
        counts = plan_counts(cursor=cursor, spec=spec)
    result = _commit_counts(counts, created, careers)
    with transaction.atomic():
        ImportJob.objects.filter(pk=record.pk).update(
            state=ImportJob.State.COMMITTED,
            counts={**record.counts, **result},
            committed_at=timezone.now(),
            error="",
            updated_at=timezone.now(),
        )
        # The rows were written pending (target.pending_column): the follow-up job makes
        # them searchable through the indexes; searches find them meanwhile.
        if target.pending_column and (result["inserted"] or result["updated"]):
            person_search_index_queue(created_by=record.created_by)
    return {"import_id": record.pk, **result, "seconds": timings.as_dict()}


def _commit_counts(counts: dict[str, int], created: dict[str, int], careers: int) -> dict:
    return {
        **counts,
        "inserted": counts["insert"],
        "updated": counts["update"],
        "unchanged": counts["unchanged"],
        "skipped": counts["skip"],
        "failed": counts["error"],
        "created": created,
        "career_entries": careers,
    }


def _commit_failed(record: ImportJob, message: str, created: dict, careers: int) -> None:
    """A failed commit keeps its staged rows and what it has done: a retry continues."""
    counts = {**record.counts, "created": created, "career_entries": careers}
    ImportJob.objects.filter(pk=record.pk).update(
        state=ImportJob.State.FAILED, error=message, counts=counts, updated_at=timezone.now()
    )


# ---------------------------------------------------------------------------------------------
# Errors file, delete
# ---------------------------------------------------------------------------------------------
