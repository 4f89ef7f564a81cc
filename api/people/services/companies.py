"""Writes of companies (企業) and their departments (部署)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from api.core import normalise
from api.core.errors import Conflict, FieldErrors, ServiceError
from api.masters.models import CustomField
from api.masters.services import custom_values_clean
from api.people.models import Company, Department
from api.people.services import rules
from api.people.services.rules import Problems

COMPANY_RULES: dict[str, rules.Rule] = {
    "name": normalise.company_name,
    "name_kana": normalise.kana,
    "corporate_number": normalise.corporate_number,
    "external_code": rules.code,
    "representative": normalise.text,
    "industry": normalise.text,
    "services": rules.multiline,
    "business_summary": rules.multiline,
    "postal_code": normalise.postal_code,
    "prefecture": rules.prefecture,
    "address1": normalise.text,
    "address2": normalise.text,
    "phone": normalise.phone,
    "fax": normalise.phone,
    "url": rules.url,
    "memo": rules.multiline,
}

DEPARTMENT_RULES: dict[str, rules.Rule] = {
    "name": normalise.text,
    "name_kana": normalise.kana,
    "external_code": rules.code,
    "postal_code": normalise.postal_code,
    "prefecture": rules.prefecture,
    "address1": normalise.text,
    "address2": normalise.text,
    "phone": normalise.phone,
    "fax": normalise.phone,
}

# Unique columns and the field each is reported under when a second record would repeat it.
COMPANY_UNIQUE = ("corporate_number", "external_code")
DEPARTMENT_UNIQUE = ("external_code",)


def _unique_check(
    *,
    model: type[Company | Department],
    data: dict[str, Any],
    fields: tuple[str, ...],
    instance: Company | Department | None,
    problems: Problems,
) -> None:
    for field in fields:
        value = data.get(field)
        if value is None or field in problems:
            continue
        others = model.objects.filter(**{field: value})
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        if others.exists():
            problems.add(field, f"'{value}' is already used by {others.first()}")


def _save(instance: Company | Department, *, fields: tuple[str, ...]) -> None:
    """Save; a uniqueness race lost to a concurrent writer is the same 400 as the pre-check."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        clashing = [f for f in fields if f in str(exc)] or ["detail"]
        raise ServiceError(
            f"another record was saved with the same {clashing[0]}", field=clashing[0]
        ) from exc


def company_clean(*, data: dict[str, Any], company: Company | None = None) -> dict[str, Any]:
    """Normalise and check a company's fields (all given on create, the changed ones on update).

    1. Text fields through the input rules; lengths checked on the result.
    2. A known postal code fills or checks the prefecture and address.
    3. 法人番号 and external code unique; custom fields against their definitions.
    All problems are raised together.
    """
    problems = Problems()
    cleaned = rules.apply_rules(data=data, rules=COMPANY_RULES, problems=problems)
    rules.check_required(data=cleaned, fields=("name",), problems=problems)
    rules.check_lengths(model=Company, data=cleaned, problems=problems)
    rules.check_address(
        data=cleaned,
        current=company,
        fields=("postal_code", "prefecture", "address1"),
        problems=problems,
    )
    _unique_check(
        model=Company, data=cleaned, fields=COMPANY_UNIQUE, instance=company, problems=problems
    )
    rules.check_codes(
        data=cleaned,
        field="classifications",
        held=company.classifications.all() if company else (),
        problems=problems,
    )
    if company is None or "custom" in data:
        try:
            cleaned["custom"] = custom_values_clean(
                entity=CustomField.Entity.COMPANY,
                values=data.get("custom") or {},
                existing=company.custom if company else None,
            )
        except FieldErrors as exc:
            problems.absorb(exc)
    problems.raise_any()
    return cleaned


def company_create(*, data: dict[str, Any]) -> Company:
    cleaned = company_clean(data=data)
    classifications = cleaned.pop("classifications", None)
    company = Company(**cleaned)
    with transaction.atomic(durable=True):
        _save(company, fields=COMPANY_UNIQUE)
        if classifications is not None:
            company.classifications.set(classifications)
    return company


def company_update(*, company: Company, data: dict[str, Any]) -> Company:
    cleaned = company_clean(data=data, company=company)
    classifications = cleaned.pop("classifications", None)
    with transaction.atomic(durable=True):
        for field, value in cleaned.items():
            setattr(company, field, value)
        _save(company, fields=COMPANY_UNIQUE)
        if classifications is not None:
            company.classifications.set(classifications)
    return company


