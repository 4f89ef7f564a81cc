import pytest

from api.core.csvsafe import cell_safe, cell_unsafe


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+81-3-1234", "@SUM(A1)", "-cmd|' /C calc'!A0", "\t=1", '＝HYPERLINK("x")'],
)
def test_a_cell_that_a_spreadsheet_would_evaluate_is_written_as_text(value):
    assert cell_safe(value) == "'" + value
    assert cell_unsafe(cell_safe(value)) == value


@pytest.mark.parametrize("value", ["山田太郎", "-1500", "03-1234-5678", "", "1e3"])
def test_ordinary_values_are_unchanged(value):
    assert cell_safe(value) == value
    assert cell_unsafe(value) == value


def test_none_is_an_empty_cell():
    assert cell_safe(None) == ""
