"""Sales (販売履歴) over the last five years, a chunk at a time, in date order.

Customers buy more than prospects and VIPs most; sales rise towards お中元 and お歳暮, when
the gift ranges sell (companies send them by the dozen); each sale is recorded by the
customer's own sales member most of the time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from api.seed import catalogue
from api.seed.masters import sales_staff
from api.seed.plan import SALES_CHUNK, YEARS_OF_SALES, Plan

MONTH_FACTOR = np.array([0.8, 0.8, 1.0, 1.0, 1.0, 1.2, 1.5, 1.0, 0.9, 1.0, 1.2, 1.8])
GIFT_SHARE_IN_SEASON = {"CHUGEN": 0.45, "SEIBO": 0.5}


@dataclass(frozen=True)
class Buyers:
    """What sales need to know of every person, by position."""

    company: np.ndarray  # company position, -1 for private customers
    owner: np.ndarray  # staff position
    weight: np.ndarray  # share of all purchases (sums to 1)


@dataclass(frozen=True)
class Calendar:
    first_day: np.datetime64
    # cumulative[d]: how many sales fall on or before day d; sale i is on the first day whose
    # cumulative count exceeds i, so sales come out in date order.
    cumulative: np.ndarray


def calendar(plan: Plan) -> Calendar:
    """How many of the plan's sales fall on each day of the last five years."""
    rng = plan.stream("sale_days")
    last = np.datetime64(plan.today, "D")
    days = np.arange(last - np.timedelta64(YEARS_OF_SALES * 365, "D"), last + 1)
    month = days.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; 5, 6: weekend
    years_in = (days - days[0]).astype(np.int64) / 365.25
    weight = MONTH_FACTOR[month] * np.where(weekday >= 5, 1.15, 1.0) * (1 + 0.06 * years_in)
    counts = rng.multinomial(plan.sales, weight / weight.sum())
    return Calendar(first_day=days[0], cumulative=np.cumsum(counts))


def sales_chunk(
    plan: Plan, buyers: Buyers, products: pd.DataFrame, days: Calendar, rows: range
) -> pd.DataFrame:
    """Sales ``rows`` of the plan: sold_on, quantity, amount, created_at, and positions of
    company (-1: none), person, product and sold_by."""
    rng = plan.stream("sales", rows.start // SALES_CHUNK)
    n = len(rows)
    day = np.searchsorted(days.cumulative, np.arange(rows.start, rows.stop), side="right")
    sold_on = days.first_day + day
    person = rng.choice(len(buyers.weight), size=n, p=buyers.weight)
    company = buyers.company[person]

    month_day = (
        (sold_on.astype("datetime64[M]").astype(np.int64) % 12 + 1) * 100
        + (sold_on - sold_on.astype("datetime64[M]")).astype(np.int64)
        + 1
    )
    product = _draw(rng, products, products["gift_season"].isna().to_numpy(), n)
    gift = np.zeros(n, dtype=bool)
    for season, ((m1, d1), (m2, d2)) in catalogue.GIFT_SEASONS.items():
        in_season = (month_day >= m1 * 100 + d1) & (month_day <= m2 * 100 + d2)
        chosen = np.flatnonzero(in_season & (rng.random(n) < GIFT_SHARE_IN_SEASON[season]))
        pool = (products["gift_season"] == season).to_numpy()
        product[chosen] = _draw(rng, products, pool, len(chosen))
        gift[chosen] = True

    # Companies send gifts to their own customers by the dozen; otherwise one or two.
    quantity = rng.choice(6, size=n, p=[0.75, 0.15, 0.06, 0.02, 0.01, 0.01]) + 1
    bulk = gift & (company >= 0)
    quantity[bulk] = np.minimum(rng.geometric(0.12, int(bulk.sum())), 60)
    sellers = sales_staff()
    sold_by = np.where(
        rng.random(n) < 0.85, buyers.owner[person], sellers[rng.integers(0, len(sellers), n)]
    )
    # Recorded during opening hours (JST) of the day of the sale.
    created_at = pd.to_datetime(sold_on).tz_localize(plan.now.tzinfo) + pd.to_timedelta(
        rng.integers(9 * 3600, 19 * 3600, n), unit="s"
    )
    return pd.DataFrame(
        {
            "sold_on": sold_on,
            "quantity": quantity.astype(np.int32),
            "amount": products["price"].to_numpy()[product] * quantity,
            "created_at": created_at,
            "company": company,
            "person": person,
            "product": product,
            "sold_by": sold_by,
        }
    )


def _draw(rng: np.random.Generator, products: pd.DataFrame, pool: np.ndarray, n: int) -> np.ndarray:
    """n products from the pool (a mask), by popularity."""
    candidates = np.flatnonzero(pool)
    weight = products["popularity"].to_numpy()[candidates]
    return candidates[rng.choice(len(candidates), size=n, p=weight / weight.sum())]
