"""What one seed run makes, and the random streams it draws from.

Every table, and every chunk of a big one, has its own stream derived from the seed, so a
chunk's rows do not depend on what was drawn before it: the same seed gives the same data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np

STREAMS = {
    "staff": 1,
    "companies": 2,
    "departments": 3,
    "people": 4,
    "sale_days": 5,
    "sales": 6,
}
PEOPLE_PER_COMPANY = 10
PEOPLE_CHUNK = 100_000
SALES_CHUNK = 500_000
YEARS_OF_SALES = 5
# Corporate numbers draw unique 6-digit serials, which bounds the number of companies.
MAX_PEOPLE = 10_000_000
MAX_SALES = 100_000_000


@dataclass(frozen=True)
class Plan:
    people: int
    sales: int
    seed: int
    # Dates are relative to the day of seeding (sales over the five years up to it), so the
    # demo never looks stale; everything else depends on the seed alone.
    today: datetime.date
    now: datetime.datetime

    @property
    def companies(self) -> int:
        return -(-self.people // PEOPLE_PER_COMPANY)

    def stream(self, name: str, chunk: int = 0) -> np.random.Generator:
        return np.random.default_rng([self.seed, STREAMS[name], chunk])

    def people_chunks(self) -> list[range]:
        return _chunks(self.people, PEOPLE_CHUNK)

    def sales_chunks(self) -> list[range]:
        return _chunks(self.sales, SALES_CHUNK)


def _chunks(total: int, size: int) -> list[range]:
    return [range(lo, min(lo + size, total)) for lo in range(0, total, size)]
