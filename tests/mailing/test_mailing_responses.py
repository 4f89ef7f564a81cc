"""選択セット応答: responses per recipient, singly or from a CSV, and queries that use them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mailing.models import MailingResponse
from tests.factories.mailing import MailingFactory, MailingRecipientFactory, MailingResponseFactory
from tests.factories.people import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailing(db):
    mailing = MailingFactory(name="2026年 新年会案内")
    people = [PersonFactory(external_code=f"C{i:03d}") for i in range(4)]
    for person in people[:3]:
        MailingRecipientFactory(mailing=mailing, person=person)
    return mailing, people


def upload(api, mailing, text: str, encoding="utf-8-sig", **data):
    file = SimpleUploadedFile("responses.csv", text.encode(encoding), content_type="text/csv")
    return api.post(
        f"/api/v1/mailings/{mailing.pk}/responses/import/",
        {"file": file, **data},
        format="multipart",
    )


def test_the_response_types_master_is_seeded(api):
    names = [row["name"] for row in api.get("/api/v1/response-types/").json()]
    assert {"出席", "欠席", "返信あり", "宛先不明で返送"} <= set(names)


def test_a_response_is_recorded_once_per_type(api, mailing):
    mailing, people = mailing
    url = f"/api/v1/mailings/{mailing.pk}/responses/"
    first = api.post(url, {"person": people[0].pk, "type": "出席", "note": "2名"}, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["type"] == "attending"
    again = api.post(
        url, {"person": people[0].pk, "type": "attending", "note": "3名"}, format="json"
    )
    assert again.status_code == 200 and again.json()["note"] == "3名"
    assert MailingResponse.objects.count() == 1
    listed = api.get(url).json()["results"]
    assert [row["person_name"] for row in listed] == [people[0].full_name]


def test_a_response_needs_a_recipient_and_a_known_type(api, mailing):
    mailing, people = mailing
    url = f"/api/v1/mailings/{mailing.pk}/responses/"
    not_recipient = api.post(url, {"person": people[3].pk, "type": "出席"}, format="json")
    assert (
        not_recipient.status_code == 400 and "not a recipient" in not_recipient.json()["person"][0]
    )
    unknown = api.post(url, {"person": people[0].pk, "type": "たぶん"}, format="json")
    assert unknown.status_code == 400 and "unknown response type" in unknown.json()["type"][0]


def test_a_csv_of_person_ids_records_responses_in_bulk(api, mailing):
    mailing, people = mailing
    text = "個人ID,応答,応答日,メモ\n" + "".join(
        f"{p.pk},{kind},2026/01/1{i},\n"
        for i, (p, kind) in enumerate(zip(people[:3], ["出席", "欠席", "returned"], strict=True))
    )
    response = upload(api, mailing, text)
    assert response.status_code == 200, response.json()
    assert response.json() == {"rows": 3, "created": 3, "updated": 0}
    again = upload(api, mailing, text)
    assert again.json() == {"rows": 3, "created": 0, "updated": 3}
    assert MailingResponse.objects.count() == 3
    assert str(MailingResponse.objects.get(person=people[0]).responded_on) == "2026-01-10"


def test_a_shift_jis_csv_of_external_codes_with_one_type_for_all(api, mailing):
    mailing, people = mailing
    text = "外部コード\r\nC000\r\nC002\r\n"
    response = upload(api, mailing, text, encoding="cp932", type="宛先不明で返送")
    assert response.status_code == 200, response.json()
    assert set(MailingResponse.objects.values_list("person_id", flat=True)) == {
        people[0].pk,
        people[2].pk,
    }


def test_a_csv_with_bad_lines_names_them_and_writes_nothing(api, mailing):
    mailing, people = mailing
    text = (
        "person_id,type\n"
        f"{people[0].pk},出席\n"
        f"{people[3].pk},出席\n"  # not a recipient
        f"{people[1].pk},たぶん\n"  # unknown type
        "abc,出席\n"  # not a number
    )
    response = upload(api, mailing, text)
    assert response.status_code == 400
    assert response.json()["file"] == ["line 5: person id 'abc' is not a number"]
    response = upload(api, mailing, text.replace("abc,出席\n", ""))
    assert response.json()["file"] == [
        f"line 3: person {people[3].pk} is not a recipient",
        "line 4: unknown response type 'たぶん'",
    ]
    assert not MailingResponse.objects.exists()


def test_a_csv_needs_a_person_column(api, mailing):
    mailing, _ = mailing
    response = upload(api, mailing, "氏名,応答\n山田,出席\n")
    assert response.status_code == 400 and "person column" in response.json()["file"][0]


def test_queries_use_mailing_history_and_responses(api, db, employee):
    sent_2025 = MailingFactory(name="2025年 お歳暮送付")
    sent_2026 = MailingFactory(name="2026年 お歳暮送付")
    nenga_2025 = MailingFactory(name="2025年 年賀状送付")
    lapsed, kept, returned = PersonFactory(), PersonFactory(), PersonFactory()
    for person in (lapsed, kept):
        MailingRecipientFactory(mailing=sent_2025, person=person)
    MailingRecipientFactory(mailing=sent_2026, person=kept)
    MailingResponseFactory(recipient=MailingRecipientFactory(mailing=nenga_2025, person=returned))
    MailingRecipientFactory(mailing=nenga_2025, person=kept)

    def count(query):
        response = api.post("/api/v1/selection-sets/count/", {"query": query}, format="json")
        assert response.status_code == 200, response.json()
        return response.json()["count"]

    assert (
        count(
            {
                "all": [
                    {"received": {"mailing": "2025年 お歳暮送付"}},
                    {"not": {"received": {"mailing": "2026年 お歳暮送付"}}},
                ]
            }
        )
        == 1
    )
    assert count({"responded": {"mailing": "2025年 年賀状送付", "type": "宛先不明で返送"}}) == 1
    assert count({"received": {"channel": "record_only", "within": "30 days"}}) == 3
    assert count({"received": {"mailing": sent_2025.pk, "state": "queued"}}) == 0
