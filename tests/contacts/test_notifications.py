"""報告先: only newly added recipients are notified, once; the in-app list and e-mail."""

import smtplib

import pytest
from django.core import mail

from api.contacts.models import Notification
from api.contacts.services.notifications import notification_emails_send
from tests.contacts.conftest import RECORDS, api_for, record_payload
from workers.tasks.contacts import email_notifications


def _notified(world, record_id):
    return set(
        Notification.objects.filter(record_id=record_id).values_list("recipient_id", flat=True)
    )


def test_adding_two_recipients_notifies_those_two_once(world, create_record):
    record = create_record()
    a, b = world.viewers["named"], world.viewers["outsider"]
    author = api_for(world.author)

    # When two recipients are added to a saved record,
    response = author.patch(f"{RECORDS}{record['id']}/", {"report_to": [a.pk, b.pk]}, format="json")
    assert response.status_code == 200
    # then those two are notified, once each,
    assert _notified(world, record["id"]) == {a.user_id, b.user_id}
    assert Notification.objects.count() == 2

    # and saving again (with or without changes) notifies nobody.
    author.patch(f"{RECORDS}{record['id']}/", {"report_to": [a.pk, b.pk]}, format="json")
    author.patch(f"{RECORDS}{record['id']}/", {"content": "追記あり"}, format="json")
    assert Notification.objects.count() == 2


def test_only_a_newly_added_recipient_is_notified(world, create_record):
    a, b = world.viewers["named"], world.viewers["outsider"]
    record = create_record(report_to=[a.pk])
    first = Notification.objects.get(record_id=record["id"], recipient=a.user)

    api_for(world.author).patch(
        f"{RECORDS}{record['id']}/", {"report_to": [a.pk, b.pk]}, format="json"
    )

    assert _notified(world, record["id"]) == {a.user_id, b.user_id}
    assert Notification.objects.get(record_id=record["id"], recipient=a.user) == first


def test_a_removed_and_re_added_recipient_is_not_notified_again(world, create_record):
    a = world.viewers["named"]
    record = create_record(report_to=[a.pk])
    author = api_for(world.author)

    author.patch(f"{RECORDS}{record['id']}/", {"report_to": []}, format="json")
    author.patch(f"{RECORDS}{record['id']}/", {"report_to": [a.pk]}, format="json")

    assert Notification.objects.filter(record_id=record["id"]).count() == 1


def test_a_draft_reports_nobody_until_it_is_final(world, create_record):
    a = world.viewers["named"]
    draft = create_record(state="draft", report_to=[a.pk])
    assert not Notification.objects.exists()

    api_for(world.author).patch(f"{RECORDS}{draft['id']}/", {"state": "final"}, format="json")

    assert _notified(world, draft["id"]) == {a.user_id}


def test_the_author_is_not_reported_their_own_record(world, create_record):
    create_record(report_to=[world.author.pk])

    assert not Notification.objects.exists()


def test_a_recipient_outside_the_scope_is_refused_and_nothing_is_written(world):
    payload = record_payload(
        world,
        visibility="branch",
        scope_ids=[world.b1.pk],
        report_to=[world.viewers["outsider"].pk],
    )

    response = api_for(world.author).post(RECORDS, payload, format="json")

    assert response.status_code == 400
    assert "部外 次郎" in response.json()["report_to"][0]
    assert not Notification.objects.exists()
    assert api_for(world.author).get(RECORDS).json()["count"] == 0


def test_the_inbox_lists_own_notifications_and_marks_them_read(world, create_record):
    a = world.viewers["named"]
    record = create_record(report_to=[a.pk])
    inbox = api_for(a)

    listed = inbox.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]
    assert [(n["record"], n["author"], n["company_name"]) for n in listed] == [
        (record["id"], "記録 太郎", "株式会社北斗精機")
    ]
    assert api_for(world.viewers["outsider"]).get("/api/v1/notifications/").json()["count"] == 0
    other = api_for(world.viewers["outsider"]).post(
        f"/api/v1/notifications/{listed[0]['id']}/read/"
    )
    assert other.status_code == 404

    response = inbox.post(f"/api/v1/notifications/{listed[0]['id']}/read/")

    assert response.status_code == 200 and response.json()["read"] is True
    assert inbox.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0


def test_read_all_marks_every_own_notification(world, create_record):
    a = world.viewers["named"]
    create_record(report_to=[a.pk])
    create_record(report_to=[a.pk])

    response = api_for(a).post("/api/v1/notifications/read-all/")

    assert response.json() == {"marked": 2}


def test_each_notification_is_emailed_once(world, create_record, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    a, b = world.viewers["named"], world.viewers["outsider"]
    record = create_record(report_to=[a.pk, b.pk])
    ids = list(Notification.objects.filter(record_id=record["id"]).values_list("pk", flat=True))

    assert notification_emails_send(notification_ids=ids) == 2
    assert notification_emails_send(notification_ids=ids) == 0

    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])
    assert mail.outbox[0].subject.startswith("【報告】株式会社北斗精機 訪問")
    assert "新工場計画" in mail.outbox[0].body


def test_e_mail_is_queued_after_commit_only_when_configured(
    world, create_record, settings, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(
        "api.contacts.services.notifications._publish_emails",
        lambda *, notification_ids: published.append(notification_ids),
    )
    settings.EMAIL_HOST = ""
    with django_capture_on_commit_callbacks(execute=True):
        create_record(report_to=[world.viewers["named"].pk])
    assert published == []

    settings.EMAIL_HOST = "smtp.example.jp"
    with django_capture_on_commit_callbacks(execute=True):
        record = create_record(report_to=[world.viewers["named"].pk])

    assert published == [[Notification.objects.get(record_id=record["id"]).pk]]


def test_a_transient_smtp_failure_releases_the_claim_for_the_retry(
    world, create_record, settings, monkeypatch
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    record = create_record(report_to=[world.viewers["named"].pk])
    ids = [Notification.objects.get(record_id=record["id"]).pk]

    def disconnected(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("connection closed")

    monkeypatch.setattr("api.contacts.services.notifications.send_mail", disconnected)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        email_notifications(ids)
    assert Notification.objects.get(pk=ids[0]).emailed_at is None

    monkeypatch.undo()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert email_notifications(ids) == 1
    assert len(mail.outbox) == 1
