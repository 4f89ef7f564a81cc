"""When a person can be reached: one definition for the query language (``has_address``,
``has_email``, ``has_fax``) and for execution (who is excluded for want of an address), so
that a set filtered with ``has_address`` loses nobody at execution for that reason.

A postal address is usable when it has a postal code and a first address line: the person's
own (usually the office), else the home address, else the company's. Input rules store empty
values as NULL, but rows loaded by COPY are not trusted to, hence ``coalesce(…, '') <> ''``.
"""

from __future__ import annotations

from api.people.models import Company

COMPANY = Company._meta.db_table


def _filled(*columns: str) -> str:
    return " AND ".join(f"coalesce({column}, '') <> ''" for column in columns)


def own_address_usable(alias: str = "p") -> str:
    return _filled(f"{alias}.postal_code", f"{alias}.address1")


def home_address_usable(alias: str = "p") -> str:
    return _filled(f"{alias}.home_postal_code", f"{alias}.home_address1")


def company_address_usable(company_alias: str) -> str:
    return _filled(f"{company_alias}.postal_code", f"{company_alias}.address1")


def postal_usable(alias: str = "p") -> str:
    return (
        f"(({own_address_usable(alias)}) OR ({home_address_usable(alias)}) OR EXISTS ("
        f"SELECT 1 FROM {COMPANY} ca WHERE ca.id = {alias}.company_id AND "
        f"{company_address_usable('ca')}))"
    )


def email_usable(alias: str = "p") -> str:
    # A hard bounce sets email_invalid: neither address is tried again.
    return (
        f"((coalesce({alias}.email, '') <> '' OR coalesce({alias}.mobile_email, '') <> '') "
        f"AND NOT {alias}.email_invalid)"
    )


def fax_usable(alias: str = "p") -> str:
    return (
        f"(coalesce({alias}.fax, '') <> '' OR EXISTS (SELECT 1 FROM {COMPANY} cf "
        f"WHERE cf.id = {alias}.company_id AND coalesce(cf.fax, '') <> ''))"
    )
