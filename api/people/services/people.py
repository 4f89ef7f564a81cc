"""Writes of people (個人): input rules, affiliation, career (職歴) and family."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from api.core import normalise
from api.core.errors import FieldErrors, ServiceError
from api.masters.models import CustomField, UserCodeValue
from api.masters.services import custom_values_clean, user_codes_check
from api.people.models import (
    USER_CODE_SLOTS,
    USER_NAME_SLOTS,
    CareerEntry,
    Company,
    Department,
    FamilyMember,
    Person,
)
from api.people.services import rules
from api.people.services.companies import company_for_name_create
from api.people.services.rules import Problems

USER_CODE_FIELDS = tuple(f"user_code_{n}" for n in USER_CODE_SLOTS)

PERSON_RULES: dict[str, rules.Rule] = {
    "family_name": normalise.text,
    "given_name": normalise.text,
    "family_name_kana": normalise.kana,
    "given_name_kana": normalise.kana,
    "external_code": rules.code,
    "company_name": normalise.company_name,
    "title": normalise.text,
    "phone": normalise.phone,
    "mobile_phone": normalise.phone,
    "fax": normalise.phone,
    "email": normalise.email,
    "mobile_email": normalise.email,
    "postal_code": normalise.postal_code,
    "prefecture": rules.prefecture,
    "address1": normalise.text,
    "address2": normalise.text,
    "home_postal_code": normalise.postal_code,
    "home_prefecture": rules.prefecture,
    "home_address1": normalise.text,
    "home_address2": normalise.text,
    "home_phone": normalise.phone,
    "memo": rules.multiline,
    **dict.fromkeys(USER_CODE_FIELDS, rules.code),
    **{f"user_name_{n}": normalise.text for n in USER_NAME_SLOTS},
}

FAMILY_RULES: dict[str, rules.Rule] = {
    "name": normalise.text,
    "name_kana": normalise.kana,
    "relation": normalise.text,
    "memo": rules.multiline,
}

AFFILIATION = ("company_id", "department_id", "title")


def _family_clean(
    *, items: list[dict[str, Any]], person: Person | None, problems: Problems
) -> list[dict[str, Any]]:
    held = set(person.family.values_list("pk", flat=True)) if person else set()
    cleaned_items = []
    for index, item in enumerate(items):
        prefix = f"family.{index}."
        cleaned = rules.apply_rules(data=item, rules=FAMILY_RULES, problems=problems, prefix=prefix)
        rules.check_required(
            data={"name": None, "relation": None, **cleaned},
            fields=("name", "relation"),
            problems=problems,
            prefix=prefix,
        )
        rules.check_lengths(model=FamilyMember, data=cleaned, problems=problems, prefix=prefix)
        if cleaned.get("id") is not None and cleaned["id"] not in held:
            problems.add(f"{prefix}id", f"{cleaned['id']} is not a family member of this person")
        cleaned_items.append(cleaned)
    return cleaned_items


def person_clean(*, data: dict[str, Any], person: Person | None = None) -> dict[str, Any]:
    """Normalise and check a person's fields (all given on create, the changed ones on update).

    1. Text fields through the input rules (names, readings, phones, e-mails, postal codes…);
       lengths checked on the normalised values.
    2. Each given postal code fills or checks its prefecture and address (work and home).
    3. User codes against their masters, person/selection types still in use, custom fields
       against their definitions, family members by the same rules.
    All problems are raised together as one ``FieldErrors`` with suggestions.
    """
    problems = Problems()
    cleaned = rules.apply_rules(data=data, rules=PERSON_RULES, problems=problems)
    rules.check_required(data=cleaned, fields=("family_name",), problems=problems)
    rules.check_lengths(model=Person, data=cleaned, problems=problems)
    for fields in (
        ("postal_code", "prefecture", "address1"),
        ("home_postal_code", "home_prefecture", "home_address1"),
    ):
        rules.check_address(data=cleaned, current=person, fields=fields, problems=problems)
    codes = {f: cleaned[f] for f in USER_CODE_FIELDS if f in cleaned and f not in problems}
    try:
        user_codes_check(entity=UserCodeValue.Entity.PERSON, values=codes)
    except FieldErrors as exc:
        problems.absorb(exc)
    for field in ("person_types", "selection_types"):
        held = getattr(person, field).all() if person else ()
        rules.check_codes(data=cleaned, field=field, held=held, problems=problems)
    if person is None or "custom" in data:
        try:
            cleaned["custom"] = custom_values_clean(
                entity=CustomField.Entity.PERSON,
                values=data.get("custom") or {},
                existing=person.custom if person else None,
            )
        except FieldErrors as exc:
            problems.absorb(exc)
    department, company = cleaned.get("department"), cleaned.get("company")
    if department is not None and company is not None and department.company_id != company.pk:
        problems.add(
            "department",
            f"{department.name} is a department of {department.company.name}, not {company.name}",
        )
    if "family" in data:
        cleaned["family"] = _family_clean(items=data["family"], person=person, problems=problems)
    if cleaned.get("external_code") and "external_code" not in problems:
        others = Person.objects.filter(external_code=cleaned["external_code"])
        if person is not None:
            others = others.exclude(pk=person.pk)
        if others.exists():
            problems.add("external_code", f"'{cleaned['external_code']}' is already used")
    problems.raise_any()
    return cleaned


def _affiliation_resolve(*, cleaned: dict[str, Any], person: Person | None) -> None:
    """Settle ``company``/``department`` in ``cleaned``; inside the write's transaction.

    ``company`` (an id, or null) wins whenever it is sent, and ``company_name`` beside it is
    only its display, so a client can send back what it read. Without ``company``,
    ``company_name`` finds the company by its normalised name or creates it; an empty name
    means no company. A department must belong to the resulting company; a department given
    alone brings its company; a person who changes company leaves the old one's department.
    """
    name_given = "company_name" in cleaned
    name = cleaned.pop("company_name", None)
    if "company" not in cleaned and name_given:
        cleaned["company"] = company_for_name_create(name=name) if name else None
    company: Company | None = cleaned.get("company", person.company if person else None)
    department: Department | None = cleaned.get("department", person.department if person else None)
    if (
        "company" in cleaned
        and "department" not in cleaned
        and department is not None
        and (company is None or department.company_id != company.pk)
    ):
        cleaned["department"] = department = None
    if department is None:
        return
    if company is None:
        cleaned["company"] = department.company
    elif department.company_id != company.pk:
        raise ServiceError(
            f"{department.name} is a department of {department.company.name}, not {company.name}",
            field="department",
        )


def _family_write(*, person: Person, items: list[dict[str, Any]]) -> None:
    keep = {item["id"] for item in items if item.get("id") is not None}
    person.family.exclude(pk__in=keep).delete()
    existing = {member.pk: member for member in person.family.all()}
    for item in items:
        member = existing.get(item.get("id")) or FamilyMember(person=person)
        for field, value in item.items():
            if field != "id":
                setattr(member, field, value)
        member.save()


def _save(person: Person) -> None:
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        if "external_code" in str(exc):
            raise ServiceError(
                f"'{person.external_code}' is already used", field="external_code"
            ) from exc
        raise


def _relations_write(*, person: Person, cleaned: dict[str, Any]) -> None:
    for field in ("person_types", "selection_types"):
        if field in cleaned:
            getattr(person, field).set(cleaned[field])
    if "family" in cleaned:
        _family_write(person=person, items=cleaned["family"])


RELATIONS = ("person_types", "selection_types", "family")


def person_create(*, data: dict[str, Any], by: AbstractBaseUser | None) -> Person:
    """Create a person. ``data`` holds model fields, ``company_name`` (find or create the
    company by name), ``person_types``/``selection_types`` (master rows) and ``family``."""
    cleaned = person_clean(data=data)
    with transaction.atomic(durable=True):
        _affiliation_resolve(cleaned=cleaned, person=None)
        person = Person(**{k: v for k, v in cleaned.items() if k not in RELATIONS})
        _save(person)
        _relations_write(person=person, cleaned=cleaned)
    return person


def _career_start(*, person: Person) -> datetime.date:
    """When the current affiliation began: the end of the last recorded one, or the day the
    person was registered."""
    last = person.career.exclude(ended_on=None).order_by("-ended_on", "-id").first()
    if last is not None:
        return last.ended_on
    return timezone.localdate(person.created_at)


def person_update(*, person: Person, data: dict[str, Any], by: AbstractBaseUser | None) -> Person:
    """Change a person; when the company, department or title changes, the previous
    affiliation is kept as a CareerEntry (names copied, so it reads after a rename).

    1. Normalise and check (``person_clean``) before any write.
    2. Lock the row, so two concurrent changes write two career entries in order.
    3. Settle the affiliation, save, write the career entry, types and family.
    """
    cleaned = person_clean(data=data, person=person)
    with transaction.atomic(durable=True):
        person = (
            Person.objects.select_related("company", "department")
            .select_for_update(of=("self",))
            .get(pk=person.pk)
        )
        before = {field: getattr(person, field) for field in AFFILIATION}
        previous = CareerEntry(
            person=person,
            company=person.company,
            company_name=person.company.name if person.company else None,
            department=person.department,
            department_name=person.department.name if person.department else None,
            title=person.title,
        )
        _affiliation_resolve(cleaned=cleaned, person=person)
        for field, value in cleaned.items():
            if field not in RELATIONS:
                setattr(person, field, value)
        _save(person)
        if any(getattr(person, field) != before[field] for field in AFFILIATION):
            previous.started_on = _career_start(person=person)
            previous.ended_on = timezone.localdate()
            previous.changed_by = by
            previous.save()
        _relations_write(person=person, cleaned=cleaned)
    return person


def person_delete(*, person: Person) -> None:
    with transaction.atomic(durable=True):
        person.delete()
