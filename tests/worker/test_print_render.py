"""Printing through real render workers: letters split into chunks that both worker
processes render, and a worker killed mid-print whose redelivered job finishes the file
with every letter exactly once."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from api.jobs.models import Job
from mailing.models import Mailing
from mailing.printing.models import PrintChunk, PrintRun, PrintRunRecipient
from tests.conftest import client_for
from tests.factories.printing import PrintMailingFactory, recipient_rows, recipients_add
from tests.workerproc import celery_worker, kill_hard, purge_queues, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    # The worker writes the files, the test reads them: one media root for both.
    settings.MEDIA_ROOT = tmp_path / "media"
    return str(settings.MEDIA_ROOT)


def letter_mailing(count: int) -> Mailing:
    mailing = PrintMailingFactory(name="新商品のご案内", channel=Mailing.Channel.LETTER)
    recipients_add(mailing, recipient_rows(count))
    return mailing


def start_print(employee, mailing: Mailing) -> dict:
    response = client_for(employee.user).post(
        f"/api/v1/mailings/{mailing.pk}/print/",
        {"options": {"date": "2026-11-23"}},
        format="json",
    )
    assert response.status_code == 202, response.json()
    return response.json()


def finished(job_id: int) -> Job | None:
    job = Job.objects.get(pk=job_id)
    return job if job.is_finished else None


def pdf_pages(run: PrintRun) -> int:
    with run.artifact.open("rb") as handle, pdfplumber.open(io.BytesIO(handle.read())) as pdf:
        return len(pdf.pages)


def test_letters_are_rendered_in_chunks_by_both_worker_processes(employee, media):
    purge_queues()
    mailing = letter_mailing(400)
    with celery_worker(
        queues="render", concurrency=2, MEIBO_MEDIA_ROOT=media, MEIBO_PRINT_CHUNK_SIZE="40"
    ):
        body = start_print(employee, mailing)
        job = wait_for(
            lambda: finished(body["job"]["id"]), timeout=120, message="printing did not finish"
        )

    assert job.state == "succeeded", job.error
    assert job.result["documents"] == 400
    run = PrintRun.objects.get(pk=body["id"])
    chunks = PrintChunk.objects.filter(print_run=run)
    assert chunks.count() == 10
    assert len({chunk.rendered_by for chunk in chunks}) == 2, "one process did all the work"
    assert pdf_pages(run) == 400


def test_a_worker_killed_mid_print_is_redelivered_and_prints_every_letter_once(employee, media):
    purge_queues()
    mailing = letter_mailing(600)
    env = {
        "MEIBO_MEDIA_ROOT": media,
        "MEIBO_PRINT_CHUNK_SIZE": "30",
        "MEIBO_VISIBILITY_TIMEOUT": "5",
        "MEIBO_PRINT_CHUNK_LEASE": "3",
    }
    with celery_worker(queues="render", concurrency=2, **env) as proc:
        body = start_print(employee, mailing)
        wait_for(
            lambda: PrintChunk.objects.filter(print_run_id=body["id"], state="done").count() >= 3,
            timeout=120,
            message="no chunk was rendered",
        )
        kill_hard(proc)
    done_before = PrintChunk.objects.filter(print_run_id=body["id"], state="done").count()
    assert done_before < 20, "the print finished before the worker was killed"

    with celery_worker(queues="render", concurrency=2, **env):
        job = wait_for(
            lambda: finished(body["job"]["id"]),
            timeout=180,
            message="the redelivered print did not finish",
        )

    assert job.state == "succeeded", job.error
    run = PrintRun.objects.get(pk=body["id"])
    assert run.state == PrintRun.State.DONE and run.documents == 600
    rows = list(
        PrintRunRecipient.objects.filter(print_run=run).values_list("recipient_id", flat=True)
    )
    assert len(rows) == len(set(rows)) == 600
    assert pdf_pages(run) == 600
