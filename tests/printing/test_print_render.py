"""The print job, run in this process as a worker runs it: files, history, reprints,
characters no font has, chunked letters."""

import io
import zipfile

import pdfplumber
import pytest
from django.core.files.storage import default_storage
from docx import Document

from api.jobs.models import Job
from mailing.models import Mailing, MailingRecipient
from mailing.printing.models import PrintChunk, PrintRun, PrintRunRecipient
from tests.factories.printing import (
    DocumentTemplateFactory,
    PrintMailingFactory,
    docx_template_bytes,
    recipient_rows,
    recipients_add,
)
from tests.printing.test_labels import A4_24, labels_text
from workers.tasks.printing import render

pytestmark = pytest.mark.django_db


def print_and_run(api, mailing, **body):
    """Ask for a print as a client, then run its job as the render worker would."""
    response = api.post(f"/api/v1/mailings/{mailing.pk}/print/", body, format="json")
    assert response.status_code == 202, response.json()
    render(response.json()["job"]["id"])
    return api.get(f"/api/v1/print-runs/{response.json()['id']}/").json()


def download(api, run) -> bytes:
    response = api.get(run["download"])
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def history(api, person_id) -> list[dict]:
    return api.get(f"/api/v1/people/{person_id}/history/").json()["results"]


def test_a_postcard_run_prints_every_recipient_and_records_it_in_their_history(
    api, postcard_mailing
):
    run = print_and_run(api, postcard_mailing, options={"date": "2026-11-23"})

    assert run["state"] == "done" and run["job"]["state"] == "succeeded"
    assert run["documents"] == 12 and run["pages"] == 12
    with pdfplumber.open(io.BytesIO(download(api, run))) as pdf:
        assert len(pdf.pages) == 12
    person = MailingRecipient.objects.filter(mailing=postcard_mailing).first().person_id
    prints = [e for e in history(api, person) if e["kind"] == "print"]
    assert [e["title"] for e in prints] == ["2026年 年賀状 宛名印刷"]


def test_printing_marks_the_recipients_sent_and_links_the_file_from_the_mailing(
    api, postcard_mailing
):
    run = print_and_run(api, postcard_mailing)

    assert set(
        MailingRecipient.objects.filter(mailing=postcard_mailing).values_list("state", flat=True)
    ) == {MailingRecipient.State.SENT}
    mailing = Mailing.objects.get(pk=postcard_mailing.pk)
    assert mailing.artifact.name == PrintRun.objects.get(pk=run["id"]).artifact.name
    assert mailing.state == Mailing.State.DONE


def test_a_reprint_is_recorded_once_more_as_a_reprint_not_as_a_new_mailing(api, postcard_mailing):
    print_and_run(api, postcard_mailing)
    again = MailingRecipient.objects.filter(mailing=postcard_mailing).order_by("id")[:2]

    reprint = print_and_run(api, postcard_mailing, recipients=[r.pk for r in again])

    assert reprint["reprint"] is True and reprint["documents"] == 2
    assert Mailing.objects.count() == 1
    titles = [e["title"] for e in history(api, again[0].person_id) if e["kind"] == "print"]
    assert titles == ["2026年 年賀状 宛名印刷 (再印刷)", "2026年 年賀状 宛名印刷"]
    untouched = MailingRecipient.objects.filter(mailing=postcard_mailing).order_by("id")[5]
    assert len([e for e in history(api, untouched.person_id) if e["kind"] == "print"]) == 1


def test_a_redelivered_job_records_nothing_twice(api, postcard_mailing):
    run = print_and_run(api, postcard_mailing)

    render(run["job"]["id"])  # the same task delivered again after it finished
    job = Job.objects.get(pk=run["job"]["id"])
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING)  # as if the worker died
    render(job.pk)

    assert PrintRunRecipient.objects.filter(print_run_id=run["id"]).count() == 12
    assert PrintRun.objects.count() == 1


def test_a_name_with_a_character_no_font_has_is_reported_and_nothing_is_printed(
    api, postcard_mailing
):
    recipient = MailingRecipient.objects.filter(mailing=postcard_mailing).first()
    MailingRecipient.objects.filter(pk=recipient.pk).update(full_name="𠮷田 花子")

    run = print_and_run(api, postcard_mailing)

    assert run["state"] == "failed" and run["job"]["state"] == "failed"
    assert "𠮷田 花子" in run["error"] and "𠮷" in run["error"]
    assert run["problems"] == [
        {
            "recipient": recipient.pk,
            "person": recipient.person_id,
            "name": "𠮷田 花子",
            "fields": {"full_name": ["𠮷"]},
        }
    ]
    assert run["download"] is None
    assert not PrintRunRecipient.objects.exists()
    assert Job.objects.get(pk=run["job"]["id"]).error.startswith("フォントにない文字")


def test_unprintable_recipients_can_be_left_out_and_are_counted(api, postcard_mailing):
    recipient = MailingRecipient.objects.filter(mailing=postcard_mailing).first()
    MailingRecipient.objects.filter(pk=recipient.pk).update(address1="𠮷野町1-1")

    run = print_and_run(api, postcard_mailing, options={"on_missing_glyph": "skip"})

    assert run["state"] == "done"
    assert run["documents"] == 11 and run["skipped"] == 1
    assert not PrintRunRecipient.objects.filter(recipient=recipient).exists()
    assert not [e for e in history(api, recipient.person_id) if e["kind"] == "print"]


