"""Imports through a real worker on the imports queue: preview and commit jobs, and a
worker killed in the middle of a commit whose redelivered job writes every row once."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from api.jobs.models import Job
from api.people.models import Person
from importers.models import ImportJob
from tests.conftest import client_for
from tests.factories.importers import csv_bytes
from tests.workerproc import celery_worker, kill_hard, purge_queues, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HEADER = ["外部コード", "氏名", "フリガナ", "電話", "メール"]


def people(count: int) -> bytes:
    return csv_bytes(
        [HEADER]
        + [
            [
                f"K{n:06d}",
                f"山田 太郎{n}",
                "ヤマダ タロウ",
                f"03-{3000 + n % 7000}-{n % 10000:04d}",
                f"taro{n}@example.co.jp",
            ]
            for n in range(count)
        ]
    )


@pytest.fixture
def media(settings, tmp_path):
    # The API stores the upload, the worker reads it: one media root for both.
    settings.MEDIA_ROOT = tmp_path / "media"
    return str(settings.MEDIA_ROOT)


@pytest.fixture(autouse=True)
def drop_staging():
    """Staging tables are not Django's: the flush after a transactional test leaves them."""
    yield
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE tablename ~ '^importers_(stage|plan)_[0-9]+$'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def finished(job_id: int) -> Job | None:
    job = Job.objects.get(pk=job_id)
    return job if job.is_finished else None


def upload(api, data: bytes) -> dict:
    response = api.post(
        "/api/v1/imports/",
        {
            "file": SimpleUploadedFile("people.csv", data),
            "target": "people",
            "mode": "upsert",
            "match_key": "external_code",
        },
        format="multipart",
    )
    assert response.status_code == 202, response.json()
    return response.json()


def test_a_worker_previews_and_commits_an_import(employee, media):
    purge_queues()
    api = client_for(employee.user)
    with celery_worker(queues="imports", concurrency=1, MEIBO_MEDIA_ROOT=media):
        body = upload(api, people(50))
        preview = wait_for(lambda: finished(body["job"]), timeout=60, message="no preview")
        assert preview.state == "succeeded", preview.error
        assert ImportJob.objects.get(pk=body["id"]).state == "previewed"
        response = api.post(f"/api/v1/imports/{body['id']}/commit/")
        assert response.status_code == 202
        job = wait_for(lambda: finished(response.json()["id"]), timeout=60, message="no commit")
    assert job.state == "succeeded", job.error
    assert job.result["inserted"] == 50
    assert Person.objects.count() == 50


def test_a_worker_killed_during_commit_is_redelivered_and_writes_every_row_once(employee, media):
    purge_queues()
    rows = 3000
    api = client_for(employee.user)
    env = {
        "MEIBO_MEDIA_ROOT": media,
        "MEIBO_VISIBILITY_TIMEOUT": "5",
        "MEIBO_IMPORT_COMMIT_ROWS": "100",
    }
    with celery_worker(queues="imports", concurrency=1, **env) as worker:
        body = upload(api, people(rows))
        preview = wait_for(lambda: finished(body["job"]), timeout=120, message="no preview")
        assert preview.state == "succeeded", preview.error
        response = api.post(f"/api/v1/imports/{body['id']}/commit/")
        commit_id = response.json()["id"]
        # Kill it once some ranges are committed and others are not.
        wait_for(
            lambda: 0 < Person.objects.count() < rows - 500,
            timeout=120,
            interval=0.05,
            message="the commit never got under way",
        )
        kill_hard(worker)
    written = Person.objects.count()
    assert 0 < written < rows
    assert Job.objects.get(pk=commit_id).state == "running"

    with celery_worker(queues="imports", concurrency=1, **env):
        job = wait_for(lambda: finished(commit_id), timeout=180, message="not redelivered")

    assert job.state == "succeeded", job.error
    assert job.attempts >= 2
    assert Person.objects.count() == rows
    assert Person.objects.values("external_code").distinct().count() == rows
    record = ImportJob.objects.get(pk=body["id"])
    assert record.state == "committed"
    assert record.counts["inserted"] == rows