def company_delete(*, company: Company) -> None:
    """Refused while people belong to the company: deleting it would silently drop their
    affiliation (and write no career entry). Move or delete them first."""
    with transaction.atomic(durable=True):
        people = company.people.count()
        if people:
            raise Conflict(
                f"{company.name} still has {people} people; move them to another company "
                "or delete them first",
                field="people",
            )
        company.delete()


def company_for_name_create(*, name: str) -> Company:
    """The company written as ``name`` (already normalised), created when none is. Runs
    inside the caller's transaction (a person written with ``company_name``)."""
    matches = list(Company.objects.filter(name=name)[:2])
    if len(matches) > 1:
        raise ServiceError(
            f"several companies are named {name}; give the company's id instead",
            field="company_name",
        )
    if matches:
        return matches[0]
    try:
        cleaned = company_clean(data={"name": name})
    except FieldErrors as exc:
        # Only a name is known here; whatever else a new company needs is the reason.
        raise ServiceError(
            f"{name} is not registered and cannot be created from its name alone "
            f"({exc.message}); create the company first",
            field="company_name",
        ) from exc
    company = Company(**cleaned)
    company.save()
    return company


def department_clean(
    *, data: dict[str, Any], department: Department | None = None
) -> dict[str, Any]:
    """Normalise and check a department's fields (the steps of ``company_clean``), and that
    its parent is a department of the same company and not itself or one of its own."""
    problems = Problems()
    cleaned = rules.apply_rules(data=data, rules=DEPARTMENT_RULES, problems=problems)
    rules.check_required(data=cleaned, fields=("name",), problems=problems)
    rules.check_lengths(model=Department, data=cleaned, problems=problems)
    rules.check_address(
        data=cleaned,
        current=department,
        fields=("postal_code", "prefecture", "address1"),
        problems=problems,
    )
    _unique_check(
        model=Department,
        data=cleaned,
        fields=DEPARTMENT_UNIQUE,
        instance=department,
        problems=problems,
    )
    company = cleaned.get("company", department.company if department else None)
    parent = cleaned.get("parent", department.parent if department else None)
    if parent is not None:
        if parent.company_id != company.pk:
            problems.add("parent", f"{parent.name} is a department of another company")
        elif department is not None and _is_within(parent, department):
            problems.add("parent", "a department cannot be placed under itself")
    if department is None or "custom" in data:
        try:
            cleaned["custom"] = custom_values_clean(
                entity=CustomField.Entity.DEPARTMENT,
                values=data.get("custom") or {},
                existing=department.custom if department else None,
            )
        except FieldErrors as exc:
            problems.absorb(exc)
    problems.raise_any()
    return cleaned


def _is_within(candidate: Department, department: Department) -> bool:
    """Whether ``candidate`` is ``department`` or below it (a cycle if it became its parent)."""
    seen: set[int] = set()
    node: Department | None = candidate
    while node is not None and node.pk not in seen:
        if node.pk == department.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


def _department_name_check(*, department: Department) -> None:
    clash = Department.objects.filter(
        company_id=department.company_id, parent_id=department.parent_id, name=department.name
    ).exclude(pk=department.pk)
    if clash.exists():
        raise ServiceError(
            f"{department.company.name} already has a department named {department.name} here",
            field="name",
        )


def department_create(*, data: dict[str, Any]) -> Department:
    department = Department(**department_clean(data=data))
    _department_name_check(department=department)
    with transaction.atomic(durable=True):
        _save(department, fields=("name", *DEPARTMENT_UNIQUE))
    return department


def department_update(*, department: Department, data: dict[str, Any]) -> Department:
    cleaned = department_clean(data=data, department=department)
    if "company" in cleaned and cleaned["company"].pk != department.company_id:
        # People and sub-departments hang off a department: moving it between companies
        # would leave them split across two companies.
        raise ServiceError("a department cannot move to another company", field="company")
    for field, value in cleaned.items():
        setattr(department, field, value)
    _department_name_check(department=department)
    with transaction.atomic(durable=True):
        _save(department, fields=("name", *DEPARTMENT_UNIQUE))
    return department


def department_delete(*, department: Department) -> None:
    """Refused while people or sub-departments belong to it (their affiliation would go)."""
    with transaction.atomic(durable=True):
        people = department.people.count()
        children = department.children.count()
        if people or children:
            raise Conflict(
                f"{department.name} still has {people} people and {children} sub-departments; "
                "move them first",
                field="people",
            )
        department.delete()
