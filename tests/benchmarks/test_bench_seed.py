"""Benchmark: demo seeding (issue #2 item 8): 1,000,000 people and 10,000,000 sales in under
10 minutes on the 2-core machine.

Small by default so that CI runs it in seconds; the full size against a database of its own:

    MEIBO_BENCH_PEOPLE=1000000 MEIBO_BENCH_SALES=10000000 \\
        uv run pytest tests/benchmarks/test_bench_seed.py -s -p no:cacheprovider

It runs in the test's transaction, rolled back at the end. Prints rows/s per table.
"""

from __future__ import annotations

import os

import pytest

from api.people.models import Person
from api.sales.models import Sale
from api.seed.services import seed_demo

PEOPLE = int(os.environ.get("MEIBO_BENCH_PEOPLE", "2000"))
SALES = int(os.environ.get("MEIBO_BENCH_SALES", "20000"))

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]


def test_bench_seed(capsys):
    result = seed_demo(people=PEOPLE, sales=SALES, seed=1)

    seconds = result["seconds"]
    rows = {
        "companies": result["companies"],
        "departments": result["departments"],
        "people": PEOPLE,
        "person types": result["person_types"] + result["selection_types"],
        "sales": SALES,
    }
    with capsys.disabled():
        print(f"\nseed_demo(people={PEOPLE:,}, sales={SALES:,})")
        for table, count in rows.items():
            took = seconds.get(table, 0)
            rate = f"{count / took:12,.0f} rows/s" if took else ""
            print(f"  {table:<14}{count:>12,} rows {took:8.2f} s {rate}")
        for table, built in result["index_seconds"].items():
            slowest = sorted(built.items(), key=lambda item: -item[1])[:3]
            print(
                f"  {table} indexes and constraints rebuilt in {sum(built.values()):.1f} s "
                f"(slowest: {', '.join(f'{name} {s:.1f} s' for name, s in slowest)})"
            )
        print(f"  total {seconds['total']:.1f} s")
    assert Person.objects.count() == PEOPLE
    assert Sale.objects.count() == SALES
