"""Done-means of mass e-mail with real Celery worker processes and a real SMTP server:
10,000 recipients through two worker processes, exactly once; a worker SIGKILLed mid-send
and the job resumed, still exactly once each (see mailing.email.services.lane for the
guarantee and its one microsecond-wide gap); 4xx retried, 5xx not; opt-out
between queueing and sending honoured.

MEIBO_TEST_EMAIL_COUNT / MEIBO_TEST_EMAIL_KILL_COUNT change the sizes (defaults 10,000 and
4,000)."""

from __future__ import annotations

import email
import os
import re
import time
from collections import Counter
from email.header import decode_header, make_header

import pytest
from django.contrib.auth.models import AnonymousUser

from api.jobs.models import Job
from api.people.models import Person
from mailing.email.models import EmailBatch, EmailMailing
from mailing.email.services.batches import UNCONFIRMED
from mailing.email.services.mailings import email_mailing_start
from mailing.models import Mailing, MailingRecipient
from tests.factories.email import email_mailing_make, people_make
from tests.workerproc import celery_worker, kill_hard, purge_queues, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

COUNT = int(os.environ.get("MEIBO_TEST_EMAIL_COUNT", "10000"))
KILL_COUNT = int(os.environ.get("MEIBO_TEST_EMAIL_KILL_COUNT", "4000"))
THREADS = 4  # sending threads per worker process, each one lane
ADDRESS = re.compile(r"u(\d+)@example\.com")


def worker_env(sink) -> dict[str, str]:
    return {
        "MEIBO_EMAIL_HOST": "127.0.0.1",
        "MEIBO_EMAIL_PORT": str(sink.port),
        "MEIBO_EMAIL_RETRY_SECONDS": "1",
        "MEIBO_EMAIL_LANES": "2",
        "MEIBO_EMAIL_THREADS": str(THREADS),
        "MEIBO_VISIBILITY_TIMEOUT": "5",
        "MEIBO_PUBLIC_URL": "https://meibo.example.jp",
        "MEIBO_EMAIL_BOUNCE_DOMAIN": "bounce.meibo.example.jp",
    }


def check_message(data: bytes) -> str:
    """The recipient's address, after checking that the message names them in its subject
    and its body, and that the Japanese subject decodes."""
    message = email.message_from_bytes(data)
    number = ADDRESS.search(message["To"]).group(1)
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == f"山田 太郎{number}様 2026年 新年のご挨拶【株式会社メイボ】", subject
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode("utf-8")
    assert f"山田 太郎{number} 様" in body
    return f"u{number}@example.com"


def dispatch_job(setup) -> Job:
    return Job.objects.get(pk=EmailMailing.objects.get(pk=setup.pk).job_id)


def mailing_done(setup) -> bool:
    return Mailing.objects.get(pk=setup.mailing.pk).state == Mailing.State.DONE


def test_ten_thousand_recipients_through_two_worker_processes(smtp_server, tmp_path):
    purge_queues()
    people = people_make(COUNT)
    grey, bad = "u7@example.com", "u11@example.com"
    sink = smtp_server(temporary={grey: 1}, permanent={bad})
    setup = email_mailing_make(people=people)
    # Queued first, then these people unsubscribe: their messages must not go out.
    opted_out = people[100:110]
    Person.objects.filter(pk__in=opted_out).update(opt_out_email=True)
    env = worker_env(sink)
    with (
        celery_worker(queues="mail", concurrency=1, log_path=tmp_path / "w1.log", **env),
        celery_worker(queues="mail", concurrency=1, log_path=tmp_path / "w2.log", **env),
    ):
        started = time.monotonic()
        email_mailing_start(mailing=setup.mailing, user=AnonymousUser())
        wait_for(lambda: mailing_done(setup), timeout=300, interval=0.5)
        elapsed = time.monotonic() - started
        wait_for(lambda: dispatch_job(setup).is_finished, timeout=60)
    print(f"\n{COUNT} recipients in {elapsed:.1f} s ({COUNT / elapsed:.0f} messages/s)")

    received = Counter(check_message(m.data) for m in sink.messages)
    opted_emails = set(Person.objects.filter(pk__in=opted_out).values_list("email", flat=True))
    expected = set(Person.objects.filter(pk__in=people).values_list("email", flat=True))
    expected -= opted_emails | {bad}
    assert set(received) == expected
    assert set(received.values()) == {1}
    # Both worker processes sent: one process has at most THREADS connections (one per
    # sending thread, kept open across batches).
    assert len({m.peer for m in sink.messages}) > THREADS
    for log in ("w1.log", "w2.log"):
        assert "meibo.email." in (tmp_path / log).read_text()

    rows = MailingRecipient.objects.filter(mailing=setup.mailing)
    greylisted = rows.get(email=grey)
    assert (greylisted.state, greylisted.attempts) == ("sent", 2)
    assert sink.handler.rcpt_attempts[grey] == 2
    rejected = rows.get(email=bad)
    assert (rejected.state, rejected.attempts) == ("failed", 1)
    assert sink.handler.rcpt_attempts[bad] == 1
    assert set(rows.filter(person_id__in=opted_out).values_list("state", flat=True)) == {
        "cancelled"
    }
    assert rows.filter(state="sent").count() == COUNT - 11
    assert dispatch_job(setup).state == Job.State.SUCCEEDED
    assert not EmailBatch.objects.exists()


