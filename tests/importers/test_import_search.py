"""Imported people are searchable as soon as the commit ends: they are written pending
(``Person.search_pending``), searches compute their text on the spot, and the search-index
job queued by the commit then puts them in the search indexes."""

from api.jobs.models import Job
from api.people.models import Person
from tests.factories.importers import csv_bytes
from tests.importers.helpers import commit, run_job, upload

HEADER = ["外部コード", "氏名", "フリガナ", "電話"]


def _found(api, q: str) -> set[str]:
    response = api.get("/api/v1/people/", {"q": q})
    assert response.status_code == 200, response.json()
    return {person["external_code"] for person in response.json()["results"]}


def test_imported_people_are_found_by_search_after_the_commit(api):
    data = [HEADER, ["S1", "榊原 一郎", "サカキバラ イチロウ", "03-5555-0101"]]
    imported = upload(api, csv_bytes(data), mode="upsert", match_key="external_code")

    assert commit(api, imported["id"])["state"] == "committed"

    assert _found(api, "榊原") == {"S1"}
    assert _found(api, "榊") == {"S1"}
    assert _found(api, "0355550101") == {"S1"}


def test_an_updated_phone_is_found_by_its_new_digits_only(api):
    data = [HEADER, ["S1", "榊原 一郎", "サカキバラ イチロウ", "03-5555-0101"]]
    commit(api, upload(api, csv_bytes(data), mode="upsert", match_key="external_code")["id"])
    data[1][3] = "03-5555-0202"

    commit(api, upload(api, csv_bytes(data), mode="upsert", match_key="external_code")["id"])

    assert _found(api, "0355550202") == {"S1"}
    assert _found(api, "0355550101") == set()


def _search_index_job() -> Job:
    return Job.objects.get(kind="search_index", state=Job.State.QUEUED)


def test_the_commit_queues_the_search_index_job_which_keeps_them_found(api):
    data = [HEADER, ["S1", "榊原 一郎", "サカキバラ イチロウ", "03-5555-0101"]]
    commit(api, upload(api, csv_bytes(data), mode="upsert", match_key="external_code")["id"])

    job = run_job(_search_index_job().pk)

    assert (job.state, job.done, job.total, job.result) == ("succeeded", 1, 1, {"indexed": 1})
    assert not Person.objects.filter(search_pending=True).exists()
    assert Person.objects.get(external_code="S1").search_text is not None
    assert _found(api, "榊原") == {"S1"}
    assert _found(api, "榊") == {"S1"}
    assert _found(api, "0355550101") == {"S1"}


def test_the_search_index_job_run_again_does_nothing(api):
    data = [HEADER, ["S1", "榊原 一郎", "サカキバラ イチロウ", "03-5555-0101"]]
    commit(api, upload(api, csv_bytes(data), mode="upsert", match_key="external_code")["id"])
    job = run_job(_search_index_job().pk)
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)

    again = run_job(job.pk)

    assert (again.state, again.result) == ("succeeded", {"indexed": 0})
    assert _found(api, "榊原") == {"S1"}


def test_people_pending_and_indexed_are_found_together_and_not_twice(api):
    first = [HEADER, ["S1", "榊原 一郎", "サカキバラ イチロウ", "03-5555-0101"]]
    commit(api, upload(api, csv_bytes(first), mode="upsert", match_key="external_code")["id"])
    run_job(_search_index_job().pk)
    second = [HEADER, ["S2", "榊原 二郎", "サカキバラ ジロウ", "03-5555-0102"]]

    commit(api, upload(api, csv_bytes(second), mode="upsert", match_key="external_code")["id"])

    response = api.get("/api/v1/people/", {"q": "榊原"})
    assert [p["external_code"] for p in response.json()["results"]] == ["S1", "S2"]
    assert _found(api, "ジロウ") == {"S2"}
    assert _found(api, "じろう") == {"S2"}


def test_a_person_edited_while_pending_is_found_by_the_new_name(api):
    data = [HEADER, ["S1", "榊原 一郎", "サカキバラ イチロウ", "03-5555-0101"]]
    commit(api, upload(api, csv_bytes(data), mode="upsert", match_key="external_code")["id"])
    person = Person.objects.get(external_code="S1")

    response = api.patch(f"/api/v1/people/{person.pk}/", {"family_name": "柊"}, format="json")

    assert response.status_code == 200, response.json()
    assert _found(api, "柊") == {"S1"}
    assert _found(api, "榊原") == set()
    run_job(_search_index_job().pk)
    assert _found(api, "柊") == {"S1"}


def test_the_search_index_job_is_on_the_jobs_dashboard_of_who_imported(api):
    from api.jobs.kinds import kind_get

    data = [HEADER, ["S1", "榊原 一郎", "サカキバラ イチロウ", "03-5555-0101"]]
    commit(api, upload(api, csv_bytes(data), mode="upsert", match_key="external_code")["id"])
    run_job(_search_index_job().pk)

    listed = api.get("/api/v1/jobs/", {"kind": "search_index"}).json()["results"]

    assert [(j["state"], j["done"], j["total"]) for j in listed] == [("succeeded", 1, 1)]
    assert listed[0]["kind_label"] == "取込後の検索索引"
    assert kind_get("search_index").queue == "imports"
