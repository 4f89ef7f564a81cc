"""Dispatch in-process against a real aiosmtpd: the recipient state machine, retries,
opt-out at claim time, recovery of a dead worker's batch, pause, rates. The same code under
real worker processes (and SIGKILL) is test_email_workers.py."""

from __future__ import annotations

import asyncio
import email
import time
from email import policy

import psycopg
import pytest
from django.utils import timezone

from api.jobs.models import Job
from api.people.models import Person
from mailing.email.models import EmailBatch, EmailBounce, EmailDeferral
from mailing.email.ratelimit import _client as redis_client
from mailing.email.services.batches import LOCK_BASE, UNCONFIRMED
from mailing.email.services.dispatch import mailing_finish_if_done
from mailing.email.services.lane import Lane
from mailing.email.services.mailings import email_mailing_start
from mailing.models import Mailing, MailingRecipient
from tests.factories.email import email_mailing_make, people_make
from tests.selections.support import run_queued_jobs
from tests.workerproc import test_database_url as database_url

pytestmark = pytest.mark.django_db


def send_all(email_mailing, user=None) -> Job:
    email_mailing_start(mailing=email_mailing.mailing, user=user or _nobody())
    run_queued_jobs()
    return Job.objects.get(pk=email_mailing.__class__.objects.get(pk=email_mailing.pk).job_id)


def _nobody():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def states(mailing) -> dict[str, int]:
    rows = MailingRecipient.objects.filter(mailing=mailing).values_list("state", flat=True)
    counts: dict[str, int] = {}
    for state in rows:
        counts[state] = counts.get(state, 0) + 1
    return counts


def text_of(data: bytes) -> str:
    return email.message_from_bytes(data, policy=policy.default).get_body(("plain",)).get_content()


def test_every_recipient_gets_one_message_with_their_name(sink):
    people = people_make(40)
    setup = email_mailing_make(people=people)
    job = send_all(setup)
    assert job.state == Job.State.SUCCEEDED and job.done == 40
    assert sorted(sink.handler.received_by().values()) == [1] * 40
    names = dict(Person.objects.filter(pk__in=people).values_list("email", "given_name"))
    for message in sink.messages:
        assert f"山田 {names[message.rcpt_tos[0]]} 様" in text_of(message.data)
    recipients = MailingRecipient.objects.filter(mailing=setup.mailing)
    assert {r.state for r in recipients} == {"sent"}
    assert all(
        r.sent_at and r.message_id.startswith("<meibo.") and r.attempts == 1 for r in recipients
    )
    setup.mailing.refresh_from_db()
    assert setup.mailing.state == Mailing.State.DONE
    assert not EmailBatch.objects.exists()


def test_the_japanese_subject_decodes_in_the_received_message(sink):
    setup = email_mailing_make(people=people_make(2), charset="iso-2022-jp")
    send_all(setup)
    for message in sink.messages:
        mail = email.message_from_bytes(message.data, policy=policy.default)
        assert mail["subject"].endswith("様 2026年 新年のご挨拶【株式会社メイボ】")
        assert mail["subject"].startswith("山田 太郎")


def test_someone_who_unsubscribes_after_queueing_is_not_mailed(sink):
    people = people_make(5)
    setup = email_mailing_make(people=people)
    Person.objects.filter(pk=people[2]).update(opt_out_email=True)
    send_all(setup)
    stopped = MailingRecipient.objects.get(mailing=setup.mailing, person_id=people[2])
    assert stopped.state == "cancelled" and "opted out" in stopped.error
    assert len(sink.messages) == 4
    assert stopped.email not in sink.handler.received_by()


def test_a_greylisted_recipient_is_retried_and_delivered(smtp_server):
    people = people_make(3)
    sink = smtp_server(temporary={"u2@example.com": 1})
    setup = email_mailing_make(people=people)
    send_all(setup)
    grey = MailingRecipient.objects.get(mailing=setup.mailing, email="u2@example.com")
    assert grey.state == "sent" and grey.attempts == 2
    assert sink.handler.rcpt_attempts["u2@example.com"] == 2
    assert sink.handler.received_by()["u2@example.com"] == 1


def test_a_rejected_recipient_fails_once_is_not_retried_and_is_marked_invalid(smtp_server):
    people = people_make(3)
    sink = smtp_server(permanent={"u3@example.com"})
    setup = email_mailing_make(people=people)
    send_all(setup)
    bad = MailingRecipient.objects.get(mailing=setup.mailing, email="u3@example.com")
    assert bad.state == "failed" and bad.attempts == 1 and bad.error.startswith("550 5.1.1")
    assert sink.handler.rcpt_attempts["u3@example.com"] == 1
    bounce = EmailBounce.objects.get(recipient=bad)
    assert (bounce.kind, bounce.status, bounce.source) == ("hard", "5.1.1", "smtp")
    assert Person.objects.get(pk=bad.person_id).email_invalid
    assert states(setup.mailing) == {"sent": 2, "failed": 1}


