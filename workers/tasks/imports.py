"""Import and export jobs: thin adapters over importers' services."""

from api.people.services.search import person_search_index
from importers.export.services import export_run
from importers.services.commit import import_commit
from importers.services.preview import import_preview
from workers.progress import job_task, run_job


@job_task(name="meibo.imports.preview", queue="imports")
def preview(job_id: int) -> None:
    run_job(
        job_id,
        lambda job, progress: import_preview(import_id=job.params["import_id"], progress=progress),
    )


@job_task(name="meibo.imports.commit", queue="imports")
def commit(job_id: int) -> None:
    run_job(
        job_id,
        lambda job, progress: import_commit(
            import_id=job.params["import_id"], job_id=job.pk, progress=progress
        ),
    )


@job_task(name="meibo.imports.export", queue="imports")
def export(job_id: int) -> None:
    run_job(job_id, lambda job, progress: export_run(job=job, progress=progress))


@job_task(name="meibo.imports.search_index", queue="imports")
def search_index(job_id: int) -> None:
    """The people an import wrote made searchable through the search indexes."""
    run_job(job_id, lambda job, progress: person_search_index(progress=progress))
