"""selection-sets/: numbering, members (paged, sorted, edited), refresh, copy, compare, merge
and 名寄せ."""

from __future__ import annotations

import pytest

from api.jobs.models import Job
from api.selections.models import SelectionMember, SelectionSet
from tests.conftest import client_for
from tests.factories.people import CompanyFactory, PersonFactory
from tests.factories.selections import SelectionSetFactory
from tests.selections.support import run_queued_jobs

pytestmark = pytest.mark.django_db


def members_of(selection_set) -> set[int]:
    return set(
        SelectionMember.objects.filter(selection_set=selection_set).values_list(
            "person_id", flat=True
        )
    )


def create(api, query, name="テスト") -> dict:
    response = api.post("/api/v1/selection-sets/", {"name": name, "query": query}, format="json")
    assert response.status_code == 202, response.json()
    run_queued_jobs()
    return api.get(f"/api/v1/selection-sets/{response.json()['selection_set']['id']}/").json()


def test_sets_are_numbered_from_a_sequence_and_shown_as_four_digits(api, db):
    first = api.post("/api/v1/selection-sets/", {"name": "一"}, format="json").json()
    second = api.post("/api/v1/selection-sets/", {"name": "二"}, format="json").json()
    a, b = first["selection_set"], second["selection_set"]
    assert b["number"] == a["number"] + 1
    assert a["code"] == f"{a['number']:04d}"
    assert a["origin"] == "manual" and a["member_count"] == 0


def test_creating_from_a_query_answers_202_with_a_job_on_the_extract_queue(api, world):
    response = api.post(
        "/api/v1/selection-sets/", {"name": "担当", "query": {"owner": "me"}}, format="json"
    )
    assert response.status_code == 202
    body = response.json()
    assert body["job"]["kind"] == "selection_extract"
    assert body["selection_set"]["state"] == "building"
    assert body["selection_set"]["query"] == {"owner": "me"}


def test_authentication_is_required(anon, db):
    assert anon.get("/api/v1/selection-sets/").status_code == 401
    assert (
        anon.post(
            "/api/v1/selection-sets/count/", {"query": {"owner": "me"}}, format="json"
        ).status_code
        == 401
    )


