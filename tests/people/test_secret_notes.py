"""シークレット情報: readable by its author only — in the API, search, history and admin."""

from __future__ import annotations

import pytest

from api.people.models import SecretNote
from tests.conftest import client_for
from tests.factories.people import PersonFactory, SecretNoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    return PersonFactory()


def notes_url(person) -> str:
    return f"/api/v1/people/{person.pk}/secret-notes/"


def test_the_author_writes_and_reads_a_note(api, user, person):
    created = api.post(notes_url(person), {"text": "ゴルフ好き　ＨＣ１８"}, format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["text"] == "ゴルフ好き HC18"
    assert body["author"] == user.pk
    assert body["person"] == person.pk
    listed = api.get(notes_url(person)).json()["results"]
    assert [n["id"] for n in listed] == [body["id"]]


def test_author_and_person_are_set_by_the_server(api, user, person, other_api):
    other = PersonFactory()

    created = api.post(
        notes_url(person), {"text": "メモ", "author": 999, "person": other.pk}, format="json"
    )

    note = SecretNote.objects.get(pk=created.json()["id"])
    assert (note.author_id, note.person_id) == (user.pk, person.pk)


def test_a_note_keeps_its_line_breaks(api, person):
    created = api.post(notes_url(person), {"text": "一行目\n二行目"}, format="json")

    assert created.json()["text"] == "一行目\n二行目"


def test_an_empty_note_is_refused(api, person):
    response = api.post(notes_url(person), {"text": "   "}, format="json")

    assert response.status_code == 400
    assert "text" in response.json()


def test_the_author_updates_and_deletes_a_note(api, user, person):
    note = SecretNoteFactory(person=person, author=user)

    updated = api.patch(f"{notes_url(person)}{note.pk}/", {"text": "新しい"}, format="json")
    deleted = api.delete(f"{notes_url(person)}{note.pk}/")

    assert updated.json()["text"] == "新しい"
    assert deleted.status_code == 204
    assert not SecretNote.objects.exists()


class TestAnotherUser:
    @pytest.fixture
    def note(self, user, person):
        return SecretNoteFactory(person=person, author=user, text="合言葉はヒマワリ")

    def test_cannot_list_it(self, other_api, note, person):
        assert other_api.get(notes_url(person)).json()["results"] == []

    @pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
    def test_gets_a_404_for_its_id(self, other_api, note, person, method):
        response = getattr(other_api, method)(
            f"{notes_url(person)}{note.pk}/", {"text": "x"}, format="json"
        )

        assert response.status_code == 404
        note.refresh_from_db()
        assert note.text == "合言葉はヒマワリ"

    def test_a_superuser_cannot_read_it_either(self, admin_user, note, person):
        response = client_for(admin_user).get(f"{notes_url(person)}{note.pk}/")

        assert response.status_code == 404

    def test_does_not_see_it_in_the_persons_detail(self, other_api, api, note, person):
        for client in (api, other_api):
            body = client.get(f"/api/v1/people/{person.pk}/").json()
            assert "ヒマワリ" not in str(body)

    def test_cannot_find_it_by_search(self, api, other_api, note):
        for client in (api, other_api):
            assert client.get("/api/v1/people/", {"q": "ヒマワリ"}).json()["results"] == []

    def test_does_not_see_it_in_history_where_the_author_does(self, api, other_api, note, person):
        def kinds(client):
            results = client.get(f"/api/v1/people/{person.pk}/history/").json()["results"]
            return [(e["kind"], e["detail"]) for e in results]

        assert kinds(api) == [("secret_note", "合言葉はヒマワリ")]
        assert kinds(other_api) == []

    def test_cannot_post_a_note_under_the_authors_id(self, other_api, note, person):
        response = other_api.post(f"{notes_url(person)}{note.pk}/", {"text": "x"})

        assert response.status_code in (404, 405)
