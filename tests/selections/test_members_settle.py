"""After a large change the members table is settled at once: statistics, and (outside a
transaction) the new rows' pages marked all-visible for index-only scans."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from api.selections.models import SelectionSet
from api.selections.services.materialise import members_settle
from tests.factories.people import PersonFactory


def _fill(selection_set: SelectionSet, people: int) -> None:
    person = PersonFactory()
    with connection.cursor() as cursor:
        # Members of one real person would collide; the table has no foreign keys (see
        # SelectionMember), so made-up ids fill pages as well as real ones.
        cursor.execute(
            "INSERT INTO selections_selectionmember (selection_set_id, person_id) "
            "SELECT %s, %s + g FROM generate_series(0, %s - 1) g",
            (selection_set.pk, person.pk, people),
        )


def _pages() -> tuple[int, int, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpages, relallvisible, reltuples FROM pg_class "
            "WHERE oid = 'selections_selectionmember'::regclass"
        )
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_new_pages_become_all_visible():
    _fill(SelectionSet.objects.create(name="大きなセット"), 5000)

    members_settle()

    pages, all_visible, rows = _pages()
    assert rows == 5000
    assert pages > 0 and all_visible == pages


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_only_the_statistics_are_refreshed():
    with transaction.atomic():
        _fill(SelectionSet.objects.create(name="大きなセット"), 5000)
        members_settle()  # VACUUM cannot run here: it must not fail

        _, all_visible, rows = _pages()
    assert rows == 5000
    assert all_visible == 0
