"""The e-mail API as a client uses it: templates and versions, a mailing's settings,
preview, test send, start/pause/resume/cancel, one-click unsubscribe, bounces, tracking."""

from __future__ import annotations

import email
import mailbox
from email import policy

import pytest

from api.jobs.models import Job
from api.people.models import Person
from mailing.email.models import (
    EmailBounce,
    EmailEvent,
    EmailMailing,
    EmailTemplate,
    EmailUnsubscribe,
)
from mailing.email.tokens import recipient_token
from mailing.models import Mailing, MailingRecipient
from tests.factories.email import email_mailing_make, people_make, template_make
from tests.factories.people import PersonFactory
from tests.factories.selections import SelectionSetFactory
from tests.selections.support import run_queued_jobs

pytestmark = pytest.mark.django_db

TEMPLATE = {
    "name": "新商品のご案内",
    "subject": "{{company|お客様}}各位 新商品のご案内",
    "body_text": "{{recipient_name}} 様\n\n新商品をご案内いたします。\n{{owner_signature}}",
    "body_html": "<p>{{recipient_name}} 様</p>",
}


def mailing_url(setup, tail: str = "") -> str:
    return f"/api/v1/mailings/{setup.mailing.pk}/email/{tail}"


# --- templates ----------------------------------------------------------------------------