def test_members_are_paged_and_sorted_by_reading_postal_code_or_company(api, db):
    a = PersonFactory(
        family_name_kana="アイダ",
        postal_code="900-0001",
        company=CompanyFactory(name_kana="ワカバ"),
    )
    b = PersonFactory(
        family_name_kana="ウエノ",
        postal_code="100-0001",
        company=CompanyFactory(name_kana="アオバ"),
    )
    c = PersonFactory(family_name_kana="イトウ", postal_code="500-0001", company=None)
    selection = SelectionSetFactory(people=[a, b, c])

    def order(ordering):
        response = api.get(
            f"/api/v1/selection-sets/{selection.pk}/members/",
            {"ordering": ordering, "page_size": 2},
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["count"] == 3 and body["next"]
        return [row["person"] for row in body["results"]]

    assert order("kana") == [a.pk, c.pk]
    assert order("-kana") == [b.pk, c.pk]
    assert order("postal_code") == [b.pk, c.pk]
    assert order("company") == [b.pk, a.pk]
    assert (
        api.get(
            f"/api/v1/selection-sets/{selection.pk}/members/", {"ordering": "shoe_size"}
        ).status_code
        == 400
    )


def test_members_are_added_and_removed_by_ids_and_singly(api, db):
    people = [PersonFactory() for _ in range(4)]
    selection = SelectionSetFactory(people=people[:2])
    url = f"/api/v1/selection-sets/{selection.pk}/members/"

    added = api.post(url, {"person_ids": [people[1].pk, people[2].pk, people[3].pk]}, format="json")
    assert added.json() == {"added": 2, "member_count": 4}
    removed = api.post(url + "remove/", {"person_ids": [people[0].pk]}, format="json")
    assert removed.json() == {"removed": 1, "member_count": 3}
    assert api.delete(f"{url}{people[3].pk}/").status_code == 204
    assert api.delete(f"{url}{people[3].pk}/").status_code == 404
    assert members_of(selection) == {people[1].pk, people[2].pk}
    assert SelectionSet.objects.get(pk=selection.pk).member_count == 2


def test_unknown_person_ids_write_nothing(api, db):
    person = PersonFactory()
    selection = SelectionSetFactory(people=[])
    response = api.post(
        f"/api/v1/selection-sets/{selection.pk}/members/",
        {"person_ids": [person.pk, 999999]},
        format="json",
    )
    assert response.status_code == 400
    assert "999999" in response.json()["person_ids"][0]
    assert members_of(selection) == set()


def test_members_are_added_and_removed_by_query_as_a_job(api, world):
    selection = SelectionSetFactory(people=[])
    url = f"/api/v1/selection-sets/{selection.pk}/members/"
    response = api.post(url, {"query": {"owner": "me"}}, format="json")
    assert response.status_code == 202
    run_queued_jobs()
    mine = {p.pk for p in world.people if p.owner_id == world.me.pk}
    assert members_of(selection) == mine

    api.post(url + "remove/", {"query": {"user_code": {"slot": 1, "value": "A"}}}, format="json")
    run_queued_jobs()
    assert members_of(selection) == {
        p.pk for p in world.people if p.owner_id == world.me.pk and p.user_code_1 != "A"
    }


def test_refresh_reports_who_joined_and_who_left_and_keeps_hand_edits(api, db, employee):
    stays, leaves, hand_added, hand_removed = (PersonFactory(owner=employee) for _ in range(4))
    hand_added.owner = None
    hand_added.save()
    selection = create(api, {"owner": "me"})
    url = f"/api/v1/selection-sets/{selection['id']}/"
    api.post(url + "members/", {"person_ids": [hand_added.pk]}, format="json")
    api.post(url + "members/remove/", {"person_ids": [hand_removed.pk]}, format="json")
    leaves.owner = None
    leaves.save()
    joins = PersonFactory(owner=employee)

    response = api.post(url + "refresh/")
    assert response.status_code == 202
    (job,) = run_queued_jobs()

    assert job.result["joined"] == 1 and job.result["left"] == 1
    assert job.result["joined_ids"] == [joins.pk] and job.result["left_ids"] == [leaves.pk]
    assert members_of(SelectionSet.objects.get(pk=selection["id"])) == {
        stays.pk,
        hand_added.pk,
        joins.pk,
    }
    detail = api.get(url).json()
    assert detail["member_count"] == 3
    assert detail["last_change"]["op"] == "refresh"


def test_a_redelivered_job_does_not_apply_twice(api, db, employee):
    PersonFactory(owner=employee)
    selection = create(api, {"owner": "me"})
    url = f"/api/v1/selection-sets/{selection['id']}/"
    PersonFactory(owner=employee)
    api.post(url + "refresh/")
    (job,) = run_queued_jobs()
    # The worker died after committing, before the job was marked done: it runs again.
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING)
    from workers.tasks.selections import refresh

    refresh.run(job.pk)
    job.refresh_from_db()
    assert job.state == "succeeded" and job.result["joined"] == 1
    assert api.get(url).json()["member_count"] == 2


def test_a_set_without_a_query_cannot_be_refreshed(api, db):
    selection = SelectionSetFactory(people=[])
    response = api.post(f"/api/v1/selection-sets/{selection.pk}/refresh/")
    assert response.status_code == 400
    assert "no query" in response.json()["query"][0]


def test_copy_has_the_same_members_and_query(api, world):
    original = create(api, {"owner": "me"})
    response = api.post(f"/api/v1/selection-sets/{original['id']}/copy/", {}, format="json")
    assert response.status_code == 202
    run_queued_jobs()
    copy = SelectionSet.objects.get(pk=response.json()["selection_set"]["id"])
    assert copy.name == "テスト のコピー"
    assert copy.query == {"owner": "me"} and copy.origin == "copy"
    assert copy.member_count == original["member_count"]
    assert members_of(copy) == members_of(SelectionSet.objects.get(pk=original["id"]))


