"""selection-sets/{id}/export.csv|.xlsx: the members with chosen columns, in order, through
the importers' export machinery (so headers re-import onto the same fields)."""

from __future__ import annotations

import codecs
import csv
import io

import openpyxl
import pytest

from tests.factories.people import PersonFactory
from tests.factories.selections import SelectionSetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(db):
    people = [
        PersonFactory(family_name="渡辺", family_name_kana="ワタナベ", postal_code="100-0001"),
        PersonFactory(
            family_name='=HYPERLINK("x")', family_name_kana="アアア", postal_code="200-0002"
        ),
        PersonFactory(family_name="髙橋", family_name_kana="タカハシ", postal_code="300-0003"),
    ]
    return SelectionSetFactory(people=people), people


def test_csv_has_the_chosen_columns_in_order_and_reading_order(api, members):
    selection, _ = members
    response = api.get(
        f"/api/v1/selection-sets/{selection.pk}/export.csv",
        {"columns": "postal_code,family_name", "ordering": "kana"},
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    assert raw.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["郵便番号", "姓"]
    # A cell that a spreadsheet would run as a formula is written as text.
    assert rows[1:] == [
        ["200-0002", '\'=HYPERLINK("x")'],
        ["300-0003", "髙橋"],
        ["100-0001", "渡辺"],
    ]


def test_csv_in_shift_jis(api, members):
    selection, _ = members
    response = api.get(
        f"/api/v1/selection-sets/{selection.pk}/export.csv",
        {"columns": "family_name", "encoding": "cp932", "ordering": "postal_code"},
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("cp932"))))
    assert rows[1:] == [["渡辺"], ['\'=HYPERLINK("x")'], ["髙橋"]]


def test_xlsx(api, members):
    selection, _ = members
    response = api.get(
        f"/api/v1/selection-sets/{selection.pk}/export.xlsx",
        {"columns": "family_name,postal_code", "ordering": "-postal_code"},
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [[cell.value for cell in row] for row in book.active.iter_rows()]
    assert values == [
        ["姓", "郵便番号"],
        ["髙橋", "300-0003"],
        ['\'=HYPERLINK("x")', "200-0002"],
        ["渡辺", "100-0001"],
    ]


def test_an_unknown_column_is_a_field_error(api, members):
    selection, _ = members
    response = api.get(
        f"/api/v1/selection-sets/{selection.pk}/export.csv", {"columns": "family_name,shoe_size"}
    )
    assert response.status_code == 400
    assert "shoe_size" in response.json()["columns"][0]
