"""selection-sets/{id}/execute/: a record-only mailing, its exclusions by reason, 名寄せ,
history rows, and executing twice by mistake recording once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from api.core.errors import FieldErrors
from api.jobs.models import Job
from api.selections.models import SelectionSet
from mailing.models import Mailing, MailingExclusion, MailingRecipient
from mailing.services.execute import mailing_execute
from tests.factories.people import CompanyFactory, DepartmentFactory, PersonFactory
from tests.factories.selections import SelectionSetFactory
from tests.selections.support import run_queued_jobs

pytestmark = pytest.mark.django_db

NAME = "2026年 年賀状送付"


@pytest.fixture
def family(db):
    """A set of six: two reachable, one opted out, one without an address, and one human
    entered twice (same name, same e-mail)."""
    company = CompanyFactory(
        name="株式会社青空商事",
        postal_code="100-0005",
        address1="千代田区丸の内1-1",
        address2="青空ビル3F",
    )
    people = {
        "plain": PersonFactory(
            family_name="山田",
            given_name="太郎",
            title="部長",
            company=company,
            department=DepartmentFactory(company=company, name="営業部"),
        ),
        "company_address": PersonFactory(
            family_name="鈴木", given_name="花子", postal_code=None, address1=None, company=company
        ),
        "opted_out": PersonFactory(family_name="高橋", given_name="健", opt_out_mail=True),
        "no_address": PersonFactory(
            family_name="田中", given_name="翔太", postal_code=None, address1=None
        ),
        "twin_old": PersonFactory(
            family_name="伊藤",
            given_name="美咲",
            email="misaki@example.jp",
            postal_code="150-0001",
            address1="渋谷区神宮前1-1",
        ),
        "twin_new": PersonFactory(
            family_name="伊藤",
            given_name="美咲",
            email="Misaki@example.jp",
            postal_code="530-0001",
            address1="大阪市北区梅田1-1",
        ),
    }
    selection = SelectionSetFactory(people=list(people.values()), name="年賀状送付先")
    return selection, people


def execute(api, selection, name=NAME, **extra):
    headers = extra.pop("headers", {})
    return api.post(
        f"/api/v1/selection-sets/{selection.pk}/execute/",
        {"name": name, **extra},
        format="json",
        headers=headers,
    )


def test_execution_records_each_recipient_and_counts_the_excluded_by_reason(api, family):
    selection, people = family
    response = execute(api, selection)
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["created"] is True and body["job"]["kind"] == "mailing_execute"
    assert body["mailing"]["channel"] == "record_only" and body["mailing"]["medium"] == "post"

    (job,) = run_queued_jobs()

    assert job.state == "succeeded", job.error
    mailing = api.get(f"/api/v1/mailings/{body['mailing']['id']}/").json()
    assert mailing["state"] == "done"
    assert mailing["recipient_count"] == 3
    assert mailing["excluded"] == {"opted_out": 1, "no_address": 1, "duplicate": 1}
    assert mailing["counts"]["sent"] == 3
    recipients = {r.person_id for r in MailingRecipient.objects.filter(mailing_id=mailing["id"])}
    assert recipients == {people["plain"].pk, people["company_address"].pk, people["twin_new"].pk}


def test_the_duplicate_names_the_record_kept_and_the_key(api, family):
    selection, people = family
    mailing_id = execute(api, selection).json()["mailing"]["id"]
    run_queued_jobs()
    body = api.get(f"/api/v1/mailings/{mailing_id}/exclusions/", {"reason": "duplicate"}).json()
    (row,) = body["results"]
    assert row["person"] == people["twin_old"].pk
    assert row["kept_person"] == people["twin_new"].pk
    assert row["kept_person_name"] == "伊藤 美咲"
    assert row["matched_on"] == "email"


def test_the_recipient_keeps_a_snapshot_of_the_address(api, family):
    selection, people = family
    mailing_id = execute(api, selection).json()["mailing"]["id"]
    run_queued_jobs()
    people["plain"].address1 = "移転先"
    people["plain"].save()
    rows = api.get(f"/api/v1/mailings/{mailing_id}/recipients/").json()["results"]
    by_person = {row["person"]: row for row in rows}
    plain = by_person[people["plain"].pk]
    assert plain["full_name"] == "山田 太郎"
    assert plain["company_name"] == "株式会社青空商事" and plain["department_name"] == "営業部"
    assert plain["address1"] == "千代田区千代田1-1" and plain["address_source"] == "person"
    from_company = by_person[people["company_address"].pk]
    assert from_company["address_source"] == "company"
    assert (from_company["postal_code"], from_company["address2"]) == ("100-0005", "青空ビル3F")


def test_each_recipients_history_shows_the_mailing_and_the_excluded_have_none(api, family):
    selection, people = family
    execute(api, selection)
    run_queued_jobs()

    def mailing_entries(person):
        response = api.get(f"/api/v1/people/{person.pk}/history/")
        assert response.status_code == 200, response.json()
        return [e for e in response.json()["results"] if e["kind"] == "mailing"]

    (entry,) = mailing_entries(people["plain"])
    assert NAME in entry["title"]
    for excluded in ("opted_out", "no_address", "twin_old"):
        assert mailing_entries(people[excluded]) == []


def test_a_double_click_records_once(api, family):
    selection, _ = family
    first = execute(api, selection)
    second = execute(api, selection)
    assert first.status_code == 202
    assert second.status_code == 200
    assert second.json()["created"] is False
    assert second.json()["mailing"]["id"] == first.json()["mailing"]["id"]
    run_queued_jobs()
    assert Mailing.objects.count() == 1
    assert MailingRecipient.objects.count() == 3


def test_the_same_idempotency_key_returns_the_first_mailing(api, family):
    selection, _ = family
    first = execute(api, selection, headers={"Idempotency-Key": "k-1"})
    again = execute(api, selection, headers={"Idempotency-Key": "k-1"})
    assert (
        again.status_code == 200 and again.json()["mailing"]["id"] == first.json()["mailing"]["id"]
    )
    other = execute(api, selection, name="別の発送", headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 409
    assert Mailing.objects.count() == 1


def test_the_same_name_later_is_a_new_mailing(api, family):
    selection, _ = family
    first = execute(api, selection).json()["mailing"]["id"]
    Mailing.objects.filter(pk=first).update(
        dedupe_until="2000-01-01T00:00:00Z", created_at="1999-12-31T23:00:00Z"
    )
    assert execute(api, selection).status_code == 202
    assert Mailing.objects.count() == 2


def test_a_retried_preparation_records_once(api, family):
    selection, _ = family
    execute(api, selection)
    (job,) = run_queued_jobs()
    # Redelivered after the worker died: the job is claimed and run again.
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING)
    from workers.tasks.mailing import execute as execute_task

    execute_task.run(job.pk)
    assert MailingRecipient.objects.count() == 3
    assert MailingExclusion.objects.count() == 3


def test_a_medium_decides_the_opt_out_and_the_address(api, family):
    selection, people = family
    response = execute(api, selection, medium="email")
    assert response.status_code == 202, response.json()
    run_queued_jobs()
    mailing = Mailing.objects.get()
    recipients = set(MailingRecipient.objects.values_list("person_id", flat=True))
    # Only the twins have e-mail; they are one human.
    assert recipients == {people["twin_new"].pk}
    assert mailing.excluded == {"opted_out": 0, "no_address": 4, "duplicate": 1}


def test_an_unknown_channel_or_medium_is_refused(api, family):
    selection, _ = family
    response = execute(api, selection, channel="pigeon")
    assert response.status_code == 400
    assert "not a channel" in response.json()["channel"][0]
    assert execute(api, selection, medium="pigeon").status_code == 400
    assert not Mailing.objects.exists()


def test_an_empty_set_or_a_set_still_building_is_refused(api, db, employee):
    empty = SelectionSetFactory(people=[])
    assert execute(api, empty).status_code == 400
    building = api.post(
        "/api/v1/selection-sets/", {"name": "x", "query": {"owner": "me"}}, format="json"
    ).json()["selection_set"]
    SelectionSet.objects.filter(pk=building["id"]).update(member_count=1)
    assert execute(api, SelectionSet.objects.get(pk=building["id"])).status_code == 409


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_executions_create_one_mailing(family, user):
    # Two requests racing (two web workers): the exclusion constraint admits one row.
    selection, _ = family
    barrier = threading.Barrier(2)
    results: list = []

    def run():
        barrier.wait()
        try:
            results.append(
                mailing_execute(
                    selection_set=selection, name=NAME, channel="record_only", user=user
                )
            )
        except FieldErrors as exc:  # pragma: no cover - would fail the assertion below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(created for _, created in results) == [False, True]
    assert len({mailing.pk for mailing, _ in results}) == 1
    assert Mailing.objects.count() == 1
