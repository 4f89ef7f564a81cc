from api.jobs.services import job_dispatch_due
from workers.celery import queued_task


@queued_task(name="meibo.jobs.dispatch_due", queue="default", acks_late=True, ignore_result=True)
def dispatch_due() -> int:
    """Publish the jobs scheduled for a time that has come (run every minute by beat)."""
    return job_dispatch_due()
