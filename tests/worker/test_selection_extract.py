"""Selection-set extraction through a real Celery worker, and a worker killed mid-extraction:
the redelivered job finishes the set with every member exactly once."""

from __future__ import annotations

import psycopg
import pytest

from api.jobs.models import Job
from api.people.models import Person
from api.selections.models import SelectionMember, SelectionSet
from tests import workerproc
from tests.conftest import client_for
from tests.workerproc import celery_worker, kill_hard, purge_queues, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PEOPLE = 3000


def make_people(employee, other) -> set[int]:
    Person.objects.bulk_create(
        Person(
            family_name="山田",
            given_name=f"太郎{i}",
            family_name_kana="ヤマダ",
            owner=employee if i % 3 else other,
            user_code_1="A" if i % 2 else None,
        )
        for i in range(PEOPLE)
    )
    return set(Person.objects.filter(owner=employee).values_list("pk", flat=True))


def start_extraction(employee) -> tuple[int, int]:
    response = client_for(employee.user).post(
        "/api/v1/selection-sets/", {"name": "担当全員", "query": {"owner": "me"}}, format="json"
    )
    assert response.status_code == 202, response.json()
    body = response.json()
    return body["selection_set"]["id"], body["job"]["id"]


def finished(job_id: int) -> Job | None:
    job = Job.objects.get(pk=job_id)
    return job if job.is_finished else None


def assert_members_exactly(set_id: int, expected: set[int]) -> None:
    rows = list(
        SelectionMember.objects.filter(selection_set_id=set_id).values_list("person_id", flat=True)
    )
    assert len(rows) == len(set(rows)), "a member twice"
    assert set(rows) == expected
    assert SelectionSet.objects.get(pk=set_id).member_count == len(expected)


def test_a_real_worker_extracts_a_set(employee):
    from tests.factories.masters import EmployeeFactory

    purge_queues()
    expected = make_people(employee, EmployeeFactory())
    with celery_worker(queues="extract", concurrency=1):
        set_id, job_id = start_extraction(employee)
        job = wait_for(lambda: finished(job_id), timeout=60, message="extraction did not finish")
    assert job.state == "succeeded", job.error
    assert job.result["joined"] == len(expected)
    assert_members_exactly(set_id, expected)


def test_a_worker_killed_mid_extraction_is_retried_without_duplicates(employee):
    from tests.factories.masters import EmployeeFactory

    purge_queues()
    expected = make_people(employee, EmployeeFactory())
    # Hold the members table so the extraction stops inside its INSERT … SELECT.
    blocker = psycopg.connect(workerproc.test_database_url())
    watcher = psycopg.connect(workerproc.test_database_url(), autocommit=True)
    blocker.execute("LOCK TABLE selections_selectionmember IN SHARE MODE")
    try:
        with celery_worker(queues="extract", concurrency=1, MEIBO_VISIBILITY_TIMEOUT="5") as proc:
            set_id, job_id = start_extraction(employee)
            wait_for(
                lambda: watcher.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE '%INSERT INTO selections_selectionmember%'"
                ).fetchone(),
                timeout=60,
                message="the extraction never reached its INSERT",
            )
            kill_hard(proc)
    finally:
        blocker.rollback()
        blocker.close()
        watcher.close()
    assert Job.objects.get(pk=job_id).state == "running"
    assert not SelectionMember.objects.filter(selection_set_id=set_id).exists()

    with celery_worker(queues="extract", concurrency=1, MEIBO_VISIBILITY_TIMEOUT="5"):
        job = wait_for(lambda: finished(job_id), timeout=90, message="the job was not retried")
    assert job.state == "succeeded", job.error
    assert job.attempts == 2
    assert_members_exactly(set_id, expected)