def _dead_batch(setup, *, handed_over: int, not_tried: int) -> EmailBatch:
    """What a SIGKILLed worker leaves: recipients in sending, the batch row, no lock."""
    rows = list(MailingRecipient.objects.filter(mailing=setup.mailing).order_by("id"))
    over, waiting = rows[:handed_over], rows[handed_over : handed_over + not_tried]
    for row in over + waiting:
        row.state = "sending"
        row.save()
    setup.mailing.state = Mailing.State.RUNNING
    setup.mailing.save()
    return EmailBatch.objects.create(
        mailing=setup.mailing,
        worker="dead:1",
        claimed_at=timezone.now(),
        recipient_ids=[r.pk for r in over + waiting],
        handed=handed_over,
        handed_at=timezone.now(),
    )


def test_a_dead_workers_batch_is_recovered_and_the_handed_over_message_not_resent(sink):
    people = people_make(6)
    setup = email_mailing_make(people=people)
    _dead_batch(setup, handed_over=1, not_tried=3)
    Lane(mailing_id=setup.mailing.pk).run()
    rows = list(MailingRecipient.objects.filter(mailing=setup.mailing).order_by("id"))
    assert rows[0].state == "sent" and rows[0].error == UNCONFIRMED and rows[0].sent_at
    assert rows[0].email not in sink.handler.received_by()  # not resent
    assert all(r.state == "sent" and r.error == "" for r in rows[1:])
    assert sorted(sink.handler.received_by().values()) == [1] * 5
    assert not EmailBatch.objects.exists()


def test_a_live_workers_batch_is_left_alone(sink):
    setup = email_mailing_make(people=people_make(4))
    batch = _dead_batch(setup, handed_over=1, not_tried=1)
    with psycopg.connect(database_url()) as other:
        # Another session holds the batch's lock: its worker is alive and sending.
        other.execute("SELECT pg_advisory_lock(%s)", [LOCK_BASE + batch.pk])
        Lane(mailing_id=setup.mailing.pk).run()
    assert states(setup.mailing) == {"sending": 2, "sent": 2}
    assert EmailBatch.objects.filter(pk=batch.pk).exists()


def test_a_paused_mailing_sends_nothing(sink):
    setup = email_mailing_make(people=people_make(4), state=Mailing.State.PAUSED)
    Lane(mailing_id=setup.mailing.pk).run()
    assert sink.messages == []
    assert states(setup.mailing) == {"queued": 4}


def test_an_smtp_outage_puts_the_batch_back_without_counting_an_attempt(smtp_server):
    from mailing.email.smtp import SmtpUnavailable

    sink = smtp_server()
    setup = email_mailing_make(people=people_make(3), state=Mailing.State.RUNNING)
    sink.__exit__()
    with pytest.raises(SmtpUnavailable):
        Lane(mailing_id=setup.mailing.pk).run()
    assert states(setup.mailing) == {"queued": 3}
    assert set(MailingRecipient.objects.values_list("attempts", flat=True)) == {0}
    assert not EmailBatch.objects.exists()


def test_a_second_run_sends_nothing_twice(sink):
    setup = email_mailing_make(people=people_make(5))
    send_all(setup)
    setup.mailing.state = Mailing.State.RUNNING
    setup.mailing.save()
    Lane(mailing_id=setup.mailing.pk).run()
    assert len(sink.messages) == 5


def test_the_rate_per_second_holds(sink):
    setup = email_mailing_make(
        people=people_make(15), rate_per_second=10, state=Mailing.State.RUNNING
    )
    redis_client().delete(f"meibo:email:{setup.mailing.pk}:s")
    started = time.monotonic()
    Lane(mailing_id=setup.mailing.pk).run()
    # A full bucket of 10, then 10 a second: the last 5 take at least half a second.
    assert time.monotonic() - started >= 0.45
    assert len(sink.messages) == 15


def test_a_domain_over_its_rate_is_deferred(sink):
    people = people_make(3, domain="docomo.ne.jp") + people_make(2, prefix="pc")
    setup = email_mailing_make(
        people=people, domain_rates={"docomo.ne.jp": 6}, state=Mailing.State.RUNNING
    )
    for key in redis_client().scan_iter(f"meibo:email:{setup.mailing.pk}:*"):
        redis_client().delete(key)
    Lane(mailing_id=setup.mailing.pk).run()
    received = sink.handler.received_by()
    assert sum(1 for r in received if r.endswith("@docomo.ne.jp")) == 1
    assert sum(1 for r in received if r.endswith("@example.com")) == 2
    deferred = EmailDeferral.objects.filter(recipient__mailing=setup.mailing)
    assert deferred.count() == 2 and {d.reason for d in deferred} == {"rate: docomo.ne.jp"}
    assert states(setup.mailing) == {"sent": 3, "queued": 2}


