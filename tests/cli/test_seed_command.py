"""`meibo seed` runs the seed service in this process as a recorded `seed` job with a bar.

The seed service itself is tested with its package; here a stand-in reports progress the way
every job does, so that what the command adds (the job row, the bar, the outcome) is seen."""

import subprocess
import sys
from types import SimpleNamespace

import psycopg
import pytest
from django.db import connection

from api.cli import seed
from api.core.errors import ServiceError
from api.jobs.models import Job
from tests.workerproc import test_database_url as process_database_url
from tests.workerproc import worker_env


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


def test_seed_on_a_new_database_creates_the_tables_first(transactional_db):
    """`meibo seed` pointed at a database nobody has migrated yet loads into it rather than
    failing on a missing table."""
    name = f"{connection.settings_dict['NAME']}_fresh_seed"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        url = process_database_url().rsplit("/", 1)[0] + f"/{name}"
        command = "import sys; from api.cli import main; sys.exit(main(sys.argv[1:]))"
        finished = subprocess.run(
            [sys.executable, "-c", command, "seed", "--people", "30", "--sales", "60"],
            env=worker_env(DATABASE_URL=url),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert finished.returncode == 0, finished.stdout + finished.stderr
        with psycopg.connect(url) as conn:
            people = conn.execute("SELECT count(*) FROM people_person").fetchone()[0]
        assert people == 30
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
