"""Selection-set jobs, on the extract queue: adapters over api.selections.services."""

from api.selections.services.materialise import (
    selection_combine_run,
    selection_extract_run,
    selection_refresh_run,
)
from workers.progress import job_task, run_job


@job_task(name="meibo.selections.extract", queue="extract")
def extract(job_id: int) -> None:
    run_job(job_id, lambda job, progress: selection_extract_run(job=job, progress=progress))


@job_task(name="meibo.selections.refresh", queue="extract")
def refresh(job_id: int) -> None:
    run_job(job_id, lambda job, progress: selection_refresh_run(job=job, progress=progress))


@job_task(name="meibo.selections.combine", queue="extract")
def combine(job_id: int) -> None:
    run_job(job_id, lambda job, progress: selection_combine_run(job=job, progress=progress))