def test_each_recipients_history_shows_the_email_and_its_state(api, sink):
    people = people_make(2)
    setup = email_mailing_make(people=people, name="2026年 年賀メール")
    send_all(setup)
    history = api.get(f"/api/v1/people/{people[0]}/history/").json()
    entries = history["results"] if isinstance(history, dict) else history
    mailing = [e for e in entries if e["kind"] == "mailing"]
    assert mailing and "2026年 年賀メール" in mailing[0]["title"]
    assert "送付済み" in mailing[0]["detail"]


def test_a_long_back_off_hands_over_to_a_scheduled_job(smtp_server, settings):
    settings.MEIBO_EMAIL_RETRY_SECONDS = 600
    people = people_make(2)
    smtp_server(temporary={"u1@example.com": 1})
    setup = email_mailing_make(people=people)
    send_all(setup)
    first = Job.objects.filter(kind="email_dispatch").order_by("id").first()
    assert first.state == Job.State.SUCCEEDED
    follow_up = Job.objects.get(pk=first.result["continues_in_job"])
    assert follow_up.state == Job.State.QUEUED and follow_up.scheduled_for > timezone.now()
    setup.refresh_from_db()
    assert setup.job_id == follow_up.pk
    assert states(setup.mailing) == {"sent": 1, "queued": 1}
    assert Mailing.objects.get(pk=setup.mailing.pk).state == Mailing.State.RUNNING


def test_cancelling_gives_back_a_dead_workers_batch(api, sink):
    setup = email_mailing_make(people=people_make(4))
    _dead_batch(setup, handed_over=1, not_tried=1)
    response = api.post(f"/api/v1/mailings/{setup.mailing.pk}/email/cancel/")
    assert response.status_code == 200
    assert states(setup.mailing) == {"sent": 1, "cancelled": 3}
    assert not EmailBatch.objects.exists()


def test_unconfirmed_recipients_are_listed_and_resent_on_request(api, sink):
    setup = email_mailing_make(people=people_make(3))
    _dead_batch(setup, handed_over=1, not_tried=0)
    Lane(mailing_id=setup.mailing.pk).run()
    assert mailing_finish_if_done(mailing_id=setup.mailing.pk)
    url = f"/api/v1/mailings/{setup.mailing.pk}/email/unconfirmed/"
    listed = api.get(url).json()["results"]
    assert len(listed) == 1 and listed[0]["error"] == UNCONFIRMED
    assert (
        api.get(f"/api/v1/mailings/{setup.mailing.pk}/email/").json()["status"]["unconfirmed"] == 1
    )
    assert len(sink.messages) == 2
    assert api.post(url).status_code == 202
    run_queued_jobs()
    assert sorted(sink.handler.received_by().values()) == [1, 1, 1]
    assert states(setup.mailing) == {"sent": 3}


@pytest.mark.django_db(transaction=True)
def test_an_unsubscribe_during_the_batch_withdraws_that_message(smtp_server):
    # Given a person who unsubscribes while the worker is already talking to the server
    # about their message (after the claim, before the final dot) ...
    people = people_make(3)
    sink = smtp_server()
    setup = email_mailing_make(people=people, state=Mailing.State.RUNNING)
    original = sink.handler.handle_RCPT

    async def unsubscribe_on_rcpt(server, session, envelope, address, options):
        if address == "u2@example.com":
            await asyncio.to_thread(_opt_out, people[1])
        return await original(server, session, envelope, address, options)

    sink.handler.handle_RCPT = unsubscribe_on_rcpt
    # ... the lane withdraws it at its check: the server never gets the final dot.
    Lane(mailing_id=setup.mailing.pk).run()
    assert "u2@example.com" not in sink.handler.received_by()
    row = MailingRecipient.objects.get(mailing=setup.mailing, person_id=people[1])
    assert row.state == "cancelled" and "opted out" in row.error
    assert states(setup.mailing) == {"sent": 2, "cancelled": 1}


def _opt_out(person_id: int) -> None:
    from django.db import connection as thread_connection

    Person.objects.filter(pk=person_id).update(opt_out_email=True)
    thread_connection.close()


def test_rate_buckets_grant_what_every_bucket_holds():
    from mailing.email.ratelimit import Bucket, buckets_for_mailing, take

    for key in redis_client().scan_iter("meibo:email:test:*"):
        redis_client().delete(key)
    second = Bucket("meibo:email:test:s", rate=10, capacity=10)
    hour = Bucket("meibo:email:test:h", rate=0.01, capacity=3)
    assert take([second, hour], 5) == (3, 0.0)  # the hourly bucket had three
    granted, wait = take([second, hour], 1)
    assert granted == 0 and 90 < wait <= 100  # one more in a hundred seconds
    assert take([], 7) == (7, 0.0)
    assert [b.capacity for b in buckets_for_mailing(mailing_id=1, per_second=5, per_hour=600)] == [
        5,
        10,
    ]
