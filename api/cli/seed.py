"""``meibo seed``: load deterministic demo or benchmark data here and now, with a progress bar.

The work is recorded as a ``seed`` Job like any other, so the dashboard shows it while it
runs; it runs in this process rather than on a worker.
"""

from __future__ import annotations

import argparse
from typing import Any

from api.cli.base import django_setup, stop_servers

NAME = "seed"
HELP = "load demo data (companies, people, products, sales) with a progress bar"

# What `meibo up` loads on a first start: small enough for a worker to load in seconds, large
# enough to page, search and select in.
DEMO = {"people": 2_000, "sales": 20_000, "seed": 1}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--people",
        type=_count,
        default=DEMO["people"],
        help="people to create (default %(default)s)",
    )
    parser.add_argument(
        "--sales", type=_count, default=DEMO["sales"], help="sales to create (default %(default)s)"
    )
    parser.add_argument(
        "--seed", type=int, default=DEMO["seed"], help="random seed: the same seed, the same data"
    )


def _count(value: str) -> int:
    try:
        number = int(value.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value!r}")
    return number


class BarProgress:
    """A job's progress that is also drawn on the terminal."""

    def __init__(self, progress: Any, bar: Any):
        self._progress = progress
        self._bar = bar

    def __getattr__(self, name: str) -> Any:
        return getattr(self._progress, name)

    def set_total(self, total: int) -> None:
        self._progress.set_total(total)
        self._draw()

    def advance(self, count: int = 1) -> None:
        self._progress.advance(count)
        self._draw()

    def update(self, done: int, total: int | None = None) -> None:
        self._progress.update(done, total)
        self._draw()

    def flush(self) -> None:
        self._progress.flush()
        self._draw()

    def _draw(self) -> None:
        if self._progress.total is not None and self._bar.total != self._progress.total:
            self._bar.total = self._progress.total
            self._bar.refresh()
        self._bar.update(self._progress.done - self._bar.n)


def run(args: argparse.Namespace) -> int:
    django_setup()
    from django.core.management import call_command

    try:
        # A new database has no tables yet; `meibo up` migrates the same way.
        call_command("migrate", interactive=False, verbosity=0)
        return load(people=args.people, sales=args.sales, seed=args.seed)
    finally:
        stop_servers()


def load(*, people: int, sales: int, seed: int) -> int:
    """Run the seed service here as a ``seed`` job, drawing its progress; 0 when it succeeded."""
    from django.utils import timezone
    from tqdm import tqdm

    from api.jobs.models import Job
    from api.jobs.services import job_cancel
    from api.seed.services import seed_demo
    from workers.progress import run_job

    params = {"people": people, "sales": sales, "seed": seed}
    # Stamped as dispatched: the job is this process's to run, so no worker is ever sent it.
    job = Job.objects.create(kind="seed", params=params, dispatched_at=timezone.now())
    print(f"job #{job.pk}: {people:,} people, {sales:,} sales, seed {seed}")
    try:
        with tqdm(unit="rows", unit_scale=True, dynamic_ncols=True) as bar:
            run_job(
                job.pk,
                lambda job, progress: seed_demo(**job.params, progress=BarProgress(progress, bar)),
            )
    except KeyboardInterrupt:
        # Otherwise the dashboard would show it running for ever.
        job_cancel(job=job)
        print(f"job #{job.pk} cancelled")
        return 130
    job.refresh_from_db()
    if job.state != Job.State.SUCCEEDED:
        print(f"job #{job.pk} {job.state}: {job.error}")
        return 1
    print(f"job #{job.pk} done: {job.result}")
    return 0
