"""What every predicate of the query language shares: SQL fragments, the compile context,
and the parsing of values with errors that name their place in the query."""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Model, Q
from django.utils import timezone

from api.masters.models import Employee, UserCodeValue
from api.people.models import Company, Person
from api.sales.models import Product, ProductCategory, Sale
from mailing.models import Mailing, MailingRecipient, MailingResponse

# Table names for the SQL text; the person being tested is always the alias ``p``.
PERSON = Person._meta.db_table
COMPANY = Company._meta.db_table
SALE = Sale._meta.db_table
PRODUCT = Product._meta.db_table
CATEGORY = ProductCategory._meta.db_table
RECIPIENT = MailingRecipient._meta.db_table
RESPONSE = MailingResponse._meta.db_table
MAILING = Mailing._meta.db_table


@dataclass(frozen=True)
class Sql:
    """A condition on ``p`` with its parameters (psycopg ``%s`` placeholders)."""

    text: str
    params: tuple[Any, ...] = ()

    @classmethod
    def join(cls, operator: str, parts: Sequence[Sql]) -> Sql:
        if len(parts) == 1:
            return parts[0]
        return cls(
            "(" + f" {operator} ".join(part.text for part in parts) + ")",
            tuple(param for part in parts for param in part.params),
        )


class QueryError(Exception):
    """A value the query language cannot use; ``path`` is where it sits in the query."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass
class Context:
    """What a query is compiled against: who asks (for ``"me"``) and which day is today
    (for relative dates such as ``"12 months"``)."""

    user: Any
    today: datetime.date
    _employee_id: int | None = field(default=None, repr=False)

    def my_employee_id(self, path: str) -> int:
        if self._employee_id is None:
            employee = Employee.objects.filter(user_id=getattr(self.user, "pk", None)).first()
            if employee is None:
                raise QueryError(path, "'me' needs an employee record (社員) for your user")
            self._employee_id = employee.pk
        return self._employee_id

    def employee_ids(self, value: Any, path: str) -> list[int]:
        """``"me"``, an employee code, or a list of them, as Employee ids."""
        codes = texts(value, path)
        ids = [self.my_employee_id(path) for code in codes if code == "me"]
        others = [code for code in codes if code != "me"]
        if others:
            ids += resolve(Employee, others, path, "employee", fields=("code",))
        return ids


class Predicate(Protocol):
    """One kind of condition: a module under ``predicates/`` with these names."""

    NAME: str
    SUMMARY: str
    EXAMPLE: Any

    def compile(self, value: Any, ctx: Context, path: str) -> Sql: ...


# --- values ------------------------------------------------------------------------------------


def texts(value: Any, path: str) -> list[str]:
    """A text or a non-empty list of texts ("any of these")."""
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and item.strip() for item in items):
        raise QueryError(path, "expected a text or a non-empty list of texts")
    return [item.strip() for item in items]


def integers(
    value: Any, path: str, *, low: int | None = None, high: int | None = None
) -> list[int]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, int) and not isinstance(item, bool) for item in items):
        raise QueryError(path, "expected a whole number or a non-empty list of them")
    for item in items:
        if (low is not None and item < low) or (high is not None and item > high):
            raise QueryError(path, f"{item} is out of range {low}–{high}")
    return items


def integer(value: Any, path: str, *, low: int | None = None, high: int | None = None) -> int:
    if isinstance(value, list):
        raise QueryError(path, "expected one whole number")
    return integers(value, path, low=low, high=high)[0]


def number(value: Any, path: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise QueryError(path, "expected a number")
    return value


def boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise QueryError(path, "expected true or false")
    return value


def obj(value: Any, path: str, *, allowed: Iterable[str], required: Iterable[str] = ()) -> dict:
    """A JSON object with only the ``allowed`` keys (at least one of them)."""
    allowed = tuple(allowed)
    if not isinstance(value, dict) or not value:
        raise QueryError(path, f"expected an object with any of: {', '.join(allowed)}")
    for key in value:
        if key not in allowed:
            raise QueryError(f"{path}.{key}", f"unknown key; expected one of: {', '.join(allowed)}")
    for key in required:
        if key not in value:
            raise QueryError(f"{path}.{key}", "is required")
    return value


def iso_date(value: Any, path: str) -> datetime.date:
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise QueryError(path, f"expected a date such as 2026-01-05, got {value!r}")


_PERIOD = re.compile(
    r"^\s*(\d+)\s*(days?|weeks?|months?|years?|日間?|週間?|か月|ヶ月|ヵ月|カ月|ケ月|年間?)\s*$"
)
_UNITS = {
    "d": "days",
    "日": "days",
    "w": "weeks",
    "週": "weeks",
    "m": "months",
    "か": "months",
    "ヶ": "months",
    "ヵ": "months",
    "カ": "months",
    "ケ": "months",
    "y": "years",
    "年": "years",
}


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` earlier; the month's last day when it has no such day."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return datetime.date(year, month0 + 1, min(day.day, last))


def period_start(value: Any, path: str, today: datetime.date) -> datetime.date:
    """The first day of a period that ends today: "12 months", "1 year", "30 days", "2 weeks"
    (also 12ヶ月, 1年, 30日, 2週間). "12 months" on 2026-11-23 starts on 2025-11-23."""
    match = _PERIOD.match(value) if isinstance(value, str) else None
    if not match:
        raise QueryError(path, f"expected a period such as '12 months' or '30 days', got {value!r}")
    count, unit = int(match.group(1)), _UNITS[match.group(2)[0]]
    if unit == "days":
        return today - datetime.timedelta(days=count)
    if unit == "weeks":
        return today - datetime.timedelta(weeks=count)
    return months_before(today, count * (12 if unit == "years" else 1))


DATE_KEYS = ("within", "since", "until")


def date_range(
    spec: dict, path: str, today: datetime.date
) -> tuple[datetime.date | None, datetime.date | None]:
    """(first, last) day, both inclusive, from ``within`` or ``since``/``until``."""
    if "within" in spec and ("since" in spec or "until" in spec):
        raise QueryError(f"{path}.within", "give either 'within' or 'since'/'until', not both")
    if "within" in spec:
        return period_start(spec["within"], f"{path}.within", today), today
    since = iso_date(spec["since"], f"{path}.since") if "since" in spec else None
    until = iso_date(spec["until"], f"{path}.until") if "until" in spec else None
    if since and until and since > until:
        raise QueryError(f"{path}.since", f"{since} is after until {until}")
    return since, until


def resolve(
    model: type[Model],
    values: list[str],
    path: str,
    label: str,
    *,
    fields: tuple[str, ...] = ("code", "name"),
    extra: Q | None = None,
) -> list[int]:
    """Ids of the master rows named by code (or name); every value must name one."""
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__in": values})
    rows = model.objects.filter(condition & (extra or Q())).values_list("pk", *fields)
    found: dict[str, list[int]] = {}
    for pk, *names in rows:
        for name in names:
            found.setdefault(name, []).append(pk)
    for value in values:
        if value not in found:
            raise QueryError(path, f"unknown {label} '{value}'")
    return sorted({pk for value in values for pk in found[value]})


def user_codes(entity: str, slot: int, values: list[str], path: str) -> list[str]:
    """The codes of a user-defined code slot named by code or by name ("A" or "VIP")."""
    rows = UserCodeValue.objects.filter(entity=entity, slot=slot).values_list("code", "name")
    by_name: dict[str, set[str]] = {}
    for code, name in rows:
        by_name.setdefault(code, set()).add(code)
        by_name.setdefault(name, set()).add(code)
    for value in values:
        if value not in by_name:
            known = ", ".join(sorted(code for code, _ in rows)[:20]) or "none defined"
            raise QueryError(path, f"unknown code '{value}' in slot {slot} (known: {known})")
    return sorted({code for value in values for code in by_name[value]})


def mailing_ids(value: Any, path: str) -> list[int]:
    """Mailings by id or by exact name ("2025年 お歳暮送付"); each must exist."""
    items = value if isinstance(value, list) else [value]
    ids: list[int] = []
    names: list[str] = []
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool):
            ids.append(item)
        elif isinstance(item, str) and item.strip():
            names.append(item.strip())
        else:
            raise QueryError(path, "expected a mailing id or name, or a non-empty list of them")
    if not items:
        raise QueryError(path, "expected a mailing id or name, or a non-empty list of them")
    found = set(Mailing.objects.filter(pk__in=ids).values_list("pk", flat=True))
    for pk in ids:
        if pk not in found:
            raise QueryError(path, f"unknown mailing #{pk}")
    if names:
        found |= set(resolve(Mailing, names, path, "mailing", fields=("name",)))
    return sorted(found)


def has_any(through: str, column: str, ids: list[int]) -> Sql:
    """The person has a row in a many-to-many table pointing at any of ``ids``."""
    return Sql(
        f"EXISTS (SELECT 1 FROM {through} t WHERE t.person_id = p.id "
        f"AND t.{column} = ANY(%s::bigint[]))",
        (ids,),
    )


def aware_bounds(
    first: datetime.date | None, last: datetime.date | None
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """Inclusive local days as [start, end) instants, for timestamp columns."""

    def start_of(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    return (
        start_of(first) if first else None,
        start_of(last + datetime.timedelta(days=1)) if last else None,
    )
