import pytest

from api.core.errors import FieldErrors
from api.masters.services import user_codes_check
from tests.factories.masters import UserCodeValueFactory

pytestmark = pytest.mark.django_db


def errors_of(entity, values):
    with pytest.raises(FieldErrors) as info:
        user_codes_check(entity=entity, values=values)
    return info.value.errors


def test_known_codes_and_no_code_pass():
    UserCodeValueFactory(entity="person", slot=1, code="A")
    UserCodeValueFactory(entity="person", slot=3, code="X")

    user_codes_check(
        entity="person", values={"user_code_1": "A", "user_code_3": "X", "user_code_2": None}
    )
    user_codes_check(entity="person", values={"user_code_5": ""})


def test_an_unknown_code_names_the_field_and_the_allowed_codes():
    UserCodeValueFactory(entity="person", slot=1, code="A")
    UserCodeValueFactory(entity="person", slot=1, code="B", name="一般")

    assert errors_of("person", {"user_code_1": "Z"}) == {
        "user_code_1": ["'Z' is not a code of user code 1; allowed: A, B"]
    }


def test_a_code_of_another_slot_or_entity_is_not_allowed():
    UserCodeValueFactory(entity="person", slot=2, code="A")
    UserCodeValueFactory(entity="product", slot=1, code="A")

    errors = errors_of("person", {"user_code_1": "A"})

    assert errors == {"user_code_1": ["'A' is not allowed: user code 1 has no values defined"]}


def test_every_bad_slot_is_reported():
    UserCodeValueFactory(entity="product", slot=1, code="RED")

    errors = errors_of("product", {"user_code_1": "BLUE", "user_code_2": "L"})

    assert set(errors) == {"user_code_1", "user_code_2"}


def test_only_the_first_twenty_allowed_codes_are_listed():
    for n in range(25):
        UserCodeValueFactory(entity="person", slot=4, code=f"C{n:02d}", sort_order=n)

    message = errors_of("person", {"user_code_4": "nope"})["user_code_4"][0]

    assert "C19" in message
    assert "C20" not in message
    assert message.endswith("(and 5 more)")


def test_a_field_that_is_not_a_user_code_is_a_programming_error():
    with pytest.raises(ValueError, match="user_code_11"):
        user_codes_check(entity="person", values={"user_code_11": "A"})
