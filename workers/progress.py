"""Running a job inside a task: claim it, report progress, record how it ended."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from api.core.errors import ServiceError
from api.jobs.models import Job

log = logging.getLogger(__name__)

# Errors that may succeed on a later attempt: the task re-raises them for Celery's retry.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    ConnectionError,
    TimeoutError,
)


class JobCancelled(Exception):
    """Raised inside a job when someone cancelled it; the job's work stops at a safe point."""


class Progress:
    """Progress of one running job, written to its row at most every ``interval`` seconds.

    Each write also reads the job's state, so a cancel from the dashboard stops the work
    within one interval.
    """

    def __init__(self, job_id: int, *, interval: float = 0.5):
        self.job_id = job_id
        self.interval = interval
        self.done = 0
        self.total: int | None = None
        self._written_at = 0.0

    def set_total(self, total: int) -> None:
        self.total = total
        self._write(force=True)

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._write()

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        self._write()

    def flush(self) -> None:
        self._write(force=True)

    def _write(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written_at < self.interval:
            return
        self._written_at = now
        fields: dict[str, Any] = {"done": self.done, "heartbeat_at": timezone.now()}
        if self.total is not None:
            fields["total"] = self.total
        # Outside any transaction of the job's own work, so the dashboard sees it at once.
        with transaction.atomic(using="default", savepoint=False):
            updated = Job.objects.filter(pk=self.job_id, state=Job.State.RUNNING).update(**fields)
        if not updated:
            raise JobCancelled(f"job #{self.job_id} was cancelled")


def job_claim(job_id: int) -> Job | None:
    """Move a job to running. A job already running is claimed again: that is a redelivery
    after its worker died (acks_late), and job work is idempotent."""
    updated = Job.objects.filter(pk=job_id, state__in=[Job.State.QUEUED, Job.State.RUNNING]).update(
        state=Job.State.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    if not updated:
        return None
    return Job.objects.get(pk=job_id)


def run_job(job_id: int, work: Callable[[Job, Progress], dict[str, Any] | None]) -> None:
    """Claim the job, run ``work(job, progress)`` and record its result or its error.

    Steps:
    1. claim (a missing, finished or cancelled job is logged and skipped);
    2. run the work; its return value is the job's result summary;
    3. a cancel ends quietly, a ServiceError marks the job failed with its message, a
       transient error propagates so that the task's autoretry tries again, anything else
       marks the job failed and is logged with its traceback.
    """
    job = job_claim(job_id)
    if job is None:
        log.info("job #%s is missing or finished; nothing to do", job_id)
        return
    progress = Progress(job_id)
    progress.done = job.done
    try:
        result = work(job, progress) or {}
    except JobCancelled:
        log.info("job #%s cancelled", job_id)
        return
    except ServiceError as exc:
        _finish(job_id, Job.State.FAILED, error=exc.message)
        return
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        log.exception("job #%s failed", job_id)
        _finish(job_id, Job.State.FAILED, error=f"{type(exc).__name__}: {exc}")
        return
    _finish(job_id, Job.State.SUCCEEDED, result=result, done=progress.done, total=progress.total)


def _finish(job_id: int, state: str, **fields: Any) -> None:
    fields = {k: v for k, v in fields.items() if v is not None}
    Job.objects.filter(pk=job_id, state=Job.State.RUNNING).update(
        state=state, finished_at=timezone.now(), heartbeat_at=timezone.now(), **fields
    )


def job_task(*, name: str, queue: str, **options: Any) -> Callable:
    """Declare the Celery task that runs one kind of job: late ack, redelivery when the
    worker dies, back-off retries for transient errors only."""
    from workers.celery import queued_task

    defaults: dict[str, Any] = {
        "acks_late": True,
        "reject_on_worker_lost": True,
        "autoretry_for": TRANSIENT_ERRORS,
        "retry_backoff": True,
        "retry_backoff_max": 300,
        "max_retries": 8,
    }
    return queued_task(name=name, queue=queue, **{**defaults, **options})
