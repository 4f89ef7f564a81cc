"""Reading a person's record writes who read it, when and how (MEIBO_ACCESS_LOG)."""

from __future__ import annotations

import pytest

from api.people.models import PersonAccessLog
from tests.factories.people import PersonFactory

pytestmark = pytest.mark.django_db


def test_reading_a_person_through_the_api_is_logged(api, user):
    person = PersonFactory()

    api.get(f"/api/v1/people/{person.pk}/")

    log = PersonAccessLog.objects.get()
    assert (log.user, log.person, log.via) == (user, person, "api")


def test_nothing_is_logged_when_the_log_is_off(api, settings):
    settings.MEIBO_ACCESS_LOG = False
    person = PersonFactory()

    assert api.get(f"/api/v1/people/{person.pk}/").status_code == 200
    assert not PersonAccessLog.objects.exists()


def test_a_list_is_not_a_reading_of_each_person(api):
    PersonFactory.create_batch(3)

    api.get("/api/v1/people/")

    assert not PersonAccessLog.objects.exists()


def test_opening_a_person_in_the_admin_is_logged(client, admin_user):
    person = PersonFactory()
    client.force_login(admin_user)

    response = client.get(f"/admin/people/person/{person.pk}/change/")

    assert response.status_code == 200
    log = PersonAccessLog.objects.get()
    assert (log.user, log.person, log.via) == (admin_user, person, "admin")


def test_the_admin_logs_nothing_when_the_log_is_off(client, admin_user, settings):
    settings.MEIBO_ACCESS_LOG = False
    person = PersonFactory()
    client.force_login(admin_user)

    client.get(f"/admin/people/person/{person.pk}/change/")

    assert not PersonAccessLog.objects.exists()
