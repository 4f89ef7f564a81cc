import datetime

import pytest

from api.core.errors import FieldErrors
from api.masters.models import CustomField
from api.masters.services import custom_values_clean
from tests.factories.masters import CustomFieldFactory

pytestmark = pytest.mark.django_db

Kind = CustomField.Kind


def clean(values, existing=None, entity="person"):
    return custom_values_clean(entity=entity, values=values, existing=existing)


def errors_of(values, existing=None, entity="person"):
    with pytest.raises(FieldErrors) as info:
        clean(values, existing, entity)
    return info.value.errors


def test_an_unknown_key_is_named_with_the_defined_fields():
    CustomFieldFactory(key="hobby")
    CustomFieldFactory(key="anniversary", kind=Kind.DATE)

    errors = errors_of({"foo": "x"})

    assert errors == {
        "custom.foo": ["unknown custom field 'foo'; defined fields: anniversary, hobby"]
    }


def test_fields_of_another_entity_are_unknown():
    CustomFieldFactory(key="colour", entity="product")

    assert "custom.colour" in errors_of({"colour": "赤"}, entity="person")
    assert clean({"colour": "赤"}, entity="product") == {"colour": "赤"}


def test_text_is_normalised():
    CustomFieldFactory(key="hobby")

    assert clean({"hobby": "  ｺﾞﾙﾌ　ＡＢＣ "}) == {"hobby": "ゴルフ ABC"}


def test_text_accepts_a_number_as_its_text():
    CustomFieldFactory(key="memo")

    assert clean({"memo": 12}) == {"memo": "12"}


def test_text_rejects_an_object():
    CustomFieldFactory(key="memo")

    assert "custom.memo" in errors_of({"memo": {"a": 1}})


@pytest.mark.parametrize(
    ("given", "stored"),
    [(3, 3), (2.5, 2.5), ("42", 42), ("１，２００", 1200), ("-0.5", -0.5), (4.0, 4)],
)
def test_numbers_accept_numeric_strings(given, stored):
    CustomFieldFactory(key="visits", kind=Kind.NUMBER)

    assert clean({"visits": given}) == {"visits": stored}


@pytest.mark.parametrize("given", ["abc", "1.2.3", True, [1], "nan", float("inf")])
def test_numbers_reject_what_is_not_a_number(given):
    CustomFieldFactory(key="visits", kind=Kind.NUMBER, label="来店回数")

    errors = errors_of({"visits": given})

    assert errors["custom.visits"][0].startswith("来店回数: expected a")


@pytest.mark.parametrize(
    "given",
    [
        "2026-01-05",
        "2026/1/5",
        "2026年1月5日",
        "２０２６／０１／０５",
        "令和8年1月5日",
        "R8.1.5",
        "r8/1/5",
        datetime.date(2026, 1, 5),
    ],
)
def test_dates_are_stored_as_iso(given):
    CustomFieldFactory(key="anniversary", kind=Kind.DATE)

    assert clean({"anniversary": given}) == {"anniversary": "2026-01-05"}


def test_the_first_year_of_an_era_may_be_written_gannen():
    CustomFieldFactory(key="anniversary", kind=Kind.DATE)

    assert clean({"anniversary": "平成元年1月8日"}) == {"anniversary": "1989-01-08"}
    assert clean({"anniversary": "S64.1.7"}) == {"anniversary": "1989-01-07"}


@pytest.mark.parametrize(
    "given", ["2026-02-30", "tomorrow", "20260105", 20260105, "S65.1.1", "令和1年1月1日"]
)
def test_impossible_or_unreadable_dates_are_refused(given):
    CustomFieldFactory(key="anniversary", kind=Kind.DATE)

    assert "custom.anniversary" in errors_of({"anniversary": given})


def test_a_choice_must_be_one_of_the_choices():
    CustomFieldFactory(key="size", kind=Kind.CHOICE, choices=["小", "中", "大"])

    assert clean({"size": "中"}) == {"size": "中"}
    assert "custom.size" in errors_of({"size": "特大"})


def test_a_refused_choice_lists_the_choices():
    CustomFieldFactory(key="size", label="サイズ", kind=Kind.CHOICE, choices=["小", "中", "大"])

    assert errors_of({"size": "特大"}) == {
        "custom.size": ["サイズ: '特大' is not one of the choices: 小, 中, 大"]
    }


def test_a_choice_matches_after_normalisation():
    CustomFieldFactory(key="plan", kind=Kind.CHOICE, choices=["ゴールド", "シルバー"])

    assert clean({"plan": "ｺﾞｰﾙﾄﾞ"}) == {"plan": "ゴールド"}


def test_multi_choice_dedupes_and_keeps_order():
    CustomFieldFactory(key="interests", kind=Kind.MULTI_CHOICE, choices=["茶道", "華道", "書道"])

    assert clean({"interests": ["書道", "茶道", "書道"]}) == {"interests": ["書道", "茶道"]}


def test_multi_choice_refuses_a_single_string_and_unknown_items():
    CustomFieldFactory(key="interests", kind=Kind.MULTI_CHOICE, choices=["茶道", "華道"])

    assert "custom.interests" in errors_of({"interests": "茶道"})
    assert "custom.interests" in errors_of({"interests": ["茶道", "柔道"]})


def test_a_missing_required_field_is_an_error_on_create():
    CustomFieldFactory(key="member_no", required=True, label="会員番号")

    assert errors_of({}) == {"custom.member_no": ["会員番号 (member_no) is required"]}
    assert "custom.member_no" in errors_of({"member_no": "  "})


def test_on_update_a_stored_required_value_need_not_be_given_again():
    CustomFieldFactory(key="member_no", required=True)
    CustomFieldFactory(key="hobby")

    assert clean({"hobby": "釣り"}, existing={"member_no": "A-1"}) == {
        "member_no": "A-1",
        "hobby": "釣り",
    }


def test_none_deletes_a_key_but_not_a_required_one():
    CustomFieldFactory(key="member_no", required=True)
    CustomFieldFactory(key="hobby")
    stored = {"member_no": "A-1", "hobby": "釣り"}

    assert clean({"hobby": None}, existing=stored) == {"member_no": "A-1"}
    assert "custom.member_no" in errors_of({"member_no": None}, existing=stored)


def test_every_error_is_reported_at_once():
    CustomFieldFactory(key="visits", kind=Kind.NUMBER)
    CustomFieldFactory(key="member_no", required=True)

    errors = errors_of({"visits": "many", "foo": 1})

    assert set(errors) == {"custom.visits", "custom.foo", "custom.member_no"}


def test_custom_must_be_an_object():
    assert errors_of(["a"]) == {"custom": ["expected an object of custom field values"]}


def test_the_existing_dict_is_not_modified():
    CustomFieldFactory(key="hobby")
    stored = {"hobby": "釣り"}

    clean({"hobby": "囲碁"}, existing=stored)

    assert stored == {"hobby": "釣り"}


def test_a_date_outside_its_era_names_the_era():
    CustomFieldFactory(key="anniversary", kind=Kind.DATE, label="記念日")

    assert errors_of({"anniversary": "平成32年1月1日"}) == {
        "custom.anniversary": [
            "記念日: '平成32年1月1日' is not a valid date "
            "(the 平成 era runs from 1989-01-08 to 2019-04-30)"
        ]
    }
