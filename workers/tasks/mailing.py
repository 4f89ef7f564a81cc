"""Mailing jobs: adapters over mailing.services."""

from mailing.services.execute import mailing_prepare_run
from workers.progress import job_task, run_job


@job_task(name="meibo.mailing.execute", queue="extract")
def execute(job_id: int) -> None:
    run_job(job_id, lambda job, progress: mailing_prepare_run(job=job, progress=progress))