def test_a_template_is_created_with_its_first_version(api):
    response = api.post("/api/v1/email-templates/", TEMPLATE, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["current"]["number"] == 1
    assert body["current"]["fields"] == ["company", "recipient_name", "owner_signature"]


def test_an_unknown_merge_field_is_refused_naming_the_body(api):
    response = api.post(
        "/api/v1/email-templates/", {**TEMPLATE, "body_text": "{{氏名}} {{役職名}}"}, format="json"
    )
    assert response.status_code == 400
    assert "{{役職名}} is not a merge field" in response.json()["body_text"][0]
    assert not EmailTemplate.objects.exists()


def test_templates_need_a_login(anon):
    assert anon.get("/api/v1/email-templates/").status_code == 401


def test_changed_content_is_a_new_version_and_a_mailing_keeps_its_own(api, db):
    template = template_make()
    setup = email_mailing_make(people=people_make(1), template=template)
    url = f"/api/v1/email-templates/{template.pk}/"
    assert (
        api.patch(url, {"description": "社外向け"}, format="json").json()["current"]["number"] == 1
    )
    body = api.patch(url, {"subject": "新しい件名"}, format="json").json()
    assert body["current"]["number"] == 2 and body["current"]["subject"] == "新しい件名"
    versions = api.get(f"{url}versions/").json()["results"]
    assert [v["number"] for v in versions] == [2, 1]
    assert api.get(f"{url}versions/1/").json()["subject"] == template.versions.get(number=1).subject
    setup.refresh_from_db()
    assert setup.template_version.number == 1


def test_a_template_a_mailing_used_is_kept(api):
    setup = email_mailing_make(people=people_make(1))
    response = api.delete(f"/api/v1/email-templates/{setup.template_version.template_id}/")
    assert response.status_code == 409


def test_a_template_preview_for_a_person(api, db):
    template = template_make(**TEMPLATE)
    person = PersonFactory(family_name="佐藤", given_name="花子", email="hanako@example.jp")
    response = api.get(f"/api/v1/email-templates/{template.pk}/preview/?person={person.pk}")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["subject"] == "お客様各位 新商品のご案内"
    assert "佐藤 花子 様" in body["text"]
    assert body["empty_fields"] == ["owner_signature"]


# --- a mailing's settings -----------------------------------------------------------------


def test_settings_are_saved_and_shown_with_counts(api):
    setup = email_mailing_make(people=people_make(3))
    template = template_make(
        name="別テンプレート", **{k: v for k, v in TEMPLATE.items() if k != "name"}
    )
    body = {
        "template": template.pk,
        "from_name": "株式会社メイボ",
        "from_address": "news@Meibo.Example.JP",
        "charset": "iso-2022-jp",
        "rate_per_second": 50,
        "domain_rates": {"docomo.ne.jp": 600},
    }
    response = api.put(mailing_url(setup), body, format="json")
    assert response.status_code == 200, response.json()
    shown = api.get(mailing_url(setup)).json()
    assert shown["template_version"]["template_name"] == "別テンプレート"
    assert shown["from_address"] == "news@meibo.example.jp"
    assert shown["charset"] == "iso-2022-jp" and shown["track_opens"] is False
    assert shown["status"]["counts"]["queued"] == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"domain_rates": {"docomo": 5}}, "domain_rates"),
        ({"domain_rates": {"docomo.ne.jp": 0}}, "domain_rates"),
        ({"from_address": "info@@example.jp"}, "from_address"),
        ({"charset": "shift_jis"}, "charset"),
        ({"rate_per_second": 0}, "rate_per_second"),
    ],
)
def test_bad_settings_name_the_field_and_change_nothing(api, body, field):
    setup = email_mailing_make(people=people_make(1))
    response = api.patch(mailing_url(setup), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    setup.refresh_from_db()
    assert setup.charset == "utf-8" and setup.domain_rates == {}


def test_a_mailing_on_another_channel_has_no_email(api, db):
    setup = email_mailing_make(people=people_make(1))
    Mailing.objects.filter(pk=setup.mailing.pk).update(channel=Mailing.Channel.LABEL)
    response = api.patch(mailing_url(setup), {"from_name": "x"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "wrong_channel"


def test_what_was_sent_can_no_longer_change(api, sink):
    setup = email_mailing_make(people=people_make(1))
    api.post(mailing_url(setup, "start/"), {}, format="json")
    run_queued_jobs()
    response = api.patch(mailing_url(setup), {"from_name": "別の名前"}, format="json")
    assert response.status_code == 409


# --- preview and test send ----------------------------------------------------------------


def test_the_preview_shows_one_recipients_message(api):
    people = people_make(2)
    setup = email_mailing_make(people=people)
    recipient = MailingRecipient.objects.get(mailing=setup.mailing, person_id=people[1])
    body = api.get(mailing_url(setup, f"preview/?recipient={recipient.pk}")).json()
    assert body["subject"] == "山田 太郎2様 2026年 新年のご挨拶【株式会社メイボ】"
    assert "個人のお客様" in body["text"] and "山田 太郎2 様" in body["text"]
    assert body["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert body["mail_from"].startswith(f"bounce+{recipient.pk}-")
    by_person = api.get(mailing_url(setup, f"preview/?person={people[1]}")).json()
    assert by_person["subject"] == body["subject"]


def test_a_preview_of_someone_else_is_refused(api):
    setup = email_mailing_make(people=people_make(1))
    response = api.get(mailing_url(setup, "preview/?recipient=999999"))
    assert response.status_code == 400 and "recipient" in response.json()


def test_a_test_send_reaches_me_and_changes_nobodys_history(api, employee, sink):
    employee.user.email = "me@meibo.example.jp"
    employee.user.save()
    setup = email_mailing_make(people=people_make(2))
    response = api.post(mailing_url(setup, "test-send/"), {}, format="json")
    assert response.status_code == 200, response.json()
    assert [m.rcpt_tos for m in sink.messages] == [["me@meibo.example.jp"]]
    mail = email.message_from_bytes(sink.messages[0].data, policy=policy.default)
    assert mail["subject"].startswith("[テスト] 山田 太郎1様")
    assert set(MailingRecipient.objects.values_list("state", flat=True)) == {"queued"}
    # Its unsubscribe link names no recipient: following it changes nothing.
    unsubscribe = mail["list-unsubscribe"].strip("<>").split("/api/v1", 1)[1]
    assert api.post(f"/api/v1{unsubscribe}").status_code == 200
    assert not Person.objects.filter(opt_out_email=True).exists()


def test_a_test_send_needs_an_address(api, employee, sink):
    employee.user.email = ""
    employee.user.save()
    setup = email_mailing_make(people=people_make(1))
    response = api.post(mailing_url(setup, "test-send/"), {}, format="json")
    assert response.status_code == 400 and "to" in response.json()


# --- start, pause, resume, cancel ---------------------------------------------------------


def test_a_scheduled_start_waits_and_pause_resume_carry_on(api, sink):
    setup = email_mailing_make(people=people_make(4))
    response = api.post(
        mailing_url(setup, "start/"), {"at": "2099-12-31T22:00:00+09:00"}, format="json"
    )
    assert response.status_code == 202, response.json()
    job = Job.objects.get(kind="email_dispatch")
    assert job.scheduled_for.year == 2099 and response.json()["state"] == "ready"
    assert api.post(mailing_url(setup, "start/"), {}, format="json").status_code == 409
    assert api.post(mailing_url(setup, "pause/")).json()["state"] == "paused"
    job.refresh_from_db()
    assert job.state == Job.State.CANCELLED
    assert api.post(mailing_url(setup, "resume/")).status_code == 202
    run_queued_jobs()
    assert api.get(mailing_url(setup)).json()["status"]["counts"]["sent"] == 4
    setup.mailing.refresh_from_db()
    assert setup.mailing.state == Mailing.State.DONE


def test_cancel_stops_what_is_not_sent(api, sink):
    setup = email_mailing_make(people=people_make(3))
    response = api.post(mailing_url(setup, "cancel/"))
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert response.json()["status"]["counts"]["cancelled"] == 3
    assert api.post(mailing_url(setup, "start/"), {}, format="json").status_code == 409
    run_queued_jobs()
    assert sink.messages == []


def test_starting_without_an_smtp_server_says_so(api):
    setup = email_mailing_make(people=people_make(1))
    response = api.post(mailing_url(setup, "start/"), {}, format="json")
    assert response.status_code == 400 and "MEIBO_EMAIL_HOST" in response.json()["email"][0]


def test_executing_a_set_on_the_email_channel_queues_the_reachable(api, db):
    reachable = PersonFactory(email="a@example.jp")
    opted_out = PersonFactory(email="b@example.jp", opt_out_email=True)
    no_email = PersonFactory(email=None)
    selection = SelectionSetFactory(people=[reachable, opted_out, no_email])
    response = api.post(
        f"/api/v1/selection-sets/{selection.pk}/execute/",
        {"name": "ご案内メール", "channel": "email"},
        format="json",
    )
    assert response.status_code == 202, response.json()
    run_queued_jobs()
    mailing = Mailing.objects.get(name="ご案内メール")
    assert mailing.state == Mailing.State.READY
    assert list(mailing.recipients.values_list("person_id", "state")) == [(reachable.pk, "queued")]


# --- unsubscribe --------------------------------------------------------------------------


def test_the_unsubscribe_page_asks_first(anon):
    setup = email_mailing_make(people=people_make(1))
    recipient = setup.mailing.recipients.get()
    response = anon.get(f"/api/v1/email/unsubscribe/{recipient_token(recipient.pk)}/")
    assert response.status_code == 200 and "配信を停止する" in response.content.decode()
    assert not Person.objects.get(pk=recipient.person_id).opt_out_email


def test_one_click_unsubscribe_stops_this_and_every_queued_mailing(anon):
    people = people_make(2)
    setup = email_mailing_make(people=people)
    other = email_mailing_make(people=people, name="別の案内")
    recipient = setup.mailing.recipients.get(person_id=people[0])
    url = f"/api/v1/email/unsubscribe/{recipient_token(recipient.pk)}/"
    body = "List-Unsubscribe=One-Click"
    response = anon.generic("POST", url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and "配信を停止しました" in response.content.decode()
    assert Person.objects.get(pk=people[0]).opt_out_email
    assert other.mailing.recipients.get(person_id=people[0]).state == "cancelled"
    assert other.mailing.recipients.get(person_id=people[1]).state == "queued"
    anon.generic("POST", url, body, content_type="application/x-www-form-urlencoded")
    assert EmailUnsubscribe.objects.get().method == "one_click"


def test_a_forged_unsubscribe_link_does_nothing(anon):
    setup = email_mailing_make(people=people_make(1))
    recipient = setup.mailing.recipients.get()
    forged = f"{recipient.pk}-0000000000000000"
    assert anon.post(f"/api/v1/email/unsubscribe/{forged}/").status_code == 404
    assert not Person.objects.filter(opt_out_email=True).exists()


# --- bounces ------------------------------------------------------------------------------


def test_the_bounce_webhook_needs_its_token(anon, settings):
    settings.MEIBO_EMAIL_WEBHOOK_TOKEN = "s3cret"
    assert anon.post("/api/v1/email/bounces/", {"events": []}, format="json").status_code == 403
    wrong = anon.post(
        "/api/v1/email/bounces/", {"events": []}, format="json", HTTP_AUTHORIZATION="Bearer nope"
    )
    assert wrong.status_code == 403


def test_a_hard_bounce_from_the_webhook_marks_the_address_invalid(api, anon, settings):
    settings.MEIBO_EMAIL_WEBHOOK_TOKEN = "s3cret"
    people = people_make(1)
    setup = email_mailing_make(people=people)
    recipient = setup.mailing.recipients.get()
    MailingRecipient.objects.filter(pk=recipient.pk).update(state="sent")
    event = {
        "recipient": f"bounce+{recipient_token(recipient.pk)}@bounce.meibo.example.jp",
        "type": "hard",
        "status": "5.1.1",
        "diagnostic": "smtp; 550 5.1.1 user unknown",
        "id": "evt-1",
    }
    auth = {"HTTP_AUTHORIZATION": "Bearer s3cret"}
    first = anon.post("/api/v1/email/bounces/", {"events": [event]}, format="json", **auth)
    assert first.json() == {"recorded": 1, "duplicates": 0, "unknown": 0}
    again = anon.post(
        "/api/v1/email/bounces/",
        {"events": [event, {**event, "recipient": "bounce+1-00@x.jp", "id": "evt-2"}]},
        format="json",
        **auth,
    )
    assert again.json() == {"recorded": 0, "duplicates": 1, "unknown": 1}
    assert Person.objects.get(pk=people[0]).email_invalid
    listed = api.get(mailing_url(setup, "bounces/")).json()["results"]
    assert [(b["kind"], b["status"], b["source"]) for b in listed] == [("hard", "5.1.1", "webhook")]
    recipient.refresh_from_db()
    assert recipient.state == "failed" and "user unknown" in recipient.error
    history = api.get(f"/api/v1/people/{people[0]}/history/").json()
    entries = history["results"] if isinstance(history, dict) else history
    assert any(e["kind"] == "email_bounce" and "メール不達" in e["title"] for e in entries)


def dsn(*, to: str, final: str, status: str, original_id: str = "<x@y>") -> bytes:
    return (
        f"From: MAILER-DAEMON@mx.example.jp\r\nTo: {to}\r\nSubject: Undelivered Mail\r\n"
        "Message-ID: <dsn-" + status + final + ">\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.jp\r\n\r\n"
        f"Final-Recipient: rfc822; {final}\r\nAction: failed\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} mailbox unavailable\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_id}\r\nSubject: x\r\n\r\n--B--\r\n"
    ).encode()


def test_the_bounce_mailbox_is_read_once(api, settings, tmp_path):
    people = people_make(3)
    setup = email_mailing_make(people=people)
    rows = list(setup.mailing.recipients.order_by("id"))
    MailingRecipient.objects.filter(mailing=setup.mailing).update(state="sent")
    box = mailbox.Maildir(tmp_path / "bounces")
    verp = f"bounce+{recipient_token(rows[0].pk)}@bounce.meibo.example.jp"
    box.add(dsn(to=verp, final=rows[0].email, status="5.1.1"))
    # No VERP address left: found by the original Message-ID quoted in the report.
    box.add(
        dsn(
            to="bounces@x.jp",
            final=rows[1].email,
            status="4.2.2",
            original_id=f"<meibo.{setup.mailing.pk}.{rows[1].pk}@bounce.meibo.example.jp>",
        )
    )
    box.add(b"From: someone@example.jp\r\nSubject: I am away\r\n\r\nOut of office.\r\n")
    settings.MEIBO_EMAIL_BOUNCE_MAILBOX = str(tmp_path / "bounces")
    assert api.post("/api/v1/email/bounces/mailbox/").status_code == 202
    run_queued_jobs()
    job = Job.objects.get(kind="email_bounces")
    assert job.result == {"recorded": 1, "duplicates": 0, "delayed": 1, "ignored": 1}
    assert Person.objects.get(pk=people[0]).email_invalid
    assert not Person.objects.get(pk=people[1]).email_invalid
    api.post("/api/v1/email/bounces/mailbox/")
    run_queued_jobs()
    assert EmailBounce.objects.count() == 1


def test_beat_reads_the_bounce_mailbox_only_when_it_holds_something_new(settings, tmp_path):
    from workers.beat import BEAT_SCHEDULE
    from workers.tasks.email import bounces_look

    assert BEAT_SCHEDULE["read-bounce-mailbox"]["task"] == bounces_look.name
    people = people_make(1)
    setup = email_mailing_make(people=people)
    row = setup.mailing.recipients.get()
    box = mailbox.Maildir(tmp_path / "bounces")
    settings.MEIBO_EMAIL_BOUNCE_MAILBOX = str(tmp_path / "bounces")
    bounces = Job.objects.filter(kind="email_bounces")
    bounces_look()
    assert not bounces.exists()  # an empty mailbox: no job

    verp = f"bounce+{recipient_token(row.pk)}@bounce.meibo.example.jp"
    box.add(dsn(to=verp, final=row.email, status="5.1.1"))
    bounces_look()
    bounces_look()  # the job is still queued: not a second one
    assert bounces.count() == 1
    run_queued_jobs()
    assert bounces.get().result["recorded"] == 1
    assert Person.objects.get(pk=people[0]).email_invalid
    bounces_look()  # read already: nothing new
    assert bounces.count() == 1


# --- tracking -----------------------------------------------------------------------------


def test_opens_are_not_recorded_unless_tracked(anon):
    setup = email_mailing_make(people=people_make(1))
    token = recipient_token(setup.mailing.recipients.get().pk)
    response = anon.get(f"/api/v1/email/o/{token}.gif")
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert not EmailEvent.objects.exists()


def test_tracked_opens_and_clicks_are_recorded_once(anon, api):
    template = template_make(body_html='<a href="https://shop.example.jp/">店</a>')
    setup = email_mailing_make(
        people=people_make(1), template=template, track_opens=True, track_clicks=True
    )
    recipient = setup.mailing.recipients.get()
    token = recipient_token(recipient.pk)
    anon.get(f"/api/v1/email/o/{token}.gif")
    anon.get(f"/api/v1/email/o/{token}.gif")
    click = anon.get(f"/api/v1/email/c/{token}/0/")
    assert click.status_code == 302 and click["Location"] == "https://shop.example.jp/"
    assert anon.get(f"/api/v1/email/c/{token}/5/").status_code == 404
    assert sorted(EmailEvent.objects.values_list("kind", flat=True)) == ["click", "open"]
    status = api.get(mailing_url(setup)).json()["status"]
    assert (status["opened"], status["clicked"]) == (1, 1)
    assert EmailMailing.objects.get().track_opens


def test_a_template_test_send_for_a_person(api, sink):
    template = template_make(**TEMPLATE)
    person = PersonFactory(family_name="佐藤", given_name="花子")
    response = api.post(
        f"/api/v1/email-templates/{template.pk}/test-send/",
        {"to": "me@meibo.example.jp", "person": person.pk},
        format="json",
    )
    assert response.status_code == 200, response.json()
    mail = email.message_from_bytes(sink.messages[0].data, policy=policy.default)
    assert mail["subject"] == "[テスト] お客様各位 新商品のご案内"
    assert "佐藤 花子 様" in mail.get_body(("plain",)).get_content()


def test_the_preview_names_what_iso_2022_jp_cannot_carry(api, db):
    person = PersonFactory(family_name="髙橋", given_name="一郎", email="ichiro@ezweb.ne.jp")
    setup = email_mailing_make(people=[person.pk], charset="iso-2022-jp")
    body = api.get(mailing_url(setup, f"preview/?person={person.pk}")).json()
    assert body["substituted"] == ["髙"]
    assert "〓橋 一郎 様" in body["text"]


def test_an_unsubscribe_shows_in_the_persons_history(api, anon):
    people = people_make(1)
    setup = email_mailing_make(people=people)
    recipient = setup.mailing.recipients.get()
    anon.post(f"/api/v1/email/unsubscribe/{recipient_token(recipient.pk)}/")
    history = api.get(f"/api/v1/people/{people[0]}/history/").json()
    entries = history["results"] if isinstance(history, dict) else history
    unsubscribed = [e for e in entries if e["kind"] == "email_unsubscribe"]
    assert unsubscribed and "メール配信停止" in unsubscribed[0]["title"]
    assert "本文のリンク" in unsubscribed[0]["detail"]


def test_an_mbox_of_bounces_is_read(tmp_path):
    from mailing.email.services.feedback import email_bounce_mailbox_process

    people = people_make(1)
    setup = email_mailing_make(people=people)
    recipient = setup.mailing.recipients.get()
    MailingRecipient.objects.filter(pk=recipient.pk).update(state="sent")
    box = mailbox.mbox(tmp_path / "bounces.mbox")
    verp = f"bounce+{recipient_token(recipient.pk)}@bounce.meibo.example.jp"
    box.add(dsn(to=verp, final=recipient.email, status="5.1.2"))
    box.flush()
    result = email_bounce_mailbox_process(path=str(tmp_path / "bounces.mbox"))
    assert result["recorded"] == 1
    assert EmailBounce.objects.get().status == "5.1.2"
    assert Person.objects.get(pk=people[0]).email_invalid
