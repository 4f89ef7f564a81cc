"""Benchmark: the register's list page and ``?q=`` search (issue #2 "Speed").

Small here (seeded demo data in the test database) so that CI keeps it working; the figures
that count come from a 1,000,000-person database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/meibo_bench \\
        uv run python -m tests.benchmarks.search
"""

from __future__ import annotations

import pytest

from api.seed.services import seed_demo
from tests.benchmarks.search import run

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]


def test_bench_search(capsys, settings):
    settings.MEIBO_ACCESS_LOG = False
    seed_demo(people=3000, sales=3000, seed=1)
    with capsys.disabled():
        figures = run(runs=5, show_plans=False)
    assert {f.name for f in figures} >= {"list page of 50", "japanese substring"}
    assert next(f for f in figures if f.name == "phone fragment").count >= 1
