"""Recording contacts through the API: validation, drafts, company dates and follow-ups."""

import datetime

from django.utils import timezone

from api.contacts.models import ContactRecord, FollowUp
from api.people.models import Company
from tests.conftest import client_for
from tests.contacts.conftest import RECORDS, api_for, record_payload
from tests.factories.masters import UserFactory
from tests.factories.people import CompanyFactory, DepartmentFactory, PersonFactory


def _at(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


def test_it_records_a_visit_with_names_beside_ids(world, create_record):
    record = create_record()

    assert record["author"] == {"id": world.author.pk, "name": "記録 太郎"}
    assert record["company_name"] == "株式会社北斗精機"
    assert record["people"] == [
        {"id": world.person.pk, "name": "佐藤 健一", "company": world.company.pk}
    ]
    assert (record["method"], record["method_name"]) == ("visit", "訪問")
    assert (record["result_name"], record["summary_name"]) == ("継続", "新規提案")
    assert record["content"] == "佐藤様より新工場計画の説明を受けた。\n来月、概算見積を提出する。"
    assert record["state"] == "final"
    assert record["visibility"] == "everyone"


def test_full_width_letters_are_folded_but_line_breaks_kept(world, create_record):
    record = create_record(content="ＡＢＣ商事の件\n\n見積ＮＯ．１２３", summary_text="ｶﾀﾛｸﾞ送付")

    assert record["content"] == "ABC商事の件\n\n見積NO.123"
    assert record["summary_text"] == "カタログ送付"


def test_a_final_record_sets_the_companys_last_contact_and_next_follow_up(world, create_record):
    record = create_record()

    company = Company.objects.get(pk=world.company.pk)
    assert company.last_contact_at == _at(record["started_at"])
    assert company.next_follow_up_at == _at(record["next_appointment_at"])
    follow_up = FollowUp.objects.get(record_id=record["id"])
    assert (follow_up.assignee, follow_up.note) == (world.author, "見積提出")


def test_the_company_keeps_its_latest_contact_and_earliest_open_follow_up(world, create_record):
    now = timezone.now()
    later = create_record(
        started_at=(now - datetime.timedelta(hours=1)).isoformat(),
        next_appointment_at=(now + datetime.timedelta(days=30)).isoformat(),
    )
    create_record(
        started_at=(now - datetime.timedelta(days=10)).isoformat(),
        next_appointment_at=(now + datetime.timedelta(days=3)).isoformat(),
    )

    company = Company.objects.get(pk=world.company.pk)
    assert company.last_contact_at == _at(later["started_at"])
    assert company.next_follow_up_at == now + datetime.timedelta(days=3)


def test_completing_a_follow_up_moves_next_follow_up_to_the_next_open_one(world, create_record):
    now = timezone.now()
    soon = create_record(next_appointment_at=(now + datetime.timedelta(days=2)).isoformat())
    create_record(next_appointment_at=(now + datetime.timedelta(days=9)).isoformat())
    follow_up = FollowUp.objects.get(record_id=soon["id"])

    response = api_for(world.author).post(f"/api/v1/follow-ups/{follow_up.pk}/done/")

    assert response.status_code == 200 and response.json()["done"] is True
    company = Company.objects.get(pk=world.company.pk)
    assert company.next_follow_up_at == now + datetime.timedelta(days=9)


def test_moving_the_appointment_moves_the_follow_up(world, create_record):
    record = create_record()
    new_time = timezone.now() + datetime.timedelta(days=20)

    response = api_for(world.author).patch(
        f"{RECORDS}{record['id']}/", {"next_appointment_at": new_time.isoformat()}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["follow_up"]["due_at"] == timezone.localtime(new_time).isoformat()
    assert Company.objects.get(pk=world.company.pk).next_follow_up_at == new_time
    assert FollowUp.objects.filter(record_id=record["id"]).count() == 1


def test_clearing_the_appointment_removes_the_follow_up(world, create_record):
    record = create_record()

    api_for(world.author).patch(
        f"{RECORDS}{record['id']}/",
        {"next_appointment_at": None, "next_appointment_note": None},
        format="json",
    )

    assert not FollowUp.objects.filter(record_id=record["id"]).exists()
    assert Company.objects.get(pk=world.company.pk).next_follow_up_at is None


def test_a_draft_is_no_contact_until_it_is_finalised(world, create_record):
    draft = create_record(state="draft")

    company = Company.objects.get(pk=world.company.pk)
    assert (company.last_contact_at, company.next_follow_up_at) == (None, None)
    assert not FollowUp.objects.exists()

    response = api_for(world.author).patch(
        f"{RECORDS}{draft['id']}/", {"state": "final"}, format="json"
    )

    assert response.status_code == 200
    company.refresh_from_db()
    assert company.last_contact_at == _at(draft["started_at"])
    assert company.next_follow_up_at == _at(draft["next_appointment_at"])


def test_a_final_record_cannot_go_back_to_draft(world, create_record):
    record = create_record()

    response = api_for(world.author).patch(
        f"{RECORDS}{record['id']}/", {"state": "draft"}, format="json"
    )

    assert response.status_code == 400
    assert "state" in response.json()
    assert ContactRecord.objects.get(pk=record["id"]).state == "final"


def test_deleting_the_latest_record_recomputes_the_companys_dates(world, create_record):
    older = create_record(started_at=(timezone.now() - datetime.timedelta(days=5)).isoformat())
    latest = create_record(next_appointment_at=None, next_appointment_note=None)

    response = api_for(world.author).delete(f"{RECORDS}{latest['id']}/")

    assert response.status_code == 204
    company = Company.objects.get(pk=world.company.pk)
    assert company.last_contact_at == _at(older["started_at"])


def test_only_the_author_may_change_a_visible_record(world, create_record):
    record = create_record()
    colleague = api_for(world.viewers["outsider"])

    assert colleague.patch(f"{RECORDS}{record['id']}/", {"content": "x"}).status_code == 403
    assert colleague.delete(f"{RECORDS}{record['id']}/").status_code == 403
    admin = client_for(UserFactory(is_staff=True, is_superuser=True))
    assert admin.patch(f"{RECORDS}{record['id']}/", {"content": "訂正"}).status_code == 200


def test_the_company_is_taken_from_the_people_when_they_share_one(world, create_record):
    record = create_record(company=None)

    assert record["company"] == world.company.pk


def test_a_final_record_needs_a_customer(world):
    payload = record_payload(world, company=None, people=[])

    response = api_for(world.author).post(RECORDS, payload, format="json")

    assert response.status_code == 400
    assert "company" in response.json()
    assert not ContactRecord.objects.exists()


def test_a_person_without_a_company_can_be_the_customer(world, create_record):
    private = PersonFactory(family_name="個人", given_name="顧客", company=None)

    record = create_record(company=None, people=[private.pk])

    assert record["company"] is None
    assert record["people"][0]["id"] == private.pk


def test_a_department_of_another_company_is_refused_by_name(world):
    other = DepartmentFactory(company=CompanyFactory(), name="総務部")

    response = api_for(world.author).post(
        RECORDS, record_payload(world, department=other.pk), format="json"
    )

    assert response.status_code == 400
    assert "総務部" in response.json()["department"][0]
    assert not ContactRecord.objects.exists()


def test_end_before_start_is_refused(world):
    payload = record_payload(world)
    payload["ended_at"] = (_at(payload["started_at"]) - datetime.timedelta(hours=1)).isoformat()

    response = api_for(world.author).post(RECORDS, payload, format="json")

    assert response.status_code == 400
    assert "ended_at" in response.json()


def test_an_unknown_master_code_is_refused_naming_the_field(world):
    response = api_for(world.author).post(
        RECORDS, record_payload(world, method="teleport"), format="json"
    )

    assert response.status_code == 400
    assert "method" in response.json()


def test_unknown_scope_ids_are_refused(world):
    response = api_for(world.author).post(
        RECORDS, record_payload(world, visibility="groups", scope_ids=[987654]), format="json"
    )

    assert response.status_code == 400
    assert "987654" in response.json()["scope_ids"][0]


def test_a_bare_branch_scope_means_the_authors_branch(world, create_record):
    record = create_record(visibility="branch")

    assert record["scope_ids"] == [world.b1.pk]


def test_a_user_without_an_employee_record_cannot_record(world):
    client = client_for(UserFactory())

    response = client.post(RECORDS, record_payload(world), format="json")

    assert response.status_code == 400
    assert not ContactRecord.objects.exists()


def test_anonymous_requests_are_refused(anon, world):
    assert anon.get(RECORDS).status_code == 401
    assert anon.get("/api/v1/stats/").status_code == 401


def test_masters_are_listed_with_the_seeded_japanese_names(api):
    methods = api.get("/api/v1/masters/contact-methods/").json()
    results = api.get("/api/v1/masters/contact-results/").json()

    assert [m["name"] for m in methods][:5] == ["訪問", "電話", "来社", "メール", "Web会議"]
    assert {"受注", "継続", "失注", "不在", "資料送付"} <= {r["name"] for r in results}
