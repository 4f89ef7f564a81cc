"""The unique codes keep their unique index and lose the LIKE index nobody reads
(api.core.migration_operations.DropLikeIndex)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from tests.factories.people import PersonFactory

pytestmark = pytest.mark.django_db

CODES = [
    ("people_person", "external_code"),
    ("people_company", "external_code"),
    ("people_company", "corporate_number"),
    ("people_department", "external_code"),
    ("sales_sale", "external_code"),
]


def _indexes(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [table, f"%({column}%"],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize(("table", "column"), CODES)
def test_a_code_has_its_unique_index_and_no_like_index(table, column):
    indexes = _indexes(table, column)

    assert len(indexes) == 1, indexes
    assert indexes[0].startswith("CREATE UNIQUE INDEX"), indexes
    assert "pattern_ops" not in indexes[0]


def test_a_code_is_still_unique():
    PersonFactory(external_code="C-0001")

    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(external_code="C-0001")
