"""Helpers for selection and mailing tests: run queued jobs in-process (the real worker is
exercised by tests/worker/test_selection_*.py)."""

from __future__ import annotations

from api.jobs.kinds import KINDS
from api.jobs.models import Job
from workers.celery import app


def run_queued_jobs() -> list[Job]:
    """Run every queued job's task body here, oldest first, as a worker would."""
    import workers.tasks  # noqa: F401 - registers the tasks

    ran = []
    for job in Job.objects.filter(state=Job.State.QUEUED).order_by("id"):
        app.tasks[KINDS[job.kind].task].run(job.pk)
        job.refresh_from_db()
        ran.append(job)
    return ran


def ids(rows) -> set[int]:
    return {row if isinstance(row, int) else row[0] for row in rows}
