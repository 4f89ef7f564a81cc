"""Benchmark of the register's list and ``?q=`` search, through the API as a client uses it.

Against the configured database (e.g. one seeded with ``meibo seed --people 1000000``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/meibo_bench \
        uv run python -m tests.benchmarks.search

CI runs it small through tests/benchmarks/test_bench_search.py.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass

import django


@dataclass
class Figure:
    name: str
    query: str
    median_ms: float
    p95_ms: float
    count: int


def _timed(client, url: str, runs: int) -> tuple[list[float], dict]:
    timings = []
    body: dict = {}
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:500]
        body = response.json()
    return timings, body


def sample_queries() -> dict[str, str]:
    """Queries taken from the data itself, so they match at any size: a Japanese fragment of
    an address, a phone fragment typed with a hyphen, a fragment of an e-mail, and the
    two-character surname that is the most common Japanese search."""
    from api.people.models import Person

    person = (
        Person.objects.exclude(phone=None)
        .exclude(email=None)
        .exclude(address1=None)
        .order_by("id")
        .only("phone", "email", "address1")[Person.objects.count() // 2]
    )
    address = person.address1
    local = person.email.split("@")[0]
    return {
        "japanese substring": address[1:5],
        "phone fragment": person.phone[-9:],
        "e-mail fragment": local[-5:] if len(local) >= 5 else local,
        "two-character surname": "佐藤",
        "company fragment": "山田商",
    }


def explain(q: str) -> str:
    from django.db import connection

    from api.people.selectors import person_list, person_search

    queryset = person_search(queryset=person_list(), q=q)[:50]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def run(*, runs: int = 30, user=None, show_plans: bool = True) -> list[Figure]:
    from rest_framework.test import APIClient

    from api.people.models import Person

    if user is None:
        from django.contrib.auth import get_user_model

        user, _ = get_user_model().objects.get_or_create(username="bench-search")
    client = APIClient()
    client.force_authenticate(user)
    figures = []
    queries = {"list page of 50": ""} | sample_queries()
    for name, q in queries.items():
        url = "/api/v1/people/?page_size=50" + (f"&q={q}" if q else "")
        _timed(client, url, 2)  # warm the connection and caches
        timings, body = _timed(client, url, runs)
        timings.sort()
        figures.append(
            Figure(
                name=name,
                query=q,
                median_ms=statistics.median(timings),
                p95_ms=timings[max(0, int(len(timings) * 0.95) - 1)],
                count=body.get("count", len(body.get("results", []))),
            )
        )
    print(f"\npeople in the register: {Person.objects.count():,}; {runs} runs each")
    print(f"{'what':24} {'query':14} {'median ms':>10} {'p95 ms':>8} {'matches':>9}")
    for f in figures:
        print(f"{f.name:24} {f.query:14} {f.median_ms:10.1f} {f.p95_ms:8.1f} {f.count:9,}")
    if show_plans:
        for name, q in queries.items():
            if q:
                print(f"\nEXPLAIN ANALYZE — {name} ({q}):\n{explain(q)}")
    return figures


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")
    os.environ.setdefault("MEIBO_ACCESS_LOG", "false")
    django.setup()
    run(runs=int(os.environ.get("MEIBO_BENCH_RUNS", "30")))
