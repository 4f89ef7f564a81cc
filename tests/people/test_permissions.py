"""Nothing in the register is readable or writable without signing in."""

from __future__ import annotations

import pytest

from tests.factories.people import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/companies/",
        "/api/v1/departments/",
        "/api/v1/people/",
        "/api/v1/people/{id}/",
        "/api/v1/people/{id}/career/",
        "/api/v1/people/{id}/card-exchanges/",
        "/api/v1/people/{id}/secret-notes/",
        "/api/v1/people/{id}/history/",
    ],
)
def test_anonymous_gets_401(anon, path):
    person = PersonFactory()

    response = anon.get(path.format(id=person.pk))

    assert response.status_code == 401


def test_anonymous_cannot_create(anon):
    assert anon.post("/api/v1/people/", {"family_name": "山田"}).status_code == 401


def test_the_schema_describes_the_register(api):
    response = api.get("/api/schema/")

    assert response.status_code == 200
    schema = response.content.decode()
    for path in (
        "/api/v1/people/{person_pk}/history/",
        "/api/v1/people/{person_pk}/secret-notes/{id}/",
    ):
        assert path in schema
