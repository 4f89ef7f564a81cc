"""Our own staff and the product catalogue, as frames (staff rows are referred to by position)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from api.seed import catalogue, places
from api.seed.names import era_of, family_index, given_index, given_names, surnames
from api.seed.plan import Plan

STAFF_DOMAIN = "meibo.example.jp"
USERNAMES = tuple(f"staff{i:02d}" for i in range(1, len(catalogue.EMPLOYEES) + 1))
CODES = tuple(str(1000 + i) for i in range(1, len(catalogue.EMPLOYEES) + 1))


def staff(plan: Plan) -> pd.DataFrame:
    """staff01…staff20: username, code, name and reading, e-mail, branch and section codes."""
    rng = plan.stream("staff")
    n = len(catalogue.EMPLOYEES)
    male = rng.random(n) < 0.6
    age = rng.integers(24, 62, n)
    family = surnames().iloc[family_index(rng, n)].reset_index(drop=True)
    given = given_names().iloc[given_index(rng, male, era_of(age))].reset_index(drop=True)
    username = pd.Series(USERNAMES, dtype="str")
    return pd.DataFrame(
        {
            "username": username,
            "code": pd.Series(CODES, dtype="str"),
            "last_name": family["name"],
            "first_name": given["name"],
            "name": family["name"] + " " + given["name"],
            "name_kana": family["kana"] + " " + given["kana"],
            "email": username + "@" + STAFF_DOMAIN,
            "branch": pd.Series([b for b, _ in catalogue.EMPLOYEES], dtype="str"),
            "section": pd.Series([s for _, s in catalogue.EMPLOYEES], dtype="str"),
        }
    )


def sales_staff(branch: str | None = None) -> np.ndarray:
    """Positions in staff() of the sales staff (of one branch, or all)."""
    return np.array(
        [
            i
            for i, (b, section) in enumerate(catalogue.EMPLOYEES)
            if section in catalogue.SALES_SECTIONS and branch in (None, b)
        ]
    )


def branch_staff(rng: np.random.Generator, pref: np.ndarray) -> np.ndarray:
    """For each prefecture index, a sales member of the branch that looks after it."""
    owner = np.empty(len(pref), dtype=np.int64)
    branch = places.PREFECTURE_BRANCH[pref]
    for code, _ in catalogue.BRANCHES:
        rows = np.flatnonzero(branch == code)
        staff = sales_staff(code)
        owner[rows] = staff[rng.integers(0, len(staff), len(rows))]
    return owner


def products() -> pd.DataFrame:
    """One product per catalogue item and colour: code, name, category code, price, user
    codes (1 brand, 2 season, 3 colour), the gift season it sells in, how popular it is."""
    rows = []
    for category in dict.fromkeys(item.category for item in catalogue.ITEMS):
        items = [item for item in catalogue.ITEMS if item.category == category]
        for number, item in enumerate(items, start=1):
            colours = item.colours or (None,)
            for colour in colours:
                code = f"{category}-{number:02d}" + (f"-{colour}" if colour else "")
                name = item.name + (f" {catalogue.COLOUR_NAMES[colour]}" if colour else "")
                gift_season = category if category in catalogue.GIFT_SEASONS else None
                # Cheaper things sell more often; colours share their item's popularity.
                popularity = item.price**-0.6 / len(colours)
                rows.append(
                    (
                        code,
                        name,
                        category,
                        item.price,
                        item.brand,
                        item.season,
                        colour,
                        gift_season,
                        popularity,
                    )
                )
    frame = pd.DataFrame(
        rows,
        columns=[
            "code",
            "name",
            "category",
            "price",
            "user_code_1",
            "user_code_2",
            "user_code_3",
            "gift_season",
            "popularity",
        ],
    )
    text = ("code", "name", "category", "user_code_1", "user_code_2", "user_code_3", "gift_season")
    return frame.astype(dict.fromkeys(text, "str"))
