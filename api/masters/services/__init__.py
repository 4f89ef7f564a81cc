"""Writes to the masters, and the checks every other write path runs against them.

``custom_values_clean`` and ``user_codes_check`` are used by people, companies, products and
the importers: a value that a master does not allow is refused with the field named.
"""

from api.masters.services.codes import code_master_create, code_master_delete, code_master_update
from api.masters.services.common import (
    CODE_RULES,
    EMPLOYEE_RULES,
    model_assign,
    model_save_unique,
    values_normalise,
)
from api.masters.services.custom_fields import (
    CLEANERS,
    custom_field_choices_clean,
    custom_field_create,
    custom_field_update,
    custom_values_clean,
)
from api.masters.services.employees import employee_create, employee_update
from api.masters.services.user_codes import (
    user_code_value_change_check,
    user_code_value_create,
    user_code_value_delete,
    user_code_value_delete_check,
    user_code_value_update,
    user_codes_check,
)

__all__ = [
    "CLEANERS",
    "CODE_RULES",
    "EMPLOYEE_RULES",
    "code_master_create",
    "code_master_delete",
    "code_master_update",
    "custom_field_choices_clean",
    "custom_field_create",
    "custom_field_update",
    "custom_values_clean",
    "employee_create",
    "employee_update",
    "model_assign",
    "model_save_unique",
    "user_code_value_change_check",
    "user_code_value_create",
    "user_code_value_delete",
    "user_code_value_delete_check",
    "user_code_value_update",
    "user_codes_check",
    "values_normalise",
]
