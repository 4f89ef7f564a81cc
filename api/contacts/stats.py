"""stats/ (CRM統計): companies by stage and rank, the caller's visible final records by method
and result per employee per month, and open follow-ups.

A year of records is hundreds of thousands of rows, too many to group per request. The records
open to everyone (audience ``['*']``, most of them) are therefore counted ahead, per month and
author, in ContactMonthMethod/-Result (kept by triggers, see models.ContactMonthCount); only
the others are read, from the partial index ``contact_scoped_time``, each checked against the
caller's tokens. Both parts are read in one statement, so they see the same snapshot: a
record whose scope changes meanwhile is counted once, on one side or the other. Every active
user sees the open records (``sees_open_records``), so the sum is exactly the caller's
visible final records, as ``contact_records_visible_to`` defines them.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Count, Func, Q, QuerySet
from django.utils import timezone

from api.contacts.models import (
    OPEN_AUDIENCE,
    ContactMethod,
    ContactMonthCount,
    ContactMonthMethod,
    ContactMonthResult,
    ContactRecord,
    ContactResult,
    FollowUp,
)
from api.contacts.visibility import contact_records_visible_to, sees_open_records
from api.masters.models import Employee
from api.people.models import Company


def month_start(month: datetime.date) -> datetime.datetime:
    """Midnight of the month's first day, local time (Asia/Tokyo)."""
    return timezone.make_aware(datetime.datetime.combine(month.replace(day=1), datetime.time.min))


def next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def contact_stats(
    *,
    user: Any,
    month_from: datetime.date,
    month_to: datetime.date,
    employee_id: int | None = None,
) -> dict[str, Any]:
    """The CRM statistics page (see the module docstring)."""
    visible = contact_records_visible_to(user)
    return {
        "companies": _company_counts(),
        "contact_records": _record_counts(
            user=user,
            visible=visible,
            month_from=month_from,
            month_to=month_to,
            employee_id=employee_id,
        ),
        "follow_ups": _follow_up_counts(visible=visible),
    }


def _company_counts() -> dict[str, Any]:
    # One pass over the companies for both groupings.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT GROUPING(stage), stage, rank, count(*) FROM {Company._meta.db_table} "
            "GROUP BY GROUPING SETS ((stage), (rank))"
        )
        rows = cursor.fetchall()
    by_stage = {stage: n for by_rank, stage, _, n in rows if not by_rank}
    by_rank = {rank: n for by_rank, _, rank, n in rows if by_rank}
    prospects = (Company.Stage.PROSPECT, Company.Stage.PROPOSING, Company.Stage.NEGOTIATING)
    return {
        "total": sum(by_stage.values()),
        "active": by_stage.get(Company.Stage.ACTIVE, 0),
        "prospects": sum(by_stage.get(stage, 0) for stage in prospects),
        "by_stage": [
            {"stage": stage.value, "label": stage.label, "count": by_stage.get(stage, 0)}
            for stage in Company.Stage
        ],
        "by_rank": [
            {"rank": rank, "count": by_rank.get(rank, 0)} for rank in [*Company.Rank.values, None]
        ],
    }


class ContactMonth(Func):
    """The local month a record falls in, as the summaries count it (migration 0004)."""

    function = "meibo_contact_month"
    output_field = models.DateField()


