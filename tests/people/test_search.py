"""?q= search of people and companies: any substring, Japanese included, any phone format."""

from __future__ import annotations

import pytest
from django.db import connection

from api.people import selectors
from api.people.models import Person
from tests.factories.people import CompanyFactory, PersonFactory, SecretNoteFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/people/"


def found(api, q: str) -> set[int]:
    response = api.get(URL, {"q": q})
    assert response.status_code == 200, response.json()
    return {p["id"] for p in response.json()["results"]}


@pytest.fixture
def yamada(api):
    """The person of the issue's example, written through the API as a client would."""
    response = api.post(
        URL,
        {
            "family_name": "山田",
            "given_name": "太郎",
            "family_name_kana": "ﾔﾏﾀﾞ",
            "given_name_kana": "タロウ",
            "company_name": "(株)山田商事",
            "phone": "０３（１２３４）５６７８",
            "email": "taro@yamada-shoji.co.jp",
            "postal_code": "100-0001",
            "address1": "千代田区千代田1-1",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


@pytest.fixture
def stranger(db):
    return PersonFactory(
        family_name="佐藤",
        given_name="花子",
        family_name_kana="サトウ",
        given_name_kana="ハナコ",
        phone="06-9876-5432",
        email="hanako@example.jp",
        postal_code="530-0001",
        prefecture="大阪府",
        address1="大阪市北区梅田2-2",
    ).pk


@pytest.mark.parametrize("q", ["山田商", "1234-5678"])
def test_the_issue_examples_find_the_person(api, yamada, stranger, q):
    assert found(api, q) == {yamada}


@pytest.mark.parametrize(
    "q",
    [
        "03-1234-5678",
        "0312345678",
        "０３１２３４５６７８",
        "(03)1234-5678",
        "03 1234 5678",
        "+81 3-1234-5678",
        "5678",
    ],
)
def test_a_phone_typed_in_any_format(api, yamada, stranger, q):
    assert found(api, q) == {yamada}


@pytest.mark.parametrize(
    "q",
    [
        "山田",
        "山",
        "田太",
        "山田太郎",
        "山田 太郎",
        "ヤマダ",
        "やまだ",
        "ﾀﾛｳ",
        "ヤマダタロウ",
        "千代田",
        "千代田区千代田1-1",
        "1000001",
        "100-0001",
        "〒100-0001",
        "taro@yamada",
        "YAMADA-SHOJI",
        "株式会社山田",
        "商事",
    ],
)
def test_any_substring_of_what_a_person_is_known_by(api, yamada, stranger, q):
    assert found(api, q) == {yamada}


def test_one_character_finds_by_grams(api, yamada, stranger):
    assert found(api, "梅") == {stranger}
    assert found(api, "花") == {stranger}


def test_like_wildcards_in_the_query_are_literal(api, yamada, stranger):
    assert found(api, "%") == set()
    assert found(api, "山_") == set()


def test_a_query_matching_nothing_finds_nothing(api, yamada, stranger):
    assert found(api, "存在しない") == set()


def test_the_company_reading_finds_its_people(api, stranger):
    person = PersonFactory(company=CompanyFactory(name="株式会社青空", name_kana="アオゾラ"))

    assert found(api, "アオゾラ") == {person.pk}


def test_search_combines_with_filters(api, yamada, stranger):
    response = api.get(URL, {"q": "山田", "prefecture": "大阪府"})

    assert response.json()["results"] == []


def test_secret_notes_are_never_searched(api, stranger, user):
    SecretNoteFactory(person_id=stranger, author=user, text="合言葉はヒマワリ")

    assert found(api, "ヒマワリ") == set()


def test_search_terms_normalise_like_the_search_column():
    assert selectors.search_terms("Ｙａｍａｄａ　Taro") == (["yamadataro"], [])
    assert selectors.search_terms("やまだ") == (["やまだ", "ヤマダ"], [])
    assert selectors.search_terms("０３－１２３４") == ([], ["031234", "03-1234"])
    assert selectors.search_terms("+81 3 1234") == ([], ["031234", "+8131234"])
    assert selectors.search_terms("  ") == ([], [])


def _plan(q: str) -> str:
    queryset = selectors.person_search(queryset=Person.objects.only("pk").order_by(), q=q)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A test table is tiny and the planner rightly reads it whole; with sequential scans
        # priced out, the plan shows whether the indexes can answer the query at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


@pytest.mark.parametrize(
    ("q", "indexes"),
    [
        ("山田商", {"person_search_trgm", "person_company_kana"}),
        ("佐藤", {"person_search_grams", "person_company_kana"}),
        ("1234-5678", {"person_search_trgm"}),
    ],
)
def test_the_search_is_a_bitmap_or_of_indexes(yamada, stranger, q, indexes):
    plan = _plan(q)

    assert "Seq Scan on people_person" not in plan, plan
    for index in indexes:
        assert index in plan, plan
    if len(indexes) > 1:
        assert "BitmapOr" in plan, plan


class TestCompanySearch:
    URL = "/api/v1/companies/"

    @pytest.fixture
    def company(self, db):
        return CompanyFactory(
            name="株式会社山田商事",
            name_kana="ヤマダショウジ",
            corporate_number="7000012050002",
            phone="03-1234-5678",
        ).pk

    @pytest.mark.parametrize(
        "q", ["山田商", "やまだしょうじ", "ショウジ", "7000012050002", "0312345678", "1234-5678"]
    )
    def test_by_name_reading_number_or_phone(self, api, company, q):
        CompanyFactory(name="株式会社別会社", name_kana="ベツガイシャ")

        ids = {c["id"] for c in api.get(self.URL, {"q": q}).json()["results"]}

        assert ids == {company}


class TestResultOrder:
    def test_a_narrow_search_is_sorted_by_reading(self, api):
        later = PersonFactory(family_name="山田", family_name_kana="ヤマダ")
        first = PersonFactory(family_name="山田", family_name_kana="アマダ")

        ids = [p["id"] for p in api.get(URL, {"q": "山田"}).json()["results"]]

        assert ids == [first.pk, later.pk]

    def test_a_narrow_search_keeps_the_requested_order(self, api):
        first = PersonFactory(family_name="山田", family_name_kana="アマダ")
        later = PersonFactory(family_name="山田", family_name_kana="ヤマダ")

        response = api.get(URL, {"q": "山田", "ordering": "-family_name_kana"})

        assert [p["id"] for p in response.json()["results"]] == [later.pk, first.pk]

    def test_a_broad_search_comes_newest_first(self, api, monkeypatch):
        from api.people.pagination import CappedCountPagination

        monkeypatch.setattr(CappedCountPagination, "count_cap", 2)
        people = [PersonFactory(family_name="山田", family_name_kana=k) for k in "アイウ"]

        body = api.get(URL, {"q": "山田"}).json()

        assert body["count_capped"] is True
        assert [p["id"] for p in body["results"]] == [p.pk for p in reversed(people)]

    def test_a_narrow_search_sorts_its_matches_instead_of_walking_the_reading_index(
        self, yamada, stranger
    ):
        queryset = selectors.person_search(queryset=Person.objects.only("pk"), q="山田")
        ordered = selectors.person_search_order(queryset=queryset, broad=False)[:50]
        sql, params = ordered.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET LOCAL enable_seqscan = on")

        assert "person_kana" not in plan, plan
        assert "Sort" in plan and "BitmapOr" in plan, plan


def test_a_phone_fragment_starting_with_a_separator_finds_the_person(api, yamada):
    response = api.get("/api/v1/people/", {"q": "-1234-5678"})
    assert [p["id"] for p in response.json()["results"]] == [yamada]


def test_a_search_page_joins_names_only_for_its_own_rows(api):
    from django.test.utils import CaptureQueriesContext

    company = CompanyFactory(name="株式会社松井商店", name_kana="マツイショウテン")
    people = PersonFactory.create_batch(7, company=company, email="matsui@example.jp")
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/v1/people/", {"q": "atsui", "page_size": 5}).json()
    assert body["count"] == 7 and len(body["results"]) == 5
    assert body["results"][0]["company_name"] == "株式会社松井商店"
    assert {row["id"] for row in body["results"]} <= {p.pk for p in people}
    # The ordered, limited query reads ids alone: no company or department columns.
    paged = [q["sql"] for q in queries.captured_queries if "LIMIT 6" in q["sql"]]
    assert paged and all('"people_company"."name"' not in sql for sql in paged)


def test_the_planner_knows_how_common_a_two_character_term_is(db):
    """The partial grams index gives the planner no statistics of the grams: without the
    expression statistics (people 0008) 佐藤 is estimated at 0.5 % of people whatever its
    share, and a broad search is planned as a sort of all its matches."""
    families = ["佐藤"] * 300 + [f"{a}{b}" for a in "山田中村小林" for b in "川本井口野島沢原"]
    for index, family in enumerate(families * 2):
        PersonFactory(family_name=family, family_name_kana="サトウ", given_name=f"名{index}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE people_person")
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM people_person "
            "WHERE meibo_grams(search_text) @> ARRAY['佐藤']"
        )
        estimate = cursor.fetchone()[0][0]["Plan"]["Plan Rows"]

    people = Person.objects.count()
    matches = Person.objects.filter(family_name="佐藤").count()
    assert matches / people > 0.8
    assert estimate > people / 2, (estimate, people)
