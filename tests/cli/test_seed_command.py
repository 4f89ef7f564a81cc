"""`meibo seed` runs the seed service in this process as a recorded `seed` job with a bar.

The seed service itself is tested with its package; here a stand-in reports progress the way
every job does, so that what the command adds (the job row, the bar, the outcome) is seen."""

import sys
from types import SimpleNamespace

import pytest

from api.cli import seed
from api.core.errors import ServiceError
from api.jobs.models import Job


def _seed_demo(*, people: int, sales: int, seed: int, progress) -> dict:
    progress.set_total(people + sales)
    for _ in range(people + sales):
        progress.advance()
    return {"people": people, "sales": sales, "seed": seed}


def _refusing_seed_demo(*, people: int, sales: int, seed: int, progress) -> dict:
    progress.set_total(people)
    raise ServiceError("the register is not empty", field="people")


@pytest.fixture
def seed_service(monkeypatch):
    def install(function):
        monkeypatch.setitem(sys.modules, "api.seed.services", SimpleNamespace(seed_demo=function))

    return install


def test_it_records_the_run_as_a_succeeded_seed_job(transactional_db, seed_service, capsys):
    seed_service(_seed_demo)

    assert seed.load(people=30, sales=70, seed=5) == 0

    job = Job.objects.get(kind="seed")
    assert job.state == Job.State.SUCCEEDED
    assert job.params == {"people": 30, "sales": 70, "seed": 5}
    assert (job.done, job.total) == (100, 100)
    assert job.result == {"people": 30, "sales": 70, "seed": 5}
    assert job.dispatched_at is not None  # never sent to a worker
    err = capsys.readouterr().err
    assert "100/100" in err


def test_a_refused_seed_fails_its_job_and_the_command(transactional_db, seed_service, capsys):
    seed_service(_refusing_seed_demo)

    assert seed.load(people=30, sales=70, seed=5) == 1

    job = Job.objects.get(kind="seed")
    assert job.state == Job.State.FAILED
    assert job.error == "the register is not empty"
    assert "the register is not empty" in capsys.readouterr().out
