"""Helpers for the importer tests: upload through the API, then run the queued job's task
body in this process (the worker suite drives a real worker)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from api.jobs.models import Job


def run_job(job_id: int) -> Job:
    """Run a queued job's task body here, as the worker would, and return the job."""
    from workers.tasks import imports

    job = Job.objects.get(pk=job_id)
    task = {
        "import_preview": imports.preview,
        "import_commit": imports.commit,
        "export": imports.export,
        "search_index": imports.search_index,
    }[job.kind]
    task.run(job_id)
    job.refresh_from_db()
    return job


def upload(
    api, data: bytes, *, name: str = "people.csv", target: str = "people", **options: Any
) -> dict:
    """POST a file to imports/, run its preview job, and return the import as read back."""
    response = api.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile(name, data), "target": target, **options},
        format="multipart",
    )
    assert response.status_code == 202, response.json()
    body = response.json()
    run_job(body["job"])
    return api.get(f"/api/v1/imports/{body['id']}/").json()


def commit(api, import_id: int, **options: Any) -> dict:
    response = api.post(f"/api/v1/imports/{import_id}/commit/", options, format="json")
    assert response.status_code == 202, response.json()
    run_job(response.json()["id"])
    return api.get(f"/api/v1/imports/{import_id}/").json()


def rows(api, import_id: int, **params: Any) -> list[dict]:
    response = api.get(f"/api/v1/imports/{import_id}/rows/", params)
    assert response.status_code == 200, response.json()
    return response.json()["results"]
