"""Writes of what staff record about a person: card exchanges (名刺交換) and secret notes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from api.core.errors import ServiceError
from api.masters.models import Employee
from api.people.models import CardExchange, Person, SecretNote
from api.people.services import rules
from api.people.services.rules import Problems

CARD_EXCHANGE_RULES: dict[str, rules.Rule] = {"place": rules.multiline, "note": rules.multiline}


def card_exchange_create(
    *, person: Person, data: dict[str, Any], by: AbstractBaseUser
) -> CardExchange:
    """Record a card exchange; the employee defaults to the one recording it."""
    problems = Problems()
    cleaned = rules.apply_rules(data=data, rules=CARD_EXCHANGE_RULES, problems=problems)
    rules.check_lengths(model=CardExchange, data=cleaned, problems=problems)
    if cleaned.get("employee") is None:
        cleaned["employee"] = Employee.objects.filter(user_id=by.pk).first()
        if cleaned["employee"] is None:
            problems.add("employee", "give the employee who exchanged cards")
    problems.raise_any()
    exchange = CardExchange(person=person, **cleaned)
    with transaction.atomic(durable=True):
        exchange.save()
    return exchange


def card_exchange_update(*, exchange: CardExchange, data: dict[str, Any]) -> CardExchange:
    problems = Problems()
    cleaned = rules.apply_rules(data=data, rules=CARD_EXCHANGE_RULES, problems=problems)
    rules.check_lengths(model=CardExchange, data=cleaned, problems=problems)
    if "employee" in cleaned and cleaned["employee"] is None:
        problems.add("employee", "give the employee who exchanged cards")
    problems.raise_any()
    for field, value in cleaned.items():
        setattr(exchange, field, value)
    with transaction.atomic(durable=True):
        exchange.save()
    return exchange


def card_exchange_delete(*, exchange: CardExchange) -> None:
    with transaction.atomic(durable=True):
        exchange.delete()


def _note_text(text: Any) -> str:
    cleaned = rules.multiline(text)
    if cleaned is None:
        raise ServiceError("this field is required", field="text")
    return cleaned


def secret_note_create(*, person: Person, author: AbstractBaseUser, text: str) -> SecretNote:
    note = SecretNote(person=person, author=author, text=_note_text(text))
    with transaction.atomic(durable=True):
        note.save()
    return note


def secret_note_update(*, note: SecretNote, text: str) -> SecretNote:
    """The caller has already found ``note`` among its own (selectors.secret_note_get)."""
    note.text = _note_text(text)
    with transaction.atomic(durable=True):
        note.save(update_fields=["text", "updated_at"])
    return note


def secret_note_delete(*, note: SecretNote) -> None:
    with transaction.atomic(durable=True):
        note.delete()
