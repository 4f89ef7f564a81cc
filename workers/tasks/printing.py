"""Printed mailings on the render queue: the job of a print run, and the helpers that
render its chunks on the other render workers."""

from celery.signals import worker_init

from mailing.printing.services.chunks import print_chunks_render
from mailing.printing.services.runs import print_render
from mailing.renderers.fonts import FACES, font_set
from workers.celery import queued_task
from workers.progress import TRANSIENT_ERRORS, job_task, run_job


@job_task(name="meibo.printing.render", queue="render")
def render(job_id: int) -> None:
    run_job(
        job_id,
        lambda job, progress: print_render(
            print_run_id=job.params["print_run_id"], progress=progress
        ),
    )


@queued_task(
    name="meibo.printing.render_chunks",
    queue="render",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=8,
)
def render_chunks(print_run_id: int) -> int:
    """Render chunks of a run until none is left (the run's own job renders too)."""
    return print_chunks_render(print_run_id=print_run_id)


@worker_init.connect
def fonts_preload(**_: object) -> None:
    """Parse the shipped faces once in the worker's main process: every pool process forked
    from it starts with them, instead of each parsing IPAex (~0.15 s) on its first chunk."""
    for face in FACES:
        font_set(face)
