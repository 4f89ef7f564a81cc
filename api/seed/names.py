"""Japanese family and given names with their readings, drawn as often as they occur.

The tables in data/ list about 300 common surnames (most frequent first, variants such as
髙橋 and 山﨑 last) and 300 given names by sex and by the generation that was given them.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import jaconv
import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parent / "data"
ERAS = ("old", "mid", "new")  # born up to 1965, 1966–1985, from 1986
NAMES_YEAR = 2025


def romaji(kana: pd.Series) -> pd.Series:
    """Hepburn-ish ASCII of a reading (サトウ → satou), for e-mail addresses and domains."""
    return kana.map(lambda k: re.sub("[^a-z]", "", jaconv.kata2alphabet(k)))


@functools.cache
def surnames() -> pd.DataFrame:
    """name, kana, romaji, weight: frequency falls with rank as surname counts do."""
    frame = pd.read_csv(DATA / "surnames.csv", dtype="str")
    rank = np.arange(len(frame))
    return frame.assign(romaji=romaji(frame["kana"]), weight=1.0 / (rank + 8))


@functools.cache
def given_names() -> pd.DataFrame:
    """name, kana, sex (M/F), era, romaji, weight (the first of each group more common)."""
    frame = pd.read_csv(DATA / "given_names.csv", dtype="str")
    rank = frame.groupby(["sex", "era"]).cumcount().to_numpy()
    return frame.assign(romaji=romaji(frame["kana"]), weight=1.0 / (rank + 5))


def family_index(rng: np.random.Generator, n: int) -> np.ndarray:
    """n rows of surnames(), drawn by frequency."""
    weight = surnames()["weight"].to_numpy()
    return rng.choice(len(weight), size=n, p=weight / weight.sum())


def given_index(rng: np.random.Generator, male: np.ndarray, era: np.ndarray) -> np.ndarray:
    """A row of given_names() for each person, of their sex and generation."""
    table = given_names()
    out = np.empty(len(male), dtype=np.int64)
    for sex, is_male in (("M", True), ("F", False)):
        for era_no, era_name in enumerate(ERAS):
            rows = np.flatnonzero((male == is_male) & (era == era_no))
            group = np.flatnonzero(((table["sex"] == sex) & (table["era"] == era_name)).to_numpy())
            weight = table["weight"].to_numpy()[group]
            out[rows] = group[rng.choice(len(group), size=len(rows), p=weight / weight.sum())]
    return out


def era_of(age: np.ndarray) -> np.ndarray:
    """0, 1 or 2: the generation (ERAS) of the names of people this old.

    Reckoned from a fixed year rather than today, so that a seed gives the same names
    whatever the day it runs.
    """
    return np.digitize(NAMES_YEAR - age, [1966, 1986])
