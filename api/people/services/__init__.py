"""Writes of the register. One module per area; the public services are listed here."""

from api.people.services.access import person_access_record
from api.people.services.companies import (
    company_clean,
    company_create,
    company_delete,
    company_update,
    department_clean,
    department_create,
    department_delete,
    department_update,
)
from api.people.services.notes import (
    card_exchange_create,
    card_exchange_delete,
    card_exchange_update,
    secret_note_create,
    secret_note_delete,
    secret_note_update,
)
from api.people.services.people import person_clean, person_create, person_delete, person_update

__all__ = [
    "card_exchange_create",
    "card_exchange_delete",
    "card_exchange_update",
    "company_clean",
    "company_create",
    "company_delete",
    "company_update",
    "department_clean",
    "department_create",
    "department_delete",
    "department_update",
    "person_access_record",
    "person_clean",
    "person_create",
    "person_delete",
    "person_update",
    "secret_note_create",
    "secret_note_delete",
    "secret_note_update",
]
