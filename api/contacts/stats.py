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
import json
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
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
        _count_rows(
            visible=visible, month_from=month_from, month_to=month_to, employee_id=employee_id
        )
        if sees_open_records(user)
        else []
    )
    overall = {"methods": {}, "results": {}}
    by_month: list[dict[str, Any]] = []
    by_employee: list[dict[str, Any]] = []
    for author_id, author_name, month, methods_json, results_json in rows:
        methods, results = json.loads(methods_json), json.loads(results_json)
        # Every record is counted once by method and once by result.
        entry = {"total": sum(methods.values()), "methods": methods, "results": results}
        if author_id is not None:
            by_employee.append(
                {
                    "employee": author_id,
                    "employee_name": author_name,
                    "month": f"{month:%Y-%m}",
                    **entry,
                }
            )
        elif month is not None:
            by_month.append({"month": f"{month:%Y-%m}", **entry})
        else:
            overall = entry
    return {
        "from": month_from.strftime("%Y-%m"),
        "to": month_to.strftime("%Y-%m"),
        "total": sum(overall["methods"].values()),
        "by_method": overall["methods"],
        "by_result": overall["results"],
        "by_month": by_month,
        "by_employee_month": by_employee,
    }


def _count_rows(
    *,
    visible: QuerySet[ContactRecord],
    month_from: datetime.date,
    month_to: datetime.date,
    employee_id: int | None,
) -> list[tuple[int | None, str | None, datetime.date | None, str, str]]:
    """(author, author's name, month, {method code: records}, {result code: records}) for
    every author and month with visible final records in the period, then per month (author
    None) and for the whole period (month None too); the JSON objects are built by
    PostgreSQL, so Python handles one row per author and month, not one per count.

    The open records come from the summaries, the others that ``visible`` lets through from
    the records themselves, in one statement and so one snapshot."""
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
            SELECT {column == "method_id"} AS by_method, author_id, month, {column} AS key,
                   sum(n) AS n
            FROM (
                SELECT author_id, month, {column}, records AS n FROM {summary._meta.db_table}
                WHERE {open_filter}
                UNION ALL
                SELECT author_id, month, {column}, 1 FROM scoped
            ) AS counts
            GROUP BY author_id, month, {column} HAVING sum(n) > 0
        """

    sql = f"""
        WITH scoped AS MATERIALIZED ({scoped_sql}),
        counts AS (
            {counted_by("method_id", ContactMonthMethod)}
            UNION ALL
            {counted_by("result_id", ContactMonthResult)}
        ),
        rolled_up AS (
            SELECT author_id, month, by_method, key, sum(n)::int AS n FROM counts
            GROUP BY GROUPING SETS (
                (author_id, month, by_method, key), (month, by_method, key), (by_method, key)
            )
        )
        SELECT r.author_id, e.name, r.month,
               coalesce(jsonb_object_agg(m.code, r.n) FILTER (WHERE r.by_method), '{{}}'),
               coalesce(
                   jsonb_object_agg(coalesce(s.code, 'none'), r.n) FILTER (WHERE NOT r.by_method),
                   '{{}}'
               )
        FROM rolled_up AS r
        LEFT JOIN {Employee._meta.db_table} AS e ON e.id = r.author_id
        LEFT JOIN {ContactMethod._meta.db_table} AS m ON r.by_method AND m.id = r.key
        LEFT JOIN {ContactResult._meta.db_table} AS s ON NOT r.by_method AND s.id = r.key
        GROUP BY r.author_id, e.name, r.month
        ORDER BY r.author_id, r.month
    """
    with transaction.atomic(), connection.cursor() as cursor:
        # The three roll-ups of a year of a large team's counts are hashed at once: with the
        # default 4 MB PostgreSQL spills them to disk (measured 180 → 130 ms at 1M records).
        cursor.execute("SET LOCAL work_mem = '32MB'")
        cursor.execute(sql, [*scoped_params, *open_params, *open_params])
        return cursor.fetchall()


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
