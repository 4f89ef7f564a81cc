"""The per-month counts stats/ sums (ContactMonthMethod/-Result, kept by triggers) always equal
a recount of the final records open to everyone, whatever writes them, concurrently too."""

import datetime
import threading
from collections import Counter

import pytest
from django.db import DatabaseError, connection
from django.db.models import Count
from django.utils import timezone

from api.contacts.models import (
    OPEN_AUDIENCE,
    ContactMethod,
    ContactMonthMethod,
    ContactMonthResult,
    ContactRecord,
    ContactResult,
)
from api.contacts.stats import ContactMonth, contact_stats
from tests.factories.contacts import ContactRecordFactory, master
from tests.factories.masters import BranchFactory, EmployeeFactory
from tests.factories.people import CompanyFactory


def recounted(column: str) -> Counter:
    rows = (
        ContactRecord.objects.filter(state="final", audience=OPEN_AUDIENCE)
        .annotate(month=ContactMonth("started_at"))
        .values("month", "author_id", column)
        .annotate(n=Count("id"))
    )
    return Counter({(r["month"], r["author_id"], r[column]): r["n"] for r in rows})


def kept(summary: type, column: str) -> Counter:
    rows = summary.objects.values_list("month", "author_id", column, "records")
    return Counter({(month, author, key): n for month, author, key, n in rows if n})


def assert_counts_are_right() -> None:
    assert kept(ContactMonthMethod, "method_id") == recounted("method_id")
    assert kept(ContactMonthResult, "result_id") == recounted("result_id")


def test_every_kind_of_write_keeps_the_counts(db):
    author = EmployeeFactory()
    phone = master(ContactMethod, "phone")
    # a month boundary in Tokyo that is still the previous month in UTC
    first_of_month = datetime.datetime(2025, 4, 1, 0, 30, tzinfo=timezone.get_current_timezone())
    records = ContactRecordFactory.create_batch(4, author=author, started_at=first_of_month)
    draft = ContactRecordFactory(author=author, state="draft")
    ContactRecordFactory(author=author, result=None)
    assert_counts_are_right()
    assert (
        ContactMonthMethod.objects.get(author=author, month=datetime.date(2025, 4, 1)).records == 4
    )

    records[0].method = phone
    records[0].save()
    records[1].visibility, records[1].scope_ids = "branch", [BranchFactory().pk]
    records[1].save()
    ContactRecord.objects.filter(pk=draft.pk).update(state="final")
    ContactRecord.objects.filter(pk=records[2].pk).update(
        started_at=first_of_month - datetime.timedelta(hours=1)
    )
    records[3].delete()
    assert_counts_are_right()

    ContactRecord.objects.filter(author=author).update(visibility="everyone", scope_ids=[])
    assert_counts_are_right()
    ContactRecord.objects.all().delete()
    assert not kept(ContactMonthMethod, "method_id")
    assert not kept(ContactMonthResult, "result_id")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_the_same_counts_lose_nothing():
    # given ten writers adding, moving and removing records of one author in one month
    author = EmployeeFactory()
    company = CompanyFactory()
    started = timezone.now().replace(day=2, hour=10)
    phone = master(ContactMethod, "phone")
    absent = master(ContactResult, "absent")
    doomed = ContactRecordFactory.create_batch(
        10, author=author, company=company, started_at=started
    )
    gate = threading.Barrier(10)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            gate.wait()
            for _ in range(5):
                ContactRecordFactory(author=author, company=company, started_at=started)
            ContactRecord.objects.filter(pk=doomed[n].pk).update(
                method=phone, result=absent if n % 2 else None
            )
            if n % 3 == 0:
                ContactRecord.objects.filter(pk=doomed[n].pk).delete()
        except BaseException as exc:  # noqa: BLE001 — reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    # when they all write at once
    threads = [threading.Thread(target=write, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then every change is counted, once
    assert errors == []
    assert_counts_are_right()
    month = started.astimezone(timezone.get_current_timezone()).date().replace(day=1)
    assert sum(
        ContactMonthMethod.objects.filter(author=author, month=month).values_list(
            "records", flat=True
        )
    ) == (10 + 50 - 4)


def test_stats_refuses_counts_kept_in_another_time_zone(db, settings):
    settings.TIME_ZONE = "UTC"
    user = EmployeeFactory().user
    today = timezone.localdate()

    with pytest.raises(DatabaseError, match="time zone"):
        contact_stats(user=user, month_from=today, month_to=today)
