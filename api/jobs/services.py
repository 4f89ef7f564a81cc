"""Creating, publishing, cancelling and retrying jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from api.core.errors import Conflict
from api.jobs.kinds import kind_get
from api.jobs.models import Job


def job_create(
    *,
    kind: str,
    params: dict[str, Any] | None = None,
    created_by: Any = None,
    scheduled_for: datetime | None = None,
    total: int | None = None,
) -> Job:
    """Record a job and publish its task once the surrounding transaction commits.

    A job scheduled for later stays queued until ``job_dispatch_due`` (run by beat) finds it.
    """
    kind_get(kind)
    job = Job.objects.create(
        kind=kind,
        params=params or {},
        created_by=created_by if getattr(created_by, "pk", None) else None,
        scheduled_for=scheduled_for,
        total=total,
    )
    if scheduled_for is None or scheduled_for <= timezone.now():
        transaction.on_commit(lambda: job_publish(job_id=job.pk))
    return job


def job_publish(*, job_id: int) -> bool:
    """Publish the task of a queued job exactly once (claimed by ``dispatched_at``)."""
    from workers.celery import app

    claimed = Job.objects.filter(
        pk=job_id, state=Job.State.QUEUED, dispatched_at__isnull=True
    ).update(dispatched_at=timezone.now())
    if not claimed:
        return False
    job = Job.objects.get(pk=job_id)
    kind = kind_get(job.kind)
    app.send_task(kind.task, args=[job.pk], queue=kind.queue)
    return True


def job_dispatch_due(*, now: datetime | None = None) -> int:
    """Publish every scheduled job whose time has come. Returns how many were published."""
    now = now or timezone.now()
    due = Job.objects.filter(
        state=Job.State.QUEUED, dispatched_at__isnull=True, scheduled_for__lte=now
    ).values_list("pk", flat=True)
    return sum(job_publish(job_id=pk) for pk in list(due))


def job_cancel(*, job: Job) -> Job:
    """Cancel a queued or running job. A running task sees it at its next progress report."""
    updated = Job.objects.filter(pk=job.pk, state__in=[Job.State.QUEUED, Job.State.RUNNING]).update(
        state=Job.State.CANCELLED, finished_at=timezone.now()
    )
    job.refresh_from_db()
    if not updated:
        raise Conflict(f"job #{job.pk} is already {job.state} and cannot be cancelled")
    return job


def job_retry(*, job: Job) -> Job:
    """Queue a failed or cancelled job again. Job services are idempotent, so a retry
    continues where the last attempt stopped and never duplicates its work."""
    with transaction.atomic():
        updated = Job.objects.filter(
            pk=job.pk, state__in=[Job.State.FAILED, Job.State.CANCELLED]
        ).update(
            state=Job.State.QUEUED,
            error="",
            finished_at=None,
            dispatched_at=None,
            scheduled_for=None,
        )
        if not updated:
            job.refresh_from_db()
            raise Conflict(f"job #{job.pk} is {job.state}; only failed or cancelled jobs retry")
        transaction.on_commit(lambda: job_publish(job_id=job.pk))
    job.refresh_from_db()
    return job
