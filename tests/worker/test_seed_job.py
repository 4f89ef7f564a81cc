"""Demo seeding as a job through a real Celery worker, and a worker killed mid-seed: the
redelivered job loads the register exactly once."""

from __future__ import annotations

import psycopg
import pytest

from api.jobs.models import Job
from api.jobs.services import job_create
from api.people.models import Company, Department, Person
from api.sales.models import Sale
from tests import workerproc
from tests.workerproc import celery_worker, kill_hard, purge_queues, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PARAMS = {"people": 300, "sales": 2000, "seed": 1}


def finished(job_id: int) -> Job | None:
    job = Job.objects.get(pk=job_id)
    return job if job.is_finished else None


def assert_seeded_once(job: Job) -> None:
    assert job.state == "succeeded", job.error
    assert Person.objects.count() == PARAMS["people"]
    assert Sale.objects.count() == PARAMS["sales"]
    assert Company.objects.count() == job.result["companies"]
    assert Department.objects.count() == job.result["departments"]
    assert (
        job.done
        == job.total
        == (
            job.result["companies"] + job.result["departments"] + PARAMS["people"] + PARAMS["sales"]
        )
    )


def test_a_real_worker_seeds_the_demo_register():
    purge_queues()
    with celery_worker(queues="default", concurrency=1):
        job = job_create(kind="seed", params=PARAMS)
        job = wait_for(lambda: finished(job.pk), timeout=180, message="seeding did not finish")
    assert_seeded_once(job)
    assert job.attempts == 1


def test_a_worker_killed_mid_seed_leaves_nothing_and_the_retry_seeds_once():
    purge_queues()
    # Hold a table the seed writes late, so that it stops with people already written.
    blocker = psycopg.connect(workerproc.test_database_url())
    watcher = psycopg.connect(workerproc.test_database_url(), autocommit=True)
    blocker.execute("LOCK TABLE people_person_person_types IN SHARE MODE")
    try:
        with celery_worker(queues="default", concurrency=1, MEIBO_VISIBILITY_TIMEOUT="5") as proc:
            job = job_create(kind="seed", params=PARAMS)
            wait_for(
                lambda: watcher.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE 'COPY \"people_person_person_types\"%'"
                ).fetchone(),
                timeout=120,
                message="the seed never reached the person types",
            )
            kill_hard(proc)
    finally:
        blocker.rollback()
        blocker.close()
        watcher.close()
    assert Job.objects.get(pk=job.pk).state == "running"

    with celery_worker(queues="default", concurrency=1, MEIBO_VISIBILITY_TIMEOUT="5"):
        job = wait_for(lambda: finished(job.pk), timeout=180, message="the job was not retried")
    assert_seeded_once(job)
    assert job.attempts == 2
