"""Mass e-mail on the mail queue: the dispatch job, its helper lanes, the bounce mailbox."""

import logging

from django.conf import settings

from api.core.errors import ServiceError
from mailing.email.services.dispatch import email_dispatch_run, email_lane_run
from mailing.email.services.feedback import email_bounce_mailbox_job, email_bounce_mailbox_process
from workers.celery import queued_task
from workers.progress import TRANSIENT_ERRORS, job_task, run_job

log = logging.getLogger(__name__)


@job_task(name="meibo.email.dispatch", queue="mail")
def dispatch(job_id: int) -> None:
    run_job(job_id, lambda job, progress: email_dispatch_run(job=job, progress=progress))


@queued_task(
    name="meibo.email.lane",
    queue="mail",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def lane(mailing_id: int) -> None:
    """Send batches of a running mailing beside its dispatch job."""
    try:
        email_lane_run(mailing_id=mailing_id)
    except ServiceError as exc:
        log.warning("mailing #%s: lane stopped: %s", mailing_id, exc.message)


@job_task(name="meibo.email.bounces", queue="mail")
def bounces(job_id: int) -> None:
    run_job(
        job_id,
        lambda job, progress: email_bounce_mailbox_process(
            path=job.params["path"], progress=progress
        ),
    )


@queued_task(name="meibo.email.bounces_look", queue="default", ignore_result=True)
def bounces_look() -> None:
    """Beat's periodic look at the bounce mailbox: a job when it holds something new."""
    if settings.MEIBO_EMAIL_BOUNCE_MAILBOX:
        email_bounce_mailbox_job(only_when_waiting=True)