@pytest.fixture
def two_sets(db):
    people = [PersonFactory() for _ in range(10)]
    a = SelectionSetFactory(people=people[:6])  # 0-5
    b = SelectionSetFactory(people=people[4:9])  # 4-8
    return a, b, people


def test_compare_counts_only_a_only_b_and_both(api, two_sets):
    a, b, people = two_sets
    response = api.get("/api/v1/selection-sets/compare/", {"a": a.pk, "b": b.pk})
    assert response.json() == {"a": a.pk, "b": b.pk, "only_a": 4, "only_b": 3, "both": 2}

    def part(name):
        body = api.get(
            "/api/v1/selection-sets/compare/members/",
            {"a": a.pk, "b": b.pk, "part": name, "ordering": "id"},
        ).json()
        return [row["person"] for row in body["results"]]

    assert part("only_a") == [p.pk for p in people[:4]]
    assert part("only_b") == [p.pk for p in people[6:9]]
    assert part("both") == [p.pk for p in people[4:6]]
    assert api.get("/api/v1/selection-sets/compare/", {"a": a.pk, "b": 0}).status_code == 400


@pytest.mark.parametrize(
    ("operation", "expected"),
    [("union", range(9)), ("intersection", range(4, 6)), ("difference", range(4))],
)
def test_merge_makes_a_new_set(api, two_sets, operation, expected):
    a, b, people = two_sets
    response = api.post(
        "/api/v1/selection-sets/merge/",
        {"sets": [a.pk, b.pk], "operation": operation, "name": "合成"},
        format="json",
    )
    assert response.status_code == 202, response.json()
    (job,) = run_queued_jobs()
    merged = SelectionSet.objects.get(pk=response.json()["selection_set"]["id"])
    assert members_of(merged) == {people[i].pk for i in expected}
    assert merged.member_count == len(expected)
    assert merged.origin_detail == {"operation": operation, "sets": [a.number, b.number]}
    assert job.result["joined"] == len(expected)


def test_merge_of_three_sets_by_intersection(api, two_sets):
    a, b, people = two_sets
    c = SelectionSetFactory(people=[people[5], people[9]])
    api.post(
        "/api/v1/selection-sets/merge/",
        {"sets": [a.pk, b.pk, c.pk], "operation": "intersection", "name": "三"},
        format="json",
    )
    run_queued_jobs()
    assert members_of(SelectionSet.objects.get(name="三")) == {people[5].pk}


