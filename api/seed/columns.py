"""Vectorised string columns: pandas' Arrow-backed ``str`` dtype, 5–10× faster than Python
strings in object arrays, for building a million addresses or names at once."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

Part = pd.Series | np.ndarray | str


def take(values: Sequence[str | None] | np.ndarray, index: np.ndarray) -> pd.Series:
    """``values[index]`` as a string column."""
    return pd.Series(pd.array(list(values), dtype="str").take(index))


def text(values: np.ndarray) -> pd.Series:
    """Numbers (or strings) as a string column."""
    return pd.Series(values).astype("str")


def digits(rng: np.random.Generator, n: int, width: int) -> pd.Series:
    """n random strings of ``width`` digits, leading zeros kept."""
    return text(rng.integers(0, 10**width, n)).str.zfill(width)


def cat(*parts: Part) -> pd.Series:
    """Element-wise concatenation of columns, number arrays and constants."""
    out: pd.Series | str = ""
    for part in parts:
        out = out + (text(part) if isinstance(part, np.ndarray) else part)
    assert isinstance(out, pd.Series), "cat() needs at least one column"
    return out


def where(
    condition: np.ndarray | pd.Series, yes: pd.Series, no: pd.Series | str | None
) -> pd.Series:
    """``yes`` where the condition holds, else ``no`` (None: NULL)."""
    return yes.where(condition, no)


def sometimes(rng: np.random.Generator, column: pd.Series, share: float) -> pd.Series:
    """The column for a random ``share`` of rows, NULL for the others."""
    return column.where(rng.random(len(column)) < share)
