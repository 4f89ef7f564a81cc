"""The admin writes through the same services: input rules, career entries, secret notes."""

from __future__ import annotations

import pytest

from api.people.models import CareerEntry, Company, FamilyMember, Person, SecretNote
from tests.factories.masters import UserFactory
from tests.factories.people import (
    CompanyFactory,
    DepartmentFactory,
    FamilyMemberFactory,
    PersonFactory,
    SecretNoteFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def inline(prefix: str, rows: list[dict], *, initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def person_form(**fields) -> dict:
    data = {"family_name": "山田", "custom": "{}", **fields}
    data.update(inline("family", fields.pop("family", [])))
    data.update(inline("career", []))
    return {k: v for k, v in data.items() if k != "family"}


def test_an_admin_add_applies_the_input_rules(staff):
    response = staff.post(
        "/admin/people/person/add/",
        person_form(
            family_name_kana="ﾔﾏﾀﾞ",
            phone="０３（１２３４）５６７８",
            postal_code="１０００００１",
            family=[{"name": "山田　花子", "name_kana": "はなこ", "relation": "妻"}],
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    person = Person.objects.get()
    assert (person.family_name_kana, person.phone, person.postal_code, person.prefecture) == (
        "ヤマダ",
        "03-1234-5678",
        "100-0001",
        "東京都",
    )
    assert FamilyMember.objects.get().name_kana == "ハナコ"


def test_an_admin_add_with_a_bad_phone_shows_the_error_and_stores_nothing(staff):
    response = staff.post("/admin/people/person/add/", person_form(phone="03-1234"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "phone" in errors
    assert not Person.objects.exists()


def test_a_bad_family_reading_is_shown_on_its_inline_row(staff):
    response = staff.post(
        "/admin/people/person/add/",
        person_form(
            family=[{"name": "花子", "name_kana": "Hanako", "relation": "妻"}],
        ),
    )

    assert response.status_code == 200
    assert "name_kana" in response.context["inline_admin_formsets"][0].formset.forms[0].errors
    assert not Person.objects.exists()


def test_an_admin_change_of_title_writes_a_career_entry(staff, admin_user):
    person = PersonFactory(title="課長")
    member = FamilyMemberFactory(person=person)

    response = staff.post(
        f"/admin/people/person/{person.pk}/change/",
        person_form(
            family_name=person.family_name,
            given_name=person.given_name,
            family_name_kana=person.family_name_kana,
            given_name_kana=person.given_name_kana,
            postal_code=person.postal_code,
            prefecture=person.prefecture,
            address1=person.address1,
            title="部長",
            family=[
                {
                    "id": member.pk,
                    "person": person.pk,
                    "name": member.name,
                    "name_kana": member.name_kana,
                    "relation": member.relation,
                }
            ],
        )
        | inline(
            "family",
            [
                {
                    "id": member.pk,
                    "person": person.pk,
                    "name": member.name,
                    "name_kana": member.name_kana,
                    "relation": member.relation,
                }
            ],
            initial=1,
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = CareerEntry.objects.get()
    assert (entry.title, entry.changed_by) == ("課長", admin_user)
    assert FamilyMember.objects.filter(pk=member.pk).exists()


def test_an_admin_company_with_a_bad_corporate_number_is_refused(staff):
    response = staff.post(
        "/admin/people/company/add/",
        {
            "name": "(株)甲",
            "corporate_number": "1234567890123",
            "stage": "prospect",
            "custom": "{}",
            **inline("departments", []),
        },
    )

    assert response.status_code == 200
    assert "corporate_number" in response.context["adminform"].form.errors
    assert not Company.objects.exists()


def test_an_admin_company_name_is_normalised(staff):
    response = staff.post(
        "/admin/people/company/add/",
        {
            "name": "(株)甲",
            "stage": "prospect",
            "custom": "{}",
            **inline("departments", []),
        },
    )

    assert response.status_code == 302
    assert Company.objects.get().name == "株式会社甲"


def test_the_admin_does_not_offer_to_delete_a_company_with_people(staff):
    company = CompanyFactory()
    PersonFactory(company=company)

    response = staff.post(f"/admin/people/company/{company.pk}/delete/", {"post": "yes"})

    assert response.status_code == 200
    assert "先に移動してください" in response.content.decode()
    assert Company.objects.filter(pk=company.pk).exists()


def test_the_admin_search_uses_the_register_search(staff):
    PersonFactory(family_name="山田", phone="03-1234-5678")
    PersonFactory(family_name="佐藤", family_name_kana="サトウ", phone="06-1111-2222")

    response = staff.get("/admin/people/person/", {"q": "0312345678"})

    assert response.status_code == 200
    assert [p.family_name for p in response.context["cl"].result_list] == ["山田"]


@pytest.mark.parametrize(
    "model",
    [
        "company",
        "department",
        "person",
        "careerentry",
        "cardexchange",
        "secretnote",
        "personaccesslog",
    ],
)
def test_every_changelist_opens(staff, model):
    PersonFactory(company=DepartmentFactory().company)

    assert staff.get(f"/admin/people/{model}/").status_code == 200


class TestSecretNotesInTheAdmin:
    def test_the_changelist_shows_only_the_users_own_notes_even_to_a_superuser(
        self, staff, admin_user
    ):
        own = SecretNoteFactory(author=admin_user, text="自分のメモ")
        SecretNoteFactory(author=UserFactory(), text="他人のメモ")

        response = staff.get("/admin/people/secretnote/")

        assert list(response.context["cl"].result_list) == [own]
        assert "他人のメモ" not in response.content.decode()

    def test_another_users_note_cannot_be_opened(self, staff):
        note = SecretNoteFactory(author=UserFactory(), text="他人のメモ")

        response = staff.get(f"/admin/people/secretnote/{note.pk}/change/", follow=True)

        assert "他人のメモ" not in response.content.decode()

    def test_a_note_added_in_the_admin_belongs_to_its_author(self, staff, admin_user):
        person = PersonFactory()

        response = staff.post(
            "/admin/people/secretnote/add/", {"person": person.pk, "text": "ＨＣ１８"}
        )

        assert response.status_code == 302
        note = SecretNote.objects.get()
        assert (note.author, note.text) == (admin_user, "HC18")

    def test_the_person_page_shows_no_secret_notes(self, staff, admin_user):
        person = PersonFactory()
        SecretNoteFactory(person=person, author=admin_user, text="自分のメモ")

        response = staff.get(f"/admin/people/person/{person.pk}/change/")

        assert "自分のメモ" not in response.content.decode()