def test_merge_needs_two_different_sets(api, two_sets):
    a, _, _ = two_sets
    response = api.post(
        "/api/v1/selection-sets/merge/",
        {"sets": [a.pk, a.pk], "operation": "union", "name": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "sets" in response.json()


def test_merge_flags_the_same_human_twice_and_shows_the_choice(api, db):
    # 名寄せ: one customer entered by two departments with different spellings of space.
    older = PersonFactory(
        family_name="佐藤",
        given_name="一郎",
        phone="03-1234-5678",
        postal_code="100-0001",
        address1="千代田区千代田1-1",
    )
    newer = PersonFactory(
        family_name="佐藤",
        given_name=" 一郎",
        phone="03-1234-5678",
        postal_code="150-0001",
        address1="渋谷区神宮前1-1",
    )
    namesake = PersonFactory(
        family_name="佐藤",
        given_name="一郎",
        phone="06-0000-0000",
        postal_code="530-0001",
        address1="大阪市北区梅田1-1",
    )
    a = SelectionSetFactory(people=[older, namesake])
    b = SelectionSetFactory(people=[newer])

    api.post(
        "/api/v1/selection-sets/merge/",
        {"sets": [a.pk, b.pk], "operation": "union", "name": "合成"},
        format="json",
    )
    (job,) = run_queued_jobs()

    assert job.result["duplicates"] == 1
    merged = SelectionSet.objects.get(name="合成")
    body = api.get(f"/api/v1/selection-sets/{merged.pk}/duplicates/").json()
    (flagged,) = body["results"]
    assert flagged["person"] == older.pk
    assert flagged["duplicate_of"] == newer.pk
    assert flagged["duplicate_matched_on"] == "phone"
    assert flagged["kept"]["id"] == newer.pk
    assert "most recently updated" in flagged["rule"]


def test_a_merge_stopped_before_its_名寄せ_finishes_it_when_retried(api, db):
    twins = [
        PersonFactory(family_name="佐藤", given_name="一郎", email="ichiro@example.jp")
        for _ in range(2)
    ]
    a, b = SelectionSetFactory(people=[twins[0]]), SelectionSetFactory(people=[twins[1]])
    api.post(
        "/api/v1/selection-sets/merge/",
        {"sets": [a.pk, b.pk], "operation": "union", "name": "合成"},
        format="json",
    )
    job = Job.objects.get(kind="selection_combine")
    # The worker died between the two steps: the members are in, 名寄せ never ran.
    from api.selections.services.materialise import selection_combine_apply

    selection_combine_apply(job=job)
    assert "duplicates" not in SelectionSet.objects.get(name="合成").last_change

    (job,) = run_queued_jobs()

    assert job.result["duplicates"] == 1 and job.result["joined"] == 2
    assert SelectionMember.objects.filter(duplicate_of__isnull=False).count() == 1


def test_delete_is_for_the_owner_or_an_administrator(api, other_api, db, user):
    selection = SelectionSetFactory(owner=user, people=[PersonFactory()])
    assert other_api.delete(f"/api/v1/selection-sets/{selection.pk}/").status_code == 403
    assert api.delete(f"/api/v1/selection-sets/{selection.pk}/").status_code == 204
    assert not SelectionMember.objects.exists()


def test_rename_and_replace_the_query(api, db, user):
    selection = SelectionSetFactory(owner=user)
    response = api.patch(
        f"/api/v1/selection-sets/{selection.pk}/",
        {"name": "新しい名前", "query": {"prefecture": "東京都"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "新しい名前"
    bad = api.patch(
        f"/api/v1/selection-sets/{selection.pk}/", {"query": {"prefecture": "東京"}}, format="json"
    )
    assert bad.status_code == 400 and "query.prefecture" in bad.json()


def test_the_list_filters_my_sets(api, other_api, db, user):
    SelectionSetFactory(owner=user, name="自分の")
    SelectionSetFactory(name="他人の")
    names = [
        row["name"]
        for row in api.get("/api/v1/selection-sets/", {"mine": "true"}).json()["results"]
    ]
    assert names == ["自分の"]
    assert client_for(user).get("/api/v1/selection-sets/").json()["count"] == 2


@pytest.mark.parametrize(
    ("operation", "expected"),
    [("union", {0, 1, 2, 3, 9}), ("intersection", {1, 2, 9}), ("difference", {0, 9})],
)
def test_a_set_operation_into_a_set_someone_already_added_to_keeps_both(db, operation, expected):
    # The new set is visible while its job waits: a member added by hand meanwhile (and
    # one the operation adds too) must not make the operation fail or count twice.
    from api.selections.services.materialise import selection_combine_apply

    people = PersonFactory.create_batch(10)
    a = SelectionSetFactory(people=[people[i] for i in (0, 1, 2)])
    b = SelectionSetFactory(people=[people[i] for i in (1, 2, 3)])
    target = SelectionSetFactory(people=[people[9], people[1]])
    job = Job.objects.create(
        kind="selection_combine",
        params={"set_id": target.pk, "operation": operation, "sources": [a.pk, b.pk]},
        state=Job.State.RUNNING,
    )
    selection_combine_apply(job=job)
    ids = {people[i].pk: i for i in range(10)}
    assert {ids[p] for p in members_of(target)} == expected | {1}
    target.refresh_from_db()
    assert target.member_count == len(expected | {1})
