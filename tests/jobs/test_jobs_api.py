import pytest

from api.jobs.models import Job
from api.jobs.services import job_dispatch_due
from tests.factories.masters import UserFactory


@pytest.fixture
def published(monkeypatch):
    """Record publications instead of reaching the broker: these tests are about the API."""
    sent = []
    from workers.celery import app

    monkeypatch.setattr(
        app, "send_task", lambda name, args, queue: sent.append((name, args, queue))
    )
    return sent


def test_a_user_lists_only_their_own_jobs(api, employee):
    mine = Job.objects.create(kind="seed", created_by=employee.user)
    Job.objects.create(kind="seed", created_by=UserFactory())
    response = api.get("/api/v1/jobs/")
    assert response.status_code == 200
    assert [j["id"] for j in response.json()["results"]] == [mine.id]


def test_staff_see_every_job_on_the_dashboard(admin_user):
    from tests.conftest import client_for

    Job.objects.create(kind="seed", created_by=UserFactory())
    Job.objects.create(kind="seed")
    response = client_for(admin_user).get("/api/v1/jobs/?kind=seed")
    assert response.json()["count"] == 2


def test_a_running_job_can_be_cancelled_once(api, employee):
    job = Job.objects.create(kind="seed", created_by=employee.user, state=Job.State.RUNNING)
    response = api.post(f"/api/v1/jobs/{job.id}/cancel/")
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    again = api.post(f"/api/v1/jobs/{job.id}/cancel/")
    assert again.status_code == 409
    assert "already cancelled" in again.json()["detail"][0]


def test_retrying_a_failed_job_queues_and_publishes_it_again(
    api, employee, published, django_capture_on_commit_callbacks
):
    job = Job.objects.create(
        kind="seed", created_by=employee.user, state=Job.State.FAILED, error="boom"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/jobs/{job.id}/retry/")
    assert response.status_code == 202
    assert response.json()["state"] == "queued"
    assert response.json()["error"] == ""
    assert published == [("meibo.seed.run", [job.id], "default")]


def test_a_succeeded_job_cannot_be_retried(api, employee):
    job = Job.objects.create(kind="seed", created_by=employee.user, state=Job.State.SUCCEEDED)
    assert api.post(f"/api/v1/jobs/{job.id}/retry/").status_code == 409


def test_another_users_job_is_not_found(api):
    job = Job.objects.create(kind="seed", created_by=UserFactory())
    assert api.get(f"/api/v1/jobs/{job.id}/").status_code == 404


def test_a_scheduled_job_is_published_only_when_due(db, published):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    later = Job.objects.create(kind="seed", scheduled_for=now + timedelta(hours=8))
    due = Job.objects.create(kind="seed", scheduled_for=now - timedelta(minutes=1))
    assert job_dispatch_due(now=now) == 1
    assert published == [("meibo.seed.run", [due.id], "default")]
    assert job_dispatch_due(now=now) == 0, "a due job is published exactly once"
    assert job_dispatch_due(now=now + timedelta(hours=9)) == 1
    assert published[-1] == ("meibo.seed.run", [later.id], "default")


def test_jobs_need_authentication(anon):
    assert anon.get("/api/v1/jobs/").status_code == 401