def test_a_worker_killed_mid_send_and_resumed_sends_nobody_twice(smtp_server, tmp_path):
    purge_queues()
    people = people_make(KILL_COUNT)
    sink = smtp_server()
    setup = email_mailing_make(people=people)
    env = worker_env(sink)
    logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
    with (
        celery_worker(queues="mail", concurrency=1, log_path=logs[0], **env) as first,
        celery_worker(queues="mail", concurrency=1, log_path=logs[1], **env) as second,
    ):
        email_mailing_start(mailing=setup.mailing, user=AnonymousUser())
        wait_for(lambda: len(sink.messages) >= KILL_COUNT // 4, timeout=120, interval=0.05)
        # Kill the process running the dispatch job itself: the job must be redelivered.
        victim = first if "meibo.email.dispatch" in logs[0].read_text() else second
        kill_hard(victim)
        at_kill = len(sink.messages)
        with celery_worker(queues="mail", concurrency=1, log_path=tmp_path / "w3.log", **env):
            wait_for(lambda: mailing_done(setup), timeout=300, interval=0.5)
            wait_for(lambda: dispatch_job(setup).is_finished, timeout=120)
    assert at_kill < KILL_COUNT, "the worker was killed after the mailing had finished"

    received = Counter(r for m in sink.messages for r in m.rcpt_tos)
    rows = MailingRecipient.objects.filter(mailing=setup.mailing)
    unconfirmed = set(rows.filter(error=UNCONFIRMED).values_list("email", flat=True))
    print(
        f"\nkilled after {at_kill} of {KILL_COUNT}; unconfirmed (not resent): "
        f"{len(unconfirmed)}, of which delivered: {sum(received[e] for e in unconfirmed)}"
    )
    # Everyone exactly once. The unconfirmed (at most one per lane of the killed process:
    # the message at its mark, whose reply was never read) were delivered too.
    everyone = set(rows.values_list("email", flat=True))
    assert set(received) == everyone
    assert max(received.values()) == 1
    assert len(unconfirmed) <= THREADS
    assert set(rows.values_list("state", flat=True)) == {"sent"}
    assert dispatch_job(setup).state == Job.State.SUCCEEDED
    assert not EmailBatch.objects.exists()


def test_a_worker_killed_waiting_for_the_reply_to_its_dot_delivers_that_message_once(
    smtp_server, tmp_path
):
    # The server has the message and the worker dies before reading the 250: the message is
    # recorded unconfirmed (sent, listed for a person) and not sent again.
    purge_queues()
    people = people_make(300)
    held = "u150@example.com"
    sink = smtp_server(hold={held})
    setup = email_mailing_make(people=people)
    env = worker_env(sink)
    with celery_worker(queues="mail", concurrency=1, log_path=tmp_path / "w1.log", **env) as w:
        email_mailing_start(mailing=setup.mailing, user=AnonymousUser())
        wait_for(sink.handler.held.is_set, timeout=120, interval=0.05)
        kill_hard(w)
    sink.handler.release()
    with celery_worker(queues="mail", concurrency=1, log_path=tmp_path / "w2.log", **env):
        wait_for(lambda: mailing_done(setup), timeout=300, interval=0.5)
        wait_for(lambda: dispatch_job(setup).is_finished, timeout=120)

    received = Counter(r for m in sink.messages for r in m.rcpt_tos)
    rows = MailingRecipient.objects.filter(mailing=setup.mailing)
    assert set(received) == set(rows.values_list("email", flat=True))
    assert max(received.values()) == 1
    row = rows.get(email=held)
    assert (row.state, row.error, row.attempts) == ("sent", UNCONFIRMED, 1)
    assert rows.filter(error=UNCONFIRMED).count() <= THREADS
    assert set(rows.values_list("state", flat=True)) == {"sent"}
