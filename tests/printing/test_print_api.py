"""The printing API as a client uses it: label sheets, templates, print requests."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.jobs.kinds import KINDS
from api.jobs.models import Job
from mailing.models import Mailing, MailingRecipient
from mailing.printing.models import DocumentTemplate, LabelFormat, PrintRun
from tests.conftest import client_for
from tests.factories.printing import (
    DocumentTemplateFactory,
    PrintMailingFactory,
    docx_template_bytes,
    recipient_rows,
    recipients_add,
)

pytestmark = pytest.mark.django_db

SHEET = {
    "code": "my-10",
    "name": "自社用 10面",
    "margin_top": "21.5",
    "margin_left": "14",
    "columns": 2,
    "rows": 5,
    "label_width": "86",
    "label_height": "50.8",
    "pitch_x": "96",
    "pitch_y": "50.8",
}


def test_the_common_a4_sheets_and_some_products_are_shipped(api):
    response = api.get("/api/v1/label-formats/", {"page_size": 100})

    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()["results"]}
    assert {rows[f"a4-{n}"]["per_sheet"] for n in (12, 18, 21, 24, 44)} == {12, 18, 21, 24, 44}
    assert {"a-one-72212", "a-one-72224", "avery-l7160", "avery-l7159"} <= rows.keys()
    assert rows["avery-l7160"]["product_number"] == "L7160"
    assert all(row["builtin"] for row in rows.values())


def test_an_admin_adds_a_label_sheet(admin_user):
    response = client_for(admin_user).post("/api/v1/label-formats/", SHEET, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["per_sheet"] == 10
    assert LabelFormat.objects.get(code="my-10").builtin is False


def test_a_label_sheet_whose_labels_leave_the_page_is_refused(admin_user):
    response = client_for(admin_user).post(
        "/api/v1/label-formats/", {**SHEET, "margin_left": "30"}, format="json"
    )

    assert response.status_code == 400
    assert "用紙の右端" in response.json()["columns"][0]
    assert not LabelFormat.objects.filter(code="my-10").exists()


def test_staff_who_are_not_admins_cannot_add_label_sheets(api):
    assert api.post("/api/v1/label-formats/", SHEET, format="json").status_code == 403


def test_a_shipped_sheet_cannot_be_changed(admin_user):
    shipped = LabelFormat.objects.get(code="a4-24")

    response = client_for(admin_user).patch(
        f"/api/v1/label-formats/{shipped.pk}/", {"rows": 9}, format="json"
    )

    assert response.status_code == 409
    shipped.refresh_from_db()
    assert shipped.rows == 8


def test_a_docx_template_is_uploaded_with_its_merge_fields(api):
    upload = SimpleUploadedFile("送り状.docx", docx_template_bytes())

    response = api.post(
        "/api/v1/document-templates/",
        {
            "name": "お歳暮 送り状",
            "kind": "letter",
            "engine": "docx",
            "file": upload,
            "sender": '{"company": "株式会社名簿商事"}',
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert {"会社名", "宛名", "日付", "差出人"} <= set(body["fields"])
    assert body["sender"] == {"company": "株式会社名簿商事"}
    assert api.get(f"/api/v1/document-templates/{body['id']}/file/").status_code == 200


def test_a_docx_template_with_an_unknown_merge_field_is_refused(api):
    upload = SimpleUploadedFile("t.docx", docx_template_bytes(extra="{{好きな色}}"))

    response = api.post(
        "/api/v1/document-templates/",
        {
            "name": "x",
            "kind": "letter",
            "engine": "docx",
            "file": upload,
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert "好きな色" in response.json()["file"][0]
    assert not DocumentTemplate.objects.exists()


def test_a_pdf_layout_with_an_unknown_merge_field_is_refused(api):
    response = api.post(
        "/api/v1/document-templates/",
        {
            "name": "x",
            "kind": "fax",
            "engine": "pdf",
            "layout": {"title": "{{好きな色}}"},
        },
        format="json",
    )

    assert response.status_code == 400
    assert "好きな色" in response.json()["layout"][0]


def test_printing_a_mailing_answers_202_with_a_job_on_the_render_queue(api, label_mailing):
    response = api.post(
        f"/api/v1/mailings/{label_mailing.pk}/print/",
        {
            "label_format": "a4-24",
            "start_position": 5,
            "sort": "reading",
        },
        format="json",
    )

    assert response.status_code == 202, response.json()
    body = response.json()
    job = Job.objects.get(pk=body["job"]["id"])
    assert job.kind == "print_render" and KINDS[job.kind].queue == "render"
    assert job.params == {"print_run_id": body["id"]}
    assert body["title"] == "2026年 お歳暮 宛名ラベル印刷"
    assert body["state"] == "queued" and body["reprint"] is False
    assert body["download"] is None
    run = PrintRun.objects.get(pk=body["id"])
    assert run.label_format.code == "a4-24" and run.start_position == 5


def test_print_runs_can_be_requested_with_the_mailing_id(api, label_mailing):
    response = api.post(
        "/api/v1/print-runs/",
        {
            "mailing": label_mailing.pk,
            "label_format": LabelFormat.objects.get(code="a4-12").pk,
        },
        format="json",
    )

    assert response.status_code == 202
    assert api.get("/api/v1/print-runs/", {"mailing": label_mailing.pk}).json()["count"] == 1


def test_labels_need_a_sheet_and_a_start_position_on_it(api, label_mailing):
    url = f"/api/v1/mailings/{label_mailing.pk}/print/"

    missing = api.post(url, {}, format="json")
    past_the_sheet = api.post(url, {"label_format": "a4-24", "start_position": 25}, format="json")
    unknown = api.post(url, {"label_format": "a4-99"}, format="json")

    assert "label_format" in missing.json()
    assert "1〜24" in past_the_sheet.json()["start_position"][0]
    assert "a4-99" in unknown.json()["label_format"][0]
    assert not PrintRun.objects.exists()


def test_a_record_only_mailing_cannot_be_printed(api):
    mailing = PrintMailingFactory(channel=Mailing.Channel.RECORD_ONLY, state=Mailing.State.DONE)

    response = api.post(f"/api/v1/mailings/{mailing.pk}/print/", {}, format="json")

    assert response.status_code == 400
    assert "記録のみ" in response.json()["mailing"][0]


def test_a_mailing_still_being_prepared_cannot_be_printed(api):
    mailing = PrintMailingFactory(state=Mailing.State.PREPARING)

    response = api.post(f"/api/v1/mailings/{mailing.pk}/print/", {}, format="json")

    assert response.status_code == 409


def test_a_fax_template_cannot_print_letters(api, letter_mailing):
    fax = DocumentTemplateFactory(kind=DocumentTemplate.Kind.FAX)

    response = api.post(
        f"/api/v1/mailings/{letter_mailing.pk}/print/", {"template": fax.pk}, format="json"
    )

    assert response.status_code == 400
    assert "template" in response.json()


def test_only_the_mailings_own_recipients_can_be_reprinted(api, label_mailing):
    other = PrintMailingFactory()
    stranger = recipients_add(other, recipient_rows(1))[0]

    response = api.post(
        f"/api/v1/mailings/{label_mailing.pk}/print/",
        {
            "label_format": "a4-24",
            "recipients": [stranger.pk],
        },
        format="json",
    )

    assert response.status_code == 400
    assert str(stranger.pk) in response.json()["recipients"][0]


def test_a_sender_the_font_cannot_print_is_refused_before_any_job(api, postcard_mailing):
    response = api.post(
        f"/api/v1/mailings/{postcard_mailing.pk}/print/",
        {
            "options": {"sender": {"name": "𠮷田 一郎"}},
        },
        format="json",
    )

    assert response.status_code == 400
    assert "𠮷" in response.json()["options"][0]
    assert not Job.objects.exists()


def test_the_print_check_reports_recipients_by_name_before_printing(api, postcard_mailing):
    recipient = MailingRecipient.objects.filter(mailing=postcard_mailing).first()
    MailingRecipient.objects.filter(pk=recipient.pk).update(full_name="𠮷田 花子")

    response = api.get(f"/api/v1/mailings/{postcard_mailing.pk}/print-check/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "recipient": recipient.pk,
            "person": recipient.person_id,
            "name": "𠮷田 花子",
            "fields": {"full_name": ["𠮷"]},
        }
    ]


def test_printing_needs_authentication(anon, label_mailing):
    response = anon.post(
        f"/api/v1/mailings/{label_mailing.pk}/print/", {"label_format": "a4-24"}, format="json"
    )

    assert response.status_code == 401
    assert anon.get("/api/v1/label-formats/").status_code == 401


def test_a_run_has_nothing_to_download_until_it_is_done(api, label_mailing):
    body = api.post(
        f"/api/v1/mailings/{label_mailing.pk}/print/", {"label_format": "a4-24"}, format="json"
    ).json()

    assert api.get(f"/api/v1/print-runs/{body['id']}/download/").status_code == 404


def test_a_second_print_while_the_first_is_under_way_is_refused(api, label_mailing):
    url = f"/api/v1/mailings/{label_mailing.pk}/print/"

    first = api.post(url, {"label_format": "a4-24"}, format="json")
    second = api.post(url, {"label_format": "a4-24"}, format="json")

    assert first.status_code == 202
    assert second.status_code == 409
    assert "印刷中" in second.json()["detail"][0]
    assert PrintRun.objects.count() == 1
