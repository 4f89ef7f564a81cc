"""名寄せ: which records are the same human, which one is kept, and why."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from api.people.models import Person
from api.selections.services.duplicates import duplicates_session_set, duplicates_sql
from tests.factories.people import PersonFactory

pytestmark = pytest.mark.django_db


def duplicates(people) -> dict[int, tuple[int, str]]:
    sql, params = duplicates_sql(
        members_sql="SELECT unnest(%s::bigint[]) AS person_id",
        members_params=([p.pk for p in people],),
    )
    with connection.cursor() as cursor:
        duplicates_session_set(cursor=cursor)
        cursor.execute(sql, params)
        return {pid: (kept, on) for pid, kept, on in cursor.fetchall()}


def touched(person, minutes_ago: int) -> None:
    # The record updated most recently is kept.
    Person.objects.filter(pk=person.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )


def test_same_name_and_address_is_one_human_and_the_newer_record_is_kept(db):
    old = PersonFactory(family_name="田中", given_name="花子", address2="青空ビル 3F")
    new = PersonFactory(family_name="田中", given_name="花子", address2="青空ビル3F")
    touched(old, 60)
    assert duplicates([old, new]) == {old.pk: (new.pk, "address")}


def test_namesakes_with_nothing_in_common_are_two_people(db):
    a = PersonFactory(
        family_name="佐藤", given_name="健", postal_code="100-0001", address1="千代田区1-1"
    )
    b = PersonFactory(
        family_name="佐藤", given_name="健", postal_code="530-0001", address1="大阪市北区1-1"
    )
    assert duplicates([a, b]) == {}


def test_colleagues_sharing_a_phone_are_two_people(db):
    a = PersonFactory(family_name="山田", given_name="一郎", phone="03-1111-2222")
    b = PersonFactory(
        family_name="鈴木", given_name="次郎", phone="03-1111-2222", postal_code="999-9999"
    )
    assert duplicates([a, b]) == {}


def test_a_mobile_number_matches_a_phone_and_email_matches_ignore_case(db):
    a = PersonFactory(
        family_name="伊藤",
        given_name="誠",
        mobile_phone="090-1234-5678",
        postal_code=None,
        address1=None,
    )
    b = PersonFactory(
        family_name="伊藤", given_name="誠", phone="090-1234-5678", postal_code=None, address1=None
    )
    c = PersonFactory(
        family_name="伊藤",
        given_name="誠",
        email="Makoto@Example.jp",
        postal_code=None,
        address1=None,
    )
    d = PersonFactory(
        family_name="伊藤",
        given_name="誠",
        mobile_email="makoto@example.jp",
        postal_code=None,
        address1=None,
    )
    touched(a, 30)
    touched(c, 30)
    assert duplicates([a, b, c, d]) == {a.pk: (b.pk, "phone"), c.pk: (d.pk, "email")}


def test_a_chain_collapses_into_the_one_record_kept(db):
    # A shares a phone with B, B an e-mail with C: all three are one human, C the newest.
    a = PersonFactory(
        family_name="高橋",
        given_name="優",
        phone="03-5555-0001",
        postal_code="100-0001",
        address1="住所A",
    )
    b = PersonFactory(
        family_name="高橋",
        given_name="優",
        phone="03-5555-0001",
        email="yu@example.jp",
        postal_code="100-0002",
        address1="住所B",
    )
    c = PersonFactory(
        family_name="高橋",
        given_name="優",
        email="yu@example.jp",
        postal_code="100-0003",
        address1="住所C",
    )
    touched(a, 90)
    touched(b, 60)
    assert duplicates([a, b, c]) == {a.pk: (c.pk, "phone"), b.pk: (c.pk, "email")}


def test_only_the_candidates_are_compared(db):
    a = PersonFactory(family_name="中村", given_name="翼", email="tsubasa@example.jp")
    PersonFactory(family_name="中村", given_name="翼", email="tsubasa@example.jp")
    assert duplicates([a]) == {}