def test_labels_follow_the_sort_order_from_the_start_position(api, label_mailing, settings):
    # Chunks of one sheet: the first holds the 5 labels left on the half-used sheet.
    settings.MEIBO_PRINT_CHUNK_SIZE = 20

    run = print_and_run(
        api, label_mailing, label_format="a4-24", start_position=20, sort="postal_code"
    )

    assert run["pages"] == 3  # 5 labels on the first sheet, 24 on the second, 1 on the third
    assert [c.count for c in PrintChunk.objects.filter(print_run_id=run["id"])] == [5, 24, 1]
    codes = list(
        PrintRunRecipient.objects.filter(print_run_id=run["id"])
        .order_by("position")
        .values_list("recipient__postal_code", flat=True)
    )
    assert codes == sorted(codes)
    texts, outside = labels_text(download(api, run), A4_24)
    assert outside == []
    assert sorted(texts) == [(0, slot) for slot in range(19, 24)] + [
        (1, slot) for slot in range(24)
    ] + [(2, 0)]
    assert texts[(0, 19)].startswith(f"〒{codes[0]}")
    assert texts[(2, 0)].startswith(f"〒{codes[-1]}")


def test_label_chunks_combine_into_one_pdf_that_embeds_each_face_once(api, settings):
    # Given labels in three chunks, one of them for a name only the fallback face can draw
    settings.MEIBO_PRINT_CHUNK_SIZE = 24
    mailing = PrintMailingFactory(name="2026年 お中元", channel=Mailing.Channel.LABEL)
    rows = recipient_rows(60)
    rows[50]["full_name"] = "Yiğit Özdemir"
    recipients_add(mailing, rows)

    # When they are printed
    run = print_and_run(api, mailing, label_format="a4-24", sort="mailing")

    # Then one PDF holds every label, each inside its cell, and each face's subset is
    # embedded once for the whole file, not once per chunk
    pdf = download(api, run)
    assert PrintChunk.objects.filter(print_run_id=run["id"]).count() == 3
    texts, outside = labels_text(pdf, A4_24)
    assert outside == [] and len(texts) == 60
    assert "ğ" in texts[(2, 2)] and "Özdemir" in texts[(2, 2)]
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        fonts = {c["fontname"] for page in document.pages for c in page.chars}
    assert len(fonts) == 2 and pdf.count(b"/FontFile2") == 2


@pytest.mark.parametrize("chunk_size", [7, 1000])
def test_docx_letters_render_in_chunks_and_combine_into_one_document(
    api, letter_mailing, settings, chunk_size
):
    settings.MEIBO_PRINT_CHUNK_SIZE = chunk_size
    upload = api.post(
        "/api/v1/document-templates/",
        {
            "name": "送り状",
            "kind": "letter",
            "engine": "docx",
            "file": io.BytesIO(docx_template_bytes()),
        },
        format="multipart",
    ).json()

    run = print_and_run(api, letter_mailing, template=upload["id"], sort="reading")

    assert run["state"] == "done", run["error"]
    document = Document(io.BytesIO(download(api, run)))
    assert len(document.sections) == 30
    chunks = PrintChunk.objects.filter(print_run_id=run["id"])
    assert chunks.count() == -(-30 // chunk_size)
    assert all(chunk.state == "done" and chunk.rendered_by for chunk in chunks)
    assert not any(default_storage.exists(chunk.part) for chunk in chunks)


def test_letters_can_be_one_file_per_recipient_in_a_zip(api, letter_mailing, settings):
    settings.MEIBO_PRINT_CHUNK_SIZE = 8
    template = DocumentTemplateFactory()

    run = print_and_run(
        api,
        letter_mailing,
        template=template.pk,
        output="separate",
        options={"items": ["カタログ 1部"]},
    )

    with zipfile.ZipFile(io.BytesIO(download(api, run))) as archive:
        names = archive.namelist()
    assert len(names) == 30 and all(name.endswith(".pdf") for name in names)
    assert names == sorted(names)


def test_pdf_letters_in_several_chunks_merge_into_one_pdf(api, letter_mailing, settings):
    settings.MEIBO_PRINT_CHUNK_SIZE = 12

    run = print_and_run(api, letter_mailing, options={"date": "2026-11-23"})

    with pdfplumber.open(io.BytesIO(download(api, run))) as pdf:
        assert len(pdf.pages) == 30
        assert "令和8年11月23日" in pdf.pages[29].extract_text()


def test_fax_cover_sheets_use_the_recipients_fax_number(api):
    mailing = PrintMailingFactory(
        name="見積送付", channel=Mailing.Channel.FAX, medium=Mailing.Medium.FAX
    )
    rows = recipient_rows(3)
    recipients_add(mailing, rows)

    run = print_and_run(api, mailing, options={"subject": "お見積書", "pages": 2, "urgent": True})

    with pdfplumber.open(io.BytesIO(download(api, run))) as pdf:
        texts = [page.extract_text().replace(" ", "") for page in pdf.pages]
    assert len(texts) == 3
    assert all("FAX送付状" in text and "■至急" in text for text in texts)
    assert sorted(rows[i]["fax"] for i in range(3)) == sorted(
        next(line.split("FAX:")[1] for line in text.splitlines() if line.startswith("FAX:"))
        for text in texts
    )