def _record_counts(
    *,
    user: Any,
    visible: QuerySet[ContactRecord],
    month_from: datetime.date,
    month_to: datetime.date,
    employee_id: int | None,
) -> dict[str, Any]:
    rows = (
        _month_rows(
            visible=visible, month_from=month_from, month_to=month_to, employee_id=employee_id
        )
        if sees_open_records(user)
        else []
    )
    methods = dict(ContactMethod.objects.values_list("id", "code"))
    results = dict(ContactResult.objects.values_list("id", "code"))
    by_method: Counter[str] = Counter()
    by_result: Counter[str] = Counter()
    by_month: dict[str, dict[str, Any]] = {}
    by_employee: dict[tuple[int, str], dict[str, Any]] = {}
    month_keys: dict[datetime.date, str] = {}
    for by_method_row, author_id, month, key, count in rows:
        month_key = month_keys.get(month) or month_keys.setdefault(month, month.strftime("%Y-%m"))
        mine = by_employee.get((author_id, month_key)) or by_employee.setdefault(
            (author_id, month_key), _counts_entry({"employee": author_id, "month": month_key})
        )
        month_entry = by_month.get(month_key) or by_month.setdefault(
            month_key, _counts_entry({"month": month_key})
        )
        # Every record is counted once by method and once by result; totals come from the
        # method rows.
        if by_method_row:
            code = methods[key]
            mine["methods"][code] = count
            mine["total"] += count
            month_entry["methods"][code] += count
            month_entry["total"] += count
            by_method[code] += count
        else:
            code = results.get(key, "none")
            mine["results"][code] = count
            month_entry["results"][code] += count
            by_result[code] += count
    names = dict(
        Employee.objects.filter(pk__in={key[0] for key in by_employee}).values_list("pk", "name")
    )
    for (author_id, _), entry in by_employee.items():
        entry["employee_name"] = names.get(author_id, "")
    for entry in by_month.values():
        entry["methods"], entry["results"] = dict(entry["methods"]), dict(entry["results"])
    return {
        "from": month_from.strftime("%Y-%m"),
        "to": month_to.strftime("%Y-%m"),
        "total": sum(by_method.values()),
        "by_method": dict(by_method),
        "by_result": dict(by_result),
        "by_month": [by_month[key] for key in sorted(by_month)],
        "by_employee_month": sorted(
            by_employee.values(), key=lambda e: (e["employee"], e["month"])
        ),
    }


def _month_rows(
    *,
    visible: QuerySet[ContactRecord],
    month_from: datetime.date,
    month_to: datetime.date,
    employee_id: int | None,
) -> list[tuple[bool, int, datetime.date, int | None, int]]:
    """(by method?, author, month, method or result id, records) for every author and month
    with visible final records in the period: the open ones from the summaries plus the
    others that ``visible`` lets through (one statement, one snapshot)."""
    scoped = visible.filter(
        state=ContactRecord.State.FINAL,
        started_at__gte=month_start(month_from),
        started_at__lt=month_start(next_month(month_to)),
    ).exclude(audience=OPEN_AUDIENCE)
    open_filter = "meibo_contact_month_zone_is(%s) AND month BETWEEN %s AND %s"
    open_params: list[Any] = [settings.TIME_ZONE, month_from, month_to]
    if employee_id is not None:
        scoped = scoped.filter(author_id=employee_id)
        open_filter += " AND author_id = %s"
        open_params.append(employee_id)
    scoped_sql, scoped_params = (
        scoped.order_by()
        .annotate(month=ContactMonth("started_at"))
        .values("author_id", "month", "method_id", "result_id")
        .query.sql_with_params()
    )

    def counted_by(column: str, summary: type[ContactMonthCount]) -> str:
        return f"""
            SELECT {column == "method_id"}, author_id, month, {column}, sum(n)::int
            FROM (
                SELECT author_id, month, {column}, records AS n FROM {summary._meta.db_table}
                WHERE {open_filter}
                UNION ALL
                SELECT author_id, month, {column}, count(*) FROM scoped GROUP BY 1, 2, 3
            ) AS counts
            GROUP BY author_id, month, {column} HAVING sum(n) > 0
        """

    sql = f"""
        WITH scoped AS MATERIALIZED ({scoped_sql})
        {counted_by("method_id", ContactMonthMethod)}
        UNION ALL
        {counted_by("result_id", ContactMonthResult)}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*scoped_params, *open_params, *open_params])
        return cursor.fetchall()


def _counts_entry(keys: dict[str, Any]) -> dict[str, Any]:
    return {**keys, "total": 0, "methods": Counter(), "results": Counter()}


def _follow_up_counts(*, visible: QuerySet[ContactRecord]) -> dict[str, int]:
    now = timezone.now()
    counts = (
        FollowUp.objects.filter(done_at__isnull=True, record__in=visible.values("pk"))
        .order_by()
        .aggregate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_at__lt=now)),
            due_7_days=Count(
                "id", filter=Q(due_at__gte=now, due_at__lt=now + datetime.timedelta(days=7))
            ),
        )
    )
    return {key: value or 0 for key, value in counts.items()}
