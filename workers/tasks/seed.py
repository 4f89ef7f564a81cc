"""Demo data as a job (kind "seed"): queued by ``meibo seed`` and by ``meibo up`` on first start."""

from api.seed.services import seed_demo
from workers.progress import job_task, run_job


@job_task(name="meibo.seed.run", queue="default")
def run(job_id: int) -> None:
    """params: people, sales and optionally seed, as seed_demo takes them."""
    run_job(job_id, lambda job, progress: seed_demo(**job.params, progress=progress))
