"""Sending a mailing: the dispatch job and its helper lanes on the ``mail`` queue.

The dispatch job (``email_dispatch_run``) moves the mailing to running, publishes helper
lanes (``email_lane_run``) for the other mail workers, sends batches itself (services.lane
has the sending loop and the exactly-once argument), waits for back-off retries that are
due soon, and marks the mailing done. Batches of MEIBO_EMAIL_BATCH recipients, never a task
per recipient.
"""

from __future__ import annotations

import time
from concurrent.futures import wait
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from api.core.errors import ServiceError
from api.jobs.models import Job
from api.jobs.services import job_create
from mailing.email.models import EmailMailing
from mailing.email.services.batches import D, M, R, Tally
from mailing.email.services.lane import lanes_result, lanes_start
from mailing.email.services.relay import server_config
from mailing.models import Mailing
from workers.progress import JobCancelled, Progress

# The dispatch job waits for back-off retries due within this many seconds; later ones get
# a follow-up job at their time instead of holding a worker.
WAIT_LIMIT = 30.0
PROGRESS_SECONDS = 5.0

FINISH = f"""
UPDATE {M} SET state = 'done', finished_at = now(), updated_at = now()
WHERE id = %(m)s AND state = 'running'
  AND NOT EXISTS (SELECT 1 FROM {R} WHERE mailing_id = %(m)s AND state IN ('queued', 'sending'))
"""


def mailing_finish_if_done(*, mailing_id: int) -> bool:
    with connection.cursor() as cur:
        cur.execute(FINISH, {"m": mailing_id})
        return cur.rowcount == 1


def _lanes_publish(mailing_id: int, count: int) -> None:
    from workers.celery import app

    for _ in range(count):
        app.send_task("meibo.email.lane", args=[mailing_id], queue="mail")


def email_lane_run(*, mailing_id: int) -> dict[str, int]:
    """A helper lane (task ``meibo.email.lane``): send batches for at most
    MEIBO_EMAIL_TASK_SECONDS, then hand over to a fresh task if work is left."""
    if not Mailing.objects.filter(pk=mailing_id, state=Mailing.State.RUNNING).exists():
        return {}
    finished, tally = lanes_result(
        lanes_start(
            mailing_id=mailing_id, until=time.monotonic() + settings.MEIBO_EMAIL_TASK_SECONDS
        )
    )
    if finished:
        mailing_finish_if_done(mailing_id=mailing_id)
    else:
        _lanes_publish(mailing_id, 1)
    return vars(tally)


def _counts(mailing_id: int) -> dict[str, int]:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT state, count(*) FROM {R} WHERE mailing_id = %s GROUP BY state", [mailing_id]
        )
        return dict(cur.fetchall())


def _progress(progress: Progress, mailing_id: int, total: int) -> dict[str, int]:
    counts = _counts(mailing_id)
    progress.update(total - counts.get("queued", 0) - counts.get("sending", 0), total)
    return counts


def _next_due(mailing_id: int) -> datetime | None:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT min(coalesce(d.not_before, statement_timestamp())) FROM {R} r "
            f"LEFT JOIN {D} d ON d.recipient_id = r.id "
            "WHERE r.mailing_id = %s AND r.state = 'queued'",
            [mailing_id],
        )
        return cur.fetchone()[0]


def email_dispatch_run(*, job: Job, progress: Progress) -> dict[str, Any]:
    """Job ``email_dispatch``: send a mailing.

    1. the mailing becomes running (a redelivered job finds it so and carries on; a stale job
       of an earlier start does nothing);
    2. helper lanes are published for the other mail workers; this job sends too;
    3. when nothing is claimable: done if no recipient is queued or sending; else wait for
       retries due within WAIT_LIMIT, or schedule a follow-up job at the next one;
    4. cancelling the job pauses the mailing (resume continues it).
    """
    mailing_id = job.params["mailing_id"]
    with transaction.atomic(durable=True):
        mailing = Mailing.objects.select_for_update().filter(pk=mailing_id).first()
        email = EmailMailing.objects.filter(mailing_id=mailing_id).first()
        if mailing is None or email is None:
            raise ServiceError(f"mailing #{mailing_id} or its e-mail settings were deleted")
        if email.job_id != job.pk or mailing.state not in (
            Mailing.State.READY,
            Mailing.State.PAUSED,
            Mailing.State.RUNNING,
        ):
            return {"mailing": mailing_id, "state": mailing.state, "skipped": True}
        if mailing.state != Mailing.State.RUNNING:
            mailing.state = Mailing.State.RUNNING
            mailing.save(update_fields=["state", "updated_at"])
        if email.started_at is None:
            email.started_at = timezone.now()
            email.save(update_fields=["started_at", "updated_at"])
        helpers = settings.MEIBO_EMAIL_LANES - 1
        if helpers > 0:
            transaction.on_commit(lambda: _lanes_publish(mailing_id, helpers))
    total = mailing.recipient_count
    progress.set_total(total)
    server_config()  # no SMTP server: fail the job here, not in every lane
    tally = Tally()
    while True:
        # The lanes run until nothing is claimable; meanwhile this thread reports progress
        # (and learns of a cancelled job) every few seconds — counting a large mailing's
        # recipients by state is not free.
        futures = lanes_start(mailing_id=mailing_id)
        try:
            while wait(futures, timeout=PROGRESS_SECONDS).not_done:
                _progress(progress, mailing_id, total)
        except JobCancelled:
            Mailing.objects.filter(pk=mailing_id, state=Mailing.State.RUNNING).update(
                state=Mailing.State.PAUSED, updated_at=timezone.now()
            )
            lanes_result(futures)  # they stop at their next message
            raise
        tally.add(lanes_result(futures)[1])
        counts = _progress(progress, mailing_id, total)
        if Mailing.objects.get(pk=mailing_id).state != Mailing.State.RUNNING:
            break
        if not counts.get("queued") and not counts.get("sending"):
            mailing_finish_if_done(mailing_id=mailing_id)
            break
        due = None if counts.get("sending") else _next_due(mailing_id)
        if due is not None and (due - timezone.now()).total_seconds() > WAIT_LIMIT:
            follow_up = _follow_up(mailing_id=mailing_id, at=due, user=job.created_by)
            return {**_summary(mailing_id, tally), "continues_in_job": follow_up.pk}
        time.sleep(0.5)
    return _summary(mailing_id, tally)


def _follow_up(*, mailing_id: int, at: datetime, user: Any) -> Job:
    with transaction.atomic(durable=True):
        job = job_create(
            kind="email_dispatch",
            params={"mailing_id": mailing_id},
            created_by=user,
            scheduled_for=at,
        )
        EmailMailing.objects.filter(mailing_id=mailing_id).update(job=job)
    return job


def _summary(mailing_id: int, tally: Tally) -> dict[str, Any]:
    state = Mailing.objects.filter(pk=mailing_id).values_list("state", flat=True)[0]
    return {
        "mailing": mailing_id,
        "state": state,
        "counts": _counts(mailing_id),
        **vars(tally),
    }
