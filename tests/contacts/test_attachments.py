"""Attachments: at most five, size and type checked, downloaded only through visibility."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.contacts.models import ContactAttachment
from tests.contacts.conftest import RECORDS, api_for

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _upload(client, record_id, name="見積書.pdf", content=PDF):
    return client.post(
        f"{RECORDS}{record_id}/attachments/",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def test_a_pdf_with_a_japanese_name_is_attached_and_downloaded(world, create_record):
    record = create_record()
    author = api_for(world.author)

    response = _upload(author, record["id"])

    assert response.status_code == 201, response.json()
    attachment = response.json()
    assert (attachment["name"], attachment["content_type"]) == ("見積書.pdf", "application/pdf")
    download = api_for(world.viewers["outsider"]).get(attachment["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "%E8%A6%8B%E7%A9%8D%E6%9B%B8.pdf" in download["Content-Disposition"]
    detail = author.get(f"{RECORDS}{record['id']}/").json()
    assert [a["name"] for a in detail["attachments"]] == ["見積書.pdf"]


def test_an_out_of_scope_viewer_cannot_download(world, create_record):
    record = create_record(visibility="employees", scope_ids=[world.viewers["named"].pk])
    attachment = _upload(api_for(world.author), record["id"]).json()

    assert api_for(world.viewers["named"]).get(attachment["download"]).status_code == 200
    assert api_for(world.viewers["outsider"]).get(attachment["download"]).status_code == 404


def test_a_sixth_attachment_is_refused(world, create_record):
    record = create_record()
    author = api_for(world.author)
    for n in range(5):
        assert _upload(author, record["id"], name=f"資料{n}.pdf").status_code == 201

    response = _upload(author, record["id"], name="資料6.pdf")

    assert response.status_code == 400
    assert "5" in response.json()["file"][0]
    assert ContactAttachment.objects.count() == 5


def test_a_file_over_the_size_limit_is_refused(world, create_record, settings):
    settings.MEIBO_ATTACHMENT_MAX_MB = 1
    record = create_record()

    response = _upload(api_for(world.author), record["id"], content=PDF + b"0" * 1024 * 1024)

    assert response.status_code == 400
    assert "1 MB" in response.json()["file"][0]
    assert not ContactAttachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100),
        ("請求書.pdf", b"MZ\x90\x00" + b"\x00" * 100),  # an executable renamed to .pdf
        ("photo.png", PDF),
    ],
)
def test_a_file_of_a_disallowed_or_disguised_type_is_refused(world, create_record, name, content):
    record = create_record()

    response = _upload(api_for(world.author), record["id"], name=name, content=content)

    assert response.status_code == 400
    assert response.json()["code"] == "type"
    assert not ContactAttachment.objects.exists()


def test_shift_jis_text_is_accepted_as_text(world, create_record):
    record = create_record()

    response = _upload(
        api_for(world.author), record["id"], name="メモ.txt", content="議事録\r\n".encode("cp932")
    )

    assert response.status_code == 201


def test_only_the_author_attaches_or_removes(world, create_record):
    record = create_record()
    attachment = _upload(api_for(world.author), record["id"]).json()
    colleague = api_for(world.viewers["outsider"])

    assert _upload(colleague, record["id"]).status_code == 403
    path = f"{RECORDS}{record['id']}/attachments/{attachment['id']}/"
    assert colleague.delete(path).status_code == 403
    assert api_for(world.author).delete(path).status_code == 204
    assert not ContactAttachment.objects.exists()
